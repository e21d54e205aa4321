#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs each libFuzzer binary in DIR (default build/fuzz) for SECS seconds
# (default 30), seeded from tests/fuzz/corpus/; KTAP output
# (tests/lib/ktap.sh), one result per fuzzer, "# fuzz: N passed, N failed"
# last. Exit status 1 if any fuzzer failed or none ran.
set -u
# shellcheck source=tests/lib/ktap.sh
. "$(dirname "$0")/lib/ktap.sh"
dir=$(realpath "${1:-build/fuzz}") secs=${2:-30}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ktap_begin fuzz
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	# Only what tests/fuzz/ builds today (not a stale binary of a renamed one).
	[ -f "$PWD/tests/fuzz/$name.c" ] || continue
	corpus="$work/$name"
	mkdir -p "$corpus"
	seeds=$PWD/tests/fuzz/corpus/${name#fuzz_}
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	(cd "$work" && "$f" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 "$corpus" >"$work/$name.log" 2>&1)
	rc=$?
	KTAP_TAIL=40 ktap_result "$rc" "$name: $secs s ($(grep -c . "$work/$name.log") log lines)" \
		"$work/$name.log"
done
[ "$KTAP_N" -gt 0 ] || ktap_result 1 "fuzzers in $dir ran"
ktap_end
