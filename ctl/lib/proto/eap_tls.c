// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "util/wire.h"
#include "eap_tls.h"

enum { EAP_REQUEST = 1, EAP_RESPONSE = 2, EAP_SUCCESS = 3, EAP_FAILURE = 4 };

enum {
	EAP_T_IDENTITY = 1,
	EAP_T_NOTIFICATION = 2,
	EAP_T_NAK = 3,
	EAP_T_TLS = 13,
	EAP_T_EXPANDED = 254,
};

#define TLS_F_L 0x80
#define TLS_F_M 0x40
#define TLS_F_S 0x20

#define EAP_HDR 4
#define EAP_TLS_HDR 10		/* EAP header, type, flags, TLS length */
#define IDENTITY_MAX 253
#define BASE_ROUNDS 64

#define MSK_LABEL "client EAP encryption"

/* ST_ALERT: server, our TLS alert is out; the peer's answer ends it. */
enum state {
	ST_INIT, ST_IDENTITY, ST_TLS, ST_ALERT, ST_SUCCESS, ST_FAILURE,
};

struct eap_tls {
	bool server;
	enum state st;
	SSL *ssl;
	BIO *rbio, *wbio;	/* owned by ssl */
	eap_tls_verify_fn verify;
	void *arg;
	size_t max_frag;
	unsigned int rounds, max_rounds;
	/* server: the outstanding Request; client: the last one answered */
	uint8_t id;
	bool have_id;
	bool started;		/* client: EAP-TLS Start seen */
	bool hs_done;
	unsigned int flights;	/* TLS messages we have queued */
	/* reassembly of the peer's TLS message */
	uint8_t *rx;
	size_t rx_len, rx_cap;
	uint32_t rx_total;
	bool rx_busy, rx_has_total;
	/* our TLS message, sent max_frag at a time */
	uint8_t *tx;
	size_t tx_len, tx_off;
	/* last Request (server) or Response (client) sent */
	uint8_t *last;
	size_t last_len, last_cap;
	uint8_t msk[EAP_MSK_LEN];
	char identity[IDENTITY_MAX + 1];
	char err[256];
	/* server: verify() ran (from OpenSSL's verify callback) and said */
	bool verified;
	int verdict;		/* X509_V_OK or the X509_V_ERR_* refusing */
	X509 *peer;		/* the leaf verify() saw (OpenSSL keeps none
				 * of a refused one) */
	X509 *known;		/* client: the gateway's certificate as the
				 * outer TLS connection verified it */
	int alert_rx, alert_tx;	/* fatal TLS alerts seen, -1 if none */
};

struct eap_pkt {
	uint8_t code, id, type;
	const uint8_t *data;	/* after the type */
	size_t len;
};

struct tls_pkt {
	uint8_t flags;
	bool has_total;
	uint32_t total;
	const uint8_t *data;
	size_t len;
};



static bool parse_eap(const uint8_t *p, size_t n, struct eap_pkt *k)
{
	size_t len;

	if (!p || n < EAP_HDR)
		return false;
	len = (size_t)p[2] << 8 | p[3];
	if (len < EAP_HDR || len > n)
		return false;
	memset(k, 0, sizeof(*k));
	k->code = p[0];
	k->id = p[1];
	switch (k->code) {
	case EAP_REQUEST:
	case EAP_RESPONSE:
		if (len < EAP_HDR + 1)
			return false;
		k->type = p[EAP_HDR];
		k->data = p + EAP_HDR + 1;
		k->len = len - EAP_HDR - 1;
		return true;
	case EAP_SUCCESS:
	case EAP_FAILURE:
		return true;
	default:
		return false;
	}
}

static bool parse_tls(const struct eap_pkt *k, struct tls_pkt *t)
{
	const uint8_t *p = k->data;
	size_t n = k->len;

	if (n < 1)
		return false;
	memset(t, 0, sizeof(*t));
	t->flags = p[0];
	p++;
	n--;
	if (t->flags & TLS_F_L) {
		if (n < 4)
			return false;
		t->has_total = true;
		t->total = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			   (uint32_t)p[2] << 8 | p[3];
		p += 4;
		n -= 4;
	}
	t->data = p;
	t->len = n;
	return true;
}

static enum eap_tls_status fail(struct eap_tls *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum eap_tls_status fail(struct eap_tls *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->err, sizeof(e->err), fmt, ap);
	va_end(ap);
	e->st = ST_FAILURE;
	return EAP_TLS_FAILURE;
}

