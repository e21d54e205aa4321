// SPDX-License-Identifier: GPL-2.0
/*
 * sstpd.conf parser. Every line is either blank, a comment, a [Section]
 * header or a Key = Value pair; anything else, and any value that does not
 * parse completely, is an error quoting the line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <openssl/ssl.h>

#include "trust/thumbprint.h"
#include "util/err.h"
#include "config.h"

#define LIMIT_MAX_SESSIONS	1000000
#define LIMIT_MAX_HANDSHAKES	100000

struct key {
	enum config_section section;
	const char *name;
	int (*set)(struct config_parser *p, const struct key *k, char *val,
		   char *why, size_t whylen);
	bool repeatable;
	bool required;
	unsigned long min, max;		/* numeric keys */
	size_t off;			/* offsetof the field in sstp_config */
	size_t size;			/* sizeof the field (strings) */
};

static const char *const section_names[] = {
	[CFG_SEC_NONE] = "",
	[CFG_SEC_GATEWAY] = "Gateway",
	[CFG_SEC_CLIENTS] = "Clients",
	[CFG_SEC_NETWORK] = "Network",
};

static const struct {
	const char *name;
	int version;
} tls_versions[] = {
	{ "1.0", TLS1_VERSION },
	{ "1.1", TLS1_1_VERSION },
	{ "1.2", TLS1_2_VERSION },
	{ "1.3", TLS1_3_VERSION },
};
#define N_TLS (sizeof(tls_versions) / sizeof(tls_versions[0]))

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static bool is_ctrl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

static char *trim(char *s)
{
	size_t n;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n && is_space(s[n - 1]))
		s[--n] = '\0';
	return s;
}

static uint32_t prefix_mask(unsigned int plen)
{
	return plen ? ~(uint32_t)0 << (32 - plen) : 0;
}

static void fmt_ip(uint32_t addr, char buf[INET_ADDRSTRLEN])
{
	struct in_addr a = { .s_addr = htonl(addr) };

	inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* Decimal, digits only, no sign, no leading zero, within [min, max]. */
static int parse_ulong(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	unsigned long v;
	char *end;
	const char *c;

	if (!*s)
		return -EINVAL;
	for (c = s; *c; c++)
		if (*c < '0' || *c > '9')
			return -EINVAL;
	if (s[0] == '0' && s[1])
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ipv4_parse(const char *s, uint32_t *out)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*out = ntohl(a.s_addr);
	return 0;
}

/* "a.b.c.d/n" without the host-bits check, so callers can name the fix. */
static int cidr4_parse_raw(const char *s, uint32_t *addr, unsigned int *plen)
{
	char buf[INET_ADDRSTRLEN];
	const char *slash = strchr(s, '/');
	unsigned long n;

	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, slash - s);
	buf[slash - s] = '\0';
	if (ipv4_parse(buf, addr) || parse_ulong(slash + 1, 0, 32, &n))
		return -EINVAL;
	*plen = n;
	return 0;
}

int cidr4_parse(const char *s, struct cidr4 *out)
{
	unsigned int plen;
	uint32_t addr;

	if (cidr4_parse_raw(s, &addr, &plen) || (addr & ~prefix_mask(plen)))
		return -EINVAL;
	out->addr = addr;
	out->plen = plen;
	return 0;
}

bool cidr4_overlap(const struct cidr4 *a, const struct cidr4 *b)
{
	unsigned int plen = a->plen < b->plen ? a->plen : b->plen;

	return !((a->addr ^ b->addr) & prefix_mask(plen > 32 ? 32 : plen));
}

bool cidr4_contains(const struct cidr4 *c, uint32_t addr)
{
	return !((c->addr ^ addr) & prefix_mask(c->plen > 32 ? 32 : c->plen));
}

void config_defaults(struct sstp_config *cfg)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&cfg->listen;

	memset(cfg, 0, sizeof(*cfg));
	sin->sin_family = AF_INET;
	sin->sin_port = htons(443);
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	cfg->listen_len = sizeof(*sin);
	strcpy(cfg->interface, "sstp0");
	cfg->max_sessions = 128;
	cfg->max_handshakes = 64;
	cfg->handshake_timeout = 10;
	cfg->negotiation_timeout = 60;
	cfg->hello_interval = 60;
	cfg->max_conns_per_source = 64;
	cfg->max_handshakes_per_source = 8;
	cfg->max_sessions_per_cert = 4;
	cfg->kernel_tls = true;
	cfg->kernel_path = true;
	cfg->tun_offload = true;
	cfg->tls_min_version = TLS1_2_VERSION;
	cfg->mtu = 1400;
	cfg->workers = 0;		/* auto: one per online CPU */
}

