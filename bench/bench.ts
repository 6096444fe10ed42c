// `npm run bench`: how fast the engine is, against its PRNG floor, its allocation per run, the memory of
// a 10^7-run ensemble, and the speed-up over worker threads. Method and results: bench/README.md.
//   npm run bench -- [--json] [--quick] [--only ID[,ID]] [--workers 1,2] [--big-runs N] [--no-rss] [--no-speedup]
//                    [--no-analysis] [--no-validate] [--no-epistemic]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import Table from 'cli-table3';
import { PairedComparison } from '../src/analysis/compare.ts';
import { type Aggregate, EnsembleJob, emptyAggregate, record } from '../src/analysis/ensemble.ts';
import { type Executor, execute, InlineExecutor } from '../src/analysis/kernel/executor.ts';
import { compileSource, type ModelSource, modelSourceOf } from '../src/analysis/kernel/task.ts';
import { ThreadExecutor } from '../src/analysis/parallel.ts';
import { openSweep, parseSweepParam } from '../src/analysis/sweep.ts';
import { ENGINE_VERSION, type Model, streamCount } from '../src/engine/model.ts';
import { runKey, seedStreamOfRun, seedWords, xoshiroNext } from '../src/engine/rng.ts';
import { Simulator } from '../src/engine/run.ts';
import { applyInterventions, loadDocument, prepare } from '../src/scenario/index.ts';
import {
  type CallgrindResult,
  callgrindPerDecision,
  compareEngines,
  cpuMs,
  ENGINE1_COMMIT,
  type EngineComparison,
  KOREA,
  median,
} from './engines.ts';
import { type EpistemicCost, measureEpistemic } from './epistemic.ts';
import { measureLargeValidation } from './validate-large.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

export const BENCH_SCENARIOS = [
  { id: 'korea-test-failure', file: 'scenarios/korea-test-failure.yaml' },
  { id: 'korea-intercept', file: 'scenarios/korea-intercept.yaml' },
  { id: 'korea-decapitation-misread', file: 'scenarios/korea-decapitation-misread.yaml' },
  { id: 'synthetic-small', file: 'bench/scenarios/synthetic-small.yaml' },
  { id: 'synthetic-large', file: 'bench/scenarios/synthetic-large.yaml' },
];
/** The scenario of the speed-up and memory measurements. */
const ENSEMBLE_SCENARIO = 'korea-intercept';
const SEED = 20261128;

interface Options {
  json: boolean;
  quick: boolean;
  only: string[];
  workers: number[];
  bigRuns: number;
  rss: boolean;
  speedup: boolean;
  /** Also the speed-up of `brink compare` and `brink sweep` over worker threads. */
  analysis: boolean;
  /** Also `brink validate` of 10 MB files (bench/validate-large.ts). */
  validate: boolean;
  /** Also parameter draws against plain runs (bench/epistemic.ts). */
  epistemic: boolean;
  /** Warm-up and each repetition, in seconds. */
  warmSeconds: number;
  repSeconds: number;
  repetitions: number;
  clock: 'cpu' | 'wall';
  /** Also write the JSON object to this file. */
  jsonOut?: string;
  /** Engine 2 against engine 1.0 (commit 65aca9b) on the Korea scenarios. */
  engines: boolean;
  /** Also instructions per decision under callgrind, for these scenarios (slow). */
  callgrind: string[];
}

