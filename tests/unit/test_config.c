// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config/config.h"
#include "trust/thumbprint.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static struct sstp_config cfg, cfg2;
static char err[1024];

static const char full_conf[] =
	"# sstpd test configuration\n"
	"[Gateway]\n"
	"Listen = 127.0.0.1:4443\n"
	"Interface = sstp7\n"
	"Certificate = /etc/sstp/cert.pem\n"
	"PrivateKey = /etc/sstp/key.pem\n"
	"MaxSessions = 1000\n"
	"MaxHandshakes = 32\n"
	"HandshakeTimeout = 15\n"
	"NegotiationTimeout = 90\n"
	"HelloInterval = 30\n"
	"MaxConnectionsPerSource = 20\n"
	"MaxHandshakesPerSource = 3\n"
	"MaxSessionsPerCertificate = 2\n"
	"TLSMinVersion = 1.3\n"
	"Ciphers = ECDHE+AESGCM:!aNULL:@SECLEVEL=2\n"
	"\n"
	"[Clients]\n"
	"RootCertificates = /etc/sstp/roots\n"
	"RevokedFile = /etc/sstp/revoked\n"
	"Revoke = 01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67\n"
	"Revoke = 0123456789abcdef0123456789abcdef 0123456789abcdef0123456789abcdef\n"
	"\n"
	"[Network]\n"
	"Pool = 172.16.201.0/24\n"
	"Address = 172.16.201.254\n"
	"DNS = 10.0.0.53, 10.0.1.53\n"
	"Route = 10.0.0.0/16, 10.1.0.0/16\n"
	"Route = 192.168.50.0/24\n"
	"MTU = 1350\n";

static const char min_conf[] =
	"[Gateway]\n"
	"Certificate = cert.pem\n"
	"PrivateKey = key.pem\n"
	"[Clients]\n"
	"RootCertificates = roots\n"
	"[Network]\n"
	"Pool = 10.77.0.0/16\n";

/* Feed text line by line; stop at the first error; then finish. */
static int parse_text(const char *text, struct sstp_config *c,
		      const char *base_dir)
{
	struct config_parser p;
	char line[CONFIG_LINE_MAX + 2];
	const char *s = text;
	int ret;

	config_parser_init(&p, c);
	p.base_dir = base_dir;
	err[0] = '\0';
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) + 1 : strlen(s);

		assert_true(n < sizeof(line));
		memcpy(line, s, n);
		line[n] = '\0';
		s += n;
		ret = config_parse_line(&p, line, err, sizeof(err));
		if (ret)
			return ret;
	}
	return config_finish(&p, err, sizeof(err));
}

/*
 * The line as the error quotes it: trimmed, control bytes as \xNN, cut
 * after 200 bytes.
 */
static void trimmed(const char *line, char *out, size_t outlen)
{
	size_t n = strlen(line), i, o = 0;
	bool cut;

	while (*line == ' ' || *line == '\t')
		line++, n--;
	while (n && strchr(" \t\r\n", line[n - 1]))
		n--;
	cut = n > 200;
	if (cut)
		n = 200;
	for (i = 0; i < n && o + 5 < outlen; i++) {
		unsigned char c = line[i];

		if (c < 0x20 || c == 0x7f)
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = c;
	}
	out[o] = '\0';
	if (cut)
		snprintf(out + o, outlen - o, "...");
}

/*
 * Parse "[section]" then line; the second line must fail with an error
 * that names line 2, contains what, and ends with the trimmed line quoted.
 */
static void expect_bad(const char *section, const char *line,
		       const char *what)
{
	struct config_parser p;
	char want[CONFIG_LINE_MAX + 64], t[CONFIG_LINE_MAX + 1];
	size_t el, wl;

	config_parser_init(&p, &cfg);
	if (section) {
		assert_int_equal(config_parse_line(&p, section, err,
						   sizeof(err)), 0);
	} else {
		assert_int_equal(config_parse_line(&p, "# no section", err,
						   sizeof(err)), 0);
	}
	err[0] = '\0';
	if (config_parse_line(&p, line, err, sizeof(err)) != -EINVAL)
		fail_msg("accepted in %s: %s", section, line);
	if (strncmp(err, "line 2: ", 8))
		fail_msg("no line number: %s", err);
	if (!strstr(err, what))
		fail_msg("\"%s\" lacks \"%s\"", err, what);
	trimmed(line, t, sizeof(t));
	snprintf(want, sizeof(want), ": `%s`", t);
	el = strlen(err);
	wl = strlen(want);
	if (el < wl || strcmp(err + el - wl, want))
		fail_msg("\"%s\" does not end with \"%s\"", err, want);
}

static void expect_good(const char *section, const char *line)
{
	struct config_parser p;

	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, section, err, sizeof(err)), 0);
	if (config_parse_line(&p, line, err, sizeof(err)))
		fail_msg("rejected %s: %s", line, err);
}

static void expect_finish_error(const char *text, const char *want)
{
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	if (strcmp(err, want))
		fail_msg("got \"%s\", want \"%s\"", err, want);
}

static void test_defaults(void **state)
{
	const struct sockaddr_in *sin = (const void *)&cfg.listen;

	memset(&cfg, 0xa5, sizeof(cfg));
	config_defaults(&cfg);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 443);
	assert_int_equal(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_int_equal(cfg.listen_len, sizeof(struct sockaddr_in));
	assert_string_equal(cfg.interface, "sstp0");
	assert_string_equal(cfg.certificate, "");
	assert_string_equal(cfg.ciphers, "");
	assert_int_equal(cfg.max_sessions, 128);
	assert_int_equal(cfg.max_handshakes, 64);
	assert_int_equal(cfg.handshake_timeout, 10);
	assert_int_equal(cfg.negotiation_timeout, 60);
	assert_int_equal(cfg.hello_interval, 60);
	assert_int_equal(cfg.max_conns_per_source, 64);
	assert_int_equal(cfg.max_handshakes_per_source, 8);
	assert_int_equal(cfg.max_sessions_per_cert, 4);
	assert_int_equal(cfg.tls_min_version, 0x0303);
	assert_int_equal(cfg.mtu, 1400);
	assert_int_equal(cfg.n_revoked, 0);
	assert_int_equal(cfg.n_dns, 0);
	assert_int_equal(cfg.n_routes, 0);
	assert_int_equal(cfg.address, 0);
}

