#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check-timeout.sh - -t/--timeout SECONDS is the whole run's limit (Nagios
# plugin guidelines): a read that blocks forever (a FIFO in /proc/PID under
# --root: before, the run hung) ends within N+1 s with exit 3 and "IOMMU UNKNOWN -
# timed out after N s" (--nagios), a JSON document (-j) or an error (text), and the
# Prometheus textfile then says up 0 / status 3; a QMP peer that never answers
# stops at the run's deadline with its step named; a run that finishes in time is
# not cut; bad values are usage errors.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
MSG="timed out after 1 s (-t/--timeout): the run did not finish"
# expect_stdout TEXT DESC: stdout is exactly the line TEXT
expect_stdout() {
	printf '%s\n' "$1" >"$TMP/want"
	expect_out "$TMP/want" "$2"
}

# timed LIMIT ARGS...: run with wall time in $SECS; fails past LIMIT seconds
timed() {
	local lim=$1; shift
	local t0 t1
	t0=$(date +%s.%N)
	"$IV" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	t1=$(date +%s.%N)
	SECS=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
	echo "measured: $*: exit $RC in $SECS s"
	awk "BEGIN { exit !($SECS <= $lim) }" && ok "ended in $SECS s (<= $lim s)" || fail "took $SECS s (limit $lim s)"
}

gen clean
for f in maps pagemap; do
	rm -rf "$TMP/fifo"; cp -a "$TMP/clean" "$TMP/fifo"
	rm "$TMP/fifo/root/proc/4242/$f"; mkfifo "$TMP/fifo/root/proc/4242/$f"
	R="--root $TMP/fifo/root"
	timed 2 $R -t 1 check --all --nagios
	expect_rc 3 "/proc/PID/$f a FIFO, -t 1 --nagios"
	printf 'IOMMU UNKNOWN - %s\n' "$MSG" >"$TMP/exp"
	expect_out "$TMP/exp" "$f FIFO: one Nagios line, timed out after 1 s"
	expect_err "^iommu-verify: timed out after 1 s \(-t/--timeout\): the run did not finish$" "$f FIFO: the error on stderr"
done

timed 2 $R --timeout 1 -j check --all
expect_rc 3 "FIFO, --timeout 1 -j"
expect_jq '[(.schema_version|tostring), .command, .errors[0], (.errors|length|tostring)] | join(" / ")' "2 / check / $MSG / 1" \
	"FIFO -j: schema 2's error document saying so"
cp "$TMP/out" "$TMP/timeout-unknown.json"
timed 2 $R check --all --timeout=1
expect_rc 3 "FIFO, --timeout=1 after the command, text"
[ ! -s "$TMP/out" ] && ok "FIFO text: nothing on stdout" || fail "FIFO text: stdout: $(head -3 "$TMP/out")"
expect_err "^iommu-verify: timed out after 1 s \\(-t/--timeout\\): the run did not finish$" "FIFO text: the error"

# the textfile held an OK: it must now say unknown (up 0, status 3), written atomically
mkdir -p "$TMP/prom"
printf 'iommu_verify_up 1\niommu_verify_status 0\n' >"$TMP/prom/iv.prom"
timed 2 $R -t 1 check --all --nagios --prometheus "$TMP/prom/iv.prom"
expect_rc 3 "FIFO with --prometheus"
grep -qx 'iommu_verify_up 0' "$TMP/prom/iv.prom" && grep -qx 'iommu_verify_status 3' "$TMP/prom/iv.prom" &&
	grep -qx 'iommu_verify_errors 1' "$TMP/prom/iv.prom" && ok "timed out: the textfile says up 0, status 3, 1 error" ||
	{ fail "timed out: textfile"; sed 's/^/  /' "$TMP/prom/iv.prom" >&2; }
[ "$(stat -c %a "$TMP/prom/iv.prom")" = 644 ] && ok "timed out: textfile mode 0644" || fail "timed out: mode $(stat -c %a "$TMP/prom/iv.prom")"
left=$(ls "$TMP/prom" | grep -v '^iv.prom$' || true)
[ -z "$left" ] && ok "timed out: no temporary file left" || fail "timed out: left behind: $left"
if command -v promtool >/dev/null 2>&1; then
	promtool check metrics <"$TMP/prom/iv.prom" >"$TMP/promtool" 2>&1 && ok "timed out: promtool check metrics: clean" ||
		{ fail "timed out: promtool"; cat "$TMP/promtool" >&2; }
fi

