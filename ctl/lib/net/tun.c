// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <linux/if_tun.h>

#include "tun.h"

static int tunq_write_cb(void *ctx, const struct virtio_net_hdr *h,
			 const uint8_t *pkt, size_t len)
{
	struct tunq *q = ctx;
	struct iovec iov[2] = {
		{ .iov_base = (void *)h, .iov_len = VNET_HDR_LEN },
		{ .iov_base = (void *)pkt, .iov_len = len },
	};

	q->st.tx_writes++;
	if (writev(q->fd, iov, 2) < 0) {
		q->st.tx_errors++;
		return -errno;
	}
	return 0;
}

static int alloc_bufs(struct tunq *q)
{
	q->rbuf = malloc(VNET_HDR_LEN + OFL_MAX_PKT);
	if (!q->rbuf)
		return -ENOMEM;
	if (!q->off.vnet)
		return 0;
	q->seg = malloc(OFL_MAX_PKT);
	if (!q->seg || gro_init(&q->gro, tunq_write_cb, q))
		return -ENOMEM;
	q->gro_on = true;
	q->gro.tcp4 = q->off.tso4;
	q->gro.tcp6 = q->off.tso6;
	q->gro.udp4 = q->off.uso4;
	q->gro.udp6 = q->off.uso6;
	return 0;
}

/*
 * The offloads, most first: each step drops what an older kernel refuses
 * (USO came in 6.2). What we ask for is what we can take on read and
 * what the kernel accepts on write.
 */
static void set_offloads(struct tunq *q)
{
	static const struct {
		unsigned int flags;
		const char *lacks;
	} step[] = {
		{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 |
		  TUN_F_USO6, "" },
		{ TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		  "no USO: the kernel refuses TUN_F_USO4/6 (before 6.2)" },
		{ TUN_F_CSUM, "no TSO or USO: the kernel refuses TUN_F_TSO4/6" },
	};
	struct tun_offload *o = &q->off;
	size_t i;

	for (i = 0; i < sizeof(step) / sizeof(step[0]); i++) {
		unsigned int f = step[i].flags;

		if (ioctl(q->fd, TUNSETOFFLOAD, f) < 0)
			continue;
		o->csum = true;
		o->tso4 = f & TUN_F_TSO4;
		o->tso6 = f & TUN_F_TSO6;
		o->uso4 = f & TUN_F_USO4;
		o->uso6 = f & TUN_F_USO6;
		snprintf(o->why, sizeof(o->why), "%s", step[i].lacks);
		return;
	}
	snprintf(o->why, sizeof(o->why),
		 "the kernel refuses TUNSETOFFLOAD: %s", strerror(errno));
}

int tunq_open(struct tunq *q, const char *name, int extra_flags,
	      bool offload, char actual[IF_NAMESIZE])
{
	struct ifreq ifr = { 0 };
	int fd, err;

	memset(q, 0, sizeof(*q));
	q->fd = -1;
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | extra_flags |
				(offload ? IFF_VNET_HDR : 0));
	if (name)
		snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (actual)
		snprintf(actual, IF_NAMESIZE, "%s", ifr.ifr_name);
	q->fd = fd;
	if (offload) {
		q->off.vnet = true;
		set_offloads(q);
	} else {
		snprintf(q->off.why, sizeof(q->off.why),
			 "TunOffload = no");
	}
	err = alloc_bufs(q);
	if (err)
		tunq_close(q);
	return err;
}

int tunq_adopt(struct tunq *q, int fd)
{
	int err;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	snprintf(q->off.why, sizeof(q->off.why), "not a TUN device we opened");
	err = alloc_bufs(q);
	if (err) {
		free(q->rbuf);
		q->rbuf = NULL;
	}
	return err;
}

void tunq_close(struct tunq *q)
{
	if (q->gro_on)
		tunq_flush(q);
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	gro_free(&q->gro);
	q->gro_on = false;
	free(q->seg);
	q->seg = NULL;
	free(q->rbuf);
	q->rbuf = NULL;
}

ssize_t tunq_read(struct tunq *q, uint8_t **pkt)
{
	size_t hl = q->off.vnet ? VNET_HDR_LEN : 0;
	ssize_t n = read(q->fd, q->rbuf, hl + OFL_MAX_PKT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if ((size_t)n <= hl) {
		q->st.rx_bad++;
		return -EINVAL;
	}
	q->st.rx_reads++;
	if (hl)
		memcpy(&q->rx_hdr, q->rbuf, hl);
	*pkt = q->rbuf + hl;
	return n - (ssize_t)hl;
}

int tunq_segments(struct tunq *q, uint8_t *pkt, size_t len, size_t mtu,
		  ofl_emit_fn emit, void *ctx)
{
	int r;

	if (!q->off.vnet) {
		r = emit(ctx, pkt, len);
		r = r < 0 ? r : 1;
	} else {
		r = gso_split(&q->rx_hdr, pkt, len, mtu, q->seg, emit, ctx);
		if (r == -EINVAL)
			q->st.rx_bad++;
	}
	if (r > 0)
		q->st.rx_segments += (unsigned int)r;
	return r;
}

int tunq_write(struct tunq *q, const uint8_t *pkt, size_t len)
{
	q->st.tx_packets++;
	if (q->gro_on)
		return gro_add(&q->gro, pkt, len);
	q->st.tx_writes++;
	if (write(q->fd, pkt, len) < 0) {
		q->st.tx_errors++;
		return -errno;
	}
	return 0;
}

void tunq_flush(struct tunq *q)
{
	if (q->gro_on)
		gro_flush(&q->gro);
}

void tunq_offload_str(const struct tun_offload *o, char *out, size_t len)
{
	if (!o->csum) {
		snprintf(out, len, "off");
		return;
	}
	snprintf(out, len, "csum%s%s%s%s", o->tso4 ? " tso4" : "",
		 o->tso6 ? " tso6" : "", o->uso4 ? " uso4" : "",
		 o->uso6 ? " uso6" : "");
}
