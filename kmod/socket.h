/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_SOCKET_H
#define _SSTP_SOCKET_H

#include <net/netlink.h>

struct sstp_session;

int sstp_sock_attach(struct sstp_session *s, int fd,
		     struct netlink_ext_ack *extack);
void sstp_sock_detach(struct sstp_session *s);
void sstp_sock_release(struct sstp_session *s);

#endif /* _SSTP_SOCKET_H */
