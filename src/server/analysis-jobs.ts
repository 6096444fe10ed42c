// Background jobs: every analysis of the registry (src/analysis/registry.ts) opened from its stored
// manifest and the files it read, advanced in slices by the RunQueue on the kernel's inline executor (a
// job whose tasks cannot be cut small, a rare-event estimate, on a worker thread instead) or, with
// BRINK_JOBS=redis://…, its tasks computed by `brink worker` processes (`openJobOn`), and
// checkpointed as its integer counts, so an interrupted job resumes to exactly the numbers of an
// uninterrupted one (each run's numbers depend only on seed and run index).

import { ANALYSES } from '../analyses.ts';
import type { CompareReport } from '../analysis/compare.ts';
import { type Executor, runJob, stepJob } from '../analysis/kernel/executor.ts';
import { sourceOf } from '../analysis/kernel/task.ts';
import { ThreadExecutor } from '../analysis/parallel.ts';
import type { OpenedAnalysis, PrepareWith } from '../analysis/registry.ts';
import { bundledBaseRates } from '../calibration/bundled.ts';
import { shippedFile } from '../calibration/case-backtest.ts';
import { sanityPanel } from '../calibration/violence.ts';
import type { Diagnostic } from '../scenario/diagnostics.ts';
import type { RunManifest, RunRecord } from '../store/index.ts';
import { type ReportExtras, reportExtras } from './report.ts';
import { type Files, prepareInFiles } from './workspace.ts';

/** A job the queue advances in slices: `step(n)` does about n progress units (runs, or run indices per arm). */
export interface SlicedJob {
  /** Progress units in all (the manifest's `runs`). */
  readonly total: number;
  /** Progress units done. */
  done(): number;
  step(units: number): void | Promise<void>;
  /** The state to checkpoint (JSON). */
  checkpoint(): string;
  /** The report (JSON), computed once every unit is done; may yield between expensive parts. */
  finish(): Promise<string>;
  /** Releases what the job holds (a worker thread), whether it finished or not. */
  close?(): Promise<void>;
}

/** A stored comparison report: `brink compare --json`'s object and the baseline's report extras. */
export type StoredCompareReport = CompareReport & { extras: ReportExtras };

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

/** A scenario that does not compile (with the interventions asked for): a domain error, 422 at the edge. */
export class NotRunnableError extends Error {
  readonly what: string;
  readonly diagnostics: Diagnostic[];
  constructor(what: string, diagnostics: Diagnostic[]) {
    const first = diagnostics.find((d) => d.severity === 'error');
    super(`${what} does not compile: ${first?.message ?? 'unknown error'}`);
    this.what = what;
    this.diagnostics = diagnostics;
  }
}

/**
 * The `prepare` use case over a set of files: the scenario at `path` with interventions (and the job's
 * overrides) applied, compiled, with its source for workers; another scenario of the files (`at`, a
 * backtest's cases); a file as text (`read`: the files', else the data shipped with Brink). Records
 * every file of `files` read in `snapshot`.
 */
export function preparerIn(
  files: Files,
  path: string,
  set: Record<string, unknown> = {},
  snapshot: Files = {},
): PrepareWith {
  const prepareAt = (at: string, interventions: string[]) => {
    const p = prepareInFiles(files, at, { interventions, set });
    if (!p.model || !p.doc || p.hash === undefined)
      throw new NotRunnableError(
        `${at === path ? 'the scenario' : at}${interventions.length ? ` with ${interventions.join(', ')}` : ''}`,
        p.diagnostics,
      );
    Object.assign(snapshot, p.snapshot);
    return { doc: p.doc, model: p.model, hash: p.hash, source: sourceOf(p.doc, p.model) };
  };
  const read = (file: string) => {
    if (!Object.hasOwn(files, file)) return shippedFile(file);
    snapshot[file] = files[file]!;
    return files[file];
  };
  return Object.assign((interventions: string[]) => prepareAt(path, interventions), {
    at: (file: string) => prepareAt(file, []),
    read,
  });
}

