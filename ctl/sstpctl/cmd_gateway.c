// SPDX-License-Identifier: GPL-2.0
/*
 * sstpctl up, down, show, revoke, unrevoke, revoked, root: the gateway
 * through its control socket.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/config.h"
#include "ipc/ctl_client.h"
#include "trust/issue.h"
#include "trust/thumbprint.h"
#include "cmd.h"

bool cmd_json;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define MAX_FIELDS 32

static const char *conf_dir(char *buf, size_t len)
{
	const char *d = getenv("SSTP_CONFDIR");

	if (d && *d)
		return d;
	snprintf(buf, len, "%s/sstp", SYSCONFDIR);
	return buf;
}

static int split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = 0;
	}
	return n;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static const char *human_bytes(unsigned long long b, char *out, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	int i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(out, len, i ? "%.2f %s" : "%.0f %s", v, u[i]);
	return out;
}

static const char *human_time(unsigned long long s, char *out, size_t len)
{
	if (s >= 86400)
		snprintf(out, len, "%llud %lluh", s / 86400, s % 86400 / 3600);
	else if (s >= 3600)
		snprintf(out, len, "%lluh %llum", s / 3600, s % 3600 / 60);
	else if (s >= 60)
		snprintf(out, len, "%llum %llus", s / 60, s % 60);
	else
		snprintf(out, len, "%llus", s);
	return out;
}

static int daemon_error(const char *ifname, int err)
{
	if (err == -ENOENT || err == -ECONNREFUSED)
		fprintf(stderr, "sstpctl: no gateway is running for %s\n",
			ifname);
	else
		fprintf(stderr, "sstpctl: %s: %s\n", ifname, strerror(-err));
	return EXIT_FAIL;
}

/*
 * dump format, one record a line, tab-separated:
 *   gateway IFACE SESSIONS MAX POOL ADDRESS ROOTS UPTIME ACCEPTED
 *           ESTABLISHED REFUSED OVER_LIMIT KERNEL_IFACE|- KERNEL_SESSIONS
 *   session ID PEER ADDRESS STATE PATH SUBJECT SHA1 RX_BYTES TX_BYTES
 *           RX_PACKETS TX_PACKETS UPTIME DROPS KERNEL_ID|- [the module's
 *           counters, in kernel_names order]
 */
static const char *const kernel_names[] = {
	"rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_ctrl_packets",
	"tx_ctrl_packets", "echo_packets", "rx_drop_rpf", "rx_drop_invalid",
	"rx_drop_ctrl", "tx_drop_queue", "tx_drop_invalid",
};
#define N_KERNEL (int)(sizeof(kernel_names) / sizeof(kernel_names[0]))

static bool has_kernel(char **f, int n)
{
	return n >= 15 + N_KERNEL && strcmp(f[14], "-");
}

static void print_kernel(char **f, int n, bool json)
{
	int i;

	if (json) {
		printf(",\"kernel\":");
		if (!has_kernel(f, n)) {
			printf("null");
			return;
		}
		printf("{\"id\":%s", f[14]);
		for (i = 0; i < N_KERNEL; i++)
			printf(",\"%s\":%s", kernel_names[i], f[15 + i]);
		printf("}");
		return;
	}
	if (!has_kernel(f, n))
		return;
	printf("  kernel session %s:", f[14]);
	for (i = 0; i < N_KERNEL; i++)
		printf("%s %s %s", i == 6 ? "\n   " : i ? "," : "", f[15 + i],
		       kernel_names[i]);
	printf("\n");
}
/*
 * "limits" fields are key=value numbers: JSON "limits":{...}, or one line
 * in text.
 */
static void print_limits(char **f, int n, bool json)
{
	int i;

	printf(json ? ",\"limits\":{" : "\nlimits:");
	for (i = 1; i < n; i++) {
		char *eq = strchr(f[i], '=');

		if (!eq)
			continue;
		*eq = 0;
		if (json)
			printf("%s\"%s\":%s", i > 1 ? "," : "", f[i], eq + 1);
		else
			printf("%s %s %s", i > 1 ? "," : "", f[i], eq + 1);
	}
	printf(json ? "}" : "\n");
}

