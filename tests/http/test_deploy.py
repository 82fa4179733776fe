"""deploy/quire.service for real, without systemd: its ExecStart command
line, run as an unprivileged user under the unit's own SystemCallFilter
(the @system-service allow-list, expanded by systemd-analyze, applied
with libseccomp by tests/lib/sysfilter.c) and NoNewPrivileges, talking
sd_notify to a socket of ours: READY=1 when it serves, RELOADING=1 and
READY=1 on SIGHUP, STOPPING=1 on SIGTERM. A photo upload (the sandboxed
photo worker inside that filter) and a backup must still work. Also:
systemd-analyze verify accepts the unit, the sample quire.conf is valid,
and make install / make uninstall put and remove every file."""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

from quire_server import ADMIN, BIN, ROOT, free_port

UNIT = os.path.join(ROOT, "deploy", "quire.service")
SAMPLE_CONF = os.path.join(ROOT, "deploy", "quire.conf")
CONVERT = "/usr/bin/convert"
ANALYZE = shutil.which("systemd-analyze")


def unit_settings():
    """[Service] (and other) settings of the unit: name -> list of values."""
    out = {}
    for line in open(UNIT):
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")):
            continue
        k, _, v = line.partition("=")
        out.setdefault(k.strip(), []).append(v.strip())
    return out


def test_the_unit_has_the_hardening():
    u = unit_settings()
    assert u["Type"] == ["notify"]
    assert u["User"] == ["quire"] and u["Group"] == ["quire"]
    for key, want in (("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"),
                      ("PrivateTmp", "yes"), ("ProtectHome", "yes")):
        assert u[key] == [want], key
    assert "/var/lib/quire" in u["ReadWritePaths"]
    assert u["MemoryMax"] and u["SystemCallFilter"][0] == "@system-service"
    assert "kill -HUP $MAINPID" in u["ExecReload"][0]
    # The data directory of the unit is the sample configuration's.
    conf = dict(l.split(" = ", 1) for l in open(SAMPLE_CONF).read().splitlines()
                if l and not l.startswith("#"))
    assert conf["data"] == "/var/lib/quire"
    assert shlex.split(u["ExecStart"][0])[1:] == ["serve", "--config", "/etc/quire/quire.conf"]


