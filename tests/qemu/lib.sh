# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# The one qemu harness: every VM stage (tests/vm/run.sh: the gateway and
# its clients; tests/kmod/vm.sh: sstp.ko on its own) runs through these
# functions. Sourced by the stage's host script, which sets:
#
#   QEMU_STAGE       the stage's name ("vm", "kmod"): the KTAP suite name,
#                    the initramfs name and the output directory
#   QEMU_GUEST       the stage's guest directory: lib.sh (topology, helpers,
#                    stage_begin/stage_end, STAGE_CASES="...") and
#                    cases/<case>.sh, one file per case group
#   QEMU_OUT         where each kernel's logs go (QEMU_OUT/<release>/)
#   QEMU_PKGS        Debian packages the host needs
#   QEMU_PROGS       host programs copied into the guest with their libraries
#   QEMU_MODS        kernel modules (by name) put into the image with their
#                    dependencies; QEMU_MOD_TREES: whole module directories
#   QEMU_MEM         guest memory in MB
#   QEMU_INPUTS      further files the image is built from (cache key)
#   stage_image ROOT KVER   a function that adds the stage's own files
#
# and calls, per kernel: qemu_resolve_kernel, qemu_fetch_kernel,
# qemu_kmod_debug, qemu_image, qemu_boot. Results are KTAP
# (tests/lib/ktap.sh): the guest's lines come back numbered in one
# sequence with the kernel's release as a tag, and the stage ends with
# "# <stage>: P passed, F failed".
#
# In the guest (tests/qemu/guest/): init mounts what the cases need and
# runs main.sh, which sources ktap.sh (results to the second serial port),
# the stage's lib.sh and cases/*.sh, runs stage_begin, the cases named on
# the kernel command line (qcases=a,b) in that order, stage_end, and
# writes "vm-done" last. Anything else on the command line (name=value)
# is the stage's: qarg NAME reads it.

QEMU_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
QEMU_TOP=$(cd "$QEMU_LIB/../.." && pwd)
QEMU_CACHE=${QEMU_CACHE:-$QEMU_LIB/.cache}
# Bump when the image layout changes in a way its inputs do not show.
QEMU_FORMAT=5
QEMU_TIMEOUT=${QEMU_TIMEOUT:-900}
QEMU_REBUILD=${QEMU_REBUILD:-0}
QEMU_MEM=${QEMU_MEM:-1024}
QEMU_KO=
QPID=

# shellcheck source=tests/lib/ktap.sh
. "$QEMU_TOP/tests/lib/ktap.sh"

qemu_note() { ktap_note "$@"; }
# qemu_fail DESC: a failed check of the harness itself (not of a guest).
qemu_fail() { ktap_result 1 "$*"; }

# qemu_tail FILE N: the end of a file as notes.
qemu_tail()
{
	[ -s "$1" ] || { qemu_note "  ($1 is empty)"; return 0; }
	qemu_note "--- last $2 lines of $1"
	tail -n "$2" "$1" | tr -d '\000\r' | sed 's/^/#   | /' | _ktap_cat
}

# ------------------------------------------------------------ cases

# qemu_stage_cases: the stage's optional cases, in the order they run
# (STAGE_CASES in the guest's lib.sh).
qemu_stage_cases()
{
	sed -n 's/^STAGE_CASES="\(.*\)"$/\1/p' "$QEMU_GUEST/lib.sh"
}

# qemu_select_cases LIST: LIST (comma or space separated, may be empty for
# all) checked against the stage's cases and put in their order; sets
# QEMU_CASES (comma separated). Unknown names fail with a message.
qemu_select_cases()
{
	local want=" ${1//,/ } " all c sel=

	all=$(qemu_stage_cases)
	for c in $want; do
		case " $all " in
		*" $c "*) ;;
		*) echo "$0: unknown case '$c' (cases: $all)" >&2; return 1 ;;
		esac
	done
	for c in $all; do
		if [ -z "${want// /}" ] || [[ $want == *" $c "* ]]; then
			sel=$sel,$c
		fi
	done
	QEMU_CASES=${sel#,}
}

# ------------------------------------------------------------ host tools

QEMU_APT_UPDATED=0
qemu_apt_update()
{
	[ "$QEMU_APT_UPDATED" = 1 ] && return 0
	QEMU_APT_UPDATED=1
	qemu_note "apt-get update"
	apt-get update >"$QEMU_CACHE/apt-update.log" 2>&1
}

