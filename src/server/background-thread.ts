// Background tasks on a worker thread of their own: the talks room's analyses and the exercises' jobs
// (src/server/talks/jobs.ts, src/server/exercises/jobs.ts) still queue on the server's one job queue,
// but their compiling, runs and report happen on a background thread, so the event loop only hands the
// inputs over, relays progress and stores the result (docs/decisions/0018-server-load.md). Not the
// request pool: a gap ranking can take minutes, and a pool thread cannot be pre-empted. The inputs (delegations' declared positions, an exercise's log) stay in this
// process: they go to the thread by message, never to a queue or a disk.
import { Worker } from 'node:worker_threads';
import { workerOptions } from '../analysis/parallel.ts';
import type { ExerciseJobInput } from './exercises/compute.ts';
import { serverWorkerFile } from './pool.ts';
import type { TalksAnalysisInput } from './talks/compute.ts';

export type BackgroundTask =
  | { kind: 'talks'; input: TalksAnalysisInput }
  | { kind: 'exercise'; input: ExerciseJobInput };

export type BackgroundMessage = { type: 'start'; task: BackgroundTask } | { type: 'cancel' };

/** Why a background task failed: cancelled, a domain error (its message may be shown), or a bug (its name only). */
export interface BackgroundFailure {
  kind: 'cancelled' | 'domain' | 'internal';
  name: string;
  message: string;
}

export type BackgroundReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: BackgroundFailure };

/** A background task failed on its thread (`kind` says how the server may report it). */
export class BackgroundError extends Error {
  readonly kind: BackgroundFailure['kind'];
  constructor(f: BackgroundFailure) {
    super(f.message);
    this.name = f.name;
    this.kind = f.kind;
  }
}

export interface BackgroundControl {
  /** Polled: true asks the thread to stop (it fails with kind `cancelled` at its next slice). */
  cancelled(): boolean;
  /** Each slice's progress, in order (awaited before the next message is handled). */
  progress?(done: number, total: number): void | Promise<void>;
}

const started: Record<BackgroundTask['kind'], number> = { talks: 0, exercise: 0 };
let running = 0;

/** Background tasks started since this process started, by kind, and running now (for /metrics and tests). */
export function backgroundStats(): { started: Record<BackgroundTask['kind'], number>; running: number } {
  return { started: { ...started }, running };
}

/** How often the server's thread asks `cancelled()` while a task runs. */
const POLL_MS = 50;

/** The background worker: compiled (dist/), or from the sources the compiled one when fresh, else the tsx shim. */
export function backgroundWorkerFile(): string {
  return serverWorkerFile('background-worker');
}

/**
 * One background thread is kept between tasks (unref'd: it does not keep a process alive), so the next
 * task finds its JIT warm and its caches of compiled scenarios (an exercise's game) filled: the server's
 * queue runs one task at a time, so one thread serves them all. A second task at once gets a thread of
 * its own, ended after it.
 */
let idle: Worker | undefined;

function takeWorker(): Worker {
  const w = idle;
  idle = undefined;
  if (w) {
    w.ref();
    return w;
  }
  const file = backgroundWorkerFile();
  const fresh = new Worker(file, workerOptions(file));
  // A thread that dies while idle is forgotten; its errors between tasks are not the next task's.
  fresh.on('exit', () => {
    if (idle === fresh) idle = undefined;
  });
  fresh.on('error', () => {});
  return fresh;
}

function giveBack(w: Worker): void {
  if (idle) {
    void w.terminate();
    return;
  }
  w.unref();
  idle = w;
}

/** Runs a task on a background thread; resolves with its result, rejects with a BackgroundError. */
export function runInBackground(task: BackgroundTask, ctl: BackgroundControl): Promise<unknown> {
  const worker = takeWorker();
  started[task.kind]++;
  running++;
  let chain = Promise.resolve();
  let asked = false;
  let progressFailed: { e: unknown } | undefined;
  return new Promise<unknown>((resolve, reject) => {
    const poll = setInterval(() => {
      if (!asked && ctl.cancelled()) {
        asked = true;
        worker.postMessage({ type: 'cancel' } satisfies BackgroundMessage);
      }
    }, POLL_MS);
    const end = (settle: () => void, reusable: boolean) => {
      running--;
      clearInterval(poll);
      // Only this task's listeners (the Worker's own, which start its port, stay).
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      // Progress handlers finish before the outcome is given.
      chain = chain.then(settle, settle);
      if (reusable) giveBack(worker);
      else void worker.terminate();
    };
    const onMessage = (r: BackgroundReply) => {
      if (r.type === 'progress') {
        // A progress handler that fails (the store) fails the task, as it did on the server's thread.
        if (ctl.progress && !progressFailed)
          chain = chain
            .then(() => ctl.progress!(r.done, r.total))
            .catch((e: unknown) => {
              progressFailed = { e };
            });
      } else if (r.type === 'done')
        end(() => (progressFailed ? reject(progressFailed.e) : resolve(r.result)), true);
      else end(() => reject(new BackgroundError(r.error)), true);
    };
    const onError = (e: Error) => end(() => reject(e), false);
    const onExit = (code: number) =>
      end(() => reject(new Error(`the background task's thread stopped (exit code ${code})`)), false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ type: 'start', task } satisfies BackgroundMessage);
  });
}
