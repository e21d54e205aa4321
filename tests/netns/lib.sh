# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared by tests/netns.sh and tests/bench: three network namespaces, a test
# PKI, gateway configurations, background processes and their cleanup.
#
# Topology (every name carries the shell's PID so runs do not collide):
#
#   ns gw:  br0 10.99.0.1/24, ports vc1 and vc2; the gateways listen here
#   ns c1:  eth0 10.99.0.2/24 (veth peer of vc1)
#   ns c2:  eth0 10.99.0.3/24 (veth peer of vc2)
#
# Nothing leaves these namespaces: the only addresses used are 10.99.0.0/24
# on the bridge and the gateways' pools on their TUN devices.

# A library: most of its variables are for the scripts that source it.
# shellcheck disable=SC2034
VERBOSE=${VERBOSE:-0}
PYTHON=${PYTHON:-python3}
# The interpreter itself rather than a launcher shim (pyenv's costs most of
# a second a start on a busy machine, and the tests start Python often).
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)' 2>/dev/null || echo "$PYTHON")

NS_GW=sstp-gw-$$
NS_C1=sstp-c1-$$
NS_C2=sstp-c2-$$
GW_IP=10.99.0.1
C1_IP=10.99.0.2
C2_IP=10.99.0.3

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BG_PIDS=()
TOPO_UP=0

# Echo a command when VERBOSE=1, then run it. The echo goes to the script's
# own stderr (fd 9), not to wherever the command's stderr is redirected.
exec 9>&2
pp()
{
	if [ "$VERBOSE" = 1 ]; then
		printf '[+] %s\n' "$*" >&9
	fi
	"$@" 9>&-
}

n0() { pp ip netns exec "$NS_GW" "$@"; }
n1() { pp ip netns exec "$NS_C1" "$@"; }
n2() { pp ip netns exec "$NS_C2" "$@"; }

now() { date +%s.%N; }
# Seconds since $1, one decimal.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# lib_init BUILD_DIR: finds the binaries, makes the temp dir, sets the
# daemon's runtime directories.
lib_init()
{
	local build=$1

	SSTPD=$(cd "$build" 2>/dev/null && pwd)/sstpd
	SSTPCTL=$(cd "$build" 2>/dev/null && pwd)/sstpctl
	TMP=$(mktemp -d /tmp/sstp-netns.XXXXXX) || exit 1
	PKI=$TMP/pki
	export SSTP_RUNDIR=$TMP/run SSTP_LOGDIR=$TMP/log SSTP_CONFDIR=$TMP/conf
	# Revocations of gateways without a RevokedFile (never /var/lib/sstp).
	export SSTP_STATEDIR=$TMP/state
	mkdir -p "$SSTP_RUNDIR" "$SSTP_LOGDIR" "$SSTP_CONFDIR" "$PKI"
	chmod 0700 "$SSTP_RUNDIR"
	# 1,000 sessions need more descriptors than the usual 1,024.
	ulimit -n 65536 2>/dev/null || ulimit -n 4096 2>/dev/null || true
}

# spawn NS OUT ERR CMD...: run CMD in the background inside NS, stdout to OUT
# and stderr to ERR. The PID (that of the command itself: ip netns exec
# executes it in place) is left in SPAWNED and remembered for cleanup.
spawn()
{
	local ns=$1 out=$2 err=$3

	shift 3
	if [ "$VERBOSE" = 1 ]; then
		printf '[+] (%s, background) %s\n' "$ns" "$*" >&9
	fi
	ip netns exec "$ns" "$@" >"$out" 2>"$err" </dev/null 9>&- &
	SPAWNED=$!
	BG_PIDS+=("$SPAWNED")
}

