// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "util/atomic_file.h"
#include "util/err.h"
#include "pki_priv.h"

#define CERT_FILE_MAX	(4u << 20)
#define KEY_FILE_MAX	(256u << 10)

struct pki *pki_new(void)
{
	struct pki *pki = calloc(1, sizeof(*pki));

	if (!pki)
		return NULL;
	pki->store = X509_STORE_new();
	if (!pki->store) {
		free(pki);
		return NULL;
	}
	return pki;
}

void pki_free(struct pki *pki)
{
	unsigned int i;

	if (!pki)
		return;
	for (i = 0; i < pki->nroots; i++)
		X509_free(pki->roots[i]);
	X509_STORE_free(pki->store);
	free(pki->revoked);
	free(pki);
}

static void name_oneline(const X509_NAME *name, char *out, size_t outlen)
{
	unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
	BIO *bio;
	char *data;
	long len;

	if (!outlen)
		return;
	out[0] = '\0';
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return;
	if (name && X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
		len = BIO_get_mem_data(bio, &data);
		if (len > 0) {
			if ((size_t)len >= outlen)
				len = (long)outlen - 1;
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(bio);
	ERR_clear_error();
}

void pki_subject(X509 *cert, char *out, size_t outlen)
{
	name_oneline(cert ? X509_get_subject_name(cert) : NULL, out, outlen);
}

void pki_issuer(X509 *cert, char *out, size_t outlen)
{
	name_oneline(cert ? X509_get_issuer_name(cert) : NULL, out, outlen);
}

int pki_common_name(X509 *cert, char *out, size_t outlen)
{
	const X509_NAME *name = cert ? X509_get_subject_name(cert) : NULL;
	unsigned char *utf8 = NULL;
	X509_NAME_ENTRY *e;
	int idx, len;

	if (outlen)
		out[0] = '\0';
	if (!name)
		return -EINVAL;
	idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx < 0)
		return -ENOENT;
	e = X509_NAME_get_entry(name, idx);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(e));
	if (len < 0) {
		ERR_clear_error();
		return -EINVAL;
	}
	if ((size_t)len >= outlen || memchr(utf8, '\0', (size_t)len)) {
		OPENSSL_free(utf8);
		return -ENAMETOOLONG;
	}
	memcpy(out, utf8, (size_t)len);
	out[len] = '\0';
	OPENSSL_free(utf8);
	return 0;
}

int pki_time_str(const ASN1_TIME *t, char *out, size_t outlen)
{
	struct tm tm;

	if (!outlen)
		return -EINVAL;
	out[0] = '\0';
	if (!t || !ASN1_TIME_to_tm(t, &tm)) {
		ERR_clear_error();
		snprintf(out, outlen, "(invalid time)");
		return -EINVAL;
	}
	if (!strftime(out, outlen, "%Y-%m-%d %H:%M:%S UTC", &tm))
		return -ENOSPC;
	return 0;
}

/* Roots */

/*
 * A CA is what basicConstraints CA:TRUE says, or a self-signed v1
 * certificate; also a self-signed certificate without basicConstraints
 * whose keyUsage allows keyCertSign, which is how some Windows tooling
 * makes roots (Azure's New-SelfSignedCertificate -KeyUsage CertSign).
 */
bool pki_is_ca(X509 *x)
{
	int r = X509_check_ca(x);

	if (r == 1 || r == 3)
		return true;
	if (r == 4 && X509_self_signed(x, 1) == 1)
		return true;
	ERR_clear_error();
	return false;
}

static int store_add_all(X509_STORE *store, X509 *const *roots,
			 unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!X509_STORE_add_cert(store, roots[i])) {
			ERR_clear_error();
			return -ENOMEM;
		}
	}
	return 0;
}

int pki_root_index(const struct pki *pki, X509 *x)
{
	unsigned int i;

	for (i = 0; i < pki->nroots; i++)
		if (!X509_cmp(pki->roots[i], x))
			return (int)i;
	return -1;
}

