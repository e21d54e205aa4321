/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_NETLINK_H
#define _SSTP_NETLINK_H

#include <linux/types.h>

struct sstp_session;

int sstp_nl_register(void);
void sstp_nl_unregister(void);
void sstp_nl_session_del_ntf(struct sstp_session *s);
int sstp_nl_session_recv_ntf(struct sstp_session *s, const u8 *pkt,
			     unsigned int len);

#endif /* _SSTP_NETLINK_H */
