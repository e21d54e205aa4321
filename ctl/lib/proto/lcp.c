// SPDX-License-Identifier: GPL-2.0
/*
 * LCP (RFC 1661): MRU, magic number, the authentication protocol (EAP,
 * required by the server), echo and the codes LCP adds to the automaton.
 */
#include <string.h>
#include <openssl/rand.h>

#include "ppp_priv.h"

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
			ppp_fail(ppp, "peer rejected IPCP (Protocol-Reject)");
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

const struct cp_ops ppp_lcp_ops = {
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