static void test_full(void **state)
{
	const struct sockaddr_in *sin = (const void *)&cfg.listen;

	if (parse_text(full_conf, &cfg, NULL))
		fail_msg("%s", err);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 4443);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), IP(127, 0, 0, 1));
	assert_string_equal(cfg.interface, "sstp7");
	assert_string_equal(cfg.certificate, "/etc/sstp/cert.pem");
	assert_string_equal(cfg.private_key, "/etc/sstp/key.pem");
	assert_int_equal(cfg.max_sessions, 1000);
	assert_int_equal(cfg.max_handshakes, 32);
	assert_int_equal(cfg.handshake_timeout, 15);
	assert_int_equal(cfg.negotiation_timeout, 90);
	assert_int_equal(cfg.hello_interval, 30);
	assert_int_equal(cfg.max_conns_per_source, 20);
	assert_int_equal(cfg.max_handshakes_per_source, 3);
	assert_int_equal(cfg.max_sessions_per_cert, 2);
	assert_int_equal(cfg.tls_min_version, 0x0304);
	assert_string_equal(cfg.ciphers, "ECDHE+AESGCM:!aNULL:@SECLEVEL=2");
	assert_string_equal(cfg.root_dir, "/etc/sstp/roots");
	assert_string_equal(cfg.revoked_file, "/etc/sstp/revoked");
	assert_int_equal(cfg.n_revoked, 2);
	assert_string_equal(cfg.revoked[0],
			    "0123456789ABCDEF0123456789ABCDEF01234567");
	assert_string_equal(cfg.revoked[1],
			    "0123456789ABCDEF0123456789ABCDEF"
			    "0123456789ABCDEF0123456789ABCDEF");
	assert_int_equal(cfg.pool.addr, IP(172, 16, 201, 0));
	assert_int_equal(cfg.pool.plen, 24);
	assert_int_equal(cfg.address, IP(172, 16, 201, 254));
	assert_int_equal(cfg.n_dns, 2);
	assert_int_equal(cfg.dns[0], IP(10, 0, 0, 53));
	assert_int_equal(cfg.dns[1], IP(10, 0, 1, 53));
	assert_int_equal(cfg.n_routes, 3);
	assert_int_equal(cfg.routes[0].addr, IP(10, 0, 0, 0));
	assert_int_equal(cfg.routes[0].plen, 16);
	assert_int_equal(cfg.routes[1].addr, IP(10, 1, 0, 0));
	assert_int_equal(cfg.routes[1].plen, 16);
	assert_int_equal(cfg.routes[2].addr, IP(192, 168, 50, 0));
	assert_int_equal(cfg.routes[2].plen, 24);
	assert_int_equal(cfg.mtu, 1350);
}

static void test_minimal(void **state)
{
	if (parse_text(min_conf, &cfg, NULL))
		fail_msg("%s", err);
	/* relative paths stay as written without a base directory */
	assert_string_equal(cfg.certificate, "cert.pem");
	assert_string_equal(cfg.private_key, "key.pem");
	assert_string_equal(cfg.root_dir, "roots");
	assert_string_equal(cfg.revoked_file, "");
	assert_int_equal(cfg.address, IP(10, 77, 0, 1));
	assert_int_equal(cfg.max_sessions, 128);
	assert_int_equal(cfg.mtu, 1400);
	assert_string_equal(cfg.interface, "sstp0");
}

static void test_kernel_tls(void **state)
{
	static const char *const bad[] = { "maybe", "2", "" };
	char text[1024];
	size_t i;

	assert_int_equal(parse_text(min_conf, &cfg, NULL), 0);
	assert_true(cfg.kernel_tls);
	snprintf(text, sizeof(text), "[Gateway]\nKernelTLS = no\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_false(cfg.kernel_tls);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[Gateway]\nKernelTLS = %s\n",
			 bad[i]);
		assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
		assert_non_null(strstr(err, "line 2"));
	}
}

static void round_trip(const struct sstp_config *in);

static void test_tun_offload(void **state)
{
	static const char *const bad[] = {
		"TunOffload = ", "TunOffload = auto", "TunOffload = 2",
	};
	char text[1024];
	size_t i;

	/* default: on */
	assert_int_equal(parse_text(min_conf, &cfg, NULL), 0);
	assert_true(cfg.tun_offload);
	snprintf(text, sizeof(text), "[Gateway]\nTunOffload = no\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_false(cfg.tun_offload);
	round_trip(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[Gateway]\n%s\n%s", bad[i],
			 strstr(min_conf, "Certificate"));
		assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
		assert_non_null(strstr(err, "TunOffload"));
	}
}

static void test_kernel_path(void **state)
{
	static const char *const bad[] = {
		"KernelDataPath = yes", "KernelDataPath = ", "KernelDataPath = on",
		"KernelInterface = has space", "KernelInterface = 0123456789abcdef",
		"KernelInterface = ..", "KernelCoalesce = perhaps",
	};
	char text[1024];
	size_t i;

	/* defaults: auto, Interface + "k", no coalescing */
	assert_int_equal(parse_text(min_conf, &cfg, NULL), 0);
	assert_true(cfg.kernel_path);
	assert_string_equal(cfg.kernel_interface, "sstp0k");
	assert_false(cfg.kernel_coalesce);
	snprintf(text, sizeof(text),
		 "[Gateway]\nInterface = vpn7\nKernelDataPath = OFF\n"
		 "KernelCoalesce = yes\n%s", strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_false(cfg.kernel_path);
	assert_true(cfg.kernel_coalesce);
	assert_string_equal(cfg.kernel_interface, "vpn7k");
	snprintf(text, sizeof(text),
		 "[Gateway]\nKernelInterface = fast0\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_string_equal(cfg.kernel_interface, "fast0");
	round_trip(&cfg);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "[Gateway]\n%s\n", bad[i]);
		assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
		assert_non_null(strstr(err, "line 2"));
	}
	/* a 15-character Interface leaves no room for the "k" */
	snprintf(text, sizeof(text), "[Gateway]\nInterface = abcdefghijklmno\n%s",
		 strstr(min_conf, "Certificate"));
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	assert_non_null(strstr(err, "set KernelInterface"));
	snprintf(text, sizeof(text),
		 "[Gateway]\nInterface = abcdefghijklmno\nKernelInterface = k0\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	snprintf(text, sizeof(text),
		 "[Gateway]\nInterface = same0\nKernelInterface = same0\n%s",
		 strstr(min_conf, "Certificate"));
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	assert_non_null(strstr(err, "must differ"));
}

