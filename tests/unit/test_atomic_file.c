// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "util/atomic_file.h"

static char tmp[64];

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "/tmp/test_atomic.XXXXXX");
	return mkdtemp(tmp) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void path_t(char *out, size_t len, const char *name)
{
	assert_true((size_t)snprintf(out, len, "%s/%s", tmp, name) < len);
}

static void assert_file(const char *path, const char *text, mode_t mode)
{
	char *buf = NULL;
	size_t len = 0;
	mode_t m = 0;
	char err[256];

	assert_int_equal(read_small_file(path, 1 << 20, &buf, &len, &m, err,
					 sizeof(err)), 0);
	assert_int_equal(len, strlen(text));
	assert_memory_equal(buf, text, len);
	assert_int_equal(m, mode);
	free(buf);
}

/* Entries of dir whose names start with a dot (our temporary files). */
static int hidden_in(const char *dir)
{
	struct dirent *d;
	DIR *dp = opendir(dir);
	int n = 0;

	assert_non_null(dp);
	while ((d = readdir(dp)))
		n += d->d_name[0] == '.' && strcmp(d->d_name, ".") &&
		     strcmp(d->d_name, "..");
	closedir(dp);
	return n;
}

static void test_create_replace(void **state)
{
	char path[PATH_MAX], err[256];
	struct stat a, b;

	(void)state;
	path_t(path, sizeof(path), "revoked");
	assert_int_equal(atomic_write_file(path, "one\n", 4, 0644, err,
					   sizeof(err)), 0);
	assert_file(path, "one\n", 0644);
	assert_int_equal(stat(path, &a), 0);
	/* Replaced by rename: a new inode, the new mode, nothing left over. */
	assert_int_equal(atomic_write_file(path, "two\nthree\n", 10, 0600, err,
					   sizeof(err)), 0);
	assert_file(path, "two\nthree\n", 0600);
	assert_int_equal(stat(path, &b), 0);
	assert_int_not_equal(a.st_ino, b.st_ino);
	/* Empty contents are fine. */
	assert_int_equal(atomic_write_file(path, "", 0, 0644, err,
					   sizeof(err)), 0);
	assert_file(path, "", 0644);
	assert_int_equal(hidden_in(tmp), 0);
	/* The umask does not narrow the mode asked for. */
	umask(077);
	assert_int_equal(atomic_write_file(path, "x", 1, 0644, err,
					   sizeof(err)), 0);
	assert_file(path, "x", 0644);
	umask(022);
}

static void test_failures(void **state)
{
	char path[PATH_MAX], file[PATH_MAX], dir[PATH_MAX], err[256];

	(void)state;
	/* No such directory. */
	path_t(path, sizeof(path), "missing/revoked");
	assert_int_equal(atomic_write_file(path, "x", 1, 0644, err,
					   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot create a file in"));
	assert_non_null(strstr(err, "No such file or directory"));
	/* A "directory" that is a file. */
	path_t(file, sizeof(file), "plain");
	assert_int_equal(atomic_write_file(file, "x", 1, 0644, err,
					   sizeof(err)), 0);
	path_t(path, sizeof(path), "plain/revoked");
	assert_int_equal(atomic_write_file(path, "x", 1, 0644, err,
					   sizeof(err)), -ENOTDIR);
	/* The target is a directory: the rename fails after the write;
	 * the temporary file is removed and the directory is untouched. */
	path_t(dir, sizeof(dir), "adir");
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(atomic_write_file(dir, "x", 1, 0644, err,
					   sizeof(err)), -EISDIR);
	assert_non_null(strstr(err, "cannot replace"));
	assert_int_equal(hidden_in(tmp), 0);
	/* A directory nobody may write to (root may; then /proc, which
	 * takes no new files from anyone). */
	if (geteuid()) {
		path_t(dir, sizeof(dir), "ro");
		assert_int_equal(mkdir(dir, 0500), 0);
		path_t(path, sizeof(path), "ro/revoked");
		assert_int_equal(atomic_write_file(path, "x", 1, 0644, err,
						   sizeof(err)), -EACCES);
	}
	assert_true(atomic_write_file("/proc/sstp-test-revoked", "x", 1, 0644,
				      err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "cannot create a file in /proc"));
	/* Not a file name at all. */
	assert_int_equal(atomic_write_file("/tmp/", "x", 1, 0644, err,
					   sizeof(err)), -EISDIR);
	/* The existing file is unchanged by all of it. */
	assert_file(file, "x", 0644);
}

static void test_unlink_mkdir(void **state)
{
	char path[PATH_MAX], dir[PATH_MAX], err[256];
	struct stat st;

	(void)state;
	path_t(dir, sizeof(dir), "state/sstp0");
	assert_int_equal(mkdir_parents(dir, 0700, err, sizeof(err)), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Again: nothing to do. */
	assert_int_equal(mkdir_parents(dir, 0700, err, sizeof(err)), 0);
	path_t(path, sizeof(path), "state/sstp0/revoked");
	assert_int_equal(atomic_write_file(path, "x\n", 2, 0644, err,
					   sizeof(err)), 0);
	assert_int_equal(atomic_unlink(path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), -1);
	/* Already gone is not an error. */
	assert_int_equal(atomic_unlink(path, err, sizeof(err)), 0);
	/* Under a file: refused. */
	path_t(dir, sizeof(dir), "plainfile/sub");
	path_t(path, sizeof(path), "plainfile");
	assert_int_equal(atomic_write_file(path, "", 0, 0644, err,
					   sizeof(err)), 0);
	assert_int_equal(mkdir_parents(dir, 0700, err, sizeof(err)),
			 -ENOTDIR);
}

static void test_read_small(void **state)
{
	char path[PATH_MAX], err[256], *buf = (char *)1;
	size_t len = 1;
	mode_t m;

	(void)state;
	path_t(path, sizeof(path), "nothere");
	assert_int_equal(read_small_file(path, 100, &buf, &len, &m, err,
					 sizeof(err)), -ENOENT);
	assert_null(buf);
	path_t(path, sizeof(path), "big");
	assert_int_equal(atomic_write_file(path, "0123456789", 10, 0644, err,
					   sizeof(err)), 0);
	assert_int_equal(read_small_file(path, 9, &buf, &len, &m, err,
					 sizeof(err)), -EFBIG);
	assert_int_equal(read_small_file(path, 10, &buf, &len, &m, err,
					 sizeof(err)), 0);
	assert_string_equal(buf, "0123456789");
	free(buf);
	assert_int_equal(read_small_file(tmp, 10, &buf, &len, &m, err,
					 sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_replace),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_unlink_mkdir),
		cmocka_unit_test(test_read_small),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
