// SPDX-License-Identifier: GPL-2.0
/*
 * Coalescing of consecutive TCP segments (and equal UDP datagrams) of one
 * flow into one super-packet for the TUN device, as the kernel's GRO does:
 * one write() carries up to 64 KiB. A packet is merged only after its own
 * checksums check out; anything else is written as it came, after what
 * its flow holds, so that no flow is reordered.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/wire.h"
#include "offload.h"

#define TCP_ACK	0x10
#define TCP_PSH	0x08

/* What gro_add learns of a packet. */
struct gro_pkt {
	const uint8_t *p;
	size_t len, l4off, hdrlen, payload;
	uint8_t ver, proto;
	bool keyed;		/* a TCP or UDP packet: it has a flow */
	bool mergeable;
};

int gro_init(struct gro *g, gro_write_fn write, void *ctx)
{
	int i;

	memset(g, 0, sizeof(*g));
	g->mem = malloc((size_t)GRO_FLOWS * OFL_MAX_PKT);
	if (!g->mem)
		return -ENOMEM;
	for (i = 0; i < GRO_FLOWS; i++)
		g->flow[i].pkt = g->mem + (size_t)i * OFL_MAX_PKT;
	g->write = write;
	g->ctx = ctx;
	return 0;
}

void gro_free(struct gro *g)
{
	free(g->mem);
	g->mem = NULL;
}

static bool csum_ok(const uint8_t *p, size_t len, size_t l4off, uint8_t proto)
{
	uint32_t s = ofl_pseudo_sum(p, proto, (uint32_t)(len - l4off));

	return ofl_csum_fold(ofl_csum_add(s, p + l4off, len - l4off)) ==
	       0xffff;
}

/* Parse pkt; sets keyed when it has ports, mergeable when it may merge. */
static void classify(struct gro *g, struct gro_pkt *k, const uint8_t *p,
		     size_t len)
{
	memset(k, 0, sizeof(*k));
	k->p = p;
	k->len = len;
	if (!len)
		return;
	k->ver = p[0] >> 4;
	if (k->ver == 4) {
		/* No options, no fragments, the length as the kernel sent it. */
		if (len < 20 || (p[0] & 0x0f) != 5 || get16(p + 2) != len ||
		    (get16(p + 6) & 0x3fff))
			return;
		k->l4off = 20;
		k->proto = p[9];
	} else if (k->ver == 6) {
		if (len < 40 || (size_t)get16(p + 4) + 40 != len)
			return;
		k->l4off = 40;
		k->proto = p[6];
	} else {
		return;
	}
	if (k->proto == 6) {
		uint8_t fl;

		if (len < k->l4off + 20)
			return;
		k->hdrlen = k->l4off + (size_t)(p[k->l4off + 12] >> 4) * 4;
		if (k->hdrlen < k->l4off + 20 || k->hdrlen > len)
			return;
		k->keyed = true;
		fl = p[k->l4off + 13];
		if ((fl & ~(TCP_ACK | TCP_PSH)) || !(fl & TCP_ACK) ||
		    !(k->ver == 4 ? g->tcp4 : g->tcp6))
			return;
	} else if (k->proto == 17) {
		if (len < k->l4off + 8)
			return;
		k->hdrlen = k->l4off + 8;
		k->keyed = true;
		/* A UDP checksum of 0 (IPv4: none) is left as it is. */
		if (get16(p + k->l4off + 4) != len - k->l4off ||
		    !get16(p + k->l4off + 6) ||
		    !(k->ver == 4 ? g->udp4 : g->udp6))
			return;
	} else {
		return;
	}
	k->payload = len - k->hdrlen;
	if (!k->payload)
		return;
	if (k->ver == 4 &&
	    ofl_csum_fold(ofl_csum_add(0, p, 20)) != 0xffff) {
		g->st.bad_csum++;
		return;
	}
	if (!csum_ok(p, len, k->l4off, k->proto)) {
		g->st.bad_csum++;
		return;
	}
	k->mergeable = true;
}

/* Same flow: version, protocol, addresses and ports. */
static bool same_flow(const struct gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *a = f->pkt, *b = k->p;

	if (!f->used || f->proto != k->proto || (a[0] >> 4) != k->ver ||
	    f->l4off != k->l4off)
		return false;
	if (k->ver == 4 ? memcmp(a + 12, b + 12, 8) : memcmp(a + 8, b + 8, 32))
		return false;
	return !memcmp(a + f->l4off, b + k->l4off, 4);
}

/* May k go at the end of f's super-packet? */
static bool can_append(const struct gro_flow *f, const struct gro_pkt *k)
{
	const uint8_t *a = f->pkt, *b = k->p;
	size_t t = f->l4off;

	if (f->closed || !k->mergeable || k->payload > f->gso_size ||
	    f->len + k->payload > OFL_MAX_PKT || k->hdrlen != f->hdrlen)
		return false;
	if (k->ver == 4) {
		/* TOS, DF, TTL: what the kernel keeps for every segment. */
		if (a[1] != b[1] || (a[6] & 0x40) != (b[6] & 0x40) ||
		    a[8] != b[8])
			return false;
	} else {
		if (memcmp(a, b, 4) || a[7] != b[7])
			return false;
	}
	if (k->proto == 17)
		return f->count < GRO_UDP_MAX_SEGS;
	/* TCP: in sequence, same ACK and window, same options. */
	return get32(b + t + 4) == f->next_seq &&
	       !memcmp(a + t + 8, b + t + 8, 4) &&
	       !memcmp(a + t + 14, b + t + 14, 2) &&
	       !memcmp(a + t + 20, b + t + 20, f->hdrlen - t - 20);
}

