#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen-root.py - generate a --root tree for a QEMU-like process holding a VFIO device.

Usage:
  gen-root.py SCENARIO OUTDIR [options]
  gen-root.py --list

SCENARIO (the same guest layout in all of them; 64 MiB pc machine, SeaBIOS 256 KiB):
  pcbios  like the nested lab on a < 6.2 host (lab/nested/README.md section 5):
          pc.ram 0-0xbffff and 0x100000-0x3ffffff RW, real PFNs equal on both sides
          (2 MiB IOMMU leaves from 0x200000); pc.rom 0xc0000-0xdffff: IOMMU -> zero page R/O and
          CPU -> zero page (consistent); isa-bios 0xe0000-0xfffff (pc.bios @0x20000): IOMMU -> zero
          page R/O, CPU -> the real pc.bios pages; pc.bios 0xfffc0000-0xffffffff: IOMMU -> zero page
          R/O, CPU -> 64 distinct pages.
  clean   IOMMU == CPU everywhere (6.2+ host): nothing to report.
  stale   clean + GPA 0x150000: the IOMMU still maps the old PFN (kpagecount 0), the CPU a new one.
  orphan  clean + IOVA 0x80000000 (in no GPA section) mapped to PFN 0x3e0000 with kpagecount 0.
  unpriv  clean, but pagemap entries are present with PFN 0 (what an unprivileged reader sees).
  p2p     clean + a running VM's peer-to-peer window: QEMU maps the device's BAR 0 (host
          0xfea00000-0xfeafffff, sysfs resource) at GPA 0xfe000000 (ramd section
          "0000:00:02.0 BAR 0 mmaps[0]" in gpa-map.json and the flat view), and the IOMMU maps
          IOVA 0xfe000000-0xfe0fffff (256 pages) to the BAR's PFNs 0xfea00-0xfeaff.
  viommu  clean + what a guest with its own vIOMMU makes the host IOMMU map (IOVA is not GPA):
          IOVA 0xffffe000 (pc.bios's GPA range) -> a pc.ram page of this VM (PFN 0x1c9a10), and
          IOVA 0xffffd000 -> PFN 0x3f0000, a page mapped elsewhere (kpagecount 1), in none of
          the VM's RAM blocks. Use with --viommu.
  gvtd    a guest whose own emulated VT-d translates (field notes section 4): the guest's legacy
          root/context/second-level tables in guest RAM (root GPA 0x300000, context 0x301000, page
          tables from 0x302000; guest BDF 00:03.0) map GUEST_MAPS; the host IOMMU maps each guest
          IOVA to the host page of the GPA it translates to, and nothing else. Always writes
          kcore.txt (host tables, and the guest's table pages at their host PFNs), qmp/xp.txt
          (GSTS from --gsts, default 0xc0000000: TES|RTPS; RTADDR from --rtaddr, default
          0x300000), qmp/info-pci.txt. Use with --viommu intel-iommu,... and
          --vfio-opts ,id=hostdev0,addr=0x3.

Options:
  --pid N            QEMU pid (default 4242); pid 1 (no VFIO fd) is always generated too
  --name NAME        -name guest=NAME (default vm1); --name-style guest|plain|equals|none
  --comm COMM        /proc/PID/comm and the name in /proc/PID/stat (default qemu-system-x86)
  --starttime N      /proc/PID/stat field 22 (default 1234567)
  --cdev             the fd is the iommufd cdev /dev/vfio/devices/vfio0 (not the group /dev/vfio/2)
  --iommufd          the iommufd backend (QEMU -object iommufd): fd 11 is /dev/iommu (not the
                     container /dev/vfio/vfio) and fd 12 the cdev (implies --cdev); iommufd charges
                     its pins to pinned_vm: use with --vmlck 0 --vmpin KB
  --group-type T     /sys/kernel/iommu_groups/2/type (default DMA)
  --zero-pfn PFN     the zero page (default 0x493ad)
  --vmlck KB         VmLck in /proc/PID/status (default 65280: what VFIO type1 charges for
                     this guest, field-notes §1); --vmpin KB: VmPin (default 0)
  --anon-huge KB     AnonHugePages in /proc/PID/smaps_rollup (default 0)
  --no-status        write no /proc/PID/status (the owner's pinned memory is unknown)
  --kcore            also write OUTDIR/kcore.txt: a tests/gen-elf description of physical memory
                     holding the VT-d root, context and page tables the debugfs files show
                     (build root/proc/kcore from it with gen-elf)
  --bar-kpf K        p2p: kpageflags of the BAR's PFNs: hole (default: no entry written, reads as
                     flags 0 / count 0, like a P2PDMA page with a struct page) or nopage (KPF_NOPAGE)
  --no-bar           p2p: the device's sysfs resource lists no BAR (all lines zero)
  --libvirt          as libvirt starts it: -uuid UUID on the command line (--uuid, default
                     c7a5fdbd-edaf-9455-926a-d65c16db1809) and root/run/libvirt/qemu/NAME.pid
  --vmid N           as Proxmox starts VM N: -id N and -pidfile /var/run/qemu-server/N.pid on the
                     command line, and that pid file below root (the socket N.qmp is the test's)
  --viommu DEV       add "-device DEV" to the QEMU command line (e.g. intel-iommu,caching-mode=on)
  --gsts V[,V2...]   qmp/xp.txt: the emulated Intel unit's GSTS (0xfed9001c) for fake-qmp.py's xp
                     (V2...: the values of the following reads)
  --vfio-opts S      append S to the -device vfio-pci value (e.g. ,id=hostdev0,addr=0x3)
  --rtaddr V[,V2...] gvtd: RTADDR (0xfed90020) for fake-qmp.py's xp /1gx
  --guest-plant P    gvtd: stale (GPA 0x203000's CPU page moved to PFN 0x2a0203, the host IOMMU
                     keeps the old one), unmapped (the host also maps IOVA 0xfffd0000, which the
                     guest does not map, to pc.ram PFN 0x1c9a50), mapping (the same, and the
                     guest maps IOVA 0xfffd0000 -> GPA 0x50000: consistent), perm (the host maps IOVA
                     0xfffa0000 writable, the guest read-only)
  --guest-pages N    gvtd: also map IOVA 0x40000000 + 4 KiB * i -> GPA 0x2000000 + 4 KiB * i, i < N (<= 8192)
  --guest-mode M     gvtd: legacy (default) or scalable (RTADDR bit 10; context entry -> PASID
                     directory -> PASID 0's entry with PGTT 2 -> the same second-level tables) or
                     scalable-fl (the same PASID entry with PGTT 1: first-level x86-64 tables, 4
                     levels: a PML4 over the same tables, entries with U/S and A, read-only ones XD)
  --guest-rid-pasid N  gvtd, scalable modes: the context entry's RID_PASID (bits 83:64) is N
  --guest-bad B      gvtd: tt3 (the guest's context entry has TT 3), ps (a guest level-1 entry with
                     PS set), absent (the guest's root table page is not resident: no pagemap entry)
  --mtree-vtd on|off qmp/info-mtree-f.txt: a FlatView of the device behind an emulated Intel IOMMU
                     (AS "vtd-root", root: vtd-03.0), translated (vtd-03.0-dmar) or rendered from RAM

Output in OUTDIR:
  root/               the --root tree: proc/PID/{cmdline,comm,stat,maps,pagemap,fd/},
                      proc/{kpageflags,kpagecount} (sparse, u64 per PFN), sys/kernel/iommu_groups/2/...,
                      sys/bus/pci/devices/0000:00:02.0/..., sys/kernel/debug/iommu/intel/
                      {dmar_translation_struct,iommu_regset,0000:00:02.0/domain_translation_struct} (6.12 format)
  gpa-map.json        the --gpa-map file for the scenario
  qmp/                replies for tests/fake-qmp.py (QEMU 7.2 texts, CRLF): greeting.txt,
                      info-mtree-f.txt, info-mtree.txt, info-ramblock.txt, gpa2hva.txt
  samples.txt         "IOVA PFN" lines: every 61st IOMMU-mapped 4 KiB page (for GPA map inference)
  expect.json         per-page verdict counts the comparison must produce, the zero PFN, the pid
pagemap and kpage* files are sparse: entries at their real offsets (va/4096*8, pfn*8).
"""
import json
import os
import struct
import sys

DEV = "0000:00:02.0"
GROUP = 2
MiB = 1 << 20
KPF_NORMAL = 0x400005828          # 6.1 anon page: uptodate|lru|mmap|anon|swapbacked|...
KPF_ZERO = (1 << 24) | (1 << 32)  # ZERO_PAGE | RESERVED = 0x101000000
KPF_NOPAGE = 1 << 20
BAR_PA, BAR_SIZE, BAR_GPA, BAR_HVA = 0xfea00000, 0x100000, 0xfe000000, 0x7f170e100000
BAR_NAME = "0000:00:02.0 BAR 0 mmaps[0]"
PM_PRESENT, PM_EXCL, PM_SOFTDIRTY = 1 << 63, 1 << 56, 1 << 55
HERE = os.path.dirname(os.path.abspath(__file__))

# Guest layout: (mtree name, gpa, size, type, ramblock, offset in ramblock)
SECTIONS = [
    ("pc.ram", 0x0, 0xc0000, "ram", "pc.ram", 0x0),
    ("pc.rom", 0xc0000, 0x20000, "rom", "pc.rom", 0x0),
    ("pc.bios", 0xe0000, 0x20000, "rom", "pc.bios", 0x20000),     # isa-bios alias
    ("pc.ram", 0x100000, 0x3f00000, "ram", "pc.ram", 0x100000),
    ("pc.bios", 0xfffc0000, 0x40000, "rom", "pc.bios", 0x0),
]
# RAMBlocks: name -> (ram_addr offset, size, hva, first host PFN)
BLOCKS = {
    "pc.ram": (0x0, 0x4000000, 0x7f16f7e00000, 0x1c9a00),
    "pc.bios": (0x4000000, 0x40000, 0x7f170e400000, 0x4266),
    "pc.rom": (0x4040000, 0x20000, 0x7f170e200000, 0x42c0),
}


class Scenario:
    def __init__(self, opt):
        self.opt = opt
        self.zero = opt["zero_pfn"]
        self.iommu = {}   # iova page number -> (pfn, writable)
        self.big = {}     # 2 MiB leaves: iova page number -> pfn
        self.cpu = {}     # va page number -> pagemap entry
        self.kpf = {}     # pfn -> (flags, count)

    def block_pfn(self, block, off):
        return BLOCKS[block][3] + off // 4096

    def build(self, kind):
        for name, gpa, size, typ, block, boff in SECTIONS:
            hva = BLOCKS[block][2] + boff
            for i in range(size // 4096):
                real = self.block_pfn(block, boff + i * 4096)
                cpu = real
                iommu = real
                if kind == "pcbios" and typ == "rom":
                    iommu = self.zero
                    if block == "pc.rom":
                        cpu = self.zero
                self.set_cpu(hva // 4096 + i, cpu)
                self.set_iommu(gpa // 4096 + i, iommu, typ == "ram")
        if kind == "stale":
            old = self.iommu[0x150][0]
            self.set_cpu(BLOCKS["pc.ram"][2] // 4096 + 0x150, 0x2a0150)
            self.kpf[old] = (KPF_NORMAL, 0)
        if kind == "p2p":
            for i in range(BAR_SIZE // 4096):
                self.iommu[BAR_GPA // 4096 + i] = (BAR_PA // 4096 + i, True)
                if self.opt["bar_kpf"] == "nopage":
                    self.kpf[BAR_PA // 4096 + i] = (KPF_NOPAGE, 0)
        if kind == "viommu":
            self.iommu[0xffffe] = (self.block_pfn("pc.ram", 0x10000), True)
            self.iommu[0xffffd] = (0x3f0000, True)
            self.kpf[0x3f0000] = (KPF_NORMAL, 1)
        if kind == "gvtd":
            self.guest_vtd()
        if kind == "orphan":
            self.iommu[0x80000] = (0x3e0000, True)
            self.kpf[0x3e0000] = (KPF_NORMAL, 0)
        self.coalesce_2m()

    def gpa_pfn(self, gpa):
        """Host PFN of a GPA as the CPU sees it (pagemap at its HVA)."""
        for name, g, size, typ, block, boff in SECTIONS:
            if g <= gpa < g + size:
                return self.cpu[(BLOCKS[block][2] + boff + gpa - g) // 4096] & ((1 << 55) - 1)
        raise ValueError(hex(gpa))

    def guest_vtd(self):
        """The guest's own VT-d tables (legacy, 3-level) and what the host IOMMU maps for them."""
        plant, bad = self.opt["guest_plant"], self.opt["guest_bad"]
        self.iommu.clear()
        mem = {}                 # GPA -> 64-bit word
        nxt = [GUEST_PT]
        tables = {}

        def table(key):
            if key not in tables:
                tables[key] = nxt[0]
                nxt[0] += 4096
            return tables[key]
        top = table(("top",))
        maps = list(GUEST_MAPS)
        for i in range(self.opt["guest_pages"]):   # more single pages (scale): IOVA 0x40000000.. -> GPA 0x2000000..
            maps.append((0x40000000 + i * 4096, 0x2000000 + i * 4096, 4096, True))
        for iova, gpa, size, w in maps:
            l2 = table(("l2", iova >> 30))
            mem[top + (iova >> 30 & 511) * 8] = l2 | 3
            if size == 2 * MiB:
                mem[l2 + (iova >> 21 & 511) * 8] = gpa | 0x80 | (3 if w else 1)
            else:
                for k in range(size // 4096):
                    a = iova + k * 4096
                    l1 = table(("l1", a >> 21))
                    mem[l2 + (a >> 21 & 511) * 8] = l1 | 3
                    bits = 3 if w else 1
                    if bad == "ps" and a == 0xffff5000:
                        bits |= 0x80
                    mem[l1 + (a >> 12 & 511) * 8] = (gpa + k * 4096) | bits
            for k in range(size // 4096):
                self.iommu[iova // 4096 + k] = (self.gpa_pfn(gpa + k * 4096),
                                                w or (plant == "perm" and iova == 0xfffa0000))
        if plant == "stale":     # the CPU page moved; the host IOMMU still maps the old one
            self.set_cpu(BLOCKS["pc.ram"][2] // 4096 + 0x203, 0x2a0203)
        if plant in ("unmapped", "mapping"):
            self.iommu[0xfffd0] = (self.block_pfn("pc.ram", 0x50000), True)
        if plant == "mapping":   # ... and the guest maps it too (what a re-read may see)
            maps.append((0xfffd0000, 0x50000, 4096, True))
            l2 = table(("l2", 0xfffd0000 >> 30))
            l1 = table(("l1", 0xfffd0000 >> 21))
            mem[l2 + (0xfffd0000 >> 21 & 511) * 8] = l1 | 3
            mem[l1 + (0xfffd0000 >> 12 & 511) * 8] = 0x50000 | 3
        mem[GUEST_ROOT] = GUEST_CTX | 1                         # bus 0 (scalable: devfn 0-127)
        if self.opt["guest_mode"] in ("scalable", "scalable-fl"):   # context -> PASID directory -> PASID 0
            pdir, ptab = table(("pdir",)), table(("ptab",))
            mem[GUEST_CTX + GUEST_DEVFN * 32] = pdir | 1        # PDTS 0: 128 directory entries
            if self.opt["guest_rid_pasid"]:
                mem[GUEST_CTX + GUEST_DEVFN * 32 + 8] = self.opt["guest_rid_pasid"]   # RID_PASID
            mem[pdir] = ptab | 1
            if self.opt["guest_mode"] == "scalable-fl":
                # PGTT 1: first-level (x86-64 format, 4-level: FLPM 0) tables; the level-3 table
                # above is the PDPT under a PML4. Every first-level entry also has U/S and A (as
                # Linux's first level sets them) and the read-only leaves XD: not address bits
                pml4 = table(("pml4",))
                mem[pml4] = top | 0x27                          # P RW US A
                for a, v in list(mem.items()):
                    if a != pml4 and a not in (GUEST_ROOT, GUEST_CTX + GUEST_DEVFN * 32, pdir) and v & 1:
                        mem[a] = v | 0x24 | (1 << 63 if not v & 2 else 0)
                mem[ptab] = 1 << 6 | 1                          # PGTT 1 (first level), P
                mem[ptab + 8] = 5                               # domain 5
                mem[ptab + 16] = pml4                           # FLPTPTR, FLPM 0 (4-level)
            else:
                mem[ptab] = top | 1 << 2 | 2 << 6 | 1           # AW 1 (3-level), PGTT 2 (second level), P
                mem[ptab + 8] = 5                               # domain 5
        else:
            mem[GUEST_CTX + GUEST_DEVFN * 16] = top | 1 | (0xc if bad == "tt3" else 0)   # TT 0 (3: reserved)
            mem[GUEST_CTX + GUEST_DEVFN * 16 + 8] = 0x501       # AW 1 (3-level), domain 5
        self.guest_mem = mem
        self.guest_end = nxt[0]
        if bad == "absent":
            del self.cpu[BLOCKS["pc.ram"][2] // 4096 + GUEST_ROOT // 4096]

    def set_cpu(self, vpn, pfn):
        if pfn == self.zero:
            self.cpu[vpn] = PM_PRESENT | pfn
            self.kpf[pfn] = (KPF_ZERO, 0)
        else:
            pfn_shown = 0 if self.opt["kind"] == "unpriv" else pfn
            self.cpu[vpn] = PM_PRESENT | PM_EXCL | PM_SOFTDIRTY | pfn_shown
            self.kpf.setdefault(pfn, (KPF_NORMAL, 1))

    def set_iommu(self, ipn, pfn, writable):
        self.iommu[ipn] = (pfn, writable)

    def coalesce_2m(self):
        """VFIO maps pc.ram from 0x200000 with 2 MiB leaves (contiguous, aligned PFNs)."""
        for ipn in range(0x200, 0x4000, 0x200):
            first = self.iommu.get(ipn)
            if not first or first[0] % 512 or not first[1]:
                continue
            if all(self.iommu.get(ipn + i) == (first[0] + i, True) for i in range(512)):
                for i in range(512):
                    del self.iommu[ipn + i]
                self.big[ipn] = first[0]

    def pages(self):
        pages = [(ipn, pfn) for ipn, (pfn, _) in self.iommu.items()]
        return sorted(pages + [(ipn + i, pfn + i) for ipn, pfn in self.big.items() for i in range(512)])

    def expect(self):
        secs = [(g, g + s, BLOCKS[b][2] + o) for _, g, s, _, b, o in SECTIONS]
        counts = {}
        for ipn, pfn in self.pages():
            gpa = ipn * 4096
            sec = next((s for s in secs if s[0] <= gpa < s[1]), None)
            if sec is None:
                v = "extra"
            else:
                cpu = self.cpu.get((sec[2] + gpa - sec[0]) // 4096, 0)
                cpfn = cpu & ((1 << 55) - 1)
                if self.opt["kind"] == "unpriv":
                    v = "unknown"
                elif pfn == cpfn:
                    v = "zero-page" if pfn == self.zero else "ok"
                else:
                    v = "stale-zero-page" if pfn == self.zero else "stale"
            counts[v] = counts.get(v, 0) + 1
        return counts


# ---------------------------------------------------------------- writers
def wfile(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


def symlink(target, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.lexists(path):
        os.unlink(path)
    os.symlink(target, path)


def sparse_u64(path, entries):
    """entries: index -> u64, written at index*8 (holes read as 0)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        for idx in sorted(entries):
            f.seek(idx * 8)
            f.write(struct.pack("<Q", entries[idx]))


def cmdline(opt):
    args = ["/usr/bin/qemu-system-x86_64"]
    style = opt["name_style"]
    if style == "guest":
        args += ["-name", "guest=%s,debug-threads=on" % opt["name"]]
    elif style == "plain":
        args += ["-name", opt["name"]]
    elif style == "equals":
        args += ["-name=%s" % opt["name"]]
    if opt["libvirt"]:
        args += ["-uuid", opt["uuid"]]
    if opt["vmid"]:
        args += ["-id", str(opt["vmid"]), "-pidfile", "/var/run/qemu-server/%d.pid" % opt["vmid"]]
    if opt["viommu"]:
        args += ["-device", opt["viommu"]]
    args += ["-machine", "pc,accel=kvm", "-m", "64", "-S", "-device", "vfio-pci,host=%s%s" % (DEV, opt["vfio_opts"]),
             "-qmp", "unix:/run/qmp.sock,server=on,wait=off"]
    return "".join(a + "\0" for a in args)


def stat_line(pid, comm, starttime):
    f = ["S", "1", str(pid), str(pid), "0", "-1", "4194560", "100", "0", "0", "0", "50", "20",
         "0", "0", "20", "0", "5", "0", str(starttime), "123456789", "1000"]
    return "%d (%s) %s\n" % (pid, comm, " ".join(f))


def write_proc(root, opt):
    pid = opt["pid"]
    p = "%s/proc/%d" % (root, pid)
    wfile(p + "/cmdline", cmdline(opt))
    wfile(p + "/comm", opt["comm"] + "\n")
    wfile(p + "/stat", stat_line(pid, opt["comm"], opt["starttime"]))
    if not opt["no_status"]:
        wfile(p + "/status", "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nPid:\t%d\n"
              "VmPeak:\t 1507520 kB\nVmSize:\t 1441984 kB\nVmLck:\t%8d kB\nVmPin:\t%8d kB\n"
              "VmHWM:\t  182384 kB\nVmRSS:\t  182384 kB\nThreads:\t5\n"
              % (opt["comm"][:15], pid, pid, opt["vmlck"], opt["vmpin"]))
        wfile(p + "/smaps_rollup", "55d0c0a00000-7ffd6b1f1000 ---p 00000000 00:00 0                          [rollup]\n"
              "Rss:              182384 kB\nAnonymous:        170000 kB\nAnonHugePages:  %8d kB\n"
              "Shared_Hugetlb:         0 kB\nPrivate_Hugetlb:        0 kB\nSwap:                  0 kB\n"
              % opt["anon_huge"])
    os.makedirs(p + "/fd", exist_ok=True)
    symlink("/dev/null", p + "/fd/0")
    symlink("/dev/iommu" if opt["iommufd"] else "/dev/vfio/vfio", p + "/fd/11")
    symlink("/dev/vfio/devices/vfio0" if opt["cdev"] else "/dev/vfio/%d" % GROUP, p + "/fd/12")
    symlink("anon_inode:[vfio-device]", p + "/fd/13")
    symlink("socket:[12345]", p + "/fd/14")
    maps = ["55d0c0a00000-55d0c0e00000 r-xp 00000000 fe:01 1048602                    /usr/bin/qemu-system-x86_64"]
    for name in ("pc.ram", "pc.rom", "pc.bios"):
        _, size, hva, _ = BLOCKS[name]
        maps.append("%x-%x rw-p 00000000 00:00 0 " % (hva, hva + size))
    maps.append("7f170e100000-7f170e200000 rw-s fea00000 00:09 11                         anon_inode:[vfio-device]")
    maps.append("7ffd6b1d0000-7ffd6b1f1000 rw-p 00000000 00:00 0                          [stack]")
    maps.sort(key=lambda l: int(l.split("-")[0], 16))
    wfile(p + "/maps", "\n".join(maps) + "\n")
    if opt["libvirt"]:
        wfile(root + "/run/libvirt/qemu/%s.pid" % opt["name"], "%d" % pid)
    if opt["vmid"]:
        wfile(root + "/var/run/qemu-server/%d.pid" % opt["vmid"], "%d\n" % pid)
    # pid 1: no VFIO device
    wfile(root + "/proc/1/cmdline", "/sbin/init\0")
    wfile(root + "/proc/1/comm", "init\n")
    wfile(root + "/proc/1/stat", stat_line(1, "init", 1))
    symlink("/dev/console", root + "/proc/1/fd/0")
    wfile(root + "/proc/self", "")   # not a pid directory


def write_sys(root, opt):
    g = "%s/sys/kernel/iommu_groups/%d" % (root, GROUP)
    symlink("../../../../devices/pci0000:00/%s" % DEV, "%s/devices/%s" % (g, DEV))
    wfile(g + "/type", opt["group_type"] + "\n")
    wfile(g + "/reserved_regions", "0x00000000fee00000 0x00000000feefffff msi\n")
    d = "%s/sys/bus/pci/devices/%s" % (root, DEV)
    symlink("../../../kernel/iommu_groups/%d" % GROUP, d + "/iommu_group")
    symlink("../../../bus/pci/drivers/vfio-pci", d + "/driver")
    symlink("../../virtual/iommu/dmar0", d + "/iommu")
    bar0 = "0x%016x 0x%016x 0x0000000000140204" % (BAR_PA, BAR_PA + BAR_SIZE - 1)
    if opt["no_bar"]:
        bar0 = "0x0000000000000000 0x0000000000000000 0x0000000000000000"
    res = [bar0] + \
          ["0x0000000000000000 0x0000000000000000 0x0000000000000000"] * 12
    wfile(d + "/resource", "\n".join(res) + "\n")
    if opt["cdev"]:
        symlink("../../../%s" % DEV, root + "/sys/class/vfio-dev/vfio0/device")
        os.makedirs(d + "/vfio-dev/vfio0", exist_ok=True)


# ---------------------------------------------------------------- IOMMU (VT-d, 6.12 per-device debugfs)
RTADDR, PGD = 0x765000, 0xb3c000
# gvtd: the guest's own VT-d tables (GPAs in pc.ram) and mappings (IOVA, GPA, bytes, writable)
GUEST_ROOT, GUEST_CTX, GUEST_PT, GUEST_DEVFN = 0x300000, 0x301000, 0x302000, 0x18   # guest 00:03.0
GUEST_MAPS = [
    (0xffff0000, 0x200000, 0x10000, True),     # 16 pages of pc.ram
    (0xfffe0000, 0xfffc0000, 0x4000, False),   # 4 pages of pc.bios (rom), read-only
    (0xfffa0000, 0x210000, 0x1000, False),     # a pc.ram page the guest maps read-only
    (0x1000000, 0x1000000, 2 * MiB, True),     # one 2 MiB guest page
]


def pte(pfn, bits):
    return pfn << 12 | bits


def write_debugfs(root, sc):
    base = root + "/sys/kernel/debug/iommu/intel"
    tables = {}   # (level, index) -> table pfn

    def table(level, idx):
        if (level, idx) not in tables:
            tables[(level, idx)] = (PGD >> 12) + 1 + len(tables)
        return tables[(level, idx)]

    rows = []
    leaves = [(ipn, pfn, 1, w) for ipn, (pfn, w) in sc.iommu.items()]
    leaves += [(ipn, pfn, 2, True) for ipn, pfn in sc.big.items()]
    for ipn, pfn, lvl, w in sorted(leaves):
        pdpe = pte(table(2, ipn >> 18), 3)        # 3-level table (agaw 1), PDPE is the top
        cols = [0, 0, pdpe]
        if lvl == 2:
            cols.append(pte(pfn, 0x83))
        else:
            cols.append(pte(table(1, ipn >> 9), 3))
            cols.append(pte(pfn, 3 if w else 1))
        rows.append("0x%013x |\t" % ipn + "\t".join("0x%016x" % c for c in cols))
    mem = {}      # physical address -> 64-bit word (the same tables, for --kcore)
    for ipn, pfn, lvl, w in sorted(leaves):
        mem[PGD + (ipn >> 18 & 511) * 8] = pte(table(2, ipn >> 18), 3)
        l2 = table(2, ipn >> 18) * 4096 + (ipn >> 9 & 511) * 8
        if lvl == 2:
            mem[l2] = pte(pfn, 0x83)
        else:
            mem[l2] = pte(table(1, ipn >> 9), 3)
            mem[table(1, ipn >> 9) * 4096 + (ipn & 511) * 8] = pte(pfn, 3 if w else 1)
    ctx_table = RTADDR + 0x7000
    mem[RTADDR + 0 * 16] = ctx_table | 1                  # bus 0 root entry
    mem[ctx_table + 0x10 * 16] = PGD | 1                  # devfn 0x10 (00:02.0): TT 0
    mem[ctx_table + 0x10 * 16 + 8] = 0x401                # AW 1 (3-level), domain 4
    sc.kcore = mem
    sc.kcore_end = (max(tables.values()) + 1) * 4096
    hdr = "%-17s\t%-18s\t%-18s\t%-18s\t%-18s\t%-s" % ("IOVA_PFN", "PML5E", "PML4E", "PDPE", "PDE", "PTE")
    wfile("%s/%s/domain_translation_struct" % (base, DEV),
          "Device %s @0x%x\n%s\n%s\n" % (DEV, PGD, hdr, "\n".join(rows)))
    ctx = "0x%016x:0x%016x" % (0x401, PGD | 1)
    root_e = "0x%016x:0x%016x" % (0, (RTADDR + 0x7000) | 1)
    wfile(base + "/dmar_translation_struct",
          "IOMMU dmar0: Root Table Address: 0x%x\n" % RTADDR +
          "B.D.F\tRoot_entry\t\t\t\tContext_entry\t\t\t\tPASID\tPASID_table_entry\n" +
          "00:02.0\t%s\t%s\t-1    \t0x%016x:0x%016x:0x%016x\n\n" % (root_e, ctx, 0, 0, 0))
    with open(os.path.join(HERE, "data/host/iommu_regset.lab612")) as f:
        regs = f.read()
    regs = regs.replace("RTADDR          \t0x20\t\t0x0000000000765000",
                        "RTADDR          \t0x20\t\t0x%016x" % RTADDR)
    wfile(base + "/iommu_regset", regs)


# ---------------------------------------------------------------- CPU side and QMP texts
def write_pages(root, sc, opt):
    sparse_u64("%s/proc/%d/pagemap" % (root, opt["pid"]), sc.cpu)
    sparse_u64(root + "/proc/kpageflags", {p: f for p, (f, _) in sc.kpf.items()})
    sparse_u64(root + "/proc/kpagecount", {p: c for p, (_, c) in sc.kpf.items()})


def crlf(lines):
    return "".join(l + "\r\n" for l in lines)


def write_qmp(out, opt):
    q = out + "/qmp"
    os.makedirs(q, exist_ok=True)
    wfile(q + "/greeting.txt", '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, '
          '"package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "capabilities": ["oob"]}}\n')
    io = ["FlatView #0", ' AS "I/O", root: io', " Root memory region: io",
          "  0000000000000000-0000000000000007 (prio 0, i/o): dma-chan", ""]
    mem = ["FlatView #1", ' AS "memory", root: system', ' AS "cpu-memory-0", root: system',
           " Root memory region: system"]
    rows = []
    for name, gpa, size, typ, block, boff in SECTIONS:
        prio = 1 if name == "pc.rom" else 0
        tail = " @%016x" % boff if boff else ""
        rows.append((gpa, "  %016x-%016x (prio %d, %s): %s%s" % (gpa, gpa + size - 1, prio, typ, name, tail)))
    if opt["kind"] == "p2p":
        rows.append((BAR_GPA, "  %016x-%016x (prio 0, ramd): %s" % (BAR_GPA, BAR_GPA + BAR_SIZE - 1, BAR_NAME)))
    mmio = [(0xfea00000, 0xfeafffff, 1, "vfio-edu-mmio"), (0xfec00000, 0xfec00fff, 0, "ioapic"),
            (0xfee00000, 0xfeefffff, 4096, "apic-msi")]
    if opt["viommu"].startswith("intel-iommu"):
        mmio.append((0xfed90000, 0xfed90fff, 0, "intel_iommu"))
    for gpa, end, prio, name in mmio:
        rows.append((gpa, "  %016x-%016x (prio %d, i/o): %s" % (gpa, end, prio, name)))
    mem += [r for _, r in sorted(rows)] + [""]
    vtd = []
    if opt["mtree_vtd"]:   # the device behind an emulated Intel IOMMU (as in lab capture qmp-intel-host)
        vtd = ["FlatView #2", ' AS "vfio-pci", root: bus master container', ' AS "vtd-root", root: vtd-03.0']
        if opt["mtree_vtd"] == "on":
            vtd += [" Root memory region: vtd-03.0-dmar",
                    "  0000000000000000-00000000fedfffff (prio 0, i/o): vtd-03.0-dmar",
                    "  00000000fee00000-00000000feefffff (prio 1, i/o): vtd-ir",
                    "  00000000fef00000-ffffffffffffffff (prio 0, i/o): vtd-03.0-dmar @00000000fef00000", ""]
        else:
            vtd += [" Root memory region: vtd-nodmar", "  0000000000000000-00000000000bffff (prio 0, ram): pc.ram",
                    "  00000000fee00000-00000000feefffff (prio 1, i/o): vtd-ir", ""]
    wfile(q + "/info-mtree-f.txt", crlf(io + mem + vtd), "w")
    # the tree (info mtree): the isa-bios alias names 0xe0000 (the flat view says pc.bios @0x20000)
    tree = ["address-space: memory", "  0000000000000000-ffffffffffffffff (prio 0, i/o): system",
            "    0000000000000000-0000000003ffffff (prio 0, ram): alias ram-below-4g @pc.ram 0000000000000000-0000000003ffffff",
            "    00000000000c0000-00000000000dffff (prio 1, rom): pc.rom",
            "    00000000000e0000-00000000000fffff (prio 1, rom): alias isa-bios @pc.bios 0000000000020000-000000000003ffff",
            "    00000000fffc0000-00000000ffffffff (prio 0, rom): pc.bios", "",
            "address-space: I/O", "  0000000000000000-000000000000ffff (prio 0, i/o): io", ""]
    wfile(q + "/info-mtree.txt", crlf(tree), "w")
    rb = ["%24s %8s  %18s %18s %18s" % ("Block Name", "PSize", "Offset", "Used", "Total")]
    for name in ("pc.ram", "pc.bios", "pc.rom"):
        off, size, _, _ = BLOCKS[name]
        rb.append("%24s %8s  0x%016x 0x%016x 0x%016x" % (name, "4 KiB", off, size, size))
    # QEMU 7.2 prints the vfio-pci BAR's RAM block with an empty name (seen in the nested lab)
    rb.append("%24s %8s  0x%016x 0x%016x 0x%016x" % ("", "4 KiB", 0x4080000, 0x100000, 0x100000))
    wfile(q + "/info-ramblock.txt", crlf(rb))
    xp = ""
    if opt["gsts"]:
        xp += "0x%x %s\n" % (0xfed9001c, " ".join(opt["gsts"].split(",")))
    if opt["rtaddr"]:
        xp += "0x%x %s\n" % (0xfed90020, " ".join(opt["rtaddr"].split(",")))
    if xp:
        wfile(q + "/xp.txt", xp)
    if opt["kind"] == "gvtd":
        wfile(q + "/info-pci.txt", crlf([
            "  Bus  0, device   0, function 0:", "    Host bridge: PCI device 8086:29c0",
            "      PCI subsystem 1af4:1100", '      id ""',
            "  Bus  0, device   3, function 0:", "    Class 0255: PCI device 1234:11e8",
            "      PCI subsystem 1af4:1100", "      IRQ 11, pin A",
            "      BAR0: 32 bit memory at 0xfea00000 [0xfeafffff].", '      id "hostdev0"',
            "  Bus  0, device   4, function 0:", "    Ethernet controller: PCI device 8086:10d3",
            "      BAR0: 32 bit memory at 0xfeb00000 [0xfeb1ffff].", '      id "net0"']))
    g = ["Host virtual address for 0x%x (%s) is 0x%x" % (gpa, name, BLOCKS[block][2] + boff)
         for name, gpa, size, typ, block, boff in SECTIONS]
    wfile(q + "/gpa2hva.txt", crlf(g))


def write_gpamap(out, opt):
    v = [{"gpa": "0x%x" % gpa, "size": "0x%x" % size, "hva": "0x%x" % (BLOCKS[block][2] + boff),
          "name": "isa-bios" if gpa == 0xe0000 else name, "readonly": typ == "rom", "type": typ}
         for name, gpa, size, typ, block, boff in SECTIONS]
    if opt["kind"] == "p2p":
        v.append({"gpa": "0x%x" % BAR_GPA, "size": "0x%x" % BAR_SIZE, "hva": "0x%x" % BAR_HVA,
                  "name": BAR_NAME, "readonly": False, "type": "ramd"})
    wfile(out + "/gpa-map.json", json.dumps(v, indent=1) + "\n")


def parse_args(argv):
    opt = {"pid": 4242, "name": "vm1", "name_style": "guest", "comm": "qemu-system-x86",
           "starttime": 1234567, "cdev": False, "iommufd": False, "no_bar": False, "bar_kpf": "hole", "group_type": "DMA",
           "zero_pfn": 0x493ad, "vmlck": 65280, "vmpin": 0, "anon_huge": 0, "no_status": False, "kcore": False,
           "viommu": "", "gsts": "", "mtree_vtd": "", "vfio_opts": "", "rtaddr": "", "guest_plant": "",
           "guest_bad": "", "guest_mode": "legacy", "guest_pages": 0, "guest_rid_pasid": 0, "libvirt": False, "vmid": 0,
           "uuid": "c7a5fdbd-edaf-9455-926a-d65c16db1809"}
    pos = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--cdev", "--iommufd", "--no-status", "--kcore", "--no-bar", "--libvirt"):
            opt[a[2:].replace("-", "_")] = True
        elif a.startswith("--") and a[2:].replace("-", "_") in opt:
            key = a[2:].replace("-", "_")
            i += 1
            opt[key] = int(argv[i], 0) if isinstance(opt[key], int) else argv[i]
        else:
            pos.append(a)
        i += 1
    if len(pos) != 2 or pos[0] not in ("pcbios", "clean", "stale", "orphan", "unpriv", "p2p", "viommu", "gvtd"):
        sys.exit(__doc__)
    opt["kind"], out = pos
    opt["cdev"] = opt["cdev"] or opt["iommufd"]
    if opt["kind"] == "gvtd":
        opt["kcore"] = True
        opt["gsts"] = opt["gsts"] or "0xc0000000"
        opt["rtaddr"] = opt["rtaddr"] or "0x%x" % (GUEST_ROOT | (0x400 if opt["guest_mode"].startswith("scalable") else 0))
    return opt, out


def main():
    if sys.argv[1:] == ["--list"]:
        print("pcbios clean stale orphan unpriv p2p viommu gvtd")
        return
    opt, out = parse_args(sys.argv[1:])
    root = out + "/root"
    sc = Scenario(opt)
    sc.build(opt["kind"])
    write_proc(root, opt)
    write_sys(root, opt)
    write_debugfs(root, sc)
    write_pages(root, sc, opt)
    write_qmp(out, opt)
    write_gpamap(out, opt)
    if opt["kcore"]:
        base = RTADDR & ~0xfffff
        txt = "layout kcore\nram 0x%x 0x%x\n" % (base, sc.kcore_end - base) + \
            "".join("q 0x%x 0x%x\n" % (a, v) for a, v in sorted(sc.kcore.items()))
        if opt["kind"] == "gvtd":   # the guest's table pages, at the host PFNs of their GPAs
            gbase = sc.block_pfn("pc.ram", GUEST_ROOT) * 4096
            txt += "ram 0x%x 0x%x\n" % (gbase, sc.guest_end - GUEST_ROOT)
            txt += "".join("q 0x%x 0x%x\n" % (sc.block_pfn("pc.ram", a & ~0xfff) * 4096 + (a & 0xfff), v)
                           for a, v in sorted(sc.guest_mem.items()))
        wfile(out + "/kcore.txt", txt)
    wfile(out + "/samples.txt", "".join("0x%x 0x%x\n" % (ipn * 4096, pfn) for ipn, pfn in sc.pages()[::61]))
    wfile(out + "/expect.json", json.dumps({"scenario": opt["kind"], "pid": opt["pid"], "device": DEV,
                                            "zero_pfn": "0x%x" % sc.zero, "pages": sc.expect()},
                                           sort_keys=True) + "\n")


main()
