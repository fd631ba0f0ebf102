#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# VT-d scalable mode in a vmcore-like ELF image: lower/upper context tables,
# PASID directory and table, PGTT second-level / first-level (4 and 5 levels,
# FLPM) / nested / pass-through, x86 leaf bits (XD, PAT, P vs R/W).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
mkdir -p "$TMP/none"
gen sm <<'DESC'
layout vmcore
ram 0x100000 0x60000
q 0x100000 0x101001            # root[bus 0].lo -> lower context table (devfn 0-127)
q 0x100008 0x102001            # root[bus 0].hi -> upper context table (devfn 128-255)
q 0x101200 0x103001            # 00:02.0 (devfn 0x10, 32-byte entries): PASID dir 0x103000, PDTS 0
q 0x103000 0x104001            # dir[0] -> PASID table for PASIDs 0-63
q 0x103008 0x105001            # dir[1] -> PASIDs 64-127
q 0x104000 0x110085            # PASID 0: P, AW 1, PGTT 2 (second level), SLPTPTR 0x110000
q 0x104008 7                   #   DID 7
q 0x104040 0x49                # PASID 1: PGTT 1 (first level), AW 2
q 0x104050 0x120000            #   FLPTR 0x120000, FLPM 0: 4 levels
q 0x104080 0x49                # PASID 2: first level
q 0x104090 0x130004            #   FLPTR 0x130000, FLPM 1: 5 levels
q 0x1040c0 0x101               # PASID 3: PGTT 4 pass-through
q 0x105040 0x1400c9            # PASID 65: PGTT 3 (nested), AW 2, SLPTPTR 0x140000
q 0x102100 0x106001            # 00:11.0 (devfn 0x88): upper table entry 8
q 0x106000 0x107001
q 0x107000 0x150085            # PASID 0: second level, 3 levels
# PASID 0 second level
q 0x110000 0x111003
q 0x111000 0x112003
q 0x111008 0x3e000083          # 2 MiB at 0x200000
q 0x112000 0x1000003           # IOVA 0
# PASID 1 first level, 4 levels
q 0x120000 0x121007
q 0x121000 0x122007
q 0x121010 0x80000000c0000081  # L3[2]: 1 GiB, read-only, XD
q 0x122000 0x123007
q 0x122008 0x46601083          # L2[1]: 2 MiB with PAT (bit 12) set
q 0x123008 0x8000000044444063  # L1[1]: XD, D, A, RW, P
# PASID 2 first level, 5 levels
q 0x130000 0x131003
q 0x131000 0x132003
q 0x132000 0x133003
q 0x133000 0x134003
q 0x134018 0x77777001          # L1[3]: read-only
q 0x134020 0x78888002          # L1[4]: R/W without P: not present in x86 format
# PASID 65 nested: second level, 4 levels
q 0x140000 0x141003
q 0x141000 0x142003
q 0x142000 0x143003
q 0x143080 0x99999002          # L1[16]: write-only second-level leaf (present: bit 1)
# 00:11.0
q 0x150000 0x151003
q 0x151028 0x3fe00081          # L2[5]: 2 MiB read-only at 0xa00000
DESC
M="--root $TMP/none --source memory --memory $TMP/sm.elf --vtd-root 0x100400"

run $M -j dump 0000:00:02.0
expect_rc 0 "PASID 0 (RID_PASID) second level"
expect_jq '"\(.mode) \(.levels) \(.pasid)"' "scalable 3 0" "scalable, 3 levels"
expect_jq "$EXTENTS" "0x0 0x1000 0x1000 rw 0x1000,0x200000 0x200000 0x3e000 rw 0x200000" "second-level extents"

run $M -j dump 0000:00:02.0 --pasid 1
expect_rc 0 "PASID 1 first level"
expect_jq '"\(.mode) \(.levels) \(.table_format)"' "scalable 4 first-level" "first level, FLPM 0: 4 levels"
expect_jq "$EXTENTS" "0x1000 0x1000 0x44444 rw 0x1000,0x200000 0x200000 0x46600 rw 0x200000,0x80000000 0x40000000 0xc0000 r- 0x40000000" "first-level extents (XD and PAT masked)"

run $M -j dump 0000:00:02.0 --pasid 2
expect_rc 0 "PASID 2 first level 5 levels"
expect_jq '.levels' 5 "FLPM 1: 5 levels"
expect_jq "$EXTENTS" "0x3000 0x1000 0x77777 r- 0x1000" "5-level first level: P clear means not present"

run $M -j lookup 0000:00:02.0 --pasid 65 0x10000 0x11000
expect_rc 0 "PASID 65 nested"
expect_jq "$RESULTS" "0x10000 0x99999000 -w 0x1000 1,0x11000 unmapped" "nested: second-level table walked"

run $M dump 0000:00:02.0 --pasid 3
expect_rc 3 "PGTT 4"
expect_err "pass-through \(PASID entry at 0x1040c0 has PGTT=4\)" "PGTT 4 is pass-through"
run $M dump 0000:00:02.0 --pasid 4
expect_rc 3 "absent PASID entry"
expect_err "PASID entry at 0x104100 not present" "absent PASID entry named"
run $M dump 0000:00:02.0 --pasid 200
expect_rc 3 "absent PASID directory entry"
expect_err "PASID directory entry at 0x103018 not present" "absent directory entry named"
run $M dump 0000:00:02.0 --pasid 20000
expect_rc 3 "PASID beyond the directory"
expect_err "PASID 20000 is beyond the PASID directory \(128 entries\)" "directory size from PDTS"

run $M -j dump 0000:00:11.0
expect_rc 0 "upper context table"
expect_jq "$EXTENTS" "0xa00000 0x200000 0x3fe00 r- 0x200000" "devfn 0x88 through the upper table"

# Without RTADDR bit 10 the root entry's upper half (P set) says scalable.
run --root "$TMP/none" --source memory --memory "$TMP/sm.elf" --vtd-root 0x100000 -j dump 0000:00:02.0 --pasid 1
expect_rc 0 "scalable detected from the root entry"
expect_jq '"\(.mode) \(.levels)"' "scalable 4" "detected scalable mode"
finish
