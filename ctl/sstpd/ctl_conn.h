/* SPDX-License-Identifier: GPL-2.0 */
/* The control socket's limits (ctl_conn.c; documented in sstpd(8)). */
#ifndef _SSTPD_CTL_CONN_H
#define _SSTPD_CTL_CONN_H

#include "ipc/ctl_proto.h"

/* The longest request: a root-add and a path of PATH_MAX. */
#define CTL_REQ_MAX	CTL_REQUEST_MAX
/* Control connections served at once; more are refused with "busy". */
#define CTL_CONN_MAX	16
/* From connect to the end of the request. */
#define CTL_REQUEST_MS	5000
/* From the request to the last byte of the answer taken by the client. */
#define CTL_ANSWER_MS	10000

#endif
