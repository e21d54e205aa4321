# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case ktls: the gateway's kernel TLS data path.

# The kernel TLS data path of the gateway (written ahead of it): our client
# against our gateway with KernelTLS = yes, over TLS 1.2 and 1.3. Fails
# wherever a session does not end up on kTLS.
case_ktls()
{
	local v st0 st1 tx0 rx0 tx1 rx1 ctx crx path tag

	case_begin ktls "kTLS data path (needs the gateway's kTLS support)"
	check "ktls: sstpd starts with KernelTLS = yes${KOFF:+, $KOFF}" \
		gw_start "KernelTLS = yes" ${KOFF:+"$KOFF"} ||
		{ case_end ktls; return; }
	for v in 1.2 1.3; do
		tag=ktls$v
		st0=$L/$tag.stat0
		st1=$L/$tag.stat1
		tls_stat gw >"$st0"
		gw_mark
		client_start "$tag" ours --tls "$v" $NOKERNEL
		result $? "ktls: TLS $v: sstpctl connect --tls $v comes up (${CADDR:-none})" \
			"$L/$tag.out" "$L/$tag.err"
		gw_wait "TLS TLSv$v " 5
		result $? "ktls: TLS $v: the gateway negotiated TLSv$v" "$L/$tag.out"
		n1 ping -c 5 -W 5 "$GW_IN" >"$L/$tag.ping1" 2>&1
		result $? "ktls: TLS $v: ping client -> gateway" "$L/$tag.ping1"
		n0 ping -c 5 -W 5 "${CADDR:-none}" >"$L/$tag.ping2" 2>&1
		result $? "ktls: TLS $v: ping gateway -> client" "$L/$tag.ping2"
		show_json
		path=$(session_field CN=client1@vm.test path)
		[ "$path" = ktls ]
		result $? "ktls: TLS $v: sstpctl show -j reports \"path\":\"ktls\" (got ${path:-nothing})" \
			"$L/show.json"
		tls_stat gw >"$st1"
		tx0=$(stat_of "$st0" TlsTxSw) rx0=$(stat_of "$st0" TlsRxSw)
		tx1=$(stat_of "$st1" TlsTxSw) rx1=$(stat_of "$st1" TlsRxSw)
		ctx=$(stat_of "$st1" TlsCurrTxSw) crx=$(stat_of "$st1" TlsCurrRxSw)
		note "ktls: TLS $v: gateway ns tls_stat TlsTxSw ${tx0:-?}->${tx1:-?} TlsRxSw ${rx0:-?}->${rx1:-?} TlsCurrTxSw ${ctx:-?} TlsCurrRxSw ${crx:-?}"
		note "ktls: TLS $v: client ns tls_stat: $(tls_stat c1 | awk '$2 != 0 { printf "%s %s ", $1, $2 }')"
		[ "${tx1:-0}" -gt "${tx0:-0}" ] && [ "${rx1:-0}" -gt "${rx0:-0}" ]
		result $? "ktls: TLS $v: gateway TlsTxSw and TlsRxSw counted the session" "$st0" "$st1"
		[ "${ctx:-0}" -ge 1 ] && [ "${crx:-0}" -ge 1 ]
		result $? "ktls: TLS $v: gateway TlsCurrTxSw and TlsCurrRxSw show it live" "$st1"
		stop_pid "$CPID"
		gw_wait 'closed: client disconnected' 10
		result $? "ktls: TLS $v: clean disconnect (closed: client disconnected)"
	done
	check "ktls: sstpctl down stops the gateway" gw_stop
	case_end ktls
}