int pki_add_root(struct pki *pki, X509 *root, char *err, size_t errlen)
{
	char subj[256];

	if (!pki || !root) {
		err_set(err, errlen, "no certificate");
		return -EINVAL;
	}
	if (!pki_is_ca(root)) {
		pki_subject(root, subj, sizeof(subj));
		err_set(err, errlen,
			"certificate \"%s\" is not a CA (no basicConstraints CA:TRUE)",
			subj);
		return -EINVAL;
	}
	if (pki_root_index(pki, root) >= 0)
		return 0;
	if (pki->nroots >= PKI_MAX_ROOTS) {
		err_set(err, errlen, "too many trusted roots (at most %d)",
			PKI_MAX_ROOTS);
		return -ENOSPC;
	}
	if (!X509_STORE_add_cert(pki->store, root)) {
		ERR_clear_error();
		err_set(err, errlen, "cannot add root to the trust store");
		return -ENOMEM;
	}
	X509_up_ref(root);
	pki->roots[pki->nroots++] = root;
	return 0;
}

/* How many certificates of certs are neither roots yet nor repeated. */
static unsigned int count_new(const struct pki *pki, STACK_OF(X509) *certs)
{
	unsigned int need = 0;
	int i, j;

	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		for (j = 0; j < i; j++)
			if (!X509_cmp(sk_X509_value(certs, j), x))
				break;
		if (j == i && pki_root_index(pki, x) < 0)
			need++;
	}
	return need;
}

int pki_add_roots(struct pki *pki, STACK_OF(X509) *certs, int *added,
		  char *err, size_t errlen)
{
	unsigned int need, before = pki->nroots;
	char subj[256];
	int i, ret = 0;

	if (added)
		*added = 0;
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		if (!pki_is_ca(x)) {
			pki_subject(x, subj, sizeof(subj));
			err_set(err, errlen,
				"certificate \"%s\" is not a CA (no basicConstraints CA:TRUE)",
				subj);
			return -EINVAL;
		}
	}
	need = count_new(pki, certs);
	if (pki->nroots + need > PKI_MAX_ROOTS) {
		err_set(err, errlen, "too many trusted roots (%u, at most %d)",
			pki->nroots + need, PKI_MAX_ROOTS);
		return -ENOSPC;
	}
	for (i = 0; !ret && i < sk_X509_num(certs); i++)
		ret = pki_add_root(pki, sk_X509_value(certs, i), err, errlen);
	if (ret) {
		/* Only memory can fail here: take back what went in. */
		while (pki->nroots > before) {
			char tp[41];

			pki_thumbprint_sha1(pki->roots[pki->nroots - 1], tp);
			if (pki_remove_root(pki, tp))
				break;
		}
		return ret;
	}
	if (added)
		*added = (int)(pki->nroots - before);
	return 0;
}

X509 *pki_find_root(const struct pki *pki, const char *norm)
{
	char tp[65];
	unsigned int i;

	for (i = 0; pki && i < pki->nroots; i++) {
		pki_thumbprint_sha1(pki->roots[i], tp);
		if (!strcmp(tp, norm))
			return pki->roots[i];
		pki_thumbprint_sha256(pki->roots[i], tp);
		if (!strcmp(tp, norm))
			return pki->roots[i];
	}
	return NULL;
}

int pki_remove_root(struct pki *pki, const char *tp)
{
	char norm[65], sha[65];
	X509_STORE *store;
	unsigned int i;
	X509 *gone;
	int n, ret;

	n = pki_thumbprint_normalise(tp, norm);
	if (n < 0)
		return n;
	for (i = 0; i < pki->nroots; i++) {
		if (n == 40)
			pki_thumbprint_sha1(pki->roots[i], sha);
		else
			pki_thumbprint_sha256(pki->roots[i], sha);
		if (!strcmp(sha, norm))
			break;
	}
	if (i == pki->nroots)
		return -ENOENT;

	/* OpenSSL cannot take a certificate out of a store: build anew. */
	store = X509_STORE_new();
	if (!store)
		return -ENOMEM;
	gone = pki->roots[i];
	memmove(&pki->roots[i], &pki->roots[i + 1],
		(pki->nroots - i - 1) * sizeof(pki->roots[0]));
	pki->nroots--;
	ret = store_add_all(store, pki->roots, pki->nroots);
	if (ret) {
		memmove(&pki->roots[i + 1], &pki->roots[i],
			(pki->nroots - i) * sizeof(pki->roots[0]));
		pki->roots[i] = gone;
		pki->nroots++;
		X509_STORE_free(store);
		return ret;
	}
	X509_STORE_free(pki->store);
	pki->store = store;
	X509_free(gone);
	return 0;
}

unsigned int pki_root_count(const struct pki *pki)
{
	return pki ? pki->nroots : 0;
}

X509 *pki_root(const struct pki *pki, unsigned int i)
{
	return pki && i < pki->nroots ? pki->roots[i] : NULL;
}

