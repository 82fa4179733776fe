"""ap_peer - a small ActivityPub server on loopback for the inbox tests:
it serves its actors (each with an RSA key of its own), takes what
Quire delivers into its inboxes (kept, with headers, for the test to
read and check), and signs requests as draft-cavage HTTP Signatures the
way Mastodon does, or deliberately wrong. The real-implementation
interoperability test is test_fediverse.py (Fedify); this one lets a
test forge exactly the broken request it needs.
"""
import base64
import email.utils
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

AP = "application/activity+json"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_of(key):
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def digest_of(body):
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def http_date(t=None):
    return email.utils.formatdate(t if t is not None else time.time(), usegmt=True)


def sign_headers(key, key_id, method, url, body, date=None, names=None, digest=None,
                 host=None, algorithm="rsa-sha256"):
    """The headers of a signed request (Host, Date, Digest, Signature)."""
    rest = url.split("://", 1)[1]
    h = host or rest.split("/", 1)[0]
    target = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    hdrs = {"Host": h, "Date": date or http_date(), "Content-Type": AP}
    if body is not None:
        hdrs["Digest"] = digest or digest_of(body)
    names = names or (["(request-target)", "host", "date", "digest"] if body is not None
                      else ["(request-target)", "host", "date"])
    lines = []
    for n in names:
        if n == "(request-target)":
            lines.append("(request-target): %s %s" % (method.lower(), target))
        else:
            lines.append("%s: %s" % (n, {k.lower(): v for k, v in hdrs.items()}[n]))
    sig = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    hdrs["Signature"] = 'keyId="%s",algorithm="%s",headers="%s",signature="%s"' % (
        key_id, algorithm, " ".join(names), base64.b64encode(sig).decode())
    return hdrs


def verify_request(headers, method, path, body, public_pem):
    """Check a received request's draft-cavage signature with public_pem:
    (ok, keyId, covered headers)."""
    lower = {k.lower(): v for k, v in headers.items()}
    params = {}
    for part in lower["signature"].split(","):
        k, v = part.strip().split("=", 1)
        params[k] = v.strip('"')
    names = params["headers"].split()
    lines = []
    for n in names:
        if n == "(request-target)":
            lines.append("(request-target): %s %s" % (method.lower(), path))
        else:
            lines.append("%s: %s" % (n, lower[n]))
    key = serialization.load_pem_public_key(public_pem.encode())
    try:
        key.verify(base64.b64decode(params["signature"]), "\n".join(lines).encode(),
                   padding.PKCS1v15(), hashes.SHA256())
        good = True
    except InvalidSignature:
        good = False
    if "digest" in lower and lower["digest"] != digest_of(body):
        good = False
    return good, params["keyId"], names


class Peer:
    """Actors at http://127.0.0.1:PORT/users/NAME, inboxes at
    /users/NAME/inbox and a shared /inbox."""

    def __init__(self):
        self.keys = {}
        self.inboxes = {}   # name -> base URL of its inboxes elsewhere
        self.received = []  # (path, headers, body) of every POST taken
        self.refused = []   # ... and of those answered 503 (self.refuse > 0)
        self.refuse = 0     # answer this many POSTs 503; -1: all
        self.fetched = []   # paths of every GET
        self.cond = threading.Condition()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                with peer.cond:
                    peer.fetched.append(self.path)
                name = self.path.split("/")[2] if self.path.startswith("/users/") else None
                if name not in peer.keys:
                    self.send_response(404)
                    self.end_headers()
                    return
                out = json.dumps(peer.actor(name)).encode()
                self.send_response(200)
                self.send_header("Content-Type", AP)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with peer.cond:
                    busy = peer.refuse != 0
                    if busy:
                        peer.refuse -= peer.refuse > 0
                        peer.refused.append((self.path, dict(self.headers), body))
                    else:
                        peer.received.append((self.path, dict(self.headers), body))
                    peer.cond.notify_all()
                self.send_response(503 if busy else 202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, name, key=None, inbox=None):
        """An actor; with inbox (a base URL), its inboxes are there, on
        another server, instead of here."""
        self.keys[name] = key or new_key()
        if inbox:
            self.inboxes[name] = inbox
        return self.actor_id(name)

    def actor_id(self, name):
        return "%s/users/%s" % (self.url, name)

    def key_id(self, name):
        return self.actor_id(name) + "#main-key"

    def actor(self, name):
        aid = self.actor_id(name)
        return {"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                "id": aid, "type": "Person", "preferredUsername": name, "name": name.title(),
                "inbox": self.inboxes[name] + "/users/%s/inbox" % name if name in self.inboxes else aid + "/inbox",
                "endpoints": {"sharedInbox": self.inboxes.get(name, self.url) + "/inbox"},
                "publicKey": {"id": self.key_id(name), "owner": aid,
                              "publicKeyPem": pem_of(self.keys[name])}}

    def post(self, name, url, activity, key=None, raw=None, **kw):
        """POST activity to url signed as name (with key: another key)."""
        body = raw if raw is not None else json.dumps(activity).encode()
        hdrs = sign_headers(key or self.keys[name], kw.pop("key_id", self.key_id(name)), "POST",
                            url, body, **kw)
        return requests.post(url, data=body, headers=hdrs)

    def wait_for(self, pred, timeout=30):
        """The first received (path, headers, body as JSON) that pred
        accepts, waiting for it (bounded)."""
        deadline = time.time() + timeout
        with self.cond:
            while True:
                for path, headers, body in self.received:
                    try:
                        j = json.loads(body)
                    except ValueError:
                        continue
                    if pred(j):
                        return path, headers, body, j
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("nothing arrived that the test waits for; got %r" %
                                         [b[:200] for _, _, b in self.received])
                self.cond.wait(left)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