/** The job's scenario from the files it read, its own content checked against the manifest's hash. */
function preparerOf(run: RunRecord): PrepareWith {
  const m = run.manifest;
  const prepare = preparerIn(run.files, m.scenarioPath, m.set);
  // A backtest's scenario is a library (its cases', the generic one): it checks its models' hash itself.
  if (m.kind === 'backtest' || m.kind === 'backtest-icb') return prepare;
  let checked = false;
  return (interventions) => {
    if (!checked) {
      checked = true;
      const own = prepare(m.interventions);
      if (own.hash !== m.hash)
        throw new Error(`the scenario's content hash changed (${own.hash} != ${m.hash})`);
    }
    return prepare(interventions);
  };
}

/** The analysis of a stored job, opened from its checkpoint (if any). */
function openAnalysis(run: RunRecord): { opened: OpenedAnalysis; report: () => Promise<unknown> } {
  const m = run.manifest;
  const prepare = preparerOf(run);
  const checkpoint = run.checkpoint ?? undefined;
  switch (m.kind) {
    case 'run': {
      const opened = ANALYSES.run.open(prepare, m, checkpoint);
      const report = async () => {
        const r = await opened.finish();
        // The sanity panel of `brink run` too: the baseline against ICB's base rates for its trigger type.
        const sanity = sanityPanel(r.model, r.agg, r.doc.trigger, bundledBaseRates());
        return { ...r.report, sanity, extras: reportExtras(r.model, r.agg) };
      };
      return { opened, report };
    }
    case 'compare': {
      const opened = ANALYSES.compare.open(prepare, m, checkpoint);
      const report = async () => {
        const r = await opened.finish(yieldNow);
        const stored: StoredCompareReport = { ...r.report, extras: reportExtras(r.model, r.agg) };
        return stored;
      };
      return { opened, report };
    }
    default: {
      // The analyses whose stored report is their own report (as the CLI's --json prints it).
      const def = ANALYSES[m.kind] as unknown as {
        open(p: PrepareWith, m: RunManifest, c?: string): OpenedAnalysis;
      };
      const opened = def.open(prepare, m, checkpoint);
      return { opened, report: () => opened.finish(yieldNow) };
    }
  }
}

/** Opens a stored job to run (from its checkpoint, if any). */
export function openJob(run: RunRecord): SlicedJob {
  const { opened, report } = openAnalysis(run);
  const job = opened.job;
  // A task that cannot be cut small runs on a thread of its own, so the server keeps answering.
  const thread = opened.unsliced ? new ThreadExecutor(1) : undefined;
  return {
    total: job.total,
    done: () => job.done(),
    step: (n) => stepJob(job, n, thread),
    checkpoint: () => job.checkpoint(),
    finish: async () => JSON.stringify(await report()),
    ...(thread ? { close: () => thread.close() } : {}),
  };
}

/** How long a step of a job whose tasks are computed elsewhere waits for progress before it reports. */
const QUEUED_STEP_MS = 250;

/**
 * Opens a stored job (from its checkpoint, if any) whose tasks `executor` computes: the workers of a
 * Redis queue (docs/decisions/0018-server-load.md). The job's tasks flow from the first step on, as
 * many at once as the executor takes, and their results are absorbed in task order, so the state, the
 * checkpoints and the report are those of the same job in slices on this thread. A step waits for
 * progress (or a quarter of a second), so the queue checkpoints and reports progress as it does for a
 * job in slices; `close` stops waiting for the tasks still out (a worker that computes one leaves its
 * result in Redis, where a resumed job finds it).
 */
export function openJobOn(run: RunRecord, executor: Executor): SlicedJob {
  const { opened, report } = openAnalysis(run);
  const job = opened.job;
  const abort = new AbortController();
  let flowing: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const start = () => {
    flowing ??= runJob(job, executor, { signal: abort.signal, onProgress: notify }).then(notify, (e) => {
      failure = { error: e };
      notify();
    });
    return flowing;
  };
  const check = () => {
    if (failure) throw failure.error;
  };
  return {
    total: job.total,
    done: () => job.done(),
    step: async () => {
      void start();
      check();
      if (job.done() >= job.total) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, QUEUED_STEP_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      check();
    },
    checkpoint: () => job.checkpoint(),
    finish: async () => {
      await start();
      check();
      return JSON.stringify(await report());
    },
    close: async () => {
      abort.abort();
      await flowing;
    },
  };
}
