// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "util/atomic_file.h"
#include "util/err.h"
#include "pki_priv.h"
#include "issue.h"

#define CN_MAX		64	/* ub-common-name */

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
	int ok;

	if (!ext) {
		ERR_clear_error();
		return -EIO;
	}
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -ENOMEM;
}

static bool dns_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("-.*_", s[i]))
			return false;
	return true;
}

bool pki_is_ip_address(const char *s)
{
	unsigned char buf[sizeof(struct in6_addr)];

	return s && (inet_pton(AF_INET, s, buf) == 1 ||
		     inet_pton(AF_INET6, s, buf) == 1);
}

static int add_san(X509 *x, const char *dns, const char *ip)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g = NULL;
	int ret = -ENOMEM;

	if (!gens)
		return -ENOMEM;
	if (dns) {
		ASN1_IA5STRING *s = ASN1_IA5STRING_new();

		g = GENERAL_NAME_new();
		if (!s || !g || !ASN1_STRING_set(s, dns, -1)) {
			ASN1_IA5STRING_free(s);
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_DNS, s);
		if (!sk_GENERAL_NAME_push(gens, g))
			goto out;
		g = NULL;
	}
	if (ip) {
		ASN1_OCTET_STRING *o = a2i_IPADDRESS(ip);

		g = GENERAL_NAME_new();
		if (!o || !g) {
			ASN1_OCTET_STRING_free(o);
			ret = o ? -ENOMEM : -EINVAL;
			goto out;
		}
		GENERAL_NAME_set0_value(g, GEN_IPADD, o);
		if (!sk_GENERAL_NAME_push(gens, g))
			goto out;
		g = NULL;
	}
	ret = X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
				X509V3_ADD_APPEND) == 1 ? 0 : -ENOMEM;
out:
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	ERR_clear_error();
	return ret;
}

static int random_serial(X509 *x)
{
	unsigned char b[16];
	ASN1_INTEGER *ai;
	BIGNUM *bn;
	int ret = -EIO;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return -EIO;
	/* Positive, and always 16 bytes long in DER. */
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (ai && X509_set_serialNumber(x, ai))
		ret = 0;
	ASN1_INTEGER_free(ai);
	BN_free(bn);
	return ret;
}

static EVP_PKEY *keygen(enum pki_key_type type)
{
	if (type == PKI_KEY_RSA2048)
		return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

static bool spec_ok(const struct pki_cert_spec *s, X509 *issuer,
		    EVP_PKEY *issuer_key)
{
	if (!s || !s->cn || !*s->cn || strlen(s->cn) > CN_MAX)
		return false;
	if (s->kind != PKI_ROOT && s->kind != PKI_SERVER &&
	    s->kind != PKI_CLIENT)
		return false;
	if (s->key_type != PKI_KEY_EC_P256 && s->key_type != PKI_KEY_RSA2048)
		return false;
	if (s->not_after <= s->not_before)
		return false;
	if (s->san_dns && !dns_name_ok(s->san_dns))
		return false;
	if (s->san_ip && !pki_is_ip_address(s->san_ip))
		return false;
	if (!issuer != !issuer_key)
		return false;
	if (issuer && (!pki_is_ca(issuer) ||
		       X509_check_private_key(issuer, issuer_key) != 1)) {
		ERR_clear_error();
		return false;
	}
	return true;
}

static int add_kind_exts(X509 *x, X509V3_CTX *v3,
			 const struct pki_cert_spec *s, EVP_PKEY *key,
			 bool self_signed)
{
	bool rsa = EVP_PKEY_is_a(key, "RSA");
	int ret;

	switch (s->kind) {
	case PKI_ROOT:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:TRUE");
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage,
				      "critical,keyCertSign,cRLSign");
		break;
	case PKI_SERVER:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:FALSE");
		/* RFC 5480: keyEncipherment is meaningless for an EC key. */
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage, rsa ?
				      "critical,digitalSignature,keyEncipherment" :
				      "critical,digitalSignature");
		if (!ret && !s->no_eku)
			ret = add_ext(x, v3, NID_ext_key_usage, "serverAuth");
		if (!ret && (s->san_dns || s->san_ip))
			ret = add_san(x, s->san_dns, s->san_ip);
		break;
	default:
		ret = add_ext(x, v3, NID_basic_constraints, "critical,CA:FALSE");
		if (!ret)
			ret = add_ext(x, v3, NID_key_usage,
				      "critical,digitalSignature");
		if (!ret && !s->no_eku)
			ret = add_ext(x, v3, NID_ext_key_usage, "clientAuth");
		if (!ret && (s->san_dns || s->san_ip))
			ret = add_san(x, s->san_dns, s->san_ip);
		break;
	}
	if (!ret)
		ret = add_ext(x, v3, NID_subject_key_identifier, "hash");
	if (!ret && !self_signed)
		ret = add_ext(x, v3, NID_authority_key_identifier,
			      "keyid,issuer");
	return ret;
}

