// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol's decoder (ctl/lib/ipc/ctl_proto.c): the input as an
 * answer (what sstpctl reads) and as a request (what sstpd reads). An error
 * must be one printable line; what decodes must encode and decode again to
 * the same objects.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ctl_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_err(const char *err)
{
	const unsigned char *c;

	if (!err[0])
		abort();
	for (c = (const unsigned char *)err; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			abort();
}

static char *encode(const struct ctl_answer *a, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i;

	if (!f)
		abort();
	ctl_write_header(f);
	ctl_write_object(f, &ctl_status_obj, &a->status);
	if (a->has_gateway)
		ctl_write_object(f, &ctl_gateway_obj, &a->gateway);
	if (a->has_limits)
		ctl_write_object(f, &ctl_limits_obj, &a->limits);
	for (i = 0; i < a->nsessions; i++) {
		ctl_write_object(f, &ctl_session_obj, &a->sessions[i]);
		if (a->sessions[i].kernel.id)
			ctl_write_object(f, &ctl_kernel_obj,
					 &a->sessions[i].kernel);
	}
	for (i = 0; i < a->nroots; i++)
		ctl_write_object(f, &ctl_root_obj, &a->roots[i]);
	for (i = 0; i < a->nrevoked; i++)
		ctl_write_object(f, &ctl_revoked_obj, &a->revoked[i]);
	ctl_write_end(f);
	if (fclose(f))
		abort();
	return buf;
}

static void same(const void *x, const void *y, size_t n)
{
	if (memcmp(x, y, n))
		abort();
}

static void answer(const char *in, size_t size)
{
	struct ctl_answer a, b;
	char err[256] = "";
	size_t len, i;
	char *out;

	if (ctl_answer_decode(in, size, &a, err, sizeof(err))) {
		check_err(err);
		if (a.sessions || a.roots || a.revoked)
			abort();
		return;
	}
	/*
	 * A session whose [kernel] said id=0 is written without it; the rest
	 * of its counters then read back as zero.
	 */
	for (i = 0; i < a.nsessions; i++)
		if (!a.sessions[i].kernel.id)
			memset(&a.sessions[i].kernel, 0,
			       sizeof(a.sessions[i].kernel));
	out = encode(&a, &len);
	if (ctl_answer_decode(out, len, &b, err, sizeof(err)))
		abort();
	same(&a.status, &b.status, sizeof(a.status));
	if (a.has_gateway != b.has_gateway || a.has_limits != b.has_limits ||
	    a.nsessions != b.nsessions || a.nroots != b.nroots ||
	    a.nrevoked != b.nrevoked)
		abort();
	same(&a.gateway, &b.gateway, sizeof(a.gateway));
	same(&a.limits, &b.limits, sizeof(a.limits));
	if (a.nsessions)
		same(a.sessions, b.sessions, a.nsessions * sizeof(*a.sessions));
	if (a.nroots)
		same(a.roots, b.roots, a.nroots * sizeof(*a.roots));
	if (a.nrevoked)
		same(a.revoked, b.revoked, a.nrevoked * sizeof(*a.revoked));
	ctl_answer_free(&a);
	ctl_answer_free(&b);
	free(out);
}

static void request(const char *in, size_t size)
{
	static struct ctl_request r, q;
	static char buf[CTL_REQUEST_MAX + 1];
	char err[256] = "";
	int n;

	if (ctl_request_decode(in, size, &r, err, sizeof(err))) {
		check_err(err);
		return;
	}
	n = ctl_request_encode(&r, buf, sizeof(buf));
	if (n < 0)
		return;	/* a path of escapes: too long to send back */
	if (ctl_request_decode(buf, (size_t)n, &q, err, sizeof(err)))
		abort();
	same(&r, &q, sizeof(r));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy of exactly size bytes: ASan sees any read past the end. */
	char *in = malloc(size ? size : 1);

	if (!in)
		return 0;
	memcpy(in, data, size);
	answer(in, size);
	request(in, size);
	free(in);
	return 0;
}
