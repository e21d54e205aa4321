// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "util/err.h"
#include "pki_priv.h"

/* The first queued OpenSSL reason, for messages; clears the queue. */
static const char *ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	ERR_clear_error();
	return r ? r : "unknown OpenSSL error";
}

static void describe_eku(X509 *x, char *out, size_t outlen)
{
	EXTENDED_KEY_USAGE *eku;
	size_t off = 0;
	int crit = -1, i;

	out[0] = '\0';
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		snprintf(out, outlen, crit == -1 ?
			 "no extendedKeyUsage extension" :
			 "unreadable extendedKeyUsage extension");
		ERR_clear_error();
		return;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku) && off < outlen; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		char name[80];
		int nid = OBJ_obj2nid(o);

		if (nid != NID_undef)
			snprintf(name, sizeof(name), "%s", OBJ_nid2sn(nid));
		else
			OBJ_obj2txt(name, sizeof(name), o, 1);
		off += (size_t)snprintf(out + off, outlen - off, "%s%s",
					i ? ", " : "EKU: ", name);
	}
	if (!i)
		snprintf(out, outlen, "empty extendedKeyUsage extension");
	EXTENDED_KEY_USAGE_free(eku);
}

bool pki_has_client_auth(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	bool ok = false;
	int i;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
	if (!eku) {
		ERR_clear_error();
		return false;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++)
		if (OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i)) ==
		    NID_client_auth)
			ok = true;
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

static bool trust_error(int e)
{
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_CERT_UNTRUSTED:
		return true;
	}
	return false;
}

/* keyUsage bits by name, for messages. */
static void describe_ku(uint32_t ku, char *out, size_t outlen)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ KU_DIGITAL_SIGNATURE, "digitalSignature" },
		{ KU_NON_REPUDIATION, "nonRepudiation" },
		{ KU_KEY_ENCIPHERMENT, "keyEncipherment" },
		{ KU_DATA_ENCIPHERMENT, "dataEncipherment" },
		{ KU_KEY_AGREEMENT, "keyAgreement" },
		{ KU_KEY_CERT_SIGN, "keyCertSign" },
		{ KU_CRL_SIGN, "cRLSign" },
		{ KU_ENCIPHER_ONLY, "encipherOnly" },
		{ KU_DECIPHER_ONLY, "decipherOnly" },
	};
	size_t i, off = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]) && off < outlen; i++)
		if (ku & names[i].bit)
			off += (size_t)snprintf(out + off, outlen - off, "%s%s",
						off ? ", " : "", names[i].name);
	if (!off)
		snprintf(out, outlen, "no usage");
}

/*
 * Keys we accept anywhere in a client's chain: RSA (and RSA-PSS) of 2048
 * bits and more, EC of 256 bits and more, Ed25519 and Ed448. DSA and
 * everything else is refused. what says what the key is.
 */
static enum pki_rule key_rule(X509 *x, char *what, size_t len)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64] = "";
	int bits;

	if (!k) {
		ERR_clear_error();
		snprintf(what, len, "an unreadable public key");
		return PKI_RULE_KEY_TYPE;
	}
	bits = EVP_PKEY_get_bits(k);
	if (EVP_PKEY_is_a(k, "RSA") || EVP_PKEY_is_a(k, "RSA-PSS")) {
		snprintf(what, len, "an RSA key of %d bits (at least 2048 needed)",
			 bits);
		return bits >= 2048 ? PKI_RULE_OK : PKI_RULE_WEAK_KEY;
	}
	if (EVP_PKEY_is_a(k, "EC")) {
		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group), NULL))
			snprintf(group, sizeof(group), "explicit curve");
		ERR_clear_error();
		snprintf(what, len, "an EC key of %d bits (%s; at least 256 needed)",
			 bits, group);
		return bits >= 256 ? PKI_RULE_OK : PKI_RULE_WEAK_KEY;
	}
	if (EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "ED448"))
		return PKI_RULE_OK;
	snprintf(what, len,
		 "a %s key (only RSA, EC, Ed25519 and Ed448 are accepted)",
		 EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) :
		 "unknown");
	return PKI_RULE_KEY_TYPE;
}

