#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Things that change while the check runs:
#  - the PID is reused by another process between discovery and the end (a
#    different /proc/PID/stat start time on the second read): nothing may be
#    reported for it, exit 3;
#  - the IOMMU table changes between the first read and the re-read of a
#    finding: the finding is transient (not counted, not critical), and without
#    the change it stays stale (control);
#  - pagemap PFNs read as 0 (an unprivileged reader): exit 3, not OK.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
gen stale
R="$TMP/stale"
C="--root $R/root -j check --pid 4242 --gpa-map $R/gpa-map.json"

# --- PID reuse: the second open of /proc/4242/stat sees another start time
awk '{ $22 = $22 + 1000; print }' "$R/root/proc/4242/stat" >"$TMP/stat.reused"
cmp -s "$R/root/proc/4242/stat" "$TMP/stat.reused" && fail "stat.reused is not different"
frun FAULT_PATH=/proc/4242/stat FAULT_SWAP="$TMP/stat.reused" FAULT_SWAP_AFTER=1 -- $C
expect_fault_hit "PID reused during the check"
expect_rc 3 "PID reused during the check"
expect_jq '.status' unknown "PID reuse: status unknown"
expect_jq '.processes[0].reason' "the process exited or its PID was reused during the check" "PID reuse: reason"
expect_jq '.findings | length' 0 "PID reuse: no findings reported for the other process"
frun FAULT_PATH=/proc/4242/stat FAULT_SWAP="$TMP/stat.reused" FAULT_SWAP_AFTER=1 -- --root $R/root check --pid 4242 --gpa-map $R/gpa-map.json
expect_rc 3 "PID reuse, text mode"
if grep -q 'NOT CHECKED: the process exited or its PID was reused' "$TMP/out" && grep -q '^summary: unknown' "$TMP/out" &&
   ! grep -q 'CRITICAL' "$TMP/out"; then ok "PID reuse, text mode: not checked, no finding"
else fail "PID reuse, text mode: output"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi
# the process exits: stat gone at the end
frun FAULT_PATH=/proc/4242/stat FAULT_OP=open FAULT_ERRNO=ENOENT FAULT_AFTER=1 -- $C
expect_fault_hit "process exited during the check"
expect_rc 3 "process exited during the check"
expect_jq '.processes[0].checked' false "process exited: not checked"
expect_jq '.findings | length' 0 "process exited: no findings"

# --- the table changes between the first read and the re-read
D="$R/root/sys/kernel/debug/iommu/intel/0000:00:02.0/domain_translation_struct"
# IOVA 0x150000 now maps the PFN the CPU has (0x2a0150) instead of 0x1c9b50
sed 's/^\(0x0000000000150 .*\)0x00000001c9b50\(...\)$/\10x00000002a0150\2/' "$D" >"$TMP/dts.changed"
cmp -s "$D" "$TMP/dts.changed" && fail "dts.changed is not different (fixture changed?)"
frun FAULT_PATH=/nonexistent/ -- $C
expect_rc 2 "control: stale without a change"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false" "control: the stale finding"
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/dts.changed" FAULT_SWAP_ON_EOF=1 -- $C
expect_fault_hit "table changed before the re-read"
expect_rc 0 "table changed before the re-read: not critical"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw true" "table changed: the finding is transient"
expect_jq '"\(.status) \(.summary.by_kind.stale.findings) \(.summary.transient_findings)"' "ok 0 1" "table changed: counted as transient, not stale"
# the same change seen from the first read on: nothing to report
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/dts.changed" FAULT_SWAP_AFTER=0 -- $C
expect_rc 0 "changed table from the start: OK"
expect_jq '.findings | length' 0 "changed table from the start: no findings"

# --- regression: the device's table is empty when opened and has rows when
# walked (the domain got its first mapping), while the context entry has a
# reserved AW (7: "9 levels"). The walk used that depth: stack-buffer-underflow
# in src_debugfs.c row_leaf (r->e[5 - levels]). Now an error naming the row.
TI="$TMP/toc/root/sys/kernel/debug/iommu/intel"
mkdir -p "$TI/0000:00:02.0"
printf 'IOMMU dmar0: Root Table Address: 0x546000\nB.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n00:02.0\t0x0000000000000000:0x000000000054c001\t0x0000000000000407:0x0000000000942001\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n' >"$TI/dmar_translation_struct"
printf 'Device 0000:00:02.0 @0x942000\nIOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n' >"$TI/0000:00:02.0/domain_translation_struct"
{ cat "$TI/0000:00:02.0/domain_translation_struct"
  printf '0x0000000000100 |\t0x0000000000000000\t0x0000000000000000\t0x000000000090e003\t0x0000000000945003\t0x0000000039787003\n'; } >"$TMP/toc.rows"
# Since issue 14 the file is read once per open (the walk replays that read):
# rows that appear after it cannot reach the walk at all; the depth always
# comes from the rows read. The old race, with the rows from the second open
# on (the old block-depth read), is now the first read seeing no rows.
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/toc.rows" FAULT_SWAP_AFTER=1 -- --root "$TMP/toc/root" -j dump 0000:00:02.0
if [ "$(grep -c '^open ' "$TMP/fault.log")" = 1 ] && ! grep -q '^swap:' "$TMP/fault.log"; then
	ok "rows appear after the read (context AW 7): one open, no second read to race with"
else fail "rows appear after the read: $(grep -c '^open ' "$TMP/fault.log") opens: $(cat "$TMP/fault.log")"; fi
expect_rc 0 "rows appear after the read (context AW 7): the empty table that was read"
expect_jq '.extent_count' 0 "rows appear after the read: no extents"
# the rows from the first read on: the depth comes from them (3 levels), not from the reserved AW
frun FAULT_PATH=0000:00:02.0/domain_translation_struct FAULT_SWAP="$TMP/toc.rows" FAULT_SWAP_AFTER=0 -- --root "$TMP/toc/root" -j dump 0000:00:02.0
expect_fault_hit "rows in the first read (context AW 7)"
expect_rc 0 "rows in the first read (context AW 7): OK"
expect_jq '"\(.levels) \(.extent_count) \(.extents[0].iova)"' "3 1 0x100000" "rows in the first read: 3 levels from the row, its extent"

# --- unprivileged: pagemap PFNs zeroed
gen unpriv
frun FAULT_PATH=/nonexistent/ -- --root $TMP/unpriv/root -j check --pid 4242 --gpa-map $TMP/unpriv/gpa-map.json
expect_rc 3 "unprivileged pagemap (PFNs 0)"
expect_jq '.processes[0].devices[0] | "\(.checked) \(.pages_checked)"' "false 0" "unprivileged: device not checked"
expect_jq '.processes[0].devices[0].reason | test("PFNs read as 0")' true "unprivileged: reason"
expect_jq '.status' unknown "unprivileged: status unknown"
finish
