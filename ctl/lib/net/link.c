// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <openssl/err.h>

#include "proto/ppp.h"
#include "ktls.h"
#include "link.h"

/* One loop thread per process: the receive scratch buffer is shared. */
/* Per thread: each worker reads its sessions with its own. */
static _Thread_local uint8_t scratch[LINK_CARRY + LINK_SCRATCH];

int link_init(struct sstp_link *l, int fd, SSL *ssl)
{
	memset(l, 0, offsetof(struct sstp_link, carry));
	memset(&l->st, 0, sizeof(l->st));
	l->fd = fd;
	l->ssl = ssl;
	/*
	 * The queues are allocated when first used (link_tx_reserve,
	 * rec_write): a connection that never completes TLS costs no more
	 * than its struct and OpenSSL's handshake state.
	 */
	return 0;
}

int link_hello_ready(const struct sstp_link *l)
{
	uint8_t h[5];
	size_t need;
	int avail = 0;
	ssize_t n = recv(l->fd, h, sizeof(h), MSG_PEEK | MSG_DONTWAIT);

	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (h[0] != 0x16)	/* not a handshake record */
		return 1;
	if (n < (ssize_t)sizeof(h))
		return 0;
	need = sizeof(h) + ((size_t)h[3] << 8 | h[4]);
	if (need > sizeof(h) + 16384 + 2048)
		return 1;	/* oversized: OpenSSL refuses it */
	if (ioctl(l->fd, FIONREAD, &avail) < 0)
		return -1;
	return (size_t)avail >= need ? 1 : 0;
}

int link_start_tls(struct sstp_link *l, SSL_CTX *ctx)
{
	SSL *ssl = SSL_new(ctx);

	if (!ssl)
		return -ENOMEM;
	if (!SSL_set_fd(ssl, l->fd)) {
		SSL_free(ssl);
		return -ENOMEM;
	}
	l->ssl = ssl;
	return 0;
}

/*
 * A write-only BIO that appends to the link's record buffer: OpenSSL
 * encrypts one record per SSTP packet into it, and link_flush() sends the
 * lot with one system call.
 */
static BIO_METHOD *rec_method;

static int rec_write(BIO *b, const char *data, int len)
{
	struct sstp_link *l = BIO_get_data(b);
	size_t n = (size_t)len;

	BIO_clear_retry_flags(b);
	if (!l->rec && !(l->rec = malloc(LINK_REC_CAP))) {
		BIO_set_retry_write(b);
		return -1;
	}
	if (LINK_REC_CAP - l->rec_tail < n && l->rec_head) {
		memmove(l->rec, l->rec + l->rec_head, l->rec_tail - l->rec_head);
		l->rec_tail -= l->rec_head;
		l->rec_head = 0;
	}
	if (LINK_REC_CAP - l->rec_tail < n) {
		BIO_set_retry_write(b);
		return -1;
	}
	memcpy(l->rec + l->rec_tail, data, n);
	l->rec_tail += n;
	return len;
}

static long rec_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

/* Made once per process; the gateway's workers share it. */
static pthread_once_t rec_once = PTHREAD_ONCE_INIT;

static void rec_method_make(void)
{
	BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK,
				     "sstp records");

	if (!m)
		return;
	BIO_meth_set_write(m, rec_write);
	BIO_meth_set_ctrl(m, rec_ctrl);
	rec_method = m;
}

void link_gather_records(struct sstp_link *l)
{
	BIO *b;

	if (l->ktls || l->gather ||
	    BIO_get_ktls_send(SSL_get_wbio(l->ssl)) == 1)
		return;
	pthread_once(&rec_once, rec_method_make);
	if (!rec_method)
		return;
	b = BIO_new(rec_method);
	if (!b)
		return;
	l->gather = true;
	BIO_set_data(b, l);
	BIO_set_init(b, 1);
	SSL_set0_wbio(l->ssl, b);
	/*
	 * Read ahead: one recv() takes as many records as fit OpenSSL's
	 * buffer (64 KiB while data flows; released when idle), instead of
	 * two (header, body) per record.
	 */
	SSL_set_read_ahead(l->ssl, 1);
	SSL_set_default_read_buffer_len(l->ssl, LINK_SCRATCH);
}

/*
 * One non-blocking send of n bytes at p; what went advances *head. 1 when
 * something was sent, 0 when the socket is full (write_blocked set), -1 on
 * error.
 */
