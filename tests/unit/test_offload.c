// SPDX-License-Identifier: GPL-2.0
/*
 * TUN offloads: the segmenter (gso_split) and the coalescer (gro_*), on
 * packets built here with their checksums computed independently.
 */
#include <endian.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/offload.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_CWR 0x80

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}
static void wr16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, (uint16_t)v);
}

/* RFC 1071, the plain way: independent of ofl_csum_add. */
static uint32_t sum16(uint32_t s, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += rd16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint32_t pseudo(const uint8_t *ip, uint8_t proto, size_t l4len)
{
	uint32_t s = proto + (uint32_t)l4len;

	return (ip[0] >> 4) == 4 ? sum16(s, ip + 12, 8) : sum16(s, ip + 8, 32);
}

static size_t l4off_of(const uint8_t *ip)
{
	return (ip[0] >> 4) == 4 ? (size_t)(ip[0] & 15) * 4 : 40;
}

/* Every checksum of an IPv4/IPv6 TCP or UDP packet holds. */
static bool pkt_ok(const uint8_t *p, size_t len)
{
	size_t l4 = l4off_of(p);
	uint8_t proto = (p[0] >> 4) == 4 ? p[9] : p[6];

	if ((p[0] >> 4) == 4) {
		if (rd16(p + 2) != len || fold(sum16(0, p, l4)) != 0xffff)
			return false;
	} else if (rd16(p + 4) + 40u != len) {
		return false;
	}
	if (proto == 17 && rd16(p + l4 + 4) != len - l4)
		return false;
	return fold(sum16(pseudo(p, proto, len - l4), p + l4, len - l4)) ==
	       0xffff;
}

static void set_l4_csum(uint8_t *p, size_t len)
{
	size_t l4 = l4off_of(p);
	uint8_t proto = (p[0] >> 4) == 4 ? p[9] : p[6];
	size_t at = l4 + (proto == 6 ? 16 : 6);
	uint16_t c;

	wr16(p + at, 0);
	c = (uint16_t)~fold(sum16(pseudo(p, proto, len - l4), p + l4, len - l4));
	wr16(p + at, c ? c : 0xffff);
}

struct pk {
	int ver;		/* 4 or 6 */
	uint8_t proto;		/* 6 or 17 */
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint16_t id;
	size_t optlen;		/* TCP options (NOPs + a timestamp value) */
	uint32_t tsval;
	size_t payload;
	uint8_t fill;		/* payload byte i is fill + i */
};

/* A packet per k, checksums set. Its length. */
static size_t build(uint8_t *p, const struct pk *k)
{
	size_t ip = k->ver == 4 ? 20 : 40;
	size_t l4h = k->proto == 6 ? 20 + k->optlen : 8;
	size_t len = ip + l4h + k->payload, i;
	uint8_t *t = p + ip;

	memset(p, 0, ip + l4h);
	if (k->ver == 4) {
		p[0] = 0x45;
		wr16(p + 2, (uint16_t)len);
		wr16(p + 4, k->id);
		p[6] = 0x40;	/* DF */
		p[8] = 64;
		p[9] = k->proto;
		wr32(p + 12, 0x0a000001);
		wr32(p + 16, 0x0a000002);
		wr16(p + 10, (uint16_t)~fold(sum16(0, p, 20)));
	} else {
		p[0] = 0x60;
		wr16(p + 4, (uint16_t)(len - 40));
		p[6] = k->proto;
		p[7] = 64;
		p[8] = 0x20;
		p[23] = 1;
		p[24] = 0x20;
		p[39] = 2;
	}
	wr16(t, k->sport ? k->sport : 1000);
	wr16(t + 2, k->dport ? k->dport : 2000);
	if (k->proto == 6) {
		wr32(t + 4, k->seq);
		wr32(t + 8, k->ack);
		t[12] = (uint8_t)((l4h / 4) << 4);
		t[13] = k->flags;
		wr16(t + 14, k->win ? k->win : 500);
		if (k->optlen) {
			memset(t + 20, 1, k->optlen);
			if (k->optlen >= 8)
				wr32(t + 20 + k->optlen - 4, k->tsval);
		}
	} else {
		wr16(t + 4, (uint16_t)(l4h + k->payload));
	}
	for (i = 0; i < k->payload; i++)
		p[ip + l4h + i] = (uint8_t)(k->fill + i);
	set_l4_csum(p, len);
	return len;
}

/* What emit and write see. */
struct seen {
	int n;
	size_t len[128];
	uint8_t *pkt[128];
	struct virtio_net_hdr h[128];
	int fail_at;		/* emit returns -EIO at this call (1-based) */
};

static struct seen S;

static void seen_reset(void)
{
	int i;

	for (i = 0; i < S.n; i++)
		free(S.pkt[i]);
	memset(&S, 0, sizeof(S));
}

static int record(const struct virtio_net_hdr *h, const uint8_t *p,
		  size_t len)
{
	assert_true(S.n < 128);
	if (S.fail_at && S.n + 1 == S.fail_at)
		return -EIO;
	S.pkt[S.n] = malloc(len ? len : 1);
	memcpy(S.pkt[S.n], p, len);
	S.len[S.n] = len;
	if (h)
		S.h[S.n] = *h;
	S.n++;
	return 0;
}

static int emit_cb(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	return record(NULL, p, len);
}

static int write_cb(void *ctx, const struct virtio_net_hdr *h,
		    const uint8_t *p, size_t len)
{
	(void)ctx;
	return record(h, p, len);
}

static uint8_t buf[OFL_MAX_PKT], scratch[OFL_MAX_PKT];

static int setup(void **state)
{
	(void)state;
	seen_reset();
	return 0;
}

/* A TSO header for a super-packet built by build() (checksum partial). */
static struct virtio_net_hdr tso_hdr(uint8_t *p, size_t len, uint8_t type,
				     uint16_t gso_size)
{
	struct virtio_net_hdr h = { 0 };
	size_t l4 = l4off_of(p);
	uint8_t proto = (p[0] >> 4) == 4 ? p[9] : p[6];
	size_t at = l4 + (proto == 6 ? 16 : 6);

	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = type;
	h.gso_size = htole16(gso_size);
	h.csum_start = htole16((uint16_t)l4);
	h.csum_offset = htole16((uint16_t)(at - l4));
	/* As the kernel hands it over: the pseudo-header sum, not folded in. */
	wr16(p + at, fold(pseudo(p, proto, len - l4)));
	return h;
}

static void test_csum_helpers(void **state)
{
	static const uint8_t odd[] = { 0x12, 0x34, 0x56, 0x78, 0x9a };
	uint8_t big[4001];
	size_t i;

	(void)state;
	assert_int_equal(ofl_csum_fold(ofl_csum_add(0, odd, 5)),
			 fold(sum16(0, odd, 5)));
	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 0xff);
	for (i = 0; i < 8; i++)
		assert_int_equal(ofl_csum_fold(ofl_csum_add(0xfffe, big + i,
							    sizeof(big) - i)),
				 fold(sum16(0xfffe, big + i, sizeof(big) - i)));
	assert_int_equal(ofl_csum_fold(ofl_csum_add(0, odd, 0)), 0);
}

