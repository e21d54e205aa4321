/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_SESSION_H
#define _SSTP_SESSION_H

#include <linux/atomic.h>
#include <linux/in6.h>
#include <linux/kref.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>
#include <uapi/linux/sstp.h>

#include "proto.h"

struct sstp_dev;

/* Bytes read from the socket per receive call. */
#define SSTP_RX_BUF		8192
/* Bytes of SSTP packets packed into one send; one TLS record's worth. */
#define SSTP_TX_BUF		16384
/* Packets waiting for the transmit work, and extra room for the gateway's. */
#define SSTP_TXQ_LEN		512
#define SSTP_TXQ_CTRL_EXTRA	64

enum sstp_session_state {
	SSTP_SESSION_NEW,	/* being set up; not in the tables */
	SSTP_SESSION_LIVE,	/* in the tables, carrying traffic */
	SSTP_SESSION_DEAD,	/* out of the tables, being torn down */
};

struct sstp_stats {
	atomic64_t rx_packets;
	atomic64_t rx_bytes;
	atomic64_t tx_packets;
	atomic64_t tx_bytes;
	atomic64_t rx_ctrl_packets;
	atomic64_t tx_ctrl_packets;
	atomic64_t echo_packets;
	atomic64_t rx_drop_rpf;
	atomic64_t rx_drop_invalid;
	atomic64_t rx_drop_ctrl;
	atomic64_t tx_drop_queue;
	atomic64_t tx_drop_invalid;
};

/**
 * struct sstp_session - one SSTP connection carried by the kernel
 * @sd: device the session belongs to
 * @dev: its net_device (a reference is held)
 * @dev_tracker: tracker of that reference
 * @id: identifier, unique within @sd
 * @owner: netlink portid of the socket that created the session
 * @ppp_flags: SSTP_PPP_FLAGS_* for frames sent
 * @coalesce: several SSTP packets may share a TLS record
 * @any_source: the peer is a gateway; its packets may come from any source
 * @has_ip4: @ip4 is set
 * @has_ip6: @ip6 is set
 * @ip4: the peer's IPv4 address (a gateway's inner one with @any_source)
 * @ip6: the peer's IPv6 address (a gateway's inner one with @any_source)
 * @node_id: entry in @sd->by_id
 * @node_ip4: entry in @sd->by_ip4
 * @node_ip6: entry in @sd->by_ip6
 * @node: entry in @sd->sessions
 * @refcount: references; the tables hold one until the session is released
 * @rcu: frees the session after readers of the tables are done
 * @state: enum sstp_session_state
 * @counted: counted in the device's n_sessions until released
 * @reason: why the session ended (enum sstp_del_reason), once DEAD
 * @sock: the kernel TLS socket (a file reference is held)
 * @saved_data_ready: socket callback replaced while attached
 * @saved_write_space: socket callback replaced while attached
 * @saved_state_change: socket callback replaced while attached
 * @rx_work: reads and dispatches what the peer sent
 * @tx_work: writes the transmit queue to the socket
 * @del_work: tears the session down when that cannot happen in place
 * @use_read_sock: the socket's read_sock is kernel TLS's own (receive path)
 * @rx_err: error found while de-framing inside read_sock
 * @rx_reason: delete reason that goes with @rx_err
 * @rx_buf: receive buffer (SSTP_RX_BUF bytes) when reading with recvmsg
 * @rx_backlog: bytes handed over by the gateway, processed first
 * @rx_backlog_len: their number
 * @rx_list: IP packets de-framed and not yet passed to the device
 * @ctrl_stamp: jiffies of the last notification token refill
 * @ctrl_tokens: notifications that may be sent right now
 * @ctrl_dropped: frames dropped by the rate limit in the current second
 * @deframer: partial SSTP packet between reads
 * @txq: packets to send; its lock also guards @tx_closed
 * @tx_closed: nothing may be queued any more
 * @tx_buf: packed SSTP packets being written (SSTP_TX_BUF bytes)
 * @tx_len: bytes in @tx_buf
 * @tx_off: bytes of @tx_buf already written
 * @tx_end: end of the record being written (@tx_len when coalescing)
 * @stats: counters reported in session-get
 */
struct sstp_session {
	struct sstp_dev *sd;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	u32 id;
	u32 owner;
	u32 ppp_flags;
	bool coalesce;
	bool any_source;
	bool has_ip4;
	bool has_ip6;
	__be32 ip4;
	struct in6_addr ip6;

	struct hlist_node node_id;
	struct hlist_node node_ip4;
	struct hlist_node node_ip6;
	struct list_head node;
	struct kref refcount;
	struct rcu_head rcu;
	int state;
	bool counted;
	int reason;

	struct socket *sock;
	void (*saved_data_ready)(struct sock *sk);
	void (*saved_write_space)(struct sock *sk);
	void (*saved_state_change)(struct sock *sk);

	struct work_struct rx_work;
	struct work_struct tx_work;
	struct work_struct del_work;

	bool use_read_sock;
	int rx_err;
	int rx_reason;
	u8 *rx_buf;
	u8 *rx_backlog;
	unsigned int rx_backlog_len;
	struct sk_buff_head rx_list;
	unsigned long ctrl_stamp;
	unsigned int ctrl_tokens;
	unsigned int ctrl_dropped;
	struct sstp_deframer deframer;

	struct sk_buff_head txq;
	bool tx_closed;
	u8 *tx_buf;
	unsigned int tx_len;
	unsigned int tx_off;
	unsigned int tx_end;

	struct sstp_stats stats;
};

struct sstp_session *sstp_session_alloc(struct sstp_dev *sd, u32 owner);
int sstp_session_add(struct sstp_session *s, u32 id,
		     struct netlink_ext_ack *extack);
void sstp_session_discard(struct sstp_session *s);
void sstp_session_kill(struct sstp_session *s, enum sstp_del_reason reason);
void sstp_session_delete(struct sstp_session *s, enum sstp_del_reason reason);
void sstp_session_put(struct sstp_session *s);

struct sstp_session *sstp_session_get_by_id(struct sstp_dev *sd, u32 id);
struct sstp_session *sstp_session_by_ip4(struct sstp_dev *sd, __be32 addr);
struct sstp_session *sstp_session_by_ip6(struct sstp_dev *sd,
					 const struct in6_addr *addr);

void sstp_dev_flush_sessions(struct sstp_dev *sd);
void sstp_sessions_kill_owner(struct net *net, u32 portid);

#ifdef SSTP_DEBUG
extern atomic_t sstp_debug_sessions;
#endif

#endif /* _SSTP_SESSION_H */
