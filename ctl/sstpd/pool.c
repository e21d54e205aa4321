// SPDX-License-Identifier: GPL-2.0
/*
 * Client address pool: a bitmap over the prefix, scanned a 64-bit word at
 * a time from a next-fit cursor, so a released address rests for a full
 * cycle before it is handed out again.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

static void set_bit(struct pool *p, uint32_t off)
{
	p->bits[off / 64] |= (uint64_t)1 << (off % 64);
}

static void clear_bit(struct pool *p, uint32_t off)
{
	p->bits[off / 64] &= ~((uint64_t)1 << (off % 64));
}

static bool test_bit(const struct pool *p, uint32_t off)
{
	return p->bits[off / 64] & ((uint64_t)1 << (off % 64));
}

static uint32_t n_words(const struct pool *p)
{
	return (p->size + 63) / 64;
}

int pool_init(struct pool *p, uint32_t net, uint8_t plen, uint32_t reserve)
{
	uint32_t off;

	memset(p, 0, sizeof(*p));
	if (plen < 16 || plen > 30)
		return -EINVAL;
	p->size = (uint32_t)1 << (32 - plen);
	if (net & (p->size - 1))
		return -EINVAL;
	if (reserve && (reserve - net >= p->size || reserve == net ||
			reserve == net + p->size - 1))
		return -EINVAL;
	p->bits = calloc(n_words(p), sizeof(*p->bits));
	if (!p->bits)
		return -ENOMEM;
	p->base = net;
	p->reserve = reserve;
	/* Bits past the end of a small prefix count as taken. */
	for (off = p->size; off < n_words(p) * 64; off++)
		set_bit(p, off);
	set_bit(p, 0);
	set_bit(p, p->size - 1);
	p->capacity = p->size - 2;
	if (reserve) {
		set_bit(p, reserve - net);
		p->capacity--;
	}
	p->next = 1;
	return 0;
}

void pool_destroy(struct pool *p)
{
	free(p->bits);
	memset(p, 0, sizeof(*p));
}

/* First clear bit at or after word w, bit b; -1 if none up to the end. */
static int64_t scan(const struct pool *p, uint32_t w, uint32_t b, uint32_t end)
{
	uint64_t free_bits = ~p->bits[w] & (~(uint64_t)0 << b);

	for (;;) {
		if (free_bits)
			return (int64_t)w * 64 + __builtin_ctzll(free_bits);
		if (++w >= end)
			return -1;
		free_bits = ~p->bits[w];
	}
}

int pool_alloc(struct pool *p, uint32_t *addr)
{
	int64_t off;

	if (!p->bits || p->used >= p->capacity)
		return -ENOSPC;
	if (p->next >= p->size)
		p->next = 0;
	off = scan(p, p->next / 64, p->next % 64, n_words(p));
	if (off < 0)
		off = scan(p, 0, 0, p->next / 64 + 1);
	if (off < 0)
		return -ENOSPC;
	set_bit(p, off);
	p->used++;
	p->next = off + 1;
	*addr = p->base + off;
	return 0;
}

static bool special(const struct pool *p, uint32_t off)
{
	return off == 0 || off == p->size - 1 ||
	       (p->reserve && off == p->reserve - p->base);
}

int pool_take(struct pool *p, uint32_t addr)
{
	uint32_t off = addr - p->base;

	if (!p->bits || off >= p->size || special(p, off))
		return -EINVAL;
	if (test_bit(p, off))
		return -EEXIST;
	set_bit(p, off);
	p->used++;
	return 0;
}

void pool_release(struct pool *p, uint32_t addr)
{
	uint32_t off = addr - p->base;

	if (!p->bits || off >= p->size || special(p, off) || !test_bit(p, off))
		return;
	clear_bit(p, off);
	p->used--;
}
