// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_client.h"
#include "ctl_proto.h"

#ifndef RUNSTATEDIR
#define RUNSTATEDIR "/run"
#endif

int ctl_socket_path(const char *ifname, char *out, size_t outlen)
{
	const char *dir = getenv("SSTP_RUNDIR");
	char d[256];
	int n;

	if (!dir || !*dir) {
		snprintf(d, sizeof(d), "%s/sstp", RUNSTATEDIR);
		dir = d;
	}
	mkdir(dir, 0700);
	n = snprintf(out, outlen, "%s/%s.sock", dir, ifname);
	if (n < 0 || (size_t)n >= outlen ||
	    (size_t)n >= sizeof(((struct sockaddr_un *)0)->sun_path))
		return -ENAMETOOLONG;
	return 0;
}

/*
 * Send one request and read the whole answer (malloc'd, NUL-terminated,
 * into *answer, its length in *anslen). 0 or -errno.
 */
static int exchange(const char *ifname, const char *req, char **answer,
		    size_t *anslen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = 10 };
	size_t len = 0, cap = 4096;
	char *buf;
	int fd, ret, send_err = 0;

	ret = ctl_socket_path(ifname, sa.sun_path, sizeof(sa.sun_path));
	if (ret)
		return ret;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* A daemon that refused us at once (busy, not root) said why: read it. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		send_err = -errno;
		if (errno != EPIPE && errno != ECONNRESET) {
			close(fd);
			return send_err;
		}
	}
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap > CTL_ANSWER_MAX) {
				ret = -EMSGSIZE;
				goto err;
			}
			nb = realloc(buf, cap * 2);

			if (!nb) {
				ret = -ENOMEM;
				goto err;
			}
			buf = nb;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		/*
		 * The daemon closing with our request unread (a refusal, an
		 * error) resets the connection after its answer.
		 */
		if (n < 0 && errno == ECONNRESET && len)
			break;
		if (n < 0) {
			ret = -errno;
			goto err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (!len && send_err) {
		ret = send_err;
		goto err;
	}
	close(fd);
	buf[len] = 0;
	*answer = buf;
	*anslen = len;
	return 0;
err:
	free(buf);
	close(fd);
	return ret;
}

int ctl_call(const char *ifname, const struct ctl_request *req,
	     struct ctl_answer *ans, char *err, size_t errlen)
{
	char buf[CTL_REQUEST_MAX + 1], why[256], *raw = NULL;
	size_t len = 0;
	int ret;

	memset(ans, 0, sizeof(*ans));
	ret = ctl_request_encode(req, buf, sizeof(buf));
	if (ret < 0) {
		snprintf(err, errlen, "request longer than %d bytes",
			 CTL_REQUEST_MAX);
		return ret;
	}
	ret = exchange(ifname, buf, &raw, &len);
	if (ret == -ENOENT || ret == -ECONNREFUSED) {
		snprintf(err, errlen, "no gateway is running for %s", ifname);
		return ret;
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", ifname, strerror(-ret));
		return ret;
	}
	ret = ctl_answer_decode(raw, len, ans, why, sizeof(why));
	free(raw);
	if (ret == -EPROTONOSUPPORT)
		snprintf(err, errlen,
			 "%s: sstpd speaks control protocol %u, this sstpctl %u: use the sstpctl of the same version",
			 ifname, ans->status.protocol, CTL_PROTOCOL);
	else if (ret == -EPROTO)
		snprintf(err, errlen,
			 "%s: sstpd does not speak control protocol %u (older than this sstpctl?): %s",
			 ifname, CTL_PROTOCOL, why);
	else if (ret)
		snprintf(err, errlen, "%s: bad answer from sstpd: %s", ifname,
			 why);
	return ret;
}
