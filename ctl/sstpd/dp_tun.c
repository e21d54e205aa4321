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

#define TUN_BATCH	256
#define TUN_BUF		65536

struct dp_tun {
	struct dp dp;
	struct ev ev;
	uint8_t buf[TUN_BUF];
};

static struct dp_tun *tun_of(struct dp *dp)
{
	return container_of(dp, struct dp_tun, dp);
}

static void tun_path_ev(struct ev *ev, uint32_t events)
{
	struct dp_tun *t = container_of(ev, struct dp_tun, ev);
	struct gateway *gw = t->dp.gw;
	int i;

	for (i = 0; i < TUN_BATCH; i++) {
		ssize_t n = read(ev->fd, t->buf, sizeof(t->buf));
		struct session *s;
		uint32_t dst;

		if (n < 0)
			break;
		if (n < 20 || (t->buf[0] >> 4) != 4)
			continue;	/* IPv4 only on this path */
		dst = (uint32_t)t->buf[16] << 24 | (uint32_t)t->buf[17] << 16 |
		      (uint32_t)t->buf[18] << 8 | t->buf[19];
		s = gateway_find_addr(gw, dst);
		if (!s) {
			gw->ctr.tun_no_session++;
			continue;
		}
		session_send_ip(s, t->buf, (size_t)n);
	}
}

int dp_tun_use_fd(struct dp *dp, int fd)
{
	struct dp_tun *t = tun_of(dp);

	t->ev.fd = fd;
	t->ev.cb = tun_path_ev;
	return loop_add(&dp->gw->loop, &t->ev, EPOLLIN);
}

static int tun_path_open(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);
	struct gateway *gw = dp->gw;
	const struct sstp_config *c = &gw->cfg;
	int fd, ret;

	/* Its name is the gateway's (the control socket's, the log's). */
	fd = tun_open(c->interface, gw->ifname);
	if (fd < 0) {
		log_err("cannot create TUN device %s: %s", c->interface,
			strerror(-fd));
		return fd;
	}
	t->ev.fd = fd;
	dp->dev = gw->ifname;
	ret = netcfg_link_up(gw->ifname, c->mtu);
	if (!ret)
		ret = netcfg_addr_add(gw->ifname, c->address, c->pool.plen, 0);
	if (ret) {
		log_err("cannot configure %s: %s", gw->ifname, strerror(-ret));
		return ret;
	}
	return dp_tun_use_fd(dp, fd);
}

static void tun_path_close(struct dp *dp)
{
	struct dp_tun *t = tun_of(dp);

	if (t->ev.fd >= 0)
		close(t->ev.fd);
	free(t);
}

static void tun_path_transmit(struct dp *dp, struct session *s,
			 const uint8_t *pkt, size_t len)
{
	if (write(tun_of(dp)->ev.fd, pkt, len) < 0)
		dp->gw->ctr.tun_rx_errors++;
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
	t->ev.fd = -1;
	return &t->dp;
}
