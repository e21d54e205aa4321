// SPDX-License-Identifier: GPL-2.0
/*
 * A session from CALL_CONNECT_ACK to up: PPP (LCP, IPCP), EAP-TLS with the
 * client certificate checked against the trust store, the crypto binding
 * of CALL_CONNECTED (MS-SSTP 3.2.5.2), and the step into the data plane.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "proto/eap_tls.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "util/log.h"
#include "session.h"
#include "session_int.h"

#define EAP_MAX_FRAG	1024
#define EAP_RETRY_MS	3000
#define EAP_MAX_RETRIES	10
/*
 * How long LCP waits for the client's first frame before sending our own
 * Configure-Request. sstpc (1.0.18) writes whatever arrives into the pty of
 * the pppd it has just forked; until pppd has put the pty in raw mode the
 * line discipline echoes it, and sstpc sends our own frames back to us.
 * pppd sends its Configure-Request as soon as the pty is ready, so waiting
 * for the client's first frame avoids that; the timer covers a silent peer.
 */
#define LCP_PASSIVE_MS	3000
#define REFUSE_LINGER_MS 1000	/* from EAP-Failure to CALL_DISCONNECT */

/* PPP callbacks. */

static void ppp_send_cb(void *ctx, uint16_t proto, const uint8_t *data,
			size_t len)
{
	struct session *s = ctx;

	if (s->state >= SS_ABORT_PENDING)
		return;
	if (link_send_ppp(&s->link, proto, data, len))
		slog(SSTP_LOG_DEBUG, s, "PPP frame not queued");
	session_want_flush(s);
}

static void eap_send(struct session *s, const uint8_t *pkt, size_t len)
{
	if (!len)
		return;
	ppp_send_cb(s, PPP_PROTO_EAP, pkt, len);
	s->eap_sent_ms = now_ms();
}

static int verify_cb(void *arg, X509 *leaf, STACK_OF(X509) *chain,
		     char *why, size_t whylen)
{
	struct session *s = arg;
	enum pki_rule rule;
	int bad;

	X509_free(s->root);
	s->root = NULL;
	/* The roots and revocations may change on the control thread. */
	if (s->host->lock)
		pthread_mutex_lock(s->host->lock);
	bad = pki_verify_client_rule(s->host->pki, leaf, chain, &s->root,
				     &s->chain, &rule, why, whylen);
	if (s->host->lock)
		pthread_mutex_unlock(s->host->lock);
	if (!bad)
		return 0;
	/* The alert carries the rule's class, the Terminate-Request its text. */
	snprintf(s->refuse_text, sizeof(s->refuse_text), "%s",
		 pki_rule_text(rule));
	return pki_rule_x509_error(rule);
}

static void lcp_up_cb(void *ctx)
{
	struct session *s = ctx;
	uint8_t out[EAP_MAX_FRAG + 64];

	if (s->eap || s->authed)
		return;
	s->eap = eap_tls_server_new(s->host->eap_tls, verify_cb, s, EAP_MAX_FRAG);
	if (!s->eap) {
		session_disconnect(s, "out of memory for EAP-TLS");
		return;
	}
	eap_send(s, out, eap_tls_server_start(s->eap, out, sizeof(out)));
}

static void try_up(struct session *s)
{
	char a[INET_ADDRSTRLEN];
	struct in_addr in = { .s_addr = htonl(s->addr) };

	if (s->state != SS_CONNECTED || !s->ipcp_up || s->in_dp)
		return;
	s->in_dp = true;
	s->host->ops->enter(s->host, s);
	s->up_ms = now_ms();
	s->deadline_ms = 0;
	s->host->ops->up(s->host, s);
	inet_ntop(AF_INET, &in, a, sizeof(a));
	slog(SSTP_LOG_NOTICE, s, "up: %s (SHA1 %s) at %s", s->subject,
	     s->thumb, a);
	if (s->host->ops->offload_wanted(s->host, s)) {
		/* After this batch of input, once our frames are out. */
		s->offload_wanted = true;
		session_want_flush(s);
	}
}

static void ipcp_up_cb(void *ctx)
{
	struct session *s = ctx;

	s->ipcp_up = true;
	try_up(s);
}

