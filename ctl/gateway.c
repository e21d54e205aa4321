// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gateway.h"
#include "gw_kmod.h"
#include "log.h"
#include "netcfg.h"
#include "session.h"
#include "tls.h"
#include "trust.h"

#define TICK_MS		250
#define TUN_BATCH	256
#define TUN_BUF		65536

static uint8_t tun_buf[TUN_BUF];

static unsigned int addr_hash(const struct gateway *gw, uint32_t addr)
{
	addr *= 0x9e3779b1u;
	return (addr >> 16) & gw->table_mask;
}

void gateway_table_add(struct gateway *gw, struct session *s)
{
	unsigned int h = addr_hash(gw, s->addr);

	s->hnext = gw->table[h];
	gw->table[h] = s;
	s->in_table = true;
}

void gateway_table_del(struct gateway *gw, struct session *s)
{
	struct session **pp = &gw->table[addr_hash(gw, s->addr)];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == s) {
			*pp = s->hnext;
			break;
		}
	}
	s->in_table = false;
	s->hnext = NULL;
}

struct session *gateway_table_find(struct gateway *gw, uint32_t addr)
{
	struct session *s = gw->table[addr_hash(gw, addr)];

	while (s && s->addr != addr)
		s = s->hnext;
	return s;
}

void gateway_mark_dirty(struct gateway *gw, struct session *s)
{
	if (s->on_dirty)
		return;
	s->on_dirty = true;
	s->dnext = gw->dirty;
	gw->dirty = s;
}

void gateway_mark_more(struct gateway *gw, struct session *s)
{
	if (s->on_more)
		return;
	s->on_more = true;
	s->mnext = gw->more;
	gw->more = s;
}

void gateway_tun_write(struct gateway *gw, const uint8_t *pkt, size_t len)
{
	if (write(gw->tun_ev.fd, pkt, len) < 0)
		gw->ctr.tun_rx_errors++;
}

static void session_ev(struct ev *ev, uint32_t events)
{
	struct session *s = (struct session *)ev;

	session_io(s, events);
}

static void accept_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, listen_ev));
	int i;

	for (i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char host[INET6_ADDRSTRLEN] = "?", peer[64];
		struct session *s;
		int one = 1;
		int fd = accept4(ev->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		gw->ctr.accepted++;
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
			snprintf(peer, sizeof(peer), "%s:%u", host,
				 ntohs(a->sin_port));
		} else {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
			snprintf(peer, sizeof(peer), "[%s]:%u", host,
				 ntohs(a->sin6_port));
		}
		if (gw->stopping || gw->nsessions >= gw->cfg.max_sessions ||
		    gw->nhandshakes >= gw->cfg.max_handshakes) {
			gw->ctr.over_limit++;
			log_warn("refused %s: %s", peer, gw->stopping ?
				 "gateway is stopping" :
				 gw->nsessions >= gw->cfg.max_sessions ?
				 "MaxSessions reached" : "MaxHandshakes reached");
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		s = session_new(gw, fd, peer);
		if (!s) {
			log_err("refused %s: out of memory", peer);
			continue;
		}
		s->ev.cb = session_ev;
		if (loop_add(&gw->loop, &s->ev, EPOLLIN | EPOLLOUT | EPOLLRDHUP |
						EPOLLET)) {
			session_free(s);
			continue;
		}
		s->next = gw->sessions;
		if (gw->sessions)
			gw->sessions->prev = s;
		gw->sessions = s;
		gw->nsessions++;
		gw->nhandshakes++;
		s->counted_handshake = true;
		log_debug("session %llu [%s]: accepted",
			  (unsigned long long)s->id, peer);
	}
}

