// SPDX-License-Identifier: GPL-2.0
/*
 * sstp-reflect: the gateway-side end of load-mode bulk traffic
 * (sstpctl connect --load N --bulk PORT). It echoes every UDP datagram it
 * receives on PORT back to its sender, so that the uplink of each session
 * is sunk here and its downlink is the echo. Batched (recvmmsg/sendmmsg)
 * so that it is never the bottleneck of a benchmark.
 *
 *   sstp-reflect [-a ADDRESS] [-p PORT] [-r READY_FILE]
 *
 * Runs until SIGINT or SIGTERM, then prints one JSON line of counters:
 * datagrams and payload bytes received and echoed, and echoes the kernel
 * refused. READY_FILE is created once the socket is bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH		64
#define DGRAM_MAX	65536
#define SOCKBUF		(16 << 20)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counters {
	unsigned long long rx_dgrams, rx_bytes, tx_dgrams, tx_bytes, tx_errors;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: sstp-reflect [-a ADDRESS] [-p PORT] [-r READY_FILE]\n"
		"  echoes UDP datagrams back to their sender until SIGTERM,\n"
		"  then prints its counters as JSON\n");
}

/* Echo n received datagrams; on a partial send, the rest once more, then drop. */
static void echo_batch(int fd, struct mmsghdr *m, unsigned int n,
		       struct counters *c)
{
	unsigned int i, done = 0, tries = 0;

	for (i = 0; i < n; i++) {
		m[i].msg_hdr.msg_iov->iov_len = m[i].msg_len;
		c->rx_dgrams++;
		c->rx_bytes += m[i].msg_len;
	}
	while (done < n) {
		int r = sendmmsg(fd, m + done, n - done, 0);

		if (r < 0) {
			if (errno == EINTR && !stop)
				continue;
			/* Unreachable sender, full buffer: that one is lost. */
			c->tx_errors++;
			done++;
			continue;
		}
		for (i = done; i < done + (unsigned int)r; i++) {
			c->tx_dgrams++;
			c->tx_bytes += m[i].msg_len;
		}
		done += (unsigned int)r;
		if (r == 0 && ++tries > 3)
			break;
	}
}

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || !v || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static uint8_t bufs[BATCH][DGRAM_MAX];
	struct sockaddr_in addr = { .sin_family = AF_INET }, from[BATCH];
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	struct counters c = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *ready = NULL;
	uint16_t port = 9;
	int fd, opt, size = SOCKBUF;
	unsigned int i;

	while ((opt = getopt(argc, argv, "a:p:r:h")) != -1) {
		switch (opt) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr.sin_addr) != 1) {
				fprintf(stderr, "sstp-reflect: bad address `%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'p':
			if (parse_port(optarg, &port)) {
				fprintf(stderr, "sstp-reflect: bad port `%s'\n",
					optarg);
				return 1;
			}
			break;
		case 'r':
			ready = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 1;
	}
	addr.sin_port = htons(port);
	/* No SA_RESTART: a signal ends the blocking recvmmsg. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("sstp-reflect: socket");
		return 1;
	}
	/* Room for bursts from many sessions; FORCE needs CAP_NET_ADMIN. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("sstp-reflect: bind");
		return 1;
	}
	if (ready) {
		int rfd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			       0644);

		if (rfd < 0) {
			perror("sstp-reflect: ready file");
			return 1;
		}
		close(rfd);
	}

	while (!stop) {
		int n;

		/* The same buffers carry each datagram back to its sender. */
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = DGRAM_MAX;
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_name = &from[i];
			m[i].msg_hdr.msg_namelen = sizeof(from[i]);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(fd, m, BATCH, MSG_WAITFORONE, NULL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("sstp-reflect: recvmmsg");
			return 1;
		}
		echo_batch(fd, m, (unsigned int)n, &c);
	}
	close(fd);
	printf("{\"received_datagrams\":%llu,\"received_bytes\":%llu,"
	       "\"echoed_datagrams\":%llu,\"echoed_bytes\":%llu,"
	       "\"echo_errors\":%llu}\n", c.rx_dgrams, c.rx_bytes,
	       c.tx_dgrams, c.tx_bytes, c.tx_errors);
	return 0;
}
