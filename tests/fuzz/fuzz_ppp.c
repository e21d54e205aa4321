// SPDX-License-Identifier: GPL-2.0
/*
 * LCP/IPCP automaton fuzzer: a server and a client instance, wired to each
 * other, with a fake clock.
 *
 * Input: byte 0 chooses how far the pair negotiates before the fuzzed
 * frames arrive (0: nothing, 1: LCP open, 2: LCP and IPCP open). Then
 * records of [sel][len][len bytes]: sel & 3 picks the protocol (LCP, IPCP,
 * IPV6CP, or a raw frame whose protocol comes from ppp_frame_decode),
 * sel & 4 the target (server or client), sel & 8 advances the clock by
 * len * 50 ms and runs the timers, sel & 16 lets the pair talk, sel & 32
 * reports authentication done to the target, sel & 64 closes it. With
 * sel & 128 the record instead answers the target's last LCP (len even) or
 * IPCP (len odd) Configure-Request with an Ack, Nak or Reject (len / 2 % 3)
 * listing all its options, or only the option picked by the first data byte
 * when there is one: random magic numbers are out of a fuzzer's reach.
 *
 * Checked: ops->down at most once, nothing sent after it, every frame sent
 * is a well-formed control packet no longer than PPP_MAX_PAYLOAD.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ppp.h"

#define QLEN 16

struct qframe {
	uint16_t proto;
	uint16_t len;
	uint8_t d[PPP_MAX_PAYLOAD];
};

struct end {
	struct ppp *ppp;
	struct end *peer;
	bool down;
	unsigned int head, tail;	/* frames sent, not yet delivered */
	struct qframe q[QLEN];
	struct qframe req[2];		/* last LCP, IPCP Configure-Request */
};

static struct end ends[2];

static void on_send(void *ctx, uint16_t proto, const uint8_t *data,
		    size_t len)
{
	struct end *e = ctx;
	struct qframe *f;

	if (e->down || len < 4 || len > PPP_MAX_PAYLOAD ||
	    (size_t)(data[2] << 8 | data[3]) != len)
		abort();
	if (proto != PPP_PROTO_LCP && proto != PPP_PROTO_IPCP)
		abort();
	if (data[0] == 1) {
		f = &e->req[proto == PPP_PROTO_IPCP];
		f->len = (uint16_t)len;
		memcpy(f->d, data, len);
	}
	if (e->tail - e->head == QLEN)
		return;		/* the wire is full: lose it */
	f = &e->q[e->tail++ % QLEN];
	f->proto = proto;
	f->len = (uint16_t)len;
	memcpy(f->d, data, len);
}

static void on_up(void *ctx)
{
	struct end *e = ctx;

	if (e->down)
		abort();
}

static void on_down(void *ctx, const char *reason)
{
	struct end *e = ctx;

	if (e->down || !reason || !*reason)
		abort();
	e->down = true;
}

static const struct ppp_ops ops = {
	.send = on_send,
	.lcp_up = on_up,
	.ipcp_up = on_up,
	.down = on_down,
};

static void pump(uint64_t now)
{
	int budget = 200;
	bool moved = true;

	while (moved && budget > 0) {
		int i;

		moved = false;
		for (i = 0; i < 2; i++) {
			struct end *e = &ends[i];

			while (e->head != e->tail && budget-- > 0) {
				struct qframe *f = &e->q[e->head++ % QLEN];

				ppp_input(e->peer->ppp, f->proto, f->d, f->len,
					  now);
				moved = true;
			}
		}
	}
}

