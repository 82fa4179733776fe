#!/usr/bin/python3
"""screenshots.py - a screenshot of each page a writer and a reader meet,
at 1280 px and 390 px, in headless Chromium, into docs/screenshots/ (or
the folder given). Not a test: run it after a change to how pages look,
look at every image, and commit the notable ones.

    QUIRE_BIN=build/quire /usr/bin/python3 scripts/screenshots.py [DIR]
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
sys.path.insert(0, os.path.join(ROOT, "tests", "browser"))

import requests  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from conftest import make_driver  # noqa: E402
from quire_server import ADMIN, Server, api_token, csrf_of, invite_and_signup, login  # noqa: E402


def jpeg(path, gradient, size="1600x1000"):
    subprocess.run(["/usr/bin/convert", "-size", size, "gradient:" + gradient, path], check=True, timeout=60)
    return path


def seed(s, work):
    h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
    admin = login(s, *ADMIN)
    page = admin.get(s.url + "/admin")
    admin.post(s.url + "/admin", data={"csrf": csrf_of(page.text), "action": "site", "site_name": "A year in pieces",
                                       "site_description": "Essays by Ada, on a long year", "site_about": "Hello."})
    with open(jpeg(os.path.join(work, "logo.jpg"), "#204060-#a0c0e0", "256x256"), "rb") as f:
        admin.post(s.url + "/admin/logo", data={"csrf": csrf_of(page.text)}, files={"file": ("logo.jpg", f)})
    page = admin.get(s.url + "/settings")
    with open(jpeg(os.path.join(work, "me.jpg"), "#ffd0a0-#603010", "600x600"), "rb") as f:
        admin.post(s.url + "/settings/avatar", data={"csrf": csrf_of(page.text)}, files={"file": ("me.jpg", f)})
    admin.post(s.url + "/settings", data={"csrf": csrf_of(page.text), "name": "Ada Hale",
                                          "bio": "I write about the year my mother was ill.",
                                          "links": "https://ada.example/", "time_zone": "Europe/Paris"})
    circle = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()
    st = requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "The long spring", "subtitle": "A year in pieces", "body": "x", "status": "published",
        "tags": ["family", "illness"]}).json()
    refs = []
    for name, grad, extra in (("sea.jpg", "#88aacc-#224466", {"caption": "The sea at dawn, the first morning"}),
                              ("ward.jpg", "#d0d0ff-#303060", {"sensitive": "true", "note": "hospital photos"})):
        with open(jpeg(os.path.join(work, name), grad), "rb") as f:
            refs.append(requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                                      data=dict({"alt": "A photo"}, **extra), files={"file": (name, f)}).json())
    body = ("It began in March, with a phone call on an ordinary morning. " * 4 + "\n\n## The first weeks\n\n" +
            "We waited, and learnt the names of the nurses. " * 12 + "\n\n" + refs[0]["markdown"] +
            "\n\n### At the hospital\n\n> She said the light was kind.\n\n" + refs[1]["markdown"] + "\n\n" +
            "After it, the summer came anyway. " * 15)
    st = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=h, json={"body": body}).json()
    requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "Only for family", "body": "Close words.", "status": "published", "audience": "circle",
        "circle_id": circle["id"]})
    requests.post(s.url + "/api/v1/stories", headers=h, json={"title": "Notes for later", "body": "Half written."})
    invite_and_signup(s, admin, "rosa", "a password for tests", name="Rosa")
    rt = {"Authorization": "Bearer " + api_token(s, "rosa", "a password for tests")}
    requests.post(s.url + "/api/v1/stories/%s/responses" % st["id"], headers=rt,
                  json={"body": "Thank you for writing this."})
    return st, circle


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "docs", "screenshots")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="quire-shots-")
    s = Server(admin=ADMIN)
    s.start()
    d = make_driver()
    try:
        st, circle = seed(s, work)
        pages = [("story", st["url"], False), ("home", s.url + "/", False), ("profile", s.url + "/@ada", False),
                 ("editor", s.url + "/edit/" + st["id"], True), ("write", s.url + "/write", True),
                 ("mine", s.url + "/me/stories", True), ("settings", s.url + "/settings", True),
                 ("import", s.url + "/settings/import", True), ("circle", s.url + "/circles/" + circle["id"], True),
                 ("admin", s.url + "/admin", True)]
        signed_in = False
        for name, url, writer in pages:
            if writer and not signed_in:
                d.get(s.url + "/login")
                d.find_element(By.NAME, "handle").send_keys(ADMIN[0])
                d.find_element(By.NAME, "password").send_keys(ADMIN[1])
                d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
                WebDriverWait(d, 20).until(lambda x: "/login" not in x.current_url)
                signed_in = True
            for width in (1280, 390):
                d.set_window_size(width, 900)
                d.get(url)
                WebDriverWait(d, 20).until(lambda x: x.execute_script("return document.readyState") == "complete")
                height = d.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
                d.set_window_size(width, max(600, height))
                path = os.path.join(out, "%s-%d.png" % (name, width))
                d.save_screenshot(path)
                print(path)
    finally:
        d.quit()
        s.stop()
        s.cleanup()
        subprocess.run(["rm", "-rf", work], check=False)


if __name__ == "__main__":
    main()
