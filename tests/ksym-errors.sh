#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel-symbol source when something is missing or wrong: each case
# ends in UNKNOWN (exit 3) with a message naming what.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
. "$top_srcdir/tests/ksym-lib.sh"

# A good one-unit system (6.1 layout); the cases below break one piece each.
SYMS='ffffffff81000100 D dmar_drhd_units'
DESC='
layout kcore
ram 0x100000 0x100000
q 0x100100 0xffff888000101000
q 0x100108 0xffff888000101000
q 0x101000 0xffffffff81000100
q 0x101030 0xffff888000102000
q 0x10204e 0x3072616d64
q 0x102078 0xffff888000110000
q 0x110000 0x111001
q 0x111100 0x112001
q 0x111108 0x101
q 0x112000 0x113003
q 0x113000 0x114003
q 0x114008 0x33333003
'
good() {
	mkroot "$1"
	echo "$BTF_61" | btf "$1"
	echo "$SYMS" | kallsyms "$1"
	echo "$DESC" | kcore "$1"
}
good good
run --root "$TMP/good" --source memory -j lookup 0000:00:02.0 0x1000
expect_rc 0 "the unbroken system works"
expect_jq "$RESULTS" "0x1000 0x33333000 rw 0x1000 1" "unbroken: lookup"

# kallsyms hidden by kptr_restrict: every address zero
good hidden
sed 's/^[0-9a-f]\{16\}/0000000000000000/' "$TMP/hidden/proc/kallsyms" >"$TMP/k" && mv "$TMP/k" "$TMP/hidden/proc/kallsyms"
mkdir -p "$TMP/hidden/proc/sys/kernel"; echo 2 >"$TMP/hidden/proc/sys/kernel/kptr_restrict"
run --root "$TMP/hidden" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "kallsyms hidden: UNKNOWN"
expect_err "memory: no VT-d root table: .*kernel symbols: $TMP/hidden/proc/kallsyms: kernel addresses are hidden \(all zeros; kernel.kptr_restrict=2\)" "kallsyms hidden: the reason says so"
run --root "$TMP/hidden" lookup 0000:00:02.0 0x1000
expect_rc 3 "kallsyms hidden, --source auto: UNKNOWN"
expect_err "memory: .*kernel addresses are hidden.*; debugfs: " "auto: both sources' reasons (memory first)"

# no BTF (CONFIG_DEBUG_INFO_BTF off)
good nobtf
rm "$TMP/nobtf/sys/kernel/btf/vmlinux"
run --root "$TMP/nobtf" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "no BTF: UNKNOWN"
expect_err "kernel symbols: $TMP/nobtf/sys/kernel/btf/vmlinux: No such file or directory \(kernel without CONFIG_DEBUG_INFO_BTF" "no BTF: reason"

# no kcore
good nokcore
rm "$TMP/nokcore/proc/kcore"
run --root "$TMP/nokcore" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "no kcore: UNKNOWN"
expect_err "kernel symbols: $TMP/nokcore/proc/kcore: No such file or directory" "no kcore: reason"

# no IOMMU symbols at all
good nosyms
echo "ffffffff81000200 T start_kernel" | kallsyms nosyms
run --root "$TMP/nosyms" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "no IOMMU symbols: UNKNOWN"
expect_err "no IOMMU driver symbol \(dmar_drhd_units, amd_iommu_pci_seg_list, amd_iommu_dev_table\)" "no IOMMU symbols: reason"

# BTF without intel_iommu.root_entry (a kernel whose layout we do not know)
good nomember
echo "$BTF_61" | grep -v '^m root_entry ' | btf nomember
run --root "$TMP/nomember" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "BTF without a member: UNKNOWN"
expect_err "struct intel_iommu has no member 'root_entry' in the kernel's BTF" "the missing member is named"

# BTF without struct dmar_dev_scope
good nostruct
echo "$BTF_61" | sed '/^struct dmar_dev_scope/,/^m devfn/d' | btf nostruct
run --root "$TMP/nostruct" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "BTF without a struct: UNKNOWN"
expect_err "no struct dmar_dev_scope in the kernel's BTF" "the missing struct is named"

# a loop in dmar_drhd_units: head -> A -> B -> A -> ...
good loop
{ echo "$DESC"; cat <<'X'
q 0x101000 0xffff888000103000
q 0x103000 0xffff888000101000
q 0x103030 0xffff888000102000
X
} | kcore loop
run --root "$TMP/loop" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "list loop: UNKNOWN"
expect_err "list dmar_drhd_units loops: entry 0xffff888000101000 comes again after 2 entries without returning to the head 0xffffffff81000100" "list loop: detected and named"

# a pointer outside the image (intel_iommu.root_entry in vmalloc space)
good badptr
{ echo "$DESC"; echo "q 0x102078 0xffffc90000010000"; } | kcore badptr
run --root "$TMP/badptr" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "root_entry outside the direct map: UNKNOWN"
expect_err "dmar0: intel_iommu.root_entry: kernel virtual address 0xffffc90000010000 is not in the kernel image or the direct map" "bad pointer named"

# a list pointer to memory the image does not have
good hole
{ echo "$DESC"; echo "q 0x100100 0xffff888000301000"; } | kcore hole
run --root "$TMP/hole" --source memory lookup 0000:00:02.0 0x1000
expect_rc 3 "list entry outside the image: UNKNOWN"
expect_err "struct dmar_drhd_unit at 0xffff888000301000: kernel virtual address 0xffff888000301000 is not in the kernel image or the direct map" "unreadable entry named"
finish
