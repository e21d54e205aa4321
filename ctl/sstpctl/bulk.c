// SPDX-License-Identifier: GPL-2.0
/*
 * Load-mode bulk flows: the datagram each session sends, its pace, its
 * window, and the check of what comes back.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"

#define BULK_MAGIC	0x53535442u	/* "SSTB" */
#define BULK_SPORT	40000		/* + session index, wrapping */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint16_t ip_csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * The IPv4 checksum is computed once (DF, ID 0) and UDP goes without one
 * (0: none, allowed on IPv4), so that sending costs a copy and no sums.
 */
int bulk_flow_init(struct bulk_flow *f, const struct bulk_opts *o, uint32_t id,
		   uint32_t src, uint32_t dst, uint64_t now)
{
	size_t n = BULK_HDR + o->size;
	uint16_t ck, sport = (uint16_t)(BULK_SPORT + id % 20000);
	uint8_t *p = malloc(n);

	if (!p)
		return -ENOMEM;
	memset(f, 0, sizeof(*f));
	memset(p, 0, BULK_HDR);
	p[0] = 0x45;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[6] = 0x40;	/* DF: never fragmented on the way */
	p[8] = 64;
	p[9] = 17;	/* UDP */
	put32(p + 12, src);
	put32(p + 16, dst);
	ck = ip_csum(p, 20);
	p[10] = (uint8_t)(ck >> 8);
	p[11] = (uint8_t)ck;
	p[20] = (uint8_t)(sport >> 8);
	p[21] = (uint8_t)sport;
	p[22] = (uint8_t)(o->port >> 8);
	p[23] = (uint8_t)o->port;
	p[24] = (uint8_t)((n - 20) >> 8);
	p[25] = (uint8_t)(n - 20);
	put32(p + BULK_HDR, BULK_MAGIC);
	put32(p + BULK_HDR + 4, id);
	memset(p + BULK_HDR + BULK_MIN, 0xa5, o->size - BULK_MIN);
	f->pkt = p;
	f->id = id;
	f->progress_ms = now;
	f->cwnd = o->window < 2 ? o->window : 2;
	f->ssthresh = o->window;
	return 0;
}

void bulk_flow_free(struct bulk_flow *f)
{
	free(f->pkt);
	f->pkt = NULL;
}

void bulk_flow_tick(struct bulk_flow *f, const struct bulk_opts *o,
		    uint64_t elapsed_ms, uint64_t now)
{
	if (o->mbit) {
		/* At most 50 ms of credit: a stalled flow does not burst. */
		double cap = o->mbit * 1e6 / 8 / 20 + o->size;

		f->credit += o->mbit * 1e6 / 8 / 1000 * (double)elapsed_ms;
		if (f->credit > cap)
			f->credit = cap;
	}
	/* Like a retransmission timeout: what is missing is lost. */
	if (o->window && f->inflight >= f->cwnd &&
	    now - f->progress_ms >= BULK_STALL_MS) {
		f->inflight = 0;
		f->progress_ms = now;
		f->expect = f->recover = f->seq;
		f->ssthresh = f->cwnd / 2 > 2 ? f->cwnd / 2 : 2;
		f->cwnd = 2;
	}
}

bool bulk_can_send(const struct bulk_flow *f, const struct bulk_opts *o)
{
	return f->pkt && (!o->mbit || f->credit >= o->size) &&
	       (!o->window || f->inflight < f->cwnd);
}

const uint8_t *bulk_next(struct bulk_flow *f, const struct bulk_opts *o)
{
	put32(f->pkt + BULK_HDR + 8, (uint32_t)(f->seq >> 32));
	put32(f->pkt + BULK_HDR + 12, (uint32_t)f->seq);
	return f->pkt;
}

void bulk_sent(struct bulk_flow *f, const struct bulk_opts *o,
	       struct bulk_stats *st)
{
	f->seq++;
	f->inflight++;
	if (o->mbit)
		f->credit -= o->size;
	st->tx++;
	st->tx_bytes += o->size;
}

/*
 * The echo of seq came back. One path, so echoes come in order: a gap
 * means the datagrams in it were dropped (at the gateway's TUN queue, as a
 * rule). Halve once per window of losses, grow like TCP otherwise, so that
 * the aggregate is what the path carries, not what it drops.
 */
static void window_update(struct bulk_flow *f, const struct bulk_opts *o,
			  uint64_t seq)
{
	if (seq < f->expect || seq >= f->seq)
		return;		/* late (given up on), or never sent */
	if (seq > f->expect) {
		uint64_t gap = seq - f->expect;

		f->inflight -= gap < f->inflight ? (unsigned int)gap :
			       f->inflight;
		if (seq > f->recover) {
			f->ssthresh = f->cwnd / 2 > 2 ? f->cwnd / 2 : 2;
			f->cwnd = f->ssthresh;
			f->acked = 0;
			f->recover = f->seq;
		}
	}
	f->expect = seq + 1;
	if (f->cwnd < f->ssthresh) {
		f->cwnd++;
	} else if (++f->acked >= f->cwnd) {
		f->cwnd++;
		f->acked = 0;
	}
	if (f->cwnd > o->window)
		f->cwnd = o->window;
}

bool bulk_input(struct bulk_flow *f, const struct bulk_opts *o,
		const uint8_t *p, size_t n, uint64_t now,
		struct bulk_stats *st)
{
	size_t ihl;

	if (!o->port || n < 20 || p[0] >> 4 != 4 || p[9] != 17)
		return false;
	ihl = (size_t)(p[0] & 15) * 4;
	if (ihl < 20 || n < ihl + 8 ||
	    (uint16_t)(p[ihl] << 8 | p[ihl + 1]) != o->port)
		return false;
	if (!f->pkt || n < ihl + 8 + BULK_MIN || n > ihl + 8 + o->size ||
	    get32(p + ihl + 8) != BULK_MAGIC || get32(p + ihl + 12) != f->id) {
		st->bad++;
		return true;
	}
	st->rx++;
	st->rx_bytes += n - ihl - 8;
	f->progress_ms = now;
	if (f->inflight)
		f->inflight--;
	if (o->window)
		window_update(f, o, (uint64_t)get32(p + ihl + 16) << 32 |
				    get32(p + ihl + 20));
	return true;
}
