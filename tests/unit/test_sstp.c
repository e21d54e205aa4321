// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "proto/sstp.h"

/*
 * The two Compound MAC examples of MS-SSTP section 4.7: the HLAK and the
 * whole CALL_CONNECTED packet, whose MAC field holds the expected value.
 */
static const char v256_hlak[] =
	"2A1BB40D55AB0F5EF32F06F2B3CC73C48FD3FAC41D7A1315A19228D9024CA164";
static const char v256_pkt[] =
	"10010070000400010003006800000002412B489AEBD7ECC7D08966F26BE7CD72"
	"B231A0E9210D7C91B308862B0344C4357993EF314C493DACE9F02D60E7E61C84"
	"B6690AAFE9D7AEEA92CBBE8AD599422D52A68EFD8CFFBF52770B8F0FE8EC7371"
	"6583AF6D611EB6D179B3B20840985449";
static const char v256_mac[] =
	"52A68EFD8CFFBF52770B8F0FE8EC73716583AF6D611EB6D179B3B20840985449";

static const char v1_hlak[] =
	"4B3128F43925D9006EEFB1C4E86515A1D88E56BAB3CA2BDF0373B7F5A8A13B19";
static const char v1_pkt[] =
	"100100700004000100030068000000010F1A2D58D4A3E3000FAD3CE4906E07B7"
	"07AA9E441CCEAC5CBD7B2CC1C9D86CDF5826B629BDA59B8E6FD8DCD2622FD34C"
	"534805A500000000000000000000000069915DD583D8062FEF16F61DB2F03290"
	"EC27CB6C000000000000000000000000";
static const char v1_mac[] = "69915DD583D8062FEF16F61DB2F03290EC27CB6C";

static size_t unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = strlen(hex) / 2, i;

	assert_true(n <= cap);
	for (i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

struct vector {
	uint8_t hash;
	uint8_t hlak[SSTP_HLAK_LEN];
	uint8_t pkt[SSTP_LEN_CALL_CONNECTED];
	uint8_t mac[SSTP_CMAC_LEN];
	size_t mac_len;
	struct sstp_binding_expect exp;
};

static void load_vector(struct vector *v, uint8_t hash)
{
	bool sha1 = hash == SSTP_HASH_SHA1;

	memset(v, 0, sizeof(*v));
	v->hash = hash;
	assert_int_equal(unhex(v->hlak, sizeof(v->hlak),
			       sha1 ? v1_hlak : v256_hlak), SSTP_HLAK_LEN);
	assert_int_equal(unhex(v->pkt, sizeof(v->pkt),
			       sha1 ? v1_pkt : v256_pkt),
			 SSTP_LEN_CALL_CONNECTED);
	v->mac_len = unhex(v->mac, sizeof(v->mac), sha1 ? v1_mac : v256_mac);
	assert_int_equal(v->mac_len, sha1 ? 20 : 32);

	v->exp.bitmask = SSTP_HASH_SHA1 | SSTP_HASH_SHA256;
	memcpy(v->exp.nonce, v->pkt + SSTP_CC_OFF_NONCE, SSTP_NONCE_LEN);
	if (sha1)
		memcpy(v->exp.cert_sha1, v->pkt + SSTP_CC_OFF_CERT_HASH, 20);
	else
		memcpy(v->exp.cert_sha256, v->pkt + SSTP_CC_OFF_CERT_HASH, 32);
	memcpy(v->exp.hlak, v->hlak, SSTP_HLAK_LEN);
}

/* ---- framing ---- */

static void test_peek_short(void **state)
{
	static const uint8_t p[] = { 0x10, 0x01, 0x00, 0x08 };
	bool control = false;
	size_t len = 99, n;

	for (n = 0; n < 4; n++) {
		assert_int_equal(sstp_frame_peek(p, n, &control, &len), 0);
		assert_int_equal(len, 99);
	}
}

static void test_peek_ok(void **state)
{
	static const uint8_t data[] = { 0x10, 0x00, 0x00, 0x05, 0xff };
	static const uint8_t ctl[] = { 0x10, 0x01, 0x00, 0x08 };
	static const uint8_t max[] = { 0x10, 0x00, 0x0f, 0xff };
	static const uint8_t min[] = { 0x10, 0x00, 0x00, 0x04 };
	bool control;
	size_t len;

	assert_int_equal(sstp_frame_peek(data, sizeof(data), &control, &len),
			 1);
	assert_false(control);
	assert_int_equal(len, 5);

	assert_int_equal(sstp_frame_peek(ctl, sizeof(ctl), &control, &len), 1);
	assert_true(control);
	assert_int_equal(len, 8);

	assert_int_equal(sstp_frame_peek(max, sizeof(max), &control, &len), 1);
	assert_int_equal(len, SSTP_MAX_PACKET);

	assert_int_equal(sstp_frame_peek(min, sizeof(min), &control, &len), 1);
	assert_false(control);
	assert_int_equal(len, 4);
}

static void test_peek_reserved_ignored(void **state)
{
	static const uint8_t c[] = { 0x10, 0xff, 0xf0, 0x0e };
	static const uint8_t d[] = { 0x10, 0xfe, 0x70, 0x40 };
	bool control;
	size_t len;

	assert_int_equal(sstp_frame_peek(c, sizeof(c), &control, &len), 1);
	assert_true(control);
	assert_int_equal(len, 14);

	assert_int_equal(sstp_frame_peek(d, sizeof(d), &control, &len), 1);
	assert_false(control);
	assert_int_equal(len, 64);
}

static void test_peek_bad(void **state)
{
	static const uint8_t bad[][4] = {
		{ 0x20, 0x01, 0x00, 0x08 },	/* version 2.0 */
		{ 0x00, 0x00, 0x00, 0x08 },	/* version 0 */
		{ 0x11, 0x00, 0x00, 0x08 },	/* version 1.1 */
		{ 0x10, 0x00, 0x00, 0x00 },	/* zero length */
		{ 0x10, 0x00, 0xf0, 0x00 },	/* zero after masking */
		{ 0x10, 0x00, 0x00, 0x03 },	/* below a header */
		{ 0x10, 0x01, 0x00, 0x07 },	/* control below 8 */
		{ 0x10, 0x01, 0x00, 0x04 },
	};
	bool control = false;
	size_t i, len = 77;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(sstp_frame_peek(bad[i], 4, &control, &len),
				 -EBADMSG);
		assert_int_equal(len, 77);
	}
}

