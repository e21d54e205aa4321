// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/eap_tls.h"

#define BUF 4096
#define IDENTITY "client1@example.test"

enum { REQ = 1, RESP = 2, SUCC = 3, FAIL = 4 };

struct pkiset {
	EVP_PKEY *ca_key, *ica_key, *other_key, *srv_key, *rsa_key, *cli_key,
		*cli2_key;
	X509 *ca, *ica, *other, *srv, *srv_rsa, *cli, *cli2;
};

static struct pkiset P;
static long serial = 1;
static int hs_version[2];	/* [0] client, [1] server */

/* Certificates, made here with OpenSSL directly. */

static EVP_PKEY *new_key(bool rsa)
{
	EVP_PKEY *k = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

static void add_ext(X509 *x, X509 *issuer, int nid, const char *val)
{
	X509_EXTENSION *ext;
	X509V3_CTX v;

	X509V3_set_ctx_nodb(&v);
	X509V3_set_ctx(&v, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v, nid, val);
	assert_non_null(ext);
	assert_int_equal(X509_add_ext(x, ext, -1), 1);
	X509_EXTENSION_free(ext);
}

static X509 *new_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
		      EVP_PKEY *ikey, bool ca, const char *eku)
{
	X509 *x = X509_new();
	X509_NAME *name;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	if (!issuer) {
		issuer = x;
		ikey = key;
	}
	add_ext(x, issuer, NID_basic_constraints,
		ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	add_ext(x, issuer, NID_key_usage,
		ca ? "critical,keyCertSign,cRLSign" :
		     "critical,digitalSignature,keyEncipherment");
	add_ext(x, issuer, NID_subject_key_identifier, "hash");
	if (issuer != x)
		add_ext(x, issuer, NID_authority_key_identifier,
			"keyid:always");
	if (eku)
		add_ext(x, issuer, NID_ext_key_usage, eku);
	assert_true(X509_sign(x, ikey, EVP_sha256()) > 0);
	return x;
}

static int group_setup(void **state)
{
	P.ca_key = new_key(false);
	P.ca = new_cert("Test Root CA", P.ca_key, NULL, NULL, true, NULL);
	P.ica_key = new_key(false);
	P.ica = new_cert("Test Issuing CA", P.ica_key, P.ca, P.ca_key, true,
			 NULL);
	P.other_key = new_key(false);
	P.other = new_cert("Other Root CA", P.other_key, NULL, NULL, true,
			   NULL);
	P.srv_key = new_key(false);
	P.srv = new_cert("vpn.test", P.srv_key, P.ca, P.ca_key, false,
			 "serverAuth");
	P.rsa_key = new_key(true);
	P.srv_rsa = new_cert("vpn-rsa.test", P.rsa_key, P.ca, P.ca_key, false,
			     "serverAuth");
	P.cli_key = new_key(false);
	P.cli = new_cert(IDENTITY, P.cli_key, P.ca, P.ca_key, false,
			 "clientAuth");
	P.cli2_key = new_key(false);
	P.cli2 = new_cert("client2@example.test", P.cli2_key, P.ica,
			  P.ica_key, false, "clientAuth");
	return 0;
}

static int group_teardown(void **state)
{
	X509 *certs[] = { P.ca, P.ica, P.other, P.srv, P.srv_rsa, P.cli,
			  P.cli2 };
	EVP_PKEY *keys[] = { P.ca_key, P.ica_key, P.other_key, P.srv_key,
			     P.rsa_key, P.cli_key, P.cli2_key };
	size_t i;

	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++)
		X509_free(certs[i]);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		EVP_PKEY_free(keys[i]);
	return 0;
}

static void info_cb(const SSL *ssl, int where, int ret)
{
	if (where & SSL_CB_HANDSHAKE_DONE)
		hs_version[SSL_is_server((SSL *)ssl) ? 1 : 0] =
			SSL_version(ssl);
}

/*
 * The second run of the tests: contexts set up with eap_tls_ctx_init(), as
 * the gateway's and sstpctl's (verify() in place of OpenSSL's chain
 * verification rather than inside it; the client takes the outer
 * connection's word for the gateway's certificate).
 */
static bool ctx_init;

static SSL_CTX *srv_ctx(X509 *cert, EVP_PKEY *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	assert_non_null(ctx);
	assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	if (ctx_init)
		eap_tls_ctx_init(ctx);
	SSL_CTX_set_info_callback(ctx, info_cb);
	return ctx;
}

static SSL_CTX *cli_ctx(X509 *cert, EVP_PKEY *key, X509 *extra, X509 *trust)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	assert_non_null(ctx);
	if (cert) {
		assert_int_equal(SSL_CTX_use_certificate(ctx, cert), 1);
		assert_int_equal(SSL_CTX_use_PrivateKey(ctx, key), 1);
	}
	if (extra)
		assert_int_equal(SSL_CTX_add1_chain_cert(ctx, extra), 1);
	assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx),
					     trust), 1);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_info_callback(ctx, info_cb);
	if (ctx_init)
		eap_tls_ctx_init(ctx);
	return ctx;
}

/* The gateway's verify callback, recording what it was given. */

struct vstate {
	int calls;
	bool refuse;
	X509 *leaf;
	int chain_len;
	X509 *chain0;
};

static int test_verify(void *arg, X509 *leaf, STACK_OF(X509) *chain,
		       char *why, size_t whylen)
{
	struct vstate *vs = arg;

	vs->calls++;
	vs->leaf = leaf;
	vs->chain_len = chain ? sk_X509_num(chain) : -1;
	vs->chain0 = vs->chain_len > 0 ? sk_X509_value(chain, 0) : NULL;
	if (vs->refuse) {
		snprintf(why, whylen, "certificate revoked: %s", "ABCDEF");
		return -1;
	}
	return 0;
}

/* Packet builders and readers. */

static size_t mk(uint8_t *p, uint8_t code, uint8_t id, int type,
		 const void *data, size_t n)
{
	size_t len = 4 + (type >= 0 ? 1 : 0) + n;

	p[0] = code;
	p[1] = id;
	p[2] = len >> 8;
	p[3] = len;
	if (type >= 0)
		p[4] = type;
	if (n)
		memcpy(p + len - n, data, n);
	return len;
}

static size_t mk_tls(uint8_t *p, uint8_t code, uint8_t id, uint8_t flags,
		     long total, const void *data, size_t n)
{
	uint8_t hdr[5];
	size_t h = 1, len;

	hdr[0] = flags;
	if (total >= 0) {
		hdr[0] |= 0x80;
		hdr[1] = total >> 24;
		hdr[2] = total >> 16;
		hdr[3] = total >> 8;
		hdr[4] = total;
		h = 5;
	}
	len = 5 + h + n;
	p[0] = code;
	p[1] = id;
	p[2] = len >> 8;
	p[3] = len;
	p[4] = 13;
	memcpy(p + 5, hdr, h);
	if (n)
		memcpy(p + 5 + h, data, n);
	return len;
}