static void ppp_down_cb(void *ctx, const char *reason)
{
	struct session *s = ctx;

	/* After a refusal LCP ends because we closed it: say why. */
	session_disconnect(s, s->refused ? "authentication refused" : reason);
}

static const struct ppp_ops session_ppp_ops = {
	.send = ppp_send_cb,
	.lcp_up = lcp_up_cb,
	.ipcp_up = ipcp_up_cb,
	.down = ppp_down_cb,
};

void session_check_binding(struct session *s, const uint8_t *pkt, size_t len)
{
	struct sstp_binding_expect exp = { .bitmask = SSTP_HASH_SHA1 |
						      SSTP_HASH_SHA256 };
	const char *why = NULL;
	int status;

	memcpy(exp.nonce, s->nonce, sizeof(exp.nonce));
	memcpy(exp.cert_sha1, s->host->cert_sha1, sizeof(exp.cert_sha1));
	memcpy(exp.cert_sha256, s->host->cert_sha256, sizeof(exp.cert_sha256));
	memcpy(exp.hlak, s->hlak, sizeof(exp.hlak));
	status = sstp_verify_call_connected(pkt, len, &exp, &why);
	if (status == SSTP_STATUS_VALUE_NOT_SUPPORTED) {
		/*
		 * pppd before 2.5 keeps only 16 bytes of each MPPE key, so
		 * sstpc with it (Debian 12) binds with MSK[0..15] ||
		 * MSK[32..47] instead of MSK[0..31] (MS-SSTP 3.2.5.2.4).
		 * Both come from the same MSK.
		 */
		const char *why2 = NULL;

		memcpy(exp.hlak, s->hlak_mppe16, sizeof(exp.hlak));
		if (!sstp_verify_call_connected(pkt, len, &exp, &why2)) {
			status = 0;
			why = "HLAK from 16-byte MPPE keys (pppd < 2.5)";
		}
	}
	OPENSSL_cleanse(&exp, sizeof(exp));
	if (status) {
		char msg[160];

		snprintf(msg, sizeof(msg), "refused: crypto binding: %s",
			 why ? why : sstp_status_name((uint32_t)status));
		session_refused(s, SESSION_REFUSED);
		session_abort(s, status == SSTP_STATUS_VALUE_NOT_SUPPORTED ?
				 SSTP_ATTRIB_CRYPTO_BINDING : SSTP_ATTRIB_NO_ERROR,
			      (uint32_t)status, msg);
		return;
	}
	slog(SSTP_LOG_DEBUG, s, "crypto binding verified (%s)",
	     why && strcmp(why, "ok") ? why : "HLAK = MSK[0..31]");
	s->state = SS_CONNECTED;
	s->bound = true;
	/* The deadline stays: IPCP must be up by then too. */
	s->last_rx_ms = now_ms();
	try_up(s);
}

