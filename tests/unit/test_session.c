// SPDX-License-Identifier: GPL-2.0
/*
 * The session state machine on its own: one real session (session.c) on a
 * socket pair, run by a FAKE host (struct session_host) that records every
 * call, against a real client built from the library (TLS, HTTP, SSTP,
 * PPP, EAP-TLS with certificates made in-process). The test clock moves
 * only when a test says, so every timer fires where the test wants it.
 *
 * Each test drives the session into a state, then down one of the ways
 * out, and checks what the host saw: every lease released exactly once,
 * the data plane entered and left in pairs, the close reported exactly
 * once and nothing asked of the host after it but the lease's release.
 */
#include <arpa/inet.h>
#include <errno.h>
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
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "net/link.h"
#include "net/tls.h"
#include "proto/eap_tls.h"
#include "proto/http.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "sstpd/session.h"
#include "sstpd/session_host.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "util/log.h"
#include "util/loop.h"

#define T0		5000000ULL
#define POOL_FIRST	0x0a610002u	/* 10.97.0.2 */
#define GW_ADDR		0x0a610001u
#define IDENTITY	"client1@session.test"
#define ROUNDS		200

/* The fake host: what the session asked for, in counts. */
struct fake_host {
	struct session_host h;
	struct sstp_config cfg;
	uint8_t sha1[20], sha256[32];
	/* Behaviour. */
	bool pool_empty;
	bool offload;			/* a data path takes sessions */
	/* Record. */
	unsigned int leases, releases, bad_releases;
	uint32_t leased;		/* outstanding, 0 when none */
	uint32_t next_addr;
	unsigned int enters, leaves, ups, authed, closes;
	unsigned int refused, timeouts, notes;
	unsigned int delivered;
	uint32_t delivered_src;
	unsigned int offers, offloads, xmits, infos;
	unsigned int after_close;	/* anything but release after closed */
	bool closed_dead;		/* SS_DEAD when closed was called */
	bool flush, read;		/* asked for I/O */
	size_t xmit_bytes;
	uint8_t xmit_buf[4096];
};

static struct fake_host fh;
static char dir[64];
static SSL_CTX *srv_tls, *srv_eap, *cli_tls, *cli_eap, *rogue_eap;
static struct pki *pki;
static uint64_t clock_ms;

static struct fake_host *fake(const struct session_host *h)
{
	return container_of(h, struct fake_host, h);
}

static void note_call(struct fake_host *f)
{
	if (f->closes)
		f->after_close++;
}

static int f_lease(struct session_host *h, struct session *s, uint32_t *a)
{
	struct fake_host *f = fake(h);

	note_call(f);
	if (f->pool_empty || f->leased)
		return -ENOSPC;
	f->leases++;
	f->leased = *a = f->next_addr++;
	return 0;
}

static void f_release(struct session_host *h, struct session *s, uint32_t a)
{
	struct fake_host *f = fake(h);

	f->releases++;
	if (a != f->leased || !a)
		f->bad_releases++;
	f->leased = 0;
}

static void f_enter(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->enters++;
}

static void f_leave(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->leaves++;
}

static void f_want_flush(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->flush = true;
}

static void f_want_read(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->read = true;
}

static void f_deliver(struct session_host *h, struct session *s,
		      const uint8_t *pkt, size_t len)
{
	struct fake_host *f = fake(h);

	note_call(f);
	f->delivered++;
	f->delivered_src = (uint32_t)pkt[12] << 24 | (uint32_t)pkt[13] << 16 |
			   (uint32_t)pkt[14] << 8 | pkt[15];
}

static bool f_offload_wanted(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->offers++;
	return fake(h)->offload;
}

static int f_offload(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->offloads++;
	return 0;
}

/* What a path that holds the socket does: the queue goes out its way. */
static int f_xmit(struct session_host *h, struct session *s)
{
	struct fake_host *f = fake(h);
	struct sstp_link *l = &s->link;
	size_t n = l->tx_tail - l->tx_head;

	f->xmits++;
	if (n > sizeof(f->xmit_buf) - f->xmit_bytes)
		n = sizeof(f->xmit_buf) - f->xmit_bytes;
	memcpy(f->xmit_buf + f->xmit_bytes, l->tx + l->tx_head, n);
	f->xmit_bytes += n;
	l->tx_head = l->tx_tail = 0;
	return 0;
}

static void f_up(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->ups++;
}

static void f_refused(struct session_host *h, struct session *s,
		      enum session_refusal why)
{
	note_call(fake(h));
	fake(h)->refused++;
	fake(h)->timeouts += why == SESSION_REFUSED_TIMEOUT;
}

static bool f_note_refusal(struct session_host *h, struct session *s,
			   const char *why)
{
	note_call(fake(h));
	fake(h)->notes++;
	return true;
}

static void f_authed(struct session_host *h, struct session *s)
{
	note_call(fake(h));
	fake(h)->authed++;
}

static void f_closed(struct session_host *h, struct session *s)
{
	struct fake_host *f = fake(h);

	note_call(f);
	f->closes++;
	f->closed_dead = s->state == SS_DEAD;
}

static void f_info(const struct session_host *h, const struct session *s,
		   struct session_info *out)
{
	fake((struct session_host *)h)->infos++;
	out->path = "fake";
}

