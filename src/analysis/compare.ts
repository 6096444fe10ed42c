// Interventions compared with the baseline on common random numbers: run i of every arm uses the same
// keyed streams (seed, i), so the arms share their random worlds as far as the mechanisms allow and
// the difference is estimated from paired runs. Paired test: McNemar exact mid-p; interval: Newcombe's
// hybrid score interval for paired proportions (docs/decisions/0004-paired-comparisons.md).
import type { Model } from '../engine/model.ts';
import { OUTCOMES, Simulator } from '../engine/run.ts';
import { type Aggregate, emptyAggregate, merge, type RunReport, record, summarize } from './ensemble.ts';
import { type MechanismSummary, traceMechanisms } from './mechanisms.ts';
import { warOrWorseRung } from './metrics.ts';
import { type Estimator, estimateRare, type RareOptions, type RareResult } from './rare.ts';
import { type ModelSource, planShards } from './shard.ts';
import { mcnemarMidP, pairedDifferenceCi, sig } from './stats.ts';
import { type CompareTask, runInOrder, type TaskRunner, workersOf } from './tasks.ts';

export interface Arm {
  /** As given on the command line: `eu-hosted-talks`, `hotline+launch-notification`. */
  label: string;
  model: Model;
  /** What other threads and machines rebuild the model from (needed to run on a TaskRunner). */
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
  /** The intervention arm's talks: P(talks happen), P(they leak) (arms with talks only). */
  talks?: RunReport['talks'];
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
  sims: readonly Simulator[] = [base, ...arms].map((m) => new Simulator(m)),
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

/**
 * A paired comparison run in chunks of run indices: `step(n)` runs the next n indices on the baseline
 * and on every arm (a compare task on this thread, merged into the state), `runOn` hands the same tasks
 * to worker threads or a queue, and `report()` turns the counts into the comparison. `compare()` is
 * this in one go.
 */
export class PairedComparison {
  readonly base: Model;
  readonly arms: readonly Arm[];
  readonly seed: number;
  readonly traceRuns: number;
  readonly state: CompareState;
  private readonly war: number;
  private readonly sims: Simulator[];

  constructor(
    base: Model,
    arms: readonly Arm[],
    opts: { seed: number; traceRuns?: number },
    state?: CompareState,
  ) {
    for (const arm of arms) {
      if (arm.model.rungIds.join() !== base.rungIds.join())
        throw new RangeError(`${arm.label}: the intervention changes the ladder; arms must share it`);
    }
    this.base = base;
    this.arms = arms;
    this.seed = opts.seed;
    this.traceRuns = opts.traceRuns ?? 200;
    this.war = warOrWorseRung(base);
    const nQ = OUTCOMES.length + 1 + base.rungIds.length;
    this.state =
      state ??
      emptyState(
        base,
        arms.map((a) => a.model),
      );
    if (
      this.state.arms.length !== arms.length ||
      this.state.arms.some((a) => a.tables.length !== DELTA_SLOTS * nQ)
    )
      throw new RangeError('the saved comparison state does not match these arms');
    this.sims = [base, ...arms.map((a) => a.model)].map((m) => new Simulator(m));
  }

  /** Runs the next `n` run indices on the baseline and every arm. */
  step(n: number): void {
    const models = this.arms.map((a) => a.model);
    const next = compareRange(this.base, models, this.seed, this.state.runs, n, this.traceRuns, this.sims);
    mergeCompareState(this.state, next, this.traceRuns);
  }

  /** The compare task of runs [start, start + count) (every model needs its `source`). */
  task(range: { start: number; count: number }, baseSource: ModelSource, engine: string): CompareTask {
    return {
      kind: 'compare',
      base: baseSource,
      arms: this.arms.map((a) => {
        if (!a.source) throw new Error(`arm ${a.label} has no source to run elsewhere`);
        return a.source;
      }),
      seed: this.seed,
      start: range.start,
      count: range.count,
      traceRuns: this.traceRuns,
      engine,
    };
  }

