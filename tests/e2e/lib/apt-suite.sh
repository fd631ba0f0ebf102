#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/lib/apt-suite.sh - apt-get against another Debian suite through a
# private apt state (sources list, lists, cache under a directory of its own):
# the machine's /etc/apt sources and /var/lib/apt/lists are never touched.
# (field-notes §3: bookworm's keyring verifies bullseye, trixie, trixie-backports, sid.)
#
#   apt-suite.sh STATE SUITE update           (SUITE: one suite or a comma list)
#   apt-suite.sh STATE SUITE search REGEX      (package names, like apt-cache search --names-only)
#   apt-suite.sh STATE SUITE version PKG       (the newest version of PKG in the suite)
#   apt-suite.sh STATE SUITE download DIR PKG...
# The mirror is the first URIs: line of /etc/apt/sources.list.d/debian.sources
# (default http://deb.debian.org/debian); APT_SUITE_MIRROR overrides it.
# Security suites (e.g. bullseye-security) use the mirror's debian-security.
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 STATE SUITE update|search REGEX|download DIR PKG..." >&2; exit 3; }
S=$1 SUITE=$2 CMD=$3; shift 3
M=${APT_SUITE_MIRROR:-$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
M=${M:-http://deb.debian.org/debian}
M=${M%/}
KR=/usr/share/keyrings/debian-archive-keyring.gpg
mkdir -p "$S/lists/partial" "$S/cache/archives/partial" "$S/parts"
S=$(cd "$S" && pwd)
for su in ${SUITE//,/ }; do
	case $su in
	*-security) echo "deb [signed-by=$KR] ${M%/debian}/debian-security $su main" ;;
	*) echo "deb [signed-by=$KR] $M $su main" ;;
	esac
done > "$S/sources.list"
APT=(-o Dir::Etc::sourcelist="$S/sources.list" -o Dir::Etc::sourceparts="$S/parts"
     -o Dir::State::Lists="$S/lists" -o Dir::Cache="$S/cache" -o Dir::State::status=/dev/null
     -o APT::Get::List-Cleanup=false -o Debug::NoLocking=true -q)
case $CMD in
update) apt-get "${APT[@]}" update ;;
search) apt-cache "${APT[@]}" search --names-only "$1" | awk '{print $1}' | sort -V ;;
version) apt-cache "${APT[@]}" show "$1" 2>/dev/null | awk '/^Version:/{print $2}' | sort -V | tail -1 ;;
download) d=$1; shift; cd "$d" && apt-get "${APT[@]}" download "$@" ;;
*) echo "$0: unknown command $CMD" >&2; exit 3 ;;
esac
