/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_LOG_H
#define _SSTP_LOG_H

#include <stdbool.h>

enum sstp_log_level { SSTP_LOG_ERR = 3, SSTP_LOG_WARN = 4, SSTP_LOG_NOTICE = 5,
		      SSTP_LOG_INFO = 6, SSTP_LOG_DEBUG = 7 };

/* to_stderr: log to stderr (foreground) instead of syslog. */
void sstp_log_init(const char *ident, bool to_stderr, enum sstp_log_level max);
/*
 * Append to a file instead (daemon mode): created mode 0600, an existing
 * one made 0600 and ours; never through a symlink. 0 or -errno.
 */
int sstp_log_file(const char *path);
void sstp_log(enum sstp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends the pending OpenSSL error queue (and clears it). */
void sstp_log_ssl(enum sstp_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...)	sstp_log(SSTP_LOG_ERR, __VA_ARGS__)
#define log_warn(...)	sstp_log(SSTP_LOG_WARN, __VA_ARGS__)
#define log_notice(...)	sstp_log(SSTP_LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	sstp_log(SSTP_LOG_INFO, __VA_ARGS__)
#define log_debug(...)	sstp_log(SSTP_LOG_DEBUG, __VA_ARGS__)

#endif
