// SPDX-License-Identifier: GPL-2.0
/* sstpd: the SSTP gateway daemon. See sstpd(8). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/config.h"
#include "util/log.h"
#include "util/version.h"
#include "gateway.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sstpd -c CONFIG [options]\n"
		"  -c, --config FILE    configuration (sstpd.conf(5))\n"
		"  -d, --daemon         detach once the gateway is up\n"
		"  -l, --log-file FILE  log to FILE (default: stderr; --daemon: syslog)\n"
		"  -v, --verbose        debug logging\n"
		"  -t, --test           check the configuration and exit\n"
		"  -V, --version        print the version\n"
		"  -h, --help           this help\n");
}

/* Fork; the parent exits when the child reports readiness on the pipe. */
static int daemonize(int *notify_fd)
{
	int p[2];
	pid_t pid;
	char c = 1;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = 1;
		_exit(c ? 1 : 0);
	}
	close(p[0]);
	setsid();
	*notify_fd = p[1];
	return 0;
}

static void notify(int fd, char status)
{
	if (fd < 0)
		return;
	if (write(fd, &status, 1) != 1)
		log_debug("readiness notification lost");
	close(fd);
	if (!status) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "log-file", required_argument, NULL, 'l' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "test", no_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *config = NULL, *logfile = NULL;
	bool daemon_mode = false, test = false;
	enum sstp_log_level lvl = SSTP_LOG_INFO;
	static struct sstp_config cfg;
	static struct gateway gw;
	int notify_fd = -1, c, ret;
	char err[1024];

	while ((c = getopt_long(argc, argv, "c:dl:vtVh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': daemon_mode = true; break;
		case 'l': logfile = optarg; break;
		case 'v': lvl = SSTP_LOG_DEBUG; break;
		case 't': test = true; break;
		case 'V': printf("sstpd %s\n", SSTP_PKG_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return 1;
	}
	if (config_load(config, &cfg, err, sizeof(err))) {
		fprintf(stderr, "sstpd: %s: %s\n", config, err);
		return 1;
	}
	if (test) {
		printf("sstpd: %s: configuration OK\n", config);
		return 0;
	}
	sstp_log_init("sstpd", !daemon_mode || logfile, lvl);
	if (logfile && (ret = sstp_log_file(logfile))) {
		fprintf(stderr, "sstpd: cannot open log file %s: %s\n", logfile,
			strerror(-ret));
		return 1;
	}
	if (daemon_mode && (ret = daemonize(&notify_fd))) {
		fprintf(stderr, "sstpd: cannot detach: %s\n", strerror(-ret));
		return 1;
	}
	ret = gateway_init(&gw, &cfg);
	if (ret) {
		log_err("gateway not started");
		gateway_destroy(&gw);
		notify(notify_fd, 1);
		return 2;
	}
	notify(notify_fd, 0);
	ret = gateway_run(&gw);
	gateway_destroy(&gw);
	log_notice("stopped");
	return ret ? 2 : 0;
}
