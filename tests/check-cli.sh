#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line (issue 12 items 7-8, 13 items 7-8, 11 item 6): global options
# anywhere and combined, conflicts and bad values as usage errors (exit 3),
# output write errors, Nagios thresholds and one UNKNOWN line for every error
# under --nagios, messages that name the right thing, and strings from outside
# escaped in text and Nagios output.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/check-lib.sh"
gen stale
gen clean
R="--root $TMP/stale/root"
G="$TMP/stale/gpa-map.json"
C="--root $TMP/clean/root"
CG="$TMP/clean/gpa-map.json"
EXP="$top_srcdir/tests/data/check"

# expect_lines N DESC: stdout has exactly N lines
expect_lines() {
	local n
	n=$(wc -l <"$TMP/out")
	[ "$n" -eq "$1" ] && ok "$2" || { fail "$2: $n lines on stdout, expected $1"; head -5 "$TMP/out" >&2; }
}
# expect_stdout TEXT DESC: stdout is exactly the line TEXT
expect_stdout() {
	printf '%s\n' "$1" >"$TMP/want"
	expect_out "$TMP/want" "$2"
}

# ---- global options anywhere, combined short options, abbreviations ----
for form in "-jp check" "-pj check" "check -jp" "--js check" "check --pre"; do
	# shellcheck disable=SC2086
	run $R $form --pid 4242 --gpa-map "$G"
	expect_rc 2 "'$form': exit 2"
	expect_jq '.status' critical "'$form': JSON output"
done
run $R dump 00:02.0 -j
expect_rc 0 "dump with -j after the command"
expect_jq '.bdf' 0000:00:02.0 "dump -j after the command: JSON"
run devices -j $R
expect_rc 0 "devices with --root and -j after the command"
expect_jq '.devices[0].bdf' 0000:00:02.0 "devices: global options after the command"
run lookup 00:02.0 $R 0x150000 --json
expect_rc 0 "lookup: global options between the arguments"
expect_jq '.results[0].pfn' 0x1c9b50 "lookup: the IOVA resolved"

# ---- usage errors: conflicts, bad values, unknown vs missing vs ambiguous ----
run $R -j check --pid 4242 --gpa-map "$G" --nagios
expect_rc 3 "-j with --nagios"
expect_stdout "IOMMU UNKNOWN - check: -j/--json and --nagios exclude each other" "-j with --nagios: one UNKNOWN line"
run $R --vtd-root 0x765000 --amd-devtab 0x2000 dump 00:02.0
expect_rc 3 "--vtd-root with --amd-devtab"
expect_err "dump: --vtd-root and --amd-devtab exclude each other" "--vtd-root with --amd-devtab: message"
run $R --vtd-root 0x765000@nosuchunit dump 00:02.0
expect_rc 3 "--vtd-root ADDR@nosuchunit"
expect_err "no IOMMU unit 'nosuchunit'" "--vtd-root ADDR@nosuchunit: the unit named"
run $R --vtd-root 0x765000@dmar0 dump 00:02.0
expect_rc 0 "--vtd-root ADDR@dmar0: a unit debugfs lists"
for t in inf nan 3e6 2.2e6 0 -1 1x ""; do
	run $R --timeout "$t" check --pid 4242 --gpa-map "$G"
	expect_rc 3 "--timeout '$t'"
	expect_err "--timeout: '$t' is not a number of seconds above 0 and at most 3600" "--timeout '$t': message"
done
run $R check --pid 4242 --gpa-map "$G" --timeout 3600
expect_rc 2 "--timeout 3600 (the maximum) after the command"
run $R check --pid
expect_rc 3 "--pid without its argument"
expect_err "check: option '--pid' needs an argument" "missing argument told"
run $R check --bogus
expect_rc 3 "unknown long option"
expect_err "check: unknown option '--bogus'" "unknown option told"
run $R check -x
expect_err "check: unknown option '-x'" "unknown short option told"
run $R check --p 1
expect_rc 3 "ambiguous: --p"
run $R check --pr x --pid 4242
expect_err "ambiguous option '--pr' \(could be --pretty, --prometheus\)" "ambiguous --pr: candidates named"
run $R check --p 1
expect_rc 3 "ambiguous abbreviation"
expect_err "ambiguous option '--p' \(could be --pretty, --pid, --prometheus\)" "ambiguous abbreviation: candidates named"
run $R check --all=1
expect_err "option '--all' takes no argument" "argument to a flag"
run $R dump 00:02.0 --pid 1
expect_err "dump: unknown option '--pid'" "a check option on dump"

# a duplicate --pid counts once (one series per device, one VM for --gpa-map)
run $R check --pid 4242 --pid 4242 --gpa-map "$G" --prometheus "$TMP/dup.prom"
expect_rc 2 "duplicate --pid"
n=$(grep -c '^iommu_verify_device_checked{' "$TMP/dup.prom" 2>/dev/null || echo 0)
[ "$n" -eq 1 ] && ok "duplicate --pid: one device series" || fail "duplicate --pid: $n device series, expected 1"

