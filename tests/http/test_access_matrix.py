"""The access matrix: every route that can reveal a story x every audience
x every kind of viewer, asserting exactly who sees what, and that the
title and excerpt of a story a viewer may not see appear in no response
body they get. Also proves the SQL listing rule and the C single-story
rule agree (lists vs pages), and that every GET route in src/main.c is
classified here, so a new route that serves story data cannot slip by.
"""
import os
import re
import subprocess
import tempfile
import time

import pytest
import requests

from quire_server import ROOT, Server, csrf_of, viewer_kinds

AUDIENCES = ["public", "unlisted", "circle", "private", "draft"]
VIEWERS = ["anonymous", "stranger", "member", "removed", "blocked", "other_writer", "admin", "author"]

# GET routes that reveal stories, and how this test exercises them.
STORY_ROUTES = {
    "/", "/@{handle}", "/@{handle}/{slug}", "/u/{key}", "/edit/{id}", "/me/stories",
    "/api/v1/stories", "/api/v1/stories/{id}", "/api/v1/stories/{id}/responses",
    "/feed.atom", "/@{handle}/feed.atom", "/tag/{name}", "/tag/{name}/feed.atom", "/sitemap.xml",
    "/search", "/api/v1/search", "/api/v1/timeline",
    "/edit/{id}/history", "/revisions/{id}", "/api/v1/stories/{id}/revisions", "/api/v1/revisions/{id}",
    "/me/trash", "/api/v1/trash", "/photos/{id}", "/photos/{id}/{file}", "/api/v1/photos/{id}",
    "/api/v1/stories/{id}/draft", "/edit/{id}/preview", "/feed/{file}",
    # imports (issue 19): a job's report names the stories it brought in
    "/settings/import", "/settings/import/{id}",
    # books (issue 19): test_books below; tests/http/test_book.py
    "/me/book.epub", "/@{handle}/{slug}/book.epub",
    # the fediverse (issue 20): Articles and the outbox of Create(Article);
    # /@{handle} and /@{handle}/{slug} negotiate them too
    "/ap/stories/{id}", "/ap/users/{handle}/outbox",
}
# GET routes that never carry story titles or bodies.
NON_STORY_ROUTES = {
    "/healthz", "/readyz", "/static/{file}", "/login", "/signup", "/setup/{token}", "/settings", "/admin",
    "/write", "/circles", "/circles/{id}", "/c/{token}", "/api/v1/me", "/api/v1/circles",
    "/api/v1/circles/{id}/members", "/responses/{id}/edit", "/moderation", "/settings/responses",
    "/api/v1/blocks", "/api/v1/muted-words", "/robots.txt",
    # who follows her, when she shows it (else 404 but to her): test_fed_followers.py
    "/@{handle}/followers",
    # a writer's photo (issue 17): as public as her profile; tests/http/test_avatar.py
    "/@{handle}/avatar/{file}", "/site/logo/{file}",
    "/@{handle}/following", "/api/v1/follows", "/api/v1/users/{handle}/followers",
    "/api/v1/circles/{id}/invitations", "/api/v1/invitations", "/about",
    # email (issue 18): pages of mailed links and settings, tested in test_mail.py
    "/subscribe/confirm/{token}", "/unsubscribe/{token}", "/login/link", "/login/link/{token}",
    "/login/reset", "/login/reset/{token}", "/settings/email", "/settings/email/verify/{token}",
    "/settings/subscribers",
    # administration (issue 21): admins only. /admin/reports names a story and
    # shows a reported response only where the admin may read the story
    # (test_admin.py checks a circle story's report shows neither).
    "/admin/users", "/admin/users/{handle}", "/admin/audit", "/admin/reports",
    # the fediverse (issue 20): discovery and collections that hold counts
    # (and her followers' actors when she shows them: test_fed_followers.py)
    "/.well-known/webfinger", "/.well-known/nodeinfo", "/nodeinfo/2.1",
    "/ap/users/{handle}/followers", "/ap/users/{handle}/following",
    # her followers from the fediverse and those waiting for her approval
    # (signed in, her own): tests/http/test_fed_followers.py
    "/settings/followers",
}


