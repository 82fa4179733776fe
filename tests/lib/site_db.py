"""site_db.py - the rows of a test site, read (or, for a test that plants a
bad row, written) behind the server's back, on whichever backend the site
runs: its SQLite file, or its PostgreSQL database in the test cluster
(through psql; the suite has no PostgreSQL driver).

    with site_db(server) as d:
        n = d.execute("SELECT count(*) FROM users WHERE handle = ?", ("ada",)).fetchone()[0]

Statements are written as for SQLite: ? parameters and char(N) are
translated for PostgreSQL. site_dump(server) is everything stored, as
bytes, for checks that a secret is stored nowhere.
"""
import glob
import os
import re
import sqlite3
import subprocess


def on_pg(server):
    return bool(server.db) and server.db.startswith("postgres")


class PgRows:
    """The sqlite3 calls the tests use (execute, fetchone, fetchall, with)."""

    def __init__(self, url):
        self.url = url
        self.rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def literal(v):
        if isinstance(v, bool) or v is None:
            return {True: "true", False: "false", None: "NULL"}[v]
        if isinstance(v, int):
            return str(v)
        return "'" + str(v).replace("'", "''") + "'"

    def execute(self, sql, params=()):
        parts = sql.split("?")
        if len(parts) != len(params) + 1:
            raise ValueError("%d parameters for %d placeholders" % (len(params), len(parts) - 1))
        text = parts[0] + "".join(self.literal(p) + rest for p, rest in zip(params, parts[1:]))
        text = re.sub(r"\bchar\(", "chr(", text)
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\x1f", "-v", "ON_ERROR_STOP=1",
                            "-d", self.url, "-c", text],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("psql: %s\n  %s" % (r.stderr.strip(), text))
        self.rows = [tuple(int(v) if re.fullmatch(r"-?[0-9]+", v) else v
                           for v in line.split("\x1f"))
                     for line in r.stdout.splitlines() if line]
        return self

    def fetchone(self):
        return self.rows[0] if self.rows else None

    def fetchall(self):
        return list(self.rows)


def site_db(server):
    if on_pg(server):
        return PgRows(server.db)
    return sqlite3.connect(os.path.join(server.data, "quire.db"), timeout=10)


def site_dump(server):
    if on_pg(server):
        r = subprocess.run(["pg_dump", "--data-only", "-d", server.db], capture_output=True,
                           timeout=120, check=True)
        return r.stdout
    out = b""
    for p in [os.path.join(server.data, "quire.db")] + glob.glob(server.data + "/quire.db-wal"):
        with open(p, "rb") as f:
            out += f.read()
    return out