# ---- output correctness ----
if [ -c /dev/full ]; then
	"$IV" $C check --pid 4242 --gpa-map "$CG" >/dev/full 2>"$TMP/err"; RC=$?
	expect_rc 3 "check > /dev/full"
	expect_err "standard output: write error" "check > /dev/full: message"
	"$IV" $C -j dump 00:02.0 >/dev/full 2>"$TMP/err"; RC=$?
	expect_rc 3 "dump -j > /dev/full"
	"$IV" $C check --nagios --pid 4242 --gpa-map "$CG" >/dev/full 2>"$TMP/err"; RC=$?
	expect_rc 3 "check --nagios > /dev/full"
	"$IV" $R check --pid 4242 --gpa-map "$G" >/dev/full 2>"$TMP/err"; RC=$?
	expect_rc 2 "CRITICAL > /dev/full: CRITICAL still wins"
else
	echo "skip: no /dev/full"
fi
run $C check --pid 4242 --gpa-map "$CG" --prometheus ''
expect_rc 3 "--prometheus ''"
expect_err "--prometheus: the path is empty" "--prometheus '': message"
mkfifo "$TMP/prom.fifo"
run $C check --pid 4242 --gpa-map "$CG" --prometheus "$TMP/prom.fifo"
expect_rc 3 "--prometheus FIFO"
expect_err "prom.fifo: a FIFO, not a regular file" "--prometheus FIFO: message"
[ -p "$TMP/prom.fifo" ] && ok "--prometheus FIFO: not replaced" || fail "--prometheus FIFO: renamed over"
mkdir -p "$TMP/promdir"
run $C check --pid 4242 --gpa-map "$CG" --prometheus "$TMP/promdir"
expect_rc 3 "--prometheus DIR"
expect_err "promdir: a directory, not a regular file" "--prometheus DIR: message"

# Nagios perfdata: alert on the first bad page
run $R check --nagios --pid 4242 --gpa-map "$G"
expect_rc 2 "nagios stale"
expect_out "$EXP/stale.nagios" "nagios: thresholds ;;0;0; (critical kinds) and ;0;;0; (warning kinds)"
# every early or usage error: exactly one IOMMU UNKNOWN line on stdout
run $R check --nagios --pid abc
expect_rc 3 "nagios: bad --pid"
expect_stdout "IOMMU UNKNOWN - check: --pid: 'abc' is not a process ID" "nagios: usage error as one line"
run $R --timeout inf check --nagios --pid 4242
expect_rc 3 "nagios: bad global option before the command"
expect_stdout "IOMMU UNKNOWN - check: --timeout: 'inf' is not a number of seconds above 0 and at most 3600" \
	"nagios: global option error as one line"
run $R check --bogus --nagios
expect_rc 3 "nagios: unknown option before --nagios"
expect_stdout "IOMMU UNKNOWN - check: unknown option '--bogus'" "nagios: unknown option as one line"
run $R --nagios check --pid 4242
expect_rc 3 "nagios: --nagios before the command"
expect_stdout "IOMMU UNKNOWN - check: option '--nagios' is a command's option: give it after the command name" \
	"nagios before the command: one UNKNOWN line saying where it goes"
run $R bogus -j
expect_rc 3 "unknown command with -j after it"
expect_jq '.errors[0]' "unknown command 'bogus' (see iommu-verify --help)" "unknown command: JSON error"
run --root "$TMP/nonexistent" check --nagios
expect_rc 3 "nagios: missing --root"
expect_lines 1 "nagios: missing --root: one line"
run $R check --nagios --pid 4242 --gpa-map "$TMP/missing.json"
expect_rc 3 "nagios: missing --gpa-map"
expect_lines 1 "nagios: missing --gpa-map: one line"

# ---- messages that name the right thing ----
run $R lookup 00:02.0 -0x1000
expect_rc 3 "lookup of a negative IOVA"
expect_err "lookup: '-0x1000' is not an IOVA" "lookup: the IOVA named"
run $R lookup 00:02.0 0x1000 -- -0x1000
expect_rc 3 "lookup of a negative IOVA after --"
expect_err "lookup: '-0x1000' is not an IOVA" "lookup after --: the IOVA named"
run $R lookup 00:02.0 0xzz
expect_err "lookup: '0xzz' is not an IOVA" "lookup: a bad IOVA named as an IOVA"
echo "not an ELF image" >"$TMP/text"
run $R --source memory --memory "$TMP/text" --vtd-root 0x765000 dump 00:02.0
expect_rc 3 "--memory on a text file"
expect_err "text: not an ELF file \(no ELF header\)" "--memory text: what is wrong"
if grep -q "(no error)" "$TMP/err"; then fail "libelf's '(no error)' printed"; else ok "no '(no error)'"; fi
run $R --source memory --memory "$TMP" --vtd-root 0x765000 dump 00:02.0
expect_rc 3 "--memory DIR"
expect_err "--memory: .* is a directory, not a memory image" "--memory DIR: says so"
mkfifo "$TMP/mem.fifo" "$TMP/map.fifo"
# (today's main blocks in open on a FIFO: bounded here)
timeout 10 "$IV" $R --source memory --memory "$TMP/mem.fifo" --vtd-root 0x765000 dump 00:02.0 \
	>"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "--memory FIFO"
