# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case kernel: the gateway's sstp.ko data path.

# kernel_our_client TLS: our client on the kernel path both ends.
kernel_our_client()
{
	local v=$1 tag=kours$1 line kid path st

	gw_mark
	client_start "$tag" ours --tls "$v"
	result $? "kernel: TLS $v: sstpctl connect comes up (${CADDR:-none})" \
		"$L/$tag.out" "$L/$tag.err"
	path=$(client_path "$tag")
	[ "$path" = kernel ]
	result $? "kernel: TLS $v: the client reports path kernel (got ${path:-nothing}; module loaded, kTLS on)" \
		"$L/$tag.out" "$L/$tag.err"
	ip -n c1 -d link show 2>/dev/null | grep -q ' sstp '
	result $? "kernel: TLS $v: the client's sstp device exists in ns c1" "$L/$tag.out"
	show_wait 10 '"subject":"CN=client1@vm.test"' \
		"\"address\":\"${CADDR:-none}\"" '"path":"kernel"'
	st=$?
	kid=$(kget "$SHOWN" id)
	[ "$st" = 0 ] && [ -n "$kid" ]
	result $? "kernel: TLS $v: show -j: the gateway has CN=client1@vm.test at ${CADDR:-?} on path kernel ($KIF session ${kid:-?})" \
		"$L/show.json"
	n1 ping -c 5 -W 5 "$GW_IN" >"$L/$tag.ping1" 2>&1
	result $? "kernel: TLS $v: ping client -> gateway $GW_IN" "$L/$tag.ping1"
	n0 ping -c 5 -W 5 "${CADDR:-none}" >"$L/$tag.ping2" 2>&1
	result $? "kernel: TLS $v: ping gateway -> client ${CADDR:-?} (via $KIF)" "$L/$tag.ping2"
	ip -n gw route get "${CADDR:-none}" >"$L/$tag.route" 2>&1 &&
		grep -q "dev $KIF .*src $GW_IN" "$L/$tag.route"
	result $? "kernel: TLS $v: the gateway routes ${CADDR:-?} to $KIF from $GW_IN ($(head -n 1 "$L/$tag.route"))" \
		"$L/$tag.route"
	iperf_both c1 "kernel: TLS $v" "$GW_IN" 3
	show_json
	line=$(line_of '"subject":"CN=client1@vm.test"')
	path=$(jget "$line" path)
	[ "$path" = kernel ] && [ -n "$(kget "$line" id)" ] && [ "$(kget "$line" id)" = "${kid:-none}" ]
	result $? "kernel: TLS $v: show -j after the traffic: still path kernel, kernel id $(kget "$line" id) as at the start (${kid:-?})" \
		"$L/show.json"
	note "kernel: TLS $v: gateway session counters: rx_packets $(kget "$line" rx_packets) tx_packets $(kget "$line" tx_packets) rx_bytes $(kget "$line" rx_bytes) tx_bytes $(kget "$line" tx_bytes) echo $(kget "$line" echo_packets) rx_ctrl $(kget "$line" rx_ctrl_packets) tx_ctrl $(kget "$line" tx_ctrl_packets) drops $(kget "$line" rx_drop_rpf)/$(kget "$line" rx_drop_invalid)/$(kget "$line" rx_drop_ctrl)/$(kget "$line" tx_drop_queue)/$(kget "$line" tx_drop_invalid)"
	[ "$(kget "$line" rx_packets)" -ge 10 ] 2>/dev/null &&
		[ "$(kget "$line" tx_packets)" -ge 10 ] 2>/dev/null &&
		[ "$(kget "$line" rx_bytes)" -gt 1000000 ] 2>/dev/null &&
		[ "$(kget "$line" tx_bytes)" -gt 1000000 ] 2>/dev/null
	result $? "kernel: TLS $v: the kernel session counted the pings and iperf3 both ways" \
		"$L/show.json"
	[ "$(kdebug)" = 2 ]
	result $? "kernel: TLS $v: debug_sessions is 2 (gateway and client end; got $(kdebug))"
	gw_mark
	kill -TERM "$CPID" 2>/dev/null
	wait_gone "$CPID" 15
	result $? "kernel: TLS $v: the client exits on SIGTERM" "$L/$tag.out" "$L/$tag.err"
	reap "$CPID"
	st=$?
	result "$st" "kernel: TLS $v: ... with status 0" "$L/$tag.err"
	gw_wait 'closed: client disconnected' 10
	result $? "kernel: TLS $v: gateway log: closed: client disconnected"
	kdebug_wait 0 10
	result $? "kernel: TLS $v: debug_sessions back to 0 (got $(kdebug))"
	show_has '"sessions_active":0' && [ "$(kdump)" = "sessions: 0" ] &&
		! ip -n gw route show "${CADDR:-none}" 2>/dev/null | grep -q .
	result $? "kernel: TLS $v: no session left (show -j, module dump: $(kdump)), route gone" \
		"$L/show.json" "$L/kdump.out"
}

