"""A book of your stories (issue 19): `quire export --epub` and the
"Download as a book" routes make EPUB 3 files that Debian's epubcheck
passes with no error and no warning. A public book holds her public
stories only, oldest first, and of their photos those anyone may see;
her own book (--audience all, /me/book.epub) holds everything she
published. Photos are files of the book; a sensitive photo is on a page of
its own right after a page with its note; headings nest; the pending
draft is never in it. Readers download a public story as a book only
where its writer lets them."""
import html
import os
import re
import subprocess
import zipfile

import pytest
import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
from test_media import make_image

EPUBCHECK = ["java", "-jar", "/usr/share/java/epubcheck.jar"]
PW = "a password for tests"


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def upload(s, tok, story_id, img, **fields):
    with open(img, "rb") as f:
        r = requests.post(s.url + "/api/v1/stories/%s/photos" % story_id, headers=auth(tok),
                          data=fields, files={"file": ("p.jpg", f, "image/jpeg")})
    assert r.status_code == 201, r.text
    return r.json()


class World:
    pass


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("book"))
    s = Server(admin=ADMIN)
    s.start()
    w = World()
    w.server, w.work = s, work
    admin = login(s, *ADMIN)
    w.bea_session = invite_and_signup(s, admin, "bea", PW, name="Bea Writer")
    w.cat_session = invite_and_signup(s, admin, "cat", PW, name="Cat Reader")
    tok = w.tok = api_token(s, "bea", PW)
    circle = requests.post(s.url + "/api/v1/circles", headers=auth(tok), json={"name": "kin"}).json()

    def story(title, body, **kw):
        r = requests.post(s.url + "/api/v1/stories", headers=auth(tok), json=dict(
            title=title, body=body, status="published", **kw))
        assert r.status_code == 201, r.text
        return r.json()

    w.first = story("First light zb", "The morning zb-first began.", subtitle="A beginning")
    img = make_image(work, "p.jpg", 1200, 800)
    w.photos = {
        "plain": upload(s, tok, w.first["id"], img, alt="AltPlain-zb", caption="CapPlain-zb"),
        "sensitive": upload(s, tok, w.first["id"], img, alt="AltSens-zb", caption="CapSens-zb",
                            sensitive="true", note="NoteSens-zb"),
        "circle": upload(s, tok, w.first["id"], img, alt="AltCircle-zb", caption="CapCircle-zb",
                         audience="circle", circle_id=circle["id"]),
        "private": upload(s, tok, w.first["id"], img, alt="AltPrivate-zb",
                          caption="CapPrivate-zb", audience="private"),
    }
    body = "\n\n".join([
        "The morning zb-first began, with a footnote.[^1]",
        w.photos["plain"]["markdown"],
        "Before the hard photo zb-before. See [her page](/@bea) and [the end](#fn-1).",
        w.photos["sensitive"]["markdown"],
        "After the hard photo zb-after.",
        w.photos["circle"]["markdown"],
        w.photos["private"]["markdown"],
        "| a | b |\n|:--|--:|\n| 1 | 2 |",
        "[^1]: The note zb-footnote.",
    ])
    r = requests.patch(s.url + "/api/v1/stories/" + w.first["id"], headers=auth(tok),
                       json={"body": body, "content_note": "CNote-zb"})
    assert r.status_code == 200, r.text
    w.first = r.json()
    # A pending draft of it that no book may hold.
    r = requests.put(s.url + "/api/v1/stories/%s/draft" % w.first["id"], headers=auth(tok), json={
        "body": body + "\n\nDraftText-zb", "title": "DraftTitle-zb",
        "base_revision": w.first["revision_id"]})
    assert r.status_code == 200, r.text
    w.headings = story("Every heading zb", "#### Straight to four zb\n\n###### Then six zb\n\n" + "\n\n".join(
        "%s Level %d zb\n\nText under %d." % ("#" * n, n, n) for n in range(1, 7))
        + "\n\n#### Deep after six zb\n\nEnd.")
    w.circle_story = story("Family only zb", "Kin words zb-circle.", audience="circle",
                           circle_id=circle["id"])
    w.unlisted = story("Link only zb", "Unlisted words zb-unlisted.", audience="unlisted")
    w.last = story("Last word zb", "The end zb-last.")
    r = requests.post(s.url + "/api/v1/stories", headers=auth(tok),
                      json={"title": "Unpublished zb", "body": "Draft zb-draft.", "status": "draft"})
    assert r.status_code == 201
    yield w
    s.stop()
    s.cleanup()