void config_parser_init(struct config_parser *p, struct sstp_config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	config_defaults(cfg);
}

static void *field(struct config_parser *p, const struct key *k)
{
	return (char *)p->cfg + k->off;
}

static int set_uint(struct config_parser *p, const struct key *k, char *val,
		    char *why, size_t whylen)
{
	unsigned long v;

	if (parse_ulong(val, k->min, k->max, &v)) {
		err_set(why, whylen,
			"%s must be a whole number from %lu to %lu", k->name,
			k->min, k->max);
		return -EINVAL;
	}
	*(unsigned int *)field(p, k) = v;
	return 0;
}

static int set_bool(struct config_parser *p, const struct key *k, char *val,
		    char *why, size_t whylen)
{
	bool v;

	if (!strcasecmp(val, "yes") || !strcasecmp(val, "true") ||
	    !strcmp(val, "1"))
		v = true;
	else if (!strcasecmp(val, "no") || !strcasecmp(val, "false") ||
		 !strcmp(val, "0"))
		v = false;
	else {
		err_set(why, whylen, "%s must be yes or no", k->name);
		return -EINVAL;
	}
	*(bool *)field(p, k) = v;
	return 0;
}

static int set_listen(struct config_parser *p, const struct key *k, char *val,
		      char *why, size_t whylen)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	char *port, *host = val;
	bool v6 = *val == '[';
	unsigned long n;

	if (v6) {
		char *close = strchr(val, ']');

		if (!close || close[1] != ':')
			goto bad;
		*close = '\0';
		host = val + 1;
		port = close + 2;
	} else {
		port = strchr(val, ':');
		if (!port)
			goto bad;
		if (strchr(port + 1, ':')) {
			err_set(why, whylen,
				"%s: an IPv6 address goes in brackets, as [::]:443",
				k->name);
			return -EINVAL;
		}
		*port++ = '\0';
	}
	if (parse_ulong(port, 1, 65535, &n)) {
		err_set(why, whylen, "%s: the port must be from 1 to 65535",
			k->name);
		return -EINVAL;
	}
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			goto bad_addr;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(n);
		sslen = sizeof(*sin6);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			goto bad_addr;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(n);
		sslen = sizeof(*sin);
	}
	memcpy(&p->cfg->listen, &ss, sizeof(ss));
	p->cfg->listen_len = sslen;
	return 0;
bad_addr:
	err_set(why, whylen, "%s: not a valid IPv%c address", k->name,
		v6 ? '6' : '4');
	return -EINVAL;
bad:
	err_set(why, whylen, "%s must be ADDRESS:PORT or [ADDRESS6]:PORT",
		k->name);
	return -EINVAL;
}

static int set_kernel_path(struct config_parser *p, const struct key *k,
			   char *val, char *why, size_t whylen)
{
	if (!strcasecmp(val, "auto")) {
		*(bool *)field(p, k) = true;
	} else if (!strcasecmp(val, "off")) {
		*(bool *)field(p, k) = false;
	} else {
		err_set(why, whylen, "%s must be auto or off", k->name);
		return -EINVAL;
	}
	return 0;
}

/* Workers = auto | 1..CONFIG_MAX_WORKERS; auto is stored as 0. */
static int set_workers(struct config_parser *p, const struct key *k,
		       char *val, char *why, size_t whylen)
{
	unsigned long n = 0;

	if (strcasecmp(val, "auto") &&
	    parse_ulong(val, 1, CONFIG_MAX_WORKERS, &n)) {
		err_set(why, whylen, "%s must be auto or 1 to %u", k->name,
			CONFIG_MAX_WORKERS);
		return -EINVAL;
	}
	*(unsigned int *)field(p, k) = (unsigned int)n;
	return 0;
}

