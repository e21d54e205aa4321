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
#include "session_int.h"

#define READ_BUDGET	(256 * 1024)
#define ABORT_TIMER1_MS	3000
#define DISC_TIMER1_MS	5000
#define MAX_NAKS	3

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


/*
 * Before authentication a source can open sessions as fast as it likes:
 * what ends them is logged through the source's rate limit (the first
 * at once, the rest summed every 10 s), so that one source cannot fill
 * the log. The limit counts a session once, at its first such line; the
 * session's later lines (e.g. "closed" after "refused") follow that
 * verdict, so a session is either told in full or only in the summary.
 */
void session_note(struct session *s, const char *verb, const char *why)
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

/* Not authenticated (nor up): its lines go through session_note. */
static bool preauth(const struct session *s)
{
	return !s->authed && !s->in_dp;
}

static bool session_up(const struct session *s)
{
	return s->state == SS_CONNECTED && s->ipcp_up && s->in_dp;
}

void session_want_flush(struct session *s)
{
	s->host->ops->want_flush(s->host, s);
}

void session_refused(struct session *s, enum session_refusal why)
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
	session_want_flush(s);
}

void session_abort(struct session *s, uint8_t attrib, uint32_t status,
		   const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	if (s->state >= SS_ABORT_PENDING)
		return;
	if (preauth(s))
		session_note(s, "aborting", why);
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
		session_note(s, "disconnecting", why);
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
		session_refused(s, SESSION_REFUSED);
	session_close(s, why);
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
	session_start_ppp(s);
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
				session_refused(s, SESSION_REFUSED);
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
		session_check_binding(s, pkt, len);
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
	session_lcp_start(s, now_ms());
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
		session_eap_input(s, p, n);
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

	size_t n;

	status = http_parse_request((const char *)buf, len, &used, &req, &why);
	if (status == 0)
		return 0;
	n = http_build_response(resp, sizeof(resp), status);
	/* Our client: many SSTP packets per TLS record, both ways. */
	if (status == 200 && req.packed) {
		n = http_add_packed(resp, sizeof(resp), n);
		s->link.pack = true;
	}
	if (link_send_raw(&s->link, resp, n))
		status = status == 200 ? 503 : status;
	session_want_flush(s);
	if (status != 200) {
		char msg[160];

		snprintf(msg, sizeof(msg), "HTTP %d: %s", status,
			 why ? why : "bad request");
		session_refused(s, SESSION_REFUSED);
		session_note(s, "refused", msg);
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
				session_refused(s, SESSION_REFUSED);
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
			session_refused(s, SESSION_REFUSED);
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
			session_refused(s, SESSION_REFUSED);
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
					session_refused(s, SESSION_REFUSED);
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
		session_want_flush(s);
}

void session_tick(struct session *s, uint64_t now)
{
	const struct sstp_config *c = s->host->cfg;

	if (s->state == SS_DEAD)
		return;
	if (s->deadline_ms && now >= s->deadline_ms) {
		switch (s->state) {
		case SS_TLS:
		case SS_HTTP:
			session_refused(s, SESSION_REFUSED_TIMEOUT);
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
			session_refused(s, SESSION_REFUSED_TIMEOUT);
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
		session_lcp_start(s, now);
	if (s->ppp && s->state < SS_ABORT_PENDING)
		ppp_timer(s->ppp, now);
	if (s->state == SS_DEAD)
		return;
	session_auth_tick(s, now);
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

void session_close(struct session *s, const char *why)
{
	const struct session_host_ops *ops = s->host->ops;

	if (s->state == SS_DEAD)
		return;
	if (why && preauth(s))
		session_note(s, "closed", why);
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
