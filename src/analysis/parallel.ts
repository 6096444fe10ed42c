// Ensembles over worker threads (piscina). The work is cut into shards (run ranges); each worker
// rebuilds the model from the same validated document and returns integer-count aggregates, merged in
// shard order, so the numbers are those of a single-threaded run whatever the number of workers.
import { setMaxListeners } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ENGINE_VERSION, type Model } from '../engine/model.ts';
import { type Aggregate, emptyAggregate, merge, runRange } from './ensemble.ts';
import {
  compileSource,
  defaultShardSize,
  type ModelSource,
  planShards,
  type RunRange,
  type ShardTask,
} from './shard.ts';
import { type AnalysisTask, runInOrder, type TaskResult, type TaskRunner, type WorkerTask } from './tasks.ts';

/** The default number of workers: the cores this process may use. */
export function defaultWorkers(): number {
  return availableParallelism();
}

/**
 * The worker entry. From dist/ (the CLI): the compiled worker beside this module. From the TypeScript
 * sources under tsx (tests, benchmarks): the compiled worker in dist/ when it is newer than every
 * source it runs (threads start about three times faster than under tsx), else a shim that registers
 * tsx in the thread.
 */
export function shardWorkerFile(): string {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return fileURLToPath(new URL('./shard-worker.js', here));
  const compiled = fileURLToPath(new URL('../../dist/analysis/shard-worker.js', here));
  if (
    isFresh(
      compiled,
      ['engine', 'scenario', 'analysis'].map((d) => fileURLToPath(new URL(`../${d}/`, here))),
    )
  )
    return compiled;
  return fileURLToPath(new URL('./shard-worker-tsx.mjs', here));
}

/** Whether `file` exists and is newer than every .ts file in `dirs` (not recursive). */
function isFresh(file: string, dirs: string[]): boolean {
  if (!existsSync(file)) return false;
  const built = statSync(file).mtimeMs;
  for (const dir of dirs)
    for (const f of readdirSync(dir))
      if (f.endsWith('.ts') && statSync(join(dir, f)).mtimeMs > built) return false;
  return true;
}

/** Something that computes shards: worker threads here (ShardPool), or workers elsewhere (a queue). */
export interface ShardRunner {
  /** How many shards to hand it at once (more waiting would only use memory). */
  readonly capacity: number;
  run(task: ShardTask, signal?: AbortSignal): Promise<Aggregate>;
}

/**
 * A pool of worker threads that compute ensemble shards and analysis tasks (compare shards, design
 * points). Reuse one across ensembles and design points to skip start-up.
 */
export class ShardPool implements ShardRunner, TaskRunner {
  readonly size: number;
  /** The threads (TaskRunner's `parallelism`). */
  readonly parallelism: number;
  readonly capacity: number;
  readonly #piscina: Piscina<WorkerTask, unknown>;

  constructor(size = defaultWorkers()) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`workers must be >= 1: ${size}`);
    this.size = size;
    this.parallelism = size;
    this.capacity = size * 2;
    this.#piscina = new Piscina<WorkerTask, unknown>({
      filename: shardWorkerFile(),
      minThreads: size,
      maxThreads: size,
      idleTimeout: 60_000,
    });
  }

  /** Computes one shard on some worker. */
  run(task: ShardTask, signal?: AbortSignal): Promise<Aggregate> {
    return this.#piscina.run(task, this.#options(signal)) as Promise<Aggregate>;
  }

  /** Computes one analysis task on some worker. */
  runTask<T extends AnalysisTask>(task: T, signal?: AbortSignal): Promise<TaskResult<T>> {
    return this.#piscina.run(task, this.#options(signal)) as Promise<TaskResult<T>>;
  }

  #options(signal: AbortSignal | undefined): { signal?: AbortSignal } {
    if (!signal) return {};
    // Every task in flight listens to the caller's signal: a window of them is expected, not a leak.
    setMaxListeners(4 * this.capacity + 16, signal);
    return { signal };
  }

  /** Finishes the shards in hand, then stops the threads. */
  close(): Promise<void> {
    return this.#piscina.close();
  }

  /** Stops the threads now; shards in hand are lost (their promises reject). */
  destroy(): Promise<void> {
    return this.#piscina.destroy();
  }
}

export interface ParallelOptions {
  seed: number;
  runs: number;
  /** Worker threads (default: the cores). 1 runs on this thread. Ignored when `runner` is given. */
  workers?: number;
  /** Runs per shard (default: defaultShardSize). The numbers do not depend on it. */
  shardSize?: number;
  /** A pool or queue to use (and leave open) instead of starting a pool for this ensemble. */
  runner?: ShardRunner;
  /** The compiled model, when the caller has it: saves compiling again for work on this thread. */
  model?: Model;
  /** Called as runs complete; may be async (to let a progress bar draw). */
  onProgress?: (done: number, total: number) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Runs [0, runs) of `seed` of the scenario in `source` over worker threads and merges the shards in order. */
export async function runEnsembleParallel(source: ModelSource, opts: ParallelOptions): Promise<Aggregate> {
  const workers = opts.workers ?? defaultWorkers();
  const size =
    opts.shardSize ?? defaultShardSize(opts.runs, opts.runner ? opts.runner.capacity / 2 : workers);
  const shards = planShards(opts.runs, size);
  if (opts.runner) return runShards(opts.runner, source, shards, opts);
  if (workers <= 1 || shards.length <= 1) return runOnThisThread(source, opts);
  const pool = new ShardPool(Math.min(workers, shards.length));
  try {
    return await runShards(pool, source, shards, opts);
  } finally {
    await pool.close();
  }
}

async function runOnThisThread(source: ModelSource, opts: ParallelOptions): Promise<Aggregate> {
  const m = opts.model ?? compileSource(source);
  const agg = emptyAggregate(m);
  // Chunks only pace progress reports: runs are keyed by index, so the numbers do not depend on them.
  for (const r of planShards(opts.runs, 2000)) {
    if (opts.signal?.aborted) throw new Error('cancelled');
    merge(agg, runRange(m, opts.seed, r.start, r.count));
    await opts.onProgress?.(r.start + r.count, opts.runs);
  }
  return agg;
}

async function runShards(
  runner: ShardRunner,
  source: ModelSource,
  shards: RunRange[],
  opts: ParallelOptions,
): Promise<Aggregate> {
  // A bounded window of shards in flight keeps memory flat in the number of runs; finished shards wait
  // (at most the window) until every earlier shard has been merged.
  let merged: Aggregate | undefined;
  let done = 0;
  await runInOrder(
    shards,
    (r, signal) =>
      runner.run({ source, seed: opts.seed, start: r.start, count: r.count, engine: ENGINE_VERSION }, signal),
    async (k, agg) => {
      merged = merged ? merge(merged, agg) : agg;
      done += shards[k]!.count;
      await opts.onProgress?.(done, opts.runs);
    },
    { window: runner.capacity, signal: opts.signal },
  );
  return merged ?? emptyAggregate(opts.model ?? compileSource(source));
}
