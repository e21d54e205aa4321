/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	include/netlink/sstp.yaml */
/* YNL-GEN uapi header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _UAPI_LINUX_SSTP_H
#define _UAPI_LINUX_SSTP_H

#define SSTP_FAMILY_NAME	"sstp"
#define SSTP_FAMILY_VERSION	1

/**
 * enum sstp_ppp_flags - PPP framing the peer accepts, as negotiated in LCP.
 *   They only change what the kernel sends; received frames may use either
 *   form.
 * @SSTP_PPP_FLAGS_ACFC: Address-and-Control-Field-Compression: send frames
 *   without the FF 03 address and control bytes.
 * @SSTP_PPP_FLAGS_PFC: Protocol-Field-Compression: send a one-byte protocol
 *   field for protocol numbers below 0x100.
 */
enum sstp_ppp_flags {
	SSTP_PPP_FLAGS_ACFC = 1,
	SSTP_PPP_FLAGS_PFC = 2,
};

/**
 * enum sstp_del_reason - Why a session ended.
 * @SSTP_DEL_REASON_USERSPACE: Deleted with session-del.
 * @SSTP_DEL_REASON_OWNER_CLOSED: The netlink socket that created the session
 *   was closed.
 * @SSTP_DEL_REASON_DEV_DELETED: The device was deleted (also on module unload
 *   and network namespace exit).
 * @SSTP_DEL_REASON_PEER_CLOSED: The peer closed the connection (TCP FIN or TLS
 *   close_notify).
 * @SSTP_DEL_REASON_TRANSPORT_ERROR: Reading or writing the socket failed
 *   (reset, timeout, ...).
 * @SSTP_DEL_REASON_TLS_ERROR: A TLS alert other than close_notify, a record
 *   that failed to decrypt, or a TLS record other than application data (such
 *   as a renegotiation attempt).
 * @SSTP_DEL_REASON_PROTOCOL_ERROR: The peer sent a malformed SSTP stream (bad
 *   version or length).
 * @SSTP_DEL_REASON_CTRL_FLOOD: The peer kept sending frames for the gateway
 *   far above the notification rate limit.
 */
enum sstp_del_reason {
	SSTP_DEL_REASON_USERSPACE = 1,
	SSTP_DEL_REASON_OWNER_CLOSED,
	SSTP_DEL_REASON_DEV_DELETED,
	SSTP_DEL_REASON_PEER_CLOSED,
	SSTP_DEL_REASON_TRANSPORT_ERROR,
	SSTP_DEL_REASON_TLS_ERROR,
	SSTP_DEL_REASON_PROTOCOL_ERROR,
	SSTP_DEL_REASON_CTRL_FLOOD,
};

enum {
	SSTP_A_SESSION_ID = 1,
	SSTP_A_SESSION_SOCKET,
	SSTP_A_SESSION_IPV4,
	SSTP_A_SESSION_IPV6,
	SSTP_A_SESSION_PPP_FLAGS,
	SSTP_A_SESSION_RX_BACKLOG,
	SSTP_A_SESSION_PACKET,
	SSTP_A_SESSION_DEL_REASON,
	SSTP_A_SESSION_RX_PACKETS,
	SSTP_A_SESSION_RX_BYTES,
	SSTP_A_SESSION_TX_PACKETS,
	SSTP_A_SESSION_TX_BYTES,
	SSTP_A_SESSION_RX_CTRL_PACKETS,
	SSTP_A_SESSION_TX_CTRL_PACKETS,
	SSTP_A_SESSION_ECHO_PACKETS,
	SSTP_A_SESSION_RX_DROP_RPF,
	SSTP_A_SESSION_RX_DROP_INVALID,
	SSTP_A_SESSION_RX_DROP_CTRL,
	SSTP_A_SESSION_TX_DROP_QUEUE,
	SSTP_A_SESSION_TX_DROP_INVALID,
	SSTP_A_SESSION_COALESCE,
	SSTP_A_SESSION_ANY_SOURCE,

	__SSTP_A_SESSION_MAX,
	SSTP_A_SESSION_MAX = (__SSTP_A_SESSION_MAX - 1)
};

enum {
	SSTP_A_IFINDEX = 1,
	SSTP_A_IFNAME,
	SSTP_A_SESSION,
	SSTP_A_MAX_SESSIONS,
	SSTP_A_N_SESSIONS,

	__SSTP_A_MAX,
	SSTP_A_MAX = (__SSTP_A_MAX - 1)
};

enum {
	SSTP_CMD_DEV_NEW = 1,
	SSTP_CMD_DEV_DEL,
	SSTP_CMD_DEV_GET,
	SSTP_CMD_SESSION_NEW,
	SSTP_CMD_SESSION_DEL,
	SSTP_CMD_SESSION_GET,
	SSTP_CMD_SESSION_SEND,
	SSTP_CMD_SESSION_RECV_NTF,
	SSTP_CMD_SESSION_DEL_NTF,

	__SSTP_CMD_MAX,
	SSTP_CMD_MAX = (__SSTP_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_SSTP_H */
