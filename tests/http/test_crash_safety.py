"""Crash safety: writers keep creating, changing and deleting stories
through the API from several threads while the server is killed with
SIGKILL at random moments, again and again. After every restart:

- every acknowledged write (201/200/204) is there with its exact content,
  and every acknowledged delete is gone;
- nothing half-written is visible: each story's title names a writer,
  sequence number and version, and its body must be exactly the body
  generated from those three (a torn or mixed write cannot match);
- a write that was in flight when the server died is either wholly there
  or wholly absent (and once seen, it must stay);
- `PRAGMA integrity_check` answers ok.

QUIRE_CRASH_KILLS sets the number of kills (default 25). The number
survived is printed (run pytest with -s to see it) and written to
build/crash_safety.txt for docs/hardening.md.
"""
import hashlib
import os
import random
import signal
import subprocess
import threading
import time

import requests

from quire_server import ADMIN, ROOT, Server, api_token

KILLS = int(os.environ.get("QUIRE_CRASH_KILLS", "25"))
WRITERS = 4
SEED = int(os.environ.get("QUIRE_CRASH_SEED", str(int(time.time()))))


def title_of(w, seq, v):
    return "W%d S%d V%d" % (w, seq, v)


def body_of(w, seq, v):
    """Deterministic body of 100 bytes to ~8 KB for (writer, seq, version)."""
    h = hashlib.sha256(("%d/%d/%d" % (w, seq, v)).encode()).hexdigest()
    n = 1 + int(h[:4], 16) % 25
    paras = ["Story %d-%d version %d." % (w, seq, v)]
    for i in range(n):
        paras.append("Paragraph %d of %s, " % (i, h[i % 48:i % 48 + 16]) + ("word%s " % h[i % 60:i % 60 + 4]) * 30)
    return "\n\n".join(paras)


def parse_title(t):
    p = t.split()
    assert len(p) == 3 and p[0][0] == "W" and p[1][0] == "S" and p[2][0] == "V", "foreign title %r" % t
    return int(p[0][1:]), int(p[1][1:]), int(p[2][1:])


