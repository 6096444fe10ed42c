// The work the analysis commands hand to worker threads, besides ensemble shards (src/analysis/shard.ts):
// a compare shard (the baseline and every arm over one run range, paired run by run) and a design-point
// shard (a model compiled from a document with some parameters set, over one run range). Each result is
// made of integer counts, per-run hits and run indices, so that merging the shards of a range in order
// gives exactly what one thread computes over the whole range. Pure: no node:* (the pool is in
// parallel.ts, the worker's side in shard-worker.ts).
import type { ParamTarget } from './design.ts';
import type { Aggregate } from './ensemble.ts';
import type { MetricDef } from './metrics.ts';
import type { ModelSource, ShardTask } from './shard.ts';

/** A validated scenario document as JSON, with its content hash (checked by the worker). */
export interface DocSource {
  docJson: string;
  hash: string;
}

/** Runs [start, start + count) of `seed` of the baseline and of every arm, compared run by run. */
export interface CompareTask {
  kind: 'compare';
  base: ModelSource;
  arms: ModelSource[];
  seed: number;
  start: number;
  count: number;
  /** Keep the indices of up to this many saved and harmed runs of each arm. */
  keep: number;
  engine: string;
}

/** What one arm did against the baseline over a run range. */
export interface ArmTally {
  agg: Aggregate;
  /** 2x2 tables of paired binary quantities, flattened: [a, b, c, d] per quantity. */
  tables: number[];
  saved: number;
  harmed: number;
  /** The first saved and harmed runs of the range (up to the task's `keep`). */
  savedRuns: number[];
  harmedRuns: number[];
}

/** A compare shard's result: the baseline's aggregate and each arm's tally. */
export interface CompareTally {
  base: Aggregate;
  arms: ArmTally[];
}

/** The compile inputs of a design point besides the document (as `compileAt` takes them). */
export interface CompileMeta {
  hash: string;
  interventions: string[];
}

/** Runs [start, start + count) of `seed` of the document with `targets` set to `values`. */
export interface PointTask {
  kind: 'point';
  doc: DocSource;
  meta: CompileMeta;
  targets: ParamTarget[];
  values: number[];
  metrics: MetricDef[];
  /** Return each run's hits (per metric), not only the counts. */
  perRun: boolean;
  seed: number;
  start: number;
  count: number;
  engine: string;
}

/** A design point's result over a run range: hits per metric, and each run's hits when asked. */
export interface PointTally {
  counts: number[];
  /** Per metric, 1 for each run of the range that scored (null unless `perRun`). */
  hits: Uint8Array[] | null;
}

/** An analysis task for a worker thread. */
export type AnalysisTask = CompareTask | PointTask;

/** Any task of the worker pool: an ensemble shard or an analysis task. */
export type WorkerTask = ShardTask | AnalysisTask;

export type TaskResult<T extends AnalysisTask> = T extends CompareTask
  ? CompareTally
  : T extends PointTask
    ? PointTally
    : never;

/** Something that computes analysis tasks: worker threads (ShardPool in parallel.ts). */
export interface TaskRunner {
  /** How many tasks to hand it at once. */
  readonly capacity: number;
  runTask<T extends AnalysisTask>(task: T, signal?: AbortSignal): Promise<TaskResult<T>>;
}

/**
 * Runs `tasks` with at most `window` in flight and hands each result to `onResult` in task order
 * (a finished task waits until every earlier one has been handed on). The first failure aborts the
 * tasks in flight and rejects; so does `signal` (with "cancelled").
 */
export async function runInOrder<T, R>(
  tasks: readonly T[],
  run: (task: T, signal: AbortSignal) => Promise<R>,
  onResult: (k: number, result: R) => void | Promise<void>,
  opts: { window: number; signal?: AbortSignal | undefined },
): Promise<void> {
  if (tasks.length === 0) return;
  if (opts.signal?.aborted) throw new Error('cancelled');
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal?.addEventListener('abort', onAbort);
  const window = Math.max(1, opts.window);
  const pending = new Map<number, R>();
  let nextToHand = 0;
  let nextToStart = 0;
  let failure: unknown;
  try {
    await new Promise<void>((resolve, reject) => {
      let inFlight = 0;
      let handing = false;
      const fail = (e: unknown) => {
        if (failure) return;
        failure = opts.signal?.aborted ? new Error('cancelled') : e;
        abort.abort();
        reject(failure);
      };
      // Hands on the results that are next in order; one loop at a time, so that an async onResult
      // (a progress bar drawing) finishes before the next result is handed on.
      const hand = async () => {
        if (handing) return;
        handing = true;
        try {
          while (!failure && pending.has(nextToHand)) {
            const x = pending.get(nextToHand)!;
            pending.delete(nextToHand);
            await onResult(nextToHand, x);
            nextToHand++;
          }
        } catch (e) {
          fail(e);
        } finally {
          handing = false;
        }
        if (failure) return;
        if (nextToHand === tasks.length) resolve();
        else startMore();
      };
      const startMore = () => {
        while (!failure && inFlight < window && nextToStart < tasks.length) {
          const k = nextToStart++;
          inFlight++;
          run(tasks[k]!, abort.signal).then(
            (r) => {
              inFlight--;
              if (failure) return;
              pending.set(k, r);
              void hand();
            },
            (e: unknown) => {
              inFlight--;
              fail(e);
            },
          );
        }
      };
      startMore();
    });
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Cuts [0, runs) into `parts` consecutive ranges of nearly equal size, none smaller than `minSize`
 * runs (fewer ranges when the runs are few).
 */
export function splitRuns(runs: number, parts: number, minSize: number): { start: number; count: number }[] {
  const n = Math.max(1, Math.min(parts, Math.floor(runs / Math.max(1, minSize))));
  const out: { start: number; count: number }[] = [];
  for (let i = 0; i < n; i++) {
    const start = Math.floor((runs * i) / n);
    const end = Math.floor((runs * (i + 1)) / n);
    if (end > start) out.push({ start, count: end - start });
  }
  return out;
}