int pki_issue(const struct pki_cert_spec *spec, X509 *issuer,
	      EVP_PKEY *issuer_key, X509 **cert, EVP_PKEY **key)
{
	EVP_PKEY *k = NULL;
	X509_NAME *name = NULL;
	X509V3_CTX v3;
	X509 *x = NULL;
	int ret;

	*cert = NULL;
	*key = NULL;
	if (!spec_ok(spec, issuer, issuer_key))
		return -EINVAL;
	k = keygen(spec->key_type);
	x = X509_new();
	name = X509_NAME_new();
	ret = -ENOMEM;
	if (!k || !x || !name)
		goto fail;
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
					(const unsigned char *)spec->cn, -1,
					-1, 0)) {
		ret = -EINVAL;
		goto fail;
	}
	if (!X509_set_version(x, X509_VERSION_3) || random_serial(x) ||
	    !X509_set_subject_name(x, name) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) :
					       name) ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), spec->not_before) ||
	    !X509_gmtime_adj(X509_getm_notAfter(x), spec->not_after) ||
	    !X509_set_pubkey(x, k))
		goto fail;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ret = add_kind_exts(x, &v3, spec, k, !issuer);
	if (ret)
		goto fail;
	if (!X509_sign(x, issuer ? issuer_key : k, EVP_sha256())) {
		ret = -EIO;
		goto fail;
	}
	X509_NAME_free(name);
	*cert = x;
	*key = k;
	return 0;
fail:
	ERR_clear_error();
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(k);
	return ret;
}

/* Writing */

/*
 * Create or replace path with the BIO's contents. The mode is forced with
 * fchmod before anything is written, so a replaced file that was too open
 * never holds the new contents. Secrets do not follow symlinks.
 */
static int write_bio(const char *path, BIO *bio, mode_t mode, bool secret)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY;
	char *data = NULL;
	long len;
	int fd, ret;

	if (secret)
		flags |= O_NOFOLLOW;
	len = BIO_get_mem_data(bio, &data);
	if (len <= 0)
		return -EIO;
	fd = open(path, flags, mode);
	if (fd < 0)
		return -errno;
	ret = fchmod(fd, mode) ? -errno : 0;
	if (!ret)
		ret = fd_write_all(fd, data, (size_t)len);
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

int pki_write_cert(const char *path, X509 *cert, X509 *chain_extra)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !cert)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_X509(bio, cert) &&
	    (!chain_extra || PEM_write_bio_X509(bio, chain_extra)))
		ret = write_bio(path, bio, 0644, false);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int pki_write_key(const char *path, EVP_PKEY *key)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !key)
		return -EINVAL;
	/* secmem BIOs wipe their buffer when freed. */
	bio = BIO_new(BIO_s_secmem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key, NULL, NULL, 0, NULL,
					  NULL))
		ret = write_bio(path, bio, 0600, true);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

