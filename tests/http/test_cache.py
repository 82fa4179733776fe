"""The page cache never serves a stale or someone else's page.

Anonymous pages are cached per worker thread (src/site/page_cache.h) and
dropped on any database change; these tests change things through the
real pages and check that the very next anonymous request shows it, on
every worker thread, and that signed-in pages never touch the anonymous
cache. Each anonymous read uses a fresh connection several times over, so
that every worker thread's cache is exercised."""
import gzip

import requests

from quire_server import ADMIN, csrf_of, login

READS = 6  # fresh connections per check: spreads over the worker threads


def anon_reads(url, **kw):
    return [requests.get(url, allow_redirects=False, **kw) for _ in range(READS)]


def editor_post(s, url, action, **fields):
    page = s.get(url)
    data = {"csrf": csrf_of(page.text), "action": action}
    data.update(fields)
    return s.post(url, data=data, allow_redirects=False)


def publish(server, s, title, body):
    r = editor_post(s, server.url + "/write", "publish", title=title, subtitle="", body=body)
    assert r.status_code == 303, r.text[:300]
    path = r.headers["Location"]
    edit = s.get(server.url + path)
    m = [line for line in edit.text.split('"') if line.startswith("/edit/")]
    assert m, "the author sees an edit link"
    return server.url + path, server.url + m[0]


