#!/usr/bin/env python3
"""Coverage report: is every figure written in the seed articles held by a claim?

usage: coverage.py TRINE [STORE] [--quiet]

STORE: a store already loaded from src/ (by default a temporary one is
loaded with scripts/build-dataset).

Finds every figure in the seed files (numbers in digits, and number words
such as "two", "dozens", "million") and says for each where it is:

  held      a claim's quote covers it (at the claim's cas:seedPosition) and
            the claim records it: the number is among the claim's values,
            dates, wordings (cas:valueAsStated, cas:periodText, ...) or the
            labels of what the claim is about;
  excluded  coverage-exclusions.tsv (reviewed, in the repository) says why
            it is left out: page furniture, an off-topic article, an
            idiom rather than a count, ... An entry whose token is
            TOKEN@COLUMN names one occurrence and wins even over a claim
            whose wording repeats the word;
  MISSING   neither.

Exits 1 when a figure is missing or an exclusion matches no figure (a stale
entry), 77 (skipped) when the seed articles are absent (SEEDS, default
/work/shared/seeds). Python 3 standard library and trine only.
"""
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check  # noqa: E402

WORDS = {w: n for n, w in enumerate(
    'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen '
    'fifteen sixteen seventeen eighteen nineteen twenty'.split())}
WORDS.update({'thirty': 30, 'forty': 40, 'fifty': 50, 'sixty': 60, 'seventy': 70, 'eighty': 80, 'ninety': 90})
SCALES = ('dozen', 'hundred', 'thousand', 'million', 'billion')
FIGURE = re.compile(r'\d+(?:[.,]\d+)*|\b(?:%s|(?:%s)s?)\b' % ('|'.join(WORDS), '|'.join(SCALES)), re.I)

# Literal properties of a claim that may record a figure, besides the linked labels.
FIELDS = ('value', 'minValue', 'maxValue', 'valueAsStated', 'periodText', 'statedWhen', 'statedOn',
          'eventDate', 'periodStart', 'periodEnd', 'asOf', 'population', 'occasion', 'channel')


def figures(text):
    """(line, col, token) of every figure in TEXT, 1-based."""
    for m in FIGURE.finditer(text):
        line, col = check.position(text, m.start())
        yield line, col, m.start(), m.group(0)


def forms(literal):
    """The figures a recorded literal holds, normalised (digits without commas; words lower case)."""
    out = set()
    text = literal.replace(',', '')
    for m in re.finditer(r'\d+(?:\.\d+)?', text):
        out.add(m.group(0))
        out.add(m.group(0).lstrip('0') or '0')
    for w in re.findall(r'[A-Za-z]+', literal):
        w = w.lower()
        if w in WORDS:
            out.add(w)
            out.add(str(WORDS[w]))
        for s in SCALES:
            if w in (s, s + 's'):
                out.add(s)
    return out


def norm(token):
    t = token.lower().replace(',', '')
    for s in SCALES:
        if t in (s, s + 's'):
            return s
    return t


def claims(t):
    """{claim: {'spans': [(file, start, end)], 'forms': set()}} from trine."""
    out = {}
    for c, q, pos in t.rows('SELECT ?c ?q ?p WHERE { GRAPH ?a { ?c cas:quote ?q ; cas:seedPosition ?p } }'):
        out.setdefault(c, {'spans': [], 'forms': set()})['spans'].append((pos, len(q)))
    values = ' '.join('cas:' + f for f in FIELDS)
    for c, v in t.rows('''SELECT ?c ?v WHERE { VALUES ?p { %s rdfs:label }
                          GRAPH ?a { ?a cas:reports ?c . ?c ?p ?v } }''' % values):
        if c in out:
            out[c]['forms'] |= forms(v)
    for c, v in t.rows('''SELECT ?c ?v WHERE { GRAPH ?a { ?a cas:reports ?c . ?c ?p ?o }
                          GRAPH ?g { ?o rdfs:label ?v } }'''):
        if c in out:
            out[c]['forms'] |= forms(v)
    return out


