// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509v3.h>

#include "sstpctl/cmd_cert.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "trust/revoked.h"

#define DAY (24L * 3600)

static char tmp[64];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int group_setup(void **state)
{
	size_t n = (size_t)snprintf(tmp, sizeof(tmp), "/tmp/test_pki.");

	(void)state;
	/* The template mkdtemp fills in. */
	memset(tmp + n, 'X', 6);
	tmp[n + 6] = '\0';
	return mkdtemp(tmp) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under tmp for one test. */
static void mkdir_t(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", tmp, name);
	assert_int_equal(mkdir(out, 0700), 0);
}

static void path_t(char *out, size_t len, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(out, len, "%s/%s", dir, name) < len);
}

static X509 *issue(enum pki_kind kind, const char *cn, X509 *ca,
		   EVP_PKEY *ca_key, long nb, long na, bool no_eku,
		   EVP_PKEY **key)
{
	struct pki_cert_spec spec = {
		.kind = kind, .cn = cn, .not_before = nb, .not_after = na,
		.no_eku = no_eku,
	};
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	assert_int_equal(pki_issue(&spec, ca, ca_key, &x, &k), 0);
	assert_non_null(x);
	assert_non_null(k);
	if (key)
		*key = k;
	else
		EVP_PKEY_free(k);
	return x;
}

static X509 *make_root(const char *cn, EVP_PKEY **key)
{
	return issue(PKI_ROOT, cn, NULL, NULL, -3600, 3650 * DAY, false, key);
}

static X509 *make_client(const char *cn, X509 *ca, EVP_PKEY *ca_key)
{
	return issue(PKI_CLIENT, cn, ca, ca_key, -3600, 365 * DAY, false,
		     NULL);
}

static struct pki *pki_with(X509 *root)
{
	struct pki *pki = pki_new();
	char err[256];

	assert_non_null(pki);
	if (root)
		assert_int_equal(pki_add_root(pki, root, err, sizeof(err)), 0);
	return pki;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* Independent of pki.c: X509_digest and printf. */
static void digest_hex(X509 *x, const EVP_MD *md, char *out)
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	assert_int_equal(X509_digest(x, md, d, &len), 1);
	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02X", d[i]);
}

/* The refusal names the leaf by subject and SHA-1, then the rule. */
static void assert_refused(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, const char *rule)
{
	char why[1024], subj[256], sha1[41], prefix[400];

	memset(why, 'x', sizeof(why));
	assert_int_equal(pki_verify_client(pki, leaf, chain, why, sizeof(why)),
			 -EACCES);
	pki_subject(leaf, subj, sizeof(subj));
	digest_hex(leaf, EVP_sha1(), sha1);
	snprintf(prefix, sizeof(prefix), "certificate \"%s\" (SHA1 %s): ",
		 subj, sha1);
	if (strncmp(why, prefix, strlen(prefix)))
		fail_msg("\"%s\" does not begin with \"%s\"", why, prefix);
	assert_contains(why + strlen(prefix), rule);
}

static void assert_accepted(const struct pki *pki, X509 *leaf,
			    STACK_OF(X509) *chain)
{
	char why[1024] = "unchanged";
	int ret = pki_verify_client(pki, leaf, chain, why, sizeof(why));

	if (ret)
		fail_msg("refused (%d): %s", ret, why);
	assert_string_equal(why, "");
}

static void write_file(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s), 0644);
}

static void write_der(const char *path, X509 *x)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);

	assert_true(len > 0);
	write_file(path, der, (size_t)len, 0644);
	OPENSSL_free(der);
}

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

/* Verification */

