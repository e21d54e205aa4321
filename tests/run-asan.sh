#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The unit tests and the netns suite on a sanitizer build (make asan):
#
#   tests/run-asan.sh [BUILD_DIR]     (default: build-asan; needs root)
#
# Every process of the build (sstpd, sstpctl, the unit tests) writes its
# AddressSanitizer / LeakSanitizer / UBSan reports to files under one
# directory; a report fails the stage whatever the tests said. KTAP output
# (tests/lib/ktap.sh): the unit and netns suites count check by check, and
# the last line is "# asan: N passed, N failed".
set -u
build=${1:-build-asan}
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/ktap.sh
. tests/lib/ktap.sh
build=$(realpath "$build")
reports=$(mktemp -d /tmp/sstp-asan.XXXXXX)

# halt_on_error: a memory error ends the process (the tests see it die);
# log_path: one file per process, named after its PID.
export ASAN_OPTIONS="log_path=$reports/asan:halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"

ktap_begin asan

# A build without the sanitizers would pass everything below and prove
# nothing.
nm "$build/sstpd" 2>/dev/null | grep -q __asan_init &&
	nm "$build/sstpd" | grep -q __ubsan_handle
if ! ktap_result $? "$build/sstpd has ASan and UBSan (make asan)"; then
	ktap_end
	exit 1
fi

log=$(mktemp)
tests/run-unit.sh "$build/tests" >"$log" 2>&1
rc=$?
# The sub-suites' lines as notes: only this script's lines are results.
grep -E '^not ok' "$log" | sed 's/^/# /'
ktap_read_totals "$log"
ktap_subtest "$rc" "unit tests" \
	"$KTAP_SUB_PASSED" "$KTAP_SUB_FAILED" "$KTAP_SUB_SKIPPED"
tests/netns.sh -b "$build" 2>&1 | tee "$log" |
	grep -E '^(not ok|# netns:|# total)' | sed 's/^/# /'
rc=${PIPESTATUS[0]}
ktap_read_totals "$log"
ktap_subtest "$rc" "netns suite" \
	"$KTAP_SUB_PASSED" "$KTAP_SUB_FAILED" "$KTAP_SUB_SKIPPED"
rm -f "$log"

# Each report is one failure.
n=0
for r in "$reports"/*; do
	[ -e "$r" ] || continue
	n=$((n + 1))
	ktap_note "report $(basename "$r"):"
	head -n 60 "$r" | sed 's/^/#   /'
	ktap_result 1 "sanitizer report $(basename "$r")"
done
[ "$n" -eq 0 ] && ktap_result 0 "no sanitizer reports from any process"
rm -rf "$reports"
ktap_end
