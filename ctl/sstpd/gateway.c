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

static unsigned int addr_hash(const struct worker *w, uint32_t addr)
{
	return hash_u32(addr, w->table_mask);
}

static void table_add(struct worker *w, struct session *s)
{
	if (s->state == SS_DEAD || !hlist_unhashed(&s->reg.hnode))
		return;
	hlist_add_head(&s->reg.hnode, &w->table[addr_hash(w, s->addr)]);
	worker_set_owner(w, s->addr, true);
}

static void table_del(struct worker *w, struct session *s)
{
	if (hlist_unhashed(&s->reg.hnode))
		return;
	hlist_del_init(&s->reg.hnode);
	worker_set_owner(w, s->addr, false);
}

struct session *worker_find_addr(struct worker *w, uint32_t addr)
{
	struct session *s;

	hlist_for_each_entry(s, &w->table[addr_hash(w, addr)], reg.hnode)
		if (s->addr == addr)
			return s;
	return NULL;
}

struct session *gateway_find_addr(struct gateway *gw, uint32_t addr)
{
	return worker_find_addr(gw->w[0], addr);
}

/* A closed session goes on no list again: nothing would take it off. */
static void mark_dirty(struct worker *w, struct session *s)
{
	if (s->state != SS_DEAD && list_empty(&s->reg.dirty))
		list_add_tail(&s->reg.dirty, &w->dirty);
}

static void mark_more(struct worker *w, struct session *s)
{
	if (s->state != SS_DEAD && list_empty(&s->reg.more))
		list_add_tail(&s->reg.more, &w->more);
}

