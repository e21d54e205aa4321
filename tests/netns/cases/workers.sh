# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Per-core workers (Workers =): sessions land on every worker (show -j
# "worker"), TUN packets for sessions on every worker arrive, also those
# the kernel puts on another worker's queue (the hand-off); a TCP stream
# through the tunnel arrives whole and in order; revoke ends the sessions
# it covers on every worker; down and SIGTERM end sessions on every
# worker; Workers = 3 on this 2-CPU host; Workers = 1 as before (one plain
# TUN queue). Its own gateway: sstpwk0 on :4460, pool 172.16.231.0/24.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

WK_IF=sstpwk0
WK_PORT=4460
WK_NET=172.16.231
WK_CONF=$TMP/workers.conf
WK_LOG=$SSTP_LOGDIR/$WK_IF.log
IFF_MULTI_QUEUE=$((0x100))

# wk_start [Key=value...]: the gateway with these keys; one check.
wk_start()
{
	rm -f "$TMP/wk.revoked"
	write_config "$WK_CONF" Listen="$GW_IP:$WK_PORT" Interface="$WK_IF" \
		Pool="$WK_NET.0/24" Route= \
		Gateway.MaxHandshakesPerSource=64 \
		Gateway.MaxSessionsPerCertificate=128 \
		Clients.RevokedFile="$TMP/wk.revoked" "$@"
	CUR_LOG=$WK_LOG
	gw_up "$WK_CONF"
	result $? "sstpctl up starts $WK_IF ($*)" "$TMP/up.out" || return 1
	WK_PID=$(gw_pid "$WK_IF")
}

wk_stop()
{
	gw_down "$WK_IF"
	result $? "sstpctl down $WK_IF" "$TMP/down.out"
	CUR_LOG=
}

# wk_load TAG NS CERT N HOLD [ARGS...]: load mode in the background, PID in
# LPID, JSON report in $TMP/TAG.out.
wk_load()
{
	local tag=$1 ns=$2 cert=$3 n=$4 hold=$5

	shift 5
	spawn "$ns" "$TMP/$tag.out" "$TMP/$tag.err" "$SSTPCTL" connect \
		"$GW_IP:$WK_PORT" --ca "$CA" --cert "$PKI/$cert.crt" \
		--key "$PKI/$cert.key" --name gw.test --load "$n" \
		--hold "$hold" -j "$@"
	LPID=$SPAWNED
}

# tun_flags: the TUN device's flags (IFF_*), from sysfs.
tun_flags() { n0 cat "/sys/class/net/$WK_IF/tun_flags"; }

# wk_blast N: N UDP datagrams from the gateway's namespace to every
# session's address, one flow (source port) per address: the kernel puts
# each flow on some TUN queue by its hash, so about half of them reach a
# worker that does not own the session (load-mode clients never answer, so
# the kernel never learns the owner's queue).
wk_blast()
{
	show_json "$WK_IF" "$TMP/wk.before.json" || return 1
	n0 "$PYTHON" - "$TMP/wk.before.json" "$1" <<'PYEOF'
import json, socket, sys, time
d = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
socks = []
for s in d['sessions']:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect((s['address'], 9))
    socks.append(u)
for i in range(n):
    for u in socks:
        u.send(b'w' * 200)
    time.sleep(0.05)
PYEOF
}

# wk_blast_check N WHAT: every session's tx_packets grew by N since
# wk_blast's snapshot (within 5 s), on every worker.
wk_blast_check()
{
	local n=$1 what=$2 expr

	expr="(lambda b: all(s['tx_packets'] - b.get(s['id'], 0) >= $n for s in d['sessions']) and len(d['sessions']) == len(b))({s['id']: s['tx_packets'] for s in __import__('json').load(open('$TMP/wk.before.json'))['sessions']})"
	show_wait "$WK_IF" "$expr" 5
	result $? "$what: every session got its $n datagrams (handed over $(jget "$SHOW" "d['handoff']"), dropped $(jget "$SHOW" "d['handoff_dropped']"))" "$SHOW" "$TMP/wk.before.json"
}

case_begin workers "per-core workers: sessions on every worker, hand-off, revoke, down"

# --- Workers = 2, the hand-off ring (steering off) ------------------------
SSTPD_NO_STEER=1 wk_start Gateway.Workers=2
grep -q "TUN steering: off (SSTPD_NO_STEER" "$WK_LOG"
result $? "SSTPD_NO_STEER: the log says steering is off and why" "$WK_LOG"
show_ok "$WK_IF" "d['workers'] == 2"
result $? "show -j: workers 2" "$SHOW"
flags=$(tun_flags)
[ -n "$flags" ] && (((flags & IFF_MULTI_QUEUE) != 0)) &&
	[ "$(n0 sh -c "ls -d /sys/class/net/$WK_IF/queues/rx-*" | wc -l)" -eq 2 ]
