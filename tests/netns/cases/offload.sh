# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case offload (sourced by tests/netns.sh): TUN offloads (TunOffload,
# sstpctl connect --no-offload). TCP and UDP bulk both ways between our
# client and the gateway with offloads on and off, compared byte for byte
# (sha256) while the kernels' checksum error counters of both namespaces
# stay where they were: the receiving kernel verifies every checksum we
# make. Fragments and ICMP through the tunnel; a session whose MRU is below
# what its TCP peer was told (segments cut to the MRU by the gateway).

OF_IF=sstpof
OF_PORT=4481
OF_NET=172.16.220
OF_CONF=$SSTP_CONFDIR/offload.conf
OF_LOG=$SSTP_LOGDIR/$OF_IF.log
OF_BULK=$HERE/netns/bulk.py

# of_csum_errs NS: the sum of Tcp, Udp and IpExt InCsumErrors in NS.
of_csum_errs()
{
	ip netns exec "$1" cat /proc/net/snmp /proc/net/netstat | awk '
		$1 ~ /^(Tcp|Udp|IpExt):$/ {
			if (!($1 in hdr)) {
				hdr[$1] = 1
				for (i = 2; i <= NF; i++)
					name[$1, i] = $i
				next
			}
			for (i = 2; i <= NF; i++)
				if (name[$1, i] == "InCsumErrors")
					s += $i
		}
		END { print s + 0 }'
}

# of_xfer TAG PROTO c2g|g2c FILE [SENDER ARGS...]: FILE from the client to
# the gateway's inner address (c2g) or back to the client's address (g2c);
# 0 when the receiver's sha256 is the file's.
of_xfer()
{
	local tag=$1 proto=$2 dir=$3 file=$4 rns sns dst port=5201 rpid want got

	shift 4
	if [ "$dir" = c2g ]; then
		rns=$NS_GW sns=$NS_C1 dst=$OF_NET.1
	else
		rns=$NS_C1 sns=$NS_GW dst=$CADDR
	fi
	spawn "$rns" "$TMP/$tag.recv" "$TMP/$tag.recv.err" timeout 90 \
		"$PYTHON" "$OF_BULK" recv "$proto" "$port" "$TMP/$tag.data"
	rpid=$SPAWNED
	wait_file "$TMP/$tag.recv" '^ready' 10 || return 1
	ip netns exec "$sns" timeout 90 "$PYTHON" "$OF_BULK" send "$proto" \
		"$dst" "$port" "$file" "$@" >"$TMP/$tag.send" 2>&1 || {
		stop_pid "$rpid"
		return 1
	}
	wait_pid "$rpid" 30
	want=$(sha256sum <"$file" | cut -d' ' -f1)
	got=$(sed -n 's/^bytes [0-9]* sha256 //p' "$TMP/$tag.recv")
	rm -f "$TMP/$tag.data"
	[ "$got" = "$want" ] || { echo "# $tag: got ${got:-nothing}, want $want"; return 1; }
}

# of_ping NS DST SIZE: 3 pings of SIZE bytes (fragmented past the MTU).
of_ping()
{
	ip netns exec "$1" ping -c 3 -i 0.2 -W 3 -s "$3" "$2" >"$TMP/of_ping.out" 2>&1
}

