// SPDX-License-Identifier: GPL-2.0
/*
 * Test peer for tests/vm: completes a real SSTP session with the gateway
 * (TLS, HTTP, EAP-TLS, crypto binding, IPCP; the client state machine of
 * libsstp), then, when told to (SIGUSR1), writes one kind of malformed or
 * unwelcome input into the TLS stream and reports what the gateway did
 * about it. Also dumps the sessions sstp.ko holds on a device.
 *
 *   sstp-peer connect HOST:PORT --ca F --cert F --key F --inject MODE
 *             [--name N] [--tls 1.2|1.3] [--no-ktls] [--timeout S]
 *             [--nak-delay MS]
 *   sstp-peer sessions DEV
 *
 * MODE is one of
 *   none           nothing (a plain session)
 *   bad-version    an SSTP header with version 0x11
 *   short-length   an SSTP header declaring 2 bytes (below the header)
 *   truncated      a data packet declaring 4095 bytes, 1000 of them, then
 *                  the end of the stream (TCP FIN)
 *   unknown-proto  a PPP frame of an unassigned protocol (0x5a5b): the
 *                  gateway should answer LCP Protocol-Reject
 *   spoof          5 ICMP echo requests from a foreign source address
 *   ctrl-flood     4096 unsolicited SSTP ECHO_RESPONSE control packets
 *   ipcp-nak       no injection: while coming up, Nak every IPCP
 *                  Configure-Request of the gateway (with --nak-delay MS,
 *                  each MS after the request). The session must never come
 *                  up; passes when the gateway ends the connection
 *                  (NegotiationTimeout, or its PPP Nak bound)
 *
 * After the injection the peer sends ICMP echo requests to the gateway's
 * tunnel address. Modes that should end the session (bad-version,
 * short-length, truncated, ctrl-flood) pass when the gateway closes the
 * connection; the others when the session stays (pings answered; for
 * unknown-proto, the Protocol-Reject arrives) and, on SIGUSR2 or SIGTERM,
 * ends with an acknowledged CALL_DISCONNECT.
 *
 * Output on stdout, one event a line: "local ADDR:PORT", "up: ...",
 * "injected: ...", "ping: ...", "protocol-reject: 0xNNNN", "closed: ...",
 * and last "result: ok" or "result: failed: WHY". Exit status 0 when the
 * expectation of the mode was met, 1 when not, 2 on a setup error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/sstp.h>

#include "net/tls.h"
#include "nl/sstpnl.h"
#include "proto/ppp.h"
#include "proto/sstp.h"
#include "sstpctl/client.h"
#include "util/log.h"

#define UNKNOWN_PROTO	0x5a5bu
#define SPOOF_SOURCE	0x0a420001u	/* 10.66.0.1 */
#define SPOOF_COUNT	5
#define FLOOD_COUNT	4096
#define PINGS		3
#define CLOSE_WAIT_MS	30000
#define REPLY_WAIT_MS	15000
#define FINISH_WAIT_MS	180000
#define LCP_PROTREJ	8
#define LCP_TERMREQ	5
#define LCP_TERMACK	6

enum mode {
	M_NONE, M_BAD_VERSION, M_SHORT_LENGTH, M_TRUNCATED, M_UNKNOWN_PROTO,
	M_SPOOF, M_CTRL_FLOOD, M_IPCP_NAK,
};

static const char *const mode_names[] = {
	[M_NONE] = "none", [M_BAD_VERSION] = "bad-version",
	[M_SHORT_LENGTH] = "short-length", [M_TRUNCATED] = "truncated",
	[M_UNKNOWN_PROTO] = "unknown-proto", [M_SPOOF] = "spoof",
	[M_CTRL_FLOOD] = "ctrl-flood", [M_IPCP_NAK] = "ipcp-nak",
};

enum phase {
	P_CONNECTING,	/* the client state machine runs */
	P_UP,		/* we read the stream ourselves; waiting for SIGUSR1 */
	P_INJECTED,	/* watching what the gateway does */
	P_VERIFIED,	/* a session that stayed; waiting for SIGUSR2 */
	P_DISCONNECTING,	/* CALL_DISCONNECT sent */
	P_DONE,
};