class Model:
    """What the server acknowledged, plus what was in flight at a kill."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stories = {}      # id -> (w, seq, v) last acknowledged (or adopted) content
        self.deleted = set()   # ids whose delete was acknowledged
        self.maybe = {}        # id -> set of (w, seq, v) an unacknowledged PATCH may have left
        self.maybe_created = {}  # (w, seq) -> version of an unacknowledged create
        self.maybe_deleted = set()
        self.acks = 0


class Writer(threading.Thread):
    def __init__(self, wid, url, token, model, rng, next_seq):
        super().__init__(daemon=True)
        self.wid, self.url, self.model, self.rng = wid, url, model, rng
        self.seq = next_seq
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + token
        self.stop = threading.Event()
        self.error = None

    def mine(self):
        with self.model.lock:
            return [i for i, c in self.model.stories.items() if c[0] == self.wid]

    def run(self):
        m = self.model
        try:
            while not self.stop.is_set():
                mine = self.mine()
                r = self.rng.random()
                if r < 0.5 or len(mine) < 3:
                    self.seq += 1
                    c = (self.wid, self.seq, 1)
                    with m.lock:
                        m.maybe_created[c[:2]] = 1
                    resp = self.http.post(self.url + "/api/v1/stories", timeout=20, json={
                        "title": title_of(*c), "body": body_of(*c), "status": "published"})
                    assert resp.status_code == 201, (resp.status_code, resp.text[:300])
                    j = resp.json()
                    assert j["title"] == title_of(*c) and j["body"] == body_of(*c)
                    with m.lock:
                        del m.maybe_created[c[:2]]
                        m.stories[j["id"]] = c
                        m.acks += 1
                elif r < 0.8:
                    sid = self.rng.choice(mine)
                    with m.lock:
                        old = m.stories[sid]
                        c = (old[0], old[1], old[2] + 1)
                        m.maybe.setdefault(sid, set()).add(c)
                    resp = self.http.patch(self.url + "/api/v1/stories/" + sid, timeout=20, json={
                        "title": title_of(*c), "body": body_of(*c)})
                    assert resp.status_code == 200, (resp.status_code, resp.text[:300])
                    assert resp.json()["body"] == body_of(*c)
                    with m.lock:
                        m.maybe[sid].discard(c)
                        m.stories[sid] = c
                        m.acks += 1
                else:
                    sid = self.rng.choice(mine)
                    with m.lock:
                        m.maybe_deleted.add(sid)
                    resp = self.http.delete(self.url + "/api/v1/stories/" + sid, timeout=20)
                    assert resp.status_code == 204, (resp.status_code, resp.text[:300])
                    with m.lock:
                        m.maybe_deleted.discard(sid)
                        del m.stories[sid]
                        m.deleted.add(sid)
                        m.acks += 1
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError):
            return  # the server died under us: the write in flight is unknown
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e


def all_stories(url, token):
    h = {"Authorization": "Bearer " + token}
    out, cursor = {}, ""
    for _ in range(10000):
        r = requests.get(url + "/api/v1/stories", headers=h, timeout=30,
                         params={"author": ADMIN[0], "limit": 100, "cursor": cursor})
        assert r.status_code == 200, r.text[:300]
        j = r.json()
        for s in j["stories"]:
            assert s["id"] not in out, "story listed twice"
            out[s["id"]] = s
        if not j["next_cursor"]:
            return out
        cursor = j["next_cursor"]
    raise AssertionError("pagination does not end")


def integrity(path):
    r = subprocess.run(["sqlite3", path, "PRAGMA integrity_check;"], capture_output=True,
                       text=True, timeout=60)
    return r.stdout.strip()


def verify(server, token, m):
    """Check the restarted server against the model, then adopt what an
    unacknowledged write turned out to have done."""
    seen = all_stories(server.url, token)
    for sid, s in seen.items():
        c = parse_title(s["title"])
        assert s["body"] == body_of(*c), "half-written story %s (%r)" % (sid, s["title"])
        assert s["status"] == "published"
    for sid, c in m.stories.items():
        if sid in m.maybe_deleted and sid not in seen:
            continue
        assert sid in seen, "acknowledged story %s %r lost" % (sid, title_of(*c))
        got = parse_title(seen[sid]["title"])
        assert got == c or got in m.maybe.get(sid, ()), \
            "story %s is %r, acknowledged %r" % (sid, got, c)
    for sid in m.deleted:
        assert sid not in seen, "acknowledged delete of %s undone" % sid
    created = {}
    for sid, s in seen.items():
        if sid in m.stories:
            continue
        c = parse_title(s["title"])
        assert m.maybe_created.get(c[:2]) == c[2], "story %s (%r) was never written" % (sid, s["title"])
        assert c[:2] not in created, "one create stored twice"
        created[c[:2]] = sid
    # Adopt: what is visible now is committed and must stay so.
    for sid in list(m.stories):
        if sid not in seen:
            del m.stories[sid]
            m.deleted.add(sid)
        else:
            m.stories[sid] = parse_title(seen[sid]["title"])
    for key, sid in created.items():
        m.stories[sid] = parse_title(seen[sid]["title"])
    m.maybe.clear()
    m.maybe_created.clear()
    m.maybe_deleted.clear()
    return len(seen)


def test_sigkill_under_concurrent_writers():
    rng = random.Random(SEED)
    s = Server()
    m = Model()
    kills = 0
    t0 = time.time()
    try:
        s.start()
        token = api_token(s, *ADMIN)
        seqs = {w: 0 for w in range(WRITERS)}
        for k in range(KILLS):
            writers = [Writer(w, s.url, token, m, random.Random(rng.random()), seqs[w])
                       for w in range(WRITERS)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(0.2, 1.5))
            s.stop(sig=signal.SIGKILL)  # reaps, checks the log for sanitizer reports
            for w in writers:
                w.stop.set()
                w.join(30)
                assert not w.is_alive(), "writer hung after the kill"
                assert w.error is None, "writer %d: %r" % (w.wid, w.error)
                seqs[w.wid] = w.seq
            kills += 1
            s.start()
            n = verify(s, token, m)
            assert integrity(os.path.join(s.data, "quire.db")) == "ok"
        # A clean stop after all that still works and loses nothing.
        s.stop()
        s.start()
        verify(s, token, m)
        assert integrity(os.path.join(s.data, "quire.db")) == "ok"
    finally:
        line = "crash safety: %d SIGKILLs survived, %d acknowledged writes, %d stories at the end, " \
               "%.0f s, seed %d" % (kills, m.acks, len(m.stories), time.time() - t0, SEED)
        print("\n" + line)
        try:
            os.makedirs(os.path.join(ROOT, "build"), exist_ok=True)
            with open(os.path.join(ROOT, "build", "crash_safety.txt"), "w") as f:
                f.write(line + "\n")
        except OSError:
            pass
        s.stop()
        s.cleanup()
    assert kills == KILLS and m.acks > KILLS * 5
