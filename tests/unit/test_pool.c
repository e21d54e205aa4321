// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "sstpd/pool.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void test_init_rejects(void **state)
{
	struct pool p;

	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 15, 0), -EINVAL);
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 31, 0), -EINVAL);
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 0, 0), -EINVAL);
	/* host bits set */
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 1), 24, 0), -EINVAL);
	/* reserve outside, on the network or the broadcast address */
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 24, IP(10, 0, 1, 1)),
			 -EINVAL);
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 24, IP(9, 255, 255, 255)),
			 -EINVAL);
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 24, IP(10, 0, 0, 0)),
			 -EINVAL);
	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 24, IP(10, 0, 0, 255)),
			 -EINVAL);
	assert_null(p.bits);
	/* a failed init leaves nothing to free, and alloc refuses */
	uint32_t a;

	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 3)), -EINVAL);
	pool_release(&p, IP(10, 0, 0, 3));
	pool_destroy(&p);
}

static void test_exhaust_29(void **state)
{
	struct pool p;
	uint32_t a;
	int i;

	/* .0 network, .7 broadcast, .1 gateway: .2 .. .6 remain */
	assert_int_equal(pool_init(&p, IP(10, 9, 8, 0), 29, IP(10, 9, 8, 1)), 0);
	assert_int_equal(p.capacity, 5);
	for (i = 2; i <= 6; i++) {
		assert_int_equal(pool_alloc(&p, &a), 0);
		assert_int_equal(a, IP(10, 9, 8, i));
	}
	assert_int_equal(p.used, 5);
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);

	/* release and reuse */
	pool_release(&p, IP(10, 9, 8, 4));
	assert_int_equal(p.used, 4);
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 9, 8, 4));
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);
	pool_destroy(&p);
	assert_null(p.bits);
}

static void test_no_reserve(void **state)
{
	struct pool p;
	uint32_t a;

	assert_int_equal(pool_init(&p, IP(192, 168, 0, 0), 30, 0), 0);
	assert_int_equal(p.capacity, 2);
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(192, 168, 0, 1));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(192, 168, 0, 2));
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);
	pool_destroy(&p);
}

static void test_next_fit(void **state)
{
	struct pool p;
	uint32_t a;

	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 24, IP(10, 0, 0, 1)), 0);
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 2));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 3));
	pool_release(&p, IP(10, 0, 0, 2));
	/* the released address is not handed out again at once */
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 4));

	/* take the rest up to .254, then the cursor wraps to .2 */
	for (uint32_t i = 5; i <= 254; i++) {
		assert_int_equal(pool_alloc(&p, &a), 0);
		assert_int_equal(a, IP(10, 0, 0, i));
	}
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 2));
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);

	/* holes on both sides of the cursor: the one after it comes first */
	pool_release(&p, IP(10, 0, 0, 100));
	pool_release(&p, IP(10, 0, 0, 200));
	pool_release(&p, IP(10, 0, 0, 64));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 64));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 100));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 200));
	pool_release(&p, IP(10, 0, 0, 150));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 150));
	pool_destroy(&p);
}

static void test_take(void **state)
{
	struct pool p;
	uint32_t a;

	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 29, IP(10, 0, 0, 6)), 0);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 1)), 0);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 1)), -EEXIST);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 0)), -EINVAL);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 7)), -EINVAL);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 6)), -EINVAL);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 8)), -EINVAL);
	assert_int_equal(pool_take(&p, IP(9, 255, 255, 255)), -EINVAL);
	assert_int_equal(p.used, 1);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 3)), 0);
	/* alloc skips taken addresses */
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 2));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 4));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(10, 0, 0, 5));
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);
	assert_int_equal(p.used, 5);
	pool_destroy(&p);
}

static void test_release_harmless(void **state)
{
	struct pool p;
	uint32_t a, b;

	assert_int_equal(pool_init(&p, IP(10, 0, 0, 0), 29, IP(10, 0, 0, 1)), 0);
	assert_int_equal(pool_alloc(&p, &a), 0);
	pool_release(&p, a);
	pool_release(&p, a);
	assert_int_equal(p.used, 0);
	/* never-allocated, special and foreign addresses are ignored */
	pool_release(&p, IP(10, 0, 0, 5));
	pool_release(&p, IP(10, 0, 0, 0));
	pool_release(&p, IP(10, 0, 0, 1));
	pool_release(&p, IP(10, 0, 0, 7));
	pool_release(&p, IP(10, 0, 1, 2));
	assert_int_equal(p.used, 0);
	/* the reserved, network and broadcast bits are still set */
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pool_alloc(&p, &b), 0);
		assert_true(b >= IP(10, 0, 0, 2) && b <= IP(10, 0, 0, 6));
	}
	assert_int_equal(pool_alloc(&p, &b), -ENOSPC);
	assert_int_equal(pool_take(&p, IP(10, 0, 0, 1)), -EINVAL);
	pool_destroy(&p);
}

static void test_capacity_16(void **state)
{
	struct pool p;
	uint8_t *seen;
	uint32_t a, n = 0;

	assert_int_equal(pool_init(&p, IP(172, 20, 0, 0), 16,
				   IP(172, 20, 0, 1)), 0);
	assert_int_equal(p.size, 65536);
	assert_int_equal(p.capacity, 65533);
	seen = calloc(65536, 1);
	assert_non_null(seen);
	while (pool_alloc(&p, &a) == 0) {
		uint32_t off = a - IP(172, 20, 0, 0);

		assert_true(off < 65536);
		assert_int_equal(seen[off], 0);
		seen[off] = 1;
		n++;
	}
	assert_int_equal(n, 65533);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 0);
	assert_int_equal(seen[65535], 0);
	assert_int_equal(pool_alloc(&p, &a), -ENOSPC);
	/* one hole deep inside is found by the word scan */
	pool_release(&p, IP(172, 20, 123, 45));
	assert_int_equal(pool_alloc(&p, &a), 0);
	assert_int_equal(a, IP(172, 20, 123, 45));
	free(seen);
	pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_exhaust_29),
		cmocka_unit_test(test_no_reserve),
		cmocka_unit_test(test_next_fit),
		cmocka_unit_test(test_take),
		cmocka_unit_test(test_release_harmless),
		cmocka_unit_test(test_capacity_16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
