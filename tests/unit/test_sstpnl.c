// SPDX-License-Identifier: GPL-2.0
/*
 * sstpnl_parse_ntf() on notifications built with libmnl the way sstp.ko builds
 * them (kmod/netlink.c): genetlink header, SSTP_A_IFINDEX, then the
 * SSTP_A_SESSION nest; counters are "uint", 4 bytes when the value fits.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sstp.h>
#include <linux/sstp_proto.h>

#include "nl/sstpnl.h"
#include "proto/sstp.h"

#define FAMILY		0x1d
#define IFINDEX		7
#define SID		0x2a

/* nlmsghdr + genlmsghdr: where the first attribute starts. */
#define ATTRS		(MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr)))

/* Message buffers are 4-byte aligned, like the kernel's. */
struct msgbuf {
	union {
		uint8_t b[8192];
		uint64_t align;
	};
};

static struct nlmsghdr *ntf_start(struct msgbuf *mb, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(mb, 0xee, sizeof(*mb));
	nlh = mnl_nlmsg_put_header(mb->b);
	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = SSTP_FAMILY_VERSION;
	return nlh;
}

/* nla_put_uint: 4 bytes when the value fits, else 8. */
static void put_uint(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	if (v == (uint32_t)v)
		mnl_attr_put_u32(nlh, type, (uint32_t)v);
	else
		mnl_attr_put_u64(nlh, type, v);
}

/* A RECV_NTF as session_recv_ntf() sends it. */
static struct nlmsghdr *build_recv(struct msgbuf *mb, uint32_t ifindex,
				   uint32_t id, const uint8_t *pkt, size_t len)
{
	struct nlmsghdr *nlh = ntf_start(mb, SSTP_CMD_SESSION_RECV_NTF);
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, ifindex);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, id);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, len, pkt);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static const struct {
	uint16_t type;
	size_t off;
	uint64_t val;
} counters[] = {
	{ SSTP_A_SESSION_RX_PACKETS,
	  offsetof(struct sstpnl_stats, rx_packets), 1000 },
	{ SSTP_A_SESSION_RX_BYTES,
	  offsetof(struct sstpnl_stats, rx_bytes), 0x123456789abULL },
	{ SSTP_A_SESSION_TX_PACKETS,
	  offsetof(struct sstpnl_stats, tx_packets), 0xffffffffULL },
	{ SSTP_A_SESSION_TX_BYTES,
	  offsetof(struct sstpnl_stats, tx_bytes), 0x100000000ULL },
	{ SSTP_A_SESSION_RX_CTRL_PACKETS,
	  offsetof(struct sstpnl_stats, rx_ctrl_packets), 3 },
	{ SSTP_A_SESSION_TX_CTRL_PACKETS,
	  offsetof(struct sstpnl_stats, tx_ctrl_packets), 4 },
	{ SSTP_A_SESSION_ECHO_PACKETS,
	  offsetof(struct sstpnl_stats, echo_packets), 0 },
	{ SSTP_A_SESSION_RX_DROP_RPF,
	  offsetof(struct sstpnl_stats, rx_drop_rpf), 0xfedcba9876543210ULL },
	{ SSTP_A_SESSION_RX_DROP_INVALID,
	  offsetof(struct sstpnl_stats, rx_drop_invalid), 17 },
	{ SSTP_A_SESSION_RX_DROP_CTRL,
	  offsetof(struct sstpnl_stats, rx_drop_ctrl), 0x200000001ULL },
	{ SSTP_A_SESSION_TX_DROP_QUEUE,
	  offsetof(struct sstpnl_stats, tx_drop_queue), UINT64_MAX },
	{ SSTP_A_SESSION_TX_DROP_INVALID,
	  offsetof(struct sstpnl_stats, tx_drop_invalid), 99 },
};

#define NCOUNTERS	(sizeof(counters) / sizeof(counters[0]))

static uint64_t counter(const struct sstpnl_stats *st, size_t i)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)st + counters[i].off, sizeof(v));
	return v;
}

/*
 * A DEL_NTF as session_fill() sends it: id, PPP flags, IPv4, flags, the
 * reason, then every counter. skip: a counter type to leave out.
 */
