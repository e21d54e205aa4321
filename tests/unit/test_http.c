// SPDX-License-Identifier: GPL-2.0
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/http.h"
#include <linux/sstp_proto.h>

#define REQ_LINE "SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.1\r\n"

/* The header set Windows sends (MS-SSTP 4.1). */
static const char windows_req[] =
	REQ_LINE
	"SSTPCORRELATIONID: {62E1A0B4-4A3C-4C1F-9E71-3D2B8E0F5A11}\r\n"
	"Content-Length: 18446744073709551615\r\n"
	"Host: vpn.example.test\r\n"
	"\r\n";

static int parse(const char *s, size_t len, size_t *consumed,
		 struct http_request *req, const char **why)
{
	*why = NULL;
	return http_parse_request(s, len, consumed, req, why);
}

/* Expect a rejection with the given status; why must be set. */
static void expect_status(const char *s, size_t len, int status,
			  const char *why_expected)
{
	struct http_request req;
	const char *why;
	size_t consumed = 123;

	char shown[161];
	size_t i;

	/* Name the case in the log, without its line breaks. */
	for (i = 0; i < len && i < sizeof(shown) - 1; i++)
		shown[i] = (s[i] < 0x20 || s[i] == 0x7f) ? '.' : s[i];
	shown[i] = '\0';
	print_message("case: %s\n", shown);
	assert_int_equal(parse(s, len, &consumed, &req, &why), status);
	assert_non_null(why);
	assert_string_equal(why, why_expected);
	assert_int_equal(consumed, 0);
}

static void test_windows_request(void **state)
{
	struct http_request req;
	const char *why;
	size_t consumed = 0;

	assert_int_equal(parse(windows_req, strlen(windows_req), &consumed,
			       &req, &why), 200);
	assert_int_equal(consumed, strlen(windows_req));
	assert_string_equal(req.host, "vpn.example.test");
	assert_string_equal(req.correlation_id,
			    "{62E1A0B4-4A3C-4C1F-9E71-3D2B8E0F5A11}");
	assert_string_equal(why, "ok");
}

static void test_query_and_case(void **state)
{
	static const char req1[] =
		"SSTP_DUPLEX_POST "
		"/sra_{BA195980-CD49-458B-9E23-C84EE0ADCD75}/?tenantid=abc&x=1"
		" HTTP/1.1\r\nHost: h\r\n\r\n";
	static const char req2[] =
		"SSTP_DUPLEX_POST "
		"/SRA_{ba195980-cd49-458b-9e23-c84ee0adcd75}/? HTTP/1.1\r\n\r\n";
	struct http_request req;
	const char *why;
	size_t consumed;

	assert_int_equal(parse(req1, strlen(req1), &consumed, &req, &why),
			 200);
	assert_int_equal(consumed, strlen(req1));
	assert_string_equal(req.host, "h");
	assert_string_equal(req.correlation_id, "");

	assert_int_equal(parse(req2, strlen(req2), &consumed, &req, &why),
			 200);
	assert_int_equal(consumed, strlen(req2));
	assert_string_equal(req.host, "");
}

static void test_lf_only(void **state)
{
	static const char r[] =
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.1\n"
		"host:   spaced.example   \n"
		"sstpcorrelationid:\t0c38434f-1111-2222-3333-444455556666\n"
		"Content-Length:18446744073709551615\n"
		"\n";
	struct http_request req;
	const char *why;
	size_t consumed;

	assert_int_equal(parse(r, strlen(r), &consumed, &req, &why), 200);
	assert_int_equal(consumed, strlen(r));
	assert_string_equal(req.host, "spaced.example");
	assert_string_equal(req.correlation_id,
			    "0c38434f-1111-2222-3333-444455556666");
}

