// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/ppp.h"

#define CONFREQ	1
#define CONFACK	2
#define CONFNAK	3
#define CONFREJ	4
#define TERMREQ	5
#define TERMACK	6
#define CODEREJ	7
#define PROTREJ	8
#define ECHOREQ	9
#define ECHOREP	10

#define MAX_FRAMES 64
#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

struct frame {
	uint16_t proto;
	size_t len;
	uint8_t d[PPP_MAX_PAYLOAD];
};

struct end {
	struct ppp *ppp;
	struct frame out[MAX_FRAMES];
	size_t nout;
	size_t delivered;
	int downs;
	char reason[256];
	int lcp_ups, ipcp_ups;
	int sent_after_down;
};

static void on_send(void *ctx, uint16_t proto, const uint8_t *data,
		    size_t len)
{
	struct end *e = ctx;
	struct frame *f;

	if (e->downs)
		e->sent_after_down++;
	assert_true(e->nout < MAX_FRAMES);
	assert_true(len <= PPP_MAX_PAYLOAD);
	f = &e->out[e->nout++];
	f->proto = proto;
	f->len = len;
	memcpy(f->d, data, len);
}

static void on_lcp_up(void *ctx)
{
	((struct end *)ctx)->lcp_ups++;
}

static void on_ipcp_up(void *ctx)
{
	((struct end *)ctx)->ipcp_ups++;
}