static struct nlmsghdr *build_del(struct msgbuf *mb, uint32_t reason,
				  uint16_t skip)
{
	struct nlmsghdr *nlh = ntf_start(mb, SSTP_CMD_SESSION_DEL_NTF);
	struct nlattr *nest;
	size_t i;

	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_PPP_FLAGS,
			 SSTP_PPP_FLAGS_ACFC | SSTP_PPP_FLAGS_PFC);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_IPV4, htobe32(0xc0a80a02));
	mnl_attr_put(nlh, SSTP_A_SESSION_COALESCE, 0, NULL);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_DEL_REASON, reason);
	for (i = 0; i < NCOUNTERS; i++)
		if (counters[i].type != skip)
			put_uint(nlh, counters[i].type, counters[i].val);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static size_t disconnect(uint8_t out[SSTP_LEN_STATUS_MSG])
{
	return sstp_build_status_msg(out, SSTP_MSG_CALL_DISCONNECT,
				     SSTP_ATTRIB_NO_ERROR,
				     SSTP_STATUS_NEGOTIATION_TIMEOUT);
}

/* Parse a copy of exactly len bytes, so that ASan sees any read past it. */
static int parse_copy(const void *msg, size_t len)
{
	struct sstpnl_ntf_msg n;
	uint8_t *b = malloc(len ? len : 1);
	int ret;

	assert_non_null(b);
	if (len)
		memcpy(b, msg, len);
	ret = sstpnl_parse_ntf(b, len, &n);
	free(b);
	return ret;
}

/* The attribute of this type at the top level or in the session nest. */
static struct nlattr *find_attr(struct nlmsghdr *nlh, uint16_t type,
				bool nested)
{
	struct nlattr *a, *s;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (!nested && mnl_attr_get_type(a) == type)
			return a;
		if (nested && mnl_attr_get_type(a) == SSTP_A_SESSION)
			mnl_attr_for_each_nested(s, a)
				if (mnl_attr_get_type(s) == type)
					return s;
	}
	fail_msg("attribute %u not in the message", type);
	return NULL;
}

static void test_recv_ctrl(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	struct sstpnl_ntf_msg n;
	struct sstp_ctrl_msg cm;
	const char *why = NULL;
	uint8_t attrib;
	uint32_t status;

	assert_int_equal(plen, 20);
	memset(&n, 0xaa, sizeof(n));
	assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
	assert_int_equal(n.cmd, SSTP_CMD_SESSION_RECV_NTF);
	assert_int_equal(n.ifindex, IFINDEX);
	assert_int_equal(n.st.id, SID);
	/* ifindex (8), nest header (4), id (8), packet header (4) */
	assert_ptr_equal(n.pkt, mb.b + ATTRS + 8 + 4 + 8 + 4);
	assert_int_equal(n.pkt_len, 20);
	assert_memory_equal(n.pkt, pkt, plen);
	/* Everything else cleared, not left from before. */
	assert_int_equal(n.st.reason, 0);
	assert_int_equal(n.st.rx_packets, 0);
	assert_int_equal(n.st.tx_drop_invalid, 0);

	/* The packet handed over is the control message itself. */
	assert_int_equal(sstp_ctrl_parse(n.pkt, n.pkt_len, &cm, &why), 0);
	assert_int_equal(cm.type, SSTP_MSG_CALL_DISCONNECT);
	assert_true(sstp_status_info(&cm, &attrib, &status));
	assert_int_equal(status, SSTP_STATUS_NEGOTIATION_TIMEOUT);

	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), 0);
}

static void test_recv_odd_and_max_length(void **state)
{
	static const size_t lens[] = { SSTP_HDR_LEN, 5, 7, 1501,
				       SSTP_MAX_PACKET };
	uint8_t pkt[SSTP_MAX_PACKET];
	struct sstpnl_ntf_msg n;
	struct msgbuf mb;
	size_t i, j;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct nlmsghdr *nlh;

		for (j = 0; j < lens[i]; j++)
			pkt[j] = (uint8_t)(j * 7 + i);
		sstp_hdr_put(pkt, 0, (uint16_t)lens[i]);
		nlh = build_recv(&mb, IFINDEX, 0xfffffffe, pkt, lens[i]);
		assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
		assert_int_equal(n.st.id, 0xfffffffe);
		assert_int_equal(n.pkt_len, lens[i]);
		assert_memory_equal(n.pkt, pkt, lens[i]);
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), 0);
	}
}

