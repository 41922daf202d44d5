"""page_test.py TRINE OUTDIR -- the query page of `trine serve` in a real
headless Chromium: type a query, run it with Ctrl-Enter, read the table,
see a syntax error marked at its line and column, follow an IRI link,
download a result, and keep screenshots in OUTDIR. Exit 77 (skip) when no
Chromium is installed."""
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "server"))
import cdp  # noqa: E402
import serverlib  # noqa: E402

SELECT = "SELECT ?who ?name\nWHERE { ?who foaf:name ?name }\nORDER BY ?name"
BROKEN = "SELECT ?s\nWHERE { ?s ?p ) }"  # line 2, column 15: the ')'
CONSTRUCT = "CONSTRUCT { ?a foaf:knows ?b } WHERE { ?b foaf:knows ?a }"
STATUS = "document.getElementById('status').textContent"
ROWS = ("[...document.querySelectorAll('#result tr')]"
        ".map(tr => [...tr.cells].map(c => c.textContent))")


def type_query(b, text):
    """Focus the editor, select all, type text (as keyboard input)."""
    b.click("document.querySelector('.CodeMirror-lines')")
    b.key("a", "KeyA", 65, modifiers=2)
    b.call("Input.insertText", {"text": text})


def run_query(b, text, done):
    """Type text, press Ctrl-Enter, wait until the status says done."""
    type_query(b, text)
    b.key("Enter", "Enter", 13, modifiers=2)
    return b.wait_for("(function(){var s=%s;return /%s/.test(s) && s;})()" % (STATUS, done))


def check_table(t, b):
    status = run_query(b, SELECT, "rows in")
    rows = b.eval(ROWS)
    t.check("the query typed is in the editor",
            b.eval("document.querySelector('.CodeMirror').CodeMirror.getValue()") == SELECT)
    t.check("the table has the variables as headers", rows[0] == ["?who", "?name"], repr(rows[:1]))
    want = [["ex:carol", "<img src=x onerror=window.pwned=1>"], ["ex:alice", "Alice"],
            ["ex:bob", "Bob@en"]]
    t.check("the cells, IRIs shortened with the store's prefixes", rows[1:] == want, repr(rows))
    t.check("the row count and time are shown", status.startswith("3 rows in ") and
            status.endswith(" ms"), status)
    t.check("literal markup stays text (no element made, no script run)",
            b.eval("document.querySelectorAll('#result img').length === 0 && !window.pwned"))
    t.check("the SPARQL is highlighted",
            b.eval("document.querySelectorAll('.CodeMirror .cm-keyword').length") >= 3)


def check_many(t, b):
    """7 triples to the fifth power: more rows than the page shows."""
    status = run_query(b, "SELECT ?n WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
                          "?m ?o ?p BIND(1 AS ?n) }", "rows in")
    shown = b.eval("document.querySelectorAll('#result tbody tr').length")
    note = b.eval("(document.querySelector('#result .note') || {}).textContent")
    t.check("a huge result: all rows counted, the first 5000 shown, and said so",
            status.startswith("16807 rows in ") and shown == 5000 and
            note == "The first 5000 rows; download the result for all.",
            "%s, %s rows shown, %r" % (status, shown, note))


def check_error(t, b, outdir):
    run_query(b, BROKEN, "^400 ")
    shown = b.wait_for("!document.getElementById('error').hidden && "
                       "document.getElementById('error').textContent")
    t.check("the syntax error is shown with its line and column",
            shown.startswith("line 2, column 15: ") and "')'" in shown, shown)
    marked = b.eval("(function(){var l=document.querySelector('.cm-error-line');"
                    "var m=document.querySelector('.cm-error-mark');"
                    "return l && m && [l.parentNode.querySelector('.CodeMirror-linenumber')"
                    ".textContent, m.textContent];})()")
    t.check("the error is marked in the editor at line 2 on the ')'", marked == ["2", ")"],
            repr(marked))
    b.screenshot(os.path.join(outdir, "page-error.png"))
    # line 1 follows the prefixes the page declares; the server counts
    # characters, the editor UTF-16 units (the emoji is two)
    run_query(b, 'ASK { ?s ?p "\U0001F600é" . ?s ?p ) }', "^400 ")
    shown = b.wait_for("!document.getElementById('error').hidden && "
                       "document.getElementById('error').textContent")
    t.check("an error on line 1 has the editor's column, counted in characters",
            shown.startswith("line 1, column 26: ") and
            b.eval("document.querySelector('.cm-error-mark').textContent") == ")", shown)
    type_query(b, "SELECT")
    t.check("editing the query clears the mark",
            b.eval("document.querySelectorAll('.cm-error-mark, .cm-error-line').length") == 0)


