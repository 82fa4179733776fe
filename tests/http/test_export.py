"""Take everything with you (issue 19): `quire export --user HANDLE OUT.zip`
and the settings page's "Download everything" write one zip with every
story of a writer's (public, unlisted, circle, private, draft, scheduled,
a pending draft), her photos as stored (metadata stripped), responses,
circles, subscribers and settings; its Markdown front matter is YAML that
PyYAML, Hugo and Jekyll read as is, and neither generator publishes what
was not for everyone. `quire import quire` brings it into a new, empty
site: the same stories, slugs, dates, tags, audiences, circles, photos
(sensitivity, note, audience) and policies; a second import changes
nothing. Only the signed-in writer ever downloads her own."""
import json
import os
import re
import shutil
import subprocess
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
import requests
import yaml

from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login
from test_media import assert_clean, make_image, tag_everything

PW = "a password for tests"
WRITER = "ex_writer"
ROOT = "quire-%s/" % WRITER
# Quotes, colons, '#', a leading '-', brackets, other scripts and an emoji:
# everything YAML could misread.
TITLE = 'He said "no": #1 of 2 \u2014 \u00fcn\u00efc\u00f6d\u00e9 \U0001F642 [yes] - ok'
SUBTITLE = "- a list? no: a subtitle, with 'quotes' & #hash"
CIRCLE = "the ones: who were there"


def H(tok):
    return {"Authorization": "Bearer " + tok}


