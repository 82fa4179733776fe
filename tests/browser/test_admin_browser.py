"""An administrator suspends and unsuspends a writer from /admin in real
Chromium (issue 21), while an anonymous reader in a second browser sees
the writer's story go and come back; the audit log records both. Every
admin page has no axe violation and no sideways scroll on a phone."""
import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from axe import horizontal_overflow, violations
from quire_server import ADMIN, Server, api_token
from test_finished_pages import loaded, sign_in
from test_publish_and_read import click_and_wait

PW = "admin browser password"


@pytest.fixture(scope="module")
def site():
    s = Server(admin=ADMIN)
    s.start()
    s.cli("user", "add", "rosa", "--name", "Rosa Writer", "--password-stdin", input=PW + "\n")
    tok = api_token(s, "rosa", PW)
    st = requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                       json={"title": "A year at the ward", "body": "Words.", "status": "published"}).json()
    yield {"server": s, "story": st}
    try:
        s.stop()
    finally:
        s.cleanup()


def test_suspend_and_unsuspend_from_admin(site, browser, browser2):
    s, st = site["server"], site["story"]
    d = browser
    sign_in(s, d)
    d.get(s.url + "/admin")
    click_and_wait(d, d.find_element(By.LINK_TEXT, "Accounts"))
    d.find_element(By.ID, "q").send_keys("rosa writer")
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, "form[role=search] button"))
    click_and_wait(d, d.find_element(By.LINK_TEXT, "@rosa"))
    d.find_element(By.ID, "reason").send_keys("a test of suspension")
    click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Suspend @rosa']"))
    assert "@rosa is suspended" in d.find_element(By.CSS_SELECTOR, ".flash").text
    assert "Suspended since" in d.page_source

    r = browser2
    r.get(st["url"])
    loaded(r)
    assert "A year at the ward" not in r.page_source and r.title != "A year at the ward"
    r.get(s.url + "/")
    assert "A year at the ward" not in r.page_source

    click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Unsuspend @rosa']"))
    assert "no longer suspended" in d.find_element(By.CSS_SELECTOR, ".flash").text
    r.get(st["url"])
    WebDriverWait(r, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda x: x.find_elements(By.TAG_NAME, "h1") and
                               "A year at the ward" in x.find_element(By.TAG_NAME, "h1").text)

    d.get(s.url + "/admin")
    click_and_wait(d, d.find_element(By.LINK_TEXT, "Audit log"))
    rows = [tr.text for tr in d.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")]
    assert any("unsuspend" in x and "@rosa" in x for x in rows), rows
    assert any("suspend" in x and "a test of suspension" in x for x in rows), rows


@pytest.mark.parametrize("width", [1280, 390])
def test_admin_pages_axe_and_no_sideways_scroll(site, browser, width):
    s = site["server"]
    d = browser
    sign_in(s, d)
    d.set_window_size(width, 900)
    # An invitation, so the table of open ones is there too.
    d.get(s.url + "/admin")
    click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Create an invitation link']"))
    problems = {}
    for path in ("/admin", "/admin/users", "/admin/users/rosa", "/admin/reports", "/admin/audit"):
        d.get(s.url + path)
        loaded(d)
        v = violations(d)
        over = horizontal_overflow(d) if width == 390 else 0
        if v or over:
            problems[path] = {"axe": v, "overflow": over}
    assert problems == {}, problems
