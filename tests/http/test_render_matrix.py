"""The rendering matrix: every rendering of a story's content x every kind
of content that must not travel freely (a sensitive photo, a photo for a
circle only, a private photo, the text of a pending draft, the content
note) x every kind of viewer of the access matrix, asserted from the bytes
each viewer gets: no variant URL, alt text or caption of a photo where it
must not be, no draft text before the writer publishes it.

Every value of enum render_context in src/render/render.h must be
classified here (RENDERINGS), so a new rendering cannot slip by, as the
access matrix does for routes.
"""
import html
import io
import json
import os
import re
import subprocess
import tempfile
import zipfile

import pytest
import requests

from quire_server import ROOT, Server, viewer_kinds

VIEWERS = ["anonymous", "stranger", "member", "removed", "blocked", "other_writer", "admin", "author"]

# Each rendering context and the routes that produce it (paths filled per
# world). "who" says which viewers get that rendering at all.
RENDERINGS = {
    "RENDER_PAGE": ["page"],
    "RENDER_PREVIEW": ["preview", "editor_preview"],
    "RENDER_FEED": ["feed_site", "feed_writer", "feed_tag"],
    "RENDER_API": ["api_story", "api_list", "api_timeline"],
    "RENDER_SEARCH": ["search_page", "search_api"],
    "RENDER_EXCERPT": ["home", "profile", "tag_page", "sitemap"],
    "RENDER_CARD": ["card"],
    # By email: needs an SMTP server, so tests/http/test_mail.py asserts
    # the same rule on the messages themselves (a subscriber gets what an
    # anonymous reader gets; no sensitive, circle or private photo).
    "RENDER_MAIL": ["mail"],
    # A book (EPUB, a zip): test_book_rendering below reads it, and
    # tests/http/test_book.py checks whole books with epubcheck.
    "RENDER_BOOK": ["book"],
    # Her own export (Download everything, POST /settings/export): all of
    # it for her (tests/http/test_export.py checks that it is whole); every
    # other viewer downloads only her own, which holds nothing of this.
    "RENDER_EXPORT": ["export"],
    # ActivityPub (issue 20): for an anonymous reader whoever asks, a photo
    # for fewer people is nothing at all; test_activitypub_article below.
    "RENDER_AP": ["ap_article", "ap_outbox"],
}
AP = {"Accept": "application/activity+json"}


def render_contexts():
    src = open(os.path.join(ROOT, "src", "render", "plain.h")).read()
    body = re.search(r"enum render_context \{(.*?)\};", src, re.S).group(1)
    return set(re.findall(r"\b(RENDER_[A-Z_]+)\b", body))


def test_every_rendering_is_classified():
    found = render_contexts()
    assert found, "could not read enum render_context"
    unknown = found - set(RENDERINGS)
    assert not unknown, "classify these renderings in the rendering matrix: %s" % sorted(unknown)
    assert not set(RENDERINGS) - found, "renderings listed here but gone: %s" % (set(RENDERINGS) - found)


class World:
    pass