static int set_interface(struct config_parser *p, const struct key *k,
			 char *val, char *why, size_t whylen)
{
	size_t n = strlen(val), i;

	if (n >= IF_NAMESIZE || !strcmp(val, ".") || !strcmp(val, ".."))
		goto bad;
	for (i = 0; i < n; i++) {
		char c = val[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			goto bad;
	}
	memcpy(field(p, k), val, n + 1);
	return 0;
bad:
	err_set(why, whylen,
		"%s must be 1 to %d characters of A-Z a-z 0-9 _ . -",
		k->name, IF_NAMESIZE - 1);
	return -EINVAL;
}

static int set_path(struct config_parser *p, const struct key *k, char *val,
		    char *why, size_t whylen)
{
	char *dst = field(p, k);
	const char *base = p->base_dir;
	size_t n = strlen(val), blen = 0, i;
	bool slash = false;

	for (i = 0; i < n; i++) {
		if (is_ctrl(val[i])) {
			err_set(why, whylen, "%s: control character in path",
				k->name);
			return -EINVAL;
		}
	}
	if (val[0] != '/' && base) {
		blen = strlen(base);
		slash = !blen || base[blen - 1] != '/';
	}
	if (blen + slash + n >= k->size) {
		err_set(why, whylen, "%s: path longer than %zu bytes%s",
			k->name, k->size - 1,
			blen ? " (after resolving)" : "");
		return -EINVAL;
	}
	if (blen)
		memcpy(dst, base, blen);
	if (slash)
		dst[blen++] = '/';
	memcpy(dst + blen, val, n + 1);
	return 0;
}

static int set_tls(struct config_parser *p, const struct key *k, char *val,
		   char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < N_TLS; i++) {
		if (!strcmp(val, tls_versions[i].name)) {
			*(int *)field(p, k) = tls_versions[i].version;
			return 0;
		}
	}
	err_set(why, whylen, "%s must be 1.0, 1.1, 1.2 or 1.3", k->name);
	return -EINVAL;
}

static int set_ciphers(struct config_parser *p, const struct key *k,
		       char *val, char *why, size_t whylen)
{
	size_t n = strlen(val), i;

	if (n >= sizeof(p->cfg->ciphers)) {
		err_set(why, whylen, "%s: longer than %zu characters",
			k->name, sizeof(p->cfg->ciphers) - 1);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (val[i] < 0x20 || val[i] > 0x7e) {
			err_set(why, whylen,
				"%s: only printable ASCII is allowed",
				k->name);
			return -EINVAL;
		}
	}
	memcpy(p->cfg->ciphers, val, n + 1);
	return 0;
}

static int set_revoke(struct config_parser *p, const struct key *k, char *val,
		      char *why, size_t whylen)
{
	struct sstp_config *cfg = p->cfg;
	char tp[65] = "";
	unsigned int i;

	if (pki_thumbprint_normalise(val, tp) < 0) {
		err_set(why, whylen,
			"%s: a thumbprint is 40 (SHA-1) or 64 (SHA-256) hex digits",
			k->name);
		return -EINVAL;
	}
	if (cfg->n_revoked >= CONFIG_MAX_REVOKED) {
		err_set(why, whylen, "%s: more than %d thumbprints",
			k->name, CONFIG_MAX_REVOKED);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_revoked; i++) {
		if (!strcmp(cfg->revoked[i], tp)) {
			err_set(why, whylen, "%s: thumbprint listed twice",
				k->name);
			return -EINVAL;
		}
	}
	memcpy(cfg->revoked[cfg->n_revoked++], tp, sizeof(tp));
	return 0;
}

/* 0.0.0.0/8, 127.0.0.0/8 and 224.0.0.0/3 (multicast, class E). */
static const struct cidr4 *special_range(const struct cidr4 *c)
{
	static const struct cidr4 ranges[] = {
		{ 0x00000000, 8 }, { 0x7f000000, 8 }, { 0xe0000000, 3 },
	};
	size_t i;

	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		if (cidr4_overlap(c, &ranges[i]))
			return &ranges[i];
	return NULL;
}

/* Parse one CIDR; name the canonical form if host bits are set. */
static int parse_prefix(const char *name, const char *s, struct cidr4 *out,
			char *why, size_t whylen)
{
	char ip[INET_ADDRSTRLEN];
	unsigned int plen;
	uint32_t addr;

	if (cidr4_parse_raw(s, &addr, &plen)) {
		err_set(why, whylen,
			"%s must be ADDRESS/PREFIXLEN, as 10.1.0.0/16", name);
		return -EINVAL;
	}
	if (addr & ~prefix_mask(plen)) {
		fmt_ip(addr & prefix_mask(plen), ip);
		err_set(why, whylen, "%s: host bits set, did you mean %s/%u?",
			name, ip, plen);
		return -EINVAL;
	}
	out->addr = addr;
	out->plen = plen;
	return 0;
}