/* Off every list and table but the live/zombie one. */
static void unlink_reachable(struct worker *w, struct session *s)
{
	if (s->reg.ev.fd >= 0)
		loop_del(w->loop, &s->reg.ev);
	s->reg.ev.fd = -1;
	table_del(w, s);
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

static void worker_each_session(struct worker *w,
				void (*fn)(struct session *s, void *arg),
				void *arg)
{
	LIST_HEAD(walk);

	/*
	 * Splice, then pop from the front: a session that fn closes, this
	 * one or any other, has left the walk list for the zombie list by
	 * the time the next one is taken.
	 */
	list_splice_init(&w->sessions, &walk);
	while (!list_empty(&walk)) {
		struct session *s = list_first_entry(&walk, struct session,
						     reg.node);

		list_move_tail(&s->reg.node, &w->sessions);
		fn(s, arg);
	}
}

struct each_ctx {
	void (*fn)(struct session *s, void *arg);
	void *arg;
};

/* On the worker's thread: the walk, then what it left to do. */
static void each_on_worker(struct worker *w, void *arg)
{
	struct each_ctx *c = arg;

	/* What fn leaves to do runs after the worker's event batch. */
	worker_each_session(w, c->fn, c->arg);
}

/*
 * Every worker in turn, each on its own thread (the caller waits): fn
 * sees a session only on the thread that owns it.
 */
void gateway_each_session(struct gateway *gw,
			  void (*fn)(struct session *s, void *arg), void *arg)
{
	struct each_ctx c = { .fn = fn, .arg = arg };
	unsigned int i;

	for (i = 0; i < gw->nworkers; i++)
		worker_call(gw->w[i], each_on_worker, &c);
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
 * deadline, so the one that has had the longest to come up), on any
 * worker. Under gw->lock.
 */
static struct session *oldest_half_open(struct gateway *gw, uint32_t idx)
{
	struct session *s, *best = NULL;

	list_for_each_entry(s, &gw->all, reg.all)
		if (s->reg.src == idx && s->reg.half &&
		    (!best || s->created_ms < best->created_ms))
			best = s;
	return best;
}

/*
 * Under gw->lock: s gives back its share of what the workers share (its
 * slot, its handshake slot, its source's count) now, ahead of its close,
 * which its own worker does (told by the caller once the lock is
 * released: the victim list). Its close then finds nothing left to give.
 */
static void give_back(struct gateway *gw, struct session *s)
{
	list_del_init(&s->reg.all);
	gw->nsessions--;
	preauth_close(&gw->src, s->reg.src, s->reg.half);
	s->reg.src = PREAUTH_NONE;
	if (s->reg.half) {
		s->reg.half = false;
		gw->nhandshakes--;
	}
}

/* Sessions to end once gw->lock is released: their owners end them. */
#define MAX_VICTIMS	4
struct victims {
	unsigned int n;
	struct session *s[MAX_VICTIMS];	/* named only on its own worker */
	struct worker *w[MAX_VICTIMS];
	uint64_t id[MAX_VICTIMS];
	const char *why[MAX_VICTIMS];
};

static void victim_add(struct gateway *gw, struct victims *v,
		       struct session *s, const char *why)
{
	give_back(gw, s);
	v->s[v->n] = s;
	v->w[v->n] = s->reg.w;
	v->id[v->n] = s->id;
	v->why[v->n] = why;
	v->n++;
}

/*
 * After gw->lock: a victim on the calling worker ends now, one on another
 * worker through its mailbox (its slot is already free).
 */
static void victims_end(struct worker *self, struct victims *v)
{
	unsigned int i;

	/*
	 * A victim of another worker may be gone already (its worker does
	 * not wait for this one): named by id there, never by pointer.
	 */
	for (i = 0; i < v->n; i++) {
		if (v->w[i] == self)
			session_drop(v->s[i], v->why[i]);
		else
			worker_post_drop(v->w[i], v->id[i], v->why[i]);
	}
	v->n = 0;
}

/*
 * The global cap is full: make room by ending the oldest half-open session
 * of the source that holds the most, when it holds at least two more than
 * the newcomer's source (so that shares even out and two sources never
 * take turns evicting each other). true when a slot was freed.
 */
static bool evict_for(struct gateway *gw, const struct preauth_src *mine,
		      struct victims *v)
{
	uint32_t b = preauth_busiest(&gw->src);
	const struct preauth_src *busy = preauth_at(&gw->src, b);
	struct session *s;

	if (!busy || busy->half < (mine ? mine->half : 0) + 2 ||
	    v->n >= MAX_VICTIMS)
		return false;
	s = oldest_half_open(gw, b);
	if (!s)
		return false;
	gw->ctr.evicted++;
	victim_add(gw, v, s, "evicted: MaxHandshakes reached and its source holds the most half-open sessions");
	return true;
}

/* NULL when a connection from k may come in, else why not. Under lock. */
static const char *admit(struct gateway *gw, const struct preauth_key *k,
			 struct victims *v)
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
	if (gw->nsessions >= c->max_sessions && !evict_for(gw, e, v)) {
		gw->ctr.refused_max_sessions++;
		return "MaxSessions reached";
	}
	if (gw->nhandshakes >= c->max_handshakes && !evict_for(gw, e, v)) {
		gw->ctr.refused_max_handshakes++;
		return "MaxHandshakes reached";
	}
	return NULL;
}

/*
 * o holds a live certificate of thumb: o's own view on its worker, the
 * copy made when it authenticated (under gw->lock) on another.
 */
static bool holds_cert(const struct session *self, const struct session *o,
		       const char *thumb)
{
	if (o->reg.w == self->reg.w)
		return session_holds_cert(o, thumb);
	return o->reg.authed && !strcmp(o->reg.thumb, thumb);
}