struct peer {
	struct loop loop;
	struct client c;
	struct client_opts co;
	struct ev sig;
	enum mode mode;
	enum phase phase;
	bool closed;		/* the connection is gone */
	bool got_reject;
	uint16_t rejected;
	uint16_t ping_id, ping_seq;
	unsigned int ping_sent, ping_recv;
	uint64_t t_inject, deadline, next_ping;
	/* ipcp-nak: Naks sent, the one waiting for its time */
	unsigned int naks;
	unsigned int nak_delay;		/* ms */
	uint64_t t_start, t_first_nak, nak_due;
	bool nak_pending;
	uint8_t nak_id;
	int result;		/* exit status once P_DONE */
	char failure[256];
};

static void disconnect(struct peer *p);

static bool closes_session(enum mode m)
{
	return m == M_BAD_VERSION || m == M_SHORT_LENGTH ||
	       m == M_TRUNCATED || m == M_CTRL_FLOOD;
}

static void done(struct peer *p, int result, const char *why)
{
	if (p->phase == P_DONE)
		return;
	p->phase = P_DONE;
	p->result = result;
	if (result)
		printf("result: failed: %s\n", why);
	else
		printf("result: ok\n");
}

static void ip4s(uint32_t a, char *out)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, out, INET_ADDRSTRLEN);
}

static uint16_t csum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* An ICMP echo request of 84 bytes from src to the gateway. */
static size_t build_echo(struct peer *p, uint8_t *b, uint32_t src)
{
	const size_t n = 84;
	uint16_t ck;

	memset(b, 0, n);
	b[0] = 0x45;
	b[3] = (uint8_t)n;
	b[8] = 64;
	b[9] = 1;
	put32(b + 12, src);
	put32(b + 16, p->c.gateway);
	ck = csum(b, 20);
	b[10] = (uint8_t)(ck >> 8);
	b[11] = (uint8_t)ck;
	b[20] = 8;
	b[24] = (uint8_t)(p->ping_id >> 8);
	b[25] = (uint8_t)p->ping_id;
	p->ping_seq++;
	b[26] = (uint8_t)(p->ping_seq >> 8);
	b[27] = (uint8_t)p->ping_seq;
	memset(b + 28, 0x5a, n - 28);
	ck = csum(b + 20, n - 20);
	b[22] = (uint8_t)(ck >> 8);
	b[23] = (uint8_t)ck;
	return n;
}

static void flush(struct peer *p)
{
	if (!p->closed)
		client_flush(&p->c);
}

static void send_ping(struct peer *p)
{
	uint8_t b[84];

	if (!link_send_ppp(&p->c.link, PPP_PROTO_IP, b, build_echo(p, b, p->c.local)))
		p->ping_sent++;
	flush(p);
}

static void send_ctrl(struct peer *p, uint16_t type)
{
	uint8_t b[SSTP_LEN_SIMPLE];

	link_send_ctrl(&p->c.link, b, sstp_build_simple(b, type));
}

/* The connection is gone: judge the mode. */
static void connection_closed(struct peer *p, const char *why)
{
	char msg[300];

	if (p->closed)
		return;
	p->closed = true;
	if (p->c.state != CS_DONE) {
		loop_del(&p->loop, &p->c.ev);
		p->c.state = CS_DONE;
	}
	if (p->t_inject)
		printf("closed: %s (%llu ms after the injection)\n", why,
		       (unsigned long long)(now_ms() - p->t_inject));
	else
		printf("closed: %s\n", why);
	switch (p->phase) {
	case P_INJECTED:
		if (closes_session(p->mode)) {
			done(p, 0, NULL);
			return;
		}
		snprintf(msg, sizeof(msg),
			 "the gateway ended the session after %s: %s",
			 mode_names[p->mode], why);
		done(p, 1, msg);
		return;
	case P_DISCONNECTING:
		if (p->failure[0])
			done(p, 1, p->failure);
		else
			done(p, 0, NULL);
		return;
	default:
		snprintf(msg, sizeof(msg), "connection closed before %s: %s",
			 p->phase == P_UP ? "the injection" : "the end", why);
		done(p, 1, msg);
	}
}

static void got_ip(struct peer *p, const uint8_t *b, size_t n)
{
	if (n < 28 || (b[0] >> 4) != 4 || b[9] != 1)
		return;
	if (b[20] == 0 && (b[24] << 8 | b[25]) == p->ping_id)
		p->ping_recv++;
}