/*
 * A CA's extendedKeyUsage, when it has one, limits what it may certify
 * (OpenSSL's X509_PURPOSE_SSL_CLIENT and Windows read it so): it must list
 * clientAuth or anyExtendedKeyUsage. An unreadable one fails.
 */
static bool ca_eku_allows_client(X509 *x)
{
	EXTENDED_KEY_USAGE *eku;
	bool ok = false;
	int crit = -1, i, nid;

	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	if (!eku) {
		ERR_clear_error();
		return crit == -1;
	}
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
		if (nid == NID_client_auth || nid == NID_anyExtendedKeyUsage)
			ok = true;
	}
	EXTENDED_KEY_USAGE_free(eku);
	return ok;
}

/* "issuer" or "root" and its subject, for a certificate above the leaf. */
static void name_above(STACK_OF(X509) *built, int i, char *out, size_t len)
{
	char subj[256];

	pki_subject(sk_X509_value(built, i), subj, sizeof(subj));
	snprintf(out, len, "%s \"%s\"",
		 i == sk_X509_num(built) - 1 ? "root" : "issuer", subj);
}

/* What the leaf and the rest of the built chain must be besides trusted. */
static enum pki_rule profile_rule(const struct pki *pki,
				  STACK_OF(X509) *built, char *why,
				  size_t whylen)
{
	char who[300], what[160], tp[65];
	X509 *leaf = sk_X509_value(built, 0);
	enum pki_rule r;
	uint32_t ku;
	int i, n = sk_X509_num(built);

	for (i = 0; i < n; i++) {
		X509 *x = sk_X509_value(built, i);

		if (!pki_revoked_tp(pki, x, tp))
			continue;
		if (i == 0) {
			err_set(why, whylen, "is revoked (thumbprint %s)", tp);
		} else {
			name_above(built, i, who, sizeof(who));
			err_set(why, whylen, "%s is revoked (thumbprint %s)",
				who, tp);
		}
		return PKI_RULE_REVOKED;
	}
	for (i = 0; i < n; i++) {
		r = key_rule(sk_X509_value(built, i), what, sizeof(what));
		if (r == PKI_RULE_OK)
			continue;
		if (i == 0) {
			err_set(why, whylen, "has %s", what);
		} else {
			name_above(built, i, who, sizeof(who));
			err_set(why, whylen, "%s has %s", who, what);
		}
		return r;
	}
	/* TLS 1.2 client authentication signs with the key. */
	if (X509_get_extension_flags(leaf) & EXFLAG_KUSAGE) {
		ku = X509_get_key_usage(leaf);
		if (!(ku & KU_DIGITAL_SIGNATURE)) {
			describe_ku(ku, what, sizeof(what));
			err_set(why, whylen,
				"keyUsage (%s) does not allow digitalSignature",
				what);
			return PKI_RULE_KEY_USAGE;
		}
	}
	if (!pki_has_client_auth(leaf)) {
		describe_eku(leaf, what, sizeof(what));
		err_set(why, whylen, "has no Client Authentication EKU (%s)",
			what);
		return PKI_RULE_EKU;
	}
	for (i = 1; i < n; i++) {
		X509 *x = sk_X509_value(built, i);

		if (ca_eku_allows_client(x))
			continue;
		name_above(built, i, who, sizeof(who));
		describe_eku(x, what, sizeof(what));
		err_set(why, whylen,
			"%s does not allow client authentication (%s)", who,
			what);
		return PKI_RULE_CHAIN_EKU;
	}
	return PKI_RULE_OK;
}

/*
 * Why OpenSSL would not build a trusted, valid chain for leaf: the rule and
 * the message, naming the issuer when it is not the leaf that failed.
 */
