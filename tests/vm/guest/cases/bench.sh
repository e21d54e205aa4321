# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Benchmark (vmbench=1): iperf3 through the tunnel on each data path.

# iperf_rate FILE: the receiver's bit rate of an iperf3 run.
iperf_rate() { awk '/receiver$/ { print $(NF-2), $(NF-1) }' "$1" | tail -n 1; }

# mbits "RATE UNIT": the rate in Mbit/s.
mbits()
{
	echo "$1" | awk '{ v = $1 + 0; u = $2
		if (u ~ /^G/) v *= 1000; else if (u ~ /^K/) v /= 1000
		else if (u ~ /^bits/) v /= 1e6
		printf "%.1f", v }'
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
declare -A BR BS BA

# pid_ticks PID: user + system CPU ticks of a process (0 when gone).
pid_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# busy_ticks: CPU ticks of the whole guest spent outside idle and iowait.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
# dev_bytes DEV...: received + sent bytes of devices in ns gw.
dev_bytes()
{
	local d t=0 r x

	for d; do
		r=$(n0 cat "/sys/class/net/$d/statistics/rx_bytes" 2>/dev/null)
		x=$(n0 cat "/sys/class/net/$d/statistics/tx_bytes" 2>/dev/null)
		t=$((t + ${r:-0} + ${x:-0}))
	done
	echo "$t"
}

# per_gb TICKS BYTES: CPU seconds per gigabyte (10^9 bytes).
per_gb() { awk -v t="$1" -v b="$2" -v hz="$CLK_TCK" 'BEGIN { if (b > 0) printf "%.2f", t / hz / (b / 1e9); else print "?" }'; }

# bench_one LABEL SERVER_ADDR DEV...: iperf3 from c1 to the gateway and back;
# the CPU time of sstpd ($GWPID, when set) and of the whole guest per
# gigabyte moved through DEV (the gateway's tunnel devices, or the veth).
# Fills BR[LABEL.DIR] (Mbit/s), BS[...] and BA[...] (sstpd and all CPUs,
# seconds per GB); DIR is up (client -> gateway) or down.
bench_one()
{
	local label=$1 addr=$2 dir out s0 s1 a0 a1 b0 b1 rate scpu acpu st rev

	shift 2
	for dir in up down; do
		spawn gw "$L/iperf-s.$label.$dir" "$L/iperf-s.$label.$dir" \
			iperf3 -s -1 -B "$addr"
		sleep 1
		out=$L/iperf.$label.$dir
		s0=$(pid_ticks "${GWPID:-none}") a0=$(busy_ticks) b0=$(dev_bytes "$@")
		rev=()
		[ "$dir" = down ] && rev=(-R)
		n1 iperf3 -c "$addr" -t "$BENCH_SECS" -O 2 "${rev[@]}" >"$out" 2>&1
		st=$?
		s1=$(pid_ticks "${GWPID:-none}") a1=$(busy_ticks) b1=$(dev_bytes "$@")
		rate=$(mbits "$(iperf_rate "$out")")
		scpu=-
		[ -n "$GWPID" ] && scpu=$(per_gb $((s1 - s0)) $((b1 - b0)))
		acpu=$(per_gb $((a1 - a0)) $((b1 - b0)))
		if [ "$dir" = up ]; then
			result "$st" "bench: iperf3 $label client -> gateway ($rate Mbit/s)" "$out"
			emit "bench $KVER $label client->gateway $rate Mbit/s, $((b1 - b0)) bytes, sstpd $scpu CPU s/GB, all CPUs $acpu s/GB"
		else
			result "$st" "bench: iperf3 $label gateway -> client ($rate Mbit/s)" "$out"
			emit "bench $KVER $label gateway->client $rate Mbit/s, $((b1 - b0)) bytes, sstpd $scpu CPU s/GB, all CPUs $acpu s/GB"
		fi
		BR[$label.$dir]=$rate
		BS[$label.$dir]=$scpu
		BA[$label.$dir]=$acpu
		stop_pid "$SPAWNED"
	done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "?" }'; }

# The three data paths of the gateway, each with the client on the same
# one: kernel (sstp.ko), ktls (kernel TLS, SSTP framing in sstpd) and
# userspace (OpenSSL in sstpd).
case_bench()
{
	local p path conf cargs dir want

	case_begin bench "iperf3 through the tunnel, ${BENCH_SECS} s a direction (TCG-emulated: compare the paths and runs, not absolute figures)"
	GWPID=
	bench_one plain-veth "$GW1" vc1
	for p in kernel kernel-coalesce ktls userspace; do
		want=${p%-coalesce}
		case $p in
		kernel) conf=(); cargs=() ;;
		kernel-coalesce) conf=("KernelCoalesce = yes"); cargs=() ;;
		ktls) conf=("KernelTLS = yes" "KernelDataPath = off")
		      cargs=(--no-kernel) ;;
		userspace) conf=("KernelTLS = no" "KernelDataPath = off")
			   cargs=(--no-ktls --no-kernel) ;;
		esac
		check "bench: $p: sstpd starts (${conf[*]:-defaults})" \
			gw_start "${conf[@]}" || continue
		client_start "bench-$p" bench "${cargs[@]}"
		result $? "bench: $p: client up (${CADDR:-none}, $(client_path "bench-$p"))" \
			"$L/bench-$p.out" "$L/bench-$p.err"
		show_json
		path=$(session_field CN=bench@vm.test path)
		[ "$path" = "$want" ]
		result $? "bench: $p: the gateway's session is on path $want (got ${path:-nothing})" \
			"$L/show.json"
		bench_one "$p" "$GW_IN" "$IFACE" "$KIF"
		stop_pid "$CPID"
		gw_stop
	done
	for dir in up down; do
		p=client-\>gateway
		[ "$dir" = down ] && p=gateway-\>client
		emit "bench $KVER summary $p Mbit/s: kernel ${BR[kernel.$dir]:-?} (with KernelCoalesce ${BR[kernel-coalesce.$dir]:-?}), ktls ${BR[ktls.$dir]:-?}, userspace ${BR[userspace.$dir]:-?}; kernel/ktls $(ratio "${BR[kernel.$dir]:-0}" "${BR[ktls.$dir]:-0}"), kernel/userspace $(ratio "${BR[kernel.$dir]:-0}" "${BR[userspace.$dir]:-0}"), ktls/userspace $(ratio "${BR[ktls.$dir]:-0}" "${BR[userspace.$dir]:-0}")"
		emit "bench $KVER summary $p sstpd CPU s/GB: kernel ${BS[kernel.$dir]:-?} (coalescing ${BS[kernel-coalesce.$dir]:-?}), ktls ${BS[ktls.$dir]:-?}, userspace ${BS[userspace.$dir]:-?}; all CPUs s/GB: kernel ${BA[kernel.$dir]:-?} (coalescing ${BA[kernel-coalesce.$dir]:-?}), ktls ${BA[ktls.$dir]:-?}, userspace ${BA[userspace.$dir]:-?}"
	done
	case_end bench
}
