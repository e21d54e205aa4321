// SPDX-License-Identifier: GPL-2.0
/*
 * SSTP control messages (MS-SSTP 2.2) and the crypto binding check
 * (MS-SSTP 3.2.5.2). Everything here works on caller-owned buffers.
 */
#include <errno.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/wire.h"
#include "sstp.h"

#define CMK_SEED	"SSTP inner method derived CMK"
#define CMK_SEED_LEN	(sizeof(CMK_SEED) - 1)

/* Value length of a Status Info attribute without the echoed value. */
#define STATUS_INFO_LEN		8
#define STATUS_INFO_MAX_VALUE	64





static void set_why(const char **why, const char *reason)
{
	if (why)
		*why = reason;
}

int sstp_frame_peek(const uint8_t *p, size_t n, bool *control, size_t *len)
{
	bool ctl;
	size_t l;

	if (n < SSTP_HDR_LEN)
		return 0;
	if (p[0] != SSTP_VERSION)
		return -EBADMSG;
	/* Reserved bits must be ignored on receipt (MS-SSTP 2.2.1). */
	ctl = p[1] & SSTP_FLAG_CONTROL;
	l = sstp_len_get(p + 2);
	if (l < SSTP_HDR_LEN || (ctl && l < SSTP_CTRL_HDR_LEN))
		return -EBADMSG;
	*control = ctl;
	*len = l;
	return 1;
}

/* Writes the packet header, message type and attribute count. */
static void ctrl_hdr_put(uint8_t *out, uint16_t len, uint16_t type,
			 uint16_t num_attrs)
{
	sstp_hdr_put(out, 1, len);
	put16(out + 4, type);
	put16(out + 6, num_attrs);
}

static void attr_hdr_put(uint8_t *p, uint8_t id, uint16_t len)
{
	p[0] = 0;
	p[1] = id;
	sstp_len_put(p + 2, len);
}

int sstp_ctrl_parse(const uint8_t *pkt, size_t len, struct sstp_ctrl_msg *m,
		    const char **why)
{
	unsigned int i, num;
	size_t off, plen;
	bool control;

	memset(m, 0, sizeof(*m));
	if (len < SSTP_CTRL_HDR_LEN) {
		set_why(why, "shorter than a control header");
		return -EBADMSG;
	}
	if (sstp_frame_peek(pkt, len, &control, &plen) != 1) {
		set_why(why, "bad packet header");
		return -EBADMSG;
	}
	if (!control) {
		set_why(why, "not a control packet");
		return -EBADMSG;
	}
	if (plen != len) {
		set_why(why, "header length disagrees with packet size");
		return -EBADMSG;
	}
	m->type = get16(pkt + 4);
	num = get16(pkt + 6);
	if (num > SSTP_MAX_ATTRS) {
		set_why(why, "too many attributes");
		return -EBADMSG;
	}

	off = SSTP_CTRL_HDR_LEN;
	for (i = 0; i < num; i++) {
		size_t alen;

		if (len - off < SSTP_ATTR_HDR_LEN) {
			set_why(why, "fewer attributes than announced");
			return -EBADMSG;
		}
		alen = sstp_len_get(pkt + off + 2);
		if (alen < SSTP_ATTR_HDR_LEN) {
			set_why(why, "attribute length below 4");
			return -EBADMSG;
		}
		if (alen > len - off) {
			set_why(why, "attribute overruns packet");
			return -EBADMSG;
		}
		m->attrs[i].id = pkt[off + 1];
		m->attrs[i].len = (uint16_t)(alen - SSTP_ATTR_HDR_LEN);
		m->attrs[i].val = pkt + off + SSTP_ATTR_HDR_LEN;
		off += alen;
	}
	if (off != len) {
		set_why(why, "trailing bytes after attributes");
		return -EBADMSG;
	}
	m->num_attrs = num;
	return 0;
}

