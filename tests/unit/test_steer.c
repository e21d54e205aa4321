// SPDX-License-Identifier: GPL-2.0
/*
 * The TUN steering program on the running kernel: a multi-queue TUN device
 * in a network namespace of our own, addresses steered to queues, UDP
 * datagrams sent to them through the device, and each datagram looked for
 * on every queue. Without the program the kernel spreads flows by their
 * hash, so the checks fail unless the program picked the queues.
 *
 * Needs root (a network namespace, TUN, bpf()); it skips, saying why, only
 * when one of those is not there.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "net/netcfg.h"
#include "sstpd/steer.h"
#include "tun_steer.h"
#include "tun_steer.skel.h"

#define NQ		4
#define NET		0x0a630000u	/* 10.99.0.0/24 on the device */
#define LOCAL		(NET | 1)
#define PORT		4789
#define NADDR		8
#define FLOWS		4		/* source ports per address */

static char skip_why[160];

/* A 4-byte "IPv4 packet": no destination address to read. */
static const uint8_t runt[4] = { 0x45, 'R', 'U', 'N' };
static int64_t runt_tag = -1;

/* Our own struct: <linux/ipv6.h>'s in6_ifreq clashes with netinet/in.h. */
struct steer_in6_ifreq {
	struct in6_addr addr;
	uint32_t prefixlen;
	int ifindex;
};

static const struct in6_addr local6 = { .s6_addr = { 0xfd, 0, 0, 0x99, [15] = 1 } };
static const struct in6_addr peer6 = { .s6_addr = { 0xfd, 0, 0, 0x99, [15] = 2 } };

struct mq {
	char name[IF_NAMESIZE];
	int fd[NQ];
};

static int write_sysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/* A device of n queues (queue i is fd[i]), up, with 10.99.0.1/24 and
 * fd00:0:0:99::1/64.
 */
static void mq_open(struct mq *m, const char *name, int n)
{
	struct steer_in6_ifreq r6 = { .addr = local6, .prefixlen = 64 };
	int i, s;

	snprintf(m->name, sizeof(m->name), "%s", name);
	for (i = 0; i < NQ; i++)
		m->fd[i] = -1;
	for (i = 0; i < n; i++) {
		struct ifreq ifr = { 0 };

		m->fd[i] = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
		assert_true(m->fd[i] >= 0);
		ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE;
		snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name);
		assert_int_equal(ioctl(m->fd[i], TUNSETIFF, &ifr), 0);
	}
	assert_int_equal(netcfg_link_up(name, 1500), 0);
	assert_int_equal(netcfg_addr_add(name, LOCAL, 24, 0), 0);
	r6.ifindex = (int)if_nametoindex(name);
	s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCSIFADDR, &r6), 0);
	close(s);
}

static void mq_close(struct mq *m)
{
	int i;

	for (i = 0; i < NQ; i++) {
		if (m->fd[i] >= 0)
			close(m->fd[i]);
		m->fd[i] = -1;
	}
}

/*
 * What a test holds, released by the teardown even when an assertion ends
 * the test early: a device left behind would keep 10.99.0.0/24 and take
 * the next test's datagrams.
 */
static struct mq cur = { .fd = { -1, -1, -1, -1 } };
static struct steer *cur_st;

static int teardown(void **state)
{
	steer_close(cur_st);
	cur_st = NULL;
	mq_close(&cur);
	return 0;
}

