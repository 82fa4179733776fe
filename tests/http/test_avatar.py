"""A writer's profile (issue 17): her photo, uploaded in Settings, goes
through the photo pipeline (metadata gone: no GPS, no camera), is shown on
her profile and in the author card at the end of her stories, served to
anyone under an address naming its content (cached for good), replaced and
removed (the old address and file gone), and travels with a backup; bad
uploads are refused with nothing changed. Her links (up to three http(s)
addresses) are shown with rel="me"; anything else is refused."""
import os
import re
import subprocess

import pytest
import requests

from quire_server import ADMIN, BIN, Server, api_token, csrf_of, fresh_db_url_in, invite_and_signup, login
from test_media import assert_clean, make_image, tag_everything

ON_PG = os.environ.get("QUIRE_TEST_BACKEND") == "postgres"


@pytest.fixture
def site():
    s = Server(admin=ADMIN)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


def upload(site, s, path, **extra):
    page = s.get(site.url + "/settings")
    with open(path, "rb") as f:
        return s.post(site.url + "/settings/avatar", data=dict({"csrf": csrf_of(page.text)}, **extra),
                      files={"file": (os.path.basename(path), f, "image/jpeg")}, allow_redirects=False)


def avatar_of(site, handle="ada"):
    m = re.search(r'<img class="avatar" src="(/@%s/avatar/([0-9a-f]{64})\.jpg)"' % handle,
                  requests.get(site.url + "/@" + handle).text)
    return m and (m.group(1), m.group(2))


def test_her_photo_from_upload_to_profile_card_and_away(site, tmp_path):
    s = login(site, *ADMIN)
    assert avatar_of(site) is None
    src = make_image(str(tmp_path), "me.jpg", 1200, 900)
    tag_everything(src)
    r = upload(site, s, src)
    assert r.status_code == 303 and r.headers["Location"] == "/settings", (r.status_code, r.text[:500])
    assert "Your photo is saved" in s.get(site.url + "/settings").text
    url, h1 = avatar_of(site)
    # Anyone gets it: a clean JPEG, cached for good under its content's name.
    got = requests.get(site.url + url)
    assert got.status_code == 200 and got.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in got.headers["Cache-Control"]
    out = tmp_path / "served.jpg"
    out.write_bytes(got.content)
    assert_clean(str(out))
    assert requests.get(site.url + url, headers={"If-None-Match": got.headers["ETag"]}).status_code == 304
    # In the author card at the end of her stories.
    tok = api_token(site, *ADMIN)
    st = requests.post(site.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                       json={"title": "With her photo", "body": "Words.", "status": "published"}).json()
    page = requests.get(st["url"]).text
    card = page.split('class="author-card"')[1].split("</aside>")[0]
    assert url in card
    # Only her current photo, under her own name.
    assert requests.get(site.url + "/@ada/avatar/%s.jpg" % ("0" * 64)).status_code == 404
    assert requests.get(site.url + "/@nobody/avatar/%s.jpg" % h1).status_code == 404
    # Replaced: the old address and its file are gone.
    second = make_image(str(tmp_path), "me2.jpg", 800, 800)
    assert upload(site, s, second).status_code == 303
    url2, h2 = avatar_of(site)
    assert h2 != h1 and requests.get(site.url + url2).status_code == 200
    assert requests.get(site.url + url).status_code == 404
    files = [f for _, _, fs in os.walk(os.path.join(site.data, "media")) for f in fs]
    assert not [f for f in files if h1 in f], "the replaced photo's file is still there"
    assert [f for f in files if h2 in f]
    # Removed.
    page = s.get(site.url + "/settings")
    # (The browser sends the form's Remove button as multipart, like the upload.)
    r = s.post(site.url + "/settings/avatar", files={"csrf": (None, csrf_of(page.text)),
                                                      "action": (None, "remove")},
               allow_redirects=False)
    assert r.status_code == 303 and avatar_of(site) is None
    assert requests.get(site.url + url2).status_code == 404


