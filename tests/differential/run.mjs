// Differential testing of query answers: trine (through DRIVER, driver.c,
// one process per dataset) against Oxigraph (npm `oxigraph`, in memory, in
// a worker thread: ox_worker.mjs). docs/testing.md, "Differential
// testing", says what is compared and why.
// Usage: node run.mjs DRIVER N SEED [--datasets K]
//        node run.mjs DRIVER --one QUERY-SEED DATASET-SEED   (one case, verbose)
// Exit status: 0 all agree, 1 a disagreement, 77 no Oxigraph installed.
import { execFileSync } from "node:child_process";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { genDataset, genQuery } from "./gen.mjs";

try {
  await import("oxigraph");
} catch {
  console.log("differential: skipped: no node_modules/oxigraph here (scripts/setup runs npm ci in tests/differential)");
  process.exit(77);
}

const XSD = "http://www.w3.org/2001/XMLSchema#";
const NUMERIC = new Set(["integer", "decimal", "double", "float"].map((t) => XSD + t));

// A term as { kind, value, datatype, lang } (datatype "" for xsd:string).
function oxTerm(t) {
  if (!t) return null;
  if (t.termType === "NamedNode") return { kind: "I", value: t.value };
  if (t.termType === "BlankNode") return { kind: "B", value: t.value };
  const dt = t.datatype;
  return { kind: "L", value: t.value, lang: t.language.toLowerCase(),
    datatype: t.language || dt === XSD + "string" ? "" : dt };
}

const UNESCAPE = { t: "\t", b: "\b", n: "\n", r: "\r", f: "\f", '"': '"', "'": "'", "\\": "\\" };
function unescape(s) {
  return s.replace(/\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))/g, (_, u, U, c) =>
    u || U ? String.fromCodePoint(parseInt(u || U, 16)) : UNESCAPE[c]);
}

// A term as trine's driver writes it (N-Triples).
function ntTerm(s) {
  if (s === "") return null;
  if (s.startsWith("<")) return { kind: "I", value: s.slice(1, -1) };
  if (s.startsWith("_:")) return { kind: "B", value: s.slice(2) };
  const m = s.match(/^"((?:[^"\\]|\\.)*)"(?:@(\S+)|\^\^<([^>]*)>)?$/);
  if (!m) throw new Error(`driver wrote a term that is not N-Triples: ${s}`);
  const dt = m[3] && m[3] !== XSD + "string" ? m[3] : "";
  return { kind: "L", value: unescape(m[1]), lang: (m[2] || "").toLowerCase(), datatype: m[2] ? "" : dt };
}

// Numbers compare as values (12 significant digits): the lexical form of a
// computed decimal or double is not fixed by SPARQL (17.4, casts aside).
function numKey(v) {
  const n = Number(v);
  return Number.isFinite(n) ? String(Number(n.toPrecision(12))) : v;
}

// A string that is a number's lexical form (STR() of a computed number)
// compares as that number: the canonical form of a computed decimal is
// "2.0" by XSD 1.0 (trine) and "2" by XSD 1.1 (Oxigraph).
const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cellKey(t) {
  if (!t) return "";
  if (t.kind === "I") return `<${t.value}>`;
  if (t.kind === "B") return "_:";
  if (NUMERIC.has(t.datatype)) return `N${t.datatype}|${numKey(t.value)}`;
  if (NUMBER_TEXT.test(t.value)) return `L${t.datatype}@${t.lang}|#${numKey(t.value)}`;
  // ... also inside a longer string (CONCAT, SUBSTR of one): "2.0" is "2".
  if (!t.datatype || t.datatype === XSD + "string")
    return `L${t.datatype}@${t.lang}|${JSON.stringify(t.value.replace(/(\d)\.0(?!\d)/g, "$1"))}`;
  return `L${t.datatype}@${t.lang}|${JSON.stringify(t.value)}`;
}

