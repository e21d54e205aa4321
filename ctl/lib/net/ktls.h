/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Moving a TLS connection to kernel TLS after the handshake. OpenSSL 3.0
 * offloads TLS 1.2 both ways and TLS 1.3 transmit only; the TLS 1.3
 * receive keys are installed here from the handshake's traffic secret.
 */
#ifndef _SSTP_KTLS_H
#define _SSTP_KTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <openssl/ssl.h>

/* Ask OpenSSL for kTLS on a context and capture TLS 1.3 secrets. 0 or -errno. */
int ktls_ctx_enable(SSL_CTX *ctx);

/*
 * Right after the handshake, before any application data was read. On
 * return *tx and *rx say which directions the kernel now handles. When
 * both are true the socket must from now on be used with plain write()
 * and ktls_recv(), never with SSL_read/SSL_write. why explains a
 * direction left in userspace (for the log). Whatever it decides, the
 * captured TLS 1.3 secret is wiped before it returns.
 */
void ktls_start(SSL *ssl, bool server, bool *tx, bool *rx, char *why,
		size_t whylen);

/*
 * Does ssl still hold a TLS 1.3 traffic secret captured for kTLS (any byte
 * of it)? Until the handshake's end, and never after ktls_start().
 */
bool ktls_secret_held(const SSL *ssl);

/*
 * Read application data from a socket with kTLS receive on. Non-data
 * records are consumed: post-handshake messages (tickets) are skipped,
 * an alert ends the stream. Returns bytes read, 0 at end of stream
 * (close_notify or TCP FIN), -EAGAIN, or -errno.
 */
ssize_t ktls_recv(int fd, void *buf, size_t len);

#endif
