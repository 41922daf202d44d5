// Oxigraph (npm package "oxigraph", in memory) on the LUBM or WatDiv
// queries, for bench/lubm.sh and bench/watdiv.sh.
//
// usage: node oxigraph_bench.mjs DATA.nt QUERY_DIR... RUNS
//
// Loads DATA.nt (N-Triples, not gzipped) into an in-memory Store, then for
// each *.rq of the first QUERY_DIR (in natural order: q2 before q10) and for each QUERY_DIR holding a file of
// the same name (e.g. rewritten/ and rewritten-filter-in/): one warm-up run,
// then RUNS timed runs of store.query() (which returns every row as an array
// of Maps, so all rows are produced). Keeps the form with the lower median.
// Prints one line per query on stdout:
//   name<TAB>rows<TAB>median_ms<TAB>min_ms<TAB>max_ms<TAB>form
// where form is the basename of the winning QUERY_DIR. A query that fails
// prints rows "error" and its message on stderr. Progress goes to stderr.
//
// With TRINE_BENCH="QUERY_BENCH STORE" and TRINE_TSV=FILE in the
// environment, each query of the first QUERY_DIR is run by trine's
// query_bench (same RUNS) just before Oxigraph runs it, and query_bench's
// line is appended to FILE: both engines then meet the same phase of a
// shared machine, seconds apart instead of minutes. query_bench is one
// process for all queries (its "-" mode reads the paths from a FIFO and
// answers on another), so that trine's caches are as warm as Oxigraph's in
// its one process.
import { readFileSync, readdirSync, existsSync, appendFileSync, mkdtempSync, openSync,
  writeSync, readSync, closeSync, rmSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { basename, join } from "node:path";
import { tmpdir } from "node:os";
import { performance } from "node:perf_hooks";
import oxigraph from "oxigraph";

const args = process.argv.slice(2);
if (args.length < 3) {
  console.error("usage: node oxigraph_bench.mjs DATA.nt QUERY_DIR... RUNS");
  process.exit(2);
}
const runs = Number(args.pop());
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`RUNS must be a positive integer, got ${runs}`);
  process.exit(2);
}
const [data, ...dirs] = args;

const t0 = performance.now();
const store = new oxigraph.Store();
// A Buffer, not a string: V8 strings stop at about 512 MB.
store.load(readFileSync(data), { format: "application/n-triples", no_transaction: true });
console.error(`oxigraph: loaded ${store.size} triples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const names = readdirSync(dirs[0])
  .filter((f) => f.endsWith(".rq"))
  .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const count = (r) => (Array.isArray(r) ? r.length : typeof r === "boolean" ? 1 : String(r).length);

// trine's query_bench, one warm process fed query paths through a FIFO.
function startTrine(bench, storePath) {
  const dir = mkdtempSync(join(tmpdir(), "trine-interleave-"));
  const toQb = join(dir, "in"), fromQb = join(dir, "out");
  execFileSync("mkfifo", [toQb, fromQb]);
  const child = spawn("sh", ["-c", 'exec "$0" "$1" "$2" - < "$3" > "$4"', bench, storePath,
    String(runs), toQb, fromQb], { cwd: dirs[0], stdio: ["ignore", "ignore", "inherit"] });
  const w = openSync(toQb, "w"), r = openSync(fromQb, "r");
  const buf = Buffer.alloc(4096);
  return {
    run(file) { // the line query_bench prints for file, newline included
      writeSync(w, file + "\n");
      let line = "";
      while (!line.endsWith("\n")) {
        const n = readSync(r, buf, 0, buf.length, null);
        if (n === 0) throw new Error("query_bench ended early");
        line += buf.toString("utf8", 0, n);
      }
      return line;
    },
    stop() { closeSync(w); closeSync(r); child.kill(); rmSync(dir, { recursive: true }); },
  };
}

const trine = process.env.TRINE_BENCH && process.env.TRINE_TSV
  ? startTrine(...process.env.TRINE_BENCH.split(" ")) : null;
for (const file of names) {
  const name = file.replace(/\.rq$/, "");
  if (trine) appendFileSync(process.env.TRINE_TSV, trine.run(file));
  let best = null;
  for (const dir of dirs) {
    const path = join(dir, file);
    if (!existsSync(path)) continue;
    const text = readFileSync(path, "utf8");
    try {
      const rows = count(store.query(text)); // warm-up
      const times = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const r = store.query(text);
        times.push(performance.now() - t);
        if (count(r) !== rows) throw new Error(`row count changed between runs: ${rows} then ${count(r)}`);
      }
      const m = { rows, med: median(times), min: Math.min(...times), max: Math.max(...times), form: basename(dir) };
      console.error(`oxigraph: ${name} ${m.form}: ${rows} rows, median ${m.med.toFixed(3)} ms`);
      if (best && best.rows !== m.rows)
        console.error(`oxigraph: ${name}: forms disagree: ${best.form} ${best.rows} rows, ${m.form} ${m.rows} rows`);
      if (!best || m.med < best.med) best = m;
    } catch (e) {
      console.error(`oxigraph: ${name} ${basename(dir)}: ${e.message ?? e}`);
    }
  }
  if (best) console.log([name, best.rows, best.med.toFixed(3), best.min.toFixed(3), best.max.toFixed(3), best.form].join("\t"));
  else console.log([name, "error", "-", "-", "-", "-"].join("\t"));
}
if (trine) trine.stop();
