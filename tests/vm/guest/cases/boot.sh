# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case boot (always runs first): modules, /dev/ppp, namespaces, PKI.

case_boot()
{
	local m

	case_begin boot "kernel $KVER: modules, /dev/ppp, namespaces, PKI"
	modprobe tls >"$L/modprobe.tls" 2>&1
	result $? "boot: modprobe tls" "$L/modprobe.tls"
	check "boot: /proc/net/tls_stat exists" test -r /proc/net/tls_stat
	modprobe ppp_generic >"$L/modprobe.ppp" 2>&1
	result $? "boot: modprobe ppp_generic" "$L/modprobe.ppp"
	# devtmpfs makes the node when ppp_generic registers; make it if not.
	[ -e /dev/ppp ] || mknod /dev/ppp c 108 0
	check "boot: /dev/ppp is a character device" test -c /dev/ppp
	for m in ppp_async ppp_synctty tun veth; do
		modprobe "$m" >"$L/modprobe.$m" 2>&1
		result $? "boot: modprobe $m" "$L/modprobe.$m"
	done
	check "boot: /dev/net/tun exists" test -c /dev/net/tun
	# kTLS asks the crypto API for gcm(aes), ccm(aes) and
	# rfc7539(chacha20,poly1305); the templates come by these aliases.
	modprobe -a crypto-gcm crypto-ccm crypto-rfc7539 crypto-aes >"$L/modprobe.aead" 2>&1
	result $? "boot: the AEAD templates kTLS uses (gcm, ccm, rfc7539) load" "$L/modprobe.aead"
	topo_up >"$L/topo" 2>&1
	result $? "boot: namespaces gw, c1, c2 joined by veth; ping $GW1 and $GW2" "$L/topo" ||
		return 1
	pki_make >"$L/pki" 2>&1
	result $? "boot: sstpctl cert makes a root, a server and the client certificates" "$L/pki" ||
		return 1
	# The cases before "kernel" test the paths they were written for: the
	# gateway keeps sstp.ko out (KernelDataPath = off) and our client
	# too (--no-kernel), where these binaries know the options.
	write_conf "KernelDataPath = off"
	sstpd -t -c "$CONF" >/dev/null 2>&1 && KOFF="KernelDataPath = off"
	sstpctl connect --help 2>&1 | grep -q -- --no-kernel && NOKERNEL=--no-kernel
	note "boot: other cases run with ${KOFF:-the default data path} and client ${NOKERNEL:-defaults}"
	case_end boot
}