/* A longer buffer (the next message follows): only nlmsg_len counts. */
static void test_recv_longer_buffer(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	struct sstpnl_ntf_msg n;

	assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len + 64, &n), 0);
	assert_int_equal(n.pkt_len, plen);
	assert_ptr_equal(n.pkt + n.pkt_len, mb.b + nlh->nlmsg_len);
}

static void test_del_counters(void **state)
{
	struct msgbuf mb;
	struct nlmsghdr *nlh = build_del(&mb, SSTP_DEL_REASON_PEER_CLOSED, 0);
	struct sstpnl_ntf_msg n;
	size_t i, wide = 0;

	/* The message really mixes 4- and 8-byte counters. */
	for (i = 0; i < NCOUNTERS; i++) {
		struct nlattr *a = find_attr(nlh, counters[i].type, true);

		if (mnl_attr_get_payload_len(a) == 8)
			wide++;
		else
			assert_int_equal(mnl_attr_get_payload_len(a), 4);
	}
	assert_int_equal(wide, 5);

	memset(&n, 0xaa, sizeof(n));
	assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
	assert_int_equal(n.cmd, SSTP_CMD_SESSION_DEL_NTF);
	assert_int_equal(n.ifindex, IFINDEX);
	assert_int_equal(n.st.id, SID);
	assert_int_equal(n.st.reason, SSTP_DEL_REASON_PEER_CLOSED);
	assert_null(n.pkt);
	assert_int_equal(n.pkt_len, 0);
	for (i = 0; i < NCOUNTERS; i++)
		assert_int_equal(counter(&n.st, i), counters[i].val);
	/* The same, spelled out. */
	assert_int_equal(n.st.rx_packets, 1000);
	assert_int_equal(n.st.rx_bytes, 0x123456789abULL);
	assert_int_equal(n.st.tx_packets, 0xffffffffULL);
	assert_int_equal(n.st.tx_bytes, 0x100000000ULL);
	assert_int_equal(n.st.rx_ctrl_packets, 3);
	assert_int_equal(n.st.tx_ctrl_packets, 4);
	assert_int_equal(n.st.echo_packets, 0);
	assert_int_equal(n.st.rx_drop_rpf, 0xfedcba9876543210ULL);
	assert_int_equal(n.st.rx_drop_invalid, 17);
	assert_int_equal(n.st.rx_drop_ctrl, 0x200000001ULL);
	assert_int_equal(n.st.tx_drop_queue, UINT64_MAX);
	assert_int_equal(n.st.tx_drop_invalid, 99);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), 0);
}

/* A small value in 8 bytes is still a valid "uint". */
static void test_del_small_u64(void **state)
{
	struct msgbuf mb;
	struct nlmsghdr *nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	struct sstpnl_ntf_msg n;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_DEL_REASON,
			 SSTP_DEL_REASON_CTRL_FLOOD);
	mnl_attr_put_u64(nlh, SSTP_A_SESSION_RX_PACKETS, 5);
	mnl_attr_put_u64(nlh, SSTP_A_SESSION_ECHO_PACKETS, 0);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
	assert_int_equal(n.st.reason, SSTP_DEL_REASON_CTRL_FLOOD);
	assert_int_equal(n.st.rx_packets, 5);
	assert_int_equal(n.st.echo_packets, 0);
	assert_int_equal(n.st.tx_bytes, 0);
}

