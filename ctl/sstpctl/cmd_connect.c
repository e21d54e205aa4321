// SPDX-License-Identifier: GPL-2.0
/*
 * sstpctl connect: the Linux client. One session with a TUN device, or in
 * load mode many sessions from one process without TUN devices, sending
 * ICMP echo requests to the gateway and counting the replies, or bulk UDP
 * traffic to a reflector on the gateway (tests/tools/sstp-reflect.c)
 * and counting what comes back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/sstp.h>

#include "config/config.h"
#include "proto/ppp.h"
#include "net/netcfg.h"
#include "net/tun.h"
#include "net/tls.h"
#include "proto/eap_tls.h"
#include "util/log.h"
#include "client.h"
#include "cmd.h"
#include "print.h"
#include "bulk.h"

#define MAX_ROUTES 32

#define BULK_DRAIN_MS	1000		/* echoes still on their way back */

struct conn_ctx {
	struct loop loop;
	struct client_opts co;
	bool json;
	/* single mode */
	const char *ifname;
	const char *resolv_conf;
	char tun_name[IF_NAMESIZE];	/* TUN or sstp device */
	struct ev tun_ev;
	struct tunq tunq;		/* tun_ev.fd's queue, once open */
	bool tun_offload;		/* not --no-offload */
	bool use_kernel;		/* try sstp.ko (not --no-kernel) */
	struct sstpnl kmod;
	struct ev kmod_ev;
	bool sstpnl_open;
	struct cidr4 routes[MAX_ROUTES];
	unsigned int n_routes;
	/* load mode */
	unsigned int load, parallel, started, up, down, failed, lost;
	unsigned int pps;
	double hold;
	uint64_t t0, t_last_up;
	uint64_t echo_sent, echo_recv;
	/* load mode, --bulk: UDP to the reflector's port during the hold */
	struct bulk_opts bulk;		/* bulk.port 0: no bulk */
	struct bulk_flow *flows;	/* one per session */
	struct bulk_stats bst;
	uint64_t bulk_t0, bulk_t1, bulk_last_ms;	/* start, stop sending */
	struct client *clients;
	bool stopping, done;
	int exit_code;
	char first_error[256];
};

static void connect_usage(FILE *f)
{
	fprintf(f,
		"Usage: sstpctl connect HOST[:PORT] --ca FILE --cert FILE --key FILE [options]\n"
		"  --ca FILE          CA certificate(s) that issued the gateway's certificate\n"
		"  --cert FILE        client certificate (PEM, chain may follow)\n"
		"  --key FILE         its private key (mode 0600)\n"
		"  --name NAME        gateway name for TLS (default: HOST)\n"
		"  --insecure         do not check the gateway's name (tests only)\n"
		"  --identity ID      EAP identity (default: the certificate subject CN)\n"
		"  --interface NAME   TUN device name (default: sstpc%%d)\n"
		"  --route CIDR       route this network through the tunnel (repeatable)\n"
		"  --mtu N            MTU/MRU (default 1400)\n"
		"  --tls VERSION      use only TLS 1.2 or 1.3 for the outer connection\n"
		"  --no-ktls          keep TLS in userspace even where kTLS is available\n"
		"  --no-kernel        do not use the sstp kernel module's data path\n"
		"  --no-offload       one packet per TUN read and write (no TSO/GRO)\n"
		"  --resolv-conf FILE write the gateway's DNS servers to FILE while up\n"
		"  --timeout S        seconds to come up (default 30)\n"
		"  --load N           open N sessions without TUN devices (load mode)\n"
		"  --parallel P       load mode: handshakes in flight (default 32)\n"
		"  --ping PPS         load mode: ICMP echo requests per second per session\n"
		"  --hold S           load mode: keep the sessions up S seconds (default 0)\n"
		"  --bulk PORT        load mode: once all are up, every session sends UDP\n"
		"                     datagrams to PORT on the gateway's address for the hold\n"
		"                     time; a reflector there echoes them (sstp-reflect)\n"
		"  --bulk-mbit RATE   load mode: bulk rate per session, Mbit/s of UDP payload\n"
		"                     (default 0: as fast as the tunnel takes it)\n"
		"  --bulk-size BYTES  load mode: UDP payload per datagram (default: MTU - 28)\n"
		"  --bulk-window N    load mode: most datagrams in flight per session (sent, not\n"
		"                     echoed); below it the window adapts like TCP's, halved\n"
		"                     when echoes go missing (default 256; 0: open loop)\n"
		"  -j, --json         JSON output\n");
}

