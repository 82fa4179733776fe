"""A reader responds to a story held for approval in real Chromium; the
writer approves it from her moderation page; a second reader then sees it.
Everything here works without JavaScript: plain forms."""
import requests
from selenium.webdriver.common.by import By

from quire_server import Server, api_token
from test_publish_and_read import click_and_wait

PW = "browser responses password"


def sign_in(d, url, handle):
    d.get(url + "/login")
    d.find_element(By.NAME, "handle").send_keys(handle)
    d.find_element(By.NAME, "password").send_keys(PW)
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, "button.primary"))


def test_respond_then_approve(browser, browser2):
    s = Server(admin=("writer", PW))
    try:
        s.start()
        s.cli("user", "add", "reader", "--password-stdin", input=PW + "\n")
        tok = api_token(s, "writer", PW)
        st = requests.post(s.url + "/api/v1/stories", headers={"Authorization": "Bearer " + tok},
                           json={"title": "Held story", "body": "Please be kind.", "status": "published",
                                 "responses": "approval"}).json()
        # The reader responds.
        r = browser
        sign_in(r, s.url, "reader")
        r.get(st["url"])
        r.find_element(By.ID, "response-body").send_keys("I read this twice. Thank you.")
        click_and_wait(r, r.find_element(By.CSS_SELECTOR, "form.respond button[type=submit]"))
        # She is told, and sees her own response marked as waiting.
        assert "It waits for the writer’s approval" in r.find_element(By.CSS_SELECTOR, ".flash").text or \
            "It waits for the writer's approval" in r.find_element(By.CSS_SELECTOR, ".flash").text
        mine = r.find_element(By.CSS_SELECTOR, "#responses .response.waiting")
        assert "I read this twice" in mine.text and "Waiting for the writer" in mine.text
        assert "I read this twice" not in requests.get(st["url"]).text, "nobody else sees it"
        # The writer approves it on her moderation page.
        w = browser2
        sign_in(w, s.url, "writer")
        w.get(s.url + "/moderation")
        assert "I read this twice" in w.page_source
        click_and_wait(w, w.find_element(By.CSS_SELECTOR, 'button[value="approve"]'))
        assert "Nothing is waiting for you" in w.page_source
        # Now everyone sees it, with its author.
        r.get(st["url"])
        section = r.find_element(By.ID, "responses").text
        assert "I read this twice. Thank you." in section and "reader" in section
        assert "Responses (1)" in section
        anon = requests.get(st["url"]).text
        assert "I read this twice. Thank you." in anon
    finally:
        s.stop()
        s.cleanup()
