// A child of bench/engines.ts under callgrind: compiles one Korea scenario with the engine at ROOT and
// runs N runs; prints the decisions taken.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, id, n] = process.argv.slice(2) as [string, string, string];
const idx = await import(pathToFileURL(join(root, 'src/scenario/index.ts')).href);
const run = await import(pathToFileURL(join(root, 'src/engine/run.ts')).href);
const p = idx.prepare(join(root, 'scenarios', `${id}.yaml`), {
  readFile: (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  },
});
const sim = new run.Simulator(p.model);
let decisions = 0;
for (let r = 0; r < Number(n); r++) decisions += sim.run(20261202, r).decisions;
process.stdout.write(`decisions ${decisions}\n`);
