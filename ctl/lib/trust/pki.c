// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "pki.h"

#define CERT_FILE_MAX	(4u << 20)
#define KEY_FILE_MAX	(256u << 10)
#define CN_MAX		64	/* ub-common-name */

struct pki {
	X509 *roots[PKI_MAX_ROOTS];
	unsigned int nroots;
	/* Holds exactly roots[]; rebuilt whenever a root is removed. */
	X509_STORE *store;
	/* Sorted, normalised thumbprints (40 or 64 upper-case hex digits). */
	char (*revoked)[65];
	size_t nrevoked;
	size_t cap;
};

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The first queued OpenSSL reason, for messages; clears the queue. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown OpenSSL error";
}

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

/* Thumbprints and names */

static void hex_upper(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

static void thumbprint(X509 *cert, const EVP_MD *md, char *out, size_t n)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!cert || !X509_digest(cert, md, buf, &len) ||
	    len != (unsigned int)EVP_MD_get_size(md)) {
		ERR_clear_error();
		memset(out, 0, n);
		return;
	}
	hex_upper(buf, len, out);
}

void pki_thumbprint_sha1(X509 *cert, char out[41])
{
	thumbprint(cert, EVP_sha1(), out, 41);
}

void pki_thumbprint_sha256(X509 *cert, char out[65])
{
	thumbprint(cert, EVP_sha256(), out, 65);
}

int pki_cert_digests(X509 *cert, uint8_t sha1[20], uint8_t sha256[32])
{
	unsigned int len1 = 0, len2 = 0;

	if (!cert)
		return -EINVAL;
	if (!X509_digest(cert, EVP_sha1(), sha1, &len1) ||
	    !X509_digest(cert, EVP_sha256(), sha256, &len2) ||
	    len1 != 20 || len2 != 32) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
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
static bool is_ca(X509 *x)
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

static int find_root(const struct pki *pki, X509 *x)
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
		seterr(err, errlen, "no certificate");
		return -EINVAL;
	}
	if (!is_ca(root)) {
		pki_subject(root, subj, sizeof(subj));
		seterr(err, errlen,
		       "certificate \"%s\" is not a CA (no basicConstraints CA:TRUE)",
		       subj);
		return -EINVAL;
	}
	if (find_root(pki, root) >= 0)
		return 0;
	if (pki->nroots >= PKI_MAX_ROOTS) {
		seterr(err, errlen, "too many trusted roots (at most %d)",
		       PKI_MAX_ROOTS);
		return -ENOSPC;
	}
	if (!X509_STORE_add_cert(pki->store, root)) {
		ERR_clear_error();
		seterr(err, errlen, "cannot add root to the trust store");
		return -ENOMEM;
	}
	X509_up_ref(root);
	pki->roots[pki->nroots++] = root;
	return 0;
}