def get_routes():
    src = open(os.path.join(ROOT, "src", "main.c")).read()
    return {path for methods, path in re.findall(r'\{(HTTP_[A-Z_ |]+),\s*"([^"]+)"', src)
            if "HTTP_GET" in methods}


def test_every_get_route_is_classified():
    routes = get_routes()
    assert routes, "could not read the route table"
    unknown = routes - STORY_ROUTES - NON_STORY_ROUTES
    assert not unknown, "add these routes to the access matrix: %s" % sorted(unknown)


class World:
    pass


@pytest.fixture(scope="module")
def world():
    s = Server()
    s.start()
    w = World()
    w.server = s
    sessions, tokens, circle = viewer_kinds(s, "v_")
    w.sessions, w.tokens, w.circle = sessions, tokens, circle
    people = ("author", "member", "removed", "blocked", "stranger", "other_writer")
    ah = {"Authorization": "Bearer " + tokens["author"]}
    # The other writer has a public story of her own, to check lists.
    requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tokens["other_writer"]},
                  json={"title": "Other writer public", "body": "x", "status": "published"})
    w.stories = {}
    for aud in AUDIENCES:
        body = {"title": "Title-%s-zq" % aud, "subtitle": "Sub-%s-zq" % aud,
                "body": "Excerpt-%s-zq words follow here, zqsearch." % aud, "tags": ["zqtag"],
                "status": "draft" if aud == "draft" else "published",
                "audience": "public" if aud == "draft" else aud}
        if aud == "circle":
            body["circle_id"] = circle["id"]
        r = requests.post(s.url + "/api/v1/stories", headers=ah, json=body)
        assert r.status_code == 201, r.text
        w.stories[aud] = r.json()
    # A photo in every story.
    img = os.path.join(tempfile.mkdtemp(prefix="quire-matrix-"), "p.jpg")
    subprocess.run(["convert", "-size", "64x48", "xc:#336699", img], check=True)
    w.photos = {}
    for aud, st in w.stories.items():
        with open(img, "rb") as f:
            r = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=ah,
                              data={"alt": "Alt-%s-zq" % aud},
                              files={"file": ("p.jpg", f, "image/jpeg")})
        assert r.status_code == 201, r.text
        w.photos[aud] = r.json()
    # Everyone who can follows the author, for the timeline.
    for who in people:
        if who != "author":
            r = requests.post(s.url + "/api/v1/follows", headers={"Authorization": "Bearer " + tokens[who]},
                              json={"handle": "v_author"})
            assert r.status_code == 201
    requests.post(s.url + "/api/v1/follows", headers={"Authorization": "Bearer " + tokens["admin"]},
                  json={"handle": "v_author"})
    yield w
    s.stop()
    s.cleanup()


def may_see(viewer, aud, via_key=False):
    if viewer == "author":
        return True
    if aud == "public":
        return True
    if aud == "unlisted":
        return via_key
    if aud == "circle":
        return viewer == "member"
    return False


def listed(viewer, aud, where):
    """Whether the story appears in a listing for viewer."""
    if where == "home":
        return aud == "public"
    if where == "profile":  # published stories the viewer may see
        return aud != "draft" and (viewer == "author" or may_see(viewer, aud))
    if where == "api_list":  # everything the viewer may see, drafts for the author
        return viewer == "author" or may_see(viewer, aud)
    if where == "mine":
        return viewer == "author"
    raise AssertionError(where)


def fetch(w, viewer, path, api=False):
    url = w.server.url + path
    if api:
        h = {"Authorization": "Bearer " + w.tokens[viewer]} if viewer in w.tokens else {}
        return requests.get(url, headers=h, allow_redirects=False)
    return w.sessions[viewer].get(url, allow_redirects=False)


