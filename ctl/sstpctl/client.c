// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "net/tls.h"
#include "proto/eap_tls.h"
#include "proto/http.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "client.h"

#define EAP_MAX_FRAG	1024
#define READ_BUDGET	(256 * 1024)
#define DISC_TIMER_MS	5000
/*
 * After EAP-TLS failed: how long we wait for the gateway's LCP
 * Terminate-Request (its reason in words) and CALL_DISCONNECT, which it
 * sends about a second after EAP-Failure.
 */
#define REFUSED_WAIT_MS	2000

static const char *const names[] = {
	[CS_CONNECTING] = "connecting", [CS_TLS] = "tls", [CS_HTTP] = "http",
	[CS_ACK_WAIT] = "connect-request", [CS_PPP] = "negotiating",
	[CS_UP] = "up", [CS_DISCONNECTING] = "disconnecting",
	[CS_DONE] = "closed",
};

const char *client_state_name(const struct client *c)
{
	return names[c->state];
}

static void finish(struct client *c, const char *why)
{
	if (c->state == CS_DONE)
		return;
	if (c->kpath) {
		if (!c->kgone) {
			sstpnl_send_queue(c->kmod, c->kid, c->link.tx,
					&c->link.tx_head, c->link.tx_tail);
			sstpnl_session_del(c->kmod, c->kid);
			c->kgone = true;
		}
	} else if (link_tx_pending(&c->link)) {
		link_flush(&c->link);
	}
	c->state = CS_DONE;
	loop_del(c->loop, &c->ev);
	OPENSSL_cleanse(c->hlak, sizeof(c->hlak));
	/* The first reason counts: the gateway's DISCONNECT that follows an
	 * EAP-Failure is not the news. */
	c->ops->down(c, c->reason[0] ? c->reason : why);
}

static void send_ctrl(struct client *c, const uint8_t *p, size_t n)
{
	link_send_ctrl(&c->link, p, n);
}

void client_disconnect(struct client *c, const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	if (c->state >= CS_DISCONNECTING)
		return;
	if (!c->reason[0])
		snprintf(c->reason, sizeof(c->reason), "%s", why);
	if (c->state < CS_ACK_WAIT) {
		finish(c, why);
		return;
	}
	send_ctrl(c, pkt, sstp_build_status_msg(pkt, SSTP_MSG_CALL_DISCONNECT,
						SSTP_ATTRIB_NO_ERROR,
						SSTP_STATUS_NO_ERROR));
	c->state = CS_DISCONNECTING;
	c->deadline_ms = now_ms() + DISC_TIMER_MS;
	client_flush(c);
}

static void abort_call(struct client *c, uint32_t status, const char *why)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	/*
	 * Only once there is a call (after the HTTP exchange): before that
	 * there is no TLS session to write it to (a timeout while TCP still
	 * connects would hand SSL_write a NULL SSL) and no SSTP peer.
	 */
	if (c->state >= CS_ACK_WAIT)
		send_ctrl(c, pkt, sstp_build_status_msg(pkt,
				SSTP_MSG_CALL_ABORT, 0, status));
	finish(c, why);
}

static void ppp_send_cb(void *ctx, uint16_t proto, const uint8_t *d, size_t n)
{
	struct client *c = ctx;

	if (c->state < CS_DISCONNECTING)
		link_send_ppp(&c->link, proto, d, n);
}

static void lcp_up_cb(void *ctx)
{
}

static void maybe_up(struct client *c)
{
	if (c->state != CS_PPP || !c->ipcp_up || !c->cc_sent)
		return;
	c->state = CS_UP;
	c->up_ms = now_ms();
	c->deadline_ms = 0;
	c->local = ppp_local_addr(c->ppp);
	c->gateway = ppp_peer_addr(c->ppp);
	c->dns[0] = ppp_dns(c->ppp, 0);
	c->dns[1] = ppp_dns(c->ppp, 1);
	c->ops->up(c);
}

static void ipcp_up_cb(void *ctx)
{
	struct client *c = ctx;

	c->ipcp_up = true;
	maybe_up(c);
}

static void ppp_down_cb(void *ctx, const char *why)
{
	struct client *c = ctx;
	const char *text = ppp_peer_term_text(c->ppp);
	size_t n;

	/* After a refusal the gateway's Terminate-Request says why. */
	if (c->auth_failed && *text) {
		n = strlen(c->reason);
		snprintf(c->reason + n, sizeof(c->reason) - n,
			 "; gateway: \"%s\"", text);
	}
	client_disconnect(c, why);
}