static void test_accept_client(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("client1@example.test", root, rk);
	struct pki *pki = pki_with(root);
	X509 *anchor = NULL;
	char why[256];

	(void)state;
	assert_accepted(pki, leaf, NULL);
	assert_int_equal(pki_verify_client_root(pki, leaf, NULL, &anchor, NULL, why,
						sizeof(why)), 0);
	assert_non_null(anchor);
	assert_int_equal(X509_cmp(anchor, root), 0);
	assert_false(pki_cert_revoked(pki, leaf));
	assert_true(pki_has_client_auth(leaf));
	/* A NULL why buffer is allowed. */
	assert_int_equal(pki_verify_client(pki, leaf, NULL, NULL, 0), 0);
	X509_free(anchor);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_unknown_root(void **state)
{
	EVP_PKEY *ka, *kb;
	X509 *a = make_root("Root A", &ka), *b = make_root("Root B", &kb);
	X509 *leaf = make_client("mallory@example.test", b, kb);
	struct pki *pki = pki_with(a);
	struct pki *empty = pki_with(NULL);
	STACK_OF(X509) *chain = sk_X509_new_null();

	(void)state;
	assert_refused(pki, leaf, NULL,
		       "does not chain to a trusted root (unable to get local issuer certificate)");
	/* The foreign root presented as chain does not help. */
	assert_true(sk_X509_push(chain, b) > 0);
	assert_refused(pki, leaf, chain,
		       "does not chain to a trusted root "
		       "(self-signed certificate in certificate chain)");
	sk_X509_free(chain);
	/* A foreign root as leaf is a CA before it is untrusted. */
	assert_refused(pki, b, NULL, "is a CA certificate");
	assert_refused(empty, leaf, NULL,
		       "does not chain to a trusted root (no trusted roots configured)");
	assert_int_equal(pki_verify_client(pki, NULL, NULL, NULL, 0), -EACCES);
	pki_free(pki);
	pki_free(empty);
	X509_free(leaf);
	X509_free(a);
	X509_free(b);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
}

static void test_expired(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = issue(PKI_CLIENT, "old@example.test", root, rk,
			   -10 * DAY, -DAY, false, NULL);
	struct pki *pki = pki_with(root);
	char when[40];

	(void)state;
	assert_int_equal(pki_time_str(X509_get0_notAfter(leaf), when,
				      sizeof(when)), 0);
	assert_int_equal(strlen(when), strlen("2025-01-31 23:59:59 UTC"));
	assert_refused(pki, leaf, NULL, "expired on ");
	assert_refused(pki, leaf, NULL, when);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_not_yet_valid(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = issue(PKI_CLIENT, "future@example.test", root, rk, DAY,
			   10 * DAY, false, NULL);
	struct pki *pki = pki_with(root);
	char when[40], rule[80];

	(void)state;
	pki_time_str(X509_get0_notBefore(leaf), when, sizeof(when));
	snprintf(rule, sizeof(rule), "not valid before %s", when);
	assert_refused(pki, leaf, NULL, rule);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_no_eku(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = issue(PKI_CLIENT, "noeku@example.test", root, rk, -3600,
			   DAY, true, NULL);
	struct pki *pki = pki_with(root);

	(void)state;
	assert_int_equal(X509_get_ext_by_NID(leaf, NID_ext_key_usage, -1), -1);
	assert_false(pki_has_client_auth(leaf));
	assert_refused(pki, leaf, NULL,
		       "has no Client Authentication EKU (no extendedKeyUsage extension)");
	/* A root presented as a client is refused as the anchor it is. */
	assert_refused(pki, root, NULL,
		       "is a trusted root, not a client certificate");
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_server_eku_only(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = issue(PKI_SERVER, "vpn.example.test", root, rk, -3600,
			   DAY, false, NULL);
	struct pki *pki = pki_with(root);

	(void)state;
	assert_false(pki_has_client_auth(leaf));
	assert_refused(pki, leaf, NULL,
		       "has no Client Authentication EKU (EKU: serverAuth)");
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

/* "ab:cd:..." in lower case, from the upper-case hex. */
static void colon_lower(const char *hex, char *out)
{
	size_t i, o = 0;

	for (i = 0; hex[i]; i++) {
		if (i && !(i % 2))
			out[o++] = ':';
		out[o++] = (char)(hex[i] >= 'A' ? hex[i] + 32 : hex[i]);
	}
	out[o] = '\0';
}

static void test_revoked_sha1(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("client1@example.test", root, rk);
	X509 *other = make_client("client2@example.test", root, rk);
	struct pki *pki = pki_with(root);
	char sha1[41], messy[80], rule[100];

	(void)state;
	digest_hex(leaf, EVP_sha1(), sha1);
	colon_lower(sha1, messy);
	assert_int_equal(pki_revoke(pki, messy), 0);
	assert_int_equal(pki_revoked_count(pki), 1);
	/* Revoking again, in another spelling, changes nothing. */
	assert_int_equal(pki_revoke(pki, sha1), 0);
	assert_int_equal(pki_revoked_count(pki), 1);
	assert_true(pki_cert_revoked(pki, leaf));
	assert_false(pki_cert_revoked(pki, other));
	snprintf(rule, sizeof(rule), "is revoked (thumbprint %s)", sha1);
	assert_refused(pki, leaf, NULL, rule);
	assert_accepted(pki, other, NULL);
	pki_free(pki);
	X509_free(leaf);
	X509_free(other);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_revoked_sha256(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("client1@example.test", root, rk);
	struct pki *pki = pki_with(root);
	char sha256[65], spaced[100], rule[120];
	size_t i, o = 0;

	(void)state;
	digest_hex(leaf, EVP_sha256(), sha256);
	for (i = 0; sha256[i]; i++) {
		if (i && !(i % 4))
			spaced[o++] = ' ';
		spaced[o++] = sha256[i];
	}
	spaced[o] = '\0';
	assert_int_equal(pki_revoke(pki, spaced), 0);
	assert_true(pki_cert_revoked(pki, leaf));
	snprintf(rule, sizeof(rule), "is revoked (thumbprint %s)", sha256);
	assert_refused(pki, leaf, NULL, rule);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_revoked_root(void **state)
{
	EVP_PKEY *ka, *kb;
	X509 *a = make_root("Root A", &ka), *b = make_root("Root B", &kb);
	X509 *la = make_client("a@example.test", a, ka);
	X509 *lb = make_client("b@example.test", b, kb);
	struct pki *pki = pki_with(a);
	char sha1[41], rule[120];

	(void)state;
	assert_int_equal(pki_add_root(pki, b, NULL, 0), 0);
	pki_thumbprint_sha1(a, sha1);
	assert_int_equal(pki_revoke(pki, sha1), 0);
	assert_true(pki_cert_revoked(pki, la));
	assert_true(pki_cert_revoked(pki, a));
	assert_false(pki_cert_revoked(pki, lb));
	assert_false(pki_cert_revoked(pki, NULL));
	snprintf(rule, sizeof(rule),
		 "root \"CN=Root A\" is revoked (thumbprint %s)", sha1);
	assert_refused(pki, la, NULL, rule);
	assert_accepted(pki, lb, NULL);
	pki_free(pki);
	X509_free(la);
	X509_free(lb);
	X509_free(a);
	X509_free(b);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
}

static void test_unrevoke(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("client1@example.test", root, rk);
	struct pki *pki = pki_with(root);
	char sha1[41], sha256[65];

	(void)state;
	pki_thumbprint_sha1(leaf, sha1);
	pki_thumbprint_sha256(root, sha256);
	assert_int_equal(pki_revoke(pki, sha1), 0);
	assert_int_equal(pki_revoke(pki, sha256), 0);
	assert_refused(pki, leaf, NULL, "is revoked");
	assert_int_equal(pki_unrevoke(pki, sha1), 0);
	assert_refused(pki, leaf, NULL, "root \"CN=Root A\" is revoked");
	assert_int_equal(pki_unrevoke(pki, sha256), 0);
	assert_accepted(pki, leaf, NULL);
	assert_int_equal(pki_revoked_count(pki), 0);
	assert_int_equal(pki_unrevoke(pki, sha1), -ENOENT);
	assert_int_equal(pki_unrevoke(pki, "xyz"), -EINVAL);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_intermediate_chain(void **state)
{
	EVP_PKEY *rk, *ik, *ok;
	X509 *root = make_root("Root A", &rk);
	X509 *inter = issue(PKI_ROOT, "Issuing CA 1", root, rk, -3600,
			    365 * DAY, false, &ik);
	X509 *leaf = make_client("deep@example.test", inter, ik);
	X509 *old = issue(PKI_ROOT, "Issuing CA old", root, rk, -10 * DAY,
			  -DAY, false, &ok);
	X509 *leaf_old = make_client("stale@example.test", old, ok);
	STACK_OF(X509) *chain = sk_X509_new_null();
	STACK_OF(X509) *chain_old = sk_X509_new_null();
	struct pki *pki = pki_with(root);
	X509 *anchor = NULL;
	char sha1[41], why[512];

	(void)state;
	assert_int_equal(X509_check_ca(inter), 1);
	assert_true(sk_X509_push(chain, inter) > 0);
	assert_true(sk_X509_push(chain_old, old) > 0);
	assert_accepted(pki, leaf, chain);
	assert_int_equal(pki_verify_client_root(pki, leaf, chain, &anchor, NULL, why,
						sizeof(why)), 0);
	assert_int_equal(X509_cmp(anchor, root), 0);
	X509_free(anchor);
	/* Without the intermediate there is no path. */
	assert_refused(pki, leaf, NULL, "does not chain to a trusted root");
	/* An expired intermediate is named. */
	assert_refused(pki, leaf_old, chain_old,
		       "issuer \"CN=Issuing CA old\" expired on ");
	/* Revoking the intermediate refuses what it issued. */
	pki_thumbprint_sha1(inter, sha1);
	assert_int_equal(pki_revoke(pki, sha1), 0);
	assert_refused(pki, leaf, chain,
		       "issuer \"CN=Issuing CA 1\" is revoked");
	pki_free(pki);
	/* An intermediate in the trust directory is an anchor of its own. */
	pki = pki_with(inter);
	assert_accepted(pki, leaf, NULL);
	pki_free(pki);
	sk_X509_free(chain);
	sk_X509_free(chain_old);
	X509_free(leaf);
	X509_free(leaf_old);
	X509_free(inter);
	X509_free(old);
	X509_free(root);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(ok);
}

/*
 * A live session keeps the thumbprints of its verified chain: revoking the
 * intermediate (by SHA-1 or SHA-256) or the root covers it, a certificate
 * of another chain does not.
 */
static void test_chain_record(void **state)
{
	EVP_PKEY *rk, *ik, *bk;
	X509 *root = make_root("Root A", &rk);
	X509 *other = make_root("Root B", &bk);
	X509 *inter = issue(PKI_ROOT, "Issuing CA 1", root, rk, -3600,
			    365 * DAY, false, &ik);
	X509 *leaf = make_client("deep@example.test", inter, ik);
	X509 *leaf_b = make_client("b@example.test", other, bk);
	STACK_OF(X509) *chain = sk_X509_new_null();
	struct pki *pki = pki_with(root);
	struct pki_chain rec, rec_b;
	char tp[65], why[512], lower[65];
	X509 *anchor = NULL;
	size_t i;

	(void)state;
	assert_true(sk_X509_push(chain, inter) > 0);
	assert_int_equal(pki_add_root(pki, other, why, sizeof(why)), 0);
	memset(&rec, 0xff, sizeof(rec));
	assert_int_equal(pki_verify_client_root(pki, leaf, chain, &anchor,
						&rec, why, sizeof(why)), 0);
	X509_free(anchor);
	assert_int_equal(pki_verify_client_root(pki, leaf_b, NULL, NULL,
						&rec_b, why, sizeof(why)), 0);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec_b.n, 2);
	/* Leaf first, anchor last; both digests of each. */
	pki_thumbprint_sha1(leaf, tp);
	assert_string_equal(rec.sha1[0], tp);
	pki_thumbprint_sha256(inter, tp);
	assert_string_equal(rec.sha256[1], tp);
	assert_true(pki_chain_has(&rec, tp));
	assert_false(pki_chain_has(&rec_b, tp));
	pki_thumbprint_sha1(root, tp);
	assert_string_equal(rec.sha1[2], tp);
	assert_true(pki_chain_has(&rec, tp));
	assert_false(pki_chain_has(&rec_b, tp));
	/* Matching is on normalised (upper-case) thumbprints only. */
	for (i = 0; tp[i]; i++)
		lower[i] = (char)(tp[i] >= 'A' ? tp[i] + 32 : tp[i]);
	lower[i] = '\0';
	assert_false(pki_chain_has(&rec, lower));
	assert_false(pki_chain_has(&rec, ""));

	/* Revoking the intermediate by SHA-256 covers only that chain. */
	assert_false(pki_chain_revoked(pki, &rec));
	pki_thumbprint_sha256(inter, tp);
	assert_int_equal(pki_revoke(pki, tp), 0);
	assert_true(pki_chain_revoked(pki, &rec));
	assert_false(pki_chain_revoked(pki, &rec_b));
	assert_int_equal(pki_unrevoke(pki, tp), 0);
	assert_false(pki_chain_revoked(pki, &rec));
	/* The root by SHA-1, pasted with U+200E and colons. */
	pki_thumbprint_sha1(root, tp);
	{
		char pasted[200] = "\xe2\x80\x8e";
		size_t o = 3;

		for (i = 0; tp[i]; i += 2)
			o += (size_t)snprintf(pasted + o, sizeof(pasted) - o,
					      "%s%c%c", i ? ":" : "", tp[i],
					      tp[i + 1]);
		assert_int_equal(pki_revoke(pki, pasted), 0);
	}
	assert_true(pki_is_revoked(pki, tp));
	assert_true(pki_chain_revoked(pki, &rec));
	assert_false(pki_chain_revoked(pki, &rec_b));

	pki_free(pki);
	sk_X509_free(chain);
	X509_free(leaf);
	X509_free(leaf_b);
	X509_free(inter);
	X509_free(root);
	X509_free(other);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ik);
	EVP_PKEY_free(bk);
}

/* A chain longer than a session can record is refused, not half-tracked. */
static void test_chain_too_long(void **state)
{
	STACK_OF(X509) *chain = sk_X509_new_null();
	EVP_PKEY *k, *nk;
	X509 *root = make_root("Root", &k), *ca = root, *leaf;
	struct pki *pki = pki_with(root);
	struct pki_chain rec;
	char why[512], cn[32];
	int i;

	(void)state;
	X509_up_ref(root);
	for (i = 0; i < PKI_CHAIN_MAX; i++) {
		X509 *next;

		snprintf(cn, sizeof(cn), "CA %d", i);
		next = issue(PKI_ROOT, cn, ca, k, -3600, 365 * DAY, false, &nk);
		assert_true(sk_X509_insert(chain, next, 0) > 0);
		X509_free(ca);
		EVP_PKEY_free(k);
		X509_up_ref(next);
		ca = next;
		k = nk;
	}
	leaf = make_client("deep@example.test", ca, k);
	assert_int_equal(pki_verify_client_root(pki, leaf, chain, NULL, &rec,
						why, sizeof(why)), -EACCES);
	assert_contains(why, "chain longer than");
	assert_int_equal(rec.n, 0);
	/* Without a record to keep, the same chain passes. */
	assert_int_equal(pki_verify_client(pki, leaf, chain, why, sizeof(why)),
			 0);
	sk_X509_pop_free(chain, X509_free);
	X509_free(ca);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(k);
	pki_free(pki);
}

/* Several roots at once: all or none. */
static void test_add_roots(void **state)
{
	EVP_PKEY *ka;
	X509 *a = make_root("Root A", &ka), *b = make_root("Root B", NULL);
	X509 *leaf = make_client("x@example.test", a, ka);
	STACK_OF(X509) *sk = sk_X509_new_null();
	struct pki *pki = pki_new();
	char err[256];
	int added = -1;

	(void)state;
	assert_true(sk_X509_push(sk, a) > 0);
	assert_true(sk_X509_push(sk, b) > 0);
	assert_true(sk_X509_push(sk, leaf) > 0);
	assert_int_equal(pki_add_roots(pki, sk, &added, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "not a CA");
	assert_int_equal(pki_root_count(pki), 0);
	assert_int_equal(added, 0);
	(void)sk_X509_pop(sk);
	assert_true(sk_X509_push(sk, a) > 0);	/* a duplicate */
	assert_int_equal(pki_add_roots(pki, sk, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 2);
	assert_int_equal(pki_root_count(pki), 2);
	assert_int_equal(pki_add_roots(pki, sk, &added, err, sizeof(err)), 0);
	assert_int_equal(added, 0);
	pki_thumbprint_sha1(b, err);
	assert_ptr_equal(pki_find_root(pki, err), pki_root(pki, 1));
	assert_int_equal(pki_remove_root(pki, err), 0);
	assert_null(pki_find_root(pki, err));
	sk_X509_free(sk);
	X509_free(a);
	X509_free(b);
	X509_free(leaf);
	EVP_PKEY_free(ka);
	pki_free(pki);
}

/* Thumbprints */

static void test_thumbprints(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	char mine1[41], mine256[65], ref1[41], ref256[65];
	uint8_t d1[20], d256[32], r1[20], r256[32];
	unsigned int len;

	(void)state;
	pki_thumbprint_sha1(root, mine1);
	pki_thumbprint_sha256(root, mine256);
	digest_hex(root, EVP_sha1(), ref1);
	digest_hex(root, EVP_sha256(), ref256);
	assert_string_equal(mine1, ref1);
	assert_string_equal(mine256, ref256);
	assert_int_equal(strlen(mine1), 40);
	assert_int_equal(strlen(mine256), 64);
	assert_int_equal(pki_cert_digests(root, d1, d256), 0);
	assert_int_equal(X509_digest(root, EVP_sha1(), r1, &len), 1);
	assert_int_equal(X509_digest(root, EVP_sha256(), r256, &len), 1);
	assert_memory_equal(d1, r1, 20);
	assert_memory_equal(d256, r256, 32);
	assert_int_equal(pki_cert_digests(NULL, d1, d256), -EINVAL);
	pki_thumbprint_sha1(NULL, mine1);
	assert_string_equal(mine1, "");
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_normalise(void **state)
{
	const char *sha1 = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
	struct pki *pki = pki_with(NULL);
	char out[65];

	(void)state;
	assert_int_equal(pki_thumbprint_normalise(sha1, out), 40);
	assert_string_equal(out, "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
	assert_int_equal(pki_thumbprint_normalise(
		"\xe2\x80\x8e" "0a 1b 2c 3d 4e 5f 60 71 82 93 a4 b5 c6 d7 e8 f9 01 23 45 67",
		out), 40);
	assert_string_equal(out, "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567");
	assert_int_equal(pki_thumbprint_normalise(
		"0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:01:23:45:67\t",
		out), 40);
	assert_int_equal(pki_thumbprint_normalise(
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		out), 64);
	assert_string_equal(out,
		"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
	/* Wrong lengths, non-hex, other separators. */
	assert_int_equal(pki_thumbprint_normalise("", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise("0a1b", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"0a1b2c3d4e5f60718293a4b5c6d7e8f90123456", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"0a1b2c3d4e5f60718293a4b5c6d7e8f9012345678", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"0g1b2c3d4e5f60718293a4b5c6d7e8f901234567", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"0a-1b2c3d4e5f60718293a4b5c6d7e8f901234567", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
		out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise("\xe2\x80", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(NULL, out), -EINVAL);
	assert_int_equal(pki_revoke(pki, "zz"), -EINVAL);
	assert_int_equal(pki_revoke(pki, NULL), -EINVAL);
	assert_int_equal(pki_revoked_count(pki), 0);
	pki_free(pki);
}

/*
 * One line of a revoked file, as pki_load_revoked_file and the daemon's
 * unrevoke (which must find what the next start would load) read it: the
 * exact bytes Windows' certificate dialog copies (U+200E, then lower-case
 * pairs and spaces), with a comment and a CRLF.
 */
static void test_revoked_line(void **state)
{
	static const char pasted[] = "\xe2\x80\x8e"
		"a1 b2 c3 d4 e5 f6 07 18 29 3a 4b 5c 6d 7e 8f 90 01 12 23 34"
		"  # pasted from certmgr\r\n";
	char norm[65] = "";

	(void)state;
	assert_int_equal(pki_revoked_line(pasted, strlen(pasted), norm), 1);
	assert_string_equal(norm, "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334");
	/* Only len bytes count: the rest of a buffer is not read. */
	assert_int_equal(pki_revoked_line("A1B2C3D4E5F60718293A4B5C6D7E8F9001122334"
					  "55\n", 40, norm), 1);
	assert_string_equal(norm, "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334");
	assert_int_equal(pki_revoked_line("", 0, norm), 0);
	assert_int_equal(pki_revoked_line(" \t \r\n", 5, norm), 0);
	assert_int_equal(pki_revoked_line("  # a1b2 only a comment\n", 24,
					  norm), 0);
	assert_int_equal(pki_revoked_line("a1b2\n", 5, norm), -EINVAL);
	assert_int_equal(pki_revoked_line("\xe2\x80\x8f" "A1B2C3D4E5F60718293A"
					  "4B5C6D7E8F9001122334", 43, norm),
			 -EINVAL);
	assert_int_equal(pki_revoked_line("A1B2C3D4E5F60718293A\0"
					  "4B5C6D7E8F9001122334", 41, norm),
			 -EINVAL);
}

static void test_revoked_file(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("client1@example.test", root, rk);
	struct pki *pki = pki_with(root);
	char dir[PATH_MAX], path[PATH_MAX], err[512], sha1[41], buf[1024];

	(void)state;
	mkdir_t(dir, sizeof(dir), "revoked");
	pki_thumbprint_sha1(leaf, sha1);
	snprintf(buf, sizeof(buf),
		 "\xef\xbb\xbf# revoked client certificates\r\n"
		 "\r\n"
		 "   \n"
		 "%s   # lost laptop\r\n"
		 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
		 sha1);
	path_t(path, sizeof(path), dir, "good.txt");
	write_str(path, buf);
	assert_int_equal(pki_load_revoked_file(pki, path, err, sizeof(err)),
			 0);
	assert_int_equal(pki_revoked_count(pki), 2);
	assert_refused(pki, leaf, NULL, "is revoked");

	/* A bad line is named and nothing of that file is added. */
	path_t(path, sizeof(path), dir, "bad.txt");
	write_str(path, "# header\n"
		  "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567\n"
		  "\n"
		  "not-a-thumbprint\n");
	assert_int_equal(pki_load_revoked_file(pki, path, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "bad.txt:4: not a SHA-1");
	assert_int_equal(pki_revoked_count(pki), 2);

	path_t(path, sizeof(path), dir, "nul.txt");
	write_file(path, "0a1b\0\n", 6, 0644);
	assert_int_equal(pki_load_revoked_file(pki, path, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "nul.txt:1: NUL byte");

	path_t(path, sizeof(path), dir, "missing.txt");
	assert_int_equal(pki_load_revoked_file(pki, path, err, sizeof(err)),
			 -ENOENT);
	assert_contains(err, "missing.txt");

	path_t(path, sizeof(path), dir, "empty.txt");
	write_str(path, "# nothing revoked yet\n");
	assert_int_equal(pki_load_revoked_file(pki, path, err, sizeof(err)),
			 0);
	assert_int_equal(pki_revoked_count(pki), 2);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

/* Keys and certificate files */

static void test_read_key_modes(void **state)
{
	EVP_PKEY *rk, *back = NULL;
	X509 *root = make_root("Root A", &rk);
	char dir[PATH_MAX], path[PATH_MAX], err[512];
	BIO *bio;
	char *pem;
	long len;

	(void)state;
	mkdir_t(dir, sizeof(dir), "keys");
	path_t(path, sizeof(path), dir, "k.key");
	assert_int_equal(pki_write_key(path, rk), 0);
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), 0);
	assert_int_equal(EVP_PKEY_eq(back, rk), 1);
	EVP_PKEY_free(back);

	assert_int_equal(chmod(path, 0644), 0);
	back = (EVP_PKEY *)1;
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -EPERM);
	assert_null(back);
	assert_contains(err, "private key ");
	assert_contains(err, "k.key is accessible by group or others (mode 0644); chmod 600 it");
	assert_null(strstr(err, "BEGIN"));
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -EPERM);
	assert_contains(err, "(mode 0640)");
	assert_int_equal(chmod(path, 0604), 0);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -EPERM);
	assert_int_equal(chmod(path, 0400), 0);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), 0);
	EVP_PKEY_free(back);

	/* Not a regular file, missing, not a key, encrypted. */
	assert_int_equal(pki_read_key(dir, &back, err, sizeof(err)), -EINVAL);
	assert_contains(err, "not a regular file");
	path_t(path, sizeof(path), dir, "none.key");
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -ENOENT);
	path_t(path, sizeof(path), dir, "cert.key");
	assert_int_equal(pki_write_cert(path, root, NULL), 0);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -EINVAL);
	assert_contains(err, "no PEM private key");

	bio = BIO_new(BIO_s_mem());
	assert_int_equal(PEM_write_bio_PKCS8PrivateKey(bio, rk,
						       EVP_aes_256_cbc(),
						       "pw", 2, NULL, NULL), 1);
	len = BIO_get_mem_data(bio, &pem);
	path_t(path, sizeof(path), dir, "enc.key");
	write_file(path, pem, (size_t)len, 0600);
	BIO_free(bio);
	assert_int_equal(pki_read_key(path, &back, err, sizeof(err)), -EINVAL);
	assert_contains(err, "is encrypted");
	assert_null(back);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_write_key_replaces(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	char dir[PATH_MAX], path[PATH_MAX], link[PATH_MAX], buf[64];
	FILE *f;

	(void)state;
	mkdir_t(dir, sizeof(dir), "wkey");
	path_t(path, sizeof(path), dir, "old.key");
	write_str(path, "an old file that everyone could read, much longer\n");
	assert_int_equal(file_mode(path), 0644);
	assert_int_equal(pki_write_key(path, rk), 0);
	assert_int_equal(file_mode(path), 0600);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "-----BEGIN PRIVATE KEY-----\n");
	/* Secrets are not written through symlinks. */
	path_t(link, sizeof(link), dir, "link.key");
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(pki_write_key(link, rk), -ELOOP);
	path_t(path, sizeof(path), dir, "nodir/x.key");
	assert_int_equal(pki_write_key(path, rk), -ENOENT);
	assert_int_equal(pki_write_key(path, NULL), -EINVAL);
	/* Certificates are public. */
	path_t(path, sizeof(path), dir, "c.crt");
	assert_int_equal(pki_write_cert(path, root, NULL), 0);
	assert_int_equal(file_mode(path), 0644);
	assert_int_equal(pki_write_cert(path, NULL, NULL), -EINVAL);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_read_cert(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("c@example.test", root, rk), *x = NULL;
	STACK_OF(X509) *sk = NULL;
	char dir[PATH_MAX], path[PATH_MAX], err[512];
	unsigned char *der = NULL, *longer;
	int len;

	(void)state;
	mkdir_t(dir, sizeof(dir), "certs");
	path_t(path, sizeof(path), dir, "chain.pem");
	assert_int_equal(pki_write_cert(path, leaf, root), 0);
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_int_equal(X509_cmp(x, leaf), 0);
	X509_free(x);
	assert_int_equal(pki_read_certs(path, &sk, err, sizeof(err)), 0);
	assert_int_equal(sk_X509_num(sk), 2);
	assert_int_equal(X509_cmp(sk_X509_value(sk, 1), root), 0);
	sk_X509_pop_free(sk, X509_free);

	path_t(path, sizeof(path), dir, "leaf.der");
	write_der(path, leaf);
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_int_equal(X509_cmp(x, leaf), 0);
	X509_free(x);

	/* DER with trailing bytes, garbage, empty, missing. */
	len = i2d_X509(leaf, &der);
	assert_true(len > 0);
	longer = malloc((size_t)len + 1);
	assert_non_null(longer);
	memcpy(longer, der, (size_t)len);
	longer[len] = 0;
	path_t(path, sizeof(path), dir, "trailing.der");
	write_file(path, longer, (size_t)len + 1, 0644);
	OPENSSL_free(der);
	free(longer);
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), -EINVAL);
	assert_contains(err, "trailing.der: no certificate");
	path_t(path, sizeof(path), dir, "junk.pem");
	write_str(path, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), -EINVAL);
	path_t(path, sizeof(path), dir, "empty.pem");
	write_str(path, "");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), -EINVAL);
	assert_null(x);
	path_t(path, sizeof(path), dir, "missing.pem");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), -ENOENT);
	assert_contains(err, "missing.pem");
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

/* Roots */

/* Certificates pki_issue would not make: v1, or keyUsage without BC. */
static X509 *handmade(const char *cn, int version, const char *ku,
		      X509 *issuer, EVP_PKEY *issuer_key, EVP_PKEY **keyp)
{
	EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509_NAME *name = X509_NAME_new();
	X509 *x = X509_new();
	X509V3_CTX ctx;

	assert_non_null(k);
	assert_true(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					       (const unsigned char *)cn, -1,
					       -1, 0));
	assert_true(X509_set_version(x, version));
	assert_true(ASN1_INTEGER_set(X509_get_serialNumber(x), 7));
	assert_true(X509_set_subject_name(x, name));
	assert_true(X509_set_issuer_name(x, issuer ?
					 X509_get_subject_name(issuer) : name));
	assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), DAY));
	assert_true(X509_set_pubkey(x, k));
	if (ku) {
		X509_EXTENSION *e;

		X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
		e = X509V3_EXT_nconf_nid(NULL, &ctx, NID_key_usage, ku);
		assert_non_null(e);
		assert_true(X509_add_ext(x, e, -1));
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, issuer ? issuer_key : k, EVP_sha256()) > 0);
	X509_NAME_free(name);
	if (keyp)
		*keyp = k;
	else
		EVP_PKEY_free(k);
	return x;
}