def upload(s, token, story_id, img, **fields):
    with open(img, "rb") as f:
        r = requests.post(s.url + "/api/v1/stories/%s/photos" % story_id,
                          headers={"Authorization": "Bearer " + token}, data=fields,
                          files={"file": ("p.jpg", f, "image/jpeg")})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def world():
    s = Server()
    s.start()
    w = World()
    w.server = s
    sessions, tokens, circle = viewer_kinds(s, "r_", "the ones who were there")
    w.sessions, w.tokens, w.circle = sessions, tokens, circle
    people = ("author", "member", "removed", "blocked", "stranger", "other_writer")
    ah = {"Authorization": "Bearer " + tokens["author"]}
    for who in people:
        if who != "author":
            requests.post(s.url + "/api/v1/follows", headers={"Authorization": "Bearer " + tokens[who]},
                          json={"handle": "r_author"})
    r = requests.post(s.url + "/api/v1/stories", headers=ah, json={
        "title": "A hard year zqr", "subtitle": "What we kept", "tags": ["zqrtag"],
        "body": "Opening words zqfind of a long year.\n\nMore text follows.", "status": "draft"})
    assert r.status_code == 201, r.text
    st = r.json()
    img = os.path.join(tempfile.mkdtemp(prefix="quire-render-"), "p.jpg")
    subprocess.run(["convert", "-size", "96x64", "xc:#336699", img], check=True)
    tok = tokens["author"]
    w.photos = {
        "plain": upload(s, tok, st["id"], img, alt="AltPlain-zqr", caption="CapPlain-zqr"),
        "sensitive": upload(s, tok, st["id"], img, alt="AltSens-zqr", caption="CapSens-zqr",
                            sensitive="true", note="NoteSens-zqr"),
        "circle": upload(s, tok, st["id"], img, alt="AltCircle-zqr", caption="CapCircle-zqr",
                         audience="circle", circle_id=circle["id"]),
        "private": upload(s, tok, st["id"], img, alt="AltPrivate-zqr", caption="CapPrivate-zqr",
                          audience="private"),
    }
    body = "Opening words zqfind of a long year.\n\n" + "\n\n".join(
        p["markdown"] for p in w.photos.values()) + "\n\nThe end of it zqfind."
    r = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=ah, json={
        "body": body, "status": "published", "content_note": "CNote-zqr"})
    assert r.status_code == 200, r.text
    st = r.json()
    assert "photo:" not in st["excerpt"]
    # Held edits: a pending draft that readers must not get.
    r = requests.put(s.url + "/api/v1/stories/%s/draft" % st["id"], headers=ah, json={
        "body": body + "\n\nDraftText-zqr not yet for readers.", "title": "DraftTitle-zqr",
        "base_revision": st["revision_id"]})
    assert r.status_code == 200, r.text
    assert r.json()["draft"]["title"] == "DraftTitle-zqr"
    w.story = st
    w.page = "/@r_author/" + st["slug"]
    yield w
    s.stop()
    s.cleanup()


def may_see_photo(viewer, kind):
    if viewer == "author":
        return True
    if kind in ("plain", "sensitive"):
        return True
    if kind == "circle":
        return viewer == "member"
    return False


def get(w, viewer, path, api=False, **kw):
    url = w.server.url + path
    if api:
        h = {"Authorization": "Bearer " + w.tokens[viewer]} if viewer in w.tokens else {}
        return requests.get(url, headers=h, allow_redirects=False, **kw)
    return w.sessions[viewer].get(url, allow_redirects=False, **kw)


def renderings_for(w, viewer):
    """(name, context, text) of every rendering this viewer gets."""
    sid = w.story["id"]
    out = []
    def add(name, r):
        assert r.status_code == 200, (viewer, name, r.status_code)
        out.append((name, r.text))
    add("page", get(w, viewer, w.page))
    if viewer == "author":
        add("preview", get(w, viewer, "/edit/%s/preview" % sid))
        ed = get(w, viewer, "/edit/" + sid)
        from quire_server import csrf_of
        r = w.sessions[viewer].post(w.server.url + "/edit/" + sid, data={
            "csrf": csrf_of(ed.text), "action": "preview", "title": "T",
            "body": "\n\n".join(p["markdown"] for p in w.photos.values())})
        add("editor_preview", r)
    else:
        assert get(w, viewer, "/edit/%s/preview" % sid).status_code in (303, 404)
    add("feed_site", get(w, viewer, "/feed.atom"))
    add("feed_writer", get(w, viewer, "/@r_author/feed.atom"))
    add("feed_tag", get(w, viewer, "/tag/zqrtag/feed.atom"))
    add("api_story", get(w, viewer, "/api/v1/stories/" + sid, api=True))
    add("api_list", get(w, viewer, "/api/v1/stories?author=r_author", api=True))
    if viewer not in ("anonymous", "author"):
        add("api_timeline", get(w, viewer, "/api/v1/timeline", api=True))
    add("search_page", get(w, viewer, "/search?q=zqfind"))
    add("search_api", get(w, viewer, "/api/v1/search?q=zqfind", api=True))
    add("home", get(w, viewer, "/?latest=1"))
    add("profile", get(w, viewer, "/@r_author"))
    add("tag_page", get(w, viewer, "/tag/zqrtag"))
    add("sitemap", get(w, viewer, "/sitemap.xml"))
    if viewer == "anonymous":
        r = w.sessions[viewer].post(w.server.url + "/settings/export", data={"csrf": "0" * 32})
        assert r.status_code == 401 and not r.content.startswith(b"PK"), r.status_code
    else:
        page = get(w, viewer, "/settings")
        from quire_server import csrf_of
        r = w.sessions[viewer].post(w.server.url + "/settings/export",
                                    data={"csrf": csrf_of(page.text)})
        assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip", viewer
        z = zipfile.ZipFile(io.BytesIO(r.content))
        out.append(("export", "\n".join(z.read(n).decode("utf-8", "replace")
                                         for n in z.namelist())))
    add("ap_article", get(w, viewer, "/ap/stories/" + sid, headers=AP))
    add("ap_outbox", get(w, viewer, "/ap/users/r_author/outbox?page=1", headers=AP))
    return out


