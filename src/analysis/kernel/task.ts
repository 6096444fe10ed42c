// Range tasks: the one unit of work of every analysis. A task names some runs [start, start + count) of
// one seed (of an ensemble, of a paired comparison, of design points), or one rare-event estimate, by
// its inputs only, so any thread, process or machine computes the same result; the result is integer
// counts (and run indices) that merge exactly, in run order, into the counts of the runs before it.
// `runTask` is the one task function: the inline executor, worker threads and `brink worker` processes
// all call it (src/analysis/kernel/executor.ts). Pure: no node:*.
import { ENGINE_VERSION, type Model } from '../../engine/model.ts';
import { compile } from '../../scenario/compile.ts';
import { contentHash, type Prepared } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { type CompareState, compareRange } from '../compare.ts';
import { type CrisisClasses, classifyRange } from '../crisis-classes.ts';
import type { ParamTarget } from '../design.ts';
import { type Aggregate, runRange } from '../ensemble.ts';
import type { MetricDef } from '../metrics.ts';
import { type ContinuationSpec, continuations } from '../play.ts';
import { PointEvaluator } from '../points.ts';
import { type Estimator, estimateRare, type RareOptions, type RareResult } from '../rare.ts';
import { simulatorOf } from './simulator.ts';

/** A run range [start, start + count). */
export interface RunRange {
  start: number;
  count: number;
}

/**
 * Cuts [from, to) into consecutive ranges: of `size` runs each (the last may be shorter), or into at
 * most `parts` ranges of nearly equal size, none under `minSize` (fewer when the runs are few). The
 * numbers never depend on the cut: runs are keyed by index.
 */
export function ranges(
  from: number,
  to: number,
  by: { size: number } | { parts: number; minSize: number },
): RunRange[] {
  const runs = to - from;
  if (!Number.isSafeInteger(runs)) throw new RangeError(`runs must be a whole number: ${runs}`);
  if (runs <= 0) return [];
  const out: RunRange[] = [];
  if ('size' in by) {
    if (!Number.isSafeInteger(by.size) || by.size <= 0)
      throw new RangeError(`shard size must be > 0: ${by.size}`);
    for (let s = from; s < to; s += by.size) out.push({ start: s, count: Math.min(by.size, to - s) });
    return out;
  }
  const n = Math.max(1, Math.min(by.parts, Math.floor(runs / Math.max(1, by.minSize))));
  for (let i = 0; i < n; i++) {
    const start = from + Math.floor((runs * i) / n);
    const end = from + Math.floor((runs * (i + 1)) / n);
    if (end > start) out.push({ start, count: end - start });
  }
  return out;
}

/** A validated scenario document as JSON, with its content hash (checked by whoever parses it). */
export interface DocSource {
  docJson: string;
  hash: string;
}

/**
 * What a worker needs to rebuild a model: the document that was compiled (merged, validated, with
 * interventions and overrides applied) as JSON, its content hash, and the interventions' names
 * (labels only: the document already contains their effect).
 */
export interface ModelSource extends DocSource {
  interventions: string[];
}

/** Runs [start, start + count) of `seed` of one model: its `Aggregate` (src/analysis/ensemble.ts). */
export interface EnsembleTask {
  kind: 'ensemble';
  source: ModelSource;
  seed: number;
  start: number;
  count: number;
  /** The engine version the caller runs: a worker with another version refuses the task. */
  engine: string;
}

/**
 * Runs [start, start + count) of `seed` of the baseline and of every arm, compared run by run. Its
 * result is the `CompareState` of that range (src/analysis/compare.ts), merged by `mergeCompareState`.
 */
export interface CompareTask {
  kind: 'compare';
  base: ModelSource;
  arms: ModelSource[];
  seed: number;
  start: number;
  count: number;
  /** Keep the indices of up to this many saved and harmed runs of each arm. */
  traceRuns: number;
  engine: string;
}

/** One model of a design point: a document (interventions applied) with some parameters set. */
export interface PointSetting {
  doc: DocSource;
  /** The model's name: the scenario hash and the interventions applied (as `compileAt` takes them). */
  meta: { hash: string; interventions: string[] };
  targets: ParamTarget[];
  values: number[];
}

/**
 * Runs [start, start + count) of `seed` of one or more settings (paired: run i of each uses the same
 * keyed streams), scored on `metrics`.
 */
