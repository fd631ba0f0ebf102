#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Usage errors and impossible requests: exit 3, a message, valid JSON with -j.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
gen clean
R="--root $TMP/clean/root"

run $R check --pid 4242 --qmp /x --gpa-map /y
expect_rc 3 "--qmp with --gpa-map"
expect_err "exclude each other" "--qmp with --gpa-map: message"
run $R -j check --pid notanumber
expect_rc 3 "--pid garbage"
expect_jq '.errors[0] | test("--pid")' true "--pid garbage: JSON error"
run $R check --gpa-map "$TMP/clean/gpa-map.json"
expect_rc 3 "--gpa-map without --pid"
run $R check --bogus
expect_rc 3 "unknown option"
run $R check --pid 999
expect_rc 3 "a process that does not exist"
expect_err "999" "missing process named"
run $R check --pid 1
expect_rc 3 "a process without VFIO devices"
printf '[{"gpa":"0xzz","size":"0x1000","hva":"0x1000","name":"x","readonly":false}]' >"$TMP/bad.json"
run $R -j check --pid 4242 --gpa-map "$TMP/bad.json"
expect_rc 3 "bad --gpa-map"
expect_err "bad.json" "bad --gpa-map: file named"
expect_jq '.status' unknown "bad --gpa-map: status unknown"
run $R check --pid 4242 --gpa-map "$TMP/missing.json"
expect_rc 3 "missing --gpa-map"
run $R bogus-command
expect_rc 3 "unknown command"
run --version
expect_rc 0 "--version"
finish
