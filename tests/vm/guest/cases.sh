#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/vm/run.sh. Runs as root inside the VM (started by
# /vm/init). Topology, all inside this guest:
#
#   ns gw:  vc1 10.99.1.1/24, vc2 10.99.2.1/24; sstpd listens on 0.0.0.0:4443,
#           its TUN sstpgw0 has 172.16.201.1 (pool 172.16.201.0/24)
#   ns c1:  eth0 10.99.1.2/24 (veth peer of vc1): our client, sstpctl connect
#   ns c2:  eth0 10.99.2.2/24 (veth peer of vc2): Debian's sstpc + pppd
#
# Cases (kernel command line vmcases=a,b,...): boot, ours, sstpc, ktls;
# vmbench=1 adds iperf3 through the tunnel. Results go to /dev/ttyS1, one a
# line: "ok - ...", "not ok - ...", "# ..." notes, "bench ..." figures and
# "vm-done" at the very end. Every log is copied to the console at the end.

set -u
export PATH=/usr/sbin:/usr/bin
export SSTP_RUNDIR=/run/sstp SSTP_LOGDIR=/tmp/logs SSTP_CONFDIR=/tmp/conf

CMDLINE=$(cat /proc/cmdline)
arg() { echo " $CMDLINE " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
CASES=$(arg vmcases)
BENCH=$(arg vmbench)
VM_ROUNDS=$(arg vmrounds)
KVER=$(uname -r)

L=/tmp/logs
PKI=/tmp/pki
CONF=/tmp/conf/gw.conf
CA=$PKI/root/root.crt
GW1=10.99.1.1
GW2=10.99.2.1
GW_IN=172.16.201.1
IFACE=sstpgw0
PORT=4443
mkdir -p "$L" "$PKI" /tmp/conf

exec 3>/dev/ttyS1
stty -F /dev/ttyS1 -opost 2>/dev/null

N_OK=0
N_FAIL=0

emit() { echo "$*" >&3; echo "vm| $*"; }
note() { emit "# $*"; }

# result STATUS DESCRIPTION [FILE...]: one ok/not ok line; on failure the
# tail of each FILE and of the current gateway log.
result()
{
	local rc=$1 desc=$2 f

	shift 2
	if [ "$rc" -eq 0 ]; then
		N_OK=$((N_OK + 1))
		emit "ok - $desc"
		return 0
	fi
	N_FAIL=$((N_FAIL + 1))
	emit "not ok - $desc"
	for f in "$@" ${GWLOG:+"$GWLOG"}; do
		[ -f "$f" ] || continue
		emit "#   --- tail of $f"
		# sstpc ends its log lines with a NUL byte.
		tail -n 15 "$f" | tr -d '\000\r' | sed 's/^/#   | /' >&3
	done
	return 1
}

check() { local d=$1; shift; "$@"; result $? "$d"; }

want() { case ",$CASES," in *",$1,"*) return 0 ;; esac; return 1; }

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

CASE_T0=
case_begin() { CASE_T0=$(now); note "case $1: $2"; }
case_end() { note "case $1 took $(since "$CASE_T0") s"; }

n0() { ip netns exec gw "$@"; }
n1() { ip netns exec c1 "$@"; }
n2() { ip netns exec c2 "$@"; }

# spawn NS OUT ERR CMD...: CMD in the background in NS; its PID (ip netns
# exec runs it in place) in SPAWNED.
spawn()
{
	local ns=$1 out=$2 err=$3

	shift 3
	if [ "$out" = "$err" ]; then
		ip netns exec "$ns" "$@" </dev/null >"$out" 2>&1 &
	else
		ip netns exec "$ns" "$@" </dev/null >"$out" 2>"$err" &
	fi
	SPAWNED=$!
}

