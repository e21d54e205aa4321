// SPDX-License-Identifier: GPL-2.0
/*
 * Workers: their threads, mailboxes and the hand-off of TUN packets
 * between them (gateway.h has the ownership and locking rules; the event
 * loop of a worker is in gateway.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "util/hash.h"
#include "util/log.h"
#include "gateway.h"
#include "ring.h"
#include "session.h"
#include "steer.h"

/*
 * Per pair of workers: 256 KiB, some 170 full-size packets in flight
 * (pages are touched only when a ring is used).
 */
#define RING_BYTES	(256 * 1024)
/* Packets taken from one ring per wake-up before the loop runs again. */
#define RING_BUDGET	256

static _Thread_local struct worker *self;

struct worker *worker_self(void)
{
	return self;
}

static void wake(struct worker *w)
{
	uint64_t one = 1;

	/* EAGAIN: the counter is far from empty, it is awake anyway. */
	if (write(w->wake_ev.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("worker %u: cannot wake: %s", w->idx,
			 strerror(errno));
}

/* Run the messages posted to w (on w's thread). */
static void run_mailbox(struct worker *w)
{
	LIST_HEAD(msgs);

	pthread_mutex_lock(&w->mbox_lock);
	list_splice_init(&w->mbox, &msgs);
	pthread_mutex_unlock(&w->mbox_lock);
	w->in_mailbox = true;
	while (!list_empty(&msgs)) {
		struct worker_msg *m = list_first_entry(&msgs,
							struct worker_msg,
							node);

		list_del_init(&m->node);
		m->fn(w, m);
		if (m->wait) {
			/* The caller owns m: not touched after done. */
			pthread_mutex_lock(&w->mbox_lock);
			m->done = true;
			pthread_cond_broadcast(&w->mbox_cond);
			pthread_mutex_unlock(&w->mbox_lock);
		} else {
			free(m);
		}
	}
	w->in_mailbox = false;
}

/* Packets handed over by the other workers, for w's sessions. */
static bool drain_rings(struct worker *w)
{
	struct gateway *gw = w->gw;
	bool more = false;
	unsigned int p;

	for (p = 0; p < gw->nworkers; p++) {
		struct ring *r = w->in[p];
		const uint8_t *pkt;
		long n;
		int i;

		if (!r)
			continue;
		for (i = 0; i < RING_BUDGET && (n = ring_peek(r, &pkt)) >= 0;
		     i++) {
			uint32_t dst = (uint32_t)pkt[16] << 24 |
				       (uint32_t)pkt[17] << 16 |
				       (uint32_t)pkt[18] << 8 | pkt[19];
			struct session *s = worker_find_addr(w, dst);

			if (s)
				session_send_ip(s, pkt, (size_t)n);
			else
				w->ctr.tun_no_session++;
			ring_pop(r);
		}
		if (i == RING_BUDGET)
			more = true;
	}
	return more;
}

static void wake_ev(struct ev *ev, uint32_t events)
{
	struct worker *w = container_of(ev, struct worker, wake_ev);
	uint64_t v;

	(void)events;
	if (read(ev->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("worker %u: eventfd: %s", w->idx, strerror(errno));
	run_mailbox(w);
	/* Budget spent: come back after the others had their turn. */
	if (drain_rings(w))
		wake(w);
}

int worker_new(struct gateway *gw, unsigned int idx)
{
	const struct sstp_config *c = &gw->cfg;
	struct worker *w = calloc(1, sizeof(*w));
	unsigned int size;
	int ret;

	if (!w)
		return -ENOMEM;
	w->gw = gw;
	w->idx = idx;
	w->listen_ev.fd = -1;
	w->wake_ev.fd = -1;
	INIT_LIST_HEAD(&w->sessions);
	INIT_LIST_HEAD(&w->zombies);
	INIT_LIST_HEAD(&w->more);
	INIT_LIST_HEAD(&w->dirty);
	INIT_LIST_HEAD(&w->mbox);
	pthread_mutex_init(&w->mbox_lock, NULL);
	pthread_cond_init(&w->mbox_cond, NULL);
	gw->w[idx] = w;
	if (idx) {
		ret = loop_init(&w->own_loop);
		if (ret)
			return ret;
		w->loop = &w->own_loop;
	} else {
		w->loop = &gw->loop;
		self = w;
	}
	for (size = 64; size < c->max_sessions * 2 && size < (1u << 20);)
		size <<= 1;
	w->table = calloc(size, sizeof(*w->table));
	w->in = calloc(CONFIG_MAX_WORKERS, sizeof(*w->in));
	if (!w->table || !w->in)
		return -ENOMEM;
	w->table_mask = size - 1;
	w->wake_ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake_ev.fd < 0)
		return -errno;
	w->wake_ev.cb = wake_ev;
	return loop_add(w->loop, &w->wake_ev, EPOLLIN);
}

int worker_rings(struct gateway *gw)
{
	unsigned int p, c;
	int ret;

	if (gw->nworkers < 2)
		return 0;
	gw->owner = calloc(gw->pool.size, sizeof(*gw->owner));
	if (!gw->owner)
		return -ENOMEM;
	for (c = 0; c < gw->nworkers; c++) {
		for (p = 0; p < gw->nworkers; p++) {
			struct ring *r;

			if (p == c)
				continue;
			r = calloc(1, sizeof(*r));
			if (!r)
				return -ENOMEM;
			ret = ring_init(r, RING_BYTES);
			if (ret) {
				free(r);
				return ret;
			}
			gw->w[c]->in[p] = r;
		}
	}
	return 0;
}

void worker_set_owner(struct worker *w, uint32_t addr, bool mine)
{
	struct gateway *gw = w->gw;
	uint32_t off = addr - gw->pool.base;
	uint8_t me = (uint8_t)(w->idx + 1);
	int ret;

	if (!gw->owner || off >= gw->pool.size)
		return;
	if (mine) {
		atomic_store_explicit(&gw->owner[off], me,
				      memory_order_release);
		/* The steering program learns the same (one bpf() call). */
		if (gw->steer && (ret = steer_set(gw->steer, addr, w->idx)))
			log_warn("TUN steering: cannot add a session's address: %s; its packets may go through the hand-off ring",
				 strerror(-ret));
	} else if (atomic_compare_exchange_strong(&gw->owner[off], &me, 0)) {
		/* Only its own entry: the address may have moved on. */
		if (gw->steer)
			steer_del(gw->steer, addr);
	}
}

struct worker *worker_owner(struct gateway *gw, uint32_t addr)
{
	uint32_t off = addr - gw->pool.base;
	uint8_t v;

	if (!gw->owner || off >= gw->pool.size)
		return NULL;
	v = atomic_load_explicit(&gw->owner[off], memory_order_acquire);
	return v && v <= gw->nworkers ? gw->w[v - 1] : NULL;
}

void worker_handoff(struct worker *w, struct worker *to, const uint8_t *pkt,
		    size_t len)
{
	if (!ring_push(to->in[w->idx], pkt, len)) {
		w->ctr.handoff_dropped++;
		return;
	}
	w->ctr.handoff++;
	w->wake_mask[0] |= 1ull << to->idx;
}

void worker_handoff_flush(struct worker *w)
{
	uint64_t m = w->wake_mask[0];

	w->wake_mask[0] = 0;
	while (m) {
		unsigned int i = (unsigned int)__builtin_ctzll(m);

		m &= m - 1;
		wake(w->gw->w[i]);
	}
}

/* Queue m on w; false when w's thread is gone (m not queued). */
static bool post(struct worker *w, struct worker_msg *m)
{
	pthread_mutex_lock(&w->mbox_lock);
	if (w->exited) {
		pthread_mutex_unlock(&w->mbox_lock);
		return false;
	}
	list_add_tail(&m->node, &w->mbox);
	pthread_mutex_unlock(&w->mbox_lock);
	wake(w);
	return true;
}

static void drop_fn(struct worker *w, void *arg)
{
	struct worker_msg *m = arg;
	struct session *s;

	list_for_each_entry(s, &w->sessions, reg.node) {
		if (s->id == m->id) {
			session_drop(s, m->why);
			return;
		}
	}
}

void worker_post_drop(struct worker *w, uint64_t id, const char *why)
{
	struct worker_msg *m = calloc(1, sizeof(*m));

	if (!m) {
		log_err("worker %u: out of memory: session %llu not ended",
			w->idx, (unsigned long long)id);
		return;
	}
	m->fn = drop_fn;
	m->id = id;
	m->why = why;
	if (!post(w, m)) {
		/* Its thread is gone: it ended every session already. */
		free(m);
	}
}

struct call {
	struct worker_msg m;		/* first: the message is the call */
	void (*fn)(struct worker *w, void *arg);
	void *arg;
};

static void call_fn(struct worker *w, void *arg)
{
	struct call *c = arg;

	c->fn(w, c->arg);
}

void worker_call(struct worker *w, void (*fn)(struct worker *w, void *arg),
		 void *arg)
{
	struct call c = { .fn = fn, .arg = arg };

	if (!w->started || w == self) {
		fn(w, arg);
		return;
	}
	c.m.fn = call_fn;
	c.m.wait = true;
	if (!post(w, &c.m)) {
		/* Its thread is gone: nothing else touches its state. */
		fn(w, arg);
		return;
	}
	pthread_mutex_lock(&w->mbox_lock);
	while (!c.m.done && !w->exited)
		pthread_cond_wait(&w->mbox_cond, &w->mbox_lock);
	pthread_mutex_unlock(&w->mbox_lock);
	/* The thread left with the call still queued (worker_exit). */
	if (!c.m.done)
		fn(w, arg);
}

/* The thread ends: later messages run at their sender's (worker_call). */
static void worker_exit(struct worker *w)
{
	LIST_HEAD(left);

	pthread_mutex_lock(&w->mbox_lock);
	w->exited = true;
	list_splice_init(&w->mbox, &left);
	pthread_cond_broadcast(&w->mbox_cond);
	pthread_mutex_unlock(&w->mbox_lock);
	while (!list_empty(&left)) {
		struct worker_msg *m = list_first_entry(&left,
							struct worker_msg,
							node);

		list_del_init(&m->node);
		if (!m->wait)
			free(m);
	}
}

static void stop_fn(struct worker *w, void *arg);

/*
 * From a worker's thread: worker 0 (the main thread, never "started")
 * leaves gateway_run, which ends every worker.
 */
static void stop_gateway(struct gateway *gw)
{
	struct worker *w0 = gw->w[0];
	struct worker_msg *m = calloc(1, sizeof(*m));

	if (m) {
		m->fn = stop_fn;
		if (post(w0, m))
			return;
		free(m);
	}
	/* Out of memory, or it is leaving anyway: the flag and a wake-up. */
	w0->loop->stop = 1;
	wake(w0);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	self = w;
	w->next_tick_ms = now_ms() + 250;
	while (!w->loop->stop) {
		int ret = worker_step(w, -1);

		if (ret < 0) {
			log_err("worker %u: epoll: %s; stopping the gateway",
				w->idx, strerror(-ret));
			atomic_store(&w->gw->worker_failed, ret);
			stop_gateway(w->gw);
			break;
		}
	}
	worker_end_all(w);
	worker_exit(w);
	return NULL;
}

int worker_start(struct worker *w)
{
	int ret;

	w->started = true;
	ret = pthread_create(&w->thread, NULL, worker_main, w);
	if (ret) {
		w->started = false;
		return -ret;
	}
	return 0;
}

static void stop_fn(struct worker *w, void *arg)
{
	(void)arg;
	w->loop->stop = 1;
}

void worker_stop(struct worker *w)
{
	struct worker_msg *m;

	if (!w || !w->started)
		return;
	m = calloc(1, sizeof(*m));
	if (!m) {
		/* Out of memory: the flag alone, seen at its next wake-up. */
		w->loop->stop = 1;
		wake(w);
		return;
	}
	m->fn = stop_fn;
	if (!post(w, m))
		free(m);
}

void worker_join(struct worker *w)
{
	if (!w || !w->started)
		return;
	pthread_join(w->thread, NULL);
	w->started = false;
}

void worker_free(struct worker *w)
{
	unsigned int i;

	for (i = 0; w->in && i < CONFIG_MAX_WORKERS; i++) {
		if (w->in[i]) {
			ring_destroy(w->in[i]);
			free(w->in[i]);
		}
	}
	free(w->in);
	worker_exit(w);
	if (w->listen_ev.fd >= 0)
		close(w->listen_ev.fd);
	if (w->wake_ev.fd >= 0)
		close(w->wake_ev.fd);
	free(w->table);
	if (w->loop == &w->own_loop)
		loop_destroy(&w->own_loop);
	pthread_mutex_destroy(&w->mbox_lock);
	pthread_cond_destroy(&w->mbox_cond);
	if (self == w)
		self = NULL;
	free(w);
}
