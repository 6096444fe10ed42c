// Comparisons and sensitivity analyses as workbench jobs: wall time through the job queue (time slices,
// checkpoints to SQLite) against the analysis function called directly, and the longest stall of the
// event loop while a job runs (how long a request may wait). Run: npx tsx bench/workbench-jobs.ts
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { compare } from '../src/analysis/compare.ts';
import { SOBOL_TOP } from '../src/analysis/options.ts';
import { sensitivity } from '../src/analysis/sensitivity.ts';
import { sobolParameterCount } from '../src/analysis/vocabulary.ts';
import { ENGINE_VERSION } from '../src/engine/model.ts';
import { prepare } from '../src/scenario/index.ts';
import { prepareServices } from '../src/server/index.ts';
import { prepareInFiles, workspaceFiles } from '../src/server/workspace.ts';

const examples = new URL('../scenarios', import.meta.url).pathname;
const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const dir = mkdtempSync(join(tmpdir(), 'brink-bench-'));
const services = await prepareServices({
  database: join(dir, 'b.db'),
  examplesDir: examples,
  setupToken: undefined,
  secureCookies: false,
});
const { store, jobs } = services;
const ws = (await store.listWorkspaces())[0]!.id;
const scenario = async (path: string) => (await store.getScenarioByPath(ws, path))!;

async function job(kind: 'compare' | 'sensitivity', path: string, settings: Record<string, unknown>) {
  const s = await scenario(path);
  const files = await workspaceFiles(store, ws);
  const p = prepareInFiles(files, s.path);
  const runs = kind === 'compare' ? 20_000 : Number(settings.total);
  const run = await store.createRun({
    workspaceId: ws,
    scenarioId: s.id,
    manifest: {
      scenarioId: s.id,
      scenarioPath: s.path,
      scenarioVersion: s.version,
      hash: p.hash!,
      engine: ENGINE_VERSION,
      seed: 1,
      runs,
      interventions: [],
      set: {},
      ...(kind === 'compare'
        ? { kind, compare: { arms: settings.arms as string[], traceRuns: 200 } }
        : {
            kind,
            sensitivity: {
              metric: 'warOrWorse',
              tornadoRuns: 5000,
              low: 0.05,
              high: 0.95,
              samples: 32,
              runsPerPoint: 500,
              bootstrap: 500,
              only: [],
              parameters: Number(settings.k),
              sobolTop: SOBOL_TOP,
            },
          }),
    },
    files: p.snapshot,
    by: null,
  });
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const t = performance.now();
  jobs.enqueue(ws, run.id);
  await jobs.idle();
  const seconds = (performance.now() - t) / 1000;
  lag.disable();
  const done = await store.getRun(ws, run.id);
  if (done?.status !== 'done') throw new Error(`${kind}: ${done?.status} ${done?.error}`);
  return { seconds, maxStallMs: lag.max / 1e6, p99StallMs: lag.percentile(99) / 1e6 };
}

const arms = ['eu-hosted-talks', 'us-china-talks', 'hotline+launch-notification'];
const intercept = `${examples}/korea-intercept.yaml`;
let t = performance.now();
compare(
  prepare(intercept, { readFile }).model!,
  arms.map((label) => ({ label, model: prepare(intercept, { readFile, interventions: [label] }).model! })),
  { seed: 1, runs: 20_000, engine: ENGINE_VERSION },
);
const directCompare = (performance.now() - t) / 1000;
const c = await job('compare', 'korea-intercept.yaml', { arms });
console.log(
  `compare korea-intercept, 3 arms x 20,000 runs: direct ${directCompare.toFixed(1)} s; as a job ${c.seconds.toFixed(1)} s, event loop stalled at most ${c.maxStallMs.toFixed(0)} ms (p99 ${c.p99StallMs.toFixed(0)} ms)`,
);

const decap = prepare(`${examples}/korea-decapitation-misread.yaml`, { readFile });
t = performance.now();
const direct = sensitivity(
  decap.doc!,
  { hash: decap.hash!, interventions: [], engine: ENGINE_VERSION },
  { seed: 1 },
);
const directSens = (performance.now() - t) / 1000;
const k = direct.params.length;
const total = 5000 * (1 + 2 * k) + 32 * (sobolParameterCount(SOBOL_TOP, k) + 2) * 500;
const s = await job('sensitivity', 'korea-decapitation-misread.yaml', { k, total });
console.log(
  `sensitivity korea-decapitation-misread at the defaults (${k} parameters, ${total.toLocaleString('en-US')} engine runs): direct ${directSens.toFixed(1)} s; as a job ${s.seconds.toFixed(1)} s, event loop stalled at most ${s.maxStallMs.toFixed(0)} ms (p99 ${s.p99StallMs.toFixed(0)} ms)`,
);
await jobs.stop();
await store.close();
rmSync(dir, { recursive: true, force: true });
