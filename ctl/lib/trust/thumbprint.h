/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Certificate thumbprints: computed (upper-case hex of the DER's SHA-1 or
 * SHA-256) and read back from what a person types or pastes. Every place
 * that takes a thumbprint (configuration, the revoked file, sstpctl, the
 * daemon's control commands) reads it with pki_thumbprint_normalise().
 */
#ifndef _SSTP_THUMBPRINT_H
#define _SSTP_THUMBPRINT_H

#include <stdint.h>
#include <openssl/x509.h>

/* Upper-case hex thumbprints, no separators. out needs 41 / 65 bytes. */
void pki_thumbprint_sha1(X509 *cert, char out[41]);
void pki_thumbprint_sha256(X509 *cert, char out[65]);
/* Raw DER digests of a certificate (for the SSTP crypto binding). */
int pki_cert_digests(X509 *cert, uint8_t sha1[20], uint8_t sha256[32]);
/*
 * A SHA-1 (40 hex) or SHA-256 (64 hex) thumbprint as typed or pasted into
 * upper-case hex, no separators. Spaces, tabs and colons are ignored, case
 * is not significant, and the invisible U+200E (which Windows' certificate
 * dialog puts in front when one copies a thumbprint) and U+FEFF (a BOM, from
 * Notepad) are dropped; anything else is an error. Returns 40 or 64 (its
 * length), or -EINVAL.
 */
int pki_thumbprint_normalise(const char *in, char out[65]);

#endif