def check_link(t, b, outdir):
    run_query(b, SELECT, "rows in")
    b.click("[...document.querySelectorAll('#result a')].find(a => a.textContent === 'ex:alice')")
    status = b.wait_for("(function(){var s=%s;return /^4 rows in/.test(s) && s;})()" % STATUS)
    rows = b.eval(ROWS)
    want = [["?p", "?o"], ["ex:age", "31^^xsd:integer"], ["foaf:knows", "ex:bob"],
            ["foaf:knows", "ex:carol"], ["foaf:name", "Alice"]]
    got = [rows[0]] + sorted(rows[1:])
    t.check("an IRI link shows that resource's description", got == want, repr(rows) + status)
    b.screenshot(os.path.join(outdir, "page.png"))


def check_graph_and_download(t, b, outdir):
    status = run_query(b, CONSTRUCT, "triples in")
    text = b.eval("document.querySelector('#result pre').textContent")
    lines = text.split("\n")
    t.check("a graph result is shown as Turtle with the prefixes it uses, with its count",
            status.startswith("3 triples in ") and
            lines[:2] == ["@prefix ex: <http://example.org/> .",
                          "@prefix foaf: <http://xmlns.com/foaf/0.1/> ."] and
            sorted(lines[3:6]) == ["ex:alice foaf:knows ex:bob .", "ex:bob foaf:knows ex:alice .",
                                   "ex:carol foaf:knows ex:alice ."], status + "\n" + text)
    run_query(b, "CONSTRUCT WHERE { ex:alice ?p ?o }", "triples in")
    text = b.eval("document.querySelector('#result pre').textContent")
    t.check("a subject's triples are grouped, literals and datatypes in Turtle",
            'ex:age "31"^^xsd:integer' in text and 'foaf:name "Alice"' in text and
            text.count("\nex:alice ") == 1 and text.count(" ;\n    ") == 3 and
            text.count(" .\n") == 4, text)  # 3 @prefix lines, one subject
    b.call("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": outdir},
           session=False)
    data = download(b, outdir, "Turtle", "result.ttl")
    t.check("the Turtle download is the server's Turtle: prefixes declared, subject grouped",
            b"@prefix ex: <http://example.org/> .\n" in data and
            data.count(b"\nex:alice ") == 1 and b"foaf:knows ex:bob, ex:carol" in data
            and b"ex:age 31 .\n" in data, repr(data[:400]))
    run_query(b, SELECT, "rows in")
    data = download(b, outdir, "CSV", "result.csv")
    t.check("the CSV download holds the result", data.startswith(b"who,name\r\n") and
            b"http://example.org/alice,Alice\r\n" in data, repr(data[:200]))


def download(b, outdir, button, name):
    """The bytes the download button saves as name (b"" after 10 s)."""
    target = os.path.join(outdir, name)
    if os.path.exists(target):
        os.unlink(target)
    b.click("[...document.querySelectorAll('#downloads button')].find(e => e.textContent === '%s')"
            % button)
    deadline = time.time() + 10
    while not os.path.exists(target) and time.time() < deadline:
        time.sleep(0.05)
    return open(target, "rb").read() if os.path.exists(target) else b""


def errors_of(b):
    """Script exceptions and Content-Security-Policy refusals seen so far."""
    bad = []
    for e in b.events:
        if e["method"] == "Runtime.exceptionThrown":
            bad.append(e["params"]["exceptionDetails"].get("text", "exception"))
        elif e["method"] == "Log.entryAdded" and "Content Security Policy" in e["params"]["entry"]["text"]:
            bad.append(e["params"]["entry"]["text"])
    return bad


def main():
    trine, outdir = sys.argv[1], sys.argv[2]
    browser = cdp.find_browser()
    if not browser:
        print("skip: no Chromium (Debian package chromium; scripts/setup installs it)")
        return 77
    os.makedirs(outdir, exist_ok=True)
    t = serverlib.Tally()
    with tempfile.TemporaryDirectory(prefix="trine-page-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store, ".load " + os.path.join(HERE, "data.ttl"),
                             ".prefix ex http://example.org/",
                             ".prefix foaf http://xmlns.com/foaf/0.1/",
                             ".prefix xsd http://www.w3.org/2001/XMLSchema#")
        server = serverlib.Server(trine, store, token=False)
        b = None
        try:
            b = cdp.Browser(browser)
            for domain in ("Page", "Runtime", "Log"):
                b.call(domain + ".enable")
            b.call("Page.navigate", {"url": "http://127.0.0.1:%d/" % server.port})
            b.wait_event("Page.loadEventFired", timeout=20)
            b.wait_for("document.querySelector('.CodeMirror') !== null")
            t.check("the store's prefixes are listed",
                    b.eval("document.getElementById('prefixes').textContent") ==
                    "Prefixes: ex:foaf:xsd:")
            check_table(t, b)
            check_many(t, b)
            check_error(t, b, outdir)
            check_link(t, b, outdir)
            check_graph_and_download(t, b, outdir)
            bad = errors_of(b)
            t.check("no script errors or CSP refusals in the page", not bad, repr(bad))
        except (cdp.Timeout, RuntimeError) as e:
            t.check("the browser session", False, str(e))
        finally:
            if b:
                b.close()
            t.check("the server stops cleanly", server.stop() == 0)
    print("screenshots: " + os.path.join(outdir, "page.png") + ", page-error.png")
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
