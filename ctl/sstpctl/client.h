/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client end of one SSTP connection (MS-SSTP 3.2): TLS, HTTP, SSTP
 * call setup, PPP with an EAP-TLS peer, the crypto binding. Many can run on
 * one loop (load mode).
 */
#ifndef _SSTPCTL_CLIENT_H
#define _SSTPCTL_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/ssl.h>

#include "net/link.h"
#include "nl/sstpnl.h"
#include "util/loop.h"

struct ppp;
struct eap_tls;
struct client;

struct client_opts {
	const char *host;		/* address or name to connect to */
	const char *port;		/* "443" */
	const char *server_name;	/* SNI and certificate name; NULL: host */
	bool insecure;			/* do not check the gateway's name */
	SSL_CTX *tls;			/* outer, verifies the gateway */
	SSL_CTX *eap;			/* inner, holds our certificate */
	const char *identity;		/* EAP identity */
	unsigned int mtu;		/* our MRU */
	unsigned int hello_interval;	/* seconds */
	unsigned int timeout;		/* seconds to come up */
	bool want_dns;
	bool ktls;			/* move to kernel TLS when possible */
};

struct client_ops {
	void (*up)(struct client *c);
	/* Called once; the owner frees the client afterwards (not inside). */
	void (*down)(struct client *c, const char *why);
	void (*ip)(struct client *c, const uint8_t *pkt, size_t len);
	/* After client_use_kernel: 0 on the kernel path, or -errno + why. */
	void (*kernel)(struct client *c, int err, const char *why);
	/*
	 * Optional (test peers): sees each PPP control frame (LCP, IPCP,
	 * ...) before the PPP state machine; true when it took the frame.
	 */
	bool (*ppp_in)(struct client *c, uint16_t proto, const uint8_t *p,
		       size_t n);
};

enum client_state {
	CS_CONNECTING, CS_TLS, CS_HTTP, CS_ACK_WAIT, CS_PPP, CS_UP,
	CS_DISCONNECTING, CS_DONE,
};

struct client {
	struct ev ev;
	struct loop *loop;
	const struct client_opts *o;
	const struct client_ops *ops;
	void *owner;
	enum client_state state;
	struct sstp_link link;
	struct ppp *ppp;
	struct eap_tls *eap;
	uint8_t nonce[SSTP_NONCE_LEN];
	uint8_t bitmask;
	bool authed, cc_sent, ipcp_up, more;
	bool auth_failed;		/* waiting for the gateway to say why */
	uint8_t hlak[SSTP_HLAK_LEN];
	uint64_t started_ms, up_ms, deadline_ms, last_rx_ms, echo_sent_ms;
	uint32_t local, gateway, dns[2];	/* host order, after IPCP */
	char reason[256];		/* why we started to disconnect */
	/* The kernel data path: sstp.ko carries the session. */
	struct sstpnl *kmod;
	bool kattach, kpath, kgone;
	uint32_t kid;
};

/* Start connecting. 0 or -errno (nothing to free on error). */
int client_start(struct client *c, struct loop *l, const struct client_opts *o,
		 const struct client_ops *ops, void *owner);
/* Queue an IP packet (only when up). 0 or -ENOBUFS/-ENOTCONN. */
int client_send_ip(struct client *c, const uint8_t *pkt, size_t len);
/* Write out what is queued. */
void client_flush(struct client *c);
/* Continue reading when a previous read stopped at its budget. */
void client_more(struct client *c);
/* Timers; call every 250 ms or so. */
void client_tick(struct client *c, uint64_t now);
/* CALL_DISCONNECT, then down() on ACK or after 5 s. */
void client_disconnect(struct client *c, const char *why);
void client_destroy(struct client *c);
/*
 * Move the session to sstp.ko (k has a device): done after the current
 * batch of input, once queued frames are out; ops->kernel tells how it
 * went. Only for a session that is up with kernel TLS both ways.
 */
void client_use_kernel(struct client *c, struct sstpnl *k);
/* From k's notifications: a frame for us, and the session's end. */
void client_kernel_input(struct client *c, const uint8_t *pkt, size_t len);
void client_kernel_gone(struct client *c, const struct sstpnl_stats *st);
const char *client_state_name(const struct client *c);

#endif
