// `brink backtest --icb` as a use case: ICB crises split into training and held-out sets (by the year
// of the trigger, or into k folds), the generic crisis model fitted on the training crises (or taken
// from the committed fit when it was made from the same training set), and the held-out crises scored
// on three scales against three baselines fitted on the same training crises: ICB's trigger-type base
// rate, a multinomial logistic regression on the same features, and the uniform forecast. Pure apart
// from the engine runs (files come through the GenericEnv).

import { type Executor, execute, JobSeries, SYNC } from '../analysis/kernel/executor.ts';
import { randomStream } from '../engine/rng.ts';
import { type CalibrationBin, calibrationTable } from './backtest.ts';
import {
  type CrisisForecast,
  classesJob,
  dyadSource,
  type FitOptions,
  fitGeneric,
  type GenericEnv,
  type GenericFit,
  GenericModels,
  icbOf,
  ladderOf,
  peak5Of,
} from './generic-fit.ts';
import { sideVector } from './generic-model.ts';
import {
  type CrisisRecord,
  DURATION_CLASSES,
  ICB_CLASSES,
  LADDER_CLASSES,
  TRIGGER_ACTS,
} from './icb-crises.ts';
import { fitMlogit, predictMlogit } from './mlogit.ts';
import { bestWeight, type PoolPoint, poolCurve, pooled } from './pooling.ts';
import {
  bootstrapDiff,
  type Interval,
  logScore,
  mean,
  pit,
  pitDraw,
  pitHistogram,
  rps,
  smooth,
} from './scores.ts';

export const SCALES = {
  icb: { name: "peak on ICB's violence scale", classes: ICB_CLASSES },
  ladder: { name: "peak on Brink's ladder (MID level classes)", classes: LADDER_CLASSES },
  duration: { name: 'duration class', classes: DURATION_CLASSES },
} as const;
export type Scale = keyof typeof SCALES;
export const SCALE_IDS = Object.keys(SCALES) as Scale[];

/**
 * Weight of ICB's trigger-type base rate in Brink's forecast of each scale (a linear pool with the
 * engine's runs; src/calibration/pooling.ts). Chosen on the crises before 1985 only, never on held-out
 * crises (decision 0022): the best of the grid 0, 0.05, ..., 1 for the mean of two cross-validation
 * curves, the 5-fold one (`npx brink backtest --icb --folds 5 --until 1985 --fit
 * scenarios/lib/generic-fit-folds-1985.yaml`) and the time split at 1970 (`npx brink backtest --icb
 * --cutoff 1970 --until 1985 --fit scenarios/lib/generic-fit-1970.yaml`). test/calibration/pooling.test.ts
 * recomputes the choice from the saved fits.
 */
export const POOL_WEIGHTS: Readonly<Record<Scale, number>> = { icb: 0.2, ladder: 0.15, duration: 0.4 };

export function observedClass(c: CrisisRecord, s: Scale): number {
  return s === 'icb' ? c.icb : s === 'ladder' ? c.ladder : c.duration;
}

/** Counts of a forecast's runs on a scale. */
export function countsOn(f: CrisisForecast, s: Scale): number[] {
  if (s === 'duration') return f.dur;
  const k = SCALES[s].classes.length;
  const out = new Array<number>(k).fill(0);
  f.p5.forEach((n, p5) => {
    out[s === 'icb' ? icbOf(p5) : ladderOf(p5)]! += n;
  });
  return out;
}

/** ICB's trigger-type base rate from training crises: smoothed class counts per trigger type (all training crises for a type with none). */
export function baseRates(train: readonly CrisisRecord[], s: Scale): (trigger: number) => number[] {
  const k = SCALES[s].classes.length;
  const by = new Map<number, number[]>();
  const all = new Array<number>(k).fill(0);
  for (const c of train) {
    const y = observedClass(c, s);
    if (!Number.isFinite(y)) continue;
    const row = by.get(c.trigger) ?? new Array<number>(k).fill(0);
    row[y]!++;
    all[y]!++;
    by.set(c.trigger, row);
  }
  return (t) => smooth(by.get(t) ?? all);
}

