#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Unreadable and vanishing input files: each must end in exit 3 (UNKNOWN), an
# error naming the file and the reason, valid JSON with that error, and no
# device reported as checked.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
gen clean
R="$TMP/clean"
C="--root $R/root -j check --pid 4242 --gpa-map $R/gpa-map.json"

# control: without faults the scenario is OK (so the failures below are the faults')
frun FAULT_PATH=/nonexistent/ -- $C
expect_rc 0 "control: clean scenario, shim loaded, no fault"

for f in 0000:00:02.0/domain_translation_struct /proc/4242/pagemap /proc/kpageflags /proc/kpagecount gpa-map.json; do
	frun FAULT_PATH=$f FAULT_OP=open FAULT_ERRNO=EACCES -- $C
	expect_fault_hit "EACCES on $f"
	expect_unknown "$(basename $f).*(Permission denied)" "EACCES on $f"
done

# the debugfs table: a read error in the middle of the file
frun FAULT_PATH=domain_translation_struct FAULT_OP=read FAULT_ERRNO=EIO FAULT_AFTER=1 -- $C
expect_fault_hit "EIO reading domain_translation_struct"
expect_unknown "domain_translation_struct.*Input/output error" "EIO reading domain_translation_struct"

# the QEMU process exits while its pagemap is read: ESRCH after the first read
frun FAULT_PATH=/proc/4242/pagemap FAULT_OP=pread FAULT_ERRNO=ESRCH FAULT_AFTER=1 -- $C
expect_fault_hit "ESRCH on the 2nd pagemap read"
expect_unknown "pagemap.*No such process" "ESRCH on the 2nd pagemap read"
# ... or before it could be opened
frun FAULT_PATH=/proc/4242/pagemap FAULT_OP=open FAULT_ERRNO=ENOENT -- $C
expect_fault_hit "ENOENT opening pagemap"
expect_unknown "pagemap.*No such file" "ENOENT opening pagemap"
# kpageflags / kpagecount are read for findings only: stale and orphan scenarios
gen stale
frun FAULT_PATH=/proc/kpageflags FAULT_OP=pread FAULT_ERRNO=EIO -- --root $TMP/stale/root -j check --pid 4242 --gpa-map $TMP/stale/gpa-map.json
expect_fault_hit "EIO reading kpageflags"
expect_unknown "kpageflags.*Input/output error" "EIO reading kpageflags"
gen orphan
frun FAULT_PATH=/proc/kpagecount FAULT_OP=pread FAULT_ERRNO=EIO -- --root $TMP/orphan/root -j check --pid 4242 --gpa-map $TMP/orphan/gpa-map.json
expect_fault_hit "EIO reading kpagecount"
expect_unknown "kpagecount.*Input/output error" "EIO reading kpagecount"

# the dmar_translation_struct (context entries) unreadable
frun FAULT_PATH=dmar_translation_struct FAULT_OP=open FAULT_ERRNO=EACCES -- $C
expect_fault_hit "EACCES on dmar_translation_struct"
expect_unknown "dmar_translation_struct.*Permission denied" "EACCES on dmar_translation_struct"

# text mode: the same, with the reason on stderr and no "ok" summary
frun FAULT_PATH=/proc/4242/pagemap FAULT_OP=open FAULT_ERRNO=EACCES -- --root $R/root check --pid 4242 --gpa-map $R/gpa-map.json
expect_rc 3 "text mode: EACCES on pagemap"
if grep -q '^summary: unknown' "$TMP/out" && ! grep -qi 'summary: ok' "$TMP/out"; then ok "text mode: summary unknown"
else fail "text mode: summary is not 'unknown'"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi

# the ELF image of the memory source
mkdir -p "$TMP/none"
printf 'layout qemu\nram 0x100000 0x5000\nq 0x100000 0x101001\nq 0x101100 0x102001\nq 0x101108 0x401\nq 0x102000 0x103003\nq 0x103000 0x104003\nq 0x104000 0x2e797003\n' |
	"$top_builddir/tests/gen-elf" "$TMP/img.elf" || fail "gen-elf"
M="--root $TMP/none --source memory --memory $TMP/img.elf --vtd-root 0x100000 -j dump 00:02.0"
frun FAULT_PATH=/nonexistent/ -- $M
expect_rc 0 "control: memory dump"
expect_jq '[.extents[] | "\(.iova) \(.pfn)"] | join(",")' "0x0 0x2e797" "control: memory dump extents"
frun FAULT_PATH=img.elf FAULT_OP=open FAULT_ERRNO=EACCES -- $M
expect_fault_hit "EACCES on the ELF image"
expect_rc 3 "EACCES on the ELF image"
expect_err "img.elf: Permission denied" "EACCES on the ELF image: message"
expect_jq '.errors | map(select(test("img.elf: Permission denied"))) | length' 1 "EACCES on the ELF image: JSON error"
frun FAULT_PATH=img.elf FAULT_OP=pread FAULT_ERRNO=EIO FAULT_AFTER=3 -- $M
expect_fault_hit "EIO reading the ELF image"
expect_rc 3 "EIO reading the ELF image"
expect_err "img.elf.*Input/output error" "EIO reading the ELF image: message"
expect_jq '.extents | length' 0 "EIO reading the ELF image: no extents reported"
finish