static void test_add_root(void **state)
{
	EVP_PKEY *rk, *v1k;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("c@example.test", root, rk);
	X509 *v1 = handmade("V1 Root", X509_VERSION_1, NULL, NULL, NULL, &v1k);
	X509 *ku_root = handmade("KU Root", X509_VERSION_3,
				 "critical,keyCertSign", NULL, NULL, NULL);
	X509 *ku_sub = handmade("KU Sub", X509_VERSION_3, "keyCertSign", root,
				rk, NULL);
	X509 *v3_plain = handmade("Plain", X509_VERSION_3, NULL, NULL, NULL,
				  NULL);
	X509 *v1_leaf = handmade("V1 Leaf", X509_VERSION_1, NULL, v1, v1k,
				 NULL);
	struct pki *pki = pki_new();
	char err[512], sha[65];

	(void)state;
	assert_int_equal(pki_add_root(pki, leaf, err, sizeof(err)), -EINVAL);
	assert_contains(err, "\"CN=c@example.test\" is not a CA");
	assert_int_equal(pki_add_root(pki, ku_sub, err, sizeof(err)), -EINVAL);
	assert_int_equal(pki_add_root(pki, v3_plain, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pki_add_root(pki, v1_leaf, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pki_add_root(pki, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(pki_root_count(pki), 0);

	assert_int_equal(pki_add_root(pki, root, err, sizeof(err)), 0);
	assert_int_equal(pki_add_root(pki, root, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 1);
	assert_int_equal(pki_add_root(pki, v1, err, sizeof(err)), 0);
	assert_int_equal(pki_add_root(pki, ku_root, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 3);
	assert_ptr_equal(pki_root(pki, 0), root);
	assert_null(pki_root(pki, 3));
	assert_accepted(pki, leaf, NULL);

	/* Removing a root takes effect on the next verification. */
	pki_thumbprint_sha256(root, sha);
	assert_int_equal(pki_remove_root(pki, sha), 0);
	assert_int_equal(pki_root_count(pki), 2);
	assert_int_equal(pki_remove_root(pki, sha), -ENOENT);
	assert_int_equal(pki_remove_root(pki, "nope"), -EINVAL);
	assert_refused(pki, leaf, NULL, "does not chain to a trusted root");
	pki_thumbprint_sha1(v1, sha);
	assert_int_equal(pki_remove_root(pki, sha), 0);
	assert_ptr_equal(pki_root(pki, 0), ku_root);
	assert_int_equal(pki_add_root(pki, root, err, sizeof(err)), 0);
	assert_accepted(pki, leaf, NULL);
	pki_free(pki);

	/* The root kept its own reference: ours is still valid. */
	assert_int_equal(X509_check_ca(root), 1);
	X509_free(leaf);
	X509_free(root);
	X509_free(v1);
	X509_free(ku_root);
	X509_free(ku_sub);
	X509_free(v3_plain);
	X509_free(v1_leaf);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(v1k);
}

static void test_root_limit(void **state)
{
	struct pki *pki = pki_new();
	char cn[32], err[256];
	unsigned int i;
	X509 *x;

	(void)state;
	for (i = 0; i < PKI_MAX_ROOTS; i++) {
		snprintf(cn, sizeof(cn), "Root %u", i);
		x = make_root(cn, NULL);
		assert_int_equal(pki_add_root(pki, x, err, sizeof(err)), 0);
		X509_free(x);
	}
	assert_int_equal(pki_root_count(pki), PKI_MAX_ROOTS);
	x = make_root("One too many", NULL);
	assert_int_equal(pki_add_root(pki, x, err, sizeof(err)), -ENOSPC);
	assert_contains(err, "too many trusted roots");
	X509_free(x);
	pki_free(pki);
}

static void test_load_roots(void **state)
{
	EVP_PKEY *ka, *kb, *kc;
	X509 *a = make_root("Root A", &ka), *b = make_root("Root B", &kb);
	X509 *c = make_root("Root C", &kc);
	X509 *lb = make_client("b@example.test", b, kb);
	X509 *lc = make_client("c@example.test", c, kc);
	char dir[PATH_MAX], path[PATH_MAX], err[512], subj[64];
	struct pki *pki = pki_new();

	(void)state;
	mkdir_t(dir, sizeof(dir), "roots");
	/* Empty is fine: the caller decides. */
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 0);

	path_t(path, sizeof(path), dir, "b.crt");
	assert_int_equal(pki_write_cert(path, b, NULL), 0);
	path_t(path, sizeof(path), dir, "a.cer");
	write_der(path, a);
	path_t(path, sizeof(path), dir, "C.PEM");
	assert_int_equal(pki_write_cert(path, c, a), 0);
	path_t(path, sizeof(path), dir, "dup.pem");
	assert_int_equal(pki_write_cert(path, b, NULL), 0);
	/* Not certificate names: ignored. */
	path_t(path, sizeof(path), dir, "README");
	write_str(path, "trusted roots go here\n");
	path_t(path, sizeof(path), dir, "root.key");
	assert_int_equal(pki_write_key(path, ka), 0);
	path_t(path, sizeof(path), dir, ".hidden.pem");
	write_str(path, "junk");

	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 3);
	/* Sorted by file name: C.PEM (C, then A), a.cer (dup), b.crt. */
	pki_subject(pki_root(pki, 0), subj, sizeof(subj));
	assert_string_equal(subj, "CN=Root C");
	pki_subject(pki_root(pki, 1), subj, sizeof(subj));
	assert_string_equal(subj, "CN=Root A");
	pki_subject(pki_root(pki, 2), subj, sizeof(subj));
	assert_string_equal(subj, "CN=Root B");
	assert_accepted(pki, lb, NULL);
	assert_accepted(pki, lc, NULL);
	/* Loading again adds nothing. */
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 3);
	pki_free(pki);

	path_t(path, sizeof(path), dir, "missing");
	pki = pki_new();
	assert_int_equal(pki_load_roots(pki, path, err, sizeof(err)), -ENOENT);
	assert_contains(err, "missing");
	pki_free(pki);
	X509_free(a);
	X509_free(b);
	X509_free(c);
	X509_free(lb);
	X509_free(lc);
	EVP_PKEY_free(ka);
	EVP_PKEY_free(kb);
	EVP_PKEY_free(kc);
}

static void test_load_roots_refuses(void **state)
{
	EVP_PKEY *rk;
	X509 *root = make_root("Root A", &rk);
	X509 *leaf = make_client("c@example.test", root, rk);
	char dir[PATH_MAX], path[PATH_MAX], err[512];
	struct pki *pki = pki_new();

	(void)state;
	mkdir_t(dir, sizeof(dir), "badroots");
	path_t(path, sizeof(path), dir, "a-root.pem");
	assert_int_equal(pki_write_cert(path, root, NULL), 0);
	path_t(path, sizeof(path), dir, "b-client.crt");
	assert_int_equal(pki_write_cert(path, leaf, NULL), 0);
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), -EINVAL);
	assert_contains(err, "b-client.crt");
	assert_contains(err, "\"CN=c@example.test\" is not a CA");
	/* All or nothing: the good root before it was not added. */
	assert_int_equal(pki_root_count(pki), 0);
	assert_int_equal(unlink(path), 0);

	path_t(path, sizeof(path), dir, "c-junk.cer");
	write_str(path, "this is not a certificate\n");
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), -EINVAL);
	assert_contains(err, "c-junk.cer: not a certificate");
	assert_int_equal(unlink(path), 0);

	path_t(path, sizeof(path), dir, "d-key.pem");
	assert_int_equal(pki_write_key(path, rk), 0);
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), -EINVAL);
	assert_contains(err, "d-key.pem holds a private key");
	assert_int_equal(unlink(path), 0);

	path_t(path, sizeof(path), dir, "e-dir.pem");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), -EINVAL);
	assert_contains(err, "e-dir.pem: not a regular file");
	assert_int_equal(rmdir(path), 0);

	assert_int_equal(pki_load_roots(pki, dir, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 1);
	pki_free(pki);
	X509_free(leaf);
	X509_free(root);
	EVP_PKEY_free(rk);
}

