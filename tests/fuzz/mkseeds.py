#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""mkseeds.py - (re)build the seed corpora tests/fuzz/corpus/HARNESS/ from the
test fixtures and generators. Run from a build tree after `make check`
(needs tests/gen-elf and the iommu-verify binary for the QMP recording):

    python3 $srcdir/tests/fuzz/mkseeds.py $srcdir $builddir [HARNESS,...]

(only those harnesses' corpora are written when HARNESS,... is given).
The real QEMU 7.2 captures in corpus/pci/qemu72-* and corpus/xp/qemu72-* are
copies of the lab capture qmp-intel-host (info-pci.txt, xp-iommu-regs.txt; the
other files of that capture are in tests/data/qmp-intel-host), not generated.
Seeds are small (a few KiB): libFuzzer mutates small inputs much faster."""
import glob
import hashlib
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

SRC, BUILD = sys.argv[1], sys.argv[2]
OUT = os.path.join(SRC, "tests/fuzz/corpus")
TMP = tempfile.mkdtemp(prefix="mkseeds.")
ONLY = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else None


def seed(h, data, name=None):
    if ONLY is not None and h not in ONLY:
        return
    if isinstance(data, str):
        data = data.encode()
    if name:   # a named seed (a fixture's copy): kept under its name
        os.makedirs(os.path.join(OUT, h), exist_ok=True)
        with open(os.path.join(OUT, h, name), "wb") as f:
            f.write(data)
        return
    d = os.path.join(OUT, h)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
        f.write(data)


def rd(p, limit=None):
    with open(p, "rb") as f:
        b = f.read()
    if limit and len(b) > limit:    # cut at a line boundary
        b = b[:b.rfind(b"\n", 0, limit) + 1]
    return b


def to_dev(b):   # the harness looks for 0000:00:02.0 (pasid 1)
    return (b.replace(b"0000:03:00.0", b"0000:00:02.0").replace(b"03:00.0", b"00:02.0")
            .replace(b"with pasid 1a ", b"with pasid 1 "))


subprocess.run([sys.executable, os.path.join(SRC, "tests/gen-debugfs.py"), TMP + "/eras"], check=True,
               stdout=subprocess.DEVNULL)
for sc in ("pcbios", "stale"):
    subprocess.run([sys.executable, os.path.join(SRC, "tests/gen-root.py"), sc, TMP + "/" + sc], check=True,
                   stdout=subprocess.DEVNULL)
intel = "sys/kernel/debug/iommu/intel"

# debugfs: selector byte, then the file (see fuzz-debugfs.c)
for era in glob.glob(TMP + "/eras/*"):
    for p in glob.glob(era + "/" + intel + "/**/domain_translation_struct", recursive=True):
        rel = os.path.relpath(p, era + "/" + intel)
        where = 0 if rel == "domain_translation_struct" else 2 if rel.count("/") == 2 else 1
        for dm in (0, 1, 2):
            seed("debugfs", bytes([where | dm << 2 | 1 << 4]) + to_dev(rd(p)))
        if where == 0:
            seed("debugfs", bytes([3 | 1 << 2 | 1 << 4]) + to_dev(rd(p)).replace(b"Device 0000:00:02.0", b"Device 0000:00:02.0"))
for lab in ("lab61", "lab612"):
    for p in glob.glob(os.path.join(SRC, "tests/data", lab, intel, "**/domain_translation_struct"), recursive=True):
        if "00:02.0" in p or lab == "lab61":
            seed("debugfs", bytes([0 if lab == "lab61" else 1]) + rd(p, 6000))
seed("debugfs", bytes([1]) + rd(TMP + "/pcbios/root/" + intel + "/0000:00:02.0/domain_translation_struct", 6000))

# dmar_translation_struct, iommu_regset
for p in glob.glob(TMP + "/eras/*/" + intel + "/dmar_translation_struct") + \
        glob.glob(os.path.join(SRC, "tests/data/*", intel, "dmar_translation_struct")) + \
        [TMP + "/pcbios/root/" + intel + "/dmar_translation_struct"]:
    seed("dmar", to_dev(rd(p)))
for p in glob.glob(os.path.join(SRC, "tests/data/*", intel, "iommu_regset")) + \
        glob.glob(os.path.join(SRC, "tests/data/host/iommu_regset*")) + \
        [TMP + "/pcbios/root/" + intel + "/iommu_regset"]:
    seed("regset", rd(p))

# QMP texts, --gpa-map, maps
for d in (os.path.join(SRC, "tests/data/qmp-intel-host"), TMP + "/pcbios/qmp"):
    seed("mtree", rd(d + "/info-mtree-f.txt"))
    seed("ramblock", rd(d + "/info-ramblock.txt"))
seed("ramblock", "  Block Name    PSize              Offset               Used              Total                HVA  RO\r\n"
     "      pc.ram    4 KiB  0x0000000000000000 0x0000000004000000 0x0000000004000000 0x00007f16f7e00000  rw\r\n"
     "     pc.bios    4 KiB  0x0000000004000000 0x0000000000040000 0x0000000000040000 0x00007f170e400000  ro\r\n")
for sc in ("pcbios", "stale"):
    seed("gpamap", rd(TMP + "/" + sc + "/gpa-map.json"))
    seed("maps", rd(TMP + "/" + sc + "/root/proc/4242/maps"))
seed("maps", rd("/proc/self/maps", 6000))

# QMP: record what fake-qmp.py sends to the real client (a recording proxy)
def record(qmpdir, extra):
    real, front = TMP + "/real.sock", TMP + "/front.sock"
    for s in (real, front):
        if os.path.exists(s):
            os.unlink(s)
    srv = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/fake-qmp.py"), real, qmpdir] + extra)
    for _ in range(100):
        if os.path.exists(real):
            break
        time.sleep(0.05)
    ls = socket.socket(socket.AF_UNIX)
    ls.bind(front)
    ls.listen(1)
    got = []

    def proxy():
        c, _ = ls.accept()
        u = socket.socket(socket.AF_UNIX)
        u.connect(real)

        def up():
            while True:
                b = c.recv(65536)
                if not b:
                    u.shutdown(socket.SHUT_WR)
                    return
                u.sendall(b)
        t = threading.Thread(target=up, daemon=True)
        t.start()
        while True:
            b = u.recv(65536)
            if not b:
                break
            got.append(b)
            c.sendall(b)
        c.close()
    t = threading.Thread(target=proxy, daemon=True)
    t.start()
    r = subprocess.run([os.path.join(BUILD, "iommu-verify"), "--root", TMP + "/pcbios/root", "-j", "check",
                    "--pid", "4242", "--qmp", front], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=30)
    print("recorded", qmpdir, extra, "exit", r.returncode, file=sys.stderr)
    t.join(5)
    srv.kill()
    srv.wait()
    return b"".join(got)


for extra in ([], ["--bad", "events"], ["--bad", "error"]):
    b = record(TMP + "/pcbios/qmp", extra)
    if b:
        seed("qmp", b)
b = record(os.path.join(SRC, "tests/data/qmp-intel-host"), [])
if b:
    seed("qmp", b)

# memory: compact ELF images from gen-elf, behind the 16-byte harness header
def elf(desc):
    p = TMP + "/img.elf"
    subprocess.run([os.path.join(BUILD, "tests/gen-elf"), p], input=desc.encode(), check=True)
    return rd(p)


def hdr(amd, addr, devid, pasid=0):
    return bytes([amd]) + struct.pack("<QH", addr, devid) + struct.pack("<I", pasid)[:3] + b"\0\0"


VTD = """layout %s
ram 0x100000 0x8000
q 0x100000 0x101001
q 0x101100 0x102001
q 0x101108 0x401
q 0x102000 0x103003
q 0x102ff8 0x80000083
q 0x103000 0x104003
q 0x103008 0x2dc00083
q 0x104000 0x2e797003
q 0x104008 0x2e798001
q 0x104010 0x104003
"""
for lay in ("qemu", "kcore", "vmcore"):
    seed("memory", hdr(0, 0x100000, 0x10) + elf(VTD % lay))
seed("memory", hdr(0, 0x100000, 0x10) + elf(VTD % "qemu" + "zero 0x200000 0x1000\ntail 0x300000 0x800 0x2000\n"))
# scalable: root entry lo -> context (256-bit entries), PASID dir -> PASID table, PGTT 2 / 1
SM = """layout qemu
ram 0x100000 0x8000
q 0x100000 0x101001
q 0x101200 0x102001
q 0x102000 0x103001
q 0x103000 0x%x
q 0x103008 0x1
q 0x103010 0x%x
q 0x104000 0x105003
q 0x105000 0x106003
q 0x106000 0x107003
q 0x107008 0x2e797003
"""
seed("memory", hdr(0, 0x100400, 0x10) + elf(SM % (0x104000 | 2 << 6 | 2 << 2 | 1, 0)))
seed("memory", hdr(0, 0x100400, 0x10) + elf(SM % ((1 << 6) | 1, 0x104000)))
# AMD v1: DTE (V, TV, mode 3, root), v2 via GCR3
AMD = """layout qemu
ram 0x100000 0x8000
q 0x100100 0x%x
q 0x100108 0x0
q 0x101000 0x%x
q 0x102000 0x103001 
q 0x103000 0x2e797003
q 0x103008 0x2e798001
q 0x101ff8 0x%x
"""
seed("memory", hdr(1, 0x100001, 0x10) + elf(AMD % (0x101000 | 3 << 9 | 3 | 0x6000000000000000, 0x102000 | 2 << 9 | 1 | 0x6000000000000000, 0x80000000 | 7 << 9 | 1 | 0x6000000000000000)))
for p in glob.glob(BUILD + "/tests/tmp/memory-*/*.elf"):
    b = rd(p)
    if len(b) <= 70000:
        seed("memory", hdr(0, 0x100000, 0x10) + b)

# the vIOMMU path's texts (fuzz-pci, fuzz-xp, fuzz-cmdline; info mtree -f with a vIOMMU for fuzz-mtree):
# gen-root.py's gvtd/viommu trees, the command lines of tests/check-vguest.sh and tests/check-viommu.sh
def gen(name, scenario, *opts):
    subprocess.run([sys.executable, os.path.join(SRC, "tests/gen-root.py"), scenario, TMP + "/" + name] + list(opts),
                   check=True, stdout=subprocess.DEVNULL)
    return TMP + "/" + name


g = gen("gvtd", "gvtd", "--viommu", "intel-iommu,caching-mode=on", "--vfio-opts", ",id=hostdev0,addr=0x3",
        "--mtree-vtd", "on")
seed("pci", rd(g + "/qmp/info-pci.txt"), "gen-gvtd")
seed("pci", rd(g + "/qmp/info-pci.txt").replace(b"device   3, function 0:", b"device  99, function 0:"),
     "gen-gvtd-device-99")   # check-vguest.sh's malformed info pci
seed("cmdline", rd(g + "/root/proc/4242/cmdline"), "gen-gvtd")
seed("mtree", rd(g + "/qmp/info-mtree-f.txt"), "gen-gvtd-vtd-on")
g = gen("gvtd-off", "gvtd", "--viommu", "intel-iommu", "--mtree-vtd", "off")
seed("mtree", rd(g + "/qmp/info-mtree-f.txt"), "gen-gvtd-vtd-off")
# xp as fake-qmp.py answers it, the way QEMU prints it ("%016x: 0x%08x", "%016x: 0x%016x")
for name, text in (("fake-gsts-on", "%016x: 0x%08x\r\n" % (0xfed9001c, 0xc0000000)),
                   ("fake-gsts-off", "%016x: 0x%08x\r\n" % (0xfed9001c, 0)),
                   ("fake-rtaddr-sm", "%016x: 0x%016x\r\n" % (0xfed90020, 0x300400))):
    seed("xp", text, name)
for name, args in (
        ("check-vguest-json", ["/usr/bin/qemu-system-x86_64", "-name", "guest=vm1", "-machine", "q35,accel=kvm", "-m", "64",
                               "-device", '{"driver":"intel-iommu","caching-mode":true}',
                               "-device", '{"driver":"vfio-pci","host":"0000:00:02.0","bus":"pcie.0","addr":24}']),
        ("check-vguest-jsonid", ["/usr/bin/qemu-system-x86_64", "-device", "intel-iommu,caching-mode=on", "-device",
                                 '{"driver":"vfio-pci","sysfsdev":"/sys/bus/pci/devices/0000:00:02.0","id":"hostdev0","bus":"pci.1"}'])):
    seed("cmdline", "".join(a + "\0" for a in args), name)
for name, dev, vfio in (("virtio-iommu", "virtio-iommu-pci", ",bus=rp1,addr=0x0"),
                        ("amd-iommu", "amd-iommu", ",id=hostdev0"),
                        ("virtio-net-not-viommu", "virtio-net-pci,iommu_platform=on,id=intel-iommu", ""),
                        ("driver-equals", "driver=intel-iommu,intremap=on", ",addr=0x3.1")):
    g = gen("cl-" + name, "clean", "--viommu", dev, "--vfio-opts", vfio)
    seed("cmdline", rd(g + "/root/proc/4242/cmdline"), "gen-" + name)
g = gen("cl-vmid", "clean", "--vmid", "100", "--libvirt")
seed("cmdline", rd(g + "/root/proc/4242/cmdline"), "gen-vmid-libvirt")
shutil.rmtree(TMP)