static void ip4s(uint32_t a, char *out)
{
	struct in_addr in = { .s_addr = htonl(a) };

	inet_ntop(AF_INET, &in, out, INET_ADDRSTRLEN);
}

/* Single-session mode. */

static int to_gateway(void *ctx, const uint8_t *pkt, size_t len)
{
	struct client *c = ctx;

	if (client_send_ip(c, pkt, len) == -ENOBUFS)
		c->link.st.tx_dropped++;
	return 0;
}

static void tun_read(struct ev *ev, uint32_t events)
{
	struct conn_ctx *x = (struct conn_ctx *)((char *)ev -
				offsetof(struct conn_ctx, tun_ev));
	struct client *c = x->clients;
	/* Super-packets are cut to what the gateway takes (its MRU). */
	size_t mtu = c->ppp ? ppp_peer_mru(c->ppp) : x->co.mtu;
	int i;

	for (i = 0; i < 256; i++) {
		uint8_t *p;
		ssize_t n = tunq_read(&x->tunq, &p);

		if (n == -EINVAL)
			continue;
		if (n <= 0)
			break;
		tunq_segments(&x->tunq, p, (size_t)n, mtu, to_gateway, c);
	}
	client_flush(c);
}

/* Like pppd's usepeerdns: the servers in resolv.conf format, 0644. */
static int write_resolv(const char *path, const char *d0, const char *d1)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# written by sstpctl connect; removed on disconnect\n"
		"nameserver %s\n", d0);
	if (d1)
		fprintf(f, "nameserver %s\n", d1);
	return fclose(f);
}

/* The address, routes and resolv.conf on the device in x->tun_name. */
static int configure(struct conn_ctx *x, struct client *c, bool via)
{
	unsigned int i;
	int ret;

	ret = netcfg_link_up(x->tun_name, x->co.mtu);
	if (!ret)
		ret = netcfg_addr_add(x->tun_name, c->local, 32, c->gateway);
	for (i = 0; !ret && i < x->n_routes; i++) {
		/* sstp.ko picks the session by next hop. */
		ret = via ? netcfg_route_add_via(x->tun_name, &x->routes[i],
						 c->gateway) :
			    netcfg_route_add(x->tun_name, &x->routes[i]);
		if (ret == -EEXIST)
			ret = 0;
	}
	if (ret) {
		snprintf(x->first_error, sizeof(x->first_error),
			 "cannot configure %s: %s", x->tun_name, strerror(-ret));
		return ret;
	}
	return 0;
}

static void announce(struct conn_ctx *x, struct client *c, const char *path)
{
	char l[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN], d0[INET_ADDRSTRLEN],
	     d1[INET_ADDRSTRLEN];

	ip4s(c->local, l);
	ip4s(c->gateway, g);
	ip4s(c->dns[0], d0);
	ip4s(c->dns[1], d1);
	if (x->resolv_conf && c->dns[0] && write_resolv(x->resolv_conf, d0,
			c->dns[1] ? d1 : NULL)) {
		snprintf(x->first_error, sizeof(x->first_error),
			 "cannot write %s: %s", x->resolv_conf, strerror(errno));
		client_disconnect(c, x->first_error);
		return;
	}
	if (x->json)
		printf("{\"event\":\"up\",\"interface\":\"%s\",\"address\":\"%s\","
		       "\"gateway\":\"%s\",\"tls\":\"%s\",\"path\":\"%s\","
		       "\"dns\":[%s%s%s%s%s%s%s]}\n",
		       x->tun_name, l, g, SSL_get_version(c->link.ssl), path,
		       c->dns[0] ? "\"" : "", c->dns[0] ? d0 : "",
		       c->dns[0] ? "\"" : "", c->dns[1] ? ",\"" : "",
		       c->dns[1] ? d1 : "", c->dns[1] ? "\"" : "", "");
	else
		printf("up: interface %s address %s gateway %s dns %s%s%s "
		       "(%s, %s)\n", x->tun_name, l, g, c->dns[0] ? d0 : "-",
		       c->dns[1] ? " " : "", c->dns[1] ? d1 : "",
		       SSL_get_version(c->link.ssl), path);
	fflush(stdout);
}

static void tun_up(struct conn_ctx *x, struct client *c)
{
	int ret;

	ret = tunq_open(&x->tunq, x->ifname ? x->ifname : "sstpc%d", 0,
			x->tun_offload, x->tun_name);
	if (ret) {
		snprintf(x->first_error, sizeof(x->first_error),
			 "cannot create TUN device: %s", strerror(-ret));
		client_disconnect(c, x->first_error);
		return;
	}
	x->tun_ev.fd = x->tunq.fd;
	x->tun_ev.cb = tun_read;
	if (configure(x, c, false) || loop_add(&x->loop, &x->tun_ev, EPOLLIN)) {
		client_disconnect(c, x->first_error);
		return;
	}
	announce(x, c, link_path(&c->link));
}

