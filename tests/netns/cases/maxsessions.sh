# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# sstpgw2 with MaxSessions = 2: two sessions held by a load-mode client, a
# third refused every time and counted, a new one welcome once they end.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin maxsessions "MaxSessions"
CONF2=$SSTP_CONFDIR/gw2.conf
LOG2=$SSTP_LOGDIR/sstpgw2.log
CUR_LOG=$LOG2
write_config "$CONF2" Listen=$GW_IP:4445 Interface=sstpgw2 Pool=172.16.203.0/24 \
	MaxSessions=2 Route=
gw_up "$CONF2"
result $? "gateway sstpgw2 with MaxSessions = 2 starts on :4445" "$TMP/up.out"
spawn "$NS_C2" "$TMP/load2.out" "$TMP/load2.err" "$SSTPCTL" connect "$GW_IP:4445" \
	--ca "$CA" --cert "$PKI/good2.crt" --key "$PKI/good2.key" --load 2 --hold 6 -j
LOAD_PID=$SPAWNED
show_wait sstpgw2 "d['sessions_active'] == 2 and all(s['state'] == 'connected' for s in d['sessions'])" 10
result $? "two sessions up (load mode from c2)" "$SHOW" "$TMP/load2.err"
# Five tries: the gateway closes the connection at once, and how the client
# takes that (a message and exit 2, or death by SIGPIPE) depends on timing.
rcs=() ok3=0
for ((i = 0; i < 5; i++)); do
	n1 timeout 30 "$SSTPCTL" connect "$GW_IP:4445" --ca "$CA" --cert "$PKI/good1.crt" \
		--key "$PKI/good1.key" --interface sstpc0 --timeout 5 >"$TMP/third.out" 2>"$TMP/third.err"
	rc=$?
	rcs+=("$rc")
	[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/third.out" && [ -s "$TMP/third.err" ] &&
		ok3=$((ok3 + 1))
done
[ $ok3 -eq 5 ]
result $? "a third session is refused: 5 of 5 tries exit 2 with a message (exit codes: ${rcs[*]}; $(head -c 100 "$TMP/third.err"))" "$TMP/third.out" "$TMP/third.err"
show_ok sstpgw2 "d['sessions_active'] == 2 and d['over_limit'] >= 1"
result $? "  ...the two stay, over_limit counted" "$SHOW"
# The same snapshot: the load client holds its sessions for 6 s only.
[ "$(jget "$SHOW" "d['limits']['refused_max_sessions'] == 5")" = true ]
result $? "  ...show -j: limits.refused_max_sessions 5" "$SHOW"
wait_pid "$LOAD_PID" 20
rc=$WAITED
[ $rc -eq 0 ] && [ "$(jget "$TMP/load2.out" "d['up'] == 2 and d['failed'] == 0")" = true ]
result $? "the load client held 2 sessions and ended cleanly (rc $rc: $(cat "$TMP/load2.out"))" "$TMP/load2.out" "$TMP/load2.err"
show_wait sstpgw2 "d['sessions_active'] == 0" 3
start_client third2 "$NS_C1" good1 4445 --name gw.test --interface sstpc0
C3_PID=$CPID
wait_up third2
result $? "with the slots free again, a new session comes up" "$TMP/third2.out" "$TMP/third2.err"
stop_pid "$C3_PID"
gw_down sstpgw2
result $? "sstpctl down sstpgw2" "$TMP/down.out"
CUR_LOG=
case_end
