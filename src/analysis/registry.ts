// The analyses a background job can run, one definition each: its options (a zod schema: the API body
// and the manifest's settings come from it), how it opens as an analysis job on a prepared scenario
// (from its manifest, and from a checkpoint), and the report it stores. The server's job routes, its
// job queue and the stored reports are driven by this table (src/server/analysis-jobs.ts); a new
// analysis is a new entry (docs/architecture.md).
import type { z } from 'zod';
import type { JobKind, ManifestOf } from '../contract/runs.ts';
import type { Model } from '../engine/model.ts';
import type { Scenario } from '../scenario/schema.ts';
import { openBreakeven } from './breakeven.ts';
import { type Arm, PairedComparison } from './compare.ts';
import { EnsembleJob, type RunReport, summarize } from './ensemble.ts';
import { type EpistemicArm, openEpistemicCompare, openEpistemicRun, withEpistemic } from './epistemic.ts';
import { type AnalysisJob, JobChain } from './kernel/executor.ts';
import type { ModelSource } from './kernel/task.ts';
import {
  BreakevenOptionsSchema,
  CompareOptionsSchema,
  EnsembleOptionsSchema,
  RareOptionsSchema,
  SensitivityOptionsSchema,
  SweepOptionsSchema,
} from './options.ts';
import { RareJob } from './rare.ts';
import { SensitivityJob } from './sensitivity.ts';
import { openSweep } from './sweep.ts';

/** A scenario prepared for an analysis: the compiled document, its model and hash, and its source for workers. */
export interface PreparedScenario {
  doc: Scenario;
  model: Model;
  hash: string;
  source: ModelSource;
}

/**
 * How the edge prepares the job's scenario with some interventions (from files on disk, or from the
 * files a stored job read). It throws when the scenario does not compile with them. An analysis over
 * several files (a backtest's cases) also prepares another scenario of the job's file tree (`at`) and
 * reads a file of it (`read`: undefined when absent); paths are the tree's (the CLI's: the working
 * directory's).
 */
export interface PrepareWith {
  (interventions: string[]): PreparedScenario;
  at?: (path: string) => PreparedScenario;
  read?: (path: string) => string | undefined;
}

/** An analysis opened on its scenario: the job to run, and the report to store when it is done. */
export interface OpenedAnalysis<R = unknown> {
  job: AnalysisJob<unknown>;
  /** The report as stored (JSON-able), once the job is done; may yield between expensive parts. */
  finish(yieldNow: () => Promise<void>): Promise<R>;
  /**
   * Its tasks cannot be cut small (a rare-event estimate is one long task): a server computes them off
   * its event loop rather than in slices on it.
   */
  unsliced?: boolean;
}

/** The manifest fields an analysis sets: what it runs on, its progress total and its settings. */
export type ManifestFields<K extends JobKind> = Omit<
  ManifestOf<K>,
  'scenarioId' | 'scenarioPath' | 'scenarioVersion' | 'engine' | 'set'
>;

export interface AnalysisDefinition<K extends JobKind, S extends z.ZodType, R = unknown> {
  kind: K;
  /** One line for the API's description. */
  summary: string;
  /** The request body besides the scenario: defaults and limits. */
  options: S;
  /** The manifest of validated options (opening the job once to check the design and count its work). */
  manifest(prepare: PrepareWith, o: z.output<S>, engine: string): ManifestFields<K>;
  /** Opens the job of a manifest (from a checkpoint, if any). */
  open(prepare: PrepareWith, m: ManifestOf<K>, checkpoint?: string): OpenedAnalysis<R>;
}

/** An analysis's definition, typed by its kind (an entry of `ANALYSES`, or of src/analyses.ts). */
export function define<K extends JobKind, S extends z.ZodType, R>(
  d: AnalysisDefinition<K, S, R>,
): AnalysisDefinition<K, S, R> {
  return d;
}

/** The top escalation paths a stored report lists (the CLI's `--paths` default is 8; see decision 0016). */
export const STORED_TOP_PATHS = 12;

