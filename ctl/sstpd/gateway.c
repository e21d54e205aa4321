// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/netcfg.h"
#include "net/tls.h"
#include "proto/eap_tls.h"
#include "util/hash.h"
#include "util/log.h"
#include "dp.h"
#include "dp_kernel.h"
#include "dp_tun.h"
#include "gateway.h"
#include "session.h"
#include "trust.h"

#define TICK_MS		250

/*
 * Lifecycle invariants are checked where they are cheap. A broken one
 * aborts where a developer or a sanitizer is watching (SSTP_DEBUG, ASan);
 * in production it is logged and the session is made unreachable before
 * it is freed.
 */
#ifdef __has_feature
#if __has_feature(address_sanitizer)
#define SSTP_DEBUG 1
#endif
#endif
#ifdef __SANITIZE_ADDRESS__
#define SSTP_DEBUG 1
#endif
static bool lifecycle_broken(const char *what)
{
	log_err("session lifecycle: %s", what);
#ifdef SSTP_DEBUG
	abort();
#endif
	return true;
}

static unsigned int addr_hash(const struct gateway *gw, uint32_t addr)
{
	return hash_u32(addr, gw->table_mask);
}

static void table_add(struct gateway *gw, struct session *s)
{
	if (s->state == SS_DEAD || !hlist_unhashed(&s->reg.hnode))
		return;
	hlist_add_head(&s->reg.hnode, &gw->table[addr_hash(gw, s->addr)]);
}

struct session *gateway_find_addr(struct gateway *gw, uint32_t addr)
{
	struct session *s;

	hlist_for_each_entry(s, &gw->table[addr_hash(gw, addr)], reg.hnode)
		if (s->addr == addr)
			return s;
	return NULL;
}

/* A closed session goes on no list again: nothing would take it off. */
static void mark_dirty(struct gateway *gw, struct session *s)
{
	if (s->state != SS_DEAD && list_empty(&s->reg.dirty))
		list_add_tail(&s->reg.dirty, &gw->dirty);
}

static void mark_more(struct gateway *gw, struct session *s)
{
	if (s->state != SS_DEAD && list_empty(&s->reg.more))
		list_add_tail(&s->reg.more, &gw->more);
}

/* Off every list and table but the live/zombie one. */
static void unlink_reachable(struct gateway *gw, struct session *s)
{
	if (s->reg.ev.fd >= 0)
		loop_del(&gw->loop, &s->reg.ev);
	s->reg.ev.fd = -1;
	hlist_del_init(&s->reg.hnode);
	list_del_init(&s->reg.more);
	list_del_init(&s->reg.dirty);
}

/* Still named by a list, a table or a data path. */
static bool reachable(const struct session *s)
{
	return !list_empty(&s->reg.more) || !list_empty(&s->reg.dirty) ||
	       !hlist_unhashed(&s->reg.hnode) || s->reg.dp;
}

/* The data paths there are, in order. */
#define for_each_path(gw, p, i) \
	for ((i) = 0; (i) < GW_DP_MAX; (i)++) \
		if (((p) = (gw)->dp[i]))

/* s leaves the path that holds its socket (it is closing). */
static void path_detach(struct session *s)
{
	struct dp *dp = s->reg.dp;

	if (!dp)
		return;
	if (dp->ops->detach)
		dp->ops->detach(dp, s);
	s->reg.dp = NULL;
}

void gateway_each_session(struct gateway *gw,
			  void (*fn)(struct session *s, void *arg), void *arg)
{
	LIST_HEAD(walk);

	/*
	 * Splice, then pop from the front: a session that fn closes, this
	 * one or any other, has left the walk list for the zombie list by
	 * the time the next one is taken.
	 */
	list_splice_init(&gw->sessions, &walk);
	while (!list_empty(&walk)) {
		struct session *s = list_first_entry(&walk, struct session,
						     reg.node);

		list_move_tail(&s->reg.node, &gw->sessions);
		fn(s, arg);
	}
}

