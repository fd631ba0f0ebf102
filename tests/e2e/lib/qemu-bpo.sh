#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/lib/qemu-bpo.sh CACHE - QEMU from bookworm-backports (10.0.x) unpacked into a private
# root under CACHE, for the e2e's NESTED QEMU only (E2E_NESTED_QEMU=10): never installed as the
# host's QEMU (the outer QEMU stays Debian's 7.2: QEMU 10's amd-iommu leaves AMD-Vi guests without a
# working timer, NOTE.md #16). Fetched through apt-suite.sh (private apt state CACHE/apt-bookworm-
# backports; the machine's apt sources and lists are not touched), then dpkg -x of qemu-system-x86,
# -common, -data and seabios. Its libraries are bookworm's (the backport is built on bookworm): the
# script fails if the binary needs one the host lacks.
# Prints the root (ROOT/usr/bin/qemu-system-x86_64, ROOT/usr/share/{qemu,seabios}); progress on stderr.
set -euo pipefail
C=${1:?usage: qemu-bpo.sh CACHE}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
S=$C/apt-bookworm-backports
PKGS="qemu-system-x86 qemu-system-common qemu-system-data seabios"
"$HERE/apt-suite.sh" "$S" bookworm-backports update > "$S.update.log" 2>&1 ||
	{ echo "qemu-bpo: apt update of bookworm-backports failed (see $S.update.log)" >&2; exit 1; }
APT=(-o Dir::Etc::sourcelist="$S/sources.list" -o Dir::Etc::sourceparts="$S/parts"
     -o Dir::State::Lists="$S/lists" -o Dir::Cache="$S/cache" -o Dir::State::status=/dev/null)
ver=$(apt-cache "${APT[@]}" policy qemu-system-x86 2>/dev/null | awk '/Candidate:/{print $2}')
[ -n "$ver" ] && [ "$ver" != "(none)" ] || { echo "qemu-bpo: no qemu-system-x86 in bookworm-backports" >&2; exit 1; }
R=$C/qemu-bpo/${ver//[^A-Za-z0-9.+-]/_}
if [ ! -e "$R/ok" ]; then
	echo "qemu-bpo: fetching qemu-system-x86 $ver" >&2
	mkdir -p "$C/qemu-bpo"
	dl=$(mktemp -d "$C/qemu-bpo/dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	"$HERE/apt-suite.sh" "$S" bookworm-backports download "$dl" $PKGS > "$dl.log" 2>&1 ||
		{ echo "qemu-bpo: download failed:" >&2; tail -5 "$dl.log" >&2; rm -f "$dl.log"; exit 1; }
	rm -f "$dl.log"
	rm -rf "$R"; mkdir -p "$R/root"
	for d in "$dl"/*.deb; do dpkg -x "$d" "$R/root"; done
	touch "$R/ok"
fi
Q=$R/root/usr/bin/qemu-system-x86_64
[ -x "$Q" ] || { echo "qemu-bpo: $Q missing" >&2; exit 1; }
missing=$(LD_LIBRARY_PATH=$R/root/usr/lib/x86_64-linux-gnu ldd "$Q" | awk '/not found/{print $1}')
[ -z "$missing" ] || { echo "qemu-bpo: $Q needs libraries this host lacks:" $missing >&2; exit 1; }
echo "$R/root"
