# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The chains sstpctl connect sends, end to end (issue 10: its TLS contexts
# build them once, without the root): a client certificate under an
# intermediate CA, in a file holding the leaf alone, comes up when the
# intermediate is in the --ca file (sent from there) and is refused when
# it is nowhere; load mode brings its sessions up with the gateway's
# certificate verified once per session. Sourced by tests/netns.sh.

case_rate()
{
	local rdir=$TMP/rate conf log rc

	case_begin rate "chains sent by connect: an intermediate from the CA file, never the root; load mode"
	mkdir -p "$rdir"
	# Intermediate CA under root A, and a client under it (leaf alone).
	{
		openssl ecparam -name prime256v1 -genkey -noout -out "$rdir/ica.key" &&
			chmod 600 "$rdir/ica.key" &&
			printf '%s\n' "basicConstraints = critical, CA:TRUE" \
				"keyUsage = critical, keyCertSign, cRLSign" \
				"subjectKeyIdentifier = hash" \
				"authorityKeyIdentifier = keyid" >"$rdir/ica.ext" &&
			openssl req -new -key "$rdir/ica.key" \
				-subj "/CN=SSTP Rate Intermediate" -out "$rdir/ica.csr" &&
			openssl x509 -req -in "$rdir/ica.csr" -CA "$PKI/rootA/root.crt" \
				-CAkey "$PKI/rootA/root.key" -CAcreateserial -days 30 \
				-sha256 -extfile "$rdir/ica.ext" -out "$rdir/ica.crt" &&
			mkdir -p "$rdir/icaA" && cp "$rdir/ica.crt" "$rdir/icaA/root.crt" &&
			cp "$rdir/ica.key" "$rdir/icaA/root.key" &&
			"$SSTPCTL" cert client --ca "$rdir/icaA" --cn rate1@sstp.test \
				--out "$rdir/leaf" &&
			cat "$PKI/rootA/root.crt" "$rdir/ica.crt" >"$rdir/ca-with-ica.pem"
	} >"$rdir/pki.log" 2>&1
	result $? "PKI: an intermediate under root A, a client under it (leaf alone in its file)" \
		"$rdir/pki.log" || { case_end; return; }
	[ "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$rdir/leaf.crt")" = 1 ]
	result $? "the client's certificate file holds the leaf only" "$rdir/leaf.crt"

	conf=$SSTP_CONFDIR/rate.conf
	log=$SSTP_LOGDIR/sstpgwr.log
	write_config "$conf" Listen="$GW_IP:4483" Interface=sstpgwr \
		Pool=172.16.243.0/24 Route= DNS= MaxHandshakes=64 \
		Gateway.MaxHandshakesPerSource=64 Gateway.MaxSessionsPerCertificate=128
	CUR_LOG=$log
	gw_up "$conf"
	result $? "gateway sstpgwr up, trusting root A only" "$TMP/up.out" ||
		{ case_end; return; }

	# The intermediate is in the CA file: connect finds it there and sends it.
	spawn "$NS_C1" "$TMP/rate-ica.out" "$TMP/rate-ica.err" "$SSTPCTL" connect \
		"$GW_IP:4483" --ca "$rdir/ca-with-ica.pem" --cert "$rdir/leaf.crt" \
		--key "$rdir/leaf.key" --interface sstpr0 --timeout 15
	rc=1
	wait_up rate-ica && in_pool "$CADDR" 172.16.243 &&
		n1 ping -c 1 -W 2 172.16.243.1 >"$TMP/rate-ping.out" 2>&1 && rc=0
	result $rc "intermediate in --ca only: up at ${CADDR:-none}, pings the gateway" \
		"$TMP/rate-ica.out" "$TMP/rate-ica.err" "$TMP/rate-ping.out"
	stop_pid "$SPAWNED"
	wait_pid_gone "$SPAWNED"

	# Nowhere to find it: the gateway cannot chain the leaf to root A.
	n1 timeout 30 "$SSTPCTL" connect "$GW_IP:4483" --ca "$CA" \
		--cert "$rdir/leaf.crt" --key "$rdir/leaf.key" --interface sstpr0 \
		--timeout 10 >"$TMP/rate-noica.out" 2>"$TMP/rate-noica.err" </dev/null
	rc=$?
	[ $rc -eq 2 ] && grep -q "unknown CA (alert 48)" "$TMP/rate-noica.out"
	result $? "intermediate nowhere: refused, unknown CA (rc $rc)" \
		"$TMP/rate-noica.out" "$TMP/rate-noica.err"

	# Load mode: every session up (the gateway's certificate verified once
	# each, on the outer connection).
	n1 timeout 120 "$SSTPCTL" connect "$GW_IP:4483" --ca "$CA" \
		--cert "$PKI/good1.crt" --key "$PKI/good1.key" --name gw.test \
		--load 40 --parallel 16 -j >"$TMP/rate-load.json" 2>"$TMP/rate-load.err"
	rc=$?
	[ $rc -eq 0 ] &&
		[ "$(jget "$TMP/rate-load.json" "d['up'] == 40 and d['failed'] == 0")" = true ]
	result $? "load mode: 40 of 40 up, none failed ($(jget "$TMP/rate-load.json" "d['sessions_per_second']" 2>/dev/null) sessions/s; rc $rc)" \
		"$TMP/rate-load.json" "$TMP/rate-load.err"
	show_wait sstpgwr "d['sessions_active'] == 0" 10
	result $? "show -j: no session left after the load run" "$SHOW"

	gw_down sstpgwr
	result $? "gateway sstpgwr down" "$TMP/down.out"
	# shellcheck disable=SC2034 # read by tests/netns.sh
	CUR_LOG=
	case_end
}

case_rate