static size_t eap_len(const uint8_t *p)
{
	return (size_t)p[2] << 8 | p[3];
}

/* Follows the L/M rules of one direction of a conversation. */
struct fragcheck {
	size_t max_frag;
	bool in_msg;
	size_t total, got;
	unsigned int packets, fragmented, messages;
};

static void check_packet(struct fragcheck *fc, const uint8_t *p, size_t n)
{
	size_t dlen, off = 6;
	uint8_t flags;

	assert_true(n >= 4);
	assert_int_equal(eap_len(p), n);
	fc->packets++;
	if ((p[0] != REQ && p[0] != RESP) || p[4] != 13)
		return;
	assert_true(n >= 6);
	assert_true(n <= fc->max_frag + 10);
	flags = p[5];
	if (flags & 0x80) {
		assert_false(fc->in_msg);
		fc->total = (size_t)p[6] << 24 | (size_t)p[7] << 16 |
			    (size_t)p[8] << 8 | p[9];
		fc->got = 0;
		fc->in_msg = true;
		off = 10;
	}
	dlen = n - off;
	assert_true(dlen <= fc->max_frag);
	if (!fc->in_msg) {
		/* an acknowledgement or a Start: no data */
		assert_int_equal(dlen, 0);
		assert_false(flags & 0x40);
		return;
	}
	fc->got += dlen;
	if (flags & 0x40) {
		fc->fragmented++;
		assert_int_equal(dlen, fc->max_frag);
		return;
	}
	assert_int_equal(fc->got, fc->total);
	fc->in_msg = false;
	fc->messages++;
}

struct run {
	enum eap_tls_status s, c;
	bool alerted;			/* the server returned ALERT */
	struct fragcheck sc, cc;	/* server -> client, client -> server */
	uint8_t last_s[BUF];		/* the server's last packet */
	size_t last_s_len;
};

/* Runs a server and a client against each other until either finishes. */
static void run(struct eap_tls *s, struct eap_tls *c, size_t max_frag,
		struct run *r)
{
	uint8_t a[BUF], b[BUF], re[BUF];
	size_t alen, blen;
	int i;

	memset(r, 0, sizeof(*r));
	r->sc.max_frag = r->cc.max_frag = max_frag;
	alen = eap_tls_server_start(s, a, sizeof(a));
	assert_int_equal(alen, 5);
	for (i = 0; i < 1000; i++) {
		check_packet(&r->sc, a, alen);
		memcpy(r->last_s, a, alen);
		r->last_s_len = alen;
		if (r->s == EAP_TLS_CONTINUE) {
			/* retransmission gives the very same bytes */
			assert_int_equal(eap_tls_retransmit(s, re, sizeof(re)),
					 alen);
			assert_memory_equal(re, a, alen);
		}
		r->c = eap_tls_input(c, a, alen, b, sizeof(b), &blen);
		if (r->s == EAP_TLS_ALERT) {
			/* the client acknowledges the alert, then it ends */
			r->alerted = true;
			r->s = EAP_TLS_CONTINUE;
		}
		if (r->s != EAP_TLS_CONTINUE || r->c != EAP_TLS_CONTINUE) {
			if (r->s == EAP_TLS_CONTINUE && blen) {
				check_packet(&r->cc, b, blen);
				r->s = eap_tls_input(s, b, blen, a, sizeof(a),
						     &alen);
				memcpy(r->last_s, a, alen);
				r->last_s_len = alen;
			}
			return;
		}
		assert_true(blen > 0);
		check_packet(&r->cc, b, blen);
		r->s = eap_tls_input(s, b, blen, a, sizeof(a), &alen);
		assert_true(alen > 0);
	}
	fail_msg("conversation did not finish");
}

