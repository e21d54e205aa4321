// SPDX-License-Identifier: GPL-2.0
/*
 * sstp-kmod-test: drives sstp.ko from inside a test VM.
 *
 *   sstp-kmod-test dev-new [NAME]          create a device, print "IFINDEX NAME"
 *   sstp-kmod-test dev-del DEV             delete a device
 *   sstp-kmod-test dev-list                list sstp devices
 *   sstp-kmod-test sessions DEV            dump a device's sessions
 *   sstp-kmod-test serve DEV IP4 [IP6] [any-source] [SECONDS]
 *                                          one session whose peer answers pings
 *   sstp-kmod-test hold DEV COUNT SECONDS  COUNT sessions until their device goes
 *   sstp-kmod-test scenario NAME DEV [N]   api, traffic, client, teardown,
 *                                          malformed, many, churn, unpriv,
 *                                          limit, account, csum
 *
 * DEV is a name or an index. Sessions run over real kernel TLS: a TLS 1.2
 * AES-GCM connection over loopback, OpenSSL handing both ends to the
 * kernel; the server end goes to sstp.ko, the tool plays the SSTP client
 * on the other end with plain read() and write(). Scenarios expect the
 * device up with 10.200.0.1/16 and fd00:200::1/64 (client also expects
 * routes via its gateway's address, see scenario_client) and print
 * "ok - ..." and "not ok - ..." lines, "# ..." notes, and "N passed,
 * N failed" at the end; the exit status is 1 if anything failed. The peer
 * of serve answers pings to any address: with any-source it plays a
 * gateway with hosts behind it.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sstp.h>
#include <linux/sstp_proto.h>
#include <linux/tls.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nl/sstpnl.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif

#define GW4		"10.200.0.1"
#define GW6		"fd00:200::1"
#define NL_BUF		(1 << 16)
#define TIMEOUT_MS	5000

/* ------------------------------------------------------------ reporting */

static int n_ok, n_fail;

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static bool check(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", cond ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (cond)
		n_ok++;
	else
		n_fail++;
	return cond;
}

static int finish(void)
{
	printf("%d passed, %d failed\n", n_ok, n_fail);
	return n_fail ? 1 : 0;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sstp-kmod-test: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------ netlink */

struct sess {
	uint32_t ifindex;
	uint32_t id;
	uint32_t ppp_flags;
	uint32_t reason;
	bool has4, has6, coalesce, any_source;
	struct in_addr ip4;
	struct in6_addr ip6;
	uint64_t ctr[SSTP_A_SESSION_MAX + 1];
	uint16_t pkt_len;
	uint8_t pkt[SSTP_MAX_PACKET];
};

struct ntf {
	struct ntf *next;
	uint8_t cmd;
	struct sess s;
};

/*
 * The library's netlink client (ctl/lib/nl/sstpnl.h) carries the requests
 * and notifications; the tool parses every attribute of the replies.
 */
struct nl {
	struct sstpnl k;
	char ext[256];			/* the last request's extended ack */
	struct ntf *head, **tail;	/* notifications, parsed */
};

/* What a session request carries; zero fields are left out. */
struct sreq {
	uint32_t ifindex;
	uint32_t id;
	int fd;			/* -2: leave out */
	const char *ip4;
	const char *ip6;
	uint32_t ppp_flags;
	bool has_flags;
	bool coalesce;
	bool any_source;
	const void *backlog;
	size_t backlog_len;
	const void *pkt;
	size_t pkt_len;
	uint32_t extra_attr;	/* an attribute the op does not take */
};

static int sess_attr_cb(const struct nlattr *a, void *data)
{
	struct sess *s = data;
	uint16_t type = mnl_attr_get_type(a);
	size_t len = mnl_attr_get_payload_len(a);

	switch (type) {
	case SSTP_A_SESSION_ID:
		s->id = mnl_attr_get_u32(a);
		break;
	case SSTP_A_SESSION_IPV4:
		s->has4 = true;
		memcpy(&s->ip4, mnl_attr_get_payload(a), 4);
		break;
	case SSTP_A_SESSION_IPV6:
		s->has6 = true;
		memcpy(&s->ip6, mnl_attr_get_payload(a), 16);
		break;
	case SSTP_A_SESSION_PPP_FLAGS:
		s->ppp_flags = mnl_attr_get_u32(a);
		break;
	case SSTP_A_SESSION_DEL_REASON:
		s->reason = mnl_attr_get_u32(a);
		break;
	case SSTP_A_SESSION_COALESCE:
		s->coalesce = true;
		break;
	case SSTP_A_SESSION_ANY_SOURCE:
		s->any_source = true;
		break;
	case SSTP_A_SESSION_PACKET:
		if (len > sizeof(s->pkt))
			len = sizeof(s->pkt);
		memcpy(s->pkt, mnl_attr_get_payload(a), len);
		s->pkt_len = len;
		break;
	default:
		if (type >= SSTP_A_SESSION_RX_PACKETS &&
		    type <= SSTP_A_SESSION_TX_DROP_INVALID)
			s->ctr[type] = len == 8 ? mnl_attr_get_u64(a) :
						  mnl_attr_get_u32(a);
		break;
	}
	return MNL_CB_OK;
}

static int top_attr_cb(const struct nlattr *a, void *data)
{
	struct sess *s = data;

	switch (mnl_attr_get_type(a)) {
	case SSTP_A_IFINDEX:
		s->ifindex = mnl_attr_get_u32(a);
		break;
	case SSTP_A_SESSION:
		mnl_attr_parse_nested(a, sess_attr_cb, s);
		break;
	}
	return MNL_CB_OK;
}

static void parse_sess(const struct nlmsghdr *nlh, struct sess *s)
{
	memset(s, 0, sizeof(*s));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_attr_cb, s);
}

static void queue_ntf(struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ntf *n;

	n = calloc(1, sizeof(*n));
	if (!n)
		die("out of memory");
	n->cmd = g->cmd;
	parse_sess(nlh, &n->s);
	*nl->tail = n;
	nl->tail = &n->next;
}

/* sstpnl_ntf_poll's callback: notifications (sequence 0) only. */
static void ntf_cb(void *arg, const struct nlmsghdr *nlh)
{
	if (!nlh->nlmsg_seq)
		queue_ntf(arg, nlh);
}

typedef int (*reply_fn)(const struct nlmsghdr *nlh, void *data);

/* Send a request; 0 or -errno, extack text in nl->ext. */
static int nl_talk(struct nl *nl, struct nlmsghdr *req, reply_fn fn,
		   void *data)
{
	return sstpnl_request(&nl->k, req, fn, data, nl->ext, sizeof(nl->ext));
}

static struct nlmsghdr *msg_start(struct nl *nl, char *buf, uint8_t cmd,
				  uint16_t flags)
{
	return sstpnl_msg_start(&nl->k, buf, cmd, flags);
}

static int nl_open(struct nl *nl)
{
	static const struct sstpnl_ops no_ops;
	char err[256];
	int ret;

	memset(nl, 0, sizeof(*nl));
	nl->tail = &nl->head;
	ret = sstpnl_open(&nl->k, &no_ops, NULL, err, sizeof(err));
	if (ret)
		snprintf(nl->ext, sizeof(nl->ext), "%s", err);
	return ret;
}

static void nl_close(struct nl *nl)
{
	struct ntf *n;

	while ((n = nl->head)) {
		nl->head = n->next;
		free(n);
	}
	sstpnl_close(&nl->k);
}

static void put_sreq(struct nlmsghdr *nlh, const struct sreq *r, bool nest)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct nlattr *n;

	if (r->ifindex)
		mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, r->ifindex);
	if (!nest)
		return;
	n = mnl_attr_nest_start(nlh, SSTP_A_SESSION);
	if (r->id)
		mnl_attr_put_u32(nlh, SSTP_A_SESSION_ID, r->id);
	if (r->fd != -2)
		mnl_attr_put_u32(nlh, SSTP_A_SESSION_SOCKET, r->fd);
	if (r->ip4 && inet_pton(AF_INET, r->ip4, &a4) == 1)
		mnl_attr_put(nlh, SSTP_A_SESSION_IPV4, 4, &a4);
	if (r->ip6 && inet_pton(AF_INET6, r->ip6, &a6) == 1)
		mnl_attr_put(nlh, SSTP_A_SESSION_IPV6, 16, &a6);
	if (r->has_flags)
		mnl_attr_put_u32(nlh, SSTP_A_SESSION_PPP_FLAGS, r->ppp_flags);
	if (r->coalesce)
		mnl_attr_put(nlh, SSTP_A_SESSION_COALESCE, 0, NULL);
	if (r->any_source)
		mnl_attr_put(nlh, SSTP_A_SESSION_ANY_SOURCE, 0, NULL);
	if (r->backlog)
		mnl_attr_put(nlh, SSTP_A_SESSION_RX_BACKLOG, r->backlog_len,
			     r->backlog);
	if (r->pkt)
		mnl_attr_put(nlh, SSTP_A_SESSION_PACKET, r->pkt_len, r->pkt);
	if (r->extra_attr)
		mnl_attr_put_u32(nlh, r->extra_attr, 0);
	mnl_attr_nest_end(nlh, n);
}

static int id_reply(const struct nlmsghdr *nlh, void *data)
{
	struct sess s;

	parse_sess(nlh, &s);
	*(uint32_t *)data = s.id;
	return MNL_CB_OK;
}

static int sess_reply(const struct nlmsghdr *nlh, void *data)
{
	parse_sess(nlh, data);
	return MNL_CB_OK;
}

static char reqbuf[NL_BUF];

static int nl_session(struct nl *nl, uint8_t cmd, const struct sreq *r,
		      reply_fn fn, void *data)
{
	struct nlmsghdr *nlh;

	nlh = msg_start(nl, reqbuf, cmd, 0);
	put_sreq(nlh, r, true);
	return nl_talk(nl, nlh, fn, data);
}

static int session_new(struct nl *nl, const struct sreq *r, uint32_t *id)
{
	*id = 0;
	return nl_session(nl, SSTP_CMD_SESSION_NEW, r, id_reply, id);
}

static int session_del(struct nl *nl, uint32_t ifindex, uint32_t id)
{
	struct sreq r = { .ifindex = ifindex, .id = id, .fd = -2 };

	return nl_session(nl, SSTP_CMD_SESSION_DEL, &r, NULL, NULL);
}

static int session_get(struct nl *nl, uint32_t ifindex, uint32_t id,
		       struct sess *s)
{
	struct sreq r = { .ifindex = ifindex, .id = id, .fd = -2 };

	memset(s, 0, sizeof(*s));
	return nl_session(nl, SSTP_CMD_SESSION_GET, &r, sess_reply, s);
}

static int session_send(struct nl *nl, uint32_t ifindex, uint32_t id,
			const void *pkt, size_t len)
{
	struct sreq r = {
		.ifindex = ifindex, .id = id, .fd = -2,
		.pkt = pkt, .pkt_len = len,
	};

	return nl_session(nl, SSTP_CMD_SESSION_SEND, &r, NULL, NULL);
}

struct dump {
	unsigned int n;
	bool print;
};

static int dump_reply(const struct nlmsghdr *nlh, void *data)
{
	struct dump *d = data;
	char a4[INET_ADDRSTRLEN] = "-", a6[INET6_ADDRSTRLEN] = "-";
	struct sess s;

	parse_sess(nlh, &s);
	d->n++;
	if (!d->print)
		return MNL_CB_OK;
	if (s.has4)
		inet_ntop(AF_INET, &s.ip4, a4, sizeof(a4));
	if (s.has6)
		inet_ntop(AF_INET6, &s.ip6, a6, sizeof(a6));
	printf("session %u ipv4 %s ipv6 %s flags %u rx %llu/%llu tx %llu/%llu "
	       "ctrl-rx %llu ctrl-tx %llu echo %llu drop-rpf %llu "
	       "drop-invalid %llu drop-ctrl %llu drop-queue %llu "
	       "drop-size %llu%s\n", s.id, a4, a6, s.ppp_flags,
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_PACKETS],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_BYTES],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_TX_PACKETS],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_TX_BYTES],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_CTRL_PACKETS],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_TX_CTRL_PACKETS],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_ECHO_PACKETS],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_DROP_RPF],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_DROP_INVALID],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_RX_DROP_CTRL],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_TX_DROP_QUEUE],
	       (unsigned long long)s.ctr[SSTP_A_SESSION_TX_DROP_INVALID],
	       s.any_source ? " any-source" : "");
	return MNL_CB_OK;
}

