// SPDX-License-Identifier: GPL-2.0
/*
 * PPP control protocols inside SSTP. One RFC 1661 option-negotiation
 * automaton drives both LCP and IPCP; what differs between them lives in a
 * table of option handlers (struct cp_ops).
 *
 * Departures from the RFC automaton, because the link is useless to us
 * without a fixed LCP and IPCP and the caller has no "layer down" callback:
 * leaving Opened through renegotiation, a Terminate-Request for LCP (any
 * state) or for IPCP (Opened), and every this-layer-finished action end the
 * whole link through ops->down. Closed and Stopped are therefore never
 * resting states.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "util/wire.h"
#include "ppp.h"

enum cp_state {
	ST_INITIAL, ST_STARTING, ST_CLOSED, ST_STOPPED, ST_CLOSING,
	ST_STOPPING, ST_REQSENT, ST_ACKRCVD, ST_ACKSENT, ST_OPENED,
};

enum cp_code {
	CONFREQ = 1, CONFACK, CONFNAK, CONFREJ, TERMREQ, TERMACK, CODEREJ,
	PROTREJ, ECHOREQ, ECHOREP, DISCREQ, IDENTIFICATION, TIMEREMAINING,
};

enum lcp_opt {
	LCP_MRU = 1, LCP_ACCM = 2, LCP_AUTH = 3, LCP_QUALITY = 4,
	LCP_MAGIC = 5, LCP_PFC = 7, LCP_ACFC = 8, LCP_CALLBACK = 13,
	LCP_MRRU = 17, LCP_ENDPOINT = 19,
};

enum ipcp_opt {
	IPCP_ADDRS = 1, IPCP_COMP = 2, IPCP_ADDR = 3,
	IPCP_DNS1 = 129, IPCP_NBNS1 = 130, IPCP_DNS2 = 131, IPCP_NBNS2 = 132,
};

enum opt_verdict { OPT_ACK, OPT_NAK, OPT_REJ };

#define CP_HDR_LEN	4
#define OPTS_MAX	(PPP_MAX_PAYLOAD - CP_HDR_LEN)
#define REQ_MAX		32	/* our own Configure-Requests are short */
#define ACKED_MAX	256	/* peer request kept to spot retransmissions */
#define TERM_DATA_MAX	64
#define MRU_DEFAULT	1500
#define MRU_MIN		128
#define MRU_MAX		4091

struct optbuf {
	uint8_t d[OPTS_MAX];
	size_t len;
};

struct ppp;

/* What one control protocol adds to the common automaton. */
struct cp_ops {
	uint16_t proto;
	const char *name;
	/* A Terminate-Request ends the link in any state, not only Opened. */
	bool term_always_fatal;
	/* Negotiation starts: set our wishes from the config. */
	void (*start)(struct ppp *ppp);
	/* Our Configure-Request options; at most REQ_MAX bytes. */
	size_t (*build_req)(struct ppp *ppp, uint8_t *out);
	/* A peer Configure-Request is about to be parsed. */
	void (*req_begin)(struct ppp *ppp);
	/* One well-formed peer option; may append a replacement to nak. */
	enum opt_verdict (*req_opt)(struct ppp *ppp, const uint8_t *opt,
				    struct optbuf *nak);
	/* Nothing was rejected: options we want the peer to add. */
	void (*req_end)(struct ppp *ppp, struct optbuf *nak);
	/* We sent Configure-Ack: the parsed values are now agreed. */
	void (*req_acked)(struct ppp *ppp);
	/* The peer Nak'ed / Rejected one of our options; non-NULL is fatal. */
	const char *(*got_nak)(struct ppp *ppp, const uint8_t *opt);
	const char *(*got_rej)(struct ppp *ppp, const uint8_t *opt);
	/* This-layer-up and this-layer-down (leaving Opened). */
	void (*up)(struct ppp *ppp);
	void (*down)(struct ppp *ppp);
	/* Codes beyond 1..7; false means the code is unknown (Code-Reject). */
	bool (*extra_code)(struct ppp *ppp, uint8_t code, uint8_t id,
			   const uint8_t *data, size_t len);
};

struct cp {
	const struct cp_ops *ops;
	struct ppp *ppp;
	enum cp_state state;
	uint8_t id;		/* last identifier we used */
	uint8_t reqid;		/* identifier of our outstanding request */
	bool answered;		/* a valid reply for reqid arrived */
	uint8_t req[REQ_MAX];
	size_t req_len;
	unsigned int restarts;
	bool timer_on;
	uint64_t timer_at;
	unsigned int naks_sent;	/* Naks since our last Ack: Max-Failure */
	unsigned int naks_rcvd;	/* Naks/Rejects of our requests, this round */
	bool acked_valid;	/* the last peer request we acked */
	uint8_t acked_id;
	size_t acked_len;
	uint8_t acked[ACKED_MAX];
	uint8_t term[TERM_DATA_MAX];
	size_t term_len;
	char reason[128];	/* why we are in Stopping */
};

struct lcp_opts {
	bool mru_on, magic_on, auth_on;
	uint16_t mru;
	uint16_t auth;
	uint32_t magic;
};