@pytest.mark.skipif(not ANALYZE, reason="needs systemd-analyze")
def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    text = open(UNIT).read().replace("/usr/local/bin/quire", BIN)
    unit = tmp_path / "quire.service"
    unit.write_text(text)
    r = subprocess.run([ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=120)
    # Only complaints about this unit count (the host's own units may be
    # odd in a container); the quire user need not exist here.
    ours = [l for l in (r.stdout + r.stderr).splitlines()
            if "quire.service" in l and "User" not in l and "quire: " not in l
            and "Command 'man " not in l]  # the manual page need not be installed here
    assert not ours, r.stdout + r.stderr


def expand_filter(groups):
    """Every system call a SystemCallFilter= allow-list names."""
    calls, seen = set(), set()

    def walk(name):
        out = subprocess.run([ANALYZE, "syscall-filter", name], capture_output=True, text=True,
                             check=True, timeout=60).stdout
        for line in out.splitlines()[1:]:
            t = line.strip()
            if not t or t.startswith("#"):
                continue
            if t.startswith("@"):
                if t not in seen:
                    seen.add(t)
                    walk(t)
            else:
                calls.add(t)

    for g in groups:
        if g.startswith("@"):
            seen.add(g)
            walk(g)
        else:
            calls.add(g)
    return calls


class Notify:
    """The NOTIFY_SOCKET systemd would give the service."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        os.chmod(path, 0o777)

    def expect(self, *wanted, timeout=60):
        """Messages until one holds each of wanted (in order)."""
        got = []
        deadline = time.time() + timeout
        for w in wanted:
            while True:
                left = deadline - time.time()
                assert left > 0, "no %s from sd_notify; got %r" % (w, got)
                self.sock.settimeout(left)
                msg = self.sock.recv(4096).decode()
                got.append(msg)
                if w in msg.split("\n"):
                    break
        return got


@pytest.mark.skipif(not ANALYZE or not os.path.exists(CONVERT), reason="needs systemd-analyze and ImageMagick")
def test_unit_command_line_under_its_filter_serves_photos_and_backs_up():
    tmp = tempfile.mkdtemp(prefix="quire-deploy-")
    os.chmod(tmp, 0o755)
    proc = None
    try:
        u = unit_settings()
        # The filter: allow-list, error number, as the unit says.
        allow = expand_filter([g for v in u["SystemCallFilter"] for g in v.split()])
        assert "execve" in allow
        lst = os.path.join(tmp, "syscalls")
        with open(lst, "w") as f:
            f.write("\n".join(sorted(allow)) + "\n")
        err = {"EPERM": 1, "EACCES": 13}[u["SystemCallErrorNumber"][0]]
        sysfilter = os.path.join(tmp, "sysfilter")
        subprocess.run(["cc", "-O1", "-o", sysfilter, os.path.join(ROOT, "tests", "lib", "sysfilter.c"),
                        "-lseccomp"], check=True, timeout=120)
        # The unit's configuration, moved to this test's directory and ports.
        data = os.path.join(tmp, "data")
        os.mkdir(data, 0o700)
        port, mport = free_port(), free_port()
        conf_text = open(SAMPLE_CONF).read()
        conf_text = re.sub(r"(?m)^data = .*$", "data = " + data, conf_text)
        conf_text = re.sub(r"(?m)^listen = .*$", "listen = 127.0.0.1:%d" % port, conf_text)
        conf_text = re.sub(r"(?m)^base-url = .*$", "base-url = http://127.0.0.1:%d" % port, conf_text)
        conf_text = re.sub(r"(?m)^metrics-listen = .*$", "metrics-listen = 127.0.0.1:%d" % mport, conf_text)
        conf = os.path.join(tmp, "quire.conf")
        with open(conf, "w") as f:
            f.write(conf_text)
        os.chmod(conf, 0o644)
        argv = shlex.split(u["ExecStart"][0])
        assert argv[-2] == "--config"
        # Installed where its own user can run it (the build may sit in a
        # directory only root can enter, as /root is).
        binary = os.path.join(tmp, "quire")
        shutil.copy2(BIN, binary)
        os.chmod(binary, 0o755)
        serve = [binary] + argv[1:-1] + [conf]
        # As its own unprivileged user (User=), with no_new_privs and the filter.
        prefix = [sysfilter, lst, str(err), "--"]
        if os.getuid() == 0:
            for root, dirs, files in os.walk(data):
                os.chown(root, 65534, 65534)
            os.chown(data, 65534, 65534)
            prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                      "--"] + prefix
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIRE_")}
        env["NOTIFY_SOCKET"] = os.path.join(tmp, "notify")
        # A sanitizer build: LeakSanitizer's exit check needs ptrace(2),
        # which the unit's filter denies (as it should).
        env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        notify = Notify(env["NOTIFY_SOCKET"])

        def cli(*args, input=None):
            r = subprocess.run(prefix + [binary, *args, "--config", conf], input=input, text=True,
                               capture_output=True, env=env, timeout=120)
            assert r.returncode == 0, (args, r.stdout, r.stderr)
            return r.stdout

        cli("check-config")
        cli("user", "add", ADMIN[0], "--admin", "--password-stdin", input=ADMIN[1] + "\n")
        log = open(os.path.join(tmp, "server.log"), "w")
        proc = subprocess.Popen(prefix + serve, stdout=log, stderr=subprocess.STDOUT, env=env)
        msgs = notify.expect("READY=1")
        assert any("STATUS=serving" in m for m in msgs), msgs
        url = "http://127.0.0.1:%d" % port
        assert requests.get(url + "/readyz").text == "ready\n"

        # A photo: decoded by a sandboxed worker, inside the unit's filter.
        tok = requests.post(url + "/api/v1/tokens", json={"handle": ADMIN[0], "password": ADMIN[1]}).json()["token"]
        h = {"Authorization": "Bearer " + tok}
        story = requests.post(url + "/api/v1/stories", headers=h,
                              json={"title": "Deployed", "body": "Words.", "status": "published"}).json()
        img = os.path.join(tmp, "p.jpg")
        subprocess.run([CONVERT, "-size", "320x200", "xc:#3060c0", img], check=True, timeout=60)
        with open(img, "rb") as f:
            r = requests.post(url + "/api/v1/stories/%s/photos" % story["id"], headers=h,
                              data={"alt": "blue"}, files={"file": ("p.jpg", f, "image/jpeg")},
                              timeout=120)
        assert r.status_code == 201, (r.status_code, r.text, open(os.path.join(tmp, "server.log")).read()[-3000:])
        photo = r.json()
        r = requests.get(url + "/photos/%s" % photo["id"])
        assert r.status_code == 200 and r.headers["Content-Type"].startswith("image/"), r.status_code
        m = requests.get("http://127.0.0.1:%d/metrics" % mport).text
        assert "quire_photo_worker_deaths_total 0" in m

        # SIGHUP: RELOADING=1, then READY=1 again.
        proc.send_signal(signal.SIGHUP)
        notify.expect("RELOADING=1", "READY=1")

        # A backup while it serves, under the same filter and user.
        bak = os.path.join(data, "site.quire")
        out = cli("backup", bak)
        assert "photo files" in out and os.path.getsize(bak) > 0
        restored = os.path.join(tmp, "restored")
        r = subprocess.run([BIN, "restore", bak, "--data", restored], capture_output=True, text=True,
                           env=env, timeout=120)
        assert r.returncode == 0, r.stderr
        assert photo["id"]
        assert sum(len(fs) for _, _, fs in os.walk(os.path.join(restored, "media"))) > 0

        proc.send_signal(signal.SIGTERM)
        notify.expect("STOPPING=1")
        assert proc.wait(timeout=60) == 0
        proc = None
        log.close()
        text = open(os.path.join(tmp, "server.log")).read()
        assert "stopped cleanly" in text
        assert "runtime error:" not in text and "AddressSanitizer" not in text
    finally:
        if proc:
            proc.kill()
            proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def test_make_install_and_uninstall(tmp_path):
    """Every file make install puts under PREFIX (and DESTDIR) is gone after
    make uninstall; the installed binary runs."""
    dest = tmp_path / "root"
    args = ["make", "--no-print-directory", "-C", ROOT, "PREFIX=/opt/quire", "DESTDIR=%s" % dest,
            "QUIRE_INSTALL_BIN=%s" % BIN]
    r = subprocess.run(args + ["install"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    files = sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file())
    for want in ("opt/quire/bin/quire", "opt/quire/lib/systemd/system/quire.service",
                 "opt/quire/share/quire/quire.conf", "opt/quire/share/quire/nginx.conf",
                 "opt/quire/share/quire/Caddyfile", "opt/quire/share/man/man1/quire.1",
                 "opt/quire/share/man/man5/quire.conf.5", "opt/quire/share/doc/quire/operating.md",
                 "opt/quire/share/doc/quire/operators-guide.md"):
        assert want in files, (want, files)
    unit = (dest / "opt/quire/lib/systemd/system/quire.service").read_text()
    assert "ExecStart=/opt/quire/bin/quire serve" in unit
    page = dest / "opt/quire/share/man/man5/quire.conf.5"
    assert page.read_bytes() == open(os.path.join(ROOT, "docs", "quire.conf.5"), "rb").read()
    assert page.stat().st_mode & 0o777 == 0o644
    r = subprocess.run([str(dest / "opt/quire/bin/quire"), "--version"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("quire ")
    r = subprocess.run(args + ["uninstall"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    left = [p for p in dest.rglob("*") if p.is_file()]
    assert not left, left


@pytest.mark.skipif(not shutil.which("nginx") or not shutil.which("openssl"),
                    reason="needs nginx and openssl")
def test_nginx_sample_is_valid(tmp_path):
    """nginx -t accepts deploy/nginx.conf inside an http block, with a
    throwaway certificate in place of certbot's."""
    crt, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=essays.example",
                    "-keyout", str(key), "-out", str(crt), "-days", "1"], check=True, capture_output=True,
                   timeout=60)
    site = open(os.path.join(ROOT, "deploy", "nginx.conf")).read()
    site = site.replace("/etc/letsencrypt/live/essays.example/fullchain.pem", str(crt))
    site = site.replace("/etc/letsencrypt/live/essays.example/privkey.pem", str(key))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        "pid %(t)s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n"
        "  client_body_temp_path %(t)s/body;\n  proxy_temp_path %(t)s/proxy;\n"
        "  fastcgi_temp_path %(t)s/fcgi;\n  uwsgi_temp_path %(t)s/uwsgi;\n  scgi_temp_path %(t)s/scgi;\n"
        "  include %(t)s/site.conf;\n}\n" % {"t": tmp_path})
    r = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.skipif(not shutil.which("caddy"), reason="needs caddy")
def test_caddy_sample_is_valid():
    r = subprocess.run(["caddy", "validate", "--adapter", "caddyfile", "--config",
                        os.path.join(ROOT, "deploy", "Caddyfile")], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