static const struct session_host_ops fake_ops = {
	.lease = f_lease,
	.release = f_release,
	.enter = f_enter,
	.leave = f_leave,
	.want_flush = f_want_flush,
	.want_read = f_want_read,
	.deliver = f_deliver,
	.offload_wanted = f_offload_wanted,
	.offload = f_offload,
	.xmit = f_xmit,
	.up = f_up,
	.refused = f_refused,
	.note_refusal = f_note_refusal,
	.authed = f_authed,
	.closed = f_closed,
	.info = f_info,
};

/* The client: a real one, whose steps a test turns on one by one. */
enum upto {
	UP_NOTHING,	/* not even the TLS handshake */
	UP_TLS,		/* TLS, nothing more */
	UP_HTTP,	/* + the HTTP request */
	UP_CONNECT,	/* + CALL_CONNECT_REQUEST */
	UP_PPP,		/* + PPP and EAP-TLS, no CALL_CONNECTED */
	UP_ALL,		/* + CALL_CONNECTED: up */
};

struct peer {
	int fd, srv_fd;
	struct sstp_link link;
	enum upto upto;
	bool http_sent, http_ok, connect_sent, acked, authed, ppp_started;
	bool cc_sent;
	bool no_ipcp;		/* no IPCP (PPP stays in authentication) */
	bool bad_binding;
	bool reading;
	bool answer_echo, answer_disconnect, answer_abort;
	bool gone;
	bool packed;		/* says X-SSTP-Records: packed */
	unsigned int records;	/* TLS application data records read */
	SSL_CTX *eap_ctx;
	int http_status;
	uint8_t nonce[SSTP_NONCE_LEN], bitmask, hlak[SSTP_HLAK_LEN];
	struct ppp *ppp;
	struct eap_tls *eap;
	uint32_t addr;
	unsigned int got[16];	/* control messages by type (low 4 bits) */
	unsigned int got_ip;
	uint32_t last_status;
};

static struct peer pr;
static struct session *s;

static unsigned int got(uint16_t type)
{
	return pr.got[type & 15];
}

static void p_send_ppp(void *ctx, uint16_t proto, const uint8_t *d, size_t n)
{
	link_send_ppp(&pr.link, proto, d, n);
}

static void p_nop(void *ctx)
{
}

static void p_ipcp_up(void *ctx)
{
	pr.addr = ppp_local_addr(pr.ppp);
}

static void p_down(void *ctx, const char *why)
{
}

static const struct ppp_ops peer_ppp_ops = {
	.send = p_send_ppp,
	.lcp_up = p_nop,
	.ipcp_up = p_ipcp_up,
	.down = p_down,
};

static void p_ctrl(const uint8_t *pkt, size_t len)
{
	struct ppp_config pc = { .server = false, .mru = 1400 };
	struct sstp_ctrl_msg m;
	uint8_t out[SSTP_LEN_STATUS_MSG], attrib;
	const char *why;

	if (sstp_ctrl_parse(pkt, len, &m, &why))
		return;
	pr.got[m.type & 15]++;
	sstp_status_info(&m, &attrib, &pr.last_status);
	switch (m.type) {
	case SSTP_MSG_CALL_CONNECT_ACK:
		if (pr.acked || sstp_parse_connect_ack(&m, &pr.bitmask,
						       pr.nonce))
			return;
		pr.acked = true;
		pr.ppp = ppp_new(&pc, &peer_ppp_ops, NULL);
		return;
	case SSTP_MSG_CALL_DISCONNECT:
		if (pr.answer_disconnect)
			link_send_ctrl(&pr.link, out, sstp_build_simple(out,
					SSTP_MSG_CALL_DISCONNECT_ACK));
		return;
	case SSTP_MSG_CALL_ABORT:
		if (pr.answer_abort)
			link_send_ctrl(&pr.link, out, sstp_build_simple(out,
					SSTP_MSG_CALL_ABORT));
		return;
	case SSTP_MSG_ECHO_REQUEST:
		if (pr.answer_echo)
			link_send_ctrl(&pr.link, out, sstp_build_simple(out,
					SSTP_MSG_ECHO_RESPONSE));
		return;
	default:
		return;
	}
}

static void p_eap(const uint8_t *d, size_t n)
{
	uint8_t out[EAP_TLS_MAX_FRAG + 64], msk[EAP_MSK_LEN];
	enum eap_tls_status st;
	size_t out_len = 0;

	if (pr.authed)
		return;
	if (!pr.eap)
		pr.eap = eap_tls_client_new(pr.eap_ctx, IDENTITY, 1024);
	assert_non_null(pr.eap);
	st = eap_tls_input(pr.eap, d, n, out, sizeof(out), &out_len);
	if (out_len)
		link_send_ppp(&pr.link, PPP_PROTO_EAP, out, out_len);
	if (st == EAP_TLS_SUCCESS && !eap_tls_msk(pr.eap, msk)) {
		memcpy(pr.hlak, msk, sizeof(pr.hlak));
		pr.authed = true;
		if (!pr.no_ipcp)
			ppp_auth_done(pr.ppp, now_ms());
	}
	if (st != EAP_TLS_CONTINUE) {
		eap_tls_free(pr.eap);
		pr.eap = NULL;
	}
}

