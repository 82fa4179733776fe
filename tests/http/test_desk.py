"""The writing desk: revisions, conflict-safe saves (API and autosave),
scheduled publishing without a request, trash restore and purge."""
import os
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from quire_server import ADMIN, Server, api_token, csrf_of, login
from site_db import site_db


def auth(server, who=ADMIN):
    return {"Authorization": "Bearer " + api_token(server, *who)}


def new_story(server, h, **fields):
    body = {"title": "Desk story", "body": "First line.\n"}
    body.update(fields)
    r = requests.post(server.url + "/api/v1/stories", headers=h, json=body)
    assert r.status_code == 201, r.text
    return r.json()


def revisions(server, h, sid):
    r = requests.get(server.url + "/api/v1/stories/%s/revisions" % sid, headers=h)
    assert r.status_code == 200, r.text
    return r.json()


def rfc3339(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_makes_first_revision_and_patch_keeps_one(server):
    h = auth(server)
    st = new_story(server, h, title="Revisions one")
    assert re.fullmatch(r"[0-9a-f]{16}", st["revision_id"])
    revs = revisions(server, h, st["id"])
    assert [r["kind"] for r in revs] == ["create"] and revs[0]["id"] == st["revision_id"]
    # A PATCH that changes content keeps a revision; one that does not, none.
    r = requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h,
                       json={"body": "Second version.\n", "base_revision": st["revision_id"]})
    assert r.status_code == 200, r.text
    v2 = r.json()["revision_id"]
    assert v2 != st["revision_id"]
    r = requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h, json={"audience": "public"})
    assert r.status_code == 200 and r.json()["revision_id"] == v2
    # Publishing keeps one even without a text change.
    r = requests.patch(server.url + "/api/v1/stories/" + st["id"], headers=h, json={"status": "published"})
    revs = revisions(server, h, st["id"])
    assert [x["kind"] for x in revs] == ["publish", "save", "create"], "newest first"
    assert revs[0]["current"] and not revs[1]["current"]
    one = requests.get(server.url + "/api/v1/revisions/" + revs[2]["id"], headers=h).json()
    assert one["body"] == "First line.\n" and one["kind"] == "create"
    # Revisions are the writer's alone.
    assert requests.get(server.url + "/api/v1/revisions/" + revs[2]["id"]).status_code == 401
    assert requests.get(server.url + "/api/v1/stories/%s/revisions" % st["id"]).status_code == 401


def test_stale_base_revision_is_refused_and_kept(server):
    h = auth(server)
    st = new_story(server, h, title="Two editors", body="Base text.\n")
    base = st["revision_id"]
    url = server.url + "/api/v1/stories/" + st["id"]
    a = requests.patch(url, headers=h, json={"body": "Tab A wins.\n", "base_revision": base})
    assert a.status_code == 200
    b = requests.patch(url, headers=h, json={"body": "Tab B was late.\n", "base_revision": base})
    assert b.status_code == 409, b.text
    j = b.json()
    assert j["error"]["code"] == "conflict"
    assert j["revision"]["id"] == a.json()["revision_id"] and j["revision"]["body"] == "Tab A wins.\n"
    assert requests.get(url, headers=h).json()["body"] == "Tab A wins.\n", "the late save changed nothing"
    kept = requests.get(server.url + "/api/v1/revisions/" + j["conflict_revision"], headers=h).json()
    assert kept["kind"] == "conflict" and kept["body"] == "Tab B was late.\n"
    kinds = [r["kind"] for r in revisions(server, h, st["id"])]
    assert kinds[:2] == ["conflict", "save"]
    # With the current base it goes through; a malformed base is 422.
    assert requests.patch(url, headers=h, json={"body": "Merged.\n", "base_revision": j["revision"]["id"]}).status_code == 200
    assert requests.patch(url, headers=h, json={"body": "x", "base_revision": "nope"}).status_code == 422