static void handshake_ok(X509 *scert, EVP_PKEY *skey, X509 *ccert,
			 EVP_PKEY *ckey, X509 *extra, size_t max_frag)
{
	SSL_CTX *sctx = srv_ctx(scert, skey);
	SSL_CTX *cctx = cli_ctx(ccert, ckey, extra, P.ca);
	uint8_t ms[EAP_MSK_LEN], mc[EAP_MSK_LEN], zero[EAP_MSK_LEN] = { 0 };
	uint8_t buf[BUF], pkt[16];
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	struct run r;
	size_t n;

	s = eap_tls_server_new(sctx, test_verify, &vs, max_frag);
	c = eap_tls_client_new(cctx, IDENTITY, max_frag);
	assert_non_null(s);
	assert_non_null(c);
	assert_int_equal(eap_tls_msk(s, ms), -EINVAL);
	hs_version[0] = hs_version[1] = 0;

	run(s, c, max_frag, &r);
	assert_int_equal(r.s, EAP_TLS_SUCCESS);
	assert_int_equal(r.c, EAP_TLS_SUCCESS);
	assert_string_equal(eap_tls_error(s), "");
	assert_string_equal(eap_tls_error(c), "");
	/* the server's last word is an EAP-Success answering the ack */
	assert_int_equal(r.last_s_len, 4);
	assert_int_equal(r.last_s[0], SUCC);

	assert_int_equal(eap_tls_msk(s, ms), 0);
	assert_int_equal(eap_tls_msk(c, mc), 0);
	assert_memory_equal(ms, mc, EAP_MSK_LEN);
	assert_memory_not_equal(ms, zero, EAP_MSK_LEN);

	assert_string_equal(eap_tls_identity(s), IDENTITY);
	assert_int_equal(X509_cmp(eap_tls_peer_cert(s), ccert), 0);
	assert_int_equal(X509_cmp(eap_tls_peer_cert(c), scert), 0);
	assert_int_equal(vs.calls, 1);
	assert_int_equal(X509_cmp(vs.leaf, ccert), 0);
	/*
	 * The chain excludes the leaf. Without an explicit chain OpenSSL's
	 * client builds one from its store, which holds our root.
	 */
	assert_int_equal(vs.chain_len, 1);
	assert_int_equal(X509_cmp(vs.chain0, extra ? extra : P.ca), 0);
	assert_int_equal(hs_version[0], TLS1_2_VERSION);
	assert_int_equal(hs_version[1], TLS1_2_VERSION);

	/* two TLS messages each way; both fragmented at 200 */
	assert_int_equal(r.sc.in_msg, false);
	assert_int_equal(r.cc.in_msg, false);
	assert_int_equal(r.sc.messages, 2);
	assert_int_equal(r.cc.messages, 2);
	if (max_frag <= 200) {
		assert_true(r.sc.fragmented > 0);
		assert_true(r.cc.fragmented > 0);
	}

	/* the caller's contexts are untouched */
	assert_int_equal(SSL_CTX_get_verify_mode(sctx), SSL_VERIFY_NONE);
	assert_int_equal(SSL_CTX_get_max_proto_version(sctx), 0);
	assert_int_equal(SSL_CTX_get_options(sctx) & SSL_OP_NO_TICKET, 0);
	assert_int_equal(SSL_CTX_get_verify_mode(cctx), SSL_VERIFY_PEER);

	/* finished: nothing more happens */
	assert_int_equal(eap_tls_retransmit(s, buf, sizeof(buf)), 0);
	mk(pkt, RESP, r.last_s[1], 13, "\0", 1);
	n = 99;
	assert_int_equal(eap_tls_input(s, pkt, eap_len(pkt), buf, sizeof(buf),
				       &n), EAP_TLS_CONTINUE);
	assert_int_equal(n, 0);
	mk(pkt, SUCC, 1, -1, NULL, 0);
	n = 99;
	assert_int_equal(eap_tls_input(c, pkt, 4, buf, sizeof(buf), &n),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n, 0);
	assert_int_equal(eap_tls_msk(c, mc), 0);

	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static void test_handshake_ec_200(void **state)
{
	handshake_ok(P.srv, P.srv_key, P.cli, P.cli_key, NULL, 200);
}

static void test_handshake_ec_1024(void **state)
{
	handshake_ok(P.srv, P.srv_key, P.cli, P.cli_key, NULL, 1024);
}

static void test_handshake_rsa_200(void **state)
{
	handshake_ok(P.srv_rsa, P.rsa_key, P.cli, P.cli_key, NULL, 200);
}

static void test_handshake_rsa_1024(void **state)
{
	handshake_ok(P.srv_rsa, P.rsa_key, P.cli, P.cli_key, NULL, 1024);
}

static void test_handshake_min_frag(void **state)
{
	handshake_ok(P.srv, P.srv_key, P.cli, P.cli_key, NULL,
		     EAP_TLS_MIN_FRAG);
}

static void test_chain_passed_to_verify(void **state)
{
	handshake_ok(P.srv, P.srv_key, P.cli2, P.cli2_key, P.ica, 200);
}

/* Two engines that fail; returns the run for inspection. */
static void run_failing(SSL_CTX *sctx, SSL_CTX *cctx, struct vstate *vs,
			struct run *r, struct eap_tls **s, struct eap_tls **c)
{
	*s = eap_tls_server_new(sctx, test_verify, vs, 200);
	*c = eap_tls_client_new(cctx, IDENTITY, 200);
	assert_non_null(*s);
	assert_non_null(*c);
	run(*s, *c, 200, r);
}

static void test_verify_refuses(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	struct vstate vs = { .refuse = true };
	uint8_t msk[EAP_MSK_LEN];
	struct eap_tls *s, *c;
	struct run r;

	run_failing(sctx, cctx, &vs, &r, &s, &c);
	assert_int_equal(r.s, EAP_TLS_FAILURE);
	assert_int_equal(r.c, EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(s), "certificate revoked: ABCDEF");
	assert_non_null(strstr(eap_tls_error(c), "refused the certificate"));
	assert_int_equal(r.last_s_len, 4);
	assert_int_equal(r.last_s[0], FAIL);
	assert_int_equal(vs.calls, 1);
	/* the refused certificate stays available for the log */
	assert_int_equal(X509_cmp(eap_tls_peer_cert(s), P.cli), 0);
	assert_int_equal(eap_tls_msk(s, msk), -EINVAL);
	assert_int_equal(eap_tls_msk(c, msk), -EINVAL);
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static int verify_silent(void *arg, X509 *leaf, STACK_OF(X509) *chain,
			 char *why, size_t whylen)
{
	return 1;
}

static void test_verify_refuses_without_reason(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	struct eap_tls *s, *c;
	struct run r;

	s = eap_tls_server_new(sctx, verify_silent, NULL, 1024);
	c = eap_tls_client_new(cctx, IDENTITY, 1024);
	run(s, c, 1024, &r);
	assert_int_equal(r.s, EAP_TLS_FAILURE);
	assert_int_equal(r.c, EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(s), "client certificate refused");
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static void test_client_without_cert(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(NULL, NULL, NULL, P.ca);
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	struct run r;

	run_failing(sctx, cctx, &vs, &r, &s, &c);
	assert_int_equal(r.s, EAP_TLS_FAILURE);
	assert_int_equal(r.c, EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(s), "TLS handshake failed"));
	assert_non_null(strstr(eap_tls_error(s), "certificate"));
	assert_string_equal(eap_tls_error(c),
			    "gateway requires a client certificate and we have none: handshake failure (alert 40)");
	assert_true(r.alerted);
	assert_int_equal(eap_tls_alert_sent(s), SSL_AD_HANDSHAKE_FAILURE);
	assert_int_equal(r.last_s[0], FAIL);
	assert_int_equal(vs.calls, 0);
	assert_null(eap_tls_peer_cert(s));
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

static void test_untrusted_server(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.other);
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	struct run r;

	run_failing(sctx, cctx, &vs, &r, &s, &c);
	assert_int_equal(r.c, EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(c), "certificate verify failed"));
	assert_non_null(strstr(eap_tls_error(c), "local issuer"));
	/* the client's alert reached the gateway, which logs it */
	assert_int_equal(r.s, EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(s), "alert"));
	assert_int_equal(vs.calls, 0);
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

/*
 * The certificate the outer connection verified is not verified again
 * (here the client's store could not: it holds another root) on a context
 * set up for it; without eap_tls_ctx_init() it is.
 */
static void test_known_server(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.other);
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	struct run r;

	(void)state;
	s = eap_tls_server_new(sctx, test_verify, &vs, 1024);
	c = eap_tls_client_new(cctx, IDENTITY, 1024);
	assert_int_equal(eap_tls_client_verified(c, P.srv), 0);
	assert_int_equal(eap_tls_client_verified(c, NULL), -EINVAL);
	assert_int_equal(eap_tls_client_verified(s, P.srv), -EINVAL);
	run(s, c, 1024, &r);
	if (ctx_init) {
		assert_int_equal(r.c, EAP_TLS_SUCCESS);
		assert_int_equal(r.s, EAP_TLS_SUCCESS);
		assert_int_equal(X509_cmp(eap_tls_peer_cert(c), P.srv), 0);
	} else {
		assert_int_equal(r.c, EAP_TLS_FAILURE);
		assert_non_null(strstr(eap_tls_error(c), "local issuer"));
	}
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

/* Any other certificate than the known one is verified in full. */
static void test_other_server_verified(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv_rsa, P.rsa_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.other);
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	struct run r;

	(void)state;
	s = eap_tls_server_new(sctx, test_verify, &vs, 1024);
	c = eap_tls_client_new(cctx, IDENTITY, 1024);
	assert_int_equal(eap_tls_client_verified(c, P.srv), 0);
	run(s, c, 1024, &r);
	assert_int_equal(r.c, EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(c), "certificate verify failed"));
	assert_non_null(strstr(eap_tls_error(c), "local issuer"));
	assert_int_equal(vs.calls, 0);
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

