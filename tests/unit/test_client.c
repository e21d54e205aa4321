// SPDX-License-Identifier: GPL-2.0
/*
 * The SSTP client behind `sstpctl connect` (ctl/sstpctl/client.c) against
 * a real gateway in-process: gateway_core_init, a SOCK_SEQPACKET socket
 * pair as its TUN, loopback TCP accepted here and adopted. The client runs
 * on the gateway's own loop, so one gateway_step moves both ends; the clock
 * is the test clock, moved 10 ms a round, so timers fire without waiting.
 *
 * Covered: the client comes up (address from the pool, the gateway's
 * session connected with the client's subject and thumbprint) and hangs up
 * politely; IP packets both ways through the TUN; an untrusted client
 * certificate is refused (the client says why, never up); the gateway ends
 * the session (gateway_end_sessions, a revocation) and the client sees it;
 * client_destroy at each stage of the handshake leaves nothing behind
 * (ASan's leak check in `make asan`); the deadline to come up, while TCP
 * connects and while TLS goes unanswered; echo keepalive, and a gateway
 * that stops answering.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "net/tls.h"
#include "sstpctl/client.h"
#include "sstpd/gateway.h"
#include "sstpd/session.h"
#include "sstpd/trust.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "trust/thumbprint.h"
#include "util/log.h"
#include "util/loop.h"

#define T0		1000000ULL	/* the test clock at the start */
#define STEP_MS		10		/* the clock moves this much a round */
#define POOL_NET	0x0a610000u	/* 10.97.0.0/24 */
#define GW_ADDR		0x0a610001u
#define IDENTITY	"client1@unit.test"
#define ROUNDS		3000		/* 30 s of test clock */

static char dir[64];
static struct gateway gw;
static int listen_fd = -1, tun_fd = -1;
static char port[8];
static uint64_t clock_ms;
static SSL_CTX *outer_ctx, *eap_good, *eap_untrusted;
static char client_thumb[41];

/* One client under test and what its ops saw. */
struct tc {
	struct client c;
	struct client_opts o;
	bool live;			/* started, not destroyed */
	unsigned int nup, ndown, nip;
	char why[300];
	uint8_t ip[2048];
	size_t ip_len;
};

static struct tc *tc_of(struct client *c)
{
	return c->owner;
}

static void on_up(struct client *c)
{
	tc_of(c)->nup++;
}

static void on_down(struct client *c, const char *why)
{
	struct tc *t = tc_of(c);

	t->ndown++;
	snprintf(t->why, sizeof(t->why), "%s", why);
}

static void on_ip(struct client *c, const uint8_t *pkt, size_t len)
{
	struct tc *t = tc_of(c);

	t->nip++;
	t->ip_len = len < sizeof(t->ip) ? len : sizeof(t->ip);
	memcpy(t->ip, pkt, t->ip_len);
}

static const struct client_ops ops = {
	.up = on_up, .down = on_down, .ip = on_ip,
};

static void write_pem(const char *name, X509 *cert, EVP_PKEY *key)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	assert_int_equal(pki_write_cert(path, cert, NULL), 0);
	if (!key)
		return;
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	assert_int_equal(pki_write_key(path, key), 0);
}

/*
 * roots/root.crt (trusted by the gateway), server.crt for 127.0.0.1,
 * client.crt under the root, and evil.crt under a root the gateway does
 * not know (other.crt, outside roots/).
 */
