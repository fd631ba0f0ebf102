# SPDX-License-Identifier: GPL-2.0-or-later
# tests/memory-lib.sh - helpers for the memory-walk tests (sourced after lib.sh).
GEN="$top_builddir/tests/gen-elf"
# gen NAME < DESCRIPTION: builds $TMP/NAME.elf with tests/gen-elf.
gen() {
	"$GEN" "$TMP/$1.elf" || { fail "gen-elf $1 failed"; finish; }
}
# extents: the dump's extents on one line: "iova size pfn perm page_size,..."
EXTENTS='[.extents[] | "\(.iova) \(.size) \(.pfn) \(.perm) \(.page_size)"] | join(",")'
# results: lookup results on one line: "iova mapped phys perm page_size level,..."
RESULTS='[.results[] | if .mapped then "\(.iova) \(.phys) \(.perm) \(.page_size) \(.level)" else "\(.iova) unmapped" end] | join(",")'
