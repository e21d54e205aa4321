// SPDX-License-Identifier: GPL-2.0
/*
 * Session objects: allocation, the per-device tables, and teardown.
 *
 * A session holds one reference for the tables from sstp_session_add()
 * until it is released. Whoever moves it from LIVE to DEAD (unhash) owns
 * that reference and must release the session: in place where it may
 * sleep and is not one of the session's own work items, otherwise through
 * del_work. Releasing detaches the socket callbacks first, so nothing from
 * the socket can queue work any more, closes the transmit queue, then
 * cancels the work items; only then are the buffers and the socket given
 * back. The object itself is freed after an RCU grace period, because the
 * transmit path finds sessions in the tables without taking references.
 *
 * What a session allocates for as long as it lives (the object, its
 * buffers, the gateway's backlog) is allocated in the creating process's
 * context with GFP_KERNEL_ACCOUNT, so it is charged to that process's
 * memory cgroup; packets in flight are bounded by the queue limits
 * instead. A session also holds a reference to its socket's file, beyond
 * the creator's RLIMIT_NOFILE: the device's max_sessions bounds both.
 */

#include <linux/bits.h>
#include <linux/hash.h>
#include <linux/slab.h>
#include <net/ipv6.h>

#include "device.h"
#include "main.h"
#include "netlink.h"
#include "rx.h"
#include "session.h"
#include "socket.h"
#include "tx.h"

#ifdef SSTP_DEBUG
atomic_t sstp_debug_sessions = ATOMIC_INIT(0);
#endif

/* Attempts at finding a free session id before giving up. */
#define SSTP_ID_TRIES	BIT(20)

static void session_del_work(struct work_struct *work);

/**
 * sstp_session_alloc() - Allocate a session for a device.
 * @sd: the device
 * @owner: netlink portid of the socket creating it
 *
 * The session starts in state NEW, outside the tables, and holds a
 * reference to the device.
 *
 * Return: the session, or NULL when memory is short.
 */
struct sstp_session *sstp_session_alloc(struct sstp_dev *sd, u32 owner)
{
	struct sstp_session *s;

	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return NULL;
	s->tx_buf = kvmalloc(SSTP_TX_BUF, GFP_KERNEL_ACCOUNT);
	if (!s->tx_buf) {
		kfree(s);
		return NULL;
	}

	s->sd = sd;
	s->dev = sd->dev;
	netdev_hold(s->dev, &s->dev_tracker, GFP_KERNEL);
	s->owner = owner;
	kref_init(&s->refcount);
	s->state = SSTP_SESSION_NEW;
	INIT_HLIST_NODE(&s->node_id);
	INIT_HLIST_NODE(&s->node_ip4);
	INIT_HLIST_NODE(&s->node_ip6);
	INIT_LIST_HEAD(&s->node);
	INIT_WORK(&s->rx_work, sstp_rx_work);
	INIT_WORK(&s->tx_work, sstp_tx_work);
	INIT_WORK(&s->del_work, session_del_work);
	skb_queue_head_init(&s->rx_list);
	skb_queue_head_init(&s->txq);
	s->ctrl_tokens = SSTP_CTRL_BURST;
	s->ctrl_stamp = jiffies;
#ifdef SSTP_DEBUG
	atomic_inc(&sstp_debug_sessions);
#endif
	return s;
}

static struct sstp_session *by_id_locked(struct sstp_dev *sd, u32 id)
{
	struct sstp_session *s;

	hash_for_each_possible(sd->by_id, s, node_id, id)
		if (s->id == id)
			return s;
	return NULL;
}

/**
 * sstp_session_add() - Put a session in its device's tables.
 * @s: session in state NEW, its addresses set
 * @id: wanted id, or 0 to have one chosen
 * @extack: for the reason of a refusal
 *
 * Once LIVE the session may end at any moment; a caller that still uses
 * it holds a reference of its own.
 *
 * Return: 0 with the session LIVE and its receive work queued, or -ENODEV
 * (device going away), -ENOSPC (the device's session limit, or no free
 * id), -EADDRINUSE or -EEXIST (id taken).
 */
int sstp_session_add(struct sstp_session *s, u32 id,
		     struct netlink_ext_ack *extack)
{
	struct sstp_dev *sd = s->sd;
	struct sstp_session *other;
	u32 tries = 0;
	int err = 0;

