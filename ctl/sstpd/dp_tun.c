// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/netcfg.h"
#include "util/log.h"
#include "dp.h"
#include "dp_tun.h"
#include "gateway.h"
#include "session.h"
#include "steer.h"

#define TUN_BATCH	256
#define TUN_BUF		65536

/*
 * One queue of the TUN device per worker (IFF_MULTI_QUEUE with more than
 * one), read and written only on its worker's thread.
 */
struct tun_queue {
	struct ev ev;
	struct worker *w;
	uint8_t buf[TUN_BUF];
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

/*
 * One packet from the stack: to its session on this worker, or to the
 * worker that owns it (the kernel picked another queue), or counted.
 */
static void tun_rx_packet(struct tun_queue *q, const uint8_t *pkt, size_t n)
{
	struct worker *w = q->w, *owner;
	struct session *s;
	uint32_t dst;

	if (n < 20 || (pkt[0] >> 4) != 4)
		return;		/* IPv4 only on this path */
	dst = ip4_dst(pkt);
	s = worker_find_addr(w, dst);
	if (s) {
		session_send_ip(s, pkt, n);
		return;
	}
	owner = worker_owner(w->gw, dst);
	if (owner && owner != w)
		worker_handoff(w, owner, pkt, n);
	else
		w->ctr.tun_no_session++;
}

static void tun_queue_ev(struct ev *ev, uint32_t events)
{
	struct tun_queue *q = container_of(ev, struct tun_queue, ev);
	int i;

	for (i = 0; i < TUN_BATCH; i++) {
		ssize_t n = read(ev->fd, q->buf, sizeof(q->buf));

		if (n < 0)
			break;
		tun_rx_packet(q, q->buf, (size_t)n);
	}
	worker_handoff_flush(q->w);
}

/* The queue of worker idx, on fd, in that worker's loop. */
static int queue_add(struct dp_tun *t, unsigned int idx, int fd)
{
	struct worker *w = t->dp.gw->w[idx];
	struct tun_queue *q = t->q[idx];

	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q) {
			close(fd);
			return -ENOMEM;
		}
		t->q[idx] = q;
	}
	q->w = w;
	q->ev.fd = fd;
	q->ev.cb = tun_queue_ev;
	w->tq = q;
	return loop_add(w->loop, &q->ev, EPOLLIN);
}

int dp_tun_use_fd(struct dp *dp, int fd)
{
	return queue_add(tun_of(dp), 0, fd);
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
	gw->steer = steer_open(gw->w[0]->tq->ev.fd, gw->nworkers, why,
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
	unsigned int i;
	int fd, ret;

	/*
	 * Its name is the gateway's (the control socket's, the log's). One
	 * worker: a plain device, as ever; more: a queue each.
	 */
	for (i = 0; i < gw->nworkers; i++) {
		if (gw->nworkers == 1)
			fd = tun_open(c->interface, gw->ifname);
		else
			fd = tun_open_mq(i ? gw->ifname : c->interface,
					 gw->ifname);
		if (fd < 0) {
			log_err("cannot create TUN device %s%s: %s",
				c->interface, i ? " (a queue)" : "",
				strerror(-fd));
			return fd;
		}
		ret = queue_add(t, i, fd);
		if (ret)
			return ret;
	}
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
		struct tun_queue *q = t->q[i];

		if (!q)
			continue;
		if (q->ev.fd >= 0)
			close(q->ev.fd);
		if (q->w)
			q->w->tq = NULL;
		free(q);
	}
	free(t);
}

/* Into the stack through the queue of the session's worker. */
static void tun_path_transmit(struct dp *dp, struct session *s,
			 const uint8_t *pkt, size_t len)
{
	struct worker *w = s->reg.w;

	if (!w->tq || write(w->tq->ev.fd, pkt, len) < 0)
		w->ctr.tun_rx_errors++;
}

static const struct dp_ops dp_tun_ops = {
	.name = "tun",
	.open = tun_path_open,
	.close = tun_path_close,
	.transmit = tun_path_transmit,
};

struct dp *dp_tun_new(struct gateway *gw)
{
	struct dp_tun *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->dp.ops = &dp_tun_ops;
	t->dp.gw = gw;
	return &t->dp;
}
