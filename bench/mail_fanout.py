#!/usr/bin/python3
"""mail_fanout.py - `make bench`, email part (issue 18): one public story
published to N confirmed subscribers (BENCH_SUBSCRIBERS, default 10,000)
of one writer, delivered by Quire's sender into a real SMTP server on
loopback (python3-aiosmtpd, tests/lib/smtp_sink.py). Prints the time to
deliver them all, messages per second, Quire's peak RSS meanwhile, and the
story page's latency (wrk, p50/p99) while the fan-out runs; writes
bench/results/mail_fanout.json.

The subscribers are seeded straight into the SQLite database (already
confirmed: seeding is not what is measured), spread over 200 domains, and
the per-domain rate is lifted (--mail-domain-rate) so that the figure is
Quire's, not the limiter's.

Usage: QUIRE_BIN=build/bench/quire bench/mail_fanout.py
"""
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))

import requests  # noqa: E402

from quire_server import Server, api_token  # noqa: E402
from smtp_sink import Sink  # noqa: E402

N = int(os.environ.get("BENCH_SUBSCRIBERS", "10000"))
PW = "bench mail password"


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    sink = Sink()
    sink.start()
    data = tempfile.mkdtemp(prefix="quire-bench-mail-")
    s = Server(admin=("writer", PW), data=data, db="sqlite:" + os.path.join(data, "quire.db"),
               extra=["--smtp", "smtp://127.0.0.1:%d" % sink.port, "--smtp-insecure",
                      "--mail-from", "bench@example.org", "--mail-domain-rate", "100000"])
    try:
        s.start()
        tok = api_token(s, "writer", PW)
        h = {"Authorization": "Bearer " + tok}
        page = requests.post(s.url + "/api/v1/stories", headers=h, json={
            "title": "A page to read meanwhile", "body": "Words. " * 2000, "status": "published",
            "email": False}).json()
        s.stop()
        db = sqlite3.connect(os.path.join(data, "quire.db"))
        wid = db.execute("SELECT id FROM users WHERE handle = 'writer'").fetchone()[0]
        now = int(time.time())
        t0 = time.monotonic()
        db.executemany(
            "INSERT INTO subscribers(id, writer_id, email, status, created_at, confirmed_at, source) "
            "VALUES (?, ?, ?, 'confirmed', ?, ?, 'import')",
            ((secrets.token_hex(8), wid, "reader%d@d%d.example" % (i, i % 200), now, now)
             for i in range(N)))
        db.commit()
        db.close()
        seed_s = time.monotonic() - t0
        s.start()
        pid = s.proc.pid
        base_rss = rss_kb(pid)
        peak = [base_rss]
        done = threading.Event()

        def watch():
            while not done.is_set():
                peak[0] = max(peak[0], rss_kb(pid))
                time.sleep(0.05)
        th = threading.Thread(target=watch)
        th.start()
        t0 = time.monotonic()
        r = requests.post(s.url + "/api/v1/stories", headers=h, json={
            "title": "To every subscriber", "body": "A story for %d readers." % N,
            "status": "published"}, timeout=600)
        assert r.status_code == 201, r.text
        publish_s = time.monotonic() - t0
        # The page's latency while the sender works (wrk, one thread).
        wrk = None
        if shutil.which("wrk"):
            # The server came back on another port: the page's path on it.
            path = "/" + page["url"].split("/", 3)[3]
            wrk = subprocess.Popen(["wrk", "-t1", "-c16", "-d10s", "--latency", s.url + path],
                                   stdout=subprocess.PIPE, text=True)
        sink.wait_for(lambda m: len(sink.messages) >= N, "%d deliveries" % N, timeout=3600)
        deliver_s = time.monotonic() - t0
        done.set()
        th.join()
        lat = {}
        if wrk:
            out = wrk.communicate(timeout=120)[0]
            for q in ("50", "99"):
                m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % q, out, re.M)
                if m:
                    v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
                    lat["p" + q + "_ms"] = round(v, 2)
            m = re.search(r"Requests/sec:\s+([\d.]+)", out)
            lat["page_req_per_s"] = float(m.group(1)) if m else None
        ids = [m["msg"]["Message-ID"] for m in sink.messages]
        res = {
            "subscribers": N, "seed_s": round(seed_s, 2), "publish_request_s": round(publish_s, 2),
            "deliver_all_s": round(deliver_s, 2), "messages_per_s": round(N / deliver_s, 1),
            "rss_mb_before": round(base_rss / 1024, 1), "rss_mb_peak": round(peak[0] / 1024, 1),
            "duplicates": len(ids) - len(set(ids)), "page_while_sending": lat,
        }
        print("mail fan-out: %(subscribers)d subscribers: publish request %(publish_request_s)s s, all "
              "delivered in %(deliver_all_s)s s (%(messages_per_s)s msg/s); RSS %(rss_mb_before)s -> "
              "%(rss_mb_peak)s MB peak; duplicates %(duplicates)d" % res)
        if lat:
            print("  the story page meanwhile (wrk -t1 -c16 10 s): p50 %s ms, p99 %s ms, %s req/s"
                  % (lat.get("p50_ms"), lat.get("p99_ms"), lat.get("page_req_per_s")))
        out = os.path.join(ROOT, "bench", "results")
        os.makedirs(out, exist_ok=True)
        with open(os.path.join(out, "mail_fanout.json"), "w") as f:
            json.dump(res, f, indent=1)
    finally:
        s.stop()
        s.cleanup()
        sink.stop()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
