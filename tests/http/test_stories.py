"""Writing and reading through the web pages: editor, preview, publish,
slugs and redirects, drafts, deletion, home and profile pagination."""
import re

import requests

from quire_server import ADMIN, api_token, csrf_of, invite_and_signup, login




def editor_post(s, url, action, **fields):
    page = s.get(url if url.endswith("/write") else url)
    data = {"csrf": csrf_of(page.text), "action": action}
    data.update(fields)
    return s.post(url, data=data, allow_redirects=False)


def test_write_preview_draft_publish_read(server):
    s = login(server, *ADMIN)
    url = server.url + "/write"
    body = "It was the *first* spring.\n\n## After\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~ and https://example.org\n\nNote[^1].\n\n[^1]: A footnote."
    # Preview renders with the same renderer and saves nothing.
    r = editor_post(s, url, "preview", title="The Spring", subtitle="A year later", body=body)
    assert r.status_code == 200
    assert "<em>first</em>" in r.text and "Preview" in r.text
    assert "The Spring" not in s.get(server.url + "/me/stories").text
    # Save a draft.
    r = editor_post(s, url, "save", title="The Spring", subtitle="A year later", body=body)
    assert r.status_code == 303
    edit_url = server.url + r.headers["Location"].split("?")[0]
    assert re.search(r"/edit/[0-9a-f]{16}$", edit_url)
    assert requests.get(server.url + "/@ada/the-spring").status_code == 404, "drafts are private"
    assert s.get(server.url + "/@ada/the-spring").status_code == 200, "the writer sees her draft"
    assert "The Spring" not in requests.get(server.url + "/").text
    # Publish.
    r = editor_post(s, edit_url, "publish", title="The Spring", subtitle="A year later", body=body)
    assert r.status_code == 303 and r.headers["Location"] == "/@ada/the-spring"
    page = requests.get(server.url + "/@ada/the-spring")
    assert page.status_code == 200
    html = page.text
    assert "<h1>The Spring</h1>" in html
    assert "A year later" in html
    assert "<h2>After</h2>" in html and "<h1>After" not in html, "## is a section under the title"
    assert "<table>" in html and "<del>gone</del>" in html
    assert '<a href="https://example.org"' in html
    assert "footnote" in html.lower()
    assert "min read" in html and 'datetime="' in html
    assert "Set-Cookie" not in page.headers
    assert "The Spring" in requests.get(server.url + "/").text
    assert "The Spring" in requests.get(server.url + "/@ada").text
    # Unpublish hides it again.
    r = editor_post(s, edit_url, "unpublish", title="The Spring", subtitle="A year later", body=body)
    assert r.status_code == 303
    assert requests.get(server.url + "/@ada/the-spring").status_code == 404
    assert "The Spring" not in requests.get(server.url + "/").text


def test_raw_html_and_script_urls_never_reach_the_page(server):
    tok = api_token(server, *ADMIN)
    evil = ('<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n'
            '[click](javascript:alert(3)) [v](vbscript:msgbox) ![i](javascript:alert(4))\n\n'
            '<iframe src="https://evil.example"></iframe>')
    r = requests.post(server.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                      json={"title": "<b>Bold</b> title", "subtitle": "\"quoted\" & <i>", "body": evil,
                            "status": "published"})
    assert r.status_code == 201
    page = requests.get(r.json()["url"]).text
    # Our own progressive-enhancement scripts (same origin, /static/) are
    # allowed; nothing else may open a script.
    lowered = re.sub(r'<script src="/static/[a-z0-9.]+\.js" defer></script>', "", page.lower())
    assert "<script" not in lowered
    assert "onerror" not in lowered
    assert "javascript:" not in lowered and "vbscript:" not in lowered
    assert "<iframe" not in lowered
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert "&quot;quoted&quot; &amp; &lt;i&gt;" in page