static void session_ev(struct ev *ev, uint32_t events)
{
	session_io(container_of(ev, struct session, reg.ev), events);
}

#define REPORT_MS	10000	/* refusal summaries: one line per source */

static bool preauth_refused(struct gateway *gw, uint32_t idx,
			    const char *why)
{
	const struct preauth_src *e = preauth_at(&gw->src, idx);
	struct preauth_key k;

	if (!e || !e->conns)
		return true;
	k = e->key;
	return preauth_refuse(&gw->src, &k, why);
}

static void report_cb(void *ctx, const struct preauth_src *e,
		      uint64_t refused, unsigned int sources)
{
	char src[PREAUTH_KEY_STR];

	(void)ctx;
	if (!e) {
		log_warn("refused %llu more connections from %u+ other sources in the last %u s",
			 (unsigned long long)refused, sources + 1,
			 REPORT_MS / 1000);
		return;
	}
	preauth_key_str(&e->key, src, sizeof(src));
	log_warn("refused %llu connections from %s in the last %u s: %s",
		 (unsigned long long)refused, src, REPORT_MS / 1000,
		 e->detail);
}

/*
 * The oldest half-open session of source idx (the one closest to its
 * deadline, so the one that has had the longest to come up).
 */
static struct session *oldest_half_open(struct gateway *gw, uint32_t idx)
{
	struct session *s, *best = NULL;

	list_for_each_entry(s, &gw->sessions, reg.node)
		if (s->reg.src == idx && s->reg.half &&
		    (!best || s->created_ms < best->created_ms))
			best = s;
	return best;
}

/*
 * The global cap is full: make room by ending the oldest half-open session
 * of the source that holds the most, when it holds at least two more than
 * the newcomer's source (so that shares even out and two sources never
 * take turns evicting each other). true when a slot was freed.
 */
static bool evict_for(struct gateway *gw, const struct preauth_src *mine)
{
	uint32_t b = preauth_busiest(&gw->src);
	const struct preauth_src *busy = preauth_at(&gw->src, b);
	struct session *s;

	if (!busy || busy->half < (mine ? mine->half : 0) + 2)
		return false;
	s = oldest_half_open(gw, b);
	if (!s)
		return false;
	gw->ctr.evicted++;
	session_drop(s, "evicted: MaxHandshakes reached and its source holds the most half-open sessions");
	return true;
}

/* NULL when a connection from k may come in, else why not. */
static const char *admit(struct gateway *gw, const struct preauth_key *k)
{
	const struct sstp_config *c = &gw->cfg;
	const struct preauth_src *e = preauth_find(&gw->src, k);

	if (gw->stopping) {
		gw->ctr.refused_stopping++;
		return "gateway is stopping";
	}
	if (e && e->conns >= c->max_conns_per_source) {
		gw->ctr.refused_source_conns++;
		return "MaxConnectionsPerSource reached";
	}
	if (e && e->half >= c->max_handshakes_per_source) {
		gw->ctr.refused_source_half++;
		return "MaxHandshakesPerSource reached";
	}
	if (gw->nsessions >= c->max_sessions && !evict_for(gw, e)) {
		gw->ctr.refused_max_sessions++;
		return "MaxSessions reached";
	}
	if (gw->nhandshakes >= c->max_handshakes && !evict_for(gw, e)) {
		gw->ctr.refused_max_handshakes++;
		return "MaxHandshakes reached";
	}
	return NULL;
}

