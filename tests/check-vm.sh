#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check --vmid N (Proxmox: /var/run/qemu-server/N.pid and N.qmp below --root, served by
# tests/fake-qmp.py) and check --domain NAME (libvirt: /run/libvirt/qemu/NAME.pid; the
# map through libvirt's API, here libvirt's test driver: what a real libvirtd gives is
# tests/e2e-libvirt.sh). Every way the PID or the monitor can be wrong is exit 3 naming it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

QS=var/run/qemu-server
# serve SOCKET [fake-qmp options]: fake-qmp.py (stale scenario replies) on SOCKET; $QPID
serve() {
	local sock=$1; shift
	mkdir -p "$(dirname "$sock")"
	rm -f "$sock"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$sock" "$TMP/stale/qmp" --log "$TMP/qmp.log" "$@" &
	QPID=$!
	for i in $(seq 100); do [ -S "$sock" ] && return 0; sleep 0.05; done
	fail "fake-qmp.py did not start"
}
# expect_note REGEX DESC: one of summary.not_checked matches
expect_note() {
	if jq -r '.summary.not_checked[]' <"$TMP/out" | grep -Eq -- "$1"; then ok "$2"
	else fail "$2: no note matches /$1/"; jq -c '.summary.not_checked' <"$TMP/out" >&2; fi
}

gen stale
run --root "$TMP/stale/root" -j check --pid 4242 --gpa-map "$TMP/stale/gpa-map.json"
expect_rc 2 "stale --gpa-map: critical"
jq -r "$FINDINGS" <"$TMP/out" >"$TMP/stale.file"

# ---- Proxmox: one fake QEMU serves 100.qmp for every case below; its own PID is the
# VM's (the tree is generated for it), as QEMU itself serves the socket ----
V="$TMP/pve/root"
SOCK="$V/$QS/100.qmp"
serve "$SOCK" --clients 100 --timeout 120
VM=$QPID
"$PYTHON" "$top_srcdir/tests/gen-root.py" stale "$TMP/pve" --pid "$VM" --vmid 100 --name web >/dev/null || fail "gen-root --vmid"
: >"$TMP/qmp.log"
run --root "$V" -j check --vmid 100
expect_rc 2 "--vmid 100: stale page found (critical)"
expect_jq '.processes[0].pid == '"$VM"' and .processes[0].name == "web"' true "--vmid 100: the PID from 100.pid, named by -name"
expect_jq '.processes[0].gpa_map' qmp "--vmid 100: map from 100.qmp"
expect_findings "$(sed "s/4242/$VM/" "$TMP/stale.file")" "--vmid 100: same findings as --gpa-map"
expect_jq '.errors | length' 0 "--vmid 100: no errors"
if grep -q gpa2hpa "$TMP/qmp.log"; then fail "--vmid: gpa2hpa was sent"; else ok "--vmid: gpa2hpa never sent"; fi
n=$(grep -c qmp_capabilities "$TMP/qmp.log")
[ "$n" = 1 ] && ok "--vmid: one QMP session" || fail "--vmid: $n QMP sessions"

# a duplicate --vmid counts once; --stats names the socket and how long it was held
run --root "$V" --stats -j check --vmid 100 --vmid 100
expect_rc 2 "--vmid 100 twice: critical"
expect_jq '.processes | length' 1 "--vmid twice: one process"
expect_err "qmp_socket_held=[0-9.]+s qmp_commands=[0-9]+ \(.*/100\.qmp\)" "--stats: the session on 100.qmp"

# ---- Proxmox: everything that can be wrong ----
PF="$V/$QS/100.pid"
cp "$PF" "$TMP/100.pid.good"
bad_pid() {   # bad_pid CONTENT NOTE-REGEX DESC
	printf '%s' "$1" >"$PF"
	run --root "$V" -j check --vmid 100
	expect_rc 3 "$3: UNKNOWN"
	expect_note "$2" "$3: the reason"
	cp "$TMP/100.pid.good" "$PF"
}
bad_pid "abc" "^--vmid 100: .*/100\.pid: 'abc' is not a process ID$" "pid file 'abc'"
bad_pid "" "^--vmid 100: .*/100\.pid: '' is not a process ID$" "empty pid file"
bad_pid "-5" "is not a process ID" "pid file '-5'"
bad_pid "99999999999" "is not a process ID" "pid file beyond INT_MAX"
bad_pid "4243" "^--vmid 100: PID 4243: no such process \(stale pid file\)$" "stale pid file"
bad_pid "1" "^--vmid 100: PID 1 is not QEMU \(its command is '/sbin/init'\)$" "pid 1: not QEMU"
chmod 0666 "$PF"
run --root "$V" -j check --vmid 100
expect_rc 3 "world-writable pid file: UNKNOWN"
expect_note "100\.pid: writable by group or others \(mode 0666\): not trusted" "world-writable pid file: the reason"
chmod 0644 "$PF"
rm "$PF"; mkdir "$PF"
run --root "$V" -j check --vmid 100
expect_rc 3 "pid file a directory: UNKNOWN"
expect_note "100\.pid: not a regular file" "pid file a directory: the reason"
rmdir "$PF"; cp "$TMP/100.pid.good" "$PF"
run --root "$V" -j check --vmid 101
expect_rc 3 "no 101.pid: UNKNOWN"
expect_note "^--vmid 101: .*/101\.pid: No such file or directory \(is the VM running\?\)$" "no 101.pid: the reason"