const char *sstp_msg_name(uint16_t type)
{
	static const char *const names[] = {
		[SSTP_MSG_CALL_CONNECT_REQUEST] = "CALL_CONNECT_REQUEST",
		[SSTP_MSG_CALL_CONNECT_ACK] = "CALL_CONNECT_ACK",
		[SSTP_MSG_CALL_CONNECT_NAK] = "CALL_CONNECT_NAK",
		[SSTP_MSG_CALL_CONNECTED] = "CALL_CONNECTED",
		[SSTP_MSG_CALL_ABORT] = "CALL_ABORT",
		[SSTP_MSG_CALL_DISCONNECT] = "CALL_DISCONNECT",
		[SSTP_MSG_CALL_DISCONNECT_ACK] = "CALL_DISCONNECT_ACK",
		[SSTP_MSG_ECHO_REQUEST] = "ECHO_REQUEST",
		[SSTP_MSG_ECHO_RESPONSE] = "ECHO_RESPONSE",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	return "unknown";
}

const char *sstp_status_name(uint32_t status)
{
	static const char *const names[] = {
		[SSTP_STATUS_NO_ERROR] = "NO_ERROR",
		[SSTP_STATUS_DUPLICATE_ATTRIBUTE] = "DUPLICATE_ATTRIBUTE",
		[SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE] = "UNRECOGNIZED_ATTRIBUTE",
		[SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH] =
			"INVALID_ATTRIB_VALUE_LENGTH",
		[SSTP_STATUS_VALUE_NOT_SUPPORTED] = "VALUE_NOT_SUPPORTED",
		[SSTP_STATUS_UNACCEPTED_FRAME_RECEIVED] =
			"UNACCEPTED_FRAME_RECEIVED",
		[SSTP_STATUS_RETRY_COUNT_EXCEEDED] = "RETRY_COUNT_EXCEEDED",
		[SSTP_STATUS_INVALID_FRAME_RECEIVED] = "INVALID_FRAME_RECEIVED",
		[SSTP_STATUS_NEGOTIATION_TIMEOUT] = "NEGOTIATION_TIMEOUT",
		[SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG] =
			"ATTRIB_NOT_SUPPORTED_IN_MSG",
		[SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING] =
			"REQUIRED_ATTRIBUTE_MISSING",
		[SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG] =
			"STATUS_INFO_NOT_SUPPORTED_IN_MSG",
	};

	if (status < sizeof(names) / sizeof(names[0]) && names[status])
		return names[status];
	return "unknown";
}

size_t sstp_build_connect_request(uint8_t out[SSTP_LEN_CONNECT_REQUEST])
{
	ctrl_hdr_put(out, SSTP_LEN_CONNECT_REQUEST,
		     SSTP_MSG_CALL_CONNECT_REQUEST, 1);
	attr_hdr_put(out + 8, SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID, 6);
	put16(out + 12, SSTP_ENCAPSULATED_PROTOCOL_PPP);
	return SSTP_LEN_CONNECT_REQUEST;
}

size_t sstp_build_connect_ack(uint8_t out[SSTP_LEN_CONNECT_ACK],
			      uint8_t hash_bitmask,
			      const uint8_t nonce[SSTP_NONCE_LEN])
{
	ctrl_hdr_put(out, SSTP_LEN_CONNECT_ACK, SSTP_MSG_CALL_CONNECT_ACK, 1);
	attr_hdr_put(out + 8, SSTP_ATTRIB_CRYPTO_BINDING_REQ,
		     SSTP_ATTR_LEN_CRYPTO_BINDING_REQ);
	memset(out + 12, 0, 3);
	out[15] = hash_bitmask;
	memcpy(out + 16, nonce, SSTP_NONCE_LEN);
	return SSTP_LEN_CONNECT_ACK;
}

/* Status Info attribute: reserved(3), attrib id(1), status(4), value. */
static void status_info_put(uint8_t *p, uint8_t attrib_id, uint32_t status,
			    const uint8_t *value, size_t value_len)
{
	attr_hdr_put(p, SSTP_ATTRIB_STATUS_INFO,
		     (uint16_t)(SSTP_ATTR_HDR_LEN + STATUS_INFO_LEN + value_len));
	memset(p + 4, 0, 3);
	p[7] = attrib_id;
	put32(p + 8, status);
	if (value_len)
		memcpy(p + 12, value, value_len);
}

size_t sstp_build_connect_nak(uint8_t *out, size_t cap, uint8_t attrib_id,
			      uint32_t status, const uint8_t *value,
			      size_t value_len)
{
	size_t len;

	if (value_len > STATUS_INFO_MAX_VALUE || (value_len && !value))
		return 0;
	len = SSTP_CTRL_HDR_LEN + SSTP_ATTR_HDR_LEN + STATUS_INFO_LEN +
	      value_len;
	if (cap < len)
		return 0;
	ctrl_hdr_put(out, (uint16_t)len, SSTP_MSG_CALL_CONNECT_NAK, 1);
	status_info_put(out + 8, attrib_id, status, value, value_len);
	return len;
}

size_t sstp_build_simple(uint8_t out[SSTP_LEN_SIMPLE], uint16_t type)
{
	ctrl_hdr_put(out, SSTP_LEN_SIMPLE, type, 0);
	return SSTP_LEN_SIMPLE;
}

size_t sstp_build_status_msg(uint8_t out[SSTP_LEN_STATUS_MSG], uint16_t type,
			     uint8_t attrib_id, uint32_t status)
{
	ctrl_hdr_put(out, SSTP_LEN_STATUS_MSG, type, 1);
	status_info_put(out + 8, attrib_id, status, NULL, 0);
	return SSTP_LEN_STATUS_MSG;
}

const struct sstp_attr *sstp_find_attr(const struct sstp_ctrl_msg *m,
				       uint8_t id)
{
	unsigned int i;

	for (i = 0; i < m->num_attrs && i < SSTP_MAX_ATTRS; i++)
		if (m->attrs[i].id == id)
			return &m->attrs[i];
	return NULL;
}

bool sstp_status_info(const struct sstp_ctrl_msg *m, uint8_t *attrib_id,
		      uint32_t *status)
{
	unsigned int i;

	for (i = 0; i < m->num_attrs && i < SSTP_MAX_ATTRS; i++) {
		const struct sstp_attr *a = &m->attrs[i];

		if (a->id != SSTP_ATTRIB_STATUS_INFO ||
		    a->len < STATUS_INFO_LEN)
			continue;
		*attrib_id = a->val[3];
		*status = get32(a->val + 4);
		return true;
	}
	return false;
}

int sstp_check_connect_request(const struct sstp_ctrl_msg *m,
			       uint8_t *nak_attrib)
{
	const struct sstp_attr *proto = NULL;
	unsigned int i;

	for (i = 0; i < m->num_attrs && i < SSTP_MAX_ATTRS; i++) {
		const struct sstp_attr *a = &m->attrs[i];

		switch (a->id) {
		case SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID:
			break;
		case SSTP_ATTRIB_STATUS_INFO:
			*nak_attrib = a->id;
			return SSTP_STATUS_STATUS_INFO_NOT_SUPPORTED_IN_MSG;
		case SSTP_ATTRIB_CRYPTO_BINDING:
		case SSTP_ATTRIB_CRYPTO_BINDING_REQ:
			*nak_attrib = a->id;
			return SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG;
		default:
			*nak_attrib = a->id;
			return SSTP_STATUS_UNRECOGNIZED_ATTRIBUTE;
		}
		if (proto) {
			*nak_attrib = a->id;
			return SSTP_STATUS_DUPLICATE_ATTRIBUTE;
		}
		proto = a;
	}
	*nak_attrib = SSTP_ATTRIB_ENCAPSULATED_PROTOCOL_ID;
	if (!proto)
		return SSTP_STATUS_REQUIRED_ATTRIBUTE_MISSING;
	if (proto->len != 2)
		return SSTP_STATUS_INVALID_ATTRIB_VALUE_LENGTH;
	if (get16(proto->val) != SSTP_ENCAPSULATED_PROTOCOL_PPP)
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	*nak_attrib = SSTP_ATTRIB_NO_ERROR;
	return SSTP_STATUS_NO_ERROR;
}

int sstp_parse_connect_ack(const struct sstp_ctrl_msg *m, uint8_t *bitmask,
			   uint8_t nonce[SSTP_NONCE_LEN])
{
	const struct sstp_attr *a = &m->attrs[0];

	if (m->type != SSTP_MSG_CALL_CONNECT_ACK || m->num_attrs != 1 ||
	    a->id != SSTP_ATTRIB_CRYPTO_BINDING_REQ ||
	    a->len != SSTP_ATTR_LEN_CRYPTO_BINDING_REQ - SSTP_ATTR_HDR_LEN)
		return -EBADMSG;
	/* A server offering no hash we know leaves nothing to answer with. */
	if (!(a->val[3] & (SSTP_HASH_SHA1 | SSTP_HASH_SHA256)))
		return -EBADMSG;
	*bitmask = a->val[3];
	memcpy(nonce, a->val + 4, SSTP_NONCE_LEN);
	return 0;
}

/* Digest and output length for a single hash protocol value, or NULL. */
static const EVP_MD *hash_md(uint8_t hash, unsigned int *mac_len)
{
	switch (hash) {
	case SSTP_HASH_SHA1:
		*mac_len = 20;
		return EVP_sha1();
	case SSTP_HASH_SHA256:
		*mac_len = 32;
		return EVP_sha256();
	default:
		return NULL;
	}
}

int sstp_compound_mac(uint8_t hash, const uint8_t hlak[SSTP_HLAK_LEN],
		      const uint8_t pkt[SSTP_LEN_CALL_CONNECTED],
		      uint8_t mac[SSTP_CMAC_LEN])
{
	uint8_t seed[CMK_SEED_LEN + 3];
	uint8_t msg[SSTP_LEN_CALL_CONNECTED];
	uint8_t cmk[EVP_MAX_MD_SIZE];
	uint8_t out[EVP_MAX_MD_SIZE];
	unsigned int l, cmk_len, out_len;
	const EVP_MD *md;
	int ret = -EINVAL;

	md = hash_md(hash, &l);
	if (!md)
		return -EINVAL;

	/* PRF+ of IKEv2 (RFC 7296 2.13): T1 already yields L bytes. */
	memcpy(seed, CMK_SEED, CMK_SEED_LEN);
	seed[CMK_SEED_LEN] = (uint8_t)l;	/* length, little-endian */
	seed[CMK_SEED_LEN + 1] = 0;
	seed[CMK_SEED_LEN + 2] = 0x01;
	if (!HMAC(md, hlak, SSTP_HLAK_LEN, seed, sizeof(seed), cmk, &cmk_len) ||
	    cmk_len < l)
		goto out;

	memcpy(msg, pkt, SSTP_CC_OFF_CMAC);
	memset(msg + SSTP_CC_OFF_CMAC, 0,
	       SSTP_LEN_CALL_CONNECTED - SSTP_CC_OFF_CMAC);
	if (!HMAC(md, cmk, l, msg, sizeof(msg), out, &out_len) ||
	    out_len != l)
		goto out;

	memset(mac, 0, SSTP_CMAC_LEN);
	memcpy(mac, out, l);
	ret = (int)l;
out:
	OPENSSL_cleanse(cmk, sizeof(cmk));
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

size_t sstp_build_call_connected(uint8_t out[SSTP_LEN_CALL_CONNECTED],
				 uint8_t hash, const uint8_t nonce[SSTP_NONCE_LEN],
				 const uint8_t *cert_hash,
				 const uint8_t hlak[SSTP_HLAK_LEN])
{
	uint8_t mac[SSTP_CMAC_LEN];
	unsigned int l;

	if (!hash_md(hash, &l))
		return 0;
	ctrl_hdr_put(out, SSTP_LEN_CALL_CONNECTED, SSTP_MSG_CALL_CONNECTED, 1);
	attr_hdr_put(out + 8, SSTP_ATTRIB_CRYPTO_BINDING,
		     SSTP_ATTR_LEN_CRYPTO_BINDING);
	memset(out + 12, 0, 3);
	out[SSTP_CC_OFF_HASH_PROTO] = hash;
	memcpy(out + SSTP_CC_OFF_NONCE, nonce, SSTP_NONCE_LEN);
	memset(out + SSTP_CC_OFF_CERT_HASH, 0, SSTP_CERT_HASH_LEN);
	memcpy(out + SSTP_CC_OFF_CERT_HASH, cert_hash, l);
	memset(out + SSTP_CC_OFF_CMAC, 0, SSTP_CMAC_LEN);
	if (sstp_compound_mac(hash, hlak, out, mac) < 0)
		return 0;
	memcpy(out + SSTP_CC_OFF_CMAC, mac, SSTP_CMAC_LEN);
	return SSTP_LEN_CALL_CONNECTED;
}

int sstp_verify_call_connected(const uint8_t *pkt, size_t len,
			       const struct sstp_binding_expect *exp,
			       const char **why)
{
	struct sstp_ctrl_msg m;
	const uint8_t *cert;
	uint8_t mac[SSTP_CMAC_LEN];
	uint8_t hash;
	unsigned int l;
	bool control;
	size_t plen;
	int ret;

	if (len < SSTP_CTRL_HDR_LEN ||
	    sstp_frame_peek(pkt, len, &control, &plen) != 1 || !control ||
	    get16(pkt + 4) != SSTP_MSG_CALL_CONNECTED) {
		set_why(why, "not a CALL_CONNECTED packet");
		return SSTP_STATUS_INVALID_FRAME_RECEIVED;
	}
	if (sstp_ctrl_parse(pkt, len, &m, why))
		return SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG;
	if (m.num_attrs != 1 || m.attrs[0].id != SSTP_ATTRIB_CRYPTO_BINDING) {
		set_why(why, "expected one crypto binding attribute");
		return SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG;
	}
	if (len != SSTP_LEN_CALL_CONNECTED ||
	    m.attrs[0].len != SSTP_ATTR_LEN_CRYPTO_BINDING - SSTP_ATTR_HDR_LEN) {
		set_why(why, "crypto binding has the wrong length");
		return SSTP_STATUS_ATTRIB_NOT_SUPPORTED_IN_MSG;
	}

	hash = pkt[SSTP_CC_OFF_HASH_PROTO];
	if (!(hash & exp->bitmask) || !hash_md(hash, &l)) {
		set_why(why, "hash protocol not offered");
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	if (CRYPTO_memcmp(pkt + SSTP_CC_OFF_NONCE, exp->nonce,
			  SSTP_NONCE_LEN)) {
		set_why(why, "nonce mismatch");
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	cert = hash == SSTP_HASH_SHA1 ? exp->cert_sha1 : exp->cert_sha256;
	if (CRYPTO_memcmp(pkt + SSTP_CC_OFF_CERT_HASH, cert, l)) {
		set_why(why, "certificate hash mismatch");
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	ret = sstp_compound_mac(hash, exp->hlak, pkt, mac);
	if (ret < 0) {
		set_why(why, "cannot compute compound MAC");
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	if (CRYPTO_memcmp(pkt + SSTP_CC_OFF_CMAC, mac, l)) {
		OPENSSL_cleanse(mac, sizeof(mac));
		set_why(why, "compound MAC mismatch");
		return SSTP_STATUS_VALUE_NOT_SUPPORTED;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	set_why(why, "ok");
	return SSTP_STATUS_NO_ERROR;
}
