#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The daemon's include graph (ctl/sstpd/): prints one "file -> header" line
# per local include and checks, in KTAP form, that the headers have no
# cycle and that a session (session.c, session_auth.c) reaches the gateway
# only through session_host.h (neither includes gateway.h nor a data path,
# even through another header).
#
# usage: tests/sstpd-deps.sh [DIR]	(default ctl/sstpd)

cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib/ktap.sh
. tests/lib/ktap.sh

dir=${1:-ctl/sstpd}

# "from to" for every #include "x.h" that names a file in $dir.
edges()
{
	local f inc
	for f in "$dir"/*.[ch]; do
		sed -n 's/^#include "\([^"/]*\)".*/\1/p' "$f" | while read -r inc; do
			[ -f "$dir/$inc" ] && echo "${f##*/} $inc"
		done
	done
}

# Everything FILE includes, directly or not.
reach()
{
	local todo=("$1") seen=" " f to
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		while read -r to; do
			case "$seen" in *" $to "*) continue ;; esac
			seen+="$to "
			todo+=("$to")
		done < <(awk -v f="$f" '$1 == f { print $2 }' <<<"$graph")
	done
	echo "$seen"
}

graph=$(edges)
ktap_begin sstpd-deps 6
ktap_note "include graph of $dir (file -> header):"
while read -r from to; do
	ktap_note "  $from -> $to"
done <<<"$graph"

# tsort fails (and says "loop") on a cycle; headers only: .c files are leaves.
hgraph=$(awk '$1 ~ /\.h$/' <<<"$graph")
if out=$( { echo "$hgraph"; } | tsort 2>&1 >/dev/null) && [ -z "$out" ]; then
	ktap_result 0 "no include cycle among the headers"
else
	ktap_result 1 "no include cycle among the headers"
	ktap_note "$out"
fi

for f in session.c session_auth.c; do
	sr=$(reach $f)
	bad=
	for h in gateway.h dp.h dp_tun.h dp_kernel.h trust.h ctl_conn.h; do
		case "$sr" in *" $h "*) bad+=" $h" ;; esac
	done
	ktap_result "$([ -z "$bad" ] && echo 0 || echo 1)" \
		"$f does not reach gateway.h or a data path${bad:+ (reaches$bad)}"
	case "$sr" in
	*" session_host.h "*) ktap_result 0 "$f sees the host through session_host.h" ;;
	*) ktap_result 1 "$f sees the host through session_host.h" ;;
	esac
done
! grep -n 'gw->\|struct gateway' "$dir"/session*.[ch] >/dev/null
ktap_result $? "session*.[ch] name no struct gateway"
ktap_end
