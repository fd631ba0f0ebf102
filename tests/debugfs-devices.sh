#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# `devices` on the real captures (exact text) and on synthetic trees (pass-through).
. "$top_srcdir/tests/lib.sh"
G="$TMP/gen"
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$G" || { fail "generator"; finish; }

# devices LAB: text output with the data directory replaced by DATA
for lab in lab61 lab612; do
	run --root "$DATA/$lab" --source debugfs devices
	expect_rc 0 "$lab devices"
	sed "s|$DATA/|DATA/|g" "$TMP/out" >"$TMP/out.t" && mv "$TMP/out.t" "$TMP/out"
	expect_out "$DATA/debugfs/$lab.devices.txt" "$lab devices text"
	run --root "$DATA/$lab" --source debugfs -j devices
	expect_rc 0 "$lab devices -j"
	expect_jq '.units | map([.name, .register_base, .mode, (.enabled | tostring)] | join(" ")) | join(",")' \
		"dmar0 0xfed90000 legacy true" "$lab: one legacy unit, enabled"
	expect_jq '.devices | length' 7 "$lab: 7 devices"
	expect_jq '[.devices[] | select(.table_readable) | .bdf] | length' 7 "$lab: all 7 tables readable"
	expect_jq '.devices[2] | [.bdf, (.group | tostring), .driver, .domain_type, .unit, .translation, (.levels | tostring)] | join(" ")' \
		"0000:00:02.0 2 vfio-pci DMA dmar0 translated 3" "$lab: the vfio device"
	expect_jq '.devices[0].driver' null "$lab: no driver is null"
	expect_jq '.errors | length' 0 "$lab: no errors"
done
expect_jq '.units[0].root_table' 0x765000 "lab612: root table from RTADDR"
expect_jq '.devices[5].origin | sub(".*/intel/"; "")' "0000:00:1f.2/domain_translation_struct" "lab612: per-device file"

# the units' fallback: /sys/class/iommu/dmar0/intel-iommu (no debugfs)
run --root "$DATA/lab61" --debugfs "$TMP/none" --source debugfs -j devices
expect_rc 0 "devices without debugfs"
expect_jq '.units[0] | [.name, .register_base, (.enabled | tostring), (.root_table | tostring)] | join(" ")' \
	"dmar0 0xfed90000 null null" "units from sysfs"
expect_jq '.devices[2] | [(.table_readable | tostring), .translation, .reason] | join(" ")' \
	"false unknown debugfs: no Intel VT-d debugfs directory $TMP/none/iommu/intel" "no table without debugfs"

# synthetic: pass-through device, identity group, scalable unit
run --root "$G/v6.7" --source debugfs -j devices
expect_rc 0 "v6.7 devices"
expect_jq '.devices | map([.bdf, .translation, (.table_readable | tostring)] | join(" ")) | join(",")' \
	"0000:00:02.0 translated false,0000:03:00.0 translated true,0000:03:00.1 translated false,0000:05:00.0 passthrough false" \
	"v6.7: translation per device"
expect_jq '.devices[3] | [.domain_type, .reason] | join(" ")' \
	"identity debugfs: pass-through (identity) domain: no page table" "v6.7: pass-through shown as such"
run --root "$G/v6.7-sm" --source debugfs -j devices
expect_jq '.units[0] | [.mode, .root_table] | join(" ")' "scalable 0x100000" "v6.7-sm: scalable unit from the rows"
expect_jq '.devices[1] | [.translation, (.levels | tostring)] | join(" ")' "translated 5" "v6.7-sm: 5-level"
run --root "$G/v4.20" --source debugfs -j devices
expect_jq '.devices | map(.translation) | join(" ")' "translated translated translated passthrough" "v4.20 dmar format decoded"

# without sysfs: devices come from dmar_translation_struct
rm -rf "$TMP/nosys"; mkdir -p "$TMP/nosys/sys/kernel"; cp -r "$DATA/lab61/sys/kernel/debug" "$TMP/nosys/sys/kernel/"
run --root "$TMP/nosys" --source debugfs -j devices
expect_rc 0 "devices without sysfs"
expect_jq '[.devices[] | .bdf + "=" + (.group | tostring)] | join(" ")' \
	"0000:00:00.0=null 0000:00:01.0=null 0000:00:02.0=null 0000:00:03.0=null 0000:00:1f.0=null 0000:00:1f.2=null 0000:00:1f.3=null" \
	"devices listed from dmar_translation_struct"
finish
