/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SSTP and PPP framing: a de-framer that turns a plaintext byte stream into
 * whole SSTP packets however the stream was cut into reads, and the helpers
 * that parse and build the PPP header of a data packet. No kernel state;
 * the self-tests (selftest/proto.c) exercise all of it.
 */
#ifndef _SSTP_PROTO_H
#define _SSTP_PROTO_H

#include <linux/types.h>
#include <uapi/linux/sstp_proto.h>

/* Longest PPP header sent: FF 03 and a two-byte protocol. */
#define SSTP_PPP_HDR_MAX	4
/* Largest IP packet that fits in an SSTP data packet with any framing. */
#define SSTP_MAX_IP_PACKET \
	(SSTP_MAX_PACKET - SSTP_HDR_LEN - SSTP_PPP_HDR_MAX)

/* SSTP echo: request from the peer, response sent back (MS-SSTP 2.2.14). */
#define SSTP_ECHO_LEN		SSTP_LEN_SIMPLE

struct sstp_deframer {
	u16 have;	/* bytes of the current packet in buf */
	u16 len;	/* its length once the header is in, else 0 */
	u8 buf[SSTP_MAX_PACKET];
};

/**
 * sstp_deframer_reset() - Forget a partial packet.
 * @d: de-framer
 */
static inline void sstp_deframer_reset(struct sstp_deframer *d)
{
	d->have = 0;
	d->len = 0;
}

int sstp_deframe(struct sstp_deframer *d, const u8 *data, size_t len,
		 int (*fn)(void *ctx, const u8 *pkt, unsigned int len),
		 void *ctx);
int sstp_ppp_parse(const u8 *frame, unsigned int len, u16 *proto);
unsigned int sstp_data_hdr_len(u32 ppp_flags, u16 proto);
unsigned int sstp_data_hdr_put(u8 *p, u32 ppp_flags, u16 proto,
			       unsigned int payload_len);
bool sstp_is_echo_request(const u8 *pkt, unsigned int len);
void sstp_echo_response_put(u8 *p);

#ifdef SSTP_DEBUG
bool sstp_proto_selftest(void);
#endif

#endif /* _SSTP_PROTO_H */
