# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The budget before authentication (sourced by tests/netns.sh):
#   - 200 idle connections from c1 (bare TCP, half a ClientHello, TLS done)
#     do not keep c2 out: each of c2's sessions comes up within 1 s;
#   - a reconnect flood from c1 leaves the log small;
#   - with MaxHandshakes full of c1's connections, c2 still gets in
#     (c1's oldest half-open connection is evicted);
#   - a client that Naks every IPCP request is closed (by the PPP Nak bound,
#     or by NegotiationTimeout when it Naks slowly) and frees its address;
#   - MaxSessionsPerCertificate: the newest session of a certificate wins;
#   - memory per half-open session (RSS of sstpd), printed as notes.
# Gateways sstppa0..sstppe0 on ports 4480-4484, pools 172.16.230-234.0.

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin preauth "budget before authentication: per-source limits, one deadline, IPCP Nak loops, per-certificate limit"

PA_CONF=$SSTP_CONFDIR/pa.conf
PA_LOG=$SSTP_LOGDIR/sstppa0.log
PB_CONF=$SSTP_CONFDIR/pb.conf
PB_LOG=$SSTP_LOGDIR/sstppb0.log
PC_CONF=$SSTP_CONFDIR/pc.conf
PC_LOG=$SSTP_LOGDIR/sstppc0.log
PD_CONF=$SSTP_CONFDIR/pd.conf
PD_LOG=$SSTP_LOGDIR/sstppd0.log

# pa_probe TAG MODE ARGS...: probe.py from c1 against sstppa0, background.
pa_probe()
{
	local tag=$1 mode=$2

	shift 2
	spawn "$NS_C1" "$TMP/$tag.probe" "$TMP/$tag.probe.err" timeout 60 \
		"$PYTHON" "$PROBE" "$mode" "$GW_IP" "$@"
	PROBE_PID=$SPAWNED
}

# up_within TAG NS CERT PORT IFACE SECS: a full session (sstpctl connect)
# comes up within SECS; the time it took in UP_TIME ("up" or "not up" in
# UP_STATE). The client is stopped.
up_within()
{
	local tag=$1 ns=$2 cert=$3 port=$4 ifc=$5 secs=$6 t0 rc

	t0=$(now)
	start_client "$tag" "$ns" "$cert" "$port" --name gw.test --interface "$ifc"
	wait_file "$TMP/$tag.out" '^up: ' "$((${secs%.*} + 2))"
	rc=$?
	UP_TIME=$(since "$t0")
	UP_STATE=up
	[ $rc -eq 0 ] || UP_STATE="not up"
	stop_pid "$CPID"
	[ $rc -eq 0 ] && awk -v t="$UP_TIME" -v s="$secs" 'BEGIN { exit !(t <= s) }'
}

# --------------------------------------------------- 200 idle connections

# Defaults for the per-source limits; timers long enough that c1's
# connections are held while c2 connects (c1 lets go of them at the end).
write_config "$PA_CONF" Listen="$GW_IP":4480 Interface=sstppa0 \
	Pool=172.16.230.0/24 HandshakeTimeout=30 NegotiationTimeout=30 Route=
CUR_LOG=$PA_LOG
gw_up "$PA_CONF"
result $? "gateway sstppa0 (default per-source limits, HandshakeTimeout 30) starts on :4480" "$TMP/up.out"

pa_probe hold200 hold 4480 --count 200 --half 60 --tls 60 --wait 40
HOLD_PID=$PROBE_PID
wait_file "$TMP/hold200.probe" '^holding' 20
result $? "c1 opens 200 connections (60 with half a ClientHello, 60 with TLS done, 80 bare TCP) and holds them" "$TMP/hold200.probe"
note "c1: $(tr '\n' ' ' <"$TMP/hold200.probe")"
show_ok sstppa0 "d['limits']['handshakes'] <= 8 and d['limits']['refused_source_handshakes'] >= 150"
result $? "  ...at most 8 of them are half-open on the gateway (MaxHandshakesPerSource), the rest refused and counted ($(jget "$SHOW" "d.get('limits')" 2>/dev/null))" "$SHOW"
ok=0
for i in 1 2 3 4 5; do
	up_within "pa$i" "$NS_C2" good2 4480 sstpq0 1.0 && ok=$((ok + 1))
	note "c2 session $i: $UP_STATE after ${UP_TIME} s"
