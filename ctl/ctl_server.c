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

#include "gateway.h"
#include "gw_kmod.h"
#include "log.h"
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

static const char *session_path(const struct session *s)
{
	return s->kpath ? "kernel" : link_path(&s->link);
}

/* The module's counters of a kernel session, or "-". */
static void kernel_fields(FILE *f, const struct session *s)
{
	const struct kmod_stats *k = &s->kst;

	if (!s->kpath || !k->id) {
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

void gateway_dump(struct gateway *gw, FILE *f)
{
	const struct sstp_config *c = &gw->cfg;
	uint64_t now = now_ms();
	struct session *s;

	gw_kmod_collect(gw);
	fprintf(f, "gateway\t%s\t%u\t%u\t", gw->ifname, gw->nsessions,
		c->max_sessions);
	ip4(f, c->pool.addr);
	fprintf(f, "/%u\t", c->pool.plen);
	ip4(f, c->address);
	fprintf(f, "\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\t%s\t%u\n",
		pki_root_count(gw->pki),
		(unsigned long long)((now - gw->started_ms) / 1000),
		(unsigned long long)gw->ctr.accepted,
		(unsigned long long)gw->ctr.established,
		(unsigned long long)gw->ctr.refused,
		(unsigned long long)gw->ctr.over_limit,
		gw->kmod_on ? gw->kmod.ifname : "-", gw->nkernel);
	list_for_each_entry(s, &gw->sessions, node) {
		const struct kmod_stats *k = &s->kst;
		bool kc = s->kpath && k->id;

		fprintf(f, "session\t%llu\t", (unsigned long long)s->id);
		field(f, s->peer);
		fputc('\t', f);
		if (s->addr && s->in_table)
			ip4(f, s->addr);
		else
			fputc('-', f);
		fprintf(f, "\t%s\t%s\t", session_state_name(s),
			session_path(s));
		field(f, s->subject);
		/* Totals: what userspace moved, plus the module's share. */
		fprintf(f, "\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu",
			s->thumb,
			(unsigned long long)(s->link.st.rx_bytes +
					     (kc ? k->rx_bytes : 0)),
			(unsigned long long)(s->link.st.tx_bytes +
					     (kc ? k->tx_bytes : 0)),
			(unsigned long long)(s->link.st.rx_packets +
					     (kc ? k->rx_packets : 0)),
			(unsigned long long)(s->link.st.tx_packets +
					     (kc ? k->tx_packets : 0)),
			(unsigned long long)(s->up_ms ? (now - s->up_ms) / 1000 : 0),
			(unsigned long long)(s->link.st.tx_dropped +
					     s->drop_spoofed + s->drop_gated +
					     (kc ? k->rx_drop_rpf +
					      k->rx_drop_invalid +
					      k->rx_drop_ctrl +
					      k->tx_drop_queue +
					      k->tx_drop_invalid : 0)));
		kernel_fields(f, s);
		fputc('\n', f);
	}
	/* The budget before authentication: limits, use, refusals by reason. */
	fprintf(f, "limits\thandshakes=%u\tmax_handshakes=%u"
		"\tmax_connections_per_source=%u\tmax_handshakes_per_source=%u"
		"\tmax_sessions_per_certificate=%u\tsources=%u"
		"\trefused_stopping=%llu\trefused_max_sessions=%llu"
		"\trefused_max_handshakes=%llu"
		"\trefused_source_connections=%llu"
		"\trefused_source_handshakes=%llu\tevicted=%llu"
		"\tup_timeouts=%llu\tcertificate_replaced=%llu\n",
		gw->nhandshakes, c->max_handshakes, c->max_conns_per_source,
		c->max_handshakes_per_source, c->max_sessions_per_cert,
		gw->src.nlive,
		(unsigned long long)gw->ctr.refused_stopping,
		(unsigned long long)gw->ctr.refused_max_sessions,
		(unsigned long long)gw->ctr.refused_max_handshakes,
		(unsigned long long)gw->ctr.refused_source_conns,
		(unsigned long long)gw->ctr.refused_source_half,
		(unsigned long long)gw->ctr.evicted,
		(unsigned long long)gw->ctr.up_timeouts,
		(unsigned long long)gw->ctr.cert_replaced);
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

static void list_roots(struct gateway *gw, FILE *f)
{
	unsigned int i;
	X509 *r;

	for (i = 0; (r = pki_root(gw->pki, i)); i++) {
		char sha1[41], subj[256];
		struct session *s;
		unsigned int n = 0;

		pki_thumbprint_sha1(r, sha1);
		pki_subject(r, subj, sizeof(subj));
		list_for_each_entry(s, &gw->sessions, node)
			n += s->root && !X509_cmp(s->root, r);
		fprintf(f, "root\t%s\t", sha1);
		field(f, subj);
		fprintf(f, "\t%u\n", n);
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
