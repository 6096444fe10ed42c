// The options of the comparison and sensitivity use cases, as zod schemas with their defaults and
// limits: `brink compare` and `brink sensitivity` check their flags with them, and the workbench's API
// validates its request bodies with them, so both accept exactly the same settings.
import { z } from 'zod';

/** A seed: an unsigned 32-bit integer (the engine's streams are keyed by it). */
export const SeedOption = z
  .number()
  .int()
  .min(0)
  .max(2 ** 32 - 1)
  .default(1);

/** An intervention or a combination `a+b` (as `--with` takes it). */
export const ArmOption = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^+\s]+(\+[^+\s]+)*$/, 'expected an intervention id or a combination a+b');

/** Parameter draws of a second-order Monte Carlo (`--epistemic N`; 0: none). */
export const EpistemicOption = z
  .number()
  .int()
  .refine((n) => n === 0 || (n >= 2 && n <= 5000), 'parameter draws: 0 (none) or 2..5000')
  .default(0);

/**
 * `brink run` and `POST …/runs`: runs, seed, interventions applied, parameter overrides (`--set`) and
 * parameter draws. `brink run` takes its flags from it, the API its body.
 */
export const EnsembleOptionsSchema = z.object({
  seed: SeedOption,
  runs: z.number().int().min(1).max(10_000_000).default(10_000),
  interventions: z.array(z.string().min(1).max(100)).max(20).default([]),
  set: z
    .record(z.string().min(1).max(200), z.union([z.number(), z.string().max(200), z.boolean()]))
    .default({}),
  /** Parameter draws for the parameter-uncertainty band (0: none), as `brink run --epistemic N`. */
  epistemic: EpistemicOption,
});

/** `brink compare`: the arms, runs per arm, seed, and saved/harmed runs traced per arm. */
export const CompareOptionsSchema = z.object({
  arms: z
    .array(ArmOption)
    .min(1, 'compare needs at least one intervention or combination a+b')
    .max(12)
    .refine((a) => new Set(a).size === a.length, 'each arm once'),
  runs: z.number().int().min(1).max(10_000_000).default(20_000),
  seed: SeedOption,
  traceRuns: z.number().int().min(0).max(1000).default(200),
  epistemic: EpistemicOption,
});

/** At most this many engine runs in one sensitivity analysis (tornado plus Sobol design). */
export const MAX_SENSITIVITY_RUNS = 200_000_000;

/**
 * Parameters in a sensitivity analysis's Sobol design by default: the 12 with the largest tornado swing
 * (docs/decisions/0004-analysis.md, 2026-12-03).
 */
export const SOBOL_TOP = 12;

/**
 * `brink sensitivity`: interventions applied first, the metric, runs per tornado end, the quantiles of
 * the ends, Sobol base samples N, runs per design point, bootstrap replicates, the parameters, and how
 * many of them (by tornado swing) the Sobol design varies (0: all).
 */
export const SensitivityOptionsSchema = z
  .object({
    interventions: z.array(z.string().min(1).max(100)).max(20).default([]),
    seed: SeedOption,
    metric: z.string().min(1).max(80).default('warOrWorse'),
    tornadoRuns: z.number().int().min(1).max(1_000_000).default(5000),
    low: z.number().gt(0).lt(1).default(0.05),
    high: z.number().gt(0).lt(1).default(0.95),
    samples: z.number().int().min(0).max(4096).default(32),
    runsPerPoint: z.number().int().min(1).max(1_000_000).default(500),
    bootstrap: z.number().int().min(1).max(10_000).default(500),
    only: z.array(z.string().min(1).max(300)).max(500).default([]),
    sobolTop: z.number().int().min(0).max(10_000).default(SOBOL_TOP),
  })
  .refine((o) => o.low < o.high, { message: 'the low quantile must be below the high one', path: ['low'] });

/**
 * Checks options against a schema; returns them parsed, or throws a RangeError naming the option as
 * the user wrote it (`flags` maps a field to its flag, e.g. `runs` to `--runs`).
 */
export function checkOptions<S extends z.ZodType>(
  schema: S,
  values: unknown,
  flags: Record<string, string> = {},
): z.output<S> {
  const r = schema.safeParse(values);
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  const key = String(i.path[0] ?? '');
  throw new RangeError(`${flags[key] ?? key}: ${i.message}`);
}

