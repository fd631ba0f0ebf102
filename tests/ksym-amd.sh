#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# AMD-Vi without --amd-devtab: the device table from the kernel's symbols.
#  - 6.0+: amd_iommu_pci_seg_list -> struct amd_iommu_pci_seg (Debian 6.1
#    layout) -> dev_table (direct map) and dev_table_size; two PCI segments;
#    dmar_drhd_units exists but is empty (both drivers built in, as Debian does);
#  - before 6.0: the global amd_iommu_dev_table, sized by amd_iommu_last_bdf;
#  - Debian's 5.10.2xx: amd_iommu_pci_seg_list exists (a stable backport) but its
#    struct amd_iommu_pci_seg has only list and id (offsets from the BTF of
#    linux-image-5.10.0-46-amd64 5.10.262-1): the table is amd_iommu_dev_table;
#    without that symbol the missing member is named.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
. "$top_srcdir/tests/ksym-lib.sh"

# DTEs and v1 tables shared by both kernels (device table at 0x110000, 8 KiB)
TABLES='
q 0x110200 0x6000000000120603  # devid 0x10 (00:02.0): V TV, mode 3, root 0x120000, IR IW
q 0x110208 8
q 0x110300 0x6000000000000003  # 00:03.0: mode 0: pass-through
q 0x120000 0x6000000000121401  # L3[0] -> L2
q 0x121000 0x6000000000122201  # L2[0] -> L1
q 0x121008 0x700000002e400001  # L2[1]: 2 MiB at 0x200000
q 0x122028 0x6000000033333001  # L1[5]: IOVA 0x5000
q 0x122030 0x3000000057dad001  # L1[6]: read-only
'

# ---- 6.0+ ----
mkroot new
echo "$BTF_61" | btf new
kallsyms new <<'SYMS'
ffffffff81000100 D dmar_drhd_units
ffffffff81000300 D amd_iommu_pci_seg_list
SYMS
{
cat <<'DESC'
layout kcore
directmap 0xff11000000000000
ram 0x100000 0x100000
q 0x100100 0xffffffff81000100  # dmar_drhd_units: empty
q 0x100108 0xffffffff81000100
q 0x100300 0xff11000000101000  # amd_iommu_pci_seg_list -> seg 0 -> seg 1 -> head
q 0x100308 0xff11000000102000
# struct amd_iommu_pci_seg (6.1): list 0, id 24, last_bdf 26, dev_table_size 28, dev_table 40
q 0x101000 0xff11000000102000
q 0x101018 0x00002000ffff0000  # id 0, last_bdf 0xffff, dev_table_size 0x2000
q 0x101028 0xff11000000110000
q 0x102000 0xffffffff81000300
q 0x102018 0x00001000ffff0001  # id 1, dev_table_size 0x1000
q 0x102028 0xff11000000130000
q 0x130200 0x6000000000140603  # segment 1, 00:02.0: mode 3, root 0x140000
q 0x140000 0x6000000000141401
q 0x141000 0x6000000000142201
q 0x142028 0x6000000077777001  # IOVA 0x5000
DESC
echo "$TABLES"
} | kcore new
M="--root $TMP/new --source memory"
run $M -j lookup 0000:00:02.0 0x5123 0x6000 0x234567 0x7000
expect_rc 0 "6.0+: lookup with no --amd-devtab"
expect_jq "$RESULTS" "0x5123 0x33333123 rw 0x1000 1,0x6000 0x57dad000 r- 0x1000 1,0x234567 0x2e434567 rw 0x200000 2,0x7000 unmapped" "6.0+: lookups"
run $M -j dump 0000:00:02.0
expect_jq '"\(.vendor) \(.mode) \(.levels)"' "amd v1 3" "6.0+: v1, 3 levels"
expect_jq "$EXTENTS" "0x5000 0x1000 0x33333 rw 0x1000,0x6000 0x1000 0x57dad r- 0x1000,0x200000 0x200000 0x2e400 rw 0x200000" "6.0+: extents"
run $M -j lookup 0001:00:02.0 0x5000
expect_rc 0 "6.0+: segment 1"
expect_jq "$RESULTS" "0x5000 0x77777000 rw 0x1000 1" "6.0+: segment 1's device table"
run $M lookup 0000:00:03.0 0x5000
expect_rc 3 "6.0+: pass-through DTE"
expect_err "pass-through" "6.0+: pass-through reason"
run $M lookup 0000:01:00.0 0x5000
expect_rc 3 "6.0+: device ID beyond dev_table_size"
expect_err "device ID 0x0100 is beyond the device table \(0x2000 bytes\)" "6.0+: the table size comes from dev_table_size"
run $M lookup 0002:00:02.0 0x5000
expect_rc 3 "6.0+: no segment 2"
expect_err "no AMD-Vi device table for PCI segment 0002" "6.0+: missing segment named"