static void test_tls_max_version(void **state)
{
	char text[1024];

	snprintf(text, sizeof(text), "[Gateway]\nTLSMaxVersion = 1.2\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_int_equal(cfg.tls_max_version, 0x0303);
	snprintf(text, sizeof(text),
		 "[Gateway]\nTLSMinVersion = 1.3\nTLSMaxVersion = 1.2\n%s",
		 strstr(min_conf, "Certificate"));
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	assert_non_null(strstr(err, "TLSMaxVersion is below TLSMinVersion"));
	assert_int_equal(parse_text("[Gateway]\nTLSMaxVersion = 2\n", &cfg,
				    NULL), -EINVAL);
	assert_non_null(strstr(err, "line 2"));
}

static void test_comments_whitespace(void **state)
{
	static const char text[] =
		"   # indented comment\n"
		"\n"
		"\t\n"
		"  [gateway]   # section comment\r\n"
		"\tcertificate\t=\t/a b/c#d.pem\t# trailing comment\r\n"
		"PRIVATEKEY=/k.pem\n"
		"  maxsessions   =   7   \n"
		"#MaxSessions = 8\n"
		"[ CLIENTS ]\n"
		"RootCertificates = /r\n"
		"[Network]\n"
		"Pool = 10.0.0.0/24 #comment\n"
		"[Gateway]\n"
		"MTU = 1000\n";
	static const char text_mtu[] =
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n"
		"[Network]\nPool = 10.0.0.0/24\nMTU = 1000 # bytes\n";

	/* MTU lives in [Network]; reopening [Gateway] does not change that */
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	assert_string_equal(err, "line 14: MTU belongs in [Network], not "
			    "[Gateway]: `MTU = 1000`");
	assert_int_equal(parse_text(text_mtu, &cfg, NULL), 0);
	assert_int_equal(cfg.mtu, 1000);

	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	assert_string_equal(cfg.certificate, "/a b/c#d.pem");
	assert_string_equal(cfg.private_key, "/k.pem");
	assert_int_equal(cfg.max_sessions, 7);
	assert_string_equal(cfg.root_dir, "/r");
	assert_int_equal(cfg.pool.addr, IP(10, 0, 0, 0));
}

static void test_structure_errors(void **state)
{
	char longline[CONFIG_LINE_MAX + 2];

	expect_bad(NULL, "Listen = 0.0.0.0:443", "key outside any section");
	expect_bad("[Gateway]", "Foo = 1", "unknown key Foo in [Gateway]");
	expect_bad("[Gateway]", "Pool = 10.0.0.0/24",
		   "Pool belongs in [Network], not [Gateway]");
	expect_bad("[Network]", "Listen = 0.0.0.0:443",
		   "Listen belongs in [Gateway], not [Network]");
	expect_bad("[Gateway]", "[Peer]", "unknown section [Peer]");
	expect_bad("[Gateway]", "[]", "unknown section []");
	expect_bad("[Gateway]", "[Gateway", "a section header is [Name]");
	expect_bad("[Gateway]", "[Gateway] x", "a section header is [Name]");
	expect_bad("[Gateway]", "  just words  ", "expected Key = Value");
	expect_bad("[Gateway]", "= 5", "missing key before =");
	expect_bad("[Gateway]", "MTU", "expected Key = Value");
	expect_bad("[Gateway]", "MaxSessions =", "MaxSessions: missing value");
	expect_bad("[Gateway]", "MaxSessions =   ", "missing value");
	expect_bad("[Gateway]", "MaxSessions = # none",
		   "MaxSessions: missing value");
	expect_bad("[Gateway]", "MaxSessions = #5", "missing value");
	expect_bad("[Gateway]", "Max Sessions = 5", "unknown key Max Sessions");

	memset(longline, 'a', CONFIG_LINE_MAX + 1);
	longline[CONFIG_LINE_MAX + 1] = '\0';
	{
		struct config_parser p;

		config_parser_init(&p, &cfg);
		assert_int_equal(config_parse_line(&p, longline, err,
						   sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "line 1: longer than 8192"));
		assert_non_null(strstr(err, "aaa...`"));
		/* err is always terminated, however small */
		assert_int_equal(config_parse_line(&p, "[X]", err, 6),
				 -EINVAL);
		assert_string_equal(err, "line ");
		assert_int_equal(config_parse_line(&p, "[X]", NULL, 0),
				 -EINVAL);
		assert_int_equal(p.lineno, 3);
	}
}

static void test_control_chars_escaped(void **state)
{
	struct config_parser p;

	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)),
			 0);
	assert_int_equal(config_parse_line(&p, "Certificate = /a\033[2Jb",
					   err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: Certificate: control character in "
			    "path: `Certificate = /a\\x1b[2Jb`");
	assert_null(strchr(err, '\033'));
}

static void test_duplicates(void **state)
{
	static const char *const once[][2] = {
		{ "[Gateway]", "Listen = 0.0.0.0:1" },
		{ "[Gateway]", "Interface = x" },
		{ "[Gateway]", "Certificate = /c" },
		{ "[Gateway]", "PrivateKey = /k" },
		{ "[Gateway]", "MaxSessions = 1" },
		{ "[Gateway]", "MaxHandshakes = 1" },
		{ "[Gateway]", "HandshakeTimeout = 1" },
		{ "[Gateway]", "NegotiationTimeout = 1" },
		{ "[Gateway]", "HelloInterval = 5" },
		{ "[Gateway]", "MaxConnectionsPerSource = 5" },
		{ "[Gateway]", "MaxHandshakesPerSource = 5" },
		{ "[Gateway]", "MaxSessionsPerCertificate = 5" },
		{ "[Gateway]", "TLSMinVersion = 1.2" },
		{ "[Gateway]", "Ciphers = HIGH" },
		{ "[Clients]", "RootCertificates = /r" },
		{ "[Clients]", "RevokedFile = /f" },
		{ "[Network]", "Pool = 10.0.0.0/24" },
		{ "[Network]", "Address = 10.0.0.2" },
		{ "[Network]", "MTU = 1000" },
	};
	struct config_parser p;
	char line[128];
	size_t i;

	for (i = 0; i < sizeof(once) / sizeof(once[0]); i++) {
		config_parser_init(&p, &cfg);
		assert_int_equal(config_parse_line(&p, once[i][0], err,
						   sizeof(err)), 0);
		if (config_parse_line(&p, once[i][1], err, sizeof(err)))
			fail_msg("%s", err);
		/* keys are case-insensitive, so this is the same key */
		snprintf(line, sizeof(line), "  %s", once[i][1]);
		for (char *c = line; *c && *c != '='; c++)
			if (*c >= 'a' && *c <= 'z')
				*c -= 32;
		assert_int_equal(config_parse_line(&p, line, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "line 3: "));
		assert_non_null(strstr(err, " given twice: `"));
	}
	/* reopening a section does not reset what was seen */
	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "MTU = 1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(config_parse_line(&p, "MaxSessions = 5", err,
					   sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "[Network]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "MaxSessions = 6", err,
					   sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 6: MaxSessions given twice: "
			    "`MaxSessions = 6`");
	/* a failed line does not count as seen */
	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "MTU = 1", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(config_parse_line(&p, "MaxSessions = 0", err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(config_parse_line(&p, "MaxSessions = 9", err,
					   sizeof(err)), 0);
	assert_int_equal(cfg.max_sessions, 9);
}

static void test_listen(void **state)
{
	static const char *const bad[][2] = {
		{ "Listen = 443", "Listen must be ADDRESS:PORT" },
		{ "Listen = :443", "Listen: not a valid IPv4 address" },
		{ "Listen = 0.0.0.0", "Listen must be ADDRESS:PORT" },
		{ "Listen = 0.0.0.0:", "port must be from 1 to 65535" },
		{ "Listen = 0.0.0.0:0", "port must be from 1 to 65535" },
		{ "Listen = 0.0.0.0:65536", "port must be from 1 to 65535" },
		{ "Listen = 0.0.0.0:99999999999999999999999", "port must be" },
		{ "Listen = 0.0.0.0:+1", "port must be" },
		{ "Listen = 0.0.0.0:-1", "port must be" },
		{ "Listen = 0.0.0.0:0443", "port must be" },
		{ "Listen = 0.0.0.0:44a", "port must be" },
		{ "Listen = 0.0.0.0: 443", "port must be" },
		{ "Listen = ::1:443", "IPv6 address goes in brackets" },
		{ "Listen = [::1]443", "Listen must be ADDRESS:PORT" },
		{ "Listen = [::1", "Listen must be ADDRESS:PORT" },
		{ "Listen = [::1]:", "port must be" },
		{ "Listen = [1.2.3.4]:443", "not a valid IPv6 address" },
		{ "Listen = [fe80::1%eth0]:443", "not a valid IPv6 address" },
		{ "Listen = [::1]:4443x", "port must be" },
		{ "Listen = 1.2.3:443", "not a valid IPv4 address" },
		{ "Listen = 01.2.3.4:443", "not a valid IPv4 address" },
		{ "Listen = 256.0.0.1:443", "not a valid IPv4 address" },
		{ "Listen = localhost:443", "not a valid IPv4 address" },
	};
	struct config_parser p;
	const struct sockaddr_in *sin = (const void *)&cfg.listen;
	const struct sockaddr_in6 *sin6 = (const void *)&cfg.listen;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_bad("[Gateway]", bad[i][0], bad[i][1]);

	expect_good("[Gateway]", "Listen = 0.0.0.0:443");
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 443);
	assert_int_equal(sin->sin_addr.s_addr, 0);
	expect_good("[Gateway]", "Listen = 127.0.0.1:65535");
	assert_int_equal(ntohs(sin->sin_port), 65535);
	assert_int_equal(ntohl(sin->sin_addr.s_addr), IP(127, 0, 0, 1));
	assert_int_equal(cfg.listen_len, sizeof(struct sockaddr_in));
	expect_good("[Gateway]", "Listen = [::]:443");
	assert_int_equal(sin6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(sin6->sin6_port), 443);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr));
	assert_int_equal(cfg.listen_len, sizeof(struct sockaddr_in6));
	expect_good("[Gateway]", "Listen = [::1]:1");
	assert_int_equal(ntohs(sin6->sin6_port), 1);
	assert_true(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));

	/* a rejected Listen leaves the previous value alone */
	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "Listen = [zz]:443", err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(sin->sin_family, AF_INET);
	assert_int_equal(ntohs(sin->sin_port), 443);
}