def test_anonymous_page_cached_with_validators(server):
    s = login(server, *ADMIN)
    url, _ = publish(server, s, "Validators", "Some text that is long enough. " * 40)
    pages = anon_reads(url)
    assert all(p.status_code == 200 for p in pages)
    assert len({p.text for p in pages}) == 1, "every read is the same page"
    etags = {p.headers.get("ETag") for p in pages}
    assert len(etags) == 1 and None not in etags, "stable strong ETag"
    etag = etags.pop()
    assert not etag.startswith("W/")
    assert all("Set-Cookie" not in p.headers for p in pages)
    # Conditional request.
    r = requests.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers.get("ETag") == etag
    r = requests.get(url, headers={"If-None-Match": '"something-else"'})
    assert r.status_code == 200 and r.text == pages[0].text
    # gzip for clients that accept it, the same page once inflated.
    raw = requests.get(url, headers={"Accept-Encoding": "gzip"}, stream=True)
    body = raw.raw.read()
    assert raw.headers.get("Content-Encoding") == "gzip"
    assert "Accept-Encoding" in raw.headers.get("Vary", "")
    assert gzip.decompress(body).decode() == pages[0].text
    assert raw.headers["ETag"] == etag, "requests asks for gzip by default"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers and plain.text == pages[0].text
    assert plain.headers["ETag"] != etag, "the gzip copy has its own ETag"
    r = requests.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert r.status_code == 200, "a gzip ETag does not validate the plain copy"
    refused = requests.get(url, headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    # HEAD answers the same headers, no body.
    h = requests.head(url)
    assert h.status_code == 200 and h.headers.get("ETag") == etag and h.content == b""


def test_edit_unpublish_and_rename_show_at_once(server):
    s = login(server, *ADMIN)
    url, edit_url = publish(server, s, "The Orchard", "The apples were *green* that year.")
    home, profile = server.url + "/", server.url + "/@ada"
    # Warm every thread's cache with the current pages.
    for p in anon_reads(url):
        assert "green" in p.text
    for p in anon_reads(home) + anon_reads(profile):
        assert "The Orchard" in p.text

    # Edit: saved, the change is held for the writer; readers keep the
    # published text until she presses Update.
    r = editor_post(s, edit_url, "save", title="The Orchard", subtitle="",
                    body="The apples were *red* that year.")
    assert r.status_code == 303
    for p in anon_reads(url):
        assert p.status_code == 200 and "green" in p.text and "<em>red</em>" not in p.text
    # Update: the very next anonymous read shows the new text.
    r = editor_post(s, edit_url, "publish", title="The Orchard", subtitle="",
                    body="The apples were *red* that year.")
    assert r.status_code == 303
    for p in anon_reads(url):
        assert p.status_code == 200 and "<em>red</em>" in p.text and "green" not in p.text

    # Rename the writer: story, home and profile all show the new name.
    page = s.get(server.url + "/settings")
    r = s.post(server.url + "/settings", data={"csrf": csrf_of(page.text), "name": "Ada Orchard",
                                               "bio": "Keeps bees."}, allow_redirects=False)
    assert r.status_code in (200, 303), r.text[:300]
    for u in (url, home, profile):
        for p in anon_reads(u):
            assert "Ada Orchard" in p.text, u

    # Unpublish: gone from the story URL, the home page and the profile.
    r = editor_post(s, edit_url, "unpublish", title="The Orchard", subtitle="",
                    body="The apples were *red* that year.")
    assert r.status_code == 303
    for p in anon_reads(url):
        assert p.status_code == 404
    for p in anon_reads(home) + anon_reads(profile):
        assert "The Orchard" not in p.text

    # Publish again: back at once.
    r = editor_post(s, edit_url, "publish", title="The Orchard", subtitle="",
                    body="The apples were *red* that year.")
    assert r.status_code == 303
    for p in anon_reads(url):
        assert p.status_code == 200 and "<em>red</em>" in p.text


def test_signed_in_pages_never_shared(server):
    s = login(server, *ADMIN)
    url, _ = publish(server, s, "Personal Views", "Words for everyone.")
    home = server.url + "/"
    for u in (url, home, server.url + "/@ada"):
        # Signed-in first: if it were stored, the anonymous reads would get it.
        mine = s.get(u)
        assert mine.status_code == 200
        assert 'action="/logout"' in mine.text, "signed-in page is personal"
        cc = mine.headers.get("Cache-Control", "")
        assert "private" in cc and "no-store" in cc, (u, cc)
        assert "public" not in cc
        assert "ETag" not in mine.headers, "no validators on personal pages"
        for p in anon_reads(u):
            assert 'action="/logout"' not in p.text and 'name="csrf"' not in p.text, u
            assert "private" not in p.headers.get("Cache-Control", "")
        # And a warm anonymous cache is never served to the signed-in reader.
        again = s.get(u)
        assert 'action="/logout"' in again.text and "ETag" not in again.headers
        # Nor with validators or gzip negotiation in the way.
        etag = requests.get(u).headers["ETag"]
        r = s.get(u, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
        assert r.status_code == 200 and 'action="/logout"' in r.text


def test_cookies_and_tokens_bypass_the_cache(server):
    s = login(server, *ADMIN)
    url, _ = publish(server, s, "Cookie Jar", "Plain words.")
    anon_reads(url)
    # An unknown or expired session cookie is an anonymous reader, rendered
    # afresh (no validators from the cache path), never an error.
    r = requests.get(url, cookies={"quire_session": "0" * 64})
    assert r.status_code == 200 and 'action="/logout"' not in r.text
    # A bearer token on an HTML page is not served from the anonymous cache.
    tok = requests.post(server.url + "/api/v1/tokens",
                        json={"handle": ADMIN[0], "password": ADMIN[1]}).json()["token"]
    r = requests.get(url, headers={"Authorization": "Bearer " + tok})
    assert r.status_code == 200 and "ETag" not in r.headers


def test_query_string_is_part_of_the_key(server):
    s = login(server, *ADMIN)
    for i in range(12):
        r = editor_post(s, server.url + "/write", "publish", title="Page test %d" % i,
                        subtitle="", body="Body %d." % i)
        assert r.status_code == 303
    first = requests.get(server.url + "/")
    assert first.status_code == 200
    nxt = [l for l in first.text.split('"') if l.startswith("/?before=")]
    assert nxt, "home has a next-page link"
    second = requests.get(server.url + nxt[0].replace("&amp;", "&"))
    assert second.status_code == 200 and second.text != first.text
    again = requests.get(server.url + "/")
    assert again.text == first.text
    bad = requests.get(server.url + "/?before=nonsense")
    assert bad.status_code == 400


def test_feed_cached_and_fresh(server):
    s = login(server, *ADMIN)
    publish(server, s, "Feed cache one", "First words. " * 30)
    feeds = anon_reads(server.url + "/feed.atom", headers={"Accept-Encoding": "gzip"})
    assert all(f.status_code == 200 and "Feed cache one" in f.text for f in feeds)
    # Served from the page cache: its gzip copy, with the copy's own ETag.
    assert all(f.headers.get("Content-Encoding") == "gzip" for f in feeds)
    assert all(f.headers["ETag"].endswith('-gz"') for f in feeds)
    assert feeds[0].headers["Content-Type"].startswith("application/atom+xml")
    lm = feeds[0].headers["Last-Modified"]
    r = requests.get(server.url + "/feed.atom", headers={"If-None-Match": feeds[0].headers["ETag"]})
    assert r.status_code == 304
    r = requests.get(server.url + "/feed.atom", headers={"If-Modified-Since": lm})
    assert r.status_code == 304 and r.content == b""
    # A new story shows in the very next read; the old validators no longer match.
    publish(server, s, "Feed cache two", "Second words. " * 30)
    for f in anon_reads(server.url + "/feed.atom"):
        assert "Feed cache two" in f.text
    r = requests.get(server.url + "/feed.atom", headers={"If-None-Match": feeds[0].headers["ETag"]})
    assert r.status_code == 200 and "Feed cache two" in r.text
    # A signed-in reader's request is answered by the handler itself.
    mine = s.get(server.url + "/feed.atom", headers={"Accept-Encoding": "identity"})
    assert mine.status_code == 200 and "Feed cache two" in mine.text
    assert "Content-Encoding" not in mine.headers
