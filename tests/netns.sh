#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests: a gateway in one network namespace, clients in two
# others, real TLS, EAP-TLS, TUN devices, ping and iperf3 through the tunnel,
# refusals of every kind, live revocation, limits, load mode.
#
#   tests/netns.sh [BUILD_DIR] [CASE...]   (default: build; needs root)
#
# CASE names a file tests/netns/cases/CASE.sh; given any, only case 0
# (topology and PKI) and those run. Without, cases 1-11 below run, then
# every file in tests/netns/cases/ in name order. A case file brings up the
# gateways it needs and takes them down again.
#
# VERBOSE=1 echoes every command; KEEP=1 keeps the temp dir (logs, PKI).
# Output: "ok N - ..." / "not ok N - ..." per check, "# ..." notes and
# timings, and as the last line "netns: N passed, N failed". Exit status 1
# if any check failed.

set -u
BUILD=${1:-build}
shift $(($# > 0 ? 1 : 0))
ONLY_CASES=("$@")
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/netns/lib.sh
. "$HERE/netns/lib.sh"
PROBE=$HERE/netns/probe.py

T=0
PASSED=0
FAILED=0
CUR_LOG=
T_START=$(now)

# The script's own stdout and stderr: a trap runs with the redirections of
# the command it interrupted, so the summary goes to these.
exec 7>&1 8>&2
finish()
{
	local rc=$?

	trap - INT TERM
	lib_cleanup >&7 2>&8
	echo "# total $(since "$T_START") s" >&7
	echo "netns: $PASSED passed, $FAILED failed" >&7
	[ "$FAILED" -eq 0 ] && [ "$rc" -eq 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'echo "# interrupted" >&8; FAILED=$((FAILED + 1)); exit 1' INT TERM

note() { echo "# $*"; }

# result STATUS DESCRIPTION [FILE...]: one "ok"/"not ok" line; on failure the
# tail of each FILE and of the current gateway log.
result()
{
	local rc=$1 desc=$2 f

	shift 2
	T=$((T + 1))
	if [ "$rc" -eq 0 ]; then
		PASSED=$((PASSED + 1))
		echo "ok $T - $desc"
		return 0
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $T - $desc"
	for f in "$@" ${CUR_LOG:+"$CUR_LOG"}; do
		[ -f "$f" ] || continue
		echo "#   --- tail of ${f#"$TMP"/}"
		tail -n 12 "$f" | sed 's/^/#   | /'
	done
	return 1
}

# check DESCRIPTION COMMAND...: result of running COMMAND.
check() { local d=$1; shift; "$@"; result $? "$d"; }

CASE_T0=
CASE_N=
case_begin()
{
	CASE_N=$1
	CASE_T0=$(now)
	note "case $1: $2"
}
case_end() { note "case $CASE_N took $(since "$CASE_T0") s"; }

# Lines of a log after line N.
log_after() { tail -n +"$(($2 + 1))" "$1" 2>/dev/null; }
log_lines() { wc -l <"$1" 2>/dev/null || echo 0; }

# log_wait LOG AFTER FIXED REGEX SECS: a line after line AFTER of LOG holds
# the fixed string FIXED and matches REGEX.
log_wait()
{
	local log=$1 after=$2 fixed=$3 re=$4 secs=$5 i

	for ((i = 0; i < secs * 10; i++)); do
		log_after "$log" "$after" | grep -F -- "$fixed" | grep -Eq -- "$re" &&
			return 0
		sleep 0.1
	done
	return 1
}

# start_client TAG NS CERT PORT [ARGS...]: sstpctl connect in the background;
# output in $TMP/TAG.out and TAG.err; PID in CPID.
start_client()
{
	local tag=$1 ns=$2 cert=$3 port=$4

	shift 4
	spawn "$ns" "$TMP/$tag.out" "$TMP/$tag.err" "$SSTPCTL" connect \
		"$GW_IP:$port" --ca "$CA" --cert "$PKI/$cert.crt" \
		--key "$PKI/$cert.key" --timeout 15 "$@"
	CPID=$SPAWNED
}

# wait_up TAG: the client printed its up: line; address in CADDR.
wait_up()
{
	CADDR=
	wait_file "$TMP/$1.out" '^up: ' 20 || return 1
	CADDR=$(sed -n 's/^up: .* address \([0-9.]*\) .*/\1/p' "$TMP/$1.out")
	[ -n "$CADDR" ]
}

# in_pool ADDR PREFIX: ADDR is PREFIX.2 .. PREFIX.254 (pools are /24 here).
in_pool()
{
	local a=$1 p=$2 last

	case $a in "$p".*) ;; *) return 1 ;; esac
	last=${a##*.}
	[ "$last" -ge 2 ] && [ "$last" -le 254 ]
}

# show_ok IFACE PYEXPR: sstpctl show -j of IFACE satisfies PYEXPR (over d).
SHOW=
show_ok()
{
	SHOW=$TMP/show.$1.json
	show_json "$1" "$SHOW" || return 1
	[ "$(jget "$SHOW" "$2")" = true ]
}

# show_wait IFACE PYEXPR SECS
show_wait()
{
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		show_ok "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}

# A session's field by address or peer.
sess_by_addr() { jget "$1" "[s for s in d['sessions'] if s['address'] == '$2'][0]['$3']"; }

ping_c1() { n1 ping -c "${2:-1}" -W 2 "${1:-172.16.201.1}" >"$TMP/ping.out" 2>&1; }

wait_pid_gone()
{
	local i

	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# gw_down IFACE: sstpctl down; if that fails the daemon is stopped by PID
# (after the failure has been reported) so that later cases can run.
gw_down()
{
	local pid rc

	pid=$(gw_pid "$1")
	n0 "$SSTPCTL" down "$1" >"$TMP/down.out" 2>&1
	rc=$?
	[ -n "$pid" ] && ! wait_pid_gone "$pid" && kill -TERM "$pid" 2>/dev/null
	return $rc
}

gw_up()
{
	n0 "$SSTPCTL" up "$1" >"$TMP/up.out" 2>&1
}

# ---------------------------------------------------------------- setup

if [ "$(id -u)" != 0 ]; then
	echo "netns.sh: needs root (network namespaces, TUN)" >&2
	exit 1
fi
lib_init "$BUILD"
for b in "$SSTPD" "$SSTPCTL"; do
	if [ ! -x "$b" ]; then
		result 1 "binary $b exists (run make first)"
		exit 1
	fi
done
for tool in ip ping iperf3 openssl "$PYTHON"; do
	command -v "$tool" >/dev/null || { result 1 "$tool is installed (tests/deps.sh)"; exit 1; }
done

case_begin 0 "topology and PKI"
check "namespaces $NS_GW, $NS_C1, $NS_C2 with a bridge; clients reach $GW_IP" topo_up ||
	exit 1
check "sstpctl cert makes two roots, a server and six clients" pki_make || exit 1
pki_checks()
{
	local fp

	fp=$(pp openssl x509 -in "$PKI/good1.crt" -noout -fingerprint -sha1 |
		sed 's/.*=//; s/://g')
	[ "$fp" = "$TP_good1" ] || { echo "# openssl $fp, sstpctl $TP_good1"; return 1; }
	[ "$(stat -c %a "$PKI/server.key")" = 600 ] || return 1
	pp openssl verify -CAfile "$PKI/rootA/root.crt" "$PKI/good1.crt" >/dev/null 2>&1 || return 1
	! pp openssl verify -CAfile "$PKI/rootA/root.crt" "$PKI/unknown-root.crt" >/dev/null 2>&1 || return 1
	! pp openssl x509 -in "$PKI/expired.crt" -noout -checkend 0 >/dev/null || return 1
	pp openssl x509 -in "$PKI/good1.crt" -noout -text | grep -q "TLS Web Client Authentication" || return 1
	! pp openssl x509 -in "$PKI/no-eku.crt" -noout -text | grep -q "Extended Key Usage" || return 1
	pp openssl x509 -in "$PKI/server.crt" -noout -text |
		grep -q "DNS:gw.test.*IP Address:$GW_IP\|IP Address:$GW_IP.*DNS:gw.test"
}
check "PKI: thumbprint = openssl SHA-1 fingerprint, key 0600, roots, expiry, EKU, SANs as intended" pki_checks
case_end

CONF0=$SSTP_CONFDIR/gw0.conf
LOG0=$SSTP_LOGDIR/sstpgw0.log
CONF1=$SSTP_CONFDIR/gw1.conf
LOG1=$SSTP_LOGDIR/sstpgw1.log
write_config "$CONF0"
# Short timers for the stalls and the negotiation timeout.
write_config "$CONF1" Listen=$GW_IP:4444 Interface=sstpgw1 \
	Pool=172.16.202.0/24 HandshakeTimeout=2 NegotiationTimeout=3 Route=

# Cases 1-11: one function, skipped when only named case files run.
builtin_cases()
{
# ---------------------------------------------------------------- case 1

case_begin 1 "gateway start and configuration refusals"
CUR_LOG=$LOG0
gw_up "$CONF0"
result $? "sstpctl up starts the gateway" "$TMP/up.out"
GW0_PID=$(gw_pid sstpgw0)
result $? "sstpd for sstpgw0 runs in $NS_GW (pid ${GW0_PID:-none})"
check "show -j: interface sstpgw0, 0 sessions, pool 172.16.201.0/24, address 172.16.201.1, 1 root" \
	show_ok sstpgw0 "d['interface'] == 'sstpgw0' and d['sessions_active'] == 0 and d['sessions'] == [] and d['pool'] == '172.16.201.0/24' and d['address'] == '172.16.201.1' and d['roots'] == 1"
n0 ip -4 addr show dev sstpgw0 >"$TMP/addr.out" 2>&1
grep -q "inet 172.16.201.1/24" "$TMP/addr.out"
result $? "TUN sstpgw0 exists with 172.16.201.1/24" "$TMP/addr.out"
check "control socket $SSTP_RUNDIR/sstpgw0.sock exists" test -S "$SSTP_RUNDIR/sstpgw0.sock"
# The kernel data path: this host normally has neither sstp.ko nor kTLS.
if [ -d /sys/module/sstp ]; then
	check "sstp.ko is loaded: show -j names the kernel device sstpgw0k" \
		show_ok sstpgw0 "d['kernel_interface'] == 'sstpgw0k' and d['kernel_sessions'] == 0"
else
	grep -q "kernel data path unavailable: the sstp kernel module is not loaded and could not be loaded" "$LOG0"
	result $? "without sstp.ko the gateway logs why the kernel data path is unavailable" "$LOG0"
	check "without sstp.ko show -j has kernel_interface null, 0 kernel sessions" \
		show_ok sstpgw0 "d['kernel_interface'] is None and d['kernel_sessions'] == 0"
fi
ctl_loop()
{
	local i bad=0

	for ((i = 0; i < 100; i++)); do
		pp "$SSTPCTL" show sstpgw0 -j >/dev/null 2>"$TMP/ctl.err" ||
			{ bad=$((bad + 1)); cp "$TMP/ctl.err" "$TMP/ctl.err.last"; }
	done
	[ $bad -eq 0 ] || { echo "#   $bad of 100 failed, last: $(cat "$TMP/ctl.err.last")"; return 1; }
}
check "100 consecutive sstpctl show requests all succeed" ctl_loop
gw_up "$CONF0"
[ $? -ne 0 ] && grep -q "already running" "$TMP/up.out"
result $? "a second sstpctl up for sstpgw0 is refused (already running)" "$TMP/up.out"

BAD=$SSTP_CONFDIR/overlap.conf
write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450 Route="10.1.0.0/16 172.16.0.0/16"
gw_up "$BAD"
rc=$?
[ $rc -ne 0 ] && grep -q "172.16.201.0/24" "$TMP/up.out" && grep -q "172.16.0.0/16" "$TMP/up.out"
result $? "Pool overlapping a Route is refused, naming both (rc $rc: $(head -c 160 "$TMP/up.out"))" "$TMP/up.out"
! n0 ip link show sstpgwx >/dev/null 2>&1 && [ ! -e "$SSTP_RUNDIR/sstpgwx.sock" ]
result $? "  ...and leaves no TUN device or control socket behind"

write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450
sed -i 's/^\[Gateway\]$/[Gateway]\nBogusKey = 1/' "$BAD"
line=$(grep -n '^BogusKey' "$BAD" | cut -d: -f1)
gw_up "$BAD"
rc=$?
[ $rc -ne 0 ] && grep -q "line $line" "$TMP/up.out" && grep -q "BogusKey" "$TMP/up.out"
result $? "an unknown key is refused naming line $line and the key (rc $rc: $(head -c 160 "$TMP/up.out"))" "$TMP/up.out"

write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450 Pool=10.99.0.128/25 Route=
n0 timeout 10 "$SSTPD" -c "$BAD" >"$TMP/sstpd.out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "overlaps" "$TMP/sstpd.out" && grep -q "10.99.0.0/24" "$TMP/sstpd.out"
result $? "a Pool overlapping a route of the namespace (10.99.0.0/24 on br0) is refused (rc $rc)" "$TMP/sstpd.out"
case_end

# ---------------------------------------------------------------- case 2

case_begin 2 "good1 from c1: address, ping both ways"
start_client good1 "$NS_C1" good1 4443 --name gw.test --interface sstpc0 --route 10.1.0.0/16
C1_PID=$CPID
wait_up good1
result $? "good1 prints an up: line" "$TMP/good1.out" "$TMP/good1.err"
A1=$CADDR
in_pool "$A1" 172.16.201
result $? "good1's address ${A1:-none} is in the pool 172.16.201.0/24 and not the gateway's"
grep -Eq '^up: interface sstpc0 address [0-9.]+ gateway 172\.16\.201\.1 dns 10\.1\.0\.4 10\.1\.0\.5( |$)' "$TMP/good1.out"
result $? "up: line names sstpc0, gateway 172.16.201.1, DNS 10.1.0.4 10.1.0.5" "$TMP/good1.out"
n1 ip -4 addr show dev sstpc0 2>&1 | grep -q "inet $A1 peer 172.16.201.1/32"
result $? "sstpc0 in c1 has $A1 peer 172.16.201.1"
n1 ip route show 10.1.0.0/16 2>&1 | grep -q "dev sstpc0"
result $? "--route 10.1.0.0/16 goes through sstpc0"
ping_c1 172.16.201.1 3
result $? "ping c1 -> 172.16.201.1 through the tunnel" "$TMP/ping.out"
n0 ping -c 3 -W 2 "${A1:-0.0.0.0}" >"$TMP/ping.out" 2>&1
result $? "ping gw -> $A1 (the reverse direction)" "$TMP/ping.out"
case_end

# ---------------------------------------------------------------- case 3

case_begin 3 "good2 from c2 at the same time"
# By IP address: the server certificate's IP SAN must match.
start_client good2 "$NS_C2" good2 4443 --interface sstpc0
C2_PID=$CPID
wait_up good2
result $? "good2 (connecting by IP address) prints an up: line" "$TMP/good2.out" "$TMP/good2.err"
A2=$CADDR
in_pool "$A2" 172.16.201 && [ "$A2" != "$A1" ]
result $? "good2's address ${A2:-none} is in the pool and differs from good1's $A1"
kill -0 "$C1_PID" 2>/dev/null
result $? "good1's client is still running"
ping_c1 172.16.201.1 2
result $? "good1 still pings" "$TMP/ping.out"
n2 ping -c 2 -W 2 172.16.201.1 >"$TMP/ping2.out" 2>&1
result $? "ping c2 -> 172.16.201.1" "$TMP/ping2.out"
show_ok sstpgw0 "d['sessions_active'] == 2 and len(d['sessions']) == 2"
result $? "show -j lists 2 sessions" "$SHOW"
for who in good1:"$A1" good2:"$A2"; do
	label=${who%%:*} addr=${who#*:}
	tpv=TP_$label cnv=CN_$label
	tp=$(sess_by_addr "$SHOW" "$addr" thumbprint 2>/dev/null)
	[ "$tp" = "${!tpv}" ]
	result $? "$label's session ($addr) has thumbprint ${!tpv} (show: ${tp:-none})" "$SHOW"
	subj=$(sess_by_addr "$SHOW" "$addr" subject 2>/dev/null)
	case $subj in *"CN=${!cnv}"* | *"CN = ${!cnv}"*) r=0 ;; *) r=1 ;; esac
	result $r "$label's subject names CN ${!cnv} (show: ${subj:-none})" "$SHOW"
	[ "$(sess_by_addr "$SHOW" "$addr" state)" = connected ] &&
		[ "$(sess_by_addr "$SHOW" "$addr" path)" = userspace ]
	result $? "$label: state connected, path userspace" "$SHOW"
	rx=$(sess_by_addr "$SHOW" "$addr" rx_bytes) tx=$(sess_by_addr "$SHOW" "$addr" tx_bytes)
	[ "${rx:-0}" -gt 0 ] && [ "${tx:-0}" -gt 0 ]
	result $? "$label: rx_bytes ${rx:-?} and tx_bytes ${tx:-?} > 0 after pings" "$SHOW"
done
peer1=$(sess_by_addr "$SHOW" "$A1" peer 2>/dev/null)
case $peer1 in "$C1_IP":*) r=0 ;; *) r=1 ;; esac
result $r "good1's session peer is c1's address ($peer1)" "$SHOW"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1 &&
	grep -q "$CN_good1" "$TMP/show.txt" && grep -q "$CN_good2" "$TMP/show.txt"
result $? "plain show lists both clients" "$TMP/show.txt"
case_end

# ---------------------------------------------------------------- case 4

case_begin 4 "iperf3 through the tunnel, both directions"
spawn "$NS_GW" "$TMP/iperf-s.out" "$TMP/iperf-s.err" iperf3 -s -B 172.16.201.1 -p 5201
IPERF_PID=$SPAWNED
for ((i = 0; i < 50; i++)); do
	n0 ss -ltn 2>/dev/null | grep -q "172.16.201.1:5201" && break
	sleep 0.1
done
for dir in up down; do
	args=()
	[ $dir = down ] && args=(-R)
	n1 timeout 30 iperf3 -c 172.16.201.1 -p 5201 -t 3 -J "${args[@]}" >"$TMP/iperf-$dir.json" 2>"$TMP/iperf-$dir.err"
	rc=$?
	bps=$(jget "$TMP/iperf-$dir.json" "d['end']['sum_received']['bits_per_second']" 2>/dev/null)
	mbps=$(awk -v b="${bps:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')
	[ $rc -eq 0 ] && awk -v b="${bps:-0}" 'BEGIN { exit !(b > 0) }'
	result $? "iperf3 c1 -> gw${args[*]:+ (-R)}: $mbps Mbit/s received (rc $rc)" "$TMP/iperf-$dir.err" "$TMP/iperf-$dir.json"
done
stop_pid "$IPERF_PID"
show_ok sstpgw0 "d['sessions_active'] == 2"
result $? "both sessions survive iperf3" "$SHOW"
case_end

# ---------------------------------------------------------------- case 5

case_begin 5 "refusals: certificates, garbage, framing, binding, stalls"
# Certificates, from c2 (good2's TUN is sstpc0 there; a refused client never
# gets as far as a TUN device, but give it its own name anyway).
for spec in "unknown-root:trusted root" "expired:expired" "no-eku:EKU" "revoked:revoked"; do
	label=${spec%%:*} reason=${spec#*:}
	cn=${CN_OF[$label]}
	before=$(log_lines "$LOG0")
	n2 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" \
		--cert "$PKI/$label.crt" --key "$PKI/$label.key" --name gw.test \
		--interface sstpr0 --timeout 10 >"$TMP/$label.out" 2>"$TMP/$label.err"
	rc=$?
	[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/$label.out" && [ -s "$TMP/$label.err" ]
	result $? "$label: client refused, exit 2 (rc $rc: $(head -c 120 "$TMP/$label.err"))" "$TMP/$label.out" "$TMP/$label.err"
	log_wait "$LOG0" "$before" "$cn" "$reason" 3
	result $? "$label: gateway log names $cn and \"$reason\""
	ping_c1
	result $? "$label: good1 still pings" "$TMP/ping.out"
done

# probe TAG MODE PORT [ARGS...]: probe.py from c2; output in $TMP/TAG.probe,
# local address in PEER.
probe()
{
	local tag=$1 mode=$2 port=$3

	shift 3
	n2 timeout 30 "$PYTHON" "$PROBE" "$mode" "$GW_IP" "$port" --ca "$CA" "$@" \
		>"$TMP/$tag.probe" 2>&1
	PEER=$(sed -n 's/^local //p' "$TMP/$tag.probe")
}
probe_bg()
{
	local tag=$1 mode=$2 port=$3

	shift 3
	spawn "$NS_C2" "$TMP/$tag.probe" "$TMP/$tag.probe.err" timeout 30 \
		"$PYTHON" "$PROBE" "$mode" "$GW_IP" "$port" --ca "$CA" "$@"
}
peer_of() { sed -n 's/^local //p' "$TMP/$1.probe"; }
gone_from_show() { show_wait "$1" "all(s['peer'] != '$2' for s in d['sessions'])" "$3"; }

before=$(log_lines "$LOG0")
probe http-garbage http-garbage 4443 --wait 5
grep -q '^http-status 4[0-9][0-9]' "$TMP/http-garbage.probe"
result $? "random bytes instead of HTTP: a 4xx answer ($(grep http-status "$TMP/http-garbage.probe"))" "$TMP/http-garbage.probe"
log_wait "$LOG0" "$before" "[$PEER]" "refused: HTTP [0-9]+" 3
result $? "  ...gateway logs an HTTP refusal for $PEER"
grep -q '^closed-by-peer' "$TMP/http-garbage.probe"
result $? "  ...and drops the connection" "$TMP/http-garbage.probe"

before=$(log_lines "$LOG0")
probe tcp-garbage tcp-garbage 4443 --wait 5
grep -q '^closed-by-peer' "$TMP/tcp-garbage.probe"
result $? "plain TCP garbage: connection dropped" "$TMP/tcp-garbage.probe"
log_wait "$LOG0" "$before" "[$PEER]" "TLS handshake failed" 3
result $? "  ...gateway logs a TLS handshake failure for $PEER"

before=$(log_lines "$LOG0")
probe truncated truncated 4443
grep -q '^http-status 200' "$TMP/truncated.probe"
result $? "truncated frame: HTTP 200 first" "$TMP/truncated.probe"
log_wait "$LOG0" "$before" "[$PEER]" "closed" 3 && gone_from_show sstpgw0 "$PEER" 3
result $? "  ...a 4095-byte header with 10 bytes then EOF: session closed and gone from show"

for mode in bad-version short-length; do
	before=$(log_lines "$LOG0")
	probe "$mode" "$mode" 4443 --wait 5
	grep -q '^http-status 200' "$TMP/$mode.probe" && grep -q '^closed-by-peer' "$TMP/$mode.probe"
	result $? "$mode: connection dropped after the HTTP 200" "$TMP/$mode.probe"
	log_wait "$LOG0" "$before" "[$PEER]" "invalid SSTP framing" 3
	result $? "  ...gateway logs \"invalid SSTP framing\" for $PEER"
done

before=$(log_lines "$LOG0")
probe maxframe maxframe 4443 --wait 6
grep -q '^control CALL_ABORT' "$TMP/maxframe.probe" && grep -q '^closed-by-peer' "$TMP/maxframe.probe"
result $? "a full 4095-byte data packet before CALL_CONNECT_REQUEST: CALL_ABORT, then closed" "$TMP/maxframe.probe"
log_wait "$LOG0" "$before" "[$PEER]" "abort|closed" 3 && gone_from_show sstpgw0 "$PEER" 3
result $? "  ...logged and gone from show"
ping_c1
result $? "good1 still pings after the garbage" "$TMP/ping.out"

# Timers, on the second gateway (HandshakeTimeout 2, NegotiationTimeout 3).
CUR_LOG=$LOG1
gw_up "$CONF1"
result $? "second gateway sstpgw1 (short timers) starts on :4444" "$TMP/up.out"
before=$(log_lines "$LOG1")
probe_bg binding bad-binding 4444 --wait 10
BIND_PID=$SPAWNED
wait_file "$TMP/binding.probe" '^sent CALL_CONNECTED' 10
result $? "bad binding: CALL_CONNECT_ACK received, CALL_CONNECTED with a garbage MAC sent" "$TMP/binding.probe"
t_cc=$(now)
PEER=$(peer_of binding)
show_ok sstpgw1 "any(s['peer'] == '$PEER' and s['address'] is None and s['state'] != 'connected' for s in d['sessions'])"
result $? "  ...the session waits unauthenticated: no address, not connected" "$SHOW"
gone_from_show sstpgw1 "$PEER" 8
rc=$?
gone=$(since "$t_cc")
result $rc "  ...gone from show ${gone} s after CALL_CONNECTED (limit 8 s, NegotiationTimeout 3)" "$TMP/binding.probe"
log_wait "$LOG1" "$before" "[$PEER]" "negotiation timed out|crypto binding" 3
result $? "  ...gateway logs \"negotiation timed out\" or \"crypto binding\""
log_after "$LOG1" "$before" | grep -F "[$PEER]" | grep -q ": up: "
result $((!$?)) "  ...and never brought the session up"
wait_pid "$BIND_PID" 15
grep -q '^abort status' "$TMP/binding.probe"
result $? "  ...the probe received CALL_ABORT ($(grep '^abort' "$TMP/binding.probe"))" "$TMP/binding.probe"

before=$(log_lines "$LOG1")
for mode in stall stall-hello stall-http; do
	probe_bg "$mode" "$mode" 4444 --wait 8
done
for mode in stall stall-hello stall-http; do
	wait_file "$TMP/$mode.probe" '^local ' 5
done
sleep 0.5
show_ok sstpgw1 "all(any(s['peer'] == p for s in d['sessions']) for p in '$(peer_of stall) $(peer_of stall-hello) $(peer_of stall-http)'.split())"
result $? "three stalled handshakes are listed by show meanwhile" "$SHOW"
for mode in stall stall-hello stall-http; do
	PEER=$(peer_of "$mode")
	wait_file "$TMP/$mode.probe" '^(closed-by-peer|still-open)' 10
	secs=$(sed -n 's/^closed-by-peer //p' "$TMP/$mode.probe")
	[ -n "$secs" ] && awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s <= 4.5) }'
	result $? "$mode: dropped after ${secs:-never} s (HandshakeTimeout 2)" "$TMP/$mode.probe"
	log_wait "$LOG1" "$before" "[$PEER]" "handshake timed out" 3
	result $? "  ...gateway logs \"handshake timed out\" for $PEER"
	gone_from_show sstpgw1 "$PEER" 2
	result $? "  ...and show no longer lists it" "$SHOW"
done

before=$(log_lines "$LOG1")
probe truncated-hold truncated-hold 4444 --wait 8
grep -q '^closed-by-peer' "$TMP/truncated-hold.probe"
result $? "a truncated frame held open does not wedge the session: closed by the gateway" "$TMP/truncated-hold.probe"
log_wait "$LOG1" "$before" "[$PEER]" "timed out|in time|abort" 3
result $? "  ...after the negotiation timer (log)"
show_ok sstpgw1 "d['sessions_active'] == 0"
result $? "sstpgw1 has no sessions left" "$SHOW"

CUR_LOG=$LOG0
ping_c1 172.16.201.1 2
result $? "after all refusals good1 still pings" "$TMP/ping.out"
show_ok sstpgw0 "d['sessions_active'] == 2 and sorted(s['address'] for s in d['sessions']) == sorted(['$A1', '$A2'])"
result $? "after all refusals sstpgw0 has exactly good1 and good2" "$SHOW"
kill -0 "$GW0_PID" 2>/dev/null
result $? "sstpd (pid $GW0_PID) is still running"
case_end

# ---------------------------------------------------------------- case 6

case_begin 6 "live revocation"
n0 "$SSTPCTL" revoke sstpgw0 not-a-thumbprint >"$TMP/revoke.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -qi "thumbprint" "$TMP/revoke.out"
result $? "revoke with a malformed thumbprint is an error (rc $rc)" "$TMP/revoke.out"
pp "$SSTPCTL" revoke sstpgw0 "$TP_good2" >"$TMP/revoke.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/revoke.out"
result $? "sstpctl revoke good2: 1 session ended ($(cat "$TMP/revoke.out"))" "$TMP/revoke.out"
wait_pid "$C2_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good2.out"
result $? "good2's client prints down: and exits 2 (rc $rc, $(grep '^down' "$TMP/good2.out"))" "$TMP/good2.out" "$TMP/good2.err"
ping_c1
result $? "good1 still pings" "$TMP/ping.out"
show_wait sstpgw0 "d['sessions_active'] == 1 and d['sessions'][0]['address'] == '$A1'" 3
result $? "show lists only good1" "$SHOW"
before=$(log_lines "$LOG0")
n2 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" --cert "$PKI/good2.crt" \
	--key "$PKI/good2.key" --interface sstpc0 --timeout 10 >"$TMP/good2b.out" 2>"$TMP/good2b.err"
rc=$?
[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/good2b.out"
result $? "good2 reconnecting is refused (rc $rc)" "$TMP/good2b.out" "$TMP/good2b.err"
log_wait "$LOG0" "$before" "$CN_good2" "revoked" 3
result $? "  ...gateway log names $CN_good2 and \"revoked\""
case_end

# ---------------------------------------------------------------- case 7

case_begin 7 "clean teardown"
show_ok sstpgw0 "True" >/dev/null
PEER1=$(sess_by_addr "$SHOW" "$A1" peer 2>/dev/null)
before=$(log_lines "$LOG0")
t0=$(now)
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
rc=$WAITED
result $rc "SIGTERM: good1's client exits 0 within 5 s (rc $rc after $(since "$t0") s; $(grep '^down' "$TMP/good1.out"))" "$TMP/good1.out" "$TMP/good1.err"
log_wait "$LOG0" "$before" "[$PEER1]" "disconnect" 3
result $? "gateway log shows $PEER1 disconnected"
show_wait sstpgw0 "d['sessions_active'] == 0 and d['sessions'] == []" 3
result $? "show lists 0 sessions" "$SHOW"
! n1 ip link show sstpc0 >/dev/null 2>&1
result $? "sstpc0 is gone from c1"
start_client good1b "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1b && in_pool "$CADDR" 172.16.201
result $? "good1 connects again (address ${CADDR:-none})" "$TMP/good1b.out" "$TMP/good1b.err"
ping_c1 172.16.201.1 2
result $? "  ...and pings" "$TMP/ping.out"
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
result "$WAITED" "  ...and exits 0 on SIGTERM again"
show_wait sstpgw0 "d['sessions_active'] == 0" 3
result $? "  ...0 sessions again" "$SHOW"
n0 "$SSTPCTL" down sstpgw0 >"$TMP/down.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "sstpgw0 is down" "$TMP/down.out"
result $? "sstpctl down sstpgw0 (rc $rc)" "$TMP/down.out"
wait_pid_gone "$GW0_PID"
result $? "sstpd (pid $GW0_PID) has exited"
# If down failed, stop it by its PID so that the cases after this one run.
kill -0 "$GW0_PID" 2>/dev/null && { kill -TERM "$GW0_PID"; wait_pid_gone "$GW0_PID"; }
! n0 ip link show sstpgw0 >/dev/null 2>&1
result $? "TUN sstpgw0 is gone"
[ ! -e "$SSTP_RUNDIR/sstpgw0.sock" ]
result $? "control socket is gone"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no gateway is running" "$TMP/show.txt"
result $? "show afterwards: no gateway is running (rc $rc)" "$TMP/show.txt"
grep -q "stopped" "$LOG0"
result $? "gateway log ends with \"stopped\""
case_end

# ---------------------------------------------------------------- case 8

case_begin 8 "MaxSessions"
CONF2=$SSTP_CONFDIR/gw2.conf
LOG2=$SSTP_LOGDIR/sstpgw2.log
CUR_LOG=$LOG2
write_config "$CONF2" Listen=$GW_IP:4445 Interface=sstpgw2 Pool=172.16.203.0/24 \
	MaxSessions=2 Route=
gw_up "$CONF2"
result $? "gateway sstpgw2 with MaxSessions = 2 starts on :4445" "$TMP/up.out"
spawn "$NS_C2" "$TMP/load2.out" "$TMP/load2.err" "$SSTPCTL" connect "$GW_IP:4445" \
	--ca "$CA" --cert "$PKI/good2.crt" --key "$PKI/good2.key" --load 2 --hold 6 -j
LOAD_PID=$SPAWNED
show_wait sstpgw2 "d['sessions_active'] == 2 and all(s['state'] == 'connected' for s in d['sessions'])" 10
result $? "two sessions up (load mode from c2)" "$SHOW" "$TMP/load2.err"
before=$(log_lines "$LOG2")
# Five tries: the gateway closes the connection at once, and how the client
# takes that (a message and exit 2, or death by SIGPIPE) depends on timing.
rcs=() ok3=0
for ((i = 0; i < 5; i++)); do
	n1 timeout 30 "$SSTPCTL" connect "$GW_IP:4445" --ca "$CA" --cert "$PKI/good1.crt" \
		--key "$PKI/good1.key" --interface sstpc0 --timeout 5 >"$TMP/third.out" 2>"$TMP/third.err"
	rc=$?
	rcs+=("$rc")
	[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/third.out" && [ -s "$TMP/third.err" ] &&
		ok3=$((ok3 + 1))
done
[ $ok3 -eq 5 ]
result $? "a third session is refused: 5 of 5 tries exit 2 with a message (exit codes: ${rcs[*]}; $(head -c 100 "$TMP/third.err"))" "$TMP/third.out" "$TMP/third.err"
log_wait "$LOG2" "$before" "$C1_IP" "MaxSessions" 3
result $? "  ...gateway log says MaxSessions"
show_ok sstpgw2 "d['sessions_active'] == 2 and d['over_limit'] >= 1"
result $? "  ...the two stay, over_limit counted" "$SHOW"
wait_pid "$LOAD_PID" 20
rc=$WAITED
[ $rc -eq 0 ] && [ "$(jget "$TMP/load2.out" "d['up'] == 2 and d['failed'] == 0")" = true ]
result $? "the load client held 2 sessions and ended cleanly (rc $rc: $(cat "$TMP/load2.out"))" "$TMP/load2.out" "$TMP/load2.err"
show_wait sstpgw2 "d['sessions_active'] == 0" 3
start_client third2 "$NS_C1" good1 4445 --name gw.test --interface sstpc0
C3_PID=$CPID
wait_up third2
result $? "with the slots free again, a new session comes up" "$TMP/third2.out" "$TMP/third2.err"
stop_pid "$C3_PID"
gw_down sstpgw2
result $? "sstpctl down sstpgw2" "$TMP/down.out"
case_end

# ---------------------------------------------------------------- case 9

case_begin 9 "load mode smoke"
CUR_LOG=$LOG0
# 20 sessions from one address with one certificate: above the defaults of
# MaxHandshakesPerSource and MaxSessionsPerCertificate.
write_config "$CONF0" Gateway.MaxHandshakesPerSource=32 \
	Gateway.MaxSessionsPerCertificate=32
gw_up "$CONF0"
result $? "sstpgw0 starts again after down" "$TMP/up.out"
spawn "$NS_C1" "$TMP/load20.out" "$TMP/load20.err" "$SSTPCTL" connect "$GW_IP:4443" \
	--ca "$CA" --cert "$PKI/good1.crt" --key "$PKI/good1.key" --name gw.test \
	--load 20 --ping 5 --hold 2 -j
LOAD_PID=$SPAWNED
show_wait sstpgw0 "d['sessions_active'] == 20 and sum(s['state'] == 'connected' for s in d['sessions']) == 20 and len(set(s['address'] for s in d['sessions'])) == 20" 15
result $? "show sees 20 connected sessions with 20 distinct addresses" "$SHOW"
wait_pid "$LOAD_PID" 40
rc=$WAITED
note "load: $(cat "$TMP/load20.out")"
[ $rc -eq 0 ] && [ "$(jget "$TMP/load20.out" "d['sessions'] == 20 and d['up'] == 20 and d['failed'] == 0")" = true ]
result $? "--load 20: all 20 up, none failed (rc $rc)" "$TMP/load20.out" "$TMP/load20.err"
[ "$(jget "$TMP/load20.out" "d['echo_sent'] > 0 and d['echo_received'] > 0")" = true ]
result $? "--ping 5: echo replies received ($(jget "$TMP/load20.out" "'%d sent, %d received' % (d['echo_sent'], d['echo_received'])" 2>/dev/null))" "$TMP/load20.out"
show_wait sstpgw0 "d['sessions_active'] == 0" 5
result $? "all 20 sessions gone after the run" "$SHOW"
gw_down sstpgw0
result $? "sstpctl down sstpgw0" "$TMP/down.out"
gw_down sstpgw1
result $? "sstpctl down sstpgw1" "$TMP/down.out"
case_end

# ---------------------------------------------------------------- case 10

case_begin 10 "gateway stopping or dying under a live client"
gw_up "$CONF0"
result $? "sstpgw0 starts" "$TMP/up.out"
GW0_PID=$(gw_pid sstpgw0)
start_client good1c "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1c && ping_c1
result $? "good1 up and pinging" "$TMP/good1c.out" "$TMP/good1c.err" "$TMP/ping.out"
before=$(log_lines "$LOG0")
gw_down sstpgw0
result $? "sstpctl down with a live session" "$TMP/down.out"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good1c.out"
result $? "  ...the client is told: down: and exit 2 (rc $rc; $(grep '^down' "$TMP/good1c.out"))" "$TMP/good1c.out" "$TMP/good1c.err"
log_wait "$LOG0" "$before" "disconnecting" "stopping" 1
result $? "  ...gateway log: the session was disconnected because the gateway is stopping"

gw_up "$CONF0"
result $? "sstpgw0 starts again" "$TMP/up.out"
GW0_PID=$(gw_pid sstpgw0)
start_client good1d "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1d
result $? "good1 up" "$TMP/good1d.out" "$TMP/good1d.err"
pp kill -KILL "$GW0_PID"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good1d.out"
result $? "sstpd killed (SIGKILL): the client prints down: and exits 2 within 5 s (rc $rc; $(grep '^down' "$TMP/good1d.out"))" "$TMP/good1d.out" "$TMP/good1d.err"
! n1 ip link show sstpc0 >/dev/null 2>&1
result $? "  ...and its TUN device is gone"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no gateway is running" "$TMP/show.txt"
result $? "show after the crash: no gateway is running (rc $rc)" "$TMP/show.txt"
gw_up "$CONF0"
result $? "sstpctl up after the crash (stale control socket) works" "$TMP/up.out"
gw_down sstpgw0
result $? "sstpctl down sstpgw0" "$TMP/down.out"
case_end

# ---------------------------------------------------------------- case 11

case_begin 11 "trusted roots changed live; the client package"
gw_up "$CONF0"
result $? "sstpgw0 starts" "$TMP/up.out"
n0 "$SSTPCTL" -j root list sstpgw0 >"$TMP/roots.json" 2>&1
"$PYTHON" - "$TMP/roots.json" "$(pp "$SSTPCTL" cert thumbprint "$PKI/rootA/root.crt")" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if [r['thumbprint'] for r in d] == [sys.argv[2]] else 1)
PY
result $? "root list: exactly root A, by thumbprint" "$TMP/roots.json"
n1 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" --cert "$PKI/unknown-root.crt" \
	--key "$PKI/unknown-root.key" --name gw.test --timeout 10 >"$TMP/alien1.out" 2>"$TMP/alien1.err"
rc=$?
[ $rc -eq 2 ] && grep -q "refused the certificate" "$TMP/alien1.err"
result $? "a client of root B is refused, and told so (rc $rc: $(cat "$TMP/alien1.err"))" "$TMP/alien1.err"
n0 "$SSTPCTL" root add sstpgw0 "$PKI/good1.crt" >"$TMP/rootadd.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "not a CA" "$TMP/rootadd.out"
result $? "root add of a client certificate is refused: not a CA (rc $rc)" "$TMP/rootadd.out"
n0 "$SSTPCTL" root add sstpgw0 "$PKI/rootB/root.crt" >"$TMP/rootadd.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 root(s) trusted" "$TMP/rootadd.out"
result $? "root add root B (rc $rc: $(cat "$TMP/rootadd.out"))" "$TMP/rootadd.out"
start_client alien2 "$NS_C1" unknown-root 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up alien2 && ping_c1
result $? "the client of root B now comes up and pings" "$TMP/alien2.out" "$TMP/alien2.err" "$TMP/ping.out"
before=$(log_lines "$LOG0")
TP_rootB=$(pp "$SSTPCTL" cert thumbprint "$PKI/rootB/root.crt")
n0 "$SSTPCTL" root remove sstpgw0 "$TP_rootB" >"$TMP/rootdel.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/rootdel.out"
result $? "root remove root B ends its 1 live session (rc $rc: $(cat "$TMP/rootdel.out"))" "$TMP/rootdel.out"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/alien2.out"
result $? "  ...its client prints down: and exits 2 (rc $rc)" "$TMP/alien2.out" "$TMP/alien2.err"
log_wait "$LOG0" "$before" "no longer trusted" "" 2
result $? "  ...gateway log: the root is no longer trusted"
n0 "$SSTPCTL" root remove sstpgw0 "$TP_rootB" >"$TMP/rootdel.out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no trusted root" "$TMP/rootdel.out"
result $? "removing it again: no trusted root has that thumbprint (rc $rc)" "$TMP/rootdel.out"

pp "$SSTPCTL" package "$CONF0" --name gw.test --out "$TMP/pkg" >"$TMP/pkg.out" 2>&1
rc=$?
[ $rc -eq 0 ] && cmp -s "$TMP/pkg/gateway-ca.crt" "$PKI/rootA/root.crt" &&
	grep -q "Add-VpnConnection -Name 'gw.test' -ServerAddress 'gw.test:4443' -TunnelType Sstp" "$TMP/pkg/windows-install.ps1" &&
	grep -q "New-EapConfiguration -Tls -UserCertificate" "$TMP/pkg/windows-install.ps1"
result $? "package: the gateway's CA and a Windows SSTP + EAP-TLS setup (rc $rc)" "$TMP/pkg.out" "$TMP/pkg/windows-install.ps1"
# The Linux script, pointed at the gateway's address instead of its name.
sed "s/'gw.test:4443'/'$GW_IP:4443' --name gw.test --interface sstpc0/" \
	"$TMP/pkg/linux-connect.sh" >"$TMP/pkg/connect-ip.sh"
chmod +x "$TMP/pkg/connect-ip.sh"
spawn "$NS_C1" "$TMP/pkgc.out" "$TMP/pkgc.err" env PATH="$(dirname "$SSTPCTL"):$PATH" \
	"$TMP/pkg/connect-ip.sh" "$PKI/good1.crt" "$PKI/good1.key"
C1_PID=$SPAWNED
wait_up pkgc && ping_c1
result $? "package: linux-connect.sh brings good1 up and it pings" "$TMP/pkgc.out" "$TMP/pkgc.err" "$TMP/ping.out"
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
result $? "  ...and disconnects on SIGTERM"
gw_down sstpgw0
result $? "sstpctl down sstpgw0" "$TMP/down.out"
case_end
}

if [ ${#ONLY_CASES[@]} -eq 0 ]; then
	builtin_cases
	for f in "$HERE"/netns/cases/*.sh; do
		[ -e "$f" ] || continue
		# shellcheck source=/dev/null
		. "$f"
	done
else
	for c in "${ONLY_CASES[@]}"; do
		if [ ! -f "$HERE/netns/cases/$c.sh" ]; then
			result 1 "case file tests/netns/cases/$c.sh exists"
			continue
		fi
		# shellcheck source=/dev/null
		. "$HERE/netns/cases/$c.sh"
	done
fi
