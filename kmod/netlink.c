// SPDX-License-Identifier: GPL-2.0
/*
 * The sstp generic netlink family: handlers for the operations declared in
 * include/netlink/sstp.yaml (policies in netlink-gen.c), notifications,
 * and the end of sessions whose owning socket is closed.
 */

#include <linux/in.h>
#include <linux/netdevice.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include <uapi/linux/sstp.h>

#include "device.h"
#include "netlink-gen.h"
#include "netlink.h"
#include "session.h"
#include "socket.h"
#include "tx.h"

/**
 * sstp_nl_pre_doit() - Resolve the device an operation is about.
 * @ops: the operation
 * @skb: the request
 * @info: request info; user_ptr[0] gets the device, with a reference
 *
 * Return: 0, or -EINVAL/-ENODEV with an extack message.
 */
int sstp_nl_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		     struct genl_info *info)
{
	struct net_device *dev;

	if (GENL_REQ_ATTR_CHECK(info, SSTP_A_IFINDEX)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing ifindex");
		return -EINVAL;
	}
	dev = dev_get_by_index(genl_info_net(info),
			       nla_get_u32(info->attrs[SSTP_A_IFINDEX]));
	if (!dev) {
		NL_SET_ERR_MSG_MOD(info->extack, "no device with that index");
		NL_SET_BAD_ATTR(info->extack, info->attrs[SSTP_A_IFINDEX]);
		return -ENODEV;
	}
	if (!sstp_dev_is_ours(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(info->extack, "device is not an sstp device");
		NL_SET_BAD_ATTR(info->extack, info->attrs[SSTP_A_IFINDEX]);
		return -EOPNOTSUPP;
	}
	info->user_ptr[0] = dev;
	return 0;
}

/**
 * sstp_nl_post_doit() - Drop the reference sstp_nl_pre_doit() took.
 * @ops: the operation
 * @skb: the request
 * @info: request info
 */
void sstp_nl_post_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[0];

	if (dev)
		dev_put(dev);
}

static int dev_fill(struct sk_buff *skb, struct net_device *dev, u32 portid,
		    u32 seq, int flags, u8 cmd, struct netlink_callback *cb)
{
	const struct sstp_dev *sd = netdev_priv(dev);
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sstp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, SSTP_A_IFINDEX, dev->ifindex) ||
	    nla_put_string(skb, SSTP_A_IFNAME, dev->name) ||
	    nla_put_u32(skb, SSTP_A_MAX_SESSIONS, sd->max_sessions) ||
	    nla_put_u32(skb, SSTP_A_N_SESSIONS, READ_ONCE(sd->n_sessions))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/**
 * sstp_nl_dev_new_doit() - Create an sstp device.
 * @skb: the request
 * @info: request info
 *
 * Return: 0 with the new index, name and session limit in the reply, or
 * -errno.
 */
int sstp_nl_dev_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[IFNAMSIZ] = "";
	struct net_device *dev;
	struct sk_buff *msg;
	u32 max_sessions = 0;
	int err;

	if (info->attrs[SSTP_A_IFNAME])
		nla_strscpy(name, info->attrs[SSTP_A_IFNAME], sizeof(name));
	/* The policy keeps it within 1..1048576. */
	if (info->attrs[SSTP_A_MAX_SESSIONS])
		max_sessions = nla_get_u32(info->attrs[SSTP_A_MAX_SESSIONS]);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	rtnl_lock();
	dev = sstp_dev_create(genl_info_net(info),
			      info->attrs[SSTP_A_IFNAME] ? name : NULL,
			      max_sessions, info->extack);
	if (IS_ERR(dev)) {
		rtnl_unlock();
		if (PTR_ERR(dev) == -EINVAL)
			NL_SET_BAD_ATTR(info->extack,
					info->attrs[SSTP_A_IFNAME]);
		nlmsg_free(msg);
		return PTR_ERR(dev);
	}
	err = dev_fill(msg, dev, info->snd_portid, info->snd_seq, 0,
		       SSTP_CMD_DEV_NEW, NULL);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/**
 * sstp_nl_dev_del_doit() - Delete an sstp device and its sessions.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0, or -ENODEV if it is already being deleted.
 */
