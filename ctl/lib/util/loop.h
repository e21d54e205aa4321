/* SPDX-License-Identifier: GPL-2.0 */
/* The epoll event loop and the monotonic clock. */
#ifndef _SSTP_LOOP_H
#define _SSTP_LOOP_H

#include <stdint.h>
#include <sys/epoll.h>

struct ev {
	int fd;
	void (*cb)(struct ev *ev, uint32_t events);
};

struct loop {
	int epfd;
	volatile int stop;
};

int loop_init(struct loop *l);
void loop_destroy(struct loop *l);
/* Register ev->fd for events (EPOLLIN, EPOLLOUT, EPOLLET...). 0 or -errno. */
int loop_add(struct loop *l, struct ev *ev, uint32_t events);
int loop_mod(struct loop *l, struct ev *ev, uint32_t events);
void loop_del(struct loop *l, struct ev *ev);
/* Wait up to timeout_ms and dispatch; returns events handled or -errno. */
int loop_run_once(struct loop *l, int timeout_ms);

uint64_t now_ms(void);
/*
 * Tests only: from now on now_ms() returns ms, so that timers fire when a
 * test (or a fuzzer's input) says; 0 goes back to the monotonic clock.
 */
void loop_test_clock(uint64_t ms);

#endif
