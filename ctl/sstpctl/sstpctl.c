// SPDX-License-Identifier: GPL-2.0
/* sstpctl: bring gateways up and down, inspect them, connect as a client. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "util/version.h"
#include "cmd.h"
#include "cmd_cert.h"



static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} cmds[] = {
	{ "up", cmd_up_main, "start a gateway from a configuration (a demo one if none)" },
	{ "down", cmd_down_main, "stop a gateway" },
	{ "show", cmd_show_main, "show a gateway and its sessions" },
	{ "revoke", cmd_revoke_main, "revoke a certificate by thumbprint, ending its sessions" },
	{ "unrevoke", cmd_unrevoke_main, "withdraw a revocation made with revoke" },
	{ "revoked", cmd_revoked_main, "list the revoked thumbprints and the file that keeps them" },
	{ "root", cmd_root_main, "list, add or remove trusted roots of a running gateway" },
	{ "connect", cmd_connect_main, "connect to a gateway as a client" },
	{ "package", cmd_package_main, "client configuration package (Windows, Linux) for a gateway" },
	{ "cert", cmd_cert_main, "certificate tooling: roots, clients, thumbprints, PKCS#12" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: sstpctl [-j] <command> [arguments]\n\nCommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "  %-8s %s\n  %-8s %s\n", "help", "this help", "version",
		"print the version");
	fprintf(f, "\nWith no command, sstpctl runs `show`. See sstpctl(8).\n");
}

int main(int argc, char **argv)
{
	static char *show_argv[] = { "show", NULL };
	size_t i;

	/* A gateway that closes on us is an error to report, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	argc--;
	argv++;
	while (argc && (!strcmp(argv[0], "-j") || !strcmp(argv[0], "--json"))) {
		cmd_json = true;
		argc--;
		argv++;
	}
	if (!argc)
		return cmd_show_main(1, show_argv);
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") ||
	    !strcmp(argv[0], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[0], "version") || !strcmp(argv[0], "-V") ||
	    !strcmp(argv[0], "--version")) {
		printf("sstpctl %s\n", SSTP_PKG_VERSION);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			return cmds[i].fn(argc, argv);
	fprintf(stderr, "sstpctl: unknown command `%s'\n", argv[0]);
	usage(stderr);
	return EXIT_USAGE;
}
