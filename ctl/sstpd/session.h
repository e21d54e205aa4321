/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One client connection on the gateway: TLS, HTTP, the SSTP server state
 * machine (MS-SSTP 3.3), PPP with EAP-TLS, crypto binding, and the data
 * the userspace path moves for it.
 */
#ifndef _SSTPD_SESSION_H
#define _SSTPD_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "net/link.h"
#include "nl/sstpnl.h"
#include "trust/pki.h"
#include "util/list.h"
#include "util/log.h"
#include "util/loop.h"
#include "session_host.h"

struct dp;
struct eap_tls;
struct ppp;

enum sess_state {
	SS_TLS,			/* TLS handshake */
	SS_HTTP,		/* waiting for SSTP_DUPLEX_POST */
	SS_CONNECT_PENDING,	/* Server_Connect_Request_Pending */
	SS_CONNECTED_PENDING,	/* Server_Call_Connected_Pending: PPP, EAP */
	SS_CONNECTED,		/* Server_Call_Connected */
	SS_ABORT_PENDING,	/* we sent CALL_ABORT */
	SS_DISCONNECT_PENDING,	/* we sent CALL_DISCONNECT */
	SS_FLUSH_CLOSE,		/* send what is queued, then close */
	SS_DEAD,
};

/*
 * What the host keeps in each session: where it can reach the session
 * from. Only the host (gateway.c and its data paths) touches it, and it
 * unlinks a closed session from every one of them in one place.
 */
struct session_reg {
	struct ev ev;			/* the socket on the host's loop */
	struct list_head node;		/* live list, then zombies */
	struct list_head more;		/* unread input left */
	struct list_head dirty;		/* output to flush */
	struct hlist_node hnode;	/* address table */
	uint32_t src;			/* the source's preauth entry */
	bool half;			/* counted as half-open (MaxHandshakes) */
	struct dp *dp;			/* the data path holding its socket */
	void *dp_priv;			/* ... and that path's state for it */
	struct worker *w;		/* the worker that owns it */
	/* Under the gateway's lock (gateway.h), for the other workers: */
	struct list_head all;		/* on the gateway's list of sessions */
	bool authed;			/* with thumb: its certificate */
	char thumb[41];
};

struct session {
	struct session_host *host;
	struct session_reg reg;		/* the host's, see above */
	struct sstp_link link;
	uint64_t id;
	char peer[64];			/* remote address:port */
	enum sess_state state;
	uint64_t created_ms, up_ms, deadline_ms, last_rx_ms, echo_sent_ms;
	/* One deadline from accept to up (NegotiationTimeout); never moved. */
	uint64_t up_deadline_ms;
	bool noted;			/* its refusal went to the source's log */
	bool note_shown;		/* ... and was logged, not summed */
	unsigned int naks;
	uint8_t nonce[SSTP_NONCE_LEN];
	struct ppp *ppp;
	uint64_t lcp_start_ms;		/* LCP not opened yet: open at this time */
	struct eap_tls *eap;
	uint64_t eap_sent_ms;
	unsigned int eap_retries;
	bool authed, bound, ipcp_up;
	bool in_dp;			/* entered the data plane (host->enter) */
	bool offload_wanted;		/* offer to the host once the queue is out */
	bool offloaded;			/* a data path holds the socket */
	uint8_t hlak[SSTP_HLAK_LEN];
	/* MSK[0..15] || MSK[32..47]: what pppd < 2.5 + sstpc bind with */
	uint8_t hlak_mppe16[SSTP_HLAK_LEN];
	bool refused;			/* EAP-Failure sent; disconnect at deadline */
	char refuse_text[64];		/* why, for the LCP Terminate-Request */
	bool deferred_cc;
	uint8_t cc[SSTP_LEN_CALL_CONNECTED];
	uint32_t addr;			/* leased inner address, 0 if none */
	X509 *cert;			/* the client's, once authenticated */
	X509 *root;			/* the trusted root it chains to */
	struct pki_chain chain;		/* verified chain, for revocation */
	char subject[256];
	char thumb[41];
	uint64_t drop_spoofed, drop_gated;
};

/* One log line about s: "session <id> [<peer>]: ...". */
#define slog(lvl, s, fmt, ...) \
	sstp_log(lvl, "session %llu [%s]: " fmt, \
		 (unsigned long long)(s)->id, (s)->peer, ##__VA_ARGS__)

/*
 * What a session shows to the outside (the control socket): a snapshot, so
 * nothing outside session.c reads its fields. Totals are what userspace
 * moved plus the module's share; kernel holds the module's own counters
 * (kernel.id 0: not on the kernel path, or not collected).
 */
struct session_info {
	uint64_t id;
	char peer[64];
	uint32_t addr;			/* 0: none (yet, or any more) */
	const char *state;
	const char *path;		/* "kernel", "tls", "ktls", ... */
	char subject[256];
	char thumb[41];
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets, dropped;
	uint64_t up_s;			/* seconds since it came up, 0 if not */
	struct sstpnl_stats kernel;
	const X509 *root;		/* the root it chains to, NULL before auth */
};

void session_get_info(const struct session *s, uint64_t now,
		      struct session_info *out);

/*
 * Take over an accepted, non-blocking socket, for host h, numbered id.
 * NULL on allocation failure (fd closed).
 */
struct session *session_new(struct session_host *h, int fd, uint64_t id,
			    const char *peer);
/* epoll callback body, also called for sessions on the "more" list. */
void session_io(struct session *s, uint32_t events);
/* Timers: call every tick. */
void session_tick(struct session *s, uint64_t now);
/* Send one IP packet (from the TUN) to the client. */
void session_send_ip(struct session *s, const uint8_t *pkt, size_t len);
/* Flush queued output (after a TUN batch). */
void session_flush(struct session *s);
/* End now (best-effort CALL_ABORT first): frees its slot at once. */
void session_drop(struct session *s, const char *why);
/* Polite end: CALL_DISCONNECT, then close on ACK or timeout. */
void session_disconnect(struct session *s, const char *why);
/*
 * Revoked (or its root removed): out of the data plane at once (address
 * table, TUN input, sstp.ko), queued data dropped; then CALL_DISCONNECT,
 * which on the kernel path goes out just before the module lets go.
 */
void session_revoke(struct session *s, const char *why);
/* A frame the offload path passed up: one whole SSTP packet. */
void session_dp_input(struct session *s, const uint8_t *pkt, size_t len);
/* The offload path ended the session (why: for the log). */
void session_dp_lost(struct session *s, const char *why);
/* Holds a live certificate (authenticated, not refused) of thumbprint. */
bool session_holds_cert(const struct session *s, const char *thumb);
/* Free a session that has been closed (state SS_DEAD). */
void session_free(struct session *s);
const char *session_state_name(const struct session *s);

#endif