static void p_data(const uint8_t *d, size_t n)
{
	uint16_t proto;
	int hl = ppp_frame_decode(d, n, &proto);

	if (hl < 0)
		return;
	d += hl;
	n -= (size_t)hl;
	if (proto == PPP_PROTO_EAP)
		p_eap(d, n);
	else if (proto == PPP_PROTO_IP)
		pr.got_ip++;
	else if (proto != PPP_PROTO_IPV6 && pr.ppp_started)
		ppp_input(pr.ppp, proto, d, n, now_ms());
}

static void p_input(const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (!pr.http_ok) {
		const char *why;
		size_t used = 0;
		int st = http_parse_response((const char *)buf, len, &used,
					     &why);

		if (st == 0) {
			link_keep(&pr.link, buf, len);
			return;
		}
		pr.http_status = st;
		if (st != 200)
			return;
		pr.http_ok = true;
		off = used;
	}
	while (off < len) {
		bool control;
		size_t plen;
		int r = sstp_frame_peek(buf + off, len - off, &control, &plen);

		if (r < 0)
			return;
		if (r == 0 || plen > len - off)
			break;
		if (control)
			p_ctrl(buf + off, plen);
		else
			p_data(buf + off + SSTP_HDR_LEN, plen - SSTP_HDR_LEN);
		off += plen;
	}
	if (off < len)
		link_keep(&pr.link, buf + off, len - off);
}

static void p_call_connected(void)
{
	uint8_t sha1[20], sha256[32], pkt[SSTP_LEN_CALL_CONNECTED];
	uint8_t hlak[SSTP_HLAK_LEN];

	assert_int_equal(tls_peer_cert_hashes(pr.link.ssl, sha1, sha256), 0);
	memcpy(hlak, pr.hlak, sizeof(hlak));
	if (pr.bad_binding)
		hlak[3] ^= 0x5a;
	link_send_ctrl(&pr.link, pkt, sstp_build_call_connected(pkt,
			SSTP_HASH_SHA256, pr.nonce, sha256, hlak));
	pr.cc_sent = true;
}

/* Each TLS record the client reads (its header): how SSTP was packed. */
static void p_record(int write_p, int version, int content_type,
		     const void *buf, size_t len, SSL *ssl, void *arg)
{
	if (!write_p && content_type == SSL3_RT_HEADER && len >= 1 &&
	    ((const uint8_t *)buf)[0] == SSL3_RT_APPLICATION_DATA)
		pr.records++;
}

/* The client's turn: handshake, read and answer, its next step, flush. */
static void p_turn(void)
{
	int i;

	if (pr.gone || pr.upto == UP_NOTHING)
		return;
	if (!pr.link.handshake_done) {
		int r = link_handshake(&pr.link, false);

		if (r < 0) {
			ERR_clear_error();
			pr.gone = true;
			return;
		}
		if (r == 0)
			return;
		link_gather_records(&pr.link);
		SSL_set_msg_callback(pr.link.ssl, p_record);
	}
	for (i = 0; pr.reading && i < 64; i++) {
		uint8_t *buf;
		ssize_t n = link_read(&pr.link, &buf, LINK_SCRATCH);

		if (n < 0) {
			pr.gone = true;
			return;
		}
		if (n == 0)
			break;
		p_input(buf, (size_t)n);
	}
	if (pr.upto >= UP_HTTP && !pr.http_sent) {
		char req[1024];

		size_t n = http_build_request(req, sizeof(req), "localhost",
					      NULL);

		if (pr.packed)
			n = http_add_packed(req, sizeof(req), n);
		link_send_raw(&pr.link, req, n);
		pr.http_sent = true;
	}
	if (pr.upto >= UP_CONNECT && pr.http_ok && !pr.connect_sent) {
		uint8_t pkt[SSTP_LEN_CONNECT_REQUEST];

		pr.connect_sent = true;
		link_send_ctrl(&pr.link, pkt, sstp_build_connect_request(pkt));
	}
	if (pr.upto >= UP_PPP && pr.ppp && !pr.ppp_started) {
		pr.ppp_started = true;
		ppp_lower_up(pr.ppp, now_ms());
	}
	if (pr.upto >= UP_ALL && pr.authed && !pr.cc_sent)
		p_call_connected();
	if (link_flush(&pr.link))
		pr.gone = true;
}

/* The host's turn: what an event loop would do for s. */
static void h_turn(void)
{
	if (s->state == SS_DEAD)
		return;
	fh.read = false;
	session_io(s, EPOLLIN | EPOLLOUT);
	if (fh.flush && s->state != SS_DEAD) {
		fh.flush = false;
		session_flush(s);
	}
}

static void rounds(int n)
{
	while (n--) {
		h_turn();
		p_turn();
	}
}

/* Rounds until s is in state st (or dead): asserts it got there. */
static void run_until(enum sess_state st)
{
	int i;

	for (i = 0; i < ROUNDS && s->state != st && s->state != SS_DEAD; i++)
		rounds(1);
	assert_int_equal(s->state, st);
}

