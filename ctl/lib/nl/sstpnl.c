// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sstp.h>
#include <linux/sstp_proto.h>

#include "net/netcfg.h"
#include "sstpnl.h"

#define KMOD_BUF	65536
#define KMOD_RCVBUF	(4 << 20)

struct sstpnl_ntf {
	struct sstpnl_ntf *next;
	size_t len;
	uint8_t msg[];
};

/*
 * One for requests, one for reading notifications: they may nest. Per
 * thread: the library may be used from several.
 */
static _Thread_local uint8_t req_buf[KMOD_BUF], ntf_buf[KMOD_BUF];
static _Thread_local char ack_msg[256];

int sstpnl_fd(const struct sstpnl *k)
{
	return mnl_socket_get_fd(k->nl);
}

static struct nlmsghdr *put_req(struct sstpnl *k, void *buf, uint16_t type,
				uint8_t cmd, uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++k->seq ? k->seq : ++k->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

static void queue_ntf(struct sstpnl *k, const struct nlmsghdr *m)
{
	struct sstpnl_ntf *n;

	if (m->nlmsg_type != k->family)
		return;
	n = malloc(sizeof(*n) + m->nlmsg_len);
	if (!n) {
		k->overrun = true;	/* lost, like a full socket */
		return;
	}
	n->next = NULL;
	n->len = m->nlmsg_len;
	memcpy(n->msg, m, m->nlmsg_len);
	if (k->tail)
		k->tail->next = n;
	else
		k->head = n;
	k->tail = n;
}

/* The extended-ack message of an error, if any, into ack_msg. */
static void get_ack_msg(const struct nlmsghdr *m)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
	size_t off = sizeof(*e);
	const struct nlattr *a;
	int left;

	ack_msg[0] = '\0';
	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(m->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	if (mnl_nlmsg_get_payload_len(m) <= off)
		return;
	a = (const void *)((const char *)e + off);
	left = (int)(mnl_nlmsg_get_payload_len(m) - off);
	for (; mnl_attr_ok(a, left); left -= (int)MNL_ALIGN(a->nla_len),
				     a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(ack_msg, sizeof(ack_msg), "%s",
				 mnl_attr_get_str(a));
	}
}

static void get_done_msg(const struct nlmsghdr *m);

/*
 * Send a request and wait for its end (ACK, error or end of dump), giving
 * each reply message to cb; notifications that arrive meanwhile are queued.
 * done_err: also report the error a dump ends with (in NLMSG_DONE); the
 * gateway's own requests do not look at it.
 */
static int exchange(struct sstpnl *k, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data, bool done_err)
{
	uint32_t seq = nlh->nlmsg_seq;
	int fd = sstpnl_fd(k), ret = 0;
	bool done = false;

	ack_msg[0] = '\0';
	if (mnl_socket_sendto(k->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while (!done) {
		ssize_t n = recv(fd, req_buf, sizeof(req_buf), 0);
		const struct nlmsghdr *m = (const void *)req_buf;
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				k->overrun = true;
				continue;
			}
			return -errno;
		}
		left = (int)n;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || m->nlmsg_pid != k->portid) {
				queue_ntf(k, m);
				continue;
			}
			if (done)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e =
					mnl_nlmsg_get_payload(m);

				done = true;
				if (e->error) {
					ret = e->error;
					get_ack_msg(m);
				}
				continue;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				done = true;
				if (done_err &&
				    mnl_nlmsg_get_payload_len(m) >= sizeof(err))
					memcpy(&err, mnl_nlmsg_get_payload(m),
					       sizeof(err));
				if (err) {
					ret = err;
					get_done_msg(m);
				}
				continue;
			}
			if (cb && cb(m, data) < 0)
				ret = -EPROTO;
		}
	}
	return ret;
}

static int talk(struct sstpnl *k, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	return exchange(k, nlh, cb, data, false);
}

static void set_err(char *err, size_t errlen, const char *what, int ret)
{
	if (!err)
		return;
	if (ack_msg[0])
		snprintf(err, errlen, "%s: %s (%s)", what, ack_msg,
			 strerror(-ret));
	else
		snprintf(err, errlen, "%s: %s", what, strerror(-ret));
}