/* The peer's reply to e's last request: whole, or one option of it. */
static void reflect(struct end *e, uint8_t len, const uint8_t *p, size_t n,
		    uint64_t now)
{
	const struct qframe *r = &e->req[len & 1];
	uint8_t pkt[PPP_MAX_PAYLOAD];
	size_t i, k, want, olen = r->len - 4;
	const uint8_t *opt = r->d + 4;

	if (!r->len)
		return;
	if (n && olen) {
		for (i = 0, k = 0; i < r->len - 4; i += r->d[4 + i + 1], k++)
			;
		want = p[0] % k;
		for (i = 0, k = 0; k < want; i += r->d[4 + i + 1], k++)
			;
		opt = r->d + 4 + i;
		olen = opt[1];
	}
	pkt[0] = (uint8_t)(2 + len / 2 % 3);
	pkt[1] = r->d[1];
	pkt[2] = (uint8_t)((olen + 4) >> 8);
	pkt[3] = (uint8_t)(olen + 4);
	memcpy(pkt + 4, opt, olen);
	ppp_input(e->ppp, len & 1 ? PPP_PROTO_IPCP : PPP_PROTO_LCP, pkt,
		  olen + 4, now);
}

static void flush(void)
{
	ends[0].head = ends[0].tail;
	ends[1].head = ends[1].tail;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t protos[] = {
		PPP_PROTO_LCP, PPP_PROTO_IPCP, PPP_PROTO_IPV6CP,
	};
	struct ppp_config sc = {
		.server = true,
		.auth_proto = PPP_PROTO_EAP,
		.local_addr = 0x0a000001,
		.peer_addr = 0x0a000002,
		.dns = { 0x08080808, 0 },
		.restart_ms = 1000,
	};
	struct ppp_config cc = { .want_dns = true, .mru = 1400 };
	uint64_t now = 0;
	size_t i = 1;
	int k;

	if (!size)
		return 0;
	memset(ends, 0, sizeof(ends));
	ends[0].peer = &ends[1];
	ends[1].peer = &ends[0];
	ends[0].ppp = ppp_new(&sc, &ops, &ends[0]);
	ends[1].ppp = ppp_new(&cc, &ops, &ends[1]);
	if (!ends[0].ppp || !ends[1].ppp)
		abort();

	ppp_lower_up(ends[0].ppp, now);
	ppp_lower_up(ends[1].ppp, now);
	if (data[0] % 3) {
		pump(now);
		if (data[0] % 3 == 2) {
			ppp_auth_done(ends[0].ppp, now);
			ppp_auth_done(ends[1].ppp, now);
			pump(now);
		}
	}
	flush();

	while (i + 2 <= size) {
		uint8_t sel = data[i], len = data[i + 1];
		const uint8_t *p = data + i + 2;
		struct end *e = &ends[(sel >> 2) & 1];
		size_t n = size - i - 2 < len ? size - i - 2 : len;
		uint16_t proto;

		i += 2 + n;
		if (sel & 128) {
			reflect(e, len, p, n, now);
		} else if ((sel & 3) < 3) {
			ppp_input(e->ppp, protos[sel & 3], p, n, now);
		} else {
			int h = ppp_frame_decode(p, n, &proto);

			if (h > 0 && proto != PPP_PROTO_IP &&
			    proto != PPP_PROTO_IPV6 && proto != PPP_PROTO_EAP)
				ppp_input(e->ppp, proto, p + h, n - (size_t)h,
					  now);
		}
		if (sel & 8) {
			now += (uint64_t)len * 50;
			ppp_timer(ends[0].ppp, now);
			ppp_timer(ends[1].ppp, now);
		}
		if (sel & 16)
			pump(now);
		else
			flush();
		if (sel & 32)
			ppp_auth_done(e->ppp, now);
		if (sel & 64)
			ppp_close(e->ppp, "fuzz", now);
	}

	/* let every timer run out */
	for (k = 0; k < 40; k++) {
		now += 1000;
		ppp_timer(ends[0].ppp, now);
		ppp_timer(ends[1].ppp, now);
		flush();
	}
	for (k = 0; k < 2; k++) {
		struct ppp *p = ends[k].ppp;

		(void)ppp_lcp_opened(p);
		(void)ppp_ipcp_opened(p);
		(void)ppp_local_addr(p);
		(void)ppp_peer_addr(p);
		(void)ppp_dns(p, 0);
		(void)ppp_dns(p, 1);
		(void)ppp_auth_proto(p);
		if (ppp_peer_mru(p) > PPP_MAX_PAYLOAD)
			abort();
		ppp_free(p);
	}
	return 0;
}