/* Number of sessions of a device, or -errno. */
static int session_dump(struct nl *nl, uint32_t ifindex, bool print)
{
	struct dump d = { .print = print };
	struct nlmsghdr *nlh;
	int err;

	nlh = msg_start(nl, reqbuf, SSTP_CMD_SESSION_GET, NLM_F_DUMP);
	if (ifindex)
		mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, ifindex);
	err = nl_talk(nl, nlh, dump_reply, &d);
	return err ? err : (int)d.n;
}

struct devinfo {
	uint32_t ifindex;
	char name[IFNAMSIZ];
	uint32_t max_sessions;
	uint32_t n_sessions;
	bool has_n;
	bool print;
	unsigned int n;
};

static int dev_attr_cb(const struct nlattr *a, void *data)
{
	struct devinfo *d = data;

	if (mnl_attr_get_type(a) == SSTP_A_IFINDEX)
		d->ifindex = mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == SSTP_A_IFNAME)
		snprintf(d->name, sizeof(d->name), "%s", mnl_attr_get_str(a));
	else if (mnl_attr_get_type(a) == SSTP_A_MAX_SESSIONS)
		d->max_sessions = mnl_attr_get_u32(a);
	else if (mnl_attr_get_type(a) == SSTP_A_N_SESSIONS) {
		d->n_sessions = mnl_attr_get_u32(a);
		d->has_n = true;
	}
	return MNL_CB_OK;
}

static int dev_reply(const struct nlmsghdr *nlh, void *data)
{
	struct devinfo *d = data;

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), dev_attr_cb, d);
	d->n++;
	if (d->print)
		printf("%u %s\n", d->ifindex, d->name);
	return MNL_CB_OK;
}

static int dev_new(struct nl *nl, const char *name, struct devinfo *d)
{
	struct nlmsghdr *nlh;

	memset(d, 0, sizeof(*d));
	nlh = msg_start(nl, reqbuf, SSTP_CMD_DEV_NEW, 0);
	if (name)
		mnl_attr_put_strz(nlh, SSTP_A_IFNAME, name);
	return nl_talk(nl, nlh, dev_reply, d);
}

static int dev_cmd(struct nl *nl, uint8_t cmd, uint32_t ifindex,
		   struct devinfo *d)
{
	struct nlmsghdr *nlh;

	if (d)
		memset(d, 0, sizeof(*d));
	nlh = msg_start(nl, reqbuf, cmd, 0);
	if (ifindex)
		mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, ifindex);
	return nl_talk(nl, nlh, d ? dev_reply : NULL, d);
}

static struct ntf *take_ntf(struct nl *nl, uint8_t cmd, uint32_t id)
{
	struct ntf **pp, *n;

	for (pp = &nl->head; (n = *pp); pp = &n->next) {
		if (n->cmd == cmd && (!id || n->s.id == id)) {
			*pp = n->next;
			if (!*pp)
				nl->tail = pp;
			n->next = NULL;
			return n;
		}
	}
	return NULL;
}

/* Receive whatever notifications are pending, waiting up to ms. */
static void nl_pump(struct nl *nl, int ms)
{
	sstpnl_ntf_poll(&nl->k, ms, ntf_cb, nl);
}

/* A notification of a kind (for a session id, or any with 0), or NULL. */
static struct ntf *wait_ntf(struct nl *nl, uint8_t cmd, uint32_t id, int ms)
{
	long long end = now_ms() + ms;
	struct ntf *n;

	for (;;) {
		n = take_ntf(nl, cmd, id);
		if (n)
			return n;
		ms = end - now_ms();
		if (ms <= 0)
			return NULL;
		nl_pump(nl, ms);
	}
}

static unsigned int drop_ntfs(struct nl *nl, uint8_t cmd, uint32_t id)
{
	unsigned int count = 0;
	struct ntf *n;

	while ((n = take_ntf(nl, cmd, id))) {
		free(n);
		count++;
	}
	return count;
}

/* ------------------------------------------------------------ TLS pairs */

static SSL_CTX *srv_ctx, *cli_ctx, *cli_user_ctx;

static SSL_CTX *ctx_new(const SSL_METHOD *m, bool ktls)
{
	SSL_CTX *ctx = SSL_CTX_new(m);

	if (!ctx)
		die("SSL_CTX_new failed");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	if (!SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256"))
		die("cipher list refused");
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    (ktls ? SSL_OP_ENABLE_KTLS : 0));
	return ctx;
}

static void tls_init(void)
{
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *crt = X509_new();
	X509_NAME *name;

	if (!key || !crt)
		die("key generation failed");
	X509_set_version(crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(crt), 1);
	X509_gmtime_adj(X509_getm_notBefore(crt), -3600);
	X509_gmtime_adj(X509_getm_notAfter(crt), 86400);
	X509_set_pubkey(crt, key);
	name = X509_get_subject_name(crt);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)"sstp-kmod-test", -1,
				   -1, 0);
	X509_set_issuer_name(crt, name);
	if (!X509_sign(crt, key, EVP_sha256()))
		die("certificate signing failed");

	srv_ctx = ctx_new(TLS_server_method(), true);
	if (SSL_CTX_use_certificate(srv_ctx, crt) != 1 ||
	    SSL_CTX_use_PrivateKey(srv_ctx, key) != 1)
		die("server key refused");
	cli_ctx = ctx_new(TLS_client_method(), true);
	cli_user_ctx = ctx_new(TLS_client_method(), false);
	X509_free(crt);
	EVP_PKEY_free(key);
}

struct peer {
	int cfd;		/* client end, with the tool */
	int sfd;		/* server end, for the kernel; -1 once handed */
	SSL *cssl;
	bool eof;
	size_t rlen;
	uint8_t rbuf[1 << 16];
};

static void set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

/* Handshake step: 1 done, 0 in progress, -1 failed. */
static int hs_step(SSL *ssl, short *events)
{
	int r = SSL_do_handshake(ssl);

	if (r == 1)
		return 1;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		*events = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		*events = POLLOUT;
		return 0;
	}
	return -1;
}

/* A TCP connection over loopback with TLS done and kernel TLS installed. */
static int pair_new(struct peer *p, bool client_ktls)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	struct pollfd pfd[2];
	int lfd, cdone = 0, sdone = 0;
	long long end = now_ms() + 20000;
	SSL *sssl;

	memset(p, 0, offsetof(struct peer, rbuf));
	p->cfd = p->sfd = -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (void *)&sa, sizeof(sa)) ||
	    listen(lfd, 1) || getsockname(lfd, (void *)&sa, &sl))
		goto err;
	p->cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->cfd < 0 || connect(p->cfd, (void *)&sa, sizeof(sa)))
		goto err;
	p->sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	close(lfd);
	lfd = -1;
	if (p->sfd < 0)
		goto err;
	set_nonblock(p->cfd, true);
	set_nonblock(p->sfd, true);

	sssl = SSL_new(srv_ctx);
	p->cssl = SSL_new(client_ktls ? cli_ctx : cli_user_ctx);
	if (!sssl || !p->cssl)
		goto err_ssl;
	SSL_set_fd(sssl, p->sfd);
	SSL_set_fd(p->cssl, p->cfd);
	SSL_set_accept_state(sssl);
	SSL_set_connect_state(p->cssl);
	pfd[0].fd = p->sfd;
	pfd[1].fd = p->cfd;
	while (cdone < 1 || sdone < 1) {
		pfd[0].events = pfd[1].events = 0;
		if (sdone < 1)
			sdone = hs_step(sssl, &pfd[0].events);
		if (cdone < 1)
			cdone = hs_step(p->cssl, &pfd[1].events);
		if (sdone < 0 || cdone < 0 || now_ms() > end)
			goto err_ssl;
		if (sdone < 1 || cdone < 1)
			poll(pfd, 2, 100);
	}
	if (BIO_get_ktls_send(SSL_get_wbio(sssl)) != 1 ||
	    BIO_get_ktls_recv(SSL_get_rbio(sssl)) != 1 ||
	    (client_ktls && (BIO_get_ktls_send(SSL_get_wbio(p->cssl)) != 1 ||
			     BIO_get_ktls_recv(SSL_get_rbio(p->cssl)) != 1))) {
		note("kernel TLS not installed by OpenSSL");
		goto err_ssl;
	}
	SSL_free(sssl);
	set_nonblock(p->cfd, false);
	set_nonblock(p->sfd, false);
	return 0;

err_ssl:
	ERR_print_errors_fp(stdout);
	SSL_free(sssl);
err:
	if (lfd >= 0)
		close(lfd);
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->sfd >= 0)
		close(p->sfd);
	SSL_free(p->cssl);
	p->cssl = NULL;
	p->cfd = p->sfd = -1;
	return -1;
}

static void pair_close(struct peer *p)
{
	if (p->cfd >= 0)
		close(p->cfd);
	if (p->sfd >= 0)
		close(p->sfd);
	SSL_free(p->cssl);
	p->cssl = NULL;
	p->cfd = p->sfd = -1;
}