/* One datagram to addr (host order) from source port sport, tagged. */
static void send4(uint32_t addr, uint16_t sport, uint32_t tag)
{
	struct sockaddr_in src = {
		.sin_family = AF_INET, .sin_port = htons(sport),
		.sin_addr.s_addr = htonl(LOCAL),
	};
	struct sockaddr_in dst = {
		.sin_family = AF_INET, .sin_port = htons(PORT),
		.sin_addr.s_addr = htonl(addr),
	};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1;

	assert_true(s >= 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	assert_int_equal(bind(s, (struct sockaddr *)&src, sizeof(src)), 0);
	assert_int_equal(sendto(s, &tag, sizeof(tag), 0,
				(struct sockaddr *)&dst, sizeof(dst)),
			 (ssize_t)sizeof(tag));
	close(s);
}

static void send6(uint16_t sport, uint32_t tag)
{
	struct sockaddr_in6 src = {
		.sin6_family = AF_INET6, .sin6_port = htons(sport),
		.sin6_addr = local6,
	};
	struct sockaddr_in6 dst = {
		.sin6_family = AF_INET6, .sin6_port = htons(PORT),
		.sin6_addr = peer6,
	};
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&src, sizeof(src)), 0);
	assert_int_equal(sendto(s, &tag, sizeof(tag), 0,
				(struct sockaddr *)&dst, sizeof(dst)),
			 (ssize_t)sizeof(tag));
	close(s);
}

/*
 * A runt sent straight to the device (packet socket), as IPv4: the program
 * must find it too short and count it a miss.
 */
static void send_runt(const char *ifname)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = (int)if_nametoindex(ifname),
	};
	int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(s >= 0);
	assert_int_equal(sendto(s, runt, sizeof(runt), 0,
				(struct sockaddr *)&ll, sizeof(ll)),
			 (ssize_t)sizeof(runt));
	close(s);
}

/*
 * The tag of a test datagram (IPv4 or IPv6, UDP to PORT, 4 bytes), or -1
 * for anything else the stack sends on its own (MLD, router solicitations).
 */
static int64_t tag_of(const uint8_t *p, ssize_t n)
{
	size_t ip, udp;
	uint32_t tag;

	if (n == sizeof(runt) && !memcmp(p, runt, sizeof(runt)))
		return runt_tag;
	if ((p[0] >> 4) == 4 && n >= 20) {
		ip = (size_t)(p[0] & 15) * 4;
		if (p[9] != IPPROTO_UDP)
			return -1;
	} else if ((p[0] >> 4) == 6 && n >= 40) {
		ip = 40;
		if (p[6] != IPPROTO_UDP)
			return -1;
	} else {
		return -1;
	}
	udp = ip + 8;
	if ((size_t)n != udp + sizeof(tag) || p[ip + 2] != PORT >> 8 ||
	    p[ip + 3] != (PORT & 0xff))
		return -1;
	memcpy(&tag, p + udp, sizeof(tag));
	return tag;
}

/*
 * Read every queue until want datagrams have come out (or a second has
 * passed); seen[tag] = the queue the datagram with that tag came out of.
 */
static void collect(struct mq *m, int n, int *seen, unsigned int ntags,
		    unsigned int want)
{
	unsigned int got = 0;
	uint8_t buf[2048];
	int i, rounds;

	for (i = 0; i < (int)ntags; i++)
		seen[i] = -1;
	for (rounds = 0; got < want && rounds < 100; rounds++) {
		struct pollfd pfd[NQ];

		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = m->fd[i], .events = POLLIN };
		if (poll(pfd, (nfds_t)n, 10) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			ssize_t len;

			while ((len = read(m->fd[i], buf, sizeof(buf))) > 0) {
				int64_t t = tag_of(buf, len);

				if (t < 0 || t >= (int64_t)ntags)
					continue;
				/* A tag twice would be a test bug. */
				assert_int_equal(seen[t], -1);
				seen[t] = i;
				got++;
			}
		}
	}
	assert_int_equal(got, want);
}

static uint32_t addr_of(int i)
{
	return NET | (uint32_t)(10 + i);
}

/* A scrambled assignment, so that no hash or order lines up with it. */
static unsigned int queue_of(int i)
{
	return (unsigned int)(i * 3 + 1) % NQ;
}

static void need_env(void)
{
	if (skip_why[0]) {
		print_message("SKIP: %s\n", skip_why);
		skip();
	}
}

/* Every flow to a steered address comes out of the queue it was steered to,
 * including after the address moves to another queue.
 */