def assert_no_leak(w, viewer, resp, where, via_key=False):
    for aud, st in w.stories.items():
        if may_see(viewer, aud, via_key and aud == "unlisted"):
            continue
        for marker in ("Title-%s-zq" % aud, "Sub-%s-zq" % aud, "Excerpt-%s-zq" % aud, st["id"]):
            assert marker not in resp.text, "%s leaked to %s on %s" % (marker, viewer, where)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_single_story_routes(world, viewer):
    w = world
    for aud, st in w.stories.items():
        path = "/@v_author/" + st["slug"]
        r = fetch(w, viewer, path)
        want = 200 if may_see(viewer, aud) else 404
        assert r.status_code == want, (viewer, aud, path, r.status_code)
        assert_no_leak(w, viewer, r, path)
        if want == 200:
            assert "Title-%s-zq" % aud in r.text
        r = fetch(w, viewer, "/api/v1/stories/" + st["id"], api=True)
        assert r.status_code == want, (viewer, aud, "api", r.status_code)
        assert_no_leak(w, viewer, r, "api story")
        r = fetch(w, viewer, "/api/v1/stories/%s/responses" % st["id"], api=True)
        assert r.status_code == want, (viewer, aud, "api responses", r.status_code)
        assert_no_leak(w, viewer, r, "api responses")
        r = fetch(w, viewer, "/edit/" + st["id"])
        if viewer == "author":
            assert r.status_code == 200
        else:
            assert r.status_code in (303, 404), (viewer, aud, r.status_code)
            assert_no_leak(w, "anonymous", r, "edit page")
            assert "Title-%s-zq" % aud not in r.text
    # The unlisted link works for anyone holding it; a wrong key for nobody.
    key = w.stories["unlisted"]["url"].rsplit("/", 1)[1]
    assert w.stories["unlisted"]["url"].endswith("/u/" + key) and re.fullmatch(r"[0-9a-f]{16}", key)
    r = fetch(w, viewer, "/u/" + key)
    assert r.status_code == 200 and "Title-unlisted-zq" in r.text
    assert 'name="robots" content="noindex"' in r.text
    assert "private" in r.headers["Cache-Control"]
    assert_no_leak(w, viewer, r, "/u/key", via_key=True)
    r = fetch(w, viewer, "/u/" + ("0" * 16 if key != "0" * 16 else "1" * 16))
    assert r.status_code == 404
    # Other audiences' ids are not share keys.
    assert fetch(w, viewer, "/u/" + w.stories["private"]["id"]).status_code == 404


AP = {"Accept": "application/activity+json"}