static bool peer_write(struct peer *p, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	ssize_t n;

	while (len) {
		n = write(p->cfd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		b += n;
		len -= n;
	}
	return true;
}

/* Next SSTP packet from the kernel: 1, 0 on timeout, -1 at end of stream. */
static int peer_read(struct peer *p, uint8_t *pkt, size_t *len, int ms)
{
	struct pollfd pfd = { .fd = p->cfd, .events = POLLIN };
	long long end = now_ms() + ms;
	size_t plen;
	ssize_t n;

	for (;;) {
		if (p->rlen >= SSTP_HDR_LEN) {
			plen = sstp_len_get(p->rbuf + 2);
			if (p->rbuf[0] != SSTP_VERSION || plen < SSTP_HDR_LEN)
				return -1;
			if (p->rlen >= plen) {
				memcpy(pkt, p->rbuf, plen);
				*len = plen;
				p->rlen -= plen;
				memmove(p->rbuf, p->rbuf + plen, p->rlen);
				return 1;
			}
		}
		if (p->eof)
			return -1;
		ms = end - now_ms();
		if (ms < 0)
			ms = 0;
		if (poll(&pfd, 1, ms) <= 0)
			return 0;
		n = read(p->cfd, p->rbuf + p->rlen, sizeof(p->rbuf) - p->rlen);
		if (n <= 0) {
			p->eof = true;
			return -1;
		}
		p->rlen += n;
	}
}

/* Whether the connection ends (EOF or reset) within ms. */
static bool peer_sees_end(struct peer *p, int ms)
{
	uint8_t pkt[SSTP_MAX_PACKET];
	long long end = now_ms() + ms;
	size_t len;
	int r;

	do {
		r = peer_read(p, pkt, &len, end - now_ms());
		if (r < 0)
			return true;
	} while (r > 0 && now_ms() < end);
	return false;
}

/* ------------------------------------------------------------ packets */

static uint32_t csum_add(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += p[0] << 8 | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

/* ICMP echo (type 8 request, 0 reply) from src to dst; its length. */
static size_t ip4_echo(uint8_t *p, const char *src, const char *dst,
		       uint8_t type, uint16_t seq, size_t payload)
{
	size_t len = 20 + 8 + payload, i;

	memset(p, 0, 28);
	p[0] = 0x45;
	put16(p + 2, len);
	p[8] = 64;
	p[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	put16(p + 10, csum_fold(csum_add(p, 20, 0)));
	p[20] = type;
	put16(p + 24, 0x5354);
	put16(p + 26, seq);
	for (i = 0; i < payload; i++)
		p[28 + i] = i;
	put16(p + 22, csum_fold(csum_add(p + 20, 8 + payload, 0)));
	return len;
}

static uint16_t icmp6_csum(const uint8_t *ip6, size_t plen)
{
	uint32_t sum = csum_add(ip6 + 8, 32, 0);

	sum += plen + IPPROTO_ICMPV6;
	return csum_fold(csum_add(ip6 + 40, plen, sum));
}

/* ICMPv6 echo (128 request, 129 reply); its length. */
static size_t ip6_echo(uint8_t *p, const char *src, const char *dst,
		       uint8_t type, uint16_t seq, size_t payload)
{
	size_t plen = 8 + payload, i;

	memset(p, 0, 48);
	p[0] = 0x60;
	put16(p + 4, plen);
	p[6] = IPPROTO_ICMPV6;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	p[40] = type;
	put16(p + 44, 0x5354);
	put16(p + 46, seq);
	for (i = 0; i < payload; i++)
		p[48 + i] = i;
	put16(p + 42, icmp6_csum(p, plen));
	return 40 + plen;
}

/* SSTP data packet as the client sends it (uncompressed PPP header). */
static size_t sstp_data(uint8_t *out, uint16_t proto, const void *payload,
			size_t len)
{
	sstp_hdr_put(out, 0, 8 + len);
	out[4] = 0xff;
	out[5] = 0x03;
	put16(out + 6, proto);
	memcpy(out + 8, payload, len);
	return 8 + len;
}

static size_t sstp_ctrl(uint8_t *out, uint16_t type)
{
	sstp_hdr_put(out, 1, SSTP_LEN_SIMPLE);
	put16(out + 4, type);
	put16(out + 6, 0);
	return SSTP_LEN_SIMPLE;
}

/* The IP packet in an SSTP data packet, whatever the PPP framing. */
static const uint8_t *sstp_ip(const uint8_t *pkt, size_t len, uint16_t *proto,
			      size_t *iplen, unsigned int *hdr)
{
	size_t off = SSTP_HDR_LEN;

	if (len < SSTP_HDR_LEN + 1 || (pkt[1] & SSTP_FLAG_CONTROL))
		return NULL;
	if (len >= off + 2 && pkt[off] == 0xff && pkt[off + 1] == 0x03)
		off += 2;
	if (off >= len)
		return NULL;
	if (pkt[off] & 1) {
		*proto = pkt[off++];
	} else {
		if (off + 2 > len)
			return NULL;
		*proto = pkt[off] << 8 | pkt[off + 1];
		off += 2;
	}
	*iplen = len - off;
	if (hdr)
		*hdr = off;
	return pkt + off;
}

/* Wait for the echo reply to (seq) in v4 or v6; the PPP header length. */
static int wait_echo_reply(struct peer *p, bool v6, uint16_t seq, int ms,
			   unsigned int *hdr)
{
	uint8_t pkt[SSTP_MAX_PACKET];
	long long end = now_ms() + ms;
	const uint8_t *ip;
	size_t len, iplen;
	uint16_t proto;

	while (now_ms() < end) {
		if (peer_read(p, pkt, &len, end - now_ms()) != 1)
			return -1;
		ip = sstp_ip(pkt, len, &proto, &iplen, hdr);
		if (!ip)
			continue;
		if (!v6 && proto == 0x21 && iplen >= 28 && ip[9] == 1 &&
		    ip[20] == 0 && (ip[26] << 8 | ip[27]) == seq)
			return 0;
		if (v6 && proto == 0x57 && iplen >= 48 && ip[6] == 58 &&
		    ip[40] == 129 && (ip[46] << 8 | ip[47]) == seq)
			return 0;
	}
	return -1;
}

/* Send a ping to the device's address and wait for its reply. */
static bool ping_gw(struct peer *p, const char *src, bool v6, uint16_t seq)
{
	uint8_t ip[2048], pkt[2100];
	size_t n;

	n = v6 ? ip6_echo(ip, src, GW6, 128, seq, 56) :
		 ip4_echo(ip, src, GW4, 8, seq, 56);
	n = sstp_data(pkt, v6 ? 0x57 : 0x21, ip, n);
	return peer_write(p, pkt, n) &&
	       !wait_echo_reply(p, v6, seq, TIMEOUT_MS, NULL);
}

/* An SSTP echo request and its response. */
static bool sstp_echo(struct peer *p)
{
	uint8_t pkt[SSTP_MAX_PACKET];
	size_t len;

	len = sstp_ctrl(pkt, SSTP_MSG_ECHO_REQUEST);
	if (!peer_write(p, pkt, len))
		return false;
	while (peer_read(p, pkt, &len, TIMEOUT_MS) == 1)
		if ((pkt[1] & SSTP_FLAG_CONTROL) && len >= 8 &&
		    pkt[5] == SSTP_MSG_ECHO_RESPONSE)
			return true;
	return false;
}

/* ------------------------------------------------------------ sessions */

static uint32_t dev_index(const char *dev)
{
	char *end;
	unsigned long v = strtoul(dev, &end, 10);

	if (*dev && !*end)
		return v;
	v = if_nametoindex(dev);
	if (!v)
		die("no device %s", dev);
	return v;
}

/* A pair whose server end is attached as r asks; 0 or -errno (-1 for TLS). */
static int attach_req(struct nl *nl, struct peer *p, struct sreq *r,
		      uint32_t *id)
{
	int err;

	if (pair_new(p, true))
		return -1;
	r->fd = p->sfd;
	err = session_new(nl, r, id);
	if (err) {
		note("session-new: %s (%s)", strerror(-err), nl->ext);
		pair_close(p);
		return err;
	}
	close(p->sfd);
	p->sfd = -1;
	return 0;
}

/* A pair whose server end is attached; 0 or -errno (-1 for TLS). */
static int attach(struct nl *nl, uint32_t ifindex, struct peer *p,
		  const char *ip4, const char *ip6, int flags, uint32_t *id)
{
	struct sreq r = {
		.ifindex = ifindex, .ip4 = ip4, .ip6 = ip6,
		.ppp_flags = flags, .has_flags = flags >= 0,
	};

	return attach_req(nl, p, &r, id);
}

/*
 * attach() with a fixed send buffer, so that back-pressure comes soon. (A
 * small receive buffer on the peer would do too, but kernel TLS on the
 * peer then takes ages to drain it again: records larger than the window.)
 */
static int attach_small(struct nl *nl, uint32_t ifindex, struct peer *p,
			const char *ip4, uint32_t *id)
{
	struct sreq r = { .ifindex = ifindex, .ip4 = ip4 };
	int snd = 65536, err;

	if (pair_new(p, true))
		return -1;
	setsockopt(p->sfd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	r.fd = p->sfd;
	err = session_new(nl, &r, id);
	close(p->sfd);
	p->sfd = -1;
	if (err)
		pair_close(p);
	return err;
}

static struct peer *peer_alloc(void)
{
	struct peer *p = malloc(sizeof(*p));

	if (!p)
		die("out of memory");
	p->cfd = p->sfd = -1;
	p->cssl = NULL;
	return p;
}

static uint64_t counter(struct nl *nl, uint32_t ifindex, uint32_t id, int attr)
{
	struct sess s;

	if (session_get(nl, ifindex, id, &s))
		return UINT64_MAX;
	return s.ctr[attr];
}

/* The session ends with a del notification carrying the reason. */
static bool ends_with(struct nl *nl, uint32_t id, uint32_t reason, int ms)
{
	struct ntf *n = wait_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, id, ms);
	bool ok;

	if (!n) {
		note("no session-del-ntf for session %u", id);
		return false;
	}
	ok = n->s.reason == reason;
	if (!ok)
		note("session %u ended with reason %u, not %u", id,
		     n->s.reason, reason);
	free(n);
	return ok;
}

/* ------------------------------------------------------------ scenarios */

static bool expect_err(struct nl *nl, int err, int want, const char *what)
{
	bool ok = err == -want && nl->ext[0];

	check(ok, "%s refused with %s and a message (%s: %s)", what,
	      strerror(want), err ? strerror(-err) : "accepted", nl->ext);
	return ok;
}

static int scenario_api(struct nl *nl, uint32_t ifindex)
{
	struct sreq r = { .ifindex = ifindex, .ip4 = "10.200.9.1" };
	struct peer *p = peer_alloc(), *q = peer_alloc();
	struct devinfo d;
	uint8_t pkt[16];
	uint32_t id = 0, id2, junk;
	int sv[2], fd, err;
	struct sess s;

	r.fd = -1;
	expect_err(nl, session_new(nl, &r, &junk), EBADF, "a bad descriptor");

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	r.fd = fd;
	expect_err(nl, session_new(nl, &r, &junk), EPROTOTYPE, "a UDP socket");
	close(fd);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0) {
		r.fd = sv[0];
		expect_err(nl, session_new(nl, &r, &junk), EPROTOTYPE,
			   "a unix socket");
		close(sv[0]);
		close(sv[1]);
	}

	if (pair_new(q, false) == 0) {
		/* The server end has kernel TLS; a plain TCP socket has not. */
		fd = q->cfd;
		r.fd = fd;
		expect_err(nl, session_new(nl, &r, &junk), EPROTONOSUPPORT,
			   "a TCP socket without kernel TLS");
		pair_close(q);
	}

	check(pair_new(p, true) == 0, "a kernel TLS pair");
	r.fd = p->sfd;
	r.ip4 = NULL;
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "a session without addresses");
	r.ip4 = "127.0.0.1";
	expect_err(nl, session_new(nl, &r, &junk), EINVAL, "a loopback address");
	r.ip4 = "224.0.0.5";
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "a multicast address");
	r.ip4 = NULL;
	r.ip6 = "ff02::1";
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "an IPv6 multicast address");
	r.ip6 = NULL;
	r.ip4 = "10.200.9.1";
	r.fd = -2;
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "a session without a socket");
	r.fd = p->sfd;
	r.has_flags = true;
	r.ppp_flags = 4;
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "unknown PPP flags");
	r.has_flags = false;
	r.ifindex = 1;
	expect_err(nl, session_new(nl, &r, &junk), EOPNOTSUPP,
		   "a device that is not sstp");
	r.ifindex = 999999;
	expect_err(nl, session_new(nl, &r, &junk), ENODEV, "a missing device");
	r.ifindex = 0;
	expect_err(nl, session_new(nl, &r, &junk), EINVAL, "a missing ifindex");
	r.ifindex = ifindex;
	r.extra_attr = SSTP_A_SESSION_PACKET;
	expect_err(nl, session_new(nl, &r, &junk), EINVAL,
		   "an attribute session-new does not take");
	r.extra_attr = 0;

	err = session_new(nl, &r, &id);
	check(!err && id, "session-new with a kernel TLS socket (id %u)", id);
	close(p->sfd);
	p->sfd = -1;

	if (pair_new(q, true) == 0) {
		r.fd = q->sfd;
		expect_err(nl, session_new(nl, &r, &junk), EADDRINUSE,
			   "an address in use");
		r.ip4 = "10.200.9.2";
		r.id = id;
		expect_err(nl, session_new(nl, &r, &junk), EEXIST,
			   "an id in use");
		r.id = 0;
		err = session_new(nl, &r, &id2);
		check(!err && id2 && id2 != id, "a second session (id %u)",
		      id2);
		r.ip4 = "10.200.9.3";
		expect_err(nl, session_new(nl, &r, &junk), EBUSY,
			   "a socket already attached");
		check(!session_del(nl, ifindex, id2), "session-del");
		pair_close(q);
	}

	expect_err(nl, session_get(nl, ifindex, 4242424, &s), ENOENT,
		   "session-get of an unknown id");
	{
		struct sreq g = { .ifindex = ifindex, .id = id, .fd = -2,
				  .ip4 = "10.0.0.1" };

		expect_err(nl, nl_session(nl, SSTP_CMD_SESSION_GET, &g, NULL,
					  NULL), EINVAL,
			   "session-get with more than the id");
	}
	check(!session_get(nl, ifindex, id, &s) && s.id == id && s.has4 &&
	      s.ip4.s_addr == htonl(0x0ac80901), "session-get");
	sstp_hdr_put(pkt, 1, 9);
	expect_err(nl, session_send(nl, ifindex, id, pkt, 8), EINVAL,
		   "session-send of a packet with a wrong length");
	pkt[0] = 0x11;
	sstp_hdr_put(pkt + 1, 1, 8);
	expect_err(nl, session_send(nl, ifindex, id, pkt, 3), EINVAL,
		   "session-send of a short packet");
	sstp_ctrl(pkt, SSTP_MSG_ECHO_RESPONSE);
	expect_err(nl, session_send(nl, ifindex, 4242424, pkt, 8), ENOENT,
		   "session-send to an unknown id");
	expect_err(nl, session_del(nl, ifindex, 4242424), ENOENT,
		   "session-del of an unknown id");

	expect_err(nl, dev_new(nl, "lo", &d), EEXIST, "dev-new with a used name");
	expect_err(nl, dev_new(nl, "bad/name", &d), EINVAL,
		   "dev-new with an invalid name");
	expect_err(nl, dev_cmd(nl, SSTP_CMD_DEV_GET, 1, &d), EOPNOTSUPP,
		   "dev-get of lo");
	expect_err(nl, dev_cmd(nl, SSTP_CMD_DEV_DEL, 1, NULL), EOPNOTSUPP,
		   "dev-del of lo");
	check(!dev_cmd(nl, SSTP_CMD_DEV_GET, ifindex, &d) &&
	      d.ifindex == ifindex, "dev-get (%s)", d.name);

	check(!session_del(nl, ifindex, id), "session-del");
	check(peer_sees_end(p, TIMEOUT_MS),
	      "the connection closes once the session is deleted");
	check(session_dump(nl, ifindex, false) == 0, "no sessions left");
	drop_ntfs(nl, SSTP_CMD_SESSION_DEL_NTF, 0);
	pair_close(p);
	free(p);
	free(q);
	return finish();
}

