// SPDX-License-Identifier: GPL-2.0
/*
 * The control protocol (ctl_proto.h): the tables of every object's fields,
 * and the encoder and decoder they drive. The decoder is a parser of what
 * another process wrote: every length is checked, every number range-checked,
 * nothing is trusted to be terminated.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_proto.h"

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define FIELD(st, m, key, t, fl) \
	{ key, t, fl, offsetof(struct st, m), sizeof(((struct st *)0)->m) }
#define OBJECT(n, tbl) { n, tbl, ARRAY_SIZE(tbl) }

static const struct ctl_field request_fields[] = {
	FIELD(ctl_request, command, "command", CTL_T_STR, 0),
	FIELD(ctl_request, thumbprint, "thumbprint", CTL_T_STR, CTL_F_OPT),
	FIELD(ctl_request, path, "path", CTL_T_STR, CTL_F_OPT),
};
const struct ctl_object ctl_request_obj = OBJECT(NULL, request_fields);

static const struct ctl_field status_fields[] = {
	FIELD(ctl_status, err, "errno", CTL_T_U32, 0),
	FIELD(ctl_status, error, "error", CTL_T_STR, CTL_F_OPT),
	FIELD(ctl_status, sessions_ended, "sessions_ended", CTL_T_U32,
	      CTL_F_OPT),
	FIELD(ctl_status, added, "added", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_status, revoked_file, "revoked_file", CTL_T_STR, CTL_F_OPT),
};
const struct ctl_object ctl_status_obj = OBJECT(NULL, status_fields);

static const struct ctl_field gateway_fields[] = {
	FIELD(ctl_gateway, interface, "interface", CTL_T_STR, 0),
	FIELD(ctl_gateway, sessions_active, "sessions_active", CTL_T_U32, 0),
	FIELD(ctl_gateway, max_sessions, "max_sessions", CTL_T_U32, 0),
	FIELD(ctl_gateway, pool, "pool", CTL_T_PREFIX, 0),
	FIELD(ctl_gateway, address, "address", CTL_T_IP4, 0),
	FIELD(ctl_gateway, roots, "roots", CTL_T_U32, 0),
	FIELD(ctl_gateway, uptime, "uptime", CTL_T_U64, 0),
	FIELD(ctl_gateway, accepted, "accepted", CTL_T_U64, 0),
	FIELD(ctl_gateway, established, "established", CTL_T_U64, 0),
	FIELD(ctl_gateway, refused, "refused", CTL_T_U64, 0),
	FIELD(ctl_gateway, over_limit, "over_limit", CTL_T_U64, 0),
	FIELD(ctl_gateway, kernel_interface, "kernel_interface", CTL_T_STR,
	      CTL_F_OPT),
	FIELD(ctl_gateway, kernel_sessions, "kernel_sessions", CTL_T_U32, 0),
	FIELD(ctl_gateway, offload_csum, "offload_csum", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, offload_tso4, "offload_tso4", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, offload_tso6, "offload_tso6", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, offload_uso4, "offload_uso4", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, offload_uso6, "offload_uso6", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, offload_why, "offload_why", CTL_T_STR, CTL_F_OPT),
	FIELD(ctl_gateway, tun_reads, "tun_reads", CTL_T_U64, CTL_F_OPT),
	FIELD(ctl_gateway, tun_rx_packets, "tun_rx_packets", CTL_T_U64,
	      CTL_F_OPT),
	FIELD(ctl_gateway, tun_tx_packets, "tun_tx_packets", CTL_T_U64,
	      CTL_F_OPT),
	FIELD(ctl_gateway, tun_writes, "tun_writes", CTL_T_U64, CTL_F_OPT),
	FIELD(ctl_gateway, workers, "workers", CTL_T_U32, CTL_F_OPT),
	FIELD(ctl_gateway, handoff, "handoff", CTL_T_U64, CTL_F_OPT),
	FIELD(ctl_gateway, handoff_dropped, "handoff_dropped", CTL_T_U64,
	      CTL_F_OPT),
};
const struct ctl_object ctl_gateway_obj = OBJECT("gateway", gateway_fields);

static const struct ctl_field limits_fields[] = {
	FIELD(ctl_limits, handshakes, "handshakes", CTL_T_U32, 0),
	FIELD(ctl_limits, max_handshakes, "max_handshakes", CTL_T_U32, 0),
	FIELD(ctl_limits, max_connections_per_source,
	      "max_connections_per_source", CTL_T_U32, 0),
	FIELD(ctl_limits, max_handshakes_per_source,
	      "max_handshakes_per_source", CTL_T_U32, 0),
	FIELD(ctl_limits, max_sessions_per_certificate,
	      "max_sessions_per_certificate", CTL_T_U32, 0),
	FIELD(ctl_limits, sources, "sources", CTL_T_U32, 0),
	FIELD(ctl_limits, refused_stopping, "refused_stopping", CTL_T_U64, 0),
	FIELD(ctl_limits, refused_max_sessions, "refused_max_sessions",
	      CTL_T_U64, 0),
	FIELD(ctl_limits, refused_max_handshakes, "refused_max_handshakes",
	      CTL_T_U64, 0),
	FIELD(ctl_limits, refused_source_connections,
	      "refused_source_connections", CTL_T_U64, 0),
	FIELD(ctl_limits, refused_source_handshakes,
	      "refused_source_handshakes", CTL_T_U64, 0),
	FIELD(ctl_limits, evicted, "evicted", CTL_T_U64, 0),
	FIELD(ctl_limits, up_timeouts, "up_timeouts", CTL_T_U64, 0),
	FIELD(ctl_limits, certificate_replaced, "certificate_replaced",
	      CTL_T_U64, 0),
};
const struct ctl_object ctl_limits_obj = OBJECT("limits", limits_fields);

static const struct ctl_field session_fields[] = {
	FIELD(ctl_session, id, "id", CTL_T_U64, 0),
	FIELD(ctl_session, peer, "peer", CTL_T_STR, 0),
	FIELD(ctl_session, address, "address", CTL_T_IP4, CTL_F_OPT),
	FIELD(ctl_session, state, "state", CTL_T_STR, 0),
	FIELD(ctl_session, path, "path", CTL_T_STR, 0),
	FIELD(ctl_session, subject, "subject", CTL_T_STR, 0),
	FIELD(ctl_session, thumbprint, "thumbprint", CTL_T_STR, 0),
	FIELD(ctl_session, rx_bytes, "rx_bytes", CTL_T_U64, 0),
	FIELD(ctl_session, tx_bytes, "tx_bytes", CTL_T_U64, 0),
	FIELD(ctl_session, rx_packets, "rx_packets", CTL_T_U64, 0),
	FIELD(ctl_session, tx_packets, "tx_packets", CTL_T_U64, 0),
	FIELD(ctl_session, uptime, "uptime", CTL_T_U64, 0),
	FIELD(ctl_session, dropped, "dropped", CTL_T_U64, 0),
	FIELD(ctl_session, worker, "worker", CTL_T_U32, CTL_F_OPT),
};
const struct ctl_object ctl_session_obj = OBJECT("session", session_fields);

/* The module's own counters of a session, in sstp.ko's order. */
static const struct ctl_field kernel_fields[] = {
	FIELD(sstpnl_stats, id, "id", CTL_T_U32, 0),
	FIELD(sstpnl_stats, rx_packets, "rx_packets", CTL_T_U64, 0),
	FIELD(sstpnl_stats, tx_packets, "tx_packets", CTL_T_U64, 0),
	FIELD(sstpnl_stats, rx_bytes, "rx_bytes", CTL_T_U64, 0),
	FIELD(sstpnl_stats, tx_bytes, "tx_bytes", CTL_T_U64, 0),
	FIELD(sstpnl_stats, rx_ctrl_packets, "rx_ctrl_packets", CTL_T_U64, 0),
	FIELD(sstpnl_stats, tx_ctrl_packets, "tx_ctrl_packets", CTL_T_U64, 0),
	FIELD(sstpnl_stats, echo_packets, "echo_packets", CTL_T_U64, 0),
	FIELD(sstpnl_stats, rx_drop_rpf, "rx_drop_rpf", CTL_T_U64, 0),
	FIELD(sstpnl_stats, rx_drop_invalid, "rx_drop_invalid", CTL_T_U64, 0),
	FIELD(sstpnl_stats, rx_drop_ctrl, "rx_drop_ctrl", CTL_T_U64, 0),
	FIELD(sstpnl_stats, tx_drop_queue, "tx_drop_queue", CTL_T_U64, 0),
	FIELD(sstpnl_stats, tx_drop_invalid, "tx_drop_invalid", CTL_T_U64, 0),
};
const struct ctl_object ctl_kernel_obj = OBJECT("kernel", kernel_fields);

