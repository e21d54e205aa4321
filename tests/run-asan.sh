#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The unit tests and the netns suite on a sanitizer build (make asan):
#
#   tests/run-asan.sh [BUILD_DIR]     (default: build-asan; needs root)
#
# Every process of the build (sstpd, sstpctl, the unit tests) writes its
# AddressSanitizer / LeakSanitizer / UBSan reports to files under one
# directory; a report fails the stage whatever the tests said. Ends with
# "asan: N passed, N failed".
set -u
build=${1:-build-asan}
cd "$(dirname "$0")/.." || exit 1
build=$(realpath "$build")
reports=$(mktemp -d /tmp/sstp-asan.XXXXXX)
passed=0 failed=0

# halt_on_error: a memory error ends the process (the tests see it die);
# log_path: one file per process, named after its PID.
export ASAN_OPTIONS="log_path=$reports/asan:halt_on_error=1:detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="log_path=$reports/ubsan:print_stacktrace=1:halt_on_error=1"

tally()
{
	local line p f

	line=$(grep -E '^[a-z-]+: [0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	p=$(sed -E 's/^[a-z-]+: ([0-9]+) passed.*/\1/' <<<"$line")
	f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0}))
	if [ "$2" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "asan: $3 exited $2"
		failed=$((failed + 1))
	fi
}

# A build without the sanitizers would pass everything below and prove
# nothing.
if nm "$build/sstpd" 2>/dev/null | grep -q __asan_init &&
   nm "$build/sstpd" | grep -q __ubsan_handle; then
	echo "ok - $build/sstpd has ASan and UBSan"
	passed=$((passed + 1))
else
	echo "not ok - $build/sstpd has ASan and UBSan (make asan)"
	echo "asan: $passed passed, 1 failed"
	exit 1
fi

log=$(mktemp)
tests/run-unit.sh "$build/tests" >"$log" 2>&1
rc=$?
tail -1 "$log"
tally "$log" $rc unit
tests/netns.sh "$build" 2>&1 | tee "$log" | grep -E '^(not ok|netns:|# total)'
rc=${PIPESTATUS[0]}
tally "$log" "$rc" netns
rm -f "$log"

n=0
for r in "$reports"/*; do
	[ -e "$r" ] || continue
	n=$((n + 1))
	echo "asan: report $(basename "$r"):"
	sed 's/^/#   /' "$r" | head -60
done
if [ "$n" -eq 0 ]; then
	echo "ok - no sanitizer reports from any process"
	passed=$((passed + 1))
else
	echo "not ok - $n sanitizer report(s)"
	failed=$((failed + n))
fi
rm -rf "$reports"
echo "asan: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
