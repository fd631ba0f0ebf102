#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# man-examples.sh - the examples of man/iommu-verify.8 (EXAMPLES), run as written (plus --root,
# and the socket / image paths replaced by test files):
#   1. check --all --nagios on tests/gen-root.py trees: every QEMU-like process found, no GPA map
#      given (so it is inferred), the Nagios status line and one long-output line per finding
#      (tests/data/golden/nagios-all-SCENARIO.txt: exactly LINES lines) and its exit status;
#   2. -j check --pid 1234 --qmp SOCKET against tests/fake-qmp.py: the pc.bios findings;
#   3. lookup 0000:03:00.0 0xfffc0000 on a tests/gen-debugfs.py tree;
#   4. --source memory --memory vmcore --vtd-root 0x546000 dump 00:02.0 on a tests/gen-elf image of
#      a real walk (tests/data/golden/capture.desc; text in golden/man-dump-vmcore.txt).
# GOLDEN_UPDATE=1 rewrites the expected files (review the diff).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
G="$DATA/golden"

# example N: line N between .EX and .EE of EXAMPLES, roff dashes undone, without the program name
example() {
	sed -n '/^\.SH EXAMPLES/,/^\.SH SEE/p' "$top_srcdir/man/iommu-verify.8" | sed -n '/^\.EX/,/^\.EE/p' |
		sed '1d; /^\.EE/d' | sed -n "${1}p" | sed 's/\\-/-/g'
}
# expect_example N TEXT: the man page still shows this example
expect_example() {
	local got
	got=$(example "$1")
	if [ "$got" = "iommu-verify $2" ]; then ok "man page: example $1 is '$got'"
	else fail "man page: example $1 is now '$got', expected 'iommu-verify $2': update this test"; fi
}
expect_example 1 "check --all --nagios"
EX=$(example 1 | sed 's/^iommu-verify //')   # the arguments, run after --root

# nagios SCENARIO RC LINES DESC
nagios() {
	local s=$1 rc=$2 lines=$3 desc=$4
	gen "$s"
	run --root "$TMP/$s/root" $EX
	expect_rc "$rc" "$s: $desc"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$TMP/out" "$G/nagios-all-$s.txt"; fi
	[ "$(wc -l <"$TMP/out")" = "$lines" ] && ok "$s: $lines line(s)" || fail "$s: $(wc -l <"$TMP/out") lines on stdout, expected $lines"
	expect_out "$G/nagios-all-$s.txt" "$s: the Nagios output"
}
nagios clean 0 1 "nothing to report: OK"
nagios stale 2 2 "a stale page: CRITICAL"
nagios pcbios 2 3 "pc.rom and pc.bios through the zero page, CPU side not present or not in the inferred map: CRITICAL"
nagios unpriv 3 1 "pagemap without PFNs (unprivileged): UNKNOWN"
grep -q "^IOMMU CRITICAL - 2 zero_page | " "$G/nagios-all-pcbios.txt" && ok "pcbios: status text" || fail "pcbios: golden status text"

# 2: JSON check of one process through its QMP socket (gen-root pcbios, pid 1234)
expect_example 2 "-j check --pid 1234 --qmp /run/qemu/vm1.qmp"
rm -rf "$TMP/pcbios"
gen pcbios --pid 1234
mv "$TMP/pcbios" "$TMP/vm1"
SOCK="$TMP/vm1.qmp"
"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$SOCK" "$TMP/vm1/qmp" --log "$TMP/qmp.log" --timeout 30 &
FAKE=$!
i=0
while [ ! -S "$SOCK" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
run --root "$TMP/vm1/root" $(example 2 | sed "s|^iommu-verify ||; s|/run/qemu/vm1.qmp|$SOCK|")
wait $FAKE
expect_rc 2 "example 2: critical"
expect_jq '"\(.processes[0].pid) \(.processes[0].gpa_map) \(.summary.pages_checked)"' "1234 qmp 16448" "example 2: pid 1234, map from QMP, all pages checked"
expect_findings "zero_page_consistent pc.rom 0xc0000 32 0x493ad 0x493ad r- false
zero_page isa-bios 0xe0000 32 0x493ad 0x4286 r- false
zero_page pc.bios 0xfffc0000 64 0x493ad 0x4266 r- false" "example 2: the pc.bios findings"
if grep -q gpa2hpa "$TMP/qmp.log"; then fail "example 2: gpa2hpa was sent"; else ok "example 2: gpa2hpa never sent"; fi

# 3: lookup of one IOVA (gen-debugfs.py v6.7: 0000:03:00.0 has a 3-level table)
expect_example 3 "lookup 0000:03:00.0 0xfffc0000"
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$TMP/gen" >/dev/null || fail "gen-debugfs.py"
run --root "$TMP/gen/v6.7" --source debugfs $(example 3 | sed 's/^iommu-verify //')
expect_rc 0 "example 3: lookup"
sed "s|$TMP/|TMP/|g" "$TMP/out" >"$TMP/out.t" && mv "$TMP/out.t" "$TMP/out"
if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$TMP/out" "$G/man-lookup.txt"; fi
expect_out "$G/man-lookup.txt" "example 3: text"

# 4: dump from a memory image, starting at a given root table (a real walk, transcribed)
expect_example 4 "--source memory --memory vmcore --vtd-root 0x546000 dump 00:02.0"
mkdir -p "$TMP/none"
"$top_builddir/tests/gen-elf" "$TMP/vmcore" <"$G/capture.desc" || fail "gen-elf capture"
run --root "$TMP/none" $(example 4 | sed "s|^iommu-verify ||; s|--memory vmcore|--memory $TMP/vmcore|")
expect_rc 0 "example 4: dump"
sed "s|$TMP/|TMP/|g" "$TMP/out" >"$TMP/out.t" && mv "$TMP/out.t" "$TMP/out"
if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$TMP/out" "$G/man-dump-vmcore.txt"; fi
expect_out "$G/man-dump-vmcore.txt" "example 4: text"
[ -z "$(example 5)" ] && ok "no example left untested" || fail "man page: example 5 '$(example 5)' is not tested"
finish
