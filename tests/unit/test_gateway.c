// SPDX-License-Identifier: GPL-2.0
/*
 * The gateway's session registry, on a real gateway (gateway_core_init)
 * with real sessions (gateway_adopt) on socket pairs: a closed session
 * leaves every list and table at once and is freed only after the event
 * batch; walks survive sessions closing under them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "sstpd/gateway.h"
#include "sstpd/session.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "util/list.h"
#include "util/log.h"

#define NS 8

static char dir[64];
static struct gateway gw;
static struct session *ss[NS];
static int peer_fd[NS];

static void make_pki(void)
{
	struct pki_cert_spec root = { .kind = PKI_ROOT, .cn = "Test Root",
				      .not_before = -3600,
				      .not_after = 86400 };
	struct pki_cert_spec srv = { .kind = PKI_SERVER, .cn = "localhost",
				     .san_dns = "localhost",
				     .not_before = -3600,
				     .not_after = 86400 };
	char path[128];
	X509 *rc, *sc;
	EVP_PKEY *rk, *sk;

	snprintf(dir, sizeof(dir), "/tmp/test_gateway.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roots", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(pki_issue(&root, NULL, NULL, &rc, &rk), 0);
	assert_int_equal(pki_issue(&srv, rc, rk, &sc, &sk), 0);
	snprintf(path, sizeof(path), "%s/roots/root.crt", dir);
	assert_int_equal(pki_write_cert(path, rc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	assert_int_equal(pki_write_cert(path, sc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	assert_int_equal(pki_write_key(path, sk), 0);
	X509_free(rc);
	X509_free(sc);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(sk);
}

static int setup(void **state)
{
	struct sstp_config cfg;
	int i;

	signal(SIGPIPE, SIG_IGN);
	sstp_log_init("test_gateway", true, 0);
	make_pki();
	config_defaults(&cfg);
	snprintf(cfg.certificate, sizeof(cfg.certificate), "%s/server.crt",
		 dir);
	snprintf(cfg.private_key, sizeof(cfg.private_key), "%s/server.key",
		 dir);
	snprintf(cfg.root_dir, sizeof(cfg.root_dir), "%s/roots", dir);
	cfg.kernel_tls = false;
	cfg.kernel_path = false;
	cfg.pool.addr = 0x0a620000u;	/* 10.98.0.0/24 */
	cfg.pool.plen = 24;
	cfg.address = 0x0a620001u;
	if (gateway_core_init(&gw, &cfg))
		return -1;
	for (i = 0; i < NS; i++)
		peer_fd[i] = -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	gateway_destroy(&gw);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* n sessions on socket pairs; ss[0] is the oldest. */
static void adopt(int n)
{
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	int i;

	for (i = 0; i < n; i++) {
		int sp[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM |
					    SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
					    sp), 0);
		ss[i] = gateway_adopt(&gw, sp[0], &peer);
		assert_non_null(ss[i]);
		peer_fd[i] = sp[1];
	}
	assert_int_equal(gw.nsessions, n);
}

static void close_peers(void)
{
	int i;

	for (i = 0; i < NS; i++) {
		if (peer_fd[i] >= 0)
			close(peer_fd[i]);
		peer_fd[i] = -1;
	}
}

static bool on_list(const struct list_head *head, const struct list_head *n)
{
	const struct list_head *p;

	for (p = head->next; p != head; p = p->next)
		if (p == n)
			return true;
	return false;
}

static unsigned int list_len(const struct list_head *head)
{
	const struct list_head *p;
	unsigned int n = 0;

	for (p = head->next; p != head; p = p->next)
		n++;
	return n;
}

/* Every session ends; nothing is left anywhere. */
static void end_all(void)
{
	close_peers();
	gateway_end_sessions(&gw);
	assert_int_equal(gw.nsessions, 0);
	assert_int_equal(gw.nhandshakes, 0);
	assert_true(list_empty(&gw.w[0]->sessions));
	assert_true(list_empty(&gw.w[0]->zombies));
	assert_true(list_empty(&gw.w[0]->more));
	assert_true(list_empty(&gw.w[0]->dirty));
	assert_int_equal(gw.pool.used, 0);
	assert_int_equal(gw.src.nlive, 0);
	memset(ss, 0, sizeof(ss));
}

