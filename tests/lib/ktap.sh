# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Test results for every shell harness (netns, qemu guests and hosts, the
# stage runner), in KTAP form:
#
#   KTAP version 1
#   1..N			(the plan, when known up front; else at the end)
#   ok 1 - what was checked
#   not ok 2 - what was checked
#   ok 3 - what # SKIP why	(counts neither as passed nor as failed)
#   # a note
#   # <suite>: P passed, F failed[, S skipped]
#
# One meaning of failure everywhere: ktap_result's status is 0 for a pass,
# anything else for a failure. The last line is what CI reads.
#
# ktap_begin SUITE [PLAN]	start (PLAN: the number of checks, if known)
# ktap_result STATUS DESC [FILE...]
#				record one check; on failure the tail of each
#				FILE is shown as notes
# ktap_check DESC CMD...	run CMD, record its exit status
# ktap_skip DESC WHY		a check that cannot run here, and why
# ktap_note TEXT...		a "# " line
# ktap_end			the totals line; returns 1 if anything failed
#				(or the plan was not met), else 0
#
# Counters live in KTAP_PASSED, KTAP_FAILED, KTAP_SKIPPED, KTAP_N.

KTAP_SUITE=
KTAP_PLAN=
KTAP_N=0
KTAP_PASSED=0
KTAP_FAILED=0
KTAP_SKIPPED=0
: "${KTAP_OUT:=/dev/stdout}"
: "${KTAP_TAIL:=15}"

ktap_begin()
{
	KTAP_SUITE=$1
	KTAP_PLAN=${2:-}
	KTAP_N=0 KTAP_PASSED=0 KTAP_FAILED=0 KTAP_SKIPPED=0
	echo "KTAP version 1" >>"$KTAP_OUT"
	if [ -n "$KTAP_PLAN" ]; then
		echo "1..$KTAP_PLAN" >>"$KTAP_OUT"
	fi
}

ktap_note() { echo "# $*" >>"$KTAP_OUT"; }

ktap_result()
{
	local status=$1 desc=$2 f
	shift 2
	KTAP_N=$((KTAP_N + 1))
	if [ "$status" = 0 ]; then
		KTAP_PASSED=$((KTAP_PASSED + 1))
		echo "ok $KTAP_N - $desc" >>"$KTAP_OUT"
		return 0
	fi
	KTAP_FAILED=$((KTAP_FAILED + 1))
	echo "not ok $KTAP_N - $desc" >>"$KTAP_OUT"
	for f in "$@"; do
		[ -s "$f" ] || continue
		ktap_note "--- last lines of $f:"
		tail -n "$KTAP_TAIL" "$f" | sed 's/^/#   /' >>"$KTAP_OUT"
	done
	return 1
}

ktap_check()
{
	local desc=$1
	shift
	"$@"
	ktap_result $? "$desc"
}

ktap_skip()
{
	KTAP_N=$((KTAP_N + 1))
	KTAP_SKIPPED=$((KTAP_SKIPPED + 1))
	echo "ok $KTAP_N - $1 # SKIP $2" >>"$KTAP_OUT"
}

ktap_end()
{
	local skipped=
	if [ -z "$KTAP_PLAN" ]; then
		echo "1..$KTAP_N" >>"$KTAP_OUT"
	elif [ "$KTAP_PLAN" != "$KTAP_N" ]; then
		ktap_note "planned $KTAP_PLAN checks, ran $KTAP_N"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
	if [ "$KTAP_SKIPPED" -gt 0 ]; then
		skipped=", $KTAP_SKIPPED skipped"
	fi
	echo "# $KTAP_SUITE: $KTAP_PASSED passed, $KTAP_FAILED failed$skipped" \
		>>"$KTAP_OUT"
	[ "$KTAP_FAILED" = 0 ]
}