# of_round on|off: one gateway and one client, every transfer both ways.
of_round()
{
	local mode=$1 gwkey=yes cflag="" e0 e1 want tag

	[ "$mode" = off ] && gwkey=no cflag=--no-offload
	write_config "$OF_CONF" Listen="$GW_IP:$OF_PORT" Interface=$OF_IF \
		Pool=$OF_NET.0/24 Route= DNS= Gateway.TunOffload=$gwkey
	CUR_LOG=$OF_LOG
	gw_up "$OF_CONF"
	result $? "offloads $mode: gateway $OF_IF up (TunOffload = $gwkey)" "$TMP/up.out" ||
		return
	if [ "$mode" = on ]; then
		# This host's kernel is 6.18: everything, USO included.
		want="o['csum'] and o['tso4'] and o['tso6'] and o['uso4'] and o['uso6'] and o['why'] == ''"
		if [ "$(printf '%s\n' "$(uname -r)" 6.2 | sort -V | head -n 1)" != 6.2 ]; then
			want="o['csum'] and o['tso4'] and o['tso6'] and not o['uso4'] and 'USO' in o['why']"
		fi
	else
		want="not (o['csum'] or o['tso4'] or o['tso6'] or o['uso4'] or o['uso6']) and o['why'] == 'TunOffload = no'"
	fi
	check "offloads $mode: show -j offload object says so" \
		show_ok $OF_IF "(lambda o: $want)(d['offload'])"
	grep -q "TUN offloads: " "$OF_LOG"
	result $? "offloads $mode: the log at start says which offloads are on" "$OF_LOG"
	e0=$(of_csum_errs "$NS_GW") e1=$(of_csum_errs "$NS_C1")
	tag=of$mode
	# shellcheck disable=SC2086 # cflag: empty or one flag
	start_client $tag "$NS_C1" good1 $OF_PORT --name gw.test \
		--interface sstpof1 $cflag
	wait_up $tag
	result $? "offloads $mode: client up ($CADDR)" "$TMP/$tag.out" "$TMP/$tag.err" ||
		{ stop_pid "$CPID"; gw_down $OF_IF; return; }
	check "offloads $mode: TCP 16 MiB client -> gateway, sha256 equal" \
		of_xfer ${tag}tc tcp c2g "$TMP/of_big"
	check "offloads $mode: TCP 16 MiB gateway -> client, sha256 equal" \
		of_xfer ${tag}tg tcp g2c "$TMP/of_big"
	check "offloads $mode: UDP 2 MiB client -> gateway (UDP_SEGMENT x16), sha256 equal" \
		of_xfer ${tag}uc udp c2g "$TMP/of_small" --gso 16
	check "offloads $mode: UDP 2 MiB gateway -> client (UDP_SEGMENT x16), sha256 equal" \
		of_xfer ${tag}ug udp g2c "$TMP/of_small" --gso 16
	check "offloads $mode: UDP 2 MiB client -> gateway (one datagram a send), sha256 equal" \
		of_xfer ${tag}u1 udp c2g "$TMP/of_small"
	if [ "$mode" = on ]; then
		check "offloads on: TUN reads gave super-packets (show -j: rx_packets > 1.5 x reads)" \
			show_ok $OF_IF "(lambda o: o['rx_packets'] > 1.5 * o['reads'])(d['offload'])"
		check "offloads on: packets from the client were coalesced (show -j: tx_packets > 1.5 x writes)" \
			show_ok $OF_IF "(lambda o: o['tx_packets'] > 1.5 * o['writes'])(d['offload'])"
	else
		check "offloads off: one packet per TUN read and write (show -j)" \
			show_ok $OF_IF "(lambda o: o['rx_packets'] <= o['reads'] and o['tx_packets'] == o['writes'] and o['writes'] > 10000)(d['offload'])"
	fi
	of_ping "$NS_C1" $OF_NET.1 3000
	result $? "offloads $mode: ping -s 3000 (IP fragments, ICMP) client -> gateway" "$TMP/of_ping.out"
	of_ping "$NS_GW" "$CADDR" 3000
	result $? "offloads $mode: ping -s 3000 gateway -> client" "$TMP/of_ping.out"
	[ "$(of_csum_errs "$NS_GW")" = "$e0" ] && [ "$(of_csum_errs "$NS_C1")" = "$e1" ]
	result $? "offloads $mode: checksum errors unchanged (gateway $e0 -> $(of_csum_errs "$NS_GW"), client $e1 -> $(of_csum_errs "$NS_C1"))"
	stop_pid "$CPID"
	gw_down $OF_IF
	result $? "offloads $mode: gateway down" "$TMP/down.out"
}

# A client whose MRU (1200) is below what its TCP tells the gateway: TSO
# super-packets from the gateway are cut to the MRU, not to gso_size.
of_mru()
{
	local tag=ofmru e0 e1 avg

	write_config "$OF_CONF" Listen="$GW_IP:$OF_PORT" Interface=$OF_IF \
		Pool=$OF_NET.0/24 Route= DNS=
	gw_up "$OF_CONF"
	result $? "MRU: gateway $OF_IF up" "$TMP/up.out" || return
	e0=$(of_csum_errs "$NS_GW") e1=$(of_csum_errs "$NS_C1")
	start_client $tag "$NS_C1" good1 $OF_PORT --name gw.test \
		--interface sstpof1 --mtu 1200
	wait_up $tag
	result $? "MRU: client up with --mtu 1200" "$TMP/$tag.out" "$TMP/$tag.err" ||
		{ stop_pid "$CPID"; gw_down $OF_IF; return; }
	# Its TCP now announces MSS 1360: more than the MRU lets through.
	n1 ip link set sstpof1 mtu 1400
	check "MRU: TCP 16 MiB gateway -> client (MSS 1360, MRU 1200), sha256 equal" \
		of_xfer ${tag}tg tcp g2c "$TMP/of_big"
	show_json $OF_IF "$TMP/ofmru.json"
	avg=$(jget "$TMP/ofmru.json" "[s['tx_bytes'] // max(s['tx_packets'], 1) for s in d['sessions']][0]")
	[ -n "$avg" ] && [ "$avg" -le 1208 ] && [ "$avg" -ge 1000 ]
	result $? "MRU: SSTP packets to the client average $avg bytes (cut to 1200 + 8, not 1400)" "$TMP/ofmru.json"
	[ "$(of_csum_errs "$NS_GW")" = "$e0" ] && [ "$(of_csum_errs "$NS_C1")" = "$e1" ]
	result $? "MRU: checksum errors unchanged"
	stop_pid "$CPID"
	gw_down $OF_IF
	result $? "MRU: gateway down" "$TMP/down.out"
}

case_begin offload "TUN offloads on and off: bulk TCP/UDP byte for byte, checksums, fragments, MRU"
head -c 16M /dev/urandom >"$TMP/of_big"
head -c 2M /dev/urandom >"$TMP/of_small"
of_round on
of_round off
of_mru
# shellcheck disable=SC2034 # read by result() in tests/netns.sh
CUR_LOG=
rm -f "$TMP/of_big" "$TMP/of_small"
case_end
