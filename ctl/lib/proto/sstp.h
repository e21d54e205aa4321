/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SSTP control messages and crypto binding: pure encode/decode, no I/O.
 * Shared by the gateway and the client.
 */
#ifndef _SSTP_SSTP_H
#define _SSTP_SSTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/sstp_proto.h>

/*
 * Look at the start of a byte stream. Returns 0 when fewer than 4 bytes are
 * there, 1 when a header was read (*control and *len set; len is the whole
 * packet length, 4..4095; the packet may not be complete yet), or -EBADMSG
 * when the framing cannot be delimited (bad version, length < 4, or < 8 for
 * a control packet) and the connection must be dropped. Reserved bits in
 * byte 1 and in the length word are ignored, as MS-SSTP 2.2.1 asks.
 */
int sstp_frame_peek(const uint8_t *p, size_t n, bool *control, size_t *len);

#define SSTP_MAX_ATTRS 8

struct sstp_attr {
	uint8_t id;
	uint16_t len;		/* value length (attribute length - 4) */
	const uint8_t *val;	/* points into the packet */
};

struct sstp_ctrl_msg {
	uint16_t type;
	unsigned int num_attrs;
	struct sstp_attr attrs[SSTP_MAX_ATTRS];
};

/*
 * Parse a whole control packet (header included). Returns 0, or -EBADMSG
 * with *why set to a short reason for the log (lengths disagree, too many
 * attributes, truncated attribute...). Does not judge whether the message
 * type or attributes are acceptable in the current state.
 */
int sstp_ctrl_parse(const uint8_t *pkt, size_t len, struct sstp_ctrl_msg *m,
		    const char **why);

const char *sstp_msg_name(uint16_t type);
const char *sstp_status_name(uint32_t status);

/* Builders write a whole packet and return its length. */
size_t sstp_build_connect_request(uint8_t out[SSTP_LEN_CONNECT_REQUEST]);
size_t sstp_build_connect_ack(uint8_t out[SSTP_LEN_CONNECT_ACK],
			      uint8_t hash_bitmask,
			      const uint8_t nonce[SSTP_NONCE_LEN]);
/* NAK with one Status Info attribute, echoing value (at most 64 bytes). */
size_t sstp_build_connect_nak(uint8_t *out, size_t cap, uint8_t attrib_id,
			      uint32_t status, const uint8_t *value,
			      size_t value_len);
/* A message without attributes (DISCONNECT_ACK, ECHO_*, bare ABORT). */
size_t sstp_build_simple(uint8_t out[SSTP_LEN_SIMPLE], uint16_t type);
/* ABORT or DISCONNECT with one Status Info attribute. */
size_t sstp_build_status_msg(uint8_t out[SSTP_LEN_STATUS_MSG], uint16_t type,
			     uint8_t attrib_id, uint32_t status);

/* The first attribute with this id, or NULL. */
const struct sstp_attr *sstp_find_attr(const struct sstp_ctrl_msg *m,
				       uint8_t id);

/*
 * Parse the Status Info attribute of an ABORT/DISCONNECT/NAK, if present.
 * Returns true and fills the fields when there is one.
 */
bool sstp_status_info(const struct sstp_ctrl_msg *m, uint8_t *attrib_id,
		      uint32_t *status);

/*
 * Validate a CALL_CONNECT_REQUEST: returns 0, or a status for the NAK with
 * *nak_attrib set to the attribute concerned (its value is what the NAK
 * echoes, see sstp_find_attr()).
 */
int sstp_check_connect_request(const struct sstp_ctrl_msg *m,
			       uint8_t *nak_attrib);

/* Parse a CALL_CONNECT_ACK (client side). Returns 0 or -EBADMSG. */
int sstp_parse_connect_ack(const struct sstp_ctrl_msg *m, uint8_t *bitmask,
			   uint8_t nonce[SSTP_NONCE_LEN]);

/*
 * Compound MAC (MS-SSTP 3.2.5.2.4): CMK = HMAC-H(HLAK, "SSTP inner method
 * derived CMK" || LEN16LE || 0x01), MAC = HMAC-H(CMK, packet with bytes
 * 80..111 zeroed). hash is SSTP_HASH_SHA1 or SSTP_HASH_SHA256; mac gets 20
 * or 32 bytes. Returns the MAC length, or -EINVAL.
 */
int sstp_compound_mac(uint8_t hash, const uint8_t hlak[SSTP_HLAK_LEN],
		      const uint8_t pkt[SSTP_LEN_CALL_CONNECTED],
		      uint8_t mac[SSTP_CMAC_LEN]);

/*
 * Client: build CALL_CONNECTED with the crypto binding. cert_hash is the
 * 20- or 32-byte hash of the server's certificate for that algorithm.
 */
size_t sstp_build_call_connected(uint8_t out[SSTP_LEN_CALL_CONNECTED],
				 uint8_t hash, const uint8_t nonce[SSTP_NONCE_LEN],
				 const uint8_t *cert_hash,
				 const uint8_t hlak[SSTP_HLAK_LEN]);

struct sstp_binding_expect {
	uint8_t bitmask;			/* hashes we offered */
	uint8_t nonce[SSTP_NONCE_LEN];
	uint8_t cert_sha1[20];
	uint8_t cert_sha256[32];
	uint8_t hlak[SSTP_HLAK_LEN];
};

/*
 * Server: verify a whole CALL_CONNECTED packet. Returns 0 when valid;
 * otherwise a status (SSTP_STATUS_*) for the ABORT, with *why set for the
 * log ("nonce mismatch", "compound MAC mismatch", ...). Constant-time MAC
 * compare.
 */
int sstp_verify_call_connected(const uint8_t *pkt, size_t len,
			       const struct sstp_binding_expect *exp,
			       const char **why);

#endif