/** The regression's design row: intercept, trigger-type dummies (2-9), the dyad's features. */
export function designRow(c: { trigger: number; features: CrisisRecord['features'] }): number[] {
  const dummies = Array.from({ length: 8 }, (_, i) => (c.trigger === i + 2 ? 1 : 0));
  return [1, ...dummies, ...sideVector(c.features, 'A').slice(1)];
}

export function logitForecaster(train: readonly CrisisRecord[], s: Scale): (c: CrisisRecord) => number[] {
  const rows = train.filter((c) => Number.isFinite(observedClass(c, s)));
  const model = fitMlogit(
    rows.map(designRow),
    rows.map((c) => observedClass(c, s)),
    SCALES[s].classes.length,
  );
  return (c) => predictMlogit(model, designRow(c));
}

export interface ModelScores {
  logScore: number;
  rps: number;
}

export interface ScaleResult {
  scale: Scale;
  n: number;
  /** Brink's forecast: the engine's runs pooled with the base rate at `pool.weight`. */
  brink: ModelScores;
  /** The engine's runs alone (add-half smoothing), before pooling. */
  engine: ModelScores;
  baseRate: ModelScores;
  logit: ModelScores;
  uniform: ModelScores;
  /** Brink minus each baseline: mean log score difference with a paired bootstrap 95% interval (and RPS: baseline minus Brink, so positive favours Brink). */
  vsBaseRate: { logScore: Interval; rps: Interval };
  vsLogit: { logScore: Interval; rps: Interval };
  vsUniform: { logScore: Interval; rps: Interval };
  vsEngine: { logScore: Interval; rps: Interval };
  /** The base rate's weight in Brink's forecast, and the mean log score every weight of the grid would give on these crises (what a choice of the weight reads: only ever on training crises). */
  pool: { weight: number; curve: PoolPoint[]; best: PoolPoint };
  /** Held-out crises whose observed class got less than 1% of the engine's runs (before smoothing and pooling). */
  floor: { count: number; share: number; ids: string[] };
  /** Brink's randomised PIT in 10 bins. */
  pitHistogram: number[];
  /** Reliability of Brink's P(class >= k), k = 1 .. K-1, pooled over crises. */
  calibration: CalibrationBin[];
}

export interface IcbCaseScore {
  id: string;
  crisno: number;
  name: string;
  year: number;
  trigger: number;
  fold?: number;
  observed: { icb: number; ladder: number; duration: number };
  /** The engine's run counts on each scale. */
  brink: Record<Scale, number[]>;
  runs: number;
  /** Brink's forecast on each scale: the engine's smoothed shares pooled with the base rate. */
  p: Record<Scale, number[]>;
  baseRate: Record<Scale, number[]>;
  logit: Record<Scale, number[]>;
}

/** A case's scores before Brink's forecast is pooled with the base rate. */
type Unpooled = Omit<IcbCaseScore, 'p'>;

export interface IcbBacktest {
  /** How the crises were split; `until`: only crises triggered before this year were used at all (a split inside a training set). */
  split: { kind: 'time'; cutoff: number; until?: number } | { kind: 'folds'; folds: number; until?: number };
  seed: number;
  runs: number;
  train: number;
  test: number;
  fits: { fold: number; n: number; logLik: number; fromCache: boolean }[];
  scales: Record<Scale, ScaleResult>;
  cases: IcbCaseScore[];
}

export interface IcbOptions {
  /** Runs per held-out crisis. */
  runs: number;
  seed: number;
  fit: FitOptions;
  /** A committed fit to use when it was made from the same training set. */
  cached?: (train: readonly CrisisRecord[]) => GenericFit | undefined;
  log?: (msg: string) => void;
  /** Use only the crises triggered before this year (to choose a model inside a training set). */
  until?: number | undefined;
  /** The base rate's weight in Brink's forecast of each scale (default POOL_WEIGHTS). */
  pool?: Readonly<Record<Scale, number>>;
  /** Where the held-out crises' forecasts run (the kernel's executors; default: this thread). */
  executor?: Executor;
  /** Progress of the forecasts: runs done of the runs of a fold's (or the split's) crises. */
  onProgress?: (done: number, total: number) => void;
}

