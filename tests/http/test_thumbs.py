"""List entries with a thumbnail (issue 17): home, profile, tag and search
show a small image of a story's first photo that is for the story's whole
audience and not sensitive (the share card's rule), fetched and an image;
never a sensitive photo, a photo for a circle only or for the writer only,
and none at all for a story with a content note. The rendering matrix
holds the other side (no such photo's address in any list)."""
import os
import re
import subprocess

import pytest
import requests

from quire_server import ADMIN, Server, api_token


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    work = tmp_path_factory.mktemp("thumbs")
    s = Server(admin=ADMIN)
    s.start()
    h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
    img = str(work / "p.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "1200x800", "gradient:#88aacc-#224466", img],
                   check=True, timeout=60)
    circle = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()

    def story(title, photos, **extra):
        st = requests.post(s.url + "/api/v1/stories", headers=h, json=dict(
            {"title": title, "body": "Words.", "status": "published", "tags": ["thumbs"]}, **extra)).json()
        ids = []
        for extra_photo in photos:
            with open(img, "rb") as f:
                r = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                                  data=dict({"alt": "Alt of " + title}, **extra_photo),
                                  files={"file": ("p.jpg", f, "image/jpeg")})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        return st, ids

    out = {"server": s}
    out["plain"] = story("Plain photo", [{}])
    out["sensitive"] = story("Only sensitive", [{"sensitive": "true", "note": "hospital"}])
    out["narrow"] = story("Only narrow", [{"audience": "circle", "circle_id": circle["id"]},
                                          {"audience": "private"}])
    out["mixed"] = story("Sensitive then plain", [{"sensitive": "true", "note": "hospital"}, {}])
    out["noted"] = story("With a note", [{}], content_note="This story discusses a death")
    yield out
    try:
        s.stop()
    finally:
        s.cleanup()


def thumbs(html):
    return re.findall(r'<img class="thumb" src="(/photos/([0-9a-f]{16})/(\d+)\.jpg)"', html)


@pytest.mark.parametrize("path", ["/", "/@ada", "/tag/thumbs", "/search?q=photo"])
def test_lists_show_a_thumbnail_only_of_what_everyone_may_see(site, path):
    s = site["server"]
    page = requests.get(s.url + path)
    assert page.status_code == 200
    got = thumbs(page.text)
    ids = {i for _, i, _ in got}
    plain = site["plain"][1][0]
    mixed_plain = site["mixed"][1][1]
    if path != "/search?q=photo" or "Plain photo" in page.text:
        assert plain in ids, (path, got)
    forbidden = site["sensitive"][1] + site["narrow"][1] + site["mixed"][1][:1] + site["noted"][1]
    assert not ids & set(forbidden), (path, got)
    if "Sensitive then plain" in page.text:
        assert mixed_plain in ids, (path, got)
    for url, _, width in got:
        assert int(width) <= 480
        r = requests.get(s.url + url)
        assert r.status_code == 200 and r.headers["Content-Type"] == "image/jpeg" and r.content[:2] == b"\xff\xd8"
    # Thumbnails say nothing: the alt text of a photo stays on its page.
    assert "Alt of" not in page.text