static const struct ctl_field root_fields[] = {
	FIELD(ctl_root, thumbprint, "thumbprint", CTL_T_STR, 0),
	FIELD(ctl_root, subject, "subject", CTL_T_STR, 0),
	FIELD(ctl_root, sessions, "sessions", CTL_T_U32, 0),
};
const struct ctl_object ctl_root_obj = OBJECT("root", root_fields);

static const struct ctl_field revoked_fields[] = {
	FIELD(ctl_revoked, thumbprint, "thumbprint", CTL_T_STR, 0),
	FIELD(ctl_revoked, source, "source", CTL_T_STR, 0),
};
const struct ctl_object ctl_revoked_obj = OBJECT("revoked", revoked_fields);

/* Field access */

static const void *member(const struct ctl_field *fl, const void *st)
{
	return (const char *)st + fl->offset;
}

uint64_t ctl_field_u64(const struct ctl_field *fl, const void *st)
{
	const void *m = member(fl, st);

	switch (fl->type) {
	case CTL_T_U32:
	case CTL_T_IP4:
		return *(const uint32_t *)m;
	case CTL_T_U64:
		return *(const uint64_t *)m;
	default:
		return 0;
	}
}

static bool field_zero(const struct ctl_field *fl, const void *st)
{
	const struct ctl_prefix *p = member(fl, st);

	switch (fl->type) {
	case CTL_T_STR:
		return !*(const char *)member(fl, st);
	case CTL_T_PREFIX:
		return !p->addr && !p->plen;
	default:
		return !ctl_field_u64(fl, st);
	}
}