static int scenario_traffic(struct nl *nl, uint32_t ifindex)
{
	struct peer *p = peer_alloc(), *c = peer_alloc();
	uint8_t ip[4096], pkt[SSTP_MAX_PACKET + 16], buf[8192];
	const char *me = "10.200.0.2", *me6 = "fd00:200::2";
	unsigned int hdr = 0, i, k;
	struct ntf *n;
	size_t len, iplen;
	uint32_t id, cid;
	bool ok;

	if (!check(!attach(nl, ifindex, p, me, me6, 0, &id),
		   "session attached on a kernel TLS socket"))
		return finish();

	check(ping_gw(p, me, false, 1), "ping over IPv4 through the device");
	check(ping_gw(p, me6, true, 2), "ping over IPv6 through the device");
	check(sstp_echo(p), "SSTP echo request answered by the kernel");
	check(counter(nl, ifindex, id, SSTP_A_SESSION_ECHO_PACKETS) == 1,
	      "echo counted");

	/* Two pings in one write, then one packet cut into single bytes. */
	len = sstp_data(pkt, 0x21, ip, ip4_echo(ip, me, GW4, 8, 3, 20));
	memcpy(buf, pkt, len);
	len += sstp_data(buf + len, 0x21, ip, ip4_echo(ip, me, GW4, 8, 4, 20));
	ok = peer_write(p, buf, len) &&
	     !wait_echo_reply(p, false, 3, TIMEOUT_MS, NULL) &&
	     !wait_echo_reply(p, false, 4, TIMEOUT_MS, NULL);
	check(ok, "two packets in one TLS record");
	len = sstp_data(pkt, 0x21, ip, ip4_echo(ip, me, GW4, 8, 5, 100));
	ok = true;
	for (i = 0; i < len && ok; i++)
		ok = peer_write(p, pkt + i, 1);
	check(ok && !wait_echo_reply(p, false, 5, TIMEOUT_MS, NULL),
	      "a packet spread over %zu TLS records", len);
	len = sstp_data(buf, 0x21, ip, ip4_echo(ip, me, GW4, 8, 6, 1300));
	ok = peer_write(p, buf, 700) && (usleep(20000), 1) &&
	     peer_write(p, buf + 700, len - 700);
	check(ok && !wait_echo_reply(p, false, 6, TIMEOUT_MS, NULL),
	      "a 1328-byte packet across two records");

	/* Frames for the gateway, in both directions. */
	len = sstp_ctrl(pkt, SSTP_MSG_CALL_DISCONNECT);
	peer_write(p, pkt, len);
	n = wait_ntf(nl, SSTP_CMD_SESSION_RECV_NTF, id, TIMEOUT_MS);
	check(n && n->s.ifindex == ifindex && n->s.pkt_len == len &&
	      !memcmp(n->s.pkt, pkt, len),
	      "an SSTP control packet reaches the gateway intact");
	free(n);
	{
		static const uint8_t lcp[] = { 0xc0, 0x21, 0x09, 0x07, 0x00,
					       0x08, 0x01, 0x02, 0x03, 0x04 };

		sstp_hdr_put(pkt, 0, SSTP_HDR_LEN + sizeof(lcp));
		memcpy(pkt + SSTP_HDR_LEN, lcp, sizeof(lcp));
		len = SSTP_HDR_LEN + sizeof(lcp);
		peer_write(p, pkt, len);
		n = wait_ntf(nl, SSTP_CMD_SESSION_RECV_NTF, id, TIMEOUT_MS);
		check(n && n->s.pkt_len == len && !memcmp(n->s.pkt, pkt, len),
		      "an LCP frame (PFC/ACFC form) reaches the gateway");
		free(n);
	}
	len = sstp_ctrl(pkt, SSTP_MSG_CALL_CONNECTED);
	check(!session_send(nl, ifindex, id, pkt, len),
	      "session-send queues a frame");
	check(peer_read(p, buf, &iplen, TIMEOUT_MS) == 1 && iplen == len &&
	      !memcmp(buf, pkt, len), "the peer receives it unchanged");

	/* Order: a ping's reply queued before a gateway frame stays first. */
	len = sstp_data(pkt, 0x21, ip, ip4_echo(ip, me, GW4, 8, 7, 10));
	peer_write(p, pkt, len);
	usleep(200000);
	len = sstp_ctrl(pkt, SSTP_MSG_ECHO_REQUEST);
	session_send(nl, ifindex, id, pkt, len);
	ok = !wait_echo_reply(p, false, 7, TIMEOUT_MS, NULL) &&
	     peer_read(p, buf, &iplen, TIMEOUT_MS) == 1 && iplen == len &&
	     !memcmp(buf, pkt, len);
	check(ok, "a gateway frame queued after a reply leaves after it");

	/* Reverse path: a foreign source is dropped and counted. */
	len = sstp_data(pkt, 0x21, ip, ip4_echo(ip, "10.200.0.99", GW4, 8, 8, 8));
	peer_write(p, pkt, len);
	check(wait_echo_reply(p, false, 8, 500, NULL) != 0,
	      "a spoofed packet gets no answer");
	check(counter(nl, ifindex, id, SSTP_A_SESSION_RX_DROP_RPF) == 1,
	      "and is counted in rx-drop-rpf");
	len = sstp_data(pkt, 0x57, ip, ip6_echo(ip, "fd00:200::99", GW6, 128, 9, 8));
	peer_write(p, pkt, len);
	usleep(300000);
	check(counter(nl, ifindex, id, SSTP_A_SESSION_RX_DROP_RPF) == 2,
	      "a spoofed IPv6 packet too");

	/* PPP framing the peer asked for. */
	if (check(!attach(nl, ifindex, c, "10.200.0.3", NULL,
			  SSTP_PPP_FLAGS_ACFC | SSTP_PPP_FLAGS_PFC, &cid),
		  "a session with ACFC and PFC")) {
		len = sstp_data(pkt, 0x21, ip,
				ip4_echo(ip, "10.200.0.3", GW4, 8, 10, 8));
		peer_write(c, pkt, len);
		check(!wait_echo_reply(c, false, 10, TIMEOUT_MS, &hdr) &&
		      hdr == SSTP_HDR_LEN + 1,
		      "its replies come with a one-byte protocol and no FF 03");
		check(!session_del(nl, ifindex, cid), "session-del");
		pair_close(c);
	}
	len = sstp_data(pkt, 0x21, ip, ip4_echo(ip, me, GW4, 8, 11, 8));
	peer_write(p, pkt, len);
	check(!wait_echo_reply(p, false, 11, TIMEOUT_MS, &hdr) &&
	      hdr == SSTP_HDR_LEN + 4, "default framing is FF 03 00 21");

	/* Counters. */
	{
		struct sess s;

		session_get(nl, ifindex, id, &s);
		check(s.ctr[SSTP_A_SESSION_RX_PACKETS] >= 8 &&
		      s.ctr[SSTP_A_SESSION_TX_PACKETS] >= 8 &&
		      s.ctr[SSTP_A_SESSION_RX_BYTES] > 8 * 28 &&
		      s.ctr[SSTP_A_SESSION_RX_CTRL_PACKETS] == 2 &&
		      s.ctr[SSTP_A_SESSION_TX_CTRL_PACKETS] == 2,
		      "counters (rx %llu tx %llu ctrl %llu/%llu)",
		      (unsigned long long)s.ctr[SSTP_A_SESSION_RX_PACKETS],
		      (unsigned long long)s.ctr[SSTP_A_SESSION_TX_PACKETS],
		      (unsigned long long)s.ctr[SSTP_A_SESSION_RX_CTRL_PACKETS],
		      (unsigned long long)s.ctr[SSTP_A_SESSION_TX_CTRL_PACKETS]);
	}

	/* Bytes the gateway read before the handover go first. */
	{
		struct sreq r = { .ifindex = ifindex, .ip4 = "10.200.0.6" };
		uint8_t back[64];
		size_t blen, plen;

		if (pair_new(c, true) == 0) {
			blen = sstp_ctrl(back, SSTP_MSG_ECHO_REQUEST);
			plen = sstp_data(pkt, 0x21, ip,
					 ip4_echo(ip, "10.200.0.6", GW4, 8, 12, 8));
			memcpy(back + blen, pkt, 10);
			r.fd = c->sfd;
			r.backlog = back;
			r.backlog_len = blen + 10;
			if (check(!session_new(nl, &r, &cid),
				  "session-new with an rx-backlog")) {
				close(c->sfd);
				c->sfd = -1;
				peer_write(c, pkt + 10, plen - 10);
				ok = peer_read(c, buf, &iplen, TIMEOUT_MS) == 1 &&
				     (buf[1] & SSTP_FLAG_CONTROL) &&
				     buf[5] == SSTP_MSG_ECHO_RESPONSE &&
				     !wait_echo_reply(c, false, 12, TIMEOUT_MS,
						      NULL);
				check(ok, "the backlog is de-framed before the socket");
				session_del(nl, ifindex, cid);
			}
			pair_close(c);
		}
	}

	/* The peer stops reading: socket, then queue fill; order holds. */
	if (check(!attach_small(nl, ifindex, c, "10.200.0.7", &cid),
		  "a session with a small send buffer")) {
		unsigned int sent = 0, got = 0, want;
		long long t0 = now_ms(), t1;
		int err = 0;

		while (sent < 20000) {
			sstp_hdr_put(buf, 0, SSTP_MAX_PACKET);
			buf[4] = 0xff;
			buf[5] = 0x03;
			put16(buf + 6, 0x8281);
			memset(buf + 8, sent & 0xff, SSTP_MAX_PACKET - 8);
			put16(buf + 8, sent);
			err = session_send(nl, ifindex, cid, buf, SSTP_MAX_PACKET);
			if (err)
				break;
			sent++;
		}
		check(err == -ENOBUFS && nl->ext[0],
		      "session-send reports a full queue after %u frames (%s)",
		      sent, nl->ext);
		want = sent;
		t1 = now_ms();
		while (got < want && peer_read(c, pkt, &len, TIMEOUT_MS) == 1) {
			if (len != SSTP_MAX_PACKET || pkt[1] ||
			    (unsigned int)(pkt[8] << 8 | pkt[9]) != (got & 0xffff))
				break;
			got++;
		}
		note("queue filled in %lld ms, drained in %lld ms",
		     t1 - t0, now_ms() - t1);
		check(got == want, "the peer reads all %u frames, in order",
		      got);
		check(sstp_echo(c), "the session works on");
		session_del(nl, ifindex, cid);
		pair_close(c);
	}

	/* Every SSTP packet in a TLS record of its own, unless coalescing. */
	for (k = 0; k < 2; k++) {
		struct sreq r = { .ifindex = ifindex, .ip4 = "10.200.0.8",
				  .coalesce = k };
		unsigned int got = 0, reads = 0;
		struct sess s;
		int rd;

		if (pair_new(c, false))
			continue;
		r.fd = c->sfd;
		if (!check(!session_new(nl, &r, &cid),
			   "a session with a userspace TLS peer%s",
			   k ? ", coalescing" : "")) {
			pair_close(c);
			continue;
		}
		close(c->sfd);
		c->sfd = -1;
		check(!session_get(nl, ifindex, cid, &s) && s.coalesce == k,
		      "session-get reports coalesce %s", k ? "on" : "off");
		for (i = 0; i < 20; i++) {
			sstp_hdr_put(pkt, 0, 100);
			put16(pkt + 4, 0xff03);
			put16(pkt + 6, 0x8281);
			memset(pkt + 8, i, 92);
			session_send(nl, ifindex, cid, pkt, 100);
		}
		ok = true;
		while (ok && got < 20) {
			rd = SSL_read(c->cssl, buf, sizeof(buf));
			ok = rd > 0 && rd % 100 == 0 && (k || rd == 100);
			for (i = 0; ok && i < (unsigned int)rd / 100; i++)
				ok = buf[i * 100 + 8] == got++;
			reads++;
		}
		if (k)
			note("20 coalescable packets came in %u records", reads);
		check(ok && got == 20, k ? "all packets arrive in order" :
		      "each of 20 packets arrives in a TLS record of its own");
		session_del(nl, ifindex, cid);
		drop_ntfs(nl, SSTP_CMD_SESSION_DEL_NTF, cid);
		pair_close(c);
	}

	/* A graceful end: the last frame queued still leaves. */
	len = sstp_ctrl(pkt, SSTP_MSG_CALL_DISCONNECT_ACK);
	session_send(nl, ifindex, id, pkt, len);
	check(!session_del(nl, ifindex, id), "session-del");
	ok = peer_read(p, buf, &iplen, TIMEOUT_MS) == 1 && iplen == len &&
	     !memcmp(buf, pkt, len);
	check(ok, "a frame queued just before session-del is sent");
	check(peer_sees_end(p, TIMEOUT_MS), "then the connection closes");
	check(ends_with(nl, id, SSTP_DEL_REASON_USERSPACE, TIMEOUT_MS),
	      "session-del-ntf with reason userspace");
	pair_close(p);
	free(p);
	free(c);
	return finish();
}

