/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway: listener, sessions, the shared TUN device (userspace data
 * path), timers and the control socket, all on one epoll loop.
 */
#ifndef _SSTP_GATEWAY_H
#define _SSTP_GATEWAY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <openssl/ssl.h>

#include "config.h"
#include "dp_kmod.h"
#include "loop.h"
#include "pki.h"
#include "pool.h"

struct session;

struct gw_counters {
	uint64_t accepted;		/* TCP connections */
	uint64_t established;		/* sessions that came up */
	uint64_t refused;		/* closed before coming up */
	uint64_t over_limit;		/* refused for MaxSessions/MaxHandshakes */
	uint64_t tun_no_session;	/* TUN packets for no session */
	uint64_t tun_rx_errors;
};

struct gateway {
	struct sstp_config cfg;
	struct loop loop;
	SSL_CTX *tls;			/* outer HTTPS */
	SSL_CTX *eap_tls;		/* inner EAP-TLS, same certificate */
	struct pki *pki;
	struct pool pool;
	uint8_t cert_sha1[20], cert_sha256[32];
	char ifname[IF_NAMESIZE];
	char ctl_path[108];
	struct ev listen_ev, tun_ev, ctl_ev, sig_ev;
	struct session *sessions;	/* all live sessions */
	struct session *zombies;	/* closed, freed after the event batch */
	struct session *more;		/* have unread input (budget ran out) */
	struct session *dirty;		/* have queued output to flush */
	struct session **table;		/* by assigned address */
	unsigned int table_mask;
	unsigned int nsessions, nhandshakes;
	uint64_t next_id;
	uint64_t started_ms;
	struct gw_counters ctr;
	bool stopping;
	/* The kernel data path (gw_kmod.c). */
	struct kmod kmod;
	struct ev kmod_ev;
	bool kmod_on;			/* the device is there */
	bool kmod_lost;			/* ... and has just gone */
	uint64_t kmod_retry_ms;
	struct session **ktable;	/* kernel sessions by id */
	unsigned int nkernel;
	/* Persistent trust state (trust.c). */
	char revoked_path[PATH_MAX];	/* RevokedFile or the default */
};

/* Set up everything from a loaded configuration. 0 or -errno (logged). */
int gateway_init(struct gateway *gw, const struct sstp_config *cfg);
/* Run until stopped (signal or control command). */
int gateway_run(struct gateway *gw);
void gateway_destroy(struct gateway *gw);

/* Control-socket commands (ctl_server.c). */
int ctl_server_open(struct gateway *gw);
void ctl_server_close(struct gateway *gw);
/* Write the state as tab-separated lines (the "dump" format). */
void gateway_dump(struct gateway *gw, FILE *f);

/* Used by sessions. */
void gateway_table_add(struct gateway *gw, struct session *s);
void gateway_table_del(struct gateway *gw, struct session *s);
struct session *gateway_table_find(struct gateway *gw, uint32_t addr);
void gateway_mark_dirty(struct gateway *gw, struct session *s);
void gateway_mark_more(struct gateway *gw, struct session *s);
/* Write one IP packet to the TUN device. */
void gateway_tun_write(struct gateway *gw, const uint8_t *pkt, size_t len);

#endif
