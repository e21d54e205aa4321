// SPDX-License-Identifier: GPL-2.0
/*
 * Session lifecycle fuzzer: one real gateway (gateway_core_init, no TUN
 * device, listener or signals) and up to eight real peers in-process, each
 * an OpenSSL client on its own loopback TCP connection, whose actions the
 * input interleaves. The gateway's TUN is a SOCK_SEQPACKET socket pair (one
 * packet per read and write, as on a TUN device); its clock is the test
 * clock, moved only by the input, so timers fire where the input says.
 *
 * Input: pairs of bytes [a][b]. a >> 5 picks the peer (0..7), a & 31 the
 * action, b is the action's argument:
 *   0 connect (b & 1: TLS 1.3 else 1.2; b & 2: the handshake moves only
 *     with action 1, else a step every round)   1 TLS handshake step
 *   2 HTTP request (b < 192 valid, else b % 4: bad method, bad URI,
 *     garbage, a header that never ends)
 *   3 CALL_CONNECT_REQUEST (b < 192 valid, else b & 1: bad protocol id,
 *     bad length)
 *   4 CALL_CONNECTED (b & 1: correct binding; b & 2: SHA-1 instead of -256)
 *   5 ECHO_REQUEST   6 ECHO_RESPONSE   7 CALL_ABORT   8 CALL_DISCONNECT
 *   9 CALL_DISCONNECT_ACK
 *  10 LCP Configure-Request flood: (b % 64 + 1) KiB, as far as the socket
 *     takes (each is answered: bigger floods are action 28's job)
 *  11 IPCP Configure-Request (b: the address asked for)
 *  12 PPP frame of an unknown or malformed kind   13 junk bytes
 *  14 IPv4 packet to the gateway (b & 1: from our address, else spoofed)
 *  15 nothing but a round
 *  16 b % 3: read and answer (the default), stop reading, read and ignore
 *  17 close (FIN, or RST when replies are unread)   18 close with RST
 *  19 stall: b % 8 gateway rounds with no peer activity
 *  20 advance the clock (b < 128: b * 50 ms; else (b - 128) s)
 *  21 a packet from the TUN to this peer's address
 *  22 EAP junk   23 half an SSTP packet   24 shutdown(SHUT_WR)
 *  25 revoke the client certificate (and trust it again)
 *  26 dump the state (sstpctl show)   27 data packet before anything
 *  28 a mixed flood: 4 + (b >> 4) times (1 + (b & 15)) * 32 KiB of IPv6
 *     frames (dropped silently before the session is up) then 4 KiB of LCP
 *     Configure-Requests (each answered), as far as the socket takes
 *  29 start PPP (LCP, then EAP-TLS and IPCP as the gateway asks), once
 *     CALL_CONNECT_ACK has come
 *  30, 31 a round
 * Each action is followed by a round: the gateway runs once (gateway_step),
 * then every reading peer reads and answers as a real client does (its
 * PPP once started, EAP-TLS with a real client certificate, ECHO and
 * DISCONNECT answered), and flushes.
 *
 * Checked: no memory error (ASan), the gateway's counters come back to zero
 * once every peer is gone and the sessions are ended, packets written to
 * the TUN come from pool addresses.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "config/config.h"
#include "net/link.h"
#include "net/tls.h"
#include "proto/eap_tls.h"
#include "proto/http.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "sstpd/ctl_server.h"
#include "sstpd/gateway.h"
#include "sstpd/session.h"
#include "sstpd/trust.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "util/log.h"
#include "util/loop.h"

#define NPEERS		8
#define T0		1000000ULL	/* the test clock at each input's start */
#define POOL_NET	0x0a630000u	/* 10.99.0.0/24 */
#define GW_ADDR		0x0a630001u
#define SOCKBUF		(4 << 20)
#define IDENTITY	"client1@fuzz.test"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct peer {
	bool used, gone, reading, ignoring, http_ok, acked, authed, closed;
	bool manual_hs, ppp_started;
	int fd;
	struct sstp_link link;
	uint8_t nonce[SSTP_NONCE_LEN], bitmask;
	uint8_t hlak[SSTP_HLAK_LEN];
	struct ppp *ppp;
	struct eap_tls *eap;
	uint32_t addr;
	uint8_t lcp_id;
};