static void advance(uint64_t ms)
{
	clock_ms += ms;
	loop_test_clock(clock_ms);
	if (s->state != SS_DEAD)
		session_tick(s, clock_ms);
	if (fh.flush && s->state != SS_DEAD) {
		fh.flush = false;
		session_flush(s);
	}
}

static void make_pki(void)
{
	struct pki_cert_spec root = { .kind = PKI_ROOT, .cn = "Session Root",
				      .not_before = -3600,
				      .not_after = 86400 };
	struct pki_cert_spec rogue = { .kind = PKI_ROOT, .cn = "Rogue Root",
				       .not_before = -3600,
				       .not_after = 86400 };
	struct pki_cert_spec srv = { .kind = PKI_SERVER, .cn = "localhost",
				     .san_dns = "localhost",
				     .not_before = -3600,
				     .not_after = 86400 };
	struct pki_cert_spec cli = { .kind = PKI_CLIENT, .cn = IDENTITY,
				     .not_before = -3600,
				     .not_after = 86400 };
	X509 *rc, *gc, *sc, *cc, *xc;
	EVP_PKEY *rk, *gk, *sk, *ck, *xk;
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/test_session.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roots", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(pki_issue(&root, NULL, NULL, &rc, &rk), 0);
	assert_int_equal(pki_issue(&rogue, NULL, NULL, &gc, &gk), 0);
	assert_int_equal(pki_issue(&srv, rc, rk, &sc, &sk), 0);
	assert_int_equal(pki_issue(&cli, rc, rk, &cc, &ck), 0);
	/* Same name, issued by a root the gateway does not trust. */
	assert_int_equal(pki_issue(&cli, gc, gk, &xc, &xk), 0);
	snprintf(path, sizeof(path), "%s/roots/root.crt", dir);
	assert_int_equal(pki_write_cert(path, rc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	assert_int_equal(pki_write_cert(path, sc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	assert_int_equal(pki_write_key(path, sk), 0);
	snprintf(path, sizeof(path), "%s/client.crt", dir);
	assert_int_equal(pki_write_cert(path, cc, NULL), 0);
	snprintf(path, sizeof(path), "%s/client.key", dir);
	assert_int_equal(pki_write_key(path, ck), 0);
	snprintf(path, sizeof(path), "%s/rogue.crt", dir);
	assert_int_equal(pki_write_cert(path, xc, NULL), 0);
	snprintf(path, sizeof(path), "%s/rogue.key", dir);
	assert_int_equal(pki_write_key(path, xk), 0);
	X509_free(rc);
	X509_free(gc);
	X509_free(sc);
	X509_free(cc);
	X509_free(xc);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(gk);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(xk);
}

static SSL_CTX *eap_client(const char *name)
{
	struct tls_client_opts o = { 0 };
	char ca[128], crt[128], key[128], err[512];
	SSL_CTX *c = NULL;

	snprintf(ca, sizeof(ca), "%s/roots/root.crt", dir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	o.ca_file = ca;
	o.cert_file = crt;
	o.key_file = key;
	assert_int_equal(tls_eap_client_ctx(&o, &c, err, sizeof(err)), 0);
	return c;
}

static int setup(void **state)
{
	struct tls_server_opts to = { .min_version = TLS1_2_VERSION };
	char crt[128], key[128], roots[128], err[512];

	signal(SIGPIPE, SIG_IGN);
	sstp_log_init("test_session", true, 0);
	make_pki();
	snprintf(crt, sizeof(crt), "%s/server.crt", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	snprintf(roots, sizeof(roots), "%s/roots", dir);
	to.cert_file = crt;
	to.key_file = key;
	if (tls_server_ctx(&to, &srv_tls, err, sizeof(err)))
		return -1;
	to.max_version = TLS1_2_VERSION;
	if (tls_server_ctx(&to, &srv_eap, err, sizeof(err)))
		return -1;
	pki = pki_new();
	if (!pki || pki_load_roots(pki, roots, err, sizeof(err)))
		return -1;
	cli_tls = SSL_CTX_new(TLS_client_method());
	if (!cli_tls)
		return -1;
	SSL_CTX_set_verify(cli_tls, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(cli_tls, SSL_MODE_ENABLE_PARTIAL_WRITE |
				  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	cli_eap = eap_client("client");
	rogue_eap = eap_client("rogue");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	SSL_CTX_free(srv_tls);
	SSL_CTX_free(srv_eap);
	SSL_CTX_free(cli_tls);
	SSL_CTX_free(cli_eap);
	SSL_CTX_free(rogue_eap);
	pki_free(pki);
	loop_test_clock(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* A fresh host, client and session for every test. */
static int start(void **state)
{
	int sp[2];
	SSL *ssl;

	memset(&fh, 0, sizeof(fh));
	config_defaults(&fh.cfg);
	fh.cfg.kernel_tls = false;
	fh.cfg.kernel_path = false;
	fh.cfg.address = GW_ADDR;
	fh.cfg.handshake_timeout = 10;
	fh.cfg.negotiation_timeout = 60;
	fh.cfg.hello_interval = 60;
	fh.h.ops = &fake_ops;
	fh.h.cfg = &fh.cfg;
	fh.h.tls = srv_tls;
	fh.h.eap_tls = srv_eap;
	fh.h.pki = pki;
	tls_ctx_cert_hashes(srv_tls, fh.sha1, fh.sha256);
	fh.h.cert_sha1 = fh.sha1;
	fh.h.cert_sha256 = fh.sha256;
	fh.next_addr = POOL_FIRST;

	clock_ms = T0;
	loop_test_clock(clock_ms);
	memset(&pr, 0, sizeof(pr));
	pr.reading = pr.answer_echo = pr.answer_disconnect = true;
	pr.eap_ctx = cli_eap;
	pr.upto = UP_ALL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
				    SOCK_CLOEXEC, 0, sp), 0);
	pr.fd = sp[1];
	pr.srv_fd = sp[0];
	ssl = SSL_new(cli_tls);
	assert_non_null(ssl);
	assert_int_equal(SSL_set_fd(ssl, pr.fd), 1);
	SSL_set_connect_state(ssl);
	assert_int_equal(link_init(&pr.link, pr.fd, ssl), 0);
	s = session_new(&fh.h, sp[0], 42, "test-peer:1");
	assert_non_null(s);
	assert_int_equal(s->state, SS_TLS);
	return 0;
}

/* What every way out leaves behind, then the host frees the session. */
static int finish(void **state)
{
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.closes, 1);
	assert_true(fh.closed_dead);
	assert_int_equal(fh.releases, fh.leases);
	assert_int_equal(fh.bad_releases, 0);
	assert_int_equal(fh.leased, 0);
	assert_int_equal(s->addr, 0);
	assert_int_equal(fh.enters, fh.leaves);
	assert_false(s->in_dp);
	assert_int_equal(fh.after_close, 0);
	/* Whatever else is asked of a closed session, nothing happens. */
	session_disconnect(s, "again");
	session_drop(s, "again");
	session_revoke(s, "again");
	session_io(s, EPOLLIN);
	session_flush(s);
	session_tick(s, clock_ms + 3600000);
	session_send_ip(s, (const uint8_t *)"x", 1);
	assert_int_equal(fh.closes, 1);
	assert_int_equal(fh.after_close, 0);
	session_free(s);
	s = NULL;
	if (pr.ppp)
		ppp_free(pr.ppp);
	if (pr.eap)
		eap_tls_free(pr.eap);
	link_destroy(&pr.link);
	return 0;
}

/* Up: authenticated, bound, IPCP open, in the data plane. */
static void bring_up(void)
{
	int i;

	for (i = 0; i < ROUNDS && !(s->state == SS_CONNECTED && s->in_dp) &&
		    s->state != SS_DEAD; i++)
		rounds(1);
	assert_int_equal(s->state, SS_CONNECTED);
	assert_true(s->in_dp);
	assert_int_equal(fh.leases, 1);
	assert_int_equal(fh.enters, 1);
	assert_int_equal(fh.ups, 1);
	assert_int_equal(fh.authed, 1);
	assert_int_equal(fh.refused, 0);
	assert_int_equal(s->addr, POOL_FIRST);
	rounds(4);	/* IPCP settles on the client too */
	if (!fh.offload)
		assert_int_equal(pr.addr, POOL_FIRST);
}

static size_t ipv4(uint8_t *pkt, uint32_t src, uint32_t dst)
{
	memset(pkt, 0, 28);
	pkt[0] = 0x45;
	pkt[3] = 28;
	pkt[8] = 64;
	pkt[9] = 17;
	pkt[12] = (uint8_t)(src >> 24);
	pkt[13] = (uint8_t)(src >> 16);
	pkt[14] = (uint8_t)(src >> 8);
	pkt[15] = (uint8_t)src;
	pkt[16] = (uint8_t)(dst >> 24);
	pkt[17] = (uint8_t)(dst >> 16);
	pkt[18] = (uint8_t)(dst >> 8);
	pkt[19] = (uint8_t)dst;
	return 28;
}

static void p_send_ctrl(uint16_t type)
{
	uint8_t pkt[SSTP_LEN_STATUS_MSG];

	link_send_ctrl(&pr.link, pkt, type == SSTP_MSG_CALL_ABORT ||
		       type == SSTP_MSG_CALL_DISCONNECT ?
		       sstp_build_status_msg(pkt, type, 0, 0) :
		       sstp_build_simple(pkt, type));
	assert_int_equal(link_flush(&pr.link), 0);
}

/* The ways a session comes up and goes, state by state. */

static void test_up_data_and_disconnect(void **state)
{
	struct session_info si;
	uint8_t pkt[64];
	size_t n;

	bring_up();
	session_get_info(s, clock_ms, &si);
	assert_int_equal(si.addr, POOL_FIRST);
	assert_string_equal(si.state, "connected");
	assert_string_equal(si.path, "userspace");
	assert_int_equal(fh.infos, 0);
	assert_int_equal(fh.offers, 1);
	assert_int_equal(fh.offloads, 0);

	/* The client's packet from its address reaches the stack... */
	n = ipv4(pkt, POOL_FIRST, GW_ADDR);
	link_send_ppp(&pr.link, PPP_PROTO_IP, pkt, n);
	/* ... one from another address does not. */
	n = ipv4(pkt, POOL_FIRST + 1, GW_ADDR);
	link_send_ppp(&pr.link, PPP_PROTO_IP, pkt, n);
	assert_int_equal(link_flush(&pr.link), 0);
	rounds(2);
	assert_int_equal(fh.delivered, 1);
	assert_int_equal(fh.delivered_src, POOL_FIRST);
	assert_int_equal(s->drop_spoofed, 1);
	/* The stack's packet reaches the client. */
	n = ipv4(pkt, GW_ADDR, POOL_FIRST);
	session_send_ip(s, pkt, n);
	assert_true(fh.flush);
	rounds(2);
	assert_int_equal(pr.got_ip, 1);

	/* Polite end: CALL_DISCONNECT, the client acks, closed. */
	session_disconnect(s, "test");
	assert_int_equal(s->state, SS_DISCONNECT_PENDING);
	run_until(SS_DEAD);
	assert_int_equal(got(SSTP_MSG_CALL_DISCONNECT), 1);
	assert_int_equal(fh.leaves, 1);
	assert_int_equal(fh.releases, 1);
	assert_int_equal(fh.refused, 0);
}

/*
 * A client that did not ask (sstpc, Windows) gets one SSTP packet per TLS
 * record; ours, which sends X-SSTP-Records: packed, gets them packed.
 */
static void records_for(bool packed, unsigned int want)
{
	uint8_t pkt[64];
	size_t n;
	int i;

	pr.packed = packed;
	bring_up();
	assert_int_equal(s->link.pack, packed);
	pr.records = 0;
	for (i = 0; i < 10; i++) {
		n = ipv4(pkt, GW_ADDR, POOL_FIRST);
		session_send_ip(s, pkt, n);
	}
	rounds(2);
	assert_int_equal(pr.got_ip, 10);
	assert_int_equal(pr.records, want);
	session_disconnect(s, "test");
	run_until(SS_DEAD);
}

static void test_records_one_packet_each(void **state)
{
	records_for(false, 10);
}

static void test_records_packed(void **state)
{
	records_for(true, 1);
}

static void test_tls_timeout(void **state)
{
	pr.upto = UP_NOTHING;
	rounds(3);
	assert_int_equal(s->state, SS_TLS);
	advance(9000);
	assert_int_equal(s->state, SS_TLS);
	advance(1000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.timeouts, 1);
	assert_int_equal(fh.leases, 0);
}

static void test_tls_peer_reset(void **state)
{
	pr.upto = UP_NOTHING;
	rounds(1);
	close(pr.fd);
	pr.link.fd = -1;
	session_io(s, EPOLLIN | EPOLLRDHUP);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.timeouts, 0);
}

static void test_tls_not_tls(void **state)
{
	static const char junk[] = "\x16\x03\x01\x00\x05hello";

	pr.upto = UP_NOTHING;
	assert_int_equal(write(pr.fd, junk, sizeof(junk) - 1),
			 (ssize_t)sizeof(junk) - 1);
	h_turn();
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
}

static void test_http_timeout(void **state)
{
	pr.upto = UP_TLS;
	run_until(SS_HTTP);
	rounds(2);
	advance(10000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.timeouts, 1);
}

static void test_http_bad_request(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

	pr.upto = UP_TLS;
	run_until(SS_HTTP);
	link_send_raw(&pr.link, req, sizeof(req) - 1);
	assert_int_equal(link_flush(&pr.link), 0);
	rounds(3);
	/* Told why in HTTP, then closed once that is out. */
	assert_true(pr.http_status >= 400);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.notes, 1);
}

/* FLUSH_CLOSE waits for the answer to go out: hold the socket full. */
static void test_http_flush_close(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	char junk[4096], sink[65536];
	int i;

	pr.upto = UP_TLS;
	run_until(SS_HTTP);
	rounds(2);
	memset(junk, 0, sizeof(junk));
	while (write(pr.srv_fd, junk, sizeof(junk)) > 0)
		;
	while (write(pr.srv_fd, junk, 1) > 0)
		;
	link_send_raw(&pr.link, req, sizeof(req) - 1);
	assert_int_equal(link_flush(&pr.link), 0);
	pr.reading = false;
	rounds(3);
	assert_int_equal(s->state, SS_FLUSH_CLOSE);
	assert_int_equal(fh.closes, 0);
	/* The client reads: the answer goes out, then the close. */
	for (i = 0; i < 64 && read(pr.fd, sink, sizeof(sink)) > 0; i++)
		;
	h_turn();
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
}

static void test_connect_pending_timeout(void **state)
{
	pr.upto = UP_HTTP;
	run_until(SS_CONNECT_PENDING);
	rounds(2);
	assert_int_equal(pr.http_status, 200);
	/* NegotiationTimeout counts from accept. */
	advance(59000);
	assert_int_equal(s->state, SS_CONNECT_PENDING);
	advance(1000);
	assert_int_equal(s->state, SS_ABORT_PENDING);
	assert_int_equal(fh.timeouts, 1);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 1);
	assert_int_equal(pr.last_status, SSTP_STATUS_NEGOTIATION_TIMEOUT);
	/* The client never acks: the abort timer ends it. */
	advance(3000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
}

static void test_bad_sstp_frame(void **state)
{
	static const uint8_t bad[8] = { 0x20, 0x01, 0x00, 0x08 };

	pr.upto = UP_HTTP;
	run_until(SS_CONNECT_PENDING);
	rounds(2);
	link_send_raw(&pr.link, bad, sizeof(bad));
	assert_int_equal(link_flush(&pr.link), 0);
	h_turn();
	/* Framing lost: closed without a message (MS-SSTP 3.1.5.1). */
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 0);
}

static void test_malformed_control_abort_acked(void **state)
{
	/* ECHO_REQUEST claiming an attribute it does not carry. */
	static const uint8_t bad[8] = { 0x10, 0x01, 0x00, 0x08,
					0x00, 0x08, 0x00, 0x01 };

	pr.upto = UP_HTTP;
	pr.answer_abort = true;
	run_until(SS_CONNECT_PENDING);
	rounds(2);
	link_send_raw(&pr.link, bad, sizeof(bad));
	assert_int_equal(link_flush(&pr.link), 0);
	h_turn();
	assert_int_equal(s->state, SS_ABORT_PENDING);
	/* The client acks the abort with its own CALL_ABORT. */
	run_until(SS_DEAD);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 1);
	assert_int_equal(pr.last_status, SSTP_STATUS_INVALID_FRAME_RECEIVED);
}

static void test_data_before_connect(void **state)
{
	static const uint8_t d[8] = { 0x10, 0x00, 0x00, 8,
				      0xff, 0x03, 0x00, 0x21 };

	pr.upto = UP_HTTP;
	run_until(SS_CONNECT_PENDING);
	rounds(2);
	link_send_raw(&pr.link, d, sizeof(d));
	assert_int_equal(link_flush(&pr.link), 0);
	h_turn();
	assert_int_equal(s->state, SS_ABORT_PENDING);
	advance(3000);
	assert_int_equal(s->state, SS_DEAD);
}

static void test_connected_pending_timeout(void **state)
{
	pr.upto = UP_CONNECT;
	run_until(SS_CONNECTED_PENDING);
	rounds(2);
	assert_true(pr.acked);
	advance(60000);
	assert_int_equal(s->state, SS_ABORT_PENDING);
	assert_int_equal(fh.timeouts, 1);
	advance(3000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.leases, 0);
}

static void test_peer_abort(void **state)
{
	pr.upto = UP_CONNECT;
	run_until(SS_CONNECTED_PENDING);
	rounds(2);
	p_send_ctrl(SSTP_MSG_CALL_ABORT);
	h_turn();
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	rounds(2);
	/* Acked with CALL_ABORT on the way out. */
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 1);
}

static void test_peer_disconnect_when_up(void **state)
{
	bring_up();
	p_send_ctrl(SSTP_MSG_CALL_DISCONNECT);
	h_turn();
	assert_int_equal(s->state, SS_DEAD);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_DISCONNECT_ACK), 1);
	assert_int_equal(fh.refused, 0);
	assert_int_equal(fh.leaves, 1);
	assert_int_equal(fh.releases, 1);
}

