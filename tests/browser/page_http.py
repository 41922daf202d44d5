"""page_http.py TRINE -- what `trine serve` answers on the query page's
paths, without a browser: the page with the store's prefixes as escaped
JSON, its compiled-in files with their types, and 404 for any other name
(no path reaches the file system)."""
import json
import os
import re
import sys
import tempfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import serverlib  # noqa: E402

AMP = "http://example.org/q?a=1&b="  # '&' is valid in an IRI, and must not reach the HTML raw


def check_page(t, s):
    status, headers, body = s.request("GET", "/")
    text = body.decode()
    t.check("GET / is the page", status == 200 and headers.get("content-type") ==
            "text/html; charset=utf-8" and "<title>trine SPARQL</title>" in text, str(status))
    t.check("the page forbids scripts from elsewhere",
            "script-src 'self'" in headers.get("content-security-policy", ""))
    m = re.search(r'<script type="application/json" id="store-prefixes">(.*?)</script>', text)
    prefixes = json.loads(m.group(1)) if m else None
    t.check("the store's prefixes are in the page as JSON",
            prefixes == {"ex": "http://example.org/", "q": AMP}, repr(prefixes))
    t.check("'&' in a prefix IRI is escaped in the page",
            m is not None and "\\u0026" in m.group(1) and "&" not in m.group(1))
    status, headers, body = s.request("HEAD", "/")
    t.check("HEAD / answers without a body", status == 200 and body == b"", str(status))
    status, headers, _ = s.request("POST", "/", b"x")
    t.check("POST / is 405 with Allow", status == 405 and headers.get("allow") == "GET, HEAD",
            str(status))


def check_files(t, s):
    for name, ctype, start in (("codemirror.js", "text/javascript", b"// CodeMirror"),
                               ("sparql.js", "text/javascript", b"// CodeMirror"),
                               ("codemirror.css", "text/css", b"/* BASICS */"),
                               ("page.js", "text/javascript", b"/* page.js"),
                               ("page.css", "text/css", b"/* The query page")):
        status, headers, body = s.request("GET", "/page/" + name)
        t.check("/page/%s is served as %s" % (name, ctype),
                status == 200 and headers.get("content-type", "").startswith(ctype) and
                body.startswith(start), "%d %s %r" % (status, headers.get("content-type"), body[:20]))
    for path in ("/page/", "/page/page.html", "/page/nothing.js", "/page/../README.md",
                 "/page/%2e%2e/%2e%2e/etc/passwd", "/page/..%2fmeson.build",
                 "/page//etc/passwd", "/page/codemirror.js/", "/index.html"):
        status, _, _ = s.request("GET", path)
        t.check("GET %s is 404" % path, status == 404, str(status))


def main():
    trine = sys.argv[1]
    t = serverlib.Tally()
    with tempfile.TemporaryDirectory(prefix="trine-page-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store, ".prefix ex http://example.org/", ".prefix q " + AMP)
        s = serverlib.Server(trine, store, token=False)
        try:
            check_page(t, s)
            check_files(t, s)
            t.check("the server still answers", s.alive())
        finally:
            t.check("the server stops cleanly", s.stop() == 0)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
