/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A data path: what carries the IP packets of sessions that are up.
 *
 * The gateway keeps a short list of paths. The TUN path (dp_tun.c) is the
 * default: one TUN device, its packets forwarded by the gateway's address
 * table; sessions keep their socket and move SSTP frames themselves. A
 * path that holds sockets (the kernel path, dp_kernel.c: sstp.ko) takes a
 * session once it is up and its queue is out; from then on the session's
 * frames go through the path (xmit) and its control input comes back from
 * it (session_dp_input). Sessions never see these calls: the gateway makes
 * them for the session host operations (session_host.h), so a new path
 * (per-core, eBPF) plugs in here without touching session.c.
 *
 * Per-session state of a path lives in the path, named by s->reg.dp_priv
 * while s->reg.dp points at the path.
 */
#ifndef _SSTPD_DP_H
#define _SSTPD_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gateway;
struct session;
struct session_info;
struct worker;

struct dp;

struct dp_ops {
	const char *name;
	/*
	 * At start: 0, or -errno (logged) when the path cannot run (a path
	 * that holds sockets is then skipped; the TUN path is required).
	 */
	int (*open)(struct dp *dp);
	/* At exit, after the sessions; also frees dp. */
	void (*close)(struct dp *dp);
	/* Optional (paths that hold sockets): may it take s now? */
	bool (*wants)(struct dp *dp, struct session *s);
	/*
	 * Optional: carry s. 0, and for a path that holds sockets it has its
	 * own reference to s's socket; or -errno and s stays where it was.
	 */
	int (*attach)(struct dp *dp, struct session *s);
	/* Optional: let go of s (it is closing): nothing names s after it. */
	void (*detach)(struct dp *dp, struct session *s);
	/* Optional: an IP packet from s's client, into the stack. */
	void (*transmit)(struct dp *dp, struct session *s, const uint8_t *pkt,
			 size_t len);
	/*
	 * Optional (paths that hold sockets): s's queued SSTP frames to its
	 * client. 0, or -1 when the path has lost s.
	 */
	int (*xmit)(struct dp *dp, struct session *s);
	/* Optional: fetch per-session counters (what info then shows). */
	int (*collect)(struct dp *dp);
	/* Optional: s's path name and the path's share of its counters. */
	void (*info)(struct dp *dp, const struct session *s,
		     struct session_info *out);
	/* Optional: work left over (queued notifications), and doing it. */
	bool (*pending)(struct dp *dp);
	void (*poll)(struct dp *dp);
	/* Optional: the end of worker w's event batch: write out what it holds. */
	void (*flush)(struct dp *dp, struct worker *w);
};

struct dp {
	const struct dp_ops *ops;
	struct gateway *gw;
	const char *dev;		/* its device, NULL while it has none */
	unsigned int nsessions;		/* attached */
};

#endif
