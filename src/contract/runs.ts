// The API contract of background jobs, shared by the store, the server (validation, OpenAPI) and the
// web app (`z.infer` types): what a job is (its kind and settings), and how it is listed. A manifest is
// a union discriminated by `kind`; each kind keeps its settings under a field of its own name.
import { z } from 'zod';

/** What a background job computes. */
export const JOB_KINDS = [
  'run',
  'compare',
  'sensitivity',
  'sweep',
  'breakeven',
  'rare',
  'backtest',
  'backtest-icb',
] as const;
export const JobKind = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof JobKind>;

/** The settings of a comparison (as `brink compare`): the arms and how many saved/harmed runs to trace. */
export const CompareSettings = z.object({
  /** Interventions or combinations `a+b`, each compared with the baseline. */
  arms: z.array(z.string()),
  traceRuns: z.number(),
  /** Parameter draws (`--epistemic N`; absent: none). */
  epistemic: z.number().optional(),
});
export type CompareSettings = z.infer<typeof CompareSettings>;

/** The settings of a sensitivity analysis (as `brink sensitivity`). */
export const SensitivitySettings = z.object({
  metric: z.string(),
  tornadoRuns: z.number(),
  low: z.number(),
  high: z.number(),
  samples: z.number(),
  runsPerPoint: z.number(),
  bootstrap: z.number(),
  only: z.array(z.string()),
  /** Uncertain parameters analysed. */
  parameters: z.number(),
  /**
   * The Sobol design varies the `sobolTop` parameters with the largest tornado swing, the others at
   * nominal (0: all; absent in manifests stored before 2026-12-03: all).
   */
  sobolTop: z.number().optional(),
});
export type SensitivitySettings = z.infer<typeof SensitivitySettings>;

/** The settings of a sweep (as `brink sweep`): the grid and the metrics per cell; runs per cell. */
export const SweepSettings = z.object({
  params: z.array(z.object({ path: z.string(), lo: z.number(), hi: z.number(), steps: z.number() })),
  metrics: z.array(z.string()),
  runsPerCell: z.number(),
  /** Parameter draws per cell (`--epistemic N`; absent: none). */
  epistemic: z.number().optional(),
});
export type SweepSettings = z.infer<typeof SweepSettings>;

/** The settings of a break-even search (as `brink breakeven`). */
export const BreakevenSettings = z.object({
  with: z.string(),
  param: z.string(),
  range: z.tuple([z.number(), z.number()]).nullable(),
  runsPerPoint: z.number(),
  grid: z.number(),
  bisect: z.number(),
  metric: z.string(),
  bootstrap: z.number(),
  /** Parameter draws (`--epistemic N`; absent: none). */
  epistemic: z.number().optional(),
});
export type BreakevenSettings = z.infer<typeof BreakevenSettings>;

/** The settings of a rare-event estimate (as `brink run --estimator`). */
export const RareSettings = z.object({
  estimator: z.enum(['crude', 'ams', 'is']),
  target: z.string().nullable(),
  runs: z.number(),
  particles: z.number(),
  replicates: z.number(),
  ceRuns: z.number(),
  isRuns: z.number(),
});
export type RareSettings = z.infer<typeof RareSettings>;

/**
 * The settings of a backtest (as `brink backtest FILES`): the case files it scores (paths in the job's
 * tree: the workspace's files under `scenarios/`, the cases shipped with Brink under `cases/`), the
 * observed outcomes, the generic fit's training cut-off (ICB crises before it give the base rates),
 * and runs per case.
 */
export const BacktestSettings = z.object({
  cases: z.array(z.string()),
  observed: z.string(),
  cutoff: z.number(),
  runsPerCase: z.number(),
});
export type BacktestSettings = z.infer<typeof BacktestSettings>;

/**
 * The settings of a backtest on ICB crises (as `brink backtest --icb`): a time split at `cutoff`, or
 * `folds`-fold cross-validation; only crises before `until` (null: all); runs per held-out crisis; and
 * the saved fit it scores (a path of the job's tree; null: fitted when the job opened, on the CLI only).
 */
export const IcbBacktestSettings = z.object({
  split: z.enum(['time', 'folds']),
  cutoff: z.number(),
  folds: z.number().nullable(),
  until: z.number().nullable(),
  runsPerCrisis: z.number(),
  fit: z.string().nullable(),
});
export type IcbBacktestSettings = z.infer<typeof IcbBacktestSettings>;

/**
 * What names a job and makes it re-runnable to the same numbers. `runs` is the progress total: runs
 * for an ensemble, runs per arm for a comparison, engine runs over the whole design for a sensitivity
 * analysis, design points for a sweep or a break-even search, estimates for a rare-event estimate,
 * runs over every case for a backtest (whose scenario is the library the cases extend), runs over
 * every distinct model of the held-out crises for a backtest on ICB crises (its scenario: the generic
 * crisis library).
 */
const ManifestBase = z.object({
  scenarioId: z.string(),
  scenarioPath: z.string(),
  scenarioVersion: z.number(),
  /** Content hash of the compiled document (after interventions and overrides). */
  hash: z.string(),
  engine: z.string(),
  seed: z.number(),
  runs: z.number(),
  interventions: z.array(z.string()),
  set: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
});

const Manifests = z.discriminatedUnion('kind', [
  ManifestBase.extend({
    kind: z.literal('run'),
    /** Parameter draws (`--epistemic N`; absent: none). */
    epistemic: z.number().optional(),
  }),
  ManifestBase.extend({ kind: z.literal('compare'), compare: CompareSettings }),
  ManifestBase.extend({ kind: z.literal('sensitivity'), sensitivity: SensitivitySettings }),
  ManifestBase.extend({ kind: z.literal('sweep'), sweep: SweepSettings }),
  ManifestBase.extend({ kind: z.literal('breakeven'), breakeven: BreakevenSettings }),
  ManifestBase.extend({ kind: z.literal('rare'), rare: RareSettings }),
  ManifestBase.extend({ kind: z.literal('backtest'), backtest: BacktestSettings }),
  ManifestBase.extend({ kind: z.literal('backtest-icb'), 'backtest-icb': IcbBacktestSettings }),
]);

/** A job's manifest (runs stored before comparisons existed have no `kind`: they read as ensembles). */
export const RunManifest = z.preprocess(
  (v) =>
    v && typeof v === 'object' && !('kind' in v && (v as { kind?: unknown }).kind !== undefined)
      ? { ...v, kind: 'run' }
      : v,
  Manifests,
);
export type RunManifest = z.infer<typeof Manifests>;
/** The manifest of one kind of job. */
export type ManifestOf<K extends JobKind> = Extract<RunManifest, { kind: K }>;

/** A manifest as stored, with `kind` filled in for ensembles stored before kinds existed. */
export function manifestOf(stored: unknown): RunManifest {
  const m = stored as Omit<RunManifest, 'kind'> & { kind?: JobKind };
  return (m.kind ? m : { ...m, kind: 'run' }) as RunManifest;
}

export const RunStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

/** A job as listed. */
export const RunSummary = z.object({
  id: z.string(),
  workspaceId: z.string(),
  scenarioId: z.string(),
  status: RunStatus,
  manifest: RunManifest,
  doneRuns: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;
