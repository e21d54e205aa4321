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
#include "ipc/ctl_proto.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "trust/thumbprint.h"
#include "cmd.h"
#include "print.h"

bool cmd_json;

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const char *conf_dir(char *buf, size_t len)
{
	const char *d = getenv("SSTP_CONFDIR");

	if (d && *d)
		return d;
	snprintf(buf, len, "%s/sstp", SYSCONFDIR);
	return buf;
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

static int usage_error(const char *usage)
{
	fprintf(stderr, "%s\n", usage);
	if (cmd_json)
		print_failure(EINVAL, "usage: %s", usage + 7);
	return EXIT_USAGE;
}

/*
 * One request to the gateway serving ifname. 0 with its answer in ans (the
 * caller frees it), or the exit status after saying what went wrong:
 * "sstpctl: <what>: <the daemon's reason>" for a refusal.
 */
static int call(const char *ifname, struct ctl_request *req,
		struct ctl_answer *ans, const char *what)
{
	char err[512];
	int ret;

	req->protocol = CTL_PROTOCOL;
	ret = ctl_call(ifname, req, ans, err, sizeof(err));
	if (ret) {
		print_failure(-ret, "%s", err);
		return EXIT_FAIL;
	}
	if (ans->status.err) {
		print_failure((int)ans->status.err, "%s: %s", what,
			    ans->status.error[0] ? ans->status.error :
			    strerror((int)ans->status.err));
		ctl_answer_free(ans);
		return EXIT_FAIL;
	}
	return 0;
}

/* A request with just a command; 0 if the daemon answered it. */
static int call_simple(const char *ifname, const char *command)
{
	struct ctl_request req = { .protocol = CTL_PROTOCOL };
	struct ctl_answer ans;
	char err[256];
	int ret;

	snprintf(req.command, sizeof(req.command), "%s", command);
	ret = ctl_call(ifname, &req, &ans, err, sizeof(err));
	if (!ret)
		ctl_answer_free(&ans);
	return ret;
}

/*
 * show dump: one tab-separated line per object, the fields in their
 * tables' order (ipc/ctl_proto.c), "-" for one not set:
 *   gateway IFACE SESSIONS MAX POOL ADDRESS ROOTS UPTIME ACCEPTED
 *           ESTABLISHED REFUSED OVER_LIMIT KERNEL_IFACE|- KERNEL_SESSIONS
 *   session ID PEER ADDRESS STATE PATH SUBJECT SHA1 RX_BYTES TX_BYTES
 *           RX_PACKETS TX_PACKETS UPTIME DROPS KERNEL_ID|- [the module's
 *           counters, in the kernel table's order]
 *   limits  name=value ...
 */
static void dump_value(const struct ctl_field *fl, const void *st)
{
	char buf[48];
	const char *s = ctl_field_str(fl, st, buf, sizeof(buf));

	if ((fl->flags & CTL_F_OPT) && (!*s || (fl->type != CTL_T_STR &&
						!ctl_field_u64(fl, st)))) {
		fputs("-", stdout);
		return;
	}
	for (; *s; s++)
		putchar(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void dump_fields(const char *what, const struct ctl_object *o,
			const void *st, unsigned int from, bool named)
{
	unsigned int i;

	if (what)
		fputs(what, stdout);
	for (i = from; i < o->nfields; i++) {
		putchar('\t');
		if (named)
			printf("%s=", o->fields[i].name);
		dump_value(&o->fields[i], st);
	}
}

static void print_dump(const struct ctl_answer *a)
{
	size_t i;

	if (a->has_gateway) {
		dump_fields("gateway", &ctl_gateway_obj, &a->gateway, 0, false);
		putchar('\n');
	}
	for (i = 0; i < a->nsessions; i++) {
		const struct ctl_session *s = &a->sessions[i];

		dump_fields("session", &ctl_session_obj, s, 0, false);
		if (s->kernel.id)
			dump_fields(NULL, &ctl_kernel_obj, &s->kernel, 0,
				    false);
		else
			fputs("\t-", stdout);
		putchar('\n');
	}
	if (a->has_limits) {
		dump_fields("limits", &ctl_limits_obj, &a->limits, 0, true);
		putchar('\n');
	}
}

/* The module's counters of a kernel session: "kernel": {...} or null. */
static void print_kernel(const struct sstpnl_stats *k)
{
	char buf[48];
	unsigned int i;

	if (!k->id) {
		print_null(PRINT_JSON, "kernel", NULL, NULL);
		return;
	}
	if (print_json()) {
		print_json_fields("kernel", &ctl_kernel_obj, k);
		return;
	}
	printf("  kernel session %u:", k->id);
	for (i = 1; i < ctl_kernel_obj.nfields; i++) {
		const struct ctl_field *fl = &ctl_kernel_obj.fields[i];

		printf("%s %s %s", i == 7 ? "\n   " : i > 1 ? "," : "",
		       ctl_field_str(fl, k, buf, sizeof(buf)), fl->name);
	}
	printf("\n");
}

/* "limits": {...}, or one line in text: "name value, ...". */
static void print_limits(const struct ctl_limits *l)
{
	char buf[48];
	unsigned int i;

	if (print_json()) {
		print_json_fields("limits", &ctl_limits_obj, l);
		return;
	}
	printf("\nlimits:");
	for (i = 0; i < ctl_limits_obj.nfields; i++) {
		const struct ctl_field *fl = &ctl_limits_obj.fields[i];

		printf("%s %s %s", i ? "," : "", fl->name,
		       ctl_field_str(fl, l, buf, sizeof(buf)));
	}
	printf("\n");
}

static void print_session(const struct ctl_session *s)
{
	const struct ctl_object *o = &ctl_session_obj;
	char b[32];

	open_json_object(NULL);
	print_uint(PRINT_ANY, "id", "\nsession %llu\n", s->id);
	print_field(PRINT_ANY, o, "subject", "  client: %s", s);
	print_field(PRINT_ANY, o, "thumbprint", " (SHA1 %s)\n", s);
	print_field(PRINT_ANY, o, "address", "  address: %s", s);
	print_field(PRINT_ANY, o, "peer", "  from %s\n", s);
	print_field(PRINT_ANY, o, "state", "  state: %s", s);
	print_field(PRINT_ANY, o, "path", ", data path: %s", s);
	print_uint(PRINT_JSON, "uptime", NULL, s->uptime);
	print_string(PRINT_FP, NULL, ", up %s\n",
		     human_time(s->uptime, b, sizeof(b)));
	print_uint(PRINT_JSON, "rx_bytes", NULL, s->rx_bytes);
	print_string(PRINT_FP, NULL, "  transfer: %s received",
		     human_bytes(s->rx_bytes, b, sizeof(b)));
	print_uint(PRINT_JSON, "tx_bytes", NULL, s->tx_bytes);
	print_string(PRINT_FP, NULL, ", %s sent",
		     human_bytes(s->tx_bytes, b, sizeof(b)));
	print_uint(PRINT_JSON, "rx_packets", NULL, s->rx_packets);
	print_uint(PRINT_JSON, "tx_packets", NULL, s->tx_packets);
	print_uint(PRINT_ANY, "dropped", ", %llu dropped", s->dropped);
	print_uint(PRINT_ANY, "worker", ", worker %llu\n", s->worker);
	print_kernel(&s->kernel);
	close_json_object();
}

/* The TUN device's offloads: "offload": {"tso4": ..., "why": ...}. */
static void print_offload(const struct ctl_gateway *g)
{
	open_json_object("offload");
	print_string(PRINT_FP, NULL, "  TUN offloads:%s",
		     g->offload_csum ? "" : " off");
	print_bool(PRINT_JSON, "tso4", NULL, g->offload_tso4);
	print_bool(PRINT_JSON, "tso6", NULL, g->offload_tso6);
	print_bool(PRINT_JSON, "uso4", NULL, g->offload_uso4);
	print_bool(PRINT_JSON, "uso6", NULL, g->offload_uso6);
	print_bool(PRINT_JSON, "csum", NULL, g->offload_csum);
	if (g->offload_csum)
		print_string(PRINT_FP, NULL, " csum%s", "");
	print_string(PRINT_FP, NULL, "%s", g->offload_tso4 ? " tso4" : "");
	print_string(PRINT_FP, NULL, "%s", g->offload_tso6 ? " tso6" : "");
	print_string(PRINT_FP, NULL, "%s", g->offload_uso4 ? " uso4" : "");
	print_string(PRINT_FP, NULL, "%s", g->offload_uso6 ? " uso6" : "");
	print_string(PRINT_JSON, "why", NULL, g->offload_why);
	if (g->offload_why[0])
		print_string(PRINT_FP, NULL, " (%s)", g->offload_why);
	print_string(PRINT_FP, NULL, "%s", "\n");
	/* What they save: packets per TUN system call, each way. */
	print_uint(PRINT_ANY, "reads", "    TUN: %llu reads", g->tun_reads);
	print_uint(PRINT_ANY, "rx_packets", " gave %llu packets",
		   g->tun_rx_packets);
	print_uint(PRINT_ANY, "tx_packets", ", %llu packets", g->tun_tx_packets);
	print_uint(PRINT_ANY, "writes", " went in %llu writes\n",
		   g->tun_writes);
	close_json_object();
}

static void print_show(const struct ctl_answer *a)
{
	const struct ctl_object *o = &ctl_gateway_obj;
	const struct ctl_gateway *g = &a->gateway;
	char t[32];
	size_t i;

	open_json_object(NULL);
	if (a->has_gateway) {
		print_field(PRINT_ANY, o, "interface", "gateway: %s\n", g);
		print_field(PRINT_ANY, o, "pool", "  pool: %s", g);
		print_field(PRINT_ANY, o, "address", " (gateway %s)\n", g);
		print_uint(PRINT_ANY, "sessions_active", "  sessions: %llu",
			   g->sessions_active);
		print_uint(PRINT_ANY, "max_sessions", " of %llu",
			   g->max_sessions);
		print_uint(PRINT_ANY, "roots", ", trusted roots: %llu",
			   g->roots);
		print_uint(PRINT_JSON, "uptime", NULL, g->uptime);
		print_string(PRINT_FP, NULL, ", up %s\n",
			     human_time(g->uptime, t, sizeof(t)));
		print_uint(PRINT_ANY, "accepted",
			   "  connections: %llu accepted", g->accepted);
		print_uint(PRINT_ANY, "established", ", %llu established",
			   g->established);
		print_uint(PRINT_ANY, "refused", ", %llu refused", g->refused);
		print_uint(PRINT_ANY, "over_limit", ", %llu over limits\n",
			   g->over_limit);
		if (g->kernel_interface[0])
			print_string(PRINT_ANY, "kernel_interface",
				     "  kernel data path: %s",
				     g->kernel_interface);
		else
			print_null(PRINT_ANY, "kernel_interface",
				   "  kernel data path: %s\n", "off");
		print_uint(g->kernel_interface[0] ? PRINT_ANY : PRINT_JSON,
			   "kernel_sessions", ", %llu session(s)\n",
			   g->kernel_sessions);
		print_offload(g);
		print_uint(PRINT_ANY, "workers", "  workers: %llu",
			   g->workers);
		print_uint(PRINT_ANY, "handoff", ", TUN packets handed over %llu",
			   g->handoff);
		print_uint(PRINT_ANY, "handoff_dropped", ", dropped %llu\n",
			   g->handoff_dropped);
	}
	open_json_array("sessions");
	for (i = 0; i < a->nsessions; i++)
		print_session(&a->sessions[i]);
	close_json_array();
	if (a->has_limits)
		print_limits(&a->limits);
	close_json_object();
	print_end();
}

int cmd_show_main(int argc, char **argv)
{
	static const char usage[] = "Usage: sstpctl show [IFACE] [dump] [-j]";
	struct ctl_request req = { .command = "dump" };
	const char *ifname = "sstp0";
	struct ctl_answer ans;
	bool dump = false;
	char what[64];
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json"))
			cmd_json = true;
		else if (!strcmp(argv[i], "dump"))
			dump = true;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", usage);
			return EXIT_OK;
		} else if (argv[i][0] != '-' && i == 1)
			ifname = argv[i];
		else
			return usage_error(usage);
	}
	print_start(cmd_json && !dump);
	snprintf(what, sizeof(what), "show: %s", ifname);
	ret = call(ifname, &req, &ans, what);
	if (ret)
		return ret;
	if (dump)
		print_dump(&ans);
	else
		print_show(&ans);
	ctl_answer_free(&ans);
	return EXIT_OK;
}

/*
 * A thumbprint as typed or pasted (Windows' dialog too), read the one way
 * everything reads it (pki_thumbprint_normalise) into norm: 0, or the exit
 * status after saying what is wrong with it.
 */
static int thumb_read(const char *verb, const char *thumb, char norm[65])
{
	if (pki_thumbprint_normalise(thumb, norm) < 0) {
		print_failure(EINVAL, "%s: not a SHA-1 (40 hex digits) or SHA-256 (64 hex digits) thumbprint",
			      verb);
		return EXIT_USAGE;
	}
	return 0;
}

/*
 * "command thumbprint=" to the daemon, the thumbprint normalised into norm:
 * 0 with its answer in *ans (the caller frees it), or the exit status after
 * saying what went wrong.
 */
static int thumb_request(const char *ifname, const char *command,
			 const char *verb, const char *thumb, char norm[65],
			 struct ctl_answer *ans)
{
	struct ctl_request req = { 0 };
	int ret = thumb_read(verb, thumb, norm);

	if (ret)
		return ret;
	snprintf(req.command, sizeof(req.command), "%s", command);
	snprintf(req.thumbprint, sizeof(req.thumbprint), "%s", norm);
	return call(ifname, &req, ans, verb);
}

int cmd_revoke_main(int argc, char **argv)
{
	const char *ifname = "sstp0", *thumb;
	struct ctl_answer ans;
	char norm[65];
	int ret;

	print_start(cmd_json);
	if (argc == 3) {
		ifname = argv[1];
		thumb = argv[2];
	} else if (argc == 2) {
		thumb = argv[1];
	} else {
		return usage_error("Usage: sstpctl revoke [IFACE] THUMBPRINT");
	}
	ret = thumb_request(ifname, "revoke", "revoke", thumb, norm, &ans);
	if (ret)
		return ret;
	open_json_object(NULL);
	print_string(PRINT_ANY, "revoked", "revoked %s", norm);
	print_uint(PRINT_ANY, "sessions_ended",
		   "; %llu live session(s) ended\n", ans.status.sessions_ended);
	close_json_object();
	print_end();
	ctl_answer_free(&ans);
	return EXIT_OK;
}

int cmd_unrevoke_main(int argc, char **argv)
{
	static const char usage[] = "Usage: sstpctl unrevoke [IFACE] THUMBPRINT";
	const char *ifname = "sstp0", *thumb;
	struct ctl_answer ans;
	char norm[65];
	int ret;

	print_start(cmd_json);
	if (argc == 3) {
		ifname = argv[1];
		thumb = argv[2];
	} else if (argc == 2 && strcmp(argv[1], "-h") &&
		   strcmp(argv[1], "--help")) {
		thumb = argv[1];
	} else if (argc == 2) {
		printf("%s\n", usage);
		return EXIT_OK;
	} else {
		return usage_error(usage);
	}
	ret = thumb_request(ifname, "unrevoke", "unrevoke", thumb, norm,
			    &ans);
	if (ret)
		return ret;
	open_json_object(NULL);
	print_string(PRINT_ANY, "unrevoked", "revocation of %s withdrawn\n",
		     norm);
	close_json_object();
	print_end();
	ctl_answer_free(&ans);
	return EXIT_OK;
}

/* sstpctl revoked: the revoked thumbprints and the file that keeps them. */
int cmd_revoked_main(int argc, char **argv)
{
	static const char usage[] = "Usage: sstpctl revoked [IFACE] [-j]";
	struct ctl_request req = { .command = "revoked" };
	const char *ifname = "sstp0";
	struct ctl_answer ans;
	size_t j;
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json")) {
			cmd_json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("%s\n", usage);
			return EXIT_OK;
		} else if (argv[i][0] != '-' && i == 1) {
			ifname = argv[i];
		} else {
			return usage_error(usage);
		}
	}
	print_start(cmd_json);
	ret = call(ifname, &req, &ans, "revoked");
	if (ret)
		return ret;
	open_json_object(NULL);
	print_string(PRINT_ANY, "file", "revoked file: %s\n",
		     ans.status.revoked_file);
	open_json_array("revoked");
	for (j = 0; j < ans.nrevoked; j++) {
		open_json_object(NULL);
		print_field(PRINT_ANY, &ctl_revoked_obj, "thumbprint", "%s",
			    &ans.revoked[j]);
		print_field(PRINT_ANY, &ctl_revoked_obj, "source", "  (%s)\n",
			    &ans.revoked[j]);
		close_json_object();
	}
	close_json_array();
	close_json_object();
	print_end();
	ctl_answer_free(&ans);
	return EXIT_OK;
}

