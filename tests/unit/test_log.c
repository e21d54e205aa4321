// SPDX-License-Identifier: GPL-2.0
/*
 * The log file names clients: it is created 0600, an existing one that
 * others could read is made 0600, and a symlink is not followed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "util/log.h"

static char dir[] = "/tmp/test_log.XXXXXX";

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

static void path_in(char *out, const char *name)
{
	snprintf(out, PATH_MAX, "%s/%s", dir, name);
}

static void test_new_file(void **state)
{
	char path[PATH_MAX];
	mode_t old = umask(022);

	(void)state;
	path_in(path, "new.log");
	assert_int_equal(sstp_log_file(path), 0);
	umask(old);
	assert_int_equal(mode_of(path), 0600);
	log_notice("client CN=x@example.test at 10.0.0.2");
	assert_true(access(path, F_OK) == 0);
}

static void test_existing_file_tightened(void **state)
{
	char path[PATH_MAX], line[256] = "";
	FILE *f;

	(void)state;
	path_in(path, "old.log");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("earlier\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(sstp_log_file(path), 0);
	assert_int_equal(mode_of(path), 0600);
	/* Appended to, not replaced. */
	log_notice("after");
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	assert_string_equal(line, "earlier\n");
}

static void test_symlink_refused(void **state)
{
	char path[PATH_MAX], target[PATH_MAX];

	(void)state;
	path_in(target, "target");
	path_in(path, "link.log");
	assert_int_equal(close(open(target, O_CREAT | O_WRONLY, 0644)), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(sstp_log_file(path), -ELOOP);
	assert_int_equal(mode_of(target), 0644);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_file),
		cmocka_unit_test(test_existing_file_tightened),
		cmocka_unit_test(test_symlink_refused),
	};

	sstp_log_init("test_log", true, SSTP_LOG_INFO);
	return cmocka_run_group_tests(tests, setup, teardown);
}
