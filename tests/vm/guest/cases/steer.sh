# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case steer: the TUN steering program (bpf/tun_steer.bpf.c) on this
# guest's kernel. tests/unit/test_steer runs as it does on the build host:
# its own network namespace, a 4-queue TUN device, UDP datagrams to steered
# addresses read back from each queue, misses and IPv6 on queue 0, detach.

case_steer()
{
	local out=$L/test_steer.out rc

	case_begin steer "TUN steering eBPF program (test_steer) on $(uname -r)"
	if [ ! -x /usr/sbin/test_steer ]; then
		result 1 "steer: test_steer is in the image (make unit before tests/vm/run.sh)"
		case_end steer
		return
	fi
	/usr/sbin/test_steer >"$out" 2>&1
	rc=$?
	result $rc "steer: test_steer passes on $(uname -r)" "$out"
	# A skip would pass while proving nothing: the guest has TUN and BPF.
	! grep -q '^\[  SKIPPED \]' "$out"
	result $? "steer: no test skipped (TUN, bpf() and namespaces are there)" "$out"
	case_end steer
}
