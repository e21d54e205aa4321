// SPDX-License-Identifier: GPL-2.0

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <uapi/linux/sstp.h>

#include "proto.h"

/* Length of the packet whose header is at p, or -EPROTO. */
static int packet_len(const u8 *p)
{
	unsigned int len;

	if (p[0] != SSTP_VERSION)
		return -EPROTO;
	len = sstp_len_get(p + 2);
	if (len < SSTP_HDR_LEN)
		return -EPROTO;
	return len;
}

/**
 * sstp_deframe() - Cut a byte stream into SSTP packets.
 * @d: de-framer holding a packet split across calls
 * @data: next bytes of the stream
 * @len: number of bytes at @data
 * @fn: called with each whole packet, header included; the packet is only
 *	valid during the call
 * @ctx: passed to @fn
 *
 * Packets that lie wholly in @data are passed without copying; the rest
 * are gathered in @d. A packet with a version other than 0x10 or a length
 * below the header size ends the stream.
 *
 * Return: 0, -EPROTO for a malformed stream (the de-framer must then be
 * reset before reuse), or the first negative value @fn returned.
 */
int sstp_deframe(struct sstp_deframer *d, const u8 *data, size_t len,
		 int (*fn)(void *ctx, const u8 *pkt, unsigned int len),
		 void *ctx)
{
	unsigned int n;
	int plen, err;

	while (len) {
		if (!d->have && len >= SSTP_HDR_LEN) {
			plen = packet_len(data);
			if (plen < 0)
				return plen;
			if (len >= plen) {
				err = fn(ctx, data, plen);
				if (err < 0)
					return err;
				data += plen;
				len -= plen;
				continue;
			}
		}
		if (!d->len) {
			n = min_t(size_t, len, SSTP_HDR_LEN - d->have);
			memcpy(d->buf + d->have, data, n);
			d->have += n;
			data += n;
			len -= n;
			if (d->have < SSTP_HDR_LEN)
				break;
			plen = packet_len(d->buf);
			if (plen < 0)
				return plen;
			d->len = plen;
		}
		n = min_t(size_t, len, d->len - d->have);
		memcpy(d->buf + d->have, data, n);
		d->have += n;
		data += n;
		len -= n;
		if (d->have == d->len) {
			plen = d->len;
			sstp_deframer_reset(d);
			err = fn(ctx, d->buf, plen);
			if (err < 0)
				return err;
		}
	}
	return 0;
}

/**
 * sstp_ppp_parse() - Find the protocol of a PPP frame.
 * @frame: PPP frame (the payload of an SSTP data packet)
 * @len: its length
 * @proto: set to the protocol number
 *
 * Accepts frames with and without the FF 03 address and control bytes and
 * with one- or two-byte protocol fields (RFC 1661 6.5, 6.6), whatever was
 * negotiated: a receiver must take both.
 *
 * Return: the length of the PPP header, or -EINVAL if the frame ends
 * before the protocol field does.
 */
int sstp_ppp_parse(const u8 *frame, unsigned int len, u16 *proto)
{
	unsigned int off = 0;

	if (len >= 2 && frame[0] == 0xff && frame[1] == 0x03)
		off = 2;
	if (off >= len)
		return -EINVAL;
	/* A compressed protocol is one odd byte; full ones start even. */
	if (frame[off] & 1) {
		*proto = frame[off];
		return off + 1;
	}
	if (off + 2 > len)
		return -EINVAL;
	*proto = frame[off] << 8 | frame[off + 1];
	return off + 2;
}

static bool compress_proto(u32 ppp_flags, u16 proto)
{
	return (ppp_flags & SSTP_PPP_FLAGS_PFC) && proto < 0x100;
}

/**
 * sstp_data_hdr_len() - Length of the headers in front of a data payload.
 * @ppp_flags: SSTP_PPP_FLAGS_* the peer accepts
 * @proto: PPP protocol
 *
 * Return: SSTP header plus PPP address, control and protocol fields.
 */
unsigned int sstp_data_hdr_len(u32 ppp_flags, u16 proto)
{
	unsigned int len = SSTP_HDR_LEN;

	if (!(ppp_flags & SSTP_PPP_FLAGS_ACFC))
		len += 2;
	return len + (compress_proto(ppp_flags, proto) ? 1 : 2);
}

/**
 * sstp_data_hdr_put() - Write the headers of an SSTP data packet.
 * @p: room for sstp_data_hdr_len() bytes
 * @ppp_flags: SSTP_PPP_FLAGS_* the peer accepts
 * @proto: PPP protocol
 * @payload_len: bytes that will follow the headers; the caller makes sure
 *	the packet fits in SSTP_MAX_PACKET
 *
 * Return: the number of bytes written.
 */
unsigned int sstp_data_hdr_put(u8 *p, u32 ppp_flags, u16 proto,
			       unsigned int payload_len)
{
	unsigned int hlen = sstp_data_hdr_len(ppp_flags, proto);
	u8 *q = p + SSTP_HDR_LEN;

	sstp_hdr_put(p, 0, hlen + payload_len);
	if (!(ppp_flags & SSTP_PPP_FLAGS_ACFC)) {
		*q++ = 0xff;
		*q++ = 0x03;
	}
	if (!compress_proto(ppp_flags, proto))
		*q++ = proto >> 8;
	*q = proto & 0xff;
	return hlen;
}

/**
 * sstp_is_echo_request() - Whether a packet is an SSTP Echo Request.
 * @pkt: whole SSTP packet
 * @len: its length
 *
 * Return: true for a control packet of type SSTP_MSG_ECHO_REQUEST.
 */
bool sstp_is_echo_request(const u8 *pkt, unsigned int len)
{
	return len >= SSTP_CTRL_HDR_LEN && (pkt[1] & SSTP_FLAG_CONTROL) &&
	       pkt[4] == 0 && pkt[5] == SSTP_MSG_ECHO_REQUEST;
}

/**
 * sstp_echo_response_put() - Write an SSTP Echo Response.
 * @p: room for SSTP_ECHO_LEN bytes
 */
void sstp_echo_response_put(u8 *p)
{
	sstp_hdr_put(p, 1, SSTP_ECHO_LEN);
	p[4] = 0;
	p[5] = SSTP_MSG_ECHO_RESPONSE;
	p[6] = 0;
	p[7] = 0;
}

#ifdef SSTP_DEBUG
#include "selftest/proto.c"
#endif