static void got_lcp(struct peer *p, const uint8_t *b, size_t n)
{
	uint8_t ack[4];

	if (n < 4)
		return;
	if (b[0] == LCP_PROTREJ && n >= 6) {
		p->got_reject = true;
		p->rejected = (uint16_t)(b[4] << 8 | b[5]);
		printf("protocol-reject: 0x%04x\n", p->rejected);
	} else if (b[0] == LCP_TERMREQ) {
		printf("lcp: Terminate-Request from the gateway\n");
		ack[0] = LCP_TERMACK;
		ack[1] = b[1];
		ack[2] = 0;
		ack[3] = 4;
		link_send_ppp(&p->c.link, PPP_PROTO_LCP, ack, sizeof(ack));
	}
}

static void got_ctrl(struct peer *p, const uint8_t *b, size_t n)
{
	uint16_t type;

	if (n < SSTP_CTRL_HDR_LEN)
		return;
	type = (uint16_t)(b[4] << 8 | b[5]);
	switch (type) {
	case SSTP_MSG_ECHO_REQUEST:
		send_ctrl(p, SSTP_MSG_ECHO_RESPONSE);
		return;
	case SSTP_MSG_ECHO_RESPONSE:
		return;
	case SSTP_MSG_CALL_DISCONNECT_ACK:
		if (p->phase == P_DISCONNECTING) {
			printf("disconnect acknowledged\n");
			flush(p);
			connection_closed(p, "disconnect acknowledged");
		}
		return;
	case SSTP_MSG_CALL_DISCONNECT:
		send_ctrl(p, SSTP_MSG_CALL_DISCONNECT_ACK);
		flush(p);
		printf("gateway: %s\n", sstp_msg_name(type));
		connection_closed(p, "gateway disconnected");
		return;
	default:
		printf("gateway: %s\n", sstp_msg_name(type));
		if (type == SSTP_MSG_CALL_ABORT)
			connection_closed(p, "gateway aborted the call");
	}
}

static void got_packet(struct peer *p, const uint8_t *b, size_t n,
		       bool control)
{
	uint16_t proto;
	int hl;

	if (control) {
		got_ctrl(p, b, n);
		return;
	}
	hl = ppp_frame_decode(b + SSTP_HDR_LEN, n - SSTP_HDR_LEN, &proto);
	if (hl < 0)
		return;
	b += SSTP_HDR_LEN + (size_t)hl;
	n -= SSTP_HDR_LEN + (size_t)hl;
	if (proto == PPP_PROTO_IP)
		got_ip(p, b, n);
	else if (proto == PPP_PROTO_LCP)
		got_lcp(p, b, n);
}

/* Once up, the stream is ours: read, de-frame, dispatch. */
static void peer_read(struct peer *p)
{
	while (!p->closed) {
		uint8_t *buf;
		ssize_t n = link_read(&p->c.link, &buf, LINK_SCRATCH);
		size_t off = 0;

		if (n < 0) {
			connection_closed(p, "connection closed by the gateway");
			return;
		}
		if (n == 0)
			break;
		while (off < (size_t)n && !p->closed) {
			bool control;
			size_t plen;
			int r = sstp_frame_peek(buf + off, (size_t)n - off,
						&control, &plen);

			if (r < 0) {
				connection_closed(p, "invalid SSTP framing from the gateway");
				return;
			}
			if (r == 0 || plen > (size_t)n - off)
				break;
			got_packet(p, buf + off, plen, control);
			off += plen;
		}
		if (!p->closed && off < (size_t)n &&
		    link_keep(&p->c.link, buf + off, (size_t)n - off)) {
			connection_closed(p, "cannot keep a partial packet");
			return;
		}
	}
	flush(p);
}

static void peer_ev(struct ev *ev, uint32_t events)
{
	struct peer *p = (struct peer *)((char *)ev - offsetof(struct peer, c));

	(void)events;
	peer_read(p);
}

static void up_cb(struct client *c)
{
	struct peer *p = c->owner;
	char l[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];

	ip4s(c->local, l);
	ip4s(c->gateway, g);
	printf("up: address %s gateway %s tls %s path %s\n", l, g,
	       SSL_get_version(c->link.ssl), link_path(&c->link));
	/* From here on the stream is read by peer_read(). */
	c->ev.cb = peer_ev;
	p->phase = P_UP;
	p->deadline = now_ms() + FINISH_WAIT_MS;
	if (p->mode == M_IPCP_NAK) {
		snprintf(p->failure, sizeof(p->failure),
			 "the session came up although IPCP was Nak'ed");
		disconnect(p);
	}
}

