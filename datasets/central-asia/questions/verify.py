#!/usr/bin/python3
"""Run the questions against the dataset with rdflib and check the answers.

Usage (Debian's python, which has rdflib):
    /usr/bin/python3 questions/verify.py            # compare every NN-*.rq with NN-*.tsv
    /usr/bin/python3 questions/verify.py --write    # (re)write the .tsv files
    /usr/bin/python3 questions/verify.py 04-...rq   # only some questions

The dataset is loaded as an RDF dataset: data.nq gives the named graphs,
schema.nt goes into the default graph; the default graph is NOT the union
of the named graphs (Dataset(default_union=False)).

Answers are written in the SPARQL 1.1 Query Results TSV format: a header of
?variables, then one line per solution with terms in N-Triples syntax (an
unbound variable is an empty field). Unless the query has ORDER BY, rows are
sorted byte-wise (LC_ALL=C sort) and comparison is order-insensitive.
"""
import glob
import os
import re
import sys

from rdflib import Dataset, Literal, URIRef, BNode

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_GRAPH_IDS = ('urn:x-rdflib:default',)


def esc(s):
    return (s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
            .replace('\r', '\\r').replace('\t', '\\t'))


def term(t):
    if t is None:
        return ''
    if isinstance(t, URIRef):
        if str(t) in DEFAULT_GRAPH_IDS:
            raise SystemExit('a GRAPH variable was bound to the default graph; tighten the query')
        return '<%s>' % t
    if isinstance(t, BNode):
        return '_:%s' % t
    if isinstance(t, Literal):
        s = '"%s"' % esc(str(t))
        if t.language:
            return s + '@' + t.language
        if t.datatype and str(t.datatype) != 'http://www.w3.org/2001/XMLSchema#string':
            return s + '^^<%s>' % t.datatype
        return s
    raise ValueError(repr(t))


def load():
    ds = Dataset(default_union=False)
    ds.parse(os.path.join(ROOT, 'data.nq'), format='nquads')
    ds.default_context.parse(os.path.join(ROOT, 'schema.nt'), format='nt')
    return ds


def ordered(query):
    body = '\n'.join(l for l in query.splitlines() if not l.lstrip().startswith('#'))
    return re.search(r'\bORDER\s+BY\b', body, re.I) is not None


def answer(ds, query):
    res = ds.query(query)
    if res.type != 'SELECT':
        raise SystemExit('only SELECT queries are supported by this script')
    names = [str(v) for v in res.vars]
    rows = ['\t'.join(term(r[v]) for v in res.vars) for r in res]
    if not ordered(query):
        rows.sort(key=lambda s: s.encode('utf-8'))
    return '\t'.join('?' + n for n in names) + '\n' + ''.join(r + '\n' for r in rows)


def main(argv):
    write = '--write' in argv
    picks = [a for a in argv if not a.startswith('--')]
    files = sorted(glob.glob(os.path.join(HERE, '[0-9][0-9]-*.rq')))
    if picks:
        files = [f for f in files if os.path.basename(f) in picks or f in picks]
    ds = load()
    bad = 0
    for rq in files:
        with open(rq, encoding='utf-8') as fh:
            q = fh.read()
        if not q.startswith('#'):
            print('%s: does not start with a # comment' % os.path.basename(rq))
            bad += 1
        got = answer(ds, q)
        tsv = rq[:-3] + '.tsv'
        if write:
            with open(tsv, 'w', encoding='utf-8') as fh:
                fh.write(got)
            print('wrote %s (%d rows)' % (os.path.basename(tsv), got.count('\n') - 1))
            continue
        with open(tsv, encoding='utf-8') as fh:
            want = fh.read()
        if ordered(q):
            same = got == want
        else:
            g, w = got.splitlines(), want.splitlines()
            same = g[:1] == w[:1] and sorted(g[1:]) == sorted(w[1:])
        if not same:
            bad += 1
            print('MISMATCH %s\n--- expected\n%s--- got\n%s' % (os.path.basename(rq), want, got))
        else:
            print('ok %s' % os.path.basename(rq))
    if bad:
        sys.exit(1)


if __name__ == '__main__':
    main(sys.argv[1:])
