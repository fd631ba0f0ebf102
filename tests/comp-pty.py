#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""comp-pty.py RCFILE CASES OUT - type each line of CASES into an interactive bash
(on a pty, so readline splits the words as for a person) followed by one TAB; the
rc file's completion wrapper appends "<COMPREPLY...>" per call to OUT. Waits for
each answer (at most 10 s), then clears the line. Exit 1 if one never came."""
import os, pty, select, sys, time

rc, cases, out = sys.argv[1:4]
lines = [l.rstrip("\n") for l in open(cases) if l.strip() and not l.startswith("#")]
pid, fd = pty.fork()
if pid == 0:
    env = dict(os.environ, TERM="dumb", PS1="$ ", INPUTRC="/dev/null")
    os.execvpe("bash", ["bash", "--noprofile", "--rcfile", rc, "-i"], env)


def drain(t):
    end = time.time() + t
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def answers():
    try:
        return open(out).read().count("\n")
    except FileNotFoundError:
        return 0


drain(0.5)
rc_ = 0
for i, line in enumerate(lines):
    os.write(fd, line.encode() + b"\t")
    end = time.time() + 10
    while answers() <= i and time.time() < end:
        drain(0.05)
    if answers() <= i:
        sys.stderr.write("comp-pty: no completion call for: %s\n" % line)
        rc_ = 1
        break
    os.write(fd, b"\x15")   # C-u: clear the line
    drain(0.05)
os.write(fd, b"\x15exit\n")
drain(0.3)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
sys.exit(rc_)
