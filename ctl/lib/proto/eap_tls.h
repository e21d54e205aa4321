/* SPDX-License-Identifier: GPL-2.0 */
/*
 * EAP (RFC 3748) with the EAP-TLS method (RFC 5216) as authenticator or
 * peer. The inner TLS handshake runs in OpenSSL over memory BIOs; this file
 * does the EAP framing, TLS-message fragmentation (L/M/S flags) and
 * reassembly, and derives the MSK. No I/O.
 */
#ifndef _SSTP_EAP_TLS_H
#define _SSTP_EAP_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#define EAP_MSK_LEN 64
/* Bounds on max_frag, and on one reassembled or queued TLS message. */
#define EAP_TLS_MIN_FRAG 64
#define EAP_TLS_MAX_FRAG 16384
#define EAP_TLS_MAX_MSG 65536

enum eap_tls_status {
	EAP_TLS_CONTINUE,	/* send *out_len bytes (if any) and wait */
	EAP_TLS_SUCCESS,	/* done: MSK available (server sent Success) */
	EAP_TLS_FAILURE,	/* done: refused; eap_tls_error() says why */
	/*
	 * Server: refused, and out holds the Request carrying our TLS alert.
	 * eap_tls_error() says why. Keep passing input: the peer's answer
	 * gives FAILURE with EAP-Failure.
	 */
	EAP_TLS_ALERT,
};

/*
 * Server: called once, when the client's Certificate message arrives, with
 * its leaf certificate and the chain it sent (without the leaf; may be
 * empty). Return 0 to accept, or refuse with why filled for the log and an
 * X509_V_ERR_* code: OpenSSL sends the TLS alert it maps that code to
 * (e.g. X509_V_ERR_CERT_REVOKED: certificate_revoked). Any other non-zero
 * value (e.g. -1) refuses with handshake_failure. The handshake, and so
 * the proof that the client holds the key, completes only on 0.
 */
typedef int (*eap_tls_verify_fn)(void *arg, X509 *leaf,
				 STACK_OF(X509) *chain, char *why,
				 size_t whylen);

struct eap_tls;

/*
 * ctx holds our certificate and key; it is not modified (per-connection
 * settings go on the SSL: TLS 1.2 at most, no tickets, no renegotiation).
 * The server requests a client certificate (TLS-level verification accepts
 * any chain; verify, which must not be NULL, decides). The client checks
 * the gateway's chain as ctx's own verify settings say.
 * max_frag (EAP_TLS_MIN_FRAG..EAP_TLS_MAX_FRAG) bounds the EAP-TLS data
 * carried in one packet (e.g. 1024); an EAP-TLS packet is at most
 * max_frag + 10 bytes. NULL on bad arguments or when ctx cannot do TLS 1.2.
 */
struct eap_tls *eap_tls_server_new(SSL_CTX *ctx, eap_tls_verify_fn verify,
				   void *arg, size_t max_frag);
/*
 * Once, on a context made for EAP-TLS only, before any connection. Server:
 * verify() replaces OpenSSL's chain verification rather than running
 * inside it, which spares a pass over the chain per connection; without it
 * verify() decides all the same. Client: see eap_tls_client_verified().
 */
void eap_tls_ctx_init(SSL_CTX *ctx);
struct eap_tls *eap_tls_client_new(SSL_CTX *ctx, const char *identity,
				   size_t max_frag);
/*
 * Client on a context set up by eap_tls_ctx_init(): cert is the gateway's
 * certificate, already verified on the outer connection against the same
 * trust anchors (with the gateway's name). When the inner handshake
 * presents that very certificate (byte for byte) it is not verified a
 * second time; any other one is. 0 or -EINVAL.
 */
int eap_tls_client_verified(struct eap_tls *e, X509 *cert);
void eap_tls_free(struct eap_tls *e);

/* Server: the first request (EAP-Request/Identity). Returns its length. */
size_t eap_tls_server_start(struct eap_tls *e, uint8_t *out, size_t cap);

/*
 * One received EAP packet (the PPP payload of protocol 0xc227). Writes the
 * packet to send back into out (cap >= max_frag + 16; a client's Identity
 * Response needs 5 + its length) and sets *out_len (0 when nothing is to be
 * sent). On the server, SUCCESS/FAILURE come with the EAP-Success/Failure
 * packet in out, ALERT with the Request carrying our alert; on the client,
 * SUCCESS is returned when EAP-Success arrives after a completed
 * handshake, and FAILURE may come with a last Response carrying our TLS
 * alert, or acknowledging the gateway's (eap_tls_error() then names it,
 * e.g. "gateway refused the certificate: certificate revoked (alert 44)").
 * Malformed packets, and on the server Responses that do not answer the
 * outstanding Request, are ignored (CONTINUE, *out_len 0); so is
 * everything after SUCCESS or FAILURE.
 */
enum eap_tls_status eap_tls_input(struct eap_tls *e, const uint8_t *pkt,
				  size_t len, uint8_t *out, size_t cap,
				  size_t *out_len);

/* Server: the last request again, for a retransmission (0 if none). */
size_t eap_tls_retransmit(struct eap_tls *e, uint8_t *out, size_t cap);

/* After SUCCESS: the 64-byte MSK (RFC 5216 2.3). 0 or -EINVAL. */
int eap_tls_msk(const struct eap_tls *e, uint8_t msk[EAP_MSK_LEN]);
/* After FAILURE or ALERT: why, for the log ("" before). */
const char *eap_tls_error(const struct eap_tls *e);
/*
 * The fatal TLS alert (its description, e.g. 43 for
 * unsupported_certificate) we sent, or the peer sent; -1 if none.
 */
int eap_tls_alert_sent(const struct eap_tls *e);
int eap_tls_alert_received(const struct eap_tls *e);
/*
 * Server: the identity the peer gave (non-printable bytes shown as '?', at
 * most 253), and its leaf certificate (not owned; NULL before the TLS
 * handshake has seen one). On a client: our identity, the gateway's leaf.
 */
const char *eap_tls_identity(const struct eap_tls *e);
X509 *eap_tls_peer_cert(const struct eap_tls *e);

#endif
