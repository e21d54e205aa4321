/* SPDX-License-Identifier: GPL-2.0 */
/* Kernels before 6.5 declare the GSO helpers in netdevice.h. */
#ifndef _SSTP_COMPAT_NET_GSO_H
#define _SSTP_COMPAT_NET_GSO_H

#ifdef SSTP_HAVE_NET_GSO_H
#include_next <net/gso.h>
#else
#include <linux/netdevice.h>
#endif

#endif