kernel_sstpc()
{
	local rounds=3 bad=0 i line path retried try

	check "kernel: sstpd starts (TLSMaxVersion = 1.2, kernel path)" \
		gw_start "TLSMaxVersion = 1.2" || return
	gw_mark
	sstpc_up ksstpc eap client2@vm.test
	show_wait 10 '"subject":"CN=client2@vm.test"' \
		"\"address\":\"${SADDR:-none}\"" '"state":"connected"'
	result $? "kernel: sstpc: show -j: crypto binding verified, CN=client2@vm.test at ${SADDR:-?}, connected" \
		"$L/show.json" "$L/ksstpc.sstpc.log" "$L/ksstpc.pppd.log"
	show_wait 10 '"subject":"CN=client2@vm.test"' '"path":"kernel"'
	result $? "kernel: sstpc: show -j: path kernel ($KIF session $(kget "$SHOWN" id))" \
		"$L/show.json"
	n2 ping -c 5 -W 5 "$GW_IN" >"$L/ksstpc.ping1" 2>&1 && was_up
	result $? "kernel: sstpc: ping client -> gateway over ppp0" "$L/ksstpc.ping1"
	n0 ping -c 5 -W 5 "${SADDR:-none}" >"$L/ksstpc.ping2" 2>&1
	result $? "kernel: sstpc: ping gateway -> client ${SADDR:-?} via $KIF" "$L/ksstpc.ping2"
	ip -n gw route get "${SADDR:-none}" >"$L/ksstpc.route" 2>&1 &&
		grep -q "dev $KIF .*src $GW_IN" "$L/ksstpc.route"
	result $? "kernel: sstpc: the gateway routes ${SADDR:-?} to $KIF from $GW_IN ($(head -n 1 "$L/ksstpc.route"))" \
		"$L/ksstpc.route"
	iperf_both c2 "kernel: sstpc" "$GW_IN" 3
	show_json
	line=$(line_of '"subject":"CN=client2@vm.test"')
	path=$(jget "$line" path)
	[ "$path" = kernel ] && [ "$(kget "$line" rx_packets)" -ge 10 ] 2>/dev/null &&
		[ "$(kget "$line" tx_packets)" -ge 10 ] 2>/dev/null
	result $? "kernel: sstpc: show -j: path kernel (got ${path:-nothing}), counters rx $(kget "$line" rx_packets) tx $(kget "$line" tx_packets) packets" \
		"$L/show.json"
	gw_mark
	was_up && term_pppd && sstpc_gone 30
	result $? "kernel: sstpc: SIGTERM to pppd: pppd and sstpc exit" \
		"$L/ksstpc.sstpc.log" "$L/ksstpc.pppd.log"
	was_up && gw_wait 'closed: ' 10 && show_has '"sessions_active":0'
	result $? "kernel: sstpc: ... the gateway ends the session ($(gw_since | grep -o 'closed: .*' | head -n 1))" \
		"$L/show.json"
	sstpc_stop
	retried=0
	for ((i = 1; i <= rounds; i++)); do
		for try in 1 2; do
			gw_mark
			sstpc_start "kround$i" eap client2@vm.test
			if wait_ppp 60 &&
			   show_wait 10 "\"address\":\"${SADDR:-none}\"" '"path":"kernel"' &&
			   n2 ping -c 2 -W 5 "$GW_IN" >/dev/null 2>&1; then
				rm -f "$L/kround$i.pppd.log" "$L/kround$i.sstpc.log"
				break
			fi
			if [ "$try" = 1 ] && sstpc_stalled "kround$i"; then
				retried=$((retried + 1))
				note "kernel round $i: sstpc stalled with the gateway's answer unread; one more try"
				term_pppd
				sstpc_gone 10
				sstpc_stop
				continue
			fi
			bad=$((bad + 1))
			note "kernel round $i: sstpc: $(tail -n 1 "$L/kround$i.sstpc.log" | tr -d '\000'); gateway: $(gw_since | tail -n 1)"
			break
		done
		term_pppd
		sstpc_gone 10
		sstpc_stop
	done
	[ "$bad" -eq 0 ]
	result $? "kernel: sstpc: $rounds more sessions in a row come up on the kernel path and ping ($bad did not; $retried retried after sstpc's own stall)"
	kdebug_wait 0 10
	result $? "kernel: sstpc: debug_sessions back to 0 (got $(kdebug))"
	check "kernel: sstpc: sstpctl down stops the gateway" gw_stop
}

