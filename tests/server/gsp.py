"""gsp.py TRINE SUITE-DIR -- the W3C SPARQL 1.1 Graph Store HTTP Protocol
tests (SUITE-DIR/manifest.ttl and the manifests it includes) against a
live `trine serve` on 127.0.0.1.

Each test is a sequence of HTTP requests, sent as the manifest writes them
with the path prefix /gsp replaced by /store (and the bearer token added),
each checked for its expected status and, where given, its Content-Type
(blanks and case aside) and a body graph-isomorphic to the expected Turtle
(a Turtle reply is read by trine itself, N-Triples here). A
Location answered with mf:expectedLocation replaces its template variable
in the later requests. The store is emptied before each test. Every test
the manifests define runs, listed in their entries or not. Tests listed
in SUITE-DIR/skipped.tsv (name, reason) are skipped with that reason."""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402
import turtle  # noqa: E402

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
HTS = "http://www.w3.org/2011/http-statusCodes#"
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "BadRequest": 400, "NotFound": 404,
          "MethodNotAllowed": 405, "UnsupportedMediaType": 415}

NT_TERM = re.compile(r'\s*(<[^>]*>|_:[\w.-]*\w|"(?:[^"\\]|\\.)*"(?:\^\^<[^>]*>|@[\w-]+)?)')


def text(g, s, p):
    t = g.one(s, p)
    return t[1] if t else None


def ntriples(body):
    """The triples of an N-Triples text, terms shaped as turtle.py's."""
    triples = []
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms, pos = [], 0
        for _ in range(3):
            m = NT_TERM.match(line, pos)
            if not m:
                raise ValueError("not N-Triples: %r" % line)
            terms.append(nt_term(m.group(1)))
            pos = m.end()
        if line[pos:].strip() != ".":
            raise ValueError("not N-Triples: %r" % line)
        triples.append(tuple(terms))
    return triples


def nt_term(t):
    if t.startswith("<"):
        return ("iri", t[1:-1])
    if t.startswith("_:"):
        return ("bnode", t[2:])
    lex, _, rest = t[1:].rpartition('"')
    value = turtle.unescape(lex)
    if rest in ("", "^^<http://www.w3.org/2001/XMLSchema#string>"):
        return ("lit", value)
    return ("lit", value, rest)


def read_graph(trine, body, content_type):
    """The triples of a reply: N-Triples read here, Turtle (what text/turtle
    gets) read by trine itself and written back as N-Triples."""
    text = body.decode("utf-8")
    if not content_type.startswith("text/turtle"):
        return ntriples(text)
    with tempfile.TemporaryDirectory(prefix="trine-gsp-body-") as tmp:
        path = os.path.join(tmp, "body.ttl")
        with open(path, "wb") as f:
            f.write(body)
        r = subprocess.run([trine, "--temp", ".load " + path, ".dump --format ntriples"],
                           capture_output=True, text=True, timeout=30)
    if r.returncode:
        raise ValueError("not Turtle: %s" % r.stderr.strip())
    return ntriples(r.stdout)


def isomorphic(a, b):
    """Whether two sets of triples are equal up to blank node names."""
    a, b = set(a), set(b)
    if len(a) != len(b):
        return False
    bn = lambda ts: sorted({t for tr in ts for t in tr if t[0] == "bnode"})  # noqa: E731
    na, nb = bn(a), bn(b)
    if len(na) != len(nb):
        return False

    def rename(ts, m):
        return {tuple(m.get(t, t) for t in tr) for tr in ts}

    def search(i, m, used):
        if i == len(na):
            return rename(a, m) == b
        for cand in nb:
            if cand not in used:
                m[na[i]] = cand
                if search(i + 1, m, used | {cand}):
                    return True
        del m[na[i]]
        return False
    return search(0, {}, frozenset()) if len(na) <= 8 else False


def reset(server):
    status, _, body = server.update("DROP ALL")
    if status != 200:
        raise RuntimeError("cannot empty the store: %d %s" % (status, body))


def send(server, g, req, variables):
    method = text(g, req, HT + "methodName")
    path = text(g, req, HT + "absolutePath")
    for name, value in variables.items():
        path = path.replace(name, value)
    if path == "/gsp" or path.startswith(("/gsp?", "/gsp/")):
        path = "/store" + path[4:]
    headers = {"Authorization": "Bearer " + serverlib.TOKEN}
    for h in g.items(g.one(req, HT + "headers", ("iri", turtle.RDF + "nil"))):
        headers[text(g, h, HT + "fieldName")] = text(g, h, HT + "fieldValue")
    body = None
    b = g.one(req, HT + "body")
    if b:
        chars = text(g, b, CNT + "chars")
        for name, value in variables.items():
            chars = chars.replace(name, value)
        body = chars.encode(text(g, b, CNT + "characterEncoding") or "UTF-8")
    return server.request(method, path, body, headers)