/* verify() returns the X509_V_ERR_* code OpenSSL maps to an alert. */
static int verify_code(void *arg, X509 *leaf, STACK_OF(X509) *chain,
		       char *why, size_t whylen)
{
	(void)leaf;
	(void)chain;
	snprintf(why, whylen, "refused with code %d", *(int *)arg);
	return *(int *)arg;
}

/*
 * A refusal reaches the client as the TLS alert for verify()'s code: the
 * gateway sends it in an EAP-TLS Request, the client acknowledges it with
 * an empty Response, and only then comes EAP-Failure (RFC 5216 2.1.3).
 */
static void test_refusal_alerts(void **state)
{
	static const struct { int code, alert; const char *desc; } m[] = {
		{ X509_V_ERR_CERT_REVOKED, 44, "certificate revoked" },
		{ X509_V_ERR_CERT_HAS_EXPIRED, 45, "certificate expired" },
		{ X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, 48,
		  "unknown CA" },
		{ X509_V_ERR_INVALID_PURPOSE, 43, "unsupported certificate" },
		{ X509_V_ERR_EE_KEY_TOO_SMALL, 42, "bad certificate" },
		{ X509_V_ERR_CERT_REJECTED, 42, "bad certificate" },
		{ X509_V_ERR_OUT_OF_MEM, 80, "internal error" },
		{ -1, 40, "handshake failure" },
	};
	uint8_t a[BUF], b[BUF];
	size_t i, alen, blen;
	char want[160];

	(void)state;
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
		SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
		struct eap_tls *s = eap_tls_server_new(sctx, verify_code,
						       (void *)&m[i].code, 1024);
		struct eap_tls *c = eap_tls_client_new(cctx, IDENTITY, 1024);
		enum eap_tls_status ss = EAP_TLS_CONTINUE, cs;
		int rounds = 0;

		alen = eap_tls_server_start(s, a, sizeof(a));
		/* to the alert */
		for (;;) {
			assert_true(++rounds < 50);
			cs = eap_tls_input(c, a, alen, b, sizeof(b), &blen);
			assert_int_equal(cs, EAP_TLS_CONTINUE);
			ss = eap_tls_input(s, b, blen, a, sizeof(a), &alen);
			if (ss != EAP_TLS_CONTINUE)
				break;
		}
		assert_int_equal(ss, EAP_TLS_ALERT);
		snprintf(want, sizeof(want), "refused with code %d", m[i].code);
		assert_string_equal(eap_tls_error(s), want);
		assert_int_equal(eap_tls_alert_sent(s), m[i].alert);
		/* a Request carrying a TLS alert record (type 21) */
		assert_int_equal(a[0], REQ);
		assert_int_equal(a[4], 13);
		assert_int_equal(a[5] & 0x80, 0x80);
		assert_int_equal(a[10], 21);
		/* retransmitted as it is until answered */
		assert_int_equal(eap_tls_retransmit(s, b, sizeof(b)), alen);
		assert_memory_equal(b, a, alen);
		/* the client: refused, with an empty acknowledgement */
		cs = eap_tls_input(c, a, alen, b, sizeof(b), &blen);
		assert_int_equal(cs, EAP_TLS_FAILURE);
		snprintf(want, sizeof(want),
			 "gateway refused the certificate: %s (alert %d)",
			 m[i].desc, m[i].alert);
		assert_string_equal(eap_tls_error(c), want);
		assert_int_equal(eap_tls_alert_received(c), m[i].alert);
		assert_int_equal(blen, 6);
		assert_int_equal(b[0], RESP);
		assert_int_equal(b[1], a[1]);
		assert_int_equal(b[5], 0);
		/* then EAP-Failure */
		ss = eap_tls_input(s, b, blen, a, sizeof(a), &alen);
		assert_int_equal(ss, EAP_TLS_FAILURE);
		assert_int_equal(alen, 4);
		assert_int_equal(a[0], FAIL);
		assert_int_equal(eap_tls_retransmit(s, b, sizeof(b)), 0);
		/* the refused certificate stays available for the log */
		assert_int_equal(X509_cmp(eap_tls_peer_cert(s), P.cli), 0);
		eap_tls_free(s);
		eap_tls_free(c);
		SSL_CTX_free(sctx);
		SSL_CTX_free(cctx);
	}
}

