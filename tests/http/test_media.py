"""Photos: upload (API and the no-JavaScript editor form), metadata
stripping checked with exiftool, autorotation, variants and <picture>,
serving and caching, the sensitive-photo gate (server side), access for
drafts, deletion of unreferenced files, and every bad input of issue 4."""
import base64
import json
import os
import re
import socket
import struct
import subprocess
import tempfile
import time
import zlib

import pytest
import requests

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login

CONVERT = "/usr/bin/convert"  # ImageMagick itself (not a stand-in on PATH)
MAX_BYTES = 6 * 1024 * 1024
PER_STORY = 4
# Families exiftool may report for a clean file: container and derived facts.
CLEAN_GROUPS = {"ExifTool", "System", "File", "JFIF", "Composite", "RIFF"}


@pytest.fixture(scope="module")
def server():
    env = {"QUIRE_PHOTO_MAX_BYTES": str(MAX_BYTES), "QUIRE_PHOTOS_PER_STORY": str(PER_STORY)}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    s = Server(admin=ADMIN)
    try:
        s.start()
    finally:
        for k, v in old.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


@pytest.fixture(scope="module")
def work():
    d = tempfile.mkdtemp(prefix="quire-media-")
    yield d
    subprocess.run(["rm", "-rf", d])


@pytest.fixture(scope="module")
def tok(server):
    return api_token(server, *ADMIN)


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def run(*args):
    r = subprocess.run(list(args), capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, (args, r.stderr)
    return r.stdout


def make_image(work, name, w=1200, h=800, fmt=None):
    """Left half red, right half blue: orientation is visible in pixels."""
    path = os.path.join(work, name)
    run(CONVERT, "-size", "%dx%d" % (w // 2, h), "xc:#e00000", "-size", "%dx%d" % (w - w // 2, h),
        "xc:#0000e0", "+append", "-quality", "92", path)
    return path


def tag_everything(path, orientation=None):
    """GPS, camera fields, XMP, IPTC and a comment, as a phone would."""
    args = ["exiftool", "-q", "-overwrite_original",
            "-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945",
            "-GPSLongitudeRef=E", "-Make=SecretCam", "-Model=Model X", "-SerialNumber=SN12345",
            "-DateTimeOriginal=2020:01:02 03:04:05", "-XMP:Creator=Jane Secret",
            "-XMP:Location=Home street", "-IPTC:Keywords=private", "-IPTC:City=Paris",
            "-Comment=secret comment"]
    if orientation:
        args.append("-Orientation#=%d" % orientation)
    run(*args, path)
    meta = exif_groups(path)
    assert {"GPS", "IFD0", "XMP-dc", "IPTC"} <= set(meta), meta.keys()


def exif_groups(path):
    out = json.loads(run("exiftool", "-j", "-a", "-G1", "-n", path))[0]
    groups = {}
    for k, v in out.items():
        if ":" in k:
            g, tag = k.split(":", 1)
            groups.setdefault(g, {})[tag] = v
    return groups


def assert_clean(path):
    groups = exif_groups(path)
    leaked = {g: t for g, t in groups.items() if g not in CLEAN_GROUPS}
    assert not leaked, "metadata survived in %s: %s" % (path, leaked)
    raw = open(path, "rb").read()
    for secret in (b"SecretCam", b"Jane Secret", b"Paris", b"secret comment", b"SN12345"):
        assert secret not in raw


def new_story(server, tok, status="published", body="Words."):
    r = requests.post(server.url + "/api/v1/stories", headers=auth(tok),
                      json={"title": "Photos %f" % time.time(), "body": body, "status": status})
    assert r.status_code == 201, r.text
    return r.json()


def upload(server, tok, story_id, path, alt="a photo", **fields):
    data = {"alt": alt}
    data.update({k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()})
    with open(path, "rb") as f:
        return requests.post(server.url + "/api/v1/stories/%s/photos" % story_id,
                             headers=auth(tok), data=data,
                             files={"file": (os.path.basename(path), f, "image/jpeg")})


def fetch(url, session=None, **kw):
    return (session or requests).get(url, timeout=30, **kw)


def media_files(server):
    out = []
    for root, _, files in os.walk(os.path.join(server.data, "media")):
        out += [os.path.join(root, f) for f in files]
    return sorted(out)


def tmp_files(server):
    return sorted(os.listdir(os.path.join(server.data, "tmp")))


def set_body(server, tok, story, body):
    r = requests.patch(server.url + "/api/v1/stories/" + story["id"], headers=auth(tok),
                       json={"body": body})
    assert r.status_code == 200, r.text
    return r.json()


# ---- ingest, stripping, variants ----

def test_upload_strips_all_metadata_and_autorotates(server, tok, work):
    src = make_image(work, "phone.jpg", 1200, 800)
    tag_everything(src, orientation=6)  # "rotate 90 CW to display"
    story = new_story(server, tok)
    r = upload(server, tok, story["id"], src, alt="Two colours", caption="At home",
               sensitive=False)
    assert r.status_code == 201, r.text
    p = r.json()
    assert r.headers["Location"] == "/api/v1/photos/" + p["id"]
    assert (p["alt"], p["caption"], p["sensitive"], p["note"]) == ("Two colours", "At home", False, "")
    # Upright after autorotation: 800 wide, 1200 high.
    assert (p["width"], p["height"]) == (800, 1200)
    assert p["markdown"] == '![Two colours](photo:%s "At home")' % p["id"]
    widths = sorted({v["width"] for v in p["variants"]})
    assert widths == [480, 800], "never upscaled, capped at the photo's own width"
    assert {v["format"] for v in p["variants"]} == {"webp", "jpeg"}
    assert len(p["variants"]) == 4
    for v in p["variants"]:
        resp = fetch(v["url"])
        assert resp.status_code == 200
        ctype = "image/webp" if v["format"] == "webp" else "image/jpeg"
        assert resp.headers["Content-Type"] == ctype
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert int(resp.headers["Content-Length"]) == len(resp.content)
        path = os.path.join(work, "served-%d.%s" % (v["width"], v["format"]))
        open(path, "wb").write(resp.content)
        assert_clean(path)
        size = run("vipsheader", "-f", "width", path).strip(), run("vipsheader", "-f", "height", path).strip()
        assert (int(size[0]), int(size[1])) == (v["width"], v["height"])
        if v["format"] == "jpeg" and v["width"] == 800:
            # The red half (left of the stored image) is now on top.
            top = [float(x) for x in run("vips", "getpoint", path, "400", "100").split()]
            bottom = [float(x) for x in run("vips", "getpoint", path, "400", "1100").split()]
            assert top[0] > 150 and top[2] < 100, top
            assert bottom[2] > 150 and bottom[0] < 100, bottom
    # Files are content-addressed: the name is the SHA-256 of the bytes.
    files = media_files(server)
    assert files
    import hashlib
    for f in files:
        assert os.path.basename(f).split(".")[0] == hashlib.sha256(open(f, "rb").read()).hexdigest()
    assert tmp_files(server) == []


@pytest.mark.parametrize("fmt", ["png", "webp", "gif", "heic"])
def test_other_formats_accepted_and_cleaned(server, tok, work, fmt):
    base = make_image(work, "base-%s.jpg" % fmt, 640, 480)
    path = os.path.join(work, "in." + fmt)
    if fmt == "heic":
        run("heif-enc", "-q", "60", base, "-o", path)
    else:
        run(CONVERT, base, path)
    if fmt in ("png", "webp", "heic"):
        subprocess.run(["exiftool", "-q", "-overwrite_original", "-XMP:Creator=Jane Secret",
                        "-Make=SecretCam", "-GPSLatitude=48.8", "-GPSLatitudeRef=N", path],
                       capture_output=True, timeout=60)
    story = new_story(server, tok)
    r = upload(server, tok, story["id"], path, alt="in " + fmt)
    assert r.status_code == 201, r.text
    p = r.json()
    assert (p["width"], p["height"]) == (640, 480)
    for v in p["variants"]:
        out = os.path.join(work, "out-%s-%d.%s" % (fmt, v["width"], v["format"]))
        open(out, "wb").write(fetch(v["url"]).content)
        assert_clean(out)


def test_story_page_has_responsive_picture(server, tok, work):
    story = new_story(server, tok)
    a = upload(server, tok, story["id"], make_image(work, "a.jpg", 2000, 1000), alt="First <one>",
               caption="Caption & more").json()
    b = upload(server, tok, story["id"], make_image(work, "b.jpg", 600, 400), alt="Second").json()
    story = set_body(server, tok, story, "Intro.\n\n%s\n\nMiddle.\n\n%s\n" % (a["markdown"], b["markdown"]))
    html = requests.get(story["url"]).text
    figs = re.findall(r'<figure class="photo" id="photo-(\w+)">(.*?)</figure>', html, re.S)
    assert [f[0] for f in figs] == [a["id"], b["id"]]
    first, second = figs[0][1], figs[1][1]
    assert '<source type="image/webp" srcset="/photos/%s/480.webp 480w, /photos/%s/960.webp 960w, ' \
           '/photos/%s/1600.webp 1600w, /photos/%s/2000.webp 2000w"' % ((a["id"],) * 4) in first
    assert 'sizes="(min-width: 60rem) 56rem, 100vw"' in first
    assert 'width="2000" height="1000"' in first
    assert 'alt="First &lt;one&gt;"' in first
    assert "<figcaption>Caption &amp; more</figcaption>" in first
    assert 'loading="lazy"' not in first, "the first photo may be above the fold"
    assert 'loading="lazy"' in second
    assert 'src="/photos/%s/1600.jpg"' % a["id"] in first
    assert "<p><figure" not in html
    assert "<script" not in html, "no JavaScript unless a photo is gated"
    # A photo of another story is not shown through this one.
    other = new_story(server, tok)
    set_body(server, tok, other, a["markdown"])
    body = re.search(r"<article.*?</article>", requests.get(other["url"]).text, re.S).group(0)
    assert "/photos/%s/" % a["id"] not in body
    # The plain reference (API html, feeds) redirects to a JPEG.
    r = requests.get(server.url + "/photos/" + a["id"], allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/photos/%s/1600.jpg" % a["id"]


def test_conditional_get_and_head(server, tok, work):
    story = new_story(server, tok)
    p = upload(server, tok, story["id"], make_image(work, "c.jpg", 500, 300)).json()
    url = p["variants"][0]["url"]
    r = fetch(url)
    etag = r.headers["ETag"]
    r2 = fetch(url, headers={"If-None-Match": etag})
    assert r2.status_code == 304 and r2.content == b""
    h = requests.head(url)
    assert h.status_code == 200 and int(h.headers["Content-Length"]) == len(r.content)
    assert fetch(url.replace(".webp", ".gif").replace(".jpg", ".gif")).status_code == 404
    assert fetch(re.sub(r"/\d+\.(webp|jpg)$", r"/481.\1", url)).status_code == 404


def test_a_kept_public_photo_is_dropped_the_moment_it_stops_being_public(work):
    """A public photo's file answer is kept and sent as is to everyone
    (src/web/page_cache.h, file answers); any change drops it at once, and
    what only some may see is never kept. One worker thread, so that every
    connection meets the same cache."""
    server = Server(extra=["--threads", "1"])
    server.start()
    try:
        kept_photo_checks(server, api_token(server, *ADMIN), work)
    finally:
        server.stop()
        server.cleanup()


def kept_photo_checks(server, tok, work):
    story = new_story(server, tok)
    p = upload(server, tok, story["id"], make_image(work, "k.jpg", 500, 300)).json()
    url = p["variants"][0]["url"]
    s = requests.Session()  # one connection: one worker thread's cache
    first = [fetch(url, session=s) for _ in range(3)]
    assert all(r.status_code == 200 and r.content == first[0].content for r in first)
    assert all(r.headers["Cache-Control"] == "public, max-age=31536000, immutable" for r in first)
    etag = first[0].headers["ETag"]
    r = fetch(url, session=s, headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.headers["ETag"] == etag and r.content == b""
    assert "public" in r.headers["Cache-Control"]
    # A signed-in stranger gets the same kept answer.
    admin = login(server, *ADMIN)
    assert fetch(url, session=admin).content == first[0].content
    # The story becomes private: nobody but the writer gets the file now,
    # on a connection whose thread kept it.
    r = requests.patch(server.url + "/api/v1/stories/" + story["id"], headers=auth(tok),
                       json={"audience": "private"})
    assert r.status_code == 200, r.text
    assert fetch(url, session=s).status_code == 404
    assert fetch(url, session=s, headers={"If-None-Match": etag}).status_code == 404
    # The writer still sees it; that answer is hers, not kept for anyone.
    assert fetch(url, session=admin).status_code == 200
    assert fetch(url, session=s).status_code == 404
    # Public again, but the photo itself for a circle only: still not kept
    # for anyone.
    r = requests.patch(server.url + "/api/v1/stories/" + story["id"], headers=auth(tok),
                       json={"audience": "public"})
    assert r.status_code == 200
    assert fetch(url, session=s).status_code == 200
    r = requests.patch(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok),
                       json={"audience": "private"})
    assert r.status_code == 200, r.text
    assert fetch(url, session=s).status_code == 404
    assert fetch(url, session=admin).status_code == 200
    assert fetch(url, session=s).status_code == 404


# ---- who sees what ----

def test_draft_photos_only_for_the_author(server, tok, work):
    story = new_story(server, tok, status="draft")
    p = upload(server, tok, story["id"], make_image(work, "d.jpg", 500, 300)).json()
    url = p["variants"][0]["url"]
    assert fetch(url).status_code == 404
    assert requests.get(server.url + "/api/v1/photos/" + p["id"]).status_code == 404
    assert requests.get(server.url + "/photos/" + p["id"], allow_redirects=False).status_code == 404
    s = login(server, *ADMIN)
    r = fetch(url, session=s)
    assert r.status_code == 200
    assert r.headers["Cache-Control"].startswith("private")
    stranger = invite_and_signup(server, s, "stranger", "a stranger's password")
    assert fetch(url, session=stranger).status_code == 404
    requests.patch(server.url + "/api/v1/stories/" + story["id"], headers=auth(tok),
                   json={"status": "published"})
    r = fetch(url)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Only the writer changes or adds photos.
    stok = api_token(server, "stranger", "a stranger's password")
    r = requests.patch(server.url + "/api/v1/photos/" + p["id"], headers=auth(stok), json={"alt": "x"})
    assert r.status_code == 403
    assert requests.delete(server.url + "/api/v1/photos/" + p["id"], headers=auth(stok)).status_code == 403
    r = upload(server, stok, story["id"], make_image(work, "e.jpg", 300, 200))
    assert r.status_code == 404
    assert requests.post(server.url + "/api/v1/stories/%s/photos" % story["id"],
                         files={"file": ("x.jpg", b"x")}).status_code == 401


# ---- sensitive photos ----

def test_sensitive_photo_is_gated_server_side(server, tok, work):
    story = new_story(server, tok)
    p = upload(server, tok, story["id"], make_image(work, "s.jpg", 900, 600), alt="Hospital bed",
               caption="The ward", sensitive=True, note="hospital photos").json()
    assert p["sensitive"] is True and p["note"] == "hospital photos"
    story = set_body(server, tok, story, "Before.\n\n%s\n\nAfter." % p["markdown"])
    html = requests.get(story["url"]).text
    fig = re.search(r'<figure class="photo gated" id="photo-%s">(.*?)</figure>' % p["id"], html, re.S)
    assert fig, html
    fig = fig.group(1)
    outside = re.sub(r"<template.*?</template>", "", fig, flags=re.S)
    assert "/photos/%s/" % p["id"] not in outside, "nothing of the full photo outside the template"
    assert "The ward" not in outside
    assert "hospital photos" in outside
    assert 'href="?show=%s#photo-%s"' % (p["id"], p["id"]) in outside
    assert "Show photo" in outside
    m = re.search(r'<img class="blur" src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)" width="900" height="600" alt="">', outside)
    assert m, outside
    prev = base64.b64decode(m.group(1))
    assert len(prev) < 2000
    pv = os.path.join(work, "preview.jpg")
    open(pv, "wb").write(prev)
    assert int(run("vipsheader", "-f", "width", pv)) <= 32
    assert_clean(pv)
    assert "<template" in fig and "/photos/%s/" % p["id"] in fig
    assert "photos." in html and "<script src=\"/static/photos." in html
    # Without JavaScript: the link shows it.
    shown = requests.get(story["url"] + "?show=" + p["id"]).text
    fig = re.search(r'<figure class="photo" id="photo-%s">(.*?)</figure>' % p["id"], shown, re.S).group(1)
    assert "<template" not in fig and "<picture>" in fig and "The ward" in fig
    # Unmarked again through PATCH: no gate.
    r = requests.patch(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok),
                       json={"sensitive": False, "alt": "  A bed  "})
    assert r.status_code == 200 and r.json()["sensitive"] is False and r.json()["alt"] == "A bed"
    assert "gated" not in requests.get(story["url"]).text


# ---- API ----

def test_api_get_patch_validation(server, tok, work):
    story = new_story(server, tok)
    p = upload(server, tok, story["id"], make_image(work, "g.jpg", 400, 300)).json()
    r = requests.get(server.url + "/api/v1/photos/" + p["id"])
    assert r.status_code == 200 and r.json()["id"] == p["id"] and r.json()["variants"]
    for body in ({"alt": ""}, {"alt": 5}, {"sensitive": "yes"}, {"note": "x" * 121},
                 {"caption": "two\nlines"}):
        r = requests.patch(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok), json=body)
        assert r.status_code == 422, (body, r.text)
    r = requests.patch(server.url + "/api/v1/photos/" + p["id"],
                       headers=dict(auth(tok), **{"Content-Type": "text/plain"}), data="{}")
    assert r.status_code == 415
    assert requests.get(server.url + "/api/v1/photos/0000000000000000").status_code == 404


def test_alt_text_is_required(server, tok, work):
    story = new_story(server, tok)
    before = media_files(server)
    for alt in ("", "   "):
        r = upload(server, tok, story["id"], make_image(work, "h.jpg", 300, 200), alt=alt)
        assert r.status_code == 422 and "alt" in r.json()["error"]["message"].lower()
    r = requests.post(server.url + "/api/v1/stories/%s/photos" % story["id"], headers=auth(tok),
                      files={"alt": (None, "no file here")})
    assert r.status_code == 422
    assert media_files(server) == before


# ---- deletion ----

def test_delete_removes_unreferenced_files_only(server, tok, work):
    src = make_image(work, "del.jpg", 700, 500)
    s1, s2 = new_story(server, tok), new_story(server, tok)
    before = set(media_files(server))
    p1 = upload(server, tok, s1["id"], src).json()
    p2 = upload(server, tok, s2["id"], src).json()  # same bytes: same files
    added = set(media_files(server)) - before
    assert len(added) == 4
    assert requests.delete(server.url + "/api/v1/photos/" + p1["id"], headers=auth(tok)).status_code == 204
    assert set(media_files(server)) - before == added, "still referenced by the other photo"
    assert requests.get(server.url + "/api/v1/photos/" + p1["id"]).status_code == 404
    assert fetch(p2["variants"][0]["url"]).status_code == 200
    # A deleted story goes to the trash: its photos are no longer served,
    # but stay on disk in case the writer restores it.
    assert requests.delete(server.url + "/api/v1/stories/" + s2["id"], headers=auth(tok)).status_code == 204
    assert fetch(p2["variants"][0]["url"]).status_code == 404
    assert set(media_files(server)) - before == added
    # Purged from the trash: the photos go and, now unreferenced, the files.
    s = login(server, *ADMIN)
    page = s.get(server.url + "/me/trash")
    r = s.post(server.url + "/me/trash", data={"csrf": csrf_of(page.text), "action": "purge", "confirm": "1",
                                               "id": s2["id"]}, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert set(media_files(server)) - before == set()


# ---- the editor without JavaScript ----

def test_editor_form_upload_inserts_reference(server, work):
    s = login(server, *ADMIN)
    page = s.get(server.url + "/write")
    assert "Save a draft to add photos" in page.text
    r = s.post(server.url + "/write", data={"csrf": csrf_of(page.text), "action": "save",
                                            "title": "Editor photos", "body": "Some words."},
               allow_redirects=False)
    edit = server.url + r.headers["Location"].split("?")[0]
    page = s.get(edit)
    m = re.search(r'<form class="photo-upload[^>]*action="([^"]+)"[^>]*enctype="multipart/form-data"', page.text)
    assert m, page.text
    assert 'name="alt" required' in page.text
    action = server.url + m.group(1)
    src = make_image(work, "ed.jpg", 500, 400)
    with open(src, "rb") as f:
        r = s.post(action, data={"csrf": csrf_of(page.text), "alt": "From the form",
                                 "caption": "", "sensitive": "true", "note": "loss"},
                   files={"file": ("ed.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303, r.text
    page = s.get(edit)
    m = re.search(r"!\[From the form\]\(photo:([0-9a-f]{16})\)", page.text)
    assert m, "reference appended to the story"
    assert "sensitive: loss" in page.text
    # Without the CSRF token nothing is stored.
    before = media_files(server)
    with open(src, "rb") as f:
        r = s.post(action, data={"alt": "x"}, files={"file": ("ed.jpg", f, "image/jpeg")})
    assert r.status_code == 403
    # Delete through the editor.
    pid = m.group(1)
    r = s.post(edit + "/photos/" + pid, data={"csrf": csrf_of(page.text), "action": "delete"},
               allow_redirects=False)
    assert r.status_code == 303
    assert s.get(server.url + "/api/v1/photos/" + pid).status_code == 404
    assert len(media_files(server)) < len(before)


def test_editor_form_edits_alt_caption_and_sensitive(server, tok, work):
    story = new_story(server, tok)
    p = upload(server, tok, story["id"], make_image(work, "fe.jpg", 400, 300), alt="Old alt",
               caption="Old caption").json()
    s = login(server, *ADMIN)
    edit = server.url + "/edit/" + story["id"]
    page = s.get(edit).text
    # Each photo has its own form, filled with what is stored now.
    m = re.search(r'<form method="post" action="(/edit/%s/photos/%s)" class="stack">' %
                  (story["id"], p["id"]), page)
    assert m, page
    assert 'id="alt-%s" name="alt" value="Old alt"' % p["id"] in page
    assert 'id="caption-%s" name="caption" value="Old caption"' % p["id"] in page
    r = s.post(server.url + m.group(1), allow_redirects=False,
               data={"csrf": csrf_of(page), "action": "save", "alt": "A \"kitchen\" <table>",
                     "caption": "Spring", "sensitive": "true", "note": "grief"})
    assert r.status_code == 303 and r.headers["Location"].endswith("#photos")
    got = requests.get(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok)).json()
    assert (got["alt"], got["caption"], got["sensitive"], got["note"]) == \
        ('A "kitchen" <table>', "Spring", True, "grief")
    page = s.get(edit).text
    assert 'value="A &quot;kitchen&quot; &lt;table&gt;"' in page
    assert re.search(r'name="sensitive" value="true" checked', page)
    # Unticking the box (which sends nothing) makes it an ordinary photo again.
    r = s.post(server.url + m.group(1), allow_redirects=False,
               data={"csrf": csrf_of(page), "action": "save", "alt": "Kitchen", "caption": "",
                     "note": ""})
    assert r.status_code == 303
    got = requests.get(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok)).json()
    assert (got["alt"], got["caption"], got["sensitive"]) == ("Kitchen", "", False)
    # Empty alt text is refused and nothing changes; so is a missing token.
    r = s.post(server.url + m.group(1), data={"csrf": csrf_of(page), "action": "save", "alt": " "})
    assert r.status_code == 422
    r = s.post(server.url + m.group(1), data={"action": "save", "alt": "Changed"})
    assert r.status_code == 403
    got = requests.get(server.url + "/api/v1/photos/" + p["id"], headers=auth(tok)).json()
    assert got["alt"] == "Kitchen"


def test_editor_preview_gates_sensitive_photo(server, tok, work):
    story = new_story(server, tok, status="draft")
    p = upload(server, tok, story["id"], make_image(work, "pv.jpg", 600, 400), alt="Scan",
               sensitive=True, note="scan results").json()
    s = login(server, *ADMIN)
    edit = server.url + "/edit/" + story["id"]
    page = s.get(edit).text
    r = s.post(edit, data={"csrf": csrf_of(page), "action": "preview", "title": "Preview gate",
                           "body": "Before.\n\n%s\n\nAfter." % p["markdown"],
                           "base_revision": re.search(r'name="base_revision" value="(\w*)"',
                                                      page).group(1)})
    assert r.status_code == 200, r.text
    pv = r.text[r.text.index('class="preview"'):]
    pv = pv[:pv.index("</section>")]
    assert 'class="photo gated"' in pv and "scan results" in pv
    # The full photo sits only inside the inert template, as on the story page.
    outside = re.sub(r"<template.*?</template>", "", pv, flags=re.S)
    assert "/photos/%s/" % p["id"] not in outside
    assert "/photos/%s/" % p["id"] in pv


def test_unlisted_story_photos_need_the_key(server, tok, work):
    r = requests.post(server.url + "/api/v1/stories", headers=auth(tok),
                      json={"title": "Unlisted photos", "body": "x", "status": "published",
                            "audience": "unlisted"})
    assert r.status_code == 201, r.text
    story = r.json()
    p = upload(server, tok, story["id"], make_image(work, "ul.jpg", 500, 300)).json()
    story = set_body(server, tok, story, "Look.\n\n%s" % p["markdown"])
    key = story["url"].rsplit("/", 1)[1]
    html = requests.get(story["url"]).text
    urls = set(re.findall(r'/photos/%s/\d+\.(?:webp|jpg)\?k=[0-9a-f]+' % p["id"], html))
    assert urls and all(u.endswith("?k=" + key) for u in urls), html
    for u in urls:
        r = fetch(server.url + u)
        assert r.status_code == 200 and r.headers["Cache-Control"].startswith("private")
        bare = u.split("?")[0]
        assert fetch(server.url + bare).status_code == 404
        assert fetch(server.url + bare + "?k=" + "0" * len(key)).status_code == 404
    # Unlisted stories are not in lists, and nor are the photo's ids.
    assert p["id"] not in requests.get(server.url + "/").text


def test_photos_per_story_limit(server, tok, work):
    story = new_story(server, tok)
    src = make_image(work, "lim.jpg", 300, 200)
    ids = [upload(server, tok, story["id"], src, alt="n%d" % i).json()["id"]
           for i in range(PER_STORY)]
    before = media_files(server)
    r = upload(server, tok, story["id"], make_image(work, "lim2.jpg", 320, 200))
    assert r.status_code == 409 and r.json()["error"]["code"] == "photo_limit", r.text
    assert media_files(server) == before and tmp_files(server) == []
    # Another story is not affected; deleting one makes room.
    assert upload(server, tok, new_story(server, tok)["id"], src).status_code == 201
    assert requests.delete(server.url + "/api/v1/photos/" + ids[0],
                           headers=auth(tok)).status_code == 204
    assert upload(server, tok, story["id"], src).status_code == 201


def test_decoding_happens_outside_the_server(server, tok, work):
    """Uploads are decoded by a `quire photo-worker` child: libvips and its
    loaders are never mapped into the server, and each ingest is logged."""
    story = new_story(server, tok)
    assert upload(server, tok, story["id"], make_image(work, "iso.jpg", 640, 480)).status_code == 201
    maps = open("/proc/%d/maps" % server.proc.pid).read()
    assert "libvips" not in maps and "libheif" not in maps and "librsvg" not in maps
    assert re.search(r"photo worker: [0-9.]+ s, peak \d+ MB", server.read_log())
    # The worker is not a way in: it only reads an upload on stdin.
    r = subprocess.run([os.environ.get("QUIRE_BIN", "build/quire"), "photo-worker"],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert r.returncode == 2 and b"stdin must be the uploaded file" in r.stderr


# ---- bad input ----

def png_claiming(w, h):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\0" * 100000)) + chunk(b"IEND", b""))


def jpeg_claiming(work, w, h):
    data = bytearray(open(make_image(work, "small.jpg", 64, 48), "rb").read())
    i = 2
    while i < len(data):
        assert data[i] == 0xFF
        marker = data[i + 1]
        seglen = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            data[i + 5:i + 9] = struct.pack(">HH", h, w)
            return bytes(data)
        i += 2 + seglen
    raise AssertionError("no SOF")


def vm_hwm(server):
    for line in open("/proc/%d/status" % server.proc.pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def raw_request(server, head, body=b"", read_timeout=10):
    with socket.create_connection(("127.0.0.1", server.port), timeout=read_timeout) as c:
        c.sendall(head + body)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = c.recv(65536)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
    return data


def test_bad_inputs_are_refused_fast_and_leave_nothing(server, tok, work):
    story = new_story(server, tok)
    url = server.url + "/api/v1/stories/%s/photos" % story["id"]
    good = open(make_image(work, "trunc.jpg", 1600, 1200), "rb").read()
    cases = [
        ("truncated.jpg", good[:len(good) // 3], 422, None),
        ("bomb.png", png_claiming(50000, 50000), 422, "pixels"),
        ("huge.jpg", jpeg_claiming(work, 64000, 64000), 422, "pixels"),
        ("empty.jpg", b"", 422, "empty"),
        ("image.jpg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 415, None),
        ("page.jpg", b"<!doctype html><html><body><script>alert(1)</script></body></html>", 415, None),
        ("avif.jpg", b"\0\0\0\x1cftypavif" + b"\0" * 100, 415, None),
    ]
    before = media_files(server)
    hwm = vm_hwm(server)
    for name, data, status, word in cases:
        t = time.time()
        r = requests.post(url, headers=auth(tok), data={"alt": "bad"},
                          files={"file": (name, data, "image/jpeg")})
        took = time.time() - t
        assert r.status_code == status, (name, r.status_code, r.text)
        assert r.json()["error"]["message"]
        if word:
            assert word in r.json()["error"]["message"].lower(), (name, r.text)
        assert took < 2.0, (name, took)
    assert vm_hwm(server) - hwm < 200 * 1024 * 1024, "bounded memory"
    # Not multipart at all, and multipart without a boundary.
    r = requests.post(url, headers=dict(auth(tok), **{"Content-Type": "image/jpeg"}), data=good)
    assert r.status_code == 415
    r = requests.post(url, headers=dict(auth(tok), **{"Content-Type": "multipart/form-data"}),
                      data=b"--x\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nabc\r\n--x--\r\n")
    assert r.status_code == 400
    # A body cut short before its closing boundary.
    body = (b"--BOUND\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\nx\r\n"
            b"--BOUND\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
            b"Content-Type: image/jpeg\r\n\r\n" + good[:5000])
    r = requests.post(url, headers=dict(auth(tok), **{"Content-Type": "multipart/form-data; boundary=BOUND"}),
                      data=body)
    assert r.status_code in (400, 422), r.text
    # 200 MB announced: refused before the body is read (only 64 KB of it
    # is ever sent, so a server waiting for the rest would not answer).
    head = ("POST /api/v1/stories/%s/photos HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
            "Content-Type: multipart/form-data; boundary=B\r\nContent-Length: %d\r\n\r\n"
            % (story["id"], tok, 200 * 1024 * 1024)).encode()
    resp = raw_request(server, head, b"--B\r\n" + b"x" * 65536)
    assert resp.startswith(b"HTTP/1.1 413"), resp[:200]
    # Chunked (no length) past the cap: stopped at the cap, answered 413.
    def gen():
        yield (b"--BOUNDARY\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n"
               + b"\xff\xd8\xff")
        for _ in range(MAX_BYTES // 65536 + 8):
            yield b"\0" * 65536
        yield b"\r\n--BOUNDARY--\r\n"
    r = requests.post(url, headers=dict(auth(tok), **{"Content-Type": "multipart/form-data; boundary=BOUNDARY"}),
                      data=gen())
    assert r.status_code == 413, r.text
    assert media_files(server) == before, "no partial file left behind"
    assert tmp_files(server) == []
    assert requests.get(server.url + "/healthz").status_code == 200
    # And a good photo still goes through.
    ok = upload(server, tok, story["id"], make_image(work, "after.jpg", 300, 200))
    assert ok.status_code == 201


def test_worker_past_its_deadline_is_stopped(work):
    """A photo that takes longer than QUIRE_PHOTO_TIMEOUT is refused (422)
    and its worker killed; the server keeps serving and keeps nothing."""
    src = os.path.join(work, "huge.jpg")
    run(CONVERT, "-size", "7000x5000", "gradient:#3a6ea5-#e8c07d", "-attenuate", "0.6",
        "+noise", "Gaussian", "-quality", "90", src)
    # One encoder thread: slow enough in the optimised build as well.
    env = {"QUIRE_PHOTO_TIMEOUT": "1", "QUIRE_PHOTO_MAX_BYTES": str(64 << 20),
           "QUIRE_PHOTO_ENCODERS": "1"}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    s = Server(admin=ADMIN)
    try:
        s.start()
    finally:
        for k, v in old.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    try:
        t = api_token(s, *ADMIN)
        story = new_story(s, t)
        start = time.time()
        r = upload(s, t, story["id"], src)
        assert r.status_code == 422 and "too long" in r.json()["error"]["message"], r.text
        assert time.time() - start < 20
        assert "photo worker stopped after 1 s" in s.read_log()
        assert media_files(s) == [] and tmp_files(s) == []
        # No worker is left behind, and the server answers.
        kids = subprocess.run(["pgrep", "-P", str(s.proc.pid)], capture_output=True, text=True)
        assert kids.stdout.strip() == ""
        assert requests.get(s.url + "/healthz").status_code == 200
        small = make_image(work, "after.jpg", 300, 200)
        assert upload(s, t, story["id"], small).status_code == 201
    finally:
        s.stop()
        s.cleanup()
