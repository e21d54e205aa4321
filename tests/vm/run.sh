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
#   --case LIST    guest cases to run, comma-separated and repeatable:
#                  boot, ours, sstpc, ktls, kernel (default: all of them;
#                  boot always runs, the others depend on it)
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
# Besides the binaries, each guest gets a debug build of sstp.ko for its
# kernel (against Debian's headers, kmod/fetch-headers.sh; cached in
# tests/vm/.cache/kmod/) and the test peer tests/vm/sstp-peer.c, built
# against libsstp.a.
#
# Output: "ok N - [kernel] ..." / "not ok N - [kernel] ..." per guest check,
# "# ..." notes, and as the last line "vm: N passed, N failed". Exit status 1
# on any failure, including a guest that did not boot or did not finish.
# Full serial logs: tests/vm/.out/<kernel>/console.log (every guest log is
# dumped there at the end of a run) and results.log.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
CACHE=$HERE/.cache
OUT=$HERE/.out
GUEST=$HERE/guest
# Bump when the initramfs layout changes in a way its inputs do not show.
FORMAT=4

CASES=
BENCH=
TIMEOUT=900
REBUILD=0
KERNELS=()
ALL_CASES="boot ours sstpc ktls kernel"

usage()
{
	sed -n '/^# Runs/,/^$/p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
	case $1 in
	--case)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		CASES="$CASES ${2//,/ }"
		shift 2 ;;
	--case=*) CASES="$CASES ${1#--case=}"; CASES=${CASES//,/ }; shift ;;
	--bench) BENCH=1; shift ;;
	--no-bench) BENCH=0; shift ;;
	--timeout)
		[ $# -ge 2 ] || { usage >&2; exit 1; }
		TIMEOUT=$2; shift 2 ;;
	--rebuild) REBUILD=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 1 ;;
	*) KERNELS+=("$1"); shift ;;
	esac
done
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(6.1 6.12)
case $TIMEOUT in ''|*[!0-9]*) echo "run.sh: --timeout takes seconds" >&2; exit 1 ;; esac
for c in $CASES; do
	case " $ALL_CASES " in
	*" $c "*) ;;
	*) echo "run.sh: unknown case '$c' (cases: $ALL_CASES)" >&2; exit 1 ;;
	esac
done
if [ -z "${CASES// /}" ]; then
	# --bench alone: boot (always runs) and the benchmark, no cases;
	# neither: every case and the benchmark.
	CASES=$ALL_CASES
	[ "$BENCH" = 1 ] && CASES=boot
	BENCH=${BENCH:-1}
fi
BENCH=${BENCH:-0}
CASES=$(echo "$CASES" | tr ' ' '\n' | grep -v '^$' | sort -u | paste -sd, -)

T=0
PASSED=0
FAILED=0
T_START=$(date +%s)

note() { echo "# $*"; }

# fail DESCRIPTION: a failed check of the harness itself (not of a guest).
fail()
{
	T=$((T + 1))
	FAILED=$((FAILED + 1))
	echo "not ok $T - $*"
}

finish()
{
	echo "# total $(($(date +%s) - T_START)) s"
	echo "vm: $PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
}

if [ "$(id -u)" != 0 ]; then
	echo "run.sh: needs root (apt-get, dpkg-deb ownership of module trees)" >&2
	exit 1
fi

# ------------------------------------------------------------ host tools

APT_UPDATED=0
apt_update()
{
	[ "$APT_UPDATED" = 1 ] && return 0
	APT_UPDATED=1
	note "apt-get update"
	apt-get update >"$CACHE/apt-update.log" 2>&1
}

# Debian packages the host needs: qemu, the programs copied into the guest,
# and the tools that build the initramfs.
HOST_PKGS="qemu-system-x86 busybox-static sstp-client ppp iproute2 iperf3
	openssl kmod cpio zstd xz-utils bash"

