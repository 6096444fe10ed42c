// Range tasks: the one unit of work of every analysis. A task names some runs [start, start + count) of
// one seed (of an ensemble, of a paired comparison, of design points) by its inputs only, so any thread,
// process or machine computes the same result; the result is integer counts (and run indices) that
// merge exactly, in run order, into the counts of the runs before it. The same tasks and merges serve
// this thread (the workbench's checkpointed slices), worker threads (ShardPool in parallel.ts) and
// `brink worker` processes on Redis (src/distributed/queue.ts). Pure: no node:*.
import type { CompareState } from './compare.ts';
import type { ParamTarget } from './design.ts';
import type { MetricDef } from './metrics.ts';
import type { ModelSource, ShardTask } from './shard.ts';

/** A validated scenario document as JSON, with its content hash (checked by whoever parses it). */
export interface DocSource {
  docJson: string;
  hash: string;
}

/** A run range of [0, runs). */
export interface RunRange {
  start: number;
  count: number;
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

/** An analysis task: a compare shard or a design-point shard. */
export type AnalysisTask = CompareTask | PointTask;

/** Any task: an ensemble shard (no `kind`, src/analysis/shard.ts) or an analysis task. */
export type WorkerTask = ShardTask | AnalysisTask;

/** The result of an analysis task. */
export type TaskResult<T extends AnalysisTask> = T extends CompareTask
  ? CompareState
  : T extends PointTask
    ? PointTally
    : never;

/** Something that computes analysis tasks: worker threads (ShardPool) or a Redis queue (ShardQueueClient). */
export interface TaskRunner {
  /** How many tasks to hand it at once (a bounded window: memory stays flat in the number of runs). */
  readonly capacity: number;
  /** Threads it computes on, for sizing tasks (capacity / 2 when unknown). */
  readonly parallelism?: number;
  runTask<T extends AnalysisTask>(task: T, signal?: AbortSignal): Promise<TaskResult<T>>;
}

/** The workers a runner computes on, for sizing tasks. */
export function workersOf(runner: TaskRunner): number {
  return Math.max(1, runner.parallelism ?? Math.floor(runner.capacity / 2));
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

/**
 * Runs `tasks` with at most `window` in flight or waiting and hands each result to `onResult` in task
 * order (a finished task waits until every earlier one has been handed on). A task's failure is also
 * taken in order (so the error is the one a single thread meets first, whatever the timing): it aborts
 * the tasks in flight and rejects. `signal` rejects at once (with "cancelled").
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
  const pending = new Map<number, { ok: true; r: R } | { ok: false; e: unknown }>();
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
            if (!x.ok) throw x.e;
            await onResult(nextToHand, x.r);
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
      // The window counts tasks started but not yet handed on, so results waiting for an earlier
      // one are bounded too.
      const startMore = () => {
        while (!failure && inFlight + pending.size < window && nextToStart < tasks.length) {
          const k = nextToStart++;
          inFlight++;
          run(tasks[k]!, abort.signal).then(
            (r) => {
              inFlight--;
              if (failure) return;
              pending.set(k, { ok: true, r });
              void hand();
            },
            (e: unknown) => {
              inFlight--;
              if (failure) return;
              if (abort.signal.aborted) fail(e);
              else {
                pending.set(k, { ok: false, e });
                void hand();
              }
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
 * Cuts [from, to) into consecutive ranges of nearly equal size, at most `parts` of them and none
 * smaller than `minSize` runs (fewer ranges when the runs are few). The numbers never depend on it.
 */
export function splitRuns(from: number, to: number, parts: number, minSize: number): RunRange[] {
  const runs = to - from;
  if (runs <= 0) return [];
  const n = Math.max(1, Math.min(parts, Math.floor(runs / Math.max(1, minSize))));
  const out: RunRange[] = [];
  for (let i = 0; i < n; i++) {
    const start = from + Math.floor((runs * i) / n);
    const end = from + Math.floor((runs * (i + 1)) / n);
    if (end > start) out.push({ start, count: end - start });
  }
  return out;
}
