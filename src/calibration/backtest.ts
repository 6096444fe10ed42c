// What happened in a hand-written case, smoothing of run counts, and the reliability table of
// `brink backtest FILES`, and the report it prints (the scores themselves are in scores.ts). Pure.

/** What happened in a case, as `cases/observed.json` states it. */
export interface Observed {
  /** Peak rung on the default ladder (id). */
  peak: string;
  /** Outcome type: war, nuclearUse, resolved (crisis over within the horizon) or horizon (still on). */
  outcome: 'war' | 'nuclearUse' | 'resolved' | 'horizon';
  icb?: { crisno: number; name: string; trigger: string; viol: number; days?: number };
  sources: string[];
  note?: string;
}

export function brierScore(p: readonly number[], obs: number): number {
  return p.reduce((s, x, i) => s + (x - (i === obs ? 1 : 0)) ** 2, 0);
}

export interface CalibrationBin {
  lo: number;
  hi: number;
  /** (case, event) pairs whose forecast fell in the bin. */
  n: number;
  meanForecast: number;
  observedFrequency: number;
}

/** Events of the calibration table: the peak reached at least each of these rungs. */
export const CALIBRATION_THRESHOLDS = ['alert', 'nonlethal-force', 'lethal-clash', 'war'] as const;
export const CALIBRATION_BINS = [0, 0.1, 0.3, 0.5, 0.7, 0.9, 1] as const;

/**
 * Reliability table: for every case and every threshold rung, the forecast P(peak >= rung) against
 * whether it happened, pooled into probability bins.
 */
export function calibrationTable(
  cases: readonly { peakP: number[]; observedPeak: number }[],
  thresholds: readonly number[],
): CalibrationBin[] {
  const bins = CALIBRATION_BINS.slice(0, -1).map((lo, i) => ({
    lo,
    hi: CALIBRATION_BINS[i + 1]!,
    n: 0,
    sumF: 0,
    sumO: 0,
  }));
  for (const c of cases) {
    for (const t of thresholds) {
      const f = c.peakP.slice(t).reduce((s, x) => s + x, 0);
      const hit = c.observedPeak >= t ? 1 : 0;
      const b = bins.find((x) => f >= x.lo && (f < x.hi || (x.hi === 1 && f <= 1)))!;
      b.n++;
      b.sumF += f;
      b.sumO += hit;
    }
  }
  return bins.map((b) => ({
    lo: b.lo,
    hi: b.hi,
    n: b.n,
    meanForecast: b.n ? b.sumF / b.n : Number.NaN,
    observedFrequency: b.n ? b.sumO / b.n : Number.NaN,
  }));
}

/** A case's forecast and its scores in a backtest's report (`brink backtest FILES --json`). */
export interface CaseRow {
  id: string;
  file: string;
  /** Observed peak rung (id) and its index on the ladder. */
  observed: string;
  observedIndex: number;
  /** Brink's smoothed P(observed peak), P(below), P(above). */
  p: number;
  pBelow: number;
  pAbove: number;
  logScore: number;
  rps: number;
  /** Randomised PIT; its uniform draw is seeded from the case's id. */
  pit: number;
  /** P(observed peak) under ICB's base rate for the case's trigger type (null: no trigger type or a custom ladder). */
  baseRate: number | null;
  /** The ICB trigger type the case maps to. */
  trigger: string | null;
  /** Whether the case was used to write or fit a library it runs on (scored apart), and why. */
  inSample: boolean;
  inSampleWhy?: string;
  peakP: number[];
  outcome: string;
  pOutcome: number;
}

export interface CaseSummary {
  n: number;
  logScore: number;
  /** Mean log score of the uniform forecast over the ladder's rungs. */
  uniform: number;
  /** Mean log score of ICB's trigger-type base rate (over the cases that have one). */
  baseRate: number;
  rps: number;
  outcomeLogScore: number;
  pit: number[];
  calibration: CalibrationBin[];
}

export interface BacktestResult {
  runs: number;
  seed: number;
  /** The ICB training set the base rates come from: crises triggered before this year. */
  cutoff: number;
  cases: CaseRow[];
  /** Out-of-sample cases. */
  summary: CaseSummary;
  /** Cases marked in-sample, scored apart. */
  inSample: CaseSummary;
}
