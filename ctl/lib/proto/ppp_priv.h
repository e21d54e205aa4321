/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the PPP files share: ppp_fsm.c (the RFC 1661 option-negotiation
 * automaton), lcp.c and ipcp.c (what each control protocol adds to it, as
 * a struct cp_ops) and ppp.c (the interface of ppp.h). Nobody else sees it.
 */
#ifndef _SSTP_PPP_PRIV_H
#define _SSTP_PPP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/* Option buffers: a peer request's Nak and Reject lists, our requests. */

static inline bool buf_put(struct optbuf *b, const uint8_t *opt, size_t len)
{
	if (len > sizeof(b->d) - b->len)
		return false;
	memcpy(b->d + b->len, opt, len);
	b->len += len;
	return true;
}

static inline void nak16(struct optbuf *b, uint8_t type, uint16_t v)
{
	uint8_t o[4] = { type, 4 };

	put16(o + 2, v);
	buf_put(b, o, sizeof(o));
}

static inline void nak32(struct optbuf *b, uint8_t type, uint32_t v)
{
	uint8_t o[6] = { type, 6 };

	put32(o + 2, v);
	buf_put(b, o, sizeof(o));
}

static inline size_t opt16(uint8_t *out, uint8_t type, uint16_t v)
{
	out[0] = type;
	out[1] = 4;
	put16(out + 2, v);
	return 4;
}

static inline size_t opt32(uint8_t *out, uint8_t type, uint32_t v)
{
	out[0] = type;
	out[1] = 6;
	put32(out + 2, v);
	return 6;
}

/* The largest packet we may send the peer: its MRU. */
static inline size_t peer_limit(const struct ppp *ppp)
{
	return ppp_peer_mru(ppp);
}

/* ppp_fsm.c: the automaton, driven for LCP and IPCP alike. */

/* End the whole link: ops->down, exactly once. */
void ppp_fail(struct ppp *ppp, const char *reason);
void ppp_failf(struct ppp *ppp, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cp_init(struct cp *f, struct ppp *ppp, const struct cp_ops *ops);
/* limit: truncate the data to this total packet size (peer MRU). */
void cp_send(struct cp *f, uint8_t code, uint8_t id, const uint8_t *data,
	     size_t len, size_t limit);
/* Up and Open together, from Initial: irc, scr, Req-Sent. */
void cp_open(struct cp *f);
/* Opened -> Stopping or Closing: tld, irc, str. */
void cp_start_terminate(struct cp *f, enum cp_state to, const char *data,
			const char *reason);
/* One received packet of this protocol (code, id, length, data). */
void cp_input(struct cp *f, const uint8_t *p, size_t n);
/* The restart timer, when it has expired. */
void cp_timer(struct cp *f, uint64_t now);

/* lcp.c, ipcp.c */
extern const struct cp_ops ppp_lcp_ops;
extern const struct cp_ops ppp_ipcp_ops;

#endif
