/* SPDX-License-Identifier: GPL-2.0 */
/* Bucket of a 32-bit key (an address, a session id) in a hash table. */
#ifndef _SSTP_HASH_H
#define _SSTP_HASH_H

#include <stdint.h>

/*
 * Multiplicative hashing (Knuth; the kernel's GOLDEN_RATIO_32): the middle
 * bits mix every bit of the key. mask: the table size minus one (a power
 * of two, at most 65536 buckets).
 */
static inline unsigned int hash_u32(uint32_t key, unsigned int mask)
{
	return ((key * 0x9e3779b1u) >> 16) & mask;
}

#endif
