#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-debugfs.py - write one synthetic VT-d domain in every debugfs era.

Usage: gen-debugfs.py OUTDIR

Each OUTDIR/<era>/ is a --root tree (sys/kernel/debug/iommu/intel/... plus a
minimal sysfs). The format strings are those of formats.md section 1 (kernel
drivers/iommu/intel/debugfs.c). The domain (IOVA -> phys, perm) is the same in
every era; tests/data/debugfs/expected.extents holds its coalesced extents.

Eras / trees:
  v5.6        global file, "Device %s with pasid %d @0x%llx", 6 columns, zeros below
              superpages, 3-level (AW=1); dmar_translation_struct v5.3+ legacy
  v5.18       global file, "Device %s @0x%llx", 4-level (AW=2); group 7 = 03:00.0 +
              03:00.1 listed once (as 03:00.0); other devices' blocks around it
  v6.7        per-device file, legacy, 3-level, rows end at the leaf; 0000:05:00.0 is
              pass-through (context TT=2) and its per-device file holds garbage rows
  v6.7-sm     per-device file, scalable "with pasid 0", PGTT=2, 5-level (AW=3)
  v6.7-fl     per-PASID file 0000:03:00.0/1a/, scalable PGTT=1 (first level, x86
              format with XD bits), FLPM=0 -> 4-level
  v4.20       v4.20-v5.2 dmar_translation_struct (03:00.0 TT=0, 05:00.0 TT=2) with a
              v5.6 global table file
