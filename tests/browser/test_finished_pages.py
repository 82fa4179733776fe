"""Pages that feel finished (issue 17), measured in a real Chromium:

- structure: one <h1>, body headings nest from <h2> on a modular scale
  above the 20 px body; a caption sits right under its photo; the gate
  of a sensitive photo is exactly the box of the photo it replaces, so
  revealing it moves nothing; the focus-mode control is a real toggle
  button; the header of a signed-in writer on a 390 px phone is one line
  with a menu that opens without JavaScript;
- axe-core (tests/node_modules, pinned) finds no violation on the story,
  editor, preview, home, profile, circle, settings, import, history,
  trash, search, tag, moderation, admin and followers pages at 1280 and
  390 px, and no page scrolls sideways at 390 px.
"""
import os
import shutil
import subprocess
import tempfile

import pytest
import requests
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from axe import horizontal_overflow, violations
from quire_server import ADMIN, Server, api_token, invite_and_signup, login
from editor_helpers import body_box, write_body

READER = ("rosa", "a password for tests")


@pytest.fixture(scope="module")
def site():
    s = Server(admin=ADMIN)
    s.start()
    tok = api_token(s, *ADMIN)
    h = {"Authorization": "Bearer " + tok}
    work = tempfile.mkdtemp(prefix="quire-finished-")
    photos = []
    for name, color, extra in (("sea.jpg", "#88aacc-#224466", {"caption": "The sea at dawn"}),
                               ("ward.jpg", "#d0d0ff-#303060",
                                {"sensitive": "true", "note": "hospital photos",
                                 "caption": "The ward"})):
        path = os.path.join(work, name)
        subprocess.run(["/usr/bin/convert", "-size", "1200x800", "gradient:" + color, path],
                       check=True, timeout=60)
        photos.append((path, extra))
    st = requests.post(s.url + "/api/v1/stories", headers=h,
                       json={"title": "The long spring", "subtitle": "A year in pieces",
                             "body": "x", "status": "published", "tags": ["spring"]}).json()
    refs = []
    for path, extra in photos:
        with open(path, "rb") as f:
            p = requests.post(s.url + "/api/v1/stories/%s/photos" % st["id"], headers=h,
                              data=dict({"alt": "A photo"}, **extra),
                              files={"file": (os.path.basename(path), f, "image/jpeg")})
        assert p.status_code == 201, p.text
        refs.append(p.json())
    shutil.rmtree(work, ignore_errors=True)
    body = ("It began in March.\n\n## The first weeks\n\n" + "We waited. " * 40 + "\n\n" +
            refs[0]["markdown"] + "\n\n### At the hospital\n\n" + "Long days. " * 30 +
            "\n\n" + refs[1]["markdown"] + "\n\n" + "After it, the summer. " * 30)
    st = requests.patch(s.url + "/api/v1/stories/" + st["id"], headers=h, json={"body": body}).json()
    circle = requests.post(s.url + "/api/v1/circles", headers=h, json={"name": "family"}).json()
    requests.post(s.url + "/api/v1/stories", headers=h,
                  json={"title": "Only for family", "body": "Close words.", "status": "published",
                        "audience": "circle", "circle_id": circle["id"]})
    admin = login(s, *ADMIN)
    invite_and_signup(s, admin, READER[0], READER[1], name="Rosa")
    yield {"server": s, "story": st, "photos": refs, "circle": circle}
    try:
        s.stop()
    finally:
        s.cleanup()


def sign_in(server, d, who=ADMIN):
    d.get(server.url + "/login")
    d.find_element(By.NAME, "handle").send_keys(who[0])
    d.find_element(By.NAME, "password").send_keys(who[1])
    d.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(d, 20).until(lambda drv: "/login" not in drv.current_url)


def loaded(d):
    WebDriverWait(d, 20).until(lambda x: x.execute_script(
        "return document.readyState === 'complete' && "
        "[...document.images].every(i => i.complete || i.loading === 'lazy')"))