static int family_cb(const struct nlmsghdr *m, void *data)
{
	const struct nlattr *a;
	uint16_t *id = data;

	mnl_attr_for_each(a, m, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
			*id = mnl_attr_get_u16(a);
	}
	return MNL_CB_OK;
}

int sstpnl_open(struct sstpnl *k, const struct sstpnl_ops *ops, void *ctx,
	      char *err, size_t errlen)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int one = 1, size = KMOD_RCVBUF, ret;
	uint16_t id = 0;

	memset(k, 0, sizeof(*k));
	k->ops = ops;
	k->ctx = ctx;
	k->nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!k->nl) {
		set_err(err, errlen, "generic netlink socket", -errno);
		return -errno;
	}
	if (mnl_socket_bind(k->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		set_err(err, errlen, "generic netlink bind", ret);
		goto fail;
	}
	k->portid = mnl_socket_get_portid(k->nl);
	mnl_socket_setsockopt(k->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(k->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(sstpnl_fd(k), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)))
		setsockopt(sstpnl_fd(k), SOL_SOCKET, SO_RCVBUF, &size,
			   sizeof(size));
	/* The kernel loads sstp.ko for an unknown family name if it can. */
	nlh = put_req(k, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, SSTP_FAMILY_NAME);
	ret = talk(k, nlh, family_cb, &id);
	if (ret || !id) {
		ret = ret ? ret : -ENOENT;
		if (err)
			snprintf(err, errlen, ret == -ENOENT ?
				 "the sstp kernel module is not loaded and could not be loaded (modprobe sstp)" :
				 "cannot look up the sstp netlink family: %s",
				 strerror(-ret));
		goto fail;
	}
	k->family = id;
	return 0;
fail:
	mnl_socket_close(k->nl);
	k->nl = NULL;
	return ret;
}

static struct nlmsghdr *dev_req(struct sstpnl *k, void *buf, uint8_t cmd,
				uint16_t flags)
{
	return put_req(k, buf, k->family, cmd, SSTP_FAMILY_VERSION, flags);
}

struct dev_reply {
	int ifindex;
	char ifname[IF_NAMESIZE];
};

static int dev_cb(const struct nlmsghdr *m, void *data)
{
	struct dev_reply *r = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, m, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case SSTP_A_IFINDEX:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				r->ifindex = (int)mnl_attr_get_u32(a);
			break;
		case SSTP_A_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
				snprintf(r->ifname, sizeof(r->ifname), "%s",
					 mnl_attr_get_str(a));
			break;
		}
	}
	return MNL_CB_OK;
}

static int dev_del_index(struct sstpnl *k, int ifindex)
{
	char buf[256];
	struct nlmsghdr *nlh = dev_req(k, buf, SSTP_CMD_DEV_DEL, 0);

	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, (uint32_t)ifindex);
	return talk(k, nlh, NULL, NULL);
}

int sstpnl_dev_create(struct sstpnl *k, const char *name, unsigned int mtu,
		    char *err, size_t errlen)
{
	struct dev_reply r = { 0 };
	struct nlmsghdr *nlh;
	char buf[256];
	int ret, tries;

	for (tries = 0; tries < 2; tries++) {
		nlh = dev_req(k, buf, SSTP_CMD_DEV_NEW, 0);
		mnl_attr_put_strz(nlh, SSTP_A_IFNAME, name);
		if (k->max_sessions)
			mnl_attr_put_u32(nlh, SSTP_A_MAX_SESSIONS,
					 k->max_sessions);
		ret = talk(k, nlh, dev_cb, &r);
		if (ret != -EEXIST || tries)
			break;
		/* Left over from a gateway that did not exit cleanly? */
		nlh = dev_req(k, buf, SSTP_CMD_DEV_GET, 0);
		mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, if_nametoindex(name));
		memset(&r, 0, sizeof(r));
		if (talk(k, nlh, dev_cb, &r) || !r.ifindex) {
			if (err)
				snprintf(err, errlen,
					 "interface %s exists and is not an sstp device",
					 name);
			return -EEXIST;
		}
		ret = dev_del_index(k, r.ifindex);
		if (ret) {
			set_err(err, errlen, "cannot remove the stale sstp device",
				ret);
			return ret;
		}
		k->replaced = true;
		memset(&r, 0, sizeof(r));
	}
	if (ret || !r.ifindex) {
		set_err(err, errlen, "cannot create the sstp device",
			ret ? ret : -EPROTO);
		return ret ? ret : -EPROTO;
	}
	k->ifindex = r.ifindex;
	snprintf(k->ifname, sizeof(k->ifname), "%s", r.ifname[0] ? r.ifname :
		 name);
	ret = netcfg_link_up(k->ifname, mtu);
	if (ret) {
		if (err)
			snprintf(err, errlen, "cannot bring %s up: %s",
				 k->ifname, strerror(-ret));
		sstpnl_dev_delete(k);
		return ret;
	}
	return 0;
}

