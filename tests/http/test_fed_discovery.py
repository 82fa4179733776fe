"""Federation (issue 20), discovery: WebFinger, NodeInfo 2.1, a writer's
actor (Person) on her profile's address, her outbox, and a story's
Article on its page's address, all by content negotiation: what a
server asking for ActivityPub JSON gets, and that the HTML page and its
cache never mix with it. Only public published stories ever appear; the
rendering rule for them (RENDER_AP) is held by test_render_matrix.py.
"""
import base64
import os
import re
import subprocess

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

AP = {"Accept": "application/activity+json"}
LD = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}
PASSWORD = "a password for tests"


class World:
    pass


@pytest.fixture(scope="module")
def world():
    s = Server()
    s.start()
    w = World()
    w.server = s
    w.admin = login(s, *ADMIN)
    ann = invite_and_signup(s, w.admin, "fd_ann", PASSWORD, name="Ann Writer")
    page = ann.get(s.url + "/settings")
    r = ann.post(s.url + "/settings", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "Ann Writer",
        "bio": "I write <about> things.\r\nSecond line.\r\n\r\nNew paragraph & more."})
    assert r.status_code == 303, r.text
    invite_and_signup(s, w.admin, "fd_bob", PASSWORD)
    w.ann = api_token(s, "fd_ann", PASSWORD)
    w.bob = api_token(s, "fd_bob", PASSWORD)
    ah = {"Authorization": "Bearer " + w.ann}
    circle = requests.post(s.url + "/api/v1/circles", headers=ah, json={"name": "kin"}).json()
    w.stories = {}
    for aud in ("public", "unlisted", "circle", "private", "draft"):
        body = {"title": "Fd-%s-zq" % aud, "subtitle": "Sub-%s" % aud, "body": "Words %s." % aud,
                "status": "draft" if aud == "draft" else "published",
                "audience": "public" if aud == "draft" else aud, "tags": ["fdtag", "life"]}
        if aud == "circle":
            body["circle_id"] = circle["id"]
        r = requests.post(s.url + "/api/v1/stories", headers=ah, json=body)
        assert r.status_code == 201, r.text
        w.stories[aud] = r.json()
    r = requests.post(s.url + "/api/v1/stories", headers=ah, json={
        "title": "Fd-noted-zq", "body": "Hard words.", "status": "published",
        "content_note": "grief and loss"})
    assert r.status_code == 201, r.text
    w.noted = r.json()
    r = requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + w.bob},
                      json={"title": "Fd-bob-zq", "body": "Bob's.", "status": "published"})
    assert r.status_code == 201
    yield w
    s.stop()
    s.cleanup()


def ap_get(w, path, headers=AP, **kw):
    return requests.get(w.server.url + path, headers=headers, allow_redirects=False, **kw)


def test_webfinger(world):
    w = world
    host = "127.0.0.1:%d" % w.server.port
    for res in ("acct:fd_ann@" + host, "acct:fd_ann@127.0.0.1", "acct:FD_Ann@" + host,
                w.server.url + "/@fd_ann"):
        r = ap_get(w, "/.well-known/webfinger", params={"resource": res})
        assert r.status_code == 200, (res, r.status_code, r.text)
        assert r.headers["Content-Type"].startswith("application/jrd+json")
        assert r.headers["Access-Control-Allow-Origin"] == "*"
        j = r.json()
        assert j["subject"] == "acct:fd_ann@" + host
        self_link = [l for l in j["links"] if l["rel"] == "self"][0]
        assert self_link["type"] == "application/activity+json"
        assert self_link["href"] == w.server.url + "/@fd_ann"
    for res in ("acct:nobody@" + host, "acct:fd_ann@elsewhere.example", "acct:fd_ann",
                "https://elsewhere.example/@fd_ann", "acct:@" + host, "acct:fd_ann@" + host + "@x"):
        r = ap_get(w, "/.well-known/webfinger", params={"resource": res})
        assert r.status_code == 404, (res, r.status_code)
    assert ap_get(w, "/.well-known/webfinger").status_code == 400