def test_headings_nest_from_h2_on_a_modular_scale(site, browser):
    d = browser
    d.get(site["story"]["url"])
    loaded(d)
    m = d.execute_script("""
        const hs = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')];
        const body = parseFloat(getComputedStyle(document.querySelector('.story .body p')).fontSize);
        const size = s => { const e = document.querySelector(s); return e ?
            parseFloat(getComputedStyle(e).fontSize) : 0; };
        return {levels: hs.map(h => +h.tagName[1]), body: body,
                h2: size('.story .body h2'), h3: size('.story .body h3'),
                h1: size('.story h1')};
    """)
    assert m["levels"].count(1) == 1, m
    for a, b in zip(m["levels"], m["levels"][1:]):
        assert b <= a + 1, "no skipped heading level: %s" % m["levels"]
    assert m["levels"][:3] == [1, 2, 3], m
    assert m["body"] == 20
    assert m["h1"] > m["h2"] > m["h3"] > m["body"], m
    assert 1.15 <= m["h3"] / m["body"] <= 1.3 and 1.35 <= m["h2"] / m["body"] <= 1.6, m


def test_caption_right_under_its_photo(site, browser):
    d = browser
    d.get(site["story"]["url"])
    loaded(d)
    gap = d.execute_script("""
        const f = document.getElementById('photo-' + arguments[0]);
        return f.querySelector('figcaption').getBoundingClientRect().top -
               f.querySelector('img').getBoundingClientRect().bottom;
    """, site["photos"][0]["id"])
    assert 0 <= gap <= 14, gap


@pytest.mark.parametrize("width", [1280, 390])
def test_gate_is_the_box_of_its_photo(site, browser, width):
    d = browser
    d.set_window_size(width, 900)
    d.get(site["story"]["url"])
    loaded(d)
    pid = site["photos"][1]["id"]
    box = """
        const f = document.getElementById('photo-' + arguments[0]);
        const e = f.querySelector('.gate') || f.querySelector('picture img');
        const r = e.getBoundingClientRect();
        const bg = f.querySelector('.gate') ? getComputedStyle(f.querySelector('.gate')).backgroundColor : '';
        return {top: r.top + scrollY, left: r.left, width: r.width, height: r.height,
                img: f.querySelector('img').offsetHeight, bg: bg};
    """
    before = d.execute_script(box, pid)
    assert abs(before["height"] - before["width"] * 800 / 1200) <= 1.5, before
    assert abs(before["img"] - before["height"]) <= 1.5, "no band around the blurred preview"
    d.find_element(By.CSS_SELECTOR, "#photo-%s a.show-photo" % pid).click()
    WebDriverWait(d, 10).until(lambda x: x.execute_script(
        "const i = document.querySelector('#photo-%s picture img');"
        "return !!(i && i.complete && i.naturalWidth)" % pid))
    after = d.execute_script(box, pid)
    for k in ("top", "left", "width", "height"):
        assert abs(before[k] - after[k]) <= 1, (k, before, after)


def test_focus_toggle_is_a_button(site, browser):
    d = browser
    sign_in(site["server"], d)
    d.get(site["server"].url + "/write")
    t = d.find_element(By.ID, "focus-toggle")
    assert t.tag_name == "button" and t.get_attribute("aria-pressed") == "false"


def test_phone_header_is_one_line_with_a_menu(site, browser):
    d = browser
    sign_in(site["server"], d)
    d.set_window_size(390, 844)
    d.get(site["server"].url + "/")
    rows = d.execute_script("""return [...document.querySelector('header.site').children]
        .map(e => e.getBoundingClientRect()).filter(r => r.height > 0)
        .map(r => [r.top, r.bottom])""")
    assert len(rows) == 2 and max(r[0] for r in rows) < min(r[1] for r in rows), \
        "the brand and the menu share one line on a phone: %s" % rows
    h = d.execute_script("return document.querySelector('header.site').getBoundingClientRect().height")
    assert h <= 72, h
    visible = """return [...document.querySelectorAll('header.site a, header.site button')]
        .filter(a => a.checkVisibility() && a.getBoundingClientRect().width > 0)
        .map(a => a.textContent.trim())"""
    assert d.execute_script(visible) == [ "Quire"], "only the site's name and the menu"
    d.find_element(By.CSS_SELECTOR, "header.site details.menu summary").click()
    shown = d.execute_script(visible)
    assert "Write" in shown and "Your stories" in shown and "Settings" in shown, shown
    assert horizontal_overflow(d) == 0


