#!/usr/bin/python3
"""rdflib (Debian python3-rdflib) on the LUBM queries, for bench/lubm.sh.

usage: /usr/bin/python3 rdflib_bench.py DATA.nt QUERY_DIR RUNS TIMEOUT_S

Parses DATA.nt (N-Triples, not gzipped) into an in-memory Graph, then for
each qN.rq in QUERY_DIR, in a forked child (so a runaway query can be
killed and leaves nothing behind): one warm-up run, then timed runs of
graph.query() iterated to the last row. Every run has a limit of TIMEOUT_S
seconds; a query that reaches it is reported as skipped. Slow queries get
fewer timed runs: RUNS if RUNS times the warm-up fits in SLOW_BUDGET_S
seconds, else as many as fit, at least one.

Prints one line per query on stdout:
  name<TAB>rows<TAB>median_ms<TAB>min_ms<TAB>max_ms<TAB>runs
or, for a query that was not measured:
  name<TAB>skipped<TAB>-<TAB>-<TAB>-<TAB>reason
Progress goes to stderr.
"""
import json
import os
import re
import signal
import statistics
import sys
import time

SLOW_BUDGET_S = 30.0


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def run_once(graph, text, timeout_s):
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        t = time.perf_counter()
        rows = sum(1 for _ in graph.query(text))
        return rows, (time.perf_counter() - t) * 1000.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def measure(graph, text, runs, timeout_s):
    """In the child: returns a dict for the parent."""
    signal.signal(signal.SIGALRM, on_alarm)
    try:
        rows, warm = run_once(graph, text, timeout_s)
        n = runs
        if warm * runs > SLOW_BUDGET_S * 1000.0:
            n = max(1, int(SLOW_BUDGET_S * 1000.0 // warm))
        times = []
        for _ in range(n):
            r, ms = run_once(graph, text, timeout_s)
            if r != rows:
                return {"error": f"row count changed between runs: {rows} then {r}"}
            times.append(ms)
        return {"rows": rows, "times": times, "warm": warm}
    except Timeout:
        return {"skipped": f"over {timeout_s:g} s"}
    except Exception as e:  # a query rdflib cannot run
        return {"error": f"{type(e).__name__}: {e}"}


def in_child(graph, text, runs, timeout_s):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = json.dumps(measure(graph, text, runs, timeout_s)).encode()
        os.write(w, out)
        os._exit(0)
    os.close(w)
    # Backstop in case a run cannot be interrupted (the alarm only fires
    # between Python bytecodes): every run's limit plus slack.
    deadline = time.monotonic() + timeout_s * (runs + 1) + 30
    chunks = []
    os.set_blocking(r, False)
    while True:
        try:
            b = os.read(r, 65536)
            if not b:
                break
            chunks.append(b)
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                os.close(r)
                return {"skipped": "killed: no answer before the backstop deadline"}
            time.sleep(0.05)
    os.close(r)
    os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"error": "the child died without an answer"}


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: rdflib_bench.py DATA.nt QUERY_DIR RUNS TIMEOUT_S")
    data, qdir, runs, timeout_s = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    import rdflib

    t = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data, format="nt")
    print(f"rdflib {rdflib.__version__}: loaded {len(graph)} triples in {time.perf_counter() - t:.1f} s",
          file=sys.stderr, flush=True)

    names = sorted((f for f in os.listdir(qdir) if re.fullmatch(r"q\d+\.rq", f)),
                   key=lambda f: int(re.sub(r"\D", "", f)))
    for f in names:
        name = f[:-3]
        with open(os.path.join(qdir, f), encoding="utf-8") as fh:
            text = fh.read()
        res = in_child(graph, text, runs, timeout_s)
        if "rows" in res:
            ts = res["times"]
            line = [name, str(res["rows"]), f"{statistics.median(ts):.3f}", f"{min(ts):.3f}",
                    f"{max(ts):.3f}", str(len(ts))]
            print(f"rdflib: {name}: {res['rows']} rows, median {statistics.median(ts):.1f} ms"
                  f" of {len(ts)} run(s)", file=sys.stderr, flush=True)
        else:
            reason = res.get("skipped") or res.get("error")
            line = [name, "skipped", "-", "-", "-", reason]
            print(f"rdflib: {name}: skipped: {reason}", file=sys.stderr, flush=True)
        print("\t".join(line), flush=True)


if __name__ == "__main__":
    main()