static void test_gso_none_complete_csum(void **state)
{
	struct pk k = { .ver = 4, .proto = 6, .flags = TCP_ACK, .payload = 301 };
	struct virtio_net_hdr h;
	size_t len = build(buf, &k);
	uint8_t want[2048];

	(void)state;
	memcpy(want, buf, len);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_NONE, 0);
	assert_false(pkt_ok(buf, len));
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 1);
	assert_int_equal(S.n, 1);
	assert_memory_equal(S.pkt[0], want, len);
	/* Bigger than the MTU and not GSO: passed on as it is. */
	seen_reset();
	memset(&h, 0, sizeof(h));
	assert_int_equal(gso_split(&h, buf, len, 100, scratch, emit_cb, NULL),
			 1);
	assert_int_equal(S.len[0], len);
	/* A partial checksum outside the packet. */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = htole16((uint16_t)len);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	h.csum_start = htole16(20);
	h.csum_offset = htole16((uint16_t)(len - 21));
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	assert_int_equal(S.n, 1);
}

/* Segments of a TCP super-packet: valid, in order, flags where they go. */
static void check_tcp_segments(const struct pk *k, size_t mss)
{
	size_t l4 = k->ver == 4 ? 20 : 40, hl = l4 + 20 + k->optlen;
	size_t off = 0;
	int i;

	assert_int_equal(S.n, (int)((k->payload + mss - 1) / mss));
	for (i = 0; i < S.n; i++) {
		const uint8_t *p = S.pkt[i];
		size_t pl = S.len[i] - hl;
		uint8_t fl = p[l4 + 13];
		size_t j;

		assert_true(pkt_ok(p, S.len[i]));
		assert_int_equal(pl, i < S.n - 1 ? mss : k->payload - off);
		assert_int_equal(rd32(p + l4 + 4), (uint32_t)(k->seq + off));
		if (k->ver == 4)
			assert_int_equal(rd16(p + 4), (uint16_t)(k->id + i));
		assert_int_equal(!!(fl & TCP_FIN),
				 i == S.n - 1 && (k->flags & TCP_FIN));
		assert_int_equal(!!(fl & TCP_PSH),
				 i == S.n - 1 && (k->flags & TCP_PSH));
		assert_int_equal(!!(fl & TCP_CWR), i == 0 && (k->flags & TCP_CWR));
		assert_true(fl & TCP_ACK);
		for (j = 0; j < pl; j++)
			assert_int_equal(p[hl + j], (uint8_t)(k->fill + off + j));
		off += pl;
	}
	assert_int_equal(off, k->payload);
}

