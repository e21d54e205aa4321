#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the gateway, our client and Debian's sstpc + pppd inside qemu guests
# of Debian 12's own kernels (6.1 and 6.12), where kTLS, PPP and loadable
# modules exist; the build host's kernel has none of them.
#
#   tests/vm/run.sh [options] [KERNEL...]
#
# KERNEL is a series (6.1, 6.12: the newest -amd64 image apt offers for it)
# or a full release such as 6.1.0-56-amd64. Default: 6.1 6.12.
#
# Options:
#   --case LIST    guest cases to run, comma-separated and repeatable (see
#                  --list; default: all of them but bench; boot always
#                  runs first, the others depend on it)
#   --list         the cases, in the order they run
#   --bench        only the benchmark (boot, then iperf3 through the tunnel
#                  on the kernel, ktls and userspace data paths); with
#                  --case, the benchmark after those cases
#   --no-bench     the cases without the benchmark
#   --timeout S    seconds one guest may run (default 900)
#   --rebuild      ignore the cached initramfs
#   -h, --help     this text
#
# Environment: BUILD (directory with sstpd, sstpctl and libsstp.a, default
# build/), VM_ROUNDS (sstpc sessions in a row in the sstpc case, default 10),
# VM_KSESSIONS (sessions at once in the kernel case, default 200),
# VM_BENCH_SECONDS (iperf3 seconds per path and direction, default 10).
#
# Without --case or --bench every case runs, then the benchmark.
#
# The qemu harness is tests/qemu/lib.sh (kernels, sstp.ko, initramfs,
# boot); the guest side is tests/vm/guest/lib.sh and one file per case in
# tests/vm/guest/cases/. Besides the binaries, each guest gets a debug
# build of sstp.ko for its kernel and the test peer tests/vm/sstp-peer.c,
# built against libsstp.a.
#
# Output: KTAP, "ok N - [kernel] ..." / "not ok N - [kernel] ..." per
# guest check, "# ..." notes, and as the last line "# vm: N passed, N
# failed". Exit status 1 on any failure, including a guest that did not
# boot or did not finish. Full serial logs: tests/vm/.out/<kernel>/
# console.log (every guest log is dumped there at the end of a run) and
# results.log.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$TOP/build}

QEMU_STAGE=vm
QEMU_GUEST=$HERE/guest
QEMU_OUT=$HERE/.out
QEMU_MEM=1024
# Debian packages the host needs: qemu, the programs copied into the guest,
# and the tools that build the initramfs.
QEMU_PKGS="qemu-system-x86 busybox-static sstp-client ppp iproute2 iperf3
	openssl kmod cpio zstd xz-utils bash"
# Programs copied into the guest with their shared libraries.
QEMU_PROGS="/usr/bin/ss /usr/sbin/sstpc /usr/sbin/pppd /usr/bin/openssl
	/usr/bin/iperf3 /usr/bin/getconf"
# Modules wanted at boot or by the cases; kTLS request_module()s its
# ciphers lazily, so whole crypto trees go in as well.
QEMU_MODS="tls ppp_generic ppp_async ppp_synctty tun veth"
QEMU_MOD_TREES="kernel/crypto kernel/arch/x86/crypto kernel/lib/crypto"
# shellcheck source=tests/qemu/lib.sh
. "$TOP/tests/qemu/lib.sh"

PEER_SRC=$HERE/sstp-peer.c
PEER=$QEMU_CACHE/bin/sstp-peer
PEER_CFLAGS="-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wstrict-prototypes
	-Wmissing-prototypes -Wformat=2 -Wshadow -Wpointer-arith -Werror"
# The steer case runs the unit test of the TUN steering program (make unit).
STEER_TEST=$BUILD/tests/test_steer
QEMU_INPUTS="$BUILD/sstpd $BUILD/sstpctl $PEER $STEER_TEST"

usage()
{
	sed -n '/^# Runs/,/^$/p' "$0" | sed 's/^# \{0,1\}//'
}

CASES=
CASE_GIVEN=
BENCH=
KERNELS=()
while [ $# -gt 0 ]; do
	case $1 in
	--case)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		CASES="$CASES ${2//,/ }"
		CASE_GIVEN=1
		shift 2 ;;
	--case=*)
		CASES="$CASES ${1#--case=}"
		CASES=${CASES//,/ }
		CASE_GIVEN=1
		shift ;;
	--list) echo "boot (always first) $(qemu_stage_cases)"; exit 0 ;;
	--bench) BENCH=1; shift ;;
	--no-bench) BENCH=0; shift ;;
	--timeout)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		QEMU_TIMEOUT=$2; shift 2 ;;
	--rebuild) QEMU_REBUILD=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
	*) KERNELS+=("$1"); shift ;;
	esac