// ORDER BY key of a cell: a category and a value. Categories U, B, I and
// the literal ones are ordered by SPARQL 1.1 15.1; literals of different
// categories, and language-tagged ones, are not (kind X).
function orderToken(t) {
  if (!t) return "U";
  if (t.kind === "B") return "B";
  if (t.kind === "I") return `I|${t.value}`;
  if (NUMERIC.has(t.datatype)) return `N|${numKey(t.value)}`;
  if (t.datatype === "" && !t.lang) return `S|${t.value}`;
  if (t.datatype === XSD + "boolean") return `T|${t.value}`;
  return `X|${t.datatype}@${t.lang}|${t.value}`;
}

// An answer: { error } or { rows: [Map var -> term] } or { bool }.
function rowKey(row, vars) { return vars.map((v) => cellKey(row.get(v))).join("\u0001"); }

function blanks(rows, vars) {
  const seen = new Set();
  for (const row of rows) for (const v of vars) { const t = row.get(v); if (t && t.kind === "B") seen.add(t.value); }
  return seen.size;
}

function multiset(rows, vars, asSet) {
  const keys = rows.map((r) => rowKey(r, vars)).sort();
  return asSet ? [...new Set(keys)] : keys;
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

function subMultiset(small, big) {
  const count = new Map();
  for (const k of big) count.set(k, (count.get(k) || 0) + 1);
  return small.every((k) => { const n = count.get(k) || 0; count.set(k, n - 1); return n > 0; });
}

// Whether every ORDER BY column holds literals of at most one category.
function orderTotal(rowSets, keys) {
  return keys.every(([v]) => {
    const cats = new Set();
    for (const rows of rowSets) for (const r of rows) {
      const tok = orderToken(r.get(v));
      if (tok.startsWith("X")) return false;
      if (!"UBI".includes(tok[0])) cats.add(tok[0]);
    }
    return cats.size <= 1;
  });
}

const orderSeq = (rows, keys) => rows.map((r) => keys.map(([v]) => orderToken(r.get(v))).join("\u0001"));

// Oxigraph 0.5.11 gives no row for aggregates without GROUP BY over a
// pattern its optimizer finds empty (FILTER(false) and the like), where
// SPARQL 1.1 18.2.4.1 groups the empty input into one group: one row.
function oxEmptyGroup(q, trine, ox) {
  return q.implicitGroup && !ox.error && !trine.error && ox.rows.length === 0 &&
    trine.rows.length === 1;
}

// trine stopped at its memory limit (1 GiB of intermediate rows) or the
// driver's 10 s timeout: a random cross product can be millions of rows,
// a limit by design, not a wrong answer (Oxigraph streams it).
const limited = (a) => a.error && /more than \d+ MiB of memory|cancelled|timed out/i.test(a.error);

// Compare two answers to query q; returns null when they agree, else why.
function compare(q, trine, ox, full) {
  if (limited(trine)) return null;
  if (trine.error || ox.error) return trine.error && ox.error ? null : "one engine failed";
  if (oxEmptyGroup(q, trine, ox)) return null;
  if (q.form === "ask") return trine.bool === ox.bool ? null : "ASK differs";
  const vars = [...new Set([...trine.vars, ...ox.rows.flatMap((r) => [...r.keys()])])];
  const a = multiset(trine.rows, vars, q.reduced), b = multiset(ox.rows, vars, q.reduced);
  if (!q.limited && blanks(trine.rows, vars) !== blanks(ox.rows, vars)) return "blank nodes differ";
  if (!q.limited && !sameList(a, b)) return "rows differ";
  if (q.limited) {
    // REDUCED leaves any number of duplicates: the count under a slice
    // is then not fixed, only that the rows come from the answer.
    if (!q.reduced && trine.rows.length !== ox.rows.length) return "row counts differ";
    const all = multiset(full.rows, vars, q.reduced);
    if (!subMultiset(a, all)) return "rows not in the unlimited answer";
  }
  if (q.order.length && orderTotal([trine.rows, ox.rows, full ? full.rows : []], q.order) &&
      !sameList(orderSeq(trine.rows, q.order), orderSeq(ox.rows, q.order)))
    return "order differs";
  return null;
}

// Oxigraph, one dataset loaded in a worker thread; a query running longer
// than OX_MS is stopped (the worker ended and started again) and counted
// apart: Oxigraph has no time limit of its own, and a few random queries
// run for minutes there (trine answers them in milliseconds).
const OX_MS = 10000;

class Oxigraph {
  constructor() { this.seq = 0; this.start(); }
  start() {
    this.flag = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL("./ox_worker.mjs", import.meta.url),
      { workerData: { flag: this.flag, port: port2 }, transferList: [port2] });
    if (this.data !== undefined) this.load(this.data);
  }
  // Post a message and wait for the answer (start again after OX_MS).
  // The worker answers message n by posting it, then storing n in the
  // flag: a wake-up is checked against n, since a late notify of the
  // previous answer can wake this wait before its own answer is posted
  // (the runner stopped on a missing message under a load of 12).
  ask(msg) {
    const seq = ++this.seq;
    this.worker.postMessage({ ...msg, seq });
    const end = Date.now() + OX_MS;
    for (;;) {
      const now = Atomics.load(this.flag, 0);
      if (now === seq) return receiveMessageOnPort(this.port).message;
      const left = end - Date.now();
      if (left <= 0) break;
      Atomics.wait(this.flag, 0, now, left);
    }
    this.worker.terminate();
    this.start();
    return null;
  }
  load(data) {
    this.data = data;
    if (!this.ask({ data })) throw new Error("oxigraph: loading a dataset timed out");
  }
  query(text, form) {
    const ans = this.ask({ text, form });
    if (!ans) return { error: "oxigraph: timed out", timeout: true };
    if (ans.rows) ans.rows = ans.rows.map((r) => new Map(r.map(([k, t]) => [k, oxTerm(t)])));
    return ans;
  }
  close() { this.worker.terminate(); }
}

