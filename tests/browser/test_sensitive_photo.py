"""A sensitive photo in a real headless Chromium: the reader first sees the
blurred preview and the writer's note; no request for the full photo is
made until she clicks "Show photo"; after the click it is shown. Both with
JavaScript (revealed in place) and without (the link reloads with it)."""
import json
import os
import shutil
import subprocess
import tempfile
import time

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By

from conftest import start_chrome
from selenium.webdriver.support.ui import WebDriverWait

from quire_server import ADMIN, Server, api_token


@pytest.fixture(scope="module")
def mserver():
    s = Server(admin=ADMIN)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


@pytest.fixture(scope="module")
def story(mserver):
    tok = api_token(mserver, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    work = tempfile.mkdtemp(prefix="quire-photo-")
    path = os.path.join(work, "ward.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "1200x800", "gradient:#d0d0ff-#303060", path],
                   check=True, timeout=60)
    st = requests.post(mserver.url + "/api/v1/stories", headers=h,
                       json={"title": "The ward", "body": "x", "status": "published"}).json()
    with open(path, "rb") as f:
        p = requests.post(mserver.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                          data={"alt": "An empty hospital bed", "sensitive": "true",
                                "note": "hospital photos", "caption": "The ward at night"},
                          files={"file": ("ward.jpg", f, "image/jpeg")}).json()
    body = "We stayed for weeks.\n\n" + p["markdown"] + "\n\n" + ("More words. " * 40)
    st = requests.patch(mserver.url + "/api/v1/stories/" + st["id"], headers=h,
                        json={"body": body}).json()
    shutil.rmtree(work, ignore_errors=True)
    return {"url": st["url"], "photo": p["id"]}


def driver(js=True):
    profile = tempfile.mkdtemp(prefix="quire-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"):
        opts.add_argument(a)
    if not js:
        opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    d = start_chrome(webdriver, opts)
    d.set_page_load_timeout(30)
    d._profile = profile
    return d


def requested(d, log):
    """URLs requested so far (accumulated in log across calls)."""
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            log.append(m["params"]["request"]["url"])
    return log


def full_photo_requests(log, pid):
    return [u for u in log if "/photos/%s/" % pid in u or u.endswith("/photos/" + pid)]


def settle(d):
    WebDriverWait(d, 20).until(lambda x: x.execute_script("return document.readyState") == "complete")
    d.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    time.sleep(0.8)
    d.execute_script("window.scrollTo(0, 0)")
    time.sleep(0.4)


def shown_image_loaded(d, pid):
    return d.execute_script(
        "var i = document.querySelector('#photo-%s picture img');"
        "return !!(i && i.complete && i.naturalWidth > 0 && i.currentSrc);" % pid)


@pytest.mark.parametrize("js", [True, False], ids=["with-js", "without-js"])
def test_sensitive_photo_loads_only_after_the_click(mserver, story, js):
    d = driver(js)
    try:
        log = []
        pid = story["photo"]
        d.get(story["url"])
        settle(d)
        fig = d.find_element(By.ID, "photo-" + pid)
        assert "hospital photos" in fig.text
        assert "The ward at night" not in fig.text
        preview = fig.find_element(By.CSS_SELECTOR, "img.blur")
        assert preview.get_attribute("src").startswith("data:image/jpeg;base64,")
        assert d.execute_script("return arguments[0].naturalWidth", preview) <= 32
        assert not fig.find_elements(By.CSS_SELECTOR, "picture"), "no live <picture> before the click"
        assert full_photo_requests(requested(d, log), pid) == [], "full photo requested before the click"

        fig.find_element(By.LINK_TEXT, "Show photo").click()
        WebDriverWait(d, 20).until(lambda x: shown_image_loaded(x, pid))
        fig = d.find_element(By.ID, "photo-" + pid)
        assert "The ward at night" in fig.text
        assert not fig.find_elements(By.CSS_SELECTOR, "img.blur")
        img = fig.find_element(By.CSS_SELECTOR, "picture img")
        assert img.get_attribute("alt") == "An empty hospital bed"
        reqs = full_photo_requests(requested(d, log), pid)
        assert reqs, "the photo was fetched after the click"
        assert any(u.endswith(".webp") for u in reqs), reqs
        if js:
            assert "show=" not in d.current_url, "revealed in place, no reload"
            assert not [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
        else:
            assert "?show=%s" % pid in d.current_url
    finally:
        d.quit()
        shutil.rmtree(d._profile, ignore_errors=True)
