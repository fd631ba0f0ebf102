#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A misbehaving QMP server (tests/fake-qmp.py --bad MODE): a connection closed
# mid-reply, garbage, no answer at all (--timeout), a QEMU error, a reply
# without end (bounded: an error, not unbounded memory); split replies and
# events in between must still work.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
gen clean
R="$TMP/clean"
SOCK="$TMP/qmp.sock"
SP=
serve() {   # serve [fake-qmp options]
	rm -f "$SOCK"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$SOCK" "$R/qmp" --timeout 20 "$@" &
	SP=$!
	for i in $(seq 100); do [ -S "$SOCK" ] && return 0; sleep 0.05; done
	fail "fake-qmp.py did not start"; finish
}
stop() { kill "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; SP=; }
trap 'stop' EXIT
# qrun [options before the command]: the check over QMP, timed; peak RSS in $TMP/rss (KiB) if GNU time exists
qrun() {
	local t0 t1
	t0=$(date +%s)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$TMP/rss" "$IV" --root "$R/root" -j "$@" check --pid 4242 --qmp "$SOCK" >"$TMP/out" 2>"$TMP/err"
	else
		"$IV" --root "$R/root" -j "$@" check --pid 4242 --qmp "$SOCK" >"$TMP/out" 2>"$TMP/err"
	fi
	RC=$?
	t1=$(date +%s)
	ELAPSED=$((t1 - t0))
}

serve
qrun
expect_rc 0 "control: well-behaved server"

for m in split events; do
	serve --bad $m
	qrun
	expect_rc 0 "--bad $m: still OK"
	expect_jq '.summary.pages_checked' 16448 "--bad $m: all pages checked"
	stop
done

serve --bad close
qrun
expect_unknown "info mtree -f: QEMU closed the connection" "--bad close (half a reply, then EOF)"
stop
serve --bad garbage
qrun
expect_unknown "info mtree -f: reply is not a JSON object" "--bad garbage"
stop
serve --bad error
qrun
expect_unknown "info mtree -f: QEMU error GenericError" "--bad error"
stop
serve --bad close --bad-cmd greeting
qrun
expect_unknown "greeting" "--bad close at the greeting"
stop
serve --bad silent
qrun --timeout 1
expect_unknown "no reply from QEMU within 1 s" "--bad silent, --timeout 1"
if [ "$ELAPSED" -le 4 ]; then ok "--bad silent: gave up after ${ELAPSED}s"; else fail "--bad silent: took ${ELAPSED}s with --timeout 1"; fi
stop
serve --bad silent --bad-cmd qmp_capabilities
qrun --timeout 1
expect_unknown "qmp_capabilities: no reply from QEMU within 1 s" "--bad silent at qmp_capabilities"
stop
serve --bad huge
qrun --timeout 20
expect_unknown "reply larger than" "--bad huge (70 MiB string)"
asan=no
if command -v ldd >/dev/null 2>&1 && ldd "$IV" 2>/dev/null | grep -q asan; then asan=yes; fi
if [ -s "$TMP/rss" ] && [ $asan = no ]; then
	rss=$(tail -n 1 "$TMP/rss")
	# the reply limit is 64 MiB (src/qmp.c QMP_MAX_REPLY); allow for the tokenizer's buffer
	if [ "$rss" -lt $((160 * 1024)) ]; then ok "--bad huge: peak RSS ${rss} KiB is bounded"
	else fail "--bad huge: peak RSS ${rss} KiB"; fi
fi
stop
finish