/* Files */

/*
 * Read a whole regular file. secret: refuse group/other access. The fd is
 * checked, not the path, so a file swapped after the check is not read.
 */
static int slurp(const char *path, bool secret, size_t max,
		 unsigned char **out, size_t *outlen, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		err_set(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		ret = -EPERM;
		err_set(err, errlen,
			"private key %s is accessible by group or others (mode %04o); chmod 600 it",
			path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if ((size_t)st.st_size > max) {
		ret = -EFBIG;
		err_set(err, errlen, "%s: too large (%lld bytes)", path,
			(long long)st.st_size);
		goto out;
	}
	buf = secret ? OPENSSL_secure_malloc(max + 1) : malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		err_set(err, errlen, "%s: out of memory", path);
		goto out;
	}
	ret = fd_read_all(fd, buf, max, &len);
	if (ret == -EFBIG) {
		err_set(err, errlen, "%s: too large", path);
		goto fail;
	}
	if (ret) {
		err_set(err, errlen, "%s: %s", path, strerror(-ret));
		goto fail;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	goto out;
fail:
	if (secret)
		OPENSSL_secure_clear_free(buf, max + 1);
	else
		free(buf);
out:
	close(fd);
	return ret;
}

static bool looks_like_pem(const unsigned char *buf, size_t len)
{
	return memmem(buf, len, "-----BEGIN ", 11) != NULL;
}

/* All certificates in a PEM bundle, or the one DER certificate. */
static int parse_certs(const unsigned char *buf, size_t len,
		       STACK_OF(X509) **out)
{
	STACK_OF(X509) *sk = sk_X509_new_null();
	X509 *x;

	if (!sk)
		return -ENOMEM;
	if (looks_like_pem(buf, len)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);

		if (!bio)
			goto nomem;
		while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
			if (!sk_X509_push(sk, x)) {
				X509_free(x);
				BIO_free(bio);
				goto nomem;
			}
		}
		BIO_free(bio);
	} else {
		const unsigned char *p = buf;

		x = d2i_X509(NULL, &p, (long)len);
		if (x && p != buf + len) {
			X509_free(x);
			x = NULL;
		}
		if (x && !sk_X509_push(sk, x)) {
			X509_free(x);
			goto nomem;
		}
	}
	ERR_clear_error();
	if (!sk_X509_num(sk)) {
		sk_X509_free(sk);
		return -EINVAL;
	}
	*out = sk;
	return 0;
nomem:
	ERR_clear_error();
	sk_X509_pop_free(sk, X509_free);
	return -ENOMEM;
}

int pki_read_certs(const char *path, STACK_OF(X509) **certs, char *err,
		   size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int ret;

	*certs = NULL;
	ret = slurp(path, false, CERT_FILE_MAX, &buf, &len, err, errlen);
	if (ret)
		return ret;
	ret = parse_certs(buf, len, certs);
	if (ret == -EINVAL)
		err_set(err, errlen, "%s: no certificate (PEM or DER) found",
			path);
	else if (ret)
		err_set(err, errlen, "%s: out of memory", path);
	free(buf);
	return ret;
}

int pki_read_cert(const char *path, X509 **cert, char *err, size_t errlen)
{
	STACK_OF(X509) *sk;
	int ret;

	*cert = NULL;
	ret = pki_read_certs(path, &sk, err, errlen);
	if (ret)
		return ret;
	*cert = sk_X509_shift(sk);
	sk_X509_pop_free(sk, X509_free);
	return 0;
}

/* Never prompt on a terminal: encrypted keys are refused instead. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int pki_read_key(const char *path, EVP_PKEY **key, char *err, size_t errlen)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	BIO *bio;
	int ret;

	*key = NULL;
	ret = slurp(path, true, KEY_FILE_MAX, &buf, &len, err, errlen);
	if (ret)
		return ret;
	bio = BIO_new_mem_buf(buf, (int)len);
	if (bio) {
		*key = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
		BIO_free(bio);
	}
	ERR_clear_error();
	if (*key) {
		ret = 0;
	} else if (!bio) {
		ret = -ENOMEM;
		err_set(err, errlen, "%s: out of memory", path);
	} else if (memmem(buf, len, "ENCRYPTED", 9)) {
		ret = -EINVAL;
		err_set(err, errlen,
			"private key %s is encrypted; store it unencrypted with mode 0600",
			path);
	} else {
		ret = -EINVAL;
		err_set(err, errlen, "%s: no PEM private key found", path);
	}
	OPENSSL_secure_clear_free(buf, KEY_FILE_MAX + 1);
	return ret;
}

static bool root_file_name(const char *name)
{
	static const char *const exts[] = { ".pem", ".crt", ".cer" };
	size_t n = strlen(name), i;

	if (name[0] == '.')
		return false;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (n > 4 && !strcasecmp(name + n - 4, exts[i]))
			return true;
	return false;
}

static int root_filter(const struct dirent *d)
{
	return root_file_name(d->d_name);
}

/*
 * The certificates of one file of the roots directory, appended to all;
 * each must be a CA, and the file must hold no private key.
 */