ensure_host_packages()
{
	local p missing=()

	for p in $HOST_PKGS; do
		case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
		*"install ok installed") ;;
		*) missing+=("$p") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	note "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" >"$CACHE/apt-install.log" 2>&1; then
		apt_update
		DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends "${missing[@]}" \
			>"$CACHE/apt-install.log" 2>&1 || {
			tail -n 20 "$CACHE/apt-install.log" | sed 's/^/#   | /'
			return 1
		}
	fi
}

# ------------------------------------------------------------ kernels

# newest_pkg SERIES: the newest linux-image package apt knows for a series.
newest_pkg()
{
	local re

	case $1 in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) return 1 ;;
	esac
	apt-cache pkgnames linux-image-"$1" 2>/dev/null | grep -E "$re" |
		sort -V | while read -r p; do
			# Only packages apt can actually fetch.
			case $(apt-cache policy "$p" </dev/null 2>/dev/null) in
			*"Candidate: "[0-9]*) echo "$p" ;;
			esac
		done | tail -n 1
}

# newest_cached SERIES: the newest kernel already unpacked in the cache.
newest_cached()
{
	local glob

	case $1 in
	6.1) glob='6.1.0-*-amd64' ;;
	6.12) glob='6.12.*+deb12-amd64' ;;
	*) return 1 ;;
	esac
	(cd "$CACHE/kernels" 2>/dev/null && for d in $glob; do
		[ -f "$d/.complete" ] && echo "$d"
	done) | sort -V | tail -n 1
}

# resolve_kernel SPEC: sets KVER (e.g. 6.1.0-56-amd64).
resolve_kernel()
{
	local spec=$1 pkg

	KVER=
	case $spec in
	6.1|6.12)
		pkg=$(newest_pkg "$spec")
		if [ -z "$pkg" ]; then
			apt_update
			pkg=$(newest_pkg "$spec")
		fi
		if [ -n "$pkg" ]; then
			KVER=${pkg#linux-image-}
			return 0
		fi
		KVER=$(newest_cached "$spec")
		if [ -n "$KVER" ]; then
			note "apt offers no linux-image for $spec; using cached $KVER"
			return 0
		fi
		return 1 ;;
	*-amd64)
		KVER=$spec
		return 0 ;;
	esac
	return 1
}

# fetch_kernel KVER: unpacks linux-image-KVER into $CACHE/kernels/KVER
# (apt-get download + dpkg-deb -x: nothing is installed on the host, no
# initramfs or bootloader hooks run) and runs depmod on the tree.
# kernel_ok KVER: the unpacked tree is whole. (A kbuild "clean" run with M=
# at the top of the repository deletes every *.ko below it, this cache
# included.)
kernel_ok()
{
	local dir=$CACHE/kernels/$1 kdir=$CACHE/kernels/$1/lib/modules/$1

	[ -f "$dir/.complete" ] && [ -s "$dir/vmlinuz" ] && [ -s "$kdir/modules.dep" ] &&
		[ -s "$kdir/modules.order" ] &&
		(cd "$kdir" && cut -d: -f1 modules.dep |
			xargs -d '\n' stat -c '' >/dev/null 2>&1)
}

fetch_kernel()
{
	local kver=$1 dir=$CACHE/kernels/$1

	kernel_ok "$kver" && return 0
	[ -d "$dir" ] && note "cached $kver is incomplete: unpacking it again"
	unpack_kernel "$kver" && return 0
	rm -rf "$dir.tmp" "$CACHE/deb"
	return 1
}

