# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fault/fault-lib.sh - helpers for the fault-injection tests (sourced
# after tests/lib.sh and tests/check-lib.sh).
SHIM="$top_builddir/tests/fault/faultinj.so"
GENROWS="$top_builddir/tests/fault/gen-rows"
[ -f "$SHIM" ] || { echo "SKIP: $SHIM not built"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
# An ASan build (configure --enable-sanitizers) complains when another library
# is preloaded before its runtime: allow it.
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS

# frun VAR=VALUE... -- ARGS...: like run, with the shim preloaded and the FAULT_*
# variables set only for the tool (the log of injected faults in $TMP/fault.log).
frun() {
	local envs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs="$envs $1"; shift; done
	shift
	rm -f "$TMP/fault.log"
	# shellcheck disable=SC2086
	env LD_PRELOAD="$SHIM" FAULT_LOG="$TMP/fault.log" $envs "$IV" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
# expect_fault_hit DESC: the shim did inject something (else the test proves nothing)
expect_fault_hit() {
	if [ -s "$TMP/fault.log" ] && grep -qE '^(fault|swap|gen):' "$TMP/fault.log"; then ok "$1: fault injected"
	else fail "$1: the shim injected nothing (path or operation not reached)"; fi
}
# expect_unknown REGEX DESC: exit 3, the error names what failed (stderr and JSON
# "errors"), status unknown, nothing reported as checked OK.
expect_unknown() {
	expect_rc 3 "$2"
	expect_err "$1" "$2: message"
	local got
	if ! got=$(jq -r '[.status, (.errors | map(select(test($re))) | length > 0)] | join(" ")' \
			--arg re "$1" <"$TMP/out" 2>"$TMP/jqerr"); then
		fail "$2: stdout is not valid JSON ($(cat "$TMP/jqerr"))"; return
	fi
	if [ "$got" != "unknown true" ]; then fail "$2: JSON status/errors: '$got', expected 'unknown true'"; else ok "$2: JSON unknown with the error"; fi
	if jq -e '[.processes[]?.devices[]? | select(.checked)] | length > 0' <"$TMP/out" >/dev/null 2>&1; then
		fail "$2: a device is reported as checked"
	fi
}
# normalized JSON of a check run: everything but the timings
NORM='del(.summary.duration_seconds) | del(.started) | del(.duration_seconds)'