static void test_closed_on_more_and_dirty(void **state)
{
	const struct session_host_ops *ops = gw.host.ops;
	uint32_t addr;
	struct session *s;

	adopt(3);
	s = ss[1];
	/* What a session asks of its host on the way up (session_host.h). */
	assert_int_equal(ops->lease(&gw.host, s, &addr), 0);
	s->addr = addr;
	s->in_dp = true;
	ops->enter(&gw.host, s);
	ops->want_read(&gw.host, s);
	ops->want_flush(&gw.host, s);
	ops->want_read(&gw.host, ss[2]);
	assert_true(on_list(&gw.w[0]->more, &s->reg.more));
	assert_true(on_list(&gw.w[0]->dirty, &s->reg.dirty));
	assert_ptr_equal(gateway_find_addr(&gw, addr), s);
	assert_int_equal(gw.pool.used, 1);

	/* Closed (the handshake had not finished: no goodbye to send). */
	session_disconnect(s, "test");
	assert_int_equal(s->state, SS_DEAD);
	/* Off every list and table at once, waiting on the zombie list. */
	assert_false(on_list(&gw.w[0]->more, &s->reg.more));
	assert_false(on_list(&gw.w[0]->dirty, &s->reg.dirty));
	assert_true(list_empty(&s->reg.more));
	assert_true(list_empty(&s->reg.dirty));
	assert_null(gateway_find_addr(&gw, addr));
	assert_true(hlist_unhashed(&s->reg.hnode));
	assert_false(s->in_dp);
	assert_int_equal(s->reg.ev.fd, -1);	/* off the loop */
	assert_false(on_list(&gw.w[0]->sessions, &s->reg.node));
	assert_true(on_list(&gw.w[0]->zombies, &s->reg.node));
	assert_int_equal(gw.nsessions, 2);
	assert_int_equal(gw.nhandshakes, 2);
	assert_int_equal(gw.pool.used, 0);
	assert_int_equal(s->addr, 0);
	/* The others are untouched. */
	assert_true(on_list(&gw.w[0]->more, &ss[2]->reg.more));

	/* A closed session cannot be put back on a list. */
	ops->want_read(&gw.host, s);
	ops->want_flush(&gw.host, s);
	ops->enter(&gw.host, s);
	assert_true(list_empty(&s->reg.more));
	assert_true(list_empty(&s->reg.dirty));
	assert_null(gateway_find_addr(&gw, addr));

	/* The batch ends: freed (ASan would see a touch after this). */
	assert_int_equal(gateway_step(&gw, 0), 0);
	assert_true(list_empty(&gw.w[0]->zombies));
	assert_int_equal(list_len(&gw.w[0]->sessions), 2);
	assert_int_equal(gateway_step(&gw, 0), 0);
	end_all();
}

struct walk {
	struct session *seen[NS];
	unsigned int n;
	struct session *close_at, *also;
};

static void visit(struct session *s, void *arg)
{
	struct walk *w = arg;

	assert_int_not_equal(s->state, SS_DEAD);
	w->seen[w->n++] = s;
	if (s == w->close_at) {
		session_disconnect(s, "closed by the walk");
		session_disconnect(w->also, "closed by the walk, not yet seen");
	}
}

static void test_close_inside_walk(void **state)
{
	struct walk w = { .n = 0 };
	struct session *order[NS];
	struct list_head *p;
	unsigned int i = 0;

	adopt(5);	/* the live list is newest first: 4 3 2 1 0 */
	w.close_at = ss[3];
	w.also = ss[2];
	gateway_each_session(&gw, visit, &w);
	/* 2 was closed before its turn: never seen. */
	assert_int_equal(w.n, 4);
	assert_ptr_equal(w.seen[0], ss[4]);
	assert_ptr_equal(w.seen[1], ss[3]);
	assert_ptr_equal(w.seen[2], ss[1]);
	assert_ptr_equal(w.seen[3], ss[0]);
	/* The rest keep their order. */
	for (p = gw.w[0]->sessions.next; p != &gw.w[0]->sessions; p = p->next)
		order[i++] = list_entry(p, struct session, reg.node);
	assert_int_equal(i, 3);
	assert_ptr_equal(order[0], ss[4]);
	assert_ptr_equal(order[1], ss[1]);
	assert_ptr_equal(order[2], ss[0]);
	assert_int_equal(list_len(&gw.w[0]->zombies), 2);
	assert_int_equal(gw.nsessions, 3);
	assert_int_equal(gateway_step(&gw, 0), 0);
	assert_true(list_empty(&gw.w[0]->zombies));
	end_all();
}

static void test_many_close_in_one_batch(void **state)
{
	uint64_t refused = gw.ctr.refused;
	int i;

	adopt(NS);
	for (i = 0; i < NS; i++) {
		gw.host.ops->want_read(&gw.host, ss[i]);
		gw.host.ops->want_flush(&gw.host, ss[i]);
	}
	assert_int_equal(list_len(&gw.w[0]->more), NS);
	/*
	 * Every client goes at once: each session sees its end in its own
	 * event (the TLS handshake fails) while it is still on the more and
	 * dirty lists that the same batch then walks.
	 */
	close_peers();
	assert_int_equal(gateway_step(&gw, 0), 0);
	assert_int_equal(gw.nsessions, 0);
	assert_int_equal(gw.nhandshakes, 0);
	assert_true(list_empty(&gw.w[0]->sessions));
	assert_true(list_empty(&gw.w[0]->more));
	assert_true(list_empty(&gw.w[0]->dirty));
	assert_true(list_empty(&gw.w[0]->zombies));
	assert_int_equal(gw.ctr.refused - refused, NS);
	assert_int_equal(gateway_step(&gw, 0), 0);
	end_all();
}

