// Random small datasets and random SPARQL 1.1 SELECT/ASK queries for
// differential testing (docs/testing.md, "Differential testing").
// Everything comes from one seeded generator, so a seed names a dataset
// or a query exactly. The choices that keep queries inside what the spec
// defines (no RAND/NOW/UUID, BNODE and GROUP_CONCAT only where their
// answer is fixed, no SAMPLE, ORDER BY only on variables) and the forms
// kept away from Oxigraph 0.5.11's deviations are listed in
// docs/testing.md.

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
// a%41 keeps its percent-escape: SPARQL does not decode it (RFC 3986
// 6.2.2 is excluded by 4.1.1.2), so it is not the IRI .../aA.
const NODES = ["a0", "a1", "a2", "a3", "a4", "a5", "a%41"];
const PREDS = ["p0", "p1", "p2", "p3", "p4"];
const GRAPHS = ["g0", "g1"];
// With newlines inside and at the end: `$`, `.` and the flags s and m of
// REGEX differ there between XPath and other regex dialects.
const STRINGS = ["abc", "Abc", "b", "", "foo bar", "ab\\\"c", "é", "a\\nb", "ab\\n"];
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

// An expression that may compute a number, whose lexical form (STR) is
// not compared (docs/testing.md).
const COMPUTED = /^(FLOOR|CEIL|ROUND|ABS)\(|^\(|^<[^>]*#decimal>/;

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
      () => this.bnode(vars),
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
    const leaf = () => (r.chance(0.7) ? v() : r.chance(0.9) ? this.term("o", r.pick(PREDS)) : this.iriLeaf());
    // A condition is a boolean expression, or one whose effective boolean
    // value is no language-tagged string (ebv()).
    const leafBool = () => `${r.pick(["isIRI", "isLiteral", "BOUND"])}(${vars.length ? v() : "?unbound"})`;
    const sub = (k) => (depth > 0 ? this.expr(vars, depth - 1, k) : k === "bool" ? leafBool() : leaf());
    // The argument of a string function is no computed number: the
    // lexical form of a whole decimal is "2.0" by XSD 1.0 (SPARQL 1.1's
    // reference; trine) and "2" by XSD 1.1 (Oxigraph).
    const str = () => { const e = sub(); return COMPUTED.test(e) ? leaf() : e; };
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
      () => this.regex(sub()), () => this.regex(str()),
      () => `langMatches(LANG(${sub()}), "${r.pick(["en", "*", "fr"])}")`,
      () => `sameTerm(${sub()}, ${sub()})`,
      () => `${sub()} ${r.chance(0.5) ? "IN" : "NOT IN"} (${sub()}, ${this.term("o", r.pick(PREDS))})`,
      () => `(${sub("bool")} ${r.pick(["&&", "||"])} ${sub("bool")})`,
      () => `!(${sub("bool")})`,
      () => this.ebv(sub(), str()),
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
      () => this.replace(str()),
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

  // An IRI written out, for STR() and comparisons: a node or predicate,
  // or one under a percent-escaped segment (prologue() may spell both
  // with prefixes).
  iriLeaf() {
    const r = this.r;
    const i = r.chance(0.5) ? iri(r.pick([...NODES, ...PREDS])) : iri(`%41/${r.pick(["b", "a%41", "c0"])}`);
    return r.chance(0.7) ? `STR(${i})` : i;
  }

  // REGEX in the part of the XPath dialect (17.4.3.14; XPath F&O 3.1 5.6)
  // that Oxigraph 0.5.11 implements the same way. Kept out: `\w`, `\i`,
  // `\c`, `\p{IsBlock}`, class subtraction and back-references (Oxigraph
  // takes `_` as a word character and refuses the rest); `.` before CR
  // (it matches CR; no CR in the data); `\p{..}` under "i" (XPath keeps
  // categories case-sensitive); under "m" a match of the empty line after
  // a final newline (no such line in XPath); under "x" `#` and spaces in
  // classes (Oxigraph reads comments, drops those spaces). Under "q" the
  // pattern is a plain string.
  regex(arg) {
    const r = this.r, flags = r.pick(["", "", "i", "s", "m", "x", "si", "im", "mx", "q", "iq"]);
    const common = ["^a", "b", "c$", "[ae]", "B", "a.b", "^.b", "\\\\s", "\\\\S+$", "\\\\d", "[^a-z]",
      "(ab|b)c", "a{2}", "b+$", "[a-c]{2}", "\\\\.", "é", "É", "\\\\n", "b\\\\n", "^[^\\\\n]*$", "a?b",
      "(?:ab)+", "a+?b", "[-a]b", "b{0,1}c", "\\\\D", "[\\\\s\\\\S]$", "^(a|ab)(c|bc)$"];
    let pats = common;
    if (flags.includes("q")) pats = ["b", "a.b", "^a", "c$", "B", "\\\\n"];
    else if (flags.includes("m")) pats = ["^a", "b$", "^b", "c$", "^[ab]", "a\\\\n^b", "^a.*c$"];
    else if (!flags.includes("i")) pats = [...common, "^$", "\\\\p{Lu}", "\\\\p{L}+$", "\\\\P{L}", "\\\\p{Ll}", "\\\\p{N}"];
    if (flags.includes("x")) pats = [...pats, "a b", " ^ a", "b $", "a | c"];
    return `REGEX(${arg}, "${r.pick(pats)}"${flags ? `, "${flags}"` : ""})`;
  }

  // REPLACE (17.4.3.15): no pattern that matches "" (an error for
  // fn:replace, FORX0003, which Oxigraph 0.5.11 allows); in the
  // replacement `$0` and groups the pattern has, no `\$` (a literal `$`
  // for XPath, kept with its backslash by Oxigraph) and no `$N` followed
  // by a digit; no flag q (the replacement is then used as written, where
  // Oxigraph still reads `$0`).
  replace(arg) {
    const r = this.r;
    const [pat, groups] = r.pick([["a", 0], ["b+", 0], ["[ab]c", 0], ["(a)(b)", 2], ["(b|c)+", 1],
      ["\\\\s", 0], ["^a", 0], ["b$", 0], ["\\\\n", 0], ["(.)\\\\n", 1], ["(?:a)(b)", 1], ["a+?", 0],
      ["(a|ab)", 1]]);
    const reps = ["x", "", "[$0]"];
    if (groups) reps.push("<$1>", `$${groups}-$1`);
    const flags = r.pick(["", "", "i", "s", "m"]);
    return `REPLACE(${arg}, "${pat}", "${r.pick(reps)}"${flags ? `, "${flags}"` : ""})`;
  }

  // A value whose effective boolean value is defined the same way by both
  // engines (17.2.2): not a language-tagged string, which SPARQL 1.1 makes
  // true when non-empty (trine) and Oxigraph 0.5.11 an error.
  ebv(e, s) {
    return this.r.pick([
      () => `IF(LANG(${e}) = "", ${e}, STR(${e}))`, () => `STR(${s})`,
      () => `STRLEN(${s})`, () => `(${e} + 0)`,
    ])();
  }

  // BNODE (17.4.2.9) in the forms two correct engines answer alike.
  // BNODE(str) gives one node for one string within a solution, and new
  // nodes in each solution; Oxigraph 0.5.11 names the node by the string
  // (one node for the whole query) and fails on a string that is not a
  // blank-node label. So its nodes go to hidden variables (?h..., never
  // projected) and only their comparisons are seen, and the string is an
  // MD5, always a label. BNODE() gives a fresh node each call; a group
  // joined with others repeats its solutions' nodes, where Oxigraph may
  // evaluate it again per row: it is projected only in the SELECT clause
  // (genQuery), and compared here.
  bnode(vars) {
    const r = this.r;
    const label = () => { const e = this.expr(vars, 1); return `MD5(STR(${COMPUTED.test(e) ? this.term("o") : e}))`; };
    // The variable bound last: none of the labels may read it.
    const [text, value] = r.pick([
      () => { const l = label(), h1 = this.newVar("h"), h2 = this.newVar("h");
              return [`BIND(BNODE(${l}) AS ${h1}) BIND(BNODE(${r.chance(0.7) ? l : label()}) AS ${h2})`,
                `sameTerm(${h1}, ${h2})`]; },
      () => ["", `sameTerm(BNODE(${label()}), BNODE(${label()}))`],
      () => ["", `isBlank(BNODE(${label()}))`],
      () => ["", "isBlank(BNODE())"],
      () => ["", "sameTerm(BNODE(), BNODE())"],
    ])();
    return `${text} BIND(${value} AS ${this.bindVar(vars)})`.trim();
  }

  // An aggregate. Its argument is a variable every solution binds (a
  // triple of the WHERE group's own): on an unbound argument SPARQL 1.1
  // 18.5.1 leaves AVG, MIN and MAX open to readings (trine's are in
  // docs/sparql.md; Oxigraph reads them otherwise). MIN and MAX take
  // numbers only: the order of literals of different kinds is not
  // defined (15.1).
  //
  // Over expressions that may fail (?v + 0 of a string): SUM and MIN are
  // errors then (18.5.1.3, 18.5.1.5), in both engines. Not COUNT (the
  // error left out, 18.5.1.2; Oxigraph fails), MAX or AVG (trine's
  // readings in docs/sparql.md; Oxigraph fails).
  //
  // GROUP_CONCAT (18.5.1.7) is CONCAT of strings, an error on an IRI, a
  // number or an unbound value; its order is not fixed, so it is measured
  // (STRLEN) or concatenates one repeated value (a GROUP BY key), and the
  // language tag of the result is dropped (STR): Oxigraph keeps a tag all
  // values share, where CONCAT with the separator gives a simple literal.
  aggregate(info, keys) {
    const r = this.r, v = r.pick(info.bound), n = info.numeric;
    const sep = () => (r.chance(0.5) ? `; SEPARATOR="${r.pick([",", "", " - "])}"` : "");
    const choices = [
      () => "COUNT(*)", () => `COUNT(${v})`, () => `COUNT(DISTINCT ${v})`,
      () => `SUM(${v})`, () => `AVG(${v})`,
      () => `${r.pick(["SUM", "MIN"])}(${v} + 0)`, () => `SUM(<${XSD}integer>(${v}))`,
      () => `STRLEN(GROUP_CONCAT(${r.chance(0.3) ? "DISTINCT " : ""}${v}${sep()}))`,
      () => `STRLEN(GROUP_CONCAT(STR(${v})${sep()}))`,
    ];
    if (n.length) choices.push(() => `MIN(${r.pick(n)})`, () => `MAX(${r.pick(n)})`);
    if (keys.length) choices.push(() => `STR(GROUP_CONCAT(${r.pick(keys)}${sep()}))`);
    return r.pick(choices)();
  }
}

// The prologue: IRIs of the example namespace written with PREFIX and
// BASE declarations (4.1.1; relative IRIs resolved by RFC 3986 5.2, their
// `.` and `..` segments removed, percent-escapes kept as written).
// Absolute IRIs with `.` or `..` segments are kept out: RFC 3986 5.2.2
// removes them (trine), Oxigraph 0.5.11 keeps them (docs/testing.md).
const STYLES = [
  { decl: "PREFIX ex: <http://example.org/> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> ",
    forms: [(l) => `ex:${l}`], xsd: true },
  { decl: "BASE <http://example.org/x/y/> PREFIX r: <../../> PREFIX s: <./%41/../../../> " +
      "PREFIX pe: <../../%41/> ",
    forms: [(l) => `r:${l}`, (l) => `s:${l}`, (l) => `<../../${l}>`, (l) => `<./z/../../../${l}>`] },
  { decl: "BASE <http://example.org/> PREFIX : <> PREFIX pc: <http://example.org/a%41> " +
      "PREFIX pe: <http://example.org/%41/> ",
    forms: [(l) => `<${l}>`, (l) => `:${l}`, (l) => (l === "a%41" ? "pc:" : `<./${l}>`)] },
];

function prologue(r, text) {
  const style = r.pick(STYLES);
  let out = text.replace(/<http:\/\/example\.org\/([^>]*)>/g, (whole, local) => {
    if (r.chance(0.15)) return whole;
    if (local.startsWith("%41/") && style.decl.includes("pe:")) return `pe:${local.slice(4)}`;
    return local.includes("/") ? whole : r.pick(style.forms)(local);
  });
  if (style.xsd) out = out.replace(/<http:\/\/www\.w3\.org\/2001\/XMLSchema#(\w+)>/g, "xsd:$1");
  return style.decl + out;
}

// One query: { text, form, order (ORDER BY keys as [var, desc]), limit }.
export function genQuery(seed) {
  const g = new Gen(seed), r = g.r, vars = [], info = { bound: [], numeric: [] };
  const where = g.group(vars, 2, info);
  if (r.chance(0.08)) {
    const text = `ASK WHERE ${where}`;
    return { text: r.chance(0.3) ? prologue(r, text) : text, form: "ask", order: [], limited: false };
  }
  let proj, tail = "", order = [];
  if (r.chance(0.2) && info.bound.length) {
    const keys = vars.filter(() => r.chance(0.3)).slice(0, 2);
    const aggs = [];
    for (let i = 1 + r.int(2); i > 0; i--) aggs.push(`(${g.aggregate(info, keys)} AS ${g.newVar("a")})`);
    proj = [...keys, ...aggs];
    if (keys.length) tail += ` GROUP BY ${keys.join(" ")}`;
    // HAVING over an aggregate that may fail: the group is left out.
    if (r.chance(0.3)) tail += ` HAVING(${r.pick([() => `COUNT(*) > ${r.int(3)}`,
      () => `SUM(${r.pick(info.numeric.length && r.chance(0.5) ? info.numeric : info.bound)} + 0) >= ${r.int(3)}`,
      () => `STRLEN(GROUP_CONCAT(${r.pick(info.bound)})) > ${r.int(3)}`])()})`;
    order = keys.concat(aggs.map((a) => a.match(/AS (\?\w+)/)[1]));
  } else {
    proj = vars.length && r.chance(0.6) ? vars.filter(() => r.chance(0.6)) : ["*"];
    if (!proj.length) proj = ["*"];
    // SELECT * would show the hidden blank nodes of BNODE(str) (bnode()).
    if (proj[0] === "*" && /\?h\d/.test(where)) proj = vars.length ? vars.slice() : ["*"];
    order = proj[0] === "*" ? vars.slice() : proj.slice();
    // A new blank node per solution (17.4.2.9), compared up to renaming.
    if (proj[0] !== "*" && r.chance(0.1)) proj.push(`(BNODE() AS ${g.newVar("n")})`);
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
  let text = `SELECT ${distinct}${proj.join(" ")} WHERE ${where}${tail}`;
  if (r.chance(0.3)) text = prologue(r, text);
  const implicitGroup = /\b(COUNT|SUM|AVG|MIN|MAX|GROUP_CONCAT)\(/.test(proj.join(" ")) && !/GROUP BY/.test(tail);
  return { text, form: "select", order: keys, limited, reduced: distinct === "REDUCED ", implicitGroup };
}