/* ---- control packet parser ---- */

static const uint8_t spec_connect_request[] = {
	0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01,
	0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
};

static void test_parse_connect_request(void **state)
{
	struct sstp_ctrl_msg m;
	const char *why = NULL;

	assert_int_equal(sstp_ctrl_parse(spec_connect_request,
					 sizeof(spec_connect_request), &m,
					 &why), 0);
	assert_int_equal(m.type, SSTP_MSG_CALL_CONNECT_REQUEST);
	assert_int_equal(m.num_attrs, 1);
	assert_int_equal(m.attrs[0].id, SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	assert_int_equal(m.attrs[0].len, 2);
	assert_ptr_equal(m.attrs[0].val, spec_connect_request + 12);
	assert_ptr_equal(sstp_find_attr(&m, SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID),
			 &m.attrs[0]);
	assert_null(sstp_find_attr(&m, SSTP_ATTRIB_STATUS_INFO));
}

static void test_parse_max_attrs(void **state)
{
	uint8_t p[8 + SSTP_MAX_ATTRS * 4];
	struct sstp_ctrl_msg m;
	unsigned int i;

	sstp_hdr_put(p, 1, sizeof(p));
	p[4] = 0;
	p[5] = SSTP_MSG_CALL_ABORT;
	p[6] = 0;
	p[7] = SSTP_MAX_ATTRS;
	for (i = 0; i < SSTP_MAX_ATTRS; i++) {
		p[8 + 4 * i] = 0;
		p[9 + 4 * i] = (uint8_t)(0x40 + i);
		p[10 + 4 * i] = 0xf0;	/* reserved bits, ignored */
		p[11 + 4 * i] = 4;
	}
	assert_int_equal(sstp_ctrl_parse(p, sizeof(p), &m, NULL), 0);
	assert_int_equal(m.num_attrs, SSTP_MAX_ATTRS);
	assert_int_equal(m.attrs[7].id, 0x47);
	assert_int_equal(m.attrs[7].len, 0);
	assert_ptr_equal(sstp_find_attr(&m, 0x45), &m.attrs[5]);
}

struct bad_ctrl {
	const char *name;
	uint8_t pkt[24];
	size_t len;
	const char *why;
};

static void test_parse_errors(void **state)
{
	static const struct bad_ctrl cases[] = {
		{ "too short", { 0x10, 0x01, 0x00, 0x07, 0, 8, 0 }, 7,
		  "shorter than a control header" },
		{ "bad version", { 0x11, 0x01, 0x00, 0x08, 0, 8, 0, 0 }, 8,
		  "bad packet header" },
		{ "data packet", { 0x10, 0x00, 0x00, 0x08, 0, 8, 0, 0 }, 8,
		  "not a control packet" },
		{ "length above buffer", { 0x10, 0x01, 0x00, 0x0c, 0, 8, 0, 0 },
		  8, "header length disagrees with packet size" },
		{ "length below buffer", { 0x10, 0x01, 0x00, 0x08, 0, 8, 0, 0,
					   0, 0, 0, 0 }, 12,
		  "header length disagrees with packet size" },
		{ "too many attributes", { 0x10, 0x01, 0x00, 0x08, 0, 5, 0,
					   SSTP_MAX_ATTRS + 1 }, 8,
		  "too many attributes" },
		{ "count above attributes", { 0x10, 0x01, 0x00, 0x0c, 0, 5, 0, 2,
					      0, 2, 0, 4 }, 12,
		  "fewer attributes than announced" },
		{ "partial attribute header", { 0x10, 0x01, 0x00, 0x0a, 0, 5,
						0, 1, 0, 2 }, 10,
		  "fewer attributes than announced" },
		{ "attribute length 3", { 0x10, 0x01, 0x00, 0x0c, 0, 5, 0, 1,
					  0, 2, 0, 3 }, 12,
		  "attribute length below 4" },
		{ "attribute length 0", { 0x10, 0x01, 0x00, 0x0c, 0, 5, 0, 1,
					  0, 2, 0xf0, 0 }, 12,
		  "attribute length below 4" },
		{ "attribute overrun", { 0x10, 0x01, 0x00, 0x0c, 0, 5, 0, 1,
					 0, 2, 0, 5 }, 12,
		  "attribute overruns packet" },
		{ "trailing bytes", { 0x10, 0x01, 0x00, 0x0c, 0, 8, 0, 0,
				      0, 2, 0, 4 }, 12,
		  "trailing bytes after attributes" },
		{ "count below attributes", { 0x10, 0x01, 0x00, 0x10, 0, 5, 0, 1,
					      0, 2, 0, 4, 0, 2, 0, 4 }, 16,
		  "trailing bytes after attributes" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sstp_ctrl_msg m;
		const char *why = NULL;

		print_message("case: %s\n", cases[i].name);
		assert_int_equal(sstp_ctrl_parse(cases[i].pkt, cases[i].len,
						 &m, &why), -EBADMSG);
		assert_non_null(why);
		assert_string_equal(why, cases[i].why);
		assert_int_equal(m.num_attrs, 0);
	}
}

/* ---- names ---- */

static void test_names(void **state)
{
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_CONNECT_REQUEST),
			    "CALL_CONNECT_REQUEST");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_CONNECT_ACK),
			    "CALL_CONNECT_ACK");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_CONNECT_NAK),
			    "CALL_CONNECT_NAK");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_CONNECTED),
			    "CALL_CONNECTED");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_ABORT), "CALL_ABORT");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_DISCONNECT),
			    "CALL_DISCONNECT");
	assert_string_equal(sstp_msg_name(SSTP_MSG_CALL_DISCONNECT_ACK),
			    "CALL_DISCONNECT_ACK");
	assert_string_equal(sstp_msg_name(SSTP_MSG_ECHO_REQUEST),
			    "ECHO_REQUEST");
	assert_string_equal(sstp_msg_name(SSTP_MSG_ECHO_RESPONSE),
			    "ECHO_RESPONSE");
	assert_string_equal(sstp_msg_name(0), "unknown");
	assert_string_equal(sstp_msg_name(10), "unknown");
	assert_string_equal(sstp_msg_name(0xffff), "unknown");

	assert_string_equal(sstp_status_name(SSTP_STATUS_NO_ERROR), "NO_ERROR");
	assert_string_equal(sstp_status_name(SSTP_STATUS_VALUE_NOT_SUPPORTED),
			    "VALUE_NOT_SUPPORTED");
	assert_string_equal(sstp_status_name(SSTP_STATUS_RETRY_COUNT_EXCEEDED),
			    "RETRY_COUNT_EXCEEDED");
	assert_string_equal(
		sstp_status_name(SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG),
		"STATUS_INFO_NOT_SUPPORTED_IN_MSG");
	assert_string_equal(sstp_status_name(12), "unknown");
	assert_string_equal(sstp_status_name(0xffffffffu), "unknown");
}

