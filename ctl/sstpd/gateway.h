/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway: listener, sessions, the shared TUN device (userspace data
 * path), timers and the control socket, all on one epoll loop.
 */
#ifndef _SSTPD_GATEWAY_H
#define _SSTPD_GATEWAY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "trust/pki.h"
#include "util/list.h"
#include "util/loop.h"

struct tun_offload;
struct tunq_stats;
#include "pool.h"
#include "preauth.h"
#include "session_host.h"

struct ctl_conn;
struct dp;
struct session;

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

struct gateway {
	struct sstp_config cfg;
	struct session_host host;	/* what its sessions see of it */
	struct loop loop;
	SSL_CTX *tls;			/* outer HTTPS */
	SSL_CTX *eap_tls;		/* inner EAP-TLS, same certificate */
	struct pki *pki;
	struct pool pool;
	uint8_t cert_sha1[20], cert_sha256[32];
	char ifname[IF_NAMESIZE];
	char ctl_path[108];
	struct ev listen_ev, ctl_ev, sig_ev;
	/*
	 * The data paths (dp.h), in the order they are offered a session:
	 * the TUN path always (sessions that keep their socket), then those
	 * that take sockets (sstp.ko), NULL when off.
	 */
	struct dp *dp[GW_DP_MAX];
	struct ctl_conn *ctl_conns;	/* open control connections */
	unsigned int nctl;
	/*
	 * The session registry, gateway.c's alone (sessions reach it through
	 * host). A session is on sessions while it lives and on zombies once
	 * closed, until the end of the event batch (events fetched in the
	 * batch may still name it); it is freed only when it is on none of
	 * these lists and tables (its struct session_reg).
	 */
	struct list_head sessions;	/* live sessions, newest first */
	struct list_head zombies;	/* closed, freed after the event batch */
	struct list_head more;		/* have unread input (budget ran out) */
	struct list_head dirty;		/* have queued output to flush */
	struct hlist_head *table;	/* by assigned address */
	unsigned int table_mask;
	unsigned int nsessions, nhandshakes;
	uint64_t next_id;
	uint64_t started_ms;
	uint64_t next_tick_ms;		/* when session timers run next */
	struct gw_counters ctr;
	bool stopping;
	/* Per-source budget before authentication (preauth.c). */
	struct preauth_table src;
	uint64_t src_report_ms;		/* next refusal summary */
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
	const struct tunq_stats *tun_stats;
	unsigned int nhandshakes, sources;
	const struct sstp_config *cfg;	/* limits */
	struct gw_counters ctr;
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

#endif
