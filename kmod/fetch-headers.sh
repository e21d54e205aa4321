#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Unpacks Debian's kernel headers into a cache so that sstp.ko builds
# against them without installing a kernel or headers package:
#
#   kmod/fetch-headers.sh [--cache DIR] [--quiet] [SERIES|RELEASE...]
#   kmod/fetch-headers.sh [--cache DIR] [--quiet] --checkpatch
#
# SERIES is 6.1 or 6.12 (the newest -amd64 flavour apt offers for it);
# RELEASE is a full release such as 6.1.0-56-amd64. Default: 6.1 6.12.
# For each kernel, prints one line "RELEASE KERNELDIR"; KERNELDIR is what
# `make -C KERNELDIR M=... modules` wants. Already unpacked kernels are
# reused (no network). Needs apt-get download and dpkg-deb.
#
# Debian's header trees point at /usr/src: the flavour's Makefile includes
# /usr/src/linux-headers-*-common/Makefile. That one line is rewritten to
# the cache; the scripts/tools links are relative and work as unpacked.
# The default cache is .cache/headers at the top of the tree, not below
# kmod/, where kbuild's clean (M=kmod) would reach it; trees left in the
# old place (kmod/.cache/RELEASE) are moved there.
#
# --checkpatch prints the path of the kernel's scripts/checkpatch.pl (with
# its spelling.txt and const_structs.checkpatch), which no headers package
# carries: they are taken from Debian 12's linux-source-6.1 (140 MB, once).

set -eu
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=$HERE/../.cache/headers
OLD_CACHE=$HERE/.cache
QUIET=0
CHECKPATCH=0
SPECS=()

while [ $# -gt 0 ]; do
	case $1 in
	--cache) CACHE=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	--checkpatch) CHECKPATCH=1; shift ;;
	-h|--help) sed -n '3,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fetch-headers: unknown option $1" >&2; exit 1 ;;
	*) SPECS+=("$1"); shift ;;
	esac
done
[ ${#SPECS[@]} -gt 0 ] || SPECS=(6.1 6.12)
mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd)

say() { [ "$QUIET" = 1 ] || echo "fetch-headers: $*" >&2; }

APT_UPDATED=0
apt_update()
{
	[ "$APT_UPDATED" = 1 ] && return 0
	APT_UPDATED=1
	if [ "$(id -u)" = 0 ]; then
		say "apt-get update"
		apt-get update >"$CACHE/apt-update.log" 2>&1 || true
	fi
}

# candidates SERIES: header packages apt can fetch for a series, oldest first.
candidates()
{
	local re

	case $1 in
	6.1) re='^linux-headers-6\.1\.0-[0-9]+-amd64$' ;;
	6.12) re='^linux-headers-6\.12\.[0-9]+\+deb12-amd64$' ;;
	*) return 1 ;;
	esac
	apt-cache pkgnames linux-headers-"$1" 2>/dev/null | grep -E "$re" |
		sort -V | while read -r p; do
			# Only packages apt can actually fetch.
			case $(apt-cache policy "$p" 2>/dev/null) in
			*"Candidate: "[0-9]*) echo "${p#linux-headers-}" ;;
			esac
		done
}

# cached SERIES: the newest release already unpacked for a series.
cached()
{
	local glob c

	case $1 in
	6.1) glob='6.1.0-*-amd64' ;;
	6.12) glob='6.12.*+deb12-amd64' ;;
	*) return 1 ;;
	esac
	for c in "$CACHE" "$OLD_CACHE"; do
		(cd "$c" && for d in $glob; do
			[ -f "$d/.complete" ] && echo "$d"
		done) 2>/dev/null
	done | sort -V | tail -n 1
}

resolve()
{
	local spec=$1 rel

	case $spec in
	6.1|6.12)
		rel=$(cached "$spec")
		if [ -z "$rel" ]; then
			rel=$(candidates "$spec" | tail -n 1)
			if [ -z "$rel" ]; then
				apt_update
				rel=$(candidates "$spec" | tail -n 1)
			fi
		fi
		[ -n "$rel" ] || return 1
		echo "$rel" ;;
	*-amd64) echo "$spec" ;;
	*) return 1 ;;
	esac
}

# kbuild_pkg RELEASE: the linux-kbuild package the header tree links to.
kbuild_pkg()
{
	case $1 in
	6.1.0-*) echo linux-kbuild-6.1 ;;
	6.12.*) echo "linux-kbuild-${1%-amd64}" ;;
	*) return 1 ;;
	esac
}

