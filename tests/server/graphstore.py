"""graphstore.py TRINE -- the Graph Store at /store beyond the W3C tests
(status codes, safety, datasets, negotiation, atomicity), Turtle and TriG
answers, and the service description at GET /sparql, against live
`trine serve` processes."""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsp  # noqa: E402
import serverlib  # noqa: E402
import turtle  # noqa: E402
from serverlib import TOKEN  # noqa: E402

AUTH = {"Authorization": "Bearer " + TOKEN}
TTL = {"Content-Type": "text/turtle"}
NT = {"Content-Type": "application/n-triples"}
SD = "http://www.w3.org/ns/sparql-service-description#"
G1 = "/store?graph=http://ex/g1"


def put(server, path, body, headers=TTL, auth=True):
    return server.request("PUT", path, body.encode(), dict(headers, **(AUTH if auth else {})))


def post(server, path, body, headers=TTL):
    return server.request("POST", path, body.encode(), dict(headers, **AUTH))


def get(server, path, accept=None):
    return server.request("GET", path, headers={"Accept": accept} if accept else {})


def triples(body):
    return gsp.ntriples(body.decode("utf-8"))


def check_status_codes(t, s):
    st, _, _ = put(s, G1, "<http://ex/a> <http://ex/p> 1 .")
    t.check("PUT of a new graph: 201", st == 201, str(st))
    st, _, _ = put(s, G1, "<http://ex/a> <http://ex/p> 2 .")
    t.check("PUT of an existing graph: 204", st == 204, str(st))
    st, h, body = get(s, G1, "application/n-triples")
    t.check("GET: the PUT replaced the graph", st == 200 and h.get("content-type") ==
            "application/n-triples" and len(triples(body)) == 1 and b'"2"' in body, repr(body))
    st, _, body = post(s, G1, "@prefix ex: <http://ex/> .\nex:a ex:p 3 ;\n  ex:q \"open .\n")
    t.check("a bad body: 400 with its line and column", st == 400 and body.startswith(b"body:3:"),
            "%d %r" % (st, body))
    st, _, body = get(s, G1)
    t.check("a bad body changes nothing", len(triples(body)) == 1 and b'"2"' in body, repr(body))
    for ctype in ("application/rdf+xml", "application/n-quads", "text/turtle; charset=latin1"):
        st, _, _ = put(s, G1, "x", {"Content-Type": ctype})
        t.check("PUT of a graph as %s: 415" % ctype, st == 415, str(st))
    st, _, _ = put(s, G1, "<http://ex/a> <http://ex/p> 4 .", {})
    t.check("a body without Content-Type: 415", st == 415, str(st))
    st, h, _ = s.request("PATCH", G1)
    t.check("PATCH: 405 with Allow", st == 405 and "PUT" in h.get("allow", ""), str(st))
    st, h, _ = s.request("OPTIONS", "/store")
    t.check("OPTIONS /store: 204, Allow with PUT and DELETE", st == 204 and
            "DELETE" in h.get("allow", "") and "PUT" in h.get("allow", ""), "%d %r" % (st, h))
    st, h, _ = s.request("DELETE", "/store", headers=AUTH)
    t.check("DELETE of the whole store: 405", st == 405, str(st))
    st, _, _ = s.request("GET", "/store?graph=http://ex/g1&default")
    t.check("graph= and default together: 400", st == 400, str(st))
    st, _, _ = s.request("GET", "/store?graph=not-an-iri")
    t.check("graph= not an absolute IRI: 400", st == 400, str(st))
    st, _, _ = get(s, G1, "application/rdf+xml")
    t.check("GET accepting no syntax we write: 406", st == 406, str(st))
    st, h, body = s.request("HEAD", G1, headers={"Accept": "text/turtle"})
    t.check("HEAD: 200, text/turtle, no body", st == 200 and body == b"" and
            h.get("content-type", "").startswith("text/turtle"), "%d %r" % (st, h))
    st, _, _ = s.request("DELETE", G1, headers=AUTH)
    t.check("DELETE: 204", st == 204, str(st))
    st, _, _ = s.request("DELETE", G1, headers=AUTH)
    t.check("DELETE of a missing graph: 404", st == 404, str(st))
    st, _, body = get(s, "/store?default")
    t.check("GET of an empty default graph: 200, empty", st == 200 and body == b"", str(st))


