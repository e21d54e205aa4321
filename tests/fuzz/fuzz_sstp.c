// SPDX-License-Identifier: GPL-2.0
/*
 * SSTP framing, control parser, message checks and the crypto binding
 * verifier, fed from one input read both as a whole packet and as a stream.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/sstp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_msg(const uint8_t *pkt, size_t len)
{
	struct sstp_ctrl_msg m;
	uint8_t nonce[SSTP_NONCE_LEN], out[128];
	const char *why = NULL;
	uint8_t attrib, mask;
	uint32_t status;
	unsigned int i;
	int ret;

	if (sstp_ctrl_parse(pkt, len, &m, &why)) {
		if (!why)
			__builtin_trap();
		return;
	}
	if (m.num_attrs > SSTP_MAX_ATTRS)
		__builtin_trap();
	for (i = 0; i < m.num_attrs; i++) {
		const struct sstp_attr *a = &m.attrs[i];

		if (a->val < pkt + SSTP_CTRL_HDR_LEN + SSTP_ATTR_HDR_LEN ||
		    a->val + a->len > pkt + len)
			__builtin_trap();
	}
	(void)sstp_msg_name(m.type);
	(void)sstp_find_attr(&m, SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID);

	ret = sstp_check_connect_request(&m, &attrib);
	if (ret < 0 || ret > SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG)
		__builtin_trap();
	(void)sstp_status_name((uint32_t)ret);
	if (ret) {
		/* The NAK echoing the offending value must itself parse. */
		const struct sstp_attr *a = sstp_find_attr(&m, attrib);
		size_t vlen = a && a->len <= 64 ? a->len : 0;
		size_t n = sstp_build_connect_nak(out, sizeof(out), attrib,
						  (uint32_t)ret,
						  vlen ? a->val : NULL, vlen);
		struct sstp_ctrl_msg nak;
		uint8_t got_attrib;
		uint32_t got_status;

		if (!n || sstp_ctrl_parse(out, n, &nak, &why) ||
		    !sstp_status_info(&nak, &got_attrib, &got_status) ||
		    got_attrib != attrib || got_status != (uint32_t)ret)
			__builtin_trap();
	}

	if (sstp_status_info(&m, &attrib, &status))
		(void)sstp_status_name(status);

	if (!sstp_parse_connect_ack(&m, &mask, nonce)) {
		uint8_t ack[SSTP_LEN_CONNECT_ACK];

		if (len != SSTP_LEN_CONNECT_ACK)
			__builtin_trap();
		sstp_build_connect_ack(ack, mask, nonce);
		/* Only the reserved bits may differ from what was parsed. */
		if (memcmp(ack + 4, pkt + 4, 4) ||
		    memcmp(ack + 15, pkt + 15, SSTP_LEN_CONNECT_ACK - 15))
			__builtin_trap();
	}
}

static void check_binding(const uint8_t *pkt, size_t len)
{
	struct sstp_binding_expect exp;
	uint8_t mac[SSTP_CMAC_LEN];
	const char *why = NULL;
	int ret;

	/*
	 * Take the expected values from the packet itself so that the
	 * verifier gets past the nonce and certificate checks to the MAC.
	 */
	memset(&exp, 0, sizeof(exp));
	exp.bitmask = SSTP_HASH_SHA1 | SSTP_HASH_SHA256;
	if (len >= SSTP_LEN_CALL_CONNECTED) {
		memcpy(exp.nonce, pkt + SSTP_CC_OFF_NONCE, SSTP_NONCE_LEN);
		memcpy(exp.cert_sha1, pkt + SSTP_CC_OFF_CERT_HASH, 20);
		memcpy(exp.cert_sha256, pkt + SSTP_CC_OFF_CERT_HASH, 32);
	}
	ret = sstp_verify_call_connected(pkt, len, &exp, &why);
	if (ret < 0 || ret > SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG ||
	    !why)
		__builtin_trap();

	if (len == SSTP_LEN_CALL_CONNECTED) {
		uint8_t hash = pkt[SSTP_CC_OFF_HASH_PROTO];
		uint8_t out[SSTP_LEN_CALL_CONNECTED];

		ret = sstp_compound_mac(hash, exp.hlak, pkt, mac);
		if (ret != -EINVAL && ret != 20 && ret != 32)
			__builtin_trap();
		/* Whatever we build with these inputs must verify. */
		if (ret > 0 &&
		    (sstp_build_call_connected(out, hash, exp.nonce,
					       pkt + SSTP_CC_OFF_CERT_HASH,
					       exp.hlak) != sizeof(out) ||
		     sstp_verify_call_connected(out, sizeof(out), &exp, &why)))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;

	/* The whole input as one packet. */
	check_msg(data, size);
	check_binding(data, size);

	/* The input as a stream of packets, as read from the tunnel. */
	while (off < size) {
		bool control;
		size_t len;
		int ret = sstp_frame_peek(data + off, size - off, &control,
					  &len);

		if (ret <= 0)
			break;
		if (len < SSTP_HDR_LEN || len > SSTP_MAX_PACKET ||
		    (control && len < SSTP_CTRL_HDR_LEN))
			__builtin_trap();
		if (len > size - off)
			break;
		if (control) {
			check_msg(data + off, len);
			check_binding(data + off, len);
		}
		off += len;
	}
	return 0;
}