/* A client that answers the alert with anything else: EAP-Failure too. */
static void test_alert_answered_otherwise(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	int code = X509_V_ERR_CERT_REVOKED;
	struct eap_tls *s = eap_tls_server_new(sctx, verify_code, &code, 1024);
	struct eap_tls *c = eap_tls_client_new(cctx, IDENTITY, 1024);
	enum eap_tls_status ss;
	uint8_t a[BUF], b[BUF], pkt[16];
	size_t alen, blen;

	(void)state;
	alen = eap_tls_server_start(s, a, sizeof(a));
	do {
		assert_int_equal(eap_tls_input(c, a, alen, b, sizeof(b), &blen),
				 EAP_TLS_CONTINUE);
		ss = eap_tls_input(s, b, blen, a, sizeof(a), &alen);
	} while (ss == EAP_TLS_CONTINUE);
	assert_int_equal(ss, EAP_TLS_ALERT);
	/* a Response with another identifier is not the answer */
	mk(pkt, RESP, (uint8_t)(a[1] + 1), 13, "\0", 1);
	assert_int_equal(eap_tls_input(s, pkt, eap_len(pkt), b, sizeof(b),
				       &blen), EAP_TLS_CONTINUE);
	assert_int_equal(blen, 0);
	/* a Nak is */
	mk(pkt, RESP, a[1], 3, "\x0d", 1);
	assert_int_equal(eap_tls_input(s, pkt, eap_len(pkt), b, sizeof(b),
				       &blen), EAP_TLS_FAILURE);
	assert_int_equal(blen, 4);
	assert_int_equal(b[0], FAIL);
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

/* Server driven by hand. */

struct hand {
	SSL_CTX *ctx;
	struct vstate vs;
	struct eap_tls *s;
	uint8_t out[BUF];
	size_t n;
	uint8_t id;		/* the outstanding Request */
};

static void hand_start(struct hand *h, size_t max_frag, bool to_tls)
{
	uint8_t pkt[64];
	size_t len;

	memset(h, 0, sizeof(*h));
	h->ctx = srv_ctx(P.srv, P.srv_key);
	h->s = eap_tls_server_new(h->ctx, test_verify, &h->vs, max_frag);
	assert_non_null(h->s);
	h->n = eap_tls_server_start(h->s, h->out, sizeof(h->out));
	assert_int_equal(h->n, 5);
	assert_int_equal(h->out[0], REQ);
	assert_int_equal(h->out[4], 1);
	h->id = h->out[1];
	if (!to_tls)
		return;
	len = mk(pkt, RESP, h->id, 1, "user", 4);
	assert_int_equal(eap_tls_input(h->s, pkt, len, h->out, sizeof(h->out),
				       &h->n), EAP_TLS_CONTINUE);
	assert_int_equal(h->n, 6);
	assert_int_equal(h->out[0], REQ);
	assert_int_equal(h->out[1], (uint8_t)(h->id + 1));
	assert_int_equal(h->out[4], 13);
	assert_int_equal(h->out[5], 0x20);
	h->id = h->out[1];
}

static enum eap_tls_status hand_in(struct hand *h, const uint8_t *p,
				   size_t len)
{
	enum eap_tls_status st;

	h->n = 77;
	st = eap_tls_input(h->s, p, len, h->out, sizeof(h->out), &h->n);
	if (st == EAP_TLS_CONTINUE && h->n)
		h->id = h->out[1];
	return st;
}

static void hand_end(struct hand *h)
{
	eap_tls_free(h->s);
	SSL_CTX_free(h->ctx);
}

static void assert_failure_pkt(struct hand *h, uint8_t id)
{
	assert_int_equal(h->n, 4);
	assert_int_equal(h->out[0], FAIL);
	assert_int_equal(h->out[1], id);
	assert_int_equal(eap_len(h->out), 4);
}

static void test_mismatched_identifier(void **state)
{
	uint8_t pkt[64];
	struct hand h;
	uint8_t id;
	size_t len;

	hand_start(&h, 1024, false);
	id = h.id;
	len = mk(pkt, RESP, id + 1, 1, "user", 4);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_string_equal(eap_tls_identity(h.s), "");
	/* a Request (wrong code) with the right identifier */
	len = mk(pkt, REQ, id, 1, "user", 4);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	/* Success/Failure from the peer */
	len = mk(pkt, SUCC, id, -1, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);

	len = mk(pkt, RESP, id, 1, "user", 4);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_int_equal(h.out[1], (uint8_t)(id + 1));
	assert_string_equal(eap_tls_identity(h.s), "user");
	/* the same Response again is stale now */
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	len = mk_tls(pkt, RESP, id, 0, -1, "x", 1);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	hand_end(&h);
}

static void test_server_retransmit(void **state)
{
	uint8_t pkt[64], first[16], again[BUF];
	struct hand h;
	size_t len;

	hand_start(&h, 1024, false);
	memcpy(first, h.out, 5);
	assert_int_equal(eap_tls_retransmit(h.s, again, sizeof(again)), 5);
	assert_memory_equal(again, first, 5);
	assert_int_equal(eap_tls_retransmit(h.s, again, 4), 0);
	assert_int_equal(eap_tls_retransmit(h.s, NULL, 100), 0);
	/* a second start is the same Request */
	assert_int_equal(eap_tls_server_start(h.s, again, sizeof(again)), 5);
	assert_memory_equal(again, first, 5);

	len = mk(pkt, RESP, h.id, 1, "user", 4);
	hand_in(&h, pkt, len);
	assert_int_equal(eap_tls_retransmit(h.s, again, sizeof(again)), 6);
	assert_memory_equal(again, h.out, 6);
	hand_end(&h);
}

static void test_client_duplicate_request(void **state)
{
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	uint8_t pkt[64], out1[BUF], out2[BUF];
	size_t len, n1, n2;
	struct eap_tls *c = eap_tls_client_new(cctx, IDENTITY, 200);

	assert_non_null(c);
	len = mk(pkt, REQ, 7, 1, NULL, 0);
	assert_int_equal(eap_tls_input(c, pkt, len, out1, sizeof(out1), &n1),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n1, 5 + strlen(IDENTITY));
	assert_int_equal(out1[0], RESP);
	assert_int_equal(out1[1], 7);
	assert_int_equal(out1[4], 1);
	assert_memory_equal(out1 + 5, IDENTITY, strlen(IDENTITY));
	assert_int_equal(eap_tls_input(c, pkt, len, out2, sizeof(out2), &n2),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n2, n1);
	assert_memory_equal(out1, out2, n1);

	/* the Start: a ClientHello, and the same bytes on a duplicate */
	len = mk_tls(pkt, REQ, 8, 0x20, -1, NULL, 0);
	assert_int_equal(eap_tls_input(c, pkt, len, out1, sizeof(out1), &n1),
			 EAP_TLS_CONTINUE);
	assert_true(n1 > 10);
	assert_int_equal(out1[1], 8);
	assert_int_equal(out1[4], 13);
	assert_true(out1[5] & 0x80);
	assert_int_equal(out1[10], 0x16);	/* TLS handshake record */
	assert_int_equal(eap_tls_input(c, pkt, len, out2, sizeof(out2), &n2),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n2, n1);
	assert_memory_equal(out1, out2, n1);
	/* the server-side retransmit API does nothing on a client */
	assert_int_equal(eap_tls_retransmit(c, out2, sizeof(out2)), 0);
	eap_tls_free(c);
	SSL_CTX_free(cctx);
}

static void test_fragment_exceeds_total(void **state)
{
	uint8_t pkt[BUF], data[400] = { 0x16 };
	struct hand h;
	size_t len;
	uint8_t id;

	hand_start(&h, 1024, true);
	id = h.id;
	len = mk_tls(pkt, RESP, id, 0, 10, data, 20);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_failure_pkt(&h, id);
	assert_non_null(strstr(eap_tls_error(h.s),
			       "exceeds the announced TLS message length"));
	hand_end(&h);

	/* over two fragments; the first is acknowledged */
	hand_start(&h, 1024, true);
	id = h.id;
	len = mk_tls(pkt, RESP, id, 0x40, 300, data, 200);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_int_equal(h.out[0], REQ);
	assert_int_equal(h.out[1], (uint8_t)(id + 1));
	assert_int_equal(h.out[4], 13);
	assert_int_equal(h.out[5], 0);
	id = h.id;
	len = mk_tls(pkt, RESP, id, 0, -1, data, 200);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_failure_pkt(&h, id);
	assert_non_null(strstr(eap_tls_error(h.s), "(400 > 300)"));
	hand_end(&h);
}

static void test_total_changed(void **state)
{
	uint8_t pkt[BUF], data[200] = { 0x16 };
	struct hand h;
	size_t len;

	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0x40, 300, data, 100);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	/* repeating L with the same total is fine */
	len = mk_tls(pkt, RESP, h.id, 0x40, 300, data, 100);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk_tls(pkt, RESP, h.id, 0x40, 400, data, 50);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.s), "changed from 300 to 400"));
	hand_end(&h);
}

static void test_message_shorter_than_total(void **state)
{
	uint8_t pkt[BUF], data[100] = { 0x16 };
	struct hand h;
	size_t len;

	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0, 100, data, 50);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.s),
			       "shorter than announced (50 < 100)"));
	hand_end(&h);

	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0, 0, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s), "empty TLS message");
	hand_end(&h);
}