static void test_mixed_line_endings(void **state)
{
	static const char r[] = REQ_LINE "Host: a\n\r\n";
	struct http_request req;
	const char *why;
	size_t consumed;

	assert_int_equal(parse(r, strlen(r), &consumed, &req, &why), 200);
	assert_int_equal(consumed, strlen(r));
}

static void test_trailing_bytes_left(void **state)
{
	/* The client's CALL_CONNECT_REQUEST in the same read. */
	static const char sstp[] = {
		0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
	};
	char buf[512];
	size_t hl = strlen(windows_req), consumed;
	struct http_request req;
	const char *why;

	memcpy(buf, windows_req, hl);
	memcpy(buf + hl, sstp, sizeof(sstp));
	assert_int_equal(parse(buf, hl + sizeof(sstp), &consumed, &req, &why),
			 200);
	assert_int_equal(consumed, hl);
	assert_memory_equal(buf + consumed, sstp, sizeof(sstp));

	/* A second request pipelined after the first is also left alone. */
	memcpy(buf + hl, windows_req, hl);
	assert_int_equal(parse(buf, 2 * hl, &consumed, &req, &why), 200);
	assert_int_equal(consumed, hl);
}

static void test_every_prefix_incomplete(void **state)
{
	static const char *const reqs[] = {
		windows_req,
		"SSTP_DUPLEX_POST " SSTP_URI "?q=1 HTTP/1.1\nHost: x\n\n",
	};
	size_t r;

	for (r = 0; r < sizeof(reqs) / sizeof(reqs[0]); r++) {
		size_t len = strlen(reqs[r]), n;

		for (n = 0; n < len; n++) {
			struct http_request req;
			const char *why;
			size_t consumed = 99;

			assert_int_equal(parse(reqs[r], n, &consumed, &req,
					       &why), 0);
			assert_int_equal(consumed, 0);
		}
	}
}

static void test_method_errors(void **state)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char get_uri[] = "GET " SSTP_URI " HTTP/1.1\r\n\r\n";
	static const char post[] = "POST " SSTP_URI " HTTP/1.1\r\n\r\n";
	static const char lower[] = "sstp_duplex_post " SSTP_URI
				    " HTTP/1.1\r\n\r\n";

	expect_status(get, strlen(get), 405, "method is not SSTP_DUPLEX_POST");
	expect_status(get_uri, strlen(get_uri), 405,
		      "method is not SSTP_DUPLEX_POST");
	expect_status(post, strlen(post), 405,
		      "method is not SSTP_DUPLEX_POST");
	expect_status(lower, strlen(lower), 405,
		      "method is not SSTP_DUPLEX_POST");
	/* Decided as soon as the request line is complete. */
	expect_status(get, 16, 405, "method is not SSTP_DUPLEX_POST");
}