function parseArgs(argv: string[]): Options {
  const cores = os.availableParallelism();
  const o: Options = {
    json: false,
    quick: false,
    only: [],
    workers: [...new Set([1, 2, cores])].filter((w) => w <= Math.max(2, cores)).sort((a, b) => a - b),
    bigRuns: 10_000_000,
    rss: true,
    speedup: true,
    analysis: true,
    validate: true,
    epistemic: true,
    warmSeconds: 2,
    repSeconds: 2,
    repetitions: 5,
    clock: 'cpu',
    engines: true,
    callgrind: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') o.json = true;
    else if (a === '--quick') {
      o.quick = true;
      o.warmSeconds = 0.3;
      o.repSeconds = 0.3;
      o.repetitions = 3;
      o.bigRuns = 100_000;
    } else if (a === '--only') o.only = next().split(',');
    else if (a === '--workers') o.workers = next().split(',').map(Number);
    else if (a === '--big-runs') o.bigRuns = Number(next().replace(/_/g, ''));
    else if (a === '--no-rss') o.rss = false;
    else if (a === '--json-out') o.jsonOut = next();
    else if (a === '--no-speedup') o.speedup = false;
    else if (a === '--no-analysis') o.analysis = false;
    else if (a === '--no-engines') o.engines = false;
    else if (a === '--callgrind') o.callgrind = next() === 'all' ? [...KOREA] : argv[i]!.split(',');
    else if (a === '--no-validate') o.validate = false;
    else if (a === '--no-epistemic') o.epistemic = false;
    else if (a === '--repetitions') o.repetitions = Number(next());
    else if (a === '--rep-seconds') o.repSeconds = Number(next());
    else if (a === '--clock') {
      const c = next();
      if (c !== 'cpu' && c !== 'wall') throw new Error('--clock is cpu or wall');
      o.clock = c;
      if (c === 'wall') clock = now;
    } else throw new Error(`unknown option ${a}`);
  }
  return o;
}

const now = () => performance.now();
/**
 * The clock of the one-thread measurements: this process's CPU time (user + system), which a busy
 * machine does not inflate the way it inflates wall time; `--clock wall` for wall time.
 */
let clock = cpuMs;

function load(file: string): { model: Model; source: ModelSource } {
  const p = prepare(`${ROOT}${file}`, { readFile: (f) => readFileSync(f, 'utf8') });
  if (!p.model) throw new Error(`${file} does not compile`);
  return { model: p.model, source: modelSourceOf(p) };
}

export interface ScenarioResult {
  id: string;
  actors: number;
  streams: number;
  runsPerSecond: number;
  decisionsPerSecond: number;
  decisionsPerRun: number;
  drawsPerRun: number;
  usPerRun: number;
  /** Seeding the run's streams and drawing its numbers (xoshiro128**), per run. */
  floorUsPerRun: number;
  floorRatio: number;
  /** The same without seeding: the draws alone. */
  drawsOnlyUsPerRun: number;
  floorRatioDrawsOnly: number;
  /** Bytes allocated on the JS heap (and in array buffers) per run: the engine alone, and with aggregation. */
  bytesPerRun: number | null;
  bytesPerRunWithAggregation: number | null;
  repetitions: number;
  runsPerRepetition: number;
}

/**
 * Replays the draws of runs [first, first + n): the PRNG work those runs need, without the engine.
 * `floor`: seeding each stream the run drew from (from the run key, as the engine does) and drawing
 * its numbers; `drawsOnly`: the draws alone, from streams already seeded.
 */
function prngFloor(
  counts: Uint32Array,
  streams: number,
  seed: number,
  first: number,
  n: number,
): { floor: number; drawsOnly: number; sink: number } {
  const [lo, hi] = seedWords(seed);
  const s = new Uint32Array(streams * 4);
  for (let k = 0; k < streams; k++) seedStreamOfRun(s, k * 4, runKey(lo, hi, first), k);
  let sink = 0;
  let t = clock();
  for (let r = 0; r < n; r++) {
    const rk = runKey(lo, hi, first + r);
    const base = r * streams;
    for (let k = 0; k < streams; k++) {
      const c = counts[base + k]!;
      if (c === 0) continue;
      seedStreamOfRun(s, k * 4, rk, k);
      for (let d = 0; d < c; d++) sink += xoshiroNext(s, k * 4) * 2 ** -32;
    }
  }
  const floor = clock() - t;
  t = clock();
  for (let r = 0; r < n; r++) {
    const base = r * streams;
    for (let k = 0; k < streams; k++) {
      const c = counts[base + k]!;
      for (let d = 0; d < c; d++) sink += xoshiroNext(s, k * 4) * 2 ** -32;
    }
  }
  const drawsOnly = clock() - t;
  return { floor, drawsOnly, sink };
}

declare const gc: (() => void) | undefined;

