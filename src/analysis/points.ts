// Design points for sweep, sensitivity and break-even: one or more settings of a document (parameters
// set, compiled), runs [start, start + count) of one seed of each, paired run by run and scored on some
// metrics. `PointEvaluator` computes a point task (src/analysis/tasks.ts) on this thread, with the
// compiled models cached, for the main thread and for workers alike.
//
// Sweep and break-even are written as plans, generators that yield batches of points (independent of
// each other) and receive their tallies, so that the same code runs them on this thread (`runPlan`) or
// on a task runner (`runPlanOn`: worker threads or a queue); the numbers are the same because a point's
// tally is integer counts and per-run hit patterns, merged in run order.
import type { Model } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { contentHash } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, type ParamTarget } from './design.ts';
import { type Metric, type MetricDef, metricOf } from './metrics.ts';
import {
  addCounts,
  type DocSource,
  type PointSetting,
  type PointTally,
  type PointTask,
  runInOrder,
  splitRuns,
  type TaskRunner,
  workersOf,
} from './tasks.ts';

/** A setting with its document as an object (the caller's side of a `PointSetting`). */
export interface Point {
  doc: Scenario;
  meta: { hash: string; interventions: string[] };
  targets: readonly ParamTarget[];
  values: readonly number[];
}

/** The documents of a use case as JSON, serialised once each. */
export class DocSources {
  readonly #docs = new WeakMap<Scenario, DocSource>();
  readonly #evaluator: PointEvaluator | undefined;

  /** With an evaluator on this thread, which is handed the documents themselves (no parsing). */
  constructor(evaluator?: PointEvaluator) {
    this.#evaluator = evaluator;
  }

  of(doc: Scenario): DocSource {
    let d = this.#docs.get(doc);
    if (!d) {
      d = { docJson: JSON.stringify(doc), hash: contentHash(doc) };
      this.#docs.set(doc, d);
      this.#evaluator?.hold(d.hash, doc);
    }
    return d;
  }

  setting(p: Point): PointSetting {
    return {
      doc: this.of(p.doc),
      meta: { hash: p.meta.hash, interventions: [...p.meta.interventions] },
      targets: [...p.targets],
      values: [...p.values],
    };
  }
}

function settingKey(s: PointSetting): string {
  return JSON.stringify([
    s.doc.hash,
    s.meta.hash,
    s.meta.interventions,
    s.targets.map((t) => t.path),
    s.values,
  ]);
}

function lruGet<V>(cache: Map<string, V>, key: string, size: number, make: () => V): V {
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const v = make();
  if (cache.size >= size) cache.delete(cache.keys().next().value!);
  cache.set(key, v);
  return v;
}

/**
 * Computes point tasks on this thread. Documents are parsed once and checked against their hash;
 * compiled models are kept (a few), since the ranges of a point tend to come together. Documents the
 * caller already holds can be given, to skip parsing.
 */
export class PointEvaluator {
  readonly #held = new Map<string, Scenario>();
  readonly #docs = new Map<string, Scenario>();
  readonly #models = new Map<string, Simulator>();

  /** Uses `doc` for tasks that name `hash` (the caller vouches for the hash). */
  hold(hash: string, doc: Scenario): void {
    this.#held.set(hash, doc);
  }

  #doc(src: DocSource): Scenario {
    const held = this.#held.get(src.hash);
    if (held) return held;
    return lruGet(this.#docs, src.hash, 8, () => {
      const d = JSON.parse(src.docJson) as Scenario;
      if (contentHash(d) !== src.hash)
        throw new Error(`scenario content does not match its hash ${src.hash.slice(0, 12)}`);
      return d;
    });
  }

  /** Uses `model`, compiled by the caller, for `setting`. */
  prime(setting: PointSetting, model: Model): void {
    lruGet(this.#models, settingKey(setting), 8, () => new Simulator(model));
  }

  /** The simulator of a setting (compiled once; a RangeError names the values when it does not compile). */
  simulator(s: PointSetting): Simulator {
    return lruGet(this.#models, settingKey(s), 8, () => {
      const model: Model = compileAt(this.#doc(s.doc), s.targets, s.values, s.meta);
      return new Simulator(model);
    });
  }

  run(task: PointTask): PointTally {
    const sims = task.settings.map((s) => this.simulator(s));
    return scorePoint(sims, task.metrics.map(metricOf), task.seed, task.start, task.count, task.perRun);
  }
}

