#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static analysis and style (`make check`), one result per tool:
#
#   * cppcheck on ctl/, bpf/ and every C file under tests/, with the build's
#     include paths and defines;
#   * shellcheck -x -S warning on every shell script of the tree (by name,
#     *.sh, and by #! line);
#   * checkpatch --strict on kmod/, the uapi headers and bpf/; when no
#     checkpatch.pl can be had, the result is a visible SKIP.
#
#   tests/check.sh [BUILD_DIR]
#
# Findings are printed as "# file:line: ..." notes under the tool's "not ok"
# line. Genuine false positives are suppressed in tests/check/*.supp, each
# with its reason; nothing else is. Environment: CPPCHECK, SHELLCHECK,
# CHECKPATCH (a checkpatch.pl; "none" skips it; default: checkpatch.pl on
# PATH, else kmod/fetch-headers.sh --checkpatch), JOBS (default 2).
# Output: KTAP (tests/lib/ktap.sh), last line "# check: N passed, N failed".

set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
BUILD=${1:-build}
CPPCHECK=${CPPCHECK:-cppcheck}
SHELLCHECK=${SHELLCHECK:-shellcheck}
CHECKPATCH=${CHECKPATCH:-}
JOBS=${JOBS:-2}
SUPP=$HERE/check
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# shellcheck source=lib/ktap.sh
. "$HERE/lib/ktap.sh"

cd "$TOP" || exit 1

# The tree's files: git's list where there is one (no caches, no build
# output), else a walk that leaves those out.
tree_files()
{
	if git rev-parse --show-toplevel >/dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard
	else
		find . \( -name .git -o -name '.cache' -o -name '.out' \
			-o -path './build' -o -path './build-*' \) -prune \
			-o -type f -print | sed 's|^\./||'
	fi | sort -u | while read -r f; do
		[ -f "$f" ] && echo "$f"
	done
}

# shell_scripts: by name, and by a #! line naming a shell.
shell_scripts()
{
	local f

	while read -r f; do
		case $f in
		*.sh) echo "$f"; continue ;;
		esac
		head -n 1 "$f" 2>/dev/null |
			grep -qE '^#! *(/usr)?/bin/(env +)?(busybox +)?(ba|da|k|a)?sh\b' &&
			echo "$f"
	done <"$TMP/files"
}

# report FILE: its lines as notes (at most 200).
report()
{
	head -n 200 "$1" | sed 's/^/# /' | _ktap_cat
	[ "$(wc -l <"$1")" -le 200 ] || ktap_note "... $(wc -l <"$1") in all"
}

tree_files >"$TMP/files"
ktap_begin check 5