def page_urls(site):
    s = site["server"].url
    sid = site["story"]["id"]
    return {
        "story": site["story"]["url"],
        "editor": s + "/edit/" + sid,
        "write": s + "/write",
        "preview": s + "/edit/%s/preview" % sid,
        "home": s + "/",
        "profile": s + "/@" + ADMIN[0],
        "circle": s + "/circles/" + site["circle"]["id"],
        "circles": s + "/circles",
        "mine": s + "/me/stories",
        "settings": s + "/settings",
        "responses settings": s + "/settings/responses",
        "import": s + "/settings/import",
        "history": s + "/edit/%s/history" % sid,
        "trash": s + "/me/trash",
        "search": s + "/search?q=spring",
        "tag": s + "/tag/spring",
        "moderation": s + "/moderation",
        "admin": s + "/admin",
        "admin users": s + "/admin/users",
        "followers": s + "/@" + ADMIN[0] + "/followers",
    }


@pytest.mark.parametrize("width", [1280, 390])
def test_axe_and_no_sideways_scroll(site, browser, width):
    d = browser
    sign_in(site["server"], d)
    d.set_window_size(width, 900)
    problems = {}
    for name, url in page_urls(site).items():
        d.get(url)
        loaded(d)
        v = violations(d)
        over = horizontal_overflow(d) if width == 390 else 0
        sw = d.execute_script("return document.documentElement.scrollWidth")
        if v or over or (width == 390 and sw > 390):
            problems[name] = {"axe": v, "overflow": over, "scrollWidth": sw}
    # The editor with its preview toggled on, in place.
    d.get(page_urls(site)["editor"])
    loaded(d)
    d.find_element(By.CSS_SELECTOR, 'button[value="preview"]').click()
    WebDriverWait(d, 20).until(lambda x: x.find_elements(By.CSS_SELECTOR, "#preview .preview-title"))
    v = violations(d)
    if v or (width == 390 and horizontal_overflow(d)):
        problems["editor preview"] = {"axe": v, "overflow": horizontal_overflow(d)}
    # The anonymous reader's story and home pages too.
    d.delete_all_cookies()
    anon = dict(page_urls(site), login=site["server"].url + "/login",
                about=site["server"].url + "/about", search=site["server"].url + "/search?q=spring")
    for name in ("story", "home", "profile", "login", "about", "search", "tag"):
        d.get(anon[name])
        loaded(d)
        v = violations(d)
        if v or (width == 390 and horizontal_overflow(d)):
            problems["anonymous " + name] = {"axe": v, "overflow": horizontal_overflow(d)}
    assert problems == {}, problems


def test_circle_invitation_by_handle_journey(site, browser, browser2):
    """The writer invites Rosa by handle; Rosa finds the invitation on her
    home page, accepts it, is told she joined and follows the writer, and
    the circle's story is on her home; the writer's circle page shows her
    in. No step needs JavaScript."""
    s = site["server"]
    w, r = browser, browser2
    sign_in(s, w)
    w.get(s.url + "/circles/" + site["circle"]["id"])
    w.find_element(By.ID, "invite-handle").send_keys(READER[0])
    w.find_element(By.CSS_SELECTOR, "form.invite-handle button[type=submit]").click()
    WebDriverWait(w, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
    assert "@rosa is invited" in w.find_element(By.CSS_SELECTOR, ".flash").text
    assert "Rosa" in w.find_element(By.CSS_SELECTOR, "main").text.split("Invited")[1]
    assert violations(w) == []
    sign_in(s, r, READER)
    r.get(s.url + "/")
    r.find_element(By.LINK_TEXT, "Answer it on your Circles page").click()
    WebDriverWait(r, 10).until(lambda d: "/circles" in d.current_url)
    assert violations(r) == []
    r.find_element(By.CSS_SELECTOR, '.invitations button[value="accept"]').click()
    WebDriverWait(r, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".flash"))
    msg = r.find_element(By.CSS_SELECTOR, ".flash").text
    assert "joined @ada" in msg and "now follow @ada" in msg, msg
    r.get(s.url + "/")
    assert "Only for family" in r.find_element(By.TAG_NAME, "main").text
    w.refresh()
    inside = w.find_element(By.CSS_SELECTOR, "main").text.split("Who is in")[1].split("Invited")[0]
    assert "Rosa" in inside