int sstpnl_dev_delete(struct sstpnl *k)
{
	int ret;

	if (!k->nl || !k->ifindex)
		return 0;
	ret = dev_del_index(k, k->ifindex);
	k->ifindex = 0;
	return ret;
}

void sstpnl_close(struct sstpnl *k)
{
	struct sstpnl_ntf *n;

	if (k->nl) {
		sstpnl_dev_delete(k);
		mnl_socket_close(k->nl);
		k->nl = NULL;
	}
	while ((n = k->head)) {
		k->head = n->next;
		free(n);
	}
	k->tail = NULL;
}

static struct nlattr *session_start(struct sstpnl *k, void *buf, uint8_t cmd,
				    uint32_t id, struct nlmsghdr **nlh)
{
	struct nlattr *nest;

	*nlh = dev_req(k, buf, cmd, 0);
	mnl_attr_put_u32(*nlh, SSTP_A_IFINDEX, (uint32_t)k->ifindex);
	nest = mnl_attr_nest_start(*nlh, SSTP_A_SESSION);
	if (id)
		mnl_attr_put_u32(*nlh, SSTP_A_SESSION_ID, id);
	return nest;
}

static int parse_stats(const struct nlattr *nest, struct sstpnl_stats *st,
		       const uint8_t **pkt, size_t *pkt_len)
{
	const struct nlattr *a;

	memset(st, 0, sizeof(*st));
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);
		uint16_t len = mnl_attr_get_payload_len(a);
		uint64_t v = 0;
		uint64_t *ctr = NULL;

		if (t == SSTP_A_SESSION_PACKET) {
			if (pkt) {
				*pkt = mnl_attr_get_payload(a);
				*pkt_len = len;
			}
			continue;
		}
		if (len == 4)
			v = mnl_attr_get_u32(a);
		else if (len == 8)
			v = mnl_attr_get_u64(a);
		else
			continue;
		switch (t) {
		case SSTP_A_SESSION_ID:
			st->id = (uint32_t)v;
			continue;
		case SSTP_A_SESSION_DEL_REASON:
			st->reason = (uint32_t)v;
			continue;
		case SSTP_A_SESSION_RX_PACKETS: ctr = &st->rx_packets; break;
		case SSTP_A_SESSION_RX_BYTES: ctr = &st->rx_bytes; break;
		case SSTP_A_SESSION_TX_PACKETS: ctr = &st->tx_packets; break;
		case SSTP_A_SESSION_TX_BYTES: ctr = &st->tx_bytes; break;
		case SSTP_A_SESSION_RX_CTRL_PACKETS:
			ctr = &st->rx_ctrl_packets;
			break;
		case SSTP_A_SESSION_TX_CTRL_PACKETS:
			ctr = &st->tx_ctrl_packets;
			break;
		case SSTP_A_SESSION_ECHO_PACKETS: ctr = &st->echo_packets; break;
		case SSTP_A_SESSION_RX_DROP_RPF: ctr = &st->rx_drop_rpf; break;
		case SSTP_A_SESSION_RX_DROP_INVALID:
			ctr = &st->rx_drop_invalid;
			break;
		case SSTP_A_SESSION_RX_DROP_CTRL: ctr = &st->rx_drop_ctrl; break;
		case SSTP_A_SESSION_TX_DROP_QUEUE:
			ctr = &st->tx_drop_queue;
			break;
		case SSTP_A_SESSION_TX_DROP_INVALID:
			ctr = &st->tx_drop_invalid;
			break;
		default:
			continue;
		}
		*ctr = v;
	}
	return st->id ? 0 : -EPROTO;
}

