# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Load-mode bulk traffic (what tests/bench's aggregate runs on): 4 sessions
# from c1 send UDP at 2 Mbit/s each for 2 s to sstp-reflect on the gateway,
# which echoes them. Bytes both ways > 0, none lost, none mangled, and the
# reflector saw exactly what the client sent. Its own gateway (sstpbk0,
# port 4491, pool 172.16.231.0/24) so that it never meets the others.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin bulk "load-mode bulk traffic through sstp-reflect"
BK_CONF=$SSTP_CONFDIR/bulk.conf
BK_REFLECT=$(dirname "$SSTPCTL")/tests/sstp-reflect
BK_PORT=5301
BK_ARGS=(--ca "$CA" --cert "$PKI/good1.crt" --key "$PKI/good1.key" --name gw.test)
write_config "$BK_CONF" Interface=sstpbk0 Listen="$GW_IP:4491" \
	Pool=172.16.231.0/24 Route= Gateway.MaxHandshakesPerSource=32 \
	Gateway.MaxSessionsPerCertificate=32
CUR_LOG=$SSTP_LOGDIR/sstpbk0.log
gw_up "$BK_CONF"
result $? "sstpctl up starts sstpbk0" "$TMP/up.out"

# Misuse is refused before anything connects.
n1 "$SSTPCTL" connect "$GW_IP:4491" "${BK_ARGS[@]}" --load 2 --bulk $BK_PORT \
	>/dev/null 2>"$TMP/bulk-misuse.err"
[ $? -eq 1 ] && grep -q -- "--bulk needs --load and --hold" "$TMP/bulk-misuse.err"
result $? "--bulk without --hold: usage error (exit 1)" "$TMP/bulk-misuse.err"
"$BK_REFLECT" -p 70000 >/dev/null 2>&1
[ $? -eq 1 ]
result $? "sstp-reflect refuses port 70000 (exit 1)"

rm -f "$TMP/reflect.ready"
spawn "$NS_GW" "$TMP/reflect.json" "$TMP/reflect.err" "$BK_REFLECT" \
	-p $BK_PORT -r "$TMP/reflect.ready"
BK_RPID=$SPAWNED
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -e "$TMP/reflect.ready" ] && break; sleep 0.1; done
[ -e "$TMP/reflect.ready" ]
result $? "sstp-reflect listens on UDP $BK_PORT" "$TMP/reflect.err"

n1 timeout 60 "$SSTPCTL" connect "$GW_IP:4491" "${BK_ARGS[@]}" --load 4 \
	--hold 2 --bulk $BK_PORT --bulk-mbit 2 -j >"$TMP/bulk.out" 2>"$TMP/bulk.err"
rc=$?
note "bulk: $(cat "$TMP/bulk.out")"
[ $rc -eq 0 ] && [ "$(jget "$TMP/bulk.out" "d['up'] == 4 and d['failed'] == 0")" = true ]
result $? "--load 4 --bulk: all 4 up, none failed (rc $rc)" "$TMP/bulk.out" "$TMP/bulk.err"
[ "$(jget "$TMP/bulk.out" "d['bulk']['sent_bytes'] > 0 and d['bulk']['received_bytes'] > 0 and d['bulk']['goodput_mbit'] > 0")" = true ]
result $? "bytes both ways: $(jget "$TMP/bulk.out" "'%d sent, %d received' % (d['bulk']['sent_bytes'], d['bulk']['received_bytes'])" 2>/dev/null)" "$TMP/bulk.out"
# 4 x 2 Mbit/s for 2 s is about 1 MB: well below what the path carries.
[ "$(jget "$TMP/bulk.out" "d['bulk']['lost_datagrams'] == 0 and d['bulk']['invalid_datagrams'] == 0 and d['bulk']['received_bytes'] == d['bulk']['sent_bytes'] and d['bulk']['sent_bytes'] > 4 * 2e6 / 8 * 2 * 0.5")" = true ]
result $? "2 Mbit/s per session: paced, no datagram lost or mangled" "$TMP/bulk.out"

stop_pid "$BK_RPID"
note "reflector: $(cat "$TMP/reflect.json")"
[ "$(jget "$TMP/reflect.json" "d['received_datagrams'] == d['echoed_datagrams'] == $(jget "$TMP/bulk.out" "d['bulk']['sent_datagrams']") and d['echo_errors'] == 0")" = true ]
result $? "the reflector received and echoed every datagram sent" "$TMP/reflect.json" "$TMP/reflect.err"

show_wait sstpbk0 "d['sessions_active'] == 0" 5
result $? "all 4 sessions gone after the run" "$SHOW"
gw_down sstpbk0
result $? "sstpctl down sstpbk0" "$TMP/down.out"
# shellcheck disable=SC2034 # read by result()
CUR_LOG=
case_end
