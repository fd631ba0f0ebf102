#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-iommufd.sh - a QEMU with the iommufd backend (-object iommufd, -device vfio-pci,iommufd=):
# it holds /dev/iommu and the device cdev /dev/vfio/devices/vfio0, no group and no container
# (gen-root.py --iommufd). It is found as the holder of the cdev's device (sysfs
# /sys/class/vfio-dev/vfio0/device, else the device's vfio-dev/ directory), checked like a type1
# VM (a stale page found at its exact IOVA), selected by --device; /dev/iommu alone holds no
# device. iommufd charges its pins to pinned_vm (VmPin), not locked_vm: the debugfs size gate
# reads VmPin (64 GiB pinned: the dump is not opened; 64 MiB: read).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
TH="$top_builddir/tests/test-host"
DEV=0000:00:02.0
th() { "$TH" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }
out_is() { printf '%s\n' "$1" >"$TMP/exp"; expect_out "$TMP/exp" "$2"; }
DEVJQ='.processes[0].devices[0] | [(.checked|tostring), .source, (.pages_checked|tostring)] | join(" ")'

gen stale --iommufd --vmlck 0 --vmpin 65280
S="$TMP/stale"
if [ "$(readlink "$S/root/proc/4242/fd/11") $(readlink "$S/root/proc/4242/fd/12")" = "/dev/iommu /dev/vfio/devices/vfio0" ] &&
   ! ls -l "$S/root/proc/4242/fd" | grep -q -- '-> /dev/vfio/[0-9v]'; then
	ok "tree: /dev/iommu + the cdev, no group, no container"
else fail "tree: fds $(ls -l "$S/root/proc/4242/fd")"; fi

th procs "$S/root"
expect_rc 0 "scan: iommufd holder"
out_is "4242 vm1 1234567 $DEV(2)" "scan: pid 4242 holds $DEV (group 2) through the cdev"

run --root "$S/root" -j check --pid 4242 --gpa-map "$S/gpa-map.json"
expect_rc 2 "iommufd VM, stale page: CRITICAL"
expect_findings "stale pc.ram 0x150000 1 0x1c9b50 0x2a0150 rw false" "iommufd VM: the stale page at IOVA 0x150000, PFNs exact"
expect_jq "$DEVJQ" "true debugfs 16448" "iommufd VM: every page checked"

run --root "$S/root" -j check --device $DEV
expect_rc 2 "--device $DEV: CRITICAL"
expect_jq '[.processes[].pid] | map(tostring) | join(" ")' "4242" "--device: the iommufd holder is selected"
expect_jq '.findings | map(.iova) | join(" ")' "0x150000" "--device: the stale page"

gen clean --iommufd --vmlck 0 --vmpin 65280
run --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "iommufd VM, clean: OK"
expect_jq "$DEVJQ" "true debugfs 16448" "iommufd VM, clean: every page checked"

# no /sys/class/vfio-dev link: the device's own vfio-dev/vfio0 directory names it
rm "$TMP/clean/root/sys/class/vfio-dev/vfio0/device"
th procs "$TMP/clean/root" 4242
expect_rc 0 "cdev without its class link"
out_is "4242 vm1 1234567 $DEV(2)" "cdev without its class link: found through the device's vfio-dev/"
run --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 0 "cdev without its class link: check OK"
expect_jq "$DEVJQ" "true debugfs 16448" "cdev without its class link: the size gate finds the holder too (dump read)"
rm -r "$TMP/clean/root/sys/bus/pci/devices/$DEV/vfio-dev"
th procs "$TMP/clean/root" 4242
expect_rc 3 "cdev with no device in sysfs"
expect_err "pid 4242: /dev/vfio/devices/vfio0: no PCI device found for it in /sys/class/vfio-dev" "cdev with no device: message"

# /dev/iommu alone (the device cdev closed): no device held
gen clean --iommufd --vmlck 0 --vmpin 0; mv "$TMP/clean" "$TMP/ioas"
rm "$TMP/ioas/root/proc/4242/fd/12"
th procs "$TMP/ioas/root"
expect_rc 0 "scan: /dev/iommu alone"
if [ -s "$TMP/out" ]; then fail "scan: /dev/iommu alone: $(cat "$TMP/out")"; else ok "scan: a process holding only /dev/iommu holds no device"; fi
th procs "$TMP/ioas/root" 4242
expect_rc 3 "--pid of a /dev/iommu-only process"
expect_err "pid 4242: no VFIO device open" "/dev/iommu only: message"

# size gate: iommufd pins in VmPin (VmLck 0)
NOOPEN="FAULT_PATH=domain_translation_struct FAULT_OP=open FAULT_ERRNO=EACCES"
gen clean --iommufd --vmlck 0 --vmpin 67108864; mv "$TMP/clean" "$TMP/big"
frun $NOOPEN -- --root "$TMP/big/root" -j check --pid 4242 --gpa-map "$TMP/big/gpa-map.json"
expect_rc 3 "iommufd, VmPin 64 GiB: UNKNOWN"
if [ -s "$TMP/fault.log" ]; then fail "iommufd, VmPin 64 GiB: a debugfs page-table file was opened"
else ok "iommufd, VmPin 64 GiB: the dump is not opened"; fi
expect_jq '.processes[0].devices[0].reason | sub(".*debugfs: "; "")' \
	"the debugfs dump of ~64 GiB of mappings (pinned memory of pid 4242) would cost the kernel more than its 1 GiB seq_file limit under iommu->lock (the read fails); use the memory walk or --source debugfs" \
	"iommufd, VmPin 64 GiB: the reason names the holder's pinned memory"
gen clean --iommufd --vmlck 0 --vmpin 16777216; mv "$TMP/clean" "$TMP/g16"
frun $NOOPEN -- --root "$TMP/g16/root" -j check --pid 4242 --gpa-map "$TMP/g16/gpa-map.json"
expect_rc 3 "iommufd, VmPin 16 GiB: UNKNOWN"
expect_jq '.processes[0].devices[0].reason | sub(".*debugfs: "; "")' \
	"the debugfs dump of ~16 GiB of mappings (pinned memory of pid 4242) would cost the kernel ~512 MiB under iommu->lock (more than --debugfs-max-mib 64); use the memory walk or --source debugfs" \
	"iommufd, VmPin 16 GiB: the estimate is VmPin's"
finish
