/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control protocol between sstpd and sstpctl, over the daemon's control
 * socket (one request and one answer per connection; ctl_client.h).
 *
 * A message is text: "key=value" lines, "[section]" lines that open an
 * object, and a blank line that ends the message. The first line of every
 * request and every answer is "protocol=N" (CTL_PROTOCOL). A value holds
 * any bytes but NUL; '\\' and bytes below 0x20 or 0x7f are written as
 * "\\\\" and "\\xHH". Keys are [a-z0-9_], at most CTL_KEY_MAX bytes.
 *
 *   request:			answer:
 *   protocol=1			protocol=1
 *   command=revoke		errno=0
 *   thumbprint=AB12...		sessions_ended=2
 *   <blank>			<blank>
 *
 * Commands: dump (answer: [gateway], [limits], then a [session] per session,
 * each followed by [kernel] on the kernel data path), revoked (revoked_file=
 * and a [revoked] per thumbprint), roots (a [root] per root), revoke and
 * root-remove (thumbprint=; sessions_ended=), unrevoke (thumbprint=),
 * root-add (path=; added=), stop. A refusal is "errno=N" (positive, not 0)
 * and "error=<why>" with nothing else.
 *
 * Every object's fields are listed once, in the tables below (name, type,
 * place in its C struct); they drive encoding, decoding and sstpctl's
 * printing. Decoders ignore keys and sections they do not know, so fields
 * and objects are added without changing CTL_PROTOCOL; it changes only
 * when a field changes meaning, and a peer speaking another protocol gets
 * a clear error instead of a misread answer.
 */
#ifndef _SSTP_CTL_PROTO_H
#define _SSTP_CTL_PROTO_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nl/sstpnl.h"

#define CTL_PROTOCOL		1u
#define CTL_KEY_MAX		31
/* The longest request the daemon reads: a root-add with a PATH_MAX path. */
#define CTL_REQUEST_MAX		4200
/* The longest answer sstpctl reads (about 400 bytes a session). */
#define CTL_ANSWER_MAX		(256u << 20)
/* At most this many objects of one kind in an answer. */
#define CTL_ITEMS_MAX		(1u << 20)

enum ctl_type {
	CTL_T_U32,		/* decimal, uint32_t */
	CTL_T_U64,		/* decimal, uint64_t */
	CTL_T_STR,		/* char[size], NUL-terminated */
	CTL_T_IP4,		/* dotted quad, uint32_t in host order */
	CTL_T_PREFIX,		/* "a.b.c.d/n", struct ctl_prefix */
};

/* Omitted when zero (or ""); absent, it decodes as zero. */
#define CTL_F_OPT	0x1

struct ctl_field {
	const char *name;	/* the key, and the JSON name sstpctl prints */
	enum ctl_type type;
	unsigned int flags;
	size_t offset;		/* in the object's struct */
	size_t size;		/* of the member */
};

struct ctl_object {
	const char *name;	/* its section; the message header: NULL */
	const struct ctl_field *fields;
	unsigned int nfields;
};

struct ctl_prefix {
	uint32_t addr;
	uint32_t plen;
};

/* The header of a request. */
struct ctl_request {
	uint32_t protocol;
	char command[16];
	char thumbprint[128];
	char path[PATH_MAX];
};

/* The header of an answer. */
struct ctl_status {
	uint32_t protocol;
	uint32_t err;			/* errno=, positive; 0: success */
	char error[512];		/* why, with err */
	uint32_t sessions_ended;	/* revoke, root-remove */
	uint32_t added;			/* root-add */
	char revoked_file[PATH_MAX];	/* revoked */
};

struct ctl_gateway {
	char interface[IF_NAMESIZE];
	uint32_t sessions_active, max_sessions;
	struct ctl_prefix pool;
	uint32_t address;
	uint32_t roots;
	uint64_t uptime;		/* seconds */
	uint64_t accepted, established, refused, over_limit;
	char kernel_interface[IF_NAMESIZE];	/* "": no sstp.ko device */
	uint32_t kernel_sessions;
	/* TUN offloads: 1 when on; why not (all of) them. */
	uint32_t offload_csum, offload_tso4, offload_tso6;
	uint32_t offload_uso4, offload_uso6;
	char offload_why[128];
	/* TUN reads and the packets they gave; packets in and writes. */
	uint64_t tun_reads, tun_rx_packets, tun_tx_packets, tun_writes;
	uint32_t workers;		/* event loops (Workers =) */
	/* TUN packets read by a worker for another's session: passed on */
	uint64_t handoff, handoff_dropped;	/* ... or dropped (ring full) */
};

