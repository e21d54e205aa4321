/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * MS-SSTP wire format, shared by the kernel module and userspace.
 *
 * Every SSTP packet starts with a 4-byte header: version (0x10), a byte
 * whose least significant bit is the control flag, and a big-endian word
 * holding 4 reserved bits and a 12-bit length that covers the whole packet,
 * header included. A data packet carries one PPP frame; a control packet
 * carries a message type, an attribute count and the attributes.
 */
#ifndef _UAPI_LINUX_SSTP_PROTO_H
#define _UAPI_LINUX_SSTP_PROTO_H

#include <linux/types.h>

#define SSTP_VERSION		0x10
#define SSTP_FLAG_CONTROL	0x01
#define SSTP_LENGTH_MASK	0x0fff
#define SSTP_HDR_LEN		4
#define SSTP_CTRL_HDR_LEN	8	/* packet header + type + attribute count */
#define SSTP_ATTR_HDR_LEN	4
#define SSTP_MAX_PACKET		4095	/* the length field is 12 bits */
#define SSTP_MAX_PPP_FRAME	(SSTP_MAX_PACKET - SSTP_HDR_LEN)

#define SSTP_NONCE_LEN		32
#define SSTP_HLAK_LEN		32
#define SSTP_CMAC_LEN		32
#define SSTP_CERT_HASH_LEN	32

#define SSTP_URI	"/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"

struct sstp_hdr {
	__u8	version;
	__u8	flags;		/* bit 0: control packet */
	__be16	length;		/* 4 reserved bits, 12-bit length */
};

struct sstp_ctrl_hdr {
	struct sstp_hdr	hdr;
	__be16		type;
	__be16		num_attrs;
};

struct sstp_attr_hdr {
	__u8	reserved;
	__u8	id;
	__be16	length;		/* 4 reserved bits, 12-bit length incl. header */
};

enum sstp_msg_type {
	SSTP_MSG_CALL_CONNECT_REQUEST	= 0x0001,
	SSTP_MSG_CALL_CONNECT_ACK	= 0x0002,
	SSTP_MSG_CALL_CONNECT_NAK	= 0x0003,
	SSTP_MSG_CALL_CONNECTED		= 0x0004,
	SSTP_MSG_CALL_ABORT		= 0x0005,
	SSTP_MSG_CALL_DISCONNECT	= 0x0006,
	SSTP_MSG_CALL_DISCONNECT_ACK	= 0x0007,
	SSTP_MSG_ECHO_REQUEST		= 0x0008,
	SSTP_MSG_ECHO_RESPONSE		= 0x0009,
};

enum sstp_attr_id {
	SSTP_ATTRIB_NO_ERROR			= 0x00,
	SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID	= 0x01,
	SSTP_ATTRIB_STATUS_INFO			= 0x02,
	SSTP_ATTRIB_CRYPTO_BINDING		= 0x03,
	SSTP_ATTRIB_CRYPTO_BINDING_REQ		= 0x04,
};

enum sstp_status {
	SSTP_STATUS_NO_ERROR			= 0x00,
	SSTP_STATUS_DUPLICATE_ATTRIBUTE		= 0x01,
	SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE	= 0x02,
	SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH	= 0x03,
	SSTP_STATUS_VALUE_NOT_SUPPORTED		= 0x04,
	SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED	= 0x05,
	SSTP_STATUS_RETRY_COUNT_EXCEEDED	= 0x06,
	SSTP_STATUS_INVALID_FRAME_RECEIVED	= 0x07,
	SSTP_STATUS_NEGOTIATION_TIMEOUT		= 0x08,
	SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG	= 0x09,
	SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING	= 0x0a,
	SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG = 0x0b,
};

#define SSTP_ENCAPSULATED_PROTOCOL_PPP	0x0001

/* Hash protocol values and the bitmask offered in CALL_CONNECT_ACK. */
#define SSTP_HASH_SHA1		0x01
#define SSTP_HASH_SHA256	0x02

/* Fixed message sizes (whole packet, header included). */
#define SSTP_LEN_CONNECT_REQUEST	14
#define SSTP_LEN_CONNECT_ACK		48
#define SSTP_LEN_CALL_CONNECTED		112
#define SSTP_LEN_SIMPLE			8
#define SSTP_LEN_STATUS_MSG		20
#define SSTP_ATTR_LEN_CRYPTO_BINDING	104
#define SSTP_ATTR_LEN_CRYPTO_BINDING_REQ 40

/* Offsets inside CALL_CONNECTED. */
#define SSTP_CC_OFF_HASH_PROTO	15
#define SSTP_CC_OFF_NONCE	16
#define SSTP_CC_OFF_CERT_HASH	48
#define SSTP_CC_OFF_CMAC	80

/* PPP protocol numbers carried in SSTP data packets. */
#define SSTP_PPP_IP		0x0021
#define SSTP_PPP_IPV6		0x0057
#define SSTP_PPP_IPCP		0x8021
#define SSTP_PPP_IPV6CP		0x8057
#define SSTP_PPP_LCP		0xc021
#define SSTP_PPP_EAP		0xc227

static inline __u16 sstp_len_get(const void *p)
{
	const __u8 *b = (const __u8 *)p;

	return (__u16)(((b[0] << 8) | b[1]) & SSTP_LENGTH_MASK);
}

static inline void sstp_len_put(void *p, __u16 len)
{
	__u8 *b = (__u8 *)p;

	b[0] = (__u8)((len >> 8) & 0x0f);
	b[1] = (__u8)len;
}

/* Write a packet header; len is the whole packet length. */
static inline void sstp_hdr_put(void *p, int control, __u16 len)
{
	__u8 *b = (__u8 *)p;

	b[0] = SSTP_VERSION;
	b[1] = control ? SSTP_FLAG_CONTROL : 0;
	sstp_len_put(b + 2, len);
}

#endif /* _UAPI_LINUX_SSTP_PROTO_H */
