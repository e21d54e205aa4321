/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Client-certificate trust: the trusted roots, reading certificates and
 * keys, and the checks a gateway makes before admitting a client.
 * Revocation is in revoked.h, issuing certificates in issue.h.
 */
#ifndef _SSTP_PKI_H
#define _SSTP_PKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "thumbprint.h"

#define PKI_MAX_ROOTS 256

struct pki;

struct pki *pki_new(void);
void pki_free(struct pki *pki);

/*
 * Load every *.pem, *.crt and *.cer (PEM or DER, any case; a PEM file may
 * hold several certificates) in dir as a trusted root, in sorted name order.
 * Each must be a CA certificate. Roots are added to those already loaded
 * (duplicates are skipped); on error none is added. An empty directory is
 * not an error. 0 or -errno with err naming the file.
 */
int pki_load_roots(struct pki *pki, const char *dir, char *err, size_t errlen);
/*
 * Add one root. pki takes its own reference; the caller keeps (and frees)
 * its own. Adding a root already present does nothing.
 * 0 or -EINVAL (not a CA) / -ENOSPC.
 */
int pki_add_root(struct pki *pki, X509 *root, char *err, size_t errlen);
/*
 * Add every certificate of certs as a root, all or nothing: each must be a
 * CA and there must be room for all of them, else none is added and err
 * says why. *added: how many were new (may be NULL).
 */
int pki_add_roots(struct pki *pki, STACK_OF(X509) *certs, int *added,
		  char *err, size_t errlen);
/* The trusted root with this normalised thumbprint (borrowed), or NULL. */
X509 *pki_find_root(const struct pki *pki, const char *norm);
/* Remove the root with this SHA-1 or SHA-256 thumbprint. 0, -ENOENT. */
int pki_remove_root(struct pki *pki, const char *thumbprint);
unsigned int pki_root_count(const struct pki *pki);
/* The i-th root (borrowed; valid until it is removed), NULL past the end. */
X509 *pki_root(const struct pki *pki, unsigned int i);

/*
 * The thumbprints of a verified chain, leaf first, trust anchor last: what
 * a live session is checked against when a certificate is revoked or a
 * root removed (any of them ends it).
 */
#define PKI_CHAIN_MAX 16
struct pki_chain {
	unsigned int n;
	char sha1[PKI_CHAIN_MAX][41];
	char sha256[PKI_CHAIN_MAX][65];
};

/* Record a built chain. 0, or -E2BIG when it is longer than PKI_CHAIN_MAX. */
int pki_chain_record(struct pki_chain *c, STACK_OF(X509) *built);
/* Does the chain hold a certificate with this normalised thumbprint? */
bool pki_chain_has(const struct pki_chain *c, const char *norm);

/*
 * Everything a gateway checks before admitting a client: the leaf is
 * neither a trusted root nor a CA certificate; the chain leads to a trusted
 * root; every certificate is within its validity period; none is revoked;
 * every key is RSA or RSA-PSS of at least 2048 bits, EC of at least 256
 * bits, Ed25519 or Ed448; the leaf's keyUsage, if present, allows
 * digitalSignature; the leaf has the Client Authentication EKU; every CA
 * certificate of the chain (the root included) with an EKU lists
 * clientAuth or anyExtendedKeyUsage. Checked in that order; the first rule
 * failed is reported. 0 to accept; otherwise -EACCES with why naming the
 * certificate (subject and SHA-1 thumbprint) and the rule it failed
 * (-ENOMEM when the check could not run). chain: the untrusted certificates the client sent.
 */
int pki_verify_client(const struct pki *pki, X509 *leaf,
		      STACK_OF(X509) *chain, char *why, size_t whylen);
/*
 * The same, and on success *anchor is the trusted root the chain ended in
 * (a new reference; the caller frees it), e.g. for per-root policy, and
 * rec (may be NULL) holds the verified chain's thumbprints (a chain too
 * long to record is refused). why is set to "" on success.
 */
int pki_verify_client_root(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, char *why, size_t whylen);
/*
 * The rules a client certificate can fail, one per refusal reason. Each
 * maps to the X509_V_ERR_* code that makes OpenSSL send the matching TLS
 * alert (pki_rule_x509_error) and to a short text for the client
 * (pki_rule_text, at most 63 characters, e.g. for an LCP
 * Terminate-Request).
 */
enum pki_rule {
	PKI_RULE_OK,
	PKI_RULE_UNTRUSTED,	/* no chain to a trusted root: unknown_ca */
	PKI_RULE_EXPIRED,	/* leaf or issuer expired: certificate_expired */
	PKI_RULE_NOT_YET_VALID,	/* ... or not yet valid: certificate_expired */
	PKI_RULE_REVOKED,	/* leaf, issuer or root: certificate_revoked */
	PKI_RULE_ANCHOR,	/* a trusted root as leaf: unsupported_cert. */
	PKI_RULE_CA,		/* basicConstraints CA:TRUE: unsupported_cert. */
	PKI_RULE_KEY_USAGE,	/* no digitalSignature: unsupported_cert. */
	PKI_RULE_EKU,		/* leaf EKU without clientAuth: unsupported_cert. */
	PKI_RULE_CHAIN_EKU,	/* issuer EKU excludes clientAuth: unsupp. */
	PKI_RULE_KEY_TYPE,	/* DSA and others: unsupported_certificate */
	PKI_RULE_WEAK_KEY,	/* RSA < 2048, EC < 256 bits: bad_certificate */
	PKI_RULE_CHAIN,		/* bad signature etc.: bad_certificate */
	PKI_RULE_ERROR,		/* the check could not run: internal_error */
};

/*
 * pki_verify_client_root, and which rule failed (PKI_RULE_OK on success);
 * rule may be NULL.
 */
int pki_verify_client_rule(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, enum pki_rule *rule,
			   char *why, size_t whylen);
const char *pki_rule_text(enum pki_rule rule);
int pki_rule_x509_error(enum pki_rule rule);

/* Does the certificate's extendedKeyUsage list clientAuth? */
bool pki_has_client_auth(X509 *cert);

/* One-line subject, e.g. "CN=client1@example.test" (RFC 2253 order). */
void pki_subject(X509 *cert, char *out, size_t outlen);
void pki_issuer(X509 *cert, char *out, size_t outlen);
/* The subject's CN in UTF-8. 0, -ENOENT (none), -ENAMETOOLONG, -EINVAL. */
int pki_common_name(X509 *cert, char *out, size_t outlen);
/* "2025-01-31 23:59:59 UTC". 0 or -EINVAL (out says so) / -ENOSPC. */
int pki_time_str(const ASN1_TIME *t, char *out, size_t outlen);

/*
 * Read a private key from a PEM file that only its owner may read (mode
 * 0600 or stricter, else -EPERM with a message). 0 or -errno.
 */
int pki_read_key(const char *path, EVP_PKEY **key, char *err, size_t errlen);
/* The first certificate of a PEM or DER file. 0 or -errno with err. */
int pki_read_cert(const char *path, X509 **cert, char *err, size_t errlen);
/* Every certificate of a PEM file (or the one of a DER file), in order. */
int pki_read_certs(const char *path, STACK_OF(X509) **certs, char *err,
		   size_t errlen);

#endif
