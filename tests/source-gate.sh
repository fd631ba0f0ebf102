#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The size gate in front of the debugfs page-table dump (no /proc/kcore: the
# dump is the only source). The estimate comes from the owner's pinned memory
# (VmLck / VmPin in /proc/PID/status) and its huge pages (AnonHugePages in
# /proc/PID/smaps_rollup); a kernel buffer above --debugfs-max-mib (64) is
# skipped in auto, with the reason; --source debugfs reads it regardless.
# An LD_PRELOAD shim fails (and logs) every open of a page-table file, so a
# skipped dump is shown not to be opened at all. Also: an empty per-device
# file (6.18+, 6.12.53+) means pass-through, not a parse error.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
DEV=0000:00:02.0
NOOPEN="FAULT_PATH=domain_translation_struct FAULT_OP=open FAULT_ERRNO=EACCES"
no_dump_opened() {
	if [ -s "$TMP/fault.log" ]; then fail "$1: a debugfs page-table file was opened:"; sed 's/^/  /' "$TMP/fault.log" >&2
	else ok "$1: no debugfs page-table file opened"; fi
}
# chk NAME [tool options]: check of tree NAME with its map, under the shim
# (for a dump that must not be opened); rchk: the same without the shim
chk() {
	local n=$1; shift
	frun $NOOPEN -- --root "$TMP/$n/root" "$@" -j check --pid 4242 --gpa-map "$TMP/$n/gpa-map.json"
}
rchk() {
	local n=$1; shift
	run --root "$TMP/$n/root" "$@" -j check --pid 4242 --gpa-map "$TMP/$n/gpa-map.json"
}
DEVJQ='.processes[0].devices[0] | [(.checked|tostring), .source, (.pages_checked|tostring)] | join(" ")'

# the default tree: a 64 MiB guest (VmLck 65280 kB) -> read
gen clean
rchk clean
expect_rc 0 "64 MiB guest: OK"
expect_jq "$DEVJQ" "true debugfs 16448" "64 MiB guest: the dump is read"

# the owner pins 64 GiB in 4 KiB pages: ~16 M rows, more than the kernel's 1 GiB record
gen clean --vmlck 67108864
mv "$TMP/clean" "$TMP/big"
chk big
expect_rc 3 "64 GiB pinned: UNKNOWN"
no_dump_opened "64 GiB pinned"
expect_jq '.processes[0].devices[0].checked' false "64 GiB pinned: the device is not checked"
expect_jq '.processes[0].devices[0].reason' \
	"no page table can be read: memory: $TMP/big/root/proc/kcore: No such file or directory; debugfs: the debugfs dump of ~64 GiB of mappings (pinned memory of pid 4242) would cost the kernel more than its 1 GiB seq_file limit under iommu->lock (the read fails); use the memory walk or --source debugfs" \
	"64 GiB pinned: the reason"
expect_jq '.errors | length' 0 "64 GiB pinned: not an error"
rchk big --source debugfs
expect_rc 0 "64 GiB pinned, --source debugfs: read regardless, OK"
expect_jq "$DEVJQ" "true debugfs 16448" "64 GiB pinned, --source debugfs: every page checked"
frun $NOOPEN -- --root "$TMP/big/root" -j dump $DEV
expect_rc 3 "64 GiB pinned: dump in auto skips it too"
no_dump_opened "64 GiB pinned, dump"
run --root "$TMP/big/root" --source debugfs -j dump $DEV
expect_rc 0 "64 GiB pinned: dump --source debugfs"

# 16 GiB: a 512 MiB kernel buffer; within the bound when it is raised
gen clean --vmlck 16777216; mv "$TMP/clean" "$TMP/g16"
chk g16
expect_rc 3 "16 GiB pinned: UNKNOWN"
no_dump_opened "16 GiB pinned"
expect_jq '.processes[0].devices[0].reason | sub(".*debugfs: "; "")' \
	"the debugfs dump of ~16 GiB of mappings (pinned memory of pid 4242) would cost the kernel ~512 MiB under iommu->lock (more than --debugfs-max-mib 64); use the memory walk or --source debugfs" \
	"16 GiB pinned: the reason gives the kernel buffer and the bound"
rchk g16 --debugfs-max-mib 512
expect_rc 0 "16 GiB pinned, --debugfs-max-mib 512: read"

# 64 GiB, all of it in transparent huge pages: 32 K rows of 2 MiB, a 4 MiB buffer
gen clean --vmlck 67108864 --anon-huge 67108864; mv "$TMP/clean" "$TMP/thp"
rchk thp
expect_rc 0 "64 GiB in 2 MiB pages: read"
expect_jq "$DEVJQ" "true debugfs 16448" "64 GiB in 2 MiB pages: checked from the dump"

# iommufd charges pinned_vm (VmPin)
gen clean --vmlck 0 --vmpin 67108864; mv "$TMP/clean" "$TMP/pin"
chk pin
expect_rc 3 "VmPin 64 GiB (iommufd): UNKNOWN"
no_dump_opened "VmPin 64 GiB"

