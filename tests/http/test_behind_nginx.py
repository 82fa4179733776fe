"""Quire behind nginx with TLS, as the operator's guide sets it up
(issue 21): deploy/nginx.conf as shipped, with only its ports, upstream
and certificate paths changed, in front of a real `quire serve` started
with the guide's settings (trusted-proxy, base-url, max-conns-per-ip = 0).
The client reaches the site over HTTPS (HTTP/2 offered, HSTS sent, plain
HTTP redirected), signs in, uploads a photo through the proxy and fetches
it, and Quire sees the client's own address, not nginx's."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from quire_server import ADMIN, Server, api_token, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"),
                                reason="needs nginx and openssl (scripts/deps.sh test installs them)")


def wait_port(port, proc, what):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError("%s exited at start" % what)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("%s did not listen on %d" % (what, port))


@pytest.fixture
def site():
    work = tempfile.mkdtemp(prefix="quire-nginx-")
    crt, key = os.path.join(work, "c.pem"), os.path.join(work, "k.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=essays.example",
                    "-addext", "subjectAltName=DNS:essays.example,IP:127.0.0.1", "-keyout", key, "-out", crt,
                    "-days", "1"], check=True, capture_output=True, timeout=60)
    https, http = free_port(), free_port()
    q = Server(admin=ADMIN)
    # The guide's quire.conf settings, as flags.
    q.extra = ["--trusted-proxy", "127.0.0.1,::1", "--base-url", "https://127.0.0.1:%d" % https,
               "--max-conns-per-ip", "0"]
    q.start()
    conf = open(os.path.join(ROOT, "deploy", "nginx.conf")).read()
    for old, new in (("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % q.port),
                     ("listen 80;", "listen 127.0.0.1:%d;" % http), ("listen [::]:80;", ""),
                     ("listen 443 ssl http2;", "listen 127.0.0.1:%d ssl http2;" % https),
                     ("listen [::]:443 ssl http2;", ""),
                     ("/etc/letsencrypt/live/essays.example/fullchain.pem", crt),
                     ("/etc/letsencrypt/live/essays.example/privkey.pem", key)):
        assert old in conf, "deploy/nginx.conf no longer has %r" % old
        conf = conf.replace(old, new)
    open(os.path.join(work, "site.conf"), "w").write(conf)
    open(os.path.join(work, "nginx.conf"), "w").write(
        "pid %(t)s/nginx.pid;\nerror_log %(t)s/error.log;\ndaemon off;\nevents {}\nhttp {\n"
        "  access_log off;\n  client_body_temp_path %(t)s/body;\n  proxy_temp_path %(t)s/proxy;\n"
        "  fastcgi_temp_path %(t)s/fcgi;\n  uwsgi_temp_path %(t)s/uwsgi;\n  scgi_temp_path %(t)s/scgi;\n"
        "  include /etc/nginx/mime.types;\n  include %(t)s/site.conf;\n}\n" % {"t": work})
    ngx = subprocess.Popen(["nginx", "-p", work, "-c", os.path.join(work, "nginx.conf")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_port(https, ngx, "nginx")
        yield {"q": q, "https": "https://127.0.0.1:%d" % https, "http": "http://127.0.0.1:%d" % http,
               "ca": crt, "work": work}
    finally:
        ngx.terminate()
        ngx.wait(timeout=30)
        q.stop()
        q.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_the_site_behind_nginx_with_tls(site):
    base, ca, q = site["https"], site["ca"], site["q"]
    # Plain HTTP goes to HTTPS.
    r = requests.get(site["http"] + "/", allow_redirects=False, timeout=30)
    assert r.status_code == 301 and r.headers["Location"].startswith("https://")
    r = requests.get(base + "/", verify=ca, timeout=30)
    assert r.status_code == 200 and "<html" in r.text
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000"
    # HTTP/2 is offered (ALPN), as the sample promises.
    out = subprocess.run(["openssl", "s_client", "-connect", base[len("https://"):], "-alpn", "h2,http/1.1",
                          "-CAfile", ca], input=b"", capture_output=True, timeout=60).stdout.decode("utf-8", "replace")
    assert "ALPN protocol: h2" in out, out[-2000:]

    # Sign in and write through the proxy; the cookie is for HTTPS only.
    s = requests.Session()
    page = s.get(base + "/login", verify=ca, timeout=30)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    r = s.post(base + "/login", data={"handle": ADMIN[0], "password": ADMIN[1], "csrf": csrf},
               allow_redirects=False, verify=ca, timeout=30)
    assert r.status_code == 303, r.text[:300]
    assert "Secure" in r.headers["Set-Cookie"]
    tok = api_token(q, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    st = requests.post(base + "/api/v1/stories", headers=h, verify=ca, timeout=30,
                       json={"title": "Behind the proxy", "body": "Words.", "status": "published"}).json()
    assert st["url"].startswith(base + "/@")
    assert requests.get(st["url"], verify=ca, timeout=30).status_code == 200

    # A photo upload streams through nginx, and its files come back.
    img = os.path.join(site["work"], "p.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "1600x1200", "plasma:", "-quality", "95", img], check=True,
                   timeout=120)
    with open(img, "rb") as f:
        r = requests.post(base + "/api/v1/stories/%s/photos" % st["id"], headers=h, verify=ca, timeout=300,
                          data={"alt": "noise"}, files={"file": ("p.jpg", f, "image/jpeg")})
    assert r.status_code == 201, r.text
    v = r.json()["variants"][0]["url"]
    assert v.startswith(base)
    got = requests.get(v, verify=ca, timeout=30)
    assert got.status_code == 200 and got.content[:3] in (b"\xff\xd8\xff", b"RIF")

    # Quire logs the client's own address (127.0.0.2 here), which nginx
    # passed on: the trusted proxy's header is read, not nginx's address.
    r = subprocess.run(["curl", "-sS", "--interface", "127.0.0.2", "--cacert", ca, "-o", "/dev/null",
                        "-w", "%{http_code}", base + "/robots.txt"],
                       capture_output=True, text=True, timeout=60)
    assert r.stdout == "200", r.stderr
    deadline = time.monotonic() + 30
    while 'path="/robots.txt"' not in q.read_log() and time.monotonic() < deadline:
        time.sleep(0.02)
    line = [x for x in q.read_log().splitlines() if 'path="/robots.txt"' in x]
    assert line and "addr=127.0.0.2" in line[-1], line
