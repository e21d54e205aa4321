// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "trust/pki.h"
#include "trust/revoked.h"
#include "util/atomic_file.h"
#include "util/log.h"
#include "gateway.h"
#include "session.h"
#include "trust.h"

#define REVOKED_FILE_MAX	(16u << 20)
#define ROOT_FILE_MAX		(4u << 20)
#define REVOKED_HEADER \
	"# Revoked client or CA certificate thumbprints (SHA-1 or SHA-256),\n" \
	"# one a line; sstpctl revoke/unrevoke change this file.\n"

static void __attribute__((format(printf, 3, 4)))
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int trust_revoked_path(const char *revoked_file, const char *ifname,
		       char *out, size_t outlen)
{
	const char *dir = getenv("SSTP_STATEDIR");
	int n;

	if (revoked_file && *revoked_file)
		n = snprintf(out, outlen, "%s", revoked_file);
	else
		n = snprintf(out, outlen, "%s/%s/revoked",
			     dir && *dir ? dir : STATEDIR, ifname);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

int trust_load(struct gateway *gw)
{
	const struct sstp_config *c = &gw->cfg;
	char err[512];
	unsigned int i;
	int ret;

	gw->pki = pki_new();
	if (!gw->pki)
		return -ENOMEM;
	if (pki_load_roots(gw->pki, c->root_dir, err, sizeof(err))) {
		log_err("%s", err);
		return -EINVAL;
	}
	if (!pki_root_count(gw->pki))
		log_warn("no trusted root certificates in %s: every client will be refused",
			 c->root_dir);
	if (trust_revoked_path(c->revoked_file, c->interface, gw->revoked_path,
			       sizeof(gw->revoked_path))) {
		log_err("revoked file path too long");
		return -ENAMETOOLONG;
	}
	ret = pki_load_revoked_file(gw->pki, gw->revoked_path, err,
				    sizeof(err));
	if (ret && ret != -ENOENT) {
		log_err("%s", err);
		return -EINVAL;
	}
	/* At start, before the workers run: no lock needed. */
	for (i = 0; i < c->n_revoked; i++)
		pki_revoke(gw->pki, c->revoked[i]);
	log_notice("revocations are kept in %s%s (%zu revoked now)",
		   gw->revoked_path, c->revoked_file[0] ? "" :
		   " (no RevokedFile configured: the default)",
		   pki_revoked_count(gw->pki));
	if (ret == -ENOENT)
		log_info("%s does not exist yet; the first revoke creates it",
			 gw->revoked_path);
	return 0;
}

static bool from_config(const struct gateway *gw, const char *norm)
{
	unsigned int i;

	for (i = 0; i < gw->cfg.n_revoked; i++)
		if (!strcmp(gw->cfg.revoked[i], norm))
			return true;
	return false;
}

static int read_revoked(const char *path, char **text, size_t *len,
			mode_t *mode, char *err, size_t errlen)
{
	int ret;

	*mode = 0644;
	ret = read_small_file(path, REVOKED_FILE_MAX, text, len, mode, err,
			      errlen);
	if (ret == -ENOENT) {
		*text = strdup("");
		*len = 0;
		return *text ? 0 : -ENOMEM;
	}
	/* The loader refuses such a file; a rewrite would cut it short. */
	if (!ret && memchr(*text, '\0', *len)) {
		free(*text);
		*text = NULL;
		seterr(err, errlen, "%s: NUL byte in the file; fix it by hand",
		       path);
		return -EINVAL;
	}
	return ret;
}

/* Write the revoked file; its directory is made if it is the default. */
static int store_revoked(struct gateway *gw, const char *text, size_t len,
			 mode_t mode, char *err, size_t errlen)
{
	char dir[PATH_MAX], *slash;
	int ret;

	if (!gw->cfg.revoked_file[0]) {
		snprintf(dir, sizeof(dir), "%s", gw->revoked_path);
		slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			ret = mkdir_parents(dir, 0700, err, errlen);
			if (ret)
				return ret;
		}
	}
	return atomic_write_file(gw->revoked_path, text, len, mode, err,
				 errlen);
}

static bool session_covered(struct gateway *gw, struct session *s,
			    const char *norm)
{
	if (pki_chain_has(&s->chain, norm))
		return true;
	return (s->cert && pki_cert_revoked(gw->pki, s->cert)) ||
	       (s->root && pki_cert_revoked(gw->pki, s->root));
}

/* What a walk over the live sessions ends, and how many it ended. */
struct cut {
	struct gateway *gw;
	const char *norm;		/* a revoked thumbprint, or */
	const char *t1, *t256;		/* a removed root's thumbprints */
	X509 *root;
	int ended;
};

