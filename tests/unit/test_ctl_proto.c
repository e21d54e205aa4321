// SPDX-License-Identifier: GPL-2.0
/* The control protocol's encoder and decoder (ctl/lib/ipc/ctl_proto.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ipc/ctl_proto.h"

/* Every byte a subject could hold that needs escaping, and UTF-8. */
static const char odd[] = "CN=a\tb\nc\\d\"e\x01\x7f\xc3\xa9=f,O=x";

static void fill(struct ctl_answer *a)
{
	struct ctl_session *s;

	memset(a, 0, sizeof(*a));
	a->status.protocol = CTL_PROTOCOL;
	a->status.sessions_ended = 3;
	a->status.added = 4294967295u;
	strcpy(a->status.revoked_file, "/var/lib/sstp/sstp0/revoked");
	a->has_gateway = a->has_limits = true;
	strcpy(a->gateway.interface, "sstp0");
	a->gateway.sessions_active = 2;
	a->gateway.max_sessions = 1000;
	a->gateway.pool.addr = 0xac10c900;
	a->gateway.pool.plen = 24;
	a->gateway.address = 0xac10c901;
	a->gateway.roots = 1;
	a->gateway.uptime = 86461;
	a->gateway.accepted = UINT64_MAX;
	a->gateway.established = 7;
	a->gateway.refused = 1;
	a->gateway.over_limit = 0;
	strcpy(a->gateway.kernel_interface, "sstp0k");
	a->gateway.kernel_sessions = 1;
	a->limits.handshakes = 1;
	a->limits.max_handshakes = 64;
	a->limits.max_connections_per_source = 16;
	a->limits.max_handshakes_per_source = 8;
	a->limits.max_sessions_per_certificate = 4;
	a->limits.sources = 2;
	a->limits.refused_stopping = 1;
	a->limits.refused_max_sessions = 2;
	a->limits.refused_max_handshakes = 3;
	a->limits.refused_source_connections = 4;
	a->limits.refused_source_handshakes = 5;
	a->limits.evicted = 6;
	a->limits.up_timeouts = 7;
	a->limits.certificate_replaced = 8;
	a->nsessions = 2;
	a->sessions = calloc(2, sizeof(*a->sessions));
	assert_non_null(a->sessions);
	s = &a->sessions[0];
	s->id = 1;
	strcpy(s->peer, "10.99.0.2:40000");
	s->address = 0xac10c902;
	strcpy(s->state, "connected");
	strcpy(s->path, "kernel");
	strcpy(s->subject, odd);
	strcpy(s->thumbprint, "0123456789abcdef0123456789abcdef01234567");
	s->rx_bytes = 1;
	s->tx_bytes = 2;
	s->rx_packets = 3;
	s->tx_packets = 4;
	s->uptime = 5;
	s->dropped = 6;
	s->kernel.id = 42;
	s->kernel.rx_packets = 1;
	s->kernel.tx_packets = 2;
	s->kernel.rx_bytes = 3;
	s->kernel.tx_bytes = 4;
	s->kernel.rx_ctrl_packets = 5;
	s->kernel.tx_ctrl_packets = 6;
	s->kernel.echo_packets = 7;
	s->kernel.rx_drop_rpf = 8;
	s->kernel.rx_drop_invalid = 9;
	s->kernel.rx_drop_ctrl = 10;
	s->kernel.tx_drop_queue = 11;
	s->kernel.tx_drop_invalid = UINT64_MAX;
	s = &a->sessions[1];
	s->id = 2;
	strcpy(s->peer, "[2001:db8::1]:1");
	strcpy(s->state, "auth");
	strcpy(s->path, "userspace");
	a->nroots = 1;
	a->roots = calloc(1, sizeof(*a->roots));
	assert_non_null(a->roots);
	strcpy(a->roots[0].thumbprint, "00112233445566778899aabbccddeeff00112233");
	strcpy(a->roots[0].subject, odd);
	a->roots[0].sessions = 2;
	a->nrevoked = 2;
	a->revoked = calloc(2, sizeof(*a->revoked));
	assert_non_null(a->revoked);
	strcpy(a->revoked[0].thumbprint, "aa");
	strcpy(a->revoked[0].source, "file");
	memset(a->revoked[1].thumbprint, 'b', 64);
	strcpy(a->revoked[1].source, "config");
}

