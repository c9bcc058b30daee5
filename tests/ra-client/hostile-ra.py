#!/usr/bin/env python3
"""A hostile RA for tests/ra-client/ra-client.t: HTTPS on 127.0.0.1, the behaviour chosen by the first path
segment of api_url / est_url (big, redirect, window, ok). Prints its port on stdout once listening."""
import http.server, json, ssl, sys

cert, key = sys.argv[1], sys.argv[2]
ACCOUNT = {"id": "A123456789", "name": "Test", "phone_masked": "0912-***-678", "now": "2026-01-01T00:00:00Z",
           "renewal_window_days": 30, "current_pc_cert": None}

class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        mode = self.path.strip("/").split("/")[0]
        if mode == "big":  # more than the host's 1 MiB limit
            return self.send(200, b'{"pad":"' + b"x" * (2 * 1024 * 1024) + b'"}', [("Content-Type", "application/json")])
        if mode == "redirect":  # to another host: must not be followed
            return self.send(302, b"", [("Location", "https://attacker.invalid/account")])
        acct = dict(ACCOUNT)
        if mode == "window":  # a window no long can hold, and a valid certificate
            acct["renewal_window_days"] = 1e300
            acct["current_pc_cert"] = {"serial": "0A", "status": "valid", "cn": "A123456789-00-PC001",
                                       "device": "PC", "not_before": "2025-06-01T00:00:00Z",
                                       "not_after": "2026-06-01T00:00:00Z"}
        self.send(200, json.dumps(acct).encode(), [("Content-Type", "application/json")])

    do_GET = do_POST = handle_any

srv = http.server.HTTPServer(("127.0.0.1", 0), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