done
[ $ok -eq 5 ]
result $? "while c1 holds its connections, 5 of 5 sessions from c2 come up within 1 s each ($ok did)" "$TMP/pa5.out" "$TMP/pa5.err"
kill -0 "$HOLD_PID" 2>/dev/null &&
	show_ok sstppa0 "d['limits']['handshakes'] == 8 and d['limits']['sources'] == 1"
result $? "  ...and c1 still holds its 8 half-open connections meanwhile" "$SHOW" "$TMP/hold200.probe"
stop_pid "$HOLD_PID"

# ------------------------------------------------------ reconnect flood

show_wait sstppa0 "d['limits']['handshakes'] == 0" 5
before=$(log_lines "$PA_LOG")
pa_probe flood flood 4480 --count 20000 --wait 8
FLOOD_PID=$PROBE_PID
wait_pid "$FLOOD_PID" 20
conns=$(sed -n 's/^connections //p' "$TMP/flood.probe")
# One summary interval (10 s) after the flood, so that its line is in.
sleep 11
lines=$(log_after "$PA_LOG" "$before" | wc -l)
note "reconnect flood: ${conns:-0} connections in 8 s, $lines log lines"
log_after "$PA_LOG" "$before" | head -n 20 | sed 's/^/#   | /'
# At most 20 lines as they happen and one summary per source per 10 s
# interval; the 19 s here touch at most 3 intervals.
[ "${conns:-0}" -ge 500 ] && [ "$lines" -le 63 ]
result $? "a reconnect flood from c1 (${conns:-0} connections) adds $lines log lines (at most 63)"
# The rate-limited log is the product here: its size and its summary line.
log_after "$PA_LOG" "$before" | grep -Eq "refused [0-9]+ connections from $C1_IP in the last 10 s"
result $? "  ...with a summary line for $C1_IP"
up_within pa6 "$NS_C2" good2 4480 sstpq0 1.0
result $? "  ...and a session from c2 still comes up within 1 s (${UP_TIME} s)" "$TMP/pa6.out" "$TMP/pa6.err"
gw_down sstppa0
result $? "sstpctl down sstppa0" "$TMP/down.out"

# ------------------------------------- global cap full: eviction

# MaxHandshakes 8 = the default MaxHandshakesPerSource: c1 alone fills it.
PE_CONF=$SSTP_CONFDIR/pe.conf
write_config "$PE_CONF" Listen="$GW_IP":4484 Interface=sstppe0 \
	Pool=172.16.234.0/24 MaxHandshakes=8 HandshakeTimeout=30 \
	NegotiationTimeout=30 Route=
CUR_LOG=$SSTP_LOGDIR/sstppe0.log
gw_up "$PE_CONF"
result $? "gateway sstppe0 (MaxHandshakes 8) starts on :4484" "$TMP/up.out"
pa_probe hold8 hold 4484 --count 8 --half 4 --wait 40
HOLD_PID=$PROBE_PID
wait_file "$TMP/hold8.probe" '^holding' 10 &&
	show_wait sstppe0 "d['sessions_active'] == 8 and all(s['state'] == 'tls' for s in d['sessions'])" 3
result $? "c1 holds all 8 handshake slots" "$TMP/hold8.probe" "$SHOW"
ok=0
for i in 1 2 3; do
	up_within "pe$i" "$NS_C2" good2 4484 sstpq0 1.0 && ok=$((ok + 1))
	note "c2 session $i with the global cap full: $UP_STATE after ${UP_TIME} s"