unpack_kernel()
{
	local kver=$1 dir=$CACHE/kernels/$1 dl=$CACHE/deb deb

	rm -rf "$dir" "$dir.tmp" "$dl"
	mkdir -p "$dl" "$dir.tmp"
	# apt drops privileges to _apt for downloads into a directory it owns.
	chown _apt "$dl" 2>/dev/null
	note "downloading linux-image-$kver"
	if ! (cd "$dl" && apt-get download "linux-image-$kver") >"$CACHE/apt-download.log" 2>&1; then
		apt_update
		(cd "$dl" && apt-get download "linux-image-$kver") \
			>"$CACHE/apt-download.log" 2>&1 || {
			sed 's/^/#   | /' "$CACHE/apt-download.log" | tail -n 5
			return 1
		}
	fi
	deb=$(ls "$dl"/linux-image-*.deb 2>/dev/null | head -n 1)
	[ -n "$deb" ] || return 1
	dpkg-deb -x "$deb" "$dir.tmp/x" || return 1
	mkdir -p "$dir.tmp/lib/modules"
	mv "$dir.tmp/x/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz" || return 1
	mv "$dir.tmp/x/boot/config-$kver" "$dir.tmp/config" || return 1
	mv "$dir.tmp/x/lib/modules/$kver" "$dir.tmp/lib/modules/" || return 1
	rm -rf "$dir.tmp/x" "$dl"
	depmod -b "$dir.tmp" "$kver" || return 1
	touch "$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	kernel_ok "$kver"
}

# ------------------------------------------------------------ sstp.ko, peer

