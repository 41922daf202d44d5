/* page.js -- the query page of `trine serve`.
 * Results are built with DOM calls and textContent only: whatever the data
 * holds, it is never parsed as markup. */
'use strict';
(function () {
  var RESULTS = 'application/sparql-results+json';
  var GRAPH = 'text/turtle';
  /* A graph is shown from its N-Triples (counted a line a triple, only the
   * prefixes it uses declared); the Turtle download is the server's. */
  var NTRIPLES = 'application/n-triples';
  var MAX_ROWS = 5000;
  var RDF_TYPE = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type';
  var FORMATS = {
    bindings: [['JSON', RESULTS, 'json'], ['XML', 'application/sparql-results+xml', 'xml'],
               ['CSV', 'text/csv', 'csv'], ['TSV', 'text/tab-separated-values', 'tsv']],
    graph: [['N-Triples', NTRIPLES, 'nt'], ['Turtle', GRAPH, 'ttl']]
  };
  var $ = function (id) { return document.getElementById(id); };
  var prefixes = JSON.parse($('store-prefixes').textContent || '{}');
  var names = Object.keys(prefixes).sort();
  var marks = [];
  var busy = false;

  var cm = CodeMirror.fromTextArea($('query'), {
    mode: 'application/sparql-query', lineNumbers: true, matchBrackets: true,
    indentUnit: 2, viewportMargin: Infinity,
    extraKeys: { 'Ctrl-Enter': function () { run(); }, 'Cmd-Enter': function () { run(); } }
  });
  cm.on('change', clearMarks);

  /* The store's prefixes, declared on the query's first line so that the
   * lines the server reports are the editor's (columns of line 1 shift). */
  function prologue() {
    return names.map(function (n) { return 'PREFIX ' + n + ': <' + prefixes[n] + '> '; }).join('');
  }

  /* "name:local" for iri by the longest namespace whose rest is a plain
   * local name, else null. */
  function shorten(iri) {
    var best = null, len = -1;
    names.forEach(function (n) {
      var ns = prefixes[n];
      if (ns.length > len && iri.lastIndexOf(ns, 0) === 0 &&
          /^([A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?)?$/.test(iri.slice(ns.length))) {
        best = n + ':' + iri.slice(ns.length); len = ns.length;
      }
    });
    return best;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function describeQuery(iri) {
    return 'SELECT ?p ?o WHERE { ' + (shorten(iri) || '<' + iri + '>') + ' ?p ?o }';
  }

  function iriCell(iri) {
    var a = el('a', 'iri', shorten(iri) || '<' + iri + '>');
    a.href = '#query=' + encodeURIComponent(describeQuery(iri));
    a.title = iri;
    return a;
  }

  function termNode(t) {
    if (t.type === 'uri') return iriCell(t.value);
    if (t.type === 'bnode') return el('span', 'bnode', '_:' + t.value);
    var span = el('span', 'literal');
    span.appendChild(document.createTextNode(t.value));
    if (t['xml:lang']) span.appendChild(el('span', 'lang', '@' + t['xml:lang']));
    else if (t.datatype) span.appendChild(el('span', 'dtype', '^^' + (shorten(t.datatype) || '<' + t.datatype + '>')));
    return span;
  }

  function table(json) {
    var vars = json.head.vars || [], rows = json.results.bindings;
    var tbl = el('table', 'results'), head = tbl.createTHead().insertRow(), body = tbl.createTBody();
    vars.forEach(function (v) { head.appendChild(el('th', null, '?' + v)); });
    rows.slice(0, MAX_ROWS).forEach(function (b) {
      var tr = body.insertRow();
      vars.forEach(function (v) {
        var td = tr.insertCell();
        if (b[v]) td.appendChild(termNode(b[v]));
      });
    });
    var node = tbl;
    if (rows.length > MAX_ROWS) { /* a huge table would stall the page: the download has it all */
      node = el('div');
      node.appendChild(el('p', 'note', 'The first ' + MAX_ROWS + ' rows; download the result for all.'));
      node.appendChild(tbl);
    }
    return { node: node, count: rows.length + (rows.length === 1 ? ' row' : ' rows') };
  }

  function clearMarks() {
    marks.forEach(function (m) { m.clear ? m.clear() : cm.removeLineClass(m, 'background', 'cm-error-line'); });
    marks = [];
  }

  /* "query:LINE:COL: error: message" (the endpoint's 400): marked in the
   * editor at its line and column. */
  function showError(text, shift) {
    var box = $('error'), m = /^[^\n]*?:(\d+):(\d+): error: ([^\n]*)/.exec(text);
    box.hidden = false;
    if (!m) { box.textContent = text.trim(); return; }
    var line = +m[1], col = +m[2];
    if (line === 1) col = Math.max(1, col - shift);
    box.textContent = 'line ' + line + ', column ' + col + ': ' + m[3];
    if (line < 1 || line > cm.lineCount()) return;
    var text = cm.getLine(line - 1), len = text.length;
    /* The server counts characters, the editor UTF-16 units. */
    var from = Math.min(Array.from(text).slice(0, col - 1).join('').length, Math.max(len - 1, 0));
    marks.push(cm.addLineClass(line - 1, 'background', 'cm-error-line'));
    marks.push(cm.markText({ line: line - 1, ch: from }, { line: line - 1, ch: from + 1 },
                           { className: 'cm-error-mark' }));
  }

  function send(query, accept) {
    var shift = Array.from(prologue()).length;
    return fetch('/sparql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Accept': accept },
      body: new URLSearchParams({ query: prologue() + query })
    }).then(function (r) { return r.text().then(function (t) { return { r: r, text: t, shift: shift }; }); });
  }

  function downloads(query, kind) {
    var box = $('downloads');
    box.textContent = '';
    if (!kind) return;
    box.appendChild(document.createTextNode('Download: '));
    FORMATS[kind].forEach(function (f) {
      var b = el('button', 'download', f[0]);
      b.type = 'button';
      b.dataset.ext = f[2];
      b.addEventListener('click', function () {
        send(query, f[1]).then(function (x) {
          if (!x.r.ok) { showError(x.text, x.shift); return; }
          var a = el('a');
          a.href = URL.createObjectURL(new Blob([x.text], { type: f[1] }));
          a.download = 'result.' + f[2];
          document.body.appendChild(a);
          a.click();
          a.remove();
          setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
        });
      });
      box.appendChild(b);
    });
  }

  /* N-Triples (what the page asks for a graph) as Turtle: IRIs
   * shortened, a subject's consecutive triples grouped with ';'. */
  function turtle(ntriples) {
    var used = {}, out = [], last = null;
    function term(t) {
      var m = /^<([^>]*)>$/.exec(t), s;
      if (m && (s = shorten(m[1]))) { used[s.slice(0, s.indexOf(':'))] = 1; return s; }
      m = /^("(?:[^"\\]|\\.)*")\^\^<([^>]*)>$/.exec(t);
      if (m && (s = shorten(m[2]))) { used[s.slice(0, s.indexOf(':'))] = 1; return m[1] + '^^' + s; }
      return t;
    }
    ntriples.split('\n').forEach(function (line) {
      var m = /^(\S+) (<[^>]*>) (.*) \.$/.exec(line.trim());
      if (!m) { /* not a triple line: kept as it is */
        if (last !== null) out[out.length - 1] += ' .';
        if (/\S/.test(line)) out.push(line);
        last = null;
        return;
      }
      var s = term(m[1]), p = m[2] === '<' + RDF_TYPE + '>' ? 'a' : term(m[2]), o = term(m[3]);
      if (s === last) {
        out[out.length - 1] += ' ;';
        out.push('    ' + p + ' ' + o);
      } else {
        if (last !== null) out[out.length - 1] += ' .';
        out.push(s + ' ' + p + ' ' + o);
      }
      last = s;
    });
    if (last !== null) out[out.length - 1] += ' .';
    var head = names.filter(function (n) { return used[n]; })
      .map(function (n) { return '@prefix ' + n + ': <' + prefixes[n] + '> .'; });
    return (head.length ? head.join('\n') + '\n\n' : '') + out.join('\n') + '\n';
  }

  function render(x, ms) {
    var out = $('result'), type = x.r.headers.get('Content-Type') || '', shown, kind = null;
    if (type.indexOf(RESULTS) === 0) {
      var json = JSON.parse(x.text);
      if ('boolean' in json) shown = { node: el('p', 'boolean', json.boolean ? 'true' : 'false'), count: 'answered' };
      else shown = table(json);
      kind = 'bindings';
    } else {
      var n = x.text.split('\n').filter(function (l) { return /\S/.test(l); }).length;
      shown = { node: el('pre', 'graph', turtle(x.text)), count: n + (n === 1 ? ' triple' : ' triples') };
      kind = 'graph';
    }
    out.appendChild(shown.node);
    $('status').textContent = shown.count + ' in ' + ms + ' ms';
    return kind;
  }

  function run() {
    if (busy) return;
    var query = cm.getValue(), t0 = performance.now();
    busy = true;
    $('run').disabled = true;
    clearMarks();
    $('error').hidden = true;
    $('result').textContent = '';
    $('downloads').textContent = '';
    $('status').textContent = 'running...';
    send(query, RESULTS + ', ' + NTRIPLES + ';q=0.9').then(function (x) {
      var ms = Math.round(performance.now() - t0);
      if (!x.r.ok) {
        $('status').textContent = x.r.status + ' ' + x.r.statusText + ' after ' + ms + ' ms';
        showError(x.text, x.shift);
      } else {
        downloads(query, render(x, ms));
      }
    }).catch(function (e) {
      $('status').textContent = 'failed';
      showError(String(e), 0);
    }).then(function () { busy = false; $('run').disabled = false; });
  }

  /* A link's query (#query=...) goes to the editor and runs. */
  function fromHash() {
    var m = /^#query=(.*)$/.exec(location.hash);
    if (!m) return;
    try { cm.setValue(decodeURIComponent(m[1])); } catch (e) { return; } /* a bad %-escape */
    run();
  }

  $('run').addEventListener('click', run);
  window.addEventListener('hashchange', fromHash);
  names.forEach(function (n) {
    var c = el('code', null, n + ':');
    c.title = prefixes[n];
    $('prefixes').appendChild(c);
  });
  if (names.length) $('prefixes').insertBefore(document.createTextNode('Prefixes: '), $('prefixes').firstChild);
  fromHash();
})();
