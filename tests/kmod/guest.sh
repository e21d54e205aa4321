#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sstp.ko tests, run as root inside a test VM:
#
#   guest.sh [DIR]
#
# DIR holds sstp-kmod-test (default: the directory of this script); sstp.ko
# must be installed where modprobe finds it (a debug build, for the
# self-tests and the object counter). Results go to stdout, one a line:
# "ok - ...", "not ok - ...", "# ..." notes, and "kmod: N passed, N failed"
# at the end; the exit status is 1 if anything failed. Everything else
# (command output, the kernel log) goes to stderr.
#
# Topology: one sstp device with 10.200.0.1/16 and fd00:200::1/64; the
# sessions' peers are the test tool's own TLS client ends over loopback.
# For client sessions (any-source), 192.0.2.0/24 and 2001:db8:7::/64 stand
# for the networks behind the gateway, routed via its address.

set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

DIR=${1:-$(cd "$(dirname "$0")" && pwd)}
T=$DIR/sstp-kmod-test
LOG=${TMPDIR:-/tmp}/kmod
DEV=sstp0
N_OK=0
N_FAIL=0
mkdir -p "$LOG"

ok() { N_OK=$((N_OK + 1)); echo "ok - $*"; }
not_ok() { N_FAIL=$((N_FAIL + 1)); echo "not ok - $*"; }
note() { echo "# $*"; }
check() { local d=$1; shift; if "$@" >>"$LOG/cmd.log" 2>&1; then ok "$d"; else not_ok "$d"; fi; }
checknot() { local d=$1; shift; if "$@" >>"$LOG/cmd.log" 2>&1; then not_ok "$d"; else ok "$d"; fi; }

# tail_log FILE: the end of a log as notes.
tail_log() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/#   | /'; }

# run_tool DESC ARGS...: a scenario; its ok/not ok lines count as ours.
run_tool()
{
	local desc=$1 out=$LOG/$2-$3.log t0

	shift
	t0=$SECONDS
	"$T" "$@" >"$out" 2>&1
	report "$desc" "$out" $? "$t0"
}

# report DESC LOG STATUS T0: the ok/not ok lines of a tool's LOG as ours.
report()
{
	local desc=$1 out=$2 rc=$3 line

	note "$desc took $((SECONDS - $4)) s"
	while IFS= read -r line; do
		case $line in
		"ok - "*) N_OK=$((N_OK + 1)); echo "ok - $desc: ${line#ok - }" ;;
		"not ok - "*) N_FAIL=$((N_FAIL + 1)); echo "not ok - $desc: ${line#not ok - }" ;;
		"# "*) echo "# $desc: ${line#\# }" ;;
		esac
	done <"$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
		not_ok "$desc: tool exited with status $rc"
		tail_log "$out"
	fi
}

