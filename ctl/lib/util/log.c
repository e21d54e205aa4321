// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/err.h>

#include "log.h"

static bool log_stderr = true;
static enum sstp_log_level log_max = SSTP_LOG_INFO;
static const char *log_ident = "sstp";
static FILE *log_fp;

int sstp_log_file(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	/* The log names clients and their addresses: root's eyes only. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY |
		  O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	/* A file left by an older version, or by someone else: take it over. */
	if ((st.st_uid != geteuid() && fchown(fd, geteuid(), (gid_t)-1)) ||
	    ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600))) {
		int err = -errno;

		close(fd);
		return err;
	}
	f = fdopen(fd, "a");
	if (!f) {
		int err = -errno;

		close(fd);
		return err;
	}
	setvbuf(f, NULL, _IOLBF, 0);
	if (log_fp)
		fclose(log_fp);
	log_fp = f;
	log_stderr = true;
	return 0;
}

void sstp_log_init(const char *ident, bool to_stderr, enum sstp_log_level max)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_max = max;
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void log_v(enum sstp_log_level lvl, const char *fmt, va_list ap,
		  const char *suffix)
{
	static const char *const names[] = {
		[SSTP_LOG_ERR] = "error", [SSTP_LOG_WARN] = "warning",
		[SSTP_LOG_NOTICE] = "notice", [SSTP_LOG_INFO] = "info",
		[SSTP_LOG_DEBUG] = "debug",
	};
	char msg[1024];

	if (lvl > log_max)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_stderr) {
		syslog((int)lvl, "%s%s", msg, suffix);
		return;
	}
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(log_fp ? log_fp : stderr, "%02d:%02d:%02d.%03ld %s: %s: %s%s\n", tm.tm_hour,
		tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_ident,
		names[lvl], msg, suffix);
}

void sstp_log(enum sstp_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(lvl, fmt, ap, "");
	va_end(ap);
}

void sstp_log_ssl(enum sstp_log_level lvl, const char *fmt, ...)
{
	char suffix[512] = "";
	size_t off = 0;
	unsigned long e;
	va_list ap;

	while ((e = ERR_get_error()) != 0 && off < sizeof(suffix) - 2) {
		char buf[256];

		ERR_error_string_n(e, buf, sizeof(buf));
		off += (size_t)snprintf(suffix + off, sizeof(suffix) - off,
					": %s", buf);
	}
	va_start(ap, fmt);
	log_v(lvl, fmt, ap, suffix);
	va_end(ap);
}