int pki_add_roots(struct pki *pki, STACK_OF(X509) *certs, int *added,
		  char *err, size_t errlen)
{
	unsigned int need = 0, before = pki->nroots;
	char subj[256];
	int i, j, ret = 0;

	if (added)
		*added = 0;
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		if (!is_ca(x)) {
			pki_subject(x, subj, sizeof(subj));
			seterr(err, errlen,
			       "certificate \"%s\" is not a CA (no basicConstraints CA:TRUE)",
			       subj);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (!X509_cmp(sk_X509_value(certs, j), x))
				break;
		if (j == i && find_root(pki, x) < 0)
			need++;
	}
	if (pki->nroots + need > PKI_MAX_ROOTS) {
		seterr(err, errlen, "too many trusted roots (%u, at most %d)",
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
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		ret = -EINVAL;
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (secret && (st.st_mode & 077)) {
		ret = -EPERM;
		seterr(err, errlen,
		       "private key %s is accessible by group or others (mode %04o); chmod 600 it",
		       path, (unsigned int)(st.st_mode & 07777));
		goto out;
	}
	if ((size_t)st.st_size > max) {
		ret = -EFBIG;
		seterr(err, errlen, "%s: too large (%lld bytes)", path,
		       (long long)st.st_size);
		goto out;
	}
	buf = secret ? OPENSSL_secure_malloc(max + 1) : malloc(max + 1);
	if (!buf) {
		ret = -ENOMEM;
		seterr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r = read(fd, buf + len, max + 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > max) {
			ret = -EFBIG;
			seterr(err, errlen, "%s: too large", path);
			goto fail;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	ret = 0;
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
		seterr(err, errlen, "%s: no certificate (PEM or DER) found",
		       path);
	else if (ret)
		seterr(err, errlen, "%s: out of memory", path);
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
		seterr(err, errlen, "%s: out of memory", path);
	} else if (memmem(buf, len, "ENCRYPTED", 9)) {
		ret = -EINVAL;
		seterr(err, errlen,
		       "private key %s is encrypted; store it unencrypted with mode 0600",
		       path);
	} else {
		ret = -EINVAL;
		seterr(err, errlen, "%s: no PEM private key found", path);
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
 * All or nothing: every file is read and checked before the first root is
 * added, so a bad file leaves the trust store as it was.
 */
int pki_load_roots(struct pki *pki, const char *dir, char *err, size_t errlen)
{
	STACK_OF(X509) *all = sk_X509_new_null();
	struct dirent **names = NULL;
	char path[PATH_MAX];
	int n, i, j, ret = 0;

	if (!all) {
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = scandir(dir, &names, root_filter, alphasort);
	if (n < 0) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", dir, strerror(errno));
		sk_X509_free(all);
		return ret;
	}
	for (i = 0; i < n && !ret; i++) {
		STACK_OF(X509) *sk = NULL;
		unsigned char *buf = NULL;
		size_t len = 0;

		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
				     names[i]->d_name) >= sizeof(path)) {
			ret = -ENAMETOOLONG;
			seterr(err, errlen, "%s/%s: path too long", dir,
			       names[i]->d_name);
			break;
		}
		ret = slurp(path, false, CERT_FILE_MAX, &buf, &len, err,
			    errlen);
		if (ret)
			break;
		if (memmem(buf, len, "PRIVATE KEY-----", 16)) {
			ret = -EINVAL;
			seterr(err, errlen,
			       "%s holds a private key; keep keys out of the roots directory",
			       path);
		} else {
			ret = parse_certs(buf, len, &sk);
			if (ret == -EINVAL)
				seterr(err, errlen,
				       "%s: not a certificate (PEM or DER)",
				       path);
			else if (ret)
				seterr(err, errlen, "%s: out of memory", path);
		}
		free(buf);
		for (j = 0; !ret && j < sk_X509_num(sk); j++) {
			X509 *x = sk_X509_value(sk, j);
			char subj[256];

			if (!is_ca(x)) {
				pki_subject(x, subj, sizeof(subj));
				ret = -EINVAL;
				seterr(err, errlen,
				       "%s: certificate \"%s\" is not a CA "
				       "(no basicConstraints CA:TRUE)",
				       path, subj);
			} else if (!sk_X509_push(all, x)) {
				ret = -ENOMEM;
				seterr(err, errlen, "out of memory");
			} else {
				sk_X509_set(sk, j, NULL);
			}
		}
		sk_X509_pop_free(sk, X509_free);
	}
	if (!ret) {
		unsigned int need = 0;

		for (i = 0; i < sk_X509_num(all); i++) {
			X509 *x = sk_X509_value(all, i);

			for (j = 0; j < i; j++)
				if (!X509_cmp(sk_X509_value(all, j), x))
					break;
			if (j == i && find_root(pki, x) < 0)
				need++;
		}
		if (pki->nroots + need > PKI_MAX_ROOTS) {
			ret = -ENOSPC;
			seterr(err, errlen,
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

/* Revocation */

int pki_thumbprint_normalise(const char *in, char out[65])
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	if (!in)
		return -EINVAL;
	while (*p) {
		/*
		 * Windows' certificate dialog prepends an invisible U+200E
		 * when the thumbprint is copied; Notepad may add a BOM.
		 */
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0x8e) {
			p += 3;
			continue;
		}
		if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
			p += 3;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == ':') {
			p++;
			continue;
		}
		if (!isxdigit(*p) || n >= 64)
			return -EINVAL;
		out[n++] = (char)toupper(*p);
		p++;
	}
	if (n != 40 && n != 64)
		return -EINVAL;
	out[n] = '\0';
	return (int)n;
}

static int tp_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static char *revoked_find(const struct pki *pki, const char *norm)
{
	if (!pki->nrevoked)
		return NULL;
	return bsearch(norm, pki->revoked, pki->nrevoked,
		       sizeof(pki->revoked[0]), tp_cmp);
}

static int revoke_norm(struct pki *pki, const char *norm)
{
	size_t lo = 0, hi = pki->nrevoked;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(pki->revoked[mid], norm);

		if (!c)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (pki->nrevoked == pki->cap) {
		size_t cap = pki->cap ? pki->cap * 2 : 16;
		void *p = reallocarray(pki->revoked, cap,
				       sizeof(pki->revoked[0]));

		if (!p)
			return -ENOMEM;
		pki->revoked = p;
		pki->cap = cap;
	}
	memmove(&pki->revoked[lo + 1], &pki->revoked[lo],
		(pki->nrevoked - lo) * sizeof(pki->revoked[0]));
	memcpy(pki->revoked[lo], norm, sizeof(pki->revoked[0]));
	pki->nrevoked++;
	return 0;
}

int pki_revoke(struct pki *pki, const char *tp)
{
	char norm[65] = "";
	int n = pki_thumbprint_normalise(tp, norm);

	return n < 0 ? n : revoke_norm(pki, norm);
}

int pki_unrevoke(struct pki *pki, const char *tp)
{
	char norm[65] = "";
	char *hit;
	size_t i;
	int n = pki_thumbprint_normalise(tp, norm);

	if (n < 0)
		return n;
	hit = revoked_find(pki, norm);
	if (!hit)
		return -ENOENT;
	i = (size_t)((char (*)[65])hit - pki->revoked);
	memmove(&pki->revoked[i], &pki->revoked[i + 1],
		(pki->nrevoked - i - 1) * sizeof(pki->revoked[0]));
	pki->nrevoked--;
	return 0;
}

size_t pki_revoked_count(const struct pki *pki)
{
	return pki ? pki->nrevoked : 0;
}

const char *pki_revoked_at(const struct pki *pki, size_t i)
{
	return pki && i < pki->nrevoked ? pki->revoked[i] : NULL;
}

bool pki_is_revoked(const struct pki *pki, const char *norm)
{
	return pki && revoked_find(pki, norm);
}

int pki_load_revoked_file(struct pki *pki, const char *path, char *err,
			  size_t errlen)
{
	char (*list)[65] = NULL;
	size_t n = 0, cap = 0, i, linecap = 0;
	unsigned int lineno = 0;
	char *line = NULL;
	ssize_t len;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		char *hash, norm[65];

		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			ret = -EINVAL;
			seterr(err, errlen, "%s:%u: NUL byte in line", path,
			       lineno);
			break;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		len = (ssize_t)strlen(line);
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		if (lineno == 1 && !strncmp(line, "\xef\xbb\xbf", 3))
			memmove(line, line + 3, strlen(line + 3) + 1);
		if (!line[strspn(line, " \t")])
			continue;
		if (pki_thumbprint_normalise(line, norm) < 0) {
			ret = -EINVAL;
			seterr(err, errlen,
			       "%s:%u: not a SHA-1 (40 hex digits) or SHA-256 "
			       "(64 hex digits) thumbprint",
			       path, lineno);
			break;
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			void *p = reallocarray(list, ncap, sizeof(list[0]));

			if (!p) {
				ret = -ENOMEM;
				seterr(err, errlen, "%s: out of memory", path);
				break;
			}
			list = p;
			cap = ncap;
		}
		memcpy(list[n++], norm, sizeof(norm));
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		seterr(err, errlen, "%s: read error", path);
	}
	for (i = 0; !ret && i < n; i++) {
		ret = revoke_norm(pki, list[i]);
		if (ret)
			seterr(err, errlen, "%s: out of memory", path);
	}
	free(line);
	free(list);
	fclose(f);
	return ret;
}

/* Which thumbprint of x is revoked: "" if none. */
static bool revoked_tp(const struct pki *pki, X509 *x, char out[65])
{
	pki_thumbprint_sha1(x, out);
	if (revoked_find(pki, out))
		return true;
	pki_thumbprint_sha256(x, out);
	if (revoked_find(pki, out))
		return true;
	out[0] = '\0';
	return false;
}

bool pki_cert_revoked(const struct pki *pki, X509 *cert)
{
	char tp[65];
	X509 *cur = cert;
	unsigned int depth, i;

	if (!pki || !cert)
		return false;
	if (revoked_tp(pki, cert, tp))
		return true;
	/* Walk up through the roots that issued it (roots may cross-sign). */
	for (depth = 0; depth < PKI_MAX_ROOTS; depth++) {
		X509 *up = NULL;

		for (i = 0; i < pki->nroots; i++) {
			X509 *r = pki->roots[i];

			if (r != cur && X509_cmp(r, cur) &&
			    X509_check_issued(r, cur) == X509_V_OK) {
				up = r;
				break;
			}
		}
		if (!up)
			break;
		if (revoked_tp(pki, up, tp))
			return true;
		cur = up;
	}
	ERR_clear_error();
	return false;
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

bool pki_chain_revoked(const struct pki *pki, const struct pki_chain *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (revoked_find(pki, c->sha1[i]) ||
		    revoked_find(pki, c->sha256[i]))
			return true;
	return false;
}

/* Client verification */

static void describe_eku(X509 *x, char *out, size_t outlen)
{
	EXTENDED_KEY_USAGE *eku;
	size_t off = 0;
	int crit = -1, i;

	out[0] = '\0';
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		snprintf(out, outlen, crit == -1 ?
			 "no extendedKeyUsage extension" :
			 "unreadable extendedKeyUsage extension");
		ERR_clear_error();
		return;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && off < outlen; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		char name[80];
		int nid = OBJ_obj2nid(o);

		if (nid != NID_undef)
			snprintf(name, sizeof(name), "%s", OBJ_nid2sn(nid));
		else
			OBJ_obj2txt(name, sizeof(name), o, 1);
		off += (size_t)snprintf(out + off, outlen - off, "%s%s",
					i ? ", " : "EKU: ", name);
	}
	if (!i)
		snprintf(out, outlen, "empty extendedKeyUsage extension");
	EXTENDED_KEY_USAGE_free(eku);
}

bool pki_has_client_auth(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	bool ok = false;
	int i;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	if (!eku) {
		ERR_clear_error();
		return false;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) ==
		    NID_client_auth)
			ok = true;
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

static bool trust_error(int e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return true;
	}
	return false;
}

/* keyUsage bits by name, for messages. */
static void describe_ku(uint32_t ku, char *out, size_t outlen)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
		{ KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },
		{ KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
		{ KU_ENCIPHER_ONLY, "encipherOnly" },
		{ KU_DECIPHER_ONLY, "decipherOnly" },
	};
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && off < outlen; i++)
		if (ku & names[i].bit)
			off += (size_t)snprintf(out + off, outlen - off, "%s%s",
						off ? ", " : "", names[i].name);
	if (!off)
		snprintf(out, outlen, "no usage");
}