/*
 * The ifindex and session nest of a message from the family. The walk ends
 * at nlmsg_len itself: mnl_attr_for_each would go on to its 4-byte aligned
 * end, letting the last attribute run up to 3 bytes past the message.
 */
static const struct nlattr *msg_session(const struct nlmsghdr *m,
					uint32_t *ifindex)
{
	const uint32_t hdr = MNL_NLMSG_HDRLEN +
			     MNL_ALIGN(sizeof(struct genlmsghdr));
	const struct nlattr *a, *nest = NULL;
	int left;

	*ifindex = 0;
	if (m->nlmsg_len < hdr || m->nlmsg_len > INT32_MAX)
		return NULL;
	a = mnl_nlmsg_get_payload_offset(m, sizeof(struct genlmsghdr));
	left = (int)(m->nlmsg_len - hdr);
	for (; mnl_attr_ok(a, left); left -= (int)MNL_ALIGN(a->nla_len),
				     a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) == SSTP_A_IFINDEX &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*ifindex = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == SSTP_A_SESSION &&
			 mnl_attr_validate(a, MNL_TYPE_NESTED) >= 0)
			nest = a;
	}
	return nest;
}

struct new_reply {
	uint32_t id;
};

static int new_cb(const struct nlmsghdr *m, void *data)
{
	struct new_reply *r = data;
	const struct nlattr *nest;
	struct sstpnl_stats st;
	uint32_t ifindex;

	nest = msg_session(m, &ifindex);
	if (nest && !parse_stats(nest, &st, NULL, NULL))
		r->id = st.id;
	return MNL_CB_OK;
}

int sstpnl_session_new(struct sstpnl *k, const struct sstpnl_session_opts *o,
		     uint32_t *id, char *err, size_t errlen)
{
	/* Room for the backlog: one partial SSTP packet, under 4 KiB. */
	static _Thread_local uint8_t buf[8192];
	struct new_reply r = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int ret;

	if (!k->nl || !k->ifindex) {
		set_err(err, errlen, "kernel data path", -ENODEV);
		return -ENODEV;
	}
	if (o->backlog_len > 4096) {
		set_err(err, errlen, "receive backlog", -EMSGSIZE);
		return -EMSGSIZE;
	}
	nest = session_start(k, buf, SSTP_CMD_SESSION_NEW, o->id, &nlh);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_SOCKET, (uint32_t)o->fd);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_IPV4, htonl(o->ipv4));
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_PPP_FLAGS, o->ppp_flags);
	if (o->backlog_len)
		mnl_attr_put(nlh, SSTP_A_SESSION_RX_BACKLOG,
			     o->backlog_len, o->backlog);
	if (o->any_source)
		mnl_attr_put(nlh, SSTP_A_SESSION_ANY_SOURCE, 0, NULL);
	if (o->coalesce)
		mnl_attr_put(nlh, SSTP_A_SESSION_COALESCE, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
	ret = talk(k, nlh, new_cb, &r);
	if (!ret && !r.id)
		ret = -EPROTO;
	if (ret) {
		set_err(err, errlen, "session-new", ret);
		return ret;
	}
	*id = r.id;
	return 0;
}

int sstpnl_session_del(struct sstpnl *k, uint32_t id)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (!k->nl || !k->ifindex)
		return -ENODEV;
	nest = session_start(k, buf, SSTP_CMD_SESSION_DEL, id, &nlh);
	mnl_attr_nest_end(nlh, nest);
	return talk(k, nlh, NULL, NULL);
}

