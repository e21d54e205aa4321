// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "net/netcfg.h"
#include "net/tun.h"
#include "proto/ppp.h"
#include "util/log.h"
#include "dp.h"
#include "dp_tun.h"
#include "gateway.h"
#include "session.h"
#include "steer.h"

#define TUN_BATCH	256

/*
 * One queue of the TUN device per worker (IFF_MULTI_QUEUE with more than
 * one), read and written only on its worker's thread. Its tunq holds the
 * read buffer, the segment scratch and the coalescer of what goes in.
 */
struct tun_queue {
	struct ev ev;
	struct worker *w;
	struct tunq q;
};

struct dp_tun {
	struct dp dp;
	struct tun_queue *q[CONFIG_MAX_WORKERS];
};

static struct dp_tun *tun_of(struct dp *dp)
{
	return container_of(dp, struct dp_tun, dp);
}

static uint32_t ip4_dst(const uint8_t *p)
{
	return (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 |
	       (uint32_t)p[18] << 8 | p[19];
}

static int to_session(void *ctx, const uint8_t *pkt, size_t len)
{
	session_send_ip(ctx, pkt, len);
	return 0;
}

/* What a session's client takes: its MRU, by LCP. */
static size_t session_mtu(const struct session *s)
{
	return s->ppp ? ppp_peer_mru(s->ppp) : s->host->cfg->mtu;
}

struct handoff {
	struct worker *from, *to;
};

static int to_worker(void *ctx, const uint8_t *pkt, size_t len)
{
	struct handoff *h = ctx;

	worker_handoff(h->from, h->to, pkt, len);
	return 0;
}

/*
 * One packet (maybe a super-packet) from the stack: cut to its session's
 * MRU on this worker; or, when the kernel put it on another worker's queue
 * (no steering program), cut to the device's MTU and handed to the owner
 * in plain packets; or counted.
 */
static void tun_rx_packet(struct tun_queue *tq, uint8_t *pkt, size_t n)
{
	struct worker *w = tq->w;
	struct handoff h = { .from = w };
	struct session *s;
	uint32_t dst;

	if (n < 20 || (pkt[0] >> 4) != 4)
		return;		/* IPv4 only on this path */
	dst = ip4_dst(pkt);
	s = worker_find_addr(w, dst);
	if (s) {
		tunq_segments(&tq->q, pkt, n, session_mtu(s), to_session, s);
		return;
	}
	h.to = worker_owner(w->gw, dst);
	if (h.to && h.to != w)
		tunq_segments(&tq->q, pkt, n, w->gw->cfg.mtu, to_worker, &h);
	else
		w->ctr.tun_no_session++;
}

static void tun_queue_ev(struct ev *ev, uint32_t events)
{
	struct tun_queue *tq = container_of(ev, struct tun_queue, ev);
	int i;

	for (i = 0; i < TUN_BATCH; i++) {
		uint8_t *p;
		ssize_t n = tunq_read(&tq->q, &p);

		if (n == -EINVAL)
			continue;	/* malformed: counted, dropped */
		if (n <= 0)
			break;
		tun_rx_packet(tq, p, (size_t)n);
	}
	worker_handoff_flush(tq->w);
}

/* The queue of worker idx, in that worker's loop; q is open. */
static int queue_add(struct dp_tun *t, unsigned int idx,
		     struct tun_queue *tq)
{
	struct worker *w = t->dp.gw->w[idx];

	t->q[idx] = tq;
	tq->w = w;
	tq->ev.fd = tq->q.fd;
	tq->ev.cb = tun_queue_ev;
	w->tq = tq;
	return loop_add(w->loop, &tq->ev, EPOLLIN);
}

int dp_tun_use_fd(struct dp *dp, int fd)
{
	struct tun_queue *tq = calloc(1, sizeof(*tq));
	int ret;

	if (!tq) {
		close(fd);
		return -ENOMEM;
	}
	ret = tunq_adopt(&tq->q, fd);
	if (ret) {
		close(fd);
		free(tq);
		return ret;
	}
	return queue_add(tun_of(dp), 0, tq);
}

/*
 * With several queues: the steering program puts each packet on the queue
 * of the worker that owns its destination (queue i is worker i: they are
 * attached in that order). Without it (no BPF, no privilege, an old
 * kernel) the hand-off ring carries what lands on the wrong queue.
 */
static void steer_start(struct gateway *gw)
{
	char why[256] = "";

	/* Tests set it to run the hand-off where steering would load. */
	if (getenv("SSTPD_NO_STEER")) {
		log_notice("TUN steering: off (SSTPD_NO_STEER is set); packets on another worker's queue go through the hand-off ring");
		return;
	}
	gw->steer = steer_open(gw->w[0]->tq->q.fd, gw->nworkers, why,
			       sizeof(why));
	if (gw->steer)
		log_info("TUN steering: eBPF program attached, %u queues",
			 gw->nworkers);
	else
		log_notice("TUN steering: off (%s); packets on another worker's queue go through the hand-off ring",
			   why[0] ? why : "unavailable");
}

static int tun_path_open(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);
	struct gateway *gw = dp->gw;
	const struct sstp_config *c = &gw->cfg;
	int mq = gw->nworkers > 1 ? IFF_MULTI_QUEUE : 0;
	char offs[64];
	unsigned int i;
	int ret;

	/*
	 * Its name is the gateway's (the control socket's, the log's). One
	 * worker: a plain device, as ever; more: a queue each, the first
	 * call creating the device, the others attaching to it.
	 */
	for (i = 0; i < gw->nworkers; i++) {
		struct tun_queue *tq = calloc(1, sizeof(*tq));

		if (!tq)
			return -ENOMEM;
		ret = tunq_open(&tq->q, i ? gw->ifname : c->interface, mq,
				c->tun_offload, gw->ifname);
		if (ret) {
			log_err("cannot create TUN device %s%s: %s",
				c->interface, i ? " (a queue)" : "",
				strerror(-ret));
			free(tq);
			return ret;
		}
		ret = queue_add(t, i, tq);
		if (ret)
			return ret;
	}
	tunq_offload_str(&t->q[0]->q.off, offs, sizeof(offs));
	log_info("%s: TUN offloads: %s%s%s", gw->ifname, offs,
		 t->q[0]->q.off.why[0] ? "; " : "", t->q[0]->q.off.why);
	dp->dev = gw->ifname;
	if (gw->nworkers > 1)
		steer_start(gw);
	ret = netcfg_link_up(gw->ifname, c->mtu);
	if (!ret)
		ret = netcfg_addr_add(gw->ifname, c->address, c->pool.plen, 0);
	if (ret) {
		log_err("cannot configure %s: %s", gw->ifname, strerror(-ret));
		return ret;
	}
	return 0;
}

