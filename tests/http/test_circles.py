"""Circles: creating, invitation links (single-use, multi-use, expiry,
revocation), joining while signed in or while signing up, removing
members, deleting a circle; only the owner manages a circle."""
import re

import requests

from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login


def h(tok):
    return {"Authorization": "Bearer " + tok}


def test_circle_lifecycle_via_api(server):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "cowner", "circle owner password")
    invite_and_signup(server, admin, "creader", "circle reader password")
    invite_and_signup(server, admin, "creader2", "circle reader password")
    owner, reader, reader2 = (api_token(server, u, p) for u, p in (
        ("cowner", "circle owner password"), ("creader", "circle reader password"),
        ("creader2", "circle reader password")))
    u = server.url
    r = requests.post(u + "/api/v1/circles", headers=h(owner), json={"name": "people who have been through this"})
    assert r.status_code == 201
    c = r.json()
    assert re.fullmatch(r"[0-9a-f]{16}", c["id"]) and c["member_count"] == 0
    assert requests.post(u + "/api/v1/circles", headers=h(owner), json={"name": ""}).status_code == 422
    assert requests.post(u + "/api/v1/circles", headers=h(owner), json={"name": 5}).status_code == 422
    assert [x["id"] for x in requests.get(u + "/api/v1/circles", headers=h(owner)).json()["circles"]] == [c["id"]]
    assert requests.get(u + "/api/v1/circles", headers=h(reader)).json()["circles"] == []
    # Single-use invitation.
    inv = requests.post(u + "/api/v1/circles/%s/invites" % c["id"], headers=h(owner), json={"uses": 1}).json()
    assert inv["url"].endswith("/c/" + inv["token"])
    assert requests.post(u + "/api/v1/invites/%s/accept" % inv["token"], headers=h(reader)).status_code == 200
    assert requests.post(u + "/api/v1/invites/%s/accept" % inv["token"], headers=h(reader2)).status_code == 404
    # Multi-use invitation, then revoked.
    multi = requests.post(u + "/api/v1/circles/%s/invites" % c["id"], headers=h(owner), json={"uses": None, "expires_in": 3600}).json()
    assert multi["uses"] is None
    assert requests.post(u + "/api/v1/invites/%s/accept" % multi["token"], headers=h(reader2)).status_code == 200
    assert requests.delete(u + "/api/v1/circles/%s/invites/%s" % (c["id"], multi["token"]), headers=h(owner)).status_code == 204
    assert requests.get(u + "/c/" + multi["token"]).status_code == 404
    members = requests.get(u + "/api/v1/circles/%s/members" % c["id"], headers=h(owner)).json()["members"]
    assert sorted(m["handle"] for m in members) == ["creader", "creader2"]
    # Only the owner manages the circle; others get 404.
    for method, path in (("GET", "/members"), ("DELETE", ""), ("DELETE", "/members/creader"),
                         ("POST", "/invites")):
        r = requests.request(method, u + "/api/v1/circles/" + c["id"] + path, headers=h(reader), json={})
        assert r.status_code == 404, (method, path, r.status_code)
    bad = requests.post(u + "/api/v1/circles/%s/invites" % c["id"], headers=h(owner), json={"uses": 0})
    assert bad.status_code == 422
    bad = requests.post(u + "/api/v1/circles/%s/invites" % c["id"], headers=h(owner), json={"expires_in": "soon"})
    assert bad.status_code == 422
    # A circle story; deleting the circle makes it private.
    st = requests.post(u + "/api/v1/stories", headers=h(owner), json={
        "title": "For the circle", "body": "b", "status": "published", "audience": "circle",
        "circle_id": c["id"], "content_note": "This story discusses loss"}).json()
    assert st["audience"] == "circle" and st["circle_id"] == c["id"]
    assert st["content_note"] == "This story discusses loss"
    assert requests.get(st["url"], headers=h(reader)).status_code == 200
    page = requests.get(u + "/@cowner/for-the-circle", headers=h(reader))
    assert "Content note:" in page.text and "This story discusses loss" in page.text
    # Lists show the note instead of an excerpt.
    prof = requests.get(u + "/@cowner", headers=h(reader)).text
    assert "This story discusses loss" in prof
    assert requests.delete(u + "/api/v1/circles/" + c["id"], headers=h(owner)).status_code == 204
    st2 = requests.get(u + "/api/v1/stories/" + st["id"], headers=h(owner)).json()
    assert st2["audience"] == "private" and st2["circle_id"] is None
    assert requests.get(u + "/api/v1/stories/" + st["id"], headers=h(reader)).status_code == 404
    # A circle story needs one of the writer's own circles.
    other = requests.post(u + "/api/v1/circles", headers=h(reader), json={"name": "not yours"}).json()
    r = requests.post(u + "/api/v1/stories", headers=h(owner), json={
        "title": "Wrong circle", "body": "b", "audience": "circle", "circle_id": other["id"]})
    assert r.status_code == 422
    r = requests.post(u + "/api/v1/stories", headers=h(owner), json={"title": "x", "audience": "friends"})
    assert r.status_code == 422


