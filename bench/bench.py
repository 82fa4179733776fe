#!/usr/bin/env python3
"""bench.py - the measuring half of `make bench` (bench/run.sh starts and
stops the servers; this drives wrk and the connection bursts, and writes
the figures).

  bench.py load  TARGETS LABEL OUT.json   interleaved wrk rounds
  bench.py burst TARGETS LABEL OUT.json   bursts of fresh connections
  bench.py summary OUT.json               table, ratios, size comparison

TARGETS is a file of lines "name|url|pid pid ...|header|options" (header
and options may be empty; options are space-separated key=value:
wrk_threads=N for this target's wrk threads, sessions=FILE to send each
request as the next signed-in reader of FILE (bench/signed.lua), nginx=NAME
and bare=NAME for the reference targets its ratios are taken against,
threads=N the server's worker threads, a label of the run). Every run of every target is interleaved: for each round, for
each connection count, each target in turn (A B C A B C ...), so that
noise from the shared machine spreads over all of them; the summary
reports medians. Settings come from the environment:

  BENCH_ROUNDS (3)  BENCH_DURATION (4, seconds per run)  BENCH_CONNS ("64 256")
  BENCH_WRK_THREADS (2)  BENCH_BURSTS (10)  BENCH_BURST_SIZE (256)
"""
import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
DURATION = int(os.environ.get("BENCH_DURATION", "4"))
CONNS = [int(c) for c in os.environ.get("BENCH_CONNS", "64 256").split()]
WRK_THREADS = int(os.environ.get("BENCH_WRK_THREADS", "2"))
BURSTS = int(os.environ.get("BENCH_BURSTS", "10"))
BURST_SIZE = int(os.environ.get("BENCH_BURST_SIZE", "256"))


def read_targets(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            name, url, pids, header, opts = (line.split("|", 4) + [""] * 5)[:5]
            o = dict(kv.split("=", 1) for kv in opts.split() if "=" in kv)
            out.append({"name": name, "url": url, "pids": [int(p) for p in pids.split()],
                        "header": header, "opts": o})
    return out


def all_pids(pids):
    """The given pids and their children (nginx workers)."""
    found = set(pids)
    try:
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % d) as f:
                    stat = f.read()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                if ppid in pids:
                    found.add(int(d))
            except (OSError, ValueError, IndexError):
                pass
    except OSError:
        pass
    return sorted(found)


def rss_kb(pids, field="VmRSS"):
    total = 0
    for p in all_pids(pids):
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def open_conns(port):
    """Server-side sockets on port that are not listening or closed."""
    n = 0
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(f) as fh:
                next(fh)
                for line in fh:
                    parts = line.split()
                    lport = int(parts[1].rsplit(":", 1)[1], 16)
                    if lport == port and parts[3] not in ("0A", "06", "07"):
                        n += 1
        except OSError:
            pass
    return n


def drain(url, limit=10.0):
    """Wait until the server has closed the previous run's connections, so
    that a per-address connection limit is not hit by leftovers."""
    port = urllib.parse.urlsplit(url).port
    end = time.monotonic() + limit
    while open_conns(port) and time.monotonic() < end:
        time.sleep(0.05)


