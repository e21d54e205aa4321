// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's control socket: $RUNSTATEDIR/sstp/<interface>.sock, mode
 * 0600. One request line per connection, a text answer, then close:
 *   dump			tab-separated state (see sstpctl(8), "show dump")
 *   revoke <thumbprint>	revoke now and end the sessions it covers
 *   stop			stop the gateway
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"
#include "gateway.h"
#include "log.h"
#include "session.h"

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

void gateway_dump(struct gateway *gw, FILE *f)
{
	const struct sstp_config *c = &gw->cfg;
	uint64_t now = now_ms();
	struct session *s;

	fprintf(f, "gateway\t%s\t%u\t%u\t", gw->ifname, gw->nsessions,
		c->max_sessions);
	ip4(f, c->pool.addr);
	fprintf(f, "/%u\t", c->pool.plen);
	ip4(f, c->address);
	fprintf(f, "\t%u\t%llu\t%llu\t%llu\t%llu\t%llu\n",
		pki_root_count(gw->pki),
		(unsigned long long)((now - gw->started_ms) / 1000),
		(unsigned long long)gw->ctr.accepted,
		(unsigned long long)gw->ctr.established,
		(unsigned long long)gw->ctr.refused,
		(unsigned long long)gw->ctr.over_limit);
	for (s = gw->sessions; s; s = s->next) {
		fprintf(f, "session\t%llu\t", (unsigned long long)s->id);
		field(f, s->peer);
		fputc('\t', f);
		if (s->addr && s->in_table)
			ip4(f, s->addr);
		else
			fputc('-', f);
		fprintf(f, "\t%s\t%s\t", session_state_name(s),
			link_path(&s->link));
		field(f, s->subject);
		fprintf(f, "\t%s\t%llu\t%llu\t%llu\t%llu\t%llu\t%llu\n",
			s->thumb,
			(unsigned long long)s->link.st.rx_bytes,
			(unsigned long long)s->link.st.tx_bytes,
			(unsigned long long)s->link.st.rx_packets,
			(unsigned long long)s->link.st.tx_packets,
			(unsigned long long)(s->up_ms ? (now - s->up_ms) / 1000 : 0),
			(unsigned long long)(s->link.st.tx_dropped +
					     s->drop_spoofed + s->drop_gated));
	}
}

int gateway_revoke(struct gateway *gw, const char *thumbprint)
{
	struct session *s, *n;
	int kicked = 0;
	char norm[65];

	if (thumbprint_normalise(thumbprint, norm))
		return -EINVAL;
	if (pki_revoke(gw->pki, norm))
		return -EINVAL;
	log_notice("revoked %s", norm);
	for (s = gw->sessions; s; s = n) {
		n = s->next;
		if (s->cert && pki_cert_revoked(gw->pki, s->cert)) {
			session_disconnect(s, "certificate revoked while connected");
			kicked++;
		}
	}
	return kicked;
}

static void ctl_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, ctl_ev));
	struct timeval tv = { .tv_sec = 1 };
	char req[256], *nl;
	char *ans = NULL;
	size_t anslen = 0;
	ssize_t n;
	FILE *f;
	int fd;

	fd = accept4(ev->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = recv(fd, req, sizeof(req) - 1, 0);
	if (n <= 0) {
		close(fd);
		return;
	}
	req[n] = 0;
	nl = strchr(req, '\n');
	if (nl)
		*nl = 0;
	f = open_memstream(&ans, &anslen);
	if (!f) {
		close(fd);
		return;
	}
	if (!strcmp(req, "dump")) {
		gateway_dump(gw, f);
	} else if (!strncmp(req, "revoke ", 7)) {
		int k = gateway_revoke(gw, req + 7);

		if (k < 0)
			fprintf(f, "error\tnot a SHA-1 or SHA-256 thumbprint: %s\n",
				req + 7);
		else
			fprintf(f, "ok\t%d\n", k);
	} else if (!strcmp(req, "stop")) {
		fprintf(f, "ok\n");
		gw->loop.stop = 1;
	} else {
		fprintf(f, "error\tunknown request\n");
	}
	fclose(f);
	if (send(fd, ans, anslen, MSG_NOSIGNAL) < 0)
		log_debug("control: reply not sent: %s", strerror(errno));
	free(ans);
	close(fd);
}

int ctl_server_open(struct gateway *gw)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, ret;

	ret = ctl_socket_path(gw->ifname, gw->ctl_path, sizeof(gw->ctl_path));
	if (ret) {
		log_err("control socket path too long");
		return ret;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", gw->ctl_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A live daemon answers; a stale socket file is replaced. */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		log_err("another sstpd already serves %s (%s)", gw->ifname,
			gw->ctl_path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(gw->ctl_path);
	old = umask(077);
	ret = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (ret || listen(fd, 16)) {
		ret = -errno;
		log_err("cannot create control socket %s: %s", gw->ctl_path,
			strerror(-ret));
		close(fd);
		return ret;
	}
	gw->ctl_ev.fd = fd;
	gw->ctl_ev.cb = ctl_ev;
	return loop_add(&gw->loop, &gw->ctl_ev, EPOLLIN);
}

void ctl_server_close(struct gateway *gw)
{
	if (gw->ctl_ev.fd < 0)
		return;
	close(gw->ctl_ev.fd);
	gw->ctl_ev.fd = -1;
	unlink(gw->ctl_path);
}