/** The crises an evaluation may see: all, or those triggered before `until`. */
export function visible(all: readonly CrisisRecord[], until: number | undefined): CrisisRecord[] {
  return until === undefined ? [...all] : all.filter((c) => c.year < until);
}

/**
 * The held-out crises' forecasts under a fit: a `classes` job per distinct dyad model (crises with the
 * same features and opening act share one: the same runs), run on the executor.
 */
async function forecastsFor(
  models: GenericModels,
  fit: GenericFit,
  test: readonly CrisisRecord[],
  opts: IcbOptions,
): Promise<CrisisForecast[]> {
  const sources = test.map((cr) =>
    dyadSource(
      models,
      fit.coefficients,
      fit.nuclearUse,
      cr.features,
      TRIGGER_ACTS[cr.trigger - 1]!,
      fit.standoff,
    ),
  );
  const distinct = [...new Map(sources.map((s) => [s.hash, s])).values()];
  const jobs = distinct.map((s) => classesJob(s, opts.runs, opts.seed));
  const counts = await execute(new JobSeries(jobs), opts.executor ?? SYNC, { onProgress: opts.onProgress });
  const byHash = new Map(distinct.map((s, k) => [s.hash, counts[k]!]));
  // Each crisis its own copy (the report lists each one's counts).
  return sources.map((s) => structuredClone(byHash.get(s.hash)!));
}

function scoreFold(
  train: readonly CrisisRecord[],
  test: readonly CrisisRecord[],
  forecasts: readonly CrisisForecast[],
  fold: number | undefined,
): Unpooled[] {
  const base = Object.fromEntries(SCALE_IDS.map((s) => [s, baseRates(train, s)])) as Record<
    Scale,
    (t: number) => number[]
  >;
  const logit = Object.fromEntries(SCALE_IDS.map((s) => [s, logitForecaster(train, s)])) as Record<
    Scale,
    (c: CrisisRecord) => number[]
  >;
  return test.map((c, i) => {
    const f = forecasts[i]!;
    const row: Unpooled = {
      id: `icb-${c.crisno}`,
      crisno: c.crisno,
      name: c.name,
      year: c.year,
      trigger: c.trigger,
      observed: { icb: c.icb, ladder: c.ladder, duration: c.duration },
      brink: Object.fromEntries(SCALE_IDS.map((s) => [s, countsOn(f, s)])) as Record<Scale, number[]>,
      runs: f.runs,
      baseRate: Object.fromEntries(SCALE_IDS.map((s) => [s, base[s](c.trigger)])) as Record<Scale, number[]>,
      logit: Object.fromEntries(SCALE_IDS.map((s) => [s, logit[s](c)])) as Record<Scale, number[]>,
    };
    if (fold !== undefined) row.fold = fold;
    return row;
  });
}

/** Brink's forecast of each case on each scale: the engine's smoothed run shares pooled with the base rate. */
function withPool(cases: readonly Unpooled[], pool: Readonly<Record<Scale, number>>): IcbCaseScore[] {
  return cases.map((c) => ({
    ...c,
    p: Object.fromEntries(
      SCALE_IDS.map((s) => [s, pooled(smooth(c.brink[s]), c.baseRate[s], pool[s])]),
    ) as Record<Scale, number[]>,
  }));
}