static void test_interface(void **state)
{
	expect_good("[Gateway]", "Interface = a");
	assert_string_equal(cfg.interface, "a");
	expect_good("[Gateway]", "Interface = Vpn_0.a-b123456");
	assert_string_equal(cfg.interface, "Vpn_0.a-b123456");
	expect_good("[Gateway]", "Interface = x.y");
	assert_string_equal(cfg.interface, "x.y");
	expect_bad("[Gateway]", "Interface = 0123456789abcdef",
		   "Interface must be 1 to 15 characters");
	expect_bad("[Gateway]", "Interface = .", "Interface must be");
	expect_bad("[Gateway]", "Interface = ..", "Interface must be");
	expect_bad("[Gateway]", "Interface = sstp 0", "Interface must be");
	expect_bad("[Gateway]", "Interface = eth/0", "Interface must be");
	expect_bad("[Gateway]", "Interface = eth:0", "Interface must be");
	expect_bad("[Gateway]", "Interface = \xc3\xa9t", "Interface must be");
}

static void test_numbers(void **state)
{
	static const struct {
		const char *key;
		const char *section;
		unsigned int min, max;
		size_t off;
	} nums[] = {
		{ "MaxSessions", "[Gateway]", 1, 1000000,
		  offsetof(struct sstp_config, max_sessions) },
		{ "MaxHandshakes", "[Gateway]", 1, 100000,
		  offsetof(struct sstp_config, max_handshakes) },
		{ "HandshakeTimeout", "[Gateway]", 1, 600,
		  offsetof(struct sstp_config, handshake_timeout) },
		{ "NegotiationTimeout", "[Gateway]", 1, 600,
		  offsetof(struct sstp_config, negotiation_timeout) },
		{ "HelloInterval", "[Gateway]", 5, 3600,
		  offsetof(struct sstp_config, hello_interval) },
		{ "MaxConnectionsPerSource", "[Gateway]", 1, 1000000,
		  offsetof(struct sstp_config, max_conns_per_source) },
		{ "MaxHandshakesPerSource", "[Gateway]", 1, 100000,
		  offsetof(struct sstp_config, max_handshakes_per_source) },
		{ "MaxSessionsPerCertificate", "[Gateway]", 1, 1000000,
		  offsetof(struct sstp_config, max_sessions_per_cert) },
		{ "MTU", "[Network]", 576, 4087,
		  offsetof(struct sstp_config, mtu) },
	};
	static const char *const junk[] = {
		"-1", "+5", "1x", "x1", "0x10", "010", "00", "1.5", "1e3",
		"4294967297", "18446744073709551617",
		"99999999999999999999999999", "1 0", "\xef\xbc\x91",
	};
	char line[128], what[128];
	size_t i, j;

	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const unsigned int *val = (const void *)((char *)&cfg +
							 nums[i].off);

		snprintf(what, sizeof(what), "%s must be a whole number from "
			 "%u to %u", nums[i].key, nums[i].min, nums[i].max);
		snprintf(line, sizeof(line), "%s = %u", nums[i].key,
			 nums[i].min);
		expect_good(nums[i].section, line);
		assert_int_equal(*val, nums[i].min);
		snprintf(line, sizeof(line), "%s = %u", nums[i].key,
			 nums[i].max);
		expect_good(nums[i].section, line);
		assert_int_equal(*val, nums[i].max);
		snprintf(line, sizeof(line), "%s = %u", nums[i].key,
			 nums[i].min - 1);
		expect_bad(nums[i].section, line, what);
		snprintf(line, sizeof(line), "%s = %u", nums[i].key,
			 nums[i].max + 1);
		expect_bad(nums[i].section, line, what);
		for (j = 0; j < sizeof(junk) / sizeof(junk[0]); j++) {
			snprintf(line, sizeof(line), "%s = %s", nums[i].key,
				 junk[j]);
			expect_bad(nums[i].section, line, what);
		}
	}
}

static void test_tls(void **state)
{
	static const char *const bad[] = {
		"1.4", "1", "1.20", "TLSv1.2", "1.2.0", "2.0", "0x0303", "771",
	};
	char line[64];
	size_t i;

	expect_good("[Gateway]", "TLSMinVersion = 1.0");
	assert_int_equal(cfg.tls_min_version, 0x0301);
	expect_good("[Gateway]", "TLSMinVersion = 1.1");
	assert_int_equal(cfg.tls_min_version, 0x0302);
	expect_good("[Gateway]", "TLSMinVersion = 1.2");
	assert_int_equal(cfg.tls_min_version, 0x0303);
	expect_good("[Gateway]", "tlsminversion = 1.3");
	assert_int_equal(cfg.tls_min_version, 0x0304);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(line, sizeof(line), "TLSMinVersion = %s", bad[i]);
		expect_bad("[Gateway]", line,
			   "TLSMinVersion must be 1.0, 1.1, 1.2 or 1.3");
	}
}

static void test_ciphers(void **state)
{
	char line[700];

	expect_good("[Gateway]", "Ciphers = HIGH:!aNULL:!MD5 @SECLEVEL=2");
	assert_string_equal(cfg.ciphers, "HIGH:!aNULL:!MD5 @SECLEVEL=2");
	expect_bad("[Gateway]", "Ciphers = HIGH\x01", "only printable ASCII");
	expect_bad("[Gateway]", "Ciphers = HIGH\t!MD5", "only printable ASCII");
	expect_bad("[Gateway]", "Ciphers = H\xc3\xa9", "only printable ASCII");
	strcpy(line, "Ciphers = ");
	memset(line + 10, 'A', 511);
	line[521] = '\0';
	expect_good("[Gateway]", line);
	assert_int_equal(strlen(cfg.ciphers), 511);
	strcpy(line + 521, "A");
	expect_bad("[Gateway]", line, "Ciphers: longer than 511 characters");
}

