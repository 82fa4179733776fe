"""Every page is valid HTML (issue 17): the Nu HTML Checker (npm vnu-jar,
pinned in tests/package-lock.json, on Debian's Java) finds no error on the
pages a writer, a reader and an admin see: the story (and with its
sensitive photo shown), lists, profile, tag, search, editor, preview,
history, revision, trash, circles, settings, import, moderation, admin,
sign-in, sign-up, about, and an error page; the import job's page both
while it waits in the queue and once it has finished. Pages are checked as the
server sends them."""
import json
import os
import re
import subprocess
import time

import pytest
import requests

from quire_server import ADMIN, ROOT, Server, api_token, csrf_of, invite_and_signup, login

VNU = os.path.join(ROOT, "tests", "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
READER = ("rosa", "a password for tests")


def make_jpeg(path, color):
    subprocess.run(["/usr/bin/convert", "-size", "640x400", "gradient:" + color, path],
                   check=True, timeout=60)
    return path


def upload_wxr(s, session):
    page = session.get(s.url + "/settings/import")
    with open(os.path.join(ROOT, "tests", "data", "import", "wordpress", "wxr-simple.xml"), "rb") as f:
        return session.post(s.url + "/settings/import", allow_redirects=False,
                            data={"csrf": csrf_of(page.text), "kind": "wordpress"},
                            files={"file": ("blog.xml", f, "text/xml")})


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("html-valid")
    # First with no import worker: her upload waits in the queue, and its
    # page is the one a writer sees before the posts are counted.
    s = Server(admin=ADMIN, extra=["--import-workers", "0"])
    s.start()
    admin = login(s, *ADMIN)
    r = upload_wxr(s, admin)
    assert r.status_code == 303
    job = r.headers["Location"]
    queued = admin.get(s.url + job)
    assert queued.status_code == 200 and "Waiting to start" in queued.text, queued.text[:2000]
    s.stop()
    s.extra = []
    s.start()
    h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
    st = requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "The long spring", "subtitle": "A year in pieces", "body": "x",
        "status": "published", "tags": ["spring"], "content_note": "illness"}).json()
    refs = []
    for name, extra in (("sea.jpg", {"caption": "The sea"}),
                        ("ward.jpg", {"sensitive": "true", "note": "hospital photos"})):
        with open(make_jpeg(str(work / name), "#88aacc-#224466"), "rb") as f:
            r = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                              data=dict({"alt": "A photo"}, **extra), files={"file": (name, f, "image/jpeg")})
        assert r.status_code == 201, r.text
        refs.append(r.json())
    body = ("It began in March.\n\n## The first weeks\n\n" + "We waited. " * 20 + "\n\n" +
            refs[0]["markdown"] + "\n\n### At the hospital\n\n> A quote.\n\n" + refs[1]["markdown"] +
            "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nA footnote.[^1]\n\n[^1]: The note.\n")
    st = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=h, json={"body": body}).json()
    circle = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()
    requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "Only for family", "body": "Close words.", "status": "published",
        "audience": "circle", "circle_id": circle["id"]})
    gone = requests.post(s.url + "/api/v1/stories", headers=h, json={"title": "Thrown away", "body": "x"}).json()
    requests.delete(s.url + "/api/v1/stories/" + gone["id"], headers=h)
    # Her photo and links: on her profile, the author card and settings.
    page = admin.get(s.url + "/settings")
    with open(make_jpeg(str(work / "me.jpg"), "#ffd0a0-#603010"), "rb") as f:
        r = admin.post(s.url + "/settings/avatar", data={"csrf": csrf_of(page.text)},
                       files={"file": ("me.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    r = admin.post(s.url + "/settings", allow_redirects=False, data={
        "csrf": csrf_of(page.text), "name": "Ada", "bio": "I write.", "time_zone": "",
        "links": "https://ada.example/\nhttps://writers.example/ada"})
    assert r.status_code == 303
    page = admin.get(s.url + "/admin")
    with open(make_jpeg(str(work / "logo.jpg"), "#204060-#a0c0e0"), "rb") as f:
        r = admin.post(s.url + "/admin/logo", data={"csrf": csrf_of(page.text)},
                       files={"file": ("logo.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    invite_and_signup(s, admin, READER[0], READER[1], name="Rosa")
    rt = {"Authorization": "Bearer " + api_token(s, *READER)}
    requests.post(s.url + "/api/v1/stories/%s/responses" % st["id"], headers=rt, json={"body": "Thank you."})
    revs = requests.get(s.url + "/api/v1/stories/%s/revisions" % st["id"], headers=h).json()
    rev = (revs.get("revisions") if isinstance(revs, dict) else revs)[0]["id"]
    # Now the worker has run it: its page is the finished one, with the report.
    deadline = time.time() + 120
    while admin.get(s.url + job + "?format=json").json()["active"]:
        assert time.time() < deadline, "the import did not finish"
        time.sleep(0.05)
    yield {"server": s, "story": st, "photos": refs, "circle": circle, "rev": rev,
           "job": job, "queued job": queued.content, "admin": admin}
    try:
        s.stop()
    finally:
        s.cleanup()


def pages(site):
    s = site["server"].url
    st = site["story"]
    sid = st["id"]
    writer = {
        "home": "/", "profile": "/@ada", "story": st["url"].replace(s, ""),
        "story, sensitive photo shown": st["url"].replace(s, "") + "?show=" + site["photos"][1]["id"],
        "tag": "/tag/spring", "search": "/search?q=spring", "editor": "/edit/" + sid, "write": "/write",
        "preview": "/edit/%s/preview" % sid, "history": "/edit/%s/history" % sid,
        "revision": "/revisions/" + site["rev"], "trash": "/me/trash", "mine": "/me/stories",
        "circles": "/circles", "circle": "/circles/" + site["circle"]["id"], "settings": "/settings",
        "responses settings": "/settings/responses", "followers settings": "/settings/followers",
        "import": "/settings/import", "import job": site["job"],
        "moderation": "/moderation", "admin": "/admin", "admin users": "/admin/users",
        "admin user": "/admin/users/rosa", "admin audit": "/admin/audit", "admin reports": "/admin/reports",
        "followers": "/@ada/followers", "following": "/@ada/following", "about": "/about",
        "not found": "/no/such/page",
    }
    anonymous = {"home": "/", "story": st["url"].replace(s, ""), "profile": "/@ada", "login": "/login",
                 "signup": "/signup", "search": "/search?q=spring", "tag": "/tag/spring", "about": "/about",
                 "not found": "/@ada/no-such-story"}
    return writer, anonymous


def test_every_page_is_valid_html(site, tmp_path):
    s = site["server"].url
    writer, anonymous = pages(site)
    files = {}
    for who, session, table in (("writer", site["admin"], writer), ("anonymous", requests.Session(), anonymous)):
        for name, path in table.items():
            r = session.get(s + path)
            assert r.status_code in (200, 403, 404), (who, name, r.status_code)
            assert r.headers["Content-Type"].startswith("text/html"), (who, name)
            f = tmp_path / (re.sub(r"[^a-z0-9]+", "-", "%s %s" % (who, name)) + ".html")
            f.write_bytes(r.content)
            files[str(f)] = "%s: %s (%s)" % (who, name, path)
    # The job's page while it waited (fetched before the worker ran).
    f = tmp_path / "writer-import-job-queued.html"
    f.write_bytes(site["queued job"])
    files[str(f)] = "writer: import job, queued (%s)" % site["job"]
    out = subprocess.run(["java", "-jar", VNU, "--errors-only", "--format", "json", "--exit-zero-always",
                          *files], capture_output=True, text=True, timeout=300)
    report = json.loads(out.stderr or out.stdout)
    errors = ["%s line %s: %s" % (files.get(m["url"].replace("file:", ""), m["url"]), m.get("lastLine"),
                                  m["message"])
              for m in report["messages"] if m["type"] == "error" or m.get("subType") == "fatal"]
    assert not errors, "\n".join(errors)
    assert len(files) >= 35
