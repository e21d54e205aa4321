/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Load-mode bulk traffic (sstpctl connect --load N --bulk PORT), one flow
 * per session: UDP datagrams from the session's address to a reflector on
 * the gateway (tests/tools/sstp-reflect.c) and the echoes that come back.
 * The datagrams and the window; no I/O here (cmd_connect.c sends).
 */
#ifndef _SSTPCTL_BULK_H
#define _SSTPCTL_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BULK_HDR	28		/* IPv4 (20) + UDP (8) */
#define BULK_MIN	16		/* magic, session, sequence */
#define BULK_STALL_MS	200		/* a full window without an echo: lost */

struct bulk_opts {
	uint16_t port;			/* the reflector's UDP port */
	unsigned int size;		/* UDP payload bytes, BULK_MIN.. */
	double mbit;			/* pace per flow; 0: none */
	unsigned int window;		/* most in flight; 0: open loop */
};

struct bulk_stats {
	uint64_t tx, tx_bytes;		/* datagrams and payload bytes sent */
	uint64_t rx, rx_bytes;		/* echoed back, valid */
	uint64_t bad;			/* UDP from the port, not ours */
};

struct bulk_flow {
	uint8_t *pkt;			/* BULK_HDR + size, NULL: no flow */
	uint32_t id;			/* the session's index */
	uint64_t seq;			/* next to send */
	double credit;			/* bytes it may send now (paced) */
	unsigned int inflight;		/* sent, not echoed nor given up on */
	uint64_t progress_ms;		/* last echo, or window reopened */
	/* Like TCP's congestion window, in datagrams, up to opts.window. */
	unsigned int cwnd, ssthresh, acked;
	uint64_t expect;		/* next sequence number to come back */
	uint64_t recover;		/* no second halving before this one */
};

/*
 * Build flow id's datagram from src to dst (host order): only the
 * sequence number changes later. 0 or -ENOMEM.
 */
int bulk_flow_init(struct bulk_flow *f, const struct bulk_opts *o, uint32_t id,
		   uint32_t src, uint32_t dst, uint64_t now);
void bulk_flow_free(struct bulk_flow *f);
/* Time passed: pace credit, and a window stalled too long written off. */
void bulk_flow_tick(struct bulk_flow *f, const struct bulk_opts *o,
		    uint64_t elapsed_ms, uint64_t now);
/* Pace and window allow one more datagram. */
bool bulk_can_send(const struct bulk_flow *f, const struct bulk_opts *o);
/* The next datagram (BULK_HDR + size bytes); bulk_sent() once it is queued. */
const uint8_t *bulk_next(struct bulk_flow *f, const struct bulk_opts *o);
void bulk_sent(struct bulk_flow *f, const struct bulk_opts *o,
	       struct bulk_stats *st);
/*
 * An IPv4 packet the flow's session received: true when it was UDP from
 * the reflector's port (counted as an echo, or as bad when it is not one
 * of this flow's datagrams), false when it is something else.
 */
bool bulk_input(struct bulk_flow *f, const struct bulk_opts *o,
		const uint8_t *p, size_t n, uint64_t now,
		struct bulk_stats *st);

#endif
