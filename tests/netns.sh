#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# End-to-end tests: gateways in one network namespace, clients in two
# others, real TLS, EAP-TLS, TUN devices, ping and iperf3 through the tunnel,
# refusals of every kind, live revocation, limits, load mode.
#
#   tests/netns.sh [-b BUILD_DIR] [CASE...]    (needs root)
#   tests/netns.sh BUILD_DIR [CASE...]         (the same, older form)
#   tests/netns.sh --list                      (the cases, in running order)
#
# BUILD_DIR defaults to $BUILD, else build. A CASE is a file
# tests/netns/cases/CASE.sh, one group of checks that brings up the
# gateways and clients it needs and takes them down again. Case 0 (the
# namespaces and the PKI) always runs first; then the named cases, or
# without names all of them: those in CASE_ORDER below, then any other file
# in name order.
#
# VERBOSE=1 echoes every command; KEEP=1 keeps the temp dir (logs, PKI).
# Output: KTAP (tests/lib/ktap.sh): "ok N - ..." / "not ok N - ..." per
# check, "# ..." notes and timings, and as the last line
# "# netns: N passed, N failed". Exit status 1 if any check failed.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CASE_DIR=$HERE/netns/cases
# The cases that were written into this file once, in their old order (the
# first ones tell the story of one gateway); other files follow by name.
CASE_ORDER=(config sessions refusals revoke teardown maxsessions load crash
	    roots)

usage()
{
	echo "usage: tests/netns.sh [-b BUILD_DIR] [CASE...] | --list" >&2
	exit 2
}