int pki_write_p12(const char *path, X509 *cert, EVP_PKEY *key, X509 *root,
		  const char *password)
{
	STACK_OF(X509) *ca = NULL;
	PKCS12 *p12 = NULL;
	char cn[CN_MAX * 4 + 1];
	BIO *bio = NULL;
	int ret = -ENOMEM;

	if (!path || !cert || !key || !password || !*password)
		return -EINVAL;
	if (X509_check_private_key(cert, key) != 1) {
		ERR_clear_error();
		return -EINVAL;
	}
	if (pki_common_name(cert, cn, sizeof(cn)))
		pki_subject(cert, cn, sizeof(cn));
	if (root) {
		ca = sk_X509_new_null();
		if (!ca || !sk_X509_push(ca, root))
			goto out;
	}
	/* No MAC here: PKCS12_create would use SHA-1; set SHA-256 below. */
	p12 = PKCS12_create_ex(password, cn, key, cert, ca, NID_aes_256_cbc,
			       NID_aes_256_cbc, PKCS12_DEFAULT_ITER, -1, 0,
			       NULL, NULL);
	if (!p12)
		goto out;
	ret = -EIO;
	if (!PKCS12_set_mac(p12, password, -1, NULL, 0, PKCS12_DEFAULT_ITER,
			    EVP_sha256()))
		goto out;
	bio = BIO_new(BIO_s_secmem());
	if (!bio || !i2d_PKCS12_bio(bio, p12))
		goto out;
	ret = write_bio(path, bio, 0600, true);
out:
	ERR_clear_error();
	BIO_free(bio);
	PKCS12_free(p12);
	sk_X509_free(ca);
	return ret;
}

int pki_random_password(char *out, size_t outlen)
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char r[20];
	size_t i, n = 0;

	if (!out || outlen < PKI_P12_PASSWORD_SIZE)
		return -EINVAL;
	if (RAND_priv_bytes(r, sizeof(r)) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	/* 256 is a multiple of 32: each character is uniform. */
	for (i = 0; i < sizeof(r); i++) {
		if (i && !(i % 5))
			out[n++] = '-';
		out[n++] = b32[r[i] & 31];
	}
	out[n] = 0;
	OPENSSL_cleanse(r, sizeof(r));
	return 0;
}

int pki_write_password(const char *path, const char *password)
{
	BIO *bio;
	int ret = -EIO;

	if (!path || !password || !*password)
		return -EINVAL;
	bio = BIO_new(BIO_s_secmem());
	if (!bio)
		return -ENOMEM;
	if (BIO_puts(bio, password) > 0 && BIO_puts(bio, "\n") == 1)
		ret = write_bio(path, bio, 0600, true);
	ERR_clear_error();
	BIO_free(bio);
	return ret;
}

/* Demo PKI */

#define DAY (24L * 3600)

static int demo_write(const char *dir, const char *name, X509 *cert,
		      EVP_PKEY *key, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path)) {
		err_set(err, errlen, "%s/%s: path too long", dir, name);
		return -ENAMETOOLONG;
	}
	ret = cert ? pki_write_cert(path, cert, NULL) : pki_write_key(path, key);
	if (ret)
		err_set(err, errlen, "writing %s: %s", path, strerror(-ret));
	return ret;
}

/*
 * The server's SAN (DNS or IP) and CN, and the client's CN, from
 * server_name. 0 or -EINVAL with err saying why.
 */
static int demo_names(const char *server_name, struct pki_cert_spec *srv,
		      struct pki_cert_spec *cli, char client_cn[CN_MAX + 2],
		      char *err, size_t errlen)
{
	if (pki_is_ip_address(server_name)) {
		srv->san_ip = server_name;
	} else if (dns_name_ok(server_name)) {
		srv->san_dns = server_name;
	} else {
		err_set(err, errlen,
			"\"%s\" is neither a DNS name nor an IP address",
			server_name);
		return -EINVAL;
	}
	if ((size_t)snprintf(client_cn, CN_MAX + 2, "client1@%s",
			     server_name) > CN_MAX ||
	    strlen(server_name) > CN_MAX) {
		err_set(err, errlen,
			"server name \"%s\" is too long: client1@NAME must fit "
			"in a %d-character CN",
			server_name, CN_MAX);
		return -EINVAL;
	}
	srv->cn = server_name;
	cli->cn = client_cn;
	return 0;
}

