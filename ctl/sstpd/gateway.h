/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway: N workers (Workers =), each an epoll loop on its own thread
 * with its own listening socket (SO_REUSEPORT), its own TUN queue
 * (IFF_MULTI_QUEUE) and the sessions it accepted; worker 0 runs on the
 * main thread and also holds the control socket, the signals and the
 * gateway-wide timers (refusal summaries, control connections).
 *
 * Who owns what, and the locking rules:
 * - A session belongs to the worker that accepted it (s->reg.w) for its
 *   whole life: its socket, timers, TLS, output, its place on the worker's
 *   lists and in the worker's address table. Only that worker's thread
 *   touches it. Another thread that needs something done to it posts a
 *   message to the worker's mailbox (worker_post: drop a session) or, the
 *   control thread only, runs a function there and waits for it
 *   (worker_call: show, revoke, root removal, counters). Workers never
 *   wait for the control thread or for each other.
 * - gw->lock guards the state shared by all workers: the pool, the
 *   per-source budget (src), nsessions, nhandshakes, next_id, ctr,
 *   stopping, the list of all sessions (all, each session's reg.all,
 *   reg.src, reg.half, reg.thumb, reg.authed) and the trusted roots and
 *   revocations (pki, changed by the control thread only). It is taken at
 *   accept, during the handshake (certificate checks), when a session
 *   comes up or closes, and by control commands; never on the packet
 *   path, never while waiting for a worker, never around a call back into
 *   session code (session_drop and friends run after it is released).
 * - A worker's mailbox lock is taken to post and to take messages, never
 *   on the packet path. The hand-off rings (ring.h) and the owner map
 *   (which worker holds an address, written by the owner as sessions
 *   enter and leave the data plane) are lock-free.
 * - cfg, the TLS contexts and the certificate hashes are read-only once
 *   the workers run.
 */
#ifndef _SSTPD_GATEWAY_H
#define _SSTPD_GATEWAY_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "net/tun.h"
#include "trust/pki.h"
#include "util/list.h"
#include "util/loop.h"

#include "pool.h"
#include "preauth.h"
#include "session_host.h"

struct ctl_conn;
struct dp;
struct session;
struct steer;
struct worker;

enum gw_dp {
	GW_DP_TUN,		/* dp_tun.c */
	GW_DP_KERNEL,		/* dp_kernel.c */
	GW_DP_MAX,
};

struct gw_counters {
	uint64_t accepted;		/* TCP connections */
	uint64_t established;		/* sessions that came up */
	uint64_t refused;		/* closed before coming up */
	uint64_t over_limit;		/* refused for MaxSessions/MaxHandshakes */
	uint64_t tun_no_session;	/* TUN packets for no session */
	uint64_t tun_rx_errors;
	uint64_t handoff;		/* TUN packets passed to their owner */
	uint64_t handoff_dropped;	/* ... dropped: its ring was full */
	/* Refusals by reason (preauth budget); over_limit is their sum. */
	uint64_t refused_stopping;
	uint64_t refused_max_sessions;
	uint64_t refused_max_handshakes;
	uint64_t refused_source_conns;	/* MaxConnectionsPerSource */
	uint64_t refused_source_half;	/* MaxHandshakesPerSource */
	uint64_t evicted;		/* half-open, for a fairer source */
	uint64_t up_timeouts;		/* not up within NegotiationTimeout */
	uint64_t cert_replaced;		/* MaxSessionsPerCertificate */
};

struct ring;
struct tun_queue;

/* A message to a worker (worker_post, worker_call). */
struct worker_msg {
	struct list_head node;
	void (*fn)(struct worker *w, void *msg);	/* given the message */
	bool wait;			/* worker_call: the caller waits */
	bool done;
	/* worker_post of a drop: */
	uint64_t id;
	const char *why;		/* static text */
};

