# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# sstpgw0 stopping (sstpctl down) and dying (SIGKILL) under a live client:
# the client is told (down:, exit 2) and cleans up, show says no gateway is
# running, and sstpctl up works over the stale control socket.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin crash "gateway stopping or dying under a live client"
gw0_start
start_client good1c "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1c && ping_c1
result $? "good1 up and pinging" "$TMP/good1c.out" "$TMP/good1c.err" "$TMP/ping.out"
before=$(log_lines "$LOG0")
gw_down sstpgw0
result $? "sstpctl down with a live session" "$TMP/down.out"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good1c.out"
result $? "  ...the client is told: down: and exit 2 (rc $rc; $(grep '^down' "$TMP/good1c.out"))" "$TMP/good1c.out" "$TMP/good1c.err"
# The log line is the product: the gateway is gone, and only its log
# tells the operator why the session ended.
log_wait "$LOG0" "$before" "disconnecting" "stopping" 1
result $? "  ...gateway log: the session was disconnected because the gateway is stopping"

gw0_start
start_client good1d "$NS_C1" good1 4443 --name gw.test --interface sstpc0
C1_PID=$CPID
wait_up good1d
result $? "good1 up" "$TMP/good1d.out" "$TMP/good1d.err"
pp kill -KILL "$GW0_PID"
wait_pid "$C1_PID" 5
rc=$WAITED
[ $rc -eq 2 ] && grep -q '^down: ' "$TMP/good1d.out"
result $? "sstpd killed (SIGKILL): the client prints down: and exits 2 within 5 s (rc $rc; $(grep '^down' "$TMP/good1d.out"))" "$TMP/good1d.out" "$TMP/good1d.err"
! n1 ip link show sstpc0 >/dev/null 2>&1
result $? "  ...and its TUN device is gone"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q "no gateway is running" "$TMP/show.txt"
result $? "show after the crash: no gateway is running (rc $rc)" "$TMP/show.txt"
gw_up "$CONF0"
result $? "sstpctl up after the crash (stale control socket) works" "$TMP/up.out"
gw0_stop
case_end
