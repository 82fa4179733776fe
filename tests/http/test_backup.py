"""quire backup: a consistent copy of a running site (database snapshot
and photo files) that a new server can serve from."""
import os
import shutil
import subprocess
import tempfile
import threading

import requests

from quire_server import ADMIN, BIN, Server, api_token


def test_backup_while_writing_then_serve_the_copy():
    s = Server()
    dest = os.path.join(tempfile.mkdtemp(prefix="quire-backup-"), "copy")
    try:
        s.start()
        h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
        before = []
        for i in range(5):
            r = requests.post(s.url + "/api/v1/stories", headers=h,
                              json={"title": "Before backup %d" % i, "body": "kept %d" % i, "status": "published"})
            assert r.status_code == 201
            before.append(r.json())
        img = os.path.join(os.path.dirname(dest), "p.jpg")
        subprocess.run(["convert", "-size", "64x48", "xc:#336699", img], check=True)
        with open(img, "rb") as f:
            ph = requests.post(s.url + "/api/v1/stories/%s/photos" % before[0]["id"], headers=h,
                               data={"alt": "a square"}, files={"file": ("p.jpg", f, "image/jpeg")})
        assert ph.status_code == 201, ph.text
        stop = threading.Event()
        written = []

        def writer():
            i = 0
            while not stop.is_set():
                r = requests.post(s.url + "/api/v1/stories", headers=h,
                                  json={"title": "During %d" % i, "body": "x", "status": "published"})
                if r.status_code == 201:
                    written.append(r.json()["id"])
                i += 1
        t = threading.Thread(target=writer)
        t.start()
        try:
            r = subprocess.run([BIN, "backup", dest, "--data", s.data], capture_output=True, text=True, timeout=120)
        finally:
            stop.set()
            t.join()
        assert r.returncode == 0, r.stderr
        assert "photo files" in r.stdout
        assert written, "writes went on during the backup"
        out = subprocess.run(["sqlite3", dest + "/quire.db", "PRAGMA integrity_check;"],
                             capture_output=True, text=True).stdout.strip()
        assert out == "ok"
        # A second backup into an existing directory is refused.
        r2 = subprocess.run([BIN, "backup", dest, "--data", s.data], capture_output=True, text=True)
        assert r2.returncode == 2 and "exists" in r2.stderr
        s.stop()
        copy = Server(admin=None, data=dest)
        try:
            copy.start()
            for st in before:
                path = st["url"].split("/", 3)[3]
                assert requests.get(copy.url + "/" + path).status_code == 200
            var = ph.json()["variants"][0]["url"].split("/", 3)[3]
            assert requests.get(copy.url + "/" + var).status_code == 200, "photo files came along"
            assert api_token(copy, *ADMIN)
        finally:
            copy.stop()
            copy.cleanup()
    finally:
        s.stop()
        s.cleanup()
        shutil.rmtree(os.path.dirname(dest), ignore_errors=True)
