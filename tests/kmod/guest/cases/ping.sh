# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case ping: pings through the device to a session's peer, and to hosts
# behind a client session (any-source).

case_ping()
{
	local srv replies

	case_begin ping "pings through the device"
	need_dev || { case_end ping; return; }
	# --- ping through the device, from the gateway side
	"$T" serve "$DEV" 10.200.0.50 fd00:200::50 120 >"$LOG/serve.log" 2>&1 &
	srv=$!
	if wait_line "$LOG/serve.log" '^ready' 60; then
		check "ping through $DEV (IPv4)" ping -c 3 -W 3 10.200.0.50
		check "ping through $DEV (IPv6)" ping -6 -c 3 -W 3 fd00:200::50
		check "a 1372-byte ping" ping -c 2 -W 3 -s 1344 10.200.0.50
		checknot "no session, no answer" ping -c 1 -W 1 10.200.0.51
		ip route add 192.0.2.0/24 via 10.200.0.50 dev "$DEV"
		checknot "replies from behind a peer without any-source are dropped" \
			ping -c 1 -W 1 192.0.2.7
		ip route del 192.0.2.0/24 dev "$DEV"
	else
		not_ok "serve attached a session"
		tail_log "$LOG/serve.log"
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	replies=$(sed -n 's/^replies //p' "$LOG/serve.log")
	if [ "${replies:-0}" -ge 8 ]; then
		ok "the peer answered $replies pings"
	else
		not_ok "the peer answered ${replies:-no} pings"
		tail_log "$LOG/serve.log"
	fi
	if grep -Eq '^session .* drop-rpf [1-9]' "$LOG/serve.log"; then
		ok "and those replies are counted in rx-drop-rpf"
	else
		not_ok "and those replies are counted in rx-drop-rpf"
		tail_log "$LOG/serve.log"
	fi

	# --- a client session: the peer is a gateway with networks behind it
	"$T" serve "$DEV" 10.200.0.60 fd00:200::60 any-source 120 \
		>"$LOG/serve-gw.log" 2>&1 &
	srv=$!
	if wait_line "$LOG/serve-gw.log" '^ready' 60; then
		ip route add 192.0.2.0/24 via 10.200.0.60 dev "$DEV"
		ip -6 route add 2001:db8:7::/64 via fd00:200::60 dev "$DEV"
		check "ping a host behind the gateway (IPv4)" ping -c 3 -W 3 192.0.2.7
		check "ping a host behind the gateway (IPv6)" \
			ping -6 -c 3 -W 3 2001:db8:7::7
		check "ping the gateway itself" ping -c 1 -W 3 10.200.0.60
		check "the session dump shows any-source" \
			sh -c "'$T' sessions $DEV | grep -q ' any-source\$'"
		ip route del 192.0.2.0/24 dev "$DEV"
		ip -6 route del 2001:db8:7::/64 dev "$DEV"
	else
		not_ok "serve attached a gateway session"
		tail_log "$LOG/serve-gw.log"
	fi
	kill "$srv" 2>/dev/null
	wait "$srv" 2>/dev/null
	replies=$(sed -n 's/^replies //p' "$LOG/serve-gw.log")
	if [ "${replies:-0}" -ge 7 ] &&
		grep -Eq '^session .* drop-rpf 0 .*any-source$' "$LOG/serve-gw.log"; then
		ok "the gateway answered $replies pings, none dropped"
	else
		not_ok "the gateway answered ${replies:-no} pings, none dropped"
		tail_log "$LOG/serve-gw.log"
	fi
	ip -s link show "$DEV" >>"$LOG/cmd.log" 2>&1
	case_end ping
}