def check_graphs_and_datasets(t, s):
    body = "@prefix ex: <http://ex/> .\nex:a ex:knows [ ex:name \"b\" ] .\n"
    post(s, "/store?default", body)
    post(s, "/store?default", body)
    _, _, got = get(s, "/store?default")
    t.check("blank nodes of two POSTs stay apart (4 triples)", len(triples(got)) == 4, repr(got))
    st, h, _ = post(s, "/store", "<http://ex/n> <http://ex/p> <http://ex/o> .", NT)
    loc = h.get("location", "")
    t.check("POST of triples to /store: 201 with Location under /store/",
            st == 201 and loc.startswith("http://127.0.0.1:%d/store/" % s.port), "%d %r" % (st, h))
    st, _, got = get(s, loc[loc.index("/store/"):])
    t.check("GET of the Location path (direct identification)", st == 200 and
            triples(got) == [(("iri", "http://ex/n"), ("iri", "http://ex/p"), ("iri", "http://ex/o"))],
            "%d %r" % (st, got))
    st, _, _ = post(s, "/store", "", NT)
    t.check("POST of no triples to /store: 400 (no empty graph made)", st == 400, str(st))
    quads = "<http://ex/s> <http://ex/p> \"d\" .\n<http://ex/s> <http://ex/p> \"n\" <http://ex/g2> .\n"
    st, _, _ = put(s, "/store", quads, {"Content-Type": "application/n-quads"})
    t.check("PUT of N-Quads to /store: 204", st == 204, str(st))
    st, h, got = get(s, "/store")
    t.check("it replaced the whole dataset", st == 200 and h.get("content-type") ==
            "application/n-quads" and sorted(got.decode().splitlines()) ==
            sorted(quads.splitlines()), repr(got))
    trig = "@prefix ex: <http://ex/> .\nex:g3 { ex:s ex:p \"t\" }\n"
    st, _, _ = post(s, "/store", trig, {"Content-Type": "application/trig"})
    st2, _, got = get(s, "/store?graph=http://ex/g3")
    t.check("POST of TriG to /store adds its graphs", st == 204 and st2 == 200 and
            b'"t"' in got, "%d %d %r" % (st, st2, got))
    st, _, _ = put(s, "/store", "<http://ex/s> <http://ex/p> 1 .", NT)
    t.check("PUT of triples to /store: 415", st == 415, str(st))
    st, _, _ = get(s, "/store", "text/turtle")
    t.check("GET of the dataset as text/turtle: 406", st == 406, str(st))
    form = "multipart/form-data; boundary=XYZ"
    st, _, _ = post(s, "/store?graph=http://ex/m", "no parts at all", {"Content-Type": form})
    t.check("a multipart body without parts: 400", st == 400, str(st))
    part = ('--XYZ\r\nContent-Disposition: form-data; name="a"; filename="a.nt"\r\n%s\r\n'
            '<http://ex/a> <http://ex/p> "%s" .\r\n')
    body = part % ("Content-Type: application/n-triples\r\n", "1") + part % ("", "2") + "--XYZ--\r\n"
    st, _, _ = post(s, "/store?graph=http://ex/m", body.replace("a.nt", "a"), {"Content-Type": form})
    st2, _, _ = get(s, "/store?graph=http://ex/m")
    t.check("a multipart part without Content-Type or known file name: 415, nothing stored",
            st == 415 and st2 == 404, "%d %d" % (st, st2))
    body = (part % ("Content-Type: application/octet-stream\r\n", "1") + part % ("", "2") +
            "--XYZ--\r\n")
    st, _, _ = post(s, "/store?graph=http://ex/m", body, {"Content-Type": form})
    st2, _, got = get(s, "/store?graph=http://ex/m")
    t.check("multipart parts as octet-stream or untyped, named a.nt: both stored, 201",
            st == 201 and len(triples(got)) == 2, "%d %d %r" % (st, st2, got))


def check_large(t, s):
    """A graph past the 64 KiB reply buffer is streamed whole."""
    body = "".join('<http://ex/s%d> <http://ex/p> "%s" .\n' % (i, "v" * 60) for i in range(3000))
    st, _, _ = put(s, "/store?graph=http://ex/large", body, NT)
    st2, h, got = get(s, "/store?graph=http://ex/large")
    t.check("a 270 KB graph: PUT 201, GET streamed chunked with all 3000 triples",
            st == 201 and st2 == 200 and h.get("transfer-encoding") == "chunked" and
            sorted(got.decode().splitlines()) == sorted(body.splitlines()),
            "%d %d %r %d" % (st, st2, h.get("transfer-encoding"), len(got)))
    st, _, _ = s.request("DELETE", "/store?graph=http://ex/large", headers=AUTH)
    t.check("DELETE of the large graph: 204", st == 204, str(st))


