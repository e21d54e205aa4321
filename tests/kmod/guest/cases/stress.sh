# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Case stress: malformed input, many sessions, churn.

case_stress()
{
	case_begin stress "malformed input, many sessions, churn"
	need_dev || { case_end stress; return; }
	run_tool malformed scenario malformed "$DEV" "${KMOD_FUZZ_ROUNDS:-40}"
	run_tool many scenario many "$DEV" "${KMOD_SESSIONS:-200}"
	run_tool churn scenario churn "$DEV" "${KMOD_CHURN:-25}"
	case_end stress
}
