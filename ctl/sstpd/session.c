// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include "proto/eap_tls.h"
#include "proto/http.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "config/config.h"
#include "util/log.h"
#include "session.h"

#define READ_BUDGET	(256 * 1024)
#define EAP_MAX_FRAG	1024
#define EAP_RETRY_MS	3000
#define EAP_MAX_RETRIES	10
#define ABORT_TIMER1_MS	3000
#define DISC_TIMER1_MS	5000
/*
 * How long LCP waits for the client's first frame before sending our own
 * Configure-Request. sstpc (1.0.18) writes whatever arrives into the pty of
 * the pppd it has just forked; until pppd has put the pty in raw mode the
 * line discipline echoes it, and sstpc sends our own frames back to us.
 * pppd sends its Configure-Request as soon as the pty is ready, so waiting
 * for the client's first frame avoids that; the timer covers a silent peer.
 */
#define LCP_PASSIVE_MS	3000
#define MAX_NAKS	3
#define REFUSE_LINGER_MS 1000	/* from EAP-Failure to CALL_DISCONNECT */

static const char *const state_names[] = {
	[SS_TLS] = "tls", [SS_HTTP] = "http",
	[SS_CONNECT_PENDING] = "connect-pending",
	[SS_CONNECTED_PENDING] = "negotiating",
	[SS_CONNECTED] = "connected", [SS_ABORT_PENDING] = "aborting",
	[SS_DISCONNECT_PENDING] = "disconnecting",
	[SS_FLUSH_CLOSE] = "closing", [SS_DEAD] = "closed",
};

const char *session_state_name(const struct session *s)
{
	return state_names[s->state];
}

void session_get_info(const struct session *s, uint64_t now,
		      struct session_info *out)
{
	memset(out, 0, sizeof(*out));
	out->id = s->id;
	snprintf(out->peer, sizeof(out->peer), "%s", s->peer);
	out->addr = s->addr && s->in_dp ? s->addr : 0;
	out->state = session_state_name(s);
	out->path = link_path(&s->link);
	snprintf(out->subject, sizeof(out->subject), "%s", s->subject);
	snprintf(out->thumb, sizeof(out->thumb), "%s", s->thumb);
	out->rx_bytes = s->link.st.rx_bytes;
	out->tx_bytes = s->link.st.tx_bytes;
	out->rx_packets = s->link.st.rx_packets;
	out->tx_packets = s->link.st.tx_packets;
	out->up_s = s->up_ms ? (now - s->up_ms) / 1000 : 0;
	out->dropped = s->link.st.tx_dropped + s->drop_spoofed +
		       s->drop_gated;
	out->root = s->root;
	/* The path, and its share, when a data path holds the socket. */
	if (s->offloaded)
		s->host->ops->info(s->host, s, out);
}

bool session_holds_cert(const struct session *s, const char *thumb)
{
	return s->state != SS_DEAD && s->authed && !s->refused &&
	       !strcmp(s->thumb, thumb);
}

static void session_close(struct session *s, const char *why);

/*
 * Before authentication a source can open sessions as fast as it likes:
 * what ends them is logged through the source's rate limit (the first
 * at once, the rest summed every 10 s), so that one source cannot fill
 * the log. The limit counts a session once, at its first such line; the
 * session's later lines (e.g. "closed" after "refused") follow that
 * verdict, so a session is either told in full or only in the summary.
 */
static void preauth_note(struct session *s, const char *verb,
			 const char *why)
{
	const char *what = why;

	if (!s->noted) {
		s->noted = true;
		if (!strncmp(what, "refused: ", 9))
			what += 9;
		s->note_shown = s->host->ops->note_refusal(s->host, s, what);
	}
	if (s->note_shown)
		slog(SSTP_LOG_NOTICE, s, "%s: %s", verb, why);
}

/* Not authenticated (nor up): its lines go through preauth_note. */
static bool preauth(const struct session *s)
{
	return !s->authed && !s->in_dp;
}

