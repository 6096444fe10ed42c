// Background jobs: ensembles, comparisons and sensitivity analyses (src/server/analysis-jobs.ts opens
// each as a SlicedJob), and the tasks other parts of the server hand in (`submit`: the talks room's
// analyses, src/server/talks/jobs.ts): one queue for the server. Jobs execute one at a time in short time
// slices, on a worker thread of their own in the server (job-thread.ts; the event loop only relays
// progress) or on this thread (the default of the class: slicing keeps a server answering); submitted
// tasks run on this thread, yielding between slices. After each few slices the job's integer counts are
// checkpointed, so a server killed mid-run leaves the last checkpoint and no report: on restart the run
// is marked `interrupted` and `resume` continues from the checkpoint to exactly the numbers an
// uninterrupted run gives (each run's numbers depend only on seed and run index).
import type { RunRecord, RunStatus, Store } from '../store/index.ts';
import { openJob } from './analysis-jobs.ts';

/**
 * A job as the queue drives it: a SlicedJob on this thread, or its proxy on a worker thread
 * (job-thread.ts), whose steps are awaited while the event loop serves requests.
 */
export interface JobHandle {
  readonly total: number;
  done(): number;
  step(units: number): void | Promise<void>;
  checkpoint(): string | Promise<string>;
  finish(): Promise<string>;
  /** Releases what the job holds (its thread). */
  close?(): Promise<void>;
}

export interface Progress {
  id: string;
  status: RunStatus;
  doneRuns: number;
  totalRuns: number;
  error: string | null;
}

type Listener = (p: Progress) => void;

/** What a submitted task is given: whether to stop (cancelled, or the server stopping) and a way to yield. */
export interface TaskControl {
  cancelled(): boolean;
  /** Lets the event loop answer requests between two slices of the task. */
  pause(): Promise<void>;
}

/** A task another part of the server runs on this queue; it records its own outcome. */
export interface QueuedTask {
  id: string;
  run(ctl: TaskControl): Promise<void>;
}

/**
 * The tasks one part of the server (the talks room, the exercises) hands to the queue, kept so that it
 * can wait for them (`idle`) or stop taking more (`stop`: a task still queued then does not start).
 */
export class SubmittedTasks {
  private readonly queue: RunQueue;
  private readonly submitted = new Set<Promise<void>>();
  private halted = false;

  constructor(queue: RunQueue) {
    this.queue = queue;
  }

  get stopped(): boolean {
    return this.halted;
  }

  submit(id: string, run: (ctl: TaskControl) => Promise<void>): void {
    if (this.halted) return;
    const done = this.queue
      .submit({ id, run: (ctl) => (this.halted ? Promise.resolve() : run(ctl)) })
      .finally(() => this.submitted.delete(done));
    this.submitted.add(done);
  }

  cancel(id: string): void {
    this.queue.cancel(id);
  }

  /** Resolves when none of these tasks is queued or running. */
  async idle(): Promise<void> {
    while (this.submitted.size) await Promise.all(this.submitted);
  }

  /** Takes no more tasks (a queued one does not start; the one running sees `stopped`) and waits. */
  async stop(): Promise<void> {
    this.halted = true;
    await this.idle();
  }
}

type Entry = { id: string; ws: string } | { id: string; task: QueuedTask; settle: () => void };

const pause = () => new Promise<void>((r) => setImmediate(r));

export interface RunQueueOptions {
  /** Target duration of one slice of runs on the event loop. */
  sliceMs?: number;
  /** Minimum time between two checkpoints. */
  checkpointMs?: number;
  /** Where jobs run: on this thread in slices (default, openJob) or elsewhere (jobsOnThreads). */
  open?: (run: RunRecord) => JobHandle | Promise<JobHandle>;
  /** Where `open` computes their tasks, as /api/health reports it (default `thread`). */
  computedOn?: JobsComputedOn;
}

/** Where jobs' tasks are computed: on the server's threads, or by `brink worker` processes over Redis. */
export type JobsComputedOn = 'thread' | 'queue';

export class RunQueue {
  private readonly store: Store;
  private readonly sliceMs: number;
  private readonly checkpointMs: number;
  private readonly open: (run: RunRecord) => JobHandle | Promise<JobHandle>;
  private readonly computedOn: JobsComputedOn;
  private readonly queue: Entry[] = [];
  private readonly cancelled = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly latest = new Map<string, Progress>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(store: Store, opts: RunQueueOptions = {}) {
    this.store = store;
    this.sliceMs = opts.sliceMs ?? 25;
    this.checkpointMs = opts.checkpointMs ?? 500;
    this.open = opts.open ?? openJob;
    this.computedOn = opts.computedOn ?? 'thread';
  }

  /** Queues a run (queued or interrupted) to execute. */
  enqueue(workspaceId: string, id: string): void {
    if (this.stopped || this.queue.some((q) => q.id === id)) return;
    this.queue.push({ ws: workspaceId, id });
    this.start();
  }

