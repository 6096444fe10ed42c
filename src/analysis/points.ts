// Design points for sweep, sensitivity and break-even: one or more settings of a document (parameters
// set, compiled), runs [start, start + count) of one seed of each, paired run by run and scored on some
// metrics. `PointEvaluator` computes a point task (src/analysis/kernel/task.ts) on this thread, with the
// compiled models cached, for the main thread and for workers alike.
//
// Sweep and break-even are written as plans, generators that yield batches of points (independent of
// each other) and receive their tallies; `PlanJob` runs a plan as an analysis job on any executor
// (src/analysis/kernel/executor.ts); the numbers are the same because a point's tally is integer counts
// and per-run hit patterns, merged in run order.
import type { Model } from '../engine/model.ts';
import type { Simulator } from '../engine/run.ts';
import { contentHash } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, type ParamTarget } from './design.ts';
import type { AnalysisJob } from './kernel/executor.ts';
import { simulatorOf } from './kernel/simulator.ts';
import {
  addCounts,
  type DocSource,
  type PointSetting,
  type PointTally,
  type PointTask,
  pointEvaluator,
  ranges,
  type Task,
} from './kernel/task.ts';
import { type Metric, type MetricDef, metricOf } from './metrics.ts';

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
  readonly #models = new Map<string, Model>();

  /** Uses `doc` for tasks that name `hash` (the caller vouches for the hash; the last 32 are kept). */
  hold(hash: string, doc: Scenario): void {
    this.#held.delete(hash);
    if (this.#held.size >= 32) this.#held.delete(this.#held.keys().next().value!);
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
    lruGet(this.#models, settingKey(setting), 8, () => model);
  }

  /** The simulator of a setting (compiled once; a RangeError names the values when it does not compile). */
  simulator(s: PointSetting): Simulator {
    return simulatorOf(
      lruGet(this.#models, settingKey(s), 8, () => compileAt(this.#doc(s.doc), s.targets, s.values, s.meta)),
    );
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

/** A point tally as JSON (a checkpoint). */
interface TallyJson {
  counts: number[][];
  patterns: number[][] | null;
}

const tallyJson = (t: PointTally): TallyJson => ({
  counts: t.counts,
  patterns: t.patterns ? t.patterns.map((p) => Array.from(p)) : null,
});
const tallyOf = (j: TallyJson): PointTally => ({
  counts: j.counts,
  patterns: j.patterns ? j.patterns.map((p) => Uint8Array.from(p)) : null,
});

/** Where a plan is: the tallies of the batches done, and of the batch in progress up to a run. */
interface PlanCheckpoint {
  batches: TallyJson[][];
  current: TallyJson[];
  job: number;
  runIn: number;
}

/**
 * A plan of design points as an analysis job. The batch in progress is cut into point tasks (its
 * points into run ranges when there are fewer points than the workers could share, so a single point,
 * a bisection step, still uses every worker); tallies merge in run order, and a finished batch is
 * handed to the plan, which yields the next. Progress counts points. The checkpoint is the tallies so
 * far: the plan is replayed from them (it is a function of its inputs and the tallies).
 */
export class PlanJob<R> implements AnalysisJob<R> {
  readonly total: number;
  readonly #plan: PointPlan<R>;
  readonly #docs = new DocSources(pointEvaluator());
  readonly #engine: string;
  readonly #onPoint: (() => void) | undefined;
  readonly #batches: PointTally[][] = [];
  #step: IteratorResult<PointJob[], R>;
  #tallies: PointTally[] = [];
  #job = 0;
  #runIn = 0;
  #points = 0;

  /** `total`: the points the plan will evaluate (an upper bound, for progress). */
  constructor(
    plan: PointPlan<R>,
    opts: { engine: string; total: number; onPoint?: (() => void) | undefined },
    checkpoint?: string,
  ) {
    this.#plan = plan;
    this.#engine = opts.engine;
    this.total = opts.total;
    this.#onPoint = opts.onPoint;
    this.#step = plan.next();
    this.#startBatch();
    if (checkpoint) {
      const c = JSON.parse(checkpoint) as PlanCheckpoint;
      for (const b of c.batches) {
        this.#points += this.#batch().length;
        this.#finishBatch(b.map(tallyOf));
      }
      this.#tallies = c.current.map(tallyOf);
      this.#points += c.job;
      this.#job = c.job;
      this.#runIn = c.runIn;
    }
  }

  #batch(): PointJob[] {
    return this.#step.done ? [] : this.#step.value;
  }

  #startBatch(): void {
    this.#tallies = this.#batch().map((job) =>
      emptyTally(job.metrics.length, job.settings.length, job.perRun ? job.runs : null),
    );
    this.#job = 0;
    this.#runIn = 0;
    // A batch of points without runs is finished as it comes.
    if (!this.#step.done && this.#batch().every((j) => j.runs === 0)) this.#finishBatch(this.#tallies);
  }

  #finishBatch(tallies: PointTally[]): void {
    this.#batches.push(tallies);
    this.#step = this.#plan.next(tallies);
    this.#startBatch();
  }

  /**
   * Points done: `total` once the plan has finished (an adaptive plan may skip some), and short of it
   * until then (a plan may also evaluate a point more than it counted, such as a baseline).
   */
  done(): number {
    return this.#step.done ? this.total : Math.min(this.#points, this.total - 1);
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    const jobs = this.#batch();
    if (jobs.length === 0) return [];
    if (sizing.units !== undefined) {
      const job = jobs[this.#job]!;
      const count = Math.max(1, Math.min(sizing.units, job.runs - this.#runIn));
      return [pointTask(this.#docs, job, this.#runIn, count, this.#engine)];
    }
    const parts = Math.ceil((4 * sizing.parallelism) / Math.max(1, jobs.length));
    const tasks: Task[] = [];
    for (let j = this.#job; j < jobs.length; j++) {
      const job = jobs[j]!;
      const from = j === this.#job ? this.#runIn : 0;
      for (const r of ranges(from, job.runs, { parts, minSize: MIN_POINT_RUNS }))
        tasks.push(pointTask(this.#docs, job, r.start, r.count, this.#engine));
    }
    return tasks;
  }

  absorb(task: Task, result: unknown): void {
    const job = this.#batch()[this.#job];
    if (task.kind !== 'point' || !job || task.start !== this.#runIn)
      throw new Error('plan: a task out of order');
    mergeTally(this.#tallies[this.#job]!, result as PointTally, task.start);
    this.#runIn += task.count;
    if (this.#runIn < job.runs) return;
    this.#points++;
    this.#onPoint?.();
    this.#job++;
    this.#runIn = 0;
    if (this.#job === this.#batch().length) this.#finishBatch(this.#tallies);
  }

  checkpoint(): string {
    const c: PlanCheckpoint = {
      batches: this.#batches.map((b) => b.map(tallyJson)),
      current: this.#tallies.map(tallyJson),
      job: this.#job,
      runIn: this.#runIn,
    };
    return JSON.stringify(c);
  }

  report(): R {
    if (!this.#step.done) throw new Error('the analysis is not finished');
    return this.#step.value;
  }
}
