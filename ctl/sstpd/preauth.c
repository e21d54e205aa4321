// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/rand.h>

#include "preauth.h"

void preauth_key_from_sa(struct preauth_key *k, const struct sockaddr *sa)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)sa;

		k->b[10] = k->b[11] = 0xff;
		memcpy(k->b + 12, &a->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr))
			memcpy(k->b, &a->sin6_addr, 16);
		else
			memcpy(k->b, &a->sin6_addr, 8);	/* the /64 */
	}
}

static bool key_is_v4(const struct preauth_key *k)
{
	static const uint8_t pfx[12] = { [10] = 0xff, [11] = 0xff };

	return !memcmp(k->b, pfx, sizeof(pfx));
}

void preauth_key_str(const struct preauth_key *k, char *out, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (key_is_v4(k)) {
		inet_ntop(AF_INET, k->b + 12, a, sizeof(a));
		snprintf(out, len, "%s", a);
	} else {
		inet_ntop(AF_INET6, k->b, a, sizeof(a));
		snprintf(out, len, "%s/64", a);
	}
}

int preauth_init(struct preauth_table *t, uint32_t conn_sources,
		 uint32_t report_sources, const uint64_t seed[2])
{
	uint32_t size = 16, i, capacity = conn_sources + report_sources;

	memset(t, 0, sizeof(*t));
	if (!conn_sources || conn_sources >= (1u << 29) ||
	    report_sources >= (1u << 29))
		return -EINVAL;
	while (size < capacity)
		size <<= 1;
	t->e = calloc(capacity, sizeof(*t->e));
	t->bucket = malloc(size * sizeof(*t->bucket));
	t->live = malloc(capacity * sizeof(*t->live));
	if (!t->e || !t->bucket || !t->live) {
		preauth_destroy(t);
		return -ENOMEM;
	}
	for (i = 0; i < size; i++)
		t->bucket[i] = PREAUTH_NONE;
	for (i = 0; i < capacity; i++)
		t->e[i].next = i + 1 < capacity ? i + 1 : PREAUTH_NONE;
	t->free_head = 0;
	t->mask = size - 1;
	t->capacity = capacity;
	t->spare = report_sources;
	t->max_lines = 100;
	t->burst = 20;
	if (seed) {
		t->seed[0] = seed[0];
		t->seed[1] = seed[1];
	} else if (RAND_bytes((unsigned char *)t->seed, sizeof(t->seed)) != 1) {
		preauth_destroy(t);
		return -EIO;
	}
	return 0;
}