def wrk(t, conns):
    drain(t["url"])
    threads = int(t["opts"].get("wrk_threads", WRK_THREADS))
    script, env = "report.lua", None
    if t["opts"].get("sessions"):
        script, env = "signed.lua", dict(os.environ, BENCH_SESSIONS=t["opts"]["sessions"])
    cmd = ["wrk", "-t", str(min(threads, conns)), "-c", str(conns), "-d", "%ds" % DURATION,
           "--timeout", "5s", "-s", os.path.join(HERE, script)]
    if t["header"]:
        cmd += ["-H", t["header"]]
    cmd.append(t["url"])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    time.sleep(DURATION * 0.8)
    rss = rss_kb(t["pids"])
    anon = rss_kb(t["pids"], "RssAnon")
    out, _ = p.communicate(timeout=DURATION + 30)
    for line in out.splitlines():
        if line.startswith("BENCHJSON "):
            r = json.loads(line[len("BENCHJSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
            r["rss_kb"] = rss
            r["anon_kb"] = anon  # RSS less shared libraries and files
            r["socket_errors"] = sum(r["errors"][k] for k in ("connect", "read", "write", "timeout"))
            return r
    raise SystemExit("wrk failed for %s:\n%s" % (t["url"], out))


def cmd_load(targets_path, label, out_path):
    targets = read_targets(targets_path)
    # Warm every target (page caches, SQLite page cache, nginx open files).
    for t in targets:
        sess = t["opts"].get("sessions")
        subprocess.run(["wrk", "-t", "1", "-c", "8", "-d", "1s", t["url"]] +
                       (["-H", t["header"]] if t["header"] else []) +
                       (["-s", os.path.join(HERE, "signed.lua")] if sess else []),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=dict(os.environ, BENCH_SESSIONS=sess) if sess else None)
    runs = []
    for rnd in range(1, ROUNDS + 1):
        for c in CONNS:
            for t in targets:
                r = wrk(t, c)
                r.update({"target": t["name"], "conns": c, "round": rnd, "label": label,
                          "threads": int(t["opts"].get("threads", 0)),
                          "wrk_threads": int(t["opts"].get("wrk_threads", WRK_THREADS)),
                          "ref_nginx": t["opts"].get("nginx", "nginx"),
                          "ref_bare": t["opts"].get("bare", "bare-mhd")})
                runs.append(r)
                print("  [%s] round %d  c=%-3d %-14s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  "
                      "rss %5.1f MB  errors %d/%d" % (
                          label, rnd, c, t["name"], r["rps"], r["p50_us"] / 1000,
                          r["p99_us"] / 1000, r["rss_kb"] / 1024, r["socket_errors"],
                          r["errors"]["status"]), flush=True)
    hwm = {t["name"]: rss_kb(t["pids"], "VmHWM") for t in targets}
    key = label + (" t" + targets[0]["opts"]["threads"] if targets and "threads" in targets[0]["opts"] else "")
    merge(out_path, {"load": runs, "hwm_kb": {key: hwm}})


def burst_once(host, port, path, n, timeout=5.0):
    """Open n connections at once, one request each; seconds until the
    last response ended, and how many failed or timed out."""
    sel = selectors.DefaultSelector()
    req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n" % (path, host, port)).encode()
    t0 = time.monotonic()
    socks = {}
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex((host, port))
        socks[s] = {"sent": False, "got": 0, "head": b""}
        sel.register(s, selectors.EVENT_WRITE)
    done = failed = 0
    deadline = t0 + timeout
    while socks and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=0.2):
            s = key.fileobj
            st = socks[s]
            try:
                if ev & selectors.EVENT_WRITE and not st["sent"]:
                    s.send(req)
                    st["sent"] = True
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                data = s.recv(65536)
            except OSError:
                data = None
            if data:
                st["got"] += len(data)
                if len(st["head"]) < 16:
                    st["head"] += data[:16]
                continue
            ok = data == b"" and st["head"].startswith(b"HTTP/1.1 200")
            done += ok
            failed += not ok
            sel.unregister(s)
            s.close()
            del socks[s]
    for s in list(socks):
        sel.unregister(s)
        s.close()
    failed += len(socks)
    return time.monotonic() - t0, failed


def cmd_burst(targets_path, label, out_path):
    res = []
    for t in read_targets(targets_path):
        u = urllib.parse.urlsplit(t["url"])
        times, fails = [], 0
        for _ in range(BURSTS):
            dt, f = burst_once(u.hostname, u.port, u.path or "/", BURST_SIZE)
            times.append(dt)
            fails += f
            time.sleep(0.2)
        stalls = sum(1 for x in times if x > 2.0)
        r = {"target": t["name"], "label": label, "bursts": BURSTS, "size": BURST_SIZE,
             "failed": fails, "stalls": stalls, "median_ms": statistics.median(times) * 1000,
             "max_ms": max(times) * 1000}
        print("  [%s] burst %-14s %d x %d fresh connections: median %.0f ms, max %.0f ms, "
              "failed %d, stalls %d" % (label, t["name"], BURSTS, BURST_SIZE, r["median_ms"],
                                       r["max_ms"], fails, stalls), flush=True)
        res.append(r)
    merge(out_path, {"bursts": res})


def merge(path, new):
    data = {}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    for k, v in new.items():
        if isinstance(v, list):
            data.setdefault(k, []).extend(v)
        elif isinstance(v, dict):
            data.setdefault(k, {}).update(v)
        else:
            data[k] = v
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


def med(xs):
    return statistics.median(xs) if xs else None


def cmd_summary(path):
    with open(path) as f:
        data = json.load(f)
    runs = data.get("load", [])
    keys = []
    for r in runs:
        k = (r["label"], r.get("threads", 0), r["conns"], r["target"])
        if k not in keys:
            keys.append(k)
    summ = {}
    for k in keys:
        rs = [r for r in runs if (r["label"], r.get("threads", 0), r["conns"], r["target"]) == k]
        summ[k] = {
            "rps": med([r["rps"] for r in rs]),
            "p50_ms": med([r["p50_us"] for r in rs]) / 1000,
            "p99_ms": med([r["p99_us"] for r in rs]) / 1000,
            "rss_mb": max(r["rss_kb"] for r in rs) / 1024,
            "anon_mb": max(r.get("anon_kb", 0) for r in rs) / 1024,
            "socket_errors": sum(r["socket_errors"] for r in rs),
            "status_errors": sum(r["errors"]["status"] for r in rs),
            "runs": len(rs),
            "ref_nginx": rs[0].get("ref_nginx", "nginx"),
            "ref_bare": rs[0].get("ref_bare", "bare-mhd"),
            "wrk_threads": rs[0].get("wrk_threads", WRK_THREADS),
        }
    labels = []
    for (label, _, _, _) in summ:
        if label not in labels:
            labels.append(label)

    def ref(label, thr, c, name):
        """A reference target's figures: in the same run, else the first
        site's (the reference servers serve the same bytes)."""
        v = summ.get((label, thr, c, name))
        if v is None and labels:
            v = summ.get((labels[0], thr, c, name))
        return v

    print("\nMedians of %d interleaved runs (%s s each), wrk on 127.0.0.1 (thr: server "
          "threads; x nginx / x bare: against the reference serving the same bytes):" % (
              max((v["runs"] for v in summ.values()), default=0), DURATION))
    print("%-6s %3s %5s %-15s %10s %8s %8s %7s %7s %7s %8s %8s  %s" % (
        "site", "thr", "conns", "target", "req/s", "p50 ms", "p99 ms", "RSS MB", "anon MB",
        "errors", "x nginx", "x bare", "references"))
    table = []
    for (label, thr, c, name), v in summ.items():
        ng = ref(label, thr, c, v["ref_nginx"])
        bare = ref(label, thr, c, v["ref_bare"])
        row = dict(v, site=label, threads=thr, conns=c, target=name,
                   x_nginx=v["rps"] / ng["rps"] if ng else None,
                   x_bare=v["rps"] / bare["rps"] if bare else None)
        table.append(row)
        print("%-6s %3s %5d %-15s %10.0f %8.2f %8.2f %7.1f %7.1f %7s %8s %8s  %s" % (
            label, thr or "-", c, name, v["rps"], v["p50_ms"], v["p99_ms"], v["rss_mb"],
            v["anon_mb"], "%d/%d" % (v["socket_errors"], v["status_errors"]),
            "%.2f" % row["x_nginx"] if row["x_nginx"] else "-",
            "%.2f" % row["x_bare"] if row["x_bare"] else "-",
            "%s, %s" % (v["ref_nginx"] if ng else "-", v["ref_bare"] if bare else "-")))
    growth = []
    if len(labels) > 1:
        base = labels[0]
        print("\np99 growth with site size (vs %s):" % base)
        for (label, thr, c, name), v in summ.items():
            if label == base or (base, thr, c, name) not in summ:
                continue
            b = summ[(base, thr, c, name)]["p99_ms"]
            g = v["p99_ms"] / b if b else None
            growth.append({"site": label, "base": base, "threads": thr, "conns": c,
                           "target": name, "p99_ratio": g})
            print("  %-6s thr %-2s c=%-3d %-15s p99 %.2f ms vs %.2f ms: %.2fx" % (
                label, thr or "-", c, name, v["p99_ms"], b, g or 0))
    if data.get("bursts"):
        print("\nBursts of fresh connections:")
        for b in data["bursts"]:
            print("  %-6s %-14s %d x %d: median %.0f ms, max %.0f ms, failed %d, stalls %d" % (
                b["label"], b["target"], b["bursts"], b["size"], b["median_ms"], b["max_ms"],
                b["failed"], b["stalls"]))
    for note in data.get("notes", []):
        print("note: " + note)
    checks = targets_check(table, growth, labels)
    data["summary"] = table
    data["growth"] = growth
    data["checks"] = checks
    data["settings"] = {"rounds": ROUNDS, "duration_s": DURATION, "conns": CONNS,
                        "wrk_threads": WRK_THREADS, "cpus": os.cpu_count()}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


# Issue 22's targets: (what, target, measure(row) -> value, goal, holds(value)).
def targets_check(table, growth, labels):
    rows = {(r["site"], r["threads"], r["conns"], r["target"]): r for r in table}
    first = labels[0] if labels else None
    out = []

    def add(what, value, goal, ok):
        out.append({"what": what, "value": value, "goal": goal, "ok": bool(ok)})

    for (site, thr, c, name), r in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        where = "%s thr %s c=%d" % (site, thr or "-", c)
        if site == first and name in ("quire-story", "quire-story-t1"):
            if r["x_bare"] is not None:
                add("%s %s x bare MHD" % (name, where), r["x_bare"], ">= 0.95", r["x_bare"] >= 0.95)
            if r["x_nginx"] is not None:
                add("%s %s x nginx" % (name, where), r["x_nginx"], ">= 1.10", r["x_nginx"] >= 1.10)
        if site == first and name == "quire-signed" and r["x_nginx"] is not None:
            add("quire-signed %s x nginx" % where, r["x_nginx"], ">= 0.50", r["x_nginx"] >= 0.5)
            if c == 256:
                add("quire-signed %s p99 ms" % where, r["p99_ms"], "< 10", r["p99_ms"] < 10)
        if site == first and name == "quire-photo" and r["x_nginx"] is not None:
            add("quire-photo %s x nginx (same file)" % where, r["x_nginx"], ">= 0.90",
                r["x_nginx"] >= 0.9)
        if site == first and name == "quire-feed" and r["x_nginx"] is not None:
            add("quire-feed %s x nginx (same bytes)" % where, r["x_nginx"], ">= 1.00",
                r["x_nginx"] >= 1.0)
        if name in ("quire-home", "quire-profile") and c == 256:
            add("%s %s p99 ms" % (name, where), r["p99_ms"], "< 10", r["p99_ms"] < 10)
    last = labels[-1] if len(labels) > 1 else None
    for g in growth:
        if g["site"] == last and g["target"] in ("quire-story", "quire-profile", "quire-home",
                                                 "quire-search") and g["p99_ratio"]:
            add("%s %s vs %s thr %s c=%d p99 growth" % (g["target"], g["site"], g["base"],
                                                      g["threads"] or "-", g["conns"]),
                g["p99_ratio"], "<= 1.5", g["p99_ratio"] <= 1.5)
    if last:
        rss = max((r["rss_mb"] for r in table if r["site"] == last and r["target"].startswith("quire")),
                  default=None)
        if rss is not None:
            add("quire RSS under load at %s" % last, rss, "< 32 MB", rss < 32)
    if out:
        print("\nTargets (issue 22):")
        for x in out:
            print("  %-4s %-58s %8.2f  %s" % ("ok" if x["ok"] else "MISS", x["what"], x["value"],
                                              x["goal"]))
        print("  %d of %d hold" % (sum(x["ok"] for x in out), len(out)))
    return out


def main():
    if len(sys.argv) >= 5 and sys.argv[1] in ("load", "burst"):
        (cmd_load if sys.argv[1] == "load" else cmd_burst)(sys.argv[2], sys.argv[3], sys.argv[4])
    elif len(sys.argv) == 3 and sys.argv[1] == "summary":
        cmd_summary(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "note":
        merge(sys.argv[2], {"notes": [sys.argv[3]]})
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
