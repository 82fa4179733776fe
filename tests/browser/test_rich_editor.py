"""The rich-text editor (issue 17), in real Chromium: a writer writes in the
story's own typography with the toolbar and Markdown shortcuts, and the
Markdown saved is exactly what she made; she drops three photos into a
story never saved (one sensitive, one for her circle only), each asked for
its alt text in place, the first saving the draft; each shows in place as
readers get it (the sensitive one behind its note); she publishes, and a
reader gets the story with the circle photo left out and the sensitive one
gated, and the link she shares shows the photo everyone may see, on a
phone and on a desktop. A story whose Markdown the rich editor cannot keep as it is (a
table) stays in Markdown mode, unchanged. The mode she chose is kept. axe
finds nothing on the rich editor at 1280 and 390 px."""
import os
import re
import subprocess
import tempfile

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from axe import horizontal_overflow, violations
from quire_server import ADMIN, Server, api_token
from test_finished_pages import loaded, sign_in
from test_publish_and_read import click_and_wait


@pytest.fixture(scope="module")
def site():
    s = Server(admin=ADMIN)
    s.start()
    tok = api_token(s, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    circle = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()
    work = tempfile.mkdtemp(prefix="quire-rich-")
    photos = []
    for name, color in (("sea.jpg", "#88aacc-#224466"), ("ward.jpg", "#d0d0ff-#303060"),
                        ("home.jpg", "#ffd0a0-#603010")):
        path = os.path.join(work, name)
        subprocess.run(["/usr/bin/convert", "-size", "900x600", "gradient:" + color, path],
                       check=True, timeout=60)
        photos.append(path)
    yield {"server": s, "h": h, "circle": circle, "photos": photos}
    try:
        s.stop()
    finally:
        s.cleanup()
        subprocess.run(["rm", "-rf", work], check=False)


def wait(d, cond, secs=30):
    return WebDriverWait(d, secs, ignored_exceptions=(StaleElementReferenceException,)).until(cond)


def markdown(d):
    return d.execute_script("return document.getElementById('body').value")


def rich_mode(d):
    d.execute_script("try { localStorage.removeItem('quire-editor-mode'); } catch (e) {}")


def open_writer(site, d):
    sign_in(site["server"], d)
    d.get(site["server"].url + "/write")
    loaded(d)
    rich_mode(d)
    d.refresh()
    loaded(d)
    wait(d, lambda x: x.find_elements(By.CSS_SELECTOR, ".rich-body"))


def test_writing_in_rich_text_saves_the_markdown_she_made(site, browser):
    d = browser
    open_writer(site, d)
    assert not d.find_element(By.ID, "body").is_displayed(), "the textarea shows in rich mode"
    d.find_element(By.ID, "title").send_keys("The long spring")
    ed = d.find_element(By.CSS_SELECTOR, ".rich-body")
    ed.click()
    ed.send_keys("It began in March.", Keys.ENTER, "## ", "The first weeks", Keys.ENTER,
                 "We waited, ")
    ed.send_keys(Keys.CONTROL, "b")
    ed.send_keys("and waited")
    ed.send_keys(Keys.CONTROL, "b")
    ed.send_keys(".", Keys.ENTER, "> ", "Words from a letter.", Keys.ENTER, Keys.ENTER, "- ", "bread",
                 Keys.ENTER, "tea")
    # The heading is a real heading in the typeset text, the words bold.
    assert d.find_element(By.CSS_SELECTOR, ".rich-body h2").text == "The first weeks"
    assert d.find_element(By.CSS_SELECTOR, ".rich-body strong").text == "and waited"
    want = ("It began in March.\n\n## The first weeks\n\nWe waited, **and waited**.\n\n"
            "> Words from a letter.\n\n* bread\n\n* tea")
    wait(d, lambda x: markdown(x).strip() == want)
    # Autosave keeps exactly that Markdown: the story now exists as a draft.
    wait(d, lambda x: "Saved at" in x.find_element(By.ID, "save-status").text)
    m = re.search(r"/edit/([0-9a-f]{16})$", d.current_url)
    assert m, d.current_url
    got = requests.get(site["server"].url + "/api/v1/stories/" + m.group(1), headers=site["h"]).json()
    assert got["body"].strip() == want and got["status"] == "draft", got
    # The toolbar says what is on where the cursor is.
    bold = d.find_element(By.XPATH, "//div[@class='rich-toolbar']/button[normalize-space()='Bold']")
    assert bold.get_attribute("aria-pressed") == "false"
    for width in (1280, 390):
        d.set_window_size(width, 900)
        assert violations(d) == [], ("rich editor", width)
        assert width == 1280 or not horizontal_overflow(d)
    d.set_window_size(1280, 900)
    # Markdown mode shows the same text, and is remembered.
    d.find_element(By.XPATH, "//div[@class='mode-switch']/button[normalize-space()='Markdown']").click()
    assert d.find_element(By.ID, "body").is_displayed()
    assert not d.find_element(By.CSS_SELECTOR, ".rich-body").is_displayed()
    d.refresh()
    loaded(d)
    wait(d, lambda x: x.find_elements(By.CSS_SELECTOR, ".mode-switch"))
    assert d.find_element(By.ID, "body").is_displayed()
    rich_mode(d)


def add_photo(d, path, alt, sensitive=None, circle=False):
    pick = d.find_element(By.CSS_SELECTOR, ".rich-pick")
    pick.send_keys(path)
    dlg = wait(d, lambda x: x.find_element(By.CSS_SELECTOR, "dialog.photo-dialog[open]"))
    dlg.find_element(By.NAME, "alt").send_keys(alt)
    if sensitive:
        dlg.find_element(By.NAME, "sensitive").click()
        dlg.find_element(By.NAME, "note").send_keys(sensitive)
    if circle:
        Select(dlg.find_element(By.NAME, "audience")).select_by_value("circle")
    before = len(d.find_elements(By.CSS_SELECTOR, ".rich-body .rich-photo"))
    dlg.find_element(By.XPATH, ".//button[normalize-space()='Add photo']").click()
    wait(d, lambda x: not x.find_elements(By.CSS_SELECTOR, "dialog.photo-dialog"), 60)
    wait(d, lambda x: len(x.find_elements(By.CSS_SELECTOR, ".rich-body .rich-photo")) == before + 1)


@pytest.mark.parametrize("width", [1280, 390])
def test_three_photos_dropped_into_a_story_never_saved(site, browser, width):
    d = browser
    d.set_window_size(width, 900)
    open_writer(site, d)
    assert "/write" in d.current_url
    ed = d.find_element(By.CSS_SELECTOR, ".rich-body")
    ed.click()
    ed.send_keys("The day we came home.")
    sea, ward, home = site["photos"]
    # The first photo saves the draft (the story never saved till now).
    add_photo(d, sea, "The sea at dawn")
    assert re.search(r"/edit/[0-9a-f]{16}$", d.current_url), d.current_url
    add_photo(d, ward, "The hospital ward", sensitive="hospital photos")
    add_photo(d, home, "Our front door", circle=True)
    # Shown as readers get them: the sensitive one behind its note.
    gate = d.find_element(By.CSS_SELECTOR, ".rich-body .rich-gate")
    assert "hospital photos" in gate.text
    assert "only a circle" in d.find_element(By.CSS_SELECTOR, ".rich-body").text
    md = markdown(d)
    ids = re.findall(r"!\[[^\]]*\]\(photo:([0-9a-f]{16})", md)
    assert len(ids) == 3 and "![The sea at dawn](photo:" in md, md
    d.find_element(By.ID, "title").send_keys("Coming home %d" % width)
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, 'button[name="action"][value="publish"]'))
    mine = requests.get(site["server"].url + "/api/v1/stories", headers=site["h"],
                        params={"author": "ada", "limit": 100}).json()["stories"]
    st = [x for x in mine if x["title"] == "Coming home %d" % width][0]
    assert st["status"] == "published"
    # Shared: the link's card shows the photo everyone may see, and it loads.
    card = re.search(r'<meta property="og:image" content="([^"]+)"', requests.get(st["url"]).text)
    assert card and ids[0] in card.group(1), "the share card is the sea photo"
    img = requests.get(card.group(1))
    assert img.status_code == 200 and img.headers["Content-Type"] == "image/jpeg"
    # A reader: the sea photo, the ward behind its note, nothing of the door.
    page = requests.get(st["url"])
    assert page.status_code == 200
    assert "The sea at dawn" in page.text and "hospital photos" in page.text
    assert "Our front door" not in page.text and ids[2] not in page.text
    d.delete_all_cookies()
    d.get(st["url"])
    loaded(d)
    imgs = d.find_elements(By.CSS_SELECTOR, "article img")
    assert any("The sea at dawn" == i.get_attribute("alt") for i in imgs)
    assert not any(i.get_attribute("alt") in ("The hospital ward", "Our front door") for i in imgs)
    for i in imgs:
        d.execute_script("arguments[0].scrollIntoView()", i)
        wait(d, lambda x: x.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", i))


def test_a_table_keeps_the_story_in_markdown_mode(site, browser):
    body = "Before.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nAfter.[^1]\n\n[^1]: A note."
    st = requests.post(site["server"].url + "/api/v1/stories", headers=site["h"],
                       json={"title": "With a table", "body": body}).json()
    d = browser
    sign_in(site["server"], d)
    d.get(site["server"].url + "/edit/" + st["id"])
    loaded(d)
    rich_mode(d)
    d.refresh()
    loaded(d)
    wait(d, lambda x: x.find_elements(By.CSS_SELECTOR, ".mode-switch"))
    assert d.find_element(By.ID, "body").is_displayed()
    assert "stays in Markdown mode" in d.find_element(By.CSS_SELECTOR, ".rich-note").text
    d.find_element(By.XPATH, "//div[@class='mode-switch']/button[normalize-space()='Rich text']").click()
    assert d.find_element(By.ID, "body").is_displayed()
    assert markdown(d) == body
