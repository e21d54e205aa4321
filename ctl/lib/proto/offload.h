/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TUN offloads, pure packet code (no I/O): the virtio-net header the TUN
 * device puts before each packet with IFF_VNET_HDR, cutting a TSO/USO
 * super-packet into segments (gso.c) and coalescing consecutive segments
 * of a flow into one super-packet (gro.c), the way the kernel's GSO and
 * GRO do. The kernel that reads what we write verifies every checksum.
 */
#ifndef _SSTP_OFFLOAD_H
#define _SSTP_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

/* Newer than Debian 12's (6.1) headers: UDP segmentation offload (6.2). */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

#define VNET_HDR_LEN	sizeof(struct virtio_net_hdr)
#define OFL_MAX_PKT	65535	/* one IP packet, super-packets included */

/* The Internet checksum: a 32-bit running sum, then folded to 16 bits. */
uint32_t ofl_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t ofl_csum_fold(uint32_t sum);
/* The pseudo-header's sum for an IPv4 or IPv6 packet at ip (by version). */
uint32_t ofl_pseudo_sum(const uint8_t *ip, uint8_t proto, uint32_t l4len);

/* A packet ready for the next stage; a negative return stops the caller. */
typedef int (*ofl_emit_fn)(void *ctx, const uint8_t *pkt, size_t len);

/*
 * Cut pkt (len bytes, read with virtio-net header h) into IP packets of at
 * most mtu bytes and hand each to emit. TCP (v4, v6): segments carry at
 * most min(gso_size, mtu - headers) bytes of payload; UDP (USO): gso_size
 * as given. Lengths, IPv4 IDs and header checksums, TCP sequence numbers
 * and flags (FIN/PSH on the last segment, CWR on the first), and full L4
 * checksums are set on each. A non-GSO packet is passed on whole, its
 * partial checksum (NEEDS_CSUM) completed first; so is a packet whose
 * headers leave no room under mtu. Segments are built in scratch
 * (OFL_MAX_PKT bytes); pkt is modified in place.
 *
 * Returns the number of packets emitted, -EINVAL for a header or packet
 * that does not add up (nothing emitted), or emit's negative return.
 */
int gso_split(const struct virtio_net_hdr *h, uint8_t *pkt, size_t len,
	      size_t mtu, uint8_t *scratch, ofl_emit_fn emit, void *ctx);

/* The coalescer. */
#define GRO_FLOWS	8	/* flows in flight per batch */
/*
 * Datagrams in one UDP super-packet: virtio_net_hdr_to_skb refuses (EINVAL)
 * a USO packet of more than gso_size * UDP_MAX_SEGMENTS payload bytes
 * (UDP_MAX_SEGMENTS: 64, 128 since 6.13; the check is in 6.11 and stable
 * kernels), and every datagram in it is lost.
 */
#define GRO_UDP_MAX_SEGS	64

/* Write one packet with its virtio-net header. 0 or -errno. */
typedef int (*gro_write_fn)(void *ctx, const struct virtio_net_hdr *h,
			    const uint8_t *pkt, size_t len);

struct gro_flow {
	uint8_t *pkt;		/* OFL_MAX_PKT bytes: headers, payloads */
	size_t len;
	uint64_t used;		/* last touched (gro.tick); 0: free */
	uint16_t l4off, hdrlen;
	uint16_t gso_size;	/* payload of the first segment */
	uint8_t proto;
	bool closed;		/* a short or PSH segment ended it */
	uint32_t next_seq;	/* TCP */
	unsigned int count;
};

struct gro_stats {
	uint64_t in;		/* packets given */
	uint64_t out;		/* writes */
	uint64_t merged;	/* packets that went into a super-packet */
	uint64_t bad_csum;	/* passed on as they came, never merged */
	uint64_t errors;	/* writes that failed */
};

struct gro {
	struct gro_flow flow[GRO_FLOWS];
	bool tcp4, tcp6;	/* may write TCP super-packets (TSO4/6) */
	bool udp4, udp6;	/* UDP super-packets (USO4/6) */
	uint64_t tick;
	gro_write_fn write;
	void *ctx;
	struct gro_stats st;
	uint8_t *mem;
};

/* 0 or -ENOMEM. Which kinds it may build: set tcp4... after. */
int gro_init(struct gro *g, gro_write_fn write, void *ctx);
void gro_free(struct gro *g);
/*
 * One IP packet towards the TUN device: merged into a flow's super-packet
 * or written (after the packets of its flow held so far). 0, or the
 * write's -errno (the packet is lost, as a failed write would lose it).
 */
int gro_add(struct gro *g, const uint8_t *pkt, size_t len);
/* Write every held super-packet; the end of a batch. 0 or the last -errno. */
int gro_flush(struct gro *g);

#endif
