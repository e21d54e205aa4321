// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

/* Tests only (loop_test_clock): a clock that moves when told to. */
static uint64_t test_clock_ms;

void loop_test_clock(uint64_t ms)
{
	test_clock_ms = ms;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	if (test_clock_ms)
		return test_clock_ms;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_init(struct loop *l)
{
	l->stop = 0;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -errno : 0;
}

void loop_destroy(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

int loop_add(struct loop *l, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, ev->fd, &e) ? -errno : 0;
}

int loop_mod(struct loop *l, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, ev->fd, &e) ? -errno : 0;
}

void loop_del(struct loop *l, struct ev *ev)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[64];
	int n, i;

	n = epoll_wait(l->epfd, evs, 64, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (i = 0; i < n; i++) {
		struct ev *ev = evs[i].data.ptr;

		ev->cb(ev, evs[i].events);
	}
	return n;
}
