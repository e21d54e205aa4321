# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case ours: our client (sstpctl connect) to our gateway (sstpd).

case_ours()
{
	local path st

	case_begin ours "our client (sstpctl connect) to our gateway (sstpd)"
	check "ours: sstpd starts (gateway up${KOFF:+, $KOFF})" \
		gw_start ${KOFF:+"$KOFF"} || { case_end ours; return; }
	gw_mark
	client_start ours ours $NOKERNEL
	result $? "ours: sstpctl connect comes up with a pool address (${CADDR:-none})" \
		"$L/ours.out" "$L/ours.err"
	n1 ping -c 3 -W 5 "$GW_IN" >"$L/ours.ping1" 2>&1
	result $? "ours: ping client -> gateway $GW_IN through the tunnel" "$L/ours.ping1"
	n0 ping -c 3 -W 5 "${CADDR:-none}" >"$L/ours.ping2" 2>&1
	result $? "ours: ping gateway -> client ${CADDR:-?} through the tunnel" "$L/ours.ping2"
	show_wait 5 '"subject":"CN=client1@vm.test"' \
		"\"address\":\"${CADDR:-none}\"" '"state":"connected"'
	result $? "ours: show -j: the gateway has CN=client1@vm.test at ${CADDR:-?}, connected" \
		"$L/show.json"
	show_has '"subject":"CN=client1@vm.test"' "\"address\":\"${CADDR:-none}\"" \
		'"state":"connected"'
	st=$?
	path=$(session_field CN=client1@vm.test path)
	result "$st" "ours: sstpctl show -j lists the session, connected (path ${path:-?})" \
		"$L/show.json" "$L/show.err"
	gw_mark
	kill -TERM "$CPID" 2>/dev/null
	wait_gone "$CPID" 15
	result $? "ours: the client exits on SIGTERM" "$L/ours.out" "$L/ours.err"
	reap "$CPID"
	result $? "ours: ... with status 0" "$L/ours.err"
	# Why a session ended is in the log only (the line is the product:
	# it tells the operator why).
	gw_wait 'closed: client disconnected' 10
	result $? "ours: gateway log: closed: client disconnected"
	show_has '"sessions_active":0'
	result $? "ours: no session left after the disconnect" "$L/show.json"
	check "ours: sstpctl down stops the gateway" gw_stop
	case_end ours
}
