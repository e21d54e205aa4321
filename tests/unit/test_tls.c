// SPDX-License-Identifier: GPL-2.0
/*
 * The TLS contexts of net/tls.c: which certificate chain each side sends,
 * checked on a real handshake between two of them over a BIO pair.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/tls.h"
#include "trust/issue.h"

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static void issue(enum pki_kind kind, const char *cn, X509 *ca, EVP_PKEY *cak,
		  X509 **x, EVP_PKEY **k)
{
	struct pki_cert_spec spec = {
		.kind = kind, .cn = cn, .not_before = -3600,
		.not_after = 86400,
		.san_dns = kind == PKI_SERVER ? "gw.test" : NULL,
	};

	assert_int_equal(pki_issue(&spec, ca, cak, x, k), 0);
}

static void write_pair(const char *name, X509 *x, X509 *extra, EVP_PKEY *k)
{
	char p[128], n[64];

	snprintf(n, sizeof(n), "%s.crt", name);
	path(p, sizeof(p), n);
	assert_int_equal(pki_write_cert(p, x, extra), 0);
	snprintf(n, sizeof(n), "%s.key", name);
	path(p, sizeof(p), n);
	assert_int_equal(pki_write_key(p, k), 0);
}

/*
 * root signs an intermediate, the server and "cli"; the intermediate signs
 * "icli". root.pem holds the root, cas.pem the root and the intermediate;
 * icli.crt is the leaf alone, icli-chain.crt the leaf and the intermediate.
 */