static void test_counters_odd_size_ignored(void **state)
{
	static const uint8_t junk[16] = { 1, 2, 3, 4, 5, 6, 7, 8,
					  9, 10, 11, 12, 13, 14, 15, 16 };
	struct msgbuf mb;
	struct nlmsghdr *nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	struct sstpnl_ntf_msg n;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put(nlh, SSTP_A_SESSION_DEL_REASON, 2, junk);
	mnl_attr_put(nlh, SSTP_A_SESSION_RX_PACKETS, 2, junk);
	mnl_attr_put(nlh, SSTP_A_SESSION_RX_BYTES, 6, junk);
	mnl_attr_put(nlh, SSTP_A_SESSION_TX_PACKETS, 16, junk);
	mnl_attr_put(nlh, SSTP_A_SESSION_TX_BYTES, 0, NULL);
	mnl_attr_put(nlh, SSTP_A_SESSION_ECHO_PACKETS, 3, junk);
	mnl_attr_put(nlh, SSTP_A_SESSION_RX_DROP_RPF, 7, junk);
	/* The walk goes on past them. */
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_TX_DROP_QUEUE, 12);
	mnl_attr_put_u64(nlh, SSTP_A_SESSION_TX_DROP_INVALID, 1ULL << 40);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
	assert_int_equal(n.st.id, SID);
	assert_int_equal(n.st.reason, 0);
	assert_int_equal(n.st.rx_packets, 0);
	assert_int_equal(n.st.rx_bytes, 0);
	assert_int_equal(n.st.tx_packets, 0);
	assert_int_equal(n.st.tx_bytes, 0);
	assert_int_equal(n.st.echo_packets, 0);
	assert_int_equal(n.st.rx_drop_rpf, 0);
	assert_int_equal(n.st.tx_drop_queue, 12);
	assert_int_equal(n.st.tx_drop_invalid, 1ULL << 40);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), 0);
}

static void test_reject_truncated(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	size_t full = nlh->nlmsg_len;
	struct sstpnl_ntf_msg n;
	size_t len;

	/* Every length short of the whole message, down to nothing. */
	for (len = 0; len < full; len++) {
		assert_int_equal(sstpnl_parse_ntf(mb.b, len, &n), -EINVAL);
		assert_int_equal(parse_copy(mb.b, len), -EINVAL);
	}
	assert_int_equal(parse_copy(mb.b, full), 0);

	/* So is a DEL_NTF, and its command does not matter yet. */
	nlh = build_del(&mb, SSTP_DEL_REASON_USERSPACE, 0);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len - 1), -EINVAL);
	assert_int_equal(parse_copy(mb.b, MNL_NLMSG_HDRLEN - 1), -EINVAL);
	nlh = ntf_start(&mb, SSTP_CMD_DEV_NEW);
	assert_int_equal(parse_copy(mb.b, MNL_NLMSG_HDRLEN), -EINVAL);
}

static void test_reject_nlmsg_len(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	size_t full = nlh->nlmsg_len;
	static const uint32_t bad[] = { 0, 1, 8, MNL_NLMSG_HDRLEN - 1,
					/* no room for the genlmsghdr */
					MNL_NLMSG_HDRLEN,
					MNL_NLMSG_HDRLEN + 3 };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nlh->nlmsg_len = bad[i];
		assert_int_equal(parse_copy(mb.b, full), -EINVAL);
	}
	/* Longer than the buffer. */
	nlh->nlmsg_len = (uint32_t)full + 4;
	assert_int_equal(parse_copy(mb.b, full), -EINVAL);
	nlh->nlmsg_len = UINT32_MAX;
	assert_int_equal(parse_copy(mb.b, full), -EINVAL);

	/* Headers only: a valid frame, but no attributes. */
	nlh->nlmsg_len = ATTRS;
	assert_int_equal(parse_copy(mb.b, ATTRS), -EINVAL);
}

static void test_reject_ifindex(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint16_t two = 7;

	/* Missing. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, plen, pkt);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Zero. */
	nlh = build_recv(&mb, 0, SID, pkt, plen);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Too short to be a u32. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	mnl_attr_put(nlh, SSTP_A_IFINDEX, sizeof(two), &two);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, plen, pkt);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Only in the nest (where type 1 is the session id). */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, plen, pkt);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
}

