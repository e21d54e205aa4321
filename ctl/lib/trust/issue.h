/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Issuing certificates (roots, intermediates, server and client
 * certificates), writing them, their keys and PKCS#12 files, and the demo
 * PKI: the tooling behind `sstpctl cert`, `sstpctl package` and
 * `sstpctl up` without a configuration.
 */
#ifndef _SSTP_ISSUE_H
#define _SSTP_ISSUE_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* Is s a literal IPv4 or IPv6 address (an IP SAN rather than a DNS one)? */
bool pki_is_ip_address(const char *s);

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
 * alphabet in four dash-separated groups of five (100 bits), easy to
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