/* ---- builders ---- */

static void test_build_connect_request(void **state)
{
	uint8_t out[SSTP_LEN_CONNECT_REQUEST];
	struct sstp_ctrl_msg m;
	uint8_t attr = 0xee;

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(sstp_build_connect_request(out),
			 SSTP_LEN_CONNECT_REQUEST);
	assert_memory_equal(out, spec_connect_request, sizeof(out));
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(sstp_check_connect_request(&m, &attr), 0);
}

static void test_build_connect_ack(void **state)
{
	static const uint8_t prefix[] = {
		0x10, 0x01, 0x00, 0x30, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x04, 0x00, 0x28, 0x00, 0x00, 0x00, 0x03,
	};
	uint8_t nonce[SSTP_NONCE_LEN], got[SSTP_NONCE_LEN];
	uint8_t out[SSTP_LEN_CONNECT_ACK];
	struct sstp_ctrl_msg m;
	uint8_t mask = 0;
	unsigned int i;

	for (i = 0; i < sizeof(nonce); i++)
		nonce[i] = (uint8_t)(0xa0 + i);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(sstp_build_connect_ack(out, 0x03, nonce),
			 SSTP_LEN_CONNECT_ACK);
	assert_memory_equal(out, prefix, sizeof(prefix));
	assert_memory_equal(out + 16, nonce, sizeof(nonce));

	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), 0);
	assert_int_equal(mask, 0x03);
	assert_memory_equal(got, nonce, sizeof(nonce));
}

