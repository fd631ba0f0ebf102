#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/spdx.sh - the licence: COPYING is the GPL version 2 text, and every source
# file (C, headers, shell, Python, automake fragments, configure.ac, scripts, the
# man page, units, completion, contrib/, debian/rules) carries
# "SPDX-License-Identifier: GPL-2.0-or-later" in its first 3 lines
# (scripts/spdx-add --check). A new file without it fails here: run
# scripts/spdx-add, which adds the line, and commit.
. "$top_srcdir/tests/lib.sh"
grep -q "GNU GENERAL PUBLIC LICENSE" "$top_srcdir/COPYING" && grep -q "Version 2, June 1991" "$top_srcdir/COPYING" \
	&& ok "COPYING: GPL version 2" || fail "COPYING is not the GPL-2 text"
"$PYTHON" "$top_srcdir/scripts/spdx-add" --check "$top_srcdir" >"$TMP/missing" 2>"$TMP/err"
RC=$?
n=$(sed -n 's/^\([0-9]*\) source files.*/\1/p' "$TMP/err")
if [ $RC -eq 0 ]; then ok "$(cat "$TMP/err")"
else fail "$(cat "$TMP/err"):"; sed 's/^/  /' "$TMP/missing" >&2; echo "  (run scripts/spdx-add, then commit)" >&2; fi
[ "${n:-0}" -gt 100 ] && ok "the list is not empty ($n files)" || fail "only ${n:-0} source files found"
# the check can fail: a copy of one file without the line is found
mkdir -p "$TMP/t/src" && printf '/* x.c */\nint x;\n' > "$TMP/t/src/x.c" && cp "$top_srcdir/COPYING" "$TMP/t/"
"$PYTHON" "$top_srcdir/scripts/spdx-add" --check "$TMP/t" >"$TMP/out" 2>/dev/null
[ $? -eq 1 ] && [ "$(cat "$TMP/out")" = "src/x.c" ] && ok "--check finds a file without the line" || fail "--check missed src/x.c"
"$PYTHON" "$top_srcdir/scripts/spdx-add" "$TMP/t" 2>/dev/null
[ "$(head -1 "$TMP/t/src/x.c")" = "/* SPDX-License-Identifier: GPL-2.0-or-later */" ] && [ "$(sed -n 2p "$TMP/t/src/x.c")" = "/* x.c */" ] \
	&& ok "spdx-add puts it first in a C file" || fail "spdx-add on x.c: $(head -2 "$TMP/t/src/x.c")"
finish