def exclusions(path):
    rows = []
    with open(path, encoding='utf-8') as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.rstrip('\n').split('\t')
            if len(parts) != 4 or not parts[3].strip():
                sys.exit('%s:%d:1: error: want FILE<TAB>LINES<TAB>TOKEN<TAB>REASON' % (path, n))
            lo, _, hi = parts[1].partition('-')
            rows.append({'file': parts[0], 'lo': int(lo), 'hi': int(hi or lo), 'token': parts[2],
                         'reason': parts[3], 'where': '%s:%d' % (path, n), 'used': 0,
                         'pinned': '@' in parts[2]})
    return rows


def pinned(rows, name, line, col, token):
    for r in rows:
        if r['pinned'] and r['file'] == name and r['lo'] <= line <= r['hi'] and r['token'] == '%s@%d' % (token, col):
            r['used'] += 1
            return r
    return None


def excluded(rows, name, line, token):
    for r in rows:
        if not r['pinned'] and r['file'] == name and r['lo'] <= line <= r['hi'] and r['token'] in ('*', token):
            r['used'] += 1
            return r
    return None


def main():
    args = [a for a in sys.argv[1:] if a != '--quiet']
    quiet = len(args) != len(sys.argv) - 1
    if len(args) not in (1, 2):
        sys.exit('usage: coverage.py TRINE [STORE] [--quiet]')
    seeds = os.environ.get('SEEDS', '/work/shared/seeds')
    if not os.path.isdir(seeds):
        print('skipped: the seed articles are not in %s (a fresh clone); set SEEDS to check coverage' % seeds)
        sys.exit(77)
    exe = os.path.abspath(args[0])
    with tempfile.TemporaryDirectory(prefix='trine-coverage-') as tmp:
        store = args[1] if len(args) == 2 else os.path.join(tmp, 'store')
        if len(args) == 1:
            subprocess.run([os.path.join(check.ROOT, 'scripts', 'build-dataset'), exe, store], check=True)
        held_by = claims(check.Trine(exe, store))
    rules = exclusions(os.path.join(HERE, 'coverage-exclusions.tsv'))
    counts = {'held': 0, 'excluded': 0, 'MISSING': 0}
    for name in sorted(os.listdir(seeds)):
        with open(os.path.join(seeds, name), encoding='utf-8') as fh:
            text = fh.read()
        for line, col, at, token in figures(text):
            key = norm(token)
            holders = []
            for c, info in held_by.items():
                for pos, length in info['spans']:
                    f, l, k = pos.rsplit(':', 2)
                    if f != name:
                        continue
                    start = sum(len(x) + 1 for x in text.split('\n')[:int(l) - 1]) + int(k) - 1
                    if start <= at < start + length and key in info['forms']:
                        holders.append(c)
            # An exclusion pinned to the column overrides a hold: a claim's
            # wording may repeat an idiom ("one-way ticket") that is no figure.
            rule = pinned(rules, name, line, col, token) or (None if holders else excluded(rules, name, line, token))
            if rule and rule['pinned']:
                holders = []
            state = 'held' if holders else 'excluded' if rule else 'MISSING'
            counts[state] += 1
            if not quiet or state == 'MISSING':
                why = (check.short(sorted(holders)[0]) if holders else rule['reason'] if rule else
                       'no claim holds it and no exclusion explains it')
                print('%s:%d:%d: %s %s: %s' % (name, line, col, state, token, why))
    stale = [r for r in rules if not r['used']]
    for r in stale:
        print('%s: error: exclusion matches no figure that is not held: %s %s' % (r['where'], r['file'], r['token']))
    total = sum(counts.values())
    print('figures in the seeds: %d; held by claims: %d; excluded with a reason: %d; missing: %d'
          % (total, counts['held'], counts['excluded'], counts['MISSING']))
    sys.exit(1 if counts['MISSING'] or stale else 0)


if __name__ == '__main__':
    main()
