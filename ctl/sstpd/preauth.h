/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-source accounting before authentication: how many connections and
 * how many half-open (not yet up) sessions each source holds, and which
 * refusals are still to be reported in the next log summary. A source is
 * an IPv4 address or an IPv6 /64 (one customer's LAN, as one address is
 * one host or NAT in IPv4).
 *
 * The table has a fixed number of entries chosen at init: its memory is
 * bounded whatever the sources do. Entries are taken by sources that hold
 * connections (at most MaxSessions of them) and, while spare entries last,
 * by sources with refusals still to report; refusals of sources that find
 * no entry are summed into one "other sources" count.
 */
#ifndef _SSTPD_PREAUTH_H
#define _SSTPD_PREAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PREAUTH_NONE		UINT32_MAX	/* no entry */
#define PREAUTH_KEY_STR		48		/* "ffff:...:ffff::/64" */
#define PREAUTH_DETAIL		96		/* last refusal reason kept */

struct preauth_key {
	uint8_t b[16];		/* IPv4 as ::ffff:a.b.c.d; IPv6 /64, rest 0 */
};

struct preauth_src {
	struct preauth_key key;
	uint32_t next;		/* hash chain / free list */
	uint32_t pos;		/* in live[] while conns > 0 */
	uint32_t conns;		/* live connections */
	uint32_t half;		/* of which not yet up */
	uint32_t refused;	/* refusals not yet reported */
	uint32_t logged;	/* logged at once this interval */
	char detail[PREAUTH_DETAIL];	/* the last refusal's reason */
};

struct preauth_table {
	struct preauth_src *e;	/* capacity entries */
	uint32_t *bucket;	/* heads, mask + 1 of them */
	uint32_t *live;		/* entries with connections, nlive of them */
	uint32_t nlive;
	uint32_t mask, capacity, used, free_head;
	uint32_t spare;		/* entries for report-only sources */
	uint64_t seed[2];	/* keyed hash: sources cannot aim at a chain */
	uint64_t other;		/* refusals of sources that found no entry */
	unsigned int lines;	/* lines logged at once this interval */
	unsigned int max_lines;	/* ... at most this many (100) */
	unsigned int burst;	/* ... and this many per source (20) */
};

/* Source of a peer address (IPv4-mapped IPv6 counts as IPv4). */
void preauth_key_from_sa(struct preauth_key *k, const struct sockaddr *sa);
/* "10.99.0.2" or "2001:db8:1:2::/64". */
void preauth_key_str(const struct preauth_key *k, char *out, size_t len);

/*
 * Room for conn_sources sources with connections (MaxSessions is enough)
 * and report_sources more that only have refusals to report. seed NULL:
 * random. 0 or -ENOMEM/-EINVAL/-EIO.
 */
int preauth_init(struct preauth_table *t, uint32_t conn_sources,
		 uint32_t report_sources, const uint64_t seed[2]);
void preauth_destroy(struct preauth_table *t);

/* The entry of k, or NULL when k holds nothing and has nothing to report. */
const struct preauth_src *preauth_find(const struct preauth_table *t,
				       const struct preauth_key *k);
/*
 * A new connection from k, half-open: returns its entry index for the
 * calls below, or PREAUTH_NONE when the table is full.
 */
uint32_t preauth_open(struct preauth_table *t, const struct preauth_key *k);
/* The connection's session came up (no longer half-open). */
void preauth_up(struct preauth_table *t, uint32_t idx);
/* The connection ended; half says whether it was still half-open. */
void preauth_close(struct preauth_table *t, uint32_t idx, bool half);

/*
 * A refusal of a connection from k (why: short text). Returns true when the
 * caller should log this one now: one of the source's first burst in the
 * interval, while the interval's budget of lines lasts. Otherwise it is
 * counted for the summary.
 */
bool preauth_refuse(struct preauth_table *t, const struct preauth_key *k,
		    const char *why);
/*
 * End of an interval: calls report once per source with refusals counted
 * and not logged (at most max_lines of them; the rest and the "other"
 * count are summed into one last call with src NULL and sources the
 * number of tracked sources folded into it), then clears the
 * counts and frees entries that hold nothing. Returns the number of calls.
 */
typedef void (*preauth_report_fn)(void *ctx, const struct preauth_src *src,
				  uint64_t refused, unsigned int sources);
unsigned int preauth_flush(struct preauth_table *t, preauth_report_fn report,
			   void *ctx);

/*
 * The source with the most half-open sessions (ties: any), or PREAUTH_NONE
 * when none has any.
 */
uint32_t preauth_busiest(const struct preauth_table *t);

static inline const struct preauth_src *
preauth_at(const struct preauth_table *t, uint32_t idx)
{
	return idx < t->capacity ? &t->e[idx] : NULL;
}

#endif
