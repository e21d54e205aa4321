// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/sstp.h>

#include "net/netcfg.h"
#include "proto/sstp.h"
#include "util/log.h"
#include "gateway.h"
#include "gw_kmod.h"
#include "session.h"

/* After the module went away, look for it again this often. */
#define KMOD_RETRY_MS	5000

/*
 * A session on the kernel path: everything about it that only this path
 * knows, in one place (s->reg.dp points here while it is attached).
 */
struct ksession {
	struct hlist_node knode;	/* gw->ktable, by the module's id */
	struct list_head node;		/* gw->ksessions */
	struct session *s;
	uint32_t kid;			/* its id in the module */
	bool gone;			/* the module has already ended it */
	struct sstpnl_stats st;		/* counters, while dumping */
};

static struct ksession *ks_of(const struct session *s)
{
	return s->reg.dp;
}

static unsigned int kid_hash(const struct gateway *gw, uint32_t id)
{
	id *= 0x9e3779b1u;
	return (id >> 16) & gw->table_mask;
}

static struct ksession *kid_find(struct gateway *gw, uint32_t id)
{
	struct ksession *k;

	if (!gw->ktable)
		return NULL;
	hlist_for_each_entry(k, &gw->ktable[kid_hash(gw, id)], knode)
		if (k->kid == id)
			return k;
	return NULL;
}

static void on_recv(void *ctx, uint32_t id, const uint8_t *pkt, size_t len)
{
	struct ksession *k = kid_find(ctx, id);

	if (k)
		session_dp_input(k->s, pkt, len);
}

/* The module ended k's session (counters and reason in st). */
static void ks_gone(struct ksession *k, const struct sstpnl_stats *st)
{
	char why[96];

	k->gone = true;
	k->st = *st;
	snprintf(why, sizeof(why), "kernel: %s",
		 sstpnl_reason_name(st->reason));
	session_dp_lost(k->s, why);
}

static void on_del(void *ctx, const struct sstpnl_stats *st)
{
	struct gateway *gw = ctx;
	struct ksession *k = kid_find(gw, st->id);

	if (st->reason == SSTP_DEL_REASON_DEV_DELETED)
		gw->kmod_lost = true;
	if (k)
		ks_gone(k, st);
}

static const struct sstpnl_ops gw_kmod_ops = {
	.recv = on_recv,
	.del = on_del,
};

/*
 * Every session still on the kernel path (only_unseen: that the last dump
 * did not show) ends with reason. Splice, then pop from the front: a
 * session that ends leaves todo (ksession freed) before the next is taken.
 */
static void end_kernel_sessions(struct gateway *gw, uint32_t reason,
				bool only_unseen)
{
	LIST_HEAD(todo);

	list_splice_init(&gw->ksessions, &todo);
	while (!list_empty(&todo)) {
		struct ksession *k = list_first_entry(&todo, struct ksession,
						      node);

		list_move_tail(&k->node, &gw->ksessions);
		if (!k->gone && (!only_unseen || !k->st.id)) {
			struct sstpnl_stats st = { .id = k->kid,
						   .reason = reason };

			ks_gone(k, &st);
		}
	}
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

bool gw_kmod_wanted(struct gateway *gw, struct session *s)
{
	if (!gw->ktable || !s->link.ktls || gw->stopping)
		return false;
	if (!gw->kmod_on && now_ms() >= gw->kmod_retry_ms &&
	    !open_kmod(gw, true))
		gw->kmod_retry_ms = now_ms() + KMOD_RETRY_MS;
	return gw->kmod_on;
}

int gw_kmod_attach(struct gateway *gw, struct session *s)
{
	struct cidr4 host = { .addr = s->addr, .plen = 32 };
	struct sstpnl_session_opts o = {
		.fd = s->link.fd,
		.id = (uint32_t)s->id,	/* 0 (after 2^32 sessions): any */
		.ipv4 = s->addr,
		.backlog = s->link.carry,
		.backlog_len = s->link.carry_len,
		.coalesce = gw->cfg.kernel_coalesce,
	};
	struct ksession *k;
	char err[512];
	uint32_t id;
	int ret;

	if (!gw->kmod_on || s->reg.dp)
		return -ENODEV;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
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
		free(k);
		return ret;
	}
	ret = sstpnl_session_new(&gw->kmod, &o, &id, err, sizeof(err));
	if (ret) {
		netcfg_route_del(gw->kmod.ifname, &host);
		slog(SSTP_LOG_WARN, s, "kernel data path refused it: %s; staying on the %s data path",
		     err, link_path(&s->link));
		if (ret == -ENODEV || ret == -ENOENT)
			gw->kmod_lost = true;
		free(k);
		return ret;
	}
	/*
	 * The module holds the socket now (the caller lets go of its copy);
	 * it closes when the session ends.
	 */
	k->s = s;
	k->kid = id;
	hlist_add_head(&k->knode, &gw->ktable[kid_hash(gw, id)]);
	list_add_tail(&k->node, &gw->ksessions);
	s->reg.dp = k;
	gw->nkernel++;
	slog(SSTP_LOG_INFO, s, "data path kernel (%s session %u)",
	     gw->kmod.ifname, id);
	return 0;
}

