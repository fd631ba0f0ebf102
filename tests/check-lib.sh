# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check-lib.sh - helpers for the check tests (sourced after lib.sh).
# gen SCENARIO [gen-root options]: generates $TMP/SCENARIO (root/, gpa-map.json, qmp/)
gen() {
	local s=$1; shift
	"$PYTHON" "$top_srcdir/tests/gen-root.py" "$s" "$TMP/$s" "$@" >/dev/null || { fail "gen-root.py $s failed"; finish; }
}
# findings: one line per finding: kind region iova pages iommu_pfn cpu_pfn perm transient
FINDINGS='.findings[] | [.kind, (.region // "-"), .iova, (.pages|tostring), .iommu_pfn, (.cpu_pfn // "unknown"), .perm, (.transient|tostring)] | join(" ")'
# expect_findings "LINES" DESC
expect_findings() {
	local got
	got=$(jq -r "$FINDINGS" <"$TMP/out" 2>&1)
	if [ "$got" != "$1" ]; then
		fail "$2: findings differ"; printf '  expected:\n%s\n  got:\n%s\n' "$1" "$got" >&2
	else ok "$2"; fi
}