static void make_pki(void)
{
	struct pki_cert_spec root = { .kind = PKI_ROOT, .cn = "Client Test Root",
				      .not_before = -3600, .not_after = 86400 };
	struct pki_cert_spec other = { .kind = PKI_ROOT, .cn = "Unknown Root",
				       .not_before = -3600, .not_after = 86400 };
	struct pki_cert_spec srv = { .kind = PKI_SERVER, .cn = "127.0.0.1",
				     .san_ip = "127.0.0.1",
				     .not_before = -3600, .not_after = 86400 };
	struct pki_cert_spec cli = { .kind = PKI_CLIENT, .cn = IDENTITY,
				     .not_before = -3600, .not_after = 86400 };
	X509 *rc, *oc, *sc, *cc, *ec;
	EVP_PKEY *rk, *ok, *sk, *ck, *ek;
	char path[128];

	snprintf(dir, sizeof(dir), "/tmp/test_client.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roots", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(pki_issue(&root, NULL, NULL, &rc, &rk), 0);
	assert_int_equal(pki_issue(&other, NULL, NULL, &oc, &ok), 0);
	assert_int_equal(pki_issue(&srv, rc, rk, &sc, &sk), 0);
	assert_int_equal(pki_issue(&cli, rc, rk, &cc, &ck), 0);
	assert_int_equal(pki_issue(&cli, oc, ok, &ec, &ek), 0);
	write_pem("roots/root", rc, NULL);
	write_pem("other", oc, NULL);
	write_pem("server", sc, sk);
	write_pem("client", cc, ck);
	write_pem("evil", ec, ek);
	pki_thumbprint_sha1(cc, client_thumb);
	X509_free(rc);
	X509_free(oc);
	X509_free(sc);
	X509_free(cc);
	X509_free(ec);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ok);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ek);
}

/* What `sstpctl connect --ca roots/root.crt --cert NAME.crt` builds. */
static void client_ctxs(const char *name, SSL_CTX **outer, SSL_CTX **eap)
{
	struct tls_client_opts to = { 0 };
	char ca[128], crt[128], key[128], err[512];

	snprintf(ca, sizeof(ca), "%s/roots/root.crt", dir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", dir, name);
	to.ca_file = ca;
	to.cert_file = crt;
	to.key_file = key;
	if (outer)
		assert_int_equal(tls_client_ctx(&to, outer, err, sizeof(err)),
				 0);
	assert_int_equal(tls_eap_client_ctx(&to, eap, err, sizeof(err)), 0);
}

static int setup(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	struct sstp_config cfg;
	int sp[2];

	signal(SIGPIPE, SIG_IGN);
	sstp_log_init("test_client", true, getenv("TEST_LOG") ?
		      (enum sstp_log_level)atoi(getenv("TEST_LOG")) : 0);
	make_pki();
	config_defaults(&cfg);
	snprintf(cfg.certificate, sizeof(cfg.certificate), "%s/server.crt",
		 dir);
	snprintf(cfg.private_key, sizeof(cfg.private_key), "%s/server.key",
		 dir);
	snprintf(cfg.root_dir, sizeof(cfg.root_dir), "%s/roots", dir);
	snprintf(cfg.revoked_file, sizeof(cfg.revoked_file), "%s/revoked",
		 dir);
	cfg.kernel_tls = false;
	cfg.kernel_path = false;
	cfg.pool.addr = POOL_NET;
	cfg.pool.plen = 24;
	cfg.address = GW_ADDR;
	clock_ms = T0;
	loop_test_clock(clock_ms);
	if (gateway_core_init(&gw, &cfg))
		return -1;
	gw.w[0]->next_tick_ms = clock_ms + 250;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sp) || gateway_use_tun(&gw, sp[0]))
		return -1;
	tun_fd = sp[1];

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0 ||
	    bind(listen_fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(listen_fd, 16) ||
	    getsockname(listen_fd, (struct sockaddr *)&sin, &sl))
		return -1;
	snprintf(port, sizeof(port), "%u", ntohs(sin.sin_port));

	client_ctxs("client", &outer_ctx, &eap_good);
	client_ctxs("evil", NULL, &eap_untrusted);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	gateway_destroy(&gw);
	loop_test_clock(0);
	if (listen_fd >= 0)
		close(listen_fd);
	if (tun_fd >= 0)
		close(tun_fd);
	SSL_CTX_free(outer_ctx);
	SSL_CTX_free(eap_good);
	SSL_CTX_free(eap_untrusted);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* Start t's client towards the gateway; the gateway adopts the socket. */