static void test_total_too_large(void **state)
{
	static uint8_t pkt[20100], data[20000];
	struct hand h;
	size_t len;
	int i;

	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0x40, 65537, data, 100);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "TLS message length 65537 exceeds 65536");
	hand_end(&h);

	/* exactly 64 KiB announced is accepted */
	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0x40, 65536, data, 100);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	hand_end(&h);

	/* no L at all: the reassembly bound still holds */
	hand_start(&h, 1024, true);
	for (i = 0; i < 3; i++) {
		len = mk_tls(pkt, RESP, h.id, 0x40, -1, data, sizeof(data));
		assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
		assert_int_equal(h.n, 6);
	}
	len = mk_tls(pkt, RESP, h.id, 0x40, -1, data, sizeof(data));
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "TLS message exceeds 65536 bytes");
	hand_end(&h);
}

static void test_nak(void **state)
{
	const uint8_t want[] = { 26, 25 };
	uint8_t pkt[64];
	struct hand h;
	size_t len;

	hand_start(&h, 1024, true);
	len = mk(pkt, RESP, h.id, 3, want, sizeof(want));
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_failure_pkt(&h, pkt[1]);
	assert_string_equal(eap_tls_error(h.s),
			    "peer refused EAP-TLS (proposes types 26 25)");
	hand_end(&h);

	hand_start(&h, 1024, false);
	len = mk(pkt, RESP, h.id, 3, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s), "peer refused EAP-TLS");
	hand_end(&h);

	hand_start(&h, 1024, true);
	len = mk(pkt, RESP, h.id, 3, want, 1);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "peer refused EAP-TLS (proposes type 26)");
	/* everything after the end is ignored */
	len = mk(pkt, RESP, h.id, 1, "x", 1);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_int_equal(eap_tls_retransmit(h.s, h.out, sizeof(h.out)), 0);
	hand_end(&h);
}

static void test_server_unexpected(void **state)
{
	uint8_t pkt[64];
	struct hand h;
	size_t len;

	/* EAP-TLS before the Start */
	hand_start(&h, 1024, false);
	len = mk_tls(pkt, RESP, h.id, 0, -1, "x", 1);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "EAP-TLS response before EAP-TLS Start");
	hand_end(&h);

	/* Identity again after the Start */
	hand_start(&h, 1024, true);
	len = mk(pkt, RESP, h.id, 1, "user", 4);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "unexpected EAP-Response/Identity");
	hand_end(&h);

	/* another method's Response */
	hand_start(&h, 1024, true);
	len = mk(pkt, RESP, h.id, 4, "abc", 3);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "unexpected EAP response type 4");
	hand_end(&h);

	/* an empty EAP-TLS answer to the Start */
	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0, -1, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "unexpected empty EAP-TLS response");
	hand_end(&h);

	/* not TLS at all */
	hand_start(&h, 1024, true);
	len = mk_tls(pkt, RESP, h.id, 0, -1, "GET / HTTP/1.1\r\n\r\n", 18);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.s), "TLS handshake failed"));
	assert_failure_pkt(&h, pkt[1]);
	hand_end(&h);
}

static void test_server_data_while_sending(void **state)
{
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	struct eap_tls *c = eap_tls_client_new(cctx, IDENTITY, 1024);
	uint8_t pkt[BUF], hello[BUF];
	size_t len, n;
	struct hand h;

	/* a real ClientHello makes the server queue a large flight */
	len = mk_tls(pkt, REQ, 1, 0x20, -1, NULL, 0);
	assert_int_equal(eap_tls_input(c, pkt, len, hello, sizeof(hello), &n),
			 EAP_TLS_CONTINUE);
	hand_start(&h, EAP_TLS_MIN_FRAG, true);
	hello[1] = h.id;
	assert_int_equal(hand_in(&h, hello, n), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, EAP_TLS_MIN_FRAG + 10);
	assert_int_equal(h.out[5], 0xc0);	/* L and M */
	/* an ack gets the next fragment, M still set, no L */
	len = mk_tls(pkt, RESP, h.id, 0, -1, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, EAP_TLS_MIN_FRAG + 6);
	assert_int_equal(h.out[5], 0x40);
	len = mk_tls(pkt, RESP, h.id, 0, -1, "\x16", 1);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.s),
			    "peer sent data while our fragments are pending");
	hand_end(&h);
	eap_tls_free(c);
	SSL_CTX_free(cctx);
}

static void test_round_limit(void **state)
{
	uint8_t pkt[64];
	enum eap_tls_status st;
	struct hand h;
	size_t len;
	int i;

	hand_start(&h, 1024, true);
	for (i = 0; i < 1000; i++) {
		len = mk_tls(pkt, RESP, h.id, 0x40, -1, "\x16", 1);
		st = hand_in(&h, pkt, len);
		if (st != EAP_TLS_CONTINUE)
			break;
		assert_int_equal(h.n, 6);
	}
	assert_int_equal(st, EAP_TLS_FAILURE);
	/* 64 + 2 * (64 KiB / 1024) Requests, two of them before these */
	assert_int_equal(i, 64 + 128 - 2);
	assert_non_null(strstr(eap_tls_error(h.s), "too many EAP round trips"));
	assert_failure_pkt(&h, pkt[1]);
	hand_end(&h);
}

