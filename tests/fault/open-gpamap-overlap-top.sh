#!/bin/sh
# OPEN BUG (to be listed in XFAIL_TESTS until fixed; found by tests/fuzz/fuzz-mtree,
# input tests/fuzz/open/mtree/): two GPA sections that overlap are accepted when
# the first one ends at the top of the address space (0xffffffffffffffff):
# src/gpamap.c iv_gpamap_finish tests `b->gpa < a->gpa + a->size`, and
# a->gpa + a->size wraps to 0. Same for `info mtree -f` rows and --gpa-map
# files (file_element accepts an end of 2^64-1). Expected: exit 3, "overlap".
# A fix that cannot overflow: `b->gpa - a->gpa < a->size` (the map is sorted).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
gen clean
run --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$top_srcdir/tests/data/regress/overlap-at-top.gpamap.open"
expect_rc 3 "overlapping sections ending at 2^64-1"
expect_err "sections 'a' .* and 'b' .* overlap" "overlap reported"
expect_jq '.status' unknown "status unknown"
finish
