// SPDX-License-Identifier: GPL-2.0
/*
 * Load-mode bulk flows (ctl/sstpctl/bulk.c): the datagram, the check of
 * echoes (hostile input from the gateway's side), the TCP-like window and
 * the pace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sstpctl/bulk.h"

#define SRC	0xac10c005u	/* 172.16.192.5 */
#define DST	0xac10c001u	/* 172.16.192.1 */

static uint32_t sum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* What the reflector sends back: the datagram, addresses and ports swapped. */
static size_t echo_of(const uint8_t *d, size_t n, uint8_t *out)
{
	memcpy(out, d, n);
	memcpy(out + 12, d + 16, 4);
	memcpy(out + 16, d + 12, 4);
	memcpy(out + 20, d + 22, 2);
	memcpy(out + 22, d + 20, 2);
	return n;
}

/* Send one and return its echo in out (length). */
static size_t send_one(struct bulk_flow *f, const struct bulk_opts *o,
		       struct bulk_stats *st, uint8_t *out)
{
	const uint8_t *d;

	assert_true(bulk_can_send(f, o));
	d = bulk_next(f, o);
	bulk_sent(f, o, st);
	return echo_of(d, BULK_HDR + o->size, out);
}

static void test_datagram(void **state)
{
	struct bulk_opts o = { .port = 5301, .size = 100, .window = 8 };
	struct bulk_flow f;
	struct bulk_stats st = { 0 };
	const uint8_t *d;

	(void)state;
	assert_int_equal(bulk_flow_init(&f, &o, 7, SRC, DST, 0), 0);
	d = bulk_next(&f, &o);
	assert_int_equal(d[0], 0x45);
	assert_int_equal(d[2] << 8 | d[3], BULK_HDR + 100);
	assert_int_equal(d[6] & 0x40, 0x40);		/* DF */
	assert_int_equal(d[9], 17);
	assert_int_equal(sum16(d, 20), 0xffff);		/* header checksum */
	assert_memory_equal(d + 12, "\xac\x10\xc0\x05\xac\x10\xc0\x01", 8);
	assert_int_equal(d[22] << 8 | d[23], 5301);
	assert_int_equal(d[24] << 8 | d[25], 8 + 100);
	assert_int_equal(d[26] | d[27], 0);		/* no UDP checksum */
	bulk_sent(&f, &o, &st);
	d = bulk_next(&f, &o);
	assert_int_equal(d[BULK_HDR + 15], 1);		/* sequence 1 */
	assert_int_equal(sum16(d, 20), 0xffff);
	assert_int_equal(st.tx, 1);
	assert_int_equal(st.tx_bytes, 100);
	bulk_flow_free(&f);
	bulk_flow_free(&f);	/* twice: harmless */
}

static void test_input(void **state)
{
	struct bulk_opts o = { .port = 5301, .size = 100, .window = 8 };
	struct bulk_flow f;
	struct bulk_stats st = { 0 };
	uint8_t e[256], bad[256];
	size_t n;

	(void)state;
	assert_int_equal(bulk_flow_init(&f, &o, 3, SRC, DST, 0), 0);
	n = send_one(&f, &o, &st, e);
	assert_true(bulk_input(&f, &o, e, n, 1, &st));
	assert_int_equal(st.rx, 1);
	assert_int_equal(st.rx_bytes, 100);
	assert_int_equal(st.bad, 0);
	assert_int_equal(f.inflight, 0);

	/* Not bulk: ICMP, another port, IPv6, short. Not counted. */
	memcpy(bad, e, n);
	bad[9] = 1;
	assert_false(bulk_input(&f, &o, bad, n, 1, &st));
	memcpy(bad, e, n);
	bad[21] = 0;
	assert_false(bulk_input(&f, &o, bad, n, 1, &st));
	memcpy(bad, e, n);
	bad[0] = 0x60;
	assert_false(bulk_input(&f, &o, bad, n, 1, &st));
	assert_false(bulk_input(&f, &o, e, 19, 1, &st));
	/* An IHL pointing past the packet. */
	memcpy(bad, e, n);
	bad[0] = 0x4f;
	assert_false(bulk_input(&f, &o, bad, 60, 1, &st));
	assert_int_equal(st.bad, 0);

	/* From the port but not ours: another session, no magic, sizes. */
	memcpy(bad, e, n);
	bad[BULK_HDR + 7] = 4;
	assert_true(bulk_input(&f, &o, bad, n, 1, &st));
	memcpy(bad, e, n);
	bad[BULK_HDR] = 0;
	assert_true(bulk_input(&f, &o, bad, n, 1, &st));
	assert_true(bulk_input(&f, &o, e, BULK_HDR + BULK_MIN - 1, 1, &st));
	assert_true(bulk_input(&f, &o, e, n + 1, 1, &st));
	assert_int_equal(st.bad, 4);
	assert_int_equal(st.rx, 1);

	/* A sequence number never sent moves nothing. */
	memcpy(bad, e, n);
	bad[BULK_HDR + 8] = 0x7f;
	assert_true(bulk_input(&f, &o, bad, n, 1, &st));
	assert_int_equal(f.expect, 1);
	bulk_flow_free(&f);
}

