"""Autosave in a real Chromium: type, wait, close the page, reopen: the text
is there. Ctrl+S saves at once with a "Saved at HH:MM" status; a second tab
with a stale copy gets a clear conflict message instead of overwriting."""
import re
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from quire_server import ADMIN
from editor_helpers import write_body


def sign_in(server, d):
    if not server.proc:
        pass
    d.get(server.url + "/login")
    d.find_element(By.NAME, "handle").send_keys(ADMIN[0])
    d.find_element(By.NAME, "password").send_keys(ADMIN[1])
    d.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(d, 20).until(lambda drv: "/login" not in drv.current_url)


def status(d):
    return d.find_element(By.ID, "save-status").text


def test_autosave_ctrl_s_and_conflict(desk_server, browser, browser2):
    server = desk_server
    d = browser
    sign_in(server, d)
    d.get(server.url + "/write")
    d.find_element(By.NAME, "title").send_keys("Typed in the browser")
    write_body(d, "A sentence I must not lose.")
    # Autosave after a short pause creates the draft and moves to its editor URL.
    WebDriverWait(d, 15).until(lambda drv: re.search(r"Saved at \d\d:\d\d", status(drv)))
    WebDriverWait(d, 5).until(lambda drv: re.search(r"/edit/[0-9a-f]{16}$", drv.current_url))
    edit_url = d.current_url
    # Kill the page (navigate away without submitting), reopen: the text is there.
    d.get("about:blank")
    d.get(edit_url)
    assert "A sentence I must not lose." in d.find_element(By.NAME, "body").get_attribute("value")
    # A second tab opens the same story now.
    d2 = browser2
    sign_in(server, d2)
    d2.get(edit_url)
    # Tab one: Ctrl+S saves at once, without waiting for the pause.
    body = write_body(d, " Tab one adds this.")
    body.send_keys(Keys.CONTROL, "s")
    WebDriverWait(d, 3).until(lambda drv: re.search(r"Saved at \d\d:\d\d", status(drv)))
    assert d.current_url == edit_url, "Ctrl+S must not submit the form"
    # Tab two, stale, types: refused with a clear message, not overwritten.
    write_body(d2, " Tab two typed this.")
    WebDriverWait(d2, 15).until(lambda drv: "another tab" in status(drv))
    d.get(edit_url)
    text = d.find_element(By.NAME, "body").get_attribute("value")
    assert "Tab one adds this." in text and "Tab two typed this." not in text
    # Both versions are in the history.
    d.get(edit_url + "/history")
    page = d.page_source
    assert "Not saved: changed elsewhere" in page and "Saved" in page
    assert not [e for e in d.get_log("browser") if e["level"] == "SEVERE" and "409" not in e["message"]]