/* What the daemon writes for a: every object in the order it writes them. */
static char *encode(const struct ctl_answer *a, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	size_t i;

	assert_non_null(f);
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
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_same(const struct ctl_answer *x, const struct ctl_answer *y)
{
	size_t i;

	assert_memory_equal(&x->status, &y->status, sizeof(x->status));
	assert_int_equal(x->has_gateway, y->has_gateway);
	assert_int_equal(x->has_limits, y->has_limits);
	assert_memory_equal(&x->gateway, &y->gateway, sizeof(x->gateway));
	assert_memory_equal(&x->limits, &y->limits, sizeof(x->limits));
	assert_int_equal(x->nsessions, y->nsessions);
	for (i = 0; i < x->nsessions; i++)
		assert_memory_equal(&x->sessions[i], &y->sessions[i],
				    sizeof(x->sessions[i]));
	assert_int_equal(x->nroots, y->nroots);
	for (i = 0; i < x->nroots; i++)
		assert_memory_equal(&x->roots[i], &y->roots[i],
				    sizeof(x->roots[i]));
	assert_int_equal(x->nrevoked, y->nrevoked);
	for (i = 0; i < x->nrevoked; i++)
		assert_memory_equal(&x->revoked[i], &y->revoked[i],
				    sizeof(x->revoked[i]));
}

/* An error message: one line of printable text. */
static void assert_clean(const char *err)
{
	const unsigned char *c;

	assert_true(err[0]);
	for (c = (const unsigned char *)err; *c; c++)
		assert_true(*c >= 0x20 && *c != 0x7f);
}

static int decode_str(const char *text, struct ctl_answer *a, char *err,
		      size_t errlen)
{
	int ret;

	err[0] = 0;
	ret = ctl_answer_decode(text, strlen(text), a, err, errlen);
	if (ret)
		assert_clean(err);
	return ret;
}

static void test_roundtrip_answer(void **state)
{
	struct ctl_answer a, b;
	char err[256];
	size_t len;
	char *buf;

	fill(&a);
	buf = encode(&a, &len);
	/* The escapes: nothing but the structure is on a line of its own. */
	assert_non_null(strstr(buf, "subject=CN=a\\x09b\\x0ac\\\\d\"e\\x01\\x7f\xc3\xa9=f,O=x\n"));
	assert_non_null(strstr(buf, "pool=172.16.201.0/24\n"));
	assert_int_equal(ctl_answer_decode(buf, len, &b, err, sizeof(err)), 0);
	assert_same(&a, &b);
	/* Optional fields left out when zero: session 2 has no address. */
	assert_int_equal(b.sessions[1].address, 0);
	assert_int_equal(b.sessions[1].kernel.id, 0);
	ctl_answer_free(&b);
	ctl_answer_free(&a);
	free(buf);
}

static void test_roundtrip_each_object(void **state)
{
	const struct ctl_object *objs[] = {
		&ctl_gateway_obj, &ctl_limits_obj, &ctl_session_obj,
		&ctl_root_obj, &ctl_revoked_obj,
	};
	struct ctl_answer a, b;
	char err[256];
	unsigned int i;

	fill(&a);
	/* One object at a time, alone in an answer. */
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		struct ctl_answer one = { .status = a.status };
		size_t len;
		char *buf;

		if (objs[i] == &ctl_gateway_obj) {
			one.has_gateway = true;
			one.gateway = a.gateway;
		} else if (objs[i] == &ctl_limits_obj) {
			one.has_limits = true;
			one.limits = a.limits;
		} else if (objs[i] == &ctl_session_obj) {
			one.sessions = a.sessions;
			one.nsessions = 1;
		} else if (objs[i] == &ctl_root_obj) {
			one.roots = a.roots;
			one.nroots = 1;
		} else {
			one.revoked = a.revoked;
			one.nrevoked = 2;
		}
		buf = encode(&one, &len);
		assert_int_equal(ctl_answer_decode(buf, len, &b, err,
						   sizeof(err)), 0);
		assert_same(&one, &b);
		ctl_answer_free(&b);
		free(buf);
	}
	ctl_answer_free(&a);
}