static void ip4_str(uint32_t a, char *out, size_t len)
{
	snprintf(out, len, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

const char *ctl_field_str(const struct ctl_field *fl, const void *st,
			  char *out, size_t outlen)
{
	const struct ctl_prefix *p = member(fl, st);
	char a[16];

	switch (fl->type) {
	case CTL_T_STR:
		return member(fl, st);
	case CTL_T_IP4:
		ip4_str((uint32_t)ctl_field_u64(fl, st), out, outlen);
		break;
	case CTL_T_PREFIX:
		ip4_str(p->addr, a, sizeof(a));
		snprintf(out, outlen, "%s/%u", a, p->plen);
		break;
	default:
		snprintf(out, outlen, "%llu",
			 (unsigned long long)ctl_field_u64(fl, st));
	}
	return out;
}

const struct ctl_field *ctl_field_find(const struct ctl_object *o,
				       const char *name)
{
	unsigned int i;

	for (i = 0; i < o->nfields; i++)
		if (!strcmp(o->fields[i].name, name))
			return &o->fields[i];
	return NULL;
}

/* Encoding */

static void write_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void ctl_write_header(FILE *f)
{
	fprintf(f, "protocol=%u\n", CTL_PROTOCOL);
}

void ctl_write_object(FILE *f, const struct ctl_object *o, const void *st)
{
	unsigned int i;
	char buf[48];

	if (o->name)
		fprintf(f, "[%s]\n", o->name);
	for (i = 0; i < o->nfields; i++) {
		const struct ctl_field *fl = &o->fields[i];

		if ((fl->flags & CTL_F_OPT) && field_zero(fl, st))
			continue;
		fprintf(f, "%s=", fl->name);
		write_escaped(f, ctl_field_str(fl, st, buf, sizeof(buf)));
		fputc('\n', f);
	}
}

void ctl_write_end(FILE *f)
{
	fputc('\n', f);
}

void ctl_write_error(FILE *f, int err, const char *why)
{
	struct ctl_status st = { .err = (uint32_t)(err < 0 ? -err : err) };

	if (!st.err)
		st.err = EIO;
	snprintf(st.error, sizeof(st.error), "%s", why);
	ctl_write_header(f);
	ctl_write_object(f, &ctl_status_obj, &st);
	ctl_write_end(f);
}

int ctl_request_encode(const struct ctl_request *req, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");
	long n;

	if (!f)
		return -errno;
	/* Fully buffered in buf: a request that does not fit is an error. */
	setvbuf(f, NULL, _IONBF, 0);
	ctl_write_header(f);
	ctl_write_object(f, &ctl_request_obj, req);
	ctl_write_end(f);
	n = ferror(f) ? -1 : ftell(f);
	fclose(f);
	if (n < 0 || (size_t)n + 1 >= len || (size_t)n > CTL_REQUEST_MAX)
		return -ENAMETOOLONG;
	buf[n] = 0;
	return (int)n;
}

/* Decoding */

struct dec {
	const char *p, *end;
	unsigned int line;
	char *err;
	size_t errlen;
};

static int __printf(3, 4)
fail(struct dec *d, int ret, const char *fmt, ...)
{
	va_list ap;

	if (d->errlen) {
		va_start(ap, fmt);
		vsnprintf(d->err, d->errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/* Up to max bytes of s, control bytes as '?', for an error message. */
static void printable(const char *s, size_t n, char *out, size_t max)
{
	size_t i;

	for (i = 0; i < n && i + 1 < max; i++)
		out[i] = (unsigned char)s[i] < 0x20 ||
			 (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	out[i] = 0;
}

static bool key_ok(const char *k, size_t n)
{
	size_t i;

	if (!n || n > CTL_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
			return false;
	return true;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unescape v[0..n) into out (size bytes, NUL-terminated). */
static int unescape(struct dec *d, const char *key, const char *v, size_t n,
		    char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = v[i];

		if (c == '\\') {
			/* \xHH: h and l are -1 unless all four bytes are there. */
			int h = i + 3 < n ? hexval(v[i + 2]) : -1;
			int l = i + 3 < n ? hexval(v[i + 3]) : -1;

			if (i + 1 < n && v[i + 1] == '\\') {
				i++;
			} else if (h >= 0 && l >= 0 && v[i + 1] == 'x' &&
				   (h || l)) {
				c = (char)(h << 4 | l);
				i += 3;
			} else {
				return fail(d, -EINVAL,
					    "line %u: %s: bad escape",
					    d->line, key);
			}
		} else if (!c) {
			return fail(d, -EINVAL, "line %u: %s: NUL byte",
				    d->line, key);
		}
		if (o + 1 >= size)
			return fail(d, -EMSGSIZE,
				    "line %u: %s: value longer than %zu bytes",
				    d->line, key, size - 1);
		out[o++] = c;
	}
	out[o] = 0;
	return 0;
}

static int parse_num(struct dec *d, const char *key, const char *v, size_t n,
		     uint64_t max, uint64_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (!n || (n > 1 && v[0] == '0'))
		return fail(d, -EINVAL, "line %u: %s: not a number", d->line,
			    key);
	for (i = 0; i < n; i++) {
		unsigned int digit = (unsigned char)v[i] - '0';

		if (digit > 9)
			return fail(d, -EINVAL, "line %u: %s: not a number",
				    d->line, key);
		if (x > (max - digit) / 10)
			return fail(d, -EMSGSIZE, "line %u: %s: out of range",
				    d->line, key);
		x = x * 10 + digit;
	}
	*out = x;
	return 0;
}

static int parse_ip4(struct dec *d, const char *key, const char *v, size_t n,
		     uint32_t *out)
{
	struct in_addr a;
	char s[16];

	if (n >= sizeof(s))
		return fail(d, -EINVAL, "line %u: %s: not an IPv4 address",
			    d->line, key);
	memcpy(s, v, n);
	s[n] = 0;
	if (inet_pton(AF_INET, s, &a) != 1)
		return fail(d, -EINVAL, "line %u: %s: not an IPv4 address",
			    d->line, key);
	*out = ntohl(a.s_addr);
	return 0;
}

static int set_field(struct dec *d, const struct ctl_field *fl, void *st,
		     const char *v, size_t n)
{
	void *m = (char *)st + fl->offset;
	struct ctl_prefix *p = m;
	const char *slash;
	uint64_t x;
	int ret;

	switch (fl->type) {
	case CTL_T_U32:
		ret = parse_num(d, fl->name, v, n, UINT32_MAX, &x);
		if (!ret)
			*(uint32_t *)m = (uint32_t)x;
		return ret;
	case CTL_T_U64:
		return parse_num(d, fl->name, v, n, UINT64_MAX, m);
	case CTL_T_STR:
		return unescape(d, fl->name, v, n, m, fl->size);
	case CTL_T_IP4:
		return parse_ip4(d, fl->name, v, n, m);
	case CTL_T_PREFIX:
		slash = memchr(v, '/', n);
		if (!slash)
			return fail(d, -EINVAL, "line %u: %s: not a prefix",
				    d->line, fl->name);
		ret = parse_ip4(d, fl->name, v, (size_t)(slash - v),
				&p->addr);
		if (!ret)
			ret = parse_num(d, fl->name, slash + 1,
					(size_t)(v + n - slash - 1), 32, &x);
		if (!ret)
			p->plen = (uint32_t)x;
		return ret;
	}
	return -EINVAL;
}

/* Where the key=value lines go: an object and its struct (NULL: skipped). */
struct cur {
	const struct ctl_object *o;
	void *st;
	uint64_t seen;		/* fields already set (tables < 64 fields) */
};

static int set_key(struct dec *d, struct cur *c, const char *k, size_t kn,
		   const char *v, size_t vn)
{
	unsigned int i;

	if (!c->o)
		return 0;
	for (i = 0; i < c->o->nfields; i++) {
		const struct ctl_field *fl = &c->o->fields[i];

		if (strlen(fl->name) != kn || memcmp(fl->name, k, kn))
			continue;
		if (c->seen & (1ULL << i))
			return fail(d, -EINVAL, "line %u: %s given twice",
				    d->line, fl->name);
		c->seen |= 1ULL << i;
		return set_field(d, fl, c->st, v, vn);
	}
	return 0;	/* a newer peer's field */
}

/*
 * The next line, without its '\n', in line and n. 1 for a line, 0 at the
 * blank line that ends the message (nothing may follow it), or -errno.
 */
static int next_line(struct dec *d, const char **line, size_t *n)
{
	const char *nl;

	if (d->p >= d->end)
		return fail(d, -ENODATA,
			    "truncated: the message ends without a blank line");
	nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
	if (!nl)
		return fail(d, -ENODATA,
			    "truncated: the message ends without a blank line");
	d->line++;
	*line = d->p;
	*n = (size_t)(nl - d->p);
	d->p = nl + 1;
	if (*n)
		return 1;
	if (d->p != d->end)
		return fail(d, -EINVAL, "data after the end of the message");
	return 0;
}

/* The first line: "protocol=N". */
static int header(struct dec *d, uint32_t *protocol)
{
	const char *line, *nl;
	size_t n;
	uint64_t v;
	char what[64];
	int ret;

	nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
	n = nl ? (size_t)(nl - d->p) : (size_t)(d->end - d->p);
	if (n < 9 || memcmp(d->p, "protocol=", 9)) {
		printable(d->p, n, what, sizeof(what));
		return fail(d, -EPROTO, "not a control protocol message: \"%s\"",
			    what);
	}
	ret = next_line(d, &line, &n);
	if (ret <= 0)
		return ret < 0 ? ret : fail(d, -EPROTO, "empty message");
	ret = parse_num(d, "protocol", line + 9, n - 9, UINT32_MAX, &v);
	if (ret)
		return ret;
	*protocol = (uint32_t)v;
	if (v != CTL_PROTOCOL)
		return fail(d, -EPROTONOSUPPORT,
			    "control protocol %u, not %u", *protocol,
			    CTL_PROTOCOL);
	return 0;
}

/*
 * The lines after the header. section() is told of each "[name]" and sets
 * where the following keys go.
 */
static int body(struct dec *d, struct cur *c,
		int (*section)(struct dec *d, void *ctx, const char *name,
			       struct cur *c), void *ctx)
{
	const char *line, *eq;
	size_t n;
	int ret;

	while ((ret = next_line(d, &line, &n)) > 0) {
		if (line[0] == '[') {
			char name[CTL_KEY_MAX + 1];

			if (n < 3 || line[n - 1] != ']' ||
			    !key_ok(line + 1, n - 2))
				return fail(d, -EINVAL,
					    "line %u: malformed section",
					    d->line);
			memcpy(name, line + 1, n - 2);
			name[n - 2] = 0;
			memset(c, 0, sizeof(*c));
			ret = section(d, ctx, name, c);
			if (ret)
				return ret;
			continue;
		}
		eq = memchr(line, '=', n);
		if (!eq || !key_ok(line, (size_t)(eq - line)))
			return fail(d, -EINVAL, "line %u: not key=value",
				    d->line);
		ret = set_key(d, c, line, (size_t)(eq - line), eq + 1,
			      (size_t)(line + n - eq - 1));
		if (ret)
			return ret;
	}
	return ret;
}

static int request_section(struct dec *d, void *ctx, const char *name,
			   struct cur *c)
{
	return 0;	/* requests have none yet: skipped */
}

int ctl_request_decode(const char *buf, size_t len, struct ctl_request *req,
		       char *err, size_t errlen)
{
	struct dec d = { buf, buf + len, 0, err, errlen };
	struct cur c = { &ctl_request_obj, req, 0 };
	int ret;

	memset(req, 0, sizeof(*req));
	ret = header(&d, &req->protocol);
	if (!ret)
		ret = body(&d, &c, request_section, NULL);
	if (!ret && !req->command[0])
		ret = fail(&d, -EINVAL, "no command");
	return ret;
}

struct answer_ctx {
	struct ctl_answer *a;
	size_t cap_sessions, cap_roots, cap_revoked;
	bool in_session;	/* the last section was a [session] */
	bool kernel_seen;	/* ... and it had its [kernel] */
};

/* Room for one more element of *arr (n used, *cap allocated), zeroed. */
static int grow(struct dec *d, void **arr, size_t n, size_t *cap,
		size_t size, const char *what, void **elem)
{
	void *na;
	size_t nc;

	if (n >= CTL_ITEMS_MAX)
		return fail(d, -EMSGSIZE, "more than %u [%s] objects",
			    CTL_ITEMS_MAX, what);
	if (n == *cap) {
		nc = *cap ? *cap * 2 : 16;
		na = realloc(*arr, nc * size);
		if (!na)
			return fail(d, -ENOMEM, "out of memory");
		*arr = na;
		*cap = nc;
	}
	*elem = (char *)*arr + n * size;
	memset(*elem, 0, size);
	return 0;
}

static int answer_section(struct dec *d, void *ctx, const char *name,
			  struct cur *c)
{
	struct answer_ctx *x = ctx;
	struct ctl_answer *a = x->a;
	bool session = false;
	int ret;

	if (!strcmp(name, "gateway") || !strcmp(name, "limits")) {
		bool *has = name[0] == 'g' ? &a->has_gateway : &a->has_limits;

		if (*has)
			return fail(d, -EINVAL, "line %u: [%s] given twice",
				    d->line, name);
		*has = true;
		c->o = name[0] == 'g' ? &ctl_gateway_obj : &ctl_limits_obj;
		c->st = name[0] == 'g' ? (void *)&a->gateway :
			(void *)&a->limits;
	} else if (!strcmp(name, "session")) {
		ret = grow(d, (void **)&a->sessions, a->nsessions,
			   &x->cap_sessions, sizeof(*a->sessions), name,
			   &c->st);
		if (ret)
			return ret;
		a->nsessions++;
		c->o = &ctl_session_obj;
		session = true;
	} else if (!strcmp(name, "kernel")) {
		if (!x->in_session || x->kernel_seen)
			return fail(d, -EINVAL,
				    "line %u: [kernel] not right after a [session]",
				    d->line);
		c->o = &ctl_kernel_obj;
		c->st = &a->sessions[a->nsessions - 1].kernel;
		x->kernel_seen = true;
		return 0;
	} else if (!strcmp(name, "root")) {
		ret = grow(d, (void **)&a->roots, a->nroots, &x->cap_roots,
			   sizeof(*a->roots), name, &c->st);
		if (ret)
			return ret;
		a->nroots++;
		c->o = &ctl_root_obj;
	} else if (!strcmp(name, "revoked")) {
		ret = grow(d, (void **)&a->revoked, a->nrevoked,
			   &x->cap_revoked, sizeof(*a->revoked), name,
			   &c->st);
		if (ret)
			return ret;
		a->nrevoked++;
		c->o = &ctl_revoked_obj;
	}
	/* Anything else is a newer peer's object: its keys are skipped. */
	x->in_session = session;
	x->kernel_seen = false;
	return 0;
}

void ctl_answer_free(struct ctl_answer *a)
{
	free(a->sessions);
	free(a->roots);
	free(a->revoked);
	a->sessions = NULL;
	a->roots = NULL;
	a->revoked = NULL;
	a->nsessions = a->nroots = a->nrevoked = 0;
}

int ctl_answer_decode(const char *buf, size_t len, struct ctl_answer *a,
		      char *err, size_t errlen)
{
	struct dec d = { buf, buf + len, 0, err, errlen };
	struct cur c = { &ctl_status_obj, &a->status, 0 };
	struct answer_ctx x = { .a = a };
	int ret;

	memset(a, 0, sizeof(*a));
	ret = header(&d, &a->status.protocol);
	if (!ret)
		ret = body(&d, &c, answer_section, &x);
	if (ret) {
		uint32_t protocol = a->status.protocol;

		ctl_answer_free(a);
		memset(a, 0, sizeof(*a));
		a->status.protocol = protocol;
	}
	return ret;
}
