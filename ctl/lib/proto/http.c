// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP exchange that opens an SSTP connection (MS-SSTP 3.2.4.1, 4.1):
 * one SSTP_DUPLEX_POST request without a body, one response without a body.
 * Both sides are parsed from a byte buffer that may hold only a prefix of
 * the header, or the header followed by the first SSTP packet.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include <linux/sstp_proto.h>

#define SSTP_METHOD		"SSTP_DUPLEX_POST"
#define CONTENT_LENGTH_MAX	"18446744073709551615"

/* One header line, without its line ending. */
struct line {
	const char *p;
	size_t len;
};

enum scan_result {
	SCAN_LINE,	/* a whole line was found */
	SCAN_MORE,	/* the line is not complete yet */
	SCAN_TOO_LONG,	/* no line end within HTTP_MAX_HEADER */
	SCAN_BAD,	/* a byte that may not appear in a header */
};

static void set_why(const char **why, const char *reason)
{
	if (why)
		*why = reason;
}

/*
 * Find the line that starts at *pos. CRLF and bare LF both end a line; a CR
 * anywhere else, NUL and other control characters (but tab) are refused as
 * soon as they are seen so that junk is rejected without waiting for more.
 */
static enum scan_result next_line(const char *buf, size_t len, size_t *pos,
				  struct line *l)
{
	size_t limit = len < HTTP_MAX_HEADER ? len : HTTP_MAX_HEADER;
	size_t i;

	for (i = *pos; i < limit; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (c == '\n') {
			l->p = buf + *pos;
			l->len = i - *pos;
			if (l->len && l->p[l->len - 1] == '\r')
				l->len--;
			*pos = i + 1;
			return SCAN_LINE;
		}
		if (c == '\r') {
			if (i + 1 < limit && buf[i + 1] != '\n')
				return SCAN_BAD;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return SCAN_BAD;
	}
	return len >= HTTP_MAX_HEADER ? SCAN_TOO_LONG : SCAN_MORE;
}

/* RFC 9110 5.6.2 token characters. */
static bool is_tchar(char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c);
}

static bool is_token(const char *p, size_t len)
{
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++)
		if (!is_tchar(p[i]))
			return false;
	return true;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool eq_nocase(const char *p, size_t len, const char *s)
{
	return strlen(s) == len && !strncasecmp(p, s, len);
}

/* Content-Length: digits only, fitting in 64 bits. */
static bool valid_content_length(const char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d;

		if (!is_digit(p[i]))
			return false;
		d = (unsigned int)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	return true;
}

struct header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Split "Name: value", trimming optional whitespace around the value. */
static bool split_header(const struct line *l, struct header *h)
{
	const char *colon = memchr(l->p, ':', l->len);
	const char *end = l->p + l->len;
	const char *v;

	/* RFC 9112 5.1: no whitespace between the name and the colon. */
	if (!colon || !is_token(l->p, (size_t)(colon - l->p)))
		return false;
	v = colon + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	h->name = l->p;
	h->name_len = (size_t)(colon - l->p);
	h->value = v;
	h->value_len = (size_t)(end - v);
	return true;
}

static void copy_value(char *dst, size_t cap, const struct header *h)
{
	size_t n = h->value_len < cap - 1 ? h->value_len : cap - 1;

	memcpy(dst, h->value, n);
	dst[n] = '\0';
}

/* "HTTP/d.d": 1 for HTTP/1.1, 0 for another version, -1 if not a version. */
static int http_version(const char *p, size_t len)
{
	if (len != 8 || memcmp(p, "HTTP/", 5) || !is_digit(p[5]) ||
	    p[6] != '.' || !is_digit(p[7]))
		return -1;
	return p[5] == '1' && p[7] == '1';
}

