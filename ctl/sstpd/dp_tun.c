// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/netcfg.h"
#include "net/tun.h"
#include "proto/ppp.h"
#include "util/log.h"
#include "dp.h"
#include "dp_tun.h"
#include "gateway.h"
#include "session.h"

#define TUN_BATCH	256

struct dp_tun {
	struct dp dp;
	struct ev ev;
	struct tunq q;
};

static struct dp_tun *tun_of(struct dp *dp)
{
	return container_of(dp, struct dp_tun, dp);
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

static void tun_path_ev(struct ev *ev, uint32_t events)
{
	struct dp_tun *t = container_of(ev, struct dp_tun, ev);
	struct gateway *gw = t->dp.gw;
	int i;

	for (i = 0; i < TUN_BATCH; i++) {
		uint8_t *p;
		ssize_t n = tunq_read(&t->q, &p);
		struct session *s;
		uint32_t dst;

		if (n == -EINVAL)
			continue;
		if (n <= 0)
			break;
		if (n < 20 || (p[0] >> 4) != 4)
			continue;	/* IPv4 only on this path */
		dst = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 |
		      (uint32_t)p[18] << 8 | p[19];
		s = gateway_find_addr(gw, dst);
		if (!s) {
			gw->ctr.tun_no_session++;
			continue;
		}
		/* A super-packet: cut to what this session's client takes. */
		tunq_segments(&t->q, p, (size_t)n, session_mtu(s), to_session,
			      s);
	}
}

int dp_tun_use_fd(struct dp *dp, int fd)
{
	struct dp_tun *t = tun_of(dp);
	int ret;

	if (t->q.fd != fd) {
		ret = tunq_adopt(&t->q, fd);
		if (ret)
			return ret;
	}
	t->ev.fd = fd;
	t->ev.cb = tun_path_ev;
	return loop_add(&dp->gw->loop, &t->ev, EPOLLIN);
}

static int tun_path_open(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);
	struct gateway *gw = dp->gw;
	const struct sstp_config *c = &gw->cfg;
	char offs[64];
	int ret;

	/* Its name is the gateway's (the control socket's, the log's). */
	ret = tunq_open(&t->q, c->interface, 0, c->tun_offload, gw->ifname);
	if (ret) {
		log_err("cannot create TUN device %s: %s", c->interface,
			strerror(-ret));
		return ret;
	}
	tunq_offload_str(&t->q.off, offs, sizeof(offs));
	log_info("%s: TUN offloads: %s%s%s", gw->ifname, offs,
		 t->q.off.why[0] ? "; " : "", t->q.off.why);
	t->ev.fd = t->q.fd;
	dp->dev = gw->ifname;
	ret = netcfg_link_up(gw->ifname, c->mtu);
	if (!ret)
		ret = netcfg_addr_add(gw->ifname, c->address, c->pool.plen, 0);
	if (ret) {
		log_err("cannot configure %s: %s", gw->ifname, strerror(-ret));
		return ret;
	}
	return dp_tun_use_fd(dp, t->q.fd);
}

static void tun_path_close(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);

	if (t->q.rbuf)
		tunq_close(&t->q);
	else if (t->ev.fd >= 0)
		close(t->ev.fd);
	free(t);
}

static void tun_path_transmit(struct dp *dp, struct session *s,
			      const uint8_t *pkt, size_t len)
{
	if (tunq_write(&tun_of(dp)->q, pkt, len))
		dp->gw->ctr.tun_rx_errors++;
}

/* The end of an event batch: what the coalescer holds goes out. */
static void tun_path_flush(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);

	if (t->q.rbuf)
		tunq_flush(&t->q);
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
	return &tun_of(dp)->q.off;
}

const struct tunq_stats *dp_tun_stats(struct dp *dp)
{
	return &tun_of(dp)->q.st;
}

struct dp *dp_tun_new(struct gateway *gw)
{
	struct dp_tun *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->dp.ops = &dp_tun_ops;
	t->dp.gw = gw;
	t->ev.fd = -1;
	t->q.fd = -1;
	return &t->dp;
}