static void cut_revoked(struct session *s, void *arg)
{
	struct cut *c = arg;
	bool covered;

	pthread_mutex_lock(&c->gw->lock);
	covered = session_covered(c->gw, s, c->norm);
	pthread_mutex_unlock(&c->gw->lock);
	if (covered) {
		session_revoke(s, "certificate revoked while connected");
		c->ended++;
	}
}

static void cut_root(struct session *s, void *arg)
{
	struct cut *c = arg;

	if (pki_chain_has(&s->chain, c->t1) ||
	    pki_chain_has(&s->chain, c->t256) ||
	    (s->root && !X509_cmp(s->root, c->root))) {
		session_revoke(s, "its root is no longer trusted");
		c->ended++;
	}
}

int trust_revoke(struct gateway *gw, const char *thumbprint, int *ended,
		 char *err, size_t errlen)
{
	struct cut c = { .gw = gw };
	char norm[65], *text = NULL, *out;
	size_t len;
	mode_t mode;
	int ret;

	*ended = 0;
	if (pki_thumbprint_normalise(thumbprint, norm) < 0) {
		seterr(err, errlen, "not a SHA-1 or SHA-256 thumbprint: %s",
		       thumbprint);
		return -EINVAL;
	}
	if (!pki_is_revoked(gw->pki, norm)) {
		ret = read_revoked(gw->revoked_path, &text, &len, &mode, err,
				   errlen);
		if (ret)
			return ret;
		if (asprintf(&out, "%s%s%s%s\n", len ? "" : REVOKED_HEADER,
			     text, len && text[len - 1] != '\n' ? "\n" : "",
			     norm) < 0) {
			free(text);
			seterr(err, errlen, "out of memory");
			return -ENOMEM;
		}
		free(text);
		/* Memory first (it can fail), then the file; undo on error. */
		pthread_mutex_lock(&gw->lock);
		ret = pki_revoke(gw->pki, norm);
		pthread_mutex_unlock(&gw->lock);
		if (ret) {
			free(out);
			seterr(err, errlen, "out of memory");
			return ret;
		}
		ret = store_revoked(gw, out, strlen(out), mode, err, errlen);
		free(out);
		if (ret) {
			pthread_mutex_lock(&gw->lock);
			pki_unrevoke(gw->pki, norm);
			pthread_mutex_unlock(&gw->lock);
			return ret;
		}
		log_notice("revoked %s (stored in %s)", norm,
			   gw->revoked_path);
	}
	c.norm = norm;
	gateway_each_session(gw, cut_revoked, &c);
	*ended += c.ended;
	return 0;
}

int trust_unrevoke(struct gateway *gw, const char *thumbprint, char *err,
		   size_t errlen)
{
	char norm[65], tp[65], *text = NULL, *out, *o;
	const char *p, *end;
	bool found = false;
	size_t len;
	mode_t mode;
	int ret;

	if (pki_thumbprint_normalise(thumbprint, norm) < 0) {
		seterr(err, errlen, "not a SHA-1 or SHA-256 thumbprint: %s",
		       thumbprint);
		return -EINVAL;
	}
	if (!pki_is_revoked(gw->pki, norm)) {
		seterr(err, errlen, "%s is not revoked", norm);
		return -ENOENT;
	}
	if (from_config(gw, norm)) {
		seterr(err, errlen,
		       "%s is revoked by a \"Revoke =\" line of the configuration; remove it there and restart the gateway",
		       norm);
		return -EPERM;
	}
	ret = read_revoked(gw->revoked_path, &text, &len, &mode, err, errlen);
	if (ret)
		return ret;
	out = o = malloc(len + 1);
	if (!out) {
		free(text);
		seterr(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* Every line naming it goes; comments and other lines stay. */
	for (p = text; p < text + len; p = end) {
		end = memchr(p, '\n', (size_t)(text + len - p));
		end = end ? end + 1 : text + len;
		/* As the next start reads it (pki_load_revoked_file). */
		if (pki_revoked_line(p, (size_t)(end - p), tp) > 0 &&
		    !strcmp(tp, norm)) {
			found = true;
			continue;
		}
		memcpy(o, p, (size_t)(end - p));
		o += end - p;
	}
	free(text);
	ret = found ? store_revoked(gw, out, (size_t)(o - out), mode, err,
				    errlen) : 0;
	free(out);
	if (ret)
		return ret;
	pthread_mutex_lock(&gw->lock);
	pki_unrevoke(gw->pki, norm);
	pthread_mutex_unlock(&gw->lock);
	log_notice("revocation of %s withdrawn (%s)", norm, gw->revoked_path);
	return 0;
}

void trust_list_revoked(struct gateway *gw, FILE *f)
{
	const char *tp;
	size_t i;

	fprintf(f, "file\t%s\n", gw->revoked_path);
	for (i = 0; (tp = pki_revoked_at(gw->pki, i)); i++)
		fprintf(f, "revoked\t%s\t%s\n", tp,
			from_config(gw, tp) ? "config" : "file");
}

/* Roots */

static int pem_of(STACK_OF(X509) *certs, X509 *skip, char **out, size_t *len)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data;
	long n;
	int i, ret = 0;

	if (!bio)
		return -ENOMEM;
	for (i = 0; !ret && i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);

		if (skip && !X509_cmp(x, skip))
			continue;
		if (!PEM_write_bio_X509(bio, x))
			ret = -ENOMEM;
	}
	n = BIO_get_mem_data(bio, &data);
	*out = NULL;
	*len = 0;
	if (!ret && n > 0) {
		*out = malloc((size_t)n);
		if (*out) {
			memcpy(*out, data, (size_t)n);
			*len = (size_t)n;
		} else {
			ret = -ENOMEM;
		}
	}
	BIO_free(bio);
	ERR_clear_error();
	return ret;
}