static void down_cb(struct client *c, const char *why)
{
	struct peer *p = c->owner;

	if (p->phase == P_CONNECTING && p->mode == M_IPCP_NAK) {
		uint64_t now = now_ms();

		printf("closed: %s (%llu ms after connecting, %u Naks sent, "
		       "the first %llu ms before)\n", why,
		       (unsigned long long)(now - p->t_start), p->naks,
		       (unsigned long long)(p->naks ? now - p->t_first_nak :
					    0));
		p->closed = true;
		if (p->naks)
			done(p, 0, NULL);
		else
			done(p, 1, "the session ended before any IPCP Nak");
		return;
	}
	if (p->phase == P_CONNECTING) {
		printf("down: %s\n", why);
		p->closed = true;
		p->phase = P_DONE;
		p->result = 2;
		printf("result: failed: the session did not come up: %s\n", why);
		return;
	}
	connection_closed(p, why);
}

static void ip_cb(struct client *c, const uint8_t *b, size_t n)
{
	got_ip(c->owner, b, n);
}

/* ipcp-nak: Nak the gateway's address with one it will never take. */
static void send_nak(struct peer *p)
{
	static const uint8_t opt[] = { 3, 6, 10, 66, 0, 9 };
	uint8_t b[4 + sizeof(opt)];

	p->nak_pending = false;
	if (p->closed)
		return;
	b[0] = 3;	/* Configure-Nak */
	b[1] = p->nak_id;
	b[2] = 0;
	b[3] = sizeof(b);
	memcpy(b + 4, opt, sizeof(opt));
	if (link_send_ppp(&p->c.link, PPP_PROTO_IPCP, b, sizeof(b)))
		return;
	if (!p->naks++)
		p->t_first_nak = now_ms();
	client_flush(&p->c);
}

static bool ppp_in_cb(struct client *c, uint16_t proto, const uint8_t *b,
		      size_t n)
{
	struct peer *p = c->owner;

	if (p->mode != M_IPCP_NAK || proto != PPP_PROTO_IPCP || n < 4 ||
	    b[0] != 1)
		return false;
	/* The gateway's Configure-Request: Nak it (now or later). */
	p->nak_id = b[1];
	p->nak_pending = true;
	p->nak_due = now_ms() + p->nak_delay;
	if (!p->nak_delay)
		send_nak(p);
	return true;
}

static const struct client_ops peer_ops = {
	.up = up_cb, .down = down_cb, .ip = ip_cb, .ppp_in = ppp_in_cb,
};

static int queue_raw(struct peer *p, const void *b, size_t n)
{
	int ret = link_send_raw(&p->c.link, b, n);

	if (ret)
		printf("injected: nothing, the transmit queue is full\n");
	return ret;
}

static void inject(struct peer *p)
{
	uint8_t b[4096];
	size_t n = 0, i;

	memset(b, 0, sizeof(b));
	switch (p->mode) {
	case M_NONE:
	case M_IPCP_NAK:	/* never up: nothing to inject */
		break;
	case M_BAD_VERSION:
		/* A well-formed echo request but for the version. */
		sstp_build_simple(b, SSTP_MSG_ECHO_REQUEST);
		b[0] = 0x11;
		n = SSTP_LEN_SIMPLE;
		break;
	case M_SHORT_LENGTH:
		sstp_hdr_put(b, 0, 2);
		n = 8;
		break;
	case M_TRUNCATED:
		sstp_hdr_put(b, 0, SSTP_MAX_PACKET);
		b[4] = 0xff;
		b[5] = 0x03;
		b[6] = 0x00;
		b[7] = 0x21;
		memset(b + 8, 0x45, 992);
		n = 1000;
		break;
	case M_UNKNOWN_PROTO:
		memset(b, 0xa5, 64);
		if (link_send_ppp(&p->c.link, UNKNOWN_PROTO, b, 64))
			return;
		n = 0;
		break;
	case M_SPOOF:
		for (i = 0; i < SPOOF_COUNT; i++) {
			size_t len = build_echo(p, b, SPOOF_SOURCE);

			if (link_send_ppp(&p->c.link, PPP_PROTO_IP, b, len))
				return;
		}
		break;
	case M_CTRL_FLOOD:
		for (i = 0; i < FLOOD_COUNT; i++) {
			uint8_t m[SSTP_LEN_SIMPLE];

			if (queue_raw(p, m, sstp_build_simple(m,
					SSTP_MSG_ECHO_RESPONSE)))
				return;
		}
		break;
	}
	if (n && queue_raw(p, b, n))
		return;
	p->t_inject = now_ms();
	p->phase = P_INJECTED;
	p->deadline = p->t_inject + (closes_session(p->mode) ? CLOSE_WAIT_MS :
				     REPLY_WAIT_MS);
	flush(p);
	printf("injected: %s\n", mode_names[p->mode]);
	if (p->mode == M_TRUNCATED && !p->closed) {
		shutdown(p->c.link.fd, SHUT_WR);
		printf("injected: end of stream (FIN)\n");
	}
	if (!p->closed && !closes_session(p->mode))
		send_ping(p);
	p->next_ping = now_ms() + 300;
}