static int set_pool(struct config_parser *p, const struct key *k, char *val,
		    char *why, size_t whylen)
{
	const struct cidr4 *bad;
	char ip[INET_ADDRSTRLEN];
	struct cidr4 c;

	if (parse_prefix(k->name, val, &c, why, whylen))
		return -EINVAL;
	if (c.plen < 16 || c.plen > 30) {
		err_set(why, whylen, "%s: prefix length must be from 16 to 30",
			k->name);
		return -EINVAL;
	}
	bad = special_range(&c);
	if (bad) {
		fmt_ip(bad->addr, ip);
		err_set(why, whylen, "%s: inside the reserved range %s/%u",
			k->name, ip, bad->plen);
		return -EINVAL;
	}
	p->cfg->pool.addr = c.addr;
	p->cfg->pool.plen = c.plen;
	return 0;
}

static int set_address(struct config_parser *p, const struct key *k,
		       char *val, char *why, size_t whylen)
{
	if (ipv4_parse(val, &p->cfg->address)) {
		err_set(why, whylen, "%s: not a valid IPv4 address", k->name);
		return -EINVAL;
	}
	return 0;
}

/*
 * Split a comma-separated list in place: -EINVAL for an empty item, -E2BIG
 * for more than max items.
 */
static int split_list(char *val, char **items, unsigned int max,
		      unsigned int *n)
{
	char *s = val, *comma;

	*n = 0;
	for (;;) {
		comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		s = trim(s);
		if (!*s)
			return -EINVAL;
		if (*n == max)
			return -E2BIG;
		items[(*n)++] = s;
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static int set_dns(struct config_parser *p, const struct key *k, char *val,
		   char *why, size_t whylen)
{
	struct sstp_config *cfg = p->cfg;
	char *items[CONFIG_MAX_DNS];
	uint32_t addr[CONFIG_MAX_DNS];
	unsigned int n, i;
	int ret;

	ret = split_list(val, items, CONFIG_MAX_DNS, &n);
	if (ret == -EINVAL) {
		err_set(why, whylen,
			"%s must be one or two comma-separated IPv4 addresses",
			k->name);
		return -EINVAL;
	}
	if (ret || cfg->n_dns + n > CONFIG_MAX_DNS) {
		err_set(why, whylen, "%s: more than %d servers", k->name,
			CONFIG_MAX_DNS);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		struct cidr4 host;

		if (ipv4_parse(items[i], &addr[i])) {
			err_set(why, whylen,
				"%s: %s is not a valid IPv4 address", k->name,
				items[i]);
			return -EINVAL;
		}
		host.addr = addr[i];
		host.plen = 32;
		if (special_range(&host)) {
			err_set(why, whylen, "%s: %s is not a unicast address",
				k->name, items[i]);
			return -EINVAL;
		}
	}
	for (i = 0; i < n; i++)
		cfg->dns[cfg->n_dns++] = addr[i];
	return 0;
}

static int set_route(struct config_parser *p, const struct key *k, char *val,
		     char *why, size_t whylen)
{
	struct sstp_config *cfg = p->cfg;
	char *items[CONFIG_MAX_ROUTES];
	struct cidr4 r[CONFIG_MAX_ROUTES];
	unsigned int n, i, j;
	int ret;

	ret = split_list(val, items, CONFIG_MAX_ROUTES, &n);
	if (ret == -EINVAL) {
		err_set(why, whylen,
			"%s must be a comma-separated list of ADDRESS/PREFIXLEN",
			k->name);
		return -EINVAL;
	}
	if (ret || cfg->n_routes + n > CONFIG_MAX_ROUTES) {
		err_set(why, whylen, "%s: more than %d routes", k->name,
			CONFIG_MAX_ROUTES);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (parse_prefix(k->name, items[i], &r[i], why, whylen))
			return -EINVAL;
		for (j = 0; j < cfg->n_routes + i; j++) {
			const struct cidr4 *o = j < cfg->n_routes ?
				&cfg->routes[j] : &r[j - cfg->n_routes];

			if (o->addr == r[i].addr && o->plen == r[i].plen) {
				err_set(why, whylen, "%s: %s listed twice",
					k->name, items[i]);
				return -EINVAL;
			}
		}
	}
	for (i = 0; i < n; i++) {
		cfg->routes[cfg->n_routes].addr = r[i].addr;
		cfg->routes[cfg->n_routes].plen = r[i].plen;
		cfg->n_routes++;
	}
	return 0;
}

#define F(m) \
	offsetof(struct sstp_config, m), sizeof(((struct sstp_config *)0)->m)
#define NUM(sec, name, min, max, m) \
	{ sec, name, set_uint, false, false, min, max, F(m) }

static const struct key keys[] = {
	{ CFG_SEC_GATEWAY, "Listen", set_listen, false, false, 0, 0,
	  F(listen) },
	{ CFG_SEC_GATEWAY, "Interface", set_interface, false, false, 0, 0,
	  F(interface) },
	{ CFG_SEC_GATEWAY, "Certificate", set_path, false, true, 0, 0,
	  F(certificate) },
	{ CFG_SEC_GATEWAY, "PrivateKey", set_path, false, true, 0, 0,
	  F(private_key) },
	NUM(CFG_SEC_GATEWAY, "MaxSessions", 1, LIMIT_MAX_SESSIONS,
	    max_sessions),
	NUM(CFG_SEC_GATEWAY, "MaxHandshakes", 1, LIMIT_MAX_HANDSHAKES,
	    max_handshakes),
	NUM(CFG_SEC_GATEWAY, "HandshakeTimeout", 1, 600, handshake_timeout),
	NUM(CFG_SEC_GATEWAY, "NegotiationTimeout", 1, 600,
	    negotiation_timeout),
	NUM(CFG_SEC_GATEWAY, "HelloInterval", 5, 3600, hello_interval),
	{ CFG_SEC_GATEWAY, "TLSMinVersion", set_tls, false, false, 0, 0,
	  F(tls_min_version) },
	{ CFG_SEC_GATEWAY, "TLSMaxVersion", set_tls, false, false, 0, 0,
	  F(tls_max_version) },
	{ CFG_SEC_GATEWAY, "Ciphers", set_ciphers, false, false, 0, 0,
	  F(ciphers) },
	{ CFG_SEC_GATEWAY, "KernelTLS", set_bool, false, false, 0, 0,
	  F(kernel_tls) },
	{ CFG_SEC_GATEWAY, "KernelDataPath", set_kernel_path, false, false, 0,
	  0, F(kernel_path) },
	{ CFG_SEC_GATEWAY, "KernelInterface", set_interface, false, false, 0, 0,
	  F(kernel_interface) },
	{ CFG_SEC_GATEWAY, "KernelCoalesce", set_bool, false, false, 0, 0,
	  F(kernel_coalesce) },
	{ CFG_SEC_CLIENTS, "RootCertificates", set_path, false, true, 0, 0,
	  F(root_dir) },
	{ CFG_SEC_CLIENTS, "RevokedFile", set_path, false, false, 0, 0,
	  F(revoked_file) },
	{ CFG_SEC_CLIENTS, "Revoke", set_revoke, true, false, 0, 0,
	  F(revoked) },
	{ CFG_SEC_NETWORK, "Pool", set_pool, false, true, 0, 0, F(pool) },
	{ CFG_SEC_NETWORK, "Address", set_address, false, false, 0, 0,
	  F(address) },
	{ CFG_SEC_NETWORK, "DNS", set_dns, true, false, 0, 0, F(dns) },
	{ CFG_SEC_NETWORK, "Route", set_route, true, false, 0, 0, F(routes) },
	NUM(CFG_SEC_NETWORK, "MTU", 576, 4087, mtu),
	NUM(CFG_SEC_GATEWAY, "MaxConnectionsPerSource", 1, LIMIT_MAX_SESSIONS,
	    max_conns_per_source),
	NUM(CFG_SEC_GATEWAY, "MaxHandshakesPerSource", 1,
	    LIMIT_MAX_HANDSHAKES, max_handshakes_per_source),
	NUM(CFG_SEC_GATEWAY, "MaxSessionsPerCertificate", 1,
	    LIMIT_MAX_SESSIONS, max_sessions_per_cert),
	{ CFG_SEC_GATEWAY, "TunOffload", set_bool, false, false, 0, 0,
	  F(tun_offload) },
	{ CFG_SEC_GATEWAY, "Workers", set_workers, false, false, 0, 0,
	  F(workers) },
};

#define N_KEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(N_KEYS <= 64, "config_parser.seen holds 64 bits per section");

static const struct key *find_key(const char *name, enum config_section sec,
				  size_t *idx)
{
	size_t i;

	for (i = 0; i < N_KEYS; i++) {
		if ((sec == CFG_SEC_NONE || keys[i].section == sec) &&
		    !strcasecmp(keys[i].name, name)) {
			*idx = i;
			return &keys[i];
		}
	}
	return NULL;
}

static bool key_seen(const struct config_parser *p, const char *name)
{
	size_t i;
	const struct key *k = find_key(name, CFG_SEC_NONE, &i);

	return k && (p->seen[k->section] & (1ull << i));
}

struct out {
	char *buf;
	size_t size, pos;
};

static void out_char(struct out *o, char c)
{
	if (o->pos + 1 < o->size) {
		o->buf[o->pos++] = c;
		o->buf[o->pos] = '\0';
	}
}

/* Control characters come out as \xNN so a hostile file cannot drive
 * the terminal or forge log lines. */
static void out_escaped(struct out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (is_ctrl(c)) {
			out_char(o, '\\');
			out_char(o, 'x');
			out_char(o, hex[c >> 4]);
			out_char(o, hex[c & 15]);
		} else {
			out_char(o, c);
		}
	}
}

#define QUOTE_MAX 200

static __attribute__((format(printf, 5, 6)))
int line_error(const struct config_parser *p, const char *line, char *err,
	       size_t errlen, const char *fmt, ...)
{
	struct out o = { err, errlen, 0 };
	char what[512], num[32];
	size_t n;
	va_list ap;

	if (!err || !errlen)
		return -EINVAL;
	err[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	while (is_space(*line))
		line++;
	n = strlen(line);
	while (n && is_space(line[n - 1]))
		n--;
	snprintf(num, sizeof(num), "line %u: ", p->lineno);
	out_escaped(&o, num, strlen(num));
	out_escaped(&o, what, strlen(what));
	out_escaped(&o, ": `", 3);
	out_escaped(&o, line, n > QUOTE_MAX ? QUOTE_MAX : n);
	if (n > QUOTE_MAX)
		out_escaped(&o, "...", 3);
	out_char(&o, '`');
	return -EINVAL;
}

static int parse_section(struct config_parser *p, char *s, const char *line,
			 char *err, size_t errlen)
{
	size_t n = strlen(s);
	int i;

	if (s[n - 1] != ']')
		return line_error(p, line, err, errlen,
				  "a section header is [Name]");
	s[n - 1] = '\0';
	s = trim(s + 1);
	for (i = CFG_SEC_GATEWAY; i <= CFG_SEC_NETWORK; i++) {
		if (!strcasecmp(s, section_names[i])) {
			p->section = i;
			return 0;
		}
	}
	p->section = CFG_SEC_NONE;
	return line_error(p, line, err, errlen,
			  "unknown section [%s]; expected [Gateway], [Clients] or [Network]",
			  s);
}

int config_parse_line(struct config_parser *p, const char *line, char *err,
		      size_t errlen)
{
	char buf[CONFIG_LINE_MAX + 1], why[256];
	const struct key *k;
	char *s, *eq, *key, *val, *c;
	size_t len, idx;

	p->lineno++;
	len = strlen(line);
	if (len > CONFIG_LINE_MAX)
		return line_error(p, line, err, errlen,
				  "longer than %d characters", CONFIG_LINE_MAX);
	memcpy(buf, line, len + 1);
	s = trim(buf);
	if (!*s || *s == '#')
		return 0;
	for (c = s + 1; *c; c++) {
		if (*c == '#' && is_space(c[-1])) {
			*c = '\0';
			s = trim(s);
			break;
		}
	}
	if (*s == '[')
		return parse_section(p, s, line, err, errlen);

	eq = strchr(s, '=');
	if (!eq)
		return line_error(p, line, err, errlen, "expected Key = Value");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (*val == '#')
		*val = '\0';
	if (!*key)
		return line_error(p, line, err, errlen, "missing key before =");
	if (p->section == CFG_SEC_NONE)
		return line_error(p, line, err, errlen,
				  "key outside any section");
	k = find_key(key, p->section, &idx);
	if (!k) {
		k = find_key(key, CFG_SEC_NONE, &idx);
		if (k)
			return line_error(p, line, err, errlen,
					  "%s belongs in [%s], not [%s]",
					  k->name, section_names[k->section],
					  section_names[p->section]);
		return line_error(p, line, err, errlen,
				  "unknown key %s in [%s]", key,
				  section_names[p->section]);
	}
	if (!k->repeatable && (p->seen[k->section] & (1ull << idx)))
		return line_error(p, line, err, errlen, "%s given twice",
				  k->name);
	if (!*val)
		return line_error(p, line, err, errlen, "%s: missing value",
				  k->name);
	why[0] = '\0';
	if (k->set(p, k, val, why, sizeof(why)))
		return line_error(p, line, err, errlen, "%s", why);
	p->seen[k->section] |= 1ull << idx;
	return 0;
}

static __attribute__((format(printf, 3, 4)))
int finish_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_vset(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int config_finish(struct config_parser *p, char *err, size_t errlen)
{
	struct sstp_config *cfg = p->cfg;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	uint32_t bcast;
	unsigned int i;

	for (i = 0; i < N_KEYS; i++) {
		if (keys[i].required && !(p->seen[keys[i].section] & (1ull << i)))
			return finish_error(err, errlen, "missing %s in [%s]",
					    keys[i].name,
					    section_names[keys[i].section]);
	}
	if (cfg->tls_max_version && cfg->tls_max_version < cfg->tls_min_version)
		return finish_error(err, errlen,
				    "TLSMaxVersion is below TLSMinVersion");
	if (!cfg->kernel_interface[0]) {
		if (strlen(cfg->interface) + 1 >= IF_NAMESIZE)
			return finish_error(err, errlen,
					    "Interface %s leaves no room for the kernel device's name (Interface + \"k\"); set KernelInterface",
					    cfg->interface);
		snprintf(cfg->kernel_interface, sizeof(cfg->kernel_interface),
			 "%sk", cfg->interface);
	}
	if (!strcmp(cfg->kernel_interface, cfg->interface))
		return finish_error(err, errlen,
				    "KernelInterface must differ from Interface");
	bcast = cfg->pool.addr | ~prefix_mask(cfg->pool.plen);
	fmt_ip(cfg->pool.addr, b);
	if (!key_seen(p, "Address"))
		cfg->address = cfg->pool.addr + 1;
	fmt_ip(cfg->address, a);
	if (!cidr4_contains(&cfg->pool, cfg->address))
		return finish_error(err, errlen,
				    "Address %s is outside Pool %s/%u", a, b,
				    cfg->pool.plen);
	if (cfg->address == cfg->pool.addr || cfg->address == bcast)
		return finish_error(err, errlen,
				    "Address %s is the %s address of Pool %s/%u",
				    a, cfg->address == bcast ? "broadcast" :
				    "network", b, cfg->pool.plen);
	/* Address lies in Pool, so this also keeps it out of every Route. */
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cidr4 *r = &cfg->routes[i];
		char c[INET_ADDRSTRLEN];

		fmt_ip(r->addr, c);
		if (cidr4_overlap(&cfg->pool, r))
			return finish_error(err, errlen,
					    "Pool %s/%u overlaps Route %s/%u",
					    b, cfg->pool.plen, c, r->plen);
	}
	return 0;
}

/* Relative paths in the file are relative to the file, not to our cwd. */
static char *config_dir(const char *path)
{
	char *copy = strdup(path), *slash, *dir;

	if (!copy)
		return NULL;
	slash = strrchr(copy, '/');
	if (!slash)
		strcpy(copy, ".");
	else if (slash == copy)
		slash[1] = '\0';
	else
		*slash = '\0';
	dir = realpath(copy, NULL);
	free(copy);
	return dir;
}

int config_load(const char *path, struct sstp_config *cfg, char *err,
		size_t errlen)
{
	struct config_parser p;
	char *line = NULL, *dir;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int ret = 0;

	config_parser_init(&p, cfg);
	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path,
			 strerror(-ret));
		return ret;
	}
	dir = config_dir(path);
	if (!dir) {
		ret = -errno;
		snprintf(err, errlen, "cannot resolve the directory of %s: %s",
			 path, strerror(-ret));
		fclose(f);
		return ret;
	}
	p.base_dir = dir;
	while ((n = getline(&line, &cap, f)) != -1) {
		if (memchr(line, '\0', n)) {
			p.lineno++;
			ret = line_error(&p, line, err, errlen, "NUL byte");
			break;
		}
		ret = config_parse_line(&p, line, err, errlen);
		if (ret)
			break;
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "cannot read %s", path);
	}
	if (!ret)
		ret = config_finish(&p, err, errlen);
	free(line);
	free(dir);
	fclose(f);
	return ret;
}

