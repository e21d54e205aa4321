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
/*
 * Send one request and read the whole answer (malloc'd, NUL-terminated,
 * into *answer). 0, -ENOENT/-ECONNREFUSED when no daemon serves ifname,
 * or -errno.
 */
int ctl_request(const char *ifname, const char *req, char **answer);

#endif
