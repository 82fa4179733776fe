"""Import (issue 19), photos and zips: the fixtures' images served to the
importer by a local HTTP server the test starts (--allow-private-fetch),
each becoming a real photo of its story (EXIF stripped, variants made,
shown to readers); an image that 404s is reported with its alt text and
address, never fatal, a placeholder for its writer only, and fetched by
--retry-photos once it is there; without the flag, loopback, private and
metadata addresses are refused; an export's zip reads as its folder; a zip
with a path that climbs out is read without it; a corrupt zip imports
nothing."""
import os
import re
import zipfile

import pytest
import requests

from import_fixtures import Images, medium_copy
from quire_server import ADMIN, api_token, invite_and_signup, login
from test_media import assert_clean, make_image, tag_everything

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WXR = os.path.join(ROOT, "tests", "data", "import", "wordpress")


@pytest.fixture
def images():
    i = Images()
    yield i
    i.close()


def writer(server, handle):
    admin = login(server, *ADMIN)
    invite_and_signup(server, admin, handle, "a password for tests")
    return api_token(server, handle, "a password for tests")


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def story_by_title(server, tok, handle, title):
    r = requests.get(server.url + "/api/v1/stories", params={"limit": 100, "author": handle},
                     headers=auth(tok))
    assert r.status_code == 200, r.text
    return [s for s in r.json()["stories"] if s["title"] == title][0]


def photo_ids(body):
    return re.findall(r"\]\(photo:([0-9a-f]{16})", body)


def test_fixture_images_become_clean_photos_and_a_404_waits_for_a_retry(server, images, tmp_path):
    tok = writer(server, "mdphotos")
    jpeg = make_image(str(tmp_path), "a.jpg")
    tag_everything(jpeg)
    data = open(jpeg, "rb").read()
    # "Advanced Post Title" has four images; one of them is not there yet.
    for path in ("/max/2000/abc123.jpeg", "/max/600/def123.jpeg", "/max/800/xyz123.jpeg"):
        images.files[path] = data
    export = medium_copy(tmp_path, images.base)
    r = server.cli("import", "medium", str(export), "--user", "mdphotos", "--allow-private-fetch")
    assert "8 imported, 0 skipped, 0 failed" in r.stdout.replace(" (imported before)", ""), r.stdout
    missing = images.base + "/max/600/ghi123jpeg"
    assert "photo MISSING: %s: HTTP status 404" % missing in r.stdout or \
        re.search(re.escape("photo MISSING: " + missing) + r": .*404", r.stdout), r.stdout
    assert "4 photos fetched, 1 missing" in r.stdout, r.stdout
    adv = story_by_title(server, tok, "mdphotos", "Advanced Post Title")
    full = requests.get(server.url + "/api/v1/stories/" + adv["id"], headers=auth(tok)).json()
    ids = photo_ids(full["body"])
    assert len(ids) == 4 and images.base not in full["body"], full["body"]
    got = [requests.get(server.url + "/api/v1/photos/" + i, headers=auth(tok)) for i in ids]
    assert [g.status_code for g in got].count(200) == 3
    first = got[0].json()
    assert first["alt"] == "This is image alt text" and first["variants"]
    # The stored file is a real JPEG without the camera's secrets.
    v = [x for x in first["variants"] if x["format"] == "jpeg"][-1]
    f = requests.get(v["url"])
    assert f.status_code == 200 and f.content[:2] == b"\xff\xd8"
    out = tmp_path / "served.jpg"
    out.write_bytes(f.content)
    assert_clean(str(out))
    # Readers see the photos, and nothing of the missing one.
    page = requests.get(server.url + "/@mdphotos/" + adv["slug"])
    assert page.status_code == 200
    assert page.text.count('src="/photos/') >= 3 or page.text.count("/photos/") >= 3
    assert "ghi123jpeg" not in page.text and "photo-missing" not in page.text
    assert images.base not in page.text
    anon = requests.get(server.url + "/api/v1/stories/" + adv["id"]).json()
    assert "ghi123jpeg" not in anon.get("body", "") and missing not in anon.get("html", "")
    # Its writer sees where it was and why, with the way to fetch it again.
    s = login(server, "mdphotos", "a password for tests")
    mine = s.get(server.url + "/@mdphotos/" + adv["slug"])
    assert 'class="photo-missing"' in mine.text and missing in mine.text
    assert "404" in mine.text
    # Retried while still missing: reported again, still there for later.
    r = server.cli("import", "--retry-photos", "--user", "mdphotos", "--allow-private-fetch")
    assert "0 photos fetched, 1 missing" in r.stdout and "tried 2 times" in r.stdout, r.stdout
    # Once it is there, the retry makes it a photo under the id the body names.
    images.files["/max/600/ghi123jpeg"] = data
    r = server.cli("import", "--retry-photos", "--user", "mdphotos", "--allow-private-fetch")
    assert "1 photos fetched, 0 missing" in r.stdout, r.stdout
    assert all(requests.get(server.url + "/api/v1/photos/" + i, headers=auth(tok)).status_code == 200
               for i in ids)
    mine = s.get(server.url + "/@mdphotos/" + adv["slug"])
    assert "photo-missing" not in mine.text
    # Importing again fetches nothing and changes nothing.
    before = len(images.hits)
    r = server.cli("import", "medium", str(export), "--user", "mdphotos", "--allow-private-fetch")
    assert "0 imported, 8 skipped" in r.stdout and len(images.hits) == before, r.stdout


