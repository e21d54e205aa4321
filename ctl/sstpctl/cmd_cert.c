// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "trust/issue.h"
#include "trust/pki.h"
#include "cmd_cert.h"
#include "print.h"

#define DAY		(24L * 3600)
#define MAX_DAYS	36500L
#define BACKDATE	(-3600L)	/* tolerate clients with a slow clock */
#define PASSWORD_MAX	1024

static const char usage_text[] =
	"Usage: sstpctl cert <command> [options]\n"
	"\n"
	"  root --cn NAME --out DIR [--days N] [--rsa]\n"
	"        a self-signed root CA: DIR/root.crt and DIR/root.key\n"
	"        (refuses to replace an existing DIR/root.key)\n"
	"  server --ca DIR --cn NAME [--dns NAME] [--ip ADDR] --out PREFIX\n"
	"         [--days N] [--rsa]\n"
	"        a server certificate from DIR/root.crt and DIR/root.key:\n"
	"        PREFIX.crt and PREFIX.key (SAN defaults to the CN)\n"
	"  client --ca DIR --cn NAME --out PREFIX [--days N] [--rsa] [--no-eku]\n"
	"         [--p12] [--p12-password-file FILE]\n"
	"         [--valid-from SECONDS] [--valid-to SECONDS]\n"
	"        a client certificate with the Client Authentication EKU:\n"
	"        PREFIX.crt, PREFIX.key and with --p12 PREFIX.p12, its password\n"
	"        the first line of FILE (mode 0600 or stricter), else a random\n"
	"        one written to PREFIX.p12.password (mode 0600); validity in\n"
	"        seconds relative to now, negative for tests of expiry\n"
	"  thumbprint FILE [--sha256]\n"
	"        the upper-case SHA-1 (or SHA-256) thumbprint, as revocation uses\n"
	"  show FILE [-j|--json]\n"
	"        subject, issuer, validity, EKU, thumbprints\n"
	"  demo DIR [--name SERVER_NAME]\n"
	"        a complete demo PKI for SERVER_NAME (default localhost); the\n"
	"        password of client.p12 is in client.p12.password\n"
	"\n"
	"Keys are written with mode 0600. Created files are listed on stdout.\n";

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