static int read_root_file(const char *path, STACK_OF(X509) *all, char *err,
			  size_t errlen)
{
	STACK_OF(X509) *sk = NULL;
	unsigned char *buf = NULL;
	size_t len = 0;
	int j, ret;

	ret = slurp(path, false, CERT_FILE_MAX, &buf, &len, err, errlen);
	if (ret)
		return ret;
	if (memmem(buf, len, "PRIVATE KEY-----", 16)) {
		ret = -EINVAL;
		err_set(err, errlen,
			"%s holds a private key; keep keys out of the roots directory",
			path);
	} else {
		ret = parse_certs(buf, len, &sk);
		if (ret == -EINVAL)
			err_set(err, errlen,
				"%s: not a certificate (PEM or DER)", path);
		else if (ret)
			err_set(err, errlen, "%s: out of memory", path);
	}
	free(buf);
	for (j = 0; !ret && j < sk_X509_num(sk); j++) {
		X509 *x = sk_X509_value(sk, j);
		char subj[256];

		if (!pki_is_ca(x)) {
			pki_subject(x, subj, sizeof(subj));
			ret = -EINVAL;
			err_set(err, errlen,
				"%s: certificate \"%s\" is not a CA "
				"(no basicConstraints CA:TRUE)",
				path, subj);
		} else if (!sk_X509_push(all, x)) {
			ret = -ENOMEM;
			err_set(err, errlen, "out of memory");
		} else {
			sk_X509_set(sk, j, NULL);
		}
	}
	sk_X509_pop_free(sk, X509_free);
	return ret;
}

/*
 * All or nothing: every file is read and checked before the first root is
 * added, so a bad file leaves the trust store as it was.
 */
int pki_load_roots(struct pki *pki, const char *dir, char *err, size_t errlen)
{
	STACK_OF(X509) *all = sk_X509_new_null();
	struct dirent **names = NULL;
	char path[PATH_MAX];
	unsigned int need;
	int n, i, ret = 0;

	if (!all) {
		err_set(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = scandir(dir, &names, root_filter, alphasort);
	if (n < 0) {
		ret = -errno;
		err_set(err, errlen, "%s: %s", dir, strerror(errno));
		sk_X509_free(all);
		return ret;
	}
	for (i = 0; i < n && !ret; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]->d_name) >= sizeof(path)) {
			ret = -ENAMETOOLONG;
			err_set(err, errlen, "%s/%s: path too long", dir,
				names[i]->d_name);
			break;
		}
		ret = read_root_file(path, all, err, errlen);
	}
	if (!ret) {
		need = count_new(pki, all);
		if (pki->nroots + need > PKI_MAX_ROOTS) {
			ret = -ENOSPC;
			err_set(err, errlen,
				"%s: too many trusted roots (%u, at most %d)",
				dir, pki->nroots + need, PKI_MAX_ROOTS);
		}
	}
	for (i = 0; !ret && i < sk_X509_num(all); i++)
		ret = pki_add_root(pki, sk_X509_value(all, i), err, errlen);
	sk_X509_pop_free(all, X509_free);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

/* Chains of live sessions */

int pki_chain_record(struct pki_chain *c, STACK_OF(X509) *built)
{
	int i, n = sk_X509_num(built);

	c->n = 0;
	if (n > PKI_CHAIN_MAX)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		pki_thumbprint_sha1(sk_X509_value(built, i), c->sha1[i]);
		pki_thumbprint_sha256(sk_X509_value(built, i), c->sha256[i]);
	}
	c->n = (unsigned int)n;
	return 0;
}

bool pki_chain_has(const struct pki_chain *c, const char *norm)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->sha1[i], norm) || !strcmp(c->sha256[i], norm))
			return true;
	return false;
}