result $? "$WK_IF is a multi-queue TUN device with 2 queues (tun_flags $flags)"
[ "$(n0 ss -Htln "sport = :$WK_PORT" | wc -l)" -eq 2 ]
result $? "2 listening sockets on :$WK_PORT (SO_REUSEPORT)"

# Sessions land on every worker; echo through each.
wk_load load40 "$NS_C1" good1 40 4 --ping 5
show_wait "$WK_IF" "sum(s['state'] == 'connected' for s in d['sessions']) == 40 and set(s['worker'] for s in d['sessions']) == {0, 1}" 20
result $? "40 load sessions, on both workers ($(jget "$SHOW" "sorted(__import__('collections').Counter(s['worker'] for s in d['sessions']).items())" 2>/dev/null))" "$SHOW"
wait_pid "$LPID" 40
rc=$WAITED
note "load40: $(cat "$TMP/load40.out")"
[ $rc -eq 0 ] && [ "$(jget "$TMP/load40.out" "d['up'] == 40 and d['failed'] == 0 and d['lost'] == 0 and d['echo_received'] >= d['echo_sent'] * 0.9")" = true ]
result $? "--load 40 --ping 5: all up, none lost, echo replies from sessions on both workers (rc $rc)" "$TMP/load40.out" "$TMP/load40.err"
show_wait "$WK_IF" "d['sessions_active'] == 0" 10
result $? "all 40 sessions gone after the run" "$SHOW"

# The hand-off: packets that reach the other worker's queue arrive.
wk_load hold40 "$NS_C1" good1 40 60
show_wait "$WK_IF" "sum(s['state'] == 'connected' for s in d['sessions']) == 40 and set(s['worker'] for s in d['sessions']) == {0, 1}" 20
result $? "40 sessions held, on both workers" "$SHOW"
h0=$(counter "$WK_IF" handoff)
wk_blast 5
wk_blast_check 5 "UDP to 40 sessions"
show_ok "$WK_IF" "d['handoff'] > ${h0:-0} and d['handoff_dropped'] == 0"
result $? "some of them went through the hand-off ring (handoff ${h0:-?} -> $(jget "$SHOW" "d['handoff']")), none dropped" "$SHOW"

# down with sessions on every worker: each gets CALL_DISCONNECT.
gw_down "$WK_IF"
result $? "sstpctl down $WK_IF with 40 sessions on 2 workers" "$TMP/down.out"
wait_pid "$LPID" 15
rc=$WAITED
note "hold40: $(cat "$TMP/hold40.out")"
[ "$(jget "$TMP/hold40.out" "d['up'] == 40 and d['lost'] == 40")" = true ]
result $? "down: all 40 sessions ended by the gateway, long before --hold 60 (rc $rc)" "$TMP/hold40.out" "$TMP/hold40.err"
! grep -q "lifecycle\|AddressSanitizer\|runtime error" "$WK_LOG" 2>/dev/null
result $? "no lifecycle or sanitizer report in the log" "$WK_LOG"

# --- revoke across workers, a TCP stream in order ------------------------
wk_start Gateway.Workers=2
wk_load rv1 "$NS_C1" good1 20 60
RV1=$LPID
wk_load rv2 "$NS_C2" good2 20 60
RV2=$LPID
show_wait "$WK_IF" "sum(s['state'] == 'connected' for s in d['sessions']) == 40 and set(s['worker'] for s in d['sessions'] if 'good2' in s['subject']) == {0, 1} and set(s['worker'] for s in d['sessions'] if 'good1' in s['subject']) == {0, 1}" 25
result $? "20 good1 + 20 good2 sessions, each certificate on both workers" "$SHOW"

# Two single-mode clients (TUN in c1 and c2); a TCP stream through each.
start_client wk1 "$NS_C1" good1 "$WK_PORT" --name gw.test --interface sstpwk1
W1_PID=$CPID
wait_up wk1
result $? "single client in c1 up ($CADDR)" "$TMP/wk1.out" "$TMP/wk1.err"
WA1=$CADDR
start_client wk2 "$NS_C2" good1 "$WK_PORT" --name gw.test --interface sstpwk2
W2_PID=$CPID
wait_up wk2
result $? "single client in c2 up ($CADDR)" "$TMP/wk2.out" "$TMP/wk2.err"
WA2=$CADDR
show_json "$WK_IF" "$TMP/wk.json"
note "single clients on workers $(sess_by_addr "$TMP/wk.json" "$WA1" worker) and $(sess_by_addr "$TMP/wk.json" "$WA2" worker)"

