# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The session lifecycle under attack, over the network: clients that do
# TLS, HTTP and CALL_CONNECT_REQUEST, flood LCP Configure-Requests without
# reading the replies and reset the connection (SO_LINGER 0). Before the
# registry fix this freed a session still on the gateway's "more" list
# (heap-use-after-free in after_batch; a crash under ASan:
# tests/netns.sh build-asan lifecycle). The gateway must survive 50 of them
# while a legitimate client stays up and pings.
# Sourced by tests/netns.sh (case 0 has made the namespaces and the PKI).

case_begin lifecycle "LCP flood + RST, 50 times, while good1 stays up"
LC_IF=sstplc
LC_PORT=4461
LC_CONF=$SSTP_CONFDIR/lifecycle.conf
CUR_LOG=$SSTP_LOGDIR/$LC_IF.log
write_config "$LC_CONF" Listen=$GW_IP:$LC_PORT Interface=$LC_IF \
	Pool=172.16.211.0/24 Route=
gw_up "$LC_CONF"
result $? "sstpctl up starts the gateway $LC_IF" "$TMP/up.out"
LC_PID=$(gw_pid $LC_IF)
result $? "sstpd for $LC_IF runs (pid ${LC_PID:-none})"

start_client lcgood "$NS_C1" good1 $LC_PORT --name gw.test --interface sstplc0
LC_CPID=$CPID
wait_up lcgood
result $? "good1 comes up on $LC_IF" "$TMP/lcgood.out" "$TMP/lcgood.err"
lc_ping() { n1 ping -c "${1:-1}" -W 2 172.16.211.1 >"$TMP/lcping.out" 2>&1; }
check "good1 pings 172.16.211.1" lc_ping

# Five attackers at a time, ten attacks each, from c2; good1 pings meanwhile.
LC_T0=$(now)
LC_ATT=()
for i in 1 2 3 4 5; do
	spawn "$NS_C2" "$TMP/lcflood$i.probe" "$TMP/lcflood$i.err" timeout 40 \
		"$PYTHON" "$PROBE" lcp-flood-rst "$GW_IP" $LC_PORT --ca "$CA" \
		--flood 0.5 --repeat 10
	LC_ATT+=("$SPAWNED")
done
n1 ping -i 0.5 -c 16 -W 2 172.16.211.1 >"$TMP/lcping-during.out" 2>&1 &
LC_PING=$!
for p in "${LC_ATT[@]}"; do
	wait "$p"
done
wait "$LC_PING"
note "50 flood+RST attacks took $(since "$LC_T0") s"
lc_attacks()
{
	local n

	n=$(cat "$TMP"/lcflood?.probe | grep -Ec '^flood-rst [0-9]+ [0-9]+$')
	# Each one flooded (bytes > 0) after HTTP 200.
	[ "$(cat "$TMP"/lcflood?.probe | awk '/^flood-rst [0-9]+ [0-9]+$/ && $3 > 0' |
		wc -l)" -eq 50 ] || { echo "# $n of 50 attacks flooded"; return 1; }
}
check "the 50 attacks got through TLS, HTTP 200 and flooded" lc_attacks

check "sstpctl show -j answers" show_ok $LC_IF "d['interface'] == '$LC_IF'"
check "the sessions count is back to 1 (good1's)" \
	show_wait $LC_IF "d['sessions_active'] == 1 and len(d['sessions']) == 1 and d['sessions'][0]['state'] == 'connected'" 10
# After the show checks: a sanitizer takes a while to write its report.
kill -0 "$LC_PID" 2>/dev/null
result $? "the gateway survived (pid $LC_PID alive)" "$CUR_LOG"
check "the gateway counted the 51 connections" \
	show_ok $LC_IF "d['accepted'] >= 51"
check "good1 still pings" lc_ping 3
lc_loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' "$TMP/lcping-during.out")
awk -v l="${lc_loss:-100}" 'BEGIN { exit !(l < 10) }'
result $? "good1 pinged during the attacks (${lc_loss:-?}% loss, < 10%)" "$TMP/lcping-during.out"
# The daemon reports a broken lifecycle invariant in its log only.
! grep -q "session lifecycle:" "$CUR_LOG"
result $? "no lifecycle invariant was reported" "$CUR_LOG"

pp kill -TERM "$LC_CPID"
wait_pid "$LC_CPID" 5
gw_down $LC_IF
result $? "sstpctl down $LC_IF" "$TMP/down.out"
CUR_LOG=
case_end