static void kmod_recv(void *ctx, uint32_t id, const uint8_t *pkt, size_t len)
{
	struct conn_ctx *x = ctx;

	if (x->clients[0].kpath && x->clients[0].kid == id)
		client_kernel_input(&x->clients[0], pkt, len);
}

static void kmod_del(void *ctx, const struct sstpnl_stats *st)
{
	struct conn_ctx *x = ctx;

	if (x->clients[0].kpath && x->clients[0].kid == st->id)
		client_kernel_gone(&x->clients[0], st);
}

static const struct sstpnl_ops conn_kmod_ops = {
	.recv = kmod_recv,
	.del = kmod_del,
};

struct seen {
	uint32_t id;
	bool found;
};

static void seen_cb(void *arg, const struct sstpnl_stats *st)
{
	struct seen *v = arg;

	if (st->id == v->id)
		v->found = true;
}

static void kmod_read(struct ev *ev, uint32_t events)
{
	struct conn_ctx *x = (struct conn_ctx *)((char *)ev -
				offsetof(struct conn_ctx, kmod_ev));
	struct client *c = &x->clients[0];

	(void)events;
	/* Lost notifications: the session may have ended unseen. */
	if (sstpnl_process(&x->kmod) == -ENOBUFS && c->kpath && !c->kgone) {
		struct sstpnl_stats st = { .id = c->kid,
			.reason = SSTP_DEL_REASON_TRANSPORT_ERROR };
		struct seen v = { .id = c->kid };
		int ret = sstpnl_session_dump(&x->kmod, seen_cb, &v);

		if (ret == -ENODEV || ret == -ENOENT || (!ret && !v.found))
			client_kernel_gone(c, &st);
	}
}

static void kernel_down(struct conn_ctx *x)
{
	if (!x->sstpnl_open)
		return;
	loop_del(&x->loop, &x->kmod_ev);
	sstpnl_close(&x->kmod);	/* deletes the device */
	x->sstpnl_open = false;
}

/* Device, address and routes for the kernel path. 0 or -errno (logged). */
static int kernel_up(struct conn_ctx *x, struct client *c)
{
	char err[512];

	if (sstpnl_open(&x->kmod, &conn_kmod_ops, x, err, sizeof(err))) {
		log_info("kernel data path unavailable: %s", err);
		return -ENODEV;
	}
	x->sstpnl_open = true;
	x->kmod_ev.fd = sstpnl_fd(&x->kmod);
	x->kmod_ev.cb = kmod_read;
	if (sstpnl_dev_create(&x->kmod, x->ifname ? x->ifname : "sstpc%d",
			    x->co.mtu, err, sizeof(err)) ||
	    loop_add(&x->loop, &x->kmod_ev, EPOLLIN)) {
		log_warn("kernel data path unavailable: %s", err);
		kernel_down(x);
		return -ENODEV;
	}
	snprintf(x->tun_name, sizeof(x->tun_name), "%s", x->kmod.ifname);
	if (configure(x, c, true)) {
		log_warn("kernel data path: %s", x->first_error);
		x->first_error[0] = '\0';
		kernel_down(x);
		return -EIO;
	}
	return 0;
}

static void single_up(struct client *c)
{
	struct conn_ctx *x = c->owner;

	if (x->use_kernel && c->link.ktls && !kernel_up(x, c)) {
		client_use_kernel(c, &x->kmod);	/* continues in single_kernel */
		return;
	}
	tun_up(x, c);
}

static void single_kernel(struct client *c, int err, const char *why)
{
	struct conn_ctx *x = c->owner;

	if (!err) {
		announce(x, c, "kernel");
		return;
	}
	log_warn("kernel data path refused the session: %s; using a TUN device",
		 why);
	kernel_down(x);
	tun_up(x, c);
}

static void single_down(struct client *c, const char *why)
{
	struct conn_ctx *x = c->owner;

	if (c->up_ms && (x->stopping || !strcmp(why, "disconnected"))) {
		x->exit_code = 0;
	} else {
		x->exit_code = 2;
		fprintf(stderr, "sstpctl: connect: %s\n", why);
	}
	if (x->json) {
		printf("{\"event\":\"down\",\"reason\":");
		json_escape(stdout, why);
		printf("}\n");
	} else
		printf("down: %s\n", why);
	fflush(stdout);
	x->done = true;
}