static void test_roundtrip_request(void **state)
{
	struct ctl_request r = { .protocol = CTL_PROTOCOL }, q;
	char buf[CTL_REQUEST_MAX + 1], err[256];
	int n;

	strcpy(r.command, "root-add");
	strcpy(r.path, "/etc/sstp/roots/a\\b\nc.crt");
	n = ctl_request_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_string_equal(buf, "protocol=1\ncommand=root-add\n"
			    "path=/etc/sstp/roots/a\\\\b\\x0ac.crt\n\n");
	assert_int_equal(ctl_request_decode(buf, (size_t)n, &q, err,
					    sizeof(err)), 0);
	assert_memory_equal(&r, &q, sizeof(r));

	memset(&r, 0, sizeof(r));
	r.protocol = CTL_PROTOCOL;
	strcpy(r.command, "revoke");
	strcpy(r.thumbprint, "\xe2\x80\x8e" "ab cd:ef");
	n = ctl_request_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(ctl_request_decode(buf, (size_t)n, &q, err,
					    sizeof(err)), 0);
	assert_memory_equal(&r, &q, sizeof(r));

	/* The longest path fits; one made of escapes does not. */
	memset(r.path, 'a', sizeof(r.path) - 1);
	strcpy(r.command, "root-add");
	memset(r.thumbprint, 0, sizeof(r.thumbprint));
	n = ctl_request_encode(&r, buf, sizeof(buf));
	assert_true(n > 0 && n <= CTL_REQUEST_MAX);
	assert_int_equal(ctl_request_decode(buf, (size_t)n, &q, err,
					    sizeof(err)), 0);
	assert_memory_equal(&r, &q, sizeof(r));
	memset(r.path, '\x01', sizeof(r.path) - 1);
	assert_int_equal(ctl_request_encode(&r, buf, sizeof(buf)),
			 -ENAMETOOLONG);

	/* No command, or not a request. */
	assert_int_equal(ctl_request_decode("protocol=1\n\n", 12, &q, err,
					    sizeof(err)), -EINVAL);
	assert_int_equal(ctl_request_decode("dump\n", 5, &q, err,
					    sizeof(err)), -EPROTO);
}

static void test_error_answer(void **state)
{
	struct ctl_answer a;
	char err[256], *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	ctl_write_error(f, -EBUSY, "busy: too many\ncontrol connections");
	fclose(f);
	assert_string_equal(buf, "protocol=1\nerrno=16\n"
			    "error=busy: too many\\x0acontrol connections\n\n");
	assert_int_equal(ctl_answer_decode(buf, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status.err, EBUSY);
	assert_string_equal(a.status.error,
			    "busy: too many\ncontrol connections");
	assert_false(a.has_gateway);
	ctl_answer_free(&a);
	free(buf);
}

/* Every proper prefix of an answer is truncated, and said to be. */
static void test_truncated(void **state)
{
	struct ctl_answer a, b;
	char err[256];
	size_t len, i;
	char *buf;

	fill(&a);
	buf = encode(&a, &len);
	for (i = 0; i < len; i++) {
		int ret = ctl_answer_decode(buf, i, &b, err, sizeof(err));

		if (i < 9)
			assert_int_equal(ret, -EPROTO);
		else
			assert_int_equal(ret, -ENODATA);
		assert_clean(err);
		assert_null(b.sessions);
	}
	ctl_answer_free(&a);
	free(buf);
}

static void test_garbage(void **state)
{
	static const struct {
		const char *text;
		int ret;
	} cases[] = {
		{ "", -EPROTO },
		{ "dump\n", -EPROTO },
		/* What an sstpd from before the protocol answers. */
		{ "error\tunknown request\n", -EPROTO },
		{ "protocol=\n\n", -EINVAL },
		{ "protocol=01\n\n", -EINVAL },
		{ "protocol=2\nerrno=0\n\n", -EPROTONOSUPPORT },
		{ "protocol=4294967296\n\n", -EMSGSIZE },
		{ "protocol=1\n\nerrno=0\n", -EINVAL },	/* after the end */
		{ "protocol=1\n\n\n", -EINVAL },
		{ "protocol=1\nerrno\n\n", -EINVAL },
		{ "protocol=1\n=1\n\n", -EINVAL },
		{ "protocol=1\nErrno=1\n\n", -EINVAL },
		{ "protocol=1\nerrno=1\r\n\n", -EINVAL },
		{ "protocol=1\nerrno=-1\n\n", -EINVAL },
		{ "protocol=1\nerrno=+1\n\n", -EINVAL },
		{ "protocol=1\nerrno= 1\n\n", -EINVAL },
		{ "protocol=1\nerrno=0x10\n\n", -EINVAL },
		{ "protocol=1\nerrno=1\nerrno=2\n\n", -EINVAL },
		{ "protocol=1\n[\n\n", -EINVAL },
		{ "protocol=1\n[]\n\n", -EINVAL },
		{ "protocol=1\n[gateway\n\n", -EINVAL },
		{ "protocol=1\n[Gateway]\n\n", -EINVAL },
		{ "protocol=1\n[gateway]\n[gateway]\n\n", -EINVAL },
		{ "protocol=1\n[limits]\n[limits]\n\n", -EINVAL },
		{ "protocol=1\n[kernel]\nid=1\n\n", -EINVAL },
		{ "protocol=1\n[session]\n[root]\n[kernel]\n\n", -EINVAL },
		{ "protocol=1\n[session]\n[kernel]\n[kernel]\n\n", -EINVAL },
		{ "protocol=1\n[session]\nid=1\nid=1\n\n", -EINVAL },
		{ "protocol=1\n[session]\naddress=1.2.3\n\n", -EINVAL },
		{ "protocol=1\n[session]\naddress=1.2.3.256\n\n", -EINVAL },
		{ "protocol=1\n[session]\naddress=1.2.3.4.5\n\n", -EINVAL },
		{ "protocol=1\n[session]\naddress=\n\n", -EINVAL },
		{ "protocol=1\n[gateway]\npool=1.2.3.0\n\n", -EINVAL },
		{ "protocol=1\n[gateway]\npool=1.2.3.0/\n\n", -EINVAL },
		{ "protocol=1\n[gateway]\npool=1.2.3.0/33\n\n", -EMSGSIZE },
		{ "protocol=1\n[gateway]\npool=/24\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\x\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\x4\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\xg0\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\n\n\n", -EINVAL },
		{ "protocol=1\n[session]\npeer=a\\x00b\n\n", -EINVAL },
		{ "protocol=1\nerrno=0", -ENODATA },
		{ "protocol=1\nerrno=0\n", -ENODATA },
		{ "protocol=1\n[session]\nid=18446744073709551616\n\n",
		  -EMSGSIZE },
		{ "protocol=1\n[session]\nid=99999999999999999999999\n\n",
		  -EMSGSIZE },
		{ "protocol=1\n[root]\nsessions=4294967296\n\n", -EMSGSIZE },
		{ "protocol=1\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1\n\n", -EINVAL },
	};
	struct ctl_answer a;
	char err[256];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = decode_str(cases[i].text, &a, err, sizeof(err));

		if (ret != cases[i].ret)
			fail_msg("case %u (%s): %d, not %d (%s)", i,
				 cases[i].text, ret, cases[i].ret, err);
		assert_null(a.sessions);
		assert_int_equal(a.nsessions, 0);
	}
	/* The other protocol's number is kept, for the message. */
	assert_int_equal(decode_str("protocol=2\n\n", &a, err, sizeof(err)),
			 -EPROTONOSUPPORT);
	assert_int_equal(a.status.protocol, 2);
	/* An old daemon's words, printable, in the error. */
	assert_int_equal(decode_str("error\tunknown request\n", &a, err,
				    sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "error?unknown request"));
	/* A NUL byte in the input is not the end of it. */
	assert_int_equal(ctl_answer_decode("protocol=1\nerror=a\0b\n\n", 22,
					   &a, err, sizeof(err)), -EINVAL);
	/* Edges that are fine. */
	assert_int_equal(decode_str("protocol=1\n[session]\nid=18446744073709551615\naddress=255.255.255.255\n\n",
				    &a, err, sizeof(err)), 0);
	assert_true(a.sessions[0].id == UINT64_MAX);
	assert_int_equal(a.sessions[0].address, 0xffffffffu);
	ctl_answer_free(&a);
	assert_int_equal(decode_str("protocol=1\n\n", &a, err, sizeof(err)), 0);
}

