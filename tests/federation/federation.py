"""federation.py -- two `trine serve` processes on 127.0.0.1, each holding
part of the seed dataset (split by predicate), queried together: through
trine's own SERVICE (mode "service") or through Comunica federating both
endpoints (mode "comunica"); every answer must equal, as a multiset of
rows, the answer of one store holding all the data. Mode "service" also
checks SERVICE SILENT, errors, the allow-list and a query timeout during a
transfer.

usage: federation.py TRINE DATA.NQ MODE
Exit 77 (skip) in mode "comunica" when tests/federation/node_modules is
absent (scripts/setup installs it with npm ci)."""
import decimal
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
from serverlib import Server, Tally, make_store  # noqa: E402
from queries import A_PREDICATES, PREFIXES, QUERIES  # noqa: E402

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
# numeric datatypes compared by value: integers and decimals as one kind
NUMERIC = {XSD + "integer": "decimal", XSD + "decimal": "decimal", XSD + "double": "double",
           XSD + "float": "float"}


def split_stores(trine, data, tmp):
    """Stores full, a and b: the dataset's quads as triples of the default
    graph; a keeps A_PREDICATES, b the rest."""
    merge = ["INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "DROP NAMED"]
    preds = ", ".join(A_PREDICATES)
    keep = {"a": "NOT IN", "b": "IN"}
    paths = {}
    for name in ("full", "a", "b"):
        path = paths[name] = os.path.join(tmp, name)
        cmds = [".load " + data] + merge
        if name in keep:
            cmds.append(PREFIXES + "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(?p %s (%s)) }"
                        % (keep[name], preds))
        make_store(trine, path, *cmds)
    return paths


def term_key(t):
    """A result term, comparable across engines."""
    if t["type"] == "uri":
        return ("iri", t["value"])
    if t["type"] == "bnode":
        return ("bnode", "")  # data without blank nodes: none expected
    if "xml:lang" in t:
        return ("lit", t["value"], "@" + t["xml:lang"].lower())
    dt = t.get("datatype", XSD_STRING)
    if dt in NUMERIC:  # by value: engines write 12.0 or 12 for the same decimal
        try:
            return ("num", NUMERIC[dt], str(decimal.Decimal(t["value"].strip()).normalize()))
        except decimal.InvalidOperation:
            pass
    return ("lit", t["value"], dt)


def rows_of(text):
    """The rows of SPARQL JSON results as a sorted list (a multiset)."""
    doc = json.loads(text)
    rows = [tuple(sorted((v, term_key(t)) for v, t in b.items()))
            for b in doc["results"]["bindings"]]
    return sorted(rows)


def shell_query(trine, store, query, allow=(), timeout=60, extra=()):
    args = [trine, store, "--format", "json"] + list(extra)
    for a in allow:
        args += ["--service-allow", a]
    return subprocess.run(args + [query], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)


def differ(want, got):
    missing = [r for r in want if r not in got][:3]
    extra = [r for r in got if r not in want][:3]
    return "want %d rows, got %d; missing e.g. %s; extra e.g. %s" % (
        len(want), len(got), missing, extra)


class Silent:
    """A TCP server on 127.0.0.1 that accepts and never answers (bounded)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        self.sock.settimeout(0.2)
        end = time.time() + 60
        while not self.stop and time.time() < end:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                pass

    def close(self):
        self.stop = True
        for c in self.conns:
            c.close()
        self.sock.close()


def check_service(t, trine, paths, ends, want):
    a, b = ends
    allow = ["http://127.0.0.1:%d/" % p for p in (servers_ports(a), servers_ports(b))]
    empty = paths["empty"]
    for name, _, fed in QUERIES:
        q = PREFIXES + fed.replace("{A}", a).replace("{B}", b)
        r = shell_query(trine, empty, q, allow)
        if not t.check("service %s: runs" % name, r.returncode == 0, r.stderr.strip()):
            continue
        got = rows_of(r.stdout)
        t.check("service %s: %d rows equal one store's" % (name, len(want[name])),
                got == want[name], differ(want[name], got))
    # Through a third `trine serve` that may call both endpoints.
    name, _, fed = QUERIES[0]
    c = Server(trine, empty, "--quiet", "--service-allow", allow[0], "--service-allow", allow[1],
               token=False)
    try:
        q = PREFIXES + fed.replace("{A}", a).replace("{B}", b)
        status, _, body = c.query(q, accept="application/sparql-results+json", timeout=60)
        t.check("serve --service-allow: %s equals one store's" % name,
                status == 200 and rows_of(body) == want[name], "status %d" % status)
        # B is not on its allow-list now: refused before any call.
        d = Server(trine, empty, "--quiet", "--service-allow", allow[0], token=False)
        try:
            status, _, body = d.query(q, timeout=30)
            t.check("serve: an endpoint off the allow-list is refused",
                    status in (400, 403) and b"allow-list" in body, "status %d: %r" % (status, body))
        finally:
            d.stop()
    finally:
        c.stop()
    check_failures(t, trine, empty, a, allow)


def check_failures(t, trine, empty, a, allow):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = "http://127.0.0.1:%d/sparql" % closed.getsockname()[1]
    closed.close()  # nothing listens there now
    local = 'VALUES ?x { 1 2 3 }'
    r = shell_query(trine, empty, "SELECT ?x ?y { %s SERVICE SILENT <%s> { ?x ?p ?y } }"
                    % (local, dead), [dead])
    t.check("SERVICE SILENT on a dead endpoint: the rows go on unchanged",
            r.returncode == 0 and len(rows_of(r.stdout)) == 3, r.stderr)
    r = shell_query(trine, empty, "SELECT * { SERVICE <%s> { ?s ?p ?o } }" % dead, [dead])
    t.check("SERVICE on a dead endpoint: an error naming it",
            r.returncode != 0 and ("SERVICE <%s>" % dead) in r.stderr, r.stderr)
    r = shell_query(trine, empty, "SELECT * { SERVICE <%s> { ?s ?p ?o } }" % a)
    t.check("SERVICE without --service-allow: refused",
            r.returncode != 0 and "TRINE_ALLOW_SERVICE" in r.stderr, r.stderr)
    r = shell_query(trine, empty, "SELECT * { SERVICE <%s> { ?s ?p ?o } }" % (a + "x"),
                    [a])
    t.check("SERVICE: a prefix allows only at a boundary",
            r.returncode != 0 and "allow-list" in r.stderr, r.stderr)
    r = shell_query(trine, empty, "SELECT * { SERVICE ?e { ?s ?p ?o } }", allow)
    t.check("SERVICE ?var: refused with a clear error",
            r.returncode != 0 and "SERVICE on a variable is not supported" in r.stderr, r.stderr)
    # The query's timeout stops a transfer under way (the endpoint never answers).
    hang = Silent()
    try:
        url = "http://127.0.0.1:%d/sparql" % hang.port
        t0 = time.time()
        r = shell_query(trine, empty, "SELECT * { SERVICE <%s> { ?s ?p ?o } }" % url, [url],
                        extra=["--timeout", "500"])
        took = time.time() - t0
        t.check("a query's timeout stops a SERVICE transfer (%.2f s)" % took,
                r.returncode != 0 and "timed out" in r.stderr and took < 10, r.stderr)
    finally:
        hang.close()


def servers_ports(url):
    return int(url.split(":")[2].split("/")[0])


def check_comunica(t, trine, ends, want, tmp):
    node = shutil.which("node")
    files = []
    for name, local, _ in QUERIES:
        files.append(os.path.join(tmp, name + ".rq"))
        with open(files[-1], "w") as f:
            f.write(PREFIXES + local)
    r = subprocess.run([node, os.path.join(HERE, "comunica.mjs"), ",".join(ends)] + files,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=180)
    t.check("comunica runs the queries", r.returncode == 0, r.stderr[-2000:])
    for (name, _, _), path in zip(QUERIES, files):
        out = path[:-3] + ".srj"
        if not t.check("comunica %s: answered" % name, os.path.exists(out)):
            continue
        with open(out) as f:
            got = rows_of(f.read())
        t.check("comunica %s: %d rows equal one store's" % (name, len(want[name])),
                got == want[name], differ(want[name], got))


def main():
    trine, data, mode = sys.argv[1:4]
    if mode == "comunica" and not (os.path.isdir(os.path.join(HERE, "node_modules", "@comunica"))
                                   and shutil.which("node")):
        print("skip: Comunica is not installed (run scripts/setup: it runs npm ci in "
              "tests/federation)")
        return 77
    t = Tally()
    tmp = tempfile.mkdtemp(prefix="trine-federation-")
    servers = []
    try:
        paths = split_stores(trine, data, tmp)
        paths["empty"] = os.path.join(tmp, "empty")
        make_store(trine, paths["empty"])
        want = {}
        for name, local, _ in QUERIES:
            r = shell_query(trine, paths["full"], PREFIXES + local)
            if r.returncode:
                raise RuntimeError("%s on one store: %s" % (name, r.stderr))
            want[name] = rows_of(r.stdout)
            t.check("one store: %s has rows" % name, len(want[name]) > 0)
        for part in ("a", "b"):
            # Comunica sends many requests at once: enough workers that none is
            # answered 503 (it does not retry), also on a slow (sanitized) build.
            servers.append(Server(trine, paths[part], "--quiet", "--workers", "64", token=False))
        ends = ["http://127.0.0.1:%d/sparql" % s.port for s in servers]
        if mode == "service":
            check_service(t, trine, paths, ends, want)
        else:
            check_comunica(t, trine, ends, want, tmp)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
