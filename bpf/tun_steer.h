/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What tun_steer.bpf.c and its loader (ctl/sstpd/steer.c) agree on, beyond
 * the maps the skeleton describes: the counters' slots and the queue a
 * packet goes to when the map does not name one.
 */
#ifndef _SSTP_BPF_TUN_STEER_H
#define _SSTP_BPF_TUN_STEER_H

/* Slots of the per-CPU counter array. */
enum tun_steer_counter {
	TUN_STEER_STEERED,	/* IPv4 destination found in the map */
	TUN_STEER_MISSED,	/* not IPv4, too short, or not in the map */
	TUN_STEER_NR_COUNTERS,
};

/* Misses (IPv6, addresses of no session) go to queue 0. */
#define TUN_STEER_DEFAULT_QUEUE	0

#endif
