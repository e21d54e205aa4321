/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPP inside SSTP: frame header handling and the LCP/IPCP negotiation
 * automata (RFC 1661, RFC 1332, RFC 1877) for either end. No I/O: frames go
 * out through ops->send, time comes in as milliseconds.
 *
 * Authentication (EAP, protocol 0xc227) is not handled here: the caller
 * routes it to eap_tls and calls ppp_auth_done() when it finishes.
 *
 * Callbacks run synchronously from inside ppp_lower_up, ppp_input,
 * ppp_auth_done, ppp_close and ppp_timer. They may call back into the object
 * (lcp_up may call ppp_auth_done or ppp_close), but must never ppp_free() it:
 * free it after the call that invoked the callback has returned.
 *
 * The link does not survive renegotiation: a Configure-Request for LCP or
 * IPCP after that protocol reached Opened (other than a retransmission of
 * the one we acked), a Terminate-Request for LCP, or one for IPCP once it
 * is Opened, ends the link through ops->down.
 */
#ifndef _SSTP_PPP_H
#define _SSTP_PPP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode the PPP header of one frame carried in an SSTP data packet: an
 * optional FF 03 address/control field, then a 2-byte protocol or a 1-byte
 * compressed one (odd value). Returns the header length (1..4) with *proto
 * set, or -EBADMSG when the frame is too short or malformed.
 */
int ppp_frame_decode(const uint8_t *p, size_t n, uint16_t *proto);
/* Write FF 03 and the 2-byte protocol; returns 4. */
size_t ppp_frame_header(uint8_t out[4], uint16_t proto);

#define PPP_PROTO_LCP	0xc021
#define PPP_PROTO_IPCP	0x8021
#define PPP_PROTO_IPV6CP 0x8057
#define PPP_PROTO_EAP	0xc227
#define PPP_PROTO_IP	0x0021
#define PPP_PROTO_IPV6	0x0057

/*
 * The largest PPP payload one SSTP data packet carries: 4095 bytes minus the
 * SSTP header and FF 03 plus a 2-byte protocol (we never agree to ACFC/PFC).
 */
#define PPP_MAX_PAYLOAD	4087

struct ppp_ops {
	/* Send one frame: protocol and payload (the caller adds FF 03). */
	void (*send)(void *ctx, uint16_t proto, const uint8_t *data, size_t len);
	/* LCP reached Opened (both ends acked): start authentication. */
	void (*lcp_up)(void *ctx);
	/* IPCP reached Opened: addresses are settled. */
	void (*ipcp_up)(void *ctx);
	/*
	 * The link is finished: the peer terminated LCP, negotiation did not
	 * converge, retransmissions ran out. reason is for the log. No call
	 * into this object may follow except ppp_free(). Called exactly
	 * once; nothing is sent after it. reason is valid only during the
	 * call.
	 */
	void (*down)(void *ctx, const char *reason);
};

struct ppp_config {
	bool server;		/* authenticator: requires auth_proto */
	uint16_t mru;		/* MRU we ask for (0: leave the default 1500) */
	uint16_t auth_proto;	/* server: protocol required (PPP_PROTO_EAP) */
	/* IPCP, host byte order */
	uint32_t local_addr;	/* server: the gateway's address; client: 0 */
	uint32_t peer_addr;	/* server: address handed to the peer */
	uint32_t dns[2];	/* server: DNS handed out via Nak (0: none) */
	bool want_dns;		/* client: ask for 129/131 */
	unsigned int restart_ms;	/* retransmit timer, 3000 */
	unsigned int max_configure;	/* 10 */
	unsigned int max_failure;	/* Naks before Reject, 5 */
	unsigned int max_terminate;	/* 2 */
};

struct ppp;

struct ppp *ppp_new(const struct ppp_config *cfg, const struct ppp_ops *ops,
		    void *ctx);
void ppp_free(struct ppp *ppp);
/* The SSTP call is up: open LCP (send our Configure-Request). */
void ppp_lower_up(struct ppp *ppp, uint64_t now_ms);
/*
 * One received frame for LCP, IPCP or IPV6CP (IPV6CP and any protocol the
 * caller does not handle get a Protocol-Reject; call ppp_input for them).
 * Data protocols (IP, IPv6) and EAP must not be passed here.
 */
void ppp_input(struct ppp *ppp, uint16_t proto, const uint8_t *data,
	       size_t len, uint64_t now_ms);
/* Server: the address to hand the peer (known once it has authenticated). */
void ppp_set_peer_addr(struct ppp *ppp, uint32_t addr);
/* Authentication finished successfully: open IPCP. */
void ppp_auth_done(struct ppp *ppp, uint64_t now_ms);
/* Close the link: send LCP Terminate-Request (reason goes in its data). */
void ppp_close(struct ppp *ppp, const char *reason, uint64_t now_ms);
/* Retransmissions and timeouts; call at least every 250 ms. */
void ppp_timer(struct ppp *ppp, uint64_t now_ms);

/*
 * The text of the peer's LCP Terminate-Request (printable ASCII, at most
 * 100 characters), "" if it sent none or we were not listening.
 */
const char *ppp_peer_term_text(const struct ppp *ppp);

bool ppp_lcp_opened(const struct ppp *ppp);
bool ppp_ipcp_opened(const struct ppp *ppp);
/* After IPCP is up: the addresses agreed (host order). */
uint32_t ppp_local_addr(const struct ppp *ppp);
uint32_t ppp_peer_addr(const struct ppp *ppp);
/* Client: DNS servers received (0 if none). */
uint32_t ppp_dns(const struct ppp *ppp, unsigned int i);
/*
 * The peer's MRU: the largest PPP payload we may send (default 1500), capped
 * at PPP_MAX_PAYLOAD.
 */
uint16_t ppp_peer_mru(const struct ppp *ppp);
/*
 * Once LCP is Opened: the authentication protocol agreed (server: the one we
 * required; client: the one the server asked for and we acked), 0 if none.
 */
uint16_t ppp_auth_proto(const struct ppp *ppp);

#endif