# 200 sessions from load mode (userspace clients, kernel path on the
# gateway), held, pinged, then ended: the module's objects come back to 0.
kernel_many()
{
	local n=${VM_KSESSIONS:-200} lpid i up=0 kn t0 dump out=$L/kload.out
	local sent recv

	check "kernel: many: sstpd starts" gw_start "MaxSessions = $((n + 10))" \
		"MaxConnectionsPerSource = $((n + 10))" \
		"MaxHandshakesPerSource = 64" \
		"MaxSessionsPerCertificate = $((n + 10))" ||
		return
	gw_mark
	t0=$(now)
	spawn c1 "$out" "$L/kload.err" sstpctl connect "$GW1:$PORT" \
		--name gw.test --ca "$CA" --cert "$PKI/ours.crt" \
		--key "$PKI/ours.key" --timeout 200 --load "$n" --parallel 16 \
		--ping 1 --hold 20 -j
	lpid=$SPAWNED
	# Sessions move to the module just after they come up.
	for ((i = 0; i < 300; i++)); do
		show_json
		up=$(gw_json sessions_active)
		kn=$(gw_json kernel_sessions)
		[ "${up:-0}" -ge "$n" ] && [ "${kn:-0}" -ge "$n" ] && break
		running "$lpid" || break
		sleep 1
	done
	[ "${up:-0}" -ge "$n" ]
	result $? "kernel: many: $n sessions up at the gateway in $(since "$t0") s (got ${up:-0})" \
		"$out" "$L/kload.err"
	kn=$(show_lines | grep -c '"path":"kernel"')
	[ "$kn" -eq "$n" ]
	result $? "kernel: many: all of them on the kernel path in show -j ($kn)" "$L/show.json"
	kn=$(gw_json kernel_sessions)
	[ "${kn:-0}" -eq "$n" ]
	result $? "kernel: many: gateway kernel_sessions $kn" "$L/show.json"
	[ "$(kdebug)" = "$n" ]
	result $? "kernel: many: debug_sessions is $n (got $(kdebug))"
	dump=$(kdump)
	[ "$dump" = "sessions: $n" ]
	result $? "kernel: many: the module's session dump of $KIF has $n (${dump})" "$L/kdump.out"
	[ "$(ip -n gw route show dev "$KIF" | grep -c .)" -ge "$n" ]
	result $? "kernel: many: $n /32 routes on $KIF ($(ip -n gw route show dev "$KIF" | grep -c .))"
	wait_gone "$lpid" 120
	reap "$lpid"
	result $? "kernel: many: the load run ends with status 0: $(tail -n 1 "$out")" \
		"$out" "$L/kload.err"
	sent=$(sed -n 's/.*"echo_sent":\([0-9]*\).*/\1/p' "$out")
	recv=$(sed -n 's/.*"echo_received":\([0-9]*\).*/\1/p' "$out")
	# Each session may have one echo request in flight when it ends.
	grep -q "\"up\":$n,\"failed\":0,\"lost\":0" "$out" &&
		[ "${sent:-0}" -ge $((n * 5)) ] && [ "${recv:-0}" -ge $((${sent:-0} - n)) ]
	result $? "kernel: many: $n up, none failed or lost; echo replies ${recv:-?} of ${sent:-?} through the kernel path (at most one a session in flight at the end)" \
		"$out"
	for ((i = 0; i < 60; i++)); do
		show_has '"sessions_active":0' && break
		sleep 0.5
	done
	show_has '"sessions_active":0'
	result $? "kernel: many: no session left in show -j" "$L/show.json"
	kdebug_wait 0 20
	result $? "kernel: many: debug_sessions back to 0 (got $(kdebug))"
	dump=$(kdump)
	[ "$dump" = "sessions: 0" ] && ! ip -n gw route show dev "$KIF" | grep -q .
	result $? "kernel: many: module dump empty (${dump}), no route left on $KIF" \
		"$L/kdump.out"
	kn=$(gw_count established)
	[ "$kn" -eq "$n" ]
	result $? "kernel: many: show -j: the gateway counts $kn sessions established" \
		"$L/show.json"
	check "kernel: many: sstpctl down stops the gateway" gw_stop
}

