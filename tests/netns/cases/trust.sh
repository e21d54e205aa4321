# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Trust state that survives restarts and crashes, and revocation that takes
# a session out of the data plane before `sstpctl revoke` returns.
# Sourced by tests/netns.sh (its helpers, the topology and $PKI).
#
# Gateway sstpgwt (port 4460, pool 172.16.210.0/24) keeps revocations in the
# default file under $SSTP_STATEDIR; its roots directory starts with root A
# and bundle.pem (roots B and C in one file). Gateway sstpgwu (port 4461,
# pool 172.16.211.0/24) has its RevokedFile and roots on a read-only mount.

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

TR=$TMP/trust
TCONF=$SSTP_CONFDIR/trust.conf
TLOG=$SSTP_LOGDIR/sstpgwt.log
TROOTS=$TR/roots
TSTATE=$SSTP_STATEDIR/sstpgwt
TRO=$TR/ro
TR_MOUNTED=0

tr_sha1() { pp "$SSTPCTL" cert thumbprint "$1"; }
tr_mode() { stat -c %a "$1" 2>/dev/null; }
# Certificates in a PEM file.
tr_ncerts() { grep -c -- '-----BEGIN CERTIFICATE-----' "$1" 2>/dev/null; }

# tr_pki: roots C and D, an intermediate CA under root A (openssl: sstpctl
# cert makes roots and leaves), clients under each; chains in $PKI.
tr_pki()
{
	local r

	mkdir -p "$TR" "$TROOTS"
	for r in C D E; do
		pp "$SSTPCTL" cert root --cn "SSTP Test Root $r" --out "$PKI/root$r" \
			>/dev/null || return 1
	done
	pp "$SSTPCTL" cert client --ca "$PKI/rootC" --cn cclient@sstp.test \
		--out "$PKI/tc" >/dev/null || return 1
	pp "$SSTPCTL" cert client --ca "$PKI/rootD" --cn dclient@sstp.test \
		--out "$PKI/td" >/dev/null || return 1
	# Intermediate CA "I" under root A.
	mkdir -p "$PKI/interA"
	pp openssl ecparam -name prime256v1 -genkey -noout \
		-out "$PKI/interA/root.key" 2>/dev/null || return 1
	chmod 600 "$PKI/interA/root.key"
	printf '%s\n' "basicConstraints = critical, CA:TRUE" \
		"keyUsage = critical, keyCertSign, cRLSign" \
		"subjectKeyIdentifier = hash" \
		"authorityKeyIdentifier = keyid" >"$TR/inter.ext"
	pp openssl req -new -key "$PKI/interA/root.key" -subj "/CN=SSTP Test Intermediate I" \
		-out "$TR/inter.csr" 2>/dev/null || return 1
	pp openssl x509 -req -in "$TR/inter.csr" -CA "$PKI/rootA/root.crt" \
		-CAkey "$PKI/rootA/root.key" -CAcreateserial -days 30 -sha256 \
		-extfile "$TR/inter.ext" -out "$PKI/interA/root.crt" 2>/dev/null || return 1
	pp "$SSTPCTL" cert client --ca "$PKI/interA" --cn inter1@sstp.test \
		--out "$TR/inter1" >/dev/null || return 1
	# The client sends leaf and intermediate.
	cat "$TR/inter1.crt" "$PKI/interA/root.crt" >"$PKI/ti1.crt"
	cp "$TR/inter1.key" "$PKI/ti1.key" && chmod 600 "$PKI/ti1.key"
	pp openssl verify -CAfile "$PKI/rootA/root.crt" -untrusted "$PKI/interA/root.crt" \
		"$TR/inter1.crt" >/dev/null 2>&1 || return 1
	# Roots directory: A alone, B and C together in one file (mode 0640).
	cp "$PKI/rootA/root.crt" "$TROOTS/rootA.crt"
	cat "$PKI/rootB/root.crt" "$PKI/rootC/root.crt" >"$TROOTS/bundle.pem"
	chmod 0640 "$TROOTS/bundle.pem"
	TP_rA=$(tr_sha1 "$PKI/rootA/root.crt")
	TP_rB=$(tr_sha1 "$PKI/rootB/root.crt")
	TP_rC=$(tr_sha1 "$PKI/rootC/root.crt")
	TP_rD=$(tr_sha1 "$PKI/rootD/root.crt")
	TP_rE=$(tr_sha1 "$PKI/rootE/root.crt")
	TP_inter=$(tr_sha1 "$PKI/interA/root.crt")
	[ -n "$TP_rA" ] && [ -n "$TP_inter" ]
}