static void print_show(char *dump, bool json)
{
	char *line, *save = NULL, *f[MAX_FIELDS], *lf[MAX_FIELDS];
	char *limits = NULL;
	int nlimits = 0;
	bool first_session = true;
	char b1[32], b2[32], t[32];
	int n;

	for (line = strtok_r(dump, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		n = split(line, f, MAX_FIELDS);
		if (!strcmp(f[0], "gateway") && n >= 12) {
			if (json) {
				printf("{\"interface\":");
				json_str(f[1]);
				printf(",\"sessions_active\":%s,\"max_sessions\":%s,"
				       "\"pool\":\"%s\",\"address\":\"%s\","
				       "\"roots\":%s,\"uptime\":%s,\"accepted\":%s,"
				       "\"established\":%s,\"refused\":%s,"
				       "\"over_limit\":%s,\"kernel_interface\":",
				       f[2], f[3], f[4], f[5], f[6], f[7], f[8],
				       f[9], f[10], f[11]);
				if (n >= 14 && strcmp(f[12], "-"))
					json_str(f[12]);
				else
					printf("null");
				printf(",\"kernel_sessions\":%s,\"sessions\":[",
				       n >= 14 ? f[13] : "0");
			} else {
				printf("gateway: %s\n  pool: %s (gateway %s)\n"
				       "  sessions: %s of %s, trusted roots: %s, up %s\n"
				       "  connections: %s accepted, %s established, "
				       "%s refused, %s over limits\n",
				       f[1], f[4], f[5], f[2], f[3], f[6],
				       human_time(strtoull(f[7], NULL, 10), t,
						  sizeof(t)),
				       f[8], f[9], f[10], f[11]);
				if (n >= 14 && strcmp(f[12], "-"))
					printf("  kernel data path: %s, %s session(s)\n",
					       f[12], f[13]);
				else
					printf("  kernel data path: off\n");
			}
		} else if (!strcmp(f[0], "session") && n >= 14) {
			if (json) {
				printf("%s{\"id\":%s,\"peer\":", first_session ?
				       "" : ",", f[1]);
				json_str(f[2]);
				printf(",\"address\":");
				if (strcmp(f[3], "-"))
					json_str(f[3]);
				else
					printf("null");
				printf(",\"state\":\"%s\",\"path\":\"%s\","
				       "\"subject\":", f[4], f[5]);
				json_str(f[6]);
				printf(",\"thumbprint\":\"%s\",\"rx_bytes\":%s,"
				       "\"tx_bytes\":%s,\"rx_packets\":%s,"
				       "\"tx_packets\":%s,\"uptime\":%s,"
				       "\"dropped\":%s",
				       f[7], f[8], f[9], f[10], f[11], f[12],
				       f[13]);
				print_kernel(f, n, true);
				printf("}");
			} else {
				printf("\nsession %s\n  client: %s (SHA1 %s)\n"
				       "  address: %s  from %s\n"
				       "  state: %s, data path: %s, up %s\n"
				       "  transfer: %s received, %s sent, %s dropped\n",
				       f[1], f[6], f[7], f[3], f[2], f[4], f[5],
				       human_time(strtoull(f[12], NULL, 10), t,
						  sizeof(t)),
				       human_bytes(strtoull(f[8], NULL, 10), b1,
						   sizeof(b1)),
				       human_bytes(strtoull(f[9], NULL, 10), b2,
						   sizeof(b2)), f[13]);
				print_kernel(f, n, false);
			}
			first_session = false;
		} else if (!strcmp(f[0], "limits")) {
			limits = line;
			nlimits = n;
			memcpy(lf, f, sizeof(lf));
		}
	}
	if (json)
		printf("]");
	if (limits)
		print_limits(lf, nlimits, json);
	if (json)
		printf("}\n");
}

int cmd_show_main(int argc, char **argv)
{
	const char *ifname = "sstp0";
	bool json = cmd_json, dump = false;
	char *ans;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "dump"))
			dump = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: sstpctl show [IFACE] [dump] [-j]\n");
			return EXIT_OK;
		} else if (argv[i][0] != '-' && i == 1)
			ifname = argv[i];
		else {
			fprintf(stderr, "Usage: sstpctl show [IFACE] [dump] [-j]\n");
			return EXIT_USAGE;
		}
	}
	ret = ctl_request(ifname, "dump", &ans);
	if (ret)
		return daemon_error(ifname, ret);
	/* The daemon refused the connection (busy, not root). */
	if (!strncmp(ans, "error\t", 6)) {
		fprintf(stderr, "sstpctl: show: %s: %s", ifname, ans + 6);
		free(ans);
		return EXIT_FAIL;
	}
	if (dump)
		fputs(ans, stdout);
	else
		print_show(ans, json);
	free(ans);
	return EXIT_OK;
}