# ---- before 6.0 ----
mkroot old
printf 'struct list_head 16\nm next ptr 0\nm prev ptr 8\n' | btf old
kallsyms old <<'SYMS'
ffffffff81000400 D amd_iommu_dev_table
ffffffff81000408 D amd_iommu_last_bdf
SYMS
{
cat <<'DESC'
layout kcore
ram 0x100000 0x100000
q 0x100400 0xffff888000110000  # amd_iommu_dev_table
q 0x100408 0x00ff              # amd_iommu_last_bdf: 0xff -> 8 KiB table
DESC
echo "$TABLES"
} | kcore old
M="--root $TMP/old --source memory"
run $M -j lookup 0000:00:02.0 0x5123 0x234567
expect_rc 0 "old kernel: lookup"
expect_jq "$RESULTS" "0x5123 0x33333123 rw 0x1000 1,0x234567 0x2e434567 rw 0x200000 2" "old kernel: lookups through amd_iommu_dev_table"
run $M lookup 0000:01:00.0 0x5000
expect_rc 3 "old kernel: device ID beyond the table"
expect_err "device ID 0x0100 is beyond the device table \(0x2000 bytes\)" "old kernel: size from amd_iommu_last_bdf"
# ---- Debian 5.10.262: segment list without dev_table ----
mkroot deb510
printf 'struct list_head 16\nm next ptr 0\nm prev ptr 8\nstruct amd_iommu_pci_seg 24\nm list struct:list_head 0\nm id u16 16\n' | btf deb510
kallsyms deb510 <<'SYMS'
ffffffff81000100 D dmar_drhd_units
ffffffff81000300 D amd_iommu_pci_seg_list
ffffffff81000400 D amd_iommu_dev_table
ffffffff81000408 D amd_iommu_last_bdf
SYMS
{
cat <<'DESC'
layout kcore
ram 0x100000 0x100000
q 0x100100 0xffffffff81000100  # dmar_drhd_units: empty
q 0x100108 0xffffffff81000100
q 0x100300 0xffff888000101000  # amd_iommu_pci_seg_list -> seg 0 (list, id only) -> head
q 0x100308 0xffff888000101000
q 0x101000 0xffffffff81000300
q 0x101008 0xffffffff81000300
q 0x101010 0                   # id 0
q 0x100400 0xffff888000110000  # amd_iommu_dev_table
q 0x100408 0x00ff              # amd_iommu_last_bdf: 0xff -> 8 KiB table
DESC
echo "$TABLES"
} | kcore deb510
M="--root $TMP/deb510 --source memory"
run $M -j lookup 0000:00:02.0 0x5123 0x6000 0x234567 0x7000
expect_rc 0 "5.10: lookup with no --amd-devtab"
expect_jq "$RESULTS" "0x5123 0x33333123 rw 0x1000 1,0x6000 0x57dad000 r- 0x1000 1,0x234567 0x2e434567 rw 0x200000 2,0x7000 unmapped" "5.10: lookups through amd_iommu_dev_table"
run $M lookup 0000:01:00.0 0x5000
expect_rc 3 "5.10: device ID beyond the table"
expect_err "device ID 0x0100 is beyond the device table \(0x2000 bytes\)" "5.10: size from amd_iommu_last_bdf"
run $M lookup 0001:00:02.0 0x5000
expect_rc 3 "5.10: segment 1 has no table"
expect_err "no AMD-Vi device table for PCI segment 0001" "5.10: only segment 0"
# the same layout without amd_iommu_dev_table: neither place is known, and that is said
grep -v amd_iommu_dev_table "$TMP/deb510/proc/kallsyms" > "$TMP/deb510.ks" && mv "$TMP/deb510.ks" "$TMP/deb510/proc/kallsyms"
run $M lookup 0000:00:02.0 0x5000
expect_rc 3 "5.10 layout without amd_iommu_dev_table: UNKNOWN"
expect_err "struct amd_iommu_pci_seg has no member 'dev_table' in the kernel's BTF" "the missing member is named"
finish
