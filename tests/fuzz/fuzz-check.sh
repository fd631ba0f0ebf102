#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/fuzz/fuzz-check.sh - the text parsers' fuzz harnesses in `make check`:
# each check-NAME (the harness tests/fuzz/fuzz-NAME.c with the standalone
# driver tests/fuzz/fuzz-driver.c) runs every seed of tests/fuzz/corpus/NAME and
# tests/fuzz/regress/NAME, then FUZZ_CHECK_MUTATIONS (default 20000) inputs of
# the fixed-seed mutator, at most FUZZ_CHECK_SECONDS (default 2) each. A harness
# aborts on a violated property (tests/fuzz/README.md); the input is kept in
# tests/tmp/fuzz-check/ and printed with the harness's reason. Every run must also
# have seen inputs accepted and inputs rejected (else it did not test the parser).
. "$top_srcdir/tests/lib.sh"
N=${FUZZ_CHECK_MUTATIONS:-20000}
S=${FUZZ_CHECK_SECONDS:-2}
F="$top_srcdir/tests/fuzz"
# the harnesses' --root tree (fuzz-cmdline writes a file per input): tmpfs when there is one
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then TMPDIR=/dev/shm; export TMPDIR; fi
for name in pci xp cmdline mtree ramblock; do
	set -- "$F/corpus/$name"
	[ -d "$F/regress/$name" ] && set -- "$@" "$F/regress/$name"
	dict=
	[ -f "$F/dict/$name.dict" ] && dict="-d $F/dict/$name.dict"
	# shellcheck disable=SC2086
	"$top_builddir/tests/fuzz/check-$name" -q -s 1 -n "$N" -t "$S" $dict -o "$TMP" "$@" >"$TMP/$name.out" 2>&1
	rc=$?
	cat "$TMP/$name.out"
	if [ $rc -ne 0 ]; then
		fail "check-$name: exit $rc"
		continue
	fi
	line=$(grep "^check-$name: .* execs in " "$TMP/$name.out")
	acc=$(echo "$line" | sed -n 's/.*accepted \([0-9]*\), rejected \([0-9]*\)$/\1/p')
	rej=$(echo "$line" | sed -n 's/.*accepted \([0-9]*\), rejected \([0-9]*\)$/\2/p')
	if [ -z "$line" ]; then fail "check-$name: no summary line"
	elif [ "${acc:-0}" -gt 0 ] && [ "${rej:-0}" -gt 0 ]; then ok "check-$name: seeds and mutations hold ($acc accepted, $rej rejected)"
	else fail "check-$name: the run never saw both outcomes (accepted ${acc:-?}, rejected ${rej:-?})"; fi
done
finish
