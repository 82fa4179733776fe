"""Site administration (issue 21): /admin's accounts (search, suspend,
unsuspend, reset sign-in, delete with everything or hand to another
writer), open invitations (copy, revoke), reported responses, storage,
and the audit log of every action. Each test makes its own accounts."""
import os
import re
import subprocess
import tempfile

import feedparser
import requests

from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login

PW = "a password for tests"
CONVERT = "/usr/bin/convert"


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def writer(server, admin, handle, name=None):
    """A new account, signed in on a session of its own, and its API token."""
    s = invite_and_signup(server, admin, handle, PW, name=name)
    return s, api_token(server, handle, PW)


def publish(server, tok, title, **fields):
    body = {"title": title, "body": "Words of %s." % title, "status": "published"}
    body.update(fields)
    r = requests.post(server.url + "/api/v1/stories", headers=auth(tok), json=body)
    assert r.status_code == 201, r.text
    return r.json()


def act(admin, server, handle, action, **fields):
    page = admin.get(server.url + "/admin/users/" + handle)
    assert page.status_code == 200, page.text[:300]
    data = {"action": action, "csrf": csrf_of(page.text)}
    data.update(fields)
    return admin.post(server.url + "/admin/users/" + handle, data=data)


def audit(admin, server):
    page = admin.get(server.url + "/admin/audit")
    assert page.status_code == 200
    return page.text


def search_titles(server, q, headers=None):
    r = requests.get(server.url + "/api/v1/search", params={"q": q}, headers=headers or {})
    assert r.status_code == 200, r.text
    return [s["title"] for s in r.json()["stories"]]


def test_admin_pages_are_for_admins_only(server):
    admin = login(server, *ADMIN)
    reader, _ = writer(server, admin, "adm_plain")
    for path in ("/admin", "/admin/users", "/admin/users/adm_plain", "/admin/reports", "/admin/audit"):
        r = requests.get(server.url + path, allow_redirects=False)
        assert r.status_code == 303 and "/login?return_to=" in r.headers["Location"], path
        assert reader.get(server.url + path).status_code == 403, path
        assert admin.get(server.url + path).status_code == 200, path
    # A reader's POST with her own valid CSRF token is still refused.
    csrf = csrf_of(reader.get(server.url + "/settings").text)
    r = reader.post(server.url + "/admin/users/adm_plain", data={"action": "suspend", "csrf": csrf})
    assert r.status_code == 403
    # The admin's POST without the token is refused and changes nothing.
    r = admin.post(server.url + "/admin/users/adm_plain", data={"action": "suspend"})
    assert r.status_code == 403
    assert "suspended" not in admin.get(server.url + "/admin/users/adm_plain").text.split("<dt>State")[1][:80]


def test_suspension_hides_everything_until_undone(server):
    admin = login(server, *ADMIN)
    admin_tok = api_token(server, *ADMIN)
    w, wtok = writer(server, admin, "adm_susp", name="Suspended Writer")
    story = publish(server, wtok, "Suspendable zebra essay")
    circle = requests.post(server.url + "/api/v1/circles", headers=auth(wtok), json={"name": "c"}).json()
    own = publish(server, admin_tok, "Admin story for a response")
    r = requests.post(server.url + "/api/v1/stories/%s/responses" % own["id"], headers=auth(wtok),
                      json={"body": "A response by the writer to be suspended"})
    assert r.status_code == 201, r.text
    assert requests.get(story["url"]).status_code == 200
    assert "A response by the writer to be suspended" in requests.get(own["url"]).text
    assert "Suspendable zebra essay" in search_titles(server, "zebra")

    r = act(admin, server, "adm_susp", "suspend", reason="spam, reported twice")
    assert r.status_code == 200 and "@adm_susp is suspended" in r.text
    assert "Suspended since" in r.text

    # Everything she wrote is gone, for everyone, in every rendering.
    assert requests.get(story["url"]).status_code == 404
    assert requests.get(server.url + "/@adm_susp").status_code == 404
    assert requests.get(server.url + "/@adm_susp/feed.atom").status_code == 404
    assert "Suspendable zebra essay" not in requests.get(server.url + "/").text
    feed = feedparser.parse(requests.get(server.url + "/feed.atom").content)
    assert "Suspendable zebra essay" not in [e.title for e in feed.entries]
    assert "Suspendable zebra essay" not in search_titles(server, "zebra")
    assert "Suspendable zebra essay" not in requests.get(server.url + "/sitemap.xml").text
    assert requests.get(server.url + "/api/v1/stories/" + story["id"]).status_code == 404
    page = requests.get(own["url"]).text
    assert "A response by the writer to be suspended" not in page
    listed = requests.get(server.url + "/api/v1/stories/%s/responses" % own["id"]).json()
    assert not [x for x in listed["responses"] if "to be suspended" in x["body"]]
    # Signed out everywhere, and no way back in.
    assert w.get(server.url + "/settings", allow_redirects=False).status_code == 303
    assert requests.get(server.url + "/api/v1/me", headers=auth(wtok)).status_code == 401
    page = requests.Session()
    form = page.get(server.url + "/login")
    r = page.post(server.url + "/login", data={"handle": "adm_susp", "password": PW,
                                               "csrf": csrf_of(form.text)})
    assert r.status_code == 403 and "suspended" in r.text
    r = requests.post(server.url + "/api/v1/tokens", json={"handle": "adm_susp", "password": PW})
    assert r.status_code == 403 and r.json()["error"]["code"] == "suspended"
    # A wrong password learns nothing about the suspension.
    r = requests.post(server.url + "/api/v1/tokens", json={"handle": "adm_susp", "password": PW + "x"})
    assert r.status_code == 401
    # The list shows it; the log says who and why.
    assert re.search(r'@adm_susp</a>.*?badge warn">suspended', admin.get(
        server.url + "/admin/users?q=ADM_SUSP").text, re.S)
    log = audit(admin, server)
    assert re.search(r"@%s</td><td>suspend</td><td>@adm_susp</td><td>spam, reported twice" % ADMIN[0], log)

    r = act(admin, server, "adm_susp", "unsuspend")
    assert r.status_code == 200 and "no longer suspended" in r.text
    assert requests.get(story["url"]).status_code == 200
    assert "Suspendable zebra essay" in search_titles(server, "zebra")
    assert "A response by the writer to be suspended" in requests.get(own["url"]).text
    assert api_token(server, "adm_susp", PW)
    assert requests.get(server.url + "/api/v1/circles", headers=auth(api_token(server, "adm_susp", PW))
                        ).json()["circles"][0]["id"] == circle["id"]
    assert re.search(r"<td>unsuspend</td><td>@adm_susp</td>", audit(admin, server))