static void test_paths(void **state)
{
	static const char *const keys[][2] = {
		{ "[Gateway]", "Certificate" },
		{ "[Gateway]", "PrivateKey" },
		{ "[Clients]", "RootCertificates" },
		{ "[Clients]", "RevokedFile" },
	};
	char line[PATH_MAX + 64], what[64];
	struct config_parser p;
	size_t i;

	for (i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "%s = /x\x7fy", keys[i][1]);
		snprintf(what, sizeof(what), "%s: control character in path",
			 keys[i][1]);
		expect_bad(keys[i][0], line, what);
		snprintf(line, sizeof(line), "%s = ", keys[i][1]);
		memset(line + strlen(line), 'p', PATH_MAX);
		line[strlen(keys[i][1]) + 3 + PATH_MAX] = '\0';
		snprintf(what, sizeof(what), "%s: path longer than 4095 bytes",
			 keys[i][1]);
		expect_bad(keys[i][0], line, what);
		/* exactly PATH_MAX - 1 fits */
		line[strlen(keys[i][1]) + 3 + PATH_MAX - 1] = '\0';
		expect_good(keys[i][0], line);
	}
	assert_int_equal(strlen(cfg.revoked_file), PATH_MAX - 1);

	/* relative paths resolve against base_dir; absolute ones do not */
	config_parser_init(&p, &cfg);
	p.base_dir = "/srv/sstp";
	assert_int_equal(config_parse_line(&p, "[Gateway]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "Certificate = c/cert.pem", err,
					   sizeof(err)), 0);
	assert_string_equal(cfg.certificate, "/srv/sstp/c/cert.pem");
	assert_int_equal(config_parse_line(&p, "PrivateKey = /k.pem", err,
					   sizeof(err)), 0);
	assert_string_equal(cfg.private_key, "/k.pem");
	config_parser_init(&p, &cfg);
	p.base_dir = "/";
	assert_int_equal(config_parse_line(&p, "[Clients]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "RootCertificates = roots", err,
					   sizeof(err)), 0);
	assert_string_equal(cfg.root_dir, "/roots");
	/* resolution that overflows is an error, named as such */
	config_parser_init(&p, &cfg);
	p.base_dir = "/srv/sstp";
	assert_int_equal(config_parse_line(&p, "[Clients]", err, sizeof(err)), 0);
	snprintf(line, sizeof(line), "RevokedFile = ");
	memset(line + 14, 'r', PATH_MAX - 6);
	line[14 + PATH_MAX - 6] = '\0';
	assert_int_equal(config_parse_line(&p, line, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 2: RevokedFile: path longer than "
			       "4095 bytes (after resolving): `"));
	assert_string_equal(cfg.revoked_file, "");
}

static void test_thumbprint(void **state)
{
	char out[65];

	assert_int_equal(pki_thumbprint_normalise(
		"a9:99:3e:36:47:06:81:6a:ba:3e:25:71:78:50:c2:6c:9c:d0:d8:9d",
		out), 40);
	assert_string_equal(out, "A9993E364706816ABA3E25717850C26C9CD0D89D");
	assert_int_equal(pki_thumbprint_normalise(
		"BA7816BF 8F01CFEA 414140DE 5DAE2223 B00361A3 96177A9C "
		"B410FF61 F20015AD", out), 64);
	assert_string_equal(out, "BA7816BF8F01CFEA414140DE5DAE2223"
			    "B00361A396177A9CB410FF61F20015AD");
	/*
	 * One normaliser for the configuration, RevokedFile and sstpctl:
	 * Windows' certificate dialog prepends U+200E, Notepad a BOM.
	 */
	assert_int_equal(pki_thumbprint_normalise(
		"\xe2\x80\x8e" "a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 c2 6c "
		"9c d0 d8 9d", out), 40);
	assert_string_equal(out, "A9993E364706816ABA3E25717850C26C9CD0D89D");
	assert_int_equal(pki_thumbprint_normalise(
		"\xef\xbb\xbf" "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:"
		"9C:D0:D8:9D", out), 40);
	assert_string_equal(out, "A9993E364706816ABA3E25717850C26C9CD0D89D");
	/* Any other invisible or non-ASCII character is an error. */
	assert_int_equal(pki_thumbprint_normalise(
		"\xe2\x80\x8f" "A9993E364706816ABA3E25717850C26C9CD0D89D", out),
		-EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"\xe2\x80" "A9993E364706816ABA3E25717850C26C9CD0D89D", out),
		-EINVAL);
	/* 39, 41, 63, 65 digits; non-hex; other separators; empty */
	assert_int_equal(pki_thumbprint_normalise(
		"A9993E364706816ABA3E25717850C26C9CD0D89", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"A9993E364706816ABA3E25717850C26C9CD0D89DA", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015A",
		out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015ADD",
		out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"G9993E364706816ABA3E25717850C26C9CD0D89D", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(
		"A9-99-3E-36-47-06-81-6A-BA-3E-25-71-78-50-C2-6C-9C-D0-D8-9D",
		out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise("", out), -EINVAL);
	assert_int_equal(pki_thumbprint_normalise(": :", out), -EINVAL);
}

static void test_revoke(void **state)
{
	struct config_parser p;
	char line[128];
	unsigned int i;

	expect_bad("[Clients]", "Revoke = A9993E36", "Revoke: a thumbprint is "
		   "40 (SHA-1) or 64 (SHA-256) hex digits");
	expect_bad("[Clients]", "Revoke = Z9993E364706816ABA3E25717850C26C9CD0D89D",
		   "Revoke: a thumbprint is");
	expect_bad("[Clients]",
		   "Revoke = A9993E364706816ABA3E25717850C26C9CD0D89D, "
		   "A9993E364706816ABA3E25717850C26C9CD0D89E",
		   "Revoke: a thumbprint is");

	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Clients]", err, sizeof(err)), 0);
	for (i = 0; i < CONFIG_MAX_REVOKED; i++) {
		snprintf(line, sizeof(line), "Revoke = %040x", i);
		assert_int_equal(config_parse_line(&p, line, err, sizeof(err)),
				 0);
	}
	assert_int_equal(cfg.n_revoked, CONFIG_MAX_REVOKED);
	assert_string_equal(cfg.revoked[1023],
			    "00000000000000000000000000000000000003FF");
	snprintf(line, sizeof(line), "Revoke = %064x", 5);
	assert_int_equal(config_parse_line(&p, line, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "line 1026: Revoke: more than 1024 "
			       "thumbprints: `Revoke = 0000"));
	assert_int_equal(cfg.n_revoked, CONFIG_MAX_REVOKED);

	/* the same thumbprint twice, even written differently */
	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Clients]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p,
		"Revoke = a9993e364706816aba3e25717850c26c9cd0d89d", err,
		sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p,
		"Revoke = A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D",
		err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 3: Revoke: thumbprint listed twice"));
	assert_int_equal(cfg.n_revoked, 1);
	/* Pasted from Windows' certificate dialog (U+200E first): the same
	 * normaliser as sstpctl revoke and the revoked file. */
	assert_int_equal(config_parse_line(&p,
		"Revoke = \xe2\x80\x8e" "a9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 "
		"c2 6c 9c d0 d8 9d", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "line 4: Revoke: thumbprint listed twice"));
	assert_int_equal(config_parse_line(&p,
		"Revoke = \xe2\x80\x8e" "b9 99 3e 36 47 06 81 6a ba 3e 25 71 78 50 "
		"c2 6c 9c d0 d8 9d", err, sizeof(err)), 0);
	assert_string_equal(cfg.revoked[1],
			    "B9993E364706816ABA3E25717850C26C9CD0D89D");
}

