#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# host-qmp.sh - iv_gpamap_from_qmp against tests/fake-qmp.py: the captured QEMU 7.2
# replies, the generated pcbios scenario, and a misbehaving server (close, garbage,
# silence, errors, huge replies): always an error naming socket and command, never a hang.
. "$top_srcdir/tests/lib.sh"
TH="$top_builddir/tests/test-host"
SOCK="$TMP/qmp.sock"

# fake DIR [fake-qmp options]: start the server in the background, wait for its socket
fake() {
	rm -f "$SOCK" "$TMP/log"
	"$PYTHON" "$top_srcdir/tests/fake-qmp.py" "$SOCK" "$@" --log "$TMP/log" --timeout 20 &
	FAKE=$!
	i=0
	while [ ! -S "$SOCK" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
# th ARGS: run the driver like run() does
th() { "$TH" "$@" >"$TMP/out" 2>"$TMP/err"; RC=$?; wait "$FAKE" 2>/dev/null; }

cat >"$TMP/capture.exp" <<'X'
how=qmp samples=0 agreed=0
0 0xc0000 ram rw 0 0x7fdaebe00000 pc.ram
0xc0000 0x1000 rom ro 0xc0000 0x7fdaebec0000 pc.ram
0xc1000 0x3000 ram rw 0xc1000 0x7fdaebec1000 pc.ram
0xc4000 0x24000 rom ro 0xc4000 0x7fdaebec4000 pc.ram
0xe8000 0x8000 ram rw 0xe8000 0x7fdaebee8000 pc.ram
0xf0000 0x10000 rom ro 0xf0000 0x7fdaebef0000 pc.ram
0x100000 0x3ff00000 ram rw 0x100000 0x7fdaebf00000 pc.ram
0xfffc0000 0x40000 rom ro 0 0x7fdaebc00000 pc.bios
X
fake "$DATA/qmp-intel-host"
th qmp "$SOCK"
expect_rc 0 "QEMU 7.2 capture"
expect_out "$TMP/capture.exp" "capture: sections and HVAs from gpa2hva"
if grep -q gpa2hpa "$TMP/log"; then fail "gpa2hpa was sent"; else ok "gpa2hpa never sent"; fi
if [ "$(jq -r '.execute + " " + (.arguments."command-line" // "")' "$TMP/log" | tr '\n' ';')" = \
	"qmp_capabilities ;human-monitor-command info mtree -f;human-monitor-command info ramblock;human-monitor-command gpa2hva 0x0;human-monitor-command gpa2hva 0xc0000;human-monitor-command gpa2hva 0xc1000;human-monitor-command gpa2hva 0xc4000;human-monitor-command gpa2hva 0xe8000;human-monitor-command gpa2hva 0xf0000;human-monitor-command gpa2hva 0x100000;human-monitor-command gpa2hva 0xfffc0000;human-monitor-command info mtree;" ]; then
	ok "exactly the expected commands"; else fail "commands sent: $(cat "$TMP/log")"; fi

for mode in split events; do
	# split: every reply to an "info" command 7 bytes a send; the client gets 30 s a reply
	# (not the default 5), so that a loaded machine cannot make it time out
	t=5; [ $mode = split ] && t=30
	fake "$DATA/qmp-intel-host" --bad $mode --bad-cmd "info"
	th qmp "$SOCK" $t
	expect_rc 0 "$mode replies"
	expect_out "$TMP/capture.exp" "$mode: same sections"
done

"$PYTHON" "$top_srcdir/tests/gen-root.py" pcbios "$TMP/pcbios"
cat >"$TMP/pcbios.exp" <<'X'
how=qmp samples=0 agreed=0
0 0xc0000 ram rw 0 0x7f16f7e00000 pc.ram
0xc0000 0x20000 rom ro 0 0x7f170e200000 pc.rom
0xe0000 0x20000 rom ro 0x20000 0x7f170e420000 isa-bios
0x100000 0x3f00000 ram rw 0x100000 0x7f16f7f00000 pc.ram
0xfffc0000 0x40000 rom ro 0 0x7f170e400000 pc.bios
X
fake "$TMP/pcbios/qmp"
th qmp "$SOCK"
expect_rc 0 "pcbios scenario"
expect_out "$TMP/pcbios.exp" "pcbios: pc.rom, isa-bios alias (@0x20000), pc.bios"

# misbehaving server: mode, command it hits, expected error
check_bad() {
	fake "$DATA/qmp-intel-host" --bad "$1" --bad-cmd "$2"
	t0=$(date +%s)
	th qmp "$SOCK" 1
	t1=$(date +%s)
	expect_rc 3 "$1 at '$2'"
	expect_err "$3" "$1 at '$2': error message"
	if [ $((t1 - t0)) -le 5 ]; then ok "$1: no hang"; else fail "$1: took $((t1 - t0)) s"; fi
}
check_bad close "info mtree -f" "qmp.sock: info mtree -f: QEMU closed the connection in the middle of a reply"
check_bad garbage "info ramblock" "qmp.sock: info ramblock: reply is not a JSON object"
check_bad silent "info mtree -f" "qmp.sock: info mtree -f: no reply from QEMU within 1 s"
check_bad silent greeting "qmp.sock: greeting: no reply from QEMU within 1 s"
check_bad error "info ramblock" "qmp.sock: info ramblock: QEMU error GenericError: fake-qmp: refused"
check_bad garbage "gpa2hva 0xc4000" "qmp.sock: gpa2hva 0xc4000: reply is not a JSON object"
check_bad close qmp_capabilities "qmp.sock: qmp_capabilities: QEMU closed the connection"
check_bad huge "info mtree -f" "qmp.sock: info mtree -f: reply larger than 16 MiB"

rm -f "$SOCK"
"$TH" qmp "$SOCK" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "no socket"
expect_err "qmp.sock: cannot connect to QMP" "no socket: message"
finish
