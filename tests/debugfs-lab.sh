#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The real captures (tests/data/lab61: 6.1 global file; lab612: 6.12 per-device
# files) give the PFNs that vfio-lab recorded (vfio-lab-summary.txt).
. "$top_srcdir/tests/lib.sh"
L61="--root $DATA/lab61 --source debugfs"
L612="--root $DATA/lab612 --source debugfs"

# 6.1: the zero page mapped read-only at IOVA 0x200000
run $L61 -j lookup 0000:00:02.0 0x200000
expect_rc 0 "lab61 lookup 0x200000"
expect_jq '[.results[0] | .mapped, .pfn, .perm, .level, .page_size] | map(tostring) | join(" ")' \
	"true 0x399ab r- 1 0x1000" "lab61: 0x200000 -> zero page 0x399ab r- level 1 4K"
expect_jq '.levels' 3 "lab61: 3-level table"

# all of buffer B points to the zero page, A/C/D to their pages
run $L61 -j lookup 0000:00:02.0 0x100000 0x201000 0x202000 0x203000 0x300000 0x403000
expect_rc 0 "lab61 lookup several"
expect_jq '[.results[] | .pfn + .perm] | join(" ")' \
	"0x39787rw 0x399abr- 0x399abr- 0x399abr- 0x3977brw 0x39780rw" "lab61: PFNs of A[0], B[1..3], C[0], D[3]"

# 6.12 per-device file: all 16 4K pages, ground truth from vfio-lab-summary.txt
run $L612 -j lookup 0000:00:02.0 0x100000 0x101000 0x102000 0x103000 0x200000 0x201000 0x202000 0x203000 \
	0x300000 0x301000 0x302000 0x303000 0x400000 0x401000 0x402000 0x403000
expect_rc 0 "lab612 lookup 16 pages"
expect_jq '[.results[] | .pfn] | join(" ")' \
	"0x30ef4 0x30d76 0x30d7f 0x3fe73 0x9f3 0xb43 0xb79 0x8ed 0x30ef0 0x30dcf 0x30dc7 0x3fe7a 0x30efa 0x30ef8 0x30efb 0x30dce" \
	"lab612: PFNs of A, B, C, D"
expect_jq '[.results[] | .perm] | unique | join(" ")' "r- rw" "lab612: perms r- and rw"
expect_jq '[.results[4:8][] | .perm] | unique | join(" ")' "r-" "lab612: buffer B is read-only"

# the THP buffer: one 2 MiB leaf; a page inside it gives base + offset
run $L612 -j lookup 0000:00:02.0 0x7ff000 0x600000 0x700000
expect_rc 0 "lab612 lookup in the 2M page"
expect_jq '[.results[] | .pfn] | join(" ")' "0x3ff 0x200 0x300" "lab612: 0x7ff000 -> 0x3ff (base 0x200 + 0x1ff)"
expect_jq '[.results[0] | .level, .page_size] | map(tostring) | join(" ")' "2 0x200000" "lab612: level 2, 2M"
run $L61 -j lookup 0000:00:02.0 0x7ff000
expect_jq '.results[0].pfn' "0x38dff" "lab61: 0x7ff000 -> 0x38c00 + 0x1ff"

# unmapped IOVA: mapped false, exit 0
run $L612 -j lookup 0000:00:02.0 0x900000
expect_rc 0 "lab612 lookup unmapped"
expect_jq '.results[0].mapped' false "lab612: 0x900000 not mapped"

# dump: 17 extents, the THP buffer as one 2 MiB extent
run $L612 -j dump 0000:00:02.0
expect_rc 0 "lab612 dump"
expect_jq '.extents | length' 17 "lab612: 17 extents"
expect_jq '.extents[16] | [.iova, .size, .pfn, .perm, (.page_size | tostring)] | join(" ")' \
	"0x600000 0x200000 0x200 rw 0x200000" "lab612: THP buffer is one 2 MiB extent"
run $L61 -j dump 0000:00:02.0
expect_rc 0 "lab61 dump"
expect_jq '.extents | length' 17 "lab61: 17 extents"
expect_jq '.extents[16] | [.iova, .size, .pfn, (.page_size | tostring)] | join(" ")' \
	"0x600000 0x200000 0x38c00 0x200000" "lab61: THP buffer is one 2 MiB extent"

# 6.1 lists group 4 (1f.0, 1f.2, 1f.3) as three copies of 0000:00:1f.0: group
# members get the first device's table (identity map of the first 16 MiB)
for d in 0000:00:1f.0 0000:00:1f.2 0000:00:1f.3; do
	run $L61 -j dump $d
	expect_rc 0 "lab61 dump $d"
	expect_jq '.extents | map([.iova, .size, .pfn, .perm] | join(" ")) | join(",")' \
		"0x0 0x1000000 0x0 rw" "lab61: $d = 1f.0's identity map"
done
# a device with an empty table (virtio 00:03.0): no extents, exit 0
run $L612 -j dump 0000:00:03.0
expect_rc 0 "lab612 dump of an empty table"
expect_jq '.extents | length' 0 "lab612: 00:03.0 has no mappings"
# a device that is not in debugfs at all
run $L612 dump 0000:00:05.0
expect_rc 3 "lab612 dump of an unknown device"
expect_err "no domain_translation_struct for 0000:00:05.0" "reason names the device"
finish
