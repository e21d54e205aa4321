// SPDX-License-Identifier: GPL-2.0
/*
 * PPP inside SSTP: frame headers and the interface of ppp.h over the LCP
 * and IPCP automata (ppp_fsm.c, lcp.c, ipcp.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ppp_priv.h"

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
	cp_init(&ppp->lcp, ppp, &ppp_lcp_ops);
	cp_init(&ppp->ipcp, ppp, &ppp_ipcp_ops);
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
		cp_start_terminate(f, ST_CLOSING, reason, "closed");
		break;
	default:	/* never started: nothing to tell the peer */
		ppp_fail(ppp, "closed");
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