static const struct ppp_ops client_ppp_ops = {
	.send = ppp_send_cb,
	.lcp_up = lcp_up_cb,
	.ipcp_up = ipcp_up_cb,
	.down = ppp_down_cb,
};

static void send_call_connected(struct client *c)
{
	uint8_t sha1[20], sha256[32], pkt[SSTP_LEN_CALL_CONNECTED];
	uint8_t hash = c->bitmask & SSTP_HASH_SHA256 ? SSTP_HASH_SHA256 :
		       SSTP_HASH_SHA1;

	if (tls_peer_cert_hashes(c->link.ssl, sha1, sha256)) {
		client_disconnect(c, "gateway sent no certificate");
		return;
	}
	send_ctrl(c, pkt, sstp_build_call_connected(pkt, hash, c->nonce,
			hash == SSTP_HASH_SHA256 ? sha256 : sha1, c->hlak));
	c->cc_sent = true;
}

static void handle_eap(struct client *c, const uint8_t *p, size_t n)
{
	uint8_t out[EAP_MAX_FRAG + 64], msk[EAP_MSK_LEN];
	enum eap_tls_status st;
	size_t out_len = 0;
	char why[300];

	if (c->authed || c->auth_failed)
		return;
	if (!c->eap) {
		c->eap = eap_tls_client_new(c->o->eap, c->o->identity,
					    EAP_MAX_FRAG);
		if (!c->eap) {
			client_disconnect(c, "out of memory for EAP-TLS");
			return;
		}
		/* What the outer connection verified needs no second pass. */
		if (SSL_get_verify_result(c->link.ssl) == X509_V_OK)
			eap_tls_client_verified(c->eap,
				SSL_get0_peer_certificate(c->link.ssl));
	}
	st = eap_tls_input(c->eap, p, n, out, sizeof(out), &out_len);
	if (out_len)
		link_send_ppp(&c->link, PPP_PROTO_EAP, out, out_len);
	if (st == EAP_TLS_FAILURE) {
		/*
		 * The first reason counts; the gateway's Terminate-Request
		 * (ppp_down_cb) adds to it. Wait for that and its
		 * CALL_DISCONNECT rather than hang up at once.
		 */
		snprintf(why, sizeof(why), "authentication failed: %s",
			 eap_tls_error(c->eap));
		snprintf(c->reason, sizeof(c->reason), "%s", why);
		c->auth_failed = true;
		eap_tls_free(c->eap);
		c->eap = NULL;
		if (!c->deadline_ms || c->deadline_ms > now_ms() + REFUSED_WAIT_MS)
			c->deadline_ms = now_ms() + REFUSED_WAIT_MS;
		return;
	}
	if (st != EAP_TLS_SUCCESS)
		return;
	if (eap_tls_msk(c->eap, msk)) {
		client_disconnect(c, "EAP-TLS produced no MSK");
		return;
	}
	memcpy(c->hlak, msk, SSTP_HLAK_LEN);
	OPENSSL_cleanse(msk, sizeof(msk));
	c->authed = true;
	eap_tls_free(c->eap);
	c->eap = NULL;
	send_call_connected(c);
	ppp_auth_done(c->ppp, now_ms());
	maybe_up(c);
}

static void handle_ack(struct client *c, const struct sstp_ctrl_msg *m)
{
	struct ppp_config pc = {
		.server = false,
		.mru = (uint16_t)c->o->mtu,
		.want_dns = c->o->want_dns,
	};

	if (sstp_parse_connect_ack(m, &c->bitmask, c->nonce) ||
	    !(c->bitmask & (SSTP_HASH_SHA1 | SSTP_HASH_SHA256))) {
		abort_call(c, SSTP_STATUS_INVALID_FRAME_RECEIVED,
			   "malformed CALL_CONNECT_ACK");
		return;
	}
	c->ppp = ppp_new(&pc, &client_ppp_ops, c);
	if (!c->ppp) {
		client_disconnect(c, "out of memory for PPP");
		return;
	}
	c->state = CS_PPP;
	ppp_lower_up(c->ppp, now_ms());
}

