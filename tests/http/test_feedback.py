"""Feedback everywhere (issue 17): every form action says what happened on
the page it leads to, through one flash mechanism (a short-lived signed
HttpOnly cookie turned into a fixed sentence by src/web/flash.c, shown
once, no JavaScript); destructive actions ask first (a confirmation page
whose button posts again with confirm=1)."""
import re

import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

PW = "a password for tests"


def flash_of(html):
    m = re.search(r'<p class="notice flash" role="status">(.*?)</p>', html, re.S)
    return m.group(1) if m else None


def post_form(s, server, page_path, action_path, data, follow=True):
    page = s.get(server.url + page_path)
    data = dict(data, csrf=csrf_of(page.text))
    return s.post(server.url + action_path, data=data, allow_redirects=follow)


def test_flash_cookie_is_signed_short_lived_and_shown_once():
    s = Server(admin=ADMIN)
    s.start()
    try:
        sess = requests.Session()
        page = sess.get(s.url + "/login")
        r = sess.post(s.url + "/login", data={"handle": ADMIN[0], "password": ADMIN[1],
                                              "csrf": csrf_of(page.text)}, allow_redirects=False)
        assert r.status_code == 303
        cookies = r.headers.get("Set-Cookie", "")
        m = re.search(r"quire_flash=([^;]+); Path=/; Max-Age=(\d+); HttpOnly; SameSite=Lax", cookies)
        assert m, cookies
        assert int(m.group(2)) <= 60
        value = m.group(1)
        assert ADMIN[0] in value and "Signed" not in value, "only a code travels, not the text"
        home = sess.get(s.url + r.headers["Location"])
        assert flash_of(home.text) == "Signed in as @%s." % ADMIN[0]
        assert "quire_flash=;" in home.headers.get("Set-Cookie", "") and "Max-Age=0" in home.headers["Set-Cookie"]
        assert flash_of(sess.get(s.url + "/").text) is None, "shown once"
        # Forged, edited or foreign cookies show nothing, and never their own text.
        code, arg, exp, mac = value.split(".")
        for forged in (".".join([code, "mallory", exp, mac]), ".".join(["1", arg, exp, mac]),
                       ".".join([code, arg, str(int(exp) + 1), mac]), ".".join([code, arg, exp, "0" * 32]),
                       "<script>alert(1)</script>", "Signed in as the Queen",
                       ".".join([code, "<b>x</b>", exp, mac])):
            anon = requests.Session()
            anon.cookies.set("quire_flash", forged)
            got = anon.get(s.url + "/")
            assert got.status_code == 200
            assert flash_of(got.text) is None, forged
            assert "<script>alert" not in got.text and "Queen" not in got.text
        # The genuine cookie in another browser still reads (it is not a
        # session secret), but only within its minute.
        other = requests.Session()
        other.cookies.set("quire_flash", value)
        assert flash_of(other.get(s.url + "/").text) == "Signed in as @%s." % ADMIN[0]
        # An anonymous reader who never sent a form gets no cookie.
        assert "Set-Cookie" not in requests.get(s.url + "/").headers
    finally:
        s.stop()
        s.cleanup()


def test_setup_and_signup_say_what_happened():
    s = Server(admin=None)
    s.start()
    try:
        link = s.setup_link()
        assert link
        sess = requests.Session()
        page = sess.get(link)
        r = sess.post(link, data={"handle": "founder", "name": "Founder", "password": PW,
                                  "password2": PW, "csrf": csrf_of(page.text)})
        assert r.status_code == 200 and r.url.endswith("/admin")
        assert "your admin account is ready" in flash_of(r.text)
        r = post_form(sess, s, "/settings", "/settings",
                      {"name": "The Founder", "bio": "I write.", "time_zone": ""})
        assert r.url.endswith("/settings") and flash_of(r.text) == "Settings saved."
        assert 'value="The Founder"' in r.text
        new = invite_and_signup(s, sess, "newbie", PW)
        page = new.get(s.url + "/write")
        assert "your account is ready" in flash_of(page.text)
    finally:
        s.stop()
        s.cleanup()