/*
 * What the host does for the calls of a session's life: the counters, the
 * half-open budget and the address table follow them, and a session that
 * left the data plane is found there no more.
 */
static void test_host_accounting(void **state)
{
	const struct session_host_ops *ops = gw.host.ops;
	struct gw_counters c0 = gw.ctr;
	uint32_t a0, a1;

	adopt(3);
	assert_int_equal(gw.nhandshakes, 3);
	assert_int_equal(gw.src.nlive, 1);
	assert_int_equal(gw.src.e[ss[0]->reg.src].half, 3);

	/* ss[0] comes up. */
	assert_int_equal(ops->lease(&gw.host, ss[0], &a0), 0);
	ss[0]->addr = a0;
	ss[0]->in_dp = true;
	ops->enter(&gw.host, ss[0]);
	ops->up(&gw.host, ss[0]);
	assert_int_equal(gw.ctr.established - c0.established, 1);
	assert_int_equal(gw.nhandshakes, 2);
	assert_int_equal(gw.src.e[ss[0]->reg.src].half, 2);
	assert_false(ss[0]->reg.half);

	/* ss[1] leases, then times out: refused, its address comes back. */
	assert_int_equal(ops->lease(&gw.host, ss[1], &a1), 0);
	assert_int_not_equal(a0, a1);
	ss[1]->addr = a1;
	assert_int_equal(gw.pool.used, 2);
	ops->refused(&gw.host, ss[1], SESSION_REFUSED_TIMEOUT);
	assert_int_equal(gw.ctr.refused - c0.refused, 1);
	assert_int_equal(gw.ctr.up_timeouts - c0.up_timeouts, 1);
	session_drop(ss[1], "test");
	assert_int_equal(ss[1]->state, SS_DEAD);
	assert_int_equal(gw.pool.used, 1);
	assert_int_equal(gw.nhandshakes, 1);

	/*
	 * ss[0] revoked: out of the table at once (and, still in TLS here,
	 * closed: no goodbye to send), its address back.
	 */
	session_revoke(ss[0], "test");
	assert_null(gateway_find_addr(&gw, a0));
	assert_int_equal(gw.nsessions, 1);
	assert_true(on_list(&gw.w[0]->zombies, &ss[0]->reg.node));
	assert_int_equal(gw.pool.used, 0);

	assert_int_equal(gateway_step(&gw, 0), 0);
	end_all();
	assert_int_equal(gw.ctr.established - c0.established, 1);
}

/*
 * MaxSessionsPerCertificate across workers: a session that another
 * worker has already replaced (taken off the gateway's list, its drop
 * posted) and only now reaches its own certificate check ends nobody;
 * before, the two sessions of a certificate that authenticated at once on
 * two workers each ended the other.
 */
static void test_cert_limit_replaced(void **state)
{
	const struct session_host_ops *ops = gw.host.ops;
	unsigned int max = gw.cfg.max_sessions_per_cert;
	uint64_t replaced = gw.ctr.cert_replaced;
	const char *tp = "0123456789abcdef0123456789abcdef01234567";
	struct session *a, *b;

	adopt(2);
	a = ss[0];
	b = ss[1];
	gw.cfg.max_sessions_per_cert = 1;
	snprintf(a->thumb, sizeof(a->thumb), "%s", tp);
	snprintf(b->thumb, sizeof(b->thumb), "%s", tp);
	a->authed = b->authed = true;
	ops->authed(&gw.host, a);
	/* b is older: a replaces it (b's worker is told to end it). */
	assert_int_equal(gw.ctr.cert_replaced - replaced, 1);
	assert_int_equal(b->state, SS_DEAD);
	assert_int_not_equal(a->state, SS_DEAD);

	/*
	 * Now the other order, as on two workers: b was replaced by a while
	 * b's own worker was between its authentication and its check (the
	 * shares given back as victim_add does, b still alive).
	 */
	end_all();
	adopt(2);
	a = ss[1];
	b = ss[0];
	snprintf(a->thumb, sizeof(a->thumb), "%s", tp);
	snprintf(b->thumb, sizeof(b->thumb), "%s", tp);
	a->authed = b->authed = true;
	pthread_mutex_lock(&gw.lock);
	list_del_init(&b->reg.all);
	gw.nsessions--;
	preauth_close(&gw.src, b->reg.src, b->reg.half);
	b->reg.src = PREAUTH_NONE;
	b->reg.half = false;
	gw.nhandshakes--;
	pthread_mutex_unlock(&gw.lock);
	replaced = gw.ctr.cert_replaced;
	ops->authed(&gw.host, b);
	assert_int_equal(gw.ctr.cert_replaced, replaced);
	assert_int_not_equal(a->state, SS_DEAD);
	gw.cfg.max_sessions_per_cert = max;
	assert_int_equal(gateway_step(&gw, 0), 0);
	end_all();
}