static void test_steered(void **state)
{
	int seen[NADDR * FLOWS], i, f;
	uint64_t steered0, missed0, steered, missed;
	char why[256] = "";

	need_env();
	mq_open(&cur, "stq0", NQ);
	cur_st = steer_open(cur.fd[0], NQ, why, sizeof(why));
	if (!cur_st)
		fail_msg("steer_open: %s", why);
	for (i = 0; i < NADDR; i++)
		assert_int_equal(steer_set(cur_st, addr_of(i), queue_of(i)), 0);
	assert_int_equal(steer_stats(cur_st, &steered0, &missed0), 0);

	for (i = 0; i < NADDR; i++)
		for (f = 0; f < FLOWS; f++)
			send4(addr_of(i), (uint16_t)(40000 + f),
			      (uint32_t)(i * FLOWS + f));
	collect(&cur, NQ, seen, NADDR * FLOWS, NADDR * FLOWS);
	for (i = 0; i < NADDR; i++)
		for (f = 0; f < FLOWS; f++)
			assert_int_equal(seen[i * FLOWS + f], queue_of(i));
	assert_int_equal(steer_stats(cur_st, &steered, &missed), 0);
	assert_int_equal(steered - steered0, NADDR * FLOWS);

	/* A session moves to another worker: its packets follow. */
	assert_int_equal(steer_set(cur_st, addr_of(0), (queue_of(0) + 2) % NQ), 0);
	for (f = 0; f < FLOWS; f++)
		send4(addr_of(0), (uint16_t)(40000 + f), (uint32_t)f);
	collect(&cur, NQ, seen, FLOWS, FLOWS);
	for (f = 0; f < FLOWS; f++)
		assert_int_equal(seen[f], (queue_of(0) + 2) % NQ);

	steer_close(cur_st);
	cur_st = NULL;
	mq_close(&cur);
}

/*
 * Misses -- an address deleted or never steered, IPv6, a runt -- go to
 * queue 0.
 */
static void test_misses(void **state)
{
	int seen[3 * FLOWS + 1], f;
	uint64_t steered0, missed0, steered, missed;
	char why[256] = "";

	need_env();
	mq_open(&cur, "stq1", NQ);
	cur_st = steer_open(cur.fd[0], NQ, why, sizeof(why));
	if (!cur_st)
		fail_msg("steer_open: %s", why);
	assert_int_equal(steer_set(cur_st, addr_of(1), 3), 0);
	assert_int_equal(steer_del(cur_st, addr_of(1)), 0);
	assert_int_equal(steer_del(cur_st, addr_of(1)), -ENOENT);
	assert_int_equal(steer_stats(cur_st, &steered0, &missed0), 0);

	for (f = 0; f < FLOWS; f++) {
		send4(addr_of(1), (uint16_t)(41000 + f), (uint32_t)f);
		send4(addr_of(5), (uint16_t)(41000 + f), (uint32_t)(FLOWS + f));
		send6((uint16_t)(41000 + f), (uint32_t)(2 * FLOWS + f));
	}
	runt_tag = 3 * FLOWS;
	send_runt(cur.name);
	collect(&cur, NQ, seen, 3 * FLOWS + 1, 3 * FLOWS + 1);
	for (f = 0; f < 3 * FLOWS + 1; f++)
		assert_int_equal(seen[f], 0);
	assert_int_equal(steer_stats(cur_st, &steered, &missed), 0);
	assert_int_equal(steered, steered0);
	/* The stack's own IPv6 packets (MLD, ...) are misses too. */
	assert_true(missed - missed0 >= 3 * FLOWS + 1);

	steer_close(cur_st);
	cur_st = NULL;
	mq_close(&cur);
}

/* Bad arguments are refused before anything is loaded. */
static void test_set_bad_queue(void **state)
{
	char why[256] = "";

	need_env();
	mq_open(&cur, "stq2", 2);
	cur_st = steer_open(cur.fd[1], 2, why, sizeof(why));
	if (!cur_st)
		fail_msg("steer_open: %s", why);
	assert_int_equal(steer_set(cur_st, addr_of(0), 2), -EINVAL);
	assert_int_equal(steer_set(cur_st, addr_of(0), 1), 0);
	steer_close(cur_st);
	cur_st = NULL;
	mq_close(&cur);
}

