// SPDX-License-Identifier: GPL-2.0
/*
 * The two versions do not collide: SSTP_VERSION is the protocol's version
 * byte, SSTP_PKG_VERSION the package's version string (the top-level
 * Makefile's VERSION, refined by git describe). The protocol header comes
 * first on purpose: when both were called SSTP_VERSION, the string lost.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <linux/sstp_proto.h>
#include "util/version.h"

static void test_protocol_byte(void **state)
{
	uint8_t hdr[SSTP_HDR_LEN];

	(void)state;
	assert_int_equal(SSTP_VERSION, 0x10);
	sstp_hdr_put(hdr, 0, SSTP_HDR_LEN);
	assert_int_equal(hdr[0], 0x10);
}

/* MAJOR.MINOR.PATCH, then at most git describe's -N-gHASH and -dirty. */
static void test_package_version(void **state)
{
	const char *v = SSTP_PKG_VERSION, *p = v;
	int dots = 0;

	(void)state;
	assert_true(isdigit((unsigned char)*p));
	while (isdigit((unsigned char)*p) || *p == '.')
		dots += *p++ == '.';
	assert_int_equal(dots, 2);
	assert_true(*p == '\0' || *p == '-');
	for (; *p; p++)
		assert_true(isalnum((unsigned char)*p) || *p == '-' ||
			    *p == '.');
	assert_true(strlen(v) < 64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_byte),
		cmocka_unit_test(test_package_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
