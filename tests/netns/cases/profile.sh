# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The client certificate profile, end to end, with certificates made by
# OpenSSL's command line (tests/openssl-profile.sh): a gateway trusting
# only that PKI's root refuses each bad certificate; the client's output
# names the reason (the TLS alert and the gateway's LCP Terminate-Request
# text) and it exits 2; the gateway log names the certificate (subject,
# SHA-1 thumbprint) and the rule. The good certificates come up and ping.
# Sourced by tests/netns.sh.

case_profile()
{
	local pdir=$TMP/profile conf log before tp rc spec name alert text rule
	local cn tp1 out err cnf refused0 refused1 ok authed

	case_begin profile "client certificate profile: OpenSSL-made certificates refused by rule, with the reason on both ends"
	mkdir -p "$pdir"
	bash "$HERE/openssl-profile.sh" "$pdir" >"$pdir/make.log" 2>&1
	result $? "openssl req / x509 -req / ca make the profile PKI" "$pdir/make.log" ||
		{ case_end; return; }
	mkdir -p "$pdir/roots" && cp "$pdir/root.crt" "$pdir/roots/"
	tp=$(openssl x509 -in "$pdir/revoked.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g')
	conf=$SSTP_CONFDIR/profile.conf
	log=$SSTP_LOGDIR/sstpgwp.log
	write_config "$conf" Listen="$GW_IP:4460" Interface=sstpgwp \
		Pool=172.16.210.0/24 RootCertificates="$pdir/roots" \
		Revoke="$tp" Route= DNS=
	CUR_LOG=$log
	gw_up "$conf"
	result $? "gateway sstpgwp up, trusting only the OpenSSL-made root" "$TMP/up.out" ||
		{ case_end; return; }
	show_ok sstpgwp "d['roots'] == 1"
	result $? "show -j: one trusted root" "$SHOW"

	# The client must be able to present the weak keys at all: OpenSSL's
	# default security level 2 would refuse to load them.
	cnf=$pdir/client-openssl.cnf
	cat >"$cnf" <<-'EOF'
		openssl_conf = conf
		[conf]
		ssl_conf = ssl
		[ssl]
		system_default = sys
		[sys]
		CipherString = DEFAULT:@SECLEVEL=0
		Groups = X25519:P-256:P-384:P-521:P-224:P-192
	EOF

	show_json sstpgwp "$TMP/profile0.json"
	refused0=$(jget "$TMP/profile0.json" "d['refused']")
	# name|alert|Terminate-Request text|rule in the gateway log
	for spec in \
		"catrue|unsupported certificate (alert 43)|a CA certificate is not a client certificate|is a CA certificate (basicConstraints CA:TRUE), not a client certificate" \
		"root|unsupported certificate (alert 43)|a trusted root is not a client certificate|is a trusted root, not a client certificate" \
		"under-ica-server|unsupported certificate (alert 43)|an issuer's EKU does not allow client authentication|issuer \"CN=Profile ICA server\" does not allow client authentication (EKU: serverAuth)" \
		"nods|unsupported certificate (alert 43)|keyUsage does not allow digitalSignature|keyUsage (keyAgreement) does not allow digitalSignature" \
		"noeku|unsupported certificate (alert 43)|no Client Authentication EKU|has no Client Authentication EKU" \
		"dsa|unsupported certificate (alert 43)|key type not accepted (RSA, EC, Ed25519, Ed448 only)|has a DSA key" \
		"rsa1024|bad certificate (alert 42)|key too small (RSA needs 2048 bits, EC 256)|has an RSA key of 1024 bits (at least 2048 needed)" \
		"ec192|bad certificate (alert 42)|key too small (RSA needs 2048 bits, EC 256)|has an EC key of 192 bits (prime192v1; at least 256 needed)" \
		"expired|certificate expired (alert 45)|certificate or an issuer has expired|expired on 2020-02-01 00:00:00 UTC" \
		"revoked|certificate revoked (alert 44)|certificate or an issuer is revoked|is revoked (thumbprint $tp)" \
		"stranger|unknown CA (alert 48)|certificate does not chain to a trusted root|does not chain to a trusted root"; do
		IFS='|' read -r name alert text rule <<<"$spec"
		out=$TMP/profile-$name.out err=$TMP/profile-$name.err
		cn=$(openssl x509 -in "$pdir/$name.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
		tp1=$(openssl x509 -in "$pdir/$name.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')
		before=$(log_lines "$log")
		n2 env OPENSSL_CONF="$cnf" timeout 30 "$SSTPCTL" connect \
			"$GW_IP:4460" --ca "$CA" --cert "$pdir/$name.crt" \
			--key "$pdir/$name.key" --interface sstpp0 --timeout 10 \
			>"$out" 2>"$err"
		rc=$?
		[ $rc -eq 2 ] && ! grep -q '^up:' "$out"
		result $? "$name: refused, exit status 2 (rc $rc)" "$out" "$err"
		grep -qF "down: authentication failed: gateway refused the certificate: $alert; gateway: \"$text\"" "$out" &&
			grep -qF "sstpctl: connect: authentication failed: gateway refused the certificate: $alert" "$err"
		result $? "$name: the client names the alert ($alert) and the gateway's words ($text): $(head -n 1 "$err")" "$out" "$err"
		# The log line is the product: the operator's record of whose
		# certificate was refused by which rule (show -j counts them).
		log_wait "$log" "$before" "refused: certificate \"$cn\" (SHA1 $tp1): $rule" "" 5
		result $? "$name: the gateway log names $cn, its SHA-1 and the rule ($rule)"
	done
	# With -j the reason, quotes and all, is a valid JSON string.
	out=$TMP/profile-json.out
	n2 env OPENSSL_CONF="$cnf" timeout 30 "$SSTPCTL" connect -j \
		"$GW_IP:4460" --ca "$CA" --cert "$pdir/catrue.crt" \
		--key "$pdir/catrue.key" --interface sstpp0 --timeout 10 \
		>"$out" 2>/dev/null
	rc=$?
	grep '"event":"down"' "$out" >"$out.down"
	[ $rc -eq 2 ] && [ "$(jget "$out.down" "d['reason']")" = \
		'authentication failed: gateway refused the certificate: unsupported certificate (alert 43); gateway: "a CA certificate is not a client certificate"' ]
	result $? "connect -j: the down event's reason is a JSON string with the gateway's quoted words (rc $rc)" "$out"
	show_json sstpgwp "$TMP/profile1.json"
	refused1=$(jget "$TMP/profile1.json" "d['refused']")
	[ "$((refused1 - refused0))" -eq 12 ] &&
		[ "$(jget "$TMP/profile1.json" "d['sessions_active']")" = 0 ]
	result $? "show -j: 12 more refused (${refused0:-?} -> ${refused1:-?}), no session left" "$TMP/profile1.json"

	# The good ones from the same PKI come up and ping.
	for name in good good-rsa under-ica-client; do
		spawn "$NS_C2" "$TMP/profile-$name.out" "$TMP/profile-$name.err" \
			env OPENSSL_CONF="$cnf" "$SSTPCTL" connect "$GW_IP:4460" \
			--ca "$CA" --cert "$pdir/$name.crt" --key "$pdir/$name.key" \
			--interface sstpp0 --timeout 15
		ok=1
		wait_up "profile-$name" && in_pool "$CADDR" 172.16.210 &&
			n2 ping -c 2 -W 2 172.16.210.1 >"$TMP/profile-ping.out" 2>&1 && ok=0
		if [ "$name" = good ]; then
			show_ok sstpgwp "any('good@profile.test' in s['subject'] and s['state'] == 'connected' for s in d['sessions'])"
			authed=$?
			cp "$SHOW" "$TMP/profile-good.json"
		fi
		result $ok "$name: accepted, address ${CADDR:-none} from the pool, pings the gateway" \
			"$TMP/profile-$name.out" "$TMP/profile-$name.err" "$TMP/profile-ping.out"
		stop_pid "$SPAWNED"
		wait_pid_gone "$SPAWNED"
	done
	result "${authed:-1}" "show -j listed the session of CN=good@profile.test, connected" "$TMP/profile-good.json"
	gw_down sstpgwp
	result $? "gateway sstpgwp down" "$TMP/down.out"
	# shellcheck disable=SC2034 # read by tests/netns.sh
	CUR_LOG=
	case_end
}

case_profile