def test_an_admin_cannot_act_on_her_own_account(server):
    admin = login(server, *ADMIN)
    page = admin.get(server.url + "/admin/users/" + ADMIN[0])
    assert page.status_code == 200 and "your own account" in page.text
    assert 'value="suspend"' not in page.text
    for action, extra in (("suspend", {}), ("reset", {}),
                          ("delete", {"confirm": ADMIN[0], "content": "delete"})):
        r = admin.post(server.url + "/admin/users/" + ADMIN[0],
                       data=dict(action=action, csrf=csrf_of(page.text), **extra))
        assert r.status_code == 422 and "her own account" in r.text, action
    assert api_token(server, *ADMIN)


def test_reset_sign_in_gives_a_single_use_password_link(server):
    admin = login(server, *ADMIN)
    w, wtok = writer(server, admin, "adm_reset")
    r = act(admin, server, "adm_reset", "reset")
    assert r.status_code == 200
    m = re.search(r'value="(http://[^"]+/login/reset/([0-9a-f]{32}))"', r.text)
    assert m, r.text
    link = m.group(1)
    # The old password and every session are over.
    assert requests.post(server.url + "/api/v1/tokens",
                         json={"handle": "adm_reset", "password": PW}).status_code == 401
    assert requests.get(server.url + "/api/v1/me", headers=auth(wtok)).status_code == 401
    assert w.get(server.url + "/settings", allow_redirects=False).status_code == 303
    # The link works without email on this server: a page, then its button.
    b = requests.Session()
    page = b.get(link)
    assert page.status_code == 200 and "A new password for @adm_reset" in page.text
    r = b.post(link, data={"password": "a brand new password"})
    assert r.status_code == 200 and r.url.rstrip("/") == server.url
    assert b.get(server.url + "/api/v1/me").json()["handle"] == "adm_reset"
    assert api_token(server, "adm_reset", "a brand new password")
    # Once only.
    assert requests.get(link).status_code == 404
    assert requests.post(link, data={"password": "another new password"}).status_code == 404
    assert "<td>reset_signin</td><td>@adm_reset</td>" in audit(admin, server)


def media_files(server):
    out = []
    for root, _, files in os.walk(os.path.join(server.data, "media")):
        out += [os.path.join(root, f) for f in files if not f.startswith(".")]
    return set(out)