/** Bytes allocated per run, measured over a window with no garbage collection in it (needs --expose-gc). */
async function bytesPerRun(step: (run: number) => void, firstRun: number): Promise<number | null> {
  if (typeof gc !== 'function') return null;
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    gcs += list.getEntries().length;
  });
  obs.observe({ entryTypes: ['gc'] });
  const flush = () => new Promise((r) => setTimeout(r, 20));
  const found: number[] = [];
  let n = 4000;
  let run = firstRun;
  for (let attempt = 0; attempt < 20 && found.length < 3; attempt++) {
    gc();
    await flush();
    const before = gcs;
    const m0 = process.memoryUsage();
    for (let i = 0; i < n; i++) step(run++);
    const m1 = process.memoryUsage();
    await flush();
    if (gcs === before) {
      found.push((m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers)) / n);
    } else n = Math.max(20, n >> 1);
  }
  obs.disconnect();
  return found.length ? Math.max(0, median(found)) : null;
}

async function measureScenario(id: string, file: string, o: Options): Promise<ScenarioResult> {
  const { model } = load(file);
  const sim = new Simulator(model);
  const K = streamCount(model);
  // Warm-up: the JIT settles; the rate sets the runs per repetition.
  let run = 0;
  const t0 = now();
  while (now() - t0 < o.warmSeconds * 1000 || run < 20) sim.run(SEED, run++);
  const rate = run / ((now() - t0) / 1000);
  const n = Math.max(10, Math.round(rate * o.repSeconds));
  const reps: { ms: number; decisions: number; draws: number; floor: number; drawsOnly: number }[] = [];
  let sink = 0;
  for (let rep = 0; rep < o.repetitions; rep++) {
    const first = 1_000_000 + rep * n;
    let decisions = 0;
    const t = clock();
    for (let r = first; r < first + n; r++) decisions += sim.run(SEED, r).decisions;
    const ms = clock() - t;
    // The same runs again, untimed, to count their draws per stream; then the floor.
    const counts = new Uint32Array(n * K);
    let draws = 0;
    for (let r = 0; r < n; r++) {
      sim.run(SEED, first + r);
      counts.set(sim.streams.draws, r * K);
      for (let k = 0; k < K; k++) draws += sim.streams.draws[k]!;
    }
    const f = prngFloor(counts, K, SEED, first, n);
    sink += f.sink;
    reps.push({ ms, decisions, draws, floor: f.floor, drawsOnly: f.drawsOnly });
  }
  if (sink === -1) process.stdout.write(''); // keeps the floor's draws from being optimised away
  const engineBytes = await bytesPerRun((r) => sim.run(SEED, r), 5_000_000);
  const agg = emptyAggregate(model);
  const withAgg = await bytesPerRun((r) => record(agg, sim.run(SEED, r)), 5_000_000);
  const msPerRun = median(reps.map((r) => r.ms / n));
  const floorPerRun = median(reps.map((r) => r.floor / n));
  const drawsOnlyPerRun = median(reps.map((r) => r.drawsOnly / n));
  return {
    id,
    actors: model.actors.length,
    streams: K,
    runsPerSecond: median(reps.map((r) => n / (r.ms / 1000))),
    decisionsPerSecond: median(reps.map((r) => r.decisions / (r.ms / 1000))),
    decisionsPerRun: median(reps.map((r) => r.decisions / n)),
    drawsPerRun: median(reps.map((r) => r.draws / n)),
    usPerRun: msPerRun * 1000,
    floorUsPerRun: floorPerRun * 1000,
    floorRatio: median(reps.map((r) => r.ms / r.floor)),
    drawsOnlyUsPerRun: drawsOnlyPerRun * 1000,
    floorRatioDrawsOnly: median(reps.map((r) => r.ms / Math.max(1e-9, r.drawsOnly))),
    bytesPerRun: engineBytes,
    bytesPerRunWithAggregation: withAgg,
    repetitions: o.repetitions,
    runsPerRepetition: n,
  };
}

export interface SpeedupResult {
  scenario: string;
  runs: number;
  seconds: Record<string, number>;
  runsPerSecond: Record<string, number>;
  speedup: Record<string, number>;
  /** The same ensemble on the calling thread, without a pool. */
  thisThreadSeconds: number;
}

/** An ensemble of `runs` runs of SEED on an executor (the CLI's `run`). */
function ensemble(
  source: ModelSource,
  executor: Executor,
  runs: number,
  shardSize?: number,
  model: Model = compileSource(source),
): Promise<Aggregate> {
  return execute(
    new EnsembleJob(source, model, { seed: SEED, runs, engine: ENGINE_VERSION, shardSize }),
    executor,
  );
}

