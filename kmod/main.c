// SPDX-License-Identifier: GPL-2.0
/*
 * sstp.ko: the data path of SSTP sessions whose TLS, HTTP, SSTP call and
 * PPP negotiation a userspace gateway handled. See include/netlink/sstp.yaml
 * for the interface.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <uapi/linux/sstp.h>

#include "device.h"
#include "main.h"
#include "netlink.h"
#include "proto.h"
#include "session.h"

#ifndef SSTP_KMOD_VERSION
#error "SSTP_KMOD_VERSION comes from kmod/Kbuild"
#endif

struct workqueue_struct *sstp_wq;

#ifdef SSTP_DEBUG
/* Live session objects, for leak checks in tests. */
static int debug_sessions_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read(&sstp_debug_sessions));
}

static const struct kernel_param_ops debug_sessions_ops = {
	.get = debug_sessions_get,
};

module_param_cb(debug_sessions, &debug_sessions_ops, NULL, 0444);
MODULE_PARM_DESC(debug_sessions, "Session objects allocated and not freed");
#endif

static int __init sstp_init(void)
{
	int err;

#ifdef SSTP_DEBUG
	if (!sstp_proto_selftest())
		return -ENOTRECOVERABLE;
	pr_info("self-tests: pass\n");
#endif
	sstp_wq = alloc_workqueue("sstp", WQ_UNBOUND, 0);
	if (!sstp_wq)
		return -ENOMEM;
	err = sstp_dev_register();
	if (err)
		goto err_wq;
	err = sstp_nl_register();
	if (err)
		goto err_dev;
	pr_info("SSTP data path " SSTP_KMOD_VERSION " loaded\n");
	return 0;

err_dev:
	sstp_dev_unregister();
err_wq:
	destroy_workqueue(sstp_wq);
	return err;
}

static void __exit sstp_exit(void)
{
	/* Devices first: their sessions still notify through the family. */
	sstp_dev_unregister();
	destroy_workqueue(sstp_wq);
	sstp_nl_unregister();
	rcu_barrier();
#ifdef SSTP_DEBUG
	if (atomic_read(&sstp_debug_sessions))
		pr_err("%d session objects leaked\n",
		       atomic_read(&sstp_debug_sessions));
#endif
}

module_init(sstp_init);
module_exit(sstp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SSTP VPN data path over kernel TLS");
MODULE_VERSION(SSTP_KMOD_VERSION);
MODULE_ALIAS_RTNL_LINK("sstp");
MODULE_ALIAS_GENL_FAMILY(SSTP_FAMILY_NAME);