/*
 * "VERB THUMBPRINT" to the daemon, the thumbprint read as everywhere else
 * (pki_thumbprint_normalise: pasted from Windows' dialog too) into norm.
 * -1 with its "ok..." answer in *ans (the caller frees it), or the exit
 * status after saying what went wrong.
 */
static int thumb_request(const char *ifname, const char *verb,
			 const char *thumb, char norm[65], char **ans)
{
	char req[128];
	int ret;

	if (pki_thumbprint_normalise(thumb, norm) < 0) {
		fprintf(stderr,
			"sstpctl: %s: not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint\n",
			verb);
		return EXIT_USAGE;
	}
	snprintf(req, sizeof(req), "%s %s", verb, norm);
	ret = ctl_request(ifname, req, ans);
	if (ret)
		return daemon_error(ifname, ret);
	if (strncmp(*ans, "ok", 2)) {
		fprintf(stderr, "sstpctl: %s: %s", verb,
			strchr(*ans, '\t') ? strchr(*ans, '\t') + 1 : *ans);
		free(*ans);
		return EXIT_FAIL;
	}
	return -1;
}

int cmd_revoke_main(int argc, char **argv)
{
	const char *ifname = "sstp0", *thumb;
	char norm[65], *ans;
	int ret;

	if (argc == 3) {
		ifname = argv[1];
		thumb = argv[2];
	} else if (argc == 2) {
		thumb = argv[1];
	} else {
		fprintf(stderr, "Usage: sstpctl revoke [IFACE] THUMBPRINT\n");
		return EXIT_USAGE;
	}
	ret = thumb_request(ifname, "revoke", thumb, norm, &ans);
	if (ret >= 0)
		return ret;
	if (cmd_json) {
		printf("{\"revoked\":");
		json_str(norm);
		printf(",\"sessions_ended\":%d}\n", atoi(ans + 3));
	}
	else
		printf("revoked %s; %d live session(s) ended\n", norm,
		       atoi(ans + 3));
	free(ans);
	return EXIT_OK;
}

int cmd_unrevoke_main(int argc, char **argv)
{
	const char *ifname = "sstp0", *thumb;
	char norm[65], *ans;
	int ret;

	if (argc == 3) {
		ifname = argv[1];
		thumb = argv[2];
	} else if (argc == 2 && strcmp(argv[1], "-h") &&
		   strcmp(argv[1], "--help")) {
		thumb = argv[1];
	} else {
		fprintf(argc == 2 ? stdout : stderr,
			"Usage: sstpctl unrevoke [IFACE] THUMBPRINT\n");
		return argc == 2 ? EXIT_OK : EXIT_USAGE;
	}
	ret = thumb_request(ifname, "unrevoke", thumb, norm, &ans);
	if (ret >= 0)
		return ret;
	if (cmd_json) {
		printf("{\"unrevoked\":");
		json_str(norm);
		printf("}\n");
	} else
		printf("revocation of %s withdrawn\n", norm);
	free(ans);
	return EXIT_OK;
}

