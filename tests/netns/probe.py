#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Misbehaving SSTP clients for tests/netns.sh.

Usage: probe.py MODE HOST PORT [--ca FILE] [--name NAME] [--wait S]
                [--flood S] [--repeat N]

Prints "local ADDR:PORT" as soon as the TCP connection exists, then one
"key value" line per observation, and "closed-by-peer S" (seconds since the
last thing this probe sent) when the gateway drops the connection, or
"still-open S" when --wait ran out first. Modes:

  tcp-garbage     plain TCP, bytes that are not TLS
  stall           TCP connect, send nothing
  stall-hello     TCP connect, half a TLS ClientHello
  stall-http      TLS up, no HTTP request
  http-garbage    TLS up, random bytes instead of the HTTP request
  truncated       HTTP 200, a data packet header claiming 4095 bytes with
                  10 bytes behind it, then close
  truncated-hold  the same, but keep the connection open
  bad-version     HTTP 200, a packet with version 0x20
  short-length    HTTP 200, a packet header with length 2
  maxframe        HTTP 200, a full 4095-byte data packet before
                  CALL_CONNECT_REQUEST
  bad-binding     HTTP 200, CALL_CONNECT_REQUEST, read the ACK, then a
                  CALL_CONNECTED with a garbage certificate hash and MAC
                  before any authentication
  lcp-flood-rst   HTTP 200, CALL_CONNECT_REQUEST, then LCP Configure-Requests
                  for --flood seconds (0.7) without reading the replies, then
                  close with a TCP RST (SO_LINGER 0); --repeat N times, each
                  on a new connection; prints "flood-rst I BYTES" for each

Many connections (options --count N, --half N, --tls N):

  hold            N connections held open for --wait s: the first --half
                  send half a TLS ClientHello, the next --tls complete TLS
                  and send nothing more, the rest are bare TCP. Prints
                  "opened N", "tls-complete N", "holding" once all are
                  made, then "closed-by-peer N" (dropped by the gateway at
                  any time) and "still-open N" at the end
  flood           connect and close at once, again and again, for --wait
                  s or --count connections; prints "connections N"
