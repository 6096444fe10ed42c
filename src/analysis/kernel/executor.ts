// The executor port: something that computes tasks (src/analysis/kernel/task.ts) and hands back their
// results. Three adapters: `InlineExecutor` here (this thread, a task at a time, yielding between tasks
// so that a server or a page keeps answering; cancellable), `ThreadExecutor` (worker threads, piscina:
// src/analysis/parallel.ts) and `ShardQueueClient` (`brink worker` processes over Redis:
// src/distributed/queue.ts). An analysis is an `AnalysisJob`: it plans its next tasks from its state and
// absorbs their results in task order, so `execute` gives the same state, and the same report, on any
// executor with any number of workers.
import { computeTask, type Task, type TaskResult } from './task.ts';

export interface Executor {
  /** How many tasks to hand it at once (a bounded window: memory stays flat in the number of runs). */
  readonly capacity: number;
  /** Threads it computes on, for sizing tasks. */
  readonly parallelism: number;
  run<T extends Task>(task: T, signal?: AbortSignal): Promise<TaskResult<T>>;
}

/** Lets other work in (timers, I/O, a cancel message) between two tasks on this thread. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** This thread: one task at a time, with a pause before each (so `signal` and other work get in). */
export class InlineExecutor implements Executor {
  readonly capacity = 1;
  readonly parallelism = 1;
  readonly #pause: () => Promise<void>;

  /** `pause` runs before each task (default: one macrotask; `async () => {}` for none). */
  constructor(pause: () => Promise<void> = breathe) {
    this.#pause = pause;
  }

  async run<T extends Task>(task: T, signal?: AbortSignal): Promise<TaskResult<T>> {
    await this.#pause();
    if (signal?.aborted) throw new Error('cancelled');
    return computeTask(task);
  }
}

/** An analysis under way: integer-count state, the tasks still to run, and the report at the end. */
export interface AnalysisJob<R> {
  /** Progress units in all (runs, run indices, engine runs or design points: the analysis says). */
  readonly total: number;
  /** Progress units done. */
  done(): number;
  /**
   * The next tasks, in the order their results must be absorbed; none when finished. With `units`,
   * at most about that many progress units (at least one task), for slices on this thread.
   */
  next(sizing: { parallelism: number; units?: number }): Task[];
  /** Merges the result of the next task (in order) into the state. */
  absorb(task: Task, result: unknown): void;
  /** The state as JSON, to resume from (`open…(…, checkpoint)`) to exactly the same numbers. */
  checkpoint(): string;
  /** The report, once finished. */
  report(): R | Promise<R>;
}

export interface ExecuteOptions {
  signal?: AbortSignal | undefined;
  /** Called as results are absorbed; may be async (to let a progress bar draw). */
  onProgress?: ((done: number, total: number) => void | Promise<void>) | undefined;
}

/** Runs a job to the end on an executor (results absorbed in task order) and returns its report. */
export async function execute<R>(
  job: AnalysisJob<R>,
  executor: Executor,
  opts: ExecuteOptions = {},
): Promise<R> {
  await runJob(job, executor, opts);
  return await job.report();
}

/** Runs a job's remaining tasks on an executor, without the report. */
export async function runJob(
  job: AnalysisJob<unknown>,
  executor: Executor,
  opts: ExecuteOptions = {},
): Promise<void> {
  const parallelism = Math.max(1, executor.parallelism);
  for (let tasks = job.next({ parallelism }); tasks.length > 0; tasks = job.next({ parallelism })) {
    await runInOrder(
      tasks,
      (t, signal) => executor.run(t, signal),
      async (k, r) => {
        job.absorb(tasks[k]!, r);
        await opts.onProgress?.(job.done(), job.total);
      },
      { window: executor.capacity, signal: opts.signal },
    );
  }
}

/** Advances a job by about `units` progress units on this thread (one slice of a background job). */
export async function stepJob(
  job: AnalysisJob<unknown>,
  units: number,
  executor: Executor = SYNC,
): Promise<void> {
  for (const t of job.next({ parallelism: 1, units })) job.absorb(t, await executor.run(t));
}

/** This thread without pauses (for slices whose caller paces them). */
export const SYNC: Executor = new InlineExecutor(async () => {});

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

/** Runs a job to the end on this thread without yielding (scripts, tests, small analyses). */
export function executeSync<R>(job: AnalysisJob<R>, onProgress?: (done: number, total: number) => void): R {
  for (let tasks = job.next({ parallelism: 1 }); tasks.length > 0; tasks = job.next({ parallelism: 1 }))
    for (const t of tasks) {
      job.absorb(t, computeTask(t));
      onProgress?.(job.done(), job.total);
    }
  const r = job.report();
  if (r instanceof Promise) throw new Error('executeSync: this analysis reports asynchronously');
  return r;
}