/* The budget before authentication: use, limits, refusals by reason. */
struct ctl_limits {
	uint32_t handshakes, max_handshakes;
	uint32_t max_connections_per_source, max_handshakes_per_source;
	uint32_t max_sessions_per_certificate;
	uint32_t sources;
	uint64_t refused_stopping, refused_max_sessions;
	uint64_t refused_max_handshakes, refused_source_connections;
	uint64_t refused_source_handshakes, evicted, up_timeouts;
	uint64_t certificate_replaced;
};

struct ctl_session {
	uint64_t id;
	char peer[64];
	uint32_t address;		/* 0: none */
	char state[24];
	char path[16];
	char subject[256];
	char thumbprint[41];
	uint64_t rx_bytes, tx_bytes, rx_packets, tx_packets;
	uint64_t uptime;
	uint64_t dropped;
	uint32_t worker;		/* the worker that owns it */
	/* [kernel]: the module's counters; kernel.id 0: not on its path. */
	struct sstpnl_stats kernel;
};

struct ctl_root {
	char thumbprint[41];
	char subject[256];
	uint32_t sessions;
};

struct ctl_revoked {
	char thumbprint[65];
	char source[8];			/* "file" or "config" */
};

extern const struct ctl_object ctl_request_obj, ctl_status_obj,
	ctl_gateway_obj, ctl_limits_obj, ctl_session_obj, ctl_kernel_obj,
	ctl_root_obj, ctl_revoked_obj;

/* A decoded answer; ctl_answer_free() releases the arrays. */
struct ctl_answer {
	struct ctl_status status;
	bool has_gateway, has_limits;
	struct ctl_gateway gateway;
	struct ctl_limits limits;
	struct ctl_session *sessions;
	size_t nsessions;
	struct ctl_root *roots;
	size_t nroots;
	struct ctl_revoked *revoked;
	size_t nrevoked;
};

/*
 * Encoding: the header line ("protocol=N") with ctl_write_header, then each
 * object, then ctl_write_end. Errors are the stream's (ferror).
 */
void ctl_write_header(FILE *f);
void ctl_write_object(FILE *f, const struct ctl_object *o, const void *st);
void ctl_write_end(FILE *f);
/* A whole request: into buf, NUL-terminated. Its length or -ENAMETOOLONG. */
int ctl_request_encode(const struct ctl_request *req, char *buf, size_t len);
/* A whole refusal: "errno=" err, "error=" why. */
void ctl_write_error(FILE *f, int err, const char *why);

/*
 * Decoding. Each returns 0, or -errno with err set (one line, no control
 * bytes): -EPROTO not a message of this protocol, -EPROTONOSUPPORT another
 * protocol version (its number in ->protocol), -EINVAL malformed, -ENODATA
 * truncated (no blank line), -EMSGSIZE a value or a list over its bounds,
 * -ENOMEM. Unknown keys and sections are skipped. On error the answer holds
 * nothing to free.
 */
int ctl_request_decode(const char *buf, size_t len, struct ctl_request *req,
		       char *err, size_t errlen);
int ctl_answer_decode(const char *buf, size_t len, struct ctl_answer *ans,
		      char *err, size_t errlen);
void ctl_answer_free(struct ctl_answer *ans);

/* A field's value as text (the wire's form, unescaped); out >= 48 bytes. */
const char *ctl_field_str(const struct ctl_field *fl, const void *st,
			  char *out, size_t outlen);
/* A field of a numeric type (U32, U64, IP4), as a number. */
uint64_t ctl_field_u64(const struct ctl_field *fl, const void *st);
/* Its field by name; NULL if none. */
const struct ctl_field *ctl_field_find(const struct ctl_object *o,
				       const char *name);

#endif