  /**
   * Queues a task behind the runs and tasks already queued. Resolves when it has run, or when the queue
   * stopped before it started (a task with the id of a queued one is not queued twice).
   */
  submit(task: QueuedTask): Promise<void> {
    if (this.stopped || this.queue.some((q) => q.id === task.id)) return Promise.resolve();
    return new Promise<void>((settle) => {
      this.queue.push({ id: task.id, task, settle });
      this.start();
    });
  }

  private start(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Asks a queued or running run to stop; it ends as `cancelled`. */
  cancel(id: string): void {
    this.cancelled.add(id);
  }

  /** Listens to a run's progress until it ends; returns the unsubscribe function. */
  subscribe(id: string, fn: Listener): () => void {
    const set = this.listeners.get(id) ?? new Set<Listener>();
    this.listeners.set(id, set);
    set.add(fn);
    return () => set.delete(fn);
  }

  /** The last progress seen for a run executing in this process. */
  progress(id: string): Progress | undefined {
    return this.latest.get(id);
  }

  /** Jobs waiting for this process and the one it is executing (for /api/health and /metrics). */
  stats(): { queued: number; running: number; computedOn: JobsComputedOn } {
    return { queued: this.queue.length, running: this.running ? 1 : 0, computedOn: this.computedOn };
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking runs and waits for the current slice (the run in progress stays resumable). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const q of this.queue.splice(0)) if ('task' in q) q.settle();
    await this.idle();
  }

  private emit(p: Progress): void {
    this.latest.set(p.id, p);
    for (const fn of this.listeners.get(p.id) ?? []) fn(p);
    if (p.status !== 'running' && p.status !== 'queued') {
      this.listeners.delete(p.id);
      setTimeout(() => this.latest.delete(p.id), 60_000).unref();
    }
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next !== undefined; next = this.queue.shift()) {
      const id = next.id;
      if ('task' in next) {
        await this.runTask(next.task).finally(next.settle);
        continue;
      }
      try {
        await this.execute(next.ws, id);
      } catch (e) {
        if (this.stopped) return;
        const message = e instanceof Error ? e.message : String(e);
        await this.store.endRun(id, 'failed', message, new Date().toISOString()).catch(() => {});
        this.emit({ id, status: 'failed', doneRuns: 0, totalRuns: 0, error: message });
      }
    }
  }

  /** Runs a submitted task; it records its own outcome (a failure it did not record is logged). */
  private async runTask(task: QueuedTask): Promise<void> {
    try {
      await task.run({ cancelled: () => this.stopped || this.cancelled.has(task.id), pause });
    } catch (e) {
      console.error(`brink serve: job ${task.id} failed (${e instanceof Error ? e.name : typeof e})`);
    } finally {
      this.cancelled.delete(task.id);
    }
  }

  /** Ends the job as cancelled when a cancel was asked for since the last slice. */
  private async cancelIfAsked(id: string, doneRuns: number, totalRuns: number): Promise<boolean> {
    if (!this.cancelled.delete(id)) return false;
    await this.store.endRun(id, 'cancelled', null, new Date().toISOString());
    this.emit({ id, status: 'cancelled', doneRuns, totalRuns, error: null });
    return true;
  }

  /** Runs a stored job (ensemble, comparison or sensitivity) in slices, from its checkpoint if any. */
  private async execute(ws: string, id: string): Promise<void> {
    const run = await this.store.getRun(ws, id);
    if (!run) return;
    const total = run.manifest.runs;
    if (await this.cancelIfAsked(id, run.doneRuns, total)) return;
    if (!(await this.store.startRun(id, new Date().toISOString()))) return;
    const job = await this.open(run);
    try {
      await this.slices(id, total, job);
    } finally {
      await job.close?.();
    }
  }

  private async slices(id: string, total: number, job: JobHandle): Promise<void> {
    let batch = 20;
    let lastCheckpoint = Date.now();
    this.emit({ id, status: 'running', doneRuns: job.done(), totalRuns: total, error: null });
    while (job.done() < total) {
      if (await this.cancelIfAsked(id, job.done(), total)) return;
      if (this.stopped) return;
      const t0 = performance.now();
      const before = job.done();
      await job.step(batch);
      const n = Math.max(1, job.done() - before);
      const ms = performance.now() - t0;
      batch = Math.max(1, Math.min(20_000, Math.round((n * this.sliceMs) / Math.max(ms, 0.5))));
      if (job.done() < total && Date.now() - lastCheckpoint >= this.checkpointMs) {
        await this.store.checkpointRun(id, job.done(), await job.checkpoint());
        lastCheckpoint = Date.now();
      }
      this.emit({ id, status: 'running', doneRuns: job.done(), totalRuns: total, error: null });
      await new Promise((r) => setImmediate(r));
    }
    const report = await job.finish();
    if (this.stopped) return;
    await this.store.finishRun(id, report, new Date().toISOString());
    this.emit({ id, status: 'done', doneRuns: total, totalRuns: total, error: null });
  }
}