static void tun_path_close(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);
	unsigned int i;

	/* Its duplicate of queue 0 goes first (steer.h). */
	steer_close(dp->gw->steer);
	dp->gw->steer = NULL;
	for (i = 0; i < CONFIG_MAX_WORKERS; i++) {
		struct tun_queue *tq = t->q[i];

		if (!tq)
			continue;
		tunq_close(&tq->q);
		if (tq->w)
			tq->w->tq = NULL;
		free(tq);
	}
	free(t);
}

/* Into the stack through the queue of the session's worker (coalesced). */
static void tun_path_transmit(struct dp *dp, struct session *s,
			      const uint8_t *pkt, size_t len)
{
	struct worker *w = s->reg.w;

	if (!w->tq || tunq_write(&w->tq->q, pkt, len))
		w->ctr.tun_rx_errors++;
}

/* The end of w's event batch: what its coalescer holds goes out. */
static void tun_path_flush(struct dp *dp, struct worker *w)
{
	if (w->tq)
		tunq_flush(&w->tq->q);
}

static const struct dp_ops dp_tun_ops = {
	.name = "tun",
	.open = tun_path_open,
	.close = tun_path_close,
	.transmit = tun_path_transmit,
	.flush = tun_path_flush,
};

const struct tun_offload *dp_tun_offload(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);

	return t->q[0] ? &t->q[0]->q.off : NULL;
}

void dp_tun_add_stats(struct worker *w, struct tunq_stats *sum)
{
	const struct tunq_stats *st;

	if (!w->tq)
		return;
	st = &w->tq->q.st;
	sum->rx_reads += st->rx_reads;
	sum->rx_segments += st->rx_segments;
	sum->rx_bad += st->rx_bad;
	sum->tx_packets += st->tx_packets;
	sum->tx_writes += st->tx_writes;
	sum->tx_errors += st->tx_errors;
}

struct dp *dp_tun_new(struct gateway *gw)
{
	struct dp_tun *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->dp.ops = &dp_tun_ops;
	t->dp.gw = gw;
	return &t->dp;
}
