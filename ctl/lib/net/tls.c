// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "trust/pki.h"
#include "ktls.h"
#include "tls.h"

static void ssl_err(char *err, size_t errlen, const char *what,
		    const char *file)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	snprintf(err, errlen, "%s %s%s%s", what, file ? file : "",
		 *buf ? ": " : "", buf);
}

static int load_key(SSL_CTX *ctx, const char *path, char *err, size_t errlen)
{
	EVP_PKEY *key = NULL;
	int ret;

	ret = pki_read_key(path, &key, err, errlen);
	if (ret)
		return ret;
	if (SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		ssl_err(err, errlen, "cannot use private key", path);
		ret = -EINVAL;
	} else if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen,
			 "private key %s does not match the certificate", path);
		ret = -EINVAL;
	}
	EVP_PKEY_free(key);
	return ret;
}

/*
 * The chain a context sends, built once here rather than by OpenSSL on
 * every handshake: a certificate file without intermediates makes OpenSSL
 * run X509_verify_cert against the context's store for each connection
 * (ssl_add_cert_chain), and send the root it found, which the peer then
 * parses for nothing (RFC 8446 4.4.2 and RFC 5246 7.4.2 let it go). The
 * chain is what that per-handshake build gave, minus a self-signed root; a
 * file that lists intermediates keeps them as they are.
 */
static int build_chain(SSL_CTX *ctx, const char *file, char *err,
		       size_t errlen)
{
	STACK_OF(X509) *extra = NULL;

	if (SSL_CTX_get0_chain_certs(ctx, &extra) != 1)
		goto fail;
	if (sk_X509_num(extra) > 0)
		return 0;
	if (SSL_CTX_build_cert_chain(ctx, SSL_BUILD_CHAIN_FLAG_NO_ROOT |
					  SSL_BUILD_CHAIN_FLAG_IGNORE_ERROR |
					  SSL_BUILD_CHAIN_FLAG_CLEAR_ERROR) > 0)
		return 0;
fail:
	ssl_err(err, errlen, "cannot build the certificate chain of", file);
	return -EINVAL;
}

static void common_options(SSL_CTX *ctx)
{
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION |
				 SSL_OP_NO_COMPRESSION |
				 SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_RELEASE_BUFFERS |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_num_tickets(ctx, 0);
}

int tls_server_ctx(const struct tls_server_opts *o, SSL_CTX **out, char *err,
		   size_t errlen)
{
	const char *ciphers = o->ciphers && *o->ciphers ? o->ciphers :
			      TLS_DEFAULT_CIPHERS;
	SSL_CTX *ctx;
	int ret;

	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		ssl_err(err, errlen, "cannot create TLS context", NULL);
		return -ENOMEM;
	}
	common_options(ctx);
	if (!SSL_CTX_set_min_proto_version(ctx, o->min_version) ||
	    !SSL_CTX_set_max_proto_version(ctx, o->max_version)) {
		ssl_err(err, errlen, "bad TLS version bounds", NULL);
		goto err;
	}
	/* OpenSSL refuses TLS < 1.2 at security level 1 and up. */
	if (o->min_version && o->min_version < TLS1_2_VERSION)
		SSL_CTX_set_security_level(ctx, 0);
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1) {
		ssl_err(err, errlen, "bad cipher list", ciphers);
		goto err;
	}
	SSL_CTX_set_ciphersuites(ctx, TLS13_CIPHERSUITES);
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
		ssl_err(err, errlen, "cannot load certificate", o->cert_file);
		goto err;
	}
	ret = load_key(ctx, o->key_file, err, errlen);
	if (!ret)
		ret = build_chain(ctx, o->cert_file, err, errlen);
	if (!ret && o->ktls)
		ret = ktls_ctx_enable(ctx);
	if (ret) {
		SSL_CTX_free(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
err:
	SSL_CTX_free(ctx);
	return -EINVAL;
}

static int client_base(const struct tls_client_opts *o, SSL_CTX **out,
		       char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		ssl_err(err, errlen, "cannot create TLS context", NULL);
		return -ENOMEM;
	}
	common_options(ctx);
	SSL_CTX_set_min_proto_version(ctx, o->min_version ? o->min_version :
					   TLS1_2_VERSION);
	if (o->max_version)
		SSL_CTX_set_max_proto_version(ctx, o->max_version);
	SSL_CTX_set_cipher_list(ctx, TLS_DEFAULT_CIPHERS);
	if (o->insecure) {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	} else {
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		if (o->ca_file) {
			if (SSL_CTX_load_verify_locations(ctx, o->ca_file,
							  NULL) != 1) {
				ssl_err(err, errlen, "cannot load CA file",
					o->ca_file);
				SSL_CTX_free(ctx);
				return -EINVAL;
			}
		} else {
			SSL_CTX_set_default_verify_paths(ctx);
		}
	}
	*out = ctx;
	return 0;
}

int tls_client_ctx(const struct tls_client_opts *o, SSL_CTX **out, char *err,
		   size_t errlen)
{
	int ret = client_base(o, out, err, errlen);

	if (!ret && o->ktls && (ret = ktls_ctx_enable(*out))) {
		SSL_CTX_free(*out);
		*out = NULL;
	}
	return ret;
}

int tls_eap_client_ctx(const struct tls_client_opts *o, SSL_CTX **out,
		       char *err, size_t errlen)
{
	/*
	 * The version options are for the outer connection; inner EAP-TLS
	 * stays at TLS 1.2 (eap_tls refuses a context that cannot do 1.2).
	 */
	struct tls_client_opts inner = *o;
	SSL_CTX *ctx;
	int ret;

	inner.min_version = 0;
	inner.max_version = 0;
	ret = client_base(&inner, &ctx, err, errlen);
	if (ret)
		return ret;
	if (SSL_CTX_use_certificate_chain_file(ctx, o->cert_file) != 1) {
		ssl_err(err, errlen, "cannot load certificate", o->cert_file);
		SSL_CTX_free(ctx);
		return -EINVAL;
	}
	ret = load_key(ctx, o->key_file, err, errlen);
	if (!ret)
		ret = build_chain(ctx, o->cert_file, err, errlen);
	if (ret) {
		SSL_CTX_free(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

int tls_ctx_cert_hashes(SSL_CTX *ctx, uint8_t sha1[20], uint8_t sha256[32])
{
	X509 *cert = SSL_CTX_get0_certificate(ctx);

	return cert ? pki_cert_digests(cert, sha1, sha256) : -ENOENT;
}

int tls_peer_cert_hashes(SSL *ssl, uint8_t sha1[20], uint8_t sha256[32])
{
	X509 *cert = SSL_get0_peer_certificate(ssl);

	return cert ? pki_cert_digests(cert, sha1, sha256) : -ENOENT;
}
