# SPDX-License-Identifier: GPL-2.0-or-later
# tests/caps-lib.sh - for the capability tests (sourced after lib.sh): the
# units' CapabilityBoundingSet, a process of another user (nobody) that looks
# like a VFIO holder, and running a command with a bounding set.
# Needs root, setpriv (util-linux) and the built unit; else the test skips (77).
[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root"; exit 77; }
command -v setpriv >/dev/null 2>&1 || { echo "SKIP: no setpriv"; exit 77; }
UNIT="$top_builddir/systemd/iommu-verify.service"
[ -f "$UNIT" ] || { echo "FAIL: $UNIT not built"; exit 99; }
# "CAP_SYS_RAWIO CAP_SYSLOG ..." -> "sys_rawio syslog ..."
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr 'A-Z' 'a-z' | sed 's/cap_//g')
# caps_run "CAP..." CMD...: run CMD as root with only these capabilities (bounding set;
# root's effective set after execve is the bounding set).
caps_run() {
	local b="-all" c
	for c in $1; do b="$b,+$c"; done
	shift
	setpriv --inh-caps=-all --bounding-set="$b" -- "$@"
}
# caps_without CAP: the unit's set less one
caps_without() { echo " $CAPS " | sed "s/ $1 / /; s/^ //; s/ \$//"; }
# A process of user nobody (as QEMU runs as libvirt-qemu) holding a file open as
# fd 7 (.../dev/vfio/4095, a regular file: no VFIO device). HOLDER is its PID.
start_holder() {
	HD=$(mktemp -d /tmp/iv-caps.XXXXXX) || { echo "SKIP: mktemp"; exit 77; }
	mkdir -p "$HD/dev/vfio" && : > "$HD/dev/vfio/4095"
	chmod 0755 "$HD" "$HD/dev" "$HD/dev/vfio" && chmod 0644 "$HD/dev/vfio/4095"
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		sh -c 'exec 7<"$1"; exec sleep 120' holder "$HD/dev/vfio/4095" </dev/null >/dev/null 2>&1 &
	HOLDER=$!
	local i=0
	while [ $i -lt 50 ] && ! readlink "/proc/$HOLDER/fd/7" 2>/dev/null | grep -q '/dev/vfio/4095$'; do
		sleep 0.1; i=$((i + 1))
	done
	if ! readlink "/proc/$HOLDER/fd/7" 2>/dev/null | grep -q '/dev/vfio/4095$'; then
		echo "SKIP: a process of user nobody could not hold $HD/dev/vfio/4095 open"; stop_holder; exit 77
	fi
	[ "$(stat -c %U "/proc/$HOLDER/fd")" = nobody ] || { echo "SKIP: /proc/$HOLDER/fd not owned by nobody"; stop_holder; exit 77; }
}
stop_holder() {
	[ -n "${HOLDER:-}" ] && { kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null; }
	HOLDER=""
	[ -n "${HD:-}" ] && rm -rf "$HD"
	HD=""
}
trap stop_holder EXIT
