#!/usr/bin/env python3
"""A hostile (or merely different) RA for tests/ra-client/ra-client.t: HTTPS on 127.0.0.1, the behaviour chosen by
the first path segment of api_url / est_url. Prints its port on stdout once listening.
  usage: hostile-ra.py SERVER.pem SERVER.key [PKI-DIR]
PKI-DIR (made by the test) holds ca.pem/ca.key (issues in the plain modes), inter.pem/inter.key (an intermediate
that issues in mode `inter` and is never sent), client-ca.pem (signs the client certificates mode `mtls` wants).
Modes: ok, big, redirect, window (account API); and for simpleenroll, which issues a real certificate for the CSR:
  fold64crlf fold76lf oneline pem der  the PKCS#7 in that layout
  wrongct    the PKCS#7 as application/octet-stream
  inter      issued by the intermediate, the answer holds only the new certificate
  mtls       403 text/plain unless a TLS client certificate signed by client-ca.pem was presented
  est401     401 + WWW-Authenticate, text/plain words      est403utf8  403 with long text/plain UTF-8 (and a bad byte)
  api401     every request 401 without a body              api403json  403 with a JSON code we do not know
and certificates a misbehaving RA might issue for the CSR (simpleenroll and simplereenroll alike, signed by ca):
  otherid    another customer's ID        rlo / dotdot   a CN holding U+202E / "../"
  future     valid only from two years from now          expired    valid until yesterday
  ca         CA:TRUE                      nodigsig       keyUsage without digitalSignature
  serverauth an EKU of serverAuth alone
  extra      beside the certificate: an unrelated root (PKI-DIR/root.pem) and a certificate bearing the pinned
             CA's name under another key (PKI-DIR/fakeca.pem)
  junk       the certificate and 1899 copies of PKI-DIR/root.pem
  later-MODE 202 Accepted (Retry-After: 1) on the first request in that mode, then as MODE
Every issued certificate is an end entity with keyUsage digitalSignature and EKU clientAuth unless the mode says
otherwise.
"""
import base64, datetime, http.server, json, os, ssl, subprocess, sys, tempfile

cert, key = sys.argv[1], sys.argv[2]
pki = sys.argv[3] if len(sys.argv) > 3 else None
ACCOUNT = {"id": "A123456789", "name": "Test", "phone_masked": "0912-***-678", "now": "2026-01-01T00:00:00Z",
           "renewal_window_days": 30, "current_pc_cert": None}
LONG_UTF8 = ("憑證申請被拒絕：" * 60).encode() + b"\xff tail"  # > 512 bytes, a byte that is not UTF-8 at the end


EE = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n"
BAD = {  # mode: (subject, start, end, extensions) that differ from a good certificate
    "otherid": ("/C=TW/CN=B123456780-00-PC001", None, None, EE),
    "rlo": ("/C=TW/CN=A123456789-00-\u202eCP", None, None, EE),
    "dotdot": ("/C=TW/CN=A123456789-..\\/..\\/x", None, None, EE),
    "future": (None, 730, 1095, EE),
    "expired": (None, -30, -1, EE),
    "ca": (None, None, None, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\n"),
    "nodigsig": (None, None, None, "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyEncipherment\n"),
    "serverauth": (None, None, None, EE.replace("clientAuth", "serverAuth")),
}
CA_CNF = """[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
unique_subject = no
[p]
countryName = optional
commonName = optional
"""


def when(days):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=days)
    return t.strftime("%Y%m%d%H%M%SZ")