static void test_peer_reset_when_up(void **state)
{
	bring_up();
	close(pr.fd);
	pr.link.fd = -1;
	h_turn();
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 0);
	assert_int_equal(fh.releases, 1);
}

/* Bound (SS_CONNECTED) but IPCP never opens: leased, never up. */
static void test_connected_ipcp_timeout(void **state)
{
	pr.no_ipcp = true;
	run_until(SS_CONNECTED);
	rounds(4);
	assert_true(s->bound);
	assert_false(s->in_dp);
	assert_int_equal(fh.leases, 1);
	assert_int_equal(fh.enters, 0);
	assert_int_equal(fh.ups, 0);
	advance(60000);
	assert_int_equal(s->state, SS_ABORT_PENDING);
	assert_int_equal(fh.timeouts, 1);
	advance(3000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.releases, 1);
}

static void test_bad_crypto_binding(void **state)
{
	pr.bad_binding = true;
	run_until(SS_ABORT_PENDING);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.leases, 1);
	assert_int_equal(fh.enters, 0);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 1);
	advance(3000);
	assert_int_equal(s->state, SS_DEAD);
}

static void test_auth_refused(void **state)
{
	int i;

	pr.eap_ctx = rogue_eap;
	pr.answer_disconnect = false;
	run_until(SS_CONNECTED_PENDING);
	for (i = 0; i < ROUNDS && !s->refused; i++)
		rounds(1);
	assert_true(s->refused);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.leases, 0);
	assert_int_equal(fh.authed, 0);
	/*
	 * The client is told (TLS alert, EAP-Failure, LCP Terminate), then
	 * the call ends a moment later.
	 */
	rounds(4);
	if (s->state == SS_CONNECTED_PENDING)
		advance(3000);
	rounds(2);
	assert_int_equal(s->state, SS_DISCONNECT_PENDING);
	assert_int_equal(got(SSTP_MSG_CALL_DISCONNECT), 1);
	/* It does not answer: the disconnect timer ends it. */
	advance(4000);
	assert_int_equal(s->state, SS_DISCONNECT_PENDING);
	advance(1000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
}