static void tun_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, tun_ev));
	int i;

	for (i = 0; i < TUN_BATCH; i++) {
		ssize_t n = read(ev->fd, tun_buf, sizeof(tun_buf));
		struct session *s;
		uint32_t dst;

		if (n < 0)
			break;
		if (n < 20 || (tun_buf[0] >> 4) != 4)
			continue;	/* IPv4 only on this path */
		dst = (uint32_t)tun_buf[16] << 24 | (uint32_t)tun_buf[17] << 16 |
		      (uint32_t)tun_buf[18] << 8 | tun_buf[19];
		s = gateway_table_find(gw, dst);
		if (!s) {
			gw->ctr.tun_no_session++;
			continue;
		}
		session_send_ip(s, tun_buf, (size_t)n);
	}
}

static void sig_ev(struct ev *ev, uint32_t events)
{
	struct gateway *gw = (struct gateway *)((char *)ev -
				offsetof(struct gateway, sig_ev));
	struct signalfd_siginfo si;

	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			log_notice("SIGHUP: use sstpctl to change a running gateway; ignored");
			continue;
		}
		log_notice("signal %u: stopping", si.ssi_signo);
		gw->loop.stop = 1;
	}
}

static int open_listener(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;
	int fd, one = 1;

	fd = socket(c->listen.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&c->listen, c->listen_len) ||
	    listen(fd, 1024)) {
		int err = -errno;

		close(fd);
		return err;
	}
	gw->listen_ev.fd = fd;
	gw->listen_ev.cb = accept_ev;
	return loop_add(&gw->loop, &gw->listen_ev, EPOLLIN);
}

static int setup_tun(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;
	int fd, ret;

	fd = tun_open(c->interface, gw->ifname);
	if (fd < 0) {
		log_err("cannot create TUN device %s: %s", c->interface,
			strerror(-fd));
		return fd;
	}
	gw->tun_ev.fd = fd;
	gw->tun_ev.cb = tun_ev;
	ret = netcfg_link_up(gw->ifname, c->mtu);
	if (!ret)
		ret = netcfg_addr_add(gw->ifname, c->address, c->pool.plen, 0);
	if (ret) {
		log_err("cannot configure %s: %s", gw->ifname, strerror(-ret));
		return ret;
	}
	return loop_add(&gw->loop, &gw->tun_ev, EPOLLIN);
}

static int setup_signals(struct gateway *gw)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	gw->sig_ev.fd = fd;
	gw->sig_ev.cb = sig_ev;
	return loop_add(&gw->loop, &gw->sig_ev, EPOLLIN);
}

int gateway_init(struct gateway *gw, const struct sstp_config *cfg)
{
	struct tls_server_opts to = {
		.cert_file = cfg->certificate,
		.key_file = cfg->private_key,
		.min_version = cfg->tls_min_version,
		.max_version = cfg->tls_max_version,
		.ciphers = cfg->ciphers,
		.ktls = cfg->kernel_tls,
	};
	char err[512], found[128];
	unsigned int size;
	int ret;

	memset(gw, 0, sizeof(*gw));
	gw->listen_ev.fd = gw->tun_ev.fd = gw->ctl_ev.fd = gw->sig_ev.fd = -1;
	gw->cfg = *cfg;
	gw->started_ms = now_ms();
	ret = loop_init(&gw->loop);
	if (ret)
		return ret;
	ret = trust_load(gw);
	if (ret)
		return ret;
	ret = tls_server_ctx(&to, &gw->tls, err, sizeof(err));
	if (!ret) {
		to.min_version = TLS1_2_VERSION;
		to.max_version = TLS1_2_VERSION;
		to.ktls = false;
		ret = tls_server_ctx(&to, &gw->eap_tls, err, sizeof(err));
	}
	if (ret) {
		log_err("%s", err);
		return ret;
	}
	tls_ctx_cert_hashes(gw->tls, gw->cert_sha1, gw->cert_sha256);
	ret = netcfg_route_overlap(&cfg->pool, cfg->interface, found,
				   sizeof(found));
	if (ret > 0) {
		struct in_addr a = { .s_addr = htonl(cfg->pool.addr) };

		log_err("Pool %s/%u overlaps the route %s on this host; choose a pool that does not",
			inet_ntoa(a), cfg->pool.plen, found);
		return -EADDRINUSE;
	}
	ret = pool_init(&gw->pool, cfg->pool.addr, cfg->pool.plen, cfg->address);
	if (ret) {
		log_err("cannot set up the address pool: %s", strerror(-ret));
		return ret;
	}
	for (size = 64; size < cfg->max_sessions * 2 && size < (1u << 20);)
		size <<= 1;
	gw->table = calloc(size, sizeof(*gw->table));
	if (!gw->table)
		return -ENOMEM;
	gw->table_mask = size - 1;
	ret = setup_signals(gw);
	if (!ret)
		ret = setup_tun(gw);
	if (ret)
		return ret;
	gw_kmod_start(gw);
	ret = open_listener(gw);
	if (ret) {
		log_err("cannot listen: %s", strerror(-ret));
		return ret;
	}
	ret = ctl_server_open(gw);
	if (ret)
		return ret;
	{
		struct in_addr a = { .s_addr = htonl(cfg->pool.addr) };

		log_notice("gateway up: interface %s, pool %s/%u, %u trusted roots",
			   gw->ifname, inet_ntoa(a), cfg->pool.plen,
			   pki_root_count(gw->pki));
	}
	return 0;
}