fetch()
{
	local rel=$1 dir=$CACHE/$1 dl common kbuild hdr

	if [ ! -f "$dir/.complete" ] && [ -f "$OLD_CACHE/$rel/.complete" ]; then
		say "moving $OLD_CACHE/$rel to $CACHE"
		rm -rf "$dir"
		mv "$OLD_CACHE/$rel" "$dir" &&
			sed -i "s|^include .*/usr/src/linux-headers-|include $dir/usr/src/linux-headers-|" \
				"$dir/usr/src/linux-headers-$rel/Makefile" || return 1
	fi
	if [ -f "$dir/.complete" ]; then
		echo "$dir/usr/src/linux-headers-$rel"
		return 0
	fi
	common=linux-headers-${rel%-amd64}-common
	kbuild=$(kbuild_pkg "$rel")
	rm -rf "$dir" "$dir.tmp"
	dl=$dir.tmp/deb
	mkdir -p "$dl"
	# apt drops to _apt for downloads into a directory it can write.
	chown _apt "$dl" 2>/dev/null || true
	say "downloading linux-headers-$rel $common $kbuild"
	if ! (cd "$dl" && apt-get download "linux-headers-$rel" "$common" \
		"$kbuild") >"$CACHE/apt-download.log" 2>&1; then
		apt_update
		(cd "$dl" && apt-get download "linux-headers-$rel" "$common" \
			"$kbuild") >"$CACHE/apt-download.log" 2>&1 || {
			tail -n 5 "$CACHE/apt-download.log" >&2
			rm -rf "$dir.tmp"
			return 1
		}
	fi
	for deb in "$dl"/*.deb; do
		dpkg-deb -x "$deb" "$dir.tmp"
	done
	rm -rf "$dl"
	hdr=$dir.tmp/usr/src/linux-headers-$rel
	[ -f "$hdr/Makefile" ] || { echo "fetch-headers: $hdr/Makefile missing" >&2; return 1; }
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$hdr/Makefile"
	touch "$dir.tmp/.complete"
	mv "$dir.tmp" "$dir"
	echo "$dir/usr/src/linux-headers-$rel"
}

# checkpatch: scripts/checkpatch.pl and the two files it reads beside it.
CHECKPATCH_SRC=linux-source-6.1
checkpatch()
{
	local dir=$CACHE/checkpatch dl deb tree=${CHECKPATCH_SRC}

	if [ -f "$dir/.complete" ]; then
		echo "$dir/checkpatch.pl"
		return 0
	fi
	rm -rf "$dir" "$dir.tmp"
	dl=$dir.tmp/deb
	mkdir -p "$dl"
	chown _apt "$dl" 2>/dev/null || true
	say "downloading $CHECKPATCH_SRC for scripts/checkpatch.pl"
	if ! (cd "$dl" && apt-get download "$CHECKPATCH_SRC") \
		>"$CACHE/apt-download.log" 2>&1; then
		apt_update
		(cd "$dl" && apt-get download "$CHECKPATCH_SRC") \
			>"$CACHE/apt-download.log" 2>&1 || {
			tail -n 5 "$CACHE/apt-download.log" >&2
			rm -rf "$dir.tmp"
			return 1
		}
	fi
	deb=$(ls "$dl"/*.deb)
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dir.tmp" "./usr/src/$tree.tar.xz" || return 1
	tar -xJf "$dir.tmp/usr/src/$tree.tar.xz" -C "$dir.tmp" \
		"$tree/scripts/checkpatch.pl" "$tree/scripts/spelling.txt" \
		"$tree/scripts/const_structs.checkpatch" || return 1
	mv "$dir.tmp/$tree/scripts/checkpatch.pl" \
		"$dir.tmp/$tree/scripts/spelling.txt" \
		"$dir.tmp/$tree/scripts/const_structs.checkpatch" "$dir.tmp/" &&
		rm -rf "$dir.tmp/$tree" "$dir.tmp/usr" "$dl" &&
		touch "$dir.tmp/.complete" &&
		mv "$dir.tmp" "$dir" || return 1
	echo "$dir/checkpatch.pl"
}

if [ "$CHECKPATCH" = 1 ]; then
	checkpatch
	exit
fi

rc=0
for spec in "${SPECS[@]}"; do
	if ! rel=$(resolve "$spec"); then
		echo "fetch-headers: no Debian headers package found for $spec" >&2
		rc=1
		continue
	fi
	if ! kdir=$(fetch "$rel"); then
		rc=1
		continue
	fi
	echo "$rel $kdir"
done
exit $rc
