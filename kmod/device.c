// SPDX-License-Identifier: GPL-2.0
/*
 * The sstp network device: a point-to-point L3 device without a queue
 * that carries many sessions. Transmit finds the session of a packet's
 * next hop (the route's gateway, else the destination) in the device's
 * tables; receive comes in from the sessions' work items via gro_cells.
 */

#include <linux/capability.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/gso.h>
#include <net/icmp.h>
#include <net/ip6_route.h>
#include <net/route.h>
#include <net/rtnetlink.h>

#include "device.h"
#include "proto.h"
#include "session.h"
#include "tx.h"

/* Set under RTNL while the module unloads: no device may be created. */
static bool sstp_exiting;

static struct sstp_session *session_of_dst(struct sstp_dev *sd,
					   struct sk_buff *skb, u16 *proto)
{
	switch (skb->protocol) {
	case htons(ETH_P_IP): {
		struct rtable *rt = skb_rtable(skb);
		__be32 nh;

		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)))
			return NULL;
		nh = ip_hdr(skb)->daddr;
		if (rt && rt->rt_uses_gateway && rt->rt_gw_family == AF_INET)
			nh = rt->rt_gw4;
		*proto = SSTP_PPP_IP;
		return sstp_session_by_ip4(sd, nh);
	}
	case htons(ETH_P_IPV6): {
		struct dst_entry *dst = skb_dst(skb);
		const struct in6_addr *nh;
		struct rt6_info *rt;

		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
			return NULL;
		nh = &ipv6_hdr(skb)->daddr;
		if (dst) {
			rt = container_of(dst, struct rt6_info, dst);
			nh = rt6_nexthop(rt, nh);
		}
		*proto = SSTP_PPP_IPV6;
		return sstp_session_by_ip6(sd, nh);
	}
	}
	return NULL;
}

