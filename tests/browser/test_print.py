"""A story printed, in a real Chromium with print media emulated (CDP
Emulation.setEmulatedMedia): the site's header and nav, the response form
and the buttons are gone, the story's words are there in black on white
(also for a reader who prefers dark), a link in the body shows its address
after it, and a photo is never split across pages. Back on screen,
everything is as it was."""
import os
import subprocess
import tempfile

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from quire_server import ADMIN, api_token
from test_autosave import sign_in


def shown(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return bool(els) and els[0].is_displayed()


def style(d, css, prop, pseudo=None):
    return d.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0]), arguments[2])"
        ".getPropertyValue(arguments[1])", css, prop, pseudo)


def media(d, kind, dark=False):
    d.execute_cdp_cmd("Emulation.setEmulatedMedia", {
        "media": kind,
        "features": [{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}]})


def test_print_hides_the_chrome_and_keeps_the_story(desk_server, browser):
    s = desk_server
    tok = api_token(s, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    r = requests.post(s.url + "/api/v1/stories", headers=h, json={
        "title": "On paper", "status": "published",
        "body": "Words to print zp, and [a link](https://example.org/printed) in them."})
    assert r.status_code == 201, r.text
    st = r.json()
    img = os.path.join(tempfile.mkdtemp(prefix="quire-print-"), "p.jpg")
    subprocess.run(["convert", "-size", "64x48", "xc:#336699", img], check=True)
    with open(img, "rb") as f:
        ph = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                           data={"alt": "A printed photo"},
                           files={"file": ("p.jpg", f, "image/jpeg")})
    assert ph.status_code == 201, ph.text
    r = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=h,
                       json={"body": st["body"] + "\n\n" + ph.json()["markdown"]})
    assert r.status_code == 200, r.text
    d = browser
    sign_in(s, d)
    d.get(s.url + "/@%s/%s" % (ADMIN[0], st["slug"]))
    WebDriverWait(d, 10).until(lambda drv: shown(drv, "article.story .body p"))
    assert shown(d, "header.site") and shown(d, "form.respond")
    media(d, "print", dark=True)
    WebDriverWait(d, 5).until(lambda drv: not shown(drv, "header.site"))
    for css in ("header.site nav", "form.respond", "form.respond button", "footer.site", ".tools"):
        assert not shown(d, css), css
    assert shown(d, "article.story h1") and "Words to print zp" in d.find_element(
        By.CSS_SELECTOR, "article.story .body").text
    assert style(d, "body", "color") == "rgb(0, 0, 0)"
    assert style(d, "body", "background-color") == "rgb(255, 255, 255)"
    assert style(d, "article.story .body p", "color") == "rgb(0, 0, 0)"
    after = style(d, 'article.story .body a[href^="https://example.org"]', "content", "::after")
    assert "https://example.org/printed" in after, after
    assert style(d, "article.story figure.photo", "break-inside") == "avoid"
    media(d, "screen")
    WebDriverWait(d, 5).until(lambda drv: shown(drv, "header.site"))
    assert shown(d, "form.respond")
    assert style(d, 'article.story .body a[href^="https://example.org"]', "content", "::after") in ("none", "normal")
