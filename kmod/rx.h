/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_RX_H
#define _SSTP_RX_H

#include <linux/workqueue.h>

/* Frames for the gateway: sustained rate, burst, and the flood that kills. */
#define SSTP_CTRL_RATE		32
#define SSTP_CTRL_BURST		64
#define SSTP_CTRL_FLOOD		1024

void sstp_rx_work(struct work_struct *work);

#endif /* _SSTP_RX_H */
