#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# VT-d without debugfs: the units come from the kernel's dmar_drhd_units list
# (kallsyms + BTF + kcore), fed to the VT-d walker with no --vtd-root.
#  - one unit, Debian 6.1 struct layout, a KASLR-moved direct map;
#  - three units, Debian 6.12 layout (other offsets, same binary): the unit
#    whose device scope lists the device is tried first, then the
#    INCLUDE_PCI_ALL unit; inactive scope entries do not count; decoy context
#    entries in the other unit's table prove the order; PCI segment 1.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
. "$top_srcdir/tests/ksym-lib.sh"

# ---- one unit, 6.1 layout ----
mkroot one
echo "$BTF_61" | btf one
kallsyms one <<'SYMS'
ffffffff81000100 D dmar_drhd_units
ffffffff81000200 d intel_iommu_sm
ffffffff81000300 D amd_iommu_pci_seg_list
SYMS
kcore one <<'DESC'
layout kcore
directmap 0xff44998280000000
ram 0x100000 0x100000
q 0x100100 0xff44998280101000  # dmar_drhd_units.next -> the unit
q 0x100108 0xff44998280101000
q 0x100200 1                   # intel_iommu_sm
q 0x100300 0xffffffff81000300  # amd_iommu_pci_seg_list: empty
q 0x100308 0xffffffff81000300
# struct dmar_drhd_unit (6.1): list 0, reg_base_addr 24, devices 32, devices_cnt 40, segment 44, bits 368.., iommu 48
q 0x101000 0xffffffff81000100
q 0x101008 0xffffffff81000100
q 0x101018 0xfed90000
q 0x101028 0x0002000000000000  # devices_cnt 0, segment 0, include_all
q 0x101030 0xff44998280102000
# struct intel_iommu (6.1): ecap 32, name 78, root_entry 120
q 0x102020 0xf050da            # ecap: SMTS clear (legacy, though intel_iommu_sm is 1)
q 0x10204e 0x3072616d64        # "dmar0"
q 0x102078 0xff44998280110000
# VT-d legacy tables
q 0x110000 0x111001            # root[bus 0] -> context table
q 0x111100 0x112001            # 00:02.0: SLPTPTR 0x112000
q 0x111108 0x101               #   AW 1: 3 levels, DID 1
q 0x112000 0x113003
q 0x113000 0x114003            # L2[0] -> L1
q 0x113008 0x2dc00083          # L2[1]: 2 MiB at IOVA 0x200000
q 0x114800 0x2e797003          # IOVA 0x100000
q 0x114808 0x2e798001          # IOVA 0x101000 read-only
DESC
M="--root $TMP/one --source memory"

run $M -j lookup 0000:00:02.0 0x100000 0x101abc 0x212345 0x2345678
expect_rc 0 "6.1 layout: lookup with no --vtd-root"
expect_jq "$RESULTS" "0x100000 0x2e797000 rw 0x1000 1,0x101abc 0x2e798abc r- 0x1000 1,0x212345 0x2dc12345 rw 0x200000 2,0x2345678 unmapped" "6.1 layout: lookups"
run $M --stats -j dump 0000:00:02.0
expect_rc 0 "6.1 layout: dump"
expect_jq '"\(.vendor) \(.mode) \(.levels) \(.source)"' "intel legacy 3 memory" "6.1 layout: table header"
expect_jq "$EXTENTS" "0x100000 0x1000 0x2e797 rw 0x1000,0x101000 0x1000 0x2e798 r- 0x1000,0x200000 0x200000 0x2dc00 rw 0x200000" "6.1 layout: extents"
run --root "$TMP/one" -j lookup 0000:00:02.0 0x100000
expect_rc 0 "--source auto without debugfs uses the symbol source"
expect_jq '"\(.source) \(.results[0].phys)"' "memory 0x2e797000" "auto: memory source, same PFN"
run $M lookup 0000:00:03.0 0x1000
expect_rc 3 "a device without a context entry"
expect_err "0000:00:03.0: no page table can be read: memory: context entry at 0x111180 not present" "no table: reason"