/*
 * Keys we accept anywhere in a client's chain: RSA (and RSA-PSS) of 2048
 * bits and more, EC of 256 bits and more, Ed25519 and Ed448. DSA and
 * everything else is refused. what says what the key is.
 */
static enum pki_rule key_rule(X509 *x, char *what, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64] = "";
	int bits;

	if (!k) {
		ERR_clear_error();
		snprintf(what, len, "an unreadable public key");
		return PKI_RULE_KEY_TYPE;
	}
	bits = EVP_PKEY_get_bits(k);
	if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS")) {
		snprintf(what, len, "an RSA key of %d bits (at least 2048 needed)",
			 bits);
		return bits >= 2048 ? PKI_RULE_OK : PKI_RULE_WEAK_KEY;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group), NULL))
			snprintf(group, sizeof(group), "explicit curve");
		ERR_clear_error();
		snprintf(what, len, "an EC key of %d bits (%s; at least 256 needed)",
			 bits, group);
		return bits >= 256 ? PKI_RULE_OK : PKI_RULE_WEAK_KEY;
	}
	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448"))
		return PKI_RULE_OK;
	snprintf(what, len,
		 "a %s key (only RSA, EC, Ed25519 and Ed448 are accepted)",
		 EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) :
		 "unknown");
	return PKI_RULE_KEY_TYPE;
}

