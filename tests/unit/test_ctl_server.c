// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon's side of the control protocol (ctl_server.c) on a real
 * gateway (gateway_core_init) with real sessions on socket pairs: each
 * command's answer decodes to the gateway's state; bad, old and newer
 * requests get the answers sstpctl turns into clear errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"
#include "ipc/ctl_proto.h"
#include "sstpd/ctl_server.h"
#include "sstpd/gateway.h"
#include "trust/issue.h"
#include "trust/pki.h"
#include "util/log.h"

#define NS 3

static char dir[64];
static struct gateway gw;
static int peer_fd[NS];
static char root_sha1[41];

static void make_pki(void)
{
	struct pki_cert_spec root = { .kind = PKI_ROOT, .cn = "Test Root",
				      .not_before = -3600,
				      .not_after = 86400 };
	struct pki_cert_spec srv = { .kind = PKI_SERVER, .cn = "localhost",
				     .san_dns = "localhost",
				     .not_before = -3600,
				     .not_after = 86400 };
	char path[128];
	X509 *rc, *sc;
	EVP_PKEY *rk, *sk;

	snprintf(dir, sizeof(dir), "/tmp/test_ctl_server.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/roots", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(pki_issue(&root, NULL, NULL, &rc, &rk), 0);
	assert_int_equal(pki_issue(&srv, rc, rk, &sc, &sk), 0);
	pki_thumbprint_sha1(rc, root_sha1);
	snprintf(path, sizeof(path), "%s/roots/root.crt", dir);
	assert_int_equal(pki_write_cert(path, rc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.crt", dir);
	assert_int_equal(pki_write_cert(path, sc, NULL), 0);
	snprintf(path, sizeof(path), "%s/server.key", dir);
	assert_int_equal(pki_write_key(path, sk), 0);
	X509_free(rc);
	X509_free(sc);
	EVP_PKEY_free(rk);
	EVP_PKEY_free(sk);
}

static int setup(void **state)
{
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	struct sstp_config cfg;
	int i;

	signal(SIGPIPE, SIG_IGN);
	sstp_log_init("test_ctl_server", true, 0);
	make_pki();
	setenv("SSTP_STATEDIR", dir, 1);
	config_defaults(&cfg);
	snprintf(cfg.certificate, sizeof(cfg.certificate), "%s/server.crt",
		 dir);
	snprintf(cfg.private_key, sizeof(cfg.private_key), "%s/server.key",
		 dir);
	snprintf(cfg.root_dir, sizeof(cfg.root_dir), "%s/roots", dir);
	cfg.kernel_tls = false;
	cfg.kernel_path = false;
	cfg.pool.addr = 0x0a620000u;	/* 10.98.0.0/24 */
	cfg.pool.plen = 24;
	cfg.address = 0x0a620001u;
	if (gateway_core_init(&gw, &cfg))
		return -1;
	for (i = 0; i < NS; i++) {
		int sp[2];

		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0, sp))
			return -1;
		if (!gateway_adopt(&gw, sp[0], &peer))
			return -1;
		peer_fd[i] = sp[1];
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int i;

	gateway_end_sessions(&gw);
	for (i = 0; i < NS; i++)
		close(peer_fd[i]);
	gateway_destroy(&gw);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

/* A request's raw answer (malloc'd, NUL-terminated). */
static char *handle(const char *req, size_t *len)
{
	char *ans = NULL;
	FILE *f = open_memstream(&ans, len);

	assert_non_null(f);
	ctl_server_handle(&gw, req, strlen(req), f);
	assert_int_equal(fclose(f), 0);
	return ans;
}

/* The request, encoded as sstpctl does, and its decoded answer. */
static void call(const char *command, const char *thumb, const char *path,
		 struct ctl_answer *a)
{
	struct ctl_request r = { .protocol = CTL_PROTOCOL };
	char buf[CTL_REQUEST_MAX + 1], err[256], *ans;
	size_t len;

	snprintf(r.command, sizeof(r.command), "%s", command);
	snprintf(r.thumbprint, sizeof(r.thumbprint), "%s", thumb ? thumb : "");
	snprintf(r.path, sizeof(r.path), "%s", path ? path : "");
	assert_true(ctl_request_encode(&r, buf, sizeof(buf)) > 0);
	ans = handle(buf, &len);
	if (ctl_answer_decode(ans, len, a, err, sizeof(err)))
		fail_msg("%s: %s: %s", command, err, ans);
	free(ans);
}

static void test_dump(void **state)
{
	struct ctl_answer a;
	size_t i;

	call("dump", NULL, NULL, &a);
	assert_int_equal(a.status.err, 0);
	assert_true(a.has_gateway);
	assert_true(a.has_limits);
	assert_int_equal(a.gateway.sessions_active, NS);
	assert_int_equal(a.gateway.pool.addr, 0x0a620000u);
	assert_int_equal(a.gateway.pool.plen, 24);
	assert_int_equal(a.gateway.address, 0x0a620001u);
	assert_int_equal(a.gateway.roots, 1);
	assert_int_equal(a.gateway.accepted, NS);
	assert_string_equal(a.gateway.kernel_interface, "");
	assert_int_equal(a.limits.max_handshakes, gw.cfg.max_handshakes);
	assert_int_equal(a.limits.handshakes, NS);
	assert_int_equal(a.nsessions, NS);
	for (i = 0; i < a.nsessions; i++) {
		assert_true(a.sessions[i].id >= 1);
		assert_string_equal(a.sessions[i].state, "tls");
		assert_int_equal(a.sessions[i].address, 0);
		assert_int_equal(a.sessions[i].kernel.id, 0);
	}
	ctl_answer_free(&a);
}

static void test_roots(void **state)
{
	struct ctl_answer a;

	call("roots", NULL, NULL, &a);
	assert_int_equal(a.status.err, 0);
	assert_int_equal(a.nroots, 1);
	assert_string_equal(a.roots[0].thumbprint, root_sha1);
	assert_string_equal(a.roots[0].subject, "CN=Test Root");
	assert_int_equal(a.roots[0].sessions, 0);
	ctl_answer_free(&a);
}

static void test_revoke_cycle(void **state)
{
	static const char tp[] = "00112233445566778899AABBCCDDEEFF00112233";
	struct ctl_answer a;

	call("revoked", NULL, NULL, &a);
	assert_int_equal(a.status.err, 0);
	assert_non_null(strstr(a.status.revoked_file, dir));
	assert_int_equal(a.nrevoked, 0);
	ctl_answer_free(&a);

	call("revoke", "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33",
	     NULL, &a);
	assert_int_equal(a.status.err, 0);
	assert_int_equal(a.status.sessions_ended, 0);
	ctl_answer_free(&a);

	call("revoked", NULL, NULL, &a);
	assert_int_equal(a.nrevoked, 1);
	assert_string_equal(a.revoked[0].thumbprint, tp);
	assert_string_equal(a.revoked[0].source, "file");
	ctl_answer_free(&a);

	call("unrevoke", tp, NULL, &a);
	assert_int_equal(a.status.err, 0);
	ctl_answer_free(&a);
	call("revoked", NULL, NULL, &a);
	assert_int_equal(a.nrevoked, 0);
	ctl_answer_free(&a);

	/* The daemon's refusal travels as errno= and error=. */
	call("revoke", "not hex", NULL, &a);
	assert_int_not_equal(a.status.err, 0);
	assert_true(a.status.error[0]);
	ctl_answer_free(&a);
}

static void test_bad_requests(void **state)
{
	struct ctl_answer a;
	char err[256], *ans;
	size_t len;

	call("frobnicate", NULL, NULL, &a);
	assert_int_equal(a.status.err, EOPNOTSUPP);
	ctl_answer_free(&a);
	call("revoke", NULL, NULL, &a);
	assert_int_equal(a.status.err, EINVAL);
	assert_string_equal(a.status.error, "revoke needs thumbprint=");
	ctl_answer_free(&a);
	call("root-add", NULL, NULL, &a);
	assert_int_equal(a.status.err, EINVAL);
	ctl_answer_free(&a);

	/* An sstpctl from before the protocol: an answer it prints. */
	ans = handle("dump\n", &len);
	assert_string_equal(ans, "error\tthis sstpd speaks control protocol 1: use the sstpctl of the same version\n");
	free(ans);

	/* A newer one: the version this daemon speaks, in its protocol. */
	ans = handle("protocol=2\ncommand=dump\n\n", &len);
	assert_int_equal(ctl_answer_decode(ans, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status.err, EPROTONOSUPPORT);
	assert_non_null(strstr(a.status.error, "control protocol 1"));
	free(ans);

	/* Malformed and truncated requests. */
	ans = handle("protocol=1\ncommand=dump\n", &len);
	assert_int_equal(ctl_answer_decode(ans, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status.err, ENODATA);
	free(ans);
	ans = handle("protocol=1\ncommand=dump\ncommand=stop\n\n", &len);
	assert_int_equal(ctl_answer_decode(ans, len, &a, err, sizeof(err)), 0);
	assert_int_equal(a.status.err, EINVAL);
	free(ans);
	assert_int_equal(gw.loop.stop, 0);
}

static void test_stop(void **state)
{
	struct ctl_answer a;

	call("stop", NULL, NULL, &a);
	assert_int_equal(a.status.err, 0);
	assert_int_not_equal(gw.loop.stop, 0);
	gw.loop.stop = 0;
	ctl_answer_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_roots),
		cmocka_unit_test(test_revoke_cycle),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_stop),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
