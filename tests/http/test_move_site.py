"""A site moves between backends: a backup restores into SQLite or
PostgreSQL, `quire migrate` copies a site into an empty database, and the
copy serves the same story pages byte for byte. Backups are checked when
read: a cut or altered file is refused and nothing is half-restored; a
backup of an earlier version (a SQLite file) still restores."""
import gzip
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest
import requests

from quire_server import ADMIN, BIN, PG_DIR, Server, api_token, fresh_db_url_in

needs_pg = pytest.mark.skipif(not PG_DIR, reason="needs a test PostgreSQL cluster (QUIRE_TEST_PG)")


def run(*args):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120)


def seed(s):
    """Stories of every audience, tags, a response, a photo: what a site has."""
    h = {"Authorization": "Bearer " + api_token(s, *ADMIN)}
    urls = []
    for i, aud in enumerate(["public", "public", "unlisted", "private"]):
        r = requests.post(s.url + "/api/v1/stories", headers=h,
                          json={"title": "Story %d" % i, "body": "## Part\n\nWords *%d*, walking." % i,
                                "status": "published", "audience": aud, "tags": ["grief", "t%d" % i]})
        assert r.status_code == 201, r.text
        urls.append(r.json()["url"].split("/", 3)[3])
    return urls


def pages(s, paths):
    out = {}
    for p in ["", "feed.atom", "sitemap.xml", "search?q=walk"] + paths:
        r = requests.get(s.url + "/" + p)
        out[p] = (r.status_code, r.text.replace(s.url, "SITE"))
    return out


def test_backup_is_lines_and_a_cut_or_altered_one_is_refused():
    s = Server()
    work = tempfile.mkdtemp(prefix="quire-move-")
    try:
        s.start()
        seed(s)
        dest = os.path.join(work, "site.backup")
        r = run("backup", dest, "--data", s.data, *s.db_args())
        assert r.returncode == 0, r.stderr
        assert oct(os.stat(dest).st_mode & 0o777) == "0o600"
        with gzip.open(dest, "rb") as f:
            data = f.read()
        lines = data.split(b"\n")
        head = json.loads(lines[0])
        assert head["quire_backup"] == 1 and head["schema"] >= 1
        end = json.loads(lines[-2])
        rows = [json.loads(l) for l in lines if l.startswith(b'{"t":')]
        assert end["end"]["rows"] == len(rows) and any(r["t"] == "stories" for r in rows)
        # Cut short: refused, and the new database is left without a site.
        cut = os.path.join(work, "cut.backup")
        with gzip.open(cut, "wb") as f:
            f.write(data[: len(data) * 2 // 3])
        r = run("restore", cut, "--data", os.path.join(work, "r-cut"))
        assert r.returncode == 1 and "restore failed" in r.stderr, r.stderr
        assert not os.path.exists(os.path.join(work, "r-cut", "quire.db"))
        # A row naming a column no table has (another schema, or tampering).
        bad = os.path.join(work, "bad.backup")
        with gzip.open(bad, "wb") as f:
            f.write(data.replace(b'"handle":', b'"handle\\" TEXT); --":', 1))
        r = run("restore", bad, "--data", os.path.join(work, "r-bad"))
        assert r.returncode == 1 and "restore failed" in r.stderr
        # A file name climbing out of media/.
        evil = os.path.join(work, "evil.backup")
        with gzip.open(evil, "wb") as f:
            f.write(lines[0] + b'\n{"f":"../../escape","n":1}\nx\n' + b'{"end":{"rows":0,"files":1}}\n')
        r = run("restore", evil, "--data", os.path.join(work, "r-evil"))
        assert r.returncode == 1
        assert not os.path.exists(os.path.join(work, "escape"))
        s.stop()
    finally:
        s.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_a_backup_of_an_earlier_version_still_restores():
    """Earlier versions wrote a SQLite file: the database plus a table of
    the media files. Made here the way they made it."""
    s = Server()
    work = tempfile.mkdtemp(prefix="quire-move-")
    try:
        s.start()
        paths = seed(s)
        before = pages(s, paths)
        s.stop()
        if s.db:
            pytest.skip("the old format held a SQLite database")
        old = os.path.join(work, "old.backup")
        src = sqlite3.connect(os.path.join(s.data, "quire.db"))
        dst = sqlite3.connect(old)
        src.backup(dst)
        dst.execute("CREATE TABLE quire_backup_files (path TEXT PRIMARY KEY, data BLOB NOT NULL)")
        dst.commit()
        dst.close()
        src.close()
        restored = os.path.join(work, "restored")
        r = run("restore", old, "--data", restored)
        assert r.returncode == 0, r.stderr
        copy = Server(admin=None, data=restored)
        try:
            copy.start()
            assert pages(copy, paths) == before
            copy.stop()
        finally:
            copy.cleanup()
    finally:
        s.cleanup()
        shutil.rmtree(work, ignore_errors=True)


@needs_pg
@pytest.mark.parametrize("how", ["backup", "migrate"])
def test_sqlite_site_moves_to_postgres_and_back_serving_the_same_pages(how):
    s = Server(db="sqlite:" + tempfile.mkdtemp(prefix="quire-move-db-") + "/quire.db")
    work = tempfile.mkdtemp(prefix="quire-move-")
    try:
        s.start()
        paths = seed(s)
        before = pages(s, paths)
        assert before["search?q=walk"][1].count("Story ") >= 2  # stemming: walking
        s.stop()
        pg_url = fresh_db_url_in(PG_DIR)
        if how == "backup":
            dest = os.path.join(work, "site.backup")
            assert run("backup", dest, "--data", s.data, "--db", s.db).returncode == 0
            r = run("restore", dest, "--data", os.path.join(work, "pg-data"), "--db", pg_url)
        else:
            shutil.copytree(s.data, os.path.join(work, "pg-data"))
            r = run("migrate", "--from", s.db, "--to", pg_url)
        assert r.returncode == 0, r.stderr
        on_pg = Server(admin=None, data=os.path.join(work, "pg-data"), db=pg_url)
        try:
            on_pg.start()
            assert pages(on_pg, paths) == before
            # Signed in there too: the password hash came along.
            tok = api_token(on_pg, *ADMIN)
            assert tok
            on_pg.stop()
        finally:
            on_pg.cleanup()
        # Back again, into a new SQLite database.
        back = "sqlite:" + os.path.join(work, "back.db")
        r = run("migrate", "--from", pg_url, "--to", back)
        assert r.returncode == 0, r.stderr
        assert "checked" in r.stdout
        # Migrating into a database that holds a site is refused.
        r = run("migrate", "--from", pg_url, "--to", back)
        assert r.returncode == 1 and "already holds a site" in r.stderr
    finally:
        s.cleanup()
        shutil.rmtree(work, ignore_errors=True)