/*
 * A CA's extendedKeyUsage, when it has one, limits what it may certify
 * (OpenSSL's X509_PURPOSE_SSL_CLIENT and Windows read it so): it must list
 * clientAuth or anyExtendedKeyUsage. An unreadable one fails.
 */
static bool ca_eku_allows_client(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	bool ok = false;
	int crit = -1, i, nid;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		ERR_clear_error();
		return crit == -1;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		if (nid == NID_client_auth || nid == NID_anyExtendedKeyUsage)
			ok = true;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/* "issuer" or "root" and its subject, for a certificate above the leaf. */
static void name_above(STACK_OF(X509) *built, int i, char *out, size_t len)
{
	char subj[256];

	pki_subject(sk_X509_value(built, i), subj, sizeof(subj));
	snprintf(out, len, "%s \"%s\"",
		 i == sk_X509_num(built) - 1 ? "root" : "issuer", subj);
}

/* What the leaf and the rest of the built chain must be besides trusted. */
static enum pki_rule profile_rule(const struct pki *pki,
				  STACK_OF(X509) *built, char *why,
				  size_t whylen)
{
	char who[300], what[160], tp[65];
	X509 *leaf = sk_X509_value(built, 0);
	enum pki_rule r;
	uint32_t ku;
	int i, n = sk_X509_num(built);

	for (i = 0; i < n; i++) {
		X509 *x = sk_X509_value(built, i);

		if (!revoked_tp(pki, x, tp))
			continue;
		if (i == 0) {
			seterr(why, whylen, "is revoked (thumbprint %s)", tp);
		} else {
			name_above(built, i, who, sizeof(who));
			seterr(why, whylen, "%s is revoked (thumbprint %s)",
			       who, tp);
		}
		return PKI_RULE_REVOKED;
	}
	for (i = 0; i < n; i++) {
		r = key_rule(sk_X509_value(built, i), what, sizeof(what));
		if (r == PKI_RULE_OK)
			continue;
		if (i == 0) {
			seterr(why, whylen, "has %s", what);
		} else {
			name_above(built, i, who, sizeof(who));
			seterr(why, whylen, "%s has %s", who, what);
		}
		return r;
	}
	/* TLS 1.2 client authentication signs with the key. */
	if (X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) {
		ku = X509_get_key_usage(leaf);
		if (!(ku & KU_DIGITAL_SIGNATURE)) {
			describe_ku(ku, what, sizeof(what));
			seterr(why, whylen,
			       "keyUsage (%s) does not allow digitalSignature",
			       what);
			return PKI_RULE_KEY_USAGE;
		}
	}
	if (!pki_has_client_auth(leaf)) {
		describe_eku(leaf, what, sizeof(what));
		seterr(why, whylen, "has no Client Authentication EKU (%s)",
		       what);
		return PKI_RULE_EKU;
	}
	for (i = 1; i < n; i++) {
		X509 *x = sk_X509_value(built, i);

		if (ca_eku_allows_client(x))
			continue;
		name_above(built, i, who, sizeof(who));
		describe_eku(x, what, sizeof(what));
		seterr(why, whylen,
		       "%s does not allow client authentication (%s)", who,
		       what);
		return PKI_RULE_CHAIN_EKU;
	}
	return PKI_RULE_OK;
}

int pki_verify_client_rule(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, enum pki_rule *rule,
			   char *why, size_t whylen)
{
	char subj[256], sha1[41], other[256], when[40];
	char *base = why && whylen ? why : NULL;
	enum pki_rule dummy, r;
	size_t off;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *built;
	int ret = -EACCES, e, n;
	X509 *bad;

	if (!rule)
		rule = &dummy;
	*rule = PKI_RULE_CHAIN;
	if (anchor)
		*anchor = NULL;
	if (!leaf) {
		seterr(why, whylen, "no client certificate");
		return -EACCES;
	}
	pki_subject(leaf, subj, sizeof(subj));
	pki_thumbprint_sha1(leaf, sha1);
	seterr(why, whylen, "certificate \"%s\" (SHA1 %s): ", subj, sha1);
	if (why && whylen) {
		off = strlen(why);
		why += off;
		whylen -= off;
	}

	if (!pki || !pki->nroots) {
		*rule = PKI_RULE_UNTRUSTED;
		seterr(why, whylen,
		       "does not chain to a trusted root (no trusted roots configured)");
		return -EACCES;
	}
	/*
	 * A trusted root verifies as a chain of one (partial chains are on):
	 * it is an anchor, not a client certificate. Nor is any other CA.
	 */
	if (find_root(pki, leaf) >= 0) {
		*rule = PKI_RULE_ANCHOR;
		seterr(why, whylen,
		       "is a trusted root, not a client certificate");
		return -EACCES;
	}
	if (X509_get_extension_flags(leaf) & EXFLAG_CA) {
		*rule = PKI_RULE_CA;
		seterr(why, whylen,
		       "is a CA certificate (basicConstraints CA:TRUE), not a client certificate");
		return -EACCES;
	}
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, pki->store, leaf, chain)) {
		*rule = PKI_RULE_ERROR;
		seterr(why, whylen, "cannot verify (%s)", ssl_reason());
		ret = -ENOMEM;
		goto out;
	}
	/* A directory entry is an anchor even when it is not self-signed. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) != 1) {
		e = X509_STORE_CTX_get_error(ctx);
		bad = X509_STORE_CTX_get_current_cert(ctx);
		if (bad && X509_cmp(bad, leaf))
			pki_subject(bad, other, sizeof(other));
		else
			bad = NULL;
		if (e == X509_V_ERR_CERT_HAS_EXPIRED) {
			*rule = PKI_RULE_EXPIRED;
			pki_time_str(X509_get0_notAfter(bad ? bad : leaf),
				     when, sizeof(when));
			if (bad)
				seterr(why, whylen,
				       "issuer \"%s\" expired on %s", other,
				       when);
			else
				seterr(why, whylen, "expired on %s", when);
		} else if (e == X509_V_ERR_CERT_NOT_YET_VALID) {
			*rule = PKI_RULE_NOT_YET_VALID;
			pki_time_str(X509_get0_notBefore(bad ? bad : leaf),
				     when, sizeof(when));
			if (bad)
				seterr(why, whylen,
				       "issuer \"%s\" is not valid before %s",
				       other, when);
			else
				seterr(why, whylen, "not valid before %s",
				       when);
		} else if (trust_error(e)) {
			*rule = PKI_RULE_UNTRUSTED;
			seterr(why, whylen,
			       "does not chain to a trusted root (%s)",
			       X509_verify_cert_error_string(e));
		} else if (bad) {
			seterr(why, whylen,
			       "chain verification failed at \"%s\" (%s)",
			       other, X509_verify_cert_error_string(e));
		} else {
			seterr(why, whylen, "verification failed (%s)",
			       X509_verify_cert_error_string(e));
		}
		ERR_clear_error();
		goto out;
	}

	built = X509_STORE_CTX_get0_chain(ctx);
	n = sk_X509_num(built);
	r = profile_rule(pki, built, why, whylen);
	if (r != PKI_RULE_OK) {
		*rule = r;
		goto out;
	}
	if (rec && pki_chain_record(rec, built)) {
		seterr(why, whylen, "chain longer than %d certificates",
		       PKI_CHAIN_MAX);
		goto out;
	}
	if (anchor) {
		*anchor = sk_X509_value(built, n - 1);
		X509_up_ref(*anchor);
	}
	if (base)
		base[0] = '\0';
	*rule = PKI_RULE_OK;
	ret = 0;
out:
	X509_STORE_CTX_free(ctx);
	return ret;
}

int pki_verify_client_root(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, char *why, size_t whylen)
{
	return pki_verify_client_rule(pki, leaf, chain, anchor, rec, NULL, why,
				      whylen);
}

int pki_verify_client(const struct pki *pki, X509 *leaf,
		      STACK_OF(X509) *chain, char *why, size_t whylen)
{
	return pki_verify_client_rule(pki, leaf, chain, NULL, NULL, NULL, why,
				      whylen);
}

const char *pki_rule_text(enum pki_rule rule)
{
	switch (rule) {
	case PKI_RULE_OK:
		return "certificate accepted";
	case PKI_RULE_UNTRUSTED:
		return "certificate does not chain to a trusted root";
	case PKI_RULE_EXPIRED:
		return "certificate or an issuer has expired";
	case PKI_RULE_NOT_YET_VALID:
		return "certificate or an issuer is not yet valid";
	case PKI_RULE_REVOKED:
		return "certificate or an issuer is revoked";
	case PKI_RULE_ANCHOR:
		return "a trusted root is not a client certificate";
	case PKI_RULE_CA:
		return "a CA certificate is not a client certificate";
	case PKI_RULE_KEY_USAGE:
		return "keyUsage does not allow digitalSignature";
	case PKI_RULE_EKU:
		return "no Client Authentication EKU";
	case PKI_RULE_CHAIN_EKU:
		return "an issuer's EKU does not allow client authentication";
	case PKI_RULE_KEY_TYPE:
		return "key type not accepted (RSA, EC, Ed25519, Ed448 only)";
	case PKI_RULE_WEAK_KEY:
		return "key too small (RSA needs 2048 bits, EC 256)";
	case PKI_RULE_CHAIN:
		return "certificate chain verification failed";
	case PKI_RULE_ERROR:
		break;
	}
	return "certificate could not be checked";
}

/*
 * OpenSSL turns a verification error into the TLS alert it sends
 * (ssl_x509err2alert); these codes give the alerts of RFC 5246 7.2.2.
 * certificate_expired covers "not currently valid", so not-yet-valid gets
 * the expired code too.
 */
