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
# ktap_subtest STATUS DESC PASSED FAILED [SKIPPED]
#				one result line for a whole sub-suite (a test
#				binary, a stage) whose checks count in the
#				totals one by one; "not ok" if FAILED > 0 or
#				STATUS != 0, and a non-zero STATUS with no
#				failure counted counts as one failure
# ktap_read_totals FILE		the last totals line of FILE into KTAP_SUB_PASSED,
#				KTAP_SUB_FAILED, KTAP_SUB_SKIPPED (0 if none);
#				returns 1 if FILE has no totals line
# ktap_end			the totals line; returns 1 if anything failed
#				(or the plan was not met), else 0
#
# Counters live in KTAP_PASSED, KTAP_FAILED, KTAP_SKIPPED, KTAP_N. The plan
# and KTAP_N count result lines; the totals count checks, so a
# ktap_subtest line adds its sub-suite's counts.

KTAP_SUITE=
KTAP_PLAN=
KTAP_N=0
KTAP_PASSED=0
KTAP_FAILED=0
KTAP_SKIPPED=0
# KTAP_OUT: a file to append the output to; empty: standard output itself
# (not /dev/stdout, whose reopening would write over a redirected stdout
# at offset 0 when that is a file not opened for appending).
: "${KTAP_OUT:=}"
: "${KTAP_TAIL:=15}"

# Standard input to the output.
_ktap_cat()
{
	if [ -n "$KTAP_OUT" ]; then
		cat >>"$KTAP_OUT"
	else
		cat
	fi
}

_ktap_echo() { printf '%s\n' "$*" | _ktap_cat; }

ktap_begin()
{
	KTAP_SUITE=$1
	KTAP_PLAN=${2:-}
	KTAP_N=0 KTAP_PASSED=0 KTAP_FAILED=0 KTAP_SKIPPED=0
	_ktap_echo "KTAP version 1"
	if [ -n "$KTAP_PLAN" ]; then
		_ktap_echo "1..$KTAP_PLAN"
	fi
}

ktap_note() { _ktap_echo "# $*"; }

ktap_result()
{
	local status=$1 desc=$2 f
	shift 2
	KTAP_N=$((KTAP_N + 1))
	if [ "$status" = 0 ]; then
		KTAP_PASSED=$((KTAP_PASSED + 1))
		_ktap_echo "ok $KTAP_N - $desc"
		return 0
	fi
	KTAP_FAILED=$((KTAP_FAILED + 1))
	_ktap_echo "not ok $KTAP_N - $desc"
	for f in "$@"; do
		[ -s "$f" ] || continue
		ktap_note "--- last lines of $f:"
		tail -n "$KTAP_TAIL" "$f" | sed 's/^/#   /' | _ktap_cat
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
	_ktap_echo "ok $KTAP_N - $1 # SKIP $2"
}

ktap_subtest()
{
	local status=$1 desc=$2 p=${3:-0} f=${4:-0} s=${5:-0}

	# A sub-suite that died before counting its failures still failed.
	if [ "$status" != 0 ] && [ "$f" = 0 ]; then
		ktap_note "$desc: exited $status"
		f=1
	fi
	KTAP_N=$((KTAP_N + 1))
	KTAP_PASSED=$((KTAP_PASSED + p))
	KTAP_FAILED=$((KTAP_FAILED + f))
	KTAP_SKIPPED=$((KTAP_SKIPPED + s))
	if [ "$f" = 0 ]; then
		_ktap_echo "ok $KTAP_N - $desc"
		return 0
	fi
	_ktap_echo "not ok $KTAP_N - $desc"
	return 1
}

# The one totals-line format every harness ends with (see ktap_end).
KTAP_TOTALS_RE='^# [A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'

# The KTAP_SUB_* are for the caller.
# shellcheck disable=SC2034
ktap_read_totals()
{
	local line

	KTAP_SUB_PASSED=0 KTAP_SUB_FAILED=0 KTAP_SUB_SKIPPED=0
	line=$(grep -E "$KTAP_TOTALS_RE" "$1" 2>/dev/null | tail -n 1)
	[ -n "$line" ] || return 1
	line=${line#*: }
	KTAP_SUB_PASSED=${line%% passed*}
	line=${line#*passed, }
	KTAP_SUB_FAILED=${line%% failed*}
	case $line in
	*skipped) line=${line#*failed, }; KTAP_SUB_SKIPPED=${line%% skipped} ;;
	esac
	return 0
}

ktap_end()
{
	local skipped=
	if [ -z "$KTAP_PLAN" ]; then
		_ktap_echo "1..$KTAP_N"
	elif [ "$KTAP_PLAN" != "$KTAP_N" ]; then
		ktap_note "planned $KTAP_PLAN checks, ran $KTAP_N"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
	if [ "$KTAP_SKIPPED" -gt 0 ]; then
		skipped=", $KTAP_SKIPPED skipped"
	fi
	_ktap_echo "# $KTAP_SUITE: $KTAP_PASSED passed, $KTAP_FAILED failed$skipped"
	[ "$KTAP_FAILED" = 0 ]
}