static void start(struct tc *t, SSL_CTX *eap)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
	int afd;

	memset(t, 0, sizeof(*t));
	t->o.host = "127.0.0.1";
	t->o.port = port;
	t->o.tls = outer_ctx;
	t->o.eap = eap;
	t->o.identity = IDENTITY;
	t->o.mtu = 1400;
	t->o.timeout = 30;
	t->o.want_dns = true;
	assert_int_equal(client_start(&t->c, &gw.loop, &t->o, &ops, t), 0);
	t->live = true;
	assert_int_equal(t->c.state, CS_CONNECTING);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	afd = accept4(listen_fd, (struct sockaddr *)&ss, &sl,
		      SOCK_NONBLOCK | SOCK_CLOEXEC);
	assert_true(afd >= 0);
	assert_non_null(gateway_adopt(&gw, afd, &ss));
}

static void destroy(struct tc *t)
{
	if (!t->live)
		return;
	client_destroy(&t->c);
	t->live = false;
}

/* One round: the gateway's loop (both ends), then the client's timers. */
static void round_(struct tc *t)
{
	assert_int_equal(gateway_step(&gw, 0), 0);
	clock_ms += STEP_MS;
	loop_test_clock(clock_ms);
	if (t && t->live) {
		client_more(&t->c);
		client_tick(&t->c, clock_ms);
	}
}

static bool until_up_or_down(struct tc *t)
{
	int i;

	for (i = 0; i < ROUNDS && !t->nup && !t->ndown; i++)
		round_(t);
	return t->nup || t->ndown;
}

static bool until_down(struct tc *t)
{
	int i;

	for (i = 0; i < ROUNDS && !t->ndown; i++)
		round_(t);
	return t->ndown;
}

/* Rounds until the gateway has no session left; the pool is empty then. */
static void until_gateway_empty(struct tc *t)
{
	int i;

	for (i = 0; i < ROUNDS && (gw.nsessions || gw.nhandshakes); i++)
		round_(t);
	assert_int_equal(gw.nsessions, 0);
	assert_int_equal(gw.nhandshakes, 0);
	assert_int_equal(gw.pool.used, 0);
}

/* A client that is up, with the checks of test_up. */
static void bring_up(struct tc *t)
{
	start(t, eap_good);
	assert_true(until_up_or_down(t));
	if (t->ndown)
		fail_msg("the client went down: %s", t->why);
	assert_int_equal(t->nup, 1);
	assert_int_equal(t->c.state, CS_UP);
	assert_string_equal(client_state_name(&t->c), "up");
}

static void ipv4(uint8_t *pkt, size_t n, uint32_t src, uint32_t dst,
		 uint8_t fill)
{
	memset(pkt, fill, n);
	pkt[0] = 0x45;
	pkt[1] = 0;
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
	pkt[8] = 64;
	pkt[9] = 17;	/* UDP */
	pkt[10] = pkt[11] = 0;
	pkt[12] = (uint8_t)(src >> 24);
	pkt[13] = (uint8_t)(src >> 16);
	pkt[14] = (uint8_t)(src >> 8);
	pkt[15] = (uint8_t)src;
	pkt[16] = (uint8_t)(dst >> 24);
	pkt[17] = (uint8_t)(dst >> 16);
	pkt[18] = (uint8_t)(dst >> 8);
	pkt[19] = (uint8_t)dst;
}

/*
 * (1) Up: an address from the pool, the gateway's address, the gateway's
 * session connected with our subject; then we hang up and the gateway lets
 * the session and the address go.
 */
