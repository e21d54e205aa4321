# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for cases/*.sh
#
# Guest side of tests/kmod/vm.sh: sstp.ko on its own, driven by the test
# tool sstp-kmod-test (/qemu/stage/sstp-kmod-test; sstp.ko, a debug build,
# is installed where modprobe finds it). Sourced by /qemu/main.sh
# (tests/qemu/guest/main.sh) before cases/*.sh. Command output and the
# kernel log go to the console; results are KTAP on the results port.
#
# Topology: one sstp device with 10.200.0.1/16 and fd00:200::1/64; the
# sessions' peers are the test tool's own TLS client ends over loopback.
# For client sessions (any-source), 192.0.2.0/24 and 2001:db8:7::/64 stand
# for the networks behind the gateway, routed via its address.
#
# stage_begin loads the module; every case that needs the device makes it
# (need_dev) when an earlier case has not, so each runs alone as well.
# Kernel command line: kmodfuzz, kmodsessions, kmodchurn, kmodlimit,
# kmodaccount (the scenarios' sizes).

# The optional cases, in the order they run (tests/qemu/lib.sh reads this).
STAGE_CASES="devices sessions stress policy ping lifecycle"

T=/qemu/stage/sstp-kmod-test
LOG=/tmp/kmod
DEV=sstp0
mkdir -p "$LOG"

KMOD_FUZZ_ROUNDS=$(qarg kmodfuzz)
KMOD_SESSIONS=$(qarg kmodsessions)
KMOD_CHURN=$(qarg kmodchurn)
KMOD_LIMIT=$(qarg kmodlimit)
KMOD_ACCOUNT=$(qarg kmodaccount)

ok() { ktap_result 0 "$*"; }
not_ok() { ktap_result 1 "$*"; }
note() { ktap_note "$@"; }
check()
{
	local d=$1

	shift
	"$@" >>"$LOG/cmd.log" 2>&1
	ktap_result $? "$d"
}
checknot()
{
	local d=$1

	shift
	! "$@" >>"$LOG/cmd.log" 2>&1
	ktap_result $? "$d"
}

# tail_log FILE [N]: the end of a log as notes.
tail_log() { tail -n "${2:-15}" "$1" 2>/dev/null | sed 's/^/#   | /' >>"$KTAP_OUT"; }

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
	tool_lines "$desc" "$out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$out"; then
		not_ok "$desc: tool exited with status $rc"
		tail_log "$out"
	fi
}

# tool_lines DESC LOG: the tool's "ok - ", "not ok - " and "# " lines.
tool_lines()
{
	local line

	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "$1: ${line#ok - }" ;;
		"not ok - "*) not_ok "$1: ${line#not ok - }" ;;
		"# "*) note "$1: ${line#\# }" ;;
		esac
	done <"$2"
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

# objects_zero WHAT: the module's session objects are back to 0.
objects_zero()
{
	local i objs

	for ((i = 0; i < 50; i++)); do
		[ "$(objects)" = 0 ] && break
		sleep 0.2
	done
	objs=$(objects)
	if [ "$objs" = 0 ]; then
		ok "$1"
	else
		not_ok "$1 ($objs)"
	fi
}

dev_up()
{
	ip link set "$1" up &&
		ip addr add 10.200.0.1/16 dev "$1" &&
		ip addr add fd00:200::1/64 dev "$1" nodad
}

is_sstp() { ip -d link show "$1" 2>/dev/null | grep -qw sstp; }
listed() { "$T" dev-list | grep -qw "$1"; }

# need_dev: the module loaded and $DEV configured (MTU 1400), made here
# when no earlier case did; a failure to make it is a failed check.
need_dev()
{
	is_sstp "$DEV" && return 0
	{
		modprobe sstp && ip link add "$DEV" type sstp && dev_up "$DEV" &&
			ip link set "$DEV" mtu 1400
	} >>"$LOG/cmd.log" 2>&1 && return 0
	not_ok "$DEV made and configured"
	return 1
}

# Only what the kernel logs from here on is checked (and nothing cleared).
DMESG0=$(dmesg | wc -l)
klog() { dmesg | tail -n +$((DMESG0 + 1)); }

# ---------------------------------------------------------------- stage

stage_begin()
{
	case_begin load "sstp.ko loads, self-tests"
	check "modprobe sstp" modprobe sstp
	if klog | grep -q 'sstp: self-tests: pass'; then
		ok "module self-tests pass"
	else
		not_ok "module self-tests pass"
		klog | grep sstp | sed 's/^/#   | /' >>"$KTAP_OUT"
	fi
	if klog | grep -q 'sstp: SSTP data path .* loaded'; then
		ok "module announces itself"
	else
		not_ok "module announces itself"
	fi
	case_end load
}

stage_end()
{
	local bad='WARNING:|BUG:|Oops|general protection|Call Trace|refcount_t|leaked|KASAN|UBSAN|corruption|unregister_netdevice: waiting'

	if klog | grep -Eq "$bad"; then
		not_ok "kernel log free of warnings"
		klog | grep -E -B2 -A12 "$bad" | head -n 80 |
			sed 's/^/#   | /' >>"$KTAP_OUT"
	else
		ok "kernel log free of warnings"
	fi
}

stage_logs()
{
	klog >"$LOG/dmesg.log" 2>&1
	echo "===== command output ($LOG/cmd.log)"
	cat "$LOG/cmd.log"
	echo "===== kernel log since the start"
	cat "$LOG/dmesg.log"
}
