// SPDX-License-Identifier: GPL-2.0
/*
 * The first input byte picks a mode and max_frag:
 *   0: a gateway engine, after its start, fed the rest as EAP packets;
 *   1: a client engine fed the rest as EAP packets;
 *   2: a real client and gateway talking, the rest mutating their packets.
 * Packets in modes 0/1 are [ctl][len hi][len lo][bytes]; ctl bit 0 on the
 * gateway puts the outstanding identifier in, so that packets get past the
 * identifier check.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto/eap_tls.h"

#define OUT_CAP (EAP_TLS_MAX_FRAG + 16)

static SSL_CTX *server_ctx, *client_ctx;
static int refuse;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *self_signed(EVP_PKEY *key)
{
	X509 *x = X509_new();
	X509_NAME *name;

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 365);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"fuzz.test", -1, -1,
				   0);
	X509_set_issuer_name(x, name);
	if (X509_sign(x, key, EVP_sha256()) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *cert = key ? self_signed(key) : NULL;

	(void)argc;
	(void)argv;
	if (!cert)
		abort();
	server_ctx = SSL_CTX_new(TLS_server_method());
	client_ctx = SSL_CTX_new(TLS_client_method());
	if (!server_ctx || !client_ctx ||
	    SSL_CTX_use_certificate(server_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(server_ctx, key) != 1 ||
	    SSL_CTX_use_certificate(client_ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(client_ctx, key) != 1 ||
	    X509_STORE_add_cert(SSL_CTX_get_cert_store(client_ctx), cert) != 1)
		abort();
	SSL_CTX_set_verify(client_ctx, SSL_VERIFY_PEER, NULL);
	/* As sstpd and sstpctl set theirs up. */
	eap_tls_ctx_init(server_ctx);
	eap_tls_ctx_init(client_ctx);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

static int verify(void *arg, X509 *leaf, STACK_OF(X509) *chain, char *why,
		  size_t whylen)
{
	(void)arg;
	(void)chain;
	if (!leaf)
		abort();
	if (refuse) {
		strncpy(why, "refused by the fuzzer", whylen - 1);
		why[whylen - 1] = '\0';
		return 1;
	}
	return 0;
}

static void poke(struct eap_tls *e)
{
	uint8_t msk[EAP_MSK_LEN];
	const char *s;

	s = eap_tls_error(e);
	if (!s || strlen(s) > 255)
		abort();
	s = eap_tls_identity(e);
	if (!s || strlen(s) > 253)
		abort();
	eap_tls_msk(e, msk);
	eap_tls_peer_cert(e);
}

static void check_out(const uint8_t *out, size_t n, size_t max_frag)
{
	if (!n)
		return;
	if (n < 4 || ((size_t)out[2] << 8 | out[3]) != n)
		abort();
	if ((out[0] == 1 || out[0] == 2) && out[4] == 13 &&
	    n > max_frag + 10)
		abort();
}

struct reader {
	const uint8_t *p;
	size_t n;
};

static bool next_packet(struct reader *r, uint8_t *ctl, const uint8_t **pkt,
			size_t *len)
{
	size_t l;

	if (r->n < 3)
		return false;
	*ctl = r->p[0];
	l = (size_t)r->p[1] << 8 | r->p[2];
	r->p += 3;
	r->n -= 3;
	if (l > r->n)
		l = r->n;
	*pkt = r->p;
	*len = l;
	r->p += l;
	r->n -= l;
	return true;
}

static void feed_server(struct reader *r, size_t max_frag, uint8_t *out)
{
	struct eap_tls *s = eap_tls_server_new(server_ctx, verify, NULL,
					       max_frag);
	uint8_t *buf = malloc(65536 + 16);
	const uint8_t *pkt;
	size_t len, n;
	uint8_t ctl;

	if (!s || !buf)
		abort();
	n = eap_tls_server_start(s, out, OUT_CAP);
	check_out(out, n, max_frag);
	while (next_packet(r, &ctl, &pkt, &len)) {
		memcpy(buf, pkt, len);
		if ((ctl & 1) && len >= 2 &&
		    eap_tls_retransmit(s, out, OUT_CAP) > 1)
			buf[1] = out[1];
		eap_tls_input(s, buf, len, out, OUT_CAP, &n);
		check_out(out, n, max_frag);
		poke(s);
	}
	free(buf);
	eap_tls_free(s);
}

