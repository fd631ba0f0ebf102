#!/bin/sh
# man-examples.sh - the man page's first example (man/iommu-verify.8 EXAMPLES),
# `iommu-verify check --all --nagios`, run as written (plus --root) on tests/gen-root.py trees:
# every QEMU-like process found, no GPA map given (so it is inferred), exactly one Nagios line
# (tests/data/golden/nagios-all-SCENARIO.txt) and its exit status.
# GOLDEN_UPDATE=1 rewrites the expected lines (review the diff).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
G="$DATA/golden"

# The example as the man page prints it (first line between .EX and .EE, roff dashes undone).
ex=$(sed -n '/^\.SH EXAMPLES/,/^\.SH/{/^\.EX/{n;p;q}}' "$top_srcdir/man/iommu-verify.8" | sed 's/\\-/-/g')
if [ "$ex" = "iommu-verify check --all --nagios" ]; then ok "man page: first example is '$ex'"
else fail "man page's first example is now '$ex': update this test"; fi
EX=${ex#iommu-verify }   # the arguments, run after --root

# nagios SCENARIO RC DESC
nagios() {
	local s=$1 rc=$2 desc=$3
	gen "$s"
	run --root "$TMP/$s/root" $EX
	expect_rc "$rc" "$s: $desc"
	if [ -n "${GOLDEN_UPDATE:-}" ]; then cp "$TMP/out" "$G/nagios-all-$s.txt"; fi
	[ "$(wc -l <"$TMP/out")" = 1 ] && ok "$s: one line" || fail "$s: $(wc -l <"$TMP/out") lines on stdout"
	expect_out "$G/nagios-all-$s.txt" "$s: the Nagios line"
}
nagios clean 0 "nothing to report: OK"
nagios stale 2 "a stale page: CRITICAL"
nagios pcbios 2 "pc.bios through the zero page, CPU side not in the inferred map: CRITICAL"
nagios unpriv 3 "pagemap without PFNs (unprivileged): UNKNOWN"
grep -q "^IOMMU CRITICAL - 1 zero_page, 1 cpu_not_present | " "$G/nagios-all-pcbios.txt" && ok "pcbios: status text" || fail "pcbios: golden status text"
finish