static void test_uri_errors(void **state)
{
	static const char *const bad[] = {
		"SSTP_DUPLEX_POST / HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}"
		" HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}//"
		" HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD76}/"
		" HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST ?" SSTP_URI " HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST https://h" SSTP_URI " HTTP/1.1\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], strlen(bad[i]), 404, "unknown URI");
}

static void test_version_errors(void **state)
{
	static const char *const v505[] = {
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.0\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/2.0\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/0.9\r\n\r\n",
		"GET / HTTP/1.0\r\n\r\n",
	};
	static const char *const v400[] = {
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.11\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " http/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/2\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/a.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP-1.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " \r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(v505) / sizeof(v505[0]); i++)
		expect_status(v505[i], strlen(v505[i]), 505,
			      "HTTP version is not 1.1");
	for (i = 0; i < sizeof(v400) / sizeof(v400[0]); i++)
		expect_status(v400[i], strlen(v400[i]), 400,
			      "malformed HTTP version");
}

static void test_request_line_errors(void **state)
{
	static const char *const bad[] = {
		"SSTP_DUPLEX_POST\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI "\r\n\r\n",
		"SSTP_DUPLEX_POST  " SSTP_URI " HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI "  HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.1 \r\n\r\n",
		" SSTP_DUPLEX_POST " SSTP_URI " HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST\t" SSTP_URI " HTTP/1.1\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI "\t HTTP/1.1\r\n\r\n",
		"SSTP(POST " SSTP_URI " HTTP/1.1\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], strlen(bad[i]), 400,
			      "malformed request line");
	expect_status("\r\n" REQ_LINE "\r\n", strlen("\r\n" REQ_LINE "\r\n"),
		      400, "empty request line");
	expect_status("\n", 1, 400, "empty request line");
}

static void test_header_errors(void **state)
{
	static const char *const bad[] = {
		REQ_LINE "Host vpn\r\n\r\n",
		REQ_LINE "Host : vpn\r\n\r\n",
		REQ_LINE ": vpn\r\n\r\n",
		REQ_LINE "Host: a\r\n folded\r\n\r\n",
		REQ_LINE "Ho(st: a\r\n\r\n",
		REQ_LINE "X\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], strlen(bad[i]), 400,
			      "malformed header line");
}

static void test_control_chars(void **state)
{
	static const char *const bad[] = {
		REQ_LINE "Host: a\x01" "b\r\n\r\n",
		REQ_LINE "Host: a\x7f\r\n\r\n",
		REQ_LINE "Host: a\rb\r\n\r\n",
		REQ_LINE "Host: a\r\r\n\r\n",
		"SSTP_DUPLEX_POST " SSTP_URI "\x1b HTTP/1.1\r\n\r\n",
	};
	static const char nul[] = REQ_LINE "Host: a\0b\r\n\r\n";
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], strlen(bad[i]), 400,
			      "control character in request header");
	expect_status(nul, sizeof(nul) - 1, 400,
		      "control character in request header");
	/* NUL is refused before the line ends. */
	expect_status(nul, strlen(REQ_LINE "Host: a") + 1, 400,
		      "control character in request header");
	expect_status("\0", 1, 400, "control character in request header");
	/* Tab is fine inside a value. */
	{
		static const char ok[] = REQ_LINE "X-A: a\tb\r\n\r\n";
		struct http_request req;
		const char *why;
		size_t consumed;

		assert_int_equal(parse(ok, strlen(ok), &consumed, &req, &why),
				 200);
	}
}

static void test_content_length(void **state)
{
	static const char *const bad[] = {
		REQ_LINE "Content-Length: abc\r\n\r\n",
		REQ_LINE "Content-Length: \r\n\r\n",
		REQ_LINE "Content-Length: -1\r\n\r\n",
		REQ_LINE "Content-Length: 1 2\r\n\r\n",
		REQ_LINE "Content-Length: 0x10\r\n\r\n",
		REQ_LINE "Content-Length: 18446744073709551616\r\n\r\n",
		REQ_LINE "content-length: 99999999999999999999999\r\n\r\n",
	};
	static const char *const good[] = {
		REQ_LINE "Content-Length: 0\r\n\r\n",
		REQ_LINE "Content-Length: 18446744073709551615\r\n\r\n",
		REQ_LINE "Content-Length: 0018446744073709551615\r\n\r\n",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_status(bad[i], strlen(bad[i]), 400,
			      "bad Content-Length");
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct http_request req;
		const char *why;
		size_t consumed;

		assert_int_equal(parse(good[i], strlen(good[i]), &consumed,
				       &req, &why), 200);
	}
}

static void test_duplicate_host(void **state)
{
	static const char r[] = REQ_LINE "Host: a\r\nhost: b\r\n\r\n";

	expect_status(r, strlen(r), 400, "more than one Host header");
}

