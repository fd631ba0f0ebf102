#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-vguest.sh - issue 16.5: a guest whose own emulated VT-d translates.
# gen-root.py gvtd: the guest's legacy root/context/second-level tables (or
# scalable-mode ones: PGTT 2 second level, PGTT 1 first level) in guest RAM
# (GPA 0x300000...), reached through the GPA map (QMP), the QEMU process's
# pagemap and root/proc/kcore (tests/gen-elf); fake-qmp.py answers
# GSTS (xp /1wx 0xfed9001c), RTADDR (xp /1gx 0xfed90020) and info pci. The
# host IOMMU maps each guest IOVA to the host page of the GPA the guest's
# tables translate it to: compared there, not at IOVA == GPA.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
HAVE_SHIM=false   # the fault shim (one re-read case); without it the rest still runs
if [ -f "$top_builddir/tests/fault/faultinj.so" ]; then . "$top_srcdir/tests/fault/fault-lib.sh"; HAVE_SHIM=true; fi
GENELF="$top_builddir/tests/gen-elf"
VI="intel-iommu,caching-mode=on"
IDS=",id=hostdev0,addr=0x3"
DEV0='.processes[0].devices[0]'
HOW="-device intel-iommu on the QEMU command line; GSTS 0xc0000000: translation on (TES=1); RTADDR 0x300000"
NOGPA="guest vIOMMU: IOVA is not GPA ($HOW); checked without GPA: zero_page, orphaned_pin, stale (IOMMU PFN in none of the VM's RAM blocks); the guest's tables not walked: "

gvtd() {   # gvtd NAME [gen-root options]: $TMP/NAME, a gvtd tree with its kcore
	local n=$1; shift
	"$PYTHON" "$top_srcdir/tests/gen-root.py" gvtd "$TMP/$n" --viommu "$VI" "$@" >/dev/null || { fail "gen-root.py gvtd $n failed"; finish; }
	"$GENELF" "$TMP/$n/root/proc/kcore" <"$TMP/$n/kcore.txt" || { fail "gen-elf $n failed"; finish; }
}
qmp() {   # qmp NAME [tool options before check]: check --qmp against NAME's replies (two sessions)
	local d=$1; shift
	rm -f "$TMP/qmp.sock" "$TMP/qmp.log"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$TMP/qmp.sock" "$TMP/$d/qmp" --timeout 20 --log "$TMP/qmp.log" --clients 2 &
	QPID=$!
	for i in $(seq 100); do [ -S "$TMP/qmp.sock" ] && break; sleep 0.05; done
	[ -S "$TMP/qmp.sock" ] || fail "fake-qmp.py did not start"
	if [ -n "${SHIMENV:-}" ]; then
		# shellcheck disable=SC2086
		frun $SHIMENV -- --root "$TMP/$d/root" "$@" check --pid 4242 --qmp "$TMP/qmp.sock"
	else
		run --root "$TMP/$d/root" "$@" check --pid 4242 --qmp "$TMP/qmp.sock"
	fi
	kill $QPID 2>/dev/null
	wait $QPID 2>/dev/null
}
sent() { grep -c "\"command-line\": \"$1\"" "$TMP/qmp.log"; }
expect_sent() {   # expect_sent COMMAND COUNT DESC
	local n; n=$(sent "$1")
	if [ "$n" = "$2" ]; then ok "$3"; else fail "$3: '$1' sent $n times, expected $2"; sed 's/^/  qmp: /' "$TMP/qmp.log" >&2; fi
}
no_writes() {   # only info, gpa2hva and xp reads were sent; never gpa2hpa
	if grep -v '"execute": "qmp_capabilities"' "$TMP/qmp.log" | grep -qv '"command-line": "\(info \|gpa2hva \|xp /1[wg]x \)'; then
		fail "$1: a command other than info/gpa2hva/xp was sent"; sed 's/^/  qmp: /' "$TMP/qmp.log" >&2
	else ok "$1: only info, gpa2hva and xp reads sent"; fi
}

