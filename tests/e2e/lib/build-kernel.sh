#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build (or fetch from cache) a small x86_64 guest kernel from Debian's linux-source-$KV.
# Usage: build-kernel.sh KV CACHE_DIR      (KV = 6.1 | 6.12 | 7.3)
# Prints the path of the cached bzImage on the last line of stdout.
# The cache key is the linux-source package version + a hash of the config fragment(s)
# and of RECIPE (bump RECIPE when the build steps below change), so a second run does
# not rebuild.  Fragments: kconfig/iommu-e2e.config, plus kconfig/iommu-e2e-KV.config when
# it exists (options only that series has, e.g. IOMMUFD on 7.3).
# Sources: the installed linux-source-KV package (6.1, 6.12: bookworm); for a series bookworm
# does not have (7.3), linux-source-KV is downloaded from SOURCE_SUITE (trixie-backports) through
# a private apt state (lib/apt-suite.sh, $CACHE/apt-SUITE) into $CACHE/linux-source and unpacked
# there with dpkg -x: the machine's apt sources and package database are not touched.
set -euo pipefail
E2E=$(cd "$(dirname "$0")/.." && pwd)
KV=${1:?kernel version (6.1|6.12)}
CACHE=${2:?cache dir}
FRAGS=("$E2E/kconfig/iommu-e2e.config")
[ -f "$E2E/kconfig/iommu-e2e-$KV.config" ] && FRAGS+=("$E2E/kconfig/iommu-e2e-$KV.config")
case $KV in
6.1|6.12) SOURCE_SUITE= ;;
*) SOURCE_SUITE=${SOURCE_SUITE:-trixie-backports} ;;
esac
mkdir -p "$CACHE/kernels"
if [ -z "$SOURCE_SUITE" ]; then
  pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$KV" 2>/dev/null) || {
    echo "build-kernel: linux-source-$KV is not installed" >&2; exit 1; }
  tarball=/usr/src/linux-source-$KV.tar.xz
else
  # one downloader at a time per series; the newest linux-source-KV of the suite
  exec 8>"$CACHE/kernels/.lock-src-$KV"
  flock 8
  LS=$CACHE/linux-source
  mkdir -p "$LS"
  echo "build-kernel: apt-get update ($SOURCE_SUITE, private state $CACHE/apt-$SOURCE_SUITE)" >&2
  if ! "$E2E/lib/apt-suite.sh" "$CACHE/apt-$SOURCE_SUITE" "$SOURCE_SUITE" update > "$LS/apt-update-$KV.log" 2>&1; then
    echo "build-kernel: apt-get update of $SOURCE_SUITE failed; using a downloaded linux-source-$KV if there is one" >&2
    tail -3 "$LS/apt-update-$KV.log" >&2
  else
    v=$("$E2E/lib/apt-suite.sh" "$CACHE/apt-$SOURCE_SUITE" "$SOURCE_SUITE" version "linux-source-$KV")
    if [ -z "$v" ]; then
      echo "build-kernel: $SOURCE_SUITE has no linux-source-$KV" >&2
    elif ! [ -e "$LS/linux-source-${KV}_${v//:/%3a}_all.deb" ]; then
      echo "build-kernel: downloading linux-source-$KV $v" >&2
      "$E2E/lib/apt-suite.sh" "$CACHE/apt-$SOURCE_SUITE" "$SOURCE_SUITE" download "$LS" "linux-source-$KV" \
        > "$LS/apt-download-$KV.log" 2>&1 || { echo "build-kernel: download of linux-source-$KV failed" >&2; tail -3 "$LS/apt-download-$KV.log" >&2; }
    fi
  fi
  deb=$(ls "$LS"/linux-source-"$KV"_*_all.deb 2>/dev/null | sort -V | tail -1)
  [ -n "$deb" ] || { echo "build-kernel: no linux-source-$KV package in $LS" >&2; exit 1; }
  pkgver=$(dpkg-deb -f "$deb" Version)
  srcroot=$LS/${deb##*/}; srcroot=${srcroot%.deb}
  if [ ! -e "$srcroot/ok" ]; then
    echo "build-kernel: dpkg -x $deb" >&2
    rm -rf "$srcroot"; dpkg -x "$deb" "$srcroot" && touch "$srcroot/ok" || exit 1
  fi
  for old in "$LS"/linux-source-"$KV"_*_all.deb; do   # keep only the newest package
    [ "$old" = "$deb" ] || rm -rf "$old" "${old%.deb}"
  done
  tarball=$srcroot/usr/src/linux-source-$KV.tar.xz
  flock -u 8
fi
[ -r "$tarball" ] || { echo "build-kernel: $tarball missing" >&2; exit 1; }
RECIPE="tinyconfig+merge_config+olddefconfig+bzImage v1"
hash=$( { cat "${FRAGS[@]}"; echo "$RECIPE"; } | sha256sum | cut -c1-16)
key="linux-$KV-${pkgver//[^A-Za-z0-9.+-]/_}-$hash"
dest="$CACHE/kernels/$key"
exec 9>"$CACHE/kernels/.lock-$KV"
flock 9
if [ -s "$dest/bzImage" ]; then
  echo "build-kernel: cache hit $dest" >&2
  echo "$dest/bzImage"; exit 0
fi
work="$CACHE/build/$key"
rm -rf "$work"; mkdir -p "$work"
t0=$(date +%s)
echo "build-kernel: extracting $tarball" >&2
tar -C "$work" -xf "$tarball"
src="$work/linux-source-$KV"
out="$work/obj"
cd "$src"
make -s O="$out" tinyconfig >/dev/null
scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" "${FRAGS[@]}" >/dev/null
make -s O="$out" olddefconfig >/dev/null
for f in "${FRAGS[@]}"; do
  while IFS= read -r l; do
    case "$l" in CONFIG_*=*)
      grep -qx "$l" "$out/.config" && continue
      o=${l%%=*}; o=${o#CONFIG_}
      if grep -rqsxE --include='Kconfig*' "(menu)?config $o" .; then
        echo "build-kernel: note: $l not in final .config ($KV)" >&2
      else   # e.g. PROC_SYSCTL: folded into SYSCTL in 7.x
        echo "build-kernel: note: $l: $KV has no such option" >&2
      fi ;;
    esac
  done < "$f"
done
echo "build-kernel: make bzImage ($KV) ..." >&2
# a line a minute while make runs (objects built so far), so a long build does not look like a hang
( tb=$SECONDS; while sleep 60; do
    echo "build-kernel: make bzImage ($KV): $(( (SECONDS - tb) / 60 )) min, $(find "$out" -name '*.o' 2>/dev/null | wc -l) objects" >&2
  done ) & ticker=$!
if ! make -s O="$out" -j"$(nproc)" bzImage > "$work/build.log" 2>&1; then
  kill $ticker 2>/dev/null; tail -40 "$work/build.log" >&2; exit 1
fi
kill $ticker 2>/dev/null
mkdir -p "$dest.tmp"
cp "$out/arch/x86/boot/bzImage" "$dest.tmp/bzImage"
cp "$out/.config" "$dest.tmp/config"
echo "$pkgver" > "$dest.tmp/pkgver"
rm -rf "$dest"; mv "$dest.tmp" "$dest"
rm -rf "$work"
echo "build-kernel: built $KV in $(( $(date +%s) - t0 ))s" >&2
echo "$dest/bzImage"