static void handle_ctrl(struct client *c, const uint8_t *pkt, size_t len)
{
	struct sstp_ctrl_msg m;
	const char *why = NULL;
	uint8_t out[SSTP_LEN_SIMPLE], a = 0;
	uint32_t st = 0;
	char msg[160];

	if (sstp_ctrl_parse(pkt, len, &m, &why)) {
		snprintf(msg, sizeof(msg), "malformed control packet: %s", why);
		abort_call(c, SSTP_STATUS_INVALID_FRAME_RECEIVED, msg);
		return;
	}
	switch (m.type) {
	case SSTP_MSG_CALL_CONNECT_ACK:
		if (c->state == CS_ACK_WAIT)
			handle_ack(c, &m);
		return;
	case SSTP_MSG_CALL_CONNECT_NAK:
		sstp_status_info(&m, &a, &st);
		snprintf(msg, sizeof(msg), "gateway refused the call (%s)",
			 sstp_status_name(st));
		finish(c, msg);
		return;
	case SSTP_MSG_CALL_ABORT:
		sstp_status_info(&m, &a, &st);
		snprintf(msg, sizeof(msg), "gateway aborted the call (%s)",
			 sstp_status_name(st));
		finish(c, msg);
		return;
	case SSTP_MSG_CALL_DISCONNECT:
		send_ctrl(c, out, sstp_build_simple(out,
					SSTP_MSG_CALL_DISCONNECT_ACK));
		finish(c, "gateway disconnected");
		return;
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		if (c->state == CS_DISCONNECTING)
			finish(c, "disconnected");
		return;
	case SSTP_MSG_ECHO_REQUEST:
		send_ctrl(c, out, sstp_build_simple(out, SSTP_MSG_ECHO_RESPONSE));
		return;
	case SSTP_MSG_ECHO_RESPONSE:
		c->echo_sent_ms = 0;
		return;
	default:
		snprintf(msg, sizeof(msg), "unexpected %s from the gateway",
			 sstp_msg_name(m.type));
		abort_call(c, SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED, msg);
	}
}

static void handle_data(struct client *c, const uint8_t *p, size_t n)
{
	uint16_t proto;
	int hl = ppp_frame_decode(p, n, &proto);

	if (hl < 0 || !c->ppp || c->state >= CS_DISCONNECTING)
		return;
	p += hl;
	n -= (size_t)hl;
	switch (proto) {
	case PPP_PROTO_IP:
		if (c->state == CS_UP) {
			c->link.st.rx_packets++;
			c->ops->ip(c, p, n);
		}
		return;
	case PPP_PROTO_IPV6:
		return;
	case PPP_PROTO_EAP:
		handle_eap(c, p, n);
		return;
	default:
		if (c->ops->ppp_in && c->ops->ppp_in(c, proto, p, n))
			return;
		ppp_input(c->ppp, proto, p, n, now_ms());
	}
}

static void process(struct client *c, const uint8_t *buf, size_t len)
{
	uint64_t now = now_ms();
	size_t off = 0;

	if (c->state == CS_HTTP) {
		const char *why = NULL;
		size_t used = 0;
		bool packed;
		int st = http_parse_response_ex((const char *)buf, len, &used,
						&why, &packed);
		char msg[160];
		uint8_t pkt[SSTP_LEN_CONNECT_REQUEST];

		if (st == 0) {
			if (link_keep(&c->link, buf, len))
				finish(c, "HTTP response too large");
			return;
		}
		if (st != 200) {
			if (st < 0)
				snprintf(msg, sizeof(msg),
					 "bad HTTP response: %s", why);
			else
				snprintf(msg, sizeof(msg),
					 "gateway answered HTTP %d", st);
			finish(c, msg);
			return;
		}
		/* Our gateway reads a byte stream: pack our records too. */
		c->link.pack = packed;
		send_ctrl(c, pkt, sstp_build_connect_request(pkt));
		c->state = CS_ACK_WAIT;
		off = used;
	}
	while (off < len && c->state != CS_DONE) {
		bool control;
		size_t plen;
		int r = sstp_frame_peek(buf + off, len - off, &control, &plen);

		if (r < 0) {
			finish(c, "invalid SSTP framing from the gateway");
			return;
		}
		if (r == 0 || plen > len - off)
			break;
		c->last_rx_ms = now;
		c->link.st.rx_bytes += plen;
		if (control)
			handle_ctrl(c, buf + off, plen);
		else
			handle_data(c, buf + off + SSTP_HDR_LEN,
				    plen - SSTP_HDR_LEN);
		off += plen;
	}
	if (c->state != CS_DONE && off < len)
		link_keep(&c->link, buf + off, len - off);
}

