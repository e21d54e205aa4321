/* SPDX-License-Identifier: GPL-2.0 */
/* Where the control socket lives, and the client side of it. */
#ifndef _SSTP_CTL_CLIENT_H
#define _SSTP_CTL_CLIENT_H

#include <stddef.h>

/*
 * $SSTP_RUNDIR (default RUNSTATEDIR "/sstp") + "/<ifname>.sock"; the
 * directory is created (0700). 0 or -ENAMETOOLONG.
 */
int ctl_socket_path(const char *ifname, char *out, size_t outlen);
struct ctl_request;
struct ctl_answer;

/*
 * One request to the daemon serving ifname, and its decoded answer (the
 * control protocol, ctl_proto.h). 0: ans holds it, a refusal included
 * (ans->status.err, .error); free it with ctl_answer_free(). Otherwise
 * -errno with a one-line reason in err, ans empty: -ENOENT or
 * -ECONNREFUSED when no daemon serves ifname, -EPROTO or -EPROTONOSUPPORT
 * for a daemon of another protocol, or the decoder's and the socket's
 * errors.
 */
int ctl_call(const char *ifname, const struct ctl_request *req,
	     struct ctl_answer *ans, char *err, size_t errlen);

#endif
