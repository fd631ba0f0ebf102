#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/contrib-prometheus.sh - contrib/prometheus/iommu-verify.rules.yml with
# the real promtool (Debian: prometheus): `check rules`; its unit test
# (iommu-verify.rules.test.yml: a VM restart, for: durations, not up, outdated);
# a broken copy of that test must fail; and the rules fed with what the tool
# writes today (pc.bios case: --prometheus textfile -> promtool series) raise
# exactly the alerts its findings call for, so rules and metric names agree.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
P="$top_srcdir/contrib/prometheus"
command -v promtool >/dev/null 2>&1 || "$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
if ! command -v promtool >/dev/null 2>&1; then
	echo "SKIP: promtool not found and scripts/install-deps check could not install it (Debian: prometheus)"; exit 77
fi

promtool check rules "$P/iommu-verify.rules.yml" >"$TMP/check.out" 2>&1
RC=$?
if [ $RC -eq 0 ] && grep -q "SUCCESS: 5 rules found" "$TMP/check.out"; then ok "promtool check rules: SUCCESS: 5 rules found"
else fail "promtool check rules: exit $RC"; sed 's/^/  /' "$TMP/check.out" >&2; fi

cp "$P/iommu-verify.rules.yml" "$P/iommu-verify.rules.test.yml" "$TMP/"
( cd "$TMP" && promtool test rules iommu-verify.rules.test.yml ) >"$TMP/test.out" 2>&1
RC=$?
[ $RC -eq 0 ] && grep -q SUCCESS "$TMP/test.out" && ok "promtool test rules: the shipped unit test passes" \
	|| { fail "promtool test rules: exit $RC"; sed 's/^/  /' "$TMP/test.out" >&2; }
# the unit test can fail: a wrong page count, a missing for: ...
sed 's/"h1: 96 zero_page IOMMU/"h1: 95 zero_page IOMMU/' "$P/iommu-verify.rules.test.yml" > "$TMP/bad1.test.yml"
sed 's/^        for: 30m$/        for: 5m/' "$P/iommu-verify.rules.yml" > "$TMP/bad-rules.yml"
sed 's/iommu-verify.rules.yml/bad-rules.yml/' "$P/iommu-verify.rules.test.yml" > "$TMP/bad2.test.yml"
for b in bad1 bad2; do
	( cd "$TMP" && promtool test rules $b.test.yml ) >"$TMP/$b.out" 2>&1
	RC=$?
	[ $RC -ne 0 ] && grep -q FAILED "$TMP/$b.out" && ok "promtool test rules fails on $b (exit $RC)" \
		|| { fail "promtool test rules accepted $b"; sed 's/^/  /' "$TMP/$b.out" >&2; }
done

# What the tool writes today: every iommu_verify_* name the rules use is in it.
gen pcbios
mkdir -p "$TMP/prom"
run --root "$TMP/pcbios/root" check --pid 4242 --gpa-map "$TMP/pcbios/gpa-map.json" --prometheus "$TMP/prom/iommu-verify.prom"
expect_rc 2 "pc.bios check with --prometheus"
promtool check metrics < "$TMP/prom/iommu-verify.prom" >"$TMP/metrics.out" 2>&1 \
	&& ok "promtool check metrics: the textfile is clean" || { fail "promtool check metrics"; sed 's/^/  /' "$TMP/metrics.out" >&2; }
for m in $(grep -o 'iommu_verify_[a-z_]*' "$P/iommu-verify.rules.yml" | sort -u); do
	grep -q "^$m[{ ]" "$TMP/prom/iommu-verify.prom" && ok "rules' metric $m is in the tool's textfile" \
		|| fail "rules use $m, which the tool does not write (renamed? update contrib/prometheus)"
done

# The textfile as promtool input series (30 minutes of the same scrape, as node_exporter
# would serve it from instance "host"); expected: one critical alert per nonzero
# zero_page/stale/orphaned_pin series, none for the rest.
"$PYTHON" - "$TMP/prom/iommu-verify.prom" "$TMP/live.test.yml" "$TMP/expect-alerts" <<'PY'
import re, sys
prom, out, exp = sys.argv[1:4]
series, crit = [], {}
for line in open(prom):
    if line.startswith("#") or not line.strip():
        continue
    m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line.strip())
    name, labels, value = m.group(1), m.group(2) or "", m.group(3)
    if name == "iommu_verify_last_run_timestamp_seconds":
        value = "0"
    lab = dict(re.findall(r'(\w+)="([^"]*)"', labels))
    lab["instance"] = "host"
    series.append("      - series: '%s{%s}'\n        values: '%sx30'\n" % (
        name, ",".join('%s="%s"' % kv for kv in sorted(lab.items())), value))
    if name == "iommu_verify_finding_pages" and lab["kind"] in ("zero_page", "stale", "orphaned_pin") and float(value) > 0:
        k = (lab["bdf"], lab["vm"], lab["kind"])
        crit[k] = crit.get(k, 0) + float(value)
alerts = "".join(
    "          - exp_labels: {severity: critical, instance: host, bdf: \"%s\", vm: \"%s\", kind: %s}\n"
    "            exp_annotations:\n"
    "              summary: \"host: %g %s IOMMU pages for device %s of VM %s\"\n"
    "              description: \"The IOMMU maps pages for device %s that are not the guest memory its VM now uses (kind %s): the device's DMA reaches the wrong memory. Run `iommu-verify check --all` on the host; see iommu-verify(8), FINDINGS.\"\n"
    % (b, vm, k, v, k, b, vm, b, k) for (b, vm, k), v in sorted(crit.items()))
open(exp, "w").write("".join("%s %s %s %g\n" % (b, vm, k, v) for (b, vm, k), v in sorted(crit.items())))
open(out, "w").write(
    "rule_files: [iommu-verify.rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n"
    + "".join(series) +
    "    alert_rule_test:\n      - eval_time: 5m\n        alertname: IommuVerifyCriticalMappings\n        exp_alerts:\n"
    + (alerts or "          []\n") +
    "      - eval_time: 5m\n        alertname: IommuVerifyDeviceNotChecked\n        exp_alerts: []\n")
PY
[ "$(cat "$TMP/expect-alerts")" = "0000:00:02.0 vm1 zero_page 96" ] && ok "pc.bios textfile: one critical series (0000:00:02.0 vm1 zero_page 96 pages)" \
	|| fail "pc.bios textfile's critical series: '$(cat "$TMP/expect-alerts")'"
( cd "$TMP" && promtool test rules live.test.yml ) >"$TMP/live.out" 2>&1
RC=$?
[ $RC -eq 0 ] && grep -q SUCCESS "$TMP/live.out" && ok "rules on the tool's own textfile: exactly that alert" \
	|| { fail "rules on the tool's textfile: exit $RC"; sed 's/^/  /' "$TMP/live.out" >&2; }
finish