# --- clean: every IOVA compared with the CPU page of the GPA the guest maps it to
gvtd clean --vfio-opts "$IDS"
qmp clean -j
expect_rc 0 "guest VT-d translating, clean: OK"
expect_jq ".processes[0].viommu" "$HOW" "clean: the guest's translation and root table"
expect_jq "$DEV0 | [.checked, .guest_bdf, .guest_table, .pages_checked, .unverified_pages] | map(tostring) | join(\" \")" \
	"true 0000:00:03.0 legacy 3-level 533 0" "clean: guest 00:03.0 (info pci id hostdev0), legacy 3-level, 533 pages (16+4+1+512) compared"
expect_findings "" "clean: no findings"
expect_sent "xp /1wx 0xfed9001c" 2 "clean: GSTS read before and after"
expect_sent "xp /1gx 0xfed90020" 2 "clean: RTADDR read before and after"
expect_sent "info pci" 1 "clean: info pci read once"
no_writes "clean"
qmp clean --source debugfs -j
expect_rc 0 "clean, host tables from debugfs: OK"
expect_jq "$DEV0 | [.source, .guest_table, .pages_checked] | map(tostring) | join(\" \")" "debugfs legacy 3-level 533" \
	"clean, debugfs: the same pages"

# --- one planted stale page: IOVA 0xffff3000 -> GPA 0x203000 (guest) -> host PFN 0x1c9c03 (IOMMU) != 0x2a0203 (CPU)
gvtd stale --vfio-opts "$IDS" --guest-plant stale
qmp stale -j
expect_rc 2 "planted stale page behind the guest's vIOMMU: CRITICAL"
expect_findings "stale pc.ram 0xffff3000 1 0x1c9c03 0x2a0203 rw false" "stale: exactly the planted page, re-read and still stale"
expect_jq '.findings[0] | "\(.gpa) \(.hva)"' "0x203000 0x7f16f8003000" "stale: IOVA 0xffff3000 -> GPA 0x203000 -> HVA"
cp "$TMP/out" "$TMP/doc-stale.json"
qmp stale
if grep -q "CRITICAL stale pid 4242 0000:00:02.0 pc.ram iova 0xffff3000-0xffff3fff gpa 0x203000 (1 page)" "$TMP/out"; then
	ok "stale: text names the GPA"; else fail "stale text: $(cat "$TMP/out")"; fi
if grep -q "guest 0000:00:03.0 (legacy 3-level): 533 pages checked" "$TMP/out"; then
	ok "stale: text names the guest BDF and table"; else fail "stale text: $(cat "$TMP/out")"; fi

# --- scalable mode (RTADDR bit 10): context -> PASID directory -> PASID 0 (PGTT 2) -> the same tables
gvtd sm --vfio-opts "$IDS" --guest-mode scalable --guest-plant stale
qmp sm -j
expect_rc 2 "scalable-mode guest tables, planted stale page: CRITICAL"
expect_jq "$DEV0 | [.guest_table, .pages_checked] | map(tostring) | join(\" \")" "scalable 3-level 533" "scalable: walked"
expect_findings "stale pc.ram 0xffff3000 1 0x1c9c03 0x2a0203 rw false" "scalable: the planted page"

# --- scalable mode, first level (PASID entry PGTT 1, FLPM 0): x86-64 tables, 4 levels, entries with
# U/S, A and (read-only leaves) XD set; the same planted page, the same read-only page
gvtd fl --vfio-opts "$IDS" --guest-mode scalable-fl --guest-plant stale
qmp fl -j
expect_rc 2 "first-level guest tables (PGTT 1), planted stale page: CRITICAL"
expect_jq "$DEV0 | [.guest_bdf, .guest_table, .pages_checked, .unverified_pages] | map(tostring) | join(\" \")" \
	"0000:00:03.0 scalable 4-level first-level 533 0" "first level: walked, 4-level, 533 pages"
expect_findings "stale pc.ram 0xffff3000 1 0x1c9c03 0x2a0203 rw false" "first level: exactly the planted page"
expect_jq '.findings[0] | "\(.gpa) \(.hva)"' "0x203000 0x7f16f8003000" "first level: IOVA 0xffff3000 -> GPA 0x203000"
gvtd flperm --vfio-opts "$IDS" --guest-mode scalable-fl --guest-plant perm
qmp flperm -j
expect_rc 1 "first level: host writable where the guest's entry has R/W clear (XD set): WARNING"
expect_findings "permission pc.ram 0xfffa0000 1 0x1c9c10 0x1c9c10 rw false" "first level: permission at IOVA 0xfffa0000"
gvtd flclean --vfio-opts "$IDS" --guest-mode scalable-fl
qmp flclean -j
expect_rc 0 "first level, clean: OK"
expect_findings "" "first level, clean: no findings"