/* Authenticated s: end older sessions of its certificate over the limit. */
static void cert_limit(struct gateway *gw, struct session *s)
{
	unsigned int max = gw->cfg.max_sessions_per_cert;

	for (;;) {
		struct session *o, *oldest = NULL;
		unsigned int n = 0;

		/*
		 * Every session of the certificate counts, also those already
		 * told to go (a peer that never acknowledges CALL_DISCONNECT
		 * would otherwise hold an address and a slot per replaced
		 * session for the length of the disconnect timer).
		 */
		list_for_each_entry(o, &gw->sessions, reg.node) {
			if (o == s || !session_holds_cert(o, s->thumb))
				continue;
			n++;
			if (!oldest || o->created_ms < oldest->created_ms)
				oldest = o;
		}
		if (n < max || !oldest)
			return;
		/*
		 * The newest wins: a client that reconnects (Windows after a
		 * network change) while its old session has not timed out yet
		 * must not be locked out until it does. The old one ends now,
		 * giving back its address and its slot at once.
		 */
		gw->ctr.cert_replaced++;
		session_drop(oldest, "replaced by a newer session with the same certificate (MaxSessionsPerCertificate)");
	}
}

/*
 * The session host: all a session can ask of the gateway (session_host.h).
 */

static struct gateway *host_gw(const struct session_host *h)
{
	return container_of(h, struct gateway, host);
}

static int host_lease(struct session_host *h, struct session *s,
		      uint32_t *addr)
{
	return pool_alloc(&host_gw(h)->pool, addr);
}

static void host_release(struct session_host *h, struct session *s,
			 uint32_t addr)
{
	pool_release(&host_gw(h)->pool, addr);
}

static void host_enter(struct session_host *h, struct session *s)
{
	table_add(host_gw(h), s);
}

static void host_leave(struct session_host *h, struct session *s)
{
	hlist_del_init(&s->reg.hnode);
}

static void host_want_flush(struct session_host *h, struct session *s)
{
	mark_dirty(host_gw(h), s);
}

static void host_want_read(struct session_host *h, struct session *s)
{
	mark_more(host_gw(h), s);
}

/* Into the stack: through the session's path if it has its own way. */
static void host_deliver(struct session_host *h, struct session *s,
			 const uint8_t *pkt, size_t len)
{
	struct gateway *gw = host_gw(h);
	struct dp *dp = s->reg.dp && s->reg.dp->ops->transmit ? s->reg.dp :
			gw->dp[GW_DP_TUN];

	dp->ops->transmit(dp, s, pkt, len);
}

/* The first path that holds sockets and would take s. */
static struct dp *offload_path(struct gateway *gw, struct session *s)
{
	struct dp *dp;
	int i;

	for_each_path(gw, dp, i)
		if (dp->ops->wants && dp->ops->wants(dp, s))
			return dp;
	return NULL;
}

static bool host_offload_wanted(struct session_host *h, struct session *s)
{
	return offload_path(host_gw(h), s);
}

static int host_offload(struct session_host *h, struct session *s)
{
	struct gateway *gw = host_gw(h);
	struct dp *dp = offload_path(gw, s);
	int ret;

	if (!dp || s->reg.dp)
		return -ENODEV;
	ret = dp->ops->attach(dp, s);
	if (ret)
		return ret;
	/* The path holds the socket now: off the loop. */
	s->reg.dp = dp;
	loop_del(&gw->loop, &s->reg.ev);
	s->reg.ev.fd = -1;
	return 0;
}

static int host_xmit(struct session_host *h, struct session *s)
{
	struct dp *dp = s->reg.dp;

	return dp ? dp->ops->xmit(dp, s) : -1;
}

static void host_up(struct session_host *h, struct session *s)
{
	struct gateway *gw = host_gw(h);

	gw->ctr.established++;
	if (s->reg.half) {
		s->reg.half = false;
		gw->nhandshakes--;
		preauth_up(&gw->src, s->reg.src);
	}
}

static void host_refused(struct session_host *h, struct session *s,
			 enum session_refusal why)
{
	struct gateway *gw = host_gw(h);

	gw->ctr.refused++;
	if (why == SESSION_REFUSED_TIMEOUT)
		gw->ctr.up_timeouts++;
}

static bool host_note_refusal(struct session_host *h, struct session *s,
			      const char *why)
{
	return preauth_refused(host_gw(h), s->reg.src, why);
}

static void host_authed(struct session_host *h, struct session *s)
{
	cert_limit(host_gw(h), s);
}

