#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-viommu.sh - issue 12.6: a guest with its own vIOMMU (IOVA is not GPA).
# Detected from the QEMU command line; with --qmp the emulated Intel unit's
# GSTS.TES (HMP xp /1wx 0xfed9001c) decides: off -> compared as usual; on or
# unknown -> the device's GPA comparison is UNKNOWN ("guest vIOMMU: IOVA is not
# GPA") while zero_page, orphaned_pin and stale (IOMMU PFN in none of the VM's
# RAM blocks) are still checked.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

serve() {   # serve DIR: fake-qmp.py on $TMP/qmp.sock (two sessions: the map and GSTS, GSTS again)
	rm -f "$TMP/qmp.sock" "$TMP/qmp.log"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$TMP/qmp.sock" "$1" --timeout 20 --log "$TMP/qmp.log" --clients 2 &
	QPID=$!
	for i in $(seq 100); do [ -S "$TMP/qmp.sock" ] && return 0; sleep 0.05; done
	fail "fake-qmp.py did not start"
}
qmp() {   # qmp SCENARIO-DIR [check options]: check --qmp against the scenario's replies
	local d=$1; shift
	serve "$TMP/$d/qmp"
	run --root "$TMP/$d/root" -j check --pid 4242 --qmp "$TMP/qmp.sock" "$@"
	kill $QPID 2>/dev/null   # it may still wait for a second client
	wait $QPID 2>/dev/null
}
VI="intel-iommu,caching-mode=on"
DEV0='.processes[0].devices[0]'

# --- clean VM with intel-iommu: --gpa-map alone cannot tell whether IOVA == GPA
gen clean --viommu "$VI"
mv "$TMP/clean" "$TMP/clean-vi"
run --root "$TMP/clean-vi/root" -j check --pid 4242 --gpa-map "$TMP/clean-vi/gpa-map.json"
expect_rc 3 "intel-iommu, --gpa-map alone: UNKNOWN"
expect_jq "$DEV0 | \"\\(.checked) \\(.reason | startswith(\"guest vIOMMU: IOVA is not GPA (-device intel-iommu on the QEMU command line; translation state unknown without --qmp)\"))\"" \
	"false true" "intel-iommu, --gpa-map: device not checked, vIOMMU reason"
expect_jq ".processes[0].viommu" "-device intel-iommu on the QEMU command line; translation state unknown without --qmp" \
	"intel-iommu: process viommu field"
expect_findings "" "intel-iommu, clean: no findings"
run --root "$TMP/clean-vi/root" check --pid 4242 --gpa-map "$TMP/clean-vi/gpa-map.json" --nagios
expect_rc 3 "intel-iommu --nagios: UNKNOWN"
if grep -q "^IOMMU UNKNOWN - not checked: pid 4242 0000:00:02.0: guest vIOMMU: IOVA is not GPA" "$TMP/out"; then
	ok "--nagios names the vIOMMU"; else fail "--nagios: $(cat "$TMP/out")"; fi
# inferred map: not inferred from guest IOVAs
run --root "$TMP/clean-vi/root" -j check --pid 4242
expect_rc 3 "intel-iommu, no map: UNKNOWN"
expect_jq ".processes[0].gpa_map + \" \" + ($DEV0.reason | test(\"stale not checked: no RAM block\") | tostring)" "none true" \
	"intel-iommu, no map: no inference, stale not checked"

# --- GSTS over QMP: translation off -> compared as usual (OK); on -> UNKNOWN
gen clean --viommu "$VI" --gsts 0
mv "$TMP/clean" "$TMP/tes0"
qmp tes0
expect_rc 0 "intel-iommu, GSTS.TES=0 over QMP: OK"
expect_jq ".processes[0].viommu" "-device intel-iommu on the QEMU command line; GSTS 0x00000000: translation off (TES=0), IOVA == GPA" \
	"TES=0: decided from GSTS"
expect_jq "$DEV0 | \"\\(.checked) \\(.pages_checked)\"" "true 16448" "TES=0: device checked"
if grep -q '"command-line": "xp /1wx 0xfed9001c"' "$TMP/qmp.log"; then ok "TES=0: GSTS read with xp"; else fail "xp not sent: $(cat "$TMP/qmp.log")"; fi
if grep -q gpa2hpa "$TMP/qmp.log"; then fail "gpa2hpa was sent"; else ok "gpa2hpa never sent"; fi
if [ "$(grep -c '"command-line": "xp /1wx 0xfed9001c"' "$TMP/qmp.log")" = 2 ]; then ok "TES=0: GSTS read again after the comparison"
else fail "TES=0: GSTS not read twice"; fi
# the guest turns translation on during the check: what was compared as IOVA == GPA is dropped
gen viommu --viommu "$VI" --gsts 0,0x80000000
mv "$TMP/viommu" "$TMP/turned"
qmp turned
expect_rc 3 "TES 0 then 1: UNKNOWN"
expect_findings "" "TES 0 then 1: the GPA comparison's findings dropped"
expect_jq '.processes[0].reason' "guest vIOMMU: the guest turned translation on during the check (IOVA is not GPA)" "TES 0 then 1: reason"
gen clean --viommu "$VI" --gsts 0x80000000
mv "$TMP/clean" "$TMP/tes1"
qmp tes1
expect_rc 3 "intel-iommu, GSTS.TES=1 over QMP: UNKNOWN"
expect_jq "$DEV0.reason | startswith(\"guest vIOMMU: IOVA is not GPA (-device intel-iommu on the QEMU command line; GSTS 0x80000000: translation on (TES=1)); checked without GPA: zero_page, orphaned_pin, stale\")" \
	true "TES=1: reason"
