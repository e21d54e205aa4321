#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Misbehaving clients of the gateway's control socket (tests/netns/cases/ctlsock.sh).

  ctl_probe.py idle SOCK N,SECS    N connections that send nothing, held up
                                    to SECS s: how many the gateway closed
                                    (and when), how many it refused as busy
  ctl_probe.py huge SOCK BYTES      a request line of BYTES bytes: the answer
  ctl_probe.py noread SOCK SECS     asks for a dump and reads nothing for SECS
                                    s, then what arrived and whether closed
  ctl_probe.py slow SOCK DELAY      asks for a dump, waits DELAY s, then reads
                                    it 4 KiB at a time: is it complete
  ctl_probe.py asuser SOCK UID      "dump" as another user: the answer

They speak the control protocol (ctl/lib/ipc/ctl_proto.h) on their own:
"key=value" lines, "[section]" lines, a blank line at the end. One JSON
object on stdout.
"""
import json
import os
import select
import socket
import sys
import time


DUMP = b"protocol=1\ncommand=dump\n\n"


def header(data):
    """The answer's header fields (before any [section]), as a dict."""
    h = {}
    for ln in data.decode(errors="replace").split("\n"):
        if not ln or ln.startswith("["):
            break
        k, _, v = ln.partition("=")
        h[k] = v
    return h


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def read_all(s, timeout, chunk=65536, pause=0.0):
    """Everything until EOF, an error or timeout; (bytes, how it ended)."""
    data = b""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data, "timeout"
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return data, "timeout"
        try:
            b = s.recv(chunk)
        except OSError as e:
            return data, "error: %s" % e.strerror
        if not b:
            return data, "eof"
        data += b
        if pause:
            time.sleep(pause)


def idle(path, n, secs):
    t0 = time.monotonic()
    socks, refused = [], 0
    for _ in range(n):
        socks.append(connect(path))
    print("connected %d" % n, file=sys.stderr, flush=True)
    closed = {}
    end = t0 + secs
    while len(closed) < len(socks) and time.monotonic() < end:
        open_ = [s for s in socks if s not in closed]
        r, _, _ = select.select(open_, [], [], max(0, end - time.monotonic()))
        for s in r:
            try:
                b = s.recv(4096)
            except OSError:
                b = b""
            if header(b).get("error", "").startswith("busy"):
                refused += 1
            closed[s] = (time.monotonic() - t0, b)
    after = sorted(round(t, 2) for t, b in closed.values()
                   if not header(b).get("error", "").startswith("busy"))
    print(json.dumps({"opened": n, "refused_busy": refused,
                      "closed": len(after), "closed_after": after,
                      "still_open": n - len(closed)}))


def huge(path, nbytes):
    s = connect(path)
    s.setblocking(False)
    sent, err = 0, None
    block = b"A" * 65536
    end = time.monotonic() + 10
    while sent < nbytes and time.monotonic() < end:
        select.select([], [s], [], 0.5)
        try:
            sent += s.send(block[:min(len(block), nbytes - sent)])
        except BlockingIOError:
            continue
        except OSError as e:
            err = e.strerror
            break
    s.setblocking(True)
    data, how = read_all(s, 5)
    h = header(data)
    print(json.dumps({"sent": sent, "send_error": err,
                      "answer": data.decode(errors="replace")[:200],
                      "errno": h.get("errno"), "error": h.get("error", ""),
                      "end": how}))


def noread(path, secs):
    s = connect(path)
    s.sendall(DUMP)
    t0 = time.monotonic()
    time.sleep(secs)
    data, how = read_all(s, 2)
    print(json.dumps({"held": round(time.monotonic() - t0, 2),
                      "bytes": len(data), "end": how}))


def slow(path, delay):
    s = connect(path)
    s.sendall(DUMP)
    time.sleep(delay)
    data, how = read_all(s, 30, chunk=4096, pause=0.001)
    text = data.decode(errors="replace")
    lines = text.split("\n")
    said, section = -1, None
    for ln in lines:
        if ln.startswith("["):
            section = ln
        elif section == "[gateway]" and ln.startswith("sessions_active="):
            said = int(ln.split("=", 1)[1])
    sessions = sum(1 for ln in lines if ln == "[session]")
    print(json.dumps({"bytes": len(data), "end": how,
                      "complete": text.endswith("\n\n"),
                      "sessions_said": said,
                      "session_lines": sessions}))


def asuser(path, uid):
    os.setgid(uid)
    os.setuid(uid)
    try:
        s = connect(path)
    except OSError as e:
        print(json.dumps({"connect_error": e.strerror}))
        return
    try:
        s.sendall(DUMP)
    except OSError:
        pass    # refused before the request was sent: read why
    data, how = read_all(s, 5)
    h = header(data)
    print(json.dumps({"answer": data.decode(errors="replace")[:200],
                      "errno": h.get("errno"), "error": h.get("error", ""),
                      "end": how}))


def main(argv):
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 1
    mode, path, arg = argv[1], argv[2], argv[3]
    if mode == "idle":
        n, secs = arg.split(",") if "," in arg else (arg, "10")
        idle(path, int(n), float(secs))
    elif mode == "huge":
        huge(path, int(arg))
    elif mode == "noread":
        noread(path, float(arg))
    elif mode == "slow":
        slow(path, float(arg))
    elif mode == "asuser":
        asuser(path, int(arg))
    else:
        print(__doc__, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