static int start_tls(struct client *c)
{
	const char *name = c->o->server_name ? c->o->server_name : c->o->host;
	SSL *ssl = SSL_new(c->o->tls);
	unsigned char tmp[16];

	if (!ssl)
		return -ENOMEM;
	SSL_set_fd(ssl, c->link.fd);
	c->link.ssl = ssl;
	if (inet_pton(AF_INET, name, tmp) != 1 &&
	    inet_pton(AF_INET6, name, tmp) != 1)
		SSL_set_tlsext_host_name(ssl, name);
	if (!c->o->insecure) {
		X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);

		if (X509_VERIFY_PARAM_set1_ip_asc(vp, name) != 1)
			SSL_set1_host(ssl, name);
	}
	c->state = CS_TLS;
	return 0;
}

static void kernel_attach(struct client *c)
{
	struct sstpnl_session_opts o = {
		.fd = c->link.fd,
		.ipv4 = c->gateway,
		.any_source = true,
		.coalesce = true,	/* our gateway reads any record sizes */
		.backlog = c->link.carry,
		.backlog_len = c->link.carry_len,
	};
	char err[512];
	uint32_t id;
	int ret;

	c->kattach = false;
	ret = sstpnl_session_new(c->kmod, &o, &id, err, sizeof(err));
	if (ret) {
		if (c->ops->kernel)
			c->ops->kernel(c, ret, err);
		return;
	}
	loop_del(c->loop, &c->ev);
	close(c->link.fd);
	c->link.fd = c->ev.fd = -1;
	c->link.carry_len = 0;
	c->more = false;
	c->kpath = true;
	c->kid = id;
	if (c->ops->kernel)
		c->ops->kernel(c, 0, NULL);
}

static void maybe_attach(struct client *c)
{
	if (c->kattach && c->state == CS_UP && !link_tx_pending(&c->link))
		kernel_attach(c);
}

void client_use_kernel(struct client *c, struct sstpnl *k)
{
	c->kmod = k;
	c->kattach = true;
}

void client_kernel_input(struct client *c, const uint8_t *pkt, size_t len)
{
	bool control;
	size_t plen;

	if (c->state == CS_DONE)
		return;
	if (sstp_frame_peek(pkt, len, &control, &plen) <= 0 || plen != len)
		return;
	c->last_rx_ms = now_ms();
	c->link.st.rx_bytes += plen;
	if (control)
		handle_ctrl(c, pkt, plen);
	else
		handle_data(c, pkt + SSTP_HDR_LEN, plen - SSTP_HDR_LEN);
	client_flush(c);
}

void client_kernel_gone(struct client *c, const struct sstpnl_stats *st)
{
	char why[96];

	c->kgone = true;
	snprintf(why, sizeof(why), "kernel: %s", sstpnl_reason_name(st->reason));
	finish(c, c->state == CS_DISCONNECTING ? "disconnected" : why);
}

static void client_io(struct client *c, uint32_t events)
{
	char req[512], msg[300];

	if (c->state == CS_DONE || c->kpath)
		return;
	if (c->state == CS_CONNECTING) {
		int err = 0;
		socklen_t sl = sizeof(err);

		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		getsockopt(c->link.fd, SOL_SOCKET, SO_ERROR, &err, &sl);
		if (err) {
			snprintf(msg, sizeof(msg), "cannot connect to %s:%s: %s",
				 c->o->host, c->o->port, strerror(err));
			finish(c, msg);
			return;
		}
		if (start_tls(c)) {
			finish(c, "out of memory");
			return;
		}
	}
	if (c->state == CS_TLS) {
		int r = link_handshake(&c->link, false);

		if (r < 0) {
			unsigned long e = ERR_peek_error();
			long v = SSL_get_verify_result(c->link.ssl);

			snprintf(msg, sizeof(msg), "TLS handshake failed: %s",
				 v != X509_V_OK ?
				 X509_verify_cert_error_string(v) :
				 e ? ERR_reason_error_string(e) :
				 "connection closed");
			ERR_clear_error();
			finish(c, msg);
			return;
		}
		if (r == 0)
			return;
		if (c->o->ktls) {
			char why[160];

			link_start_ktls(&c->link, false, why, sizeof(why));
		}
		link_gather_records(&c->link);
		link_send_raw(&c->link, req, http_add_packed(req, sizeof(req),
			http_build_request(req, sizeof(req),
			c->o->server_name ? c->o->server_name : c->o->host,
			"5B9E6F3A-0C1D-4E2F-8A7B-1C2D3E4F5A6B")));
		c->state = CS_HTTP;
	}
	if (events & EPOLLIN || c->more) {
		size_t budget = READ_BUDGET;

		c->more = false;
		c->link.read_blocked = false;
		while (budget && c->state != CS_DONE) {
			uint8_t *buf;
			ssize_t n = link_read(&c->link, &buf, LINK_SCRATCH);

			if (n < 0) {
				finish(c, c->state == CS_DISCONNECTING ?
				       "disconnected" :
				       "connection closed by the gateway");
				return;
			}
			if (n == 0)
				break;
			budget = (size_t)n >= budget ? 0 : budget - (size_t)n;
			process(c, buf, (size_t)n);
		}
		if (c->state != CS_DONE && !c->link.read_blocked)
			c->more = true;
	}
	client_flush(c);
	if (c->state != CS_DONE)
		maybe_attach(c);
}