# qemu_host_packages: installs what QEMU_PKGS names and the host lacks.
qemu_host_packages()
{
	local p missing=()

	for p in $QEMU_PKGS; do
		case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
		*"install ok installed") ;;
		*) missing+=("$p") ;;
		esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	qemu_note "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" \
		>"$QEMU_CACHE/apt-install.log" 2>&1 && return 0
	qemu_apt_update
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "${missing[@]}" \
		>"$QEMU_CACHE/apt-install.log" 2>&1 && return 0
	qemu_tail "$QEMU_CACHE/apt-install.log" 20
	return 1
}

# ------------------------------------------------------------ kernels

# qemu_newest_pkg SERIES: the newest linux-image package apt can fetch.
qemu_newest_pkg()
{
	local re

	case $1 in
	6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) return 1 ;;
	esac
	apt-cache pkgnames linux-image-"$1" 2>/dev/null | grep -E "$re" |
		sort -V | while read -r p; do
			case $(apt-cache policy "$p" </dev/null 2>/dev/null) in
			*"Candidate: "[0-9]*) echo "$p" ;;
			esac
		done | tail -n 1
}

# qemu_newest_cached SERIES: the newest kernel already unpacked.
qemu_newest_cached()
{
	local glob

	case $1 in
	6.1) glob='6.1.0-*-amd64' ;;
	6.12) glob='6.12.*+deb12-amd64' ;;
	*) return 1 ;;
	esac
	(cd "$QEMU_CACHE/kernels" 2>/dev/null && for d in $glob; do
		[ -f "$d/.complete" ] && echo "$d"
	done) | sort -V | tail -n 1
}

# qemu_resolve_kernel SPEC: sets KVER from a series (6.1, 6.12: the newest
# -amd64 image apt offers) or a release (6.1.0-56-amd64).
qemu_resolve_kernel()
{
	local pkg

	KVER=
	case $1 in
	6.1|6.12)
		pkg=$(qemu_newest_pkg "$1")
		if [ -z "$pkg" ]; then
			qemu_apt_update
			pkg=$(qemu_newest_pkg "$1")
		fi
		if [ -n "$pkg" ]; then
			KVER=${pkg#linux-image-}
			return 0
		fi
		KVER=$(qemu_newest_cached "$1")
		[ -n "$KVER" ] || return 1
		qemu_note "apt offers no linux-image for $1; using cached $KVER"
		return 0 ;;
	*-amd64)
		KVER=$1
		return 0 ;;
	esac
	return 1
}

# qemu_kernel_dir KVER: where the kernel is unpacked (vmlinuz, config,
# lib/modules/KVER).
qemu_kernel_dir() { echo "$QEMU_CACHE/kernels/$1"; }

# qemu_kernel_ok KVER: the unpacked tree is whole (a kbuild "clean" with
# M= at the top of the repository deletes every *.ko below it).
qemu_kernel_ok()
{
	local dir kdir

	dir=$(qemu_kernel_dir "$1")
	kdir=$dir/lib/modules/$1
	[ -f "$dir/.complete" ] && [ -s "$dir/vmlinuz" ] &&
		[ -s "$kdir/modules.dep" ] && [ -s "$kdir/modules.order" ] &&
		(cd "$kdir" && cut -d: -f1 modules.dep |
			xargs -d '\n' stat -c '' >/dev/null 2>&1)
}

# qemu_fetch_kernel KVER: unpacks linux-image-KVER into the cache
# (apt-get download + dpkg-deb -x: nothing is installed on the host, no
# initramfs or bootloader hooks run) and runs depmod on the tree.
qemu_fetch_kernel()
{
	local kver=$1 dir dl=$QEMU_CACHE/deb deb

	qemu_kernel_ok "$kver" && return 0
	dir=$(qemu_kernel_dir "$kver")
	[ -d "$dir" ] && qemu_note "cached $kver is incomplete: unpacking it again"
	rm -rf "$dir" "$dir.tmp" "$dl"
	mkdir -p "$dl" "$dir.tmp"
	# apt drops privileges to _apt for downloads into a directory it owns.
	chown _apt "$dl" 2>/dev/null
	qemu_note "downloading linux-image-$kver"
	if ! (cd "$dl" && apt-get download "linux-image-$kver") \
		>"$QEMU_CACHE/apt-download.log" 2>&1; then
		qemu_apt_update
		(cd "$dl" && apt-get download "linux-image-$kver") \
			>"$QEMU_CACHE/apt-download.log" 2>&1 || {
			qemu_tail "$QEMU_CACHE/apt-download.log" 5
			rm -rf "$dir.tmp" "$dl"
			return 1
		}
	fi
	deb=$(find "$dl" -name 'linux-image-*.deb' | head -n 1)
	if [ -z "$deb" ] || ! dpkg-deb -x "$deb" "$dir.tmp/x" ||
	   ! mkdir -p "$dir.tmp/lib/modules" ||
	   ! mv "$dir.tmp/x/boot/vmlinuz-$kver" "$dir.tmp/vmlinuz" ||
	   ! mv "$dir.tmp/x/boot/config-$kver" "$dir.tmp/config" ||
	   ! mv "$dir.tmp/x/lib/modules/$kver" "$dir.tmp/lib/modules/" ||
	   ! depmod -b "$dir.tmp" "$kver"; then
		rm -rf "$dir.tmp" "$dl"
		return 1
	fi
	rm -rf "$dir.tmp/x" "$dl"
	touch "$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	qemu_kernel_ok "$kver"
}