static void disconnect(struct peer *p)
{
	if (p->closed || p->phase >= P_DISCONNECTING)
		return;
	p->phase = P_DISCONNECTING;
	p->deadline = now_ms() + 10000;
	send_ctrl(p, SSTP_MSG_CALL_DISCONNECT);
	flush(p);
	printf("disconnecting\n");
}

/* After the injection: has the mode's expectation been met yet? */
static void check_injected(struct peer *p, uint64_t now)
{
	bool want_reject = p->mode == M_UNKNOWN_PROTO;

	if (closes_session(p->mode)) {
		if (now >= p->deadline)
			done(p, 1, "the gateway did not close the connection");
		return;
	}
	if (p->ping_recv >= PINGS && (!want_reject || p->got_reject)) {
		printf("ping: %u sent, %u received\n", p->ping_sent,
		       p->ping_recv);
		if (want_reject && p->rejected != UNKNOWN_PROTO)
			snprintf(p->failure, sizeof(p->failure),
				 "Protocol-Reject names 0x%04x, not 0x%04x",
				 p->rejected, UNKNOWN_PROTO);
		printf("verified: the session stays\n");
		p->phase = P_VERIFIED;
		p->deadline = now + FINISH_WAIT_MS;
		return;
	}
	if (now >= p->deadline) {
		printf("ping: %u sent, %u received\n", p->ping_sent,
		       p->ping_recv);
		snprintf(p->failure, sizeof(p->failure), "%s",
			 p->ping_recv < PINGS ?
			 "echo requests through the session went unanswered" :
			 "no LCP Protocol-Reject came back");
		disconnect(p);
		return;
	}
	if (now >= p->next_ping && p->ping_sent < PINGS * 4) {
		send_ping(p);
		p->next_ping = now + 300;
	}
}

static void on_signal(struct peer *p, int signo)
{
	if (signo == SIGUSR1 && p->phase == P_UP) {
		inject(p);
		return;
	}
	if (signo == SIGUSR1) {
		printf("ignored SIGUSR1 in this phase\n");
		return;
	}
	if (p->phase == P_CONNECTING) {
		done(p, 2, "interrupted before the session came up");
		return;
	}
	if (signo == SIGUSR2 && p->phase == P_INJECTED &&
	    !closes_session(p->mode))
		snprintf(p->failure, sizeof(p->failure),
			 "told to finish before the session was verified");
	if (signo == SIGUSR2 && p->mode == M_NONE && p->phase == P_UP)
		p->phase = P_VERIFIED;
	if (p->phase == P_UP)
		snprintf(p->failure, sizeof(p->failure),
			 "stopped before the injection");
	if (closes_session(p->mode) && p->phase == P_INJECTED) {
		done(p, 1, "the gateway did not close the connection");
		return;
	}
	disconnect(p);
}

static void tick(struct peer *p, uint64_t now)
{
	switch (p->phase) {
	case P_CONNECTING:
		if (p->nak_pending && now >= p->nak_due)
			send_nak(p);
		client_tick(&p->c, now);
		return;
	case P_INJECTED:
		check_injected(p, now);
		return;
	case P_UP:
	case P_VERIFIED:
		if (now >= p->deadline) {
			snprintf(p->failure, sizeof(p->failure),
				 "nobody told the peer to go on");
			disconnect(p);
		}
		return;
	case P_DISCONNECTING:
		if (now >= p->deadline) {
			printf("closed: no CALL_DISCONNECT_ACK\n");
			done(p, 1, p->failure[0] ? p->failure :
			     "the gateway did not acknowledge CALL_DISCONNECT");
		}
		return;
	case P_DONE:
		return;
	}
}