static void on_down(void *ctx, const char *reason)
{
	struct end *e = ctx;

	e->downs++;
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

static const struct ppp_ops ops = {
	.send = on_send,
	.lcp_up = on_lcp_up,
	.ipcp_up = on_ipcp_up,
	.down = on_down,
};

static struct ppp_config server_cfg(void)
{
	struct ppp_config c = {
		.server = true,
		.auth_proto = PPP_PROTO_EAP,
		.local_addr = IP(10, 0, 0, 1),
		.peer_addr = IP(10, 0, 0, 2),
		.dns = { IP(8, 8, 8, 8), IP(1, 1, 1, 1) },
	};
	return c;
}

static struct ppp_config client_cfg(void)
{
	struct ppp_config c = { .want_dns = true };

	return c;
}

static struct end *end_new(const struct ppp_config *cfg)
{
	struct end *e = test_calloc(1, sizeof(*e));

	e->ppp = ppp_new(cfg, &ops, e);
	assert_non_null(e->ppp);
	return e;
}

static void end_free(struct end *e)
{
	assert_int_equal(e->sent_after_down, 0);
	assert_true(e->downs <= 1);
	ppp_free(e->ppp);
	test_free(e);
}

static struct frame *last(struct end *e)
{
	assert_true(e->nout > 0);
	return &e->out[e->nout - 1];
}

/* Deliver everything both ends sent, until both are quiet. */
static void pump(struct end *a, struct end *b, uint64_t now)
{
	int rounds;

	for (rounds = 0; rounds < 100; rounds++) {
		bool moved = false;

		while (a->delivered < a->nout) {
			struct frame *f = &a->out[a->delivered++];

			ppp_input(b->ppp, f->proto, f->d, f->len, now);
			moved = true;
		}
		while (b->delivered < b->nout) {
			struct frame *f = &b->out[b->delivered++];

			ppp_input(a->ppp, f->proto, f->d, f->len, now);
			moved = true;
		}
		if (!moved)
			return;
	}
	fail_msg("endless exchange");
}

static size_t mkpkt(uint8_t *out, uint8_t code, uint8_t id,
		    const uint8_t *data, size_t n)
{
	out[0] = code;
	out[1] = id;
	out[2] = (uint8_t)((n + 4) >> 8);
	out[3] = (uint8_t)(n + 4);
	if (n)
		memcpy(out + 4, data, n);
	return n + 4;
}

static void feed(struct end *e, uint16_t proto, uint8_t code, uint8_t id,
		 const uint8_t *data, size_t n, uint64_t now)
{
	uint8_t pkt[PPP_MAX_PAYLOAD];
	size_t len = mkpkt(pkt, code, id, data, n);

	ppp_input(e->ppp, proto, pkt, len, now);
}

static void assert_frame(const struct frame *f, uint16_t proto, uint8_t code,
			 uint8_t id, const uint8_t *data, size_t n)
{
	assert_int_equal(f->proto, proto);
	assert_int_equal(f->len, n + 4);
	assert_int_equal(f->d[0], code);
	assert_int_equal(f->d[1], id);
	assert_int_equal(f->d[2] << 8 | f->d[3], n + 4);
	if (n)
		assert_memory_equal(f->d + 4, data, n);
}

/* Option of the given type in a control packet, or NULL. */
static const uint8_t *find_opt(const struct frame *f, uint8_t type)
{
	size_t i;

	for (i = 4; i + 2 <= f->len && f->d[i + 1] >= 2; i += f->d[i + 1])
		if (f->d[i] == type)
			return f->d + i;
	return NULL;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The peer acks whatever configure request e sent last for proto. */
static void ack_last_req(struct end *e, uint16_t proto, uint64_t now)
{
	size_t i;

	for (i = e->nout; i-- > 0;) {
		struct frame *f = &e->out[i];

		if (f->proto == proto && f->d[0] == CONFREQ) {
			feed(e, proto, CONFACK, f->d[1], f->d + 4, f->len - 4,
			     now);
			return;
		}
	}
	fail_msg("no request to ack");
}

static const uint8_t magic_opt[] = { 5, 6, 0x12, 0x34, 0x56, 0x78 };

/* Bring LCP of e to Opened against a minimal crafted peer. */
static void open_lcp(struct end *e)
{
	ppp_lower_up(e->ppp, 0);
	feed(e, PPP_PROTO_LCP, CONFREQ, 0x41, magic_opt, sizeof(magic_opt), 0);
	assert_int_equal(last(e)->d[0], CONFACK);
	ack_last_req(e, PPP_PROTO_LCP, 0);
	assert_true(ppp_lcp_opened(e->ppp));
	assert_int_equal(e->lcp_ups, 1);
}

static void open_ipcp_server(struct end *e)
{
	static const uint8_t req[] = { 3, 6, 10, 0, 0, 2 };

	open_lcp(e);
	ppp_auth_done(e->ppp, 0);
	feed(e, PPP_PROTO_IPCP, CONFREQ, 0x51, req, sizeof(req), 0);
	assert_int_equal(last(e)->d[0], CONFACK);
	ack_last_req(e, PPP_PROTO_IPCP, 0);
	assert_true(ppp_ipcp_opened(e->ppp));
}

static void test_frame_decode(void **state)
{
	static const uint8_t full[] = { 0xff, 0x03, 0xc0, 0x21, 1 };
	static const uint8_t noacfc[] = { 0xc0, 0x21, 1 };
	static const uint8_t pfc[] = { 0x21, 0x45 };
	static const uint8_t acfc_pfc[] = { 0xff, 0x03, 0x21, 0x45 };
	static const uint8_t even[] = { 0xc0, 0x20, 1 };
	static const uint8_t even2[] = { 0xff, 0x03, 0x80, 0x22 };
	static const uint8_t ffbad[] = { 0xff, 0x05, 0xc0, 0x21 };
	static const uint8_t ffonly[] = { 0xff, 0x03 };
	static const uint8_t ff1[] = { 0xff };
	static const uint8_t one_even[] = { 0x80 };
	static const uint8_t ff_one_even[] = { 0xff, 0x03, 0x80 };
	uint16_t proto = 0;
	uint8_t hdr[4];

	(void)state;
	assert_int_equal(ppp_frame_decode(full, sizeof(full), &proto), 4);
	assert_int_equal(proto, PPP_PROTO_LCP);
	assert_int_equal(ppp_frame_decode(noacfc, sizeof(noacfc), &proto), 2);
	assert_int_equal(proto, PPP_PROTO_LCP);
	assert_int_equal(ppp_frame_decode(pfc, sizeof(pfc), &proto), 1);
	assert_int_equal(proto, PPP_PROTO_IP);
	assert_int_equal(ppp_frame_decode(acfc_pfc, sizeof(acfc_pfc), &proto),
			 3);
	assert_int_equal(proto, PPP_PROTO_IP);
	assert_int_equal(ppp_frame_decode(full, 4, &proto), 4);

	assert_int_equal(ppp_frame_decode(even, sizeof(even), &proto),
			 -EBADMSG);
	assert_int_equal(ppp_frame_decode(even2, sizeof(even2), &proto),
			 -EBADMSG);
	assert_int_equal(ppp_frame_decode(ffbad, sizeof(ffbad), &proto),
			 -EBADMSG);
	assert_int_equal(ppp_frame_decode(ffonly, sizeof(ffonly), &proto),
			 -EBADMSG);
	assert_int_equal(ppp_frame_decode(ff1, sizeof(ff1), &proto),
			 -EBADMSG);
	assert_int_equal(ppp_frame_decode(one_even, 1, &proto), -EBADMSG);
	assert_int_equal(ppp_frame_decode(ff_one_even, 3, &proto), -EBADMSG);
	assert_int_equal(ppp_frame_decode(full, 0, &proto), -EBADMSG);

	assert_int_equal(ppp_frame_header(hdr, PPP_PROTO_IPCP), 4);
	assert_int_equal(hdr[0], 0xff);
	assert_int_equal(hdr[1], 0x03);
	assert_int_equal(hdr[2], 0x80);
	assert_int_equal(hdr[3], 0x21);
	assert_int_equal(ppp_frame_decode(hdr, 4, &proto), 4);
	assert_int_equal(proto, PPP_PROTO_IPCP);
}

static void test_new_rejects_bad_args(void **state)
{
	struct ppp_config c = server_cfg();
	struct ppp_ops no_down = { .send = on_send };

	(void)state;
	assert_null(ppp_new(NULL, &ops, NULL));
	assert_null(ppp_new(&c, NULL, NULL));
	errno = 0;
	assert_null(ppp_new(&c, &no_down, NULL));
	assert_int_equal(errno, EINVAL);
}

static void test_pair_end_to_end(void **state)
{
	struct ppp_config sc = server_cfg(), cc = client_cfg();
	struct end *s, *c;

	(void)state;
	sc.mru = 1400;
	cc.mru = 1300;
	s = end_new(&sc);
	c = end_new(&cc);
	ppp_lower_up(s->ppp, 0);
	ppp_lower_up(c->ppp, 0);
	pump(s, c, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	assert_true(ppp_lcp_opened(c->ppp));
	assert_int_equal(s->lcp_ups, 1);
	assert_int_equal(c->lcp_ups, 1);
	assert_int_equal(ppp_peer_mru(s->ppp), 1300);
	assert_int_equal(ppp_peer_mru(c->ppp), 1400);
	assert_int_equal(ppp_auth_proto(s->ppp), PPP_PROTO_EAP);
	assert_int_equal(ppp_auth_proto(c->ppp), PPP_PROTO_EAP);
	assert_false(ppp_ipcp_opened(s->ppp));

	ppp_auth_done(s->ppp, 10);
	ppp_auth_done(c->ppp, 10);
	pump(s, c, 10);
	assert_true(ppp_ipcp_opened(s->ppp));
	assert_true(ppp_ipcp_opened(c->ppp));
	assert_int_equal(s->ipcp_ups, 1);
	assert_int_equal(c->ipcp_ups, 1);
	assert_int_equal(ppp_local_addr(c->ppp), IP(10, 0, 0, 2));
	assert_int_equal(ppp_peer_addr(c->ppp), IP(10, 0, 0, 1));
	assert_int_equal(ppp_dns(c->ppp, 0), IP(8, 8, 8, 8));
	assert_int_equal(ppp_dns(c->ppp, 1), IP(1, 1, 1, 1));
	assert_int_equal(ppp_dns(c->ppp, 2), 0);
	assert_int_equal(ppp_local_addr(s->ppp), IP(10, 0, 0, 1));
	assert_int_equal(ppp_peer_addr(s->ppp), IP(10, 0, 0, 2));

	/* nothing pending: timers do not fire once everything is open */
	ppp_timer(s->ppp, 100000);
	ppp_timer(c->ppp, 100000);
	assert_int_equal(s->delivered, s->nout);
	assert_int_equal(c->delivered, c->nout);

	/* orderly close from the client */
	ppp_close(c->ppp, "bye", 200000);
	assert_frame(last(c), PPP_PROTO_LCP, TERMREQ, last(c)->d[1],
		     (const uint8_t *)"bye", 3);
	assert_string_equal(ppp_peer_term_text(s->ppp), "");
	pump(s, c, 200000);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer terminated LCP: bye");
	assert_string_equal(ppp_peer_term_text(s->ppp), "bye");
	/* the closing end got no Terminate-Request */
	assert_string_equal(ppp_peer_term_text(c->ppp), "");
	assert_int_equal(c->downs, 1);
	assert_string_equal(c->reason, "closed");
	end_free(s);
	end_free(c);
}

static void test_server_own_request(void **state)
{
	static const uint8_t auth[] = { 3, 4, 0xc2, 0x27 };
	static const uint8_t mru[] = { 1, 4, 0x05, 0x78 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2;
	const uint8_t *m;

	(void)state;
	assert_int_equal(s->nout, 0);
	ppp_lower_up(s->ppp, 0);
	assert_int_equal(s->nout, 1);
	assert_int_equal(last(s)->proto, PPP_PROTO_LCP);
	assert_int_equal(last(s)->d[0], CONFREQ);
	assert_int_equal(last(s)->len, 4 + 4 + 6);
	assert_memory_equal(find_opt(last(s), 3), auth, sizeof(auth));
	assert_null(find_opt(last(s), 1));
	m = find_opt(last(s), 5);
	assert_non_null(m);
	assert_int_equal(m[1], 6);
	assert_int_not_equal(be32(m + 2), 0);
	/* a second lower_up does not restart anything */
	ppp_lower_up(s->ppp, 0);
	assert_int_equal(s->nout, 1);

	sc.mru = 1400;
	s2 = end_new(&sc);
	ppp_lower_up(s2->ppp, 0);
	assert_memory_equal(find_opt(last(s2), 1), mru, sizeof(mru));
	end_free(s);
	end_free(s2);
}

static void test_client_own_request(void **state)
{
	struct ppp_config cc = client_cfg();
	struct end *c = end_new(&cc);

	(void)state;
	ppp_lower_up(c->ppp, 0);
	assert_int_equal(last(c)->len, 4 + 6);
	assert_non_null(find_opt(last(c), 5));
	assert_null(find_opt(last(c), 3));
	end_free(c);
}

static void test_windows_lcp(void **state)
{
	static const uint8_t req[] = {
		1, 4, 0x0f, 0xfb,			/* mru 4091 */
		5, 6, 0x2a, 0x3b, 0x4c, 0x5d,		/* magic */
		7, 2,					/* pcomp */
		8, 2,					/* accomp */
		13, 3, 6,				/* callback CBCP */
		17, 4, 0x06, 0x4e,			/* mrru 1614 */
		19, 9, 1, 0, 0x15, 0x5d, 1, 2, 3,	/* endpoint */
	};
	static const uint8_t rej[] = {
		7, 2, 8, 2, 13, 3, 6, 17, 4, 0x06, 0x4e,
		19, 9, 1, 0, 0x15, 0x5d, 1, 2, 3,
	};
	static const uint8_t req2[] = {
		1, 4, 0x0f, 0xfb, 5, 6, 0x2a, 0x3b, 0x4c, 0x5d,
	};
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, req, sizeof(req), 0);
	assert_int_equal(s->nout, 2);
	assert_frame(last(s), PPP_PROTO_LCP, CONFREJ, 1, rej, sizeof(rej));

	feed(s, PPP_PROTO_LCP, CONFREQ, 2, req2, sizeof(req2), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFACK, 2, req2, sizeof(req2));
	assert_false(ppp_lcp_opened(s->ppp));
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	assert_int_equal(s->lcp_ups, 1);
	/* 4091 acked, but one SSTP packet carries at most 4087 */
	assert_int_equal(ppp_peer_mru(s->ppp), PPP_MAX_PAYLOAD);
	end_free(s);
}

static void test_pppd_lcp(void **state)
{
	static const uint8_t req[] = {
		2, 6, 0, 0, 0, 0,		/* asyncmap 0 */
		5, 6, 0x11, 0x22, 0x33, 0x44,	/* magic */
		7, 2, 8, 2,			/* pcomp accomp */
	};
	static const uint8_t rej[] = { 7, 2, 8, 2 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 7, req, sizeof(req), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFREJ, 7, rej, sizeof(rej));
	feed(s, PPP_PROTO_LCP, CONFREQ, 8, req, 12, 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFACK, 8, req, 12);
	assert_int_equal(ppp_peer_mru(s->ppp), 1500);
	end_free(s);
}

static void test_lcp_rejects_odd_options(void **state)
{
	static const uint8_t req[] = {
		4, 8, 0xc0, 0x25, 0, 0, 0, 10,	/* quality LQR */
		3, 4, 0xc2, 0x27,		/* auth towards the server */
		0x50, 3, 1,			/* unknown */
		1, 3, 5,			/* MRU with a bad length */
		5, 6, 0, 0, 0, 1,
		5, 6, 0, 0, 0, 2,		/* repeated type */
	};
	static const uint8_t rej[] = {
		4, 8, 0xc0, 0x25, 0, 0, 0, 10, 3, 4, 0xc2, 0x27, 0x50, 3, 1,
		1, 3, 5, 5, 6, 0, 0, 0, 2,
	};
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 3, req, sizeof(req), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFREJ, 3, rej, sizeof(rej));
	end_free(s);
}

static void test_lcp_mru_nak(void **state)
{
	static const uint8_t big[] = { 1, 4, 0x13, 0x88 };	/* 5000 */
	static const uint8_t nak_big[] = { 1, 4, 0x0f, 0xfb };
	static const uint8_t small[] = { 1, 4, 0, 100 };
	static const uint8_t nak_small[] = { 1, 4, 0x05, 0xdc };
	static const uint8_t low_ok[] = { 1, 4, 0, 128 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, big, sizeof(big), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFNAK, 1, nak_big,
		     sizeof(nak_big));
	feed(s, PPP_PROTO_LCP, CONFREQ, 2, small, sizeof(small), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFNAK, 2, nak_small,
		     sizeof(nak_small));
	feed(s, PPP_PROTO_LCP, CONFREQ, 3, low_ok, sizeof(low_ok), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFACK, 3, low_ok,
		     sizeof(low_ok));
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_int_equal(ppp_peer_mru(s->ppp), 128);
	end_free(s);
}

static void test_lcp_magic_nak(void **state)
{
	static const uint8_t zero[] = { 5, 6, 0, 0, 0, 0 };
	uint8_t same[6];
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	const uint8_t *m, *n;
	uint32_t ours;

	(void)state;
	ppp_lower_up(s->ppp, 0);
	m = find_opt(last(s), 5);
	ours = be32(m + 2);
	memcpy(same, m, 6);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, same, sizeof(same), 0);
	assert_int_equal(last(s)->d[0], CONFNAK);
	assert_int_equal(last(s)->len, 4 + 6);
	n = find_opt(last(s), 5);
	assert_int_not_equal(be32(n + 2), ours);
	assert_int_not_equal(be32(n + 2), 0);

	feed(s, PPP_PROTO_LCP, CONFREQ, 2, zero, sizeof(zero), 0);
	assert_int_equal(last(s)->d[0], CONFNAK);
	assert_int_not_equal(be32(find_opt(last(s), 5) + 2), 0);
	end_free(s);
}

static void test_max_failure(void **state)
{
	static const uint8_t big[] = { 1, 4, 0x13, 0x88 };
	struct ppp_config sc = server_cfg();
	struct end *s;
	int i;

	(void)state;
	sc.max_failure = 3;
	s = end_new(&sc);
	ppp_lower_up(s->ppp, 0);
	for (i = 0; i < 3; i++) {
		feed(s, PPP_PROTO_LCP, CONFREQ, (uint8_t)(10 + i), big,
		     sizeof(big), 0);
		assert_int_equal(last(s)->d[0], CONFNAK);
	}
	feed(s, PPP_PROTO_LCP, CONFREQ, 13, big, sizeof(big), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFREJ, 13, big, sizeof(big));
	/* an Ack resets the count */
	feed(s, PPP_PROTO_LCP, CONFREQ, 14, magic_opt, sizeof(magic_opt), 0);
	assert_int_equal(last(s)->d[0], CONFACK);
	feed(s, PPP_PROTO_LCP, CONFREQ, 15, big, sizeof(big), 0);
	assert_int_equal(last(s)->d[0], CONFNAK);
	end_free(s);
}

static void test_client_auth_choice(void **state)
{
	static const uint8_t chap[] = { 3, 5, 0xc2, 0x23, 0x81 };
	static const uint8_t eap_data[] = { 3, 5, 0xc2, 0x27, 1 };
	static const uint8_t short_auth[] = { 3, 3, 0xc2 };
	static const uint8_t nak[] = { 3, 4, 0xc2, 0x27 };
	struct ppp_config cc = client_cfg();
	struct end *c = end_new(&cc);

	(void)state;
	ppp_lower_up(c->ppp, 0);
	feed(c, PPP_PROTO_LCP, CONFREQ, 1, chap, sizeof(chap), 0);
	assert_frame(last(c), PPP_PROTO_LCP, CONFNAK, 1, nak, sizeof(nak));
	feed(c, PPP_PROTO_LCP, CONFREQ, 2, eap_data, sizeof(eap_data), 0);
	assert_frame(last(c), PPP_PROTO_LCP, CONFNAK, 2, nak, sizeof(nak));
	feed(c, PPP_PROTO_LCP, CONFREQ, 3, short_auth, sizeof(short_auth), 0);
	assert_frame(last(c), PPP_PROTO_LCP, CONFREJ, 3, short_auth,
		     sizeof(short_auth));
	assert_int_equal(ppp_auth_proto(c->ppp), 0);
	feed(c, PPP_PROTO_LCP, CONFREQ, 4, nak, sizeof(nak), 0);
	assert_frame(last(c), PPP_PROTO_LCP, CONFACK, 4, nak, sizeof(nak));
	ack_last_req(c, PPP_PROTO_LCP, 0);
	assert_true(ppp_lcp_opened(c->ppp));
	assert_int_equal(ppp_auth_proto(c->ppp), PPP_PROTO_EAP);
	end_free(c);
}

static void test_server_auth_nak_is_fatal(void **state)
{
	static const uint8_t nak[] = { 3, 5, 0xc2, 0x23, 0x81 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	size_t n;

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFNAK, last(s)->d[1], nak, sizeof(nak), 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer refused EAP authentication");
	n = s->nout;
	ppp_timer(s->ppp, 100000);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, magic_opt, sizeof(magic_opt), 0);
	ppp_close(s->ppp, "x", 0);
	assert_int_equal(s->nout, n);
	assert_int_equal(s->downs, 1);
	end_free(s);
}

static void test_server_auth_rej_is_fatal(void **state)
{
	static const uint8_t rej[] = { 3, 4, 0xc2, 0x27 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREJ, last(s)->d[1], rej, sizeof(rej), 0);
	assert_int_equal(s->downs, 1);
	assert_non_null(strstr(s->reason, "will not authenticate"));
	assert_int_equal(s->nout, 1);
	end_free(s);
}

static void test_our_request_nak_rej(void **state)
{
	static const uint8_t nak_mru[] = { 1, 4, 0x04, 0xb0 };	/* 1200 */
	static const uint8_t nak_bad_mru[] = { 1, 4, 0, 10 };
	static const uint8_t nak_magic[] = { 5, 6, 9, 9, 9, 9 };
	static const uint8_t nak_unknown[] = { 0x60, 2 };
	struct ppp_config cc = client_cfg();
	struct end *c;
	uint8_t rej[6];
	uint32_t m1, m2;

	(void)state;
	cc.mru = 1400;
	c = end_new(&cc);
	ppp_lower_up(c->ppp, 0);
	m1 = be32(find_opt(last(c), 5) + 2);

	feed(c, PPP_PROTO_LCP, CONFNAK, last(c)->d[1], nak_mru,
	     sizeof(nak_mru), 0);
	assert_int_equal(c->nout, 2);
	assert_int_equal(last(c)->d[0], CONFREQ);
	assert_int_equal(last(c)->d[1], c->out[0].d[1] + 1);
	assert_memory_equal(find_opt(last(c), 1), nak_mru, sizeof(nak_mru));
	assert_int_equal(be32(find_opt(last(c), 5) + 2), m1);

	feed(c, PPP_PROTO_LCP, CONFNAK, last(c)->d[1], nak_magic,
	     sizeof(nak_magic), 0);
	assert_int_equal(c->nout, 3);
	m2 = be32(find_opt(last(c), 5) + 2);
	assert_int_not_equal(m2, m1);
	assert_int_not_equal(m2, 0);

	/* an option we never sent, and an absurd MRU: MRU is dropped */
	feed(c, PPP_PROTO_LCP, CONFNAK, last(c)->d[1], nak_unknown,
	     sizeof(nak_unknown), 0);
	assert_int_equal(c->nout, 4);
	assert_non_null(find_opt(last(c), 1));
	feed(c, PPP_PROTO_LCP, CONFNAK, last(c)->d[1], nak_bad_mru,
	     sizeof(nak_bad_mru), 0);
	assert_int_equal(c->nout, 5);
	assert_null(find_opt(last(c), 1));

	/* Reject of something we did not send: discarded */
	feed(c, PPP_PROTO_LCP, CONFREJ, last(c)->d[1], nak_mru,
	     sizeof(nak_mru), 0);
	assert_int_equal(c->nout, 5);
	/* Reject with a different value than we sent: discarded too */
	memcpy(rej, find_opt(last(c), 5), 6);
	rej[5] ^= 1;
	feed(c, PPP_PROTO_LCP, CONFREJ, last(c)->d[1], rej, sizeof(rej), 0);
	assert_int_equal(c->nout, 5);
	/* the genuine one drops magic */
	rej[5] ^= 1;
	feed(c, PPP_PROTO_LCP, CONFREJ, last(c)->d[1], rej, sizeof(rej), 0);
	assert_int_equal(c->nout, 6);
	assert_frame(last(c), PPP_PROTO_LCP, CONFREQ, last(c)->d[1], NULL, 0);
	assert_int_equal(c->downs, 0);
	end_free(c);
}

static void test_ack_must_match(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	struct frame req;
	uint8_t bad[32];

	(void)state;
	ppp_lower_up(s->ppp, 0);
	req = *last(s);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, magic_opt, sizeof(magic_opt), 0);
	assert_int_equal(last(s)->d[0], CONFACK);

	/* wrong identifier */
	feed(s, PPP_PROTO_LCP, CONFACK, (uint8_t)(req.d[1] + 1), req.d + 4,
	     req.len - 4, 0);
	assert_false(ppp_lcp_opened(s->ppp));
	/* altered contents */
	memcpy(bad, req.d + 4, req.len - 4);
	bad[req.len - 5] ^= 0xff;
	feed(s, PPP_PROTO_LCP, CONFACK, req.d[1], bad, req.len - 4, 0);
	assert_false(ppp_lcp_opened(s->ppp));
	/* truncated contents */
	feed(s, PPP_PROTO_LCP, CONFACK, req.d[1], req.d + 4, req.len - 6, 0);
	assert_false(ppp_lcp_opened(s->ppp));
	/* the real one */
	feed(s, PPP_PROTO_LCP, CONFACK, req.d[1], req.d + 4, req.len - 4, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	/* a second Ack for the same request is stale, not a restart */
	feed(s, PPP_PROTO_LCP, CONFACK, req.d[1], req.d + 4, req.len - 4, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	assert_int_equal(s->downs, 0);
	assert_int_equal(s->lcp_ups, 1);
	end_free(s);
}

static void test_retransmit_and_max_configure(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	uint64_t t = 1000;
	size_t i;

	(void)state;
	ppp_lower_up(s->ppp, t);
	ppp_timer(s->ppp, t + 2999);
	assert_int_equal(s->nout, 1);
	ppp_timer(s->ppp, t + 3000);
	assert_int_equal(s->nout, 2);
	assert_int_equal(s->out[1].len, s->out[0].len);
	assert_memory_equal(s->out[1].d, s->out[0].d, s->out[0].len);

	for (i = 2; i < 10; i++) {
		t += 3000;
		ppp_timer(s->ppp, t + 3000);
		assert_int_equal(s->nout, i + 1);
		assert_int_equal(s->downs, 0);
	}
	t += 3000;
	ppp_timer(s->ppp, t + 3000);
	assert_int_equal(s->nout, 10);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason,
			    "LCP negotiation did not converge after 10 requests");
	ppp_timer(s->ppp, t + 100000);
	assert_int_equal(s->downs, 1);
	assert_int_equal(s->nout, 10);
	end_free(s);
}

static void test_custom_timers(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s;

	(void)state;
	sc.restart_ms = 500;
	sc.max_configure = 2;
	s = end_new(&sc);
	ppp_lower_up(s->ppp, 0);
	ppp_timer(s->ppp, 499);
	assert_int_equal(s->nout, 1);
	ppp_timer(s->ppp, 500);
	assert_int_equal(s->nout, 2);
	ppp_timer(s->ppp, 1000);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason,
			    "LCP negotiation did not converge after 2 requests");
	end_free(s);
}