def issue(csr_der, issuer, mode):
    """The CSR signed by PKI-DIR/<issuer> (`openssl ca`, which can set the subject and the dates a mode wants), as
    DER certs-only PKCS#7: the new certificate, and what the mode adds."""
    subj, start, end, ext = BAD.get(mode, (None, None, None, EE))
    # `openssl ca` reads the serial file as whole bytes of hex: always 16 digits, the first one not 0
    with tempfile.TemporaryDirectory() as d:
        for name, text in (("ca.cnf", CA_CNF), ("ext.cnf", ext), ("index.txt", ""),
                           ("serial", "%016X" % (int.from_bytes(os.urandom(8), "big") >> 2 | 1 << 60))):
            open(os.path.join(d, name), "w").write(text + ("\n" if name == "serial" else ""))
        open(os.path.join(d, "csr.der"), "wb").write(csr_der)
        run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, cwd=d)
        run("req", "-inform", "DER", "-in", "csr.der", "-out", "csr.pem")
        args = ["ca", "-batch", "-config", "ca.cnf", "-cert", os.path.join(pki, issuer + ".pem"), "-keyfile",
                os.path.join(pki, issuer + ".key"), "-in", "csr.pem", "-out", "cert.pem", "-notext", "-preserveDN",
                "-extfile", "ext.cnf", "-startdate", when(start if start is not None else -1 / 24),
                "-enddate", when(end if end is not None else 30)]
        if subj is not None:
            args += ["-subj", subj, "-utf8"]
        run(*args)
        files = ["cert.pem"]
        if mode == "extra":
            files += [os.path.join(pki, "root.pem"), os.path.join(pki, "fakeca.pem")]
        if mode == "junk":
            open(os.path.join(d, "junk.pem"), "w").write(open(os.path.join(pki, "root.pem")).read() * 1899)
            files.append("junk.pem")
        run("crl2pkcs7", "-nocrl", *[x for f in files for x in ("-certfile", f)], "-outform", "DER", "-out", "p7.der")
        return open(os.path.join(d, "p7.der"), "rb").read()


def fold(data, width, eol):
    b64 = base64.b64encode(data).decode()
    return "".join(b64[i:i + width] + eol for i in range(0, len(b64), width)).encode()


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

    def text(self, status, words, headers=()):
        self.send(status, words if isinstance(words, bytes) else words.encode(),
                  [("Content-Type", "text/plain; charset=utf-8"), *headers])

    def enroll(self, mode):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if mode == "est401":
            return self.text(401, "EST credentials required for /simpleenroll\n",
                             [("WWW-Authenticate", 'Basic realm="est"')])
        if mode == "est403utf8":
            return self.text(403, LONG_UTF8)
        if mode == "mtls" and not self.connection.getpeercert():
            return self.text(403, "client certificate must be provided for /simpleenroll\n")
        if mode.startswith("later-"):
            if mode not in self.server.held:
                self.server.held.add(mode)
                return self.send(202, json.dumps({"status": "pending", "retry_after": 1}).encode(),
                                 [("Content-Type", "application/json"), ("Retry-After", "1")])
            mode = mode[len("later-"):]
        p7 = issue(base64.b64decode(body), "inter" if mode == "inter" else "ca", mode)
        ct = "application/pkcs7-mime; smime-type=certs-only"
        out = {"fold64crlf": lambda: fold(p7, 64, "\r\n"), "fold76lf": lambda: fold(p7, 76, "\n"),
               "pem": lambda: b"-----BEGIN PKCS7-----\n" + fold(p7, 64, "\n") + b"-----END PKCS7-----\n",
               "der": lambda: p7}.get(mode, lambda: base64.b64encode(p7) + b"\n")()
        if mode == "wrongct":
            ct = "application/octet-stream"
        self.send(200, out, [("Content-Type", ct), ("Content-Transfer-Encoding", "binary" if mode == "der" else "base64")])

    def handle_any(self):
        mode = self.path.strip("/").split("/")[0]
        if self.path.endswith("/simpleenroll") or self.path.endswith("/simplereenroll"):
            return self.enroll(mode)
        if mode == "api401":  # a bare 401: no code of ours, no words
            return self.send(401, b"", [("WWW-Authenticate", 'Basic realm="api"')])
        if mode == "api403json":
            return self.send(403, json.dumps({"code": "POLICY", "message": "not allowed here"}).encode(),
                             [("Content-Type", "application/json")])
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
srv.held = set()  # the later-MODE modes that answered 202 once
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
if pki is not None:  # ask for a client certificate, do not require one (mode mtls decides per request)
    ctx.verify_mode = ssl.CERT_OPTIONAL
    ctx.load_verify_locations(os.path.join(pki, "client-ca.pem"))
    ctx.load_verify_locations(os.path.join(pki, "ca.pem"))  # renew presents a certificate ca issued
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(srv.server_address[1], flush=True)
srv.serve_forever()
