/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a session needs from whoever runs it (the gateway; a fake one in
 * tests/unit/test_session.c), and the only way it reaches it. The host
 * owns everything shared between sessions: the registry (live list,
 * counters, per-source budget), the address pool, the address table and
 * the data paths. A session owns its protocol state and says what happened
 * through these calls; it never reaches into the host.
 */
#ifndef _SSTPD_SESSION_HOST_H
#define _SSTPD_SESSION_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

struct pki;
struct session;
struct session_host;
struct session_info;
struct sstp_config;

/* Why a session that never came up was refused (the host counts them). */
enum session_refusal {
	SESSION_REFUSED,		/* by the protocol, or the client left */
	SESSION_REFUSED_TIMEOUT,	/* not up within its deadline */
};

struct session_host_ops {
	/* An inner address for s: 0 (*addr set) or -errno. */
	int (*lease)(struct session_host *h, struct session *s,
		     uint32_t *addr);
	/* Give back what lease handed out (exactly once per lease). */
	void (*release)(struct session_host *h, struct session *s,
			uint32_t addr);
	/*
	 * The data plane: from enter on, packets for s's address reach it
	 * (session_send_ip); after leave, no more (revoked, or closing).
	 */
	void (*enter)(struct session_host *h, struct session *s);
	void (*leave)(struct session_host *h, struct session *s);
	/* Output queued: flush s after the event batch (session_flush). */
	void (*want_flush)(struct session_host *h, struct session *s);
	/* Input left unread (budget): read s again (session_io). */
	void (*want_read)(struct session_host *h, struct session *s);
	/* An IP packet from s's client (source checked) for the stack. */
	void (*deliver)(struct session_host *h, struct session *s,
			const uint8_t *pkt, size_t len);
	/*
	 * Offload: s is up; may a data path that takes over the socket
	 * carry it? offload moves it once its queue is out: 0 (from then on
	 * its frames go through xmit, its input comes through
	 * session_dp_input), or -errno (it stays where it is; logged).
	 */
	bool (*offload_wanted)(struct session_host *h, struct session *s);
	int (*offload)(struct session_host *h, struct session *s);
	/* Offloaded: send s's queued frames. 0, or -1 when the path lost it. */
	int (*xmit)(struct session_host *h, struct session *s);
	/* s came up (in the data plane, authenticated, bound, IPCP open). */
	void (*up)(struct session_host *h, struct session *s);
	/* s will not come up (counted once per refusal). */
	void (*refused)(struct session_host *h, struct session *s,
			enum session_refusal why);
	/*
	 * s, not yet authenticated, is refused or ends: true when it should
	 * log that now, false when the host sums it (per-source budget).
	 */
	bool (*note_refusal)(struct session_host *h, struct session *s,
			     const char *why);
	/* s authenticated: the host may end older sessions of its certificate. */
	void (*authed)(struct session_host *h, struct session *s);
	/*
	 * s is closed (SS_DEAD): from now on nothing may reach it; the host
	 * frees it (session_free) once nothing can name it any more.
	 */
	void (*closed)(struct session_host *h, struct session *s);
	/* Add the share of the data path carrying s to its counters. */
	void (*info)(const struct session_host *h, const struct session *s,
		     struct session_info *out);
};

/* The host's read-only settings and the ops, shared by its sessions. */
struct session_host {
	const struct session_host_ops *ops;
	const struct sstp_config *cfg;
	SSL_CTX *tls;			/* outer HTTPS */
	SSL_CTX *eap_tls;		/* inner EAP-TLS */
	struct pki *pki;		/* client certificate checks */
	const uint8_t *cert_sha1;	/* the server certificate's hashes, */
	const uint8_t *cert_sha256;	/* for the crypto binding */
	/*
	 * Held around reads of pki (another thread may change it), NULL
	 * when the host runs on one thread only.
	 */
	pthread_mutex_t *lock;
};

#endif
