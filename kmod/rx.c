// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: plaintext from the kernel TLS socket, cut into SSTP packets.
 *
 * The socket callbacks only queue rx_work; the hook fires for every TCP
 * segment, so most runs find a partial TLS record and stop at -EAGAIN.
 * Records do not follow SSTP packet boundaries, hence the byte-stream
 * de-framer. Where kernel TLS has its own read_sock (6.6 and later) the
 * decrypted records are walked in place; a record that is not application
 * data stops read_sock with -EINVAL and is then taken with recvmsg and a
 * control-message buffer, which is also the only path on older kernels.
 * Without that buffer a non-data record would fail the read with -EIO and
 * stay queued for ever.
 */

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/skbuff.h>
#include <linux/socket.h>
#include <linux/tls.h>
#include <net/gro_cells.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "device.h"
#include "main.h"
#include "netlink.h"
#include "rx.h"
#include "session.h"
#include "tx.h"

/* Reads per run before the work yields to other sessions. */
#define SSTP_RX_READS		64
/* Bytes a read_sock call may consume. */
#define SSTP_RX_READ_SOCK	65536
/* IP packets gathered before they are passed to the stack. */
#define SSTP_RX_BATCH		64

/* TLS record content types and alert (RFC 5246 6.2.1, 7.2). */
#define TLS_CT_ALERT		21
#define TLS_CT_DATA		23
#define TLS_ALERT_CLOSE_NOTIFY	0

static void rx_deliver(struct sstp_session *s)
{
	struct net_device *dev = s->dev;
	struct sk_buff *skb;
	unsigned int len;

	if (skb_queue_empty(&s->rx_list))
		return;
	/* gro_cells expects the softirq context it is normally called in. */
	local_bh_disable();
	while ((skb = __skb_dequeue(&s->rx_list))) {
		len = skb->len;
		if (gro_cells_receive(&s->sd->gro_cells, skb) == NET_RX_SUCCESS)
			dev_sw_netstats_rx_add(dev, len);
	}
	local_bh_enable();
}

/* An IP packet from the peer: checked, trimmed and queued for the stack. */
static void rx_ip(struct sstp_session *s, const u8 *data, unsigned int len,
		  u16 proto)
{
	struct net_device *dev = s->dev;
	struct sk_buff *skb;
	unsigned int tot;

	skb = __netdev_alloc_skb(dev, len + NET_IP_ALIGN, GFP_KERNEL);
	if (!skb) {
		dev_core_stats_rx_dropped_inc(dev);
		return;
	}
	skb_reserve(skb, NET_IP_ALIGN);
	skb_put_data(skb, data, len);
	skb_reset_network_header(skb);
	skb_reset_mac_header(skb);

	/*
	 * Reverse path: a client's peer must use its own address; a gateway
	 * (any_source) forwards for whole networks and is not checked.
	 */
	if (proto == SSTP_PPP_IP) {
		const struct iphdr *iph = ip_hdr(skb);

		if (!s->has_ip4 || len < sizeof(*iph) || iph->version != 4 ||
		    iph->ihl < 5)
			goto invalid;
		tot = ntohs(iph->tot_len);
		if (tot < iph->ihl * 4 || tot > len)
			goto invalid;
		if (!s->any_source && iph->saddr != s->ip4)
			goto rpf;
		skb->protocol = htons(ETH_P_IP);
	} else {
		const struct ipv6hdr *ip6h = ipv6_hdr(skb);

		if (!s->has_ip6 || len < sizeof(*ip6h) || ip6h->version != 6)
			goto invalid;
		tot = sizeof(*ip6h) + ntohs(ip6h->payload_len);
		if (tot > len)
			goto invalid;
		if (!s->any_source && !ipv6_addr_equal(&ip6h->saddr, &s->ip6))
			goto rpf;
		skb->protocol = htons(ETH_P_IPV6);
	}
	__skb_trim(skb, tot);
	skb->pkt_type = PACKET_HOST;
	/*
	 * TLS only proves the packet came from the peer unchanged, not that
	 * the peer built it right: its TCP, UDP and ICMP checksums were never
	 * verified, so the stack must check them (as ovpn does) and count bad
	 * ones in InCsumErrors instead of delivering the data.
	 */
	skb->ip_summed = CHECKSUM_NONE;
	atomic64_inc(&s->stats.rx_packets);
	atomic64_add(tot, &s->stats.rx_bytes);
	__skb_queue_tail(&s->rx_list, skb);
	if (skb_queue_len(&s->rx_list) >= SSTP_RX_BATCH)
		rx_deliver(s);
	return;

invalid:
	atomic64_inc(&s->stats.rx_drop_invalid);
	kfree_skb(skb);
	return;
rpf:
	net_dbg_ratelimited("%s: session %u: packet from a foreign source dropped\n",
			    dev->name, s->id);
	atomic64_inc(&s->stats.rx_drop_rpf);
	kfree_skb(skb);
}

