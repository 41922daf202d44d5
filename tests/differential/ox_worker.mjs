// Oxigraph in a worker thread (run.mjs): the dataset and the queries it
// is sent, each answer posted back as plain terms, then the message's
// number stored in a flag so the main thread, waiting with a time limit,
// can stop a query that runs too long by ending this thread.
import { parentPort, workerData } from "node:worker_threads";
import { Store } from "oxigraph";

const { flag, port } = workerData;
let store = null;

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

// A message is a dataset to load (replacing the last) or a query.
parentPort.on("message", ({ data, text, form, seq }) => {
  if (data !== undefined) {
    store = new Store();
    store.load(data, { format: "application/n-quads" });
    port.postMessage({ loaded: true });
  } else {
    port.postMessage(answer(text, form));
  }
  Atomics.store(flag, 0, seq);
  Atomics.notify(flag, 0);
});