done
[ $ok -eq 3 ]
result $? "3 of 3 sessions from c2 come up within 1 s each: c1's oldest half-open one makes room ($ok did)" "$TMP/pe3.out" "$TMP/pe3.err"
# One eviction is enough: the first of c2's sessions, once up, no longer
# counts, and its slot serves the next.
show_ok sstppe0 "d['limits']['evicted'] == 1 and d['limits']['refused_max_handshakes'] == 0 and d['limits']['handshakes'] == 7"
result $? "  ...show -j: limits.evicted 1, none refused for MaxHandshakes, c1 keeps 7 ($(jget "$SHOW" "d['limits']" 2>/dev/null))" "$SHOW"
stop_pid "$HOLD_PID"
gw_down sstppe0
result $? "sstpctl down sstppe0" "$TMP/down.out"

# --------------------------------------------------- IPCP Nak forever

# The test peer (a full client on libsstp; SSTP_PEER_LIB: another build's
# library, to run this case against an older sstpd).
PEER_BIN=$TMP/sstp-peer
PEER_LIB=${SSTP_PEER_LIB:-$(dirname "$SSTPD")/libsstp.a}
PEER_SAN=()
# A sanitizer build's library (make asan) links only with the same runtime.
if nm "$PEER_LIB" 2>/dev/null | grep -q __asan_; then
	# shellcheck disable=SC2054 # one compiler option with a comma
	PEER_SAN=(-fsanitize=address,undefined -fno-omit-frame-pointer)
fi
gcc -std=gnu11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror "${PEER_SAN[@]}" \
	-I"$HERE/../include/uapi" -I"$HERE/../ctl/lib" -I"$HERE/../ctl" \
	-o "$PEER_BIN" "$HERE/vm/sstp-peer.c" "$(dirname "$PEER_LIB")/libsstpctl.a" \
	"$PEER_LIB" -lssl -lcrypto -lmnl \
	>"$TMP/peer-build.log" 2>&1
result $? "tests/vm/sstp-peer.c builds against libsstp.a" "$TMP/peer-build.log"

# One client address in the pool: a session that keeps it keeps everyone
# else out.
write_config "$PB_CONF" Listen="$GW_IP":4481 Interface=sstppb0 \
	Pool=172.16.231.0/30 Network.Address=172.16.231.1 HandshakeTimeout=3 \
	NegotiationTimeout=4 Route= DNS=
CUR_LOG=$PB_LOG
gw_up "$PB_CONF"
result $? "gateway sstppb0 (one client address, NegotiationTimeout 4) starts on :4481" "$TMP/up.out"

# peer_nak TAG DELAY_MS: sstp-peer from c1, Naking every IPCP request.
peer_nak()
{
	spawn "$NS_C1" "$TMP/$1.peer" "$TMP/$1.peer.err" timeout 40 "$PEER_BIN" \
		connect "$GW_IP:4481" --ca "$CA" --cert "$PKI/good1.crt" \
		--key "$PKI/good1.key" --name gw.test --no-ktls --timeout 30 \
		--inject ipcp-nak --nak-delay "$2"
	PEER_PID=$SPAWNED
}