static void write_ip(FILE *f, const char *key, uint32_t addr)
{
	char ip[INET_ADDRSTRLEN];

	fmt_ip(addr, ip);
	fprintf(f, "%s = %s\n", key, ip);
}

static void write_str(FILE *f, const char *key, const char *s, size_t size)
{
	size_t n = strnlen(s, size);

	if (n)
		fprintf(f, "%s = %.*s\n", key, (int)n, s);
}

void config_write(FILE *f, const struct sstp_config *cfg)
{
	char ip[INET6_ADDRSTRLEN];
	unsigned int i, n;

	fputs("[Gateway]\n", f);
	if (cfg->listen.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&cfg->listen;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		fprintf(f, "Listen = %s:%u\n", ip, ntohs(sin->sin_port));
	} else if (cfg->listen.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&cfg->listen;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		fprintf(f, "Listen = [%s]:%u\n", ip, ntohs(sin6->sin6_port));
	}
	write_str(f, "Interface", cfg->interface, sizeof(cfg->interface));
	write_str(f, "Certificate", cfg->certificate, sizeof(cfg->certificate));
	write_str(f, "PrivateKey", cfg->private_key, sizeof(cfg->private_key));
	fprintf(f, "MaxSessions = %u\n", cfg->max_sessions);
	fprintf(f, "MaxHandshakes = %u\n", cfg->max_handshakes);
	fprintf(f, "HandshakeTimeout = %u\n", cfg->handshake_timeout);
	fprintf(f, "NegotiationTimeout = %u\n", cfg->negotiation_timeout);
	fprintf(f, "HelloInterval = %u\n", cfg->hello_interval);
	fprintf(f, "MaxConnectionsPerSource = %u\n", cfg->max_conns_per_source);
	fprintf(f, "MaxHandshakesPerSource = %u\n",
		cfg->max_handshakes_per_source);
	fprintf(f, "MaxSessionsPerCertificate = %u\n",
		cfg->max_sessions_per_cert);
	for (i = 0; i < N_TLS; i++)
		if (cfg->tls_min_version == tls_versions[i].version)
			fprintf(f, "TLSMinVersion = %s\n",
				tls_versions[i].name);
	for (i = 0; i < N_TLS; i++)
		if (cfg->tls_max_version == tls_versions[i].version)
			fprintf(f, "TLSMaxVersion = %s\n",
				tls_versions[i].name);
	write_str(f, "Ciphers", cfg->ciphers, sizeof(cfg->ciphers));
	fprintf(f, "KernelTLS = %s\n", cfg->kernel_tls ? "yes" : "no");
	fprintf(f, "KernelDataPath = %s\n", cfg->kernel_path ? "auto" : "off");
	write_str(f, "KernelInterface", cfg->kernel_interface,
		  sizeof(cfg->kernel_interface));
	fprintf(f, "KernelCoalesce = %s\n", cfg->kernel_coalesce ? "yes" : "no");
	fprintf(f, "TunOffload = %s\n", cfg->tun_offload ? "yes" : "no");
	if (cfg->workers)
		fprintf(f, "Workers = %u\n", cfg->workers);
	else
		fputs("Workers = auto\n", f);

	fputs("\n[Clients]\n", f);
	write_str(f, "RootCertificates", cfg->root_dir, sizeof(cfg->root_dir));
	write_str(f, "RevokedFile", cfg->revoked_file,
		  sizeof(cfg->revoked_file));
	n = cfg->n_revoked < CONFIG_MAX_REVOKED ? cfg->n_revoked :
		CONFIG_MAX_REVOKED;
	for (i = 0; i < n; i++)
		write_str(f, "Revoke", cfg->revoked[i],
			  sizeof(cfg->revoked[i]));

	fputs("\n[Network]\n", f);
	if (cfg->pool.plen) {
		fmt_ip(cfg->pool.addr, ip);
		fprintf(f, "Pool = %s/%u\n", ip, cfg->pool.plen);
	}
	if (cfg->address)
		write_ip(f, "Address", cfg->address);
	n = cfg->n_dns < CONFIG_MAX_DNS ? cfg->n_dns : CONFIG_MAX_DNS;
	if (n) {
		fputs("DNS = ", f);
		for (i = 0; i < n; i++) {
			fmt_ip(cfg->dns[i], ip);
			fprintf(f, "%s%s", i ? ", " : "", ip);
		}
		fputc('\n', f);
	}
	n = cfg->n_routes < CONFIG_MAX_ROUTES ? cfg->n_routes :
		CONFIG_MAX_ROUTES;
	for (i = 0; i < n; i++) {
		fmt_ip(cfg->routes[i].addr, ip);
		fprintf(f, "Route = %s/%u\n", ip, cfg->routes[i].plen);
	}
	fprintf(f, "MTU = %u\n", cfg->mtu);
}
