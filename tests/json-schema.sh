#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# json-schema.sh - issue 15.6: every JSON document iommu-verify prints (every command, findings,
# a vIOMMU UNKNOWN, an inferred map, errors: a bad FILE:LINE input, missing debugfs, usage
# errors) validates against schema/iommu-verify.schema.json (draft 2020-12, Debian's
# python3-jsonschema, format checks on), strictly: a member the schema does not name fails.
# And the check can fail: mutated documents (a number where a hex string is required, the
# schema-1 name "device", no schema_version, ...) are rejected.
. "$top_srcdir/tests/lib.sh"
SCHEMA="$top_srcdir/schema/iommu-verify.schema.json"
VALIDATE="$top_srcdir/tests/json-validate.py"

# Debian's python3-jsonschema first (/usr/bin/python3), else whatever $PYTHON has.
has_js() { "$1" -c 'import jsonschema; jsonschema.Draft202012Validator.FORMAT_CHECKER' >/dev/null 2>&1; }
PY=
for p in /usr/bin/python3 "$PYTHON"; do has_js "$p" && { PY=$p; break; }; done
if [ -z "$PY" ]; then
	"$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
	for p in /usr/bin/python3 "$PYTHON"; do has_js "$p" && { PY=$p; break; }; done
fi
if [ -z "$PY" ]; then
	echo "SKIP: no python3 with jsonschema >= 4 (Debian: python3-jsonschema; scripts/install-deps check)"; exit 77
fi
echo "validator: $PY, jsonschema $("$PY" -c 'import importlib.metadata as m; print(m.version("jsonschema"))')"

DOCS="$TMP/docs"; mkdir -p "$DOCS"
N=0
# doc NAME RC ARGS...: run the tool, expect exit RC, keep stdout as $DOCS/NAME.json
doc() {
	name=$1 rc=$2; shift 2
	run "$@"
	expect_rc "$rc" "$name"
	cp "$TMP/out" "$DOCS/$name.json"
	N=$((N + 1))
}

# --- devices, dump, lookup on the lab captures and the debugfs eras
L61="--root $DATA/lab61 --source debugfs"
L612="--root $DATA/lab612 --source debugfs"
G="$TMP/gen"
"$PYTHON" "$top_srcdir/tests/gen-debugfs.py" "$G" || { fail "gen-debugfs.py"; finish; }
doc devices-lab61 0 $L61 -j devices
doc devices-lab612 0 $L612 -p devices
doc devices-no-debugfs 0 --root "$DATA/lab61" --debugfs "$TMP/none" --source debugfs -j devices
doc devices-v6.7 0 --root "$G/v6.7" --source debugfs -j devices
mkdir -p "$TMP/empty"
doc devices-nothing 3 --root "$TMP/empty" -j devices
doc dump-lab612 0 $L612 -j dump 0000:00:02.0
doc dump-fl 0 --root "$G/v6.7-fl" --source debugfs -j dump 0000:03:00.0 --pasid 0x1a
doc dump-unknown 3 $L612 -j dump 0000:00:05.0
doc lookup-lab612 0 $L612 -j lookup 0000:00:02.0 0x100000 0x7ff000 0x900000
doc lookup-unknown 3 $L612 -j lookup 0000:00:05.0 0x1000
doc debugfs-missing 3 --root "$DATA/lab61" --debugfs "$TMP/none" --source debugfs -j dump 0000:00:02.0

# --- tables: identical, different, one side unreadable
. "$top_srcdir/tests/memory-lib.sh"
tables_fixture
doc tables-same 0 --root "$TMP/same" --memory "$TMP/tab.elf" -j tables 0000:00:02.0
doc tables-diff 2 --root "$TMP/diff" --memory "$TMP/tab.elf" -j tables 0000:00:02.0
doc tables-no-memory 3 --root "$TMP/same" --memory "$TMP/missing.elf" -j tables 0000:00:02.0

# --- check: findings, clean, --all, vIOMMU UNKNOWN, inferred map, bad input, missing debugfs
. "$top_srcdir/tests/check-lib.sh"
gen pcbios
gen clean
gen stale
doc check-pcbios 2 --root "$TMP/pcbios/root" -j check --pid 4242 --gpa-map "$TMP/pcbios/gpa-map.json"
doc check-clean 0 --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
doc check-all 2 --root "$TMP/stale/root" -j check --all
doc check-inferred 0 --root "$TMP/clean/root" -j check --pid 4242
doc check-device-filter 3 --root "$TMP/pcbios/root" -j check --pid 4242 --device 0000:00:03.0 \
	--gpa-map "$TMP/pcbios/gpa-map.json"
