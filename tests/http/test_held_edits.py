"""Held edits over HTTP: while a story is published, editor saves,
autosaves, revision restores and the draft API go to its pending draft;
readers (page, feed, search, sitemap, API for others) keep the published
version until the writer publishes the draft. PATCH stays an explicit,
immediate change. Also photo audiences through the API, and the search
text of stories stored before it existed."""
import re
import subprocess
import os
import tempfile

import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
from site_db import on_pg, site_db


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def new_published(server, tok, title, body, **extra):
    r = requests.post(server.url + "/api/v1/stories", headers=auth(tok),
                      json=dict(title=title, body=body, status="published", **extra))
    assert r.status_code == 201, r.text
    return r.json()


def reader_views(server, st):
    """Everything an anonymous reader can get of the story."""
    return [requests.get(st["url"]).text, requests.get(server.url + "/feed.atom").text,
            requests.get(server.url + "/api/v1/stories/" + st["id"]).text,
            requests.get(server.url + "/search?q=zqheld").text,
            requests.get(server.url + "/").text]


def test_draft_api_holds_until_publish(server):
    tok = api_token(server, *ADMIN)
    st = new_published(server, tok, "Held one", "Published words zqheld.", tags=["winter"])
    assert st["draft"] is None
    sid = st["id"]
    # Nothing pending yet.
    assert requests.get(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok)).status_code == 404
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok), json={
        "body": "Pending words zqheld NOTYETzq.", "title": "Held one, retitled",
        "tags": ["spring"], "content_note": "A note in waiting", "base_revision": st["revision_id"]})
    assert r.status_code == 200, r.text
    o = r.json()
    assert o["body"] == "Published words zqheld." and o["title"] == "Held one"
    d = o["draft"]
    assert d["body"] == "Pending words zqheld NOTYETzq." and d["title"] == "Held one, retitled"
    assert d["tags"] == ["spring"] and d["content_note"] == "A note in waiting"
    assert re.fullmatch(r"[0-9a-f]{16}", d["revision_id"]) and d["updated_at"]
    assert o["revision_id"] == d["revision_id"]
    for view in reader_views(server, st):
        assert "NOTYETzq" not in view and "retitled" not in view and "A note in waiting" not in view
    assert "/tag/spring" not in requests.get(st["url"]).text
    # A stale base is refused (409), as any save.
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok), json={
        "body": "stale", "base_revision": st["revision_id"]})
    assert r.status_code == 409
    # A status does not belong in a draft.
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok),
                     json={"status": "published"})
    assert r.status_code == 422
    # Nobody else sees the draft object or its route.
    other = requests.get(server.url + "/api/v1/stories/" + sid).json()
    assert "draft" not in other
    assert requests.get(server.url + "/api/v1/stories/%s/draft" % sid).status_code == 401
    g = requests.get(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok))
    assert g.status_code == 200 and g.json()["title"] == "Held one, retitled"
    # Publish it: live now, draft gone, a publish revision kept.
    r = requests.post(server.url + "/api/v1/stories/%s/draft/publish" % sid, headers=auth(tok))
    assert r.status_code == 200, r.text
    o = r.json()
    assert o["draft"] is None and o["body"] == "Pending words zqheld NOTYETzq."
    assert o["tags"] == ["spring"] and o["content_note"] == "A note in waiting"
    assert "NOTYETzq" in requests.get(o["url"]).text
    revs = requests.get(server.url + "/api/v1/stories/%s/revisions" % sid, headers=auth(tok)).json()
    revs = revs.get("revisions", revs) if isinstance(revs, dict) else revs
    assert revs[0]["kind"] == "publish"


def test_discard_and_patch_is_immediate(server):
    tok = api_token(server, *ADMIN)
    st = new_published(server, tok, "Held two", "Kept as published.")
    sid = st["id"]
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok),
                     json={"body": "Thrown away zqdiscard."})
    assert r.status_code == 200
    assert requests.delete(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok)).status_code == 204
    o = requests.get(server.url + "/api/v1/stories/" + sid, headers=auth(tok)).json()
    assert o["draft"] is None and o["body"] == "Kept as published."
    # The editor's next save is checked against the published text.
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok),
                     json={"body": "Again.", "base_revision": o["revision_id"]})
    assert r.status_code == 200, r.text
    # PATCH is an API client's deliberate act: live at once, draft untouched.
    r = requests.patch(server.url + "/api/v1/stories/" + sid, headers=auth(tok),
                       json={"subtitle": "Patched live zqpatch"})
    assert r.status_code == 200
    assert "Patched live zqpatch" in requests.get(st["url"]).text
    assert r.json()["draft"]["body"] == "Again."
    # A draft brought back to the published text is no draft.
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok),
                     json={"body": "Kept as published.", "subtitle": "Patched live zqpatch"})
    assert r.status_code == 200 and r.json()["draft"] is None


