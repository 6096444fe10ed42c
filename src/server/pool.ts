// The server's worker-thread pool for the CPU work of requests (parse, validate, compile, hash, render a
// report): the event loop only hands tasks over and answers. Tasks wait in one queue per workspace and
// are taken round-robin across workspaces, so one team validating thirty files at once delays another
// team's single validation by at most one task per thread. The waiting room is bounded: past
// `maxQueue` tasks (or `maxPerWorkspace` for one workspace) a request is refused with `Busy`, which the
// HTTP layer answers as 429 with Retry-After (docs/decisions/0018-server-load.md).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { workerOptions } from '../analysis/parallel.ts';
import type { WorkResult, WorkTask } from './work-tasks.ts';

export interface PoolOptions {
  /** Worker threads (default: BRINK_POOL_THREADS, else the cores, at most 4). */
  threads?: number;
  /** The most tasks waiting over all workspaces before requests get 429 (default 128). */
  maxQueue?: number;
  /** The most tasks one workspace may have waiting (default 64). */
  maxPerWorkspace?: number;
}

/** The pool's waiting room is full: retry after `retryAfter` seconds. */
export class Busy extends Error {
  readonly retryAfter: number;
  readonly queued: number;
  readonly limit: number;
  readonly scope: 'server' | 'workspace';
  constructor(scope: 'server' | 'workspace', queued: number, limit: number, retryAfter: number) {
    super(
      scope === 'server'
        ? `the server is busy: ${queued} requests are waiting for a worker thread (limit ${limit}); retry in ${retryAfter} s`
        : `this workspace has ${queued} requests waiting for a worker thread (limit ${limit}); retry in ${retryAfter} s`,
    );
    this.scope = scope;
    this.queued = queued;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }
}

export interface PoolStats {
  threads: number;
  /** Tasks on a thread now. */
  running: number;
  /** Tasks waiting for a thread. */
  queued: number;
  /** Tasks finished (ok or failed) and refused since start. */
  completed: number;
  failed: number;
  refused: number;
  /** Seconds the threads spent on tasks since start (utilisation = its rate / threads). */
  busySeconds: number;
  /** Tasks finished since start, by operation (`validate`, `prepare`, `analysis`, `trace`, …). */
  byOp: Partial<Record<WorkTask['op'], number>>;
}

interface Item {
  task: WorkTask;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * The worker entry: compiled JS beside this module (dist/), or from the TypeScript sources the compiled
 * worker in dist/ when it is newer than every source it runs, else a shim that registers tsx.
 */
export function workWorkerFile(): string {
  return serverWorkerFile('work-worker');
}

/**
 * A worker entry of src/server (`name`.ts): compiled beside this module (dist/), or from the sources
 * the compiled one in dist/ when it is fresh, else its shim `name`-tsx.mjs that registers tsx.
 */
export function serverWorkerFile(name: string): string {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return fileURLToPath(new URL(`./${name}.js`, here));
  const compiled = fileURLToPath(new URL(`../../dist/server/${name}.js`, here));
  if (isFreshBuild(compiled)) return compiled;
  return fileURLToPath(new URL(`./${name}-tsx.mjs`, here));
}

/** Whether a compiled worker in dist/ is newer than every source under src/ it may run. */
export function isFreshBuild(file: string): boolean {
  if (!existsSync(file)) return false;
  const built = statSync(file).mtimeMs;
  const src = fileURLToPath(new URL('../', import.meta.url));
  for (const d of [
    'engine',
    'scenario',
    'analysis',
    'analysis/kernel',
    'analysis/report',
    'calibration',
    'contract',
    'exercise',
    'server',
    'server/exercises',
    'server/talks',
    'store',
    'talks',
  ]) {
    const dir = join(src, d);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir))
      if (f.endsWith('.ts') && statSync(join(dir, f)).mtimeMs > built) return false;
  }
  return true;
}

function envThreads(): number | undefined {
  const v = process.env.BRINK_POOL_THREADS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new RangeError(`BRINK_POOL_THREADS is a number of threads (1-64), got ${v}`);
  return n;
}

export class WorkPool {
  readonly threads: number;
  readonly maxQueue: number;
  readonly maxPerWorkspace: number;
  #piscina: Piscina<WorkTask, unknown> | undefined;
  /** Waiting tasks by workspace; Map order is the round-robin order. */
  readonly #waiting = new Map<string, Item[]>();
  #queued = 0;
  #running = 0;
  #completed = 0;
  #failed = 0;
  #refused = 0;
  #busyMs = 0;
  readonly #byOp: Partial<Record<WorkTask['op'], number>> = {};
  /** Mean task time (exponentially weighted), for Retry-After. */
  #meanMs = 100;
  #closed = false;

