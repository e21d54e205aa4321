/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of ctl/lib/trust/ share and nobody else sees: struct pki
 * (the roots and the revoked set) and the helpers more than one of them
 * needs.
 */
#ifndef _SSTP_PKI_PRIV_H
#define _SSTP_PKI_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <openssl/x509.h>

#include "pki.h"

struct pki {
	X509 *roots[PKI_MAX_ROOTS];
	unsigned int nroots;
	/* Holds exactly roots[]; rebuilt whenever a root is removed. */
	X509_STORE *store;
	/* Sorted, normalised thumbprints (40 or 64 upper-case hex digits). */
	char (*revoked)[65];
	size_t nrevoked;
	size_t cap;
};

/* May x be a trust anchor or an issuer (pki.c explains what counts)? */
bool pki_is_ca(X509 *x);
/* The index of x in pki->roots, or -1. */
int pki_root_index(const struct pki *pki, X509 *x);
/* Is a thumbprint of x revoked? out: that thumbprint, or "" if none. */
bool pki_revoked_tp(const struct pki *pki, X509 *x, char out[65]);

#endif