// Parse the driver's output into one answer per query.
function parseDriver(text) {
  const out = [];
  let cur = null;
  for (const line of text.split("\n")) {
    const tag = line[0];
    if (tag === "Q") cur = { vars: [], rows: [] };
    else if (tag === "E") cur.error = line.slice(2);
    else if (tag === "H") cur.vars = line.split("\t").slice(1);
    else if (tag === "R") {
      const cells = line.split("\t").slice(1);
      cur.rows.push(new Map(cur.vars.map((v, i) => [v, ntTerm(cells[i])]).filter(([, t]) => t)));
    } else if (tag === "Z") out.push(cur);
  }
  return out;
}

function forTrine(q, ans) {
  if (ans.error || q.form !== "ask") return ans;
  return { bool: ans.rows[0].get("boolean").value === "true" };
}

function showAnswer(ans) {
  if (ans.error) return `  error: ${ans.error}`;
  if ("bool" in ans) return `  ${ans.bool}`;
  const lines = ans.rows.slice(0, 30).map((r) => "  " + [...r].map(([k, t]) => `?${k}=${cellKey(t)}`).join(" "));
  if (ans.rows.length > 30) lines.push(`  ... ${ans.rows.length} rows`);
  return lines.length ? lines.join("\n") : "  (no rows)";
}

let ox = null; // one worker for all datasets (compiling Oxigraph takes a second)

// Run the cases [{ qseed, dseed }] of one dataset; returns the outcomes.
function runDataset(driver, dir, dseed, qseeds) {
  const data = genDataset(dseed), qs = qseeds.map((s) => genQuery(s));
  const nq = join(dir, `d${dseed}.nq`), qfile = join(dir, `q${dseed}.rq`), out = join(dir, `o${dseed}.txt`);
  writeFileSync(nq, data);
  writeFileSync(qfile, qs.map((q) => q.text).join("\0"));
  const storeDir = join(dir, `s${dseed}`);
  execFileSync(driver, [storeDir, nq, qfile, out], { stdio: ["ignore", "inherit", "inherit"] });
  rmSync(storeDir, { recursive: true, force: true });
  const trine = parseDriver(readFileSync(out, "utf8"));
  const store = ox || (ox = new Oxigraph());
  store.load(data);
  const cases = qs.map((q, i) => {
    const t = forTrine(q, trine[i]);
    // Oxigraph has no time limit: a query trine found too big is not run.
    if (limited(t)) return { q, qseed: qseeds[i], dseed, data, t, o: { rows: [] }, why: null };
    const o = store.query(q.text, q.form);
    const full = q.limited && !o.timeout
      ? store.query(q.text.replace(/ LIMIT \d+( OFFSET \d+)?$/, ""), q.form) : null;
    const why = o.timeout || (full && full.timeout) ? null : compare(q, t, o, full);
    return { q, qseed: qseeds[i], dseed, data, t, o, why };
  });
  return cases;
}