void preauth_destroy(struct preauth_table *t)
{
	free(t->e);
	free(t->bucket);
	free(t->live);
	memset(t, 0, sizeof(*t));
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint32_t hash(const struct preauth_table *t, const struct preauth_key *k)
{
	uint64_t a, b;

	memcpy(&a, k->b, 8);
	memcpy(&b, k->b + 8, 8);
	return (uint32_t)mix(mix(a ^ t->seed[0]) ^ b ^ t->seed[1]) & t->mask;
}

static uint32_t lookup(const struct preauth_table *t,
		       const struct preauth_key *k)
{
	uint32_t i;

	for (i = t->bucket[hash(t, k)]; i != PREAUTH_NONE; i = t->e[i].next)
		if (!memcmp(&t->e[i].key, k, sizeof(*k)))
			return i;
	return PREAUTH_NONE;
}

const struct preauth_src *preauth_find(const struct preauth_table *t,
				       const struct preauth_key *k)
{
	uint32_t i = lookup(t, k);

	return i == PREAUTH_NONE ? NULL : &t->e[i];
}

/* Entries that hold no connection: only kept for the next report. */
static uint32_t report_only(const struct preauth_table *t)
{
	return t->used - t->nlive;
}

/* k's entry; a new one only for a connection, or while spare ones last. */
static uint32_t get(struct preauth_table *t, const struct preauth_key *k,
		    bool conn)
{
	uint32_t i = lookup(t, k), h;
	struct preauth_src *e;

	if (i != PREAUTH_NONE || t->free_head == PREAUTH_NONE)
		return i;
	if (!conn && report_only(t) >= t->spare)
		return PREAUTH_NONE;
	i = t->free_head;
	e = &t->e[i];
	t->free_head = e->next;
	memset(e, 0, sizeof(*e));
	e->key = *k;
	e->pos = PREAUTH_NONE;
	h = hash(t, k);
	e->next = t->bucket[h];
	t->bucket[h] = i;
	t->used++;
	return i;
}

/* Unhash and free an entry that holds nothing and has nothing to report. */
static void put(struct preauth_table *t, uint32_t i)
{
	struct preauth_src *e = &t->e[i];
	uint32_t *pp = &t->bucket[hash(t, &e->key)];

	if (e->conns || e->refused || e->logged)
		return;
	while (*pp != i)
		pp = &t->e[*pp].next;
	*pp = e->next;
	memset(e, 0, sizeof(*e));
	e->next = t->free_head;
	t->free_head = i;
	t->used--;
}

uint32_t preauth_open(struct preauth_table *t, const struct preauth_key *k)
{
	uint32_t i = get(t, k, true);
	struct preauth_src *e;

	if (i == PREAUTH_NONE)
		return i;
	e = &t->e[i];
	if (!e->conns++) {
		e->pos = t->nlive;
		t->live[t->nlive++] = i;
	}
	e->half++;
	return i;
}

void preauth_up(struct preauth_table *t, uint32_t idx)
{
	if (idx < t->capacity && t->e[idx].half)
		t->e[idx].half--;
}

void preauth_close(struct preauth_table *t, uint32_t idx, bool half)
{
	struct preauth_src *e;
	uint32_t last;

	if (idx >= t->capacity || !t->e[idx].conns)
		return;
	e = &t->e[idx];
	if (half && e->half)
		e->half--;
	if (--e->conns)
		return;
	e->half = 0;
	/* Out of live[]: the last one takes its place. */
	last = t->live[--t->nlive];
	t->live[e->pos] = last;
	t->e[last].pos = e->pos;
	e->pos = PREAUTH_NONE;
	if (report_only(t) > t->spare) {
		/* No spare entry to keep its report in. */
		t->other += e->refused;
		e->refused = 0;
		e->logged = 0;
	}
	put(t, idx);
}

bool preauth_refuse(struct preauth_table *t, const struct preauth_key *k,
		    const char *why)
{
	uint32_t i = get(t, k, false);
	struct preauth_src *e;

	if (i == PREAUTH_NONE) {
		t->other++;
		return false;
	}
	e = &t->e[i];
	if (e->logged < t->burst && !e->refused && t->lines < t->max_lines) {
		e->logged++;	/* the entry is kept: the next one counts */
		t->lines++;
		return true;
	}
	e->refused++;
	snprintf(e->detail, sizeof(e->detail), "%s", why);
	return false;
}

unsigned int preauth_flush(struct preauth_table *t, preauth_report_fn report,
			   void *ctx)
{
	uint64_t rest = t->other;
	unsigned int calls = 0, rest_src = 0;
	uint32_t i;

	for (i = 0; i < t->capacity; i++) {
		struct preauth_src *e = &t->e[i];

		if (!e->conns && !e->refused && !e->logged)
			continue;	/* free, or nothing to do */
		if (e->refused) {
			if (calls < t->max_lines) {
				report(ctx, e, e->refused, 1);
				calls++;
			} else {
				rest += e->refused;
				rest_src++;
			}
		}
		e->refused = 0;
		e->logged = 0;
		e->detail[0] = 0;
		if (!e->conns)
			put(t, i);
	}
	if (rest) {
		report(ctx, NULL, rest, rest_src);
		calls++;
	}
	t->other = 0;
	t->lines = 0;
	return calls;
}

uint32_t preauth_busiest(const struct preauth_table *t)
{
	uint32_t i, best = PREAUTH_NONE, most = 0;

	for (i = 0; i < t->nlive; i++) {
		const struct preauth_src *e = &t->e[t->live[i]];

		if (e->half > most) {
			most = e->half;
			best = t->live[i];
		}
	}
	return best;
}