/** Scores the held-out cases on one scale (Brink's forecast: `c.p`, pooled at `weight`). */
export function summarise(
  cases: readonly IcbCaseScore[],
  s: Scale,
  seed: number,
  weight: number,
): ScaleResult {
  const rows = cases.filter((c) => Number.isFinite(c.observed[s]));
  const k = SCALES[s].classes.length;
  const uni = new Array<number>(k).fill(1 / k);
  const ls = (p: (c: IcbCaseScore) => number[]) => rows.map((c) => logScore(p(c), c.observed[s]));
  const rp = (p: (c: IcbCaseScore) => number[]) => rows.map((c) => rps(p(c), c.observed[s]));
  const brinkP = (c: IcbCaseScore) => c.p[s];
  const engineP = (c: IcbCaseScore) => smooth(c.brink[s]);
  const models = {
    brink: brinkP,
    engine: engineP,
    baseRate: (c: IcbCaseScore) => c.baseRate[s],
    logit: (c: IcbCaseScore) => c.logit[s],
    uniform: () => uni,
  };
  const lsOf = Object.fromEntries(Object.entries(models).map(([m, p]) => [m, ls(p)])) as Record<
    keyof typeof models,
    number[]
  >;
  const rpOf = Object.fromEntries(Object.entries(models).map(([m, p]) => [m, rp(p)])) as Record<
    keyof typeof models,
    number[]
  >;
  const vs = (m: 'baseRate' | 'logit' | 'uniform' | 'engine', salt: number) => ({
    logScore: bootstrapDiff(lsOf.brink, lsOf[m], seed + salt),
    rps: bootstrapDiff(rpOf[m], rpOf.brink, seed + salt + 7),
  });
  const floorIds = rows
    .filter((c) => {
      const n = c.brink[s].reduce((a, b) => a + b, 0);
      return c.brink[s][c.observed[s]]! / n < 0.01;
    })
    .map((c) => c.id);
  const curve = poolCurve(
    rows.map((c) => ({ engine: engineP(c), base: c.baseRate[s], observed: c.observed[s] })),
  );
  const pits = rows.map((c) => pit(brinkP(c), c.observed[s], pitDraw(seed, `${c.id}:${s}`)));
  const ms = (m: keyof typeof models): ModelScores => ({ logScore: mean(lsOf[m]), rps: mean(rpOf[m]) });
  return {
    scale: s,
    n: rows.length,
    brink: ms('brink'),
    engine: ms('engine'),
    baseRate: ms('baseRate'),
    logit: ms('logit'),
    uniform: ms('uniform'),
    vsBaseRate: vs('baseRate', 1),
    vsLogit: vs('logit', 2),
    vsUniform: vs('uniform', 3),
    vsEngine: vs('engine', 4),
    pool: { weight, curve, best: bestWeight(curve) },
    floor: { count: floorIds.length, share: rows.length ? floorIds.length / rows.length : 0, ids: floorIds },
    pitHistogram: pitHistogram(pits),
    calibration: calibrationTable(
      rows.map((c) => ({ peakP: brinkP(c), observedPeak: c.observed[s] })),
      Array.from({ length: k - 1 }, (_, i) => i + 1),
    ),
  };
}

/** The rows of a scale's comparison table: each forecast's scores and, for the baselines, Brink's differences. */
export function comparisonRows(
  s: ScaleResult,
): { name: string; scores: ModelScores; vs?: { logScore: Interval; rps: Interval } }[] {
  return [
    {
      name: `Brink (generic crisis model: engine pooled with the base rate, weight ${s.pool.weight.toFixed(2)})`,
      scores: s.brink,
    },
    { name: "Brink's engine alone (its runs, no pooling)", scores: s.engine, vs: s.vsEngine },
    { name: 'ICB trigger-type base rate', scores: s.baseRate, vs: s.vsBaseRate },
    { name: 'multinomial logit, same features', scores: s.logit, vs: s.vsLogit },
    { name: 'uniform', scores: s.uniform, vs: s.vsUniform },
  ];
}

function finish(
  split: IcbBacktest['split'],
  opts: IcbOptions,
  nTrain: number,
  fits: IcbBacktest['fits'],
  raw: readonly Unpooled[],
): IcbBacktest {
  const pool = opts.pool ?? POOL_WEIGHTS;
  const cases = withPool(raw, pool);
  return {
    split,
    seed: opts.seed,
    runs: opts.runs,
    train: nTrain,
    test: cases.length,
    fits,
    scales: Object.fromEntries(SCALE_IDS.map((s) => [s, summarise(cases, s, opts.seed, pool[s])])) as Record<
      Scale,
      ScaleResult
    >,
    cases,
  };
}

