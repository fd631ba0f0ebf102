#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Source order and the start-point policy: auto walks memory whenever the
# image is readable and a start point is known, and then never opens a debugfs
# page-table file (an LD_PRELOAD shim fails every open of one and logs it);
# a debugfs metadata hint that does not parse is a reason, never an error.
# Trees from tests/gen-root.py --kcore: root/proc/kcore (tests/gen-elf) holds
# the same VT-d tables as the debugfs files.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
GENELF="$top_builddir/tests/gen-elf"
DEV=0000:00:02.0
NOOPEN="FAULT_PATH=domain_translation_struct FAULT_OP=open FAULT_ERRNO=EACCES"

kcore() {   # kcore SCENARIO: builds SCENARIO/root/proc/kcore from kcore.txt
	"$GENELF" "$TMP/$1/root/proc/kcore" <"$TMP/$1/kcore.txt" || { fail "gen-elf $1 failed"; finish; }
}
# no_dump_opened DESC: the shim saw no open of a page-table dump
no_dump_opened() {
	if [ -s "$TMP/fault.log" ]; then fail "$1: a debugfs page-table file was opened:"; sed 's/^/  /' "$TMP/fault.log" >&2
	else ok "$1: no debugfs page-table file opened"; fi
}

gen clean --kcore; kcore clean
gen stale --kcore; kcore stale
REGSET="$TMP/clean/root/sys/kernel/debug/iommu/intel/iommu_regset"
DMAR="$TMP/clean/root/sys/kernel/debug/iommu/intel/dmar_translation_struct"

# ---- auto: the memory walk, and no dump opened ----
frun $NOOPEN -- --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "auto check with kcore: OK"
expect_jq '[.processes[0].devices[0].source, .processes[0].devices[0].pages_checked] | map(tostring) | join(" ")' \
	"memory 16448" "auto check: memory walk, every page checked"
no_dump_opened "auto check"
frun $NOOPEN -- --root "$TMP/stale/root" -j check --pid 4242 --gpa-map "$TMP/stale/gpa-map.json"
expect_rc 2 "auto check of the stale page with kcore: CRITICAL"
jq -r "$FINDINGS" <"$TMP/out" >"$TMP/stale.mem"
no_dump_opened "auto check (stale)"
run --root "$TMP/stale/root" --source debugfs -j check --pid 4242 --gpa-map "$TMP/stale/gpa-map.json"
expect_rc 2 "--source debugfs check of the stale page: CRITICAL"
expect_findings "$(cat "$TMP/stale.mem")" "the memory walk finds what the debugfs dump shows"
expect_jq '.findings | length' 1 "one stale finding"
for cmd in "dump $DEV" "lookup $DEV 0x150000" "devices"; do
	# shellcheck disable=SC2086
	frun $NOOPEN -- --root "$TMP/clean/root" -j $cmd
	expect_rc 0 "auto $cmd with kcore"
	no_dump_opened "auto $cmd"
done
expect_jq '.devices[0] | [.source, .origin] | join(" ")' "memory $TMP/clean/root/proc/kcore" "devices: the memory walk"
frun $NOOPEN -- --root "$TMP/clean/root" -j lookup $DEV 0x150000
expect_jq '[.source, .results[0].phys] | join(" ")' "memory 0x1c9b50000" "lookup: from memory"

# without a readable image the dump is read
mv "$TMP/clean/root/proc/kcore" "$TMP/clean.kcore"
run --root "$TMP/clean/root" -j dump $DEV
expect_rc 0 "auto without kcore"
expect_jq .source debugfs "auto without kcore: the debugfs dump"
run --root "$TMP/clean/root" --source memory -j dump $DEV
expect_rc 3 "--source memory without kcore: UNKNOWN"
expect_err "no page table can be read: memory: .*proc/kcore: No such file or directory" "--source memory without kcore: the reason"
mv "$TMP/clean.kcore" "$TMP/clean/root/proc/kcore"

# ---- a hint that does not parse is a reason, never an error ----
run --root "$TMP/clean/root" -j dump $DEV
jq -c .extents <"$TMP/out" >"$TMP/extents"
cp "$REGSET" "$TMP/regset.good"
printf 'this is not a register row\n' >>"$REGSET"
run --root "$TMP/clean/root" --source memory --vtd-root 0x765000 -j dump $DEV
expect_rc 0 "malformed iommu_regset, --source memory --vtd-root: OK"
expect_jq '.extents | tostring' "$(cat "$TMP/extents")" "malformed iommu_regset, --vtd-root: the same extents"
expect_err "warning: debugfs hint ignored: .*iommu_regset:[0-9]+: unknown line" "malformed iommu_regset: a warning names FILE:LINE"
expect_jq '.errors | length' 0 "malformed iommu_regset: no error"
run --root "$TMP/clean/root" -j dump $DEV
expect_rc 0 "malformed iommu_regset, auto: OK (root table from dmar_translation_struct)"
expect_jq .source memory "malformed iommu_regset, auto: the memory walk"
run --root "$TMP/clean/root" -j devices
expect_rc 0 "malformed iommu_regset: devices OK"
expect_jq '.units | map(.name + " " + .root_table) | join(",")' "dmar0 0x765000" "malformed iommu_regset: devices shows the unit"
cp "$DMAR" "$TMP/dmar.good"
printf 'garbage\n' >>"$DMAR"
run --root "$TMP/clean/root" --source memory --vtd-root 0x765000 -j dump $DEV
expect_rc 0 "malformed iommu_regset and dmar_translation_struct, --vtd-root: OK"
expect_jq '.extents | tostring' "$(cat "$TMP/extents")" "both hints malformed, --vtd-root: the same extents"
run --root "$TMP/clean/root" --source memory -j dump $DEV
expect_rc 3 "both hints malformed, no --vtd-root: UNKNOWN"
expect_err "no page table can be read: memory: no VT-d root table: .*debugfs hints unusable: .*dmar_translation_struct:[0-9]+: unknown line" \
	"both hints malformed: the reason names the hint's FILE:LINE"
cp "$TMP/regset.good" "$REGSET"; cp "$TMP/dmar.good" "$DMAR"

finish