static void rx_echo(struct sstp_session *s)
{
	struct sk_buff *skb;

	skb = alloc_skb(SSTP_ECHO_LEN, GFP_KERNEL);
	if (!skb)
		return;
	sstp_echo_response_put(skb_put(skb, SSTP_ECHO_LEN));
	sstp_tx_queue_raw(s, skb, SSTP_TX_ECHO);
}

/*
 * A frame for the gateway, within a token bucket. A peer that goes on
 * sending far beyond it is cut off instead of costing CPU for ever.
 */
static int rx_to_gateway(struct sstp_session *s, const u8 *pkt,
			 unsigned int len)
{
	unsigned long secs = (jiffies - s->ctrl_stamp) / HZ;

	if (secs) {
		s->ctrl_tokens = min_t(unsigned long, SSTP_CTRL_BURST,
				       s->ctrl_tokens + secs * SSTP_CTRL_RATE);
		s->ctrl_stamp += secs * HZ;
		s->ctrl_dropped = 0;
	}
	if (!s->ctrl_tokens) {
		atomic64_inc(&s->stats.rx_drop_ctrl);
		if (++s->ctrl_dropped >= SSTP_CTRL_FLOOD) {
			s->rx_reason = SSTP_DEL_REASON_CTRL_FLOOD;
			return -EDQUOT;
		}
		return 0;
	}
	s->ctrl_tokens--;
	if (sstp_nl_session_recv_ntf(s, pkt, len))
		atomic64_inc(&s->stats.rx_drop_ctrl);
	else
		atomic64_inc(&s->stats.rx_ctrl_packets);
	return 0;
}

/* One whole SSTP packet from the de-framer. */
static int rx_packet(void *ctx, const u8 *pkt, unsigned int len)
{
	struct sstp_session *s = ctx;
	u16 proto;
	int hlen;

	if (pkt[1] & SSTP_FLAG_CONTROL) {
		if (sstp_is_echo_request(pkt, len)) {
			rx_echo(s);
			return 0;
		}
		return rx_to_gateway(s, pkt, len);
	}
	hlen = sstp_ppp_parse(pkt + SSTP_HDR_LEN, len - SSTP_HDR_LEN, &proto);
	if (hlen < 0) {
		atomic64_inc(&s->stats.rx_drop_invalid);
		return 0;
	}
	if (proto == SSTP_PPP_IP || proto == SSTP_PPP_IPV6) {
		hlen += SSTP_HDR_LEN;
		rx_ip(s, pkt + hlen, len - hlen, proto);
		return 0;
	}
	return rx_to_gateway(s, pkt, len);
}

/* Plaintext from the stream; a negative return ends the session. */
static int rx_feed(struct sstp_session *s, const u8 *data, size_t len)
{
	int err;

	err = sstp_deframe(&s->deframer, data, len, rx_packet, s);
	if (err == -EPROTO) {
		net_dbg_ratelimited("%s: session %u: malformed SSTP stream\n",
				    s->dev->name, s->id);
		s->rx_reason = SSTP_DEL_REASON_PROTOCOL_ERROR;
	}
	rx_deliver(s);
	return err;
}

/* A read returned 0: the end of the stream, or an empty TLS record. */
static bool rx_eof(struct sstp_session *s)
{
	return READ_ONCE(s->sock->sk->sk_shutdown) & RCV_SHUTDOWN;
}

static int read_error_reason(int err)
{
	switch (err) {
	case -EBADMSG:		/* authentication failed */
	case -EMSGSIZE:		/* record too long */
	case -EINVAL:		/* bad record header */
	case -EIO:
	case -EKEYEXPIRED:	/* TLS 1.3 key update */
		return SSTP_DEL_REASON_TLS_ERROR;
	}
	return SSTP_DEL_REASON_TRANSPORT_ERROR;
}

/*
 * Bytes read (0 for an empty record), -EAGAIN, or another error with
 * rx_reason set. Where read_sock does the reading this only takes the
 * records it cannot (not data, or empty) into a small buffer of its own.
 */