# wait_pid PID SECONDS: wait for a child to exit; its status ends up in
# WAITED (124 if it was still running when the time was up).
wait_pid()
{
	local pid=$1 secs=$2 i

	for ((i = 0; i < secs * 10; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid" 2>/dev/null
			WAITED=$?
			return 0
		fi
		sleep 0.1
	done
	WAITED=124
	return 1
}

# stop_pid PID: SIGTERM, then SIGKILL after 3 s.
stop_pid()
{
	local pid=$1

	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	wait_pid "$pid" 3 && return 0
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# wait_file FILE REGEX SECONDS: 0 once a line of FILE matches.
wait_file()
{
	local f=$1 re=$2 secs=$3 i

	for ((i = 0; i < secs * 10; i++)); do
		grep -Eq -- "$re" "$f" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

ns_kill_all()
{
	local ns=$1 p i

	ip netns pids "$ns" >/dev/null 2>&1 || return 0
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null
	done
	for ((i = 0; i < 30; i++)); do
		[ -z "$(ip netns pids "$ns" 2>/dev/null)" ] && return 0
		sleep 0.1
	done
	for p in $(ip netns pids "$ns" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
}

# Every process we started, every process left in our namespaces, the
# namespaces, the temp dir (kept with KEEP=1).
lib_cleanup()
{
	local p ns

	set +e
	for p in "${BG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for ns in "$NS_C1" "$NS_C2" "$NS_GW"; do
		ns_kill_all "$ns"
	done
	for p in "${BG_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ "$TOPO_UP" = 1 ]; then
		for ns in "$NS_C1" "$NS_C2" "$NS_GW"; do
			ip netns del "$ns" 2>/dev/null
		done
	fi
	if [ -n "${TMP:-}" ] && [ -d "$TMP" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "# kept $TMP" >&2
		else
			rm -rf "$TMP"
		fi
	fi
}

topo_up()
{
	local ns i

	TOPO_UP=1
	for ns in "$NS_GW" "$NS_C1" "$NS_C2"; do
		pp ip netns add "$ns" || return 1
		pp ip -n "$ns" link set lo up || return 1
	done
	pp ip -n "$NS_GW" link add br0 type bridge || return 1
	pp ip -n "$NS_GW" addr add "$GW_IP/24" dev br0 || return 1
	pp ip -n "$NS_GW" link set br0 up || return 1
	for i in 1 2; do
		ns=$NS_C1
		[ "$i" = 2 ] && ns=$NS_C2
		pp ip -n "$NS_GW" link add "vc$i" type veth peer name eth0 || return 1
		pp ip -n "$NS_GW" link set eth0 netns "$ns" || return 1
		pp ip -n "$NS_GW" link set "vc$i" master br0 up || return 1
		pp ip -n "$ns" addr add "10.99.0.$((i + 1))/24" dev eth0 || return 1
		pp ip -n "$ns" link set eth0 up || return 1
	done
	# The bridge has no STP: its ports forward at once. Wait for carrier.
	for ((i = 0; i < 50; i++)); do
		n1 ping -c 1 -W 1 "$GW_IP" >/dev/null 2>&1 &&
			n2 ping -c 1 -W 1 "$GW_IP" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# pki_make: root A (trusted), root B (not), a server certificate for gw.test
# and 10.99.0.1, and the clients the tests use. Thumbprints end up in TP_<label>
# and common names in CN_<label> (labels with - spelt _). The common names
# avoid the words the refusal reasons use, so that a log line holding a name
# does not match a reason by accident.
pki_make()
{
	local label v

	declare -gA CN_OF=(
		[good1]=good1@sstp.test [good2]=good2@sstp.test
		[revoked]=banned@sstp.test [unknown-root]=alien@sstp.test
		[expired]=outdated@sstp.test [no-eku]=plain@sstp.test
	)
	pp "$SSTPCTL" cert root --cn "SSTP Test Root A" --out "$PKI/rootA" >/dev/null || return 1
	pp "$SSTPCTL" cert root --cn "SSTP Test Root B" --out "$PKI/rootB" >/dev/null || return 1
	pp "$SSTPCTL" cert server --ca "$PKI/rootA" --cn gw.test --dns gw.test \
		--ip "$GW_IP" --out "$PKI/server" >/dev/null || return 1
	for label in good1 good2 revoked; do
		pp "$SSTPCTL" cert client --ca "$PKI/rootA" --cn "${CN_OF[$label]}" \
			--out "$PKI/$label" >/dev/null || return 1
	done
	pp "$SSTPCTL" cert client --ca "$PKI/rootB" --cn "${CN_OF[unknown-root]}" \
		--out "$PKI/unknown-root" >/dev/null || return 1
	pp "$SSTPCTL" cert client --ca "$PKI/rootA" --cn "${CN_OF[expired]}" \
		--valid-from -172800 --valid-to -86400 --out "$PKI/expired" >/dev/null || return 1
	pp "$SSTPCTL" cert client --ca "$PKI/rootA" --cn "${CN_OF[no-eku]}" \
		--no-eku --out "$PKI/no-eku" >/dev/null || return 1
	mkdir -p "$PKI/roots"
	cp "$PKI/rootA/root.crt" "$PKI/roots/rootA.crt"
	for label in "${!CN_OF[@]}"; do
		v=${label//-/_}
		printf -v "CN_$v" '%s' "${CN_OF[$label]}"
		printf -v "TP_$v" '%s' "$(pp "$SSTPCTL" cert thumbprint "$PKI/$label.crt")"
	done
	CA=$PKI/rootA/root.crt
}

# write_config FILE [Key=Value ...]: a gateway configuration from the test
# defaults; an empty value drops the key; Revoke and Route take several
# values separated by spaces.
write_config()
{
	local file=$1 kv k x

	shift
	declare -A v=(
		[Listen]=$GW_IP:4443 [Interface]=sstpgw0
		[Certificate]=$PKI/server.crt [PrivateKey]=$PKI/server.key
		[MaxSessions]=128 [MaxHandshakes]=64 [HandshakeTimeout]=10
		[NegotiationTimeout]=30 [HelloInterval]=60
		[RootCertificates]=$PKI/roots [Revoke]=${TP_revoked:-}
		[Pool]=172.16.201.0/24 [DNS]="10.1.0.4, 10.1.0.5"
		[Route]=10.1.0.0/16 [MTU]=1400
	)
	# Section.Key=value: any other key, written into that section.
	declare -A extra=()
	for kv; do
		k=${kv%%=*}
		case $k in
		*.*) extra[${k%%.*}]+="${k#*.} = ${kv#*=}"$'\n' ;;
		*) v[$k]=${kv#*=} ;;
		esac
	done
	{
		echo "# written by tests/netns/lib.sh"
		echo "[Gateway]"
		for k in Listen Interface Certificate PrivateKey MaxSessions \
			 MaxHandshakes HandshakeTimeout NegotiationTimeout \
			 HelloInterval; do
			[ -n "${v[$k]}" ] && echo "$k = ${v[$k]}"
		done
		printf '%s' "${extra[Gateway]:-}"
		echo "[Clients]"
		echo "RootCertificates = ${v[RootCertificates]}"
		printf '%s' "${extra[Clients]:-}"
		for x in ${v[Revoke]}; do
			echo "Revoke = $x"
		done
		echo "[Network]"
		for k in Pool DNS; do
			[ -n "${v[$k]}" ] && echo "$k = ${v[$k]}"
		done
		for x in ${v[Route]}; do
			echo "Route = $x"
		done
		[ -n "${v[MTU]}" ] && echo "MTU = ${v[MTU]}"
		printf '%s' "${extra[Network]:-}"
	} >"$file"
	chmod 0600 "$file"
}

# gw_pid IFACE: the PID of the sstpd serving IFACE in the gw namespace.
gw_pid()
{
	local p

	for p in $(ip netns pids "$NS_GW" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = sstpd ] || continue
		# The configuration names the interface; match on it.
		grep -q "Interface = $1\$" "$(tr '\0' '\n' <"/proc/$p/cmdline" |
			sed -n '/^-c$/{n;p;}')" 2>/dev/null && { echo "$p"; return 0; }
	done
	return 1
}

# show_json IFACE OUT: sstpctl show -j into OUT; status of sstpctl. A failed
# request is tried up to four more times so that one flaky control-socket exchange does
# not fail every check that looks at the sessions; each failure is noted in
# CTL_FAILURES (tests/netns.sh checks the control socket on its own).
CTL_FAILURES=0
show_json()
{
	local i

	for i in 1 2 3 4 5; do
		pp "$SSTPCTL" show "$1" -j >"$2" 2>"$2.err" && return 0
		CTL_FAILURES=$((CTL_FAILURES + 1))
		[ "${CTL_QUIET:-0}" = 1 ] ||
			echo "# sstpctl show $1 -j failed: $(head -c 200 "$2.err")" >&2
		grep -q "no gateway is running" "$2.err" && return 1
		sleep 0.05
	done
	return 1
}

# jget FILE EXPR: evaluate a Python expression over the JSON in FILE (bound
# to d); prints the result, status 1 if it cannot.
jget()
{
	"$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        d = json.load(f)
    r = eval(sys.argv[2], {"d": d})
except Exception as e:
    print("jget: %s" % e, file=sys.stderr)
    sys.exit(1)
if isinstance(r, bool):
    print("true" if r else "false")
elif isinstance(r, (dict, list)):
    print(json.dumps(r))
else:
    print(r)
EOF
}

# rss_kib PID: VmRSS in KiB.
rss_kib()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
