/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client-certificate trust: trusted roots, revocation by thumbprint, the
 * checks a gateway makes before admitting a client; and certificate
 * tooling (roots, server and client certificates, PKCS#12).
 */
#ifndef _SSTP_PKI_H
#define _SSTP_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define PKI_MAX_ROOTS 256

struct pki;

struct pki *pki_new(void);
void pki_free(struct pki *pki);

/*
 * Load every *.pem, *.crt and *.cer (PEM or DER) in dir as a trusted root.
 * Each must be a CA certificate. 0 or -errno with err naming the file.
 */
int pki_load_roots(struct pki *pki, const char *dir, char *err, size_t errlen);
/* Add one root (reference taken). 0 or -EINVAL (not a CA) / -ENOSPC. */
int pki_add_root(struct pki *pki, X509 *root, char *err, size_t errlen);
unsigned int pki_root_count(const struct pki *pki);

/*
 * Revocation: a normalised SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint
 * of a client certificate or of a root (which revokes the whole root).
 */
int pki_revoke(struct pki *pki, const char *thumbprint);
int pki_unrevoke(struct pki *pki, const char *thumbprint);
/* One thumbprint a line, # comments and blank lines allowed. */
int pki_load_revoked_file(struct pki *pki, const char *path, char *err,
			  size_t errlen);
/* Is cert (or, for a leaf, the root it chains to) revoked? */
bool pki_cert_revoked(const struct pki *pki, X509 *cert);

/*
 * Everything a gateway checks before admitting a client: the chain leads to
 * a trusted root, every certificate is within its validity period, the leaf
 * has the Client Authentication EKU, neither the leaf nor its root is
 * revoked. 0 to accept; otherwise -EACCES with why naming the certificate
 * (subject and SHA-1 thumbprint) and the rule it failed.
 */
int pki_verify_client(const struct pki *pki, X509 *leaf,
		      STACK_OF(X509) *chain, char *why, size_t whylen);

/* Upper-case hex thumbprints, no separators. out needs 41 / 65 bytes. */
void pki_thumbprint_sha1(X509 *cert, char out[41]);
void pki_thumbprint_sha256(X509 *cert, char out[65]);
/* Raw DER digests of a certificate (for the SSTP crypto binding). */
int pki_cert_digests(X509 *cert, uint8_t sha1[20], uint8_t sha256[32]);
/* One-line subject, e.g. "CN=client1@example.test". */
void pki_subject(X509 *cert, char *out, size_t outlen);

/*
 * Read a private key from a PEM file that only its owner may read (mode
 * 0600 or stricter, else -EPERM with a message). 0 or -errno.
 */
int pki_read_key(const char *path, EVP_PKEY **key, char *err, size_t errlen);
int pki_read_cert(const char *path, X509 **cert, char *err, size_t errlen);

enum pki_kind { PKI_ROOT, PKI_SERVER, PKI_CLIENT };
enum pki_key_type { PKI_KEY_EC_P256, PKI_KEY_RSA2048 };

struct pki_cert_spec {
	enum pki_kind kind;
	enum pki_key_type key_type;
	const char *cn;
	const char *san_dns;	/* server: DNS SAN (may be NULL) */
	const char *san_ip;	/* server: IP SAN (may be NULL) */
	long not_before;	/* seconds relative to now (e.g. -3600) */
	long not_after;		/* seconds relative to now (e.g. 365 days) */
	bool no_eku;		/* leave out the EKU (for tests of refusals) */
};

/*
 * Issue a certificate (a self-signed one when issuer is NULL, for roots).
 * A fresh key is generated. 0 or -errno.
 */
int pki_issue(const struct pki_cert_spec *spec, X509 *issuer,
	      EVP_PKEY *issuer_key, X509 **cert, EVP_PKEY **key);
/* Write PEM files: certificates 0644, keys 0600 (created, replaced). */
int pki_write_cert(const char *path, X509 *cert, X509 *chain_extra);
int pki_write_key(const char *path, EVP_PKEY *key);
/* PKCS#12 with the leaf, its key and the chain (for Windows clients). */
int pki_write_p12(const char *path, X509 *cert, EVP_PKEY *key, X509 *root,
		  const char *password);

/*
 * A demo PKI in dir: roots/root.crt (+ root.key), server.crt/.key for
 * server_name (DNS SAN, and IP SAN when it is an address), client.crt/.key
 * for "client1@<server_name>", client.p12 (password "sstp").
 * 0 or -errno with err set.
 */
int pki_demo_generate(const char *dir, const char *server_name, char *err,
		      size_t errlen);

#endif