static void client_ev(struct ev *ev, uint32_t events)
{
	client_io((struct client *)ev, events);
}

void client_more(struct client *c)
{
	if (c->more)
		client_io(c, 0);
}

void client_flush(struct client *c)
{
	if (c->state == CS_DONE || c->state <= CS_TLS)
		return;
	if (c->kpath) {
		size_t head = c->link.tx_head;
		int ret = sstpnl_send_queue(c->kmod, c->kid, c->link.tx,
					  &c->link.tx_head, c->link.tx_tail);

		c->link.st.tx_bytes += c->link.tx_head - head;
		if (c->link.tx_head == c->link.tx_tail)
			c->link.tx_head = c->link.tx_tail = 0;
		if (ret)
			finish(c, "kernel: session lost");
		return;
	}
	if (link_flush(&c->link))
		finish(c, "connection lost");
}

int client_send_ip(struct client *c, const uint8_t *pkt, size_t len)
{
	if (c->state != CS_UP)
		return -ENOTCONN;
	return link_send_ppp(&c->link, PPP_PROTO_IP, pkt, len);
}

void client_tick(struct client *c, uint64_t now)
{
	uint64_t hello = (c->o->hello_interval ? c->o->hello_interval : 60) *
			 1000ULL;
	uint8_t pkt[SSTP_LEN_SIMPLE];

	if (c->state == CS_DONE)
		return;
	if (c->deadline_ms && now >= c->deadline_ms) {
		if (c->state == CS_DISCONNECTING)
			finish(c, "disconnected (no acknowledgement)");
		else if (c->auth_failed)
			client_disconnect(c, c->reason);
		else
			abort_call(c, SSTP_STATUS_NEGOTIATION_TIMEOUT,
				   "timed out before the session came up");
		return;
	}
	if (c->ppp && c->state == CS_PPP)
		ppp_timer(c->ppp, now);
	if (c->state == CS_UP) {
		if (c->echo_sent_ms && now - c->echo_sent_ms >= hello) {
			finish(c, "gateway stopped answering echo requests");
			return;
		}
		if (!c->echo_sent_ms && now - c->last_rx_ms >= hello) {
			send_ctrl(c, pkt, sstp_build_simple(pkt,
						SSTP_MSG_ECHO_REQUEST));
			c->echo_sent_ms = now;
		}
	}
	if (c->state != CS_DONE && link_tx_pending(&c->link))
		client_flush(c);
	if (c->state != CS_DONE)
		maybe_attach(c);
}

int client_start(struct client *c, struct loop *l, const struct client_opts *o,
		 const struct client_ops *ops, void *owner)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	int fd, ret, one = 1;

	memset(c, 0, sizeof(*c));
	c->loop = l;
	c->o = o;
	c->ops = ops;
	c->owner = owner;
	ret = getaddrinfo(o->host, o->port, &hints, &ai);
	if (ret)
		return -EHOSTUNREACH;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		freeaddrinfo(ai);
		return -errno;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ret = connect(fd, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	if (ret && errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = link_init(&c->link, fd, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	c->ev.fd = fd;
	c->ev.cb = client_ev;
	c->state = CS_CONNECTING;
	c->started_ms = now_ms();
	c->deadline_ms = c->started_ms + (o->timeout ? o->timeout : 60) * 1000ULL;
	ret = loop_add(l, &c->ev, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET);
	if (ret) {
		link_destroy(&c->link);
		return ret;
	}
	return 0;
}

void client_destroy(struct client *c)
{
	if (c->state != CS_DONE)
		loop_del(c->loop, &c->ev);
	if (c->ppp)
		ppp_free(c->ppp);
	if (c->eap)
		eap_tls_free(c->eap);
	c->ppp = NULL;
	c->eap = NULL;
	link_destroy(&c->link);
	OPENSSL_cleanse(c->hlak, sizeof(c->hlak));
}