static struct gateway gw;
static struct peer peers[NPEERS];
static SSL_CTX *ctx12, *ctx13, *eap_ctx;
static int listen_fd = -1, tun_fd = -1;
static struct sockaddr_in listen_addr;
static char client_thumb[41];
static FILE *devnull;
static uint64_t clock_ms;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_lifecycle: %s\n", what);
	abort();
}

static int write_pem(const char *dir, const char *name, X509 *cert,
		     EVP_PKEY *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s.crt", dir, name);
	if (pki_write_cert(path, cert, NULL))
		return -1;
	if (!key)
		return 0;
	snprintf(path, sizeof(path), "%s/%s.key", dir, name);
	return pki_write_key(path, key);
}

/* A root, a server and a client certificate in a fresh directory. */
static void make_pki(char *dir, size_t len)
{
	struct pki_cert_spec root = { .kind = PKI_ROOT, .cn = "Fuzz Root",
				      .not_before = -3600,
				      .not_after = 86400L * 365 };
	struct pki_cert_spec srv = { .kind = PKI_SERVER, .cn = "127.0.0.1",
				     .san_ip = "127.0.0.1",
				     .not_before = -3600,
				     .not_after = 86400L * 365 };
	struct pki_cert_spec cli = { .kind = PKI_CLIENT, .cn = IDENTITY,
				     .not_before = -3600,
				     .not_after = 86400L * 365 };
	X509 *rc, *sc, *cc;
	EVP_PKEY *rk, *sk, *ck;
	char roots[512];

	snprintf(dir, len, "/tmp/fuzz_lifecycle.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(roots, sizeof(roots), "%s/roots", dir);
	if (mkdir(roots, 0700))
		die("mkdir");
	if (pki_issue(&root, NULL, NULL, &rc, &rk) ||
	    pki_issue(&srv, rc, rk, &sc, &sk) ||
	    pki_issue(&cli, rc, rk, &cc, &ck))
		die("pki_issue");
	if (write_pem(roots, "root", rc, NULL) ||
	    write_pem(dir, "server", sc, sk) ||
	    write_pem(dir, "client", cc, ck))
		die("writing the PKI");
	pki_thumbprint_sha1(cc, client_thumb);
	X509_free(rc);
	X509_free(sc);
	X509_free(cc);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
}

static SSL_CTX *outer_ctx(int version)
{
	SSL_CTX *c = SSL_CTX_new(TLS_client_method());

	if (!c)
		die("SSL_CTX_new");
	SSL_CTX_set_min_proto_version(c, version);
	SSL_CTX_set_max_proto_version(c, version);
	SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE |
			    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	return c;
}

static void setbuf_force(int fd, int opt_force, int opt, int size)
{
	if (setsockopt(fd, SOL_SOCKET, opt_force, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

static char revoked_file[64];

static void remove_revoked(void)
{
	unlink(revoked_file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct tls_client_opts eo = { 0 };
	struct sstp_config cfg;
	char dir[256], ca[300], ccrt[300], ckey[300], err[512];
	const char *lvl = getenv("FUZZ_LOG");
	socklen_t sl = sizeof(listen_addr);
	int sp[2], one = 1;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	sstp_log_init("fuzz_lifecycle", true,
		      lvl ? (enum sstp_log_level)atoi(lvl) : 0);
	make_pki(dir, sizeof(dir));

	config_defaults(&cfg);
	snprintf(cfg.certificate, sizeof(cfg.certificate), "%s/server.crt", dir);
	snprintf(cfg.private_key, sizeof(cfg.private_key), "%s/server.key", dir);
	snprintf(cfg.root_dir, sizeof(cfg.root_dir), "%s/roots", dir);
	/* Revocations are written through (fsync): keep them off the disk. */
	snprintf(revoked_file, sizeof(revoked_file),
		 "/dev/shm/fuzz_lifecycle.%d.revoked", (int)getpid());
	snprintf(cfg.revoked_file, sizeof(cfg.revoked_file), "%s",
		 revoked_file);
	atexit(remove_revoked);
	cfg.kernel_tls = false;
	cfg.kernel_path = false;
	cfg.max_sessions = 6;		/* fewer than the peers: limits too */
	cfg.max_handshakes = 4;
	cfg.pool.addr = POOL_NET;
	cfg.pool.plen = 24;
	cfg.address = GW_ADDR;
	loop_test_clock(T0);
	if (gateway_core_init(&gw, &cfg))
		die("gateway_core_init");
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sp) || gateway_use_tun(&gw, sp[0]))
		die("TUN socket pair");
	tun_fd = sp[1];

	ctx12 = outer_ctx(TLS1_2_VERSION);
	ctx13 = outer_ctx(TLS1_3_VERSION);
	snprintf(ca, sizeof(ca), "%s/roots/root.crt", dir);
	snprintf(ccrt, sizeof(ccrt), "%s/client.crt", dir);
	snprintf(ckey, sizeof(ckey), "%s/client.key", dir);
	eo.ca_file = ca;
	eo.cert_file = ccrt;
	eo.key_file = ckey;
	if (tls_eap_client_ctx(&eo, &eap_ctx, err, sizeof(err)))
		die(err);

	/*
	 * Big buffers from the peers to the gateway, so that a flood the
	 * gateway has not read yet stays in its socket, as it does on a real
	 * network where the gateway reads while the client writes. The other
	 * way the defaults: a peer that stops reading soon blocks the gateway.
	 */
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket");
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setbuf_force(listen_fd, SO_RCVBUFFORCE, SO_RCVBUF, SOCKBUF);
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listen_fd, (struct sockaddr *)&listen_addr,
		 sizeof(listen_addr)) || listen(listen_fd, 16) ||
	    getsockname(listen_fd, (struct sockaddr *)&listen_addr, &sl))
		die("listen");
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		die("/dev/null");
	/* The directory is not needed once everything is loaded. */
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			fprintf(stderr, "fuzz_lifecycle: cannot remove %s\n",
				dir);
	}
	return 0;
}