static void test_pool_exhausted(void **state)
{
	fh.pool_empty = true;
	run_until(SS_DISCONNECT_PENDING);
	assert_int_equal(fh.authed, 1);
	assert_int_equal(fh.refused, 1);
	assert_int_equal(fh.leases, 0);
	run_until(SS_DEAD);
}

/* Revoked while up: out of the data plane at once, then disconnected. */
static void test_revoke_when_up(void **state)
{
	uint8_t pkt[64];
	size_t n;

	bring_up();
	pr.answer_disconnect = false;
	session_revoke(s, "certificate revoked while connected");
	assert_false(s->in_dp);
	assert_int_equal(fh.leaves, 1);
	assert_int_equal(s->state, SS_DISCONNECT_PENDING);
	/* Its packets reach the stack no more. */
	n = ipv4(pkt, POOL_FIRST, GW_ADDR);
	link_send_ppp(&pr.link, PPP_PROTO_IP, pkt, n);
	assert_int_equal(link_flush(&pr.link), 0);
	rounds(2);
	assert_int_equal(fh.delivered, 0);
	assert_int_equal(got(SSTP_MSG_CALL_DISCONNECT), 1);
	/* No ack: the disconnect timer ends it. */
	advance(5000);
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.leaves, 1);
	assert_int_equal(fh.releases, 1);
}

