// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's control socket: $RUNSTATEDIR/sstp/<interface>.sock, mode
 * 0600, root only (ctl_conn.c: transport and limits). One request line per
 * connection, a text answer, then close:
 *   dump			tab-separated state (see sstpctl(8), "show dump")
 *   revoke <thumbprint>	revoke (stored first) and end the sessions it covers
 *   unrevoke <thumbprint>	withdraw a revocation made with revoke
 *   revoked			the revoked file and every revoked thumbprint
 *   roots			the trusted roots, one a line
 *   root-add <path>		trust the root certificate(s) in a PEM/DER file
 *				(copied into RootCertificates first)
 *   root-del <thumbprint>	stop trusting a root (its files rewritten
 *				first); its sessions end
 *   stop			stop the gateway
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "gateway.h"
#include "session.h"
#include "trust.h"

static void field(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, f);
}

static void ip4(FILE *f, uint32_t a)
{
	fprintf(f, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
		a & 255);
}

/* The module's counters of a kernel session, or "-". */
static void kernel_fields(FILE *f, const struct sstpnl_stats *k)
{
	if (!k->id) {
		fputs("\t-", f);
		return;
	}
	fprintf(f, "\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu",
		k->id, (unsigned long long)k->rx_packets,
		(unsigned long long)k->tx_packets,
		(unsigned long long)k->rx_bytes,
		(unsigned long long)k->tx_bytes,
		(unsigned long long)k->rx_ctrl_packets,
		(unsigned long long)k->tx_ctrl_packets,
		(unsigned long long)k->echo_packets,
		(unsigned long long)k->rx_drop_rpf,
		(unsigned long long)k->rx_drop_invalid,
		(unsigned long long)k->rx_drop_ctrl,
		(unsigned long long)k->tx_drop_queue,
		(unsigned long long)k->tx_drop_invalid);
}

struct dump_ctx {
	FILE *f;
	uint64_t now;
};

static void dump_session(struct session *s, void *arg)
{
	struct dump_ctx *d = arg;
	struct session_info si;
	FILE *f = d->f;

	session_get_info(s, d->now, &si);
	fprintf(f, "session\t%llu\t", (unsigned long long)si.id);
	field(f, si.peer);
	fputc('\t', f);
	if (si.addr)
		ip4(f, si.addr);
	else
		fputc('-', f);
	fprintf(f, "\t%s\t%s\t", si.state, si.path);
	field(f, si.subject);
	fprintf(f, "\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu", si.thumb,
		(unsigned long long)si.rx_bytes,
		(unsigned long long)si.tx_bytes,
		(unsigned long long)si.rx_packets,
		(unsigned long long)si.tx_packets,
		(unsigned long long)si.up_s,
		(unsigned long long)si.dropped);
	kernel_fields(f, &si.kernel);
	fputc('\n', f);
}

void gateway_dump(struct gateway *gw, FILE *f)
{
	struct dump_ctx d = { .f = f, .now = now_ms() };
	const struct sstp_config *c;
	struct gateway_info gi;

	gateway_get_info(gw, true, &gi);
	c = gi.cfg;
	fprintf(f, "gateway\t%s\t%u\t%u\t", gi.ifname, gi.nsessions,
		gi.max_sessions);
	ip4(f, gi.pool_addr);
	fprintf(f, "/%u\t", gi.pool_plen);
	ip4(f, gi.address);
	fprintf(f, "\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%u\n",
		gi.roots, (unsigned long long)gi.uptime_s,
		(unsigned long long)gi.ctr.accepted,
		(unsigned long long)gi.ctr.established,
		(unsigned long long)gi.ctr.refused,
		(unsigned long long)gi.ctr.over_limit,
		gi.kernel_dev ? gi.kernel_dev : "-", gi.nkernel);
	gateway_each_session(gw, dump_session, &d);
	/* The budget before authentication: limits, use, refusals by reason. */
	fprintf(f, "limits\thandshakes=%u\tmax_handshakes=%u"
		"\tmax_connections_per_source=%u\tmax_handshakes_per_source=%u"
		"\tmax_sessions_per_certificate=%u\tsources=%u"
		"\trefused_stopping=%llu\trefused_max_sessions=%llu"
		"\trefused_max_handshakes=%llu"
		"\trefused_source_connections=%llu"
		"\trefused_source_handshakes=%llu\tevicted=%llu"
		"\tup_timeouts=%llu\tcertificate_replaced=%llu\n",
		gi.nhandshakes, c->max_handshakes, c->max_conns_per_source,
		c->max_handshakes_per_source, c->max_sessions_per_cert,
		gi.sources,
		(unsigned long long)gi.ctr.refused_stopping,
		(unsigned long long)gi.ctr.refused_max_sessions,
		(unsigned long long)gi.ctr.refused_max_handshakes,
		(unsigned long long)gi.ctr.refused_source_conns,
		(unsigned long long)gi.ctr.refused_source_half,
		(unsigned long long)gi.ctr.evicted,
		(unsigned long long)gi.ctr.up_timeouts,
		(unsigned long long)gi.ctr.cert_replaced);
}

