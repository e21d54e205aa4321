/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Revocation by thumbprint: the set of revoked SHA-1 or SHA-256
 * thumbprints a struct pki holds (a client certificate, an intermediate or
 * a root, which revokes everything under it), the revoked file that keeps
 * them, and the checks of a certificate or a live session's chain.
 */
#ifndef _SSTP_REVOKED_H
#define _SSTP_REVOKED_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "pki.h"

/*
 * Revoke / withdraw a thumbprint as pki_thumbprint_normalise() reads it.
 * 0 (revoking twice is fine) or -EINVAL / -ENOMEM; pki_unrevoke: -ENOENT
 * when it was not revoked.
 */
int pki_revoke(struct pki *pki, const char *thumbprint);
int pki_unrevoke(struct pki *pki, const char *thumbprint);
size_t pki_revoked_count(const struct pki *pki);
/* The i-th revoked thumbprint (sorted), NULL past the end. */
const char *pki_revoked_at(const struct pki *pki, size_t i);
/* Is this normalised thumbprint in the revoked set? */
bool pki_is_revoked(const struct pki *pki, const char *norm);
/*
 * One line of a revoked file (len bytes, its newline optional): what
 * follows '#' is a comment, white space around is ignored. 1 with the
 * normalised thumbprint in norm, 0 for a blank or comment-only line,
 * -EINVAL for anything else (a NUL byte included).
 */
int pki_revoked_line(const char *line, size_t len, char norm[65]);
/*
 * One thumbprint a line (pki_revoked_line). Added to the set; on error
 * (err names the line) nothing is added.
 */
int pki_load_revoked_file(struct pki *pki, const char *path, char *err,
			  size_t errlen);
/*
 * Is cert (or, for a leaf, a root that issued it directly or through other
 * roots) revoked? Intermediates that are not roots are only known to
 * pki_verify_client, which checks every certificate of the built chain.
 */
bool pki_cert_revoked(const struct pki *pki, X509 *cert);
/* Is any certificate of the chain revoked? */
bool pki_chain_revoked(const struct pki *pki, const struct pki_chain *c);

#endif