struct ipcp_opts {
	bool addr_on;
	bool dns_on[2];
	uint32_t addr;
	uint32_t dns[2];
};

struct ppp {
	struct ppp_config cfg;
	const struct ppp_ops *ops;
	void *ctx;
	uint64_t now;
	uint64_t seed;
	bool dead;
	struct cp lcp, ipcp;
	struct lcp_opts lcp_want, lcp_his, lcp_try;
	struct ipcp_opts ipcp_want, ipcp_his, ipcp_try;
	char peer_term[101];	/* the peer's LCP Terminate-Request text */
};





static bool buf_put(struct optbuf *b, const uint8_t *opt, size_t len)
{
	if (len > sizeof(b->d) - b->len)
		return false;
	memcpy(b->d + b->len, opt, len);
	b->len += len;
	return true;
}

static void nak16(struct optbuf *b, uint8_t type, uint16_t v)
{
	uint8_t o[4] = { type, 4 };

	put16(o + 2, v);
	buf_put(b, o, sizeof(o));
}

static void nak32(struct optbuf *b, uint8_t type, uint32_t v)
{
	uint8_t o[6] = { type, 6 };

	put32(o + 2, v);
	buf_put(b, o, sizeof(o));
}

static size_t opt16(uint8_t *out, uint8_t type, uint16_t v)
{
	out[0] = type;
	out[1] = 4;
	put16(out + 2, v);
	return 4;
}

static size_t opt32(uint8_t *out, uint8_t type, uint32_t v)
{
	out[0] = type;
	out[1] = 6;
	put32(out + 2, v);
	return 6;
}

/* Magic numbers only need to differ between the ends, not be secret. */
static uint32_t new_magic(struct ppp *ppp, uint32_t avoid)
{
	uint32_t m;

	for (;;) {
		if (RAND_bytes((unsigned char *)&m, sizeof(m)) != 1) {
			ppp->seed = ppp->seed * 6364136223846793005ULL +
				    1442695040888963407ULL;
			m = (uint32_t)(ppp->seed >> 32);
		}
		if (m && m != avoid)
			return m;
	}
}

/* Options are a sequence of type, length (>= 2), data filling the field. */
static bool opts_wellformed(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (n - i < 2 || p[i + 1] < 2 || p[i + 1] > n - i)
			return false;
		i += p[i + 1];
	}
	return true;
}

static void fail(struct ppp *ppp, const char *reason)
{
	if (ppp->dead)
		return;
	ppp->dead = true;
	ppp->lcp.timer_on = false;
	ppp->ipcp.timer_on = false;
	ppp->lcp.state = ppp->lcp.state == ST_CLOSING ? ST_CLOSED : ST_STOPPED;
	if (ppp->ipcp.state != ST_INITIAL)
		ppp->ipcp.state = ST_STOPPED;
	ppp->ops->down(ppp->ctx, reason);
}