/**
 * Two jobs one after the other as one job (an analysis and its parameter draws): the first's tasks,
 * then the second's; the checkpoint holds both, so it resumes either part. Progress is counted in the
 * first job's units (a manifest's `runs` keeps its meaning), the work of both spread over them by the
 * engine runs each unit costs (`work`).
 */
export class JobChain<A, B, R> implements AnalysisJob<R> {
  readonly total: number;
  readonly #a: AnalysisJob<A>;
  readonly #b: AnalysisJob<B>;
  readonly #report: (a: A, b: B) => R | Promise<R>;
  readonly #work: [number, number];
  #current: 0 | 1 = 0;

  constructor(
    a: AnalysisJob<A>,
    b: AnalysisJob<B>,
    report: (a: A, b: B) => R | Promise<R>,
    work: [number, number] = [1, 1],
  ) {
    this.#a = a;
    this.#b = b;
    this.#report = report;
    this.#work = work;
    this.total = a.total;
  }

  /** The parts' checkpoints in a chain's checkpoint (undefined: start afresh). */
  static parts(checkpoint: string | undefined): [string | undefined, string | undefined] {
    if (!checkpoint) return [undefined, undefined];
    const c = JSON.parse(checkpoint) as { a: string; b: string };
    return [c.a, c.b];
  }

  done(): number {
    const [wa, wb] = this.#work;
    const all = wa * this.#a.total + wb * this.#b.total;
    const done = wa * this.#a.done() + wb * this.#b.done();
    return all > 0 ? Math.min(this.total, Math.floor((this.total * done) / all)) : this.total;
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    const first = this.#a.next(sizing);
    this.#current = first.length ? 0 : 1;
    return first.length ? first : this.#b.next(sizing);
  }

  absorb(task: Task, result: unknown): void {
    (this.#current === 0 ? this.#a : this.#b).absorb(task, result);
  }

  checkpoint(): string {
    return JSON.stringify({ a: this.#a.checkpoint(), b: this.#b.checkpoint() });
  }

  report(): R | Promise<R> {
    const a = this.#a.report();
    const b = this.#b.report();
    if (a instanceof Promise || b instanceof Promise)
      return Promise.all([a, b]).then(([x, y]) => this.#report(x, y));
    return this.#report(a, b);
  }
}

/**
 * Jobs as one job (a backtest's ensembles, one per case; its forecasts, one per crisis): each batch holds
 * the next tasks of every part (in slices, of the first unfinished part only), absorbed in order into
 * the part each came from; the checkpoint holds every part's, so it resumes where it stopped. Progress
 * is the sum of the parts' units; the report is every part's report, in order.
 */
export class JobSeries<R> implements AnalysisJob<R[]> {
  readonly total: number;
  readonly #jobs: readonly AnalysisJob<R>[];
  /** The part of each task handed out and not yet absorbed, in order. */
  #owners: number[] = [];

  constructor(jobs: readonly AnalysisJob<R>[]) {
    this.#jobs = jobs;
    this.total = jobs.reduce((s, j) => s + j.total, 0);
  }

  /** The parts' checkpoints in a series' checkpoint (undefined each: start afresh). */
  static parts(checkpoint: string | undefined, n: number): (string | undefined)[] {
    if (!checkpoint) return Array.from({ length: n }, () => undefined);
    const parts = JSON.parse(checkpoint) as string[];
    if (parts.length !== n) throw new Error(`a checkpoint of ${parts.length} parts, not ${n}`);
    return parts;
  }

  done(): number {
    return this.#jobs.reduce((s, j) => s + j.done(), 0);
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    const out: Task[] = [];
    this.#owners = [];
    for (let k = 0; k < this.#jobs.length; k++) {
      const tasks = this.#jobs[k]!.next(sizing);
      for (const t of tasks) {
        out.push(t);
        this.#owners.push(k);
      }
      if (tasks.length && sizing.units !== undefined) break;
    }
    return out;
  }

  absorb(task: Task, result: unknown): void {
    const k = this.#owners.shift();
    if (k === undefined) throw new Error('series: a task that was not handed out');
    this.#jobs[k]!.absorb(task, result);
  }

  checkpoint(): string {
    return JSON.stringify(this.#jobs.map((j) => j.checkpoint()));
  }

  report(): R[] | Promise<R[]> {
    const parts = this.#jobs.map((j) => j.report());
    return parts.some((p) => p instanceof Promise) ? Promise.all(parts) : (parts as R[]);
  }
}
