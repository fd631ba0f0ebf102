#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""layers.py - the layering rules of iommu-verify (run by tests/layers.sh).

Usage: layers.py SRCDIR KNOWN OBJECT... (OBJECT: libiv.a, main.o, other .o or .a files)

Layers, lowest first (README "Layout"):
  core -> tables/walk -> tables/kernel -> tables -> host -> verify -> report -> cmd
A file may use its own layer and the layers below it, never one above.  Checked:
  include A -> H   a file (.c or .h) of layer L includes "H" of a higher layer
  call A -> B      object A references a symbol defined by object B of a higher layer
  cycle A B ...    a strongly connected component of the symbol graph between objects
  size F           a source file over 900 lines
  private A -> H   a file of a layer in PUBLIC_ONLY (cmd) includes another layer's internal header
  owner include/H  a public header whose functions are defined in a layer other than its own
  unmapped X       a source folder, public header or object not in the tables below
  unresolved A -> H  an include of a project header that names no (or more than one) file
  global V A -> B  a writable global variable V (.data/.bss/common) of object B used by object A of
                   another layer: state shared between layers goes through the run context
                   (struct iv_run, passed explicitly), never a global
  iv_g F           the old global run pointer named anywhere in the product's sources F
Each violation is one line ("KEY  (details)").  KNOWN lists accepted violations, one KEY a line
(# comments): those print as "KNOWN:"; any other violation prints "FAIL:", and so does a KNOWN
line that no longer occurs (the list only shrinks).  Exit 0 when no FAIL, else 1.
"""
import os
import re
import subprocess
import sys

# The layer table: rank of each layer, the source folder(s) it owns, and the public headers in
# include/ it owns (the layer that implements them).  Headers beside sources belong to their folder.
LAYERS = [
    ("core", ["src/core"], ["iv.h", "bdf.h", "sysfs.h"]),
    ("tables/walk", ["src/tables/walk"], ["leaf.h"]),
    ("tables/kernel", ["src/tables/kernel"], []),
    ("tables", ["src/tables"], ["source.h", "start.h"]),
    ("host", ["src/host"], ["host.h", "gpamap.h"]),
    ("verify", ["src/verify"], ["verify.h"]),
    ("report", ["src/report"], ["print.h", "report.h"]),
    ("cmd", ["src/cmd"], ["commands.h"]),
]
# Layers that may include only public headers (include/*.h) of other layers.
PUBLIC_ONLY = {"cmd"}
MAX_LINES = 900
GENERATED = {"config.h"}  # made by configure, used everywhere
SIZE_DIRS = ["src", "include", "tests"]
SIZE_SKIP = {"tests/data", "tests/fuzz/corpus", "tests/fuzz/regress", "tests/tmp"}
SIZE_EXT = (".c", ".h", ".py", ".sh")
DECL_RE = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
IV_G_RE = re.compile(r"\biv_g\b")


def writable_section(sec):
    """A section whose objects can be written at run time (not .rodata, not .data.rel.ro)."""
    return (sec.startswith(".bss") or sec.startswith(".tbss") or sec.startswith(".tdata") or sec == "COMMON"
            or sec.startswith("*COM*") or (sec.startswith(".data") and not sec.startswith(".data.rel.ro")))

RANK = {name: i for i, (name, _, _) in enumerate(LAYERS)}
FOLDER = {d: name for name, dirs, _ in LAYERS for d in dirs}
PUBLIC = {h: name for name, _, hs in LAYERS for h in hs}


class Checker:
    def __init__(self, srcdir):
        self.src = srcdir
        self.found = {}  # key -> details
        self.writable = set()  # names of writable global variables defined by the objects

    def add(self, key, details=""):
        self.found.setdefault(key, details)

    def layer(self, rel):
        d = os.path.dirname(rel)
        if d == "include":
            b = os.path.basename(rel)
            if b not in PUBLIC:
                self.add("unmapped %s" % rel, "a public header not in the table of tests/layers.py")
            return PUBLIC.get(b)
        if d not in FOLDER:
            self.add("unmapped %s" % d, "a source folder not in the table of tests/layers.py")
        return FOLDER.get(d)

    def sources(self):
        out = []
        for top in ("src", "include"):
            for dp, _, fs in os.walk(os.path.join(self.src, top)):
                for f in fs:
                    if f.endswith((".c", ".h")):
                        out.append(os.path.relpath(os.path.join(dp, f), self.src))
        return sorted(out)

    def check_includes(self, files):
        headers = {}
        for f in files:
            if f.endswith(".h"):
                headers.setdefault(os.path.basename(f), []).append(f)
        for f in files:
            la = self.layer(f)
            with open(os.path.join(self.src, f), errors="replace") as fh:
                text = COMMENT_RE.sub(" ", fh.read())
            if IV_G_RE.search(text):
                self.add("iv_g %s" % f, "names the removed global run pointer: pass struct iv_run instead")
            for name in INCLUDE_RE.findall(text):
                if name in GENERATED:
                    continue
                here = os.path.normpath(os.path.join(os.path.dirname(f), name))
                cand = [here] if here in files else headers.get(os.path.basename(name), [])
                if len(cand) != 1:
                    self.add("unresolved %s -> %s" % (f, name), "%d candidates" % len(cand))
                    continue
                h = cand[0]
                lh = self.layer(h)
                if la is not None and lh is not None and RANK[lh] > RANK[la]:
                    self.add("include %s -> %s" % (f, h), "%s includes %s" % (la, lh))
                if la in PUBLIC_ONLY and lh != la and not h.startswith("include/"):
                    self.add("private %s -> %s" % (f, h), "%s includes an internal header of %s" % (la, lh))

    def symbols(self, objects, files):
        """{object source: (defined set, undefined set)} from nm -P -A."""
        by_base = {}
        for f in files:
            if f.endswith(".c"):
                by_base.setdefault(os.path.basename(f)[:-2], []).append(f)
        nm = os.environ.get("NM") or "nm"
        syms = {}
        for o in objects:
            p = subprocess.run([nm, "-P", "-A", o], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               universal_newlines=True)
            if p.returncode != 0:
                sys.exit("layers.py: %s %s failed: %s" % (nm, o, p.stderr.strip()))
            for line in p.stdout.splitlines():
                head, _, rest = line.partition(": ")
                w = rest.split()
                if len(w) < 2:
                    continue
                m = re.match(r"^(.*)\[(.*)\]$", head)
                member = os.path.basename(m.group(2) if m else head)
                base = re.sub(r"^(libiv_a|iommu_verify)-", "", member[:-2] if member.endswith(".o") else member)
                c = by_base.get(base, [])
                if len(c) != 1:
                    self.add("unmapped object %s" % member, "%d sources named %s.c" % (len(c), base))
                    continue
                d, u = syms.setdefault(c[0], (set(), set()))
                name, kind = w[0], w[1]
                if kind == "U":
                    u.add(name)
                elif kind.isupper() or kind in "vw":
                    d.add(name)
            # sections of the defined symbols (System V format: name|value|class|type|size|line|section)
            p = subprocess.run([nm, "-f", "sysv", "--defined-only", o], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, universal_newlines=True)
            for line in p.stdout.splitlines():
                f = [x.strip() for x in line.split("|")]
                if len(f) >= 7 and f[2] in ("B", "D", "C", "G", "S", "V") and writable_section(f[6]):
                    self.writable.add(f[0])
        return syms

    def check_symbols(self, syms):
        owner = {}
        for o, (d, _) in syms.items():
            for s in d:
                owner.setdefault(s, o)
        graph = {o: {} for o in syms}
        for o, (_, u) in syms.items():
            for s in sorted(u):
                t = owner.get(s)
                if t and t != o:
                    graph[o].setdefault(t, []).append(s)
                    if s in self.writable and self.layer(o) != self.layer(t):
                        self.add("global %s %s -> %s" % (s, o, t), "a writable global variable shared by %s and %s"
                                 % (self.layer(o), self.layer(t)))
        for a in sorted(graph):
            la = self.layer(a)
            for b, ss in sorted(graph[a].items()):
                lb = self.layer(b)
                if la is not None and lb is not None and RANK[lb] > RANK[la]:
                    self.add("call %s -> %s" % (a, b), "%s uses %s: %s" % (la, lb, " ".join(ss)))
        for h, lh in sorted(PUBLIC.items()):
            path = os.path.join(self.src, "include", h)
            if not os.path.exists(path):
                continue
            with open(path, errors="replace") as fh:
                names = set(DECL_RE.findall(COMMENT_RE.sub(" ", fh.read())))
            impl = sorted({self.layer(owner[s]) for s in names if s in owner} - {None})
            if impl and impl != [lh]:
                self.add("owner include/%s" % h, "the table says %s; its functions are defined in %s"
                         % (lh, ", ".join(impl)))
        for comp in sccs(graph):
            if len(comp) > 1:
                comp = sorted(comp)
                edges = ["%s->%s(%s)" % (os.path.basename(a), os.path.basename(b), ",".join(graph[a][b]))
                         for a in comp for b in sorted(graph[a]) if b in comp]
                self.add("cycle %s" % " ".join(comp), " ".join(edges))

    def check_sizes(self):
        for top in SIZE_DIRS:
            for dp, dirs, fs in os.walk(os.path.join(self.src, top)):
                rel = os.path.relpath(dp, self.src)
                dirs[:] = sorted(x for x in dirs if os.path.join(rel, x) not in SIZE_SKIP)
                for f in sorted(fs):
                    if f.endswith(SIZE_EXT):
                        with open(os.path.join(dp, f), "rb") as fh:
                            n = fh.read().count(b"\n")
                        if n > MAX_LINES:
                            self.add("size %s" % os.path.join(rel, f), "%d lines > %d" % (n, MAX_LINES))


def sccs(graph):
    """Tarjan's algorithm, iterative."""
    index, low, on, stack, out, n = {}, {}, set(), [], [], 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = n
        n += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = n
                    n += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, {})))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    src, known_file, objects = sys.argv[1], sys.argv[2], sys.argv[3:]
    c = Checker(src)
    files = c.sources()
    c.check_includes(files)
    c.check_symbols(c.symbols(objects, files))
    c.check_sizes()
    known = []
    with open(known_file) as fh:
        for line in fh:
            line = line.split("#", 1)[0].strip()
            if line:
                known.append(" ".join(line.split()))
    fails = 0
    for k in sorted(c.found):
        if k in known:
            print("KNOWN: %s  (%s)" % (k, c.found[k]))
        else:
            print("FAIL: %s  (%s)" % (k, c.found[k]))
            fails += 1
    for k in known:
        if k not in c.found:
            print("FAIL: %s  (listed in %s but no longer found: remove the line)" % (k, os.path.basename(known_file)))
            fails += 1
    print("layers: %d files, %d objects, %d violation(s), %d known, %d failure(s)"
          % (len(files), len(objects), len(c.found), len(known), fails))
    return 1 if fails else 0


sys.exit(main())