  constructor(opts: PoolOptions = {}) {
    this.threads = opts.threads ?? envThreads() ?? Math.min(4, availableParallelism());
    if (!Number.isSafeInteger(this.threads) || this.threads < 1)
      throw new RangeError(`threads must be >= 1: ${this.threads}`);
    this.maxQueue = opts.maxQueue ?? 128;
    this.maxPerWorkspace = opts.maxPerWorkspace ?? 64;
  }

  // Threads start with the first task (a process that serves no request starts none).
  #threadsOf(): Piscina<WorkTask, unknown> {
    const filename = workWorkerFile();
    this.#piscina ??= new Piscina<WorkTask, unknown>({
      filename,
      ...workerOptions(filename),
      minThreads: 1,
      maxThreads: this.threads,
      // The pool's own queue (fair, bounded) holds the waiting tasks: at most `threads` reach piscina.
      idleTimeout: 60_000,
      // Validation allocates a lot of short-lived objects: a young generation of 64 MB cut its CPU time
      // on a thread by ~13% (6 validations of korea-intercept: 2.2 s against 2.5 s of CPU).
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    return this.#piscina;
  }

  /** Runs a task for `workspace` on a worker thread; throws Busy when the waiting room is full. */
  run<T extends WorkTask>(workspace: string, task: T): Promise<WorkResult<T>> {
    if (this.#closed) return Promise.reject(new Error('the server is stopping'));
    const list = this.#waiting.get(workspace);
    if (this.#queued >= this.maxQueue) throw this.#busy('server', this.#queued, this.maxQueue);
    if ((list?.length ?? 0) >= this.maxPerWorkspace)
      throw this.#busy('workspace', list!.length, this.maxPerWorkspace);
    return new Promise<WorkResult<T>>((resolve, reject) => {
      const item: Item = { task, resolve: resolve as (v: unknown) => void, reject };
      if (list) list.push(item);
      else this.#waiting.set(workspace, [item]);
      this.#queued++;
      this.#dispatch();
    });
  }

  /** Seconds until a request refused now could get a thread: the work ahead of it over the threads. */
  retryAfter(): number {
    const ahead = this.#queued + this.#running;
    return Math.max(1, Math.min(60, Math.ceil((ahead * this.#meanMs) / this.threads / 1000)));
  }

  stats(): PoolStats {
    return {
      threads: this.threads,
      running: this.#running,
      queued: this.#queued,
      completed: this.#completed,
      failed: this.#failed,
      refused: this.#refused,
      busySeconds: this.#busyMs / 1000,
      byOp: { ...this.#byOp },
    };
  }

  /** Refuses new tasks, fails the waiting ones, and stops the threads after the running ones. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const list of this.#waiting.values())
      for (const item of list) item.reject(new Error('the server is stopping'));
    this.#waiting.clear();
    this.#queued = 0;
    await this.#piscina?.close();
  }

  #busy(scope: 'server' | 'workspace', queued: number, limit: number): Busy {
    this.#refused++;
    return new Busy(scope, queued, limit, this.retryAfter());
  }

  #dispatch(): void {
    while (this.#running < this.threads && this.#queued > 0) {
      const [ws, list] = this.#waiting.entries().next().value as [string, Item[]];
      const item = list.shift()!;
      // The workspace goes to the back of the round (or leaves it when it has nothing more).
      this.#waiting.delete(ws);
      if (list.length > 0) this.#waiting.set(ws, list);
      this.#queued--;
      this.#running++;
      const t0 = performance.now();
      this.#threadsOf()
        .run(item.task)
        .then(
          (v) => this.#settle(item.task.op, t0, item.resolve, v, false),
          (e) => this.#settle(item.task.op, t0, item.reject, e, true),
        );
    }
  }

  #settle(op: WorkTask['op'], t0: number, fn: (v: unknown) => void, v: unknown, failed: boolean): void {
    const ms = performance.now() - t0;
    this.#byOp[op] = (this.#byOp[op] ?? 0) + 1;
    this.#busyMs += ms;
    this.#meanMs = 0.8 * this.#meanMs + 0.2 * ms;
    this.#running--;
    this.#completed++;
    if (failed) this.#failed++;
    fn(v);
    this.#dispatch();
  }
}