static void test_truncated_values(void **state)
{
	char buf[1024], host[400], id[200];
	struct http_request req;
	const char *why;
	size_t consumed;
	int n;

	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memset(id, 'c', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	n = snprintf(buf, sizeof(buf),
		     REQ_LINE "Host: %s\r\nSSTPCORRELATIONID: %s\r\n\r\n",
		     host, id);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	assert_int_equal(parse(buf, (size_t)n, &consumed, &req, &why), 200);
	assert_int_equal(strlen(req.host), sizeof(req.host) - 1);
	assert_int_equal(strlen(req.correlation_id),
			 sizeof(req.correlation_id) - 1);
	assert_memory_equal(req.host, host, sizeof(req.host) - 1);
}

/* Pad a request with an X-Pad header so that it is exactly total bytes. */
static size_t padded_request(char *buf, size_t total)
{
	static const char head[] = REQ_LINE "X-Pad: ";
	static const char tail[] = "\r\n\r\n";
	size_t pad = total - strlen(head) - strlen(tail);

	memcpy(buf, head, strlen(head));
	memset(buf + strlen(head), 'p', pad);
	memcpy(buf + strlen(head) + pad, tail, strlen(tail));
	return total;
}

static void test_header_size_limit(void **state)
{
	static char buf[HTTP_MAX_HEADER * 2];
	struct http_request req;
	const char *why;
	size_t consumed, n;

	/* Exactly at the limit is accepted. */
	n = padded_request(buf, HTTP_MAX_HEADER);
	assert_int_equal(parse(buf, n, &consumed, &req, &why), 200);
	assert_int_equal(consumed, HTTP_MAX_HEADER);
	/* Still incomplete just below it. */
	assert_int_equal(parse(buf, n - 1, &consumed, &req, &why), 0);

	/* One byte more is not. */
	n = padded_request(buf, HTTP_MAX_HEADER + 1);
	expect_status(buf, n, 431, "request header too large");
	/* Whatever arrives, 4096 bytes without a blank line is too much. */
	expect_status(buf, HTTP_MAX_HEADER, 431, "request header too large");
	assert_int_equal(parse(buf, HTTP_MAX_HEADER - 1, &consumed, &req, &why),
			 0);

	memset(buf, 'A', sizeof(buf));
	/* A single endless token: incomplete, then too large. */
	memcpy(buf, "SSTP_DUPLEX_POST /", 18);
	assert_int_equal(parse(buf, HTTP_MAX_HEADER - 1, &consumed, &req, &why),
			 0);
	expect_status(buf, sizeof(buf), 431, "request header too large");
}

static void test_null_why(void **state)
{
	struct http_request req;
	size_t consumed;

	assert_int_equal(http_parse_request("GET / HTTP/1.1\r\n\r\n", 18,
					    &consumed, &req, NULL), 405);
	assert_int_equal(http_parse_request(windows_req, strlen(windows_req),
					    &consumed, &req, NULL), 200);
	assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\n\r\n", 19,
					     &consumed, NULL), 200);
	assert_int_equal(http_parse_response("HTTP/1.1 2xx OK\r\n\r\n", 19,
					     &consumed, NULL), -1);
}

/* ---- responses ---- */