function report(c) {
  const what = c.why === "they agree" ? "AGREEMENT" : `DISAGREEMENT (${c.why})`;
  console.log(`${what}: query seed ${c.qseed}, dataset seed ${c.dseed}`);
  console.log(`query: ${c.q.text}`);
  console.log(`dataset:\n${c.data.trimEnd().replace(/^/gm, "  ")}`);
  console.log(`trine:\n${showAnswer(c.t)}\noxigraph:\n${showAnswer(c.o)}\n`);
}

function main(argv) {
  const driver = argv[0];
  const dir = mkdtempSync(join(tmpdir(), "trine-diff-"));
  let cases = [];
  try {
    if (argv[1] === "--one") {
      cases = runDataset(driver, dir, Number(argv[3]), [Number(argv[2])]);
      const c = cases[0];
      report({ ...c, why: c.why || "they agree" });
      if (c.t.rows && c.o.rows) {
        const vars = [...new Set([...c.t.vars, ...c.o.rows.flatMap((r) => [...r.keys()])])];
        const a = multiset(c.t.rows, vars), b = multiset(c.o.rows, vars);
        const only = (x, y) => x.filter((k) => { const i = y.indexOf(k); if (i < 0) return true; y.splice(i, 1); return false; });
        console.log(`only trine (${vars.join(" ")}):\n  ${only(a, b.slice()).join("\n  ")}`);
        console.log(`only oxigraph:\n  ${only(b, a.slice()).join("\n  ")}`);
      }
      return cases[0].why ? 1 : 0;
    }
    const n = Number(argv[1]), seed = Number(argv[2]);
    const k = argv.includes("--datasets") ? Number(argv[argv.indexOf("--datasets") + 1]) : 5;
    for (let d = 0; d < k; d++) {
      const qseeds = [];
      for (let i = d; i < n; i += k) qseeds.push(seed + i);
      cases.push(...runDataset(driver, dir, seed + d, qseeds));
    }
  } finally {
    if (ox) ox.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const bad = cases.filter((c) => c.why);
  for (const c of bad) report(c);
  // Both failing is agreement, but usually a generator problem: show it.
  for (const c of cases.filter((c) => c.t.error && c.o.error))
    console.log(`both failed: query seed ${c.qseed}: ${c.q.text}\n  trine: ${c.t.error}\n  oxigraph: ${c.o.error}`);
  const errT = cases.filter((c) => c.t.error && !c.o.error && !limited(c.t)).length;
  const errO = cases.filter((c) => c.o.error && !c.t.error && !c.o.timeout).length;
  const both = cases.filter((c) => c.o.error && c.t.error).length;
  const empty = cases.filter((c) => c.t.rows && !c.t.rows.length).length;
  const known = cases.filter((c) => oxEmptyGroup(c.q, c.t, c.o)).length;
  const limits = cases.filter((c) => limited(c.t)).length;
  const oxSlow = cases.filter((c) => c.o.timeout).length;
  console.log(`differential: ${cases.length} queries, ${cases.length - bad.length} agree, ` +
    `${bad.length} disagree (${errT} trine errors only, ${errO} oxigraph errors only), ` +
    `${both} both failed, ${empty} empty answers, ${limits} over trine's memory or time limit, ` +
    `${oxSlow} over Oxigraph's ${OX_MS / 1000} s, ` +
    `${known} aggregates of an empty pattern Oxigraph gives no row for`);
  return bad.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