# a scalable context entry with RID_PASID 5: QEMU 7.2 would translate through PASID 5, later QEMU
# through PASID 0 (which the fixture's tables are): not walked, UNKNOWN, never a guess
gvtd rid --vfio-opts "$IDS" --guest-mode scalable --guest-rid-pasid 5 --guest-plant stale
qmp rid -j
expect_rc 2 "RID_PASID 5: the planted page still CRITICAL (checked without GPA)"
expect_findings "stale - 0xffff3000 1 0x1c9c03 unknown rw false" "RID_PASID 5: found by the RAM-block PFN set"
expect_jq "$DEV0.reason" "$(echo "$NOGPA" | sed 's/RTADDR 0x300000/RTADDR 0x300400/')guest 0000:00:03.0: guest memory of pid 4242: the scalable context entry of 0000:00:03.0 has RID_PASID 5, not 0: QEMU 7.2 translates the device's DMA through PASID 5, releases following VT-d 4.0 through PASID 0 (the tables walked would be a guess)" \
	"RID_PASID 5: the reason names it"
expect_jq "$DEV0 | [.checked, .guest_table] | map(tostring) | join(\" \")" "false null" "RID_PASID 5: not checked, no guest table"

# --- the host maps an IOVA the guest's tables do not: unbacked (no GPA)
gvtd unmapped --vfio-opts "$IDS" --guest-plant unmapped
qmp unmapped -j
expect_rc 1 "host maps an IOVA the guest does not: WARNING"
expect_findings "unbacked - 0xfffd0000 1 0x1c9a50 unknown rw false" "unmapped: unbacked at IOVA 0xfffd0000"
expect_jq '.findings[0].gpa' null "unmapped: no GPA"
cp "$TMP/out" "$TMP/doc-unmapped.json"

# the guest is changing its tables: the re-read (which reads them again) finds the IOVA mapped
# to the page the host maps: transient (the image swapped at its second open, by the fault shim)
if $HAVE_SHIM; then
	gvtd mapping --vfio-opts "$IDS" --guest-plant mapping
	SHIMENV="FAULT_PATH=proc/kcore FAULT_SWAP=$TMP/mapping/root/proc/kcore" qmp unmapped --source debugfs -j
	expect_fault_hit "guest tables changed before the re-read"
	expect_rc 0 "guest maps the IOVA by the re-read: OK"
	expect_findings "unbacked - 0xfffd0000 1 0x1c9a50 unknown rw true" "the finding is transient"
	expect_jq '.summary.transient_findings' 1 "one transient"
else
	echo "NOTE: tests/fault/faultinj.so not built: the re-read case is not run"
fi

# --- the guest maps GPA 0x210000 read-only, the host IOMMU writable
gvtd perm --vfio-opts "$IDS" --guest-plant perm
qmp perm -j
expect_rc 1 "host writable where the guest maps read-only: WARNING"
expect_findings "permission pc.ram 0xfffa0000 1 0x1c9c10 0x1c9c10 rw false" "perm: permission at IOVA 0xfffa0000 (GPA 0x210000)"

# --- TES=0 (RTPS set): IOVA == GPA, the guest's tables are not read
gvtd tes0 --vfio-opts "$IDS" --gsts 0x40000000
qmp tes0 -j
expect_rc 2 "TES=0: compared as IOVA == GPA"
expect_jq ".processes[0].viommu" "-device intel-iommu on the QEMU command line; GSTS 0x40000000: translation off (TES=0), IOVA == GPA" "TES=0: viommu"
expect_findings "unbacked - 0xfffa0000 1 0x1c9c10 unknown r- false
stale pc.bios 0xfffe0000 4 0x4266 0x4286 r- false
stale pc.bios 0xffff0000 16 0x1c9c00 0x4296 rw false" "TES=0: the guest IOVAs compared as GPAs (identity)"
expect_jq "$DEV0.guest_bdf" null "TES=0: no guest BDF"
expect_sent "xp /1gx 0xfed90020" 0 "TES=0: RTADDR not read"