static void feed_client(struct reader *r, size_t max_frag, uint8_t *out)
{
	struct eap_tls *c = eap_tls_client_new(client_ctx, "fuzz@example.test",
					       max_frag);
	const uint8_t *pkt;
	size_t len, n;
	uint8_t ctl;

	if (!c)
		abort();
	while (next_packet(r, &ctl, &pkt, &len)) {
		eap_tls_input(c, pkt, len, out, OUT_CAP, &n);
		check_out(out, n, max_frag);
		poke(c);
	}
	eap_tls_free(c);
}

/* Changes one packet in flight as the next input bytes say. */
static size_t mutate(struct reader *r, uint8_t *pkt, size_t len, size_t cap)
{
	uint8_t op, a, b;

	if (r->n < 3)
		return len;
	op = r->p[0];
	a = r->p[1];
	b = r->p[2];
	r->p += 3;
	r->n -= 3;
	if (op < 0x80 || !len)
		return len;
	switch (op & 3) {
	case 0:
		pkt[a % len] ^= b ? b : 1;
		return len;
	case 1:
		return a % len;
	case 2:
		if (len + b <= cap)
			memset(pkt + len, a, b);
		return len + b <= cap ? len + b : len;
	default:
		if ((size_t)a > r->n)
			a = r->n;
		if (a > cap)
			a = cap;
		memcpy(pkt, r->p, a);
		r->p += a;
		r->n -= a;
		return a;
	}
}

static void converse(struct reader *r, size_t max_frag, uint8_t *a)
{
	struct eap_tls *s = eap_tls_server_new(server_ctx, verify, NULL,
					       max_frag);
	struct eap_tls *c = eap_tls_client_new(client_ctx, "fuzz@example.test",
					       max_frag);
	enum eap_tls_status ss = EAP_TLS_CONTINUE, cs = EAP_TLS_CONTINUE;
	uint8_t *b = malloc(OUT_CAP);
	size_t alen, blen;
	int i;

	if (!s || !c || !b)
		abort();
	alen = eap_tls_server_start(s, a, OUT_CAP);
	for (i = 0; i < 2000 && alen; i++) {
		alen = mutate(r, a, alen, OUT_CAP);
		cs = eap_tls_input(c, a, alen, b, OUT_CAP, &blen);
		check_out(b, blen, max_frag);
		/* after our alert the client's answer brings EAP-Failure */
		if ((ss != EAP_TLS_CONTINUE && ss != EAP_TLS_ALERT) || !blen)
			break;
		blen = mutate(r, b, blen, OUT_CAP);
		ss = eap_tls_input(s, b, blen, a, OUT_CAP, &alen);
		check_out(a, alen, max_frag);
		if (cs != EAP_TLS_CONTINUE)
			break;
	}
	/* an untouched conversation must agree on the key */
	if (ss == EAP_TLS_SUCCESS && cs == EAP_TLS_SUCCESS) {
		uint8_t m1[EAP_MSK_LEN], m2[EAP_MSK_LEN];

		if (eap_tls_msk(s, m1) || eap_tls_msk(c, m2) ||
		    memcmp(m1, m2, EAP_MSK_LEN))
			abort();
	}
	poke(s);
	poke(c);
	free(b);
	eap_tls_free(s);
	eap_tls_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data + 1, size ? size - 1 : 0 };
	uint8_t *out;
	size_t max_frag;

	if (!size)
		return 0;
	max_frag = EAP_TLS_MIN_FRAG + (size_t)(data[0] >> 3) * 64;
	refuse = data[0] & 4;
	out = malloc(OUT_CAP);
	if (!out)
		abort();
	switch (data[0] & 3) {
	case 0:
		feed_server(&r, max_frag, out);
		break;
	case 1:
		feed_client(&r, max_frag, out);
		break;
	default:
		converse(&r, max_frag, out);
		break;
	}
	free(out);
	ERR_clear_error();
	return 0;
}
