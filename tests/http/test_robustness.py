"""Bad input gets a clear answer, the server keeps serving, nothing saved
is harmed. Also: command line, health, static assets, headers, restart."""
import re
import socket
import subprocess
import time

import requests

from quire_server import ADMIN, BIN, Server, api_token




def raw(server, data, read=True, timeout=5, until_close=False):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    s.sendall(data)
    out = b""
    if read:
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                out += chunk
                if not until_close and b"\r\n\r\n" in out and b"Connection: close" not in out and len(out) > 20:
                    # enough to read the status line and headers
                    if re.search(rb"Content-Length: (\d+)", out):
                        n = int(re.search(rb"Content-Length: (\d+)", out).group(1))
                        if len(out.split(b"\r\n\r\n", 1)[1]) >= n:
                            break
        except socket.timeout:
            pass
    s.close()
    return out


def status_of(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


def test_command_line():
    r = subprocess.run([BIN, "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "quire serve" in r.stdout and "user add" in r.stdout
    r = subprocess.run([BIN, "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and re.match(r"quire \d+\.\d+\.\d+", r.stdout)
    r = subprocess.run([BIN, "frobnicate"], capture_output=True, text=True)
    assert r.returncode == 2 and "usage" in r.stderr
    r = subprocess.run([BIN, "serve", "--listen"], capture_output=True, text=True)
    assert r.returncode == 2


def test_user_add_on_fresh_directory_and_errors(tmp_path):
    d = str(tmp_path / "fresh")
    r = subprocess.run([BIN, "user", "add", "fresh", "--password-stdin", "--data", d],
                       input="long enough password\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([BIN, "user", "add", "fresh", "--password-stdin", "--data", d],
                       input="long enough password\n", capture_output=True, text=True)
    assert r.returncode == 1 and "taken" in r.stderr
    r = subprocess.run([BIN, "user", "add", "other", "--password-stdin", "--data", d],
                       input="short\n", capture_output=True, text=True)
    assert r.returncode == 1 and "12" in r.stderr
    r = subprocess.run([BIN, "user", "add", "other", "--data", d], input="x", capture_output=True, text=True)
    assert r.returncode == 2 and "password-stdin" in r.stderr
    out = subprocess.run(["sqlite3", d + "/quire.db", "PRAGMA journal_mode; PRAGMA user_version;"],
                         capture_output=True, text=True).stdout.split()
    assert out[0] == "wal" and int(out[1]) >= 1


def test_healthz_and_headers(server):
    r = requests.get(server.url + "/healthz")
    assert r.status_code == 200 and r.text == "ok\n"
    r = requests.get(server.url + "/")
    csp = r.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in r.headers and "Permissions-Policy" in r.headers
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert re.search(r'<html lang="en">', r.text)
    for tag in ("<header", "<main", "<footer"):
        assert tag in r.text


def test_static_css_is_immutable_and_small(server):
    home = requests.get(server.url + "/").text
    css = re.search(r'href="(/static/quire\.[0-9a-f]{10}\.css)"', home).group(1)
    r = requests.get(server.url + css)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/css")
    assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
    assert "prefers-color-scheme: dark" in r.text and "65ch" in r.text
    assert len(r.content) < 20000
    r2 = requests.get(server.url + css, headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status_code == 304
    assert requests.get(server.url + "/static/nope.css").status_code == 404


def test_html_error_pages_for_browsers(server):
    r = requests.get(server.url + "/no/such/page")
    assert r.status_code == 404 and "<html" in r.text and "Nothing here" in r.text
    r = requests.delete(server.url + "/")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    r = requests.get(server.url + "/a/../etc/passwd")
    assert r.status_code in (400, 404)
    r = requests.get(server.url + "/@ada/%ff")
    assert r.status_code == 400
    r = requests.get(server.url + "/?before=%zz")
    assert r.status_code == 400
    r = requests.get(server.url + "/login/", allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"] == "/login"


def test_hostile_requests_do_not_hurt(server):
    tok = api_token(server, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    st = requests.post(server.url + "/api/v1/stories", headers=h,
                       json={"title": "Survivor", "body": "still here", "status": "published"}).json()
    # Oversized header.
    resp = raw(server, b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
    assert status_of(resp) in (400, 413, 414, 431) or resp == b""
    # Invalid method and garbage.
    assert status_of(raw(server, b"BREW / HTTP/1.1\r\nHost: x\r\n\r\n")) in (400, 405, 501)
    assert status_of(raw(server, b"\x00\x01\x02garbage\r\n\r\n")) in (400, None)
    # Conflicting Content-Length and Transfer-Encoding.
    resp = raw(server, b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n0\r\n\r\n")
    assert status_of(resp) in (400, 401, 422, 413, None)
    # Two different Content-Length headers.
    resp = raw(server, b"POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       b"Content-Length: 7\r\nContent-Type: application/json\r\n\r\n{}")
    assert status_of(resp) in (400, None)
    # Body announced bigger than allowed: refused up front.
    resp = raw(server, b"POST /api/v1/stories HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                       b"Content-Length: 999999999\r\n\r\n{")
    assert status_of(resp) == 413
    # A request cut halfway: the client goes away.
    raw(server, b"POST /api/v1/stories HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\nAuthorization: Bearer " + tok.encode() + b"\r\n\r\n{\"title\": \"Half",
        read=False)
    # Pipelined requests are answered in order.
    resp = raw(server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n"
                       b"Connection: close\r\n\r\n", until_close=True)
    assert resp.count(b"HTTP/1.1 200") == 2
    time.sleep(0.3)
    # Still serving; nothing saved was harmed; the half request saved nothing.
    assert requests.get(server.url + "/healthz").status_code == 200
    assert requests.get(st["url"]).status_code == 200
    titles = [s["title"] for s in requests.get(server.url + "/api/v1/stories?author=ada&limit=100", headers=h).json()["stories"]]
    assert "Half" not in titles and "Survivor" in titles


def test_acknowledged_writes_survive_restart_and_sigkill():
    s = Server()
    try:
        s.start()
        h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
        made = []
        for i in range(5):
            r = requests.post(s.url + "/api/v1/stories", headers=h,
                              json={"title": "Durable %d" % i, "body": "x", "status": "published"})
            assert r.status_code == 201
            made.append(r.json()["url"].split("/", 3)[3])
        log = s.stop()
        assert "stopped cleanly" in log
        s.start()
        for p in made:
            assert requests.get(s.url + "/" + p).status_code == 200
        # SIGKILL right after an acknowledged write loses nothing.
        r = requests.post(s.url + "/api/v1/stories", headers=h,
                          json={"title": "Killed right after", "body": "x", "status": "published"})
        assert r.status_code == 201
        path = r.json()["url"].split("/", 3)[3]
        s.proc.kill()
        s.proc.wait()
        s.proc = None
        s.log.close()
        s.start()
        assert requests.get(s.url + "/" + path).status_code == 200
        out = subprocess.run(["sqlite3", s.data + "/quire.db", "PRAGMA integrity_check;"],
                             capture_output=True, text=True).stdout.strip()
        assert out == "ok"
    finally:
        s.stop()
        s.cleanup()


def test_second_start_on_same_port_fails_cleanly(server):
    r = subprocess.run([BIN, "serve", "--data", server.data, "--listen", "127.0.0.1:%d" % server.port],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "cannot listen" in r.stderr


def test_request_log_lines_carry_no_secrets(server):
    tok = api_token(server, *ADMIN)
    requests.get(server.url + "/api/v1/me", headers={"Authorization": "Bearer " + tok})
    requests.get(server.url + "/u/0123456789abcdef?invite=ffffeeeeddddcccc")
    requests.get(server.url + "/healthz")
    time.sleep(0.3)
    log = server.read_log()
    lines = [l for l in log.splitlines() if " request " in l]
    assert any(re.search(r'method=GET path="/healthz" status=200 bytes=3 ms=[0-9.]+ addr=127\.0\.0\.1$', l) for l in lines), lines[-5:]
    assert any('path="/u/[secret]" status=404' in l for l in lines)
    for secret in (tok, ADMIN[1], "0123456789abcdef", "ffffeeeeddddcccc"):
        assert secret not in log, secret
    assert any(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info request method=POST "
                        r'path="/api/v1/tokens" status=201', l) for l in lines)
