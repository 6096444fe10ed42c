// The ICB backtest's scales and the shape of its report (`brink backtest --icb --json`, stored by the
// workbench's job), apart from the scoring so that the workbench's results view reads them without the
// engine: the three scales with their classes, each forecast's scores, and a scale's comparison rows.
import type { CalibrationBin } from './backtest.ts';
import type { PoolPoint } from './pooling.ts';
import type { Interval } from './scores.ts';

/** The four classes of the peak on ICB's violence scale (`viol` 1-4). */
export const ICB_CLASSES = ['none', 'minor clashes', 'serious clashes', 'war'] as const;
/** The four classes of the peak on Brink's ladder, by MID hostility level. */
export const LADDER_CLASSES = [
  'words or alarms (routine-coercion)',
  'display or alert (display, alert, nuclear-brink)',
  'use of force (nonlethal-force, lethal-clash)',
  'war (war, nuclear-use)',
] as const;
/** Duration classes: what Brink's 30-day runs can tell apart. */
export const DURATION_CLASSES = ['30 days or less', 'more than 30 days'] as const;

export const SCALES = {
  icb: { name: "peak on ICB's violence scale", classes: ICB_CLASSES },
  ladder: { name: "peak on Brink's ladder (MID level classes)", classes: LADDER_CLASSES },
  duration: { name: 'duration class', classes: DURATION_CLASSES },
} as const;
export type Scale = keyof typeof SCALES;
export const SCALE_IDS = Object.keys(SCALES) as Scale[];

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
