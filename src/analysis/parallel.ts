// The worker-thread adapter of the executor port (src/analysis/kernel/executor.ts): a piscina pool whose
// threads compute tasks with the kernel's task function (shard-worker.ts). Results are integer counts
// merged in task order by the analysis, so the numbers are those of a single thread whatever the
// number of workers.
import { setMaxListeners } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { type Executor, InlineExecutor } from './kernel/executor.ts';
import type { Task, TaskResult } from './kernel/task.ts';

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
      ['engine', 'scenario', 'analysis', 'analysis/kernel'].map((d) =>
        fileURLToPath(new URL(`../${d}/`, here)),
      ),
    )
  )
    return compiled;
  return fileURLToPath(new URL('./shard-worker-tsx.mjs', here));
}

/**
 * The Node flags of a worker thread that runs `file`. A compiled entry (.js, from dist/) runs without the
 * tsx loader a test or a benchmark was started with (`node --import tsx`), as the CLI and the server run
 * it: a thread inherits its process's flags, and tsx's hooks would load dist's modules through its own
 * transform (every import of the engine's constants through a getter; about 20% slower per run, measured
 * in bench/README.md). A thread takes only per-thread flags (Node refuses V8's, which apply to every
 * thread anyway), so of the others it keeps the profilers' and the module resolution's; a shim (.mjs)
 * inherits everything as before.
 */
export function workerExecArgv(file: string, a: readonly string[] = process.execArgv): string[] | undefined {
  if (!file.endsWith('.js')) return undefined;
  const out: string[] = [];
  const perThread = /^--(cpu-prof|heap-prof|enable-source-maps|conditions)/;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (!perThread.test(x)) continue;
    out.push(x);
    // A value given apart (`--cpu-prof-dir DIR`).
    if (!x.includes('=') && /-(dir|name|interval)$|^--conditions$/.test(x) && a[i + 1] !== undefined)
      out.push(a[++i]!);
  }
  return out;
}

/** The execArgv option of a thread that runs `file`, when it differs from the inherited flags. */
export function workerOptions(file: string): { execArgv?: string[] } {
  const execArgv = workerExecArgv(file);
  return execArgv ? { execArgv } : {};
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

/**
 * A pool of worker threads that compute tasks. Reuse one across analyses to skip start-up; close it
 * when done.
 */
export class ThreadExecutor implements Executor {
  readonly size: number;
  readonly parallelism: number;
  readonly capacity: number;
  readonly #piscina: Piscina<Task, unknown>;

  constructor(size = defaultWorkers()) {
    if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`workers must be >= 1: ${size}`);
    this.size = size;
    this.parallelism = size;
    this.capacity = size * 2;
    const filename = shardWorkerFile();
    this.#piscina = new Piscina<Task, unknown>({
      filename,
      ...workerOptions(filename),
      minThreads: size,
      maxThreads: size,
      idleTimeout: 60_000,
    });
  }

  /** Computes one task on some worker. */
  run<T extends Task>(task: T, signal?: AbortSignal): Promise<TaskResult<T>> {
    return this.#piscina.run(task, this.#options(signal)) as Promise<TaskResult<T>>;
  }

  #options(signal: AbortSignal | undefined): { signal?: AbortSignal } {
    if (!signal) return {};
    // Every task in flight listens to the caller's signal: a window of them is expected, not a leak.
    setMaxListeners(4 * this.capacity + 16, signal);
    return { signal };
  }

  /** Finishes the tasks in hand, then stops the threads. */
  close(): Promise<void> {
    return this.#piscina.close();
  }

  /** Stops the threads now; tasks in hand are lost (their promises reject). */
  destroy(): Promise<void> {
    return this.#piscina.destroy();
  }
}

/**
 * Calls `f` with an executor of `workers` threads (closed afterwards), or this thread for one worker.
 */
export async function withThreads<T>(workers: number, f: (executor: Executor) => Promise<T>): Promise<T> {
  if (workers <= 1) return f(new InlineExecutor());
  const pool = new ThreadExecutor(workers);
  try {
    return await f(pool);
  } finally {
    await pool.close();
  }
}