/** Runs [start, start + count) of `seed` of each simulator, paired, and counts the hit patterns. */
export function scorePoint(
  sims: readonly Simulator[],
  metrics: readonly Metric[],
  seed: number,
  start: number,
  count: number,
  perRun: boolean,
): PointTally {
  const nM = metrics.length;
  const nS = sims.length;
  const counts = metrics.map(() => new Array<number>(1 << nS).fill(0));
  const patterns = perRun ? metrics.map(() => new Uint8Array(count)) : null;
  const pat = new Uint8Array(nM);
  for (let i = 0; i < count; i++) {
    pat.fill(0);
    for (let s = 0; s < nS; s++) {
      const r = sims[s]!.run(seed, start + i);
      for (let m = 0; m < nM; m++) if (metrics[m]!.of(r)) pat[m]! |= 1 << s;
    }
    for (let m = 0; m < nM; m++) {
      counts[m]![pat[m]!]!++;
      if (patterns) patterns[m]![i] = pat[m]!;
    }
  }
  return { counts, patterns };
}

/** An empty tally of `runs` runs of `settings` settings on `metrics` metrics. */
export function emptyTally(metrics: number, settings: number, perRun: number | null): PointTally {
  return {
    counts: Array.from({ length: metrics }, () => new Array<number>(1 << settings).fill(0)),
    patterns: perRun === null ? null : Array.from({ length: metrics }, () => new Uint8Array(perRun)),
  };
}

/** Merges the tally of the range starting at `offset` (runs from the point's first) into `into`. */
export function mergeTally(into: PointTally, t: PointTally, offset: number): void {
  addCounts(into.counts, t.counts);
  if (into.patterns && t.patterns)
    for (const [m, p] of t.patterns.entries()) into.patterns[m]!.set(p, offset);
}

/** Runs [0, runs) of `seed` of some settings, paired, scored on `metrics`. */
export interface PointJob {
  settings: Point[];
  seed: number;
  runs: number;
  metrics: readonly MetricDef[];
  /** Keep each run's hit pattern (for bootstraps over runs), not only the counts. */
  perRun: boolean;
}

/** A use case over design points: yields batches of jobs, receives their tallies in the same order. */
export type PointPlan<R> = Generator<PointJob[], R, PointTally[]>;

/** Runs a plan on this thread; `onPoint` is called as each point is done. */
export function runPlan<R>(plan: PointPlan<R>, onPoint?: () => void): R {
  const ev = new PointEvaluator();
  const docs = new DocSources(ev);
  let step = plan.next();
  while (!step.done) {
    const tallies = step.value.map((job) => {
      const t = ev.run(pointTask(docs, job, 0, job.runs, ''));
      onPoint?.();
      return t;
    });
    step = plan.next(tallies);
  }
  return step.value;
}

function pointTask(docs: DocSources, job: PointJob, start: number, count: number, engine: string): PointTask {
  return {
    kind: 'point',
    settings: job.settings.map((p) => docs.setting(p)),
    metrics: [...job.metrics],
    perRun: job.perRun,
    seed: job.seed,
    start,
    count,
    engine,
  };
}

/** Smallest run range of a point worth a task of its own (each worker compiles the points it gets). */
export const MIN_POINT_RUNS = 1000;

/**
 * Runs a plan on a task runner (worker threads or a queue). A batch's points are cut into run ranges
 * when there are fewer points than the workers could share, so a single point (a bisection step) still
 * uses every worker; ranges of a point merge in run order. `onPoint` is called as each point is done.
 */
export async function runPlanOn<R>(
  plan: PointPlan<R>,
  runner: TaskRunner,
  opts: { engine: string; signal?: AbortSignal | undefined; onPoint?: () => void },
): Promise<R> {
  const docs = new DocSources();
  const workers = workersOf(runner);
  let step = plan.next();
  while (!step.done) {
    const jobs = step.value;
    const parts = Math.ceil((4 * workers) / Math.max(1, jobs.length));
    const tasks: { job: number; task: PointTask }[] = [];
    jobs.forEach((job, j) => {
      for (const r of splitRuns(0, job.runs, parts, MIN_POINT_RUNS))
        tasks.push({ job: j, task: pointTask(docs, job, r.start, r.count, opts.engine) });
    });
    const tallies = jobs.map((job) =>
      emptyTally(job.metrics.length, job.settings.length, job.perRun ? job.runs : null),
    );
    await runInOrder(
      tasks,
      (t, signal) => runner.runTask(t.task, signal),
      (k, res) => {
        const { job, task } = tasks[k]!;
        mergeTally(tallies[job]!, res, task.start);
        if (task.start + task.count === jobs[job]!.runs) opts.onPoint?.();
      },
      { window: runner.capacity, signal: opts.signal },
    );
    step = plan.next(tallies);
  }
  return step.value;
}