static void single_ip(struct client *c, const uint8_t *pkt, size_t len)
{
	struct conn_ctx *x = c->owner;

	/* Coalesced; written at the end of the batch (run). */
	if (x->tun_ev.fd >= 0 && tunq_write(&x->tunq, pkt, len))
		c->link.st.tx_dropped++;
}

static const struct client_ops single_ops = {
	.up = single_up, .down = single_down, .ip = single_ip,
	.kernel = single_kernel,
};

/* Load mode. */

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void send_echo(struct conn_ctx *x, struct client *c, uint16_t seq)
{
	uint8_t p[84] = { 0 };
	uint16_t ck, id = (uint16_t)(c - x->clients);
	size_t n = sizeof(p);

	p[0] = 0x45;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	p[8] = 64;
	p[9] = 1;	/* ICMP */
	p[12] = (uint8_t)(c->local >> 24); p[13] = (uint8_t)(c->local >> 16);
	p[14] = (uint8_t)(c->local >> 8); p[15] = (uint8_t)c->local;
	p[16] = (uint8_t)(c->gateway >> 24); p[17] = (uint8_t)(c->gateway >> 16);
	p[18] = (uint8_t)(c->gateway >> 8); p[19] = (uint8_t)c->gateway;
	ck = csum(p, 20);
	p[10] = (uint8_t)(ck >> 8);
	p[11] = (uint8_t)ck;
	p[20] = 8;	/* echo request */
	p[24] = (uint8_t)(id >> 8); p[25] = (uint8_t)id;
	p[26] = (uint8_t)(seq >> 8); p[27] = (uint8_t)seq;
	memset(p + 28, 0xa5, n - 28);
	ck = csum(p + 20, n - 20);
	p[22] = (uint8_t)(ck >> 8);
	p[23] = (uint8_t)ck;
	if (!client_send_ip(c, p, n))
		x->echo_sent++;
}

/* Bulk starts: a flow for every session that is up. */
static void bulk_start(struct conn_ctx *x, uint64_t now)
{
	unsigned int i;

	x->bulk_t0 = x->bulk_last_ms = now;
	for (i = 0; i < x->started; i++) {
		struct client *c = &x->clients[i];

		if (c->state == CS_UP &&
		    bulk_flow_init(&x->flows[i], &x->bulk, i, c->local,
				   c->gateway, now))
			break;
	}
}

/*
 * Queue session i's datagrams: what its pace and window allow, or until
 * its queue is full; write them out after each batch. Stops early when
 * the socket is full (EPOLLOUT brings us back).
 */
static void bulk_send(struct conn_ctx *x, unsigned int i)
{
	struct bulk_flow *f = &x->flows[i];
	struct client *c = &x->clients[i];
	size_t n = BULK_HDR + x->bulk.size;
	int round;

	if (!f->pkt || c->state != CS_UP)
		return;
	for (round = 0; round < 4 && !c->link.write_blocked; round++) {
		unsigned int queued = 0;

		while (bulk_can_send(f, &x->bulk)) {
			if (client_send_ip(c, bulk_next(f, &x->bulk), n))
				break;
			bulk_sent(f, &x->bulk, &x->bst);
			queued++;
		}
		if (!queued)
			break;
		client_flush(c);
		if (c->state != CS_UP)
			return;
	}
}

/* One pass over the sessions: pace, then send. */
static void bulk_tick(struct conn_ctx *x, uint64_t now)
{
	unsigned int i;

	for (i = 0; i < x->started; i++) {
		bulk_flow_tick(&x->flows[i], &x->bulk, now - x->bulk_last_ms,
			       now);
		bulk_send(x, i);
	}
	x->bulk_last_ms = now;
}

static void load_up(struct client *c)
{
	struct conn_ctx *x = c->owner;

	x->up++;
	x->t_last_up = now_ms();
}

static void load_down(struct client *c, const char *why)
{
	struct conn_ctx *x = c->owner;

	x->down++;
	if (c->up_ms && x->stopping)
		return;
	/* Never up: failed. Up, then ended by the gateway: lost. */
	if (c->up_ms)
		x->lost++;
	else
		x->failed++;
	if (!x->first_error[0])
		snprintf(x->first_error, sizeof(x->first_error), "%s", why);
}

static void load_ip(struct client *c, const uint8_t *p, size_t n)
{
	struct conn_ctx *x = c->owner;

	if (n < 28 || p[0] >> 4 != 4)
		return;
	if (x->bulk.port && bulk_input(&x->flows[c - x->clients], &x->bulk,
				       p, n, now_ms(), &x->bst))
		return;
	if (p[9] == 1 && p[20] == 0)
		x->echo_recv++;
}

