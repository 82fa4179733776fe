"""Lighthouse 12.2.3 (npm, pinned in tests/package-lock.json) on Debian's
Chromium (issue 17): the story page (a reader, no cookies), the home page
and the editor (the writer, signed in) score 100 for accessibility and
best practices, and the story and home pages at least 95 for SEO. The
performance score is measured and printed (with the other scores, in
build/lighthouse.json) but not asserted: it is a timing, and a loaded
machine moves it; docs/lighthouse.md records the figures and how to take
them."""
import json
import os
import subprocess
import tempfile

import pytest
import requests

from quire_server import ADMIN, ROOT, Server, api_token, login

LIGHTHOUSE = os.path.join(ROOT, "tests", "node_modules", ".bin", "lighthouse")
FLAGS = ("--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --disable-dev-shm-usage")


@pytest.fixture(scope="module")
def site():
    s = Server(admin=ADMIN)
    s.start()
    h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
    work = tempfile.mkdtemp(prefix="quire-lh-")
    path = os.path.join(work, "sea.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "1600x1000", "gradient:#88aacc-#224466", path],
                   check=True, timeout=60)
    st = requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "The long spring", "subtitle": "A year in pieces", "body": "x", "status": "published",
        "tags": ["spring"]}).json()
    with open(path, "rb") as f:
        p = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                          data={"alt": "The sea at dawn", "caption": "The sea"},
                          files={"file": ("sea.jpg", f, "image/jpeg")}).json()
    body = ("It began in March, the way these things do, with a phone call on an ordinary day. " * 6 +
            "\n\n## The first weeks\n\n" + "We waited, and we learnt the names of the nurses. " * 20 +
            "\n\n" + p["markdown"] + "\n\n## After\n\n" + "The summer came anyway. " * 30)
    st = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=h, json={"body": body}).json()
    subprocess.run(["rm", "-rf", work], check=False)
    yield {"server": s, "story": st}
    try:
        s.stop()
    finally:
        s.cleanup()


def lighthouse(url, out, cookie=None):
    profile = tempfile.mkdtemp(prefix="quire-lh-chrome-")
    args = [LIGHTHOUSE, url, "--chrome-flags=%s --user-data-dir=%s" % (FLAGS, profile),
            "--only-categories=performance,accessibility,best-practices,seo",
            "--output=json", "--output-path=" + out, "--quiet", "--max-wait-for-load=60000"]
    if cookie:
        args.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    try:
        subprocess.run(args, check=True, timeout=300, env=dict(os.environ, CHROME_PATH="/usr/bin/chromium"),
                       capture_output=True)
    finally:
        subprocess.run(["rm", "-rf", profile], check=False)
    rep = json.load(open(out))
    scores = {k: round(v["score"] * 100) for k, v in rep["categories"].items()}
    failing = sorted(a["id"] for a in rep["audits"].values()
                     if a.get("scoreDisplayMode") == "binary" and a.get("score") == 0)
    return scores, failing


def test_lighthouse_scores(site, tmp_path):
    s = site["server"]
    writer = login(s, *ADMIN)
    cookie = "; ".join("%s=%s" % (c.name, c.value) for c in writer.cookies)
    results = {}
    for name, url, ck in (("story", site["story"]["url"], None), ("home", s.url + "/", None),
                          ("editor", s.url + "/edit/" + site["story"]["id"], cookie)):
        results[name] = lighthouse(url, str(tmp_path / (name + ".json")), ck)
    os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
    with open(os.path.join(ROOT, "build", "lighthouse.json"), "w") as f:
        json.dump({k: {"scores": v[0], "failing": v[1]} for k, v in results.items()}, f, indent=1)
    for name, (scores, failing) in results.items():
        print("lighthouse %-6s %s failing: %s" % (name, scores, failing))
    for name, (scores, failing) in results.items():
        assert scores["accessibility"] == 100, (name, scores, failing)
        assert scores["best-practices"] == 100, (name, scores, failing)
    for name in ("story", "home"):
        scores, failing = results[name]
        assert scores["seo"] >= 95, (name, scores, failing)
