#!/usr/bin/env python3
"""serve_load.py -- load benchmark of `trine serve`: N concurrent clients
sending the 14 rewritten LUBM queries while one client sends updates, for a
bounded time per level; the same queries in-process as the ceiling.

usage: bench/serve_load.py [--seconds S] [--levels 8,32,128] [--workers N]
                           [--procs P] [--keep-store DIR] DATA.nt.gz
  e.g. bench/serve_load.py ../shared/bench/lubm10.nt.gz

Loads DATA into a new store (build/cli/trine STORE ".load FILE"), then for
each level N: starts `trine serve STORE --workers W --allow-update` on
127.0.0.1 (a new process per level, so that its peak RSS is the level's),
runs N query clients for S seconds (default 20) and one update client, and
stops the server with SIGTERM. Query client i starts at query i mod 14 and
goes round the list, each a direct POST (application/sparql-query, Accept
SPARQL JSON) on a kept-alive connection, the whole body read. A 503 (all
workers busy) is retried after 20 ms and counted apart: the latency of a
query is from its first attempt to its answer. Anything else but 200 (or a
broken connection, or a row count other than the first answer's for that
query: the JSON is read again whenever the body's length changes) is an
error. The update client alternates a SPARQL INSERT DATA of 20
triples and a Graph Store PUT of a 20-triple graph, with the bearer token.
The clients run in P processes (default 4) of threads, so that Python's
GIL does not cap them.

Prints a Markdown table, a line per level: requests, requests/s, p50, p99 and max
latency (ms), 503 retries, errors, updates done and their p50 / p99, and
the server's peak RSS (VmHWM). Then the ceiling: bench/query_bench (built
on demand) runs the same 14 queries in-process on the same store, and the
mix's rate on one thread is 14 / (sum of medians), beside each query's
median latency over HTTP at each level.

Environment: BUILD (meson build dir, default build), TMPDIR. The machine's
cores are shared by the clients and the server: figures are for the whole.
"""
import argparse
import gzip
import http.client
import json
import multiprocessing as mp
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
TRINE = os.path.join(BUILD, "cli", "trine")
TOKEN = "bench-token-0123456789"


def queries_of(data):
    qdir = os.path.join(os.path.dirname(os.path.abspath(data)), "queries", "rewritten")
    names = sorted((f for f in os.listdir(qdir) if re.fullmatch(r"q\d+\.rq", f)),
                   key=lambda f: int(f[1:-3]))
    return [(n[:-3], open(os.path.join(qdir, n), encoding="utf-8").read(),
             os.path.join(qdir, n)) for n in names]


def make_store(data, store):
    with tempfile.NamedTemporaryFile(suffix=".nt", delete=False) as nt:
        with gzip.open(data, "rb") as f:
            shutil.copyfileobj(f, nt)
    try:
        subprocess.run([TRINE, store, ".load " + nt.name], check=True,
                       stdout=subprocess.DEVNULL)
    finally:
        os.unlink(nt.name)


