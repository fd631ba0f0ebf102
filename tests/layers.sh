#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# layers.sh - the layering rules (tests/layers.py): no include or symbol reference from a lower
# layer to a higher one, commands include only public headers, no cycle between the product's
# object files, no source file over 900 lines, no global iv_g and no writable global variable
# shared between layers (state goes through struct iv_run); accepted violations in tests/layers-known.txt
# print as KNOWN.
# First a self-test on small fake trees (proves every rule can fail), then the real tree.
. "$top_srcdir/tests/lib.sh"
: "${CC:=cc}"
: "${NM:=nm}"
: "${AR:=ar}"
export NM
L="$top_srcdir/tests/layers.py"

# fake DIR: compiles DIR/src/**/*.c into DIR/libiv.a (all but main.c) and DIR/main.o
fake_build() {
	local d=$1 c o objs=
	for c in $(cd "$d" && find src -name '*.c' | sort); do
		o="$d/obj/$(basename "$c" .c).o"
		mkdir -p "$d/obj"
		"$CC" -c -I"$d" -I"$d/include" -o "$o" "$d/$c" || { fail "fake tree: cannot compile $c"; finish; }
		[ "$(basename "$c")" = main.c ] || objs="$objs $o"
	done
	rm -f "$d/libiv.a"
	"$AR" rc "$d/libiv.a" $objs || { fail "fake tree: ar failed"; finish; }
}

# A clean fake tree: core <- host <- cmd, one public header per layer.
F="$TMP/clean"
mkdir -p "$F/include" "$F/src/core" "$F/src/host" "$F/src/cmd"
printf '/* core_fn: see host_fn() */\nint core_fn(void);\n' >"$F/include/iv.h"   # comments do not count
printf '#include "iv.h"\nint host_fn(void);\n' >"$F/include/host.h"
printf '#include "config.h"\n#include "iv.h"\n/* #include "host.h" */\nint core_fn(void) { return 1; }\n' >"$F/src/core/util.c"
printf '#include "host.h"\nint host_fn(void) { return core_fn() + 1; }\n' >"$F/src/host/procfs.c"
printf '#include "host.h"\nint main(void) { return host_fn(); }\n' >"$F/src/cmd/main.c"
: >"$F/known"
: >"$F/config.h"
fake_build "$F"
"$PYTHON" "$L" "$F" "$F/known" "$F/libiv.a" "$F/obj/main.o" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 0 "self-test: a clean tree passes"
echo "layers: 5 files, 2 objects, 0 violation(s), 0 known, 0 failure(s)" >"$TMP/clean.exp"
expect_out "$TMP/clean.exp" "self-test: clean tree output"

# The same tree with one violation of every kind, one of them listed as known, plus a stale
# known line.
B="$TMP/bad"
cp -R "$F" "$B"
rm -rf "$B/obj"
printf '#include "iv.h"\n#include "host.h"\nint core_fn(void) { return host_fn() * 2; }\n' >"$B/src/core/util.c"
printf 'int host2_fn(void);\n' >"$B/include/verify.h"
printf '#include "host.h"\nint host2_fn(void) { return 2; }\n' >"$B/src/host/pagemap.c"
printf '#include "nosuch.h"\n' >"$B/src/host/gpamap.h"
mkdir -p "$B/src/odd"
printf 'int odd_fn(void) { return 3; }\n' >"$B/src/odd/odd.c"
printf 'int extra_fn(void);\n' >"$B/include/extra.h"
printf 'int procq_fn(void);\n' >"$B/src/host/procq.h"
{ printf '#include "host.h"\n#include "../host/procq.h"\nint main(void) { return host_fn(); }\n'; i=0
  while [ $i -lt 898 ]; do echo "/* filler */"; i=$((i + 1)); done; } >"$B/src/cmd/main.c"
