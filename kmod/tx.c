// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: a bounded queue per session and a work item that packs as many
 * SSTP packets as fit into one buffer and hands it to kernel TLS with
 * non-blocking sock_sendmsg() calls, one per SSTP packet (each gets a TLS
 * record of its own, as some clients need) or, for sessions that may
 * coalesce, one for the whole buffer. Kernel TLS encrypts only on that path:
 * sendmsg_locked and the skb splicing helpers reach TCP directly and would
 * put plaintext on the wire. A partial write keeps the rest of the buffer
 * until the socket's write_space callback queues the work again.
 *
 * Packets from the device, echo responses and the gateway's frames share
 * the queue, so they leave in the order they were queued. The queue lock
 * also guards tx_closed and is held while the work is queued, so once
 * sstp_tx_close() returns no new work can be queued behind a cancel.
 */

#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/dst.h>

#include "main.h"
#include "session.h"
#include "tx.h"

/* Buffers written per run before the work yields to other sessions. */
#define SSTP_TX_RUNS	16

struct sstp_tx_cb {
	u16 proto;
	u8 kind;
};

static struct sstp_tx_cb *tx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct sstp_tx_cb) > sizeof(skb->cb));
	return (struct sstp_tx_cb *)skb->cb;
}

static int tx_queue(struct sstp_session *s, struct sk_buff *skb,
		    unsigned int limit)
{
	int err = 0;

	spin_lock_bh(&s->txq.lock);
	if (s->tx_closed)
		err = -ESHUTDOWN;
	else if (skb_queue_len(&s->txq) >= limit)
		err = -ENOBUFS;
	else
		__skb_queue_tail(&s->txq, skb);
	if (!err)
		queue_work(sstp_wq, &s->tx_work);
	spin_unlock_bh(&s->txq.lock);
	return err;
}

/**
 * sstp_tx_queue_ip() - Queue an IP packet from the device.
 * @s: session of the packet's next hop
 * @skb: the packet, not a GSO one; consumed
 * @proto: SSTP_PPP_IP or SSTP_PPP_IPV6
 *
 * Runs in the device's transmit path. Drops (and counts) packets that do
 * not fit in an SSTP packet and packets beyond the queue's limit.
 *
 * Return: true if the packet was queued.
 */
bool sstp_tx_queue_ip(struct sstp_session *s, struct sk_buff *skb, u16 proto)
{
	if (sstp_data_hdr_len(s->ppp_flags, proto) + skb->len >
	    SSTP_MAX_PACKET) {
		atomic64_inc(&s->stats.tx_drop_invalid);
		goto drop;
	}
	/* The packet is copied out as it is: checksums must be final. */
	if (skb->ip_summed == CHECKSUM_PARTIAL && skb_checksum_help(skb)) {
		atomic64_inc(&s->stats.tx_drop_invalid);
		goto drop;
	}
	skb_dst_drop(skb);
	tx_cb(skb)->proto = proto;
	tx_cb(skb)->kind = SSTP_TX_IP;
	if (tx_queue(s, skb, SSTP_TXQ_LEN)) {
		atomic64_inc(&s->stats.tx_drop_queue);
		goto drop;
	}
	return true;

drop:
	dev_core_stats_tx_dropped_inc(s->dev);
	kfree_skb(skb);
	return false;
}

/**
 * sstp_tx_queue_raw() - Queue a whole SSTP packet.
 * @s: the session
 * @skb: the packet, header included; consumed
 * @kind: SSTP_TX_ECHO or SSTP_TX_CTRL
 *
 * The gateway's frames get some room beyond the data packets' limit so
 * that a full queue of data does not lock it out.
 *
 * Return: 0, -ENOBUFS if the queue is full, -ESHUTDOWN if the session is
 * ending.
 */
int sstp_tx_queue_raw(struct sstp_session *s, struct sk_buff *skb,
		      enum sstp_tx_kind kind)
{
	unsigned int limit = SSTP_TXQ_LEN;
	int err;

	if (kind == SSTP_TX_CTRL)
		limit += SSTP_TXQ_CTRL_EXTRA;
	tx_cb(skb)->kind = kind;
	err = tx_queue(s, skb, limit);
	if (err) {
		if (kind == SSTP_TX_ECHO)
			atomic64_inc(&s->stats.tx_drop_queue);
		kfree_skb(skb);
	}
	return err;
}

/**
 * sstp_tx_close() - Refuse anything queued from now on.
 * @s: the session
 */
void sstp_tx_close(struct sstp_session *s)
{
	spin_lock_bh(&s->txq.lock);
	s->tx_closed = true;
	spin_unlock_bh(&s->txq.lock);
}

