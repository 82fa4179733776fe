"""Held edits where the writer meets them, in real Chromium: editing a
published story and waiting past the autosave changes nothing for an
anonymous reader in a second browser (page and feed) until the writer
presses Update; a photo uploaded in the editor is saved like typing and
is still in the text after a reload; every field of the editor is
autosaved, not only the words."""
import os
import re
import subprocess
import tempfile

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from quire_server import ADMIN, api_token
from test_autosave import sign_in, status
from test_publish_and_read import click_action, severe_console_errors
from editor_helpers import write_body


def published_story(server, title, body):
    tok = api_token(server, *ADMIN)
    r = requests.post(server.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                      json={"title": title, "body": body, "status": "published"})
    assert r.status_code == 201, r.text
    return r.json(), tok


def test_edit_published_story_stays_hers_until_update(desk_server, browser, browser2):
    server = desk_server
    st, tok = published_story(server, "The first winter", "The first version of it.")
    page_url = st["url"]
    d = browser
    sign_in(server, d)
    d.get(server.url + "/edit/" + st["id"])
    assert d.find_element(By.CSS_SELECTOR, 'button[value="publish"]').text == "Update the published story"
    write_body(d, " An unreviewed sentence.")
    # Autosave keeps it, and says plainly where it went.
    WebDriverWait(d, 15).until(lambda drv: "not yet published" in status(drv))
    # Another field than the words: the content note is autosaved too.
    note = d.find_element(By.NAME, "content_note")
    note.send_keys("About a hard winter")
    WebDriverWait(d, 15).until(lambda drv: re.search(r"Changes saved at \d\d:\d\d", status(drv)) and
                               requests.get(server.url + "/api/v1/stories/" + st["id"],
                                            headers={"Authorization": "Bearer " + tok}).json()
                               ["draft"]["content_note"] == "About a hard winter")
    # An anonymous reader in another browser: nothing changed.
    r2 = browser2
    r2.get(page_url)
    assert "The first version of it." in r2.page_source
    assert "An unreviewed sentence." not in r2.page_source
    assert "About a hard winter" not in r2.page_source
    r2.get(server.url + "/feed.atom")
    assert "An unreviewed sentence." not in r2.page_source
    # A reload of the editor shows her draft, not the published text.
    d.get(server.url + "/edit/" + st["id"])
    assert "An unreviewed sentence." in d.find_element(By.NAME, "body").get_attribute("value")
    assert d.find_element(By.NAME, "content_note").get_attribute("value") == "About a hard winter"
    assert "not yet published" in d.page_source
    # Update: now readers get it.
    click_action(d, "publish")
    r2.get(page_url)
    assert "An unreviewed sentence." in r2.page_source
    assert "About a hard winter" in r2.page_source
    # (The browser keeps the feed it fetched for its max-age; a feed
    # reader asking now gets the new entry.)
    assert "An unreviewed sentence." in requests.get(server.url + "/feed.atom").text
    assert not severe_console_errors(d)


def test_uploaded_photo_is_saved_like_typing(desk_server, browser):
    server = desk_server
    st, _ = published_story(server, "Photos of the ward", "Before the photo.")
    work = tempfile.mkdtemp(prefix="quire-held-")
    img = os.path.join(work, "ward.jpg")
    subprocess.run(["convert", "-size", "120x80", "xc:#aa7744", img], check=True)
    d = browser
    sign_in(server, d)
    edit_url = server.url + "/edit/" + st["id"]
    d.get(edit_url)
    write_body(d)
    d.find_element(By.ID, "photo-file").send_keys(img)
    d.find_element(By.ID, "photo-alt").send_keys("The window of the ward")
    d.find_element(By.CSS_SELECTOR, "form.photo-upload button[type=submit]").click()
    WebDriverWait(d, 60).until(
        lambda drv: "Added" in drv.find_element(By.CSS_SELECTOR, ".photo-status").text)
    # Saved without another keystroke: the upload counts as typing.
    WebDriverWait(d, 15).until(lambda drv: re.search(r"Changes saved at \d\d:\d\d", status(drv)))
    d.get(edit_url)
    text = d.find_element(By.NAME, "body").get_attribute("value")
    assert re.search(r"!\[The window of the ward\]\(photo:[0-9a-f]{16}\)", text), text
    # Still the writer's own: the published page does not have it yet.
    assert "The window of the ward" not in requests.get(st["url"]).text
    assert not severe_console_errors(d)
