#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every unit-test binary in DIR (default build/tests) that has its
# source in tests/unit/, KTAP output
# (tests/lib/ktap.sh): each binary's own output as "# " notes, one result
# line per binary, and as the last line "# unit: N passed, N failed" over
# the binaries' test functions. Exit status 1 if any failed or none ran.
set -u
dir=${1:-build/tests}
# shellcheck source=tests/lib/ktap.sh
. "$(dirname "$0")/lib/ktap.sh"
ktap_begin unit
src=$(dirname "$0")/unit
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	# Only what tests/unit/ builds today: a build directory may keep the
	# binary of a test that has since been renamed or removed.
	[ -f "$src/$(basename "$t").c" ] || continue
	out=$("$t" 2>&1)
	rc=$?
	# The binaries' own lines stay readable but are notes, not results.
	printf '%s\n' "$out" | sed 's/^/# /'
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	ktap_subtest "$rc" "$(basename "$t")" "${p:-0}" "${f:-0}"
done
[ "$KTAP_PASSED" -gt 0 ] || ktap_result 1 "unit-test binaries in $dir ran"
ktap_end
