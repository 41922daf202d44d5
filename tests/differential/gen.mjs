// Random small datasets and random SPARQL 1.1 SELECT/ASK queries for
// differential testing (docs/testing.md, "Differential testing").
// Everything comes from one seeded generator, so a seed names a dataset
// or a query exactly. The choices that keep queries inside what the spec
// defines (no RAND/NOW/UUID/BNODE, no GROUP_CONCAT or SAMPLE, ORDER BY
// only on variables) are listed in docs/testing.md.

const EX = "http://example.org/";
const XSD = "http://www.w3.org/2001/XMLSchema#";

// mulberry32: small, fast, good enough to pick among a few choices.
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
  return r;
}

// The dataset's vocabulary: p0 links nodes (paths walk it), p1 gives
// integers, p2 strings (plain and language-tagged), p3 decimals, p4 a mix
// of its own (booleans, IRIs of predicates, integers from 100, strings
// "z..."). No two predicates share an object, so no (s, o) pair has two
// predicates: a negated property set then gives the same rows whether it
// is read as a set (SPARQL 1.1 18.5, trine) or per triple (Oxigraph 0.5.11
// with its subject bound); see docs/testing.md.
const NODES = ["a0", "a1", "a2", "a3", "a4", "a5"];
const PREDS = ["p0", "p1", "p2", "p3", "p4"];
const GRAPHS = ["g0", "g1"];
const STRINGS = ["abc", "Abc", "b", "", "foo bar", "ab\\\"c", "é"];
const LANGS = ["en", "fr", "en-gb"];

const iri = (local) => `<${EX}${local}>`;
const typed = (lex, dt) => `"${lex}"^^<${XSD}${dt}>`;

function integerLit(r) { return typed(String(r.int(12) - 3), "integer"); }
// Decimals in Oxigraph's canonical form: it keeps "3.0" as "3" (STR()
// then differs), where RDF 1.1 keeps the lexical form.
function decimalLit(r) { return typed(r.pick(["1.5", "2.25", "-0.5", "3.75", "0.1"]), "decimal"); }
function stringLit(r) {
  const s = `"${r.pick(STRINGS)}"`;
  return r.chance(0.3) ? `${s}@${r.pick(LANGS)}` : s;
}
function node(r, blanks) { return r.chance(0.15) ? `_:b${r.int(blanks)}` : iri(r.pick(NODES)); }

function object(r, pred, blanks) {
  switch (pred) {
    case "p0": return node(r, blanks);
    case "p1": return integerLit(r);
    case "p2": return stringLit(r);
    case "p3": return decimalLit(r);
    default:
      return r.pick([() => typed(String(100 + r.int(4)), "integer"),
        () => `"z${r.pick(["", "a", "b"])}"${r.chance(0.3) ? "@en" : ""}`,
        () => typed(r.pick(["true", "false"]), "boolean"), () => iri(r.pick(PREDS))])();
  }
}

// An N-Quads document of 10 to 40 distinct quads over a few graphs.
export function genDataset(seed) {
  const r = rng(seed * 7919 + 17);
  const n = 10 + r.int(31), blanks = 1 + r.int(3);
  const quads = new Set();
  for (let i = 0; i < n; i++) {
    const p = r.pick(PREDS);
    const g = r.chance(0.6) ? "" : ` ${iri(r.pick(GRAPHS))}`;
    quads.add(`${node(r, blanks)} ${iri(p)} ${object(r, p, blanks)}${g} .`);
  }
  return [...quads].join("\n") + "\n";
}

// Query generation. A scope lists the variables a pattern may bind; new
// names come from a counter so BIND and aggregates never reuse one in
// scope (a syntax error by SPARQL 1.1 18.2.1).
class Gen {
  constructor(seed) {
    this.r = rng(seed * 104729 + 3);
    this.fresh = 0;
  }
  newVar(prefix = "v") { return `?${prefix}${this.fresh++}`; }
  varFrom(vars, p = 0.8) { return vars.length && this.r.chance(p) ? this.r.pick(vars) : this.newVar(); }

  term(pos, pred) {
    const r = this.r;
    if (pos === "p") return iri(r.pick(PREDS));
    if (pos === "s") return iri(r.pick(NODES));
    return object(r, pred || "p4", 1).replace(/^_:b\d+$/, iri(r.pick(NODES)));
  }

