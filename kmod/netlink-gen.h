/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	include/netlink/sstp.yaml */
/* YNL-GEN kernel header */
/* To regenerate run: tools/net/ynl/ynl-regen.sh */

#ifndef _LINUX_SSTP_GEN_H
#define _LINUX_SSTP_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/sstp.h>

/* Common nested types */
extern const struct nla_policy sstp_session_nl_policy[SSTP_A_SESSION_ANY_SOURCE + 1];
extern const struct nla_policy sstp_session_del_input_nl_policy[SSTP_A_SESSION_ID + 1];
extern const struct nla_policy sstp_session_new_input_nl_policy[SSTP_A_SESSION_ANY_SOURCE + 1];
extern const struct nla_policy sstp_session_send_input_nl_policy[SSTP_A_SESSION_PACKET + 1];

int sstp_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		     struct genl_info *info);
void
sstp_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		  struct genl_info *info);

int sstp_nl_dev_new_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_dev_del_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int sstp_nl_session_new_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_session_del_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info);
int sstp_nl_session_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int sstp_nl_session_send_doit(struct sk_buff *skb, struct genl_info *info);

extern struct genl_family sstp_nl_family;

#endif /* _LINUX_SSTP_GEN_H */