static void test_window(void **state)
{
	struct bulk_opts o = { .port = 5301, .size = 100, .window = 16 };
	struct bulk_flow f;
	struct bulk_stats st = { 0 };
	uint8_t e[16][256];
	size_t n = 0;
	unsigned int i, w;

	(void)state;
	assert_int_equal(bulk_flow_init(&f, &o, 0, SRC, DST, 0), 0);
	assert_int_equal(f.cwnd, 2);
	/* Slow start: every echo opens the window by one, up to 16. */
	for (w = 0; w < 6; w++) {
		unsigned int k = 0;

		while (bulk_can_send(&f, &o))
			n = send_one(&f, &o, &st, e[k++]);
		assert_int_equal(k, f.cwnd);
		for (i = 0; i < k; i++)
			assert_true(bulk_input(&f, &o, e[i], n, 1, &st));
	}
	assert_int_equal(f.cwnd, 16);
	assert_int_equal(f.inflight, 0);

	/* Three of a window lost: halved once, not three times. */
	for (i = 0; i < 16; i++)
		n = send_one(&f, &o, &st, e[i]);
	assert_false(bulk_can_send(&f, &o));
	for (i = 0; i < 16; i++)
		if (i != 2 && i != 5 && i != 9)
			assert_true(bulk_input(&f, &o, e[i], n, 1, &st));
	/* To 8, then one more for the 11 echoes after the first gap. */
	assert_int_equal(f.ssthresh, 8);
	assert_int_equal(f.cwnd, 9);
	assert_int_equal(f.inflight, 0);
	/* The lost ones arriving late change nothing. */
	assert_true(bulk_input(&f, &o, e[5], n, 1, &st));
	assert_int_equal(f.cwnd, 9);
	assert_int_equal(f.inflight, 0);

	/* A full window without echoes for BULK_STALL_MS: written off. */
	while (bulk_can_send(&f, &o))
		send_one(&f, &o, &st, e[0]);
	bulk_flow_tick(&f, &o, 100, 100);
	assert_false(bulk_can_send(&f, &o));
	bulk_flow_tick(&f, &o, 200, 1 + BULK_STALL_MS);
	assert_true(bulk_can_send(&f, &o));
	assert_int_equal(f.cwnd, 2);
	assert_int_equal(f.inflight, 0);
	bulk_flow_free(&f);

	/* Open loop: no window at all. */
	o.window = 0;
	assert_int_equal(bulk_flow_init(&f, &o, 0, SRC, DST, 0), 0);
	for (i = 0; i < 1000; i++)
		send_one(&f, &o, &st, e[0]);
	assert_true(bulk_can_send(&f, &o));
	bulk_flow_free(&f);
}

static void test_pace(void **state)
{
	/* 8 Mbit/s: 1,000 bytes a millisecond, datagrams of 100 bytes. */
	struct bulk_opts o = { .port = 5301, .size = 100, .mbit = 8 };
	struct bulk_flow f;
	struct bulk_stats st = { 0 };
	uint8_t e[256];
	unsigned int k = 0;

	(void)state;
	assert_int_equal(bulk_flow_init(&f, &o, 0, SRC, DST, 0), 0);
	assert_false(bulk_can_send(&f, &o));
	bulk_flow_tick(&f, &o, 10, 10);
	while (bulk_can_send(&f, &o))
		send_one(&f, &o, &st, e), k++;
	assert_int_equal(k, 100);
	/* Credit is capped at 50 ms: an idle second does not burst. */
	bulk_flow_tick(&f, &o, 1000, 1010);
	k = 0;
	while (bulk_can_send(&f, &o))
		send_one(&f, &o, &st, e), k++;
	assert_int_equal(k, 501);
	bulk_flow_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datagram),
		cmocka_unit_test(test_input),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_pace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
