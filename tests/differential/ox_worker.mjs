// Oxigraph in a worker thread (run.mjs): one dataset, the queries it is
// sent, each answer posted back as plain terms, then a flag raised so
// the main thread, waiting with a time limit, can stop a query that runs
// too long by ending this thread.
import { parentPort, workerData } from "node:worker_threads";
import { Store } from "oxigraph";

const { data, flag, port } = workerData;
const store = new Store();
store.load(data, { format: "application/n-quads" });

const plain = (t) => ({ termType: t.termType, value: t.value,
  datatype: t.datatype ? t.datatype.value : "", language: t.language || "" });

function answer(text, form) {
  try {
    const res = store.query(text, { use_default_graph_as_union: false });
    if (form === "ask") return { bool: res };
    return { rows: res.map((m) => [...m].map(([k, t]) => [k, plain(t)])) };
  } catch (e) {
    return { error: String(e.message || e).split("\n")[0] };
  }
}

parentPort.on("message", ({ text, form }) => {
  port.postMessage(answer(text, form));
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