int gw_kmod_xmit(struct gateway *gw, struct session *s)
{
	struct ksession *k = ks_of(s);
	struct sstp_link *l = &s->link;
	size_t head = l->tx_head;
	bool gone = !k || k->gone;
	int ret = 0;

	if (!gone)
		ret = sstpnl_send_queue(&gw->kmod, k->kid, l->tx, &l->tx_head,
					l->tx_tail);
	l->st.tx_bytes += l->tx_head - head;
	if (gone || l->tx_head == l->tx_tail)
		l->tx_head = l->tx_tail = 0;
	return ret || !k ? -1 : 0;
}

void gw_kmod_detach(struct gateway *gw, struct session *s)
{
	struct ksession *k = ks_of(s);
	struct cidr4 host = { .addr = s->addr, .plen = 32 };

	if (!k)
		return;
	hlist_del_init(&k->knode);
	list_del_init(&k->node);
	if (!k->gone && gw->kmod_on)
		sstpnl_session_del(&gw->kmod, k->kid);
	if (gw->kmod_on && s->addr)
		netcfg_route_del(gw->kmod.ifname, &host);
	s->reg.dp = NULL;
	free(k);
	gw->nkernel--;
}

void gw_kmod_info(struct gateway *gw, const struct session *s,
		  struct session_info *out)
{
	const struct ksession *k = ks_of(s);
	const struct sstpnl_stats *st;

	out->path = "kernel";
	if (!k || !k->st.id)
		return;		/* not collected */
	st = &k->st;
	out->rx_bytes += st->rx_bytes;
	out->tx_bytes += st->tx_bytes;
	out->rx_packets += st->rx_packets;
	out->tx_packets += st->tx_packets;
	out->dropped += st->rx_drop_rpf + st->rx_drop_invalid +
			st->rx_drop_ctrl + st->tx_drop_queue +
			st->tx_drop_invalid;
	out->kernel = *st;
}

static void collect_cb(void *arg, const struct sstpnl_stats *st)
{
	struct ksession *k = kid_find(arg, st->id);

	if (k)
		k->st = *st;
}

int gw_kmod_collect(struct gateway *gw)
{
	struct ksession *k;
	int ret;

	if (!gw->kmod_on)
		return -ENODEV;
	list_for_each_entry(k, &gw->ksessions, node)
		memset(&k->st, 0, sizeof(k->st));
	if (!gw->nkernel)
		return 0;
	ret = sstpnl_session_dump(&gw->kmod, collect_cb, gw);
	if (ret == -ENODEV || ret == -ENOENT)
		gw->kmod_lost = true;
	return ret;
}