static int rx_recvmsg(struct sstp_session *s)
{
	union {
		struct cmsghdr hdr;
		u8 buf[CMSG_SPACE(sizeof(u8))];
	} cmsg;
	struct msghdr msg = {
		.msg_control = &cmsg,
		.msg_controllen = sizeof(cmsg),
	};
	u8 small[64];
	struct kvec iov = {
		.iov_base = s->rx_buf ? s->rx_buf : small,
		.iov_len = s->rx_buf ? SSTP_RX_BUF : sizeof(small),
	};
	u8 *data = iov.iov_base;
	u8 type = TLS_CT_DATA;
	int ret, err;

	ret = kernel_recvmsg(s->sock, &msg, &iov, 1, iov.iov_len, MSG_DONTWAIT);
	if (ret == -EAGAIN)
		return ret;
	if (ret < 0) {
		s->rx_reason = read_error_reason(ret);
		return ret;
	}
	if (!ret) {
		if (!rx_eof(s))
			return 0;
		s->rx_reason = SSTP_DEL_REASON_PEER_CLOSED;
		return -ESHUTDOWN;
	}
	/* MSG_CTRUNC is set on data reads too; the length tells. */
	if (msg.msg_controllen < sizeof(cmsg) &&
	    cmsg.hdr.cmsg_level == SOL_TLS &&
	    cmsg.hdr.cmsg_type == TLS_GET_RECORD_TYPE)
		type = *(u8 *)CMSG_DATA(&cmsg.hdr);
	if (type != TLS_CT_DATA) {
		if (type == TLS_CT_ALERT && ret >= 2 &&
		    data[1] == TLS_ALERT_CLOSE_NOTIFY)
			s->rx_reason = SSTP_DEL_REASON_PEER_CLOSED;
		else
			s->rx_reason = SSTP_DEL_REASON_TLS_ERROR;
		return -ESHUTDOWN;
	}
	err = rx_feed(s, data, ret);
	return err ? err : ret;
}

static int rx_actor(read_descriptor_t *desc, struct sk_buff *skb,
		    unsigned int offset, size_t len)
{
	struct sstp_session *s = desc->arg.data;
	struct skb_seq_state seq;
	unsigned int consumed = 0, n;
	const u8 *data;
	int err;

	skb_prepare_seq_read(skb, offset, offset + len, &seq);
	while ((n = skb_seq_read(consumed, &data, &seq))) {
		/* A block can reach past the end asked for. */
		n = min_t(size_t, n, len - consumed);
		err = sstp_deframe(&s->deframer, data, n, rx_packet, s);
		if (err) {
			skb_abort_seq_read(&seq);
			if (err == -EPROTO)
				s->rx_reason = SSTP_DEL_REASON_PROTOCOL_ERROR;
			s->rx_err = err;
			desc->count = 0;
			/* Claim it all: the session ends, nothing is reread. */
			return len;
		}
		consumed += n;
		if (consumed == len) {
			skb_abort_seq_read(&seq);
			break;
		}
	}
	desc->count = desc->count > len ? desc->count - len : 0;
	return len;
}

/*
 * Same results as rx_recvmsg(), and -EINVAL when the next record is one
 * for rx_recvmsg(): not data, or empty.
 */
static int rx_read_sock(struct sstp_session *s)
{
	read_descriptor_t desc = {
		.arg.data = s,
		.count = SSTP_RX_READ_SOCK,
	};
	struct socket *sock = s->sock;
	int ret;

	s->rx_err = 0;
	lock_sock(sock->sk);
	ret = sock->ops->read_sock(sock->sk, &desc, rx_actor);
	release_sock(sock->sk);
	rx_deliver(s);
	if (s->rx_err)
		return s->rx_err;
	if (ret == -EAGAIN || ret == -EINVAL)
		return ret;
	if (ret < 0) {
		s->rx_reason = read_error_reason(ret);
		return ret;
	}
	if (!ret) {
		/* read_sock cannot take an empty record; recvmsg can. */
		if (!rx_eof(s))
			return -EINVAL;
		s->rx_reason = SSTP_DEL_REASON_PEER_CLOSED;
		return -ESHUTDOWN;
	}
	return ret;
}

/**
 * sstp_rx_work() - Read what the peer sent and dispatch it.
 * @work: the session's rx_work
 *
 * IPv4 and IPv6 packets go to the device, echo requests are answered,
 * everything else goes to the gateway. End of stream, socket errors, TLS
 * alerts and malformed input end the session.
 */
void sstp_rx_work(struct work_struct *work)
{
	struct sstp_session *s = container_of(work, struct sstp_session,
					      rx_work);
	unsigned int i;
	int ret = 0;

	if (READ_ONCE(s->state) != SSTP_SESSION_LIVE)
		return;

	if (s->rx_backlog) {
		ret = rx_feed(s, s->rx_backlog, s->rx_backlog_len);
		kvfree(s->rx_backlog);
		s->rx_backlog = NULL;
		if (ret < 0)
			goto kill;
	}

	for (i = 0; i < SSTP_RX_READS; i++) {
		if (s->use_read_sock) {
			ret = rx_read_sock(s);
			if (ret == -EINVAL)
				ret = rx_recvmsg(s);
		} else {
			ret = rx_recvmsg(s);
		}
		if (ret == -EAGAIN)
			return;
		if (ret < 0)
			goto kill;
		if (READ_ONCE(s->state) != SSTP_SESSION_LIVE)
			return;
	}
	queue_work(sstp_wq, &s->rx_work);
	return;

kill:
	sstp_session_kill(s, s->rx_reason ? s->rx_reason :
			  SSTP_DEL_REASON_TRANSPORT_ERROR);
}