/* dir (0700) and dir/roots (0755); -EEXIST when dir holds a root.key. */
static int demo_dirs(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct stat st;
	int ret;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		ret = -errno;
		err_set(err, errlen, "%s: %s", dir, strerror(errno));
		return ret;
	}
	if (snprintf(path, sizeof(path), "%s/root.key", dir) >=
	    (int)sizeof(path)) {
		err_set(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if (!lstat(path, &st)) {
		err_set(err, errlen,
			"%s exists; not replacing an existing demo PKI", path);
		return -EEXIST;
	}
	snprintf(path, sizeof(path), "%s/roots", dir);
	if (mkdir(path, 0755) && errno != EEXIST) {
		ret = -errno;
		err_set(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	return 0;
}

/*
 * The client's PKCS#12 with a random password, the password first: a
 * .p12 nobody can open would be a dead end.
 */
static int demo_p12(const char *dir, X509 *cli, EVP_PKEY *cli_key, X509 *root,
		    char *err, size_t errlen)
{
	char path[PATH_MAX], pw[PKI_P12_PASSWORD_SIZE] = "";
	int ret;

	ret = pki_random_password(pw, sizeof(pw));
	if (ret) {
		err_set(err, errlen, "no random password: %s", strerror(-ret));
		return ret;
	}
	snprintf(path, sizeof(path), "%s/client.p12%s", dir,
		 PKI_P12_PASSWORD_SUFFIX);
	ret = pki_write_password(path, pw);
	if (ret)
		err_set(err, errlen, "writing %s: %s", path, strerror(-ret));
	if (!ret) {
		snprintf(path, sizeof(path), "%s/client.p12", dir);
		ret = pki_write_p12(path, cli, cli_key, root, pw);
		if (ret)
			err_set(err, errlen, "writing %s: %s", path,
				strerror(-ret));
	}
	OPENSSL_cleanse(pw, sizeof(pw));
	return ret;
}

int pki_demo_generate(const char *dir, const char *server_name, char *err,
		      size_t errlen)
{
	struct pki_cert_spec root_spec = {
		.kind = PKI_ROOT, .cn = "SSTP demo root CA",
		.not_before = -3600, .not_after = 3650 * DAY,
	};
	struct pki_cert_spec srv_spec = {
		.kind = PKI_SERVER, .not_before = -3600,
		.not_after = 825 * DAY,
	};
	struct pki_cert_spec cli_spec = {
		.kind = PKI_CLIENT, .not_before = -3600,
		.not_after = 365 * DAY,
	};
	X509 *root = NULL, *srv = NULL, *cli = NULL;
	EVP_PKEY *root_key = NULL, *srv_key = NULL, *cli_key = NULL;
	char client_cn[CN_MAX + 2];
	int ret;

	if (!dir || !*dir || !server_name || !*server_name) {
		err_set(err, errlen, "no directory or server name");
		return -EINVAL;
	}
	ret = demo_names(server_name, &srv_spec, &cli_spec, client_cn, err,
			 errlen);
	if (!ret)
		ret = demo_dirs(dir, err, errlen);
	if (ret)
		return ret;

	ret = pki_issue(&root_spec, NULL, NULL, &root, &root_key);
	if (!ret)
		ret = pki_issue(&srv_spec, root, root_key, &srv, &srv_key);
	if (!ret)
		ret = pki_issue(&cli_spec, root, root_key, &cli, &cli_key);
	if (ret) {
		err_set(err, errlen, "issuing demo certificates: %s",
			strerror(-ret));
		goto out;
	}
	/* The key first: a root.crt without its key would be a dead end. */
	ret = demo_write(dir, "root.key", NULL, root_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "roots/root.crt", root, NULL, err, errlen);
	if (!ret)
		ret = demo_write(dir, "server.key", NULL, srv_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "server.crt", srv, NULL, err, errlen);
	if (!ret)
		ret = demo_write(dir, "client.key", NULL, cli_key, err, errlen);
	if (!ret)
		ret = demo_write(dir, "client.crt", cli, NULL, err, errlen);
	if (!ret)
		ret = demo_p12(dir, cli, cli_key, root, err, errlen);
out:
	X509_free(root);
	X509_free(srv);
	X509_free(cli);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(cli_key);
	return ret;
}
