#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Malformed debugfs text is an error naming FILE:LINE, exit 3 (never a false OK).
. "$top_srcdir/tests/lib.sh"
G="$TMP/gen"
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$G" || { fail "generator"; finish; }
PD="$G/v6.7/sys/kernel/debug/iommu/intel/0000:03:00.0/domain_translation_struct"
GL="$G/v5.18/sys/kernel/debug/iommu/intel/domain_translation_struct"
cp "$PD" "$TMP/pd.orig"; cp "$GL" "$TMP/gl.orig"

# mutate FILE ORIG SED-SCRIPT; bad ERA DEV LINE DESC
bad() {
	run --root "$G/$1" --source debugfs dump "$2"
	expect_rc 3 "$4"
	expect_err "$5:$3: " "$4: names file and line"
}
sed '5s/\t0x[0-9a-f]*$//; 5s/.$//' "$TMP/pd.orig" >"$PD"          # truncated row (cut mid-entry)
bad v6.7 0000:03:00.0 5 "truncated row" "$PD"
sed '4s/0x0000000000203003/0x00000000002g3003/' "$TMP/pd.orig" >"$PD"    # bad hex
bad v6.7 0000:03:00.0 4 "bad hex" "$PD"
sed '6s/ |\t/ | /' "$TMP/pd.orig" >"$PD"                                # wrong separator
bad v6.7 0000:03:00.0 6 "wrong separator" "$PD"
sed "3s/^0x0000000000001 |/0x000000000001 |/" "$TMP/pd.orig" >"$PD" # IOVA_PFN 12 digits
bad v6.7 0000:03:00.0 3 "short IOVA_PFN" "$PD"
sed '3s/3$/0/' "$TMP/pd.orig" >"$PD"                                   # leaf not present
bad v6.7 0000:03:00.0 3 "non-present leaf" "$PD"
sed '7s/0x0000000000000000/0x0000000000000001/' "$TMP/pd.orig" >"$PD"   # entry above the top level
bad v6.7 0000:03:00.0 7 "entry above the top level" "$PD"
{ sed -n '1,2p' "$TMP/pd.orig"; sed -n '4p' "$TMP/pd.orig"; sed -n '3p' "$TMP/pd.orig"; } >"$PD"
bad v6.7 0000:03:00.0 4 "rows out of order" "$PD"
cp "$TMP/pd.orig" "$PD"

{ echo "0x0000000000001 |	0x0000000000000000	0x0000000000000000	0x0000000000203003	0x0000000000204003	0x0000000000301003"; cat "$TMP/gl.orig"; } >"$GL"
bad v5.18 0000:03:00.0 1 "row before any Device header" "$GL"
sed '4s/^/Devices: /' "$TMP/gl.orig" >"$GL"                             # unknown header line
bad v5.18 0000:03:00.0 4 "unknown header" "$GL"
sed 's/^Device 0000:03:00.0 @0x/Device 0000:03:00.0 @/' "$TMP/gl.orig" >"$GL"   # malformed Device header
bad v5.18 0000:03:00.0 5 "malformed Device header" "$GL"
cp "$TMP/gl.orig" "$GL"
run --root "$G/v5.18" --source debugfs dump 0000:03:00.0
expect_rc 0 "restored file is fine again"

DM="$G/v6.7/sys/kernel/debug/iommu/intel/dmar_translation_struct"
cp "$DM" "$TMP/dm.orig"
sed '4s/\t-1    \t/\tx1    \t/' "$TMP/dm.orig" >"$DM"
bad v6.7 0000:03:00.0 4 "dmar_translation_struct bad PASID column" "$DM"
finish
