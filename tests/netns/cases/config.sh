# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The gateway sstpgw0 starts: show -j, its TUN device, its control socket,
# 100 control requests in a row; a second start and bad configurations
# (Pool overlapping a Route or a route of the namespace, an unknown key)
# are refused and leave nothing behind.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin config "gateway start and configuration refusals"
gw0_start
[ -n "$GW0_PID" ]
result $? "sstpd for sstpgw0 runs in $NS_GW (pid ${GW0_PID:-none})"
check "show -j: interface sstpgw0, 0 sessions, pool 172.16.201.0/24, address 172.16.201.1, 1 root" \
	show_ok sstpgw0 "d['interface'] == 'sstpgw0' and d['sessions_active'] == 0 and d['sessions'] == [] and d['pool'] == '172.16.201.0/24' and d['address'] == '172.16.201.1' and d['roots'] == 1"
n0 ip -4 addr show dev sstpgw0 >"$TMP/addr.out" 2>&1
grep -q "inet 172.16.201.1/24" "$TMP/addr.out"
result $? "TUN sstpgw0 exists with 172.16.201.1/24" "$TMP/addr.out"
check "control socket $SSTP_RUNDIR/sstpgw0.sock exists" test -S "$SSTP_RUNDIR/sstpgw0.sock"
# The kernel data path: this host normally has neither sstp.ko nor kTLS.
if [ -d /sys/module/sstp ]; then
	check "sstp.ko is loaded: show -j names the kernel device sstpgw0k" \
		show_ok sstpgw0 "d['kernel_interface'] == 'sstpgw0k' and d['kernel_sessions'] == 0"
else
	# The log line is the product here: it tells the operator why the
	# kernel data path is off (show -j only says that it is, below).
	grep -q "kernel data path unavailable: the sstp kernel module is not loaded and could not be loaded" "$LOG0"
	result $? "without sstp.ko the gateway logs why the kernel data path is unavailable" "$LOG0"
	check "without sstp.ko show -j has kernel_interface null, 0 kernel sessions" \
		show_ok sstpgw0 "d['kernel_interface'] is None and d['kernel_sessions'] == 0"
fi
ctl_loop()
{
	local i bad=0

	for ((i = 0; i < 100; i++)); do
		pp "$SSTPCTL" show sstpgw0 -j >/dev/null 2>"$TMP/ctl.err" ||
			{ bad=$((bad + 1)); cp "$TMP/ctl.err" "$TMP/ctl.err.last"; }
	done
	[ $bad -eq 0 ] || { echo "#   $bad of 100 failed, last: $(cat "$TMP/ctl.err.last")"; return 1; }
}
check "100 consecutive sstpctl show requests all succeed" ctl_loop
gw_up "$CONF0"
[ $? -ne 0 ] && grep -q "already running" "$TMP/up.out"
result $? "a second sstpctl up for sstpgw0 is refused (already running)" "$TMP/up.out"

BAD=$SSTP_CONFDIR/overlap.conf
write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450 Route="10.1.0.0/16 172.16.0.0/16"
gw_up "$BAD"
rc=$?
[ $rc -ne 0 ] && grep -q "172.16.201.0/24" "$TMP/up.out" && grep -q "172.16.0.0/16" "$TMP/up.out"
result $? "Pool overlapping a Route is refused, naming both (rc $rc: $(head -c 160 "$TMP/up.out"))" "$TMP/up.out"
! n0 ip link show sstpgwx >/dev/null 2>&1 && [ ! -e "$SSTP_RUNDIR/sstpgwx.sock" ]
result $? "  ...and leaves no TUN device or control socket behind"

write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450
sed -i 's/^\[Gateway\]$/[Gateway]\nBogusKey = 1/' "$BAD"
line=$(grep -n '^BogusKey' "$BAD" | cut -d: -f1)
gw_up "$BAD"
rc=$?
[ $rc -ne 0 ] && grep -q "line $line" "$TMP/up.out" && grep -q "BogusKey" "$TMP/up.out"
result $? "an unknown key is refused naming line $line and the key (rc $rc: $(head -c 160 "$TMP/up.out"))" "$TMP/up.out"

write_config "$BAD" Interface=sstpgwx Listen=$GW_IP:4450 Pool=10.99.0.128/25 Route=
n0 timeout 10 "$SSTPD" -c "$BAD" >"$TMP/sstpd.out" 2>&1
rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q "overlaps" "$TMP/sstpd.out" && grep -q "10.99.0.0/24" "$TMP/sstpd.out"
result $? "a Pool overlapping a route of the namespace (10.99.0.0/24 on br0) is refused (rc $rc)" "$TMP/sstpd.out"
gw0_stop
case_end