static int send_step(struct sstp_link *l, const uint8_t *p, size_t n,
		     size_t *head)
{
	ssize_t r = send(l->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (r > 0) {
		*head += (size_t)r;
		return 1;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
		l->write_blocked = true;
		return 0;
	}
	return -1;
}

/* Send gathered records: 0 (all sent or would block) or -1. */
static int rec_send(struct sstp_link *l)
{
	int r;

	while (l->rec_tail > l->rec_head) {
		r = send_step(l, l->rec + l->rec_head,
			      l->rec_tail - l->rec_head, &l->rec_head);
		if (r <= 0)
			return r;
	}
	l->rec_head = l->rec_tail = 0;
	return 0;
}

void link_destroy(struct sstp_link *l)
{
	if (l->ssl) {
		SSL_free(l->ssl);
		l->ssl = NULL;
	}
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
	free(l->tx);
	l->tx = NULL;
	free(l->rec);
	l->rec = NULL;
}

int link_handshake(struct sstp_link *l, bool server)
{
	int r = server ? SSL_accept(l->ssl) : SSL_connect(l->ssl);

	if (r == 1) {
		l->handshake_done = true;
		return 1;
	}
	switch (SSL_get_error(l->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return 0;
	default:
		return -1;
	}
}

bool link_start_ktls(struct sstp_link *l, bool server, char *why,
		     size_t whylen)
{
	bool tx, rx;

	ktls_start(l->ssl, server, &tx, &rx, why, whylen);
	l->ktls = tx && rx;
	return l->ktls;
}

/* One read: bytes, 0 when nothing more now, -1 at EOF or on error. */
static ssize_t read_some(struct sstp_link *l, uint8_t *p, size_t n)
{
	if (l->ktls) {
		ssize_t r = ktls_recv(l->fd, p, n);

		if (r > 0)
			return r;
		if (r == -EAGAIN) {
			l->read_blocked = true;
			return 0;
		}
		return -1;
	} else {
		size_t got;

		if (SSL_read_ex(l->ssl, p, n, &got) == 1)
			return (ssize_t)got;
		switch (SSL_get_error(l->ssl, 0)) {
		case SSL_ERROR_WANT_READ:
			l->read_blocked = true;
			return 0;
		case SSL_ERROR_WANT_WRITE:
			l->write_blocked = true;
			return 0;
		default:
			ERR_clear_error();
			return -1;
		}
	}
}

ssize_t link_read(struct sstp_link *l, uint8_t **buf, size_t budget)
{
	size_t have = l->carry_len, got = 0;

	memcpy(scratch, l->carry, have);
	if (budget > LINK_SCRATCH)
		budget = LINK_SCRATCH;
	while (got < budget) {
		ssize_t r = read_some(l, scratch + have + got, budget - got);

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && !got)
			return -1;
		break;	/* would block, or deliver what came before the end */
	}
	if (!got)
		return 0;
	l->carry_len = 0;
	*buf = scratch;
	return (ssize_t)(have + got);
}

int link_keep(struct sstp_link *l, const uint8_t *p, size_t n)
{
	if (n > sizeof(l->carry))
		return -EMSGSIZE;
	memmove(l->carry, p, n);
	l->carry_len = (uint16_t)n;
	return 0;
}

uint8_t *link_tx_reserve(struct sstp_link *l, size_t n)
{
	if (!l->tx && !(l->tx = malloc(LINK_TX_CAP)))
		return NULL;
	if (LINK_TX_CAP - l->tx_tail < n) {
		if (l->tx_head) {
			memmove(l->tx, l->tx + l->tx_head,
				l->tx_tail - l->tx_head);
			l->tx_tail -= l->tx_head;
			l->tx_head = 0;
		}
		if (LINK_TX_CAP - l->tx_tail < n)
			return NULL;
	}
	return l->tx + l->tx_tail;
}

int link_send_raw(struct sstp_link *l, const void *p, size_t n)
{
	uint8_t *d = link_tx_reserve(l, n);

	if (!d)
		return -ENOBUFS;
	memcpy(d, p, n);
	link_tx_commit(l, n);
	return 0;
}

int link_send_ctrl(struct sstp_link *l, const uint8_t *pkt, size_t n)
{
	int ret = link_send_raw(l, pkt, n);

	if (!ret)
		l->st.tx_bytes += n;
	return ret;
}

int link_send_ppp(struct sstp_link *l, uint16_t proto, const uint8_t *p,
		  size_t n)
{
	size_t total = SSTP_HDR_LEN + 4 + n;
	uint8_t *d;

	if (total > SSTP_MAX_PACKET)
		return -EMSGSIZE;
	d = link_tx_reserve(l, total);
	if (!d && !l->write_blocked && l->handshake_done) {
		/* A burst larger than the queue: write out what is queued
		 * now rather than drop while the socket can take it. */
		link_flush(l);
		d = link_tx_reserve(l, total);
	}
	if (!d) {
		l->st.tx_dropped++;
		return -ENOBUFS;
	}
	sstp_hdr_put(d, 0, (uint16_t)total);
	ppp_frame_header(d + SSTP_HDR_LEN, proto);
	memcpy(d + SSTP_HDR_LEN + 4, p, n);
	link_tx_commit(l, total);
	l->st.tx_bytes += total;
	l->st.tx_packets++;
	return 0;
}

/* The length of the SSTP packet at p (left bytes), or 0 if it is none. */
static size_t packet_len(const uint8_t *p, size_t left)
{
	size_t n;

	if (left < SSTP_HDR_LEN || p[0] != SSTP_VERSION)
		return 0;
	n = ((size_t)p[2] << 8 | p[3]) & SSTP_LENGTH_MASK;
	return n >= SSTP_HDR_LEN && n <= left ? n : 0;
}

/*
 * Bytes from the head of the queue that go into one TLS record: one SSTP
 * packet. sstpc (1.0.18) handles one SSTP packet per readable event of its
 * socket, so a second packet in the same record waits in its TLS buffer
 * until more bytes arrive. A peer that reads a byte stream (l->pack) gets
 * as many whole packets as fit LINK_PACK_MAX. Anything that is not an SSTP
 * packet (the HTTP response) goes out as it is.
 */
static size_t record_len(const struct sstp_link *l)
{
	const uint8_t *p = l->tx + l->tx_head;
	size_t left = l->tx_tail - l->tx_head, n, k;

	n = packet_len(p, left);
	if (!n)
		return left;
	if (!l->pack)
		return n;
	while (n < left) {
		k = packet_len(p + n, left - n);
		if (!k || n + k > LINK_PACK_MAX)
			break;
		n += k;
	}
	return n;
}

size_t link_drop_data(struct sstp_link *l)
{
	size_t r = l->tx_head, w, n, dropped = 0;

	/* A write in progress (partial send, or an SSL_write to retry with
	 * the same bytes) cannot be taken back. */
	if (l->write_blocked && r < l->tx_tail)
		r += record_len(l);
	w = r;
	while (r < l->tx_tail) {
		const uint8_t *p = l->tx + r;
		size_t left = l->tx_tail - r;

		if (left < SSTP_HDR_LEN || p[0] != SSTP_VERSION) {
			memmove(l->tx + w, p, left);
			w += left;
			break;
		}
		n = ((size_t)p[2] << 8 | p[3]) & SSTP_LENGTH_MASK;
		if (n < SSTP_HDR_LEN || n > left)
			n = left;
		if (p[1] & SSTP_FLAG_CONTROL) {
			memmove(l->tx + w, p, n);
			w += n;
		} else {
			dropped++;
		}
		r += n;
	}
	l->tx_tail = w;
	if (l->tx_head == l->tx_tail)
		l->tx_head = l->tx_tail = 0;
	return dropped;
}

/*
 * Kernel TLS: one send(), so one record, per SSTP packet. (sendmmsg() would
 * save system calls, but kTLS refuses the MSG_BATCH flag it sets on all but
 * the last message: EOPNOTSUPP on 6.1.)
 */
static int ktls_flush(struct sstp_link *l)
{
	int r;

	while (l->tx_tail > l->tx_head) {
		r = send_step(l, l->tx + l->tx_head, record_len(l),
			      &l->tx_head);
		if (r <= 0)
			return r;
	}
	l->tx_head = l->tx_tail = 0;
	return 0;
}

int link_flush(struct sstp_link *l)
{
	l->write_blocked = false;
	if (l->ktls)
		return ktls_flush(l);
	if (l->gather && rec_send(l))
		return -1;
	while (l->tx_tail > l->tx_head && !l->write_blocked) {
		size_t n;
		int r = SSL_write_ex(l->ssl, l->tx + l->tx_head,
				     record_len(l), &n);

		if (r == 1) {
			l->tx_head += n;
			continue;
		}
		switch (SSL_get_error(l->ssl, 0)) {
		case SSL_ERROR_WANT_WRITE:
			/* Our record buffer is full: send, then go on. */
			if (l->rec && l->rec_tail > l->rec_head) {
				if (rec_send(l))
					return -1;
				continue;
			}
			l->write_blocked = true;
			return 0;
		case SSL_ERROR_WANT_READ:
			l->write_blocked = true;
			return 0;
		default:
			ERR_clear_error();
			return -1;
		}
	}
	if (l->gather && rec_send(l))
		return -1;
	if (l->tx_head == l->tx_tail)
		l->tx_head = l->tx_tail = 0;
	return 0;
}