/* Issuing */

static bool ext_critical(X509 *x, int nid)
{
	int i = X509_get_ext_by_NID(x, nid, -1);

	assert_true(i >= 0);
	return X509_EXTENSION_get_critical(X509_get_ext(x, i));
}

static void test_issue_profiles(void **state)
{
	struct pki_cert_spec spec = {
		.kind = PKI_SERVER, .key_type = PKI_KEY_RSA2048,
		.cn = "vpn.example.test", .san_dns = "vpn.example.test",
		.san_ip = "2001:db8::1", .not_before = -60, .not_after = DAY,
	};
	EVP_PKEY *rk, *sk = NULL;
	X509 *root = make_root("Root A", &rk), *srv = NULL;
	X509 *cli = make_client("c@example.test", root, rk);
	const ASN1_INTEGER *serial;
	GENERAL_NAMES *gens;
	int sig_nid = 0;

	(void)state;
	/* Root */
	assert_int_equal(X509_check_ca(root), 1);
	assert_true(ext_critical(root, NID_basic_constraints));
	assert_true(ext_critical(root, NID_key_usage));
	assert_int_equal(X509_get_key_usage(root),
			 KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	assert_non_null(X509_get0_subject_key_id(root));
	assert_int_equal(X509_self_signed(root, 1), 1);
	assert_true(EVP_PKEY_is_a(X509_get0_pubkey(root), "EC"));
	/* Serial: 16 bytes, positive. */
	serial = X509_get0_serialNumber(root);
	assert_int_equal(ASN1_STRING_length(serial), 16);
	assert_int_equal(ASN1_STRING_type(serial), V_ASN1_INTEGER);
	assert_true(X509_get_signature_info(root, &sig_nid, NULL, NULL, NULL));
	assert_int_equal(sig_nid, NID_sha256);

	/* Server, RSA */
	assert_int_equal(pki_issue(&spec, root, rk, &srv, &sk), 0);
	assert_int_equal(X509_check_ca(srv), 0);
	assert_true(EVP_PKEY_is_a(sk, "RSA"));
	assert_int_equal(EVP_PKEY_get_bits(sk), 2048);
	assert_int_equal(X509_get_key_usage(srv),
			 KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_get_extended_key_usage(srv), XKU_SSL_SERVER);
	assert_non_null(X509_get0_authority_key_id(srv));
	assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(srv),
					       X509_get0_subject_key_id(root)),
			 0);
	gens = X509_get_ext_d2i(srv, NID_subject_alt_name, NULL, NULL);
	assert_non_null(gens);
	assert_int_equal(sk_GENERAL_NAME_num(gens), 2);
	assert_int_equal(sk_GENERAL_NAME_value(gens, 0)->type, GEN_DNS);
	assert_int_equal(sk_GENERAL_NAME_value(gens, 1)->type, GEN_IPADD);
	assert_int_equal(ASN1_STRING_length(sk_GENERAL_NAME_value(gens, 1)->d.ip),
			 16);
	GENERAL_NAMES_free(gens);
	assert_int_equal(X509_check_host(srv, "vpn.example.test", 0, 0, NULL),
			 1);
	assert_int_equal(X509_check_ip_asc(srv, "2001:db8::1", 0), 1);

	/* Client, EC */
	assert_int_equal(X509_get_key_usage(cli), KU_DIGITAL_SIGNATURE);
	assert_int_equal(X509_get_extended_key_usage(cli), XKU_SSL_CLIENT);
	assert_true(ext_critical(cli, NID_basic_constraints));
	assert_int_equal(X509_check_ca(cli), 0);
	assert_int_equal(X509_check_issued(root, cli), X509_V_OK);
	assert_int_equal(X509_verify(cli, X509_get0_pubkey(root)), 1);
	{
		char cn[80];

		assert_int_equal(pki_common_name(cli, cn, sizeof(cn)), 0);
		assert_string_equal(cn, "c@example.test");
		assert_int_equal(pki_common_name(cli, cn, 4), -ENAMETOOLONG);
	}
	/* Two serials differ. */
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(cli),
					      serial), 0);
	X509_free(srv);
	EVP_PKEY_free(sk);
	X509_free(cli);
	X509_free(root);
	EVP_PKEY_free(rk);
}

