#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Regression (fixed in 8560d05): a --gpa-map file with 10^6 sections (85 MB,
# streamed from a generator) was accepted and parsed into a json-c tree first:
# peak RSS ~1.3 GiB (src/gpamap.c iv_gpamap_from_file). Memory must stay
# bounded: either an error (exit 3 naming the file) or < 256 MiB.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
. "$top_srcdir/tests/fault/fault-lib.sh"
[ -x /usr/bin/time ] || { echo "SKIP: needs GNU time (/usr/bin/time) for the peak RSS"; exit 77; }
if command -v ldd >/dev/null 2>&1 && ldd "$IV" 2>/dev/null | grep -q asan; then
	echo "SKIP: RSS is not meaningful in an ASan build"; exit 77
fi
gen clean
R="$TMP/clean"
cat >"$TMP/gen.sh" <<'GEN'
#!/bin/sh
exec awk 'BEGIN { printf "["; for (i = 0; i < 1000000; i++) printf "%s{\"gpa\":\"0x%x\",\"size\":\"0x1000\",\"hva\":\"0x%x\",\"name\":\"s%d\"}", (i ? "," : ""), i * 4096, 139637976727552 + i * 4096, i; print "]" }'
GEN
chmod +x "$TMP/gen.sh"
: >"$TMP/huge.json"
env LD_PRELOAD="$SHIM" FAULT_PATH=huge.json FAULT_GEN="$TMP/gen.sh" FAULT_LOG="$TMP/fault.log" \
	/usr/bin/time -f %M -o "$TMP/rss" "$IV" --root "$R/root" -j check --pid 4242 --gpa-map "$TMP/huge.json" \
	>"$TMP/out" 2>"$TMP/err"
RC=$?
expect_fault_hit "10^6 sections generated"
rss=$(tail -n 1 "$TMP/rss")
if [ "$RC" -eq 3 ] && grep -q 'huge.json' "$TMP/err"; then
	ok "10^6 sections: rejected (exit 3, file named), peak RSS $rss KiB"
elif [ "$rss" -lt $((256 * 1024)) ]; then
	ok "10^6 sections: accepted within $rss KiB (exit $RC)"
else
	fail "10^6 sections: exit $RC with a peak RSS of $rss KiB (bound: 256 MiB or an error)"
fi
finish
