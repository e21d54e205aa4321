# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case devices: sstp devices over generic netlink and rtnetlink, MTU.

case_devices()
{
	local out

	case_begin devices "devices over generic netlink and rtnetlink"
	out=$("$T" dev-new sstpt0 2>>"$LOG/cmd.log")
	check "dev-new over generic netlink ($out)" is_sstp sstpt0
	check "dev-list shows it" listed sstpt0
	check "dev-del over generic netlink" "$T" dev-del sstpt0
	checknot "the device is gone" ip link show sstpt0
	out=$("$T" dev-new 2>>"$LOG/cmd.log")
	check "dev-new picks a name ($out)" is_sstp "${out#* }"
	check "ip link del deletes a device made over netlink" ip link del "${out#* }"
	check "ip link add type sstp" ip link add sstpt1 type sstp
	check "dev-list shows it" listed sstpt1
	check "dev-del deletes a device made by ip link" "$T" dev-del sstpt1
	check "ip link add again" ip link add sstpt1 type sstp
	check "ip link del" ip link del sstpt1
	checknot "no sstp device left" sh -c "'$T' dev-list | grep -q ."

	check "ip link add $DEV type sstp" ip link add "$DEV" type sstp
	check "configure $DEV" dev_up "$DEV"
	check "MTU up to 4087" ip link set "$DEV" mtu 4087
	checknot "MTU 4088 refused" ip link set "$DEV" mtu 4088
	ip link set "$DEV" mtu 1400
	case_end devices
}
