"""hostile.py TRINE -- `trine serve` against malformed, oversized, slow and
endless requests. After each, the server must still answer /health; every
loop and wait here is bounded."""
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402
from serverlib import SLOW, TOKEN, status_of  # noqa: E402

# Three copies of 3000 triples joined: 2.7e10 rows, never done in time
# (the engine builds the join's rows: some 400 MB in a second).
FOREVER = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
# 3000 rows of 4 KB literals: more than socket buffers hold.
HUGE = "SELECT * { ?s ?p ?o }"
T = serverlib.Tally()


def alive(server, name):
    try:
        ok = server.alive()
    except OSError as e:
        ok = False
        name += " (%s)" % e
    T.check("still serving after " + name, ok)


def malformed(server):
    cases = {
        "a garbage request line": b"GARBAGE\r\n\r\n",
        "a request line without version": b"GET /sparql\r\n\r\n",
        "HTTP/1.1 without Host": b"GET /health HTTP/1.1\r\n\r\n",
        "a header line without colon": b"GET /health HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n",
        "a bad Content-Length": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "binary noise": bytes(range(256)) * 64,
    }
    for name, data in cases.items():
        st = status_of(server.raw(data))
        T.check("%s: 400 or closed" % name, st in (None, 400), "status %s" % st)
    alive(server, "malformed requests")


def oversized_headers(server):
    big = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"
    st = status_of(server.raw(big))
    T.check("a 1 MiB header: 431, 413 or closed", st in (None, 413, 431), "status %s" % st)
    many = b"GET /health HTTP/1.1\r\nHost: x\r\n" + b"".join(
        b"X-H%d: v\r\n" % i for i in range(20000)) + b"\r\n"
    st = status_of(server.raw(many))
    T.check("20000 headers: 431, 413 or closed", st in (None, 413, 431), "status %s" % st)
    url = b"GET /sparql?query=" + b"A" * (256 * 1024) + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    st = status_of(server.raw(url))
    T.check("a 256 KiB URL: 414, 431 or closed", st in (None, 414, 431), "status %s" % st)
    alive(server, "oversized headers")


def large_body(server):
    """64 MiB announced: 413 before the body is read."""
    size = 64 << 20
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = ("POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            "Content-Length: %d\r\n\r\n" % size).encode()
    s.sendall(head)
    sent = 0
    chunk = b"#" * (1 << 20)
    s.settimeout(0.2)
    got = b""
    while sent < size and not got:  # bounded by size
        try:
            got = s.recv(4096)
            break
        except socket.timeout:
            pass
        try:
            s.sendall(chunk)
            sent += len(chunk)
        except OSError:
            break
    s.settimeout(5)
    got += serverlib.read_all(s, 1 << 16)
    s.close()
    T.check("a 64 MiB body with Content-Length: 413", status_of(got) == 413,
            "status %s after %d bytes" % (status_of(got), sent))
    T.check("413 answered before the body was read", sent < size, "sent all %d" % sent)
    # The same without a length (chunked): cut off once past --max-body.
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n")
    sent, closed = 0, False
    piece = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    while sent < size:  # bounded by size
        try:
            s.sendall(piece)
            sent += len(chunk)
        except OSError:
            closed = True
            break
    if not closed:
        s.settimeout(5)
        closed = status_of(serverlib.read_all(s, 1 << 16)) in (None, 413)
    s.close()
    T.check("a chunked body past --max-body: cut off", closed and sent < size,
            "sent %d bytes" % sent)
    # A chunked body a little past the limit, then its end: answered 413
    # once it is in (it closed the connection unanswered before).
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    over = (1 << 20) + 4096  # the --max-body of this server, 1M, and a page more
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % over + b"#" * over +
              b"\r\n0\r\n\r\n")
    s.settimeout(10)
    got = serverlib.read_all(s, 1 << 16)
    s.close()
    T.check("a chunked body a little past --max-body: 413", status_of(got) == 413,
            "status %s" % status_of(got))
    alive(server, "large bodies")


def methods(server):
    for m in ("PUT", "DELETE", "PATCH", "FOO", "TRACE"):
        status, headers, _ = server.request(m, "/sparql")
        T.check("%s /sparql: 405 with Allow" % m, status == 405 and "allow" in headers,
                "status %d" % status)
    status, _, _ = server.request("POST", "/health")
    T.check("POST /health: 405", status == 405, "status %d" % status)
    status, _, _ = server.request("GET", "/nowhere")
    T.check("GET /nowhere: 404", status == 404, "status %d" % status)
    status, _, _ = server.request("GET", "/x%0Aforged%20log%20line")
    T.check("a newline in the path: 404", status == 404, "status %d" % status)
    alive(server, "unknown methods")