def photo_markers(ph):
    """Everything that would give a photo away: its id (in every variant
    URL and the photo: reference), alt text and caption."""
    return [ph["id"], ph["alt"], ph["caption"]]


def strip_page_gate(text, ph):
    """The story page's own gate for a sensitive photo (the figure that
    holds the blurred preview and, in a <template>, the photo a reader may
    open) is where the photo may be; cut it out to check the rest."""
    return re.sub(r'<figure class="photo gated" id="photo-%s">.*?</figure>' % ph["id"], "",
                  text, flags=re.S)


def json_of(text):
    return json.loads(text)


def reader_part(viewer, name, text):
    """The part of a response that renders the story for a reader. The
    writer's own Markdown (the editor's textarea, the API's "body" and
    "draft" for her) holds every reference by design; everything else
    must follow the rule."""
    if name == "export":
        return "" if viewer == "author" else text
    if name == "editor_preview":
        m = re.search(r'<section class="preview".*?</section>', text, re.S)
        assert m, "no preview section"
        return m.group(0)
    if viewer == "author" and (name.startswith("api") or name == "search_api"):
        return "\n".join(re.findall(r'"(?:html|snippet|excerpt)":\s*"((?:[^"\\]|\\.)*)"', text))
    return text


@pytest.mark.parametrize("viewer", VIEWERS)
def test_renderings(world, viewer):
    w = world
    seen = set()
    for name, text in renderings_for(w, viewer):
        seen.add(name)
        part = reader_part(viewer, name, text)
        page_like = name in ("page", "preview", "editor_preview")
        # What leaves for the fediverse is for nobody in particular.
        reader = "anonymous" if name.startswith("ap_") else viewer
        for kind, ph in w.photos.items():
            if kind != "sensitive" and may_see_photo(reader, kind):
                continue
            rest = part
            if kind == "sensitive" and page_like:
                # The page's own gate: the note shows, the photo waits in it.
                assert 'id="photo-%s"' % ph["id"] in part, (viewer, name, "gate missing")
                assert "NoteSens-zqr" in html.unescape(part), (viewer, name)
                rest = strip_page_gate(part, ph)
            rest = html.unescape(rest)
            for m in (ph["alt"], ph["caption"], "/photos/" + ph["id"], "photo:" + ph["id"]):
                assert m not in rest, (kind, "photo:", m, "reached", viewer, "in", name)
        # The pending draft reaches nobody but its writer's own views of it.
        plain = html.unescape(text)
        for marker in ("DraftText-zqr", "DraftTitle-zqr"):
            if viewer == "author" and name in ("preview", "api_story", "api_list", "search_api",
                                               "export"):
                continue
            assert marker not in plain, ("pending draft", marker, "reached", viewer, "in", name)
        if viewer == "author" and name in ("api_story", "api_list"):
            assert "DraftText-zqr" not in part, "the live html carries the draft"
        # The content note comes first wherever the story is shown.
        if name in ("page", "home", "profile", "tag_page", "preview"):
            assert "CNote-zqr" in plain, (viewer, name, "content note")
        # Plain-text renderings never quote Markdown or a photo reference.
        if name in ("search_page", "home", "profile", "tag_page"):
            assert "photo:" not in plain and "![" not in plain, (viewer, name)
        if name == "search_api":
            snippets = [st["snippet"] + st["excerpt"] for st in json_of(text)["stories"]]
            assert snippets, "nothing found"
            for sn in snippets:
                assert "photo:" not in sn and "![" not in sn and "zqr\"" not in sn, (viewer, sn)
    assert {"page", "feed_site", "search_page", "home", "api_story"} <= seen
    if viewer == "author":
        assert {"preview", "editor_preview"} <= seen


