# SPDX-License-Identifier: GPL-2.0-or-later
# tests/memory-lib.sh - helpers for the memory-walk tests (sourced after lib.sh).
GEN="$top_builddir/tests/gen-elf"
# gen NAME < DESCRIPTION: builds $TMP/NAME.elf with tests/gen-elf.
gen() {
	"$GEN" "$TMP/$1.elf" || { fail "gen-elf $1 failed"; finish; }
}
# extents: the dump's extents on one line: "iova size pfn perm page_size,..." (sizes hex, schema 2)
EXTENTS='[.extents[] | "\(.iova) \(.size) \(.pfn) \(.perm) \(.page_size)"] | join(",")'
# results: lookup results on one line: "iova mapped phys perm page_size level,..."
RESULTS='[.results[] | if .mapped then "\(.iova) \(.phys) \(.perm) \(.page_size) \(.level)" else "\(.iova) unmapped" end] | join(",")'
# tables_fixture: one VT-d legacy table (00:02.0 behind dmar0) as $TMP/tab.elf, and two debugfs
# trees of it: $TMP/same (the same 4 leaves) and $TMP/diff (a changed leaf, a memory-only and a
# debugfs-only leaf). Used by memory-tables.sh and json-schema.sh.
tables_fixture() {
"$GEN" "$TMP/tab.elf" <<'DESC' || { fail "gen-elf tab failed"; finish; }
layout kcore
ram 0x100000 0x20000
q 0x100000 0x101001            # root[bus 0] -> context table 0x101000
q 0x101100 0x110001            # 00:02.0: legacy, SLPTPTR 0x110000
q 0x101108 0x401               #   AW 1, DID 4
q 0x110000 0x111003
q 0x110008 0x80000083          # 1 GiB at 0x40000000
q 0x111000 0x112003
q 0x111008 0x3e000083          # 2 MiB at 0x200000
q 0x112800 0x2e797003          # 0x100000
q 0x112808 0x2e798003          # 0x101000
DESC
# debugfs_tree DIR: the Intel debugfs files for dmar0 and 00:02.0; rows on stdin.
debugfs_tree() {
	d="$1/sys/kernel/debug/iommu/intel"
	mkdir -p "$d/0000:00:02.0"
	printf 'IOMMU: dmar0 Register Base Address: fed90000\nName\t\t\tOffset\t\tContents\n' >"$d/iommu_regset"
	printf 'VER             \t0x00\t\t0x0000000000000010\nGSTS            \t0x1c\t\t0x00000000c7000000\n' >>"$d/iommu_regset"
	printf 'CAP             \t0x08\t\t0x00d2008c22260286\nECAP            \t0x10\t\t0x0000000000f00f4a\n' >>"$d/iommu_regset"
	printf 'RTADDR          \t0x20\t\t0x0000000000100000\n\n' >>"$d/iommu_regset"
	printf 'IOMMU dmar0: Root Table Address: 0x100000\n' >"$d/dmar_translation_struct"
	printf 'B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n' >>"$d/dmar_translation_struct"
	printf '00:02.0\t0x0000000000000000:0x0000000000101001\t0x0000000000000401:0x0000000000110001\t-1    \t0x0000000000000000:0x0000000000000000:0x0000000000000000\n\n' >>"$d/dmar_translation_struct"
	f="$d/0000:00:02.0/domain_translation_struct"
	printf 'Device 0000:00:02.0 @0x110000\n' >"$f"
	printf '%-17s\t%-18s\t%-18s\t%-18s\t%-18s\t%-s\n' IOVA_PFN PML5E PML4E PDPE PDE PTE >>"$f"
	while read -r iova e3 e2 e1; do
		printf '0x%013x |\t0x%016x\t0x%016x\t0x%016x' "$iova" 0 0 "$e3" >>"$f"
		[ "$e2" = - ] || printf '\t0x%016x' "$e2" >>"$f"
		[ "$e1" = - ] || printf '\t0x%016x' "$e1" >>"$f"
		printf '\n' >>"$f"
	done
}
debugfs_tree "$TMP/same" <<'ROWS'
0x100 0x111003 0x112003 0x2e797003
0x101 0x111003 0x112003 0x2e798003
0x200 0x111003 0x3e000083 -
0x40000 0x80000083 - -
ROWS
debugfs_tree "$TMP/diff" <<'ROWS'
0x100 0x111003 0x112003 0x2e797003
0x101 0x111003 0x112003 0x2e799003
0x40000 0x80000083 - -
0x80000 0xc0000083 - -
ROWS
}