/*
 * The one place a closed session (state SS_DEAD) leaves everything that can
 * reach it: its data path, the event loop, the address table, the more and
 * dirty lists, the live list (for the zombie list), the per-source budget.
 * reap() frees it after the event batch.
 */
static void host_closed(struct session_host *h, struct session *s)
{
	struct gateway *gw = host_gw(h);

	if (s->state != SS_DEAD)
		lifecycle_broken("a live session was unregistered");
	path_detach(s);
	unlink_reachable(gw, s);
	list_move(&s->reg.node, &gw->zombies);
	gw->nsessions--;
	preauth_close(&gw->src, s->reg.src, s->reg.half);
	s->reg.src = PREAUTH_NONE;
	if (s->reg.half) {
		s->reg.half = false;
		gw->nhandshakes--;
	}
}

static void host_info(const struct session_host *h, const struct session *s,
		      struct session_info *out)
{
	struct dp *dp = s->reg.dp;

	if (dp && dp->ops->info)
		dp->ops->info(dp, s, out);
}

static const struct session_host_ops gateway_host_ops = {
	.lease = host_lease,
	.release = host_release,
	.enter = host_enter,
	.leave = host_leave,
	.want_flush = host_want_flush,
	.want_read = host_want_read,
	.deliver = host_deliver,
	.offload_wanted = host_offload_wanted,
	.offload = host_offload,
	.xmit = host_xmit,
	.up = host_up,
	.refused = host_refused,
	.note_refusal = host_note_refusal,
	.authed = host_authed,
	.closed = host_closed,
	.info = host_info,
};

/* The gateway's part of a new session: reachable from nothing yet. */
static void reg_init(struct session *s, int fd)
{
	INIT_LIST_HEAD(&s->reg.node);
	INIT_LIST_HEAD(&s->reg.more);
	INIT_LIST_HEAD(&s->reg.dirty);
	INIT_HLIST_NODE(&s->reg.hnode);
	s->reg.ev.fd = fd;
	s->reg.ev.cb = session_ev;
	s->reg.src = PREAUTH_NONE;
	s->reg.dp = NULL;
	s->reg.dp_priv = NULL;
}

struct session *gateway_adopt(struct gateway *gw, int fd,
			      const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN] = "?", peer[64];
	struct preauth_key key;
	struct session *s;
	const char *why;
	int one = 1;

	gw->ctr.accepted++;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(peer, sizeof(peer), "%s:%u", host,
			 ntohs(a->sin_port));
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(peer, sizeof(peer), "[%s]:%u", host,
			 ntohs(a->sin6_port));
	}
	preauth_key_from_sa(&key, (const struct sockaddr *)ss);
	why = admit(gw, &key);
	if (why) {
		gw->ctr.over_limit++;
		/* One line per source per interval, not per refusal. */
		if (preauth_refuse(&gw->src, &key, why))
			log_warn("refused %s: %s (more from this source are summed every %u s)",
				 peer, why, REPORT_MS / 1000);
		close(fd);
		return NULL;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s = session_new(&gw->host, fd, ++gw->next_id, peer);
	if (!s) {
		log_err("refused %s: out of memory", peer);
		return NULL;
	}
	reg_init(s, fd);
	if (loop_add(&gw->loop, &s->reg.ev, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
					    EPOLLET)) {
		session_free(s);
		return NULL;
	}
	/* Fits: the table has an entry for every session (MaxSessions). */
	s->reg.src = preauth_open(&gw->src, &key);
	list_add(&s->reg.node, &gw->sessions);
	gw->nsessions++;
	gw->nhandshakes++;
	s->reg.half = true;
	log_debug("session %llu [%s]: accepted",
		  (unsigned long long)s->id, peer);
	return s;
}

static void accept_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = container_of(ev, struct gateway, listen_ev);
	int i;

	for (i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(ev->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		gateway_adopt(gw, fd, &ss);
	}
}

