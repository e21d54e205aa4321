/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One SSTP connection's byte transport: a non-blocking TCP socket under
 * OpenSSL, a transmit queue that packs many SSTP packets into each TLS
 * write, and receive de-framing into whole SSTP packets. Shared by the
 * gateway's sessions and the client.
 */
#ifndef _SSTP_LINK_H
#define _SSTP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include <linux/sstp_proto.h>

#define LINK_TX_CAP	(64 * 1024)
#define LINK_SCRATCH	(64 * 1024)
#define LINK_CARRY	4096	/* one partial SSTP packet or HTTP header */
#define LINK_REC_CAP	(256 * 1024)	/* TLS records waiting for the socket */
#define LINK_PACK_MAX	16384	/* plaintext of one packed TLS record */

struct link_stats {
	uint64_t rx_bytes, tx_bytes;	/* SSTP payload bytes, both kinds */
	uint64_t rx_packets, tx_packets;	/* SSTP data packets */
	uint64_t tx_dropped;		/* queue full */
};

struct sstp_link {
	int fd;
	SSL *ssl;
	bool handshake_done;
	bool ktls;			/* kernel TLS both ways: plain syscalls */
	bool write_blocked;		/* SSL wants the socket writable */
	bool read_blocked;		/* nothing more to read until EPOLLIN */
	/*
	 * The peer reads SSTP as a byte stream (it said so in HTTP): whole
	 * SSTP packets share TLS records of up to LINK_PACK_MAX bytes.
	 * Otherwise one SSTP packet per record (sstpc).
	 */
	bool pack;
	uint8_t *tx;			/* LINK_TX_CAP bytes, once used */
	size_t tx_head, tx_tail;
	/* Userspace TLS: records are gathered here, then sent in one go. */
	bool gather;			/* our BIO writes into rec */
	uint8_t *rec;			/* LINK_REC_CAP bytes, once used */
	size_t rec_head, rec_tail;
	uint16_t carry_len;		/* bytes of a partial packet */
	uint8_t carry[LINK_CARRY];
	struct link_stats st;
};

/* ssl may be NULL: then link_start_tls() makes it once the peer talks. */
int link_init(struct sstp_link *l, int fd, SSL *ssl);
/*
 * Server side, before any TLS state exists: 1 when the socket holds the
 * client's whole first TLS record (or anything that is not a TLS
 * handshake record: OpenSSL will refuse it), 0 while it does not, -1 at
 * EOF or on error. Nothing is read: a client that sends half a
 * ClientHello and stalls costs no OpenSSL state.
 */
int link_hello_ready(const struct sstp_link *l);
/* Make the SSL object on ctx for the socket. 0 or -ENOMEM. */
int link_start_tls(struct sstp_link *l, SSL_CTX *ctx);
/* Closes the socket and frees the SSL object. */
void link_destroy(struct sstp_link *l);

/* Drive the TLS handshake: 1 done, 0 in progress, -1 failed (logged by caller). */
int link_handshake(struct sstp_link *l, bool server);
/*
 * After the handshake (on a context set up with ktls_ctx_enable): move the
 * connection to kernel TLS where the kernel can take both directions.
 * Returns true when it did; otherwise why says what kept it in userspace.
 */
bool link_start_ktls(struct sstp_link *l, bool server, char *why,
		     size_t whylen);
/*
 * After the handshake and the kTLS decision: on userspace TLS, let OpenSSL
 * write its records into our buffer so that many (one per SSTP packet) go
 * out in one send(). No-op when the kernel encrypts.
 */
void link_gather_records(struct sstp_link *l);
static inline const char *link_path(const struct sstp_link *l)
{
	return l->ktls ? "ktls" : "userspace";
}

/*
 * Read into the shared scratch buffer (after any carried partial packet),
 * at most budget bytes. Returns bytes available in *buf (carry + new),
 * 0 when nothing new could be read, or -1 on EOF or error.
 */
ssize_t link_read(struct sstp_link *l, uint8_t **buf, size_t budget);
/* Keep the unparsed tail (at most one partial SSTP packet) for next time. */
int link_keep(struct sstp_link *l, const uint8_t *p, size_t n);

/* Room for n bytes at the tail of the queue, or NULL when full. */
uint8_t *link_tx_reserve(struct sstp_link *l, size_t n);
static inline void link_tx_commit(struct sstp_link *l, size_t n)
{
	l->tx_tail += n;
}
/* Output not on the wire yet: queued, or sealed in records not sent. */
static inline bool link_tx_pending(const struct sstp_link *l)
{
	return l->tx_tail > l->tx_head || l->rec_tail > l->rec_head;
}
/* Raw bytes (HTTP). 0 or -ENOBUFS. */
int link_send_raw(struct sstp_link *l, const void *p, size_t n);
/* A whole SSTP control packet. 0 or -ENOBUFS. */
int link_send_ctrl(struct sstp_link *l, const uint8_t *pkt, size_t n);
/* A PPP frame: SSTP header, FF 03, protocol, payload. 0 or -ENOBUFS/-EMSGSIZE. */
int link_send_ppp(struct sstp_link *l, uint16_t proto, const uint8_t *p,
		  size_t n);
/*
 * Take the data packets out of the queue, keeping control packets (and a
 * packet the socket has already taken part of). Returns how many went.
 */
size_t link_drop_data(struct sstp_link *l);
/* Write the queue out: 0 (all sent or would block) or -1 on error. */
int link_flush(struct sstp_link *l);

#endif