static void test_oversized(void **state)
{
	char text[1024], err[256];
	struct ctl_answer a;
	int n;

	/* subject holds 255 bytes: 255 fit, 256 do not. */
	n = snprintf(text, sizeof(text), "protocol=1\n[session]\nsubject=%0255d\n\n", 0);
	assert_int_equal(ctl_answer_decode(text, (size_t)n, &a, err,
					   sizeof(err)), 0);
	assert_int_equal(strlen(a.sessions[0].subject), 255);
	ctl_answer_free(&a);
	n = snprintf(text, sizeof(text), "protocol=1\n[session]\nsubject=%0256d\n\n", 0);
	assert_int_equal(ctl_answer_decode(text, (size_t)n, &a, err,
					   sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "subject"));
	/* What counts is the decoded length: 64 escapes are 64 bytes. */
	n = snprintf(text, sizeof(text), "protocol=1\n[session]\npeer=");
	while (n < 26 + 63 * 4)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\\x01");
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n\n");
	assert_int_equal(ctl_answer_decode(text, (size_t)n, &a, err,
					   sizeof(err)), 0);
	assert_int_equal(strlen(a.sessions[0].peer), 63);
	ctl_answer_free(&a);
	n = snprintf(text, sizeof(text), "protocol=1\n[session]\npeer=");
	while (n < 26 + 64 * 4)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "\\x01");
	n += snprintf(text + n, sizeof(text) - (size_t)n, "\n\n");
	assert_int_equal(ctl_answer_decode(text, (size_t)n, &a, err,
					   sizeof(err)), -EMSGSIZE);
	/* interface is IF_NAMESIZE with its NUL. */
	assert_int_equal(decode_str("protocol=1\n[gateway]\ninterface=0123456789abcdef\n\n",
				    &a, err, sizeof(err)), -EMSGSIZE);
}

