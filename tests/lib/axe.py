"""axe - run axe-core (the pinned npm package in tests/node_modules,
installed by `scripts/deps.sh test`) inside a page open in Selenium's
Chromium, and measure what a phone would scroll.

violations(driver) -> list of "rule-id (impact): target ..." strings for
the page as it is now; an empty list is a page with no violation. The
script is injected through WebDriver, so the page's own CSP (script-src
'self') is not loosened for it."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AXE_JS = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")

_source = None


def axe_source():
    global _source
    if _source is None:
        if not os.path.exists(AXE_JS):
            raise AssertionError("axe-core is missing: run scripts/deps.sh test (npm ci in tests/)")
        with open(AXE_JS, encoding="utf-8") as f:
            _source = f.read()
    return _source


def violations(d):
    if not d.execute_script("return !!window.axe"):
        d.execute_script(axe_source())
    d.set_script_timeout(60)
    res = d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ['violations']})
           .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' +
                 v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' +
                 (n.failureSummary || '').replace(/\\s+/g, ' ')).join(' | '))))
           .catch(e => done(['axe failed: ' + e]));
    """)
    return res


def horizontal_overflow(d):
    """How many CSS pixels wider than the window the page is (0 when it fits)."""
    return d.execute_script(
        "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")