"""
import os
import socket
import ssl
import struct
import sys
import time

URI = "/sra_{BA195980-CD49-458b-9E23-C84EE0ADCD75}/"

MSG_NAMES = {1: "CALL_CONNECT_REQUEST", 2: "CALL_CONNECT_ACK",
             3: "CALL_CONNECT_NAK", 4: "CALL_CONNECTED", 5: "CALL_ABORT",
             6: "CALL_DISCONNECT", 7: "CALL_DISCONNECT_ACK",
             8: "ECHO_REQUEST", 9: "ECHO_RESPONSE"}


def say(*a):
    print(*a, flush=True)


class Probe:
    def __init__(self, host, port, ca, name, wait):
        self.host, self.port, self.ca, self.name = host, port, ca, name
        self.wait = wait
        self.sock = None
        self.buf = b""
        self.last_send = time.monotonic()

    def tcp(self):
        s = socket.create_connection((self.host, self.port), timeout=5)
        a = s.getsockname()
        say("local %s:%d" % (a[0], a[1]))
        self.sock = s

    def tls(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if self.ca:
            ctx.load_verify_locations(self.ca)
        else:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        self.sock = ctx.wrap_socket(self.sock, server_hostname=self.name)
        say("tls %s %s" % (self.sock.version(), self.sock.cipher()[0]))

    def send(self, data):
        self.sock.sendall(data)
        self.last_send = time.monotonic()

    def recv_some(self, timeout):
        """Returns bytes, b"" at EOF, None on timeout."""
        self.sock.settimeout(timeout)
        try:
            d = self.sock.recv(65536)
        except socket.timeout:
            return None
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError, ConnectionError):
            return b""
        except ssl.SSLError as e:
            say("ssl-error %s" % e.reason)
            return b""
        return d

    def http(self):
        self.send(("SSTP_DUPLEX_POST %s HTTP/1.1\r\nHost: %s\r\n"
                   "Content-Length: 18446744073709551615\r\n"
                   "SSTPCORRELATIONID: {6F3A1C52-1B7E-4A53-9D0E-2B7C1F9E4A11}"
                   "\r\n\r\n" % (URI, self.name)).encode())
        head = self.read_http_head(10)
        status = head.split(b" ")[1].decode() if head else "none"
        say("http-status %s" % status)
        return status

    def read_http_head(self, timeout):
        end = time.monotonic() + timeout
        while b"\r\n\r\n" not in self.buf:
            d = self.recv_some(max(0.1, end - time.monotonic()))
            if not d:
                return None
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head

    def read_packet(self, timeout):
        """One SSTP packet (control, type or None, bytes), or None."""
        end = time.monotonic() + timeout
        while True:
            if len(self.buf) >= 4:
                ln = struct.unpack(">H", self.buf[2:4])[0] & 0x0fff
                if self.buf[0] != 0x10 or ln < 4:
                    say("bad-packet-from-gateway %s" % self.buf[:4].hex())
                    return None
                if len(self.buf) >= ln:
                    p, self.buf = self.buf[:ln], self.buf[ln:]
                    ctl = bool(p[1] & 1)
                    t = struct.unpack(">H", p[4:6])[0] if ctl else None
                    return ctl, t, p
            left = end - time.monotonic()
            if left <= 0:
                return None
            d = self.recv_some(left)
            if not d:
                return None
            self.buf += d

    def read_control(self, timeout):
        """Skips data packets (LCP from the gateway); returns (type, pkt)."""
        end = time.monotonic() + timeout
        while True:
            r = self.read_packet(max(0.0, end - time.monotonic()))
            if r is None:
                return None, None
            ctl, t, p = r
            if ctl:
                say("control %s" % MSG_NAMES.get(t, hex(t)))
                return t, p

    def ack_abort(self):
        """Answer CALL_ABORT with CALL_ABORT, as a client does."""
        try:
            self.send(bytes([0x10, 0x01, 0x00, 0x08, 0x00, 0x05, 0x00, 0x00]))
        except OSError:
            pass

    def await_close(self):
        """Reads (and drops) until EOF or --wait runs out."""
        end = time.monotonic() + self.wait
        while True:
            left = end - time.monotonic()
            if left <= 0:
                say("still-open %.1f" % (time.monotonic() - self.last_send))
                return False
            d = self.recv_some(left)
            if d == b"":
                say("closed-by-peer %.1f" %
                    (time.monotonic() - self.last_send))
                return True
            if d:
                self.buf += d
                # Report control packets as they pass.
                while len(self.buf) >= 4:
                    ln = struct.unpack(">H", self.buf[2:4])[0] & 0x0fff
                    if ln < 4 or len(self.buf) < ln:
                        break
                    p, self.buf = self.buf[:ln], self.buf[ln:]
                    if p[1] & 1 and len(p) >= 6:
                        t = struct.unpack(">H", p[4:6])[0]
                        say("control %s" % MSG_NAMES.get(t, hex(t)))
                        if t == 5:
                            self.ack_abort()


def connect_request():
    # Header, CALL_CONNECT_REQUEST, one attribute: encapsulated protocol PPP.
    return bytes([0x10, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01,
                  0x00, 0x01, 0x00, 0x06, 0x00, 0x01])


def call_connected(nonce):
    p = bytearray(112)
    p[0:8] = bytes([0x10, 0x01, 0x00, 0x70, 0x00, 0x04, 0x00, 0x01])
    p[8:12] = bytes([0x00, 0x03, 0x00, 0x68])
    p[15] = 0x02                    # SHA-256
    p[16:48] = nonce
    p[48:80] = os.urandom(32)       # not the gateway's certificate hash
    p[80:112] = os.urandom(32)      # not a Compound MAC
    return bytes(p)


def lcp_flood_chunk():
    """Many LCP Configure-Requests (MRU, magic), each in its SSTP packet."""
    out = bytearray()
    for i in range(2048):
        lcp = bytes([1, i & 0xff, 0, 14, 1, 4, 0x05, 0x78,
                     5, 6]) + struct.pack(">I", 0x12345678 + i)
        ppp = bytes([0xff, 0x03, 0xc0, 0x21]) + lcp
        out += bytes([0x10, 0x00]) + struct.pack(">H", 4 + len(ppp)) + ppp
    return bytes(out)


def lcp_flood_rst(host, port, opts):
    """The attack on the session lifecycle: flood, do not read, reset."""
    chunk = lcp_flood_chunk()
    for i in range(int(opts["--repeat"])):
        p = Probe(host, port, opts["--ca"], opts["--name"], 1.0)
        sent = 0
        try:
            p.tcp()
            p.tls()
            if p.http() != "200":
                say("flood-rst %d no-http" % i)
                continue
            p.send(connect_request())
            p.sock.settimeout(5)
            end = time.monotonic() + float(opts["--flood"])
            while time.monotonic() < end:
                p.sock.sendall(chunk)
                sent += len(chunk)
        except (OSError, ssl.SSLError) as e:
            say("flood-rst %d error %s" % (i, e))
        finally:
            if p.sock:
                try:
                    p.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      struct.pack("ii", 1, 0))
                    p.sock.close()
                except OSError:
                    pass
        say("flood-rst %d %d" % (i, sent))


def hold(host, port, opts):
    import selectors
    count, half = int(opts["--count"]), int(opts["--half"])
    ntls, wait = int(opts["--tls"]), float(opts["--wait"])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    socks, tls_ok, failed = [], 0, 0
    for i in range(count):
        try:
            s = socket.create_connection((host, port), timeout=5)
            if i < half:
                s.sendall(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00,
                                 0x01, 0xfc, 0x03, 0x03]) + os.urandom(16))
            elif i < half + ntls:
                s = ctx.wrap_socket(s, server_hostname=opts["--name"])
                tls_ok += 1
            socks.append(s)
        except (OSError, ssl.SSLError):
            failed += 1
    say("opened %d" % len(socks))
    say("tls-complete %d" % tls_ok)
    say("failed %d" % failed)
    say("holding")
    sel = selectors.DefaultSelector()
    for s in socks:
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ)
    closed, end = 0, time.monotonic() + wait
    while time.monotonic() < end and closed < len(socks):
        for key, _ in sel.select(max(0.0, end - time.monotonic())):
            s = key.fileobj
            try:
                d = s.recv(4096)
            except ssl.SSLWantReadError:
                continue
            except (OSError, ssl.SSLError):
                d = b""
            if not d:
                sel.unregister(s)
                closed += 1
    say("closed-by-peer %d" % closed)
    say("still-open %d" % (len(socks) - closed))
    for s in socks:
        s.close()


def flood(host, port, opts):
    count, end = int(opts["--count"]), time.monotonic() + float(opts["--wait"])
    n = 0
    while n < count and time.monotonic() < end:
        try:
            s = socket.create_connection((host, port), timeout=2)
            s.close()
        except OSError:
            pass
        n += 1
    say("connections %d" % n)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    opts = {"--ca": None, "--name": "gw.test", "--wait": "8",
            "--count": "1", "--half": "0", "--tls": "0",
            "--flood": "0.7", "--repeat": "1"}
    rest = sys.argv[4:]
    while rest:
        if rest[0] not in opts or len(rest) < 2:
            sys.exit("probe.py: bad option %s" % rest[0])
        opts[rest[0]] = rest[1]
        rest = rest[2:]
    if mode in ("hold", "flood"):
        (hold if mode == "hold" else flood)(host, port, opts)
        return
    if mode == "lcp-flood-rst":
        lcp_flood_rst(host, port, opts)
        return
    p = Probe(host, port, opts["--ca"], opts["--name"], float(opts["--wait"]))
    try:
        p.tcp()
        if mode == "tcp-garbage":
            p.send(b"\x00\xff not TLS at all " + os.urandom(200))
        elif mode == "stall":
            pass
        elif mode == "stall-hello":
            # Record header announcing 512 bytes, then the first few.
            p.send(bytes([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01,
                          0xfc, 0x03, 0x03]) + os.urandom(16))
        else:
            p.tls()
            if mode == "stall-http":
                pass
            elif mode == "http-garbage":
                p.send(b"\x01\x02" + os.urandom(126) + b"\r\n\r\n")
                head = p.read_http_head(5)
                say("http-status %s" %
                    (head.split(b" ")[1].decode() if head else "none"))
            else:
                if p.http() != "200":
                    p.await_close()
                    return
                if mode in ("truncated", "truncated-hold"):
                    p.send(bytes([0x10, 0x00, 0x0f, 0xff]) + os.urandom(10))
                    if mode == "truncated":
                        p.sock.close()
                        say("closed-by-probe")
                        return
                elif mode == "bad-version":
                    p.send(bytes([0x20, 0x01, 0x00, 0x0e]) +
                           connect_request()[4:])
                elif mode == "short-length":
                    p.send(bytes([0x10, 0x01, 0x00, 0x02]) +
                           connect_request()[4:])
                elif mode == "maxframe":
                    p.send(bytes([0x10, 0x00, 0x0f, 0xff, 0xff, 0x03,
                                  0x00, 0x21]) + os.urandom(4095 - 8))
                elif mode == "bad-binding":
                    p.send(connect_request())
                    t, pkt = p.read_control(5)
                    if t != 2 or len(pkt) != 48:
                        say("no-ack")
                        p.await_close()
                        return
                    say("ack hash-bitmask %d" % pkt[15])
                    p.send(call_connected(pkt[16:48]))
                    say("sent CALL_CONNECTED")
                    t, pkt = p.read_control(p.wait)
                    if t == 5:
                        st = (struct.unpack(">I", pkt[16:20])[0]
                              if len(pkt) >= 20 else -1)
                        say("abort status %d after %.1f" %
                            (st, time.monotonic() - p.last_send))
                        p.ack_abort()
                    elif t is None:
                        say("closed-by-peer %.1f" %
                            (time.monotonic() - p.last_send))
                        return
                else:
                    sys.exit("probe.py: unknown mode %s" % mode)
        p.await_close()
    except (OSError, ssl.SSLError) as e:
        say("error %s" % e)
    finally:
        if p.sock:
            try:
                p.sock.close()
            except OSError:
                pass


if __name__ == "__main__":
    main()
