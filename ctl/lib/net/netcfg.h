/* SPDX-License-Identifier: GPL-2.0 */
/* The TUN device and its addresses and routes (rtnetlink through libmnl). */
#ifndef _SSTP_NETCFG_H
#define _SSTP_NETCFG_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

/* Create or attach a TUN (IFF_TUN | IFF_NO_PI), non-blocking. fd or -errno. */
int tun_open(const char *name, char actual[IF_NAMESIZE]);
/*
 * One queue of a multi-queue TUN device (IFF_MULTI_QUEUE): the first call
 * creates the device, later calls with its actual name add queues. The fd
 * (non-blocking) or -errno.
 */
int tun_open_mq(const char *name, char actual[IF_NAMESIZE]);

/* Set MTU and bring the link up. 0 or -errno. */
int netcfg_link_up(const char *ifname, unsigned int mtu);
/*
 * Add an IPv4 address (host order). With peer != 0 the address is a
 * point-to-point one (local peer/32); otherwise local/plen.
 */
int netcfg_addr_add(const char *ifname, uint32_t local, uint8_t plen,
		    uint32_t peer);
/* A device route for a prefix. 0, -EEXIST or -errno. */
int netcfg_route_add(const char *ifname, const struct cidr4 *dst);
/* A device route whose packets leave with source src (host order). */
int netcfg_route_add_src(const char *ifname, const struct cidr4 *dst,
			 uint32_t src);
/* A route for a prefix through a next hop (host order) on ifname. */
int netcfg_route_add_via(const char *ifname, const struct cidr4 *dst,
			 uint32_t via);
/* Remove the route for a prefix on ifname. 0, -ESRCH or -errno. */
int netcfg_route_del(const char *ifname, const struct cidr4 *dst);
/*
 * Does any route in the main table (other than the default route and
 * routes through ifname) overlap prefix? 1 with the route written to found,
 * 0 if none, or -errno.
 */
int netcfg_route_overlap(const struct cidr4 *prefix, const char *ifname,
			 char *found, size_t foundlen);

#endif
