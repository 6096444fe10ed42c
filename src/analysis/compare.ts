// Interventions compared with the baseline on common random numbers: run i of every arm uses the same
// keyed streams (seed, i), so the arms share their random worlds as far as the mechanisms allow and
// the difference is estimated from paired runs. Paired test: McNemar exact mid-p; interval: Newcombe's
// hybrid score interval for paired proportions (docs/decisions/0004-paired-comparisons.md).
import type { Model } from '../engine/model.ts';
import { OUTCOMES, type Simulator } from '../engine/run.ts';
import { type Aggregate, emptyAggregate, merge, type RunReport, record, summarize } from './ensemble.ts';
import type { EpistemicCompareReport, EpistemicComparison } from './epistemic.ts';
import { type AnalysisJob, executeSync } from './kernel/executor.ts';
import { simulatorOf } from './kernel/simulator.ts';
import { type CompareTask, localSource, type ModelSource, ranges, type Task } from './kernel/task.ts';
import { type MechanismSummary, traceMechanisms } from './mechanisms.ts';
import { warOrWorseRung } from './metrics.ts';
import type { Estimator, RareResult } from './rare.ts';
import { mcnemarMidP, pairedDifferenceCi, sig } from './stats.ts';

export interface Arm {
  /** As given on the command line: `eu-hosted-talks`, `hotline+launch-notification`. */
  label: string;
  model: Model;
  /** What other threads and machines rebuild the model from (without it: this thread only). */
  source?: ModelSource | undefined;
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
  /** The intervention arm's talks: P(talks happen), P(they leak) (arms with talks only). */
  talks?: RunReport['talks'];
  /** With parameter draws (`--epistemic N`): P(it lowers the metric) across draws, and what matters to that. */
  epistemic?: EpistemicComparison;
}

export interface CompareReport extends RunReport {
  method: { pairing: string; interval: string; test: string; savedHarmed: string };
  comparisons: Comparison[];
  /** With parameter draws: the design (draws, runs per draw, the parameters drawn). */
  parameterDraws?: Omit<EpistemicCompareReport, 'comparisons'>;
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

const DELTA_SLOTS = 4;

function deltaAt(t: readonly number[], q: number): PairedDelta {
  const o = DELTA_SLOTS * q;
  return delta(t[o]!, t[o + 1]!, t[o + 2]!, t[o + 3]!);
}

/** One arm's integer counts after some runs. */
export interface ArmState {
  /** 2x2 tables of paired binary outcomes, flattened: [a, b, c, d] per quantity (outcomes, war or worse, rungs). */
  tables: number[];
  alt: Aggregate;
  saved: number;
  harmed: number;
  /** The first saved and harmed run indices (up to the trace limit), in run order. */
  savedRuns: number[];
  harmedRuns: number[];
}

/**
 * The counts of a paired comparison over `runs` consecutive run indices of every arm: integer counts
 * only. The state of a comparison is that of runs 0..runs-1, so it can be checkpointed as JSON and
 * resumed to exactly the numbers of an uninterrupted comparison; the state of any later range (a
 * compare task's result) merges into it with `mergeCompareState`.
 */
export interface CompareState {
  runs: number;
  base: Aggregate;
  arms: ArmState[];
}

function emptyState(base: Model, arms: readonly Model[]): CompareState {
  const nQ = OUTCOMES.length + 1 + base.rungIds.length;
  return {
    runs: 0,
    base: emptyAggregate(base),
    arms: arms.map((m) => ({
      tables: new Array<number>(DELTA_SLOTS * nQ).fill(0),
      alt: emptyAggregate(m),
      saved: 0,
      harmed: 0,
      savedRuns: [],
      harmedRuns: [],
    })),
  };
}

/**
 * The counts of runs [start, start + count) of `seed` of the baseline and of every arm, compared run by
 * run (the first `traceRuns` saved and harmed runs of the range kept). What a compare task computes.
 */
export function compareRange(
  base: Model,
  arms: readonly Model[],
  seed: number,
  start: number,
  count: number,
  traceRuns: number,
  sims: readonly Simulator[] = [base, ...arms].map(simulatorOf),
): CompareState {
  const st = emptyState(base, arms);
  const nOut = OUTCOMES.length;
  const nQ = nOut + 1;
  const nR = base.rungIds.length;
  const war = warOrWorseRung(base);
  const baseOutcome = new Int8Array(count);
  const basePeak = new Int8Array(count);
  const sb = sims[0]!;
  for (let i = 0; i < count; i++) {
    const r = sb.run(seed, start + i);
    record(st.base, r);
    baseOutcome[i] = r.outcome;
    basePeak[i] = r.peak;
  }
  arms.forEach((_, ai) => {
    const a = st.arms[ai]!;
    const t = a.tables;
    const s = sims[ai + 1]!;
    const add = (q: number, x: boolean, y: boolean) => {
      t[DELTA_SLOTS * q + (x ? (y ? 0 : 1) : y ? 2 : 3)]!++;
    };
    for (let i = 0; i < count; i++) {
      const run = start + i;
      const r = s.run(seed, run);
      record(a.alt, r);
      const bo = baseOutcome[i]!;
      const bp = basePeak[i]!;
      for (let k = 0; k < nOut; k++) add(k, bo === k, r.outcome === k);
      const bw = bp >= war;
      const aw = r.peak >= war;
      add(nOut, bw, aw);
      for (let q = 0; q < nR; q++) add(nQ + q, bp >= q, r.peak >= q);
      if (bw && !aw) {
        a.saved++;
        if (a.savedRuns.length < traceRuns) a.savedRuns.push(run);
      } else if (!bw && aw) {
        a.harmed++;
        if (a.harmedRuns.length < traceRuns) a.harmedRuns.push(run);
      }
    }
  });
  st.runs = count;
  return st;
}

/**
 * Merges `next`, the counts of the run range right after `into`'s, into `into` (keeping the first
 * `traceRuns` saved and harmed runs): the result is the state of both ranges run in one go.
 */
export function mergeCompareState(into: CompareState, next: CompareState, traceRuns: number): CompareState {
  if (next.arms.length !== into.arms.length) throw new RangeError('merging comparisons of different arms');
  merge(into.base, next.base);
  into.arms.forEach((a, ai) => {
    const b = next.arms[ai]!;
    merge(a.alt, b.alt);
    for (let i = 0; i < a.tables.length; i++) a.tables[i]! += b.tables[i]!;
    a.saved += b.saved;
    a.harmed += b.harmed;
    for (const run of b.savedRuns) if (a.savedRuns.length < traceRuns) a.savedRuns.push(run);
    for (const run of b.harmedRuns) if (a.harmedRuns.length < traceRuns) a.harmedRuns.push(run);
  });
  into.runs += next.runs;
  return into;
}

/** What a paired comparison runs: the baseline, the arms, runs per arm, the seed. */
export interface CompareSetup {
  base: Model;
  /** What other threads and machines rebuild the baseline from (without it: this thread only). */
  baseSource?: ModelSource | undefined;
  arms: readonly Arm[];
  seed: number;
  runs: number;
  /** Trace up to this many saved and harmed runs each to find mechanisms (default 200; 0: none). */
  traceRuns?: number | undefined;
  engine: string;
  /** Run indices per task (default: from the runs and the workers; the numbers do not depend on it). */
  shardSize?: number | undefined;
}

/**
 * A paired comparison as an analysis job: compare tasks over consecutive run indices of the baseline
 * and every arm, merged in run order into the state (integer counts: a checkpoint resumes to exactly
 * the numbers of an uninterrupted comparison); `report()` turns the counts into the comparison.
 */
export class PairedComparison implements AnalysisJob<CompareReport> {
  readonly base: Model;
  readonly arms: readonly Arm[];
  readonly seed: number;
  readonly traceRuns: number;
  readonly state: CompareState;
  /** Run indices in all (each runs the baseline and every arm). */
  readonly total: number;
  private readonly war: number;
  private readonly setup: CompareSetup;