struct worker {
	struct gateway *gw;
	unsigned int idx;
	struct loop *loop;		/* &gw->loop for worker 0 */
	struct loop own_loop;
	struct ev listen_ev;
	struct ev wake_ev;		/* eventfd: mailbox and rings */
	struct tun_queue *tq;		/* its TUN queue (dp_tun.c) */
	/*
	 * Its sessions. A session is on sessions while it lives and on
	 * zombies once closed, until the end of the event batch (events
	 * fetched in the batch may still name it); it is freed only when it
	 * is on none of these lists and tables (its struct session_reg).
	 */
	struct list_head sessions;	/* live sessions, newest first */
	struct list_head zombies;	/* closed, freed after the event batch */
	struct list_head more;		/* have unread input (budget ran out) */
	struct list_head dirty;		/* have queued output to flush */
	struct hlist_head *table;	/* by assigned address */
	unsigned int table_mask;
	unsigned int nsessions;		/* on sessions */
	uint64_t next_tick_ms;		/* when session timers run next */
	struct gw_counters ctr;		/* the packet path's (tun_*, handoff*) */
	/* Hand-off: in[p] carries packets from worker p (NULL for itself). */
	struct ring **in;
	uint64_t wake_mask[1];		/* workers to wake after a TUN batch */
	/* The mailbox (worker_post, worker_call). */
	pthread_mutex_t mbox_lock;
	pthread_cond_t mbox_cond;
	struct list_head mbox;
	bool exited;			/* its thread is gone (mbox_lock) */
	bool in_mailbox;		/* running messages, in an event batch */
	bool started;
	pthread_t thread;
};

struct gateway {
	struct sstp_config cfg;
	struct session_host host;	/* what its sessions see of it */
	struct loop loop;		/* worker 0's */
	SSL_CTX *tls;			/* outer HTTPS */
	SSL_CTX *eap_tls;		/* inner EAP-TLS, same certificate */
	struct pki *pki;
	struct pool pool;
	uint8_t cert_sha1[20], cert_sha256[32];
	char ifname[IF_NAMESIZE];
	char ctl_path[108];
	struct ev ctl_ev, sig_ev;
	/*
	 * The data paths (dp.h), in the order they are offered a session:
	 * the TUN path always (sessions that keep their socket), then those
	 * that take sockets (sstp.ko, with one worker only), NULL when off.
	 */
	struct dp *dp[GW_DP_MAX];
	struct ctl_conn *ctl_conns;	/* open control connections */
	unsigned int nctl;
	/* The workers; w[0] runs on the main thread. */
	struct worker *w[CONFIG_MAX_WORKERS];
	unsigned int nworkers;
	/* Which worker holds each pool address: index + 1, 0 for none. */
	_Atomic uint8_t *owner;
	/* The hook for the TUN steering program (steer.h), NULL: none. */
	struct steer *steer;
	/*
	 * A worker whose loop failed (-errno): it has stopped the gateway,
	 * which then exits with an error rather than run without it (its
	 * listener would keep taking a share of the connections).
	 */
	_Atomic int worker_failed;
	/* Everything below is shared by the workers: under lock. */
	pthread_mutex_t lock;
	struct list_head all;		/* every session not yet closed */
	unsigned int nsessions, nhandshakes;
	uint64_t next_id;
	uint64_t started_ms;
	struct gw_counters ctr;
	bool stopping;
	/* Per-source budget before authentication (preauth.c). */
	struct preauth_table src;
	uint64_t src_report_ms;		/* next refusal summary (worker 0) */
	/* Persistent trust state (trust.c). */
	char revoked_path[PATH_MAX];	/* RevokedFile or the default */
};

/* What the gateway shows to the outside (the control socket). */
struct gateway_info {
	const char *ifname;
	unsigned int nsessions, max_sessions;
	uint32_t pool_addr;
	unsigned int pool_plen;
	uint32_t address;
	unsigned int roots;
	uint64_t uptime_s;
	const char *kernel_dev;		/* NULL: no sstp.ko device */
	unsigned int nkernel;
	const struct tun_offload *tun_offload;	/* NULL: no TUN path */
	struct tunq_stats tun_stats;		/* summed over the workers */
	unsigned int nhandshakes, sources;
	const struct sstp_config *cfg;	/* limits */
	struct gw_counters ctr;
	unsigned int nworkers;
};

/*
 * Fill info; with collect, first fetch the module's counters of the kernel
 * sessions (what session_get_info then shows).
 */
void gateway_get_info(struct gateway *gw, bool collect,
		      struct gateway_info *info);