const compare = define({
  kind: 'compare',
  summary:
    'Compares interventions (or combinations a+b) with the baseline on common random numbers: paired differences, saved and harmed runs, mechanisms (as `brink compare`)',
  options: CompareOptionsSchema,
  manifest(prepare, o) {
    const base = prepare([]);
    for (const arm of o.arms) {
      const p = prepare([arm]);
      if (p.model.rungIds.join() !== base.model.rungIds.join())
        throw new RangeError(`${arm} changes the escalation ladder; arms must share it`);
    }
    return {
      kind: 'compare',
      hash: base.hash,
      seed: o.seed,
      runs: o.runs,
      interventions: [],
      compare: { arms: o.arms, traceRuns: o.traceRuns, ...(o.epistemic ? { epistemic: o.epistemic } : {}) },
    };
  },
  open(prepare, m, checkpoint) {
    const b = prepare(m.interventions);
    const docs: EpistemicArm[] = [];
    const arms: Arm[] = m.compare.arms.map((label) => {
      const p = prepare([...m.interventions, label]);
      docs.push({ label, doc: p.doc, interventions: p.model.interventions });
      return { label, model: p.model, source: p.source };
    });
    const draws = m.compare.epistemic ?? 0;
    const [cpCompare, cpDraws] = draws ? JobChain.parts(checkpoint) : [checkpoint, undefined];
    const epistemic = draws
      ? openEpistemicCompare(
          b.doc,
          docs,
          { hash: b.hash, engine: m.engine },
          { seed: m.seed, runs: m.runs, draws },
          cpDraws,
        )
      : null;
    const c = new PairedComparison(
      {
        base: b.model,
        baseSource: b.source,
        arms,
        seed: m.seed,
        runs: m.runs,
        traceRuns: m.compare.traceRuns,
        engine: m.engine,
      },
      cpCompare,
    );
    return {
      // Progress in runs per arm: a run index costs 1 + arms engine runs, a draw of an arm 2 x runs.
      job: epistemic ? new JobChain(c, epistemic, () => null, [1 + arms.length, 2 * m.runs]) : c,
      finish: async (yieldNow) => {
        // Tracing the saved and harmed runs of each arm takes a while: one arm at a time, yielding between.
        const mechanisms: ReturnType<PairedComparison['mechanisms']>[] = [];
        for (let ai = 0; ai < arms.length; ai++) {
          await yieldNow();
          mechanisms.push(c.mechanisms(ai));
        }
        return {
          report: withEpistemic(
            c.report({ topPaths: STORED_TOP_PATHS, mechanisms }),
            epistemic ? epistemic.report() : null,
          ),
          model: b.model,
          agg: c.state.base,
        };
      },
    };
  },
});

/** The options of `SensitivityJob` from a manifest's settings. */
function sensitivityOptions(seed: number, o: ManifestOf<'sensitivity'>['sensitivity']) {
  return {
    seed,
    metric: o.metric,
    tornadoRuns: o.tornadoRuns,
    quantiles: [o.low, o.high] as [number, number],
    samples: o.samples,
    runs: o.runsPerPoint,
    bootstrap: o.bootstrap,
    only: o.only,
    // A manifest stored before screening existed ran its Sobol design over every parameter.
    sobolTop: o.sobolTop ?? 0,
  };
}

const sensitivity = define({
  kind: 'sensitivity',
  summary:
    'Sensitivity of a metric to every uncertain parameter: tornado (one at a time), then Sobol first-order and total indices with bootstrap intervals over the `sobolTop` parameters with the largest tornado swing, the others at nominal (as `brink sensitivity`)',
  options: SensitivityOptionsSchema,
  manifest(prepare, o, engine) {
    const p = prepare(o.interventions);
    const settings = {
      metric: o.metric,
      tornadoRuns: o.tornadoRuns,
      low: o.low,
      high: o.high,
      samples: o.samples,
      runsPerPoint: o.runsPerPoint,
      bootstrap: o.bootstrap,
      only: o.only,
      parameters: 0,
      sobolTop: o.sobolTop,
    };
    const job = new SensitivityJob(
      p.doc,
      { hash: p.hash, interventions: p.model.interventions, engine },
      sensitivityOptions(o.seed, settings),
    );
    settings.parameters = job.targets.length;
    return {
      kind: 'sensitivity',
      hash: p.hash,
      seed: o.seed,
      runs: job.totalRuns,
      interventions: o.interventions,
      sensitivity: settings,
    };
  },
  open(prepare, m, checkpoint) {
    const p = prepare(m.interventions);
    const job = new SensitivityJob(
      p.doc,
      { hash: p.hash, interventions: p.model.interventions, engine: m.engine },
      sensitivityOptions(m.seed, m.sensitivity),
      checkpoint,
    );
    if (job.totalRuns !== m.runs)
      throw new Error(`the design changed (${job.totalRuns} runs, not ${m.runs})`);
    return {
      job,
      finish: async (yieldNow) => {
        await yieldNow();
        return job.report();
      },
    };
  },
});

