import os
import sys
from urllib.parse import urlsplit

import pytest
import requests

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lib"))

from quire_server import Server  # noqa: E402

from quire_server import ADMIN  # noqa: E402,F401

import openapi_check  # noqa: E402


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "quiet: needs the machine to itself (a latency bound under load); "
        "run alone, after the parallel run")


@pytest.fixture(scope="module")
def server():
    s = Server(admin=ADMIN)
    s.start()
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


# ---- every API response any test receives matches docs/openapi.yaml ----
#
# Session.send is wrapped (requests.get, .post, ... and every Session go
# through it, each redirect hop too): a response from quire to a path
# under /api/ (or /healthz, /readyz) is checked by
# tests/lib/openapi_check.py; what does not match fails the test that
# received it, naming the request, the status and the validation error.
# Quire's is a response from a server on this machine that a
# quire_server.Server started (by its port), or, through a proxy or from
# a server a test starts itself, one with quire's Content-Security-Policy
# (a proxy's own error page, such as haproxy's 503 when every node is
# down, is not quire's).

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
_checker = None
_mismatches = []
_real_send = requests.Session.send
# QUIRE_OPENAPI_LOG=FILE: a line "METHOD TEMPLATE STATUS" per response
# checked, to see which operations and statuses the suite reaches.
COVERAGE_LOG = os.environ.get("QUIRE_OPENAPI_LOG")


QUIRE_CSP = "default-src 'none';"
_quire_ports = set()
_real_start, _real_stop = Server.start, Server.stop


def _start(self, *a, **kw):
    out = _real_start(self, *a, **kw)
    _quire_ports.add(self.port)
    return out


def _stop(self, *a, **kw):
    _quire_ports.discard(self.port)
    return _real_stop(self, *a, **kw)


Server.start, Server.stop = _start, _stop


def checked_path(url, headers):
    u = urlsplit(url)
    if u.hostname not in LOOPBACK:
        return None
    if u.port not in _quire_ports and not headers.get("Content-Security-Policy", "").startswith(
            QUIRE_CSP):
        return None
    p = u.path or "/"
    if p.startswith("/api/") or p == "/api" or p in ("/healthz", "/readyz"):
        return p
    return None


def check_response(r, streamed=False):
    global _checker
    path = checked_path(r.request.url, r.headers)
    if path is None:
        return
    if _checker is None:
        _checker = openapi_check.Checker()
    ct = r.headers.get("Content-Type", "")
    body, has_body = None, True
    is_json = ct.split(";")[0].strip().lower() == "application/json"
    if r.request.method == "HEAD":
        has_body = False  # the headers of a GET, no body
    elif streamed:
        has_body = False  # the test reads the stream: its status is checked
    elif is_json:
        try:
            body = r.json()
        except ValueError as e:
            _mismatches.append("%s %s -> %d: the body is not JSON: %s" % (
                r.request.method, path, r.status_code, e))
            return
    else:
        has_body = len(r.content) > 0
    err = _checker.check(r.request.method, path, r.status_code, ct, body, has_body=has_body)
    if COVERAGE_LOG:
        template, _ = _checker.find(r.request.method, path)
        with open(COVERAGE_LOG, "a") as f:
            f.write("%s %s %d\n" % (r.request.method, template or path, r.status_code))
    if err:
        _mismatches.append(err)


def _checking_send(self, request, **kwargs):
    r = _real_send(self, request, **kwargs)
    try:
        check_response(r, streamed=bool(kwargs.get("stream")))
    except Exception as e:  # a broken checker must show, not pass
        _mismatches.append("checking %s %s failed: %r" % (request.method, request.url, e))
    return r


if os.environ.get("QUIRE_OPENAPI_CHECK", "1") != "0":
    requests.Session.send = _checking_send


def _take_mismatches():
    out = list(_mismatches)
    del _mismatches[:]
    return out


def _report(item, found, outcome, when):
    if not found:
        return
    msg = "responses%s that do not match docs/openapi.yaml:\n  " % when + "\n  ".join(found[:20])
    if len(found) > 20:
        msg += "\n  (and %d more)" % (len(found) - 20)
    if outcome.excinfo is None:
        pytest.fail(msg, pytrace=False)
    # The test failed already: keep its own error, and show these too.
    item.add_report_section("call" if not when else "teardown", "openapi", msg)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    _report(item, _take_mismatches(), outcome, "")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    outcome = yield
    _report(item, _take_mismatches(), outcome, " (while tearing down)")
