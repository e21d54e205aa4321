// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sstpd/preauth.h"

static const uint64_t seed[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

static struct preauth_key v4(const char *a)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct preauth_key k;

	assert_int_equal(inet_pton(AF_INET, a, &sin.sin_addr), 1);
	preauth_key_from_sa(&k, (struct sockaddr *)&sin);
	return k;
}

static struct preauth_key v6(const char *a)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct preauth_key k;

	assert_int_equal(inet_pton(AF_INET6, a, &sin6.sin6_addr), 1);
	preauth_key_from_sa(&k, (struct sockaddr *)&sin6);
	return k;
}

static bool same(struct preauth_key a, struct preauth_key b)
{
	return !memcmp(&a, &b, sizeof(a));
}

static void test_keys(void **state)
{
	char s[PREAUTH_KEY_STR];
	struct preauth_key k;

	/* IPv4: the whole address */
	assert_true(same(v4("10.99.0.2"), v4("10.99.0.2")));
	assert_false(same(v4("10.99.0.2"), v4("10.99.0.3")));
	/* IPv4-mapped IPv6 (dual-stack listener) is the IPv4 source */
	assert_true(same(v4("10.99.0.2"), v6("::ffff:10.99.0.2")));
	assert_false(same(v6("::ffff:10.99.0.2"), v6("::ffff:10.99.0.3")));
	/* IPv6: the /64 */
	assert_true(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:2:ffff:1:2:3")));
	assert_false(same(v6("2001:db8:1:2::1"), v6("2001:db8:1:3::1")));
	assert_false(same(v6("2001:db8:1:2::1"), v6("2001:db9:1:2::1")));
	/* and not an IPv4 address whose bytes happen to match */
	assert_false(same(v6("::"), v4("0.0.0.0")));

	k = v4("10.99.0.2");
	preauth_key_str(&k, s, sizeof(s));
	assert_string_equal(s, "10.99.0.2");
	k = v6("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
	preauth_key_str(&k, s, sizeof(s));
	assert_string_equal(s, "2001:db8:1:2::/64");
	k = v6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	preauth_key_str(&k, s, sizeof(s));
	assert_string_equal(s, "ffff:ffff:ffff:ffff::/64");
}

static void test_init(void **state)
{
	struct preauth_table t;

	assert_int_equal(preauth_init(&t, 0, 4, seed), -EINVAL);
	assert_int_equal(preauth_init(&t, 1u << 29, 0, seed), -EINVAL);
	assert_int_equal(preauth_init(&t, 4, 0, NULL), 0);
	preauth_destroy(&t);
	assert_int_equal(preauth_init(&t, 100, 10, seed), 0);
	assert_int_equal(t.capacity, 110);
	/* buckets: a power of two at least the capacity */
	assert_int_equal(t.mask + 1, 128);
	preauth_destroy(&t);
}

static void test_counts(void **state)
{
	struct preauth_table t;
	struct preauth_key a = v4("10.99.0.2"), b = v6("2001:db8::7");
	const struct preauth_src *e;
	uint32_t ia, ia2, ib;

	assert_int_equal(preauth_init(&t, 8, 0, seed), 0);
	assert_null(preauth_find(&t, &a));
	ia = preauth_open(&t, &a);
	ia2 = preauth_open(&t, &a);
	ib = preauth_open(&t, &b);
	assert_int_equal(ia, ia2);
	assert_int_not_equal(ia, ib);
	e = preauth_find(&t, &a);
	assert_non_null(e);
	assert_int_equal(e->conns, 2);
	assert_int_equal(e->half, 2);
	assert_int_equal(t.used, 2);
	assert_int_equal(t.nlive, 2);

	/* one comes up: still a connection, no longer half-open */
	preauth_up(&t, ia);
	assert_int_equal(e->conns, 2);
	assert_int_equal(e->half, 1);
	/* never below zero, whatever the caller does */
	preauth_up(&t, ia);
	preauth_up(&t, ia);
	assert_int_equal(e->half, 0);
	preauth_close(&t, ia, true);
	assert_int_equal(e->conns, 1);
	assert_int_equal(e->half, 0);
	preauth_close(&t, ia, false);
	assert_null(preauth_find(&t, &a));
	preauth_close(&t, ia, true);	/* already gone: harmless */
	preauth_up(&t, PREAUTH_NONE);
	preauth_close(&t, PREAUTH_NONE, true);
	preauth_close(&t, 1000, true);
	assert_int_equal(t.used, 1);
	assert_int_equal(t.nlive, 1);
	assert_int_equal(preauth_find(&t, &b)->conns, 1);
	preauth_close(&t, ib, true);
	assert_int_equal(t.used, 0);
	assert_int_equal(t.nlive, 0);
	preauth_destroy(&t);
}

static void test_bounded(void **state)
{
	struct preauth_table t;
	uint32_t idx[64];
	char a[32];
	unsigned int i;

	/* 16 sources fit; the 17th does not, and nothing grows */
	assert_int_equal(preauth_init(&t, 16, 0, seed), 0);
	for (i = 0; i < 17; i++) {
		struct preauth_key k;

		snprintf(a, sizeof(a), "10.0.%u.%u", i / 256, i % 256);
		k = v4(a);
		idx[i] = preauth_open(&t, &k);
		if (i < 16)
			assert_int_not_equal(idx[i], PREAUTH_NONE);
		else
			assert_int_equal(idx[i], PREAUTH_NONE);
	}
	assert_int_equal(t.used, 16);
	/* a source already in holds more connections without a new entry */
	{
		struct preauth_key k = v4("10.0.0.5");

		assert_int_equal(preauth_open(&t, &k), idx[5]);
		assert_int_equal(preauth_find(&t, &k)->conns, 2);
		preauth_close(&t, idx[5], true);
	}
	/* freed entries are reused */
	preauth_close(&t, idx[3], true);
	{
		struct preauth_key k = v4("192.0.2.1");

		assert_int_equal(preauth_open(&t, &k), idx[3]);
	}
	for (i = 0; i < 16; i++)
		preauth_close(&t, idx[i], true);
	assert_int_equal(t.used, 0);
	assert_int_equal(t.nlive, 0);
	preauth_destroy(&t);
}

/* Many sources in one bucket chain (same hash by chance) still work. */
static void test_many_sources(void **state)
{
	struct preauth_table t;
	static uint32_t idx[4096];
	char a[64];
	unsigned int i, j;

	assert_int_equal(preauth_init(&t, 4096, 0, NULL), 0);
	for (j = 0; j < 3; j++) {
		for (i = 0; i < 4096; i++) {
			struct preauth_key k;

			snprintf(a, sizeof(a), "2001:db8:%x:%x::1", i, j);
			k = v6(a);
			if (j == 0) {
				idx[i] = preauth_open(&t, &k);
				assert_int_not_equal(idx[i], PREAUTH_NONE);
			} else if (j == 1) {
				/* other hosts of the same /64: same source */
				snprintf(a, sizeof(a), "2001:db8:%x:0:%x::9", i,
					 i);
				k = v6(a);
				assert_int_equal(preauth_open(&t, &k), idx[i]);
			} else {
				snprintf(a, sizeof(a), "2001:db8:%x::", i);
				k = v6(a);
				assert_int_equal(preauth_find(&t, &k)->conns, 2);
			}
		}
	}
	assert_int_equal(t.used, 4096);
	for (i = 0; i < 4096; i += 2) {
		preauth_close(&t, idx[i], true);
		preauth_close(&t, idx[i], true);
	}
	assert_int_equal(t.used, 2048);
	assert_int_equal(t.nlive, 2048);
	for (i = 1; i < 4096; i += 2) {
		struct preauth_key k;

		snprintf(a, sizeof(a), "2001:db8:%x::", i);
		k = v6(a);
		assert_int_equal(preauth_find(&t, &k)->conns, 2);
		preauth_close(&t, idx[i], false);
		preauth_close(&t, idx[i], false);
	}
	assert_int_equal(t.used, 0);
	preauth_destroy(&t);
}

static void test_busiest(void **state)
{
	struct preauth_table t;
	struct preauth_key a = v4("10.0.0.1"), b = v4("10.0.0.2");
	uint32_t ia = PREAUTH_NONE, ib = PREAUTH_NONE;
	int i;

	assert_int_equal(preauth_init(&t, 8, 0, seed), 0);
	assert_int_equal(preauth_busiest(&t), PREAUTH_NONE);
	for (i = 0; i < 3; i++)
		ia = preauth_open(&t, &a);
	for (i = 0; i < 5; i++)
		ib = preauth_open(&t, &b);
	assert_int_equal(preauth_busiest(&t), ib);
	for (i = 0; i < 4; i++)
		preauth_up(&t, ib);
	assert_int_equal(preauth_busiest(&t), ia);
	for (i = 0; i < 3; i++)
		preauth_up(&t, ia);
	assert_int_equal(preauth_busiest(&t), ib);
	preauth_up(&t, ib);
	/* connections that are all up are not half-open */
	assert_int_equal(preauth_busiest(&t), PREAUTH_NONE);
	preauth_destroy(&t);
}

struct report {
	unsigned int calls;
	uint64_t total;
	uint64_t other;
	unsigned int other_sources;
	char last[PREAUTH_KEY_STR];
	char detail[PREAUTH_DETAIL];
};

static void report_cb(void *ctx, const struct preauth_src *src,
		      uint64_t refused, unsigned int sources)
{
	struct report *r = ctx;

	r->calls++;
	r->total += refused;
	if (!src) {
		r->other += refused;
		r->other_sources = sources;
		return;
	}
	assert_int_equal(sources, 1);
	preauth_key_str(&src->key, r->last, sizeof(r->last));
	snprintf(r->detail, sizeof(r->detail), "%s", src->detail);
}

static void test_refusals(void **state)
{
	struct preauth_table t;
	struct preauth_key a = v4("10.99.0.2");
	struct report r = { 0 };
	unsigned int i, now = 0;

	assert_int_equal(preauth_init(&t, 4, 4, seed), 0);
	assert_int_equal(t.burst, 20);
	assert_int_equal(t.max_lines, 100);
	/* the first 20 refusals of an interval are logged at once ... */
	for (i = 0; i < 20; i++)
		assert_true(preauth_refuse(&t, &a,
					   "MaxHandshakesPerSource reached"));
	/* ... the next 100000 are only counted */
	for (i = 0; i < 100000; i++)
		now += preauth_refuse(&t, &a, "MaxHandshakesPerSource reached");
	assert_int_equal(now, 0);
	assert_int_equal(t.used, 1);
	assert_int_equal(preauth_flush(&t, report_cb, &r), 1);
	assert_int_equal(r.total, 100000);
	assert_string_equal(r.last, "10.99.0.2");
	assert_string_equal(r.detail, "MaxHandshakesPerSource reached");
	/* nothing held, nothing to report: the entry is free again */
	assert_int_equal(t.used, 0);
	assert_null(preauth_find(&t, &a));
	/* a quiet interval reports nothing */
	memset(&r, 0, sizeof(r));
	t.burst = 1;
	assert_true(preauth_refuse(&t, &a, "x"));
	assert_int_equal(preauth_flush(&t, report_cb, &r), 0);
	assert_int_equal(preauth_flush(&t, report_cb, &r), 0);
	assert_int_equal(r.calls, 0);
	/* next interval: logged at once again */
	assert_true(preauth_refuse(&t, &a, "x"));
	preauth_flush(&t, report_cb, &r);
	preauth_destroy(&t);
}

/* A flood from many sources: bounded entries, bounded lines. */
static void test_refusal_flood(void **state)
{
	struct preauth_table t;
	struct report r = { 0 };
	unsigned int i, now = 0, held;
	struct preauth_key k;
	uint32_t conn;
	char a[64];

	assert_int_equal(preauth_init(&t, 4, 16, seed), 0);
	t.max_lines = 8;
	t.burst = 1;
	k = v4("192.0.2.1");
	conn = preauth_open(&t, &k);
	for (i = 0; i < 100000; i++) {
		snprintf(a, sizeof(a), "2001:db8:%x:%x::1", i >> 16, i & 0xffff);
		k = v6(a);
		now += preauth_refuse(&t, &k, "TLS handshake failed");
	}
	/* at most max_lines logged at once; at most spare entries taken */
	assert_int_equal(now, 8);
	assert_true(t.used <= 1 + 16);
	held = t.used;
	/* the connections' entries are never taken by refusals */
	k = v4("198.51.100.1");
	assert_int_not_equal(preauth_open(&t, &k), PREAUTH_NONE);
	assert_int_equal(t.used, held + 1);
	/*
	 * 8 lines for the 8 sources that found a spare entry after the
	 * budget of lines at once ran out, one for all the rest
	 */
	assert_int_equal(preauth_flush(&t, report_cb, &r), 9);
	assert_int_equal(r.total, 100000 - 8);
	assert_int_equal(r.other, 100000 - 16);
	assert_int_equal(r.other_sources, 0);
	assert_int_equal(t.used, 2);
	preauth_close(&t, conn, true);
	preauth_destroy(&t);
}

/* Refusals of a source that holds connections are kept with them. */
static void test_refusal_with_conns(void **state)
{
	struct preauth_table t;
	struct preauth_key a = v4("10.99.0.2"), b;
	struct report r = { 0 };
	uint32_t ia;
	char s[32];
	unsigned int i;

	assert_int_equal(preauth_init(&t, 4, 0, seed), 0);
	t.burst = 1;
	ia = preauth_open(&t, &a);
	/* no spare entries: others' refusals go to "other" */
	b = v4("10.99.0.3");
	assert_false(preauth_refuse(&t, &b, "y"));
	assert_true(preauth_refuse(&t, &a, "x"));
	assert_false(preauth_refuse(&t, &a, "x"));
	assert_false(preauth_refuse(&t, &a, "x"));
	/* many sources, one line each at most, then the rest summed */
	t.max_lines = 2;
	for (i = 0; i < 3; i++) {
		snprintf(s, sizeof(s), "10.1.0.%u", i);
		b = v4(s);
		preauth_open(&t, &b);
		preauth_refuse(&t, &b, "z");
		preauth_refuse(&t, &b, "z");
	}
	/*
	 * a: 2 counted; 10.1.0.0: 1 (its first was logged); then the lines
	 * run out: 10.1.0.1 and .2 (2 each) and 10.99.0.3 (1) in one line
	 */
	assert_int_equal(preauth_flush(&t, report_cb, &r), 3);
	assert_int_equal(r.total, 2 + 1 + 2 + 2 + 1);
	assert_int_equal(r.other, 5);
	assert_int_equal(r.other_sources, 2);
	preauth_close(&t, ia, true);
	preauth_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_many_sources),
		cmocka_unit_test(test_busiest),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusal_flood),
		cmocka_unit_test(test_refusal_with_conns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
