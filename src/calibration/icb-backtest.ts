// `brink backtest --icb` as a use case: ICB crises split into training and held-out sets (by the year
// of the trigger, or into k folds), the generic crisis model fitted on the training crises (or taken
// from the committed fit when it was made from the same training set), and the held-out crises scored
// on three scales against three baselines fitted on the same training crises: ICB's trigger-type base
// rate, a multinomial logistic regression on the same features, and the uniform forecast. Pure apart
// from the engine runs (files come through the GenericEnv).

import type { ModelSource } from '../analysis/kernel/task.ts';
import { randomStream } from '../engine/rng.ts';
import { calibrationTable } from './backtest.ts';
import {
  type CrisisForecast,
  dyadSource,
  type FitOptions,
  fitGeneric,
  type GenericEnv,
  type GenericFit,
  type GenericModels,
  icbOf,
  ladderOf,
  peak5Of,
} from './generic-fit.ts';
import { sideVector } from './generic-model.ts';
import { type CrisisRecord, TRIGGER_ACTS } from './icb-crises.ts';
import {
  type IcbBacktest,
  type IcbCaseScore,
  type ModelScores,
  SCALE_IDS,
  SCALES,
  type Scale,
  type ScaleResult,
} from './icb-scales.ts';
import { fitMlogit, predictMlogit } from './mlogit.ts';
import { bestWeight, poolCurve, pooled } from './pooling.ts';
import { bootstrapDiff, logScore, mean, pit, pitDraw, pitHistogram, rps, smooth } from './scores.ts';

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

/** A case's scores before Brink's forecast is pooled with the base rate. */
type Unpooled = Omit<IcbCaseScore, 'p'>;

/** The scoring's options: runs per held-out crisis, seed, the base rate's weight in Brink's forecast of each scale (default POOL_WEIGHTS). */
export interface IcbOptions {
  runs: number;
  seed: number;
  pool?: Readonly<Record<Scale, number>>;
}

/** A fit's options for `fitFolds` (`until`: only the crises triggered before that year). */
export interface FoldFitOptions {
  seed: number;
  fit: FitOptions;
  log?: (msg: string) => void;
  until?: number | undefined;
}

/** The crises an evaluation may see: all, or those triggered before `until`. */
export function visible(all: readonly CrisisRecord[], until: number | undefined): CrisisRecord[] {
  return until === undefined ? [...all] : all.filter((c) => c.year < until);
}

/**
 * The held-out crises' models under a fit (the kernel's sources: a `classes` job per distinct model
 * computes their forecasts; crises with the same features and opening act share one).
 */
export function heldOutSources(
  models: GenericModels,
  fit: GenericFit,
  test: readonly CrisisRecord[],
): ModelSource[] {
  return test.map((cr) =>
    dyadSource(
      models,
      fit.coefficients,
      fit.nuclearUse,
      cr.features,
      TRIGGER_ACTS[cr.trigger - 1]!,
      fit.standoff,
    ),
  );
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

/** The training and held-out crises of a split (`fold`: its index in a k-fold cross-validation). */
export interface IcbSplit {
  train: CrisisRecord[];
  test: CrisisRecord[];
  fold?: number;
}

/** A time split (fit on the crises triggered before `cutoff`, score the rest) or k folds dealt with `seed`. */
export function icbSplits(
  all: readonly CrisisRecord[],
  split: IcbBacktest['split'],
  seed: number,
): IcbSplit[] {
  if (split.kind === 'folds')
    return foldSplits(all, split.folds, seed, split.until).map((s, fold) => ({ ...s, fold }));
  const seen = visible(all, split.until);
  return [
    { train: seen.filter((c) => c.year < split.cutoff), test: seen.filter((c) => c.year >= split.cutoff) },
  ];
}

/**
 * Scores the held-out crises of each split (`forecasts`: their run counts, in the order of each split's
 * held-out crises) against the baselines fitted on its training crises; k folds' crises in ICB's order.
 */
export function icbReport(
  split: IcbBacktest['split'],
  splits: readonly IcbSplit[],
  fits: IcbBacktest['fits'],
  forecasts: readonly (readonly CrisisForecast[])[],
  opts: IcbOptions,
): IcbBacktest {
  const cases = splits.flatMap((s, k) => scoreFold(s.train, s.test, forecasts[k]!, s.fold));
  if (split.kind === 'folds') cases.sort((a, b) => a.crisno - b.crisno);
  const nTrain = splits.reduce((a, x) => a + x.train.length, 0) / splits.length;
  return finish(split, opts, nTrain, fits, cases);
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
  opts: FoldFitOptions,
): GenericFit[] {
  return foldSplits(all, k, opts.seed, opts.until).map(({ train }, f) => {
    opts.log?.(`fold ${f + 1}/${k}: fitting on ${train.length} crises`);
    return fitGeneric(env, train, opts.fit, opts.log);
  });
}

export * from './icb-scales.ts';
export { peak5Of };