int sstp_nl_dev_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net_device *dev = info->user_ptr[0];
	int err = 0;

	rtnl_lock();
	if (dev->reg_state == NETREG_REGISTERED) {
		unregister_netdevice(dev);
	} else {
		NL_SET_ERR_MSG_MOD(info->extack, "device is being deleted");
		err = -ENODEV;
	}
	/* Unregistering waits for references once RTNL is released. */
	info->user_ptr[0] = NULL;
	dev_put(dev);
	rtnl_unlock();
	return err;
}

/**
 * sstp_nl_dev_get_doit() - Report one device.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0 or -errno.
 */
int sstp_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	err = dev_fill(msg, info->user_ptr[0], info->snd_portid, info->snd_seq,
		       0, SSTP_CMD_DEV_GET, NULL);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/**
 * sstp_nl_dev_get_dumpit() - Report every sstp device of the namespace.
 * @skb: the reply being filled
 * @cb: dump state; args[0] is the next index
 *
 * Return: the length of the reply, 0 at the end.
 */
int sstp_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(cb->skb->sk);
	long idx = 0, start = cb->args[0];
	struct net_device *dev;

	rcu_read_lock();
	cb->seq = READ_ONCE(net->dev_base_seq);
	for_each_netdev_rcu(net, dev) {
		if (!sstp_dev_is_ours(dev))
			continue;
		if (idx++ < start)
			continue;
		if (dev_fill(skb, dev, NETLINK_CB(cb->skb).portid,
			     cb->nlh->nlmsg_seq, NLM_F_MULTI, SSTP_CMD_DEV_GET,
			     cb)) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	return skb->len;
}

#define PUT_COUNTER(skb, attr, counter) \
	nla_put_uint(skb, attr, atomic64_read(counter))

static int stats_fill(struct sk_buff *skb, const struct sstp_stats *st)
{
	if (PUT_COUNTER(skb, SSTP_A_SESSION_RX_PACKETS, &st->rx_packets) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_RX_BYTES, &st->rx_bytes) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_TX_PACKETS, &st->tx_packets) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_TX_BYTES, &st->tx_bytes) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_RX_CTRL_PACKETS,
			&st->rx_ctrl_packets) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_TX_CTRL_PACKETS,
			&st->tx_ctrl_packets) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_ECHO_PACKETS, &st->echo_packets) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_RX_DROP_RPF, &st->rx_drop_rpf) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_RX_DROP_INVALID,
			&st->rx_drop_invalid) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_RX_DROP_CTRL, &st->rx_drop_ctrl) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_TX_DROP_QUEUE, &st->tx_drop_queue) ||
	    PUT_COUNTER(skb, SSTP_A_SESSION_TX_DROP_INVALID,
			&st->tx_drop_invalid))
		return -EMSGSIZE;
	return 0;
}

static int session_fill(struct sk_buff *skb, const struct sstp_session *s,
			u32 portid, u32 seq, int flags, u8 cmd,
			struct netlink_callback *cb)
{
	struct nlattr *nest;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &sstp_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, SSTP_A_IFINDEX, s->dev->ifindex))
		goto err;
	nest = nla_nest_start(skb, SSTP_A_SESSION);
	if (!nest)
		goto err;
	if (nla_put_u32(skb, SSTP_A_SESSION_ID, s->id) ||
	    nla_put_u32(skb, SSTP_A_SESSION_PPP_FLAGS, s->ppp_flags))
		goto err;
	if (s->has_ip4 && nla_put_in_addr(skb, SSTP_A_SESSION_IPV4, s->ip4))
		goto err;
	if (s->has_ip6 && nla_put_in6_addr(skb, SSTP_A_SESSION_IPV6, &s->ip6))
		goto err;
	if (s->coalesce && nla_put_flag(skb, SSTP_A_SESSION_COALESCE))
		goto err;
	if (s->any_source && nla_put_flag(skb, SSTP_A_SESSION_ANY_SOURCE))
		goto err;
	if (cmd == SSTP_CMD_SESSION_DEL_NTF &&
	    nla_put_u32(skb, SSTP_A_SESSION_DEL_REASON, s->reason))
		goto err;
	if (stats_fill(skb, &s->stats))
		goto err;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;

err:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int parse_session(struct genl_info *info, struct nlattr **attrs,
			 const struct nla_policy *policy)
{
	if (GENL_REQ_ATTR_CHECK(info, SSTP_A_SESSION)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing session");
		return -EINVAL;
	}
	return nla_parse_nested(attrs, SSTP_A_SESSION_MAX,
				info->attrs[SSTP_A_SESSION], policy,
				info->extack);
}