static int parse_request_line(const struct line *l, const char **why)
{
	const char *end = l->p + l->len;
	const char *uri, *ver, *q;
	size_t method_len, uri_len, path_len;
	int v;

	uri = memchr(l->p, ' ', l->len);
	if (!uri) {
		set_why(why, "malformed request line");
		return 400;
	}
	method_len = (size_t)(uri - l->p);
	uri++;
	ver = memchr(uri, ' ', (size_t)(end - uri));
	if (!ver) {
		set_why(why, "malformed request line");
		return 400;
	}
	uri_len = (size_t)(ver - uri);
	ver++;
	if (!is_token(l->p, method_len) || !uri_len ||
	    memchr(uri, '\t', uri_len) || memchr(ver, ' ', (size_t)(end - ver))) {
		set_why(why, "malformed request line");
		return 400;
	}

	v = http_version(ver, (size_t)(end - ver));
	if (v < 0) {
		set_why(why, "malformed HTTP version");
		return 400;
	}
	if (!v) {
		set_why(why, "HTTP version is not 1.1");
		return 505;
	}
	if (method_len != strlen(SSTP_METHOD) ||
	    memcmp(l->p, SSTP_METHOD, method_len)) {
		set_why(why, "method is not SSTP_DUPLEX_POST");
		return 405;
	}
	/* A query (Azure's ?tenantid=) is meant for proxies: ignore it. */
	q = memchr(uri, '?', uri_len);
	path_len = q ? (size_t)(q - uri) : uri_len;
	if (!eq_nocase(uri, path_len, SSTP_URI)) {
		set_why(why, "unknown URI");
		return 404;
	}
	return 200;
}

int http_parse_request(const char *buf, size_t len, size_t *consumed,
		       struct http_request *req, const char **why)
{
	bool first = true, have_host = false;
	size_t pos = 0;
	struct line l;
	int ret;

	*consumed = 0;
	memset(req, 0, sizeof(*req));
	for (;;) {
		struct header h;

		switch (next_line(buf, len, &pos, &l)) {
		case SCAN_LINE:
			break;
		case SCAN_MORE:
			return 0;
		case SCAN_TOO_LONG:
			set_why(why, "request header too large");
			return 431;
		case SCAN_BAD:
			set_why(why, "control character in request header");
			return 400;
		}

		if (first) {
			if (!l.len) {
				set_why(why, "empty request line");
				return 400;
			}
			ret = parse_request_line(&l, why);
			if (ret != 200)
				return ret;
			first = false;
			continue;
		}
		if (!l.len)
			break;
		if (!split_header(&l, &h)) {
			set_why(why, "malformed header line");
			return 400;
		}
		if (eq_nocase(h.name, h.name_len, "Host")) {
			if (have_host) {
				set_why(why, "more than one Host header");
				return 400;
			}
			have_host = true;
			copy_value(req->host, sizeof(req->host), &h);
		} else if (eq_nocase(h.name, h.name_len, "SSTPCORRELATIONID")) {
			copy_value(req->correlation_id,
				   sizeof(req->correlation_id), &h);
		} else if (eq_nocase(h.name, h.name_len, HTTP_PACKED_HEADER)) {
			req->packed = eq_nocase(h.value, h.value_len,
						HTTP_PACKED_VALUE);
		} else if (eq_nocase(h.name, h.name_len, "Content-Length")) {
			if (!valid_content_length(h.value, h.value_len)) {
				set_why(why, "bad Content-Length");
				return 400;
			}
		}
	}
	*consumed = pos;
	set_why(why, "ok");
	return 200;
}

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	if (status >= 500)
		return "Server Error";
	if (status >= 400)
		return "Client Error";
	return "Status";
}