# peer_run MODE: one sstp-peer session in ns c2 injecting MODE once the
# gateway has moved it to the kernel path. Sets PPID_ and PPORT.
PPID_=
PPORT=
PN=
peer_start()
{
	local mode=$1 out=$L/peer.$1.out

	spawn c2 "$out" "$L/peer.$mode.err" sstp-peer connect "$GW2:$PORT" \
		--name gw.test --ca "$CA" --cert "$PKI/eap.crt" \
		--key "$PKI/eap.key" --inject "$mode"
	PPID_=$SPAWNED
	PPORT=
	PN=
	wait_file "$out" '^local ' 10 &&
		PPORT=$(sed -n 's/^local [0-9.]*:\([0-9]*\)$/\1/p' "$out")
	wait_file "$out" '^up: ' 100 || return 1
	show_wait 15 "\"peer\":\"$PEER_IP:${PPORT:-none}\"" '"path":"kernel"' ||
		return 1
	PN=$(jget "$SHOWN" id)
}

# Reasons the gateway logs for each mode that ends the session.
peer_reason()
{
	case $1 in
	bad-version|short-length) echo "protocol error" ;;
	truncated) echo "peer closed" ;;
	ctrl-flood) echo "control flood" ;;
	esac
}

kernel_malformed()
{
	local mode out livepid pingpid dm reason line tx rx st

	if ! [ -x /usr/sbin/sstp-peer ]; then
		result 1 "kernel: malformed: sstp-peer is in the image"
		return
	fi
	check "kernel: malformed: sstpd starts" gw_start || return
	gw_mark
	client_start klive ours
	result $? "kernel: malformed: a live session of our client (${CADDR:-none}, $(client_path klive))" \
		"$L/klive.out" "$L/klive.err"
	livepid=$CPID
	# Rounds of pings until told to stop (a background ping would not
	# take the SIGINT that makes it print its statistics).
	rm -f "$L/klive.stop"
	(while ! [ -e "$L/klive.stop" ]; do
		n1 ping -c 4 -i 0.5 -W 5 "$GW_IN"
	done) >"$L/klive.ping" 2>&1 &
	pingpid=$!
	for mode in bad-version short-length truncated unknown-proto spoof ctrl-flood; do
		out=$L/peer.$mode.out
		dm=$(dmesg | wc -l)
		gw_mark
		peer_start "$mode"
		result $? "kernel: $mode: sstp-peer session up (EAP-TLS, crypto binding), moved to the kernel path (session ${PN:-?}, port ${PPORT:-?})" \
			"$out" "$L/peer.$mode.err" || { stop_pid "$PPID_"; continue; }
		kill -USR1 "$PPID_"
		reason=$(peer_reason "$mode")
		if [ -n "$reason" ]; then
			wait_gone "$PPID_" 40
			reap "$PPID_"
			st=$?
			result "$st" "kernel: $mode: the gateway closes the connection ($(grep '^closed:' "$out" | head -n 1))" \
				"$out" "$L/peer.$mode.err"
			gw_wait "session $PN \[[^]]*\]: closed: kernel: $reason" 10
			result $? "kernel: $mode: gateway log: session $PN closed: kernel: $reason ($(gw_since | grep "session $PN " | grep -o 'closed: .*' | head -n 1))"
		else
			wait_file "$out" '^(verified|result)' 30
			grep -q '^verified' "$out"
			result $? "kernel: $mode: the session stays: pings through it answered$([ "$mode" = unknown-proto ] && echo ', LCP Protocol-Reject for 0x5a5b came back')" \
				"$out" "$L/peer.$mode.err"
			show_json
			line=$(line_of "\"peer\":\"$PEER_IP:$PPORT\"")
			if [ "$mode" = spoof ]; then
				[ "$(kget "$line" rx_drop_rpf)" -ge 5 ] 2>/dev/null &&
					[ "$(jget "$line" path)" = kernel ]
				result $? "kernel: spoof: show -j: the session's rx_drop_rpf counted the 5 spoofed packets ($(kget "$line" rx_drop_rpf))" \
					"$L/show.json"
			else
				rx=$(kget "$line" rx_ctrl_packets)
				tx=$(kget "$line" tx_ctrl_packets)
				[ "${rx:-0}" -ge 1 ] && [ "${tx:-0}" -ge 1 ]
				result $? "kernel: unknown-proto: show -j: the frame went to the gateway and its Protocol-Reject back through the module (rx_ctrl $rx, tx_ctrl $tx)" \
					"$L/show.json"
			fi
			kill -USR2 "$PPID_"
			wait_gone "$PPID_" 20
			reap "$PPID_"
			result $? "kernel: $mode: the peer ends the session with an acknowledged CALL_DISCONNECT" \
				"$out" "$L/peer.$mode.err"
			gw_wait "session $PN \[[^]]*\]: closed: client disconnected" 10
			result $? "kernel: $mode: gateway log: session $PN closed: client disconnected"
		fi
		show_json
		line=$(line_of '"subject":"CN=client1@vm.test"')
		[ "$(jget "$line" state)" = connected ] && running "$livepid" &&
			! line_of "\"peer\":\"$PEER_IP:$PPORT\"" | grep -q .
		result $? "kernel: $mode: only that session ended; the live session is still up" \
			"$L/show.json" "$L/klive.ping"
		dmesg_new "$dm" >"$L/dmesg.$mode"
		dmesg_clean "$dm"
		result $? "kernel: $mode: no warning or oops in the kernel log" "$L/dmesg.$mode"
	done
	touch "$L/klive.stop"
	wait_gone "$pingpid" 15
	reap "$pingpid"
	tx=$(awk '/packets transmitted/ { n += $1 } END { print n + 0 }' "$L/klive.ping")
	rx=$(awk '/packets received/ { n += $4 } END { print n + 0 }' "$L/klive.ping")
	[ "${tx:-0}" -ge 10 ] && [ "${rx:-0}" -eq "${tx:-0}" ]
	result $? "kernel: malformed: the live session answered its pings throughout (${rx:-?} of ${tx:-?})" \
		"$L/klive.ping"
	stop_pid "$livepid"
	kdebug_wait 0 10 && [ "$(kdump)" = "sessions: 0" ]
	result $? "kernel: malformed: debug_sessions $(kdebug), module dump $(kdump)" "$L/kdump.out"
	check "kernel: malformed: sstpctl down stops the gateway" gw_stop
}