/* The handshake failed inside OpenSSL: keep its own reason. */
static void tls_reason(struct eap_tls *e, int sslerr)
{
	unsigned long code = ERR_get_error();
	const char *reason = NULL;
	const char *detail = "";
	char buf[160];
	long vr;

	if (code) {
		reason = ERR_reason_error_string(code);
		if (!reason) {
			ERR_error_string_n(code, buf, sizeof(buf));
			reason = buf;
		}
		if (!e->server && ERR_GET_LIB(code) == ERR_LIB_SSL &&
		    ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
			vr = SSL_get_verify_result(e->ssl);
			if (vr != X509_V_OK)
				detail = X509_verify_cert_error_string(vr);
		}
	}
	ERR_clear_error();
	if (!reason && sslerr == SSL_ERROR_ZERO_RETURN)
		reason = "peer sent close_notify";
	if (!reason)
		snprintf(e->err, sizeof(e->err),
			 "TLS handshake failed (SSL error %d)", sslerr);
	else if (*detail)
		snprintf(e->err, sizeof(e->err), "TLS handshake failed: %s (%s)",
			 reason, detail);
	else
		snprintf(e->err, sizeof(e->err), "TLS handshake failed: %s",
			 reason);
}

static enum eap_tls_status tls_fail(struct eap_tls *e, int sslerr)
{
	tls_reason(e, sslerr);
	e->st = ST_FAILURE;
	return EAP_TLS_FAILURE;
}

/* Copy the packet in e->last to the caller. */
static enum eap_tls_status send_last(struct eap_tls *e, uint8_t *out,
				     size_t cap, size_t *out_len)
{
	if (!out || cap < e->last_len)
		return fail(e, "output buffer too small (%zu < %zu)", cap,
			    e->last_len);
	memcpy(out, e->last, e->last_len);
	*out_len = e->last_len;
	return EAP_TLS_CONTINUE;
}

/*
 * Build a Request (server) or Response (client) of the given type in
 * e->last. A server's new Request takes the next identifier; a client
 * answers with the identifier of the Request.
 */
static enum eap_tls_status build(struct eap_tls *e, uint8_t type,
				 const uint8_t *body, size_t blen)
{
	uint8_t *p = e->last;
	size_t len = EAP_HDR + 1 + blen;

	if (++e->rounds > e->max_rounds)
		return fail(e, "too many EAP round trips (%u)", e->max_rounds);
	if (len > e->last_cap)
		return fail(e, "EAP packet too large (%zu bytes)", len);
	if (e->server)
		e->id++;
	p[0] = e->server ? EAP_REQUEST : EAP_RESPONSE;
	p[1] = e->id;
	put16(p + 2, len);
	p[4] = type;
	if (blen)
		memcpy(p + 5, body, blen);
	e->last_len = len;
	return EAP_TLS_CONTINUE;
}

static enum eap_tls_status reply(struct eap_tls *e, uint8_t type,
				 const uint8_t *body, size_t blen, uint8_t *out,
				 size_t cap, size_t *out_len)
{
	if (build(e, type, body, blen) != EAP_TLS_CONTINUE)
		return EAP_TLS_FAILURE;
	return send_last(e, out, cap, out_len);
}

/*
 * The next EAP-TLS packet: the next fragment of the queued TLS message (L
 * with the total on the first, M on all but the last) or, with nothing
 * queued, an empty one (an acknowledgement, or the Start with flags S).
 */
static enum eap_tls_status reply_tls(struct eap_tls *e, uint8_t flags,
				     uint8_t *out, size_t cap, size_t *out_len)
{
	uint8_t body[EAP_TLS_MAX_FRAG + 5];
	size_t left = e->tx_len - e->tx_off;
	size_t n = left < e->max_frag ? left : e->max_frag;
	size_t off = 1;

	if (n) {
		if (!e->tx_off) {
			flags |= TLS_F_L;
			put32(body + 1, e->tx_len);
			off += 4;
		}
		if (n < left)
			flags |= TLS_F_M;
		memcpy(body + off, e->tx + e->tx_off, n);
		off += n;
		e->tx_off += n;
		if (e->tx_off == e->tx_len)
			e->tx_len = e->tx_off = 0;
	}
	body[0] = flags;
	return reply(e, EAP_T_TLS, body, off, out, cap, out_len);
}

/* Move what OpenSSL wrote into the send queue. */
static int take_output(struct eap_tls *e)
{
	size_t n = BIO_ctrl_pending(e->wbio);
	uint8_t *p;

	if (!n)
		return 0;
	if (n > EAP_TLS_MAX_MSG) {
		fail(e, "TLS flight too large (%zu bytes)", n);
		return -1;
	}
	p = malloc(n);
	if (!p) {
		fail(e, "out of memory");
		return -1;
	}
	if (BIO_read(e->wbio, p, (int)n) != (int)n) {
		free(p);
		fail(e, "cannot read the TLS output");
		return -1;
	}
	free(e->tx);
	e->tx = p;
	e->tx_len = n;
	e->tx_off = 0;
	e->flights++;
	return 0;
}

