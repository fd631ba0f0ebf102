#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check-live.sh - issue 12 items 1 and 2 on this machine (no --root):
#  - run unprivileged (setpriv to nobody), `check` must not say OK: the
#    processes it cannot inspect are counted and named, exit 3;
#  - beside a short-lived process loop (at most 2000 forks / 10 s), every
#    `check --all` gives the same result as without it (vanished processes
#    are ignored, never UNKNOWN);
#  - an unprivileged process holding regular files under paths containing
#    /dev/vfio/ (and /dev/vfio/devices/) is no VFIO holder (fstat decides).
# Needs root (setpriv); skipped (77) otherwise.
. "$top_srcdir/tests/lib.sh"
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	echo "SKIP: needs root and setpriv"; exit 77
fi
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
expect_out_re() { if grep -Eq -- "$1" "$TMP/out"; then ok "$2"; else fail "$2: stdout does not match /$1/"; sed 's/^/  stdout: /' "$TMP/out" >&2; fi; }
as_nobody test -x "$IV" || { echo "SKIP: $IV not executable by nobody"; exit 77; }

# the result on this machine as root, without any of the disturbances below
run -j check
BASE_RC=$RC
BASE=$(jq -c '[.status, .summary.devices_found, .summary.processes_not_inspected, [.processes[].pid]]' <"$TMP/out")
[ "$BASE_RC" -le 3 ] && [ -n "$BASE" ] || { fail "baseline check: exit $BASE_RC, output $(head -c 300 "$TMP/out")"; finish; }
ok "baseline as root: exit $BASE_RC $BASE"
# root inspects every process except those whose fds even root may not stat (a process with
# capabilities root lacks here, e.g. a sandbox's init): those must be counted, never skipped
NI=0
for d in /proc/[0-9]*; do
	for f in "$d"/fd/*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		if ! stat -L "$f" >/dev/null 2>"$TMP/stat.err" && grep -q 'Permission denied' "$TMP/stat.err"; then
			NI=$((NI + 1))
		fi
		break
	done
done
expect_jq '.summary.processes_not_inspected' "$NI" "as root every process is inspected but the $NI whose fds root cannot stat"
BASE_NI=$NI

# --- 12.1 unprivileged: never OK
as_nobody "$IV" check --nagios >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "check --nagios as nobody"
expect_out_re "^IOMMU UNKNOWN - not checked: [0-9]+ process(es)? not inspected \(/proc/[0-9]+/fd: Permission denied \(run as root\)\)" \
	"as nobody: Nagios names the processes it could not inspect"
as_nobody "$IV" -j check >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "check -j as nobody"
expect_jq '.status + " " + (.summary.processes_not_inspected > 0 | tostring)' "unknown true" "as nobody: processes_not_inspected counted"
as_nobody "$IV" check --pid 1 >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "check --pid 1 as nobody"
expect_out_re "^pid 1 \([^)]+\): NOT CHECKED: /proc/1/fd: Permission denied \(run as root\)" "as nobody: --pid 1 reason"

# --- 12.2 regular files under .../dev/vfio/ held by an unprivileged process
F="$TMP/fake/dev/vfio"
mkdir -p "$F/devices"
: >"$F/7"; : >"$F/devices/vfio0"
chmod -R a+rX "$TMP/fake"
setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c 'exec 7<"$1" 8<"$2"; exec sleep 30' sh "$F/7" "$F/devices/vfio0" &
HOLDER=$!
i=0
while [ $i -lt 50 ] && ! ls -l /proc/$HOLDER/fd 2>/dev/null | grep -q 'dev/vfio/devices/vfio0'; do sleep 0.1; i=$((i + 1)); done
if ls -l /proc/$HOLDER/fd 2>/dev/null | grep -q "$F/7"; then
	run -j check
	expect_rc "$BASE_RC" "fake /dev/vfio/ files held by pid $HOLDER: same exit as the baseline"
	expect_jq "[.processes[].pid] | index($HOLDER) == null" true "the fake holder is no VFIO process"
	expect_jq '.errors | length' 0 "fake holder: no errors"
	run -j check --pid $HOLDER
	expect_rc 3 "--pid of the fake holder: UNKNOWN"
	expect_jq '.processes[0].reason | test("no VFIO device open")' true "--pid fake holder: no VFIO device"
else
	fail "the holder process did not open its files"
fi
kill $HOLDER 2>/dev/null; wait $HOLDER 2>/dev/null

# --- 12.2 the live rule itself: the fd's character device major decides. With the fault shim,
# /proc/devices names major 1 (mem: /dev/zero is 1:5) "vfio": an fd on /dev/zero then is a VFIO
# group device, and its name from /sys/dev/char/1:5 ("zero") is no group number.
SHIM="$top_builddir/tests/fault/faultinj.so"
# an ASan build must accept a preloaded library before its runtime (as tests/fault/fault-lib.sh)
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"; export ASAN_OPTIONS
if [ -f "$SHIM" ] && [ -e /sys/dev/char/1:5 ]; then
	printf 'Character devices:\n  1 vfio\n  4 tty\n\nBlock devices:\n  7 loop\n' >"$TMP/devices"
	sh -c 'exec 5</dev/zero; exec sleep 30' </dev/zero &
	ZH=$!
	i=0
	while [ $i -lt 50 ] && ! ls -l /proc/$ZH/fd 2>/dev/null | grep -q '/dev/zero'; do sleep 0.1; i=$((i + 1)); done
	env LD_PRELOAD="$SHIM" FAULT_PATH=/proc/devices FAULT_SWAP="$TMP/devices" FAULT_SWAP_AFTER=0 \
		"$IV" -j check --pid $ZH >"$TMP/out" 2>"$TMP/err"; RC=$?
	expect_rc 3 "/dev/zero with major 1 declared vfio: a VFIO fd that cannot be identified"
	expect_jq '.processes[0].reason' "fd 0: VFIO group device zero (1:5) without an IOMMU group number" \
		"fstat decides: /dev/zero counted as a VFIO group device"
	run -j check --pid $ZH
	expect_jq '.processes[0].reason | test("no VFIO device open")' true "with the real /proc/devices: no VFIO device"
	kill $ZH 2>/dev/null; wait $ZH 2>/dev/null
else
	echo "skip: fault shim or /sys/dev/char/1:5 missing"
fi

# --- 12.1 an fd list that can be read while the fds cannot be stat'ed (another user's process,
# CAP_DAC_READ_SEARCH without CAP_SYS_PTRACE: EACCES): whether it holds a VFIO device is unknown,
# never "no VFIO device" (before: skipped silently, check --all OK)
if [ -f "$SHIM" ]; then
	sleep 30 </dev/null &
	SH=$!
	env LD_PRELOAD="$SHIM" FAULT_PATH="/proc/$SH/fd/" FAULT_OP=fstatat FAULT_ERRNO=EACCES \
		"$IV" -j check --all >"$TMP/out" 2>"$TMP/err"; RC=$?
	expect_rc 3 "--all, fds of pid $SH not stat-able (EACCES): UNKNOWN"
	expect_jq '.summary.processes_not_inspected' "$((BASE_NI + 1))" "--all: pid $SH counted as not inspected"
	env LD_PRELOAD="$SHIM" FAULT_PATH="/proc/$SH/fd/" FAULT_OP=fstatat FAULT_ERRNO=EACCES \
		"$IV" -j check --pid $SH >"$TMP/out" 2>"$TMP/err"; RC=$?
	expect_rc 3 "--pid $SH, fds not stat-able: UNKNOWN"
	expect_jq ".processes[0].checked" false "--pid $SH: not checked"
	expect_jq ".processes[0].reason | test(\"^/proc/$SH/fd/[0-9]+: Permission denied\")" true "--pid $SH: the reason names the fd"
	kill $SH 2>/dev/null; wait $SH 2>/dev/null
fi

# --- 12.2 churn: processes exiting during the scan are ignored
run check --nagios
BASE_NAGIOS=$(cat "$TMP/out")
expect_rc "$BASE_RC" "baseline --nagios"
"$PYTHON" - "$TMP/churn.stop" <<'EOF' &
import os, sys, time
end = time.time() + 10
n = 0
while n < 2000 and time.time() < end and not os.path.exists(sys.argv[1]):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    n += 1
    time.sleep(0.002)
    if n % 4 == 0:
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
with open(sys.argv[1] + ".count", "w") as f:
    f.write("%d\n" % n)
EOF
CHURN=$!
runs=0 bad=0
while [ $runs -lt 300 ] && kill -0 $CHURN 2>/dev/null; do
	run check --nagios
	if [ "$RC" -ne "$BASE_RC" ] || [ "$(cat "$TMP/out")" != "$BASE_NAGIOS" ]; then
		bad=$((bad + 1)); [ $bad -le 3 ] && echo "churn run $runs: exit $RC $(cat "$TMP/out" "$TMP/err")" >&2
	fi
	runs=$((runs + 1))
done
: >"$TMP/churn.stop"
wait $CHURN
echo "churn: $runs checks beside $(cat "$TMP/churn.stop.count" 2>/dev/null) forks"
[ $runs -ge 10 ] || fail "churn: only $runs checks ran beside the fork loop"
[ $bad -eq 0 ] && ok "churn: $runs checks, all exit $BASE_RC with the baseline result" || fail "churn: $bad of $runs checks differ from the baseline"
finish
