#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The re-read rule (issue 13.4): the worse of the two verdicts is reported; a
# finding is transient only when the re-read finds the page consistent or
# unmapped.
#  - first read stale, the re-read finds the IOMMU on the zero page: zero_page,
#    CRITICAL (it used to be "transient", OK);
#  - the CPU page is swapped out between the reads while the IOMMU still maps
#    the old PFN: stale stays, CRITICAL (it used to be OK);
#  - controls: the re-read finds the page consistent -> transient, OK.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
gen stale
R="$TMP/stale"
C="--root $R/root -j check --pid 4242 --gpa-map $R/gpa-map.json"
D="$R/root/sys/kernel/debug/iommu/intel/0000:00:02.0/domain_translation_struct"
ZERO=0x493ad

# --- stale, then the zero page (the IOMMU entry now points at the zero page;
# kpageflags flags PFN $ZERO as the zero page, which no page of the tree uses)
"$PYTHON" - "$R/root/proc/kpageflags" $ZERO <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2], 16) * 8)
    f.write(struct.pack("<Q", (1 << 24) | (1 << 32)))   # KPF_ZERO_PAGE | KPF_RESERVED
PY
sed 's/^\(0x0000000000150 .*\)0x00000001c9b50\(...\)$/\10x'"$(printf %013x $ZERO)"'\2/' "$D" >"$TMP/dts.zero"
cmp -s "$D" "$TMP/dts.zero" && fail "dts.zero is not different (fixture changed?)"
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/dts.zero" FAULT_SWAP_ON_EOF=1 -- $C
expect_fault_hit "IOMMU on the zero page before the re-read"
expect_rc 2 "stale then zero page: CRITICAL"
expect_findings "zero_page pc.ram 0x150000 1 $ZERO 0x2a0150 rw false" "stale then zero page: zero_page, not transient"
expect_jq '"\(.status) \(.summary.by_kind.zero_page.findings) \(.summary.by_kind.stale.findings) \(.summary.transient_findings)"' "critical 1 0 0" "stale then zero page: counted as zero_page"
# the zero page seen from the first read on: zero_page as well (the same verdict either way)
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/dts.zero" FAULT_SWAP_AFTER=0 -- $C
expect_rc 2 "zero page from the start: CRITICAL"
expect_findings "zero_page pc.ram 0x150000 1 $ZERO 0x2a0150 rw false" "zero page from the start: zero_page"

# --- the CPU page is swapped out between the reads (pagemap stays open: the
# shim serves the re-read's pread from a copy with a swap entry at the HVA)
run --stats $C
expect_rc 2 "control: stale"
N=$(sed -n 's/.*pagemap_reads=\([0-9]*\).*/\1/p' "$TMP/err")
[ -n "$N" ] && [ "$N" -ge 2 ] || fail "control: pagemap_reads from --stats: '$N'"
cp --sparse=always "$R/root/proc/4242/pagemap" "$TMP/pagemap.swapped"
# HVA of GPA 0x150000: 0x7f16f7e00000 + 0x150000 -> entry at (hva >> 12) * 8
"$PYTHON" - "$TMP/pagemap.swapped" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(((0x7f16f7e00000 + 0x150000) >> 12) * 8)
    f.write(struct.pack("<Q", (1 << 62) | 0x1234))   # swapped: type/offset, not present
PY
frun FAULT_PATH=/proc/4242/pagemap FAULT_PREAD_SWAP="$TMP/pagemap.swapped" FAULT_PREAD_SWAP_AFTER=$((N - 1)) -- --stats $C
expect_fault_hit "CPU page swapped out before the re-read"
expect_rc 2 "stale then swapped out: CRITICAL (was OK)"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false" "stale then swapped: stale kept, not transient"
# the swap entry seen from the first read on: cpu_not_present, a warning
frun FAULT_PATH=/proc/4242/pagemap FAULT_PREAD_SWAP="$TMP/pagemap.swapped" FAULT_PREAD_SWAP_AFTER=0 -- $C
expect_rc 1 "swapped from the start: WARNING"
expect_findings "cpu_not_present pc.ram 0x150000 1 0x1c9b50 unknown rw false" "swapped from the start: cpu_not_present"

# --- control: the re-read finds the page consistent (the CPU now has the IOMMU's PFN)
cp --sparse=always "$R/root/proc/4242/pagemap" "$TMP/pagemap.fixed"
"$PYTHON" - "$TMP/pagemap.fixed" <<'PY'
import struct, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(((0x7f16f7e00000 + 0x150000) >> 12) * 8)
    f.write(struct.pack("<Q", (1 << 63) | (1 << 56) | 0x1c9b50))
PY
frun FAULT_PATH=/proc/4242/pagemap FAULT_PREAD_SWAP="$TMP/pagemap.fixed" FAULT_PREAD_SWAP_AFTER=$((N - 1)) -- $C
expect_fault_hit "CPU side consistent before the re-read"
expect_rc 0 "consistent on re-read: OK"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw true" "consistent on re-read: transient"
finish