static bool session_up(const struct session *s)
{
	return s->state == SS_CONNECTED && s->ipcp_up && s->in_dp;
}

static void want_flush(struct session *s)
{
	s->host->ops->want_flush(s->host, s);
}

static void refused(struct session *s, enum session_refusal why)
{
	s->host->ops->refused(s->host, s, why);
}

/* Out of the data plane: the host forwards to it no more. */
static void leave_dp(struct session *s)
{
	if (!s->in_dp)
		return;
	s->in_dp = false;
	s->host->ops->leave(s->host, s);
}

static void queue_ctrl(struct session *s, const uint8_t *pkt, size_t len)
{
	if (link_send_ctrl(&s->link, pkt, len))
		slog(SSTP_LOG_DEBUG, s, "control queue full");
	want_flush(s);
}

static void session_abort(struct session *s, uint8_t attrib, uint32_t status,
			  const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	if (s->state >= SS_ABORT_PENDING)
		return;
	if (preauth(s))
		preauth_note(s, "aborting", why);
	else
		slog(SSTP_LOG_NOTICE, s, "aborting: %s", why);
	queue_ctrl(s, pkt, sstp_build_status_msg(pkt, SSTP_MSG_CALL_ABORT,
						 attrib, status));
	s->state = SS_ABORT_PENDING;
	s->deadline_ms = now_ms() + ABORT_TIMER1_MS;
}

void session_disconnect(struct session *s, const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	if (s->state >= SS_ABORT_PENDING)
		return;
	if (s->state < SS_CONNECT_PENDING) {
		session_close(s, why);
		return;
	}
	if (preauth(s))
		preauth_note(s, "disconnecting", why);
	else
		slog(SSTP_LOG_NOTICE, s, "disconnecting: %s", why);
	queue_ctrl(s, pkt, sstp_build_status_msg(pkt, SSTP_MSG_CALL_DISCONNECT,
						 SSTP_ATTRIB_NO_ERROR,
						 SSTP_STATUS_NO_ERROR));
	s->state = SS_DISCONNECT_PENDING;
	s->deadline_ms = now_ms() + DISC_TIMER1_MS;
}

void session_revoke(struct session *s, const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];
	size_t dropped;

	if (s->state == SS_DEAD)
		return;
	/* The host forwards by its address table; input is gated on it too. */
	leave_dp(s);
	dropped = link_drop_data(&s->link);
	if (dropped)
		slog(SSTP_LOG_DEBUG, s, "%zu queued data packet(s) dropped",
		     dropped);
	if (!s->offloaded) {
		session_disconnect(s, why);
		return;
	}
	/*
	 * A data path (sstp.ko) holds the socket and forwards on its own:
	 * CALL_DISCONNECT goes out through it, then the session leaves it
	 * (which closes the socket) before the caller returns.
	 */
	if (s->state < SS_ABORT_PENDING)
		queue_ctrl(s, pkt, sstp_build_status_msg(pkt,
						SSTP_MSG_CALL_DISCONNECT,
						SSTP_ATTRIB_NO_ERROR,
						SSTP_STATUS_NO_ERROR));
	session_close(s, why);
}

void session_drop(struct session *s, const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	if (s->state == SS_DEAD)
		return;		/* counted when it closed */
	if (s->state >= SS_CONNECT_PENDING && s->state < SS_ABORT_PENDING &&
	    !s->offloaded)
		link_send_ctrl(&s->link, pkt, sstp_build_status_msg(pkt,
				SSTP_MSG_CALL_ABORT, SSTP_ATTRIB_NO_ERROR,
				SSTP_STATUS_NO_ERROR));
	if (!s->in_dp)
		refused(s, SESSION_REFUSED);
	session_close(s, why);
}

/* PPP callbacks. */