/*
 * Add one fragment of the peer's TLS message. Returns 1 when the message
 * is complete (in e->rx), 0 when more fragments follow, -1 on failure.
 */
static int reassemble(struct eap_tls *e, const struct tls_pkt *t)
{
	size_t need, ncap;
	uint8_t *p;

	if (t->has_total) {
		if (t->total > EAP_TLS_MAX_MSG) {
			fail(e, "TLS message length %u exceeds %u", t->total,
			     EAP_TLS_MAX_MSG);
			return -1;
		}
		if (e->rx_busy && e->rx_has_total && t->total != e->rx_total) {
			fail(e, "TLS message length changed from %u to %u",
			     e->rx_total, t->total);
			return -1;
		}
		e->rx_total = t->total;
		e->rx_has_total = true;
	}
	if (!e->rx_busy) {
		e->rx_busy = true;
		e->rx_len = 0;
	}
	need = e->rx_len + t->len;
	if (e->rx_has_total && need > e->rx_total) {
		fail(e, "fragment exceeds the announced TLS message length (%zu > %u)",
		     need, e->rx_total);
		return -1;
	}
	if (need > EAP_TLS_MAX_MSG) {
		fail(e, "TLS message exceeds %u bytes", EAP_TLS_MAX_MSG);
		return -1;
	}
	if (need > e->rx_cap) {
		ncap = e->rx_cap ? e->rx_cap * 2 : 2048;
		if (ncap < need)
			ncap = need;
		if (ncap > EAP_TLS_MAX_MSG)
			ncap = EAP_TLS_MAX_MSG;
		p = realloc(e->rx, ncap);
		if (!p) {
			fail(e, "out of memory");
			return -1;
		}
		e->rx = p;
		e->rx_cap = ncap;
	}
	if (t->len)
		memcpy(e->rx + e->rx_len, t->data, t->len);
	e->rx_len = need;
	if (t->flags & TLS_F_M)
		return 0;
	e->rx_busy = false;
	if (e->rx_has_total && e->rx_len != e->rx_total) {
		fail(e, "TLS message shorter than announced (%zu < %u)",
		     e->rx_len, e->rx_total);
		return -1;
	}
	e->rx_has_total = false;
	if (!e->rx_len) {
		fail(e, "empty TLS message");
		return -1;
	}
	return 1;
}

/* Feed the reassembled message to OpenSSL and advance the handshake. */
static int handshake(struct eap_tls *e)
{
	int n = (int)e->rx_len;

	ERR_clear_error();
	e->rx_len = 0;
	if (BIO_write(e->rbio, e->rx, n) != n) {
		fail(e, "cannot pass the TLS message to OpenSSL");
		return -1;
	}
	return SSL_do_handshake(e->ssl);
}

static int derive_msk(struct eap_tls *e)
{
	if (SSL_export_keying_material(e->ssl, e->msk, EAP_MSK_LEN, MSK_LABEL,
				       strlen(MSK_LABEL), NULL, 0, 0) != 1) {
		ERR_clear_error();
		fail(e, "cannot derive the MSK");
		return -1;
	}
	return 0;
}

