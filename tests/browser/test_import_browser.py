"""A writer brings her Medium export into Quire from the browser (issue
19), in real Chromium: she picks Medium and the zip on /settings/import,
presses Import, and watches the job's page count up (its script keeps it
current) until the report appears; her story shows her, alone, where a
photo could not be fetched, with a link to the import page, whose button
fetches it again; the photo is then on the story, fetched and shown.
axe-core finds nothing on the import pages at 1280 and 390 px, and neither
scrolls sideways on a phone. Images come from a loopback server the test
starts; the server runs with --allow-private-fetch."""
import pathlib
import re
import subprocess
import tempfile
import zipfile

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from axe import horizontal_overflow, violations
from import_fixtures import Images, medium_copy
from quire_server import ADMIN, Server
from test_finished_pages import loaded, sign_in
from test_publish_and_read import click_and_wait


@pytest.fixture
def site():
    s = Server(admin=ADMIN, extra=["--allow-private-fetch"])
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


def text_of(d, css):
    try:
        els = d.find_elements(By.CSS_SELECTOR, css)
        return els[0].text if els else ""
    except StaleElementReferenceException:
        return ""


def test_a_writer_imports_her_medium_export_from_the_browser(site, browser):
    images = Images()
    work = pathlib.Path(tempfile.mkdtemp(prefix="quire-import-browser-"))
    try:
        jpeg = work / "a.jpg"
        subprocess.run(["/usr/bin/convert", "-size", "800x500", "gradient:#88aacc-#224466",
                        str(jpeg)], check=True, timeout=60)
        data = jpeg.read_bytes()
        for path in ("/max/2000/abc123.jpeg", "/max/600/def123.jpeg", "/max/800/xyz123.jpeg"):
            images.files[path] = data
        export = medium_copy(work, images.base)
        z = work / "medium-export.zip"
        with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
            for f in sorted((export / "posts").iterdir()):
                zf.write(f, "medium-export/posts/" + f.name)
        d = browser
        sign_in(site, d)
        d.get(site.url + "/settings/import")
        loaded(d)
        for width in (1280, 390):
            d.set_window_size(width, 900)
            assert violations(d) == [], ("import page", width)
            assert width == 1280 or not horizontal_overflow(d)
        d.set_window_size(1280, 900)
        d.find_element(By.CSS_SELECTOR, 'input[name="kind"][value="medium"]').click()
        d.find_element(By.ID, "export-file").send_keys(str(z))
        click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Import']"))
        assert re.search(r"/settings/import/[0-9a-f]{16}$", d.current_url), d.current_url
        assert "Your export is uploaded" in d.find_element(By.CSS_SELECTOR, ".flash").text
        # The page keeps itself current and shows the report at the end,
        # without the writer reloading it.
        WebDriverWait(d, 120, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda x: "8 imported" in text_of(x, "pre.import-report"))
        report = d.find_element(By.CSS_SELECTOR, "pre.import-report").text
        assert "4 photos fetched, 1 missing" in report, report
        assert "Finished" in d.find_element(By.ID, "import-status").text
        for width in (1280, 390):
            d.set_window_size(width, 900)
            assert violations(d) == [], ("job page", width)
            assert width == 1280 or not horizontal_overflow(d)
        d.set_window_size(1280, 900)
        # Her story shows her where the missing photo was, and where to go.
        d.get(site.url + "/@ada/testpost")
        loaded(d)
        note = d.find_element(By.CSS_SELECTOR, ".photo-missing")
        assert "not here yet" in note.text
        images.files["/max/600/ghi123jpeg"] = data
        click_and_wait(d, note.find_element(By.LINK_TEXT, "Import"))
        assert d.current_url.endswith("/settings/import")
        click_and_wait(d, d.find_element(By.XPATH, "//button[normalize-space()='Fetch missing photos again']"))
        WebDriverWait(d, 120, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda x: "1 photos fetched, 0 missing" in text_of(x, "pre.import-report"))
        # Now the story has all four photos, each one loaded in the page.
        d.get(site.url + "/@ada/testpost")
        loaded(d)
        assert not d.find_elements(By.CSS_SELECTOR, ".photo-missing")
        imgs = d.find_elements(By.CSS_SELECTOR, "article img")
        assert len(imgs) == 4, len(imgs)
        for img in imgs:
            d.execute_script("arguments[0].scrollIntoView()", img)
            WebDriverWait(d, 30).until(lambda x: x.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth > 0", img))
    finally:
        images.close()
        subprocess.run(["rm", "-rf", str(work)], check=False)