static void test_pool_key(void **state)
{
	expect_good("[Network]", "Pool = 10.0.0.0/16");
	assert_int_equal(cfg.pool.addr, IP(10, 0, 0, 0));
	assert_int_equal(cfg.pool.plen, 16);
	expect_good("[Network]", "Pool = 192.168.7.4/30");
	assert_int_equal(cfg.pool.plen, 30);
	expect_bad("[Network]", "Pool = 172.16.0.1/24",
		   "Pool: host bits set, did you mean 172.16.0.0/24?");
	expect_bad("[Network]", "Pool = 10.0.0.0/15",
		   "Pool: prefix length must be from 16 to 30");
	expect_bad("[Network]", "Pool = 10.0.0.0/31",
		   "Pool: prefix length must be from 16 to 30");
	expect_bad("[Network]", "Pool = 10.0.0.0/33",
		   "Pool must be ADDRESS/PREFIXLEN");
	expect_bad("[Network]", "Pool = 10.0.0.0", "Pool must be");
	expect_bad("[Network]", "Pool = 10.0.0.0/", "Pool must be");
	expect_bad("[Network]", "Pool = 10.0.0.0/024", "Pool must be");
	expect_bad("[Network]", "Pool = 10.0.0.0/24/8", "Pool must be");
	expect_bad("[Network]", "Pool = 10.0.0/24", "Pool must be");
	expect_bad("[Network]", "Pool = 10.0.0.0 /24", "Pool must be");
	expect_bad("[Network]", "Pool = 1111111111111111/24", "Pool must be");
	expect_bad("[Network]", "Pool = 127.1.0.0/16",
		   "Pool: inside the reserved range 127.0.0.0/8");
	expect_bad("[Network]", "Pool = 0.0.0.0/16",
		   "Pool: inside the reserved range 0.0.0.0/8");
	expect_bad("[Network]", "Pool = 224.0.0.0/24",
		   "Pool: inside the reserved range 224.0.0.0/3");
	expect_bad("[Network]", "Pool = 255.255.255.0/24",
		   "Pool: inside the reserved range 224.0.0.0/3");
}

static void test_address_key(void **state)
{
	static const char head[] =
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n[Network]\n"
		"Pool = 172.16.0.0/24\n";
	char text[512];

	expect_good("[Network]", "Address = 172.16.0.9");
	assert_int_equal(cfg.address, IP(172, 16, 0, 9));
	expect_bad("[Network]", "Address = 172.16.0", "Address: not a valid "
		   "IPv4 address");
	expect_bad("[Network]", "Address = 172.16.0.1/24", "Address: not");
	expect_bad("[Network]", "Address = ::1", "Address: not");

	snprintf(text, sizeof(text), "%sAddress = 172.16.1.1\n", head);
	expect_finish_error(text,
			    "Address 172.16.1.1 is outside Pool 172.16.0.0/24");
	snprintf(text, sizeof(text), "%sAddress = 172.16.0.0\n", head);
	expect_finish_error(text, "Address 172.16.0.0 is the network "
			    "address of Pool 172.16.0.0/24");
	snprintf(text, sizeof(text), "%sAddress = 172.16.0.255\n", head);
	expect_finish_error(text, "Address 172.16.0.255 is the broadcast "
			    "address of Pool 172.16.0.0/24");
	/* Address may come before Pool */
	snprintf(text, sizeof(text), "[Gateway]\nCertificate = /c\n"
		 "PrivateKey = /k\n[Clients]\nRootCertificates = /r\n"
		 "[Network]\nAddress = 172.16.0.254\nPool = 172.16.0.0/24\n");
	assert_int_equal(parse_text(text, &cfg, NULL), 0);
	assert_int_equal(cfg.address, IP(172, 16, 0, 254));
}

static void test_dns(void **state)
{
	struct config_parser p;

	expect_good("[Network]", "DNS = 1.1.1.1");
	assert_int_equal(cfg.n_dns, 1);
	assert_int_equal(cfg.dns[0], IP(1, 1, 1, 1));
	expect_good("[Network]", "DNS=9.9.9.9,149.112.112.112");
	assert_int_equal(cfg.n_dns, 2);
	assert_int_equal(cfg.dns[1], IP(149, 112, 112, 112));
	expect_bad("[Network]", "DNS = 1.1.1.1, 2.2.2.2, 3.3.3.3",
		   "DNS: more than 2 servers");
	expect_bad("[Network]", "DNS = 1.1.1.1,,2.2.2.2",
		   "DNS must be one or two comma-separated IPv4 addresses");
	expect_bad("[Network]", "DNS = 1.1.1.1,", "DNS must be");
	expect_bad("[Network]", "DNS = ,1.1.1.1", "DNS must be");
	expect_bad("[Network]", "DNS = 1.1.1.1 2.2.2.2",
		   "DNS: 1.1.1.1 2.2.2.2 is not a valid IPv4 address");
	expect_bad("[Network]", "DNS = 1.1.1.1, dns.example",
		   "DNS: dns.example is not a valid IPv4 address");
	expect_bad("[Network]", "DNS = 0.0.0.0", "DNS: 0.0.0.0 is not a "
		   "unicast address");
	expect_bad("[Network]", "DNS = 127.0.0.53", "not a unicast address");
	expect_bad("[Network]", "DNS = 224.0.0.251", "not a unicast address");
	expect_bad("[Network]", "DNS = 255.255.255.255",
		   "not a unicast address");

	/* repeatable, two in all; a bad line adds nothing */
	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Network]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "DNS = 10.0.0.1", err,
					   sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "DNS = 10.0.0.2, x", err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(cfg.n_dns, 1);
	assert_int_equal(config_parse_line(&p, "DNS = 10.0.0.2, 10.0.0.3", err,
					   sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 4: DNS: more than 2 servers: "
			    "`DNS = 10.0.0.2, 10.0.0.3`");
	assert_int_equal(config_parse_line(&p, "DNS = 10.0.0.2", err,
					   sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "DNS = 10.0.0.3", err,
					   sizeof(err)), -EINVAL);
	assert_int_equal(cfg.n_dns, 2);
	assert_int_equal(cfg.dns[0], IP(10, 0, 0, 1));
	assert_int_equal(cfg.dns[1], IP(10, 0, 0, 2));
}

