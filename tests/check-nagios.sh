#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check-nagios.sh - check --nagios long output (issue 15.8): after the status line
# with perfdata, one line per finding range (kind, VM, pid, device, region, IOVA range,
# pages), critical kinds first, at most 20 then "N more"; text from outside (VM and
# region names) escaped so that no '|' or newline forges perfdata or lines; what was
# not checked beyond the status line's note, one line each.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
E="$DATA/check"
gen stale
R="--root $TMP/stale/root"

# 25 read-only one-page sections in pc.ram (permission findings) beside the stale page;
# the first one's name holds a '|' and a newline
"$PYTHON" - "$TMP/stale/gpa-map.json" "$TMP/many.json" <<'PY'
import json, sys
out = []
for s in json.load(open(sys.argv[1])):
    if s["name"] != "pc.ram" or s["gpa"] != "0x100000":
        out.append(s)
        continue
    gpa, size, hva = int(s["gpa"], 16), int(s["size"], 16), int(s["hva"], 16)
    cur = gpa
    for i in range(25):
        g = 0x200000 + i * 0x2000
        out.append(dict(s, gpa=hex(cur), size=hex(g - cur), hva=hex(hva + cur - gpa)))
        out.append(dict(s, gpa=hex(g), size="0x1000", hva=hex(hva + g - gpa), readonly=True,
                        name="ro0|x\nIOMMU OK - forged" if i == 0 else "ro%d" % i))
        cur = g + 0x1000
    out.append(dict(s, gpa=hex(cur), size=hex(gpa + size - cur), hva=hex(hva + cur - gpa)))
json.dump(out, open(sys.argv[2], "w"), indent=1)
PY
run $R check --pid 4242 --gpa-map "$TMP/many.json" --nagios
expect_rc 2 "26 findings: CRITICAL"
expect_out "$E/many.nagios" "26 findings: status line, the stale line first, 19 permission lines, '6 more'"
n=$(tr -cd '|' <"$TMP/out" | wc -c)
[ "$n" -eq 1 ] && ok "26 findings: one '|' (the perfdata separator)" || fail "26 findings: $n '|' characters"
grep -c '^IOMMU ' "$TMP/out" | grep -qx 1 && ok "26 findings: one status line (no forged one)" ||
	fail "26 findings: $(grep -c '^IOMMU ' "$TMP/out") status lines"

# a VM name with '|', a newline and spaces: escaped, one line
R2="$TMP/stale/root"
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=a|b\nIOMMU OK - c d\0' >"$R2/proc/4242/cmdline"
run $R check --pid 4242 --gpa-map "$TMP/stale/gpa-map.json" --nagios
expect_rc 2 "hostile VM name: CRITICAL"
sed -n 2p "$TMP/out" >"$TMP/line2"
printf '%s\n' 'CRITICAL stale: VM a\x7cb\x0aIOMMU\x20OK\x20-\x20c\x20d pid 4242 device 0000:00:02.0 region pc.ram iova 0x150000-0x150fff 1 page' >"$TMP/exp"
diff -u "$TMP/exp" "$TMP/line2" >/dev/null && ok "hostile VM name: escaped in the finding line" ||
	{ fail "hostile VM name: $(cat "$TMP/line2")"; }
[ "$(wc -l <"$TMP/out")" -eq 2 ] && [ "$(tr -cd '|' <"$TMP/out" | wc -c)" -eq 1 ] &&
	ok "hostile VM name: 2 lines, one '|'" || fail "hostile VM name: $(wc -l <"$TMP/out") lines"

# not checked beyond the first (in the status line): one line each, after the findings
run $R check --pid 4242 --pid 999 --pid 998 --nagios
expect_rc 2 "--pid 4242 999 998: CRITICAL"
sed 1d "$TMP/out" >"$TMP/long"
printf '%s\n' 'CRITICAL stale: VM a\x7cb\x0aIOMMU\x20OK\x20-\x20c\x20d pid 4242 device 0000:00:02.0 region inferred@0x7f16f7f00000 iova 0x150000-0x150fff 1 page' \
	"NOT CHECKED: pid 999: no such process ($TMP/stale/root/proc/999)" >"$TMP/exp"
diff -u "$TMP/exp" "$TMP/long" >"$TMP/diff" && ok "long output: the finding, then the second process not checked" ||
	{ fail "long output differs"; cat "$TMP/diff" >&2; }
head -1 "$TMP/out" | grep -qF "IOMMU CRITICAL - 1 stale (not checked: pid 998: no such process ($TMP/stale/root/proc/998) (+1 more)) | " &&
	ok "status line: the first not checked and '+1 more'" || fail "status line: $(head -1 "$TMP/out" | cut -d'|' -f1)"

# OK and UNKNOWN without findings: the status line alone
gen clean
run --root "$TMP/clean/root" check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json" --nagios
expect_rc 0 "clean: OK"
[ "$(wc -l <"$TMP/out")" -eq 1 ] && ok "clean: one line" || fail "clean: $(wc -l <"$TMP/out") lines"
finish