def bad_text(server):
    for name, path in (("bad percent-encoding", "/sparql?query=%ZZ"),
                       ("invalid UTF-8", "/sparql?query=ASK%7B%7D%FF"),
                       ("a NUL byte", "/sparql?query=ASK%00%7B%7D")):
        status, _, body = server.request("GET", path)
        T.check("%s in a query: 400" % name, status == 400, "status %d %r" % (status, body[:80]))
    status, _, body = server.request("GET", "/sparql?query=SELECT%20*%20%7B%0A%20%20%3Fs%20%3Fp")
    T.check("a syntax error: 400 with line and column",
            status == 400 and body.startswith(b"query:2:"), "%d %r" % (status, body[:100]))


def forever(server):
    """The timeout cancels a query that never ends; others are served meanwhile."""
    result = {}

    def slow():
        t0 = time.time()
        result["r"] = server.query(FOREVER, timeout=20)
        result["secs"] = time.time() - t0

    th = threading.Thread(target=slow)
    th.start()
    time.sleep(0.3)
    t0 = time.time()
    status, _, _ = server.query("ASK {}")
    T.check("a quick query while one runs forever: 200 at once",
            status == 200 and time.time() - t0 < 1 * SLOW, "status %d" % status)
    th.join(20 * SLOW)
    status, _, body = result.get("r", (None, None, b""))
    T.check("the endless query: 503 saying the timeout cancelled it",
            status == 503 and b"timeout" in body, "status %s %r" % (status, body[:100]))
    T.check("cancelled near the 1 s timeout", result.get("secs", 99) < 4 * SLOW,
            "%.1f s" % result.get("secs", 99))
    alive(server, "a cancelled query")


