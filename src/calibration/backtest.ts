// Scoring forecasts of historical crises: each case's simulated distribution of the peak rung and of the
// outcome type against what happened. Pure functions of counts; the PIT's randomisation takes its
// uniform draws as an argument.

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

export interface CaseForecast {
  id: string;
  runs: number;
  /** Runs by peak rung (ladder order). */
  peak: number[];
  /** Runs by outcome (OUTCOMES order). */
  outcomes: number[];
  observedPeak: number;
  observedOutcome: number;
}

export interface CaseScore {
  id: string;
  /** Smoothed predicted probabilities of each rung being the peak. */
  peakP: number[];
  /** ln P(observed peak). */
  logScore: number;
  /** Multi-category Brier score of the peak (0 best, 2 worst). */
  brier: number;
  /** Ranked probability score of the peak (ordinal; 0 best). */
  rps: number;
  /** Randomised PIT of the observed peak: F(obs - 1) + u P(obs). */
  pit: number;
  /** P(peak below / at / above the observed rung). */
  below: number;
  at: number;
  above: number;
  outcomeP: number[];
  outcomeLogScore: number;
  outcomeBrier: number;
}

/**
 * Predicted probabilities from counts with add-half smoothing, (k + 0.5) / (n + 0.5 K): a rung no run
 * reached keeps a small probability, so one miss costs a finite log score.
 */
export function smoothed(counts: readonly number[], runs: number): number[] {
  const k = counts.length;
  return counts.map((c) => (c + 0.5) / (runs + 0.5 * k));
}

export function brierScore(p: readonly number[], obs: number): number {
  return p.reduce((s, x, i) => s + (x - (i === obs ? 1 : 0)) ** 2, 0);
}

/** Ranked probability score: squared differences of the cumulative distributions, summed over rungs. */
export function rankedProbabilityScore(p: readonly number[], obs: number): number {
  let cp = 0;
  let s = 0;
  for (let i = 0; i < p.length - 1; i++) {
    cp += p[i]!;
    const co = i >= obs ? 1 : 0;
    s += (cp - co) ** 2;
  }
  return s;
}

export function scoreCase(f: CaseForecast, u: number): CaseScore {
  const peakP = smoothed(f.peak, f.runs);
  const o = f.observedPeak;
  const below = peakP.slice(0, o).reduce((s, x) => s + x, 0);
  const at = peakP[o]!;
  const outcomeP = smoothed(f.outcomes, f.runs);
  return {
    id: f.id,
    peakP,
    logScore: Math.log(at),
    brier: brierScore(peakP, o),
    rps: rankedProbabilityScore(peakP, o),
    pit: below + u * at,
    below,
    at,
    above: 1 - below - at,
    outcomeP,
    outcomeLogScore: Math.log(outcomeP[f.observedOutcome]!),
    outcomeBrier: brierScore(outcomeP, f.observedOutcome),
  };
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

export interface BacktestSummary {
  cases: number;
  meanLogScore: number;
  /** Mean log score of a forecast that gives every rung the same probability. */
  uniformLogScore: number;
  meanBrier: number;
  meanRps: number;
  meanOutcomeLogScore: number;
  meanOutcomeBrier: number;
  /** PIT values sorted, and their counts in thirds [0, 1/3), [1/3, 2/3), [2/3, 1]. */
  pit: number[];
  pitThirds: [number, number, number];
  /** Cases whose observed peak was above / below the forecast's central 80% (PIT > 0.9 / < 0.1). */
  underForecast: string[];
  overForecast: string[];
  calibration: CalibrationBin[];
}

export function summarizeBacktest(
  scores: readonly CaseScore[],
  forecasts: readonly CaseForecast[],
  thresholds: readonly number[],
): BacktestSummary {
  const n = scores.length;
  const mean = (f: (s: CaseScore) => number) => (n ? scores.reduce((a, s) => a + f(s), 0) / n : Number.NaN);
  const pit = scores.map((s) => s.pit).sort((a, b) => a - b);
  const thirds: [number, number, number] = [0, 0, 0];
  for (const p of pit) thirds[Math.min(2, Math.floor(p * 3))]!++;
  const rungs = forecasts[0]?.peak.length ?? 10;
  return {
    cases: n,
    meanLogScore: mean((s) => s.logScore),
    uniformLogScore: Math.log(1 / rungs),
    meanBrier: mean((s) => s.brier),
    meanRps: mean((s) => s.rps),
    meanOutcomeLogScore: mean((s) => s.outcomeLogScore),
    meanOutcomeBrier: mean((s) => s.outcomeBrier),
    pit,
    pitThirds: thirds,
    underForecast: scores.filter((s) => s.pit > 0.9).map((s) => s.id),
    overForecast: scores.filter((s) => s.pit < 0.1).map((s) => s.id),
    calibration: calibrationTable(
      scores.map((s, i) => ({ peakP: s.peakP, observedPeak: forecasts[i]!.observedPeak })),
      thresholds,
    ),
  };
}
