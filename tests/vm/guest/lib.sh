# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables and settings for cases/*.sh
#
# Guest side of tests/vm/run.sh: topology and helpers, sourced by
# /qemu/main.sh (tests/qemu/guest/main.sh) before cases/*.sh. Topology, all
# inside this guest:
#
#   ns gw:  vc1 10.99.1.1/24, vc2 10.99.2.1/24; sstpd listens on 0.0.0.0:4443,
#           its TUN sstpgw0 has 172.16.201.1 (pool 172.16.201.0/24)
#   ns c1:  eth0 10.99.1.2/24 (veth peer of vc1): our client, sstpctl connect
#   ns c2:  eth0 10.99.2.2/24 (veth peer of vc2): Debian's sstpc + pppd
#
#   sstp.ko (debug build) is in /usr/lib/modules/<release>/extra; the gateway
#   puts kernel-path sessions on its device sstpgw0k (ns gw)
#
# Cases: boot (stage_begin: always first; the others need it), then those
# of STAGE_CASES named on the kernel command line (qcases=a,b); bench is
# iperf3 through the tunnel. Kernel command line: vmrounds, vmksessions,
# vmbenchsecs. Besides the KTAP lines, "bench ..." figures go to the
# results port; every log is copied to the console at the end.

# The optional cases, in the order they run (tests/qemu/lib.sh reads this).
STAGE_CASES="ours sstpc ktls kernel steer bench"

export SSTP_RUNDIR=/run/sstp SSTP_LOGDIR=/tmp/logs SSTP_CONFDIR=/tmp/conf
# Revocations of a gateway without RevokedFile, on the guest's scratch space.
export SSTP_STATEDIR=/tmp/state
mkdir -p /run/sstpc /run/sstp
chmod 0700 /run/sstp

VM_ROUNDS=$(qarg vmrounds)
BENCH_SECS=$(qarg vmbenchsecs)
BENCH_SECS=${BENCH_SECS:-10}
VM_KSESSIONS=$(qarg vmksessions)
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

# emit LINE: a raw line on the results port ("bench ..." figures).
emit() { echo "$*" >>"$KTAP_OUT"; }
note() { ktap_note "$@"; }

# result STATUS DESCRIPTION [FILE...]: one KTAP result; on failure the
# tail of each FILE and of the current gateway log.
result()
{
	local rc=$1 desc=$2 f

	shift 2
	ktap_result "$rc" "$desc" && return 0
	for f in "$@" ${GWLOG:+"$GWLOG"}; do
		[ -f "$f" ] || continue
		ktap_note "  --- tail of $f"
		# sstpc ends its log lines with a NUL byte.
		tail -n 15 "$f" | tr -d '\000\r' | cut -c1-400 |
			sed 's/^/#   | /' >>"$KTAP_OUT"
	done
	return 1
}

check() { local d=$1; shift; "$@"; result $? "$d"; }

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

# Lines of the gateway log after the mark set by gw_mark. Cases check
# state through sstpctl show -j (show_has, show_wait, gw_count); the log
# only for what it alone tells, where the line is the product: why a
# session ended or was refused, the TLS version, the gateway's warnings.
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
		# shellcheck disable=SC2154 # set by pki_make (printf -v)
		echo "Revoke = $TP_banned"
		echo "[Network]"
		echo "Pool = 172.16.201.0/24"
		echo "DNS = 10.1.0.4"
		echo "MTU = 1400"
	} >"$CONF"
	chmod 0600 "$CONF"
}