int sstpnl_session_send(struct sstpnl *k, uint32_t id, const uint8_t *pkt,
		      size_t len)
{
	static _Thread_local uint8_t buf[8192];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	if (!k->nl || !k->ifindex)
		return -ENODEV;
	if (len > 4096)
		return -EMSGSIZE;
	nest = session_start(k, buf, SSTP_CMD_SESSION_SEND, id, &nlh);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, len, pkt);
	mnl_attr_nest_end(nlh, nest);
	return talk(k, nlh, NULL, NULL);
}

int sstpnl_send_queue(struct sstpnl *k, uint32_t id, const uint8_t *buf,
		    size_t *head, size_t tail)
{
	while (*head + 4 <= tail) {
		const uint8_t *p = buf + *head;
		size_t len = sstp_len_get(p + 2);
		int ret;

		if (len < 4 || len > tail - *head) {
			*head = tail;	/* not whole packets: cannot happen */
			break;
		}
		ret = sstpnl_session_send(k, id, p, len);
		if (ret == -ENOBUFS)
			return 0;
		if (ret && ret != -EINVAL)
			return ret;
		*head += len;
	}
	return 0;
}

struct dump_ctx {
	void (*cb)(void *arg, const struct sstpnl_stats *st);
	void *arg;
};

static int dump_cb(const struct nlmsghdr *m, void *data)
{
	struct dump_ctx *d = data;
	const struct nlattr *nest;
	struct sstpnl_stats st;
	uint32_t ifindex;

	nest = msg_session(m, &ifindex);
	if (nest && !parse_stats(nest, &st, NULL, NULL))
		d->cb(d->arg, &st);
	return MNL_CB_OK;
}

int sstpnl_session_dump(struct sstpnl *k,
		      void (*cb)(void *arg, const struct sstpnl_stats *st),
		      void *arg)
{
	struct dump_ctx d = { cb, arg };
	char buf[256];
	struct nlmsghdr *nlh;

	if (!k->nl || !k->ifindex)
		return -ENODEV;
	nlh = dev_req(k, buf, SSTP_CMD_SESSION_GET, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, (uint32_t)k->ifindex);
	return talk(k, nlh, dump_cb, &d);
}

int sstpnl_parse_ntf(const void *buf, size_t len, struct sstpnl_ntf_msg *out)
{
	const struct nlmsghdr *m = buf;
	const struct genlmsghdr *g;
	const struct nlattr *nest;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(*m) || m->nlmsg_len < sizeof(*m) ||
	    m->nlmsg_len > len ||
	    mnl_nlmsg_get_payload_len(m) < sizeof(*g))
		return -EINVAL;
	g = mnl_nlmsg_get_payload(m);
	if (g->cmd != SSTP_CMD_SESSION_RECV_NTF &&
	    g->cmd != SSTP_CMD_SESSION_DEL_NTF)
		return -EOPNOTSUPP;
	out->cmd = g->cmd;
	nest = msg_session(m, &out->ifindex);
	if (!nest || !out->ifindex ||
	    parse_stats(nest, &out->st, &out->pkt, &out->pkt_len))
		return -EINVAL;
	if (out->cmd == SSTP_CMD_SESSION_RECV_NTF &&
	    (!out->pkt || out->pkt_len < SSTP_HDR_LEN ||
	     sstp_len_get(out->pkt + 2) != out->pkt_len))
		return -EINVAL;
	return 0;
}

static void deliver(struct sstpnl *k, const struct nlmsghdr *m)
{
	struct sstpnl_ntf_msg n;

	if (sstpnl_parse_ntf(m, m->nlmsg_len, &n) ||
	    (int)n.ifindex != k->ifindex)
		return;
	if (n.cmd == SSTP_CMD_SESSION_RECV_NTF && k->ops->recv)
		k->ops->recv(k->ctx, n.st.id, n.pkt, n.pkt_len);
	else if (n.cmd == SSTP_CMD_SESSION_DEL_NTF && k->ops->del)
		k->ops->del(k->ctx, &n.st);
}