# a critical finding confirmed before the hang is not hidden: pid 4242 (stale) is checked,
# then pid 5151 blocks on its maps FIFO
gen stale
rm -rf "$TMP/two"; cp -a "$TMP/stale" "$TMP/two"
P=$TMP/two/root/proc
cp -a "$P/4242" "$P/5151"; rm "$P/5151/maps"; mkfifo "$P/5151/maps"
rm -f "$TMP/prom/iv.prom"
timed 2 --root "$TMP/two/root" -t 1 check --all --nagios --prometheus "$TMP/prom/iv.prom"
expect_rc 2 "stale VM, then a hang: CRITICAL"
expect_stdout "IOMMU CRITICAL - pid 4242 0000:00:02.0: stale at iova 0x150000; then $MSG" "stale, then a hang: the finding named"
expect_err "^iommu-verify: a critical finding before the timeout: pid 4242 0000:00:02.0: stale at iova 0x150000$" \
	"stale, then a hang: on stderr too"
grep -qx 'iommu_verify_status 2' "$TMP/prom/iv.prom" && grep -qx 'iommu_verify_up 0' "$TMP/prom/iv.prom" &&
	ok "stale, then a hang: the textfile says status 2, up 0" || { fail "stale, then a hang: textfile"; cat "$TMP/prom/iv.prom" >&2; }
timed 2 --root "$TMP/two/root" -t 1 -j check --all
expect_rc 2 "stale, then a hang, -j: CRITICAL"
expect_jq '[(.schema_version|tostring), .command, .errors[0], .errors[1]] | join(" / ")' \
	"2 / check / a critical finding before the timeout: pid 4242 0000:00:02.0: stale at iova 0x150000 / $MSG" \
	"stale, then a hang, -j: the error document names the finding"
cp "$TMP/out" "$TMP/timeout-critical.json"
# both documents against the shipped JSON Schema (tests/json-validate.py, Debian's python3-jsonschema)
if "$PYTHON" -c 'import jsonschema' 2>/dev/null; then
	"$PYTHON" "$top_srcdir/tests/json-validate.py" --strict "$top_srcdir/schema/iommu-verify.schema.json" \
		"$TMP/timeout-unknown.json" "$TMP/timeout-critical.json" >"$TMP/valid" 2>&1 &&
		ok "the timeout documents are valid (schema 2, strict)" || { fail "timeout documents vs the schema"; cat "$TMP/valid" >&2; }
else echo "note: no python3 jsonschema: the timeout documents are not validated"; fi

# a QMP peer that never answers: the session stops at the run's deadline, the step named
"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$TMP/qmp.sock" "$TMP/clean/qmp" --bad silent --bad-cmd "info mtree" --timeout 20 &
QPID=$!
i=0; while [ ! -S "$TMP/qmp.sock" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
timed 2 --root "$TMP/clean/root" -t 1 check --pid 4242 --qmp "$TMP/qmp.sock" --nagios
kill $QPID 2>/dev/null; wait $QPID 2>/dev/null
expect_rc 3 "silent QMP, -t 1"
grep -Eq '^IOMMU UNKNOWN - not checked: pid 4242: .*qmp.sock: info mtree -f: no reply from QEMU within 1 s' "$TMP/out" &&
	ok "silent QMP: the status line names the step" || fail "silent QMP: $(head -1 "$TMP/out")"

# in time: not cut, the normal result
gen pcbios
timed 2 --root "$TMP/pcbios/root" -t 1 check --pid 4242 --gpa-map "$TMP/pcbios/gpa-map.json" --nagios
expect_rc 2 "pcbios in time: CRITICAL"
grep -q '^IOMMU CRITICAL - 2 zero_page, 1 zero_page_consistent | ' "$TMP/out" && ! grep -q 'timed out' "$TMP/out" "$TMP/err" &&
	ok "pcbios in time: the normal report" || fail "pcbios in time: $(head -1 "$TMP/out")"
sleep 1   # past the limit: a timer left armed would fire now (it is disarmed after the run)

# bad values are usage errors
for t in 0 -1 abc 3601 1e999 nan; do
	run --root "$TMP/pcbios/root" -t "$t" check --pid 4242 --nagios
	expect_rc 3 "-t '$t'"
	expect_stdout "IOMMU UNKNOWN - check: --timeout: '$t' is not a number of seconds above 0 and at most 3600" "-t '$t': one UNKNOWN line"
done
run --root "$TMP/pcbios/root" check --pid 4242 --nagios -t
expect_rc 3 "-t without a value"
expect_stdout "IOMMU UNKNOWN - check: option '-t' needs an argument" "-t without a value: named"
finish