static void sig_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = container_of(ev, struct gateway, sig_ev);
	struct signalfd_siginfo si;

	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_notice("SIGHUP: use sstpctl to change a running gateway; ignored");
			continue;
		}
		log_notice("signal %u: stopping", si.ssi_signo);
		gw->loop.stop = 1;
	}
}

static int open_listener(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;
	int fd, one = 1;

	fd = socket(c->listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&c->listen, c->listen_len) ||
	    listen(fd, 1024)) {
		int err = -errno;

		close(fd);
		return err;
	}
	gw->listen_ev.fd = fd;
	gw->listen_ev.cb = accept_ev;
	return loop_add(&gw->loop, &gw->listen_ev, EPOLLIN);
}

int gateway_use_tun(struct gateway *gw, int fd)
{
	return dp_tun_use_fd(gw->dp[GW_DP_TUN], fd);
}

static int setup_signals(struct gateway *gw)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	gw->sig_ev.fd = fd;
	gw->sig_ev.cb = sig_ev;
	return loop_add(&gw->loop, &gw->sig_ev, EPOLLIN);
}

int gateway_core_init(struct gateway *gw, const struct sstp_config *cfg)
{
	struct tls_server_opts to = {
		.cert_file = cfg->certificate,
		.key_file = cfg->private_key,
		.min_version = cfg->tls_min_version,
		.max_version = cfg->tls_max_version,
		.ciphers = cfg->ciphers,
		.ktls = cfg->kernel_tls,
	};
	char err[512];
	unsigned int size;
	int ret;

	memset(gw, 0, sizeof(*gw));
	gw->listen_ev.fd = gw->ctl_ev.fd = gw->sig_ev.fd = -1;
	INIT_LIST_HEAD(&gw->sessions);
	INIT_LIST_HEAD(&gw->zombies);
	INIT_LIST_HEAD(&gw->more);
	INIT_LIST_HEAD(&gw->dirty);
	gw->cfg = *cfg;
	gw->host.ops = &gateway_host_ops;
	gw->host.cfg = &gw->cfg;
	gw->host.cert_sha1 = gw->cert_sha1;
	gw->host.cert_sha256 = gw->cert_sha256;
	gw->started_ms = now_ms();
	ret = loop_init(&gw->loop);
	if (ret)
		return ret;
	ret = trust_load(gw);
	if (ret)
		return ret;
	ret = tls_server_ctx(&to, &gw->tls, err, sizeof(err));
	if (!ret) {
		to.min_version = TLS1_2_VERSION;
		to.max_version = TLS1_2_VERSION;
		to.ktls = false;
		ret = tls_server_ctx(&to, &gw->eap_tls, err, sizeof(err));
		if (!ret)
			eap_tls_ctx_init(gw->eap_tls);
	}
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	tls_ctx_cert_hashes(gw->tls, gw->cert_sha1, gw->cert_sha256);
	gw->host.tls = gw->tls;
	gw->host.eap_tls = gw->eap_tls;
	gw->host.pki = gw->pki;
	ret = pool_init(&gw->pool, cfg->pool.addr, cfg->pool.plen, cfg->address);
	if (ret) {
		log_err("cannot set up the address pool: %s", strerror(-ret));
		return ret;
	}
	for (size = 64; size < cfg->max_sessions * 2 && size < (1u << 20);)
		size <<= 1;
	gw->table = calloc(size, sizeof(*gw->table));
	if (!gw->table)
		return -ENOMEM;
	gw->table_mask = size - 1;
	gw->dp[GW_DP_TUN] = dp_tun_new(gw);
	if (!gw->dp[GW_DP_TUN])
		return -ENOMEM;
	/* An entry per session, and 1024 for sources with refusals only. */
	ret = preauth_init(&gw->src, cfg->max_sessions, 1024, NULL);
	if (ret)
		return ret;
	gw->src_report_ms = gw->started_ms + REPORT_MS;
	return 0;
}