# the PID is a QEMU, but not VM 100 (-id 200); not QEMU at all
CL="$V/proc/$VM/cmdline"
cp "$CL" "$TMP/cmdline.good"
sed 's/-id\x00100\x00-pidfile\x00\/var\/run\/qemu-server\/100\.pid/-id\x00200\x00-pidfile\x00\/var\/run\/qemu-server\/200.pid/' \
	"$TMP/cmdline.good" >"$CL"
run --root "$V" -j check --vmid 100
expect_rc 3 "pid of VM 200: UNKNOWN"
expect_note "^--vmid 100: PID $VM \(from .*/100\.pid\) is not Proxmox VM 100 \(its command line has -id 200 and another -pidfile\)$" "pid of VM 200: the reason"
printf '/usr/bin/sleep\0001000\000' >"$CL"
run --root "$V" -j check --vmid 100
expect_rc 3 "pid not QEMU: UNKNOWN"
expect_note "PID $VM is not QEMU \(its command is '/usr/bin/sleep'\)" "pid not QEMU: the reason"
cp "$TMP/cmdline.good" "$CL"

# the socket absent (the fake's moved aside: a listening socket keeps working by inode)
mv "$SOCK" "$SOCK.aside"
run --root "$V" -j check --vmid 100
expect_rc 3 "socket absent: UNKNOWN"
expect_note "^pid $VM: no guest physical address map: .*/100\.qmp: cannot connect to QMP: No such file or directory$" "socket absent: the reason"
run --root "$V" check --nagios --vmid 100
expect_rc 3 "socket absent, --nagios: UNKNOWN"
if grep -q "^IOMMU UNKNOWN - not checked: pid $VM: no guest physical address map: .*100\.qmp: cannot connect to QMP" "$TMP/out"; then
	ok "socket absent, --nagios: the reason on the status line"; else fail "socket absent, --nagios: $(cat "$TMP/out")"; fi
# 100.qmp served by another process than the VM's (a proxy, or a process squatting the path)
serve "$SOCK" --timeout 20
OTHER=$QPID
run --root "$V" -j check --vmid 100
kill "$OTHER" 2>/dev/null; wait "$OTHER" 2>/dev/null
expect_rc 3 "socket served by another PID: UNKNOWN"
expect_note "100\.qmp: QMP socket served by PID $OTHER, not by the VM's process $VM" "socket served by another PID: the reason"
rm -f "$SOCK"; mv "$SOCK.aside" "$SOCK"

# one VM that cannot be checked never hides another's CRITICAL
run --root "$V" -j check --vmid 100 --vmid 101
expect_rc 2 "--vmid 100 (stale) and 101 (absent): CRITICAL"
expect_note "^--vmid 101: " "--vmid 100 and 101: 101 noted"
expect_jq '[.findings[] | select(.kind == "stale")] | length' 1 "--vmid 100 and 101: 100's stale page reported"
# an unresolved VM in the monitoring outputs: the Nagios line names it, the textfile says 3
run --root "$V" check --nagios --vmid 101
expect_rc 3 "--vmid 101 --nagios: UNKNOWN"
if grep -q "^IOMMU UNKNOWN - not checked: --vmid 101: .*/101\.pid: No such file or directory (is the VM running?)" "$TMP/out"; then
	ok "--vmid 101 --nagios: the reason on the status line"; else fail "--vmid 101 --nagios: $(head -1 "$TMP/out")"; fi
run --root "$V" check --vmid 101 --prometheus "$TMP/vm.prom"
expect_rc 3 "--vmid 101 --prometheus: UNKNOWN"
grep -qx "iommu_verify_status 3" "$TMP/vm.prom" && ok "--vmid 101 --prometheus: iommu_verify_status 3" \
	|| fail "--vmid 101 --prometheus: $(grep status "$TMP/vm.prom")"
# and --pid beside --vmid: both checked
run --root "$V" -j check --vmid 100 --pid 1
expect_rc 2 "--vmid 100 --pid 1: CRITICAL (pid 1 holds no VFIO device: noted)"
expect_jq '[.processes[].pid] | sort | map(tostring) | join(" ")' "1 $VM" "--vmid 100 --pid 1: both processes"

