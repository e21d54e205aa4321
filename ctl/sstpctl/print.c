// SPDX-License-Identifier: GPL-2.0
/* The text and JSON printer (print.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ipc/ctl_proto.h"
#include "print.h"

#define DEPTH_MAX 16

/*
 * Each print_* takes its text format from the caller, with one conversion
 * of the call's type (%llu for print_uint, %s for the others), as
 * iproute2's json_print.c does.
 */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

static bool json;
static int depth;			/* open objects and arrays */
static bool first[DEPTH_MAX];		/* nothing printed in it yet */

void json_escape(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void print_start(bool on)
{
	json = on;
	depth = 0;
}

void print_end(void)
{
	if (json)
		putchar('\n');
}

bool print_json(void)
{
	return json;
}

/* The separator and "key": before a value in the current container. */
static void json_key(const char *key)
{
	if (depth > 0) {
		if (!first[depth - 1])
			putchar(',');
		first[depth - 1] = false;
	}
	if (key) {
		json_escape(stdout, key);
		putchar(':');
	}
}

static void json_open(const char *key, char c)
{
	if (!json)
		return;
	json_key(key);
	putchar(c);
	if (depth < DEPTH_MAX)
		first[depth] = true;
	depth++;
}

static void json_close(char c)
{
	if (!json)
		return;
	putchar(c);
	if (depth)
		depth--;
}

void open_json_object(const char *key)
{
	json_open(key, '{');
}

void close_json_object(void)
{
	json_close('}');
}

void open_json_array(const char *key)
{
	json_open(key, '[');
}

void close_json_array(void)
{
	json_close(']');
}

static bool text(enum output_type t, const char *fmt)
{
	return !json && (t & PRINT_FP) && fmt;
}

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned long long v)
{
	if (json && (t & PRINT_JSON)) {
		json_key(key);
		printf("%llu", v);
	} else if (text(t, fmt)) {
		printf(fmt, v);
	}
}

void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *s)
{
	if (json && (t & PRINT_JSON)) {
		json_key(key);
		json_escape(stdout, s);
	} else if (text(t, fmt)) {
		printf(fmt, s);
	}
}

void print_null(enum output_type t, const char *key, const char *fmt,
		const char *s)
{
	if (json && (t & PRINT_JSON)) {
		json_key(key);
		fputs("null", stdout);
	} else if (text(t, fmt)) {
		printf(fmt, s);
	}
}

void print_bool(enum output_type t, const char *key, const char *fmt, bool v)
{
	if (json && (t & PRINT_JSON)) {
		json_key(key);
		fputs(v ? "true" : "false", stdout);
	} else if (text(t, fmt)) {
		printf(fmt, v ? "true" : "false");
	}
}

static void field(enum output_type t, const struct ctl_field *fl,
		  const char *fmt, const void *st)
{
	char buf[48];
	const char *s = ctl_field_str(fl, st, buf, sizeof(buf));

	if ((fl->flags & CTL_F_OPT) && !*s)
		print_null(t, fl->name, fmt, "-");
	else if ((fl->flags & CTL_F_OPT) && fl->type != CTL_T_STR &&
		 !ctl_field_u64(fl, st))
		print_null(t, fl->name, fmt, "-");
	else if (fl->type == CTL_T_U32 || fl->type == CTL_T_U64)
		/* In text, numbers go through "%s" like the rest. */
		json ? print_uint(t, fl->name, NULL, ctl_field_u64(fl, st)) :
		       print_string(t, fl->name, fmt, s);
	else
		print_string(t, fl->name, fmt, s);
}

void print_field(enum output_type t, const struct ctl_object *o,
		 const char *name, const char *fmt, const void *st)
{
	const struct ctl_field *fl = ctl_field_find(o, name);

	if (fl)
		field(t, fl, fmt, st);
}

void print_json_fields(const char *key, const struct ctl_object *o,
		       const void *st)
{
	unsigned int i;

	if (!json)
		return;
	open_json_object(key);
	for (i = 0; i < o->nfields; i++)
		field(PRINT_JSON, &o->fields[i], NULL, st);
	close_json_object();
}

void print_failure(int err, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sstpctl: %s\n", msg);
	if (!json)
		return;
	depth = 0;
	open_json_object(NULL);
	print_string(PRINT_JSON, "error", NULL, msg);
	print_uint(PRINT_JSON, "errno", NULL, (unsigned int)err);
	close_json_object();
	print_end();
}
