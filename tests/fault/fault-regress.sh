#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Inputs that once crashed, hung or were misreported (found by the fuzzers in
# tests/fuzz or by review), run through the real binary: each must end with
# the documented exit status and a message, never a crash (exit >= 124) or a
# hang (every run is limited to 20 s).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
REG="$top_srcdir/tests/data/regress"
command -v timeout >/dev/null 2>&1 && TO="timeout 20" || TO=
# rrun ARGS...: like run, limited in time
rrun() {
	$TO "$IV" "$@" >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
# tree NAME FILE RELPATH: a --root tree $TMP/NAME holding FILE at RELPATH (plus
# the group of 0000:00:02.0)
tree() {
	rm -rf "${TMP:?}/$1"
	mkdir -p "$TMP/$1/$(dirname "$3")" "$TMP/$1/sys/kernel/iommu_groups/2/devices" \
		"$TMP/$1/sys/bus/pci/devices/0000:00:02.0"
	cp "$2" "$TMP/$1/$3"
	: >"$TMP/$1/sys/kernel/iommu_groups/2/devices/0000:00:02.0"
	echo ../../../kernel/iommu_groups/2 >"$TMP/$1/sys/bus/pci/devices/0000:00:02.0/iommu_group"
}
INTEL=sys/kernel/debug/iommu/intel

# Each regression input: tests/data/regress/<name>.<kind> (kinds below); the
# expected message is in tests/data/regress/<name>.expect (an ERE on stderr).
for f in "$REG"/*; do
	[ -f "$f" ] || continue
	case $f in *.expect|*.md|*.open) continue;; esac  # *.open: inputs of open bugs (tests/fault/open-*.sh)
	name=$(basename "$f")
	exp=$(cat "${f%.*}.expect" 2>/dev/null) || { fail "$name: no ${name%.*}.expect"; continue; }
	case $name in
	*.dts)    tree r "$f" "$INTEL/0000:00:02.0/domain_translation_struct"; rrun --root "$TMP/r" -j dump 0000:00:02.0;;
	*.gdts)   tree r "$f" "$INTEL/domain_translation_struct"; rrun --root "$TMP/r" -j dump 0000:00:02.0;;
	*.dmar)   tree r "$f" "$INTEL/dmar_translation_struct"; rrun --root "$TMP/r" -j devices;;
	*.regset) tree r "$f" "$INTEL/iommu_regset"; rrun --root "$TMP/r" -j devices;;
	*.elf)    mkdir -p "$TMP/none"; hdr=$(head -c 16 "$f" | od -An -tx1 | tr -d ' \n')
		  tail -c +17 "$f" >"$TMP/img.elf"
		  addr=$(echo "$hdr" | cut -c3-18 | sed 's/\(..\)/\1 /g' | awk '{for(i=NF;i>0;i--) printf "%s",$i}')
		  bus=$(echo "$hdr" | cut -c21-22); devfn=$(echo "$hdr" | cut -c19-20)
		  dev=$(printf '00:%02x.%x' $((0x$devfn >> 3)) $((0x$devfn & 7)))
		  dev="$bus:${dev#00:}"
		  if [ $((0x$(echo "$hdr" | cut -c1-2) & 1)) -eq 1 ]; then o="--amd-devtab 0x$addr"; else o="--vtd-root 0x$addr"; fi
		  rrun --root "$TMP/none" --source memory --memory "$TMP/img.elf" $o -j dump "$dev";;
	*.gpamap) gen clean; rrun --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$f";;
	*)        fail "$name: unknown kind"; continue;;
	esac
	if [ "$RC" -ge 124 ]; then fail "$name: crashed or hung (exit $RC)"; sed 's/^/  stderr: /' "$TMP/err" | head -20 >&2; continue; fi
	expect_rc 3 "$name"
	expect_err "$exp" "$name: message"
	if jq -e '.errors | length > 0' <"$TMP/out" >/dev/null 2>&1; then ok "$name: JSON with errors"
	else fail "$name: stdout is not JSON with errors"; fi
done
finish