/*
 * steer_close detaches: the kernel's own spreading by flow hash is back, so
 * many flows to an address once steered to one queue use several queues,
 * and a new steer_open attaches again.
 */
static void test_close_detaches(void **state)
{
	enum { MANY = 32 };
	int seen[MANY], f, on_q = 0;
	char why[256] = "";

	need_env();
	mq_open(&cur, "stq3", NQ);
	cur_st = steer_open(cur.fd[2], NQ, why, sizeof(why));
	if (!cur_st)
		fail_msg("steer_open: %s", why);
	assert_int_equal(steer_set(cur_st, addr_of(3), 3), 0);
	steer_close(cur_st);
	cur_st = NULL;

	for (f = 0; f < MANY; f++)
		send4(addr_of(3), (uint16_t)(42000 + f), (uint32_t)f);
	collect(&cur, NQ, seen, MANY, MANY);
	for (f = 0; f < MANY; f++)
		on_q += seen[f] == 3;
	/* All 32 flows hashed onto one queue: (1/4)^31 by chance. */
	assert_true(on_q < MANY);

	cur_st = steer_open(cur.fd[0], NQ, why, sizeof(why));
	if (!cur_st)
		fail_msg("steer_open again: %s", why);
	assert_int_equal(steer_set(cur_st, addr_of(3), 3), 0);
	for (f = 0; f < MANY; f++)
		send4(addr_of(3), (uint16_t)(42000 + f), (uint32_t)f);
	collect(&cur, NQ, seen, MANY, MANY);
	for (f = 0; f < MANY; f++)
		assert_int_equal(seen[f], 3);
	steer_close(cur_st);
	cur_st = NULL;
	mq_close(&cur);
}