	spin_lock_bh(&sd->lock);
	if (sd->dead) {
		NL_SET_ERR_MSG_MOD(extack, "device is being deleted");
		err = -ENODEV;
		goto out;
	}
	if (sd->n_sessions >= sd->max_sessions) {
		NL_SET_ERR_MSG_MOD(extack, "device session limit reached");
		err = -ENOSPC;
		goto out;
	}
	if (s->has_ip4) {
		hash_for_each_possible(sd->by_ip4, other, node_ip4,
				       (__force u32)s->ip4) {
			if (other->ip4 == s->ip4) {
				NL_SET_ERR_MSG_MOD(extack,
						   "IPv4 address in use by another session");
				err = -EADDRINUSE;
				goto out;
			}
		}
	}
	if (s->has_ip6) {
		hash_for_each_possible(sd->by_ip6, other, node_ip6,
				       ipv6_addr_hash(&s->ip6)) {
			if (ipv6_addr_equal(&other->ip6, &s->ip6)) {
				NL_SET_ERR_MSG_MOD(extack,
						   "IPv6 address in use by another session");
				err = -EADDRINUSE;
				goto out;
			}
		}
	}
	if (id) {
		if (by_id_locked(sd, id)) {
			NL_SET_ERR_MSG_MOD(extack, "session id in use");
			err = -EEXIST;
			goto out;
		}
	} else {
		do {
			id = sd->next_id++;
			if (!sd->next_id)
				sd->next_id = 1;
			if (++tries > SSTP_ID_TRIES) {
				NL_SET_ERR_MSG_MOD(extack, "no free session id");
				err = -ENOSPC;
				goto out;
			}
		} while (!id || by_id_locked(sd, id));
	}

	s->id = id;
	hash_add_rcu(sd->by_id, &s->node_id, id);
	if (s->has_ip4)
		hash_add_rcu(sd->by_ip4, &s->node_ip4, (__force u32)s->ip4);
	if (s->has_ip6)
		hash_add_rcu(sd->by_ip6, &s->node_ip6, ipv6_addr_hash(&s->ip6));
	list_add_tail_rcu(&s->node, &sd->sessions);
	WRITE_ONCE(sd->n_sessions, sd->n_sessions + 1);
	s->counted = true;
	sd->generation++;
	WRITE_ONCE(s->state, SSTP_SESSION_LIVE);
	/*
	 * For the gateway's backlog and data that came before the callbacks
	 * were in place. Queued under the lock: a release, which cancels the
	 * work, can only follow an unhash, which needs the lock.
	 */
	queue_work(sstp_wq, &s->rx_work);
out:
	spin_unlock_bh(&sd->lock);
	return err;
}

/* LIVE to DEAD, out of the tables; true if this call did it. */
static bool unhash_locked(struct sstp_session *s, enum sstp_del_reason reason)
{
	lockdep_assert_held(&s->sd->lock);

	if (s->state != SSTP_SESSION_LIVE)
		return false;
	s->reason = reason;
	WRITE_ONCE(s->state, SSTP_SESSION_DEAD);
	hash_del_rcu(&s->node_id);
	if (s->has_ip4)
		hash_del_rcu(&s->node_ip4);
	if (s->has_ip6)
		hash_del_rcu(&s->node_ip6);
	list_del_rcu(&s->node);
	s->sd->generation++;
	return true;
}

static bool unhash(struct sstp_session *s, enum sstp_del_reason reason)
{
	bool done;

	spin_lock_bh(&s->sd->lock);
	done = unhash_locked(s, reason);
	spin_unlock_bh(&s->sd->lock);
	return done;
}

/* Stop everything the session runs and give back what it holds. */
static void teardown(struct sstp_session *s, bool notify)
{
	sstp_sock_detach(s);
	sstp_tx_close(s);
	cancel_work_sync(&s->rx_work);
	cancel_work_sync(&s->tx_work);
	if (s->reason == SSTP_DEL_REASON_USERSPACE)
		sstp_tx_flush(s);
	skb_queue_purge(&s->txq);
	skb_queue_purge(&s->rx_list);
	sstp_sock_release(s);
	if (s->counted) {
		/*
		 * The socket's file is given back: room for another, before
		 * the owner hears of the end and may fill it.
		 */
		spin_lock_bh(&s->sd->lock);
		WRITE_ONCE(s->sd->n_sessions, s->sd->n_sessions - 1);
		spin_unlock_bh(&s->sd->lock);
	}
	if (notify)
		sstp_nl_session_del_ntf(s);
	kvfree(s->rx_backlog);
	s->rx_backlog = NULL;
	kvfree(s->rx_buf);
	s->rx_buf = NULL;
	kvfree(s->tx_buf);
	s->tx_buf = NULL;
	netdev_put(s->dev, &s->dev_tracker);
	sstp_session_put(s);
}

static void release(struct sstp_session *s)
{
	netdev_dbg(s->dev, "session %u ends, reason %d\n", s->id, s->reason);
	teardown(s, s->reason != SSTP_DEL_REASON_OWNER_CLOSED);
}

static void session_del_work(struct work_struct *work)
{
	release(container_of(work, struct sstp_session, del_work));
}

