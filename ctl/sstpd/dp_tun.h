/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TUN data path: one TUN device for every session that keeps its
 * socket; packets from the device go to the session at their destination
 * (the gateway's address table), packets from sessions go into it.
 */
#ifndef _SSTPD_DP_TUN_H
#define _SSTPD_DP_TUN_H

struct dp;
struct worker;
struct gateway;
struct tun_offload;
struct tunq_stats;

/* The path, not open yet (no device). NULL when out of memory. */
struct dp *dp_tun_new(struct gateway *gw);
/*
 * Carry the TUN's packets on fd (one per read and write), instead of a
 * device opened by open (tests may pass a SOCK_SEQPACKET socket). 0 or
 * -errno.
 */
int dp_tun_use_fd(struct dp *dp, int fd);
/* Which TUN offloads are on, and why not the others. */
const struct tun_offload *dp_tun_offload(struct dp *dp);
/*
 * Add worker w's queue counters (reads and the segments they gave, packets
 * and writes) to sum; on w's thread.
 */
void dp_tun_add_stats(struct worker *w, struct tunq_stats *sum);

#endif
