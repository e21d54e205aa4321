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
#include "dp.h"
#include "dp_kernel.h"
#include "gateway.h"
#include "session.h"

/* After the module went away, look for it again this often. */
#define KMOD_RETRY_MS	5000

struct dp_kernel {
	struct dp dp;
	struct sstpnl nl;
	struct ev ev;
	bool on;			/* the device is there */
	bool lost;			/* ... and has just gone */
	uint64_t retry_ms;
	struct hlist_head *table;	/* its sessions by the module's id */
	unsigned int mask;
	struct list_head sessions;	/* ... and all of them */
};

/*
 * A session on the kernel path: everything about it that only this path
 * knows, in one place (s->reg.dp_priv while s->reg.dp is this path).
 */
struct ksession {
	struct hlist_node knode;	/* dp_kernel.table */
	struct list_head node;		/* dp_kernel.sessions */
	struct session *s;
	uint32_t kid;			/* its id in the module */
	bool gone;			/* the module has already ended it */
	struct sstpnl_stats st;		/* counters, while dumping */
};

static struct dp_kernel *kp_of(struct dp *dp)
{
	return container_of(dp, struct dp_kernel, dp);
}

static struct ksession *ks_of(const struct session *s)
{
	return s->reg.dp_priv;
}

static unsigned int kid_hash(const struct dp_kernel *kp, uint32_t id)
{
	return hash_u32(id, kp->mask);
}

static struct ksession *kid_find(struct dp_kernel *kp, uint32_t id)
{
	struct ksession *k;

	hlist_for_each_entry(k, &kp->table[kid_hash(kp, id)], knode)
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
	struct dp_kernel *kp = ctx;
	struct ksession *k = kid_find(kp, st->id);

	if (st->reason == SSTP_DEL_REASON_DEV_DELETED)
		kp->lost = true;
	if (k)
		ks_gone(k, st);
}

static const struct sstpnl_ops kernel_nl_ops = {
	.recv = on_recv,
	.del = on_del,
};

/*
 * Every session still on the kernel path (only_unseen: that the last dump
 * did not show) ends with reason. Splice, then pop from the front: a
 * session that ends leaves the walk list (its ksession freed) before the
 * next is taken.
 */
static void end_kernel_sessions(struct dp_kernel *kp, uint32_t reason,
				bool only_unseen)
{
	LIST_HEAD(walk);

	list_splice_init(&kp->sessions, &walk);
	while (!list_empty(&walk)) {
		struct ksession *k = list_first_entry(&walk, struct ksession,
						      node);

		list_move_tail(&k->node, &kp->sessions);
		if (!k->gone && (!only_unseen || !k->st.id)) {
			struct sstpnl_stats st = { .id = k->kid,
						   .reason = reason };

			ks_gone(k, &st);
		}
	}
}

static void lost(struct dp_kernel *kp)
{
	struct gateway *gw = kp->dp.gw;

	kp->lost = false;
	log_warn("kernel data path: %s is gone (deleted, or sstp.ko unloaded); its sessions ended, new ones use the userspace data path",
		 kp->nl.ifname);
	end_kernel_sessions(kp, SSTP_DEL_REASON_DEV_DELETED, false);
	loop_del(&gw->loop, &kp->ev);
	kp->nl.ifindex = 0;	/* nothing left to delete */
	sstpnl_close(&kp->nl);
	kp->on = false;
	kp->dp.dev = NULL;
	kp->retry_ms = now_ms() + KMOD_RETRY_MS;
}

static int kernel_collect(struct dp *dp);

/* The module's view after lost notifications: end what it no longer has. */
static void reconcile(struct dp_kernel *kp)
{
	log_warn("kernel data path: notifications were lost; checking sessions");
	if (!kernel_collect(&kp->dp))
		end_kernel_sessions(kp, SSTP_DEL_REASON_TRANSPORT_ERROR, true);
}

static void kernel_poll(struct dp *dp)
{
	struct dp_kernel *kp = kp_of(dp);
	int ret;

	if (!kp->on)
		return;
	ret = sstpnl_process(&kp->nl);
	if (ret == -ENOBUFS)
		reconcile(kp);
	else if (ret)
		log_warn("kernel data path: netlink: %s", strerror(-ret));
	if (kp->lost)
		lost(kp);
}

