// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/tls.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/kdf.h>

#include "ktls.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define SECRET_MAX 48

/*
 * The peer's TLS 1.3 application traffic secret, which our receive key
 * comes from, held from the handshake until ktls_start() decides the
 * hand-off, then wiped whatever it decided; the SSL's free wipes it on
 * every other path (a handshake that never completes).
 */
struct tls13_secret {
	unsigned char peer[SECRET_MAX];
	size_t len;
	bool done;		/* decided: take no secret any more */
};

static int secrets_idx = -1;

static void secrets_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx,
			 long argl, void *argp)
{
	OPENSSL_clear_free(ptr, sizeof(struct tls13_secret));
}

static int unhex(const char *s, unsigned char *out, size_t max, size_t *len)
{
	size_t n = 0;

	while (s[0] && s[1] && s[0] != ' ') {
		int hi = OPENSSL_hexchar2int((unsigned char)s[0]);
		int lo = OPENSSL_hexchar2int((unsigned char)s[1]);

		if (hi < 0 || lo < 0 || n >= max)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	*len = n;
	return 0;
}

/*
 * NSS key log lines: "<LABEL> <client random> <secret>". Only the peer's
 * application traffic secret is kept (OpenSSL wipes the line itself).
 */
static void keylog_cb(const SSL *cssl, const char *line)
{
	SSL *ssl = (SSL *)cssl;
	const char *want = SSL_is_server(ssl) ? "CLIENT_TRAFFIC_SECRET_0 " :
						"SERVER_TRAFFIC_SECRET_0 ";
	struct tls13_secret *sec;
	const char *p;

	if (strncmp(line, want, 24))
		return;
	p = strchr(line + 24, ' ');
	if (!p)
		return;
	sec = SSL_get_ex_data(ssl, secrets_idx);
	if (sec && sec->done)
		return;
	if (!sec) {
		sec = OPENSSL_zalloc(sizeof(*sec));
		if (!sec || !SSL_set_ex_data(ssl, secrets_idx, sec)) {
			OPENSSL_free(sec);
			return;
		}
	}
	if (unhex(p + 1, sec->peer, SECRET_MAX, &sec->len)) {
		OPENSSL_cleanse(sec->peer, sizeof(sec->peer));
		sec->len = 0;
	}
}

/* Wipe the secret and take no other: the hand-off has been decided. */
static void secret_forget(SSL *ssl)
{
	struct tls13_secret *sec;

	if (secrets_idx < 0)
		return;
	sec = SSL_get_ex_data(ssl, secrets_idx);
	if (!sec) {
		/* Mark it, in case a secret were logged later on. */
		sec = OPENSSL_zalloc(sizeof(*sec));
		if (!sec || !SSL_set_ex_data(ssl, secrets_idx, sec)) {
			OPENSSL_free(sec);
			return;
		}
	}
	OPENSSL_cleanse(sec->peer, sizeof(sec->peer));
	sec->len = 0;
	sec->done = true;
}

bool ktls_secret_held(const SSL *ssl)
{
	const struct tls13_secret *sec;
	size_t i;

	if (secrets_idx < 0)
		return false;
	sec = SSL_get_ex_data(ssl, secrets_idx);
	if (!sec)
		return false;
	if (sec->len)
		return true;
	for (i = 0; i < sizeof(sec->peer); i++)
		if (sec->peer[i])
			return true;
	return false;
}

/* Once per process, whichever thread sets up a context first. */
static pthread_once_t secrets_once = PTHREAD_ONCE_INIT;

static void secrets_init(void)
{
	secrets_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, secrets_free);
}

int ktls_ctx_enable(SSL_CTX *ctx)
{
	pthread_once(&secrets_once, secrets_init);
	if (secrets_idx < 0)
		return -ENOMEM;
	SSL_CTX_set_options(ctx, SSL_OP_ENABLE_KTLS);
	SSL_CTX_set_keylog_callback(ctx, keylog_cb);
	return 0;
}

/* HKDF-Expand-Label (RFC 8446 7.1) with an empty context. */
static int expand_label(const EVP_MD *md, const unsigned char *secret,
			size_t secret_len, const char *label,
			unsigned char *out, size_t out_len)
{
	unsigned char info[2 + 1 + 255 + 1];
	size_t ll = 6 + strlen(label), n = 0;
	OSSL_PARAM params[5], *p = params;
	int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int ret;

	info[n++] = (unsigned char)(out_len >> 8);
	info[n++] = (unsigned char)out_len;
	info[n++] = (unsigned char)ll;
	memcpy(info + n, "tls13 ", 6);
	memcpy(info + n + 6, label, ll - 6);
	n += ll;
	info[n++] = 0;	/* context length */
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (!kdf)
		return -1;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!kctx)
		return -1;
	*p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						(char *)EVP_MD_get0_name(md), 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						 (void *)secret, secret_len);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, n);
	*p = OSSL_PARAM_construct_end();
	ret = EVP_KDF_derive(kctx, out, out_len, params) == 1 ? 0 : -1;
	EVP_KDF_CTX_free(kctx);
	return ret;
}

