// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sstp.h>

#include "net/netcfg.h"
#include "proto/sstp.h"
#include "util/hash.h"
#include "util/log.h"
#include "gateway.h"
#include "gw_kmod.h"
#include "session.h"

/* After the module went away, look for it again this often. */
#define KMOD_RETRY_MS	5000

#define slog(lvl, s, fmt, ...) \
	sstp_log(lvl, "session %llu [%s]: " fmt, \
		 (unsigned long long)(s)->id, (s)->peer, ##__VA_ARGS__)

static unsigned int kid_hash(const struct gateway *gw, uint32_t id)
{
	return hash_u32(id, gw->table_mask);
}

static struct session *kid_find(struct gateway *gw, uint32_t id)
{
	struct session *s;

	if (!gw->ktable)
		return NULL;
	hlist_for_each_entry(s, &gw->ktable[kid_hash(gw, id)], knode)
		if (s->kid == id)
			return s;
	return NULL;
}

static void kid_add(struct gateway *gw, struct session *s)
{
	hlist_add_head(&s->knode, &gw->ktable[kid_hash(gw, s->kid)]);
}

static void kid_del(struct gateway *gw, struct session *s)
{
	hlist_del_init(&s->knode);
}

static void on_recv(void *ctx, uint32_t id, const uint8_t *pkt, size_t len)
{
	struct session *s = kid_find(ctx, id);

	if (s)
		session_kernel_input(s, pkt, len);
}

static void on_del(void *ctx, const struct sstpnl_stats *st)
{
	struct gateway *gw = ctx;
	struct session *s = kid_find(gw, st->id);

	if (st->reason == SSTP_DEL_REASON_DEV_DELETED)
		gw->kmod_lost = true;
	if (s)
		session_kernel_gone(s, st);
}

static const struct sstpnl_ops gw_kmod_ops = {
	.recv = on_recv,
	.del = on_del,
};

struct end_kernel {
	uint32_t reason;
	bool only_unseen;
};

static void end_kernel_one(struct session *s, void *arg)
{
	const struct end_kernel *e = arg;

	if (s->kpath && !s->kgone && (!e->only_unseen || !s->kst.id)) {
		struct sstpnl_stats st = { .id = s->kid, .reason = e->reason };

		session_kernel_gone(s, &st);
	}
}

/* Every session still on the kernel path ends with reason. */
static void end_kernel_sessions(struct gateway *gw, uint32_t reason,
				bool only_unseen)
{
	struct end_kernel e = { .reason = reason, .only_unseen = only_unseen };

	gateway_each_session(gw, end_kernel_one, &e);
}

static void lost(struct gateway *gw)
{
	gw->kmod_lost = false;
	log_warn("kernel data path: %s is gone (deleted, or sstp.ko unloaded); its sessions ended, new ones use the userspace data path",
		 gw->kmod.ifname);
	end_kernel_sessions(gw, SSTP_DEL_REASON_DEV_DELETED, false);
	loop_del(&gw->loop, &gw->kmod_ev);
	gw->kmod.ifindex = 0;	/* nothing left to delete */
	sstpnl_close(&gw->kmod);
	gw->kmod_on = false;
	gw->kmod_retry_ms = now_ms() + KMOD_RETRY_MS;
}

/* The module's view after lost notifications: end what it no longer has. */
static void reconcile(struct gateway *gw)
{
	log_warn("kernel data path: notifications were lost; checking sessions");
	if (!gw_kmod_collect(gw))
		end_kernel_sessions(gw, SSTP_DEL_REASON_TRANSPORT_ERROR, true);
}

void gw_kmod_poll(struct gateway *gw)
{
	int ret;

	if (!gw->kmod_on)
		return;
	ret = sstpnl_process(&gw->kmod);
	if (ret == -ENOBUFS)
		reconcile(gw);
	else if (ret)
		log_warn("kernel data path: netlink: %s", strerror(-ret));
	if (gw->kmod_lost)
		lost(gw);
}

static void kmod_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, kmod_ev));

	(void)events;
	gw_kmod_poll(gw);
}

static bool open_kmod(struct gateway *gw, bool quiet)
{
	const struct sstp_config *c = &gw->cfg;
	char err[512];

	if (sstpnl_open(&gw->kmod, &gw_kmod_ops, gw, err, sizeof(err))) {
		if (quiet)
			log_debug("kernel data path: %s", err);
		else
			log_info("kernel data path unavailable: %s; sessions use the userspace data path",
				 err);
		return false;
	}
	/* The module refuses sessions beyond it, as the gateway does. */
	gw->kmod.max_sessions = c->max_sessions;
	if (sstpnl_dev_create(&gw->kmod, c->kernel_interface, c->mtu, err,
			    sizeof(err))) {
		log_warn("kernel data path unavailable: %s; sessions use the userspace data path",
			 err);
		sstpnl_close(&gw->kmod);
		return false;
	}
	gw->kmod_ev.fd = sstpnl_fd(&gw->kmod);
	gw->kmod_ev.cb = kmod_ev;
	if (loop_add(&gw->loop, &gw->kmod_ev, EPOLLIN)) {
		sstpnl_close(&gw->kmod);
		return false;
	}
	gw->kmod_on = true;
	if (gw->kmod.replaced)
		log_info("kernel data path: replaced the sstp device %s left by an earlier gateway",
			 gw->kmod.ifname);
	log_notice("kernel data path: sstp device %s; sessions on kernel TLS use it",
		   gw->kmod.ifname);
	return true;
}

