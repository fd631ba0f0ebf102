#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# One synthetic domain written in every debugfs era (tests/gen-debugfs.py) must
# dump to the same extents (tests/data/debugfs/expected.extents).
. "$top_srcdir/tests/lib.sh"
G="$TMP/gen"
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$G" || { fail "generator"; finish; }
EXP="$DATA/debugfs/expected.extents"
EXT='.extents[] | [.iova, .size, .pfn, .perm, .page_size] | join("\t")'

# era DEVICE LEVELS MODE [--pasid N]
era() {
	e=$1 dev=$2 lv=$3 mode=$4; shift 4
	run --root "$G/$e" --source debugfs -j dump "$@" "$dev"
	expect_rc 0 "$e: dump $dev"
	jq -r "$EXT" <"$TMP/out" >"$TMP/out.ext" 2>/dev/null
	if diff -u "$EXP" "$TMP/out.ext" >"$TMP/diff"; then ok "$e: extents"; else fail "$e: extents differ"; cat "$TMP/diff" >&2; fi
	expect_jq '.levels' "$lv" "$e: $lv levels"
	expect_jq '.mode' "$mode" "$e: mode $mode"
}
era v5.6 0000:03:00.0 3 legacy
era v5.18 0000:03:00.0 4 legacy
era v5.18 0000:03:00.1 4 legacy            # group member not listed (6.0-6.6)
era v6.7 0000:03:00.0 3 legacy
era v6.7-sm 0000:03:00.0 5 scalable
era v6.7-fl 0000:03:00.0 4 scalable --pasid 0x1a
expect_jq '.table_format' first-level "v6.7-fl: first-level table"
era v4.20 0000:03:00.0 3 legacy

# the other device in the global file is a separate block
run --root "$G/v5.18" --source debugfs -j dump 0000:00:02.0
expect_rc 0 "v5.18: other device"
expect_jq '.extents | map([.iova, .pfn, .perm] | join(" ")) | join(",")' "0x10000 0x1234 r-" "v5.18: 00:02.0's own block"

# the first-level table read as its leaf entries: XD bit 63 masked from the address
run --root "$G/v6.7-fl" --source debugfs -j lookup --pasid 0x1a 0000:03:00.0 0x2000 0x80000fff
expect_rc 0 "v6.7-fl lookup"
expect_jq '[.results[] | .phys, .perm] | join(" ")' "0x7000 r- 0x5fff r-" "v6.7-fl: XD masked, P without R/W = r-"

# pass-through (context TT=2 / PGTT=4): no table, and the garbage file is not read
for e in v6.7 v6.7-sm v4.20 v5.6; do
	run --root "$G/$e" --source debugfs dump 0000:05:00.0
	expect_rc 3 "$e: dump pass-through device"
	expect_err "pass-through \(identity\) domain: no page table" "$e: pass-through reason"
done
finish