/* sstpctl revoked: the revoked thumbprints and the file that keeps them. */
int cmd_revoked_main(int argc, char **argv)
{
	const char *ifname = "sstp0";
	bool json = cmd_json, first = true;
	char *ans, *line, *save = NULL, *f[MAX_FIELDS];
	int i, ret, n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: sstpctl revoked [IFACE] [-j]\n");
			return EXIT_OK;
		} else if (argv[i][0] != '-' && i == 1) {
			ifname = argv[i];
		} else {
			fprintf(stderr, "Usage: sstpctl revoked [IFACE] [-j]\n");
			return EXIT_USAGE;
		}
	}
	ret = ctl_request(ifname, "revoked", &ans);
	if (ret)
		return daemon_error(ifname, ret);
	if (!strncmp(ans, "error", 5)) {
		fprintf(stderr, "sstpctl: revoked: %s",
			strchr(ans, '\t') ? strchr(ans, '\t') + 1 : ans);
		free(ans);
		return EXIT_FAIL;
	}
	for (line = strtok_r(ans, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		n = split(line, f, MAX_FIELDS);
		if (!strcmp(f[0], "file") && n >= 2) {
			if (json) {
				printf("{\"file\":");
				json_str(f[1]);
				printf(",\"revoked\":[");
			} else {
				printf("revoked file: %s\n", f[1]);
			}
		} else if (!strcmp(f[0], "revoked") && n >= 3) {
			if (json)
				printf("%s{\"thumbprint\":\"%s\",\"source\":\"%s\"}",
				       first ? "" : ",", f[1], f[2]);
			else
				printf("%s  (%s)\n", f[1], f[2]);
			first = false;
		}
	}
	if (json)
		printf("]}\n");
	free(ans);
	return EXIT_OK;
}

static int root_usage(FILE *f)
{
	fprintf(f, "Usage: sstpctl root list [IFACE]\n"
		   "       sstpctl root add [IFACE] FILE\n"
		   "       sstpctl root remove [IFACE] THUMBPRINT\n");
	return f == stdout ? EXIT_OK : EXIT_USAGE;
}

