// SPDX-License-Identifier: GPL-2.0
/*
 * sstpctl package: the client configuration package for a gateway, like the
 * one a cloud gateway lets users download: the CA that issued the gateway's
 * certificate, a PowerShell script that sets up Windows' built-in SSTP
 * client with EAP-TLS and the routes behind the gateway, and the command
 * lines for Linux (sstpctl, or sstpc + pppd). Client certificates are not
 * part of it: each user installs their own (PKCS#12).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "config/config.h"
#include "trust/pki.h"
#include "cmd.h"

static void package_usage(FILE *f)
{
	fprintf(f,
		"Usage: sstpctl package [CONFIG] --name GATEWAY_NAME --out DIR [options]\n"
		"  CONFIG             the gateway's configuration (default /etc/sstp/sstpd.conf)\n"
		"  --name NAME        the name clients dial (must match the server certificate)\n"
		"  --out DIR          where to write the package (created)\n"
		"  --connection NAME  the connection's name on clients (default: NAME)\n"
		"  --port N           the gateway's port, when it is not the one in CONFIG\n");
}

/* The CA that issued the gateway's certificate, from the roots. */
static X509 *server_ca(const struct sstp_config *cfg, char *err, size_t errlen)
{
	struct pki *pki = pki_new();
	X509 *leaf = NULL, *r, *found = NULL;
	unsigned int i;

	if (!pki)
		return NULL;
	if (pki_read_cert(cfg->certificate, &leaf, err, errlen) ||
	    pki_load_roots(pki, cfg->root_dir, err, errlen))
		goto out;
	for (i = 0; (r = pki_root(pki, i)); i++) {
		if (!X509_check_issued(r, leaf)) {
			X509_up_ref(r);
			found = r;
			break;
		}
	}
	if (!found)
		snprintf(err, errlen,
			 "no root in %s issued %s; put the gateway certificate's CA there",
			 cfg->root_dir, cfg->certificate);
out:
	X509_free(leaf);
	pki_free(pki);
	return found;
}

static FILE *create(const char *dir, const char *name, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (f)
		fchmod(fileno(f), mode);
	else
		fprintf(stderr, "sstpctl: package: cannot write %s: %s\n", path,
			strerror(errno));
	return f;
}

