#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tests/e2e/lib/qemu-root.sh QR [QSRC] - the read-only root a guest mounts over 9p (tag qroot) and
# binds its usr/ over /usr to run a nested QEMU (tests/e2e/run's nested mode, tests/e2e-stock/run's
# STOCK_NESTED): QSRC's qemu-system-x86_64 (QSRC empty: the host's; else a private root such as
# lib/qemu-bpo.sh prints), its TCG module and libraries (all under QR/usr), SeaBIOS and the option
# ROMs, and the L2 program of the vIOMMU-translating case, src/l2-vtd.c built as a 32-bit Multiboot
# ELF, at QR/usr/share/lab/l2-vtd.elf. QR is made anew. Errors (and the compiler's) on stderr, exit 1.
set -uo pipefail
QR=${1:?usage: qemu-root.sh QR [QSRC]}
QSRC=${2:-}
E2E=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rm -rf "$QR"; mkdir -p "$QR"/usr/{bin,share/qemu,share/seabios,share/lab}
for b in /usr/bin/qemu-system-x86_64 /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so; do
  [ -e "$QSRC$b" ] || continue
  mkdir -p "$QR$(dirname "$b")"; cp -L "$QSRC$b" "$QR$b"
  LD_LIBRARY_PATH=${QSRC:+$QSRC/usr/lib/x86_64-linux-gnu} ldd "$QSRC$b" | awk '/=> \//{print $3} /^\t\/lib64/{print $1}' | sort -u | while read -r l; do
    case "$l" in /lib64/*) continue;; /lib/*) d=/usr$l;; "$QSRC"/*) d=${l#"$QSRC"};; *) d=$l;; esac
    mkdir -p "$QR$(dirname "$d")"; cp -L "$l" "$QR$d"
  done
done
[ -x "$QR/usr/bin/qemu-system-x86_64" ] || { echo "qemu-root: no $QSRC/usr/bin/qemu-system-x86_64" >&2; exit 1; }
cp -L "$QSRC/usr/share/seabios/bios-256k.bin" "$QR/usr/share/seabios/" || exit 1
for f in kvmvapic.bin linuxboot_dma.bin multiboot_dma.bin; do cp -L "$QSRC/usr/share/qemu/$f" "$QR/usr/share/qemu/" 2>/dev/null; done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
gcc -m32 -ffreestanding -fno-pic -fno-stack-protector -nostdlib -O2 -Wall -c -o "$T/l2-vtd.o" "$E2E/src/l2-vtd.c" &&
ld -m elf_i386 -z max-page-size=0x1000 --no-warn-rwx-segments -T "$E2E/src/l2-vtd.ld" -o "$QR/usr/share/lab/l2-vtd.elf" "$T/l2-vtd.o" ||
  { echo "qemu-root: building src/l2-vtd.c failed" >&2; exit 1; }