  constructor(setup: CompareSetup, checkpoint?: string) {
    const { base, arms } = setup;
    for (const arm of arms) {
      if (arm.model.rungIds.join() !== base.rungIds.join())
        throw new RangeError(`${arm.label}: the intervention changes the ladder; arms must share it`);
    }
    this.setup = setup;
    this.base = base;
    this.arms = arms;
    this.seed = setup.seed;
    this.total = setup.runs;
    this.traceRuns = setup.traceRuns ?? 200;
    this.war = warOrWorseRung(base);
    const nQ = OUTCOMES.length + 1 + base.rungIds.length;
    this.state = checkpoint
      ? (JSON.parse(checkpoint) as CompareState)
      : emptyState(
          base,
          arms.map((a) => a.model),
        );
    if (
      this.state.arms.length !== arms.length ||
      this.state.arms.some((a) => a.tables.length !== DELTA_SLOTS * nQ)
    )
      throw new RangeError('the saved comparison state does not match these arms');
  }

  done(): number {
    return this.state.runs;
  }

  /**
   * The compare tasks of the run indices left: about 8 per worker (no fewer than 1000 indices, no more
   * than 20,000 each), or one of `units` indices for a slice.
   */
  next(sizing: { parallelism: number; units?: number }): Task[] {
    const from = this.state.runs;
    const left = Math.max(0, this.total - from);
    const size =
      sizing.units !== undefined
        ? Math.max(1, sizing.units)
        : (this.setup.shardSize ??
          Math.max(
            1000,
            Math.min(20_000, Math.ceil(left / (sizing.parallelism * 8 * (1 + this.arms.length)))),
          ));
    const cut = ranges(from, this.total, { size });
    return (sizing.units !== undefined ? cut.slice(0, 1) : cut).map((r) => this.task(r));
  }

