"""quire_server - start a real `quire serve` on a free port with a fresh
data directory, for the end-to-end and browser tests.

The binary is $QUIRE_BIN (the test runner points it at the sanitizer
build). On stop the server gets SIGTERM and must exit 0 with no
sanitizer report in its output; otherwise the test fails.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("QUIRE_BIN", os.path.join(ROOT, "build", "quire"))
ADMIN = ("ada", "correct horse battery staple")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                     "UndefinedBehaviorSanitizer")


# QUIRE_TEST_PG names a PostgreSQL cluster started by tests/lib/pg.sh (the
# tests that move a site between backends need it). With
# QUIRE_TEST_BACKEND=postgres too, every server gets a database of its own
# there (the whole suite runs on PostgreSQL); otherwise the SQLite file in
# its data directory.
PG_DIR = os.environ.get("QUIRE_TEST_PG") or None
ON_PG = PG_DIR is not None and os.environ.get("QUIRE_TEST_BACKEND") == "postgres"
PG_SH = os.path.join(ROOT, "tests", "lib", "pg.sh")
DB_URL_FILE = "test-db-url"  # in the data directory: the same site on a restart


def fresh_db_url_in(cluster):
    """A new empty PostgreSQL database in the test cluster."""
    name = "t_" + os.urandom(8).hex()
    return subprocess.run([PG_SH, "createdb", cluster, name], check=True, capture_output=True,
                          text=True, timeout=60).stdout.strip()


def db_url_for(data):
    """The database of the site in data: made once, then remembered there."""
    if not ON_PG:
        return None
    path = os.path.join(data, DB_URL_FILE)
    if os.path.exists(path):
        with open(path) as f:
            return f.read().strip()
    url = fresh_db_url_in(PG_DIR)
    with open(path, "w") as f:
        f.write(url)
    return url


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, admin=ADMIN, data=None, extra=(), db=None):
        self.owns_data = data is None
        # --db URL; None: the SQLite file in the data directory (or, when
        # the suite runs on PostgreSQL, this site's own database there).
        self.data = data or tempfile.mkdtemp(prefix="quire-test-")
        self.db = db or db_url_for(self.data)
        self.port = None
        self.proc = None
        self.log_path = os.path.join(self.data, "server.log")
        self.admin = admin
        self.extra = list(extra)
        if admin:
            self.cli("user", "add", admin[0], "--admin", "--password-stdin",
                     input=admin[1] + "\n")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def cli(self, *args, input=None, check=True):
        r = subprocess.run([BIN, *args, "--data", self.data, *self.db_args()], input=input, text=True,
                           capture_output=True, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError("quire %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr))
        self.check_sanitizers(r.stderr)
        return r

    def start(self):
        self.port = free_port()
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--data", self.data, *self.db_args(),
             "--listen", "127.0.0.1:%d" % self.port, *self.extra],
            stdout=self.log, stderr=subprocess.STDOUT,
            # Every signed-in page served from a rendering shared between
            # readers is rendered in full too and must match it byte for
            # byte, or the server aborts (src/web/slot_page.h).
            env=dict(os.environ, QUIRE_SLOT_CHECK=os.environ.get("QUIRE_SLOT_CHECK", "1")))
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("server exited at start:\n" + self.read_log())
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise AssertionError("server did not become healthy:\n" + self.read_log())

    def db_args(self):
        return ["--db", self.db] if self.db else []

    def read_log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def check_sanitizers(self, text):
        for m in SANITIZER_MARKERS:
            if m in text:
                raise AssertionError("sanitizer report:\n" + text[-6000:])

    def stop(self, sig=signal.SIGTERM):
        if not self.proc:
            return
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("server did not stop within 60 s of SIGTERM")
        self.proc = None
        self.log.close()
        log = self.read_log()
        self.check_sanitizers(log)
        if sig in (signal.SIGTERM, signal.SIGINT) and rc != 0:
            raise AssertionError("server exited %d after signal:\n%s" % (rc, log[-4000:]))
        return log

    def cleanup(self):
        if self.proc:
            self.proc.kill()
            self.proc.wait()
        if self.owns_data:
            shutil.rmtree(self.data, ignore_errors=True)

    def setup_link(self):
        m = re.findall(r"(http://\S+/setup/[0-9a-f]+)", self.read_log())
        return m[-1] if m else None


CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(html):
    m = CSRF_RE.search(html)
    assert m, "no CSRF token in page"
    return m.group(1)


def login(server, handle, password, session=None):
    s = session or requests.Session()
    page = s.get(server.url + "/login")
    r = s.post(server.url + "/login", data={"handle": handle, "password": password,
                                            "csrf": csrf_of(page.text)}, allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:500])
    return s


def api_token(server, handle, password):
    r = requests.post(server.url + "/api/v1/tokens", json={"handle": handle, "password": password})
    assert r.status_code == 201, r.text
    return r.json()["token"]


def invite_and_signup(server, admin_session, handle, password, name=None):
    """Admin creates an invitation; a new browser session signs up with it."""
    page = admin_session.get(server.url + "/admin")
    r = admin_session.post(server.url + "/admin", data={"action": "invite", "csrf": csrf_of(page.text)})
    m = re.search(r"/signup\?invite=([0-9a-f]+)", r.text)
    assert m, r.text
    s = requests.Session()
    page = s.get(server.url + "/signup?invite=" + m.group(1))
    assert page.status_code == 200, page.text
    r = s.post(server.url + "/signup", data={
        "handle": handle, "name": name or handle.title(), "password": password,
        "password2": password, "invite": m.group(1), "csrf": csrf_of(page.text)},
        allow_redirects=False)
    assert r.status_code == 303, (r.status_code, r.text[:800])
    return s


def loopback_service():
    """chromedriver reached at 127.0.0.1 rather than "localhost", so the
    tests do not depend on the machine resolving that name (a minimal
    Debian system has no /etc/hosts)."""
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common import utils

    class LoopbackService(Service):
        def is_connectable(self):
            return utils.is_connectable(self.port, host="127.0.0.1")

        @property
        def service_url(self):
            return "http://127.0.0.1:%d" % self.port

    return LoopbackService("/usr/bin/chromedriver", service_args=["--allowed-ips=127.0.0.1"])


VIEWER_PASSWORD = "a password for tests"


def viewer_kinds(server, prefix, circle_name="family"):
    """The viewer kinds of the access and rendering matrices, signed up as
    PREFIX_author, PREFIX_member ...: (sessions, tokens, circle). The
    author's circle has the member, a removed member (joined, then
    removed) and a blocked reader (still in it, but blocked by the
    author); the stranger and the other writer are in nothing; admin is
    the site's admin, anonymous a session without an account."""
    admin = login(server, *ADMIN)
    sessions = {"admin": admin, "anonymous": requests.Session()}
    people = ("author", "member", "removed", "blocked", "stranger", "other_writer")
    for who in people:
        sessions[who] = invite_and_signup(server, admin, prefix + who, VIEWER_PASSWORD)
    tokens = {who: api_token(server, prefix + who, VIEWER_PASSWORD) for who in people}
    tokens["admin"] = api_token(server, *ADMIN)
    ah = {"Authorization": "Bearer " + tokens["author"]}
    circle = requests.post(server.url + "/api/v1/circles", headers=ah, json={"name": circle_name}).json()
    for who in ("member", "removed", "blocked"):
        inv = requests.post(server.url + "/api/v1/circles/%s/invites" % circle["id"], headers=ah, json={}).json()
        r = requests.post(server.url + "/api/v1/invites/%s/accept" % inv["token"],
                          headers={"Authorization": "Bearer " + tokens[who]})
        assert r.status_code == 200, r.text
    r = requests.delete(server.url + "/api/v1/circles/%s/members/%sremoved" % (circle["id"], prefix), headers=ah)
    assert r.status_code == 204
    r = requests.post(server.url + "/api/v1/blocks", headers=ah, json={"handle": prefix + "blocked"})
    assert r.status_code == 201
    return sessions, tokens, circle