/** Fits on the crises triggered before `cutoff` and scores the rest. */
export async function backtestTimeSplit(
  env: GenericEnv,
  all: readonly CrisisRecord[],
  cutoff: number,
  opts: IcbOptions,
): Promise<IcbBacktest> {
  const seen = visible(all, opts.until);
  const train = seen.filter((c) => c.year < cutoff);
  const test = seen.filter((c) => c.year >= cutoff);
  const cached = opts.cached?.(train);
  const fit = cached ?? fitGeneric(env, train, opts.fit, opts.log);
  const models = new GenericModels(env);
  const forecasts = await forecastsFor(models, fit, test, opts);
  return finish(
    opts.until === undefined ? { kind: 'time', cutoff } : { kind: 'time', cutoff, until: opts.until },
    opts,
    train.length,
    [{ fold: 0, n: fit.n, logLik: fit.logLik, fromCache: cached !== undefined }],
    scoreFold(train, test, forecasts, undefined),
  );
}

/** The fold of each crisis: a seeded shuffle dealt into k folds. */
export function foldsOf(n: number, k: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  const rnd = randomStream(seed, 0xf01d5, 0);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const fold = new Array<number>(n).fill(0);
  order.forEach((idx, r) => {
    fold[idx] = r % k;
  });
  return fold;
}

/** The training crises of each fold: a seeded shuffle of the visible crises dealt into k folds. */
export function foldSplits(
  all: readonly CrisisRecord[],
  k: number,
  seed: number,
  until?: number,
): { train: CrisisRecord[]; test: CrisisRecord[] }[] {
  const seen = visible(all, until);
  const fold = foldsOf(seen.length, k, seed);
  return Array.from({ length: k }, (_, f) => ({
    train: seen.filter((_, i) => fold[i] !== f),
    test: seen.filter((_, i) => fold[i] === f),
  }));
}

/** Fits the generic model on each fold's training crises (what `brink fit --folds K` saves). */
export function fitFolds(
  env: GenericEnv,
  all: readonly CrisisRecord[],
  k: number,
  opts: IcbOptions,
): GenericFit[] {
  return foldSplits(all, k, opts.seed, opts.until).map(({ train }, f) => {
    opts.log?.(`fold ${f + 1}/${k}: fitting on ${train.length} crises`);
    return fitGeneric(env, train, opts.fit, opts.log);
  });
}

/**
 * k-fold cross-validation over the given crises: each fold scored by a fit on the others (`fits`: the
 * saved fits of the same folds, or undefined to fit now).
 */
export async function backtestFolds(
  env: GenericEnv,
  all: readonly CrisisRecord[],
  k: number,
  opts: IcbOptions,
  saved?: readonly GenericFit[],
): Promise<IcbBacktest> {
  const splits = foldSplits(all, k, opts.seed, opts.until);
  const cases: Unpooled[] = [];
  const fits: IcbBacktest['fits'] = [];
  const models = new GenericModels(env);
  for (const [f, { train, test }] of splits.entries()) {
    let fit = saved?.[f];
    if (!fit) {
      opts.log?.(`fold ${f + 1}/${k}: fitting on ${train.length} crises`);
      fit = fitGeneric(env, train, opts.fit, opts.log);
    }
    fits.push({ fold: f, n: train.length, logLik: fit.logLik, fromCache: saved !== undefined });
    const forecasts = await forecastsFor(models, fit, test, opts);
    cases.push(...scoreFold(train, test, forecasts, f));
  }
  cases.sort((a, b) => a.crisno - b.crisno);
  const nTrain = splits.reduce((a, x) => a + x.train.length, 0) / k;
  return finish(
    opts.until === undefined ? { kind: 'folds', folds: k } : { kind: 'folds', folds: k, until: opts.until },
    opts,
    nTrain,
    fits,
    cases,
  );
}

export { peak5Of };