static void send_unreachable(struct sk_buff *skb)
{
	if (skb->protocol == htons(ETH_P_IP))
		icmp_ndo_send(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
	else if (skb->protocol == htons(ETH_P_IPV6))
		icmpv6_ndo_send(skb, ICMPV6_DEST_UNREACH, ICMPV6_ADDR_UNREACH,
				0);
}

static netdev_tx_t sstp_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct sstp_dev *sd = netdev_priv(dev);
	struct sk_buff *segs, *next;
	struct sstp_session *s;
	unsigned int len;
	u16 proto = 0;

	rcu_read_lock();
	s = session_of_dst(sd, skb, &proto);
	if (!s) {
		send_unreachable(skb);
		goto drop;
	}
	if (skb_is_gso(skb)) {
		segs = skb_gso_segment(skb, 0);
		if (IS_ERR(segs))
			goto drop;
		if (segs) {
			consume_skb(skb);
			skb = segs;
		}
	}
	skb_list_walk_safe(skb, skb, next) {
		skb_mark_not_on_list(skb);
		skb = skb_share_check(skb, GFP_ATOMIC);
		if (unlikely(!skb)) {
			dev_core_stats_tx_dropped_inc(dev);
			continue;
		}
		len = skb->len;
		if (sstp_tx_queue_ip(s, skb, proto))
			dev_sw_netstats_tx_add(dev, 1, len);
	}
	rcu_read_unlock();
	return NETDEV_TX_OK;

drop:
	rcu_read_unlock();
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static int sstp_ndo_init(struct net_device *dev)
{
	struct sstp_dev *sd = netdev_priv(dev);
	int err;

	sd->dev = dev;
	spin_lock_init(&sd->lock);
	INIT_LIST_HEAD(&sd->sessions);
	hash_init(sd->by_id);
	hash_init(sd->by_ip4);
	hash_init(sd->by_ip6);
	sd->next_id = 1;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	err = gro_cells_init(&sd->gro_cells, dev);
	if (err) {
		free_percpu(dev->tstats);
		dev->tstats = NULL;
		return err;
	}
	return 0;
}

/* Unregistering, under RTNL: the sessions go now. */
static void sstp_ndo_uninit(struct net_device *dev)
{
	sstp_dev_flush_sessions(netdev_priv(dev));
}

/* After the last reference: sessions are gone, nothing receives any more. */
static void sstp_destruct(struct net_device *dev)
{
	struct sstp_dev *sd = netdev_priv(dev);

	gro_cells_destroy(&sd->gro_cells);
	free_percpu(dev->tstats);
	dev->tstats = NULL;
}

static const struct net_device_ops sstp_netdev_ops = {
	.ndo_init		= sstp_ndo_init,
	.ndo_uninit		= sstp_ndo_uninit,
	.ndo_start_xmit		= sstp_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
};

/* Also for `ip link add`; sstp_dev_create() may change the limit after. */
static void sstp_setup(struct net_device *dev)
{
	struct sstp_dev *sd = netdev_priv(dev);

	/*
	 * No NETIF_F_RXCSUM: nothing verifies the checksums of what the peers
	 * send before the stack does (see rx_ip()).
	 */
	netdev_features_t features = NETIF_F_SG | NETIF_F_HW_CSUM |
				     NETIF_F_HIGHDMA | NETIF_F_GSO_SOFTWARE;

	dev->netdev_ops = &sstp_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->mtu = SSTP_DEFAULT_MTU;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = SSTP_MAX_IP_PACKET;
	dev->features |= features;
	dev->hw_features |= features;
	sstp_compat_set_lltx(dev);
	/* Sessions and their owners live in this namespace. */
	sstp_compat_set_netns_local(dev);
	dev->needs_free_netdev = true;
	dev->priv_destructor = sstp_destruct;
	netif_keep_dst(dev);
	sd->max_sessions = SSTP_MAX_SESSIONS_DEFAULT;
}

/*
 * `ip link add type sstp` needs CAP_NET_ADMIN in the namespace's user
 * namespace only; the generic netlink family needs it in the initial one.
 * The same holds here, so that a user namespace's root cannot make an sstp
 * device in a namespace of its own either.
 */
static int sstp_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (!capable(CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "sstp devices need CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

struct rtnl_link_ops sstp_link_ops __read_mostly = {
	.kind		= "sstp",
	.priv_size	= sizeof(struct sstp_dev),
	.setup		= sstp_setup,
	.validate	= sstp_validate,
};

/**
 * sstp_dev_create() - Create and register an sstp device.
 * @net: namespace for the device
 * @name: its name, or NULL for sstp%d
 * @max_sessions: its session limit, or 0 for the default
 * @extack: for the reason of a refusal
 *
 * Called with RTNL held.
 *
 * Return: the device, or an ERR_PTR().
 */
struct net_device *sstp_dev_create(struct net *net, const char *name,
				   u32 max_sessions,
				   struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct sstp_dev *sd;
	int err;

	ASSERT_RTNL();
	if (sstp_exiting) {
		NL_SET_ERR_MSG_MOD(extack, "module is being unloaded");
		return ERR_PTR(-ENODEV);
	}
	dev = alloc_netdev(sizeof(struct sstp_dev), name ? name : "sstp%d",
			   name ? NET_NAME_USER : NET_NAME_ENUM, sstp_setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, net);
	dev->rtnl_link_ops = &sstp_link_ops;
	/* Set before the device is visible, so no session sees it change. */
	sd = netdev_priv(dev);
	if (max_sessions)
		sd->max_sessions = max_sessions;
	err = register_netdevice(dev);
	if (err) {
		if (err == -EEXIST)
			NL_SET_ERR_MSG_MOD(extack, "device name in use");
		else if (err == -EINVAL)
			NL_SET_ERR_MSG_MOD(extack, "invalid device name");
		else
			NL_SET_ERR_MSG_MOD(extack, "device registration failed");
		free_netdev(dev);
		return ERR_PTR(err);
	}
	return dev;
}

/**
 * sstp_dev_register() - Make the "sstp" link kind available.
 *
 * Return: 0 or a negative errno.
 */
int sstp_dev_register(void)
{
	sstp_exiting = false;
	return rtnl_link_register(&sstp_link_ops);
}

/**
 * sstp_dev_unregister() - Delete every sstp device and the link kind.
 *
 * Returns when all devices and their sessions are gone.
 */
void sstp_dev_unregister(void)
{
	rtnl_lock();
	sstp_exiting = true;
	rtnl_unlock();
	rtnl_link_unregister(&sstp_link_ops);
}
