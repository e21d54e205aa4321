# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# A clean end on both sides: good1 on SIGTERM (its TUN device goes, it
# comes back and goes again), then sstpctl down sstpgw0 (the daemon, its TUN
# device and its control socket go).
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin teardown "clean teardown"
gw0_start
good1_up
show_ok sstpgw0 "True" >/dev/null
PEER1=$(sess_by_addr "$SHOW" "$A1" peer 2>/dev/null)
t0=$(now)
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
rc=$WAITED
result $rc "SIGTERM: good1's client exits 0 within 5 s (rc $rc after $(since "$t0") s; $(grep '^down' "$TMP/good1.out"))" "$TMP/good1.out" "$TMP/good1.err"
gone_from_show sstpgw0 "$PEER1" 3
result $? "show -j no longer lists $PEER1" "$SHOW"
show_wait sstpgw0 "d['sessions_active'] == 0 and d['sessions'] == []" 3
result $? "show lists 0 sessions" "$SHOW"
! n1 ip link show sstpc0 >/dev/null 2>&1
result $? "sstpc0 is gone from c1"
start_client good1b "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1b && in_pool "$CADDR" 172.16.201
result $? "good1 connects again (address ${CADDR:-none})" "$TMP/good1b.out" "$TMP/good1b.err"
ping_c1 172.16.201.1 2
result $? "  ...and pings" "$TMP/ping.out"
pp kill -TERM "$C1_PID"
wait_pid "$C1_PID" 5
result "$WAITED" "  ...and exits 0 on SIGTERM again"
show_wait sstpgw0 "d['sessions_active'] == 0" 3
result $? "  ...0 sessions again" "$SHOW"
before=$(log_lines "$LOG0")
n0 "$SSTPCTL" down sstpgw0 >"$TMP/down.out" 2>&1
rc=$?
[ $rc -eq 0 ] && grep -q "sstpgw0 is down" "$TMP/down.out"
result $? "sstpctl down sstpgw0 (rc $rc)" "$TMP/down.out"
wait_pid_gone "$GW0_PID"
result $? "sstpd (pid $GW0_PID) has exited"
# If down failed, stop it by its PID so that the cases after this one run.
kill -0 "$GW0_PID" 2>/dev/null && { kill -TERM "$GW0_PID"; wait_pid_gone "$GW0_PID"; }
! n0 ip link show sstpgw0 >/dev/null 2>&1
result $? "TUN sstpgw0 is gone"
[ ! -e "$SSTP_RUNDIR/sstpgw0.sock" ]
result $? "control socket is gone"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no gateway is running" "$TMP/show.txt"
result $? "show afterwards: no gateway is running (rc $rc)" "$TMP/show.txt"
# The log line is the product: sstpctl up detaches the daemon, so its own
# record of a clean stop is all that tells it from a crash afterwards.
log_after "$LOG0" "$before" | grep -q "stopped"
result $? "gateway log ends with \"stopped\""
C1_PID='' C2_PID='' CUR_LOG=''
case_end