  // A property path and whether it may match zero steps. Alternatives
  // join predicates whose pairs never overlap (p0 links nodes, p1-p3 give
  // literals): Oxigraph 0.5.11 keeps one copy of a pair both sides give,
  // where SPARQL 1.1 18.4 (Union) keeps both (docs/testing.md).
  path() {
    const r = this.r, p = () => iri(r.pick(PREDS)), p0 = iri("p0");
    const lit = () => iri(r.pick(["p1", "p2", "p3"]));
    return r.pick([
      () => [`${p0}+`, false], () => [`${p0}*`, true], () => [`${p0}?`, true],
      () => [`^${p0}`, false], () => [`${p0}/${p()}`, false], () => [`(${p0}|${lit()})`, false],
      () => [`!${p()}`, false], () => [`!(${lit()}|^${p0})`, false],
      () => [`(${p0}/^${p0})`, false], () => [`(^${p0})+`, false],
    ])();
  }

  // One triple pattern; pushes the variables it binds onto vars, and onto
  // info (when given) those it surely binds: info.bound all of them,
  // info.numeric the objects of p1 and p3 (numbers only).
  triple(vars, info) {
    const r = this.r;
    let p, pred = null, zero = false;
    if (r.chance(0.12)) p = this.varFrom([]);
    else if (r.chance(0.18)) [p, zero] = this.path();
    else { pred = r.pick(PREDS); p = iri(pred); }
    // A zero-step path gets variables at both ends: Oxigraph 0.5.11 drops
    // a constant end that is not in the graph, which SPARQL 1.1 18.4 keeps.
    const s = zero || r.chance(0.9) ? this.varFrom(vars, 0.6) : this.term("s");
    const o = zero || r.chance(0.85) ? this.varFrom(vars, 0.3) : this.term("o", pred);
    for (const t of [s, p, o]) if (t.startsWith("?") && !vars.includes(t)) vars.push(t);
    if (info) {
      for (const t of [s, p, o]) if (t.startsWith("?")) info.bound.push(t);
      if ((pred === "p1" || pred === "p3") && o.startsWith("?")) info.numeric.push(o);
    }
    return `${s} ${p} ${o} .`;
  }

  // A group graph pattern; vars grows with what it binds.
  group(vars, depth, info) {
    const r = this.r, parts = [];
    const triples = 1 + r.int(2);
    for (let i = 0; i < triples; i++) parts.push(this.triple(vars, info));
    const extras = depth > 0 ? r.int(3) : r.int(2);
    for (let i = 0; i < extras; i++) parts.push(this.element(vars, depth));
    return `{ ${parts.join(" ")} }`;
  }

  element(vars, depth) {
    const r = this.r;
    const inner = () => { const v = vars.slice(); const g = this.group(v, depth - 1); return [g, v]; };
    const choices = [
      () => `FILTER(${this.expr(vars, 2, "bool")})`,
      () => `BIND(${this.expr(vars, 2)} AS ${this.bindVar(vars)})`,
    ];
    // Inside EXISTS, MINUS, VALUES and sub-queries meet the outer
    // solution's variables, where SPARQL 1.1 18.6 substitutes them
    // (trine) and Oxigraph joins with the outer solution; the readings
    // differ (docs/testing.md), so the generator keeps them out.
    const plain = !this.inExists;
    if (plain) choices.push(() => this.values(vars));
    if (depth > 0) choices.push(
      () => { const [g, v] = inner(); vars.splice(0, vars.length, ...v); return `OPTIONAL ${g}`; },
      () => { const [a, v1] = inner(); const [b, v2] = inner();
              for (const x of [...v1, ...v2]) if (!vars.includes(x)) vars.push(x);
              return `${a} UNION ${b}`; },
      ...(plain && !this.inGraphVar ? [() => `MINUS ${inner()[0]}`] : []),
      // No MINUS inside GRAPH ?g: Oxigraph 0.5.11 counts ?g as shared by
      // its sides and removes rows that share no variable (18.5, Minus);
      // no sub-query either: it evaluates one over all the named graphs
      // together instead of in each (18.6, Graph).
      () => { const g = r.chance(0.5) ? this.varFrom(vars) : iri(r.pick(GRAPHS));
              const outer = this.inGraphVar;
              this.inGraphVar = outer || g.startsWith("?");
              const [b, v] = inner(); vars.splice(0, vars.length, ...v);
              this.inGraphVar = outer;
              if (g.startsWith("?") && !vars.includes(g)) vars.push(g);
              return `GRAPH ${g} ${b}`; },
      ...(plain && !this.inGraphVar ? [() => this.subquery(vars, depth - 1)] : []),
      () => `FILTER(${r.chance(0.5) ? "" : "NOT "}EXISTS ${this.exists(vars, depth)})`,
    );
    return r.pick(choices)();
  }

  exists(vars, depth) {
    const outer = this.inExists;
    this.inExists = true;
    const g = this.group(vars.slice(), depth - 1);
    this.inExists = outer;
    return g;
  }

  bindVar(vars) { const v = this.newVar("b"); vars.push(v); return v; }