@pytest.mark.parametrize("viewer", VIEWERS)
def test_activitypub_routes(world, viewer):
    """What leaves for the fediverse is for an anonymous reader, whoever
    asks (her own cookies included): a public published story's Article,
    and nothing of any other (404, as for a stranger)."""
    w = world
    s = w.sessions[viewer]
    for aud, st in w.stories.items():
        for path in ("/@v_author/" + st["slug"], "/ap/stories/" + st["id"]):
            r = s.get(w.server.url + path, headers=AP, allow_redirects=False)
            assert r.status_code == (200 if aud == "public" else 404), (viewer, aud, path, r.status_code)
            assert_no_leak(w, "anonymous", r, path)
            if aud == "public":
                assert r.headers["Content-Type"].startswith("application/activity+json")
                assert r.json()["name"] == "Title-public-zq"
    r = s.get(w.server.url + "/@v_author", headers=AP)
    assert r.status_code == 200 and r.json()["type"] == "Person"
    assert_no_leak(w, "anonymous", r, "actor")
    col = s.get(w.server.url + "/ap/users/v_author/outbox", headers=AP).json()
    page = s.get(col["first"], headers=AP)
    assert page.status_code == 200 and "Title-public-zq" in page.text
    assert_no_leak(w, "anonymous", page, "outbox")
    for path in ("/ap/users/v_author/followers", "/ap/users/v_author/following", "/nodeinfo/2.1"):
        r = s.get(w.server.url + path, headers=AP)
        assert r.status_code == 200, path
        assert_no_leak(w, "anonymous", r, path)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_listings(world, viewer):
    w = world
    pages = {
        # Signed-in followers get their timeline at "/" (tested below);
        # the site's public home is "/?latest=1" for them.
        "home": fetch(w, viewer, "/" if viewer in ("anonymous", "author") else "/?latest=1"),
        "profile": fetch(w, viewer, "/@v_author"),
        "api_list": fetch(w, viewer, "/api/v1/stories?author=v_author&limit=100", api=True),
        "mine": fetch(w, viewer, "/me/stories"),
    }
    for where, r in pages.items():
        if where == "mine" and viewer == "anonymous":
            assert r.status_code == 303
            continue
        assert r.status_code == 200, (viewer, where)
        for aud in AUDIENCES:
            shown = "Title-%s-zq" % aud in r.text
            assert shown == listed(viewer, aud, where), (viewer, where, aud, shown)
        # Lists never carry anything of a story the viewer cannot open.
        assert_no_leak(w, viewer, r, where)
    # The API list (SQL rule) and the single-story API (C rule) agree.
    listed_ids = {s["id"] for s in pages["api_list"].json()["stories"]}
    for aud, st in w.stories.items():
        single = fetch(w, viewer, "/api/v1/stories/" + st["id"], api=True).status_code == 200
        assert (st["id"] in listed_ids) == single, (viewer, aud)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_public_only_routes(world, viewer):
    """Feeds, tag pages and the sitemap carry public stories only, for
    everyone, whoever asks."""
    w = world
    for path in ("/feed.atom", "/@v_author/feed.atom", "/tag/zqtag/feed.atom", "/tag/zqtag",
                 "/sitemap.xml"):
        r = fetch(w, viewer, path)
        assert r.status_code == 200, (viewer, path)
        assert "Title-public-zq" in r.text or w.stories["public"]["slug"] in r.text, (viewer, path)
        for aud in ("unlisted", "circle", "private", "draft"):
            st = w.stories[aud]
            for marker in ("Title-%s-zq" % aud, "Excerpt-%s-zq" % aud, st["id"], st["slug"]):
                assert marker not in r.text, (viewer, path, aud)


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_private_feed(world, viewer):
    """A reader's private feed (/feed/TOKEN.atom, made in /settings) holds
    the circle stories she may read and nothing else, for whoever fetches
    it with no cookie; a new address ends the old one."""
    w = world
    s = w.sessions[viewer]
    page = s.get(w.server.url + "/settings")
    r = s.post(w.server.url + "/settings/feed", data={"csrf": csrf_of(page.text), "action": "issue"})
    assert r.status_code == 200, r.text[:300]
    url = re.search(r"(http://[^ <]+/feed/[0-9a-f]{32}\.atom)", r.text).group(1)
    feed = requests.get(url)
    assert feed.status_code == 200 and feed.headers["Content-Type"].startswith("application/atom+xml")
    assert feed.headers["Cache-Control"].startswith("private")
    for aud, st in w.stories.items():
        want = aud == "circle" and viewer == "member"
        for marker in ("Title-%s-zq" % aud, st["id"]):
            assert (marker in feed.text) == want, (viewer, aud, marker)
    assert "Other writer public" not in feed.text
    page = s.get(w.server.url + "/settings")
    r = s.post(w.server.url + "/settings/feed", data={"csrf": csrf_of(page.text), "action": "revoke"})
    assert r.status_code == 200 and "no longer works" in r.text
    assert requests.get(url).status_code == 404


@pytest.mark.parametrize("viewer", VIEWERS)
def test_search_and_timeline(world, viewer):
    w = world
    for path, api in (("/search?q=zqsearch", False), ("/api/v1/search?q=zqsearch", True)):
        r = fetch(w, viewer, path, api=api)
        assert r.status_code == 200
        for aud in AUDIENCES:
            want = aud != "draft" and may_see(viewer, aud) or (viewer == "author" and aud != "draft")
            assert ("Title-%s-zq" % aud in r.text) == want, (viewer, path, aud)
        assert_no_leak(w, viewer, r, path)
    r = fetch(w, viewer, "/api/v1/timeline", api=True)
    if viewer in ("anonymous",):
        assert r.status_code == 401
        return
    assert r.status_code == 200
    for aud in AUDIENCES:
        want = viewer != "author" and aud != "draft" and may_see(viewer, aud)
        assert ("Title-%s-zq" % aud in r.text) == want, (viewer, "timeline", aud)
    assert_no_leak(w, viewer, r, "timeline")