static void reap(struct gateway *gw)
{
	struct session *s;

	while ((s = gw->zombies)) {
		gw->zombies = s->next;
		session_free(s);
	}
}

static void after_batch(struct gateway *gw)
{
	struct session *s, *list;

	/* Notifications that came in while requests waited for answers. */
	if (kmod_pending(&gw->kmod))
		gw_kmod_poll(gw);
	/* Input left over from a budget-limited read. */
	list = gw->more;
	gw->more = NULL;
	while ((s = list)) {
		list = s->mnext;
		s->on_more = false;
		session_io(s, EPOLLIN);
	}
	list = gw->dirty;
	gw->dirty = NULL;
	while ((s = list)) {
		list = s->dnext;
		s->on_dirty = false;
		session_flush(s);
	}
	reap(gw);
}

int gateway_run(struct gateway *gw)
{
	uint64_t next_tick = now_ms() + TICK_MS;

	while (!gw->loop.stop) {
		uint64_t now = now_ms();
		int timeout = gw->more || kmod_pending(&gw->kmod) ? 0 :
			      now >= next_tick ? 0 : (int)(next_tick - now);
		int ret = loop_run_once(&gw->loop, timeout);

		if (ret < 0) {
			log_err("epoll: %s", strerror(-ret));
			return ret;
		}
		after_batch(gw);
		now = now_ms();
		if (now >= next_tick) {
			struct session *s, *n;

			for (s = gw->sessions; s; s = n) {
				n = s->next;
				session_tick(s, now);
			}
			next_tick = now + TICK_MS;
			after_batch(gw);
		}
	}
	return 0;
}

void gateway_destroy(struct gateway *gw)
{
	struct session *s, *n;
	uint64_t until;

	gw->stopping = true;
	for (s = gw->sessions; s; s = n) {
		n = s->next;
		session_disconnect(s, "gateway stopping");
	}
	after_batch(gw);
	/* Give clients a moment to acknowledge. */
	until = now_ms() + 1000;
	gw->loop.stop = 0;
	while (gw->sessions && now_ms() < until) {
		loop_run_once(&gw->loop, 100);
		after_batch(gw);
	}
	for (s = gw->sessions; s; s = n) {
		n = s->next;
		session_tick(s, UINT64_MAX);
	}
	after_batch(gw);
	gw_kmod_stop(gw);
	ctl_server_close(gw);
	if (gw->listen_ev.fd >= 0)
		close(gw->listen_ev.fd);
	if (gw->tun_ev.fd >= 0)
		close(gw->tun_ev.fd);
	if (gw->sig_ev.fd >= 0)
		close(gw->sig_ev.fd);
	free(gw->table);
	pool_destroy(&gw->pool);
	SSL_CTX_free(gw->tls);
	SSL_CTX_free(gw->eap_tls);
	if (gw->pki)
		pki_free(gw->pki);
	loop_destroy(&gw->loop);
}
