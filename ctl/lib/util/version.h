/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SSTP_UTIL_VERSION_H
#define _SSTP_UTIL_VERSION_H

/*
 * SSTP_PKG_VERSION, the package's version string: the top-level Makefile
 * writes it (VERSION, refined by git describe) into $(O)/gen. Not to be
 * confused with SSTP_VERSION, the protocol's version byte (sstp_proto.h).
 */
#include "pkg-version.h"

#endif
