#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fake-qmp.py - a tiny QMP server answering with recorded QEMU 7.2 replies (CRLF), for tests.

Usage: fake-qmp.py SOCKET DIR [--bad MODE] [--bad-cmd WORDS] [--log FILE] [--timeout SECONDS] [--delay SECONDS]

DIR holds the texts: the greeting (greeting.txt, or qmp-greeting.txt with its "# greeting: " prefix),
info-mtree-f.txt, info-mtree.txt, info-ramblock.txt, and gpa2hva answers (gpa2hva.txt, gpa2hva-gpa2hpa.txt,
host-pagemap.txt: every "Host virtual address for 0x.. (NAME) is 0x.." found), and xp.txt ("ADDR VALUE"
lines, or "ADDR V1 V2 ...": the k-th read answers Vk, the last value from then on; `xp /1wx ADDR` answers
"%016x: 0x%08x" and `xp /1gx ADDR` "%016x: 0x%016x" as QEMU does; other addresses are unknown
commands), info-pci.txt (the answer to `info pci`). gpa2hva for any other
address is computed from those anchors and the "memory" flatview of info-mtree-f.txt, the way QEMU would.

The socket appears (atomically, by rename) once the server listens. It serves one client (--clients N:
N clients, one after the other) and exits when the last one disconnects or after --timeout seconds
(default 30) in all, so it never hangs a test suite.

--bad MODE misbehaves when the command matching --bad-cmd arrives (a substring of the HMP command line
or the QMP "execute" name; "greeting" for the greeting; default "info mtree -f"):
  close    send the first half of the reply, then close the connection
  garbage  send a line that is not JSON
  silent   never answer (wait for the client to go away)
  error    answer {"error": {"class": "GenericError", ...}}
  split    answer correctly, 7 bytes a send (pausing 0.5 ms after each of the first 2 KiB)
  events   answer correctly, after two {"event": ...} objects
  huge     answer with a never-ending (70 MiB) string
  slow     answer correctly, each reply from this command on --delay seconds late (default 0.4)
  noread   answer this command, then never read again: the replies the client will want next
           (gpa2hva of every memory section in GPA order, info mtree) are sent ahead, so the
           client's commands pile up unread until its send() would block. The replies are
           computed before the socket appears and go out with this answer in one sendall(), so
           the client always finds its replies waiting and ends blocked in send(), even when
           this server is starved of CPU (computed on demand, 3000 of them took 0.5 s of CPU:
           under load the client timed out waiting for a reply instead)
  hva-wrap / hva-neg / hva-outside
           crafted gpa2hva answer: "is 0xfffffffffffff000", "is -0x1000", or the right HVA + 1 TiB
  ramd     the reply (info mtree -f) declares every "ram" row "ramd" (device memory)
and, independent of --bad-cmd:
  noaccept listen with a backlog of 0 that the server fills itself, and never accept