static void test_echo_timeout(void **state)
{
	bring_up();
	pr.answer_echo = false;
	advance(60000);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_ECHO_REQUEST), 1);
	assert_int_equal(s->state, SS_CONNECTED);
	advance(60000);
	/* A dead link gets no CALL_ABORT (3.1.2.3). */
	assert_int_equal(s->state, SS_DEAD);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 0);
}

static void test_echo_answered(void **state)
{
	bring_up();
	advance(60000);
	rounds(3);
	assert_int_equal(got(SSTP_MSG_ECHO_REQUEST), 1);
	advance(60000);
	assert_int_equal(s->state, SS_CONNECTED);
	session_drop(s, "test");
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 0);
}

/* Dropped (evicted, replaced) while still half-open: counted refused. */
static void test_drop_half_open(void **state)
{
	pr.upto = UP_CONNECT;
	run_until(SS_CONNECTED_PENDING);
	session_drop(s, "evicted");
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.refused, 1);
	rounds(2);
	assert_int_equal(got(SSTP_MSG_CALL_ABORT), 1);
}

/* A data path that takes the socket: frames go through the host. */
static void test_offload(void **state)
{
	uint8_t pkt[SSTP_LEN_SIMPLE];
	struct session_info si;
	bool control;
	size_t plen;

	fh.offload = true;
	bring_up();
	assert_int_equal(fh.offers, 1);
	assert_int_equal(fh.offloads, 1);
	assert_true(s->offloaded);
	assert_int_equal(s->link.fd, -1);
	session_get_info(s, clock_ms, &si);
	assert_int_equal(fh.infos, 1);
	assert_string_equal(si.path, "fake");
	/* Input comes from the path; the answer leaves through it. */
	session_dp_input(s, pkt, sstp_build_simple(pkt,
				SSTP_MSG_ECHO_REQUEST));
	assert_true(fh.flush);
	fh.flush = false;
	session_flush(s);
	assert_int_equal(fh.xmit_bytes, SSTP_LEN_SIMPLE);
	assert_int_equal(sstp_frame_peek(fh.xmit_buf, fh.xmit_bytes, &control,
					 &plen), 1);
	assert_true(control);
	/* A partial packet from the path is not taken. */
	session_dp_input(s, pkt, 3);
	assert_int_equal(s->state, SS_CONNECTED);
	session_dp_lost(s, "kernel: test");
	assert_int_equal(s->state, SS_DEAD);
	assert_int_equal(fh.leaves, 1);
	assert_int_equal(fh.releases, 1);
	assert_int_equal(fh.refused, 0);
}