# The module's sources, relative to the top of the tree.
kmod_sources()
{
	(cd "$TOP" && ls kmod/Kbuild kmod/*.[ch] kmod/selftest/*.c kmod/compat/*.h \
		kmod/compat/Kbuild.include kmod/compat/include/net/*.h \
		include/uapi/linux/sstp*.h 2>/dev/null)
}

# kmod_key KVER KDIR: a digest of what the debug module for KVER is built from.
kmod_key()
{
	{
		echo "sstp.ko debug $1"
		gcc --version | head -n 1
		sha256sum "$2/include/generated/utsrelease.h" "$2/Module.symvers" \
			2>/dev/null | cut -d' ' -f1
		(cd "$TOP" && kmod_sources | xargs sha256sum)
	} | sha256sum | cut -c1-32
}

# kmod_ensure KVER: a debug sstp.ko (self-tests at load, debug_sessions)
# for release KVER in $CACHE/kmod/KVER/sstp.ko; sets KMOD_KO. Built from a
# copy of the sources, so that builds in the tree (make module, tests/kmod)
# are not disturbed, and only when its inputs changed. Fails on any compiler
# warning; the log is $CACHE/kmod/KVER/build.log.
kmod_ensure()
{
	local kver=$1 dir=$CACHE/kmod/$1 line kdir key src btf=

	KMOD_KO=
	mkdir -p "$dir" || return 1
	line=$("$TOP/kmod/fetch-headers.sh" --quiet "$kver" 2>"$dir/headers.log") || {
		cat "$dir/headers.log" >"$dir/build.log"
		return 1
	}
	kdir=${line#* }
	key=$(kmod_key "$kver" "$kdir")
	if [ -s "$dir/sstp.ko" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
		KMOD_KO=$dir/sstp.ko
		return 0
	fi
	rm -rf "$dir/src" "$dir/sstp.ko" "$dir/key"
	mkdir -p "$dir/src"
	(cd "$TOP" && kmod_sources | cpio --quiet -pdm "$dir/src") || return 1
	src=$dir/src
	command -v pahole >/dev/null 2>&1 || btf=CONFIG_DEBUG_INFO_BTF_MODULES=
	# The version string is the top-level Makefile's.
	make -C "$kdir" M="$src/kmod" O= $btf SSTP_DEBUG=y modules \
		SSTP_PKG_VERSION="$(make -s --no-print-directory -C "$TOP" version)" \
		>"$dir/build.log" 2>&1 || return 1
	grep -qi 'warning:' "$dir/build.log" && return 1
	cp "$src/kmod/sstp.ko" "$dir/sstp.ko" || return 1
	rm -rf "$src"
	echo "$key" >"$dir/key"
	KMOD_KO=$dir/sstp.ko
	note "[$kver] sstp.ko (debug) built"
}

PEER_SRC=$HERE/sstp-peer.c
PEER=$CACHE/bin/sstp-peer
PEER_CFLAGS="-std=gnu11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Wstrict-prototypes
	-Wmissing-prototypes -Wformat=2 -Wshadow -Wpointer-arith -Werror"

# peer_build: the test peer, against $BUILD/libsstpctl.a + libsstp.a (strict warnings).
peer_build()
{
	mkdir -p "$CACHE/bin"
	rm -f "$PEER"
	# shellcheck disable=SC2086
	gcc $PEER_CFLAGS -I"$TOP/include/uapi" -I"$TOP/ctl/lib" -I"$TOP/ctl" ${LDFLAGS:-} -o "$PEER.tmp" \
		"$PEER_SRC" "$BUILD/libsstpctl.a" "$BUILD/libsstp.a" -lssl -lcrypto -lmnl \
		>"$CACHE/peer-build.log" 2>&1 && mv "$PEER.tmp" "$PEER"
}

# ------------------------------------------------------------ initramfs

# Programs copied into the guest with their shared libraries.
GUEST_PROGS="/usr/bin/bash /usr/bin/ip /usr/bin/ss /usr/bin/kmod /usr/sbin/sstpc
	/usr/sbin/pppd /usr/bin/openssl /usr/bin/iperf3 /usr/bin/getconf"
# Modules wanted at boot or by the cases; kTLS request_module()s its
# ciphers lazily, so whole crypto trees go in as well.
GUEST_MODS="tls ppp_generic ppp_async ppp_synctty tun veth"
GUEST_MOD_TREES="kernel/crypto kernel/arch/x86/crypto kernel/lib/crypto"

# copy_file SRC ROOT: SRC (symlinks resolved) to the same directory under
# ROOT, the directory itself resolved so that /lib/... lands in /usr/lib/...
copy_file()
{
	local src=$1 root=$2 dir

	dir=$(realpath "$(dirname "$src")") || return 1
	mkdir -p "$root$dir"
	cp -L "$src" "$root$dir/$(basename "$src")"
}

# copy_with_libs FILE ROOT: FILE and every library ldd names for it.
copy_with_libs()
{
	copy_file "$1" "$2" && copy_libs "$1" "$2"
}

# copy_libs FILE ROOT: the libraries alone.
copy_libs()
{
	local f=$1 root=$2 lib

	for lib in $(ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		[ -e "$root$(realpath "$(dirname "$lib")")/$(basename "$lib")" ] && continue
		copy_file "$lib" "$root" || return 1
	done
}

# module_closure KDIR RELPATH...: the modules and everything they depend
# on, from modules.dep, as paths relative to KDIR.
module_closure()
{
	local kdir=$1

	shift
	printf '%s\n' "$@" | awk -v dep="$kdir/modules.dep" '
		BEGIN {
			while ((getline l < dep) > 0) {
				split(l, a, ":")
				deps[a[1]] = a[2]
			}
		}
		{ want[$1] = 1; queue[n++] = $1 }
		END {
			for (i = 0; i < n; i++) {
				m = queue[i]
				c = split(deps[m], d, " ")
				for (j = 1; j <= c; j++)
					if (!(d[j] in want)) {
						want[d[j]] = 1
						queue[n++] = d[j]
					}
			}
			for (m in want)
				print m
		}' | sort
}

# add_modules KVER ROOT: the wanted modules, uncompressed, plus depmod.
add_modules()
{
	local kver=$1 root=$2 kdir=$CACHE/kernels/$1/lib/modules/$1 m p rel
	local wanted=() dst

	for m in $GUEST_MODS; do
		p=$(modprobe -d "$CACHE/kernels/$kver" -S "$kver" --show-depends "$m" 2>&1) || {
			echo "run.sh: module $m: $p" >&2
			return 1
		}
		for rel in $(echo "$p" | sed -n 's|^insmod '"$kdir"'/\([^ ]*\).*|\1|p'); do
			wanted+=("$rel")
		done
	done
	for p in $GUEST_MOD_TREES; do
		[ -d "$kdir/$p" ] || continue
		while read -r rel; do
			wanted+=("${rel#"$kdir"/}")
		done < <(find "$kdir/$p" -name '*.ko*')
	done
	mkdir -p "$root/usr/lib/modules/$kver"
	while read -r rel; do
		[ -n "$rel" ] || continue
		dst=$root/usr/lib/modules/$kver/${rel%.xz}
		dst=${dst%.zst}
		mkdir -p "$(dirname "$dst")"
		case $rel in
		*.xz) xz -dc "$kdir/$rel" >"$dst" || return 1 ;;
		*.zst) zstd -qdc "$kdir/$rel" >"$dst" || return 1 ;;
		*) cp "$kdir/$rel" "$dst" || return 1 ;;
		esac
	done < <(module_closure "$kdir" "${wanted[@]}")
	if [ -n "$KMOD_KO" ]; then
		mkdir -p "$root/usr/lib/modules/$kver/extra" &&
			cp "$KMOD_KO" "$root/usr/lib/modules/$kver/extra/sstp.ko" ||
			return 1
	fi
	cp "$kdir"/modules.order "$kdir"/modules.builtin \
		"$kdir"/modules.builtin.modinfo "$root/usr/lib/modules/$kver/"
	depmod -b "$root/usr" "$kver"
}

# initrd_key KVER: a digest of everything the initramfs is built from.
initrd_key()
{
	{
		echo "format $FORMAT kernel $1"
		sha256sum "$0" "$BUILD/sstpd" "$BUILD/sstpctl" \
			"$CACHE/kernels/$1/vmlinuz" | sed 's|  .*/| |'
		[ -n "$KMOD_KO" ] && sha256sum "$KMOD_KO" | cut -d' ' -f1
		[ -x "$PEER" ] && sha256sum "$PEER" | cut -d' ' -f1
		(cd "$GUEST" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
		dpkg-query -W $HOST_PKGS libc6 libssl3 2>/dev/null
	} | sha256sum | cut -c1-32
}

build_initrd()
{
	local kver=$1 out=$2 root p a

	# Left over by an interrupted build.
	rm -rf "$CACHE"/root.* "$out.cpio" "$out.tmp"
	root=$CACHE/root.$$
	mkdir -m 0755 "$root" || return 1
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 \
		"$root"/proc "$root"/sys "$root"/dev "$root"/run "$root"/tmp \
		"$root"/etc/ppp "$root"/etc/ssl "$root"/root "$root"/vm "$root"/var
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s ../run "$root/var/run"
	chmod 1777 "$root/tmp"

	# sstpc loads OpenSSL's legacy provider (MD4 for MS-CHAP) at start.
	for p in $GUEST_PROGS /usr/lib/pppd/*/*.so /usr/lib/*-linux-gnu/ossl-modules/*.so \
		 "$BUILD/sstpd" "$BUILD/sstpctl"; do
		[ -e "$p" ] || { echo "run.sh: $p is missing" >&2; rm -rf "$root"; return 1; }
		case $p in
		"$BUILD"/*)
			cp "$p" "$root/usr/sbin/" &&
				copy_with_libs "$p" "$root" >/dev/null ;;
		*) copy_with_libs "$p" "$root" ;;
		esac || { rm -rf "$root"; return 1; }
	done
	if [ -x "$PEER" ]; then
		cp "$PEER" "$root/usr/sbin/sstp-peer" &&
			copy_libs "$PEER" "$root" ||
			{ rm -rf "$root"; return 1; }
	fi
	# Not needed by the cases; handy when one has to be debugged by hand.
	[ -x /usr/bin/strace ] && copy_with_libs /usr/bin/strace "$root"
	for a in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root/usr/sbin/$a"
	done
	cp /usr/bin/busybox "$root/usr/bin/busybox"
	# Busybox fills in what the real programs above do not provide (its
	# ip, for one, has no netns support).
	for a in $(/usr/bin/busybox --list-full); do
		p=${a##*/}
		[ -e "$root/usr/bin/$p" ] || [ -e "$root/usr/sbin/$p" ] ||
			[ -L "$root/usr/sbin/$p" ] || ln -s /usr/bin/busybox "$root/usr/${a#usr/}" 2>/dev/null
	done
	[ -f /usr/lib/ssl/openssl.cnf ] && mkdir -p "$root/usr/lib/ssl" &&
		cp -L /usr/lib/ssl/openssl.cnf "$root/usr/lib/ssl/openssl.cnf"
	[ -f /etc/ssl/openssl.cnf ] && cp -L /etc/ssl/openssl.cnf "$root/etc/ssl/openssl.cnf"

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
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' \
		>"$root/etc/nsswitch.conf"
	printf '127.0.0.1 localhost\n10.99.1.1 gw.test\n10.99.2.1 gw.test\n' \
		>"$root/etc/hosts"
	: >"$root/etc/ppp/options"
	echo "$kver" >"$root/etc/vm-kernel"

	cp -r "$GUEST"/. "$root/vm/" || { rm -rf "$root"; return 1; }
	chmod 0755 "$root"/vm/*.sh "$root/vm/init"
	ln -s vm/init "$root/init"

	add_modules "$kver" "$root" || { rm -rf "$root"; return 1; }

	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc --owner 0:0 --reproducible) \
		>"$out.cpio" || { rm -rf "$root" "$out.cpio"; return 1; }
	zstd -q -T0 -6 --rm -f "$out.cpio" -o "$out.tmp" || { rm -rf "$root"; return 1; }
	rm -rf "$root"
	mv "$out.tmp" "$out"
}

# ------------------------------------------------------------ boot

# Tail of a file as notes.
tail_notes()
{
	local f=$1 n=$2

	[ -s "$f" ] || { note "  ($f is empty)"; return 0; }
	echo "# --- last $n lines of $f"
	tail -n "$n" "$f" | tr -d '\000\r' | sed 's/^/#   | /'
}

# boot KVER INITRD: runs the guest; ok/not ok lines with the kernel's tag.
# A kernel that panics before the guest's first line gets one more boot:
# under TCG Debian's 6.12 kernels now and then take an int3 while patching
# their own text early in boot (sched_clock_cpu, before any of our code
# runs); the retry is noted, and a second such panic fails as before.
boot()
{
	BOOT_RETRY=1
	boot_once "$@"
	[ "$BOOT_EARLY_PANIC" = 1 ] || return 0
	note "[$1] the kernel panicked before the guest's first line (a TCG boot flake, not our code); booting once more"
	BOOT_RETRY=0
	boot_once "$@"
}

boot_once()
{
	local kver=$1 initrd=$2 dir=$OUT/$1 tag="[$1]" t0 rc qpid n_ok n_fail
	local append

	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/results.log"
	: >"$dir/console.log"
	append="console=ttyS0 panic=-1 oops=panic quiet rdinit=/init"
	append="$append vmcases=$CASES vmbench=$BENCH vmrounds=${VM_ROUNDS:-10}"
	append="$append vmksessions=${VM_KSESSIONS:-200} vmbenchsecs=${VM_BENCH_SECONDS:-10}"
	note "$tag booting (cases: $CASES$([ "$BENCH" = 1 ] && echo ", bench")); serial log: $dir/console.log"
	t0=$(date +%s)
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1024 \
		-smp 2 -nographic -nodefaults -no-reboot -monitor none \
		-kernel "$CACHE/kernels/$kver/vmlinuz" -initrd "$initrd" \
		-append "$append" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	qpid=$!
	QPID=$qpid
	# Stream the guest's lines as they come; they are counted afterwards.
	tail -n +1 -F --pid="$qpid" "$dir/results.log" 2>/dev/null | tr -d '\000\r' |
		awk -v tag="$tag" -v n="$T" '
			/^ok / { sub(/^ok( -)? */, ""); printf "ok %d - %s %s\n", ++n, tag, $0; fflush(); next }
			/^not ok / { sub(/^not ok( -)? */, ""); printf "not ok %d - %s %s\n", ++n, tag, $0; fflush(); next }
			/^#/ { print; fflush(); next }
			/^bench / { print "# " tag " " $0; fflush(); next }'
	wait "$qpid"
	rc=$?
	QPID=
	note "$tag guest ran $(($(date +%s) - t0)) s (qemu status $rc)"
	BOOT_EARLY_PANIC=0
	if [ "$BOOT_RETRY" = 1 ] && ! tr -d '\000\r' <"$dir/results.log" | grep -q . &&
	   grep -q 'Kernel panic' "$dir/console.log"; then
		tail_notes "$dir/console.log" 12
		BOOT_EARLY_PANIC=1
		return 0
	fi
	n_ok=$(tr -d '\000\r' <"$dir/results.log" | grep -c '^ok ')
	n_fail=$(tr -d '\000\r' <"$dir/results.log" | grep -c '^not ok ')
	T=$((T + n_ok + n_fail))
	PASSED=$((PASSED + n_ok))
	FAILED=$((FAILED + n_fail))
	if ! tr -d '\000\r' <"$dir/results.log" | grep -q '^vm-done'; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			fail "$tag guest finished its run (timed out after $TIMEOUT s)"
		else
			fail "$tag guest finished its run (no end marker: boot failure, panic or crash)"
		fi
		tail_notes "$dir/qemu.log" 10
		tail_notes "$dir/console.log" 60
	elif [ $((n_ok + n_fail)) -eq 0 ]; then
		fail "$tag guest reported no checks"
	fi
	note "$tag full serial log: $dir/console.log"
}