int pki_rule_x509_error(enum pki_rule rule)
{
	switch (rule) {
	case PKI_RULE_OK:
		return X509_V_OK;
	case PKI_RULE_UNTRUSTED:
		return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	case PKI_RULE_EXPIRED:
	case PKI_RULE_NOT_YET_VALID:
		return X509_V_ERR_CERT_HAS_EXPIRED;
	case PKI_RULE_REVOKED:
		return X509_V_ERR_CERT_REVOKED;
	case PKI_RULE_ANCHOR:
	case PKI_RULE_CA:
	case PKI_RULE_KEY_USAGE:
	case PKI_RULE_EKU:
	case PKI_RULE_CHAIN_EKU:
	case PKI_RULE_KEY_TYPE:
		return X509_V_ERR_INVALID_PURPOSE;
	case PKI_RULE_WEAK_KEY:
		return X509_V_ERR_EE_KEY_TOO_SMALL;
	case PKI_RULE_CHAIN:
		return X509_V_ERR_CERT_REJECTED;
	case PKI_RULE_ERROR:
		break;
	}
	return X509_V_ERR_OUT_OF_MEM;
}

/* Issuing */

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int ok;

	if (!ext) {
		ERR_clear_error();
		return -EIO;
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-.*_", s[i]))
			return false;
	return true;
}

