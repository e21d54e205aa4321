# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case sessions: the tool's API, traffic, client and teardown scenarios
# on real kernel TLS sockets.

case_sessions()
{
	case_begin sessions "sessions on real kernel TLS sockets"
	need_dev || { case_end sessions; return; }
	run_tool api scenario api "$DEV"
	run_tool traffic scenario traffic "$DEV"
	check "routes via a gateway's address" sh -c \
		"ip route add 192.0.2.0/24 via 10.200.0.9 dev $DEV &&
		 ip -6 route add 2001:db8:7::/64 via fd00:200::9 dev $DEV"
	run_tool client scenario client "$DEV"
	ip route del 192.0.2.0/24 dev "$DEV"
	ip -6 route del 2001:db8:7::/64 dev "$DEV"
	run_tool teardown scenario teardown "$DEV"
	case_end sessions
}
