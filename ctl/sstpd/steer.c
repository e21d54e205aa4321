// SPDX-License-Identifier: GPL-2.0
/*
 * Loader of the TUN steering program (bpf/tun_steer.bpf.c): the skeleton
 * built from it ($(O)/gen/tun_steer.skel.h) carries the object, so nothing
 * is read from disk. See steer.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "util/err.h"
#include "util/log.h"
#include "steer.h"
#include "tun_steer.h"
#include "tun_steer.skel.h"

/* Room for the verifier's log of a refused load; its last lines say why. */
#define STEER_LOG_SIZE	(64 * 1024)

struct steer {
	struct tun_steer *skel;
	int tun_fd;		/* our duplicate of a queue of the device */
	unsigned int nqueues;
	int ncpus;		/* possible CPUs: per-CPU values come in this many */
};

/*
 * libbpf's own messages: the reason for a failure reaches the caller
 * through why, so they are only worth a debug line.
 */
static int steer_libbpf_print(enum libbpf_print_level level, const char *fmt,
			      va_list ap)
{
	char line[256];
	size_t n;

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	log_debug("libbpf: %s", line);
	return 0;
}

static pthread_once_t steer_print_once = PTHREAD_ONCE_INIT;

static void steer_print_init(void)
{
	libbpf_set_print(steer_libbpf_print);
}

/*
 * The verifier's own reason: the last line of its log that is not its
 * closing statistics ("processed N insns ...", "verification time ...").
 */
static const char *verifier_reason(char *log, char *buf, size_t buflen)
{
	char *line, *save = NULL, *last = NULL;

	for (line = strtok_r(log, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "processed ", 10) ||
		    !strncmp(line, "verification time", 17) ||
		    !strncmp(line, "stack depth", 11))
			continue;
		last = line;
	}
	if (!last)
		return "";
	snprintf(buf, buflen, ": %s", last);
	return buf;
}

/* Is tun_fd a queue of a multi-queue IFF_TUN device? 0 or -errno. */
static int steer_check_tun(int tun_fd, char *why, size_t whylen)
{
	struct ifreq ifr = { 0 };

	if (ioctl(tun_fd, TUNGETIFF, &ifr) < 0) {
		int err = -errno;

		err_set(why, whylen, "fd %d is not an attached TUN queue: %s",
			tun_fd, strerror(-err));
		return err;
	}
	if ((ifr.ifr_flags & (IFF_TUN | IFF_TAP)) != IFF_TUN) {
		err_set(why, whylen, "%s is a TAP device, not TUN",
			ifr.ifr_name);
		return -EINVAL;
	}
	if (!(ifr.ifr_flags & IFF_MULTI_QUEUE)) {
		err_set(why, whylen,
			"%s is not a multi-queue TUN device (IFF_MULTI_QUEUE)",
			ifr.ifr_name);
		return -EINVAL;
	}
	return 0;
}

