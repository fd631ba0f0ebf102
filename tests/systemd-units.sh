#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/systemd-units.sh - the systemd units as `make` builds them for install
# (systemd/*.service from *.in + hardening.inc, the timer): `systemd-analyze
# verify` accepts them (this machine has no systemd as PID 1: verify only, never
# start), `systemd-analyze security --offline` scores them, and the lines the
# man page promises are there. A broken copy must be refused (the test can fail).
. "$top_srcdir/tests/lib.sh"
U="$top_builddir/systemd"
command -v systemd-analyze >/dev/null 2>&1 || "$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not found (Debian: systemd; scripts/install-deps check)"; exit 77
fi
for f in iommu-verify.service iommu-verify-boot.service; do
	[ -f "$U/$f" ] || { fail "$U/$f not built"; finish; }
	grep -Eq '@[A-Za-z_]+@' "$U/$f" && fail "$f: unsubstituted @...@ left: $(grep -E '@[A-Za-z_]+@' "$U/$f" | head -1)"
done

# What is installed names $(sbindir)/iommu-verify; verify checks that the binary
# exists, so the copies name the build tree's binary instead.
D="$TMP/units"; mkdir -p "$D" "$TMP/man/man8"
for f in iommu-verify.service iommu-verify-boot.service; do
	sed "s|^ExecStart=[^ ]*/iommu-verify |ExecStart=$IV |" "$U/$f" > "$D/$f"
	grep -q "^ExecStart=$IV check --all --prometheus /var/lib/prometheus/node-exporter/iommu-verify.prom -t 840\$" "$D/$f" \
		&& ok "$f: ExecStart is check --all into Debian's textfile directory, -t 840 (under TimeoutStartSec=15min)" || fail "$f: ExecStart line: $(grep ExecStart "$D/$f")"
done
cp "$top_srcdir/systemd/iommu-verify.timer" "$D/"
# Documentation=man:iommu-verify(8): verify runs man(1) on it; offer ours.
cp "$top_srcdir/man/iommu-verify.8" "$TMP/man/man8/"

( cd "$D" && MANPATH="$TMP/man:" systemd-analyze verify ./iommu-verify.service ./iommu-verify-boot.service \
	./iommu-verify.timer ) >"$TMP/verify.out" 2>&1
RC=$?
if [ $RC -eq 0 ] && [ ! -s "$TMP/verify.out" ]; then ok "systemd-analyze verify: 3 units, exit 0, no message"
else fail "systemd-analyze verify: exit $RC"; sed 's/^/  /' "$TMP/verify.out" >&2; fi

# The same verify must complain about a typo (so that "no message" above means
# something) and fail on a missing binary.
mkdir -p "$TMP/bad"
sed 's/^Type=oneshot/Type=oneshoot/' "$D/iommu-verify.service" > "$TMP/bad/iommu-verify.service"
( cd "$TMP/bad" && MANPATH="$TMP/man:" systemd-analyze verify ./iommu-verify.service ) >"$TMP/bad.out" 2>&1
if grep -q "Failed to parse service type.*oneshoot" "$TMP/bad.out"; then ok "verify reports Type=oneshoot"
else fail "verify did not report Type=oneshoot"; sed 's/^/  /' "$TMP/bad.out" >&2; fi
sed "s|^ExecStart=[^ ]*|ExecStart=$TMP/no-such-binary|" "$D/iommu-verify.service" > "$TMP/bad/iommu-verify.service"
( cd "$TMP/bad" && MANPATH="$TMP/man:" systemd-analyze verify ./iommu-verify.service ) >"$TMP/bad.out" 2>&1
RC=$?
if [ $RC -ne 0 ] && grep -q "is not executable" "$TMP/bad.out"; then ok "verify fails on a missing binary (exit $RC)"
else fail "verify accepted a missing ExecStart binary (exit $RC)"; sed 's/^/  /' "$TMP/bad.out" >&2; fi

# Exposure: the hardening keeps both services "OK" (<= 3.0 of 10) with the
# capabilities they need. systemd 252 prints e.g. "... exposure level for X: 2.5 OK".
for f in iommu-verify.service iommu-verify-boot.service; do
	( cd "$D" && systemd-analyze security --offline=yes --threshold=30 "./$f" ) >"$TMP/sec.out" 2>&1
	RC=$?
	lvl=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$TMP/sec.out")
	if [ $RC -eq 0 ] && [ -n "$lvl" ]; then ok "$f: exposure $lvl (threshold 3.0)"
	else fail "$f: systemd-analyze security exit $RC, level '$lvl'"; tail -3 "$TMP/sec.out" >&2; fi
done

# The lines the man page and README describe.
expect_line() {  # FILE LINE
	if grep -qxF -- "$2" "$1"; then ok "$(basename "$1"): $2"; else fail "$(basename "$1"): no line '$2'"; fi
}
for f in "$D/iommu-verify.service" "$D/iommu-verify-boot.service"; do
	expect_line "$f" "Type=oneshot"
	expect_line "$f" "SuccessExitStatus=1"
	expect_line "$f" "CapabilityBoundingSet=CAP_SYS_RAWIO CAP_SYSLOG CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_DAC_READ_SEARCH"
	expect_line "$f" "ProtectSystem=strict"
	expect_line "$f" "ReadWritePaths=-/var/lib/prometheus/node-exporter"
	# each of these would hide /proc/kcore, kallsyms or CAP_SYS_RAWIO/CAP_SYSLOG
	for bad in ProtectKernelTunables=yes ProtectKernelLogs=yes PrivateDevices=yes ProtectProc=invisible ProcSubset=pid; do
		grep -qx "$bad" "$f" && fail "$(basename "$f"): $bad makes the check blind"
	done
done
B="$D/iommu-verify-boot.service"
expect_line "$B" "RemainAfterExit=yes"
expect_line "$B" "After=libvirt-guests.service pve-guests.service libvirtd.service"
expect_line "$B" "Before=boot-complete.target"
expect_line "$B" "RequiredBy=boot-complete.target"
expect_line "$B" "WantedBy=multi-user.target"
expect_line "$D/iommu-verify.timer" "OnUnitInactiveSec=15min"
expect_line "$D/iommu-verify.timer" "WantedBy=timers.target"
grep -q '^\[Install\]' "$D/iommu-verify.service" && fail "iommu-verify.service has [Install]: the timer starts it"

# The effective settings as systemd parses them (capabilities in systemd's order).
( cd "$D" && systemd-analyze security --offline=yes --json=short ./iommu-verify.service ) >"$TMP/sec.json" 2>/dev/null
if command -v jq >/dev/null 2>&1 && [ -s "$TMP/sec.json" ]; then
	got=$(jq -r '[.[] | select(.set == false) | .name] | map(select(test("^CapabilityBoundingSet=~CAP_SYS_(RAWIO|ADMIN|PTRACE)$|^CapabilityBoundingSet=~CAP_SYSLOG$"))) | sort | join(" ")' "$TMP/sec.json")
	[ "$got" = "CapabilityBoundingSet=~CAP_SYSLOG CapabilityBoundingSet=~CAP_SYS_ADMIN CapabilityBoundingSet=~CAP_SYS_PTRACE CapabilityBoundingSet=~CAP_SYS_RAWIO" ] \
		&& ok "security: exactly RAWIO, SYSLOG, SYS_ADMIN, SYS_PTRACE kept among the flagged ones" || fail "security json: '$got'"
fi
finish
