import os
import shutil
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from quire_server import Server, loopback_service  # noqa: E402,F401


@pytest.fixture(scope="module")
def server():
    s = Server(admin=None)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


def start_chrome(webdriver, opts):
    """Start chromedriver + Chromium. chromedriver picks its port just
    before binding it, and now and then loses that race (it exits with
    status 1 at once); that is the harness, not Quire, so try again."""
    from selenium.common.exceptions import WebDriverException
    for attempt in range(3):
        try:
            return webdriver.Chrome(service=loopback_service(), options=opts)
        except WebDriverException as e:
            if attempt == 2 or "unexpectedly exited" not in str(e):
                raise
            time.sleep(1)


def make_driver():
    from selenium import webdriver
    profile = tempfile.mkdtemp(prefix="quire-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900"):
        opts.add_argument(a)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = start_chrome(webdriver, opts)
    d.set_page_load_timeout(30)
    d._quire_profile = profile
    return d


@pytest.fixture
def browser():
    d = make_driver()
    yield d
    d.quit()
    shutil.rmtree(d._quire_profile, ignore_errors=True)


@pytest.fixture
def browser2():
    d = make_driver()
    yield d
    d.quit()
    shutil.rmtree(d._quire_profile, ignore_errors=True)


@pytest.fixture(scope="module")
def desk_server():
    """A server with an admin account already made (the writing desk tests)."""
    from quire_server import ADMIN
    s = Server(admin=ADMIN)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()
