/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Durable replacement of small state files: write a temporary file in the
 * same directory, fsync it, rename it over the target, fsync the directory.
 * A crash leaves either the old or the new contents, never a mix.
 */
#ifndef _SSTP_ATOMIC_FILE_H
#define _SSTP_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replace (or create) path with len bytes of data, mode mode. 0, or -errno
 * with err saying which step failed on which file; path is then unchanged
 * and no temporary file is left behind.
 */
int atomic_write_file(const char *path, const void *data, size_t len,
		      mode_t mode, char *err, size_t errlen);
/* Remove path and fsync its directory. 0 (also when it was not there). */
int atomic_unlink(const char *path, char *err, size_t errlen);
/*
 * mkdir -p with mode for the directories it creates (each new entry synced
 * in its parent). 0 or -errno.
 */
int mkdir_parents(const char *dir, mode_t mode, char *err, size_t errlen);
/*
 * Read a whole regular file (at most max bytes) into a NUL-terminated
 * malloc'd buffer. -ENOENT when missing; *mode gets its permission bits.
 */
int read_small_file(const char *path, size_t max, char **out, size_t *len,
		    mode_t *mode, char *err, size_t errlen);
/* Write all n bytes to fd (short writes and EINTR retried). 0 or -errno. */
int fd_write_all(int fd, const void *p, size_t n);
/*
 * Read fd to its end into buf, which has room for max + 1 bytes (the one
 * more tells a file that is too large). *len: what was read. 0, -EFBIG
 * (more than max bytes) or -errno.
 */
int fd_read_all(int fd, void *buf, size_t max, size_t *len);

#endif