static const struct client_ops load_ops = {
	.up = load_up, .down = load_down, .ip = load_ip,
};

static void start_more(struct conn_ctx *x)
{
	/* In flight: started, neither up nor failed yet. */
	while (x->started < x->load && !x->stopping &&
	       x->started - (x->up + x->failed) < x->parallel) {
		struct client *c = &x->clients[x->started++];
		int ret = client_start(c, &x->loop, &x->co, &load_ops, x);

		if (ret) {
			c->state = CS_DONE;
			x->failed++;
			x->down++;
			if (!x->first_error[0])
				snprintf(x->first_error, sizeof(x->first_error),
					 "cannot connect: %s", strerror(-ret));
		}
	}
}

static int run(struct conn_ctx *x, bool load_mode)
{
	uint64_t next_tick = now_ms(), hold_until = 0, last_ping = 0;
	uint16_t seq = 0;
	sigset_t set;
	struct ev sev;
	unsigned int n = load_mode ? x->load : 1, i;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sev.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	sev.cb = NULL;
	if (sev.fd >= 0)
		loop_add(&x->loop, &sev, EPOLLIN);
	x->t0 = now_ms();
	if (load_mode)
		start_more(x);
	while (!x->done) {
		struct epoll_event e[64];
		uint64_t now = now_ms();
		bool more = false;
		int k, r, timeout;

		for (i = 0; i < x->started; i++)
			if (x->clients[i].more)
				more = true;
		if (x->sstpnl_open && sstpnl_pending(&x->kmod)) {
			kmod_read(&x->kmod_ev, 0);
			more = true;
		}
		if (x->bulk_t0 && !x->bulk_t1) {
			/* Unpaced: go on while a socket still takes data. */
			for (i = 0; !x->bulk.mbit && !more && i < x->started; i++)
				if (x->clients[i].state == CS_UP &&
				    !x->clients[i].link.write_blocked &&
				    bulk_can_send(&x->flows[i], &x->bulk))
					more = true;
			timeout = more ? 0 : 1;
		} else {
			timeout = more ? 0 : 50;
		}
		r = epoll_wait(x->loop.epfd, e, 64, timeout);
		for (k = 0; k < r; k++) {
			struct ev *ev = e[k].data.ptr;

			if (ev == &sev) {
				struct signalfd_siginfo si;

				while (read(sev.fd, &si, sizeof(si)) > 0)
					;
				x->stopping = true;
				for (i = 0; i < x->started; i++)
					client_disconnect(&x->clients[i],
							  "interrupted");
				continue;
			}
			ev->cb(ev, e[k].events);
		}
		for (i = 0; i < x->started; i++)
			client_more(&x->clients[i]);
		/* Packets from the gateway, coalesced in this batch. */
		if (!load_mode && x->tun_ev.fd >= 0)
			tunq_flush(&x->tunq);
		now = now_ms();
		if (now >= next_tick) {
			for (i = 0; i < x->started; i++)
				client_tick(&x->clients[i], now);
			next_tick = now + 250;
		}
		if (!load_mode) {
			if (x->clients[0].state == CS_DONE)
				x->done = true;
			continue;
		}
		start_more(x);
		if (x->pps && x->up && now - last_ping >= 1000 / x->pps) {
			last_ping = now;
			seq++;
			for (i = 0; i < x->started; i++)
				if (x->clients[i].state == CS_UP &&
				    !x->stopping) {
					send_echo(x, &x->clients[i], seq);
					client_flush(&x->clients[i]);
				}
		}
		if (!x->stopping && x->up + x->failed >= n) {
			if (!hold_until) {
				hold_until = now + (uint64_t)(x->hold * 1000);
				if (x->bulk.port)
					bulk_start(x, now);
			}
			if (x->bulk_t0 && !x->bulk_t1) {
				if (now < hold_until)
					bulk_tick(x, now);
				else
					x->bulk_t1 = now;
			}
			/* Then echoes still on their way may come back. */
			if (x->bulk_t1 && now < x->bulk_t1 + BULK_DRAIN_MS &&
			    x->bst.rx + x->bst.bad < x->bst.tx)
				continue;
			if (now >= hold_until) {
				x->stopping = true;
				for (i = 0; i < x->started; i++)
					client_disconnect(&x->clients[i],
							  "load run finished");
			}
		}
		if (x->down >= n)
			x->done = true;
	}
	(void)n;
	if (sev.fd >= 0)
		close(sev.fd);
	return 0;
}

static double bulk_seconds(const struct conn_ctx *x)
{
	return x->bulk_t1 > x->bulk_t0 ?
	       (double)(x->bulk_t1 - x->bulk_t0) / 1000.0 : 0;
}