class Server:
    def __init__(self, store, workers, tmp):
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write(TOKEN + "\n")
        os.chmod(token, 0o600)
        self.proc = subprocess.Popen(
            [TRINE, "serve", store, "--port", "0", "--workers", str(workers), "--quiet",
             "--allow-update", "--token-file", token, "--timeout", "60"],
            stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = re.search(r"127\.0\.0\.1:(\d+)/", line)
        if not m:
            raise RuntimeError("the server did not start: " + line)
        self.port = int(m.group(1))
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()

    def peak_rss_kb(self):
        with open("/proc/%d/status" % self.proc.pid) as f:
            return int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(60)


def rows_of(body):
    return len(json.loads(body)["results"]["bindings"])


class Client:
    """A kept-alive connection; a 503 (all workers busy) is retried after
    20 ms until the deadline."""

    def __init__(self, port, deadline):
        self.port, self.deadline = port, deadline
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def send(self, method, path, body, headers):
        """(status, body, retries), or None when time ran out while refused;
        an OSError or HTTPException is raised (the connection is renewed)."""
        retries = 0
        while True:
            try:
                self.conn.request(method, path, body, headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                raise
            if resp.status != 503:
                return resp.status, data, retries
            if time.time() >= self.deadline:
                return None
            retries += 1
            time.sleep(0.02)


def query_thread(port, queries, first, deadline, out):
    """Send queries round the list until deadline; append (lat_ms, retries,
    error) per query, and (name, rows) when a body's length is new, to out."""
    client, i, seen = Client(port, deadline), first, {}
    headers = {"Content-Type": "application/sparql-query",
               "Accept": "application/sparql-results+json"}
    while time.time() < deadline:
        name, text, _ = queries[i % len(queries)]
        i += 1
        start, retries, error = time.perf_counter(), 0, None
        try:
            r = client.send("POST", "/sparql", text.encode(), headers)
        except (OSError, http.client.HTTPException) as e:
            r, error = (0, b"", 0), "%s: %s" % (name, e)
        if r is None:
            break
        status, body, retries = r
        if not error and status != 200:
            error = "%s: status %d %r" % (name, status, body[:100])
        elif not error and seen.get(name, (None,))[0] != len(body):  # parse JSON only then
            seen[name] = (len(body), rows_of(body))
            out.append((name, seen[name][1]))
        out.append(((time.perf_counter() - start) * 1000, retries, error, name))
    client.conn.close()


def client_proc(port, queries, firsts, deadline, conn_out):
    results = []
    threads = [threading.Thread(target=query_thread,
                                args=(port, queries, f, deadline, results)) for f in firsts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn_out.send(results)
    conn_out.close()


def update_thread(port, deadline, out):
    """Alternate a SPARQL INSERT DATA and a Graph Store PUT until deadline;
    append (lat_ms, retries, error) per update to out."""
    client, k = Client(port, deadline), 0
    auth = {"Authorization": "Bearer " + TOKEN}
    while time.time() < deadline:
        k += 1
        triples = "".join("<http://bench/s%d> <http://bench/p> \"%d\" .\n" % (k, j)
                          for j in range(20))
        if k % 2:
            req = ("POST", "/sparql", "INSERT DATA { GRAPH <http://bench/u> { %s } }" % triples,
                   dict(auth, **{"Content-Type": "application/sparql-update"}))
            ok = (200,)
        else:
            req = ("PUT", "/store?graph=http://bench/put", triples,
                   dict(auth, **{"Content-Type": "application/n-triples"}))
            ok = (201, 204)
        start, error = time.perf_counter(), None
        try:
            r = client.send(req[0], req[1], req[2].encode(), req[3])
        except (OSError, http.client.HTTPException) as e:
            r, error = (0, b"", 0), "update: %s" % e
        if r is None:
            break
        if not error and r[0] not in ok:
            error = "update: status %d %r" % (r[0], r[1][:100])
        out.append(((time.perf_counter() - start) * 1000, r[2], error, "update"))
    client.conn.close()


def percentile(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(p / 100 * len(v)))]


def run_level(store, queries, clients, seconds, workers, procs, tmp):
    server = Server(store, workers, tmp)
    try:
        deadline = time.time() + seconds
        pipes, children = [], []
        nprocs = min(procs, clients)
        for p in range(nprocs):
            firsts = list(range(p, clients, nprocs))
            recv, send = mp.Pipe(duplex=False)
            child = mp.Process(target=client_proc, args=(server.port, queries, firsts,
                                                          deadline, send))
            child.start()
            pipes.append(recv)
            children.append(child)
        updates = []
        updater = threading.Thread(target=update_thread, args=(server.port, deadline, updates))
        updater.start()
        t0 = time.time()
        results = [r for pipe in pipes for r in pipe.recv()]
        for child in children:
            child.join()
        updater.join()
        elapsed = time.time() - t0
        rss = server.peak_rss_kb()
    finally:
        rc = server.stop()
    counts = [r for r in results if isinstance(r[0], str)]
    timed = [r for r in results if not isinstance(r[0], str)]
    first_rows, errors = {}, [e for (_, _, e, _) in timed + updates if e]
    for name, rows in counts:
        if first_rows.setdefault(name, rows) != rows:
            errors.append("%s: %d rows, then %d" % (name, first_rows[name], rows))
    if rc != 0:
        errors.append("the server exited %s" % rc)
    lat = [ms for (ms, _, e, _) in timed if not e]
    ulat = [ms for (ms, _, e, _) in updates if not e]
    by_query = {}
    for (ms, _, e, name) in timed:
        if not e:
            by_query.setdefault(name, []).append(ms)
    return {"clients": clients, "requests": len(lat), "rps": len(lat) / elapsed,
            "p50": percentile(lat, 50), "p99": percentile(lat, 99), "max": max(lat or [0]),
            "retries": sum(r for (_, r, _, _) in timed + updates), "errors": errors, "updates": len(ulat),
            "u50": percentile(ulat, 50), "u99": percentile(ulat, 99), "rss": rss,
            "rows": first_rows, "by_query": {q: percentile(v, 50) for q, v in by_query.items()}}


def ceiling(store, queries):
    subprocess.run(["ninja", "-C", BUILD, "bench/query_bench"], check=True,
                   stdout=subprocess.DEVNULL)
    out = subprocess.run([os.path.join(BUILD, "bench", "query_bench"), store, "5"] +
                         [q[2] for q in queries], check=True, capture_output=True,
                         text=True).stdout
    medians = {}
    for line in out.splitlines():
        name, rows, median = line.split("\t")[:3]
        medians[name] = (int(rows), float(median))
    return medians


def main():
    ap = argparse.ArgumentParser(description="load benchmark of trine serve")
    ap.add_argument("data")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--levels", default="8,32,128")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--keep-store")
    args = ap.parse_args()
    queries = queries_of(args.data)
    tmp = tempfile.mkdtemp(prefix="trine-serve-load-")
    try:
        store = args.keep_store or os.path.join(tmp, "store")
        if not os.path.isdir(store):
            t = time.time()
            make_store(args.data, store)
            print("loaded %s in %.1f s" % (args.data, time.time() - t), file=sys.stderr)
        levels = [run_level(store, queries, int(n), args.seconds, args.workers, args.procs, tmp)
                  for n in args.levels.split(",")]
        ceil = ceiling(store, queries)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("| clients | queries | queries/s | p50 ms | p99 ms | max ms | 503 retries | errors "
          "| updates | update p50 ms | update p99 ms | server peak RSS MB |")
    print("|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for r in levels:
        print("| %d | %d | %.1f | %.2f | %.2f | %.1f | %d | %d | %d | %.2f | %.2f | %.0f |" % (
            r["clients"], r["requests"], r["rps"], r["p50"], r["p99"], r["max"], r["retries"],
            len(r["errors"]), r["updates"], r["u50"], r["u99"], r["rss"] / 1024))
    for r in levels:
        for e in r["errors"][:5]:
            print("error at %d clients: %s" % (r["clients"], e))
    total = sum(ms for (_, ms) in ceil.values())
    print("\nin-process (bench/query_bench, one thread, median of 5): the 14 queries take "
          "%.2f ms in all: %.1f queries/s on one core" % (total, len(ceil) * 1000 / total))
    print("| query | rows | in-process ms | rows over HTTP | " +
          " | ".join("HTTP p50 ms, %d clients" % r["clients"] for r in levels) + " |")
    print("|---|--:|--:|--:|" + "--:|" * len(levels))
    for name, (rows, ms) in ceil.items():
        http_rows = levels[0]["rows"].get(name, "-") if levels else "-"
        print("| %s | %d | %.3f | %s | %s |" % (name, rows, ms, http_rows, " | ".join(
            "%.2f" % r["by_query"].get(name, float("nan")) for r in levels)))
    return 1 if any(r["errors"] for r in levels) else 0


if __name__ == "__main__":
    sys.exit(main())