static int write_plain(struct gro *g, const uint8_t *p, size_t len)
{
	struct virtio_net_hdr h = { 0 };
	int r = g->write(g->ctx, &h, p, len);

	g->st.out++;
	if (r)
		g->st.errors++;
	return r;
}

/* Write out what f holds: one packet as it came, or a super-packet. */
static int flow_flush(struct gro *g, struct gro_flow *f)
{
	struct virtio_net_hdr h = { 0 };
	uint8_t *p = f->pkt;
	size_t l4len = f->len - f->l4off;
	int r;

	if (!f->used)
		return 0;
	f->used = 0;
	if (f->count == 1)
		return write_plain(g, p, f->len);
	if ((p[0] >> 4) == 4) {
		put16(p + 2, (uint16_t)f->len);
		put16(p + 10, 0);
		put16(p + 10, (uint16_t)~ofl_csum_fold(ofl_csum_add(0, p, 20)));
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	} else {
		put16(p + 4, (uint16_t)(f->len - 40));
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	}
	h.csum_start = htole16(f->l4off);
	if (f->proto == 17) {
		put16(p + f->l4off + 4, (uint16_t)l4len);
		h.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
		h.csum_offset = htole16(6);
	} else {
		h.csum_offset = htole16(16);
	}
	/* The kernel adds the rest: the field holds the pseudo-header sum. */
	put16(p + f->l4off + le16toh(h.csum_offset),
	      ofl_csum_fold(ofl_pseudo_sum(p, f->proto, (uint32_t)l4len)));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.hdr_len = htole16(f->hdrlen);
	h.gso_size = htole16(f->gso_size);
	r = g->write(g->ctx, &h, p, f->len);
	g->st.out++;
	if (r)
		g->st.errors++;
	return r;
}

static void flow_start(struct gro *g, struct gro_flow *f,
		       const struct gro_pkt *k)
{
	memcpy(f->pkt, k->p, k->len);
	f->len = k->len;
	f->used = ++g->tick;
	f->l4off = (uint16_t)k->l4off;
	f->hdrlen = (uint16_t)k->hdrlen;
	f->gso_size = (uint16_t)k->payload;
	f->proto = k->proto;
	f->count = 1;
	f->closed = k->proto == 6 && (k->p[k->l4off + 13] & TCP_PSH);
	if (k->proto == 6)
		f->next_seq = get32(k->p + k->l4off + 4) + (uint32_t)k->payload;
}

static void flow_append(struct gro *g, struct gro_flow *f,
			const struct gro_pkt *k)
{
	memcpy(f->pkt + f->len, k->p + k->hdrlen, k->payload);
	f->len += k->payload;
	f->used = ++g->tick;
	f->count++;
	g->st.merged += f->count == 2 ? 2 : 1;
	if (k->payload < f->gso_size)
		f->closed = true;	/* only the last may be short */
	if (k->proto == 6) {
		f->next_seq += (uint32_t)k->payload;
		if (k->p[k->l4off + 13] & TCP_PSH) {
			f->pkt[f->l4off + 13] |= TCP_PSH;
			f->closed = true;
		}
	}
}

/*
 * A packet that has no flow of its own here (a fragment, IP options, a
 * length that does not add up) may still be part of one that is held: the
 * flows between its two hosts go out first. 0 or the last -errno.
 */
static int flush_hosts(struct gro *g, const uint8_t *p, size_t len)
{
	unsigned int ver = len ? p[0] >> 4 : 0;
	int i, r, ret = 0;

	if (!((ver == 4 && len >= 20) || (ver == 6 && len >= 40)))
		return 0;
	for (i = 0; i < GRO_FLOWS; i++) {
		struct gro_flow *f = &g->flow[i];
		const uint8_t *a = f->pkt;

		if (!f->used || (a[0] >> 4) != ver ||
		    (ver == 4 ? memcmp(a + 12, p + 12, 8) :
				memcmp(a + 8, p + 8, 32)))
			continue;
		r = flow_flush(g, f);
		if (r)
			ret = r;
	}
	return ret;
}

int gro_add(struct gro *g, const uint8_t *pkt, size_t len)
{
	struct gro_flow *f = NULL, *lru = NULL;
	struct gro_pkt k;
	int i, r = 0;

	g->st.in++;
	if (len > OFL_MAX_PKT)
		return write_plain(g, pkt, len);
	classify(g, &k, pkt, len);
	if (k.keyed) {
		for (i = 0; i < GRO_FLOWS; i++) {
			struct gro_flow *c = &g->flow[i];

			if (same_flow(c, &k)) {
				f = c;
				break;
			}
			if (!lru || c->used < lru->used)
				lru = c;
		}
	}
	if (!k.mergeable) {
		/* After what its flow holds, never before. */
		if (f)
			r = flow_flush(g, f);
		else if (!k.keyed)
			r = flush_hosts(g, pkt, len);
		i = write_plain(g, pkt, len);
		return i ? i : r;
	}
	if (f && can_append(f, &k)) {
		flow_append(g, f, &k);
		return 0;
	}
	if (!f) {
		f = lru;
		/* The table is full: the least recently used flow goes. */
		if (f->used)
			r = flow_flush(g, f);
	} else {
		r = flow_flush(g, f);
	}
	flow_start(g, f, &k);
	return r;
}

int gro_flush(struct gro *g)
{
	int i, r, ret = 0;

	for (i = 0; i < GRO_FLOWS; i++) {
		r = flow_flush(g, &g->flow[i]);
		if (r)
			ret = r;
	}
	return ret;
}