struct steer *steer_open(int tun_fd, unsigned int nqueues, char *why,
			 size_t whylen)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	struct steer *st;
	char reason[200];
	char *log;
	int err, prog_fd;

	if (nqueues == 0 || nqueues > STEER_MAX_QUEUES) {
		err_set(why, whylen, "%u queues: steering needs 1..%u", nqueues,
			STEER_MAX_QUEUES);
		errno = EINVAL;
		return NULL;
	}
	err = steer_check_tun(tun_fd, why, whylen);
	if (err < 0) {
		errno = -err;
		return NULL;
	}
	pthread_once(&steer_print_once, steer_print_init);

	st = calloc(1, sizeof(*st));
	log = calloc(1, STEER_LOG_SIZE);
	if (!st || !log) {
		err = -ENOMEM;
		err_set(why, whylen, "out of memory");
		goto fail;
	}
	st->tun_fd = -1;
	st->nqueues = nqueues;
	st->ncpus = libbpf_num_possible_cpus();
	if (st->ncpus <= 0) {
		err = st->ncpus ? st->ncpus : -ENODEV;
		err_set(why, whylen, "cannot count the possible CPUs: %s",
			strerror(-err));
		goto fail;
	}
	opts.kernel_log_buf = log;
	opts.kernel_log_size = STEER_LOG_SIZE;
	st->skel = tun_steer__open_opts(&opts);
	if (!st->skel) {
		err = -errno;
		err_set(why, whylen, "opening the steering program: %s",
			strerror(-err));
		goto fail;
	}
	err = bpf_map__set_max_entries(st->skel->maps.steer_map,
				       STEER_MAX_ADDRS);
	if (!err)
		err = tun_steer__load(st->skel);
	if (err) {
		err_set(why, whylen, "loading the steering program: %s%s",
			strerror(-err),
			verifier_reason(log, reason, sizeof(reason)));
		goto fail;
	}
	st->tun_fd = fcntl(tun_fd, F_DUPFD_CLOEXEC, 0);
	if (st->tun_fd < 0) {
		err = -errno;
		err_set(why, whylen, "dup of the TUN queue: %s",
			strerror(-err));
		goto fail;
	}
	prog_fd = bpf_program__fd(st->skel->progs.tun_steer);
	if (ioctl(st->tun_fd, TUNSETSTEERINGEBPF, &prog_fd) < 0) {
		err = -errno;
		err_set(why, whylen, "TUNSETSTEERINGEBPF: %s%s", strerror(-err),
			err == -EINVAL ? " (the kernel needs 4.16 or later)" : "");
		goto fail;
	}
	free(log);
	return st;
fail:
	/* errno for the caller: why says it in words. */
	if (st && st->tun_fd >= 0)
		close(st->tun_fd);
	if (st)
		tun_steer__destroy(st->skel);
	free(st);
	free(log);
	errno = -err;
	return NULL;
}

int steer_set(struct steer *st, uint32_t addr, unsigned int queue)
{
	uint32_t key = htonl(addr), val = queue;

	if (queue >= st->nqueues)
		return -EINVAL;
	return bpf_map__update_elem(st->skel->maps.steer_map, &key,
				    sizeof(key), &val, sizeof(val), BPF_ANY);
}

int steer_del(struct steer *st, uint32_t addr)
{
	uint32_t key = htonl(addr);

	return bpf_map__delete_elem(st->skel->maps.steer_map, &key,
				    sizeof(key), 0);
}

int steer_stats(struct steer *st, uint64_t *steered, uint64_t *missed)
{
	uint64_t *vals, sum[TUN_STEER_NR_COUNTERS] = { 0 };
	size_t vsz = sizeof(*vals) * (size_t)st->ncpus;
	uint32_t slot;
	int cpu, err = 0;

	/* Per call, not per steer: callers may be on several threads. */
	vals = malloc(vsz);
	if (!vals)
		return -ENOMEM;
	for (slot = 0; slot < TUN_STEER_NR_COUNTERS && !err; slot++) {
		err = bpf_map__lookup_elem(st->skel->maps.steer_counters, &slot,
					   sizeof(slot), vals, vsz, 0);
		for (cpu = 0; !err && cpu < st->ncpus; cpu++)
			sum[slot] += vals[cpu];
	}
	free(vals);
	if (err)
		return err;
	*steered = sum[TUN_STEER_STEERED];
	*missed = sum[TUN_STEER_MISSED];
	return 0;
}

void steer_close(struct steer *st)
{
	int detach = -1;

	if (!st)
		return;
	/* Detach before the program goes, so that no packet meets a half-
	 * freed map; failure here only means the device is already gone.
	 */
	if (ioctl(st->tun_fd, TUNSETSTEERINGEBPF, &detach) < 0)
		log_debug("steer: detaching: %s", strerror(errno));
	close(st->tun_fd);
	tun_steer__destroy(st->skel);
	free(st);
}

bool steer_available(void)
{
	pthread_once(&steer_print_once, steer_print_init);
	return libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_SOCKET_FILTER,
					  NULL) == 1;
}