def test_delete_with_everything_removes_stories_photos_and_files(server):
    admin = login(server, *ADMIN)
    admin_tok = api_token(server, *ADMIN)
    _, wtok = writer(server, admin, "adm_gone")
    story = publish(server, wtok, "A story that goes with its writer")
    before = media_files(server)
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "p.jpg")
        subprocess.run([CONVERT, "-size", "640x480", "xc:#3366aa", path], check=True, timeout=60)
        with open(path, "rb") as f:
            r = requests.post(server.url + "/api/v1/stories/%s/photos" % story["id"], headers=auth(wtok),
                              data={"alt": "blue"}, files={"file": ("p.jpg", f, "image/jpeg")})
    assert r.status_code == 201, r.text
    photo = r.json()
    variant = photo["variants"][0]["url"]
    assert requests.get(variant).status_code == 200
    added = media_files(server) - before
    assert added
    own = publish(server, admin_tok, "Admin story that keeps its page")
    assert requests.post(server.url + "/api/v1/stories/%s/responses" % own["id"], headers=auth(wtok),
                         json={"body": "A response that goes too"}).status_code == 201

    r = act(admin, server, "adm_gone", "delete", content="delete", confirm="adm_gon")
    assert r.status_code == 422 and "type its handle" in r.text
    assert requests.get(story["url"]).status_code == 200
    r = act(admin, server, "adm_gone", "delete", content="delete", confirm="adm_gone")
    assert r.status_code == 200 and r.url.endswith("/admin/users") and "adm_gone is deleted" in r.text

    assert requests.get(story["url"]).status_code == 404
    assert requests.get(server.url + "/@adm_gone").status_code == 404
    assert requests.get(variant).status_code == 404
    assert requests.get(server.url + "/api/v1/photos/" + photo["id"]).status_code == 404
    assert not (added & media_files(server)), "the photo's files stayed on disk"
    assert "A response that goes too" not in requests.get(own["url"]).text
    assert requests.post(server.url + "/api/v1/tokens",
                         json={"handle": "adm_gone", "password": PW}).status_code == 401
    assert admin.get(server.url + "/admin/users/adm_gone").status_code == 404
    assert "<td>delete</td><td>@adm_gone</td><td>with everything it wrote" in audit(admin, server)


def test_delete_handing_stories_and_circles_to_another_writer(server):
    admin = login(server, *ADMIN)
    _, old = writer(server, admin, "adm_leaver")
    _, heir = writer(server, admin, "adm_heir")
    member_s, member = writer(server, admin, "adm_member")
    clash = publish(server, old, "Same title twice")
    mine = publish(server, heir, "Same title twice")
    alone = publish(server, old, "Only the leaver wrote this")
    c = requests.post(server.url + "/api/v1/circles", headers=auth(old), json={"name": "family"}).json()
    inv = requests.post(server.url + "/api/v1/circles/%s/invitations" % c["id"], headers=auth(old),
                        json={"handle": "adm_member"})
    assert inv.status_code in (200, 201), inv.text
    assert requests.post(server.url + "/api/v1/invitations/%s/accept" % c["id"],
                         headers=auth(member)).status_code in (200, 204)
    circ = publish(server, old, "For the family only", audience="circle", circle_id=c["id"])
    assert requests.get(circ["url"], headers=auth(member)).status_code == 200

    r = act(admin, server, "adm_leaver", "delete", content="hand_over", heir="adm_leaver",
            confirm="adm_leaver")
    assert r.status_code == 422 and "another writer" in r.text
    r = act(admin, server, "adm_leaver", "delete", content="hand_over", heir="nobody_here",
            confirm="adm_leaver")
    assert r.status_code == 422
    r = act(admin, server, "adm_leaver", "delete", content="hand_over", heir="adm_heir",
            confirm="adm_leaver")
    assert r.status_code == 200 and "adm_leaver is deleted" in r.text

    assert requests.get(server.url + "/@adm_leaver").status_code == 404
    got = requests.get(server.url + "/api/v1/stories/" + alone["id"]).json()
    assert got["author"]["handle"] == "adm_heir"
    assert requests.get(server.url + "/@adm_heir/" + alone["slug"]).status_code == 200
    # The heir's own story keeps its address; the one handed over gets another.
    assert requests.get(mine["url"]).status_code == 200
    moved = requests.get(server.url + "/api/v1/stories/" + clash["id"]).json()
    assert moved["slug"] != mine["slug"] and moved["slug"].startswith(mine["slug"] + "-")
    assert requests.get(server.url + "/@adm_heir/" + moved["slug"]).status_code == 200
    # The circle came along: its member still reads, a stranger does not.
    circ2 = requests.get(server.url + "/api/v1/stories/" + circ["id"], headers=auth(member))
    assert circ2.status_code == 200
    assert requests.get(server.url + "/api/v1/stories/" + circ["id"]).status_code == 404
    assert [x["id"] for x in requests.get(server.url + "/api/v1/circles", headers=auth(heir)).json()["circles"]
            ] == [c["id"]]
    assert "stories handed to @adm_heir" in audit(admin, server)