static void set_identity(struct eap_tls *e, const uint8_t *p, size_t n)
{
	size_t i;

	if (n > IDENTITY_MAX)
		n = IDENTITY_MAX;
	for (i = 0; i < n; i++)
		e->identity[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	e->identity[n] = '\0';
}

static void finish(struct eap_tls *e, uint8_t code, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	if (!out || cap < EAP_HDR)
		return;
	out[0] = code;
	out[1] = e->id;
	put16(out + 2, EAP_HDR);
	*out_len = EAP_HDR;
}

static enum eap_tls_status nak_failure(struct eap_tls *e,
				       const struct eap_pkt *k)
{
	char types[64] = "";
	size_t i, off = 0;
	int r;

	for (i = 0; i < k->len && off < sizeof(types); i++) {
		r = snprintf(types + off, sizeof(types) - off, " %u",
			     k->data[i]);
		if (r < 0)
			break;
		off += (size_t)r;
	}
	if (!k->len)
		return fail(e, "peer refused EAP-TLS");
	return fail(e, "peer refused EAP-TLS (proposes type%s%s)",
		    k->len > 1 ? "s" : "", types);
}

/*
 * Ask verify() about the peer's chain (chain: what the peer sent after its
 * leaf). Its answer becomes the X509_V_ERR_* code OpenSSL turns into our
 * TLS alert: its own positive return value, X509_V_ERR_APPLICATION_-
 * VERIFICATION (handshake_failure) for any other refusal.
 */
static void run_verify(struct eap_tls *e, X509 *leaf, STACK_OF(X509) *chain)
{
	int r;

	e->verified = true;
	e->err[0] = '\0';
	if (X509_up_ref(leaf))
		e->peer = leaf;
	r = e->verify(e->arg, leaf, chain, e->err, sizeof(e->err));
	e->err[sizeof(e->err) - 1] = '\0';
	if (!r) {
		e->verdict = X509_V_OK;
		e->err[0] = '\0';
		return;
	}
	e->verdict = r > 0 ? r : X509_V_ERR_APPLICATION_VERIFICATION;
	if (!e->err[0])
		snprintf(e->err, sizeof(e->err), "client certificate refused");
}

/* verify() on what the peer sent (once per connection), from OpenSSL's x. */
static void verify_sent(struct eap_tls *e, X509_STORE_CTX *x)
{
	STACK_OF(X509) *sent, *chain;
	X509 *leaf;

	if (e->verified)
		return;
	leaf = X509_STORE_CTX_get0_cert(x);
	sent = X509_STORE_CTX_get0_untrusted(x);
	chain = sent ? sk_X509_dup(sent) : sk_X509_new_null();
	if (!chain) {
		e->verified = true;
		e->verdict = X509_V_ERR_OUT_OF_MEM;
		snprintf(e->err, sizeof(e->err),
			 "out of memory verifying the certificate");
		return;
	}
	/* verify() gets the chain without the leaf. */
	if (sk_X509_num(chain) && !X509_cmp(sk_X509_value(chain, 0), leaf))
		sk_X509_shift(chain);
	run_verify(e, leaf, chain);
	sk_X509_free(chain);
}

static struct eap_tls *x509_ctx_eap(X509_STORE_CTX *x)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(x,
			SSL_get_ex_data_X509_STORE_CTX_idx());

	return ssl ? SSL_get_app_data(ssl) : NULL;
}

/*
 * OpenSSL's verify callback for the peer's Certificate message: our own
 * verify() decides, once, whatever OpenSSL's store made of the chain.
 * Refusing here, with verify()'s error code, makes OpenSSL send the TLS
 * alert for it.
 */
static int verify_peer(int ok, X509_STORE_CTX *x)
{
	struct eap_tls *e = x509_ctx_eap(x);

	(void)ok;
	if (!e || !e->server)
		return 0;
	verify_sent(e, x);
	if (e->verdict == X509_V_OK)
		return 1;
	X509_STORE_CTX_set_error(x, e->verdict);
	return 0;
}

/*
 * In place of X509_verify_cert() on a context set up by eap_tls_ctx_init().
 * Server: verify() is the whole check (it builds and verifies the chain
 * against the trust store), so OpenSSL's own pass over the chain, against
 * a store that holds nothing, is skipped; its error code becomes the TLS
 * alert as above. Client: the gateway's certificate, byte for byte the one
 * the outer connection has just verified (same trust anchors, and the
 * outer check holds the gateway's name too), is not verified again; any
 * other certificate is, in full.
 */
static int verify_chain(X509_STORE_CTX *x, void *arg)
{
	struct eap_tls *e = x509_ctx_eap(x);

	(void)arg;
	if (e && e->server) {
		verify_sent(e, x);
		X509_STORE_CTX_set_error(x, e->verdict);
		return e->verdict == X509_V_OK;
	}
	if (e && e->known && !X509_cmp(X509_STORE_CTX_get0_cert(x), e->known)) {
		X509_STORE_CTX_set_error(x, X509_V_OK);
		return 1;
	}
	return X509_verify_cert(x);
}

void eap_tls_ctx_init(SSL_CTX *ctx)
{
	SSL_CTX_set_cert_verify_callback(ctx, verify_chain, NULL);
}

int eap_tls_client_verified(struct eap_tls *e, X509 *cert)
{
	if (!e || e->server || !cert || !X509_up_ref(cert))
		return -EINVAL;
	X509_free(e->known);
	e->known = cert;
	return 0;
}

/* After the handshake: verify() must have said yes (else ask it now). */
static enum eap_tls_status server_verify(struct eap_tls *e)
{
	X509 *leaf = SSL_get0_peer_certificate(e->ssl);

	if (!leaf)
		return fail(e, "peer sent no certificate");
	if (!e->verified)
		run_verify(e, leaf, SSL_get_peer_cert_chain(e->ssl));
	if (e->verdict != X509_V_OK) {
		e->st = ST_FAILURE;
		return EAP_TLS_FAILURE;
	}
	return EAP_TLS_CONTINUE;
}

/*
 * The handshake failed on our side. When OpenSSL wrote a TLS alert, send
 * it and wait for the peer's answer before EAP-Failure (RFC 5216 2.1.3), so
 * that the peer can tell its user why; else fail at once.
 */
