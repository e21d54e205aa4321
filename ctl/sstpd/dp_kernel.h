/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's side of the kernel data path: the sstp device, moving a
 * session to sstp.ko once it is up on kernel TLS, its control frames going
 * through netlink instead of the socket, and the module's notifications
 * fed back into the session's state machines.
 */
#ifndef _SSTPD_GW_KMOD_H
#define _SSTPD_GW_KMOD_H

#include <stdbool.h>

struct gateway;
struct session;
struct session_info;

/* At start: open the module and create the device (logs what it does). */
void gw_kmod_start(struct gateway *gw);
/* At exit, after the sessions: delete the device. */
void gw_kmod_stop(struct gateway *gw);
/* Deliver notifications queued while requests waited for answers. */
void gw_kmod_poll(struct gateway *gw);
/* Fill s->kst of every kernel session from the module's dump. 0 or -errno. */
int gw_kmod_collect(struct gateway *gw);

/* Should this session (up, on kTLS) move to the kernel? */
bool gw_kmod_wanted(struct gateway *gw, struct session *s);
/*
 * Move it: 0, and the module holds a copy of its socket; or -errno, and it
 * stays on its current path (logged).
 */
int gw_kmod_attach(struct gateway *gw, struct session *s);
/* Send its queued frames through the module. 0, or -1 when it is gone. */
int gw_kmod_xmit(struct gateway *gw, struct session *s);
/* Take it out of the module (when the session closes). */
void gw_kmod_detach(struct gateway *gw, struct session *s);
/* Its path and the module's counters (last gw_kmod_collect) in out. */
void gw_kmod_info(struct gateway *gw, const struct session *s,
		  struct session_info *out);

#endif