export interface PointTask {
  kind: 'point';
  settings: PointSetting[];
  metrics: MetricDef[];
  /** Also return each run's hit pattern (for bootstraps over runs), not only the counts. */
  perRun: boolean;
  seed: number;
  start: number;
  count: number;
  engine: string;
}

/**
 * A design point's result over a run range. A run's hit pattern on a metric has bit s set when setting
 * s scored; `counts[m]` counts the runs of each pattern (2^settings entries), so one setting gives
 * [misses, hits] and two give the paired 2x2 table (see `pairedTable`).
 */
export interface PointTally {
  counts: number[][];
  /** Per metric, each run's hit pattern (null unless `perRun`). */
  patterns: Uint8Array[] | null;
}

/** One rare-event estimate of one model (splitting and tilting are sequential: not cut into ranges). */
export interface RareTask {
  kind: 'rare';
  source: ModelSource;
  estimator: Estimator;
  options: Omit<RareOptions, 'onProgress'>;
  engine: string;
}

/**
 * Continuations [start, start + count) of an exercise from a branch point (src/analysis/play.ts): the
 * coach's look-ahead (one arm) and the after-action review's counterfactuals (the players' choice
 * against the doctrine's, paired on common random numbers). Its result: counts of war patterns.
 */
export interface PlayTask {
  kind: 'play';
  source: ModelSource;
  spec: ContinuationSpec;
  start: number;
  count: number;
  engine: string;
}

/** Any task of any analysis. */
/**
 * Runs [start, start + count) of `seed` of one model, counted by their classes on ICB's crisis scales
 * (src/analysis/crisis-classes.ts; `horizonDays`: the window a crisis must end in to count as short).
 */
export interface ClassesTask {
  kind: 'classes';
  source: ModelSource;
  horizonDays: number;
  seed: number;
  start: number;
  count: number;
  engine: string;
}

export type Task = EnsembleTask | CompareTask | PointTask | RareTask | PlayTask | ClassesTask;

/** The result of a task. */
export type TaskResult<T extends Task> = T extends EnsembleTask
  ? Aggregate
  : T extends CompareTask
    ? CompareState
    : T extends PointTask
      ? PointTally
      : T extends RareTask
        ? RareResult
        : T extends PlayTask
          ? number[]
          : T extends ClassesTask
            ? CrisisClasses
            : never;

/** The model source of a prepared scenario (`prepare(...)` without errors). */
export function modelSourceOf(p: Prepared): ModelSource {
  if (!p.model || !p.doc || !p.hash) throw new Error('the scenario did not compile: nothing to run');
  return sourceOf(p.doc, p.model);
}

/** The model source of a compiled document; the model is kept so that this thread does not compile it again. */
export function sourceOf(doc: Scenario, model: Model): ModelSource {
  const src = { docJson: JSON.stringify(doc), hash: model.hash, interventions: model.interventions };
  holdModel(src, model);
  return src;
}

const models = new Map<string, Model>();
/** Models held for the very source objects they came with (tasks run on this thread skip compiling). */
const held = new WeakMap<ModelSource, Model>();
const placeholders = new WeakMap<Model, ModelSource>();
const MODEL_CACHE = 8;
const keyOf = (src: ModelSource) => `${src.hash}|${src.interventions.join('+')}`;

function remember(key: string, m: Model): void {
  if (models.size >= MODEL_CACHE && !models.has(key)) models.delete(models.keys().next().value!);
  models.set(key, m);
}

/** Models this thread compiles from their document only if a task runs here (see `lazySource`). */
const lazy = new WeakMap<ModelSource, () => Model>();

/**
 * The source of a document whose model this thread compiles only when one of its tasks runs here: a
 * caller that hands its tasks to other threads or processes (where the model is compiled from the
 * source) never compiles it. `compileModel` compiles `doc` as it is (no parse, no hash check: the
 * caller made both).
 */
export function lazySource(doc: Scenario, hash: string, compileModel: () => Model): ModelSource {
  const src = { docJson: JSON.stringify(doc), hash, interventions: [] };
  lazy.set(src, compileModel);
  return src;
}

/** Uses `model`, compiled by the caller from `src`, for tasks on this thread that name it. */
export function holdModel(src: ModelSource, model: Model): void {
  held.set(src, model);
  remember(keyOf(src), model);
}

