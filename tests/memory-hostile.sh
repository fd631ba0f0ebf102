#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile memory images end in a documented status, quickly and in bounded
# memory (issue 13 items 5 and 8): page tables that share sub-tables (a DAG
# whose naive walk visits 512^5 leaves), 100 k program headers, overlapping
# PT_LOAD segments, and --memory naming a FIFO or a directory. Each case is
# timed (tests/bench/bench-time: wall and peak RSS of the run alone) and runs
# under timeout(1) so that a regression fails instead of hanging.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/memory-lib.sh"
BT="$top_builddir/tests/bench/bench-time"
mkdir -p "$TMP/none"

# trun LIMIT_S ARGS...: the tool under timeout, stdout to $TOUT (default: discarded);
# sets $RC, $WALL, $RSS (KiB)
trun() {
	local lim=$1 what; shift
	what=$(echo "$*" | sed 's|[^ ]*/||g')
	timeout -s KILL 30 "$BT" "$TMP/time" "$IV" "$@" >"${TOUT:-/dev/null}" 2>"$TMP/err"
	RC=$?
	WALL=$(sed -n 's/.*wall=\([^ ]*\).*/\1/p' "$TMP/time" 2>/dev/null)
	RSS=$(sed -n 's/.*maxrss_kib=\([^ ]*\).*/\1/p' "$TMP/time" 2>/dev/null)
	[ "$RC" = 124 ] || [ "$RC" = 137 ] && { WALL=30; RSS=0; }
	if awk -v w="${WALL:-99}" -v l="$lim" 'BEGIN { exit !(w + 0 < l + 0) }'; then ok "$what: ends in ${WALL}s (< ${lim}s)"
	else fail "$what: took ${WALL:-?}s (limit ${lim}s, exit $RC)"; fi
	if [ "${RSS:-0}" -gt 0 ] && [ "$RSS" -lt 65536 ]; then ok "$what: peak RSS ${RSS} KiB < 64 MiB"
	else fail "$what: peak RSS ${RSS:-?} KiB (limit 64 MiB)"; fi
}

# 1. A DAG: VT-d legacy, 5 levels, every entry of every table points to the
# same next table (7 pages, 28 KiB). Without the check: 512^5 leaves.
gen dag <<'DESC'
ram 0x100000 0x7000
q 0x100000 0x101001            # root entry bus 0
q 0x101100 0x102001            # context 00:02.0: L5 at 0x102000
q 0x101108 0x403               # AW 3: 5 levels
fill 0x102000 512 0x103003 0
fill 0x103000 512 0x104003 0
fill 0x104000 512 0x105003 0
fill 0x105000 512 0x106003 0
fill 0x106000 512 0x200003 0x1000
DESC
M="--root $TMP/none --source memory --memory $TMP/dag.elf --vtd-root 0x100000"
DAGMSG="table entry 0x0000000000106003 at physical 0x105008 \(level 2\) points to the table at 0x106000 that the entry at physical 0x105000 already points to: a table reached twice"
trun 10 $M dump 00:02.0
expect_rc 3 "dag dump: unknown"
expect_err "$DAGMSG" "dag dump: both entries named"
# check: a VM whose device is walked in the DAG image (gen-root clean for the process side)
"$PYTHON" "$top_srcdir/tests/gen-root.py" clean "$TMP/vm" >/dev/null || { fail "gen-root.py"; finish; }
# The 512 leaves walked before the error map PFNs the VM does not have: CRITICAL
# (worse than UNKNOWN), with the error kept and the device not checked.
TOUT=$TMP/out trun 10 --root "$TMP/vm/root" --source memory --memory "$TMP/dag.elf" --vtd-root 0x100000 \
	-j check --pid 4242 --gpa-map "$TMP/vm/gpa-map.json"
expect_rc 2 "dag check: critical, never OK"
expect_err "$DAGMSG" "dag check: both entries named"
expect_jq '[.summary.pages_checked, (.errors | length), ([.processes[].devices[].checked] | all)] | map(tostring) | join(" ")' \
	"512 1 false" "dag check: 512 pages before the error, one error, device not fully checked"
# two entries sharing a table, and the same image as a tree (no sharing)
gen share2 <<'DESC'
ram 0x100000 0x7000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x403
q 0x102000 0x103003
q 0x103000 0x104003
q 0x104000 0x105003
q 0x105000 0x106003
q 0x105008 0x106003            # shares the L1 table: an error even for two entries
fill 0x106000 4 0x200003 0x1000
DESC
run --root "$TMP/none" --source memory --memory "$TMP/share2.elf" --vtd-root 0x100000 -j dump 00:02.0
expect_rc 3 "two entries sharing a table: unknown"
expect_err "entry 0x0000000000106003 at physical 0x105008 \(level 2\) points to the table at 0x106000 that the entry at physical 0x105000" "two entries named"
gen tree2 <<'DESC'
ram 0x100000 0x7000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x403
q 0x102000 0x103003
q 0x103000 0x104003
q 0x104000 0x105003
q 0x105000 0x106003
fill 0x106000 4 0x200003 0x1000
DESC
run --root "$TMP/none" --source memory --memory "$TMP/tree2.elf" --vtd-root 0x100000 -j dump 00:02.0
expect_rc 0 "a tree of 5 levels: OK"
expect_jq "$EXTENTS" "0x0 0x4000 0x200 rw 0x1000" "tree: the 4 pages, one extent"

# 2. 100 k program headers in a 5.6 MB file (bounded: 1024 + one per 4 KiB)
gen phdrs <<'DESC'
ram 0x100000 0x7000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x401
q 0x102000 0x103003
q 0x103000 0x104003
q 0x104000 0x200003
pad 100000
DESC
trun 10 --root "$TMP/none" --source memory --memory "$TMP/phdrs.elf" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "100 k program headers: unknown"
expect_err "phdrs.elf: 100002 program headers, more than this image can hold \(at most 2399 for a file of 5632064 bytes" "header count and bound named"
gen phdrs-ok <<'DESC'
ram 0x100000 0x7000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x401
q 0x102000 0x103003
q 0x103000 0x104003
q 0x104000 0x200003
pad 1000
DESC
run --root "$TMP/none" --source memory --memory "$TMP/phdrs-ok.elf" --vtd-root 0x100000 -j dump 00:02.0
expect_rc 0 "1002 program headers (within the bound): OK"
expect_jq "$EXTENTS" "0x0 0x1000 0x200 rw 0x1000" "1002 program headers: the leaf"

# 3. Overlapping PT_LOAD segments: an error naming both
gen overlap <<'DESC'
ram 0x100000 0x7000
ram 0x104000 0x1000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x401
q 0x102000 0x103003
q 0x103000 0x104003
q 0x104000 0x200003
DESC
run --root "$TMP/none" --source memory --memory "$TMP/overlap.elf" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "overlapping segments: unknown"
expect_err "overlap.elf: PT_LOAD segments overlap: program header 1 \(paddr 0x100000-0x106fff\) and program header 2 \(paddr 0x104000-0x104fff\)" "both segments named"

# 4. --memory must be a regular file or block device
mkfifo "$TMP/fifo" || fail "mkfifo"
trun 10 --root "$TMP/none" --source memory --memory "$TMP/fifo" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "FIFO: unknown, no hang"
expect_err "fifo is a FIFO, not a memory image \(a regular file or block device\)" "FIFO named"
run --root "$TMP/none" --source memory --memory "$TMP/none" --vtd-root 0x100000 dump 00:02.0
expect_rc 3 "directory: unknown"
expect_err "none is a directory, not a memory image" "directory named"
finish