static bool root_file_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 &&
	       (!strcasecmp(name + n - 4, ".pem") ||
		!strcasecmp(name + n - 4, ".crt") ||
		!strcasecmp(name + n - 4, ".cer"));
}

int trust_root_add(struct gateway *gw, const char *path, int *added,
		   char *err, size_t errlen)
{
	const char *dir = gw->cfg.root_dir;
	STACK_OF(X509) *certs = NULL, *fresh = NULL;
	char (*written)[PATH_MAX] = NULL;
	int i, j, nw = 0, ret;
	bool existed;

	*added = 0;
	ret = pki_read_certs(path, &certs, err, errlen);
	if (ret)
		return ret;
	fresh = sk_X509_new_null();
	written = calloc((size_t)sk_X509_num(certs), sizeof(*written));
	if (!fresh || !written) {
		ret = -ENOMEM;
		seterr(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < sk_X509_num(certs); i++) {
		X509 *x = sk_X509_value(certs, i);
		char tp[41];

		pki_thumbprint_sha1(x, tp);
		for (j = 0; j < sk_X509_num(fresh); j++)
			if (!X509_cmp(sk_X509_value(fresh, j), x))
				break;
		if (j == sk_X509_num(fresh) && !pki_find_root(gw->pki, tp) &&
		    !sk_X509_push(fresh, x)) {
			ret = -ENOMEM;
			seterr(err, errlen, "out of memory");
			goto out;
		}
	}
	/* All checks (CA, room) before anything is stored. */
	pthread_mutex_lock(&gw->lock);
	ret = pki_add_roots(gw->pki, certs, added, err, errlen);
	pthread_mutex_unlock(&gw->lock);
	if (ret)
		goto out;
	for (i = 0; i < sk_X509_num(fresh); i++) {
		STACK_OF(X509) *one = sk_X509_new_null();
		X509 *x = sk_X509_value(fresh, i);
		char tp[41], *pem = NULL;
		size_t len = 0;

		pki_thumbprint_sha1(x, tp);
		if (!one || !sk_X509_push(one, x) ||
		    pem_of(one, NULL, &pem, &len)) {
			sk_X509_free(one);
			ret = -ENOMEM;
			seterr(err, errlen, "out of memory");
			break;
		}
		sk_X509_free(one);
		snprintf(written[nw], PATH_MAX, "%s/root-%s.crt", dir, tp);
		existed = !access(written[nw], F_OK);
		ret = atomic_write_file(written[nw], pem, len, 0644, err,
					errlen);
		free(pem);
		/*
		 * A failure after the rename (the directory sync) leaves the
		 * file in place: a new one is taken back with the others, or
		 * the root would be trusted after the next start.
		 */
		if (!ret || !existed)
			nw++;
		if (ret)
			break;
	}
	if (ret) {
		char tp[41], e2[256];

		while (nw--)
			atomic_unlink(written[nw], e2, sizeof(e2));
		for (i = 0; i < sk_X509_num(fresh); i++) {
			pki_thumbprint_sha1(sk_X509_value(fresh, i), tp);
			pthread_mutex_lock(&gw->lock);
			pki_remove_root(gw->pki, tp);
			pthread_mutex_unlock(&gw->lock);
		}
		*added = 0;
		goto out;
	}
	log_notice("trusted %d new root(s) from %s (stored in %s)", *added,
		   path, dir);
out:
	sk_X509_free(fresh);
	sk_X509_pop_free(certs, X509_free);
	free(written);
	return ret;
}

struct root_change {
	char path[PATH_MAX];
	char *old;		/* the file as it was, to undo */
	size_t old_len;
	mode_t mode;
	char *new;		/* NULL: the file goes */
	size_t new_len;
};

static void free_changes(struct root_change *ch, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(ch[i].old);
		free(ch[i].new);
	}
	free(ch);
}

