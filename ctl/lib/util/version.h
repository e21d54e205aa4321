/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_VERSION_H
#define _SSTP_VERSION_H

#ifndef SSTP_VERSION
#define SSTP_VERSION "0.1.0"
#endif

#endif