# wait_file FILE ERE SECONDS
wait_file()
{
	local i

	for ((i = 0; i < $3 * 5; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# wait_gone PID SECONDS: the process has exited (zombies count as gone).
wait_gone()
{
	local i

	for ((i = 0; i < $2 * 5; i++)); do
		[ -d "/proc/$1" ] || return 0
		grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}

# running PID: the process exists and is not a zombie.
running()
{
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# reap PID: the exit status of a child that has finished; one still
# running is stopped and gives 124, so that no wait can hang the guest.
reap()
{
	if running "$1"; then
		stop_pid "$1"
		return 124
	fi
	wait "$1" 2>/dev/null
}

# stop_pid PID: SIGTERM, SIGKILL after 5 s, reap.
stop_pid()
{
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	wait_gone "$1" 5 || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# Lines of the gateway log after the mark set by gw_mark.
GWMARK=0
gw_mark() { GWMARK=$(wc -l <"$GWLOG" 2>/dev/null || echo 0); }
gw_since() { tail -n +"$((GWMARK + 1))" "$GWLOG" 2>/dev/null; }
# gw_wait ERE SECONDS: a gateway log line after the mark matches.
gw_wait()
{
	local i

	for ((i = 0; i < $2 * 5; i++)); do
		gw_since | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

# ---------------------------------------------------------------- setup

topo_up()
{
	local ns i

	for ns in gw c1 c2; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up || return 1
	done
	for i in 1 2; do
		ip link add "vc$i" netns gw type veth peer name eth0 netns "c$i" ||
			return 1
		ip -n gw addr add "10.99.$i.1/24" dev "vc$i" || return 1
		ip -n "c$i" addr add "10.99.$i.2/24" dev eth0 || return 1
		ip -n gw link set "vc$i" up || return 1
		ip -n "c$i" link set eth0 up || return 1
	done
	n1 ping -c 1 -W 5 "$GW1" >/dev/null && n2 ping -c 1 -W 5 "$GW2" >/dev/null
}

# Root, server (gw.test, 10.99.1.1), clients; thumbprints in TP_<label>.
pki_make()
{
	local label cn

	sstpctl cert root --cn "VM Test Root" --out "$PKI/root" || return 1
	sstpctl cert server --ca "$PKI/root" --cn gw.test --dns gw.test \
		--ip "$GW1" --out "$PKI/server" || return 1
	for label in ours:client1@vm.test eap:client2@vm.test \
		     banned:banned@vm.test live:client3@vm.test \
		     bench:bench@vm.test; do
		cn=${label#*:}
		label=${label%%:*}
		sstpctl cert client --ca "$PKI/root" --cn "$cn" \
			--out "$PKI/$label" || return 1
		printf -v "TP_$label" '%s' "$(sstpctl cert thumbprint "$PKI/$label.crt")"
	done
	mkdir -p "$PKI/roots" && cp "$CA" "$PKI/roots/root.crt"
}

# write_conf [LINE...]: the gateway configuration; extra LINEs go to the
# [Gateway] section.
write_conf()
{
	local line

	{
		echo "[Gateway]"
		echo "Listen = 0.0.0.0:$PORT"
		echo "Interface = $IFACE"
		echo "Certificate = $PKI/server.crt"
		echo "PrivateKey = $PKI/server.key"
		# TCG is slow: generous handshake and negotiation times.
		echo "HandshakeTimeout = 60"
		echo "NegotiationTimeout = 90"
		for line; do
			echo "$line"
		done
		echo "[Clients]"
		echo "RootCertificates = $PKI/roots"
		echo "Revoke = $TP_banned"
		echo "[Network]"
		echo "Pool = 172.16.201.0/24"
		echo "DNS = 10.1.0.4"
		echo "MTU = 1400"
	} >"$CONF"
	chmod 0600 "$CONF"
}

GWN=0
GWPID=
GWLOG=
# gw_start [LINE...]: sstpd -v in ns gw; waits for "gateway up".
gw_start()
{
	GWN=$((GWN + 1))
	GWLOG=$L/gw.$GWN.log
	write_conf "$@"
	cp "$CONF" "$L/gw.$GWN.conf"
	spawn gw "$L/gw.$GWN.out" "$L/gw.$GWN.out" sstpd -c "$CONF" -v -l "$GWLOG"
	GWPID=$SPAWNED
	GWMARK=0
	wait_file "$GWLOG" 'gateway up' 30 && [ -d "/proc/$GWPID" ]
}

gw_stop()
{
	local rc=0

	[ -n "$GWPID" ] || return 0
	if [ -d "/proc/$GWPID" ]; then
		n0 sstpctl down "$IFACE" >"$L/down.$GWN.out" 2>&1 || rc=1
		wait_gone "$GWPID" 15 || rc=1
	fi
	stop_pid "$GWPID"
	GWPID=
	return $rc
}

show_json() { n0 sstpctl show "$IFACE" -j >"$L/show.json" 2>"$L/show.err"; }
# show_has FIXED...: sstpctl show -j holds every FIXED string.
show_has()
{
	local s

	show_json || return 1
	for s; do
		grep -qF -- "$s" "$L/show.json" || return 1
	done
}

# session_field SUBJECT KEY: a field of the session of SUBJECT in show -j.
session_field()
{
	tr '{' '\n' <"$L/show.json" | grep -F "\"subject\":\"$1\"" |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

in_pool()
{
	case $1 in 172.16.201.*) ;; *) return 1 ;; esac
	[ "${1##*.}" -ge 2 ] && [ "${1##*.}" -le 254 ]
}

# ---------------------------------------------------------------- our client

CPID=
CADDR=
# client_start TAG CERT [ARGS...]: sstpctl connect in ns c1; waits for up.
client_start()
{
	local tag=$1 cert=$2

	shift 2
	spawn c1 "$L/$tag.out" "$L/$tag.err" sstpctl connect "$GW1:$PORT" \
		--name gw.test --ca "$CA" --cert "$PKI/$cert.crt" \
		--key "$PKI/$cert.key" --timeout 90 "$@"
	CPID=$SPAWNED
	CADDR=
	wait_file "$L/$tag.out" '^up: ' 100 || return 1
	CADDR=$(sed -n 's/^up: .* address \([0-9.]*\) .*/\1/p' "$L/$tag.out")
	in_pool "$CADDR"
}

case_ours()
{
	local path st

	case_begin ours "our client (sstpctl connect) to our gateway (sstpd)"
	check "ours: sstpd starts (gateway up)" gw_start || { case_end ours; return; }
	gw_mark
	client_start ours ours
	result $? "ours: sstpctl connect comes up with a pool address (${CADDR:-none})" \
		"$L/ours.out" "$L/ours.err"
	n1 ping -c 3 -W 5 "$GW_IN" >"$L/ours.ping1" 2>&1
	result $? "ours: ping client -> gateway $GW_IN through the tunnel" "$L/ours.ping1"
	n0 ping -c 3 -W 5 "${CADDR:-none}" >"$L/ours.ping2" 2>&1
	result $? "ours: ping gateway -> client ${CADDR:-?} through the tunnel" "$L/ours.ping2"
	gw_wait "up: CN=client1@vm.test .* at ${CADDR:-none}" 5
	result $? "ours: gateway log: up: CN=client1@vm.test at ${CADDR:-?}"
	show_has '"subject":"CN=client1@vm.test"' "\"address\":\"${CADDR:-none}\"" \
		'"state":"connected"'
	st=$?
	path=$(session_field CN=client1@vm.test path)
	result "$st" "ours: sstpctl show -j lists the session, connected (path ${path:-?})" \
		"$L/show.json" "$L/show.err"
	gw_mark
	kill -TERM "$CPID" 2>/dev/null
	wait_gone "$CPID" 15
	result $? "ours: the client exits on SIGTERM" "$L/ours.out" "$L/ours.err"
	reap "$CPID"
	result $? "ours: ... with status 0" "$L/ours.err"
	gw_wait 'closed: client disconnected' 10
	result $? "ours: gateway log: closed: client disconnected"
	show_has '"sessions_active":0'
	result $? "ours: no session left after the disconnect" "$L/show.json"
	check "ours: sstpctl down stops the gateway" gw_stop
	case_end ours
}

# ---------------------------------------------------------------- sstpc

SPID=
SADDR=
# sstpc_start TAG LABEL CN: Debian's sstpc + pppd in ns c2 with EAP-TLS,
# the pppd options NetworkManager-sstp passes (without remotename, so that
# pppd does not compare the inner server name), plus debug and a log file.
sstpc_start()
{
	local tag=$1 label=$2 cn=$3

	spawn c2 "$L/$tag.sstpc.log" "$L/$tag.sstpc.log" \
		sstpc --log-stderr --log-level 4 --ca-cert "$CA" "$GW2:$PORT" \
		nodetach nodefaultroute noipdefault usepeerdns \
		name "$cn" cert "$PKI/$label.crt" key "$PKI/$label.key" \
		ca "$CA" need-peer-eap noauth \
		mtu 1400 mru 1400 novj nobsdcomp nodeflate \
		debug logfile "$L/$tag.pppd.log"
	SPID=$SPAWNED
}

ppp_addr() { ip -n c2 -4 addr show dev ppp0 2>/dev/null | sed -n 's/.*inet \([0-9.]*\) .*/\1/p'; }

# wait_ppp SECONDS: ppp0 in ns c2 has a pool address (in SADDR).
wait_ppp()
{
	local i

	SADDR=
	for ((i = 0; i < $1 * 5; i++)); do
		SADDR=$(ppp_addr)
		[ -n "$SADDR" ] && break
		[ -d "/proc/$SPID" ] || break
		sleep 0.2
	done
	in_pool "$SADDR"
}

pppd_pids() { pidof pppd 2>/dev/null; }

# sstpc_gone SECONDS: sstpc and every pppd have exited.
sstpc_gone()
{
	local i

	for ((i = 0; i < $1 * 5; i++)); do
		if ! [ -d "/proc/$SPID" ] && [ -z "$(pppd_pids)" ]; then
			return 0
		fi
		if grep -q '^State:.*Z' "/proc/$SPID/status" 2>/dev/null &&
		   [ -z "$(pppd_pids)" ]; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

sstpc_stop()
{
	local p

	for p in $(pppd_pids); do
		kill -TERM "$p" 2>/dev/null
	done
	stop_pid "$SPID"
	for p in $(pppd_pids); do
		kill -KILL "$p" 2>/dev/null
	done
}

# sstpc_stalled TAG: sstpc runs but never got past the HTTP exchange. Seen
# with TLS 1.3 only (a few in a hundred): the gateway has answered (HTTP 200
# waits unread in sstpc's socket) but sstpc's epoll set no longer holds its
# TLS socket. Notes what shows it.
sstpc_stalled()
{
	local f

	running "$SPID" && ! grep -q 'Connect-Request' "$L/$1.sstpc.log" || return 1
	note "sstpc stalled before CALL_CONNECT_REQUEST; its socket: $(n2 ss -tno state established | tail -n +2 | tr -s ' ' | tr '\n' ' ')"
	for f in /proc/"$SPID"/fdinfo/*; do
		grep -q '^tfd' "$f" 2>/dev/null || continue
		note "sstpc epoll set (fd ${f##*/}): $(grep '^tfd' "$f" | tr -s ' \t' ' ' | tr '\n' ';') fds: $(ls -l /proc/"$SPID"/fd | sed -n 's/.* \([0-9]*\) -> \(socket.*\)/\1=\2/p' | tr '\n' ' ')"
	done
	return 0
}

# sstpc_up TAG LABEL CN: start, wait for ppp0, and report; UP=1 if it came up.
UP=0
sstpc_up()
{
	UP=0
	sstpc_start "$1" "$2" "$3"
	wait_ppp 120 && UP=1
	[ "$UP" = 1 ] || sstpc_stalled "$1"
	result $((1 - UP)) "sstpc: $1: pppd brings ppp0 up with a pool address (${SADDR:-none})" \
		"$L/$1.sstpc.log" "$L/$1.pppd.log"
}

# was_up: the session of this step came up (checks that need a live
# session fail, rather than pass by accident, when it did not).
was_up() { [ "$UP" = 1 ]; }

# term_pppd: SIGTERM to every pppd; fails if there was none.
term_pppd()
{
	local p pids

	pids=$(pppd_pids)
	[ -n "$pids" ] || return 1
	for p in $pids; do
		kill -TERM "$p"
	done
}

case_sstpc()
{
	local st tp rounds bad i

	case_begin sstpc "Debian sstpc $(sstpc --version 2>&1 | grep -o '[0-9][0-9.]*' | head -n 1) + pppd $(pppd --version 2>&1 | grep -o '[0-9][0-9.]*' | head -n 1), EAP-TLS with a client certificate"
	# Debian's sstpc 1.0.18 stalls now and then after a TLS 1.3 handshake
	# (it stops watching its socket with our HTTP answer unread; seen in
	# 1-3 sessions of 100, none with TLS 1.2): serve it TLS 1.2, as Windows
	# and cloud gateways use.
	check "sstpc: sstpd starts (gateway up, TLSMaxVersion = 1.2)" \
		gw_start "TLSMaxVersion = 1.2" || { case_end sstpc; return; }

	# 1. A session comes up; traffic both ways; listed; client-side end.
	gw_mark
	sstpc_up eap eap client2@vm.test
	gw_wait "up: CN=client2@vm.test .* at ${SADDR:-none}" 10
	result $? "sstpc: gateway log: crypto binding verified, up: CN=client2@vm.test at ${SADDR:-?}" \
		"$L/eap.sstpc.log" "$L/eap.pppd.log"
	! gw_since | grep -q 'crypto binding:'
	result $? "sstpc: gateway log has no crypto binding complaint"
	n2 ping -c 3 -W 5 "$GW_IN" >"$L/eap.ping1" 2>&1 && was_up
	result $? "sstpc: ping client -> gateway $GW_IN over ppp0" "$L/eap.ping1"
	n0 ping -c 3 -W 5 "${SADDR:-none}" >"$L/eap.ping2" 2>&1
	result $? "sstpc: ping gateway -> client ${SADDR:-?} through sstpgw0" "$L/eap.ping2"
	show_has '"subject":"CN=client2@vm.test"' "\"address\":\"${SADDR:-none}\"" \
		'"state":"connected"'
	result $? "sstpc: sstpctl show -j lists the session, connected" "$L/show.json"
	grep -q '^nameserver 10.1.0.4$' /etc/ppp/resolv.conf 2>/dev/null
	result $? "sstpc: pppd got the gateway's DNS server (10.1.0.4 in /etc/ppp/resolv.conf)" \
		"$L/eap.pppd.log"
	gw_mark
	was_up && term_pppd && sstpc_gone 30
	result $? "sstpc: SIGTERM to pppd of a live session: pppd and sstpc exit" \
		"$L/eap.sstpc.log" "$L/eap.pppd.log"
	# sstpc 1.0.18 sends no CALL_DISCONNECT when pppd ends (the call is
	# commented out in its sstp_client_pppd_cb): it closes the connection.
	was_up && gw_wait 'disconnecting: peer terminated LCP' 10
	result $? "sstpc: ... the gateway sees pppd's LCP Terminate-Request (disconnecting: peer terminated LCP)" \
		"$L/eap.sstpc.log"
	was_up && gw_wait 'closed: (client disconnected|connection closed by client|disconnect acknowledged)' 10 &&
		show_has '"sessions_active":0'
	result $? "sstpc: ... and ends the session (closed: ..., no session left)" \
		"$L/eap.sstpc.log" "$L/show.json"
	sstpc_stop

	# 2. SIGTERM to sstpc instead.
	gw_mark
	sstpc_up term eap client2@vm.test
	was_up && kill -TERM "$SPID" && sstpc_gone 30
	result $? "sstpc: SIGTERM to sstpc of a live session: pppd and sstpc exit" \
		"$L/term.sstpc.log" "$L/term.pppd.log"
	# No CALL_DISCONNECT from sstpc on SIGTERM either: it closes.
	was_up && gw_wait 'closed: (client disconnected|connection closed by client)' 10 &&
		show_has '"sessions_active":0'
	result $? "sstpc: ... and the gateway ends the session (closed: ..., no session left)" \
		"$L/term.sstpc.log" "$L/show.json"
	sstpc_stop

	# 3. A revoked certificate is refused.
	gw_mark
	sstpc_start banned banned banned@vm.test
	sstpc_gone 60
	st=$?
	[ "$st" -eq 0 ] || sstpc_stalled banned
	result "$st" "sstpc: revoked certificate: pppd and sstpc give up" \
		"$L/banned.sstpc.log" "$L/banned.pppd.log"
	reap "$SPID"
	st=$?
	[ "$st" -ne 0 ] && [ "$st" -ne 124 ]
	result $? "sstpc: ... sstpc exits with a failure status ($st)" "$L/banned.sstpc.log"
	! grep -q 'local  IP address' "$L/banned.pppd.log" &&
		! gw_since | grep -q 'up: CN=banned@vm.test'
	result $? "sstpc: ... no address was assigned" "$L/banned.pppd.log"
	gw_wait 'refused: .*revoked' 5
	result $? "sstpc: ... the gateway logs the refusal (revoked)"
	gw_wait 'closed: disconnect acknowledged' 5
	result $? "sstpc: ... sstpc acknowledges the gateway's CALL_DISCONNECT (closed: disconnect acknowledged)" \
		"$L/banned.sstpc.log"
	grep -q 'EAP: peer reports authentication failure' "$L/banned.pppd.log"
	result $? "sstpc: ... pppd reports the authentication failure" "$L/banned.pppd.log"
	sstpc_stop

	# 4. The gateway ends a session: sstpctl revoke.
	gw_mark
	sstpc_up live live client3@vm.test
	tp=$TP_live
	n0 sstpctl revoke "$IFACE" "$tp" >"$L/revoke.out" 2>&1
	result $? "sstpc: sstpctl revoke $tp succeeds" "$L/revoke.out"
	was_up && sstpc_gone 30
	result $? "sstpc: ... and pppd and sstpc of the live session exit" \
		"$L/live.sstpc.log" "$L/live.pppd.log"
	was_up && gw_wait 'closed: disconnect acknowledged' 10
	result $? "sstpc: ... after acknowledging the CALL_DISCONNECT (closed: disconnect acknowledged)" \
		"$L/live.sstpc.log"
	sstpc_stop

	# 5. Sessions in a row: each comes up and goes (catches races).
	rounds=${VM_ROUNDS:-10}
	bad=0
	for ((i = 1; i <= rounds; i++)); do
		gw_mark
		sstpc_start "round$i" eap client2@vm.test
		if wait_ppp 30; then
			rm -f "$L/round$i.pppd.log" "$L/round$i.sstpc.log"
		else
			bad=$((bad + 1))
			sstpc_stalled "round$i"
			note "round $i: no ppp0; sstpc: $(tail -n 1 "$L/round$i.sstpc.log" | tr -d '\000'); gateway: $(gw_since | tail -n 1)"
		fi
		term_pppd
		sstpc_gone 10
		sstpc_stop
	done
	[ "$bad" -eq 0 ]
	result $? "sstpc: $rounds sessions in a row all come up ($bad did not)"

	# 6. The gateway stops: sstpctl down.
	gw_mark
	sstpc_up down eap client2@vm.test
	n0 sstpctl down "$IFACE" >"$L/down.out" 2>&1
	result $? "sstpc: sstpctl down" "$L/down.out"
	was_up && sstpc_gone 30
	result $? "sstpc: ... and pppd and sstpc of the live session exit" \
		"$L/down.sstpc.log" "$L/down.pppd.log"
	was_up && gw_wait 'closed: disconnect acknowledged' 10
	result $? "sstpc: ... after acknowledging the CALL_DISCONNECT (closed: disconnect acknowledged)" \
		"$L/down.sstpc.log"
	sstpc_stop
	wait_gone "$GWPID" 15
	result $? "sstpc: ... and the gateway exits"
	stop_pid "$GWPID"
	GWPID=
	case_end sstpc
}

# ---------------------------------------------------------------- kTLS

# tls_stat NS: the kernel's TLS counters of a namespace, "Name value" lines.
tls_stat() { ip netns exec "$1" cat /proc/net/tls_stat 2>/dev/null; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# The kernel TLS data path of the gateway (written ahead of it): our client
# against our gateway with KernelTLS = yes, over TLS 1.2 and 1.3. Fails
# wherever a session does not end up on kTLS.
case_ktls()
{
	local v st0 st1 tx0 rx0 tx1 rx1 ctx crx path tag

	case_begin ktls "kTLS data path (needs the gateway's kTLS support)"
	check "ktls: sstpd starts with KernelTLS = yes" gw_start "KernelTLS = yes" ||
		{ case_end ktls; return; }
	for v in 1.2 1.3; do
		tag=ktls$v
		st0=$L/$tag.stat0
		st1=$L/$tag.stat1
		tls_stat gw >"$st0"
		gw_mark
		client_start "$tag" ours --tls "$v"
		result $? "ktls: TLS $v: sstpctl connect --tls $v comes up (${CADDR:-none})" \
			"$L/$tag.out" "$L/$tag.err"
		gw_wait "TLS TLSv$v " 5
		result $? "ktls: TLS $v: the gateway negotiated TLSv$v" "$L/$tag.out"
		n1 ping -c 5 -W 5 "$GW_IN" >"$L/$tag.ping1" 2>&1
		result $? "ktls: TLS $v: ping client -> gateway" "$L/$tag.ping1"
		n0 ping -c 5 -W 5 "${CADDR:-none}" >"$L/$tag.ping2" 2>&1
		result $? "ktls: TLS $v: ping gateway -> client" "$L/$tag.ping2"
		show_json
		path=$(session_field CN=client1@vm.test path)
		[ "$path" = ktls ]
		result $? "ktls: TLS $v: sstpctl show -j reports \"path\":\"ktls\" (got ${path:-nothing})" \
			"$L/show.json"
		tls_stat gw >"$st1"
		tx0=$(stat_of "$st0" TlsTxSw) rx0=$(stat_of "$st0" TlsRxSw)
		tx1=$(stat_of "$st1" TlsTxSw) rx1=$(stat_of "$st1" TlsRxSw)
		ctx=$(stat_of "$st1" TlsCurrTxSw) crx=$(stat_of "$st1" TlsCurrRxSw)
		note "ktls: TLS $v: gateway ns tls_stat TlsTxSw ${tx0:-?}->${tx1:-?} TlsRxSw ${rx0:-?}->${rx1:-?} TlsCurrTxSw ${ctx:-?} TlsCurrRxSw ${crx:-?}"
		note "ktls: TLS $v: client ns tls_stat: $(tls_stat c1 | awk '$2 != 0 { printf "%s %s ", $1, $2 }')"
		[ "${tx1:-0}" -gt "${tx0:-0}" ] && [ "${rx1:-0}" -gt "${rx0:-0}" ]
		result $? "ktls: TLS $v: gateway TlsTxSw and TlsRxSw counted the session" "$st0" "$st1"
		[ "${ctx:-0}" -ge 1 ] && [ "${crx:-0}" -ge 1 ]
		result $? "ktls: TLS $v: gateway TlsCurrTxSw and TlsCurrRxSw show it live" "$st1"
		stop_pid "$CPID"
		gw_wait 'closed: client disconnected' 10
		result $? "ktls: TLS $v: clean disconnect (closed: client disconnected)"
	done
	check "ktls: sstpctl down stops the gateway" gw_stop
	case_end ktls
}

# ---------------------------------------------------------------- bench

# iperf_rate FILE: the receiver's bit rate of an iperf3 run.
iperf_rate() { awk '/receiver$/ { print $(NF-2), $(NF-1) }' "$1" | tail -n 1; }

# bench_one LABEL SERVER_ADDR: iperf3 from c1 to the gateway both ways.
bench_one()
{
	local label=$1 addr=$2 out

	spawn gw "$L/iperf-s.$label.up" "$L/iperf-s.$label.up" iperf3 -s -1 -B "$addr"
	sleep 1
	out=$L/iperf.$label.up
	n1 iperf3 -c "$addr" -t 10 -O 2 >"$out" 2>&1
	result $? "bench: iperf3 $label client -> gateway" "$out"
	emit "bench $KVER $label client->gateway $(iperf_rate "$out")"
	spawn gw "$L/iperf-s.$label.down" "$L/iperf-s.$label.down" iperf3 -s -1 -B "$addr"
	sleep 1
	out=$L/iperf.$label.down
	n1 iperf3 -c "$addr" -t 10 -O 2 -R >"$out" 2>&1
	result $? "bench: iperf3 $label gateway -> client" "$out"
	emit "bench $KVER $label gateway->client $(iperf_rate "$out")"
}

case_bench()
{
	local ktls path

	case_begin bench "iperf3 through the tunnel (TCG-emulated: compare runs, not absolute figures)"
	bench_one plain-veth "$GW1"
	for ktls in no yes; do
		write_conf "KernelTLS = $ktls"
		if ! sstpd -t -c "$CONF" >"$L/bench-conf.$ktls" 2>&1; then
			note "bench: this gateway does not take KernelTLS = $ktls: $(head -c 200 "$L/bench-conf.$ktls")"
			[ "$ktls" = no ] && continue
			check "bench: sstpd starts" gw_start || continue
		else
			check "bench: sstpd starts with KernelTLS = $ktls" \
				gw_start "KernelTLS = $ktls" || continue
		fi
		# Both ends on the same path: the client takes --no-ktls when
		# the gateway keeps TLS in userspace (and knows the option).
		if [ "$ktls" = no ] && sstpctl connect --help 2>&1 | grep -q -- --no-ktls; then
			client_start "bench-$ktls" bench --no-ktls
		else
			client_start "bench-$ktls" bench
		fi
		result $? "bench: client up (${CADDR:-none})" "$L/bench-$ktls.out" "$L/bench-$ktls.err"
		show_json
		path=$(session_field CN=bench@vm.test path)
		bench_one "tunnel-${path:-unknown}" "$GW_IN"
		stop_pid "$CPID"
		gw_stop
	done
	case_end bench
}

# ---------------------------------------------------------------- boot

case_boot()
{
	local m

	case_begin boot "kernel $KVER: modules, /dev/ppp, namespaces, PKI"
	emit "# kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB"
	modprobe tls >"$L/modprobe.tls" 2>&1
	result $? "boot: modprobe tls" "$L/modprobe.tls"
	check "boot: /proc/net/tls_stat exists" test -r /proc/net/tls_stat
	modprobe ppp_generic >"$L/modprobe.ppp" 2>&1
	result $? "boot: modprobe ppp_generic" "$L/modprobe.ppp"
	# devtmpfs makes the node when ppp_generic registers; make it if not.
	[ -e /dev/ppp ] || mknod /dev/ppp c 108 0
	check "boot: /dev/ppp is a character device" test -c /dev/ppp
	for m in ppp_async ppp_synctty tun veth; do
		modprobe "$m" >"$L/modprobe.$m" 2>&1
		result $? "boot: modprobe $m" "$L/modprobe.$m"
	done
	check "boot: /dev/net/tun exists" test -c /dev/net/tun
	# kTLS asks the crypto API for gcm(aes), ccm(aes) and
	# rfc7539(chacha20,poly1305); the templates come by these aliases.
	modprobe -a crypto-gcm crypto-ccm crypto-rfc7539 crypto-aes >"$L/modprobe.aead" 2>&1
	result $? "boot: the AEAD templates kTLS uses (gcm, ccm, rfc7539) load" "$L/modprobe.aead"
	topo_up >"$L/topo" 2>&1
	result $? "boot: namespaces gw, c1, c2 joined by veth; ping $GW1 and $GW2" "$L/topo" ||
		return 1
	pki_make >"$L/pki" 2>&1
	result $? "boot: sstpctl cert makes a root, a server and the client certificates" "$L/pki" ||
		return 1
	case_end boot
}

# A clean kernel log: no oops, BUG, WARNING or lockdep splat.
case_dmesg()
{
	dmesg >"$L/dmesg"
	! grep -Eq 'BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|refcount_t' "$L/dmesg"
	result $? "kernel log has no BUG, WARNING, oops or call trace" "$L/dmesg"
}

# ---------------------------------------------------------------- main

dump_logs()
{
	local f

	echo "===== guest logs ($L) ====="
	for f in "$L"/*; do
		[ -f "$f" ] || continue
		echo "===== $f"
		tr -d '\000' <"$f"
	done
	echo "===== /etc/ppp/resolv.conf"
	cat /etc/ppp/resolv.conf 2>/dev/null
	echo "===== end of guest logs ====="
}

T0=$(now)
emit "vm-start $KVER"
if case_boot; then
	want ours && case_ours
	want sstpc && case_sstpc
	want ktls && case_ktls
	[ "$BENCH" = 1 ] && case_bench
fi
gw_stop >/dev/null 2>&1
case_dmesg
note "guest total $(since "$T0") s: $N_OK ok, $N_FAIL not ok"
dump_logs
emit "vm-done"
exit 0
