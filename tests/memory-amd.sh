#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# AMD-Vi in a QEMU-dump-like ELF image: v1 tables of modes 3, 4 and 6,
# NextLevel 0 leaves at levels 1-3, NextLevel-7 pages of 8 KiB, 64 KiB and
# 4 MiB (replicated entries, low address bits encode the size), a skipped
# level, read-only / write-only leaves, v2 through the GCR3 table,
# pass-through and invalid DTEs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
mkdir -p "$TMP/none"
{
cat <<'DESC'
layout qemu
ram 0x100000 0x60000
q 0x100200 0x6000000000110603  # devid 0x10 (00:02.0): V TV, Mode 3, root 0x110000, IR IW
q 0x100208 8                   #   DomainID 8
q 0x100300 0x6000000000120803  # 00:03.0: Mode 4, root 0x120000
q 0x100400 0x6000000000130c03  # 00:04.0: Mode 6, root 0x130000
q 0x100500 0x6000000000000003  # 00:05.0: Mode 0, TV 1: pass-through
q 0x100600 0x7480000000000003  # 00:06.0: GV, GLX 0, GCR3[14:12] = 5
q 0x100608 0x280009            #   GCR3[30:15] = 0x28: GCR3 table 0x145000; DomainID 9
q 0x100700 0x6000000000110602  # 00:07.0: V = 0
# mode 3
q 0x110000 0x6000000000111401  # L3[0] -> L2 0x111000 (NextLevel 2)
q 0x110008 0x6000000080000001  # L3[1]: NextLevel 0: 1 GiB at 0x40000000
q 0x111000 0x6000000000112201  # L2[0] -> L1 0x112000 (NextLevel 1)
q 0x111008 0x700000002e400001  # L2[1]: NextLevel 0: 2 MiB at 0x200000 (FC)
q 0x111010 0x60000000901ffe01  # L2[2], L2[3]: NextLevel 7, 4 MiB at 0x400000 -> 0x90000000
q 0x111018 0x60000000901ffe01
q 0x112000 0x3000000057dad001  # L1[0]: 4 KiB read-only (IR FC)
q 0x112010 0x6000000060000e01  # L1[2], L1[3]: NextLevel 7, 8 KiB at 0x2000
q 0x112018 0x6000000060000e01
fill 0x112080 16 0x6000000061237e01 0   # L1[16..31]: NextLevel 7, 64 KiB at 0x10000 -> 0x61230000
# mode 4, with a skipped level
q 0x120000 0x6000000000121601  # L4[0] -> L3 0x121000
q 0x120008 0x6000000000123601  # L4[1] -> L3 0x123000
q 0x121000 0x6000000000122201  # L3[0] -> L1 0x122000 directly (NextLevel 1: level 2 skipped)
q 0x122028 0x6000000033333001  # L1[5]: IOVA 0x5000
q 0x123000 0x6000000040000001  # L3[0]: 1 GiB at 0x8000000000
# mode 6
q 0x130008 0x6000000000131a01  # L6[1] -> L5 (IOVA 1 << 57)
q 0x131000 0x6000000000132801
q 0x132000 0x6000000000133601
q 0x133000 0x6000000000134401
q 0x134000 0x6000000000135201
q 0x135038 0x4000000044440001  # L1[7]: write only
# v2: GCR3 table, then an x86-64 4-level table
q 0x145000 0x150001
q 0x150000 0x151007
q 0x151000 0x152007
q 0x152000 0x153007
q 0x152008 0x88800083          # 2 MiB at 0x200000
q 0x153010 0x8000000066666005  # L1[2]: read-only, NX
DESC
} | gen amd
M="--root $TMP/none --source memory --memory $TMP/amd.elf --amd-devtab 0x100000"

run $M --stats -j dump 0000:00:02.0
expect_rc 0 "mode 3 dump"
expect_jq '"\(.vendor) \(.mode) \(.levels)"' "amd v1 3" "v1, 3 levels"
expect_jq "$EXTENTS" "0x0 0x1000 0x57dad r- 0x1000,0x2000 0x2000 0x60000 rw 0x2000,0x10000 0x10000 0x61230 rw 0x10000,0x200000 0x200000 0x2e400 rw 0x200000,0x400000 0x400000 0x90000 rw 0x400000,0x40000000 0x40000000 0x80000 rw 0x40000000" "mode 3 extents: one per distinct page"
expect_err "table_pages_read=4 " "4 table pages (device table, L3, L2, L1)"

run $M -j lookup 00:02.0 0x3fff 0x1abcd 0x7fffff 0x4000 0x40000123
expect_rc 0 "mode 3 lookups"
expect_jq "$RESULTS" "0x3fff 0x60001fff rw 0x2000 1,0x1abcd 0x6123abcd rw 0x10000 1,0x7fffff 0x903fffff rw 0x400000 2,0x4000 unmapped,0x40000123 0x80000123 rw 0x40000000 3" "NextLevel 7 pages: address bits below the size are not part of the PFN"
run $M -j lookup 00:02.0 0x1f000
expect_jq '"\(.results[0].leaf_iova) \(.results[0].entries | join(" "))"' "0x10000 0x6000000000111401 0x6000000000112201 0x6000000061237e01" "replicated page reported at its first IOVA with its entry path"

run $M -j dump 0000:00:03.0
expect_rc 0 "mode 4 dump"
expect_jq "$EXTENTS" "0x5000 0x1000 0x33333 rw 0x1000,0x8000000000 0x40000000 0x40000 rw 0x40000000" "mode 4 with a skipped level"

run $M -j dump 0000:00:04.0
expect_rc 0 "mode 6 dump"
expect_jq '.levels' 6 "6 levels"
expect_jq "$EXTENTS" "0x200000000007000 0x1000 0x44440 -w 0x1000" "mode 6: IOVA bit 57"

run $M -j dump 0000:00:06.0
expect_rc 0 "v2 dump"
expect_jq '"\(.mode) \(.levels)"' "v2 4" "v2, 4 levels"
expect_jq "$EXTENTS" "0x2000 0x1000 0x66666 r- 0x1000,0x200000 0x200000 0x88800 rw 0x200000" "v2 extents"
run $M dump 0000:00:06.0 --pasid 1
expect_rc 3 "v2 PASID 1 absent"
expect_err "GCR3 table entry at 0x145008 not valid" "GCR3 entry named"

run $M dump 0000:00:05.0
expect_rc 3 "pass-through"
expect_err "pass-through \(DTE at 0x100500: Mode 0, TV=1\)" "Mode 0 is pass-through"
run $M dump 0000:00:07.0
expect_rc 3 "invalid DTE"
expect_err "DTE at 0x100700 has no translation \(V=0 TV=1\)" "V=0 named"
run $M dump 0000:00:02.0 --pasid 1
expect_rc 3 "v1 has no PASIDs"
run --root "$TMP/none" --source memory --memory "$TMP/amd.elf" --amd-devtab 0x100001 dump 0000:01:00.0
expect_rc 3 "device beyond the device table size"
expect_err "device ID 0x0100 is beyond the device table \(0x2000 bytes\)" "size bits of the register value"
finish