static bool kernel_pending(struct dp *dp)
{
	return kp_of(dp)->on && sstpnl_pending(&kp_of(dp)->nl);
}

static void kernel_ev(struct ev *ev, uint32_t events)
{
	(void)events;
	kernel_poll(&container_of(ev, struct dp_kernel, ev)->dp);
}

static bool open_module(struct dp_kernel *kp, bool quiet)
{
	struct gateway *gw = kp->dp.gw;
	const struct sstp_config *c = &gw->cfg;
	char err[512];

	if (sstpnl_open(&kp->nl, &kernel_nl_ops, kp, err, sizeof(err))) {
		if (quiet)
			log_debug("kernel data path: %s", err);
		else
			log_info("kernel data path unavailable: %s; sessions use the userspace data path",
				 err);
		return false;
	}
	/* The module refuses sessions beyond it, as the gateway does. */
	kp->nl.max_sessions = c->max_sessions;
	if (sstpnl_dev_create(&kp->nl, c->kernel_interface, c->mtu, err,
			      sizeof(err))) {
		log_warn("kernel data path unavailable: %s; sessions use the userspace data path",
			 err);
		sstpnl_close(&kp->nl);
		return false;
	}
	kp->ev.fd = sstpnl_fd(&kp->nl);
	kp->ev.cb = kernel_ev;
	if (loop_add(&gw->loop, &kp->ev, EPOLLIN)) {
		sstpnl_close(&kp->nl);
		return false;
	}
	kp->on = true;
	kp->dp.dev = kp->nl.ifname;
	if (kp->nl.replaced)
		log_info("kernel data path: replaced the sstp device %s left by an earlier gateway",
			 kp->nl.ifname);
	log_notice("kernel data path: sstp device %s; sessions on kernel TLS use it",
		   kp->nl.ifname);
	return true;
}

static int kernel_open(struct dp *dp)
{
	struct dp_kernel *kp = kp_of(dp);
	const struct sstp_config *c = &dp->gw->cfg;
	unsigned int size;

	if (!c->kernel_path) {
		log_info("kernel data path: off (KernelDataPath = off)");
		return -EOPNOTSUPP;
	}
	if (!c->kernel_tls) {
		log_info("kernel data path: off (it needs KernelTLS = yes)");
		return -EOPNOTSUPP;
	}
	for (size = 64; size < c->max_sessions * 2 && size < (1u << 20);)
		size <<= 1;
	kp->table = calloc(size, sizeof(*kp->table));
	if (!kp->table) {
		log_warn("kernel data path: out of memory");
		return -ENOMEM;
	}
	kp->mask = size - 1;
	/* Not there yet: looked for again when a session could use it. */
	if (!open_module(kp, false))
		kp->retry_ms = now_ms() + KMOD_RETRY_MS;
	return 0;
}

static void kernel_close(struct dp *dp)
{
	struct dp_kernel *kp = kp_of(dp);

	if (kp->on) {
		loop_del(&dp->gw->loop, &kp->ev);
		sstpnl_close(&kp->nl);	/* deletes the device */
		kp->on = false;
	}
	free(kp->table);
	free(kp);
}

static bool kernel_wants(struct dp *dp, struct session *s)
{
	struct dp_kernel *kp = kp_of(dp);

	if (!kp->table || !s->link.ktls || dp->gw->stopping)
		return false;
	if (!kp->on && now_ms() >= kp->retry_ms && !open_module(kp, true))
		kp->retry_ms = now_ms() + KMOD_RETRY_MS;
	return kp->on;
}