int gateway_init(struct gateway *gw, const struct sstp_config *cfg)
{
	struct dp *tun, *kernel;
	char found[128];
	int ret;

	ret = gateway_core_init(gw, cfg);
	if (ret)
		return ret;
	tun = gw->dp[GW_DP_TUN];
	ret = netcfg_route_overlap(&cfg->pool, cfg->interface, found,
				   sizeof(found));
	if (ret > 0) {
		struct in_addr a = { .s_addr = htonl(cfg->pool.addr) };

		log_err("Pool %s/%u overlaps the route %s on this host; choose a pool that does not",
			inet_ntoa(a), cfg->pool.plen, found);
		return -EADDRINUSE;
	}
	ret = setup_signals(gw);
	if (!ret)
		ret = tun->ops->open(tun);
	if (ret)
		return ret;
	/* Optional: without it, every session stays on the TUN path. */
	kernel = dp_kernel_new(gw);
	if (kernel && kernel->ops->open(kernel)) {
		kernel->ops->close(kernel);
		kernel = NULL;
	}
	gw->dp[GW_DP_KERNEL] = kernel;
	ret = open_listener(gw);
	if (ret) {
		log_err("cannot listen: %s", strerror(-ret));
		return ret;
	}
	ret = ctl_server_open(gw);
	if (ret)
		return ret;
	{
		struct in_addr a = { .s_addr = htonl(cfg->pool.addr) };

		log_notice("gateway up: interface %s, pool %s/%u, %u trusted roots",
			   gw->ifname, inet_ntoa(a), cfg->pool.plen,
			   pki_root_count(gw->pki));
	}
	return 0;
}

/* Free the closed sessions: nothing can reach them any more. */
static void reap(struct gateway *gw)
{
	while (!list_empty(&gw->zombies)) {
		struct session *s = list_first_entry(&gw->zombies,
						     struct session, reg.node);

		list_del_init(&s->reg.node);
		if ((s->state != SS_DEAD || reachable(s)) &&
		    lifecycle_broken("a closed session is still reachable")) {
			path_detach(s);
			unlink_reachable(gw, s);
		}
		session_free(s);
	}
}

static void after_batch(struct gateway *gw)
{
	LIST_HEAD(batch);
	struct session *s;
	struct dp *dp;
	int i;

	/* Notifications that came in while requests waited for answers. */
	for_each_path(gw, dp, i)
		if (dp->ops->pending && dp->ops->pending(dp))
			dp->ops->poll(dp);
	/*
	 * Input left over from a budget-limited read. Sessions that run out
	 * of budget again go back on gw->more, for the next batch.
	 */
	list_splice_init(&gw->more, &batch);
	while (!list_empty(&batch)) {
		s = list_first_entry(&batch, struct session, reg.more);
		list_del_init(&s->reg.more);
		session_io(s, EPOLLIN);
	}
	/* Packets from sessions, coalesced in this batch, into the stack. */
	for_each_path(gw, dp, i)
		if (dp->ops->flush)
			dp->ops->flush(dp);
	list_splice_init(&gw->dirty, &batch);
	while (!list_empty(&batch)) {
		s = list_first_entry(&batch, struct session, reg.dirty);
		list_del_init(&s->reg.dirty);
		session_flush(s);
	}
	reap(gw);
}

static void tick_one(struct session *s, void *arg)
{
	session_tick(s, *(const uint64_t *)arg);
}

static void disconnect_one(struct session *s, void *arg)
{
	session_disconnect(s, arg);
}

static bool paths_pending(struct gateway *gw)
{
	struct dp *dp;
	int i;

	for_each_path(gw, dp, i)
		if (dp->ops->pending && dp->ops->pending(dp))
			return true;
	return false;
}