/*
 * Client sessions: this end connected to a gateway that forwards for the
 * networks behind it (any-source). Expects 192.0.2.0/24 routed via
 * 10.200.0.9 and 2001:db8:7::/64 via fd00:200::9 on the device, so that
 * replies to hosts behind the gateway go into its session.
 */
#define CLI_GW4		"10.200.0.9"
#define CLI_GW6		"fd00:200::9"
#define FAR4		"192.0.2.7"
#define FAR6		"2001:db8:7::7"

static int scenario_client(struct nl *nl, uint32_t ifindex)
{
	struct sreq r = { .ifindex = ifindex, .ip4 = CLI_GW4, .ip6 = CLI_GW6 };
	struct peer *p = peer_alloc();
	uint8_t ip[256], pkt[320];
	struct in_addr a4;
	struct sess s;
	uint32_t id;
	size_t len;

	inet_pton(AF_INET, CLI_GW4, &a4);

	/* The same address without the flag: the reverse-path check holds. */
	if (check(!attach_req(nl, p, &r, &id),
		  "a session at %s without any-source", CLI_GW4)) {
		check(!session_get(nl, ifindex, id, &s) && !s.any_source,
		      "session-get reports any-source off");
		len = sstp_data(pkt, 0x21, ip,
				ip4_echo(ip, FAR4, GW4, 8, 1, 8));
		peer_write(p, pkt, len);
		check(wait_echo_reply(p, false, 1, 500, NULL) != 0,
		      "a ping from %s gets no answer", FAR4);
		len = sstp_data(pkt, 0x57, ip,
				ip6_echo(ip, FAR6, GW6, 128, 2, 8));
		peer_write(p, pkt, len);
		check(wait_echo_reply(p, true, 2, 500, NULL) != 0,
		      "nor one from %s", FAR6);
		session_get(nl, ifindex, id, &s);
		check(s.ctr[SSTP_A_SESSION_RX_DROP_RPF] == 2 &&
		      !s.ctr[SSTP_A_SESSION_RX_PACKETS],
		      "both dropped and counted in rx-drop-rpf (%llu, rx %llu)",
		      (unsigned long long)s.ctr[SSTP_A_SESSION_RX_DROP_RPF],
		      (unsigned long long)s.ctr[SSTP_A_SESSION_RX_PACKETS]);
		check(!session_del(nl, ifindex, id), "session-del");
		drop_ntfs(nl, SSTP_CMD_SESSION_DEL_NTF, id);
		pair_close(p);
	}

	/* The peer is a gateway: packets from behind it reach the device. */
	r.any_source = true;
	if (!check(!attach_req(nl, p, &r, &id),
		   "a session at %s with any-source", CLI_GW4)) {
		free(p);
		return finish();
	}
	check(!session_get(nl, ifindex, id, &s) && s.any_source && s.has4 &&
	      s.ip4.s_addr == a4.s_addr && s.has6,
	      "session-get reports any-source on, with its addresses");
	check(session_dump(nl, ifindex, false) == 1, "session-get dumps it");
	check(ping_gw(p, FAR4, false, 3),
	      "a ping from %s is delivered, its reply routed via %s", FAR4,
	      CLI_GW4);
	check(ping_gw(p, FAR6, true, 4),
	      "a ping from %s is delivered, its reply routed via %s", FAR6,
	      CLI_GW6);
	check(ping_gw(p, CLI_GW4, false, 5) && ping_gw(p, CLI_GW6, true, 6),
	      "the gateway's own addresses still work");
	session_get(nl, ifindex, id, &s);
	check(s.ctr[SSTP_A_SESSION_RX_PACKETS] == 4 &&
	      s.ctr[SSTP_A_SESSION_TX_PACKETS] == 4 &&
	      !s.ctr[SSTP_A_SESSION_RX_DROP_RPF],
	      "counted as received (rx %llu tx %llu), none in rx-drop-rpf",
	      (unsigned long long)s.ctr[SSTP_A_SESSION_RX_PACKETS],
	      (unsigned long long)s.ctr[SSTP_A_SESSION_TX_PACKETS]);
	check(!session_del(nl, ifindex, id), "session-del");
	check(ends_with(nl, id, SSTP_DEL_REASON_USERSPACE, TIMEOUT_MS),
	      "session-del-ntf with reason userspace");
	pair_close(p);
	free(p);
	return finish();
}

static int scenario_teardown(struct nl *nl, uint32_t ifindex)
{
	struct peer *p = peer_alloc();
	uint8_t alert[2] = { 2, 40 };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(1)];
	} cm;
	struct msghdr msg = { 0 };
	struct iovec iov;
	uint32_t id;
	pid_t pid;
	int st;

	if (attach(nl, ifindex, p, "10.200.0.2", NULL, -1, &id) == 0) {
		close(p->cfd);
		p->cfd = -1;
		check(ends_with(nl, id, SSTP_DEL_REASON_PEER_CLOSED, TIMEOUT_MS),
		      "peer closes TCP: session ends (peer-closed)");
		pair_close(p);
	}
	if (attach(nl, ifindex, p, "10.200.0.2", NULL, -1, &id) == 0) {
		SSL_shutdown(p->cssl);
		check(ends_with(nl, id, SSTP_DEL_REASON_PEER_CLOSED, TIMEOUT_MS),
		      "peer sends close_notify: session ends (peer-closed)");
		pair_close(p);
	}
	if (attach(nl, ifindex, p, "10.200.0.2", NULL, -1, &id) == 0) {
		iov.iov_base = alert;
		iov.iov_len = sizeof(alert);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = &cm;
		msg.msg_controllen = sizeof(cm);
		cm.h.cmsg_level = SOL_TLS;
		cm.h.cmsg_type = TLS_SET_RECORD_TYPE;
		cm.h.cmsg_len = CMSG_LEN(1);
		*CMSG_DATA(&cm.h) = 21;
		check(sendmsg(p->cfd, &msg, 0) == 2, "the peer sends a fatal alert");
		check(ends_with(nl, id, SSTP_DEL_REASON_TLS_ERROR, TIMEOUT_MS),
		      "a TLS alert ends the session (tls-error)");
		pair_close(p);
	}
	/* A record the kernel cannot decrypt: the peer leaves TLS behind. */
	if (pair_new(p, false) == 0) {
		struct sreq r = { .ifindex = ifindex, .fd = p->sfd,
				  .ip4 = "10.200.0.2" };
		uint8_t junk[64] = { 23, 3, 3, 0, 59 };

		if (check(!session_new(nl, &r, &id), "session on a pair")) {
			memset(junk + 5, 0xa5, sizeof(junk) - 5);
			check(write(p->cfd, junk, sizeof(junk)) ==
			      sizeof(junk), "the peer writes a forged record");
			check(ends_with(nl, id, SSTP_DEL_REASON_TLS_ERROR,
					TIMEOUT_MS),
			      "a record that fails to decrypt ends the session");
		}
		pair_close(p);
	}
	if (attach(nl, ifindex, p, "10.200.0.2", NULL, -1, &id) == 0) {
		struct linger l = { 1, 0 };

		setsockopt(p->cfd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		close(p->cfd);
		p->cfd = -1;
		check(ends_with(nl, id, SSTP_DEL_REASON_TRANSPORT_ERROR,
				TIMEOUT_MS),
		      "peer resets the connection: session ends (transport-error)");
		pair_close(p);
	}

	/* The owner's netlink socket closes: its sessions go, others stay. */
	pid = fork();
	if (pid == 0) {
		struct nl own;
		struct peer *cp = peer_alloc();
		uint32_t cid;

		if (nl_open(&own) || attach(&own, ifindex, cp, "10.200.0.5",
					    NULL, -1, &cid))
			_exit(1);
		printf("# child attached session %u\n", cid);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	check(WIFEXITED(st) && !WEXITSTATUS(st), "a child process attached a session");
	{
		long long end = now_ms() + TIMEOUT_MS;
		int n;

		while ((n = session_dump(nl, ifindex, false)) > 0 &&
		       now_ms() < end)
			usleep(50000);
		check(n == 0, "its session ended when the child exited");
	}
	check(wait_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, 0, 300) == NULL,
	      "no notification reaches another socket");
	free(p);
	return finish();
}

/* One session, one kind of bad input; returns the session's del reason. */
static int bad_input(struct nl *nl, uint32_t ifindex, const void *data,
		     size_t len, bool close_after, uint32_t *id_out)
{
	struct peer *p = peer_alloc();
	struct ntf *n;
	uint32_t id;
	int reason = -1;

	if (attach(nl, ifindex, p, "10.200.0.20", NULL, -1, &id)) {
		free(p);
		return -2;
	}
	peer_write(p, data, len);
	if (close_after) {
		close(p->cfd);
		p->cfd = -1;
	}
	n = wait_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, id,
		     close_after ? TIMEOUT_MS : 600);
	if (n) {
		reason = n->s.reason;
		free(n);
	} else if (id_out) {
		*id_out = id;
		/* Still alive: prove it works, then end it. */
		reason = sstp_echo(p) ? 0 : -3;
		session_del(nl, ifindex, id);
		drop_ntfs(nl, SSTP_CMD_SESSION_DEL_NTF, id);
	} else {
		session_del(nl, ifindex, id);
		drop_ntfs(nl, SSTP_CMD_SESSION_DEL_NTF, id);
	}
	drop_ntfs(nl, SSTP_CMD_SESSION_RECV_NTF, id);
	pair_close(p);
	free(p);
	return reason;
}

/* Valid SSTP framing around random PPP frames, IP packets and controls. */
static size_t fuzz_frames(uint8_t *buf, size_t room, unsigned int *seed)
{
	static const uint16_t protos[] = { 0x21, 0x57, 0xc021, 0x8021, 0x1234 };
	size_t len = 0, plen, k, off;
	uint16_t proto;

	while (len + 4100 < room) {
		plen = SSTP_HDR_LEN + rand_r(seed) % (rand_r(seed) % 8 ? 200 : 4092);
		for (k = 0; k < plen; k++)
			buf[len + k] = rand_r(seed);
		sstp_hdr_put(buf + len, rand_r(seed) % 4 == 0, plen);
		off = len + SSTP_HDR_LEN;
		if (!(buf[len + 1] & SSTP_FLAG_CONTROL) && plen >= off - len + 24) {
			if (rand_r(seed) & 1) {
				buf[off++] = 0xff;
				buf[off++] = 0x03;
			}
			proto = protos[rand_r(seed) % 5];
			if (proto < 0x100 && rand_r(seed) & 1) {
				buf[off++] = proto;
			} else {
				put16(buf + off, proto);
				off += 2;
			}
			if (proto == 0x21 && rand_r(seed) % 3) {
				/* Often a plausible IPv4 header from the peer. */
				buf[off] = 0x45;
				put16(buf + off + 2, len + plen - off -
				      rand_r(seed) % 3);
				inet_pton(AF_INET, "10.200.0.20", buf + off + 12);
			}
		}
		len += plen;
	}
	return len;
}