static void test_route(void **state)
{
	struct config_parser p;
	char line[64];
	unsigned int i;

	expect_good("[Network]", "Route = 0.0.0.0/0");
	assert_int_equal(cfg.n_routes, 1);
	assert_int_equal(cfg.routes[0].plen, 0);
	expect_good("[Network]", "Route = 10.0.0.0/8 ,192.168.1.128/25, "
		    "203.0.113.7/32");
	assert_int_equal(cfg.n_routes, 3);
	assert_int_equal(cfg.routes[1].addr, IP(192, 168, 1, 128));
	assert_int_equal(cfg.routes[1].plen, 25);
	assert_int_equal(cfg.routes[2].addr, IP(203, 0, 113, 7));
	assert_int_equal(cfg.routes[2].plen, 32);
	expect_bad("[Network]", "Route = 10.0.0.1/8",
		   "Route: host bits set, did you mean 10.0.0.0/8?");
	expect_bad("[Network]", "Route = 10.0.0.0/8, 10.1.0.0/8",
		   "Route: host bits set, did you mean 10.0.0.0/8?");
	expect_bad("[Network]", "Route = 10.0.0.0/33",
		   "Route must be ADDRESS/PREFIXLEN");
	expect_bad("[Network]", "Route = 10.0.0.0",
		   "Route must be ADDRESS/PREFIXLEN");
	expect_bad("[Network]", "Route = 10.0.0.0/8,",
		   "Route must be a comma-separated list");
	expect_bad("[Network]", "Route = 10.0.0.0/8, 10.0.0.0/8",
		   "Route: 10.0.0.0/8 listed twice");

	config_parser_init(&p, &cfg);
	assert_int_equal(config_parse_line(&p, "[Network]", err, sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "Route = 10.0.0.0/8", err,
					   sizeof(err)), 0);
	assert_int_equal(config_parse_line(&p, "Route = 10.0.0.0/9, 10.0.0.0/8",
					   err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "Route: 10.0.0.0/8 listed twice"));
	assert_int_equal(cfg.n_routes, 1);
	for (i = 1; i < CONFIG_MAX_ROUTES; i++) {
		snprintf(line, sizeof(line), "Route = 11.%u.0.0/16", i);
		assert_int_equal(config_parse_line(&p, line, err, sizeof(err)),
				 0);
	}
	assert_int_equal(cfg.n_routes, CONFIG_MAX_ROUTES);
	assert_int_equal(config_parse_line(&p, "Route = 12.0.0.0/8", err,
					   sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 67: Route: more than 64 routes: "
			    "`Route = 12.0.0.0/8`");
	/* a list longer than the whole table */
	line[0] = '\0';
	{
		char big[CONFIG_MAX_ROUTES * 16 + 64] = "Route = ";

		for (i = 0; i <= CONFIG_MAX_ROUTES; i++)
			snprintf(big + strlen(big), sizeof(big) - strlen(big),
				 "%s13.%u.0.0/16", i ? "," : "", i);
		expect_bad("[Network]", big, "Route: more than 64 routes");
	}
}

static void test_finish(void **state)
{
	static const char *const required[][2] = {
		{ "Certificate", "missing Certificate in [Gateway]" },
		{ "PrivateKey", "missing PrivateKey in [Gateway]" },
		{ "RootCertificates", "missing RootCertificates in [Clients]" },
		{ "Pool", "missing Pool in [Network]" },
	};
	char text[sizeof(min_conf)];
	size_t i;

	for (i = 0; i < 4; i++) {
		/* comment the key out */
		strcpy(text, min_conf);
		*strstr(text, required[i][0]) = '#';
		expect_finish_error(text, required[i][1]);
	}
	snprintf(text, sizeof(text), "%s", min_conf);
	assert_int_equal(parse_text(text, &cfg, NULL), 0);

	expect_finish_error(
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n[Network]\n"
		"Pool = 172.16.0.0/24\nRoute = 10.0.0.0/8, 172.16.0.0/16\n",
		"Pool 172.16.0.0/24 overlaps Route 172.16.0.0/16");
	expect_finish_error(
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n[Network]\n"
		"Pool = 172.16.0.0/16\nRoute = 172.16.5.0/24\n",
		"Pool 172.16.0.0/16 overlaps Route 172.16.5.0/24");
	expect_finish_error(
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n[Network]\n"
		"Pool = 172.16.0.0/16\nRoute = 0.0.0.0/0\n",
		"Pool 172.16.0.0/16 overlaps Route 0.0.0.0/0");
	/* adjacent is fine */
	assert_int_equal(parse_text(
		"[Gateway]\nCertificate = /c\nPrivateKey = /k\n"
		"[Clients]\nRootCertificates = /r\n[Network]\n"
		"Pool = 172.16.0.0/24\nRoute = 172.16.1.0/24, 172.15.0.0/16\n",
		&cfg, NULL), 0);
}

static void test_cidr_helpers(void **state)
{
	struct cidr4 c, d;
	uint32_t a;

	assert_int_equal(ipv4_parse("192.0.2.1", &a), 0);
	assert_int_equal(a, IP(192, 0, 2, 1));
	assert_int_equal(ipv4_parse("0.0.0.0", &a), 0);
	assert_int_equal(a, 0);
	assert_int_equal(ipv4_parse("192.0.2", &a), -EINVAL);
	assert_int_equal(ipv4_parse("192.0.2.01", &a), -EINVAL);
	assert_int_equal(ipv4_parse("192.0.2.256", &a), -EINVAL);
	assert_int_equal(ipv4_parse("192.0.2.1 ", &a), -EINVAL);
	assert_int_equal(ipv4_parse("0x7f.0.0.1", &a), -EINVAL);
	assert_int_equal(ipv4_parse("", &a), -EINVAL);

	assert_int_equal(cidr4_parse("10.0.0.0/8", &c), 0);
	assert_int_equal(c.addr, IP(10, 0, 0, 0));
	assert_int_equal(c.plen, 8);
	assert_int_equal(cidr4_parse("0.0.0.0/0", &c), 0);
	assert_int_equal(c.plen, 0);
	assert_int_equal(cidr4_parse("1.2.3.4/32", &c), 0);
	assert_int_equal(c.addr, IP(1, 2, 3, 4));
	assert_int_equal(cidr4_parse("10.0.0.1/8", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0/33", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0/-1", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0/08", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0/8x", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0/", &c), -EINVAL);
	assert_int_equal(cidr4_parse("10.0.0.0", &c), -EINVAL);
	assert_int_equal(cidr4_parse("/8", &c), -EINVAL);
	assert_int_equal(cidr4_parse("1.2.3/24", &c), -EINVAL);
	assert_int_equal(cidr4_parse("255.255.255.255.1/24", &c), -EINVAL);

	c.addr = IP(10, 0, 0, 0);
	c.plen = 8;
	d.addr = IP(10, 20, 0, 0);
	d.plen = 16;
	assert_true(cidr4_overlap(&c, &d));
	assert_true(cidr4_overlap(&d, &c));
	d.addr = IP(11, 0, 0, 0);
	assert_false(cidr4_overlap(&c, &d));
	d.addr = 0;
	d.plen = 0;
	assert_true(cidr4_overlap(&c, &d));
	assert_true(cidr4_contains(&c, IP(10, 255, 255, 255)));
	assert_false(cidr4_contains(&c, IP(11, 0, 0, 0)));
	assert_true(cidr4_contains(&d, IP(1, 2, 3, 4)));
	c.addr = IP(1, 2, 3, 4);
	c.plen = 32;
	assert_true(cidr4_contains(&c, IP(1, 2, 3, 4)));
	assert_false(cidr4_contains(&c, IP(1, 2, 3, 5)));
}

/* Write, parse back, compare the whole struct byte for byte. */
static void round_trip(const struct sstp_config *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	config_write(f, in);
	assert_int_equal(fclose(f), 0);
	if (parse_text(buf, &cfg2, NULL))
		fail_msg("%s\n%s", err, buf);
	if (memcmp(in, &cfg2, sizeof(cfg2)))
		fail_msg("round trip differs:\n%s", buf);
	free(buf);
}

static void test_round_trip(void **state)
{
	static const char v6[] =
		"[Gateway]\nListen = [2001:db8::1]:8443\nCertificate = c\n"
		"PrivateKey = k\nTLSMinVersion = 1.0\n"
		"[Clients]\nRootCertificates = r\n"
		"[Network]\nPool = 100.64.0.0/30\nDNS = 8.8.8.8\n"
		"Address = 100.64.0.2\nRoute = 128.0.0.0/1\n";
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse_text(full_conf, &cfg, NULL), 0);
	round_trip(&cfg);
	assert_int_equal(parse_text(min_conf, &cfg, NULL), 0);
	round_trip(&cfg);
	assert_int_equal(parse_text(v6, &cfg, NULL), 0);
	round_trip(&cfg);

	/* what it looks like */
	assert_int_equal(parse_text(full_conf, &cfg, NULL), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	config_write(f, &cfg);
	fclose(f);
	assert_non_null(strstr(buf, "[Gateway]\nListen = 127.0.0.1:4443\n"));
	assert_non_null(strstr(buf, "\nTLSMinVersion = 1.3\n"));
	assert_non_null(strstr(buf, "\n\n[Clients]\n"));
	assert_non_null(strstr(buf, "\nRevoke = 0123456789ABCDEF0123456789"
			       "ABCDEF01234567\n"));
	assert_non_null(strstr(buf, "\n\n[Network]\nPool = 172.16.201.0/24\n"
			       "Address = 172.16.201.254\n"
			       "DNS = 10.0.0.53, 10.0.1.53\n"
			       "Route = 10.0.0.0/16\nRoute = 10.1.0.0/16\n"
			       "Route = 192.168.50.0/24\nMTU = 1350\n"));
	free(buf);
	buf = NULL;

	/* defaults alone (not a valid file) still print cleanly */
	config_defaults(&cfg);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	config_write(f, &cfg);
	fclose(f);
	assert_string_equal(buf,
		"[Gateway]\nListen = 0.0.0.0:443\nInterface = sstp0\n"
		"MaxSessions = 128\nMaxHandshakes = 64\nHandshakeTimeout = 10\n"
		"NegotiationTimeout = 60\nHelloInterval = 60\n"
		"MaxConnectionsPerSource = 64\nMaxHandshakesPerSource = 8\n"
		"MaxSessionsPerCertificate = 4\n"
		"TLSMinVersion = 1.2\nKernelTLS = yes\nKernelDataPath = auto\n"
		"KernelCoalesce = no\nTunOffload = yes\nWorkers = auto\n\n[Clients]\n\n"
		"[Network]\nMTU = 1400\n");
	free(buf);
}

/* Workers = auto | 1..64: auto (0) by default, strict numbers. */
static void test_workers(void **state)
{
	static const char *const bad[] = {
		"0", "65", "-1", "+2", "02", "2x", "1.5", "autox", "all",
		"4294967297",
	};
	char text[1024];
	size_t i;

	assert_int_equal(parse_text(min_conf, &cfg, NULL), 0);
	assert_int_equal(cfg.workers, 0);
	round_trip(&cfg);
	for (i = 1; i <= 64; i += 63) {
		snprintf(text, sizeof(text), "[Gateway]\nWorkers = %zu\n%s", i,
			 strstr(min_conf, "Certificate"));
		if (parse_text(text, &cfg, NULL))
			fail_msg("%s", err);
		assert_int_equal(cfg.workers, i);
		round_trip(&cfg);
	}
	snprintf(text, sizeof(text), "[Gateway]\nWorkers = 3\nWorkers = AUTO\n%s",
		 strstr(min_conf, "Certificate"));
	assert_int_equal(parse_text(text, &cfg, NULL), -EINVAL);
	snprintf(text, sizeof(text), "[Gateway]\nWorkers = AUTO\n%s",
		 strstr(min_conf, "Certificate"));
	if (parse_text(text, &cfg, NULL))
		fail_msg("%s", err);
	assert_int_equal(cfg.workers, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];

		snprintf(line, sizeof(line), "Workers = %s", bad[i]);
		expect_bad("[Gateway]", line, "Workers must be auto or 1 to 64");
	}
}

static char tmpdir[64];

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
	static const char text[] =
		"[Gateway]\nCertificate = cert.pem\nPrivateKey = ./keys/key.pem\n"
		"[Clients]\nRootCertificates = roots\n"
		"RevokedFile = /var/lib/sstp/revoked\n"
		"[Network]\nPool = 10.9.0.0/24\n";
	char path[PATH_MAX], want[PATH_MAX + 32], *real, cwd[PATH_MAX];

	strcpy(tmpdir, "/tmp/test_config.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	real = realpath(tmpdir, NULL);
	assert_non_null(real);
	snprintf(path, sizeof(path), "%s/sstpd.conf", tmpdir);
	write_file(path, text, sizeof(text) - 1);

	if (config_load(path, &cfg, err, sizeof(err)))
		fail_msg("%s", err);
	snprintf(want, sizeof(want), "%s/cert.pem", real);
	assert_string_equal(cfg.certificate, want);
	snprintf(want, sizeof(want), "%s/./keys/key.pem", real);
	assert_string_equal(cfg.private_key, want);
	snprintf(want, sizeof(want), "%s/roots", real);
	assert_string_equal(cfg.root_dir, want);
	assert_string_equal(cfg.revoked_file, "/var/lib/sstp/revoked");
	assert_int_equal(cfg.address, IP(10, 9, 0, 1));

	/* a relative config path resolves against the cwd */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(tmpdir), 0);
	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(config_load("sstpd.conf", &cfg, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/cert.pem", real);
	assert_string_equal(cfg.certificate, want);
	assert_int_equal(chdir(cwd), 0);

	/* a line error, with its number */
	write_file(path, "[Gateway]\n\nMTU = 5\n", 19);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "line 3: MTU belongs in [Network], not [Gateway]: "
			    "`MTU = 5`");
	/* a NUL byte */
	write_file(path, "[Gateway]\nMaxSessions = 5\0junk\n", 31);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: NUL byte: `MaxSessions = 5`");
	/* a finish error */
	write_file(path, "[Gateway]\n", 10);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "missing Certificate in [Gateway]");
	/* no file */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(config_load(path, &cfg, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot open "));
	assert_non_null(strstr(err, "No such file or directory"));
	/* a directory opens but cannot be read */
	assert_int_equal(config_load(tmpdir, &cfg, err, sizeof(err)), -EIO);

	assert_int_equal(rmdir(tmpdir), 0);
	free(real);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_kernel_tls),
		cmocka_unit_test(test_tls_max_version),
		cmocka_unit_test(test_comments_whitespace),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_control_chars_escaped),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_interface),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_ciphers),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_thumbprint),
		cmocka_unit_test(test_revoke),
		cmocka_unit_test(test_pool_key),
		cmocka_unit_test(test_address_key),
		cmocka_unit_test(test_dns),
		cmocka_unit_test(test_route),
		cmocka_unit_test(test_finish),
		cmocka_unit_test(test_kernel_path),
		cmocka_unit_test(test_tun_offload),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_cidr_helpers),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