# gpa-map --vmid: the map check reads, as text and as a --gpa-map file that gives the same findings
run --root "$V" gpa-map --vmid 100
expect_rc 0 "gpa-map --vmid 100: exit 0"
cat >"$TMP/map.txt" <<EOF
pid $VM (web): guest memory map from qmp, 5 sections
  0x0000000000000000-0x00000000000bffff ram  hva 0x00007f16f7e00000 pc.ram
  0x00000000000c0000-0x00000000000dffff rom  hva 0x00007f170e200000 pc.rom
  0x00000000000e0000-0x00000000000fffff rom  hva 0x00007f170e420000 isa-bios
  0x0000000000100000-0x0000000003ffffff ram  hva 0x00007f16f7f00000 pc.ram
  0x00000000fffc0000-0x00000000ffffffff rom  hva 0x00007f170e400000 pc.bios
EOF
expect_out "$TMP/map.txt" "gpa-map --vmid 100: the five sections, exactly"
run --root "$V" -j gpa-map --vmid 100
expect_rc 0 "gpa-map -j --vmid 100: exit 0"
jq .sections <"$TMP/out" >"$TMP/vm100.json"
expect_jq '[.pid == '"$VM"', .gpa_map, (.sections | length), .sections[4].name, .sections[4].readonly] | map(tostring) | join(" ")' \
	"true qmp 5 pc.bios true" "gpa-map -j: pid, source, sections"
run --root "$V" -j check --pid "$VM" --gpa-map "$TMP/vm100.json"
expect_rc 2 "check --gpa-map (gpa-map's sections): critical"
expect_findings "$(sed "s/4242/$VM/" "$TMP/stale.file")" "gpa-map's sections as --gpa-map: the same findings"
run --root "$V" -j gpa-map --vmid 101
expect_rc 3 "gpa-map --vmid 101 (no pid file): UNKNOWN"
expect_jq '.errors[0]' "--vmid 101: $V/$QS/101.pid: No such file or directory (is the VM running?)" "gpa-map --vmid 101: the reason"
run --root "$V" -j gpa-map --pid "$VM" --qmp "$SOCK"
expect_rc 0 "gpa-map --pid --qmp: exit 0"
expect_jq '.sections | length' 5 "gpa-map --pid --qmp: five sections"
for bad in "" "--pid 1" "--qmp $SOCK" "--vmid 100 --domain x" "--vmid 100 --pid 1 --qmp $SOCK" "--vmid 100 --connect test:///default" \
	"--vmid x" "--domain a/b" "--vmid 100 extra"; do
	eval "run --root \"\$V\" gpa-map $bad"
	expect_rc 3 "gpa-map $bad: usage error"
done
# the JSON documents validate against the shipped schema (strictly: every member named)
DOCS="$TMP/docs"; mkdir -p "$DOCS"
run --root "$V" -j gpa-map --vmid 100; cp "$TMP/out" "$DOCS/gpa-map.json"
run --root "$V" -j gpa-map --vmid 101; cp "$TMP/out" "$DOCS/gpa-map-unresolved.json"
expect_jq '[.schema_version, .command, .pid, .name, .gpa_map, .sections] | map(tostring) | join(" ")' \
	"2 gpa-map null null null null" "gpa-map --vmid 101 -j: every member present, null"
mv "$SOCK" "$SOCK.aside"
run --root "$V" -j gpa-map --vmid 100; cp "$TMP/out" "$DOCS/gpa-map-nosocket.json"
expect_jq '[.pid, .sections] | map(tostring) | join(" ")' "$VM null" "gpa-map, socket absent: the pid, no sections"
mv "$SOCK.aside" "$SOCK"
run --root "$V" -j check --vmid 100; cp "$TMP/out" "$DOCS/check-vmid.json"
run --root "$V" -j check --vmid 101; cp "$TMP/out" "$DOCS/check-vmid-unresolved.json"
run --root "$V" -j gpa-map --vmid x; cp "$TMP/out" "$DOCS/gpa-map-usage.json"
expect_jq '"\(.schema_version) \(.command)"' "2 gpa-map" "gpa-map usage error: schema_version and command"
PYJS=
for p in /usr/bin/python3 "$PYTHON"; do
	"$p" -c 'import jsonschema; jsonschema.Draft202012Validator.FORMAT_CHECKER' >/dev/null 2>&1 && { PYJS=$p; break; }