static int scenario_malformed(struct nl *nl, uint32_t ifindex, unsigned int rounds)
{
	static uint8_t buf[1 << 17];
	uint8_t ip[64];
	unsigned int i, k, seed = 7, ended = 0, alive = 0;
	size_t len;
	uint32_t id;
	int r;

	memcpy(buf, "\x11\x00\x00\x08\x00\x08\x00\x00", 8);
	check(bad_input(nl, ifindex, buf, 8, false, NULL) ==
	      SSTP_DEL_REASON_PROTOCOL_ERROR, "a wrong SSTP version ends the session");
	memcpy(buf, "\x10\x00\x00\x02\x00\x00", 6);
	check(bad_input(nl, ifindex, buf, 6, false, NULL) ==
	      SSTP_DEL_REASON_PROTOCOL_ERROR, "a length below 4 ends the session");
	memcpy(buf, "\x10\x00\x00\x64\xff\x03\x00\x21\x45\x00", 10);
	check(bad_input(nl, ifindex, buf, 10, true, NULL) ==
	      SSTP_DEL_REASON_PEER_CLOSED, "a truncated packet before EOF");

	memcpy(buf, "\x10\x00\x00\x04", 4);
	r = bad_input(nl, ifindex, buf, 4, false, &id);
	check(r == 0, "an empty data packet is dropped, the session lives");
	memcpy(buf, "\x10\x00\x00\x08\xff\x03\x00\x21", 8);
	check(bad_input(nl, ifindex, buf, 8, false, &id) == 0,
	      "an IPv4 frame without a header is dropped");
	len = ip4_echo(ip, "10.200.0.20", GW4, 8, 1, 8);
	ip[3] += 50;
	len = sstp_data(buf, 0x21, ip, len);
	check(bad_input(nl, ifindex, buf, len, false, &id) == 0,
	      "an IPv4 length beyond the frame is dropped");
	len = ip4_echo(ip, "10.200.0.20", GW4, 8, 1, 8);
	len = sstp_data(buf, 0x57, ip, len);
	check(bad_input(nl, ifindex, buf, len, false, &id) == 0,
	      "IPv6 on a session without an IPv6 address is dropped");
	memcpy(buf, "\x10\x00\x00\x07\xff\x03\x80", 7);
	check(bad_input(nl, ifindex, buf, 7, false, &id) == 0,
	      "a frame cut inside its protocol field is dropped");

	/* Far more frames for the gateway than it may get. */
	for (len = 0, i = 0; i < 6000; i++)
		len += sstp_ctrl(buf + len, SSTP_MSG_CALL_ABORT);
	check(bad_input(nl, ifindex, buf, len, false, NULL) ==
	      SSTP_DEL_REASON_CTRL_FLOOD, "a flood of control frames ends the session");
	for (len = 0, i = 0; i < 100; i++)
		len += sstp_ctrl(buf + len, SSTP_MSG_CALL_ABORT);
	check(bad_input(nl, ifindex, buf, len, false, &id) == 0,
	      "a burst of control frames is limited, the session lives");

	/* Random bytes, random lengths, some with a valid header. */
	for (i = 0; i < rounds; i++) {
		len = 1 + rand_r(&seed) % sizeof(buf);
		for (k = 0; k < len; k++)
			buf[k] = rand_r(&seed);
		if (i & 1) {
			buf[0] = SSTP_VERSION;
			buf[1] = rand_r(&seed) & 1;
		}
		r = bad_input(nl, ifindex, buf, len, i % 3 == 0, NULL);
		if (r > 0)
			ended++;
		else if (r == -1)
			alive++;
	}
	note("random input: %u sessions ended, %u survived", ended, alive);
	check(ended + alive == rounds, "%u sessions fed random bytes", rounds);

	/* Well-framed packets with random PPP and IP inside: all survive. */
	for (i = 0, alive = 0; i < rounds; i++) {
		len = fuzz_frames(buf, 60000, &seed);
		if (bad_input(nl, ifindex, buf, len, false, &id) == 0)
			alive++;
	}
	check(alive == rounds,
	      "%u sessions fed well-framed random packets live on (%u)",
	      rounds, alive);
	check(session_dump(nl, ifindex, false) == 0, "no sessions left");
	return finish();
}

/* One worker of the churn scenario: attach, use, end in some way; repeat. */
static int churn_worker(uint32_t ifindex, unsigned int w, unsigned int rounds)
{
	struct peer *p = peer_alloc();
	unsigned int i, seed = 1000 + w, bad = 0, want;
	uint8_t pkt[256];
	char a4[32];
	struct nl nl;
	uint32_t id;

	if (nl_open(&nl))
		return 1;
	for (i = 0; i < rounds; i++) {
		snprintf(a4, sizeof(a4), "10.200.%u.%u", 200 + w, 1 + i % 250);
		if (attach(&nl, ifindex, p, a4, NULL, -1, &id)) {
			bad++;
			continue;
		}
		switch (rand_r(&seed) % 5) {
		case 0:
			session_del(&nl, ifindex, id);
			want = SSTP_DEL_REASON_USERSPACE;
			break;
		case 1:
			close(p->cfd);
			p->cfd = -1;
			want = SSTP_DEL_REASON_PEER_CLOSED;
			break;
		case 2:
			memset(pkt, 0x5a, 16);
			peer_write(p, pkt, 16);
			want = SSTP_DEL_REASON_PROTOCOL_ERROR;
			break;
		case 3:
			if (!ping_gw(p, a4, false, i))
				bad++;
			session_del(&nl, ifindex, id);
			want = SSTP_DEL_REASON_USERSPACE;
			break;
		default:
			/* Left to its owner's exit. */
			pair_close(p);
			continue;
		}
		if (!ends_with(&nl, id, want, TIMEOUT_MS))
			bad++;
		pair_close(p);
	}
	free(p);
	return bad ? 1 : 0;
}

/* Workers with sockets of their own attach and end sessions at once. */
static int scenario_churn(uint32_t ifindex, unsigned int rounds)
{
	unsigned int w, ok_workers = 0;
	pid_t pid[4];
	int st;

	for (w = 0; w < 4; w++) {
		pid[w] = fork();
		if (pid[w] == 0)
			_exit(churn_worker(ifindex, w, rounds));
	}
	for (w = 0; w < 4; w++)
		if (waitpid(pid[w], &st, 0) == pid[w] && WIFEXITED(st) &&
		    !WEXITSTATUS(st))
			ok_workers++;
	check(ok_workers == 4,
	      "4 workers x %u sessions, each ending as expected (%u workers ok)",
	      rounds, ok_workers);
	return 0;
}

static int read_param(const char *name)
{
	char path[128];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "/sys/module/sstp/parameters/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

static int scenario_many(struct nl *nl, uint32_t ifindex, unsigned int count)
{
	struct peer **p = calloc(count, sizeof(*p));
	uint32_t *id = calloc(count, sizeof(*id));
	unsigned int i, up = 0, echoed = 0, pinged = 0, gone = 0;
	long long t0 = now_ms();
	char a4[32];
	struct ntf *n;
	int objects;

	for (i = 0; i < count; i++) {
		p[i] = peer_alloc();
		snprintf(a4, sizeof(a4), "10.200.%u.%u", 1 + i / 250, 1 + i % 250);
		if (!attach(nl, ifindex, p[i], a4, NULL, -1, &id[i]))
			up++;
		else
			id[i] = 0;
	}
	note("%u sessions attached in %lld ms", up, now_ms() - t0);
	check(up == count, "%u sessions attached", count);
	check(session_dump(nl, ifindex, false) == (int)up,
	      "the dump lists all of them");
	for (i = 0; i < count; i++) {
		if (!id[i])
			continue;
		if (sstp_echo(p[i]))
			echoed++;
		snprintf(a4, sizeof(a4), "10.200.%u.%u", 1 + i / 250, 1 + i % 250);
		if (i % 10 == 0 && ping_gw(p[i], a4, false, i))
			pinged++;
	}
	check(echoed == up, "every session answers SSTP echo (%u)", echoed);
	check(pinged == (up + 9) / 10, "every tenth session pings (%u)", pinged);

	for (i = 0; i < count; i++) {
		if (!id[i])
			continue;
		if (i & 1) {
			session_del(nl, ifindex, id[i]);
		} else {
			close(p[i]->cfd);
			p[i]->cfd = -1;
		}
	}
	for (i = 0; i < count; i++) {
		if (!id[i])
			continue;
		n = wait_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, id[i], TIMEOUT_MS);
		if (n && n->s.reason == ((i & 1) ? SSTP_DEL_REASON_USERSPACE :
					 SSTP_DEL_REASON_PEER_CLOSED))
			gone++;
		free(n);
		pair_close(p[i]);
		free(p[i]);
	}
	check(gone == up, "all ended: half deleted, half closed by the peer (%u)",
	      gone);
	check(session_dump(nl, ifindex, false) == 0, "the dump is empty");
	objects = read_param("debug_sessions");
	if (objects >= 0)
		check(objects == 0, "no session objects left (%d)", objects);
	else
		note("debug_sessions not available (not a debug build)");
	free(p);
	free(id);
	return finish();
}

/* ------------------------------------------------------------ hardening */

/*
 * Run as root of a user namespace of its own, in a network namespace of
 * its own (unshare -U -r -n, loopback up): every command is refused with
 * EPERM. ifindex is a device of that namespace to aim at (loopback); where
 * dev-new wrongly succeeds, its device is used instead, so that a module
 * that lets such a caller in shows it all the way to a live session.
 */
