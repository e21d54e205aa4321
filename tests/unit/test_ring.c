// SPDX-License-Identifier: GPL-2.0
/* The workers' hand-off ring (ctl/sstpd/ring.c). */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sstpd/ring.h"

static void test_init_rejects(void **state)
{
	struct ring r;

	assert_int_equal(ring_init(&r, 0), -EINVAL);
	assert_int_equal(ring_init(&r, 32), -EINVAL);
	assert_int_equal(ring_init(&r, 1000), -EINVAL);
	assert_int_equal(ring_init(&r, 1024), 0);
	ring_destroy(&r);
	ring_destroy(&r);	/* harmless twice */
}

static void test_empty(void **state)
{
	const uint8_t *p = NULL;
	struct ring r;

	assert_int_equal(ring_init(&r, 256), 0);
	assert_int_equal(ring_peek(&r, &p), -1);
	assert_true(ring_push(&r, "abc", 3));
	assert_int_equal(ring_peek(&r, &p), 3);
	assert_memory_equal(p, "abc", 3);
	/* peek does not consume */
	assert_int_equal(ring_peek(&r, &p), 3);
	ring_pop(&r);
	assert_int_equal(ring_peek(&r, &p), -1);
	/* a zero-length record is a record */
	assert_true(ring_push(&r, "", 0));
	assert_int_equal(ring_peek(&r, &p), 0);
	ring_pop(&r);
	assert_int_equal(ring_peek(&r, &p), -1);
	ring_destroy(&r);
}

/* Full: refused, nothing overwritten; room again after a pop. */
static void test_full(void **state)
{
	uint8_t rec[60], *big;
	const uint8_t *p;
	struct ring r;
	int n = 0, i;

	assert_int_equal(ring_init(&r, 256), 0);
	/* 4 + 60 = 64 bytes a record: exactly 4 fit */
	for (i = 0; i < 10; i++) {
		memset(rec, i, sizeof(rec));
		if (!ring_push(&r, rec, sizeof(rec)))
			break;
		n++;
	}
	assert_int_equal(n, 4);
	assert_false(ring_push(&r, rec, 1));
	for (i = 0; i < 4; i++) {
		assert_int_equal(ring_peek(&r, &p), 60);
		assert_int_equal(p[0], i);
		assert_int_equal(p[59], i);
		ring_pop(&r);
		if (i == 0) {
			/* one slot free again, the rest untouched */
			memset(rec, 9, sizeof(rec));
			assert_true(ring_push(&r, rec, sizeof(rec)));
			assert_false(ring_push(&r, rec, 1));
		}
	}
	assert_int_equal(ring_peek(&r, &p), 60);
	assert_int_equal(p[0], 9);
	ring_pop(&r);
	assert_int_equal(ring_peek(&r, &p), -1);
	/* larger than half the ring: never */
	big = calloc(1, 256);
	assert_non_null(big);
	assert_int_equal(ring_max_record(256), 124);
	assert_false(ring_push(&r, big, 125));
	assert_true(ring_push(&r, big, 124));
	free(big);
	ring_destroy(&r);
}

/* Records that do not fit before the end start over at the beginning. */
static void test_wrap(void **state)
{
	uint8_t rec[100];
	const uint8_t *p;
	struct ring r;
	int i;

	assert_int_equal(ring_init(&r, 256), 0);
	for (i = 0; i < 1000; i++) {
		size_t len = (size_t)(i * 37 % 101);

		memset(rec, i & 0xff, len);
		assert_true(ring_push(&r, rec, len));
		if (i % 3 == 0) {
			/* two in flight at times, so the ends meet */
			memset(rec, (i + 1) & 0xff, 20);
			assert_true(ring_push(&r, rec, 20));
			assert_int_equal(ring_peek(&r, &p), (long)len);
			if (len)
				assert_int_equal(p[len - 1], i & 0xff);
			ring_pop(&r);
			assert_int_equal(ring_peek(&r, &p), 20);
			assert_int_equal(p[19], (i + 1) & 0xff);
			ring_pop(&r);
		} else {
			assert_int_equal(ring_peek(&r, &p), (long)len);
			if (len)
				assert_int_equal(p[0], i & 0xff);
			ring_pop(&r);
		}
		assert_int_equal(ring_peek(&r, &p), -1);
	}
	ring_destroy(&r);
}

/*
 * Two threads: every record that was pushed arrives once, whole and in
 * order; a refused push is retried (so nothing is lost here), and the
 * producer sees the ring full at some point.
 */
#define STRESS_N	200000

struct stress {
	struct ring r;
	unsigned long refused;
};

static void fill(uint8_t *b, uint32_t seq, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seq * 31 + i);
}

static size_t len_of(uint32_t seq)
{
	return 4 + seq * 7919 % 1500;
}

static void *producer(void *arg)
{
	struct stress *st = arg;
	uint8_t b[1504];
	uint32_t seq;

	for (seq = 0; seq < STRESS_N; seq++) {
		size_t len = len_of(seq);

		memcpy(b, &seq, 4);
		fill(b + 4, seq, len - 4);
		while (!ring_push(&st->r, b, len))
			st->refused++;
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct stress st = { .refused = 0 };
	uint8_t want[1504];
	uint32_t seq = 0, got;
	pthread_t t;
	bool bad = false;

	assert_int_equal(ring_init(&st.r, 16384), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &st), 0);
	while (seq < STRESS_N) {
		const uint8_t *p;
		long n = ring_peek(&st.r, &p);

		if (n < 0)
			continue;
		memcpy(&got, p, 4);
		fill(want, seq, len_of(seq) - 4);
		if (got != seq || (size_t)n != len_of(seq) ||
		    memcmp(p + 4, want, (size_t)n - 4)) {
			bad = true;
			break;
		}
		ring_pop(&st.r);
		seq++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(bad);
	assert_int_equal(seq, STRESS_N);
	assert_true(st.refused > 0);
	ring_destroy(&st.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_two_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