printf '# comment\ninclude src/core/util.c -> include/host.h\n  cycle   src/a.c src/b.c  # gone\n' >"$B/known"
fake_build "$B"
"$PYTHON" "$L" "$B" "$B/known" "$B/libiv.a" "$B/obj/main.o" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 1 "self-test: a tree with violations fails"
cat >"$TMP/bad.exp" <<'X'
FAIL: call src/core/util.c -> src/host/procfs.c  (core uses host: host_fn)
FAIL: cycle src/core/util.c src/host/procfs.c  (util.c->procfs.c(host_fn) procfs.c->util.c(core_fn))
KNOWN: include src/core/util.c -> include/host.h  (core includes host)
FAIL: owner include/verify.h  (the table says verify; its functions are defined in host)
FAIL: private src/cmd/main.c -> src/host/procq.h  (cmd includes an internal header of host)
FAIL: size src/cmd/main.c  (901 lines > 900)
FAIL: unmapped include/extra.h  (a public header not in the table of tests/layers.py)
FAIL: unmapped src/odd  (a source folder not in the table of tests/layers.py)
FAIL: unresolved src/host/gpamap.h -> nosuch.h  (0 candidates)
FAIL: cycle src/a.c src/b.c  (listed in known but no longer found: remove the line)
layers: 11 files, 2 objects, 9 violation(s), 2 known, 9 failure(s)
X
expect_out "$TMP/bad.exp" "self-test: every rule fires (backward include and call, cycle, owner, private header, size, unmapped, unresolved, stale known line)"

# Globals: the old run pointer iv_g (by name, even unused), and a writable global variable one
# layer shares with another (the run context is passed explicitly instead); a const one is fine.
G="$TMP/glob"
cp -R "$F" "$G"
rm -rf "$G/obj"
printf '#include "iv.h"\nstruct iv_run *iv_g;\nint shared_count;\nconst int core_limit = 5;\nint core_fn(void) { return core_limit; }\n' >"$G/src/core/util.c"
printf '#include "host.h"\nextern int shared_count;\nextern const int core_limit;\nint host_fn(void) { shared_count++; return core_fn() + core_limit; }\n' >"$G/src/host/procfs.c"
fake_build "$G"
"$PYTHON" "$L" "$G" "$G/known" "$G/libiv.a" "$G/obj/main.o" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 1 "self-test: a tree with iv_g and a shared writable global fails"
cat >"$TMP/glob.exp" <<'X'
FAIL: global shared_count src/host/procfs.c -> src/core/util.c  (a writable global variable shared by host and core)
FAIL: iv_g src/core/util.c  (names the removed global run pointer: pass struct iv_run instead)
layers: 5 files, 2 objects, 2 violation(s), 0 known, 2 failure(s)
X
expect_out "$TMP/glob.exp" "self-test: iv_g and a writable global shared between layers fail (a const one does not)"

# The real tree: libiv.a and main.o as built.
M="$top_builddir/src/cmd/main.o"
[ -f "$M" ] || M=$(ls "$top_builddir"/src/cmd/*main.o 2>/dev/null | head -1)
if [ ! -f "$top_builddir/libiv.a" ] || [ ! -f "$M" ]; then
	fail "libiv.a or src/cmd/main.o not built"; finish
fi
"$PYTHON" "$L" "$top_srcdir" "$top_srcdir/tests/layers-known.txt" "$top_builddir/libiv.a" "$M" >"$TMP/out" 2>"$TMP/err"; RC=$?
cat "$TMP/out"
expect_rc 0 "the tree keeps its layers (violations other than tests/layers-known.txt's: none)"
n=$(grep -c '^layers: ' "$TMP/out")
[ "$n" = 1 ] && grep -Eq '^layers: [0-9]+ files, 2 objects' "$TMP/out" && ok "checked the whole tree" || fail "no summary line"
if grep -Eq '^(KNOWN|FAIL): cycle ' "$TMP/out"; then fail "a cycle between object files (not even a known one is accepted)"
else ok "no cycle between the product's object files"; fi
if grep -Eq '^(KNOWN|FAIL): size ' "$TMP/out"; then fail "a source file over 900 lines"; else ok "no source file over 900 lines"; fi
finish