doc check-gone-pid 3 --root "$TMP/clean/root" -j check --pid 4242 --pid 99 --gpa-map "$TMP/clean/gpa-map.json"
gen clean --viommu "intel-iommu,caching-mode=on"
doc check-viommu 3 --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
doc check-viommu-nomap 3 --root "$TMP/clean/root" -j check --pid 4242
gen clean --name-style none --comm qemu-kvm
doc check-no-name 0 --root "$TMP/clean/root" -j check --pid 4242 --gpa-map "$TMP/clean/gpa-map.json"
printf '[{"gpa": "0x0",\n  "size": zz}]\n' >"$TMP/bad-map.json"
doc check-bad-file 3 --root "$TMP/pcbios/root" -j check --pid 4242 --gpa-map "$TMP/bad-map.json"
doc check-no-debugfs 3 --root "$TMP/pcbios/root" --debugfs "$TMP/none" --source debugfs -j check --pid 4242 \
	--gpa-map "$TMP/pcbios/gpa-map.json"

# --- usage errors and --version
doc usage-no-command 3 -j
doc usage-unknown-command 3 -j frob
doc usage-dump-no-device 3 -j dump
doc usage-lookup-bad-iova 3 -j lookup 0000:00:02.0 -0x1000
doc usage-check-bad-pid 3 check --pid x -j
doc usage-unknown-option 3 -p devices --frob
doc version 0 -j --version

