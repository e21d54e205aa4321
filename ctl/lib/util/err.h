/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Error messages for the caller: library functions that can fail for a
 * reason a person must read take (char *err, size_t errlen) and fill it.
 */
#ifndef _SSTP_ERR_H
#define _SSTP_ERR_H

#include <stdarg.h>
#include <stddef.h>

/* Format into err (truncated to errlen); no-op when err is NULL or 0 long. */
void err_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void err_vset(char *err, size_t errlen, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