KOFF=
NOKERNEL=
GWN=0
GWPID=
GWLOG=
# gw_start [LINE...]: sstpd -v in ns gw; waits for "gateway up".
gw_start()
{
	GWN=$((GWN + 1))
	GWLOG=$L/gw.$GWN.log
	# Each gateway its own revocations, unless it is the same gateway
	# restarted (GW_SAME_STATE=1): revocations are stored and survive.
	[ -n "${GW_SAME_STATE:-}" ] || export SSTP_STATEDIR=/tmp/state/gw.$GWN
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

# show_wait SECONDS FIXED...: within SECONDS, sstpctl show -j lists a
# session holding every FIXED string (SHOWN: that session's line).
show_wait()
{
	local i s secs=$1

	shift
	for ((i = 0; i < secs * 5; i++)); do
		if show_json; then
			SHOWN=$(show_lines)
			for s; do
				SHOWN=$(echo "$SHOWN" | grep -F -- "$s")
			done
			SHOWN=$(echo "$SHOWN" | head -n 1)
			[ -n "$SHOWN" ] && return 0
		fi
		sleep 0.2
	done
	return 1
}

# gw_count KEY: a counter of the gateway object of show -j, 0 if absent.
gw_count()
{
	local v

	show_json
	v=$(gw_json "$1")
	echo "${v:-0}"
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

# sstpc_stalled TAG: sstpc runs but never got past the HTTP exchange: the
# gateway has answered (HTTP 200 waits unread in sstpc's socket) but sstpc's
# epoll set no longer holds its TLS socket. Seen in a few sessions in a
# hundred with TLS 1.3 and about one in a hundred with TLS 1.2. A second
# form: sstpc took the answer (Recv-Q 0) and still sends no
# CALL_CONNECT_REQUEST while the gateway's session waits in connect-pending
# with nothing unsent (Send-Q 0). Notes what shows it; true only when one of
# these is what happened.
sstpc_stalled()
{
	local f

	running "$SPID" && ! grep -q 'Connect-Request' "$L/$1.sstpc.log" || return 1
	if n2 ss -tn state established "dst $GW2:$PORT" | tail -n +2 |
		awk '$1 > 0 { found = 1 } END { exit !found }'; then
		# The gateway's answer waits unread in sstpc's socket (Recv-Q > 0).
		note "sstpc stalled before CALL_CONNECT_REQUEST with the gateway's answer unread"
	elif show_has '"state":"connect-pending"' &&
	     n0 ss -tn state established "sport = :$PORT" | tail -n +2 |
		awk '{ n++ } $2 != 0 { busy = 1 } END { exit !(n > 0 && !busy) }'; then
		# Or sstpc took the answer and went no further: the gateway did
		# its part (HTTP answered, nothing left unsent or unacknowledged)
		# and waits for CALL_CONNECT_REQUEST.
		note "sstpc stalled before CALL_CONNECT_REQUEST after taking the gateway's answer (gateway: connect-pending, Send-Q 0)"
	else
		# Neither: not sstpc's known stall. What both ends hold, for
		# whoever looks at the failure.
		note "$1: not sstpc's known stall; sstpc's socket: $(n2 ss -tno state established "dst $GW2:$PORT" | tail -n +2 | tr -s ' ' | tr '\n' ' ')"
		note "$1: the gateway's socket: $(n0 ss -tno state established "sport = :$PORT" | tail -n +2 | tr -s ' ' | tr '\n' ' ')"
		show_json && note "$1: the gateway's sessions: $(show_lines | sed 's/"kernel":<[^>]*>//' | cut -c1-200 | tr '\n' ' ')"
		return 1
	fi
	note "sstpc's socket: $(n2 ss -tno state established | tail -n +2 | tr -s ' ' | tr '\n' ' ')"
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
	# Diagnosed before the gateway's NegotiationTimeout (90 s) ends it.
	wait_ppp 75 && UP=1
	if [ "$UP" = 0 ] && sstpc_stalled "$1"; then
		note "sstpc $1: one more try after sstpc's own stall"
		term_pppd
		sstpc_gone 10
		sstpc_stop
		sstpc_start "$1" "$2" "$3"
		wait_ppp 120 && UP=1
	fi
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


# tls_stat NS: the kernel's TLS counters of a namespace, "Name value" lines.
tls_stat() { ip netns exec "$1" cat /proc/net/tls_stat 2>/dev/null; }
stat_of() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }


# ---------------------------------------------------------------- sstp.ko

KIF=${IFACE}k
PEER_IP=10.99.2.2

# kdebug: live session objects of sstp.ko (debug build), "none" without it.
kdebug() { cat /sys/module/sstp/parameters/debug_sessions 2>/dev/null || echo none; }

# kdebug_wait N SECONDS: the module's object count comes to N.
kdebug_wait()
{
	local i

	for ((i = 0; i < $2 * 5; i++)); do
		[ "$(kdebug)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# kdump: "sessions: N" from the module's session dump of the gateway's
# device (sstp-peer sessions), or what went wrong.
kdump()
{
	n0 sstp-peer sessions "$KIF" >"$L/kdump.out" 2>&1
	tail -n 1 "$L/kdump.out"
}

# show_lines: the sessions of show.json, one a line, with the "kernel"
# object's braces turned into <> so that lines split cleanly.
show_lines()
{
	sed 's/"kernel":{\([^}]*\)}/"kernel":<\1>/g' "$L/show.json" |
		tr '{' '\n' | grep '^"id":'
}

# jget LINE KEY: a field of a session line (not of its kernel object).
jget()
{
	echo "$1" | sed 's/"kernel":<[^>]*>//' |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# kget LINE KEY: a counter of its kernel object (empty when it has none).
kget()
{
	echo "$1" | sed -n 's/.*"kernel":<\([^>]*\)>.*/\1/p' |
		sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# line_of FIXED: the session line of show.json holding FIXED.
line_of() { show_lines | grep -F -- "$1" | head -n 1; }

# gw_json KEY: a field of the gateway object of show.json.
gw_json()
{
	sed -n "s/^{\"interface\"[^[]*\"$1\":\(\"[^\"]*\"\|[a-z0-9]*\).*/\1/p" \
		"$L/show.json" | tr -d '"'
}

# client_path TAG: the data path sstpctl connect reported ("kernel", ...).
client_path() { sed -n 's/^up: .*(TLSv[0-9.]*, \([a-z]*\))$/\1/p' "$L/$1.out" | head -n 1; }

# iperf_both NS LABEL ADDR SECONDS: iperf3 from NS to ADDR (a server in ns
# gw) and back; checks and notes.
iperf_both()
{
	local ns=$1 label=$2 addr=$3 secs=$4 dir out

	for dir in up down; do
		spawn gw "$L/iperf-s.$label.$dir" "$L/iperf-s.$label.$dir" \
			iperf3 -s -1 -B "$addr"
		sleep 1
		out=$L/iperf.$label.$dir
		if [ "$dir" = up ]; then
			ip netns exec "$ns" iperf3 -c "$addr" -t "$secs" >"$out" 2>&1
			result $? "$label: iperf3 $secs s client -> gateway ($(iperf_rate "$out"))" "$out"
		else
			ip netns exec "$ns" iperf3 -c "$addr" -t "$secs" -R >"$out" 2>&1
			result $? "$label: iperf3 $secs s gateway -> client ($(iperf_rate "$out"))" "$out"
		fi
		stop_pid "$SPAWNED"
	done
}

# dmesg_new MARK: kernel log lines after line MARK.
dmesg_new() { dmesg | tail -n +"$(($1 + 1))"; }
dmesg_clean() { ! dmesg_new "$1" | grep -Eq 'BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|refcount_t|UBSAN|KASAN'; }

# ---------------------------------------------------------------- stage

stage_begin() { case_boot; }

# A clean kernel log: no oops, BUG, WARNING or lockdep splat.
stage_end()
{
	gw_stop >/dev/null 2>&1
	dmesg >"$L/dmesg"
	! grep -Eq 'BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|refcount_t' "$L/dmesg"
	result $? "kernel log has no BUG, WARNING, oops or call trace" "$L/dmesg"
}

# Every guest log to the console.
stage_logs()
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