static int kernel_attach(struct dp *dp, struct session *s)
{
	struct dp_kernel *kp = kp_of(dp);
	const struct sstp_config *c = &dp->gw->cfg;
	struct cidr4 host = { .addr = s->addr, .plen = 32 };
	struct sstpnl_session_opts o = {
		.fd = s->link.fd,
		.id = (uint32_t)s->id,	/* 0 (after 2^32 sessions): any */
		.ipv4 = s->addr,
		.backlog = s->link.carry,
		.backlog_len = s->link.carry_len,
		.coalesce = c->kernel_coalesce,
	};
	struct ksession *k;
	char err[512];
	uint32_t id;
	int ret;

	if (!kp->on || s->reg.dp_priv)
		return -ENODEV;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	/* From the gateway's inner address, as through the TUN. */
	ret = netcfg_route_add_src(kp->nl.ifname, &host, c->address);
	if (ret == -EEXIST) {
		netcfg_route_del(kp->nl.ifname, &host);
		ret = netcfg_route_add_src(kp->nl.ifname, &host, c->address);
	}
	if (ret) {
		slog(SSTP_LOG_WARN, s,
		     "no route to %s: %s; staying on the %s data path",
		     kp->nl.ifname, strerror(-ret), link_path(&s->link));
		free(k);
		return ret;
	}
	ret = sstpnl_session_new(&kp->nl, &o, &id, err, sizeof(err));
	if (ret) {
		netcfg_route_del(kp->nl.ifname, &host);
		slog(SSTP_LOG_WARN, s, "kernel data path refused it: %s; staying on the %s data path",
		     err, link_path(&s->link));
		if (ret == -ENODEV || ret == -ENOENT)
			kp->lost = true;
		free(k);
		return ret;
	}
	/*
	 * The module holds the socket now (the session lets go of its copy);
	 * it closes when the session ends.
	 */
	k->s = s;
	k->kid = id;
	hlist_add_head(&k->knode, &kp->table[kid_hash(kp, id)]);
	list_add_tail(&k->node, &kp->sessions);
	s->reg.dp_priv = k;
	dp->nsessions++;
	slog(SSTP_LOG_INFO, s, "data path kernel (%s session %u)",
	     kp->nl.ifname, id);
	return 0;
}

static int kernel_xmit(struct dp *dp, struct session *s)
{
	struct ksession *k = ks_of(s);
	struct sstp_link *l = &s->link;
	size_t head = l->tx_head;
	bool gone = !k || k->gone;
	int ret = 0;

	if (!gone)
		ret = sstpnl_send_queue(&kp_of(dp)->nl, k->kid, l->tx,
					&l->tx_head, l->tx_tail);
	l->st.tx_bytes += l->tx_head - head;
	if (gone || l->tx_head == l->tx_tail)
		l->tx_head = l->tx_tail = 0;
	return ret || !k ? -1 : 0;
}

static void kernel_detach(struct dp *dp, struct session *s)
{
	struct dp_kernel *kp = kp_of(dp);
	struct ksession *k = ks_of(s);
	struct cidr4 host = { .addr = s->addr, .plen = 32 };

	if (!k)
		return;
	hlist_del_init(&k->knode);
	list_del_init(&k->node);
	if (!k->gone && kp->on)
		sstpnl_session_del(&kp->nl, k->kid);
	if (kp->on && s->addr)
		netcfg_route_del(kp->nl.ifname, &host);
	s->reg.dp_priv = NULL;
	free(k);
	dp->nsessions--;
}

static void kernel_info(struct dp *dp, const struct session *s,
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

static int kernel_collect(struct dp *dp)
{
	struct dp_kernel *kp = kp_of(dp);
	struct ksession *k;
	int ret;

	if (!kp->on)
		return -ENODEV;
	list_for_each_entry(k, &kp->sessions, node)
		memset(&k->st, 0, sizeof(k->st));
	if (!dp->nsessions)
		return 0;
	ret = sstpnl_session_dump(&kp->nl, collect_cb, kp);
	if (ret == -ENODEV || ret == -ENOENT)
		kp->lost = true;
	return ret;
}

static const struct dp_ops dp_kernel_ops = {
	.name = "kernel",
	.open = kernel_open,
	.close = kernel_close,
	.wants = kernel_wants,
	.attach = kernel_attach,
	.detach = kernel_detach,
	.xmit = kernel_xmit,
	.collect = kernel_collect,
	.info = kernel_info,
	.pending = kernel_pending,
	.poll = kernel_poll,
};

struct dp *dp_kernel_new(struct gateway *gw)
{
	struct dp_kernel *kp = calloc(1, sizeof(*kp));

	if (!kp)
		return NULL;
	kp->dp.ops = &dp_kernel_ops;
	kp->dp.gw = gw;
	kp->ev.fd = -1;
	INIT_LIST_HEAD(&kp->sessions);
	return &kp->dp;
}
