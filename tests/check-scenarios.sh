#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check on generated VMs: the pc.bios zero-page case, a stale page, an orphaned pin,
# a clean VM, and PFNs hidden from an unprivileged reader.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

chk() { local s=$1; shift; run --root "$TMP/$s/root" -j check --pid 4242 --gpa-map "$TMP/$s/gpa-map.json" "$@"; }

gen pcbios
chk pcbios
expect_rc 2 "pcbios: critical"
expect_findings "zero_page_consistent pc.rom 0xc0000 32 0x493ad 0x493ad r- false
zero_page isa-bios 0xe0000 32 0x493ad 0x4286 r- false
zero_page pc.bios 0xfffc0000 64 0x493ad 0x4266 r- false" "pcbios: zero_page over pc.bios and its isa-bios alias, pc.rom consistent"
expect_jq '.status' critical "pcbios: status"
expect_jq '[.summary.devices_found, .summary.pages_checked, .summary.findings, .summary.by_kind.zero_page.findings, .summary.by_kind.zero_page_consistent.findings, .summary.by_kind.stale.findings] | map(tostring) | join(" ")' \
	"1 16448 3 2 1 0" "pcbios: summary counts"
expect_jq '[.summary.finding_pages, .summary.by_kind.zero_page.pages, .summary.by_kind.zero_page_consistent.pages, .summary.by_kind.stale.pages, .summary.transient_findings] | map(tostring) | join(" ")' \
	"128 96 32 0 0" "pcbios: pages apart from findings (2 zero_page findings are 96 pages)"
expect_jq '.findings[2] | [.size, .hva, .severity, .bdf, (.pid|tostring)] | join(" ")' \
	"0x40000 0x7f170e400000 critical 0000:00:02.0 4242" "pcbios: pc.bios finding fields"
expect_jq '.processes[0] | [(.pid|tostring), .name, .gpa_map, .devices[0].bdf, (.devices[0].group|tostring), .devices[0].vendor, .devices[0].mode, (.devices[0].levels|tostring), .devices[0].source, (.devices[0].pages_checked|tostring)] | join(" ")' \
	"4242 vm1 file 0000:00:02.0 2 intel legacy 3 debugfs 16448" "pcbios: process and device context"

# QEMU in a chroot or another mount namespace: the fd link reads /q/dev/vfio/2
gen clean --pid 4343
for fd in "$TMP/clean/root/proc/4343/fd/"*; do
	t=$(readlink "$fd"); case $t in /dev/vfio/*) ln -sfn "/q$t" "$fd";; esac
done
run --root "$TMP/clean/root" -j check --pid 4343 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "fd link /q/dev/vfio/2 (chroot): device found, OK"
expect_jq '.processes[0].devices[0].bdf' 0000:00:02.0 "chroot: the group's device"

# only the devices asked for
# (issue 12.4: a --device that selects nothing is UNKNOWN naming it, no longer OK)
chk pcbios --device 0000:00:03.0
expect_rc 3 "pcbios --device of another device: nothing checked, UNKNOWN"
expect_jq '.summary.devices_found' 0 "pcbios --device filter"
expect_jq '.summary.not_checked | join("|")' "--device 0000:00:03.0: held by no process given with --pid" \
	"pcbios --device of another device: named"

gen stale
chk stale
expect_rc 2 "stale: critical"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false" "stale: one stale page"

gen orphan
chk orphan
expect_rc 2 "orphan: critical"
expect_findings "orphaned_pin - 0x80000000 1 0x3e0000 unknown rw false" "orphan: orphaned pin outside the GPA map"

gen clean
chk clean
expect_rc 0 "clean: OK"
expect_findings "" "clean: no findings"
expect_jq '.status + " " + (.summary.pages_checked|tostring)' "ok 16448" "clean: status and pages"

gen unpriv
chk unpriv
expect_rc 3 "unpriv: UNKNOWN, never OK"
expect_jq '.processes[0].devices[0].checked' false "unpriv: device not checked"
expect_jq '.processes[0].devices[0].reason | test("PFNs read as 0")' true "unpriv: reason names the zeroed PFNs"
expect_findings "" "unpriv: no findings from zeroed PFNs"

finish