bool pki_is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return s && (inet_pton(AF_INET, s, buf) == 1 ||
		     inet_pton(AF_INET6, s, buf) == 1);
}

static int add_san(X509 *x, const char *dns, const char *ip)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g = NULL;
	int ret = -ENOMEM;

	if (!gens)
		return -ENOMEM;
	if (dns) {
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		g = GENERAL_NAME_new();
		if (!s || !g || !ASN1_STRING_set(s, dns, -1)) {
			ASN1_IA5STRING_free(s);
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		if (!sk_GENERAL_NAME_push(gens, g))
			goto out;
		g = NULL;
	}
	if (ip) {
		ASN1_OCTET_STRING *o = a2i_IPADDRESS(ip);

		g = GENERAL_NAME_new();
		if (!o || !g) {
			ASN1_OCTET_STRING_free(o);
			ret = o ? -ENOMEM : -EINVAL;
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_IPADD, o);
		if (!sk_GENERAL_NAME_push(gens, g))
			goto out;
		g = NULL;
	}
	ret = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
				X509V3_ADD_APPEND) == 1 ? 0 : -ENOMEM;
out:
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return ret;
}

static int random_serial(X509 *x)
{
	unsigned char b[16];
	ASN1_INTEGER *ai;
	BIGNUM *bn;
	int ret = -EIO;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	/* Positive, and always 16 bytes long in DER. */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (ai && X509_set_serialNumber(x, ai))
		ret = 0;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ret;
}

static EVP_PKEY *keygen(enum pki_key_type type)
{
	if (type == PKI_KEY_RSA2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static bool spec_ok(const struct pki_cert_spec *s, X509 *issuer,
		    EVP_PKEY *issuer_key)
{
	if (!s || !s->cn || !*s->cn || strlen(s->cn) > CN_MAX)
		return false;
	if (s->kind != PKI_ROOT && s->kind != PKI_SERVER &&
	    s->kind != PKI_CLIENT)
		return false;
	if (s->key_type != PKI_KEY_EC_P256 && s->key_type != PKI_KEY_RSA2048)
		return false;
	if (s->not_after <= s->not_before)
		return false;
	if (s->san_dns && !dns_name_ok(s->san_dns))
		return false;
	if (s->san_ip && !pki_is_ip_address(s->san_ip))
		return false;
	if (!issuer != !issuer_key)
		return false;
	if (issuer && (!is_ca(issuer) ||
		       X509_check_private_key(issuer, issuer_key) != 1)) {
		ERR_clear_error();
		return false;
	}
	return true;
}

static int add_kind_exts(X509 *x, X509V3_CTX *v3,
			 const struct pki_cert_spec *s, EVP_PKEY *key,
			 bool self_signed)
{
	bool rsa = EVP_PKEY_is_a(key, "RSA");
	int ret;

	switch (s->kind) {
	case PKI_ROOT:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:TRUE");
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage,
				      "critical,keyCertSign,cRLSign");
		break;
	case PKI_SERVER:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:FALSE");
		/* RFC 5480: keyEncipherment is meaningless for an EC key. */
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage, rsa ?
				      "critical,digitalSignature,keyEncipherment" :
				      "critical,digitalSignature");
		if (!ret && !s->no_eku)
			ret = add_ext(x, v3, NID_ext_key_usage, "serverAuth");
		if (!ret && (s->san_dns || s->san_ip))
			ret = add_san(x, s->san_dns, s->san_ip);
		break;
	default:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:FALSE");
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage,
				      "critical,digitalSignature");
		if (!ret && !s->no_eku)
			ret = add_ext(x, v3, NID_ext_key_usage, "clientAuth");
		if (!ret && (s->san_dns || s->san_ip))
			ret = add_san(x, s->san_dns, s->san_ip);
		break;
	}
	if (!ret)
		ret = add_ext(x, v3, NID_subject_key_identifier, "hash");
	if (!ret && !self_signed)
		ret = add_ext(x, v3, NID_authority_key_identifier,
			      "keyid,issuer");
	return ret;
}

