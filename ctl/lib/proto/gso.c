// SPDX-License-Identifier: GPL-2.0
/*
 * Segmentation of TUN super-packets (TSO, USO) in userspace, and the
 * checksum helpers shared with the coalescer (gro.c).
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "util/wire.h"
#include "offload.h"

#define TCP_FIN	0x01
#define TCP_PSH	0x08
#define TCP_CWR	0x80

uint32_t ofl_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	uint64_t s = 0, a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	uint32_t w, v[4];
	uint16_t h;
	size_t i = 0;

	/*
	 * The ones' complement sum does not care about byte order (RFC 1071
	 * 2(B)): add native 32-bit words, fold, and swap once at the end.
	 * Four sums side by side: no carry is lost below 2^32 words each.
	 */
	for (; i + 16 <= n; i += 16) {
		memcpy(v, p + i, 16);
		a0 += v[0];
		a1 += v[1];
		a2 += v[2];
		a3 += v[3];
	}
	s = (a0 & 0xffffffff) + (a0 >> 32) + (a1 & 0xffffffff) + (a1 >> 32) +
	    (a2 & 0xffffffff) + (a2 >> 32) + (a3 & 0xffffffff) + (a3 >> 32);
	for (; i + 4 <= n; i += 4) {
		memcpy(&w, p + i, 4);
		s += w;
	}
	if (i + 2 <= n) {
		memcpy(&h, p + i, 2);
		s += h;
		i += 2;
	}
	if (i < n) {
		h = 0;
		memcpy(&h, p + i, 1);
		s += h;
	}
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	h = be16toh((uint16_t)s);
	/* At most 0x1fffe: the caller's running sum never wraps. */
	return (uint32_t)(sum & 0xffff) + (sum >> 16) + h;
}

uint16_t ofl_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t ofl_pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4len)
{
	uint32_t s = proto + (l4len >> 16) + (l4len & 0xffff);

	if ((ip[0] >> 4) == 4)
		return ofl_csum_add(s, ip + 12, 8);
	return ofl_csum_add(s, ip + 8, 32);
}

/* Set the L4 checksum of the packet at ip, L4 header at l4off. */
static void l4_csum(uint8_t *ip, size_t len, size_t l4off, uint8_t proto,
		    size_t csum_at)
{
	uint32_t s = ofl_pseudo_sum(ip, proto, (uint32_t)(len - l4off));
	uint16_t c;

	put16(ip + csum_at, 0);
	c = (uint16_t)~ofl_csum_fold(ofl_csum_add(s, ip + l4off, len - l4off));
	/* UDP: 0 means "no checksum"; the kernel sends 0xffff then. */
	put16(ip + csum_at, c ? c : 0xffff);
}

static void ip4_csum(uint8_t *ip, size_t ihl)
{
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~ofl_csum_fold(ofl_csum_add(0, ip, ihl)));
}

/* Complete a partial checksum: the field holds the pseudo-header sum. */
static int complete_csum(const struct virtio_net_hdr *h, uint8_t *pkt,
			 size_t len)
{
	size_t start = le16toh(h->csum_start), at;
	uint16_t c;

	at = start + le16toh(h->csum_offset);
	if (start >= len || at + 2 > len)
		return -EINVAL;
	c = (uint16_t)~ofl_csum_fold(ofl_csum_add(0, pkt + start,
						  len - start));
	put16(pkt + at, c ? c : 0xffff);
	return 0;
}

/* Where the headers of a GSO packet end; its L4 offset and protocol. */
static int gso_headers(const struct virtio_net_hdr *h, const uint8_t *pkt,
		       size_t len, size_t *l4off, size_t *hdrlen,
		       uint8_t *proto)
{
	uint8_t type = h->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
	unsigned int ver = len ? pkt[0] >> 4 : 0;

	if (ver == 4) {
		size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;

		if (len < 20 || ihl < 20 || ihl > len ||
		    (type != VIRTIO_NET_HDR_GSO_TCPV4 &&
		     type != VIRTIO_NET_HDR_GSO_UDP_L4))
			return -EINVAL;
		*l4off = ihl;
		*proto = pkt[9];
	} else if (ver == 6) {
		/* Extension headers: the kernel's TCP and UDP send none. */
		if (len < 40 || (type != VIRTIO_NET_HDR_GSO_TCPV6 &&
				 type != VIRTIO_NET_HDR_GSO_UDP_L4))
			return -EINVAL;
		*l4off = 40;
		*proto = pkt[6];
	} else {
		return -EINVAL;
	}
	if (type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		if (*proto != 17)
			return -EINVAL;
		*hdrlen = *l4off + 8;
	} else {
		if (*proto != 6 || *l4off + 20 > len)
			return -EINVAL;
		*hdrlen = *l4off + (size_t)(pkt[*l4off + 12] >> 4) * 4;
		if (*hdrlen < *l4off + 20)
			return -EINVAL;
	}
	if (*hdrlen > len)
		return -EINVAL;
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    le16toh(h->csum_start) != *l4off)
		return -EINVAL;
	return 0;
}

int gso_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len,
	      size_t mtu, uint8_t *scratch, ofl_emit_fn emit, void *ctx)
{
	size_t l4off, hdrlen, mss, payload, off;
	uint32_t seq = 0;
	uint16_t id = 0;
	uint8_t proto;
	bool v4;
	int n = 0, r;

	if (len > OFL_MAX_PKT)
		return -EINVAL;
	if (h->gso_type == VIRTIO_NET_HDR_GSO_NONE) {
		if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    complete_csum(h, pkt, len))
			return -EINVAL;
		r = emit(ctx, pkt, len);
		return r < 0 ? r : 1;
	}
	if (gso_headers(h, pkt, len, &l4off, &hdrlen, &proto))
		return -EINVAL;
	mss = le16toh(h->gso_size);
	if (!mss)
		return -EINVAL;
	/* TCP adapts to the path: segments that fit this session. */
	if (proto == 6 && mtu > hdrlen && mtu - hdrlen < mss)
		mss = mtu - hdrlen;
	v4 = (pkt[0] >> 4) == 4;
	if (v4)
		id = get16(pkt + 4);
	if (proto == 6)
		seq = get32(pkt + l4off + 4);
	payload = len - hdrlen;
	off = 0;
	do {
		size_t chunk = payload - off < mss ? payload - off : mss;
		size_t slen = hdrlen + chunk;
		bool first = off == 0, last = off + chunk >= payload;
		uint8_t *s = scratch;

		memcpy(s, pkt, hdrlen);
		memcpy(s + hdrlen, pkt + hdrlen + off, chunk);
		if (v4) {
			put16(s + 2, (uint16_t)slen);
			put16(s + 4, (uint16_t)(id + n));
			ip4_csum(s, l4off);
		} else {
			put16(s + 4, (uint16_t)(slen - 40));
		}
		if (proto == 6) {
			uint8_t *fl = s + l4off + 13;

			put32(s + l4off + 4, seq + (uint32_t)off);
			if (!last)
				*fl &= (uint8_t)~(TCP_FIN | TCP_PSH);
			if (!first)
				*fl &= (uint8_t)~TCP_CWR;
			l4_csum(s, slen, l4off, proto, l4off + 16);
		} else {
			put16(s + l4off + 4, (uint16_t)(slen - l4off));
			l4_csum(s, slen, l4off, proto, l4off + 6);
		}
		r = emit(ctx, s, slen);
		if (r < 0)
			return r;
		n++;
		off += chunk;
	} while (off < payload);
	return n;
}