# a 128 MiB guest is still read by default, not with a 1 MiB bound (4 MiB buffer)
gen clean --vmlck 131072; mv "$TMP/clean" "$TMP/m128"
rchk m128
expect_rc 0 "128 MiB guest: read by default"
expect_jq "$DEVJQ" "true debugfs 16448" "128 MiB guest: checked from the dump"
chk m128 --debugfs-max-mib 1
expect_rc 3 "128 MiB guest, --debugfs-max-mib 1: skipped"
expect_jq '.processes[0].devices[0].reason | test("~128 MiB of mappings .* ~4 MiB under iommu->lock \\(more than --debugfs-max-mib 1\\)")' \
	true "128 MiB guest, bound 1 MiB: the reason"
for bad in 0 -1 abc 1025 ""; do
	run --root "$TMP/m128/root" --debugfs-max-mib "$bad" dump $DEV
	expect_rc 3 "--debugfs-max-mib '$bad': usage error"
	expect_err "debugfs-max-mib: '$bad' is not a number of MiB from 1 to 1024" "--debugfs-max-mib '$bad': message"
done

# no estimate (no /proc/PID/status, and no guest memory map to size it: the
# inferred map is sampled from the dump itself): check (on a timer) does not
# open the dump; dump does
gen clean --no-status; mv "$TMP/clean" "$TMP/nost"
frun $NOOPEN -- --root "$TMP/nost/root" -j check --pid 4242
expect_rc 3 "no status: check UNKNOWN"
no_dump_opened "no status, check"
expect_jq '.processes[0].devices[0].reason | sub(".*debugfs: "; "")' \
	"the size of the debugfs dump cannot be estimated (/proc/4242/status of the device's owner cannot be read): check does not make the kernel build it; use the memory walk or --source debugfs" \
	"no status: the reason"
# the second route (issue 14.2): the RAM of the --gpa-map (64 MiB + ROMs), as if all in 4 KiB pages
rchk nost
expect_rc 0 "no status, --gpa-map of a 64 MiB guest: the dump is read"
expect_jq "$DEVJQ" "true debugfs 16448" "no status, --gpa-map: checked from the dump"
"$PYTHON" - "$TMP/nost/gpa-map.json" "$TMP/nost/gpa-map-64g.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m.append({"gpa": "0x100000000", "size": "0x1000000000", "hva": "0x7e0000000000", "name": "pc.ram-high", "readonly": False})
json.dump(m, open(sys.argv[2], "w"))
PY
frun $NOOPEN -- --root "$TMP/nost/root" -j check --pid 4242 --gpa-map "$TMP/nost/gpa-map-64g.json"
expect_rc 3 "no status, --gpa-map with 64 GiB more RAM: UNKNOWN"
no_dump_opened "no status, 64 GiB --gpa-map"
expect_jq '.processes[0].devices[0].reason | test("the debugfs dump of ~64 GiB of mappings \\(the RAM of the guest memory map \\(file\\) in 4 KiB pages; /proc/4242/status of the device.s owner cannot be read\\) would cost the kernel more than its 1 GiB seq_file limit")' \
	true "no status, 64 GiB --gpa-map: the reason names the map"
run --root "$TMP/nost/root" -j dump $DEV
expect_rc 0 "no status: dump reads the dump"
expect_jq .source debugfs "no status: dump from debugfs"

# 6.1's global file: the estimate covers every device of every owner
gen clean --vmlck 67108864; mv "$TMP/clean" "$TMP/glob"
I="$TMP/glob/root/sys/kernel/debug/iommu/intel"
mv "$I/$DEV/domain_translation_struct" "$I/domain_translation_struct"; rmdir "$I/$DEV"
chk glob
expect_rc 3 "global file, 64 GiB: UNKNOWN"
no_dump_opened "global file, 64 GiB"
expect_jq '.processes[0].devices[0].reason | test("~64 GiB of mappings \\(pinned memory of pid 4242, every device of the global file\\)")' \
	true "global file: the estimate covers every device"
rchk glob --source debugfs
expect_rc 0 "global file, --source debugfs: read"
expect_jq "$DEVJQ" "true debugfs 16448" "global file, --source debugfs: checked"

# ---- an empty per-device file: pass-through, not a parse error ----
gen clean; mv "$TMP/clean" "$TMP/empty"
: >"$TMP/empty/root/sys/kernel/debug/iommu/intel/$DEV/domain_translation_struct"
run --root "$TMP/empty/root" --source debugfs -j dump $DEV
expect_rc 3 "empty file: dump UNKNOWN (no table)"
expect_err "$DEV: no page table can be read: debugfs: pass-through: .*$DEV/domain_translation_struct is empty \\(the kernel has no page table for it\\)" \
	"empty file: the reason is pass-through"
if grep -q 'domain_translation_struct:[0-9]' "$TMP/err"; then fail "empty file: reported as a parse error"; else ok "empty file: no parse error"; fi
run --root "$TMP/empty/root" -j devices
expect_rc 0 "empty file: devices OK"
expect_jq '.devices[0] | [(.table_readable|tostring), .reason] | join(" ")' \
	"false debugfs: pass-through: $TMP/empty/root/sys/kernel/debug/iommu/intel/$DEV/domain_translation_struct is empty (the kernel has no page table for it)" \
	"empty file: devices says pass-through"
rchk empty
expect_rc 3 "empty file: check UNKNOWN (nothing to compare)"
expect_jq '[.processes[0].devices[0].reason, (.errors | length | tostring)] | join(" ")' \
	"no page table can be read: debugfs: pass-through: $TMP/empty/root/sys/kernel/debug/iommu/intel/$DEV/domain_translation_struct is empty (the kernel has no page table for it) 0" \
	"empty file: check's reason, no error"
finish