def test_writing_actions_each_say_what_happened():
    s = Server(admin=ADMIN)
    s.start()
    try:
        w = login(s, *ADMIN)
        r = post_form(w, s, "/write", "/write", {"title": "Flash story", "body": "Some words.",
                                                 "action": "save"})
        assert re.search(r"/edit/[0-9a-f]{16}$", r.url) and flash_of(r.text) == "Saved."
        edit = r.url[len(s.url):]
        sid = edit.rsplit("/", 1)[1]
        base = re.search(r'name="base_revision" value="([0-9a-f]*)"', r.text).group(1)
        r = post_form(w, s, edit, edit, {"title": "Flash story", "body": "Some words.",
                                         "action": "publish", "base_revision": base,
                                         "audience": "public", "responses": "open",
                                         "responders": "signed_in"})
        assert r.url.endswith("/@ada/flash-story")
        assert flash_of(r.text) == "Published. This is your story as readers see it."
        page = w.get(s.url + edit)
        base = re.search(r'name="base_revision" value="([0-9a-f]*)"', page.text).group(1)
        r = post_form(w, s, edit, edit, {"title": "Flash story", "body": "Held words.",
                                         "action": "save", "base_revision": base})
        assert "not yet published" in flash_of(r.text)
        assert r.text.count("not yet published: readers still see") == 1, "said once, not twice"
        base = re.search(r'name="base_revision" value="([0-9a-f]*)"', r.text).group(1)
        r = post_form(w, s, edit, edit, {"title": "Flash story", "body": "Held words.",
                                         "action": "publish", "base_revision": base,
                                         "audience": "public", "responses": "open",
                                         "responders": "signed_in"})
        assert "published story is updated" in flash_of(r.text)
        # Discard asks first.
        tok = api_token(s, *ADMIN)
        requests.put(s.url + "/api/v1/stories/%s/draft" % sid, headers={"Authorization": "Bearer " + tok},
                     json={"body": "To throw away."})
        r = post_form(w, s, edit, edit, {"action": "discard"})
        assert "Discard your changes?" in r.text and flash_of(r.text) is None
        r = post_form(w, s, edit, edit, {"action": "discard", "confirm": "1"})
        assert "changes were discarded" in flash_of(r.text)
        # Delete asks first (its own page), then says where the story went.
        r = post_form(w, s, edit, edit, {"action": "delete"})
        assert "Delete “Flash story”?" in r.text
        r = post_form(w, s, edit, edit, {"action": "delete_confirmed"})
        assert r.url.endswith("/me/stories") and "moved to the trash" in flash_of(r.text)
        r = post_form(w, s, "/me/trash", "/me/trash", {"action": "restore", "id": sid})
        assert flash_of(r.text) == "The story is back in your stories."
    finally:
        s.stop()
        s.cleanup()


def test_circle_block_and_response_feedback():
    s = Server(admin=ADMIN)
    s.start()
    try:
        admin = login(s, *ADMIN)
        writer = invite_and_signup(s, admin, "fwriter", PW)
        reader = invite_and_signup(s, admin, "freader", PW)
        wt = {"Authorization": "Bearer " + api_token(s, "fwriter", PW)}
        circle = requests.post(s.url + "/api/v1/circles", headers=wt, json={"name": "kin"}).json()
        inv = requests.post(s.url + "/api/v1/circles/%s/invites" % circle["id"], headers=wt, json={}).json()
        requests.post(s.url + "/api/v1/stories", headers=wt,
                      json={"title": "Kin only", "body": "Close.", "status": "published",
                            "audience": "circle", "circle_id": circle["id"]})
        # Accepting the invitation joins the circle, follows the writer, and says both.
        r = post_form(reader, s, "/c/" + inv["token"], "/c/" + inv["token"], {})
        assert r.url.endswith("/@fwriter")
        msg = flash_of(r.text)
        assert "joined @fwriter" in msg and "now follow @fwriter" in msg, msg
        assert "Kin only" in reader.get(s.url + "/").text, "the circle story is on her home"
        rt = {"Authorization": "Bearer " + api_token(s, "freader", PW)}
        follows = requests.get(s.url + "/api/v1/follows", headers=rt).json()
        assert "fwriter" in str(follows)
        # A response held for approval: said so, and she sees it waiting.
        st = requests.post(s.url + "/api/v1/stories", headers=wt,
                           json={"title": "Held", "body": "Words.", "status": "published",
                                 "responses": "approval"}).json()
        r = post_form(reader, s, "/@fwriter/held", "/responses",
                      {"story_id": st["id"], "body": "My held words"})
        assert "waits for the writer" in flash_of(r.text).replace("&#39;", "'")
        assert "My held words" in r.text and "Waiting for the writer" in r.text
        mod = writer.get(s.url + "/moderation").text
        held_id = re.search(r'action="/responses/([0-9a-f]{16})"', mod).group(1)
        r = post_form(writer, s, "/moderation", "/responses/" + held_id,
                      {"action": "approve", "return_to": "/moderation"})
        assert flash_of(r.text) == "The response is approved: readers see it now."
        # An open story: posted.
        st2 = requests.post(s.url + "/api/v1/stories", headers=wt,
                            json={"title": "Open", "body": "Words.", "status": "published"}).json()
        r = post_form(reader, s, "/@fwriter/open", "/responses",
                      {"story_id": st2["id"], "body": "My open words"})
        assert flash_of(r.text) == "Your response is posted."
        rid = re.search(r'id="r-([0-9a-f]{16})"', r.text).group(1)
        # Blocking asks first, then says so; unblocking too.
        r = post_form(writer, s, "/@fwriter/open", "/responses/" + rid,
                      {"action": "block", "return_to": "/@fwriter/open"})
        assert r.status_code == 200 and "Block @freader?" in r.text
        assert requests.get(s.url + "/api/v1/blocks", headers=wt).json()["blocks"] == []
        assert 'name="confirm" value="1"' in r.text
        r = post_form(writer, s, "/@fwriter/open", "/responses/" + rid,
                      {"action": "block", "return_to": "/@fwriter/open", "confirm": "1"})
        assert r.url.endswith("/@fwriter/open") and flash_of(r.text).startswith("@freader is blocked")
        assert [b["handle"] for b in requests.get(s.url + "/api/v1/blocks", headers=wt).json()["blocks"]] == ["freader"]
        r = post_form(writer, s, "/settings/responses", "/settings/responses",
                      {"action": "unblock", "handle": "freader"})
        assert flash_of(r.text) == "@freader is unblocked."
    finally:
        s.stop()
        s.cleanup()
