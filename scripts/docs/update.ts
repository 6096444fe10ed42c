// npm run docs [-- FILTER]: rewrites the generated regions of the docs (see scripts/docs/lib.ts).
import { generators, writeDoc } from './lib.ts';

const filter = process.argv[2];
for (const g of await generators(filter)) {
  const t0 = performance.now();
  const changed = await writeDoc(g);
  console.log(
    `${g.doc}: ${changed ? 'updated' : 'unchanged'} (${g.name}, ${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
