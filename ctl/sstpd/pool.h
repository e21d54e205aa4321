/* SPDX-License-Identifier: GPL-2.0 */
/* Client address pool: one IPv4 address per session. */
#ifndef _SSTPD_POOL_H
#define _SSTPD_POOL_H

#include <stdint.h>

struct pool {
	uint32_t base;		/* network address, host order */
	uint32_t size;		/* number of addresses in the prefix */
	uint32_t next;		/* next-fit cursor (offset) */
	uint32_t used;
	uint32_t capacity;	/* addresses that can be handed out */
	uint32_t reserve;	/* the gateway's address, 0 for none */
	uint64_t *bits;		/* 1 = taken or reserved */
};

/*
 * Prefix length 16..30. The network and broadcast addresses and reserve
 * (the gateway's own address, 0 for none) are never handed out.
 * 0 or -EINVAL / -ENOMEM.
 */
int pool_init(struct pool *p, uint32_t net, uint8_t plen, uint32_t reserve);
void pool_destroy(struct pool *p);
/* Next free address after the last one handed out. 0 or -ENOSPC. */
int pool_alloc(struct pool *p, uint32_t *addr);
/* Take a specific address (0, -EEXIST or -EINVAL). */
int pool_take(struct pool *p, uint32_t addr);
void pool_release(struct pool *p, uint32_t addr);

#endif
