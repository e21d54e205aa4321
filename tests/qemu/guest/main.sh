#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest's test runner (started by /qemu/init). Results are KTAP
# (/qemu/ktap.sh) on the second serial port, read by tests/qemu/lib.sh on
# the host; everything else goes to the console. The stage's files are in
# /qemu/stage: lib.sh (topology, helpers, stage_begin and stage_end) and
# cases/<case>.sh, each defining case_<case>. Kernel command line:
# qcases=a,b (the cases to run, in order) and the stage's name=value
# arguments (qarg NAME).

set -u
export PATH=/usr/sbin:/usr/bin

QCMDLINE=$(cat /proc/cmdline)
# qarg NAME: the value of NAME=value on the kernel command line.
qarg() { echo " $QCMDLINE " | sed -n "s/.* $1=\([^ ]*\) .*/\1/p"; }
QCASES=$(qarg qcases)

stty -F /dev/ttyS1 -opost 2>/dev/null
export KTAP_OUT=/dev/ttyS1
# shellcheck source=tests/lib/ktap.sh
. /qemu/ktap.sh

# want CASE: CASE is one of those to run.
want() { case ",$QCASES," in *",$1,"*) return 0 ;; esac; return 1; }

now() { cut -d' ' -f1 /proc/uptime; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

CASE_T0=
case_begin() { CASE_T0=$(now); ktap_note "case $1: $2"; }
case_end() { ktap_note "case $1 took $(since "$CASE_T0") s"; }

# shellcheck source=/dev/null
. /qemu/stage/lib.sh
for f in /qemu/stage/cases/*.sh; do
	# shellcheck source=/dev/null
	. "$f"
done

QT0=$(now)
ktap_begin guest
ktap_note "kernel $(uname -r), $(grep -c ^processor /proc/cpuinfo) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB; cases: $QCASES"
if stage_begin; then
	for c in ${QCASES//,/ }; do
		[ "$c" = none ] || "case_$c"
	done
fi
stage_end
ktap_note "guest total $(since "$QT0") s"
ktap_end
stage_logs
echo vm-done >>"$KTAP_OUT"
exit 0