const sweepMeta = (p: PreparedScenario, interventions: string[], engine: string) => ({
  hash: p.hash,
  interventions,
  engine,
});

const sweep = define({
  kind: 'sweep',
  summary:
    'A grid over one to four parameters, an ensemble per cell on common random numbers, each metric with its 95% interval (as `brink sweep`)',
  options: SweepOptionsSchema,
  manifest(prepare, o, engine) {
    const p = prepare(o.interventions);
    const settings = {
      params: o.params,
      metrics: o.metrics,
      runsPerCell: o.runs,
      ...(o.epistemic ? { epistemic: o.epistemic } : {}),
    };
    const job = openSweep(p.doc, o.params, sweepMeta(p, o.interventions, engine), {
      seed: o.seed,
      runs: o.runs,
      ...(o.metrics.length ? { metrics: o.metrics } : {}),
      ...(o.epistemic ? { epistemic: o.epistemic } : {}),
    });
    return {
      kind: 'sweep',
      hash: p.hash,
      seed: o.seed,
      runs: job.total,
      interventions: o.interventions,
      sweep: settings,
    };
  },
  open(prepare, m, checkpoint) {
    const p = prepare(m.interventions);
    const s = m.sweep;
    const job = openSweep(
      p.doc,
      s.params,
      sweepMeta(p, m.interventions, m.engine),
      {
        seed: m.seed,
        runs: s.runsPerCell,
        ...(s.metrics.length ? { metrics: s.metrics } : {}),
        ...(s.epistemic ? { epistemic: s.epistemic } : {}),
      },
      checkpoint,
    );
    return { job, finish: async () => job.report() };
  },
});

function breakevenJob(
  prepare: PrepareWith,
  m: Pick<ManifestOf<'breakeven'>, 'seed' | 'engine' | 'breakeven'>,
  checkpoint?: string,
) {
  const o = m.breakeven;
  const base = prepare([]);
  const alt = prepare([o.with]);
  return openBreakeven(
    base.doc,
    alt.doc,
    o.param,
    { hash: base.hash, with: o.with, interventions: alt.model.interventions, engine: m.engine },
    {
      seed: m.seed,
      runs: o.runsPerPoint,
      grid: o.grid,
      bisect: o.bisect,
      metric: o.metric,
      bootstrap: o.bootstrap,
      ...(o.range ? { range: o.range } : {}),
      ...(o.epistemic ? { epistemic: o.epistemic } : {}),
    },
    checkpoint,
  );
}

const breakeven = define({
  kind: 'breakeven',
  summary:
    'The value of a parameter at which an intervention stops lowering the metric (grid, bisection, bootstrap interval; as `brink breakeven`)',
  options: BreakevenOptionsSchema,
  manifest(prepare, o, engine) {
    const settings = {
      with: o.with,
      param: o.param,
      range: o.range ?? null,
      runsPerPoint: o.runs,
      grid: o.grid,
      bisect: o.bisect,
      metric: o.metric,
      bootstrap: o.bootstrap,
      ...(o.epistemic ? { epistemic: o.epistemic } : {}),
    };
    const job = breakevenJob(prepare, { seed: o.seed, engine, breakeven: settings });
    return {
      kind: 'breakeven',
      hash: prepare([]).hash,
      seed: o.seed,
      runs: job.total,
      interventions: [],
      breakeven: settings,
    };
  },
  open(prepare, m, checkpoint) {
    const job = breakevenJob(prepare, m, checkpoint);
    return { job, finish: async () => job.report() };
  },
});

/** The target rung of a rare-event estimate: a rung id or index (undefined: the estimator's default). */
export function targetRung(m: Model, ref: string | null | undefined): number | undefined {
  if (ref === null || ref === undefined) return undefined;
  const k = /^\d+$/.test(ref) ? Number(ref) : m.rungIds.indexOf(ref);
  if (k < 1 || k >= m.rungIds.length)
    throw new RangeError(`target: no rung '${ref}'; rungs: ${m.rungIds.join(', ')}`);
  return k;
}

