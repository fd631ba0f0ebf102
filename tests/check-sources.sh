#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The three sources of the guest memory map give the same findings: --gpa-map,
# --qmp (a fake QMP server answering with QEMU 7.2 replies, CRLF), and inference.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

serve() {   # serve DIR [fake-qmp options]: starts fake-qmp.py on $TMP/qmp.sock
	local d=$1; shift
	rm -f "$TMP/qmp.sock"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$TMP/qmp.sock" "$d" --timeout 20 --log "$TMP/qmp.log" "$@" &
	QPID=$!
	for i in $(seq 100); do [ -S "$TMP/qmp.sock" ] && return 0; sleep 0.05; done
	fail "fake-qmp.py did not start"
}

for s in pcbios stale; do
	gen $s
	run --root "$TMP/$s/root" -j check --pid 4242 --gpa-map "$TMP/$s/gpa-map.json"
	jq -r "$FINDINGS" <"$TMP/out" >"$TMP/$s.file"
	serve "$TMP/$s/qmp"
	run --root "$TMP/$s/root" -j check --pid 4242 --qmp "$TMP/qmp.sock"
	wait $QPID
	expect_rc 2 "$s --qmp: critical"
	expect_jq '.processes[0].gpa_map' qmp "$s --qmp: map from QMP"
	expect_findings "$(cat "$TMP/$s.file")" "$s: --qmp gives the same findings as --gpa-map"
	if grep -q gpa2hpa "$TMP/qmp.log"; then fail "$s: gpa2hpa was sent"; else ok "$s: gpa2hpa never sent"; fi
done

# Inference: the stale page and the clean VM come out the same as with a map.
gen clean
run --root "$TMP/clean/root" -j check --pid 4242
expect_rc 0 "clean inferred: OK"
expect_jq '.processes[0].gpa_map' inferred "clean: map inferred"
expect_jq '.processes[0].samples_agreed > 0' true "clean: samples agreed"
run --root "$TMP/stale/root" -j check --pid 4242
expect_rc 2 "stale inferred: critical"
# an inferred map cannot know QEMU's region names: compare all but the region
expect_findings "$(sed 's/ pc\.ram / inferred@0x7f16f7f00000 /' "$TMP/stale.file")" "stale inferred: same findings as --gpa-map (region named after the mapping)"

# pc.bios inferred: the zero page mapped where no sample can place the CPU side
# is still zero_page (CPU PFN unknown); the exit code is the same.
run --root "$TMP/pcbios/root" -j check --pid 4242
expect_rc 2 "pcbios inferred: critical"
expect_jq '[.findings[] | select(.kind == "zero_page" and .iova == "0xfffc0000")] | length' 1 "pcbios inferred: zero_page at 0xfffc0000"

# A QMP server that misbehaves: error, exit 3, never a hang and never OK.
for bad in close garbage silent error; do
	serve "$TMP/clean/qmp" --bad $bad
	run --root "$TMP/clean/root" --timeout 2 -j check --pid 4242 --qmp "$TMP/qmp.sock"
	kill $QPID 2>/dev/null; wait $QPID 2>/dev/null
	expect_rc 3 "qmp $bad: UNKNOWN"
	expect_jq '.errors | length > 0' true "qmp $bad: error in the JSON document"
done
finish