/* A clear error, not a half-attached program, where steering cannot be. */
static void test_open_refused(void **state)
{
	char why[256], actual[IF_NAMESIZE];
	int fd;

	need_env();
	mq_open(&cur, "stq4", 2);
	why[0] = '\0';
	assert_null(steer_open(cur.fd[0], 0, why, sizeof(why)));
	assert_non_null(strstr(why, "0 queues"));
	why[0] = '\0';
	assert_null(steer_open(cur.fd[0], STEER_MAX_QUEUES + 1, why, sizeof(why)));
	assert_non_null(strstr(why, "queues"));
	mq_close(&cur);

	/* A single-queue device: nothing to steer between. */
	fd = tun_open("stq5", actual);
	assert_true(fd >= 0);
	why[0] = '\0';
	assert_null(steer_open(fd, 2, why, sizeof(why)));
	assert_non_null(strstr(why, "not a multi-queue TUN device"));
	close(fd);

	/* Not a TUN queue at all. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	why[0] = '\0';
	assert_null(steer_open(fd, 2, why, sizeof(why)));
	assert_non_null(strstr(why, "not an attached TUN queue"));
	close(fd);
}

/*
 * The program alone (BPF_PROG_TEST_RUN: the kernel runs it on a packet we
 * give, Ethernet header first, with skb->data at the IP header as on the
 * TUN device): each verdict, and what one run costs, printed for the
 * record (ns per run, averaged by the kernel over the repeats).
 */
static unsigned int run_prog(int prog_fd, const void *pkt, size_t len,
			     unsigned int repeat, unsigned int *ns)
{
	struct bpf_test_run_opts o = {
		.sz = sizeof(o), .data_in = pkt,
		.data_size_in = (uint32_t)len, .repeat = (int)repeat,
	};

	assert_int_equal(bpf_prog_test_run_opts(prog_fd, &o), 0);
	if (ns)
		*ns = o.duration;
	return o.retval;
}

static void test_program_verdicts(void **state)
{
	uint8_t p4[14 + 20 + 8] = { [12] = 0x08, [13] = 0x00, [14] = 0x45,
				    [14 + 9] = IPPROTO_UDP };
	uint8_t p6[14 + 40 + 8] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
				    [14 + 6] = IPPROTO_UDP };
	unsigned int hit_ns, miss_ns;
	uint32_t key, val = 3;
	struct tun_steer *sk;
	int fd;

	need_env();
	sk = tun_steer__open();
	assert_non_null(sk);
	assert_int_equal(tun_steer__load(sk), 0);
	fd = bpf_program__fd(sk->progs.tun_steer);
	key = htonl(addr_of(0));
	assert_int_equal(bpf_map__update_elem(sk->maps.steer_map, &key,
					      sizeof(key), &val, sizeof(val),
					      BPF_ANY), 0);

	/* Steered by the destination (offset 16 of the IP header) only. */
	memcpy(p4 + 14 + 16, &key, sizeof(key));
	assert_int_equal(run_prog(fd, p4, sizeof(p4), 1, NULL), 3);
	p4[14] = 0x46;	/* options do not move the destination */
	assert_int_equal(run_prog(fd, p4, sizeof(p4), 1, NULL), 3);
	p4[14] = 0x45;
	memcpy(p4 + 14 + 12, &key, sizeof(key));
	key = htonl(addr_of(1));
	memcpy(p4 + 14 + 16, &key, sizeof(key));
	assert_int_equal(run_prog(fd, p4, sizeof(p4), 1, NULL),
			 TUN_STEER_DEFAULT_QUEUE);
	/* IPv6, whatever its bytes 16..19 hold. */
	key = htonl(addr_of(0));
	memcpy(p6 + 14 + 16, &key, sizeof(key));
	assert_int_equal(run_prog(fd, p6, sizeof(p6), 1, NULL),
			 TUN_STEER_DEFAULT_QUEUE);
	/* Runts: the test run refuses IPv4 shorter than its header, so they
	 * are sent through the device (test_misses).
	 */

	memcpy(p4 + 14 + 16, &key, sizeof(key));
	assert_int_equal(run_prog(fd, p4, sizeof(p4), 1000000, &hit_ns), 3);
	key = htonl(addr_of(1));
	memcpy(p4 + 14 + 16, &key, sizeof(key));
	assert_int_equal(run_prog(fd, p4, sizeof(p4), 1000000, &miss_ns),
			 TUN_STEER_DEFAULT_QUEUE);
	print_message("steering program: %u ns per packet steered, %u ns per miss (BPF_PROG_TEST_RUN, 1e6 runs)\n",
		      hit_ns, miss_ns);
	tun_steer__destroy(sk);
}

/* The environment the tests need, or why it is missing. */
static void setup_env(void)
{
	int fd;

	if (geteuid() != 0) {
		snprintf(skip_why, sizeof(skip_why),
			 "needs root (network namespace, TUN, bpf())");
		return;
	}
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(skip_why, sizeof(skip_why), "/dev/net/tun: %s",
			 strerror(errno));
		return;
	}
	close(fd);
	if (!steer_available()) {
		snprintf(skip_why, sizeof(skip_why),
			 "this kernel or process cannot load a socket filter program (bpf())");
		return;
	}
	/* Our own namespace: the host's interfaces are never touched. */
	if (unshare(CLONE_NEWNET) < 0) {
		snprintf(skip_why, sizeof(skip_why),
			 "unshare(CLONE_NEWNET): %s", strerror(errno));
		return;
	}
	/* No duplicate address detection: the IPv6 address is usable at once. */
	write_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	write_sysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_verdicts),
		cmocka_unit_test_teardown(test_steered, teardown),
		cmocka_unit_test_teardown(test_misses, teardown),
		cmocka_unit_test_teardown(test_set_bad_queue, teardown),
		cmocka_unit_test_teardown(test_close_detaches, teardown),
		cmocka_unit_test_teardown(test_open_refused, teardown),
	};

	setup_env();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
