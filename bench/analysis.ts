// Speed of the analysis building blocks: a design point by `prepare(..., {set})` against setting the
// value in the validated document and compiling (src/analysis/design.ts), and the cost of the AMS
// bookkeeping (snapshots) per engine event against plain runs. Run: npx tsx bench/analysis.ts
import { readFileSync } from 'node:fs';
import { compileAt, paramTarget } from '../src/analysis/design.ts';
import { estimateRare } from '../src/analysis/rare.ts';
import { Simulator } from '../src/engine/run.ts';
import { loadDocument, prepareLoaded } from '../src/scenario/index.ts';

const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const file = new URL('../scenarios/korea-decapitation-misread.yaml', import.meta.url).pathname;
const loaded = loadDocument(file, { readFile });
const doc = loaded.doc!;
const path = 'actors.DPRK.perception.isr.air.detect';
const target = paramTarget(doc, path);

function time(label: string, n: number, f: (i: number) => void): number {
  f(0);
  const t = performance.now();
  for (let i = 0; i < n; i++) f(i);
  const ms = (performance.now() - t) / n;
  console.log(`${label.padEnd(48)} ${ms.toFixed(2)} ms`);
  return ms;
}

const viaPrepare = time('design point via prepare(..., {set})', 20, (i) => {
  prepareLoaded(loaded, { set: { [path]: 0.3 + i / 100 } });
});
const viaCompile = time('design point via compileAt (validated doc)', 100, (i) => {
  compileAt(doc, [target], [0.3 + i / 1000], { hash: '', interventions: [] });
});
console.log(`compileAt is ${(viaPrepare / viaCompile).toFixed(1)}x faster`);

const model = compileAt(doc, [target], [target.nominal], { hash: '', interventions: [] });
const sim = new Simulator(model);
let events = 0;
const t0 = performance.now();
for (let run = 0; run < 20000; run++) events += sim.run(1, run).events;
const plain = (performance.now() - t0) / events;
console.log(`plain runs: ${(1 / plain).toFixed(0)} k events/s`);
for (const importance of [
  { belief: 0, readiness: 0 },
  { belief: 0.5, readiness: 0.5 },
]) {
  const t1 = performance.now();
  const r = estimateRare(model, 'ams', { seed: 1, particles: 500, replicates: 4, importance });
  const per = (performance.now() - t1) / r.work.events;
  console.log(
    `AMS (belief ${importance.belief}, readiness ${importance.readiness}): ${(1 / per).toFixed(0)} k events/s, ${(per / plain).toFixed(1)}x the time per event of plain runs`,
  );
}