static void ppp_send_cb(void *ctx, uint16_t proto, const uint8_t *data,
			size_t len)
{
	struct session *s = ctx;

	if (s->state >= SS_ABORT_PENDING)
		return;
	if (link_send_ppp(&s->link, proto, data, len))
		slog(SSTP_LOG_DEBUG, s, "PPP frame not queued");
	want_flush(s);
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

	X509_free(s->root);
	s->root = NULL;
	if (!pki_verify_client_rule(s->host->pki, leaf, chain, &s->root,
				    &s->chain, &rule, why, whylen))
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
		want_flush(s);
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

static void check_binding(struct session *s, const uint8_t *pkt, size_t len)
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
		refused(s, SESSION_REFUSED);
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
			preauth_note(s, "refused", msg);
			refused(s, SESSION_REFUSED);
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
		refused(s, SESSION_REFUSED);
		session_disconnect(s, "refused: address pool exhausted");
		return;
	}
	slog(SSTP_LOG_INFO, s, "authenticated %s (SHA1 %s, identity \"%s\")",
	     s->subject, s->thumb, eap_tls_identity(s->eap));
	ppp_set_peer_addr(s->ppp, s->addr);
	ppp_auth_done(s->ppp, now_ms());
	if (s->deferred_cc && s->state == SS_CONNECTED_PENDING) {
		s->deferred_cc = false;
		check_binding(s, s->cc, sizeof(s->cc));
	}
}

static void handle_eap(struct session *s, const uint8_t *p, size_t n)
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

static void start_ppp(struct session *s)
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

static void lcp_start(struct session *s, uint64_t now)
{
	if (!s->ppp || !s->lcp_start_ms)
		return;
	s->lcp_start_ms = 0;
	ppp_lower_up(s->ppp, now);
}

static void handle_connect_request(struct session *s,
				   const struct sstp_ctrl_msg *m)
{
	uint8_t pkt[64], attrib = 0;
	int status = sstp_check_connect_request(m, &attrib);

	if (status) {
		if (++s->naks >= MAX_NAKS) {
			session_abort(s, attrib, SSTP_STATUS_RETRY_COUNT_EXCEEDED,
				      "refused: too many bad CALL_CONNECT_REQUESTs");
			return;
		}
		slog(SSTP_LOG_INFO, s, "CALL_CONNECT_REQUEST refused: %s",
		     sstp_status_name((uint32_t)status));
		queue_ctrl(s, pkt, sstp_build_connect_nak(pkt, sizeof(pkt),
				attrib, (uint32_t)status, NULL, 0));
		return;
	}
	RAND_bytes(s->nonce, sizeof(s->nonce));
	queue_ctrl(s, pkt, sstp_build_connect_ack(pkt, SSTP_HASH_SHA1 |
						  SSTP_HASH_SHA256, s->nonce));
	s->state = SS_CONNECTED_PENDING;
	start_ppp(s);
}

