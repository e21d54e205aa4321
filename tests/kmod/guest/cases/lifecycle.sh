# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case lifecycle: device deletion and module unload under live sessions,
# network namespaces, load on demand, reload.

nsx() { ip netns exec kt1 "$@"; }
ns_listed() { nsx "$T" dev-list | grep -qw sstpn0; }
ns_sessions() { [ "$(nsx "$T" sessions sstpn0 | wc -l)" = "$1" ]; }

case_lifecycle()
{
	local t0 hold rc out ifx i objs srv

	case_begin lifecycle "device deletion, namespaces, unload, reload"
	need_dev || { case_end lifecycle; return; }
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
	tool_lines "device deletion" "$LOG/hold-dev.log"
	[ "$rc" -eq 0 ] || tail_log "$LOG/hold-dev.log"
	note "device deletion took $((SECONDS - t0)) s"
	objs=$(objects)
	[ "$objs" = 0 ] && ok "no session objects after device deletion" ||
		not_ok "no session objects after device deletion ($objs)"

	# --- network namespaces
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
	tool_lines "module unload" "$LOG/hold-rmmod.log"
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
	case_end lifecycle
}
