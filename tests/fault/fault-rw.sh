#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Short reads and EINTR on every reader (debugfs text, sysfs, /proc files,
# pagemap, kpageflags, kpagecount, the --gpa-map file, the ELF image): the
# answer must be exactly the one without faults - not an error.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"

# same_as_reference DESC: $TMP/out equals $TMP/ref (timings removed)
same_as_reference() {
	if jq -S "$NORM" <"$TMP/out" >"$TMP/out.n" 2>/dev/null && diff -u "$TMP/ref.n" "$TMP/out.n" >"$TMP/diff"; then
		ok "$1: same result"
	else
		fail "$1: result differs from the run without faults"; head -30 "$TMP/diff" >&2; sed 's/^/  stderr: /' "$TMP/err" | head >&2
	fi
}

for s in stale pcbios orphan; do
	gen $s
	C="--root $TMP/$s/root -j check --pid 4242 --gpa-map $TMP/$s/gpa-map.json"
	frun FAULT_PATH=/nonexistent/ -- $C
	ref_rc=$RC
	jq -S "$NORM" <"$TMP/out" >"$TMP/ref.n" || fail "$s: reference run output is not JSON"
	[ "$ref_rc" -eq 2 ] || fail "$s: reference run exit $ref_rc, expected 2 (critical findings)"
	for mode in "FAULT_SHORT=1" "FAULT_SHORT=7" "FAULT_EINTR=1" "FAULT_SHORT=5 FAULT_EINTR=1"; do
		# every file of the scenario (the root tree and gpa-map.json)
		frun FAULT_PATH="$TMP/$s/" $mode -- $C
		expect_fault_hit "$s, $mode"
		expect_rc "$ref_rc" "$s, $mode"
		same_as_reference "$s, $mode"
	done
done

# the memory source: libelf and the page cache on short reads / EINTR
mkdir -p "$TMP/none"
"$top_builddir/tests/gen-elf" "$TMP/img.elf" <<'DESC' || fail "gen-elf"
layout kcore
ram 0x100000 0x10000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x402
q 0x102000 0x103003
q 0x103000 0x104003
q 0x103008 0x105003
q 0x104000 0x2dc00083
q 0x105000 0x106003
q 0x106000 0x2e797003
q 0x106008 0x2e798001
fill 0x106010 100 0x30000003 0x1000
DESC
M="--root $TMP/none --source memory --memory $TMP/img.elf --vtd-root 0x100000 -j dump 00:02.0"
frun FAULT_PATH=/nonexistent/ -- $M
expect_rc 0 "memory: reference dump"
jq -S . <"$TMP/out" >"$TMP/ref.n"
[ "$(jq '.extents | length' <"$TMP/ref.n")" -ge 3 ] || fail "memory: reference dump has too few extents"
for mode in "FAULT_SHORT=1" "FAULT_SHORT=100" "FAULT_EINTR=1" "FAULT_SHORT=3 FAULT_EINTR=1"; do
	frun FAULT_PATH=img.elf $mode -- $M
	expect_fault_hit "memory, $mode"
	expect_rc 0 "memory, $mode"
	jq -S . <"$TMP/out" >"$TMP/out.n" 2>/dev/null
	if diff -u "$TMP/ref.n" "$TMP/out.n" >"$TMP/diff"; then ok "memory, $mode: same dump"
	else fail "memory, $mode: dump differs"; head -20 "$TMP/diff" >&2; fi
done
finish
