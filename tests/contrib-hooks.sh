#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/contrib-hooks.sh - contrib/ integration files other than Prometheus:
# the libvirt hook (contrib/libvirt/qemu) asks systemd for a delayed check and
# returns at once, ignores other operations, forks a detached check without
# systemd, never runs a domain name; the Proxmox hookscript schedules the same
# check on post-start only; the sudoers file passes visudo -c; the
# Icinga 2 file passes icinga2 daemon -C; the NRPE and Icinga 2 command lines
# are the one sudoers allows, and it runs.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
C="$top_srcdir/contrib"
HOOK="$C/libvirt/qemu"

# A systemd-run that records its arguments (one per line), a systemd dir.
mkdir -p "$TMP/bin" "$TMP/systemd-dir"
cat > "$TMP/bin/systemd-run" <<EOF2
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >> "$TMP/systemd-run.args"
echo --- >> "$TMP/systemd-run.args"
EOF2
chmod +x "$TMP/bin/systemd-run"
hook() {  # ARGS...: run the hook with the fake systemd, status in RC
	( cd "$TMP" && PATH="$TMP/bin:$PATH" IOMMU_VERIFY_SYSTEMD_DIR="$TMP/systemd-dir" sh "$HOOK" "$@" ) \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	RC=$?
}
hook 'web 1' started begin -
expect_rc 0 "hook: started"
cat > "$TMP/expect" <<'EOF2'
--quiet
--no-block
--collect
--on-active=30
--unit=iommu-verify-started-web\x201
--description=iommu-verify after libvirt started a domain
/usr/sbin/iommu-verify
check
--domain
web 1
---
EOF2
if command -v systemd-escape >/dev/null 2>&1; then
	diff -u "$TMP/expect" "$TMP/systemd-run.args" >"$TMP/diff" && ok "hook: systemd-run --on-active=30 runs check --domain 'web 1' (unit name escaped)" \
		|| { fail "hook: systemd-run arguments differ"; cat "$TMP/diff" >&2; }
fi
[ -s "$TMP/out" ] || [ -s "$TMP/err" ] && fail "hook printed something (libvirt logs it): $(cat "$TMP/out" "$TMP/err")"
rm -f "$TMP/systemd-run.args"
for op in "prepare begin" "start begin" "stopped end" "release end" "migrate begin" "reconnect begin"; do
	# shellcheck disable=SC2086
	hook web $op -
	[ $RC -eq 0 ] && [ ! -e "$TMP/systemd-run.args" ] && ok "hook: '$op' exits 0 and schedules nothing" \
		|| fail "hook: '$op': exit $RC, systemd-run called: $(cat "$TMP/systemd-run.args" 2>/dev/null)"
done
hook '$(touch pwned); `touch pwned2`' started begin -
[ $RC -eq 0 ] && [ ! -e "$TMP/pwned" ] && [ ! -e "$TMP/pwned2" ] && grep -qxF -- '$(touch pwned); `touch pwned2`' "$TMP/systemd-run.args" \
	&& ok "hook: a hostile domain name is data, not code (passed as one argument)" \
	|| fail "hook: hostile name: exit $RC, files: $(ls "$TMP" | grep pwned)"
rm -f "$TMP/systemd-run.args"
IOMMU_VERIFY_DELAY='1; touch pwned' hook web started begin -
grep -qx -- '--on-active=30' "$TMP/systemd-run.args" && [ ! -e "$TMP/pwned" ] && ok "hook: a bad IOMMU_VERIFY_DELAY falls back to 30" \
	|| fail "hook: bad delay: $(cat "$TMP/systemd-run.args")"

# The Proxmox hookscript: post-start schedules the same check; other phases and
# a VMID that is not a number do nothing.
PVE="$C/proxmox/iommu-verify-hook"
rm -f "$TMP/systemd-run.args"
( cd "$TMP" && PATH="$TMP/bin:$PATH" sh "$PVE" 101 post-start ) </dev/null >"$TMP/out" 2>&1; RC=$?
printf '%s\n' --quiet --no-block --collect --on-active=30 --unit=iommu-verify-started-vm101 \
	"--description=iommu-verify after Proxmox started VM 101" /usr/sbin/iommu-verify check --vmid 101 --- > "$TMP/expect"
[ $RC -eq 0 ] && diff -u "$TMP/expect" "$TMP/systemd-run.args" >"$TMP/diff" && [ ! -s "$TMP/out" ] \
	&& ok "proxmox hookscript: post-start schedules check --vmid 101 in 30 s" || { fail "proxmox post-start (exit $RC)"; cat "$TMP/diff" "$TMP/out" >&2; }
rm -f "$TMP/systemd-run.args"
for args in "101 pre-start" "101 pre-stop" "101 post-stop" "'1;touch pwned' post-start"; do
	eval "( cd \"\$TMP\" && PATH=\"\$TMP/bin:\$PATH\" sh \"\$PVE\" $args )" </dev/null >/dev/null 2>&1; RC=$?
	[ $RC -eq 0 ] && [ ! -e "$TMP/systemd-run.args" ] && [ ! -e "$TMP/pwned" ] && ok "proxmox hookscript: '$args' exits 0, schedules nothing" \
		|| fail "proxmox hookscript '$args': exit $RC"
done

# Without systemd: a detached check (the hook returns before it ends; its
# descriptors are not libvirt's pipe). The stand-in binary records its arguments.
cat > "$TMP/bin/fake-iv" <<EOF2
#!/bin/sh
echo "\$*" > "$TMP/fake-iv.args"
sleep 2
EOF2
chmod +x "$TMP/bin/fake-iv"
start=$(date +%s%N)
( cd "$TMP" && IOMMU_VERIFY_SYSTEMD_DIR="$TMP/none" IOMMU_VERIFY="$TMP/bin/fake-iv" IOMMU_VERIFY_DELAY=0 \
	sh "$HOOK" 'web 1' started begin - | cat ) >"$TMP/out" 2>&1