@pytest.mark.parametrize("viewer", VIEWERS)
def test_writer_only_routes(world, viewer):
    """Revision history and trash belong to the writer alone."""
    w = world
    for aud, st in w.stories.items():
        # Held edits: the pending draft and its preview are the writer's.
        r = fetch(w, viewer, "/edit/%s/preview" % st["id"])
        if viewer == "author":
            assert r.status_code == 200 and "Title-%s-zq" % aud in r.text
        else:
            assert r.status_code in (303, 404), (viewer, aud, "preview", r.status_code)
            assert "Title-%s-zq" % aud not in r.text
        r = fetch(w, viewer, "/api/v1/stories/%s/draft" % st["id"], api=True)
        assert r.status_code in (401, 404), (viewer, aud, "draft", r.status_code)
        assert "Title-%s-zq" % aud not in r.text
        for path, api in (("/edit/%s/history" % st["id"], False),
                          ("/api/v1/stories/%s/revisions" % st["id"], True)):
            r = fetch(w, viewer, path, api=api)
            if viewer == "author":
                assert r.status_code == 200, (path, r.status_code)
            else:
                assert r.status_code in (303, 401, 404), (viewer, path, r.status_code)
                assert "Title-%s-zq" % aud not in r.text
        if viewer == "author":
            revs = fetch(w, "author", "/api/v1/stories/%s/revisions" % st["id"], api=True).json()
            rev_id = (revs.get("revisions") if isinstance(revs, dict) else revs)[0]["id"]
            st["_rev"] = rev_id
    for aud, st in w.stories.items():
        rev = st.get("_rev")
        if not rev:
            continue
        for path, api in (("/revisions/" + rev, False), ("/api/v1/revisions/" + rev, True)):
            r = fetch(w, viewer, path, api=api)
            if viewer == "author":
                assert r.status_code == 200
            else:
                assert r.status_code in (303, 401, 404), (viewer, path, r.status_code)
                assert "Excerpt-%s-zq" % aud not in r.text
    for path, api in (("/me/trash", False), ("/api/v1/trash", True)):
        r = fetch(w, viewer, path, api=api)
        assert_no_leak(w, "anonymous" if viewer != "author" else "author", r, path)


IMPORTED_WXR = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:wp="http://wordpress.org/export/1.2/" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>Old blog</title><link>http://old.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://old.example</wp:base_site_url>
<item><title>Imported-draft-zq</title><link>http://old.example/?p=7</link>
<content:encoded><![CDATA[<p>Imported-body-zq</p>]]></content:encoded>
<excerpt:encoded><![CDATA[]]></excerpt:encoded>
<wp:post_id>7</wp:post_id><wp:post_date_gmt>2020-01-02 03:04:05</wp:post_date_gmt>
<wp:post_name>imported-draft</wp:post_name><wp:status>draft</wp:status><wp:post_type>post</wp:post_type>
</item></channel></rss>
"""


@pytest.fixture(scope="module")
def import_job(world):
    """The author imports a draft from the upload page; its report names it."""
    s = world.sessions["author"]
    page = s.get(world.server.url + "/settings/import")
    r = s.post(world.server.url + "/settings/import", allow_redirects=False,
               data={"csrf": csrf_of(page.text), "kind": "wordpress"},
               files={"file": ("old-blog.xml", IMPORTED_WXR.encode(), "text/xml")})
    assert r.status_code == 303, r.text
    job = r.headers["Location"].rsplit("/", 1)[1]
    for _ in range(2000):  # until it has ended (bounded, for a broken build)
        j = s.get(world.server.url + "/settings/import/%s?format=json" % job).json()
        if not j["active"]:
            break
        time.sleep(0.05)
    assert j["status"] == "done" and "Imported-draft-zq" in j["report"], j
    return job


@pytest.mark.parametrize("viewer", VIEWERS)
def test_import_routes(world, import_job, viewer):
    """A writer's imports and their reports are hers alone."""
    for path in ("/settings/import", "/settings/import/" + import_job,
                 "/settings/import/%s?format=json" % import_job):
        r = fetch(world, viewer, path)
        if viewer == "author":
            want = "old-blog.xml" if path == "/settings/import" else "Imported-draft-zq"
            assert r.status_code == 200 and want in r.text, (path, r.status_code)
        else:
            assert r.status_code in (200, 303, 404), (viewer, path, r.status_code)
            assert r.status_code != 200 or path == "/settings/import", (viewer, path)
            for marker in ("Imported-draft-zq", "old-blog.xml", import_job):
                assert marker not in r.text, "%s leaked to %s on %s" % (marker, viewer, path)
        assert_no_leak(world, viewer, r, path)
