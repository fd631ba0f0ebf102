# SPDX-License-Identifier: GPL-2.0-or-later
# tests/lib.sh - shared helpers for the shell tests (sourced).
# Environment from Makefile.am: IV (binary), top_srcdir, top_builddir, PYTHON.
set -u
: "${IV:=$top_builddir/iommu-verify}"
: "${PYTHON:=python3}"
DATA="$top_srcdir/tests/data"
T=$(basename "$0" .sh)
TMP="$top_builddir/tests/tmp/$T"
rm -rf "$TMP"; mkdir -p "$TMP"
FAILS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok()   { echo "ok: $*"; }

# run ARGS...: runs the tool; stdout in $TMP/out, stderr in $TMP/err, status in $RC.
run() {
	"$IV" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	return 0
}
# expect_rc N DESC
expect_rc() {
	if [ "$RC" -ne "$1" ]; then
		fail "$2: exit $RC, expected $1"; sed 's/^/  stderr: /' "$TMP/err" >&2; head -20 "$TMP/out" | sed 's/^/  stdout: /' >&2
	else ok "$2: exit $1"; fi
}
# expect_out FILE DESC: stdout equals the expected file exactly
expect_out() {
	if ! diff -u "$1" "$TMP/out" >"$TMP/diff"; then fail "$2: output differs"; cat "$TMP/diff" >&2; else ok "$2"; fi
}
# expect_jq FILTER EXPECTED DESC: jq -r FILTER on stdout equals EXPECTED
expect_jq() {
	local got
	if ! got=$(jq -r "$1" <"$TMP/out" 2>"$TMP/jqerr"); then fail "$3: stdout is not valid JSON ($(cat "$TMP/jqerr"))"; return; fi
	if [ "$got" != "$2" ]; then fail "$3: jq '$1' gave '$got', expected '$2'"; else ok "$3"; fi
}
# expect_err REGEX DESC: stderr matches
expect_err() {
	if grep -Eq -- "$1" "$TMP/err"; then ok "$2"; else fail "$2: stderr does not match /$1/"; sed 's/^/  stderr: /' "$TMP/err" >&2; fi
}
finish() {
	if [ "$FAILS" -ne 0 ]; then echo "$T: $FAILS failure(s)"; exit 1; fi
	exit 0
}
