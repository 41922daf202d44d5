#!/usr/bin/python3
"""Consistency checks for data.nq / schema.nt (run: /usr/bin/python3 check.py).

- data.nq and schema.nt parse with rdflib without any warning;
- every quad is in a named graph, no blank nodes;
- every term of the own namespace used in the data is declared in schema.nt
  with rdfs:label and rdfs:comment;
- every claim is reported by exactly one article, lives in that article's
  graph, and has a cas:quote;
- when the seeds are available (SEEDS env var, default /work/shared/seeds),
  every cas:quote is a verbatim substring of a seed file the reporting
  article was found in.
"""
import logging
import os
import sys
import warnings
from collections import defaultdict

from rdflib import Dataset, Graph, Literal, Namespace, URIRef, BNode, RDF, RDFS

HERE = os.path.dirname(os.path.abspath(__file__))
CAS = Namespace('https://trine.example/ca/schema#')
META = URIRef('https://trine.example/ca/graph/meta')
ANALYSIS = URIRef('https://trine.example/ca/graph/analysis')
errors = []


class Catch(logging.Handler):
    def emit(self, record):
        errors.append('rdflib log: ' + record.getMessage())


logging.getLogger().addHandler(Catch(level=logging.WARNING))
warnings.simplefilter('error')

ds = Dataset()
ds.parse(os.path.join(HERE, 'data.nq'), format='nquads')
schema = Graph()
schema.parse(os.path.join(HERE, 'schema.nt'), format='nt')

graphs = defaultdict(set)
used = set()
for s, p, o, g in ds.quads((None, None, None, None)):
    gid = g.identifier if hasattr(g, 'identifier') else g
    if gid is None or str(gid).startswith('urn:x-rdflib'):
        errors.append('quad outside named graph: %s %s %s' % (s, p, o))
    for t in (s, p, o, gid):
        if isinstance(t, BNode):
            errors.append('blank node in %s %s %s' % (s, p, o))
        if isinstance(t, URIRef) and str(t).startswith(str(CAS)):
            used.add(t)
    if p == RDF.type and str(o).startswith(str(CAS)):
        used.add(o)
    graphs[gid].add((s, p, o))

for t in sorted(used):
    if (t, RDFS.label, None) not in schema or (t, RDFS.comment, None) not in schema:
        errors.append('schema lacks label/comment for %s' % t)
for t in set(schema.subjects()):
    if str(t).startswith(str(CAS)) and (t, RDFS.label, None) not in schema:
        errors.append('schema term without label %s' % t)

union = Graph()
for g, ts in graphs.items():
    for t in ts:
        union.add(t)

claims = set(union.subjects(RDF.type, CAS.FigureClaim)) | set(union.subjects(RDF.type, CAS.StatementClaim))
seeds_dir = os.environ.get('SEEDS', '/work/shared/seeds')
have_seeds = os.path.isdir(seeds_dir)
for c in sorted(claims):
    arts = [(a, g) for g, ts in graphs.items() for (a, p, o) in ts if p == CAS.reports and o == c]
    if len(arts) != 1:
        errors.append('claim %s reported by %d articles' % (c, len(arts)))
        continue
    art, g = arts[0]
    if g != art:
        errors.append('reports triple for %s not in the article graph' % c)
    if not any(s == c and p == RDF.type for (s, p, o) in graphs[art]):
        errors.append('claim %s not described in graph %s' % (c, art))
    quotes = list(union.objects(c, CAS.quote))
    if len(quotes) != 1:
        errors.append('claim %s has %d quotes' % (c, len(quotes)))
    if have_seeds:
        files = sorted(str(o) for (s, p, o) in graphs[META] if s == art and p == CAS.seedFile)
        if not files:
            errors.append('article %s has no seed file' % art)
        texts = []
        for f in files:
            with open(os.path.join(seeds_dir, f), encoding='utf-8') as fh:
                texts.append(fh.read())
        for q in quotes:
            for f, t in zip(files, texts):
                if str(q) not in t:
                    errors.append('quote of %s not found verbatim in %s: %r' % (c, f, str(q)))
labels = defaultdict(set)
for s, p, o in union:
    if p == RDFS.label:
        labels[s].add(str(o))
for s, ls in labels.items():
    if len(ls) > 1:
        errors.append('%s has %d different labels: %s' % (s, len(ls), sorted(ls)))
for s in set(union.subjects(RDF.type, None)):
    if s not in labels:
        errors.append('typed node without rdfs:label: %s' % s)
for g in graphs:
    if g in (META, ANALYSIS):
        continue
    if not any(s == g and p == RDF.type for (s, p, o) in graphs[META]):
        errors.append('graph %s is not an article described in the meta graph' % g)

if errors:
    print('\n'.join(errors))
    sys.exit(1)
print('ok: %d quads in %d graphs, %d claims, %d schema triples, quotes checked against seeds: %s'
      % (sum(len(v) for v in graphs.values()), len(graphs), len(claims), len(schema), have_seeds))
