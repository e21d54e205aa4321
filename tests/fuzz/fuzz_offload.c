// SPDX-License-Identifier: GPL-2.0
/*
 * TUN offloads. Input byte 0 picks the target:
 *   even: the segmenter: a virtio-net header (10 bytes), the MTU (2 bytes,
 *         big-endian), then the packet; bit 1 of byte 0: fix the
 *         packet's checksums first (so that the parser gets past them);
 *   odd:  the coalescer, with bits 1-4 allowing TCP4/TCP6/UDP4/UDP6
 *         super-packets: then packets, each "length (2 bytes), fix (1
 *         byte), bytes".
 * Invariants: segments stay in bounds and within the MTU (TCP) or
 * gso_size (UDP), their payloads add up to the super-packet's and their
 * checksums hold; every packet given to the coalescer comes out exactly
 * once, whole super-packets cut again to the packets that went in.
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t pkt[OFL_MAX_PKT], scratch[OFL_MAX_PKT], copy[OFL_MAX_PKT];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

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

/* Where L4 starts and which protocol, for a plain IPv4/IPv6 packet. */
static bool l4_of(const uint8_t *p, size_t len, size_t *l4, uint8_t *proto)
{
	if (len >= 20 && (p[0] >> 4) == 4 && (p[0] & 15) >= 5 &&
	    (size_t)(p[0] & 15) * 4 <= len) {
		*l4 = (size_t)(p[0] & 15) * 4;
		*proto = p[9];
		return true;
	}
	if (len >= 40 && (p[0] >> 4) == 6) {
		*l4 = 40;
		*proto = p[6];
		return true;
	}
	return false;
}

static bool l4_ok(const uint8_t *p, size_t len)
{
	uint8_t proto;
	size_t l4;
	uint32_t s;

	if (!l4_of(p, len, &l4, &proto))
		return false;
	s = proto + (uint32_t)(len - l4);
	s = (p[0] >> 4) == 4 ? sum16(s, p + 12, 8) : sum16(s, p + 8, 32);
	return fold(sum16(s, p + l4, len - l4)) == 0xffff;
}

/* Valid IPv4 header and L4 checksums, where the packet has them. */
static void fix(uint8_t *p, size_t len)
{
	uint8_t proto;
	size_t l4, at;
	uint32_t s;
	uint16_t c;

	if (!l4_of(p, len, &l4, &proto))
		return;
	if ((p[0] >> 4) == 4) {
		p[10] = p[11] = 0;
		c = (uint16_t)~fold(sum16(0, p, l4));
		p[10] = (uint8_t)(c >> 8);
		p[11] = (uint8_t)c;
	}
	at = l4 + (proto == 6 ? 16 : 6);
	if ((proto != 6 && proto != 17) || at + 2 > len)
		return;
	p[at] = p[at + 1] = 0;
	s = proto + (uint32_t)(len - l4);
	s = (p[0] >> 4) == 4 ? sum16(s, p + 12, 8) : sum16(s, p + 8, 32);
	c = (uint16_t)~fold(sum16(s, p + l4, len - l4));
	if (!c)
		c = 0xffff;
	p[at] = (uint8_t)(c >> 8);
	p[at + 1] = (uint8_t)c;
}

/* The segmenter. */
struct split_ctx {
	size_t max, total, n;
	bool gso, check;
};

static int on_segment(void *ctx, const uint8_t *p, size_t len)
{
	struct split_ctx *c = ctx;

	if (len > c->max || len > OFL_MAX_PKT)
		__builtin_trap();
	if (c->check && !l4_ok(p, len))
		__builtin_trap();
	if ((p[0] >> 4) == 4 && c->check &&
	    (rd16(p + 2) != len || fold(sum16(0, p, (size_t)(p[0] & 15) * 4)) != 0xffff))
		__builtin_trap();
	c->total += len;
	c->n++;
	return 0;
}

static void fuzz_split(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr h;
	struct split_ctx c = { 0 };
	size_t len, mtu, l4 = 0, hdrlen = 0, gs;
	uint8_t proto = 0, type;
	int r;

	if (size < 1 + sizeof(h) + 2)
		return;
	memcpy(&h, data + 1, sizeof(h));
	mtu = rd16(data + 1 + sizeof(h));
	len = size - 1 - sizeof(h) - 2;
	if (len > OFL_MAX_PKT)
		len = OFL_MAX_PKT;
	memcpy(pkt, data + 1 + sizeof(h) + 2, len);
	if (data[0] & 2)
		fix(pkt, len);
	type = h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	gs = le16toh(h.gso_size);
	c.gso = h.gso_type != VIRTIO_NET_HDR_GSO_NONE;
	c.max = len;
	if (c.gso && l4_of(pkt, len, &l4, &proto)) {
		hdrlen = proto == 6 && l4 + 13 < len ?
			 l4 + (size_t)(pkt[l4 + 12] >> 4) * 4 : l4 + 8;
		/* TCP: within the MTU or gso_size; UDP: gso_size. */
		if (type == VIRTIO_NET_HDR_GSO_UDP_L4)
			c.max = hdrlen + gs;
		else if (mtu > hdrlen && mtu < hdrlen + gs)
			c.max = mtu;
		else
			c.max = hdrlen + gs;
		c.check = true;
	}
	memcpy(copy, pkt, len);
	r = gso_split(&h, pkt, len, mtu, scratch, on_segment, &c);
	if (r < 0) {
		if (r != -EINVAL || c.n)
			__builtin_trap();
		return;
	}
	if ((size_t)r != c.n || !r)
		__builtin_trap();
	/* The payload, cut and whole: every byte once. */
	if (c.gso && c.total - c.n * hdrlen != len - hdrlen)
		__builtin_trap();
	if (!c.gso && c.total != len)
		__builtin_trap();
}

/* The coalescer. */
static size_t given, written;

static int count_one(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	if (!l4_ok(p, len))
		__builtin_trap();
	written++;
	return 0;
}

static int on_write(void *ctx, const struct virtio_net_hdr *h,
		    const uint8_t *p, size_t len)
{
	int r;

	(void)ctx;
	if (len > OFL_MAX_PKT)
		__builtin_trap();
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if (h->flags)
			__builtin_trap();
		written++;
		return 0;
	}
	/* What the kernel does with it: cut again, checksums complete. */
	memcpy(copy, p, len);
	r = gso_split(h, copy, len, 65535, scratch, count_one, NULL);
	if (r < 2)
		__builtin_trap();
	return 0;
}

static void fuzz_gro(const uint8_t *data, size_t size)
{
	struct gro g;
	size_t off = 1;

	if (gro_init(&g, on_write, NULL))
		return;
	g.tcp4 = data[0] & 2;
	g.tcp6 = data[0] & 4;
	g.udp4 = data[0] & 8;
	g.udp6 = data[0] & 16;
	given = written = 0;
	while (off + 3 <= size) {
		size_t len = rd16(data + off);
		uint8_t f = data[off + 2];

		off += 3;
		if (len > size - off)
			len = size - off;
		memcpy(pkt, data + off, len);
		off += len;
		if (f & 1)
			fix(pkt, len);
		if (gro_add(&g, pkt, len))
			__builtin_trap();
		given++;
		if (f & 2) {
			gro_flush(&g);
			if (written != given)
				__builtin_trap();
		}
	}
	gro_flush(&g);
	if (written != given || g.st.in != given)
		__builtin_trap();
	gro_free(&g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		fuzz_gro(data, size);
	else
		fuzz_split(data, size);
	return 0;
}
