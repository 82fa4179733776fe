"""Accounts end to end: setup link, sign-up modes and invitations,
passwords, sessions and cookies, CSRF, rate limits, tokens."""
import re
import time

import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
from site_db import site_dump




def test_first_start_prints_setup_link_that_creates_admin_once():
    s = Server(admin=None)
    try:
        s.start()
        link = s.setup_link()
        assert link, s.read_log()
        link = link.replace("http://127.0.0.1:%d" % s.port, s.url)
        b = requests.Session()
        page = b.get(link)
        assert page.status_code == 200
        assert "first account" in page.text
        r = b.post(link, data={"handle": "Root_Ann", "name": "Ann", "password": "a" * 12,
                               "password2": "a" * 12, "csrf": csrf_of(page.text)},
                   allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/admin"
        admin = b.get(s.url + "/admin")
        assert admin.status_code == 200 and "Site administration" in admin.text
        # The handle was normalised to lowercase; the account is an admin.
        me = b.get(s.url + "/api/v1/me", headers={"X-CSRF-Token": csrf_of(admin.text)})
        assert me.json() == {"handle": "root_ann", "name": "Ann", "is_admin": True, "time_zone": ""}
        # Used: the link is dead now, for everyone.
        assert requests.get(link).status_code == 404
        assert requests.get(s.url + "/setup/" + "0" * 32).status_code == 404
    finally:
        s.stop()
        s.cleanup()


def test_signup_is_invite_only_by_default_and_invites_are_single_use(server):
    assert requests.get(server.url + "/signup").status_code == 403
    assert requests.get(server.url + "/signup?invite=deadbeef").status_code == 403
    admin = login(server, *ADMIN)
    page = admin.get(server.url + "/admin")
    r = admin.post(server.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
    token = re.search(r"/signup\?invite=([0-9a-f]+)", r.text).group(1)
    b = requests.Session()
    form = b.get(server.url + "/signup?invite=" + token)
    assert form.status_code == 200
    r = b.post(server.url + "/signup", data={"handle": "invited1", "password": "p" * 14,
                                             "password2": "p" * 14, "invite": token,
                                             "csrf": csrf_of(form.text)}, allow_redirects=False)
    assert r.status_code == 303
    # Second use of the same invitation fails.
    c = requests.Session()
    assert c.get(server.url + "/signup?invite=" + token).status_code == 403


def test_signup_modes_open_and_closed(server):
    admin = login(server, *ADMIN)
    page = admin.get(server.url + "/admin")
    admin.post(server.url + "/admin", data={"action": "signup_mode", "mode": "open",
                                            "csrf": csrf_of(page.text)})
    b = requests.Session()
    form = b.get(server.url + "/signup")
    assert form.status_code == 200
    r = b.post(server.url + "/signup", data={"handle": "openreader", "password": "q" * 12,
                                             "password2": "q" * 12, "csrf": csrf_of(form.text)},
               allow_redirects=False)
    assert r.status_code == 303
    admin.post(server.url + "/admin", data={"action": "signup_mode", "mode": "closed",
                                            "csrf": csrf_of(page.text)})
    assert requests.get(server.url + "/signup").status_code == 403
    admin.post(server.url + "/admin", data={"action": "signup_mode", "mode": "invite",
                                            "csrf": csrf_of(page.text)})
    # A non-admin cannot change the mode.
    r = b.post(server.url + "/admin", data={"action": "signup_mode", "mode": "open",
                                            "csrf": csrf_of(b.get(server.url + "/settings").text)})
    assert r.status_code == 403


def test_password_rules(server):
    admin = login(server, *ADMIN)
    for pw, want in (("short-pass1", 422), ("x" * 257, 422)):
        page = admin.get(server.url + "/admin")
        r = admin.post(server.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
        token = re.search(r"/signup\?invite=([0-9a-f]+)", r.text).group(1)
        b = requests.Session()
        form = b.get(server.url + "/signup?invite=" + token)
        r = b.post(server.url + "/signup", data={"handle": "pwtest", "password": pw, "password2": pw,
                                                 "invite": token, "csrf": csrf_of(form.text)},
                   allow_redirects=False)
        assert r.status_code == want, (len(pw), r.status_code)
    # 64 characters (and multi-byte ones) are fine.
    long_pw = "é" * 64
    invite_and_signup(server, admin, "longpw", long_pw)
    assert api_token(server, "longpw", long_pw)


def test_session_cookie_flags_rotation_and_logout(server):
    anon = requests.get(server.url + "/")
    assert "Set-Cookie" not in anon.headers, "anonymous readers get no cookies"
    s1 = login(server, *ADMIN)
    c1 = s1.cookies.get("quire_session")
    assert c1 and len(c1) == 64
    raw = None
    b = requests.Session()
    page = b.get(server.url + "/login")
    r = b.post(server.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                            "csrf": csrf_of(page.text)}, allow_redirects=False)
    raw = r.headers["Set-Cookie"]
    assert "HttpOnly" in raw and "SameSite=Lax" in raw and "Path=/" in raw
    assert "Secure" not in raw  # plain http base URL
    c2 = b.cookies.get("quire_session")
    assert c2 != c1, "every sign-in gets a new session token"
    # Sign out ends the session on the server, not just in the browser.
    home = s1.get(server.url + "/")
    assert "Sign out" in home.text
    r = s1.post(server.url + "/logout", data={"csrf": csrf_of(home.text)}, allow_redirects=False)
    assert r.status_code == 303
    stale = requests.get(server.url + "/write", cookies={"quire_session": c1}, allow_redirects=False)
    assert stale.status_code == 303 and "/login" in stale.headers["Location"]
    assert "Sign out" in b.get(server.url + "/").text


def test_https_base_url_uses_secure_host_cookies():
    s = Server(extra=["--base-url", "https://essays.example"])
    try:
        s.start()
        b = requests.Session()
        page = b.get(s.url + "/login")
        assert "__Host-quire_pre" in page.headers["Set-Cookie"]
        assert "Secure" in page.headers["Set-Cookie"]
        r = requests.post(s.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                                  "csrf": csrf_of(page.text)},
                          cookies={"__Host-quire_pre": b.cookies.get("__Host-quire_pre")},
                          allow_redirects=False)
        assert r.status_code == 303
        sc = r.headers["Set-Cookie"]
        assert "__Host-quire_session=" in sc and "Secure" in sc and "HttpOnly" in sc
    finally:
        s.stop()
        s.cleanup()


def test_forms_need_csrf(server):
    s = login(server, *ADMIN)
    r = s.post(server.url + "/write", data={"title": "No token", "body": "x", "action": "publish"})
    assert r.status_code == 403
    assert "No token" in r.text, "the text typed is shown again, not lost"
    r = s.post(server.url + "/write", data={"title": "Bad token", "body": "x", "action": "publish",
                                            "csrf": "0" * 32})
    assert r.status_code == 403
    # Login form without the pre-session token is refused too.
    r = requests.post(server.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 403
    # Nothing was created.
    mine = s.get(server.url + "/me/stories").text
    assert "No token" not in mine and "Bad token" not in mine


def test_login_rate_limit_per_account_not_counting_successes():
    s = Server()
    try:
        s.start()
        # Successful sign-ins are not counted.
        for _ in range(12):
            assert requests.post(s.url + "/api/v1/tokens",
                                 json={"handle": ADMIN[0], "password": ADMIN[1]}).status_code == 201
        codes = []
        for _ in range(11):
            r = requests.post(s.url + "/api/v1/tokens", json={"handle": ADMIN[0], "password": "wrong password!"})
            codes.append(r.status_code)
        assert codes[:10] == [401] * 10 and codes[10] == 429, codes
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["error"]["code"] == "rate_limited"
        # Even the right password is refused while limited.
        assert requests.post(s.url + "/api/v1/tokens",
                             json={"handle": ADMIN[0], "password": ADMIN[1]}).status_code == 429
        # The web form says so too, with Retry-After.
        b = requests.Session()
        page = b.get(s.url + "/login")
        r = b.post(s.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                           "csrf": csrf_of(page.text)})
        assert r.status_code == 429 and "Retry-After" in r.headers
    finally:
        s.stop()
        s.cleanup()


def test_unknown_handle_costs_as_much_as_wrong_password(server):
    def timed(handle):
        t = time.perf_counter()
        r = requests.post(server.url + "/api/v1/tokens", json={"handle": handle, "password": "not the password"})
        assert r.status_code == 401
        return time.perf_counter() - t
    known = sorted(timed("ada") for _ in range(3))[1]
    unknown = sorted(timed("nobody_here_%d" % i) for i in range(3))[1]
    # Both run one argon2id verification; without the dummy hash an
    # unknown handle answers many times faster.
    assert unknown > known * 0.5, (known, unknown)


def test_api_tokens_create_use_revoke(server):
    r = requests.post(server.url + "/api/v1/tokens", json={"handle": ADMIN[0], "password": ADMIN[1]})
    assert r.status_code == 201
    tok = r.json()["token"]
    assert re.fullmatch(r"[0-9a-f]{64}", tok)
    h = {"Authorization": "Bearer " + tok}
    assert requests.get(server.url + "/api/v1/me", headers=h).json()["handle"] == "ada"
    assert requests.delete(server.url + "/api/v1/tokens/current", headers=h).status_code == 204
    r = requests.get(server.url + "/api/v1/me", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    # Tokens are stored hashed: the raw token is nowhere in the database.
    tok2 = api_token(server, *ADMIN)
    stored = site_dump(server)
    assert b"sessions" in stored and tok2.encode() not in stored


def test_bad_token_requests(server):
    for body, code in ((b"{", 400), (b"[]", 422), (b'{"handle":1,"password":"x"}', 422)):
        r = requests.post(server.url + "/api/v1/tokens", data=body,
                          headers={"Content-Type": "application/json"})
        assert r.status_code == code, (body, r.status_code)
        assert "message" in r.json()["error"]
    r = requests.post(server.url + "/api/v1/tokens", data="handle=a", headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_settings_update_profile(server):
    s = login(server, *ADMIN)
    page = s.get(server.url + "/settings")
    r = s.post(server.url + "/settings", data={"name": "Ada <Admin>", "bio": "Writes about <b>things</b>.",
                                               "csrf": csrf_of(page.text)})
    assert r.status_code == 200
    prof = requests.get(server.url + "/@ada").text
    assert "Ada &lt;Admin&gt;" in prof and "&lt;b&gt;things&lt;/b&gt;" in prof
    r = s.post(server.url + "/settings", data={"name": "", "csrf": csrf_of(page.text)})
    assert r.status_code == 422


def test_remembered_sessions_follow_every_change(server):
    """Each worker remembers who a session belongs to until the next write:
    a sign-out, a revoked token or a new name shows on the very next
    request, whichever thread answers it (fresh connections spread them)."""
    s = login(server, *ADMIN)
    cookie = s.cookies.get("quire_session")
    tok = api_token(server, *ADMIN)

    def fresh(headers):
        return [requests.get(server.url + "/api/v1/me", headers=dict(headers, Connection="close"))
                for _ in range(6)]

    assert all(r.status_code == 200 for r in fresh({"Cookie": "quire_session=" + cookie}))
    assert all(r.status_code == 200 for r in fresh({"Authorization": "Bearer " + tok}))
    # A new name is seen at once.
    page = s.get(server.url + "/settings").text
    s.post(server.url + "/settings", data={"csrf": csrf_of(page), "name": "Ada Renamed", "bio": ""})
    assert all(r.json()["name"] == "Ada Renamed"
               for r in fresh({"Cookie": "quire_session=" + cookie}))
    page = s.get(server.url + "/settings").text
    s.post(server.url + "/settings", data={"csrf": csrf_of(page), "name": "Ada", "bio": ""})
    # Revoking the token and signing out end them everywhere at once.
    assert requests.delete(server.url + "/api/v1/tokens/current",
                           headers={"Authorization": "Bearer " + tok}).status_code in (200, 204)
    assert all(r.status_code == 401 for r in fresh({"Authorization": "Bearer " + tok}))
    home = s.get(server.url + "/")
    s.post(server.url + "/logout", data={"csrf": csrf_of(home.text)}, allow_redirects=False)
    assert all(r.status_code == 401 for r in fresh({"Cookie": "quire_session=" + cookie}))


def test_session_activity_is_recorded_and_the_form_token_is_stable():
    """A session's last_seen moves on its first request after 5 minutes
    (session_touch_later(): touches are written in batches, the first at
    once, what waits at stop), and the CSRF token a signed-in page carries is the same on
    every request of the session (remembered per thread) and differs
    between sessions."""
    import os
    import sqlite3
    import pytest
    from quire_server import ON_PG
    if ON_PG:
        pytest.skip("reads the SQLite file directly")
    s = Server(admin=ADMIN)
    s.start()
    try:
        a = login(s, *ADMIN)
        b = login(s, *ADMIN)
        tokens_a = {csrf_of(a.get(s.url + "/write").text) for _ in range(3)}
        tokens_b = {csrf_of(b.get(s.url + "/write").text) for _ in range(3)}
        assert len(tokens_a) == 1 and len(tokens_b) == 1 and tokens_a != tokens_b

        def last_seen(age=0):
            """Each session's last_seen, after making them age seconds older."""
            db = sqlite3.connect(os.path.join(s.data, "quire.db"))
            db.execute("UPDATE sessions SET last_seen = last_seen - ?", (age,))
            db.commit()
            seen = dict(db.execute("SELECT token_hash, last_seen FROM sessions"))
            db.close()
            return seen

        def used_by(*readers):
            """Sessions whose last_seen moved while readers made a request each."""
            s.stop()
            before = last_seen(3600)
            s.start()
            for r in readers:
                assert r.get(s.url + "/write").status_code == 200
            s.stop()
            after = last_seen()
            return [h for h in after if after[h] > before[h]]

        assert len(used_by(a)) == 1, "the session used was touched, and only it"
        # Both: the first touch is written at once, the second waits for
        # the next batch, and stopping (SIGTERM) writes it.
        assert len(used_by(a, b)) == 2, "both touches written, one at stop"
    finally:
        s.stop()
        s.cleanup()
