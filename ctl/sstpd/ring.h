/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded single-producer/single-consumer ring of variable-length
 * records (whole IP packets), lock-free: one worker pushes, one other
 * worker pops. The producer owns tail and dropped, the consumer owns head;
 * each only reads the other's index (acquire), so a record's bytes are
 * visible before its length is. A push that does not fit is refused (the
 * caller drops and counts): the producer never waits for the consumer.
 */
#ifndef _SSTPD_RING_H
#define _SSTPD_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	alignas(64) _Atomic size_t head;	/* consumer: bytes popped */
	alignas(64) _Atomic size_t tail;	/* producer: bytes pushed */
	alignas(64) size_t size;		/* a power of two */
	uint8_t *buf;
};

/* size: bytes, a power of two >= 64. 0 or -EINVAL / -ENOMEM. */
int ring_init(struct ring *r, size_t size);
void ring_destroy(struct ring *r);
/* Producer: copy one record in. false when it does not fit now. */
bool ring_push(struct ring *r, const void *data, size_t len);
/*
 * Consumer: the oldest record (*data, its length returned) or -1 when
 * empty; it stays until ring_pop.
 */
long ring_peek(struct ring *r, const uint8_t **data);
void ring_pop(struct ring *r);
/* The largest record a ring of size bytes takes. */
size_t ring_max_record(size_t size);

#endif
