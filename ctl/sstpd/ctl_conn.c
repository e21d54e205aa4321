// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's transport. Every control connection is a small
 * state machine on the gateway's own loop, never a blocking call: read one
 * request (bounded; ipc/ctl_proto.h: it ends at a blank line), hand it to
 * ctl_server_handle() (ctl_server.c), write the answer as the socket takes
 * it (EPOLLOUT), close. A bounded number of connections, each with a
 * deadline checked by the gateway's tick, so that a control client that
 * sends nothing or reads nothing costs a little memory for a few seconds
 * and never delays a tunnel.
 *
 * Only root and the daemon's own user (the owner of the socket) are
 * served: the socket file is 0600, and the peer's credentials are checked
 * as well, in case the file's mode was changed or the caller can bypass it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ipc/ctl_client.h"
#include "ipc/ctl_proto.h"
#include "util/log.h"
#include "ctl_conn.h"
#include "ctl_server.h"
#include "gateway.h"

enum ctl_state {
	CTL_READ,	/* waiting for the request */
	CTL_WRITE,	/* the answer is being written */
};

struct ctl_conn {
	struct ev ev;			/* first: loop hands back &ev */
	struct gateway *gw;
	struct ctl_conn *next, **pprev;
	enum ctl_state state;
	bool want_out;			/* registered for EPOLLOUT */
	uint64_t deadline;
	size_t len;			/* request bytes so far */
	char *ans;			/* the answer, malloc'd */
	size_t anslen, sent;
	char req[CTL_REQ_MAX + 2];	/* the request, one byte more, NUL */
};

static void conn_close(struct ctl_conn *c)
{
	struct gateway *gw = c->gw;

	loop_del(&gw->loop, &c->ev);
	close(c->ev.fd);
	*c->pprev = c->next;
	if (c->next)
		c->next->pprev = c->pprev;
	gw->nctl--;
	free(c->ans);
	free(c);
}

/* Send what the socket takes; close when all is out or the peer is gone. */
static void conn_write(struct ctl_conn *c)
{
	while (c->sent < c->anslen) {
		ssize_t n = send(c->ev.fd, c->ans + c->sent,
				 c->anslen - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (!c->want_out &&
			    loop_mod(&c->gw->loop, &c->ev, EPOLLOUT)) {
				conn_close(c);
				return;
			}
			c->want_out = true;
			return;
		}
		if (n <= 0) {
			log_debug("control: answer not sent: %s",
				  n < 0 ? strerror(errno) : "no progress");
			conn_close(c);
			return;
		}
		c->sent += (size_t)n;
	}
	conn_close(c);
}

/* Switch to writing ans (malloc'd, may be NULL when out of memory). */
static void conn_answer(struct ctl_conn *c, char *ans, size_t len)
{
	if (!ans) {
		conn_close(c);
		return;
	}
	c->state = CTL_WRITE;
	c->ans = ans;
	c->anslen = len;
	c->sent = 0;
	c->deadline = now_ms() + CTL_ANSWER_MS;
	/* Most answers fit in the socket at once; the rest go on EPOLLOUT. */
	conn_write(c);
}

/* A refusal in the control protocol: errno= and error=, malloc'd. */
static char *refusal(int err, const char *why, size_t *len)
{
	char *ans = NULL;
	FILE *f;

	*len = 0;
	f = open_memstream(&ans, len);
	if (!f)
		return NULL;
	ctl_write_error(f, err, why);
	if (fclose(f)) {
		free(ans);
		return NULL;
	}
	return ans;
}

static void conn_error(struct ctl_conn *c, int err, const char *why)
{
	size_t len;
	char *ans = refusal(err, why, &len);

	conn_answer(c, ans, len);
}

static void conn_dispatch(struct ctl_conn *c)
{
	char *ans = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&ans, &len);
	if (!f) {
		conn_close(c);
		return;
	}
	ctl_server_handle(c->gw, c->req, c->len, f);
	if (fclose(f)) {
		free(ans);
		ans = NULL;
	}
	conn_answer(c, ans, len);
}

/*
 * Where the request read so far ends: after its blank line, or, for a
 * first line in no protocol (an older sstpctl's "dump"), after that line
 * so that it is answered at once. 0: not yet.
 */
static size_t request_end(const char *req, size_t len)
{
	const char *nl = memchr(req, '\n', len), *end;

	if (!nl)
		return 0;
	if (strncmp(req, "protocol=", 9))
		return (size_t)(nl - req) + 1;
	for (end = nl; end; end = memchr(end + 1, '\n',
					 (size_t)(req + len - end - 1)))
		if (end + 1 < req + len && end[1] == '\n')
			return (size_t)(end - req) + 2;
	return 0;
}

/*
 * Read what is there. The request is complete at its blank line, or at the
 * end of the stream for a client that shuts down its side instead.
 */
