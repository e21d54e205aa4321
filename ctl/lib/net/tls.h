/* SPDX-License-Identifier: GPL-2.0 */
/* OpenSSL contexts for the outer HTTPS connection and the inner EAP-TLS. */
#ifndef _SSTP_TLS_H
#define _SSTP_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

/*
 * ECDHE with AES-GCM and ChaCha20 first (kTLS can carry them), then the
 * CBC suites older Windows builds still offer. TLS 1.3 suites are OpenSSL's.
 */
#define TLS_DEFAULT_CIPHERS \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:" \
	"ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:" \
	"ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384"

/* AES-128-GCM first: the cheapest suite, and kTLS carries all three. */
#define TLS13_CIPHERSUITES \
	"TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:" \
	"TLS_CHACHA20_POLY1305_SHA256"

struct tls_server_opts {
	const char *cert_file;	/* leaf first, then any intermediates */
	const char *key_file;	/* owner-only permissions checked */
	int min_version;	/* TLS1_2_VERSION... */
	int max_version;	/* 0: highest */
	const char *ciphers;	/* NULL or "": TLS_DEFAULT_CIPHERS */
	bool ktls;		/* offer connections to kernel TLS */
};

/* 0 or -errno with err set. */
int tls_server_ctx(const struct tls_server_opts *o, SSL_CTX **ctx, char *err,
		   size_t errlen);

struct tls_client_opts {
	const char *ca_file;	/* trust anchors for the gateway; NULL: system */
	const char *cert_file;	/* client certificate (inner EAP-TLS) */
	const char *key_file;
	bool insecure;		/* do not verify the gateway (tests only) */
	int min_version;	/* 0: TLS 1.2 */
	int max_version;	/* 0: highest */
	bool ktls;		/* outer connection may move to kernel TLS */
};

/* Outer client context (verifies the gateway unless insecure). */
int tls_client_ctx(const struct tls_client_opts *o, SSL_CTX **ctx, char *err,
		   size_t errlen);
/* Inner EAP-TLS context with the client certificate and key. */
int tls_eap_client_ctx(const struct tls_client_opts *o, SSL_CTX **ctx,
		       char *err, size_t errlen);

/* SHA-1 and SHA-256 of a context's (or connection's peer) leaf certificate. */
int tls_ctx_cert_hashes(SSL_CTX *ctx, uint8_t sha1[20], uint8_t sha256[32]);
int tls_peer_cert_hashes(SSL *ssl, uint8_t sha1[20], uint8_t sha256[32]);

#endif