# ------------------------------------------------------------ main

mkdir -p "$CACHE" "$OUT"
QPID=
# timeout(1) passes the signal on to qemu.
trap '[ -n "$QPID" ] && kill -TERM "$QPID" 2>/dev/null; exit 1' INT TERM

if ! ensure_host_packages; then
	fail "host packages installed: $HOST_PKGS"
	finish
	exit 1
fi
for b in "$BUILD/sstpd" "$BUILD/sstpctl"; do
	if [ ! -x "$b" ]; then
		fail "binary $b exists (run make -j2 all first)"
		finish
		exit 1
	fi
done

if ! peer_build; then
	fail "tests/vm/sstp-peer.c builds against $BUILD/libsstp.a without warnings"
	tail_notes "$CACHE/peer-build.log" 20
fi

for spec in "${KERNELS[@]}"; do
	if ! resolve_kernel "$spec"; then
		fail "[$spec] a Debian 12 linux-image package for $spec is available (apt-cache found none)"
		continue
	fi
	if ! fetch_kernel "$KVER"; then
		fail "[$KVER] linux-image-$KVER downloaded and unpacked (apt-get download failed)"
		continue
	fi
	if ! kmod_ensure "$KVER"; then
		fail "[$KVER] sstp.ko (debug) builds against Debian's headers without warnings"
		tail_notes "$CACHE/kmod/$KVER/build.log" 20
	fi
	key=$(initrd_key "$KVER")
	initrd=$CACHE/initrd-$KVER.img
	if [ "$REBUILD" = 1 ] || [ ! -f "$initrd" ] ||
	   [ "$(cat "$initrd.key" 2>/dev/null)" != "$key" ]; then
		t0=$(date +%s)
		rm -f "$initrd" "$initrd.key"
		if ! build_initrd "$KVER" "$initrd" >"$CACHE/initrd-$KVER.log" 2>&1; then
			fail "[$KVER] initramfs built"
			tail_notes "$CACHE/initrd-$KVER.log" 20
			continue
		fi
		echo "$key" >"$initrd.key"
		note "[$KVER] initramfs built in $(($(date +%s) - t0)) s ($(du -h "$initrd" | cut -f1))"
	else
		note "[$KVER] initramfs cached ($initrd)"
	fi
	boot "$KVER" "$initrd"
done

finish