/** A sweep's grid parameter: a dotted path and LO..HI in STEPS values (as `--param PATH=LO..HI:STEPS`). */
export const SweepParamOption = z.object({
  path: z.string().min(1).max(300),
  lo: z.number(),
  hi: z.number(),
  steps: z.number().int().min(1).max(1000),
});

/** `brink sweep`: interventions applied first, the grid, runs per cell, seed and the metrics per cell. */
export const SweepOptionsSchema = z.object({
  interventions: z.array(z.string().min(1).max(100)).max(20).default([]),
  params: z.array(SweepParamOption).min(1, 'a sweep needs at least one parameter').max(4),
  runs: z.number().int().min(1).max(1_000_000).default(5000),
  seed: SeedOption,
  metrics: z.array(z.string().min(1).max(80)).max(10).default([]),
  epistemic: EpistemicOption,
});

/** `brink breakeven`: the intervention, the parameter and its range, runs per point, the search. */
export const BreakevenOptionsSchema = z
  .object({
    with: ArmOption,
    param: z.string().min(1).max(300),
    range: z.tuple([z.number(), z.number()]).optional(),
    runs: z.number().int().min(1).max(1_000_000).default(20_000),
    seed: SeedOption,
    grid: z.number().int().min(3).max(50).default(9),
    bisect: z.number().int().min(0).max(20).default(5),
    metric: z.string().min(1).max(80).default('warOrWorse'),
    bootstrap: z.number().int().min(1).max(10_000).default(500),
    epistemic: EpistemicOption,
  })
  .refine((o) => !o.range || o.range[0] < o.range[1], {
    message: 'the range must have LO < HI',
    path: ['range'],
  });

/** `brink run --estimator`: a rare-event estimate of P(peak >= target rung). */
export const RareOptionsSchema = z.object({
  interventions: z.array(z.string().min(1).max(100)).max(20).default([]),
  estimator: z.enum(['crude', 'ams', 'is']),
  /** A rung id or index (default: nuclear use, else war). */
  target: z.string().min(1).max(80).optional(),
  seed: SeedOption,
  runs: z.number().int().min(1).max(10_000_000).default(100_000),
  particles: z.number().int().min(10).max(20_000).default(1000),
  replicates: z.number().int().min(2).max(200).default(20),
  ceRuns: z.number().int().min(100).max(1_000_000).default(2000),
  isRuns: z.number().int().min(100).max(10_000_000).default(10_000),
});

/**
 * `brink backtest FILES`: the case files (in the workbench, among the cases shipped with Brink, as
 * `cases/ID.yaml`; none: every one that extends the library), runs per case, seed, and the observed
 * outcomes (default: observed.json beside the first case).
 */
export const BacktestOptionsSchema = z.object({
  cases: z.array(z.string().min(1).max(300)).max(200).default([]),
  runs: z.number().int().min(1).max(1_000_000).default(20_000),
  seed: SeedOption,
  observed: z.string().min(1).max(300).optional(),
});

/** A year of ICB v15's crises (1918-2019; a split needs crises on both sides). */
const IcbYear = z
  .number()
  .int()
  .min(1919, 'expected a year from 1919 to 2019 (ICB v15 covers 1918-2019)')
  .max(2019, 'expected a year from 1919 to 2019 (ICB v15 covers 1918-2019)');

/**
 * `brink backtest --icb`: the generic crisis model scored on ICB crises held out from its fit. A time
 * split (fit on the crises triggered before `cutoff`, score the rest) or, with `folds`, k-fold
 * cross-validation (`cutoff` unused); `until`: only crises triggered before that year (to choose a model
 * inside a training set); runs per held-out crisis, seed (of the runs, and the folds' shuffle).
 */
export const IcbBacktestOptionsSchema = z
  .object({
    cutoff: IcbYear.default(1985),
    folds: z.number().int().min(2, 'expected 2 or more folds').max(50).optional(),
    until: IcbYear.optional(),
    runs: z.number().int().min(1).max(1_000_000).default(2000),
    seed: SeedOption,
  })
  .refine((o) => o.until === undefined || o.folds !== undefined || o.until > o.cutoff, {
    error: (iss) => {
      const o = iss.input as { until: number; cutoff: number };
      return `${o.until} must be after the cutoff ${o.cutoff} of a time split (no crisis left to score)`;
    },
    path: ['until'],
  });
