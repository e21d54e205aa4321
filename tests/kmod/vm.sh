#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs the sstp.ko tests (tests/kmod/guest.sh) in qemu guests of Debian
# 12's own kernels, without touching the host's kernel:
#
#   tests/kmod/vm.sh [--timeout S] [--keep] [--guest SCRIPT] [KERNEL...]
#
# KERNEL is a series (6.1, 6.12) or a release such as 6.1.0-56-amd64;
# default 6.1 6.12. For each: Debian's headers (kmod/fetch-headers.sh), a
# debug build of sstp.ko, the linux-image package unpacked into a cache
# (tests/vm's cache is used when it has the kernel), and an initramfs with
# busybox, iproute2, kmod, the test tool and the modules kernel TLS needs.
# Needs root, qemu-system-x86, busybox-static, iproute2, kmod, cpio, and
# build/kmod/sstp-kmod-test (make kmod-test).
#
# --guest runs another script in place of guest.sh (for debugging).
# Output: "ok N - [release] ..." / "not ok N - [release] ..." lines, "# "
# notes, and "kmod-vm: N passed, N failed" at the end; exit status 1 on any
# failure, a guest that did not finish included. Logs: tests/kmod/.out/.

set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
CACHE=$TOP/.cache/images
OUT=$HERE/.out
KMOD_TOP=$TOP
TOOL=${KMOD_TEST_TOOL:-$TOP/build/kmod/sstp-kmod-test}
KMOD_TOOL=$TOOL
. "$HERE/vm-lib.sh"
TIMEOUT=900
KEEP=0
GUEST_SH=$HERE/guest.sh
KERNELS=()

while [ $# -gt 0 ]; do
	case $1 in
	--timeout) TIMEOUT=$2; shift 2 ;;
	--keep) KEEP=1; shift ;;
	--guest) GUEST_SH=$2; shift 2 ;;
	-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "vm.sh: unknown option $1" >&2; exit 1 ;;
	*) KERNELS+=("$1"); shift ;;
	esac
done
[ ${#KERNELS[@]} -gt 0 ] || KERNELS=(6.1 6.12)

T=0
PASSED=0
FAILED=0
pass() { T=$((T + 1)); PASSED=$((PASSED + 1)); echo "ok $T - $*"; }
fail() { T=$((T + 1)); FAILED=$((FAILED + 1)); echo "not ok $T - $*"; }
note() { echo "# $*"; }

if [ "$(id -u)" != 0 ]; then
	echo "vm.sh: needs root (apt-get download, device nodes in the image)" >&2
	exit 1
fi
if [ ! -x "$TOOL" ]; then
	echo "vm.sh: $TOOL is missing (make kmod-test)" >&2
	exit 1
fi
mkdir -p "$CACHE" "$OUT"

# image_dir RELEASE: a directory with vmlinuz and lib/modules/RELEASE.
image_dir()
{
	local rel=$1 dir=$CACHE/$1 theirs=$TOP/tests/vm/.cache/kernels/$1 dl deb

	if [ -f "$theirs/.complete" ]; then
		echo "$theirs"
		return 0
	fi
	if [ ! -f "$dir/.complete" ]; then
		rm -rf "$dir" "$dir.tmp"
		dl=$dir.tmp/deb
		mkdir -p "$dl"
		chown _apt "$dl" 2>/dev/null
		note "downloading linux-image-$rel" >&2
		(cd "$dl" && apt-get download "linux-image-$rel") \
			>"$CACHE/download.log" 2>&1 || return 1
		deb=$(ls "$dl"/linux-image-*.deb | head -n 1)
		dpkg-deb -x "$deb" "$dir.tmp/x" || return 1
		mkdir -p "$dir.tmp/lib/modules"
		mv "$dir.tmp/x/boot/vmlinuz-$rel" "$dir.tmp/vmlinuz" &&
			mv "$dir.tmp/x/lib/modules/$rel" "$dir.tmp/lib/modules/" ||
			return 1
		rm -rf "$dir.tmp/x" "$dl"
		depmod -b "$dir.tmp" "$rel" || return 1
		touch "$dir.tmp/.complete"
		mv "$dir.tmp" "$dir"
	fi
	echo "$dir"
}

# closure KDIR MODULE...: the modules (paths relative to KDIR) and their
# dependencies, from modules.dep.
closure()
{
	local kdir=$1

	shift
	printf '%s\n' "$@" | awk -v dep="$kdir/modules.dep" '
		BEGIN { while ((getline l < dep) > 0) { split(l, a, ":"); d[a[1]] = a[2] } }
		{ if (!($1 in seen)) { seen[$1] = 1; q[n++] = $1 } }
		END {
			for (i = 0; i < n; i++) {
				c = split(d[q[i]], m, " ")
				for (j = 1; j <= c; j++)
					if (!(m[j] in seen)) { seen[m[j]] = 1; q[n++] = m[j] }
			}
			for (k in seen) print k
		}'
}

build_initrd()
{
	local rel=$1 img=$2 ko=$3 out=$4 root kdir mods=() m p a dst

	root=$(mktemp -d --tmpdir="$OUT") || return 1
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64 \
		"$root"/proc "$root"/sys "$root"/dev "$root"/tmp "$root"/run \
		"$root"/kmod "$root"/etc
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	for p in /usr/bin/bash /usr/bin/ip /usr/bin/kmod; do
		kmod_put_prog "$p" "$root" || { echo "cannot copy $p" >&2; return 1; }
	done
	for a in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root/usr/sbin/$a"
	done
	# Busybox fills in the rest, never over a real program.
	cp /bin/busybox "$root/usr/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/usr/bin/$a" ] || [ -e "$root/usr/sbin/$a" ] ||
			ln -s busybox "$root/usr/bin/$a"
	done
	KMOD_GUEST=$GUEST_SH kmod_install_guest "$root" "$rel" "$ko" /kmod ||
		return 1
	echo 'root:x:0:0:root:/root:/bin/bash' >"$root/etc/passwd"
	echo 'root:x:0:' >"$root/etc/group"

	kdir=$img/lib/modules/$rel
	for m in tls; do
		for p in $(modprobe -d "$img" -S "$rel" --show-depends "$m" |
			   sed -n "s|^insmod $kdir/\([^ ]*\).*|\1|p"); do
			mods+=("$p")
		done
	done
	for p in kernel/crypto kernel/arch/x86/crypto kernel/lib/crypto; do
		[ -d "$kdir/$p" ] || continue
		while read -r m; do
			mods+=("${m#"$kdir"/}")
		done < <(find "$kdir/$p" -name '*.ko*')
	done
	while read -r m; do
		[ -n "$m" ] || continue
		dst=$root/usr/lib/modules/$rel/${m%.xz}
		dst=${dst%.zst}
		mkdir -p "$(dirname "$dst")"
		case $m in
		*.xz) xz -dc "$kdir/$m" >"$dst" ;;
		*.zst) zstd -qdc "$kdir/$m" >"$dst" ;;
		*) cp "$kdir/$m" "$dst" ;;
		esac || return 1
	done < <(closure "$kdir" "${mods[@]}")
	cp "$kdir"/modules.order "$kdir"/modules.builtin* "$root/usr/lib/modules/$rel/" 2>/dev/null
	depmod -b "$root/usr" "$rel" || return 1

	cat >"$root/init" <<-'EOF'
	#!/bin/busybox sh
	export PATH=/usr/sbin:/usr/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	mount -t tmpfs tmpfs /tmp
	mount -t tmpfs tmpfs /run
	ip link set lo up
	echo "guest: $(uname -r)"
	bash /kmod/guest.sh /kmod >/dev/ttyS1
	echo "guest.sh exited with status $?"
	echo vm-done >/dev/ttyS1
	sync
	poweroff -f
	EOF
	chmod 0755 "$root/init"
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc --owner 0:0) | gzip -1 >"$out" ||
		return 1
	rm -rf "$root"
}

