// SPDX-License-Identifier: GPL-2.0
/*
 * TUN queue steering, attached with TUNSETSTEERINGEBPF to sstpd's
 * multi-queue TUN device. The kernel runs it (tun_ebpf_select_queue) on
 * every packet the stack transmits into the device, before the packet is
 * queued, and puts the packet on queue "return value % attached queues".
 * skb->data is the IP header there (IFF_TUN: no link-layer header).
 *
 * steer_map: a session's IPv4 address (network order) -> the queue of the
 * worker that owns the session, kept by sstpd as sessions come and go.
 * Anything else -- IPv6, an address of no session, a runt -- goes to
 * TUN_STEER_DEFAULT_QUEUE and is counted as a miss.
 */
#include <stddef.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tun_steer.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	/* Entries are allocated as sessions come: the bound is set by the
	 * loader and is far above what most gateways ever hold.
	 */
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} steer_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TUN_STEER_NR_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} steer_counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *c = bpf_map_lookup_elem(&steer_counters, &slot);

	/* Per CPU, and queue selection runs with bottom halves off. */
	if (c)
		*c += 1;
}

SEC("socket")
int tun_steer(struct __sk_buff *skb)
{
	__u32 daddr, *queue;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		goto miss;
	/* Bounds-checked by the helper: a runt fails here. */
	if (bpf_skb_load_bytes(skb, offsetof(struct iphdr, daddr), &daddr,
			       sizeof(daddr)))
		goto miss;
	queue = bpf_map_lookup_elem(&steer_map, &daddr);
	if (!queue)
		goto miss;
	count(TUN_STEER_STEERED);
	return *queue;
miss:
	count(TUN_STEER_MISSED);
	return TUN_STEER_DEFAULT_QUEUE;
}

char LICENSE[] SEC("license") = "GPL";