/* The session named by SSTP_A_SESSION_ID, with a reference. */
static struct sstp_session *find_session(struct genl_info *info,
					 struct nlattr **attrs)
{
	struct sstp_dev *sd = netdev_priv(info->user_ptr[0]);
	struct sstp_session *s;

	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[SSTP_A_SESSION], attrs,
			      SSTP_A_SESSION_ID)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing session id");
		return ERR_PTR(-EINVAL);
	}
	s = sstp_session_get_by_id(sd, nla_get_u32(attrs[SSTP_A_SESSION_ID]));
	if (!s) {
		NL_SET_ERR_MSG_MOD(info->extack, "no session with that id");
		NL_SET_BAD_ATTR(info->extack, attrs[SSTP_A_SESSION_ID]);
		return ERR_PTR(-ENOENT);
	}
	return s;
}

/* Addresses and flags of a new session; 0 or -EINVAL with a message. */
static int session_config(struct sstp_session *s, struct nlattr **attrs,
			  struct genl_info *info)
{
	struct nlattr *nest = info->attrs[SSTP_A_SESSION];
	struct nlattr *a;
	int type;

	if (NL_REQ_ATTR_CHECK(info->extack, nest, attrs,
			      SSTP_A_SESSION_SOCKET)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing socket");
		return -EINVAL;
	}
	if (!attrs[SSTP_A_SESSION_IPV4] && !attrs[SSTP_A_SESSION_IPV6]) {
		NL_SET_ERR_MSG_ATTR(info->extack, nest,
				    "a session needs an IPv4 or IPv6 address");
		return -EINVAL;
	}
	a = attrs[SSTP_A_SESSION_IPV4];
	if (a) {
		s->ip4 = nla_get_in_addr(a);
		if (ipv4_is_zeronet(s->ip4) || ipv4_is_loopback(s->ip4) ||
		    ipv4_is_multicast(s->ip4) || ipv4_is_lbcast(s->ip4)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "IPv4 address cannot be a peer's");
			return -EINVAL;
		}
		s->has_ip4 = true;
	}
	a = attrs[SSTP_A_SESSION_IPV6];
	if (a) {
		s->ip6 = nla_get_in6_addr(a);
		type = ipv6_addr_type(&s->ip6);
		if (ipv6_addr_any(&s->ip6) ||
		    type & (IPV6_ADDR_LOOPBACK | IPV6_ADDR_MULTICAST |
			    IPV6_ADDR_MAPPED)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a,
					    "IPv6 address cannot be a peer's");
			return -EINVAL;
		}
		s->has_ip6 = true;
	}
	if (attrs[SSTP_A_SESSION_PPP_FLAGS])
		s->ppp_flags = nla_get_u32(attrs[SSTP_A_SESSION_PPP_FLAGS]);
	s->coalesce = nla_get_flag(attrs[SSTP_A_SESSION_COALESCE]);
	s->any_source = nla_get_flag(attrs[SSTP_A_SESSION_ANY_SOURCE]);
	a = attrs[SSTP_A_SESSION_RX_BACKLOG];
	if (a && nla_len(a)) {
		s->rx_backlog = kvmalloc(nla_len(a), GFP_KERNEL_ACCOUNT);
		if (!s->rx_backlog)
			return -ENOMEM;
		memcpy(s->rx_backlog, nla_data(a), nla_len(a));
		s->rx_backlog_len = nla_len(a);
	}
	return 0;
}

/**
 * sstp_nl_session_new_doit() - Attach a kernel TLS socket as a session.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0 with the session id in the reply, or -errno.
 */
int sstp_nl_session_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs[SSTP_A_SESSION_MAX + 1];
	struct net_device *dev = info->user_ptr[0];
	struct sstp_session *s;
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;
	u32 id = 0;
	int err;

	err = parse_session(info, attrs, sstp_session_new_input_nl_policy);
	if (err)
		return err;
	s = sstp_session_alloc(netdev_priv(dev), info->snd_portid);
	if (!s)
		return -ENOMEM;
	err = session_config(s, attrs, info);
	if (err)
		goto err_discard;
	if (attrs[SSTP_A_SESSION_ID])
		id = nla_get_u32(attrs[SSTP_A_SESSION_ID]);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto err_discard;
	}
	err = sstp_sock_attach(s, nla_get_u32(attrs[SSTP_A_SESSION_SOCKET]),
			       info->extack);
	if (err) {
		NL_SET_BAD_ATTR(info->extack, attrs[SSTP_A_SESSION_SOCKET]);
		goto err_free_msg;
	}
	/* Keep the session for the reply: once LIVE it may end any time. */
	kref_get(&s->refcount);
	err = sstp_session_add(s, id, info->extack);
	if (err) {
		sstp_session_put(s);
		goto err_free_msg;
	}

	hdr = genlmsg_put_reply(msg, info, &sstp_nl_family, 0,
				SSTP_CMD_SESSION_NEW);
	if (!hdr || nla_put_u32(msg, SSTP_A_IFINDEX, dev->ifindex))
		goto err_reply;
	nest = nla_nest_start(msg, SSTP_A_SESSION);
	if (!nest || nla_put_u32(msg, SSTP_A_SESSION_ID, s->id))
		goto err_reply;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	netdev_dbg(dev, "session %u attached\n", s->id);
	sstp_session_put(s);
	return genlmsg_reply(msg, info);

