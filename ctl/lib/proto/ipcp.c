// SPDX-License-Identifier: GPL-2.0
/*
 * IPCP (RFC 1332) with the DNS options of RFC 1877: the server hands out
 * the peer's address and DNS servers by Nak, the client takes them.
 */
#include <string.h>

#include "ppp_priv.h"

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
		ppp_fail(ppp, "server assigned no IP address");
		return;
	}
	if (ppp->ops->ipcp_up)
		ppp->ops->ipcp_up(ppp->ctx);
}

const struct cp_ops ppp_ipcp_ops = {
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