  /**
   * Runs the indices up to `runs` on a task runner (worker threads or a queue): the range is cut into
   * shards, computed at most `runner.capacity` at a time (memory flat in the runs) and merged in
   * order, so the state is the one `step` gives on this thread.
   */
  async runOn(
    runner: TaskRunner,
    runs: number,
    opts: {
      baseSource: ModelSource;
      engine: string;
      shardSize?: number | undefined;
      signal?: AbortSignal | undefined;
      onProgress?: ((runs: number) => void) | undefined;
    },
  ): Promise<void> {
    const from = this.state.runs;
    const left = Math.max(0, runs - from);
    const size =
      opts.shardSize ??
      Math.max(1000, Math.min(20_000, Math.ceil(left / (workersOf(runner) * 8 * (1 + this.arms.length)))));
    const tasks = planShards(left, size).map((r) =>
      this.task({ start: from + r.start, count: r.count }, opts.baseSource, opts.engine),
    );
    await runInOrder(
      tasks,
      (t, signal) => runner.runTask(t, signal),
      (k, st) => {
        if (tasks[k]!.start !== this.state.runs) throw new Error('compare: a shard out of order');
        mergeCompareState(this.state, st, this.traceRuns);
        opts.onProgress?.(this.state.runs);
      },
      { window: runner.capacity, signal: opts.signal },
    );
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
  report(opts: {
    engine: string;
    topPaths?: number;
    mechanisms?: Comparison['mechanisms'][];
  }): CompareReport {
    const st = this.state;
    const n = st.runs;
    const base = this.base;
    const nOut = OUTCOMES.length;
    const nQ = nOut + 1;
    const report = summarize(base, st.base, {
      seed: this.seed,
      engine: opts.engine,
      topPaths: opts.topPaths ?? 8,
    });
    const comparisons: Comparison[] = this.arms.map((arm, ai) => {
      const a = st.arms[ai]!;
      const d: Record<string, PairedDelta> = {};
      OUTCOMES.forEach((o, k) => {
        d[o] = deltaAt(a.tables, k);
      });
      d.warOrWorse = deltaAt(a.tables, nOut);
      const altReport = summarize(arm.model, a.alt, { seed: this.seed, engine: opts.engine });
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

function comparisonOf(base: Model, arms: readonly Arm[], opts: CompareOptions): PairedComparison {
  return new PairedComparison(base, arms, {
    seed: opts.seed,
    ...(opts.traceRuns !== undefined ? { traceRuns: opts.traceRuns } : {}),
  });
}

/** Steps `c` on this thread to `opts.runs`, in chunks (progress between them; the numbers do not depend on them). */
function runHere(c: PairedComparison, opts: CompareOptions): void {
  const per = 1 + c.arms.length;
  while (c.state.runs < opts.runs) {
    c.step(Math.min(5000, opts.runs - c.state.runs));
    opts.onProgress?.(c.state.runs * per, opts.runs * per);
  }
}

function reportOpts(opts: CompareOptions) {
  return { engine: opts.engine, ...(opts.topPaths !== undefined ? { topPaths: opts.topPaths } : {}) };
}

/** Runs the baseline and every arm on the same random numbers and compares them run by run (this thread). */
export function compare(base: Model, arms: readonly Arm[], opts: CompareOptions): CompareReport {
  const c = comparisonOf(base, arms, opts);
  runHere(c, opts);
  return c.report(reportOpts(opts));
}

/**
 * `compare` on a task runner (worker threads or a queue, left open; this thread without one): the same
 * report whatever the number of workers. Returns the comparison too (its state has the baseline's
 * aggregate, for the report's paths).
 */
export async function compareOn(
  runner: TaskRunner | undefined,
  base: Model,
  arms: readonly Arm[],
  opts: CompareOptions & { baseSource?: ModelSource; shardSize?: number; signal?: AbortSignal },
): Promise<{ report: CompareReport; comparison: PairedComparison }> {
  const c = comparisonOf(base, arms, opts);
  if (!runner) runHere(c, opts);
  else {
    if (!opts.baseSource) throw new Error('compareOn: a runner needs the baseline as a ModelSource');
    const per = 1 + arms.length;
    await c.runOn(runner, opts.runs, {
      baseSource: opts.baseSource,
      engine: opts.engine,
      shardSize: opts.shardSize,
      signal: opts.signal,
      onProgress: (runs) => opts.onProgress?.(runs * per, opts.runs * per),
    });
  }
  return { report: c.report(reportOpts(opts)), comparison: c };
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