static enum eap_tls_status server_alert(struct eap_tls *e, int sslerr,
					uint8_t *out, size_t cap,
					size_t *out_len)
{
	if (e->verified && e->verdict != X509_V_OK)
		ERR_clear_error();	/* verify() said why */
	else
		tls_reason(e, sslerr);
	e->st = ST_FAILURE;
	free(e->tx);
	e->tx = NULL;
	e->tx_len = e->tx_off = 0;
	if (take_output(e) < 0 || !e->tx_len)
		return EAP_TLS_FAILURE;
	if (reply_tls(e, 0, out, cap, out_len) != EAP_TLS_CONTINUE)
		return EAP_TLS_FAILURE;
	e->st = ST_ALERT;
	return EAP_TLS_ALERT;
}

static enum eap_tls_status server_tls(struct eap_tls *e,
				      const struct eap_pkt *k, uint8_t *out,
				      size_t cap, size_t *out_len)
{
	struct tls_pkt t;
	int r;

	if (!parse_tls(k, &t))
		return EAP_TLS_CONTINUE;
	if (!e->rx_busy && !t.len && !(t.flags & (TLS_F_L | TLS_F_M))) {
		/* an acknowledgement */
		if (e->tx_len)
			return reply_tls(e, 0, out, cap, out_len);
		if (e->hs_done) {
			e->st = ST_SUCCESS;
			finish(e, EAP_SUCCESS, out, cap, out_len);
			return EAP_TLS_SUCCESS;
		}
		return fail(e, "unexpected empty EAP-TLS response");
	}
	if (e->tx_len)
		return fail(e, "peer sent data while our fragments are pending");
	if (e->hs_done)
		return fail(e, "peer sent TLS data after the handshake");
	r = reassemble(e, &t);
	if (r < 0)
		return EAP_TLS_FAILURE;
	if (!r)
		return reply_tls(e, 0, out, cap, out_len);

	r = handshake(e);
	if (r != 1) {
		if (r == -1 && e->st == ST_FAILURE)
			return EAP_TLS_FAILURE;
		r = SSL_get_error(e->ssl, r);
		if (r != SSL_ERROR_WANT_READ)
			return server_alert(e, r, out, cap, out_len);
		if (take_output(e) < 0)
			return EAP_TLS_FAILURE;
		return reply_tls(e, 0, out, cap, out_len);
	}
	if (server_verify(e) != EAP_TLS_CONTINUE)
		return EAP_TLS_FAILURE;
	if (derive_msk(e) < 0 || take_output(e) < 0)
		return EAP_TLS_FAILURE;
	e->hs_done = true;
	if (!e->tx_len) {
		/* nothing left to send: the peer spoke last */
		e->st = ST_SUCCESS;
		finish(e, EAP_SUCCESS, out, cap, out_len);
		return EAP_TLS_SUCCESS;
	}
	return reply_tls(e, 0, out, cap, out_len);
}

static enum eap_tls_status server_input(struct eap_tls *e,
					const struct eap_pkt *k, uint8_t *out,
					size_t cap, size_t *out_len)
{
	struct tls_pkt t;

	if (k->code != EAP_RESPONSE || !e->have_id || k->id != e->id)
		return EAP_TLS_CONTINUE;
	if (e->st == ST_ALERT) {
		/* An acknowledgement of a fragment: the next one. */
		if (k->type == EAP_T_TLS && e->tx_len && parse_tls(k, &t) &&
		    !t.len && !(t.flags & (TLS_F_L | TLS_F_M)))
			return reply_tls(e, 0, out, cap, out_len);
		/* Whatever the answer (RFC 5216: empty), it ends here. */
		e->st = ST_FAILURE;
		return EAP_TLS_FAILURE;
	}
	switch (k->type) {
	case EAP_T_IDENTITY:
		if (e->st != ST_IDENTITY)
			return fail(e, "unexpected EAP-Response/Identity");
		set_identity(e, k->data, k->len);
		e->st = ST_TLS;
		return reply_tls(e, TLS_F_S, out, cap, out_len);
	case EAP_T_NAK:
		return nak_failure(e, k);
	case EAP_T_TLS:
		if (e->st != ST_TLS)
			return fail(e, "EAP-TLS response before EAP-TLS Start");
		return server_tls(e, k, out, cap, out_len);
	default:
		return fail(e, "unexpected EAP response type %u", k->type);
	}
}

/* The gateway's fatal TLS alert, for the user. */
static void gateway_alert_reason(struct eap_tls *e)
{
	const char *desc = SSL_alert_desc_string_long(e->alert_rx);

	if (e->flights >= 2 && !SSL_get_certificate(e->ssl))
		snprintf(e->err, sizeof(e->err),
			 "gateway requires a client certificate and we have none: %s (alert %d)",
			 desc, e->alert_rx);
	else if (e->flights >= 2)
		snprintf(e->err, sizeof(e->err),
			 "gateway refused the certificate: %s (alert %d)",
			 desc, e->alert_rx);
	else
		snprintf(e->err, sizeof(e->err),
			 "gateway ended the TLS handshake: %s (alert %d)",
			 desc, e->alert_rx);
}