/* Peer side: what a client does with what the gateway sends. */

static void p_send_ppp_cb(void *ctx, uint16_t proto, const uint8_t *d,
			  size_t n)
{
	struct peer *p = ctx;

	link_send_ppp(&p->link, proto, d, n);
}

static void p_nop_cb(void *ctx)
{
}

static void p_ipcp_up_cb(void *ctx)
{
	struct peer *p = ctx;

	p->addr = ppp_local_addr(p->ppp);
}

static void p_down_cb(void *ctx, const char *why)
{
}

static const struct ppp_ops peer_ppp_ops = {
	.send = p_send_ppp_cb,
	.lcp_up = p_nop_cb,
	.ipcp_up = p_ipcp_up_cb,
	.down = p_down_cb,
};

static void p_ctrl(struct peer *p, const uint8_t *pkt, size_t len)
{
	struct ppp_config pc = { .server = false, .mru = 1400 };
	struct sstp_ctrl_msg m;
	uint8_t out[SSTP_LEN_STATUS_MSG];
	const char *why;

	if (sstp_ctrl_parse(pkt, len, &m, &why))
		return;
	switch (m.type) {
	case SSTP_MSG_CALL_CONNECT_ACK:
		if (p->acked || sstp_parse_connect_ack(&m, &p->bitmask,
						       p->nonce))
			return;
		p->acked = true;
		p->ppp = ppp_new(&pc, &peer_ppp_ops, p);
		return;
	case SSTP_MSG_CALL_DISCONNECT:
		link_send_ctrl(&p->link, out, sstp_build_simple(out,
				SSTP_MSG_CALL_DISCONNECT_ACK));
		return;
	case SSTP_MSG_ECHO_REQUEST:
		link_send_ctrl(&p->link, out, sstp_build_simple(out,
				SSTP_MSG_ECHO_RESPONSE));
		return;
	default:
		return;
	}
}

