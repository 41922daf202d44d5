"""protocol.py TRINE SUITE-DIR -- the W3C SPARQL 1.1 Protocol tests
(SUITE-DIR/manifest.ttl) against a live `trine serve` on 127.0.0.1.

Each test is one or more HTTP requests with the expected status class and,
for queries, the expected result format (and boolean). The requests are
sent as the manifest writes them, to /sparql/ on the server, with the
bearer token added (updates need it). Before a test, the store is emptied
and its ut:graphData loaded as named graphs. Tests listed in
SUITE-DIR/skipped.tsv (name, reason) are skipped with that reason."""
import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402
import turtle  # noqa: E402

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
HT = "http://www.w3.org/2011/http#"
CNT = "http://www.w3.org/2011/content#"
UT = "http://www.w3.org/2009/sparql/tests/test-update#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
TABULAR_TYPES = BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"}
RDF_TYPES = {"application/rdf+xml", "text/turtle", "application/n-triples",
             "application/xhtml+xml"}


def text(g, s, p):
    t = g.one(s, p)
    return t[1] if t else None


def load_skips(suite):
    path = os.path.join(suite, "skipped.tsv")
    skips = {}
    if os.path.exists(path):
        for line in open(path, encoding="utf-8"):
            if line.strip() and not line.startswith("#"):
                name, reason = line.rstrip("\n").split("\t", 1)
                skips[name] = reason
    return skips


def reset(server, g, test, suite):
    """Empty the store, then load the test's graphs under their labels."""
    parts = ["DROP ALL"]
    for gd in g.objects(test, UT + "graphData"):
        name = text(g, gd, RDFS + "label")
        with open(os.path.join(suite, text(g, gd, UT + "graph")), encoding="utf-8") as f:
            parts.append("INSERT DATA { GRAPH <%s> { %s } }" % (name, f.read()))
    status, _, body = server.update(" ;\n".join(parts))
    if status != 200:
        raise RuntimeError("cannot set up the store: %d %s" % (status, body))


def send(server, g, req):
    method = text(g, req, HT + "methodName")
    path = text(g, req, HT + "absolutePath")
    headers = {"Authorization": "Bearer " + serverlib.TOKEN}
    for h in g.items(g.one(req, HT + "headers", ("iri", turtle.RDF + "nil"))):
        headers[text(g, h, HT + "fieldName")] = text(g, h, HT + "fieldValue")
    body = None
    b = g.one(req, HT + "body")
    if b:
        encoding = text(g, b, CNT + "characterEncoding") or "UTF-8"
        body = text(g, b, CNT + "chars").encode(encoding)
    return server.request(method, path, body, headers)


def boolean_of(ctype, body):
    if ctype == "application/sparql-results+json":
        return json.loads(body.decode("utf-8")).get("boolean")
    root = ET.fromstring(body)
    node = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    return None if node is None else node.text.strip() == "true"


def check_response(g, resp_node, status, headers, body):
    """None when the response meets the expectations, else why not."""
    classes = [t[1][len(HTS):] for t in g.objects(resp_node, MF + "expectedStatus")]
    if classes and not any(c[0] == str(status)[0] for c in classes):
        return "status %d, expected %s: %s" % (status, "/".join(classes), body[:200])
    fmt = text(g, resp_node, MF + "expectedFormat")
    ctype = headers.get("content-type", "").split(";")[0].strip().lower()
    allowed = {"boolean": BOOLEAN_TYPES, "tabular": TABULAR_TYPES, "RDF": RDF_TYPES}.get(fmt)
    if allowed and ctype not in allowed:
        return "content type %s for a %s result" % (ctype, fmt)
    expected = g.one(resp_node, MF + "expectedBoolean")
    if expected is not None:
        try:
            got = boolean_of(ctype, body)
        except (ValueError, ET.ParseError) as e:
            return "unreadable boolean result: %s" % e
        if got != expected[1]:
            return "boolean %s, expected %s" % (got, expected[1])
    return None


def run_test(server, g, test, suite):
    reset(server, g, test, suite)
    action = g.one(test, MF + "action")
    for req in g.items(g.one(action, HT + "requests")):
        status, headers, body = send(server, g, req)
        why = check_response(g, g.one(req, HT + "resp"), status, headers, body)
        if why:
            return why
    return None


def main():
    trine, suite = sys.argv[1], sys.argv[2]
    with open(os.path.join(suite, "manifest.ttl"), encoding="utf-8") as f:
        g = turtle.Graph(f.read())
    manifest = [s for (s, p, o) in g.triples if p == ("iri", MF + "entries")][0]
    skips = load_skips(suite)
    tally = serverlib.Tally()
    with tempfile.TemporaryDirectory(prefix="trine-protocol-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store)
        server = serverlib.Server(trine, store, "--timeout", "10")
        try:
            for test in g.items(g.one(manifest, MF + "entries")):
                name = test[1].rsplit("#", 1)[-1]
                if name in skips:
                    tally.skip(name, skips[name])
                    continue
                try:
                    why = run_test(server, g, test, suite)
                except Exception as e:  # a broken exchange fails the test, not the run
                    why = "%s: %s" % (type(e).__name__, e)
                tally.check(name, why is None, why or "")
        finally:
            rc = server.stop()
            tally.check("server stops cleanly on SIGTERM", rc == 0, "exit %s" % rc)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
