// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	include/netlink/sstp.yaml */
/* YNL-GEN kernel source */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "netlink-gen.h"

#include <uapi/linux/sstp.h>

/* Integer value ranges */
static const struct netlink_range_validation sstp_a_max_sessions_range = {
	.min	= 1ULL,
	.max	= 1048576ULL,
};

/* Common nested types */
const struct nla_policy sstp_session_nl_policy[SSTP_A_SESSION_ANY_SOURCE + 1] = {
	[SSTP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SSTP_A_SESSION_SOCKET] = { .type = NLA_U32, },
	[SSTP_A_SESSION_IPV4] = { .type = NLA_BE32, },
	[SSTP_A_SESSION_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SSTP_A_SESSION_PPP_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[SSTP_A_SESSION_RX_BACKLOG] = NLA_POLICY_MAX_LEN(65535),
	[SSTP_A_SESSION_PACKET] = NLA_POLICY_MAX_LEN(4095),
	[SSTP_A_SESSION_DEL_REASON] = NLA_POLICY_RANGE(NLA_U32, 1, 8),
	[SSTP_A_SESSION_RX_PACKETS] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_RX_BYTES] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_TX_PACKETS] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_TX_BYTES] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_RX_CTRL_PACKETS] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_TX_CTRL_PACKETS] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_ECHO_PACKETS] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_RX_DROP_RPF] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_RX_DROP_INVALID] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_RX_DROP_CTRL] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_TX_DROP_QUEUE] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_TX_DROP_INVALID] = { .type = NLA_UINT, },
	[SSTP_A_SESSION_COALESCE] = { .type = NLA_FLAG, },
	[SSTP_A_SESSION_ANY_SOURCE] = { .type = NLA_FLAG, },
};

const struct nla_policy sstp_session_del_input_nl_policy[SSTP_A_SESSION_ID + 1] = {
	[SSTP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

const struct nla_policy sstp_session_new_input_nl_policy[SSTP_A_SESSION_ANY_SOURCE + 1] = {
	[SSTP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SSTP_A_SESSION_SOCKET] = { .type = NLA_U32, },
	[SSTP_A_SESSION_IPV4] = { .type = NLA_BE32, },
	[SSTP_A_SESSION_IPV6] = NLA_POLICY_EXACT_LEN(16),
	[SSTP_A_SESSION_PPP_FLAGS] = NLA_POLICY_MASK(NLA_U32, 0x3),
	[SSTP_A_SESSION_RX_BACKLOG] = NLA_POLICY_MAX_LEN(65535),
	[SSTP_A_SESSION_COALESCE] = { .type = NLA_FLAG, },
	[SSTP_A_SESSION_ANY_SOURCE] = { .type = NLA_FLAG, },
};

const struct nla_policy sstp_session_send_input_nl_policy[SSTP_A_SESSION_PACKET + 1] = {
	[SSTP_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[SSTP_A_SESSION_PACKET] = NLA_POLICY_MAX_LEN(4095),
};

/* SSTP_CMD_DEV_NEW - do */
static const struct nla_policy sstp_dev_new_nl_policy[SSTP_A_MAX_SESSIONS + 1] = {
	[SSTP_A_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[SSTP_A_MAX_SESSIONS] = NLA_POLICY_FULL_RANGE(NLA_U32, &sstp_a_max_sessions_range),
};

/* SSTP_CMD_DEV_DEL - do */
static const struct nla_policy sstp_dev_del_nl_policy[SSTP_A_IFINDEX + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
};

/* SSTP_CMD_DEV_GET - do */
static const struct nla_policy sstp_dev_get_nl_policy[SSTP_A_IFINDEX + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
};

/* SSTP_CMD_SESSION_NEW - do */
static const struct nla_policy sstp_session_new_nl_policy[SSTP_A_SESSION + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
	[SSTP_A_SESSION] = NLA_POLICY_NESTED(sstp_session_new_input_nl_policy),
};

/* SSTP_CMD_SESSION_DEL - do */
static const struct nla_policy sstp_session_del_nl_policy[SSTP_A_SESSION + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
	[SSTP_A_SESSION] = NLA_POLICY_NESTED(sstp_session_del_input_nl_policy),
};

/* SSTP_CMD_SESSION_GET - do */
static const struct nla_policy sstp_session_get_do_nl_policy[SSTP_A_SESSION + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
	[SSTP_A_SESSION] = NLA_POLICY_NESTED(sstp_session_nl_policy),
};

/* SSTP_CMD_SESSION_GET - dump */
static const struct nla_policy sstp_session_get_dump_nl_policy[SSTP_A_IFINDEX + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
};

/* SSTP_CMD_SESSION_SEND - do */
static const struct nla_policy sstp_session_send_nl_policy[SSTP_A_SESSION + 1] = {
	[SSTP_A_IFINDEX] = { .type = NLA_U32, },
	[SSTP_A_SESSION] = NLA_POLICY_NESTED(sstp_session_send_input_nl_policy),
};

/* Ops table for sstp */
static const struct genl_split_ops sstp_nl_ops[] = {
	{
		.cmd		= SSTP_CMD_DEV_NEW,
		.doit		= sstp_nl_dev_new_doit,
		.policy		= sstp_dev_new_nl_policy,
		.maxattr	= SSTP_A_MAX_SESSIONS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SSTP_CMD_DEV_DEL,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_dev_del_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_dev_del_nl_policy,
		.maxattr	= SSTP_A_IFINDEX,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SSTP_CMD_DEV_GET,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_dev_get_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_dev_get_nl_policy,
		.maxattr	= SSTP_A_IFINDEX,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= SSTP_CMD_DEV_GET,
		.dumpit	= sstp_nl_dev_get_dumpit,
		.flags	= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SSTP_CMD_SESSION_NEW,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_session_new_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_session_new_nl_policy,
		.maxattr	= SSTP_A_SESSION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SSTP_CMD_SESSION_DEL,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_session_del_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_session_del_nl_policy,
		.maxattr	= SSTP_A_SESSION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SSTP_CMD_SESSION_GET,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_session_get_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_session_get_do_nl_policy,
		.maxattr	= SSTP_A_SESSION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= SSTP_CMD_SESSION_GET,
		.dumpit		= sstp_nl_session_get_dumpit,
		.policy		= sstp_session_get_dump_nl_policy,
		.maxattr	= SSTP_A_IFINDEX,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= SSTP_CMD_SESSION_SEND,
		.pre_doit	= sstp_nl_pre_doit,
		.doit		= sstp_nl_session_send_doit,
		.post_doit	= sstp_nl_post_doit,
		.policy		= sstp_session_send_nl_policy,
		.maxattr	= SSTP_A_SESSION,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

struct genl_family sstp_nl_family __ro_after_init = {
	.name		= SSTP_FAMILY_NAME,
	.version	= SSTP_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= sstp_nl_ops,
	.n_split_ops	= ARRAY_SIZE(sstp_nl_ops),
};
