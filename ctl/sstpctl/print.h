/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One printer for text and JSON, in iproute2's style: each call names its
 * JSON key and its text format, and prints whichever the output is.
 *   print_uint(PRINT_ANY, "sessions", "%llu sessions", n);
 * PRINT_FP prints only text, PRINT_JSON only JSON. JSON is compact, on
 * stdout, and ends with a newline at print_end(); strings are escaped here
 * and nowhere else.
 */
#ifndef _SSTPCTL_PRINT_H
#define _SSTPCTL_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct ctl_object;

enum output_type {
	PRINT_FP = 1,
	PRINT_JSON = 2,
	PRINT_ANY = PRINT_FP | PRINT_JSON,
};

/* Start an output (JSON or text); print_end() finishes it. */
void print_start(bool json);
void print_end(void);
bool print_json(void);

/* key is NULL inside arrays and for the outermost value. */
void open_json_object(const char *key);
void close_json_object(void);
void open_json_array(const char *key);
void close_json_array(void);

void print_uint(enum output_type t, const char *key, const char *fmt,
		unsigned long long v);
void print_string(enum output_type t, const char *key, const char *fmt,
		  const char *s);
/* JSON null; in text, fmt with the string text. */
void print_null(enum output_type t, const char *key, const char *fmt,
		const char *text);
void print_bool(enum output_type t, const char *key, const char *fmt,
		bool v);

/*
 * A field of a control protocol object (ipc/ctl_proto.h), by its name: its
 * JSON type from the table (numbers, strings, addresses; an optional field
 * that is unset is null, "-" in text), its text through fmt ("%s").
 */
void print_field(enum output_type t, const struct ctl_object *o,
		 const char *name, const char *fmt, const void *st);
/* Every field of an object as a JSON object under key. */
void print_json_fields(const char *key, const struct ctl_object *o,
		       const void *st);

/* s as a JSON string, quotes included. */
void json_escape(FILE *f, const char *s);

/*
 * A failure of the command: "sstpctl: <msg>" on stderr and, under JSON,
 * {"error":"<msg>","errno":err} on stdout. err is positive.
 */
void print_failure(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
