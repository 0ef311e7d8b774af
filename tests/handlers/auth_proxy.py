#!/usr/bin/env python3
"""An authenticating proxy in front of an XConnector service, wrong in one way, for `xconn
check`'s auth tests.

    PROXY_SECRET=… PROXY_AUDIENCE=… python3 auth_proxy.py FLAW UPSTREAM_URL

It listens on 127.0.0.1 (a free port, printed as `listening on URL`), checks the bearer token,
and forwards each request it lets in to UPSTREAM_URL, answering with the upstream's answer. A
correct proxy lets in only an HS256 JWT signed with PROXY_SECRET, not expired, for PROXY_AUDIENCE.
The flaws:

  any-bearer  lets in any `Authorization: Bearer …`, empty too (only no header is refused)
  alg-none    lets in a JWT whose header says `alg: none` without checking any signature
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FLAW, UPSTREAM = sys.argv[1], sys.argv[2]
SECRET = os.environ.get("PROXY_SECRET", "").encode()
AUDIENCE = os.environ.get("PROXY_AUDIENCE", "")


def b64decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def let_in(authorization):
    if FLAW == "any-bearer":
        return authorization.startswith("Bearer")
    if not authorization.startswith("Bearer "):
        return False
    token = authorization[len("Bearer "):]
    try:
        header_b64, payload_b64, signature = token.split(".")
        header = json.loads(b64decode(header_b64))
        claims = json.loads(b64decode(payload_b64))
    except ValueError:
        return False
    if not (isinstance(header, dict) and isinstance(claims, dict)):
        return False
    if FLAW == "alg-none" and header.get("alg") == "none":
        return True
    if header.get("alg") != "HS256":
        return False
    expected = hmac.new(SECRET, f"{header_b64}.{payload_b64}".encode(), hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(expected, b64decode(signature)):
            return False
    except ValueError:
        return False
    return claims.get("exp", 0) > time.time() and claims.get("aud") == AUDIENCE


class Proxy(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not let_in(self.headers.get("Authorization", "")):
            self.answer(401, b'{"error": "unauthorized"}', "application/json")
            return
        request = urllib.request.Request(UPSTREAM, data=body, method="POST")
        request.add_header("Content-Type", self.headers.get("Content-Type", "application/json"))
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                self.answer(answer.status, answer.read(), answer.headers.get("Content-Type"))
        except urllib.error.HTTPError as error:
            self.answer(error.code, error.read(), error.headers.get("Content-Type"))

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
server.serve_forever()