static void test_reject_session_nest(void **state)
{
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint16_t two = 1;

	/* Missing: the session's attributes at the top level. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	mnl_attr_put(nlh, SSTP_A_IFNAME, 6, "sstp0");
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Empty. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Too short to hold an attribute. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	mnl_attr_put(nlh, SSTP_A_SESSION, sizeof(two), &two);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
}

static void test_reject_session_id(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint16_t two = SID;

	/* Missing, in both notifications. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, plen, pkt);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	nlh = ntf_start(&mb, SSTP_CMD_SESSION_DEL_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_DEL_REASON,
			 SSTP_DEL_REASON_TLS_ERROR);
	mnl_attr_put_u64(nlh, SSTP_A_SESSION_RX_BYTES, 1ULL << 33);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Zero. */
	nlh = build_recv(&mb, IFINDEX, 0, pkt, plen);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Of an odd size, so ignored. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put(nlh, SSTP_A_SESSION_ID, sizeof(two), &two);
	mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, plen, pkt);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
}

static void test_reject_recv_packet(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG + 1] = { 0 };
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	size_t len;

	/* No packet at all. */
	nlh = ntf_start(&mb, SSTP_CMD_SESSION_RECV_NTF);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	nest = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, SID);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* Shorter than an SSTP header. */
	for (len = 0; len < SSTP_HDR_LEN; len++) {
		nlh = build_recv(&mb, IFINDEX, SID, pkt, len);
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
	}

	/* Cut short of, or longer than, its length field says. */
	for (len = SSTP_HDR_LEN; len <= plen + 1; len++) {
		nlh = build_recv(&mb, IFINDEX, SID, pkt, len);
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len),
				 len == plen ? 0 : -EINVAL);
	}

	/* A length field past what a packet attribute holds. */
	sstp_hdr_put(pkt, 1, SSTP_MAX_PACKET);
	nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
	sstp_hdr_put(pkt, 0, 0);
	nlh = build_recv(&mb, IFINDEX, SID, pkt, SSTP_HDR_LEN);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
}

static void test_reject_bogus_nla_len(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct nlattr *a;
	uint16_t bogus[] = { 0, 2, 3, 0xffff };
	size_t i;

	for (i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		/* The ifindex. */
		nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
		find_attr(nlh, SSTP_A_IFINDEX, false)->nla_len = bogus[i];
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
		/* The session nest. */
		nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
		find_attr(nlh, SSTP_A_SESSION, false)->nla_len = bogus[i];
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
		/* The session id, first in the nest. */
		nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
		find_attr(nlh, SSTP_A_SESSION_ID, true)->nla_len = bogus[i];
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
		/* The packet. */
		nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
		find_attr(nlh, SSTP_A_SESSION_PACKET, true)->nla_len =
			bogus[i];
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
	}

	/* The nest one byte past the message, which still holds the rest. */
	nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	a = find_attr(nlh, SSTP_A_SESSION, false);
	a->nla_len++;
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);

	/* The packet past the end of the nest (and of the message). */
	nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
	find_attr(nlh, SSTP_A_SESSION_PACKET, true)->nla_len += 4;
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len + 4), -EINVAL);
}

/*
 * nlmsg_len that is not a multiple of 4 ends the message there: an
 * attribute running into the alignment padding after it is not in the
 * message (found by fuzz_kmod_ntf: a packet read up to 3 bytes past it).
 */
static void test_reject_past_unaligned_end(void **state)
{
	uint8_t pkt[8];
	struct sstpnl_ntf_msg n;
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	uint32_t len;

	memset(pkt, 0x5a, sizeof(pkt));
	sstp_hdr_put(pkt, 0, sizeof(pkt));
	nlh = build_recv(&mb, IFINDEX, SID, pkt, sizeof(pkt));
	len = nlh->nlmsg_len;
	assert_int_equal(len % 4, 0);
	for (nlh->nlmsg_len = len - 3; nlh->nlmsg_len < len;
	     nlh->nlmsg_len++) {
		assert_int_equal(sstpnl_parse_ntf(mb.b, len, &n), -EINVAL);
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EINVAL);
	}

	/*
	 * An unaligned end after whole attributes is fine: a 7-byte packet,
	 * its nest and the message ending without the padding byte.
	 */
	sstp_hdr_put(pkt, 0, sizeof(pkt) - 1);
	nlh = build_recv(&mb, IFINDEX, SID, pkt, sizeof(pkt) - 1);
	assert_int_equal(nlh->nlmsg_len, len);
	find_attr(nlh, SSTP_A_SESSION, false)->nla_len--;
	nlh->nlmsg_len = len - 1;
	assert_int_equal(sstpnl_parse_ntf(mb.b, len - 1, &n), 0);
	assert_int_equal(n.pkt_len, sizeof(pkt) - 1);
	assert_ptr_equal(n.pkt + n.pkt_len, mb.b + len - 1);
	assert_int_equal(parse_copy(mb.b, len - 1), 0);
}