void gw_kmod_start(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;

	gw->kmod_ev.fd = -1;
	if (!c->kernel_path) {
		log_info("kernel data path: off (KernelDataPath = off)");
		return;
	}
	if (!c->kernel_tls) {
		log_info("kernel data path: off (it needs KernelTLS = yes)");
		return;
	}
	gw->ktable = calloc(gw->table_mask + 1, sizeof(*gw->ktable));
	if (!gw->ktable) {
		log_warn("kernel data path: out of memory");
		return;
	}
	if (!open_kmod(gw, false))
		gw->kmod_retry_ms = now_ms() + KMOD_RETRY_MS;
}

void gw_kmod_stop(struct gateway *gw)
{
	if (gw->kmod_on) {
		loop_del(&gw->loop, &gw->kmod_ev);
		sstpnl_close(&gw->kmod);	/* deletes the device */
		gw->kmod_on = false;
	}
	free(gw->ktable);
	gw->ktable = NULL;
}

bool gw_kmod_wanted(struct session *s)
{
	struct gateway *gw = s->gw;

	if (!gw->ktable || !s->link.ktls || gw->stopping)
		return false;
	if (!gw->kmod_on && now_ms() >= gw->kmod_retry_ms &&
	    !open_kmod(gw, true))
		gw->kmod_retry_ms = now_ms() + KMOD_RETRY_MS;
	return gw->kmod_on;
}

void gw_kmod_attach(struct session *s)
{
	struct gateway *gw = s->gw;
	struct cidr4 host = { .addr = s->addr, .plen = 32 };
	struct sstpnl_session_opts o = {
		.fd = s->link.fd,
		.id = (uint32_t)s->id,	/* 0 (after 2^32 sessions): any */
		.ipv4 = s->addr,
		.backlog = s->link.carry,
		.backlog_len = s->link.carry_len,
		.coalesce = gw->cfg.kernel_coalesce,
	};
	char err[512];
	uint32_t id;
	int ret;

	if (!gw->kmod_on || s->kpath)
		return;
	/* From the gateway's inner address, as through the TUN. */
	ret = netcfg_route_add_src(gw->kmod.ifname, &host, gw->cfg.address);
	if (ret == -EEXIST) {
		netcfg_route_del(gw->kmod.ifname, &host);
		ret = netcfg_route_add_src(gw->kmod.ifname, &host,
					   gw->cfg.address);
	}
	if (ret) {
		slog(SSTP_LOG_WARN, s,
		     "no route to %s: %s; staying on the %s data path",
		     gw->kmod.ifname, strerror(-ret), link_path(&s->link));
		return;
	}
	ret = sstpnl_session_new(&gw->kmod, &o, &id, err, sizeof(err));
	if (ret) {
		netcfg_route_del(gw->kmod.ifname, &host);
		slog(SSTP_LOG_WARN, s, "kernel data path refused it: %s; staying on the %s data path",
		     err, link_path(&s->link));
		if (ret == -ENODEV || ret == -ENOENT)
			gw->kmod_lost = true;
		return;
	}
	/* The module holds the socket now; it closes when the session ends. */
	loop_del(&gw->loop, &s->ev);
	close(s->link.fd);
	s->link.fd = s->ev.fd = -1;
	s->link.carry_len = 0;
	s->kpath = true;
	s->kid = id;
	kid_add(gw, s);
	gw->nkernel++;
	slog(SSTP_LOG_INFO, s, "data path kernel (%s session %u)",
	     gw->kmod.ifname, id);
}

int gw_kmod_flush(struct session *s)
{
	struct sstp_link *l = &s->link;
	size_t head = l->tx_head;
	int ret = 0;

	if (!s->kgone)
		ret = sstpnl_send_queue(&s->gw->kmod, s->kid, l->tx, &l->tx_head,
				      l->tx_tail);
	l->st.tx_bytes += l->tx_head - head;
	if (s->kgone || l->tx_head == l->tx_tail)
		l->tx_head = l->tx_tail = 0;
	return ret ? -1 : 0;
}

void gw_kmod_detach(struct session *s)
{
	struct gateway *gw = s->gw;
	struct cidr4 host = { .addr = s->addr, .plen = 32 };

	if (!s->kpath || !s->kid)
		return;
	kid_del(gw, s);
	if (!s->kgone && gw->kmod_on)
		sstpnl_session_del(&gw->kmod, s->kid);
	s->kgone = true;
	if (gw->kmod_on && s->addr)
		netcfg_route_del(gw->kmod.ifname, &host);
	s->kid = 0;
	gw->nkernel--;
}

static void collect_cb(void *arg, const struct sstpnl_stats *st)
{
	struct session *s = kid_find(arg, st->id);

	if (s)
		s->kst = *st;
}

int gw_kmod_collect(struct gateway *gw)
{
	struct session *s;
	int ret;

	if (!gw->kmod_on)
		return -ENODEV;
	list_for_each_entry(s, &gw->sessions, node)
		if (s->kpath)
			memset(&s->kst, 0, sizeof(s->kst));
	if (!gw->nkernel)
		return 0;
	ret = sstpnl_session_dump(&gw->kmod, collect_cb, gw);
	if (ret == -ENODEV || ret == -ENOENT)
		gw->kmod_lost = true;
	return ret;
}
