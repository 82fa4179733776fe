"""The editor's focus mode in a real Chromium: the toggle hides everything
but the title, the words and the buttons, without a reload; Esc leaves;
the choice is remembered for the next editor page."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from test_autosave import sign_in
from editor_helpers import body_box


def shown(d, css):
    els = d.find_elements(By.CSS_SELECTOR, css)
    return bool(els) and els[0].is_displayed()


def test_focus_mode_toggle_escape_and_memory(desk_server, browser):
    d = browser
    sign_in(desk_server, d)
    d.get(desk_server.url + "/write")
    assert shown(d, "header.site") and shown(d, ".editor-more")
    url = d.current_url
    d.find_element(By.ID, "focus-toggle").click()
    WebDriverWait(d, 5).until(lambda drv: not shown(drv, "header.site"))
    assert d.current_url == url, "the toggle works without a reload"
    assert not shown(d, ".editor-more") and not shown(d, "fieldset.audience")
    words = body_box(d)
    assert words.is_displayed() and shown(d, "#title") and shown(d, 'button[value="save"]')
    assert d.switch_to.active_element == words, "focus mode puts the cursor in the words"
    # The words are set in the story's serif at reading size.
    size = d.execute_script("return getComputedStyle(arguments[0]).fontSize", words)
    assert float(size.rstrip("px")) >= 18
    words.send_keys("In focus.", Keys.ESCAPE)
    WebDriverWait(d, 5).until(lambda drv: shown(drv, "header.site"))
    assert shown(d, ".editor-more")
    # Turned on again, it stays on for the next editor page.
    d.find_element(By.ID, "focus-toggle").click()
    WebDriverWait(d, 5).until(lambda drv: not shown(drv, "header.site"))
    d.get(desk_server.url + "/write")
    WebDriverWait(d, 5).until(lambda drv: not shown(drv, "header.site"))
    assert d.find_element(By.ID, "focus-toggle").get_attribute("aria-pressed") == "true"
    d.find_element(By.ID, "focus-toggle").click()
    WebDriverWait(d, 5).until(lambda drv: shown(drv, "header.site"))
    assert not [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