def rfc(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_utc(d):
    """PyYAML's reading of a YAML timestamp, as an aware datetime."""
    assert isinstance(d, datetime), d
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def when(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if s else None


class World:
    pass


def new_story(w, **fields):
    r = requests.post(w.a.url + "/api/v1/stories", headers=H(w.tok), json=fields)
    assert r.status_code == 201, r.text
    return r.json()


def upload(w, story_id, path, **fields):
    data = {k: str(v).lower() if isinstance(v, bool) else v for k, v in fields.items()}
    with open(path, "rb") as f:
        r = requests.post(w.a.url + "/api/v1/stories/%s/photos" % story_id, headers=H(w.tok),
                          data=data, files={"file": ("p.jpg", f, "image/jpeg")})
    assert r.status_code == 201, r.text
    return r.json()


def front_matter(text):
    assert text.startswith("---\n"), text[:80]
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end + 1]), text[end + 5:]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = str(tmp_path_factory.mktemp("export"))
    a = Server()
    a.start()
    w = World()
    w.a, w.work = a, work
    admin = login(a, *ADMIN)
    w.session = invite_and_signup(a, admin, WRITER, PW, name='Ada "Quill": #1')
    w.member_session = invite_and_signup(a, admin, "ex_member", PW)
    invite_and_signup(a, admin, "ex_blocked", PW)
    invite_and_signup(a, admin, "ex_invited", PW)
    w.tok = api_token(a, WRITER, PW)
    w.mtok = api_token(a, "ex_member", PW)
    c = requests.post(a.url + "/api/v1/circles", headers=H(w.tok), json={"name": CIRCLE}).json()
    w.circle = c
    inv = requests.post(a.url + "/api/v1/circles/%s/invites" % c["id"], headers=H(w.tok), json={}).json()
    r = requests.post(a.url + "/api/v1/invites/%s/accept" % inv["token"], headers=H(w.mtok))
    assert r.status_code == 200, r.text
    r = requests.post(a.url + "/api/v1/circles/%s/invitations" % c["id"], headers=H(w.tok),
                      json={"handle": "ex_invited"})
    assert r.status_code == 201, r.text

    # The public story: tags, three photos (one tagged like a phone's, one
    # sensitive with a note, one for the circle only), a content note, a
    # policy, responses, and a pending draft.
    pub = new_story(w, title=TITLE, subtitle=SUBTITLE, body="Opening words.", status="published",
                    tags=["grief", "new-year"], content_note="loss: of a kind",
                    responses="approval", responders="signed_in")
    img = make_image(work, "plain.jpg", 1200, 800)
    tag_everything(img)
    w.plain = upload(w, pub["id"], img, alt='Alt: "plain" #1', caption="Cap \u00e9")
    w.sensitive = upload(w, pub["id"], make_image(work, "s.jpg", 640, 480), alt="AltSens",
                         caption="CapSens", sensitive=True, note="A hospital: #3")
    w.narrow = upload(w, pub["id"], make_image(work, "c.jpg", 500, 500), alt="AltCircle",
                      audience="circle", circle_id=c["id"])
    body = "Opening words.\n\n" + "\n\n".join(p["markdown"] for p in (w.plain, w.sensitive, w.narrow)) \
        + "\n\nThe end."
    r = requests.patch(a.url + "/api/v1/stories/" + pub["id"], headers=H(w.tok), json={"body": body})
    assert r.status_code == 200, r.text
    pub = r.json()
    r = requests.put(a.url + "/api/v1/stories/%s/draft" % pub["id"], headers=H(w.tok), json={
        "title": "Pending title zq", "body": body + "\n\nPending words zq.",
        "base_revision": pub["revision_id"]})
    assert r.status_code == 200, r.text
    for text in ("First response zq", "Second response zq"):
        r = requests.post(a.url + "/api/v1/stories/%s/responses" % pub["id"], headers=H(w.mtok),
                          json={"body": text})
        assert r.status_code == 201, r.text
        w.last_response = r.json()
    r = requests.get(a.url + "/api/v1/stories/%s/responses" % pub["id"], headers=H(w.tok))
    first = [x for x in r.json()["responses"] if "First" in x["body"]][0]
    r = requests.post(a.url + "/api/v1/responses/%s/approve" % first["id"], headers=H(w.tok))
    assert r.status_code in (200, 204), r.text

    w.stories = {"public": pub}
    w.stories["unlisted"] = new_story(w, title="Unlisted zq", body="Only with the link.",
                                      status="published", audience="unlisted")
    w.stories["circle"] = new_story(w, title="For the circle zq", body="Ours.", status="published",
                                    audience="circle", circle_id=c["id"], responses="off")
    w.stories["private"] = new_story(w, title="Mine alone zq", body="Nobody else.",
                                     status="published", audience="private",
                                     responders="circle")
    w.stories["draft"] = new_story(w, title="Half written zq", body="Not yet.", status="draft",
                                   tags=["someday"])
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=30)
    w.stories["scheduled"] = new_story(w, title="Soon zq", body="Next month.", status="scheduled",
                                       publish_at=rfc(at))
    assert w.stories["scheduled"]["status"] == "scheduled"
    gone = new_story(w, title="Thrown away zq", body="Deleted.", status="published")
    r = requests.delete(a.url + "/api/v1/stories/" + gone["id"], headers=H(w.tok))
    assert r.status_code == 204, r.text
    w.gone = gone
    for k in list(w.stories):
        w.stories[k] = requests.get(a.url + "/api/v1/stories/" + w.stories[k]["id"],
                                    headers=H(w.tok)).json()

    # Her settings: response defaults, muted words, a blocked reader.
    page = w.session.get(a.url + "/settings/responses")
    r = w.session.post(a.url + "/settings/responses", data={
        "csrf": csrf_of(page.text), "default_responses": "approval", "default_responders": "circle",
        "muted": "spoiler\nugly: word"}, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    r = requests.post(a.url + "/api/v1/blocks", headers=H(w.tok), json={"handle": "ex_blocked"})
    assert r.status_code == 201, r.text

    w.zip_path = os.path.join(work, "out.zip")
    r = a.cli("export", "--user", WRITER, w.zip_path)
    assert "6 stories (1 pending drafts), 3 photos" in r.stdout, r.stdout
    w.zip = zipfile.ZipFile(w.zip_path)
    w.names = w.zip.namelist()
    yield w
    a.stop()
    a.cleanup()


def read(w, name):
    return w.zip.read(ROOT + name).decode("utf-8")


def md_files(w, folder):
    return sorted(n[len(ROOT):] for n in w.names if n.startswith(ROOT + folder) and n.endswith(".md"))


def story_file(w, key):
    s = w.stories[key]
    for folder in ("content/_posts/", "content/_drafts/"):
        for n in md_files(w, folder):
            if n.endswith("-%s.md" % s["slug"]):
                return n
    raise AssertionError("no file for " + key)


def test_layout(world):
    w = world
    assert all(n.startswith(ROOT) for n in w.names), w.names
    for n in w.names:
        assert ".." not in n.split("/") and not n.startswith("/")
    man = json.loads(read(w, "quire.json"))
    assert man["format"] == "quire-export" and man["version"] == 1 and man["handle"] == WRITER
    assert man["stories"] == 6 and man["photos"] == 3
    # The trash stays behind.
    assert not [n for n in w.names if w.gone["slug"] in n]
    assert not [n for n in w.names if n.endswith(".md") and
                w.gone["title"] in w.zip.read(n).decode()]
    # Nothing private in the manifest (a site generator copies it as is).
    for s in w.stories.values():
        assert s["title"] not in json.dumps(man) and s["slug"] not in json.dumps(man)
    pub = w.stories["public"]
    day = pub["published_at"][:10]
    assert md_files(w, "content/_posts/") == ["content/_posts/%s-%s.md" % (day, pub["slug"])]
    drafts = md_files(w, "content/_drafts/")
    assert len(drafts) == 5
    for key in ("unlisted", "circle", "private", "draft", "scheduled"):
        s = w.stories[key]
        d = (s["published_at"] or s["created_at"])[:10]
        assert "content/_drafts/%s-%s.md" % (d, s["slug"]) in drafts
    assert md_files(w, "_quire/pending/") == ["_quire/pending/%s-%s.md" % (day, pub["slug"])]
    for f in ("_quire/responses.json", "_quire/circles.json", "_quire/subscribers.json",
              "_quire/settings.json", "hugo.toml", "_config.yml"):
        assert ROOT + f in w.names, f
    # A public site may show the plain photo; the sensitive one and the
    # circle's wait where no generator publishes.
    assert ROOT + "static/photos/%s.jpg" % w.plain["id"] in w.names
    assert ROOT + "_quire/photos/%s.jpg" % w.sensitive["id"] in w.names
    assert ROOT + "_quire/photos/%s.jpg" % w.narrow["id"] in w.names
    assert not [n for n in w.names if n.startswith(ROOT + "static/") and
                (w.sensitive["id"] in n or w.narrow["id"] in n)]


def test_front_matter(world):
    w = world
    pub = w.stories["public"]
    fm, body = front_matter(read(w, story_file(w, "public")))
    assert fm["title"] == TITLE and fm["subtitle"] == SUBTITLE
    assert fm["slug"] == pub["slug"] and fm["quire_id"] == pub["id"]
    assert as_utc(fm["date"]) == when(pub["published_at"])
    assert as_utc(fm["updated"]) == when(pub["updated_at"]) == as_utc(fm["lastmod"])
    assert as_utc(fm["created"]) == when(pub["created_at"])
    assert as_utc(fm["edited"]) == when(pub["edited_at"])
    assert fm["status"] == "published" and fm["draft"] is False and fm["audience"] == "public"
    assert fm["tags"] == ["grief", "new-year"]
    assert fm["content_note"] == "loss: of a kind" and fm["canonical_url"] == ""
    assert fm["responses"] == "approval" and fm["responders"] == "signed_in"
    photos = {p["id"]: p for p in fm["photos"]}
    assert set(photos) == {w.plain["id"], w.sensitive["id"], w.narrow["id"]}
    plain, sens, narrow = photos[w.plain["id"]], photos[w.sensitive["id"]], photos[w.narrow["id"]]
    assert plain["alt"] == 'Alt: "plain" #1' and plain["caption"] == "Cap \u00e9"
    assert plain["sensitive"] is False and plain["audience"] == "story"
    assert sens["sensitive"] is True and sens["note"] == "A hospital: #3"
    assert narrow["audience"] == "circle" and narrow["circle"] == CIRCLE
    # Every photo reference in the body is a relative path to its file.
    assert "photo:" not in body
    refs = re.findall(r"\]\(([^ )]+)", body)
    assert sorted(refs) == sorted(p["file"] for p in photos.values())
    base = os.path.dirname(story_file(w, "public"))
    for p in photos.values():
        path = os.path.normpath(os.path.join(base, p["file"]))
        assert ROOT + path in w.names, path
        # The largest JPEG Quire stored, and clean.
        out = os.path.join(w.work, "x-" + os.path.basename(path))
        with open(out, "wb") as f:
            f.write(w.zip.read(ROOT + path))
        assert_clean(out)
        info = json.loads(subprocess.run(["exiftool", "-j", "-n", out], capture_output=True,
                                         text=True, check=True).stdout)[0]
        assert info["MIMEType"] == "image/jpeg"
        assert info["ImageWidth"] == p["width"] and info["ImageHeight"] == p["height"]
    big = max(v["width"] for v in w.plain["variants"] if v["url"].endswith(".jpg"))
    assert plain["width"] == big == 1200
    # The pending draft, kept whole.
    assert fm["pending"].startswith("../../_quire/pending/")
    pend, pbody = front_matter(read(w, os.path.normpath(os.path.join(base, fm["pending"]))))
    assert pend["title"] == "Pending title zq" and "Pending words zq." in pbody
    assert "Pending words zq" not in body and "photo:" not in pbody

    fm, body = front_matter(read(w, story_file(w, "circle")))
    assert fm["audience"] == "circle" and fm["circle"] == CIRCLE and fm["responses"] == "off"
    assert fm["status"] == "published" and fm["draft"] is True and body == "Ours."
    fm, _ = front_matter(read(w, story_file(w, "private")))
    assert fm["audience"] == "private" and fm["responders"] == "circle" and fm["draft"] is True
    fm, _ = front_matter(read(w, story_file(w, "unlisted")))
    assert fm["audience"] == "unlisted" and fm["status"] == "published"
    fm, _ = front_matter(read(w, story_file(w, "draft")))
    assert fm["status"] == "draft" and fm["draft"] is True and fm["tags"] == ["someday"]
    fm, _ = front_matter(read(w, story_file(w, "scheduled")))
    assert fm["status"] == "scheduled" and fm["draft"] is True
    assert as_utc(fm["publish_at"]) == when(w.stories["scheduled"]["publish_at"])


def test_json_files(world):
    w = world
    rs = json.loads(read(w, "_quire/responses.json"))["responses"]
    states = {r["body"]: r["status"] for r in rs}
    assert states == {"First response zq": "visible", "Second response zq": "pending"}
    assert all(r["author"]["handle"] == "ex_member" and r["story"] == w.stories["public"]["id"]
               for r in rs)
    cs = json.loads(read(w, "_quire/circles.json"))["circles"]
    assert [c["name"] for c in cs] == [CIRCLE]
    assert [m["handle"] for m in cs[0]["members"]] == ["ex_member"]
    assert [m["handle"] for m in cs[0]["invited"]] == ["ex_invited"]
    assert len(cs[0]["invite_links"]) == 1 and "token" not in json.dumps(cs[0]["invite_links"])
    subs = json.loads(read(w, "_quire/subscribers.json"))
    assert subs == {"subscribers": []}
    st = json.loads(read(w, "_quire/settings.json"))
    assert st["profile"]["handle"] == WRITER and st["profile"]["name"] == 'Ada "Quill": #1'
    assert st["responses"] == {"default": "approval", "responders": "circle"}
    assert sorted(st["muted_words"]) == ["spoiler", "ugly: word"]
    assert [b["handle"] for b in st["blocked"]] == ["ex_blocked"]


def comparable(server, tok, s):
    """What must survive the move, with photo ids made positional."""
    ids = re.findall(r"photo:([0-9a-f]{16})", s["body"])
    photos = []
    for pid in ids:
        p = requests.get(server.url + "/api/v1/photos/" + pid, headers=H(tok)).json()
        photos.append((p["alt"], p["caption"], p["sensitive"], p["note"], p["audience"],
                       p["width"], p["height"], circle_name(server, tok, p["circle_id"])))
    draft = s.get("draft")
    return {
        "title": s["title"], "subtitle": s["subtitle"], "slug": s["slug"],
        "body": re.sub(r"photo:[0-9a-f]{16}", "photo:X", s["body"]), "status": s["status"],
        "published_at": s["published_at"], "created_at": s["created_at"],
        "updated_at": s["updated_at"], "edited_at": s["edited_at"], "publish_at": s["publish_at"],
        "tags": s["tags"], "audience": s["audience"], "content_note": s["content_note"],
        "responses": s["responses"], "responders": s["responders"],
        "circle": circle_name(server, tok, s["circle_id"]), "photos": photos,
        "draft": draft and (draft["title"], re.sub(r"photo:[0-9a-f]{16}", "photo:X", draft["body"])),
    }


def circle_name(server, tok, cid):
    if not cid:
        return None
    cs = requests.get(server.url + "/api/v1/circles", headers=H(tok)).json()["circles"]
    return [c["name"] for c in cs if c["id"] == cid][0]


def all_stories(server, tok):
    r = requests.get(server.url + "/api/v1/stories", params={"limit": 100, "author": WRITER},
                     headers=H(tok))
    assert r.status_code == 200, r.text
    return {s["slug"]: requests.get(server.url + "/api/v1/stories/" + s["id"], headers=H(tok)).json()
            for s in r.json()["stories"]}


def test_import_into_a_new_site(world):
    w = world
    b = Server()
    try:
        for h in (WRITER, "ex_member", "ex_blocked"):
            b.cli("user", "add", h, "--password-stdin", input=PW + "\n")
        r = b.cli("import", "quire", w.zip_path, "--user", WRITER)
        assert "6 imported, 0 skipped (imported before), 0 failed; 3 photos fetched, 0 missing" in r.stdout, r.stdout
        b.start()
        tok = api_token(b, WRITER, PW)
        before = {slug: comparable(w.a, w.tok, s) for slug, s in all_stories(w.a, w.tok).items()}
        after_stories = all_stories(b, tok)
        after = {slug: comparable(b, tok, s) for slug, s in after_stories.items()}
        assert set(after) == set(before)
        for slug in before:
            assert after[slug] == before[slug], slug
        assert after[w.stories["public"]["slug"]]["photos"][1][2:4] == (True, "A hospital: #3")
        # Her circle, with the member who has an account here.
        cs = requests.get(b.url + "/api/v1/circles", headers=H(tok)).json()["circles"]
        assert [c["name"] for c in cs] == [CIRCLE]
        ms = requests.get(b.url + "/api/v1/circles/%s/members" % cs[0]["id"], headers=H(tok)).json()
        assert [m["handle"] for m in ms["members"]] == ["ex_member"]
        # Her settings.
        mw = requests.get(b.url + "/api/v1/muted-words", headers=H(tok)).json()
        assert sorted(mw["words"]) == ["spoiler", "ugly: word"]
        bl = requests.get(b.url + "/api/v1/blocks", headers=H(tok)).json()
        assert [x["handle"] for x in bl["blocks"]] == ["ex_blocked"]
        # Readers get what they got before: the public story and its
        # photos to anyone, the circle's story to its member only.
        pub = after_stories[w.stories["public"]["slug"]]
        page = requests.get(b.url + "/@%s/%s" % (WRITER, pub["slug"]))
        assert page.status_code == 200 and "Opening words." in page.text
        assert "Pending words zq" not in page.text and "A hospital: #3" in page.text
        circ = w.stories["circle"]["slug"]
        assert requests.get(b.url + "/@%s/%s" % (WRITER, circ)).status_code == 404
        mtok = api_token(b, "ex_member", PW)
        assert requests.get(b.url + "/api/v1/stories/" + after_stories[circ]["id"],
                            headers=H(mtok)).status_code == 200

        # Again: nothing changes.
        ids = sorted(s["id"] for s in after_stories.values())
        r = b.cli("import", "quire", w.zip_path, "--user", WRITER)
        assert "0 imported, 6 skipped (imported before), 0 failed; 0 photos fetched" in r.stdout, r.stdout
        again = all_stories(b, tok)
        assert sorted(s["id"] for s in again.values()) == ids
        assert {k: comparable(b, tok, s) for k, s in again.items()} == after
        assert len(requests.get(b.url + "/api/v1/circles", headers=H(tok)).json()["circles"]) == 1
        ms2 = requests.get(b.url + "/api/v1/circles/%s/members" % cs[0]["id"], headers=H(tok)).json()
        assert ms2 == ms
        assert requests.get(b.url + "/api/v1/muted-words", headers=H(tok)).json() == mw

        # Not a Quire export: refused, nothing imported.
        bad = os.path.join(w.work, "bad.zip")
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("x/readme.txt", "hello")
        r = b.cli("import", "quire", bad, "--user", WRITER, check=False)
        assert r.returncode == 1 and "quire.json is missing" in r.stderr, r.stderr
    finally:
        b.stop()
        b.cleanup()


def download(server, session):
    page = session.get(server.url + "/settings")
    assert page.status_code == 200
    return session.post(server.url + "/settings/export", data={"csrf": csrf_of(page.text)})


def test_settings_button_serves_her_own_zip_only(world):
    w = world
    page = w.session.get(w.a.url + "/settings")
    assert 'action="/settings/export"' in page.text and "Download everything" in page.text
    r = download(w.a, w.session)
    assert r.status_code == 200, r.text[:300]
    assert r.headers["Content-Type"] == "application/zip"
    assert re.fullmatch(r'attachment; filename="quire-ex_writer-\d{4}-\d\d-\d\d\.zip"',
                        r.headers["Content-Disposition"]), r.headers["Content-Disposition"]
    assert "no-store" in r.headers["Cache-Control"]
    path = os.path.join(w.work, "button.zip")
    with open(path, "wb") as f:
        f.write(r.content)
    z = zipfile.ZipFile(path)
    assert json.loads(z.read(ROOT + "quire.json"))["handle"] == WRITER
    assert sorted(n for n in z.namelist() if n.endswith(".md")) == \
        sorted(n for n in w.names if n.endswith(".md"))
    # Another account downloads her own: nothing of the writer's.
    r = download(w.a, w.member_session)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    with open(os.path.join(w.work, "m.zip"), "wb") as f:
        f.write(r.content)
    mz = zipfile.ZipFile(os.path.join(w.work, "m.zip"))
    assert all(n.startswith("quire-ex_member/") for n in mz.namelist())
    everything = b"".join(mz.read(n) for n in mz.namelist())
    for s in w.stories.values():
        assert s["title"].encode() not in everything
    for p in (w.plain, w.sensitive, w.narrow):
        assert p["id"].encode() not in everything and p["alt"].encode() not in everything
    # Anonymous readers, a missing or wrong form token, a GET: no zip.
    r = requests.post(w.a.url + "/settings/export", data={"csrf": "0" * 32})
    assert r.status_code == 401 and r.headers["Content-Type"] != "application/zip"
    r = w.session.post(w.a.url + "/settings/export", data={})
    assert r.status_code == 403 and r.headers["Content-Type"] != "application/zip"
    r = w.session.post(w.a.url + "/settings/export", data={"csrf": "0" * 32})
    assert r.status_code == 403
    assert w.session.get(w.a.url + "/settings/export").status_code in (404, 405)
    # Her API token (no cookie a page could ride on) gets her own too.
    r = requests.post(w.a.url + "/settings/export", headers=H(w.tok))
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    with open(path, "wb") as f:
        f.write(r.content)
    assert json.loads(zipfile.ZipFile(path).read(ROOT + "quire.json"))["handle"] == WRITER
    # Nothing of any export is left in the data directory.
    tmp = os.path.join(w.a.data, "tmp")
    assert not [f for f in (os.listdir(tmp) if os.path.isdir(tmp) else []) if f.startswith("export")]


def test_export_refusals(world):
    w = world
    r = w.a.cli("export", "--user", WRITER, w.zip_path, check=False)
    assert r.returncode == 2 and "exists" in r.stderr
    r = w.a.cli("export", os.path.join(w.work, "n.zip"), check=False)
    assert r.returncode == 2 and "--user" in r.stderr
    r = w.a.cli("export", "--user", "nobody_here", os.path.join(w.work, "n.zip"), check=False)
    assert r.returncode == 1 and "no writer @nobody_here" in r.stderr
    assert not os.path.exists(os.path.join(w.work, "n.zip"))
    # Brought back to the site it came from: everything is here already.
    before = sorted(s["id"] for s in all_stories(w.a, w.tok).values())
    r = w.a.cli("import", "quire", w.zip_path, "--user", WRITER)
    assert "0 imported, 6 skipped" in r.stdout and "it is here already" in r.stdout, r.stdout
    assert sorted(s["id"] for s in all_stories(w.a, w.tok).values()) == before
    assert len(requests.get(w.a.url + "/api/v1/circles", headers=H(w.tok)).json()["circles"]) == 1


@pytest.fixture(scope="module")
def unpacked(world):
    d = os.path.join(world.work, "site")
    world.zip.extractall(d)
    return os.path.join(d, ROOT)


@pytest.mark.skipif(not shutil.which("hugo"), reason="needs hugo (scripts/deps.sh test)")
def test_hugo_reads_it_as_is(world, unpacked):
    """Hugo reads every story with its exact title and date, knows which
    are drafts, and publishes only the story that was for everyone."""
    w = world
    r = subprocess.run(["hugo", "list", "all", "-s", unpacked], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    import csv
    rows = list(csv.DictReader(r.stdout.splitlines()))
    by_title = {row["title"]: row for row in rows}
    assert set(by_title) == {s["title"] for s in w.stories.values()}, by_title.keys()
    assert by_title[TITLE]["draft"] == "false"
    assert by_title[TITLE]["slug"] == w.stories["public"]["slug"]
    for k in ("unlisted", "circle", "private", "draft", "scheduled"):
        assert by_title[w.stories[k]["title"]]["draft"] == "true", k
    out = os.path.join(w.work, "hugo-out")
    r = subprocess.run(["hugo", "--quiet", "-s", unpacked, "-d", out], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    built = {os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs}
    assert "photos/%s.jpg" % w.plain["id"] in built
    # Without a theme Hugo writes its feeds and sitemap: the public story
    # is in them, no other, and no draft's tag has a page.
    sitemap = open(os.path.join(out, "sitemap.xml"), encoding="utf-8").read()
    assert "/%s/" % w.stories["public"]["slug"] in sitemap
    assert "tags/grief/index.xml" in built and not [f for f in built if "someday" in f]
    text = b"".join(open(os.path.join(out, f), "rb").read() for f in built)
    for k in ("unlisted", "circle", "private", "draft", "scheduled"):
        assert w.stories[k]["slug"].encode() not in text, k
    for p in (w.sensitive, w.narrow):
        assert not [f for f in built if p["id"] in f]


@pytest.mark.skipif(not shutil.which("jekyll"), reason="needs jekyll (scripts/deps.sh test)")
def test_jekyll_reads_it_as_is(world, unpacked):
    """Jekyll builds the public story from content/_posts with its text
    and the photo a public site may show; no draft, no _quire file."""
    w = world
    out = os.path.join(w.work, "jekyll-out")
    r = subprocess.run(["jekyll", "build", "--safe", "-q", "-s", unpacked, "-d", out],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, JEKYLL_ENV="production", HOME=w.work))
    assert r.returncode == 0, r.stdout + r.stderr
    built = {os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs}
    posts = [f for f in built if f.endswith(w.stories["public"]["slug"] + ".html")]
    assert len(posts) == 1, sorted(built)
    html = open(os.path.join(out, posts[0]), encoding="utf-8").read()
    assert "Opening words." in html and "The end." in html
    assert "static/photos/%s.jpg" % w.plain["id"] in built
    assert not [f for f in built if f.startswith("_quire") or "pending" in f]
    text = b"".join(open(os.path.join(out, f), "rb").read() for f in built)
    for k in ("unlisted", "circle", "private", "draft", "scheduled"):
        assert w.stories[k]["title"].encode() not in text, k
    for p in (w.sensitive, w.narrow):
        assert not [f for f in built if p["id"] in f]