static void test_ack_rcvd_retransmits_with_new_id(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_false(ppp_lcp_opened(s->ppp));
	ppp_timer(s->ppp, 3000);
	assert_int_equal(s->nout, 2);
	assert_int_equal(s->out[1].d[1], (uint8_t)(s->out[0].d[1] + 1));
	assert_int_equal(s->out[1].d[0], CONFREQ);
	end_free(s);
}

static void test_ipcp_windows(void **state)
{
	static const uint8_t req1[] = {
		3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 130, 6, 0, 0, 0, 0,
		131, 6, 0, 0, 0, 0, 132, 6, 0, 0, 0, 0,
	};
	static const uint8_t rej1[] = {
		130, 6, 0, 0, 0, 0, 132, 6, 0, 0, 0, 0,
	};
	static const uint8_t req2[] = {
		3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0,
	};
	static const uint8_t nak2[] = {
		3, 6, 10, 0, 0, 2, 129, 6, 8, 8, 8, 8, 131, 6, 1, 1, 1, 1,
	};
	static const uint8_t ours[] = { 3, 6, 10, 0, 0, 1 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFREQ, last(s)->d[1], ours,
		     sizeof(ours));
	feed(s, PPP_PROTO_IPCP, CONFREQ, 1, req1, sizeof(req1), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFREJ, 1, rej1, sizeof(rej1));
	feed(s, PPP_PROTO_IPCP, CONFREQ, 2, req2, sizeof(req2), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFNAK, 2, nak2, sizeof(nak2));
	feed(s, PPP_PROTO_IPCP, CONFREQ, 3, nak2, sizeof(nak2), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFACK, 3, nak2, sizeof(nak2));
	assert_false(ppp_ipcp_opened(s->ppp));
	assert_int_equal(ppp_peer_addr(s->ppp), 0);
	ack_last_req(s, PPP_PROTO_IPCP, 0);
	assert_true(ppp_ipcp_opened(s->ppp));
	assert_int_equal(s->ipcp_ups, 1);
	assert_int_equal(ppp_peer_addr(s->ppp), IP(10, 0, 0, 2));
	assert_int_equal(ppp_local_addr(s->ppp), IP(10, 0, 0, 1));
	end_free(s);
}