static enum pki_rule chain_rule(X509_STORE_CTX *ctx, X509 *leaf, char *why,
				size_t whylen)
{
	int e = X509_STORE_CTX_get_error(ctx);
	X509 *bad = X509_STORE_CTX_get_current_cert(ctx);
	char other[256], when[40];
	enum pki_rule r = PKI_RULE_CHAIN;

	if (bad && X509_cmp(bad, leaf))
		pki_subject(bad, other, sizeof(other));
	else
		bad = NULL;
	if (e == X509_V_ERR_CERT_HAS_EXPIRED) {
		r = PKI_RULE_EXPIRED;
		pki_time_str(X509_get0_notAfter(bad ? bad : leaf), when,
			     sizeof(when));
		if (bad)
			err_set(why, whylen, "issuer \"%s\" expired on %s",
				other, when);
		else
			err_set(why, whylen, "expired on %s", when);
	} else if (e == X509_V_ERR_CERT_NOT_YET_VALID) {
		r = PKI_RULE_NOT_YET_VALID;
		pki_time_str(X509_get0_notBefore(bad ? bad : leaf), when,
			     sizeof(when));
		if (bad)
			err_set(why, whylen,
				"issuer \"%s\" is not valid before %s", other,
				when);
		else
			err_set(why, whylen, "not valid before %s", when);
	} else if (trust_error(e)) {
		r = PKI_RULE_UNTRUSTED;
		err_set(why, whylen, "does not chain to a trusted root (%s)",
			X509_verify_cert_error_string(e));
	} else if (bad) {
		err_set(why, whylen, "chain verification failed at \"%s\" (%s)",
			other, X509_verify_cert_error_string(e));
	} else {
		err_set(why, whylen, "verification failed (%s)",
			X509_verify_cert_error_string(e));
	}
	ERR_clear_error();
	return r;
}

int pki_verify_client_rule(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, enum pki_rule *rule,
			   char *why, size_t whylen)
{
	char subj[256], sha1[41];
	char *base = why && whylen ? why : NULL;
	enum pki_rule dummy, r;
	size_t off;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *built;
	int ret = -EACCES, n;

	if (!rule)
		rule = &dummy;
	*rule = PKI_RULE_CHAIN;
	if (anchor)
		*anchor = NULL;
	if (!leaf) {
		err_set(why, whylen, "no client certificate");
		return -EACCES;
	}
	pki_subject(leaf, subj, sizeof(subj));
	pki_thumbprint_sha1(leaf, sha1);
	err_set(why, whylen, "certificate \"%s\" (SHA1 %s): ", subj, sha1);
	if (why && whylen) {
		off = strlen(why);
		why += off;
		whylen -= off;
	}

	if (!pki || !pki->nroots) {
		*rule = PKI_RULE_UNTRUSTED;
		err_set(why, whylen,
			"does not chain to a trusted root (no trusted roots configured)");
		return -EACCES;
	}
	/*
	 * A trusted root verifies as a chain of one (partial chains are on):
	 * it is an anchor, not a client certificate. Nor is any other CA.
	 */
	if (pki_root_index(pki, leaf) >= 0) {
		*rule = PKI_RULE_ANCHOR;
		err_set(why, whylen,
			"is a trusted root, not a client certificate");
		return -EACCES;
	}
	if (X509_get_extension_flags(leaf) & EXFLAG_CA) {
		*rule = PKI_RULE_CA;
		err_set(why, whylen,
			"is a CA certificate (basicConstraints CA:TRUE), not a client certificate");
		return -EACCES;
	}
	ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, pki->store, leaf, chain)) {
		*rule = PKI_RULE_ERROR;
		err_set(why, whylen, "cannot verify (%s)", ssl_reason());
		ret = -ENOMEM;
		goto out;
	}
	/* A directory entry is an anchor even when it is not self-signed. */
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN);
	if (X509_verify_cert(ctx) != 1) {
		*rule = chain_rule(ctx, leaf, why, whylen);
		goto out;
	}

	built = X509_STORE_CTX_get0_chain(ctx);
	n = sk_X509_num(built);
	r = profile_rule(pki, built, why, whylen);
	if (r != PKI_RULE_OK) {
		*rule = r;
		goto out;
	}
	if (rec && pki_chain_record(rec, built)) {
		err_set(why, whylen, "chain longer than %d certificates",
			PKI_CHAIN_MAX);
		goto out;
	}
	if (anchor) {
		*anchor = sk_X509_value(built, n - 1);
		X509_up_ref(*anchor);
	}
	if (base)
		base[0] = '\0';
	*rule = PKI_RULE_OK;
	ret = 0;