static void test_issue_invalid(void **state)
{
	struct pki_cert_spec ok = {
		.kind = PKI_CLIENT, .cn = "c", .not_before = 0,
		.not_after = DAY,
	};
	struct pki_cert_spec s;
	EVP_PKEY *rk, *ok2, *k = (EVP_PKEY *)1;
	X509 *root = make_root("Root A", &rk), *other = make_root("B", &ok2);
	X509 *leaf = make_client("c@example.test", root, rk);
	X509 *x = (X509 *)1;
	char longcn[70];

	(void)state;
	memset(longcn, 'a', 65);
	longcn[65] = '\0';
	s = ok;
	s.cn = NULL;
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	assert_null(x);
	assert_null(k);
	s.cn = "";
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s.cn = longcn;
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s = ok;
	s.not_after = s.not_before;
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s = ok;
	s.kind = (enum pki_kind)7;
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s = ok;
	s.key_type = (enum pki_key_type)9;
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s = ok;
	s.san_dns = "bad name,IP:1.2.3.4";
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s.san_dns = "";
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	s = ok;
	s.san_ip = "300.1.1.1";
	assert_int_equal(pki_issue(&s, root, rk, &x, &k), -EINVAL);
	/* Issuer without key, key without issuer, wrong key, non-CA. */
	assert_int_equal(pki_issue(&ok, root, NULL, &x, &k), -EINVAL);
	assert_int_equal(pki_issue(&ok, NULL, rk, &x, &k), -EINVAL);
	assert_int_equal(pki_issue(&ok, root, ok2, &x, &k), -EINVAL);
	assert_int_equal(pki_issue(&ok, leaf, rk, &x, &k), -EINVAL);
	assert_int_equal(pki_issue(NULL, NULL, NULL, &x, &k), -EINVAL);
	assert_int_equal(ERR_peek_error(), 0);
	X509_free(leaf);
	X509_free(root);
	X509_free(other);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ok2);
}

/* PKCS#12 */

static void test_p12(void **state)
{
	EVP_PKEY *rk, *ck, *pkey = NULL;
	X509 *root = make_root("Root A", &rk);
	X509 *cli = issue(PKI_CLIENT, "client1@example.test", root, rk, -60,
			  DAY, false, &ck);
	STACK_OF(X509) *ca = NULL;
	const X509_ALGOR *macalg = NULL;
	const ASN1_OBJECT *obj;
	char dir[PATH_MAX], path[PATH_MAX];
	X509 *cert = NULL;
	PKCS12 *p12;
	FILE *f;
	int len = 0;
	unsigned char *alias;

	(void)state;
	mkdir_t(dir, sizeof(dir), "p12");
	path_t(path, sizeof(path), dir, "c.p12");
	assert_int_equal(pki_write_p12(path, cli, ck, root, "s3cret"), 0);
	assert_int_equal(file_mode(path), 0600);

	f = fopen(path, "rb");
	assert_non_null(f);
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	assert_non_null(p12);
	assert_int_equal(PKCS12_verify_mac(p12, "s3cret", -1), 1);
	assert_int_equal(PKCS12_verify_mac(p12, "wrong", -1), 0);
	PKCS12_get0_mac(NULL, &macalg, NULL, NULL, p12);
	assert_non_null(macalg);
	X509_ALGOR_get0(&obj, NULL, NULL, macalg);
	assert_int_equal(OBJ_obj2nid(obj), NID_sha256);
	assert_int_equal(PKCS12_parse(p12, "wrong", &pkey, &cert, &ca), 0);
	ERR_clear_error();
	assert_int_equal(PKCS12_parse(p12, "s3cret", &pkey, &cert, &ca), 1);
	assert_int_equal(X509_cmp(cert, cli), 0);
	assert_int_equal(EVP_PKEY_eq(pkey, ck), 1);
	assert_int_equal(sk_X509_num(ca), 1);
	assert_int_equal(X509_cmp(sk_X509_value(ca, 0), root), 0);
	alias = X509_alias_get0(cert, &len);
	assert_non_null(alias);
	assert_int_equal(len, (int)strlen("client1@example.test"));
	assert_memory_equal(alias, "client1@example.test", (size_t)len);
	PKCS12_free(p12);
	X509_free(cert);
	EVP_PKEY_free(pkey);
	sk_X509_pop_free(ca, X509_free);

	assert_int_equal(pki_write_p12(path, cli, ck, NULL, ""), -EINVAL);
	assert_int_equal(pki_write_p12(path, cli, ck, NULL, NULL), -EINVAL);
	assert_int_equal(pki_write_p12(path, cli, rk, NULL, "x"), -EINVAL);
	assert_int_equal(pki_write_p12(path, cli, ck, NULL, "x"), 0);
	X509_free(cli);
	X509_free(root);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(ck);
}

