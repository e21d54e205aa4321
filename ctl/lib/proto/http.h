/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one HTTP exchange that opens an SSTP connection: pure parsing and
 * formatting, no I/O.
 */
#ifndef _SSTP_HTTP_H
#define _SSTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEADER 4096	/* a longer request is refused with 431 */

struct http_request {
	char correlation_id[80];	/* SSTPCORRELATIONID, may be empty */
	char host[256];			/* Host header, may be empty */
	bool packed;			/* X-SSTP-Records: packed */
};

/*
 * Our client and gateway say with this header that they read the SSTP
 * stream as bytes: the other end may put many SSTP packets in one TLS
 * record (docs/decisions.md). Others ignore it.
 */
#define HTTP_PACKED_HEADER	"X-SSTP-Records"
#define HTTP_PACKED_VALUE	"packed"

/*
 * Add the header to a request or response of n bytes built by the
 * functions below (before its blank line). The new length, or 0 when cap
 * is too small or out does not end in a blank line.
 */
size_t http_add_packed(char *out, size_t cap, size_t n);

/*
 * Parse a request at the start of buf. Returns 0 when the header is not
 * complete yet (and buf is shorter than HTTP_MAX_HEADER); 200 when it is a
 * valid SSTP_DUPLEX_POST to the SSTP URI (query string ignored), with
 * *consumed set to the header length; otherwise the HTTP status to answer
 * (400, 404, 405, 431, 505...) with *why naming the reason. A bad line is
 * answered as soon as it is complete, before the blank line arrives. Bytes
 * after the blank line are not consumed: they belong to the SSTP stream.
 */
int http_parse_request(const char *buf, size_t len, size_t *consumed,
		       struct http_request *req, const char **why);

/* Format the response for a status; returns its length (0 if cap too small). */
size_t http_build_response(char *out, size_t cap, int status);

/*
 * Client side: the SSTP_DUPLEX_POST request. correlation_id is a GUID with
 * or without braces, or NULL/empty to leave the header out. Returns 0 when
 * cap is too small, host is empty or a value holds control characters.
 */
size_t http_build_request(char *out, size_t cap, const char *host,
			  const char *correlation_id);

/*
 * Client side: parse the response. Returns 0 when incomplete, the status
 * code when complete (*consumed set), or -1 when malformed (*why set).
 */
int http_parse_response(const char *buf, size_t len, size_t *consumed,
			const char **why);
/* The same; *packed says whether the gateway sent HTTP_PACKED_HEADER. */
int http_parse_response_ex(const char *buf, size_t len, size_t *consumed,
			   const char **why, bool *packed);

#endif