def check_atomic(t, s):
    """Readers of a graph rewritten by PUTs see one version whole."""
    versions = ["".join("<http://ex/s%d> <http://ex/v> \"%s\" .\n" % (i, v) for i in range(50))
                for v in "AB"]
    put(s, "/store?graph=http://ex/atomic", versions[0], NT)
    bad, reads, stop = [], [0], time.time() + 5

    def reader():
        while time.time() < stop and reads[0] < 200 and not bad:
            st, _, body = get(s, "/store?graph=http://ex/atomic")
            if st == 503:
                continue
            reads[0] += 1
            values = {o[1] for (_, _, o) in triples(body)}
            if st != 200 or len(triples(body)) != 50 or len(values) != 1:
                bad.append("%d: %d triples, values %s" % (st, len(triples(body)), values))
    threads = [threading.Thread(target=reader) for _ in range(2)]
    for th in threads:
        th.start()
    for i in range(20):
        put(s, "/store?graph=http://ex/atomic", versions[i % 2], NT)
    for th in threads:
        th.join(10)
    t.check("readers never see half of a PUT (%d reads)" % reads[0], not bad and reads[0] > 0,
            bad[0] if bad else "no reads")


def check_description(t, s, updates):
    st, h, body = s.request("GET", "/sparql")
    t.check("GET /sparql: 200 text/turtle", st == 200 and
            h.get("content-type", "").startswith("text/turtle"), "%d %r" % (st, h))
    g = turtle.Graph(body.decode("utf-8"))
    services = [x for (x, p, o) in g.triples if p == ("iri", turtle.RDF + "type") and
                o == ("iri", SD + "Service")]
    svc = services[0] if services else None
    t.check("one sd:Service", len(services) == 1, repr(body[:300]))
    t.check("sd:endpoint is the endpoint", g.one(svc, SD + "endpoint") ==
            ("iri", "http://127.0.0.1:%d/sparql" % s.port), repr(g.one(svc, SD + "endpoint")))
    langs = g.objects(svc, SD + "supportedLanguage")
    t.check("languages: SPARQL11Query%s" % (", SPARQL11Update" if updates else " only"),
            ("iri", SD + "SPARQL11Query") in langs and
            (("iri", SD + "SPARQL11Update") in langs) == updates, repr(langs))
    formats = g.objects(svc, SD + "resultFormat")
    t.check("result formats include SPARQL JSON and XML",
            ("iri", "http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats and
            ("iri", "http://www.w3.org/ns/formats/SPARQL_Results_XML") in formats, repr(formats))
    st, h, nt = s.request("GET", "/sparql", headers={"Accept": "application/n-triples"})
    t.check("as N-Triples: the same graph", st == 200 and h.get("content-type") ==
            "application/n-triples" and gsp.isomorphic(triples(nt), g.triples), repr(nt[:200]))
    st, _, _ = s.request("GET", "/sparql", headers={"Accept": "application/sparql-results+json"})
    t.check("as SPARQL results: 406", st == 406, str(st))


def check_read_only(t, trine, store):
    s = serverlib.Server(trine, store, token=False)
    try:
        st, _, body = get(s, "/store?graph=http://ex/g2")
        t.check("read-only: GET works", st == 200 and b'"n"' in body, "%d %r" % (st, body))
        st, _, _ = put(s, "/store?graph=http://ex/g2", "<http://ex/a> <http://ex/p> 1 .", NT)
        t.check("read-only: PUT is 403", st == 403, str(st))
        check_description(t, s, updates=False)
    finally:
        t.check("read-only server stops cleanly", s.stop() == 0)


def via_trine(trine, body, ext, tmp):
    """body (Turtle or TriG) read by trine itself and written back as its
    canonical N-Quads lines, sorted."""
    path = os.path.join(tmp, "body" + ext)
    with open(path, "wb") as f:
        f.write(body)
    r = subprocess.run([trine, "--temp", ".load " + path, ".dump --format nquads"],
                       capture_output=True, text=True, timeout=30)
    if r.returncode:
        raise ValueError("trine cannot read the %s body: %s" % (ext, r.stderr))
    return sorted(r.stdout.splitlines())


def check_turtle(t, trine, tmp):
    """text/turtle and application/trig are answered as a person writes
    them (prefixes of the query and of the store, subjects grouped), and
    read back as the same statements as the N-Triples and N-Quads answers."""
    store = os.path.join(tmp, "turtle")
    data = os.path.join(tmp, "data.trig")
    with open(data, "w") as f:
        f.write("@prefix ex: <http://ex/> .\nex:a ex:p 1 ; ex:q ex:b , ex:c .\n"
                "ex:g { ex:a ex:name \"A\"@en . ex:b ex:p \"x\" }\n")
    serverlib.make_store(trine, store, ".prefix ex http://ex/", ".load " + data)
    s = serverlib.Server(trine, store)
    try:
        query = "PREFIX q: <http://q/>\nCONSTRUCT { ?s ?p ?o . ?s q:seen true } WHERE { ?s ?p ?o }"
        st, h, ttl = s.query(query, accept="text/turtle")
        text = ttl.decode("utf-8")
        t.check("CONSTRUCT as text/turtle: Turtle with the query's and the store's prefixes",
                st == 200 and h.get("content-type") == "text/turtle; charset=utf-8" and
                text.startswith("@prefix q: <http://q/> .\n") and
                "@prefix ex: <http://ex/> .\n" in text and "ex:a" in text and ";" in text and
                "<http://ex/a>" not in text, "%d %r %r" % (st, h, text))
        _, _, nt = s.query(query, accept="application/n-triples")
        t.check("... the same triples as the N-Triples answer",
                via_trine(trine, ttl, ".ttl", tmp) == sorted(nt.decode().splitlines()),
                repr(text))
        st, _, ttl = s.query("PREFIX ex: <http://other/>\nCONSTRUCT WHERE { ?s ?p ?o }",
                             accept="text/turtle")
        text = ttl.decode("utf-8")
        t.check("a prefix the query declares hides the store's of that name",
                st == 200 and text.count("@prefix ex:") == 1 and
                "@prefix ex: <http://other/> .\n" in text and "<http://ex/a>" in text, repr(text))
        st, h, ttl = get(s, "/store?default", "text/turtle")
        text = ttl.decode("utf-8")
        _, _, nt = get(s, "/store?default", "application/n-triples")
        t.check("GET of a graph as text/turtle: the store's prefixes, subjects grouped",
                st == 200 and h.get("content-type") == "text/turtle; charset=utf-8" and
                "@prefix ex: <http://ex/> .\n" in text and text.count("ex:a ") == 1 and
                via_trine(trine, ttl, ".ttl", tmp) == sorted(nt.decode().splitlines()),
                "%d %r %r" % (st, h, text))
        st, h, trig = get(s, "/store", "application/trig")
        _, _, nq = get(s, "/store", "application/n-quads")
        t.check("GET of the dataset as application/trig: a graph block, the same quads",
                st == 200 and h.get("content-type") == "application/trig" and
                b"ex:g {" in trig and
                via_trine(trine, trig, ".trig", tmp) == sorted(nq.decode().splitlines()),
                "%d %r %r" % (st, h, trig))
        for accept, want in (("text/turtle;q=0.5, application/n-triples", "application/n-triples"),
                             ("*/*", "application/n-triples"),
                             ("text/*", "text/turtle; charset=utf-8"),
                             ("application/trig, text/turtle;q=0.9", "application/trig")):
            st, h, body = s.query("CONSTRUCT WHERE { ?s ?p ?o }", accept=accept)
            t.check("CONSTRUCT, Accept %s: %s" % (accept, want),
                    st == 200 and h.get("content-type") == want, "%d %r" % (st, h))
        t.check("... TriG asked for, Turtle sent (TriG of the default graph)",
                body.startswith(b"@prefix ex: <http://ex/> .\n") and b"{" not in body, repr(body))
    finally:
        t.check("Turtle server stops cleanly", s.stop() == 0)


def check_limits_and_base(t, trine, store):
    s = serverlib.Server(trine, store, "--max-body", "1K", "--base", "https://data.example/sparql")
    try:
        st, _, _ = put(s, G1, "<http://ex/a> <http://ex/p> \"%s\" ." % ("x" * 2000), NT)
        t.check("a body past --max-body: 413", st == 413, str(st))
        st, _, _ = put(s, G1, "<http://ex/a> <http://ex/p> 1 .", NT, auth=False)
        t.check("PUT without the token: 401", st == 401, str(st))
        st, _, _ = s.request("DELETE", G1)
        t.check("DELETE without the token: 401", st == 401, str(st))
        st, h, _ = post(s, "/store", "<http://ex/a> <http://ex/p> <http://ex/o> .", NT)
        t.check("with --base, new graphs are named under its authority", st == 201 and re.fullmatch(
            r"https://data\.example/store/[0-9a-f]{16}", h.get("location", "")), "%d %r" % (st, h))
        _, _, sd = s.request("GET", "/sparql", headers={"Accept": "application/n-triples"})
        t.check("with --base, sd:endpoint is under its authority",
                b"<https://data.example/sparql>" in sd, repr(sd[:300]))
    finally:
        t.check("server with limits stops cleanly", s.stop() == 0)


def main():
    trine = sys.argv[1]
    t = serverlib.Tally()
    with tempfile.TemporaryDirectory(prefix="trine-graphstore-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store)
        s = serverlib.Server(trine, store, "--timeout", "10")
        try:
            check_status_codes(t, s)
            check_graphs_and_datasets(t, s)
            check_large(t, s)
            check_atomic(t, s)
            check_description(t, s, updates=True)
        finally:
            t.check("server stops cleanly", s.stop() == 0)
        check_read_only(t, trine, store)
        check_limits_and_base(t, trine, store)
        check_turtle(t, trine, tmp)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