def test_unpublished_story_draft_put_saves_it(server):
    tok = api_token(server, *ADMIN)
    r = requests.post(server.url + "/api/v1/stories", headers=auth(tok),
                      json={"title": "Never out", "body": "one"})
    sid = r.json()["id"]
    r = requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok), json={"body": "two"})
    assert r.status_code == 200 and r.json()["body"] == "two" and r.json()["draft"] is None
    r = requests.post(server.url + "/api/v1/stories/%s/draft/publish" % sid, headers=auth(tok))
    assert r.status_code == 200 and r.json()["status"] == "published"


def editor(s, server, sid):
    page = s.get(server.url + "/edit/" + sid)
    assert page.status_code == 200
    return page


def test_editor_save_autosave_restore_are_held(server):
    tok = api_token(server, *ADMIN)
    st = new_published(server, tok, "Held three", "Original text zqthree.")
    sid = st["id"]
    s = login(server, *ADMIN)
    page = editor(s, server, sid)
    csrf = csrf_of(page.text)
    base = re.search(r'name="base_revision" value="([0-9a-f]*)"', page.text).group(1)
    # Autosave sends every field.
    r = s.post(server.url + "/edit/%s/autosave" % sid, headers={"X-CSRF-Token": csrf}, data={
        "csrf": csrf, "title": "Held three", "subtitle": "", "body": "Autosaved zqauto.",
        "base_revision": base, "audience": "public", "tags": "one, two", "content_note": "cn-auto",
        "responses": "approval", "responders": "signed_in"})
    assert r.status_code == 200, r.text
    j = r.json()
    assert j["held"] is True
    assert "zqauto" not in requests.get(st["url"]).text
    d = requests.get(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok)).json()
    assert d["tags"] == ["one", "two"] and d["content_note"] == "cn-auto" and d["responses"] == "approval"
    # The editor shows the draft and says so.
    page = editor(s, server, sid)
    assert "Autosaved zqauto." in page.text and "not yet published" in page.text
    assert 'value="discard"' in page.text
    assert 'value="one, two"' in page.text
    # Save (form): held too.
    r = s.post(server.url + "/edit/" + sid, data={
        "csrf": csrf, "action": "save", "title": "Held three", "body": "Saved zqsave.",
        "base_revision": j["revision_id"]}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/edit/" + sid
    assert "not yet published: readers still see" in s.get(server.url + r.headers["Location"]).text
    assert "zqsave" not in requests.get(st["url"]).text
    # Preview page: the draft as readers will get it, for her only.
    pv = s.get(server.url + "/edit/%s/preview" % sid)
    assert pv.status_code == 200 and "Saved zqsave." in pv.text and "not published yet" in pv.text
    assert requests.get(server.url + "/edit/%s/preview" % sid, allow_redirects=False).status_code == 303
    # Restoring the first revision goes to the draft, not to readers.
    revs = requests.get(server.url + "/api/v1/stories/%s/revisions" % sid, headers=auth(tok)).json()
    revs = revs.get("revisions", revs) if isinstance(revs, dict) else revs
    first = revs[-1]["id"]
    cur = [x for x in revs if x["current"]][0]["id"]
    r = requests.post(server.url + "/api/v1/revisions/%s/restore" % first, headers=auth(tok),
                      json={"base_revision": cur})
    assert r.status_code == 200, r.text
    o = requests.get(server.url + "/api/v1/stories/" + sid, headers=auth(tok)).json()
    assert o["draft"]["body"] == "Original text zqthree."
    # Make a change again, then Update from the form: live, draft gone.
    page = editor(s, server, sid)
    base = re.search(r'name="base_revision" value="([0-9a-f]*)"', page.text).group(1)
    r = s.post(server.url + "/edit/" + sid, data={
        "csrf": csrf, "action": "publish", "title": "Held three", "body": "Updated zqupdate.",
        "base_revision": base, "audience": "public", "responses": "open", "responders": "signed_in"},
        allow_redirects=False)
    assert r.status_code == 303
    assert "zqupdate" in requests.get(st["url"]).text
    assert requests.get(server.url + "/api/v1/stories/" + sid, headers=auth(tok)).json()["draft"] is None
    # Discard from the form.
    s.post(server.url + "/edit/%s/autosave" % sid, headers={"X-CSRF-Token": csrf},
           data={"csrf": csrf, "title": "Held three", "body": "To be thrown zqthrow."})
    # First a confirmation page (no script needed), nothing discarded yet.
    r = s.post(server.url + "/edit/" + sid, data={"csrf": csrf, "action": "discard"}, allow_redirects=False)
    assert r.status_code == 200 and "Discard your changes?" in r.text and 'name="confirm" value="1"' in r.text
    assert requests.get(server.url + "/api/v1/stories/" + sid, headers=auth(tok)).json()["draft"] is not None
    r = s.post(server.url + "/edit/" + sid, data={"csrf": csrf, "action": "discard", "confirm": "1"},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/edit/" + sid
    page = s.get(server.url + r.headers["Location"])
    assert "zqthrow" not in page.text and "Updated zqupdate." in page.text
    assert "Your changes were discarded" in page.text


def test_unpublish_takes_the_draft(server):
    tok = api_token(server, *ADMIN)
    st = new_published(server, tok, "Held four", "Live text.")
    sid = st["id"]
    requests.put(server.url + "/api/v1/stories/%s/draft" % sid, headers=auth(tok),
                 json={"body": "Draft text wins."})
    r = requests.patch(server.url + "/api/v1/stories/" + sid, headers=auth(tok), json={"status": "draft"})
    assert r.status_code == 200
    o = r.json()
    assert o["status"] == "draft" and o["body"] == "Draft text wins." and o["draft"] is None


def test_photo_audience_api(server):
    admin = login(server, *ADMIN)
    tok = api_token(server, *ADMIN)
    other = invite_and_signup(server, admin, "held_other", "a password for tests")
    otok = api_token(server, "held_other", "a password for tests")
    theirs = requests.post(server.url + "/api/v1/circles", headers=auth(otok), json={"name": "theirs"}).json()
    mine = requests.post(server.url + "/api/v1/circles", headers=auth(tok), json={"name": "mine"}).json()
    st = new_published(server, tok, "Photo audiences", "x")
    img = os.path.join(tempfile.mkdtemp(prefix="quire-held-"), "p.jpg")
    subprocess.run(["convert", "-size", "40x30", "xc:#123456", img], check=True)

    def up(**fields):
        with open(img, "rb") as f:
            return requests.post(server.url + "/api/v1/stories/%s/photos" % st["id"], headers=auth(tok),
                                 data=dict(alt="a", **fields), files={"file": ("p.jpg", f, "image/jpeg")})
    assert up(audience="everyone").status_code == 422
    assert up(audience="circle").status_code == 422
    assert up(audience="circle", circle_id=theirs["id"]).status_code == 422
    r = up(audience="circle", circle_id=mine["id"])
    assert r.status_code == 201, r.text
    ph = r.json()
    assert ph["audience"] == "circle" and ph["circle_id"] == mine["id"]
    # Not for the other writer, who can read the story.
    assert requests.get(server.url + "/api/v1/photos/" + ph["id"], headers=auth(otok)).status_code == 404
    var = ph["variants"][0]["url"]
    assert requests.get(var).status_code == 404
    r = requests.patch(server.url + "/api/v1/photos/" + ph["id"], headers=auth(tok), json={"audience": "story"})
    assert r.status_code == 200 and r.json()["audience"] == "story" and r.json()["circle_id"] is None
    assert requests.get(var).status_code == 200
    r = requests.patch(server.url + "/api/v1/photos/" + ph["id"], headers=auth(tok), json={"audience": "private"})
    assert r.status_code == 200
    assert requests.get(var).status_code == 404
    assert requests.patch(server.url + "/api/v1/photos/" + ph["id"], headers=auth(tok),
                          json={"audience": "circle", "circle_id": theirs["id"]}).status_code == 422
    other.close()


def test_search_text_backfilled_for_old_stories():
    """A store from before search_text: the text is made at start, without
    photo alt text, and search finds the words."""
    s = Server()
    try:
        s.start()
        tok = api_token(s, *ADMIN)
        st = new_published(s, tok, "Old story", "Words zqold here.\n\n![secret alt zqalt](http://x/y.png)")
        s.stop()
        with site_db(s) as db:
            db.execute("UPDATE stories SET search_text = NULL")
            if on_pg(s):
                db.execute("UPDATE stories SET search_doc = NULL")
            else:
                db.execute("DELETE FROM stories_fts")
                db.commit()
        s.start()
        r = requests.get(s.url + "/api/v1/search?q=zqold").json()
        assert [x["id"] for x in r["stories"]] == [st["id"]]
        assert requests.get(s.url + "/api/v1/search?q=zqalt").json()["stories"] == []
        with site_db(s) as db:
            assert db.execute("SELECT count(*) FROM stories WHERE search_text IS NULL").fetchone()[0] == 0
    finally:
        s.stop()
        s.cleanup()