out:
	X509_STORE_CTX_free(ctx);
	return ret;
}

int pki_verify_client_root(const struct pki *pki, X509 *leaf,
			   STACK_OF(X509) *chain, X509 **anchor,
			   struct pki_chain *rec, char *why, size_t whylen)
{
	return pki_verify_client_rule(pki, leaf, chain, anchor, rec, NULL, why,
				      whylen);
}

int pki_verify_client(const struct pki *pki, X509 *leaf,
		      STACK_OF(X509) *chain, char *why, size_t whylen)
{
	return pki_verify_client_rule(pki, leaf, chain, NULL, NULL, NULL, why,
				      whylen);
}

const char *pki_rule_text(enum pki_rule rule)
{
	switch (rule) {
	case PKI_RULE_OK:
		return "certificate accepted";
	case PKI_RULE_UNTRUSTED:
		return "certificate does not chain to a trusted root";
	case PKI_RULE_EXPIRED:
		return "certificate or an issuer has expired";
	case PKI_RULE_NOT_YET_VALID:
		return "certificate or an issuer is not yet valid";
	case PKI_RULE_REVOKED:
		return "certificate or an issuer is revoked";
	case PKI_RULE_ANCHOR:
		return "a trusted root is not a client certificate";
	case PKI_RULE_CA:
		return "a CA certificate is not a client certificate";
	case PKI_RULE_KEY_USAGE:
		return "keyUsage does not allow digitalSignature";
	case PKI_RULE_EKU:
		return "no Client Authentication EKU";
	case PKI_RULE_CHAIN_EKU:
		return "an issuer's EKU does not allow client authentication";
	case PKI_RULE_KEY_TYPE:
		return "key type not accepted (RSA, EC, Ed25519, Ed448 only)";
	case PKI_RULE_WEAK_KEY:
		return "key too small (RSA needs 2048 bits, EC 256)";
	case PKI_RULE_CHAIN:
		return "certificate chain verification failed";
	case PKI_RULE_ERROR:
		break;
	}
	return "certificate could not be checked";
}

/*
 * OpenSSL turns a verification error into the TLS alert it sends
 * (ssl_x509err2alert); these codes give the alerts of RFC 5246 7.2.2.
 * certificate_expired covers "not currently valid", so not-yet-valid gets
 * the expired code too.
 */
int pki_rule_x509_error(enum pki_rule rule)
{
	switch (rule) {
	case PKI_RULE_OK:
		return X509_V_OK;
	case PKI_RULE_UNTRUSTED:
		return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
	case PKI_RULE_EXPIRED:
	case PKI_RULE_NOT_YET_VALID:
		return X509_V_ERR_CERT_HAS_EXPIRED;
	case PKI_RULE_REVOKED:
		return X509_V_ERR_CERT_REVOKED;
	case PKI_RULE_ANCHOR:
	case PKI_RULE_CA:
	case PKI_RULE_KEY_USAGE:
	case PKI_RULE_EKU:
	case PKI_RULE_CHAIN_EKU:
	case PKI_RULE_KEY_TYPE:
		return X509_V_ERR_INVALID_PURPOSE;
	case PKI_RULE_WEAK_KEY:
		return X509_V_ERR_EE_KEY_TOO_SMALL;
	case PKI_RULE_CHAIN:
		return X509_V_ERR_CERT_REJECTED;
	case PKI_RULE_ERROR:
		break;
	}
	return X509_V_ERR_OUT_OF_MEM;
}