def test_editor_writes_in_the_story_typography(site, browser):
    d = browser
    sign_in(site["server"], d)
    for width in (1280, 390):
        d.set_window_size(width, 900)
        d.get(site["server"].url + "/edit/" + site["story"]["id"])
        loaded(d)
        words = body_box(d)
        m = d.execute_script("""
            const cs = e => (typeof e === 'string' ? getComputedStyle(document.querySelector(e)) :
                             getComputedStyle(e));
            const body = arguments[0];
            const probe = document.createElement('span');
            probe.textContent = '0'.repeat(100);
            probe.style.font = cs(body).font;
            document.body.appendChild(probe);
            const ch = probe.getBoundingClientRect().width / 100;
            probe.remove();
            const set = document.querySelector('.editor-settings').getBoundingClientRect();
            const main = document.querySelector('.editor-main').getBoundingClientRect();
            return {bodyFont: cs(body).fontFamily, bodySize: parseFloat(cs(body).fontSize),
                    titleFont: cs('#title').fontFamily, titleSize: parseFloat(cs('#title').fontSize),
                    measure: body.getBoundingClientRect().width / ch,
                    settingsBeside: set.left >= main.right - 1, settingsBelow: set.top >= main.bottom - 1,
                    circleShown: !!document.getElementById('circle-choice').offsetParent};
        """, words)
        assert "Charter" in m["bodyFont"] and "Charter" in m["titleFont"], m
        assert m["bodySize"] == 20 and m["titleSize"] >= 32, m
        assert m["measure"] <= 75, m
        if width == 1280:
            assert m["measure"] >= 55 and m["settingsBeside"], m
        else:
            assert m["settingsBelow"] and horizontal_overflow(d) == 0, m
        # The story is public: no Circle menu until Circle is chosen.
        assert not m["circleShown"], m
        d.find_element(By.CSS_SELECTOR, 'input[name="audience"][value="circle"]').click()
        assert d.find_element(By.ID, "circle_id").is_displayed()
        d.find_element(By.CSS_SELECTOR, 'input[name="audience"][value="public"]').click()
        assert not d.find_element(By.ID, "circle_id").is_displayed()


def test_feedback_journey_publish_and_block(site, browser):
    """A writer publishes from the editor and is told so on her story; a
    reader's response is blocked only after a confirmation page, which
    says what will happen, and then she is told it is done."""
    s = site["server"]
    d = browser
    sign_in(s, d)
    d.get(s.url + "/write")
    d.find_element(By.ID, "title").send_keys("Told so")
    write_body(d, "Words that go out.")
    d.find_element(By.CSS_SELECTOR, 'button[value="publish"]').click()
    WebDriverWait(d, 20).until(lambda x: x.current_url.endswith("/@ada/told-so"))
    assert "Published" in d.find_element(By.CSS_SELECTOR, ".flash").text
    d.refresh()
    assert not d.find_elements(By.CSS_SELECTOR, ".flash"), "said once"
    # Rosa responds (by API); the writer blocks her from the story page.
    sid = requests.get(s.url + "/api/v1/stories?author=ada",
                       headers={"Authorization": "Bearer " + api_token(s, *ADMIN)}).json()
    sid = [x for x in sid["stories"] if x["slug"] == "told-so"][0]["id"]
    rt = {"Authorization": "Bearer " + api_token(s, *READER)}
    assert requests.post(s.url + "/api/v1/stories/%s/responses" % sid, headers=rt,
                         json={"body": "Rude words"}).status_code == 201
    d.get(s.url + "/@ada/told-so")
    d.find_element(By.CSS_SELECTOR, 'button[value="block"]').click()
    WebDriverWait(d, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda x: "Block @rosa?" in x.find_element(By.TAG_NAME, "h1").text)
    assert "They are not told" in d.find_element(By.TAG_NAME, "main").text
    assert violations(d) == []
    d.find_element(By.CSS_SELECTOR, "main form button.danger").click()
    WebDriverWait(d, 10).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".flash"))
    assert d.find_element(By.CSS_SELECTOR, ".flash").text.startswith("@rosa is blocked")
    assert d.current_url.endswith("/@ada/told-so")
