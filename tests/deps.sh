#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing need on Debian 12 (run as root).
# Only calls apt-get when something is missing.
set -eu
pkgs=(gcc make pkg-config libssl-dev libmnl-dev libcmocka-dev openssl
      clang libclang-rt-14-dev iproute2 iperf3 iputils-ping procps psmisc
      python3 cppcheck shellcheck libbpf-dev bpftool)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
