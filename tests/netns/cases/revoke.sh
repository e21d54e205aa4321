# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# sstpctl revoke on sstpgw0 with good1 and good2 up: a malformed thumbprint
# is an error; good2's session ends at once, its client is told, good1 stays;
# good2 cannot come back until sstpctl unrevoke.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin revoke "live revocation"
gw0_start
good1_up
good2_up
n0 "$SSTPCTL" revoke sstpgw0 not-a-thumbprint >"$TMP/revoke.out" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -qi "thumbprint" "$TMP/revoke.out"
result $? "revoke with a malformed thumbprint is an error (rc $rc)" "$TMP/revoke.out"
pp "$SSTPCTL" revoke sstpgw0 "$TP_good2" >"$TMP/revoke.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "1 live session" "$TMP/revoke.out"
result $? "sstpctl revoke good2: 1 session ended ($(cat "$TMP/revoke.out"))" "$TMP/revoke.out"
wait_pid "$C2_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good2.out"
result $? "good2's client prints down: and exits 2 (rc $rc, $(grep '^down' "$TMP/good2.out"))" "$TMP/good2.out" "$TMP/good2.err"
ping_c1
result $? "good1 still pings" "$TMP/ping.out"
show_wait sstpgw0 "d['sessions_active'] == 1 and d['sessions'][0]['address'] == '$A1'" 3
result $? "show lists only good1" "$SHOW"
before=$(log_lines "$LOG0")
refused=$(counter sstpgw0 refused)
n2 timeout 30 "$SSTPCTL" connect "$GW_IP:4443" --ca "$CA" --cert "$PKI/good2.crt" \
	--key "$PKI/good2.key" --interface sstpc0 --timeout 10 >"$TMP/good2b.out" 2>"$TMP/good2b.err"
rc=$?
[ $rc -eq 2 ] && ! grep -q '^up:' "$TMP/good2b.out"
result $? "good2 reconnecting is refused (rc $rc)" "$TMP/good2b.out" "$TMP/good2b.err"
counter_grew sstpgw0 refused "$refused" &&
	show_ok sstpgw0 "d['sessions_active'] == 1"
result $? "  ...show -j counts the refusal; good1's session is still the only one" "$SHOW"
# The reason in the log is the product: only the log says whose and why.
log_wait "$LOG0" "$before" "$CN_good2" "revoked" 3
result $? "  ...gateway log names $CN_good2 and \"revoked\""
# Revocations outlive the gateway (under $SSTP_STATEDIR): withdraw this one
# so that every case may use good2 again.
pp "$SSTPCTL" unrevoke sstpgw0 "$TP_good2" >"$TMP/unrevoke.out" 2>&1
rc=$?
pp "$SSTPCTL" revoked sstpgw0 -j >"$TMP/revoked.json" 2>&1
[ $rc -eq 0 ] && [ "$(jget "$TMP/revoked.json" "all(r['thumbprint'] != '$TP_good2' for r in d['revoked'])")" = true ]
result $? "sstpctl unrevoke good2: no longer in the revoked list (rc $rc)" "$TMP/unrevoke.out" "$TMP/revoked.json"
gw0_stop
case_end
