#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build (or fetch from cache) a small x86_64 guest kernel from Debian's linux-source-$KV.
# Usage: build-kernel.sh KV CACHE_DIR      (KV = 6.1 | 6.12)
# Prints the path of the cached bzImage on the last line of stdout.
# The cache key is the linux-source package version + a hash of the config fragment(s)
# and of RECIPE (bump RECIPE when the build steps below change), so a second run does
# not rebuild.
set -euo pipefail
E2E=$(cd "$(dirname "$0")/.." && pwd)
KV=${1:?kernel version (6.1|6.12)}
CACHE=${2:?cache dir}
FRAGS=("$E2E/kconfig/iommu-e2e.config")
pkgver=$(dpkg-query -W -f='${Version}' "linux-source-$KV" 2>/dev/null) || {
  echo "build-kernel: linux-source-$KV is not installed" >&2; exit 1; }
tarball=/usr/src/linux-source-$KV.tar.xz
[ -r "$tarball" ] || { echo "build-kernel: $tarball missing" >&2; exit 1; }
RECIPE="tinyconfig+merge_config+olddefconfig+bzImage v1"
hash=$( { cat "${FRAGS[@]}"; echo "$RECIPE"; } | sha256sum | cut -c1-16)
key="linux-$KV-${pkgver//[^A-Za-z0-9.+-]/_}-$hash"
dest="$CACHE/kernels/$key"
mkdir -p "$CACHE/kernels"
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
    case "$l" in CONFIG_*=*) grep -qx "$l" "$out/.config" || echo "build-kernel: note: $l not in final .config ($KV)" >&2 ;; esac
  done < "$f"
done
echo "build-kernel: make bzImage ($KV) ..." >&2
if ! make -s O="$out" -j"$(nproc)" bzImage > "$work/build.log" 2>&1; then
  tail -40 "$work/build.log" >&2; exit 1
fi
mkdir -p "$dest.tmp"
cp "$out/arch/x86/boot/bzImage" "$dest.tmp/bzImage"
cp "$out/.config" "$dest.tmp/config"
echo "$pkgver" > "$dest.tmp/pkgver"
rm -rf "$dest"; mv "$dest.tmp" "$dest"
rm -rf "$work"
echo "build-kernel: built $KV in $(( $(date +%s) - t0 ))s" >&2
echo "$dest/bzImage"