@pytest.mark.parametrize("viewer", VIEWERS)
def test_story_page_photos(world, viewer):
    """What the page shows, fetched: each photo the viewer may see loads;
    a photo for fewer people is a quiet placeholder and its files 404."""
    w = world
    r = get(w, viewer, w.page)
    text = r.text
    withheld = text.count('class="photo-withheld"')
    expect_withheld = sum(1 for k in ("circle", "private") if not may_see_photo(viewer, k))
    assert withheld == expect_withheld, (viewer, withheld)
    if expect_withheld:
        assert "A photo here is shared with a smaller group." in text
        assert w.circle["name"] not in text
    for kind, ph in w.photos.items():
        var = ph["variants"][0]["url"].replace(w.server.url, "")
        fr = get(w, viewer, var)
        if may_see_photo(viewer, kind):
            assert fr.status_code == 200 and fr.headers["Content-Type"].startswith("image/"), (viewer, kind)
            if kind in ("circle", "private"):
                assert "private" in fr.headers["Cache-Control"]
        else:
            assert fr.status_code == 404, (viewer, kind, var)
            assert get(w, viewer, "/api/v1/photos/" + ph["id"], api=True).status_code == 404
    # Every image the page asks for loads.
    srcs = set(re.findall(r'(?:src|srcset)="(/photos/[^" ,]+)', text))
    srcs |= set(re.findall(r'(/photos/[0-9a-f]{16}/\d+\.(?:jpg|webp))', text))
    assert srcs, "no photo on the page"
    for src in srcs:
        fr = get(w, viewer, html.unescape(src))
        assert fr.status_code == 200 and fr.headers["Content-Type"].startswith("image/"), (viewer, src)


def test_feed_gate_and_placeholder(world):
    """A feed reader gets the writer's note and a link, never the photo."""
    w = world
    import feedparser
    for path in ("/feed.atom", "/@r_author/feed.atom", "/tag/zqrtag/feed.atom"):
        r = get(w, "anonymous", path)
        d = feedparser.parse(r.content)
        assert not d.bozo, (path, d.bozo_exception)
        entry = [e for e in d.entries if "zqr" in e.title][0]
        content = entry.content[0].value
        assert content.index("CNote-zqr") < content.index("Opening words"), "content note first"
        assert "NoteSens-zqr" in content
        assert "Open the story to see this photo." in content
        assert w.photos["plain"]["alt"] in content
        assert "A photo here is shared with a smaller group." in content
        for kind in ("sensitive", "circle", "private"):
            ph = w.photos[kind]
            assert "/photos/" + ph["id"] not in content and ph["alt"] not in content, (path, kind)
        # The one photo shown is an absolute URL that loads.
        img = html.unescape(re.search(r'<img [^>]*src="([^"]+)"', content).group(1))
        assert img.startswith(w.server.url)
        fr = requests.get(img)
        assert fr.status_code == 200 and fr.headers["Content-Type"] == "image/jpeg"


def test_activitypub_article(world):
    """An Article is what a feed reader gets, for anyone: the content note
    as its summary (sensitive), a sensitive photo as its note and a link,
    a photo for fewer people nothing at all, absolute photo URLs that
    load; the published text, never the pending draft. The same for the
    writer herself asking with her cookies."""
    w = world
    for viewer in ("anonymous", "member", "author"):
        for path in ("/ap/stories/" + w.story["id"], w.page):
            r = get(w, viewer, path, headers=AP)
            assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/activity+json")
            art = r.json()
            assert art["type"] == "Article" and art["name"] == "A hard year zqr"
            assert art["summary"] == "CNote-zqr" and art["sensitive"] is True
            content = art["content"]
            assert "Opening words zqfind" in content and "The end of it zqfind" in content
            assert "NoteSens-zqr" in content and "Open the story to see this photo." in content
            assert w.page + "#photo-" + w.photos["sensitive"]["id"] in content
            assert w.photos["plain"]["alt"] in content
            assert "A photo here is shared with a smaller group." not in content
            assert "photo-withheld" not in content
            for kind in ("sensitive", "circle", "private"):
                ph = w.photos[kind]
                for m in ("/photos/" + ph["id"], ph["alt"], ph["caption"]):
                    assert m not in html.unescape(content), (viewer, kind, m)
            assert "DraftText-zqr" not in r.text and "DraftTitle-zqr" not in r.text
            img = html.unescape(re.search(r'<img [^>]*src="([^"]+)"', content).group(1))
            assert img.startswith(w.server.url) and w.photos["plain"]["id"] in img
            assert requests.get(img).status_code == 200
    outbox = get(w, "anonymous", "/ap/users/r_author/outbox?page=1", headers=AP).json()
    assert [i["object"]["content"] for i in outbox["orderedItems"]] == [
        get(w, "anonymous", "/ap/stories/" + w.story["id"], headers=AP).json()["content"]]


