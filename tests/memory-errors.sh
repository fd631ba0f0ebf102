#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Tables and images that can't be read or make no sense: exit 3 with the
# physical address (hex) in the message, never a partial "OK", never a hang.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
mkdir -p "$TMP/none"
# VT-d legacy, 3 levels; each device breaks in a different way.
gen bad <<'DESC'
ram 0x100000 0x20000
q 0x100000 0x101001
q 0x101100 0x110001            # 00:02.0: L2[0] points into a hole
q 0x101108 0x401
q 0x110000 0x111003
q 0x111000 0x500003
q 0x101180 0x112001            # 00:03.0: L2[1] points back to the L3 table (cycle)
q 0x101188 0x401
q 0x112000 0x113003
q 0x113000 0x114003
q 0x113008 0x112003
q 0x114000 0x1000003
q 0x101200 0x115001            # 00:04.0: 4 levels, PS bit at level 4
q 0x101208 0x402
q 0x115000 0x40000083
q 0x101280 0x11f001            # 00:05.0: tables in the last page, cut off below
q 0x101288 0x401
q 0x101300 0x116001            # 00:06.0: AW 5 (reserved)
q 0x101308 0x405
q 0x101380 0x116201            # 00:07.0: reserved bits 11:4 (a scalable entry read as legacy)
q 0x101388 0x401
q 0x11f000 0x11f003            # self-reference at the top level
truncate 0x1000
DESC
M="--root $TMP/none --source memory --memory $TMP/bad.elf --vtd-root 0x100000"
run $M dump 00:02.0
expect_rc 3 "table pointer into a hole"
expect_err "physical address 0x500000 is not in the image \(hole\)" "hole address named"
expect_err "level-1 table at 0x500000 \(entry 0x0000000000500003 at 0x111000\)" "entry pointing there named"
run $M -j dump 00:03.0
expect_rc 3 "cycle in the tables"
expect_err "entry 0x0000000000112003 at physical 0x113008 \(level 2\) points back to the level-3 table at 0x112000" "cycle reported with addresses"
expect_jq '.errors | length > 0' true "JSON errors array filled"
run $M dump 00:04.0
expect_rc 3 "PS bit at level 4"
expect_err "0x0000000040000083 at physical 0x115000: page-size bit set at level 4" "bad PS bit named"
run $M dump 00:05.0
expect_rc 3 "truncated image"
expect_err "physical address 0x11f000 is beyond the end of the file \(truncated image\)" "truncated address named"
run $M dump 00:06.0
expect_rc 3 "reserved AW"
expect_err "context entry 0x0000000000000405:0x0000000000116001 at 0x101300: reserved AW 5" "reserved AW named"
run $M dump 00:07.0
expect_rc 3 "reserved context bits"
expect_err "at 0x101380 has reserved bits 11:4 set \(a scalable-mode table\?" "scalable hint"

# AMD-Vi: impossible NextLevel values and encoded sizes.
gen amdbad <<'DESC'
ram 0x100000 0x20000
q 0x100200 0x6000000000110603  # 00:02.0: Mode 3; L3[0] has NextLevel 3 (not below 3)
q 0x110000 0x6000000000111601
q 0x100300 0x6000000000112603  # 00:03.0: L1 entry with NextLevel 2
q 0x112000 0x6000000000113401
q 0x113000 0x6000000000114201
q 0x114008 0x6000000000115401
q 0x100400 0x6000000000116603  # 00:04.0: NextLevel 7 of 8 KiB at level 2
q 0x116000 0x6000000000117401
q 0x117000 0x6000000012340e01
q 0x100500 0x6000000000118e03  # 00:05.0: DTE Mode 7
DESC
A="--root $TMP/none --source memory --memory $TMP/amdbad.elf --amd-devtab 0x100000"
run $A dump 00:02.0
expect_rc 3 "NextLevel not below the level"
expect_err "entry 0x6000000000111601 at physical 0x110000 \(level 3\): impossible NextLevel 3" "NextLevel 3 at level 3"
run $A dump 00:03.0
expect_rc 3 "NextLevel 2 at level 1"
expect_err "entry 0x6000000000115401 at physical 0x114008 \(level 1\): impossible NextLevel 2" "NextLevel 2 at level 1"
run $A dump 00:04.0
expect_rc 3 "8 KiB page at level 2"
expect_err "entry 0x6000000012340e01 at physical 0x117000 \(level 2\): NextLevel 7 page size impossible" "encoded size too small for level 2"
run $A dump 00:05.0
expect_rc 3 "DTE Mode 7"
expect_err "DTE 0x6000000000118e03 at 0x100500: reserved Mode 7" "reserved Mode 7"

# Files that are not usable ELF core images.
printf 'KDUMP   \001\000\000\000' >"$TMP/kdump"
run --root "$TMP/none" --source memory --memory "$TMP/kdump" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "kdump-compressed file"
expect_err "kdump-compressed dump, not ELF; convert it with 'makedumpfile -E'" "makedumpfile -E suggested"
printf 'hello' >"$TMP/text"
run --root "$TMP/none" --source memory --memory "$TMP/text" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "not ELF"
expect_err "text: not an ELF file" "not ELF named"
run --root "$TMP/none" --source memory --memory "$IV" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "an ELF program, not a core"
expect_err "is not ET_CORE" "ET_CORE required"
run --root "$TMP/none" --source memory --memory "$TMP/absent.elf" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "missing image"
expect_err "absent.elf: No such file or directory" "missing image named"
finish