/* Authenticated s: end older sessions of its certificate over the limit. */
static void cert_limit(struct gateway *gw, struct session *s)
{
	unsigned int max = gw->cfg.max_sessions_per_cert;
	struct victims v = { .n = 0 };

	for (;;) {
		struct session *o, *oldest = NULL;
		unsigned int n = 0;

		/*
		 * Every session of the certificate counts, also those already
		 * told to go (a peer that never acknowledges CALL_DISCONNECT
		 * would otherwise hold an address and a slot per replaced
		 * session for the length of the disconnect timer). Those
		 * replaced here have left the list: their owner ends them.
		 */
		pthread_mutex_lock(&gw->lock);
		/*
		 * s itself was replaced meanwhile (a newer session of the
		 * certificate on another worker, between host_authed and
		 * here, or while the lock was let go below): it is going,
		 * and ends nobody. Else two sessions authenticating at once
		 * on two workers would each end the other.
		 */
		if (list_empty(&s->reg.all)) {
			pthread_mutex_unlock(&gw->lock);
			return;
		}
		list_for_each_entry(o, &gw->all, reg.all) {
			if (o == s || !holds_cert(s, o, s->thumb))
				continue;
			n++;
			if (!oldest || o->created_ms < oldest->created_ms)
				oldest = o;
		}
		if (n < max || !oldest) {
			pthread_mutex_unlock(&gw->lock);
			return;
		}
		/*
		 * The newest wins: a client that reconnects (Windows after a
		 * network change) while its old session has not timed out yet
		 * must not be locked out until it does. The old one ends now,
		 * giving back its address and its slot at once.
		 */
		gw->ctr.cert_replaced++;
		victim_add(gw, &v, oldest, "replaced by a newer session with the same certificate (MaxSessionsPerCertificate)");
		pthread_mutex_unlock(&gw->lock);
		victims_end(s->reg.w, &v);
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
	struct gateway *gw = host_gw(h);
	int ret;

	pthread_mutex_lock(&gw->lock);
	ret = pool_alloc(&gw->pool, addr);
	pthread_mutex_unlock(&gw->lock);
	return ret;
}

static void host_release(struct session_host *h, struct session *s,
			 uint32_t addr)
{
	struct gateway *gw = host_gw(h);

	pthread_mutex_lock(&gw->lock);
	pool_release(&gw->pool, addr);
	pthread_mutex_unlock(&gw->lock);
}

static void host_enter(struct session_host *h, struct session *s)
{
	table_add(s->reg.w, s);
}

static void host_leave(struct session_host *h, struct session *s)
{
	table_del(s->reg.w, s);
}

static void host_want_flush(struct session_host *h, struct session *s)
{
	mark_dirty(s->reg.w, s);
}

static void host_want_read(struct session_host *h, struct session *s)
{
	mark_more(s->reg.w, s);
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
	loop_del(s->reg.w->loop, &s->reg.ev);
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

	pthread_mutex_lock(&gw->lock);
	gw->ctr.established++;
	if (s->reg.half) {
		s->reg.half = false;
		gw->nhandshakes--;
		preauth_up(&gw->src, s->reg.src);
	}
	pthread_mutex_unlock(&gw->lock);
}

static void host_refused(struct session_host *h, struct session *s,
			 enum session_refusal why)
{
	struct gateway *gw = host_gw(h);

	pthread_mutex_lock(&gw->lock);
	gw->ctr.refused++;
	if (why == SESSION_REFUSED_TIMEOUT)
		gw->ctr.up_timeouts++;
	pthread_mutex_unlock(&gw->lock);
}

static bool host_note_refusal(struct session_host *h, struct session *s,
			      const char *why)
{
	struct gateway *gw = host_gw(h);
	bool ret;

	pthread_mutex_lock(&gw->lock);
	ret = preauth_refused(gw, s->reg.src, why);
	pthread_mutex_unlock(&gw->lock);
	return ret;
}

static void host_authed(struct session_host *h, struct session *s)
{
	struct gateway *gw = host_gw(h);

	/* What the other workers see of its certificate (cert_limit). */
	pthread_mutex_lock(&gw->lock);
	snprintf(s->reg.thumb, sizeof(s->reg.thumb), "%s", s->thumb);
	s->reg.authed = true;
	pthread_mutex_unlock(&gw->lock);
	cert_limit(gw, s);
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

	struct worker *w = s->reg.w;

	if (s->state != SS_DEAD)
		lifecycle_broken("a live session was unregistered");
	path_detach(s);
	unlink_reachable(w, s);
	list_move(&s->reg.node, &w->zombies);
	w->nsessions--;
	pthread_mutex_lock(&gw->lock);
	/* Off the list already: its share went back when it was replaced. */
	if (!list_empty(&s->reg.all))
		give_back(gw, s);
	s->reg.authed = false;
	pthread_mutex_unlock(&gw->lock);
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
static void reg_init(struct worker *w, struct session *s, int fd)
{
	s->reg.w = w;
	INIT_LIST_HEAD(&s->reg.all);
	s->reg.authed = false;
	s->reg.thumb[0] = 0;
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

static struct session *worker_adopt(struct worker *w, int fd,
				    const struct sockaddr_storage *ss)
{
	char host[INET6_ADDRSTRLEN] = "?", peer[64];
	struct gateway *gw = w->gw;
	struct victims v = { .n = 0 };
	struct preauth_key key;
	struct session *s;
	const char *why;
	uint64_t id;
	uint32_t src;
	int one = 1;

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
	/*
	 * The slot is taken at once, under the lock, so that two workers
	 * never both take the last one; handed back if the session cannot
	 * be made.
	 */
	pthread_mutex_lock(&gw->lock);
	gw->ctr.accepted++;
	why = admit(gw, &key, &v);
	if (why) {
		gw->ctr.over_limit++;
		/* One line per source per interval, not per refusal. */
		if (preauth_refuse(&gw->src, &key, why))
			log_warn("refused %s: %s (more from this source are summed every %u s)",
				 peer, why, REPORT_MS / 1000);
		pthread_mutex_unlock(&gw->lock);
		victims_end(w, &v);
		close(fd);
		return NULL;
	}
	id = ++gw->next_id;
	gw->nsessions++;
	gw->nhandshakes++;
	/* Fits: the table has an entry for every session (MaxSessions). */
	src = preauth_open(&gw->src, &key);
	pthread_mutex_unlock(&gw->lock);
	victims_end(w, &v);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s = session_new(&gw->host, fd, id, peer);
	if (!s) {
		log_err("refused %s: out of memory", peer);
		goto undo;
	}
	reg_init(w, s, fd);
	if (loop_add(w->loop, &s->reg.ev, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
					  EPOLLET)) {
		session_free(s);
		goto undo;
	}
	list_add(&s->reg.node, &w->sessions);
	w->nsessions++;
	pthread_mutex_lock(&gw->lock);
	s->reg.src = src;
	s->reg.half = true;
	list_add(&s->reg.all, &gw->all);
	pthread_mutex_unlock(&gw->lock);
	log_debug("session %llu [%s]: accepted",
		  (unsigned long long)s->id, peer);
	return s;
undo:
	pthread_mutex_lock(&gw->lock);
	preauth_close(&gw->src, src, true);
	gw->nsessions--;
	gw->nhandshakes--;
	pthread_mutex_unlock(&gw->lock);
	return NULL;
}

struct session *gateway_adopt(struct gateway *gw, int fd,
			      const struct sockaddr_storage *ss)
{
	return worker_adopt(gw->w[0], fd, ss);
}

static void accept_ev(struct ev *ev, uint32_t events)
{
	struct worker *w = container_of(ev, struct worker, listen_ev);
	int i;

	for (i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(ev->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		worker_adopt(w, fd, &ss);
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

static int listen_socket(const struct sstp_config *c, bool reuseport)
{
	int fd, one = 1;

	fd = socket(c->listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if ((reuseport &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    bind(fd, (const struct sockaddr *)&c->listen, c->listen_len)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * A listening socket per worker, all bound before any accepts: with one
 * worker a plain one (as before), with more SO_REUSEPORT sockets, the
 * kernel spreading connections over them. A plain bind first proves the
 * port free: SO_REUSEPORT alone would share it with any other gateway
 * of the same user instead of failing.
 */
static int open_listeners(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;
	bool multi = gw->nworkers > 1;
	unsigned int i;
	int fd, ret;

	if (multi) {
		fd = listen_socket(c, false);
		if (fd < 0)
			return fd;
		close(fd);
	}
	for (i = 0; i < gw->nworkers; i++) {
		struct worker *w = gw->w[i];

		fd = listen_socket(c, multi);
		if (fd < 0)
			return fd;
		w->listen_ev.fd = fd;
		w->listen_ev.cb = accept_ev;
	}
	for (i = 0; i < gw->nworkers; i++) {
		struct worker *w = gw->w[i];

		if (listen(w->listen_ev.fd, 1024))
			return -errno;
		ret = loop_add(w->loop, &w->listen_ev, EPOLLIN);
		if (ret)
			return ret;
	}
	return 0;
}

int gateway_use_tun(struct gateway *gw, int fd)
{
	return dp_tun_use_fd(gw->dp[GW_DP_TUN], fd);
}

static int setup_signals(struct gateway *gw)
{
	sigset_t set;
	int fd;

	/* Blocked before the workers start: they inherit the mask. */
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
	int ret;

	memset(gw, 0, sizeof(*gw));
	pthread_mutex_init(&gw->lock, NULL);
	gw->ctl_ev.fd = gw->sig_ev.fd = -1;
	INIT_LIST_HEAD(&gw->all);
	gw->cfg = *cfg;
	gw->host.ops = &gateway_host_ops;
	gw->host.cfg = &gw->cfg;
	gw->host.cert_sha1 = gw->cert_sha1;
	gw->host.cert_sha256 = gw->cert_sha256;
	gw->host.lock = &gw->lock;
	gw->started_ms = now_ms();
	ret = loop_init(&gw->loop);
	if (ret)
		return ret;
	/* Worker 0 only: gateway_init adds the others. */
	ret = worker_new(gw, 0);
	if (ret)
		return ret;
	gw->nworkers = 1;
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

static unsigned int workers_wanted(const struct sstp_config *cfg)
{
	long n;

	if (cfg->workers)
		return cfg->workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > CONFIG_MAX_WORKERS ? CONFIG_MAX_WORKERS : (unsigned int)n;
}

/*
 * sstp.ko's path (dp_kernel.c) lives on worker 0's thread: its
 * notifications name sessions, and it is tried again while a session
 * could use it. It runs with one worker: Workers = auto is one when the
 * module is there; otherwise (module missing, or several workers asked
 * for) the path is closed and sessions stay in their workers.
 */
static unsigned int settle_kernel_path(struct gateway *gw, unsigned int n)
{
	struct dp *kernel = gw->dp[GW_DP_KERNEL];

	if (!kernel || n == 1)
		return n;
	if (kernel->dev && !gw->cfg.workers) {
		log_info("Workers = auto: one worker, the kernel data path %s carries the packets",
			 kernel->dev);
		return 1;
	}
	if (kernel->dev)
		log_notice("kernel data path: off, Workers = %u (sstp.ko runs with Workers = 1)",
			   n);
	else
		log_info("kernel data path: not looked for again with %u workers",
			 n);
	kernel->ops->close(kernel);
	gw->dp[GW_DP_KERNEL] = NULL;
	return n;
}

int gateway_init(struct gateway *gw, const struct sstp_config *cfg)
{
	struct dp *tun, *kernel;
	unsigned int i, n;
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
	if (ret)
		return ret;
	/* Optional: without it, every session stays on the TUN path. */
	kernel = dp_kernel_new(gw);
	if (kernel && kernel->ops->open(kernel)) {
		kernel->ops->close(kernel);
		kernel = NULL;
	}
	gw->dp[GW_DP_KERNEL] = kernel;
	n = settle_kernel_path(gw, workers_wanted(cfg));
	for (i = 1; i < n; i++) {
		ret = worker_new(gw, i);
		if (ret)
			return ret;
		gw->nworkers = i + 1;
	}
	ret = worker_rings(gw);
	if (ret)
		return ret;
	ret = tun->ops->open(tun);
	if (ret)
		return ret;
	ret = open_listeners(gw);
	if (ret) {
		log_err("cannot listen: %s", strerror(-ret));
		return ret;
	}
	ret = ctl_server_open(gw);
	if (ret)
		return ret;
	{
		struct in_addr a = { .s_addr = htonl(cfg->pool.addr) };

		log_notice("gateway up: interface %s, pool %s/%u, %u trusted roots, %u worker%s",
			   gw->ifname, inet_ntoa(a), cfg->pool.plen,
			   pki_root_count(gw->pki), gw->nworkers,
			   gw->nworkers == 1 ? "" : "s");
	}
	return 0;
}

/* Free the closed sessions: nothing can reach them any more. */
static void reap(struct worker *w)
{
	while (!list_empty(&w->zombies)) {
		struct session *s = list_first_entry(&w->zombies,
						     struct session, reg.node);

		list_del_init(&s->reg.node);
		if ((s->state != SS_DEAD || reachable(s)) &&
		    lifecycle_broken("a closed session is still reachable")) {
			path_detach(s);
			unlink_reachable(w, s);
		}
		session_free(s);
	}
}

/*
 * What sessions left to do: more input, queued output, hand-offs. Safe
 * in the middle of an event batch (frees nothing).
 */
static void leftovers(struct worker *w)
{
	struct gateway *gw = w->gw;
	LIST_HEAD(batch);
	struct session *s;
	struct dp *dp;
	int i;

	/*
	 * Notifications that came in while requests waited for answers
	 * (the paths that hold sockets live on worker 0).
	 */
	if (!w->idx)
		for_each_path(gw, dp, i)
			if (dp->ops->pending && dp->ops->pending(dp))
				dp->ops->poll(dp);
	/*
	 * Input left over from a budget-limited read. Sessions that run out
	 * of budget again go back on w->more, for the next batch.
	 */
	list_splice_init(&w->more, &batch);
	while (!list_empty(&batch)) {
		s = list_first_entry(&batch, struct session, reg.more);
		list_del_init(&s->reg.more);
		session_io(s, EPOLLIN);
	}
	/* Packets from sessions, coalesced in this batch, into the stack. */
	for_each_path(gw, dp, i)
		if (dp->ops->flush)
			dp->ops->flush(dp, w);
	list_splice_init(&w->dirty, &batch);
	while (!list_empty(&batch)) {
		s = list_first_entry(&batch, struct session, reg.dirty);
		list_del_init(&s->reg.dirty);
		session_flush(s);
	}
	/* Handed-off packets queued for other workers by those sessions. */
	worker_handoff_flush(w);
}

static void after_batch(struct worker *w)
{
	leftovers(w);
	reap(w);
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

int worker_step(struct worker *w, int max_wait_ms)
{
	struct gateway *gw = w->gw;
	uint64_t now = now_ms();
	int timeout = !list_empty(&w->more) ||
		      (!w->idx && paths_pending(gw)) ? 0 :
		      now >= w->next_tick_ms ? 0 :
		      (int)(w->next_tick_ms - now);
	int ret;

	if (max_wait_ms >= 0 && timeout > max_wait_ms)
		timeout = max_wait_ms;
	ret = loop_run_once(w->loop, timeout);
	if (ret < 0)
		return ret;
	after_batch(w);
	now = now_ms();
	if (now >= w->next_tick_ms) {
		worker_each_session(w, tick_one, &now);
		w->next_tick_ms = now + TICK_MS;
		after_batch(w);
		/* Worker 0 also keeps the gateway-wide timers. */
		if (!w->idx) {
			ctl_server_tick(gw, now);
			if (now >= gw->src_report_ms) {
				pthread_mutex_lock(&gw->lock);
				preauth_flush(&gw->src, report_cb, gw);
				pthread_mutex_unlock(&gw->lock);
				gw->src_report_ms = now + REPORT_MS;
			}
		}
	}
	return 0;
}

int gateway_step(struct gateway *gw, int max_wait_ms)
{
	return worker_step(gw->w[0], max_wait_ms);
}

int gateway_run(struct gateway *gw)
{
	unsigned int i;
	int ret;

	for (i = 1; i < gw->nworkers; i++) {
		ret = worker_start(gw->w[i]);
		if (ret) {
			log_err("cannot start worker %u: %s", i,
				strerror(-ret));
			return ret;
		}
	}
	gw->w[0]->next_tick_ms = now_ms() + TICK_MS;
	while (!gw->loop.stop) {
		ret = gateway_step(gw, -1);
		if (ret < 0) {
			log_err("epoll: %s", strerror(-ret));
			return ret;
		}
	}
	return atomic_load(&gw->worker_failed);
}

/* reap: false on a worker's thread inside its event batch (a message). */
static void end_now(struct worker *w, bool reap_now)
{
	uint64_t end = UINT64_MAX;

	worker_each_session(w, disconnect_one, "gateway stopping");
	leftovers(w);
	worker_each_session(w, tick_one, &end);
	leftovers(w);
	if (reap_now)
		reap(w);
}

static void end_on_worker(struct worker *w, void *arg)
{
	(void)arg;
	end_now(w, !w->in_mailbox);
}

void gateway_end_sessions(struct gateway *gw)
{
	unsigned int i;

	for (i = 0; i < gw->nworkers; i++)
		worker_call(gw->w[i], end_on_worker, NULL);
}

void worker_end_all(struct worker *w)
{
	uint64_t until;

	worker_each_session(w, disconnect_one, "gateway stopping");
	after_batch(w);
	/* Give clients a moment to acknowledge. */
	until = now_ms() + 1000;
	w->loop->stop = 0;
	while (!list_empty(&w->sessions) && now_ms() < until) {
		loop_run_once(w->loop, 100);
		after_batch(w);
	}
	end_now(w, true);
}

void gateway_destroy(struct gateway *gw)
{
	unsigned int i;

	pthread_mutex_lock(&gw->lock);
	gw->stopping = true;
	pthread_mutex_unlock(&gw->lock);
	/* Every worker ends its own sessions, at the same time. */
	for (i = 1; i < gw->nworkers; i++)
		worker_stop(gw->w[i]);
	if (gw->w[0])
		worker_end_all(gw->w[0]);
	for (i = 1; i < gw->nworkers; i++)
		worker_join(gw->w[i]);
	ctl_server_close(gw);
	/* Those that hold sockets first (sstp.ko's device goes). */
	for (i = GW_DP_MAX; i-- > 0;) {
		if (gw->dp[i])
			gw->dp[i]->ops->close(gw->dp[i]);
		gw->dp[i] = NULL;
	}
	for (i = 0; i < CONFIG_MAX_WORKERS; i++) {
		if (gw->w[i])
			worker_free(gw->w[i]);
		gw->w[i] = NULL;
	}
	if (gw->sig_ev.fd >= 0)
		close(gw->sig_ev.fd);
	free((void *)gw->owner);
	gw->owner = NULL;
	preauth_flush(&gw->src, report_cb, gw);
	preauth_destroy(&gw->src);
	pool_destroy(&gw->pool);
	SSL_CTX_free(gw->tls);
	SSL_CTX_free(gw->eap_tls);
	if (gw->pki)
		pki_free(gw->pki);
	loop_destroy(&gw->loop);
	pthread_mutex_destroy(&gw->lock);
}

/* The packet path's counters, read on each worker's own thread. */
static void add_counters(struct worker *w, void *arg)
{
	struct gateway_info *info = arg;
	struct gw_counters *c = &info->ctr;

	c->tun_no_session += w->ctr.tun_no_session;
	c->tun_rx_errors += w->ctr.tun_rx_errors;
	c->handoff += w->ctr.handoff;
	c->handoff_dropped += w->ctr.handoff_dropped;
	dp_tun_add_stats(w, &info->tun_stats);
}

void gateway_get_info(struct gateway *gw, bool collect,
		      struct gateway_info *info)
{
	const struct sstp_config *c = &gw->cfg;
	struct dp *kernel = gw->dp[GW_DP_KERNEL];
	unsigned int i;

	if (collect && kernel)
		kernel->ops->collect(kernel);
	memset(info, 0, sizeof(*info));
	info->ifname = gw->ifname;
	info->max_sessions = c->max_sessions;
	info->pool_addr = c->pool.addr;
	info->pool_plen = c->pool.plen;
	info->address = c->address;
	info->uptime_s = (now_ms() - gw->started_ms) / 1000;
	info->kernel_dev = kernel ? kernel->dev : NULL;
	info->nkernel = kernel ? kernel->nsessions : 0;
	info->tun_offload = gw->dp[GW_DP_TUN] ?
			    dp_tun_offload(gw->dp[GW_DP_TUN]) : NULL;
	info->cfg = c;
	info->nworkers = gw->nworkers;
	pthread_mutex_lock(&gw->lock);
	info->nsessions = gw->nsessions;
	info->roots = pki_root_count(gw->pki);
	info->nhandshakes = gw->nhandshakes;
	info->sources = gw->src.nlive;
	info->ctr = gw->ctr;
	pthread_mutex_unlock(&gw->lock);
	for (i = 0; i < gw->nworkers; i++)
		worker_call(gw->w[i], add_counters, info);
}
