// comunica.mjs -- run SPARQL queries with Comunica federating SPARQL
// endpoints; each query's results as SPARQL JSON in FILE.srj beside its
// FILE.rq (one process for all: Comunica takes seconds to start).
// usage: node comunica.mjs ENDPOINT[,ENDPOINT...] QUERY-FILE.rq...
import { readFileSync, writeFileSync } from 'node:fs';
import { QueryEngine } from '@comunica/query-sparql';

const [endpoints, ...queryFiles] = process.argv.slice(2);
const engine = new QueryEngine();
const sources = endpoints.split(',').map((value) => ({ type: 'sparql', value }));
for (const file of queryFiles) {
  const result = await engine.query(readFileSync(file, 'utf8'), { sources, lenient: false });
  const { data } = await engine.resultToString(result, 'application/sparql-results+json');
  let text = '';
  for await (const chunk of data) text += chunk;
  writeFileSync(file.replace(/\.rq$/, '.srj'), text);
}
