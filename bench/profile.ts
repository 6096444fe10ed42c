// Runs one scenario on one thread for profiling:
//   node --cpu-prof --cpu-prof-dir=.scratch/prof --import tsx bench/profile.ts FILE [RUNS]
//   node --import tsx bench/cpuprofile-summary.ts .scratch/prof/*.cpuprofile
import { readFileSync } from 'node:fs';
import { emptyAggregate, record } from '../src/analysis/ensemble.ts';
import { Simulator } from '../src/engine/run.ts';
import { prepare } from '../src/scenario/index.ts';

const [file, runsArg] = process.argv.slice(2);
const p = prepare(file!, { readFile: (f) => readFileSync(f, 'utf8') });
if (!p.model) throw new Error(`${file} does not compile`);
const sim = new Simulator(p.model);
const agg = emptyAggregate(p.model);
const runs = Number(runsArg ?? 200_000);
const t = performance.now();
for (let r = 0; r < runs; r++) record(agg, sim.run(1, r));
const s = (performance.now() - t) / 1000;
process.stderr.write(
  `${runs} runs in ${s.toFixed(2)} s: ${(runs / s).toFixed(0)} runs/s, ${(agg.decisions / s).toFixed(0)} decisions/s\n`,
);
