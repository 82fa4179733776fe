"""quire backup FILE / quire restore FILE --data DIR: a consistent
snapshot of a running site (database and photo files) in one file, and a
restored site that serves the same stories, photos and accounts."""
import os
import shutil
import subprocess
import tempfile
import threading

import requests

from quire_server import ADMIN, BIN, ON_PG, PG_DIR, Server, api_token, fresh_db_url_in


def test_backup_while_writing_then_serve_the_copy():
    s = Server()
    work = tempfile.mkdtemp(prefix="quire-backup-")
    dest = os.path.join(work, "site.quire-backup")
    restored = os.path.join(work, "restored")
    try:
        s.start()
        h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
        before = []
        for i in range(5):
            r = requests.post(s.url + "/api/v1/stories", headers=h,
                              json={"title": "Before backup %d" % i, "body": "kept %d" % i, "status": "published"})
            assert r.status_code == 201
            before.append(r.json())
        img = os.path.join(work, "p.jpg")
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
            r = subprocess.run([BIN, "backup", dest, "--data", s.data, *s.db_args()],
                               capture_output=True, text=True, timeout=120)
        finally:
            stop.set()
            t.join()
        assert r.returncode == 0, r.stderr
        assert "photo files" in r.stdout
        assert written, "writes went on during the backup"
        assert os.path.isfile(dest) and not os.path.exists(dest + ".part")
        # A backup never overwrites an existing file.
        r2 = subprocess.run([BIN, "backup", dest, "--data", s.data, *s.db_args()],
                            capture_output=True, text=True)
        assert r2.returncode == 2 and "exists" in r2.stderr
        s.stop()
        # On PostgreSQL the copy goes into a new database of its own.
        restored_db = fresh_db_url_in(PG_DIR) if ON_PG else None
        db_args = ["--db", restored_db] if restored_db else []
        r = subprocess.run([BIN, "restore", dest, "--data", restored, *db_args],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        if not restored_db:
            out = subprocess.run(["sqlite3", restored + "/quire.db", "PRAGMA integrity_check;"],
                                 capture_output=True, text=True).stdout.strip()
            assert out == "ok"
        # Restoring over an existing site is refused; a non-backup is refused.
        r3 = subprocess.run([BIN, "restore", dest, "--data", restored, *db_args],
                            capture_output=True, text=True)
        assert r3.returncode == 2 and "already holds a site" in r3.stderr, r3.stderr
        junk = os.path.join(work, "junk")
        open(junk, "wb").write(b"not a backup")
        r4 = subprocess.run([BIN, "restore", junk, "--data", os.path.join(work, "r2")], capture_output=True, text=True)
        assert r4.returncode == 1 and "restore failed" in r4.stderr
        copy = Server(admin=None, data=restored, db=restored_db)
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
        shutil.rmtree(work, ignore_errors=True)