static uint64_t bulk_lost(const struct conn_ctx *x)
{
	return x->bst.tx > x->bst.rx ? x->bst.tx - x->bst.rx : 0;
}

/* Payload bytes over the bulk time, Mbit/s. */
static double bulk_mbit(const struct conn_ctx *x, uint64_t bytes)
{
	double s = bulk_seconds(x);

	return s > 0 ? (double)bytes * 8 / s / 1e6 : 0;
}

/*
 * Goodput counts payload that came back: it crossed the tunnel both ways,
 * so it is the rate of each direction (the reflector counts the uplink).
 */
static void bulk_report_json(const struct conn_ctx *x)
{
	printf(",\"bulk\":{\"port\":%u,\"payload_bytes\":%u,"
	       "\"mbit_per_session\":%.3f,\"window\":%u,\"seconds\":%.3f,"
	       "\"sent_datagrams\":%llu,\"sent_bytes\":%llu,"
	       "\"received_datagrams\":%llu,\"received_bytes\":%llu,"
	       "\"lost_datagrams\":%llu,\"invalid_datagrams\":%llu,"
	       "\"offered_mbit\":%.1f,\"goodput_mbit\":%.1f}",
	       x->bulk.port, x->bulk.size, x->bulk.mbit, x->bulk.window,
	       bulk_seconds(x),
	       (unsigned long long)x->bst.tx,
	       (unsigned long long)x->bst.tx_bytes,
	       (unsigned long long)x->bst.rx,
	       (unsigned long long)x->bst.rx_bytes,
	       (unsigned long long)bulk_lost(x),
	       (unsigned long long)x->bst.bad,
	       bulk_mbit(x, x->bst.tx_bytes), bulk_mbit(x, x->bst.rx_bytes));
}

static void load_report(struct conn_ctx *x)
{
	double secs = x->t_last_up ? (double)(x->t_last_up - x->t0) / 1000.0 :
		      (double)(now_ms() - x->t0) / 1000.0;
	double rate = secs > 0 ? x->up / secs : 0;

	if (x->json) {
		printf("{\"sessions\":%u,\"up\":%u,\"failed\":%u,\"lost\":%u,"
		       "\"seconds\":%.3f,"
		       "\"sessions_per_second\":%.1f,\"echo_sent\":%llu,"
		       "\"echo_received\":%llu",
		       x->load, x->up, x->failed, x->lost, secs, rate,
		       (unsigned long long)x->echo_sent,
		       (unsigned long long)x->echo_recv);
		if (x->bulk.port)
			bulk_report_json(x);
		if (x->first_error[0]) {
			printf(",\"first_error\":");
			json_escape(stdout, x->first_error);
		}
		printf("}\n");
	} else
		printf("load: %u of %u sessions up in %.3f s (%.1f sessions/s), "
		       "%u failed, %u lost, echo %llu sent %llu received%s%s\n",
		       x->up, x->load, secs, rate, x->failed, x->lost,
		       (unsigned long long)x->echo_sent,
		       (unsigned long long)x->echo_recv,
		       x->first_error[0] ? "; first error: " : "",
		       x->first_error);
	if (!x->json && x->bulk.port)
		printf("bulk: %.3f s, %llu datagrams of %u bytes sent, %llu "
		       "echoed (%llu lost, %llu invalid); goodput %.1f Mbit/s "
		       "each way (offered %.1f)\n", bulk_seconds(x),
		       (unsigned long long)x->bst.tx, x->bulk.size,
		       (unsigned long long)x->bst.rx,
		       (unsigned long long)bulk_lost(x),
		       (unsigned long long)x->bst.bad,
		       bulk_mbit(x, x->bst.rx_bytes),
		       bulk_mbit(x, x->bst.tx_bytes));
}