int sstpnl_process(struct sstpnl *k)
{
	int ret = 0;

	if (!k->nl)
		return 0;
	for (;;) {
		struct sstpnl_ntf *n;
		const struct nlmsghdr *m;
		ssize_t got;
		int left;

		while ((n = k->head)) {
			k->head = n->next;
			if (!k->head)
				k->tail = NULL;
			deliver(k, (const struct nlmsghdr *)n->msg);
			free(n);
		}
		got = recv(sstpnl_fd(k), ntf_buf, sizeof(ntf_buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				k->overrun = true;
				continue;
			}
			if (errno != EAGAIN)
				ret = -errno;
			break;
		}
		m = (const void *)ntf_buf;
		left = (int)got;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
			queue_ntf(k, m);
	}
	if (!ret && k->overrun) {
		k->overrun = false;
		ret = -ENOBUFS;
	}
	return ret;
}

const char *sstpnl_reason_name(uint32_t reason)
{
	switch (reason) {
	case SSTP_DEL_REASON_USERSPACE: return "deleted by the gateway";
	case SSTP_DEL_REASON_OWNER_CLOSED: return "owner closed";
	case SSTP_DEL_REASON_DEV_DELETED: return "device deleted";
	case SSTP_DEL_REASON_PEER_CLOSED: return "peer closed";
	case SSTP_DEL_REASON_TRANSPORT_ERROR: return "transport error";
	case SSTP_DEL_REASON_TLS_ERROR: return "TLS error";
	case SSTP_DEL_REASON_PROTOCOL_ERROR: return "protocol error";
	case SSTP_DEL_REASON_CTRL_FLOOD: return "control flood";
	default: return "unknown reason";
	}
}

/* ------------------------------------------------------------ whole API */

/*
 * For programs that drive the whole family (tests/kmod/sstp-kmod-test):
 * requests the gateway never makes, built by the caller, and every
 * notification of the family whatever its device. The exchange is the
 * gateway's, except that the error a dump ends with (in NLMSG_DONE) is
 * reported, as is the extended-ack message of either.
 */
struct nlmsghdr *sstpnl_msg_start(struct sstpnl *k, void *buf, uint8_t cmd,
				  uint16_t flags)
{
	return dev_req(k, buf, cmd, flags);
}

/* The extended-ack message of an NLMSG_DONE, if any, into ack_msg. */
static void get_done_msg(const struct nlmsghdr *m)
{
	const struct nlattr *a;
	int left;

	if (!(m->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    mnl_nlmsg_get_payload_len(m) <= sizeof(int))
		return;
	a = (const void *)((const char *)mnl_nlmsg_get_payload(m) +
			   sizeof(int));
	left = (int)(mnl_nlmsg_get_payload_len(m) - sizeof(int));
	for (; mnl_attr_ok(a, left); left -= (int)MNL_ALIGN(a->nla_len),
				     a = mnl_attr_next(a)) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(ack_msg, sizeof(ack_msg), "%s",
				 mnl_attr_get_str(a));
	}
}

int sstpnl_request(struct sstpnl *k, struct nlmsghdr *nlh,
		   int (*cb)(const struct nlmsghdr *m, void *data), void *data,
		   char *ext, size_t extlen)
{
	int ret = exchange(k, nlh, cb, data, true);

	if (ext && extlen)
		snprintf(ext, extlen, "%s", ack_msg);
	return ret;
}

int sstpnl_ntf_poll(struct sstpnl *k, int ms,
		    void (*cb)(void *arg, const struct nlmsghdr *m), void *arg)
{
	struct pollfd pfd = { .fd = sstpnl_fd(k), .events = POLLIN };
	int count = 0;

	for (;;) {
		struct sstpnl_ntf *n;
		const struct nlmsghdr *m;
		ssize_t got;
		int left;

		while ((n = k->head)) {
			k->head = n->next;
			if (!k->head)
				k->tail = NULL;
			cb(arg, (const struct nlmsghdr *)n->msg);
			free(n);
			count++;
		}
		if (poll(&pfd, 1, ms) <= 0)
			break;
		ms = 0;
		got = recv(pfd.fd, ntf_buf, sizeof(ntf_buf), MSG_DONTWAIT);
		if (got < 0) {
			if (errno == ENOBUFS) {
				k->overrun = true;
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		m = (const void *)ntf_buf;
		left = (int)got;
		for (; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
			queue_ntf(k, m);
	}
	return count;
}
