// Background ensembles. Runs execute one at a time on this thread in short time slices (the engine is
// fast and pure; slicing keeps the server answering). After each few slices the integer aggregate is
// checkpointed, so a server killed mid-run leaves the last checkpoint and no report: on restart the run
// is marked `interrupted` and `resume` continues from the checkpoint to exactly the numbers an
// uninterrupted run gives (each run's numbers depend only on seed and run index).
import { type Aggregate, emptyAggregate, merge, runRange } from '../analysis/ensemble.ts';
import { Simulator } from '../engine/run.ts';
import { jobKind, type RunRecord, type RunStatus, type Store } from '../store/index.ts';
import { openAnalysisJob } from './analysis-jobs.ts';
import { runReport } from './report.ts';
import { prepareInFiles } from './workspace.ts';

export interface Progress {
  id: string;
  status: RunStatus;
  doneRuns: number;
  totalRuns: number;
  error: string | null;
}

type Listener = (p: Progress) => void;

export interface RunQueueOptions {
  /** Target duration of one slice of runs on the event loop. */
  sliceMs?: number;
  /** Minimum time between two checkpoints. */
  checkpointMs?: number;
}

export class RunQueue {
  private readonly store: Store;
  private readonly sliceMs: number;
  private readonly checkpointMs: number;
  private readonly queue: { ws: string; id: string }[] = [];
  private readonly cancelled = new Set<string>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly latest = new Map<string, Progress>();
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(store: Store, opts: RunQueueOptions = {}) {
    this.store = store;
    this.sliceMs = opts.sliceMs ?? 25;
    this.checkpointMs = opts.checkpointMs ?? 500;
  }

  /** Queues a run (queued or interrupted) to execute. */
  enqueue(workspaceId: string, id: string): void {
    if (this.stopped || this.queue.some((q) => q.id === id)) return;
    this.queue.push({ ws: workspaceId, id });
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

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking runs and waits for the current slice (the run in progress stays resumable). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
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

  private async execute(ws: string, id: string): Promise<void> {
    const run = await this.store.getRun(ws, id);
    if (!run) return;
    if (jobKind(run.manifest) !== 'run') return this.executeAnalysis(run);
    const total = run.manifest.runs;
    if (this.cancelled.has(id)) {
      this.cancelled.delete(id);
      await this.store.endRun(id, 'cancelled', null, new Date().toISOString());
      this.emit({ id, status: 'cancelled', doneRuns: run.doneRuns, totalRuns: total, error: null });
      return;
    }
    if (!(await this.store.startRun(id, new Date().toISOString()))) return;
    const m = run.manifest;
    const p = prepareInFiles(run.files, m.scenarioPath, { interventions: m.interventions, set: m.set });
    if (!p.model) {
      const first = p.diagnostics.find((d) => d.severity === 'error');
      throw new Error(`the scenario does not compile: ${first?.message ?? 'unknown error'}`);
    }
    if (p.hash !== m.hash) throw new Error(`the scenario's content hash changed (${p.hash} != ${m.hash})`);
    const model = p.model;
    const agg: Aggregate = run.checkpoint ? (JSON.parse(run.checkpoint) as Aggregate) : emptyAggregate(model);
    let done = run.checkpoint ? agg.runs : 0;
    const sim = new Simulator(model);
    let batch = 50;
    let lastCheckpoint = Date.now();
    this.emit({ id, status: 'running', doneRuns: done, totalRuns: total, error: null });
    while (done < total) {
      if (this.cancelled.has(id)) {
        this.cancelled.delete(id);
        await this.store.endRun(id, 'cancelled', null, new Date().toISOString());
        this.emit({ id, status: 'cancelled', doneRuns: done, totalRuns: total, error: null });
        return;
      }
      if (this.stopped) return;
      const t0 = performance.now();
      const n = Math.min(batch, total - done);
      merge(agg, runRange(model, m.seed, done, n, sim));
      done += n;
      const ms = performance.now() - t0;
      // Aim each slice at sliceMs.
      batch = Math.max(10, Math.min(20_000, Math.round((n * this.sliceMs) / Math.max(ms, 0.5))));
      if (done < total && Date.now() - lastCheckpoint >= this.checkpointMs) {
        await this.store.checkpointRun(id, done, JSON.stringify(agg));
        lastCheckpoint = Date.now();
      }
      this.emit({ id, status: 'running', doneRuns: done, totalRuns: total, error: null });
      await new Promise((r) => setImmediate(r));
    }
    const report = runReport(model, agg, m.seed);
    await this.store.finishRun(id, JSON.stringify(report), new Date().toISOString());
    this.emit({ id, status: 'done', doneRuns: total, totalRuns: total, error: null });
  }

  /** A comparison or sensitivity analysis: the same slicing, cancelling and checkpointing as a run. */
  private async executeAnalysis(run: RunRecord): Promise<void> {
    const id = run.id;
    const total = run.manifest.runs;
    if (this.cancelled.has(id)) {
      this.cancelled.delete(id);
      await this.store.endRun(id, 'cancelled', null, new Date().toISOString());
      this.emit({ id, status: 'cancelled', doneRuns: run.doneRuns, totalRuns: total, error: null });
      return;
    }
    if (!(await this.store.startRun(id, new Date().toISOString()))) return;
    const job = openAnalysisJob(run);
    let batch = 20;
    let lastCheckpoint = Date.now();
    this.emit({ id, status: 'running', doneRuns: job.done(), totalRuns: total, error: null });
    while (job.done() < total) {
      if (this.cancelled.has(id)) {
        this.cancelled.delete(id);
        await this.store.endRun(id, 'cancelled', null, new Date().toISOString());
        this.emit({ id, status: 'cancelled', doneRuns: job.done(), totalRuns: total, error: null });
        return;
      }
      if (this.stopped) return;
      const t0 = performance.now();
      const before = job.done();
      job.step(batch);
      const n = Math.max(1, job.done() - before);
      const ms = performance.now() - t0;
      batch = Math.max(1, Math.min(20_000, Math.round((n * this.sliceMs) / Math.max(ms, 0.5))));
      if (job.done() < total && Date.now() - lastCheckpoint >= this.checkpointMs) {
        await this.store.checkpointRun(id, job.done(), job.checkpoint());
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
