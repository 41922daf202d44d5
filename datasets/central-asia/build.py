#!/usr/bin/python3
"""Build data.nq and schema.nt from the hand-written sources in src/.

Run with Debian's python (it has rdflib):  /usr/bin/python3 build.py
The sources are TriG/Turtle written by hand from the seed articles; this
script only changes the syntax (TriG -> N-Quads, Turtle -> N-Triples) and
sorts the lines so that diffs stay readable.
"""
import glob
import os
import sys

from rdflib import Dataset, Graph, Literal, URIRef

HERE = os.path.dirname(os.path.abspath(__file__))


def esc(s):
    out = []
    for ch in s:
        if ch == '\\':
            out.append('\\\\')
        elif ch == '"':
            out.append('\\"')
        elif ch == '\n':
            out.append('\\n')
        elif ch == '\r':
            out.append('\\r')
        elif ch == '\t':
            out.append('\\t')
        else:
            out.append(ch)
    return ''.join(out)


def term(t):
    if isinstance(t, URIRef):
        return '<%s>' % t
    if isinstance(t, Literal):
        s = '"%s"' % esc(str(t))
        if t.language:
            return s + '@' + t.language
        if t.datatype and str(t.datatype) != 'http://www.w3.org/2001/XMLSchema#string':
            return s + '^^<%s>' % t.datatype
        return s
    raise ValueError('blank nodes are not allowed: %r' % (t,))


def main():
    prefixes = open(os.path.join(HERE, 'src', 'prefixes.ttl'), encoding='utf-8').read()

    ds = Dataset()
    for f in sorted(glob.glob(os.path.join(HERE, 'src', '*.trig'))):
        ds.parse(data=prefixes + open(f, encoding='utf-8').read(), format='trig', publicID='https://trine.example/ca/')
    lines = set()
    for s, p, o, g in ds.quads((None, None, None, None)):
        if g is None or str(g) == 'urn:x-rdflib:default':
            sys.exit('triple outside a named graph: %s %s %s' % (s, p, o))
        gid = g.identifier if hasattr(g, 'identifier') else g
        lines.add('%s %s %s %s .' % (term(s), term(p), term(o), term(gid)))
    with open(os.path.join(HERE, 'data.nq'), 'w', encoding='utf-8') as out:
        for line in sorted(lines):
            out.write(line + '\n')

    sg = Graph()
    sg.parse(data=prefixes + open(os.path.join(HERE, 'src', 'schema.ttl'), encoding='utf-8').read(), format='turtle')
    slines = sorted('%s %s %s .' % (term(s), term(p), term(o)) for s, p, o in sg)
    with open(os.path.join(HERE, 'schema.nt'), 'w', encoding='utf-8') as out:
        for line in slines:
            out.write(line + '\n')
    print('data.nq: %d quads, schema.nt: %d triples' % (len(lines), len(slines)))


if __name__ == '__main__':
    main()
