// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS 1.3 traffic secret captured for kernel TLS: held after a real
 * handshake (OpenSSL both sides, in memory), wiped once ktls_start() has
 * decided, whether or not the kernel took the connection, and never taken
 * again afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/ktls.h"
#include "trust/issue.h"
#include "trust/pki.h"

struct pair {
	SSL_CTX *sctx, *cctx;
	SSL *srv, *cli;
};

static void pair_new(struct pair *p, bool capture)
{
	struct pki_cert_spec spec = {
		.kind = PKI_ROOT, .cn = "ktls test", .not_before = -60,
		.not_after = 3600,
	};
	BIO *sb, *cb;
	EVP_PKEY *key;
	X509 *cert;

	assert_int_equal(pki_issue(&spec, NULL, NULL, &cert, &key), 0);
	p->sctx = SSL_CTX_new(TLS_server_method());
	p->cctx = SSL_CTX_new(TLS_client_method());
	assert_non_null(p->sctx);
	assert_non_null(p->cctx);
	assert_int_equal(SSL_CTX_use_certificate(p->sctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(p->sctx, key), 1);
	X509_free(cert);
	EVP_PKEY_free(key);
	SSL_CTX_set_min_proto_version(p->sctx, TLS1_3_VERSION);
	SSL_CTX_set_min_proto_version(p->cctx, TLS1_3_VERSION);
	if (capture) {
		assert_int_equal(ktls_ctx_enable(p->sctx), 0);
		assert_int_equal(ktls_ctx_enable(p->cctx), 0);
	}
	p->srv = SSL_new(p->sctx);
	p->cli = SSL_new(p->cctx);
	assert_int_equal(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
	SSL_set_bio(p->srv, sb, sb);
	SSL_set_bio(p->cli, cb, cb);
	SSL_set_accept_state(p->srv);
	SSL_set_connect_state(p->cli);
}

/* Drive both ends until the handshake is done on both. */
static void pair_handshake(struct pair *p)
{
	int i, rs = 0, rc = 0;

	for (i = 0; i < 100 && (rs != 1 || rc != 1); i++) {
		if (rc != 1)
			rc = SSL_do_handshake(p->cli);
		if (rs != 1)
			rs = SSL_do_handshake(p->srv);
	}
	assert_int_equal(rs, 1);
	assert_int_equal(rc, 1);
	assert_int_equal(SSL_version(p->srv), TLS1_3_VERSION);
}

static void pair_free(struct pair *p)
{
	SSL_free(p->srv);
	SSL_free(p->cli);
	SSL_CTX_free(p->sctx);
	SSL_CTX_free(p->cctx);
}

/* No kTLS on a BIO pair: the decision is "userspace", the secret goes. */
static void test_wiped_when_ktls_unavailable(void **state)
{
	struct pair p;
	char why[160];
	bool tx, rx;

	(void)state;
	pair_new(&p, true);
	pair_handshake(&p);
	assert_true(ktls_secret_held(p.srv));
	assert_true(ktls_secret_held(p.cli));

	ktls_start(p.srv, true, &tx, &rx, why, sizeof(why));
	assert_false(tx);
	assert_false(rx);
	assert_non_null(strstr(why, "kernel TLS unavailable"));
	assert_false(ktls_secret_held(p.srv));

	ktls_start(p.cli, false, &tx, &rx, why, sizeof(why));
	assert_false(tx);
	assert_false(ktls_secret_held(p.cli));
	pair_free(&p);
}

/* Data and tickets after the decision log nothing new to keep. */
static void test_nothing_taken_after(void **state)
{
	unsigned char buf[64];
	struct pair p;
	char why[160];
	bool tx, rx;
	int i;

	(void)state;
	pair_new(&p, true);
	pair_handshake(&p);
	ktls_start(p.srv, true, &tx, &rx, why, sizeof(why));
	ktls_start(p.cli, false, &tx, &rx, why, sizeof(why));
	for (i = 0; i < 3; i++) {
		assert_int_equal(SSL_write(p.cli, "ping", 4), 4);
		assert_int_equal(SSL_read(p.srv, buf, sizeof(buf)), 4);
		assert_int_equal(SSL_write(p.srv, "pong", 4), 4);
		assert_int_equal(SSL_read(p.cli, buf, sizeof(buf)), 4);
	}
	/* A key update logs no new secret either. */
	assert_int_equal(SSL_key_update(p.cli, SSL_KEY_UPDATE_REQUESTED), 1);
	assert_int_equal(SSL_write(p.cli, "x", 1), 1);
	assert_int_equal(SSL_read(p.srv, buf, sizeof(buf)), 1);
	assert_false(ktls_secret_held(p.srv));
	assert_false(ktls_secret_held(p.cli));
	pair_free(&p);
}

/* Without ktls_ctx_enable nothing is captured in the first place. */
static void test_no_capture_without_ktls(void **state)
{
	struct pair p;

	(void)state;
	pair_new(&p, false);
	pair_handshake(&p);
	assert_false(ktls_secret_held(p.srv));
	assert_false(ktls_secret_held(p.cli));
	pair_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_capture_without_ktls),
		cmocka_unit_test(test_wiped_when_ktls_unavailable),
		cmocka_unit_test(test_nothing_taken_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
