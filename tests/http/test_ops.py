"""Running it for real (issue 21): quire.conf with environment and flag
overrides, quire check-config, /readyz on SQLite and on a PostgreSQL
that goes away, /metrics on its own loopback listener, JSON log lines,
SIGHUP reloading the log level, quire --version."""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import pytest
import requests

from quire_server import BIN, PG_SH, Server, free_port

PG_CTL = "/usr/lib/postgresql/15/bin/pg_ctl"


def quire(*args, env=None, input=None):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("QUIRE_") and k not in ("QUIRE_BIN",):
            del e[k]
    e.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, env=e, input=input,
                          timeout=60)


@pytest.fixture
def tmp():
    d = tempfile.mkdtemp(prefix="quire-ops-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def settings(out):
    """check-config's lines: key -> (value, origin)."""
    got = {}
    for line in out.splitlines():
        m = re.match(r"^([a-z-]+)\s+= (.*?)\s+# (.*)$", line)
        if m:
            got[m.group(1)] = (m.group(2), m.group(3))
    return got


# ---- configuration ----

def test_check_config_reads_file_env_and_flags_in_that_order(tmp):
    conf = write(os.path.join(tmp, "quire.conf"),
                 "# a comment\n\nthreads = 2\nmax-conns = 100\nlog-level = warn\n"
                 "db = postgres://quire:s3cret-pw@db.internal/quire\n")
    r = quire("check-config", "--config", conf, "--threads", "4",
              env={"QUIRE_THREADS": "3", "QUIRE_MAX_CONNS": "200"})
    assert r.returncode == 0, r.stderr
    s = settings(r.stdout)
    assert s["threads"] == ("4", "--threads"), s["threads"]
    assert s["max-conns"] == ("200", "QUIRE_MAX_CONNS")
    assert s["log-level"] == ("warn", conf + " line 5")
    assert s["max-conns-per-ip"] == ("256", "default")
    # A password in a postgres:// URL is never printed.
    assert "s3cret-pw" not in r.stdout + r.stderr
    assert s["db"][0] == "postgres://quire:*****@db.internal/quire"
    # Every key is listed, one per setting flag.
    for key in ("data", "db", "listen", "base-url", "threads", "max-conns", "max-conns-per-ip",
                "trusted-proxy", "log-level", "log-format", "responses-per-minute",
                "responses-per-minute-addr", "metrics-listen", "metrics-allow-remote",
                "smtp", "mail-from", "smtp-insecure", "mail-domain-rate", "mail-retry-base"):
        assert key in s, key


@pytest.mark.parametrize("text,msg", [
    ("threads = 2\nthred = 3\n", ":2: unknown key 'thred'"),
    ("\nmax-conns = lots\n", ":2: max-conns takes a whole number"),
    ("log-level = verbose\n", ":1: log-level is error, warn, info or debug"),
    ("listen 127.0.0.1:80\n", ":1: expected 'key = value'"),
    ("threads = 2\nthreads = 2\n", ":2: threads is set twice"),
    ("trusted-proxy = 10.0.0.0/99\n", "trusted-proxy (%(conf)s line 1)"),
    ("metrics-listen = 0.0.0.0:9188\n", "not a loopback address"),
    ("db = mysql://x/y\n", 'db (%(conf)s line 1): unknown kind of database "mysql://x/y"'),
])
def test_a_wrong_key_or_value_is_an_error_with_its_line(tmp, text, msg):
    conf = write(os.path.join(tmp, "quire.conf"), text)
    for cmd in (["check-config"], ["serve", "--data", tmp],
                ["backup", os.path.join(tmp, "b.quire"), "--data", tmp]):
        r = quire(*cmd, "--config", conf)
        assert r.returncode == 2, (cmd, r.stdout, r.stderr)
        assert (msg % {"conf": conf}) in r.stderr, (cmd, r.stderr)


def test_bad_environment_and_flags_are_errors_too(tmp):
    r = quire("check-config", env={"QUIRE_THREADS": "0"})
    assert r.returncode == 2 and "QUIRE_THREADS: threads takes" in r.stderr, r.stderr
    r = quire("check-config", "--log-format", "xml")
    assert r.returncode == 2 and "log-format is text or json" in r.stderr, r.stderr
    r = quire("check-config", "--config", os.path.join(tmp, "missing.conf"))
    assert r.returncode == 2 and "cannot read" in r.stderr, r.stderr
    # A non-loopback metrics address only when the operator says so.
    r = quire("check-config", "--metrics-listen", "0.0.0.0:9188", "--metrics-allow-remote")
    assert r.returncode == 0, r.stderr
    # The photo limits' variables too: a bad one stops the server, never ignored.
    for cmd in (["check-config"], ["serve", "--data", tmp]):
        r = quire(*cmd, env={"QUIRE_PHOTO_QUEUE": "lots"})
        assert r.returncode == 2 and "QUIRE_PHOTO_QUEUE=lots: want a whole number from 0 to 10000" \
            in r.stderr, (cmd, r.stderr)


def test_the_data_directory_quire_conf_is_read_by_default(tmp):
    write(os.path.join(tmp, "quire.conf"), "log-level = debug\n")
    r = quire("check-config", "--data", tmp)
    assert r.returncode == 0, r.stderr
    assert settings(r.stdout)["log-level"] == ("debug", os.path.join(tmp, "quire.conf") + " line 1")


def test_serve_takes_its_settings_from_the_file(tmp):
    """listen, data and log-level from quire.conf; the server answers there
    and logs nothing at warn for a 200."""
    port = free_port()
    data = os.path.join(tmp, "site")
    conf = write(os.path.join(tmp, "q.conf"),
                 "data = %s\nlisten = 127.0.0.1:%d\nlog-level = warn\n" % (data, port))
    log = open(os.path.join(tmp, "log"), "w")
    p = subprocess.Popen([BIN, "serve", "--config", conf], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_ready("http://127.0.0.1:%d" % port, p)
        assert requests.get("http://127.0.0.1:%d/healthz" % port).status_code == 200
        assert os.path.exists(os.path.join(data, "quire.db"))
    finally:
        p.send_signal(signal.SIGTERM)
        assert p.wait(timeout=60) == 0
        log.close()
    text = open(os.path.join(tmp, "log")).read()
    assert "request method=" not in text, text


def wait_ready(url, proc, path="/healthz"):
    deadline = time.time() + 30
    while time.time() < deadline:
        assert proc.poll() is None, "server exited"
        try:
            if requests.get(url + path, timeout=2).status_code in (200, 503):
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    raise AssertionError("server did not start")


# ---- health ----

def test_readyz_on_sqlite(server):
    r = requests.get(server.url + "/readyz")
    assert r.status_code == 200 and r.text == "ready\n"
    assert r.headers["Cache-Control"] == "no-store"
    assert requests.get(server.url + "/healthz").status_code == 200


@pytest.mark.skipif(not os.path.exists(PG_CTL), reason="needs PostgreSQL 15")
def test_readyz_when_the_database_goes_away_and_comes_back(tmp):
    # Its own cluster (the postgres user must reach it: not under tmp).
    cluster = "/tmp/pg-ops-" + os.urandom(6).hex()
    subprocess.run([PG_SH, "start", cluster], check=True, capture_output=True, timeout=120)
    try:
        url = subprocess.run([PG_SH, "createdb", cluster, "ready"], check=True,
                             capture_output=True, text=True, timeout=60).stdout.strip()
        s = Server(db=url, data=os.path.join(tmp, "site"))
        s.start()
        try:
            r = requests.get(s.url + "/readyz")
            assert r.status_code == 200, r.text
            pg_ctl(cluster, "stop", "-m", "immediate")
            r = requests.get(s.url + "/readyz")
            assert r.status_code == 503, r.text
            assert r.text.startswith("not ready: ") and len(r.text) < 200, r.text
            pg_ctl(cluster, "start", "-l", os.path.join(cluster, "server.log"), "-o",
                   "-k %s -p 5432 -c listen_addresses='' -c fsync=off" % cluster)
            deadline = time.time() + 30
            while requests.get(s.url + "/readyz").status_code != 200:
                assert time.time() < deadline, "never ready again"
                time.sleep(0.1)
        finally:
            s.stop()
            s.cleanup()
    finally:
        subprocess.run([PG_SH, "stop", cluster], capture_output=True, timeout=120)


def pg_ctl(cluster, *args):
    cmd = [PG_CTL, "-D", os.path.join(cluster, "data"), "-w", *args]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


# ---- metrics ----

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*"'
                    r'(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*")*)?\})? '
                    r'(-?[0-9.]+(e[+-]?[0-9]+)?|\+Inf|-Inf|NaN)$')


def parse_metrics(text):
    """Every line a comment (# HELP / # TYPE) or a valid sample; returns
    {(name, labels): value} and the declared types."""
    samples, types = {}, {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert re.match(r"^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$", line), line
            continue
        if line.startswith("# TYPE "):
            m = re.match(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$", line)
            assert m, line
            assert m.group(1) not in types, "TYPE twice: " + line
            types[m.group(1)] = m.group(2)
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample: %r" % line
        key = (m.group(1), m.group(3) or "")
        assert key not in samples, "sample twice: " + line
        samples[key] = float(m.group(5))
    for (name, _), _v in samples.items():
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in types or base in types, "sample without TYPE: " + name
    return samples, types


@pytest.fixture(scope="module")
def metrics_server():
    mport = free_port()
    s = Server(extra=["--metrics-listen", "127.0.0.1:%d" % mport])
    s.start()
    s.metrics_url = "http://127.0.0.1:%d/metrics" % mport
    yield s
    try:
        s.stop()
    finally:
        s.cleanup()


def total(samples, name, **labels):
    want = ['%s="%s"' % kv for kv in labels.items()]
    return sum(v for (n, l), v in samples.items()
               if n == name and all(w in l.split(",") for w in want))


def test_metrics_format_and_counters_move(metrics_server):
    s = metrics_server
    r = requests.get(s.metrics_url)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    before, types = parse_metrics(r.text)
    assert types["quire_http_requests_total"] == "counter"
    assert types["quire_http_request_duration_seconds"] == "histogram"
    for name in ("quire_page_cache_hits_total", "quire_page_cache_misses_total",
                 "quire_photo_queue_waiting", "quire_photo_worker_deaths_total",
                 "quire_db_seconds_total", "quire_db_calls_total"):
        assert name in types, name
    for _ in range(3):
        assert requests.get(s.url + "/").status_code == 200
    assert requests.get(s.url + "/@nobody/nothing").status_code == 404
    assert requests.get(s.url + "/no/such/place/at/all").status_code == 404
    home = dict(route="/", method="GET", status="200")
    story404 = dict(route="/@{handle}/{slug}", status="404")

    def moved(m, **labels):
        return total(m, "quire_http_requests_total", **labels) - \
            total(before, "quire_http_requests_total", **labels)
    # A request is counted when it ends, just after its answer was sent.
    deadline = time.time() + 10
    while True:
        after, _ = parse_metrics(requests.get(s.metrics_url).text)
        if moved(after, **home) >= 3 and moved(after, **story404) >= 1 or time.time() > deadline:
            break
        time.sleep(0.02)
    assert moved(after, **home) == 3
    assert moved(after, **story404) == 1
    assert total(after, "quire_http_requests_total", route="(unmatched)", status="404") >= 1
    # The histogram: cumulative buckets ending in +Inf == count.
    lab = 'method="GET",route="/"'
    inf = after[("quire_http_request_duration_seconds_bucket", lab + ',le="+Inf"')]
    assert inf == after[("quire_http_request_duration_seconds_count", lab)] >= 3
    buckets = sorted((float(l.split('le="')[1].rstrip('"').replace("+Inf", "inf")), v)
                     for (n, l), v in after.items()
                     if n == "quire_http_request_duration_seconds_bucket" and l.startswith(lab + ","))
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    # The home page was looked up 3 times; each worker thread has its own
    # cache, so at least one of them was a hit.
    moved = {k: after[(k, "")] - before[(k, "")]
             for k in ("quire_page_cache_hits_total", "quire_page_cache_misses_total")}
    assert moved["quire_page_cache_hits_total"] >= 1
    assert sum(moved.values()) >= 3
    assert after[("quire_db_calls_total", "")] > before[("quire_db_calls_total", "")]
    assert after[("quire_db_seconds_total", "")] > 0


def test_metrics_are_never_on_the_public_port(metrics_server):
    s = metrics_server
    assert requests.get(s.url + "/metrics").status_code == 404
    # ... and the metrics port serves nothing but /metrics.
    base = s.metrics_url[:-len("/metrics")]
    assert requests.get(base + "/").status_code == 404
    assert requests.post(s.metrics_url).status_code == 405


def test_metrics_listen_refuses_a_public_address_unless_told(tmp):
    r = quire("serve", "--data", tmp, "--listen", "127.0.0.1:%d" % free_port(),
              "--metrics-listen", "0.0.0.0:%d" % free_port())
    assert r.returncode == 2 and "not a loopback address" in r.stderr, r.stderr


# ---- logs ----

TEXT_LINE = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (info|warn) request method=(\S+) '
                       r'path="([^"]*)" status=(\d+) bytes=(\d+) ms=([0-9.]+)( aborted=1)? '
                       r'addr=(\S+)( via=(\S+))?$')


def test_json_log_lines_hold_the_text_lines_fields():
    text = Server(admin=None)
    js = Server(admin=None, extra=["--log-format", "json"])
    try:
        for s in (text, js):
            s.start()
            for path in ("/", "/u/0123456789abcdef0123", "/nowhere?token=abc"):
                requests.get(s.url + path)
        tlog, jlog = text.stop(), js.stop()
    finally:
        text.cleanup()
        js.cleanup()
    tlines = [TEXT_LINE.match(l) for l in tlog.splitlines() if " request method=" in l]
    jlines = [json.loads(l) for l in jlog.splitlines() if l.startswith("{")]
    assert all(tlines) and len(tlines) >= 4
    assert len(jlines) == len(tlines)
    # A line is written when its request ends, on its worker thread: the
    # two servers may order them differently.
    for j in jlines:
        assert set(j) >= {"time", "level", "msg", "method", "path", "status", "bytes", "ms", "addr"}
        assert j["msg"] == "request" and isinstance(j["ms"], float)
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", j["time"])
    assert sorted((j["level"], j["method"], j["path"], j["status"], j["bytes"], j["addr"])
                  for j in jlines) == \
        sorted((t.group(1), t.group(2), t.group(3), int(t.group(4)), int(t.group(5)), t.group(8))
               for t in tlines)
    paths = [j["path"] for j in jlines]
    assert "/u/[secret]" in paths and "/nowhere" in paths


def test_sighup_reloads_the_log_level(tmp):
    conf = write(os.path.join(tmp, "quire.conf"), "log-level = info\n")
    s = Server(admin=None, extra=["--config", conf])
    s.start()
    try:
        requests.get(s.url + "/")
        # Its line is written when the request ends, just after the answer.
        deadline = time.time() + 10
        while 'path="/" status=200' not in s.read_log():
            assert time.time() < deadline
            time.sleep(0.02)
        logged = s.read_log().count(" request method=")
        write(conf, "log-level = warn\nthreads = 3\n")
        s.proc.send_signal(signal.SIGHUP)
        while "settings reloaded" not in s.read_log():
            assert time.time() < deadline
            time.sleep(0.05)
        assert "threads changed; it takes effect at the next restart" in s.read_log()
        requests.get(s.url + "/tag/after-reload")
        # A bad file on SIGHUP keeps the settings that run.
        write(conf, "log-level = shouting\n")
        s.proc.send_signal(signal.SIGHUP)
        while "settings not reloaded" not in s.read_log():
            assert time.time() < deadline
            time.sleep(0.05)
        requests.get(s.url + "/tag/after-bad-reload")
        log = s.stop()
    finally:
        s.cleanup()
    lines = [l for l in log.splitlines() if " request method=" in l]
    assert any('path="/"' in l for l in lines)
    assert len(lines) == logged, lines  # at warn, a 200 or 404 is not logged
    assert "log-level is error, warn, info or debug" in log


def test_version_names_the_libraries():
    r = quire("--version")
    assert r.returncode == 0
    first, libs = r.stdout.splitlines()[:2]
    assert re.match(r"^quire \d+\.\d+\.\d+", first)
    for lib in ("libmicrohttpd 0.9", "SQLite 3.", "libpq ", "libsodium 1.", "jansson 2.",
                "cmark-gfm 0.", "libvips ", "zlib 1."):
        assert lib in libs, (lib, libs)
