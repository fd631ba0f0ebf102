#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# 'tables': the debugfs dump (6.7+ per-device format, written here into a fake
# root) against the memory walk of the same table, found through the root
# table that debugfs (dmar_translation_struct, iommu_regset) reports.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
tables_fixture   # $TMP/tab.elf, $TMP/same, $TMP/diff (memory-lib.sh)

run --root "$TMP/same" --memory "$TMP/tab.elf" -j tables 0000:00:02.0
expect_rc 0 "identical tables"
expect_jq '"\(.bdf) \(.pasid) \(.identical) \(.debugfs_leaves) \(.memory_leaves) \(.differences | length)"' "0000:00:02.0 0 true 4 4 0" "4 leaves on each side, no difference"
run --root "$TMP/same" --memory "$TMP/tab.elf" tables 00:02.0
expect_rc 0 "identical tables (text)"
if grep -q "debugfs 4 leaves .*memory 4 leaves .*: identical" "$TMP/out"; then ok "text summary"; else fail "text summary: $(cat "$TMP/out")"; fi

run --root "$TMP/diff" --memory "$TMP/tab.elf" -j tables 0000:00:02.0
expect_rc 2 "planted differences"
expect_jq '"\(.identical) \(.debugfs_leaves) \(.memory_leaves) \(.difference_count)"' "false 4 4 3" "counts with differences"
expect_jq '[.differences[] | "\(.iova) \(.debugfs.phys // "-") \(.memory.phys // "-") \(.debugfs.size // "-") \(.memory.size // "-")"] | join(",")' \
	"0x101000 0x2e799000 0x2e798000 0x1000 0x1000,0x200000 - 0x3e000000 - 0x200000,0x80000000 0xc0000000 - 0x40000000 -" \
	"changed leaf, memory-only leaf, debugfs-only leaf"
run --root "$TMP/diff" --memory "$TMP/tab.elf" tables 0000:00:02.0
expect_rc 2 "planted differences (text)"
if grep -q "^iova 0x101000:  debugfs phys=0x2e799000 perm=rw size=0x1000  memory phys=0x2e798000 perm=rw size=0x1000$" "$TMP/out"; then ok "text difference line"; else fail "text difference line: $(cat "$TMP/out")"; fi

run --root "$TMP/same" --memory "$TMP/missing.elf" tables 0000:00:02.0
expect_rc 3 "memory side unreadable"
expect_err "missing.elf: No such file" "missing image named"
run --root "$TMP/same" --memory "$TMP/missing.elf" -j tables 0000:00:02.0
expect_rc 3 "memory side unreadable (JSON)"
expect_jq '"\(.bdf) \(.identical) \(.differences) \(.difference_count) \(.errors | length)"' "0000:00:02.0 null null 0 1" \
	"not compared: identical and differences null (schema 2), the error listed"
mkdir -p "$TMP/none"   # --root must exist (a missing root is a usage error)
run --root "$TMP/none" --memory "$TMP/tab.elf" tables 0000:00:02.0
expect_rc 3 "debugfs side missing"
expect_err "debugfs: no Intel VT-d debugfs directory" "debugfs reason given"
finish
