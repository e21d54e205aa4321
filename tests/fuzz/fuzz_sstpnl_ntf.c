// SPDX-License-Identifier: GPL-2.0
/*
 * The parser of sstp.ko's notifications, fed arbitrary messages. The input
 * is copied into a buffer of exactly its size (malloc's alignment, like the
 * kernel's 4-byte aligned messages) so that any read past it is caught, and
 * once more as only the nlmsg_len bytes that sstpnl_process() queues.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netlink.h>
#include <linux/sstp.h>
#include <linux/sstp_proto.h>

#include "nl/sstpnl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Attributes start after nlmsghdr (16) and genlmsghdr (4). */
#define FIRST_ATTR	(NLMSG_HDRLEN + 4)

static void check(const uint8_t *buf, size_t len)
{
	const struct nlmsghdr *m = (const void *)buf;
	struct sstpnl_ntf_msg n;
	int ret;

	ret = sstpnl_parse_ntf(buf, len, &n);
	if (ret == -EINVAL || ret == -EOPNOTSUPP)
		return;
	if (ret)
		__builtin_trap();
	/* Accepted: the headers were there and the message fits the buffer. */
	if (len < FIRST_ATTR || m->nlmsg_len < FIRST_ATTR ||
	    m->nlmsg_len > len)
		__builtin_trap();
	if (n.cmd != SSTP_CMD_SESSION_RECV_NTF &&
	    n.cmd != SSTP_CMD_SESSION_DEL_NTF)
		__builtin_trap();
	if (n.cmd != buf[NLMSG_HDRLEN])
		__builtin_trap();
	if (!n.ifindex || !n.st.id)
		__builtin_trap();
	if (!sstpnl_reason_name(n.st.reason))
		__builtin_trap();
	if (n.pkt) {
		/* Inside the session nest, so past two headers of 4 bytes. */
		if (n.pkt < buf + FIRST_ATTR + 8 ||
		    n.pkt_len > m->nlmsg_len ||
		    n.pkt + n.pkt_len > buf + m->nlmsg_len)
			__builtin_trap();
	}
	if (n.cmd == SSTP_CMD_SESSION_RECV_NTF) {
		volatile uint8_t sum = 0;
		size_t i;

		if (!n.pkt || n.pkt_len < SSTP_HDR_LEN ||
		    n.pkt_len > SSTP_MAX_PACKET ||
		    sstp_len_get(n.pkt + 2) != n.pkt_len)
			__builtin_trap();
		/* What the receive callback may read: all of it. */
		for (i = 0; i < n.pkt_len; i++)
			sum += n.pkt[i];
		(void)sum;
	}
}

static void check_copy(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf)
		return;
	if (size)
		memcpy(buf, data, size);
	check(buf, size);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsghdr m;

	check_copy(data, size);
	/* The copy sstpnl_process() keeps: the message alone, nlmsg_len bytes. */
	if (size >= sizeof(m)) {
		memcpy(&m, data, sizeof(m));
		if (m.nlmsg_len >= sizeof(m) && m.nlmsg_len < size)
			check_copy(data, m.nlmsg_len);
	}
	return 0;
}
