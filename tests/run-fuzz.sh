#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs each libFuzzer binary in $1 for $2 seconds; prints a summary line.
set -u
dir=$(realpath "${1:-build/fuzz}") secs=${2:-30}
passed=0 failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$dir"/fuzz_*; do
	[ -x "$f" ] || continue
	name=$(basename "$f")
	corpus="$work/$name"
	mkdir -p "$corpus"
	seeds=$PWD/tests/fuzz/corpus/${name#fuzz_}
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	if (cd "$work" && "$f" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 "$corpus" >"$work/$name.log" 2>&1); then
		echo "fuzz: $name: ok ($(grep -c . "$work/$name.log") log lines, $secs s)"
		passed=$((passed + 1))
	else
		echo "fuzz: $name: FAILED"
		tail -40 "$work/$name.log"
		failed=$((failed + 1))
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