  values(vars) {
    const r = this.r, n = 1 + r.int(2), vs = [];
    for (let i = 0; i < n; i++) { const v = this.varFrom(vars); if (!vs.includes(v)) vs.push(v); }
    const rows = [];
    for (let i = 1 + r.int(3); i > 0; i--)
      rows.push(`(${vs.map(() => r.chance(0.15) ? "UNDEF" : this.term(r.pick(["s", "o"]), r.pick(PREDS))).join(" ")})`);
    for (const v of vs) if (!vars.includes(v)) vars.push(v);
    return `VALUES (${vs.join(" ")}) { ${rows.join(" ")} }`;
  }

  subquery(vars, depth) {
    const r = this.r, v = [];
    const g = this.group(v, Math.max(depth, 0));
    const proj = v.filter(() => r.chance(0.6));
    if (!proj.length && v.length) proj.push(v[0]);
    if (!proj.length) return `{ SELECT * WHERE ${g} }`;
    let text;
    if (r.chance(0.4)) {
      const key = proj[0], c = this.newVar("c");
      text = `{ SELECT ${key} (COUNT(*) AS ${c}) WHERE ${g} GROUP BY ${key} }`;
      for (const x of [key, c]) if (!vars.includes(x)) vars.push(x);
    } else {
      text = `{ SELECT ${r.chance(0.5) ? "DISTINCT " : ""}${proj.join(" ")} WHERE ${g} }`;
      for (const x of proj) if (!vars.includes(x)) vars.push(x);
    }
    return text;
  }

