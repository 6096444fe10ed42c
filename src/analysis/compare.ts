// Interventions compared with the baseline on common random numbers: run i of every arm uses the same
// keyed streams (seed, i), so the arms share their random worlds as far as the mechanisms allow and
// the difference is estimated from paired runs. Paired test: McNemar exact mid-p; interval: Newcombe's
// hybrid score interval for paired proportions (docs/decisions/0004-paired-comparisons.md).
import type { Model } from '../engine/model.ts';
import { OUTCOMES, Simulator } from '../engine/run.ts';
import { emptyAggregate, merge, type RunReport, record, summarize } from './ensemble.ts';
import { type MechanismSummary, traceMechanisms } from './mechanisms.ts';
import { warOrWorseRung } from './metrics.ts';
import { type Estimator, estimateRare, type RareOptions, type RareResult } from './rare.ts';
import { type ModelSource, planShards } from './shard.ts';
import { mcnemarMidP, pairedDifferenceCi, sig } from './stats.ts';
import { type ArmTally, type CompareTally, runInOrder, type TaskRunner } from './tasks.ts';

export interface Arm {
  /** As given on the command line: `eu-hosted-talks`, `hotline+launch-notification`. */
  label: string;
  model: Model;
  /** What worker threads rebuild the model from (needed by `compareParallel` with a runner). */
  source?: ModelSource;
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

/** The quantities of the paired tables: the outcomes, war or worse, then P(peak >= rung) per rung. */
function quantities(base: Model): number {
  return OUTCOMES.length + 1 + base.rungIds.length;
}

function pairedDelta(t: readonly number[], q: number): PairedDelta {
  const o = 4 * q;
  return delta(t[o]!, t[o + 1]!, t[o + 2]!, t[o + 3]!);
}

function checkLadders(base: Model, arms: readonly { label: string; model: Model }[]): void {
  for (const arm of arms) {
    if (arm.model.rungIds.join() !== base.rungIds.join())
      throw new RangeError(`${arm.label}: the intervention changes the ladder; arms must share it`);
  }
}

/**
 * Runs [start, start + count) of `seed` of the baseline and of every arm, and tallies them run by run:
 * aggregates, paired 2x2 tables, saved and harmed runs (the first `keep` indices of each). Tallies of
 * consecutive ranges merge (`mergeCompareTally`) to the tally of their union.
 */
export function compareRange(
  base: Model,
  arms: readonly Model[],
  seed: number,
  start: number,
  count: number,
  keep: number,
  sims: { base: Simulator; arms: Simulator[] } = {
    base: new Simulator(base),
    arms: arms.map((m) => new Simulator(m)),
  },
): CompareTally {
  const nR = base.rungIds.length;
  const nQ = OUTCOMES.length + 1;
  const war = warOrWorseRung(base);
  const baseAgg = emptyAggregate(base);
  const tallies: ArmTally[] = arms.map((m) => ({
    agg: emptyAggregate(m),
    tables: new Array<number>(4 * quantities(base)).fill(0),
    saved: 0,
    harmed: 0,
    savedRuns: [],
    harmedRuns: [],
  }));
  const end = start + count;
  for (let run = start; run < end; run++) {
    const b = sims.base.run(seed, run);
    record(baseAgg, b);
    const bo = b.outcome;
    const bp = b.peak;
    const bw = bp >= war;
    for (let ai = 0; ai < arms.length; ai++) {
      const r = sims.arms[ai]!.run(seed, run);
      const t = tallies[ai]!;
      record(t.agg, r);
      const tab = t.tables;
      // Cell of a 2x2 table: a (both), b (baseline only), c (arm only), d (neither).
      for (let k = 0; k < OUTCOMES.length; k++) {
        const x = bo === k;
        const y = r.outcome === k;
        tab[4 * k + (x ? (y ? 0 : 1) : y ? 2 : 3)]!++;
      }
      const aw = r.peak >= war;
      tab[4 * OUTCOMES.length + (bw ? (aw ? 0 : 1) : aw ? 2 : 3)]!++;
      for (let q = 0; q < nR; q++) {
        const x = bp >= q;
        const y = r.peak >= q;
        tab[4 * (nQ + q) + (x ? (y ? 0 : 1) : y ? 2 : 3)]!++;
      }
      if (bw && !aw) {
        t.saved++;
        if (t.savedRuns.length < keep) t.savedRuns.push(run);
      } else if (!bw && aw) {
        t.harmed++;
        if (t.harmedRuns.length < keep) t.harmedRuns.push(run);
      }
    }
  }
  return { base: baseAgg, arms: tallies };
}

/** Merges the tally of the next run range `b` into `a` (keeping the first `keep` run indices). */
export function mergeCompareTally(a: CompareTally, b: CompareTally, keep: number): CompareTally {
  merge(a.base, b.base);
  a.arms.forEach((t, ai) => {
    const u = b.arms[ai]!;
    merge(t.agg, u.agg);
    for (let i = 0; i < t.tables.length; i++) t.tables[i]! += u.tables[i]!;
    t.saved += u.saved;
    t.harmed += u.harmed;
    for (const run of u.savedRuns) if (t.savedRuns.length < keep) t.savedRuns.push(run);
    for (const run of u.harmedRuns) if (t.harmedRuns.length < keep) t.harmedRuns.push(run);
  });
  return a;
}

/** The report of a comparison from the tally of runs [0, runs); traces saved and harmed runs here. */
function compareReport(
  base: Model,
  arms: readonly Arm[],
  tally: CompareTally,
  opts: CompareOptions,
): CompareReport {
  const n = opts.runs;
  const nQ = OUTCOMES.length + 1;
  const war = warOrWorseRung(base);
  const limit = opts.traceRuns ?? 200;
  const report = summarize(base, tally.base, {
    seed: opts.seed,
    engine: opts.engine,
    topPaths: opts.topPaths ?? 8,
  });
  const comparisons: Comparison[] = arms.map((arm, ai) => {
    const t = tally.arms[ai]!;
    const d: Record<string, PairedDelta> = {};
    OUTCOMES.forEach((o, k) => {
      d[o] = pairedDelta(t.tables, k);
    });
    d.warOrWorse = pairedDelta(t.tables, OUTCOMES.length);
    const altReport = summarize(arm.model, t.agg, { seed: opts.seed, engine: opts.engine });
    const saved = t.savedRuns;
    const harmed = t.harmedRuns;
    return {
      with: arm.label,
      interventions: arm.model.interventions,
      scenario: { hash: arm.model.hash },
      delta: d,
      exceedance: base.rungIds.map((id, rung) => ({ rung, id, ...pairedDelta(t.tables, nQ + rung) })),
      saved: t.saved,
      harmed: t.harmed,
      savedShare: sig(t.saved / n),
      harmedShare: sig(t.harmed / n),
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

/** Runs per chunk on this thread (progress between chunks; the numbers do not depend on it). */
const CHUNK = 5000;

/** Runs the baseline and every arm on the same random numbers and compares them run by run (this thread). */
export function compare(base: Model, arms: readonly Arm[], opts: CompareOptions): CompareReport {
  checkLadders(base, arms);
  const n = opts.runs;
  const keep = opts.traceRuns ?? 200;
  const total = n * (1 + arms.length);
  const models = arms.map((a) => a.model);
  const sims = { base: new Simulator(base), arms: models.map((m) => new Simulator(m)) };
  let tally = compareRange(base, models, opts.seed, 0, 0, keep, sims);
  for (let start = 0; start < n; start += CHUNK) {
    const count = Math.min(CHUNK, n - start);
    tally = mergeCompareTally(tally, compareRange(base, models, opts.seed, start, count, keep, sims), keep);
    opts.onProgress?.((start + count) * (1 + arms.length), total);
  }
  const report = compareReport(base, arms, tally, opts);
  opts.onProgress?.(total, total);
  return report;
}

export interface CompareParallelOptions extends CompareOptions {
  /**
   * Worker threads to compute the run ranges on (ShardPool); left open. Without it the comparison runs
   * on this thread. Each model needs its `source` (the baseline's in `baseSource`).
   */
  runner?: TaskRunner;
  /** The baseline's source, for the runner's workers. */
  baseSource?: ModelSource;
  /** Runs per shard (default: from runs and the runner's capacity; the numbers do not depend on it). */
  shardSize?: number;
  signal?: AbortSignal;
}

/**
 * `compare` over worker threads: the run range is cut into shards, each shard computes the baseline
 * and every arm on its runs, and the shards are merged in order, so the report is the one `compare`
 * makes on one thread (byte for byte). Saved and harmed runs are traced here.
 */
export async function compareParallel(
  base: Model,
  arms: readonly Arm[],
  opts: CompareParallelOptions,
): Promise<CompareReport> {
  const runner = opts.runner;
  if (!runner) return compare(base, arms, opts);
  checkLadders(base, arms);
  const baseSource = opts.baseSource;
  if (!baseSource)
    throw new Error('compareParallel: a runner needs baseSource (the baseline as a ModelSource)');
  const sources = arms.map((a) => {
    if (!a.source) throw new Error(`compareParallel: arm ${a.label} has no source for the runner`);
    return a.source;
  });
  const n = opts.runs;
  const keep = opts.traceRuns ?? 200;
  const total = n * (1 + arms.length);
  const workers = Math.max(1, Math.floor(runner.capacity / 2));
  const size = opts.shardSize ?? Math.max(1000, Math.min(20_000, Math.ceil(n / (workers * 8))));
  const shards = planShards(n, size);
  let tally: CompareTally | undefined;
  let done = 0;
  await runInOrder(
    shards,
    (r, signal) =>
      runner.runTask(
        {
          kind: 'compare',
          base: baseSource,
          arms: sources,
          seed: opts.seed,
          start: r.start,
          count: r.count,
          keep,
          engine: opts.engine,
        },
        signal,
      ),
    (k, t) => {
      tally = tally ? mergeCompareTally(tally, t, keep) : t;
      done += shards[k]!.count;
      opts.onProgress?.(done * (1 + arms.length), total);
    },
    { window: runner.capacity, signal: opts.signal },
  );
  tally ??= compareRange(
    base,
    arms.map((a) => a.model),
    opts.seed,
    0,
    0,
    keep,
  );
  const report = compareReport(base, arms, tally, opts);
  opts.onProgress?.(total, total);
  return report;
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
