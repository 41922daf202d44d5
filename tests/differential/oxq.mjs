import { Store } from "oxigraph";
import { readFileSync } from "node:fs";
const s = new Store();
s.load(readFileSync(process.argv[2], "utf8"), { format: "application/n-quads" });
for (const q of process.argv.slice(3)) {
  try { const r = s.query(q); console.log(Array.isArray(r) ? r.map(m => [...m].map(([k, v]) => `${k}=${v.value}`).join(" ")).join("\n") + `\n(${r.length} rows)` : r); }
  catch (e) { console.log("ERR", e.message); }
}