# Live revocation, a killed gateway, its stale device, a clean stop: all
# with sessions on the kernel path.
kernel_lifecycle()
{
	local p st path a pp b0 b1 k0 k1 kd db dk

	check "kernel: lifecycle: sstpd starts (TLSMaxVersion = 1.2)" \
		gw_start "TLSMaxVersion = 1.2" || return
	gw_mark
	client_start klc1 ours
	result $? "kernel: lifecycle: our client up ($(client_path klc1))" \
		"$L/klc1.out" "$L/klc1.err"
	p=$CPID
	a=$CADDR
	sstpc_up klc2 eap client2@vm.test
	show_json
	[ "$(show_lines | grep -c '"path":"kernel"')" -eq 2 ]
	result $? "kernel: lifecycle: both sessions on the kernel path at the gateway" \
		"$L/show.json"

	# Live revocation: the session leaves sstp.ko before sstpctl revoke
	# returns, then CALL_DISCONNECT (sent through the module just before).
	# A 100/s ping of 1000 bytes flows to the client, which is stopped
	# (SIGSTOP: a client that will not acknowledge); nothing data-sized
	# may leave the gateway towards c1 (vc1) after the command returns.
	spawn gw "$L/klc.ping1" "$L/klc.ping1" ping -i 0.01 -s 1000 "$a"
	pp=$SPAWNED
	sleep 2
	kill -STOP "$p"
	gw_mark
	# shellcheck disable=SC2154 # TP_*: set by pki_make (printf -v)
	n0 sstpctl revoke "$IFACE" "$TP_ours" >"$L/klc.revoke" 2>&1
	st=$?
	b0=$(n0 cat /sys/class/net/vc1/statistics/tx_bytes)
	k0=$(n0 cat /sys/class/net/vc1/statistics/tx_packets)
	kd=$(kdump)
	sleep 1.5
	b1=$(n0 cat /sys/class/net/vc1/statistics/tx_bytes)
	k1=$(n0 cat /sys/class/net/vc1/statistics/tx_packets)
	stop_pid "$pp"
	kill -CONT "$p"
	result "$st" "kernel: lifecycle: sstpctl revoke: $(head -n 1 "$L/klc.revoke")" \
		"$L/klc.revoke"
	[ "$kd" = "sessions: 1" ]
	result $? "kernel: lifecycle: the revoked session is out of sstp.ko when the command returns (module dump: $kd)" \
		"$L/kdump.out"
	db=$((b1 - b0))
	dk=$((k1 - k0))
	note "kernel: lifecycle: towards c1 in the 1.5 s after revoke returned: $dk packets, $db bytes ($(grep -c 'bytes from' "$L/klc.ping1") ping replies in all)"
	[ $((db - 150 * dk)) -le 0 ]
	result $? "kernel: lifecycle: no data-sized packet leaves for the revoked client after the command returns ($dk packets, $db bytes)"
	gw_wait 'closed: certificate revoked while connected' 15
	result $? "kernel: lifecycle: the revoked session is closed at once, not after the disconnect timer"
	wait_gone "$p" 15 && grep -q '^down: gateway disconnected' "$L/klc1.out"
	result $? "kernel: lifecycle: the revoked client is told ($(grep '^down:' "$L/klc1.out"))" \
		"$L/klc1.out" "$L/klc1.err"
	reap "$p"
	n2 ping -c 2 -W 5 "$GW_IN" >"$L/klc.ping" 2>&1
	result $? "kernel: lifecycle: the sstpc session is untouched (ping)" "$L/klc.ping"
	[ "$(kdebug)" = 1 ]
	result $? "kernel: lifecycle: debug_sessions 1 (got $(kdebug))"

	# The gateway dies: the module ends what the dead socket owned.
	kill -KILL "$GWPID"
	wait_gone "$GWPID" 10
	result $? "kernel: lifecycle: sstpd killed with SIGKILL"
	reap "$GWPID"
	GWPID=
	sstpc_gone 30
	result $? "kernel: lifecycle: sstpc and pppd see the connection close and exit" \
		"$L/klc2.sstpc.log" "$L/klc2.pppd.log"
	sstpc_stop
	kdebug_wait 0 10
	result $? "kernel: lifecycle: the module freed the session (debug_sessions $(kdebug))"
	ip -n gw -d link show "$KIF" >"$L/klc.kif" 2>&1
	result $? "kernel: lifecycle: $KIF stays after the crash (devices belong to no process)" \
		"$L/klc.kif"

	# A new gateway takes the stale device over; the revocation was stored
	# and survives the crash until it is withdrawn.
	GW_SAME_STATE=1
	check "kernel: lifecycle: sstpd starts again over the stale $KIF" \
		gw_start "TLSMaxVersion = 1.2" || return
	# shellcheck disable=SC2034 # read by gw_start (lib.sh)
	GW_SAME_STATE=
	n1 timeout 60 sstpctl connect "$GW1:$PORT" --name gw.test --ca "$CA" \
		--cert "$PKI/ours.crt" --key "$PKI/ours.key" --timeout 30 \
		>"$L/klc.refused.out" 2>"$L/klc.refused.err" </dev/null
	st=$?
	[ "$st" -eq 2 ] && ! grep -q '^up:' "$L/klc.refused.out"
	result $? "kernel: lifecycle: after the crash the revoked certificate is still refused (rc $st)" \
		"$L/klc.refused.out" "$L/klc.refused.err"
	n0 sstpctl unrevoke "$IFACE" "$TP_ours" >"$L/klc.unrevoke" 2>&1
	result $? "kernel: lifecycle: sstpctl unrevoke: $(head -n 1 "$L/klc.unrevoke")" \
		"$L/klc.unrevoke"
	gw_mark
	client_start klc3 ours
	st=$?
	p=$CPID
	show_json
	path=$(session_field CN=client1@vm.test path)
	[ "$st" -eq 0 ] && [ "$path" = kernel ] &&
		n1 ping -c 2 -W 5 "$GW_IN" >"$L/klc3.ping" 2>&1
	result $? "kernel: lifecycle: a client is on the kernel path again and pings (path ${path:-?})" \
		"$L/klc3.out" "$L/klc3.err" "$L/klc3.ping"

	# A clean stop disconnects the kernel session politely.
	gw_stop
	result $? "kernel: lifecycle: sstpctl down with a live kernel session"
	gw_since | grep -q 'closed: disconnect acknowledged'
	result $? "kernel: lifecycle: gateway log: closed: disconnect acknowledged"
	wait_gone "$p" 15 && grep -q '^down: gateway disconnected' "$L/klc3.out"
	result $? "kernel: lifecycle: the client is told ($(grep '^down:' "$L/klc3.out"))" \
		"$L/klc3.out" "$L/klc3.err"
	reap "$p"
	! ip -n gw link show "$KIF" >/dev/null 2>&1 && [ "$(kdebug)" = 0 ]
	result $? "kernel: lifecycle: $KIF deleted, debug_sessions $(kdebug)"
}