static int scenario_unpriv(struct nl *nl, uint32_t ifindex)
{
	struct sreq r = { .ip4 = "10.200.9.1" };
	struct peer *p = peer_alloc();
	struct nlmsghdr *nlh;
	struct devinfo d;
	uint8_t pkt[SSTP_LEN_SIMPLE];
	uint32_t id = 0;
	int err;

	err = dev_new(nl, "sstpx0", &d);
	check(err == -EPERM, "dev-new refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	if (!err && d.ifindex)
		ifindex = d.ifindex;
	r.ifindex = ifindex;

	err = dev_cmd(nl, SSTP_CMD_DEV_GET, ifindex, &d);
	check(err == -EPERM, "dev-get refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	memset(&d, 0, sizeof(d));
	nlh = msg_start(nl, reqbuf, SSTP_CMD_DEV_GET, NLM_F_DUMP);
	err = nl_talk(nl, nlh, dev_reply, &d);
	check(err == -EPERM, "dev-get dump refused with EPERM (%s, %u devices)",
	      err ? strerror(-err) : "accepted", d.n);

	if (pair_new(p, true)) {
		check(false, "a kernel TLS pair in the namespace");
		free(p);
		return finish();
	}
	r.fd = p->sfd;
	err = session_new(nl, &r, &id);
	check(err == -EPERM, "session-new with a kernel TLS socket refused with EPERM (%s%s%s)",
	      err ? strerror(-err) : "accepted", nl->ext[0] ? ": " : "",
	      nl->ext);
	err = session_dump(nl, ifindex, false);
	check(err == -EPERM, "session-get dump refused with EPERM (%s)",
	      err < 0 ? strerror(-err) : "accepted");
	err = session_get(nl, ifindex, id ? id : 1, &(struct sess){ 0 });
	check(err == -EPERM, "session-get refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	sstp_ctrl(pkt, SSTP_MSG_ECHO_REQUEST);
	err = session_send(nl, ifindex, id ? id : 1, pkt, sizeof(pkt));
	check(err == -EPERM, "session-send refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	err = session_del(nl, ifindex, id ? id : 1);
	check(err == -EPERM, "session-del refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	err = dev_cmd(nl, SSTP_CMD_DEV_DEL, ifindex, NULL);
	check(err == -EPERM, "dev-del refused with EPERM (%s)",
	      err ? strerror(-err) : "accepted");
	pair_close(p);
	free(p);
	return finish();
}

static int dev_new_max(struct nl *nl, const char *name, uint32_t max,
		       struct devinfo *d)
{
	struct nlmsghdr *nlh;

	memset(d, 0, sizeof(*d));
	nlh = msg_start(nl, reqbuf, SSTP_CMD_DEV_NEW, 0);
	mnl_attr_put_strz(nlh, SSTP_A_IFNAME, name);
	mnl_attr_put_u32(nlh, SSTP_A_MAX_SESSIONS, max);
	return nl_talk(nl, nlh, dev_reply, d);
}

/* The device's session count as dev-get reports it, or -1. */
static int dev_sessions(struct nl *nl, uint32_t ifindex)
{
	struct devinfo d;

	if (dev_cmd(nl, SSTP_CMD_DEV_GET, ifindex, &d) || !d.has_n)
		return -1;
	return d.n_sessions;
}

/*
 * A device of its own with a limit of count sessions: count attach, one
 * more is refused with ENOSPC and a message, deleting one makes room.
 * ifindex is the main device, made with `ip link add` (the default limit).
 */
static int scenario_limit(struct nl *nl, uint32_t ifindex, unsigned int count)
{
	struct peer **p = calloc(count + 1, sizeof(*p));
	uint32_t *id = calloc(count + 1, sizeof(*id));
	unsigned int i, up = 0;
	struct devinfo d;
	struct ntf *ntf;
	uint32_t lim;
	long long end;
	char a4[32];
	int err, n;

	err = dev_cmd(nl, SSTP_CMD_DEV_GET, ifindex, &d);
	check(!err && d.max_sessions == 65536 && d.has_n,
	      "a device made with ip link add has the default limit (%u)",
	      d.max_sessions);
	/* The policy's range check answers ERANGE. */
	err = dev_new_max(nl, "sstpl0", 0, &d);
	expect_err(nl, err, ERANGE, "max-sessions 0");
	err = dev_new_max(nl, "sstpl0", 1048577, &d);
	expect_err(nl, err, ERANGE, "max-sessions 1048577");
	err = dev_new_max(nl, "sstpl0", count, &d);
	check(!err && d.max_sessions == count && d.has_n && !d.n_sessions,
	      "dev-new with max-sessions %u (%s: max %u, %u sessions)", count,
	      err ? strerror(-err) : "ok", d.max_sessions, d.n_sessions);
	if (err) {
		free(p);
		free(id);
		return finish();
	}
	lim = d.ifindex;
	for (i = 0; i <= count; i++)
		p[i] = peer_alloc();
	for (i = 0; i < count; i++) {
		snprintf(a4, sizeof(a4), "10.201.%u.%u", i / 250, 1 + i % 250);
		if (!attach(nl, lim, p[i], a4, NULL, -1, &id[i]))
			up++;
	}
	check(up == count, "%u sessions attached (%u)", count, up);
	n = dev_sessions(nl, lim);
	check(n == (int)count, "dev-get counts them (%d)", n);
	err = attach(nl, lim, p[count], "10.201.255.1", NULL, -1, &id[count]);
	check(err == -ENOSPC && strstr(nl->ext, "session limit"),
	      "session %u refused with ENOSPC and a message (%s: %s)",
	      count + 1, err ? strerror(-err) : "accepted", nl->ext);
	if (!err)
		session_del(nl, lim, id[count]);
	check(!session_del(nl, lim, id[0]), "session-del of one");
	n = dev_sessions(nl, lim);
	check(n == (int)count - 1, "dev-get counts one fewer (%d)", n);
	pair_close(p[0]);
	err = attach(nl, lim, p[count], "10.201.255.1", NULL, -1, &id[count]);
	check(!err, "then another attaches (%s)", err ? strerror(-err) : "ok");
	n = dev_sessions(nl, lim);
	check(n == (int)count, "dev-get counts %u again (%d)", count, n);
	/* As a gateway does: a session ends, its slot is taken at once. */
	pair_close(p[1]);
	ntf = wait_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, id[1], TIMEOUT_MS);
	n = dev_sessions(nl, lim);
	check(ntf && n == (int)count - 1,
	      "when the owner hears a session ended, its slot is free (%d)", n);
	free(ntf);
	err = attach(nl, lim, p[1], "10.201.255.2", NULL, -1, &id[1]);
	check(!err, "and another attaches right away (%s)",
	      err ? strerror(-err) : "ok");
	for (i = 1; i <= count; i++) {
		pair_close(p[i]);
		free(p[i]);
	}
	free(p[0]);
	/* The peers closed: the sessions end on their own. */
	end = now_ms() + TIMEOUT_MS;
	while ((n = dev_sessions(nl, lim)) > 0 && now_ms() < end)
		usleep(50000);
	check(n == 0, "the count goes back to 0 as the sessions end (%d)", n);
	check(!dev_cmd(nl, SSTP_CMD_DEV_DEL, lim, NULL), "dev-del");
	free(p);
	free(id);
	return finish();
}

/* memory.current of this process's cgroup (v2), or -1. */
static long long memcg_current(void)
{
	char line[512], path[640];
	long long v = -1;
	FILE *f;

	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -1;
	path[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof(path),
				 "/sys/fs/cgroup%s/memory.current", line + 3);
		}
	}
	fclose(f);
	if (!path[0])
		return -1;
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * Run inside a memory cgroup (v2): what count sessions allocate shows up in
 * the cgroup's memory.current. The socket pairs are made first, so that
 * only session-new falls between the two readings; each session holds at
 * least its 16 KiB transmit buffer.
 */
static int scenario_account(struct nl *nl, uint32_t ifindex,
			    unsigned int count)
{
	struct peer **p = calloc(count, sizeof(*p));
	uint32_t *id = calloc(count, sizeof(*id));
	struct sreq r = { .ifindex = ifindex };
	long long before, after, per;
	unsigned int i, made = 0, up = 0;
	char a4[32];

	for (i = 0; i < count; i++) {
		p[i] = peer_alloc();
		if (!pair_new(p[i], true))
			made++;
	}
	check(made == count, "%u kernel TLS pairs (%u)", count, made);
	before = memcg_current();
	for (i = 0; i < count; i++) {
		if (p[i]->sfd < 0)
			continue;
		snprintf(a4, sizeof(a4), "10.202.%u.%u", i / 250, 1 + i % 250);
		r.ip4 = a4;
		r.fd = p[i]->sfd;
		if (!session_new(nl, &r, &id[i]))
			up++;
	}
	after = memcg_current();
	check(up == made, "%u sessions attached (%u)", made, up);
	per = up ? (after - before) / (long long)up : 0;
	note("memory.current %lld -> %lld: %lld bytes a session", before,
	     after, per);
	/* Charges are batched (up to 256 KiB a CPU): 12 KiB of slack. */
	check(before >= 0 && per >= 12288,
	      "sessions are charged to the creator's memory cgroup (%lld bytes each)",
	      per);
	for (i = 0; i < count; i++) {
		if (id[i])
			session_del(nl, ifindex, id[i]);
		pair_close(p[i]);
		free(p[i]);
	}
	free(p);
	free(id);
	return finish();
}

/* Udp/Tcp InCsumErrors from /proc/net/snmp, or -1. */
static long long snmp_csum_errors(const char *proto)
{
	char names[1024], vals[1024], *n, *v, *sn, *sv;
	size_t plen = strlen(proto);
	long long r = -1;
	FILE *f = fopen("/proc/net/snmp", "r");

	if (!f)
		return -1;
	while (fgets(names, sizeof(names), f) && fgets(vals, sizeof(vals), f)) {
		if (strncmp(names, proto, plen) || names[plen] != ':')
			continue;
		n = strtok_r(names + plen + 1, " \n", &sn);
		v = strtok_r(vals + plen + 1, " \n", &sv);
		while (n && v) {
			if (!strcmp(n, "InCsumErrors"))
				r = atoll(v);
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
		break;
	}
	fclose(f);
	return r;
}

/* Udp6InCsumErrors from /proc/net/snmp6, or -1. */
static long long snmp6_udp_csum_errors(void)
{
	char line[256];
	long long r = -1;
	FILE *f = fopen("/proc/net/snmp6", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Udp6InCsumErrors %lld", &r) == 1)
			break;
	fclose(f);
	return r;
}

/* IPv6 + UDP from src:sport to dst:dport; its length. */
static size_t ip6_udp(uint8_t *p, const char *src, const char *dst,
		      uint16_t sport, uint16_t dport, const char *data,
		      bool bad_csum)
{
	size_t l4 = 8 + strlen(data);
	uint32_t sum;
	uint16_t cs;

	memset(p, 0, 40 + l4);
	p[0] = 0x60;
	put16(p + 4, l4);
	p[6] = IPPROTO_UDP;
	p[7] = 64;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	put16(p + 40, sport);
	put16(p + 42, dport);
	put16(p + 44, l4);
	memcpy(p + 48, data, strlen(data));
	sum = csum_add(p + 8, 32, 0) + l4 + IPPROTO_UDP;
	cs = csum_fold(csum_add(p + 40, l4, sum));
	if (!cs)
		cs = 0xffff;
	if (bad_csum)
		cs = cs == 0x5a5a ? 0xa5a5 : 0x5a5a;
	put16(p + 46, cs);
	return 40 + l4;
}

/* IPv4 + UDP or TCP (a SYN) from src:sport to dst:dport; its length. */
static size_t ip4_l4(uint8_t *p, uint8_t proto, const char *src,
		     const char *dst, uint16_t sport, uint16_t dport,
		     const char *data, bool bad_csum)
{
	size_t l4 = proto == IPPROTO_UDP ? 8 + strlen(data) : 20;
	size_t len = 20 + l4, csoff;
	uint32_t sum;
	uint16_t cs;

	memset(p, 0, len);
	p[0] = 0x45;
	put16(p + 2, len);
	p[8] = 64;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	put16(p + 10, csum_fold(csum_add(p, 20, 0)));
	put16(p + 20, sport);
	put16(p + 22, dport);
	if (proto == IPPROTO_UDP) {
		put16(p + 24, l4);
		memcpy(p + 28, data, strlen(data));
		csoff = 26;
	} else {
		put16(p + 24, 0x1234);		/* sequence number */
		p[32] = 5 << 4;			/* data offset */
		p[33] = 0x02;			/* SYN */
		put16(p + 34, 65535);		/* window */
		csoff = 36;
	}
	sum = csum_add(p + 12, 8, 0) + proto + l4;
	cs = csum_fold(csum_add(p + 20, l4, sum));
	if (proto == IPPROTO_UDP && !cs)
		cs = 0xffff;
	/* Wrong, and not 0 (no checksum at all, for UDP). */
	if (bad_csum)
		cs = cs == 0x5a5a ? 0xa5a5 : 0x5a5a;
	put16(p + csoff, cs);
	return len;
}

/* A TCP segment with SYN and ACK from dport in what the peer reads. */
static bool peer_sees_synack(struct peer *p, uint16_t dport, int ms)
{
	long long end = now_ms() + ms;
	uint8_t pkt[SSTP_MAX_PACKET];
	const uint8_t *ip;
	uint16_t proto;
	size_t len, iplen;
	int left;

	while ((left = end - now_ms()) > 0) {
		if (peer_read(p, pkt, &len, left) <= 0)
			return false;
		ip = sstp_ip(pkt, len, &proto, &iplen, NULL);
		if (!ip || proto != SSTP_PPP_IP || iplen < 40 ||
		    ip[9] != IPPROTO_TCP)
			continue;
		ip += (ip[0] & 15) * 4;
		if ((ip[0] << 8 | ip[1]) == dport && (ip[13] & 0x12) == 0x12)
			return true;
	}
	return false;
}

/*
 * Inner checksums are the stack's to check: a UDP datagram and a TCP SYN
 * over IPv4 and a UDP datagram over IPv6 from the peer with a wrong
 * checksum are dropped and counted in InCsumErrors, the same with a right
 * one get through.
 */
static int scenario_csum(struct nl *nl, uint32_t ifindex)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct peer *p = peer_alloc();
	uint8_t ip[128], pkt[256];
	long long u0, u1, t0, t1;
	int ufd, tfd, u6fd, one = 1;
	uint32_t id;
	char buf[64];
	ssize_t n;
	size_t len;

	inet_pton(AF_INET, GW4, &sa.sin_addr);
	ufd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	sa.sin_port = htons(5551);
	if (ufd < 0 || bind(ufd, (void *)&sa, sizeof(sa)))
		die("udp socket on %s: %s", GW4, strerror(errno));
	tfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sa.sin_port = htons(5552);
	if (tfd < 0 || bind(tfd, (void *)&sa, sizeof(sa)) || listen(tfd, 4))
		die("tcp socket on %s: %s", GW4, strerror(errno));
	inet_pton(AF_INET6, GW6, &sa6.sin6_addr);
	sa6.sin6_port = htons(5553);
	u6fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (u6fd < 0 || bind(u6fd, (void *)&sa6, sizeof(sa6)))
		die("udp socket on %s: %s", GW6, strerror(errno));
	if (attach(nl, ifindex, p, "10.200.0.70", "fd00:200::70", -1, &id)) {
		check(false, "attach");
		close(ufd);
		close(tfd);
		close(u6fd);
		return finish();
	}

	u0 = snmp_csum_errors("Udp");
	len = ip4_l4(ip, IPPROTO_UDP, "10.200.0.70", GW4, 4444, 5551, "bad",
		     true);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IP, ip, len));
	usleep(300000);
	n = recv(ufd, buf, sizeof(buf), 0);
	u1 = snmp_csum_errors("Udp");
	check(n < 0, "a UDP datagram with a bad checksum is not delivered (%zd)",
	      n);
	check(u0 >= 0 && u1 == u0 + 1, "and counted in Udp InCsumErrors (%lld -> %lld)",
	      u0, u1);
	len = ip4_l4(ip, IPPROTO_UDP, "10.200.0.70", GW4, 4444, 5551, "good",
		     false);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IP, ip, len));
	usleep(300000);
	n = recv(ufd, buf, sizeof(buf), 0);
	check(n == 4 && !memcmp(buf, "good", 4),
	      "one with a right checksum is (%zd)", n);

	t0 = snmp_csum_errors("Tcp");
	len = ip4_l4(ip, IPPROTO_TCP, "10.200.0.70", GW4, 4445, 5552, "",
		     true);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IP, ip, len));
	check(!peer_sees_synack(p, 5552, 1000),
	      "a TCP SYN with a bad checksum gets no answer");
	t1 = snmp_csum_errors("Tcp");
	check(t0 >= 0 && t1 == t0 + 1, "and is counted in Tcp InCsumErrors (%lld -> %lld)",
	      t0, t1);
	len = ip4_l4(ip, IPPROTO_TCP, "10.200.0.70", GW4, 4446, 5552, "",
		     false);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IP, ip, len));
	check(peer_sees_synack(p, 5552, 3000),
	      "one with a right checksum gets a SYN-ACK");

	u0 = snmp6_udp_csum_errors();
	len = ip6_udp(ip, "fd00:200::70", GW6, 4447, 5553, "bad", true);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IPV6, ip, len));
	usleep(300000);
	n = recv(u6fd, buf, sizeof(buf), 0);
	u1 = snmp6_udp_csum_errors();
	check(n < 0, "an IPv6 UDP datagram with a bad checksum is not delivered (%zd)",
	      n);
	check(u0 >= 0 && u1 == u0 + 1,
	      "and counted in Udp6InCsumErrors (%lld -> %lld)", u0, u1);
	len = ip6_udp(ip, "fd00:200::70", GW6, 4447, 5553, "good", false);
	peer_write(p, pkt, sstp_data(pkt, SSTP_PPP_IPV6, ip, len));
	usleep(300000);
	n = recv(u6fd, buf, sizeof(buf), 0);
	check(n == 4 && !memcmp(buf, "good", 4),
	      "one with a right checksum is (%zd)", n);

	session_del(nl, ifindex, id);
	pair_close(p);
	free(p);
	close(ufd);
	close(tfd);
	close(u6fd);
	return finish();
}