async function measureSpeedup(o: Options, singleRate: number): Promise<SpeedupResult> {
  const file = BENCH_SCENARIOS.find((s) => s.id === ENSEMBLE_SCENARIO)!.file;
  const { model, source } = load(file);
  // Enough runs that one worker takes a few seconds: pool start-up and the last shard's tail stay small.
  const runs = Math.max(20_000, Math.round((singleRate * (o.quick ? 1 : 6)) / 1000) * 1000);
  const seconds: Record<string, number> = {};
  const rps: Record<string, number> = {};
  const reps = o.quick ? 1 : 3;
  for (const w of o.workers) {
    const pool = new ThreadExecutor(w);
    try {
      await ensemble(source, pool, w * 2000, 1000);
      const times: number[] = [];
      for (let r = 0; r < reps; r++) {
        const t = now();
        await ensemble(source, pool, runs);
        times.push((now() - t) / 1000);
      }
      seconds[w] = median(times);
      rps[w] = runs / seconds[w]!;
    } finally {
      await pool.close();
    }
  }
  const t = now();
  await ensemble(source, new InlineExecutor(), runs, undefined, model);
  const thisThreadSeconds = (now() - t) / 1000;
  const speedup = speedupOf(o, seconds);
  return { scenario: ENSEMBLE_SCENARIO, runs, seconds, runsPerSecond: rps, speedup, thisThreadSeconds };
}

export interface AnalysisSpeedup {
  /** What was run, as the command would say it. */
  command: string;
  seconds: Record<string, number>;
  speedup: Record<string, number>;
}

/** Median wall seconds of `run` on a started and warmed pool of each size in `o.workers`. */
async function timeOnPools(
  o: Options,
  run: (pool: ThreadExecutor) => Promise<unknown>,
): Promise<Record<string, number>> {
  const seconds: Record<string, number> = {};
  for (const w of o.workers) {
    const pool = new ThreadExecutor(w);
    try {
      await run(pool); // warm-up: threads started, models compiled, JIT settled
      const times: number[] = [];
      for (let r = 0; r < (o.quick ? 1 : 3); r++) {
        const t = now();
        await run(pool);
        times.push((now() - t) / 1000);
      }
      seconds[w] = median(times);
    } finally {
      await pool.close();
    }
  }
  return seconds;
}

function speedupOf(o: Options, seconds: Record<string, number>): Record<string, number> {
  const base = seconds[o.workers[0]!]!;
  return Object.fromEntries(Object.entries(seconds).map(([w, s]) => [w, base / s]));
}

/** `brink compare` (two arms) and `brink sweep` (six cells) of korea-intercept on pools of each size. */
async function measureAnalysisSpeedup(o: Options): Promise<AnalysisSpeedup[]> {
  const file = BENCH_SCENARIOS.find((s) => s.id === ENSEMBLE_SCENARIO)!.file;
  const base = load(file);
  const arms = ['hotline', 'eu-hosted-talks'].map((label) => {
    const p = prepare(`${ROOT}${file}`, { readFile: (f) => readFileSync(f, 'utf8'), interventions: [label] });
    return { label, model: p.model!, source: modelSourceOf(p) };
  });
  const runs = o.quick ? 6000 : 40_000;
  const compareSeconds = await timeOnPools(o, (pool) =>
    execute(
      new PairedComparison({
        base: base.model,
        baseSource: base.source,
        arms,
        seed: SEED,
        runs,
        traceRuns: 0,
        engine: ENGINE_VERSION,
      }),
      pool,
    ),
  );
  const doc = loadDocument(`${ROOT}${file}`, { readFile: (f) => readFileSync(f, 'utf8') }).doc!;
  const withTalks = applyInterventions(doc, ['eu-hosted-talks'], {}).doc!;
  const cellRuns = o.quick ? 1000 : 8000;
  const params = ['talks.eu-hosted.leak.DPRK.p=0..0.3:3', 'talks.eu-hosted.convergence=0.2..0.6:2'].map(
    parseSweepParam,
  );
  const meta = { hash: base.model.hash, interventions: ['eu-hosted-talks'], engine: ENGINE_VERSION };
  const sweepSeconds = await timeOnPools(o, (pool) =>
    execute(openSweep(withTalks, params, meta, { seed: SEED, runs: cellRuns }), pool),
  );
  return [
    {
      command: `compare ${ENSEMBLE_SCENARIO} --with hotline --with eu-hosted-talks --runs ${runs} --trace 0`,
      seconds: compareSeconds,
      speedup: speedupOf(o, compareSeconds),
    },
    {
      command: `sweep ${ENSEMBLE_SCENARIO} --with eu-hosted-talks (3 x 2 cells) --runs ${cellRuns}`,
      seconds: sweepSeconds,
      speedup: speedupOf(o, sweepSeconds),
    },
  ];
}

