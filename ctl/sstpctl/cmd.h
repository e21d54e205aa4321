/* SPDX-License-Identifier: GPL-2.0 */
/* sstpctl subcommands: argv[0] is the subcommand's name. */
#ifndef _SSTPCTL_CMD_H
#define _SSTPCTL_CMD_H

#include <stdbool.h>

/* Exit codes (sstpctl(8) EXIT STATUS). */
enum { EXIT_OK = 0, EXIT_USAGE = 1, EXIT_FAIL = 2 };

extern bool cmd_json;	/* -j given before the subcommand */

int cmd_up_main(int argc, char **argv);
int cmd_down_main(int argc, char **argv);
int cmd_show_main(int argc, char **argv);
int cmd_revoke_main(int argc, char **argv);
int cmd_root_main(int argc, char **argv);
int cmd_unrevoke_main(int argc, char **argv);
int cmd_revoked_main(int argc, char **argv);
int cmd_connect_main(int argc, char **argv);
int cmd_package_main(int argc, char **argv);

#endif