/* ------------------------------------------------------------ serve, hold */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Turn an ICMP or ICMPv6 echo request into its reply, in place. */
static bool make_reply(uint8_t *ip, size_t len, uint16_t proto)
{
	uint8_t tmp[16];
	size_t hl;

	if (proto == 0x21 && len >= 28 && ip[9] == IPPROTO_ICMP) {
		hl = (ip[0] & 15) * 4;
		if (hl < 20 || len < hl + 8 || ip[hl] != 8)
			return false;
		memcpy(tmp, ip + 12, 4);
		memcpy(ip + 12, ip + 16, 4);
		memcpy(ip + 16, tmp, 4);
		ip[hl] = 0;
		put16(ip + hl + 2, 0);
		put16(ip + hl + 2, csum_fold(csum_add(ip + hl, len - hl, 0)));
		return true;
	}
	if (proto == 0x57 && len >= 48 && ip[6] == IPPROTO_ICMPV6 &&
	    ip[40] == 128) {
		memcpy(tmp, ip + 8, 16);
		memcpy(ip + 8, ip + 24, 16);
		memcpy(ip + 24, tmp, 16);
		ip[40] = 129;
		put16(ip + 42, 0);
		put16(ip + 42, icmp6_csum(ip, len - 40));
		return true;
	}
	return false;
}

static int cmd_serve(struct nl *nl, uint32_t ifindex, const char *ip4,
		     const char *ip6, bool any_source, int seconds)
{
	struct sreq rq = {
		.ifindex = ifindex, .ip4 = ip4, .ip6 = ip6,
		.any_source = any_source,
	};
	struct peer *p = peer_alloc();
	uint8_t pkt[SSTP_MAX_PACKET], out[SSTP_MAX_PACKET + 8];
	unsigned int replies = 0;
	long long end = now_ms() + seconds * 1000LL;
	size_t len, iplen;
	uint16_t proto;
	uint8_t *ip;
	uint32_t id;
	int r;

	if (attach_req(nl, p, &rq, &id))
		die("cannot attach a session");
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("ready %u\n", id);
	fflush(stdout);
	while (!stop && now_ms() < end) {
		r = peer_read(p, pkt, &len, 200);
		if (r < 0)
			break;
		if (!r)
			continue;
		ip = (uint8_t *)sstp_ip(pkt, len, &proto, &iplen, NULL);
		if (ip && make_reply(ip, iplen, proto)) {
			len = sstp_data(out, proto, ip, iplen);
			if (peer_write(p, out, len))
				replies++;
		}
		drop_ntfs(nl, SSTP_CMD_SESSION_RECV_NTF, 0);
	}
	printf("replies %u\n", replies);
	session_dump(nl, ifindex, true);
	session_del(nl, ifindex, id);
	pair_close(p);
	free(p);
	return 0;
}

/*
 * COUNT sessions kept busy (pings and echo requests from every peer) until
 * their device goes away, by ip link del or rmmod.
 */
static int cmd_hold(struct nl *nl, uint32_t ifindex, unsigned int count,
		    int seconds)
{
	struct peer **p = calloc(count, sizeof(*p));
	uint32_t *id = calloc(count, sizeof(*id));
	int *reason = calloc(count, sizeof(*reason));
	unsigned int i, up = 0, left, dev_gone = 0, closed = 0, seq = 0;
	long long end;
	uint8_t pkt[256], ip[128], junk[4096];
	char a4[32];
	struct ntf *n;
	size_t len;

	for (i = 0; i < count; i++) {
		p[i] = peer_alloc();
		snprintf(a4, sizeof(a4), "10.200.%u.%u", 100 + i / 250,
			 1 + i % 250);
		if (!attach(nl, ifindex, p[i], a4, NULL, -1, &id[i]))
			up++;
		reason[i] = id[i] ? -1 : 0;
	}
	check(up == count, "%u sessions attached and held", up);
	printf("ready\n");
	fflush(stdout);

	end = now_ms() + seconds * 1000LL;
	for (left = up; left && now_ms() < end; seq++) {
		for (i = 0; i < count; i++) {
			if (reason[i] >= 0)
				continue;
			snprintf(a4, sizeof(a4), "10.200.%u.%u", 100 + i / 250,
				 1 + i % 250);
			len = sstp_data(pkt, 0x21, ip,
					ip4_echo(ip, a4, GW4, 8, seq, 16));
			len += sstp_ctrl(pkt + len, SSTP_MSG_ECHO_REQUEST);
			send(p[i]->cfd, pkt, len, MSG_DONTWAIT);
			while (recv(p[i]->cfd, junk, sizeof(junk),
				    MSG_DONTWAIT) > 0)
				;
		}
		nl_pump(nl, 20);
		while ((n = take_ntf(nl, SSTP_CMD_SESSION_DEL_NTF, 0))) {
			for (i = 0; i < count; i++) {
				if (id[i] == n->s.id && reason[i] < 0) {
					reason[i] = n->s.reason;
					left--;
				}
			}
			free(n);
		}
		drop_ntfs(nl, SSTP_CMD_SESSION_RECV_NTF, 0);
	}
	for (i = 0; i < count; i++) {
		if (!id[i])
			continue;
		if (reason[i] == SSTP_DEL_REASON_DEV_DELETED)
			dev_gone++;
		if (peer_sees_end(p[i], 2000))
			closed++;
		pair_close(p[i]);
		free(p[i]);
	}
	check(dev_gone == up,
	      "every busy session ended with reason dev-deleted (%u)",
	      dev_gone);
	check(closed == up, "every connection was closed (%u)", closed);
	free(p);
	free(id);
	free(reason);
	return finish();
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sstp-kmod-test dev-new [NAME]\n"
		"       sstp-kmod-test dev-del DEV\n"
		"       sstp-kmod-test dev-list\n"
		"       sstp-kmod-test sessions DEV\n"
		"       sstp-kmod-test serve DEV IP4 [IP6] [any-source] [SECONDS]\n"
		"       sstp-kmod-test hold DEV COUNT SECONDS\n"
		"       sstp-kmod-test scenario NAME DEV [N]\n"
		"         NAME: api traffic client teardown malformed many churn\n"
		"               unpriv limit account csum\n");
}

int main(int argc, char **argv)
{
	struct devinfo d;
	struct nl nl;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2;
	}
	err = nl_open(&nl);
	if (err)
		die("generic netlink family %s: %s", SSTP_FAMILY_NAME,
		    nl.ext);

	if (!strcmp(argv[1], "dev-new")) {
		err = dev_new(&nl, argc > 2 ? argv[2] : NULL, &d);
		if (err)
			die("dev-new: %s (%s)", strerror(-err), nl.ext);
		printf("%u %s\n", d.ifindex, d.name);
		return 0;
	}
	if (!strcmp(argv[1], "dev-del") && argc == 3) {
		err = dev_cmd(&nl, SSTP_CMD_DEV_DEL, dev_index(argv[2]), NULL);
		if (err)
			die("dev-del: %s (%s)", strerror(-err), nl.ext);
		return 0;
	}
	if (!strcmp(argv[1], "dev-list")) {
		struct nlmsghdr *nlh;

		memset(&d, 0, sizeof(d));
		d.print = true;
		nlh = msg_start(&nl, reqbuf, SSTP_CMD_DEV_GET, NLM_F_DUMP);
		err = nl_talk(&nl, nlh, dev_reply, &d);
		if (err)
			die("dev-get: %s (%s)", strerror(-err), nl.ext);
		return 0;
	}
	if (!strcmp(argv[1], "sessions") && argc == 3) {
		err = session_dump(&nl, dev_index(argv[2]), true);
		if (err < 0)
			die("session-get: %s (%s)", strerror(-err), nl.ext);
		return 0;
	}

	tls_init();
	if (!strcmp(argv[1], "serve") && argc >= 4) {
		const char *ip6 = NULL;
		bool any_source = false;
		int i, seconds = 60;

		for (i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "any-source"))
				any_source = true;
			else if (strchr(argv[i], ':'))
				ip6 = argv[i];
			else
				seconds = atoi(argv[i]);
		}
		return cmd_serve(&nl, dev_index(argv[2]), argv[3], ip6,
				 any_source, seconds);
	}
	if (!strcmp(argv[1], "hold") && argc == 5)
		return cmd_hold(&nl, dev_index(argv[2]), atoi(argv[3]),
				atoi(argv[4]));
	if (!strcmp(argv[1], "scenario") && argc >= 4) {
		uint32_t ifindex = dev_index(argv[3]);
		unsigned int n = argc > 4 ? atoi(argv[4]) : 0;
		int rc = 1;

		if (!strcmp(argv[2], "api"))
			rc = scenario_api(&nl, ifindex);
		else if (!strcmp(argv[2], "traffic"))
			rc = scenario_traffic(&nl, ifindex);
		else if (!strcmp(argv[2], "client"))
			rc = scenario_client(&nl, ifindex);
		else if (!strcmp(argv[2], "teardown"))
			rc = scenario_teardown(&nl, ifindex);
		else if (!strcmp(argv[2], "malformed"))
			rc = scenario_malformed(&nl, ifindex, n ? n : 40);
		else if (!strcmp(argv[2], "unpriv"))
			rc = scenario_unpriv(&nl, ifindex);
		else if (!strcmp(argv[2], "limit"))
			rc = scenario_limit(&nl, ifindex, n ? n : 8);
		else if (!strcmp(argv[2], "account"))
			rc = scenario_account(&nl, ifindex, n ? n : 128);
		else if (!strcmp(argv[2], "csum"))
			rc = scenario_csum(&nl, ifindex);
		else if (!strcmp(argv[2], "many"))
			rc = scenario_many(&nl, ifindex, n ? n : 200);
		else if (!strcmp(argv[2], "churn")) {
			scenario_churn(ifindex, n ? n : 25);
			{
				long long end = now_ms() + TIMEOUT_MS;
				int left;

				while ((left = session_dump(&nl, ifindex, false)) > 0 &&
				       now_ms() < end)
					usleep(50000);
				check(left == 0, "no sessions left");
			}
			rc = finish();
		}
		else
			usage(stderr);
		if (nl.k.overrun)
			note("netlink socket overruns");
		nl_close(&nl);
		return rc;
	}
	usage(stderr);
	return 1;
}
