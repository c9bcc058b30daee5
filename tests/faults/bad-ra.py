#!/usr/bin/env python3
"""An RA that misbehaves at the transport level, for tests/faults/ra.t. One raw socket per connection (no HTTP
library: the point is to send what a library would not), TLS from Python's ssl module. The behaviour is the first
path segment of the request when there is one, else the MODE argument (for the modes that never read a request).
  bad-ra.py CERT KEY   prints "TLS-PORT SILENT-PORT" once listening; on TLS-PORT the mode comes from the URL
Modes: silent-tcp (accepts, never speaks TLS), silent-tls (TLS, reads the request, never answers), drip (headers,
then one body byte every second), reset (half the body, then a TCP reset), garbage (bytes that are not HTTP),
bad-json (HTTP 200 application/json that is not JSON), big (a 2 MiB body), huge-header (one 300 KB header line),
many-headers (4000 header lines, 400 KB)."""
import socket, ssl, struct, sys, threading, time

cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
ctx.set_alpn_protocols(["http/1.1"])


def head(status=200, extra=b"", length=None, ctype=b"application/json"):
    h = b"HTTP/1.1 %d X\r\nContent-Type: %s\r\nConnection: close\r\n" % (status, ctype)
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + extra + b"\r\n"


def read_request(s):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    return parts[1].strip("/").split("/")[0] if len(parts) > 1 else ""


def serve(raw):
    raw.settimeout(120)
    try:
        s = ctx.wrap_socket(raw, server_side=True)
        mode = read_request(s)
        if mode == "silent-tls":
            time.sleep(60)
        elif mode == "drip":
            s.sendall(head(length=100))
            for _ in range(100):
                s.sendall(b" ")
                time.sleep(1)
        elif mode == "reset":
            s.sendall(head(length=1000) + b"{" + b" " * 499)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raw.close()
            return
        elif mode == "garbage":
            s.sendall(b"\x00\x17\xfe\xffgarbage, not HTTP at all\r\n\r\n")
        elif mode == "bad-json":
            body = b"<html>this is not JSON {\"code\":"
            s.sendall(head(length=len(body)) + body)
        elif mode == "big":
            body = b'{"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}'
            s.sendall(head(length=len(body)) + body)
        elif mode == "huge-header":
            s.sendall(head(length=2, extra=b"X-Huge: " + b"h" * 300000 + b"\r\n") + b"{}")
        elif mode == "many-headers":
            extra = b"".join(b"X-Many-%d: %s\r\n" % (i, b"m" * 90) for i in range(4000))
            s.sendall(head(length=2, extra=extra) + b"{}")
        s.close()
    except (OSError, ssl.SSLError):
        pass


def serve_silent(raw):
    raw.settimeout(120)
    try:
        raw.recv(4096)
        time.sleep(60)
    except OSError:
        pass
    raw.close()


def listen(handler):
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)

    def loop():
        while True:
            conn, _ = srv.accept()
            threading.Thread(target=handler, args=(conn,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return srv.getsockname()[1]


# Two ports: one speaking TLS (mode from the URL), one that accepts and never answers the TLS handshake.
print(listen(serve), listen(serve_silent), flush=True)
threading.Event().wait()