static void handle_ctrl(struct session *s, const uint8_t *pkt, size_t len)
{
	struct sstp_ctrl_msg m;
	const char *why = NULL;
	uint8_t out[SSTP_LEN_STATUS_MSG];
	char msg[128];

	if (sstp_ctrl_parse(pkt, len, &m, &why)) {
		snprintf(msg, sizeof(msg), "malformed control packet: %s", why);
		session_abort(s, 0, SSTP_STATUS_INVALID_FRAME_RECEIVED, msg);
		return;
	}
	switch (m.type) {
	case SSTP_MSG_CALL_ABORT:
		if (s->state != SS_ABORT_PENDING) {
			uint8_t a = 0;
			uint32_t st = 0;

			sstp_status_info(&m, &a, &st);
			snprintf(msg, sizeof(msg), "client aborted (%s)",
				 sstp_status_name(st));
			queue_ctrl(s, out, sstp_build_simple(out,
						SSTP_MSG_CALL_ABORT));
			if (!s->in_dp)
				refused(s, SESSION_REFUSED);
			session_close(s, msg);
		} else {
			session_close(s, "abort acknowledged");
		}
		return;
	case SSTP_MSG_CALL_DISCONNECT:
		queue_ctrl(s, out, sstp_build_simple(out,
					SSTP_MSG_CALL_DISCONNECT_ACK));
		session_close(s, "client disconnected");
		return;
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		if (s->state == SS_DISCONNECT_PENDING)
			session_close(s, "disconnect acknowledged");
		return;
	default:
		break;
	}
	if (s->state >= SS_ABORT_PENDING)
		return;	/* everything else is ignored while closing */
	switch (m.type) {
	case SSTP_MSG_CALL_CONNECT_REQUEST:
		if (s->state == SS_CONNECT_PENDING) {
			handle_connect_request(s, &m);
			return;
		}
		break;
	case SSTP_MSG_CALL_CONNECTED:
		if (s->state != SS_CONNECTED_PENDING)
			break;
		if (!s->authed) {
			/* The client may finish before we have seen the end
			 * of EAP; check once authentication completes. */
			if (len != sizeof(s->cc)) {
				session_abort(s, SSTP_ATTRIB_CRYPTO_BINDING,
					      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
					      "refused: CALL_CONNECTED of wrong size");
				return;
			}
			memcpy(s->cc, pkt, len);
			s->deferred_cc = true;
			return;
		}
		check_binding(s, pkt, len);
		return;
	case SSTP_MSG_ECHO_REQUEST:
		if (s->state == SS_CONNECTED)
			queue_ctrl(s, out, sstp_build_simple(out,
						SSTP_MSG_ECHO_RESPONSE));
		return;
	case SSTP_MSG_ECHO_RESPONSE:
		s->echo_sent_ms = 0;
		return;
	default:
		break;
	}
	snprintf(msg, sizeof(msg), "unexpected %s in state %s",
		 sstp_msg_name(m.type), session_state_name(s));
	session_abort(s, 0, SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED, msg);
}