static void test_truncated(void **state)
{
	uint8_t pkt[64], again[16];
	struct hand h;
	size_t len;

	hand_start(&h, 1024, false);
	len = mk(pkt, RESP, h.id, 1, "user", 4);
	/* shorter than the header, than its Length, Length below 4 or 5 */
	assert_int_equal(hand_in(&h, pkt, 0), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_int_equal(hand_in(&h, NULL, 9), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_int_equal(hand_in(&h, pkt, 3), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_int_equal(hand_in(&h, pkt, len - 1), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	pkt[3] = 3;
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	pkt[3] = 4;
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	pkt[0] = 9;
	pkt[3] = len;
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_string_equal(eap_tls_identity(h.s), "");
	assert_int_equal(eap_tls_retransmit(h.s, again, sizeof(again)), 5);
	assert_int_equal(again[4], 1);

	/* trailing bytes beyond Length are not part of the packet */
	len = mk(pkt, RESP, h.id, 1, "user", 4);
	memcpy(pkt + len, "junk!", 5);
	assert_int_equal(hand_in(&h, pkt, len + 5), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_string_equal(eap_tls_identity(h.s), "user");

	/* EAP-TLS without its flags, or with L but no length */
	len = mk(pkt, RESP, h.id, 13, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	len = mk(pkt, RESP, h.id, 13, "\x80\0\0", 3);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_string_equal(eap_tls_error(h.s), "");
	hand_end(&h);
}

static void test_identity_sanitized(void **state)
{
	uint8_t pkt[400], name[300];
	char want[254];
	struct hand h;
	size_t len;

	memset(name, 'a', sizeof(name));
	name[0] = 0x01;
	name[1] = 0xff;
	name[2] = 0;
	name[3] = 0x7f;
	name[4] = ' ';
	hand_start(&h, 1024, false);
	len = mk(pkt, RESP, h.id, 1, name, sizeof(name));
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	memset(want, 'a', 253);
	memcpy(want, "???? ", 5);
	want[253] = '\0';
	assert_int_equal(strlen(eap_tls_identity(h.s)), 253);
	assert_string_equal(eap_tls_identity(h.s), want);
	hand_end(&h);

	hand_start(&h, 1024, false);
	len = mk(pkt, RESP, h.id, 1, NULL, 0);
	assert_int_equal(hand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_string_equal(eap_tls_identity(h.s), "");
	hand_end(&h);
}

/* Client driven by hand. */

struct chand {
	SSL_CTX *ctx;
	struct eap_tls *c;
	uint8_t out[BUF];
	size_t n;
};

static void chand_start(struct chand *h, const char *identity)
{
	memset(h, 0, sizeof(*h));
	h->ctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	h->c = eap_tls_client_new(h->ctx, identity, 1024);
	assert_non_null(h->c);
}

static enum eap_tls_status chand_in(struct chand *h, const uint8_t *p,
				    size_t len)
{
	h->n = 77;
	return eap_tls_input(h->c, p, len, h->out, sizeof(h->out), &h->n);
}

static void chand_end(struct chand *h)
{
	eap_tls_free(h->c);
	SSL_CTX_free(h->ctx);
}

static void test_premature_success(void **state)
{
	uint8_t pkt[64], msk[EAP_MSK_LEN];
	struct chand h;
	size_t len;

	chand_start(&h, IDENTITY);
	len = mk(pkt, REQ, 1, 1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk(pkt, SUCC, 1, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_int_equal(h.n, 0);
	assert_non_null(strstr(eap_tls_error(h.c), "premature EAP-Success"));
	assert_int_equal(eap_tls_msk(h.c, msk), -EINVAL);
	chand_end(&h);

	/* in the middle of the handshake */
	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 2, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk(pkt, SUCC, 2, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.c), "premature EAP-Success"));
	chand_end(&h);
}

static void test_client_eap_failure(void **state)
{
	uint8_t pkt[64];
	struct chand h;
	size_t len;

	chand_start(&h, IDENTITY);
	len = mk(pkt, FAIL, 1, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.c), "gateway sent EAP-Failure");
	chand_end(&h);

	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 2, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk(pkt, FAIL, 2, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.c),
			    "gateway sent EAP-Failure during the TLS handshake");
	chand_end(&h);
}

static void test_client_naks_other_methods(void **state)
{
	static const uint8_t xnak[] = { 254, 0, 0, 0, 0, 0, 0, 3,
					254, 0, 0, 0, 0, 0, 0, 13 };
	uint8_t pkt[64];
	struct chand h;
	size_t len;

	chand_start(&h, IDENTITY);
	/* MD5-Challenge */
	len = mk(pkt, REQ, 3, 4, "\x10" "0123456789abcdef", 17);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_int_equal(h.out[0], RESP);
	assert_int_equal(h.out[1], 3);
	assert_int_equal(h.out[4], 3);
	assert_int_equal(h.out[5], 13);
	/* an expanded type gets an Expanded Nak */
	len = mk(pkt, REQ, 4, 254, "\0\0\x09\0\0\0\x01", 7);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 4 + sizeof(xnak));
	assert_int_equal(h.out[1], 4);
	assert_memory_equal(h.out + 4, xnak, sizeof(xnak));
	/* Notification is acknowledged */
	len = mk(pkt, REQ, 5, 2, "hello", 5);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 5);
	assert_int_equal(h.out[1], 5);
	assert_int_equal(h.out[4], 2);
	/* a Nak Request, a Response, a Request without a type: ignored */
	len = mk(pkt, REQ, 6, 3, "\x0d", 1);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	len = mk(pkt, RESP, 7, 1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	len = mk(pkt, REQ, 8, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	/* a truncated Request */
	len = mk(pkt, REQ, 9, 1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len - 1), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	assert_string_equal(eap_tls_error(h.c), "");
	assert_string_equal(eap_tls_identity(h.c), IDENTITY);
	chand_end(&h);
}

static void test_client_ignored_request_is_not_duplicate(void **state)
{
	uint8_t pkt[64];
	struct chand h;
	size_t len;

	chand_start(&h, "me");
	len = mk(pkt, REQ, 1, 1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 7);
	/* malformed EAP-TLS with a new id: no answer */
	len = mk(pkt, REQ, 2, 13, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 0);
	/* so a proper Request with id 2 is new, not a duplicate */
	len = mk_tls(pkt, REQ, 2, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_true(h.n > 10);
	assert_int_equal(h.out[1], 2);
	assert_int_equal(h.out[4], 13);
	chand_end(&h);
}

static void test_client_protocol_errors(void **state)
{
	uint8_t pkt[400], data[300] = { 0x16 };
	struct chand h;
	size_t len;

	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 1, 0, -1, "\x16", 1);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.c), "EAP-TLS request without Start");
	chand_end(&h);

	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 1, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk_tls(pkt, REQ, 2, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.c),
			    "unexpected EAP-TLS Start during the handshake");
	chand_end(&h);

	/* an empty Request with nothing of ours pending */
	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 1, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk_tls(pkt, REQ, 2, 0, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_string_equal(eap_tls_error(h.c),
			    "unexpected empty EAP-TLS request");
	chand_end(&h);

	/* fragments from the gateway are acknowledged, then checked */
	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 1, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk_tls(pkt, REQ, 2, 0x40, 250, data, 200);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	assert_int_equal(h.n, 6);
	assert_int_equal(h.out[0], RESP);
	assert_int_equal(h.out[1], 2);
	assert_int_equal(h.out[4], 13);
	assert_int_equal(h.out[5], 0);
	len = mk_tls(pkt, REQ, 3, 0, -1, data, 100);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.c), "(300 > 250)"));
	chand_end(&h);

	/* garbage where the ServerHello should be */
	chand_start(&h, IDENTITY);
	len = mk_tls(pkt, REQ, 1, 0x20, -1, NULL, 0);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_CONTINUE);
	len = mk_tls(pkt, REQ, 2, 0, -1, "HTTP/1.1 200 OK\r\n\r\n", 19);
	assert_int_equal(chand_in(&h, pkt, len), EAP_TLS_FAILURE);
	assert_non_null(strstr(eap_tls_error(h.c), "TLS handshake failed"));
	chand_end(&h);
}

static void test_client_long_identity(void **state)
{
	char name[300];
	uint8_t pkt[16], out[BUF];
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	struct eap_tls *c;
	size_t n, len;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	c = eap_tls_client_new(cctx, name, 64);
	assert_non_null(c);
	assert_int_equal(strlen(eap_tls_identity(c)), 253);
	len = mk(pkt, REQ, 1, 1, NULL, 0);
	/* too small a buffer is a failure, not an overflow */
	assert_int_equal(eap_tls_input(c, pkt, len, out, 100, &n),
			 EAP_TLS_FAILURE);
	assert_int_equal(n, 0);
	assert_non_null(strstr(eap_tls_error(c), "output buffer too small"));
	eap_tls_free(c);

	c = eap_tls_client_new(cctx, name, 64);
	assert_int_equal(eap_tls_input(c, pkt, len, out, sizeof(out), &n),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n, 5 + 253);
	eap_tls_free(c);

	c = eap_tls_client_new(cctx, NULL, 64);
	assert_int_equal(eap_tls_input(c, pkt, len, out, sizeof(out), &n),
			 EAP_TLS_CONTINUE);
	assert_int_equal(n, 5);
	eap_tls_free(c);
	SSL_CTX_free(cctx);
}