static void conn_read(struct ctl_conn *c)
{
	for (;;) {
		size_t room = sizeof(c->req) - 1 - c->len, end;
		ssize_t n = recv(c->ev.fd, c->req + c->len, room, MSG_DONTWAIT);
		char why[64];

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 || (n == 0 && !c->len)) {
			conn_close(c);
			return;
		}
		c->len += (size_t)n;
		end = request_end(c->req, c->len);
		if (end) {
			c->len = end;
		} else if (n && c->len > CTL_REQ_MAX) {
			log_warn("control: request longer than %d bytes refused",
				 CTL_REQ_MAX);
			snprintf(why, sizeof(why),
				 "request longer than %d bytes", CTL_REQ_MAX);
			conn_error(c, EMSGSIZE, why);
			return;
		} else if (n) {
			continue;
		}
		c->req[c->len] = 0;
		if (memchr(c->req, 0, c->len)) {
			conn_error(c, EINVAL, "NUL byte in request");
			return;
		}
		conn_dispatch(c);
		return;
	}
}

static void conn_ev(struct ev *ev, uint32_t events)
{
	struct ctl_conn *c = (struct ctl_conn *)ev;

	if (c->state == CTL_READ)
		conn_read(c);
	else
		conn_write(c);
}

/* Root, or the user the daemon runs as (who owns the socket file). */
static bool peer_allowed(int fd, uid_t *uid)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
	    len != sizeof(cr)) {
		*uid = (uid_t)-1;
		return false;
	}
	*uid = cr.uid;
	return cr.uid == 0 || cr.uid == geteuid();
}

/*
 * A one-line answer to a connection not taken on: best effort, no wait.
 * What the client already sent is read first, or closing would reset the
 * connection.
 */
static void refuse(int fd, int err, const char *why)
{
	char sink[512], *msg;
	size_t len;
	int i;

	for (i = 0; i < 8 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0;)
		i++;
	msg = refusal(err, why, &len);
	if (msg && send(fd, msg, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control: refusal not sent: %s", strerror(errno));
	free(msg);
	close(fd);
}

static void accept_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, ctl_ev));
	int i;

	/* A bounded batch, so a flood of connects cannot starve tunnels. */
	for (i = 0; i < CTL_CONN_MAX; i++) {
		struct ctl_conn *c;
		uid_t uid;
		int fd;

		fd = accept4(ev->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!peer_allowed(fd, &uid)) {
			log_warn("control: refused a connection from uid %d: root only",
				 (int)uid);
			refuse(fd, EACCES,
			       "permission denied: the control socket is for root only");
			continue;
		}
		if (gw->nctl >= CTL_CONN_MAX) {
			log_warn("control: refused a connection: %d control connections are open",
				 CTL_CONN_MAX);
			refuse(fd, EBUSY,
			       "busy: too many control connections, try again");
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->gw = gw;
		c->ev.fd = fd;
		c->ev.cb = conn_ev;
		c->state = CTL_READ;
		c->deadline = now_ms() + CTL_REQUEST_MS;
		if (loop_add(&gw->loop, &c->ev, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = gw->ctl_conns;
		if (c->next)
			c->next->pprev = &c->next;
		c->pprev = &gw->ctl_conns;
		gw->ctl_conns = c;
		gw->nctl++;
	}
}

void ctl_server_tick(struct gateway *gw, uint64_t now)
{
	struct ctl_conn *c, *n;

	for (c = gw->ctl_conns; c; c = n) {
		n = c->next;
		if (now < c->deadline)
			continue;
		log_debug("control: connection closed: %s within %d ms",
			  c->state == CTL_READ ? "no request" :
			  "answer not taken", c->state == CTL_READ ?
			  CTL_REQUEST_MS : CTL_ANSWER_MS);
		conn_close(c);
	}
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
	if (ret || listen(fd, 64)) {
		ret = -errno;
		log_err("cannot create control socket %s: %s", gw->ctl_path,
			strerror(-ret));
		close(fd);
		return ret;
	}
	gw->ctl_ev.fd = fd;
	gw->ctl_ev.cb = accept_ev;
	return loop_add(&gw->loop, &gw->ctl_ev, EPOLLIN);
}

void ctl_server_close(struct gateway *gw)
{
	/* Answers still queued (the "ok" of stop) get one last try. */
	while (gw->ctl_conns) {
		struct ctl_conn *c = gw->ctl_conns;

		if (c->state == CTL_WRITE && c->sent < c->anslen &&
		    send(c->ev.fd, c->ans + c->sent, c->anslen - c->sent,
			 MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("control: answer not sent: %s",
				  strerror(errno));
		conn_close(c);
	}
	if (gw->ctl_ev.fd < 0)
		return;
	close(gw->ctl_ev.fd);
	gw->ctl_ev.fd = -1;
	unlink(gw->ctl_path);
}