  // An expression; kind "bool" asks for a condition.
  expr(vars, depth, kind) {
    const r = this.r;
    const v = () => (vars.length ? r.pick(vars) : this.term("o"));
    const leaf = () => (r.chance(0.7) ? v() : this.term("o", r.pick(PREDS)));
    // A condition is a boolean expression, never a bare term: the
    // effective boolean value of a language-tagged literal is true by
    // SPARQL 1.1 17.2.2 ("plain literal", trine) and an error for
    // Oxigraph 0.5.11.
    const leafBool = () => `${r.pick(["isIRI", "isLiteral", "BOUND"])}(${vars.length ? v() : "?unbound"})`;
    const sub = (k) => (depth > 0 ? this.expr(vars, depth - 1, k) : k === "bool" ? leafBool() : leaf());
    // The argument of a string function is no computed number: the
    // lexical form of a whole decimal is "2.0" by XSD 1.0 (SPARQL 1.1's
    // reference; trine) and "2" by XSD 1.1 (Oxigraph).
    const str = () => {
      const e = sub();
      return /^(FLOOR|CEIL|ROUND|ABS)\(|^\(|^<[^>]*#decimal>/.test(e) ? leaf() : e;
    };
    const bools = [
      () => `${sub()} ${r.pick(["=", "!="])} ${sub()}`,
      // < and the like are errors on IRIs, blank nodes and language-
      // tagged literals (17.3), which Oxigraph 0.5.11 orders, and defined
      // on booleans, which it does not: compare other literals only.
      () => { const a = sub(), b = sub();
              const plain = (x) => `isLiteral(${x}) && LANG(${x}) = "" && DATATYPE(${x}) != <${XSD}boolean>`;
              return `${plain(a)} && ${plain(b)} && ${a} ${r.pick(["<", ">", "<=", ">="])} ${b}`; },
      () => `BOUND(${vars.length ? v() : "?unbound"})`,
      () => `${r.pick(["isIRI", "isLiteral", "isBlank", "isNumeric"])}(${sub()})`,
      () => `${r.pick(["CONTAINS", "STRSTARTS", "STRENDS"])}(${sub()}, "${r.pick(["a", "b", "A", ""])}")`,
      () => `REGEX(${sub()}, "${r.pick(["^a", "b", "c$", "^$", "[ae]", "B"])}"${r.chance(0.3) ? ', "i"' : ""})`,
      () => `langMatches(LANG(${sub()}), "${r.pick(["en", "*", "fr"])}")`,
      () => `sameTerm(${sub()}, ${sub()})`,
      () => `${sub()} ${r.chance(0.5) ? "IN" : "NOT IN"} (${sub()}, ${this.term("o", r.pick(PREDS))})`,
      () => `(${sub("bool")} ${r.pick(["&&", "||"])} ${sub("bool")})`,
      () => `!(${sub("bool")})`,
    ];
    // Parenthesized: comparisons and IN do not chain in the grammar.
    if (kind === "bool" || r.chance(0.25)) return `(${r.pick(bools)()})`;
    return r.pick([
      leaf, leaf,
      () => `(${sub()} ${r.pick(["+", "-", "*", "/"])} ${sub()})`,
      () => `${r.pick(["LANG", "DATATYPE", "ABS", "CEIL", "FLOOR", "ROUND"])}(${sub()})`,
      () => `${r.pick(["STR", "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "MD5", "SHA1"])}(${str()})`,
      () => `CONCAT(${str()}, ${str()})`,
      () => `SUBSTR(${str()}, ${1 + r.int(3)}${r.chance(0.5) ? `, ${r.int(3)}` : ""})`,
      () => `${r.pick(["STRBEFORE", "STRAFTER"])}(${str()}, "${r.pick(["b", "", "a"])}")`,
      // No pattern that matches "": an error for fn:replace (FORX0003),
      // which Oxigraph 0.5.11 allows.
      () => `REPLACE(${str()}, "${r.pick(["a", "b+", "[ab]c"])}", "${r.pick(["x", ""])}")`,
      () => `IF(${sub("bool")}, ${sub()}, ${sub()})`,
      () => `COALESCE(${sub()}, ${sub()})`,
      () => `STRLANG(STR(${str()}), "en")`,
      () => `STRDT(STR(${str()}), <${XSD}string>)`,
      // A cast to xsd:string of a language-tagged literal: an error by the
      // table of 17.5 (trine), its lexical form for Oxigraph: cast STR().
      () => `<${XSD}${r.pick(["integer", "decimal", "boolean"])}>(${sub()})`,
      () => `<${XSD}string>(STR(${str()}))`,
      () => `IRI(CONCAT("${EX}", ENCODE_FOR_URI(STR(${str()}))))`,
    ])();
  }

  // An aggregate. Its argument is a variable every solution binds (a
  // triple of the WHERE group's own): on an unbound argument SPARQL 1.1
  // 18.5.1 leaves AVG, MIN and MAX open to readings (trine's are in
  // docs/sparql.md; Oxigraph reads them otherwise). MIN and MAX take
  // numbers only: the order of literals of different kinds is not
  // defined (15.1).
  aggregate(info) {
    const r = this.r, v = r.pick(info.bound), n = info.numeric;
    const choices = [
      () => "COUNT(*)", () => `COUNT(${v})`, () => `COUNT(DISTINCT ${v})`,
      () => `SUM(${v})`, () => `AVG(${v})`,
    ];
    if (n.length) choices.push(() => `MIN(${r.pick(n)})`, () => `MAX(${r.pick(n)})`);
    return r.pick(choices)();
  }
}

// One query: { text, form, order (ORDER BY keys as [var, desc]), limit }.
export function genQuery(seed) {
  const g = new Gen(seed), r = g.r, vars = [], info = { bound: [], numeric: [] };
  const where = g.group(vars, 2, info);
  if (r.chance(0.08)) return { text: `ASK WHERE ${where}`, form: "ask", order: [], limited: false };
  let proj, tail = "", order = [];
  if (r.chance(0.2) && info.bound.length) {
    const keys = vars.filter(() => r.chance(0.3)).slice(0, 2);
    const aggs = [];
    for (let i = 1 + r.int(2); i > 0; i--) aggs.push(`(${g.aggregate(info)} AS ${g.newVar("a")})`);
    proj = [...keys, ...aggs];
    if (keys.length) tail += ` GROUP BY ${keys.join(" ")}`;
    if (r.chance(0.3)) tail += ` HAVING(COUNT(*) > ${r.int(3)})`;
    order = keys.concat(aggs.map((a) => a.match(/AS (\?\w+)/)[1]));
  } else {
    proj = vars.length && r.chance(0.6) ? vars.filter(() => r.chance(0.6)) : ["*"];
    if (!proj.length) proj = ["*"];
    order = proj[0] === "*" ? vars.slice() : proj.slice();
  }
  const distinct = r.chance(0.25) ? (r.chance(0.8) ? "DISTINCT " : "REDUCED ") : "";
  let keys = [];
  if (r.chance(0.35) && order.length) {
    keys = order.filter(() => r.chance(0.5)).slice(0, 3);
    if (!keys.length) keys = [order[0]];
    keys = keys.map((k) => [k, r.chance(0.3)]);
    tail += ` ORDER BY ${keys.map(([k, d]) => (d ? `DESC(${k})` : k)).join(" ")}`;
  }
  let limited = false;
  if (r.chance(0.3)) {
    limited = true;
    tail += ` LIMIT ${r.int(6)}`;
    if (r.chance(0.4)) tail += ` OFFSET ${r.int(4)}`;
  }
  const text = `SELECT ${distinct}${proj.join(" ")} WHERE ${where}${tail}`;
  const implicitGroup = /\(COUNT|\(SUM|\(AVG|\(MIN|\(MAX/.test(proj.join(" ")) && !/GROUP BY/.test(tail);
  return { text, form: "select", order: keys, limited, reduced: distinct === "REDUCED ", implicitGroup };
}
