#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: build (warnings are errors), unit tests, a short
# fuzz run of every parser, network-namespace tests on this kernel (also on
# an ASan + UBSan build of the daemon), and the
# qemu tests under Debian's 6.1 and 6.12 kernels (kTLS, sstpc + pppd, and
# the sstp.ko module).
# Needs root (netns, TUN).
# Ends with one line "N passed, N failed" over all stages.
set -u
cd "$(dirname "$0")/.." || exit 1
total_p=0 total_f=0
stage() {
	local name=$1; shift
	local log
	log=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local rc=${PIPESTATUS[0]}
	local line p f
	line=$(grep -E '^([a-z-]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	p=$(sed -E 's/^([a-z-]+: )?([0-9]+) passed.*/\2/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	p=${p:-0} f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: exited $rc"
		f=1
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f))
	rm -f "$log"
}
stage build make -j"$(nproc)" CI=1 all unit
stage check make check
stage unit tests/run-unit.sh build/tests
stage fuzz make CI=1 fuzz-run FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
stage netns tests/netns.sh build
# The daemon, sstpctl and the unit tests under ASan + UBSan: the unit tests
# and the netns suite again, failing on any sanitizer report.
stage asan make -j"$(nproc)" CI=1 asan-test
stage vm tests/vm/run.sh
# sstp.ko: the libmnl test tool, then a debug build of the module against
# Debian's 6.1 and 6.12 headers, loaded and tested in qemu guests (after
# the vm stage, which installs qemu and friends).
stage kmod-build make -j"$(nproc)" CI=1 kmod-test
stage kmod tests/kmod/vm.sh
echo "all: $total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