# tr_try TAG NS CERT: it connects and pings through the tunnel (then stops).
tr_try()
{
	local tag=$1 ns=$2 cert=$3 pid ok=1

	start_client "$tag" "$ns" "$cert" 4460 --interface sstpt9
	pid=$CPID
	wait_up "$tag" &&
		ip netns exec "$ns" ping -c 1 -W 2 172.16.210.1 >"$TMP/$tag.ping" 2>&1 &&
		ok=0
	stop_pid "$pid"
	return $ok
}

# tr_refused TAG NS CERT: the gateway refuses it (and the client says so).
tr_refused()
{
	local rc

	ip netns exec "$2" timeout 30 "$SSTPCTL" connect "$GW_IP:4460" \
		--ca "$CA" --cert "$PKI/$3.crt" --key "$PKI/$3.key" \
		--interface sstpt9 --timeout 10 >"$TMP/$1.out" 2>"$TMP/$1.err" \
		</dev/null 9>&-
	rc=$?
	[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/$1.out"
}

tr_roots_are()
{
	pp "$SSTPCTL" -j root list sstpgwt >"$TMP/troots.json" 2>&1 || return 1
	"$PYTHON" - "$TMP/troots.json" "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if sorted(r['thumbprint'] for r in d) == sorted(sys.argv[2:]) else 1)
PY
}

# tr_revoked_has_on IFACE THUMBPRINT true|false: is it in revoked -j?
tr_revoked_has_on()
{
	pp "$SSTPCTL" revoked "$1" -j >"$TMP/trevoked.json" 2>&1 || return 1
	[ "$(jget "$TMP/trevoked.json" "'$2' in [r['thumbprint'] for r in d['revoked']]")" = "$3" ]
}

tr_revoked_has()
{
	pp "$SSTPCTL" revoked sstpgwt -j >"$TMP/trevoked.json" 2>&1 || return 1
	[ "$(jget "$TMP/trevoked.json" "'$1' in [r['thumbprint'] for r in d['revoked']]")" = "$2" ]
}

# The roots directory as a sorted list of "name mode certificates".
tr_dir()
{
	local f

	for f in "$TROOTS"/*; do
		echo "$(basename "$f") $(tr_mode "$f") $(tr_ncerts "$f")"
	done
}

tr_gw_kill()
{
	local pid

	pid=$(gw_pid sstpgwt) || return 1
	kill -KILL "$pid"
	wait_pid_gone "$pid"
}

# ------------------------------------------------------------- measurement

# The measurement runs in the gateway's namespace: it samples the bridge
# port towards c1 (vc1: every byte the gateway sends to c1's clients) every
# millisecond, runs the sstpctl command, and reports the data-sized packets
# (over 200 bytes: a CALL_DISCONNECT or TCP segment is smaller, a 1000-byte
# ping in a TLS record larger) seen after the command returned.
cat >"$TMP/cutmeter.py" <<'PY'
import json, subprocess, sys, threading, time

port, secs_before, secs_after = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
cmd = sys.argv[4:]
base = "/sys/class/net/%s/statistics/" % port

def read():
    with open(base + "tx_packets") as a, open(base + "tx_bytes") as b:
        return int(a.read()), int(b.read())

samples = []
stop = False

def sample():
    last = read()
    while not stop:
        cur = read()
        if cur != last:
            samples.append((time.monotonic(), cur[0] - last[0], cur[1] - last[1]))
            last = cur
        time.sleep(0.0005)

t = threading.Thread(target=sample)
t.start()
time.sleep(secs_before)
t0 = time.monotonic()
r = subprocess.run(cmd, capture_output=True, text=True)
t_ret = time.monotonic()
time.sleep(secs_after)
stop = True
t.join()

def data(s):
    return s[2] > 200 * s[1]

before = [s for s in samples if s[0] <= t_ret and data(s)]
after = [s for s in samples if s[0] > t_ret and data(s)]
out = {
    "rc": r.returncode, "stdout": r.stdout.strip(), "stderr": r.stderr.strip(),
    "command_ms": round((t_ret - t0) * 1000, 2),
    "data_before": len(before),
    "data_after": len(after),
    "bytes_after": sum(s[2] for s in samples if s[0] > t_ret),
    "packets_after": sum(s[1] for s in samples if s[0] > t_ret),
    # Time from the command returning to the last data-sized packet seen:
    # negative when the last one passed before it returned.
    "last_data_ms": round(((after or before or [(t_ret,)])[-1][0] - t_ret) * 1000, 2),
}
print(json.dumps(out))
PY

# tr_cut TAG CERT KILLARGS...: a client of CERT in c1 with a 100/s ping of
# 1000 bytes from the gateway flowing to it; the client is stopped (SIGSTOP:
# a revoked client that will not acknowledge CALL_DISCONNECT), then the
# sstpctl command runs under the meter. Result JSON in $TMP/TAG.cut.
tr_cut()
{
	local tag=$1 cert=$2 pid addr ppid rx0 rx1

	shift 2
	start_client "$tag" "$NS_C1" "$cert" 4460 --interface sstpt1
	pid=$CPID
	wait_up "$tag" || { echo "# $tag did not come up"; return 1; }
	addr=$CADDR
	spawn "$NS_GW" "$TMP/$tag.ping" "$TMP/$tag.ping.err" ping -i 0.01 -s 1000 "$addr"
	ppid=$SPAWNED
	rx0=$(n1 cat /sys/class/net/sstpt1/statistics/rx_packets)
	sleep 0.5
	rx1=$(n1 cat /sys/class/net/sstpt1/statistics/rx_packets)
	note "$tag: traffic flowing to $addr ($((rx1 - rx0)) packets in 0.5 s)"
	[ $((rx1 - rx0)) -ge 20 ] || { kill "$ppid" "$pid"; return 1; }
	kill -STOP "$pid"
	n0 "$PYTHON" "$TMP/cutmeter.py" vc1 0.3 1.5 "$SSTPCTL" "$@" >"$TMP/$tag.cut"
	kill "$ppid" 2>/dev/null
	kill -CONT "$pid"
	TR_CUT_PID=$pid
	note "$tag: $(cat "$TMP/$tag.cut")"
}

# ---------------------------------------------------------------- the case

case_begin trust "trust state survives restart and crash; revocation cuts the data plane at once"
CUR_LOG=$TLOG
check "PKI: roots C, D, E, an intermediate under root A, clients under C, D and it" tr_pki
write_config "$TCONF" Listen="$GW_IP:4460" Interface=sstpgwt Pool=172.16.210.0/24 \
	RootCertificates="$TROOTS" Route= HelloInterval=60
gw_up "$TCONF"
result $? "sstpctl up starts sstpgwt (no RevokedFile)" "$TMP/up.out"
pp "$SSTPCTL" revoked sstpgwt -j >"$TMP/trevoked.json" 2>&1
[ "$(jget "$TMP/trevoked.json" "d['file']")" = "$TSTATE/revoked" ]
result $? "sstpctl revoked -j says where revocations are kept: $TSTATE/revoked" "$TMP/trevoked.json"

# Revoke good2 live, pasted the way Windows' dialog copies it (U+200E first).
start_client tg2 "$NS_C2" good2 4460 --interface sstpt2
TG2=$CPID
wait_up tg2
result $? "good2 connects" "$TMP/tg2.out" "$TMP/tg2.err"
lrm=$(printf '\342\200\216')
pasted="$lrm$(echo "$TP_good2" | sed 's/../& /g; s/ $//')"
pp "$SSTPCTL" revoke sstpgwt "$pasted" >"$TMP/trev.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/trev.out"
result $? "revoke good2 by a pasted thumbprint (U+200E, spaces) ends its session (rc $rc)" "$TMP/trev.out"
wait_pid "$TG2" 10
grep -q '^down:' "$TMP/tg2.out"
result $? "  ...its client is told (down:)" "$TMP/tg2.out"
[ -f "$TSTATE/revoked" ] && grep -qx "$TP_good2" "$TSTATE/revoked" &&
	[ "$(tr_mode "$TSTATE/revoked")" = 644 ] && [ "$(tr_mode "$TSTATE")" = 700 ]
result $? "  ...stored in $TSTATE/revoked (mode $(tr_mode "$TSTATE/revoked"), directory $(tr_mode "$TSTATE"))" "$TSTATE/revoked"
[ -z "$(find "$TSTATE" -name '.*')" ]
result $? "  ...no temporary file left beside it"
tr_revoked_has "$TP_good2" true && tr_revoked_has "$TP_revoked" true &&
	[ "$(jget "$TMP/trevoked.json" "d['file']")" = "$TSTATE/revoked" ] &&
	[ "$(jget "$TMP/trevoked.json" "[r['source'] for r in d['revoked'] if r['thumbprint'] == '$TP_revoked'][0]")" = config ]
result $? "revoked -j: good2 (file) and the configuration's Revoke (config)" "$TMP/trevoked.json"
pp "$SSTPCTL" unrevoke sstpgwt "$TP_revoked" >"$TMP/tunrev.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "Revoke =" "$TMP/tunrev.out" && tr_revoked_has "$TP_revoked" true
result $? "unrevoke of a configuration Revoke is refused, saying why (rc $rc)" "$TMP/tunrev.out"

# Roots: B removed from bundle.pem (rewritten with C alone, mode kept).
start_client tb "$NS_C1" unknown-root 4460 --interface sstpt1
TB=$CPID
wait_up tb
result $? "a client of root B (in bundle.pem) connects" "$TMP/tb.out" "$TMP/tb.err"
pp "$SSTPCTL" root remove sstpgwt "$TP_rB" >"$TMP/trdel.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/trdel.out"
result $? "root remove B ends its session (rc $rc)" "$TMP/trdel.out"
[ "$(tr_ncerts "$TROOTS/bundle.pem")" = 1 ] && [ "$(tr_mode "$TROOTS/bundle.pem")" = 640 ] &&
	[ "$(tr_sha1 "$TROOTS/bundle.pem")" = "$TP_rC" ]
result $? "  ...bundle.pem rewritten holding root C alone, mode 0640 kept ($(tr_dir | tr '\n' ';'))"
wait_pid "$TB" 10

# Root add: all or nothing (E with a client certificate: refused whole).
cat "$PKI/rootE/root.crt" "$PKI/good1.crt" >"$TR/mixed.pem"
pp "$SSTPCTL" root add sstpgwt "$TR/mixed.pem" >"$TMP/tradd.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "not a CA" "$TMP/tradd.out" && tr_roots_are "$TP_rA" "$TP_rC" &&
	[ ! -e "$TROOTS/root-$TP_rE.crt" ]
result $? "root add of root E + a client certificate is refused whole: E not trusted, no file (rc $rc)" "$TMP/tradd.out"
pp "$SSTPCTL" root add sstpgwt "$PKI/rootD/root.crt" >"$TMP/tradd.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(tr_mode "$TROOTS/root-$TP_rD.crt")" = 644 ] &&
	cmp -s <(openssl x509 -in "$TROOTS/root-$TP_rD.crt" -outform DER) \
		<(openssl x509 -in "$PKI/rootD/root.crt" -outform DER)
result $? "root add D: copied to roots/root-<SHA1>.crt, mode 0644, before it reports (rc $rc)" "$TMP/tradd.out"

# Restart.
gw_down sstpgwt
result $? "sstpctl down" "$TMP/down.out"
# An operator's long comment on good2's line: the gateway loads it, and
# unrevoke below must find it the same way (it once kept such a line and
# said ok).
long=$(printf 'x%.0s' $(seq 1100))
sed -i "/$TP_good2/s/.*/$TP_good2  # revoked by hand: $long/" "$TSTATE/revoked"
grep -q "^$TP_good2  # revoked by hand: x" "$TSTATE/revoked"
result $? "good2's line in the revoked file gets a 1100-character comment" "$TSTATE/revoked"
gw_up "$TCONF"
result $? "sstpctl up again" "$TMP/up.out"
tr_roots_are "$TP_rA" "$TP_rC" "$TP_rD"
result $? "after restart: roots A, C, D" "$TMP/troots.json"
tr_refused trg2 "$NS_C2" good2
result $? "after restart: revoked good2 is refused" "$TMP/trg2.out" "$TMP/trg2.err"
tr_refused trb "$NS_C1" unknown-root
result $? "after restart: root B's client is refused" "$TMP/trb.out" "$TMP/trb.err"
tr_try trd "$NS_C1" td
result $? "after restart: root D's client (added live) connects" "$TMP/trd.out" "$TMP/trd.err"
tr_try trc "$NS_C1" tc
result $? "after restart: root C's client (C kept in bundle.pem) connects" "$TMP/trc.out" "$TMP/trc.err"

# A second round of changes, then a crash (SIGKILL).
pp "$SSTPCTL" unrevoke sstpgwt "$TP_good2" >"$TMP/tunrev.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ! grep -q "$TP_good2" "$TSTATE/revoked" && tr_revoked_has "$TP_good2" false
result $? "unrevoke good2: gone from the file and the list (rc $rc)" "$TMP/tunrev.out" "$TSTATE/revoked"
pp "$SSTPCTL" unrevoke sstpgwt "$TP_good2" >"$TMP/tunrev.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "not revoked" "$TMP/tunrev.out"
result $? "unrevoke again: not revoked (rc $rc)" "$TMP/tunrev.out"
pp "$SSTPCTL" revoke sstpgwt "$TP_good1" >"$TMP/trev.out" 2>&1
result $? "revoke good1" "$TMP/trev.out"
pp "$SSTPCTL" root remove sstpgwt "$TP_rC" >"$TMP/trdel.out" 2>&1
rc=$?
[ $rc -eq 0 ] && [ ! -e "$TROOTS/bundle.pem" ]
result $? "root remove C: bundle.pem (C alone now) leaves the directory (rc $rc; $(tr_dir | tr '\n' ';'))" "$TMP/trdel.out"
tr_gw_kill
result $? "sstpd killed with SIGKILL"
gw_up "$TCONF"
result $? "sstpctl up after the crash" "$TMP/up.out"
tr_refused trg1 "$NS_C1" good1
result $? "after the crash: revoked good1 is refused" "$TMP/trg1.out" "$TMP/trg1.err"
tr_try trg2b "$NS_C2" good2
result $? "after the crash: unrevoked good2 connects" "$TMP/trg2b.out" "$TMP/trg2b.err"
tr_refused trc2 "$NS_C1" tc
result $? "after the crash: root C's client is refused" "$TMP/trc2.out" "$TMP/trc2.err"
tr_try trd2 "$NS_C1" td
result $? "after the crash: root D's client connects" "$TMP/trd2.out" "$TMP/trd2.err"
tr_roots_are "$TP_rA" "$TP_rD"
result $? "after the crash: roots A and D" "$TMP/troots.json"

# Revocation cuts the data plane before the command returns.
start_client tg2c "$NS_C2" good2 4460 --interface sstpt2
TG2C=$CPID
wait_up tg2c
result $? "good2 connects (another chain, to stay untouched)" "$TMP/tg2c.out" "$TMP/tg2c.err"

for spec in "ti1:revoke sstpgwt $TP_inter:intermediate CA" \
	    "td:root remove sstpgwt $TP_rD:root (removed)" \
	    "good2x:revoke sstpgwt LEAF:leaf"; do
	IFS=: read -r cert cmd what <<<"$spec"
	if [ "$cert" = good2x ]; then
		# A leaf under root A: the intermediate's client is gone by now.
		cert=tl
		pp "$SSTPCTL" cert client --ca "$PKI/rootA" --cn leaf@sstp.test --out "$PKI/tl" >/dev/null
		cmd=${cmd/LEAF/$(tr_sha1 "$PKI/tl.crt")}
	fi
	# shellcheck disable=SC2086
	tr_cut "cut-$cert" "$cert" $cmd
	j=$TMP/cut-$cert.cut
	# Valid only if data was still flowing to it right up to the command.
	[ "$(jget "$j" "d['rc']")" = 0 ] && [ "$(jget "$j" "d['data_before'] >= 3")" = true ] &&
		[ "$(jget "$j" "d['data_after']")" = 0 ] &&
		[ "$(jget "$j" "d['bytes_after'] < 400")" = true ]
	result $? "$what revoked under traffic: no data packet passes after the command returns (last data $(jget "$j" "d['last_data_ms']") ms from the return, $(jget "$j" "d['data_before']") in the 0.3 s before, $(jget "$j" "d['data_after']") after, $(jget "$j" "d['bytes_after']") bytes after)" "$j"
	wait_pid "$TR_CUT_PID" 10
	grep -q '^down:' "$TMP/cut-$cert.out"
	result $? "  ...the stopped client, resumed, is told (down:) and exits" "$TMP/cut-$cert.out"
	stop_pid "$TR_CUT_PID"
done
n2 ping -c 2 -W 2 172.16.210.1 >"$TMP/tping.out" 2>&1 && kill -0 "$TG2C" 2>/dev/null
result $? "good2 (root A, no intermediate) untouched throughout: pings" "$TMP/tping.out"
stop_pid "$TG2C"
gw_down sstpgwt
result $? "sstpctl down sstpgwt" "$TMP/down.out"

# A change that cannot be stored is refused, and nothing changes.
UCONF=$SSTP_CONFDIR/trustu.conf
mkdir -p "$TRO"
if pp mount -t tmpfs -o size=1m,mode=0755 sstp-trust "$TRO"; then
	TR_MOUNTED=1
	mkdir -p "$TRO/roots"
	cp "$PKI/rootA/root.crt" "$TRO/roots/rootA.crt"
	printf '# kept by hand\n' >"$TRO/revoked"
	pp mount -o remount,ro "$TRO"
fi
result $? "a read-only mount for RevokedFile and RootCertificates"
write_config "$UCONF" Listen="$GW_IP:4461" Interface=sstpgwu Pool=172.16.211.0/24 \
	RootCertificates="$TRO/roots" Route= Clients.RevokedFile="$TRO/revoked"
CUR_LOG=$SSTP_LOGDIR/sstpgwu.log
gw_up "$UCONF"
result $? "sstpgwu starts with RevokedFile on it" "$TMP/up.out"
spawn "$NS_C1" "$TMP/tu.out" "$TMP/tu.err" "$SSTPCTL" connect "$GW_IP:4461" --ca "$CA" \
	--cert "$PKI/good1.crt" --key "$PKI/good1.key" --timeout 15 --interface sstpt1
TU=$SPAWNED
wait_up tu
result $? "good1 (not revoked on sstpgwu) connects" "$TMP/tu.out" "$TMP/tu.err"
pp "$SSTPCTL" revoke sstpgwu "$TP_good1" >"$TMP/turev.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "Read-only file system" "$TMP/turev.out"
result $? "revoke is refused with the reason: $(head -c 200 "$TMP/turev.out") (rc $rc)" "$TMP/turev.out"
pp "$SSTPCTL" revoked sstpgwu -j >"$TMP/turl.json" 2>&1
[ "$(jget "$TMP/turl.json" "'$TP_good1' not in [r['thumbprint'] for r in d['revoked']]")" = true ] &&
	show_ok sstpgwu "d['sessions_active'] == 1" && n1 ping -c 1 -W 2 172.16.211.1 >"$TMP/tping.out" 2>&1
result $? "  ...nothing changed: not in the list, the session is up and pings" "$TMP/turl.json" "$TMP/tping.out"
pp "$SSTPCTL" root add sstpgwu "$PKI/rootD/root.crt" >"$TMP/turadd.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "Read-only file system" "$TMP/turadd.out" &&
	pp "$SSTPCTL" -j root list sstpgwu >"$TMP/turl.json" 2>&1 &&
	[ "$(jget "$TMP/turl.json" "[r['thumbprint'] for r in d] == ['$TP_rA']")" = true ]
result $? "root add is refused with the reason, root D not trusted (rc $rc)" "$TMP/turadd.out"
pp "$SSTPCTL" root remove sstpgwu "$TP_rA" >"$TMP/turdel.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "Read-only file system" "$TMP/turdel.out" &&
	show_ok sstpgwu "d['sessions_active'] == 1 and d['roots'] == 1"
result $? "root remove is refused with the reason; root and session stay (rc $rc)" "$TMP/turdel.out"
stop_pid "$TU"
gw_down sstpgwu
result $? "sstpctl down sstpgwu" "$TMP/down.out"
[ "$TR_MOUNTED" = 1 ] && umount "$TRO"

# Thumbprints pasted as Windows' certificate dialog copies them (U+200E,
# lower-case pairs and spaces) are read by sstpctl with the one normaliser
# the daemon, the configuration and RevokedFile use: what it sends and
# prints is the upper-case thumbprint. Gateway sstpgwtv (port 4469, pool
# 172.16.219.0/24, its own roots and RevokedFile under $TR).
mkdir -p "$TR/vroots"
cp "$PKI/rootA/root.crt" "$TR/vroots/rootA.crt"
VCONF=$SSTP_CONFDIR/trustv.conf
write_config "$VCONF" Listen="$GW_IP:4469" Interface=sstpgwtv Pool=172.16.219.0/24 \
	RootCertificates="$TR/vroots" Route= Clients.RevokedFile="$TR/v-revoked"
CUR_LOG=$SSTP_LOGDIR/sstpgwtv.log
gw_up "$VCONF"
result $? "sstpgwtv starts" "$TMP/up.out"
lrm=$(printf '\342\200\216')
TP_good3=$(tr_sha1 "$PKI/good1.crt")
TP_rA256=$(pp "$SSTPCTL" cert thumbprint --sha256 "$PKI/rootA/root.crt")
pasted="$lrm$(echo "$TP_good3" | tr 'A-F' 'a-f' | sed 's/../& /g; s/ $//')"
pp "$SSTPCTL" -j revoke sstpgwtv "$pasted" >"$TMP/tvrev.json" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(jget "$TMP/tvrev.json" "d['revoked']")" = "$TP_good3" ] &&
	grep -qx "$TP_good3" "$TR/v-revoked" && tr_revoked_has_on sstpgwtv "$TP_good3" true
result $? "revoke -j of a pasted thumbprint (U+200E, lower case, spaces): it reports, stores and lists $TP_good3 (rc $rc)" "$TMP/tvrev.json" "$TR/v-revoked"
pasted="$lrm$(echo "$TP_good3" | tr 'A-F' 'a-f' | sed 's/../&: /g; s/: $//')"
pp "$SSTPCTL" -j unrevoke sstpgwtv "$pasted" >"$TMP/tvunrev.json" 2>&1
rc=$?
[ $rc -eq 0 ] && [ "$(jget "$TMP/tvunrev.json" "d['unrevoked']")" = "$TP_good3" ] &&
	tr_revoked_has_on sstpgwtv "$TP_good3" false
result $? "unrevoke -j of it written with colons and spaces: $TP_good3 withdrawn (rc $rc)" "$TMP/tvunrev.json"
pasted="$lrm$(echo "$TP_rA256" | tr 'A-F' 'a-f' | sed 's/../&: /g; s/: $//')"
pp "$SSTPCTL" root remove sstpgwtv "$pasted" >"$TMP/tvrdel.out" 2>&1
rc=$?
[ $rc -eq 0 ] && show_ok sstpgwtv "d['roots'] == 0"
result $? "root remove of root A by its pasted SHA-256 thumbprint (${#pasted} bytes): no root left (rc $rc)" "$TMP/tvrdel.out"
pp "$SSTPCTL" revoke sstpgwtv "${lrm}a9 zz" >"$TMP/tvbad.out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "not a SHA-1" "$TMP/tvbad.out"
result $? "revoke of a non-thumbprint is a usage error, said by sstpctl (rc $rc)" "$TMP/tvbad.out"
gw_down sstpgwtv
result $? "sstpctl down sstpgwtv" "$TMP/down.out"
CUR_LOG=
case_end