done
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(6.1 6.12)
case $QEMU_TIMEOUT in
''|*[!0-9]*) echo "run.sh: --timeout takes seconds" >&2; exit 1 ;;
esac
# boot always runs (stage_begin); --case bench is --bench.
case " $CASES " in *" bench "*) BENCH=1 ;; esac
CASES=$(echo "$CASES" | tr ' ' '\n' | grep -vx -e '' -e boot -e bench | paste -sd' ' -)
if [ -z "$CASE_GIVEN" ] && [ "$BENCH" != 1 ]; then
	# Neither --case nor --bench: every case, then the benchmark
	# (--no-bench: without it).
	CASES=$(qemu_stage_cases | tr ' ' '\n' | grep -vx bench | paste -sd' ' -)
	BENCH=${BENCH:-1}
fi
[ "${BENCH:-0}" = 1 ] && CASES="$CASES bench"
QEMU_CASES=
if [ -n "${CASES// /}" ]; then
	qemu_select_cases "$CASES" || exit 1
fi

# peer_build: the test peer, against $BUILD/libsstpctl.a + libsstp.a
# (strict warnings).
peer_build()
{
	mkdir -p "$QEMU_CACHE/bin"
	rm -f "$PEER"
	# shellcheck disable=SC2086
	gcc $PEER_CFLAGS -I"$TOP/include/uapi" -I"$TOP/ctl/lib" -I"$TOP/ctl" \
		-o "$PEER.tmp" "$PEER_SRC" "$BUILD/libsstpctl.a" \
		"$BUILD/libsstp.a" ${LDFLAGS:-} -lssl -lcrypto -lmnl \
		>"$QEMU_CACHE/peer-build.log" 2>&1 && mv "$PEER.tmp" "$PEER"
}

# stage_image ROOT KVER: the gateway, the clients and their configuration.
stage_image()
{
	local root=$1 p

	mkdir -p "$root"/etc/ppp "$root"/etc/ssl || return 1
	# sstpc loads OpenSSL's legacy provider (MD4 for MS-CHAP) at start.
	for p in /usr/lib/pppd/*/*.so /usr/lib/*-linux-gnu/ossl-modules/*.so; do
		qemu_copy_prog "$p" "$root" || return 1
	done
	for p in "$BUILD/sstpd" "$BUILD/sstpctl"; do
		cp "$p" "$root/usr/sbin/" && qemu_copy_libs "$p" "$root" ||
			return 1
	done
	if [ -x "$PEER" ]; then
		cp "$PEER" "$root/usr/sbin/sstp-peer" &&
			qemu_copy_libs "$PEER" "$root" || return 1
	fi
	if [ -x "$STEER_TEST" ]; then
		cp "$STEER_TEST" "$root/usr/sbin/test_steer" &&
			qemu_copy_libs "$STEER_TEST" "$root" || return 1
	fi
	# Not needed by the cases; handy when one has to be debugged by hand.
	if [ -x /usr/bin/strace ]; then
		qemu_copy_prog /usr/bin/strace "$root" || return 1
	fi
	if [ -f /usr/lib/ssl/openssl.cnf ]; then
		mkdir -p "$root/usr/lib/ssl" &&
			cp -L /usr/lib/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"
	fi
	[ -f /etc/ssl/openssl.cnf ] &&
		cp -L /etc/ssl/openssl.cnf "$root/etc/ssl/openssl.cnf"
	cat >"$root/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/bash
	sstpc:x:101:101:sstpc privilege separation:/var/run/sstpc:/usr/sbin/nologin
	nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$root/etc/group" <<-'EOF'
	root:x:0:
	sstpc:x:101:
	nogroup:x:65534:
	EOF
	printf '127.0.0.1 localhost\n10.99.1.1 gw.test\n10.99.2.1 gw.test\n' \
		>"$root/etc/hosts"
	: >"$root/etc/ppp/options"
}

qemu_begin
if ! qemu_host_packages; then
	qemu_fail "host packages installed: $QEMU_PKGS"
	qemu_end
	exit 1
fi
for b in "$BUILD/sstpd" "$BUILD/sstpctl"; do
	if [ ! -x "$b" ]; then
		qemu_fail "binary $b exists (run make -j2 all first)"
		qemu_end
		exit 1
	fi
done
if ! peer_build; then
	qemu_fail "tests/vm/sstp-peer.c builds against $BUILD/libsstp.a without warnings"
	qemu_tail "$QEMU_CACHE/peer-build.log" 20
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
	if ! qemu_kmod_debug "$KVER"; then
		qemu_fail "[$KVER] sstp.ko (debug) builds against Debian's headers without warnings"
		qemu_tail "$QEMU_CACHE/kmod/$KVER/build.log" 20
	fi
	qemu_image "$KVER" || continue
	qemu_boot "$KVER" "vmrounds=${VM_ROUNDS:-10} vmksessions=${VM_KSESSIONS:-200} vmbenchsecs=${VM_BENCH_SECONDS:-10}"
done

qemu_end