static void test_parse_connect_ack_errors(void **state)
{
	uint8_t nonce[SSTP_NONCE_LEN] = { 1 }, got[SSTP_NONCE_LEN];
	uint8_t out[SSTP_LEN_CONNECT_ACK];
	struct sstp_ctrl_msg m;
	uint8_t mask = 0x77;

	sstp_build_connect_ack(out, 0x03, nonce);
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);

	m.type = SSTP_MSG_CALL_CONNECT_NAK;
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	m.type = SSTP_MSG_CALL_CONNECT_ACK;

	m.attrs[0].id = SSTP_ATTRIB_CRYPTO_BINDING;
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	m.attrs[0].id = SSTP_ATTRIB_CRYPTO_BINDING_REQ;

	m.attrs[0].len = 35;
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	m.attrs[0].len = 36;

	m.num_attrs = 0;
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	m.num_attrs = 2;
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	m.num_attrs = 1;

	/* No hash the client could use. */
	sstp_build_connect_ack(out, 0x04, nonce);
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), -EBADMSG);
	assert_int_equal(mask, 0x77);

	/* SHA256 alone is fine. */
	sstp_build_connect_ack(out, SSTP_HASH_SHA256, nonce);
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(sstp_parse_connect_ack(&m, &mask, got), 0);
	assert_int_equal(mask, SSTP_HASH_SHA256);
}