def export(w, name, *args, check=True):
    out = os.path.join(w.work, name)
    r = w.server.cli("export", "--user", "bea", "--epub", out, "--base-url", w.server.url, *args,
                     check=check)
    return out, r


def epubcheck(path):
    r = subprocess.run(EPUBCHECK + [path], capture_output=True, text=True, timeout=300)
    text = r.stdout + r.stderr
    assert r.returncode == 0, text
    assert "No errors or warnings detected" in text, text
    assert not re.search(r"^(ERROR|WARNING|FATAL)", text, re.M), text


class Book:
    """An EPUB read as epubcheck and a reading system would: container,
    package, spine, nav."""

    def __init__(self, path):
        import xml.etree.ElementTree as ET
        self.zip = zipfile.ZipFile(path)
        infos = self.zip.infolist()
        self.first = infos[0]
        self.names = [i.filename for i in infos]
        cont = ET.fromstring(self.zip.read("META-INF/container.xml"))
        opf_path = cont.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
        self.base = os.path.dirname(opf_path)
        opf = ET.fromstring(self.zip.read(opf_path))
        ns = {"o": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
        self.title = opf.find(".//dc:title", ns).text
        items = {i.get("id"): i for i in opf.findall(".//o:item", ns)}
        self.items = items
        self.spine = [items[r.get("idref")].get("href") for r in opf.findall(".//o:itemref", ns)]
        nav = [i for i in items.values() if "nav" in (i.get("properties") or "")][0]
        self.nav = self.text(nav.get("href"))
        self.toc = [html.unescape(t) for t in re.findall(r'<li><a href="[^"]+">([^<]*)</a></li>', self.nav)]
        self.toc_hrefs = re.findall(r'<li><a href="([^"]+)">', self.nav)

    def text(self, href):
        return self.zip.read(os.path.join(self.base, href)).decode()

    def pages(self):
        return [(h, self.text(h)) for h in self.spine]

    def all_text(self):
        return "\n".join(html.unescape(t) for _, t in self.pages()) + self.nav

    def body(self, href):
        return re.search(r"<body>(.*)</body>", self.text(href), re.S).group(1)


def story_page_of(book, title):
    for h, t in book.pages():
        if "<h1>%s</h1>" % html.escape(title) in t:
            return h
    raise AssertionError("no page for " + title)


def published_order(w, *stories):
    return [s["title"] for s in sorted(stories, key=lambda s: (s["published_at"], s["id"]))]


def assert_zip_basics(book):
    assert book.first.filename == "mimetype" and book.first.compress_type == zipfile.ZIP_STORED
    assert book.zip.read("mimetype") == b"application/epub+zip"


def test_public_book(world):
    w = world
    path, r = export(w, "public.epub")
    assert "3 stories" in r.stdout, r.stdout
    epubcheck(path)
    b = Book(path)
    assert_zip_basics(b)
    # Cover, contents, then her public stories oldest first.
    assert b.spine[0] == "cover.xhtml" and b.spine[1] == "nav.xhtml"
    cover = html.unescape(b.text("cover.xhtml"))
    assert "Bea Writer" in cover and "Stories" in cover and "Quire" in cover
    want = published_order(w, w.first, w.headings, w.last)
    assert b.toc == want
    firsts = [story_page_of(b, t) for t in want]
    assert [b.spine.index(h) for h in firsts] == sorted(b.spine.index(h) for h in firsts)
    assert b.toc_hrefs == firsts
    text = b.all_text()
    for gone in ("Family only zb", "zb-circle", "Link only zb", "zb-unlisted", "Unpublished zb",
                 "zb-draft", "DraftText-zb", "DraftTitle-zb"):
        assert gone not in text, gone
    # Photos: the two anyone may see are files of the book; of the
    # circle's and hers, nothing.
    for kind in ("plain", "sensitive"):
        name = "%s/images/%s.jpg" % (b.base, w.photos[kind]["id"])
        assert name in b.names, kind
        assert b.zip.read(name)[:2] == b"\xff\xd8"
    for kind in ("circle", "private"):
        ph = w.photos[kind]
        assert not any(ph["id"] in n for n in b.names), kind
        for m in (ph["alt"], ph["caption"], ph["id"]):
            assert m not in text, (kind, m)
    # The largest variant: as wide as the upload.
    assert 'width="1200"' in b.text(story_page_of(b, "First light zb"))
    check_first_story(w, b)
    check_headings(b)


def check_first_story(w, b):
    first = story_page_of(b, "First light zb")
    i = b.spine.index(first)
    page = html.unescape(b.text(first))
    assert page.index("CNote-zb") < page.index("zb-first"), "content note first"
    assert "A beginning" in page
    assert "AltPlain-zb" in page and "CapPlain-zb" in page
    assert "zb-before" in page and "zb-after" not in page
    # Links to the site are absolute.
    assert 'href="%s/@bea"' % w.server.url in b.text(first)
    sens = w.photos["sensitive"]
    # The next page: the note alone; then the photo alone; then the story goes on.
    note_page, photo_page, rest = b.spine[i + 1], b.spine[i + 2], b.spine[i + 3]
    note = b.body(note_page)
    assert "NoteSens-zb" in note and "<img" not in note and "zb-" not in note.replace("NoteSens-zb", "")
    photo = b.body(photo_page)
    assert photo.count("<img") == 1 and 'src="images/%s.jpg"' % sens["id"] in photo
    assert re.fullmatch(r'\s*<figure class="photo alone"><img [^>]*/>(<figcaption>[^<]*</figcaption>)?</figure>\s*',
                        photo), photo
    for other in b.spine:
        if other != photo_page:
            assert sens["id"] not in b.text(other) and "AltSens-zb" not in b.text(other), other
    after = html.unescape(b.text(rest))
    assert "zb-after" in after and "zb-footnote" in after
    # The footnote link crossed to the page the note is on.
    assert 'href="%s#fn-1"' % rest in b.text(first)


def check_headings(b):
    import xml.etree.ElementTree as ET
    page = story_page_of(b, "Every heading zb")
    root = ET.fromstring(b.zip.read(os.path.join(b.base, page)))
    levels = [int(e.tag[-1]) for e in root.iter() if re.fullmatch(r"\{.*\}h[1-6]", e.tag)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for a, c in zip(levels, levels[1:]):
        assert c <= a + 1, ("a heading skips a level", levels)
    assert max(levels) == 6, levels
    heads = {e.text: int(e.tag[-1]) for e in root.iter() if re.fullmatch(r"\{.*\}h[1-6]", e.tag)}
    # Skipped levels close up: straight to h4 after the title is an h2.
    assert heads["Straight to four zb"] == 2 and heads["Then six zb"] == 3, heads
    texts = list(heads)
    for n in range(1, 7):
        assert "Level %d zb" % n in texts


def test_all_book(world):
    w = world
    path, r = export(w, "all.epub", "--audience", "all")
    assert "5 stories" in r.stdout, r.stdout
    epubcheck(path)
    b = Book(path)
    assert_zip_basics(b)
    assert b.toc == published_order(w, w.first, w.headings, w.circle_story, w.unlisted, w.last)
    text = b.all_text()
    assert "zb-circle" in text and "zb-unlisted" in text
    assert "Unpublished zb" not in text and "DraftText-zb" not in text
    for kind in ("plain", "sensitive", "circle", "private"):
        assert "%s/images/%s.jpg" % (b.base, w.photos[kind]["id"]) in b.names, kind
    assert "AltCircle-zb" in text and "CapPrivate-zb" in text


def test_picked_stories(world):
    w = world
    path, r = export(w, "one.epub", "--story", w.last["slug"], "--story", w.headings["id"])
    assert "2 stories" in r.stdout
    epubcheck(path)
    assert Book(path).toc == published_order(w, w.headings, w.last)
    path, r = export(w, "single.epub", "--story", w.last["id"])
    b = Book(path)
    assert b.toc == ["Last word zb"] and b.title == "Last word zb"
    # A circle story is not in a public book, however it is asked for.
    path, r = export(w, "no.epub", "--story", w.circle_story["slug"], check=False)
    assert r.returncode == 1 and "no public story" in r.stderr, r.stderr
    assert not os.path.exists(path)
    path, r = export(w, "yes.epub", "--story", w.circle_story["slug"], "--audience", "all")
    assert Book(path).toc == ["Family only zb"]


def test_command_line_errors(world):
    w = world
    s = w.server
    r = s.cli("export", "--user", "bea", check=False)
    assert r.returncode == 2 and "--epub" in r.stderr
    r = s.cli("export", "--user", "bea", "--epub", os.path.join(w.work, "x.epub"),
              "--audience", "friends", check=False)
    assert r.returncode == 2 and "public or all" in r.stderr
    r = s.cli("export", "--user", "nobody", "--epub", os.path.join(w.work, "x.epub"), check=False)
    assert r.returncode == 1 and "no writer @nobody" in r.stderr
    # Cat has published nothing: no book, no file.
    r = s.cli("export", "--user", "cat", "--epub", os.path.join(w.work, "cat.epub"), check=False)
    assert r.returncode == 1 and not os.path.exists(os.path.join(w.work, "cat.epub"))
    r = s.cli("--help")
    for flag in ("--epub", "--audience", "--story"):
        assert flag in r.stdout


def download(session, url, path):
    r = session.get(url, allow_redirects=False)
    if r.status_code == 200:
        with open(path, "wb") as f:
            f.write(r.content)
    return r


def test_her_book_from_the_site(world):
    w = world
    s = w.server
    page = w.bea_session.get(s.url + "/settings")
    assert 'href="/me/book.epub"' in page.text and "Download as a book" in page.text
    assert 'href="/me/book.epub"' in w.bea_session.get(s.url + "/me/stories").text
    path = os.path.join(w.work, "site.epub")
    r = download(w.bea_session, s.url + "/me/book.epub", path)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/epub+zip"
    assert r.headers["Content-Disposition"] == 'attachment; filename="bea-stories.epub"'
    assert "no-store" in r.headers["Cache-Control"]
    epubcheck(path)
    b = Book(path)
    assert "zb-circle" in b.all_text() and "DraftText-zb" not in b.all_text()
    # Signed out: to sign in. Someone else: her own (Cat has none).
    r = requests.get(s.url + "/me/book.epub", allow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["Location"]
    r = w.cat_session.get(s.url + "/me/book.epub", allow_redirects=False)
    assert r.status_code == 404 and "zb" not in r.text
    assert not os.listdir(os.path.join(s.data, "tmp")), "a book left behind"


def set_share(w, on):
    s = w.server
    page = w.bea_session.get(s.url + "/settings")
    data = {"csrf": csrf_of(page.text)}
    if on:
        data["share"] = "1"
    r = w.bea_session.post(s.url + "/settings/book", data=data, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/settings"
    page = w.bea_session.get(s.url + "/settings")
    assert ('name="share" value="1" checked' in page.text) == on


def test_a_public_story_as_a_book_only_where_she_allows_it(world):
    w = world
    s = w.server
    anon = requests.Session()
    first = "/@bea/" + w.first["slug"]
    circle = "/@bea/" + w.circle_story["slug"]
    for url in (first, circle):
        assert anon.get(s.url + url + "/book.epub").status_code == 404
    assert "book.epub" not in anon.get(s.url + first).text
    # Without the form's token nothing changes.
    r = w.bea_session.post(s.url + "/settings/book", data={"share": "1"}, allow_redirects=False)
    assert r.status_code == 403
    assert anon.get(s.url + first + "/book.epub").status_code == 404
    assert requests.post(s.url + "/settings/book", data={"share": "1"}).status_code == 401
    set_share(w, True)
    page = anon.get(s.url + first).text
    assert 'href="%s/book.epub"' % first in page
    path = os.path.join(w.work, "reader.epub")
    for who in (anon, w.cat_session, w.bea_session):
        r = download(who, s.url + first + "/book.epub", path)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "application/epub+zip"
        assert r.headers["Content-Disposition"] == 'attachment; filename="bea-%s.epub"' % w.first["slug"]
    epubcheck(path)
    b = Book(path)
    assert b.toc == ["First light zb"]
    text = b.all_text()
    assert "AltCircle-zb" not in text and "AltPrivate-zb" not in text and "DraftText-zb" not in text
    assert not any(w.photos["circle"]["id"] in n or w.photos["private"]["id"] in n for n in b.names)
    # Not a story that is not public, for anyone, the writer too.
    for who in (anon, w.cat_session, w.bea_session):
        assert who.get(s.url + circle + "/book.epub").status_code == 404
    assert "book.epub" not in w.bea_session.get(s.url + circle).text
    assert anon.get(s.url + "/@bea/no-such-story/book.epub").status_code == 404
    assert anon.get(s.url + "/@nobody/x/book.epub").status_code == 404
    set_share(w, False)
    assert anon.get(s.url + first + "/book.epub").status_code == 404
    assert "book.epub" not in anon.get(s.url + first).text
