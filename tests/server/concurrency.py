"""concurrency.py TRINE -- readers querying while writers update through
`trine serve`: no reader may see half of an update.

Each update request, in one transaction, adds a batch of BATCH items and
moves one unit from account A to account B. Every reader's snapshot must
then hold whole batches only, as many batches as units moved, and A + B
unchanged. Two writers run at once, so the server serializes them. Then one client
sends requests back to back to a server of one worker: none may find it
busy."""
import http.client
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serverlib  # noqa: E402

WRITERS, UPDATES, READERS, BATCH, TOTAL = 2, 25, 4, 20, 100
EX = "http://ex/"
STATE = """PREFIX ex: <http://ex/>
SELECT ?batches ?smallest ?largest ?a ?b WHERE {
  { SELECT (COUNT(?batch) AS ?batches) (MIN(?n) AS ?smallest) (MAX(?n) AS ?largest)
    { SELECT ?batch (COUNT(*) AS ?n) { ?batch ex:item ?x } GROUP BY ?batch } }
  ex:A ex:balance ?a . ex:B ex:balance ?b
}"""


def update_text(writer, i):
    items = " ".join("ex:item %d ;" % k for k in range(BATCH)).rstrip(" ;")
    return """PREFIX ex: <http://ex/>
INSERT DATA { ex:batch-%d-%d %s } ;
DELETE { ex:A ex:balance ?a . ex:B ex:balance ?b }
INSERT { ex:A ex:balance ?a1 . ex:B ex:balance ?b1 }
WHERE { ex:A ex:balance ?a . ex:B ex:balance ?b BIND(?a - 1 AS ?a1) BIND(?b + 1 AS ?b1) }""" % (
        writer, i, items)


def number(binding, var):
    return int(binding[var]["value"]) if var in binding else 0


def read_state(server):
    status, _, body = server.query(STATE, accept="application/sparql-results+json")
    if status != 200:
        return None, "status %d %r" % (status, body[:200])
    rows = json.loads(body)["results"]["bindings"]
    if len(rows) != 1:
        return None, "%d rows" % len(rows)
    r = rows[0]
    return tuple(number(r, v) for v in ("batches", "smallest", "largest", "a", "b")), None


def consistent(state):
    batches, smallest, largest, a, b = state
    whole = batches == 0 or (smallest == BATCH and largest == BATCH)
    return whole and batches == b and a + b == TOTAL


def main():
    trine = sys.argv[1]
    tally = serverlib.Tally()
    errors, seen = [], set()
    with tempfile.TemporaryDirectory(prefix="trine-concurrency-") as tmp:
        store = os.path.join(tmp, "store")
        serverlib.make_store(trine, store)
        server = serverlib.Server(trine, store, "--workers", "8", "--timeout", "20", "--quiet")
        try:
            status, _, body = server.update(
                "INSERT DATA { <%sA> <%sbalance> %d . <%sB> <%sbalance> 0 }" % (EX, EX, TOTAL, EX, EX))
            tally.check("initial state", status == 200, body)
            done = threading.Event()

            def writer(w):
                for i in range(UPDATES):
                    status, _, body = server.update(update_text(w, i), timeout=20)
                    if status != 200:
                        errors.append("update %d-%d: %d %r" % (w, i, status, body[:200]))

            def reader():
                end = time.time() + 30
                for _ in range(5000):  # bounded in count and time
                    if done.is_set() or time.time() > end:
                        break
                    state, why = read_state(server)
                    if why:
                        errors.append("read: " + why)
                    elif not consistent(state):
                        errors.append("half an update seen: batches, smallest, largest, A, B = %s"
                                      % (state,))
                    else:
                        seen.add(state[0])

            readers = [threading.Thread(target=reader) for _ in range(READERS)]
            writers = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
            for t in readers + writers:
                t.start()
            for t in writers:
                t.join(60)
            done.set()
            for t in readers:
                t.join(60)
            for e in errors[:10]:
                print("  " + e)
            tally.check("%d readers beside %d writers: no half update, no error" % (READERS, WRITERS),
                        not errors, "%d problems" % len(errors))
            print("  readers saw %d different numbers of batches" % len(seen))
            state, why = read_state(server)
            n = WRITERS * UPDATES
            tally.check("every update applied once", state == (n, BATCH, BATCH, TOTAL - n, n),
                        why or str(state))
        finally:
            tally.check("server stops with 0", server.stop() == 0)
        back_to_back(trine, store, tally)
    return tally.finish()


def back_to_back(trine, store, tally):
    """One worker, one client: each request sent the moment the last reply
    is in finds the worker free (its slot is freed before the reply ends),
    on a kept-alive connection and on new ones, for queries and graph store
    writes alike."""
    server = serverlib.Server(trine, store, "--workers", "1", "--quiet")
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        busy, t0 = 0, time.time()
        for i in range(300):  # bounded in count and time
            if time.time() - t0 > 30:
                break
            if i % 3 == 0:
                status, _, _ = server.query("ASK {}")
            else:
                body = "<http://ex/b> <http://ex/n> %d ." % i
                conn.request("PUT" if i % 3 == 1 else "GET", "/store?graph=http://ex/b2b",
                             body.encode() if i % 3 == 1 else None,
                             {"Content-Type": "text/turtle",
                              "Authorization": "Bearer " + serverlib.TOKEN})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            busy += status == 503
        conn.close()
        tally.check("300 requests back to back on one worker: none answered 503", busy == 0,
                    "%d answered 503" % busy)
    finally:
        tally.check("one-worker server stops with 0", server.stop() == 0)


if __name__ == "__main__":
    sys.exit(main())
