#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# host-qmp10.sh - iv_gpamap_from_qmp against replies captured from a real QEMU 10.0.2
# (bookworm-backports; tests/data/qmp-qemu10: -M q35 -m 64 -S, info mtree -f / ramblock / mtree
# verbatim, CRLF). QEMU 8.0+ prints each RAM block's host address and a read-only column in
# `info ramblock`: every section's HVA comes from there (block HVA + offset), no gpa2hva is sent,
# and the HVAs equal what QEMU itself answered to gpa2hva (captured in gpa2hva.txt). The RO
# column makes a section read-only; a row with a bad HVA or RO value is an error naming the row.
. "$top_srcdir/tests/lib.sh"
TH="$top_builddir/tests/test-host"
SOCK="$TMP/qmp.sock"
Q10="$DATA/qmp-qemu10"

fake() {
	rm -f "$SOCK" "$TMP/log"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$SOCK" "$@" --log "$TMP/log" --timeout 20 &
	FAKE=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
th() { "$TH" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; wait "$FAKE" 2>/dev/null; }
# fixture DIR: a copy of the capture (to edit)
fixture() { rm -rf "$TMP/$1"; cp -r "$Q10" "$TMP/$1"; }

cat >"$TMP/q10.exp" <<'X'
how=qmp samples=0 agreed=0
0 0xc0000 ram rw 0 0x7ff537e00000 pc.ram
0xc0000 0x20000 rom ro 0 0x7ff543400000 pc.rom
0xe0000 0x20000 rom ro 0x20000 0x7ff543620000 isa-bios
0x100000 0x3f00000 ram rw 0x100000 0x7ff537f00000 pc.ram
0xfffc0000 0x40000 rom ro 0 0x7ff543600000 pc.bios
X
fake "$Q10"
th qmp "$SOCK"
expect_rc 0 "QEMU 10.0.2 capture"
expect_out "$TMP/q10.exp" "QEMU 10: sections, HVAs from info ramblock's HVA column"
if [ "$(jq -r '.execute + " " + (.arguments."command-line" // "")' "$TMP/log" | tr '\n' ';')" = \
	"qmp_capabilities ;human-monitor-command info mtree -f;human-monitor-command info ramblock;human-monitor-command info mtree;" ]; then
	ok "QEMU 10: no gpa2hva sent (the HVA column is used)"; else fail "QEMU 10: commands sent: $(cat "$TMP/log")"; fi
# the HVAs agree with QEMU's own gpa2hva answers for the same GPAs
tr -d '\r' <"$Q10/gpa2hva.txt" | sed -n 's/^Host virtual address for \(0x[0-9a-f]*\) (.*) is \(0x[0-9a-f]*\)$/\1 \2/p' >"$TMP/g2h"
n=0
while read -r gpa hva; do
	if awk -v g="$gpa" -v h="$hva" '$1 == g && $6 == h { f = 1 } END { exit !f }' "$TMP/out"; then n=$((n + 1))
	else fail "QEMU 10: section at $gpa: HVA is not gpa2hva's $hva"; fi
done <"$TMP/g2h"
if [ "$n" -eq 5 ]; then ok "QEMU 10: all 5 section HVAs equal QEMU's gpa2hva answers"; else fail "QEMU 10: $n of 5 gpa2hva answers matched"; fi

# QEMU 10 with a vfio-pci device after cont (the e2e's nested QEMU on the 6.12 lab kernel,
# tests/data/qmp-qemu10-vfio: nested-probe's HMP texts with the CR put back): the device BAR
# is a ramd section whose RAM block has an empty name (HVA column present): no HVA taken for it
cat >"$TMP/vfio.exp" <<'X'
how=qmp samples=0 agreed=0
0 0x4000000 ram rw 0 0x7f3ab7e00000 pc.ram
0xfea00000 0x100000 ramd rw 0 - 0000:00:02.0 BAR 0 mmaps[0]
0xfffc0000 0x40000 rom ro 0 0x7f3ab7c00000 pc.bios
X
fake "$DATA/qmp-qemu10-vfio"
th qmp "$SOCK"
expect_rc 0 "QEMU 10 + vfio-pci capture"
expect_out "$TMP/vfio.exp" "QEMU 10 + vfio-pci: pc.ram, the BAR (ramd, no HVA), pc.bios"

# the RO column decides: pc.ram's block made read-only makes its sections read-only
fixture ro
sed -i 's/^\( *pc.ram .*\)  rw\r$/\1  ro\r/' "$TMP/ro/info-ramblock.txt"
fake "$TMP/ro"
th qmp "$SOCK"
expect_rc 0 "QEMU 10: pc.ram block RO"
sed 's/ ram rw / ram ro /' "$TMP/q10.exp" >"$TMP/ro.exp"
expect_out "$TMP/ro.exp" "QEMU 10: a read-only RAM block makes its sections read-only"

# bad rows: an RO value that is neither ro nor rw, an HVA that is not hex
fixture badro
sed -i 's/^\( *pc.bios .*\)  ro\r$/\1  r-\r/' "$TMP/badro/info-ramblock.txt"
fake "$TMP/badro"
th qmp "$SOCK"
expect_rc 3 "QEMU 10: RO column 'r-'"
expect_err "qmp.sock: info ramblock:4: cannot parse RAM block row ' *pc.bios +4 KiB " "QEMU 10: RO column 'r-': row named"
fixture badhva
sed -i 's/0x00007ff543400000/0x00007ff54340000g/' "$TMP/badhva/info-ramblock.txt"
fake "$TMP/badhva"
th qmp "$SOCK"
expect_rc 3 "QEMU 10: bad HVA"
expect_err "qmp.sock: info ramblock:5: cannot parse RAM block row ' *pc.rom " "QEMU 10: bad HVA: row named"
finish