# ------------------------------------------------------------ sstp.ko

# The module's sources, relative to the top of the tree: wherever its
# Kbuild lives (kmod/Kbuild, or the older one at the top).
qemu_kmod_sources()
{
	(cd "$QEMU_TOP" && {
		[ -f Kbuild ] && echo Kbuild
		find kmod -path kmod/.cache -prune -o -type f \
			\( -name '*.[ch]' -o -name 'Kbuild*' -o -name '*.include' \) \
			-print
		ls include/uapi/linux/sstp*.h
	} | LC_ALL=C sort)
}

# qemu_kmod_debug KVER: a debug sstp.ko (self-tests at load,
# debug_sessions) for release KVER against Debian's headers
# (kmod/fetch-headers.sh), in QEMU_CACHE/kmod/KVER/sstp.ko; sets QEMU_KO.
# Built from a copy of the sources, so that module builds in the tree are
# not disturbed, and only when its inputs changed. Fails on any compiler
# warning; the log is QEMU_CACHE/kmod/KVER/build.log.
qemu_kmod_debug()
{
	local kver=$1 dir=$QEMU_CACHE/kmod/$1 line kdir key src m btf=()

	QEMU_KO=
	mkdir -p "$dir" || return 1
	line=$("$QEMU_TOP/kmod/fetch-headers.sh" --quiet "$kver" 2>"$dir/headers.log") || {
		cat "$dir/headers.log" >"$dir/build.log"
		return 1
	}
	kdir=${line#* }
	key=$({
		echo "sstp.ko debug $kver"
		gcc --version | head -n 1
		sha256sum "$kdir/include/generated/utsrelease.h" \
			"$kdir/Module.symvers" 2>/dev/null | cut -d' ' -f1
		(cd "$QEMU_TOP" && qemu_kmod_sources | xargs sha256sum)
	} | sha256sum | cut -c1-32)
	if [ -s "$dir/sstp.ko" ] && [ "$(cat "$dir/key" 2>/dev/null)" = "$key" ]; then
		QEMU_KO=$dir/sstp.ko
		return 0
	fi
	rm -rf "$dir/src" "$dir/sstp.ko" "$dir/key"
	mkdir -p "$dir/src"
	(cd "$QEMU_TOP" && qemu_kmod_sources | cpio --quiet -pdm "$dir/src") ||
		return 1
	src=$dir/src
	m=$src
	[ -f "$src/kmod/Kbuild" ] && m=$src/kmod
	command -v pahole >/dev/null 2>&1 || btf=(CONFIG_DEBUG_INFO_BTF_MODULES=)
	# The version: the top-level Makefile's (git describe refined).
	make -C "$kdir" M="$m" O= "${btf[@]}" SSTP_DEBUG=y \
		SSTP_PKG_VERSION="$(make -s -C "$QEMU_TOP" version)" modules \
		>"$dir/build.log" 2>&1 || return 1
	grep -qi 'warning:' "$dir/build.log" && return 1
	cp "$m/sstp.ko" "$dir/sstp.ko" || return 1
	rm -rf "$src"
	echo "$key" >"$dir/key"
	QEMU_KO=$dir/sstp.ko
	qemu_note "[$kver] sstp.ko (debug) built"
}

# ------------------------------------------------------------ image

# qemu_copy FILE ROOT: FILE (symlinks resolved) to the same directory
# under ROOT, the directory itself resolved so that /lib/... lands in
# /usr/lib/...
qemu_copy()
{
	local dir

	dir=$(realpath "$(dirname "$1")") || return 1
	mkdir -p "$2$dir"
	cp -L "$1" "$2$dir/$(basename "$1")"
}

# qemu_copy_libs FILE ROOT: the shared libraries ldd names for FILE.
qemu_copy_libs()
{
	local lib

	for lib in $(ldd "$1" 2>/dev/null |
		     awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }'); do
		[ -e "$2$(realpath "$(dirname "$lib")")/$(basename "$lib")" ] ||
			qemu_copy "$lib" "$2" || return 1
	done
}

# qemu_copy_prog FILE ROOT: FILE and its libraries.
qemu_copy_prog() { qemu_copy "$1" "$2" && qemu_copy_libs "$1" "$2"; }

# qemu_module_closure KDIR RELPATH...: the modules and everything they
# depend on, from modules.dep, as paths relative to KDIR.
qemu_module_closure()
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
		!($1 in want) { want[$1] = 1; queue[n++] = $1 }
		END {
			for (i = 0; i < n; i++) {
				c = split(deps[queue[i]], d, " ")
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

# qemu_add_modules KVER ROOT: QEMU_MODS and QEMU_MOD_TREES uncompressed,
# QEMU_KO as extra/sstp.ko, and depmod (so modprobe and the kernel's
# autoload by netlink family or link kind find sstp.ko).
qemu_add_modules()
{
	local kver=$1 root=$2 kdir m p rel dst wanted=()

	kdir=$(qemu_kernel_dir "$kver")/lib/modules/$kver
	for m in $QEMU_MODS; do
		p=$(modprobe -d "$(qemu_kernel_dir "$kver")" -S "$kver" \
			--show-depends "$m" 2>&1) || {
			echo "qemu: module $m: $p" >&2
			return 1
		}
		for rel in $(echo "$p" | sed -n 's|^insmod '"$kdir"'/\([^ ]*\).*|\1|p'); do
			wanted+=("$rel")
		done
	done
	for p in $QEMU_MOD_TREES; do
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
		*.xz) xz -dc "$kdir/$rel" >"$dst" ;;
		*.zst) zstd -qdc "$kdir/$rel" >"$dst" ;;
		*) cp "$kdir/$rel" "$dst" ;;
		esac || return 1
	done < <(qemu_module_closure "$kdir" "${wanted[@]}")
	if [ -n "$QEMU_KO" ]; then
		mkdir -p "$root/usr/lib/modules/$kver/extra" &&
			cp "$QEMU_KO" "$root/usr/lib/modules/$kver/extra/sstp.ko" ||
			return 1
	fi
	cp "$kdir"/modules.order "$kdir"/modules.builtin \
		"$kdir"/modules.builtin.modinfo "$root/usr/lib/modules/$kver/" &&
		depmod -b "$root/usr" "$kver"
}