size_t http_build_response(char *out, size_t cap, int status)
{
	int n;

	if (status < 100 || status > 599)
		return 0;
	if (status == 200)
		n = snprintf(out, cap,
			     "HTTP/1.1 200 OK\r\n"
			     "Content-Length: " CONTENT_LENGTH_MAX "\r\n"
			     "Server: sstpd\r\n"
			     "\r\n");
	else
		n = snprintf(out, cap,
			     "HTTP/1.1 %d %s\r\n"
			     "Content-Length: 0\r\n"
			     "%s"
			     "Connection: close\r\n"
			     "\r\n",
			     status, reason_phrase(status),
			     status == 405 ? "Allow: " SSTP_METHOD "\r\n" : "");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

/* A header value we write must not be able to end the line early. */
static bool safe_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

size_t http_build_request(char *out, size_t cap, const char *host,
			  const char *correlation_id)
{
	const char *open = "{", *close = "}";
	int n;

	if (!host || !*host || !safe_value(host))
		return 0;
	if (correlation_id && !safe_value(correlation_id))
		return 0;
	if (correlation_id && correlation_id[0] == '{')
		open = close = "";
	if (correlation_id && *correlation_id)
		n = snprintf(out, cap,
			     SSTP_METHOD " " SSTP_URI " HTTP/1.1\r\n"
			     "Host: %s\r\n"
			     "Content-Length: " CONTENT_LENGTH_MAX "\r\n"
			     "SSTPCORRELATIONID: %s%s%s\r\n"
			     "\r\n",
			     host, open, correlation_id, close);
	else
		n = snprintf(out, cap,
			     SSTP_METHOD " " SSTP_URI " HTTP/1.1\r\n"
			     "Host: %s\r\n"
			     "Content-Length: " CONTENT_LENGTH_MAX "\r\n"
			     "\r\n",
			     host);
	if (n < 0 || (size_t)n >= cap)
		return 0;
	return (size_t)n;
}

/* "HTTP/1.x NNN[ reason]": returns the status or -1. */
static int parse_status_line(const struct line *l)
{
	const char *p = l->p;
	int v;

	if (l->len < 12 || p[8] != ' ')
		return -1;
	v = http_version(p, 8);
	if (v < 0 || p[5] != '1')
		return -1;
	if (!is_digit(p[9]) || !is_digit(p[10]) || !is_digit(p[11]) ||
	    p[9] < '1' || p[9] > '5')
		return -1;
	if (l->len > 12 && p[12] != ' ')
		return -1;
	return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

size_t http_add_packed(char *out, size_t cap, size_t n)
{
	static const char line[] = HTTP_PACKED_HEADER ": " HTTP_PACKED_VALUE
				   "\r\n\r\n";

	if (n < 4 || memcmp(out + n - 4, "\r\n\r\n", 4) ||
	    n - 2 + sizeof(line) > cap)
		return 0;
	memcpy(out + n - 2, line, sizeof(line));
	return n - 2 + sizeof(line) - 1;
}

int http_parse_response(const char *buf, size_t len, size_t *consumed,
			const char **why)
{
	return http_parse_response_ex(buf, len, consumed, why, NULL);
}

int http_parse_response_ex(const char *buf, size_t len, size_t *consumed,
			   const char **why, bool *packed)
{
	int status = -1;
	size_t pos = 0;
	struct line l;

	*consumed = 0;
	if (packed)
		*packed = false;
	for (;;) {
		struct header h;

		switch (next_line(buf, len, &pos, &l)) {
		case SCAN_LINE:
			break;
		case SCAN_MORE:
			return 0;
		case SCAN_TOO_LONG:
			set_why(why, "response header too large");
			return -1;
		case SCAN_BAD:
			set_why(why, "control character in response header");
			return -1;
		}

		if (status < 0) {
			status = parse_status_line(&l);
			if (status < 0) {
				set_why(why, "malformed status line");
				return -1;
			}
			continue;
		}
		if (!l.len)
			break;
		if (!split_header(&l, &h)) {
			set_why(why, "malformed header line");
			return -1;
		}
		if (eq_nocase(h.name, h.name_len, "Content-Length") &&
		    !valid_content_length(h.value, h.value_len)) {
			set_why(why, "bad Content-Length");
			return -1;
		}
		if (packed && eq_nocase(h.name, h.name_len, HTTP_PACKED_HEADER))
			*packed = eq_nocase(h.value, h.value_len,
					    HTTP_PACKED_VALUE);
	}
	*consumed = pos;
	set_why(why, "ok");
	return status;
}
