// SPDX-License-Identifier: GPL-2.0
/*
 * The RFC 1661 option-negotiation automaton. One automaton drives both LCP
 * and IPCP; what differs between them lives in a table of option handlers
 * (struct cp_ops, in lcp.c and ipcp.c).
 *
 * Departures from the RFC automaton, because the link is useless to us
 * without a fixed LCP and IPCP and the caller has no "layer down" callback:
 * leaving Opened through renegotiation, a Terminate-Request for LCP (any
 * state) or for IPCP (Opened), and every this-layer-finished action end the
 * whole link through ops->down. Closed and Stopped are therefore never
 * resting states.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ppp_priv.h"

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

void ppp_fail(struct ppp *ppp, const char *reason)
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

void ppp_failf(struct ppp *ppp, const char *fmt, ...)
    {
	char why[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ppp_fail(ppp, why);
}

void cp_send(struct cp *f, uint8_t code, uint8_t id, const uint8_t *data,
	     size_t len, size_t limit)
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

void cp_open(struct cp *f)
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

void cp_start_terminate(struct cp *f, enum cp_state to, const char *data,
			const char *reason)
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
	ppp_fail(f->ppp, f->state == ST_CLOSING ? "closed" : f->reason);
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
		ppp_failf(ppp, "peer restarted %s negotiation", f->ops->name);
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
		ppp_failf(ppp, "%s negotiation did not converge: the peer Nak'ed or Rejected %u requests",
			  f->ops->name, f->naks_rcvd - 1);
		return;
	}
	for (i = 0; i < len; i += opts[i + 1]) {
		const char *why = code == CONFNAK ?
			f->ops->got_nak(ppp, opts + i) :
			f->ops->got_rej(ppp, opts + i);

		if (why) {
			ppp_fail(ppp, why);
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
			ppp_failf(ppp, "peer terminated %s: %.*s", f->ops->name,
				  (int)len, (const char *)data);
		else
			ppp_failf(ppp, "peer terminated %s", f->ops->name);
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
		ppp_failf(f->ppp, "peer restarted %s negotiation (Terminate-Ack)",
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
		cp_start_terminate(f, ST_STOPPING, NULL, why);
		break;
	}
	case ST_CLOSING:
	case ST_STOPPING:
		finish_terminate(f);
		break;
	default:
		ppp_failf(f->ppp, "peer rejected %s code %u", f->ops->name, rc);
		break;
	}
}

void cp_input(struct cp *f, const uint8_t *p, size_t n)
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
			ppp_failf(ppp, "%s negotiation did not converge after %u requests",
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

void cp_timer(struct cp *f, uint64_t now)
{
	if (!f->timer_on || now < f->timer_at)
		return;
	f->timer_on = false;
	cp_timeout(f);
}

void cp_init(struct cp *f, struct ppp *ppp, const struct cp_ops *ops)
{
	f->ops = ops;
	f->ppp = ppp;
	f->state = ST_INITIAL;
}
