#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-procs.sh - issue 12 items 1-4 on --root trees: what could not be
# inspected is UNKNOWN with its reason, one process's failure never hides
# another's CRITICAL, vanished processes are ignored, selection errors and
# --min-devices, and the aggregation CRITICAL > UNKNOWN > WARNING > OK.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

gen stale
S="$TMP/stale/root"
gen clean
C="$TMP/clean/root"
NOTES='.summary.not_checked | join("|")'

# --- 12.2 --pid A --pid B with B gone: A's CRITICAL is still reported
run --root "$S" -j check --pid 4242 --pid 999
expect_rc 2 "--pid 4242 --pid 999 (gone): A's CRITICAL"
expect_findings "stale inferred@0x7f16f7f00000 0x150000 1 0x1c9b50 0x2a0150 rw false" "--pid A --pid B: A's stale page"
expect_jq '[.processes[] | "\(.pid) \(.checked) \(.reason)"] | join("|")' \
	"999 false no such process ($S/proc/999)|4242 true null" "--pid A --pid B: B not checked, with its reason"
expect_jq "$NOTES" "pid 999: no such process ($S/proc/999)" "--pid A --pid B: summary names B"
run --root "$S" check --pid 4242 --pid 999 --nagios
expect_rc 2 "--pid A --pid B --nagios: CRITICAL"
expect_out_re() { if grep -Eq -- "$1" "$TMP/out"; then ok "$2"; else fail "$2: stdout does not match /$1/"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi; }
expect_out_re "^IOMMU CRITICAL - 1 stale \(not checked: pid 999: no such process \(.*/proc/999\)\) \|" \
	"--nagios: CRITICAL names what was not checked"
run --root "$S" check --pid 4242 --pid 999
expect_out_re "^summary: critical - 1 devices, 16448 pages checked, 1 findings, 1 stale; NOT CHECKED: pid 999: no such process" \
	"text: the summary line names what was not checked"
expect_out_re "^pid 999 \(\): NOT CHECKED: no such process" "text: the process line"

# --- 12.4 duplicates removed
run --root "$C" -j check --pid 4242 --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "duplicate --pid: OK"
expect_jq '[(.processes | length), .summary.devices_found, .summary.pages_checked] | map(tostring) | join(" ")' "1 1 16448" \
	"duplicate --pid: one process, one device, pages once"
run --root "$C" -j check --pid 4242 --device 00:02.0 --device 0000:00:02.0 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "duplicate --device: OK"
expect_jq '.summary.devices_found' 1 "duplicate --device: one device"

# --- 12.4 selection that selects nothing
run --root "$C" -j check --device 0000:00:05.0
expect_rc 3 "--all --device of no process: UNKNOWN"
expect_jq "$NOTES" "--device 0000:00:05.0: held by no process with a VFIO device open" "--device: named"
run --root "$C" check --device 0000:00:05.0 --nagios
expect_out_re "^IOMMU UNKNOWN - not checked: --device 0000:00:05.0: held by no process with a VFIO device open \|" \
	"--device --nagios: named"
run --root "$C" -j check --pid 1
expect_rc 3 "--pid without a VFIO device: UNKNOWN"
expect_jq '.processes[0] | "\(.pid) \(.checked) \(.reason | test("no VFIO device open"))"' "1 false true" "--pid 1: reason"

# --- 12.4 --min-devices
run --root "$C" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json" --min-devices 1
expect_rc 0 "--min-devices 1 with 1 device: OK"
run --root "$C" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json" --min-devices 2
expect_rc 3 "--min-devices 2 with 1 device: UNKNOWN"
expect_jq "$NOTES" "--min-devices 2: 1 VFIO device checked" "--min-devices: named"
run --root "$S" -j check --pid 4242 --min-devices 2
expect_rc 2 "--min-devices 2 and a stale page: CRITICAL over UNKNOWN"
mkdir -p "$TMP/novm/proc/1/fd"
cp "$C/proc/1/stat" "$TMP/novm/proc/1/"
run --root "$TMP/novm" check --nagios
expect_rc 0 "no VM running, no --min-devices: OK"
run --root "$TMP/novm" check --nagios --min-devices 1
expect_rc 3 "no VM running, --min-devices 1: UNKNOWN (a boot check can fail)"
expect_out_re "^IOMMU UNKNOWN - not checked: --min-devices 1: 0 VFIO devices checked \|" "--min-devices --nagios"
run --root "$C" check --min-devices x
expect_rc 3 "--min-devices x: usage error"
expect_err "min-devices" "--min-devices x: message"

# --- 12.2 a process that vanished between readdir and read (fds listed, no stat) is ignored
V="$TMP/vanish"
cp -a "$C" "$V"
mkdir -p "$V/proc/5000/fd"
ln -s /dev/vfio/2 "$V/proc/5000/fd/12"
run --root "$V" -j check
expect_rc 0 "--all with a process gone after its fds were read: ignored, OK"
expect_jq '[.processes[].pid] | map(tostring) | join(" ")' "4242" "vanished process not listed"
run --root "$V" -j check --pid 5000
expect_rc 3 "--pid of the vanished process: UNKNOWN"
expect_jq '.processes[0].reason | test("no such process")' true "--pid vanished: reason"

# --- 12.2 one process's device error never hides another's CRITICAL (--all)
B="$TMP/badgroup"
cp -a "$S" "$B"
mkdir -p "$B/proc/5001/fd"
cp "$S/proc/1/stat" "$B/proc/5001/stat"
ln -s /dev/vfio/9 "$B/proc/5001/fd/3"
run --root "$B" -j check
expect_rc 2 "--all: a process whose group cannot be listed, another with a stale page: CRITICAL"
expect_jq '[.processes[] | "\(.pid) \(.checked)"] | join(" ")' "4242 true 5001 false" "--all: both processes listed"
expect_jq '.processes[1].reason' "/dev/vfio/9: cannot list /sys/kernel/iommu_groups/9/devices" "--all: the failing process's reason"
expect_jq '.summary.by_kind.stale.findings' 1 "--all: the stale page is reported"
rm -rf "$B/proc/4242"
run --root "$B" check --nagios
expect_rc 3 "--all: only the failing process: UNKNOWN"
expect_out_re "^IOMMU UNKNOWN - not checked: pid 5001: /dev/vfio/9: cannot list" "--nagios names the failing process"

# --- 12.1 processes whose /proc/PID/fd cannot be read are counted, never skipped silently
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	U="$TMP/unreadable"
	cp -a "$C" "$U"
	chmod -R a+rX "$TMP"
	chmod 700 "$U/proc/1/fd"
	as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
	as_nobody "$IV" --root "$U" -j check >"$TMP/out" 2>"$TMP/err"; RC=$?
	expect_rc 3 "--root tree, pid 1's fd unreadable: UNKNOWN"
	expect_jq '[.summary.processes_not_inspected, .summary.devices_checked] | map(tostring) | join(" ")' "1 1" \
		"unreadable: counted, the readable VM still checked"
	expect_jq "$NOTES" "1 process not inspected ($U/proc/1/fd: Permission denied (run as root))" "unreadable: reason"
	as_nobody "$IV" --root "$U" check --nagios >"$TMP/out" 2>"$TMP/err"; RC=$?
	expect_out_re "^IOMMU UNKNOWN - not checked: 1 process not inspected \(.*Permission denied \(run as root\)\) \|" \
		"unreadable --nagios"
else
	echo "skip: unreadable /proc/PID/fd (needs root for setpriv)"
fi
finish
