// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "err.h"

static int __attribute__((format(printf, 4, 5)))
fail(int ret, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* The directory part of path ("." for a bare name). */
static int dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return snprintf(dir, len, ".") >= (int)len ? -ENAMETOOLONG : 0;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= len)
		return -ENAMETOOLONG;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return 0;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int atomic_write_file(const char *path, const void *data, size_t len,
		      mode_t mode, char *err, size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *base = strrchr(path, '/');
	int fd, ret;

	base = base ? base + 1 : path;
	if (!*base)
		return fail(-EISDIR, err, errlen, "%s: not a file name", path);
	if (dir_of(path, dir, sizeof(dir)) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >=
	    (int)sizeof(tmp))
		return fail(-ENAMETOOLONG, err, errlen, "%s: path too long",
			    path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		return fail(ret, err, errlen, "cannot create a file in %s: %s",
			    dir, strerror(-ret));
	}
	ret = fchmod(fd, mode) ? -errno : 0;
	if (!ret)
		ret = fd_write_all(fd, data, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		unlink(tmp);
		return fail(ret, err, errlen, "cannot write %s: %s", tmp,
			    strerror(-ret));
	}
	if (rename(tmp, path)) {
		ret = -errno;
		unlink(tmp);
		return fail(ret, err, errlen, "cannot replace %s: %s", path,
			    strerror(-ret));
	}
	ret = fsync_dir(dir);
	if (ret)
		return fail(ret, err, errlen, "%s replaced, but %s not synced: %s",
			    path, dir, strerror(-ret));
	return 0;
}

int atomic_unlink(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int ret;

	if (dir_of(path, dir, sizeof(dir)))
		return fail(-ENAMETOOLONG, err, errlen, "%s: path too long",
			    path);
	if (unlink(path)) {
		ret = -errno;
		if (ret == -ENOENT)
			return 0;
		return fail(ret, err, errlen, "cannot remove %s: %s", path,
			    strerror(-ret));
	}
	ret = fsync_dir(dir);
	if (ret)
		return fail(ret, err, errlen, "%s removed, but %s not synced: %s",
			    path, dir, strerror(-ret));
	return 0;
}

int mkdir_parents(const char *dir, mode_t mode, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t i, n = strlen(dir);

	if (!n || n >= sizeof(buf))
		return fail(-ENAMETOOLONG, err, errlen, "%s: bad directory",
			    dir);
	memcpy(buf, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (!mkdir(buf, mode)) {
			char parent[PATH_MAX];

			/* The new entry must outlive a crash too. */
			if (!dir_of(buf, parent, sizeof(parent)))
				fsync_dir(parent);
		} else if (errno != EEXIST) {
			int ret = -errno;

			return fail(ret, err, errlen, "cannot create %s: %s",
				    buf, strerror(-ret));
		}
		buf[i] = i == n ? '\0' : '/';
	}
	return 0;
}

int read_small_file(const char *path, size_t max, char **out, size_t *len,
		    mode_t *mode, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd, ret;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		ret = -errno;
		return fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return fail(ret, err, errlen, "%s: %s", path, strerror(-ret));
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > max) {
		close(fd);
		return fail(S_ISREG(st.st_mode) ? -EFBIG : -EINVAL, err, errlen,
			    "%s: %s", path, S_ISREG(st.st_mode) ?
			    "too large" : "not a regular file");
	}
	if (mode)
		*mode = st.st_mode & 07777;
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return fail(-ENOMEM, err, errlen, "%s: out of memory", path);
	}
	ret = fd_read_all(fd, buf, max, &n);
	if (ret) {
		free(buf);
		close(fd);
		return fail(ret, err, errlen, "%s: %s", path, ret == -EFBIG ?
			    "too large" : strerror(-ret));
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

int fd_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int fd_read_all(int fd, void *buf, size_t max, size_t *len)
{
	char *b = buf;
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, b + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*len = n;
			return -errno;
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > max) {
			*len = n;
			return -EFBIG;
		}
	}
	*len = n;
	return 0;
}