static int __attribute__((format(printf, 1, 2))) misuse(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fputs("sstpctl cert: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	usage(stderr);
	return 1;
}

static int __attribute__((format(printf, 2, 3)))
fail(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sstpctl cert %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static bool is_help(const char *s)
{
	return !strcmp(s, "-h") || !strcmp(s, "--help") || !strcmp(s, "help");
}

static bool parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static int join(char *out, size_t outlen, const char *a, const char *b)
{
	if ((size_t)snprintf(out, outlen, "%s%s", a, b) >= outlen)
		return -ENAMETOOLONG;
	return 0;
}

/* Reads DIR/root.crt and DIR/root.key and checks that they belong together. */
static int load_ca(const char *cmd, const char *dir, X509 **ca,
		   EVP_PKEY **key)
{
	char crt[PATH_MAX], kpath[PATH_MAX], err[512];

	if (join(crt, sizeof(crt), dir, "/root.crt") ||
	    join(kpath, sizeof(kpath), dir, "/root.key"))
		return fail(cmd, "%s: path too long", dir);
	if (pki_read_cert(crt, ca, err, sizeof(err)))
		return fail(cmd, "%s", err);
	if (pki_read_key(kpath, key, err, sizeof(err))) {
		X509_free(*ca);
		*ca = NULL;
		return fail(cmd, "%s", err);
	}
	if (X509_check_private_key(*ca, *key) != 1) {
		ERR_clear_error();
		X509_free(*ca);
		EVP_PKEY_free(*key);
		*ca = NULL;
		*key = NULL;
		return fail(cmd, "%s does not match %s", kpath, crt);
	}
	return 0;
}

/* Writes PREFIX.key then PREFIX.crt and lists them. */
static int write_pair(const char *cmd, const char *prefix, X509 *cert,
		      EVP_PKEY *key)
{
	char crt[PATH_MAX], kpath[PATH_MAX];
	int ret;

	if (join(crt, sizeof(crt), prefix, ".crt") ||
	    join(kpath, sizeof(kpath), prefix, ".key"))
		return fail(cmd, "%s: path too long", prefix);
	ret = pki_write_key(kpath, key);
	if (ret)
		return fail(cmd, "writing %s: %s", kpath, strerror(-ret));
	ret = pki_write_cert(crt, cert, NULL);
	if (ret)
		return fail(cmd, "writing %s: %s", crt, strerror(-ret));
	printf("%s\n%s\n", crt, kpath);
	return 0;
}

static const char *issue_error(int ret)
{
	return ret == -EINVAL ?
	       "invalid name, address or validity for a certificate" :
	       strerror(-ret);
}

/* The first line of a file, which only its owner should be able to read. */
static int read_password(const char *path, char *pw, size_t pwlen)
{
	struct stat st;
	ssize_t n;
	size_t len;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fail("client", "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail("client", "%s: not a regular file", path);
	}
	if (st.st_mode & 077) {
		close(fd);
		return fail("client",
			    "password file %s is accessible by group or others "
			    "(mode %04o); chmod 600 it",
			    path, (unsigned int)(st.st_mode & 07777));
	}
	do {
		n = read(fd, pw, pwlen - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return fail("client", "%s: %s", path, strerror(errno));
	pw[n] = '\0';
	len = strcspn(pw, "\r\n");
	if (!len) {
		OPENSSL_cleanse(pw, pwlen);
		return fail("client", "%s: empty password", path);
	}
	if (len == (size_t)n && (size_t)n == pwlen - 1) {
		OPENSSL_cleanse(pw, pwlen);
		return fail("client", "%s: password too long", path);
	}
	OPENSSL_cleanse(pw + len, pwlen - len);
	return 0;
}

/* What the issuing commands take besides --cn, --out, --days, --rsa. */
#define TAKES_CA	1u	/* --ca */
#define TAKES_SAN	2u	/* --dns, --ip */
#define TAKES_CLIENT	4u	/* --p12*, --no-eku, --valid-from/to */

struct issue_opts {
	struct pki_cert_spec spec;
	const char *ca_dir;
	const char *out;
	const char *pw_file;
	bool p12;
	bool have_from, have_to, have_days;
};

/* The options of root, server and client. -1 to go on, else exit code. */
static int issue_parse(const char *verb, unsigned int takes, int argc,
		       char **argv, struct issue_opts *o)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "cn", required_argument, NULL, 'n' },
		{ "dns", required_argument, NULL, 'D' },
		{ "ip", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "days", required_argument, NULL, 'd' },
		{ "rsa", no_argument, NULL, 'r' },
		{ "p12", no_argument, NULL, 'p' },
		{ "p12-password-file", required_argument, NULL, 'P' },
		{ "no-eku", no_argument, NULL, 'E' },
		{ "valid-from", required_argument, NULL, 'f' },
		{ "valid-to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const long lim = MAX_DAYS * DAY;
	int c, idx = -1;
	long v;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
		unsigned int need = strchr("c", c) ? TAKES_CA :
				    strchr("Di", c) ? TAKES_SAN :
				    strchr("pPEft", c) ? TAKES_CLIENT : 0;

		if (need && !(takes & need))
			return misuse("%s does not take --%s", verb,
				      opts[idx].name);
		idx = -1;
		switch (c) {
		case 'c':
			o->ca_dir = optarg;
			break;
		case 'n':
			o->spec.cn = optarg;
			break;
		case 'D':
			o->spec.san_dns = optarg;
			break;
		case 'i':
			if (!pki_is_ip_address(optarg))
				return misuse("bad --ip \"%s\"", optarg);
			o->spec.san_ip = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'd':
			if (!parse_long(optarg, 1, MAX_DAYS, &v))
				return misuse("bad --days \"%s\"", optarg);
			o->spec.not_after = v * DAY;
			o->have_days = true;
			break;
		case 'r':
			o->spec.key_type = PKI_KEY_RSA2048;
			break;
		case 'p':
			o->p12 = true;
			break;
		case 'P':
			o->pw_file = optarg;
			o->p12 = true;
			break;
		case 'E':
			o->spec.no_eku = true;
			break;
		case 'f':
			if (!parse_long(optarg, -lim, lim, &v))
				return misuse("bad --valid-from \"%s\"", optarg);
			o->spec.not_before = v;
			o->have_from = true;
			break;
		case 't':
			if (!parse_long(optarg, -lim, lim, &v))
				return misuse("bad --valid-to \"%s\"", optarg);
			o->spec.not_after = v;
			o->have_to = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return misuse(NULL);
		}
	}
	if (optind != argc)
		return misuse("%s: unexpected \"%s\"", verb, argv[optind]);
	if ((takes & TAKES_CA && !o->ca_dir) || !o->spec.cn || !*o->spec.cn ||
	    !o->out || !*o->out)
		return misuse("%s needs %s--cn and --out", verb,
			      takes & TAKES_CA ? "--ca, " : "");
	if (o->have_days && o->have_to)
		return misuse("--days and --valid-to exclude each other");
	if (o->spec.not_after <= o->spec.not_before)
		return misuse("the certificate would end before it starts");
	return -1;
}

static int cmd_root(int argc, char **argv)
{
	struct issue_opts o = {
		.spec = {
			.kind = PKI_ROOT, .not_before = BACKDATE,
			.not_after = 3650 * DAY,
		},
	};
	char crt[PATH_MAX], kpath[PATH_MAX];
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	struct stat st;
	int ret;

	ret = issue_parse("root", 0, argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (join(crt, sizeof(crt), o.out, "/root.crt") ||
	    join(kpath, sizeof(kpath), o.out, "/root.key"))
		return fail("root", "%s: path too long", o.out);
	if (mkdir(o.out, 0755) && errno != EEXIST)
		return fail("root", "%s: %s", o.out, strerror(errno));
	if (!lstat(kpath, &st))
		return fail("root", "%s exists; not replacing a CA key", kpath);

	ret = pki_issue(&o.spec, NULL, NULL, &cert, &key);
	if (ret)
		return fail("root", "%s", issue_error(ret));
	ret = pki_write_key(kpath, key);
	if (ret) {
		ret = fail("root", "writing %s: %s", kpath, strerror(-ret));
	} else {
		ret = pki_write_cert(crt, cert, NULL);
		if (ret)
			ret = fail("root", "writing %s: %s", crt,
				   strerror(-ret));
		else
			printf("%s\n%s\n", crt, kpath);
	}
	X509_free(cert);
	EVP_PKEY_free(key);
	return ret;
}

static int cmd_server(int argc, char **argv)
{
	struct issue_opts o = {
		.spec = {
			.kind = PKI_SERVER, .not_before = BACKDATE,
			.not_after = 825 * DAY,
		},
	};
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	int ret;

	ret = issue_parse("server", TAKES_CA | TAKES_SAN, argc, argv, &o);
	if (ret >= 0)
		return ret;
	/* Clients check the name they dialled against the SAN. */
	if (!o.spec.san_dns && !o.spec.san_ip) {
		if (pki_is_ip_address(o.spec.cn))
			o.spec.san_ip = o.spec.cn;
		else
			o.spec.san_dns = o.spec.cn;
	}
	ret = load_ca("server", o.ca_dir, &ca, &ca_key);
	if (ret)
		return ret;
	ret = pki_issue(&o.spec, ca, ca_key, &cert, &key);
	if (ret)
		ret = fail("server", "%s", issue_error(ret));
	else
		ret = write_pair("server", o.out, cert, key);
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return ret;
}

static int cmd_client(int argc, char **argv)
{
	struct issue_opts o = {
		.spec = {
			.kind = PKI_CLIENT, .not_before = BACKDATE,
			.not_after = 365 * DAY,
		},
	};
	char p12[PATH_MAX], pwfile[PATH_MAX], pw[PASSWORD_MAX];
	EVP_PKEY *ca_key = NULL, *key = NULL;
	X509 *ca = NULL, *cert = NULL;
	int ret;

	ret = issue_parse("client", TAKES_CA | TAKES_CLIENT, argc, argv, &o);
	if (ret >= 0)
		return ret;
	pw[0] = 0;
	if (o.p12 && (join(p12, sizeof(p12), o.out, ".p12") ||
		      join(pwfile, sizeof(pwfile), p12,
			   PKI_P12_PASSWORD_SUFFIX)))
		return fail("client", "%s: path too long", o.out);
	if (o.p12 && o.pw_file) {
		ret = read_password(o.pw_file, pw, sizeof(pw));
		if (ret)
			return ret;
	} else if (o.p12 && (ret = pki_random_password(pw, sizeof(pw)))) {
		return fail("client", "no random password: %s", strerror(-ret));
	}
	ret = load_ca("client", o.ca_dir, &ca, &ca_key);
	if (ret)
		goto out;
	ret = pki_issue(&o.spec, ca, ca_key, &cert, &key);
	if (ret) {
		ret = fail("client", "%s", issue_error(ret));
		goto out;
	}
	ret = write_pair("client", o.out, cert, key);
	if (ret || !o.p12)
		goto out;
	/* A generated password is written first: never a .p12 without it. */
	if (!o.pw_file) {
		ret = pki_write_password(pwfile, pw);
		if (ret) {
			ret = fail("client", "writing %s: %s", pwfile,
				   strerror(-ret));
			goto out;
		}
		printf("%s\n", pwfile);
	}
	ret = pki_write_p12(p12, cert, key, ca, pw);
	if (ret)
		ret = fail("client", "writing %s: %s", p12, strerror(-ret));
	else
		printf("%s\n", p12);
out:
	OPENSSL_cleanse(pw, sizeof(pw));
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	return ret;
}

static int cmd_thumbprint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sha256", no_argument, NULL, 's' },
		{ "sha1", no_argument, NULL, '1' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	bool sha256 = false;
	char err[512], tp[65];
	X509 *cert;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sha256 = true;
			break;
		case '1':
			sha256 = false;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return misuse(NULL);
		}
	}
	if (argc - optind != 1)
		return misuse("thumbprint needs exactly one FILE");
	if (pki_read_cert(argv[optind], &cert, err, sizeof(err)))
		return fail("thumbprint", "%s", err);
	if (sha256)
		pki_thumbprint_sha256(cert, tp);
	else
		pki_thumbprint_sha1(cert, tp);
	X509_free(cert);
	printf("%s\n", tp);
	return 0;
}

/* show */

#define SHOW_MAX_LIST 32

struct cert_info {
	char subject[512];
	char issuer[512];
	char serial[80];
	char not_before[40];
	char not_after[40];
	char key[96];
	bool ca;
	unsigned int n_eku, n_san;
	char eku[SHOW_MAX_LIST][80];
	char san[SHOW_MAX_LIST][280];
	char sha1[41];
	char sha256[65];
};

static void key_desc(X509 *x, char *out, size_t outlen)
{
	EVP_PKEY *k = X509_get0_pubkey(x);
	char group[64];
	size_t glen = 0;

	if (!k) {
		snprintf(out, outlen, "unknown");
	} else if (EVP_PKEY_is_a(k, "EC") &&
		   EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						  group, sizeof(group),
						  &glen)) {
		snprintf(out, outlen, "EC %s (%d bits)", group,
			 EVP_PKEY_get_bits(k));
	} else {
		snprintf(out, outlen, "%s %d bits", EVP_PKEY_get0_type_name(k),
			 EVP_PKEY_get_bits(k));
	}
	ERR_clear_error();
}

