/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_TX_H
#define _SSTP_TX_H

#include <linux/skbuff.h>
#include <linux/workqueue.h>

struct sstp_session;

enum sstp_tx_kind {
	SSTP_TX_IP,	/* IP packet: the PPP and SSTP headers are added */
	SSTP_TX_ECHO,	/* echo response built by the kernel */
	SSTP_TX_CTRL,	/* whole SSTP packet from the gateway */
};

bool sstp_tx_queue_ip(struct sstp_session *s, struct sk_buff *skb, u16 proto);
int sstp_tx_queue_raw(struct sstp_session *s, struct sk_buff *skb,
		      enum sstp_tx_kind kind);
void sstp_tx_close(struct sstp_session *s);
void sstp_tx_flush(struct sstp_session *s);
void sstp_tx_work(struct work_struct *work);

#endif /* _SSTP_TX_H */
