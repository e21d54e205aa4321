// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "thumbprint.h"

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
