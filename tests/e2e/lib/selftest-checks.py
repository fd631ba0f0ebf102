#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of lib/checks.py: synthesize correct (and some wrong) iommu-verify outputs next to a
real vfio-lab truth.json and make sure the checks pass (and fail) as they should.
usage: selftest-checks.py SHARE_DIR_OF_A_LAB_BOOT KV   (e.g. $E2E_WORK/share/lab-6.1-intel 6.1)"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
src, kv = sys.argv[1], sys.argv[2]
PG = 4096


def put(d, name, doc, rc):
    open(os.path.join(d, name + ".out"), "w").write(json.dumps(doc) if doc is not None else "")
    open(os.path.join(d, name + ".rc"), "w").write("%d\n" % rc)
    open(os.path.join(d, name + ".time"), "w").write("0.01\n")
    open(os.path.join(d, name + ".cmd"), "w").write("iommu-verify (synthetic) %s\n" % name)


def synth(d, t, wrong=None):
    zero = kv == "6.1"
    exp = lambda p: int(p["pfn_after_map"], 16)
    fs = [{"kind": "stale", "severity": "critical", "iova": "0x300000", "size": "0x4000", "pages": 4}]
    if zero:
        fs.append({"kind": "zero_page", "severity": "critical", "iova": "0x200000", "size": "0x4000", "pages": 4})
        fs.append({"kind": "zero_page_consistent", "severity": "warning", "iova": "0x500000", "size": "0x4000", "pages": 4})
    if wrong == "extra-finding":
        fs.append({"kind": "stale", "severity": "critical", "iova": "0x100000", "size": "0x1000", "pages": 1})
    chk = {"status": "critical", "exit_code": 2, "findings": fs, "errors": []}
    put(d, "check-gpa-map", chk, 2)
    put(d, "check-inferred", chk, 2)
    asked = set(int(x, 16) for x in open(os.path.join(d, "lab", "lookup-iovas")).read().split())
    res = []
    for p in t["pages"]:
        if int(p["iova"], 16) in asked:
            big = p["name"].startswith("E_")
            pfn = exp(p) + (1 if wrong == "lookup-pfn" and p["name"].startswith("A_") else 0)
            res.append({"iova": p["iova"], "mapped": True, "pfn": hex(pfn), "phys": hex(pfn * PG),
                        "perm": "r-" if p["readonly"] else "rw", "page_size": hex(2 << 20 if big else PG), "level": 2 if big else 1})
    res.append({"iova": "0x900000", "mapped": False})
    put(d, "lookup", {"results": res, "errors": []}, 0)
    put(d, "lookup-ksym", {"results": res, "errors": []}, 0)
    put(d, "host-lookup", {"results": res, "errors": []}, 0)
    ext = []
    for p in t["pages"]:
        if p["name"].startswith("E_"):
            if p["index"] == 0:
                ext.append({"iova": p["iova"], "size": "0x200000", "pfn": hex(exp(p)), "perm": "rw", "page_size": hex(2 << 20)})
            continue
        ext.append({"iova": p["iova"], "size": "0x1000", "pfn": hex(exp(p)), "perm": "r-" if p["readonly"] else "rw", "page_size": hex(PG)})
    if wrong == "thp-split":
        e = [x for x in ext if x["iova"] == "0x600000"][0]
        e["page_size"] = hex(PG)
    for n in ("dump", "dump-debugfs", "dump-memory"):
        put(d, n, {"schema_version": 2, "command": "dump", "bdf": t["bdf"], "source": "debugfs" if n == "dump-debugfs" else "memory", "extents": ext,
                   "errors": []}, 0)
    put(d, "tables", {"identical": True}, 0)
    put(d, "devices", {"devices": [{"bdf": t["bdf"], "driver": "vfio-pci"}], "errors": []}, 0)
    open(os.path.join(d, "bdf"), "w").write(t["bdf"] + "\n")
    open(os.path.join(d, "has-btf"), "w").write("")
    open(os.path.join(d, "has-debugfs"), "w").write("")
    os.makedirs(os.path.join(d, "tables-all"), exist_ok=True)
    open(os.path.join(d, "pci-devices.txt"), "w").write("0000:00:01.0 0x8086:0x10d3 driver=e1000e group=1\n")
    for b, n in (("0000:00:01.0", 0 if wrong == "nic-no-leaves" else 258), ("0000:00:1f.2", 4096)):
        diff = [{"iova": "0x1000"}] if wrong == "tables-differ" and n else []
        put(os.path.join(d, "tables-all"), b, {"bdf": b, "identical": not diff, "differences": diff,
                                               "debugfs_leaves": n, "memory_leaves": n, "errors": []}, 1 if diff else 0)
    # the pass-through device (an identity domain; 6.12.53+/7.3: an empty debugfs file)
    pt = "0000:00:01.0"
    os.makedirs(os.path.join(d, "pt"), exist_ok=True)
    for n, v in (("bdf", pt + "\n"), ("type", "identity\n"), ("size", "0\n" if kv != "6.1" else "1389062\n"),
                 ("domain_translation_struct", "" if kv != "6.1" else "Device 0000:00:01.0 @0x0\n"),
                 ("file", "/sys/kernel/debug/iommu/intel/%s/domain_translation_struct\n" % pt)):
        open(os.path.join(d, "pt", n), "w").write(v)
    put(d, "pt-devices", {"devices": [{"bdf": t["bdf"], "translation": "translated"},
                                      {"bdf": pt, "translation": "passthrough"}], "errors": []}, 0)
    why = {"pt-dump-debugfs": "debugfs: pass-through (identity) domain: no page table",
           "pt-dump-memory": "memory: pass-through (context entry at 0x76c080 has TT=2)",
           "pt-lookup": "memory: pass-through (context entry at 0x76c080 has TT=2)",
           "pt-dump-file": "debugfs: pass-through: /tmp/pt-dbg/iommu/intel/%s/domain_translation_struct is empty "
                           "(the kernel has no page table for it)" % pt}
    if wrong == "pt-parse-error":
        why["pt-dump-debugfs"] = "debugfs: pass-through?: /sys/kernel/debug/iommu/intel/%s/domain_translation_struct:2: bad line" % pt
    for n, w in why.items():
        e = "%s: no page table can be read: %s" % (pt, w)
        put(d, n, {"errors": [e]}, 3)
        open(os.path.join(d, n + ".err"), "w").write("iommu-verify: %s\n" % e)
    ok = {"status": "ok", "exit_code": 0, "findings": [], "errors": []}
    put(d, "clean-gpa-map", ok, 0)
    put(d, "clean-inferred", ok, 0)