def test_restore_makes_a_new_revision_and_diff_page(server):
    h = auth(server)
    st = new_story(server, h, title="Restore me", body="one\ntwo\nthree\n")
    url = server.url + "/api/v1/stories/" + st["id"]
    requests.patch(url, headers=h, json={"body": "one\nTWO\nthree\nfour\n"})
    first = revisions(server, h, st["id"])[-1]
    r = requests.post(server.url + "/api/v1/revisions/%s/restore" % first["id"], headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["body"] == "one\ntwo\nthree\n"
    revs = revisions(server, h, st["id"])
    assert [x["kind"] for x in revs] == ["restore", "save", "create"]
    assert revs[0]["restored_from"] == first["id"] and r.json()["revision_id"] == revs[0]["id"]
    # The history page shows a readable diff between two revisions.
    s = login(server, *ADMIN)
    page = s.get(server.url + "/edit/%s/history?from=%s&to=%s" % (st["id"], revs[2]["id"], revs[1]["id"]))
    assert page.status_code == 200
    assert '<span class="diff-del">two</span>' in page.text
    assert '<span class="diff-add">TWO</span>' in page.text and '<span class="diff-add">four</span>' in page.text
    assert '<span class="diff-same">one</span>' in page.text
    # Viewing and restoring through the pages.
    view = s.get(server.url + "/revisions/" + revs[1]["id"])
    assert view.status_code == 200 and "<p>one\nTWO" in view.text
    r = s.post(server.url + "/revisions/%s/restore" % revs[1]["id"], data={"csrf": csrf_of(view.text)},
               allow_redirects=False)
    assert r.status_code == 303
    assert requests.get(url, headers=h).json()["body"] == "one\nTWO\nthree\nfour\n"
    assert revisions(server, h, st["id"])[0]["kind"] == "restore"
    # Nobody else sees a writer's history.
    assert requests.get(server.url + "/revisions/" + revs[1]["id"], allow_redirects=False).status_code == 303
    other = requests.Session()
    assert other.get(server.url + "/api/v1/revisions/" + revs[1]["id"]).status_code == 401


def autosave(s, server, sid, page_html, base, **fields):
    data = {"csrf": csrf_of(page_html), "base_revision": base}
    data.update(fields)
    return s.post(server.url + "/edit/%s/autosave" % sid, data=data)


def test_autosave_coalesces_and_two_tabs_conflict(server):
    h = auth(server)
    st = new_story(server, h, title="Autosaved", body="Start.\n")
    s = login(server, *ADMIN)
    tab_a = s.get(server.url + "/edit/" + st["id"]).text
    tab_b = s.get(server.url + "/edit/" + st["id"]).text
    base = re.search(r'name="base_revision" value="([0-9a-f]{16})"', tab_a).group(1)
    assert base == st["revision_id"]
    # CSRF is required.
    assert s.post(server.url + "/edit/%s/autosave" % st["id"], data={"body": "x"}).status_code == 403
    # Tab A autosaves three times: one revision, a new id each time.
    ids = []
    for i in range(3):
        r = autosave(s, server, st["id"], tab_a, ids[-1] if ids else base, title="Autosaved",
                     body="Start.\nA typing %d\n" % i)
        assert r.status_code == 200, r.text
        ids.append(r.json()["revision_id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", r.json()["saved_at"])
    assert len(set(ids)) == 3
    kinds = [x["kind"] for x in revisions(server, h, st["id"])]
    assert kinds == ["autosave", "create"], kinds
    # An explicit save (Ctrl+S) is its own revision.
    r = autosave(s, server, st["id"], tab_a, ids[-1], title="Autosaved", body="Start.\nA saved\n", explicit="1")
    assert r.status_code == 200
    a_rev = r.json()["revision_id"]
    # Tab B still has the old base: refused, clearly, and its text kept.
    r = autosave(s, server, st["id"], tab_b, base, title="Autosaved", body="Start.\nB text\n")
    assert r.status_code == 409
    assert "another tab" in r.json()["error"]["message"]
    assert r.json()["revision_id"] == a_rev
    assert requests.get(server.url + "/api/v1/stories/" + st["id"], headers=h).json()["body"] == "Start.\nA saved\n"
    kept = requests.get(server.url + "/api/v1/revisions/" + r.json()["conflict_revision"], headers=h).json()
    assert kept["body"] == "Start.\nB text\n"
    kinds = [x["kind"] for x in revisions(server, h, st["id"])]
    assert kinds == ["conflict", "save", "autosave", "create"], kinds
    # The explicit form save with the stale base is refused too (409 page, text kept in the form).
    page = s.post(server.url + "/edit/" + st["id"], data={
        "csrf": csrf_of(tab_b), "action": "save", "title": "Autosaved", "body": "B form text",
        "base_revision": base}, allow_redirects=False)
    assert page.status_code == 409 and "another tab" in page.text and "B form text" in page.text


def test_autosave_of_a_new_story_creates_a_draft(server):
    s = login(server, *ADMIN)
    page = s.get(server.url + "/write").text
    assert 'data-autosave="/write/autosave"' in page
    assert re.search(r'<script src="/static/editor\.[0-9a-f]+\.js" defer></script>', page)
    r = s.post(server.url + "/write/autosave", data={"csrf": csrf_of(page), "title": "", "body": "Words before a title"})
    assert r.status_code == 201, r.text
    j = r.json()
    assert j["edit_url"] == "/edit/" + j["id"]
    ed = s.get(server.url + j["edit_url"]).text
    assert "Words before a title" in ed and "Untitled draft" in ed
    js = requests.get(server.url + "/static/editor.js")
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]


def test_story_page_does_not_load_the_editor_script(server):
    h = auth(server)
    st = new_story(server, h, title="No editor here", status="published")
    html = requests.get(st["url"]).text
    assert "editor." not in html and "data-autosave" not in html


def test_scheduled_story_publishes_on_time_without_a_request(server):
    h = auth(server)
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=4)
    st = new_story(server, h, title="Scheduled essay", status="scheduled", publish_at=rfc3339(at))
    assert st["status"] == "scheduled" and st["publish_at"] == rfc3339(at)
    assert st["published_at"] is None
    assert requests.get(server.url + "/@ada/scheduled-essay").status_code == 404
    assert "Scheduled essay" not in requests.get(server.url + "/").text
    # Bad schedules are refused.
    bad = requests.post(server.url + "/api/v1/stories", headers=h,
                        json={"title": "x", "status": "scheduled", "publish_at": "tomorrow"})
    assert bad.status_code == 422
    bad = requests.post(server.url + "/api/v1/stories", headers=h,
                        json={"title": "x", "status": "scheduled"})
    assert bad.status_code == 422
    # No request at all until 1.5 s after the time; then it is public.
    time.sleep(max(0, at.timestamp() - time.time()) + 1.5)
    r = requests.get(server.url + "/@ada/scheduled-essay")
    assert r.status_code == 200, "not published within 1.5 s of its time"
    assert "Scheduled essay" in requests.get(server.url + "/").text
    j = requests.get(server.url + "/api/v1/stories/" + st["id"], headers=h).json()
    assert j["status"] == "published" and j["publish_at"] is None
    # Its date is the time the writer chose, not when the thread woke.
    assert j["published_at"] == rfc3339(at)
    assert revisions(server, h, st["id"])[0]["kind"] == "publish"