/* Demo */

static int san_count(X509 *x, int type)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	int i, n = 0;

	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		n += sk_GENERAL_NAME_value(gens, i)->type == type;
	GENERAL_NAMES_free(gens);
	return n;
}

/*
 * A generated PKCS#12 password file: one line "XXXXX-XXXXX-XXXXX-XXXXX" of
 * base32, mode 0600; it opens p12_path, "sstp" (the old fixed default) does
 * not. The password is left in pw.
 */
static void assert_p12_password_file(const char *pw_path, const char *p12_path,
				     char *pw)
{
	PKCS12 *p12;
	FILE *f;
	size_t i;

	assert_int_equal(file_mode(pw_path), 0600);
	f = fopen(pw_path, "r");
	assert_non_null(f);
	assert_non_null(fgets(pw, 64, f));
	fclose(f);
	assert_int_equal(strlen(pw), 24);
	assert_true(pw[23] == '\n');
	pw[23] = 0;
	for (i = 0; i < 23; i++) {
		if (i % 6 == 5)
			assert_true(pw[i] == '-');
		else
			assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
					       pw[i]));
	}
	f = fopen(p12_path, "rb");
	assert_non_null(f);
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	assert_non_null(p12);
	assert_int_equal(PKCS12_verify_mac(p12, pw, -1), 1);
	assert_int_equal(PKCS12_verify_mac(p12, "sstp", -1), 0);
	PKCS12_free(p12);
}

