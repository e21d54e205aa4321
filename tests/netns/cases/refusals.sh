# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Refusals on sstpgw0 while good1 and good2 stay up: certificates (unknown
# root, expired, no EKU, revoked), HTTP and TCP garbage, broken framing, a
# full data packet too early; and on sstpgw1 (short timers) a bad crypto
# binding, stalled handshakes and a truncated frame held open. Each is
# counted in show -j; good1 keeps pinging and the gateway keeps running.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin refusals "refusals: certificates, garbage, framing, binding, stalls"
gw0_start
good1_up
good2_up
CONF1=$SSTP_CONFDIR/gw1.conf
LOG1=$SSTP_LOGDIR/sstpgw1.log
# Short timers for the stalls and the negotiation timeout.
write_config "$CONF1" Listen=$GW_IP:4444 Interface=sstpgw1 \
	Pool=172.16.202.0/24 HandshakeTimeout=2 NegotiationTimeout=3 Route=

# Certificates, from c2 (good2's TUN is sstpc0 there; a refused client never
# gets as far as a TUN device, but give it its own name anyway).
for spec in "unknown-root:trusted root" "expired:expired" "no-eku:EKU" "revoked:revoked"; do
	label=${spec%%:*} reason=${spec#*:}
	cn=${CN_OF[$label]}
	before=$(log_lines "$LOG0")
	refused=$(counter sstpgw0 refused)
	established=$(counter sstpgw0 established)
	n2 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" \
		--cert "$PKI/$label.crt" --key "$PKI/$label.key" --name gw.test \
		--interface sstpr0 --timeout 10 >"$TMP/$label.out" 2>"$TMP/$label.err"
	rc=$?
	[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/$label.out" && [ -s "$TMP/$label.err" ]
	result $? "$label: client refused, exit 2 (rc $rc: $(head -c 120 "$TMP/$label.err"))" "$TMP/$label.out" "$TMP/$label.err"
	counter_grew sstpgw0 refused "$refused" &&
		show_ok sstpgw0 "d['established'] == $established"
	result $? "$label: show -j counts the refusal, nothing established" "$SHOW"
	# The reason in the log is the product: show -j counts refusals but
	# only the log says whose and why.
	log_wait "$LOG0" "$before" "$cn" "$reason" 3
	result $? "$label: gateway log names $cn and \"$reason\""
	ping_c1
	result $? "$label: good1 still pings" "$TMP/ping.out"
done


# Each refusal below: the probe's view, then the gateway's state in show -j
# (the refusal counted, the peer gone), not its log wording.
refused=$(counter sstpgw0 refused)
probe http-garbage http-garbage 4443 --wait 5
grep -q '^http-status 4[0-9][0-9]' "$TMP/http-garbage.probe"
result $? "random bytes instead of HTTP: a 4xx answer ($(grep http-status "$TMP/http-garbage.probe"))" "$TMP/http-garbage.probe"
counter_grew sstpgw0 refused "$refused" && gone_from_show sstpgw0 "$PEER" 3
result $? "  ...show -j counts the refusal of $PEER and no longer lists it" "$SHOW"
grep -q '^closed-by-peer' "$TMP/http-garbage.probe"
result $? "  ...and drops the connection" "$TMP/http-garbage.probe"

refused=$(counter sstpgw0 refused)
probe tcp-garbage tcp-garbage 4443 --wait 5
grep -q '^closed-by-peer' "$TMP/tcp-garbage.probe"
result $? "plain TCP garbage: connection dropped" "$TMP/tcp-garbage.probe"
counter_grew sstpgw0 refused "$refused" && gone_from_show sstpgw0 "$PEER" 3
result $? "  ...show -j counts the refused handshake of $PEER and no longer lists it" "$SHOW"

refused=$(counter sstpgw0 refused)
probe truncated truncated 4443
grep -q '^http-status 200' "$TMP/truncated.probe"
result $? "truncated frame: HTTP 200 first" "$TMP/truncated.probe"
gone_from_show sstpgw0 "$PEER" 3 && counter_grew sstpgw0 refused "$refused"
result $? "  ...a 4095-byte header with 10 bytes then EOF: session closed, counted as refused, gone from show" "$SHOW"

for mode in bad-version short-length; do
	refused=$(counter sstpgw0 refused)
	probe "$mode" "$mode" 4443 --wait 5
	grep -q '^http-status 200' "$TMP/$mode.probe" && grep -q '^closed-by-peer' "$TMP/$mode.probe"
	result $? "$mode: connection dropped after the HTTP 200" "$TMP/$mode.probe"
	counter_grew sstpgw0 refused "$refused" && gone_from_show sstpgw0 "$PEER" 3
	result $? "  ...show -j counts the framing error of $PEER as a refusal and no longer lists it" "$SHOW"
done

established=$(counter sstpgw0 established)
probe maxframe maxframe 4443 --wait 6
grep -q '^control CALL_ABORT' "$TMP/maxframe.probe" && grep -q '^closed-by-peer' "$TMP/maxframe.probe"
result $? "a full 4095-byte data packet before CALL_CONNECT_REQUEST: CALL_ABORT, then closed" "$TMP/maxframe.probe"
# An abort the peer acknowledges is not counted in refused: check that it
# is gone and never counted as established.
gone_from_show sstpgw0 "$PEER" 3 && show_ok sstpgw0 "d['established'] == $established"
result $? "  ...gone from show, never established" "$SHOW"
ping_c1
result $? "good1 still pings after the garbage" "$TMP/ping.out"

# Timers, on the second gateway (HandshakeTimeout 2, NegotiationTimeout 3).
CUR_LOG=$LOG1
gw_up "$CONF1"
result $? "second gateway sstpgw1 (short timers) starts on :4444" "$TMP/up.out"
refused=$(counter sstpgw1 refused)
established=$(counter sstpgw1 established)
probe_bg binding bad-binding 4444 --wait 10
BIND_PID=$SPAWNED
wait_file "$TMP/binding.probe" '^sent CALL_CONNECTED' 10
result $? "bad binding: CALL_CONNECT_ACK received, CALL_CONNECTED with a garbage MAC sent" "$TMP/binding.probe"
t_cc=$(now)
PEER=$(peer_of binding)
show_ok sstpgw1 "any(s['peer'] == '$PEER' and s['address'] is None and s['state'] != 'connected' for s in d['sessions'])"
result $? "  ...the session waits unauthenticated: no address, not connected" "$SHOW"
gone_from_show sstpgw1 "$PEER" 8
rc=$?
gone=$(since "$t_cc")
result $rc "  ...gone from show ${gone} s after CALL_CONNECTED (limit 8 s, NegotiationTimeout 3)" "$TMP/binding.probe"
counter_grew sstpgw1 refused "$refused"
result $? "  ...show -j counts it as refused (crypto binding or negotiation timeout)" "$SHOW"
show_ok sstpgw1 "d['established'] == $established"
result $? "  ...and never brought the session up: established still $established" "$SHOW"
wait_pid "$BIND_PID" 15
grep -q '^abort status' "$TMP/binding.probe"
result $? "  ...the probe received CALL_ABORT ($(grep '^abort' "$TMP/binding.probe"))" "$TMP/binding.probe"

refused=$(counter sstpgw1 refused)
for mode in stall stall-hello stall-http; do
	probe_bg "$mode" "$mode" 4444 --wait 8
done
for mode in stall stall-hello stall-http; do
	wait_file "$TMP/$mode.probe" '^local ' 5
done
sleep 0.5
show_ok sstpgw1 "all(any(s['peer'] == p for s in d['sessions']) for p in '$(peer_of stall) $(peer_of stall-hello) $(peer_of stall-http)'.split())"
result $? "three stalled handshakes are listed by show meanwhile" "$SHOW"
k=0
for mode in stall stall-hello stall-http; do
	k=$((k + 1))
	PEER=$(peer_of "$mode")
	wait_file "$TMP/$mode.probe" '^(closed-by-peer|still-open)' 10
	secs=$(sed -n 's/^closed-by-peer //p' "$TMP/$mode.probe")
	[ -n "$secs" ] && awk -v s="$secs" 'BEGIN { exit !(s >= 1.5 && s <= 4.5) }'
	result $? "$mode: dropped after ${secs:-never} s (HandshakeTimeout 2)" "$TMP/$mode.probe"
	gone_from_show sstpgw1 "$PEER" 2
	result $? "  ...and show no longer lists it" "$SHOW"
	counter_grew sstpgw1 refused "$refused" "$k"
	result $? "  ...show -j counts $k timed-out handshake(s) as refused" "$SHOW"
done

refused=$(counter sstpgw1 refused)
t0=$(now)
probe truncated-hold truncated-hold 4444 --wait 8
took=$(since "$t0")
grep -q '^closed-by-peer' "$TMP/truncated-hold.probe"
result $? "a truncated frame held open does not wedge the session: closed by the gateway" "$TMP/truncated-hold.probe"
counter_grew sstpgw1 refused "$refused" &&
	awk -v s="$took" 'BEGIN { exit !(s >= 1.5) }'
result $? "  ...by a timer, not at once (the probe ran $took s), counted as refused" "$SHOW" "$TMP/truncated-hold.probe"
show_ok sstpgw1 "d['sessions_active'] == 0"
result $? "sstpgw1 has no sessions left" "$SHOW"

CUR_LOG=$LOG0
ping_c1 172.16.201.1 2
result $? "after all refusals good1 still pings" "$TMP/ping.out"
show_ok sstpgw0 "d['sessions_active'] == 2 and sorted(s['address'] for s in d['sessions']) == sorted(['$A1', '$A2'])"
result $? "after all refusals sstpgw0 has exactly good1 and good2" "$SHOW"
kill -0 "$GW0_PID" 2>/dev/null
result $? "sstpd (pid $GW0_PID) is still running"
gw_down sstpgw1
result $? "sstpctl down sstpgw1" "$TMP/down.out"
gw0_stop
case_end