static void test_build_response_200(void **state)
{
	static const char expect[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 18446744073709551615\r\n"
		"Server: sstpd\r\n"
		"\r\n";
	char out[256];
	size_t consumed;
	const char *why;

	memset(out, 'x', sizeof(out));
	assert_int_equal(http_build_response(out, sizeof(out), 200),
			 strlen(expect));
	assert_string_equal(out, expect);
	/* sstpc reads the status code at byte 9. */
	assert_memory_equal(out, "HTTP/1.1 ", 9);
	assert_memory_equal(out + 9, "200", 3);
	assert_int_equal(http_parse_response(out, strlen(out), &consumed,
					     &why), 200);
	assert_int_equal(consumed, strlen(expect));

	/* Too small, including no room for the NUL. */
	assert_int_equal(http_build_response(out, strlen(expect), 200), 0);
	assert_int_equal(http_build_response(out, strlen(expect) + 1, 200),
			 strlen(expect));
	assert_int_equal(http_build_response(out, 0, 200), 0);
}

static void test_build_response_errors(void **state)
{
	static const struct {
		int status;
		const char *text;
	} cases[] = {
		{ 400, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
		       "Connection: close\r\n\r\n" },
		{ 404, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
		       "Connection: close\r\n\r\n" },
		{ 405, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n"
		       "Allow: SSTP_DUPLEX_POST\r\nConnection: close\r\n\r\n" },
		{ 431, "HTTP/1.1 431 Request Header Fields Too Large\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n" },
		{ 503, "HTTP/1.1 503 Service Unavailable\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n" },
		{ 505, "HTTP/1.1 505 HTTP Version Not Supported\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n" },
		{ 418, "HTTP/1.1 418 Client Error\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n" },
		{ 599, "HTTP/1.1 599 Server Error\r\n"
		       "Content-Length: 0\r\nConnection: close\r\n\r\n" },
	};
	char out[256];
	size_t i, consumed;
	const char *why;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = http_build_response(out, sizeof(out),
					       cases[i].status);

		assert_int_equal(n, strlen(cases[i].text));
		assert_string_equal(out, cases[i].text);
		assert_int_equal(http_parse_response(out, n, &consumed, &why),
				 cases[i].status);
		assert_int_equal(consumed, n);
	}
	assert_int_equal(http_build_response(out, sizeof(out), 99), 0);
	assert_int_equal(http_build_response(out, sizeof(out), 600), 0);
	assert_int_equal(http_build_response(out, sizeof(out), -200), 0);
	assert_int_equal(http_build_response(out, 10, 404), 0);
}

/* ---- client side ---- */

static void test_build_request(void **state)
{
	static const char expect[] =
		"SSTP_DUPLEX_POST /sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/ "
		"HTTP/1.1\r\n"
		"Host: vpn.example.test\r\n"
		"Content-Length: 18446744073709551615\r\n"
		"SSTPCORRELATIONID: {0C38434F-AAAA-BBBB-CCCC-DDDDEEEEFFFF}\r\n"
		"\r\n";
	char out[512];
	struct http_request req;
	const char *why;
	size_t n, consumed;

	n = http_build_request(out, sizeof(out), "vpn.example.test",
			       "0C38434F-AAAA-BBBB-CCCC-DDDDEEEEFFFF");
	assert_int_equal(n, strlen(expect));
	assert_string_equal(out, expect);
	assert_int_equal(parse(out, n, &consumed, &req, &why), 200);
	assert_int_equal(consumed, n);
	assert_string_equal(req.host, "vpn.example.test");
	assert_string_equal(req.correlation_id,
			    "{0C38434F-AAAA-BBBB-CCCC-DDDDEEEEFFFF}");

	/* Braces already present are not doubled. */
	n = http_build_request(out, sizeof(out), "vpn.example.test",
			       "{0C38434F-AAAA-BBBB-CCCC-DDDDEEEEFFFF}");
	assert_string_equal(out, expect);

	/* No correlation id: the header is left out. */
	n = http_build_request(out, sizeof(out), "h", NULL);
	assert_string_equal(out, REQ_LINE "Host: h\r\n"
			    "Content-Length: 18446744073709551615\r\n\r\n");
	assert_int_equal(n, strlen(out));
	n = http_build_request(out, sizeof(out), "h", "");
	assert_string_equal(out, REQ_LINE "Host: h\r\n"
			    "Content-Length: 18446744073709551615\r\n\r\n");

	/* Header injection and bad arguments. */
	assert_int_equal(http_build_request(out, sizeof(out), "h\r\nX: y",
					    "id"), 0);
	assert_int_equal(http_build_request(out, sizeof(out), "h",
					    "id\r\nX: y"), 0);
	assert_int_equal(http_build_request(out, sizeof(out), "", "id"), 0);
	assert_int_equal(http_build_request(out, sizeof(out), NULL, "id"), 0);
	assert_int_equal(http_build_request(out, strlen(expect), "vpn.example.test",
					    "0C38434F-AAAA-BBBB-CCCC-DDDDEEEEFFFF"),
			 0);
}