/* Install the TLS 1.3 receive direction from the peer's traffic secret. */
static int tls13_rx(SSL *ssl, char *why, size_t whylen)
{
	struct tls13_secret *sec = SSL_get_ex_data(ssl, secrets_idx);
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);
	int fd = SSL_get_fd(ssl);
	unsigned char key[32], iv[12];
	const unsigned char *secret;
	size_t secret_len, key_len;
	const EVP_MD *md;
	union {
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
		struct tls12_crypto_info_chacha20_poly1305 cc;
	} ci;
	socklen_t ci_len;
	uint16_t cipher_type;
	int ret = -1;

	memset(&ci, 0, sizeof(ci));
	if (!sec || !sec->len || !c) {
		snprintf(why, whylen, "no TLS 1.3 traffic secret");
		return -1;
	}
	secret = sec->peer;
	secret_len = sec->len;
	if (SSL_has_pending(ssl)) {
		snprintf(why, whylen, "OpenSSL holds unread records");
		goto out;
	}
	switch (SSL_CIPHER_get_id(c) & 0xffff) {
	case 0x1301:	/* TLS_AES_128_GCM_SHA256 */
		cipher_type = TLS_CIPHER_AES_GCM_128;
		key_len = 16;
		break;
	case 0x1302:	/* TLS_AES_256_GCM_SHA384 */
		cipher_type = TLS_CIPHER_AES_GCM_256;
		key_len = 32;
		break;
	case 0x1303:	/* TLS_CHACHA20_POLY1305_SHA256 */
		cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		key_len = 32;
		break;
	default:
		snprintf(why, whylen, "suite %s not supported by kTLS",
			 SSL_CIPHER_get_name(c));
		goto out;
	}
	md = SSL_CIPHER_get_handshake_digest(c);
	if (!md || secret_len != (size_t)EVP_MD_get_size(md) ||
	    expand_label(md, secret, secret_len, "key", key, key_len) ||
	    expand_label(md, secret, secret_len, "iv", iv, sizeof(iv))) {
		snprintf(why, whylen, "cannot derive the receive key");
		goto out;
	}
	/* Sequence number 0: no tickets were sent and nothing was read. */
	switch (cipher_type) {
	case TLS_CIPHER_AES_GCM_128:
		ci.g128.info.version = TLS_1_3_VERSION;
		ci.g128.info.cipher_type = cipher_type;
		memcpy(ci.g128.key, key, 16);
		memcpy(ci.g128.salt, iv, 4);
		memcpy(ci.g128.iv, iv + 4, 8);
		ci_len = sizeof(ci.g128);
		break;
	case TLS_CIPHER_AES_GCM_256:
		ci.g256.info.version = TLS_1_3_VERSION;
		ci.g256.info.cipher_type = cipher_type;
		memcpy(ci.g256.key, key, 32);
		memcpy(ci.g256.salt, iv, 4);
		memcpy(ci.g256.iv, iv + 4, 8);
		ci_len = sizeof(ci.g256);
		break;
	default:
		ci.cc.info.version = TLS_1_3_VERSION;
		ci.cc.info.cipher_type = cipher_type;
		memcpy(ci.cc.key, key, 32);
		memcpy(ci.cc.iv, iv, 12);
		ci_len = sizeof(ci.cc);
		break;
	}
	if (setsockopt(fd, SOL_TLS, TLS_RX, &ci, ci_len)) {
		snprintf(why, whylen, "TLS_RX: %s", strerror(errno));
		goto out;
	}
	ret = 0;
out:
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	OPENSSL_cleanse(&ci, sizeof(ci));
	return ret;
}

void ktls_start(SSL *ssl, bool server, bool *tx, bool *rx, char *why,
		size_t whylen)
{
	*why = 0;
	*tx = BIO_get_ktls_send(SSL_get_wbio(ssl)) == 1;
	*rx = BIO_get_ktls_recv(SSL_get_rbio(ssl)) == 1;
	if (!*tx)
		snprintf(why, whylen, "kernel TLS unavailable for %s %s",
			 SSL_get_version(ssl), SSL_get_cipher_name(ssl));
	else if (!*rx && SSL_version(ssl) == TLS1_3_VERSION)
		*rx = tls13_rx(ssl, why, whylen) == 0;
	/* Installed in the kernel or not needed: no copy stays behind. */
	secret_forget(ssl);
}

ssize_t ktls_recv(int fd, void *buf, size_t len)
{
	for (;;) {
		char cbuf[CMSG_SPACE(sizeof(unsigned char))];
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cm;
		unsigned char type = 23;
		ssize_t n = recvmsg(fd, &msg, MSG_DONTWAIT);

		if (n < 0)
			return errno == EWOULDBLOCK ? -EAGAIN : -errno;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm && cm->cmsg_level == SOL_TLS &&
		    cm->cmsg_type == TLS_GET_RECORD_TYPE)
			type = *(unsigned char *)CMSG_DATA(cm);
		if (type == 23)
			return n;
		if (type == 21)		/* alert: close_notify or fatal */
			return 0;
		/* 22: post-handshake message (ticket); skip it. */
	}
}