def test_without_the_flag_private_and_metadata_addresses_are_refused(server, images, tmp_path):
    tok = writer(server, "ssrfwriter")
    jpeg = make_image(str(tmp_path), "b.jpg")
    images.files["/ok.jpg"] = open(jpeg, "rb").read()
    body = "".join('<p><img src="%s" alt="img %d"></p>' % (u, i) for i, u in enumerate([
        images.base + "/ok.jpg", "http://10.0.0.1/inside.jpg", "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd"]))
    xml = tmp_path / "ssrf.xml"
    xml.write_text(open(os.path.join(WXR, "wxr-simple.xml")).read().replace(
        "<content:encoded><![CDATA[", "<content:encoded><![CDATA[" + body, 1))
    r = server.cli("import", "wordpress", str(xml), "--user", "ssrfwriter")
    assert images.hits == [], "loopback was fetched without --allow-private-fetch"
    assert re.search(r"photo MISSING: http://127\.0\.0\.1:\d+/ok\.jpg alt: img 0: .*(loopback|private|not allowed|refused)",
                     r.stdout, re.I), r.stdout
    assert re.search(r"photo MISSING: http://10\.0\.0\.1/inside\.jpg alt: img 1: .*(private|not allowed|refused)",
                     r.stdout, re.I), r.stdout
    assert re.search(r"photo MISSING: http://169\.254\.169\.254/latest/meta-data/ alt: img 2: "
                     r".*(metadata|link-local|not allowed|refused)", r.stdout, re.I), r.stdout
    assert "file:///etc/passwd" in r.stdout and "unsupported URL was left out" in r.stdout, r.stdout
    assert "0 photos fetched, 3 missing" in r.stdout, r.stdout
    # The flag lets the loopback one through on a retry, nothing else.
    r = server.cli("import", "--retry-photos", "--user", "ssrfwriter", "--allow-private-fetch")
    assert images.hits == ["/ok.jpg"], images.hits
    assert "1 photos fetched, 2 missing" in r.stdout, r.stdout


def test_an_exports_zip_reads_as_its_folder(server, images, tmp_path):
    tok = writer(server, "zipwriter")
    export = medium_copy(tmp_path, images.base)
    z = tmp_path / "medium-export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted((export / "posts").iterdir()):
            zf.write(f, "medium-export/posts/" + f.name)
        zf.writestr("medium-export/profile/profile.html", "<html></html>")
        zf.writestr("__MACOSX/medium-export/._x", "junk")
        # A name that climbs out of the export is never read.
        zf.writestr("../../evil/posts/x.html", "<h1>evil</h1>")
    r = server.cli("import", "medium", str(z), "--user", "zipwriter", "--skip-photos")
    assert "8 imported, 0 skipped" in r.stdout, r.stdout
    assert "evil" not in r.stdout
    titles = {s["title"] for s in requests.get(server.url + "/api/v1/stories", params={"limit": 100, "author": "zipwriter"},
                                               headers=auth(tok)).json()["stories"]}
    assert "Advanced Post Title" in titles and "evil" not in titles
    # Substack's zip has no folder around posts.csv; WordPress's holds one .xml.
    sz = tmp_path / "substack.zip"
    src = os.path.join(ROOT, "tests", "data", "import", "substack")
    with zipfile.ZipFile(sz, "w") as zf:
        for dirpath, _, files in os.walk(src):
            for f in files:
                full = os.path.join(dirpath, f)
                zf.write(full, os.path.relpath(full, src))
    r = server.cli("import", "substack", str(sz), "--user", "zipwriter", "--skip-photos")
    assert re.search(r"[1-9]\d* imported, 0 skipped \(imported before\), 0 failed", r.stdout), r.stdout
    wz = tmp_path / "wordpress.zip"
    with zipfile.ZipFile(wz, "w") as zf:
        zf.write(os.path.join(WXR, "wxr-simple.xml"), "site.wordpress.2024-01-01.xml")
    r = server.cli("import", "wordpress", str(wz), "--user", "zipwriter", "--skip-photos")
    assert "1 imported, 0 skipped" in r.stdout, r.stdout


def test_a_corrupt_zip_imports_nothing(server, tmp_path):
    tok = writer(server, "badzip")
    z = tmp_path / "broken.zip"
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("posts/a.html", "<html>" + "x" * 5000 + "</html>")
    raw = good.read_bytes()
    z.write_bytes(raw[:len(raw) // 2])
    r = server.cli("import", "medium", str(z), "--user", "badzip", check=False)
    assert r.returncode == 1 and str(z) in r.stderr and "nothing was imported" in r.stderr, r.stderr
    r = requests.get(server.url + "/api/v1/stories", params={"author": "badzip"}, headers=auth(tok))
    assert r.json()["stories"] == []
    # The server kept serving through it all.
    assert requests.get(server.url + "/healthz").status_code == 200
