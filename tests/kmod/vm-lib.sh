# SPDX-License-Identifier: GPL-2.0
#
# Shell functions (bash) that put the sstp.ko tests into a guest image;
# sourced by tests/kmod/vm.sh and meant for tests/vm/run.sh as well:
#
#   kmod_build KVER DIR
#       Build a debug sstp.ko for release KVER (Debian's headers, fetched by
#       kmod/fetch-headers.sh) into DIR/sstp.ko. The build log is
#       DIR/build.log; fails on any compiler warning.
#   kmod_install_guest ROOT KVER KO [GUESTDIR]
#       Into the image tree ROOT: KO as
#       usr/lib/modules/KVER/extra/sstp.ko (run depmod afterwards), and the
#       test tool with its libraries and guest.sh in GUESTDIR (default
#       /kmod). In the guest, `bash GUESTDIR/guest.sh GUESTDIR` then runs
#       the tests.
#   kmod_inputs
#       The files an image built this way depends on, for cache keys.
#
# Needs KMOD_TOP (the repository) set; KMOD_TOOL defaults to
# $KMOD_TOP/build/kmod/sstp-kmod-test (make kmod-test).

: "${KMOD_TOOL:=$KMOD_TOP/build/kmod/sstp-kmod-test}"

kmod_build()
{
	local kver=$1 dir=$2 line kdir

	mkdir -p "$dir" || return 1
	line=$("$KMOD_TOP/kmod/fetch-headers.sh" --quiet "$kver") || return 1
	kdir=${line#* }
	make -s -C "$KMOD_TOP" -f kmod/kmod.mk module-clean module-debug \
		KERNELDIR="$kdir" >"$dir/build.log" 2>&1 || return 1
	grep -qi 'warning:' "$dir/build.log" && return 1
	cp "$KMOD_TOP/kmod/sstp.ko" "$dir/sstp.ko" &&
		make -s -C "$KMOD_TOP" -f kmod/kmod.mk module-clean >/dev/null
}

# kmod_put FILE ROOT: FILE into ROOT under its directory's real path.
kmod_put()
{
	local d

	d=$(realpath "$(dirname "$1")") || return 1
	mkdir -p "$2$d"
	cp -L "$1" "$2$d/$(basename "$1")"
}

# kmod_put_prog FILE ROOT: FILE and the shared libraries it needs.
kmod_put_prog()
{
	local lib

	kmod_put "$1" "$2" || return 1
	for lib in $(ldd "$1" 2>/dev/null |
		     awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }'); do
		[ -e "$2$(realpath "$(dirname "$lib")")/$(basename "$lib")" ] ||
			kmod_put "$lib" "$2" || return 1
	done
}

kmod_install_guest()
{
	local root=$1 kver=$2 ko=$3 gdir=${4:-/kmod}

	[ -x "$KMOD_TOOL" ] || { echo "kmod: $KMOD_TOOL is missing" >&2; return 1; }
	mkdir -p "$root/usr/lib/modules/$kver/extra" "$root$gdir" &&
		cp "$ko" "$root/usr/lib/modules/$kver/extra/sstp.ko" &&
		kmod_put_prog "$KMOD_TOOL" "$root" &&
		cp "$KMOD_TOOL" "$root$gdir/sstp-kmod-test" &&
		cp "${KMOD_GUEST:-$KMOD_TOP/tests/kmod/guest.sh}" "$root$gdir/guest.sh" &&
		chmod 0755 "$root$gdir/guest.sh"
}

kmod_inputs()
{
	echo "$KMOD_TOOL" "$KMOD_TOP/tests/kmod/guest.sh" "$KMOD_TOP/kmod/Kbuild" \
		"$KMOD_TOP"/kmod/*.[ch] "$KMOD_TOP"/kmod/selftest/*.c \
		"$KMOD_TOP"/kmod/compat/*.h "$KMOD_TOP"/kmod/compat/Kbuild.include \
		"$KMOD_TOP"/kmod/compat/include/net/*.h \
		"$KMOD_TOP"/include/uapi/linux/sstp*.h
}