def test_nodeinfo(world):
    w = world
    r = ap_get(w, "/.well-known/nodeinfo")
    assert r.status_code == 200
    link = r.json()["links"][0]
    assert link["rel"] == "http://nodeinfo.diaspora.software/ns/schema/2.1"
    assert link["href"] == w.server.url + "/nodeinfo/2.1"
    r = ap_get(w, "/nodeinfo/2.1")
    assert r.status_code == 200
    assert 'profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"' in r.headers["Content-Type"]
    j = r.json()
    assert j["version"] == "2.1" and j["software"]["name"] == "quire"
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", j["software"]["version"])
    assert j["protocols"] == ["activitypub"] and j["openRegistrations"] is False
    # ada, fd_ann, fd_bob; public published stories only: ann's public
    # and noted ones, bob's.
    assert j["usage"]["users"]["total"] == 3
    assert j["usage"]["localPosts"] == 3


def test_actor(world):
    w = world
    for h in (AP, LD, {"Accept": "application/activity+json, application/ld+json"}):
        r = ap_get(w, "/@fd_ann", headers=h)
        assert r.status_code == 200, h
        assert r.headers["Content-Type"].startswith("application/activity+json")
        assert "Accept" in r.headers["Vary"]
        p = r.json()
        assert p["id"] == w.server.url + "/@fd_ann" and p["type"] == "Person"
        assert p["preferredUsername"] == "fd_ann" and p["name"] == "Ann Writer"
        assert p["summary"] == "<p>I write &lt;about&gt; things.<br>Second line.</p>" \
                               "<p>New paragraph &amp; more.</p>"
        assert p["url"] == w.server.url + "/@fd_ann"
        assert p["inbox"] == w.server.url + "/@fd_ann/inbox"
        assert p["outbox"] == w.server.url + "/ap/users/fd_ann/outbox"
        assert p["followers"] == w.server.url + "/ap/users/fd_ann/followers"
        assert p["following"] == w.server.url + "/ap/users/fd_ann/following"
        assert p["endpoints"]["sharedInbox"] == w.server.url + "/inbox"
        assert "icon" not in p  # no photo of hers yet
        key = p["publicKey"]
        assert key["id"] == w.server.url + "/@fd_ann#main-key" and key["owner"] == p["id"]
        pub = serialization.load_pem_public_key(key["publicKeyPem"].encode())
        assert isinstance(pub, rsa.RSAPublicKey) and pub.key_size == 2048
    # The key is made once and kept.
    again = ap_get(w, "/@fd_ann").json()["publicKey"]["publicKeyPem"]
    assert again == key["publicKeyPem"]
    assert ap_get(w, "/@fd_bob").json()["publicKey"]["publicKeyPem"] != again
    assert ap_get(w, "/@nobody").status_code == 404
    r = ap_get(w, "/@FD_ANN")
    assert r.status_code == 301 and r.headers["Location"].endswith("/@fd_ann")
    # With her photo, the Person carries it as its icon, fetchable by anyone.
    ann = login(w.server, "fd_ann", PASSWORD)
    img = os.path.join(w.server.data, "me.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "400x400", "gradient:#88aacc-#224466", img],
                   check=True, timeout=60)
    page = ann.get(w.server.url + "/settings")
    with open(img, "rb") as f:
        r = ann.post(w.server.url + "/settings/avatar", data={"csrf": csrf_of(page.text)},
                     files={"file": ("me.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303
    icon = ap_get(w, "/@fd_ann").json()["icon"]
    assert icon["type"] == "Image" and icon["mediaType"] == "image/jpeg"
    assert re.fullmatch(re.escape(w.server.url) + r"/@fd_ann/avatar/[0-9a-f]{64}\.jpg", icon["url"])
    got = requests.get(icon["url"])
    assert got.status_code == 200 and got.content[:2] == b"\xff\xd8"
    assert "icon" not in ap_get(w, "/@fd_bob").json()


def test_the_page_and_the_object_never_mix(world):
    """A browser's Accept gets the page; a server's gets the object,
    whichever came first and however often (the page cache keeps pages
    only, and never answers a server)."""
    w = world
    paths = ("/@fd_ann", "/@fd_ann/" + w.stories["public"]["slug"])
    for path in paths:
        for _ in range(2):
            for accept, want in (("text/html,application/xhtml+xml,*/*;q=0.8", "text/html"),
                                 ("*/*", "text/html"), (None, "text/html"),
                                 ("application/activity+json", "application/activity+json"),
                                 ("text/html;q=0.5, application/activity+json", "application/activity+json"),
                                 ("application/activity+json;q=0.4, text/html", "text/html"),
                                 ("application/activity+json;q=0", "text/html")):
                h = {"Accept": accept} if accept else {}
                r = requests.get(w.server.url + path, headers=h)
                assert r.status_code == 200
                assert r.headers["Content-Type"].startswith(want), (path, accept, r.headers["Content-Type"])
                assert "Accept" in r.headers.get("Vary", ""), (path, accept)
                if want == "text/html":
                    assert "<html" in r.text
                else:
                    assert r.json()["id"]
        # The page was cached (a strong ETag from the cache); the object
        # carries none of it.
        page = requests.get(w.server.url + path)
        assert page.headers.get("ETag")
        obj = requests.get(w.server.url + path, headers={**AP, "If-None-Match": page.headers["ETag"]})
        assert obj.status_code == 200 and obj.headers["Content-Type"].startswith("application/activity+json")
        assert "ETag" not in obj.headers


def test_articles_are_public_stories_only(world):
    w = world
    author = login(w.server, "fd_ann", PASSWORD)
    for aud, st in w.stories.items():
        for path in ("/@fd_ann/" + st["slug"], "/ap/stories/" + st["id"]):
            r = ap_get(w, path)
            # Signed in as the writer herself, a JSON object is still what
            # a stranger's server would get.
            mine = author.get(w.server.url + path, headers=AP, allow_redirects=False)
            if aud == "public":
                assert r.status_code == 200 and mine.status_code == 200, (aud, path)
                assert mine.json() == r.json()
            else:
                assert r.status_code == 404 and mine.status_code == 404, (aud, path, r.status_code)
                assert "Fd-%s-zq" % aud not in r.text + mine.text
    art = ap_get(w, "/@fd_ann/" + w.stories["public"]["slug"]).json()
    st = w.stories["public"]
    assert art["id"] == w.server.url + "/ap/stories/" + st["id"]
    assert art["type"] == "Article" and art["name"] == "Fd-public-zq"
    assert art["url"] == w.server.url + "/@fd_ann/" + st["slug"]
    assert art["attributedTo"] == w.server.url + "/@fd_ann"
    assert art["summary"] == "Sub-public" and art["sensitive"] is False
    assert art["content"].strip() == "<p>Words public.</p>"
    assert art["to"] == ["https://www.w3.org/ns/activitystreams#Public"]
    assert art["cc"] == [w.server.url + "/ap/users/fd_ann/followers"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", art["published"])
    tags = sorted((t["type"], t["name"], t["href"]) for t in art["tag"])
    assert tags == [("Hashtag", "#fdtag", w.server.url + "/tag/fdtag"),
                    ("Hashtag", "#life", w.server.url + "/tag/life")]
    noted = ap_get(w, "/ap/stories/" + w.noted["id"]).json()
    assert noted["sensitive"] is True and noted["summary"] == "grief and loss"
    # An edit after publication shows as updated.
    ah = {"Authorization": "Bearer " + w.ann}
    r = requests.patch(w.server.url + "/api/v1/stories/" + w.noted["id"], headers=ah,
                       json={"body": "Hard words, edited."})
    assert r.status_code == 200
    noted = ap_get(w, "/ap/stories/" + w.noted["id"]).json()
    assert "edited" in noted["content"] and noted["updated"] >= noted["published"]
    # A story deleted, or not public any more, is gone.
    tmp = requests.post(w.server.url + "/api/v1/stories", headers=ah, json={
        "title": "Fd-moving-zq", "body": "x", "status": "published"}).json()
    assert ap_get(w, "/ap/stories/" + tmp["id"]).status_code == 200
    requests.patch(w.server.url + "/api/v1/stories/" + tmp["id"], headers=ah, json={"audience": "unlisted"})
    assert ap_get(w, "/ap/stories/" + tmp["id"]).status_code == 404
    requests.patch(w.server.url + "/api/v1/stories/" + tmp["id"], headers=ah, json={"audience": "public"})
    assert ap_get(w, "/ap/stories/" + tmp["id"]).status_code == 200
    assert requests.delete(w.server.url + "/api/v1/stories/" + tmp["id"], headers=ah).status_code == 204
    assert ap_get(w, "/ap/stories/" + tmp["id"]).status_code == 404
    assert ap_get(w, "/ap/stories/nothex").status_code == 404


def test_outbox(world):
    w = world
    r = ap_get(w, "/ap/users/fd_ann/outbox")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/activity+json")
    col = r.json()
    assert col["type"] == "OrderedCollection" and col["totalItems"] == 2
    page = ap_get(w, col["first"].replace(w.server.url, "")).json()
    assert page["type"] == "OrderedCollectionPage" and page["partOf"] == col["id"]
    items = page["orderedItems"]
    assert [i["type"] for i in items] == ["Create", "Create"]
    assert sorted(i["object"]["name"] for i in items) == ["Fd-noted-zq", "Fd-public-zq"]
    for i in items:
        assert i["actor"] == w.server.url + "/@fd_ann"
        assert i["object"]["attributedTo"] == i["actor"]
    assert "next" not in page
    for aud in ("unlisted", "circle", "private", "draft"):
        assert "Fd-%s-zq" % aud not in r.text + str(page)
    # Pages of twenty, newest first, through next.
    ah = {"Authorization": "Bearer " + w.bob}
    for i in range(21):
        assert requests.post(w.server.url + "/api/v1/stories", headers=ah, json={
            "title": "Fd-bob-%02d" % i, "body": "x", "status": "published"}).status_code == 201
    col = ap_get(w, "/ap/users/fd_bob/outbox").json()
    assert col["totalItems"] == 22
    names, dates, pages = [], [], 0
    url = col["first"]
    while url:
        p = ap_get(w, url.replace(w.server.url, "")).json()
        names += [i["object"]["name"] for i in p["orderedItems"]]
        dates += [i["object"]["published"] for i in p["orderedItems"]]
        pages += 1
        url = p.get("next")
    assert pages == 2 and len(names) == 22 and len(set(names)) == 22
    assert set(names) == {"Fd-bob-zq"} | {"Fd-bob-%02d" % i for i in range(21)}
    assert dates == sorted(dates, reverse=True), "newest first"
    assert ap_get(w, "/ap/users/fd_bob/outbox?page=1&cursor=garbage").status_code == 400
    assert ap_get(w, "/ap/users/nobody/outbox").status_code == 404


def test_collections(world):
    w = world
    f = ap_get(w, "/ap/users/fd_ann/followers").json()
    assert f["type"] == "OrderedCollection" and f["id"] == w.server.url + "/ap/users/fd_ann/followers"
    assert "orderedItems" not in f and f["totalItems"] == 0
    g = ap_get(w, "/ap/users/fd_ann/following").json()
    assert g["totalItems"] == 0 and g["orderedItems"] == []


def test_a_suspended_writer_is_not_there(world):
    w = world
    invite_and_signup(w.server, w.admin, "fd_sus", PASSWORD)
    tok = api_token(w.server, "fd_sus", PASSWORD)
    st = requests.post(w.server.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                       json={"title": "Fd-sus-zq", "body": "x", "status": "published"}).json()
    assert ap_get(w, "/@fd_sus").status_code == 200
    host = "127.0.0.1:%d" % w.server.port
    assert ap_get(w, "/.well-known/webfinger", params={"resource": "acct:fd_sus@" + host}).status_code == 200
    before = ap_get(w, "/nodeinfo/2.1").json()["usage"]
    page = w.admin.get(w.server.url + "/admin/users/fd_sus")
    r = w.admin.post(w.server.url + "/admin/users/fd_sus", data={
        "action": "suspend", "csrf": csrf_of(page.text), "reason": "test"})
    assert r.status_code == 200
    for path in ("/@fd_sus", "/ap/stories/" + st["id"], "/@fd_sus/" + st["slug"],
                 "/ap/users/fd_sus/outbox"):
        assert ap_get(w, path).status_code == 404, path
    assert ap_get(w, "/.well-known/webfinger", params={"resource": "acct:fd_sus@" + host}).status_code == 404
    after = ap_get(w, "/nodeinfo/2.1").json()["usage"]
    assert after["users"]["total"] == before["users"]["total"] - 1
    assert after["localPosts"] == before["localPosts"] - 1
