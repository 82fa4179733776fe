"""A writer goes from the first-start setup link to a published essay in a
real headless Chromium; an anonymous reader then reads it in another
browser. Also checks the reading typography that the page promises."""
import re

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from editor_helpers import markdown_mode


def gone(old):
    """EC.staleness_of, also when chromedriver answers the check on a node
    of the page being replaced with "does not belong to the document"
    (an unknown error, not a stale-element one, in Chromium 150)."""
    def check(drv):
        try:
            return EC.staleness_of(old)(drv)
        except WebDriverException as e:
            if "does not belong to the document" in str(e):
                return True
            raise
    return check


def click_and_wait(d, el):
    """Click something that submits or navigates; wait for the new page."""
    old = d.find_element(By.TAG_NAME, "html")
    el.click()
    WebDriverWait(d, 20).until(gone(old))
    WebDriverWait(d, 20).until(lambda drv: drv.execute_script("return document.readyState") == "complete")


def fill(d, name, text):
    el = d.find_element(By.NAME, name)
    el.clear()
    el.send_keys(text)


def click_action(d, value):
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, 'button[name="action"][value="%s"]' % value))


def severe_console_errors(d):
    return [e for e in d.get_log("browser") if e["level"] == "SEVERE"]


def test_setup_write_publish_and_read_anonymously(server, browser, browser2):
    link = server.setup_link()
    assert link, "first start printed no setup link"
    d = browser
    d.get(link)
    fill(d, "handle", "maria")
    fill(d, "name", "María Ortega")
    fill(d, "password", "a long and honest password")
    fill(d, "password2", "a long and honest password")
    click_and_wait(d, d.find_element(By.CSS_SELECTOR, "button.primary"))
    assert d.current_url.endswith("/admin")
    assert "Site administration" in d.page_source

    d.get(server.url + "/write")
    fill(d, "title", "The Year the River Froze")
    fill(d, "subtitle", "Notes from a long winter")
    # She writes in Markdown: the mode she chooses with the switch.
    markdown_mode(d)
    body = d.find_element(By.NAME, "body")
    body.send_keys("We walked on the water that winter.")
    body.send_keys(Keys.ENTER, Keys.ENTER)
    body.send_keys("## What we lost")
    body.send_keys(Keys.ENTER, Keys.ENTER)
    body.send_keys("Nothing that *mattered*, in the end. " * 30)
    # Preview is a toggle in place: the text is saved, then shown where
    # the words were, as readers will get it, and labelled as saved.
    d.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    WebDriverWait(d, 20).until(lambda drv: drv.find_elements(By.CSS_SELECTOR, ".preview .preview-title"))
    assert d.find_element(By.CSS_SELECTOR, ".preview .preview-title").text == "The Year the River Froze"
    assert d.find_element(By.CSS_SELECTOR, ".preview .body em").text == "mattered"
    assert "saved text" in d.find_element(By.ID, "preview-label").text.lower()
    assert not d.find_element(By.ID, "body").is_displayed()
    assert d.find_element(By.CSS_SELECTOR, 'button[value="preview"]').get_attribute("aria-pressed") == "true"
    assert len(d.find_elements(By.TAG_NAME, "h1")) == 1, "the page's own h1 only"
    d.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    assert d.find_element(By.ID, "body").is_displayed()
    # The text is all there; now publish.
    assert "We walked on the water" in d.find_element(By.NAME, "body").get_attribute("value")
    click_action(d, "publish")
    assert re.search(r"/@maria/the-year-the-river-froze$", d.current_url), (d.current_url, d.find_element(By.TAG_NAME, "main").text[:500])
    story_url = d.current_url
    assert d.find_element(By.CSS_SELECTOR, "article h1").text == "The Year the River Froze"

    # An anonymous reader, in a separate browser with no cookies.
    r = browser2
    r.get(server.url + "/")
    link_el = r.find_element(By.LINK_TEXT, "The Year the River Froze")
    click_and_wait(r, link_el)
    assert r.current_url == story_url
    assert r.find_element(By.CSS_SELECTOR, "article .subtitle").text == "Notes from a long winter"
    assert r.find_element(By.CSS_SELECTOR, "article .body h2").text == "What we lost"
    byline = r.find_element(By.CSS_SELECTOR, ".byline").text
    assert "María Ortega" in byline and "min read" in byline
    assert r.get_cookies() == [], "an anonymous reader gets no cookies"
    assert severe_console_errors(r) == []

    # Typography: body text 18-21px, line height 1.5-1.6, measure ~60-75ch.
    m = r.execute_script("""
        const p = document.querySelector('article .body p');
        const cs = getComputedStyle(p);
        const probe = document.createElement('span');
        probe.textContent = '0'.repeat(100);
        probe.style.font = cs.font;
        document.body.appendChild(probe);
        const ch = probe.getBoundingClientRect().width / 100;
        probe.remove();
        return {size: parseFloat(cs.fontSize), lh: parseFloat(cs.lineHeight),
                width: p.getBoundingClientRect().width, ch: ch,
                lang: document.documentElement.lang, align: cs.textAlign,
                scripts: document.scripts.length};
    """)
    assert 18 <= m["size"] <= 21, m
    assert 1.5 <= m["lh"] / m["size"] <= 1.6, m
    assert 55 <= m["width"] / m["ch"] <= 80, m
    assert m["lang"] == "en" and m["align"] in ("left", "start")
    assert m["scripts"] == 0, "a story page needs no JavaScript"

    # On a phone-sized window the text fits without sideways scrolling.
    r.set_window_size(390, 844)
    r.get(story_url)
    overflow = r.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1


def test_dark_mode_follows_the_system(server, browser):
    d = browser
    d.get(server.url + "/")
    light = d.execute_script("return getComputedStyle(document.body).backgroundColor")
    d.execute_cdp_cmd("Emulation.setEmulatedMedia",
                      {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    d.get(server.url + "/")
    dark = d.execute_script("return getComputedStyle(document.body).backgroundColor")
    assert light != dark

    def lum(css):
        nums = [int(x) for x in re.findall(r"\d+", css)[:3]]
        return sum(nums)
    assert lum(dark) < lum(light)