# Every case, in running order.
all_cases()
{
	local c f

	for c in "${CASE_ORDER[@]}"; do
		[ -f "$CASE_DIR/$c.sh" ] && echo "$c"
	done
	for f in "$CASE_DIR"/*.sh; do
		[ -e "$f" ] || continue
		c=$(basename "$f" .sh)
		[[ " ${CASE_ORDER[*]} " == *" $c "* ]] || echo "$c"
	done
}

BUILD=${BUILD:-build}
ONLY_CASES=()
LIST=0
# The older form: a first argument that is a directory and no case.
if [ $# -gt 0 ] && [ -d "$1" ] && [ ! -f "$CASE_DIR/$1.sh" ]; then
	BUILD=$1
	shift
fi
while [ $# -gt 0 ]; do
	case $1 in
	-b) [ $# -ge 2 ] || usage; BUILD=$2; shift ;;
	--list | -l) LIST=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) ONLY_CASES+=("$1") ;;
	esac
	shift
done
if [ "$LIST" = 1 ]; then
	# Name and the first case_begin's title of each file.
	for c in $(all_cases); do
		printf '%-12s %s\n' "$c" "$(sed -n \
			's/^[[:space:]]*case_begin [^ ]* "\(.*\)"$/\1/p' \
			"$CASE_DIR/$c.sh" | head -n 1)"
	done
	exit 0
fi

# shellcheck source=tests/netns/lib.sh
. "$HERE/netns/lib.sh"
# shellcheck source=tests/lib/ktap.sh
. "$HERE/lib/ktap.sh"
PROBE=$HERE/netns/probe.py
ktap_begin netns

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
	ktap_note "total $(since "$T_START") s" >&7
	ktap_end >&7 && [ "$rc" -eq 0 ] && exit 0
	exit 1
}
trap finish EXIT
trap 'echo "# interrupted" >&8; KTAP_FAILED=$((KTAP_FAILED + 1)); exit 1' INT TERM

note() { ktap_note "$@"; }

# result STATUS DESCRIPTION [FILE...]: one "ok"/"not ok" line; on failure the
# tail of each FILE and of the current gateway log (CUR_LOG).
result()
{
	local rc=$1 desc=$2

	shift 2
	KTAP_TAIL=12 ktap_result "$rc" "$desc" "$@" ${CUR_LOG:+"$CUR_LOG"}
}

# check DESCRIPTION COMMAND...: result of running COMMAND.
check() { local d=$1; shift; "$@"; result $? "$d"; }

# case_begin NAME TITLE / case_end: a group of checks and its duration.
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

# show_wait IFACE PYEXPR SECS: by the clock, not by tries (one try costs a
# request and a Python start, which a loaded machine makes slow); at least
# one try.
show_wait()
{
	local end=$((${EPOCHREALTIME/[.,]/} + $3 * 1000000))

	while :; do
		show_ok "$1" "$2" && return 0
		[ "${EPOCHREALTIME/[.,]/}" -lt "$end" ] || return 1
		sleep 0.1
	done
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

# probe TAG MODE PORT [ARGS...]: probe.py from c2; output in $TMP/TAG.probe,
# local address in PEER.
probe()
{
	local tag=$1 mode=$2 port=$3

	shift 3
	n2 timeout 30 "$PYTHON" "$PROBE" "$mode" "$GW_IP" "$port" --ca "$CA" "$@" \
		>"$TMP/$tag.probe" 2>&1
	# shellcheck disable=SC2034 # read by the cases
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

# counter IFACE KEY: a top-level number of show -j (accepted, established,
# refused, over_limit, ...); empty if show fails.
counter()
{
	show_json "$1" "$TMP/counter.json" && jget "$TMP/counter.json" "d['$2']"
}

# counter_grew IFACE KEY BEFORE [N [SECS]]: KEY has grown by at least N
# (default 1) since BEFORE, within SECS (default 3).
counter_grew()
{
	show_wait "$1" "d['$2'] >= ${3:-0} + ${4:-1}" "${5:-3}"
}

# The gateway most cases use: sstpgw0 on :4443, pool 172.16.201.0/24, root A
# trusted and "revoked" revoked (write_config's defaults).
CONF0=
LOG0=

# gw0_start [Key=value...]: sstpgw0 from a fresh $CONF0 (the defaults and
# these keys); one check; its PID in GW0_PID, CUR_LOG on its log.
gw0_start()
{
	write_config "$CONF0" "$@"
	CUR_LOG=$LOG0
	gw_up "$CONF0"
	result $? "sstpctl up starts sstpgw0" "$TMP/up.out" || return 1
	# shellcheck disable=SC2034 # read by the cases
	GW0_PID=$(gw_pid sstpgw0)
}

# good1_up / good2_up: good1 from c1 (by name, --route 10.1.0.0/16) or good2
# from c2 (by address) on sstpgw0, TUN sstpc0 in both; output in
# $TMP/good1.* / good2.*; one check each. Address in A1 / A2, client PID in
# C1_PID / C2_PID.
good1_up()
{
	start_client good1 "$NS_C1" good1 4443 --name gw.test --interface sstpc0 \
		--route 10.1.0.0/16
	C1_PID=$CPID
	wait_up good1 && in_pool "$CADDR" 172.16.201
	result $? "good1 comes up from c1 (address ${CADDR:-none})" \
		"$TMP/good1.out" "$TMP/good1.err"
	# shellcheck disable=SC2034 # read by the cases
	A1=$CADDR
}
good2_up()
{
	start_client good2 "$NS_C2" good2 4443 --interface sstpc0
	C2_PID=$CPID
	wait_up good2 && in_pool "$CADDR" 172.16.201
	result $? "good2 comes up from c2 (address ${CADDR:-none})" \
		"$TMP/good2.out" "$TMP/good2.err"
	# shellcheck disable=SC2034 # read by the cases
	A2=$CADDR
}

# gw0_stop: the clients still running end, then sstpctl down sstpgw0 (one
# check).
gw0_stop()
{
	local p

	# Only our children still running (a reaped PID may have been reused).
	for p in ${C1_PID:-} ${C2_PID:-}; do
		jobs -p | grep -qx "$p" && stop_pid "$p"
	done
	C1_PID='' C2_PID=''
	gw_down sstpgw0
	result $? "sstpctl down sstpgw0" "$TMP/down.out"
	CUR_LOG=
}

# ---------------------------------------------------------------- setup

if [ "$(id -u)" != 0 ]; then
	result 1 "tests/netns.sh runs as root (network namespaces, TUN)"
	exit 1
fi
if [ ! -d "$BUILD" ]; then
	result 1 "build directory $BUILD exists (make, or -b DIR)"
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
for c in "${ONLY_CASES[@]}"; do
	# A name, not a path.
	if [[ ! $c =~ ^[A-Za-z0-9_-]+$ ]] || [ ! -f "$CASE_DIR/$c.sh" ]; then
		result 1 "case file tests/netns/cases/$c.sh exists (tests/netns.sh --list)"
		exit 1
	fi
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
	# shellcheck disable=SC2154 # pki_make sets TP_* by name
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

if [ ${#ONLY_CASES[@]} -eq 0 ]; then
	mapfile -t ONLY_CASES < <(all_cases)
fi
for c in "${ONLY_CASES[@]}"; do
	# shellcheck source=/dev/null
	. "$CASE_DIR/$c.sh"
done
