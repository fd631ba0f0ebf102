#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# golden-text.sh - the text output (not JSON) of dump, lookup, tables and devices, compared
# byte for byte with tests/data/golden/NAME.txt: the real captures (lab61: 6.1 global file,
# lab612: 6.12 per-device files), tests/gen-debugfs.py trees, and tests/gen-elf images made
# from tests/data/golden/*.desc (the tables of memory-vtd.sh, memory-amd.sh, memory-tables.sh).
# Paths in the output are written DATA/ (tests/data) and TMP/ (this test's directory).
# After an intended change of the output: GOLDEN_UPDATE=1 make check TESTS=tests/golden-text.sh
# rewrites the files; review the diff before committing it.
. "$top_srcdir/tests/lib.sh"
G="$DATA/golden"
GEN="$top_builddir/tests/gen-elf"
mkdir -p "$TMP/none"
for d in vtd amd tab; do
	"$GEN" "$TMP/$d.elf" <"$G/$d.desc" || { fail "gen-elf $d"; finish; }
done
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$TMP/gen" >/dev/null || { fail "gen-debugfs.py"; finish; }

# golden NAME RC ARGS...: runs the tool, expects exit RC and stdout = golden/NAME.txt
golden() {
	local name=$1 rc=$2
	shift 2
	run "$@"
	expect_rc "$rc" "$name"
	sed -e "s|$DATA/|DATA/|g" -e "s|$TMP/|TMP/|g" "$TMP/out" >"$TMP/out.t" && mv "$TMP/out.t" "$TMP/out"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$TMP/out" "$G/$name.txt"; echo "updated $G/$name.txt"; fi
	if [ ! -s "$TMP/out" ]; then fail "$name: no output"; fi
	expect_out "$G/$name.txt" "$name: text output"
}

L61="--root $DATA/lab61 --source debugfs"
L612="--root $DATA/lab612 --source debugfs"
golden lab61-dump 0 $L61 dump 0000:00:02.0
golden lab61-dump-group-member 0 $L61 dump 00:1f.2
golden lab612-dump 0 $L612 dump 0000:00:02.0
golden lab61-lookup 0 $L61 lookup 0000:00:02.0 0x100000 0x200000 0x203fff 0x7ff000 0x900000
golden lab612-lookup 0 $L612 lookup 00:02.0 0x100000 0x200000 0x203fff 0x7ff000 0x900000

V="--root $TMP/none --source memory --memory $TMP/vtd.elf --vtd-root 0x100000"
golden vtd-dump-3level 0 $V dump 0000:00:02.0
golden vtd-dump-4level 0 $V dump 0000:00:03.0
golden vtd-dump-5level 0 $V dump 0000:00:04.0
golden vtd-lookup 0 $V lookup 00:02.0 0x100000 0x102000 0x7ff000 0x40123456 0x900000 0x201fff

A="--root $TMP/none --source memory --memory $TMP/amd.elf --amd-devtab 0x100000"
golden amd-dump-v1 0 $A dump 0000:00:02.0
golden amd-dump-v2 0 $A dump 0000:00:06.0
golden amd-lookup 0 $A lookup 00:02.0 0x3fff 0x1abcd 0x7fffff 0x4000 0x40000123

golden tables-identical 0 --root "$G/tables-same" --memory "$TMP/tab.elf" tables 00:02.0
golden tables-different 2 --root "$G/tables-diff" --memory "$TMP/tab.elf" tables 0000:00:02.0

golden devices-v6.7-scalable 0 --root "$TMP/gen/v6.7-sm" --source debugfs devices
golden devices-v4.20 0 --root "$TMP/gen/v4.20" --source debugfs devices
golden devices-lab61-no-debugfs 0 --root "$DATA/lab61" --debugfs "$TMP/none" --source debugfs devices
finish
