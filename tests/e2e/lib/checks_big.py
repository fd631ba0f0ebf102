#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side assertions of the e2e big mode (issue 14.6: >= 1 GiB in 4 KiB IOMMU pages), a mixin
of checks.Checker (lib/checks.py), kept apart to hold checks.py under the 900-line limit."""
import json
import os

from e2eutil import PG, num


class BigChecks:
    # ---------------------------------------------------------------- big (issue 14.6)
    STALL = ("soft lockup", "self-detected stall", "RCU stall", "rcu_sched detected stall",
             "rcu_preempt detected stall", "detected stalls on CPUs", "hung_task")

    def big(self):
        """vfio-lab --big: >= 1 GiB mapped in 4 KiB IOMMU pages. The memory walk checks every
        page (exit 0, no finding) and auto picks it without opening a debugfs page-table file
        (strace); the dumps agree; the kernel logs no stall after building the debugfs dump.
        Prints the wall times (figures for issue 14)."""
        self.devices()
        t = self.truth("big")
        B = os.path.join(self.d, "big")
        if t is None:
            return self.report("FAIL", "big: vfio-lab --big", "no truth.json (see serial log and big/vfio-lab.log)")
        lo, size = num(t["iova"]), num(t["size"])
        npg = size // PG
        rd = lambda n: open(os.path.join(B, n)).read().strip() if os.path.exists(os.path.join(B, n)) else ""
        for name, src in (("big-check-memory", "memory"), ("big-check-auto", "memory"), ("big-check-debugfs", "debugfs")):
            r = self.run(name)
            case = "big: check %s: %d pages in 4 KiB pages, OK" % ("auto picks memory" if name.endswith("auto") else "--source " + src, npg)
            if not r.present and src == "debugfs" and not rd("debugfs-bytes"):
                self.report("SKIP", case, "no debugfs page-table file")
                continue
            if r.doc is None:
                self.report("FAIL", case, r.why_no_doc(), [r])
                continue
            probs = []
            devs = [d for p in r.doc.get("processes", []) or [] for d in p.get("devices", []) or []]
            if r.rc != 0:
                probs.append("exit %s, expected 0" % r.rc)
            if len(devs) != 1:
                probs.append("%d devices, expected 1" % len(devs))
            else:
                if devs[0].get("source") != src:
                    probs.append("source %r, expected %r" % (devs[0].get("source"), src))
                if num(devs[0].get("pages_checked")) != npg:
                    probs.append("pages_checked %s, expected %d" % (devs[0].get("pages_checked"), npg))
            if r.doc.get("findings"):
                probs.append("findings: %s" % json.dumps(r.doc["findings"])[:400])
            self.report("FAIL" if probs else "PASS", case, "; ".join(probs), [r])
        case = "big: auto opens no debugfs page-table file (strace)"
        st = rd("check-auto.strace")
        rs = self.run("big-check-auto-strace")
        opens = [x for x in st.splitlines() if "open" in x]
        if not rs.present:
            self.report("SKIP", case, "strace not available on the host")
        elif rs.rc != 0 or not any("kcore" in x for x in opens):
            self.report("FAIL", case, "exit %s; %d opens traced, none of /proc/kcore (strace did not work?)" % (rs.rc, len(opens)), [rs])
        elif any("domain_translation_struct" in x for x in opens):
            self.report("FAIL", case, "opened: %s" % [x for x in opens if "domain_translation_struct" in x][:3], [rs])
        else:
            self.report("PASS", case, runs=[rs])
        rm, rdb = self.run("big-dump-memory"), self.run("big-dump-debugfs")
        case = "big: dump --source memory: %d 4 KiB pages at 0x%x, nothing else" % (npg, lo)
        if rm.doc is None:
            self.report("FAIL", case, rm.why_no_doc(), [rm])
        else:
            ext = self.norm_extents(rm.doc)
            probs = ["exit %s" % rm.rc] if rm.rc != 0 else []
            pages = sum(e[1] // PG for e in ext)
            if pages != npg:
                probs.append("%d pages in the extents, expected %d" % (pages, npg))
            bad = [e for e in ext if e[4] != PG or e[0] < lo or e[0] + e[1] > lo + size]
            if bad:
                probs.append("%d extents not 4 KiB pages inside the buffer, e.g. %r" % (len(bad), bad[0]))
            self.report("FAIL" if probs else "PASS", case, "; ".join(probs), [rm])
            if rdb.present:
                c2 = "big: memory walk == debugfs (%d extents)" % len(ext)
                if rdb.doc is None or rdb.rc != 0:
                    self.report("FAIL", c2, rdb.why_no_doc() or "exit %s" % rdb.rc, [rdb])
                elif self.norm_extents(rdb.doc) != ext:
                    self.report("FAIL", c2, "extents differ", [rdb])
                else:
                    self.report("PASS", c2, runs=[rm, rdb])
        r = self.run("big-lookup")
        case = "big: lookup of 16 pages = vfio-lab's pagemap PFNs"
        if r.doc is None:
            self.report("FAIL", case, r.why_no_doc(), [r])
        else:
            res = {num(x.get("iova")): x for x in r.doc.get("results", []) or []}
            probs = []
            for p in t["pages"]:
                x = res.get(num(p["iova"]))
                if x is None or not x.get("mapped") or num(x.get("pfn")) != num(p["pfn_after_map"]) or num(x.get("page_size")) != PG:
                    probs.append("iova %s: %r, expected pfn %s page_size 4096" % (p["iova"], x, p["pfn_after_map"]))
            self.report("FAIL" if probs else "PASS", case, "; ".join(probs[:4]), [r])
        # the guest's dmesg in phases: before the cat of the debugfs file, after it, after the
        # memory-walk runs (--source memory, auto: what the tool does by itself), after the
        # explicit --source debugfs runs. The tool's own runs must not stall the kernel; what
        # the kernel logs while it builds the dump for cat / --source debugfs is reported.
        phases = [("before", rd("dmesg-before.txt")), ("cat", rd("dmesg-after-cat.txt")),
                  ("memory", rd("dmesg-after-memory.txt")), ("debugfs", rd("dmesg-after-debugfs.txt"))]
        stalls = {}
        for (_, a), (name, b) in zip(phases, phases[1:]):
            if b:
                new = b.splitlines()[len(a.splitlines()):] if a else b.splitlines()
                stalls[name] = [x for x in new if any(k in x for k in self.STALL)]
        case = "big: no soft lockup / RCU stall while the memory walk runs (auto, --source memory)"
        if not phases[2][1]:
            self.report("FAIL", case, "no dmesg after the memory-walk runs (guest did not get that far?)")
        elif stalls.get("memory"):
            self.report("FAIL", case, "%d lines: %s" % (len(stalls["memory"]), stalls["memory"][:3]))
        else:
            self.report("PASS", case)
        if rd("debugfs-bytes"):
            n_cat, n_dbg = len(stalls.get("cat", [])), len(stalls.get("debugfs", []))
            print("INFO: %s: big: kernel stall/lockup lines while it built the debugfs dump: %d after the cat, "
                  "%d after the --source debugfs runs%s" % (self.prefix, n_cat, n_dbg,
                  (": " + "; ".join((stalls.get("cat", []) + stalls.get("debugfs", []))[:2])) if n_cat + n_dbg else ""))
        fig = "big: figures: %d MiB in %d 4 KiB pages; vfio-lab setup %ss (MAP_DMA %.1fs)" % (
            size >> 20, npg, rd("lab-setup.time") or "?", float(t.get("map_seconds", 0)))
        if rd("debugfs-bytes"):
            fig += "; cat debugfs %s bytes: %ss" % (rd("debugfs-bytes"), rd("debugfs-cat.time"))
        for n in ("big-dump-memory", "big-check-memory", "big-check-auto", "big-dump-debugfs", "big-check-debugfs"):
            r = self.run(n)
            if r.present:
                fig += "; %s %.2fs" % (n[4:], r.time)
        print("INFO: %s: %s" % (self.prefix, fig))
        with open(os.path.join(self.d, "figures.txt"), "w") as f:
            f.write(fig + "\n")
