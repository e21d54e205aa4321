/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One TUN queue with offloads: opened with IFF_VNET_HDR and TUNSETOFFLOAD
 * (checksum, TSO4/6, USO4/6 where the kernel has them), a reader that
 * yields the segments of each super-packet it reads, and a writer that
 * coalesces the packets handed to it into super-packets, one write()
 * each, flushed at the end of every batch. Without offloads (or on a
 * descriptor that is not a TUN device) one packet per read and write, as
 * before. All state is in the queue object: one per thread.
 */
#ifndef _SSTP_TUN_H
#define _SSTP_TUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <net/if.h>

#include "proto/offload.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6	0x40
#endif

struct tun_offload {
	bool vnet;			/* IFF_VNET_HDR: headers on every packet */
	bool csum, tso4, tso6, uso4, uso6;
	char why[128];			/* why not (all of) them, or "" */
};

struct tunq_stats {
	uint64_t rx_reads, rx_segments;	/* reads; packets they made */
	uint64_t rx_bad;		/* malformed super-packets, dropped */
	uint64_t tx_packets, tx_writes;	/* packets given; writes they made */
	uint64_t tx_errors;		/* failed writes */
};

struct tunq {
	int fd;
	struct tun_offload off;
	struct virtio_net_hdr rx_hdr;	/* of the last read */
	uint8_t *rbuf;			/* VNET_HDR_LEN + OFL_MAX_PKT */
	uint8_t *seg;			/* OFL_MAX_PKT: segments are cut here */
	struct gro gro;
	bool gro_on;
	struct tunq_stats st;
};

/*
 * Create or attach a TUN device (IFF_TUN | IFF_NO_PI | extra_flags, e.g.
 * IFF_MULTI_QUEUE), non-blocking, with offloads when offload is true;
 * q->off says which took and why not the others. 0 or -errno.
 */
int tunq_open(struct tunq *q, const char *name, int extra_flags,
	      bool offload, char actual[IF_NAMESIZE]);
/* Adopt a descriptor as it is (no offloads). 0 or -ENOMEM. */
int tunq_adopt(struct tunq *q, int fd);
/* Close the descriptor and free the buffers. */
void tunq_close(struct tunq *q);

/*
 * One read: the length of the packet (maybe a super-packet) now at *pkt,
 * 0 when there is nothing to read, or -errno.
 */
ssize_t tunq_read(struct tunq *q, uint8_t **pkt);
/*
 * Hand the packet of the last read to emit in segments of at most mtu
 * bytes (gso_split). Packets emitted, or -errno (counted in rx_bad when
 * the packet was malformed).
 */
int tunq_segments(struct tunq *q, uint8_t *pkt, size_t len, size_t mtu,
		  ofl_emit_fn emit, void *ctx);

/* An IP packet into the stack (held for coalescing). 0 or -errno. */
int tunq_write(struct tunq *q, const uint8_t *pkt, size_t len);
/* The end of a batch: write what is held. */
void tunq_flush(struct tunq *q);

/* "csum tso4 tso6 uso4 uso6" or "off", for logs. */
void tunq_offload_str(const struct tun_offload *o, char *out, size_t len);

#endif