static void test_other_commands(void **state)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t plen = disconnect(pkt);
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	unsigned int cmd;
	int want;

	for (cmd = 0; cmd <= 0xff; cmd++) {
		nlh = build_recv(&mb, IFINDEX, SID, pkt, plen);
		g = mnl_nlmsg_get_payload(nlh);
		g->cmd = (uint8_t)cmd;
		want = cmd == SSTP_CMD_SESSION_RECV_NTF ||
		       cmd == SSTP_CMD_SESSION_DEL_NTF ? 0 : -EOPNOTSUPP;
		assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), want);
	}

	/* A session-get reply: the same attributes, but not a notification. */
	nlh = build_del(&mb, 0, 0);
	g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), 0);
	g->cmd = SSTP_CMD_SESSION_GET;
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EOPNOTSUPP);
	g->cmd = SSTP_CMD_SESSION_NEW;
	assert_int_equal(parse_copy(mb.b, nlh->nlmsg_len), -EOPNOTSUPP);
}

static void test_reason_names(void **state)
{
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_USERSPACE),
			    "deleted by the gateway");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_OWNER_CLOSED),
			    "owner closed");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_DEV_DELETED),
			    "device deleted");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_PEER_CLOSED),
			    "peer closed");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_TRANSPORT_ERROR),
			    "transport error");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_TLS_ERROR),
			    "TLS error");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_PROTOCOL_ERROR),
			    "protocol error");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_CTRL_FLOOD),
			    "control flood");
	assert_string_equal(sstpnl_reason_name(0), "unknown reason");
	assert_string_equal(sstpnl_reason_name(SSTP_DEL_REASON_CTRL_FLOOD + 1),
			    "unknown reason");
	assert_string_equal(sstpnl_reason_name(UINT32_MAX), "unknown reason");
}

/* The reason of a DEL_NTF comes through for every value. */
static void test_del_every_reason(void **state)
{
	struct sstpnl_ntf_msg n;
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	uint32_t r;

	for (r = SSTP_DEL_REASON_USERSPACE; r <= SSTP_DEL_REASON_CTRL_FLOOD;
	     r++) {
		nlh = build_del(&mb, r, SSTP_A_SESSION_RX_BYTES);
		assert_int_equal(sstpnl_parse_ntf(mb.b, nlh->nlmsg_len, &n), 0);
		assert_int_equal(n.st.reason, r);
		assert_int_equal(n.st.rx_bytes, 0);
		assert_int_equal(n.st.tx_bytes, 0x100000000ULL);
		assert_string_not_equal(sstpnl_reason_name(n.st.reason),
					"unknown reason");
	}
}

/*
 * sstpnl_request / sstpnl_ntf_poll (the whole API, for the module's test
 * tool) against the kernel's own generic netlink controller, which every
 * kernel has: a handle opened by hand on a real socket, with nlctrl's id
 * standing in for the family.
 */
struct ctl_handle {
	struct sstpnl k;
	struct mnl_socket *peer;	/* a second socket, for notifications */
};

static const struct sstpnl_ops no_ops;

static void ctl_open(struct ctl_handle *h)
{
	memset(h, 0, sizeof(*h));
	h->k.ops = &no_ops;
	h->k.nl = mnl_socket_open(NETLINK_GENERIC);
	assert_non_null(h->k.nl);
	assert_int_equal(mnl_socket_bind(h->k.nl, 0, MNL_SOCKET_AUTOPID), 0);
	h->k.portid = mnl_socket_get_portid(h->k.nl);
	h->k.family = GENL_ID_CTRL;
}

static void ctl_close(struct ctl_handle *h)
{
	sstpnl_close(&h->k);
	if (h->peer)
		mnl_socket_close(h->peer);
}

struct replies {
	unsigned int n;
	uint16_t id;
	int ret;
};

