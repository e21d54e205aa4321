/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gateway's configuration file: a strict INI dialect (sstpd.conf(5)).
 * The parser consumes one line at a time so that a fuzzer can drive it.
 */
#ifndef _SSTP_CONFIG_H
#define _SSTP_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <net/if.h>
#include <sys/socket.h>

#define CONFIG_MAX_ROUTES	64
#define CONFIG_MAX_REVOKED	1024
#define CONFIG_MAX_DNS		2
#define CONFIG_MAX_WORKERS	64
#define CONFIG_LINE_MAX		8192	/* longer lines are an error */

struct cidr4 {
	uint32_t addr;		/* host byte order, host bits zero */
	uint8_t plen;
};

struct sstp_config {
	/* [Gateway] */
	struct sockaddr_storage listen;	/* Listen = 0.0.0.0:443 | [::]:443 */
	socklen_t listen_len;
	char interface[IF_NAMESIZE];	/* Interface = sstp0 */
	char certificate[PATH_MAX];	/* Certificate = PEM, leaf first, chain after */
	char private_key[PATH_MAX];	/* PrivateKey = PEM, mode 0600 or stricter */
	unsigned int max_sessions;	/* MaxSessions = 128 */
	unsigned int max_handshakes;	/* MaxHandshakes = 64 (in flight) */
	unsigned int handshake_timeout;	/* HandshakeTimeout = 10 (s, TLS + HTTP) */
	unsigned int negotiation_timeout; /* NegotiationTimeout = 60 (s) */
	unsigned int hello_interval;	/* HelloInterval = 60 (s) */
	unsigned int max_conns_per_source;	/* MaxConnectionsPerSource = 64 */
	unsigned int max_handshakes_per_source;	/* MaxHandshakesPerSource = 8 */
	unsigned int max_sessions_per_cert;	/* MaxSessionsPerCertificate = 4 */
	int tls_min_version;		/* TLSMinVersion = 1.2 (TLS1_2_VERSION) */
	int tls_max_version;		/* TLSMaxVersion = 1.3 (0: highest) */
	char ciphers[512];		/* Ciphers = OpenSSL list for TLS <= 1.2 */
	bool kernel_tls;		/* KernelTLS = yes: hand sessions to kTLS */
	bool kernel_path;		/* KernelDataPath = auto | off (sstp.ko) */
	char kernel_interface[IF_NAMESIZE]; /* KernelInterface = <Interface>k */
	bool kernel_coalesce;		/* KernelCoalesce = no */
	bool tun_offload;		/* TunOffload = yes (IFF_VNET_HDR) */
	unsigned int workers;		/* Workers = auto (0) | 1..64 */
	/* [Clients] */
	char root_dir[PATH_MAX];	/* RootCertificates = directory of PEM roots */
	char revoked_file[PATH_MAX];	/* RevokedFile = thumbprints, one a line */
	unsigned int n_revoked;		/* Revoke = thumbprint (repeatable) */
	char revoked[CONFIG_MAX_REVOKED][65];	/* normalised: upper-case hex */
	/* [Network] */
	struct cidr4 pool;		/* Pool = 172.16.201.0/24 */
	uint32_t address;		/* Address = gateway's inner address */
	unsigned int n_dns;		/* DNS = a.b.c.d[, e.f.g.h] */
	uint32_t dns[CONFIG_MAX_DNS];
	unsigned int n_routes;		/* Route = networks behind the gateway */
	struct cidr4 routes[CONFIG_MAX_ROUTES];
	unsigned int mtu;		/* MTU = 1400 */
};

enum config_section { CFG_SEC_NONE, CFG_SEC_GATEWAY, CFG_SEC_CLIENTS,
		      CFG_SEC_NETWORK };

struct config_parser {
	struct sstp_config *cfg;
	enum config_section section;
	unsigned int lineno;
	uint64_t seen[4];	/* bitmap of keys seen, per section */
	/* Relative paths are resolved against this directory; NULL keeps
	 * them as written. config_load() sets it to the file's directory. */
	const char *base_dir;
};

/* Fill in every default. */
void config_defaults(struct sstp_config *cfg);
/* Also fills cfg with the defaults. */
void config_parser_init(struct config_parser *p, struct sstp_config *cfg);
/*
 * One line (without or with its trailing newline). Returns 0 or -EINVAL
 * with err holding "line N: <what is wrong>: `<the line>`".
 */
int config_parse_line(struct config_parser *p, const char *line, char *err,
		      size_t errlen);
/*
 * Cross-key checks after the last line: required keys, the gateway address
 * inside the pool, the pool not overlapping any Route. 0 or -EINVAL.
 */
int config_finish(struct config_parser *p, char *err, size_t errlen);
/* Parse a whole file: defaults, every line, then config_finish().
 * Relative paths in the file are taken relative to the file's directory
 * and stored absolute. 0 or -errno with err set. */
int config_load(const char *path, struct sstp_config *cfg, char *err,
		size_t errlen);
/* Print back in the same format (sstpctl showconf); round-trips. */
void config_write(FILE *f, const struct sstp_config *cfg);

/* Helpers shared with other parsers. */
int cidr4_parse(const char *s, struct cidr4 *out);	/* 0 or -EINVAL */
int ipv4_parse(const char *s, uint32_t *out);		/* 0 or -EINVAL */
bool cidr4_overlap(const struct cidr4 *a, const struct cidr4 *b);
bool cidr4_contains(const struct cidr4 *c, uint32_t addr);

#endif
