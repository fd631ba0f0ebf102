#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A finding whose IOMMU mapping disappears between the first read and the
# re-read is transient (not counted as stale), also when the next finding is
# still there (the re-read must notice the page it did not see again).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
gen stale
R="$TMP/stale"
D="$R/root/sys/kernel/debug/iommu/intel/0000:00:02.0/domain_translation_struct"
# a second stale page at 0x160000: the IOMMU maps 0x3e0160, the CPU 0x1c9b60
sed 's/^\(0x0000000000160 .*\)0x00000001c9b60\(...\)$/\10x00000003e0160\2/' "$D" >"$TMP/dts.two"
cmp -s "$D" "$TMP/dts.two" && fail "dts.two is not different (fixture changed?)"
cp "$TMP/dts.two" "$D"
C="--root $R/root -j check --pid 4242 --gpa-map $R/gpa-map.json"
frun FAULT_PATH=/nonexistent/ -- $C
expect_rc 2 "control: two stale pages"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false
stale pc.ram 0x160000 1 0x3e0160 0x1c9b60 rw false" "control: both findings"
# the first one is unmapped before the re-read (its row is gone)
grep -v '^0x0000000000150 ' "$D" >"$TMP/dts.unmapped"
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/dts.unmapped" FAULT_SWAP_ON_EOF=1 -- $C
expect_fault_hit "row removed before the re-read"
expect_rc 2 "one unmapped before the re-read: the other stays critical"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw true
stale pc.ram 0x160000 1 0x3e0160 0x1c9b60 rw false" "the unmapped finding is transient, the other is not"
expect_jq '"\(.summary.by_kind.stale.findings) \(.summary.transient_findings)"' "1 1" "counts: 1 stale, 1 transient"
finish
