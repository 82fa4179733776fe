"""Import from the browser (issue 19): /settings/import takes the export a
platform sent, keeps it and queues it in the store; the worker imports it
off the request threads while the job's page shows how far it has come,
then the report; missing photos are fetched again from a button there;
the same export again changes nothing; a malformed one fails with its line
and imports nothing; other readers never see a writer's imports; bad
uploads get a clear error and queue nothing. Images come from a loopback
server the test starts (the server runs with --allow-private-fetch)."""
import os
import re
import time
import zipfile

import pytest
import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
from import_fixtures import Images, medium_copy
from test_media import make_image

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WXR = os.path.join(ROOT, "tests", "data", "import", "wordpress")
PW = "a password for tests"


@pytest.fixture(scope="module")
def site():
    s = Server(extra=["--allow-private-fetch"])
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


@pytest.fixture
def images():
    i = Images()
    yield i
    i.close()


def writer(site, handle):
    admin = login(site, *ADMIN)
    invite_and_signup(site, admin, handle, PW)
    return login(site, handle, PW)


def upload(site, s, kind, path, name=None, **extra):
    page = s.get(site.url + "/settings/import")
    assert page.status_code == 200, page.text
    data = {"csrf": csrf_of(page.text), "kind": kind, **extra}
    with open(path, "rb") as f:
        return s.post(site.url + "/settings/import", data=data,
                      files={"file": (name or os.path.basename(path), f, "application/octet-stream")},
                      allow_redirects=False)


def job_of(r):
    assert r.status_code == 303, (r.status_code, r.text[:2000])
    m = re.fullmatch(r"/settings/import/([0-9a-f]{16})", r.headers["Location"])
    assert m, r.headers["Location"]
    return m.group(1)


def wait_done(site, s, job, deadline=120):
    """The job's state once it is no longer queued or running (the
    condition waited for; the deadline only bounds a broken build)."""
    seen = []
    end = time.time() + deadline
    while time.time() < end:
        r = s.get(site.url + "/settings/import/%s?format=json" % job)
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
        j = r.json()
        seen.append((j["status"], j["done"], j["total"]))
        if not j["active"]:
            return j, seen
        time.sleep(0.05)
    raise AssertionError("import %s still running after %d s: %s" % (job, deadline, seen[-5:]))


def zip_of(folder, dest):
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((folder / "posts").iterdir()):
            zf.write(f, "medium-export/posts/" + f.name)
    return dest


def test_a_medium_zip_uploaded_comes_in_with_progress_and_a_report(site, images, tmp_path):
    s = writer(site, "webimport")
    data = open(make_image(str(tmp_path), "a.jpg"), "rb").read()
    for path in ("/max/2000/abc123.jpeg", "/max/600/def123.jpeg", "/max/800/xyz123.jpeg"):
        images.files[path] = data
    z = zip_of(medium_copy(tmp_path, images.base), tmp_path / "medium-export.zip")
    job = job_of(upload(site, s, "medium", z))
    page = s.get(site.url + "/settings/import/" + job)
    assert page.status_code == 200
    assert "Your export is uploaded" in page.text, "no flash after the upload"
    assert "no-store" in page.headers.get("Cache-Control", "")
    j, seen = wait_done(site, s, job)
    assert j["status"] == "done", j
    assert j["done"] == 8 and j["total"] == 8, (j, seen)
    # While it ran, its progress counted up, never past its total.
    assert all(d <= t for _, d, t in seen if t), seen
    assert "8 imported, 0 skipped (imported before), 0 failed" in j["report"], j["report"]
    # It names the upload as she sent it, never where the server keeps it.
    assert "importing 8 posts of medium-export.zip into @webimport" in j["report"], j["report"]
    assert site.data not in j["report"] and "--retry-photos" not in j["report"]
    assert "4 photos fetched, 1 missing" in j["report"], j["report"]
    assert "photo MISSING: %s/max/600/ghi123jpeg" % images.base in j["report"], j["report"]
    # The report is on the page; the script that kept it current is gone.
    page = s.get(site.url + "/settings/import/" + job)
    assert "Finished" in page.text and "8 imported" in page.text
    assert '<script src="/static/import.' not in page.text
    # The stories are hers, with the photos fetched.
    tok = api_token(site, "webimport", PW)
    mine = requests.get(site.url + "/api/v1/stories", params={"author": "webimport", "limit": 100},
                        headers={"Authorization": "Bearer " + tok}).json()["stories"]
    assert "Advanced Post Title" in {x["title"] for x in mine}
    # The settings page lists the import and the missing photo, with the
    # button that fetches it again (where the writer's placeholder links).
    imp = s.get(site.url + "/settings/import")
    assert "/settings/import/" + job in imp.text and "Finished" in imp.text
    assert "ghi123jpeg" in imp.text and "Fetch missing photos again" in imp.text
    images.files["/max/600/ghi123jpeg"] = data
    r = s.post(site.url + "/settings/import/photos", data={"csrf": csrf_of(imp.text)},
               allow_redirects=False)
    retry = job_of(r)
    assert "fetching your missing photos" in s.get(site.url + "/settings/import/" + retry).text
    j, _ = wait_done(site, s, retry)
    assert j["status"] == "done" and "1 photos fetched, 0 missing" in j["report"], j
    assert "ghi123jpeg" not in s.get(site.url + "/settings/import").text
    # The same export again changes nothing; the upload is not kept after its job.
    again = job_of(upload(site, s, "medium", z))
    j, _ = wait_done(site, s, again)
    assert "0 imported, 8 skipped" in j["report"], j["report"]
    assert not os.listdir(os.path.join(site.data, "imports"))


