/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Between the two halves of a session only: session.c (TLS, HTTP, the SSTP
 * state machine, I/O, timers, the end) and session_auth.c (PPP, EAP-TLS,
 * the crypto binding, coming up). Nothing else includes this.
 */
#ifndef _SSTPD_SESSION_INT_H
#define _SSTPD_SESSION_INT_H

#include <stddef.h>
#include <stdint.h>

#include "session.h"

/* session.c */
/* Closed now (best-effort flush first); why NULL: not logged. */
void session_close(struct session *s, const char *why);
/* CALL_ABORT with attrib and status; closed on ack or timer. */
void session_abort(struct session *s, uint8_t attrib, uint32_t status,
		   const char *why);
/* Output queued: ask the host for a flush. */
void session_want_flush(struct session *s);
/* Count a refusal of a session that never came up, with the host. */
void session_refused(struct session *s, enum session_refusal why);
/*
 * Log "verb: why" for a session before authentication, through the
 * source's rate limit (the host's).
 */
void session_note(struct session *s, const char *verb, const char *why);

/* session_auth.c */
/* CALL_CONNECT_ACK sent: PPP starts (LCP passive for a moment). */
void session_start_ppp(struct session *s);
/* LCP opens now (the client's first frame, or the passive timer). */
void session_lcp_start(struct session *s, uint64_t now);
/* An EAP packet from the client. */
void session_eap_input(struct session *s, const uint8_t *p, size_t n);
/* CALL_CONNECTED: check the crypto binding; up when IPCP is too. */
void session_check_binding(struct session *s, const uint8_t *pkt, size_t len);
/* Timers of authentication (EAP retransmission). */
void session_auth_tick(struct session *s, uint64_t now);

#endif