/** The rare-event job of a manifest's settings (the CLI's `run --estimator` runs the same). */
/** The manifest's `rare` settings from rare-event options (the registry's and `brink run --estimator`'s). */
export function rareSettingsOf(
  o: Omit<ManifestOf<'rare'>['rare'], 'target'> & { target?: string | null | undefined },
): ManifestOf<'rare'>['rare'] {
  return {
    estimator: o.estimator,
    target: o.target ?? null,
    runs: o.runs,
    particles: o.particles,
    replicates: o.replicates,
    ceRuns: o.ceRuns,
    isRuns: o.isRuns,
  };
}

export function rareJob(
  p: PreparedScenario,
  m: Pick<ManifestOf<'rare'>, 'seed' | 'engine' | 'rare'>,
  checkpoint?: string,
) {
  const o = m.rare;
  const target = targetRung(p.model, o.target);
  return new RareJob(
    [p.source],
    o.estimator,
    {
      seed: m.seed,
      ...(target !== undefined ? { target } : {}),
      runs: o.runs,
      particles: o.particles,
      replicates: o.replicates,
      ceRuns: o.ceRuns,
      isRuns: o.isRuns,
    },
    m.engine,
    checkpoint,
  );
}

const rare = define({
  kind: 'rare',
  summary:
    'A rare-event estimate of P(peak >= target rung) by crude Monte Carlo, adaptive multilevel splitting or cross-entropy importance sampling (as `brink run --estimator`)',
  options: RareOptionsSchema,
  manifest(prepare, o, engine) {
    const p = prepare(o.interventions);
    const settings = rareSettingsOf(o);
    const job = rareJob(p, { seed: o.seed, engine, rare: settings });
    return {
      kind: 'rare',
      hash: p.hash,
      seed: o.seed,
      runs: job.total,
      interventions: o.interventions,
      rare: settings,
    };
  },
  open(prepare, m, checkpoint) {
    const p = prepare(m.interventions);
    const job = rareJob(p, m, checkpoint);
    return {
      job,
      unsliced: true,
      // The JSON of `brink run --estimator … --json` (without timing).
      finish: async () => ({
        scenario: { id: p.model.id, hash: p.model.hash },
        engine: m.engine,
        seed: m.seed,
        interventions: p.model.interventions,
        ...job.results[0]!,
      }),
    };
  },
});

/** An ensemble's stored report is built by the edge (it adds what its views draw); here, its job. */
const run = {
  kind: 'run' as const,
  /** `brink run`'s flags and the body of `POST …/runs`. */
  options: EnsembleOptionsSchema,
  open(prepare: PrepareWith, m: ManifestOf<'run'>, checkpoint?: string) {
    const p = prepare(m.interventions);
    const draws = m.epistemic ?? 0;
    const [cpRuns, cpDraws] = draws ? JobChain.parts(checkpoint) : [checkpoint, undefined];
    const job = new EnsembleJob(p.source, p.model, { seed: m.seed, runs: m.runs, engine: m.engine }, cpRuns);
    const epistemic = draws
      ? openEpistemicRun(
          p.doc,
          { hash: p.hash, interventions: p.model.interventions, engine: m.engine },
          { seed: m.seed, runs: m.runs, draws },
          cpDraws,
        )
      : null;
    return {
      // Progress in runs: a draw costs `runs` engine runs.
      job: epistemic ? new JobChain(job, epistemic, () => null, [1, m.runs]) : job,
      finish: async (): Promise<{
        report: RunReport;
        model: Model;
        agg: typeof job.aggregate;
        doc: Scenario;
      }> => ({
        report: {
          ...summarize(p.model, job.aggregate, {
            seed: m.seed,
            engine: m.engine,
            topPaths: STORED_TOP_PATHS,
          }),
          ...(epistemic ? { epistemic: epistemic.report() } : {}),
        },
        model: p.model,
        agg: job.aggregate,
        doc: p.doc,
      }),
    };
  },
};

/** The analyses a job can run, by kind. */
export const ANALYSES = { run, compare, sensitivity, sweep, breakeven, rare } as const;

/** The kinds of analysis started through the generic job routes (an ensemble has its own: it takes `set`). */
export const ANALYSIS_KINDS = ['compare', 'sensitivity', 'sweep', 'breakeven', 'rare'] as const;
export type AnalysisKind = (typeof ANALYSIS_KINDS)[number];