static int split_host_port(const char *arg, char *host, size_t hl,
			   char *port, size_t pl)
{
	const char *colon;

	if (arg[0] == '[') {
		const char *end = strchr(arg, ']');

		if (!end)
			return -EINVAL;
		snprintf(host, hl, "%.*s", (int)(end - arg - 1), arg + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(arg, ':');
		if (colon && strchr(arg, ':') != colon)
			colon = NULL;	/* bare IPv6 */
		snprintf(host, hl, "%.*s",
			 (int)(colon ? (size_t)(colon - arg) : strlen(arg)), arg);
	}
	snprintf(port, pl, "%s", colon ? colon + 1 : "443");
	return *host ? 0 : -EINVAL;
}

static const struct option connect_opts[] = {
	{ "ca", required_argument, NULL, 'a' },
	{ "cert", required_argument, NULL, 'c' },
	{ "key", required_argument, NULL, 'k' },
	{ "name", required_argument, NULL, 'n' },
	{ "insecure", no_argument, NULL, 'I' },
	{ "identity", required_argument, NULL, 'i' },
	{ "interface", required_argument, NULL, 'f' },
	{ "route", required_argument, NULL, 'r' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "resolv-conf", required_argument, NULL, 'R' },
	{ "tls", required_argument, NULL, 'T' },
	{ "no-ktls", no_argument, NULL, 'K' },
	{ "no-kernel", no_argument, NULL, 'N' },
	{ "no-offload", no_argument, NULL, 'O' },
	{ "timeout", required_argument, NULL, 't' },
	{ "load", required_argument, NULL, 'L' },
	{ "parallel", required_argument, NULL, 'P' },
	{ "ping", required_argument, NULL, 'p' },
	{ "hold", required_argument, NULL, 'H' },
	{ "bulk", required_argument, NULL, 'b' },
	{ "bulk-mbit", required_argument, NULL, 'B' },
	{ "bulk-size", required_argument, NULL, 'S' },
	{ "bulk-window", required_argument, NULL, 'W' },
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* A numeric option (c) with its value v: 0, or 1 after a message. */
static int connect_number(struct conn_ctx *x, int c, const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || *end || end == arg || v > 1000000) {
		fprintf(stderr, "sstpctl: connect: bad number `%s'\n", arg);
		return 1;
	}
	switch (c) {
	case 'm':
		if (v < 576 || v > 4087) {
			fprintf(stderr, "sstpctl: connect: MTU must be 576..4087\n");
			return 1;
		}
		x->co.mtu = (unsigned int)v;
		break;
	case 't': x->co.timeout = (unsigned int)v; break;
	case 'L': x->load = (unsigned int)v; break;
	case 'P': x->parallel = v ? (unsigned int)v : 1; break;
	case 'p': x->pps = (unsigned int)v; break;
	case 'H': x->hold = (double)v; break;
	case 'b':
		if (!v || v > 65535) {
			fprintf(stderr, "sstpctl: connect: --bulk takes a UDP port\n");
			return 1;
		}
		x->bulk.port = (uint16_t)v;
		break;
	case 'S':
		if (v < BULK_MIN || v > 4087 - BULK_HDR) {
			fprintf(stderr, "sstpctl: connect: --bulk-size must be %d..%d\n",
				BULK_MIN, 4087 - BULK_HDR);
			return 1;
		}
		x->bulk.size = (unsigned int)v;
		break;
	case 'W': x->bulk.window = (unsigned int)v; break;
	}
	return 0;
}

/*
 * The command line into x and to (ident: --identity). -1 to go on, else
 * the exit status (0 after --help, 1 on misuse).
 */
static int connect_args(int argc, char **argv, struct conn_ctx *x,
			struct tls_client_opts *to, char *ident, size_t identlen)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", connect_opts, NULL)) != -1) {
		switch (c) {
		case 'a': to->ca_file = optarg; break;
		case 'c': to->cert_file = optarg; break;
		case 'k': to->key_file = optarg; break;
		case 'n': x->co.server_name = optarg; break;
		case 'I': to->insecure = x->co.insecure = true; break;
		case 'i': snprintf(ident, identlen, "%s", optarg); break;
		case 'f': x->ifname = optarg; break;
		case 'R': x->resolv_conf = optarg; break;
		case 'K': to->ktls = x->co.ktls = false; break;
		case 'N': x->use_kernel = false; break;
		case 'O': x->tun_offload = false; break;
		case 'T':
			if (!strcmp(optarg, "1.2")) {
				to->min_version = to->max_version = TLS1_2_VERSION;
			} else if (!strcmp(optarg, "1.3")) {
				to->min_version = to->max_version = TLS1_3_VERSION;
			} else {
				fprintf(stderr, "sstpctl: connect: --tls takes 1.2 or 1.3\n");
				return 1;
			}
			break;
		case 'j': x->json = true; break;
		case 'h': connect_usage(stdout); return 0;
		case 'r':
			if (x->n_routes >= MAX_ROUTES ||
			    cidr4_parse(optarg, &x->routes[x->n_routes])) {
				fprintf(stderr, "sstpctl: connect: bad route `%s'\n",
					optarg);
				return 1;
			}
			x->n_routes++;
			break;
		case 'm': case 't': case 'L': case 'P': case 'p': case 'H':
		case 'b': case 'S': case 'W':
			if (connect_number(x, c, optarg))
				return 1;
			break;
		case 'B': {
			char *end;

			errno = 0;
			x->bulk.mbit = strtod(optarg, &end);
			if (errno || *end || end == optarg ||
			    !(x->bulk.mbit >= 0 && x->bulk.mbit <= 100000)) {
				fprintf(stderr, "sstpctl: connect: bad rate `%s' (Mbit/s, 0..100000)\n",
					optarg);
				return 1;
			}
			break;
		}
		default:
			connect_usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1 || !to->cert_file || !to->key_file ||
	    (!to->ca_file && !to->insecure)) {
		fprintf(stderr, "sstpctl: connect: need HOST, --cert, --key and --ca\n");
		connect_usage(stderr);
		return 1;
	}
	if (x->bulk.port && (!x->load || x->hold <= 0)) {
		fprintf(stderr, "sstpctl: connect: --bulk needs --load and --hold\n");
		return 1;
	}
	if (!x->bulk.size)
		x->bulk.size = x->co.mtu - BULK_HDR;
	if (x->bulk.size > x->co.mtu - BULK_HDR) {
		fprintf(stderr, "sstpctl: connect: --bulk-size is above MTU - %d\n",
			BULK_HDR);
		return 1;
	}
	return -1;
}