class Unzipped:
    """A book as text, for assert_no_leak."""

    def __init__(self, content):
        import io
        import zipfile
        z = zipfile.ZipFile(io.BytesIO(content))
        self.names = z.namelist()
        self.text = "\n".join(self.names) + "\n".join(
            z.read(n).decode() for n in self.names if n.endswith((".xhtml", ".opf")))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_books(world, viewer):
    """A story as a book: only a public one, for everyone, once its writer
    lets readers; her own book (/me/book.epub): hers alone, everything she
    published and no draft."""
    w = world
    author = w.sessions["author"]
    page = author.get(w.server.url + "/settings")
    r = author.post(w.server.url + "/settings/book", data={"csrf": csrf_of(page.text), "share": "1"},
                    allow_redirects=False)
    assert r.status_code == 303
    for aud, st in w.stories.items():
        r = fetch(w, viewer, "/@v_author/%s/book.epub" % st["slug"])
        want = 200 if aud == "public" else 404
        assert r.status_code == want, (viewer, aud, "book", r.status_code)
        if want == 200:
            assert r.headers["Content-Type"] == "application/epub+zip"
            book = Unzipped(r.content)
            assert "Title-public-zq" in book.text
            assert_no_leak(w, "anonymous", book, "story book")
        else:
            assert "Title-%s-zq" % aud not in r.text
    r = fetch(w, viewer, "/me/book.epub")
    if viewer == "author":
        assert r.status_code == 200
        book = Unzipped(r.content)
        for aud in AUDIENCES:
            assert ("Title-%s-zq" % aud in book.text) == (aud != "draft"), aud
    elif viewer == "anonymous":
        assert r.status_code == 303
    else:
        # Her own book, or 404 when she published nothing: never the author's.
        assert r.status_code in (200, 404), (viewer, r.status_code)
        text = Unzipped(r.content).text if r.status_code == 200 else r.text
        for aud, st in w.stories.items():
            assert "Title-%s-zq" % aud not in text and st["id"] not in text, (viewer, aud)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_photo_routes(world, viewer):
    """A photo is visible exactly when its story is."""
    w = world
    for aud, ph in w.photos.items():
        want = may_see(viewer, aud)
        r = fetch(w, viewer, "/api/v1/photos/" + ph["id"], api=True)
        assert r.status_code == (200 if want else 404), (viewer, aud, "api photo", r.status_code)
        if not want:
            assert "Alt-%s-zq" % aud not in r.text
        r = fetch(w, viewer, "/photos/" + ph["id"])
        assert (r.status_code in (200, 301, 302, 303, 307)) == want, (viewer, aud, "photo", r.status_code)
        var = ph["variants"][0]["url"].split("?")[0]
        path = var.replace(w.server.url, "")
        r = fetch(w, viewer, path)
        assert (r.status_code == 200) == want, (viewer, aud, path, r.status_code)
        if want and aud != "public":
            assert "private" in r.headers.get("Cache-Control", ""), (aud, r.headers.get("Cache-Control"))


def test_admin_gets_no_exception_and_404_offers_sign_in(world):
    w = world
    r = fetch(w, "anonymous", "/@v_author/" + w.stories["circle"]["slug"])
    assert r.status_code == 404
    assert "/login?return_to=/@v_author/" + w.stories["circle"]["slug"] in r.text
    # A signed-out member signs in from that page and lands on the story.
    b = requests.Session()
    page = b.get(w.server.url + "/login?return_to=/@v_author/" + w.stories["circle"]["slug"])
    r = b.post(w.server.url + "/login", data={"handle": "v_member", "password": "a password for tests",
                                              "csrf": csrf_of(page.text),
                                              "return_to": "/@v_author/" + w.stories["circle"]["slug"]})
    assert r.status_code == 200 and "Title-circle-zq" in r.text


