#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/monitor-node-exporter.sh - the --prometheus textfile through a real
# prometheus-node-exporter (Debian package), started here on 127.0.0.1 with only
# the textfile collector and stopped by its PID. Two trees:
#   two    gen-root "stale" plus clones of its QEMU: VMs web (pids 4242 and 6161:
#          one series, summed), "db,1" (pid 5151, -name db,,1) and a hostile name
#          (pid 7171: '"', '\', a newline, a tab, a byte that is not UTF-8);
#   clean  one VM, nothing found.
# Every iommu_verify_* line of the scrape is compared with tests/data/monitor/
# (timestamp, duration and version masked); node_textfile_scrape_error must be 0
# and the exporter's log must hold no error. To prove the log check can fail, a
# textfile with a duplicate series and one with a label that is not UTF-8 must
# each put an error there. Also `promtool check metrics` on each textfile.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
NE=prometheus-node-exporter
command -v $NE >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 ||
	"$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
for c in $NE promtool; do
	if ! command -v $c >/dev/null 2>&1; then
		echo "SKIP: $c not found and scripts/install-deps check could not install it"; exit 77
	fi
done
E="$DATA/monitor"
V=$("$IV" --version | sed 's/^iommu-verify //')
TF="$TMP/textfile"
mkdir -p "$TF"
NEPID=
stop_exporter() {
	[ -n "$NEPID" ] || return 0
	kill "$NEPID" 2>/dev/null
	i=0
	while kill -0 "$NEPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -0 "$NEPID" 2>/dev/null && kill -9 "$NEPID" 2>/dev/null
	NEPID=
}
trap stop_exporter EXIT

# ---- the two trees
gen stale --name web
R="$TMP/stale/root"
cp -a "$R/proc/4242" "$R/proc/5151"
printf '/usr/bin/qemu-system-x86_64\0-name\0db,,1,debug-threads=on\0' >"$R/proc/5151/cmdline"
cp -a "$R/proc/4242" "$R/proc/6161"
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=web\0' >"$R/proc/6161/cmdline"
cp -a "$R/proc/4242" "$R/proc/7171"
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=a"b\\c\nd\te\377f\0' >"$R/proc/7171/cmdline"
gen clean --name clean-vm

# textfile TREE: writes $TF/iommu-verify.prom with the real tool
textfile() {
	run --root "$TMP/$1/root" check --all --prometheus "$TF/iommu-verify.prom"
	expect_rc "$2" "$1: check --all --prometheus"
	promtool check metrics <"$TF/iommu-verify.prom" >"$TMP/promtool.out" 2>&1 &&
		ok "$1: promtool check metrics: clean" ||
		{ fail "$1: promtool check metrics"; sed 's/^/  /' "$TMP/promtool.out" >&2; }
}

# ---- the exporter, on a free port (a port taken meanwhile: try again)
for try in 1 2 3; do
	PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	$NE --collector.disable-defaults --collector.textfile --collector.textfile.directory="$TF" \
		--web.listen-address="127.0.0.1:$PORT" >"$TMP/ne.log" 2>&1 &
	NEPID=$!
	i=0
	while [ $i -lt 100 ] && kill -0 "$NEPID" 2>/dev/null && ! grep -q 'msg="Listening on"' "$TMP/ne.log" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q 'msg="Listening on"' "$TMP/ne.log" 2>/dev/null && kill -0 "$NEPID" 2>/dev/null && break
	stop_exporter
done
if [ -z "$NEPID" ]; then
	fail "$NE did not start"; sed 's/^/  log: /' "$TMP/ne.log" >&2; finish
fi
ok "$NE listens on 127.0.0.1:$PORT (pid $NEPID), textfile collector only"
grep -q 'collector=textfile$' "$TMP/ne.log" && ! grep 'level=info collector=' "$TMP/ne.log" | grep -qv 'collector=textfile$' &&
	ok "only the textfile collector is enabled" || fail "other collectors enabled: $(grep 'level=info collector=' "$TMP/ne.log")"

# scrape NAME: the iommu_verify_* lines (values masked) into $TMP/out, the rest into $TMP/scrape
scrape() {
	"$PYTHON" - "http://127.0.0.1:$PORT/metrics" "$TMP/scrape" <<'PY' || fail "$1: scrape failed"
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as r:
    open(sys.argv[2], "wb").write(r.read())
PY
	grep 'iommu_verify_' "$TMP/scrape" | sed -E \
		-e 's/^(iommu_verify_(last_run_timestamp|duration)_seconds) .*$/\1 X/' \
		-e "s/^iommu_verify_build_info\\{version=\"$V\"\\} 1\$/iommu_verify_build_info{version=\"VERSION\"} 1/" >"$TMP/out"
}
# log_errors: the exporter's error and warning lines, but the one about running as root
log_errors() {
	grep -E 'level=(error|warn)' "$TMP/ne.log" | grep -v 'Node Exporter is running as root user' || true
}

for t in stale:2 clean:0; do
	s=${t%%:*}
	textfile "$s" "${t#*:}"
	scrape "$s"
	expect_out "$E/$s.scrape" "$s: every iommu_verify series and value in the scrape"
	cp "$TMP/out" "$TMP/$s.out"
	grep -qx 'node_textfile_scrape_error 0' "$TMP/scrape" && ok "$s: node_textfile_scrape_error 0" ||
		fail "$s: node_textfile_scrape_error: $(grep '^node_textfile_scrape_error' "$TMP/scrape")"
	grep -q "^node_textfile_mtime_seconds{file=\"$TF/iommu-verify.prom\"} " "$TMP/scrape" &&
		ok "$s: node_textfile_mtime_seconds names the file" || fail "$s: no node_textfile_mtime_seconds for the file"
	[ -z "$(log_errors)" ] && ok "$s: no error in the exporter's log" ||
		{ fail "$s: the exporter logged errors"; log_errors | sed 's/^/  log: /' >&2; }
done
n=$(grep -c '^iommu_verify_finding_pages{bdf="0000:00:02.0",kind="stale",vm="web"} ' "$TMP/stale.out")
grep -qx 'iommu_verify_finding_pages{bdf="0000:00:02.0",kind="stale",vm="web"} 2' "$TMP/stale.out" && [ "$n" = 1 ] &&
	ok "web's two QEMUs: one series, 2 stale pages" || fail "web's two QEMUs: $n series"

# the log check can fail: what node_exporter says of a duplicate series and of a label that is not UTF-8
printf 'iommu_verify_test{a="1"} 1\niommu_verify_test{a="1"} 2\n' >"$TF/dup.prom"
scrape dup
rm -f "$TF/dup.prom"
log_errors | grep -q 'was collected before with the same name and label values' &&
	ok "a duplicate series is an error in the exporter's log" || fail "a duplicate series was not logged"
printf 'iommu_verify_test{a="\377"} 1\n' >"$TF/bad.prom"
scrape bad
rm -f "$TF/bad.prom"
grep -qx 'node_textfile_scrape_error 1' "$TMP/scrape" && log_errors | grep -q 'invalid label value' &&
	ok "a label that is not UTF-8: node_textfile_scrape_error 1 and logged" || fail "a label that is not UTF-8 was accepted"

pid=$NEPID
stop_exporter
kill -0 "$pid" 2>/dev/null && fail "$NE pid $pid still runs" || ok "$NE stopped by its PID"
finish