# qemu_image_key KVER: a digest of everything the image is built from.
qemu_image_key()
{
	local f

	{
		echo "format $QEMU_FORMAT stage $QEMU_STAGE kernel $1"
		echo "progs $QEMU_PROGS mods $QEMU_MODS trees $QEMU_MOD_TREES mem"
		for f in "$0" "$QEMU_LIB/lib.sh" "$(qemu_kernel_dir "$1")/vmlinuz" \
			 ${QEMU_KO:+"$QEMU_KO"} $QEMU_INPUTS; do
			if [ -e "$f" ]; then
				sha256sum "$f" | cut -d' ' -f1
			else
				echo "missing $f"
			fi
		done
		(cd "$QEMU_LIB/guest" && find . -type f -print0 | sort -z |
			xargs -0 sha256sum)
		(cd "$QEMU_GUEST" && find . -type f -print0 | sort -z |
			xargs -0 sha256sum)
		sha256sum "$QEMU_TOP/tests/lib/ktap.sh" | cut -d' ' -f1
		# shellcheck disable=SC2086
		dpkg-query -W $QEMU_PKGS libc6 libssl3 2>/dev/null
	} | sha256sum | cut -c1-32
}

# qemu_image_build KVER OUT: the initramfs (zstd cpio).
qemu_image_build()
{
	local kver=$1 out=$2 root p a

	rm -rf "$QEMU_CACHE/root.$QEMU_STAGE".* "$out.cpio" "$out.tmp"
	root=$QEMU_CACHE/root.$QEMU_STAGE.$$
	mkdir -m 0755 "$root" || return 1
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib \
		"$root"/usr/lib64 "$root"/proc "$root"/sys "$root"/dev \
		"$root"/run "$root"/tmp "$root"/etc "$root"/root "$root"/var \
		"$root"/qemu/stage
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	ln -s ../run "$root/var/run"
	chmod 1777 "$root/tmp"
	for p in /usr/bin/bash /usr/bin/ip /usr/bin/kmod $QEMU_PROGS; do
		if [ ! -e "$p" ] || ! qemu_copy_prog "$p" "$root"; then
			echo "qemu: cannot copy $p" >&2
			rm -rf "$root"
			return 1
		fi
	done
	for a in modprobe insmod rmmod lsmod depmod modinfo; do
		ln -s ../bin/kmod "$root/usr/sbin/$a"
	done
	cp /usr/bin/busybox "$root/usr/bin/busybox"
	# Busybox fills in what the real programs above do not provide (its
	# ip, for one, has no netns support).
	for a in $(/usr/bin/busybox --list-full); do
		p=${a##*/}
		[ -e "$root/usr/bin/$p" ] || [ -e "$root/usr/sbin/$p" ] ||
			[ -L "$root/usr/sbin/$p" ] ||
			ln -s /usr/bin/busybox "$root/usr/${a#usr/}" 2>/dev/null
	done
	printf 'root:x:0:0:root:/root:/bin/bash\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\n' \
		>"$root/etc/nsswitch.conf"
	printf '127.0.0.1 localhost\n' >"$root/etc/hosts"
	echo "$kver" >"$root/etc/vm-kernel"
	cp "$QEMU_LIB"/guest/init "$QEMU_LIB"/guest/main.sh \
		"$QEMU_TOP/tests/lib/ktap.sh" "$root/qemu/" &&
		cp -r "$QEMU_GUEST"/. "$root/qemu/stage/" &&
		chmod 0755 "$root/qemu/init" &&
		ln -s qemu/init "$root/init" &&
		stage_image "$root" "$kver" &&
		qemu_add_modules "$kver" "$root" || { rm -rf "$root"; return 1; }
	(cd "$root" && find . -print0 | LC_ALL=C sort -z |
		cpio --null --quiet -o -H newc --owner 0:0 --reproducible) \
		>"$out.cpio" || { rm -rf "$root" "$out.cpio"; return 1; }
	zstd -q -T0 -6 --rm -f "$out.cpio" -o "$out.tmp" || { rm -rf "$root"; return 1; }
	rm -rf "$root"
	mv "$out.tmp" "$out"
}

# qemu_image KVER: the stage's initramfs for KVER, from the cache when
# none of its inputs changed; sets QEMU_IMAGE.
qemu_image()
{
	local kver=$1 key t0 log

	QEMU_IMAGE=$QEMU_CACHE/initrd-$QEMU_STAGE-$kver.img
	log=$QEMU_CACHE/initrd-$QEMU_STAGE-$kver.log
	key=$(qemu_image_key "$kver")
	if [ "$QEMU_REBUILD" != 1 ] && [ -f "$QEMU_IMAGE" ] &&
	   [ "$(cat "$QEMU_IMAGE.key" 2>/dev/null)" = "$key" ]; then
		qemu_note "[$kver] initramfs cached ($QEMU_IMAGE)"
		return 0
	fi
	t0=$(date +%s)
	rm -f "$QEMU_IMAGE" "$QEMU_IMAGE.key"
	if ! qemu_image_build "$kver" "$QEMU_IMAGE" >"$log" 2>&1; then
		qemu_fail "[$kver] initramfs built"
		qemu_tail "$log" 20
		return 1
	fi
	echo "$key" >"$QEMU_IMAGE.key"
	qemu_note "[$kver] initramfs built in $(($(date +%s) - t0)) s ($(du -h "$QEMU_IMAGE" | cut -f1))"
}

# ------------------------------------------------------------ boot

# qemu_boot KVER APPEND: boots the stage's image with the cases in
# QEMU_CASES and APPEND (the stage's name=value arguments) on the kernel
# command line; the guest's KTAP lines become ours, tagged [KVER].
# A kernel that panics before the guest's first line gets one more boot:
# under TCG Debian's 6.12 kernels now and then take an int3 while patching
# their own text early in boot (sched_clock_cpu, before any of our code
# runs); the retry is noted, and a second such panic fails as before.
qemu_boot()
{
	QEMU_EARLY_PANIC=0
	qemu_boot_once "$1" "$2" 1
	[ "$QEMU_EARLY_PANIC" = 1 ] || return 0
	qemu_note "[$1] the kernel panicked before the guest's first line (a TCG boot flake, not our code); booting once more"
	qemu_boot_once "$1" "$2" 0
}

# qemu_forward TAG: reads the guest's result lines and records them.
qemu_forward()
{
	local tag=$1 line desc

	while IFS= read -r line; do
		line=${line//$'\r'/}
		case $line in
		"ok "*" # SKIP "*)
			desc=${line#ok }
			desc=${desc#* - }
			ktap_skip "$tag ${desc% # SKIP *}" "${desc##* # SKIP }" ;;
		"ok "*)
			desc=${line#ok }
			ktap_result 0 "$tag ${desc#* - }" ;;
		"not ok "*)
			desc=${line#not ok }
			ktap_result 1 "$tag ${desc#* - }" ;;
		"# guest: "*" passed, "*)
			qemu_note "$tag guest: ${line#\# guest: }" ;;
		"#"*) echo "$line" | _ktap_cat ;;
		"bench "*) qemu_note "$tag $line" ;;
		esac
	done
}

