#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/bench/bench-1m.sh - the benchmark at CI size (N = 1M 4 KiB leaves, and
# the same guest RAM with 2 MiB leaves): every source of dump and check must
# give the exact planted findings and extents, within 64 MiB peak RSS.
# Also tests/bench/scale --ci at 4 GiB (4k and mix). Timings are printed but not asserted. Fixtures in the build tree (tests/tmp),
# which is the source tree in an in-place build (scripts/bootstrap).
. "$top_srcdir/tests/lib.sh"
for tool in jq bash; do
	command -v $tool >/dev/null 2>&1 || { echo "SKIP: $tool is not installed"; exit 77; }
done
command -v "$PYTHON" >/dev/null 2>&1 || { echo "SKIP: $PYTHON (for tests/gen-root.py) is not installed"; exit 77; }
BENCH_DIR="$TMP" BENCH_IN_BUILD_TREE=1 BENCH_BIN="$top_builddir/tests/bench" IV="$IV" top_srcdir="$top_srcdir" PYTHON="$PYTHON" \
	bash "$top_srcdir/tests/bench/run" --ci 1M
rc=$?
# the scale benchmark's script at 4 GiB (1 M pages; make bench runs 1 TiB)
BENCH_DIR="$TMP" BENCH_BIN="$top_builddir/tests/bench" IV="$IV" top_srcdir="$top_srcdir" PYTHON="$PYTHON" \
	bash "$top_srcdir/tests/bench/scale" --ci 4G || rc=1
[ $rc -eq 0 ] && rm -rf "$TMP"
exit $rc
