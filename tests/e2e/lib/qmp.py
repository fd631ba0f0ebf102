#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Minimal QMP client: qmp.py SOCKET CMD...
   A CMD starting with '{' is sent as raw QMP JSON; anything else as a human-monitor-command.
   HMP replies are printed verbatim (CR stripped), other replies as one JSON line.
   Exit 1 if a command returns an error."""
import json
import socket
import sys


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(600)
    s.connect(sys.argv[1])
    f = s.makefile("rwb", buffering=0)

    def recv():
        while True:
            line = f.readline()
            if not line:
                raise SystemExit("QMP connection closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg
    recv()
    f.write(b'{"execute":"qmp_capabilities"}\n')
    recv()
    rc = 0
    for arg in sys.argv[2:]:
        cmd = json.loads(arg) if arg.startswith("{") else \
            {"execute": "human-monitor-command", "arguments": {"command-line": arg}}
        f.write((json.dumps(cmd) + "\n").encode())
        r = recv()
        if "error" in r:
            rc = 1
        if isinstance(r.get("return"), str):
            sys.stdout.write(r["return"].replace("\r", ""))
        else:
            print(json.dumps(r))
        sys.stdout.flush()
    sys.exit(rc)


main()