for spec in "fast:0" "slow:1500"; do
	tag=nak-${spec%%:*} delay=${spec#*:}
	t0=$(now)
	peer_nak "$tag" "$delay"
	wait_pid "$PEER_PID" 12
	rc=$WAITED
	took=$(since "$t0")
	note "$tag: $(grep -E '^(closed|result)' "$TMP/$tag.peer" | tr '\n' ' ')"
	[ $rc -eq 0 ] && grep -q '^result: ok' "$TMP/$tag.peer"
	result $? "a client that Naks every IPCP request (${delay} ms after each) is closed by the gateway, never up (rc $rc after $took s)" "$TMP/$tag.peer" "$TMP/$tag.peer.err"
	if [ "$delay" -gt 0 ]; then
		ms=$(sed -n 's/^closed: .*(\([0-9]*\) ms after connecting.*/\1/p' "$TMP/$tag.peer")
		[ -n "$ms" ] && [ "$ms" -ge 3000 ] && [ "$ms" -le 6500 ]
		result $? "  ...by NegotiationTimeout (4 s from accept): closed ${ms:-?} ms after connecting" "$TMP/$tag.peer"
	else
		# Not by the timer: long before NegotiationTimeout, and
		# show -j has no session that timed out.
		ms=$(sed -n 's/^closed: .*(\([0-9]*\) ms after connecting.*/\1/p' "$TMP/$tag.peer")
		[ -n "$ms" ] && [ "$ms" -lt 3000 ] &&
			show_ok sstppb0 "d['limits']['up_timeouts'] == 0"
		result $? "  ...by the PPP Nak bound at once: closed ${ms:-?} ms after connecting, limits.up_timeouts 0" "$TMP/$tag.peer" "$SHOW"
	fi
	show_wait sstppb0 "d['sessions_active'] == 0" 3
	result $? "  ...and its session is gone from show" "$SHOW"
	up_within "nak-after-$tag" "$NS_C2" good2 4481 sstpq0 3.0 &&
		grep -q 'address 172.16.231.2 ' "$TMP/nak-after-$tag.out"
	result $? "  ...its address is free again: the only one goes to a session from c2 (${UP_TIME} s)" "$TMP/nak-after-$tag.out" "$TMP/nak-after-$tag.err"
	show_wait sstppb0 "d['sessions_active'] == 0" 5
done
show_ok sstppb0 "d['limits']['up_timeouts'] >= 1"
result $? "show -j counts the session that was not up in time (limits.up_timeouts)" "$SHOW"
gw_down sstppb0
result $? "sstpctl down sstppb0" "$TMP/down.out"

# ------------------------------------------ MaxSessionsPerCertificate

# The default (4): a fifth session with the same certificate replaces the
# oldest.
write_config "$PC_CONF" Listen="$GW_IP":4482 Interface=sstppc0 \
	Pool=172.16.232.0/24 Route=
CUR_LOG=$PC_LOG
gw_up "$PC_CONF"
result $? "gateway sstppc0 (default MaxSessionsPerCertificate 4) starts on :4482" "$TMP/up.out"
PC_PIDS=()
ok=0
for i in 1 2 3 4 5; do
	start_client "pc$i" "$NS_C1" good1 4482 --name gw.test --interface "sstpq$i"
	PC_PIDS+=("$CPID")
	wait_up "pc$i" && ok=$((ok + 1))
done
[ $ok -eq 5 ]
result $? "five sessions with good1's certificate from c1 each come up ($ok did)" "$TMP/pc5.out" "$TMP/pc5.err"
wait_pid "${PC_PIDS[0]}" 8
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/pc1.out"
result $? "  ...the oldest is replaced: its client prints down: and exits 2 (rc $rc: $(grep '^down' "$TMP/pc1.out"))" "$TMP/pc1.out" "$TMP/pc1.err"
show_wait sstppc0 "d['sessions_active'] == 4 and d['limits']['certificate_replaced'] == 1" 6
result $? "  ...show -j: 4 sessions, limits.certificate_replaced 1" "$SHOW"
pp "$SSTPCTL" show sstppc0 >"$TMP/pc-show.txt" 2>&1 &&
	grep -Eq "^limits: handshakes 0, max_handshakes 64, .*certificate_replaced 1$" "$TMP/pc-show.txt"
result $? "  ...and sstpctl show prints the limits line" "$TMP/pc-show.txt"
# The log line is the product: show -j counts the replacement (above), only
# the log tells the operator why that session ended.
log_wait "$PC_LOG" 0 "replaced by a newer session" "closed" 3
result $? "  ...the gateway log says why (replaced by a newer session with the same certificate)"
for i in 2 3 4 5; do
	kill -0 "${PC_PIDS[$((i - 1))]}" 2>/dev/null || ok=0
done
[ $ok -eq 5 ]
result $? "  ...the four newer clients are still running"
# Replaced peers that never acknowledge (stopped): each newcomer must still
# find the certificate at four sessions, not four plus those closing.
for i in 2 3 4 5; do
	kill -STOP "${PC_PIDS[$((i - 1))]}"
done
ok=0 most=0
for i in 6 7 8 9; do
	start_client "pc$i" "$NS_C1" good1 4482 --name gw.test --interface "sstpq$i"
	PC_PIDS+=("$CPID")
	wait_up "pc$i" && ok=$((ok + 1))
	pp "$SSTPCTL" show sstppc0 -j >"$TMP/pc-n.json" 2>/dev/null
	n=$(jget "$TMP/pc-n.json" "len([s for s in d['sessions'] if s['thumbprint'] == '$TP_good1'])")
	[ "${n:-99}" -gt "$most" ] && most=${n:-99}
done
[ $ok -eq 4 ] && [ "$most" -le 4 ]
result $? "  ...4 more while the replaced clients are stopped: all up ($ok), the certificate never holds more than 4 sessions (most $most)" "$TMP/pc-n.json"
for p in "${PC_PIDS[@]}"; do
	kill -CONT "$p" 2>/dev/null
	stop_pid "$p"
done
gw_down sstppc0
result $? "sstpctl down sstppc0" "$TMP/down.out"

# ------------------------------------------------ memory per half-open

# Limits high enough for 200 from one source (the per-source keys only
# where this sstpd knows them, so that older builds can be measured too).
PD_EXTRA=()
grep -q MaxHandshakesPerSource "$SSTPD" &&
	PD_EXTRA=(Gateway.MaxHandshakesPerSource=400 Gateway.MaxConnectionsPerSource=400)
write_config "$PD_CONF" Listen="$GW_IP":4483 Interface=sstppd0 \
	Pool=172.16.233.0/24 MaxSessions=400 MaxHandshakes=400 \
	HandshakeTimeout=30 NegotiationTimeout=40 Route= "${PD_EXTRA[@]}"
CUR_LOG=$PD_LOG
# A fresh gateway for each kind: freed memory would be reused otherwise.
for spec in "tls:0:200" "hello:200:0" "tcp:0:0"; do
	IFS=: read -r kind half ntls <<<"$spec"
	gw_up "$PD_CONF"
	result $? "gateway sstppd0 (limits for 200 from one source) starts on :4483 ($kind)" "$TMP/up.out"
	PD_PID=$(gw_pid sstppd0)
	sleep 0.5
	r0=$(rss_kib "$PD_PID")
	spawn "$NS_C1" "$TMP/mem-$kind.probe" "$TMP/mem-$kind.err" timeout 60 \
		"$PYTHON" "$PROBE" hold "$GW_IP" 4483 --count 200 --half "$half" \
		--tls "$ntls" --wait 4
	MEM_PID=$SPAWNED
	wait_file "$TMP/mem-$kind.probe" '^holding' 30
	sleep 1
	r1=$(rss_kib "$PD_PID")
	held=$(sed -n 's/^opened //p' "$TMP/mem-$kind.probe")
	wait_pid "$MEM_PID" 15
	per=$(( (r1 - r0) * 1024 / 200 ))
	note "memory: $kind: sstpd RSS $r0 KiB idle, $r1 KiB with ${held:-?} half-open connections: $per bytes per half-open session"
	[ "${held:-0}" -eq 200 ]
	result $? "  ...$kind: 200 connections held for the measurement (${held:-0})" "$TMP/mem-$kind.probe"
	gw_down sstppd0
	result $? "sstpctl down sstppd0" "$TMP/down.out"
done
CUR_LOG=
case_end
