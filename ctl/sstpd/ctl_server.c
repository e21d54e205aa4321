// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's control socket: $RUNSTATEDIR/sstp/<interface>.sock, mode
 * 0600, root only (ctl_conn.c: transport and limits). One request per
 * connection in the control protocol (ipc/ctl_proto.h), its answer, then
 * close. Commands:
 *   dump			the gateway, its limits and its sessions
 *   revoke thumbprint=		revoke (stored first) and end the sessions it
 *				covers
 *   unrevoke thumbprint=	withdraw a revocation made with revoke
 *   revoked			the revoked file and every revoked thumbprint
 *   roots			the trusted roots
 *   root-add path=		trust the root certificate(s) in a PEM/DER file
 *				(copied into RootCertificates first)
 *   root-remove thumbprint=	stop trusting a root (its files rewritten
 *				first); its sessions end
 *   stop			stop the gateway
 * State is read through gateway_get_info() and session_get_info() only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc/ctl_proto.h"
#include "net/tun.h"
#include "util/log.h"
#include "ctl_server.h"
#include "gateway.h"
#include "session.h"
#include "trust.h"

static void answer(FILE *f, const struct ctl_status *st)
{
	ctl_write_header(f);
	ctl_write_object(f, &ctl_status_obj, st);
}

static void dump_session(struct session *s, void *arg)
{
	struct session_info si;
	struct ctl_session cs;
	FILE *f = arg;

	session_get_info(s, now_ms(), &si);
	memset(&cs, 0, sizeof(cs));
	cs.id = si.id;
	snprintf(cs.peer, sizeof(cs.peer), "%s", si.peer);
	cs.address = si.addr;
	snprintf(cs.state, sizeof(cs.state), "%s", si.state);
	snprintf(cs.path, sizeof(cs.path), "%s", si.path);
	snprintf(cs.subject, sizeof(cs.subject), "%s", si.subject);
	snprintf(cs.thumbprint, sizeof(cs.thumbprint), "%s", si.thumb);
	cs.rx_bytes = si.rx_bytes;
	cs.tx_bytes = si.tx_bytes;
	cs.rx_packets = si.rx_packets;
	cs.tx_packets = si.tx_packets;
	cs.uptime = si.up_s;
	cs.dropped = si.dropped;
	cs.worker = s->reg.w ? s->reg.w->idx : 0;
	ctl_write_object(f, &ctl_session_obj, &cs);
	/* kernel.id 0: not on the module's path (or not collected). */
	if (si.kernel.id)
		ctl_write_object(f, &ctl_kernel_obj, &si.kernel);
}

void ctl_server_dump(struct gateway *gw, FILE *f)
{
	struct ctl_status st = { 0 };
	const struct sstp_config *c;
	struct gateway_info gi;
	struct ctl_gateway g;
	struct ctl_limits l;

	gateway_get_info(gw, true, &gi);
	c = gi.cfg;
	memset(&g, 0, sizeof(g));
	snprintf(g.interface, sizeof(g.interface), "%s", gi.ifname);
	g.sessions_active = gi.nsessions;
	g.max_sessions = gi.max_sessions;
	g.pool.addr = gi.pool_addr;
	g.pool.plen = gi.pool_plen;
	g.address = gi.address;
	g.roots = gi.roots;
	g.uptime = gi.uptime_s;
	g.accepted = gi.ctr.accepted;
	g.established = gi.ctr.established;
	g.refused = gi.ctr.refused;
	g.over_limit = gi.ctr.over_limit;
	if (gi.kernel_dev)
		snprintf(g.kernel_interface, sizeof(g.kernel_interface), "%s",
			 gi.kernel_dev);
	g.kernel_sessions = gi.nkernel;
	if (gi.tun_offload) {
		const struct tun_offload *o = gi.tun_offload;

		g.offload_csum = o->csum;
		g.offload_tso4 = o->tso4;
		g.offload_tso6 = o->tso6;
		g.offload_uso4 = o->uso4;
		g.offload_uso6 = o->uso6;
		snprintf(g.offload_why, sizeof(g.offload_why), "%s", o->why);
	}
	if (gi.tun_offload) {
		g.tun_reads = gi.tun_stats.rx_reads;
		g.tun_rx_packets = gi.tun_stats.rx_segments;
		g.tun_tx_packets = gi.tun_stats.tx_packets;
		g.tun_writes = gi.tun_stats.tx_writes;
	}
	g.workers = gi.nworkers;
	g.handoff = gi.ctr.handoff;
	g.handoff_dropped = gi.ctr.handoff_dropped;

	memset(&l, 0, sizeof(l));
	l.handshakes = gi.nhandshakes;
	l.max_handshakes = c->max_handshakes;
	l.max_connections_per_source = c->max_conns_per_source;
	l.max_handshakes_per_source = c->max_handshakes_per_source;
	l.max_sessions_per_certificate = c->max_sessions_per_cert;
	l.sources = gi.sources;
	l.refused_stopping = gi.ctr.refused_stopping;
	l.refused_max_sessions = gi.ctr.refused_max_sessions;
	l.refused_max_handshakes = gi.ctr.refused_max_handshakes;
	l.refused_source_connections = gi.ctr.refused_source_conns;
	l.refused_source_handshakes = gi.ctr.refused_source_half;
	l.evicted = gi.ctr.evicted;
	l.up_timeouts = gi.ctr.up_timeouts;
	l.certificate_replaced = gi.ctr.cert_replaced;

	answer(f, &st);
	ctl_write_object(f, &ctl_gateway_obj, &g);
	ctl_write_object(f, &ctl_limits_obj, &l);
	gateway_each_session(gw, dump_session, f);
	ctl_write_end(f);
}

