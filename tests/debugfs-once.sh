#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One read of a debugfs page-table dump per device per run (issue 14): the
# kernel builds the whole dump again, under iommu->lock, for every open and
# every read from the start. check's sample pass (inferred map) and check walk
# share one open; the file is read once, whole; check's re-read of findings
# reads it once more (the IOMMU side as it is now), never per cluster; dump
# and lookup (several IOVAs) read it once. The LD_PRELOAD shim logs each open
# of a domain_translation_struct and the bytes read from it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
DEV=0000:00:02.0
TRACE="FAULT_PATH=domain_translation_struct FAULT_TRACE_READS=1"
gen clean
gen stale
DTS=sys/kernel/debug/iommu/intel/$DEV/domain_translation_struct

# reads FILE N DESC [BYTES]: the run opened a page-table dump N times and read
# FILE whole (or BYTES of it) once per open
reads() {
	local size opens got want="" i=0
	size=${4:-$(stat -c %s "$1")}
	opens=$(grep -c '^open [0-9]* .*domain_translation_struct' "$TMP/fault.log")
	got=$(sed -n 's/^read fd [0-9]*: \([0-9]*\) bytes$/\1/p' "$TMP/fault.log" | tr '\n' ' ')
	while [ $i -lt "$2" ]; do want="$want$size "; i=$((i + 1)); done
	if [ "$opens" = "$2" ] && [ "$got" = "$want" ]; then ok "$3: $2 open(s), $size bytes each"
	else fail "$3: $opens opens, bytes read per open '$got', expected $2 of $size"; sed 's/^/  /' "$TMP/fault.log" >&2; fi
}

C="$TMP/clean"
frun $TRACE -- --root "$C/root" --source debugfs -j check --pid 4242
expect_rc 0 "clean, inferred map (sample pass + check): OK"
expect_jq '[.processes[0].gpa_map, .processes[0].devices[0].source, (.summary.pages_checked | tostring)] | join(" ")' \
	"inferred debugfs 16448" "clean, inferred map: every page from the dump"
reads "$C/root/$DTS" 1 "clean check, inferred map"
frun $TRACE -- --root "$C/root" --source debugfs -j check --pid 4242 --gpa-map "$C/gpa-map.json"
expect_rc 0 "clean, --gpa-map: OK"
reads "$C/root/$DTS" 1 "clean check --gpa-map"
frun $TRACE -- --root "$C/root" -j check --pid 4242 --gpa-map "$C/gpa-map.json"
expect_rc 0 "clean, auto (no kcore): OK"
expect_jq '.processes[0].devices[0].source' debugfs "auto without kcore: the dump"
reads "$C/root/$DTS" 1 "clean check, auto"

S="$TMP/stale"
frun $TRACE -- --root "$S/root" --source debugfs -j check --pid 4242 --gpa-map "$S/gpa-map.json"
expect_rc 2 "stale, --gpa-map: CRITICAL"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false" "stale: the finding, re-read and confirmed"
reads "$S/root/$DTS" 2 "stale check (one read, one re-read)"
frun $TRACE -- --root "$S/root" --source debugfs -j check --pid 4242
expect_rc 2 "stale, inferred map: CRITICAL"
reads "$S/root/$DTS" 2 "stale check, inferred map (sample pass, check and re-read)"

frun $TRACE -- --root "$C/root" --source debugfs -j dump $DEV
expect_rc 0 "dump"
expect_jq '.extents | length > 0' true "dump: extents"
reads "$C/root/$DTS" 1 "dump"
frun $TRACE -- --root "$C/root" --source debugfs -j lookup $DEV 0x0 0x150000 0xfffff000 0x40000000
expect_rc 0 "lookup of 4 IOVAs"
expect_jq '[.results[] | .mapped | tostring] | join(" ")' "true true true false" "lookup: 3 mapped, 1 not"
reads "$C/root/$DTS" 1 "lookup of 4 IOVAs"

# 5.18-6.6: one global file for every device; still one read, which stops
# after the device's block (the rest is other devices')
G61="$DATA/lab61/sys/kernel/debug/iommu/intel/domain_translation_struct"
frun $TRACE -- --root "$DATA/lab61" --source debugfs -j dump $DEV
expect_rc 0 "lab61 (global file) dump"
expect_jq '.extent_count > 0' true "lab61 dump: extents"
reads "$G61" 1 "lab61 global file dump" 1048576
[ "$(stat -c %s "$G61")" -gt 1048576 ] || fail "lab61's global file is no longer larger than one read buffer (fixture changed?)"
finish
