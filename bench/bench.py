#!/usr/bin/env python3
"""bench.py - the measuring half of `make bench` (bench/run.sh starts and
stops the servers; this drives wrk and the connection bursts, and writes
the figures).

  bench.py load  TARGETS LABEL OUT.json   interleaved wrk rounds
  bench.py burst TARGETS LABEL OUT.json   bursts of fresh connections
  bench.py summary OUT.json               table, ratios, size comparison

TARGETS is a file of lines "name|url|pid pid ...|header" (header may be
empty). Every run of every target is interleaved: for each round, for
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
            name, url, pids, header = (line.split("|", 3) + [""] * 4)[:4]
            out.append({"name": name, "url": url, "pids": [int(p) for p in pids.split()],
                        "header": header})
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
    cmd = ["wrk", "-t", str(min(WRK_THREADS, conns)), "-c", str(conns), "-d", "%ds" % DURATION,
           "--timeout", "5s", "-s", os.path.join(HERE, "report.lua")]
    if t["header"]:
        cmd += ["-H", t["header"]]
    cmd.append(t["url"])
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        subprocess.run(["wrk", "-t", "1", "-c", "8", "-d", "1s", t["url"]] +
                       (["-H", t["header"]] if t["header"] else []),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = []
    for rnd in range(1, ROUNDS + 1):
        for c in CONNS:
            for t in targets:
                r = wrk(t, c)
                r.update({"target": t["name"], "conns": c, "round": rnd, "label": label})
                runs.append(r)
                print("  [%s] round %d  c=%-3d %-14s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  "
                      "rss %5.1f MB  errors %d/%d" % (
                          label, rnd, c, t["name"], r["rps"], r["p50_us"] / 1000,
                          r["p99_us"] / 1000, r["rss_kb"] / 1024, r["socket_errors"],
                          r["errors"]["status"]), flush=True)
    hwm = {t["name"]: rss_kb(t["pids"], "VmHWM") for t in targets}
    merge(out_path, {"load": runs, "hwm_kb": {label: hwm}})


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
        k = (r["label"], r["conns"], r["target"])
        if k not in keys:
            keys.append(k)
    summ = {}
    for k in keys:
        rs = [r for r in runs if (r["label"], r["conns"], r["target"]) == k]
        summ[k] = {
            "rps": med([r["rps"] for r in rs]),
            "p50_ms": med([r["p50_us"] for r in rs]) / 1000,
            "p99_ms": med([r["p99_us"] for r in rs]) / 1000,
            "rss_mb": max(r["rss_kb"] for r in rs) / 1024,
            "anon_mb": max(r.get("anon_kb", 0) for r in rs) / 1024,
            "socket_errors": sum(r["socket_errors"] for r in rs),
            "status_errors": sum(r["errors"]["status"] for r in rs),
            "runs": len(rs),
        }
    print("\nMedians of %d interleaved runs (%s s each), wrk on 127.0.0.1:" % (
        max((v["runs"] for v in summ.values()), default=0), DURATION))
    print("%-6s %5s %-14s %10s %9s %9s %8s %8s %7s %9s %9s" % (
        "site", "conns", "target", "req/s", "p50 ms", "p99 ms", "RSS MB", "anon MB", "errors",
        "x nginx", "x bare"))
    table = []
    for (label, c, name), v in summ.items():
        ng = summ.get((label, c, "nginx"), {}).get("rps")
        bare = summ.get((label, c, "bare-mhd"), {}).get("rps")
        if not ng:  # sizes without reference servers: compare with the first size's
            ng = next((s["rps"] for (l2, c2, n2), s in summ.items() if c2 == c and n2 == "nginx"), None)
            bare = next((s["rps"] for (l2, c2, n2), s in summ.items()
                         if c2 == c and n2 == "bare-mhd"), None)
        row = dict(v, site=label, conns=c, target=name,
                   x_nginx=v["rps"] / ng if ng else None, x_bare=v["rps"] / bare if bare else None)
        table.append(row)
        print("%-6s %5d %-14s %10.0f %9.2f %9.2f %8.1f %8.1f %7s %9s %9s" % (
            label, c, name, v["rps"], v["p50_ms"], v["p99_ms"], v["rss_mb"], v["anon_mb"],
            "%d/%d" % (v["socket_errors"], v["status_errors"]),
            "%.2f" % row["x_nginx"] if row["x_nginx"] else "-",
            "%.2f" % row["x_bare"] if row["x_bare"] else "-"))
    labels = []
    for (label, _, _) in summ:
        if label not in labels:
            labels.append(label)
    growth = []
    if len(labels) > 1:
        base = labels[0]
        print("\np99 growth with site size (vs %s):" % base)
        for (label, c, name), v in summ.items():
            if label == base or (base, c, name) not in summ:
                continue
            b = summ[(base, c, name)]["p99_ms"]
            g = v["p99_ms"] / b if b else None
            growth.append({"site": label, "base": base, "conns": c, "target": name, "p99_ratio": g})
            print("  %-6s c=%-3d %-14s p99 %.2f ms vs %.2f ms: %.2fx" % (
                label, c, name, v["p99_ms"], b, g or 0))
    if data.get("bursts"):
        print("\nBursts of fresh connections:")
        for b in data["bursts"]:
            print("  %-6s %-14s %d x %d: median %.0f ms, max %.0f ms, failed %d, stalls %d" % (
                b["label"], b["target"], b["bursts"], b["size"], b["median_ms"], b["max_ms"],
                b["failed"], b["stalls"]))
    for note in data.get("notes", []):
        print("note: " + note)
    data["summary"] = table
    data["growth"] = growth
    data["settings"] = {"rounds": ROUNDS, "duration_s": DURATION, "conns": CONNS,
                        "wrk_threads": WRK_THREADS, "cpus": os.cpu_count()}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)


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
