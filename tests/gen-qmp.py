#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-qmp.py - synthetic QMP reply sets for tests/fake-qmp.py (hostile sizes).

Usage: gen-qmp.py many DIR N     N 4 KiB pc.ram sections, QEMU 7.2 texts (no HVA column in
                                 info ramblock: the client asks gpa2hva for every section)
       gen-qmp.py scale DIR N    N rom sections of N RAM blocks blkI, QEMU 8.0 texts (HVA column),
                                 and N aliases in info mtree that each cover the whole address space
"""
import os
import sys

GREETING = ('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": ""}, '
            '"capabilities": ["oob"]}}\n')


def write(d, name, text):
    with open(os.path.join(d, name), "w", newline="") as f:
        f.write(text)


def row(start, size, typ, name):
    return "  %016x-%016x (prio 0, %s): %s\r\n" % (start, start + size - 1, typ, name)


def many(d, n):
    rows = "".join(row(i * 0x2000, 0x1000, "ram", "pc.ram @%016x" % (i * 0x2000)) for i in range(n))
    write(d, "info-mtree-f.txt", 'FlatView #0\r\n AS "memory", root: system\r\n Root memory region: system\r\n' + rows)
    write(d, "info-ramblock.txt",
          "              Block Name    PSize              Offset               Used              Total\r\n"
          "                  pc.ram    4 KiB  0x0000000000000000 0x%016x 0x%016x\r\n" % (n * 0x2000, n * 0x2000))
    write(d, "gpa2hva.txt", "Host virtual address for 0x0 (pc.ram) is 0x7f0000000000\r\n")
    write(d, "info-mtree.txt", "address-space: memory\r\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n")


def scale(d, n):
    rows = "".join(row(i * 0x1000, 0x1000, "rom", "blk%d" % i) for i in range(n))
    write(d, "info-mtree-f.txt", 'FlatView #0\r\n AS "memory", root: system\r\n Root memory region: system\r\n' + rows)
    rb = "".join("  %22s    4 KiB  0x%016x 0x0000000000001000 0x0000000000001000 0x%016x  ro\r\n"
                 % ("blk%d" % i, i * 0x1000, 0x7f0000000000 + i * 0x1000) for i in range(n))
    write(d, "info-ramblock.txt",
          "              Block Name    PSize              Offset               Used              Total"
          "                HVA  RO\r\n" + rb)
    al = "".join("    0000000000000000-%016x (prio 1, rom): alias a%d @blk%d 0000000000000000-0000000000000fff\r\n"
                 % (n * 0x1000 - 1, i, (i * 7919) % n) for i in range(n))
    write(d, "info-mtree.txt", "address-space: memory\r\n  0000000000000000-ffffffffffffffff (prio 0, i/o): system\r\n" + al)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("many", "scale"):
        sys.exit(__doc__)
    d, n = sys.argv[2], int(sys.argv[3])
    os.makedirs(d, exist_ok=True)
    write(d, "greeting.txt", GREETING)
    (many if sys.argv[1] == "many" else scale)(d, n)


main()