def test_bad_uploads_change_nothing(site, tmp_path):
    s = login(site, *ADMIN)
    assert upload(site, s, make_image(str(tmp_path), "ok.jpg", 600, 600)).status_code == 303
    before = avatar_of(site)
    junk = tmp_path / "notes.jpg"
    junk.write_bytes(b"not a photo at all, only words\n" * 10)
    r = upload(site, s, str(junk))
    assert r.status_code in (415, 422), r.status_code
    trunc = tmp_path / "half.jpg"
    trunc.write_bytes(open(make_image(str(tmp_path), "full.jpg"), "rb").read()[:3000])
    assert upload(site, s, str(trunc)).status_code in (415, 422)
    assert avatar_of(site) == before
    # Without the form's token, or signed out: refused.
    with open(junk, "rb") as f:
        r = s.post(site.url + "/settings/avatar", files={"file": ("x.jpg", f)}, allow_redirects=False)
    assert r.status_code == 403
    with open(junk, "rb") as f:
        r = requests.post(site.url + "/settings/avatar", files={"file": ("x.jpg", f)}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")
    assert avatar_of(site) == before and requests.get(site.url + "/healthz").status_code == 200


def test_links_on_her_profile(site):
    s = login(site, *ADMIN)

    def save(links):
        page = s.get(site.url + "/settings")
        return s.post(site.url + "/settings", allow_redirects=False, data={
            "csrf": csrf_of(page.text), "name": "Ada", "bio": "I write.", "links": links, "time_zone": ""})

    r = save(" https://ada.example/ \n\nhttps://www.writers.example/ada\r\n")
    assert r.status_code == 303, r.text[:300]
    prof = requests.get(site.url + "/@ada").text
    assert '<a href="https://ada.example/" rel="me nofollow noopener">ada.example</a>' in prof
    assert '<a href="https://www.writers.example/ada" rel="me nofollow noopener">writers.example</a>' in prof
    for bad in ("javascript:alert(1)", "https://a.example\nhttps://b.example\nhttps://c.example\nhttps://d.example",
                "ftp://old.example", "https://x.example/\" onmouseover=\"x"):
        r = save(bad)
        assert r.status_code == 422, (bad, r.status_code)
    prof = requests.get(site.url + "/@ada").text
    assert "javascript:" not in prof and "d.example" not in prof and "ada.example" in prof
    assert save("").status_code == 303
    assert "ada.example" not in requests.get(site.url + "/@ada").text


def test_her_photo_travels_with_a_backup(site, tmp_path):
    s = login(site, *ADMIN)
    assert upload(site, s, make_image(str(tmp_path), "me.jpg", 700, 700)).status_code == 303
    url, h = avatar_of(site)
    dest = str(tmp_path / "site.backup")
    r = subprocess.run([BIN, "backup", dest, "--data", site.data, *site.db_args()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    site.stop()
    restored = str(tmp_path / "restored")
    db = fresh_db_url_in(os.environ["QUIRE_TEST_PG"]) if ON_PG else None
    r = subprocess.run([BIN, "restore", dest, "--data", restored] + (["--db", db] if db else []),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    s2 = Server(admin=None, data=restored, db=db)
    try:
        s2.start()
        got = requests.get(s2.url + url)
        assert got.status_code == 200 and got.content[:2] == b"\xff\xd8"
    finally:
        s2.stop()
        s2.cleanup()


def test_the_sites_logo(site, tmp_path):
    """The admin's logo for the site: beside its name in every header and
    the browser's icon, cleaned like every photo, replaced and removed;
    nobody else may change it."""
    admin = login(site, *ADMIN)
    src = make_image(str(tmp_path), "logo.jpg", 512, 512)
    tag_everything(src)
    page = admin.get(site.url + "/admin")
    with open(src, "rb") as f:
        r = admin.post(site.url + "/admin/logo", data={"csrf": csrf_of(page.text)},
                       files={"file": ("logo.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/admin", r.text[:300]
    assert "logo is saved" in admin.get(site.url + "/admin").text
    home = requests.get(site.url + "/").text
    m = re.search(r'<a class="brand" href="/"><img class="site-logo" src="(/site/logo/[0-9a-f]{64}\.jpg)"', home)
    assert m, home[:3000]
    url = m.group(1)
    assert '<link rel="icon" href="%s" type="image/jpeg">' % url in home
    got = requests.get(site.url + url)
    assert got.status_code == 200 and "immutable" in got.headers["Cache-Control"]
    out = tmp_path / "logo-served.jpg"
    out.write_bytes(got.content)
    assert_clean(str(out))
    assert requests.get(site.url + "/site/logo/%s.jpg" % ("0" * 64)).status_code == 404
    # A writer who is not an admin may not change it.
    invite_and_signup(site, admin, "notadmin", "a password for tests")
    w = login(site, "notadmin", "a password for tests")
    page = w.get(site.url + "/settings")
    with open(src, "rb") as f:
        r = w.post(site.url + "/admin/logo", data={"csrf": csrf_of(page.text)},
                   files={"file": ("logo.jpg", f, "image/jpeg")}, allow_redirects=False)
    assert r.status_code == 403
    # Removed: the icon is Quire's own again, the old address gone.
    page = admin.get(site.url + "/admin")
    r = admin.post(site.url + "/admin/logo", files={"csrf": (None, csrf_of(page.text)),
                                                    "action": (None, "remove")}, allow_redirects=False)
    assert r.status_code == 303
    home = requests.get(site.url + "/").text
    assert "site-logo" not in home and 'type="image/svg+xml"' in home
    assert requests.get(site.url + url).status_code == 404
