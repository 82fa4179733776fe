"""Photo uploads cannot stall the site (issue 14, item 1).

Uploads wait, suspended, for a bounded pool of sandboxed photo workers:
no request thread is held by a decode; one writer's share is bounded
(429 + Retry-After), the queue is bounded (503 + Retry-After) and so is
the time an upload may wait in it; a decode past the worker's memory
budget is refused cleanly (422); stopping the server answers every upload
still in flight. And the bound the issue names: while 20 hostile uploads
are in flight, /healthz and a cached story page answer with p99 under
100 ms.

The hostile file is the one from the issue, made here: a 6320 x 6320
PNG, 16-bit RGBA, Adam7-interlaced, all zeros, about 310 KB. An
interlaced PNG must be decoded whole before it can be resized: 320 MB of
pixels. With the default budget the worker refuses it at once; tests that
need uploads which really occupy the workers raise the budget
(QUIRE_PHOTO_WORKER_MB) so that each one is decoded in full, seconds of
CPU each.
"""
import os
import re
import signal
import struct
import subprocess
import tempfile
import threading
import time
import zlib

import pytest
import requests

from quire_server import ADMIN, BIN, Server, api_token

ROOM = 1024  # MB: enough for the hostile PNG to be decoded in full


def hostile_png(side=6320):
    """The issue's PNG: side x side, 16-bit RGBA, interlaced, all zeros."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    bpp = 8  # 4 channels x 16 bits
    co = zlib.compressobj(9)
    parts = []
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
                           (1, 0, 2, 2), (0, 1, 1, 2)):
        w, h = (side - x0 + dx - 1) // dx, (side - y0 + dy - 1) // dy
        row = b"\0" * (1 + w * bpp)
        parts += [co.compress(row) for _ in range(h)]
    parts.append(co.flush())
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 16, 6, 0, 0, 1)) +
            chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def png():
    data = hostile_png()
    assert 250_000 < len(data) < 400_000, len(data)
    return data


@pytest.fixture(scope="module")
def jpeg():
    d = tempfile.mkdtemp(prefix="quire-pool-")
    path = os.path.join(d, "small.jpg")
    subprocess.run(["/usr/bin/convert", "-size", "640x480", "gradient:#3a6ea5-#e8c07d", path],
                   check=True, timeout=60)
    data = open(path, "rb").read()
    subprocess.run(["rm", "-rf", d])
    return data


def start(env=None, extra=(), users=()):
    """A server with env set for it alone, and accounts made beforehand."""
    env = dict(env or {})
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        s = Server(admin=ADMIN, extra=extra)
        for handle in users:
            s.cli("user", "add", handle, "--password-stdin", input=handle + " has a long password\n")
        s.start()
    finally:
        for k, v in old.items():
            if v is None:
                del os.environ[k]
            else:
                os.environ[k] = v
    return s


def token(s, handle):
    return api_token(s, *ADMIN) if handle == ADMIN[0] else \
        api_token(s, handle, handle + " has a long password")


def auth(tok):
    return {"Authorization": "Bearer " + tok}


def new_story(s, tok, title="Pool"):
    r = requests.post(s.url + "/api/v1/stories", headers=auth(tok),
                      json={"title": "%s %f" % (title, time.time()), "body": "Words.",
                            "status": "published"})
    assert r.status_code == 201, r.text
    return r.json()


def upload(s, tok, story_id, data, name="p.png", timeout=300):
    return requests.post(s.url + "/api/v1/stories/%s/photos" % story_id, headers=auth(tok),
                         data={"alt": "hostile"}, files={"file": (name, data, "image/png")},
                         timeout=timeout)


class Uploads:
    """Uploads sent from threads; each answer (or error) is kept."""

    def __init__(self):
        self.threads, self.answers = [], {}
        self.lock = threading.Lock()

    def send(self, key, fn):
        def go():
            try:
                r = fn()
                out = (r.status_code, r.headers.get("Retry-After"), r.text)
            except requests.RequestException as e:
                out = ("error", None, repr(e))
            with self.lock:
                self.answers[key] = out
        t = threading.Thread(target=go, daemon=True)
        t.start()
        self.threads.append(t)

    def answered(self):
        with self.lock:
            return dict(self.answers)

    def join(self, timeout=300):
        for t in self.threads:
            t.join(timeout)


def log_count(s, pattern, since=0):
    return len(re.findall(pattern, s.read_log()[since:]))


def wait_for(cond, what, timeout=120):
    """Wait for an explicit condition (log lines, answers), polling."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


def peaks(log):
    return [int(m) for m in re.findall(r"photo worker: [0-9.]+ s, peak (\d+) MB", log)]