static void collect_eku(X509 *x, struct cert_info *ci)
{
	EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL,
						   NULL);
	int i;

	for (i = 0; eku && i < sk_ASN1_OBJECT_num(eku) &&
		    ci->n_eku < SHOW_MAX_LIST; i++) {
		const ASN1_OBJECT *o = sk_ASN1_OBJECT_value(eku, i);
		int nid = OBJ_obj2nid(o);
		char *dst = ci->eku[ci->n_eku++];

		if (nid != NID_undef)
			snprintf(dst, sizeof(ci->eku[0]), "%s", OBJ_nid2sn(nid));
		else
			OBJ_obj2txt(dst, sizeof(ci->eku[0]), o, 1);
	}
	EXTENDED_KEY_USAGE_free(eku);
	ERR_clear_error();
}

static void collect_san(X509 *x, struct cert_info *ci)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL,
					       NULL);
	int i;

	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens) &&
		    ci->n_san < SHOW_MAX_LIST; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		char *dst = ci->san[ci->n_san++];
		size_t len = sizeof(ci->san[0]);
		char ip[INET6_ADDRSTRLEN];
		const ASN1_STRING *s;

		switch (g->type) {
		case GEN_DNS:
		case GEN_EMAIL:
			s = g->d.ia5;
			snprintf(dst, len, "%s:%.*s",
				 g->type == GEN_DNS ? "DNS" : "email",
				 ASN1_STRING_length(s),
				 (const char *)ASN1_STRING_get0_data(s));
			break;
		case GEN_IPADD:
			s = g->d.ip;
			if (ASN1_STRING_length(s) == 4 &&
			    inet_ntop(AF_INET, ASN1_STRING_get0_data(s), ip,
				      sizeof(ip)))
				snprintf(dst, len, "IP:%s", ip);
			else if (ASN1_STRING_length(s) == 16 &&
				 inet_ntop(AF_INET6, ASN1_STRING_get0_data(s),
					   ip, sizeof(ip)))
				snprintf(dst, len, "IP:%s", ip);
			else
				snprintf(dst, len, "IP:(invalid)");
			break;
		default:
			snprintf(dst, len, "other:%d", g->type);
			break;
		}
		/* Names are attacker-chosen: keep them on one line. */
		for (; *dst; dst++)
			if ((unsigned char)*dst < 0x20 || *dst == 0x7f)
				*dst = '?';
	}
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
}