def test_card_image_loads_and_is_never_narrower(world):
    w = world
    text = get(w, "anonymous", w.page).text
    og = re.search(r'<meta property="og:image" content="([^"]+)"', text)
    assert og, "no og:image on a public story with a plain photo"
    url = html.unescape(og.group(1))
    assert w.photos["plain"]["id"] in url
    r = requests.get(url)
    assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg"
    tw = re.search(r'<meta name="twitter:image" content="([^"]+)"', text)
    assert tw and html.unescape(tw.group(1)) == url


def test_search_never_matches_photo_text(world):
    """Alt text and captions are not searchable, so a search box cannot
    reveal them (or that a story holds them)."""
    w = world
    for viewer in ("anonymous", "member", "author"):
        for q in ("AltSens-zqr", "CapCircle-zqr", "AltPrivate-zqr", "NoteSens-zqr"):
            r = get(w, viewer, "/api/v1/search?q=" + q, api=True)
            assert r.status_code == 200
            assert "A hard year zqr" not in r.text, (viewer, q)
    r = get(w, "anonymous", "/search?q=zqfind")
    assert "A hard year zqr" in r.text and "<mark>zqfind</mark>" in r.text


def book_files(content):
    z = zipfile.ZipFile(io.BytesIO(content))
    assert z.namelist()[0] == "mimetype"
    return {n: z.read(n) for n in z.namelist()}


def check_book(w, files, may):
    """What a book holds of the world's story: the photos may(kind) lets
    in, as files, and nothing of the others; the sensitive one on a page
    of its own right after a page with its note; the content note; never
    the pending draft."""
    texts = {n: html.unescape(b.decode()) for n, b in files.items() if n.endswith((".xhtml", ".opf"))}
    for kind, ph in w.photos.items():
        present = any(n.endswith("/%s.jpg" % ph["id"]) for n in files)
        assert present == may(kind), (kind, present)
        if not may(kind):
            for m in (ph["id"], ph["alt"], ph["caption"]):
                assert not any(m in t for t in texts.values()), (kind, m)
    for marker in ("DraftText-zqr", "DraftTitle-zqr"):
        assert not any(marker in t for t in texts.values()), marker
    assert any("CNote-zqr" in t for t in texts.values())
    sens = w.photos["sensitive"]
    holding = [n for n, t in texts.items() if sens["alt"] in t and n.endswith(".xhtml")]
    assert len(holding) == 1, holding
    page = texts[holding[0]]
    assert "zqfind" not in page and "Opening words" not in page
    opf = [t for n, t in texts.items() if n.endswith(".opf")][0]
    hrefs = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
    spine = [hrefs[i] for i in re.findall(r'<itemref idref="([^"]+)"', opf)]
    here = spine.index(os.path.basename(holding[0]))
    before = [t for n, t in texts.items() if n.endswith("/" + spine[here - 1])][0]
    assert "NoteSens-zqr" in before and "<img" not in before


@pytest.mark.parametrize("viewer", VIEWERS)
def test_book_rendering(world, viewer):
    """RENDER_BOOK: the public story as a book (its writer lets readers)
    holds, whoever downloads it, what anyone may see, never more for a
    member; her own book (/me/book.epub) holds what she sees."""
    w = world
    from quire_server import csrf_of
    author = w.sessions["author"]
    page = author.get(w.server.url + "/settings")
    r = author.post(w.server.url + "/settings/book", data={"csrf": csrf_of(page.text), "share": "1"},
                    allow_redirects=False)
    assert r.status_code == 303
    r = get(w, viewer, w.page + "/book.epub")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/epub+zip", (viewer, r.status_code)
    check_book(w, book_files(r.content), lambda kind: kind in ("plain", "sensitive"))
    r = get(w, viewer, "/me/book.epub")
    if viewer == "author":
        assert r.status_code == 200
        check_book(w, book_files(r.content), lambda kind: True)
    else:
        assert r.status_code in (303, 404), (viewer, r.status_code)
        assert "zqr" not in r.text
