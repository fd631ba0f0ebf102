#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/sanitize.sh - the whole `make check` once more, built with ASan, UBSan
# and LeakSanitizer (configure --enable-sanitizers --enable-werror), in a
# separate build directory. Any sanitizer report fails the run, even in a test
# that otherwise passed (the logs are searched), and is printed with its stack.
#
# Usage: tests/sanitize.sh [BUILDDIR]
#   BUILDDIR defaults to a new temporary directory, removed when all is clean.
# A source tree configured in place (scripts/bootstrap) cannot host a VPATH
# build, so the build then uses a copy of the files git knows (tracked and
# untracked-not-ignored) under BUILDDIR/src.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
own=no
if [ $# -ge 1 ]; then b=$1; mkdir -p "$b"; else b=$(mktemp -d "${TMPDIR:-/tmp}/iv-sanitize.XXXXXX"); own=yes; fi
# tests that drop privileges (setpriv nobody) must reach their files in the build tree: mktemp -d is 0700
chmod 755 "$b"
b=$(cd "$b" && pwd)

src=$srcdir
if [ -f "$srcdir/config.status" ] || [ ! -x "$srcdir/configure" ]; then
	command -v git >/dev/null 2>&1 && git -C "$srcdir" rev-parse --git-dir >/dev/null 2>&1 || {
		echo "sanitize.sh: $srcdir is configured in place (or has no configure) and is not a git checkout;" \
		     "run 'make distclean' there first" >&2
		exit 2
	}
	src=$b/src
	rm -rf "$src"; mkdir -p "$src"
	(cd "$srcdir" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) |
		tar -xf - -C "$src"
	(cd "$src" && autoreconf -fi >/dev/null 2>&1) || { echo "sanitize.sh: autoreconf failed" >&2; exit 2; }
fi

# halt at the first report; LSan on; keep going for "expected" non-zero exits
# only through the tests' own exact exit-code checks (ASan exits 86, UBSan 87).
ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:detect_invalid_pointer_pairs=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=87${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS

mkdir -p "$b/build"
cd "$b/build"
"$src/configure" -q --enable-sanitizers --enable-werror
rc=0
make -j"${JOBS:-2}" >make.out 2>&1 || { cat make.out >&2; echo "sanitize.sh: build failed" >&2; exit 1; }
make -k -j"${JOBS:-2}" check >check.out 2>&1 || rc=1
grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' check.out || true
reports=$(grep -rlE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: (Address|Leak|UndefinedBehavior)Sanitizer' \
	--include='*.log' --include='err' --include='*.err' . 2>/dev/null || true)
if [ -n "$reports" ]; then
	rc=1
	for f in $reports; do
		echo "==== sanitizer report in $b/build/$f" >&2
		grep -E -A40 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f" | head -80 >&2
	done
fi
if [ $rc -ne 0 ]; then
	grep -E '^(FAIL|ERROR):' check.out >&2 || true
	echo "sanitize.sh: FAILED (build tree kept: $b)" >&2
	exit 1
fi
echo "sanitize.sh: make check clean under ASan+UBSan+LSan"
[ $own = yes ] && rm -rf "$b"
exit 0