static void collect(X509 *x, struct cert_info *ci)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	BIGNUM *bn = ASN1_INTEGER_to_BN(sn, NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	memset(ci, 0, sizeof(*ci));
	pki_subject(x, ci->subject, sizeof(ci->subject));
	pki_issuer(x, ci->issuer, sizeof(ci->issuer));
	snprintf(ci->serial, sizeof(ci->serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
	pki_time_str(X509_get0_notBefore(x), ci->not_before,
		     sizeof(ci->not_before));
	pki_time_str(X509_get0_notAfter(x), ci->not_after,
		     sizeof(ci->not_after));
	key_desc(x, ci->key, sizeof(ci->key));
	ci->ca = X509_check_ca(x) == 1;
	collect_eku(x, ci);
	collect_san(x, ci);
	pki_thumbprint_sha1(x, ci->sha1);
	pki_thumbprint_sha256(x, ci->sha256);
	ERR_clear_error();
}

static void print_list_text(const char *key, unsigned int n,
			    const char *items, size_t stride)
{
	unsigned int i;

	printf("%s: ", key);
	if (!n)
		fputs("none", stdout);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", items + i * stride);
	putchar('\n');
}

static void print_list_json(const char *key, unsigned int n,
			    const char *items, size_t stride)
{
	unsigned int i;

	printf(",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_escape(stdout, items + i * stride);
	}
	putchar(']');
}

static void show_json(const struct cert_info *ci)
{
	const char *const keys[] = { "subject", "issuer", "serial",
				     "not_before", "not_after", "key" };
	const char *const vals[] = { ci->subject, ci->issuer, ci->serial,
				     ci->not_before, ci->not_after, ci->key };
	size_t i;

	putchar('{');
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		printf("%s\"%s\":", i ? "," : "", keys[i]);
		json_escape(stdout, vals[i]);
	}
	printf(",\"ca\":%s", ci->ca ? "true" : "false");
	print_list_json("eku", ci->n_eku, ci->eku[0], sizeof(ci->eku[0]));
	print_list_json("san", ci->n_san, ci->san[0], sizeof(ci->san[0]));
	printf(",\"sha1\":\"%s\",\"sha256\":\"%s\"}\n", ci->sha1, ci->sha256);
}

static void show_text(const struct cert_info *ci)
{
	printf("subject: %s\n", ci->subject);
	printf("issuer: %s\n", ci->issuer);
	printf("serial: %s\n", ci->serial);
	printf("not_before: %s\n", ci->not_before);
	printf("not_after: %s\n", ci->not_after);
	printf("key: %s\n", ci->key);
	printf("ca: %s\n", ci->ca ? "yes" : "no");
	print_list_text("eku", ci->n_eku, ci->eku[0], sizeof(ci->eku[0]));
	print_list_text("san", ci->n_san, ci->san[0], sizeof(ci->san[0]));
	printf("sha1: %s\n", ci->sha1);
	printf("sha256: %s\n", ci->sha256);
}

static int cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct cert_info *ci;
	bool json = false;
	char err[512];
	X509 *cert;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return misuse(NULL);
		}
	}
	if (argc - optind != 1)
		return misuse("show needs exactly one FILE");
	if (pki_read_cert(argv[optind], &cert, err, sizeof(err)))
		return fail("show", "%s", err);
	ci = malloc(sizeof(*ci));
	if (!ci) {
		X509_free(cert);
		return fail("show", "out of memory");
	}
	collect(cert, ci);
	if (json)
		show_json(ci);
	else
		show_text(ci);
	free(ci);
	X509_free(cert);
	return 0;
}

static int cmd_demo(int argc, char **argv)
{
	static const char *const files[] = {
		"roots/root.crt", "root.key", "server.crt", "server.key",
		"client.crt", "client.key", "client.p12.password",
		"client.p12",
	};
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name = "localhost", *dir;
	char err[512];
	size_t i;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return misuse(NULL);
		}
	}
	if (argc - optind != 1)
		return misuse("demo needs exactly one DIR");
	dir = argv[optind];
	if (pki_demo_generate(dir, name, err, sizeof(err)))
		return fail("demo", "%s", err);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		printf("%s/%s\n", dir, files[i]);
	return 0;
}

int cmd_cert_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "root", cmd_root },
		{ "server", cmd_server },
		{ "client", cmd_client },
		{ "thumbprint", cmd_thumbprint },
		{ "show", cmd_show },
		{ "demo", cmd_demo },
	};
	size_t i;
	int ret;

	if (argc < 2)
		return misuse("missing command");
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].name))
			continue;
		ret = cmds[i].fn(argc - 1, argv + 1);
		fflush(stdout);
		return ret;
	}
	return misuse("unknown command \"%s\"", argv[1]);
}