def run(d):
    out = subprocess.run([sys.executable, os.path.join(here, "checks.py"), "lab", d, kv, "intel"],
                         capture_output=True, text=True).stdout
    return [l for l in out.splitlines() if not l.startswith("    ")]


fails = 0
# The synthesized documents carry only the members the checks read, not whole schema-2 documents:
# the schema case must fail on them in every variant (which shows it can fail).
SCHEMA = "JSON output valid against the schema"
for wrong, expect_fail in ((None, {SCHEMA}), ("extra-finding", {"check --gpa-map", "check (inferred map)", SCHEMA}),
                           ("lookup-pfn", {"lookup", "lookup without debugfs (kallsyms)", SCHEMA}),
                           ("thp-split", {"dump", "dump --source debugfs", "dump --source memory (kcore)", SCHEMA}),
                           ("pt-parse-error", {"pass-through: dump --source debugfs", SCHEMA}),
                           ("tables-differ", {"memory walk == debugfs, every other device", SCHEMA}),
                           ("nic-no-leaves", {"memory walk == debugfs, every other device", SCHEMA})):
    d = tempfile.mkdtemp()
    try:
        shutil.copytree(os.path.join(src, "lab"), os.path.join(d, "lab"))
        shutil.copytree(os.path.join(src, "clean"), os.path.join(d, "clean"))
        open(os.path.join(d, "vendor"), "w").write("intel\n")
        t = json.load(open(os.path.join(d, "lab", "truth.json")))
        synth(d, t, wrong)
        lines = run(d)
        for l in lines:
            case = l.split(": ", 2)[1] if l.startswith(("PASS", "FAIL")) else None
            name = l.split(": ")[2].split(" (")[0] if case else ""
            name = name.split(": ")[0]
            bad = (l.startswith("FAIL") and not any(l.startswith("FAIL: %s/intel: %s" % (kv, e)) for e in expect_fail)) or \
                  (l.startswith("PASS") and any(l.startswith("PASS: %s/intel: %s (" % (kv, e)) for e in expect_fail))
            if bad:
                fails += 1
                print("selftest %s: unexpected: %s" % (wrong, l))
        print("selftest %s: %d lines, ok so far (%d unexpected)" % (wrong, len(lines), fails))
    finally:
        shutil.rmtree(d)
# E2E_MATRIX: Checker.full_only reports SKIP for a guest step that left NAME.skip, and for a
# host-side case unless E2E_MATRIX=full; otherwise it returns False (the case is checked)
sys.path.insert(0, here)
import checks  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
d = tempfile.mkdtemp()
try:
    open(os.path.join(d, "slow.skip"), "w").write("full matrix only (E2E_MATRIX=full)\n")
    c = checks.Checker("lab", d, kv, "intel")
    for env, name, want, line in (("default", "slow", True, "SKIP: %s/intel: slow case: full matrix only" % kv),
                                  ("default", "fast", False, ""), ("default", None, True, "SKIP: %s/intel: host case: full" % kv),
                                  ("full", None, False, "")):
        os.environ["E2E_MATRIX"] = env
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            got = c.full_only("slow case" if name == "slow" else "host case" if name is None else "fast case", name)
        if got != want or not buf.getvalue().startswith(line):
            fails += 1
            print("selftest full_only(%s, %s): got %s %r" % (env, name, got, buf.getvalue()))
    print("selftest full_only: ok so far (%d unexpected)" % fails)
finally:
    shutil.rmtree(d)
sys.exit(1 if fails else 0)