# tcp_sink NS ADDR OUT: receive one TCP stream on ADDR:5201, print its
# SHA-256 and length into OUT.
tcp_sink()
{
	spawn "$1" "$3" "$3.err" timeout 60 "$PYTHON" -c '
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5201)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); h = hashlib.sha256(); n = 0
while True:
    b = c.recv(1 << 16)
    if not b: break
    h.update(b); n += len(b)
print(h.hexdigest(), n, flush=True)' "$2"
}
head -c $((24 << 20)) /dev/urandom >"$TMP/wk.blob"
want="$(sha256sum <"$TMP/wk.blob" | cut -d' ' -f1) $((24 << 20))"
tcp_sink "$NS_C1" "$WA1" "$TMP/sink1"
S1=$SPAWNED
tcp_sink "$NS_C2" "$WA2" "$TMP/sink2"
S2=$SPAWNED
wait_file "$TMP/sink1" listening 10 && wait_file "$TMP/sink2" listening 10
senders=()
for a in "$WA1" "$WA2"; do
	n0 "$PYTHON" -c '
import socket, sys
c = socket.create_connection((sys.argv[1], 5201), timeout=30)
c.sendall(open(sys.argv[2], "rb").read()); c.close()' "$a" "$TMP/wk.blob" &
	senders+=($!)
done
for p in "${senders[@]}"; do
	wait_pid "$p" 60
done
wait_pid "$S1" 60
wait_pid "$S2" 60
[ "$(tail -n 1 "$TMP/sink1")" = "$want" ] && [ "$(tail -n 1 "$TMP/sink2")" = "$want" ]
result $? "24 MiB TCP to both single clients at once: same SHA-256 and length as sent" "$TMP/sink1" "$TMP/sink2"

# Order, measured directly rather than through TCP's reordering
# heuristics (which spurious retransmissions under load also move): a
# numbered UDP stream from the gateway's namespace to each client at once;
# each receiver checks every datagram's number is above the one before
# (losses may leave gaps, nothing may come back in time).
udp_order_sink()
{
	spawn "$1" "$3" "$3.err" timeout 60 "$PYTHON" -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind((sys.argv[1], 5202)); s.settimeout(5); print("listening", flush=True)
last, got, back = -1, 0, 0
try:
    while True:
        n = struct.unpack("!I", s.recv(2048)[:4])[0]
        if n == 0xffffffff: break
        if n <= last: back += 1
        last = max(last, n); got += 1
except socket.timeout:
    pass
print(got, back, flush=True)' "$2"
}
udp_order_sink "$NS_C1" "$WA1" "$TMP/usink1"
U1=$SPAWNED
udp_order_sink "$NS_C2" "$WA2" "$TMP/usink2"
U2=$SPAWNED
wait_file "$TMP/usink1" listening 10 && wait_file "$TMP/usink2" listening 10
n0 "$PYTHON" -c '
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
pad = bytes(1200)
for i in range(20000):
    for a in sys.argv[1:]:
        s.sendto(struct.pack("!I", i) + pad, (a, 5202))
    if i % 200 == 199: time.sleep(0.005)
for a in sys.argv[1:]:
    for _ in range(3):
        s.sendto(struct.pack("!I", 0xffffffff), (a, 5202))' "$WA1" "$WA2"
wait_pid "$U1" 30
wait_pid "$U2" 30
read -r got1 back1 < <(tail -n 1 "$TMP/usink1")
read -r got2 back2 < <(tail -n 1 "$TMP/usink2")
[ "${back1:-x}" = 0 ] && [ "${back2:-x}" = 0 ] &&
	[ "${got1:-0}" -ge 10000 ] && [ "${got2:-0}" -ge 10000 ]
result $? "20000 numbered UDP datagrams to each client at once: none out of order (c1: ${got1:-?} received, ${back1:-?} out of order; c2: ${got2:-?}, ${back2:-?})" "$TMP/usink1" "$TMP/usink2"

