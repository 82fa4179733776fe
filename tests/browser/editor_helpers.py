"""editor_helpers - writing in the editor as a writer does, in whichever
mode it is in: the rich-text mode (the default with JavaScript, rich.js)
or the Markdown textarea."""
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys


def body_box(d):
    """The element the words are written in: the rich text, or the textarea."""
    rich = d.find_elements(By.CSS_SELECTOR, ".rich-body")
    if rich and rich[0].is_displayed():
        return rich[0]
    return d.find_element(By.ID, "body")


def write_body(d, *keys):
    """Type keys at the end of the story's words."""
    el = body_box(d)
    if el.get_attribute("id") != "body":
        el.click()
        el.send_keys(Keys.CONTROL, Keys.END)
    else:
        el.send_keys(Keys.END)
    if keys:
        el.send_keys(*keys)
    return el


def markdown_mode(d):
    """Switch the editor to its Markdown mode, as a writer would."""
    for b in d.find_elements(By.CSS_SELECTOR, ".mode-switch button"):
        if b.text.strip() == "Markdown" and b.get_attribute("aria-pressed") != "true":
            b.click()
    assert d.find_element(By.ID, "body").is_displayed()


def markdown(d):
    """The Markdown the form sends (kept equal to the rich text)."""
    return d.find_element(By.NAME, "body").get_attribute("value")