static void test_build_nak(void **state)
{
	static const uint8_t expect[] = {
		0x10, 0x01, 0x00, 0x16, 0x00, 0x03, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x04, 0x00, 0x02,
	};
	static const uint8_t val[] = { 0x00, 0x02 };
	uint8_t out[128], big[65] = { 0 };
	struct sstp_ctrl_msg m;
	uint8_t attrib = 0;
	uint32_t status = 0;

	assert_int_equal(sstp_build_connect_nak(out, sizeof(out),
						SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID,
						SSTP_STATUS_VALUE_NOT_SUPPORTED,
						val, sizeof(val)),
			 sizeof(expect));
	assert_memory_equal(out, expect, sizeof(expect));
	assert_int_equal(sstp_ctrl_parse(out, sizeof(expect), &m, NULL), 0);
	assert_int_equal(m.type, SSTP_MSG_CALL_CONNECT_NAK);
	assert_true(sstp_status_info(&m, &attrib, &status));
	assert_int_equal(attrib, SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	assert_int_equal(status, SSTP_STATUS_VALUE_NOT_SUPPORTED);
	assert_int_equal(m.attrs[0].len, 8 + sizeof(val));

	/* Without an echoed value. */
	assert_int_equal(sstp_build_connect_nak(out, sizeof(out), 1,
						SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING,
						NULL, 0), 20);
	assert_int_equal(sstp_ctrl_parse(out, 20, &m, NULL), 0);
	assert_true(sstp_status_info(&m, &attrib, &status));
	assert_int_equal(status, SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING);

	/* The largest value fits; one more byte does not. */
	assert_int_equal(sstp_build_connect_nak(out, sizeof(out), 1, 3, big, 64),
			 84);
	assert_int_equal(sstp_ctrl_parse(out, 84, &m, NULL), 0);
	assert_int_equal(sstp_build_connect_nak(out, sizeof(out), 1, 3, big, 65),
			 0);
	/* Too little room, and a length without a value. */
	assert_int_equal(sstp_build_connect_nak(out, 21, 1, 3, val, 2), 0);
	assert_int_equal(sstp_build_connect_nak(out, 22, 1, 3, val, 2), 22);
	assert_int_equal(sstp_build_connect_nak(out, sizeof(out), 1, 3, NULL, 2),
			 0);
}

static void test_build_simple(void **state)
{
	static const uint8_t expect[] = {
		0x10, 0x01, 0x00, 0x08, 0x00, 0x08, 0x00, 0x00,
	};
	uint8_t out[SSTP_LEN_SIMPLE];
	struct sstp_ctrl_msg m;
	uint8_t attrib;
	uint32_t status;

	assert_int_equal(sstp_build_simple(out, SSTP_MSG_ECHO_REQUEST),
			 SSTP_LEN_SIMPLE);
	assert_memory_equal(out, expect, sizeof(expect));
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(m.type, SSTP_MSG_ECHO_REQUEST);
	assert_int_equal(m.num_attrs, 0);
	assert_false(sstp_status_info(&m, &attrib, &status));
}

static void test_build_status_msg(void **state)
{
	static const uint8_t expect[] = {
		0x10, 0x01, 0x00, 0x14, 0x00, 0x05, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x03,
		0x00, 0x00, 0x00, 0x04,
	};
	uint8_t out[SSTP_LEN_STATUS_MSG];
	struct sstp_ctrl_msg m;
	uint8_t attrib = 0;
	uint32_t status = 0;

	assert_int_equal(sstp_build_status_msg(out, SSTP_MSG_CALL_ABORT,
					       SSTP_ATTRIB_CRYPTO_BINDING,
					       SSTP_STATUS_VALUE_NOT_SUPPORTED),
			 SSTP_LEN_STATUS_MSG);
	assert_memory_equal(out, expect, sizeof(expect));
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(m.type, SSTP_MSG_CALL_ABORT);
	assert_true(sstp_status_info(&m, &attrib, &status));
	assert_int_equal(attrib, SSTP_ATTRIB_CRYPTO_BINDING);
	assert_int_equal(status, SSTP_STATUS_VALUE_NOT_SUPPORTED);

	sstp_build_status_msg(out, SSTP_MSG_CALL_DISCONNECT, 0, 0x01020304);
	assert_int_equal(sstp_ctrl_parse(out, sizeof(out), &m, NULL), 0);
	assert_int_equal(m.type, SSTP_MSG_CALL_DISCONNECT);
	assert_true(sstp_status_info(&m, &attrib, &status));
	assert_int_equal(attrib, 0);
	assert_int_equal(status, 0x01020304);
}

static void test_status_info_short(void **state)
{
	/* A Status Info attribute too short to hold a status is skipped. */
	static const uint8_t p[] = {
		0x10, 0x01, 0x00, 0x0c, 0x00, 0x05, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x04,
	};
	struct sstp_ctrl_msg m;
	uint8_t attrib = 0x55;
	uint32_t status = 0x66;

	assert_int_equal(sstp_ctrl_parse(p, sizeof(p), &m, NULL), 0);
	assert_false(sstp_status_info(&m, &attrib, &status));
	assert_int_equal(attrib, 0x55);
	assert_int_equal(status, 0x66);
}

/* ---- CALL_CONNECT_REQUEST checks ---- */

static void check_request(const uint8_t *p, size_t len, int status,
			  uint8_t attrib)
{
	struct sstp_ctrl_msg m;
	uint8_t got = 0xee;
	const char *why = NULL;

	assert_int_equal(sstp_ctrl_parse(p, len, &m, &why), 0);
	assert_int_equal(sstp_check_connect_request(&m, &got), status);
	if (status)
		assert_int_equal(got, attrib);
}

static void test_check_connect_request(void **state)
{
	static const uint8_t none[] = {
		0x10, 0x01, 0x00, 0x08, 0x00, 0x01, 0x00, 0x00,
	};
	static const uint8_t short_val[] = {
		0x10, 0x01, 0x00, 0x0d, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x05, 0x00,
	};
	static const uint8_t long_val[] = {
		0x10, 0x01, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x07, 0x00, 0x01, 0x00,
	};
	static const uint8_t not_ppp[] = {
		0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x02,
	};
	static const uint8_t dup[] = {
		0x10, 0x01, 0x00, 0x14, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
	};
	static const uint8_t unknown[] = {
		0x10, 0x01, 0x00, 0x12, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
		0x00, 0x07, 0x00, 0x04,
	};
	static const uint8_t status_info[] = {
		0x10, 0x01, 0x00, 0x14, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x02, 0x00, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t binding_req[] = {
		0x10, 0x01, 0x00, 0x12, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x04, 0x00, 0x04,
		0x00, 0x01, 0x00, 0x06, 0x00, 0x01,
	};

	check_request(spec_connect_request, sizeof(spec_connect_request), 0, 0);
	check_request(none, sizeof(none),
		      SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING,
		      SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	check_request(short_val, sizeof(short_val),
		      SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH,
		      SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	check_request(long_val, sizeof(long_val),
		      SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH,
		      SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	check_request(not_ppp, sizeof(not_ppp),
		      SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	check_request(dup, sizeof(dup), SSTP_STATUS_DUPLICATE_ATTRIBUTE,
		      SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);
	check_request(unknown, sizeof(unknown),
		      SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE, 0x07);
	check_request(status_info, sizeof(status_info),
		      SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG,
		      SSTP_ATTRIB_STATUS_INFO);
	check_request(binding_req, sizeof(binding_req),
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      SSTP_ATTRIB_CRYPTO_BINDING_REQ);
}

/* ---- crypto binding ---- */

static void test_compound_mac_vectors(void **state)
{
	uint8_t mac[SSTP_CMAC_LEN];
	struct vector v;

	load_vector(&v, SSTP_HASH_SHA256);
	memset(mac, 0xaa, sizeof(mac));
	assert_int_equal(sstp_compound_mac(v.hash, v.hlak, v.pkt, mac), 32);
	assert_memory_equal(mac, v.mac, 32);
	assert_memory_equal(v.pkt + SSTP_CC_OFF_CMAC, v.mac, 32);

	load_vector(&v, SSTP_HASH_SHA1);
	memset(mac, 0xaa, sizeof(mac));
	assert_int_equal(sstp_compound_mac(v.hash, v.hlak, v.pkt, mac), 20);
	assert_memory_equal(mac, v.mac, 20);
	/* The unused tail of a SHA1 MAC is zero padding. */
	assert_memory_equal(mac + 20, v.pkt + SSTP_CC_OFF_CMAC + 20, 12);
	assert_int_equal(mac[31], 0);
}

static void test_compound_mac_ignores_mac_field(void **state)
{
	uint8_t a[SSTP_CMAC_LEN], b[SSTP_CMAC_LEN];
	struct vector v;

	load_vector(&v, SSTP_HASH_SHA256);
	assert_int_equal(sstp_compound_mac(v.hash, v.hlak, v.pkt, a), 32);
	memset(v.pkt + SSTP_CC_OFF_CMAC, 0x5a, SSTP_CMAC_LEN);
	assert_int_equal(sstp_compound_mac(v.hash, v.hlak, v.pkt, b), 32);
	assert_memory_equal(a, b, sizeof(a));
	/* But any other byte changes it. */
	v.pkt[SSTP_CC_OFF_CMAC - 1] ^= 1;
	assert_int_equal(sstp_compound_mac(v.hash, v.hlak, v.pkt, b), 32);
	assert_memory_not_equal(a, b, sizeof(a));
}

static void test_compound_mac_bad_hash(void **state)
{
	uint8_t mac[SSTP_CMAC_LEN];
	struct vector v;

	load_vector(&v, SSTP_HASH_SHA256);
	assert_int_equal(sstp_compound_mac(0, v.hlak, v.pkt, mac), -EINVAL);
	assert_int_equal(sstp_compound_mac(3, v.hlak, v.pkt, mac), -EINVAL);
	assert_int_equal(sstp_compound_mac(4, v.hlak, v.pkt, mac), -EINVAL);
}

static void test_build_call_connected_reproduces_vectors(void **state)
{
	uint8_t out[SSTP_LEN_CALL_CONNECTED];
	struct vector v;

	load_vector(&v, SSTP_HASH_SHA256);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(sstp_build_call_connected(out, v.hash, v.exp.nonce,
						   v.exp.cert_sha256, v.hlak),
			 SSTP_LEN_CALL_CONNECTED);
	assert_memory_equal(out, v.pkt, sizeof(out));

	load_vector(&v, SSTP_HASH_SHA1);
	memset(out, 0xaa, sizeof(out));
	assert_int_equal(sstp_build_call_connected(out, v.hash, v.exp.nonce,
						   v.exp.cert_sha1, v.hlak),
			 SSTP_LEN_CALL_CONNECTED);
	assert_memory_equal(out, v.pkt, sizeof(out));
}

static void test_build_call_connected_round_trip(void **state)
{
	struct sstp_binding_expect exp;
	uint8_t out[SSTP_LEN_CALL_CONNECTED];
	const char *why = NULL;
	unsigned int i;

	for (i = 0; i < sizeof(exp.nonce); i++)
		exp.nonce[i] = (uint8_t)(3 * i + 1);
	for (i = 0; i < sizeof(exp.cert_sha1); i++)
		exp.cert_sha1[i] = (uint8_t)(0x80 + i);
	for (i = 0; i < sizeof(exp.cert_sha256); i++)
		exp.cert_sha256[i] = (uint8_t)(0x40 + i);
	memset(exp.hlak, 0, sizeof(exp.hlak));	/* PAP: the zero HLAK */

	exp.bitmask = SSTP_HASH_SHA256;
	assert_int_equal(sstp_build_call_connected(out, SSTP_HASH_SHA256,
						   exp.nonce, exp.cert_sha256,
						   exp.hlak),
			 SSTP_LEN_CALL_CONNECTED);
	assert_int_equal(sstp_verify_call_connected(out, sizeof(out), &exp,
						    &why), 0);

	exp.bitmask = SSTP_HASH_SHA1;
	assert_int_equal(sstp_build_call_connected(out, SSTP_HASH_SHA1,
						   exp.nonce, exp.cert_sha1,
						   exp.hlak),
			 SSTP_LEN_CALL_CONNECTED);
	/* SHA1 leaves the last 12 bytes of both hash fields zero. */
	for (i = 20; i < 32; i++) {
		assert_int_equal(out[SSTP_CC_OFF_CERT_HASH + i], 0);
		assert_int_equal(out[SSTP_CC_OFF_CMAC + i], 0);
	}
	assert_int_equal(sstp_verify_call_connected(out, sizeof(out), &exp,
						    &why), 0);

	/* The binding depends on the HLAK. */
	exp.hlak[31] = 1;
	assert_int_equal(sstp_verify_call_connected(out, sizeof(out), &exp,
						    &why),
			 SSTP_STATUS_VALUE_NOT_SUPPORTED);
	assert_string_equal(why, "compound MAC mismatch");

	assert_int_equal(sstp_build_call_connected(out, 0, exp.nonce,
						   exp.cert_sha1, exp.hlak), 0);
	assert_int_equal(sstp_build_call_connected(out, 3, exp.nonce,
						   exp.cert_sha1, exp.hlak), 0);
}

static void verify_expect(const struct vector *v, const uint8_t *pkt,
			  size_t len, int status, const char *why_expected)
{
	const char *why = NULL;

	assert_int_equal(sstp_verify_call_connected(pkt, len, &v->exp, &why),
			 status);
	assert_non_null(why);
	if (why_expected)
		assert_string_equal(why, why_expected);
}

static void verify_vector_cases(uint8_t hash)
{
	uint8_t p[SSTP_LEN_CALL_CONNECTED + 8];
	struct vector v;
	size_t l;

	load_vector(&v, hash);
	l = v.mac_len;
	verify_expect(&v, v.pkt, sizeof(v.pkt), 0, "ok");

	/* Only the offered hash is accepted; SHA256 alone when offered. */
	v.exp.bitmask = hash;
	verify_expect(&v, v.pkt, sizeof(v.pkt), 0, NULL);
	v.exp.bitmask = (uint8_t)(~hash & 0x03);
	verify_expect(&v, v.pkt, sizeof(v.pkt),
		      SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "hash protocol not offered");
	v.exp.bitmask = 0x03;

	/* Each MAC byte matters. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[SSTP_CC_OFF_CMAC] ^= 0x01;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "compound MAC mismatch");
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[SSTP_CC_OFF_CMAC + l - 1] ^= 0x80;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "compound MAC mismatch");

	/* A byte covered by the MAC but not checked on its own. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[12] = 0x01;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "compound MAC mismatch");

	/* Nonce. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	v.exp.nonce[31] ^= 0x01;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "nonce mismatch");
	v.exp.nonce[31] ^= 0x01;

	/* Certificate hash, first and last byte of the compared part. */
	if (hash == SSTP_HASH_SHA1) {
		v.exp.cert_sha1[0] ^= 0x01;
		verify_expect(&v, p, sizeof(v.pkt),
			      SSTP_STATUS_VALUE_NOT_SUPPORTED,
			      "certificate hash mismatch");
		v.exp.cert_sha1[0] ^= 0x01;
		v.exp.cert_sha1[19] ^= 0x01;
		verify_expect(&v, p, sizeof(v.pkt),
			      SSTP_STATUS_VALUE_NOT_SUPPORTED,
			      "certificate hash mismatch");
		v.exp.cert_sha1[19] ^= 0x01;
		/* The other algorithm's hash is not looked at. */
		memset(v.exp.cert_sha256, 0xff, 32);
		verify_expect(&v, p, sizeof(v.pkt), 0, "ok");
	} else {
		v.exp.cert_sha256[31] ^= 0x01;
		verify_expect(&v, p, sizeof(v.pkt),
			      SSTP_STATUS_VALUE_NOT_SUPPORTED,
			      "certificate hash mismatch");
		v.exp.cert_sha256[31] ^= 0x01;
		memset(v.exp.cert_sha1, 0xff, 20);
		verify_expect(&v, p, sizeof(v.pkt), 0, "ok");
	}

	/* Hash protocol values that are not a single offered hash. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[SSTP_CC_OFF_HASH_PROTO] = 0x03;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "hash protocol not offered");
	p[SSTP_CC_OFF_HASH_PROTO] = 0x00;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "hash protocol not offered");
	p[SSTP_CC_OFF_HASH_PROTO] = 0x04;
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "hash protocol not offered");
	/* The other single hash, offered, fails on the MAC. */
	p[SSTP_CC_OFF_HASH_PROTO] = (uint8_t)(~hash & 0x03);
	memcpy(v.exp.cert_sha1, p + SSTP_CC_OFF_CERT_HASH, 20);
	memcpy(v.exp.cert_sha256, p + SSTP_CC_OFF_CERT_HASH, 32);
	verify_expect(&v, p, sizeof(v.pkt), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "compound MAC mismatch");

	/* Wrong attribute id. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[9] = SSTP_ATTRIB_CRYPTO_BINDING_REQ;
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "expected one crypto binding attribute");

	/* Packet one byte short, header and attribute adjusted. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	sstp_len_put(p + 2, SSTP_LEN_CALL_CONNECTED - 1);
	sstp_len_put(p + 10, SSTP_ATTR_LEN_CRYPTO_BINDING - 1);
	verify_expect(&v, p, sizeof(v.pkt) - 1,
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "crypto binding has the wrong length");

	/* Packet longer, attribute adjusted. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	memset(p + sizeof(v.pkt), 0, 8);
	sstp_len_put(p + 2, SSTP_LEN_CALL_CONNECTED + 8);
	sstp_len_put(p + 10, SSTP_ATTR_LEN_CRYPTO_BINDING + 8);
	verify_expect(&v, p, sizeof(p),
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "crypto binding has the wrong length");

	/* Packet length disagrees with the buffer. */
	verify_expect(&v, v.pkt, sizeof(v.pkt) - 1,
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "header length disagrees with packet size");

	/* Attribute length disagrees with the packet. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	sstp_len_put(p + 10, SSTP_ATTR_LEN_CRYPTO_BINDING - 4);
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "trailing bytes after attributes");

	/* Two attributes. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[7] = 2;
	sstp_len_put(p + 10, SSTP_ATTR_LEN_CRYPTO_BINDING - 4);
	sstp_len_put(p + 8 + SSTP_ATTR_LEN_CRYPTO_BINDING - 4 + 2, 4);
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "expected one crypto binding attribute");

	/* No attribute at all. */
	memcpy(p, v.pkt, 8);
	sstp_len_put(p + 2, 8);
	p[7] = 0;
	verify_expect(&v, p, 8, SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG,
		      "expected one crypto binding attribute");

	/* Not a CALL_CONNECTED at all. */
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[5] = SSTP_MSG_CALL_CONNECT_REQUEST;
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_INVALID_FRAME_RECEIVED,
		      "not a CALL_CONNECTED packet");
	memcpy(p, v.pkt, sizeof(v.pkt));
	p[1] = 0;
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_INVALID_FRAME_RECEIVED, NULL);
	p[1] = 1;
	p[0] = 0x11;
	verify_expect(&v, p, sizeof(v.pkt),
		      SSTP_STATUS_INVALID_FRAME_RECEIVED, NULL);
	verify_expect(&v, v.pkt, 7, SSTP_STATUS_INVALID_FRAME_RECEIVED, NULL);
	verify_expect(&v, v.pkt, 0, SSTP_STATUS_INVALID_FRAME_RECEIVED, NULL);
}

static void test_verify_sha256_vector(void **state)
{
	verify_vector_cases(SSTP_HASH_SHA256);
}

static void test_verify_sha1_vector(void **state)
{
	verify_vector_cases(SSTP_HASH_SHA1);
}

static void test_verify_sha1_padding(void **state)
{
	uint8_t p[SSTP_LEN_CALL_CONNECTED];
	struct vector v;

	/*
	 * The padding after a SHA1 MAC is zeroed before hashing and not
	 * compared, so junk there does not change the verdict; the padding
	 * after the certificate hash is covered by the MAC.
	 */
	load_vector(&v, SSTP_HASH_SHA1);
	memcpy(p, v.pkt, sizeof(p));
	p[SSTP_CC_OFF_CMAC + 25] = 0xff;
	verify_expect(&v, p, sizeof(p), 0, "ok");
	memcpy(p, v.pkt, sizeof(p));
	p[SSTP_CC_OFF_CERT_HASH + 25] = 0xff;
	verify_expect(&v, p, sizeof(p), SSTP_STATUS_VALUE_NOT_SUPPORTED,
		      "compound MAC mismatch");
}

static void test_verify_null_why(void **state)
{
	struct vector v;

	load_vector(&v, SSTP_HASH_SHA256);
	assert_int_equal(sstp_verify_call_connected(v.pkt, sizeof(v.pkt),
						    &v.exp, NULL), 0);
	v.pkt[100] ^= 1;
	assert_int_equal(sstp_verify_call_connected(v.pkt, sizeof(v.pkt),
						    &v.exp, NULL),
			 SSTP_STATUS_VALUE_NOT_SUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_peek_short),
		cmocka_unit_test(test_peek_ok),
		cmocka_unit_test(test_peek_reserved_ignored),
		cmocka_unit_test(test_peek_bad),
		cmocka_unit_test(test_parse_connect_request),
		cmocka_unit_test(test_parse_max_attrs),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_build_connect_request),
		cmocka_unit_test(test_build_connect_ack),
		cmocka_unit_test(test_parse_connect_ack_errors),
		cmocka_unit_test(test_build_nak),
		cmocka_unit_test(test_build_simple),
		cmocka_unit_test(test_build_status_msg),
		cmocka_unit_test(test_status_info_short),
		cmocka_unit_test(test_check_connect_request),
		cmocka_unit_test(test_compound_mac_vectors),
		cmocka_unit_test(test_compound_mac_ignores_mac_field),
		cmocka_unit_test(test_compound_mac_bad_hash),
		cmocka_unit_test(test_build_call_connected_reproduces_vectors),
		cmocka_unit_test(test_build_call_connected_round_trip),
		cmocka_unit_test(test_verify_sha256_vector),
		cmocka_unit_test(test_verify_sha1_vector),
		cmocka_unit_test(test_verify_sha1_padding),
		cmocka_unit_test(test_verify_null_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