def test_schedule_can_be_moved_and_cancelled(server):
    h = auth(server)
    far = datetime.now(timezone.utc) + timedelta(days=3)
    st = new_story(server, h, title="Moved schedule", status="scheduled", publish_at=rfc3339(far))
    url = server.url + "/api/v1/stories/" + st["id"]
    soon = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    r = requests.patch(url, headers=h, json={"status": "scheduled", "publish_at": rfc3339(soon)})
    assert r.status_code == 200 and r.json()["publish_at"] == rfc3339(soon)
    r = requests.patch(url, headers=h, json={"status": "draft"})
    assert r.json()["status"] == "draft" and r.json()["publish_at"] is None
    time.sleep(3.5)
    assert requests.get(url, headers=h).json()["status"] == "draft", "cancelled schedule still published"
    # Through the editor form, in the writer's zone (UTC+2 here: offset -120).
    s = login(server, *ADMIN)
    page = s.get(server.url + "/edit/" + st["id"]).text
    local = (datetime.now(timezone.utc) + timedelta(days=1, hours=2)).strftime("%Y-%m-%dT%H:%M")
    r = s.post(server.url + "/edit/" + st["id"], data={
        "csrf": csrf_of(page), "action": "schedule", "title": "Moved schedule", "body": "First line.\n",
        "publish_at": local, "tz_offset": "-120"}, allow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    j = requests.get(url, headers=h).json()
    assert j["status"] == "scheduled"
    assert j["publish_at"] == (datetime.strptime(local, "%Y-%m-%dT%H:%M") - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:00Z")
    assert "Scheduled to publish on" in s.get(server.url + "/edit/" + st["id"]).text


def test_trash_restore(server):
    h = auth(server)
    st = new_story(server, h, title="Trashed then back", status="published")
    url = server.url + "/api/v1/stories/" + st["id"]
    assert requests.delete(url, headers=h).status_code == 204
    assert requests.get(url, headers=h).status_code == 404
    assert requests.get(server.url + "/@ada/trashed-then-back").status_code == 404
    trash = requests.get(server.url + "/api/v1/trash", headers=h).json()["stories"]
    t = [x for x in trash if x["id"] == st["id"]]
    assert t and t[0]["title"] == "Trashed then back"
    purge = datetime.strptime(t[0]["purge_at"], "%Y-%m-%dT%H:%M:%SZ") - datetime.strptime(t[0]["deleted_at"], "%Y-%m-%dT%H:%M:%SZ")
    assert purge == timedelta(days=30)
    assert requests.get(server.url + "/api/v1/trash").status_code == 401
    r = requests.post(url + "/restore", headers=h)
    assert r.status_code == 200 and r.json()["id"] == st["id"]
    assert requests.get(server.url + "/@ada/trashed-then-back").status_code == 200
    assert requests.post(url + "/restore", headers=h).status_code == 404, "not in the trash any more"
    # The same through the trash page.
    s = login(server, *ADMIN)
    assert requests.delete(url, headers=h).status_code == 204
    page = s.get(server.url + "/me/trash")
    assert "Trashed then back" in page.text
    r = s.post(server.url + "/me/trash", data={"csrf": csrf_of(page.text), "action": "restore", "id": st["id"]},
               allow_redirects=False)
    assert r.status_code == 303
    assert requests.get(server.url + "/@ada/trashed-then-back").status_code == 200


def test_trash_expiry_purges_for_good():
    srv = Server(admin=ADMIN, extra=["--trash-days", "0.00003"])  # about 2.6 s
    try:
        srv.start()
        h = auth(srv)
        st = new_story(srv, h, title="Short lived")
        keep = new_story(srv, h, title="Kept")
        assert requests.delete(srv.url + "/api/v1/stories/" + st["id"], headers=h).status_code == 204
        assert [x["id"] for x in requests.get(srv.url + "/api/v1/trash", headers=h).json()["stories"]] == [st["id"]]
        time.sleep(5)
        assert requests.get(srv.url + "/api/v1/trash", headers=h).json()["stories"] == []
        assert requests.post(srv.url + "/api/v1/stories/%s/restore" % st["id"], headers=h).status_code == 404
        assert requests.get(srv.url + "/api/v1/stories/" + keep["id"], headers=h).status_code == 200
        srv.stop()
        with site_db(srv) as db:
            assert db.execute("SELECT count(*) FROM stories WHERE id = ?", (st["id"],)).fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM revisions WHERE story_id = ?", (st["id"],)).fetchone()[0] == 0
    finally:
        srv.stop()
        srv.cleanup()


def test_empty_trash_page():
    srv = Server(admin=ADMIN)
    try:
        srv.start()
        h = auth(srv)
        st = new_story(srv, h, title="Gone for good")
        assert requests.delete(srv.url + "/api/v1/stories/" + st["id"], headers=h).status_code == 204
        s = login(srv, *ADMIN)
        page = s.get(srv.url + "/me/trash")
        r = s.post(srv.url + "/me/trash", data={"csrf": csrf_of(page.text), "action": "empty", "confirm": "1"}, allow_redirects=False)
        assert r.status_code == 303
        assert requests.get(srv.url + "/api/v1/trash", headers=h).json()["stories"] == []
        assert requests.post(srv.url + "/api/v1/stories/%s/restore" % st["id"], headers=h).status_code == 404
    finally:
        srv.stop()
        srv.cleanup()


def test_acknowledged_autosave_survives_kill_9():
    import signal
    srv = Server(admin=ADMIN)
    try:
        srv.start()
        h = auth(srv)
        st = new_story(srv, h, title="Crash safe")
        s = login(srv, *ADMIN)
        page = s.get(srv.url + "/edit/" + st["id"]).text
        r = autosave(s, srv, st["id"], page, st["revision_id"], title="Crash safe", body="Typed just now.\n")
        assert r.status_code == 200
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        srv.proc = None
        srv.log.close()
        srv.start()
        j = requests.get(srv.url + "/api/v1/stories/" + st["id"], headers=auth(srv)).json()
        assert j["body"] == "Typed just now.\n" and j["revision_id"] == r.json()["revision_id"]
    finally:
        srv.stop()
        srv.cleanup()


def test_restore_checks_the_base_revision(server):
    h = auth(server)
    st = new_story(server, h, title="Restore base", body="v1\n")
    url = server.url + "/api/v1/stories/" + st["id"]
    seen = requests.patch(url, headers=h, json={"body": "v2\n"}).json()["revision_id"]
    first = revisions(server, h, st["id"])[-1]
    # Someone else saved since this client looked at the history.
    requests.patch(url, headers=h, json={"body": "v3 from another tab\n"})
    n = len(revisions(server, h, st["id"]))
    r = requests.post(server.url + "/api/v1/revisions/%s/restore" % first["id"], headers=h,
                      json={"base_revision": seen})
    assert r.status_code == 409, r.text
    j = r.json()
    assert j["error"]["code"] == "conflict" and j["revision"]["body"] == "v3 from another tab\n"
    assert requests.get(url, headers=h).json()["body"] == "v3 from another tab\n"
    assert len(revisions(server, h, st["id"])) == n, "a refused restore keeps nothing new"
    bad = requests.post(server.url + "/api/v1/revisions/%s/restore" % first["id"], headers=h,
                        json={"base_revision": "not an id"})
    assert bad.status_code == 422
    # With the current revision as base it goes through, as one revision.
    cur = requests.get(url, headers=h).json()["revision_id"]
    r = requests.post(server.url + "/api/v1/revisions/%s/restore" % first["id"], headers=h,
                      json={"base_revision": cur})
    assert r.status_code == 200 and r.json()["body"] == "v1\n"
    revs = revisions(server, h, st["id"])
    assert len(revs) == n + 1 and revs[0]["kind"] == "restore" and revs[0]["restored_from"] == first["id"]
    # The page form carries the base too: a stale page is refused.
    s = login(server, *ADMIN)
    view = s.get(server.url + "/revisions/" + revs[1]["id"]).text
    assert 'name="base_revision" value="%s"' % revs[0]["id"] in view
    requests.patch(url, headers=h, json={"body": "v4\n"})
    r = s.post(server.url + "/revisions/%s/restore" % revs[1]["id"],
               data={"csrf": csrf_of(view), "base_revision": revs[0]["id"]}, allow_redirects=False)
    assert r.status_code == 409 and "changed since" in r.text
    assert requests.get(url, headers=h).json()["body"] == "v4\n"


def test_writer_time_zone_drives_scheduling(server):
    h = auth(server)
    me = requests.get(server.url + "/api/v1/me", headers=h).json()
    assert me["time_zone"] == ""
    s = login(server, *ADMIN)
    page = s.get(server.url + "/settings").text
    assert '<option value="Europe/Paris">' in page
    for bad in ("Mars/Olympus", "../../etc/passwd", "Europe"):
        r = s.post(server.url + "/settings", data={"csrf": csrf_of(page), "name": "Ada",
                                                   "bio": "", "time_zone": bad})
        assert r.status_code == 422, bad
    assert requests.get(server.url + "/api/v1/me", headers=h).json()["time_zone"] == ""
    r = s.post(server.url + "/settings", data={"csrf": csrf_of(page), "name": "Ada", "bio": "",
                                               "time_zone": "Europe/Paris"})
    assert r.status_code == 200 and 'value="Europe/Paris"' in r.text
    assert requests.get(server.url + "/api/v1/me", headers=h).json()["time_zone"] == "Europe/Paris"
    # Schedule from the editor in July (CEST, UTC+2) and in January (CET,
    # UTC+1): the zone's own rules apply, whatever offset a browser sends.
    year = datetime.now(timezone.utc).year + 1
    st = new_story(server, h, title="Paris time")
    edit = server.url + "/edit/" + st["id"]
    for local, utc in (("%d-07-01T09:30" % year, "%d-07-01T07:30:00Z" % year),
                       ("%d-01-15T09:30" % year, "%d-01-15T08:30:00Z" % year)):
        page = s.get(edit).text
        r = s.post(edit, data={"csrf": csrf_of(page), "action": "schedule", "title": "Paris time",
                               "body": "First line.\n", "publish_at": local, "tz_offset": "300"},
                   allow_redirects=False)
        assert r.status_code == 303, r.text[:300]
        j = requests.get(server.url + "/api/v1/stories/" + st["id"], headers=h).json()
        assert j["status"] == "scheduled" and j["publish_at"] == utc
        page = s.get(edit).text
        assert "(Europe/Paris)" in page and 'value="%s" data-zone="Europe/Paris"' % local in page
        assert "09:30 (Europe/Paris)" in page
    # Your stories shows it as scheduled, in her zone, and links the trash.
    mine = s.get(server.url + "/me/stories").text
    assert re.search(r"Scheduled: 15 January %d, 09:30 \(Europe/Paris\)" % year, mine), mine
    assert 'href="/me/trash"' in mine
    # The API changes it too; "" clears it; junk is refused.
    bad = requests.patch(server.url + "/api/v1/me", headers=h, json={"time_zone": "Nowhere/Land"})
    assert bad.status_code == 422
    bad = requests.patch(server.url + "/api/v1/me", headers=h, json={"time_zone": 5})
    assert bad.status_code == 422
    r = requests.patch(server.url + "/api/v1/me", headers=h, json={"time_zone": "Asia/Kolkata"})
    assert r.status_code == 200 and r.json()["time_zone"] == "Asia/Kolkata"
    r = requests.patch(server.url + "/api/v1/me", headers=h, json={"time_zone": ""})
    assert r.status_code == 200 and r.json()["time_zone"] == ""
    # Without a zone the editor says UTC and uses the browser's offset.
    page = s.get(edit).text
    assert "choose your time zone" in page
    r = s.post(edit, data={"csrf": csrf_of(page), "action": "schedule", "title": "Paris time",
                           "body": "First line.\n", "publish_at": "%d-07-01T09:30" % year,
                           "tz_offset": "-120"}, allow_redirects=False)
    j = requests.get(server.url + "/api/v1/stories/" + st["id"], headers=h).json()
    assert j["publish_at"] == "%d-07-01T07:30:00Z" % year


def test_focus_mode_page(server):
    s = login(server, *ADMIN)
    page = s.get(server.url + "/write?focus=1").text
    assert '<body class="focus">' in page and 'aria-pressed="true"' in page
    assert 'name="focus" value="1"' not in page, "pressed again, the form leaves focus mode"
    page = s.get(server.url + "/write").text
    assert "<body>" in page and 'aria-pressed="false"' in page
    assert '<input type="hidden" name="focus" value="1">' in page, "works without script: ?focus=1"
    # Everything but the title, the words and the buttons is marked to hide.
    assert page.count('editor-more"') >= 1


def test_line_ends_are_one_kind(server):
    """A form's textarea sends CRLF, the editor script LF: the same words
    are the same text, so saving them again keeps no new revision."""
    h = auth(server)
    st = new_story(server, h, title="Line ends", body="one\r\ntwo\rthree\n")
    url = server.url + "/api/v1/stories/" + st["id"]
    assert requests.get(url, headers=h).json()["body"] == "one\ntwo\nthree\n"
    n = len(revisions(server, h, st["id"]))
    s = login(server, *ADMIN)
    page = s.get(server.url + "/edit/" + st["id"]).text
    r = s.post(server.url + "/edit/" + st["id"], allow_redirects=False,
               data={"csrf": csrf_of(page), "action": "save", "title": "Line ends",
                     "body": "one\r\ntwo\r\nthree\r\n",
                     "base_revision": re.search(r'name="base_revision" value="(\w*)"', page).group(1)})
    assert r.status_code == 303, r.text[:300]
    assert len(revisions(server, h, st["id"])) == n, "an unchanged text made a revision"
    assert requests.get(url, headers=h).json()["body"] == "one\ntwo\nthree\n"
