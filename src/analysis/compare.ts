// Interventions compared with the baseline on common random numbers: run i of every arm uses the same
// keyed streams (seed, i), so the arms share their random worlds as far as the mechanisms allow and
// the difference is estimated from paired runs. Paired test: McNemar exact mid-p; interval: Newcombe's
// hybrid score interval for paired proportions (docs/decisions/0004-paired-comparisons.md).
import type { Model } from '../engine/model.ts';
import { OUTCOMES, Simulator } from '../engine/run.ts';
import { emptyAggregate, type RunReport, record, summarize } from './ensemble.ts';
import { type MechanismSummary, traceMechanisms } from './mechanisms.ts';
import { warOrWorseRung } from './metrics.ts';
import { type Estimator, estimateRare, type RareOptions, type RareResult } from './rare.ts';
import { mcnemarMidP, pairedDifferenceCi, sig } from './stats.ts';

export interface Arm {
  /** As given on the command line: `eu-hosted-talks`, `hotline+launch-notification`. */
  label: string;
  model: Model;
}

export interface CompareOptions {
  seed: number;
  runs: number;
  /** Trace up to this many saved and harmed runs each to find mechanisms (default 200; 0: none). */
  traceRuns?: number;
  topPaths?: number;
  engine: string;
  onProgress?: (done: number, total: number) => void;
}

/** A paired difference alt - baseline of a binary quantity. */
export interface PairedDelta {
  base: number;
  alt: number;
  d: number;
  ci95: [number, number];
  /** Two-sided McNemar exact mid-p value. */
  p: number;
  /** Discordant runs: baseline only, intervention only. */
  baseOnly: number;
  altOnly: number;
}

export interface Comparison {
  with: string;
  interventions: string[];
  scenario: { hash: string };
  /** Paired differences of each outcome, and of "war or worse" (peak at the war rung or above). */
  delta: Record<string, PairedDelta>;
  /** Paired differences of P(peak >= rung) per ladder rung. */
  exceedance: ({ rung: number; id: string } & PairedDelta)[];
  /** Runs that reach war or worse at baseline but not with the intervention, and the reverse. */
  saved: number;
  harmed: number;
  savedShare: number;
  harmedShare: number;
  /** Run indices (the first few) to replay with `brink trace --run I`. */
  savedRuns: number[];
  harmedRuns: number[];
  mechanisms: { saved: MechanismSummary | null; harmed: MechanismSummary | null };
  outcomes: RunReport['outcomes'];
}

export interface CompareReport extends RunReport {
  method: { pairing: string; interval: string; test: string; savedHarmed: string };
  comparisons: Comparison[];
}

function delta(a: number, b: number, c: number, d: number): PairedDelta {
  const n = a + b + c + d;
  const [lo, hi] = pairedDifferenceCi(a, b, c, d);
  return {
    base: sig((a + b) / n),
    alt: sig((a + c) / n),
    d: sig((c - b) / n),
    ci95: [sig(lo), sig(hi)],
    p: sig(mcnemarMidP(b, c), 4),
    baseOnly: b,
    altOnly: c,
  };
}

/** 2x2 tables of paired binary outcomes, flattened: [a, b, c, d] per quantity. */
class PairTables {
  readonly t: Float64Array;
  constructor(n: number) {
    this.t = new Float64Array(4 * n);
  }
  add(q: number, x: boolean, y: boolean): void {
    this.t[4 * q + (x ? (y ? 0 : 1) : y ? 2 : 3)]!++;
  }
  delta(q: number): PairedDelta {
    const o = 4 * q;
    return delta(this.t[o]!, this.t[o + 1]!, this.t[o + 2]!, this.t[o + 3]!);
  }
}