def test_slugs_unique_and_old_urls_redirect(server):
    tok = api_token(server, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    a = requests.post(server.url + "/api/v1/stories", headers=h,
                      json={"title": "Same Title", "body": "one", "status": "published"}).json()
    b = requests.post(server.url + "/api/v1/stories", headers=h,
                      json={"title": "Same Title", "body": "two", "status": "published"}).json()
    assert a["slug"] == "same-title" and b["slug"] == "same-title-2"
    r = requests.patch(server.url + "/api/v1/stories/" + a["id"], headers=h,
                       json={"title": "A Better Title"})
    assert r.status_code == 200 and r.json()["slug"] == "a-better-title"
    old = requests.get(server.url + "/@ada/same-title", allow_redirects=False)
    assert old.status_code == 301 and old.headers["Location"] == "/@ada/a-better-title"
    assert requests.get(server.url + "/@ada/a-better-title").status_code == 200
    # A new story cannot take the old slug away from the redirect.
    c = requests.post(server.url + "/api/v1/stories", headers=h,
                      json={"title": "Same Title", "body": "three", "status": "published"}).json()
    assert c["slug"] != "same-title" and c["slug"] != "same-title-2"
    # Handles are case-insensitive in URLs.
    r = requests.get(server.url + "/@ADA/a-better-title", allow_redirects=False)
    assert r.status_code == 301 and r.headers["Location"] == "/@ada/a-better-title"


def test_edited_marker_only_after_publication_changes(server):
    tok = api_token(server, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    st = requests.post(server.url + "/api/v1/stories", headers=h,
                       json={"title": "Edited later", "body": "v1", "status": "published"}).json()
    assert "Last edited" not in requests.get(st["url"]).text
    requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h, json={"body": "v2"})
    assert "Last edited" in requests.get(st["url"]).text


def test_delete_via_editor_asks_then_deletes(server):
    s = login(server, *ADMIN)
    r = editor_post(s, server.url + "/write", "publish", title="To be deleted", body="bye")
    assert r.status_code == 303
    story_url = server.url + r.headers["Location"]
    mine = s.get(server.url + "/me/stories").text
    edit = re.search(r'href="(/edit/[0-9a-f]{16})">To be deleted', mine) or \
        re.search(r'To be deleted</a>.*?href="(/edit/[0-9a-f]{16})"', mine, re.S)
    edit_url = server.url + edit.group(1)
    r = editor_post(s, edit_url, "delete", title="To be deleted", body="bye")
    assert r.status_code == 200 and "Delete the story" in r.text
    assert requests.get(story_url).status_code == 200, "asking is not deleting"
    r = editor_post(s, edit_url, "delete_confirmed")
    assert r.status_code == 303
    assert requests.get(story_url).status_code == 404
    assert s.get(edit_url).status_code == 404


def test_other_writers_cannot_edit(server):
    admin = login(server, *ADMIN)
    r = editor_post(admin, server.url + "/write", "save", title="Admin draft", body="secret draft")
    edit_url = server.url + r.headers["Location"].split("?")[0]
    other = invite_and_signup(server, admin, "otherwriter", "other writer password")
    assert other.get(edit_url).status_code == 404
    page = other.get(server.url + "/write")
    r = other.post(edit_url, data={"csrf": csrf_of(page.text), "action": "publish",
                                   "title": "Hijacked", "body": "x"})
    assert r.status_code == 404
    assert "Hijacked" not in admin.get(edit_url).text


def test_invalid_editor_input_keeps_the_text(server):
    s = login(server, *ADMIN)
    r = editor_post(s, server.url + "/write", "save", title="", body="Words I must not lose")
    assert r.status_code == 422
    assert "Words I must not lose" in r.text
    r = editor_post(s, server.url + "/write", "save", title="x" * 201, body="Also kept")
    assert r.status_code == 422 and "Also kept" in r.text


def test_home_and_profile_keyset_pagination(server):
    admin = login(server, *ADMIN)
    w = invite_and_signup(server, admin, "pager", "pager password long")
    tok = api_token(server, "pager", "pager password long")
    h = {"Authorization": "Bearer " + tok}
    titles = ["Paged story %02d" % i for i in range(23)]
    for t in titles:
        assert requests.post(server.url + "/api/v1/stories", headers=h,
                             json={"title": t, "body": t, "status": "published"}).status_code == 201
    requests.post(server.url + "/api/v1/stories", headers=h, json={"title": "Pager draft", "body": "d"})
    seen = []
    url = server.url + "/@pager"
    pages = 0
    while url:
        html = requests.get(url).text
        seen += re.findall(r">(Paged story \d\d)</a></h2>", html)
        m = re.search(r'rel="next" href="([^"]+)"', html)
        url = server.url + m.group(1).replace("&amp;", "&") if m else None
        pages += 1
        assert pages < 10
    assert sorted(seen) == sorted(titles) and len(seen) == len(set(seen)) == 23
    assert pages == 3
    assert "Pager draft" not in requests.get(server.url + "/@pager").text
    # The site's home pages on too (23 public stories, 10 a page).
    home = requests.get(server.url + "/").text
    assert re.search(r'href="/\?before=\d+-[0-9a-f]{16}"', home), "no next-page link on the home page"
    assert requests.get(server.url + "/?before=garbage").status_code == 400
    assert w.get(server.url + "/me/stories").text.count("Paged story") == 23


def test_profile_and_story_404s(server):
    for path in ("/@nobody", "/@nobody/story", "/@ada/no-such-story", "/@a%20b", "/@"):
        r = requests.get(server.url + path)
        assert r.status_code == 404, path
        assert "<html" in r.text
    r = requests.get(server.url + "/@ada/no-such-story")
    assert "sign in" in r.text.lower() and "return_to=" in r.text


def test_headings_saved_before_move_up_once():
    """Stories are rendered at save time; those saved when ## was <h3>
    are brought to the new levels by migration 013 (SQLite), once."""
    import os
    import sqlite3
    import pytest
    from quire_server import ADMIN, ON_PG, Server, api_token
    if ON_PG:
        pytest.skip("an older SQLite file; PostgreSQL's 004_heading_levels is the same UPDATE")
    s = Server(admin=ADMIN)
    s.start()
    try:
        tok = api_token(s, *ADMIN)
        requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                      json={"title": "Old levels", "body": "# A\n\n## B\n\n### C\n\n`<h3>` stays text",
                            "status": "published"})
        s.stop()
        db = sqlite3.connect(os.path.join(s.data, "quire.db"))
        # As the renderer before migration 013 stored it.
        db.execute("UPDATE stories SET body_html = ?", (
            "<h2>A</h2>\n<h3>B</h3>\n<h4>C</h4>\n<p><code>&lt;h3&gt;</code> stays text</p>\n",))
        v = db.execute("PRAGMA user_version").fetchone()[0]
        assert v >= 13
        # Back to version 12: what later migrations made goes too, so
        # that they run again after 013.
        import glob
        import re as _re
        mig = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), "src", "store", "sqlite", "migrations")
        paths = sorted(glob.glob(os.path.join(mig, "*.sql")), reverse=True)
        # Tables of version 12 stay, even when a later migration rebuilds
        # them (024 rebuilds responses and response_reports in place).
        base = {t for path in paths if int(os.path.basename(path)[:3]) <= 13
                for t in _re.findall(r"CREATE TABLE (\w+)", open(path).read())}
        for path in paths:
            if int(os.path.basename(path)[:3]) <= 13:
                continue
            sql = open(path).read()
            for t in _re.findall(r"CREATE TABLE (\w+)", sql):
                if t not in base:
                    db.execute("DROP TABLE IF EXISTS " + t)
            for t, c in _re.findall(r"ALTER TABLE (\w+) ADD COLUMN (\w+)", sql):
                db.execute("ALTER TABLE %s DROP COLUMN %s" % (t, c))
        db.execute("PRAGMA user_version = 12")
        db.commit()
        db.close()
        s.start()
        html = requests.get(s.url + "/@ada/old-levels").text
        assert "<h2>A</h2>\n<h2>B</h2>\n<h3>C</h3>\n<p><code>&lt;h3&gt;</code> stays text</p>" in html
    finally:
        s.stop()
        s.cleanup()