err_reply:
	/* Cannot happen with a default-size message; undo all the same. */
	sstp_session_delete(s, SSTP_DEL_REASON_USERSPACE);
	sstp_session_put(s);
	nlmsg_free(msg);
	return -EMSGSIZE;
err_free_msg:
	nlmsg_free(msg);
err_discard:
	sstp_session_discard(s);
	return err;
}

/**
 * sstp_nl_session_del_doit() - Delete a session and wait until it is gone.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0 or -errno.
 */
int sstp_nl_session_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs[SSTP_A_SESSION_MAX + 1];
	struct sstp_session *s;
	int err;

	err = parse_session(info, attrs, sstp_session_del_input_nl_policy);
	if (err)
		return err;
	s = find_session(info, attrs);
	if (IS_ERR(s))
		return PTR_ERR(s);
	sstp_session_delete(s, SSTP_DEL_REASON_USERSPACE);
	sstp_session_put(s);
	return 0;
}

/**
 * sstp_nl_session_get_doit() - Report one session with its counters.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0 or -errno.
 */
int sstp_nl_session_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs[SSTP_A_SESSION_MAX + 1];
	struct sstp_session *s;
	struct sk_buff *msg;
	int err, i;

	err = parse_session(info, attrs, sstp_session_nl_policy);
	if (err)
		return err;
	/* The policy is the whole set; only the id selects. */
	for (i = 1; i <= SSTP_A_SESSION_MAX; i++) {
		if (i != SSTP_A_SESSION_ID && attrs[i]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[i],
					    "only the session id can be given");
			return -EINVAL;
		}
	}
	s = find_session(info, attrs);
	if (IS_ERR(s))
		return PTR_ERR(s);
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out;
	}
	err = session_fill(msg, s, info->snd_portid, info->snd_seq, 0,
			   SSTP_CMD_SESSION_GET, NULL);
	if (err) {
		nlmsg_free(msg);
		goto out;
	}
	err = genlmsg_reply(msg, info);
out:
	sstp_session_put(s);
	return err;
}

/**
 * sstp_nl_session_get_dumpit() - Report every session of a device.
 * @skb: the reply being filled
 * @cb: dump state; args[0] is the next index
 *
 * Return: the length of the reply, 0 at the end, or -errno.
 */
int sstp_nl_session_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = sstp_genl_dump_attrs(cb);
	struct net *net = sock_net(cb->skb->sk);
	long idx = 0, start = cb->args[0];
	struct sstp_session *s;
	struct net_device *dev;
	struct sstp_dev *sd;

	if (!attrs[SSTP_A_IFINDEX]) {
		NL_SET_ERR_MSG_MOD(cb->extack, "missing ifindex");
		return -EINVAL;
	}
	dev = dev_get_by_index(net, nla_get_u32(attrs[SSTP_A_IFINDEX]));
	if (!dev) {
		NL_SET_ERR_MSG_MOD(cb->extack, "no device with that index");
		return -ENODEV;
	}
	if (!sstp_dev_is_ours(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_MOD(cb->extack, "device is not an sstp device");
		return -EOPNOTSUPP;
	}
	sd = netdev_priv(dev);

	rcu_read_lock();
	cb->seq = READ_ONCE(sd->generation);
	list_for_each_entry_rcu(s, &sd->sessions, node) {
		if (idx++ < start)
			continue;
		if (session_fill(skb, s, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI,
				 SSTP_CMD_SESSION_GET, cb)) {
			idx--;
			break;
		}
	}
	rcu_read_unlock();
	cb->args[0] = idx;
	dev_put(dev);
	return skb->len;
}