static void test_bad_arguments(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	SSL_CTX *tls13 = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	uint8_t out[BUF], msk[EAP_MSK_LEN], pkt[16];
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	size_t n;

	assert_null(eap_tls_server_new(NULL, test_verify, &vs, 1024));
	assert_null(eap_tls_server_new(sctx, NULL, &vs, 1024));
	assert_null(eap_tls_server_new(sctx, test_verify, &vs,
				       EAP_TLS_MIN_FRAG - 1));
	assert_null(eap_tls_server_new(sctx, test_verify, &vs,
				       EAP_TLS_MAX_FRAG + 1));
	assert_null(eap_tls_client_new(NULL, IDENTITY, 1024));
	assert_null(eap_tls_client_new(cctx, IDENTITY, 10));
	assert_int_equal(SSL_CTX_set_min_proto_version(tls13, TLS1_3_VERSION),
			 1);
	assert_null(eap_tls_client_new(tls13, IDENTITY, 1024));

	eap_tls_free(NULL);
	assert_int_equal(eap_tls_msk(NULL, msk), -EINVAL);
	assert_int_equal(eap_tls_server_start(NULL, out, sizeof(out)), 0);
	assert_int_equal(eap_tls_retransmit(NULL, out, sizeof(out)), 0);
	assert_null(eap_tls_peer_cert(NULL));
	assert_string_equal(eap_tls_identity(NULL), "");
	assert_non_null(eap_tls_error(NULL));
	n = 5;
	assert_int_equal(eap_tls_input(NULL, out, 5, out, sizeof(out), &n),
			 EAP_TLS_FAILURE);
	assert_int_equal(n, 0);

	s = eap_tls_server_new(sctx, test_verify, &vs, EAP_TLS_MAX_FRAG);
	c = eap_tls_client_new(cctx, IDENTITY, 1024);
	assert_non_null(s);
	assert_non_null(c);
	assert_string_equal(eap_tls_error(s), "");
	assert_int_equal(eap_tls_msk(s, NULL), -EINVAL);
	assert_int_equal(eap_tls_msk(c, msk), -EINVAL);
	assert_int_equal(eap_tls_server_start(c, out, sizeof(out)), 0);
	assert_int_equal(eap_tls_retransmit(s, out, sizeof(out)), 0);
	/* input before the start is ignored */
	mk(pkt, RESP, 0, 1, "u", 1);
	for (n = 0; n < 256; n++) {
		size_t got = 9;

		pkt[1] = n;
		assert_int_equal(eap_tls_input(s, pkt, 6, out, sizeof(out),
					       &got), EAP_TLS_CONTINUE);
		assert_int_equal(got, 0);
	}
	/* a start into too small a buffer sends nothing and can be retried */
	assert_int_equal(eap_tls_server_start(s, out, 4), 0);
	assert_int_equal(eap_tls_server_start(s, out, sizeof(out)), 5);
	/* a NULL out_len is tolerated */
	pkt[1] = out[1];
	assert_int_equal(eap_tls_input(s, pkt, 6, out, sizeof(out), NULL),
			 EAP_TLS_CONTINUE);
	assert_string_equal(eap_tls_identity(s), "u");
	eap_tls_free(s);
	eap_tls_free(c);
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
	SSL_CTX_free(tls13);
}

/* Free in the middle of a conversation, at every step. */
static void test_free_mid_handshake(void **state)
{
	SSL_CTX *sctx = srv_ctx(P.srv, P.srv_key);
	SSL_CTX *cctx = cli_ctx(P.cli, P.cli_key, NULL, P.ca);
	uint8_t a[BUF], b[BUF];
	struct vstate vs = { 0 };
	struct eap_tls *s, *c;
	size_t alen, blen;
	int stop, i;

	for (stop = 0; stop < 40; stop++) {
		s = eap_tls_server_new(sctx, test_verify, &vs, 200);
		c = eap_tls_client_new(cctx, IDENTITY, 200);
		alen = eap_tls_server_start(s, a, sizeof(a));
		for (i = 0; i < stop; i++) {
			if (eap_tls_input(c, a, alen, b, sizeof(b), &blen) ||
			    !blen)
				break;
			if (eap_tls_input(s, b, blen, a, sizeof(a), &alen) ||
			    !alen)
				break;
		}
		eap_tls_free(s);
		eap_tls_free(c);
	}
	SSL_CTX_free(sctx);
	SSL_CTX_free(cctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_ec_200),
		cmocka_unit_test(test_handshake_ec_1024),
		cmocka_unit_test(test_handshake_rsa_200),
		cmocka_unit_test(test_handshake_rsa_1024),
		cmocka_unit_test(test_handshake_min_frag),
		cmocka_unit_test(test_chain_passed_to_verify),
		cmocka_unit_test(test_verify_refuses),
		cmocka_unit_test(test_verify_refuses_without_reason),
		cmocka_unit_test(test_client_without_cert),
		cmocka_unit_test(test_refusal_alerts),
		cmocka_unit_test(test_alert_answered_otherwise),
		cmocka_unit_test(test_untrusted_server),
		cmocka_unit_test(test_known_server),
		cmocka_unit_test(test_other_server_verified),
		cmocka_unit_test(test_mismatched_identifier),
		cmocka_unit_test(test_server_retransmit),
		cmocka_unit_test(test_client_duplicate_request),
		cmocka_unit_test(test_fragment_exceeds_total),
		cmocka_unit_test(test_total_changed),
		cmocka_unit_test(test_message_shorter_than_total),
		cmocka_unit_test(test_total_too_large),
		cmocka_unit_test(test_nak),
		cmocka_unit_test(test_server_unexpected),
		cmocka_unit_test(test_server_data_while_sending),
		cmocka_unit_test(test_round_limit),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_identity_sanitized),
		cmocka_unit_test(test_premature_success),
		cmocka_unit_test(test_client_eap_failure),
		cmocka_unit_test(test_client_naks_other_methods),
		cmocka_unit_test(test_client_ignored_request_is_not_duplicate),
		cmocka_unit_test(test_client_protocol_errors),
		cmocka_unit_test(test_client_long_identity),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_free_mid_handshake),
	};

	int failed;

	failed = cmocka_run_group_tests_name("verify() inside OpenSSL's", tests,
					     group_setup, group_teardown);
	ctx_init = true;
	failed += cmocka_run_group_tests_name("verify() in place of OpenSSL's",
					      tests, group_setup,
					      group_teardown);
	return failed;
}