done
if [ -n "$PYJS" ]; then
	if "$PYJS" "$top_srcdir/tests/json-validate.py" --strict "$top_srcdir/schema/iommu-verify.schema.json" "$DOCS"/*.json >"$TMP/js.out" 2>&1; then
		ok "$(ls "$DOCS" | wc -l) documents (gpa-map, check --vmid) validate against the schema"
	else fail "schema: $(cat "$TMP/js.out")"; fi
	# and the check can fail: a section's size as a number
	jq '.sections[0].size = 4096' "$DOCS/gpa-map.json" >"$TMP/bad.json"
	"$PYJS" "$top_srcdir/tests/json-validate.py" --strict "$top_srcdir/schema/iommu-verify.schema.json" "$TMP/bad.json" >/dev/null 2>&1 \
		&& fail "schema accepts a section size that is a number" || ok "schema refuses a section size that is a number"
else echo "note: no python3 jsonschema (scripts/install-deps check): the documents are not validated"; fi
kill "$VM" 2>/dev/null; wait "$VM" 2>/dev/null

# ---- libvirt: the pid file and the process ----
L="$TMP/lv/root"
"$PYTHON" "$top_srcdir/tests/gen-root.py" stale "$TMP/lv" --libvirt --name test \
	--uuid 6695eb01-f6a4-8304-79aa-97f2502e193f >/dev/null || fail "gen-root --libvirt"
LP="$L/run/libvirt/qemu/test.pid"
[ "$(cat "$LP")" = 4242 ] && ok "gen-root --libvirt: test.pid" || fail "gen-root --libvirt: no test.pid"
run --root "$L" -j check --domain nosuch
expect_rc 3 "--domain nosuch: UNKNOWN"
if grep -q '^#define HAVE_LIBVIRT 1' "$top_builddir/config.h"; then
	expect_note "^--domain nosuch: .*/run/libvirt/qemu/nosuch\.pid: No such file or directory \(is the VM running\?\)$" "--domain nosuch: the reason"
	cp "$LP" "$L/run/libvirt/qemu/other.pid"
	run --root "$L" -j check --domain other
	expect_rc 3 "--domain other (pid of guest test): UNKNOWN"
	expect_note "^--domain other: PID 4242 \(from .*/other\.pid\) is QEMU guest 'test', not domain 'other'$" "--domain other: the reason"
	# libvirt's test driver: domain "test" (UUID 6695eb01-...) is running, but has no QEMU monitor
	run --root "$L" -j check --domain test --connect test:///default
	expect_rc 3 "--domain test on test:///default: UNKNOWN"
	expect_note "^pid 4242: no guest physical address map: --domain test \(libvirt test:///default\): info uuid: virDomainQemuMonitorCommand: .*not supported" \
		"--domain test: libvirt's own error named"
	# a UUID that is not libvirt's domain's: the process is not that domain
	sed -i 's/6695eb01-f6a4-8304-79aa-97f2502e193f/11111111-2222-3333-4444-555555555555/' "$L/proc/4242/cmdline"
	run --root "$L" -j check --domain test --connect test:///default
	expect_rc 3 "--domain test, other -uuid: UNKNOWN"
	expect_err "libvirt's domain has UUID 6695eb01-f6a4-8304-79aa-97f2502e193f but the process from the pid file runs -uuid 11111111-2222-3333-4444-555555555555" \
		"--domain test, other -uuid: both UUIDs named"
	run --root "$L" -j check --domain nosuch --connect test:///default
	expect_rc 3 "--domain nosuch, test driver: UNKNOWN"
	cp "$LP" "$L/run/libvirt/qemu/nosuch.pid"
	sed -i 's/guest=test,/guest=nosuch,/' "$L/proc/4242/cmdline"
	run --root "$L" -j check --domain nosuch --connect test:///default
	expect_rc 3 "--domain nosuch (pid file right, libvirt has no such domain): UNKNOWN"
	expect_err "libvirt has no domain nosuch" "--domain nosuch: libvirt's answer named"
	# a name with a comma: QEMU's -name escapes it as ",,"
	printf '/usr/bin/qemu-system-x86_64\0-name\0guest=a,,b,debug-threads=on\0-uuid\0u\0' >"$L/proc/4242/cmdline"
	cp "$LP" "$L/run/libvirt/qemu/a,b.pid"
	run --root "$L" -j check --domain a,b --connect test:///default
	expect_rc 3 "--domain a,b: UNKNOWN (test driver)"
	expect_err "libvirt has no domain a,b" "--domain a,b: -name guest=a,,b is domain a,b"
else
	expect_note "^--domain nosuch: this iommu-verify was built without libvirt support \(configure --with-libvirt, Debian package libvirt-dev\)$" \
		"--domain without libvirt support: the reason"
fi

# ---- usage ----
for bad in "--vmid abc" "--vmid 0" "--vmid 1000000000" "--vmid -1" "--domain ''" "--domain a/b" \
	"--all --vmid 100" "--all --domain x" "--vmid 100 --qmp $TMP/x.sock" "--domain x --gpa-map $TMP/stale/gpa-map.json" \
	"--vmid 100 --connect qemu:///system" "--domain x --connect ''"; do
	eval "run --root \"\$V\" check $bad"
	expect_rc 3 "check $bad: usage error"
done
finish