/** Runs the baseline and every arm on the same random numbers and compares them run by run. */
export function compare(base: Model, arms: readonly Arm[], opts: CompareOptions): CompareReport {
  const n = opts.runs;
  const nR = base.rungIds.length;
  for (const arm of arms) {
    if (arm.model.rungIds.join() !== base.rungIds.join())
      throw new RangeError(`${arm.label}: the intervention changes the ladder; arms must share it`);
  }
  const war = warOrWorseRung(base);
  const baseOutcome = new Int8Array(n);
  const basePeak = new Int8Array(n);
  const agg = emptyAggregate(base);
  const sim = new Simulator(base);
  const total = n * (1 + arms.length);
  for (let run = 0; run < n; run++) {
    const r = sim.run(opts.seed, run);
    record(agg, r);
    baseOutcome[run] = r.outcome;
    basePeak[run] = r.peak;
    if ((run + 1) % 5000 === 0) opts.onProgress?.(run + 1, total);
  }
  const report = summarize(base, agg, { seed: opts.seed, engine: opts.engine, topPaths: opts.topPaths ?? 8 });
  const limit = opts.traceRuns ?? 200;
  const comparisons: Comparison[] = arms.map((arm, ai) => {
    const s = new Simulator(arm.model);
    // Quantities: the outcomes, war or worse, then P(peak >= rung) per rung.
    const nQ = OUTCOMES.length + 1;
    const tables = new PairTables(nQ + nR);
    const altAgg = emptyAggregate(arm.model);
    const saved: number[] = [];
    const harmed: number[] = [];
    let nSaved = 0;
    let nHarmed = 0;
    for (let run = 0; run < n; run++) {
      const r = s.run(opts.seed, run);
      record(altAgg, r);
      const bo = baseOutcome[run]!;
      const bp = basePeak[run]!;
      for (let k = 0; k < OUTCOMES.length; k++) tables.add(k, bo === k, r.outcome === k);
      const bw = bp >= war;
      const aw = r.peak >= war;
      tables.add(OUTCOMES.length, bw, aw);
      for (let q = 0; q < nR; q++) tables.add(nQ + q, bp >= q, r.peak >= q);
      if (bw && !aw) {
        nSaved++;
        if (saved.length < limit) saved.push(run);
      } else if (!bw && aw) {
        nHarmed++;
        if (harmed.length < limit) harmed.push(run);
      }
      if ((run + 1) % 5000 === 0) opts.onProgress?.(n * (ai + 1) + run + 1, total);
    }
    const d: Record<string, PairedDelta> = {};
    OUTCOMES.forEach((o, k) => {
      d[o] = tables.delta(k);
    });
    d.warOrWorse = tables.delta(OUTCOMES.length);
    const altReport = summarize(arm.model, altAgg, { seed: opts.seed, engine: opts.engine });
    return {
      with: arm.label,
      interventions: arm.model.interventions,
      scenario: { hash: arm.model.hash },
      delta: d,
      exceedance: base.rungIds.map((id, rung) => ({ rung, id, ...tables.delta(nQ + rung) })),
      saved: nSaved,
      harmed: nHarmed,
      savedShare: sig(nSaved / n),
      harmedShare: sig(nHarmed / n),
      savedRuns: saved.slice(0, 10),
      harmedRuns: harmed.slice(0, 10),
      mechanisms: {
        saved: limit > 0 && saved.length ? traceMechanisms(base, arm.model, opts.seed, saved, 'saved') : null,
        harmed:
          limit > 0 && harmed.length ? traceMechanisms(base, arm.model, opts.seed, harmed, 'harmed') : null,
      },
      outcomes: altReport.outcomes,
    };
  });
  opts.onProgress?.(total, total);
  return {
    ...report,
    method: {
      pairing: 'common random numbers: run i of every arm uses the keyed streams of (seed, i)',
      interval: "Newcombe's hybrid score interval for a difference of paired proportions (method 10), 95%",
      test: "McNemar's exact test, two-sided mid-p",
      savedHarmed: `saved: the run reaches ${base.rungIds[war]} or above at baseline but not with the intervention; harmed: the reverse`,
    },
    comparisons,
  };
}

/** A rare-event comparison: each arm estimated on its own (no pairing), the difference with a normal interval. */
export interface RareComparison {
  estimator: Estimator;
  target: { rung: number; id: string };
  baseline: RareResult;
  comparisons: { with: string; result: RareResult; d: number; ci95: [number, number] }[];
}

/**
 * Compares arms with a rare-event estimator. Splitting and tilting change which random numbers each
 * arm uses, so the arms cannot be paired: each is estimated independently and the interval of the
 * difference adds their variances.
 */
export function compareRare(
  base: Model,
  arms: readonly Arm[],
  estimator: Estimator,
  opts: RareOptions,
): RareComparison {
  const baseline = estimateRare(base, estimator, opts);
  const se = (r: RareResult) => r.relativeError * r.estimate;
  return {
    estimator,
    target: baseline.target,
    baseline,
    comparisons: arms.map((arm) => {
      const result = estimateRare(arm.model, estimator, opts);
      const d = result.estimate - baseline.estimate;
      const h = 1.959963984540054 * Math.sqrt(se(result) ** 2 + se(baseline) ** 2);
      return { with: arm.label, result, d: sig(d), ci95: [sig(d - h), sig(d + h)] as [number, number] };
    }),
  };
}