/* Revoked on a path that holds the socket: the goodbye goes first. */
static void test_offload_revoke(void **state)
{
	unsigned int x;

	fh.offload = true;
	bring_up();
	assert_true(s->offloaded);
	x = fh.xmits;
	fh.xmit_bytes = 0;
	session_revoke(s, "its root is no longer trusted");
	assert_int_equal(s->state, SS_DEAD);
	assert_true(fh.xmits > x);
	assert_int_equal(fh.xmit_bytes, SSTP_LEN_STATUS_MSG);
	assert_int_equal(fh.leaves, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, start, finish)
		T(test_up_data_and_disconnect),
		T(test_records_one_packet_each),
		T(test_records_packed),
		T(test_tls_timeout),
		T(test_tls_peer_reset),
		T(test_tls_not_tls),
		T(test_http_timeout),
		T(test_http_bad_request),
		T(test_http_flush_close),
		T(test_connect_pending_timeout),
		T(test_bad_sstp_frame),
		T(test_malformed_control_abort_acked),
		T(test_data_before_connect),
		T(test_connected_pending_timeout),
		T(test_peer_abort),
		T(test_peer_disconnect_when_up),
		T(test_peer_reset_when_up),
		T(test_connected_ipcp_timeout),
		T(test_bad_crypto_binding),
		T(test_auth_refused),
		T(test_pool_exhausted),
		T(test_revoke_when_up),
		T(test_echo_timeout),
		T(test_echo_answered),
		T(test_drop_half_open),
		T(test_offload),
		T(test_offload_revoke),
#undef T
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
