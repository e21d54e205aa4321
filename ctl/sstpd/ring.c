// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

/*
 * A record is a 4-byte length and the bytes, padded to 8; a record that
 * would cross the end of the buffer starts at the beginning instead, a
 * WRAP length marking the skipped tail (always >= 8 bytes: positions are
 * multiples of 8).
 */
#define HDR		4u
#define WRAP		UINT32_MAX

static size_t rec_len(size_t len)
{
	return (HDR + len + 7) & ~(size_t)7;
}

size_t ring_max_record(size_t size)
{
	return size / 2 - HDR;
}

int ring_init(struct ring *r, size_t size)
{
	if (size < 64 || (size & (size - 1)))
		return -EINVAL;
	/* malloc, not calloc: pages are touched only when the ring is used. */
	r->buf = malloc(size);
	if (!r->buf)
		return -ENOMEM;
	r->size = size;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_destroy(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

static void put_u32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get_u32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

bool ring_push(struct ring *r, const void *data, size_t len)
{
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t pos = tail & (r->size - 1), need = rec_len(len), skip = 0;

	if (len > ring_max_record(r->size))
		return false;
	if (pos + need > r->size)
		skip = r->size - pos;
	if (r->size - (tail - head) < skip + need)
		return false;
	if (skip) {
		put_u32(r->buf + pos, WRAP);
		pos = 0;
	}
	put_u32(r->buf + pos, (uint32_t)len);
	memcpy(r->buf + pos + HDR, data, len);
	atomic_store_explicit(&r->tail, tail + skip + need,
			      memory_order_release);
	return true;
}

long ring_peek(struct ring *r, const uint8_t **data)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t pos = head & (r->size - 1);
	uint32_t len;

	if (head == tail)
		return -1;
	len = get_u32(r->buf + pos);
	if (len == WRAP) {
		/* The producer wrote the record after it before its tail. */
		head += r->size - pos;
		atomic_store_explicit(&r->head, head, memory_order_release);
		pos = 0;
		len = get_u32(r->buf);
	}
	*data = r->buf + pos + HDR;
	return (long)len;
}

void ring_pop(struct ring *r)
{
	size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint32_t len = get_u32(r->buf + (head & (r->size - 1)));

	atomic_store_explicit(&r->head, head + rec_len(len),
			      memory_order_release);
}