static const char *ip4(uint32_t a, char *buf)
{
	struct in_addr in = { .s_addr = htonl(a) };

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

/* Single quotes for PowerShell and sh: the name comes from the operator. */
static bool quotable(const char *s)
{
	for (; *s; s++)
		if (*s == '\'' || *s == '\n' || *s == '\r' || *s == '`' ||
		    (unsigned char)*s < 0x20)
			return false;
	return true;
}

static int write_windows(const char *dir, const struct sstp_config *cfg,
			 const char *name, const char *conn, unsigned int port)
{
	FILE *f = create(dir, "windows-install.ps1", 0644);
	char a[INET_ADDRSTRLEN], server[300];
	unsigned int i;

	if (!f)
		return -1;
	/* Windows dials 443 unless the address names another port. */
	if (port == 443)
		snprintf(server, sizeof(server), "%s", name);
	else
		snprintf(server, sizeof(server), "%s:%u", name, port);
	fprintf(f,
		"# Sets up Windows' built-in VPN client for the SSTP gateway %s.\n"
		"# Run in an elevated PowerShell: .\\windows-install.ps1\n"
		"# Install your client certificate first (double-click your .p12 file,\n"
		"# Current User store), as for a cloud point-to-site gateway; its\n"
		"# password is in the .p12.password file that came with it.\n"
		"$ErrorActionPreference = 'Stop'\n"
		"$here = Split-Path -Parent $MyInvocation.MyCommand.Path\n"
		"Import-Certificate -FilePath (Join-Path $here 'gateway-ca.crt') "
		"-CertStoreLocation Cert:\\LocalMachine\\Root | Out-Null\n"
		"$eap = New-EapConfiguration -Tls -UserCertificate\n"
		"Add-VpnConnection -Name '%s' -ServerAddress '%s' "
		"-TunnelType Sstp -EncryptionLevel Required "
		"-AuthenticationMethod Eap -EapConfigXmlStream $eap.EapConfigXmlStream "
		"-SplitTunneling -RememberCredential -Force\n",
		name, conn, server);
	for (i = 0; i < cfg->n_routes; i++)
		fprintf(f, "Add-VpnConnectionRoute -ConnectionName '%s' "
			"-DestinationPrefix '%s/%u' -PassThru | Out-Null\n", conn,
			ip4(cfg->routes[i].addr, a), cfg->routes[i].plen);
	fprintf(f,
		"# Windows checks the revocation of the gateway's certificate. With a\n"
		"# private CA that publishes no CRL, allow it explicitly (then restart\n"
		"# the SSTP service or the computer):\n"
		"#   Set-ItemProperty -Path HKLM:\\SYSTEM\\CurrentControlSet\\Services\\SstpSvc\\Parameters "
		"-Name NoCertRevocationCheck -Value 1 -Type DWord\n"
		"Write-Host \"VPN connection '%s' added. Connect from Settings > Network > VPN.\"\n",
		conn);
	return fclose(f) ? -1 : 0;
}

static int write_linux(const char *dir, const struct sstp_config *cfg,
		       const char *name, const char *conn, unsigned int port)
{
	FILE *f = create(dir, "linux-connect.sh", 0755);
	char a[INET_ADDRSTRLEN];
	unsigned int i;

	if (!f)
		return -1;
	fprintf(f,
		"#!/bin/sh\n"
		"# Connects to the SSTP gateway %s (%s) with sstpctl.\n"
		"# Usage: sudo ./linux-connect.sh CLIENT.crt CLIENT.key\n"
		"set -e\n"
		"here=$(dirname \"$0\")\n"
		"[ $# -eq 2 ] || { echo \"usage: $0 CLIENT.crt CLIENT.key\" >&2; exit 1; }\n"
		"exec sstpctl connect '%s:%u' --ca \"$here/gateway-ca.crt\" "
		"--cert \"$1\" --key \"$2\"", conn, name, name, port);
	for (i = 0; i < cfg->n_routes; i++)
		fprintf(f, " \\\n\t--route %s/%u", ip4(cfg->routes[i].addr, a),
			cfg->routes[i].plen);
	fprintf(f, "\n");
	if (fclose(f))
		return -1;
	f = create(dir, "sstpc-pppd.txt", 0644);
	if (!f)
		return -1;
	fprintf(f,
		"With Debian's sstp-client and pppd (EAP-TLS), as NetworkManager-sstp does:\n\n"
		"sstpc --log-stderr --ca-cert gateway-ca.crt %s:%u \\\n"
		"    nodetach noauth nodefaultroute noipdefault usepeerdns \\\n"
		"    name CLIENT_NAME cert CLIENT.crt key CLIENT.key ca gateway-ca.crt \\\n"
		"    need-peer-eap remotename %s mtu %u mru %u novj nobsdcomp nodeflate\n",
		name, port, name, cfg->mtu, cfg->mtu);
	for (i = 0; i < cfg->n_routes; i++)
		fprintf(f, "%s ip route add %s/%u dev ppp0\n",
			i ? "" : "\nthen route the networks behind the gateway:\n",
			ip4(cfg->routes[i].addr, a), cfg->routes[i].plen);
	return fclose(f) ? -1 : 0;
}

int cmd_package_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "out", required_argument, NULL, 'o' },
		{ "connection", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name = NULL, *out = NULL, *conn = NULL, *config;
	static struct sstp_config cfg;
	char err[1024], path[PATH_MAX];
	unsigned int port = 0;
	X509 *ca;
	FILE *f;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n': name = optarg; break;
		case 'o': out = optarg; break;
		case 'c': conn = optarg; break;
		case 'p': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || !v || v > 65535) {
				fprintf(stderr, "sstpctl: package: bad --port `%s'\n",
					optarg);
				return EXIT_USAGE;
			}
			port = (unsigned int)v;
			break;
		}
		case 'h': package_usage(stdout); return EXIT_OK;
		default: package_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!name || !out || optind + 1 < argc) {
		package_usage(stderr);
		return EXIT_USAGE;
	}
	if (!conn)
		conn = name;
	if (!quotable(name) || !quotable(conn)) {
		fprintf(stderr, "sstpctl: package: names may not contain quotes or control characters\n");
		return EXIT_USAGE;
	}
	if (optind < argc) {
		config = argv[optind];
	} else {
		const char *d = getenv("SSTP_CONFDIR");

		snprintf(path, sizeof(path), "%s/sstpd.conf",
			 d && *d ? d : SYSCONFDIR "/sstp");
		config = path;
	}
	if (config_load(config, &cfg, err, sizeof(err))) {
		fprintf(stderr, "sstpctl: package: %s: %s\n", config, err);
		return EXIT_FAIL;
	}
	if (!port)
		port = ntohs(((struct sockaddr_in *)&cfg.listen)->sin_port);
	ca = server_ca(&cfg, err, sizeof(err));
	if (!ca) {
		fprintf(stderr, "sstpctl: package: %s\n", err);
		return EXIT_FAIL;
	}
	if (mkdir(out, 0755) && errno != EEXIST) {
		fprintf(stderr, "sstpctl: package: cannot create %s: %s\n", out,
			strerror(errno));
		X509_free(ca);
		return EXIT_FAIL;
	}
	f = create(out, "gateway-ca.crt", 0644);
	if (!f || !PEM_write_X509(f, ca) || fclose(f) ||
	    write_windows(out, &cfg, name, conn, port) ||
	    write_linux(out, &cfg, name, conn, port)) {
		X509_free(ca);
		return EXIT_FAIL;
	}
	X509_free(ca);
	printf("%s/gateway-ca.crt\n%s/windows-install.ps1\n%s/linux-connect.sh\n"
	       "%s/sstpc-pppd.txt\n", out, out, out, out);
	/* stdout lists the files; the advice goes to stderr. */
	fprintf(stderr,
		"sstpctl: package: each user also needs their own certificate "
		"(sstpctl cert client --p12); the password of PREFIX.p12 is in "
		"PREFIX.p12.password\n");
	return EXIT_OK;
}