qemu_boot_once()
{
	local kver=$1 retry=$3 dir=$QEMU_OUT/$1 tag="[$1]" t0 rc append n0

	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/results.log"
	: >"$dir/console.log"
	append="console=ttyS0 panic=-1 oops=panic quiet rdinit=/init"
	append="$append qstage=$QEMU_STAGE qcases=${QEMU_CASES:-none} $2"
	qemu_note "$tag booting (cases: ${QEMU_CASES:-none}); serial log: $dir/console.log"
	t0=$(date +%s)
	n0=$KTAP_N
	timeout -k 5 "$QEMU_TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max \
		-m "$QEMU_MEM" -smp 2 -nographic -nodefaults -no-reboot \
		-monitor none \
		-kernel "$(qemu_kernel_dir "$kver")/vmlinuz" -initrd "$QEMU_IMAGE" \
		-append "$append" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		</dev/null >"$dir/qemu.log" 2>&1 &
	QPID=$!
	# The guest's lines as they come (tail ends with qemu; read drops the
	# NUL bytes, qemu_forward the carriage returns).
	qemu_forward "$tag" < <(tail -n +1 -F --pid="$QPID" "$dir/results.log" \
		2>/dev/null)
	wait "$QPID"
	rc=$?
	QPID=
	qemu_note "$tag guest ran $(($(date +%s) - t0)) s (qemu status $rc)"
	if [ "$retry" = 1 ] && ! tr -d '\000\r' <"$dir/results.log" | grep -q . &&
	   grep -q 'Kernel panic' "$dir/console.log"; then
		qemu_tail "$dir/console.log" 12
		QEMU_EARLY_PANIC=1
		return 0
	fi
	if ! tr -d '\000\r' <"$dir/results.log" | grep -q '^vm-done'; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			qemu_fail "$tag guest finished its run (timed out after $QEMU_TIMEOUT s)"
		else
			qemu_fail "$tag guest finished its run (no end marker: boot failure, panic or crash)"
		fi
		qemu_tail "$dir/qemu.log" 10
		qemu_tail "$dir/console.log" 60
	elif [ "$KTAP_N" -eq "$n0" ]; then
		qemu_fail "$tag guest reported no checks"
	fi
	qemu_note "$tag full serial log: $dir/console.log"
}

# qemu_begin: KTAP header, root check, cache, signal handling.
qemu_begin()
{
	T_START=$(date +%s)
	ktap_begin "$QEMU_STAGE"
	if [ "$(id -u)" != 0 ]; then
		echo "$0: needs root (apt-get, dpkg-deb ownership of module trees)" >&2
		exit 1
	fi
	mkdir -p "$QEMU_CACHE" "$QEMU_OUT"
	# Kernels unpacked by the harness's former home, not downloaded again.
	if [ ! -d "$QEMU_CACHE/kernels" ] &&
	   [ -d "$QEMU_TOP/tests/vm/.cache/kernels" ]; then
		mv "$QEMU_TOP/tests/vm/.cache/kernels" "$QEMU_CACHE/kernels"
	fi
	# timeout(1) passes the signal on to qemu.
	trap '[ -n "$QPID" ] && kill -TERM "$QPID" 2>/dev/null; exit 1' INT TERM
}

# qemu_end: the totals line; the exit status.
qemu_end()
{
	qemu_note "total $(($(date +%s) - T_START)) s"
	ktap_end || return 1
	[ "$KTAP_PASSED" -gt 0 ]
}
