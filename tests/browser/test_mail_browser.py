"""A writer invites her mother to a circle by email (issue 18); in real
Chromium the mother opens the message's HTML, presses its Join button,
gives only her name and reads the circle story, signed in, with no
password. The SMTP server is a real one (python3-aiosmtpd) on loopback."""
import os
import re
import tempfile

import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from quire_server import Server, api_token
from smtp_sink import Sink
from test_publish_and_read import click_and_wait

PW = "browser mail password"


def test_mother_joins_the_circle_from_her_email(browser):
    sink = Sink()
    sink.start()
    s = Server(admin=("june", PW), extra=["--smtp", "smtp://127.0.0.1:%d" % sink.port, "--smtp-insecure",
                                         "--mail-from", "quire@example.org"])
    work = tempfile.mkdtemp(prefix="quire-mail-")
    try:
        s.start()
        h = {"Authorization": "Bearer " + api_token(s, "june", PW)}
        c = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()
        st = requests.post(s.url + "/api/v1/stories", headers=h, json={
            "title": "The week in hospital", "body": "Only for you.", "status": "published",
            "audience": "circle", "circle_id": c["id"]}).json()
        r = requests.post(s.url + "/api/v1/circles/%s/invites" % c["id"], headers=h,
                          json={"emails": ["mum@family.example"]})
        assert r.status_code == 202, r.text
        m = sink.wait_for(lambda m: "mum@family.example" in m["to"], "the invitation")[-1]
        html = m["msg"].get_body(preferencelist=("html",)).get_content()
        path = os.path.join(work, "mail.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(html)
        d = browser
        d.get("file://" + path)
        link = d.find_element(By.LINK_TEXT, "Join")
        assert re.match(re.escape(s.url) + r"/c/[0-9a-f]{32}$", link.get_attribute("href"))
        click_and_wait(d, link)
        assert "type=\"password\"" not in d.page_source
        d.find_element(By.NAME, "name").send_keys("Mum")
        click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Join']"))
        assert "@june" in d.find_element(By.CSS_SELECTOR, ".flash").text
        d.get(st["url"])
        WebDriverWait(d, 20, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda x: "The week in hospital" in x.find_element(By.TAG_NAME, "h1").text)
        assert "Only for you." in d.page_source
        # Nobody else reads it.
        assert requests.get(st["url"]).status_code == 404
    finally:
        s.stop()
        s.cleanup()
        sink.stop()
