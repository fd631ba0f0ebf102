#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# ramd (device memory) sections are verified, not trusted (issue 13.1), and the
# inferred map counts device memory as MMIO (issue 12.5):
#  - a --gpa-map or a QMP reply that declares the stale page's section (or all
#    of pc.ram) ramd: the IOMMU PFN has RAM behind it and is in no BAR -> stale,
#    CRITICAL (it used to be OK, exit 0);
#  - a running VM's P2P window (gen-root.py p2p: the IOMMU maps the device's
#    BAR): MMIO by the BAR in sysfs resource, or by KPF_NOPAGE; counted as
#    mmio_pages in JSON and text; OK with the map and with an inferred map
#    (inferred used to be UNKNOWN, "256 not comparable");
#  - the same window without a BAR in sysfs and with RAM-like kpageflags: a
#    finding, never silent MMIO.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }

# --- a map that declares the stale page's section ramd
gen stale
R="$TMP/stale"
jq '[.[] | if .gpa == "0x100000" then
	({gpa: "0x100000", size: "0x50000", hva: .hva, name: "pc.ram", readonly: false, type: "ram"},
	 {gpa: "0x150000", size: "0x1000", hva: "0x7f16f7f50000", name: "evil-ramd", readonly: false, type: "ramd"},
	 {gpa: "0x151000", size: "0x3eaf000", hva: "0x7f16f7f51000", name: "pc.ram", readonly: false, type: "ram"})
	else . end]' "$R/gpa-map.json" >"$TMP/ramd-page.json"
run --root "$R/root" -j check --pid 4242 --gpa-map "$TMP/ramd-page.json"
expect_rc 2 "stale page declared ramd: CRITICAL"
expect_findings "stale evil-ramd 0x150000 1 0x1c9b50 unknown rw false" "stale page declared ramd: a stale finding in the ramd section"
expect_jq '.processes[0].devices[0].mmio_pages' 0 "stale page declared ramd: not counted as MMIO"
run --root "$R/root" check --pid 4242 --gpa-map "$TMP/ramd-page.json"
expect_rc 2 "stale page declared ramd, text: CRITICAL"
if grep -q "CRITICAL stale .* evil-ramd iova 0x150000" "$TMP/out"; then ok "text names the ramd section"
else fail "text: no stale finding in evil-ramd"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi
# all of pc.ram declared ramd: every pc.ram page is RAM where the map says device memory
jq '[.[] | if .name == "pc.ram" then .type = "ramd" else . end]' "$R/gpa-map.json" >"$TMP/ramd-all.json"
run --root "$R/root" -j check --pid 4242 --gpa-map "$TMP/ramd-all.json"
expect_rc 2 "pc.ram declared ramd: CRITICAL"
expect_jq '"\(.status) \([.findings[] | select(.kind == "stale") | .pages] | add) \(.processes[0].devices[0].mmio_pages)"' \
	"critical 16320 0" "pc.ram declared ramd: all 16320 pc.ram pages stale, none MMIO"

# --- the same over QMP: the flat view says pc.ram (0x100000) is ramd
serve() {   # serve DIR: fake-qmp.py on $TMP/qmp.sock
	rm -f "$TMP/qmp.sock"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$TMP/qmp.sock" "$1" --timeout 20 --log "$TMP/qmp.log" &
	QPID=$!
	for i in $(seq 100); do [ -S "$TMP/qmp.sock" ] && return 0; sleep 0.05; done
	fail "fake-qmp.py did not start"
}
cp -r "$R/qmp" "$TMP/qmp-ramd"
sed 's/^\(  0000000000100000-0000000003ffffff (prio 0, \)ram\()\)/\1ramd\2/' "$R/qmp/info-mtree-f.txt" >"$TMP/qmp-ramd/info-mtree-f.txt"
cmp -s "$R/qmp/info-mtree-f.txt" "$TMP/qmp-ramd/info-mtree-f.txt" && fail "qmp-ramd: flat view not changed (fixture changed?)"
serve "$TMP/qmp-ramd"
run --root "$R/root" -j check --pid 4242 --qmp "$TMP/qmp.sock"
wait $QPID
expect_rc 2 "QMP declares pc.ram ramd: CRITICAL"
expect_jq '[.findings[] | select(.kind == "stale" and .iova == "0x100000")] | length' 1 "QMP ramd: stale from 0x100000"

# --- a running VM's P2P window: the IOMMU maps the device's BAR
gen p2p
P="$TMP/p2p"
run --root "$P/root" -j check --pid 4242 --gpa-map "$P/gpa-map.json"
expect_rc 0 "p2p with the map: OK"
expect_jq '"\(.status) \(.findings | length) \(.processes[0].devices[0].mmio_pages) \(.processes[0].devices[0].pages_checked)"' \
	"ok 0 256 16704" "p2p with the map: 256 MMIO pages (BAR in sysfs resource)"
run --root "$P/root" check --pid 4242 --gpa-map "$P/gpa-map.json"
expect_rc 0 "p2p text: OK"
if grep -q "16704 pages checked, 256 MMIO (device memory)" "$TMP/out"; then ok "p2p text: MMIO pages reported"
else fail "p2p text: no MMIO count"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi
run --root "$P/root" -j check --pid 4242
expect_rc 0 "p2p inferred: OK (was UNKNOWN, 256 not comparable)"
expect_jq '"\(.status) \(.processes[0].gpa_map) \(.processes[0].devices[0].mmio_pages) \(.processes[0].devices[0].unverified_pages)"' \
	"ok inferred 256 0" "p2p inferred: BAR pages are MMIO, none not comparable"
expect_jq '"\(.processes[0].samples) \(.processes[0].samples_agreed)"' "410 410" "p2p inferred: BAR samples left out, the others all agree"
# no BAR in sysfs, KPF_NOPAGE on the PFNs: MMIO by the flags
gen p2p --bar-kpf nopage --no-bar
run --root "$P/root" -j check --pid 4242 --gpa-map "$P/gpa-map.json"
expect_jq '"\(.status) \(.processes[0].devices[0].mmio_pages)"' "ok 256" "p2p, NOPAGE, no BAR: MMIO by kpageflags"
run --root "$P/root" -j check --pid 4242
expect_rc 0 "p2p, NOPAGE, no BAR, inferred: OK"
# no BAR and RAM-like flags (kpagecount 0): never silent MMIO
gen p2p --no-bar
run --root "$P/root" -j check --pid 4242 --gpa-map "$P/gpa-map.json"
expect_rc 2 "ramd over RAM, no BAR: CRITICAL"
expect_findings "stale 0000:00:02.0 BAR 0 mmaps[0] 0xfe000000 256 0xfea00 unknown rw false" "ramd over RAM, no BAR: stale"
run --root "$P/root" -j check --pid 4242
expect_rc 2 "inferred, RAM mapped by nobody outside the map, no BAR: CRITICAL"
expect_findings "orphaned_pin - 0xfe000000 256 0xfea00 unknown rw false" "inferred, no BAR: orphaned pin"
finish