/* sstpctl root: the trusted roots of a running gateway, changed live. */
int cmd_root_main(int argc, char **argv)
{
	const char *ifname = "sstp0", *verb, *arg = NULL;
	char req[PATH_MAX + 16], abspath[PATH_MAX], norm[65], *ans, *line;
	char *save = NULL;
	bool first = true;
	int ret;

	if (argc < 2)
		return root_usage(stderr);
	verb = argv[1];
	if (!strcmp(verb, "-h") || !strcmp(verb, "--help") ||
	    !strcmp(verb, "help"))
		return root_usage(stdout);
	if (!strcmp(verb, "list")) {
		if (argc > 3)
			return root_usage(stderr);
		if (argc == 3)
			ifname = argv[2];
		snprintf(req, sizeof(req), "roots");
	} else if (!strcmp(verb, "add") || !strcmp(verb, "remove")) {
		if (argc == 4) {
			ifname = argv[2];
			arg = argv[3];
		} else if (argc == 3) {
			arg = argv[2];
		} else {
			return root_usage(stderr);
		}
		if (!strcmp(verb, "add")) {
			if (!realpath(arg, abspath)) {
				fprintf(stderr, "sstpctl: root add: %s: %s\n", arg,
					strerror(errno));
				return EXIT_FAIL;
			}
			snprintf(req, sizeof(req), "root-add %s", abspath);
		} else if (pki_thumbprint_normalise(arg, norm) < 0) {
			fprintf(stderr,
				"sstpctl: root remove: not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint\n");
			return EXIT_USAGE;
		} else {
			snprintf(req, sizeof(req), "root-del %s", norm);
		}
	} else {
		return root_usage(stderr);
	}
	ret = ctl_request(ifname, req, &ans);
	if (ret)
		return daemon_error(ifname, ret);
	if (!strncmp(ans, "error\t", 6)) {
		fprintf(stderr, "sstpctl: root %s: %s", verb, ans + 6);
		free(ans);
		return EXIT_FAIL;
	}
	if (arg) {
		int n = atoi(ans + 3);

		if (cmd_json)
			printf("{\"%s\":%d}\n", !strcmp(verb, "add") ?
			       "added" : "sessions_ended", n);
		else if (!strcmp(verb, "add"))
			printf("%d root(s) trusted\n", n);
		else
			printf("root removed; %d live session(s) ended\n", n);
		free(ans);
		return EXIT_OK;
	}
	if (cmd_json)
		printf("[");
	for (line = strtok_r(ans, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[MAX_FIELDS];

		if (split(line, f, MAX_FIELDS) < 4 || strcmp(f[0], "root"))
			continue;
		if (cmd_json) {
			printf("%s{\"thumbprint\":\"%s\",\"subject\":",
			       first ? "" : ",", f[1]);
			json_str(f[2]);
			printf(",\"sessions\":%s}", f[3]);
		} else {
			printf("%s  %s  (%s sessions)\n", f[1], f[2], f[3]);
		}
		first = false;
	}
	if (cmd_json)
		printf("]\n");
	free(ans);
	return EXIT_OK;
}

static int wait_gone(const char *ifname)
{
	int i;

	for (i = 0; i < 100; i++) {
		char *ans;

		if (ctl_request(ifname, "dump", &ans))
			return 0;
		free(ans);
		usleep(100000);
	}
	return -ETIMEDOUT;
}

int cmd_down_main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "sstp0";
	char *ans;
	int ret;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "Usage: sstpctl down [IFACE]\n");
		return EXIT_USAGE;
	}
	ret = ctl_request(ifname, "stop", &ans);
	if (ret)
		return daemon_error(ifname, ret);
	free(ans);
	if (wait_gone(ifname)) {
		fprintf(stderr, "sstpctl: %s did not stop within 10 s\n", ifname);
		return EXIT_FAIL;
	}
	printf("%s is down\n", ifname);
	return EXIT_OK;
}

static int write_demo_config(const char *dir, const char *path,
			     const char *name)
{
	char pki_dir[PATH_MAX], err[512];
	FILE *f;
	int ret;

	snprintf(pki_dir, sizeof(pki_dir), "%s/demo", dir);
	mkdir(dir, 0755);
	ret = pki_demo_generate(pki_dir, name, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "sstpctl: up: %s\n", err);
		return ret;
	}
	f = fopen(path, "wx");
	if (!f) {
		fprintf(stderr, "sstpctl: up: cannot write %s: %s\n", path,
			strerror(errno));
		return -errno;
	}
	fchmod(fileno(f), 0600);
	fprintf(f,
		"# Demo gateway generated by `sstpctl up` (see sstpd.conf(5)).\n"
		"[Gateway]\n"
		"Listen = 0.0.0.0:443\n"
		"Interface = sstp0\n"
		"Certificate = %s/server.crt\n"
		"PrivateKey = %s/server.key\n"
		"\n[Clients]\n"
		"RootCertificates = %s/roots\n"
		"\n[Network]\n"
		"Pool = 172.16.201.0/24\n"
		"MTU = 1400\n", pki_dir, pki_dir, pki_dir);
	fclose(f);
	printf("generated a demo configuration in %s\n"
	       "  gateway name: %s (server certificate %s/server.crt)\n"
	       "  client: %s/client.crt, %s/client.key, %s/client.p12\n"
	       "    (for Windows; its password is in %s/client.p12.password)\n"
	       "  connect from Linux:\n"
	       "    sstpctl connect %s --name %s --ca %s/roots/root.crt \\\n"
	       "        --cert %s/client.crt --key %s/client.key\n",
	       path, name, pki_dir, pki_dir, pki_dir, pki_dir, pki_dir, name,
	       name, pki_dir, pki_dir, pki_dir);
	return 0;
}