def slow_client(server):
    """A client that does not read: the result breaks off, never ends cleanly."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    body = HUGE.encode()
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Accept: text/tab-separated-values\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    time.sleep(2.5)  # past the timeout
    s.settimeout(5)
    data = serverlib.read_all(s, 256 << 20)
    s.close()
    T.check("a slow client's result: 200 then broken off (no last chunk)",
            status_of(data) == 200 and b"chunked" in data[:500].lower()
            and not data.endswith(b"\r\n0\r\n\r\n"), "%d bytes, ends %r" % (len(data), data[-20:]))
    alive(server, "a slow client")


def dropped_client(server):
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    body = HUGE.encode()
    s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
              b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.recv(1024)
    s.close()
    alive(server, "a client gone mid-result")


def slowloris(server):
    """A request that never completes is closed at the idle timeout."""
    s = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    alive(server, "a half-sent request")
    t0 = time.time()
    data = serverlib.read_all(s, 1 << 16)  # returns when the server closes
    s.close()
    T.check("a half-sent request: closed at the idle timeout", time.time() - t0 < 6 * SLOW,
            "%.1f s, %r" % (time.time() - t0, data[:40]))


def negotiation(server):
    cases = [("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
             ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
             ("text/*", "text/csv"),
             ("application/json", "application/json"),
             (None, "application/sparql-results+json")]
    for accept, want in cases:
        status, headers, _ = server.query("SELECT * {}", accept=accept)
        got = headers.get("content-type", "")
        T.check("Accept %s: %s" % (accept, want), status == 200 and got.startswith(want),
                "%d %s" % (status, got))
    status, _, _ = server.query("SELECT * {}", accept="image/png")
    T.check("Accept image/png: 406", status == 406, "status %d" % status)
    status, headers, _ = server.query("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", accept="text/turtle")
    T.check("a graph for Accept text/turtle", headers.get("content-type") ==
            "text/turtle; charset=utf-8",
            headers.get("content-type"))


def auth(server):
    q = b"INSERT DATA { <http://ex/a> <http://ex/b> 1 }"
    h = {"Content-Type": "application/sparql-update"}
    status, headers, _ = server.request("POST", "/sparql", q, h)
    T.check("an update without the token: 401", status == 401 and "www-authenticate" in headers,
            "status %d" % status)
    status, _, _ = server.request("POST", "/sparql", q, dict(h, Authorization="Bearer wrong"))
    T.check("an update with a wrong token: 401", status == 401, "status %d" % status)
    status, _, _ = server.request("POST", "/sparql", q, dict(h, Authorization="Bearer " + TOKEN[:-1]))
    T.check("an update with a token cut short: 401", status == 401, "status %d" % status)
    status, _, body = server.update("LOAD <file:///etc/passwd>")
    T.check("LOAD without --allow-load: 403", status == 403, "status %d %r" % (status, body))
    status, headers, _ = server.query("ASK {}")
    T.check("no CORS header without --cors", "access-control-allow-origin" not in headers)


def readonly_and_cors(trine, store):
    server = serverlib.Server(trine, store, "--cors", "https://app.example", "--memory-limit", "16M",
                              token=False)
    try:
        t0 = time.time()
        status, _, body = server.query(FOREVER)
        T.check("--memory-limit 16M: the endless query stopped at once with 507",
                status == 507 and b"16 MiB" in body and time.time() - t0 < 1 * SLOW,
                "%d %r after %.1f s" % (status, body[:100], time.time() - t0))
        status, _, body = server.update("INSERT DATA { <http://ex/a> <http://ex/b> 1 }")
        T.check("an update to a read-only server: 403", status == 403, "status %d" % status)
        status, headers, _ = server.request("OPTIONS", "/sparql", headers={
            "Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
        T.check("--cors: a preflight answered with the origin",
                status == 204 and headers.get("access-control-allow-origin") == "https://app.example",
                "%d %s" % (status, headers))
    finally:
        T.check("read-only server stops with 0", server.stop() == 0)


def saturation(trine, store):
    # Under valgrind (SLOW) the endless query needs longer to reach the
    # worker, and must hold it longer than that.
    server = serverlib.Server(trine, store, "--workers", "1", "--timeout", "%g" % SLOW)
    try:
        th = threading.Thread(target=lambda: server.query(FOREVER, timeout=20))
        th.start()
        time.sleep(0.3 * SLOW)
        status, headers, _ = server.query("ASK {}")
        T.check("all workers busy: 503 with Retry-After", status == 503 and "retry-after" in headers,
                "status %d" % status)
        th.join(20 * SLOW)
    finally:
        T.check("saturated server stops with 0", server.stop() == 0)


def stop_while_running(trine, store):
    """SIGTERM cancels a running query within the timeout; the store closes."""
    # The stop waits for the query's timeout, which must come before the
    # query reaches the memory limit (1 GiB). Under valgrind (SLOW) the
    # query needs up to 2 s to start: a timeout of 4 s.
    server = serverlib.Server(trine, store, "--timeout", "1" if SLOW == 1 else "4")
    result = {}
    th = threading.Thread(target=lambda: result.update(r=server.query(FOREVER, timeout=20)))
    th.start()
    time.sleep(0.5 if SLOW == 1 else 2)
    t0 = time.time()
    rc = server.stop()
    th.join(10 * SLOW)
    status, _, body = result.get("r", (None, None, b""))
    T.check("SIGTERM during a query: exit 0 within the timeout",
            rc == 0 and time.time() - t0 < 5 * SLOW,
            "exit %s after %.1f s" % (rc, time.time() - t0))
    T.check("the running query is answered 503", status == 503, "status %s %r" % (status, body))
    log = "\n".join(server.lines)
    T.check("the server says it closed the store", "store closed" in log, log[-300:])
    r = subprocess.run([trine, store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"], timeout=30 * SLOW,
                       capture_output=True, text=True)
    T.check("the store opens after the stop", r.returncode == 0 and "3000" in r.stdout, r.stdout)


def main():
    trine = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="trine-hostile-") as tmp:
        data = os.path.join(tmp, "data.nt")
        with open(data, "w") as f:
            for i in range(3000):
                f.write('<http://ex/s%d> <http://ex/p> "value %d %s" .\n' % (i, i, "x" * 4000))
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store, ".load " + data)
        server = serverlib.Server(trine, store, "--timeout", "1", "--max-body", "1M")
        try:
            for step in (malformed, oversized_headers, large_body, methods, bad_text, forever,
                         slow_client, dropped_client, slowloris, negotiation, auth):
                step(server)
        finally:
            rc = server.stop()
            T.check("server stops with 0 after all that", rc == 0, "exit %s" % rc)
            T.check("no forged line in the access log",
                    not any(line.startswith("forged") for line in server.lines))
            if rc != 0:
                print("\n".join(server.lines[-30:]))
        readonly_and_cors(trine, store)
        saturation(trine, store)
        stop_while_running(trine, store)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
