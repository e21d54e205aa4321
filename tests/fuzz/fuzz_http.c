// SPDX-License-Identifier: GPL-2.0
/*
 * The HTTP request parser (server) and response parser (client), with the
 * invariants the connection code relies on.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const char *buf, size_t size)
{
	struct http_request req;
	const char *why = NULL;
	size_t consumed = 0, again;
	char resp[256];
	int ret;

	ret = http_parse_request(buf, size, &consumed, &req, &why);
	if (req.host[sizeof(req.host) - 1] ||
	    req.correlation_id[sizeof(req.correlation_id) - 1])
		__builtin_trap();
	if (ret == 0) {
		if (consumed || size >= HTTP_MAX_HEADER)
			__builtin_trap();
		return;
	}
	if (!why || (ret != 200 && consumed))
		__builtin_trap();
	if (ret == 200) {
		if (!consumed || consumed > size ||
		    consumed > HTTP_MAX_HEADER || buf[consumed - 1] != '\n')
			__builtin_trap();
		/* The header alone gives the same answer; a prefix, none. */
		if (http_parse_request(buf, consumed, &again, &req, &why) !=
		    200 || again != consumed)
			__builtin_trap();
		if (http_parse_request(buf, consumed - 1, &again, &req,
				       &why) != 0)
			__builtin_trap();
	}
	if (ret < 400 && ret != 200)
		__builtin_trap();
	/* Every answer we pick can be formatted and read back. */
	if (!http_build_response(resp, sizeof(resp), ret) ||
	    http_parse_response(resp, strlen(resp), &again, &why) != ret)
		__builtin_trap();
}

static void check_response(const char *buf, size_t size)
{
	const char *why = NULL;
	size_t consumed = 0, again;
	int ret;

	ret = http_parse_response(buf, size, &consumed, &why);
	if (ret == 0) {
		if (consumed)
			__builtin_trap();
		return;
	}
	if (!why)
		__builtin_trap();
	if (ret < 0) {
		if (ret != -1 || consumed)
			__builtin_trap();
		return;
	}
	if (ret < 100 || ret > 599 || !consumed || consumed > size ||
	    consumed > HTTP_MAX_HEADER || buf[consumed - 1] != '\n')
		__builtin_trap();
	if (http_parse_response(buf, consumed - 1, &again, &why) != 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	check_request(buf, size);
	check_response(buf, size);
	return 0;
}
