/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_MAIN_H
#define _SSTP_MAIN_H

#include <linux/workqueue.h>

/* Runs every session's receive, transmit and teardown work. */
extern struct workqueue_struct *sstp_wq;

#endif /* _SSTP_MAIN_H */
