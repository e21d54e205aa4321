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
 * Revocation: a normalised SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint
 * of a client certificate or of a root (which revokes the whole root).
 * Spaces, tabs and colons are ignored, case is not significant, and the
 * invisible U+200E and U+FEFF that Windows adds when one copies a
 * thumbprint are dropped. 0 (revoking twice is fine) or -EINVAL / -ENOMEM;
 * pki_unrevoke: -ENOENT when it was not revoked.
 */
int pki_revoke(struct pki *pki, const char *thumbprint);
int pki_unrevoke(struct pki *pki, const char *thumbprint);
size_t pki_revoked_count(const struct pki *pki);
/* The i-th revoked thumbprint (sorted), NULL past the end. */
const char *pki_revoked_at(const struct pki *pki, size_t i);
/* Is this normalised thumbprint in the revoked set? */
bool pki_is_revoked(const struct pki *pki, const char *norm);
/*
 * Normalise a thumbprint as above into upper-case hex, no separators.
 * Returns 40 or 64 (its length), or -EINVAL.
 */
int pki_thumbprint_normalise(const char *in, char out[65]);
/*
 * One thumbprint a line, # comments and blank lines allowed. Added to the
 * set; on error (err names the line) nothing is added.
 */
int pki_load_revoked_file(struct pki *pki, const char *path, char *err,
			  size_t errlen);
/*
 * Is cert (or, for a leaf, a root that issued it directly or through other
 * roots) revoked? Intermediates that are not roots are only known to
 * pki_verify_client, which checks every certificate of the built chain.
 */
bool pki_cert_revoked(const struct pki *pki, X509 *cert);

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
/* Is any certificate of the chain revoked? */
bool pki_chain_revoked(const struct pki *pki, const struct pki_chain *c);

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

/* Upper-case hex thumbprints, no separators. out needs 41 / 65 bytes. */
void pki_thumbprint_sha1(X509 *cert, char out[41]);
void pki_thumbprint_sha256(X509 *cert, char out[65]);
/* Raw DER digests of a certificate (for the SSTP crypto binding). */
int pki_cert_digests(X509 *cert, uint8_t sha1[20], uint8_t sha256[32]);
/* One-line subject, e.g. "CN=client1@example.test" (RFC 2253 order). */
void pki_subject(X509 *cert, char *out, size_t outlen);
void pki_issuer(X509 *cert, char *out, size_t outlen);
/* The subject's CN in UTF-8. 0, -ENOENT (none), -ENAMETOOLONG, -EINVAL. */
int pki_common_name(X509 *cert, char *out, size_t outlen);
/* "2025-01-31 23:59:59 UTC". 0 or -EINVAL (out says so) / -ENOSPC. */
int pki_time_str(const ASN1_TIME *t, char *out, size_t outlen);
/* Is s a literal IPv4 or IPv6 address? */
bool pki_is_ip_address(const char *s);

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
 * Issue a certificate (a self-signed one when issuer is NULL, for roots;
 * PKI_ROOT with an issuer makes an intermediate CA). A fresh key is
 * generated; serials are 16 random bytes, signatures SHA-256. issuer_key
 * must match issuer, and issuer must be a CA. 0 or -EINVAL (bad spec: empty
 * or over 64-character CN, not_after <= not_before, bad SAN) / -ENOMEM /
 * -EIO.
 */
int pki_issue(const struct pki_cert_spec *spec, X509 *issuer,
	      EVP_PKEY *issuer_key, X509 **cert, EVP_PKEY **key);
/*
 * Write PEM files: certificates 0644, keys 0600 (created, replaced; the mode
 * is set before the contents are written). Keys are unencrypted PKCS#8 and
 * are not written through a symlink (-ELOOP). chain_extra may be NULL.
 */
int pki_write_cert(const char *path, X509 *cert, X509 *chain_extra);
int pki_write_key(const char *path, EVP_PKEY *key);
/*
 * PKCS#12 with the leaf, its key and the chain (for Windows clients):
 * AES-256-CBC, SHA-256 MAC, friendly name = CN, file mode 0600. The
 * password must not be empty. root may be NULL.
 */
int pki_write_p12(const char *path, X509 *cert, EVP_PKEY *key, X509 *root,
		  const char *password);

/*
 * A PKCS#12 password nobody chose: 20 characters of the RFC 4648 base32
 * alphabet in four groups, "XXXXX-XXXXX-XXXXX-XXXXX" (100 bits), easy to
 * type into Windows' certificate import. outlen >= PKI_P12_PASSWORD_SIZE.
 */
#define PKI_P12_PASSWORD_SIZE 24
int pki_random_password(char *out, size_t outlen);
/* Where a generated password goes: "<p12 path>.password", mode 0600. */
#define PKI_P12_PASSWORD_SUFFIX ".password"
/* Write password and a newline: mode 0600, replaced, never via a symlink. */
int pki_write_password(const char *path, const char *password);

/*
 * A demo PKI in dir (created 0700): roots/root.crt with its key in root.key
 * (outside the trust directory), server.crt/.key for server_name (a DNS SAN,
 * or an IP SAN when it is an address), client.crt/.key for
 * "client1@<server_name>", client.p12 with a random password in
 * client.p12.password.
 * Keys are 0600. 0 or -errno with err set; -EEXIST when dir already holds a
 * root.key, -EINVAL for a name that is not a host name or address or is too
 * long for a CN.
 */
int pki_demo_generate(const char *dir, const char *server_name, char *err,
		      size_t errlen);

#endif
