"""--db URL and QUIRE_DB: every command finds the database by URL
(sqlite:PATH or a bare path), photos and temporary files stay in --data."""
import os
import shutil
import subprocess
import tempfile

from quire_server import ADMIN, BIN, Server, login


def run(*args, env=None, input=None):
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120, env=env,
                          input=input)


def test_db_flag_puts_the_database_where_it_says():
    where = tempfile.mkdtemp(prefix="quire-db-")
    db = os.path.join(where, "site.db")
    s = Server(db="sqlite:" + db)
    try:
        s.start()
        assert os.path.exists(db)
        assert not os.path.exists(os.path.join(s.data, "quire.db"))
        # The user added with --db is in that database.
        sess = login(s, *ADMIN)
        assert sess.get(s.url + "/write").status_code == 200
        s.stop()
    finally:
        s.cleanup()
        shutil.rmtree(where, ignore_errors=True)


def test_quire_db_environment_and_bare_path():
    where = tempfile.mkdtemp(prefix="quire-db-")
    data = os.path.join(where, "data")
    db = os.path.join(where, "bare.db")
    env = dict(os.environ, QUIRE_DB=db)
    try:
        r = run("user", "add", "bea", "--password-stdin", "--data", data, env=env,
                input="a long enough password\n")
        assert r.returncode == 0, r.stderr
        assert os.path.exists(db) and not os.path.exists(os.path.join(data, "quire.db"))
        # The flag wins over the environment.
        other = os.path.join(where, "other.db")
        r = run("user", "add", "cy", "--password-stdin", "--data", data, "--db", other, env=env,
                input="a long enough password\n")
        assert r.returncode == 0, r.stderr
        assert os.path.exists(other)
        # A backup of the database named by QUIRE_DB holds bea, and restores
        # into a database named by --db.
        backup = os.path.join(where, "site.backup")
        r = run("backup", backup, "--data", data, env=env)
        assert r.returncode == 0, r.stderr
        restored = os.path.join(where, "restored.db")
        r = run("restore", backup, "--data", os.path.join(where, "new"), "--db",
                "sqlite://" + restored)
        assert r.returncode == 0, r.stderr
        r = run("user", "add", "bea", "--password-stdin", "--data", os.path.join(where, "new"),
                "--db", restored, input="a long enough password\n")
        assert r.returncode != 0 and "taken" in r.stderr.lower(), r.stderr
    finally:
        shutil.rmtree(where, ignore_errors=True)


def test_unknown_database_kind_is_a_clear_error():
    where = tempfile.mkdtemp(prefix="quire-db-")
    try:
        r = run("serve", "--data", where, "--db", "mysql://localhost/quire", "--listen",
                "127.0.0.1:0")
        # A setting's error, found before anything starts (check-config too).
        assert r.returncode == 2
        assert 'db (--db): unknown kind of database "mysql://localhost/quire"' in r.stderr
    finally:
        shutil.rmtree(where, ignore_errors=True)
