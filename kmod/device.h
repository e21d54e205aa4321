/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_DEVICE_H
#define _SSTP_DEVICE_H

#include <linux/hashtable.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <net/gro_cells.h>

#define SSTP_HASH_BITS		10
#define SSTP_DEFAULT_MTU	1400
/*
 * Sessions a device carries unless dev-new says otherwise. Each holds a
 * reference to its socket's file (beyond the creator's RLIMIT_NOFILE) and
 * some 30 KiB, so the limit is what bounds both; the policy's maximum
 * (1048576) is the upper end a gateway may ask for.
 */
#define SSTP_MAX_SESSIONS_DEFAULT	65536

/**
 * struct sstp_dev - private data of an sstp network device
 * @dev: the device
 * @lock: serialises changes to the tables, the list, @n_sessions and @dead
 * @dead: the device is going away; no session may be added
 * @next_id: where the search for a free session id starts
 * @max_sessions: most sessions counted in @n_sessions at once (fixed once
 *	the device is registered)
 * @n_sessions: sessions from sstp_session_add() until their release
 * @generation: changes whenever a session is added or removed (dumps)
 * @sessions: live sessions, in order of creation (RCU)
 * @by_id: live sessions by id (RCU)
 * @by_ip4: live sessions by IPv4 address (RCU)
 * @by_ip6: live sessions by IPv6 address (RCU)
 * @gro_cells: receive path into the stack
 */
struct sstp_dev {
	struct net_device *dev;
	spinlock_t lock;	/* tables, sessions, n_sessions, dead */
	bool dead;
	u32 next_id;
	u32 max_sessions;
	u32 n_sessions;
	unsigned int generation;
	struct list_head sessions;
	DECLARE_HASHTABLE(by_id, SSTP_HASH_BITS);
	DECLARE_HASHTABLE(by_ip4, SSTP_HASH_BITS);
	DECLARE_HASHTABLE(by_ip6, SSTP_HASH_BITS);
	struct gro_cells gro_cells;
};

extern struct rtnl_link_ops sstp_link_ops;

static inline bool sstp_dev_is_ours(const struct net_device *dev)
{
	return dev->rtnl_link_ops == &sstp_link_ops;
}

struct net_device *sstp_dev_create(struct net *net, const char *name,
				   u32 max_sessions,
				   struct netlink_ext_ack *extack);
int sstp_dev_register(void);
void sstp_dev_unregister(void);

#endif /* _SSTP_DEVICE_H */