RC=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
# "| cat" ends only when every writer of the pipe has closed it: a child that kept
# the hook's stdout would hold it for 2 s.
[ $RC -eq 0 ] && [ $ms -lt 1500 ] && ok "hook without systemd: returns in ${ms} ms (the check runs detached)" \
	|| fail "hook without systemd: exit $RC after ${ms} ms"
i=0; while [ ! -s "$TMP/fake-iv.args" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(cat "$TMP/fake-iv.args" 2>/dev/null)" = "check --domain web 1" ] && ok "hook without systemd: ran 'iommu-verify check --domain web 1'" \
	|| fail "hook without systemd: the check was not run ('$(cat "$TMP/fake-iv.args" 2>/dev/null)')"

# sudoers, NRPE, Icinga 2: one command line.
CMD="/usr/sbin/iommu-verify check --all --nagios -t 50"
if command -v visudo >/dev/null 2>&1; then
	visudo -c -f "$C/sudoers/iommu-verify" >"$TMP/visudo.out" 2>&1 && ok "visudo -c: $(cat "$TMP/visudo.out")" \
		|| { fail "visudo -c"; cat "$TMP/visudo.out" >&2; }
else echo "note: visudo not installed, sudoers syntax not checked"; fi
grep -qx "Cmnd_Alias IOMMU_VERIFY = $CMD" "$C/sudoers/iommu-verify" && ok "sudoers allows exactly '$CMD'" || fail "sudoers: Cmnd_Alias line"
grep -q '\*' "$C/sudoers/iommu-verify" && grep -v '^#' "$C/sudoers/iommu-verify" | grep -q '\*' && fail "sudoers has a wildcard"
grep -qx "command\[check_iommu_verify\]=/usr/bin/sudo -n $CMD" "$C/nrpe/iommu-verify.cfg" && ok "NRPE command is sudo -n + that line" || fail "NRPE command line"
grep -qF 'command = [ "/usr/bin/sudo", "-n", "/usr/sbin/iommu-verify", "check", "--all", "--nagios", "-t", "50" ]' "$C/icinga2/iommu-verify.conf" \
	&& ok "Icinga 2 command is sudo -n + that line" || fail "Icinga 2 command array"
# Icinga 2 itself validates the file (icinga2 daemon -C; constants keep its files in $TMP),
# with a master zone, an agent zone and a host there; a typo must fail validation.
if command -v icinga2 >/dev/null 2>&1; then
	I="$TMP/icinga2"; mkdir -p "$I/cache" "$I/log" "$I/data" "$I/run"
	icinga_conf() {  # FILE-TO-INCLUDE
		cat <<EOF2
const NodeName = "master1"
const ZoneName = "master"
object Endpoint NodeName { }
object Zone ZoneName { endpoints = [ NodeName ] }
object Endpoint "vfio-host1" { }
object Zone "vfio-host1" { endpoints = [ "vfio-host1" ]; parent = ZoneName }
include <itl>
include "$1"
object Host "vfio-host1" {
	check_command = "dummy"
	zone = ZoneName
	vars.vfio = true
	vars.agent_endpoint = name
}
EOF2
	}
	icinga_check() {  # CONF: validation output in $I/out, status in RC
		icinga2 daemon -C -c "$1" -DRunAsUser=root -DRunAsGroup=root -DLogDir="$I/log" -DCacheDir="$I/cache" \
			-DDataDir="$I/data" -DInitRunDir="$I/run" >"$I/out" 2>&1
		RC=$?
	}
	icinga_conf "$C/icinga2/iommu-verify.conf" > "$I/good.conf"
	icinga_check "$I/good.conf"
	if [ $RC -eq 0 ] && grep -q "Instantiated 1 Service" "$I/out" && ! grep -q 'critical/\|warning/' "$I/out"; then
		ok "icinga2 daemon -C: valid, the apply rule makes 1 Service"
	else fail "icinga2 daemon -C: exit $RC"; grep 'critical\|warning' "$I/out" >&2; fi
	sed 's/check_command = "iommu-verify"/check_command = "iommu-verfy"/' "$C/icinga2/iommu-verify.conf" > "$I/bad.inc"
	icinga_conf "$I/bad.inc" > "$I/bad.conf"
	icinga_check "$I/bad.conf"
	[ $RC -ne 0 ] && grep -q "iommu-verfy" "$I/out" && ok "icinga2 daemon -C refuses a misspelt check_command (exit $RC)" \
		|| fail "icinga2 accepted a misspelt check_command"
else echo "note: icinga2 not installed (scripts/install-deps check): the Icinga 2 file is not validated"; fi

# ... and that line works with today's binary (on the pc.bios tree: CRITICAL, the status line with
# perfdata, then one long-output line per finding)
gen pcbios
run --root "$TMP/pcbios/root" check --all --nagios
expect_rc 2 "check --all --nagios on pc.bios"
[ "$(wc -l < "$TMP/out")" -eq 3 ] && head -1 "$TMP/out" | grep -q "^IOMMU CRITICAL - .* | 'zero_page'=[1-9][0-9]*;;0;0; " &&
	[ "$(sed 1d "$TMP/out" | grep -c '^CRITICAL zero_page: VM vm1 pid 4242 device 0000:00:02.0 .* 64 pages$')" -eq 2 ] \
	&& ok "plugin output: $(head -1 "$TMP/out" | cut -c1-60)... and 2 finding lines" || { fail "plugin output"; cat "$TMP/out" >&2; }
finish