static int family_reply(const struct nlmsghdr *m, void *data)
{
	struct replies *r = data;
	const struct nlattr *a;

	r->n++;
	mnl_attr_for_each(a, m, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			r->id = mnl_attr_get_u16(a);
	}
	return r->ret;
}

static struct nlmsghdr *getfamily(struct ctl_handle *h, struct msgbuf *mb,
				  const char *name, uint16_t flags)
{
	struct nlmsghdr *nlh;

	nlh = sstpnl_msg_start(&h->k, mb->b, CTRL_CMD_GETFAMILY, flags);
	if (name)
		mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return nlh;
}

/* The request header: the family, REQUEST | ACK | flags, cmd, version. */
static void test_msg_start(void **state)
{
	struct ctl_handle h;
	struct msgbuf mb;
	struct nlmsghdr *nlh;
	const struct genlmsghdr *g;

	ctl_open(&h);
	nlh = sstpnl_msg_start(&h.k, mb.b, SSTP_CMD_SESSION_GET, NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_type, GENL_ID_CTRL);
	assert_int_equal(nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_len, ATTRS);
	assert_int_not_equal(nlh->nlmsg_seq, 0);
	g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(g->cmd, SSTP_CMD_SESSION_GET);
	assert_int_equal(g->version, SSTP_FAMILY_VERSION);
	ctl_close(&h);
}

/* A request answered by one reply and an ACK. */
static void test_request_reply(void **state)
{
	struct replies r = { 0 };
	struct ctl_handle h;
	struct msgbuf mb;
	char ext[64] = "stale";

	ctl_open(&h);
	assert_int_equal(sstpnl_request(&h.k, getfamily(&h, &mb, "nlctrl", 0),
					family_reply, &r, ext, sizeof(ext)), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.id, GENL_ID_CTRL);
	assert_string_equal(ext, "");
	ctl_close(&h);
}

/* The kernel's error comes back as -errno. */
static void test_request_error(void **state)
{
	struct replies r = { 0 };
	struct ctl_handle h;
	struct msgbuf mb;
	char ext[64];

	ctl_open(&h);
	assert_int_equal(sstpnl_request(&h.k,
					getfamily(&h, &mb, "sstpnl-no-such", 0),
					family_reply, &r, ext, sizeof(ext)),
			 -ENOENT);
	assert_int_equal(r.n, 0);
	ctl_close(&h);
}

/* A dump: every family, then NLMSG_DONE with status 0. */
static void test_request_dump(void **state)
{
	struct replies r = { 0 };
	struct ctl_handle h;
	struct msgbuf mb;

	ctl_open(&h);
	assert_int_equal(sstpnl_request(&h.k,
					getfamily(&h, &mb, NULL, NLM_F_DUMP),
					family_reply, &r, NULL, 0), 0);
	assert_true(r.n >= 1);
	ctl_close(&h);
}

/* A callback that refuses a reply fails the request, which still ends. */
static void test_request_cb_error(void **state)
{
	struct replies r = { .ret = MNL_CB_ERROR };
	struct ctl_handle h;
	struct msgbuf mb;

	ctl_open(&h);
	assert_int_equal(sstpnl_request(&h.k,
					getfamily(&h, &mb, NULL, NLM_F_DUMP),
					family_reply, &r, NULL, 0), -EPROTO);
	r.ret = 0;
	r.n = 0;
	assert_int_equal(sstpnl_request(&h.k, getfamily(&h, &mb, "nlctrl", 0),
					family_reply, &r, NULL, 0), 0);
	assert_int_equal(r.n, 1);
	ctl_close(&h);
}

/*
 * Send a message of type to h's socket from a second one, as the kernel
 * sends a notification; false where this user may not (no root).
 */
static bool send_ntf(struct ctl_handle *h, uint16_t type, uint8_t cmd)
{
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct msgbuf mb;
	struct nlmsghdr *nlh;

	if (!h->peer) {
		h->peer = mnl_socket_open(NETLINK_GENERIC);
		assert_non_null(h->peer);
		assert_int_equal(mnl_socket_bind(h->peer, 0,
						 MNL_SOCKET_AUTOPID), 0);
	}
	nlh = ntf_start(&mb, cmd);
	nlh->nlmsg_type = type;
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, IFINDEX);
	to.nl_pid = h->k.portid;
	return sendto(mnl_socket_get_fd(h->peer), nlh, nlh->nlmsg_len, 0,
		      (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)nlh->nlmsg_len;
}

