/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A gateway's trust state that outlives it: revocations in the revoked
 * file (RevokedFile, or a default one under $SSTP_STATEDIR), trusted roots
 * in the RootCertificates directory. Every live change is stored durably
 * (atomic_file.h) before it takes effect and before it is reported, all or
 * nothing; sessions it covers leave the data plane at once.
 */
#ifndef _SSTPD_TRUST_H
#define _SSTPD_TRUST_H

#include <stddef.h>
#include <stdio.h>

struct gateway;

#ifndef STATEDIR
#define STATEDIR "/var/lib/sstp"
#endif

/*
 * Where revocations are kept: cfg->revoked_file, or
 * $SSTP_STATEDIR (default STATEDIR) + "/<interface>/revoked".
 */
int trust_revoked_path(const char *revoked_file, const char *ifname,
		       char *out, size_t outlen);
/* At start: roots, the revoked file (a missing one is empty), Revoke =. */
int trust_load(struct gateway *gw);

/* Each: 0 or -errno with err set; nothing changed on error. */
int trust_revoke(struct gateway *gw, const char *thumbprint, int *ended,
		 char *err, size_t errlen);
int trust_unrevoke(struct gateway *gw, const char *thumbprint, char *err,
		   size_t errlen);
int trust_root_add(struct gateway *gw, const char *path, int *added,
		   char *err, size_t errlen);
int trust_root_remove(struct gateway *gw, const char *thumbprint, int *ended,
		      char *err, size_t errlen);
/*
 * "file\t<path>" then one "revoked\t<thumbprint>\t<file|config>" line per
 * revoked thumbprint.
 */
void trust_list_revoked(struct gateway *gw, FILE *f);

#endif
