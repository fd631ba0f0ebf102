#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ELF image handling: PN_XNUM program header counts, bytes between p_filesz
# and p_memsz (and QEMU's p_offset -1 segments) read as zeros, RAM preferred
# over the kernel-text duplicate, kcore detected by name (no size check).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
mkdir -p "$TMP/none" "$TMP/kc"
desc() {
	cat <<DESC
layout $1
$2
ram 0x100000 0x20000
tail 0x200000 0x1000 0x2000    # 0x201000 reads as zeros
zero 0x300000 0x1000           # p_filesz 0, p_offset -1
q 0x100000 0x101001
q 0x101100 0x110001            # 00:02.0, 3 levels
q 0x101108 0x401
q 0x110000 0x111003
q 0x111000 0x112003            # L2[0] -> L1 0x112000
q 0x111008 0x201003            # L2[1] -> L1 in the zero-filled tail
q 0x111010 0x300003            # L2[2] -> L1 in the p_offset -1 segment
q 0x111018 0x200003            # L2[3] -> L1 in the file-backed part of the tail segment
q 0x112008 0xabcd1003          # 0x1000
q 0x200010 0xabcd2001          # 0x602000 read-only
DESC
}
for layout in kcore vmcore qemu; do
	desc $layout xnum | gen $layout
	run --root "$TMP/none" --source memory --memory "$TMP/$layout.elf" --vtd-root 0x100000 -j dump 00:02.0
	expect_rc 0 "$layout layout with PN_XNUM"
	expect_jq "$EXTENTS" "0x1000 0x1000 0xabcd1 rw 0x1000,0x602000 0x1000 0xabcd2 r- 0x1000" "$layout: zero-filled tables are empty, RAM preferred over text"
done
run --root "$TMP/none" --source memory --memory "$TMP/qemu.elf" --vtd-root 0x100000 -j lookup 00:02.0 0x200000 0x400000
expect_rc 0 "lookups through zero-filled tables"
expect_jq "$RESULTS" "0x200000 unmapped,0x400000 unmapped" "zero-filled tables map nothing"

# A file called kcore: its st_size is not trusted, so a short file is only an
# error when a read reaches past its end.
desc qemu "truncate 0x8000" | gen short
cp "$TMP/short.elf" "$TMP/kc/kcore"
run --root "$TMP/none" --source memory --memory "$TMP/kc/kcore" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "kcore cut short"
expect_err "physical address 0x200000: unexpected end of file" "end of file named with the address"
run --root "$TMP/none" --source memory --memory "$TMP/short.elf" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "ordinary image cut short"
expect_err "segment at paddr 0x100000 is cut short" "truncation warned at open"
expect_err "physical address 0x200000 is beyond the end of the file \(truncated image\)" "first missing address named"
finish
