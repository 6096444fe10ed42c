// Design points for sweep, sensitivity and break-even: a document with some parameters set, compiled,
// and runs 0..N-1 of one seed scored on some metrics. A use case is written as a plan, a generator that
// yields batches of points (independent of each other) and receives their tallies, so that the same
// code runs them on this thread (`runPlan`) or on worker threads (`runPlanOn`): the numbers are the same
// because each point's tally is integer counts and per-run hits, merged by run index.

import type { Model } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { contentHash } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, type ParamTarget } from './design.ts';
import { type Metric, type MetricDef, metricOf } from './metrics.ts';
import {
  type CompileMeta,
  type DocSource,
  type PointTally,
  type PointTask,
  runInOrder,
  splitRuns,
  type TaskRunner,
} from './tasks.ts';

/** A document with `targets` set to `values` (see `compileAt`). */
export interface Point {
  doc: Scenario;
  meta: CompileMeta;
  targets: readonly ParamTarget[];
  values: readonly number[];
}

/** Runs [0, runs) of `seed` at a point, scored on `metrics`. */
export interface PointJob {
  point: Point;
  seed: number;
  runs: number;
  metrics: readonly MetricDef[];
  /** Keep each run's hits (for paired differences and bootstraps), not only the counts. */
  perRun: boolean;
  /** Called when the point is done (progress). */
  done?: () => void;
}

/** A use case over design points: yields batches of jobs, receives their tallies in the same order. */
export type PointPlan<R> = Generator<PointJob[], R, PointTally[]>;

/** Scores runs [start, start + count) of `seed` of a model on `metrics`. */
export function pointRange(
  model: Model,
  metrics: readonly Metric[],
  seed: number,
  start: number,
  count: number,
  perRun: boolean,
  sim: Simulator = new Simulator(model),
): PointTally {
  const nM = metrics.length;
  const counts = new Array<number>(nM).fill(0);
  const hits = perRun ? metrics.map(() => new Uint8Array(count)) : null;
  for (let i = 0; i < count; i++) {
    const r = sim.run(seed, start + i);
    for (let k = 0; k < nM; k++) {
      if (metrics[k]!.of(r)) {
        counts[k]!++;
        if (hits) hits[k]![i] = 1;
      }
    }
  }
  return { counts, hits };
}

/** The model of a point (throws a RangeError naming the values when it does not compile). */
export function pointModel(p: Point): Model {
  return compileAt(p.doc, p.targets, p.values, p.meta);
}

/** Runs a plan on this thread. */
export function runPlan<R>(plan: PointPlan<R>): R {
  let step = plan.next();
  while (!step.done) {
    const tallies = step.value.map((job) => {
      const t = pointRange(
        pointModel(job.point),
        job.metrics.map(metricOf),
        job.seed,
        0,
        job.runs,
        job.perRun,
      );
      job.done?.();
      return t;
    });
    step = plan.next(tallies);
  }
  return step.value;
}

/** Smallest number of runs of a point worth a task of its own (a worker compiles each point it gets). */
const MIN_SHARD_RUNS = 1000;

/**
 * Runs a plan on worker threads (on this thread without a runner). A batch's points are cut into run
 * ranges when there are fewer points than the workers could share, so a single point (a bisection
 * step) still uses every worker; ranges of a point merge in run order.
 */
export async function runPlanOn<R>(
  plan: PointPlan<R>,
  runner: TaskRunner | undefined,
  opts: { engine: string; signal?: AbortSignal | undefined },
): Promise<R> {
  if (!runner) return runPlan(plan);
  const docs = new WeakMap<Scenario, DocSource>();
  const docSource = (doc: Scenario): DocSource => {
    let d = docs.get(doc);
    if (!d) {
      d = { docJson: JSON.stringify(doc), hash: contentHash(doc) };
      docs.set(doc, d);
    }
    return d;
  };
  const workers = Math.max(1, Math.floor(runner.capacity / 2));
  let step = plan.next();
  while (!step.done) {
    const jobs = step.value;
    const parts = Math.ceil((4 * workers) / Math.max(1, jobs.length));
    const tasks: { job: number; task: PointTask }[] = [];
    const left = jobs.map(() => 0);
    const tallies: PointTally[] = jobs.map((job) => ({
      counts: job.metrics.map(() => 0),
      hits: job.perRun ? job.metrics.map(() => new Uint8Array(job.runs)) : null,
    }));
    jobs.forEach((job, j) => {
      const p = job.point;
      for (const r of splitRuns(job.runs, parts, MIN_SHARD_RUNS)) {
        left[j]!++;
        tasks.push({
          job: j,
          task: {
            kind: 'point',
            doc: docSource(p.doc),
            meta: { hash: p.meta.hash, interventions: p.meta.interventions },
            targets: [...p.targets],
            values: [...p.values],
            metrics: [...job.metrics],
            perRun: job.perRun,
            seed: job.seed,
            start: r.start,
            count: r.count,
            engine: opts.engine,
          },
        });
      }
      if (left[j] === 0) job.done?.();
    });
    await runInOrder(
      tasks,
      // A point that does not compile fails in order, with the error this thread would have given.
      (t, signal) =>
        runner.runTask(t.task, signal).catch((e: unknown) => {
          if (e instanceof RangeError) return e;
          throw e;
        }),
      (k, res) => {
        if (res instanceof RangeError) throw res;
        const { job: j, task } = tasks[k]!;
        const tally = tallies[j]!;
        res.counts.forEach((c, m) => {
          tally.counts[m]! += c;
        });
        if (tally.hits && res.hits)
          for (const [m, h] of res.hits.entries()) tally.hits[m]!.set(h, task.start);
        if (--left[j]! === 0) jobs[j]!.done?.();
      },
      { window: runner.capacity, signal: opts.signal },
    );
    step = plan.next(tallies);
  }
  return step.value;
}

// The worker's side: compiled points, cached per thread (the shards of a point tend to come together).

const docCache = new Map<string, Scenario>();
const modelCache = new Map<string, { model: Model; sim: Simulator }>();

function cached<V>(cache: Map<string, V>, key: string, size: number, make: () => V): V {
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

/** Computes a design-point task (in a worker thread). */
export function runPointTask(task: PointTask): PointTally {
  const doc = cached(docCache, task.doc.hash, 4, () => {
    const d = JSON.parse(task.doc.docJson) as Scenario;
    if (contentHash(d) !== task.doc.hash)
      throw new Error(`scenario content does not match its hash ${task.doc.hash.slice(0, 12)}`);
    return d;
  });
  const key = `${task.doc.hash}|${JSON.stringify([task.meta, task.targets.map((t) => t.path), task.values])}`;
  const { model, sim } = cached(modelCache, key, 8, () => {
    const model = compileAt(doc, task.targets, task.values, task.meta);
    return { model, sim: new Simulator(model) };
  });
  return pointRange(model, task.metrics.map(metricOf), task.seed, task.start, task.count, task.perRun, sim);
}
