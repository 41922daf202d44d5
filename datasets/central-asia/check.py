#!/usr/bin/env python3
"""Consistency checks of the central-asia dataset, asked of trine itself.

usage: check.py TRINE [STORE]

Loads src/ into STORE (a temporary store when not given) with
scripts/build-dataset, then asks SPARQL questions through the trine program
and reports every rule broken as FILE:LINE:COL: error: ... when a seed
position is involved, else as "error: ...". Python 3 standard library only.

Rules: data only in named graphs, the default graph holds the schema; no
blank nodes; every own term used is declared with rdfs:label and
rdfs:comment; every claim is reported by exactly one article, in that
article's graph, with exactly one quote; one label per node; typed nodes
labelled; every data graph is an article of graph:meta (or meta, analysis);
every figure has its wording (cas:valueAsStated), a population,
population kinds, one time scope and one period text, with the typed dates its scope needs; a figure about
nationals (cas:nationality) has pop:nationals and never
pop:naturalised-russians; tensions join two claims, give a reason and a
kind; cas:supports and cas:contradicts are stated both ways; framing claims
name a framing; the values of population kinds, time scopes, framings and
measures are described in graph:meta.

With the seed articles present (SEEDS, default /work/shared/seeds), every
quote is found verbatim in each seed file of its article, each
cas:seedPosition FILE:LINE:COL points at the quote's start there, and each
seed page's cas:hostSiteEvidence is found verbatim in it. Without
them those two checks are skipped with a message.
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CAS = 'https://trine.example/ca/schema#'
PREFIXES = '''PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cas: <https://trine.example/ca/schema#>
PREFIX graph: <https://trine.example/ca/graph/>
PREFIX pop: <https://trine.example/ca/population/>
PREFIX scope: <https://trine.example/ca/scope/>
'''
errors = []


def cell(text):
    """One TSV cell as (kind, value): ('iri', s), ('lit', s), ('blank', s) or ('', '')."""
    if text == '':
        return ('', '')
    if text.startswith('<') and text.endswith('>'):
        return ('iri', text[1:-1])
    if text.startswith('_:'):
        return ('blank', text)
    if text.startswith('"'):
        out, i = [], 1
        esc = {'t': '\t', 'n': '\n', 'r': '\r', '"': '"', '\\': '\\', "'": "'", 'b': '\b', 'f': '\f'}
        while i < len(text) and text[i] != '"':
            if text[i] == '\\':
                nxt = text[i + 1]
                if nxt in 'uU':
                    width = 4 if nxt == 'u' else 8
                    out.append(chr(int(text[i + 2:i + 2 + width], 16)))
                    i += 2 + width
                    continue
                out.append(esc[nxt])
                i += 2
                continue
            out.append(text[i])
            i += 1
        return ('lit', ''.join(out))
    return ('lit', text)  # a bare number or boolean


class Trine:
    """The trine program on one store. rows() asks one query now; later()
    queues a query whose rows go to a function, and flush() asks all queued
    queries in one run of trine (one start, one open of the store)."""

    def __init__(self, exe, store):
        self.exe, self.store = exe, store
        self.pending = []

    def run(self, queries):
        run = subprocess.run([self.exe, '--format=tsv', self.store] + [PREFIXES + q for q in queries],
                             capture_output=True, text=True, encoding='utf-8')
        if run.returncode != 0:
            sys.exit('error: trine failed on a check query: %s' % run.stderr.strip())
        # Each answer starts with its header line (?var...); no row starts with '?'.
        answers = []
        for line in run.stdout.split('\n'):
            if line.startswith('?'):
                answers.append([])
            elif line != '':
                answers[-1].append(line)
        if len(answers) != len(queries):
            sys.exit('error: %d answers from trine for %d queries' % (len(answers), len(queries)))
        return answers

    def rows(self, query):
        """The rows of a SELECT query as lists of values (IRIs and literal forms)."""
        return [[cell(c)[1] for c in line.split('\t')] for line in self.run([query])[0]]

    def later(self, query, fn, kinds=False):
        self.pending.append((query, fn, kinds))

    def flush(self):
        queued, self.pending = self.pending, []
        answers = self.run([q for q, _, _ in queued])
        for (query, fn, kinds), lines in zip(queued, answers):
            fn([[cell(c)[0 if kinds else 1] for c in line.split('\t')] for line in lines])


def short(iri):
    for p, ns in (('cas:', CAS), ('claim:', 'https://trine.example/ca/claim/'),
                  ('art:', 'https://trine.example/ca/article/'), ('tension:', 'https://trine.example/ca/tension/')):
        if iri.startswith(ns):
            return p + iri[len(ns):]
    return "<%s>" % iri if "://" in iri else iri


def fail(msg):
    errors.append('error: ' + msg)


def each(t, query, msg):
    """Every row of QUERY is a broken rule; MSG formats it (asked at flush)."""
    t.later(query, lambda rows: [fail(msg % tuple(short(v) for v in row)) for row in rows])


def check_graphs(t):
    each(t, 'SELECT ?s WHERE { ?s ?p ?o FILTER (!STRSTARTS(STR(?s), STR(cas:))) } LIMIT 5',
         'the default graph holds %s, which is not a term of the schema')
    t.later('SELECT ?s ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER (isBlank(?s) || isBlank(?o)) } LIMIT 5',
            lambda rows: [fail('blank node in a named graph (%s)' % ','.join(row)) for row in rows], kinds=True)
    each(t, '''SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o }
                 FILTER (?g != graph:meta && ?g != graph:analysis)
                 FILTER NOT EXISTS { GRAPH graph:meta { ?g a ?type } } }''',
         'graph %s is not an article described in graph:meta')


def check_terms(t):
    used, declared = set(), set()
    for q in ('SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s ?t ?o } }',
              'SELECT DISTINCT ?t WHERE { GRAPH ?g { ?s ?p ?t } FILTER isIRI(?t) }',
              'SELECT DISTINCT ?t WHERE { GRAPH ?g { ?t ?p ?o } }'):
        t.later(q, lambda rows: used.update(r[0] for r in rows if r[0].startswith(CAS)))

    def compare(rows):
        declared.update(r[0] for r in rows)
        for term in sorted(used - declared):
            fail('%s is used but the schema gives it no rdfs:label and rdfs:comment' % short(term))
    t.later('SELECT ?t WHERE { ?t rdfs:label ?l ; rdfs:comment ?c }', compare)
    each(t, '''SELECT ?t WHERE { ?t ?p ?o FILTER NOT EXISTS { ?t rdfs:label ?l } }''',
         'schema term %s has no rdfs:label')
    # Values of the controlled vocabularies are described in graph:meta.
    for prop in ('populationKind', 'timeScope', 'framesAs', 'listFraming', 'counts'):
        each(t, '''SELECT DISTINCT ?v WHERE { GRAPH ?g { ?s cas:%s ?v }
                     FILTER NOT EXISTS { GRAPH graph:meta { ?v a ?c ; rdfs:label ?l } } }''' % prop,
             'value %%s of cas:%s is not described in graph:meta' % prop)
    each(t, '''SELECT DISTINCT ?v WHERE { GRAPH ?g { ?s cas:populationKind|cas:timeScope|cas:framesAs ?v }
                 FILTER NOT EXISTS { GRAPH graph:meta { ?v rdfs:comment ?c } } }''',
         'value %s has no rdfs:comment in graph:meta')


def check_claims(t):
    claims = 'VALUES ?type { cas:FigureClaim cas:StatementClaim cas:FramingClaim }'
    each(t, '''SELECT ?c (COUNT(DISTINCT ?a) AS ?n) WHERE {
                 { SELECT DISTINCT ?c WHERE { %s GRAPH ?g { ?c a ?type } } }
                 OPTIONAL { GRAPH ?ga { ?a cas:reports ?c } } }
               GROUP BY ?c HAVING (COUNT(DISTINCT ?a) != 1)''' % claims,
         'claim %s is reported by %s articles, not one')
    each(t, 'SELECT ?c ?g WHERE { GRAPH ?g { ?a cas:reports ?c } FILTER (?g != ?a) }',
         'cas:reports of %s is in graph %s, not in its article\'s graph')
    each(t, '''SELECT ?c WHERE { GRAPH ?a { ?a cas:reports ?c }
                 FILTER NOT EXISTS { GRAPH ?a { ?c a ?type } } }''',
         'claim %s is not described in its article\'s graph')
    each(t, '''SELECT ?c (COUNT(?q) AS ?n) WHERE { GRAPH ?a { ?a cas:reports ?c }
                 OPTIONAL { GRAPH ?a { ?c cas:quote ?q } } } GROUP BY ?c HAVING (COUNT(?q) != 1)''',
         'claim %s has %s quotes, not one')
    each(t, '''SELECT ?s (COUNT(DISTINCT ?l) AS ?n) WHERE { GRAPH ?g { ?s rdfs:label ?l } }
               GROUP BY ?s HAVING (COUNT(DISTINCT ?l) > 1)''',
         '%s has %s different labels')
    each(t, '''SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s a ?t }
                 FILTER NOT EXISTS { GRAPH ?h { ?s rdfs:label ?l } } }''',
         'typed node %s has no rdfs:label')
    each(t, '''SELECT ?c WHERE { GRAPH ?g { ?c a cas:FramingClaim }
                 FILTER NOT EXISTS { GRAPH ?h { ?c cas:framesAs ?f } } }''',
         'framing claim %s names no framing (cas:framesAs)')


def check_figures(t):
    fig = 'GRAPH ?g { ?c a cas:FigureClaim }'
    for prop, rule in (('population', '!= 1'), ('timeScope', '!= 1'), ('periodText', '!= 1'),
                       ('populationKind', '< 1')):
        each(t, '''SELECT ?c (COUNT(DISTINCT ?v) AS ?n) WHERE { %s
                     OPTIONAL { GRAPH ?g { ?c cas:%s ?v } } } GROUP BY ?c HAVING (COUNT(DISTINCT ?v) %s)'''
             % (fig, prop, rule), 'figure %%s has %%s cas:%s' % prop)
    each(t, '''SELECT ?c WHERE { %s FILTER NOT EXISTS { GRAPH ?g { ?c cas:valueAsStated ?v } } }''' % fig,
         'figure %s has no cas:valueAsStated (the figure in the article\'s words)')
    each(t, '''SELECT ?c WHERE { GRAPH ?g { ?c cas:minValue ?v } FILTER NOT EXISTS { GRAPH ?g { ?c cas:maxValue ?w } } }''',
         'figure %s has a cas:minValue without a cas:maxValue')
    needs = (('period', 'cas:periodStart|cas:periodEnd'), ('as-of', 'cas:asOf'), ('date', 'cas:eventDate'))
    for scope, props in needs:
        each(t, '''SELECT ?c WHERE { GRAPH ?g { ?c cas:timeScope scope:%s }
                     FILTER NOT EXISTS { GRAPH ?g { ?c %s ?d } } }''' % (scope, props),
             'figure %%s has time scope %s but no %s' % (scope, props))
    each(t, '''SELECT ?c ?s WHERE { GRAPH ?g { ?c cas:timeScope ?s ; cas:periodStart|cas:periodEnd|cas:asOf ?d }
                 FILTER (?s = scope:relative || ?s = scope:unstated) }''',
         'figure %s has a typed date but time scope %s')
    each(t, '''SELECT ?c WHERE { GRAPH ?g { ?c a cas:FigureClaim ; cas:nationality ?n }
                 FILTER NOT EXISTS { GRAPH ?g { ?c cas:populationKind pop:nationals } } }''',
         'figure %s has cas:nationality but does not count nationals (pop:nationals)')
    each(t, '''SELECT ?c WHERE { GRAPH ?g { ?c cas:populationKind pop:naturalised-russians ; cas:nationality ?n } }''',
         'figure %s counts naturalised Russian citizens but gives a cas:nationality (use cas:origin)')


def check_analysis(t):
    for prop in ('supports', 'contradicts'):
        each(t, '''SELECT ?a ?b WHERE { GRAPH graph:analysis { ?a cas:%s ?b }
                     FILTER NOT EXISTS { GRAPH graph:analysis { ?b cas:%s ?a } } }''' % (prop, prop),
             '%%s cas:%s %%s is not stated the other way' % prop)
    tension = 'GRAPH graph:analysis { ?t a cas:Tension }'
    each(t, '''SELECT ?t (COUNT(DISTINCT ?c) AS ?n) WHERE { %s OPTIONAL { GRAPH graph:analysis { ?t cas:between ?c } } }
               GROUP BY ?t HAVING (COUNT(DISTINCT ?c) != 2)''' % tension,
         'tension %s joins %s claims, not two')
    each(t, 'SELECT ?t WHERE { %s FILTER NOT EXISTS { GRAPH graph:analysis { ?t cas:reason ?r } } }' % tension,
         'tension %s gives no cas:reason')
    # OPTIONAL and a count, not FILTER NOT EXISTS: trine's EXISTS over a
    # GRAPH pattern joined with a default-graph pattern finds nothing.
    each(t, '''SELECT ?t WHERE { %s OPTIONAL { GRAPH graph:analysis { ?t a ?k } ?k rdfs:subClassOf cas:Tension } }
               GROUP BY ?t HAVING (COUNT(?k) = 0)''' % tension,
         'tension %s has no kind (a subclass of cas:Tension)')
    each(t, '''SELECT ?t WHERE { GRAPH graph:analysis { ?t a cas:Subset }
                 FILTER NOT EXISTS { GRAPH graph:analysis { ?t cas:part ?p ; cas:whole ?w ; cas:between ?p , ?w } } }''',
         'subset tension %s does not name its part and whole among the two claims')
    each(t, '''SELECT ?t ?c WHERE { GRAPH graph:analysis { ?t cas:between ?c }
                 FILTER NOT EXISTS { GRAPH ?a { ?a cas:reports ?c } } }''',
         'tension %s joins %s, which no article reports')


def seed_texts(t, seeds):
    """{article: [(file, text)]} from graph:meta."""
    out = {}
    for art, name in t.rows('SELECT ?a ?f WHERE { GRAPH graph:meta { ?a cas:seedFile ?f } }'):
        with open(os.path.join(seeds, name), encoding='utf-8') as fh:
            out.setdefault(art, []).append((name, fh.read()))
    return out


def position(text, offset):
    line = text.count('\n', 0, offset) + 1
    col = offset - (text.rfind('\n', 0, offset) + 1) + 1
    return line, col


def check_quotes(t, seeds):
    rows = t.rows('SELECT ?a ?c ?q WHERE { GRAPH ?a { ?a cas:reports ?c . ?c cas:quote ?q } }')
    positions = {}
    for c, p in t.rows('SELECT ?c ?p WHERE { GRAPH ?a { ?c cas:seedPosition ?p } }'):
        positions.setdefault(c, set()).add(p)
    if seeds is None:
        for c, ps in positions.items():
            for p in ps:
                parts = p.rsplit(':', 2)
                if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
                    fail('%s: cas:seedPosition %r is not FILE:LINE:COL' % (short(c), p))
        return
    texts = seed_texts(t, seeds)
    for name, evidence in t.rows('''SELECT ?f ?e WHERE { GRAPH graph:meta {
                                     ?s cas:fileName ?f ; cas:hostSiteEvidence ?e } }'''):
        with open(os.path.join(seeds, name), encoding='utf-8') as fh:
            if evidence not in fh.read():
                fail('host-site evidence not found verbatim in %s: %r' % (name, evidence))
    for art, c, q in rows:
        want = set()
        for name, text in texts.get(art, []):
            at = text.find(q)
            if at < 0:
                fail('%s: quote not found verbatim in %s: %r' % (short(c), name, q))
                want |= {p for p in positions.get(c, ()) if p.startswith(name + ':')}
                continue
            starts = set()
            while at >= 0:
                starts.add('%s:%d:%d' % ((name,) + position(text, at)))
                at = text.find(q, at + 1)
            have = {p for p in positions.get(c, ()) if p.startswith(name + ':')}
            if len(have) != 1 or not have <= starts:
                first = sorted(starts, key=lambda s: [int(x) for x in s.split(':')[1:]])[0]
                errors.append('%s: error: %s: cas:seedPosition should be %s (has %s)'
                              % (first, short(c), first, sorted(have) or 'none'))
            want |= have
        for p in positions.get(c, set()) - want:
            errors.append('%s: error: %s: cas:seedPosition names a file its article is not in' % (p, short(c)))


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit('usage: check.py TRINE [STORE]')
    exe = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix='trine-check-') as tmp:
        store = sys.argv[2] if len(sys.argv) == 3 else os.path.join(tmp, 'store')
        if len(sys.argv) == 2:
            subprocess.run([os.path.join(ROOT, 'scripts', 'build-dataset'), exe, store], check=True)
        t = Trine(exe, store)
        for step in (check_graphs, check_terms, check_claims, check_figures, check_analysis):
            step(t)
        t.flush()
        seeds = os.environ.get('SEEDS', '/work/shared/seeds')
        if not os.path.isdir(seeds):
            print('seed articles not found in %s: quotes and seed positions not checked against them' % seeds)
            seeds = None
        check_quotes(t, seeds)
        n = t.rows('SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }')[0][0]
        claims = t.rows('SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?a { ?a cas:reports ?c } }')[0][0]
    if errors:
        print('\n'.join(errors))
        print('%d errors' % len(errors))
        sys.exit(1)
    print('ok: %s quads in named graphs, %s claims; quotes checked against the seeds: %s'
          % (n, claims, 'yes' if seeds else 'no'))


if __name__ == '__main__':
    main()