"""
import os
import sys

GIB, MIB, KIB = 1 << 30, 1 << 20, 4096
# iova, size, phys, writable
DOMAIN = [
    (0x1000, KIB, 0x301000, True),
    (0x2000, KIB, 0x7000, False),
    (0x3000, KIB, 0x303000, True),
    (0x4000, KIB, 0x304000, True),
    (0x200000, 2 * MIB, 0x13C000000, True),
    (0x400000, 2 * MIB, 0x13C200000, True),
    (0x40000000, GIB, 0x240000000, False),
    (0x80000000, KIB, 0x5000, False),
]
XD = 1 << 63


class Table:
    """Builds the page-table tree and yields the walk path of each leaf."""

    def __init__(self, levels, first_level, base):
        self.levels, self.fl = levels, first_level
        self.next = base
        self.root = self.alloc()
        self.tables = {}  # (level, index prefix) -> table address

    def alloc(self):
        a = self.next
        self.next += 0x1000
        return a

    def inter(self, addr):
        return addr | (0x67 if self.fl else 0x3)

    def leaf(self, phys, size, w, n):
        if self.fl:
            v = phys | 0x1 | (0x2 if w else 0) | 0x60
            if n % 2:
                v |= XD
        else:
            v = phys | 0x1 | (0x2 if w else 0)
            if n % 3 == 0:
                v |= 0x800  # SNP
        if size > KIB:
            v |= 0x80
        return v

    def path(self, iova, size, phys, w, n):
        """path[level] for level = levels..leaf level; entries above top are 0."""
        leaf_level = {KIB: 1, 2 * MIB: 2, GIB: 3}[size]
        p = {l: 0 for l in range(1, 6)}
        key = ()
        for lvl in range(self.levels, leaf_level, -1):
            idx = (iova >> (12 + 9 * (lvl - 1))) & 0x1FF
            key = key + (idx,)
            if key not in self.tables:
                self.tables[key] = self.alloc()
            p[lvl] = self.inter(self.tables[key])
        p[leaf_level] = self.leaf(phys, size, w, n)
        return p


def rows(levels, fl, base, style):
    t = Table(levels, fl, base)
    out = []
    for n, (iova, size, phys, w) in enumerate(DOMAIN):
        p = t.path(iova, size, phys, w, n)
        cols = [p[5], p[4], p[3]]
        if style == "old":
            cols += [p[2], p[1]]
        elif p[2]:
            cols.append(p[2])
            if p[1]:
                cols.append(p[1])
        out.append("0x%013x |\t" % (iova >> 12) + "\t".join("0x%016x" % c for c in cols) + "\n")
    return t.root, out


OLD_HDR = "IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n"
NEW_HDR = "%-17s\t%-18s\t%-18s\t%-18s\t%-18s\t%-s\n" % ("IOVA_PFN", "PML5E", "PML4E", "PDPE", "PDE", "PTE")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def sysfs(root, groups):
    for g, bdfs in groups.items():
        for b in bdfs:
            write(f"{root}/sys/kernel/iommu_groups/{g}/devices/{b}", "")
            write(f"{root}/sys/bus/pci/devices/{b}/iommu_group", f"../../../kernel/iommu_groups/{g}\n")
            write(f"{root}/sys/bus/pci/devices/{b}/iommu", "../../../virtual/iommu/dmar0\n")
        write(f"{root}/sys/kernel/iommu_groups/{g}/type", "identity\n" if g == 9 else "DMA\n")


def dmar_v53(ctxs, scalable=False):
    """ctxs: list of (bdf 'BB:DD.F', ctx_hi, ctx_lo, pasid, (v2, v1, v0))."""
    s = "IOMMU dmar0: Root Table Address: 0x100000\n"
    s += "B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n"
    for bdf, hi, lo, pasid, pe in ctxs:
        rhi = 0x101001 if scalable else 0
        s += "%s\t0x%016x:0x%016x\t0x%016x:0x%016x\t" % (bdf, rhi, 0x102001, hi, lo)
        s += "%-6d\t0x%016x:0x%016x:0x%016x\n" % (pasid, pe[0], pe[1], pe[2])
    return s + "\n"


def dmar_v420(ctxs):
    s = "IOMMU dmar0: Root Table Address:100000\nRoot Table Entries:\n"
    buses = sorted({c[0][:2] for c in ctxs})
    for bus in buses:
        b = int(bus, 16)
        s += " Bus: %d H: %x L: %x\n" % (b, 0, 0x102001 + b * 0x1000)
        s += " Context Table Entries for Bus: %d\n" % b
        s += "  Entry\tB:D.F\tHigh\tLow\n"
        for bdf, hi, lo, _, _ in ctxs:
            if bdf[:2] == bus:
                devfn = int(bdf[3:5], 16) << 3 | int(bdf[6])
                s += "  %-5d\t%s\t%-6x\t%x\n" % (devfn, bdf, hi, lo)
    return s + "\n"


ZERO3 = (0, 0, 0)
LEGACY = [("00:02.0", 0x201, 0x200001, -1, ZERO3), ("03:00.0", 0x301, 0x202001, -1, ZERO3),
          ("03:00.1", 0x301, 0x202001, -1, ZERO3), ("05:00.0", 0x401, 0x000009, -1, ZERO3)]
GROUPS = {1: ["0000:00:02.0"], 7: ["0000:03:00.0", "0000:03:00.1"], 9: ["0000:05:00.0"]}


def other_block(hdr):
    return hdr + OLD_HDR + "0x0000000000010 |\t0x%016x\t0x%016x\t0x%016x\t0x%016x\t0x%016x\n" % (
        0, 0, 0x900003, 0x901003, 0x1234001) + "\n"


def era_v56(out):
    root, rs = rows(3, False, 0x202000, "old")
    text = other_block("Device 0000:00:02.0 with pasid 0 @0x200000\n")
    text += "Device 0000:03:00.0 with pasid 0 @0x%x\n" % root + OLD_HDR + "".join(rs) + "\n"
    intel = out + "/v5.6/sys/kernel/debug/iommu/intel"
    write(intel + "/domain_translation_struct", text)
    write(intel + "/dmar_translation_struct", dmar_v53(LEGACY))
    sysfs(out + "/v5.6", GROUPS)


def era_v518(out):
    root, rs = rows(4, False, 0x202000, "old")
    text = other_block("Device 0000:00:02.0 @0x200000\n")
    text += "Device 0000:03:00.0 @0x%x\n" % root + OLD_HDR + "".join(rs) + "\n"
    text += "DMA Remapping is not enabled on dmar1\n"
    text += other_block("Device 0000:04:00.0 @0x210000\n")
    ctx = [(b, 0x302 if b == "03:00.0" or b == "03:00.1" else hi, lo, p, pe) for b, hi, lo, p, pe in LEGACY]
    intel = out + "/v5.18/sys/kernel/debug/iommu/intel"
    write(intel + "/domain_translation_struct", text)
    write(intel + "/dmar_translation_struct", dmar_v53(ctx))
    sysfs(out + "/v5.18", GROUPS)


def era_v67(out):
    root, rs = rows(3, False, 0x202000, "new")
    intel = out + "/v6.7/sys/kernel/debug/iommu/intel"
    write(intel + "/0000:03:00.0/domain_translation_struct",
          "Device 0000:03:00.0 @0x%x\n" % root + NEW_HDR + "".join(rs))
    # pass-through: a kernel without fbe6070c73ba walks from address 0 and prints garbage
    write(intel + "/0000:05:00.0/domain_translation_struct",
          "Device 0000:05:00.0 @0x0\n" + NEW_HDR + "0x0000000000000 |\t0xffffffffffffffff\tgarbage\n")
    write(intel + "/dmar_translation_struct", dmar_v53(LEGACY))
    sysfs(out + "/v6.7", GROUPS)


def era_v67_sm(out):
    root, rs = rows(5, False, 0x202000, "new")
    intel = out + "/v6.7-sm/sys/kernel/debug/iommu/intel"
    write(intel + "/0000:03:00.0/domain_translation_struct",
          "Device 0000:03:00.0 with pasid 0 @0x%x\n" % root + NEW_HDR + "".join(rs))
    # PASID entry: val0 = SLPTPTR | PGTT=2 <<6 | AW=3 <<2 | P ; val1 = DID 5 | PWSNP
    sm = [("03:00.0", 0, 0x103e01, 0, (0, 0x800005, root | 2 << 6 | 3 << 2 | 1)),
          ("05:00.0", 0, 0x104e01, 0, (0, 0x800006, 4 << 6 | 1 << 2 | 1))]
    write(intel + "/dmar_translation_struct", dmar_v53(sm, scalable=True))
    sysfs(out + "/v6.7-sm", GROUPS)


def era_v67_fl(out):
    root, rs = rows(4, True, 0x202000, "new")
    intel = out + "/v6.7-fl/sys/kernel/debug/iommu/intel"
    write(intel + "/0000:03:00.0/1a/domain_translation_struct",
          "Device 0000:03:00.0 with pasid 1a @0x%x\n" % root + NEW_HDR + "".join(rs))
    # PASID 26: val0 PGTT=1, AW=2 (what the kernel programs); val2 = FLPTR | FLPM=0 | SRE
    fl = [("03:00.0", 0, 0x103e01, 0, (0, 0x800005, 0x300000 | 2 << 6 | 2 << 2 | 1)),
          ("03:00.0", 0, 0x103e01, 26, (root | 1, 0x800007, 1 << 6 | 2 << 2 | 1))]
    write(intel + "/dmar_translation_struct", dmar_v53(fl, scalable=True))
    sysfs(out + "/v6.7-fl", GROUPS)


def era_v420(out):
    root, rs = rows(3, False, 0x202000, "old")
    intel = out + "/v4.20/sys/kernel/debug/iommu/intel"
    write(intel + "/domain_translation_struct",
          "Device 0000:03:00.0 with pasid 0 @0x%x\n" % root + OLD_HDR + "".join(rs) + "\n")
    write(intel + "/dmar_translation_struct", dmar_v420(LEGACY))
    sysfs(out + "/v4.20", GROUPS)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    for f in (era_v56, era_v518, era_v67, era_v67_sm, era_v67_fl, era_v420):
        f(out)


if __name__ == "__main__":
    main()