static int run(struct peer *p)
{
	uint64_t next_tick = 0;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	p->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	p->sig.cb = NULL;
	if (p->sig.fd < 0 || loop_add(&p->loop, &p->sig, EPOLLIN)) {
		fprintf(stderr, "sstp-peer: signalfd: %s\n", strerror(errno));
		return 2;
	}
	p->t_start = now_ms();
	ret = client_start(&p->c, &p->loop, &p->co, &peer_ops, p);
	if (ret) {
		fprintf(stderr, "sstp-peer: cannot connect: %s\n",
			strerror(-ret));
		return 2;
	}
	{
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char a[INET6_ADDRSTRLEN] = "?";

		if (!getsockname(p->c.link.fd, (struct sockaddr *)&ss, &sl) &&
		    ss.ss_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
			printf("local %s:%u\n", a, ntohs(sin->sin_port));
		}
	}
	while (p->phase != P_DONE) {
		struct epoll_event e[16];
		uint64_t now;
		int k, r;

		r = epoll_wait(p->loop.epfd, e, 16, p->c.more ? 0 : 50);
		for (k = 0; k < r; k++) {
			struct ev *ev = e[k].data.ptr;
			struct signalfd_siginfo si;

			if (ev != &p->sig) {
				ev->cb(ev, e[k].events);
				continue;
			}
			while (read(p->sig.fd, &si, sizeof(si)) == sizeof(si))
				on_signal(p, (int)si.ssi_signo);
		}
		if (p->phase == P_CONNECTING)
			client_more(&p->c);
		now = now_ms();
		if (p->phase == P_UP && p->c.more) {
			/* The client stopped reading at its budget. */
			p->c.more = false;
			peer_read(p);
		}
		if (now >= next_tick || p->phase == P_INJECTED) {
			tick(p, now);
			next_tick = now + 250;
		}
	}
	close(p->sig.fd);
	return p->result;
}

/* sessions DEV: the module's session dump. */

struct dump {
	unsigned int n;
};

static int session_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= SSTP_A_SESSION_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int top_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= SSTP_A_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static uint64_t attr_u64(const struct nlattr *a)
{
	if (!a)
		return 0;
	switch (mnl_attr_get_payload_len(a)) {
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	default:
		return 0;
	}
}

static int session_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[SSTP_A_MAX + 1] = { 0 };
	const struct nlattr *st[SSTP_A_SESSION_MAX + 1] = { 0 };
	struct dump *d = data;
	char ip[INET_ADDRSTRLEN] = "-";

	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), top_attr, tb);
	if (!tb[SSTP_A_SESSION])
		return MNL_CB_OK;
	mnl_attr_parse_nested(tb[SSTP_A_SESSION], session_attr, st);
	if (st[SSTP_A_SESSION_IPV4]) {
		uint32_t a = mnl_attr_get_u32(st[SSTP_A_SESSION_IPV4]);

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
	}
	d->n++;
	printf("session %llu ipv4 %s rx_packets %llu tx_packets %llu "
	       "rx_drop_rpf %llu rx_drop_ctrl %llu\n",
	       (unsigned long long)attr_u64(st[SSTP_A_SESSION_ID]), ip,
	       (unsigned long long)attr_u64(st[SSTP_A_SESSION_RX_PACKETS]),
	       (unsigned long long)attr_u64(st[SSTP_A_SESSION_TX_PACKETS]),
	       (unsigned long long)attr_u64(st[SSTP_A_SESSION_RX_DROP_RPF]),
	       (unsigned long long)attr_u64(st[SSTP_A_SESSION_RX_DROP_CTRL]));
	return MNL_CB_OK;
}

