#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# VT-d legacy mode walked in a kcore-like ELF image: 3-, 4- and 5-level
# second-level tables, 4 KiB / 2 MiB / 1 GiB leaves, read-only leaves,
# pass-through and absent context entries, table pages read once.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
mkdir -p "$TMP/none"
gen vtd <<'DESC'
layout kcore
ram 0x100000 0x100000
q 0x100000 0x101001            # root[bus 0] -> context table 0x101000
q 0x101100 0x110001            # 00:02.0 (devfn 0x10): SLPTPTR 0x110000, TT 0
q 0x101108 0x401               #   AW 1 (3 levels), DID 4
q 0x101180 0x120001            # 00:03.0: 4 levels
q 0x101188 0x502
q 0x101200 0x130001            # 00:04.0: 5 levels
q 0x101208 0x603
q 0x101280 0x9                 # 00:05.0: TT 2 pass-through
q 0x101288 0x702
# 00:02.0, 3 levels
q 0x110000 0x111003            # L3[0] -> L2 0x111000
q 0x110008 0x80000083          # L3[1]: 1 GiB leaf at IOVA 0x40000000 -> 0x80000000
q 0x111000 0x112003            # L2[0] -> L1 0x112000
q 0x111008 0x113003            # L2[1] -> L1 0x113000
q 0x111018 0x2dc00083          # L2[3]: 2 MiB leaf at IOVA 0x600000
q 0x112800 0x2e797003          # L1[256]: IOVA 0x100000
q 0x112808 0x2e798003          # L1[257]: IOVA 0x101000 (contiguous)
q 0x112810 0x2e000803          # L1[258]: IOVA 0x102000, SNP bit set
q 0x113000 0x2e9ab001          # IOVA 0x200000 read-only
q 0x113008 0x2e9ab001          # IOVA 0x201000 read-only, same page
# 00:03.0, 4 levels
q 0x120000 0x121003
q 0x120ff8 0x124003            # L4[511]
q 0x121000 0x122003
q 0x122000 0x123003
q 0x123008 0x55555003          # IOVA 0x1000
q 0x124ff8 0x1c0000081         # L3[511]: 1 GiB read-only at IOVA 0xffffc0000000
# 00:04.0, 5 levels
q 0x130008 0x131003            # L5[1]
q 0x131000 0x132003
q 0x132000 0x133003
q 0x133010 0x7fe00083          # L2[2]: 2 MiB at IOVA 0x1000000400000
q 0x133018 0x134003            # L2[3] -> L1
q 0x134028 0x12345003          # L1[5]: IOVA 0x1000000605000
DESC
M="--root $TMP/none --source memory --memory $TMP/vtd.elf --vtd-root 0x100000"

run $M --stats -j dump 0000:00:02.0
expect_rc 0 "3-level dump"
expect_jq '"\(.vendor) \(.mode) \(.levels) \(.source)"' "intel legacy 3 memory" "3-level table header"
expect_jq "$EXTENTS" "0x100000 0x2000 0x2e797 rw 0x1000,0x102000 0x1000 0x2e000 rw 0x1000,0x200000 0x1000 0x2e9ab r- 0x1000,0x201000 0x1000 0x2e9ab r- 0x1000,0x600000 0x200000 0x2dc00 rw 0x200000,0x40000000 0x40000000 0x80000 rw 0x40000000" "3-level extents"
expect_err "table_pages_read=6 " "6 table pages read (root, context, L3, L2, 2 x L1)"
expect_err "leaves=7 " "7 leaves (counted once)"


run $M -j lookup 00:02.0 0x100000 0x7ff000 0x40123456 0x900000 0x201fff
expect_rc 0 "3-level lookup"
expect_jq "$RESULTS" "0x100000 0x2e797000 rw 0x1000 1,0x7ff000 0x2ddff000 rw 0x200000 2,0x40123456 0x80123456 rw 0x40000000 3,0x900000 unmapped,0x201fff 0x2e9abfff r- 0x1000 1" "3-level lookups"
run $M -j lookup 00:02.0 0x102000
expect_jq '[.results[0].entries[]] | join(" ")' "0x111003 0x112003 0x2e000803" "entry path top to leaf"

run $M -j dump 0000:00:03.0
expect_rc 0 "4-level dump"
expect_jq '.levels' 4 "4 levels from AW 2"
expect_jq "$EXTENTS" "0x1000 0x1000 0x55555 rw 0x1000,0xffffc0000000 0x40000000 0x1c0000 r- 0x40000000" "4-level extents"

run $M -j dump 0000:00:04.0
expect_rc 0 "5-level dump"
expect_jq '.levels' 5 "5 levels from AW 3"
expect_jq "$EXTENTS" "0x1000000400000 0x200000 0x7fe00 rw 0x200000,0x1000000605000 0x1000 0x12345 rw 0x1000" "5-level extents"

run $M -j lookup 0000:00:04.0 0x1000000605abc 0x605abc
expect_jq "$RESULTS" "0x1000000605abc 0x12345abc rw 0x1000 1,0x605abc unmapped" "5-level lookup"

run $M dump 0000:00:05.0
expect_rc 3 "pass-through: no table to dump"
expect_err "pass-through \(context entry at 0x101280 has TT=2\)" "pass-through reason"

run $M dump 0000:00:06.0
expect_rc 3 "absent context entry"
expect_err "context entry at 0x101300 not present" "absent context entry reason"

run $M dump 0000:01:00.0
expect_rc 3 "absent root entry"
expect_err "root entry for bus 01 at 0x100010 not present" "absent root entry reason"

run --root "$TMP/none" --source memory --memory "$TMP/vtd.elf" dump 00:02.0
expect_rc 3 "no starting point"
expect_err "no VT-d root table: give --vtd-root" "asks for --vtd-root"

# The entries of a real walk (QEMU 7.2 intel-iommu, Linux 6.1 guest; a host
# walk of dump-guest-memory, captures/qmp-intel-host/host-walk-dump.txt,
# RTADDR 0x546000 read with HMP xp), transcribed into an image.
gen capture <<'DESC'
ram 0x500000 0x500000
q 0x546000 0x54c001
q 0x54c100 0x7f5001
q 0x54c108 0x401
q 0x7f5000 0x930003
q 0x930000 0x8fb003
q 0x930008 0x935003
q 0x930010 0x92f003
q 0x930018 0x2dc00083
q 0x8fb800 0x2e797003
q 0x935000 0x2e9ab001
q 0x935800 0x2e7ec003
q 0x92f000 0x2e7cc003
DESC
run --root "$TMP/none" --source memory --memory "$TMP/capture.elf" --vtd-root 0x546000 -j lookup 00:02.0 0x100000 0x200000 0x300000 0x400000 0x600000 0x7ff000 0x900000
expect_rc 0 "real walk replayed"
expect_jq '[.results[] | if .mapped then .pfn else "-" end] | join(" ")' "0x2e797 0x2e9ab 0x2e7ec 0x2e7cc 0x2dc00 0x2ddff -" "same PFNs as the real walk"
finish