int pki_issue(const struct pki_cert_spec *spec, X509 *issuer,
	      EVP_PKEY *issuer_key, X509 **cert, EVP_PKEY **key)
{
	EVP_PKEY *k = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX v3;
	X509 *x = NULL;
	int ret;

	*cert = NULL;
	*key = NULL;
	if (!spec_ok(spec, issuer, issuer_key))
		return -EINVAL;
	k = keygen(spec->key_type);
	x = X509_new();
	name = X509_NAME_new();
	ret = -ENOMEM;
	if (!k || !x || !name)
		goto fail;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)spec->cn, -1,
					-1, 0)) {
		ret = -EINVAL;
		goto fail;
	}
	if (!X509_set_version(x, X509_VERSION_3) || random_serial(x) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
					       name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), spec->not_before) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), spec->not_after) ||
	    !X509_set_pubkey(x, k))
		goto fail;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ret = add_kind_exts(x, &v3, spec, k, !issuer);
	if (ret)
		goto fail;
	if (!X509_sign(x, issuer ? issuer_key : k, EVP_sha256())) {
		ret = -EIO;
		goto fail;
	}
	X509_NAME_free(name);
	*cert = x;
	*key = k;
	return 0;
fail:
	ERR_clear_error();
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(k);
	return ret;
}

/* Writing */

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Create or replace path with the BIO's contents. The mode is forced with
 * fchmod before anything is written, so a replaced file that was too open
 * never holds the new contents. Secrets do not follow symlinks.
 */
static int write_bio(const char *path, BIO *bio, mode_t mode, bool secret)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY;
	char *data = NULL;
	long len;
	int fd, ret;

	if (secret)
		flags |= O_NOFOLLOW;
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0)
		return -EIO;
	fd = open(path, flags, mode);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, mode) ? -errno : 0;
	if (!ret)
		ret = write_all(fd, data, (size_t)len);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int pki_write_cert(const char *path, X509 *cert, X509 *chain_extra)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !cert)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_X509(bio, cert) &&
	    (!chain_extra || PEM_write_bio_X509(bio, chain_extra)))
		ret = write_bio(path, bio, 0644, false);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int pki_write_key(const char *path, EVP_PKEY *key)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !key)
		return -EINVAL;
	/* secmem BIOs wipe their buffer when freed. */
	bio = BIO_new(BIO_s_secmem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL,
					  NULL))
		ret = write_bio(path, bio, 0600, true);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int pki_write_p12(const char *path, X509 *cert, EVP_PKEY *key, X509 *root,
		  const char *password)
{
	STACK_OF(X509) *ca = NULL;
	PKCS12 *p12 = NULL;
	char cn[CN_MAX * 4 + 1];
	BIO *bio = NULL;
	int ret = -ENOMEM;

	if (!path || !cert || !key || !password || !*password)
		return -EINVAL;
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (pki_common_name(cert, cn, sizeof(cn)))
		pki_subject(cert, cn, sizeof(cn));
	if (root) {
		ca = sk_X509_new_null();
		if (!ca || !sk_X509_push(ca, root))
			goto out;
	}
	/* No MAC here: PKCS12_create would use SHA-1; set SHA-256 below. */
	p12 = PKCS12_create_ex(password, cn, key, cert, ca, NID_aes_256_cbc,
			       NID_aes_256_cbc, PKCS12_DEFAULT_ITER, -1, 0,
			       NULL, NULL);
	if (!p12)
		goto out;
	ret = -EIO;
	if (!PKCS12_set_mac(p12, password, -1, NULL, 0, PKCS12_DEFAULT_ITER,
			    EVP_sha256()))
		goto out;
	bio = BIO_new(BIO_s_secmem());
	if (!bio || !i2d_PKCS12_bio(bio, p12))
		goto out;
	ret = write_bio(path, bio, 0600, true);
out:
	ERR_clear_error();
	BIO_free(bio);
	PKCS12_free(p12);
	sk_X509_free(ca);
	return ret;
}