run_kernel()
{
	local spec=$1 line rel img ko dir tag t0 rc attempt

	if ! line=$("$TOP/kmod/fetch-headers.sh" --quiet "$spec"); then
		fail "[$spec] Debian headers for $spec"
		return
	fi
	rel=${line%% *}
	tag="[$rel]"
	dir=$OUT/$rel
	rm -rf "$dir"
	mkdir -p "$dir"

	if kmod_build "$rel" "$dir"; then
		pass "$tag sstp.ko (debug) builds without warnings"
	else
		fail "$tag sstp.ko (debug) builds without warnings"
		sed 's/^/#   | /' "$dir/build.log" | tail -n 20
		return
	fi
	ko=$dir/sstp.ko

	if ! img=$(image_dir "$rel"); then
		fail "$tag linux-image-$rel unpacked"
		return
	fi
	if ! build_initrd "$rel" "$img" "$ko" "$dir/initrd.gz" >"$dir/initrd.log" 2>&1; then
		fail "$tag initramfs built"
		tail -n 20 "$dir/initrd.log" | sed 's/^/#   | /'
		return
	fi

	# A kernel that panics before the guest's first line boots once more
	# (a TCG boot flake of Debian's 6.12 kernels; see tests/vm/run.sh).
	for attempt in 1 2; do
		note "$tag booting; serial log $dir/console.log"
		t0=$(date +%s)
		timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 1536 \
			-smp 2 -nographic -nodefaults -no-reboot -monitor none \
			-kernel "$img/vmlinuz" -initrd "$dir/initrd.gz" \
			-append "console=ttyS0 panic=-1 oops=panic quiet rdinit=/init" \
			-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
			</dev/null >"$dir/qemu.log" 2>&1
		rc=$?
		note "$tag guest ran $(($(date +%s) - t0)) s (qemu status $rc)"
		[ "$attempt" = 1 ] && ! grep -q . "$dir/results.log" &&
			grep -q 'Kernel panic' "$dir/console.log" || break
		tail -n 12 "$dir/console.log" | tr -d '\r' | sed 's/^/#   | /'
		note "$tag the kernel panicked before the guest's first line (a TCG boot flake, not our code); booting once more"
	done
	while IFS= read -r line; do
		line=${line%$'\r'}
		case $line in
		"ok - "*) pass "$tag ${line#ok - }" ;;
		"not ok - "*) fail "$tag ${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		esac
	done <"$dir/results.log"
	if ! tr -d '\r' <"$dir/results.log" | grep -q '^vm-done'; then
		fail "$tag guest finished (timeout, panic or crash)"
		tail -n 40 "$dir/console.log" | tr -d '\r' | sed 's/^/#   | /'
	fi
}

for k in "${KERNELS[@]}"; do
	run_kernel "$k"
done
[ "$KEEP" = 1 ] || rm -f "$OUT"/*/initrd.gz
echo "kmod-vm: $PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
