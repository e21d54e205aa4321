/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control socket's commands (ctl_server.c): typed answers of the
 * control protocol (ipc/ctl_proto.h) built from gateway_get_info(),
 * session_get_info() and trust.h. ctl_conn.c is the transport.
 */
#ifndef _SSTPD_CTL_SERVER_H
#define _SSTPD_CTL_SERVER_H

#include <stddef.h>
#include <stdio.h>

struct gateway;

/*
 * One request as read from the socket (len bytes, not NUL-terminated) and
 * its answer into f. A request in no protocol (an sstpctl from before it)
 * is answered with an "error\t..." line, which such a client prints.
 */
void ctl_server_handle(struct gateway *gw, const char *req, size_t len,
		       FILE *f);
/* The "dump" answer: the gateway, its limits, every session. */
void ctl_server_dump(struct gateway *gw, FILE *f);

#endif
