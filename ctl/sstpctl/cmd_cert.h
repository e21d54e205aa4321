/* SPDX-License-Identifier: GPL-2.0 */
/* sstpctl cert: roots, server and client certificates, thumbprints. */
#ifndef _SSTPCTL_CMD_CERT_H
#define _SSTPCTL_CMD_CERT_H

/*
 * argv[0] is "cert". Returns the exit status: 0, 1 on misuse (usage on
 * stderr), 2 when the operation failed (one line on stderr).
 */
int cmd_cert_main(int argc, char **argv);

#endif