# --- the guest's BDF: from addr= alone (root bus, no info pci); unknown without id= and addr=
gvtd addr --vfio-opts ",addr=0x3"
qmp addr -j
expect_rc 0 "addr= only: OK"
expect_jq "$DEV0.guest_bdf" "0000:00:03.0" "addr= only: guest 00:03.0"
expect_sent "info pci" 0 "addr= only: info pci not needed"
# JSON -device (libvirt's form), addr as an integer devfn (24 = 00:03.0)
gvtd json
printf '%s\0' /usr/bin/qemu-system-x86_64 -name guest=vm1 -machine q35,accel=kvm -m 64 \
	-device '{"driver":"intel-iommu","caching-mode":true}' \
	-device '{"driver":"vfio-pci","host":"0000:00:02.0","bus":"pcie.0","addr":24}' >"$TMP/json/root/proc/4242/cmdline"
qmp json -j
expect_rc 0 "JSON -device vfio-pci with an integer addr: OK"
expect_jq "$DEV0 | [.guest_bdf, .guest_table] | join(\" \")" "0000:00:03.0 legacy 3-level" "JSON -device: guest 00:03.0"
gvtd jsonid
printf '%s\0' /usr/bin/qemu-system-x86_64 -device intel-iommu,caching-mode=on \
	-device '{"driver":"vfio-pci","sysfsdev":"/sys/bus/pci/devices/0000:00:02.0","id":"hostdev0","bus":"pci.1"}' \
	>"$TMP/jsonid/root/proc/4242/cmdline"
qmp jsonid -j
expect_rc 0 "JSON -device with sysfsdev= and id= behind a bridge: OK (info pci names it)"
expect_sent "info pci" 1 "JSON id=: info pci read"
# a malformed info pci: FILE:LINE, and the device is UNKNOWN
gvtd badpci --vfio-opts "$IDS"
sed -i 's/device   3, function 0:/device  99, function 0:/' "$TMP/badpci/qmp/info-pci.txt"
qmp badpci -j
expect_rc 3 "malformed info pci: UNKNOWN"
expect_jq '.errors[0]' "info pci:5: not a device line: '  Bus  0, device  99, function 0:'" "malformed info pci: line named"
expect_jq "$DEV0.reason | endswith(\"info pci lists no device with id \\\"hostdev0\\\"\")" true "malformed info pci: reason"
# a function number past 32 bits (sscanf wrapped 4294967296 to 0: the device was taken for 00:03.0; tests/fuzz/regress/pci)
gvtd wrappci --vfio-opts "$IDS"
sed -i 's/device   3, function 0:/device   3, function 4294967296:/' "$TMP/wrappci/qmp/info-pci.txt"
qmp wrappci -j
expect_rc 3 "info pci function 4294967296: UNKNOWN"
expect_jq '.errors[0]' "info pci:5: not a device line: '  Bus  0, device   3, function 4294967296:'" "function 4294967296: line named"
gvtd nobdf
qmp nobdf -j
expect_rc 3 "no id= and no addr=: UNKNOWN"
expect_jq "$DEV0.reason" "${NOGPA}the guest BDF of 0000:00:02.0 is unknown: -device vfio-pci has neither id= nor addr=" "no BDF: reason"
gvtd bridge --vfio-opts ",bus=rp1,addr=0x0"
qmp bridge -j
expect_rc 3 "behind a bridge without id=: UNKNOWN"
expect_jq "$DEV0.reason | endswith(\"the guest BDF of 0000:00:02.0 is unknown: -device vfio-pci is behind a bridge and has no id= (info pci cannot name it)\")" \
	true "bridge: reason"
gvtd noid --vfio-opts ",id=other"
qmp noid -j
expect_rc 3 "id= that info pci does not list: UNKNOWN"
expect_jq "$DEV0.reason | endswith(\"info pci lists no device with id \\\"other\\\"\")" true "unknown id: reason"

