#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check's fast path (issue 14.5): the memory walk hands check each run of
# 4 KiB leaves of a last-level table (consecutive addresses, same entry bits)
# as one leaf of n pages, and check compares a run with the pagemap run
# (present, exclusive, the same PFN one higher each) before classifying any
# page one by one. Every change that ends a run must give what the per-page
# path gives (the figures below are the per-page walk's, before the fast path):
# a permission change inside a contiguous run, a hole, an address jump (a
# stale page in the middle of a run), a superpage bit at level 1 (an error
# naming the entry, the pages before it checked, the stale page still found).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
GENELF="$top_builddir/tests/gen-elf"
gen stale --kcore
S="$TMP/stale"
STALE="stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false"
# variant NAME SED: the kcore tables edited by SED, then check (memory walk)
variant() {
	sed "$2" "$S/kcore.txt" >"$TMP/kcore.$1"
	cmp -s "$S/kcore.txt" "$TMP/kcore.$1" && fail "$1: the edit changed nothing (fixture changed?)"
	"$GENELF" "$S/root/proc/kcore" <"$TMP/kcore.$1" || { fail "gen-elf $1"; finish; }
	run --root "$S/root" -j check --pid 4242 --gpa-map "$S/gpa-map.json"
}
"$GENELF" "$S/root/proc/kcore" <"$S/kcore.txt" || { fail "gen-elf"; finish; }
run --root "$S/root" -j check --pid 4242 --gpa-map "$S/gpa-map.json"
expect_rc 2 "baseline: CRITICAL"
expect_jq '"\(.processes[0].devices[0].source) \(.summary.pages_checked)"' "memory 16448" "baseline: the memory walk, every page"
expect_findings "$STALE" "baseline: the stale page inside a run of 512"

variant perm 's/^q 0xb3ea88 0x1c9b51003$/q 0xb3ea88 0x1c9b51001/'
expect_rc 2 "read-only page inside a contiguous run: CRITICAL"
expect_jq .summary.pages_checked 16448 "read-only page inside a run: every page checked"
expect_findings "$STALE" "read-only page in a read-write section: no finding of its own"

variant hole 's/^q 0xb3eb08 0x1c9b61003$/q 0xb3eb08 0x0/'
expect_rc 2 "hole inside a run: CRITICAL"
expect_jq .summary.pages_checked 16447 "hole inside a run: one page fewer"
expect_findings "$STALE" "hole inside a run: the stale page only"

variant jump 's/^q 0xb3eb10 0x1c9b62003$/q 0xb3eb10 0x1c9b70003/'
expect_rc 2 "address jump inside a run: CRITICAL"
expect_jq .summary.pages_checked 16448 "address jump: every page checked"
expect_findings "$STALE
stale pc.ram 0x162000 1 0x1c9b70 0x1c9b62 rw false" "address jump: that one page is stale, the run around it is not"

variant ps 's/^q 0xb3eb00 0x1c9b60003$/q 0xb3eb00 0x1c9b60083/'
expect_rc 2 "superpage bit at level 1: CRITICAL (the stale page before it)"
expect_err "second-level entry 0x00000001c9b60083 at physical 0xb3eb00 \(level 1\): level-1 entry with the superpage bit 7" \
	"superpage bit at level 1: the entry named"
expect_jq '"\(.processes[0].devices[0].checked) \(.processes[0].devices[0].pages_checked)"' "false 352" \
	"superpage bit at level 1: not checked, the 352 pages before it were"
expect_findings "$STALE" "superpage bit at level 1: the stale page before it still reported"
finish