# The module goes away under live sessions.
kernel_rmmod()
{
	local p1 p3 kn t0 path st i

	check "kernel: rmmod: sstpd starts (TLSMaxVersion = 1.2)" \
		gw_start "TLSMaxVersion = 1.2" || return
	gw_mark
	client_start krm1 ours --no-kernel
	result $? "kernel: rmmod: our client with --no-kernel up (gateway end on the kernel path)" \
		"$L/krm1.out" "$L/krm1.err"
	p1=$CPID
	client_start krm3 ours
	result $? "kernel: rmmod: our client on the kernel path at both ends up ($(client_path krm3))" \
		"$L/krm3.out" "$L/krm3.err"
	p3=$CPID
	sstpc_up krm2 eap client2@vm.test
	show_json
	kn=$(show_lines | grep -c '"path":"kernel"')
	[ "$kn" -eq 3 ]
	result $? "kernel: rmmod: 3 sessions on the kernel path at the gateway ($kn)" "$L/show.json"
	gw_mark
	t0=$(now)
	rmmod sstp >"$L/rmmod.out" 2>&1
	result $? "kernel: rmmod: rmmod sstp with 3 live sessions succeeds ($(since "$t0") s)" \
		"$L/rmmod.out"
	for ((i = 0; i < 50; i++)); do
		[ "$(gw_since | grep -c 'closed: kernel: device deleted')" -ge 3 ] && break
		sleep 0.2
	done
	[ "$(gw_since | grep -c 'closed: kernel: device deleted')" -ge 3 ]
	result $? "kernel: rmmod: gateway log: 3 sessions closed: kernel: device deleted"
	gw_wait "kernel data path: .*$KIF.*(gone|deleted|unloaded)" 10
	result $? "kernel: rmmod: gateway log: $(gw_since | grep -o "kernel data path: .*$KIF.*" | head -n 1 | cut -c1-120)"
	running "$GWPID" && show_json && show_has '"sessions_active":0'
	result $? "kernel: rmmod: the gateway survives, no session left (kernel_interface $(gw_json kernel_interface))" \
		"$L/show.json"
	wait_gone "$p1" 30
	result $? "kernel: rmmod: the --no-kernel client sees the connection close ($(grep '^down:' "$L/krm1.out"))" \
		"$L/krm1.out" "$L/krm1.err"
	reap "$p1"
	wait_gone "$p3" 30
	result $? "kernel: rmmod: the kernel-path client ends too ($(grep '^down:' "$L/krm3.out"))" \
		"$L/krm3.out" "$L/krm3.err"
	reap "$p3"
	sstpc_gone 30
	result $? "kernel: rmmod: sstpc and pppd see the connection close and exit" \
		"$L/krm2.sstpc.log" "$L/krm2.pppd.log"
	sstpc_stop
	! [ -d /sys/module/sstp ]
	result $? "kernel: rmmod: the module stays unloaded"
	gw_mark
	client_start krm4 ours
	st=$?
	show_json
	path=$(session_field CN=client1@vm.test path)
	[ "$st" -eq 0 ] && n1 ping -c 3 -W 5 "$GW_IN" >"$L/krm4.ping" 2>&1
	result $? "kernel: rmmod: a new client connects afterwards and pings (path ${path:-?}, client $(client_path krm4))" \
		"$L/krm4.out" "$L/krm4.err" "$L/krm4.ping"
	stop_pid "$CPID"
	modprobe sstp >"$L/modprobe.sstp2" 2>&1
	result $? "kernel: rmmod: modprobe sstp again" "$L/modprobe.sstp2"
	# The gateway looks for the module again at most every 5 s.
	sleep 5
	gw_mark
	client_start krm5 ours
	st=$?
	show_json
	path=$(session_field CN=client1@vm.test path)
	[ "$st" -eq 0 ] && [ "$path" = kernel ] &&
		n1 ping -c 3 -W 5 "$GW_IN" >"$L/krm5.ping" 2>&1
	result $? "kernel: rmmod: after modprobe (and 5 s) a new client is on the kernel path again and pings (path ${path:-?}, client $(client_path krm5))" \
		"$L/krm5.out" "$L/krm5.err" "$L/krm5.ping"
	stop_pid "$CPID"
	check "kernel: rmmod: sstpctl down stops the gateway" gw_stop
	! ip -n gw link show "$KIF" >/dev/null 2>&1
	result $? "kernel: the gateway deletes $KIF when it exits"
	kdebug_wait 0 10
	result $? "kernel: debug_sessions is 0 at the end (got $(kdebug))"
}

