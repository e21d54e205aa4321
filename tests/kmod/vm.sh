#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the sstp.ko tests in qemu guests of Debian 12's own kernels, without
# touching the host's kernel:
#
#   tests/kmod/vm.sh [options] [KERNEL...]
#
# KERNEL is a series (6.1, 6.12) or a release such as 6.1.0-56-amd64;
# default 6.1 6.12. For each: a debug build of sstp.ko against Debian's
# headers, the linux-image package unpacked into the cache, and an
# initramfs with busybox, iproute2, kmod, the test tool and the modules
# kernel TLS needs (all by tests/qemu/lib.sh, shared with tests/vm/run.sh).
#
# Options:
#   --case LIST    guest cases to run, comma-separated and repeatable (see
#                  --list; default: all; the module's load and the kernel
#                  log check always run)
#   --list         the cases, in the order they run
#   --timeout S    seconds one guest may run (default 900)
#   --rebuild      ignore the cached initramfs
#   -h, --help     this text
#
# Needs root and build/kmod/sstp-kmod-test (make all kmod-test). The guest
# side is tests/kmod/guest/lib.sh and one file per case in
# tests/kmod/guest/cases/. Environment: KMOD_TEST_TOOL (the tool),
# KMOD_FUZZ_ROUNDS, KMOD_SESSIONS, KMOD_CHURN, KMOD_LIMIT, KMOD_ACCOUNT
# (scenario sizes).
#
# Output: KTAP, "ok N - [release] ..." / "not ok N - [release] ..."
# lines, "# " notes, and "# kmod: N passed, N failed" at the end; exit
# status 1 on any failure, a guest that did not finish included. Logs:
# tests/kmod/.out/<release>/.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
TOOL=${KMOD_TEST_TOOL:-$TOP/build/kmod/sstp-kmod-test}

QEMU_STAGE=kmod
QEMU_GUEST=$HERE/guest
QEMU_OUT=$HERE/.out
QEMU_MEM=1536
QEMU_PKGS="qemu-system-x86 busybox-static iproute2 kmod cpio zstd xz-utils bash"
QEMU_PROGS=
# kTLS request_module()s its ciphers lazily: whole crypto trees go in.
QEMU_MODS="tls"
QEMU_MOD_TREES="kernel/crypto kernel/arch/x86/crypto kernel/lib/crypto"
QEMU_INPUTS=$TOOL
# shellcheck source=tests/qemu/lib.sh
. "$TOP/tests/qemu/lib.sh"

usage()
{
	sed -n '/^# Runs/,/^$/p' "$0" | sed 's/^# \{0,1\}//'
}

CASES=
KERNELS=()
while [ $# -gt 0 ]; do
	case $1 in
	--case)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		CASES="$CASES ${2//,/ }"
		shift 2 ;;
	--case=*) CASES="$CASES ${1#--case=}"; CASES=${CASES//,/ }; shift ;;
	--list) echo "load (always first) $(qemu_stage_cases) klog (always last)"; exit 0 ;;
	--timeout)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		QEMU_TIMEOUT=$2; shift 2 ;;
	--rebuild) QEMU_REBUILD=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "vm.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
	*) KERNELS+=("$1"); shift ;;
	esac
done
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(6.1 6.12)
case $QEMU_TIMEOUT in
''|*[!0-9]*) echo "vm.sh: --timeout takes seconds" >&2; exit 1 ;;
esac
CASES=$(echo "$CASES" | tr ' ' '\n' | grep -vx -e '' -e load -e klog | paste -sd' ' -)
qemu_select_cases "$CASES" || exit 1

# stage_image ROOT KVER: the test tool and its libraries.
stage_image()
{
	cp "$TOOL" "$1/qemu/stage/sstp-kmod-test" && qemu_copy_libs "$TOOL" "$1"
}

qemu_begin
if [ ! -x "$TOOL" ]; then
	qemu_fail "$TOOL exists (make all kmod-test)"
	qemu_end
	exit 1
fi
if ! qemu_host_packages; then
	qemu_fail "host packages installed: $QEMU_PKGS"
	qemu_end
	exit 1
fi

for spec in "${KERNELS[@]}"; do
	if ! qemu_resolve_kernel "$spec"; then
		qemu_fail "[$spec] a Debian 12 linux-image package for $spec is available (apt-cache found none)"
		continue
	fi
	if ! qemu_fetch_kernel "$KVER"; then
		qemu_fail "[$KVER] linux-image-$KVER downloaded and unpacked (apt-get download failed)"
		continue
	fi
	qemu_kmod_debug "$KVER"
	ktap_result $? "[$KVER] sstp.ko (debug) builds without warnings" ||
		{ qemu_tail "$QEMU_CACHE/kmod/$KVER/build.log" 20; continue; }
	qemu_image "$KVER" || continue
	qemu_boot "$KVER" "kmodfuzz=${KMOD_FUZZ_ROUNDS:-40} kmodsessions=${KMOD_SESSIONS:-200} kmodchurn=${KMOD_CHURN:-25} kmodlimit=${KMOD_LIMIT:-8} kmodaccount=${KMOD_ACCOUNT:-128}"
done

qemu_end