--log FILE appends every command received (one JSON line each).
"""
import bisect
import json
import os
import re
import select
import socket
import sys
import time

HVA_RE = re.compile(r"Host virtual address for (0x[0-9a-f]+) \(([^)]*)\) is (0x[0-9a-f]+)")
ROW_RE = re.compile(r"^  ([0-9a-f]{16})-([0-9a-f]{16}) \(prio -?\d+, (?:nv-)?([a-z/]+)\): (.*?)(?: @([0-9a-f]{16}))?(?: (?:kvm|KVM|tcg|TCG|hvf|whpx|nvmm|xen))?$")


def read(d, *names):
    for n in names:
        p = os.path.join(d, n)
        if os.path.exists(p):
            with open(p, newline="") as f:
                return f.read()
    return None


class Data:
    def __init__(self, d):
        g = read(d, "greeting.txt", "qmp-greeting.txt")
        self.greeting = json.loads(g.split("# greeting: ", 1)[-1])
        self.mtree = read(d, "info-mtree-f.txt")
        self.ramblock = read(d, "info-ramblock.txt")
        self.tree = read(d, "info-mtree.txt")
        self.pci = read(d, "info-pci.txt")
        # xp.txt: "ADDR VALUE" lines, answered to `xp /1wx ADDR` as QEMU prints it
        self.xp, self.xp_reads = {}, {}
        for l in (read(d, "xp.txt") or "").splitlines():
            if l.strip():
                a, *v = l.split()
                self.xp[int(a, 0)] = [int(x, 0) for x in v]
        self.anchors = []
        for n in ("gpa2hva.txt", "gpa2hva-gpa2hpa.txt", "host-pagemap.txt"):
            for m in HVA_RE.finditer(read(d, n) or ""):
                self.anchors.append((int(m.group(1), 16), m.group(2), int(m.group(3), 16)))
        self.rows = self.memory_rows()
        # row(): bisect over the starts when the flat view is sorted and disjoint (QEMU's always is)
        self.starts = [r[0] for r in self.rows]
        self.sorted = all(self.rows[i][1] < self.rows[i + 1][0] for i in range(len(self.rows) - 1))

    def memory_rows(self):
        rows, inside = [], False
        for line in (self.mtree or "").replace("\r", "").split("\n"):
            if line.startswith("FlatView"):
                inside = False
            elif line == ' AS "memory", root: system' or line.startswith(' AS "memory",'):
                inside = True
            elif inside:
                m = ROW_RE.match(line)
                if m:
                    rows.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3), m.group(4),
                                 int(m.group(5) or "0", 16)))
        return rows

    def row(self, addr):
        if self.sorted:
            i = bisect.bisect_right(self.starts, addr) - 1
            return self.rows[i] if i >= 0 and self.rows[i][0] <= addr <= self.rows[i][1] else None
        return next((r for r in self.rows if r[0] <= addr <= r[1]), None)

    def gpa2hva(self, addr):
        r = self.row(addr)
        if r is None:
            return "No memory is mapped at address 0x%x\r\n" % addr
        if r[2] not in ("ram", "rom", "ramd"):
            return "Memory at address 0x%x is not RAM\r\n" % addr
        for a, name, hva in self.anchors:
            ar = self.row(a)
            if ar and ar[3] == r[3] == name:
                base = hva - (ar[4] + a - ar[0])
                return "Host virtual address for 0x%x (%s) is 0x%x\r\n" % (addr, name, base + r[4] + addr - r[0])
        return "No memory is mapped at address 0x%x\r\n" % addr


class Server:
    def __init__(self, args):
        self.path, self.data = args["socket"], Data(args["dir"])
        self.bad, self.badcmd = args["bad"], args["bad_cmd"]
        self.log, self.deadline = args["log"], time.monotonic() + args["timeout"]
        self.negotiated = False
        self.conn = None
        self.clients = int(args["clients"])
        self.delay = args["delay"]
        self.slow = False
        # noread: everything the client will want after the misbehaving command, ready before it connects
        self.ahead_bytes = b"".join((json.dumps(o) + "\r\n").encode() for o in self.ahead()) \
            if self.bad == "noread" else b""

    def left(self):
        return max(0.0, self.deadline - time.monotonic())

    def send(self, b):
        self.conn.settimeout(self.left() or 0.001)
        self.conn.sendall(b)

    def reply(self, obj, cmd):
        if self.bad == "slow" and self.badcmd in cmd:
            self.slow = True
        if self.slow:
            time.sleep(min(self.delay, self.left()))
        if self.bad and self.badcmd in cmd and self.bad != "slow":
            return self.misbehave(obj, cmd)
        data = (json.dumps(obj) + "\r\n").encode()
        self.send(data)
        return True

    def crafted(self, obj, cmd):
        ret = obj.get("return")
        if not isinstance(ret, str):
            return obj
        if self.bad == "ramd":
            return dict(obj, **{"return": re.sub(r"\((prio -?\d+), ram\)", r"(\1, ramd)", ret)})
        m = HVA_RE.search(ret)
        if not m:
            return obj
        hva = {"hva-wrap": "0xfffffffffffff000", "hva-neg": "-0x1000",
               "hva-outside": "0x%x" % (int(m.group(3), 16) + (1 << 40))}[self.bad]
        return dict(obj, **{"return": ret[:m.start(3)] + hva + ret[m.end(3):]})

    def ahead(self):
        """noread: the replies to the commands the client will send next, in its order."""
        out = []
        for r in sorted(self.data.rows):
            if r[2] in ("ram", "rom", "ramd"):
                out.append({"return": self.data.gpa2hva(r[0])})
        out.append({"return": self.data.tree or ""})
        return out

    def misbehave(self, obj, cmd):
        if self.bad in ("hva-wrap", "hva-neg", "hva-outside", "ramd"):
            self.send((json.dumps(self.crafted(obj, cmd)) + "\r\n").encode())
            return True
        data = (json.dumps(obj) + "\r\n").encode()
        if self.bad == "noread":
            self.send(data + self.ahead_bytes)   # one write: no CPU work between the replies
            while self.left() > 0:   # never read: the client's commands stay in the socket
                time.sleep(min(self.left(), 0.2))
            return False
        if self.bad == "close":
            self.send(data[:len(data) // 2])
            return False
        if self.bad == "garbage":
            self.send(b"this is not JSON }\r\n")
        elif self.bad == "silent":
            self.wait_gone()
            return False
        elif self.bad == "error":
            self.send(b'{"error": {"class": "GenericError", "desc": "fake-qmp: refused"}}\r\n')
        elif self.bad == "split":
            for i in range(0, len(data), 7):
                self.send(data[i:i + 7])
                if i < 2048:  # pauses bounded per reply: a loaded machine must not time the client out
                    time.sleep(0.0005)
        elif self.bad == "events":
            for n in ("STOP", "RESUME"):
                self.send(b'{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "%s"}\r\n' % n.encode())
            self.send(data)
        elif self.bad == "huge":
            self.send(b'{"return": "')
            chunk = b"A" * (1 << 20)
            for _ in range(70):
                self.send(chunk)
            self.send(b'"}\r\n')
        return True

    def wait_gone(self):
        while self.left() > 0:
            r, _, _ = select.select([self.conn], [], [], min(self.left(), 0.5))
            if r and not self.conn.recv(65536):
                return

    def answer(self, msg):
        ex = msg.get("execute", "")
        line = msg.get("arguments", {}).get("command-line", "") if isinstance(msg.get("arguments"), dict) else ""
        obj = self.result(ex, line.strip())
        if "id" in msg:
            obj["id"] = msg["id"]
        return self.reply(obj, line or ex)

    def result(self, ex, line):
        if ex == "qmp_capabilities":
            self.negotiated = True
            return {"return": {}}
        if not self.negotiated:
            return {"error": {"class": "CommandNotFound",
                              "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}
        if ex == "query-version":
            return {"return": self.data.greeting["QMP"]["version"]}
        if ex != "human-monitor-command":
            return {"error": {"class": "CommandNotFound", "desc": "The command %s has not been found" % ex}}
        if line == "info mtree -f" and self.data.mtree is not None:
            return {"return": self.data.mtree}
        if line == "info mtree" and self.data.tree is not None:
            return {"return": self.data.tree}
        if line == "info ramblock" and self.data.ramblock is not None:
            return {"return": self.data.ramblock}
        w = line.split()
        if len(w) == 2 and w[0] == "gpa2hva":
            try:
                return {"return": self.data.gpa2hva(int(w[1], 0))}
            except ValueError:
                return {"return": "invalid char '%s' in expression\r\n" % w[1]}
        if line == "info pci" and self.data.pci is not None:
            return {"return": self.data.pci}
        if len(w) == 3 and w[0] == "xp" and w[1] in ("/1wx", "/1gx"):
            try:
                addr = int(w[2], 0)
            except ValueError:
                return {"return": "invalid char '%s' in expression\r\n" % w[2]}
            if addr in self.data.xp:   # the k-th read answers the k-th value (the last one from then on)
                k = self.data.xp_reads.get(addr, 0)
                self.data.xp_reads[addr] = k + 1
                v = self.data.xp[addr]
                return {"return": ("%016x: 0x%08x\r\n" if w[1] == "/1wx" else "%016x: 0x%016x\r\n")
                        % (addr, v[min(k, len(v) - 1)])}
        if w and w[0] == "gpa2hpa":
            return {"return": "fake-qmp: gpa2hpa writes guest memory and must never be sent\r\n"}
        return {"return": "unknown command: '%s'\r\n" % (w[0] if w else "")}

    def commands(self):
        buf, dec = "", json.JSONDecoder()
        while self.left() > 0:
            r, _, _ = select.select([self.conn], [], [], min(self.left(), 0.5))
            if not r:
                continue
            chunk = self.conn.recv(65536)
            if not chunk:
                return
            buf += chunk.decode("utf-8", "replace")
            while buf.strip():
                try:
                    msg, end = dec.raw_decode(buf.lstrip())
                except ValueError:
                    break
                buf = buf.lstrip()[end:]
                yield msg

    def serve(self):
        tmp = self.path + ".tmp"
        for p in (tmp, self.path):
            if os.path.lexists(p):
                os.unlink(p)
        ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ls.bind(tmp)
        if self.bad == "noaccept":
            ls.listen(0)
            filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            filler.connect(tmp)   # the one queued connection a backlog of 0 allows: now it is full
            os.rename(tmp, self.path)
            while self.left() > 0:
                time.sleep(min(self.left(), 0.2))
            filler.close()
            ls.close()
            os.unlink(self.path)
            return
        ls.listen(1)
        os.rename(tmp, self.path)
        try:
            for _ in range(self.clients):
                ls.settimeout(max(self.left(), 0.01))
                try:
                    self.conn, _ = ls.accept()
                except socket.timeout:
                    return
                self.negotiated = False
                try:
                    self.session()
                finally:
                    self.conn.close()
        finally:
            ls.close()
            os.unlink(self.path)

    def session(self):
        try:
            if not self.reply(self.data.greeting, "greeting"):
                return
            for msg in self.commands():
                if self.log:
                    with open(self.log, "a") as f:
                        f.write(json.dumps(msg, sort_keys=True) + "\n")
                if not self.answer(msg):
                    return
        except (OSError, socket.timeout):
            pass


def main():
    a = sys.argv[1:]
    args = {"bad": None, "bad_cmd": "info mtree -f", "log": None, "timeout": 30.0, "delay": 0.4, "clients": 1}
    pos = []
    while a:
        x = a.pop(0)
        if x in ("--bad", "--bad-cmd", "--log", "--timeout", "--delay", "--clients") and a:
            k = x[2:].replace("-", "_")
            args[k] = float(a.pop(0)) if k in ("timeout", "delay") else a.pop(0)
        else:
            pos.append(x)
    if len(pos) != 2:
        sys.exit(__doc__)
    args["socket"], args["dir"] = pos
    Server(args).serve()


main()