# wait_line FILE ERE SECONDS
wait_line()
{
	local i

	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

objects() { cat /sys/module/sstp/parameters/debug_sessions 2>/dev/null || echo -1; }

dev_up()
{
	ip link set "$1" up &&
		ip addr add 10.200.0.1/16 dev "$1" &&
		ip addr add fd00:200::1/64 dev "$1" nodad
}

is_sstp() { ip -d link show "$1" 2>/dev/null | grep -qw sstp; }
listed() { "$T" dev-list | grep -qw "$1"; }

# Only what the kernel logs from here on is checked (and nothing cleared).
DMESG0=$(dmesg | wc -l)
klog() { dmesg | tail -n +$((DMESG0 + 1)); }

# --- load
check "modprobe sstp" modprobe sstp
if klog | grep -q 'sstp: self-tests: pass'; then
	ok "module self-tests pass"
else
	not_ok "module self-tests pass"
	klog | grep sstp | sed 's/^/#   | /'
fi
if klog | grep -q 'sstp: SSTP data path .* loaded'; then
	ok "module announces itself"
else
	not_ok "module announces itself"
fi

# --- devices over generic netlink and rtnetlink
out=$("$T" dev-new sstpt0 2>>"$LOG/cmd.log")
check "dev-new over generic netlink ($out)" is_sstp sstpt0
check "dev-list shows it" listed sstpt0
check "dev-del over generic netlink" "$T" dev-del sstpt0
checknot "the device is gone" ip link show sstpt0
out=$("$T" dev-new 2>>"$LOG/cmd.log")
check "dev-new picks a name ($out)" is_sstp "${out#* }"
check "ip link del deletes a device made over netlink" ip link del "${out#* }"
check "ip link add type sstp" ip link add sstpt1 type sstp
check "dev-list shows it" listed sstpt1
check "dev-del deletes a device made by ip link" "$T" dev-del sstpt1
check "ip link add again" ip link add sstpt1 type sstp
check "ip link del" ip link del sstpt1
checknot "no sstp device left" sh -c "'$T' dev-list | grep -q ."

check "ip link add $DEV type sstp" ip link add "$DEV" type sstp
check "configure $DEV" dev_up "$DEV"
check "MTU up to 4087" ip link set "$DEV" mtu 4087
checknot "MTU 4088 refused" ip link set "$DEV" mtu 4088
ip link set "$DEV" mtu 1400

# --- scenarios on real kernel TLS sockets
run_tool api scenario api "$DEV"
run_tool traffic scenario traffic "$DEV"
check "routes via a gateway's address" sh -c \
	"ip route add 192.0.2.0/24 via 10.200.0.9 dev $DEV &&
	 ip -6 route add 2001:db8:7::/64 via fd00:200::9 dev $DEV"
run_tool client scenario client "$DEV"
ip route del 192.0.2.0/24 dev "$DEV"
ip -6 route del 2001:db8:7::/64 dev "$DEV"
run_tool teardown scenario teardown "$DEV"
run_tool malformed scenario malformed "$DEV" "${KMOD_FUZZ_ROUNDS:-40}"
run_tool many scenario many "$DEV" "${KMOD_SESSIONS:-200}"
run_tool churn scenario churn "$DEV" "${KMOD_CHURN:-25}"

# --- who may use the module, how much, and what the stack checks
run_tool "session limit" scenario limit "$DEV" "${KMOD_LIMIT:-8}"
run_tool checksums scenario csum "$DEV"
# Root of a user namespace owns its network namespace, not the module.
t0=$SECONDS
unshare -U -r -n sh -c "ip link set lo up && exec '$T' scenario unpriv 1" \
	>"$LOG/unpriv.log" 2>&1
report "user namespace" "$LOG/unpriv.log" $? "$t0"
checknot "ip link add type sstp refused in a user namespace" \
	unshare -U -r -n ip link add sstpx1 type sstp
# Session memory in the creator's memory cgroup (cgroup v2).
CG=/sys/fs/cgroup
if [ -f $CG/cgroup.controllers ] || mount -t cgroup2 none $CG 2>>"$LOG/cmd.log"; then
	echo +memory >$CG/cgroup.subtree_control 2>>"$LOG/cmd.log"
	mkdir -p $CG/kmodacct
	t0=$SECONDS
	sh -c 'echo $$ >'$CG'/kmodacct/cgroup.procs && exec "$0" scenario account "$1" "$2"' \
		"$T" "$DEV" "${KMOD_ACCOUNT:-128}" >"$LOG/account.log" 2>&1
	report accounting "$LOG/account.log" $? "$t0"
	rmdir $CG/kmodacct 2>>"$LOG/cmd.log"
else
	not_ok "cgroup2 mounted for the accounting test"
fi
objs=$(objects)
if [ "$objs" = 0 ]; then
	ok "session objects back to zero"
else
	not_ok "session objects back to zero ($objs)"
fi

# --- ping through the device, from the gateway side
"$T" serve "$DEV" 10.200.0.50 fd00:200::50 120 >"$LOG/serve.log" 2>&1 &
srv=$!
if wait_line "$LOG/serve.log" '^ready' 60; then
	check "ping through $DEV (IPv4)" ping -c 3 -W 3 10.200.0.50
	check "ping through $DEV (IPv6)" ping -6 -c 3 -W 3 fd00:200::50
	check "a 1372-byte ping" ping -c 2 -W 3 -s 1344 10.200.0.50
	checknot "no session, no answer" ping -c 1 -W 1 10.200.0.51
	ip route add 192.0.2.0/24 via 10.200.0.50 dev "$DEV"
	checknot "replies from behind a peer without any-source are dropped" \
		ping -c 1 -W 1 192.0.2.7
	ip route del 192.0.2.0/24 dev "$DEV"
else
	not_ok "serve attached a session"
	tail_log "$LOG/serve.log"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
replies=$(sed -n 's/^replies //p' "$LOG/serve.log")
if [ "${replies:-0}" -ge 8 ]; then
	ok "the peer answered $replies pings"
else
	not_ok "the peer answered ${replies:-no} pings"
	tail_log "$LOG/serve.log"
fi
if grep -Eq '^session .* drop-rpf [1-9]' "$LOG/serve.log"; then
	ok "and those replies are counted in rx-drop-rpf"
else
	not_ok "and those replies are counted in rx-drop-rpf"
	tail_log "$LOG/serve.log"
fi

# --- a client session: the peer is a gateway with networks behind it
"$T" serve "$DEV" 10.200.0.60 fd00:200::60 any-source 120 \
	>"$LOG/serve-gw.log" 2>&1 &
srv=$!
if wait_line "$LOG/serve-gw.log" '^ready' 60; then
	ip route add 192.0.2.0/24 via 10.200.0.60 dev "$DEV"
	ip -6 route add 2001:db8:7::/64 via fd00:200::60 dev "$DEV"
	check "ping a host behind the gateway (IPv4)" ping -c 3 -W 3 192.0.2.7
	check "ping a host behind the gateway (IPv6)" \
		ping -6 -c 3 -W 3 2001:db8:7::7
	check "ping the gateway itself" ping -c 1 -W 3 10.200.0.60
	check "the session dump shows any-source" \
		sh -c "'$T' sessions $DEV | grep -q ' any-source\$'"
	ip route del 192.0.2.0/24 dev "$DEV"
	ip -6 route del 2001:db8:7::/64 dev "$DEV"
else
	not_ok "serve attached a gateway session"
	tail_log "$LOG/serve-gw.log"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
replies=$(sed -n 's/^replies //p' "$LOG/serve-gw.log")
if [ "${replies:-0}" -ge 7 ] &&
	grep -Eq '^session .* drop-rpf 0 .*any-source$' "$LOG/serve-gw.log"; then
	ok "the gateway answered $replies pings, none dropped"
else
	not_ok "the gateway answered ${replies:-no} pings, none dropped"
	tail_log "$LOG/serve-gw.log"
fi
ip -s link show "$DEV" >>"$LOG/cmd.log" 2>&1

# --- device deletion with live sessions
t0=$SECONDS
"$T" hold "$DEV" 20 60 >"$LOG/hold-dev.log" 2>&1 &
hold=$!
if wait_line "$LOG/hold-dev.log" '^ready' 120; then
	check "ip link del with 20 live sessions" ip link del "$DEV"
else
	not_ok "hold attached sessions"
fi
wait "$hold"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) N_OK=$((N_OK + 1)); echo "ok - device deletion: ${line#ok - }" ;;
	"not ok - "*) N_FAIL=$((N_FAIL + 1)); echo "not ok - device deletion: ${line#not ok - }" ;;
	esac
