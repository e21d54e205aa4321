/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split generic netlink operations (6.2) on older kernels.
 *
 * The generated netlink-gen.c describes the family with split operations:
 * one entry per command and mode, each with its own policy and its own
 * pre_doit/post_doit hooks. Older kernels take one struct genl_ops per
 * command (doit and dumpit together, one policy) and family-wide hooks.
 * Here the split table is folded into genl_ops when the family registers,
 * and family hooks look up and call the per-operation ones. To let the
 * generated initialiser stay as it is, struct genl_family is renamed to a
 * wrapper that carries the split table and embeds the kernel's family; the
 * few calls that take a family are redirected to the embedded one.
 *
 * Limits: one family per module; a dump uses the do policy of its command
 * when it has one.
 */
#ifndef _SSTP_COMPAT_NET_GENETLINK_H
#define _SSTP_COMPAT_NET_GENETLINK_H

#include_next <net/genetlink.h>

#ifdef SSTP_HAVE_GENL_SPLIT_OPS

#ifdef SSTP_HAVE_GENL_INFO_DUMP
static inline struct nlattr **sstp_genl_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#else
static inline struct nlattr **sstp_genl_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#endif

#else /* !SSTP_HAVE_GENL_SPLIT_OPS */

static inline struct nlattr **sstp_genl_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}

struct genl_split_ops {
	union {
		struct {
			int (*pre_doit)(const struct genl_split_ops *ops,
					struct sk_buff *skb,
					struct genl_info *info);
			int (*doit)(struct sk_buff *skb,
				    struct genl_info *info);
			void (*post_doit)(const struct genl_split_ops *ops,
					  struct sk_buff *skb,
					  struct genl_info *info);
		};
		struct {
			int (*start)(struct netlink_callback *cb);
			int (*dumpit)(struct sk_buff *skb,
				      struct netlink_callback *cb);
			int (*done)(struct netlink_callback *cb);
		};
	};
	const struct nla_policy *policy;
	unsigned int maxattr;
	u8 cmd;
	u8 internal_flags;
	u8 flags;
	u8 validate;
};

#define SSTP_COMPAT_GENL_MAX_CMDS 16

struct sstp_compat_genl_family {
	/* What the generated initialiser sets. */
	char name[GENL_NAMSIZ];
	unsigned int version;
	u8 netnsok:1;
	u8 parallel_ops:1;
	struct module *module;
	const struct genl_split_ops *split_ops;
	unsigned int n_split_ops;
	const struct genl_multicast_group *mcgrps;
	unsigned int n_mcgrps;
	/* What the kernel registers, built from the above. */
	struct genl_family real;
	struct genl_ops ops[SSTP_COMPAT_GENL_MAX_CMDS];
};

static struct sstp_compat_genl_family *sstp_compat_genl __maybe_unused;

static inline const struct genl_split_ops *
sstp_compat_genl_split_op(u8 cmd, bool dump)
{
	const struct sstp_compat_genl_family *f = sstp_compat_genl;
	unsigned int i;

	for (i = 0; i < f->n_split_ops; i++) {
		const struct genl_split_ops *sop = &f->split_ops[i];

		if (sop->cmd == cmd &&
		    !!(sop->flags & GENL_CMD_CAP_DUMP) == dump)
			return sop;
	}
	return NULL;
}

static inline int sstp_compat_genl_pre_doit(const struct genl_ops *ops,
					    struct sk_buff *skb,
					    struct genl_info *info)
{
	const struct genl_split_ops *sop;

	sop = sstp_compat_genl_split_op(ops->cmd, false);
	if (sop && sop->pre_doit)
		return sop->pre_doit(sop, skb, info);
	return 0;
}

static inline void sstp_compat_genl_post_doit(const struct genl_ops *ops,
					      struct sk_buff *skb,
					      struct genl_info *info)
{
	const struct genl_split_ops *sop;

	sop = sstp_compat_genl_split_op(ops->cmd, false);
	if (sop && sop->post_doit)
		sop->post_doit(sop, skb, info);
}

static inline int
sstp_compat_genl_register_family(struct sstp_compat_genl_family *f)
{
	struct genl_family *real = &f->real;
	bool pre = false, post = false;
	unsigned int i, j, n = 0;

	memset(real, 0, sizeof(*real));
	memset(f->ops, 0, sizeof(f->ops));
	for (i = 0; i < f->n_split_ops; i++) {
		const struct genl_split_ops *sop = &f->split_ops[i];
		struct genl_ops *op = NULL;

		for (j = 0; j < n; j++)
			if (f->ops[j].cmd == sop->cmd)
				op = &f->ops[j];
		if (!op) {
			if (n == ARRAY_SIZE(f->ops))
				return -E2BIG;
			op = &f->ops[n++];
			op->cmd = sop->cmd;
		}
		if (sop->flags & GENL_CMD_CAP_DUMP) {
			op->start = sop->start;
			op->dumpit = sop->dumpit;
			op->done = sop->done;
			if (!op->policy) {
				op->policy = sop->policy;
				op->maxattr = sop->maxattr;
			}
		} else {
			op->doit = sop->doit;
			if (sop->policy) {
				op->policy = sop->policy;
				op->maxattr = sop->maxattr;
			}
			pre |= !!sop->pre_doit;
			post |= !!sop->post_doit;
		}
		op->flags |= sop->flags & ~(GENL_CMD_CAP_DO | GENL_CMD_CAP_DUMP |
					    GENL_CMD_CAP_HASPOL);
		op->validate |= sop->validate;
	}

	strscpy(real->name, f->name, sizeof(real->name));
	real->version = f->version;
	real->netnsok = f->netnsok;
	real->parallel_ops = f->parallel_ops;
	real->module = f->module;
	real->ops = f->ops;
	real->n_ops = n;
	real->mcgrps = f->mcgrps;
	real->n_mcgrps = f->n_mcgrps;
	if (pre)
		real->pre_doit = sstp_compat_genl_pre_doit;
	if (post)
		real->post_doit = sstp_compat_genl_post_doit;
	sstp_compat_genl = f;
	return genl_register_family(real);
}

#define genl_family sstp_compat_genl_family
#define genl_register_family(f) sstp_compat_genl_register_family(f)
#define genl_unregister_family(f) genl_unregister_family(&(f)->real)
#define genlmsg_put(skb, portid, seq, f, flags, cmd) \
	genlmsg_put(skb, portid, seq, &(f)->real, flags, cmd)
#define genlmsg_put_reply(skb, info, f, flags, cmd) \
	genlmsg_put_reply(skb, info, &(f)->real, flags, cmd)
#define genlmsg_multicast_netns(f, net, skb, portid, group, flags) \
	genlmsg_multicast_netns(&(f)->real, net, skb, portid, group, flags)
#define genl_has_listeners(f, net, group) \
	genl_has_listeners(&(f)->real, net, group)

#endif /* SSTP_HAVE_GENL_SPLIT_OPS */

#endif /* _SSTP_COMPAT_NET_GENETLINK_H */
