# SPDX-License-Identifier: GPL-2.0-or-later
# tests/ksym-lib.sh - helpers for the kernel-symbol source tests (sourced after
# lib.sh and memory-lib.sh). A fake live system below $TMP/NAME:
#   proc/kallsyms, sys/kernel/btf/vmlinux (tests/gen-btf), proc/kcore (tests/gen-elf).
# The kernel image is gen-elf's kcore text segment: 0xffffffff81000000 maps to
# the first RAM page, so globals at 0xffffffff81000XXX live at physical 0x100XXX.
GENBTF="$top_builddir/tests/gen-btf"

# mkroot NAME: an empty fake root; prints nothing.
mkroot() {
	R="$TMP/$1"
	mkdir -p "$R/proc" "$R/sys/kernel/btf"
}
# btf NAME < SPEC: $TMP/NAME/sys/kernel/btf/vmlinux
btf() {
	"$GENBTF" "$TMP/$1/sys/kernel/btf/vmlinux" || { fail "gen-btf $1 failed"; finish; }
}
# kcore NAME < DESCRIPTION: $TMP/NAME/proc/kcore
kcore() {
	"$GEN" "$TMP/$1/proc/kcore" || { fail "gen-elf $1 failed"; finish; }
}
# kallsyms NAME < LINES: $TMP/NAME/proc/kallsyms, with noise around the lines
# (and decoy module symbols of the same names, which must be skipped).
kallsyms() {
	{
		echo "ffffffff81000000 T _text"
		echo "ffffffff81000010 T _stext"
		echo "ffffffffc0a00000 d dmar_drhd_units	[decoy]"
		echo "ffffffffc0a00010 d amd_iommu_pci_seg_list	[decoy]"
		cat
		echo "ffffffff81ffe000 B _end"
		echo "ffffffffc0a01000 t vfio_pci_core_init	[vfio_pci_core]"
	} >"$TMP/$1/proc/kallsyms"
}

# Struct layouts of Debian's linux-image-6.1.0-56-amd64 (offsets read from its BTF).
BTF_61='
struct list_head 16
m next ptr 0
m prev ptr 8
struct dmar_dev_scope 16
m dev ptr 0
m bus u8 8
m devfn u8 9
struct dmar_drhd_unit 56
m list struct:list_head 0
m hdr ptr 16
m reg_base_addr u64 24
m devices ptr 32
m devices_cnt int 40
m segment u16 44
b ignored u8 368 1
b include_all u8 369 1
b gfx_dedicated u8 370 1
m iommu ptr 48
struct intel_iommu 392
m reg ptr 0
m reg_phys u64 8
m reg_size u64 16
m cap u64 24
m ecap u64 32
m segment u16 76
m name char[13] 78
m root_entry ptr 120
struct amd_iommu_pci_seg 96
m list struct:list_head 0
m id u16 24
m last_bdf u16 26
m dev_table_size u32 28
m dev_table ptr 40
'
# ... and of linux-image-6.12.117+deb12-amd64 (dmar_drhd_unit gained reg_size,
# intel_iommu gained ecmdcap and perf_irq: every offset moved).
BTF_612='
struct list_head 16
m next ptr 0
m prev ptr 8
struct dmar_dev_scope 16
m dev ptr 0
m bus u8 8
m devfn u8 9
struct dmar_drhd_unit 64
m list struct:list_head 0
m hdr ptr 16
m reg_base_addr u64 24
m reg_size u64 32
m devices ptr 40
m devices_cnt int 48
m segment u16 52
b ignored u8 432 1
b include_all u8 433 1
b gfx_dedicated u8 434 1
m iommu ptr 56
struct intel_iommu 440
m reg ptr 0
m reg_phys u64 8
m reg_size u64 16
m cap u64 24
m ecap u64 32
m segment u16 112
m name char[13] 114
m root_entry ptr 152
struct amd_iommu_pci_seg 96
m list struct:list_head 0
m id u16 24
m last_bdf u16 26
m dev_table_size u32 28
m dev_table ptr 40
'