/*
 * The handshake failed: pass our own alert on so that the gateway can log
 * why, or acknowledge the gateway's (RFC 5216 2.1.3: an EAP-TLS Response
 * without data lets it send EAP-Failure).
 */
static enum eap_tls_status client_fail_alert(struct eap_tls *e, int sslerr,
					     uint8_t *out, size_t cap,
					     size_t *out_len)
{
	char why[sizeof(e->err)];

	tls_reason(e, sslerr);
	if (e->alert_rx >= 0)
		gateway_alert_reason(e);
	memcpy(why, e->err, sizeof(why));
	free(e->tx);
	e->tx = NULL;
	e->tx_len = e->tx_off = 0;
	if (take_output(e) == 0 && e->tx_len <= e->max_frag &&
	    reply_tls(e, 0, out, cap, out_len) != EAP_TLS_CONTINUE)
		*out_len = 0;
	memcpy(e->err, why, sizeof(e->err));
	e->st = ST_FAILURE;
	return EAP_TLS_FAILURE;
}

static enum eap_tls_status client_tls(struct eap_tls *e,
				      const struct eap_pkt *k, uint8_t *out,
				      size_t cap, size_t *out_len)
{
	struct tls_pkt t;
	int r;

	if (!parse_tls(k, &t))
		return EAP_TLS_CONTINUE;
	if (t.flags & TLS_F_S) {
		if (e->started)
			return fail(e, "unexpected EAP-TLS Start during the handshake");
		e->started = true;
		ERR_clear_error();
		r = SSL_do_handshake(e->ssl);
		r = SSL_get_error(e->ssl, r);
		if (r != SSL_ERROR_WANT_READ)
			return tls_fail(e, r);
		if (take_output(e) < 0)
			return EAP_TLS_FAILURE;
		return reply_tls(e, 0, out, cap, out_len);
	}
	if (!e->started)
		return fail(e, "EAP-TLS request without Start");
	if (!e->rx_busy && !t.len && !(t.flags & (TLS_F_L | TLS_F_M))) {
		if (e->tx_len)
			return reply_tls(e, 0, out, cap, out_len);
		return fail(e, "unexpected empty EAP-TLS request");
	}
	if (e->tx_len)
		return fail(e, "gateway sent data while our fragments are pending");
	if (e->hs_done)
		return fail(e, "gateway sent TLS data after the handshake");
	r = reassemble(e, &t);
	if (r < 0)
		return EAP_TLS_FAILURE;
	if (!r)
		return reply_tls(e, 0, out, cap, out_len);

	r = handshake(e);
	if (r != 1) {
		if (r == -1 && e->st == ST_FAILURE)
			return EAP_TLS_FAILURE;
		r = SSL_get_error(e->ssl, r);
		if (r != SSL_ERROR_WANT_READ)
			return client_fail_alert(e, r, out, cap, out_len);
	} else {
		if (derive_msk(e) < 0)
			return EAP_TLS_FAILURE;
		e->hs_done = true;
	}
	if (take_output(e) < 0)
		return EAP_TLS_FAILURE;
	return reply_tls(e, 0, out, cap, out_len);
}

/* RFC 3748 5.3.2: an Expanded Nak proposing EAP-TLS. */
static enum eap_tls_status expanded_nak(struct eap_tls *e, uint8_t *out,
					size_t cap, size_t *out_len)
{
	static const uint8_t body[] = {
		0, 0, 0, 0, 0, 0, EAP_T_NAK,
		EAP_T_EXPANDED, 0, 0, 0, 0, 0, 0, EAP_T_TLS,
	};

	return reply(e, EAP_T_EXPANDED, body, sizeof(body), out, cap, out_len);
}

/* Our second TLS message carried our certificate, if we have one. */
static const char *failure_reason(const struct eap_tls *e)
{
	if (e->flights >= 2 && !SSL_get_certificate(e->ssl))
		return "gateway sent EAP-Failure (we have no client certificate)";
	if (e->hs_done || e->flights >= 2)
		return "gateway refused the certificate (EAP-Failure)";
	if (e->started)
		return "gateway sent EAP-Failure during the TLS handshake";
	return "gateway sent EAP-Failure";
}