static void test_parse_response_ok(void **state)
{
	static const char spec[] =
		"HTTP/1.1 200 OK\r\n"
		"Content-Length: 18446744073709551615\r\n"
		"Server: Microsoft-HTTPAPI/2.0\r\n"
		"Date: Thu, 09 Nov 2006 00:51:09 GMT\r\n"
		"\r\n";
	static const char *const ok[] = {
		"HTTP/1.1 200\r\n\r\n",
		"HTTP/1.1 200 \r\n\r\n",
		"HTTP/1.0 200 OK\n\n",
		"HTTP/1.1 200 OK\nConnection: keep-alive\n\n",
	};
	char buf[256];
	size_t i, n, consumed;
	const char *why;

	n = strlen(spec);
	assert_int_equal(http_parse_response(spec, n, &consumed, &why), 200);
	assert_int_equal(consumed, n);
	assert_string_equal(why, "ok");

	for (n = 0; n < strlen(spec); n++) {
		consumed = 7;
		assert_int_equal(http_parse_response(spec, n, &consumed, &why),
				 0);
		assert_int_equal(consumed, 0);
	}

	/* The first SSTP packet may follow in the same read. */
	memcpy(buf, spec, strlen(spec));
	memcpy(buf + strlen(spec), "\x10\x01\x00\x30", 4);
	assert_int_equal(http_parse_response(buf, strlen(spec) + 4, &consumed,
					     &why), 200);
	assert_int_equal(consumed, strlen(spec));

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(http_parse_response(ok[i], strlen(ok[i]),
						     &consumed, &why), 200);
		assert_int_equal(consumed, strlen(ok[i]));
	}
	assert_int_equal(http_parse_response("HTTP/1.1 404 Not Found\r\n\r\n",
					     26, &consumed, &why), 404);
}

static void test_parse_response_errors(void **state)
{
	static const char *const bad[] = {
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/2.0 200 OK\r\n\r\n",
		"http/1.1 200 OK\r\n\r\n",
		"FTP/1.1 200 OK\r\n\r\n",
		"HTTP-1.1 200 OK\r\n\r\n",
		"HTTP/1.1 099 OK\r\n\r\n",
		"HTTP/1.1 600 OK\r\n\r\n",
		"HTTP/1.1 2a0 OK\r\n\r\n",
		"\r\n",
		"HTTP/1.1\r\n\r\n",
	};
	static const char *const bad_hdr[] = {
		"HTTP/1.1 200 OK\r\nServer sstpd\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded: x\r\n\r\n",
	};
	static const char bad_cl[] =
		"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n";
	static char big[HTTP_MAX_HEADER + 64];
	size_t i, consumed;
	const char *why;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		consumed = 5;
		assert_int_equal(http_parse_response(bad[i], strlen(bad[i]),
						     &consumed, &why), -1);
		assert_string_equal(why, "malformed status line");
		assert_int_equal(consumed, 0);
	}
	for (i = 0; i < sizeof(bad_hdr) / sizeof(bad_hdr[0]); i++) {
		assert_int_equal(http_parse_response(bad_hdr[i],
						     strlen(bad_hdr[i]),
						     &consumed, &why), -1);
		assert_string_equal(why, "malformed header line");
	}
	assert_int_equal(http_parse_response(bad_cl, strlen(bad_cl),
					     &consumed, &why), -1);
	assert_string_equal(why, "bad Content-Length");
	assert_int_equal(http_parse_response("HTTP/1.1 200 OK\r\nA: \x02\r\n\r\n",
					     25, &consumed, &why), -1);
	assert_string_equal(why, "control character in response header");
	assert_int_equal(http_parse_response("HTTP/1.1 200 O\0K\r\n\r\n", 20,
					     &consumed, &why), -1);
	assert_string_equal(why, "control character in response header");

	/* A header longer than the limit. */
	memcpy(big, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(big + 20, 'x', sizeof(big) - 20);
	assert_int_equal(http_parse_response(big, HTTP_MAX_HEADER - 1,
					     &consumed, &why), 0);
	assert_int_equal(http_parse_response(big, sizeof(big), &consumed,
					     &why), -1);
	assert_string_equal(why, "response header too large");
}

