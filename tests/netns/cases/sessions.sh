# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Two clients on sstpgw0 at the same time: good1 from c1 by name, good2
# from c2 by address; their addresses, routes, pings both ways, what show -j
# and show say about them, and iperf3 through the tunnel both ways.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

# A fragment of tests/netns.sh: it reads variables the harness sets (the PKI's
# TP_*/CN_*, PIDs, addresses) and sets some the harness reads (CUR_LOG).
# shellcheck disable=SC2034,SC2154

case_begin sessions "good1 and good2 at once: addresses, pings, show; iperf3 both ways"
gw0_start
start_client good1 "$NS_C1" good1 4443 --name gw.test --interface sstpc0 --route 10.1.0.0/16
C1_PID=$CPID
wait_up good1
result $? "good1 prints an up: line" "$TMP/good1.out" "$TMP/good1.err"
A1=$CADDR
in_pool "$A1" 172.16.201
result $? "good1's address ${A1:-none} is in the pool 172.16.201.0/24 and not the gateway's"
grep -Eq '^up: interface sstpc0 address [0-9.]+ gateway 172\.16\.201\.1 dns 10\.1\.0\.4 10\.1\.0\.5( |$)' "$TMP/good1.out"
result $? "up: line names sstpc0, gateway 172.16.201.1, DNS 10.1.0.4 10.1.0.5" "$TMP/good1.out"
n1 ip -4 addr show dev sstpc0 2>&1 | grep -q "inet $A1 peer 172.16.201.1/32"
result $? "sstpc0 in c1 has $A1 peer 172.16.201.1"
n1 ip route show 10.1.0.0/16 2>&1 | grep -q "dev sstpc0"
result $? "--route 10.1.0.0/16 goes through sstpc0"
ping_c1 172.16.201.1 3
result $? "ping c1 -> 172.16.201.1 through the tunnel" "$TMP/ping.out"
n0 ping -c 3 -W 2 "${A1:-0.0.0.0}" >"$TMP/ping.out" 2>&1
result $? "ping gw -> $A1 (the reverse direction)" "$TMP/ping.out"

note "good2 from c2 at the same time"
# By IP address: the server certificate's IP SAN must match.
start_client good2 "$NS_C2" good2 4443 --interface sstpc0
C2_PID=$CPID
wait_up good2
result $? "good2 (connecting by IP address) prints an up: line" "$TMP/good2.out" "$TMP/good2.err"
A2=$CADDR
in_pool "$A2" 172.16.201 && [ "$A2" != "$A1" ]
result $? "good2's address ${A2:-none} is in the pool and differs from good1's $A1"
kill -0 "$C1_PID" 2>/dev/null
result $? "good1's client is still running"
ping_c1 172.16.201.1 2
result $? "good1 still pings" "$TMP/ping.out"
n2 ping -c 2 -W 2 172.16.201.1 >"$TMP/ping2.out" 2>&1
result $? "ping c2 -> 172.16.201.1" "$TMP/ping2.out"
show_ok sstpgw0 "d['sessions_active'] == 2 and len(d['sessions']) == 2"
result $? "show -j lists 2 sessions" "$SHOW"
for who in good1:"$A1" good2:"$A2"; do
	label=${who%%:*} addr=${who#*:}
	tpv=TP_$label cnv=CN_$label
	tp=$(sess_by_addr "$SHOW" "$addr" thumbprint 2>/dev/null)
	[ "$tp" = "${!tpv}" ]
	result $? "$label's session ($addr) has thumbprint ${!tpv} (show: ${tp:-none})" "$SHOW"
	subj=$(sess_by_addr "$SHOW" "$addr" subject 2>/dev/null)
	case $subj in *"CN=${!cnv}"* | *"CN = ${!cnv}"*) r=0 ;; *) r=1 ;; esac
	result $r "$label's subject names CN ${!cnv} (show: ${subj:-none})" "$SHOW"
	[ "$(sess_by_addr "$SHOW" "$addr" state)" = connected ] &&
		[ "$(sess_by_addr "$SHOW" "$addr" path)" = userspace ]
	result $? "$label: state connected, path userspace" "$SHOW"
	rx=$(sess_by_addr "$SHOW" "$addr" rx_bytes) tx=$(sess_by_addr "$SHOW" "$addr" tx_bytes)
	[ "${rx:-0}" -gt 0 ] && [ "${tx:-0}" -gt 0 ]
	result $? "$label: rx_bytes ${rx:-?} and tx_bytes ${tx:-?} > 0 after pings" "$SHOW"
done
peer1=$(sess_by_addr "$SHOW" "$A1" peer 2>/dev/null)
case $peer1 in "$C1_IP":*) r=0 ;; *) r=1 ;; esac
result $r "good1's session peer is c1's address ($peer1)" "$SHOW"
pp "$SSTPCTL" show sstpgw0 >"$TMP/show.txt" 2>&1 &&
	grep -q "$CN_good1" "$TMP/show.txt" && grep -q "$CN_good2" "$TMP/show.txt"
result $? "plain show lists both clients" "$TMP/show.txt"

note "iperf3 through the tunnel, both directions"
spawn "$NS_GW" "$TMP/iperf-s.out" "$TMP/iperf-s.err" iperf3 -s -B 172.16.201.1 -p 5201
IPERF_PID=$SPAWNED
for ((i = 0; i < 50; i++)); do
	n0 ss -ltn 2>/dev/null | grep -q "172.16.201.1:5201" && break
	sleep 0.1
done
for dir in up down; do
	args=()
	[ $dir = down ] && args=(-R)
	n1 timeout 30 iperf3 -c 172.16.201.1 -p 5201 -t 3 -J "${args[@]}" >"$TMP/iperf-$dir.json" 2>"$TMP/iperf-$dir.err"
	rc=$?
	bps=$(jget "$TMP/iperf-$dir.json" "d['end']['sum_received']['bits_per_second']" 2>/dev/null)
	mbps=$(awk -v b="${bps:-0}" 'BEGIN { printf "%.1f", b / 1e6 }')
	[ $rc -eq 0 ] && awk -v b="${bps:-0}" 'BEGIN { exit !(b > 0) }'
	result $? "iperf3 c1 -> gw${args[*]:+ (-R)}: $mbps Mbit/s received (rc $rc)" "$TMP/iperf-$dir.err" "$TMP/iperf-$dir.json"
done
stop_pid "$IPERF_PID"
show_ok sstpgw0 "d['sessions_active'] == 2"
result $? "both sessions survive iperf3" "$SHOW"
gw0_stop
case_end
