/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel data path: the sstp device of sstp.ko. A session up on kernel
 * TLS moves there (the module takes its socket); its control frames go
 * through netlink instead of the socket, and the module's notifications
 * (control input, the session's end) come back into its state machines.
 */
#ifndef _SSTPD_DP_KERNEL_H
#define _SSTPD_DP_KERNEL_H

struct dp;
struct gateway;

/* The path, not open yet. NULL when out of memory. */
struct dp *dp_kernel_new(struct gateway *gw);

#endif