# --- cppcheck
run_cppcheck()
{
	local files rc=0

	mapfile -t files < <(grep -E '^(ctl|tests)/.*\.c$' "$TMP/files")
	"$CPPCHECK" --version
	# warning, portability, performance and errors; "style" mostly asks for
	# the innermost scope for every variable, which kernel style does not do.
	"$CPPCHECK" -j "$JOBS" --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,portability,performance \
		--library=posix,openssl \
		-D_GNU_SOURCE -D__linux__ -D__x86_64__ \
		-DRUNSTATEDIR='"/run"' -DSYSCONFDIR='"/etc"' \
		-Iinclude/uapi -Ictl/lib -Ictl -I"$BUILD/gen" -Ibpf \
		--suppressions-list="$SUPP/cppcheck.supp" \
		--template='{file}:{line}: {severity} ({id}): {message}' \
		"${files[@]}" || rc=1
	# The eBPF programs: the one configuration clang -target bpf builds,
	# with the system's headers (libbpf's SEC() and map macros).
	mapfile -t files < <(grep -E '^bpf/.*\.c$' "$TMP/files")
	[ ${#files[@]} -eq 0 ] && return $rc
	"$CPPCHECK" -j "$JOBS" --quiet --error-exitcode=1 --std=c11 \
		--enable=warning,portability,performance \
		-D__BPF__ -D__bpf__ -Ibpf -I/usr/include \
		-I"/usr/include/$(${CC:-cc} -print-multiarch 2>/dev/null)" \
		--template='{file}:{line}: {severity} ({id}): {message}' \
		"${files[@]}" || rc=1
	return $rc
}
if command -v "$CPPCHECK" >/dev/null; then
	run_cppcheck >"$TMP/cppcheck.out" 2>&1
	rc=$?
	grep -v '^Cppcheck ' "$TMP/cppcheck.out" >"$TMP/cppcheck.find"
	[ -s "$TMP/cppcheck.find" ] && rc=1
	ktap_result $rc "cppcheck: ctl/, bpf/ and tests/*.c ($(head -n 1 "$TMP/cppcheck.out"))" ||
		report "$TMP/cppcheck.find"
else
	ktap_result 1 "cppcheck: $CPPCHECK is not installed (tests/deps.sh)"
fi

# --- shellcheck
if command -v "$SHELLCHECK" >/dev/null; then
	mapfile -t scripts < <(shell_scripts)
	"$SHELLCHECK" -x -S warning -f gcc "${scripts[@]}" >"$TMP/sc.out" 2>&1
	# Suppressions: "SCnnnn path reason".
	awk 'NR == FNR { if ($1 ~ /^SC[0-9]+$/) s[$1 " " $2] = 1; next }
	     { c = $0; sub(/.*\[/, "", c); sub(/\].*/, "", c)
	       split($0, a, ":"); if (!((c " " a[1]) in s)) print }' \
		"$SUPP/shellcheck.supp" "$TMP/sc.out" >"$TMP/sc.find"
	rc=0
	[ -s "$TMP/sc.find" ] && rc=1
	ktap_result $rc "shellcheck -x -S warning: ${#scripts[@]} scripts" ||
		report "$TMP/sc.find"
else
	ktap_result 1 "shellcheck: $SHELLCHECK is not installed (tests/deps.sh)"
fi

# --- checkpatch
why=
if [ -z "$CHECKPATCH" ]; then
	CHECKPATCH=$(command -v checkpatch.pl ||
		kmod/fetch-headers.sh --quiet --checkpatch 2>"$TMP/fetch.err") || {
		CHECKPATCH=
		why="no checkpatch.pl on PATH, and kmod/fetch-headers.sh --checkpatch failed: $(tail -n 1 "$TMP/fetch.err")"
	}
elif [ "$CHECKPATCH" = none ]; then
	why="CHECKPATCH=none"
elif [ ! -f "$CHECKPATCH" ]; then
	why="CHECKPATCH=$CHECKPATCH does not exist"
fi
if [ -n "$why" ]; then
	ktap_skip "checkpatch --strict: kmod/" "$why"
else
	mapfile -t kfiles < <(grep -E '^(kmod/.*\.[ch]|include/uapi/linux/sstp.*\.h|bpf/.*\.[ch])$' "$TMP/files")
	perl "$CHECKPATCH" --no-tree --strict --terse --show-types \
		-f "${kfiles[@]}" >"$TMP/cp.out" 2>&1
	grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' "$TMP/cp.out" >"$TMP/cp.find"
	rc=0
	[ -s "$TMP/cp.find" ] && rc=1
	ktap_result $rc "checkpatch --strict: ${#kfiles[@]} files of kmod/, include/uapi and bpf/" ||
		report "$TMP/cp.find"
fi

# --- layering: the library's layers include only earlier layers (and never
# the programs); the daemon's headers have no cycle (tests/sstpd-deps.sh).
LAYERS="util proto trust config net nl ipc"
lib_layering()
{
	local f inc layer i j bad=0

	for f in ctl/lib/*/*.[ch]; do
		layer=${f#ctl/lib/}
		layer=${layer%%/*}
		i=$(layer_rank "$layer")
		while read -r inc; do
			case $inc in
			sstpd/* | sstpctl/*)
				echo "$f includes $inc (a program's header)"
				bad=1
				continue ;;
			*/*) ;;
			*) continue ;;
			esac
			j=$(layer_rank "${inc%%/*}")
			if [ "$j" -gt "$i" ]; then
				echo "$f ($layer) includes $inc (a later layer)"
				bad=1
			fi
		done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
	done
	return $bad
}

layer_rank()
{
	local n=0 l
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $n; return; }
		n=$((n + 1))
	done
	echo 99
}

lib_layering >"$TMP/layers.out"
ktap_result $? "ctl/lib layers ($LAYERS) include only earlier ones" ||
	report "$TMP/layers.out"
tests/sstpd-deps.sh >"$TMP/deps.out" 2>&1
ktap_result $? "ctl/sstpd: no include cycle, sessions reach the gateway only through session_host.h" ||
	report "$TMP/deps.out"

ktap_end