/**
 * A source for a model compiled without its document at hand (tests, scripts): it runs on this thread
 * only (another thread has nothing to compile it from and says so).
 */
export function localSource(model: Model): ModelSource {
  let src = placeholders.get(model);
  if (!src) {
    src = { docJson: '', hash: model.hash, interventions: model.interventions };
    held.set(src, model);
    placeholders.set(model, src);
  }
  return src;
}

/**
 * The model of a source, compiled once per (hash, interventions) in this thread. The document's hash
 * is checked, so a worker never runs content other than the one the caller named.
 */
export function compileSource(src: ModelSource): Model {
  const mine = held.get(src);
  if (mine) return mine;
  const later = lazy.get(src);
  if (later) {
    const m = later();
    holdModel(src, m);
    lazy.delete(src);
    return m;
  }
  if (src.docJson === '')
    throw new Error(
      `model ${src.hash.slice(0, 12)} was compiled without its document: it runs on its own thread only`,
    );
  const key = keyOf(src);
  const hit = models.get(key);
  if (hit) return hit;
  const doc = JSON.parse(src.docJson) as Scenario;
  const hash = contentHash(doc);
  if (hash !== src.hash) throw new Error(`scenario content does not match its hash ${src.hash.slice(0, 12)}`);
  const { model, diagnostics } = compile(doc, { hash, interventions: src.interventions });
  if (!model) {
    const first = diagnostics.find((d) => d.severity === 'error');
    throw new Error(`scenario ${hash.slice(0, 12)} does not compile: ${first?.message ?? 'unknown error'}`);
  }
  remember(key, model);
  return model;
}

let points: PointEvaluator | undefined;

/** The evaluator of point tasks on this thread (documents held by the caller skip parsing). */
export function pointEvaluator(): PointEvaluator {
  points ??= new PointEvaluator();
  return points;
}

/**
 * Computes one task that came from elsewhere (a worker thread's or a remote worker's entry): a task
 * for another engine version is refused.
 */
export function runTask<T extends Task>(task: T): TaskResult<T> {
  if (task.engine !== ENGINE_VERSION)
    throw new Error(`this worker runs engine ${ENGINE_VERSION}, the task needs engine ${task.engine}`);
  return computeTask(task);
}

/**
 * Computes one task on this thread: the one place where an analysis drives the engine (its engine is
 * this thread's, whatever version the task names).
 */
export function computeTask<T extends Task>(task: T): TaskResult<T> {
  return compute(task) as TaskResult<T>;
}

function compute(task: Task): Aggregate | CompareState | PointTally | RareResult | number[] | CrisisClasses {
  switch (task.kind) {
    case 'ensemble': {
      const m = compileSource(task.source);
      return runRange(m, task.seed, task.start, task.count, simulatorOf(m));
    }
    case 'compare': {
      const base = compileSource(task.base);
      const arms = task.arms.map(compileSource);
      return compareRange(base, arms, task.seed, task.start, task.count, task.traceRuns);
    }
    case 'point':
      return pointEvaluator().run(task);
    case 'rare':
      return estimateRare(compileSource(task.source), task.estimator, task.options);
    case 'play':
      return continuations(compileSource(task.source), task.spec, task.start, task.count);
    case 'classes': {
      const m = compileSource(task.source);
      return classifyRange(m, simulatorOf(m), task.seed, task.start, task.count, task.horizonDays);
    }
  }
}

/** Runs of a setting that scored, from one metric's pattern counts. */
export function hitsOf(counts: readonly number[], setting = 0): number {
  let k = 0;
  counts.forEach((c, pattern) => {
    if (pattern & (1 << setting)) k += c;
  });
  return k;
}

/** The paired 2x2 table [both, first only, second only, neither] of a two-setting point. */
export function pairedTable(counts: readonly number[]): [number, number, number, number] {
  return [counts[3] ?? 0, counts[1] ?? 0, counts[2] ?? 0, counts[0] ?? 0];
}

/** Adds the counts of `b` into `a` (same shape). */
export function addCounts(a: number[][], b: readonly (readonly number[])[]): void {
  a.forEach((row, m) => {
    const src = b[m]!;
    for (let i = 0; i < row.length; i++) row[i]! += src[i]!;
  });
}