static void revoke_cmd(struct gateway *gw, const char *thumb, FILE *f)
{
	char err[512];
	int ended;

	if (trust_revoke(gw, thumb, &ended, err, sizeof(err)))
		fprintf(f, "error\t%s\n", err);
	else
		fprintf(f, "ok\t%d\n", ended);
}

static void unrevoke_cmd(struct gateway *gw, const char *thumb, FILE *f)
{
	char err[512];

	if (trust_unrevoke(gw, thumb, err, sizeof(err)))
		fprintf(f, "error\t%s\n", err);
	else
		fprintf(f, "ok\n");
}

struct root_count {
	X509 *root;
	unsigned int n;
};

static void count_root(struct session *s, void *arg)
{
	struct root_count *rc = arg;
	struct session_info si;

	session_get_info(s, now_ms(), &si);
	rc->n += si.root && !X509_cmp(si.root, rc->root);
}

static void list_roots(struct gateway *gw, FILE *f)
{
	unsigned int i;
	X509 *r;

	for (i = 0; (r = pki_root(gw->pki, i)); i++) {
		struct root_count rc = { .root = r };
		char sha1[41], subj[256];

		pki_thumbprint_sha1(r, sha1);
		pki_subject(r, subj, sizeof(subj));
		gateway_each_session(gw, count_root, &rc);
		fprintf(f, "root\t%s\t", sha1);
		field(f, subj);
		fprintf(f, "\t%u\n", rc.n);
	}
}

static void add_roots(struct gateway *gw, const char *path, FILE *f)
{
	char err[512];
	int added;

	if (trust_root_add(gw, path, &added, err, sizeof(err)))
		fprintf(f, "error\t%s\n", err);
	else
		fprintf(f, "ok\t%d\n", added);
}

static void del_root(struct gateway *gw, const char *thumb, FILE *f)
{
	char err[512];
	int ended;

	if (trust_root_remove(gw, thumb, &ended, err, sizeof(err)))
		fprintf(f, "error\t%s\n", err);
	else
		fprintf(f, "ok\t%d\n", ended);
}

/*
 * One request line (NUL-terminated, without its newline) and its answer.
 * The transport (ctl_conn.c) reads the line and writes out what lands in f.
 */
void ctl_dispatch(struct gateway *gw, char *req, FILE *f)
{
	if (!strcmp(req, "dump")) {
		gateway_dump(gw, f);
	} else if (!strncmp(req, "revoke ", 7)) {
		revoke_cmd(gw, req + 7, f);
	} else if (!strncmp(req, "unrevoke ", 9)) {
		unrevoke_cmd(gw, req + 9, f);
	} else if (!strcmp(req, "revoked")) {
		trust_list_revoked(gw, f);
	} else if (!strcmp(req, "roots")) {
		list_roots(gw, f);
	} else if (!strncmp(req, "root-add ", 9)) {
		add_roots(gw, req + 9, f);
	} else if (!strncmp(req, "root-del ", 9)) {
		del_root(gw, req + 9, f);
	} else if (!strcmp(req, "stop")) {
		fprintf(f, "ok\n");
		gw->loop.stop = 1;
	} else {
		fprintf(f, "error\tunknown request\n");
	}
}
