#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: build (warnings are errors), unit tests, a short
# fuzz run of every parser, network-namespace tests on this kernel (also on
# an ASan + UBSan build of the daemon), and the
# qemu tests under Debian's 6.1 and 6.12 kernels (kTLS, sstpc + pppd, and
# the sstp.ko module).
# Needs root (netns, TUN).
# Every stage ends with the KTAP totals line of tests/lib/ktap.sh,
# "# STAGE: N passed, N failed"; this script adds them up, one result line
# per stage, and ends with "# all: N passed, N failed". A stage that exits
# non-zero without counting a failure counts as one failed.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/ktap.sh
. tests/lib/ktap.sh
ktap_begin all
stage() {
	local name=$1 log rc

	shift
	log=$(mktemp)
	ktap_note "=== $name"
	# The stage's own output, as notes: only the stage lines are results.
	"$@" 2>&1 | tee "$log" | sed 's/^/# /'
	rc=${PIPESTATUS[0]}
	ktap_read_totals "$log"
	ktap_subtest "$rc" "$name" "$KTAP_SUB_PASSED" "$KTAP_SUB_FAILED" \
		"$KTAP_SUB_SKIPPED"
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
ktap_end
rc=$?
# CI reads a closing "N passed, N failed" line without KTAP's "# " prefix.
echo "$KTAP_PASSED passed, $KTAP_FAILED failed"
exit $rc