# ---- the memory budget ----

def test_hostile_png_is_refused_at_once_with_the_default_budget(png, jpeg):
    s = start()
    try:
        tok = token(s, ADMIN[0])
        story = new_story(s, tok)
        t = time.time()
        r = upload(s, tok, story["id"], png)
        took = time.time() - t
        assert r.status_code == 422, r.text
        assert "memory" in r.json()["error"]["message"], r.text
        assert took < 20, took
        log = s.read_log()
        assert "out of memory" in log
        # What the worker held: its libraries, not the 320 MB frame.
        assert peaks(log) and max(peaks(log)) < 150, peaks(log)
        print("\nhostile PNG, default budget: 422 in %.2f s, worker peak %d MB" % (took, max(peaks(log))))
        assert os.listdir(os.path.join(s.data, "tmp")) == []
        assert requests.get(s.url + "/healthz").status_code == 200
        # An ordinary photo still goes through.
        assert upload(s, tok, story["id"], jpeg, "ok.jpg").status_code == 201
    finally:
        s.stop()
        s.cleanup()


# ---- the sandbox ----

def run_worker(env, data):
    with tempfile.TemporaryFile() as f:
        f.write(data)
        f.seek(0)
        return subprocess.run([BIN, "photo-worker"], stdin=f, capture_output=True, timeout=120,
                              env=dict(os.environ, **env))


@pytest.mark.parametrize("what,call", [("open", 257), ("socket", 41), ("exec", 59)])
def test_worker_that_tries_open_or_socket_is_killed(jpeg, what, call):
    r = run_worker({"QUIRE_WORKER_SELFTEST": what}, jpeg)
    assert r.returncode == -signal.SIGSYS, (r.returncode, r.stderr)
    assert b"the sandbox refused system call %d" % call in r.stderr, r.stderr
    assert b"was allowed" not in r.stderr
    assert r.stdout == b""


def test_worker_address_space_is_limited(jpeg):
    r = run_worker({"QUIRE_WORKER_SELFTEST": "memory", "QUIRE_PHOTO_WORKER_MB": "64"}, jpeg)
    assert r.returncode == 0 and b"mapping 128 MB refused" in r.stderr, r.stderr


def test_sanitizer_reports_survive_the_sandbox(jpeg):
    """In a sanitizer build (the one the suite runs) a memory error inside
    the sandboxed worker is still reported, not turned into SIGSYS."""
    r = run_worker({"QUIRE_WORKER_SELFTEST": "asan"}, jpeg)
    if b"unknown test asan" in r.stderr:
        pytest.skip("not a sanitizer build")
    assert r.returncode != -signal.SIGSYS, r.stderr
    assert b"ERROR: AddressSanitizer: heap-buffer-overflow" in r.stderr, r.stderr[-3000:]


def test_unknown_selftest_is_an_error(jpeg):
    r = run_worker({"QUIRE_WORKER_SELFTEST": "nothing-such"}, jpeg)
    assert r.returncode == 3 and b"unknown test" in r.stderr


def test_server_answers_422_when_the_sandbox_kills_a_worker(jpeg):
    """Every worker of this server tries open() after its filter is in
    place: each upload is refused, the server keeps serving."""
    s = start({"QUIRE_WORKER_SELFTEST": "open"})
    try:
        tok = token(s, ADMIN[0])
        story = new_story(s, tok)
        r = upload(s, tok, story["id"], jpeg, "a.jpg")
        assert r.status_code == 422, r.text
        log = s.read_log()
        assert "the sandbox refused system call 257" in log
        assert "died of signal %d (stopped by its sandbox)" % signal.SIGSYS in log
        assert requests.get(s.url + "/healthz").status_code == 200
        assert os.listdir(os.path.join(s.data, "tmp")) == []
    finally:
        s.stop()
        s.cleanup()