def test_circle_pages_and_signup_through_a_circle_invitation(server):
    admin = login(server, *ADMIN)
    w = invite_and_signup(server, admin, "pagewriter", "page writer password")
    page = w.get(server.url + "/circles")
    assert page.status_code == 200
    r = w.post(server.url + "/circles", data={"name": "Family <3", "csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303
    circle_url = server.url + r.headers["Location"]
    page = w.get(circle_url)
    assert "Family &lt;3" in page.text
    r = w.post(circle_url, data={"action": "invite", "uses": "one", "days": "3", "csrf": csrf_of(page.text)})
    link = re.search(r"(http://[^<\s]+/c/[0-9a-f]{32})", r.text).group(1)
    token = link.rsplit("/", 1)[1]
    # Signed out: the invitation page offers sign-in and sign-up.
    anon = requests.Session()
    inv = anon.get(server.url + "/c/" + token)
    assert inv.status_code == 200 and "signup?circle=" + token in inv.text
    # Sign-up is invite-only on this site, but a circle invitation counts.
    form = anon.get(server.url + "/signup?circle=" + token)
    assert form.status_code == 200
    r = anon.post(server.url + "/signup", data={"handle": "aunt_jo", "password": "aunt jo password",
                                                "password2": "aunt jo password", "circle": token,
                                                "csrf": csrf_of(form.text)}, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    # She lands on the writer's page, told she joined and follows her.
    assert r.headers["Location"].startswith("/@")
    landed = anon.get(server.url + r.headers["Location"]).text
    assert "Welcome" in landed and "now follow @" in landed, landed[:2000]
    writer = r.headers["Location"][2:]
    assert 'value="unfollow"' in landed, "following " + writer
    page = w.get(circle_url)
    assert "@aunt_jo" in page.text
    # The single-use link is spent.
    assert requests.get(server.url + "/c/" + token).status_code == 404
    # Remove the member through the page.
    r = w.post(circle_url, data={"action": "remove", "handle": "aunt_jo", "csrf": csrf_of(page.text)})
    assert r.status_code == 200 and "@aunt_jo" in r.text and "no longer" in r.text
    # Another writer cannot open it.
    other = login(server, *ADMIN)
    assert other.get(circle_url).status_code == 404
    # Editor offers the circle as an audience.
    ed = w.get(server.url + "/write").text
    assert 'name="audience" value="circle"' in ed and "Family &lt;3" in ed


def test_invite_an_existing_reader_by_handle():
    """A writer invites a reader by handle from the circle page. She is not
    put into the circle: she has a pending invitation, sees it on her home
    and Circles pages, and joins (and follows the writer) only when she
    accepts; she may decline, the writer may withdraw. The circle page
    shows who is in and who is invited."""
    from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
    s = Server(admin=ADMIN)
    s.start()
    try:
        pw = "a password for tests"
        admin = login(s, *ADMIN)
        writer = invite_and_signup(s, admin, "hw", pw, name="Hana Writer")
        reader = invite_and_signup(s, admin, "hr", pw, name="Rae Reader")
        invite_and_signup(s, admin, "hx", pw)
        wt = {"Authorization": "Bearer " + api_token(s, "hw", pw)}
        rt = {"Authorization": "Bearer " + api_token(s, "hr", pw)}
        circle = requests.post(s.url + "/api/v1/circles", headers=wt, json={"name": "kin"}).json()
        cpath = "/circles/" + circle["id"]
        st = requests.post(s.url + "/api/v1/stories", headers=wt,
                           json={"title": "Kin words", "body": "Close.", "status": "published",
                                 "audience": "circle", "circle_id": circle["id"]}).json()

        def post(sess, path, **data):
            page = sess.get(s.url + (path if path != "/responses" else "/"))
            return sess.post(s.url + path, data=dict(data, csrf=csrf_of(page.text)))

        r = post(writer, cpath, action="invite_handle", handle="nobody_here")
        assert r.status_code == 422 and "no reader with that handle" in r.text
        r = post(writer, cpath, action="invite_handle", handle="hw")
        assert r.status_code == 422
        r = post(writer, cpath, action="invite_handle", handle="@HR")
        assert r.status_code == 200 and r.url.endswith(cpath)
        assert "@hr is invited" in r.text and "until they accept" in r.text
        invited = r.text.split("Invited")[1]
        assert "Rae Reader" in invited and "@hr" in invited
        assert "Nobody yet" in r.text, "invited is not in"
        # Not a member: she cannot read the circle's story yet.
        assert reader.get(st["url"]).status_code == 404
        assert requests.get(s.url + "/api/v1/circles/%s/members" % circle["id"], headers=wt).json()["members"] == []
        assert [i["handle"] for i in requests.get(s.url + "/api/v1/circles/%s/invitations" % circle["id"],
                                                  headers=wt).json()["invitations"]] == ["hr"]
        # She sees the invitation on her home and Circles pages.
        assert "invitation into a circle" in reader.get(s.url + "/").text
        mine = reader.get(s.url + "/circles").text
        assert "Invitations to you" in mine and "Hana Writer" in mine and "also follows @hw" in mine
        assert requests.get(s.url + "/api/v1/invitations", headers=rt).json()["invitations"][0]["writer"]["handle"] == "hw"
        # Nobody else can answer it for her.
        assert requests.post(s.url + "/api/v1/invitations/%s/accept" % circle["id"],
                             headers={"Authorization": "Bearer " + api_token(s, "hx", pw)}).status_code == 404
        # She accepts: in, following, told so.
        r = post(reader, "/circles", action="accept", circle_id=circle["id"])
        assert r.url.endswith("/@hw") and "joined @hw" in r.text and "now follow @hw" in r.text
        assert reader.get(st["url"]).status_code == 200
        assert "Kin words" in reader.get(s.url + "/").text, "the circle story is on her home"
        assert "invitation into a circle" not in reader.get(s.url + "/").text
        page = writer.get(s.url + cpath).text
        assert "Rae Reader" in page.split("Who is in")[1].split("Invited")[0]
        assert "No one is waiting" in page
        r = post(writer, cpath, action="invite_handle", handle="hr")
        assert r.status_code == 422 and "already in this circle" in r.text
        # Decline and withdraw.
        r = requests.post(s.url + "/api/v1/circles/%s/invitations" % circle["id"], headers=wt,
                          json={"handle": "hx"})
        assert r.status_code == 201 and r.json()["status"] == "invited"
        xt = {"Authorization": "Bearer " + api_token(s, "hx", pw)}
        assert requests.post(s.url + "/api/v1/invitations/%s/decline" % circle["id"], headers=xt).status_code == 204
        assert requests.get(s.url + "/api/v1/invitations", headers=xt).json()["invitations"] == []
        requests.post(s.url + "/api/v1/circles/%s/invitations" % circle["id"], headers=wt, json={"handle": "hx"})
        r = post(writer, cpath, action="withdraw", handle="hx")
        assert "invitation of @hx is withdrawn" in r.text
        assert requests.post(s.url + "/api/v1/invitations/%s/accept" % circle["id"], headers=xt).status_code == 404
        # Deleting the circle asks first.
        r = post(writer, cpath, action="delete")
        assert "Delete the circle" in r.text and requests.get(
            s.url + "/api/v1/circles", headers=wt).json()["circles"]
        r = post(writer, cpath, action="delete", confirm="1")
        assert r.url.endswith("/circles") and "circle is deleted" in r.text
    finally:
        s.stop()
        s.cleanup()


def test_accepting_a_link_follows_the_writer(server):
    from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login
    pw = "a password for tests"
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "lw", pw)
    reader = invite_and_signup(server, admin, "lr", pw)
    wt = {"Authorization": "Bearer " + api_token(server, "lw", pw)}
    circle = requests.post(server.url + "/api/v1/circles", headers=wt, json={"name": "k"}).json()
    inv = requests.post(server.url + "/api/v1/circles/%s/invites" % circle["id"], headers=wt, json={}).json()
    page = reader.get(server.url + "/c/" + inv["token"])
    assert "Accepting also follows @lw" in page.text
    r = reader.post(server.url + "/c/" + inv["token"], data={"csrf": csrf_of(page.text)})
    assert "now follow @lw" in r.text
    rt = {"Authorization": "Bearer " + api_token(server, "lr", pw)}
    assert "lw" in str(requests.get(server.url + "/api/v1/follows", headers=rt).json())


def make_feed(server, session):
    page = session.get(server.url + "/settings")
    r = session.post(server.url + "/settings/feed", data={"csrf": csrf_of(page.text), "action": "issue"})
    assert r.status_code == 200, r.text[:300]
    return re.search(r"(http://[^ <]+/feed/[0-9a-f]{32}\.atom)", r.text).group(1)


def test_private_feed_follows_membership_and_its_address(server):
    """The private feed (issue 18) has a circle's stories while the reader
    is in it; a new address ends the old one; a suspended reader's feed is
    gone; a malformed address is a 404."""
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "pfwriter", "a password for tests")
    reader = invite_and_signup(server, admin, "pfreader", "a password for tests")
    wt = api_token(server, "pfwriter", "a password for tests")
    c = requests.post(server.url + "/api/v1/circles", headers=h(wt), json={"name": "pf"}).json()
    requests.post(server.url + "/api/v1/circles/%s/invitations" % c["id"], headers=h(wt),
                  json={"handle": "pfreader"})
    rt = api_token(server, "pfreader", "a password for tests")
    assert requests.post(server.url + "/api/v1/invitations/%s/accept" % c["id"], headers=h(rt)).status_code \
        in (200, 204)
    st = requests.post(server.url + "/api/v1/stories", headers=h(wt), json={
        "title": "Private feed zpf1", "body": "x", "status": "published", "audience": "circle",
        "circle_id": c["id"]}).json()
    settings = reader.get(server.url + "/settings").text
    assert "Make my private feed" in settings
    url = make_feed(server, reader)
    assert "Private feed zpf1" in requests.get(url).text
    assert "Yours was made on" in reader.get(server.url + "/settings").text
    # A new address: the old one stops working.
    url2 = make_feed(server, reader)
    assert url2 != url and requests.get(url).status_code == 404
    assert "Private feed zpf1" in requests.get(url2).text
    # Out of the circle, out of the feed.
    assert requests.delete(server.url + "/api/v1/circles/%s/members/pfreader" % c["id"],
                           headers=h(wt)).status_code == 204
    feed = requests.get(url2)
    assert feed.status_code == 200 and "Private feed zpf1" not in feed.text and st["id"] not in feed.text
    # Suspended: no feed.
    page = admin.get(server.url + "/admin/users/pfreader")
    admin.post(server.url + "/admin/users/pfreader", data={"action": "suspend", "csrf": csrf_of(page.text)})
    assert requests.get(url2).status_code == 404
    for bad in ("/feed/xyz.atom", "/feed/" + "0" * 32 + ".atom", "/feed/" + url2[-37:-5] + ".rss"):
        assert requests.get(server.url + bad).status_code == 404, bad


def test_private_feed_photos_carry_the_readers_grant(server, tmp_path):
    """Photos of circle stories in a private feed load in a feed reader
    (signed out) by the reader's grant; public feeds carry no grant."""
    import subprocess
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, "pgwriter", "a password for tests")
    reader = invite_and_signup(server, admin, "pgreader", "a password for tests")
    wt = api_token(server, "pgwriter", "a password for tests")
    c = requests.post(server.url + "/api/v1/circles", headers=h(wt), json={"name": "pg"}).json()
    requests.post(server.url + "/api/v1/circles/%s/invitations" % c["id"], headers=h(wt),
                  json={"handle": "pgreader"})
    rt = api_token(server, "pgreader", "a password for tests")
    requests.post(server.url + "/api/v1/invitations/%s/accept" % c["id"], headers=h(rt))
    img = str(tmp_path / "p.jpg")
    subprocess.run(["convert", "-size", "200x100", "xc:#228844", img], check=True, timeout=60)
    ids = []
    for aud in ("circle", "public"):
        body = {"title": "Feed photo %s zpg" % aud, "body": "x", "status": "published", "audience": aud}
        if aud == "circle":
            body["circle_id"] = c["id"]
        st = requests.post(server.url + "/api/v1/stories", headers=h(wt), json=body).json()
        with open(img, "rb") as f:
            p = requests.post(server.url + "/api/v1/stories/%s/photos" % st["id"], headers=h(wt),
                              data={"alt": "green"}, files={"file": ("p.jpg", f, "image/jpeg")}).json()
        requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h(wt),
                       json={"body": "x\n\n" + p["markdown"]})
        ids.append(p["id"])
    import html
    feed = html.unescape(requests.get(make_feed(server, reader)).text)
    srcs = [html.unescape(u) for u in re.findall(r'src="([^"]+/photos/%s/[^"]+)"' % ids[0], feed)]
    assert srcs and "r=" in srcs[0], feed[:2000]
    assert requests.get(srcs[0]).status_code == 200
    public = requests.get(server.url + "/@pgwriter/feed.atom").text
    assert ids[1] in public and "r=" not in public