/* Every file of the roots directory that holds root, and what it becomes. */
static int plan_root_removal(const char *dir, X509 *root,
			     struct root_change **out, int *nout, char *err,
			     size_t errlen)
{
	struct root_change *ch = NULL;
	struct dirent *d;
	int n = 0, ret = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp) {
		ret = -errno;
		seterr(err, errlen, "%s: %s", dir, strerror(-ret));
		return ret;
	}
	while (!ret && (d = readdir(dp))) {
		STACK_OF(X509) *certs = NULL;
		struct root_change *c, *nc;
		int i, left = 0;
		bool has = false;

		if (!root_file_name(d->d_name))
			continue;
		nc = realloc(ch, (size_t)(n + 1) * sizeof(*ch));
		if (!nc) {
			ret = -ENOMEM;
			seterr(err, errlen, "out of memory");
			break;
		}
		ch = nc;
		c = &ch[n];
		memset(c, 0, sizeof(*c));
		if ((size_t)snprintf(c->path, sizeof(c->path), "%s/%s", dir,
				     d->d_name) >= sizeof(c->path)) {
			ret = -ENAMETOOLONG;
			seterr(err, errlen, "%s/%s: path too long", dir,
			       d->d_name);
			break;
		}
		ret = pki_read_certs(c->path, &certs, err, errlen);
		if (ret)
			break;
		for (i = 0; i < sk_X509_num(certs); i++) {
			if (X509_cmp(sk_X509_value(certs, i), root))
				left++;
			else
				has = true;
		}
		if (has) {
			ret = read_small_file(c->path, ROOT_FILE_MAX, &c->old,
					      &c->old_len, &c->mode, err,
					      errlen);
			if (!ret && left && pem_of(certs, root, &c->new,
						   &c->new_len)) {
				ret = -ENOMEM;
				seterr(err, errlen, "out of memory");
			}
			n++;
		}
		sk_X509_pop_free(certs, X509_free);
	}
	closedir(dp);
	if (ret) {
		free_changes(ch, n);
		return ret;
	}
	*out = ch;
	*nout = n;
	return 0;
}

static int apply_changes(struct root_change *ch, int n, char *err,
			 size_t errlen)
{
	char e2[256];
	int i, ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = ch[i].new ? atomic_write_file(ch[i].path, ch[i].new,
						    ch[i].new_len, ch[i].mode,
						    err, errlen) :
				  atomic_unlink(ch[i].path, err, errlen);
	if (!ret)
		return 0;
	/*
	 * Put back what was already changed, the failed one included: its
	 * rename may have happened before the directory sync failed, and
	 * writing back its old contents is harmless when it did not.
	 */
	for (i -= 1; i >= 0; i--)
		if (atomic_write_file(ch[i].path, ch[i].old, ch[i].old_len,
				      ch[i].mode, e2, sizeof(e2)))
			log_err("could not restore %s: %s", ch[i].path, e2);
	return ret;
}

int trust_root_remove(struct gateway *gw, const char *thumbprint, int *ended,
		      char *err, size_t errlen)
{
	struct root_change *ch = NULL;
	struct cut c = { .gw = gw };
	char norm[65], t1[41], t256[65];
	X509 *root;
	int nch = 0, ret;

	*ended = 0;
	if (pki_thumbprint_normalise(thumbprint, norm) < 0) {
		seterr(err, errlen, "not a SHA-1 or SHA-256 thumbprint: %s",
		       thumbprint);
		return -EINVAL;
	}
	root = pki_find_root(gw->pki, norm);
	if (!root) {
		seterr(err, errlen, "no trusted root has thumbprint %s", norm);
		return -ENOENT;
	}
	X509_up_ref(root);
	pki_thumbprint_sha1(root, t1);
	pki_thumbprint_sha256(root, t256);
	ret = plan_root_removal(gw->cfg.root_dir, root, &ch, &nch, err,
				errlen);
	if (!ret)
		ret = apply_changes(ch, nch, err, errlen);
	if (!ret) {
		pthread_mutex_lock(&gw->lock);
		ret = pki_remove_root(gw->pki, t1);
		pthread_mutex_unlock(&gw->lock);
		if (ret) {
			char e2[256];
			int i;

			seterr(err, errlen, "out of memory");
			for (i = 0; i < nch; i++)
				atomic_write_file(ch[i].path, ch[i].old,
						  ch[i].old_len, ch[i].mode,
						  e2, sizeof(e2));
		}
	}
	free_changes(ch, nch);
	if (ret) {
		X509_free(root);
		return ret;
	}
	log_notice("root %s no longer trusted (%d file(s) in %s changed)",
		   t1, nch, gw->cfg.root_dir);
	c.t1 = t1;
	c.t256 = t256;
	c.root = root;
	gateway_each_session(gw, cut_root, &c);
	*ended += c.ended;
	X509_free(root);
	return 0;
}