static void p_eap(struct peer *p, const uint8_t *d, size_t n)
{
	uint8_t out[EAP_TLS_MAX_FRAG + 64], msk[EAP_MSK_LEN];
	enum eap_tls_status st;
	size_t out_len = 0;

	if (p->authed)
		return;
	if (!p->eap)
		p->eap = eap_tls_client_new(eap_ctx, IDENTITY, 1024);
	if (!p->eap)
		return;
	st = eap_tls_input(p->eap, d, n, out, sizeof(out), &out_len);
	if (out_len)
		link_send_ppp(&p->link, PPP_PROTO_EAP, out, out_len);
	if (st == EAP_TLS_SUCCESS && !eap_tls_msk(p->eap, msk)) {
		memcpy(p->hlak, msk, sizeof(p->hlak));
		p->authed = true;
		if (p->ppp_started)
			ppp_auth_done(p->ppp, now_ms());
	}
	if (st != EAP_TLS_CONTINUE) {
		eap_tls_free(p->eap);
		p->eap = NULL;
	}
}

static void p_data(struct peer *p, const uint8_t *d, size_t n)
{
	uint16_t proto;
	int hl = ppp_frame_decode(d, n, &proto);

	if (hl < 0)
		return;
	d += hl;
	n -= (size_t)hl;
	if (proto == PPP_PROTO_EAP)
		p_eap(p, d, n);
	else if (proto != PPP_PROTO_IP && proto != PPP_PROTO_IPV6 &&
		 p->ppp_started)
		ppp_input(p->ppp, proto, d, n, now_ms());
}

static void p_input(struct peer *p, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	if (!p->http_ok) {
		const char *why;
		size_t used = 0;
		int st = http_parse_response((const char *)buf, len, &used,
					     &why);

		if (st == 0) {
			link_keep(&p->link, buf, len);
			return;
		}
		if (st != 200)
			return;	/* refused: the gateway closes */
		p->http_ok = true;
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
			p_ctrl(p, buf + off, plen);
		else
			p_data(p, buf + off + SSTP_HDR_LEN,
			       plen - SSTP_HDR_LEN);
		off += plen;
	}
	if (off < len)
		link_keep(&p->link, buf + off, len - off);
}

static void p_read(struct peer *p)
{
	int i;

	if (!p->used || p->closed || p->gone || !p->link.handshake_done)
		return;
	for (i = 0; i < 64; i++) {
		uint8_t *buf;
		ssize_t n = link_read(&p->link, &buf, LINK_SCRATCH);

		if (n < 0) {
			p->gone = true;
			return;
		}
		if (n == 0)
			return;
		if (!p->ignoring)
			p_input(p, buf, (size_t)n);
	}
}

static void p_flush(struct peer *p)
{
	if (p->used && !p->closed && p->link.handshake_done &&
	    link_flush(&p->link))
		p->gone = true;
}

static void p_handshake(struct peer *p)
{
	int r;

	if (!p->used || p->closed || p->gone || p->link.handshake_done)
		return;
	r = link_handshake(&p->link, false);
	if (r < 0) {
		ERR_clear_error();
		p->gone = true;
	} else if (r > 0) {
		link_gather_records(&p->link);
	}
}

static void drain_tun(void)
{
	uint8_t pkt[65536];
	ssize_t n;

	while ((n = read(tun_fd, pkt, sizeof(pkt))) > 0) {
		uint32_t src;

		if (n < 20)
			die("short packet written to the TUN");
		src = (uint32_t)pkt[12] << 24 | (uint32_t)pkt[13] << 16 |
		      (uint32_t)pkt[14] << 8 | pkt[15];
		if ((src & 0xffffff00u) != POOL_NET || src == GW_ADDR)
			die("the TUN got a packet from outside the pool");
	}
}

/* One round: the gateway once, then every peer reads, answers, flushes. */
static void round_(void)
{
	int i;

	if (gateway_step(&gw, 0) < 0)
		die("gateway_step");
	drain_tun();
	for (i = 0; i < NPEERS; i++) {
		if (!peers[i].manual_hs)
			p_handshake(&peers[i]);
		if (peers[i].reading)
			p_read(&peers[i]);
		p_flush(&peers[i]);
	}
}