/* Fill tx_buf from the queue; false if the queue was empty. */
static bool pack(struct sstp_session *s)
{
	struct sk_buff_head batch;
	unsigned int used = 0, hlen;
	struct sk_buff *skb;

	__skb_queue_head_init(&batch);
	spin_lock_bh(&s->txq.lock);
	while ((skb = skb_peek(&s->txq))) {
		hlen = tx_cb(skb)->kind == SSTP_TX_IP ?
		       sstp_data_hdr_len(s->ppp_flags, tx_cb(skb)->proto) : 0;
		if (used + hlen + skb->len > SSTP_TX_BUF)
			break;
		__skb_unlink(skb, &s->txq);
		__skb_queue_tail(&batch, skb);
		used += hlen + skb->len;
	}
	spin_unlock_bh(&s->txq.lock);

	used = 0;
	while ((skb = __skb_dequeue(&batch))) {
		switch (tx_cb(skb)->kind) {
		case SSTP_TX_IP:
			used += sstp_data_hdr_put(s->tx_buf + used,
						  s->ppp_flags,
						  tx_cb(skb)->proto, skb->len);
			atomic64_inc(&s->stats.tx_packets);
			atomic64_add(skb->len, &s->stats.tx_bytes);
			break;
		case SSTP_TX_ECHO:
			atomic64_inc(&s->stats.echo_packets);
			break;
		case SSTP_TX_CTRL:
			atomic64_inc(&s->stats.tx_ctrl_packets);
			break;
		}
		skb_copy_bits(skb, 0, s->tx_buf + used, skb->len);
		used += skb->len;
		consume_skb(skb);
	}
	s->tx_len = used;
	s->tx_off = 0;
	s->tx_end = 0;
	return used;
}

/*
 * Write what is left of tx_buf: 0 when all went out, or -errno. Kernel TLS
 * closes a record at the end of each send, so one send per SSTP packet
 * gives each its own record unless the session may coalesce.
 */
static int send_buf(struct sstp_session *s)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct kvec iov;
	int ret;

	while (s->tx_off < s->tx_len) {
		if (s->tx_off >= s->tx_end)
			s->tx_end = s->coalesce ? s->tx_len : s->tx_off +
				    sstp_len_get(s->tx_buf + s->tx_off + 2);
		iov.iov_base = s->tx_buf + s->tx_off;
		iov.iov_len = s->tx_end - s->tx_off;
		ret = kernel_sendmsg(s->sock, &msg, &iov, 1, iov.iov_len);
		if (ret < 0)
			return ret;
		/* No progress and no error: wait like for -EAGAIN. */
		if (!ret)
			return -EAGAIN;
		s->tx_off += ret;
	}
	s->tx_len = 0;
	s->tx_off = 0;
	s->tx_end = 0;
	return 0;
}

/* 0 when the queue is empty, -EINPROGRESS when out of budget, or -errno. */
static int tx_run(struct sstp_session *s, unsigned int budget)
{
	int err;

	for (;;) {
		err = send_buf(s);
		if (err)
			return err;
		if (skb_queue_empty_lockless(&s->txq))
			return 0;
		if (!budget--)
			return -EINPROGRESS;
		pack(s);
	}
}

/**
 * sstp_tx_flush() - Write out what is queued as far as the socket takes it.
 * @s: the session, its work items cancelled and its queue closed
 *
 * Used before a session the gateway deletes goes away, so that a frame it
 * queued last (a Call Disconnect, say) still leaves. Does not block.
 */
void sstp_tx_flush(struct sstp_session *s)
{
	if (s->sock && s->tx_buf)
		tx_run(s, SSTP_TXQ_LEN + SSTP_TXQ_CTRL_EXTRA);
}

/**
 * sstp_tx_work() - Write the transmit queue to the socket.
 * @work: the session's tx_work
 */
void sstp_tx_work(struct work_struct *work)
{
	struct sstp_session *s = container_of(work, struct sstp_session,
					      tx_work);
	int err;

	if (READ_ONCE(s->state) != SSTP_SESSION_LIVE)
		return;
	err = tx_run(s, SSTP_TX_RUNS);
	if (!err || err == -EAGAIN)
		return;
	if (err == -EINPROGRESS) {
		queue_work(sstp_wq, &s->tx_work);
		return;
	}
	net_dbg_ratelimited("%s: session %u: send failed: %d\n",
			    s->dev->name, s->id, err);
	sstp_session_kill(s, SSTP_DEL_REASON_TRANSPORT_ERROR);
}
