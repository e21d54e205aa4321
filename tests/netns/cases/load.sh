# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Load mode: sstpctl connect --load 20 --ping 5 from c1 with one
# certificate; show -j sees 20 connected sessions with 20 addresses, every
# one comes up and echoes, and all are gone afterwards.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin load "load mode smoke"
# 20 sessions from one address with one certificate: above the defaults of
# MaxHandshakesPerSource and MaxSessionsPerCertificate.
gw0_start Gateway.MaxHandshakesPerSource=32 Gateway.MaxSessionsPerCertificate=32
spawn "$NS_C1" "$TMP/load20.out" "$TMP/load20.err" "$SSTPCTL" connect "$GW_IP:4443" \
	--ca "$CA" --cert "$PKI/good1.crt" --key "$PKI/good1.key" --name gw.test \
	--load 20 --ping 5 --hold 2 -j
LOAD_PID=$SPAWNED
show_wait sstpgw0 "d['sessions_active'] == 20 and sum(s['state'] == 'connected' for s in d['sessions']) == 20 and len(set(s['address'] for s in d['sessions'])) == 20" 15
result $? "show sees 20 connected sessions with 20 distinct addresses" "$SHOW"
wait_pid "$LOAD_PID" 40
rc=$WAITED
note "load: $(cat "$TMP/load20.out")"
[ $rc -eq 0 ] && [ "$(jget "$TMP/load20.out" "d['sessions'] == 20 and d['up'] == 20 and d['failed'] == 0")" = true ]
result $? "--load 20: all 20 up, none failed (rc $rc)" "$TMP/load20.out" "$TMP/load20.err"
[ "$(jget "$TMP/load20.out" "d['echo_sent'] > 0 and d['echo_received'] > 0")" = true ]
result $? "--ping 5: echo replies received ($(jget "$TMP/load20.out" "'%d sent, %d received' % (d['echo_sent'], d['echo_received'])" 2>/dev/null))" "$TMP/load20.out"
show_wait sstpgw0 "d['sessions_active'] == 0" 5
result $? "all 20 sessions gone after the run" "$SHOW"
gw0_stop
case_end
