#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Bulk transfers for the TUN offload tests (tests/netns/cases/offload.sh).

Usage: bulk.py recv tcp|udp PORT OUT [--wait S]
       bulk.py send tcp|udp HOST PORT IN [--seg N] [--gso K]

recv prints "ready" once it listens, then "bytes N sha256 HEX" when the
transfer is complete. TCP: one connection, everything until EOF. UDP:
datagrams of "seq(4) count(4) payload"; after a quiet spell the receiver
tells the sender which are missing (then "DONE"), so that drops in a busy
machine's queues do not fail a byte-for-byte comparison. With --gso K the
sender hands the kernel K datagrams at once (UDP_SEGMENT), which the TUN
device passes on as one USO super-packet where it can.
"""
import hashlib
import socket
import struct
import sys
import time

UDP_SEGMENT = 103
SOL_UDP = 17


def opt(args, name, default):
    if name in args:
        return type(default)(args[args.index(name) + 1])
    return default


def recv_tcp(port, out, wait):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    ls.settimeout(wait)
    print("ready", flush=True)
    c, _ = ls.accept()
    c.settimeout(wait)
    h = hashlib.sha256()
    n = 0
    with open(out, "wb") as f:
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            h.update(b)
            f.write(b)
            n += len(b)
    print("bytes %d sha256 %s" % (n, h.hexdigest()), flush=True)


def recv_udp(port, out, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.bind(("0.0.0.0", port))
    print("ready", flush=True)
    got = {}
    total = None
    peer = None
    s.settimeout(wait)
    while total is None or len(got) < total:
        try:
            b, peer = s.recvfrom(65536)
        except socket.timeout:
            if peer is None:
                raise
            miss = [i for i in range(total or 0) if i not in got][:300]
            s.sendto(b"MISS" + b"".join(struct.pack("!I", i) for i in miss),
                     peer)
            continue
        if len(b) < 8:
            continue
        seq, cnt = struct.unpack("!II", b[:8])
        total = cnt
        got[seq] = b[8:]
        s.settimeout(0.5)
    for _ in range(3):
        s.sendto(b"DONE", peer)
    data = b"".join(got[i] for i in range(total))
    with open(out, "wb") as f:
        f.write(data)
    print("bytes %d sha256 %s" % (len(data), hashlib.sha256(data).hexdigest()),
          flush=True)


def send_tcp(host, port, path):
    c = socket.create_connection((host, port), timeout=30)
    with open(path, "rb") as f:
        c.sendall(f.read())
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()


def send_udp(host, port, path, seg, gso):
    data = open(path, "rb").read()
    size = seg - 8
    chunks = [data[i:i + size] for i in range(0, len(data), size)]
    pkts = [struct.pack("!II", i, len(chunks)) + c for i, c in enumerate(chunks)]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.connect((host, port))

    def burst(idx):
        i = 0
        while i < len(idx):
            group = [pkts[j] for j in idx[i:i + max(gso, 1)]]
            # UDP_SEGMENT: all but the last of equal size.
            while len(group) > 1 and len(group[-2]) != seg:
                group = group[:-1]
            if gso > 1 and len(group) > 1:
                s.sendmsg([b"".join(group)],
                          [(SOL_UDP, UDP_SEGMENT, struct.pack("H", seg))])
            else:
                s.send(group[0])
                group = group[:1]
            i += len(group)
            time.sleep(0.0005)

    burst(list(range(len(pkts))))
    s.settimeout(3)
    for _ in range(50):
        try:
            b = s.recv(65536)
        except socket.timeout:
            burst([len(pkts) - 1])
            continue
        if b.startswith(b"DONE"):
            return
        if b.startswith(b"MISS"):
            miss = [struct.unpack("!I", b[i:i + 4])[0]
                    for i in range(4, len(b), 4)]
            burst(miss)
    sys.exit("udp: receiver never finished")


def main():
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "recv":
        wait = opt(a, "--wait", 30.0)
        (recv_tcp if a[1] == "tcp" else recv_udp)(int(a[2]), a[3], wait)
    elif len(a) >= 5 and a[0] == "send":
        if a[1] == "tcp":
            send_tcp(a[2], int(a[3]), a[4])
        else:
            send_udp(a[2], int(a[3]), a[4], opt(a, "--seg", 1200),
                     opt(a, "--gso", 1))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
