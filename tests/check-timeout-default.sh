#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/check-timeout-default.sh - `check --nagios` without -t still has a whole-run
# limit: 50 s, below the 60 s after which Nagios, NRPE and Icinga 2 kill a check and
# call it CRITICAL. A read that blocks forever (a FIFO as /proc/PID/maps under --root)
# ends after 50 s (not 1 s, not never) with exit 3 and the plugin's own UNKNOWN line.
# Without --nagios and without -t there is no limit: the same run is still blocked at 52 s.
# This test waits about 52 s of wall time (sleeping, not computing).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"

gen clean
cp -a "$TMP/clean" "$TMP/fifo"
rm "$TMP/fifo/root/proc/4242/maps"; mkfifo "$TMP/fifo/root/proc/4242/maps"
R="--root $TMP/fifo/root"

# the text run (no --nagios, no -t): no limit, so it is still blocked when the nagios one ends
"$IV" $R check --all >"$TMP/text.out" 2>"$TMP/text.err" &
TEXT=$!
t0=$(date +%s.%N)
# (timeout 60: without a default the run would block forever; then this test fails, it does not hang)
timeout -s KILL 60 "$IV" $R check --all --nagios >"$TMP/out" 2>"$TMP/err"
RC=$?
t1=$(date +%s.%N)
SECS=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
echo "measured: check --all --nagios (no -t) on a FIFO: exit $RC in $SECS s"
awk "BEGIN { exit !($SECS >= 49.5 && $SECS <= 52) }" && ok "--nagios without -t: ended in $SECS s (50 s default)" ||
	fail "--nagios without -t: took $SECS s (want 49.5..52)"
expect_rc 3 "--nagios without -t, a FIFO: UNKNOWN"
printf 'IOMMU UNKNOWN - timed out after 50 s (-t/--timeout): the run did not finish\n' >"$TMP/exp"
expect_out "$TMP/exp" "--nagios default: one Nagios line naming 50 s"
sleep 1
if kill -0 "$TEXT" 2>/dev/null; then
	ok "no --nagios, no -t: still blocked after the nagios run's 50 s (no default limit)"
	kill "$TEXT"; wait "$TEXT" 2>/dev/null
else
	wait "$TEXT"; fail "no --nagios, no -t: ended by itself (exit $?): $(head -2 "$TMP/text.err")"
fi
finish