gen clean --viommu "$VI"
mv "$TMP/clean" "$TMP/noxp"
qmp noxp
expect_rc 3 "intel-iommu, GSTS not answered: UNKNOWN"
expect_jq "$DEV0.reason | test(\"GSTS not understood\")" true "GSTS not answered: reason"

# --- what needs no GPA still runs (translation on)
gen viommu --viommu "$VI" --gsts 0x80000000
qmp viommu
expect_rc 2 "vIOMMU IOVAs, TES=1: CRITICAL for the page in none of the VM's RAM blocks"
expect_findings "stale - 0xffffd000 1 0x3f0000 unknown rw false" \
	"TES=1: only the foreign page is stale (IOVA 0xffffe000 -> this VM's pc.ram page is no false alarm)"
expect_jq "$DEV0.checked" false "TES=1 with a finding: device still not checked (GPA)"
gen viommu --viommu "$VI" --gsts 0
mv "$TMP/viommu" "$TMP/viommu0"
qmp viommu0
expect_rc 2 "vIOMMU IOVAs, TES=0: compared by GPA"
expect_jq '[.findings[] | "\(.kind) \(.region) \(.iova) \(.pages)"] | join(" ")' "stale pc.bios 0xffffd000 2" "TES=0: both pages stale by GPA (pc.bios)"
gen stale --viommu "$VI"
run --root "$TMP/stale/root" -j check --pid 4242 --gpa-map "$TMP/stale/gpa-map.json"
expect_rc 2 "stale VM with a vIOMMU: the old page (kpagecount 0) is an orphaned pin"
expect_findings "orphaned_pin - 0x150000 1 0x1c9b50 unknown rw false" "vIOMMU: orphaned_pin without GPA"
gen pcbios --viommu "$VI"
run --root "$TMP/pcbios/root" -j check --pid 4242 --gpa-map "$TMP/pcbios/gpa-map.json"
expect_rc 2 "pc.bios zero pages with a vIOMMU: CRITICAL"
expect_findings "zero_page - 0xc0000 64 0x493ad unknown r- false
zero_page - 0xfffc0000 64 0x493ad unknown r- false" "vIOMMU: zero_page without GPA"

# --- detection over QMP without the command line: info mtree -f shows the emulated Intel IOMMU
gen clean --mtree-vtd on --gsts 0x80000000
mv "$TMP/clean" "$TMP/mtree-on"
qmp mtree-on
expect_rc 3 "no -device on the command line, vtd-03.0-dmar in info mtree -f, TES=1: UNKNOWN"
expect_jq ".processes[0].viommu" "devices behind an emulated Intel IOMMU in info mtree -f (vtd-03.0-dmar translated); GSTS 0x80000000: translation on (TES=1)" \
	"mtree: detected and decided"
gen clean --mtree-vtd off --gsts 0
mv "$TMP/clean" "$TMP/mtree-off"
qmp mtree-off
expect_rc 0 "vtd-root AS rendered from RAM, TES=0: OK"
expect_jq ".processes[0].viommu | test(\"^devices behind an emulated Intel IOMMU in info mtree -f; GSTS 0x00000000: translation off\")" true \
	"mtree off: detected, translation off"
gen clean --gsts 0
mv "$TMP/clean" "$TMP/novi"
qmp novi
expect_rc 0 "no vIOMMU anywhere, --qmp: OK"
expect_jq ".processes[0].viommu" null "no vIOMMU: none detected over QMP"
if grep -q '"command-line": "xp' "$TMP/qmp.log"; then fail "xp sent without a vIOMMU"; else ok "no vIOMMU: no xp sent"; fi

# --- detection: the other models and spellings; a property named iommu is none
for dev in virtio-iommu-pci "driver=virtio-iommu-device,id=v0" '{"driver":"amd-iommu","id":"x"}'; do
	rm -rf "$TMP/clean"
	gen clean --viommu "$dev" --gsts 0
	qmp clean
	expect_rc 3 "$dev over QMP: UNKNOWN (no GSTS for this model)"
	expect_jq "$DEV0.reason | test(\"guest vIOMMU: IOVA is not GPA .*cannot be read\")" true "$dev: reason"
done
rm -rf "$TMP/clean"
gen clean --viommu "virtio-net-pci,iommu_platform=on,id=intel-iommu"
run --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "virtio-net-pci,iommu_platform=on: no vIOMMU, OK"
expect_jq ".processes[0].viommu" null "no vIOMMU: viommu null"
finish
