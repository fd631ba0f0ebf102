#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check's outputs on the pc.bios case: text report, Nagios line, Prometheus
# textfile (written atomically), pretty JSON.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
gen pcbios
R="--root $TMP/pcbios/root"
M="--pid 4242 --gpa-map $TMP/pcbios/gpa-map.json"
E="$DATA/check"

run $R check $M
expect_rc 2 "text: exit 2"
expect_out "$E/pcbios.txt" "text report"

run $R check $M --nagios
expect_rc 2 "nagios: exit 2"
expect_out "$E/pcbios.nagios" "nagios line with perfdata"

mkdir -p "$TMP/prom"
echo stale > "$TMP/prom/iommu.prom"
run $R check $M --prometheus "$TMP/prom/iommu.prom"
expect_rc 2 "prometheus: exit 2"
V=$("$IV" --version | sed 's/^iommu-verify //')
sed -E -e 's/^(iommu_verify_(last_run_timestamp|duration)_seconds) [0-9.]+$/\1 X/' \
	-e "s/^iommu_verify_build_info\{version=\"$V\"\} 1\$/iommu_verify_build_info{version=\"VERSION\"} 1/" \
	"$TMP/prom/iommu.prom" >"$TMP/out"
expect_out "$E/pcbios.prom" "prometheus textfile (timestamp and duration masked, version $V)"
left=$(ls "$TMP/prom" | grep -v '^iommu.prom$' || true)
[ -z "$left" ] && ok "prometheus: no temporary file left" || fail "prometheus: left behind: $left"
grep -Eq '^iommu_verify_last_run_timestamp_seconds [0-9]{10}\.[0-9]{3}$' "$TMP/prom/iommu.prom" && ok "prometheus: timestamp" || fail "prometheus: timestamp line"

# an unwritable destination: the check result stands, the error is reported
run $R check $M --prometheus "$TMP/nonexistent-dir/x.prom"
expect_rc 2 "prometheus into a missing directory: critical still wins"
expect_err "nonexistent-dir" "prometheus error names the path"

run $R -p check $M
expect_rc 2 "pretty JSON: exit 2"
expect_jq '.exit_code' 2 "pretty JSON parses"
expect_jq '.errors | length' 0 "no errors"
finish