/* The dump goes through the library's client of the family (sstpnl). */
static int cmd_sessions(const char *dev)
{
	static const struct sstpnl_ops no_ops;
	char buf[4096], err[256], ext[256] = "";
	unsigned int ifindex = if_nametoindex(dev);
	struct dump d = { 0 };
	struct nlmsghdr *nlh;
	struct sstpnl k;
	int ret;

	if (!ifindex) {
		fprintf(stderr, "sstp-peer: no device %s\n", dev);
		return 2;
	}
	if (sstpnl_open(&k, &no_ops, NULL, err, sizeof(err))) {
		fprintf(stderr, "sstp-peer: %s\n", err);
		return 2;
	}
	nlh = sstpnl_msg_start(&k, buf, SSTP_CMD_SESSION_GET, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, SSTP_A_IFINDEX, ifindex);
	ret = sstpnl_request(&k, nlh, session_cb, &d, ext, sizeof(ext));
	sstpnl_close(&k);
	if (ret) {
		fprintf(stderr, "sstp-peer: session dump of %s: %s%s%s\n", dev,
			strerror(-ret), ext[0] ? ": " : "", ext);
		return 2;
	}
	printf("sessions: %u\n", d.n);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sstp-peer connect HOST:PORT --ca F --cert F --key F --inject MODE\n"
		"                 [--name N] [--tls 1.2|1.3] [--no-ktls] [--timeout S]\n"
		"                 [--nak-delay MS] [-v]\n"
		"       sstp-peer sessions DEV\n"
		"MODE: none bad-version short-length truncated unknown-proto spoof ctrl-flood\n"
		"      ipcp-nak\n");
}

static int cmd_connect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'a' },
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "inject", required_argument, NULL, 'i' },
		{ "tls", required_argument, NULL, 'T' },
		{ "no-ktls", no_argument, NULL, 'K' },
		{ "timeout", required_argument, NULL, 't' },
		{ "nak-delay", required_argument, NULL, 'D' },
		{ "verbose", no_argument, NULL, 'v' },
		{ 0 }
	};
	static struct peer p;
	struct tls_client_opts to = { 0 };
	char host[256], err[512], ident[256] = "";
	const char *colon, *mode = NULL;
	bool verbose = false;
	unsigned int i;
	int c, ret;

	memset(&p, 0, sizeof(p));
	p.co.mtu = 1400;
	p.co.timeout = 90;
	p.co.want_dns = true;
	to.ktls = p.co.ktls = true;
	optind = 1;
	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1) {
		switch (c) {
		case 'a': to.ca_file = optarg; break;
		case 'c': to.cert_file = optarg; break;
		case 'k': to.key_file = optarg; break;
		case 'n': p.co.server_name = optarg; break;
		case 'i': mode = optarg; break;
		case 'K': to.ktls = p.co.ktls = false; break;
		case 't': p.co.timeout = (unsigned int)atoi(optarg); break;
		case 'D': p.nak_delay = (unsigned int)atoi(optarg); break;
		case 'v': verbose = true; break;
		case 'T':
			if (!strcmp(optarg, "1.2")) {
				to.min_version = to.max_version = TLS1_2_VERSION;
			} else if (!strcmp(optarg, "1.3")) {
				to.min_version = to.max_version = TLS1_3_VERSION;
			} else {
				usage(stderr);
				return 2;
			}
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !to.ca_file || !to.cert_file ||
	    !to.key_file || !mode) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
		if (!strcmp(mode, mode_names[i]))
			break;
	if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
		fprintf(stderr, "sstp-peer: unknown mode %s\n", mode);
		usage(stderr);
		return 2;
	}
	p.mode = (enum mode)i;
	colon = strrchr(argv[optind], ':');
	if (!colon || colon == argv[optind] || !colon[1]) {
		fprintf(stderr, "sstp-peer: HOST:PORT expected\n");
		return 2;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - argv[optind]),
		 argv[optind]);
	p.co.host = host;
	p.co.port = colon + 1;
	sstp_log_init("sstp-peer", true, verbose ? SSTP_LOG_DEBUG :
		      SSTP_LOG_WARN);
	if (tls_client_ctx(&to, &p.co.tls, err, sizeof(err)) ||
	    tls_eap_client_ctx(&to, &p.co.eap, err, sizeof(err))) {
		fprintf(stderr, "sstp-peer: %s\n", err);
		return 2;
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(
			SSL_CTX_get0_certificate(p.co.eap)),
			NID_commonName, ident, sizeof(ident));
	p.co.identity = ident;
	p.ping_id = (uint16_t)getpid();
	if (loop_init(&p.loop))
		return 2;
	ret = run(&p);
	client_destroy(&p.c);
	SSL_CTX_free(p.co.tls);
	SSL_CTX_free(p.co.eap);
	loop_destroy(&p.loop);
	return ret;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && !strcmp(argv[1], "connect"))
		return cmd_connect(argc - 1, argv + 1);
	if (argc == 3 && !strcmp(argv[1], "sessions"))
		return cmd_sessions(argv[2]);
	usage(argc >= 2 && !strcmp(argv[1], "-h") ? stdout : stderr);
	return 2;
}