/* X-SSTP-Records: packed, our client's and gateway's word for it. */
static void test_packed_records(void **state)
{
	char out[512];
	struct http_request req;
	const char *why;
	size_t n, m, consumed;
	bool packed = true;

	(void)state;
	n = http_build_request(out, sizeof(out), "h", NULL);
	m = http_add_packed(out, sizeof(out), n);
	assert_string_equal(out, REQ_LINE "Host: h\r\n"
			    "Content-Length: 18446744073709551615\r\n"
			    "X-SSTP-Records: packed\r\n\r\n");
	assert_int_equal(m, strlen(out));
	assert_int_equal(parse(out, m, &consumed, &req, &why), 200);
	assert_int_equal(consumed, m);
	assert_true(req.packed);
	/* Without it, or with another value: one packet per record. */
	n = http_build_request(out, sizeof(out), "h", NULL);
	assert_int_equal(parse(out, n, &consumed, &req, &why), 200);
	assert_false(req.packed);
	snprintf(out, sizeof(out), REQ_LINE "Host: h\r\n"
		 "x-sstp-records: PACKED\r\n\r\n");
	assert_int_equal(parse(out, strlen(out), &consumed, &req, &why), 200);
	assert_true(req.packed);
	snprintf(out, sizeof(out), REQ_LINE "Host: h\r\n"
		 "X-SSTP-Records: packed-ish\r\n\r\n");
	assert_int_equal(parse(out, strlen(out), &consumed, &req, &why), 200);
	assert_false(req.packed);
	/* The response. */
	n = http_build_response(out, sizeof(out), 200);
	m = http_add_packed(out, sizeof(out), n);
	assert_int_equal(http_parse_response_ex(out, m, &consumed, &why,
						&packed), 200);
	assert_true(packed);
	assert_int_equal(consumed, m);
	n = http_build_response(out, sizeof(out), 200);
	assert_int_equal(http_parse_response_ex(out, n, &consumed, &why,
						&packed), 200);
	assert_false(packed);
	/* No room, or not a header that ends in a blank line. */
	assert_int_equal(http_add_packed(out, n + 10, n), 0);
	assert_int_equal(http_add_packed(out, sizeof(out), 0), 0);
	assert_int_equal(http_add_packed(out, sizeof(out), 3), 0);
	assert_int_equal(http_add_packed(out, sizeof(out), n - 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_request),
		cmocka_unit_test(test_query_and_case),
		cmocka_unit_test(test_lf_only),
		cmocka_unit_test(test_mixed_line_endings),
		cmocka_unit_test(test_trailing_bytes_left),
		cmocka_unit_test(test_every_prefix_incomplete),
		cmocka_unit_test(test_method_errors),
		cmocka_unit_test(test_uri_errors),
		cmocka_unit_test(test_version_errors),
		cmocka_unit_test(test_request_line_errors),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_duplicate_host),
		cmocka_unit_test(test_truncated_values),
		cmocka_unit_test(test_header_size_limit),
		cmocka_unit_test(test_null_why),
		cmocka_unit_test(test_build_response_200),
		cmocka_unit_test(test_build_response_errors),
		cmocka_unit_test(test_build_request),
		cmocka_unit_test(test_parse_response_ok),
		cmocka_unit_test(test_parse_response_errors),
		cmocka_unit_test(test_packed_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