# --- unreadable or malformed guest tables: UNKNOWN with the reason, never OK
gvtd tt3 --vfio-opts "$IDS" --guest-bad tt3
qmp tt3 -j
expect_rc 3 "guest context entry with TT 3: UNKNOWN"
expect_jq "$DEV0.reason" "${NOGPA}guest 0000:00:03.0: guest memory of pid 4242: context entry 0x0000000000000501:0x000000000030200d at 0x301180: reserved TT 3" \
	"tt3: reason names the entry and its GPA"
expect_jq "$DEV0.pages_checked" 533 "tt3: still checked without GPA"
cp "$TMP/out" "$TMP/doc-tt3.json"
gvtd ps --vfio-opts "$IDS" --guest-bad ps
qmp ps -j
expect_rc 3 "guest level-1 entry with PS: UNKNOWN"
expect_jq "$DEV0.reason" "${NOGPA}guest 0000:00:03.0: guest memory of pid 4242 (addresses are GPAs): second-level entry 0x0000000000205083 at physical 0x304fa8 (level 1): level-1 entry with the superpage bit 7" \
	"ps: reason names the entry"
gvtd absent --vfio-opts "$IDS" --guest-bad absent
qmp absent -j
expect_rc 3 "guest root table not resident: UNKNOWN"
expect_jq "$DEV0.reason" "${NOGPA}guest 0000:00:03.0: guest memory of pid 4242: guest table page at GPA 0x300000 (HVA 0x7f16f8100000) is not resident (pagemap: not present)" \
	"absent: reason names the GPA"
# unreadable guest tables do not hide the stale page: its old PFN is in none of the VM's RAM blocks
gvtd absstale --vfio-opts "$IDS" --guest-bad absent --guest-plant stale
qmp absstale -j
expect_rc 2 "unreadable guest tables, stale page: still CRITICAL (checked without GPA)"
expect_findings "stale - 0xffff3000 1 0x1c9c03 unknown rw false" "absstale: found by the RAM-block PFN set"
expect_jq "$DEV0.checked" false "absstale: the device is not checked by GPA"
gvtd ttm --vfio-opts "$IDS" --rtaddr 0x300800
qmp ttm -j
expect_rc 3 "RTADDR bit 11 (TTM 1x): UNKNOWN"
expect_jq "$DEV0.reason | endswith(\"the guest's tables not walked: RTADDR's translation table mode is not legacy or scalable (bit 11 set)\")" \
	true "TTM: reason"
gvtd nortps --vfio-opts "$IDS" --gsts 0x80000000
qmp nortps -j
expect_rc 3 "TES=1 without RTPS: UNKNOWN"
expect_jq "$DEV0.reason | endswith(\"the guest's tables not walked: GSTS.RTPS is clear: no root table is set\")" true "no RTPS: reason"

# --- the guest changes its root table during the check: what was compared is dropped
gvtd moved --vfio-opts "$IDS" --guest-plant stale --rtaddr 0x300000,0x400000
qmp moved -j
expect_rc 3 "RTADDR changed during the check: UNKNOWN"
expect_jq '.processes[0].reason' "guest vIOMMU: the guest changed its translation (GSTS.TES or RTADDR) during the check" "moved: reason"
expect_findings "" "moved: the comparison's findings dropped"
gvtd off --vfio-opts "$IDS" --gsts 0xc0000000,0x40000000
qmp off -j
expect_rc 3 "translation turned off during the check: UNKNOWN"
expect_jq '.processes[0].reason' "guest vIOMMU: the guest changed its translation (GSTS.TES or RTADDR) during the check" "off: reason"
# the documents validate against the schema, strictly (guest_bdf, guest_table, gpa are in it)
PY=
for p in /usr/bin/python3 "$PYTHON"; do
	"$p" -c 'import jsonschema; jsonschema.Draft202012Validator.FORMAT_CHECKER' >/dev/null 2>&1 && { PY=$p; break; }
done
if [ -n "$PY" ]; then
	if "$PY" "$top_srcdir/tests/json-validate.py" --strict "$top_srcdir/schema/iommu-verify.schema.json" \
		"$TMP"/doc-*.json >"$TMP/valid" 2>&1; then ok "schema: translated, unmapped and unwalked documents valid"
	else fail "schema: $(cat "$TMP/valid")"; fi
else
	echo "NOTE: no python3 with jsonschema: the documents are not validated here"
fi
finish