int gateway_step(struct gateway *gw, int max_wait_ms)
{
	uint64_t now = now_ms();
	int timeout = !list_empty(&gw->more) || paths_pending(gw) ? 0 :
		      now >= gw->next_tick_ms ? 0 :
		      (int)(gw->next_tick_ms - now);
	int ret;

	if (max_wait_ms >= 0 && timeout > max_wait_ms)
		timeout = max_wait_ms;
	ret = loop_run_once(&gw->loop, timeout);
	if (ret < 0)
		return ret;
	after_batch(gw);
	now = now_ms();
	if (now >= gw->next_tick_ms) {
		gateway_each_session(gw, tick_one, &now);
		ctl_server_tick(gw, now);
		gw->next_tick_ms = now + TICK_MS;
		after_batch(gw);
		if (now >= gw->src_report_ms) {
			preauth_flush(&gw->src, report_cb, gw);
			gw->src_report_ms = now + REPORT_MS;
		}
	}
	return 0;
}

int gateway_run(struct gateway *gw)
{
	gw->next_tick_ms = now_ms() + TICK_MS;
	while (!gw->loop.stop) {
		int ret = gateway_step(gw, -1);

		if (ret < 0) {
			log_err("epoll: %s", strerror(-ret));
			return ret;
		}
	}
	return 0;
}

void gateway_end_sessions(struct gateway *gw)
{
	uint64_t end = UINT64_MAX;

	gateway_each_session(gw, disconnect_one, "gateway stopping");
	after_batch(gw);
	gateway_each_session(gw, tick_one, &end);
	after_batch(gw);
}

void gateway_destroy(struct gateway *gw)
{
	uint64_t until;
	int i;

	gw->stopping = true;
	gateway_each_session(gw, disconnect_one, "gateway stopping");
	after_batch(gw);
	/* Give clients a moment to acknowledge. */
	until = now_ms() + 1000;
	gw->loop.stop = 0;
	while (!list_empty(&gw->sessions) && now_ms() < until) {
		loop_run_once(&gw->loop, 100);
		after_batch(gw);
	}
	gateway_end_sessions(gw);
	ctl_server_close(gw);
	/* Those that hold sockets first (sstp.ko's device goes). */
	for (i = GW_DP_MAX; i-- > 0;) {
		if (gw->dp[i])
			gw->dp[i]->ops->close(gw->dp[i]);
		gw->dp[i] = NULL;
	}
	if (gw->listen_ev.fd >= 0)
		close(gw->listen_ev.fd);
	if (gw->sig_ev.fd >= 0)
		close(gw->sig_ev.fd);
	free(gw->table);
	preauth_flush(&gw->src, report_cb, gw);
	preauth_destroy(&gw->src);
	pool_destroy(&gw->pool);
	SSL_CTX_free(gw->tls);
	SSL_CTX_free(gw->eap_tls);
	if (gw->pki)
		pki_free(gw->pki);
	loop_destroy(&gw->loop);
}

void gateway_get_info(struct gateway *gw, bool collect,
		      struct gateway_info *info)
{
	const struct sstp_config *c = &gw->cfg;
	struct dp *kernel = gw->dp[GW_DP_KERNEL];

	if (collect && kernel)
		kernel->ops->collect(kernel);
	memset(info, 0, sizeof(*info));
	info->ifname = gw->ifname;
	info->nsessions = gw->nsessions;
	info->max_sessions = c->max_sessions;
	info->pool_addr = c->pool.addr;
	info->pool_plen = c->pool.plen;
	info->address = c->address;
	info->roots = pki_root_count(gw->pki);
	info->uptime_s = (now_ms() - gw->started_ms) / 1000;
	info->kernel_dev = kernel ? kernel->dev : NULL;
	info->nkernel = kernel ? kernel->nsessions : 0;
	info->tun_offload = gw->dp[GW_DP_TUN] ?
			    dp_tun_offload(gw->dp[GW_DP_TUN]) : NULL;
	info->tun_stats = gw->dp[GW_DP_TUN] ?
			  dp_tun_stats(gw->dp[GW_DP_TUN]) : NULL;
	info->nhandshakes = gw->nhandshakes;
	info->sources = gw->src.nlive;
	info->cfg = c;
	info->ctr = gw->ctr;
}