static void test_ipcp_pppd_vj_and_missing_addr(void **state)
{
	static const uint8_t vj[] = {
		2, 6, 0, 0x2d, 0x0f, 1, 3, 6, 0, 0, 0, 0,
	};
	static const uint8_t vj_rej[] = { 2, 6, 0, 0x2d, 0x0f, 1 };
	static const uint8_t addrs[] = {
		1, 10, 0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 10, 0, 0, 2,
	};
	static const uint8_t dns_only[] = { 129, 6, 8, 8, 8, 8 };
	static const uint8_t nak_addr[] = { 3, 6, 10, 0, 0, 2 };
	static const uint8_t wrong_addr[] = { 3, 6, 192, 168, 1, 1 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	feed(s, PPP_PROTO_IPCP, CONFREQ, 1, vj, sizeof(vj), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFREJ, 1, vj_rej,
		     sizeof(vj_rej));
	feed(s, PPP_PROTO_IPCP, CONFREQ, 2, addrs, sizeof(addrs), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFREJ, 2, addrs, 10);
	/* no IP-Address at all: the server tells the client its address */
	feed(s, PPP_PROTO_IPCP, CONFREQ, 3, dns_only, sizeof(dns_only), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFNAK, 3, nak_addr,
		     sizeof(nak_addr));
	feed(s, PPP_PROTO_IPCP, CONFREQ, 4, wrong_addr, sizeof(wrong_addr),
	     0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFNAK, 4, nak_addr,
		     sizeof(nak_addr));
	end_free(s);
}

static void test_ipcp_server_without_dns(void **state)
{
	static const uint8_t req[] = {
		3, 6, 10, 0, 0, 2, 129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0,
	};
	struct ppp_config sc = server_cfg();
	struct end *s;

	(void)state;
	sc.dns[0] = 0;
	s = end_new(&sc);
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	feed(s, PPP_PROTO_IPCP, CONFREQ, 1, req, sizeof(req), 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CONFREJ, 1, req + 6, 6);
	feed(s, PPP_PROTO_IPCP, CONFREQ, 2, req, 6, 0);
	assert_int_equal(last(s)->d[0], CONFACK);
	assert_int_equal(ppp_dns(s->ppp, 0), 0);
	assert_int_equal(ppp_dns(s->ppp, 1), IP(1, 1, 1, 1));
	end_free(s);
}

/*
 * A peer that Naks every IPCP request (with an address the server will not
 * take) must not hold the layer in Req-Sent for ever: RFC 1661 resets the
 * restart counter at each Nak, so the bound is ours (Max-Configure Naks).
 */
static void test_ipcp_nak_loop_bounded(void **state)
{
	static const uint8_t nak[] = { 3, 6, 10, 9, 9, 9 };
	static const uint8_t req[] = { 3, 6, 10, 0, 0, 2 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	int i;

	(void)state;
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	/* the peer's own request is fine: only ours is Nak'ed */
	feed(s, PPP_PROTO_IPCP, CONFREQ, 0x51, req, sizeof(req), 0);
	assert_int_equal(last(s)->d[0], CONFACK);
	for (i = 0; i < 40 && !s->downs; i++) {
		const struct frame *f = last(s);
		size_t n = s->nout;

		while (f->proto != PPP_PROTO_IPCP || f->d[0] != CONFREQ)
			f = &s->out[--n - 1];
		feed(s, PPP_PROTO_IPCP, CONFNAK, f->d[1], nak, sizeof(nak),
		     (uint64_t)i);
		/* each Nak is answered with a new request at once */
		assert_true(s->downs || (last(s)->proto == PPP_PROTO_IPCP &&
					 last(s)->d[0] == CONFREQ));
	}
	assert_int_equal(s->downs, 1);
	assert_int_equal(i, 11);	/* Max-Configure (10) + 1 */
	assert_non_null(strstr(s->reason, "did not converge"));
	assert_false(ppp_ipcp_opened(s->ppp));
	assert_int_equal(s->ipcp_ups, 0);
	end_free(s);
}

/* A few Naks, as real peers send, still converge. */
static void test_ipcp_some_naks_converge(void **state)
{
	static const uint8_t nak[] = { 3, 6, 10, 9, 9, 9 };
	static const uint8_t req[] = { 3, 6, 10, 0, 0, 2 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	int i;

	(void)state;
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	for (i = 0; i < 10; i++)
		feed(s, PPP_PROTO_IPCP, CONFNAK, last(s)->d[1], nak,
		     sizeof(nak), 0);
	feed(s, PPP_PROTO_IPCP, CONFREQ, 0x51, req, sizeof(req), 0);
	assert_int_equal(s->downs, 0);
	ack_last_req(s, PPP_PROTO_IPCP, 0);
	assert_true(ppp_ipcp_opened(s->ppp));
	end_free(s);
}

static void test_ipcp_before_auth_discarded(void **state)
{
	static const uint8_t req[] = { 3, 6, 0, 0, 0, 0 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	size_t n;

	(void)state;
	ppp_lower_up(s->ppp, 0);
	/* LCP not open yet */
	n = s->nout;
	feed(s, PPP_PROTO_IPCP, CONFREQ, 1, req, sizeof(req), 0);
	assert_int_equal(s->nout, n);
	ppp_auth_done(s->ppp, 0);	/* too early: ignored */
	assert_int_equal(s->nout, n);
	feed(s, PPP_PROTO_LCP, CONFREQ, 0x41, magic_opt, sizeof(magic_opt), 0);
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	/* LCP open, authentication not finished */
	n = s->nout;
	feed(s, PPP_PROTO_IPCP, CONFREQ, 1, req, sizeof(req), 0);
	feed(s, PPP_PROTO_IPCP, 0x30, 1, NULL, 0, 0);
	assert_int_equal(s->nout, n);
	assert_false(ppp_ipcp_opened(s->ppp));
	ppp_auth_done(s->ppp, 0);
	assert_int_equal(s->nout, n + 1);
	assert_int_equal(last(s)->proto, PPP_PROTO_IPCP);
	ppp_auth_done(s->ppp, 0);	/* twice: no second start */
	assert_int_equal(s->nout, n + 1);
	end_free(s);
}

static void test_ipcp_client(void **state)
{
	static const uint8_t srv_req[] = { 3, 6, 10, 0, 0, 1, 2, 6, 0, 0x2d,
					   0x0f, 1 };
	static const uint8_t srv_zero[] = { 3, 6, 0, 0, 0, 0 };
	static const uint8_t rej_dns2[] = { 131, 6, 0, 0, 0, 0 };
	static const uint8_t nak[] = { 3, 6, 10, 0, 0, 9, 129, 6, 9, 9, 9, 9 };
	static const uint8_t want_req[] = {
		3, 6, 0, 0, 0, 0, 129, 6, 0, 0, 0, 0, 131, 6, 0, 0, 0, 0,
	};
	struct ppp_config cc = client_cfg();
	struct end *c = end_new(&cc);
	uint8_t ours;

	(void)state;
	open_lcp(c);
	ppp_auth_done(c->ppp, 0);
	ours = last(c)->d[1];
	assert_frame(last(c), PPP_PROTO_IPCP, CONFREQ, ours, want_req,
		     sizeof(want_req));

	feed(c, PPP_PROTO_IPCP, CONFREQ, 1, srv_req, sizeof(srv_req), 0);
	assert_frame(last(c), PPP_PROTO_IPCP, CONFREJ, 1, srv_req + 6, 6);
	feed(c, PPP_PROTO_IPCP, CONFREQ, 2, srv_zero, sizeof(srv_zero), 0);
	assert_frame(last(c), PPP_PROTO_IPCP, CONFREJ, 2, srv_zero,
		     sizeof(srv_zero));
	feed(c, PPP_PROTO_IPCP, CONFREQ, 3, srv_req, 6, 0);
	assert_frame(last(c), PPP_PROTO_IPCP, CONFACK, 3, srv_req, 6);

	feed(c, PPP_PROTO_IPCP, CONFREJ, ours, rej_dns2, sizeof(rej_dns2), 0);
	assert_frame(last(c), PPP_PROTO_IPCP, CONFREQ, (uint8_t)(ours + 1),
		     want_req, 12);
	feed(c, PPP_PROTO_IPCP, CONFNAK, last(c)->d[1], nak, sizeof(nak), 0);
	assert_frame(last(c), PPP_PROTO_IPCP, CONFREQ, last(c)->d[1], nak,
		     sizeof(nak));
	ack_last_req(c, PPP_PROTO_IPCP, 0);
	assert_true(ppp_ipcp_opened(c->ppp));
	assert_int_equal(c->ipcp_ups, 1);
	assert_int_equal(ppp_local_addr(c->ppp), IP(10, 0, 0, 9));
	assert_int_equal(ppp_peer_addr(c->ppp), IP(10, 0, 0, 1));
	assert_int_equal(ppp_dns(c->ppp, 0), IP(9, 9, 9, 9));
	assert_int_equal(ppp_dns(c->ppp, 1), 0);
	end_free(c);
}

static void test_ipcp_client_without_address(void **state)
{
	static const uint8_t srv_req[] = { 3, 6, 10, 0, 0, 1 };
	struct ppp_config cc = client_cfg();
	struct end *c;

	(void)state;
	cc.want_dns = false;
	c = end_new(&cc);
	open_lcp(c);
	ppp_auth_done(c->ppp, 0);
	/* the server acks 0.0.0.0: no address was assigned */
	ack_last_req(c, PPP_PROTO_IPCP, 0);
	feed(c, PPP_PROTO_IPCP, CONFREQ, 1, srv_req, sizeof(srv_req), 0);
	assert_int_equal(c->downs, 1);
	assert_string_equal(c->reason, "server assigned no IP address");
	assert_int_equal(c->ipcp_ups, 0);
	end_free(c);
}

static void test_echo(void **state)
{
	static const uint8_t echo[] = { 1, 2, 3, 4, 'a', 'b', 'c' };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	uint8_t want[7];
	size_t n;

	(void)state;
	ppp_lower_up(s->ppp, 0);
	memcpy(want, find_opt(last(s), 5) + 2, 4);
	memcpy(want + 4, "abc", 3);
	n = s->nout;
	feed(s, PPP_PROTO_LCP, ECHOREQ, 7, echo, sizeof(echo), 0);
	assert_int_equal(s->nout, n);	/* not Opened: discarded */
	feed(s, PPP_PROTO_LCP, CONFREQ, 0x41, magic_opt, sizeof(magic_opt), 0);
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_true(ppp_lcp_opened(s->ppp));

	feed(s, PPP_PROTO_LCP, ECHOREQ, 7, echo, sizeof(echo), 0);
	assert_frame(last(s), PPP_PROTO_LCP, ECHOREP, 7, want, sizeof(want));
	n = s->nout;
	feed(s, PPP_PROTO_LCP, ECHOREQ, 8, echo, 3, 0);	/* no magic */
	feed(s, PPP_PROTO_LCP, ECHOREP, 9, echo, sizeof(echo), 0);
	feed(s, PPP_PROTO_LCP, 11, 9, echo, sizeof(echo), 0);	/* discard */
	feed(s, PPP_PROTO_LCP, 12, 9, echo, sizeof(echo), 0);	/* ident */
	assert_int_equal(s->nout, n);
	assert_int_equal(s->downs, 0);
	end_free(s);
}

static void test_echo_truncated_to_peer_mru(void **state)
{
	static const uint8_t mru[] = { 1, 4, 0, 200 };
	uint8_t echo[1000];
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	memset(echo, 0x5a, sizeof(echo));
	ppp_lower_up(s->ppp, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, mru, sizeof(mru), 0);
	ack_last_req(s, PPP_PROTO_LCP, 0);
	assert_int_equal(ppp_peer_mru(s->ppp), 200);
	feed(s, PPP_PROTO_LCP, ECHOREQ, 2, echo, sizeof(echo), 0);
	assert_int_equal(last(s)->d[0], ECHOREP);
	assert_int_equal(last(s)->len, 200);
	assert_int_equal(last(s)->d[2] << 8 | last(s)->d[3], 200);
	end_free(s);
}

static void test_terminate_request(void **state)
{
	static const uint8_t bin[] = { 'x', 0x01, 'y' };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2 = end_new(&sc), *s3 = end_new(&sc);

	(void)state;
	open_lcp(s);
	feed(s, PPP_PROTO_LCP, TERMREQ, 9, (const uint8_t *)"User request",
	     12, 0);
	assert_frame(last(s), PPP_PROTO_LCP, TERMACK, 9, NULL, 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer terminated LCP: User request");
	assert_string_equal(ppp_peer_term_text(s->ppp), "User request");
	assert_false(ppp_lcp_opened(s->ppp));

	open_lcp(s2);
	feed(s2, PPP_PROTO_LCP, TERMREQ, 3, bin, sizeof(bin), 0);
	assert_frame(last(s2), PPP_PROTO_LCP, TERMACK, 3, NULL, 0);
	assert_string_equal(s2->reason, "peer terminated LCP");
	/* not printable: not kept */
	assert_string_equal(ppp_peer_term_text(s2->ppp), "");

	/* during negotiation too */
	ppp_lower_up(s3->ppp, 0);
	feed(s3, PPP_PROTO_LCP, TERMREQ, 4, NULL, 0, 0);
	assert_frame(last(s3), PPP_PROTO_LCP, TERMACK, 4, NULL, 0);
	assert_int_equal(s3->downs, 1);
	assert_string_equal(s3->reason, "peer terminated LCP");
	end_free(s);
	end_free(s2);
	end_free(s3);
}

static void test_ipcp_terminate(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2 = end_new(&sc);

	(void)state;
	open_lcp(s);
	ppp_auth_done(s->ppp, 0);
	/* while negotiating IPCP: acked, negotiation goes on */
	feed(s, PPP_PROTO_IPCP, TERMREQ, 5, NULL, 0, 0);
	assert_frame(last(s), PPP_PROTO_IPCP, TERMACK, 5, NULL, 0);
	assert_int_equal(s->downs, 0);

	open_ipcp_server(s2);
	feed(s2, PPP_PROTO_IPCP, TERMREQ, 6, (const uint8_t *)"done", 4, 0);
	assert_frame(last(s2), PPP_PROTO_IPCP, TERMACK, 6, NULL, 0);
	assert_int_equal(s2->downs, 1);
	assert_string_equal(s2->reason, "peer terminated IPCP: done");
	end_free(s);
	end_free(s2);
}

static void test_malformed_ignored(void **state)
{
	static const uint8_t short_pkt[] = { 1, 1, 0 };
	static const uint8_t len_long[] = { 1, 1, 0, 20, 5, 6, 1, 2, 3, 4 };
	static const uint8_t len_short[] = { 1, 1, 0, 3, 5, 6, 1, 2, 3, 4 };
	static const uint8_t opt_len0[] = { 5, 0, 1, 2, 3, 4 };
	static const uint8_t opt_len1[] = { 5, 6, 1, 2, 3, 4, 7, 1 };
	static const uint8_t opt_past[] = { 5, 6, 1, 2, 3, 4, 1, 4, 5 };
	static const uint8_t opt_lone[] = { 5, 6, 1, 2, 3, 4, 7 };
	static const uint8_t padded[] = { 1, 2, 0, 10, 5, 6, 1, 2, 3, 4,
					  0xee, 0xee };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, short_pkt, sizeof(short_pkt), 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, len_long, sizeof(len_long), 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, len_short, sizeof(len_short), 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, NULL, 0, 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, NULL, 5, 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, opt_len0, sizeof(opt_len0), 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, opt_len1, sizeof(opt_len1), 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, opt_past, sizeof(opt_past), 0);
	feed(s, PPP_PROTO_LCP, CONFREQ, 1, opt_lone, sizeof(opt_lone), 0);
	feed(s, PPP_PROTO_LCP, CONFNAK, last(s)->d[1], opt_past,
	     sizeof(opt_past), 0);
	feed(s, PPP_PROTO_LCP, CONFREJ, last(s)->d[1], opt_len1,
	     sizeof(opt_len1), 0);
	feed(s, PPP_PROTO_LCP, CODEREJ, 1, NULL, 0, 0);
	assert_int_equal(s->nout, 1);
	assert_int_equal(s->downs, 0);

	/* octets past Length are padding */
	ppp_input(s->ppp, PPP_PROTO_LCP, padded, sizeof(padded), 0);
	assert_frame(last(s), PPP_PROTO_LCP, CONFACK, 2, padded + 4, 6);
	end_free(s);
}

static void test_unknown_code(void **state)
{
	uint8_t pkt[8];
	size_t n;
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);

	(void)state;
	ppp_lower_up(s->ppp, 0);
	n = mkpkt(pkt, 0x42, 5, (const uint8_t *)"zz", 2);
	ppp_input(s->ppp, PPP_PROTO_LCP, pkt, n, 0);
	assert_int_equal(last(s)->d[0], CODEREJ);
	assert_int_equal(last(s)->d[1], (uint8_t)(s->out[0].d[1] + 1));
	assert_frame(last(s), PPP_PROTO_LCP, CODEREJ, last(s)->d[1], pkt, n);
	n = mkpkt(pkt, 0, 6, NULL, 0);
	ppp_input(s->ppp, PPP_PROTO_LCP, pkt, n, 0);
	assert_frame(last(s), PPP_PROTO_LCP, CODEREJ, last(s)->d[1], pkt, n);

	open_ipcp_server(s);
	n = mkpkt(pkt, 9, 7, NULL, 0);	/* Echo is no IPCP code */
	ppp_input(s->ppp, PPP_PROTO_IPCP, pkt, n, 0);
	assert_frame(last(s), PPP_PROTO_IPCP, CODEREJ, last(s)->d[1], pkt, n);
	end_free(s);
}

static void test_code_reject_received(void **state)
{
	uint8_t rej[4] = { CONFREQ, 1, 0, 4 };
	uint8_t echo_rej[4] = { ECHOREQ, 1, 0, 8 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2 = end_new(&sc);
	size_t n;

	(void)state;
	ppp_lower_up(s->ppp, 0);
	n = s->nout;
	feed(s, PPP_PROTO_LCP, CODEREJ, 1, echo_rej, sizeof(echo_rej), 0);
	assert_int_equal(s->downs, 0);
	assert_int_equal(s->nout, n);
	feed(s, PPP_PROTO_LCP, CODEREJ, 2, rej, sizeof(rej), 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer rejected LCP code 1");

	/* when Opened: terminate first, then down on the Terminate-Ack */
	open_lcp(s2);
	rej[0] = TERMREQ;
	feed(s2, PPP_PROTO_LCP, CODEREJ, 2, rej, sizeof(rej), 0);
	assert_int_equal(last(s2)->d[0], TERMREQ);
	assert_int_equal(last(s2)->len, 4);
	assert_false(ppp_lcp_opened(s2->ppp));
	assert_int_equal(s2->downs, 0);
	feed(s2, PPP_PROTO_LCP, TERMACK, last(s2)->d[1], NULL, 0, 0);
	assert_int_equal(s2->downs, 1);
	assert_string_equal(s2->reason, "peer rejected LCP code 5");
	end_free(s);
	end_free(s2);
}

static void test_protocol_reject(void **state)
{
	static const uint8_t v6cp[] = { 1, 1, 0, 14, 1, 10, 0, 0, 0, 0, 0, 0,
					0, 1 };
	uint8_t want[2 + sizeof(v6cp)] = { 0x80, 0x57 };
	uint8_t prej[] = { 0x80, 0x21, 1, 2, 0, 4 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc);
	size_t n;

	(void)state;
	memcpy(want + 2, v6cp, sizeof(v6cp));
	ppp_lower_up(s->ppp, 0);
	n = s->nout;
	ppp_input(s->ppp, PPP_PROTO_IPV6CP, v6cp, sizeof(v6cp), 0);
	assert_int_equal(s->nout, n);	/* LCP not Opened: discarded */

	open_ipcp_server(s);
	ppp_input(s->ppp, PPP_PROTO_IPV6CP, v6cp, sizeof(v6cp), 0);
	assert_frame(last(s), PPP_PROTO_LCP, PROTREJ, last(s)->d[1], want,
		     sizeof(want));
	ppp_input(s->ppp, 0x80fd, NULL, 0, 0);	/* CCP */
	assert_frame(last(s), PPP_PROTO_LCP, PROTREJ, last(s)->d[1],
		     (const uint8_t *)"\x80\xfd", 2);

	/* a Protocol-Reject of IPV6CP is ignored, of IPCP ends the link */
	n = s->nout;
	prej[1] = 0x57;
	feed(s, PPP_PROTO_LCP, PROTREJ, 1, prej, sizeof(prej), 0);
	feed(s, PPP_PROTO_LCP, PROTREJ, 2, prej, 1, 0);
	assert_int_equal(s->downs, 0);
	prej[1] = 0x21;
	feed(s, PPP_PROTO_LCP, PROTREJ, 3, prej, sizeof(prej), 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer rejected IPCP (Protocol-Reject)");
	assert_int_equal(s->nout, n);
	end_free(s);
}

static void test_close(void **state)
{
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2 = end_new(&sc), *s3 = end_new(&sc);
	size_t n;

	(void)state;
	open_ipcp_server(s);
	ppp_close(s->ppp, "admin shutdown", 0);
	assert_frame(last(s), PPP_PROTO_LCP, TERMREQ, last(s)->d[1],
		     (const uint8_t *)"admin shutdown", 14);
	assert_false(ppp_lcp_opened(s->ppp));
	assert_false(ppp_ipcp_opened(s->ppp));
	n = s->nout;
	ppp_close(s->ppp, "again", 0);		/* already closing */
	feed(s, PPP_PROTO_LCP, CONFREQ, 50, magic_opt, sizeof(magic_opt), 0);
	assert_int_equal(s->nout, n);
	assert_int_equal(s->downs, 0);
	feed(s, PPP_PROTO_LCP, TERMACK, last(s)->d[1], NULL, 0, 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "closed");

	/* no Terminate-Ack: Max-Terminate requests, then down */
	ppp_lower_up(s2->ppp, 0);
	ppp_close(s2->ppp, NULL, 0);
	assert_frame(last(s2), PPP_PROTO_LCP, TERMREQ, last(s2)->d[1], NULL,
		     0);
	ppp_timer(s2->ppp, 3000);
	assert_int_equal(s2->nout, 3);
	assert_int_equal(last(s2)->d[0], TERMREQ);
	assert_int_equal(s2->downs, 0);
	ppp_timer(s2->ppp, 6000);
	assert_int_equal(s2->nout, 3);
	assert_int_equal(s2->downs, 1);
	assert_string_equal(s2->reason, "closed");

	/* before the lower layer came up: down at once, nothing sent */
	ppp_close(s3->ppp, "x", 0);
	assert_int_equal(s3->nout, 0);
	assert_int_equal(s3->downs, 1);
	assert_string_equal(s3->reason, "closed");
	end_free(s);
	end_free(s2);
	end_free(s3);
}

static void test_renegotiation(void **state)
{
	static const uint8_t other[] = { 5, 6, 0x77, 0, 0, 1 };
	struct ppp_config sc = server_cfg();
	struct end *s = end_new(&sc), *s2 = end_new(&sc);
	size_t n;

	(void)state;
	open_lcp(s);
	n = s->nout;
	/* the peer retransmitted the request we already acked */
	feed(s, PPP_PROTO_LCP, CONFREQ, 0x41, magic_opt, sizeof(magic_opt), 0);
	assert_int_equal(s->nout, n);
	assert_true(ppp_lcp_opened(s->ppp));
	/* malformed one: discarded, not a restart */
	feed(s, PPP_PROTO_LCP, CONFREQ, 0x42, other, 5, 0);
	assert_true(ppp_lcp_opened(s->ppp));
	feed(s, PPP_PROTO_LCP, CONFREQ, 0x42, other, sizeof(other), 0);
	assert_int_equal(s->downs, 1);
	assert_string_equal(s->reason, "peer restarted LCP negotiation");
	assert_int_equal(s->nout, n);

	open_ipcp_server(s2);
	feed(s2, PPP_PROTO_LCP, TERMACK, 1, NULL, 0, 0);
	assert_int_equal(s2->downs, 1);
	assert_non_null(strstr(s2->reason, "peer restarted LCP"));
	end_free(s);
	end_free(s2);
}

static void test_callbacks_may_reenter(void **state);

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_decode),
		cmocka_unit_test(test_new_rejects_bad_args),
		cmocka_unit_test(test_pair_end_to_end),
		cmocka_unit_test(test_server_own_request),
		cmocka_unit_test(test_client_own_request),
		cmocka_unit_test(test_windows_lcp),
		cmocka_unit_test(test_pppd_lcp),
		cmocka_unit_test(test_lcp_rejects_odd_options),
		cmocka_unit_test(test_lcp_mru_nak),
		cmocka_unit_test(test_lcp_magic_nak),
		cmocka_unit_test(test_max_failure),
		cmocka_unit_test(test_client_auth_choice),
		cmocka_unit_test(test_server_auth_nak_is_fatal),
		cmocka_unit_test(test_server_auth_rej_is_fatal),
		cmocka_unit_test(test_our_request_nak_rej),
		cmocka_unit_test(test_ack_must_match),
		cmocka_unit_test(test_retransmit_and_max_configure),
		cmocka_unit_test(test_custom_timers),
		cmocka_unit_test(test_ack_rcvd_retransmits_with_new_id),
		cmocka_unit_test(test_ipcp_windows),
		cmocka_unit_test(test_ipcp_pppd_vj_and_missing_addr),
		cmocka_unit_test(test_ipcp_server_without_dns),
		cmocka_unit_test(test_ipcp_before_auth_discarded),
		cmocka_unit_test(test_ipcp_nak_loop_bounded),
		cmocka_unit_test(test_ipcp_some_naks_converge),
		cmocka_unit_test(test_ipcp_client),
		cmocka_unit_test(test_ipcp_client_without_address),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_echo_truncated_to_peer_mru),
		cmocka_unit_test(test_terminate_request),
		cmocka_unit_test(test_ipcp_terminate),
		cmocka_unit_test(test_malformed_ignored),
		cmocka_unit_test(test_unknown_code),
		cmocka_unit_test(test_code_reject_received),
		cmocka_unit_test(test_protocol_reject),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_renegotiation),
		cmocka_unit_test(test_callbacks_may_reenter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* lcp_up may start the next phase (or close) from inside the callback. */
static struct ppp *reenter_ppp;

static void reenter_lcp_up(void *ctx)
{
	on_lcp_up(ctx);
	ppp_auth_done(reenter_ppp, 0);
}

static void test_callbacks_may_reenter(void **state)
{
	static const struct ppp_ops rops = {
		.send = on_send,
		.lcp_up = reenter_lcp_up,
		.ipcp_up = on_ipcp_up,
		.down = on_down,
	};
	struct ppp_config sc = server_cfg();
	struct end *e = test_calloc(1, sizeof(*e));

	(void)state;
	e->ppp = ppp_new(&sc, &rops, e);
	reenter_ppp = e->ppp;
	ppp_lower_up(e->ppp, 0);
	feed(e, PPP_PROTO_LCP, CONFREQ, 1, magic_opt, sizeof(magic_opt), 0);
	ack_last_req(e, PPP_PROTO_LCP, 0);
	assert_int_equal(e->lcp_ups, 1);
	assert_int_equal(last(e)->proto, PPP_PROTO_IPCP);
	assert_int_equal(last(e)->d[0], CONFREQ);
	end_free(e);
}
