#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# host-fixtures.sh - procfs, --gpa-map files and GPA map inference over trees
# written by tests/gen-root.py.
. "$top_srcdir/tests/lib.sh"
TH="$top_builddir/tests/test-host"
GEN="$top_srcdir/tests/gen-root.py"
th() { "$TH" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; }
# out_is TEXT DESC: stdout equals TEXT
out_is() { printf '%s\n' "$1" >"$TMP/exp"; expect_out "$TMP/exp" "$2"; }

"$PYTHON" "$GEN" pcbios "$TMP/pcbios"
R="$TMP/pcbios/root"
th procs "$R"
expect_rc 0 "scan all processes"
out_is "4242 vm1 1234567 0000:00:02.0(2)" "scan: only the QEMU process, its device and group"
th procs "$R" 4242
expect_rc 0 "pid 4242"
out_is "4242 vm1 1234567 0000:00:02.0(2)" "pid 4242"
th procs "$R" 1
expect_rc 3 "pid without VFIO fd"
expect_err "pid 1: no VFIO device open" "pid 1: message"
th procs "$R" 999
expect_rc 3 "missing pid"
expect_err "pid 999: no such process" "pid 999: message"

for style in plain:vm2 equals:vm3 none:qemu-system-x86; do
	"$PYTHON" "$GEN" clean "$TMP/$style" --name-style "${style%%:*}" --name "${style#*:}" --pid 77 --starttime 42
	th procs "$TMP/$style/root" 77
	out_is "77 ${style#*:} 42 0000:00:02.0(2)" "-name style ${style%%:*}"
done
# QEMU's option syntax: ",," is a literal ','; the implied first key is guest=; the last guest= wins
for c in 'guest|db,,1|db,1' 'plain|a,,b,,|a,b,' 'plain|x,guest=y|y' 'guest|v,,m,,|v,m,'; do
	st=${c%%|*}; rest=${c#*|}; arg=${rest%|*}; want=${rest#*|}
	rm -rf "$TMP/esc"
	"$PYTHON" "$GEN" clean "$TMP/esc" --name-style "$st" --name "$arg" --pid 77 --starttime 42
	th procs "$TMP/esc/root" 77
	out_is "77 $want 42 0000:00:02.0(2)" "-name $st '$arg' is VM '$want'"
done
"$PYTHON" "$GEN" clean "$TMP/cdev" --cdev --name-style none --comm "a) (b c"
th procs "$TMP/cdev/root"
expect_rc 0 "iommufd cdev"
out_is "4242 a) (b c 1234567 0000:00:02.0(2)" "cdev: device from /sys/class/vfio-dev, comm with parens"

th gpamap "$TMP/pcbios/gpa-map.json"
expect_rc 0 "generated --gpa-map"
cat >"$TMP/exp" <<'X'
how=file samples=0 agreed=0
0 0xc0000 ram rw 0 0x7f16f7e00000 pc.ram
0xc0000 0x20000 rom ro 0 0x7f170e200000 pc.rom
0xe0000 0x20000 rom ro 0 0x7f170e420000 isa-bios
0x100000 0x3f00000 ram rw 0 0x7f16f7f00000 pc.ram
0xfffc0000 0x40000 rom ro 0 0x7f170e400000 pc.bios
X
expect_out "$TMP/exp" "gpa-map sections"
sed 's/"0x100000"/"0x10000g"/' "$TMP/pcbios/gpa-map.json" >"$TMP/bad.json"
th gpamap "$TMP/bad.json"
expect_rc 3 "bad hex in --gpa-map"
expect_err "bad.json: element 3: field 'gpa': '0x10000g' is not a number" "bad hex: file, element, field"

# inference: samples from the IOMMU side, pagemap of the process
"$PYTHON" "$GEN" clean "$TMP/clean"
th infer "$TMP/clean/root" 4242 "$TMP/clean/samples.txt"
expect_rc 0 "infer (clean)"
cat >"$TMP/exp" <<'X'
how=inferred samples=270 agreed=270
0 0xf4000 ram rw 0 0x7f16f7e00000 inferred@0x7f16f7e00000
0xf4000 0xc000 ram rw 0 0x7f170e434000 inferred@0x7f170e434000
0x100000 0x3f00000 ram rw 0 0x7f16f7f00000 inferred@0x7f16f7f00000
0xfffc0000 0x40000 ram rw 0 0x7f170e400000 inferred@0x7f170e400000
X
expect_out "$TMP/exp" "infer (clean): pc.ram, the isa-bios alias (sampled at 0xf4000) and pc.bios"
"$PYTHON" "$GEN" pcbios "$TMP/pcb2"
th infer "$TMP/pcb2/root" 4242 "$TMP/pcb2/samples.txt"
expect_rc 0 "infer (pcbios)"
# the 2 zero-page samples (one PFN for many IOVAs) are ambiguous and ignored: no pc.bios piece
out_is "how=inferred samples=270 agreed=268
0 0x4000000 ram rw 0 0x7f16f7e00000 inferred@0x7f16f7e00000" "infer (pcbios): zero-page samples ignored"
finish
