// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "util/err.h"
#include "pki_priv.h"
#include "revoked.h"

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

int pki_revoked_line(const char *line, size_t len, char norm[65])
{
	const char *hash;
	size_t skip = 0;
	char *buf;
	int n;

	if (memchr(line, '\0', len))
		return -EINVAL;
	hash = memchr(line, '#', len);
	if (hash)
		len = (size_t)(hash - line);
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
		skip++;
	if (skip == len)
		return 0;
	buf = strndup(line, len);
	if (!buf)
		return -ENOMEM;
	n = pki_thumbprint_normalise(buf, norm);
	free(buf);
	return n < 0 ? -EINVAL : 1;
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
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while ((len = getline(&line, &linecap, f)) >= 0) {
		const char *p = line;
		char norm[65];

		lineno++;
		if (memchr(line, '\0', (size_t)len)) {
			ret = -EINVAL;
			err_set(err, errlen, "%s:%u: NUL byte in line", path,
				lineno);
			break;
		}
		/* A BOM that Notepad put in front of the first line. */
		if (lineno == 1 && !strncmp(p, "\xef\xbb\xbf", 3)) {
			p += 3;
			len -= 3;
		}
		ret = pki_revoked_line(p, (size_t)len, norm);
		if (!ret)
			continue;
		if (ret == -ENOMEM) {
			err_set(err, errlen, "%s: out of memory", path);
			break;
		}
		if (ret < 0) {
			err_set(err, errlen,
				"%s:%u: not a SHA-1 (40 hex digits) or SHA-256 "
				"(64 hex digits) thumbprint",
				path, lineno);
			break;
		}
		ret = 0;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			void *np = reallocarray(list, ncap, sizeof(list[0]));

			if (!np) {
				ret = -ENOMEM;
				err_set(err, errlen, "%s: out of memory", path);
				break;
			}
			list = np;
			cap = ncap;
		}
		memcpy(list[n++], norm, sizeof(norm));
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		err_set(err, errlen, "%s: read error", path);
	}
	for (i = 0; !ret && i < n; i++) {
		ret = revoke_norm(pki, list[i]);
		if (ret)
			err_set(err, errlen, "%s: out of memory", path);
	}
	free(line);
	free(list);
	fclose(f);
	return ret;
}

bool pki_revoked_tp(const struct pki *pki, X509 *x, char out[65])
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
	if (pki_revoked_tp(pki, cert, tp))
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
		if (pki_revoked_tp(pki, up, tp))
			return true;
		cur = up;
	}
	ERR_clear_error();
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