/* Set up everything from a loaded configuration. 0 or -errno (logged). */
int gateway_init(struct gateway *gw, const struct sstp_config *cfg);
/* Run until stopped (signal or control command). */
int gateway_run(struct gateway *gw);
void gateway_destroy(struct gateway *gw);

/*
 * The pieces gateway_init and gateway_run are made of, which also let tests
 * and fuzzers drive a real gateway in-process (no TUN device, listener,
 * control socket, signals or sstp.ko):
 * gateway_core_init: the loop, trust, TLS contexts, pool, address table and
 * the data paths, none open (what gateway_init does before it touches the
 * system). 0 or -errno.
 * gateway_use_tun: fd carries the TUN path's packets (one per read/write);
 * a test may pass a SOCK_SEQPACKET socket. 0 or -errno.
 * gateway_adopt: an accepted, non-blocking TCP socket becomes a session
 * (what the listener does for each connection); NULL when refused (over a
 * limit, out of memory) and the socket closed.
 * gateway_step: one round of the loop: wait at most max_wait_ms (-1: until
 * the next timer) for events, handle them, the sessions with input or
 * output left over, and the timers when due. 0 or -errno from epoll.
 * gateway_end_sessions: every session ends now (CALL_DISCONNECT queued,
 * then closed) and is freed.
 */
int gateway_core_init(struct gateway *gw, const struct sstp_config *cfg);
int gateway_use_tun(struct gateway *gw, int fd);
struct session *gateway_adopt(struct gateway *gw, int fd,
			      const struct sockaddr_storage *ss);
int gateway_step(struct gateway *gw, int max_wait_ms);
void gateway_end_sessions(struct gateway *gw);

/* The control socket's transport (ctl_conn.c). */
int ctl_server_open(struct gateway *gw);
void ctl_server_close(struct gateway *gw);
/* Close control connections past their deadline. */
void ctl_server_tick(struct gateway *gw, uint64_t now);
/* Its commands: ctl_server.h. */

/*
 * Call fn for every live session, in order. fn may close any session,
 * the one it is given or others (closed ones are skipped).
 */
void gateway_each_session(struct gateway *gw,
			  void (*fn)(struct session *s, void *arg), void *arg);
/* The session in the data plane at inner address addr, or NULL. */
struct session *gateway_find_addr(struct gateway *gw, uint32_t addr);

/*
 * Workers (worker.c).
 * worker_find_addr: in w's address table (w's thread).
 * worker_owner: the worker whose session holds addr in the data plane, or
 * NULL (any thread, lock-free).
 * worker_handoff: a TUN packet read by w for another worker's session:
 * onto the ring to it (w's thread); dropped and counted when full. The
 * owners are woken by worker_handoff_flush after the batch.
 * worker_post: ask w to drop session id (any thread; does not wait).
 * worker_call: run fn(w, arg) on w's thread and wait for it (the control
 * thread only; on its own worker, or one whose thread is gone, it runs
 * at once).
 */
struct session *worker_find_addr(struct worker *w, uint32_t addr);
struct worker *worker_owner(struct gateway *gw, uint32_t addr);
void worker_set_owner(struct worker *w, uint32_t addr, bool mine);
void worker_handoff(struct worker *w, struct worker *to, const uint8_t *pkt,
		    size_t len);
void worker_handoff_flush(struct worker *w);
void worker_post_drop(struct worker *w, uint64_t id, const char *why);
void worker_call(struct worker *w, void (*fn)(struct worker *w, void *arg),
		 void *arg);
/* Create w[idx] (not started); 0 or -errno. */
int worker_new(struct gateway *gw, unsigned int idx);
/* Rings between every pair (after all workers exist). 0 or -errno. */
int worker_rings(struct gateway *gw);
/* Start the thread of w (idx > 0): worker_main. 0 or -errno. */
int worker_start(struct worker *w);
/* Ask w's thread to end its sessions and stop; then join it. */
void worker_stop(struct worker *w);
void worker_join(struct worker *w);
void worker_free(struct worker *w);
/* One round of w's loop (gateway.c); what a worker thread repeats. */
int worker_step(struct worker *w, int max_wait_ms);
/* End every session of w (disconnect, wait up to 1 s, then close). */
void worker_end_all(struct worker *w);
/* The current thread's worker, NULL on none. */
struct worker *worker_self(void);

#endif
