// The paired comparison of bench/bench.ts (korea-intercept, two arms, 40,000 runs) on 1 and 2 worker
// threads from the compiled dist/ under plain `node`, as `brink` and `brink serve` run it (no tsx anywhere):
//   npm run build && node bench/plain-node.mjs [DIST]
// Prints, per thread count, the three timed runs (s) after one warm-up.
const D = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
const { PairedComparison } = await import(`${D}/analysis/compare.js`);
const { execute } = await import(`${D}/analysis/kernel/executor.js`);
const { modelSourceOf } = await import(`${D}/analysis/kernel/task.js`);
const { ThreadExecutor } = await import(`${D}/analysis/parallel.js`);
const { ENGINE_VERSION } = await import(`${D}/engine/model.js`);
const { prepare } = await import(`${D}/scenario/index.js`);
const { readFileSync } = await import('node:fs');
const file = new URL('../scenarios/korea-intercept.yaml', import.meta.url).pathname;
const rf = (f) => readFileSync(f, 'utf8');
const base = prepare(file, { readFile: rf });
const arms = ['hotline', 'eu-hosted-talks'].map((label) => {
  const p = prepare(file, { readFile: rf, interventions: [label] });
  return { label, model: p.model, source: modelSourceOf(p) };
});
const job = () =>
  new PairedComparison({
    base: base.model,
    baseSource: modelSourceOf(base),
    arms,
    seed: 1,
    runs: 40000,
    traceRuns: 0,
    engine: ENGINE_VERSION,
  });
for (const w of [1, 2]) {
  const pool = new ThreadExecutor(w);
  await execute(job(), pool);
  const ts = [];
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    await execute(job(), pool);
    ts.push((performance.now() - t) / 1000);
  }
  ts.sort();
  console.log(w, ts.map((x) => x.toFixed(3)).join(' '));
  await pool.close();
}