done <"$LOG/hold-dev.log"
[ "$rc" -eq 0 ] || tail_log "$LOG/hold-dev.log"
note "device deletion took $((SECONDS - t0)) s"
objs=$(objects)
[ "$objs" = 0 ] && ok "no session objects after device deletion" ||
	not_ok "no session objects after device deletion ($objs)"

# --- network namespaces
nsx() { ip netns exec kt1 "$@"; }
ns_listed() { nsx "$T" dev-list | grep -qw sstpn0; }
ns_sessions() { [ "$(nsx "$T" sessions sstpn0 | wc -l)" = "$1" ]; }
if ip netns add kt1 2>>"$LOG/cmd.log"; then
	nsx ip link set lo up
	out=$(nsx "$T" dev-new sstpn0 2>>"$LOG/cmd.log")
	check "dev-new inside a namespace ($out)" nsx ip link show sstpn0
	checknot "its device is not seen outside" sh -c "'$T' dev-list | grep -qw sstpn0"
	check "but inside" ns_listed
	nsx ip link set sstpn0 up
	nsx ip addr add 10.200.0.1/16 dev sstpn0
	ifx=$(nsx cat /sys/class/net/sstpn0/ifindex)
	checknot "its index means nothing outside" "$T" sessions "$ifx"
	checknot "ip link set netns is refused" nsx ip link set sstpn0 netns 1
	# Not through nsx: $! must be the tool itself.
	ip netns exec kt1 "$T" hold sstpn0 5 60 >"$LOG/hold-ns.log" 2>&1 &
	hold=$!
	if wait_line "$LOG/hold-ns.log" '^ready' 60; then
		check "sessions in the namespace" ns_sessions 5
		kill -9 "$hold"
		wait "$hold" 2>/dev/null
		for ((i = 0; i < 50; i++)); do
			ns_sessions 0 && break
			sleep 0.2
		done
		check "killing their owner ends them" ns_sessions 0
	else
		not_ok "hold attached sessions in the namespace"
		kill "$hold"
	fi
	check "ip netns del" ip netns del kt1
	for ((i = 0; i < 50; i++)); do
		[ "$(objects)" = 0 ] && break
		sleep 0.2
	done
	objs=$(objects)
	[ "$objs" = 0 ] && ok "no session objects after the namespace" ||
		not_ok "no session objects after the namespace ($objs)"