static enum eap_tls_status client_input(struct eap_tls *e,
					const struct eap_pkt *k, uint8_t *out,
					size_t cap, size_t *out_len)
{
	static const uint8_t want_tls = EAP_T_TLS;
	enum eap_tls_status st;
	uint8_t prev_id;
	bool had_id;

	switch (k->code) {
	case EAP_SUCCESS:
		if (e->hs_done && !e->tx_len) {
			e->st = ST_SUCCESS;
			return EAP_TLS_SUCCESS;
		}
		return fail(e, "premature EAP-Success (TLS handshake not complete)");
	case EAP_FAILURE:
		return fail(e, "%s", failure_reason(e));
	case EAP_REQUEST:
		break;
	default:
		return EAP_TLS_CONTINUE;
	}
	if (e->have_id && k->id == e->id)
		return send_last(e, out, cap, out_len);
	if (k->type == EAP_T_NAK)
		return EAP_TLS_CONTINUE;
	prev_id = e->id;
	had_id = e->have_id;
	e->id = k->id;
	e->have_id = true;
	switch (k->type) {
	case EAP_T_IDENTITY:
		st = reply(e, EAP_T_IDENTITY, (const uint8_t *)e->identity,
			   strlen(e->identity), out, cap, out_len);
		break;
	case EAP_T_NOTIFICATION:
		st = reply(e, EAP_T_NOTIFICATION, NULL, 0, out, cap, out_len);
		break;
	case EAP_T_TLS:
		st = client_tls(e, k, out, cap, out_len);
		break;
	case EAP_T_EXPANDED:
		st = expanded_nak(e, out, cap, out_len);
		break;
	default:
		st = reply(e, EAP_T_NAK, &want_tls, 1, out, cap, out_len);
		break;
	}
	/* A Request we did not answer is not a duplicate when it comes back. */
	if (!*out_len) {
		e->id = prev_id;
		e->have_id = had_id;
	}
	return st;
}

/* Notes fatal alerts both ways, then calls the context's own callback. */
static void info_cb(const SSL *ssl, int where, int ret)
{
	struct eap_tls *e = SSL_get_app_data(ssl);
	void (*ctx_cb)(const SSL *, int, int) =
		SSL_CTX_get_info_callback(SSL_get_SSL_CTX(ssl));

	if (e && (where & SSL_CB_ALERT) && (ret >> 8) == SSL3_AL_FATAL) {
		if ((where & SSL_CB_READ) && e->alert_rx < 0)
			e->alert_rx = ret & 0xff;
		else if ((where & SSL_CB_WRITE) && e->alert_tx < 0)
			e->alert_tx = ret & 0xff;
	}
	if (ctx_cb)
		ctx_cb(ssl, where, ret);
}

static struct eap_tls *eap_new(SSL_CTX *ctx, bool server, size_t max_frag)
{
	uint8_t sid_ctx[16];
	struct eap_tls *e;
	size_t frags;

	if (!ctx || max_frag < EAP_TLS_MIN_FRAG || max_frag > EAP_TLS_MAX_FRAG)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->server = server;
	e->max_frag = max_frag;
	e->alert_rx = e->alert_tx = -1;
	frags = (EAP_TLS_MAX_MSG + max_frag - 1) / max_frag;
	e->max_rounds = BASE_ROUNDS + 2 * frags;
	e->last_cap = max_frag + EAP_TLS_HDR;
	if (e->last_cap < EAP_HDR + 1 + IDENTITY_MAX)
		e->last_cap = EAP_HDR + 1 + IDENTITY_MAX;
	e->last = malloc(e->last_cap);
	if (!e->last)
		goto err;