static int root_usage(FILE *f)
{
	static const char usage[] = "Usage: sstpctl root list [IFACE]\n"
		"       sstpctl root add [IFACE] FILE\n"
		"       sstpctl root remove [IFACE] THUMBPRINT";

	if (f == stdout) {
		printf("%s\n", usage);
		return EXIT_OK;
	}
	return usage_error(usage);
}

/* sstpctl root: the trusted roots of a running gateway, changed live. */
int cmd_root_main(int argc, char **argv)
{
	const char *ifname = "sstp0", *verb, *arg = NULL;
	struct ctl_request req = { 0 };
	struct ctl_answer ans;
	char what[32];
	size_t j;
	int ret;

	print_start(cmd_json);
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
		snprintf(req.command, sizeof(req.command), "roots");
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
			if (!realpath(arg, req.path)) {
				print_failure(errno, "root add: %s: %s", arg,
					    strerror(errno));
				return EXIT_FAIL;
			}
			snprintf(req.command, sizeof(req.command), "root-add");
		} else {
			char norm[65];

			ret = thumb_read("root remove", arg, norm);
			if (ret)
				return ret;
			snprintf(req.command, sizeof(req.command),
				 "root-remove");
			snprintf(req.thumbprint, sizeof(req.thumbprint), "%s",
				 norm);
		}
	} else {
		return root_usage(stderr);
	}
	snprintf(what, sizeof(what), "root %s", verb);
	ret = call(ifname, &req, &ans, what);
	if (ret)
		return ret;
	if (arg) {
		open_json_object(NULL);
		if (!strcmp(verb, "add"))
			print_uint(PRINT_ANY, "added", "%llu root(s) trusted\n",
				   ans.status.added);
		else
			print_uint(PRINT_ANY, "sessions_ended",
				   "root removed; %llu live session(s) ended\n",
				   ans.status.sessions_ended);
		close_json_object();
		print_end();
		ctl_answer_free(&ans);
		return EXIT_OK;
	}
	open_json_array(NULL);
	for (j = 0; j < ans.nroots; j++) {
		open_json_object(NULL);
		print_field(PRINT_ANY, &ctl_root_obj, "thumbprint", "%s",
			    &ans.roots[j]);
		print_field(PRINT_ANY, &ctl_root_obj, "subject", "  %s",
			    &ans.roots[j]);
		print_uint(PRINT_ANY, "sessions", "  (%llu sessions)\n",
			   ans.roots[j].sessions);
		close_json_object();
	}
	close_json_array();
	print_end();
	ctl_answer_free(&ans);
	return EXIT_OK;
}