static void test_gso_tcp4(void **state)
{
	struct pk k = { .ver = 4, .proto = 6, .seq = 0xfffff000, .id = 0xfffe,
			.flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR,
			.optlen = 12, .payload = 10000, .fill = 3 };
	struct virtio_net_hdr h;
	size_t len = build(buf, &k);

	(void)state;
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1348);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 8);
	check_tcp_segments(&k, 1348);	/* seq and ID wrap on the way */
	/* The session's MRU below gso_size: smaller segments. */
	seen_reset();
	len = build(buf, &k);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
		    1348);
	assert_int_equal(gso_split(&h, buf, len, 1200, scratch, emit_cb, NULL),
			 9);
	check_tcp_segments(&k, 1200 - 52);
	/* An MTU that leaves no room past the headers: gso_size as given. */
	seen_reset();
	len = build(buf, &k);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1348);
	assert_int_equal(gso_split(&h, buf, len, 52, scratch, emit_cb, NULL), 8);
	check_tcp_segments(&k, 1348);
}

static void test_gso_tcp6(void **state)
{
	struct pk k = { .ver = 6, .proto = 6, .seq = 77, .flags = TCP_ACK,
			.payload = 5000, .fill = 9 };
	struct virtio_net_hdr h;
	size_t len = build(buf, &k);

	(void)state;
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV6, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 5);
	check_tcp_segments(&k, 1000);
	/* Exactly one segment's worth. */
	seen_reset();
	k.payload = 1000;
	len = build(buf, &k);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV6, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 1);
	check_tcp_segments(&k, 1000);
}

static void check_udp_segments(const struct pk *k, size_t gs)
{
	size_t hl = (k->ver == 4 ? 20 : 40) + 8, off = 0;
	int i;

	assert_int_equal(S.n, (int)((k->payload + gs - 1) / gs));
	for (i = 0; i < S.n; i++) {
		size_t pl = S.len[i] - hl;

		assert_true(pkt_ok(S.pkt[i], S.len[i]));
		assert_int_equal(pl, i < S.n - 1 ? gs : k->payload - off);
		assert_int_equal(S.pkt[i][hl], (uint8_t)(k->fill + off));
		off += pl;
	}
	assert_int_equal(off, k->payload);
}