	e->ssl = SSL_new(ctx);
	if (!e->ssl)
		goto err;
	SSL_set_app_data(e->ssl, e);
	SSL_set_info_callback(e->ssl, info_cb);
	e->rbio = BIO_new(BIO_s_mem());
	e->wbio = BIO_new(BIO_s_mem());
	if (!e->rbio || !e->wbio) {
		BIO_free(e->rbio);
		BIO_free(e->wbio);
		goto err;
	}
	BIO_set_mem_eof_return(e->rbio, -1);
	BIO_set_mem_eof_return(e->wbio, -1);
	SSL_set_bio(e->ssl, e->rbio, e->wbio);
	/* The MSK label is the TLS 1.2 one (RFC 5216); pppd stops at 1.2. */
	if (SSL_set_max_proto_version(e->ssl, TLS1_2_VERSION) != 1)
		goto err;
	if (SSL_get_min_proto_version(e->ssl) > TLS1_2_VERSION)
		goto err;
	SSL_set_options(e->ssl, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	if (server) {
		/*
		 * A context of our own keeps OpenSSL from resuming sessions
		 * cached by other connections, and from refusing them for
		 * want of a context when a client certificate is requested.
		 */
		if (RAND_bytes(sid_ctx, sizeof(sid_ctx)) != 1 ||
		    SSL_set_session_id_context(e->ssl, sid_ctx,
					       sizeof(sid_ctx)) != 1)
			goto err;
		SSL_set_accept_state(e->ssl);
		/* verify() decides, whatever OpenSSL's store says. */
		SSL_set_verify(e->ssl, SSL_VERIFY_PEER |
				       SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
			       verify_peer);
	} else {
		SSL_set_connect_state(e->ssl);
	}
	ERR_clear_error();
	return e;
err:
	ERR_clear_error();
	eap_tls_free(e);
	return NULL;
}

struct eap_tls *eap_tls_server_new(SSL_CTX *ctx, eap_tls_verify_fn verify,
				   void *arg, size_t max_frag)
{
	struct eap_tls *e;

	if (!verify)
		return NULL;
	e = eap_new(ctx, true, max_frag);
	if (e) {
		e->verify = verify;
		e->arg = arg;
	}
	return e;
}

struct eap_tls *eap_tls_client_new(SSL_CTX *ctx, const char *identity,
				   size_t max_frag)
{
	struct eap_tls *e = eap_new(ctx, false, max_frag);
	size_t n;

	if (!e)
		return NULL;
	if (identity) {
		n = strnlen(identity, IDENTITY_MAX);
		memcpy(e->identity, identity, n);
		e->identity[n] = '\0';
	}
	e->st = ST_IDENTITY;
	return e;
}

void eap_tls_free(struct eap_tls *e)
{
	if (!e)
		return;
	SSL_free(e->ssl);
	X509_free(e->peer);
	X509_free(e->known);
	free(e->rx);
	free(e->tx);
	free(e->last);
	OPENSSL_cleanse(e->msk, sizeof(e->msk));
	free(e);
}

size_t eap_tls_server_start(struct eap_tls *e, uint8_t *out, size_t cap)
{
	size_t len = 0;

	if (!e || !e->server)
		return 0;
	if (e->st != ST_INIT)
		return eap_tls_retransmit(e, out, cap);
	if (RAND_bytes(&e->id, 1) != 1)
		e->id = 0;
	e->have_id = true;
	e->st = ST_IDENTITY;
	if (reply(e, EAP_T_IDENTITY, NULL, 0, out, cap, &len) !=
	    EAP_TLS_CONTINUE) {
		/* nothing went out: the caller may try again */
		e->st = ST_INIT;
		e->rounds = 0;
		e->err[0] = '\0';
		return 0;
	}
	return len;
}

enum eap_tls_status eap_tls_input(struct eap_tls *e, const uint8_t *pkt,
				  size_t len, uint8_t *out, size_t cap,
				  size_t *out_len)
{
	enum eap_tls_status st;
	struct eap_pkt k;
	size_t dummy;

	if (!out_len)
		out_len = &dummy;
	*out_len = 0;
	if (!e)
		return EAP_TLS_FAILURE;
	if (e->st == ST_SUCCESS || e->st == ST_FAILURE || e->st == ST_INIT)
		return EAP_TLS_CONTINUE;
	if (!parse_eap(pkt, len, &k))
		return EAP_TLS_CONTINUE;
	if (!e->server)
		return client_input(e, &k, out, cap, out_len);
	st = server_input(e, &k, out, cap, out_len);
	if (st == EAP_TLS_FAILURE) {
		*out_len = 0;
		finish(e, EAP_FAILURE, out, cap, out_len);
	}
	return st;
}

size_t eap_tls_retransmit(struct eap_tls *e, uint8_t *out, size_t cap)
{
	if (!e || !e->server || !out || !e->last_len || cap < e->last_len)
		return 0;
	if (e->st != ST_IDENTITY && e->st != ST_TLS && e->st != ST_ALERT)
		return 0;
	memcpy(out, e->last, e->last_len);
	return e->last_len;
}

int eap_tls_msk(const struct eap_tls *e, uint8_t msk[EAP_MSK_LEN])
{
	if (!e || !msk || e->st != ST_SUCCESS)
		return -EINVAL;
	memcpy(msk, e->msk, EAP_MSK_LEN);
	return 0;
}

const char *eap_tls_error(const struct eap_tls *e)
{
	return e ? e->err : "no EAP-TLS state";
}

int eap_tls_alert_sent(const struct eap_tls *e)
{
	return e ? e->alert_tx : -1;
}

int eap_tls_alert_received(const struct eap_tls *e)
{
	return e ? e->alert_rx : -1;
}

const char *eap_tls_identity(const struct eap_tls *e)
{
	return e ? e->identity : "";
}

X509 *eap_tls_peer_cert(const struct eap_tls *e)
{
	X509 *x;

	if (!e || !e->ssl)
		return NULL;
	x = SSL_get0_peer_certificate(e->ssl);
	return x ? x : e->peer;
}