# Revoke good2: its 20 sessions end on both workers, good1's stay.
pp "$SSTPCTL" revoke "$WK_IF" "$TP_good2" >"$TMP/wk.revoke.out" 2>&1
result $? "sstpctl revoke good2 ($(cat "$TMP/wk.revoke.out"))" "$TMP/wk.revoke.out"
grep -q "$TP_good2" "$TMP/wk.revoked"
result $? "the revocation is stored in RevokedFile" "$TMP/wk.revoked"
show_wait "$WK_IF" "not any('good2' in s['subject'] for s in d['sessions']) and sum('good1' in s['subject'] and s['state'] == 'connected' for s in d['sessions']) == 22 and set(s['worker'] for s in d['sessions']) == {0, 1}" 10
result $? "revoke: no good2 session left on any worker; the 22 good1 sessions stay on both" "$SHOW"
wait_pid "$RV2" 15
[ "$(jget "$TMP/rv2.out" "d['up'] == 20 and d['lost'] == 20")" = true ]
result $? "the good2 load client saw all 20 sessions ended" "$TMP/rv2.out" "$TMP/rv2.err"
n1 ping -c 2 -W 2 "$WK_NET.1" >"$TMP/wk.ping" 2>&1
result $? "the single client in c1 still pings the gateway" "$TMP/wk.ping"

# SIGTERM with sessions on both workers: every one is ended.
kill -TERM "$WK_PID"
wait_pid_gone "$WK_PID"
result $? "SIGTERM: sstpd exits with sessions on 2 workers"
wait_pid "$W1_PID" 10 && wait_pid "$W2_PID" 10
result $? "SIGTERM: both single clients were told and ended" "$TMP/wk1.out" "$TMP/wk2.out"
wait_pid "$RV1" 10
note "rv1: $(cat "$TMP/rv1.out")"
[ "$(jget "$TMP/rv1.out" "d['up'] == 20 and d['lost'] == 20")" = true ]
result $? "SIGTERM: all 20 good1 load sessions ended by the gateway" "$TMP/rv1.out" "$TMP/rv1.err"
CUR_LOG=

# --- Workers = 3 on 2 CPUs, steering where it loads -----------------------
wk_start Gateway.Workers=3
show_ok "$WK_IF" "d['workers'] == 3"
result $? "show -j: workers 3" "$SHOW"
WK_STEER=0
grep -q "TUN steering: eBPF program attached" "$WK_LOG" && WK_STEER=1
grep -q "TUN steering: eBPF program attached\|TUN steering: off (" "$WK_LOG"
result $? "the log says whether TUN steering is on: $(grep -o "TUN steering: [^;]*" "$WK_LOG" | tail -n 1)" "$WK_LOG"
wk_load hold60 "$NS_C1" good1 60 60
show_wait "$WK_IF" "sum(s['state'] == 'connected' for s in d['sessions']) == 60 and set(s['worker'] for s in d['sessions']) == {0, 1, 2}" 25
result $? "60 sessions on all 3 workers ($(jget "$SHOW" "sorted(__import__('collections').Counter(s['worker'] for s in d['sessions']).items())" 2>/dev/null))" "$SHOW"
h0=$(counter "$WK_IF" handoff)
wk_blast 5
wk_blast_check 5 "3 workers: UDP to 60 sessions"
if [ "$WK_STEER" = 1 ]; then
	show_ok "$WK_IF" "d['handoff'] == ${h0:-0}"
	result $? "steered: every datagram reached its owner's queue (handoff stays ${h0:-?})" "$SHOW"
else
	show_ok "$WK_IF" "d['handoff'] > ${h0:-0}"
	result $? "not steered: the hand-off ring carried some (handoff ${h0:-?} -> $(jget "$SHOW" "d['handoff']"))" "$SHOW"
fi
gw_down "$WK_IF"
result $? "sstpctl down $WK_IF with 60 sessions on 3 workers" "$TMP/down.out"
wait_pid "$LPID" 15
[ "$(jget "$TMP/hold60.out" "d['up'] == 60 and d['lost'] == 60")" = true ]
result $? "down: all 60 sessions ended by the gateway" "$TMP/hold60.out" "$TMP/hold60.err"

# --- Workers = 1: as before ----------------------------------------------
wk_start Gateway.Workers=1
show_ok "$WK_IF" "d['workers'] == 1"
result $? "show -j: workers 1" "$SHOW"
flags=$(tun_flags)
[ -n "$flags" ] && (((flags & IFF_MULTI_QUEUE) == 0)) &&
	[ "$(n0 ss -Htln "sport = :$WK_PORT" | wc -l)" -eq 1 ]
result $? "Workers = 1: a plain TUN device (tun_flags $flags), one listening socket"
wk_load one20 "$NS_C1" good1 20 2 --ping 5
wait_pid "$LPID" 40
[ "$(jget "$TMP/one20.out" "d['up'] == 20 and d['failed'] == 0 and d['lost'] == 0 and d['echo_received'] > 0")" = true ]
result $? "Workers = 1: 20 sessions up, echo replies" "$TMP/one20.out" "$TMP/one20.err"
show_ok "$WK_IF" "d['handoff'] == 0"
result $? "Workers = 1: nothing handed over" "$SHOW"
wk_stop
case_end