/**
 * sstp_session_discard() - Drop a session that never became LIVE.
 * @s: session in state NEW; the caller's reference goes away
 */
void sstp_session_discard(struct sstp_session *s)
{
	WRITE_ONCE(s->state, SSTP_SESSION_DEAD);
	teardown(s, false);
}

/**
 * sstp_session_kill() - End a session from any context.
 * @s: the session
 * @reason: enum sstp_del_reason for the notification
 *
 * Takes the session out of the tables now and releases it from the
 * workqueue. Does nothing if the session is already ending.
 */
void sstp_session_kill(struct sstp_session *s, enum sstp_del_reason reason)
{
	if (unhash(s, reason))
		queue_work(sstp_wq, &s->del_work);
}

/**
 * sstp_session_delete() - End a session and wait until it is gone.
 * @s: the session; the caller holds a reference
 * @reason: enum sstp_del_reason for the notification
 *
 * May sleep; must not run on one of the session's work items. When the
 * session was already ending, waits for that to finish.
 */
void sstp_session_delete(struct sstp_session *s, enum sstp_del_reason reason)
{
	if (unhash(s, reason))
		release(s);
	else
		flush_work(&s->del_work);
}

static void session_free(struct kref *kref)
{
	struct sstp_session *s = container_of(kref, struct sstp_session,
					      refcount);

#ifdef SSTP_DEBUG
	atomic_dec(&sstp_debug_sessions);
#endif
	kfree_rcu(s, rcu);
}

/**
 * sstp_session_put() - Drop a reference.
 * @s: the session
 */
void sstp_session_put(struct sstp_session *s)
{
	kref_put(&s->refcount, session_free);
}

/**
 * sstp_session_get_by_id() - Find a session and take a reference.
 * @sd: the device
 * @id: session id
 *
 * Return: the session (to be put), or NULL.
 */
struct sstp_session *sstp_session_get_by_id(struct sstp_dev *sd, u32 id)
{
	struct sstp_session *s, *found = NULL;

	rcu_read_lock();
	hash_for_each_possible_rcu(sd->by_id, s, node_id, id) {
		if (s->id == id && kref_get_unless_zero(&s->refcount)) {
			found = s;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * sstp_session_by_ip4() - Find the session of an IPv4 address.
 * @sd: the device
 * @addr: the peer's address
 *
 * Caller holds rcu_read_lock(); no reference is taken.
 *
 * Return: the session, or NULL.
 */
struct sstp_session *sstp_session_by_ip4(struct sstp_dev *sd, __be32 addr)
{
	struct sstp_session *s;

	hash_for_each_possible_rcu(sd->by_ip4, s, node_ip4, (__force u32)addr)
		if (s->ip4 == addr)
			return s;
	return NULL;
}

/**
 * sstp_session_by_ip6() - Find the session of an IPv6 address.
 * @sd: the device
 * @addr: the peer's address
 *
 * Caller holds rcu_read_lock(); no reference is taken.
 *
 * Return: the session, or NULL.
 */
struct sstp_session *sstp_session_by_ip6(struct sstp_dev *sd,
					 const struct in6_addr *addr)
{
	struct sstp_session *s;

	hash_for_each_possible_rcu(sd->by_ip6, s, node_ip6,
				   ipv6_addr_hash(addr))
		if (ipv6_addr_equal(&s->ip6, addr))
			return s;
	return NULL;
}

/**
 * sstp_dev_flush_sessions() - End every session of a device going away.
 * @sd: the device, being unregistered
 *
 * Sessions already ending finish on the workqueue; they hold references
 * to the device, which unregistering waits for.
 */
void sstp_dev_flush_sessions(struct sstp_dev *sd)
{
	struct sstp_session *s;

	for (;;) {
		spin_lock_bh(&sd->lock);
		sd->dead = true;
		s = list_first_entry_or_null(&sd->sessions,
					     struct sstp_session, node);
		if (s)
			unhash_locked(s, SSTP_DEL_REASON_DEV_DELETED);
		spin_unlock_bh(&sd->lock);
		if (!s)
			break;
		release(s);
	}
}

/**
 * sstp_sessions_kill_owner() - End the sessions a netlink socket created.
 * @net: namespace of the socket
 * @portid: its port id
 *
 * Called when the socket is released; does not sleep.
 */
void sstp_sessions_kill_owner(struct net *net, u32 portid)
{
	struct net_device *dev;
	struct sstp_session *s;
	struct sstp_dev *sd;

	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (!sstp_dev_is_ours(dev))
			continue;
		sd = netdev_priv(dev);
		list_for_each_entry_rcu(s, &sd->sessions, node) {
			if (s->owner != portid)
				continue;
			sstp_session_kill(s, SSTP_DEL_REASON_OWNER_CLOSED);
		}
	}
	rcu_read_unlock();
}