static void handle_data(struct session *s, const uint8_t *p, size_t n)
{
	uint16_t proto;
	int hl;

	if (s->state < SS_CONNECTED_PENDING) {
		session_abort(s, 0, SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED,
			      "data packet before CALL_CONNECT_ACK");
		return;
	}
	if (s->state >= SS_ABORT_PENDING)
		return;
	hl = ppp_frame_decode(p, n, &proto);
	if (hl < 0)
		return;
	lcp_start(s, now_ms());
	p += hl;
	n -= (size_t)hl;
	switch (proto) {
	case PPP_PROTO_IP:
		if (!session_up(s)) {
			s->drop_gated++;
			return;
		}
		/* Anti-spoofing: only the address we assigned. */
		if (n < 20 || (p[0] >> 4) != 4 ||
		    ((uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 |
		     (uint32_t)p[14] << 8 | p[15]) != s->addr) {
			s->drop_spoofed++;
			return;
		}
		s->link.st.rx_packets++;
		s->host->ops->deliver(s->host, s, p, n);
		return;
	case PPP_PROTO_IPV6:
		s->drop_gated++;
		return;
	case PPP_PROTO_EAP:
		handle_eap(s, p, n);
		return;
	default:
		if (s->ppp)
			ppp_input(s->ppp, proto, p, n, now_ms());
		return;
	}
}

/* Parse the HTTP request; returns bytes consumed or -1 when done with s. */
static ssize_t handle_http(struct session *s, const uint8_t *buf, size_t len)
{
	struct http_request req;
	const char *why = NULL;
	size_t used = 0;
	char resp[256];
	int status;

	status = http_parse_request((const char *)buf, len, &used, &req, &why);
	if (status == 0)
		return 0;
	if (link_send_raw(&s->link, resp,
			  http_build_response(resp, sizeof(resp), status)))
		status = status == 200 ? 503 : status;
	want_flush(s);
	if (status != 200) {
		char msg[160];

		snprintf(msg, sizeof(msg), "HTTP %d: %s", status,
			 why ? why : "bad request");
		refused(s, SESSION_REFUSED);
		preauth_note(s, "refused", msg);
		s->state = SS_FLUSH_CLOSE;
		return -1;
	}
	s->state = SS_CONNECT_PENDING;
	s->deadline_ms = s->up_deadline_ms;
	return (ssize_t)used;
}

static void process_input(struct session *s, const uint8_t *buf, size_t len)
{
	uint64_t now = now_ms();
	size_t off = 0;

	if (s->state == SS_HTTP) {
		ssize_t used = handle_http(s, buf, len);

		if (used <= 0) {
			if (used == 0 && link_keep(&s->link, buf, len))
				session_close(s, "HTTP request too large");
			return;
		}
		off = (size_t)used;
	}
	while (off < len && s->state != SS_DEAD && s->state != SS_FLUSH_CLOSE) {
		bool control;
		size_t plen;
		int r = sstp_frame_peek(buf + off, len - off, &control, &plen);

		if (r < 0) {
			/* Framing lost: abort without a message (3.1.5.1). */
			if (!s->in_dp)
				refused(s, SESSION_REFUSED);
			session_close(s, "invalid SSTP framing");
			return;
		}
		if (r == 0 || plen > len - off)
			break;
		s->last_rx_ms = now;
		s->link.st.rx_bytes += plen;
		if (control)
			handle_ctrl(s, buf + off, plen);
		else
			handle_data(s, buf + off + SSTP_HDR_LEN,
				    plen - SSTP_HDR_LEN);
		off += plen;
	}
	if (s->state != SS_DEAD && off < len)
		link_keep(&s->link, buf + off, len - off);
}

void session_dp_input(struct session *s, const uint8_t *pkt, size_t len)
{
	bool control;
	size_t plen;

	if (s->state == SS_DEAD)
		return;
	if (sstp_frame_peek(pkt, len, &control, &plen) <= 0 || plen != len)
		return;	/* the module passes whole packets only */
	s->last_rx_ms = now_ms();
	s->link.st.rx_bytes += plen;
	if (control)
		handle_ctrl(s, pkt, plen);
	else
		handle_data(s, pkt + SSTP_HDR_LEN, plen - SSTP_HDR_LEN);
}

void session_dp_lost(struct session *s, const char *why)
{
	session_close(s, why);
}

void session_io(struct session *s, uint32_t events)
{
	if (s->state == SS_DEAD || s->offloaded)
		return;
	if (s->state == SS_TLS && !s->link.ssl) {
		/* No TLS state until the whole ClientHello record is here. */
		int r = link_hello_ready(&s->link);

		if (r == 0 && !(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
			return;
		if (r <= 0) {
			refused(s, SESSION_REFUSED);
			session_close(s, "TLS handshake failed: connection closed before a ClientHello");
			return;
		}
		if (link_start_tls(&s->link, s->host->tls)) {
			session_close(s, "out of memory for TLS");
			return;
		}
	}
	if (s->state == SS_TLS) {
		int r = link_handshake(&s->link, true);

		if (r < 0) {
			char msg[256];
			unsigned long e = ERR_peek_error();

			snprintf(msg, sizeof(msg), "TLS handshake failed: %s",
				 e ? ERR_reason_error_string(e) : "connection closed");
			ERR_clear_error();
			refused(s, SESSION_REFUSED);
			session_close(s, msg);
			return;
		}
		if (r == 0)
			return;
		s->state = SS_HTTP;
		if (s->host->cfg->kernel_tls) {
			char why[160];

			if (!link_start_ktls(&s->link, true, why, sizeof(why)))
				slog(SSTP_LOG_DEBUG, s, "userspace TLS: %s", why);
		}
		link_gather_records(&s->link);
		slog(SSTP_LOG_DEBUG, s, "TLS %s %s, data path %s",
		     SSL_get_version(s->link.ssl),
		     SSL_get_cipher_name(s->link.ssl), link_path(&s->link));
	}
	if (events & EPOLLIN) {
		size_t budget = READ_BUDGET;

		s->link.read_blocked = false;
		while (budget && s->state != SS_DEAD &&
		       s->state != SS_FLUSH_CLOSE) {
			uint8_t *buf;
			ssize_t n = link_read(&s->link, &buf, LINK_SCRATCH);

			if (n < 0) {
				if (!s->in_dp && s->state < SS_CONNECTED)
					refused(s, SESSION_REFUSED);
				session_close(s, "connection closed by client");
				return;
			}
			if (n == 0)
				break;
			budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
			process_input(s, buf, (size_t)n);
		}
		if (s->state != SS_DEAD && !s->link.read_blocked &&
		    s->state != SS_FLUSH_CLOSE)
			s->host->ops->want_read(s->host, s);
	}
	if (s->state != SS_DEAD)
		session_flush(s);
}

void session_flush(struct session *s)
{
	if (s->state == SS_DEAD)
		return;
	if (s->offloaded) {
		if (s->host->ops->xmit(s->host, s))
			session_close(s, "kernel: session lost");
		return;
	}
	if (link_flush(&s->link)) {
		session_close(s, "connection lost");
		return;
	}
	if (s->state == SS_FLUSH_CLOSE && !link_tx_pending(&s->link)) {
		session_close(s, NULL);
		return;
	}
	if (s->offload_wanted && !link_tx_pending(&s->link)) {
		s->offload_wanted = false;
		if (s->state == SS_CONNECTED && s->in_dp &&
		    !s->host->ops->offload(s->host, s)) {
			/* The data path holds the socket (and its backlog). */
			s->offloaded = true;
			close(s->link.fd);
			s->link.fd = -1;
			s->link.carry_len = 0;
		}
	}
}

void session_send_ip(struct session *s, const uint8_t *pkt, size_t len)
{
	if (s->state == SS_DEAD)
		return;
	if (!link_send_ppp(&s->link, PPP_PROTO_IP, pkt, len))
		want_flush(s);
}

void session_tick(struct session *s, uint64_t now)
{
	const struct sstp_config *c = s->host->cfg;
	uint8_t out[EAP_MAX_FRAG + 64];

	if (s->state == SS_DEAD)
		return;
	if (s->deadline_ms && now >= s->deadline_ms) {
		switch (s->state) {
		case SS_TLS:
		case SS_HTTP:
			refused(s, SESSION_REFUSED_TIMEOUT);
			session_close(s, "handshake timed out (HandshakeTimeout)");
			return;
		case SS_CONNECTED_PENDING:
			if (s->refused) {
				session_disconnect(s, "authentication refused");
				return;
			}
			/* fall through */
		case SS_CONNECT_PENDING:
		case SS_CONNECTED:	/* bound, IPCP not up */
			refused(s, SESSION_REFUSED_TIMEOUT);
			session_abort(s, 0, SSTP_STATUS_NEGOTIATION_TIMEOUT,
				      s->state == SS_CONNECT_PENDING ?
				      "no CALL_CONNECT_REQUEST in time" :
				      s->state == SS_CONNECTED ?
				      "negotiation timed out: IPCP not up within NegotiationTimeout" :
				      "negotiation timed out: not up within NegotiationTimeout (PPP, EAP-TLS or CALL_CONNECTED)");
			session_flush(s);
			return;
		default:
			session_close(s, s->state == SS_ABORT_PENDING ?
				      "abort timer expired" :
				      "disconnect timer expired");
			return;
		}
	}
	if (s->lcp_start_ms && now >= s->lcp_start_ms &&
	    s->state < SS_ABORT_PENDING)
		lcp_start(s, now);
	if (s->ppp && s->state < SS_ABORT_PENDING)
		ppp_timer(s->ppp, now);
	if (s->state == SS_DEAD)
		return;
	if (s->eap && !s->authed && s->eap_sent_ms &&
	    now - s->eap_sent_ms >= EAP_RETRY_MS &&
	    s->state == SS_CONNECTED_PENDING) {
		if (++s->eap_retries > EAP_MAX_RETRIES) {
			session_disconnect(s, "EAP-TLS: client stopped answering");
		} else {
			eap_send(s, out, eap_tls_retransmit(s->eap, out,
							    sizeof(out)));
		}
	}
	if (s->state == SS_CONNECTED) {
		uint64_t hello = c->hello_interval * 1000ULL;

		if (s->echo_sent_ms && now - s->echo_sent_ms >= hello) {
			/* No CALL_ABORT on a dead link (3.1.2.3). */
			session_close(s, "client stopped answering echo requests");
			return;
		}
		if (!s->echo_sent_ms && now - s->last_rx_ms >= hello) {
			uint8_t pkt[SSTP_LEN_SIMPLE];

			queue_ctrl(s, pkt, sstp_build_simple(pkt,
						SSTP_MSG_ECHO_REQUEST));
			s->echo_sent_ms = now;
		}
	}
	if (link_tx_pending(&s->link))
		session_flush(s);
}

struct session *session_new(struct session_host *h, int fd, uint64_t id,
			    const char *peer)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		goto err_close;
	/* The SSL object comes with the ClientHello (session_io). */
	if (link_init(&s->link, fd, NULL))
		goto err_free;
	s->host = h;	/* which sets up s->reg */
	s->id = id;
	snprintf(s->peer, sizeof(s->peer), "%s", peer);
	s->created_ms = now_ms();
	/*
	 * From accept: TLS and HTTP within HandshakeTimeout, up (IPCP
	 * opened) within NegotiationTimeout, whatever the client does.
	 */
	s->up_deadline_ms = s->created_ms +
			    h->cfg->negotiation_timeout * 1000ULL;
	s->deadline_ms = s->created_ms + h->cfg->handshake_timeout * 1000ULL;
	if (s->deadline_ms > s->up_deadline_ms)
		s->deadline_ms = s->up_deadline_ms;
	s->state = SS_TLS;
	snprintf(s->subject, sizeof(s->subject), "-");
	snprintf(s->thumb, sizeof(s->thumb), "-");
	return s;
err_free:
	free(s);
err_close:
	close(fd);
	return NULL;
}

static void session_close(struct session *s, const char *why)
{
	const struct session_host_ops *ops = s->host->ops;

	if (s->state == SS_DEAD)
		return;
	if (why && preauth(s))
		preauth_note(s, "closed", why);
	else if (why)
		slog(s->in_dp ? SSTP_LOG_NOTICE : SSTP_LOG_INFO, s,
		     "closed: %s", why);
	/* Best effort: ABORT or DISCONNECT_ACK. */
	if (s->offloaded)
		ops->xmit(s->host, s);
	else if (link_tx_pending(&s->link))
		link_flush(&s->link);
	leave_dp(s);
	s->state = SS_DEAD;
	/*
	 * Off every list and table, and out of its data path; the host frees
	 * it after the event batch. The address goes back last: a data path
	 * lets go of it (its route) on the way out.
	 */
	ops->closed(s->host, s);
	if (s->addr) {
		ops->release(s->host, s, s->addr);
		s->addr = 0;
	}
	OPENSSL_cleanse(s->hlak, sizeof(s->hlak));
	OPENSSL_cleanse(s->hlak_mppe16, sizeof(s->hlak_mppe16));
}

void session_free(struct session *s)
{
	if (s->ppp)
		ppp_free(s->ppp);
	if (s->eap)
		eap_tls_free(s->eap);
	link_destroy(&s->link);
	X509_free(s->cert);
	X509_free(s->root);
	free(s);
}