static void test_gso_udp(void **state)
{
	struct pk k = { .ver = 4, .proto = 17, .payload = 3500, .fill = 1 };
	struct virtio_net_hdr h;
	size_t len = build(buf, &k);

	(void)state;
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	/* UDP keeps gso_size: datagram boundaries belong to the sender. */
	assert_int_equal(gso_split(&h, buf, len, 800, scratch, emit_cb, NULL),
			 4);
	check_udp_segments(&k, 1000);
	seen_reset();
	k.ver = 6;
	len = build(buf, &k);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_UDP_L4, 1200);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 3);
	check_udp_segments(&k, 1200);
}

static void test_gso_malformed(void **state)
{
	struct pk k4 = { .ver = 4, .proto = 6, .flags = TCP_ACK, .payload = 3000 };
	struct pk k6 = { .ver = 6, .proto = 6, .flags = TCP_ACK, .payload = 3000 };
	struct pk u4 = { .ver = 4, .proto = 17, .payload = 3000 };
	struct virtio_net_hdr h;
	size_t len;

	(void)state;
	len = build(buf, &k4);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 0);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* gso_size 0 */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV6, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* v4 packet, v6 type */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_UDP, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* UFO: never asked for */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* USO on TCP */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	h.csum_start = htole16(24);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* csum_start elsewhere */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	assert_int_equal(gso_split(&h, buf, 30, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* cut in the TCP header */
	buf[0] = 0x4f;
	assert_int_equal(gso_split(&h, buf, 50, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* IHL past the end */
	buf[0] = 0x44;
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* IHL below 5 */
	len = build(buf, &k4);
	buf[32] = 0x40;			/* data offset 4 */
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	buf[32] = 0xf0;			/* data offset 60 > the packet */
	assert_int_equal(gso_split(&h, buf, 60, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	buf[0] = 0x00;
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* not IP */
	assert_int_equal(gso_split(&h, buf, 0, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	assert_int_equal(gso_split(&h, buf, OFL_MAX_PKT + 1, 1400, scratch,
				   emit_cb, NULL), -EINVAL);
	len = build(buf, &k6);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* v6 packet, v4 type */
	assert_int_equal(gso_split(&h, buf, 39, 1400, scratch, emit_cb, NULL),
			 -EINVAL);
	len = build(buf, &u4);
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* TSO on UDP */
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_UDP_L4, 1000);
	assert_int_equal(gso_split(&h, buf, 25, 1400, scratch, emit_cb, NULL),
			 -EINVAL);		/* cut in the UDP header */
	assert_int_equal(S.n, 0);
}

static void test_gso_emit_error(void **state)
{
	struct pk k = { .ver = 4, .proto = 6, .flags = TCP_ACK, .payload = 5000 };
	struct virtio_net_hdr h;
	size_t len = build(buf, &k);

	(void)state;
	h = tso_hdr(buf, len, VIRTIO_NET_HDR_GSO_TCPV4, 1000);
	S.fail_at = 3;
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EIO);
	assert_int_equal(S.n, 2);
	seen_reset();
	S.fail_at = 1;
	memset(&h, 0, sizeof(h));
	assert_int_equal(gso_split(&h, buf, len, 1400, scratch, emit_cb, NULL),
			 -EIO);
}

/* The coalescer. */

static struct gro G;

static int gro_setup(void **state)
{
	setup(state);
	assert_int_equal(gro_init(&G, write_cb, NULL), 0);
	G.tcp4 = G.tcp6 = G.udp4 = G.udp6 = true;
	return 0;
}

static int gro_teardown(void **state)
{
	(void)state;
	gro_free(&G);
	seen_reset();
	return 0;
}

static uint8_t pkts[80][2048];
static size_t plen[80];

/* n TCP segments of size each from seq, one flow; in pkts/plen. */
static void tcp_run(int ver, int n, size_t size, uint32_t seq, uint16_t id0)
{
	int i;

	for (i = 0; i < n; i++) {
		struct pk k = { .ver = ver, .proto = 6, .seq = seq + i * size,
				.ack = 5, .flags = TCP_ACK, .optlen = 12,
				.tsval = 9, .payload = size,
				.id = (uint16_t)(id0 + i),
				.fill = (uint8_t)(i * size) };

		plen[i] = build(pkts[i], &k);
	}
}

/*
 * The kernel's side of a super-packet write: a GSO header is cut again
 * (gso_split, as the kernel's GSO would) and must give back want[].
 */
static void resegment_equals(int w, uint8_t want[][2048], const size_t *wl,
			     int n)
{
	struct seen keep = S;
	uint8_t *copy = malloc(keep.len[w]);
	int i;

	memcpy(copy, keep.pkt[w], keep.len[w]);
	memset(&S, 0, sizeof(S));
	assert_int_equal(gso_split(&keep.h[w], copy, keep.len[w], 65535,
				   scratch, emit_cb, NULL), n);
	for (i = 0; i < n; i++) {
		assert_int_equal(S.len[i], wl[i]);
		assert_memory_equal(S.pkt[i], want[i], wl[i]);
	}
	seen_reset();
	S = keep;
	free(copy);
}

static void test_gro_tcp_merge(void **state)
{
	struct virtio_net_hdr *h;
	int i;

	(void)state;
	tcp_run(4, 5, 1000, 100, 7);
	for (i = 0; i < 5; i++)
		assert_int_equal(gro_add(&G, pkts[i], plen[i]), 0);
	assert_int_equal(S.n, 0);	/* held until the end of the batch */
	assert_int_equal(gro_flush(&G), 0);
	assert_int_equal(S.n, 1);
	h = &S.h[0];
	assert_int_equal(h->gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(h->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(le16toh(h->gso_size), 1000);
	assert_int_equal(le16toh(h->hdr_len), 52);
	assert_int_equal(le16toh(h->csum_start), 20);
	assert_int_equal(le16toh(h->csum_offset), 16);
	assert_int_equal(S.len[0], 52 + 5000);
	assert_int_equal(rd16(S.pkt[0] + 2), 5052);
	assert_int_equal(fold(sum16(0, S.pkt[0], 20)), 0xffff);
	assert_int_equal(rd16(S.pkt[0] + 36),
			 fold(pseudo(S.pkt[0], 6, 5032)));
	resegment_equals(0, pkts, plen, 5);
	assert_int_equal(G.st.merged, 5);
	assert_int_equal(G.st.out, 1);
	/* Nothing left. */
	assert_int_equal(gro_flush(&G), 0);
	assert_int_equal(S.n, 1);
}

static void test_gro_tcp6_merge(void **state)
{
	int i;

	(void)state;
	tcp_run(6, 3, 1200, 1, 0);
	for (i = 0; i < 3; i++)
		gro_add(&G, pkts[i], plen[i]);
	gro_flush(&G);
	assert_int_equal(S.n, 1);
	assert_int_equal(S.h[0].gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(rd16(S.pkt[0] + 4), 32 + 3600);
	resegment_equals(0, pkts, plen, 3);
	/* Not for a kernel without TSO6. */
	seen_reset();
	G.tcp6 = false;
	for (i = 0; i < 3; i++)
		gro_add(&G, pkts[i], plen[i]);
	assert_int_equal(S.n, 3);
	assert_int_equal(S.h[2].gso_type, VIRTIO_NET_HDR_GSO_NONE);
}

static void test_gro_bad_csum(void **state)
{
	(void)state;
	tcp_run(4, 3, 1000, 100, 0);
	pkts[1][60] ^= 1;		/* payload corrupt: TCP checksum wrong */
	gro_add(&G, pkts[0], plen[0]);
	gro_add(&G, pkts[1], plen[1]);
	/* The flow's first packet goes first, then the bad one as it came. */
	assert_int_equal(S.n, 2);
	assert_memory_equal(S.pkt[1], pkts[1], plen[1]);
	assert_int_equal(S.h[0].gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(S.h[1].flags, 0);
	assert_int_equal(G.st.bad_csum, 1);
	/* A bad IPv4 header checksum is not merged either. */
	tcp_run(4, 2, 1000, 100, 0);
	pkts[1][8] = 3;			/* TTL, header checksum not updated */
	gro_add(&G, pkts[0], plen[0]);
	gro_add(&G, pkts[1], plen[1]);
	assert_int_equal(G.st.bad_csum, 2);
	gro_flush(&G);
	assert_int_equal(S.n, 4);
}

static void test_gro_breaks(void **state)
{
	struct pk k;
	int i;

	(void)state;
	/* A gap in sequence: the flow is written, the new one held. */
	tcp_run(4, 4, 1000, 100, 0);
	gro_add(&G, pkts[0], plen[0]);
	gro_add(&G, pkts[2], plen[2]);
	assert_int_equal(S.n, 1);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	seen_reset();
	/* Only the last may be short. */
	tcp_run(4, 3, 1000, 100, 0);
	k = (struct pk){ .ver = 4, .proto = 6, .seq = 1100, .ack = 5,
			 .flags = TCP_ACK, .optlen = 12, .tsval = 9,
			 .payload = 500, .fill = 0 };
	plen[1] = build(pkts[1], &k);
	tcp_run(4, 1, 1000, 1600, 0);	/* into pkts[0]: keep a copy first */
	memcpy(pkts[2], pkts[0], plen[0]);
	plen[2] = plen[0];
	tcp_run(4, 1, 1000, 100, 0);
	for (i = 0; i < 3; i++)
		gro_add(&G, pkts[i], plen[i]);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	assert_int_equal(S.len[0], 52 + 1500);
	assert_int_equal(S.len[1], plen[2]);
	seen_reset();
	/* PSH ends a super-packet and is kept on it. */
	tcp_run(4, 3, 1000, 100, 0);
	pkts[1][33] |= TCP_PSH;
	set_l4_csum(pkts[1], plen[1]);
	for (i = 0; i < 3; i++)
		gro_add(&G, pkts[i], plen[i]);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	assert_true(S.pkt[0][33] & TCP_PSH);
	assert_int_equal(S.len[0], 52 + 2000);
	seen_reset();
	/* Other ACK, window or timestamp: a new super-packet. */
	for (i = 0; i < 3; i++) {
		tcp_run(4, 2, 1000, 100, 0);
		if (i == 0)
			wr32(pkts[1] + 28, 6);
		else if (i == 1)
			wr16(pkts[1] + 34, 501);
		else
			wr32(pkts[1] + 48, 10);
		set_l4_csum(pkts[1], plen[1]);
		gro_add(&G, pkts[0], plen[0]);
		gro_add(&G, pkts[1], plen[1]);
		gro_flush(&G);
		assert_int_equal(S.n, 2 * (i + 1));
		assert_int_equal(S.h[2 * i].gso_type, VIRTIO_NET_HDR_GSO_NONE);
	}
	seen_reset();
	/* TTL or TOS differ: the kernel could not rebuild them. */
	tcp_run(4, 2, 1000, 100, 0);
	pkts[1][1] = 0x10;
	wr16(pkts[1] + 10, 0);
	wr16(pkts[1] + 10, (uint16_t)~fold(sum16(0, pkts[1], 20)));
	gro_add(&G, pkts[0], plen[0]);
	gro_add(&G, pkts[1], plen[1]);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
}

static void test_gro_flags_not_merged(void **state)
{
	static const uint8_t bad[] = { TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK,
				       TCP_RST | TCP_ACK, TCP_URG | TCP_ACK,
				       TCP_CWR | TCP_ACK, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		seen_reset();
		tcp_run(4, 2, 1000, 100, 0);
		pkts[1][33] = bad[i];
		set_l4_csum(pkts[1], plen[1]);
		gro_add(&G, pkts[0], plen[0]);
		gro_add(&G, pkts[1], plen[1]);
		/* After the flow's held packet, in order. */
		assert_int_equal(S.n, 2);
		assert_memory_equal(S.pkt[0], pkts[0], plen[0]);
		assert_memory_equal(S.pkt[1], pkts[1], plen[1]);
	}
	/* A bare ACK (no payload) is written at once. */
	seen_reset();
	tcp_run(4, 1, 0, 100, 0);
	gro_add(&G, pkts[0], plen[0]);
	assert_int_equal(S.n, 1);
}

static void test_gro_flows(void **state)
{
	int i, f;

	(void)state;
	/* Two flows interleaved: two super-packets. */
	for (i = 0; i < 6; i++) {
		struct pk k = { .ver = 4, .proto = 6, .sport = 1000 + (i & 1),
				.seq = 100 + (i / 2) * 1000, .flags = TCP_ACK,
				.payload = 1000 };

		plen[0] = build(pkts[0], &k);
		gro_add(&G, pkts[0], plen[0]);
	}
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	assert_int_equal(S.len[0], 40 + 3000);
	assert_int_equal(S.len[1], 40 + 3000);
	seen_reset();
	/* More flows than the table: the least recently used goes out. */
	for (f = 0; f <= GRO_FLOWS; f++) {
		struct pk k = { .ver = 4, .proto = 6, .sport = 3000 + f,
				.flags = TCP_ACK, .payload = 100 };

		plen[0] = build(pkts[0], &k);
		gro_add(&G, pkts[0], plen[0]);
	}
	assert_int_equal(S.n, 1);
	assert_int_equal(rd16(S.pkt[0] + 20), 3000);
	gro_flush(&G);
	assert_int_equal(S.n, GRO_FLOWS + 1);
}

static void test_gro_64k_bound(void **state)
{
	size_t total = 0;
	int i;

	(void)state;
	tcp_run(4, 70, 1000, 1, 0);
	for (i = 0; i < 70; i++)
		gro_add(&G, pkts[i], plen[i]);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	for (i = 0; i < S.n; i++) {
		assert_true(S.len[i] <= OFL_MAX_PKT);
		total += S.len[i] - 52;
	}
	assert_int_equal(S.len[0], 52 + 65 * 1000);
	assert_int_equal(total, 70000);
}

static void test_gro_udp(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		/* IDs as the kernel's GSO gives them: one up each. */
		struct pk k = { .ver = 4, .proto = 17, .payload = i < 3 ? 1000 : 400,
				.id = (uint16_t)i, .fill = (uint8_t)i };

		plen[i] = build(pkts[i], &k);
		gro_add(&G, pkts[i], plen[i]);
	}
	gro_flush(&G);
	assert_int_equal(S.n, 1);
	assert_int_equal(S.h[0].gso_type, VIRTIO_NET_HDR_GSO_UDP_L4);
	assert_int_equal(le16toh(S.h[0].csum_offset), 6);
	assert_int_equal(le16toh(S.h[0].gso_size), 1000);
	assert_int_equal(rd16(S.pkt[0] + 24), 8 + 3400);
	resegment_equals(0, pkts, plen, 4);
	/* Without USO: one write each, as they came. */
	seen_reset();
	G.udp4 = false;
	for (i = 0; i < 4; i++)
		gro_add(&G, pkts[i], plen[i]);
	assert_int_equal(S.n, 4);
	/* A datagram without a checksum is left alone. */
	seen_reset();
	G.udp4 = true;
	wr16(pkts[0] + 26, 0);
	gro_add(&G, pkts[0], plen[0]);
	assert_int_equal(S.n, 1);
	/* A larger datagram after a smaller one starts anew. */
	seen_reset();
	gro_add(&G, pkts[3], plen[3]);
	gro_add(&G, pkts[1], plen[1]);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
}

/*
 * Small datagrams: never more than the kernel takes in one USO packet
 * (gso_size * 64 payload bytes), else it refuses the write and all of them
 * are lost.
 */
static void test_gro_udp_segment_bound(void **state)
{
	size_t total = 0;
	int i;

	(void)state;
	for (i = 0; i < 80; i++) {
		struct pk k = { .ver = 4, .proto = 17, .payload = 100,
				.id = (uint16_t)i, .fill = (uint8_t)i };

		plen[i] = build(pkts[i], &k);
		gro_add(&G, pkts[i], plen[i]);
	}
	gro_flush(&G);
	assert_true(S.n >= 2);
	for (i = 0; i < S.n; i++) {
		size_t gs = le16toh(S.h[i].gso_size);

		total += S.len[i] - 28;
		if (S.h[i].gso_type == VIRTIO_NET_HDR_GSO_UDP_L4)
			assert_true(S.len[i] - 28 <= gs * GRO_UDP_MAX_SEGS);
	}
	assert_int_equal(total, 8000);
}

/*
 * A fragment of a flow that holds datagrams (no ports of its own to find
 * the flow by) goes out after them, not before: no reordering.
 */
static void test_gro_fragment_after_flow(void **state)
{
	struct pk k = { .ver = 4, .proto = 17, .payload = 1000 };
	uint8_t frag[1100];
	size_t flen;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		k.id = (uint16_t)i;
		plen[i] = build(pkts[i], &k);
		gro_add(&G, pkts[i], plen[i]);
	}
	assert_int_equal(S.n, 0);
	k.id = 2;
	flen = build(frag, &k);
	frag[6] = 0x20;			/* MF: a first fragment */
	gro_add(&G, frag, flen);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
	assert_int_equal(S.len[0], 28 + 2000);
	assert_memory_equal(S.pkt[1], frag, flen);
	/* Another pair of hosts keeps its flow. */
	seen_reset();
	gro_add(&G, pkts[0], plen[0]);
	wr32(frag + 12, 0x0a000009);
	gro_add(&G, frag, flen);
	assert_int_equal(S.n, 1);
	assert_memory_equal(S.pkt[0], frag, flen);
	gro_flush(&G);
	assert_int_equal(S.n, 2);
}

static void test_gro_other(void **state)
{
	uint8_t p[100];
	struct pk k = { .ver = 4, .proto = 6, .flags = TCP_ACK, .payload = 60 };
	size_t len;

	(void)state;
	/* ICMP, a fragment, IP options, a bad length, not IP: as they came. */
	len = build(p, &k);
	p[9] = 1;
	gro_add(&G, p, len);
	len = build(p, &k);
	p[6] = 0x20;			/* MF */
	gro_add(&G, p, len);
	len = build(p, &k);
	p[0] = 0x46;
	gro_add(&G, p, len);
	len = build(p, &k);
	gro_add(&G, p, len - 1);
	p[0] = 0x10;
	gro_add(&G, p, len);
	gro_add(&G, p, 0);
	assert_int_equal(S.n, 6);
	assert_int_equal(G.st.merged, 0);
	/* A write that fails is reported. */
	S.fail_at = 7;
	assert_int_equal(gro_add(&G, p, len), -EIO);
	assert_int_equal(G.st.errors, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_csum_helpers, setup),
		cmocka_unit_test_setup(test_gso_none_complete_csum, setup),
		cmocka_unit_test_setup(test_gso_tcp4, setup),
		cmocka_unit_test_setup(test_gso_tcp6, setup),
		cmocka_unit_test_setup(test_gso_udp, setup),
		cmocka_unit_test_setup(test_gso_malformed, setup),
		cmocka_unit_test_setup(test_gso_emit_error, setup),
		cmocka_unit_test_setup_teardown(test_gro_tcp_merge, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_tcp6_merge, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_bad_csum, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_breaks, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_flags_not_merged,
						gro_setup, gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_flows, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_64k_bound, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_udp, gro_setup,
						gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_udp_segment_bound,
						gro_setup, gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_fragment_after_flow,
						gro_setup, gro_teardown),
		cmocka_unit_test_setup_teardown(test_gro_other, gro_setup,
						gro_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