def test_changes_take_effect_at_once(world):
    w = world
    s = w.server
    ah = {"Authorization": "Bearer " + w.tokens["author"]}
    st = requests.post(s.url + "/api/v1/stories", headers=ah,
                       json={"title": "Moving target zq", "body": "b", "status": "published",
                             "audience": "circle", "circle_id": w.circle["id"]}).json()
    page = "/@v_author/" + st["slug"]
    assert fetch(w, "member", page).status_code == 200
    assert fetch(w, "anonymous", page).status_code == 404
    requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=ah, json={"audience": "public"})
    assert fetch(w, "anonymous", page).status_code == 200
    assert "Moving target zq" in fetch(w, "anonymous", "/").text
    requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=ah, json={"audience": "private"})
    assert fetch(w, "anonymous", page).status_code == 404
    assert fetch(w, "member", page).status_code == 404
    assert "Moving target zq" not in fetch(w, "anonymous", "/").text
    # Removing a member takes access away on the next request.
    requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=ah,
                   json={"audience": "circle", "circle_id": w.circle["id"]})
    inv = requests.post(s.url + "/api/v1/circles/%s/invites" % w.circle["id"], headers=ah, json={}).json()
    sh = {"Authorization": "Bearer " + w.tokens["stranger"]}
    assert requests.post(s.url + "/api/v1/invites/%s/accept" % inv["token"], headers=sh).status_code == 200
    assert fetch(w, "stranger", page).status_code == 200
    assert requests.delete(s.url + "/api/v1/circles/%s/members/v_stranger" % w.circle["id"], headers=ah).status_code == 204
    assert fetch(w, "stranger", page).status_code == 404
    assert requests.delete(s.url + "/api/v1/stories/" + st["id"], headers=ah).status_code == 204


@pytest.fixture(scope="module")
def pending(world):
    """A public story whose responses wait for approval, with one response
    of the member's waiting, and the same on the circle story."""
    w = world
    s = w.server
    ah = {"Authorization": "Bearer " + w.tokens["author"]}
    out = {}
    for aud in ("public", "circle"):
        body = {"title": "Held-%s-zq" % aud, "body": "Words.", "status": "published",
                "audience": aud, "responses": "approval"}
        if aud == "circle":
            body["circle_id"] = w.circle["id"]
        st = requests.post(s.url + "/api/v1/stories", headers=ah, json=body).json()
        page = w.sessions["member"].get(s.url + "/@v_author/" + st["slug"])
        r = w.sessions["member"].post(s.url + "/responses", data={
            "story_id": st["id"], "body": "Pending-%s-zq from the member" % aud,
            "csrf": csrf_of(page.text)}, allow_redirects=False)
        assert r.status_code == 303, r.text
        out[aud] = st
    return out


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_pending_response_is_seen_only_by_its_author_and_the_writer(world, pending, viewer):
    w = world
    for aud, st in pending.items():
        marker = "Pending-%s-zq" % aud
        page = fetch(w, viewer, "/@v_author/" + st["slug"])
        api = fetch(w, viewer, "/api/v1/stories/%s/responses" % st["id"], api=True)
        if viewer == "member":
            assert marker in page.text and "Waiting for the writer" in page.text, aud
            assert "Responses (0)" in page.text or "Responses</h2>" in page.text, "not counted"
        elif viewer == "author":
            assert marker in page.text and "Waiting for your approval" in page.text
        else:
            assert marker not in page.text, (viewer, aud, "page")
            assert marker not in api.text, (viewer, aud, "api")
            assert "Waiting for the writer" not in page.text
        if viewer not in ("author",):
            assert '"response_count":0' in fetch(w, viewer, "/api/v1/stories/" + st["id"],
                                                 api=True).text.replace(" ", "") or \
                fetch(w, viewer, "/api/v1/stories/" + st["id"], api=True).status_code == 404


@pytest.mark.parametrize("viewer", VIEWERS)
def test_author_card_and_more_from_this_writer(world, viewer):
    """The end of every story page: the writer's card, and more of her
    stories through the listing's audience rule - the member finds the
    circle story there, nobody else does (assert_no_leak covers the rest
    of the page for every audience)."""
    w = world
    r = fetch(w, viewer, "/@v_author/" + w.stories["public"]["slug"])
    assert r.status_code == 200
    assert 'class="author-card"' in r.text and 'href="/@v_author"' in r.text
    assert_no_leak(w, viewer, r, "more from this writer")
    more = r.text.split('class="more-from list"')[1] if 'class="more-from list"' in r.text else ""
    if viewer == "member":
        assert "Title-circle-zq" in more
    elif viewer != "author":  # hers: whichever three are newest
        assert "Title-circle-zq" not in more, viewer
    assert "Title-public-zq" not in more, "not the story itself"
    assert ('class="badge' in r.text) == (viewer == "author"), "badges are the writer's"