/*
 * The log directory: created 0700 (the logs name clients). Our own
 * /var/log/sstp is tightened to 0700 if an older version left it open; a
 * directory given with SSTP_LOGDIR may be shared and is left as it is.
 */
static void log_dir_prepare(const char *dir, bool ours)
{
	struct stat st;

	if (!mkdir(dir, 0700) || !ours)
		return;
	if (!lstat(dir, &st) && S_ISDIR(st.st_mode) &&
	    st.st_uid == geteuid() && (st.st_mode & 077) && chmod(dir, 0700))
		fprintf(stderr, "sstpctl: up: cannot chmod 700 %s: %s\n", dir,
			strerror(errno));
}

static const char *sstpd_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			*slash = 0;
			snprintf(buf, len, "%s/sstpd", self);
			if (!access(buf, X_OK))
				return buf;
		}
	}
	return "sstpd";
}

int cmd_up_main(int argc, char **argv)
{
	char dirbuf[PATH_MAX], path[PATH_MAX], sstpd[PATH_MAX], err[1024];
	char logdir[PATH_MAX], logfile[PATH_MAX + 32], host[256] = "localhost";
	const char *name = NULL, *config = NULL, *dir;
	static struct sstp_config cfg;
	int i, status;
	char *ans;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: sstpctl up [CONFIG] [--name GATEWAY_NAME]\n");
			return EXIT_OK;
		} else if (argv[i][0] != '-' && !config) {
			config = argv[i];
		} else {
			fprintf(stderr, "Usage: sstpctl up [CONFIG] [--name GATEWAY_NAME]\n");
			return EXIT_USAGE;
		}
	}
	dir = conf_dir(dirbuf, sizeof(dirbuf));
	if (!config) {
		snprintf(path, sizeof(path), "%s/sstpd.conf", dir);
		config = path;
		if (access(path, F_OK)) {
			if (!name) {
				gethostname(host, sizeof(host) - 1);
				name = host;
			}
			if (write_demo_config(dir, path, name))
				return EXIT_FAIL;
		}
	}
	if (config_load(config, &cfg, err, sizeof(err))) {
		fprintf(stderr, "sstpctl: up: %s: %s\n", config, err);
		return EXIT_FAIL;
	}
	if (!ctl_request(cfg.interface, "dump", &ans)) {
		free(ans);
		fprintf(stderr, "sstpctl: up: a gateway is already running for %s\n",
			cfg.interface);
		return EXIT_FAIL;
	}
	snprintf(logdir, sizeof(logdir), "%s",
		 getenv("SSTP_LOGDIR") ? getenv("SSTP_LOGDIR") : "/var/log/sstp");
	log_dir_prepare(logdir, !getenv("SSTP_LOGDIR"));
	snprintf(logfile, sizeof(logfile), "%s/%s.log", logdir, cfg.interface);
	pid = fork();
	if (pid < 0)
		return EXIT_FAIL;
	if (pid == 0) {
		execlp(sstpd_path(sstpd, sizeof(sstpd)), "sstpd", "-c", config,
		       "--daemon", "--log-file", logfile, (char *)NULL);
		fprintf(stderr, "sstpctl: up: cannot run sstpd: %s\n",
			strerror(errno));
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "sstpctl: up: sstpd did not start; see %s\n",
			logfile);
		return EXIT_FAIL;
	}
	if (!cmd_json)
		printf("%s is up (log: %s)\n", cfg.interface, logfile);
	{
		char *show_argv[] = { "show", cfg.interface, NULL };

		return cmd_show_main(2, show_argv);
	}
}