expect_err "mem.fifo is a FIFO, not a memory image" "--memory FIFO: says so"
timeout 10 "$IV" $R check --pid 4242 --gpa-map "$TMP/map.fifo" >"$TMP/out" 2>"$TMP/err"; RC=$?
expect_rc 3 "--gpa-map FIFO"
expect_err "map.fifo is a FIFO, not a regular file" "--gpa-map FIFO: says so"
run $R check --pid 4242 --gpa-map "$TMP"
expect_rc 3 "--gpa-map DIR"
expect_err "is a directory, not a regular file" "--gpa-map DIR: says so"
run $R dump 00:09.0
expect_rc 3 "dump of a device not on the bus"
expect_err "0000:00:09.0: no such PCI device" "no such PCI device"
run $R tables 00:09.0
expect_rc 3 "tables of a device not on the bus"
expect_err "0000:00:09.0: no such PCI device" "tables: no such PCI device"
# the IOMMU off: /sys/class/iommu lists no unit (and so no debugfs tables)
cp -a "$TMP/clean/root" "$TMP/off"
rm -rf "$TMP/off/sys/kernel/debug/iommu"
mkdir -p "$TMP/off/sys/class/iommu"
run --root "$TMP/off" dump 00:02.0
expect_rc 3 "dump with the IOMMU off"
expect_err "the IOMMU is off \(no unit in .*/sys/class/iommu\)" "IOMMU off: says so"
# devices having read nothing
run --root "$TMP/nonexistent" devices
expect_rc 3 "devices --root /nonexistent"
expect_err "--root: .*nonexistent: No such file or directory" "--root missing: named"
mkdir -p "$TMP/empty"
run --root "$TMP/empty" devices
expect_rc 3 "devices on an empty root"
expect_err "no PCI devices" "devices on an empty root: says so"

# ---- strings from outside are escaped (13.7) ----
NAME=$(printf 'vm\033[2J\nIOMMU OK - forged')
gen clean --name "$NAME"
mv "$TMP/clean" "$TMP/evil"
gen clean
run --root "$TMP/evil/root" check --pid 4242 --gpa-map "$TMP/evil/gpa-map.json"
expect_rc 0 "hostile -name: check runs"
if grep -q "$(printf '\033')" "$TMP/out"; then fail "text output carries a raw ESC"; else ok "text: no raw ESC"; fi
if grep -q '^IOMMU OK' "$TMP/out"; then fail "text output: forged line"; else ok "text: no forged line"; fi
grep -qF 'vm\x1b[2J\x0aIOMMU OK - forged' "$TMP/out" && ok "text: name escaped as \\xNN" || fail "text: escaped name missing"
run --root "$TMP/evil/root" -j check --pid 4242 --gpa-map "$TMP/evil/gpa-map.json"
expect_jq '.processes[0].name' "$NAME" "JSON: the name kept exactly (JSON escapes it)"
BAD="$TMP/x|y
IOMMU OK - forged"
run $C check --nagios --pid 4242 --gpa-map "$BAD"
expect_rc 3 "nagios: hostile file name"
expect_lines 1 "nagios: hostile file name: one line"
n=$(tr -cd '|' <"$TMP/out" | wc -c)
[ "$n" -eq 1 ] && ok "nagios: only the perfdata separator '|'" || fail "nagios: $n '|' characters, expected 1"
mkdir -p "$BAD"
run $C check --nagios --pid 4242 --gpa-map "$BAD"
expect_rc 3 "nagios: hostile directory name"
expect_lines 1 "nagios: hostile directory name: one line"
grep -qF 'x\x7cy\x0aIOMMU OK - forged is a directory' "$TMP/out" && ok "nagios: file name escaped" ||
	fail "nagios: escaped file name missing"
if grep -q "$(printf '\033')" "$TMP/err"; then fail "stderr carries a raw ESC"; else ok "stderr: escaped"; fi

# ---- 11.6: the print layer knows nothing of errors ----
S="$top_srcdir/src"
if grep -nE 'iv_g|errors' "$S/report/print.c"; then fail "print layer refers to the run's errors"; else ok "print layer: no errors, no iv_g"; fi
# commands include only public headers (include/*.h)
for f in "$S"/cmd/*.c; do
	for h in $(sed -n 's/^#include "\(.*\)".*/\1/p' "$f"); do
		[ "$h" = config.h ] || [ -f "$top_srcdir/include/$h" ] && continue
		case "$(basename "$f")" in
		cmd_devices.c) echo "known gap: $(basename "$f") includes internal $h (the start-point work moves it)";;
		*) fail "$(basename "$f") includes the internal header $h";;
		esac
	done
done
ok "commands: public headers only (cmd_devices.c aside)"
finish