case_kernel()
{
	local was

	case_begin kernel "sstp.ko data path (gateway KernelDataPath = auto)"
	modinfo sstp >"$L/modinfo.sstp" 2>&1
	result $? "kernel: sstp.ko is in the image ($(sed -n 's/^version: *//p' "$L/modinfo.sstp"))" \
		"$L/modinfo.sstp" || { case_end kernel; return; }
	was=no
	[ -d /sys/module/sstp ] && was=yes
	note "kernel: sstp loaded before the gateway started: $was"
	check "kernel: sstpd starts with the defaults (KernelDataPath = auto)" gw_start ||
		{ case_end kernel; return; }
	check "kernel: sstp.ko is loaded (the gateway asked for it)" test -d /sys/module/sstp
	[ "$(kdebug)" = 0 ]
	result $? "kernel: debug_sessions is 0 (debug build; got $(kdebug))"
	ip -n gw -d link show "$KIF" >"$L/kif" 2>&1 && grep -q ' sstp ' "$L/kif"
	result $? "kernel: the gateway created $KIF (kind sstp) in ns gw" "$L/kif"
	show_json
	[ "$(gw_json kernel_interface)" = "$KIF" ]
	result $? "kernel: show -j: kernel_interface $(gw_json kernel_interface)" "$L/show.json"
	kernel_our_client 1.3
	kernel_our_client 1.2
	check "kernel: sstpctl down stops the gateway" gw_stop
	kernel_sstpc
	kernel_many
	kernel_malformed
	kernel_lifecycle
	kernel_rmmod
	case_end kernel
}