  /** The compare task of runs [start, start + count). */
  task(range: { start: number; count: number }): CompareTask {
    return {
      kind: 'compare',
      base: this.setup.baseSource ?? localSource(this.base),
      arms: this.arms.map((a) => a.source ?? localSource(a.model)),
      seed: this.seed,
      start: range.start,
      count: range.count,
      traceRuns: this.traceRuns,
      engine: this.setup.engine,
    };
  }

  absorb(task: Task, result: unknown): void {
    if (task.kind !== 'compare' || task.start !== this.state.runs)
      throw new Error('compare: a shard out of order');
    mergeCompareState(this.state, result as CompareState, this.traceRuns);
  }

  checkpoint(): string {
    return JSON.stringify(this.state);
  }

  /** The mechanisms behind one arm's saved and harmed runs (traces up to `traceRuns` of each in both arms). */
  mechanisms(ai: number): Comparison['mechanisms'] {
    const a = this.state.arms[ai]!;
    const model = this.arms[ai]!.model;
    const limit = this.traceRuns;
    return {
      saved:
        limit > 0 && a.savedRuns.length
          ? traceMechanisms(this.base, model, this.seed, a.savedRuns, 'saved')
          : null,
      harmed:
        limit > 0 && a.harmedRuns.length
          ? traceMechanisms(this.base, model, this.seed, a.harmedRuns, 'harmed')
          : null,
    };
  }

  /** The comparison of the runs done so far (mechanisms as given, or traced now). */
  report(opts: { topPaths?: number; mechanisms?: Comparison['mechanisms'][] } = {}): CompareReport {
    const engine = this.setup.engine;
    const st = this.state;
    const n = st.runs;
    const base = this.base;
    const nOut = OUTCOMES.length;
    const nQ = nOut + 1;
    const report = summarize(base, st.base, {
      seed: this.seed,
      engine,
      topPaths: opts.topPaths ?? 8,
    });
    const comparisons: Comparison[] = this.arms.map((arm, ai) => {
      const a = st.arms[ai]!;
      const d: Record<string, PairedDelta> = {};
      OUTCOMES.forEach((o, k) => {
        d[o] = deltaAt(a.tables, k);
      });
      d.warOrWorse = deltaAt(a.tables, nOut);
      const altReport = summarize(arm.model, a.alt, { seed: this.seed, engine });
      return {
        with: arm.label,
        interventions: arm.model.interventions,
        scenario: { hash: arm.model.hash },
        delta: d,
        exceedance: base.rungIds.map((id, rung) => ({ rung, id, ...deltaAt(a.tables, nQ + rung) })),
        saved: a.saved,
        harmed: a.harmed,
        savedShare: sig(a.saved / n),
        harmedShare: sig(a.harmed / n),
        savedRuns: a.savedRuns.slice(0, 10),
        harmedRuns: a.harmedRuns.slice(0, 10),
        mechanisms: opts.mechanisms?.[ai] ?? this.mechanisms(ai),
        outcomes: altReport.outcomes,
        ...(altReport.talks ? { talks: altReport.talks } : {}),
      };
    });
    return {
      ...report,
      method: {
        pairing: 'common random numbers: run i of every arm uses the keyed streams of (seed, i)',
        interval: "Newcombe's hybrid score interval for a difference of paired proportions (method 10), 95%",
        test: "McNemar's exact test, two-sided mid-p",
        savedHarmed: `saved: the run reaches ${base.rungIds[this.war]} or above at baseline but not with the intervention; harmed: the reverse`,
      },
      comparisons,
    };
  }
}

/** Runs the baseline and every arm on the same random numbers and compares them run by run (this thread). */
export function compare(base: Model, arms: readonly Arm[], opts: CompareOptions): CompareReport {
  const c = new PairedComparison({ base, arms, ...opts });
  executeSync(c, opts.onProgress);
  return c.report(opts.topPaths !== undefined ? { topPaths: opts.topPaths } : {});
}

/** A rare-event comparison: each arm estimated on its own (no pairing), the difference with a normal interval. */
export interface RareComparison {
  estimator: Estimator;
  target: { rung: number; id: string };
  baseline: RareResult;
  comparisons: { with: string; result: RareResult; d: number; ci95: [number, number] }[];
}

/**
 * Compares arms with a rare-event estimator (the estimates of a `RareJob` over the baseline and the
 * arms, in that order). Splitting and tilting change which random numbers each arm uses, so the arms
 * cannot be paired: each is estimated independently and the interval of the difference adds their
 * variances.
 */
export function compareRare(
  estimator: Estimator,
  labels: readonly string[],
  results: readonly RareResult[],
): RareComparison {
  const baseline = results[0]!;
  const se = (r: RareResult) => r.relativeError * r.estimate;
  return {
    estimator,
    target: baseline.target,
    baseline,
    comparisons: labels.map((label, k) => {
      const result = results[k + 1]!;
      const d = result.estimate - baseline.estimate;
      const h = 1.959963984540054 * Math.sqrt(se(result) ** 2 + se(baseline) ** 2);
      return { with: label, result, d: sig(d), ci95: [sig(d - h), sig(d + h)] as [number, number] };
    }),
  };
}