/*
 * trust_list_revoked() writes "file\t<path>" and "revoked\t<thumbprint>\t
 * <source>" lines (trust.h); they become the typed answer here, so that
 * the daemon's trust code keeps the one list.
 */
static void list_revoked(struct gateway *gw, FILE *f)
{
	struct ctl_status st = { 0 };
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m;

	m = open_memstream(&text, &len);
	if (!m) {
		ctl_write_error(f, ENOMEM, "out of memory");
		return;
	}
	trust_list_revoked(gw, m);
	if (fclose(m)) {
		free(text);
		ctl_write_error(f, ENOMEM, "out of memory");
		return;
	}
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "file\t", 5)) {
			snprintf(st.revoked_file, sizeof(st.revoked_file),
				 "%s", line + 5);
			answer(f, &st);
		} else if (!strncmp(line, "revoked\t", 8)) {
			struct ctl_revoked r = { 0 };
			char *tab = strchr(line + 8, '\t');

			if (!tab)
				continue;
			*tab = 0;
			snprintf(r.thumbprint, sizeof(r.thumbprint), "%s",
				 line + 8);
			snprintf(r.source, sizeof(r.source), "%s", tab + 1);
			ctl_write_object(f, &ctl_revoked_obj, &r);
		}
	}
	free(text);
	if (!st.revoked_file[0])
		answer(f, &st);
	ctl_write_end(f);
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
	struct ctl_status st = { 0 };
	unsigned int i;
	X509 *r;

	answer(f, &st);
	for (i = 0; (r = pki_root(gw->pki, i)); i++) {
		struct root_count rc = { .root = r };
		struct ctl_root cr = { 0 };

		pki_thumbprint_sha1(r, cr.thumbprint);
		pki_subject(r, cr.subject, sizeof(cr.subject));
		gateway_each_session(gw, count_root, &rc);
		cr.sessions = rc.n;
		ctl_write_object(f, &ctl_root_obj, &cr);
	}
	ctl_write_end(f);
}

/* The answer to a change of trust: ret 0 or -errno with err. */
static void changed(FILE *f, int ret, const char *err, uint32_t ended,
		    uint32_t added)
{
	struct ctl_status st = { .sessions_ended = ended, .added = added };

	if (ret) {
		ctl_write_error(f, ret, err);
		return;
	}
	answer(f, &st);
	ctl_write_end(f);
}

static bool need(FILE *f, const char *cmd, const char *key, const char *v)
{
	char why[96];

	if (v[0])
		return true;
	snprintf(why, sizeof(why), "%s needs %s=", cmd, key);
	ctl_write_error(f, EINVAL, why);
	return false;
}

static void dispatch(struct gateway *gw, const struct ctl_request *r, FILE *f)
{
	const char *cmd = r->command;
	char err[512] = "";
	int ret, n = 0;

	if (!strcmp(cmd, "dump")) {
		ctl_server_dump(gw, f);
	} else if (!strcmp(cmd, "revoke")) {
		if (!need(f, cmd, "thumbprint", r->thumbprint))
			return;
		ret = trust_revoke(gw, r->thumbprint, &n, err, sizeof(err));
		changed(f, ret, err, (uint32_t)n, 0);
	} else if (!strcmp(cmd, "unrevoke")) {
		if (!need(f, cmd, "thumbprint", r->thumbprint))
			return;
		ret = trust_unrevoke(gw, r->thumbprint, err, sizeof(err));
		changed(f, ret, err, 0, 0);
	} else if (!strcmp(cmd, "revoked")) {
		list_revoked(gw, f);
	} else if (!strcmp(cmd, "roots")) {
		list_roots(gw, f);
	} else if (!strcmp(cmd, "root-add")) {
		if (!need(f, cmd, "path", r->path))
			return;
		ret = trust_root_add(gw, r->path, &n, err, sizeof(err));
		changed(f, ret, err, 0, (uint32_t)n);
	} else if (!strcmp(cmd, "root-remove")) {
		if (!need(f, cmd, "thumbprint", r->thumbprint))
			return;
		ret = trust_root_remove(gw, r->thumbprint, &n, err,
					sizeof(err));
		changed(f, ret, err, (uint32_t)n, 0);
	} else if (!strcmp(cmd, "stop")) {
		changed(f, 0, "", 0, 0);
		gw->loop.stop = 1;
	} else {
		ctl_write_error(f, EOPNOTSUPP, "unknown command");
	}
}

void ctl_server_handle(struct gateway *gw, const char *req, size_t len,
		       FILE *f)
{
	struct ctl_request *r;
	char err[256];
	int ret;

	/* A PATH_MAX path: too big for the loop's stack frames to carry. */
	r = malloc(sizeof(*r));
	if (!r) {
		ctl_write_error(f, ENOMEM, "out of memory");
		return;
	}
	ret = ctl_request_decode(req, len, r, err, sizeof(err));
	if (ret == -EPROTO) {
		log_warn("control: a request in no control protocol (an older sstpctl?)");
		fprintf(f, "error\tthis sstpd speaks control protocol %u: use the sstpctl of the same version\n",
			CTL_PROTOCOL);
	} else if (ret == -EPROTONOSUPPORT) {
		log_warn("control: a request in control protocol %u, not %u",
			 r->protocol, CTL_PROTOCOL);
		snprintf(err, sizeof(err),
			 "this sstpd speaks control protocol %u, the request %u: use the sstpctl of the same version",
			 CTL_PROTOCOL, r->protocol);
		ctl_write_error(f, EPROTONOSUPPORT, err);
	} else if (ret) {
		log_warn("control: bad request: %s", err);
		ctl_write_error(f, -ret, err);
	} else {
		dispatch(gw, r, f);
	}
	free(r);
}