/* --load: many clients at once, then the report. The exit status. */
static int connect_load(struct conn_ctx *x)
{
	x->clients = calloc(x->load, sizeof(*x->clients));
	x->flows = calloc(x->load, sizeof(*x->flows));
	if (!x->clients || !x->flows) {
		free(x->clients);
		free(x->flows);
		return 2;
	}
	run(x, true);
	load_report(x);
	for (unsigned int i = 0; i < x->started; i++) {
		client_destroy(&x->clients[i]);
		bulk_flow_free(&x->flows[i]);
	}
	free(x->clients);
	free(x->flows);
	return x->failed || x->lost ? 2 : 0;
}

/* One client, until it ends. The exit status. */
static int connect_one(struct conn_ctx *x)
{
	static struct client single;
	int ret;

	x->clients = &single;
	ret = client_start(&single, &x->loop, &x->co, &single_ops, x);
	if (ret) {
		fprintf(stderr, "sstpctl: connect: cannot connect to %s:%s: %s\n",
			x->co.host, x->co.port, strerror(-ret));
		return 2;
	}
	x->started = 1;
	run(x, false);
	client_destroy(&single);
	kernel_down(x);
	if (x->tun_ev.fd >= 0)
		tunq_close(&x->tunq);
	if (x->resolv_conf && single.up_ms)
		unlink(x->resolv_conf);
	return x->exit_code;
}

int cmd_connect_main(int argc, char **argv)
{
	static struct conn_ctx x;
	struct tls_client_opts to = { 0 };
	char host[256], port[16], err[512], ident[256] = "";
	int ret;

	memset(&x, 0, sizeof(x));
	x.tun_ev.fd = -1;
	x.co.mtu = 1400;
	x.co.timeout = 30;
	x.co.want_dns = true;
	x.parallel = 32;
	x.bulk.window = 256;
	x.json = cmd_json;
	to.ktls = x.co.ktls = true;
	x.use_kernel = true;
	x.tun_offload = true;
	x.tunq.fd = -1;
	ret = connect_args(argc, argv, &x, &to, ident, sizeof(ident));
	if (ret >= 0)
		return ret;
	if (split_host_port(argv[optind], host, sizeof(host), port,
			    sizeof(port))) {
		fprintf(stderr, "sstpctl: connect: bad address `%s'\n",
			argv[optind]);
		return 1;
	}
	sstp_log_init("sstpctl", true, SSTP_LOG_WARN);
	x.co.host = host;
	x.co.port = port;
	if (tls_client_ctx(&to, &x.co.tls, err, sizeof(err)) ||
	    tls_eap_client_ctx(&to, &x.co.eap, err, sizeof(err))) {
		fprintf(stderr, "sstpctl: connect: %s\n", err);
		return 2;
	}
	eap_tls_ctx_init(x.co.eap);
	if (!ident[0]) {
		X509 *me = SSL_CTX_get0_certificate(x.co.eap);

		X509_NAME_get_text_by_NID(X509_get_subject_name(me),
					  NID_commonName, ident, sizeof(ident));
	}
	x.co.identity = ident;
	if (loop_init(&x.loop))
		return 2;
	ret = x.load ? connect_load(&x) : connect_one(&x);
	SSL_CTX_free(x.co.tls);
	SSL_CTX_free(x.co.eap);
	loop_destroy(&x.loop);
	return ret;
}
