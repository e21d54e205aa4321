/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel data path: talking to sstp.ko over its generic netlink family
 * (include/netlink/sstp.yaml) with libmnl. One socket per process owns the
 * sessions it creates; it also receives their notifications, which are
 * queued while a request waits for its answer and delivered by
 * sstpnl_process() from the event loop.
 */
#ifndef _SSTP_SSTPNL_H
#define _SSTP_SSTPNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <net/if.h>

/* Counters of one session as the module reports them. */
struct sstpnl_stats {
	uint32_t id;
	uint32_t reason;		/* enum sstp_del_reason, 0 while live */
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_ctrl_packets, tx_ctrl_packets, echo_packets;
	uint64_t rx_drop_rpf, rx_drop_invalid, rx_drop_ctrl;
	uint64_t tx_drop_queue, tx_drop_invalid;
};

struct sstpnl_ops {
	/* A frame for userspace: one whole SSTP packet (header included). */
	void (*recv)(void *ctx, uint32_t id, const uint8_t *pkt, size_t len);
	/* The module ended a session (not sent for sstpnl_session_del's own). */
	void (*del)(void *ctx, const struct sstpnl_stats *st);
};

struct sstpnl_ntf;

struct sstpnl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t portid, seq;
	int ifindex;			/* 0: no device */
	char ifname[IF_NAMESIZE];
	const struct sstpnl_ops *ops;
	void *ctx;
	struct sstpnl_ntf *head, *tail;	/* notifications not yet delivered */
	bool overrun;			/* the socket dropped notifications */
	bool replaced;			/* a stale device of the name was deleted */
	uint32_t max_sessions;		/* the device's session limit, 0: the
					 * module's default; set after sstpnl_open */
};

/*
 * Find the family (asking the kernel to load sstp.ko) and open the owner
 * socket. 0, or -errno with err saying what is missing.
 */
int sstpnl_open(struct sstpnl *k, const struct sstpnl_ops *ops, void *ctx,
	      char *err, size_t errlen);
/* Deletes the device if this process created it, closes the socket. */
void sstpnl_close(struct sstpnl *k);
/* The socket, for the event loop (EPOLLIN: call sstpnl_process). */
int sstpnl_fd(const struct sstpnl *k);

/*
 * Create the sstp device (name may hold a %d pattern), replacing a stale
 * sstp device of the same name; set its MTU and bring it up. 0 or -errno
 * with err set.
 */
int sstpnl_dev_create(struct sstpnl *k, const char *name, unsigned int mtu,
		    char *err, size_t errlen);
int sstpnl_dev_delete(struct sstpnl *k);

struct sstpnl_session_opts {
	int fd;				/* the kernel TLS socket */
	uint32_t id;			/* wanted id, 0: the module picks */
	uint32_t ipv4;			/* host order */
	uint32_t ppp_flags;		/* SSTP_PPP_FLAGS_* */
	bool any_source;		/* the peer is a gateway */
	bool coalesce;			/* the peer takes many packets a record */
	const uint8_t *backlog;		/* bytes already read from the stream */
	size_t backlog_len;
};

/* Attach a session. 0 with *id set, or -errno with err set. */
int sstpnl_session_new(struct sstpnl *k, const struct sstpnl_session_opts *o,
		     uint32_t *id, char *err, size_t errlen);
/* Delete (the module first sends what is queued). 0 or -errno. */
int sstpnl_session_del(struct sstpnl *k, uint32_t id);
/* Queue one whole SSTP packet. 0, -ENOBUFS when the queue is full, -errno. */
int sstpnl_session_send(struct sstpnl *k, uint32_t id, const uint8_t *pkt,
		      size_t len);
/*
 * Queue the whole SSTP packets in buf[*head..tail) one by one, advancing
 * *head. 0 when all went or the module's queue is full (try again later),
 * -errno when the session is gone.
 */
int sstpnl_send_queue(struct sstpnl *k, uint32_t id, const uint8_t *buf,
		    size_t *head, size_t tail);
/* Every session of the device. 0 or -errno. cb must not call kmod_*. */
int sstpnl_session_dump(struct sstpnl *k,
		      void (*cb)(void *arg, const struct sstpnl_stats *st),
		      void *arg);

/*
 * Deliver queued notifications and read the socket until it would block.
 * Returns 0, or -ENOBUFS once when notifications were lost (the caller
 * should reconcile with sstpnl_session_dump), or another -errno.
 */
int sstpnl_process(struct sstpnl *k);
static inline bool sstpnl_pending(const struct sstpnl *k)
{
	return k->head != NULL;
}

/* A notification, parsed (pointers into the message). */
struct sstpnl_ntf_msg {
	uint8_t cmd;			/* SSTP_CMD_SESSION_{RECV,DEL}_NTF */
	uint32_t ifindex;
	struct sstpnl_stats st;		/* id, and for del: reason, counters */
	const uint8_t *pkt;		/* recv: one whole SSTP packet */
	size_t pkt_len;
};

/*
 * Parse one netlink message of the family as a notification. 0, -EINVAL
 * (malformed: no ifindex or session id, an SSTP packet whose length field
 * disagrees), or -EOPNOTSUPP (another command).
 */
int sstpnl_parse_ntf(const void *msg, size_t len, struct sstpnl_ntf_msg *out);

/* "peer closed" etc. for enum sstp_del_reason. */
const char *sstpnl_reason_name(uint32_t reason);

/*
 * The whole API, for programs that drive the family beyond what the
 * gateway needs (the module's test tool). A request of the family with
 * NLM_F_REQUEST | NLM_F_ACK | flags, for the caller to add attributes to
 * with libmnl; buf must hold the whole message.
 */
struct nlmsghdr;
struct nlmsghdr *sstpnl_msg_start(struct sstpnl *k, void *buf, uint8_t cmd,
				  uint16_t flags);
/*
 * Send it and give each reply to cb (a negative return makes the request
 * fail with -EPROTO). 0, or -errno from the ACK or from the NLMSG_DONE a
 * dump ends with; the kernel's extended-ack message (or "") in ext.
 * Notifications that arrive meanwhile are kept for sstpnl_ntf_poll.
 */
int sstpnl_request(struct sstpnl *k, struct nlmsghdr *nlh,
		   int (*cb)(const struct nlmsghdr *m, void *data), void *data,
		   char *ext, size_t extlen);
/*
 * Every message of the family that came outside a request, of any device,
 * raw: those kept during requests, then what arrives within ms (-1: wait
 * for one; 0: what is there) and up to the point the socket would block.
 * The number handed to cb, or -errno. Lost ones set k->overrun.
 */
int sstpnl_ntf_poll(struct sstpnl *k, int ms,
		    void (*cb)(void *arg, const struct nlmsghdr *m), void *arg);

#endif
