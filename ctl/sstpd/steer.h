/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Steering of the multi-queue TUN device: an eBPF program
 * (bpf/tun_steer.bpf.c) attached with TUNSETSTEERINGEBPF puts each packet
 * the stack sends into the device on the queue of the worker that owns its
 * destination, from a map (IPv4 address -> queue) kept here.
 *
 * Queue numbers are the kernel's: the order in which the queues were
 * attached (the first TUNSETIFF is queue 0). Detaching a queue moves the
 * last one into its place, so a caller that detaches queues must steer
 * again. Misses (IPv6, addresses in no session) go to queue 0.
 *
 * The calls may come from several threads: each is one bpf() or ioctl()
 * system call on descriptors fixed at steer_open.
 */
#ifndef _SSTPD_STEER_H
#define _SSTPD_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most addresses the map holds: the configuration's MaxSessions bound. */
#define STEER_MAX_ADDRS		1000000
/* The kernel's bound on a TUN device's queues (MAX_TAP_QUEUES). */
#define STEER_MAX_QUEUES	256

struct steer;

/*
 * Load the program and attach it to the multi-queue TUN device that tun_fd
 * is a queue of. tun_fd is duplicated: the caller keeps its own, and the
 * duplicate keeps that queue (and the device) until steer_close, so close
 * the steering before the queues. NULL, with why filled and errno set, when
 * it cannot (no BPF, verifier refused, old kernel, not a multi-queue TUN
 * device, nqueues 0 or above STEER_MAX_QUEUES).
 */
struct steer *steer_open(int tun_fd, unsigned int nqueues, char *why,
			 size_t whylen);
/* Packets to addr (host order) go to queue. 0, -EINVAL (queue >= nqueues),
 * -E2BIG (map full) or -errno.
 */
int steer_set(struct steer *st, uint32_t addr, unsigned int queue);
/* addr goes back to the default queue. 0, -ENOENT or -errno. */
int steer_del(struct steer *st, uint32_t addr);
/* Packets steered by the map and missed, summed over CPUs. 0 or -errno. */
int steer_stats(struct steer *st, uint64_t *steered, uint64_t *missed);
/* Detach (TUNSETSTEERINGEBPF with -1) and free; NULL is fine. */
void steer_close(struct steer *st);
/* Can this process load the program (bpf() works, with the privilege)? */
bool steer_available(void);

#endif