def worker_pids(s):
    out = subprocess.run(["pgrep", "-P", str(s.proc.pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def proc_status(pid):
    fields = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            fields[k] = v.split()
    return fields


# ---- the queue ----

def test_uploads_never_hold_a_request_thread_and_one_writer_is_bounded(png, jpeg):
    """One request thread (--threads 1) and one worker: while a decode
    runs and another upload waits, the site answers; the same writer's
    third upload is refused 429 with Retry-After at once; another writer
    is queued. The running worker is sandboxed as it should be."""
    s = start({"QUIRE_PHOTO_INGESTS": "1", "QUIRE_PHOTO_UPLOADS_PER_USER": "2",
               "QUIRE_PHOTO_WORKER_MB": str(ROOM)}, extra=["--threads", "1"], users=["bea"])
    try:
        tok, btok = token(s, ADMIN[0]), token(s, "bea")
        story, bstory = new_story(s, tok), new_story(s, btok)
        mark = len(s.read_log())
        ups = Uploads()
        for i in range(2):
            ups.send(i, lambda: upload(s, tok, story["id"], png))
        wait_for(lambda: log_count(s, r"photo queued", mark) == 2 and
                 log_count(s, r"photo job started", mark) >= 1, "two uploads in the queue")
        assert ups.answered() == {}
        # The one request thread is free: pages and health answer.
        assert requests.get(s.url + "/healthz", timeout=10).status_code == 200
        assert requests.get(story["url"], timeout=10).status_code == 200
        # A third upload of the same writer: 429 now, not after the others.
        r = upload(s, tok, story["id"], png, timeout=30)
        assert r.status_code == 429, r.text
        assert r.json()["error"]["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) >= 1
        # Another writer is not limited by her.
        ups.send("bea", lambda: upload(s, btok, bstory["id"], jpeg, "b.jpg"))
        wait_for(lambda: log_count(s, r"photo queued", mark) == 3, "bea's upload queued")
        # The worker decoding now: sandboxed, limited, unprivileged (it
        # enters its sandbox once libvips is loaded: wait for that).
        pids = worker_pids(s)
        assert len(pids) == 1, pids
        wait_for(lambda: proc_status(pids[0])["Seccomp"] == ["2"], "the worker's filter")
        st = proc_status(pids[0])
        assert st["NoNewPrivs"] == ["1"]
        if os.geteuid() == 0:
            assert st["Uid"][:2] == ["65534", "65534"], st["Uid"]
            # Its descriptors: the upload, the answer pipe, the log, and
            # libvips' own copy of the upload.
            assert set(int(f) for f in os.listdir("/proc/%d/fd" % pids[0])) <= {0, 1, 2, 3}
        limits = open("/proc/%d/limits" % pids[0]).read()
        assert re.search(r"Max address space\s+\d+", limits), limits
        assert re.search(r"Max cpu time\s+\d+", limits), limits
        assert re.search(r"Max core file size\s+0\s", limits), limits
        assert ups.answered() == {}, "still decoding the first"
        ups.join()
        got = ups.answered()
        assert got[0][0] == 201 and got[1][0] == 201 and got["bea"][0] == 201, got
    finally:
        s.stop()
        s.cleanup()


def test_full_queue_is_refused_503_with_retry_after(png):
    s = start({"QUIRE_PHOTO_INGESTS": "1", "QUIRE_PHOTO_QUEUE": "1",
               "QUIRE_PHOTO_WORKER_MB": str(ROOM)})
    try:
        tok = token(s, ADMIN[0])
        story = new_story(s, tok)
        mark = len(s.read_log())
        ups = Uploads()
        ups.send("running", lambda: upload(s, tok, story["id"], png))
        wait_for(lambda: log_count(s, r"photo job started", mark) == 1, "the first decode")
        ups.send("waiting", lambda: upload(s, tok, story["id"], png))
        wait_for(lambda: log_count(s, r"photo queued", mark) == 2, "the second upload queued")
        r = upload(s, tok, story["id"], png, timeout=30)
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "unavailable"
        assert int(r.headers["Retry-After"]) >= 1
        assert ups.answered() == {}, "refused while both others were still in flight"
        ups.join()
        assert [a[0] for a in ups.answered().values()] == [201, 201]
    finally:
        s.stop()
        s.cleanup()


def test_upload_waiting_too_long_is_answered_503(png, jpeg):
    """QUIRE_PHOTO_QUEUE_WAIT bounds the wait even while every worker is
    busy: the waiting upload is answered before the running one ends."""
    s = start({"QUIRE_PHOTO_INGESTS": "1", "QUIRE_PHOTO_QUEUE_WAIT": "1",
               "QUIRE_PHOTO_WORKER_MB": str(ROOM)})
    try:
        tok = token(s, ADMIN[0])
        story = new_story(s, tok)
        mark = len(s.read_log())
        ups = Uploads()
        ups.send("running", lambda: upload(s, tok, story["id"], png))
        wait_for(lambda: log_count(s, r"photo job started", mark) == 1, "the first decode")
        r = upload(s, tok, story["id"], jpeg, "late.jpg", timeout=60)
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) >= 1
        assert "gave up uploads that waited 1 s" in s.read_log()
        assert "running" not in ups.answered(), "answered while the long decode still ran"
        ups.join()
        assert ups.answered()["running"][0] == 201
    finally:
        s.stop()
        s.cleanup()


def test_stopping_answers_every_upload_in_flight(png):
    s = start({"QUIRE_PHOTO_INGESTS": "1", "QUIRE_PHOTO_WORKER_MB": str(ROOM)})
    try:
        tok = token(s, ADMIN[0])
        story = new_story(s, tok)
        mark = len(s.read_log())
        ups = Uploads()
        for i in range(3):
            ups.send(i, lambda: upload(s, tok, story["id"], png))
        wait_for(lambda: log_count(s, r"photo queued", mark) == 3 and
                 log_count(s, r"photo job started", mark) == 1, "three uploads in flight")
        running = worker_pids(s)
        assert running
        t = time.time()
        log = s.stop()  # SIGTERM: exits 0, no sanitizer report
        assert time.time() - t < 30
        assert "photo worker stopped: the server is stopping" in log
        ups.join(60)
        got = ups.answered()
        assert len(got) == 3
        for status, retry, text in got.values():
            # Answered 503 (+ Retry-After), or the connection closed as
            # the server went away; never a photo half stored.
            assert status in (503, "error"), (status, text)
            if status == 503:
                assert int(retry) >= 1
        for pid in running:  # killed and reaped by the server before it exited
            assert not os.path.exists("/proc/%d" % pid), "worker %d outlived the server" % pid
    finally:
        s.cleanup()


# ---- the measured bound ----

SAMPLES = 600  # per endpoint


def p(lat, q):
    lat = sorted(lat)
    return lat[min(len(lat) - 1, int(q * len(lat)))]


@pytest.mark.quiet
def test_site_answers_within_100ms_p99_while_20_hostile_uploads_are_in_flight(png):
    """20 hostile uploads from 5 writers (4 each: the default per-writer
    limit) with a budget that lets each be decoded in full, 2 at a time
    (the default pool): /healthz and a cached story page, each sampled
    SAMPLES times over keep-alive connections, answer with p99 < 100 ms.
    Every sample is taken while at least 10 of the 20 are unanswered."""
    writers = ["w1", "w2", "w3", "w4"]
    s = start({"QUIRE_PHOTO_WORKER_MB": str(ROOM)}, users=writers)
    try:
        toks = [token(s, ADMIN[0])] + [token(s, w) for w in writers]
        stories = [new_story(s, t, "Hostile") for t in toks]
        page = stories[0]["url"]
        # The page is served from the cache from here on (anonymous GET).
        for _ in range(3):
            r = requests.get(page)
            assert r.status_code == 200 and "Hostile" in r.text
        mark = len(s.read_log())
        ups = Uploads()
        for i in range(20):
            t, st = toks[i % 5], stories[i % 5]
            ups.send(i, lambda t=t, st=st: upload(s, t, st["id"], png, timeout=600))
        wait_for(lambda: log_count(s, r"photo queued", mark) == 20 and
                 log_count(s, r"photo job started", mark) >= 2, "20 uploads in flight")
        assert ups.answered() == {}, "none refused: within the queue and per-writer limits"

        lat = {"healthz": [], "page": []}
        def sample(name, url):
            with requests.Session() as sess:
                for _ in range(SAMPLES):
                    t0 = time.perf_counter()
                    r = sess.get(url, timeout=30)
                    lat[name].append((time.perf_counter() - t0) * 1000)
                    assert r.status_code == 200
        samplers = [threading.Thread(target=sample, args=("healthz", s.url + "/healthz")),
                    threading.Thread(target=sample, args=("page", page))]
        for t in samplers:
            t.start()
        for t in samplers:
            t.join(300)
        in_flight = 20 - len(ups.answered())
        decoding = [pid for pid in worker_pids(s)]
        assert len(lat["healthz"]) == SAMPLES and len(lat["page"]) == SAMPLES
        assert in_flight >= 10, "the samples must be taken while the uploads are in flight"
        for name, l in lat.items():
            print("\n%s under 20 hostile uploads: n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms "
                  "(%d uploads still in flight, %d workers decoding)" %
                  (name, len(l), p(l, 0.5), p(l, 0.99), max(l), in_flight, len(decoding)))
        for name, l in lat.items():
            assert p(l, 0.99) < 100, (name, p(l, 0.99))
        # The workers' peaks while decoding the hostile PNG in full.
        wait_for(lambda: len(peaks(s.read_log()[mark:])) >= 1, "one decode done", timeout=300)
        print("worker peaks (MB):", peaks(s.read_log()[mark:]))
    finally:
        s.stop()  # answers the rest (503) and must exit cleanly
        s.cleanup()