/**
 * sstp_nl_session_send_doit() - Queue an SSTP packet on a session.
 * @skb: the request
 * @info: request info; user_ptr[0] holds the device
 *
 * Return: 0, -ENOBUFS if the transmit queue is full, or -errno.
 */
int sstp_nl_session_send_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attrs[SSTP_A_SESSION_MAX + 1];
	struct sstp_session *s;
	struct sk_buff *pkt;
	struct nlattr *a;
	const u8 *data;
	int err, len;

	err = parse_session(info, attrs, sstp_session_send_input_nl_policy);
	if (err)
		return err;
	if (NL_REQ_ATTR_CHECK(info->extack, info->attrs[SSTP_A_SESSION], attrs,
			      SSTP_A_SESSION_PACKET)) {
		NL_SET_ERR_MSG_MOD(info->extack, "missing packet");
		return -EINVAL;
	}
	a = attrs[SSTP_A_SESSION_PACKET];
	data = nla_data(a);
	len = nla_len(a);
	if (len < SSTP_HDR_LEN || data[0] != SSTP_VERSION ||
	    sstp_len_get(data + 2) != len) {
		NL_SET_ERR_MSG_ATTR(info->extack, a,
				    "not one whole SSTP packet");
		return -EINVAL;
	}
	s = find_session(info, attrs);
	if (IS_ERR(s))
		return PTR_ERR(s);
	pkt = alloc_skb(len, GFP_KERNEL);
	if (!pkt) {
		err = -ENOMEM;
		goto out;
	}
	skb_put_data(pkt, data, len);
	err = sstp_tx_queue_raw(s, pkt, SSTP_TX_CTRL);
	if (err == -ENOBUFS)
		NL_SET_ERR_MSG_MOD(info->extack, "transmit queue is full");
	else if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "session is ending");
out:
	sstp_session_put(s);
	return err;
}

/**
 * sstp_nl_session_del_ntf() - Tell the owner that a session ended.
 * @s: the session, being released
 */
void sstp_nl_session_del_ntf(struct sstp_session *s)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return;
	if (session_fill(msg, s, 0, 0, 0, SSTP_CMD_SESSION_DEL_NTF, NULL)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_unicast(dev_net(s->dev), msg, s->owner);
}

/**
 * sstp_nl_session_recv_ntf() - Pass a frame from the peer to the owner.
 * @s: the session
 * @pkt: the whole SSTP packet
 * @len: its length
 *
 * Never blocks: when the owner's socket is full the frame is lost.
 *
 * Return: 0, or a negative errno if the frame was not delivered.
 */
int sstp_nl_session_recv_ntf(struct sstp_session *s, const u8 *pkt,
			     unsigned int len)
{
	struct nlattr *nest;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(2 * nla_total_size(sizeof(u32)) +
			  nla_total_size(len) + nla_total_size(0), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &sstp_nl_family, 0,
			  SSTP_CMD_SESSION_RECV_NTF);
	if (!hdr || nla_put_u32(msg, SSTP_A_IFINDEX, s->dev->ifindex))
		goto err;
	nest = nla_nest_start(msg, SSTP_A_SESSION);
	if (!nest || nla_put_u32(msg, SSTP_A_SESSION_ID, s->id) ||
	    nla_put(msg, SSTP_A_SESSION_PACKET, len, pkt))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_unicast(dev_net(s->dev), msg, s->owner);

err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int sstp_nl_notify(struct notifier_block *nb, unsigned long state,
			  void *ptr)
{
	struct netlink_notify *n = ptr;

	if (state == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    n->portid)
		sstp_sessions_kill_owner(n->net, n->portid);
	return NOTIFY_DONE;
}

static struct notifier_block sstp_nl_notifier = {
	.notifier_call = sstp_nl_notify,
};

/**
 * sstp_nl_register() - Register the family and the socket release hook.
 *
 * Return: 0 or a negative errno.
 */
int sstp_nl_register(void)
{
	int err;

	err = genl_register_family(&sstp_nl_family);
	if (err)
		return err;
	err = netlink_register_notifier(&sstp_nl_notifier);
	if (err)
		genl_unregister_family(&sstp_nl_family);
	return err;
}

/**
 * sstp_nl_unregister() - Undo sstp_nl_register().
 */
void sstp_nl_unregister(void)
{
	netlink_unregister_notifier(&sstp_nl_notifier);
	genl_unregister_family(&sstp_nl_family);
}