# ---- three units, 6.12 layout ----
mkroot three
echo "$BTF_612" | btf three
kallsyms three <<'SYMS'
ffffffff81000100 D dmar_drhd_units
SYMS
kcore three <<'DESC'
layout kcore
ram 0x100000 0x100000
q 0x100100 0xffff888000101000  # dmar_drhd_units -> dmar0 -> dmar1 -> dmar2 -> head
q 0x100108 0xffff888000105000
# struct dmar_drhd_unit (6.12): list 0, reg_base_addr 24, devices 40, devices_cnt 48, segment 52, bits 432.., iommu 56
q 0x101000 0xffff888000103000  # dmar0: scope 00:03.0 (active) and 00:02.0 (inactive)
q 0x101018 0xfed90000
q 0x101028 0xffff888000101800
q 0x101030 2                   # devices_cnt 2, segment 0, not include_all
q 0x101038 0xffff888000102000
q 0x101800 0xffff888000150000  # scope[0].dev (a struct device *)
q 0x101808 0x1800              # bus 0, devfn 0x18: 00:03.0
q 0x101810 0                   # scope[1].dev NULL: inactive
q 0x101818 0x1000              # 00:02.0
q 0x102020 0xf050da
q 0x102072 0x3072616d64        # name (114) "dmar0"
q 0x102098 0xffff888000110000  # root_entry (152)
q 0x103000 0xffff888000105000  # dmar1: INCLUDE_PCI_ALL, segment 0
q 0x103018 0xfed91000
q 0x103030 0x0002000000000000
q 0x103038 0xffff888000104000
q 0x104020 0xf050da
q 0x104072 0x3172616d64        # "dmar1"
q 0x104098 0xffff888000120000
q 0x105000 0xffffffff81000100  # dmar2: INCLUDE_PCI_ALL, segment 1
q 0x105018 0xfed92000
q 0x105030 0x0002000100000000
q 0x105038 0xffff888000106000
q 0x106020 0xf050da
q 0x106072 0x3272616d64        # "dmar2"
q 0x106098 0xffff888000130000
# dmar0 tables: 00:03.0 -> 0x33333000; decoy 00:02.0 -> 0xdead0000
q 0x110000 0x111001
q 0x111180 0x112001
q 0x111188 0x101
q 0x111100 0x118001
q 0x111108 0x101
q 0x112000 0x113003
q 0x113000 0x114003
q 0x114008 0x33333003
q 0x118000 0x119003
q 0x119000 0x11a003
q 0x11a008 0xdead0003
# dmar1 tables: 00:02.0 -> 0x44444000; decoy 00:03.0 -> 0xdead0000
q 0x120000 0x121001
q 0x121100 0x122001
q 0x121108 0x101
q 0x121180 0x118001
q 0x121188 0x101
q 0x122000 0x123003
q 0x123000 0x124003
q 0x124008 0x44444003
# dmar2 tables (segment 1): 0001:00:02.0 -> 0x55555000
q 0x130000 0x131001
q 0x131100 0x132001
q 0x131108 0x101
q 0x132000 0x133003
q 0x133000 0x134003
q 0x134008 0x55555003
DESC
M="--root $TMP/three --source memory"
run $M -j lookup 0000:00:02.0 0x1abc
expect_rc 0 "6.12 layout: 00:02.0"
expect_jq "$RESULTS" "0x1abc 0x44444abc rw 0x1000 1" "00:02.0 through the INCLUDE_PCI_ALL unit dmar1 (inactive scope entry in dmar0 ignored)"
run $M -j lookup 0000:00:03.0 0x1abc
expect_rc 0 "6.12 layout: 00:03.0"
expect_jq "$RESULTS" "0x1abc 0x33333abc rw 0x1000 1" "00:03.0 through dmar0, whose device scope lists it"
run $M -j lookup 0001:00:02.0 0x1abc
expect_rc 0 "6.12 layout: segment 1"
expect_jq "$RESULTS" "0x1abc 0x55555abc rw 0x1000 1" "0001:00:02.0 through dmar2 (segment 1)"
run $M -j dump 0001:00:02.0
expect_jq "$EXTENTS" "0x1000 0x1000 0x55555 rw 0x1000" "segment 1 dump"
run $M lookup 0000:00:04.0 0x1000
expect_rc 3 "00:04.0 is in no unit's root table"
expect_err "memory: context entry at 0x121200 not present; context entry at 0x111200 not present" "both units tried, INCLUDE_PCI_ALL dmar1 first"

# the devices command names the source
mkdir -p "$TMP/three/sys/bus/pci/devices/0000:00:02.0"
run --root "$TMP/three" -j devices
expect_jq '[.devices[] | "\(.bdf) \(.source) \(.levels)"] | join(",")' "0000:00:02.0 memory 3" "devices: 00:02.0 from the memory source (symbols)"
finish