int pki_random_password(char *out, size_t outlen)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char r[20];
	size_t i, n = 0;

	if (!out || outlen < PKI_P12_PASSWORD_SIZE)
		return -EINVAL;
	if (RAND_priv_bytes(r, sizeof(r)) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	/* 256 is a multiple of 32: each character is uniform. */
	for (i = 0; i < sizeof(r); i++) {
		if (i && !(i % 5))
			out[n++] = '-';
		out[n++] = b32[r[i] & 31];
	}
	out[n] = 0;
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

int pki_write_password(const char *path, const char *password)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !password || !*password)
		return -EINVAL;
	bio = BIO_new(BIO_s_secmem());
	if (!bio)
		return -ENOMEM;
	if (BIO_puts(bio, password) > 0 && BIO_puts(bio, "\n") == 1)
		ret = write_bio(path, bio, 0600, true);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

/* Demo PKI */

#define DAY (24L * 3600)

static int demo_write(const char *dir, const char *name, X509 *cert,
		      EVP_PKEY *key, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		seterr(err, errlen, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	ret = cert ? pki_write_cert(path, cert, NULL) : pki_write_key(path, key);
	if (ret)
		seterr(err, errlen, "writing %s: %s", path, strerror(-ret));
	return ret;
}

int pki_demo_generate(const char *dir, const char *server_name, char *err,
		      size_t errlen)
{
	struct pki_cert_spec root_spec = {
		.kind = PKI_ROOT, .cn = "SSTP demo root CA",
		.not_before = -3600, .not_after = 3650 * DAY,
	};
	struct pki_cert_spec srv_spec = {
		.kind = PKI_SERVER, .not_before = -3600,
		.not_after = 825 * DAY,
	};
	struct pki_cert_spec cli_spec = {
		.kind = PKI_CLIENT, .not_before = -3600,
		.not_after = 365 * DAY,
	};
	X509 *root = NULL, *srv = NULL, *cli = NULL;
	EVP_PKEY *root_key = NULL, *srv_key = NULL, *cli_key = NULL;
	char path[PATH_MAX], client_cn[CN_MAX + 2];
	char pw[PKI_P12_PASSWORD_SIZE] = "";
	struct stat st;
	int ret;

	if (!dir || !*dir || !server_name || !*server_name) {
		seterr(err, errlen, "no directory or server name");
		return -EINVAL;
	}
	if (pki_is_ip_address(server_name)) {
		srv_spec.san_ip = server_name;
	} else if (dns_name_ok(server_name)) {
		srv_spec.san_dns = server_name;
	} else {
		seterr(err, errlen,
		       "\"%s\" is neither a DNS name nor an IP address",
		       server_name);
		return -EINVAL;
	}
	if ((size_t)snprintf(client_cn, sizeof(client_cn), "client1@%s",
			     server_name) > CN_MAX ||
	    strlen(server_name) > CN_MAX) {
		seterr(err, errlen,
		       "server name \"%s\" is too long: client1@NAME must fit "
		       "in a %d-character CN",
		       server_name, CN_MAX);
		return -EINVAL;
	}
	srv_spec.cn = server_name;
	cli_spec.cn = client_cn;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	if (snprintf(path, sizeof(path), "%s/root.key", dir) >=
	    (int)sizeof(path)) {
		seterr(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if (!lstat(path, &st)) {
		seterr(err, errlen,
		       "%s exists; not replacing an existing demo PKI", path);
		return -EEXIST;
	}
	snprintf(path, sizeof(path), "%s/roots", dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}

	ret = pki_issue(&root_spec, NULL, NULL, &root, &root_key);
	if (!ret)
		ret = pki_issue(&srv_spec, root, root_key, &srv, &srv_key);
	if (!ret)
		ret = pki_issue(&cli_spec, root, root_key, &cli, &cli_key);
	if (ret) {
		seterr(err, errlen, "issuing demo certificates: %s",
		       strerror(-ret));
		goto out;
	}
	/* The key first: a root.crt without its key would be a dead end. */
	ret = demo_write(dir, "root.key", NULL, root_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "roots/root.crt", root, NULL, err, errlen);
	if (!ret)
		ret = demo_write(dir, "server.key", NULL, srv_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "server.crt", srv, NULL, err, errlen);
	if (!ret)
		ret = demo_write(dir, "client.key", NULL, cli_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "client.crt", cli, NULL, err, errlen);
	if (!ret) {
		ret = pki_random_password(pw, sizeof(pw));
		if (ret)
			seterr(err, errlen, "no random password: %s",
			       strerror(-ret));
	}
	/* The password first: a .p12 nobody can open would be a dead end. */
	if (!ret) {
		snprintf(path, sizeof(path), "%s/client.p12%s", dir,
			 PKI_P12_PASSWORD_SUFFIX);
		ret = pki_write_password(path, pw);
		if (ret)
			seterr(err, errlen, "writing %s: %s", path,
			       strerror(-ret));
	}
	if (!ret) {
		snprintf(path, sizeof(path), "%s/client.p12", dir);
		ret = pki_write_p12(path, cli, cli_key, root, pw);
		if (ret)
			seterr(err, errlen, "writing %s: %s", path,
			       strerror(-ret));
	}
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	X509_free(root);
	X509_free(srv);
	X509_free(cli);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(cli_key);
	return ret;
}
