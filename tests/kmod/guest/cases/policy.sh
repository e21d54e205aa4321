# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case policy: who may use the module, how much, and what the stack checks.

case_policy()
{
	local t0 CG objs

	case_begin policy "session limit, checksums, user namespaces, memory accounting"
	need_dev || { case_end policy; return; }
	run_tool "session limit" scenario limit "$DEV" "${KMOD_LIMIT:-8}"
	run_tool checksums scenario csum "$DEV"
	# Root of a user namespace owns its network namespace, not the module.
	t0=$SECONDS
	unshare -U -r -n sh -c "ip link set lo up && exec '$T' scenario unpriv 1" \
		>"$LOG/unpriv.log" 2>&1
	report "user namespace" "$LOG/unpriv.log" $? "$t0"
	checknot "ip link add type sstp refused in a user namespace" \
		unshare -U -r -n ip link add sstpx1 type sstp
	# Session memory in the creator's memory cgroup (cgroup v2).
	CG=/sys/fs/cgroup
	if [ -f $CG/cgroup.controllers ] || mount -t cgroup2 none $CG 2>>"$LOG/cmd.log"; then
		echo +memory >$CG/cgroup.subtree_control 2>>"$LOG/cmd.log"
		mkdir -p $CG/kmodacct
		t0=$SECONDS
		sh -c 'echo $$ >'$CG'/kmodacct/cgroup.procs && exec "$0" scenario account "$1" "$2"' \
			"$T" "$DEV" "${KMOD_ACCOUNT:-128}" >"$LOG/account.log" 2>&1
		report accounting "$LOG/account.log" $? "$t0"
		rmdir $CG/kmodacct 2>>"$LOG/cmd.log"
	else
		not_ok "cgroup2 mounted for the accounting test"
	fi
	objs=$(objects)
	if [ "$objs" = 0 ]; then
		ok "session objects back to zero"
	else
		not_ok "session objects back to zero ($objs)"
	fi
	case_end policy
}