static void test_up(void **state)
{
	uint64_t established = gw.ctr.established;
	struct session_info info;
	struct session *s;
	struct tc t;
	uint8_t pkt[64];

	/* Nothing can be sent before the session is up. */
	start(&t, eap_good);
	ipv4(pkt, sizeof(pkt), 0, GW_ADDR, 1);
	assert_int_equal(client_send_ip(&t.c, pkt, sizeof(pkt)), -ENOTCONN);
	assert_true(until_up_or_down(&t));
	if (t.ndown)
		fail_msg("the client went down: %s", t.why);
	assert_int_equal(t.nup, 1);
	assert_int_equal(t.c.state, CS_UP);
	assert_true(t.c.up_ms >= T0);

	assert_int_equal(t.c.local & 0xffffff00u, POOL_NET);
	assert_int_not_equal(t.c.local, GW_ADDR);
	assert_int_not_equal(t.c.local & 0xff, 0);
	assert_int_not_equal(t.c.local & 0xff, 0xff);
	assert_int_equal(t.c.gateway, GW_ADDR);
	assert_int_equal(gw.pool.used, 1);
	assert_int_equal(gw.ctr.established - established, 1);

	s = gateway_find_addr(&gw, t.c.local);
	assert_non_null(s);
	assert_int_equal(s->state, SS_CONNECTED);
	session_get_info(s, now_ms(), &info);
	assert_string_equal(info.state, "connected");
	assert_int_equal(info.addr, t.c.local);
	assert_non_null(strstr(info.subject, IDENTITY));
	assert_int_equal(strcasecmp(info.thumb, client_thumb), 0);

	/* We hang up: CALL_DISCONNECT, the gateway acknowledges. */
	client_disconnect(&t.c, "test over");
	assert_int_equal(t.c.state, CS_DISCONNECTING);
	assert_true(until_down(&t));
	assert_int_equal(t.ndown, 1);
	assert_int_equal(t.nup, 1);
	assert_int_equal(t.c.state, CS_DONE);
	assert_string_equal(t.why, "test over");
	destroy(&t);
	until_gateway_empty(NULL);
}