def test_invitations_listed_copied_and_revoked(server):
    admin = login(server, *ADMIN)
    page = admin.get(server.url + "/admin")
    r = admin.post(server.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
    token = re.search(r"/signup\?invite=([0-9a-f]{32})", r.text).group(1)
    page = admin.get(server.url + "/admin").text
    # The open invitation is listed with its link, to copy again.
    row = [x for x in page.split("<tr>") if "/signup?invite=" + token in x]
    assert row, "the new invitation is not listed"
    rid = re.search(r'name="id" value="([0-9a-f]{16})"', row[0]).group(1)
    assert requests.get(server.url + "/signup?invite=" + token).status_code == 200
    r = admin.post(server.url + "/admin", data={"action": "revoke_invite", "id": rid,
                                                "csrf": csrf_of(page)})
    assert r.status_code == 200 and "no longer works" in r.text
    assert "/signup?invite=" + token not in r.text
    assert requests.get(server.url + "/signup?invite=" + token).status_code == 403
    r = admin.post(server.url + "/admin", data={"action": "revoke_invite", "id": rid,
                                                "csrf": csrf_of(page)})
    assert r.status_code == 404
    log = audit(admin, server)
    assert "<td>invite</td><td></td><td>invitation %s" % rid in log
    assert "<td>revoke_invite</td><td></td><td>invitation %s" % rid in log


def test_reported_responses_site_wide_within_the_admins_audience(server):
    admin = login(server, *ADMIN)
    _, wtok = writer(server, admin, "adm_rwriter")
    _, troll = writer(server, admin, "adm_troll")
    _, rep = writer(server, admin, "adm_reporter")
    pub = publish(server, wtok, "A public story with a bad response")
    c = requests.post(server.url + "/api/v1/circles", headers=auth(wtok), json={"name": "inner"}).json()
    for who in ("adm_troll", "adm_reporter"):
        r = requests.post(server.url + "/api/v1/circles/%s/invitations" % c["id"], headers=auth(wtok),
                          json={"handle": who})
        assert r.status_code in (200, 201), r.text
    for tok in (troll, rep):
        assert requests.post(server.url + "/api/v1/invitations/%s/accept" % c["id"],
                             headers=auth(tok)).status_code in (200, 204)
    secret = publish(server, wtok, "Secret circle title", audience="circle", circle_id=c["id"])
    ids = []
    for s, body in ((pub, "Public nastiness"), (secret, "Circle nastiness")):
        r = requests.post(server.url + "/api/v1/stories/%s/responses" % s["id"], headers=auth(troll),
                          json={"body": body})
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
        assert requests.post(server.url + "/api/v1/responses/%s/report" % ids[-1],
                             headers=auth(rep)).status_code == 204
    page = admin.get(server.url + "/admin/reports").text
    assert "Public nastiness" in page and "A public story with a bad response" in page
    # The admin is not in the circle: she learns who, never what or where.
    assert "Circle nastiness" not in page and "Secret circle title" not in page
    assert page.count('href="/admin/users/adm_troll"') == 2
    csrf = csrf_of(page)
    r = admin.post(server.url + "/admin/reports", data={"action": "hide", "id": ids[1], "csrf": csrf})
    assert r.status_code == 404
    r = admin.post(server.url + "/admin/reports", data={"action": "hide", "id": ids[0], "csrf": csrf})
    assert r.status_code == 200 and "Public nastiness" not in r.text
    assert "Public nastiness" not in requests.get(pub["url"]).text
    assert "<td>hide_response</td><td>@adm_troll</td>" in audit(admin, server)


def test_overview_shows_storage_and_counts(server):
    admin = login(server, *ADMIN)
    page = admin.get(server.url + "/admin").text
    assert re.search(r"<dt>Photos</dt><dd>\d+, in files of [\d.]+ (bytes|KB|MB|GB)</dd>", page)
    assert re.search(r"<dt>Database</dt><dd>[\d.]+ (KB|MB|GB)</dd>", page)
    assert re.search(r'Accounts</a> \(\d+\)', page)
    # Without --smtp there is no outbox to show.
    assert "Email outbox" not in page


def test_account_search_matches_handle_or_name_and_pages(server):
    admin = login(server, *ADMIN)
    writer(server, admin, "adm_findme", name="Percent 100% Name")
    writer(server, admin, "adm_other", name="Somebody")
    page = admin.get(server.url + "/admin/users", params={"q": "FINDME"}).text
    assert "@adm_findme" in page and "@adm_other" not in page
    page = admin.get(server.url + "/admin/users", params={"q": "100%"}).text
    assert "@adm_findme" in page and "@adm_other" not in page
    # '%' and '_' are themselves, not wildcards.
    page = admin.get(server.url + "/admin/users", params={"q": "adm%other"}).text
    assert "No account matches" in page
    page = admin.get(server.url + "/admin/users", params={"from": "adm_other"}).text
    assert "@adm_other" in page and "@adm_findme" not in page