static void test_unknown(void **state)
{
	static const char text[] =
		"protocol=1\n"
		"errno=0\n"
		"from_the_future=1\n"
		"[gateway]\n"
		"interface=sstp0\n"
		"colour=\\x01anything at all \\\\ [not a section]\n"
		"pool=10.0.0.0/8\n"
		"[shaper]\n"
		"interface=ignored\n"
		"rate=not a number\n"
		"[session]\n"
		"id=7\n"
		"weight=heavy\n"
		"[kernel]\n"
		"id=9\n"
		"gro_packets=5\n"
		"[session]\n"
		"id=8\n"
		"[kernel2]\n"
		"id=x\n"
		"\n";
	struct ctl_answer a;
	char err[256];

	assert_int_equal(decode_str(text, &a, err, sizeof(err)), 0);
	assert_true(a.has_gateway);
	assert_string_equal(a.gateway.interface, "sstp0");
	assert_int_equal(a.gateway.pool.addr, 0x0a000000);
	assert_int_equal(a.gateway.pool.plen, 8);
	assert_int_equal(a.nsessions, 2);
	assert_true(a.sessions[0].id == 7);
	assert_int_equal(a.sessions[0].kernel.id, 9);
	assert_true(a.sessions[1].id == 8);
	assert_int_equal(a.sessions[1].kernel.id, 0);
	ctl_answer_free(&a);
}

/* Many objects: the arrays grow, and all arrive. */
static void test_many(void **state)
{
	struct ctl_answer a = { .status.protocol = CTL_PROTOCOL }, b;
	char err[256];
	size_t len, i;
	char *buf;

	a.nsessions = 5000;
	a.sessions = calloc(a.nsessions, sizeof(*a.sessions));
	assert_non_null(a.sessions);
	for (i = 0; i < a.nsessions; i++) {
		a.sessions[i].id = i + 1;
		a.sessions[i].kernel.id = (uint32_t)(i & 1 ? i : 0);
		snprintf(a.sessions[i].peer, sizeof(a.sessions[i].peer),
			 "10.0.%zu.%zu:443", i >> 8, i & 255);
	}
	buf = encode(&a, &len);
	assert_int_equal(ctl_answer_decode(buf, len, &b, err, sizeof(err)), 0);
	assert_same(&a, &b);
	ctl_answer_free(&a);
	ctl_answer_free(&b);
	free(buf);
}

/* Table lookups used by the printers. */
static void test_fields(void **state)
{
	struct ctl_answer a;
	const struct ctl_field *fl;
	char buf[48];

	fill(&a);
	fl = ctl_field_find(&ctl_gateway_obj, "pool");
	assert_non_null(fl);
	assert_string_equal(ctl_field_str(fl, &a.gateway, buf, sizeof(buf)),
			    "172.16.201.0/24");
	fl = ctl_field_find(&ctl_gateway_obj, "accepted");
	assert_true(ctl_field_u64(fl, &a.gateway) == UINT64_MAX);
	assert_string_equal(ctl_field_str(fl, &a.gateway, buf, sizeof(buf)),
			    "18446744073709551615");
	assert_null(ctl_field_find(&ctl_gateway_obj, "nope"));
	/* Field names are unique in each table and fit CTL_KEY_MAX. */
	{
		const struct ctl_object *objs[] = {
			&ctl_request_obj, &ctl_status_obj, &ctl_gateway_obj,
			&ctl_limits_obj, &ctl_session_obj, &ctl_kernel_obj,
			&ctl_root_obj, &ctl_revoked_obj,
		};
		unsigned int i, j, k;

		for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
			assert_true(objs[i]->nfields < 64);
			for (j = 0; j < objs[i]->nfields; j++) {
				assert_true(strlen(objs[i]->fields[j].name) <=
					    CTL_KEY_MAX);
				for (k = j + 1; k < objs[i]->nfields; k++)
					assert_string_not_equal(
						objs[i]->fields[j].name,
						objs[i]->fields[k].name);
			}
		}
	}
	ctl_answer_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_answer),
		cmocka_unit_test(test_roundtrip_each_object),
		cmocka_unit_test(test_roundtrip_request),
		cmocka_unit_test(test_error_answer),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