else
	not_ok "ip netns add"
fi

# --- module unload with live sessions
out=$("$T" dev-new sstpu0 2>>"$LOG/cmd.log")
check "a device for the unload test ($out)" dev_up sstpu0
t0=$SECONDS
"$T" hold sstpu0 20 60 >"$LOG/hold-rmmod.log" 2>&1 &
hold=$!
if wait_line "$LOG/hold-rmmod.log" '^ready' 120; then
	check "rmmod with 20 live sessions" rmmod sstp
else
	not_ok "hold attached sessions"
fi
wait "$hold"
rc=$?
while IFS= read -r line; do
	case $line in
	"ok - "*) N_OK=$((N_OK + 1)); echo "ok - module unload: ${line#ok - }" ;;
	"not ok - "*) N_FAIL=$((N_FAIL + 1)); echo "not ok - module unload: ${line#not ok - }" ;;
	esac
done <"$LOG/hold-rmmod.log"
[ "$rc" -eq 0 ] || tail_log "$LOG/hold-rmmod.log"
note "module unload took $((SECONDS - t0)) s"
checknot "the module is gone" sh -c "lsmod | grep -qw sstp"
checknot "so is its device" ip link show sstpu0

# --- load on demand: by link kind, then by generic netlink family
check "ip link add loads the module" ip link add sstpa0 type sstp
check "ip link del" ip link del sstpa0
check "rmmod sstp" rmmod sstp
check "resolving the netlink family loads the module" "$T" dev-list
check "the module is there" sh -c "lsmod | grep -qw sstp"

# --- load again, use, unload
check "modprobe sstp again" modprobe sstp
check "ip link add after reload" ip link add "$DEV" type sstp
check "configure $DEV" dev_up "$DEV"
run_tool reload scenario api "$DEV"
"$T" serve "$DEV" 10.200.0.50 60 >"$LOG/serve2.log" 2>&1 &
srv=$!
if wait_line "$LOG/serve2.log" '^ready' 60; then
	check "ping through $DEV after reload" ping -c 2 -W 3 10.200.0.50
else
	not_ok "serve attached a session after reload"
fi
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null
check "rmmod sstp" rmmod sstp

# --- the kernel log
BAD='WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t|leaked|KASAN|UBSAN|corruption|unregister_netdevice: waiting'
if klog | grep -Eq "$BAD"; then
	not_ok "kernel log free of warnings"
	klog | grep -E -B2 -A12 "$BAD" | head -n 80 | sed 's/^/#   | /'
else
	ok "kernel log free of warnings"
fi
klog >"$LOG/dmesg.log" 2>&1
cat "$LOG/cmd.log" >&2

echo "kmod: $N_OK passed, $N_FAIL failed"
[ "$N_FAIL" -eq 0 ]