static void p_free(struct peer *p, bool rst)
{
	if (!p->used)
		return;
	if (!p->closed && rst) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(p->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	if (p->closed)
		p->link.fd = -1;	/* closed already */
	link_destroy(&p->link);
	if (p->ppp)
		ppp_free(p->ppp);
	if (p->eap)
		eap_tls_free(p->eap);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static void p_connect(struct peer *p, uint8_t b)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, afd, one = 1;
	SSL *ssl;

	if (p->used)
		return;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	setbuf_force(fd, SO_SNDBUFFORCE, SO_SNDBUF, SOCKBUF);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&listen_addr, sizeof(listen_addr))) {
		close(fd);
		return;
	}
	afd = accept4(listen_fd, (struct sockaddr *)&ss, &sl,
		      SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (afd < 0) {
		close(fd);
		return;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ssl = SSL_new(b & 1 ? ctx13 : ctx12);
	if (!ssl || !SSL_set_fd(ssl, fd) || link_init(&p->link, fd, ssl))
		die("peer TLS");
	SSL_set_connect_state(ssl);
	p->used = true;
	p->fd = fd;
	p->reading = true;
	p->manual_hs = b & 2;
	/* The gateway may refuse it (limits): then it closes afd. */
	gateway_adopt(&gw, afd, &ss);
}

static bool p_ready(struct peer *p)
{
	return p->used && !p->closed && p->link.handshake_done;
}

static void p_http(struct peer *p, uint8_t b)
{
	char req[8192];
	size_t n = 0;

	switch (b < 192 ? 0 : 1 + b % 4) {
	case 0:
		n = http_build_request(req, sizeof(req), "127.0.0.1",
				       b & 8 ? "{12345678-1234-1234-1234-123456789abc}" :
				       NULL);
		break;
	case 1:
		n = (size_t)snprintf(req, sizeof(req),
				     "GET %s HTTP/1.1\r\nHost: x\r\n\r\n",
				     SSTP_URI);
		break;
	case 2:
		n = (size_t)snprintf(req, sizeof(req),
				     "SSTP_DUPLEX_POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551615\r\n\r\n");
		break;
	case 3:
		n = (size_t)snprintf(req, sizeof(req), "\x16\x03\x01 junk %u\r\n\r\n",
				     b);
		break;
	default:
		/* A header that never ends. */
		memset(req, 'A', sizeof(req));
		n = sizeof(req);
		break;
	}
	link_send_raw(&p->link, req, n);
}

static void p_lcp_flood(struct peer *p, size_t want)
{
	size_t sent = 0;

	while (sent < want && !p->link.write_blocked) {
		uint8_t cr[14] = { 1, 0, 0, 14, 1, 4, 0x05, 0x78,
				   5, 6, 0x12, 0x34, 0x56, 0x78 };
		size_t i;

		for (i = 0; i < 1024 && sent < want; i++) {
			cr[1] = p->lcp_id++;
			if (link_send_ppp(&p->link, PPP_PROTO_LCP, cr,
					  sizeof(cr)))
				break;
			sent += sizeof(cr) + 8;
		}

		if (link_flush(&p->link)) {
			p->gone = true;
			return;
		}
	}
}

static void p_mixed_flood(struct peer *p, uint8_t b)
{
	unsigned int seg, nseg = 4 + (b >> 4);
	size_t quiet = (1 + (size_t)(b & 15)) * 32768;
	uint8_t v6[4000];

	memset(v6, 0, sizeof(v6));
	v6[0] = 0x60;
	for (seg = 0; seg < nseg && !p->gone; seg++) {
		size_t sent = 0;

		while (sent < quiet && !p->link.write_blocked) {
			if (link_send_ppp(&p->link, PPP_PROTO_IPV6, v6,
					  sizeof(v6))) {
				if (link_flush(&p->link))
					p->gone = true;
				if (p->gone || p->link.write_blocked)
					return;
				continue;
			}
			sent += sizeof(v6) + 8;
		}
		p_lcp_flood(p, 4096);
	}
}

static void p_ipv4(struct peer *p, uint8_t b, uint32_t src, uint32_t dst,
		   uint8_t *pkt, size_t *len)
{
	size_t n = 20 + (size_t)b * 4;

	memset(pkt, b, n);
	pkt[0] = 0x45;
	pkt[1] = 0;
	pkt[2] = (uint8_t)(n >> 8);
	pkt[3] = (uint8_t)n;
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
	*len = n;
}

static void p_call_connected(struct peer *p, uint8_t b)
{
	uint8_t sha1[20], sha256[32], pkt[SSTP_LEN_CALL_CONNECTED];
	uint8_t hash = b & 2 ? SSTP_HASH_SHA1 : SSTP_HASH_SHA256;
	uint8_t hlak[SSTP_HLAK_LEN];

	if (tls_peer_cert_hashes(p->link.ssl, sha1, sha256))
		return;
	memcpy(hlak, p->hlak, sizeof(hlak));
	if (!(b & 1))
		hlak[b % sizeof(hlak)] ^= 0x5a;
	link_send_ctrl(&p->link, pkt, sstp_build_call_connected(pkt, hash,
			p->nonce, hash == SSTP_HASH_SHA1 ? sha1 : sha256,
			hlak));
	OPENSSL_cleanse(hlak, sizeof(hlak));
}

static void act(struct peer *p, unsigned int op, uint8_t b)
{
	uint8_t pkt[2048];
	size_t n;

	/* Actions that need no connection, or no finished handshake. */
	static const uint32_t any_time = 1u << 0 | 1u << 1 | 1u << 13 |
		1u << 16 | 1u << 17 | 1u << 18 | 1u << 19 | 1u << 20 |
		1u << 21 | 1u << 24 | 1u << 25 | 1u << 26;

	if (!(any_time & 1u << op) && !p_ready(p))
		return;
	switch (op) {
	case 0:
		p_connect(p, b);
		break;
	case 1:
		p_handshake(p);
		break;
	case 2:
		p_http(p, b);
		break;
	case 3:
		n = sstp_build_connect_request(pkt);
		if (b >= 192 && b & 1)
			pkt[n - 1] ^= 0x7;	/* protocol id */
		else if (b >= 192)
			pkt[3] = (uint8_t)(n - 2);	/* length */
		link_send_ctrl(&p->link, pkt, n);
		break;
	case 4:
		p_call_connected(p, b);
		break;
	case 5:
	case 6:
	case 9:
		link_send_ctrl(&p->link, pkt, sstp_build_simple(pkt,
			op == 5 ? SSTP_MSG_ECHO_REQUEST :
			op == 6 ? SSTP_MSG_ECHO_RESPONSE :
			SSTP_MSG_CALL_DISCONNECT_ACK));
		break;
	case 7:
	case 8:
		link_send_ctrl(&p->link, pkt, sstp_build_status_msg(pkt,
			op == 7 ? SSTP_MSG_CALL_ABORT : SSTP_MSG_CALL_DISCONNECT,
			0, b));
		break;
	case 10:
		p_lcp_flood(p, ((size_t)(b % 64) + 1) * 1024);
		break;
	case 11: {
		uint8_t cr[10] = { 1, b, 0, 10, 3, 6, 10, 99, 0, b };

		link_send_ppp(&p->link, PPP_PROTO_IPCP, cr, sizeof(cr));
		break;
	}
	case 12:
		memset(pkt, b, 64);
		pkt[0] = b & 1 ? 0xff : b;
		pkt[1] = 0x03;
		if (b & 2) {	/* an unknown protocol */
			link_send_ppp(&p->link, (uint16_t)(0x8000 | b), pkt,
				      b % 64);
		} else {	/* a frame whose PPP header may be bad */
			uint8_t raw[12] = { 0x10, 0x00, 0x00, 12, pkt[0],
					    b, 0xc0, 0x21, 9, b, 0, 4 };

			link_send_raw(&p->link, raw, sizeof(raw));
		}
		break;
	case 13:
		memset(pkt, b, 32);
		if (p_ready(p))
			link_send_raw(&p->link, pkt, 1 + b % 32);
		else if (p->used && !p->closed &&
			 write(p->fd, pkt, 1 + b % 32) < 0)
			p->gone = true;
		break;
	case 14:
		p_ipv4(p, b, b & 1 && p->addr ? p->addr : 0x0a630000u | b,
		       GW_ADDR, pkt, &n);
		link_send_ppp(&p->link, PPP_PROTO_IP, pkt, n);
		break;
	case 16:
		p->reading = b % 3 != 1;
		p->ignoring = b % 3 == 2;
		break;
	case 17:
		if (p->used && !p->closed) {
			close(p->fd);
			p->closed = true;
		}
		break;
	case 18:
		if (p->used)
			p_free(p, true);
		break;
	case 19: {
		int i;

		for (i = 0; i < b % 8; i++)
			if (gateway_step(&gw, 0) < 0)
				die("gateway_step");
		break;
	}
	case 20: {
		int i;

		clock_ms += b < 128 ? (uint64_t)b * 50 : (uint64_t)(b - 128) * 1000;
		loop_test_clock(clock_ms);
		for (i = 0; i < NPEERS; i++)
			if (peers[i].ppp_started && p_ready(&peers[i]))
				ppp_timer(peers[i].ppp, clock_ms);
		break;
	}
	case 21:
		p_ipv4(p, b, GW_ADDR, p->addr ? p->addr : POOL_NET | b, pkt,
		       &n);
		if (write(tun_fd, pkt, n) < 0)
			break;
		break;
	case 22: {
		uint8_t e[16] = { (uint8_t)(1 + b % 4), b, 0, 16, 13, b };

		link_send_ppp(&p->link, PPP_PROTO_EAP, e, b & 1 ? 16 : 6);
		break;
	}
	case 23: {
		uint8_t hdr[3] = { 0x10, 0x01, 0x00 };

		n = sstp_build_simple(pkt, SSTP_MSG_ECHO_REQUEST);
		link_send_raw(&p->link, b & 1 ? hdr : pkt,
			      b & 1 ? sizeof(hdr) : n / 2);
		break;
	}
	case 24:
		if (p->used && !p->closed)
			shutdown(p->fd, SHUT_WR);
		break;
	case 25: {
		char err[256];
		int ended = 0;

		/* Stored (a file on tmpfs), applied to live sessions, undone. */
		trust_revoke(&gw, client_thumb, &ended, err, sizeof(err));
		trust_unrevoke(&gw, client_thumb, err, sizeof(err));
		break;
	}
	case 26:
		ctl_server_dump(&gw, devnull);
		break;
	case 27: {
		uint8_t d[8] = { 0x10, 0x00, 0x00, 8, 0xff, 0x03, 0x00, 0x21 };

		link_send_raw(&p->link, d, sizeof(d));
		break;
	}
	case 28:
		p_mixed_flood(p, b);
		break;
	case 29:
		if (p->ppp && !p->ppp_started) {
			p->ppp_started = true;
			ppp_lower_up(p->ppp, now_ms());
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;
	int k;

	clock_ms = T0;
	loop_test_clock(clock_ms);
	gw.w[0]->next_tick_ms = clock_ms + 250;
	for (i = 0; i < NPEERS; i++)
		peers[i].fd = -1;
	for (i = 0; i + 1 < size; i += 2) {
		act(&peers[data[i] >> 5], data[i] & 31, data[i + 1]);
		round_();
	}
	/* Every peer goes; the gateway notices, then ends what is left. */
	for (k = 0; k < NPEERS; k++)
		p_free(&peers[k], k & 1);
	for (k = 0; k < 4; k++)
		round_();
	gateway_end_sessions(&gw);
	for (k = 0; k < 2; k++)
		round_();
	drain_tun();
	if (gw.nsessions || gw.nhandshakes || gw.pool.used)
		die("sessions, handshakes or addresses left after the end");
	return 0;
}