static int setup(void **state)
{
	X509 *root, *ica, *srv, *cli, *icli;
	EVP_PKEY *rk, *ik, *sk, *ck, *ick;
	char p[128];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_tls.XXXXXX");
	assert_non_null(mkdtemp(dir));
	issue(PKI_ROOT, "Test Root", NULL, NULL, &root, &rk);
	issue(PKI_ROOT, "Test Intermediate", root, rk, &ica, &ik);
	issue(PKI_SERVER, "gw.test", root, rk, &srv, &sk);
	issue(PKI_CLIENT, "cli@test", root, rk, &cli, &ck);
	issue(PKI_CLIENT, "icli@test", ica, ik, &icli, &ick);
	path(p, sizeof(p), "root.pem");
	assert_int_equal(pki_write_cert(p, root, NULL), 0);
	path(p, sizeof(p), "cas.pem");
	assert_int_equal(pki_write_cert(p, root, ica), 0);
	write_pair("srv", srv, NULL, sk);
	write_pair("cli", cli, NULL, ck);
	write_pair("icli", icli, NULL, ick);
	write_pair("icli-chain", icli, ica, ick);
	X509_free(root);
	X509_free(ica);
	X509_free(srv);
	X509_free(cli);
	X509_free(icli);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(sk);
	EVP_PKEY_free(ck);
	EVP_PKEY_free(ick);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static int accept_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

static SSL_CTX *server_ctx(void)
{
	struct tls_server_opts o = { .min_version = TLS1_2_VERSION };
	char crt[128], key[128], err[512];
	SSL_CTX *ctx = NULL;

	path(crt, sizeof(crt), "srv.crt");
	path(key, sizeof(key), "srv.key");
	o.cert_file = crt;
	o.key_file = key;
	assert_int_equal(tls_server_ctx(&o, &ctx, err, sizeof(err)), 0);
	return ctx;
}

static SSL_CTX *eap_client_ctx(const char *ca, const char *name,
				const char *keyname)
{
	struct tls_client_opts o = { 0 };
	char cap[128], crt[128], key[128], n[64], err[512];
	SSL_CTX *ctx = NULL;

	path(cap, sizeof(cap), ca);
	snprintf(n, sizeof(n), "%s.crt", name);
	path(crt, sizeof(crt), n);
	snprintf(n, sizeof(n), "%s.key", keyname);
	path(key, sizeof(key), n);
	o.ca_file = cap;
	o.cert_file = crt;
	o.key_file = key;
	assert_int_equal(tls_eap_client_ctx(&o, &ctx, err, sizeof(err)), 0);
	return ctx;
}

/*
 * A handshake between the two contexts, the server asking for a client
 * certificate. The common names of the certificates the client sent after
 * its leaf go in sent[], comma-separated.
 */
static void handshake(SSL_CTX *cctx, SSL_CTX *sctx, char *sent, size_t len)
{
	SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
	STACK_OF(X509) *chain;
	BIO *bc, *bs;
	int i, rc = 0, rs = 0;
	size_t off = 0;

	assert_non_null(c);
	assert_non_null(s);
	assert_int_equal(BIO_new_bio_pair(&bc, 0, &bs, 0), 1);
	SSL_set_bio(c, bc, bc);
	SSL_set_bio(s, bs, bs);
	SSL_set_connect_state(c);
	SSL_set_accept_state(s);
	SSL_set_verify(s, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
		       accept_any);
	for (i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
		if (rc != 1)
			rc = SSL_do_handshake(c);
		if (rs != 1)
			rs = SSL_do_handshake(s);
	}
	assert_int_equal(rc, 1);
	assert_int_equal(rs, 1);
	/* On the server side the chain leaves out the client's leaf. */
	chain = SSL_get_peer_cert_chain(s);
	sent[0] = '\0';
	for (i = 0; i < sk_X509_num(chain); i++) {
		char cn[64] = "";

		X509_NAME_get_text_by_NID(X509_get_subject_name(
				sk_X509_value(chain, i)), NID_commonName, cn,
				sizeof(cn));
		off += (size_t)snprintf(sent + off, len - off, "%s%s",
					off ? "," : "", cn);
	}
	SSL_free(c);
	SSL_free(s);
}

/* A leaf under the root: the root is not sent, the peer has it or not. */
static void test_client_sends_no_root(void **state)
{
	SSL_CTX *s = server_ctx(), *c = eap_client_ctx("root.pem", "cli", "cli");
	char sent[256];

	(void)state;
	handshake(c, s, sent, sizeof(sent));
	assert_string_equal(sent, "");
	SSL_CTX_free(c);
	SSL_CTX_free(s);
}

/* The intermediate found in the CA file still goes, the root does not. */
static void test_client_sends_found_intermediate(void **state)
{
	SSL_CTX *s = server_ctx(), *c = eap_client_ctx("cas.pem", "icli", "icli");
	char sent[256];

	(void)state;
	handshake(c, s, sent, sizeof(sent));
	assert_string_equal(sent, "Test Intermediate");
	SSL_CTX_free(c);
	SSL_CTX_free(s);
}

/* A certificate file with its chain is sent as it is. */
static void test_file_chain_kept(void **state)
{
	SSL_CTX *s = server_ctx(),
		*c = eap_client_ctx("root.pem", "icli-chain", "icli");
	char sent[256];

	(void)state;
	handshake(c, s, sent, sizeof(sent));
	assert_string_equal(sent, "Test Intermediate");
	SSL_CTX_free(c);
	SSL_CTX_free(s);
}

/* Built once: no context is left to build its chain per handshake. */
static void test_chain_prebuilt(void **state)
{
	SSL_CTX *s = server_ctx(), *c = eap_client_ctx("root.pem", "cli", "cli");
	STACK_OF(X509) *chain = NULL;

	(void)state;
	assert_int_equal(SSL_CTX_get0_chain_certs(s, &chain), 1);
	assert_non_null(chain);
	assert_int_equal(sk_X509_num(chain), 0);
	chain = NULL;
	assert_int_equal(SSL_CTX_get0_chain_certs(c, &chain), 1);
	assert_non_null(chain);
	assert_int_equal(sk_X509_num(chain), 0);
	SSL_CTX_free(c);
	SSL_CTX_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_sends_no_root),
		cmocka_unit_test(test_client_sends_found_intermediate),
		cmocka_unit_test(test_file_chain_kept),
		cmocka_unit_test(test_chain_prebuilt),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
