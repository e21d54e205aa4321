/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels sstp.ko builds against, in one place.
 * Force-included into every file (see Kbuild.include); the SSTP_HAVE_*
 * feature symbols come from the header probes there. Core files use the
 * kernel's current API and the sstp_compat_* helpers below only.
 */
#ifndef _SSTP_COMPAT_H
#define _SSTP_COMPAT_H

#include <linux/netdevice.h>
#include <net/netlink.h>

#ifndef SSTP_HAVE_NLA_UINT
/*
 * Variable-width unsigned attributes arrived in 6.7. The family only sends
 * them (counters), so on older kernels the policy may as well say u64.
 */
#define NLA_UINT NLA_U64

static inline int nla_put_uint(struct sk_buff *skb, int attrtype, u64 value)
{
	u64 tmp64 = value;
	u32 tmp32 = value;

	if (tmp64 == tmp32)
		return nla_put_u32(skb, attrtype, tmp32);
	return nla_put(skb, attrtype, sizeof(u64), &tmp64);
}
#endif

#ifndef SSTP_HAVE_NLA_POLICY_MAX_LEN
/* A maximum length for binary attributes, spelled the 6.2 way. */
#define NLA_POLICY_MAX_LEN(_len)	{ .type = NLA_BINARY, .len = _len }
#endif

#ifndef SSTP_HAVE_NLA_CONST_RANGE
/*
 * Policies point to const ranges in newer kernels (the generated ones are);
 * before, the pointer was not, though the kernel only ever read through it.
 */
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}
#endif

/* Lockless transmit: a device field since 6.12, a feature flag before. */
static inline void sstp_compat_set_lltx(struct net_device *dev)
{
#ifdef SSTP_HAVE_NETDEV_LLTX
	dev->lltx = true;
#else
	dev->features |= NETIF_F_LLTX;
#endif
}

/* Keep the device in its namespace: a field since 6.12 (renamed later). */
static inline void sstp_compat_set_netns_local(struct net_device *dev)
{
#if defined(SSTP_HAVE_NETNS_IMMUTABLE)
	dev->netns_immutable = true;
#elif defined(SSTP_HAVE_NETNS_LOCAL)
	dev->netns_local = true;
#else
	dev->features |= NETIF_F_NETNS_LOCAL;
#endif
}

#endif /* _SSTP_COMPAT_H */