struct seen {
	unsigned int n;
	uint8_t cmd[4];
};

static void ntf_seen(void *arg, const struct nlmsghdr *m)
{
	struct seen *s = arg;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(m);

	assert_int_equal(m->nlmsg_type, GENL_ID_CTRL);
	if (s->n < 4)
		s->cmd[s->n] = g->cmd;
	s->n++;
}

/*
 * Notifications of the family, whatever their device, come through
 * sstpnl_ntf_poll; other message types do not. Nothing there: 0 at once.
 */
static void test_ntf_poll(void **state)
{
	struct seen s = { 0 };
	struct ctl_handle h;

	ctl_open(&h);
	assert_int_equal(sstpnl_ntf_poll(&h.k, 0, ntf_seen, &s), 0);
	if (!send_ntf(&h, GENL_ID_CTRL, SSTP_CMD_SESSION_DEL_NTF)) {
		ctl_close(&h);
		skip();
	}
	assert_true(send_ntf(&h, GENL_ID_CTRL + 1, SSTP_CMD_SESSION_RECV_NTF));
	assert_true(send_ntf(&h, GENL_ID_CTRL, SSTP_CMD_SESSION_RECV_NTF));
	assert_int_equal(sstpnl_ntf_poll(&h.k, 1000, ntf_seen, &s), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.cmd[0], SSTP_CMD_SESSION_DEL_NTF);
	assert_int_equal(s.cmd[1], SSTP_CMD_SESSION_RECV_NTF);
	assert_int_equal(sstpnl_ntf_poll(&h.k, 0, ntf_seen, &s), 0);
	ctl_close(&h);
}

/* A notification read while a request waits is kept, in order, for later. */
static void test_ntf_kept_during_request(void **state)
{
	struct replies r = { 0 };
	struct seen s = { 0 };
	struct ctl_handle h;
	struct msgbuf mb;

	ctl_open(&h);
	if (!send_ntf(&h, GENL_ID_CTRL, SSTP_CMD_SESSION_DEL_NTF)) {
		ctl_close(&h);
		skip();
	}
	assert_true(send_ntf(&h, GENL_ID_CTRL, SSTP_CMD_SESSION_RECV_NTF));
	assert_int_equal(sstpnl_request(&h.k, getfamily(&h, &mb, "nlctrl", 0),
					family_reply, &r, NULL, 0), 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(sstpnl_ntf_poll(&h.k, 0, ntf_seen, &s), 2);
	assert_int_equal(s.cmd[0], SSTP_CMD_SESSION_DEL_NTF);
	assert_int_equal(s.cmd[1], SSTP_CMD_SESSION_RECV_NTF);
	ctl_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recv_ctrl),
		cmocka_unit_test(test_recv_odd_and_max_length),
		cmocka_unit_test(test_recv_longer_buffer),
		cmocka_unit_test(test_del_counters),
		cmocka_unit_test(test_del_small_u64),
		cmocka_unit_test(test_del_every_reason),
		cmocka_unit_test(test_counters_odd_size_ignored),
		cmocka_unit_test(test_reject_truncated),
		cmocka_unit_test(test_reject_nlmsg_len),
		cmocka_unit_test(test_reject_ifindex),
		cmocka_unit_test(test_reject_session_nest),
		cmocka_unit_test(test_reject_session_id),
		cmocka_unit_test(test_reject_recv_packet),
		cmocka_unit_test(test_reject_bogus_nla_len),
		cmocka_unit_test(test_reject_past_unaligned_end),
		cmocka_unit_test(test_other_commands),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_msg_start),
		cmocka_unit_test(test_request_reply),
		cmocka_unit_test(test_request_error),
		cmocka_unit_test(test_request_dump),
		cmocka_unit_test(test_request_cb_error),
		cmocka_unit_test(test_ntf_poll),
		cmocka_unit_test(test_ntf_kept_during_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