/* What a worker_call saw of the thread it ran on. */
struct seen {
	pthread_t thread;
	struct worker *self;
	int calls;
};

static void note_thread(struct worker *w, void *arg)
{
	struct seen *x = arg;

	x->thread = pthread_self();
	x->self = worker_self();
	x->calls++;
}

static void read_no_session(struct worker *w, void *arg)
{
	*(uint64_t *)arg = w->ctr.tun_no_session;
}

/*
 * A second worker on its own thread: worker_call runs there and waits;
 * a packet handed over through the ring reaches it (here for no session:
 * counted there); a drop for no session is harmless; once the thread has
 * ended, worker_call runs at the caller's.
 */
static void test_worker_thread(void **state)
{
	uint8_t pkt[28] = { 0x45, 0, 0, 28 };
	struct seen x = { .calls = 0 };
	uint64_t n = 0;
	struct worker *w1;
	int i;

	assert_int_equal(worker_new(&gw, 1), 0);
	gw.nworkers = 2;
	assert_int_equal(worker_rings(&gw), 0);
	w1 = gw.w[1];
	assert_int_equal(worker_start(w1), 0);

	worker_call(w1, note_thread, &x);
	assert_int_equal(x.calls, 1);
	assert_false(pthread_equal(x.thread, pthread_self()));
	assert_ptr_equal(x.self, w1);
	/* Its own worker: at once, on this thread. */
	worker_call(gw.w[0], note_thread, &x);
	assert_int_equal(x.calls, 2);
	assert_true(pthread_equal(x.thread, pthread_self()));

	worker_post_drop(w1, 424242, "no such session");
	/* 10.98.0.77: in the pool, held by no session. */
	pkt[16] = 10;
	pkt[17] = 98;
	pkt[19] = 77;
	worker_handoff(gw.w[0], w1, pkt, sizeof(pkt));
	assert_int_equal(gw.w[0]->ctr.handoff, 1);
	worker_handoff_flush(gw.w[0]);
	for (i = 0; i < 200 && n != 1; i++) {
		worker_call(w1, read_no_session, &n);
		if (n != 1)
			usleep(10000);
	}
	assert_int_equal(n, 1);
	assert_null(worker_owner(&gw, 0x0a62004du));

	worker_stop(w1);
	worker_join(w1);
	worker_call(w1, note_thread, &x);
	assert_int_equal(x.calls, 3);
	assert_true(pthread_equal(x.thread, pthread_self()));
	worker_free(w1);
	gw.w[1] = NULL;
	gw.nworkers = 1;
}

/*
 * A worker whose loop fails stops the whole gateway, which reports it,
 * rather than leave its listener taking connections nobody serves. Its
 * epoll descriptor is made a non-epoll file (dup2: the number stays
 * ours), and a wake-up brings the thread back to epoll_wait on it.
 */
static void test_worker_failure_stops_gateway(void **state)
{
	struct worker *w1;
	int null_fd, i;

	assert_int_equal(worker_new(&gw, 1), 0);
	gw.nworkers = 2;
	w1 = gw.w[1];
	assert_int_equal(worker_start(w1), 0);

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(null_fd >= 0);
	assert_int_equal(dup2(null_fd, w1->loop->epfd), w1->loop->epfd);
	close(null_fd);
	worker_post_drop(w1, 1, "wake up");
	for (i = 0; i < 500 && !atomic_load(&gw.worker_failed); i++)
		usleep(10000);
	assert_int_equal(atomic_load(&gw.worker_failed), -EINVAL);
	/* Worker 0 (this thread) gets the stop in its mailbox. */
	for (i = 0; i < 100 && !gw.loop.stop; i++)
		gateway_step(&gw, 10);
	assert_true(gw.loop.stop);

	worker_join(w1);
	worker_free(w1);
	gw.w[1] = NULL;
	gw.nworkers = 1;
	gw.loop.stop = 0;
	atomic_store(&gw.worker_failed, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_on_more_and_dirty),
		cmocka_unit_test(test_close_inside_walk),
		cmocka_unit_test(test_many_close_in_one_batch),
		cmocka_unit_test(test_host_accounting),
		cmocka_unit_test(test_cert_limit_replaced),
		cmocka_unit_test(test_worker_thread),
		cmocka_unit_test(test_worker_failure_stops_gateway),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
