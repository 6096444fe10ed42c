// Ensembles, comparisons and sensitivity analyses as background jobs. Each is opened from its stored
// manifest and the files it read, advanced in slices by the RunQueue, and checkpointed as its integer
// counts (the `Aggregate`, `CompareState` or `SensitivityState`), so an interrupted job resumes to exactly
// the numbers of an uninterrupted one (each run's numbers depend only on seed and run index).
import { type Arm, type CompareReport, PairedComparison } from '../analysis/compare.ts';
import { EnsembleJob } from '../analysis/ensemble.ts';
import { type AnalysisJob, stepJob } from '../analysis/kernel/executor.ts';
import { sourceOf } from '../analysis/kernel/task.ts';
import { SensitivityJob } from '../analysis/sensitivity.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { jobKind, type RunRecord } from '../store/index.ts';
import { type ReportExtras, reportExtras, runReport } from './report.ts';
import { prepareInFiles } from './workspace.ts';

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
}

/** A stored comparison report: `brink compare --json`'s object and the baseline's report extras. */
export type StoredCompareReport = CompareReport & { extras: ReportExtras };

const yieldNow = () => new Promise((r) => setImmediate(r));

/** The run's scenario (with `interventions`) prepared from the files it read; throws when it no longer compiles. */
function preparedIn(run: RunRecord, interventions: string[]) {
  const m = run.manifest;
  const p = prepareInFiles(run.files, m.scenarioPath, { interventions, set: m.set });
  if (!p.model || !p.doc || p.hash === undefined) {
    const first = p.diagnostics.find((d) => d.severity === 'error');
    throw new Error(
      `the scenario${interventions.length ? ` with ${interventions.join(', ')}` : ''} does not compile: ${first?.message ?? 'unknown error'}`,
    );
  }
  return { model: p.model, doc: p.doc, hash: p.hash };
}

/** The run's own scenario, checked against the content hash in its manifest. */
function baseIn(run: RunRecord) {
  const p = preparedIn(run, run.manifest.interventions);
  if (p.hash !== run.manifest.hash)
    throw new Error(`the scenario's content hash changed (${p.hash} != ${run.manifest.hash})`);
  return p;
}

/** An analysis job run in slices on this thread (the kernel's inline execution), reported by `finish`. */
function sliced(job: AnalysisJob<unknown>, finish: () => Promise<string>): SlicedJob {
  return {
    total: job.total,
    done: () => job.done(),
    step: (n) => stepJob(job, n),
    checkpoint: () => job.checkpoint(),
    finish,
  };
}

function openEnsemble(run: RunRecord): SlicedJob {
  const m = run.manifest;
  const { model, doc } = baseIn(run);
  const job = new EnsembleJob(
    sourceOf(doc, model),
    model,
    { seed: m.seed, runs: m.runs, engine: ENGINE_VERSION },
    run.checkpoint ?? undefined,
  );
  return sliced(job, async () => JSON.stringify(runReport(model, job.aggregate, m.seed)));
}

function openCompare(run: RunRecord): SlicedJob {
  const m = run.manifest;
  const settings = m.compare;
  if (!settings) throw new Error('the comparison has no settings in its manifest');
  const b = baseIn(run);
  const base = b.model;
  const arms: Arm[] = settings.arms.map((label) => {
    const p = preparedIn(run, [...m.interventions, label]);
    return { label, model: p.model, source: sourceOf(p.doc, p.model) };
  });
  const c = new PairedComparison(
    {
      base,
      baseSource: sourceOf(b.doc, base),
      arms,
      seed: m.seed,
      runs: m.runs,
      traceRuns: settings.traceRuns,
      engine: ENGINE_VERSION,
    },
    run.checkpoint ?? undefined,
  );
  return sliced(c, async () => {
    // Tracing the saved and harmed runs of each arm takes a while: one arm at a time, yielding between.
    const mechanisms: ReturnType<PairedComparison['mechanisms']>[] = [];
    for (let ai = 0; ai < arms.length; ai++) {
      await yieldNow();
      mechanisms.push(c.mechanisms(ai));
    }
    const report = c.report({ topPaths: 12, mechanisms });
    const stored: StoredCompareReport = { ...report, extras: reportExtras(base, c.state.base) };
    return JSON.stringify(stored);
  });
}

function openSensitivity(run: RunRecord): SlicedJob {
  const m = run.manifest;
  const o = m.sensitivity;
  if (!o) throw new Error('the sensitivity analysis has no settings in its manifest');
  const p = baseIn(run);
  const job = new SensitivityJob(
    p.doc,
    { hash: p.hash, interventions: p.model.interventions, engine: ENGINE_VERSION },
    sensitivityOptions(m.seed, o),
    run.checkpoint ?? undefined,
  );
  if (job.totalRuns !== m.runs) throw new Error(`the design changed (${job.totalRuns} runs, not ${m.runs})`);
  // A slice stays within one design point: entering a point compiles its model (15-40 ms on the Korea
  // scenarios), so one slice compiles at most once and the server keeps answering.
  return sliced(job, async () => {
    await yieldNow();
    return JSON.stringify(job.report());
  });
}

/** The options of `sensitivity()` from a manifest's settings. */
export function sensitivityOptions(
  seed: number,
  o: NonNullable<RunRecord['manifest']['sensitivity']>,
): ConstructorParameters<typeof SensitivityJob>[2] {
  return {
    seed,
    metric: o.metric,
    tornadoRuns: o.tornadoRuns,
    quantiles: [o.low, o.high],
    samples: o.samples,
    runs: o.runsPerPoint,
    bootstrap: o.bootstrap,
    only: o.only,
  };
}

/** Opens a stored ensemble, comparison or sensitivity analysis to run (from its checkpoint, if any). */
export function openJob(run: RunRecord): SlicedJob {
  const kind = jobKind(run.manifest);
  if (kind === 'compare') return openCompare(run);
  if (kind === 'sensitivity') return openSensitivity(run);
  return openEnsemble(run);
}