static int wait_gone(const char *ifname)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (call_simple(ifname, "dump"))
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

int cmd_down_main(int argc, char **argv)
{
	const char *ifname = argc > 1 ? argv[1] : "sstp0";
	struct ctl_request req = { .command = "stop" };
	struct ctl_answer ans;
	int ret;

	print_start(cmd_json);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		return usage_error("Usage: sstpctl down [IFACE]");
	ret = call(ifname, &req, &ans, "down");
	if (ret)
		return ret;
	ctl_answer_free(&ans);
	if (wait_gone(ifname)) {
		print_failure(ETIMEDOUT, "%s did not stop within 10 s", ifname);
		return EXIT_FAIL;
	}
	open_json_object(NULL);
	print_string(PRINT_ANY, "down", "%s is down\n", ifname);
	close_json_object();
	print_end();
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
		print_failure(-ret, "up: %s", err);
		return ret;
	}
	f = fopen(path, "wx");
	if (!f) {
		ret = -errno;
		print_failure(-ret, "up: cannot write %s: %s", path,
			      strerror(-ret));
		return ret;
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
	/* Under -j, stdout is for the JSON of show. */
	fprintf(cmd_json ? stderr : stdout,
		"generated a demo configuration in %s\n"
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
	pid_t pid;

	print_start(cmd_json);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--name") && i + 1 < argc) {
			name = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("Usage: sstpctl up [CONFIG] [--name GATEWAY_NAME]\n");
			return EXIT_OK;
		} else if (argv[i][0] != '-' && !config) {
			config = argv[i];
		} else {
			return usage_error("Usage: sstpctl up [CONFIG] [--name GATEWAY_NAME]");
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
		print_failure(EINVAL, "up: %s: %s", config, err);
		return EXIT_FAIL;
	}
	if (!call_simple(cfg.interface, "dump")) {
		print_failure(EEXIST, "up: a gateway is already running for %s",
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
		print_failure(EIO, "up: sstpd did not start; see %s", logfile);
		return EXIT_FAIL;
	}
	if (!cmd_json)
		printf("%s is up (log: %s)\n", cfg.interface, logfile);
	{
		char *show_argv[] = { "show", cfg.interface, NULL };

		return cmd_show_main(2, show_argv);
	}
}
