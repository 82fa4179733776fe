"""Issue 14: hostile users, not only hostile bytes. Each test reruns one
numbered attack of the issue against a real `quire serve` and checks that
it now fails:

 2 sign-in lockout behind a reverse proxy (--trusted-proxy)
 3 one single-use invitation, many accounts (parallel sign-ups / accepts)
 4 muted words hidden behind entities, comments and invisible characters
 5 passwords silently cut at 256 bytes
 6 backups readable by everyone
 7 a title with U+FFFF breaking every Atom feed
 8 the failed-sign-in counter overshooting under concurrency
 9 an unlisted link that cannot be revoked, and revives
10 a token in Location, TAB in return_to, header limit documented wrongly

Figures are printed (pytest -s) and quoted in docs/hardening.md.
"""
import http.client
import json
import os
import re
import socket
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

import requests

from quire_server import ADMIN, BIN, ROOT, Server, api_token, csrf_of, invite_and_signup, login
from site_db import site_db

PW = "hostile users password"


def h(tok):
    return {"Authorization": "Bearer " + tok}


def call(server, method, path, body=None, headers=None, source="127.0.0.1"):
    """One request from a chosen local address (127.0.0.2 is a second
    client on the same machine); returns (status, headers, parsed body)."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60, source_address=(source, 0))
    try:
        hd = dict(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body)
            hd["Content-Type"] = "application/json"
        c.request(method, path, body=data, headers=hd)
        r = c.getresponse()
        raw = r.read()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return r.status, dict(r.getheaders()), parsed
    finally:
        c.close()


def token_attempt(server, handle, password, source="127.0.0.1", xff=None, fwd=None):
    hd = {}
    if xff is not None:
        hd["X-Forwarded-For"] = xff
    if fwd is not None:
        hd["Forwarded"] = fwd
    return call(server, "POST", "/api/v1/tokens", {"handle": handle, "password": password}, hd, source)


def started(*extra, admin=ADMIN):
    s = Server(admin=admin, extra=list(extra))
    s.start()
    return s


def finish(s):
    try:
        s.stop()
    finally:
        s.cleanup()


def add_user(s, handle, password=PW):
    s.cli("user", "add", handle, "--password-stdin", input=password + "\n")


def db(s):
    return site_db(s)  # the site's rows, on SQLite or PostgreSQL


# ---- 2: the client address behind a proxy ----

def test_item2_proxy_flood_blocks_only_the_attacker():
    """Behind a proxy every connection comes from 127.0.0.1. With
    --trusted-proxy the 50 failures of one client (X-Forwarded-For) block
    that client, and the owner, elsewhere, still signs in."""
    s = started("--trusted-proxy", "127.0.0.1,::1")
    try:
        for i in range(5):
            add_user(s, "victim%d" % i)
        codes = []
        for n in range(50):  # 10 per account: the per-(account, address) limit
            codes.append(token_attempt(s, "victim%d" % (n // 10), "wrong password %d" % n,
                                       xff="203.0.113.66")[0])
        assert codes == [401] * 50, codes
        st, hd, _ = token_attempt(s, ADMIN[0], ADMIN[1], xff="203.0.113.66")
        assert st == 429 and int(hd["Retry-After"]) > 0, "the flooding address is limited"
        # The owner, at her own address behind the same proxy, is not.
        assert token_attempt(s, ADMIN[0], ADMIN[1], xff="198.51.100.7")[0] == 201
        assert token_attempt(s, ADMIN[0], ADMIN[1],
                             fwd='for="[2001:db8:cafe::17]:4711";proto=https')[0] == 201
        # A client cannot pick its own address: what it writes left of
        # what the proxy appended is never believed.
        assert token_attempt(s, ADMIN[0], "wrong", xff="198.51.100.7, 203.0.113.66")[0] == 429
        # IPv6 clients count per /64: rotating within one network gains nothing.
        add_user(s, "v6")
        for n in range(10):
            assert token_attempt(s, "v6", "v6 guess %d" % n, xff="2001:db8:1:2::%x" % (n + 1))[0] == 401
        assert token_attempt(s, "v6", PW, xff="2001:db8:1:2::ffff")[0] == 429
        assert token_attempt(s, "v6", PW, xff="2001:db8:1:3::1")[0] == 201
        log = s.read_log()
        assert re.search(r'path="/api/v1/tokens" status=429 .* addr=203\.0\.113\.66 via=127\.0\.0\.1', log)
        assert re.search(r'status=201 .* addr=2001:db8:cafe::17 via=127\.0\.0\.1', log)
    finally:
        finish(s)


def test_item2_headers_from_untrusted_peers_are_ignored():
    """Without --trusted-proxy (or from a peer outside it) the header is a
    client's claim: the attack then shares the peer's address, as before."""
    s = started("--trusted-proxy", "10.0.0.0/8")
    try:
        add_user(s, "victim")
        for n in range(10):
            assert token_attempt(s, "victim", "wrong %d" % n, xff="203.0.113.%d" % n)[0] == 401
        # Ten different "addresses", but one real one: (victim, 127.0.0.1) is spent.
        assert token_attempt(s, "victim", PW, xff="198.51.100.7")[0] == 429
        assert token_attempt(s, "victim", PW, source="127.0.0.2")[0] == 201
        assert "via=" not in s.read_log()
    finally:
        finish(s)


def test_item2_responses_per_address_follow_the_proxy_header():
    s = started("--trusted-proxy", "127.0.0.1", "--responses-per-minute-addr", "2")
    try:
        admin = login(s, *ADMIN)
        for n in ("rw", "ra", "rb"):
            invite_and_signup(s, admin, n, PW)
        w, ra, rb = (api_token(s, n, PW) for n in ("rw", "ra", "rb"))
        st = requests.post(s.url + "/api/v1/stories", headers=h(w),
                           json={"title": "Open", "body": "Words.", "status": "published"}).json()
        path = "/api/v1/stories/%s/responses" % st["id"]
        codes = [call(s, "POST", path, {"body": "hello %d" % i},
                      dict(h(ra), **{"X-Forwarded-For": "203.0.113.9"}))[0] for i in range(3)]
        assert codes == [201, 201, 429], codes
        # Another reader behind the same proxy, at another address.
        assert call(s, "POST", path, {"body": "hi"},
                    dict(h(rb), **{"X-Forwarded-For": "198.51.100.3"}))[0] == 201
    finally:
        finish(s)


def open_conns(port, source, n):
    socks = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
        socks.append(c)
    return socks


def served(c):
    try:
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.startswith(b"HTTP/1.1 200")
    except OSError:
        return False
    finally:
        c.close()


def test_item2_trusted_proxy_is_exempt_from_max_conns_per_ip():
    s = started("--trusted-proxy", "127.0.0.1", "--max-conns-per-ip", "4", "--threads", "2")
    try:
        proxy = open_conns(s.port, "127.0.0.1", 12)
        direct = open_conns(s.port, "127.0.0.2", 12)
        ok_proxy = sum(served(c) for c in proxy)
        ok_direct = sum(served(c) for c in direct)
        print("\nper-address limit 4 with --trusted-proxy: proxy %d/12 served, direct client %d/12"
              % (ok_proxy, ok_direct))
        assert ok_proxy == 12, "a trusted proxy is not capped"
        # Two accepting threads may each let one in before counting it.
        assert 4 <= ok_direct <= 5, ok_direct
        # Every connection is counted down again once it closes: the
        # client gets its 4 anew (as soon as the server has seen them go).
        deadline = time.monotonic() + 10
        while sum(served(c) for c in open_conns(s.port, "127.0.0.2", 4)) != 4:
            assert time.monotonic() < deadline, "closed connections stayed counted"
            time.sleep(0.1)
    finally:
        finish(s)


# ---- 2 and 8: throttling that cannot be turned against the owner ----

def test_item2_flood_from_one_address_never_stops_the_owner_at_another():
    s = started()
    try:
        for n in range(12):
            st, hd, _ = token_attempt(s, ADMIN[0], "wrong password %d" % n)
            assert st == (401 if n < 10 else 429), (n, st)
        assert int(hd["Retry-After"]) <= 900
        # Not a lock of the account: the owner, elsewhere, at once.
        assert token_attempt(s, ADMIN[0], ADMIN[1], source="127.0.0.2")[0] == 201
        # And the web form too.
        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30, source_address=("127.0.0.2", 0))
        c.request("GET", "/login")
        r = c.getresponse()
        page = r.read().decode()
        pre = re.search(r"quire_pre=([0-9a-f]+)", r.getheader("Set-Cookie")).group(1)
        body = urllib.parse.urlencode({"handle": ADMIN[0], "password": ADMIN[1], "csrf": csrf_of(page)})
        c.request("POST", "/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": "quire_pre=" + pre})
        r = c.getresponse()
        r.read()
        assert r.status == 303
        c.close()
    finally:
        finish(s)


def test_item8_concurrent_wrong_attempts_never_overshoot():
    """20 wrong passwords at once against a limit of 10: the check and the
    count are one transaction, so at most 10 are verified."""
    s = started()
    try:
        results = []
        barrier = threading.Barrier(20)

        def attempt(i):
            barrier.wait()
            results.append(token_attempt(s, ADMIN[0], "wrong concurrent %d" % i)[0])
        t0 = time.monotonic()
        ts = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        took = time.monotonic() - t0
        verified = results.count(401)
        print("\n20 concurrent wrong sign-ins, limit 10: %d verified (401), %d refused (429), "
              "other %s, %.1f s" % (verified, results.count(429),
                                    [c for c in results if c not in (401, 429)], took))
        assert verified <= 10, results
        assert verified + results.count(429) == 20, results
        assert verified == 10, "every slot is used, none twice: %s" % results
        assert token_attempt(s, ADMIN[0], "one more")[0] == 429
        # The rows agree: ten failures, nothing left pending.
        with db(s) as d:
            rows = d.execute("SELECT state, count(*) FROM signin_attempts GROUP BY state").fetchall()
        assert dict(rows) == {"failed": 10}, rows
    finally:
        finish(s)


def test_item2_distributed_guessing_slows_the_account_down_without_locking_it():
    s = started("--trusted-proxy", "127.0.0.1")
    try:
        # The owner has signed in from home before.
        assert token_attempt(s, ADMIN[0], ADMIN[1], xff="198.51.100.7")[0] == 201
        # Ten guesses from five addresses: the account is under attack.
        for n in range(10):
            assert token_attempt(s, ADMIN[0], "guess %d" % n, xff="203.0.113.%d" % (n % 5))[0] == 401
        # Fresh addresses now get one verification per growing interval.
        codes, waits = [], []
        for n in range(10):
            st, hd, _ = token_attempt(s, ADMIN[0], "guess again %d" % n, xff="192.0.2.%d" % n)
            codes.append(st)
            if st == 429:
                waits.append(int(hd["Retry-After"]))
        print("\n10 rapid guesses from 10 fresh addresses after 10 failures from 5: %d verified, "
              "%d told to wait %s s" % (codes.count(401), codes.count(429), waits))
        assert codes.count(401) <= 3 and codes.count(429) >= 7, codes
        assert waits and all(1 <= w <= 60 for w in waits), waits
        # The owner at home is never slowed.
        assert token_attempt(s, ADMIN[0], ADMIN[1], xff="198.51.100.7")[0] == 201
        # The owner somewhere new is slowed, never locked: after the wait
        # the server names, she is in.
        deadline = time.monotonic() + 90
        while True:
            st, hd, _ = token_attempt(s, ADMIN[0], ADMIN[1], xff="192.0.2.200")
            if st != 429:
                break
            wait = int(hd["Retry-After"])
            assert 1 <= wait <= 60, wait
            assert time.monotonic() + wait < deadline, "still refused"
            time.sleep(wait)
        assert st == 201
        # One address alone never slows the account (its own limit stops it first).
        s2 = started("--trusted-proxy", "127.0.0.1")
        try:
            for n in range(10):
                assert token_attempt(s2, ADMIN[0], "solo %d" % n, xff="203.0.113.1")[0] == 401
            assert token_attempt(s2, ADMIN[0], ADMIN[1], xff="192.0.2.77")[0] == 201
        finally:
            finish(s2)
    finally:
        finish(s)


# ---- 3: single use means single use ----

def parallel(n, fn):
    barrier = threading.Barrier(n)
    out = [None] * n

    def run(i):
        barrier.wait()
        out[i] = fn(i)
    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def signup_form(s, query):
    b = requests.Session()
    page = b.get(s.url + "/signup?" + query)
    assert page.status_code == 200, page.text[:300]
    return b, csrf_of(page.text)


def test_item3_parallel_signups_with_one_invitation_make_one_account():
    s = started()
    try:
        admin = login(s, *ADMIN)
        page = admin.get(s.url + "/admin")
        r = admin.post(s.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
        token = re.search(r"/signup\?invite=([0-9a-f]+)", r.text).group(1)
        forms = [signup_form(s, "invite=" + token) for _ in range(8)]

        def signup(i):
            b, csrf = forms[i]
            return b.post(s.url + "/signup", data={
                "handle": "race%d" % i, "password": PW, "password2": PW, "invite": token,
                "csrf": csrf}, allow_redirects=False).status_code
        codes = parallel(8, signup)
        with db(s) as d:
            made = d.execute("SELECT count(*) FROM users WHERE handle LIKE 'race%'").fetchone()[0]
        print("\n8 parallel POST /signup with one single-use invitation: %d account(s), answers %s"
              % (made, sorted(codes)))
        assert made == 1 and sorted(codes) == [303] + [403] * 7, codes
    finally:
        finish(s)


def test_item3_single_use_circle_invitation_parallel_accepts_and_signups():
    s = started()
    try:
        admin = login(s, *ADMIN)
        readers = []
        for i in range(8):
            invite_and_signup(s, admin, "reader%d" % i, PW)
            readers.append(api_token(s, "reader%d" % i, PW))
        w = api_token(s, *ADMIN)
        circle = requests.post(s.url + "/api/v1/circles", headers=h(w), json={"name": "Family"}).json()
        inv = requests.post(s.url + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w),
                            json={"uses": 1}).json()
        codes = parallel(8, lambda i: requests.post(
            s.url + "/api/v1/invites/%s/accept" % inv["token"], headers=h(readers[i])).status_code)
        members = requests.get(s.url + "/api/v1/circles/%s/members" % circle["id"], headers=h(w)).json()
        print("\n8 parallel accepts of a single-use circle invitation: %d member(s), answers %s"
              % (len(members["members"]), sorted(codes)))
        assert sorted(codes) == [200] + [404] * 7 and len(members["members"]) == 1, codes
        # A circle invitation also admits sign-ups (sign-up is by
        # invitation): one link, eight parallel new accounts -> one.
        inv2 = requests.post(s.url + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w),
                             json={"uses": 1}).json()
        forms = [signup_form(s, "circle=" + inv2["token"]) for _ in range(8)]

        def signup(i):
            b, csrf = forms[i]
            return b.post(s.url + "/signup", data={
                "handle": "joiner%d" % i, "password": PW, "password2": PW, "circle": inv2["token"],
                "csrf": csrf}, allow_redirects=False).status_code
        codes = parallel(8, signup)
        with db(s) as d:
            made = d.execute("SELECT count(*) FROM users WHERE handle LIKE 'joiner%'").fetchone()[0]
        members = requests.get(s.url + "/api/v1/circles/%s/members" % circle["id"], headers=h(w)).json()
        print("8 parallel sign-ups with a single-use circle invitation: %d account(s), answers %s"
              % (made, sorted(codes)))
        assert made == 1 and sorted(codes) == [303] + [403] * 7, codes
        assert len(members["members"]) == 2
        # Joining twice spends no use of a multi-use link.
        inv3 = requests.post(s.url + "/api/v1/circles/%s/invites" % circle["id"], headers=h(w),
                             json={"uses": 2}).json()
        codes = parallel(6, lambda i: requests.post(
            s.url + "/api/v1/invites/%s/accept" % inv3["token"], headers=h(readers[1])).status_code)
        assert codes.count(200) == 6
        assert requests.post(s.url + "/api/v1/invites/%s/accept" % inv3["token"],
                             headers=h(readers[2])).status_code == 200
    finally:
        finish(s)


def setup_path(s):
    deadline = time.monotonic() + 10
    while not s.setup_link():
        assert time.monotonic() < deadline, s.read_log()
        time.sleep(0.05)
    link = s.setup_link()
    return link[link.index("/setup/"):]


def test_item3_parallel_setup_links_make_one_admin():
    s = Server(admin=None)
    try:
        s.start()
        path = setup_path(s)
        forms = []
        for _ in range(8):
            b = requests.Session()
            forms.append((b, csrf_of(b.get(s.url + path).text)))
        codes = parallel(8, lambda i: forms[i][0].post(s.url + path, data={
            "handle": "first%d" % i, "password": PW, "password2": PW, "csrf": forms[i][1]},
            allow_redirects=False).status_code)
        with db(s) as d:
            made = d.execute("SELECT count(*) FROM users").fetchone()[0]
        print("\n8 parallel POST /setup/TOKEN: %d account(s), answers %s" % (made, sorted(codes)))
        assert made == 1 and codes.count(303) == 1, codes
    finally:
        finish(s)


# ---- 4: muted words on what readers will see ----

def test_item4_muted_words_cannot_hide_behind_markup_or_invisible_characters():
    s = started()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "troll", PW)
        w, r_ = api_token(s, *ADMIN), api_token(s, "troll", PW)
        assert requests.put(s.url + "/api/v1/muted-words", headers=h(w),
                            json={"words": ["badword"]}).status_code == 200
        st = requests.post(s.url + "/api/v1/stories", headers=h(w),
                           json={"title": "Muted", "body": "Words.", "status": "published"}).json()
        bypasses = ["b&#97;dword", "bad<!-- -->word", "bad\u200bword", "bad\u00adword", "bad\u2060word",
                    "b&#x61;dword", "bad\u200dword", "bad*word*", "bad\u202eword"]
        for text in bypasses:
            r = requests.post(s.url + "/api/v1/stories/%s/responses" % st["id"], headers=h(r_),
                              json={"body": text})
            assert r.status_code == 201, r.text
            assert r.json()["status"] == "pending", "%r was not held" % text
        r = requests.post(s.url + "/api/v1/stories/%s/responses" % st["id"], headers=h(r_),
                          json={"body": "bad word, said apart"})
        assert r.json()["status"] == "visible"
        # Readers see only the clean one.
        shown = requests.get(s.url + "/api/v1/stories/%s/responses" % st["id"]).json()["responses"]
        assert [x["body"] for x in shown] == ["bad word, said apart"]
    finally:
        finish(s)


# ---- 5: passwords over the limit ----

def test_item5_long_passwords_are_refused_never_cut():
    s = started()
    try:
        exact = "p" * 256
        add_user(s, "longpw", exact)
        # The attack: the 256-byte password plus any suffix signed in.
        st, _, body = token_attempt(s, "longpw", exact + "anything")
        assert st == 422 and "256 bytes" in body["error"]["message"], (st, body)
        assert token_attempt(s, "longpw", exact)[0] == 201
        # quire user add refuses, and says why.
        r = s.cli("user", "add", "toolong", "--password-stdin", input="q" * 300 + "\n", check=False)
        assert r.returncode != 0 and "256 bytes" in r.stderr
        r = s.cli("user", "add", "waytoolong", "--password-stdin", input="q" * 10000 + "\n", check=False)
        assert r.returncode != 0 and "256 bytes" in r.stderr
        # Sign-up with an invitation.
        admin = login(s, *ADMIN)
        page = admin.get(s.url + "/admin")
        r = admin.post(s.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
        token = re.search(r"/signup\?invite=([0-9a-f]+)", r.text).group(1)
        b, csrf = signup_form(s, "invite=" + token)
        r = b.post(s.url + "/signup", data={"handle": "pwlong", "password": "é" * 129,
                                            "password2": "é" * 129, "invite": token, "csrf": csrf})
        assert r.status_code == 422 and "256 bytes" in r.text
        # Password change: too long refused; a good one works, ends other sessions.
        other = api_token(s, "longpw", exact)
        me = login(s, "longpw", exact)
        page = me.get(s.url + "/settings").text
        r = me.post(s.url + "/settings/password", data={
            "current": exact, "password": "n" * 257, "password2": "n" * 257, "csrf": csrf_of(page)})
        assert r.status_code == 422 and "256 bytes" in r.text
        r = me.post(s.url + "/settings/password", data={
            "current": "not it at all", "password": "a new password", "password2": "a new password",
            "csrf": csrf_of(page)})
        assert r.status_code == 403
        r = me.post(s.url + "/settings/password", data={
            "current": exact, "password": "a new password", "password2": "a new password",
            "csrf": csrf_of(page)})
        assert r.status_code == 200 and "password is changed" in r.text
        assert requests.get(s.url + "/api/v1/me", headers=h(other)).status_code == 401
        assert me.get(s.url + "/api/v1/me").status_code == 200, "this session stays"
        assert token_attempt(s, "longpw", exact)[0] == 401
        assert token_attempt(s, "longpw", "a new password")[0] == 201
    finally:
        finish(s)


def test_item5_setup_refuses_a_long_password():
    s = Server(admin=None)
    try:
        s.start()
        path = setup_path(s)
        b = requests.Session()
        csrf = csrf_of(b.get(s.url + path).text)
        r = b.post(s.url + path, data={"handle": "first", "password": "x" * 257, "password2": "x" * 257,
                                       "csrf": csrf})
        assert r.status_code == 422 and "256 bytes" in r.text
        with db(s) as d:
            assert d.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    finally:
        finish(s)


# ---- 6: backups ----

def test_item6_backups_and_restores_are_private():
    s = started()
    work = tempfile.mkdtemp(prefix="quire-bk-")
    try:
        tok = api_token(s, *ADMIN)
        st = requests.post(s.url + "/api/v1/stories", headers=h(tok),
                           json={"title": "Kept", "body": "x", "status": "published"}).json()
        img = os.path.join(work, "p.png")
        subprocess.run(["convert", "-size", "32x24", "xc:#884422", img], check=True)
        with open(img, "rb") as f:
            r = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h(tok),
                              data={"alt": "a"}, files={"file": ("p.png", f, "image/png")})
        assert r.status_code == 201, r.text
        dest = os.path.join(work, "site.backup")
        umask = lambda: os.umask(0o022)  # noqa: E731 - what a login shell has
        r = subprocess.run([BIN, "backup", dest, "--data", s.data], capture_output=True, text=True,
                           preexec_fn=umask, timeout=120)
        assert r.returncode == 0, r.stderr
        mode = stat.S_IMODE(os.stat(dest).st_mode)
        print("\nbackup file mode with umask 022: %o" % mode)
        assert mode == 0o600, oct(mode)
        restored = os.path.join(work, "restored")
        r = subprocess.run([BIN, "restore", dest, "--data", restored], capture_output=True, text=True,
                           preexec_fn=umask, timeout=120)
        assert r.returncode == 0, r.stderr
        files = dirs = 0
        for root, ds, fs in os.walk(restored):
            assert stat.S_IMODE(os.stat(root).st_mode) == 0o700, root
            dirs += 1
            for f in fs:
                p = os.path.join(root, f)
                assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, (p, oct(os.stat(p).st_mode))
                files += 1
        assert files >= 3 and dirs >= 2, (files, dirs)
    finally:
        finish(s)
        subprocess.run(["rm", "-rf", work])


# ---- 7: feeds stay well-formed ----

def test_item7_noncharacters_refused_and_feeds_always_well_formed():
    s = started()
    try:
        tok = api_token(s, *ADMIN)
        for bad in ("A\uffff title", "A\ufffe", "A\ufdd0", "A \U0001ffff", "bell\x07", "del\x7f"):
            r = requests.post(s.url + "/api/v1/stories", headers=h(tok),
                              json={"title": bad, "body": "x", "status": "published"})
            assert r.status_code == 422, (bad, r.status_code)
        r = requests.post(s.url + "/api/v1/stories", headers=h(tok),
                          json={"title": "ok", "body": "body \ufdd1 here", "status": "published"})
        assert r.status_code == 422
        page = login(s, *ADMIN)
        settings = page.get(s.url + "/settings").text
        r = page.post(s.url + "/settings", data={"name": "Ada\uffff", "bio": "",
                                                 "csrf": csrf_of(settings)})
        assert r.status_code == 422
        st = requests.post(s.url + "/api/v1/stories", headers=h(tok),
                           json={"title": "Fine", "subtitle": "Sub", "body": "Words.",
                                 "status": "published", "tags": ["xml"]}).json()
        # Rows stored before the check: written straight into the database.
        with db(s) as d:
            d.execute("UPDATE stories SET title = 'Bad ' || char(65535) || char(1) || ' title', "
                      "subtitle = 'sub' || char(65534) || char(64976) || char(8), "
                      "body_html = '<p>body ' || char(11) || char(131071) || '</p>' WHERE id = ?",
                      (st["id"],))
            d.execute("UPDATE users SET name = 'Ada' || char(65535) || char(27) WHERE handle = ?",
                      (ADMIN[0],))
        for path in ("/feed.atom", "/@%s/feed.atom" % ADMIN[0], "/tag/xml/feed.atom", "/sitemap.xml"):
            deadline = time.monotonic() + 10
            while True:
                r = requests.get(s.url + path)
                assert r.status_code == 200, (path, r.status_code)
                if path == "/sitemap.xml" or "Bad" in r.text:
                    break
                assert time.monotonic() < deadline, "the feed never showed the changed row"
                time.sleep(0.05)
            root = ET.fromstring(r.content)  # raises on ill-formed XML
            if path != "/sitemap.xml":
                ns = {"a": "http://www.w3.org/2005/Atom"}
                titles = [e.text for e in root.findall("a:entry/a:title", ns)]
                assert "Bad  title" in titles, titles
                assert "\uffff" not in r.text and "\x01" not in r.text
    finally:
        finish(s)


# ---- 9: unlisted links ----

def test_item9_unlisted_link_rotates_and_never_revives():
    s = started()
    try:
        admin = login(s, *ADMIN)
        invite_and_signup(s, admin, "stranger", PW)
        w, other = api_token(s, *ADMIN), api_token(s, "stranger", PW)
        st = requests.post(s.url + "/api/v1/stories", headers=h(w),
                           json={"title": "Secret", "body": "Only with the link.", "status": "published",
                                 "audience": "unlisted"}).json()
        old = st["url"]
        assert "/u/" in old and requests.get(old).status_code == 200
        # A leaked link is revoked by the writer.
        r = requests.post(s.url + "/api/v1/stories/%s/unlisted-link" % st["id"], headers=h(w))
        assert r.status_code == 200, r.text
        new = r.json()["url"]
        assert new != old and re.search(r"/u/[0-9a-f]{16}$", new)
        assert requests.get(old).status_code == 404
        assert requests.get(new).status_code == 200
        assert requests.get(s.url + "/api/v1/stories/%s" % st["id"], headers=h(w)).json()["url"] == new
        # Only the writer; only for unlisted stories.
        assert requests.post(s.url + "/api/v1/stories/%s/unlisted-link" % st["id"],
                             headers=h(other)).status_code == 404
        assert requests.post(s.url + "/api/v1/stories/%s/unlisted-link" % st["id"]).status_code == 401
        pub = requests.post(s.url + "/api/v1/stories", headers=h(w),
                            json={"title": "Open", "body": "x", "status": "published"}).json()
        r = requests.post(s.url + "/api/v1/stories/%s/unlisted-link" % pub["id"], headers=h(w))
        assert r.status_code == 409 and r.json()["error"]["code"] == "not_unlisted"
        # The attack: unlisted -> private -> unlisted revived the old link.
        assert requests.patch(s.url + "/api/v1/stories/%s" % st["id"], headers=h(w),
                              json={"audience": "private"}).status_code == 200
        assert requests.get(new).status_code == 404
        back = requests.patch(s.url + "/api/v1/stories/%s" % st["id"], headers=h(w),
                              json={"audience": "unlisted"}).json()
        assert back["url"] not in (old, new) and "/u/" in back["url"]
        assert requests.get(new).status_code == 404 and requests.get(old).status_code == 404
        assert requests.get(back["url"]).status_code == 200
    finally:
        finish(s)


# ---- 10: the smaller ones ----

def test_item10_tokens_and_return_to_never_leave_the_site():
    s = started()
    try:
        # A decoded invitation token in Location: CR LF would add headers.
        for t in ("%0d%0aSet-Cookie:%20evil=1", "0123456789abcdef0123456789abcde%0a",
                  "0123456789ABCDEF0123456789ABCDEF"):
            r = requests.post(s.url + "/c/" + t, allow_redirects=False)
            assert r.status_code == 404 and "evil" not in r.headers.get("Set-Cookie", ""), t
            assert "Location" not in r.headers
        # A well-formed one still sends the reader to sign in.
        r = requests.post(s.url + "/c/" + "a" * 32, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/login?return_to=/c/" + "a" * 32
        # return_to: browsers drop TAB and newlines, so "/\t/evil" is "//evil".
        for bad in ("/\t/evil.example/", "/\n/evil.example", "/\\evil.example", "//evil.example",
                    "/ok\x01", "https://evil.example/", "/caf\u00e9"):
            b = requests.Session()
            page = b.get(s.url + "/login")
            r = b.post(s.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                               "csrf": csrf_of(page.text), "return_to": bad},
                       allow_redirects=False)
            assert r.status_code == 303 and r.headers["Location"] == "/", (bad, r.headers["Location"])
        b = requests.Session()
        page = b.get(s.url + "/login")
        r = b.post(s.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                           "csrf": csrf_of(page.text), "return_to": "/me/stories?x=1"},
                   allow_redirects=False)
        assert r.headers["Location"] == "/me/stories?x=1"
        # The same check guards the response form's return_to.
        tok = api_token(s, *ADMIN)
        st = requests.post(s.url + "/api/v1/stories", headers=h(tok),
                           json={"title": "Back", "body": "x", "status": "published"}).json()
        page = b.get(s.url + "/@%s/back" % ADMIN[0]).text
        r = b.post(s.url + "/responses", data={"story_id": st["id"], "body": "hi",
                                               "return_to": "/\t/evil.example", "csrf": csrf_of(page)},
                   allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"].startswith("/@%s/back" % ADMIN[0]), \
            r.headers.get("Location")
    finally:
        finish(s)


def test_item10_request_header_limit_is_the_documented_one():
    readme = open(os.path.join(ROOT, "README.md")).read()
    m = re.search(r"\| request headers \| (\d+) KiB per connection \|", readme)
    assert m, "README lists the header limit"
    kib = int(m.group(1))
    main = open(os.path.join(ROOT, "src", "main.c")).read()
    assert ".max_header_bytes = %d * 1024" % kib in main, "README and the code agree"
    s = started()
    try:
        def send(size):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=30)
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * size +
                      b"\r\nConnection: close\r\n\r\n")
            data = b""
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
            c.close()
            return int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else 0
        assert send((kib - 8) * 1024) == 200
        assert send((kib + 4) * 1024) == 431
    finally:
        finish(s)