/* (2) IP packets both ways through the TUN socket pair. */
static void test_ip_both_ways(void **state)
{
	uint8_t pkt[300], got[2048];
	struct tc t;
	ssize_t n = -1;
	int i;

	bring_up(&t);

	/* TUN -> client. */
	ipv4(pkt, sizeof(pkt), GW_ADDR, t.c.local, 0xa5);
	assert_int_equal(write(tun_fd, pkt, sizeof(pkt)), sizeof(pkt));
	for (i = 0; i < ROUNDS && !t.nip; i++)
		round_(&t);
	assert_int_equal(t.nip, 1);
	assert_int_equal(t.ip_len, sizeof(pkt));
	assert_memory_equal(t.ip, pkt, sizeof(pkt));

	/*
	 * Client -> TUN: one with a source not ours (the gateway drops it),
	 * then ours, which is the one that comes out.
	 */
	ipv4(pkt, sizeof(pkt), POOL_NET | 200, GW_ADDR, 0x11);
	if (t.c.local == (POOL_NET | 200))
		pkt[15] = 201;
	assert_int_equal(client_send_ip(&t.c, pkt, sizeof(pkt)), 0);
	ipv4(pkt, sizeof(pkt), t.c.local, GW_ADDR, 0x5a);
	assert_int_equal(client_send_ip(&t.c, pkt, sizeof(pkt)), 0);
	client_flush(&t.c);
	for (i = 0; i < ROUNDS; i++) {
		round_(&t);
		n = read(tun_fd, got, sizeof(got));
		if (n >= 0)
			break;
		assert_int_equal(errno, EAGAIN);
	}
	assert_int_equal(n, sizeof(pkt));
	assert_memory_equal(got, pkt, sizeof(pkt));
	for (i = 0; i < 10; i++)
		round_(&t);
	assert_int_equal(read(tun_fd, got, sizeof(got)), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(t.c.state, CS_UP);

	client_disconnect(&t.c, "test over");
	assert_true(until_down(&t));
	destroy(&t);
	until_gateway_empty(NULL);
}

/* (3) A client certificate under a root the gateway does not trust. */
static void test_untrusted_refused(void **state)
{
	uint64_t refused = gw.ctr.refused;
	struct tc t;

	start(&t, eap_untrusted);
	assert_true(until_down(&t));
	assert_int_equal(t.nup, 0);
	assert_int_equal(t.ndown, 1);
	assert_int_equal(t.c.state, CS_DONE);
	assert_true(t.c.auth_failed);
	assert_false(t.c.authed);
	assert_int_equal(t.c.local, 0);
	if (!strstr(t.why, "authentication failed"))
		fail_msg("unexpected reason: %s", t.why);
	/* The gateway's own reason reached us (LCP Terminate-Request). */
	if (!strstr(t.why, "gateway: "))
		fail_msg("the gateway's reason is missing: %s", t.why);
	destroy(&t);
	until_gateway_empty(NULL);
	assert_int_equal(gw.ctr.refused - refused, 1);
}

/* (4a) The gateway ends every session: the client sees the disconnect. */
static void test_gateway_ends(void **state)
{
	struct tc t;

	bring_up(&t);
	gateway_end_sessions(&gw);
	assert_int_equal(gw.nsessions, 0);
	assert_true(until_down(&t));
	assert_int_equal(t.ndown, 1);
	assert_int_equal(t.c.state, CS_DONE);
	assert_string_equal(t.why, "gateway disconnected");
	/* Nothing more reaches it; the down callback was the only one. */
	round_(&t);
	assert_int_equal(t.ndown, 1);
	destroy(&t);
	until_gateway_empty(NULL);
}

/*
 * (4b) Its certificate revoked: the session leaves the data plane and is
 * disconnected; a new connection with it is refused until unrevoked.
 */
static void test_revoked(void **state)
{
	char err[256];
	int ended = 0;
	struct tc t;

	bring_up(&t);
	assert_int_equal(trust_revoke(&gw, client_thumb, &ended, err,
				      sizeof(err)), 0);
	assert_int_equal(ended, 1);
	assert_null(gateway_find_addr(&gw, t.c.local));
	assert_true(until_down(&t));
	assert_int_equal(t.ndown, 1);
	assert_string_equal(t.why, "gateway disconnected");
	destroy(&t);
	until_gateway_empty(NULL);

	start(&t, eap_good);
	assert_true(until_up_or_down(&t));
	assert_int_equal(t.nup, 0);
	assert_int_equal(t.ndown, 1);
	if (!strstr(t.why, "authentication failed"))
		fail_msg("unexpected reason: %s", t.why);
	destroy(&t);
	until_gateway_empty(NULL);

	assert_int_equal(trust_unrevoke(&gw, client_thumb, err, sizeof(err)),
			 0);
	bring_up(&t);
	client_disconnect(&t.c, "test over");
	assert_true(until_down(&t));
	destroy(&t);
	until_gateway_empty(NULL);
}

/*
 * (5) client_destroy at each stage before up: no down callback, nothing
 * leaked (ASan), the gateway sees the connection go and frees its session.
 */
static bool in_stage(const struct tc *t, int stage)
{
	switch (stage) {
	case 0:
		return true;				/* just started */
	case 1:
		return t->c.state >= CS_TLS;		/* TLS handshake */
	case 2:
		return t->c.state >= CS_ACK_WAIT;	/* request sent */
	case 3:
		return t->c.ppp != NULL;		/* PPP running */
	case 4:
		return t->c.eap != NULL;		/* inside EAP-TLS */
	default:
		return t->c.authed;			/* bound, IPCP to go */
	}
}

static void test_destroy_mid_handshake(void **state)
{
	int stage, i;

	for (stage = 0; stage <= 5; stage++) {
		struct tc t;

		start(&t, eap_good);
		for (i = 0; i < ROUNDS && !in_stage(&t, stage) && !t.ndown; i++)
			round_(&t);
		assert_true(in_stage(&t, stage));
		assert_int_equal(t.ndown, 0);
		if (stage < 5)
			assert_int_equal(t.nup, 0);
		destroy(&t);
		assert_int_equal(t.ndown, 0);
		until_gateway_empty(NULL);
	}
}

/*
 * No answer before the deadline (client_opts.timeout): the client gives up
 * with its reason and nothing else happens. Two stages: TCP never
 * connects (the listener's accept queue is full, its SYNs go unanswered),
 * and TLS never answered (the connection is accepted, nobody speaks).
 */
static void expire(struct tc *t)
{
	int i;

	/* The clock alone moves: nothing answers. */
	for (i = 0; i < 40 && !t->ndown; i++) {
		clock_ms += 1000;
		loop_test_clock(clock_ms);
		client_more(&t->c);
		client_tick(&t->c, clock_ms);
	}
}

static void start_to(struct tc *t, const char *to_port)
{
	memset(t, 0, sizeof(*t));
	t->o.host = "127.0.0.1";
	t->o.port = to_port;
	t->o.tls = outer_ctx;
	t->o.eap = eap_good;
	t->o.identity = IDENTITY;
	t->o.mtu = 1400;
	t->o.timeout = 30;
	assert_int_equal(client_start(&t->c, &gw.loop, &t->o, &ops, t), 0);
	t->live = true;
}

static void test_timeout_connecting(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int lfd, filler[8], nf = 0, i;
	char p[8];
	struct tc t;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 0), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	snprintf(p, sizeof(p), "%u", ntohs(sin.sin_port));
	/* Fill the accept queue until a connection stays pending. */
	for (;;) {
		struct pollfd pfd = { .events = POLLOUT };

		assert_true(nf < 8);
		pfd.fd = filler[nf] = socket(AF_INET, SOCK_STREAM |
					     SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		assert_true(pfd.fd >= 0);
		if (connect(pfd.fd, (struct sockaddr *)&sin, sizeof(sin)))
			assert_int_equal(errno, EINPROGRESS);
		nf++;
		if (poll(&pfd, 1, 500) == 0)
			break;
	}

	start_to(&t, p);
	for (i = 0; i < 20; i++)
		round_(&t);
	assert_int_equal(t.c.state, CS_CONNECTING);
	expire(&t);
	assert_int_equal(t.ndown, 1);
	assert_int_equal(t.nup, 0);
	assert_int_equal(t.c.state, CS_DONE);
	assert_string_equal(t.why, "timed out before the session came up");
	destroy(&t);
	for (i = 0; i < nf; i++)
		close(filler[i]);
	close(lfd);
}

static void test_timeout_tls(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
	struct tc t;
	int afd, i;

	start_to(&t, port);
	assert_int_equal(poll(&pfd, 1, 5000), 1);
	afd = accept4(listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	assert_true(afd >= 0);	/* accepted, never adopted: silence */
	for (i = 0; i < 20; i++)
		round_(&t);
	assert_int_equal(t.c.state, CS_TLS);
	expire(&t);
	assert_int_equal(t.ndown, 1);
	assert_int_equal(t.nup, 0);
	assert_string_equal(t.why, "timed out before the session came up");
	destroy(&t);
	close(afd);
}

/*
 * Keepalive: an idle session stays up for minutes (echo requests one way
 * or the other are answered); a gateway that stops answering is noticed
 * after two hello intervals.
 */
static void test_echo(void **state)
{
	struct tc t;
	int i;

	bring_up(&t);
	t.o.hello_interval = 10;
	for (i = 0; i < 18000 && !t.ndown; i++)		/* 3 minutes */
		round_(&t);
	assert_int_equal(t.ndown, 0);
	assert_int_equal(t.c.state, CS_UP);
	assert_non_null(gateway_find_addr(&gw, t.c.local));

	/* The gateway stops running: only the client's timers move. */
	for (i = 0; i < 3000 && !t.ndown; i++) {
		clock_ms += STEP_MS;
		loop_test_clock(clock_ms);
		client_tick(&t.c, clock_ms);
	}
	assert_int_equal(t.ndown, 1);
	assert_string_equal(t.why, "gateway stopped answering echo requests");
	destroy(&t);
	until_gateway_empty(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_up),
		cmocka_unit_test(test_ip_both_ways),
		cmocka_unit_test(test_untrusted_refused),
		cmocka_unit_test(test_gateway_ends),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_destroy_mid_handshake),
		cmocka_unit_test(test_timeout_connecting),
		cmocka_unit_test(test_timeout_tls),
		cmocka_unit_test(test_echo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