static void test_random_password(void **state)
{
	char a[PKI_P12_PASSWORD_SIZE], b[PKI_P12_PASSWORD_SIZE], small[23];

	(void)state;
	assert_int_equal(pki_random_password(a, sizeof(a)), 0);
	assert_int_equal(pki_random_password(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 23);
	assert_true(a[5] == '-' && a[11] == '-' && a[17] == '-');
	assert_string_not_equal(a, b);
	assert_int_equal(pki_random_password(small, sizeof(small)), -EINVAL);
	assert_int_equal(pki_random_password(NULL, 64), -EINVAL);
}

static void test_demo(void **state)
{
	static const char *const keys[] = { "root.key", "server.key",
					    "client.key", "client.p12",
					    "client.p12.password" };
	static const char *const certs[] = { "roots/root.crt", "server.crt",
					     "client.crt" };
	char dir[PATH_MAX], path[PATH_MAX], err[512], cn[80], pw[64];
	char p12[PATH_MAX];
	struct pki *pki = pki_new();
	X509 *cli = NULL, *srv = NULL;
	EVP_PKEY *k = NULL;
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/demo", tmp);
	assert_int_equal(pki_demo_generate(dir, "vpn.example.test", err,
					   sizeof(err)), 0);
	assert_int_equal(file_mode(dir), 0700);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		path_t(path, sizeof(path), dir, keys[i]);
		assert_int_equal(file_mode(path), 0600);
	}
	for (i = 0; i < sizeof(certs) / sizeof(certs[0]); i++) {
		path_t(path, sizeof(path), dir, certs[i]);
		assert_int_equal(file_mode(path), 0644);
	}
	/* client.p12 opens with the random password beside it. */
	path_t(path, sizeof(path), dir, "client.p12.password");
	path_t(p12, sizeof(p12), dir, "client.p12");
	assert_p12_password_file(path, p12, pw);
	/* No key in the trust directory, and it loads. */
	path_t(path, sizeof(path), dir, "roots/root.key");
	assert_int_equal(access(path, F_OK), -1);
	path_t(path, sizeof(path), dir, "roots");
	assert_int_equal(pki_load_roots(pki, path, err, sizeof(err)), 0);
	assert_int_equal(pki_root_count(pki), 1);

	path_t(path, sizeof(path), dir, "client.crt");
	assert_int_equal(pki_read_cert(path, &cli, err, sizeof(err)), 0);
	assert_accepted(pki, cli, NULL);
	assert_int_equal(pki_common_name(cli, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "client1@vpn.example.test");
	path_t(path, sizeof(path), dir, "client.key");
	assert_int_equal(pki_read_key(path, &k, err, sizeof(err)), 0);
	assert_int_equal(X509_check_private_key(cli, k), 1);
	EVP_PKEY_free(k);

	path_t(path, sizeof(path), dir, "server.crt");
	assert_int_equal(pki_read_cert(path, &srv, err, sizeof(err)), 0);
	assert_int_equal(X509_check_host(srv, "vpn.example.test", 0, 0, NULL),
			 1);
	assert_int_equal(X509_get_extended_key_usage(srv), XKU_SSL_SERVER);
	/* The server certificate is not a client certificate. */
	assert_refused(pki, srv, NULL, "has no Client Authentication EKU");
	X509_free(srv);

	/* Never over an existing demo. */
	assert_int_equal(pki_demo_generate(dir, "vpn.example.test", err,
					   sizeof(err)), -EEXIST);
	assert_contains(err, "root.key exists");

	/* An address gets an IP SAN and no DNS SAN. */
	snprintf(dir, sizeof(dir), "%s/demo-ip", tmp);
	assert_int_equal(pki_demo_generate(dir, "192.0.2.7", err, sizeof(err)),
			 0);
	path_t(path, sizeof(path), dir, "server.crt");
	assert_int_equal(pki_read_cert(path, &srv, err, sizeof(err)), 0);
	assert_int_equal(X509_check_ip_asc(srv, "192.0.2.7", 0), 1);
	assert_int_equal(san_count(srv, GEN_IPADD), 1);
	assert_int_equal(san_count(srv, GEN_DNS), 0);
	X509_free(srv);

	/* Bad names, bad places. */
	snprintf(dir, sizeof(dir), "%s/demo-bad", tmp);
	assert_int_equal(pki_demo_generate(dir, "bad name", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pki_demo_generate(dir, "", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(pki_demo_generate(
		dir, "a-very-long-host-name-that-does-not-fit-in-a-cn.example.test",
		err, sizeof(err)), -EINVAL);
	assert_contains(err, "too long");
	snprintf(dir, sizeof(dir), "%s/no/such/dir", tmp);
	assert_int_equal(pki_demo_generate(dir, "x", err, sizeof(err)),
			 -ENOENT);
	X509_free(cli);
	pki_free(pki);
}

/* sstpctl cert */

struct cli_out {
	int rc;
	char out[8192];
	char err[8192];
};

static void slurp_fd(int fd, char *buf, size_t len)
{
	ssize_t n;

	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	n = read(fd, buf, len - 1);
	assert_true(n >= 0);
	buf[n] = '\0';
	close(fd);
}

static void run_cli(struct cli_out *r, ...)
{
	char *argv[32], path[PATH_MAX];
	int argc = 0, so, se, fo, fe, i;
	const char *a;
	va_list ap;

	va_start(ap, r);
	argv[argc++] = strdup("cert");
	while ((a = va_arg(ap, const char *)) && argc < 31)
		argv[argc++] = strdup(a);
	va_end(ap);
	argv[argc] = NULL;

	snprintf(path, sizeof(path), "%s/cli.out", tmp);
	fo = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	snprintf(path, sizeof(path), "%s/cli.err", tmp);
	fe = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fo >= 0 && fe >= 0);
	fflush(stdout);
	fflush(stderr);
	so = dup(1);
	se = dup(2);
	dup2(fo, 1);
	dup2(fe, 2);
	r->rc = cmd_cert_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(so, 1);
	dup2(se, 2);
	close(so);
	close(se);
	slurp_fd(fo, r->out, sizeof(r->out));
	slurp_fd(fe, r->err, sizeof(r->err));
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_cli(void **state)
{
	struct cli_out *r = calloc(1, sizeof(*r));
	char dir[PATH_MAX], ca[PATH_MAX], pfx[PATH_MAX], path[PATH_MAX];
	char expect[PATH_MAX * 3 + 64], sha1[41], err[512];
	struct pki *pki = pki_new();
	X509 *x = NULL;
	EVP_PKEY *k = NULL;

	(void)state;
	assert_non_null(r);
	mkdir_t(dir, sizeof(dir), "cli");
	path_t(ca, sizeof(ca), dir, "ca");

	run_cli(r, "--help", NULL);
	assert_int_equal(r->rc, 0);
	assert_contains(r->out, "Usage: sstpctl cert");
	run_cli(r, "help", NULL);
	assert_int_equal(r->rc, 0);
	run_cli(r, "show", "-h", NULL);
	assert_int_equal(r->rc, 0);
	assert_contains(r->out, "Usage: sstpctl cert");
	run_cli(r, NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "Usage: sstpctl cert");
	run_cli(r, "frobnicate", NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "unknown command \"frobnicate\"");
	run_cli(r, "root", "--cn", "X", NULL);
	assert_int_equal(r->rc, 1);
	run_cli(r, "root", "--cn", "X", "--out", ca, "--days", "0", NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "bad --days \"0\"");
	run_cli(r, "root", "--cn", "X", "--out", ca, "--bogus", NULL);
	assert_int_equal(r->rc, 1);
	/* Each command takes only its own options. */
	run_cli(r, "root", "--cn", "X", "--out", ca, "--dns", "x.test", NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "root does not take --dns");
	run_cli(r, "root", "--cn", "X", "--out", ca, "--ca", ca, NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "root does not take --ca");
	run_cli(r, "server", "--ca", ca, "--cn", "X", "--out", ca, "--p12",
		NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "server does not take --p12");
	run_cli(r, "client", "--ca", ca, "--cn", "X", "--out", ca, "--ip",
		"10.0.0.1", NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "client does not take --ip");
	run_cli(r, "server", "--cn", "X", "--out", ca, NULL);
	assert_int_equal(r->rc, 1);
	assert_contains(r->err, "server needs --ca, --cn and --out");

	run_cli(r, "root", "--cn", "Team Root", "--out", ca, NULL);
	assert_int_equal(r->rc, 0);
	snprintf(expect, sizeof(expect), "%s/root.crt\n%s/root.key\n", ca, ca);
	assert_string_equal(r->out, expect);
	path_t(path, sizeof(path), ca, "root.key");
	assert_int_equal(file_mode(path), 0600);
	run_cli(r, "root", "--cn", "Team Root", "--out", ca, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "exists; not replacing a CA key");
	assert_int_equal(count_lines(r->err), 1);
	path_t(path, sizeof(path), ca, "root.crt");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_int_equal(pki_add_root(pki, x, err, sizeof(err)), 0);
	X509_free(x);

	/* server: SAN defaults to the CN. */
	path_t(pfx, sizeof(pfx), dir, "srv");
	run_cli(r, "server", "--ca", ca, "--cn", "gw.example.test", "--out",
		pfx, "--rsa", NULL);
	assert_int_equal(r->rc, 0);
	snprintf(expect, sizeof(expect), "%s.crt\n%s.key\n", pfx, pfx);
	assert_string_equal(r->out, expect);
	path_t(path, sizeof(path), dir, "srv.crt");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_int_equal(X509_check_host(x, "gw.example.test", 0, 0, NULL), 1);
	assert_true(EVP_PKEY_is_a(X509_get0_pubkey(x), "RSA"));
	X509_free(x);
	run_cli(r, "server", "--ca", ca, "--cn", "gw", "--ip", "1.2.3", "--out",
		pfx, NULL);
	assert_int_equal(r->rc, 1);
	run_cli(r, "server", "--ca", dir, "--cn", "gw", "--out", pfx, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "root.crt");

	/* client with a PKCS#12 and a password file. */
	path_t(path, sizeof(path), dir, "pw");
	write_file(path, "hunter2\nignored\n", 16, 0600);
	path_t(pfx, sizeof(pfx), dir, "alice");
	run_cli(r, "client", "--ca", ca, "--cn", "alice@example.test",
		"--out", pfx, "--p12-password-file", path, NULL);
	assert_int_equal(r->rc, 0);
	snprintf(expect, sizeof(expect), "%s.crt\n%s.key\n%s.p12\n", pfx, pfx,
		 pfx);
	assert_string_equal(r->out, expect);
	assert_string_equal(r->err, "");
	path_t(path, sizeof(path), dir, "alice.crt");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_accepted(pki, x, NULL);
	pki_thumbprint_sha1(x, sha1);
	X509_free(x);
	path_t(path, sizeof(path), dir, "alice.p12");
	{
		FILE *f = fopen(path, "rb");
		PKCS12 *p12 = d2i_PKCS12_fp(f, NULL);

		fclose(f);
		assert_non_null(p12);
		assert_int_equal(PKCS12_verify_mac(p12, "hunter2", -1), 1);
		PKCS12_free(p12);
	}

	/* thumbprint and show */
	path_t(path, sizeof(path), dir, "alice.crt");
	run_cli(r, "thumbprint", path, NULL);
	assert_int_equal(r->rc, 0);
	snprintf(expect, sizeof(expect), "%s\n", sha1);
	assert_string_equal(r->out, expect);
	run_cli(r, "thumbprint", path, "--sha256", NULL);
	assert_int_equal(r->rc, 0);
	assert_int_equal(strlen(r->out), 65);
	run_cli(r, "thumbprint", NULL);
	assert_int_equal(r->rc, 1);
	run_cli(r, "show", path, NULL);
	assert_int_equal(r->rc, 0);
	assert_contains(r->out, "subject: CN=alice@example.test\n");
	assert_contains(r->out, "issuer: CN=Team Root\n");
	assert_contains(r->out, "eku: clientAuth\n");
	assert_contains(r->out, "not_after: ");
	snprintf(expect, sizeof(expect), "sha1: %s\n", sha1);
	assert_contains(r->out, expect);
	run_cli(r, "show", "-j", path, NULL);
	assert_int_equal(r->rc, 0);
	assert_true(r->out[0] == '{');
	assert_contains(r->out, "\"subject\":\"CN=alice@example.test\"");
	assert_contains(r->out, "\"eku\":[\"clientAuth\"]");
	assert_contains(r->out, "\"ca\":false");
	snprintf(expect, sizeof(expect), "\"sha1\":\"%s\"", sha1);
	assert_contains(r->out, expect);
	path_t(path, sizeof(path), dir, "pw");
	run_cli(r, "show", path, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "no certificate");

	/* An expired client, without a password file: a random password. */
	path_t(pfx, sizeof(pfx), dir, "old");
	run_cli(r, "client", "--ca", ca, "--cn", "old@example.test", "--out",
		pfx, "--valid-from", "-7200", "--valid-to", "-3600", "--p12",
		NULL);
	assert_int_equal(r->rc, 0);
	snprintf(expect, sizeof(expect), "%s.crt\n%s.key\n%s.p12.password\n"
		 "%s.p12\n", pfx, pfx, pfx, pfx);
	assert_string_equal(r->out, expect);
	assert_string_equal(r->err, "");
	{
		char pwp[PATH_MAX], p12p[PATH_MAX], pw1[64], pw2[64];

		path_t(pwp, sizeof(pwp), dir, "old.p12.password");
		path_t(p12p, sizeof(p12p), dir, "old.p12");
		assert_p12_password_file(pwp, p12p, pw1);
		/* Another run, another password; never on stdout or stderr. */
		path_t(pfx, sizeof(pfx), dir, "again");
		run_cli(r, "client", "--ca", ca, "--cn", "old@example.test",
			"--out", pfx, "--p12", NULL);
		assert_int_equal(r->rc, 0);
		path_t(pwp, sizeof(pwp), dir, "again.p12.password");
		path_t(p12p, sizeof(p12p), dir, "again.p12");
		assert_p12_password_file(pwp, p12p, pw2);
		assert_string_not_equal(pw1, pw2);
		assert_null(strstr(r->out, pw2));
		assert_null(strstr(r->err, pw2));
	}
	path_t(path, sizeof(path), dir, "old.crt");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_refused(pki, x, NULL, "expired on");
	X509_free(x);
	path_t(pfx, sizeof(pfx), dir, "noeku");
	run_cli(r, "client", "--ca", ca, "--cn", "n@example.test", "--out",
		pfx, "--no-eku", NULL);
	assert_int_equal(r->rc, 0);
	path_t(path, sizeof(path), dir, "noeku.crt");
	assert_int_equal(pki_read_cert(path, &x, err, sizeof(err)), 0);
	assert_refused(pki, x, NULL, "has no Client Authentication EKU");
	X509_free(x);
	path_t(path, sizeof(path), dir, "noeku.key");
	assert_int_equal(pki_read_key(path, &k, err, sizeof(err)), 0);
	EVP_PKEY_free(k);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx,
		"--valid-from", "10", "--valid-to", "5", NULL);
	assert_int_equal(r->rc, 1);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx,
		"--days", "3", "--valid-to", "5", NULL);
	assert_int_equal(r->rc, 1);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx,
		"--valid-from", "soon", NULL);
	assert_int_equal(r->rc, 1);
	path_t(path, sizeof(path), dir, "emptypw");
	write_file(path, "\n", 1, 0600);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx,
		"--p12-password-file", path, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "empty password");
	/* A password file others can read is refused, like a key. */
	path_t(path, sizeof(path), dir, "pw");
	assert_int_equal(chmod(path, 0640), 0);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx,
		"--p12-password-file", path, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "is accessible by group or others");
	assert_int_equal(chmod(path, 0600), 0);

	/* A CA key others can read is refused. */
	path_t(path, sizeof(path), ca, "root.key");
	assert_int_equal(chmod(path, 0644), 0);
	run_cli(r, "client", "--ca", ca, "--cn", "x", "--out", pfx, NULL);
	assert_int_equal(r->rc, 2);
	assert_contains(r->err, "is accessible by group or others");
	assert_int_equal(chmod(path, 0600), 0);

	/* demo */
	path_t(path, sizeof(path), dir, "demo");
	run_cli(r, "demo", path, "--name", "gw.example.test", NULL);
	assert_int_equal(r->rc, 0);
	assert_contains(r->out, "/demo/roots/root.crt\n");
	assert_contains(r->out, "/demo/client.p12\n");
	assert_contains(r->out, "/demo/client.p12.password\n");
	run_cli(r, "demo", path, NULL);
	assert_int_equal(r->rc, 2);
	run_cli(r, "demo", NULL);
	assert_int_equal(r->rc, 1);
	pki_free(pki);
	free(r);
}

/*
 * The client certificate profile against certificates made by OpenSSL's
 * command line (tests/openssl-profile.sh), not by pki_issue.
 */
static char ossl_dir[PATH_MAX];

/* tests/openssl-profile.sh, found from this file's path at build time. */
static void profile_script(char *out, size_t len)
{
	const char *src = getenv("SSTP_SRCDIR");
	const char *f = __FILE__, *p = strstr(f, "tests/unit/");

	if (src)
		snprintf(out, len, "%s/tests/openssl-profile.sh", src);
	else
		snprintf(out, len, "%.*stests/openssl-profile.sh",
			 p ? (int)(p - f) : 0, f);
}

static void make_openssl_pki(void)
{
	char script[PATH_MAX], cmd[3 * PATH_MAX];

	if (ossl_dir[0])
		return;
	profile_script(script, sizeof(script));
	snprintf(ossl_dir, sizeof(ossl_dir), "%s/openssl", tmp);
	assert_int_equal(mkdir(ossl_dir, 0700), 0);
	snprintf(cmd, sizeof(cmd), "bash '%s' '%s' >'%s/log' 2>&1", script,
		 ossl_dir, ossl_dir);
	if (system(cmd) != 0)
		fail_msg("%s failed (see %s/log)", cmd, ossl_dir);
}