def test_a_malformed_export_fails_with_its_line_and_imports_nothing(site, tmp_path):
    s = writer(site, "badwxr")
    job = job_of(upload(site, s, "wordpress", os.path.join(WXR, "malformed-simple.xml")))
    j, _ = wait_done(site, s, job)
    assert j["status"] == "failed", j
    assert re.search(r"line \d+", j["report"]) and "nothing was imported" in j["report"], j["report"]
    page = s.get(site.url + "/settings/import/" + job)
    assert "Finished with problems" in page.text
    tok = api_token(site, "badwxr", PW)
    mine = requests.get(site.url + "/api/v1/stories", params={"author": "badwxr"},
                        headers={"Authorization": "Bearer " + tok}).json()["stories"]
    assert mine == []
    # A WordPress export zipped comes in too.
    z = tmp_path / "wp.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(os.path.join(WXR, "wxr-simple.xml"), "export/site.xml")
    j, _ = wait_done(site, s, job_of(upload(site, s, "wordpress", z)))
    assert j["status"] == "done" and " imported, 0 skipped (imported before), 0 failed" in j["report"], j["report"]


def test_bad_uploads_get_a_clear_error_and_queue_nothing(site, tmp_path):
    s = writer(site, "badupload")
    junk = tmp_path / "notes.txt"
    junk.write_text("just some words, not an export\n")
    r = upload(site, s, "medium", junk)
    assert r.status_code == 415 and "not a zip file" in r.text
    r = upload(site, s, "wordpress", junk)
    assert r.status_code == 415 and "neither a WordPress export" in r.text
    r = upload(site, s, "myspace", junk)
    assert r.status_code == 400 and "Choose where the export comes from" in r.text
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    r = upload(site, s, "medium", empty)
    assert r.status_code == 400 and "Choose the export file" in r.text
    # Without the form's token: refused.
    with open(junk, "rb") as f:
        r = s.post(site.url + "/settings/import", data={"kind": "medium"},
                   files={"file": ("x.zip", f)}, allow_redirects=False)
    assert r.status_code == 403
    r = s.post(site.url + "/settings/import/photos", data={}, allow_redirects=False)
    assert r.status_code == 403
    assert "Your imports" not in s.get(site.url + "/settings/import").text
    # Signed out: sent to sign in, nothing taken.
    anon = requests.Session()
    r = anon.get(site.url + "/settings/import", allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")
    with open(junk, "rb") as f:
        r = anon.post(site.url + "/settings/import", data={"kind": "medium"},
                      files={"file": ("x.zip", f)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")
    # The server goes on serving.
    assert requests.get(site.url + "/healthz").status_code == 200


def test_a_writers_imports_are_hers_alone(site, tmp_path):
    s = writer(site, "ownimport")
    xml = tmp_path / "secret.xml"
    xml.write_text(open(os.path.join(WXR, "wxr-simple.xml")).read())
    job = job_of(upload(site, s, "wordpress", xml, name="my-secret-blog.xml"))
    j, _ = wait_done(site, s, job)
    assert j["status"] == "done"
    other = writer(site, "nosyreader")
    for path in ("/settings/import/" + job, "/settings/import/%s?format=json" % job):
        r = other.get(site.url + path, allow_redirects=False)
        assert r.status_code == 404, (path, r.status_code)
        assert "my-secret-blog" not in r.text and "imported" not in r.text
        r = requests.get(site.url + path, allow_redirects=False)
        assert r.status_code == 303
    assert "my-secret-blog" not in other.get(site.url + "/settings/import").text
    assert other.get(site.url + "/settings/import/zzzz").status_code == 404


def test_a_server_with_no_import_workers_queues_and_another_imports(tmp_path):
    """--import-workers 0: the server takes the upload and queues it but
    imports nothing (an app server kept for readers); a server on the same
    store with workers imports it, two at once with two."""
    a = Server(extra=["--import-workers", "0"])
    try:
        a.start()
        s = writer(a, "queueonly")
        jobs = [job_of(upload(a, s, "wordpress", os.path.join(WXR, name)))
                for name in ("wxr-simple.xml", "valid-wxr-1.1.xml")]
        for job in jobs:
            j = s.get(a.url + "/settings/import/%s?format=json" % job).json()
            assert j["status"] == "queued" and j["active"] and j["total"] == 0, j
            page = s.get(a.url + "/settings/import/" + job).text
            assert "Waiting to start" in page and 'max="0"' not in page
        log = a.stop()
        assert "quire: import " not in log, log[-2000:]
        # The same store, now with two workers: both are imported.
        a.extra = ["--import-workers", "2"]
        a.start()
        s = login(a, "queueonly", PW)
        for job in jobs:
            j, _ = wait_done(a, s, job)
            assert j["status"] == "done" and j["total"] > 0 and j["done"] == j["total"], j
        log = a.stop()
        assert log.count("quire: import ") >= 4, log[-2000:]
        r = a.cli("check-config", "--import-workers", "9", check=False)
        assert r.returncode != 0 and "import-workers" in r.stderr, r.stderr
    finally:
        a.cleanup()
