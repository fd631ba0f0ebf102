#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/contrib-nrpe.sh - contrib/nrpe/iommu-verify.cfg in a real NRPE daemon
# (Debian nagios-nrpe-server) that this test starts on 127.0.0.1 and stops by
# its PID, queried with the real check_nrpe (nagios-nrpe-plugin). The command
# line is the file's with "sudo -n /usr/sbin/iommu-verify" replaced by the build
# tree's binary: NRPE runs it as its unprivileged user (nagios), which must end
# UNKNOWN (3) with the reason, never OK; a second command on the pc.bios --root
# tree carries CRITICAL (2), the perfdata and the long output through NRPE; a
# third, on a tree where /proc/PID/maps is a FIFO nobody writes, shows -t ending
# the run (UNKNOWN, "timed out after 1 s") well before NRPE's command_timeout.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
NRPE=/usr/sbin/nrpe CHECK=/usr/lib/nagios/plugins/check_nrpe
[ -x $NRPE ] && [ -x $CHECK ] || "$top_srcdir/scripts/install-deps" check >/dev/null 2>&1 || true
[ -x $NRPE ] && [ -x $CHECK ] || { echo "SKIP: nrpe/check_nrpe not installed (scripts/install-deps check)"; exit 77; }
[ "$(id -u)" -eq 0 ] && id nagios >/dev/null 2>&1 || { echo "SKIP: needs root and the nagios user"; exit 77; }
gen pcbios
chmod -R a+rX "$TMP" 2>/dev/null
if ! su -s /bin/sh nagios -c "'$IV' --version" >/dev/null 2>&1 ||
	! su -s /bin/sh nagios -c "test -r '$TMP/pcbios/root/proc/4242/pagemap'"; then
	echo "SKIP: user nagios cannot run $IV or read $TMP"; exit 77
fi
PORT=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s|/usr/bin/sudo -n /usr/sbin/iommu-verify |$IV |" "$top_srcdir/contrib/nrpe/iommu-verify.cfg" > "$TMP/iommu-verify.cfg"
[ "$(grep -c "^command\[check_iommu_verify\]=$IV check --all --nagios -t 50\$" "$TMP/iommu-verify.cfg")" = 1 ] \
	&& ok "contrib command line, binary swapped: $IV check --all --nagios -t 50" || { fail "contrib/nrpe command line changed"; finish; }
echo "command[check_iommu_verify_sample]=$IV --root $TMP/pcbios/root check --all --nagios -t 50" >> "$TMP/iommu-verify.cfg"
gen clean
rm "$TMP/clean/root/proc/4242/maps"; mkfifo -m 0644 "$TMP/clean/root/proc/4242/maps"
chmod -R a+rX "$TMP" 2>/dev/null
echo "command[check_iommu_verify_hang]=$IV --root $TMP/clean/root check --all --nagios -t 1" >> "$TMP/iommu-verify.cfg"
cat > "$TMP/nrpe.cfg" <<EOF2
server_address=127.0.0.1
server_port=$PORT
nrpe_user=nagios
nrpe_group=nagios
allowed_hosts=127.0.0.1
dont_blame_nrpe=0
command_timeout=60
connection_timeout=30
pid_file=$TMP/nrpe.pid
include=$TMP/iommu-verify.cfg
EOF2
$NRPE -c "$TMP/nrpe.cfg" -f >"$TMP/nrpe.log" 2>&1 &
NPID=$!
trap 'kill $NPID 2>/dev/null' EXIT
i=0
while [ $i -lt 50 ] && ! $CHECK -H 127.0.0.1 -p "$PORT" -t 5 >/dev/null 2>&1; do sleep 0.1; i=$((i + 1)); done
v=$($CHECK -H 127.0.0.1 -p "$PORT" -t 5 2>&1)
case $v in NRPE\ v*) ok "nrpe (pid $NPID) answers on 127.0.0.1:$PORT: $v" ;; *) fail "nrpe did not start: $v"; cat "$TMP/nrpe.log" >&2; finish ;; esac

$CHECK -H 127.0.0.1 -p "$PORT" -t 60 -c check_iommu_verify >"$TMP/out" 2>&1; RC=$?
expect_rc 3 "check_nrpe -c check_iommu_verify as user nagios (unprivileged)"
grep -q '^IOMMU UNKNOWN - ' "$TMP/out" && ok "unprivileged: $(cut -c1-100 "$TMP/out")" || fail "unprivileged output: $(cat "$TMP/out")"
$CHECK -H 127.0.0.1 -p "$PORT" -t 60 -c check_iommu_verify_sample >"$TMP/out" 2>&1; RC=$?
expect_rc 2 "check_nrpe on the pc.bios tree"
head -1 "$TMP/out" | grep -q "^IOMMU CRITICAL - .*zero_page | 'zero_page'=[1-9][0-9]*;;0;0; .*'pages_checked'=16448;;;0;\$" \
	&& ok "CRITICAL line and perfdata through NRPE" || fail "pc.bios through NRPE: $(cat "$TMP/out")"
[ "$(wc -l <"$TMP/out")" -eq 3 ] && [ "$(grep -c '^CRITICAL zero_page: VM vm1 pid 4242 device 0000:00:02.0 ' "$TMP/out")" -eq 2 ] \
	&& ok "the long output through NRPE: 2 finding lines" || fail "long output through NRPE: $(cat "$TMP/out")"
t0=$(date +%s)
$CHECK -H 127.0.0.1 -p "$PORT" -t 60 -c check_iommu_verify_hang >"$TMP/out" 2>&1; RC=$?
secs=$(($(date +%s) - t0))
expect_rc 3 "check_nrpe on a tree whose maps is a FIFO, -t 1"
[ "$(cat "$TMP/out")" = "IOMMU UNKNOWN - timed out after 1 s (-t/--timeout): the run did not finish" ] \
	&& ok "-t 1 through NRPE: the plugin's own UNKNOWN" || fail "-t 1 through NRPE: $(cat "$TMP/out")"
[ $secs -le 3 ] && ok "-t 1 through NRPE: answered in about $secs s" || fail "-t 1 through NRPE: $secs s"
$CHECK -H 127.0.0.1 -p "$PORT" -t 10 -c no_such_command >"$TMP/out" 2>&1; RC=$?
[ $RC -ne 0 ] && ok "an unknown command is refused (exit $RC: $(head -1 "$TMP/out"))" || fail "nrpe ran an undefined command"
kill $NPID; wait $NPID 2>/dev/null; trap - EXIT
kill -0 $NPID 2>/dev/null && fail "nrpe $NPID still running" || ok "nrpe stopped"
finish