export interface RssResult {
  scenario: string;
  workers: number;
  runs: number;
  seconds: number;
  runsPerSecond: number;
  peakRssMB: number;
  aggregateBytes: number;
}

function ensembleChild(file: string, runs: number, workers: number): Promise<RssResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        `${ROOT}bench/ensemble-child.ts`,
        `${ROOT}${file}`,
        String(runs),
        String(workers),
        String(SEED),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
    });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`ensemble child exited with ${code}`));
      const j = JSON.parse(out) as RssResult;
      resolve({ ...j, scenario: ENSEMBLE_SCENARIO });
    });
  });
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    v8: process.versions.v8,
    os: `${os.type()} ${os.release()}`,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const si = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(1);

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const log = (s: string) => {
    if (!o.json) process.stdout.write(s);
  };
  const machineStart = machine();
  log(
    `brink bench (engine ${ENGINE_VERSION}): ${machineStart.cpu}, ${machineStart.cores} cores, ${machineStart.node}, load ${machineStart.loadAverage.join(' ')}\n`,
  );
  const scenarios: ScenarioResult[] = [];
  for (const s of BENCH_SCENARIOS) {
    if (o.only.length && !o.only.includes(s.id)) continue;
    log(`  single thread: ${s.id} ...\n`);
    scenarios.push(await measureScenario(s.id, s.file, o));
  }
  let engines: EngineComparison[] = [];
  if (o.engines) {
    log(`  engine 2 against engine 1.0 (commit ${ENGINE1_COMMIT}, a worktree under ${os.tmpdir()}) ...\n`);
    engines = await compareEngines(o);
  }
  let callgrind: CallgrindResult[] = [];
  if (o.callgrind.length) {
    log(`  callgrind instructions per decision (${o.callgrind.join(', ')}; slow) ...\n`);
    callgrind = callgrindPerDecision(o.callgrind, o.quick ? [200, 1200] : [500, 4500], (line) =>
      log(`    ${line}\n`),
    );
  }
  let speedup: SpeedupResult | undefined;
  if (o.speedup) {
    log(`  speed-up over ${o.workers.join(', ')} workers (${ENSEMBLE_SCENARIO}) ...\n`);
    const single = scenarios.find((s) => s.id === ENSEMBLE_SCENARIO)?.runsPerSecond ?? 20_000;
    speedup = await measureSpeedup(o, single);
  }
  let analyses: AnalysisSpeedup[] = [];
  if (o.analysis) {
    log(`  compare and sweep over ${o.workers.join(', ')} workers (${ENSEMBLE_SCENARIO}) ...\n`);
    analyses = await measureAnalysisSpeedup(o);
  }
  const rss: RssResult[] = [];
  if (o.rss) {
    const file = BENCH_SCENARIOS.find((s) => s.id === ENSEMBLE_SCENARIO)!.file;
    const workers = os.availableParallelism();
    const sizes = [
      ...new Set([o.bigRuns / 100, o.bigRuns / 10, o.bigRuns].map((x) => Math.max(1000, Math.round(x)))),
    ];
    for (const runs of sizes) {
      log(`  peak memory: ${fmt(runs)} runs on ${workers} workers ...\n`);
      rss.push(await ensembleChild(file, runs, workers));
    }
  }
  let epistemic: EpistemicCost | null = null;
  if (o.epistemic) {
    log('  parameter draws (--epistemic 200 --runs 2000) against 400,000 plain runs ...\n');
    epistemic = measureEpistemic({ quick: o.quick, seed: SEED });
  }
  let validation: ReturnType<typeof measureLargeValidation> | null = null;
  if (o.validate) {
    log('  brink validate of 10 MB files ...\n');
    validation = measureLargeValidation();
  }
  const result = {
    engine: ENGINE_VERSION,
    machine: { ...machineStart, loadAverageEnd: machine().loadAverage },
    method: {
      warmSeconds: o.warmSeconds,
      repSeconds: o.repSeconds,
      repetitions: o.repetitions,
      statistic: 'median',
      seed: SEED,
      clock: o.clock === 'cpu' ? 'process CPU time (user + system)' : 'wall time',
    },
    runsPerSecond: Object.fromEntries(scenarios.map((s) => [s.id, s.runsPerSecond])),
    decisionsPerSecond: Object.fromEntries(scenarios.map((s) => [s.id, s.decisionsPerSecond])),
    floorRatio: Object.fromEntries(scenarios.map((s) => [s.id, s.floorRatio])),
    bytesPerRun: Object.fromEntries(scenarios.map((s) => [s.id, s.bytesPerRun])),
    speedup: speedup?.speedup ?? {},
    peakRssMB: rss.at(-1)?.peakRssMB ?? null,
    scenarios,
    engines,
    callgrind,
    parallel: speedup ?? null,
    analysisSpeedup: analyses,
    memory: rss,
    validateLarge: validation,
    epistemic,
  };
  if (o.jsonOut) writeFileSync(o.jsonOut, `${JSON.stringify(result, null, 2)}\n`);
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const plain = { head: [], border: [] };
  const t = new Table({
    head: [
      'scenario',
      'actors',
      'runs/s',
      'decisions/run',
      'decisions/s',
      'µs/run',
      'draws/run',
      'PRNG floor µs',
      'engine/floor',
      'engine/draws only',
      'bytes/run (+aggr.)',
    ],
    style: plain,
  });
  for (const s of scenarios)
    t.push([
      s.id,
      String(s.actors),
      si(s.runsPerSecond),
      fmt(s.decisionsPerRun, 1),
      si(s.decisionsPerSecond),
      fmt(s.usPerRun, 1),
      fmt(s.drawsPerRun, 0),
      fmt(s.floorUsPerRun, 2),
      `${fmt(s.floorRatio, 1)}×`,
      `${fmt(s.floorRatioDrawsOnly, 1)}×`,
      s.bytesPerRun === null ? 'n/a' : `${fmt(s.bytesPerRun)} (${fmt(s.bytesPerRunWithAggregation ?? 0)})`,
    ]);
  log(
    `\nOne thread (median of ${o.repetitions} repetitions of ~${o.repSeconds} s after ${o.warmSeconds} s warm-up; ${o.clock === 'cpu' ? 'CPU' : 'wall'} time):\n${t.toString()}\n`,
  );
  if (engines.length) {
    const e = new Table({
      head: ['scenario', 'engine', 'decisions/run', 'runs/s', 'decisions/s per core', 'engine 2 / engine 1'],
      style: plain,
    });
    for (const x of engines) {
      e.push([
        x.scenario,
        x.engine1.version,
        fmt(x.engine1.decisionsPerRun, 2),
        si(x.engine1.runsPerSecond),
        si(x.engine1.decisionsPerSecond),
        '',
      ]);
      e.push([
        '',
        x.engine2.version,
        fmt(x.engine2.decisionsPerRun, 2),
        si(x.engine2.runsPerSecond),
        si(x.engine2.decisionsPerSecond),
        `${fmt(x.ratio, 2)}×`,
      ]);
    }
    log(
      `\nEngine 2 against engine 1.0 (commit ${ENGINE1_COMMIT}; each its own scenario files; interleaved, median of ${o.repetitions} repetitions of ~${o.repSeconds} s, CPU time):\n${e.toString()}\n`,
    );
  }
  if (callgrind.length) {
    const c = new Table({
      head: ['scenario', 'engine', 'runs', 'decisions', 'instructions/decision'],
      style: plain,
    });
    for (const x of callgrind)
      c.push([
        x.scenario,
        x.engine,
        `${x.runs[1]} - ${x.runs[0]}`,
        fmt(x.decisions[1] - x.decisions[0]),
        fmt(x.instructionsPerDecision),
      ]);
    log(
      `\nInstructions per decision (valgrind --tool=callgrind; difference of two run counts):\n${c.toString()}\n`,
    );
  }
  if (speedup) {
    const p = new Table({ head: ['workers', 'seconds', 'runs/s', 'speed-up'], style: plain });
    for (const w of Object.keys(speedup.seconds))
      p.push([
        w,
        fmt(speedup.seconds[w]!, 2),
        si(speedup.runsPerSecond[w]!),
        `${fmt(speedup.speedup[w]!, 2)}×`,
      ]);
    log(
      `\nWorker threads: ${fmt(speedup.runs)} runs of ${speedup.scenario} (same numbers for every count; on this thread without a pool: ${fmt(speedup.thisThreadSeconds, 2)} s):\n${p.toString()}\n`,
    );
  }
  if (analyses.length) {
    const a = new Table({ head: ['analysis', 'workers', 'seconds', 'speed-up'], style: plain });
    for (const x of analyses)
      for (const w of Object.keys(x.seconds))
        a.push([x.command, w, fmt(x.seconds[w]!, 2), `${fmt(x.speedup[w]!, 2)}×`]);
    log(
      `\nAnalyses on worker threads (wall time, median of ${o.quick ? 1 : 3} after a warm-up; the same report for every count):\n${a.toString()}\n`,
    );
  }
  if (rss.length) {
    const m = new Table({
      head: ['runs', 'workers', 'seconds', 'runs/s', 'peak RSS MB', 'aggregate bytes'],
      style: plain,
    });
    for (const r of rss)
      m.push([
        fmt(r.runs),
        String(r.workers),
        fmt(r.seconds, 1),
        si(r.runsPerSecond),
        fmt(r.peakRssMB, 0),
        fmt(r.aggregateBytes),
      ]);
    log(`\nMemory of an ensemble (its own process, worker threads included):\n${m.toString()}\n`);
  }
  if (epistemic) {
    const x = epistemic;
    const t = new Table({ head: ['', 'CPU s', 'ratio'], style: plain });
    t.push([`${fmt(x.plainRuns)} plain runs`, fmt(x.plainSeconds, 2), '1']);
    t.push([
      `${x.draws} draws × ${fmt(x.runsPerDraw)} runs`,
      fmt(x.epistemicSeconds, 2),
      `${fmt(x.ratio, 2)}×`,
    ]);
    t.push([`  of which making the ${x.draws} models (renumbered)`, fmt(x.compileSeconds, 2), '']);
    t.push([`  (the same models compiled from scratch)`, fmt(x.freshCompileSeconds, 2), '']);
    const e = x.engineSeconds;
    t.push(['engine alone: the nominal model', fmt(e.nominal, 2), '1']);
    t.push([
      `  ${x.draws} compiles of the nominal model`,
      fmt(e.nominalCopies, 2),
      `${fmt(e.nominalCopies / e.nominal, 2)}×`,
    ]);
    t.push([`  the ${x.draws} drawn models`, fmt(e.drawn, 2), `${fmt(e.drawn / e.nominal, 2)}×`]);
    t.push([`draws over the engine alone on the drawn models`, '', `${fmt(x.overDrawnEngine, 2)}×`]);
    const w = x.engineWork;
    log(
      `\nParameter draws (${x.scenario}, this thread, median of ${x.repetitions}): engine decisions per run at the draws / at nominal ${fmt(x.decisionRatio, 2)}; cost per decision ${fmt(x.ratioPerDecision, 2)}×; engine alone, decisions at the draws / at nominal ${fmt(w.drawn.decisions / w.nominal.decisions, 3)}, events ${fmt(w.drawn.events / w.nominal.events, 3)}\n${t.toString()}\n`,
    );
  }
  if (validation) {
    const v = new Table({ head: ['brink validate', 'bytes', 'diagnostic', 'wall s', 'CPU s'], style: plain });
    for (const r of [...validation.files, validation.startup])
      v.push([r.file, fmt(r.bytes), r.code, fmt(r.wallSeconds, 2), fmt(r.cpuSeconds, 2)]);
    log(
      `\nValidating files at the 10 MB limit (compiled CLI, median of 3, start-up included):\n${v.toString()}\n`,
    );
  }
  log(`\nload average at the end: ${result.machine.loadAverageEnd.join(' ')}\n`);
}

await main();