static void eap_done(struct session *s, enum eap_tls_status st)
{
	uint8_t msk[EAP_MSK_LEN];
	X509 *cert = eap_tls_peer_cert(s->eap);

	if (cert) {
		X509_up_ref(cert);
		X509_free(s->cert);
		s->cert = cert;
		pki_subject(cert, s->subject, sizeof(s->subject));
		pki_thumbprint_sha1(cert, s->thumb);
	}
	if (st == EAP_TLS_FAILURE || st == EAP_TLS_ALERT) {
		int alert = eap_tls_alert_sent(s->eap);

		/*
		 * Logged as soon as it is decided, with the TLS alert that
		 * tells the client; the client's answer to the alert brings
		 * EAP-Failure (FAILURE), on which an LCP Terminate-Request
		 * says why in words (pppd in Closing after the EAP-Failure
		 * acks it and logs it with "debug"; our client prints it).
		 * The call ends a moment later so that the client's PPP sees
		 * both before the SSTP disconnect (sstpc tears pppd down on
		 * CALL_DISCONNECT).
		 */
		if (!s->refused) {
			char msg[320];

			if (alert >= 0)
				snprintf(msg, sizeof(msg), "%s (TLS alert %s)",
					 eap_tls_error(s->eap),
					 SSL_alert_desc_string_long(alert));
			else
				snprintf(msg, sizeof(msg), "%s",
					 eap_tls_error(s->eap));
			session_note(s, "refused", msg);
			session_refused(s, SESSION_REFUSED);
			s->refused = true;
		}
		if (st == EAP_TLS_ALERT) {
			/* A client that does not answer is not waited for. */
			s->deadline_ms = now_ms() + EAP_RETRY_MS;
			return;
		}
		ppp_close(s->ppp, s->refuse_text[0] ? s->refuse_text :
			  "EAP-TLS authentication failed", now_ms());
		s->deadline_ms = now_ms() + REFUSE_LINGER_MS;
		return;
	}
	if (eap_tls_msk(s->eap, msk)) {
		session_disconnect(s, "EAP-TLS produced no MSK");
		return;
	}
	memcpy(s->hlak, msk, SSTP_HLAK_LEN);
	memcpy(s->hlak_mppe16, msk, 16);
	memcpy(s->hlak_mppe16 + 16, msk + 32, 16);
	OPENSSL_cleanse(msk, sizeof(msk));
	s->authed = true;
	s->host->ops->authed(s->host, s);
	if (s->host->ops->lease(s->host, s, &s->addr)) {
		s->addr = 0;
		session_refused(s, SESSION_REFUSED);
		session_disconnect(s, "refused: address pool exhausted");
		return;
	}
	slog(SSTP_LOG_INFO, s, "authenticated %s (SHA1 %s, identity \"%s\")",
	     s->subject, s->thumb, eap_tls_identity(s->eap));
	ppp_set_peer_addr(s->ppp, s->addr);
	ppp_auth_done(s->ppp, now_ms());
	if (s->deferred_cc && s->state == SS_CONNECTED_PENDING) {
		s->deferred_cc = false;
		session_check_binding(s, s->cc, sizeof(s->cc));
	}
}

void session_eap_input(struct session *s, const uint8_t *p, size_t n)
{
	uint8_t out[EAP_MAX_FRAG + 64];
	enum eap_tls_status st;
	size_t out_len = 0;

	if (!s->eap || s->authed)
		return;
	st = eap_tls_input(s->eap, p, n, out, sizeof(out), &out_len);
	eap_send(s, out, out_len);
	s->eap_retries = 0;
	if (st == EAP_TLS_CONTINUE)
		return;
	eap_done(s, st);
	if (st == EAP_TLS_ALERT)
		return;		/* EAP-Failure still to come */
	/* The inner TLS state is a good part of a session's memory. */
	eap_tls_free(s->eap);
	s->eap = NULL;
}

void session_start_ppp(struct session *s)
{
	const struct sstp_config *c = s->host->cfg;
	struct ppp_config pc = {
		.server = true,
		.mru = (uint16_t)c->mtu,
		.auth_proto = PPP_PROTO_EAP,
		.local_addr = c->address,
		.dns = { c->n_dns > 0 ? c->dns[0] : 0,
			 c->n_dns > 1 ? c->dns[1] : 0 },
	};

	s->ppp = ppp_new(&pc, &session_ppp_ops, s);
	if (!s->ppp) {
		session_close(s, "out of memory for PPP");
		return;
	}
	s->lcp_start_ms = now_ms() + LCP_PASSIVE_MS;
}

void session_lcp_start(struct session *s, uint64_t now)
{
	if (!s->ppp || !s->lcp_start_ms)
		return;
	s->lcp_start_ms = 0;
	ppp_lower_up(s->ppp, now);
}

void session_auth_tick(struct session *s, uint64_t now)
{
	uint8_t out[EAP_MAX_FRAG + 64];

	if (!s->eap || s->authed || !s->eap_sent_ms ||
	    now - s->eap_sent_ms < EAP_RETRY_MS ||
	    s->state != SS_CONNECTED_PENDING)
		return;
	if (++s->eap_retries > EAP_MAX_RETRIES)
		session_disconnect(s, "EAP-TLS: client stopped answering");
	else
		eap_send(s, out, eap_tls_retransmit(s->eap, out, sizeof(out)));
}