/* NAME.crt of the OpenSSL PKI: the leaf, and in *chain what follows it. */
static X509 *ossl_cert(const char *name, STACK_OF(X509) **chain)
{
	char path[PATH_MAX + 64], err[256];
	STACK_OF(X509) *all = NULL;
	X509 *leaf;

	snprintf(path, sizeof(path), "%s/%s.crt", ossl_dir, name);
	if (pki_read_certs(path, &all, err, sizeof(err)))
		fail_msg("%s", err);
	leaf = sk_X509_shift(all);
	assert_non_null(leaf);
	if (chain)
		*chain = all;
	else
		sk_X509_pop_free(all, X509_free);
	return leaf;
}

struct profile_case {
	const char *name;
	enum pki_rule rule;
	int x509_error;
	const char *why;	/* in the reason after the subject */
};

static const struct profile_case profile_cases[] = {
	{ "good", PKI_RULE_OK, X509_V_OK, NULL },
	{ "good-rsa", PKI_RULE_OK, X509_V_OK, NULL },
	{ "good-ed25519", PKI_RULE_OK, X509_V_OK, NULL },
	{ "under-ica-client", PKI_RULE_OK, X509_V_OK, NULL },
	{ "under-ica-any", PKI_RULE_OK, X509_V_OK, NULL },
	{ "catrue", PKI_RULE_CA, X509_V_ERR_INVALID_PURPOSE,
	  "is a CA certificate (basicConstraints CA:TRUE), not a client certificate" },
	{ "root", PKI_RULE_ANCHOR, X509_V_ERR_INVALID_PURPOSE,
	  "is a trusted root, not a client certificate" },
	{ "under-ica-server", PKI_RULE_CHAIN_EKU, X509_V_ERR_INVALID_PURPOSE,
	  "issuer \"CN=Profile ICA server\" does not allow client authentication (EKU: serverAuth)" },
	{ "rsa1024", PKI_RULE_WEAK_KEY, X509_V_ERR_EE_KEY_TOO_SMALL,
	  "has an RSA key of 1024 bits (at least 2048 needed)" },
	{ "ec192", PKI_RULE_WEAK_KEY, X509_V_ERR_EE_KEY_TOO_SMALL,
	  "has an EC key of 192 bits (prime192v1; at least 256 needed)" },
	{ "dsa", PKI_RULE_KEY_TYPE, X509_V_ERR_INVALID_PURPOSE,
	  "has a DSA key (only RSA, EC, Ed25519 and Ed448 are accepted)" },
	{ "nods", PKI_RULE_KEY_USAGE, X509_V_ERR_INVALID_PURPOSE,
	  "keyUsage (keyAgreement) does not allow digitalSignature" },
	{ "noeku", PKI_RULE_EKU, X509_V_ERR_INVALID_PURPOSE,
	  "has no Client Authentication EKU (no extendedKeyUsage extension)" },
	{ "expired", PKI_RULE_EXPIRED, X509_V_ERR_CERT_HAS_EXPIRED,
	  "expired on 2020-02-01 00:00:00 UTC" },
	{ "stranger", PKI_RULE_UNTRUSTED,
	  X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
	  "does not chain to a trusted root" },
	{ "revoked", PKI_RULE_REVOKED, X509_V_ERR_CERT_REVOKED,
	  "is revoked (thumbprint " },
};

static void test_openssl_profile(void **state)
{
	X509 *root, *leaf, *anchor;
	STACK_OF(X509) *chain;
	struct pki *pki;
	enum pki_rule rule;
	char why[1024], tp[41];
	size_t i;
	int ret;

	(void)state;
	make_openssl_pki();
	root = ossl_cert("root", NULL);
	pki = pki_with(root);
	leaf = ossl_cert("revoked", NULL);
	pki_thumbprint_sha1(leaf, tp);
	assert_int_equal(pki_revoke(pki, tp), 0);
	X509_free(leaf);
	for (i = 0; i < sizeof(profile_cases) / sizeof(profile_cases[0]);
	     i++) {
		const struct profile_case *c = &profile_cases[i];

		leaf = ossl_cert(c->name, &chain);
		rule = (enum pki_rule)-1;
		anchor = NULL;
		ret = pki_verify_client_rule(pki, leaf, chain, &anchor, NULL, &rule,
					     why, sizeof(why));
		if (rule != c->rule)
			fail_msg("%s: rule %d, expected %d (%s)", c->name,
				 rule, c->rule, why);
		assert_int_equal(pki_rule_x509_error(rule), c->x509_error);
		if (c->rule == PKI_RULE_OK) {
			assert_int_equal(ret, 0);
			assert_string_equal(why, "");
			assert_int_equal(X509_cmp(anchor, root), 0);
			X509_free(anchor);
		} else {
			assert_int_equal(ret, -EACCES);
			assert_null(anchor);
			/* The same verdict through the plain entry point. */
			assert_refused(pki, leaf, chain, c->why);
			assert_true(strlen(pki_rule_text(rule)) < 64);
		}
		sk_X509_pop_free(chain, X509_free);
		X509_free(leaf);
	}
	pki_free(pki);
	X509_free(root);
}

/*
 * The rule for issuers applies to the root as well: a root whose EKU
 * excludes clientAuth certifies no client (as OpenSSL's SSL client purpose
 * has it for roots without explicit trust settings).
 */
static void test_openssl_root_eku(void **state)
{
	X509 *ica = ossl_cert("ica-server", NULL);
	X509 *leaf;
	STACK_OF(X509) *chain;
	struct pki *pki;
	enum pki_rule rule;
	char why[512];

	(void)state;
	make_openssl_pki();
	pki = pki_with(ica);
	leaf = ossl_cert("under-ica-server", &chain);
	assert_int_equal(pki_verify_client_rule(pki, leaf, NULL, NULL, NULL, &rule,
						why, sizeof(why)), -EACCES);
	assert_int_equal(rule, PKI_RULE_CHAIN_EKU);
	assert_contains(why, "root \"CN=Profile ICA server\" does not allow client authentication");
	pki_free(pki);
	sk_X509_pop_free(chain, X509_free);
	X509_free(leaf);
	X509_free(ica);
}

/* Our own tooling's client certificates pass the profile, both key types. */
static void test_issued_clients_pass(void **state)
{
	struct pki_cert_spec spec = {
		.kind = PKI_CLIENT, .key_type = PKI_KEY_RSA2048,
		.cn = "rsa@example.test", .not_before = -60, .not_after = DAY,
	};
	struct pki_cert_spec ica_spec = {
		.kind = PKI_ROOT, .cn = "Issuing CA", .not_before = -60,
		.not_after = DAY,
	};
	EVP_PKEY *rk, *k = NULL, *ik = NULL;
	X509 *root = make_root("Root A", &rk), *ec, *rsa = NULL, *ica = NULL;
	X509 *sub = NULL;
	struct pki *pki = pki_with(root);
	STACK_OF(X509) *chain = sk_X509_new_null();
	enum pki_rule rule;
	char why[512];

	(void)state;
	ec = make_client("ec@example.test", root, rk);
	assert_int_equal(pki_issue(&spec, root, rk, &rsa, &k), 0);
	assert_int_equal(pki_verify_client_rule(pki, ec, NULL, NULL, NULL, &rule,
						why, sizeof(why)), 0);
	assert_int_equal(rule, PKI_RULE_OK);
	assert_int_equal(pki_verify_client_rule(pki, rsa, NULL, NULL, NULL, &rule,
						why, sizeof(why)), 0);
	assert_int_equal(rule, PKI_RULE_OK);
	X509_free(rsa);
	EVP_PKEY_free(k);
	/* Under an intermediate of sstpctl cert root --ca. */
	assert_int_equal(pki_issue(&ica_spec, root, rk, &ica, &ik), 0);
	spec.key_type = PKI_KEY_EC_P256;
	spec.cn = "sub@example.test";
	assert_int_equal(pki_issue(&spec, ica, ik, &sub, &k), 0);
	assert_true(sk_X509_push(chain, ica) > 0);
	assert_int_equal(pki_verify_client_rule(pki, sub, chain, NULL, NULL, &rule,
						why, sizeof(why)), 0);
	sk_X509_free(chain);
	X509_free(sub);
	X509_free(ica);
	EVP_PKEY_free(k);
	EVP_PKEY_free(ik);
	X509_free(ec);
	pki_free(pki);
	X509_free(root);
	EVP_PKEY_free(rk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accept_client),
		cmocka_unit_test(test_unknown_root),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_no_eku),
		cmocka_unit_test(test_server_eku_only),
		cmocka_unit_test(test_revoked_sha1),
		cmocka_unit_test(test_revoked_sha256),
		cmocka_unit_test(test_revoked_root),
		cmocka_unit_test(test_unrevoke),
		cmocka_unit_test(test_intermediate_chain),
		cmocka_unit_test(test_chain_record),
		cmocka_unit_test(test_chain_too_long),
		cmocka_unit_test(test_add_roots),
		cmocka_unit_test(test_thumbprints),
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_revoked_line),
		cmocka_unit_test(test_revoked_file),
		cmocka_unit_test(test_read_key_modes),
		cmocka_unit_test(test_write_key_replaces),
		cmocka_unit_test(test_read_cert),
		cmocka_unit_test(test_add_root),
		cmocka_unit_test(test_root_limit),
		cmocka_unit_test(test_load_roots),
		cmocka_unit_test(test_load_roots_refuses),
		cmocka_unit_test(test_issue_profiles),
		cmocka_unit_test(test_issue_invalid),
		cmocka_unit_test(test_p12),
		cmocka_unit_test(test_random_password),
		cmocka_unit_test(test_demo),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_openssl_profile),
		cmocka_unit_test(test_openssl_root_eku),
		cmocka_unit_test(test_issued_clients_pass),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