static void failf(struct ppp *ppp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void failf(struct ppp *ppp, const char *fmt, ...)
{
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fail(ppp, why);
}

/* limit: truncate the data to this total packet size (peer MRU). */
static void cp_send(struct cp *f, uint8_t code, uint8_t id,
		    const uint8_t *data, size_t len, size_t limit)
{
	struct ppp *ppp = f->ppp;
	uint8_t pkt[PPP_MAX_PAYLOAD];

	if (ppp->dead)
		return;
	if (limit > sizeof(pkt))
		limit = sizeof(pkt);
	if (len > limit - CP_HDR_LEN)
		len = limit - CP_HDR_LEN;
	pkt[0] = code;
	pkt[1] = id;
	put16(pkt + 2, (uint16_t)(len + CP_HDR_LEN));
	if (len)
		memcpy(pkt + CP_HDR_LEN, data, len);
	ppp->ops->send(ppp->ctx, f->ops->proto, pkt, len + CP_HDR_LEN);
}

static void arm(struct cp *f)
{
	f->timer_on = true;
	f->timer_at = f->ppp->now + f->ppp->cfg.restart_ms;
}

/* scr; a retransmission keeps the identifier while no reply came. */
static void send_confreq(struct cp *f, bool retransmit)
{
	if (!retransmit || f->answered) {
		f->reqid = ++f->id;
		f->req_len = f->ops->build_req(f->ppp, f->req);
	}
	f->answered = false;
	if (f->restarts)
		f->restarts--;
	cp_send(f, CONFREQ, f->reqid, f->req, f->req_len, PPP_MAX_PAYLOAD);
	arm(f);
}

static void send_termreq(struct cp *f)
{
	if (f->restarts)
		f->restarts--;
	cp_send(f, TERMREQ, ++f->id, f->term, f->term_len, PPP_MAX_PAYLOAD);
	arm(f);
}

static void this_layer_up(struct cp *f)
{
	f->timer_on = false;
	f->state = ST_OPENED;
	f->ops->up(f->ppp);
}

static void leave_opened(struct cp *f)
{
	if (f->state == ST_OPENED && f->ops->down)
		f->ops->down(f->ppp);
}

/* Up and Open together, from Initial: irc, scr, Req-Sent. */
static void cp_open(struct cp *f)
{
	if (f->state != ST_INITIAL || f->ppp->dead)
		return;
	f->ops->start(f->ppp);
	f->naks_sent = 0;
	f->naks_rcvd = 0;
	f->acked_valid = false;
	f->answered = true;
	f->restarts = f->ppp->cfg.max_configure;
	f->state = ST_REQSENT;
	send_confreq(f, false);
}

/* Opened -> Stopping or Closing: tld, irc, str. */
static void start_terminate(struct cp *f, enum cp_state to,
			    const char *data, const char *reason)
{
	size_t n = data ? strnlen(data, sizeof(f->term)) : 0;

	leave_opened(f);
	if (n)
		memcpy(f->term, data, n);
	f->term_len = n;
	snprintf(f->reason, sizeof(f->reason), "%s", reason);
	f->restarts = f->ppp->cfg.max_terminate;
	f->state = to;
	send_termreq(f);
}

static void finish_terminate(struct cp *f)
{
	fail(f->ppp, f->state == ST_CLOSING ? "closed" : f->reason);
}

static bool negotiating(const struct cp *f)
{
	return f->state == ST_REQSENT || f->state == ST_ACKRCVD ||
	       f->state == ST_ACKSENT;
}

static bool is_retransmission(const struct cp *f, uint8_t id,
			      const uint8_t *opts, size_t len)
{
	return f->acked_valid && id == f->acked_id && len == f->acked_len &&
	       !memcmp(opts, f->acked, len);
}

static void rcv_confreq(struct cp *f, uint8_t id, const uint8_t *opts,
			size_t len)
{
	struct ppp *ppp = f->ppp;
	struct optbuf rej, nak, nak_orig;
	uint8_t seen[32] = { 0 };
	const uint8_t *reply = opts;
	size_t rlen = len, i;
	uint8_t code;

	if (!opts_wellformed(opts, len))
		return;
	if (f->state == ST_OPENED) {
		/* our Ack crossed the peer's retransmission */
		if (is_retransmission(f, id, opts, len))
			return;
		failf(ppp, "peer restarted %s negotiation", f->ops->name);
		return;
	}
	if (!negotiating(f))
		return;

	rej.len = nak.len = nak_orig.len = 0;
	f->ops->req_begin(ppp);
	for (i = 0; i < len; i += opts[i + 1]) {
		const uint8_t *o = opts + i;
		enum opt_verdict v = OPT_REJ;

		if (!(seen[o[0] / 8] & (1u << (o[0] % 8)))) {
			seen[o[0] / 8] |= 1u << (o[0] % 8);
			v = f->ops->req_opt(ppp, o, &nak);
		}
		if (v == OPT_REJ)
			buf_put(&rej, o, o[1]);
		else if (v == OPT_NAK)
			buf_put(&nak_orig, o, o[1]);
	}
	if (!rej.len && f->ops->req_end)
		f->ops->req_end(ppp, &nak);

	if (rej.len) {
		code = CONFREJ;
		reply = rej.d;
		rlen = rej.len;
	} else if (nak.len && f->naks_sent < ppp->cfg.max_failure) {
		code = CONFNAK;
		reply = nak.d;
		rlen = nak.len;
	} else if (nak_orig.len) {
		/* Max-Failure: what we kept Nak'ing is now Rejected */
		code = CONFREJ;
		reply = nak_orig.d;
		rlen = nak_orig.len;
	} else {
		code = CONFACK;
	}
	cp_send(f, code, id, reply, rlen, PPP_MAX_PAYLOAD);

	if (code != CONFACK) {
		if (code == CONFNAK)
			f->naks_sent++;
		if (f->state == ST_ACKSENT)
			f->state = ST_REQSENT;
		return;
	}
	f->ops->req_acked(ppp);
	f->naks_sent = 0;
	f->acked_id = id;
	f->acked_len = len;
	f->acked_valid = len <= sizeof(f->acked);
	if (f->acked_valid)
		memcpy(f->acked, opts, len);
	if (f->state == ST_ACKRCVD)
		this_layer_up(f);
	else
		f->state = ST_ACKSENT;
}

static void rcv_confack(struct cp *f, uint8_t id, const uint8_t *opts,
			size_t len)
{
	if (!negotiating(f) || id != f->reqid || f->answered)
		return;
	if (len != f->req_len || memcmp(opts, f->req, len))
		return;
	f->answered = true;
	switch (f->state) {
	case ST_REQSENT:
		f->restarts = f->ppp->cfg.max_configure;
		f->state = ST_ACKRCVD;
		break;
	case ST_ACKSENT:
		f->restarts = f->ppp->cfg.max_configure;
		this_layer_up(f);
		break;
	default:	/* Ack-Rcvd: a second reply is never unanswered */
		break;
	}
}

/* A Configure-Reject must list options of our request, in its order. */
static bool rej_is_subset(const struct cp *f, const uint8_t *opts, size_t len)
{
	size_t i = 0, j = 0;

	while (i < len) {
		while (j < f->req_len && (f->req[j + 1] != opts[i + 1] ||
		       memcmp(f->req + j, opts + i, opts[i + 1])))
			j += f->req[j + 1];
		if (j >= f->req_len)
			return false;
		j += f->req[j + 1];
		i += opts[i + 1];
	}
	return true;
}

static void rcv_confnakrej(struct cp *f, uint8_t code, uint8_t id,
			   const uint8_t *opts, size_t len)
{
	struct ppp *ppp = f->ppp;
	size_t i;

	if (!negotiating(f) || id != f->reqid || f->answered)
		return;
	if (!opts_wellformed(opts, len))
		return;
	if (code == CONFREJ && !rej_is_subset(f, opts, len))
		return;
	f->answered = true;
	/*
	 * RFC 1661 re-initialises the restart counter at each Nak (irc), so
	 * a peer that Naks every request would hold the layer in Req-Sent
	 * for ever; the RFC leaves it to an implementation to stop. A sane
	 * peer needs a Nak or Reject per option at most: after
	 * Max-Configure of them the negotiation has not converged.
	 */
	if (++f->naks_rcvd > ppp->cfg.max_configure) {
		failf(ppp, "%s negotiation did not converge: the peer Nak'ed or Rejected %u requests",
		      f->ops->name, f->naks_rcvd - 1);
		return;
	}
	for (i = 0; i < len; i += opts[i + 1]) {
		const char *why = code == CONFNAK ?
			f->ops->got_nak(ppp, opts + i) :
			f->ops->got_rej(ppp, opts + i);

		if (why) {
			fail(ppp, why);
			return;
		}
	}
	if (f->state != ST_ACKRCVD)
		f->restarts = ppp->cfg.max_configure;
	if (f->state == ST_ACKRCVD)
		f->state = ST_REQSENT;
	send_confreq(f, false);
}

static bool printable(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return n > 0;
}

static void rcv_termreq(struct cp *f, uint8_t id, const uint8_t *data,
			size_t len)
{
	struct ppp *ppp = f->ppp;
	bool was_opened = f->state == ST_OPENED;

	if (f->state < ST_CLOSING)
		return;
	cp_send(f, TERMACK, id, NULL, 0, PPP_MAX_PAYLOAD);
	if (f->state == ST_CLOSING || f->state == ST_STOPPING) {
		if (f->ops->term_always_fatal)
			finish_terminate(f);
		return;
	}
	if (was_opened || f->ops->term_always_fatal) {
		if (len > 100)
			len = 100;
		if (printable(data, len) && f == &ppp->lcp)
			snprintf(ppp->peer_term, sizeof(ppp->peer_term), "%.*s",
				 (int)len, (const char *)data);
		if (printable(data, len))
			failf(ppp, "peer terminated %s: %.*s", f->ops->name,
			      (int)len, (const char *)data);
		else
			failf(ppp, "peer terminated %s", f->ops->name);
		return;
	}
	f->state = ST_REQSENT;
}

static void rcv_termack(struct cp *f)
{
	switch (f->state) {
	case ST_CLOSING:
	case ST_STOPPING:
		finish_terminate(f);
		break;
	case ST_ACKRCVD:
		f->state = ST_REQSENT;
		break;
	case ST_OPENED:
		failf(f->ppp, "peer restarted %s negotiation (Terminate-Ack)",
		      f->ops->name);
		break;
	default:
		break;
	}
}

static void rcv_coderej(struct cp *f, const uint8_t *data, size_t len)
{
	bool lcp = f->ops->proto == PPP_PROTO_LCP;
	uint8_t rc;

	if (f->state < ST_CLOSING || !len)
		return;
	rc = data[0];
	if (rc < CONFREQ || rc > (lcp ? PROTREJ : CODEREJ)) {
		if (f->state == ST_ACKRCVD)
			f->state = ST_REQSENT;
		return;
	}
	switch (f->state) {
	case ST_OPENED: {
		char why[96];

		snprintf(why, sizeof(why), "peer rejected %s code %u",
			 f->ops->name, rc);
		start_terminate(f, ST_STOPPING, NULL, why);
		break;
	}
	case ST_CLOSING:
	case ST_STOPPING:
		finish_terminate(f);
		break;
	default:
		failf(f->ppp, "peer rejected %s code %u", f->ops->name, rc);
		break;
	}
}

static size_t peer_limit(const struct ppp *ppp)
{
	return ppp_peer_mru(ppp);
}

static void cp_input(struct cp *f, const uint8_t *p, size_t n)
{
	const uint8_t *data;
	size_t len;
	uint8_t code, id;

	if (n < CP_HDR_LEN)
		return;
	code = p[0];
	id = p[1];
	len = get16(p + 2);
	if (len < CP_HDR_LEN || len > n)
		return;
	/* octets past the Length field are padding */
	data = p + CP_HDR_LEN;
	len -= CP_HDR_LEN;
	if (f->state < ST_CLOSING)
		return;

	switch (code) {
	case CONFREQ:
		rcv_confreq(f, id, data, len);
		break;
	case CONFACK:
		rcv_confack(f, id, data, len);
		break;
	case CONFNAK:
	case CONFREJ:
		rcv_confnakrej(f, code, id, data, len);
		break;
	case TERMREQ:
		rcv_termreq(f, id, data, len);
		break;
	case TERMACK:
		rcv_termack(f);
		break;
	case CODEREJ:
		rcv_coderej(f, data, len);
		break;
	default:
		if (f->ops->extra_code &&
		    f->ops->extra_code(f->ppp, code, id, data, len))
			break;
		cp_send(f, CODEREJ, ++f->id, p, len + CP_HDR_LEN,
			peer_limit(f->ppp));
		break;
	}
}

static void cp_timeout(struct cp *f)
{
	struct ppp *ppp = f->ppp;

	switch (f->state) {
	case ST_CLOSING:
	case ST_STOPPING:
		if (f->restarts)
			send_termreq(f);
		else
			finish_terminate(f);
		break;
	case ST_REQSENT:
	case ST_ACKRCVD:
	case ST_ACKSENT:
		if (!f->restarts) {
			failf(ppp, "%s negotiation did not converge after %u requests",
			      f->ops->name, ppp->cfg.max_configure);
			break;
		}
		send_confreq(f, true);
		if (f->state == ST_ACKRCVD)
			f->state = ST_REQSENT;
		break;
	default:
		break;
	}
}

static void cp_timer(struct cp *f, uint64_t now)
{
	if (!f->timer_on || now < f->timer_at)
		return;
	f->timer_on = false;
	cp_timeout(f);
}

/* LCP */

static void lcp_start(struct ppp *ppp)
{
	struct lcp_opts *w = &ppp->lcp_want;
	uint16_t mru = ppp->cfg.mru;

	memset(w, 0, sizeof(*w));
	memset(&ppp->lcp_his, 0, sizeof(ppp->lcp_his));
	if (mru) {
		w->mru_on = true;
		w->mru = mru < MRU_MIN ? MRU_MIN : mru > MRU_MAX ? MRU_MAX : mru;
	}
	w->magic_on = true;
	w->magic = new_magic(ppp, 0);
	if (ppp->cfg.server && ppp->cfg.auth_proto) {
		w->auth_on = true;
		w->auth = ppp->cfg.auth_proto;
	}
}

static size_t lcp_build_req(struct ppp *ppp, uint8_t *out)
{
	const struct lcp_opts *w = &ppp->lcp_want;
	size_t n = 0;

	if (w->mru_on)
		n += opt16(out + n, LCP_MRU, w->mru);
	if (w->auth_on)
		n += opt16(out + n, LCP_AUTH, w->auth);
	if (w->magic_on)
		n += opt32(out + n, LCP_MAGIC, w->magic);
	return n;
}

static void lcp_req_begin(struct ppp *ppp)
{
	memset(&ppp->lcp_try, 0, sizeof(ppp->lcp_try));
}

static enum opt_verdict lcp_req_opt(struct ppp *ppp, const uint8_t *o,
				    struct optbuf *nak)
{
	struct lcp_opts *t = &ppp->lcp_try;
	uint32_t v;

	switch (o[0]) {
	case LCP_MRU:
		if (o[1] != 4)
			return OPT_REJ;
		v = get16(o + 2);
		if (v > MRU_MAX || v < MRU_MIN) {
			nak16(nak, LCP_MRU, v > MRU_MAX ? MRU_MAX : MRU_DEFAULT);
			return OPT_NAK;
		}
		t->mru_on = true;
		t->mru = (uint16_t)v;
		return OPT_ACK;
	case LCP_ACCM:	/* meaningless without async HDLC; harmless */
		return o[1] == 6 ? OPT_ACK : OPT_REJ;
	case LCP_AUTH:
		if (ppp->cfg.server || o[1] < 4)
			return OPT_REJ;
		if (o[1] == 4 && get16(o + 2) == PPP_PROTO_EAP) {
			t->auth_on = true;
			t->auth = PPP_PROTO_EAP;
			return OPT_ACK;
		}
		nak16(nak, LCP_AUTH, PPP_PROTO_EAP);
		return OPT_NAK;
	case LCP_MAGIC:
		if (o[1] != 6)
			return OPT_REJ;
		v = get32(o + 2);
		if (!v || (ppp->lcp_want.magic_on && v == ppp->lcp_want.magic)) {
			/* zero is illegal; equal to ours may be a loop */
			nak32(nak, LCP_MAGIC, new_magic(ppp, v));
			return OPT_NAK;
		}
		t->magic_on = true;
		t->magic = v;
		return OPT_ACK;
	default:	/* PFC, ACFC, Quality, Callback, MRRU, Endpoint, ... */
		return OPT_REJ;
	}
}

static void lcp_req_acked(struct ppp *ppp)
{
	ppp->lcp_his = ppp->lcp_try;
}

static const char *lcp_got_nak(struct ppp *ppp, const uint8_t *o)
{
	struct lcp_opts *w = &ppp->lcp_want;
	uint16_t v;

	switch (o[0]) {
	case LCP_MRU:
		if (o[1] != 4 || !w->mru_on)
			break;
		v = get16(o + 2);
		if (v >= MRU_MIN && v <= MRU_MAX)
			w->mru = v;
		else
			w->mru_on = false;
		break;
	case LCP_MAGIC:
		if (w->magic_on)
			w->magic = new_magic(ppp, w->magic);
		break;
	case LCP_AUTH:
		if (w->auth_on)
			return w->auth == PPP_PROTO_EAP ?
			       "peer refused EAP authentication" :
			       "peer refused the authentication protocol";
		break;
	default:
		break;
	}
	return NULL;
}

static const char *lcp_got_rej(struct ppp *ppp, const uint8_t *o)
{
	struct lcp_opts *w = &ppp->lcp_want;

	switch (o[0]) {
	case LCP_MRU:
		w->mru_on = false;
		break;
	case LCP_MAGIC:
		w->magic_on = false;
		w->magic = 0;
		break;
	case LCP_AUTH:
		return "peer will not authenticate (Authentication-Protocol rejected)";
	default:
		break;
	}
	return NULL;
}

static void lcp_up(struct ppp *ppp)
{
	if (ppp->ops->lcp_up)
		ppp->ops->lcp_up(ppp->ctx);
}

/* LCP leaves Opened: IPCP gets its Down event, quietly. */
static void lcp_down(struct ppp *ppp)
{
	ppp->ipcp.timer_on = false;
	if (ppp->ipcp.state != ST_INITIAL)
		ppp->ipcp.state = ST_STARTING;
}

static void send_echo_reply(struct ppp *ppp, uint8_t id, const uint8_t *data,
			    size_t len)
{
	uint8_t buf[OPTS_MAX];
	uint32_t magic = ppp->lcp_want.magic_on ? ppp->lcp_want.magic : 0;

	if (len > sizeof(buf))
		len = sizeof(buf);
	put32(buf, magic);
	memcpy(buf + 4, data + 4, len - 4);
	cp_send(&ppp->lcp, ECHOREP, id, buf, len, peer_limit(ppp));
}

static bool lcp_extra_code(struct ppp *ppp, uint8_t code, uint8_t id,
			   const uint8_t *data, size_t len)
{
	bool opened = ppp->lcp.state == ST_OPENED;

	switch (code) {
	case PROTREJ:
		/* only meaningful while Opened (RFC 1661 5.7) */
		if (opened && len >= 2 && get16(data) == PPP_PROTO_IPCP &&
		    ppp->ipcp.state >= ST_CLOSING)
			fail(ppp, "peer rejected IPCP (Protocol-Reject)");
		return true;
	case ECHOREQ:
		if (opened && len >= 4)
			send_echo_reply(ppp, id, data, len);
		return true;
	case ECHOREP:
	case DISCREQ:
	case IDENTIFICATION:	/* RFC 1570, sent by Windows; informative */
	case TIMEREMAINING:
		return true;
	default:
		return false;
	}
}

static const struct cp_ops lcp_ops = {
	.proto = PPP_PROTO_LCP,
	.name = "LCP",
	.term_always_fatal = true,
	.start = lcp_start,
	.build_req = lcp_build_req,
	.req_begin = lcp_req_begin,
	.req_opt = lcp_req_opt,
	.req_acked = lcp_req_acked,
	.got_nak = lcp_got_nak,
	.got_rej = lcp_got_rej,
	.up = lcp_up,
	.down = lcp_down,
	.extra_code = lcp_extra_code,
};

/* IPCP */

static int dns_index(uint8_t type)
{
	return type == IPCP_DNS1 ? 0 : type == IPCP_DNS2 ? 1 : -1;
}

static void ipcp_start(struct ppp *ppp)
{
	struct ipcp_opts *w = &ppp->ipcp_want;

	memset(w, 0, sizeof(*w));
	memset(&ppp->ipcp_his, 0, sizeof(ppp->ipcp_his));
	if (ppp->cfg.server) {
		w->addr_on = ppp->cfg.local_addr != 0;
		w->addr = ppp->cfg.local_addr;
	} else {
		w->addr_on = true;
		w->addr = ppp->cfg.local_addr;
		w->dns_on[0] = w->dns_on[1] = ppp->cfg.want_dns;
	}
}

static size_t ipcp_build_req(struct ppp *ppp, uint8_t *out)
{
	const struct ipcp_opts *w = &ppp->ipcp_want;
	size_t n = 0;

	if (w->addr_on)
		n += opt32(out + n, IPCP_ADDR, w->addr);
	if (w->dns_on[0])
		n += opt32(out + n, IPCP_DNS1, w->dns[0]);
	if (w->dns_on[1])
		n += opt32(out + n, IPCP_DNS2, w->dns[1]);
	return n;
}

static void ipcp_req_begin(struct ppp *ppp)
{
	memset(&ppp->ipcp_try, 0, sizeof(ppp->ipcp_try));
}

static enum opt_verdict ipcp_server_opt(struct ppp *ppp, const uint8_t *o,
					struct optbuf *nak)
{
	struct ipcp_opts *t = &ppp->ipcp_try;
	uint32_t v, want;
	int i;

	if (o[1] != 6)
		return OPT_REJ;
	v = get32(o + 2);
	if (o[0] == IPCP_ADDR) {
		want = ppp->cfg.peer_addr;
		t->addr_on = true;
		if (want ? v == want : v != 0) {
			t->addr = v;
			return OPT_ACK;
		}
		if (!want)
			return OPT_REJ;
		nak32(nak, IPCP_ADDR, want);
		return OPT_NAK;
	}
	i = dns_index(o[0]);
	if (i < 0 || !ppp->cfg.dns[i])
		return OPT_REJ;
	if (v == ppp->cfg.dns[i]) {
		t->dns_on[i] = true;
		t->dns[i] = v;
		return OPT_ACK;
	}
	nak32(nak, o[0], ppp->cfg.dns[i]);
	return OPT_NAK;
}

static enum opt_verdict ipcp_client_opt(struct ppp *ppp, const uint8_t *o,
					struct optbuf *nak)
{
	uint32_t v;

	(void)nak;
	/* 0.0.0.0 would ask us to assign the server an address */
	if (o[0] != IPCP_ADDR || o[1] != 6 || !(v = get32(o + 2)))
		return OPT_REJ;
	ppp->ipcp_try.addr_on = true;
	ppp->ipcp_try.addr = v;
	return OPT_ACK;
}

static enum opt_verdict ipcp_req_opt(struct ppp *ppp, const uint8_t *o,
				     struct optbuf *nak)
{
	return ppp->cfg.server ? ipcp_server_opt(ppp, o, nak) :
				 ipcp_client_opt(ppp, o, nak);
}

/* RFC 1332: a peer that did not ask for an address is told its address. */
static void ipcp_req_end(struct ppp *ppp, struct optbuf *nak)
{
	if (ppp->cfg.server && ppp->cfg.peer_addr && !ppp->ipcp_try.addr_on)
		nak32(nak, IPCP_ADDR, ppp->cfg.peer_addr);
}

static void ipcp_req_acked(struct ppp *ppp)
{
	ppp->ipcp_his = ppp->ipcp_try;
}

static const char *ipcp_got_nak(struct ppp *ppp, const uint8_t *o)
{
	struct ipcp_opts *w = &ppp->ipcp_want;
	uint32_t v;
	int i;

	/* the server keeps its own address whatever the client suggests */
	if (ppp->cfg.server || o[1] != 6)
		return NULL;
	v = get32(o + 2);
	if (o[0] == IPCP_ADDR && w->addr_on && v) {
		w->addr = v;
		return NULL;
	}
	i = dns_index(o[0]);
	if (i >= 0 && w->dns_on[i])
		w->dns[i] = v;
	return NULL;
}

static const char *ipcp_got_rej(struct ppp *ppp, const uint8_t *o)
{
	struct ipcp_opts *w = &ppp->ipcp_want;
	int i;

	if (o[0] == IPCP_ADDR) {
		w->addr_on = false;
		return NULL;
	}
	i = dns_index(o[0]);
	if (i >= 0)
		w->dns_on[i] = false;
	return NULL;
}

static void ipcp_up(struct ppp *ppp)
{
	if (!ppp->cfg.server &&
	    !(ppp->ipcp_want.addr_on && ppp->ipcp_want.addr)) {
		fail(ppp, "server assigned no IP address");
		return;
	}
	if (ppp->ops->ipcp_up)
		ppp->ops->ipcp_up(ppp->ctx);
}

static const struct cp_ops ipcp_ops = {
	.proto = PPP_PROTO_IPCP,
	.name = "IPCP",
	.start = ipcp_start,
	.build_req = ipcp_build_req,
	.req_begin = ipcp_req_begin,
	.req_opt = ipcp_req_opt,
	.req_end = ipcp_req_end,
	.req_acked = ipcp_req_acked,
	.got_nak = ipcp_got_nak,
	.got_rej = ipcp_got_rej,
	.up = ipcp_up,
};

/* Public interface */

int ppp_frame_decode(const uint8_t *p, size_t n, uint16_t *proto)
{
	size_t h = 0;

	if (n >= 1 && p[0] == 0xff) {
		/* 0x00ff is no protocol: FF must start FF 03 */
		if (n < 2 || p[1] != 0x03)
			return -EBADMSG;
		h = 2;
	}
	if (n <= h)
		return -EBADMSG;
	if (p[h] & 1) {
		*proto = p[h];
		return (int)h + 1;
	}
	if (n - h < 2 || !(p[h + 1] & 1))
		return -EBADMSG;
	*proto = get16(p + h);
	return (int)h + 2;
}

size_t ppp_frame_header(uint8_t out[4], uint16_t proto)
{
	out[0] = 0xff;
	out[1] = 0x03;
	put16(out + 2, proto);
	return 4;
}

static void cp_init(struct cp *f, struct ppp *ppp, const struct cp_ops *ops)
{
	f->ops = ops;
	f->ppp = ppp;
	f->state = ST_INITIAL;
}

struct ppp *ppp_new(const struct ppp_config *cfg, const struct ppp_ops *ops,
		    void *ctx)
{
	struct ppp *ppp;

	if (!cfg || !ops || !ops->send || !ops->down) {
		errno = EINVAL;
		return NULL;
	}
	ppp = calloc(1, sizeof(*ppp));
	if (!ppp)
		return NULL;
	ppp->cfg = *cfg;
	if (!ppp->cfg.restart_ms)
		ppp->cfg.restart_ms = 3000;
	if (!ppp->cfg.max_configure)
		ppp->cfg.max_configure = 10;
	if (!ppp->cfg.max_failure)
		ppp->cfg.max_failure = 5;
	if (!ppp->cfg.max_terminate)
		ppp->cfg.max_terminate = 2;
	ppp->ops = ops;
	ppp->ctx = ctx;
	ppp->seed = (uint64_t)(uintptr_t)ppp ^ 0x9e3779b97f4a7c15ULL;
	cp_init(&ppp->lcp, ppp, &lcp_ops);
	cp_init(&ppp->ipcp, ppp, &ipcp_ops);
	return ppp;
}

void ppp_free(struct ppp *ppp)
{
	free(ppp);
}

void ppp_lower_up(struct ppp *ppp, uint64_t now_ms)
{
	if (!ppp || ppp->dead)
		return;
	ppp->now = now_ms;
	cp_open(&ppp->lcp);
}

static void protocol_reject(struct ppp *ppp, uint16_t proto,
			    const uint8_t *data, size_t len)
{
	uint8_t buf[OPTS_MAX];

	if (len > sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	put16(buf, proto);
	if (len)
		memcpy(buf + 2, data, len);
	cp_send(&ppp->lcp, PROTREJ, ++ppp->lcp.id, buf, len + 2,
		peer_limit(ppp));
}

void ppp_input(struct ppp *ppp, uint16_t proto, const uint8_t *data,
	       size_t len, uint64_t now_ms)
{
	if (!ppp || ppp->dead || (!data && len))
		return;
	ppp->now = now_ms;
	if (proto == PPP_PROTO_LCP) {
		cp_input(&ppp->lcp, data, len);
		return;
	}
	/* NCP packets before the Network phase are discarded (RFC 1661 3.4) */
	if (ppp->lcp.state != ST_OPENED)
		return;
	if (proto == PPP_PROTO_IPCP)
		cp_input(&ppp->ipcp, data, len);
	else
		protocol_reject(ppp, proto, data, len);
}

void ppp_auth_done(struct ppp *ppp, uint64_t now_ms)
{
	if (!ppp || ppp->dead || ppp->lcp.state != ST_OPENED)
		return;
	ppp->now = now_ms;
	cp_open(&ppp->ipcp);
}

void ppp_close(struct ppp *ppp, const char *reason, uint64_t now_ms)
{
	struct cp *f;

	if (!ppp || ppp->dead)
		return;
	f = &ppp->lcp;
	ppp->now = now_ms;
	switch (f->state) {
	case ST_CLOSING:
		break;
	case ST_STOPPING:
		f->state = ST_CLOSING;
		break;
	case ST_REQSENT:
	case ST_ACKRCVD:
	case ST_ACKSENT:
	case ST_OPENED:
		start_terminate(f, ST_CLOSING, reason, "closed");
		break;
	default:	/* never started: nothing to tell the peer */
		fail(ppp, "closed");
		break;
	}
}

void ppp_timer(struct ppp *ppp, uint64_t now_ms)
{
	if (!ppp || ppp->dead)
		return;
	ppp->now = now_ms;
	cp_timer(&ppp->lcp, now_ms);
	if (!ppp->dead)
		cp_timer(&ppp->ipcp, now_ms);
}

const char *ppp_peer_term_text(const struct ppp *ppp)
{
	return ppp ? ppp->peer_term : "";
}

bool ppp_lcp_opened(const struct ppp *ppp)
{
	return ppp->lcp.state == ST_OPENED;
}

bool ppp_ipcp_opened(const struct ppp *ppp)
{
	return ppp->ipcp.state == ST_OPENED;
}

uint32_t ppp_local_addr(const struct ppp *ppp)
{
	if (!ppp_ipcp_opened(ppp))
		return 0;
	if (ppp->cfg.server)
		return ppp->cfg.local_addr;
	return ppp->ipcp_want.addr_on ? ppp->ipcp_want.addr : 0;
}

uint32_t ppp_peer_addr(const struct ppp *ppp)
{
	if (!ppp_ipcp_opened(ppp))
		return 0;
	if (ppp->ipcp_his.addr_on)
		return ppp->ipcp_his.addr;
	return ppp->cfg.server ? ppp->cfg.peer_addr : 0;
}

uint32_t ppp_dns(const struct ppp *ppp, unsigned int i)
{
	if (i >= 2)
		return 0;
	if (ppp->cfg.server)
		return ppp->cfg.dns[i];
	if (!ppp_ipcp_opened(ppp) || !ppp->ipcp_want.dns_on[i])
		return 0;
	return ppp->ipcp_want.dns[i];
}

uint16_t ppp_peer_mru(const struct ppp *ppp)
{
	if (!ppp->lcp_his.mru_on)
		return MRU_DEFAULT;
	return ppp->lcp_his.mru > PPP_MAX_PAYLOAD ? PPP_MAX_PAYLOAD :
						    ppp->lcp_his.mru;
}

uint16_t ppp_auth_proto(const struct ppp *ppp)
{
	if (!ppp_lcp_opened(ppp))
		return 0;
	if (ppp->cfg.server)
		return ppp->lcp_want.auth_on ? ppp->lcp_want.auth : 0;
	return ppp->lcp_his.auth_on ? ppp->lcp_his.auth : 0;
}

void ppp_set_peer_addr(struct ppp *ppp, uint32_t addr)
{
	ppp->cfg.peer_addr = addr;
}