def squeeze(value):
    return value.replace(" ", "").lower()


def check_response(trine, g, resp, status, headers, body, variables):
    """None when the response meets the expectations, else why not."""
    expected = [t[1][len(HTS):] for t in g.objects(resp, MF + "expectedStatus")]
    codes = [STATUS[e] for e in expected if e in STATUS]
    classes = [e[len("StatusCode"):-2] for e in expected if e.startswith("StatusCode")]
    if expected and status not in codes and str(status)[0] not in classes:
        return "status %d, expected %s: %s" % (status, "/".join(expected), body[:200])
    location = text(g, resp, MF + "expectedLocation")
    if location:
        if "location" not in headers:
            return "no Location header"
        variables[location] = headers["location"]
    for h in g.items(g.one(resp, HT + "headers", ("iri", turtle.RDF + "nil"))):
        name, value = text(g, h, HT + "fieldName").lower(), text(g, h, HT + "fieldValue")
        if name == "content-type" and squeeze(headers.get(name, "")) != squeeze(value):
            return "Content-Type %s, expected %s" % (headers.get(name), value)
    b = g.one(resp, HT + "body")
    if b:
        want = turtle.Graph(text(g, b, CNT + "chars")).triples
        try:
            got = read_graph(trine, body, headers.get("content-type", ""))
        except ValueError as e:
            return str(e)
        if not isomorphic(got, want):
            return "the graph differs:\n%s" % body.decode("utf-8", "replace")
    return None


def run_test(trine, server, g, test):
    reset(server)
    variables = {}
    for req in g.items(g.one(g.one(test, MF + "action"), HT + "requests")):
        status, headers, body = send(server, g, req, variables)
        why = check_response(trine, g, g.one(req, HT + "resp"), status, headers, body,
                             variables)
        if why:
            return "%s %s: %s" % (text(g, req, HT + "methodName"),
                                  text(g, req, HT + "absolutePath"), why)
    return None


def load_skips(suite):
    path = os.path.join(suite, "skipped.tsv")
    skips = {}
    for line in open(path, encoding="utf-8") if os.path.exists(path) else []:
        if line.strip() and not line.startswith("#"):
            name, reason = line.rstrip("\n").split("\t", 1)
            skips[name] = reason
    return skips


def tests_of(suite):
    """(graph, test) of every entry of the manifests manifest.ttl includes."""
    with open(os.path.join(suite, "manifest.ttl"), encoding="utf-8") as f:
        top = turtle.Graph(f.read())
    out = []
    root = [s for (s, p, o) in top.triples if p == ("iri", MF + "include")][0]
    for inc in top.items(top.one(root, MF + "include")):
        with open(os.path.join(suite, inc[1]), encoding="utf-8") as f:
            g = turtle.Graph(f.read(), base="")
        manifest = [s for (s, p, o) in g.triples if p == ("iri", MF + "entries")][0]
        listed = g.items(g.one(manifest, MF + "entries"))
        # manifest-direct.ttl defines head_non_existing_direct without
        # listing it in its entries: every test defined runs.
        defined = [s for (s, p, o) in g.triples
                   if p == ("iri", turtle.RDF + "type") and o == ("iri", MF + "GraphStoreProtocolTest")]
        out += [(g, t) for t in listed + [t for t in defined if t not in listed]]
    return out


def main():
    trine, suite = sys.argv[1], sys.argv[2]
    skips = load_skips(suite)
    tally = serverlib.Tally()
    tests = tests_of(suite)
    tally.check("the manifests define 14 tests", len(tests) == 14, "%d" % len(tests))
    with tempfile.TemporaryDirectory(prefix="trine-gsp-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store)
        server = serverlib.Server(trine, store, "--timeout", "10")
        try:
            for g, test in tests:
                name = test[1].rsplit("#", 1)[-1]
                if name in skips:
                    tally.skip(name, skips[name])
                    continue
                try:
                    why = run_test(trine, server, g, test)
                except Exception as e:  # a broken exchange fails the test, not the run
                    why = "%s: %s" % (type(e).__name__, e)
                tally.check(name, why is None, why or "")
        finally:
            rc = server.stop()
            tally.check("server stops cleanly on SIGTERM", rc == 0, "exit %s" % rc)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