# every document names its version and command; the ones with content are not error-only
for f in "$DOCS"/*.json; do
	n=$(basename "$f" .json)
	v=$(jq -r '"\(.schema_version) \(.command)"' <"$f" 2>&1)
	case $n in
	usage-*|version) want="2 null" ;;
	debugfs-missing) want="2 dump" ;;
	*) want="2 ${n%%-*}" ;;
	esac
	case $n in usage-dump-*) want="2 dump" ;; usage-lookup-*) want="2 lookup" ;;
		usage-check-*) want="2 check" ;; usage-unknown-option) want="2 devices" ;; esac
	[ "$v" = "$want" ] && ok "$n: schema_version and command: $v" || fail "$n: schema_version and command '$v', expected '$want'"
done
# the things schema 2 changed, on real output (a rename is asserted, not assumed)
expect_doc() {   # expect_doc NAME FILTER EXPECTED
	got=$(jq -r "$2" <"$DOCS/$1.json" 2>&1)
	[ "$got" = "$3" ] && ok "$1: $2" || fail "$1: jq '$2' gave '$got', expected '$3'"
}
expect_doc dump-lab612 '[.bdf, .pasid, .table_format, .extents[16].page_size, .extent_count] | map(tostring) | join(" ")' \
	"0000:00:02.0 0 second-level 0x200000 17"
expect_doc dump-fl '.table_format' first-level
expect_doc dump-unknown '[.bdf, .vendor, .source, .extents, .extent_count, (.errors | length)] | map(tostring) | join(" ")' \
	"0000:00:05.0 null null null null 1"
expect_doc lookup-lab612 '[.results[] | [.iova, .page_size, (.level | tostring)] | join(" ")] | join(",")' \
	"0x100000 0x1000 1,0x7ff000 0x200000 2,0x900000  null"
expect_doc lookup-lab612 '.results[2] | [.mapped, .phys, .pfn, .perm, .page_size, .level, .leaf_iova, .entries] | map(tostring) | join(" ")' \
	"false null null null null null null null"
expect_doc tables-diff '[.bdf, .identical, .difference_count, .differences[0].debugfs.size] | map(tostring) | join(" ")' \
	"0000:00:02.0 false 3 0x1000"
expect_doc devices-lab61 '[.devices[2].table_readable, (.devices[2] | has("table"))] | map(tostring) | join(" ")' "true false"
expect_doc devices-nothing '[.units, .devices, (.errors | length)] | map(tostring) | join(" ")' "[] [] 1"
expect_doc check-pcbios '.summary | [.devices_found, .findings, .finding_pages, .by_kind.zero_page.findings, .by_kind.zero_page.pages, .transient_findings] | map(tostring) | join(" ")' \
	"1 3 128 2 96 0"
expect_doc check-pcbios '.summary.duration_seconds | type' number
expect_doc check-pcbios '.processes[0] | [.gpa_map, .samples, .samples_agreed, .reason, .viommu] | map(tostring) | join(" ")' \
	"file null null null null"
expect_doc check-pcbios '.processes[0] | [.name, .vm] | join(" ")' "vm1 vm1"
expect_doc check-no-name '.processes[0] | [.name, .vm] | map(tostring) | join(" ")' "qemu-kvm null"
expect_doc check-inferred '.processes[0] | [.gpa_map, (.samples > 0), (.samples_agreed > 0)] | map(tostring) | join(" ")' \
	"inferred true true"
expect_doc check-bad-file '.errors[0] | test("bad-map.json:2:[0-9]+: ")' true
expect_doc usage-unknown-option '.errors' '[
  "devices: unknown option '"'"'--frob'"'"' (see iommu-verify --help)"
]'
if grep -q '"duration_seconds":[0-9]*[,}]' "$DOCS"/check-*.json; then fail "a duration without a fraction"; else ok "durations are floats"; fi

# --- validate them all, strictly (every member printed is named by the schema)
"$PY" "$VALIDATE" --strict "$SCHEMA" "$DOCS"/*.json >"$TMP/valid" 2>&1
vrc=$?
valid=$(grep -c '^valid: ' "$TMP/valid")
if [ $vrc -eq 0 ] && [ "$valid" -eq "$N" ]; then ok "all $N documents valid (strict)"
else fail "schema validation: exit $vrc, $valid of $N valid"; grep -v '^valid: ' "$TMP/valid" >&2; fi
"$PY" "$VALIDATE" "$SCHEMA" "$DOCS"/*.json >/dev/null 2>&1 && ok "all valid (shipped schema)" || fail "shipped schema rejects output"

# --- and it can fail: each mutation must be rejected, naming the member
# mutate NAME SOURCE-DOC JQ-EXPR PATH MESSAGE-REGEX: the first error names PATH with MESSAGE
mutate() {
	jq "$3" <"$DOCS/$2.json" >"$TMP/m-$1.json" || { fail "mutation $1: jq"; return; }
	"$PY" "$VALIDATE" --strict "$SCHEMA" "$TMP/m-$1.json" >"$TMP/m-$1.out" 2>&1
	r=$?
	first=$(sed -n 1p "$TMP/m-$1.out" | sed 's/^invalid: [^:]*: //')
	case $first in
	"$4: "*) if printf '%s\n' "${first#"$4: "}" | grep -Eq -- "$5"; then ok "rejected: $1: $first"; return; fi ;;
	esac
	fail "mutation $1: exit $r, expected 1 and first '$4: /$5/'"; cat "$TMP/m-$1.out" >&2
}
mutate page-size-number dump-lab612 '.extents[0].page_size = 4096' 'extents/0/page_size' "4096 is not of type 'string'"
mutate size-number tables-diff '.differences[0].debugfs.size = 4096' 'differences/0/debugfs/size' "4096 is not of type 'string'"
mutate iova-decimal check-pcbios '.findings[0].iova = "786432"' 'findings/0/iova' "does not match"
mutate old-name-device dump-lab612 '.device = .bdf' '(document)' "'device' was unexpected"
mutate old-summary-count check-pcbios '.summary.zero_page = 2' 'summary' "'zero_page' was unexpected"
mutate no-schema-version devices-lab61 'del(.schema_version)' '(document)' "'schema_version' is a required property"
mutate schema-version-1 lookup-lab612 '.schema_version = 1' 'schema_version' "2 was expected"
mutate count-string check-pcbios '.summary.findings = "3"' 'summary/findings' "'3' is not of type 'integer'"
mutate by-kind-missing check-pcbios 'del(.summary.by_kind.stale)' 'summary/by_kind' "'stale' is a required property"
mutate samples-absent check-inferred 'del(.processes[0].samples)' 'processes/0' "'samples' is a required property"
mutate samples-not-inferred check-pcbios '.processes[0].samples = 5' 'processes/0/samples' "5 is not of type 'null'"
mutate reason-on-checked check-clean '.processes[0].devices[0].reason = "x"' 'processes/0/devices/0/reason' "'x' is not of type 'null'"
mutate bad-bdf devices-lab61 '.devices[0].bdf = "00:00.0"' 'devices/0/bdf' "does not match"
mutate exit-code-mismatch check-pcbios '.exit_code = 0' 'exit_code' "2 was expected"
mutate errors-not-strings usage-no-command '.errors = [3]' 'errors/0' "3 is not of type 'string'"
mutate unmapped-with-pfn lookup-lab612 '.results[2].pfn = "0x1"' 'results/2/pfn' "'0x1' is not of type 'null'"
mutate duration-string check-clean '.summary.duration_seconds = "0.1"' 'summary/duration_seconds' "is not of type 'number'"
mutate vm-absent check-pcbios 'del(.processes[0].vm)' 'processes/0' "'vm' is a required property"
mutate table-old-name devices-lab61 '.devices[0].table = true' 'devices/0' "'table' was unexpected"
# the compatibility rule: a member the schema does not know is fine for the shipped schema
jq '.new_member = 1' <"$DOCS/dump-lab612.json" >"$TMP/m-added.json"
"$PY" "$VALIDATE" "$SCHEMA" "$TMP/m-added.json" >/dev/null 2>&1 && ok "shipped schema: an added member is compatible" \
	|| fail "shipped schema rejects an added member"
finish
