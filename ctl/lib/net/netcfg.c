// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include "netcfg.h"

int tun_open(const char *name, char actual[IF_NAMESIZE])
{
	struct ifreq ifr = { 0 };
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	if (name)
		snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (actual)
		snprintf(actual, IF_NAMESIZE, "%s", ifr.ifr_name);
	return fd;
}

int tun_open_mq(const char *name, char actual[IF_NAMESIZE])
{
	struct ifreq ifr = { 0 };
	int fd, err;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
	if (name)
		snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (actual)
		snprintf(actual, IF_NAMESIZE, "%s", ifr.ifr_name);
	return fd;
}

/* Send one request and wait for its ack. 0 or -errno from the kernel. */
static int rtnl_talk(struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_cb_run(buf, (size_t)ret, seq, portid, NULL, NULL);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

static int ifindex_of(const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	return idx ? (int)idx : -ENODEV;
}

int netcfg_link_up(const char *ifname, unsigned int mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifm;
	int idx = ifindex_of(ifname);

	if (idx < 0)
		return idx;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = idx;
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_talk(nlh);
}

int netcfg_addr_add(const char *ifname, uint32_t local, uint8_t plen,
		    uint32_t peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int idx = ifindex_of(ifname);
	uint32_t l = htonl(local), p = htonl(peer ? peer : local);

	if (idx < 0)
		return idx;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = peer ? 32 : plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)idx;
	mnl_attr_put_u32(nlh, IFA_LOCAL, l);
	mnl_attr_put_u32(nlh, IFA_ADDRESS, p);
	return rtnl_talk(nlh);
}

static int route_msg(uint16_t type, uint16_t flags, const char *ifname,
		     const struct cidr4 *dst, uint32_t via, uint32_t src)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	int idx = ifindex_of(ifname);

	if (idx < 0)
		return idx;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = dst->plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = via ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_DST, htonl(dst->addr));
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)idx);
	if (via)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(via));
	if (src)
		mnl_attr_put_u32(nlh, RTA_PREFSRC, htonl(src));
	return rtnl_talk(nlh);
}

int netcfg_route_add(const char *ifname, const struct cidr4 *dst)
{
	return route_msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifname, dst,
			 0, 0);
}

int netcfg_route_add_src(const char *ifname, const struct cidr4 *dst,
			 uint32_t src)
{
	return route_msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifname, dst,
			 0, src);
}

int netcfg_route_add_via(const char *ifname, const struct cidr4 *dst,
			 uint32_t via)
{
	return route_msg(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, ifname, dst,
			 via, 0);
}

int netcfg_route_del(const char *ifname, const struct cidr4 *dst)
{
	return route_msg(RTM_DELROUTE, 0, ifname, dst, 0, 0);
}

struct overlap_ctx {
	const struct cidr4 *prefix;
	int skip_ifindex;
	char *found;
	size_t foundlen;
	int hit;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, RTA_MAX) < 0)
		return MNL_CB_OK;
	if ((type == RTA_DST || type == RTA_OIF || type == RTA_TABLE) &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct overlap_ctx *c = data;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t table = rtm->rtm_table;
	struct cidr4 r;

	if (rtm->rtm_family != AF_INET || rtm->rtm_type != RTN_UNICAST ||
	    rtm->rtm_dst_len == 0)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, tb);
	if (tb[RTA_TABLE])
		table = mnl_attr_get_u32(tb[RTA_TABLE]);
	if (table != RT_TABLE_MAIN || !tb[RTA_DST])
		return MNL_CB_OK;
	if (tb[RTA_OIF] &&
	    (int)mnl_attr_get_u32(tb[RTA_OIF]) == c->skip_ifindex)
		return MNL_CB_OK;
	r.addr = ntohl(mnl_attr_get_u32(tb[RTA_DST]));
	r.plen = rtm->rtm_dst_len;
	if (cidr4_overlap(&r, c->prefix) && !c->hit) {
		struct in_addr a = { .s_addr = htonl(r.addr) };
		char ifn[IF_NAMESIZE] = "?";

		if (tb[RTA_OIF])
			if_indextoname(mnl_attr_get_u32(tb[RTA_OIF]), ifn);
		snprintf(c->found, c->foundlen, "%s/%u dev %s", inet_ntoa(a),
			 r.plen, ifn);
		c->hit = 1;
	}
	return MNL_CB_OK;
}

int netcfg_route_overlap(const struct cidr4 *prefix, const char *ifname,
			 char *found, size_t foundlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct overlap_ctx c = { prefix, 0, found, foundlen, 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	unsigned int seq, portid;
	int ret;

	if (ifname)
		c.skip_ifindex = (int)if_nametoindex(ifname);
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq = (unsigned int)time(NULL);
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			ret = -errno;
			goto out;
		}
		ret = mnl_cb_run(buf, (size_t)n, seq, portid, route_cb, &c);
		if (ret < 0) {
			ret = -errno;
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
	}
	ret = c.hit;
out:
	mnl_socket_close(nl);
	return ret;
}
