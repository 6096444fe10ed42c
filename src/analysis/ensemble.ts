// Ensembles: many runs of one model, aggregated as integer counts so that any split of the runs
// (batches, workers, machines) merges to exactly the same numbers.
import type { Model } from '../engine/model.ts';
import { MISPERCEPTION_KINDS, OUTCOMES, type RunResult, type Simulator } from '../engine/run.ts';
import { proportion } from '../engine/stats.ts';
import type { EpistemicRunReport } from './epistemic.ts';
import type { AnalysisJob } from './kernel/executor.ts';
import { simulatorOf } from './kernel/simulator.ts';
import { type EnsembleTask, type ModelSource, ranges, type Task } from './kernel/task.ts';
import { type ReportHead, reportHead } from './report-head.ts';

export interface Aggregate {
  runs: number;
  outcomes: number[];
  /** Histogram of the peak rung. */
  peak: number[];
  lethalRuns: number;
  lethalWithMisperception: number;
  warRuns: number;
  warWithMisperception: number;
  /** Escalation paths (acts that raised the peak, comma-joined act indices) and their counts. */
  paths: Record<string, number>;
  /** Lethal runs whose chain began with each (kind, observer, act, perceived) misperception. */
  lethalCauses: Record<string, number>;
  /** War runs (war or nuclear use) whose chain began with each (kind, observer, act, perceived) misperception. */
  warCauses: Record<string, number>;
  /** Runs by escalation path and outcome: `path|outcome` (path as in `paths`). */
  pathOutcomes: Record<string, number>;
  decisions: number;
  events: number;
  misperceptions: number;
  leaks: number;
  endTicks: number;
  /** Runs in which any talks took place / leaked, and per talks (model order). */
  talksHappened: number;
  talksLeaked: number;
  byTalks: { happened: number; leaked: number }[];
}

export function emptyAggregate(m: Model): Aggregate {
  return {
    runs: 0,
    outcomes: OUTCOMES.map(() => 0),
    peak: m.rungIds.map(() => 0),
    lethalRuns: 0,
    lethalWithMisperception: 0,
    warRuns: 0,
    warWithMisperception: 0,
    paths: {},
    lethalCauses: {},
    warCauses: {},
    pathOutcomes: {},
    decisions: 0,
    events: 0,
    misperceptions: 0,
    leaks: 0,
    endTicks: 0,
    talksHappened: 0,
    talksLeaked: 0,
    byTalks: m.talks.map(() => ({ happened: 0, leaked: 0 })),
  };
}

/** Counts misperception `c` of a run (its kind, observer, act and what it was taken for) in `causes`. */
function countCause(causes: Record<string, number>, r: RunResult, c: number): void {
  const key = `${r.mpKind[c]},${r.mpObserver[c]},${r.mpAct[c]},${r.mpPerceived[c]}`;
  causes[key] = (causes[key] ?? 0) + 1;
}

/** A misperception counted by `countCause`, in words: its kind, who misperceived which act as what. */
export function causeParts(m: Model, key: string) {
  const [kind, obs, act, perceived] = key.split(',').map(Number) as [number, number, number, number];
  return {
    kind: MISPERCEPTION_KINDS[kind]!,
    observer: m.actors[obs]!.id,
    act: m.actIds[act]!,
    perceived: perceived >= 0 ? m.actIds[perceived]! : null,
  };
}

/** Adds one run's result to an aggregate. */
export function record(agg: Aggregate, r: RunResult): void {
  agg.runs++;
  agg.outcomes[r.outcome]!++;
  agg.peak[r.peak]!++;
  if (r.lethalMisperception >= 0) {
    agg.lethalRuns++;
    if (r.lethalMisperception === 1) {
      agg.lethalWithMisperception++;
      countCause(agg.lethalCauses, r, r.lethalCause);
    }
  }
  if (r.warMisperception >= 0) {
    agg.warRuns++;
    if (r.warMisperception === 1) {
      agg.warWithMisperception++;
      countCause(agg.warCauses, r, r.warCause);
    }
  }
  let key = '';
  for (let k = 0; k < r.pathLength; k++) key += k === 0 ? `${r.path[k]}` : `,${r.path[k]}`;
  agg.paths[key] = (agg.paths[key] ?? 0) + 1;
  const end = `${key}|${r.outcome}`;
  agg.pathOutcomes[end] = (agg.pathOutcomes[end] ?? 0) + 1;
  agg.decisions += r.decisions;
  agg.events += r.events;
  agg.misperceptions += r.mpCount;
  agg.leaks += r.leaks;
  agg.endTicks += r.endTick;
  let happened = 0;
  let leaked = 0;
  for (let k = 0; k < r.talksHappened.length; k++) {
    happened |= r.talksHappened[k]!;
    leaked |= r.talksLeaked[k]!;
    agg.byTalks[k]!.happened += r.talksHappened[k]!;
    agg.byTalks[k]!.leaked += r.talksLeaked[k]!;
  }
  agg.talksHappened += happened;
  agg.talksLeaked += leaked;
}

/** Merges b into a (both must come from the same model). Integer sums: order does not matter. */
export function merge(a: Aggregate, b: Aggregate): Aggregate {
  a.runs += b.runs;
  b.outcomes.forEach((v, k) => {
    a.outcomes[k]! += v;
  });
  b.peak.forEach((v, k) => {
    a.peak[k]! += v;
  });
  a.lethalRuns += b.lethalRuns;
  a.lethalWithMisperception += b.lethalWithMisperception;
  a.warRuns += b.warRuns;
  a.warWithMisperception += b.warWithMisperception;
  for (const [k, v] of Object.entries(b.paths)) a.paths[k] = (a.paths[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.lethalCauses)) a.lethalCauses[k] = (a.lethalCauses[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.warCauses)) a.warCauses[k] = (a.warCauses[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.pathOutcomes)) a.pathOutcomes[k] = (a.pathOutcomes[k] ?? 0) + v;
  a.decisions += b.decisions;
  a.events += b.events;
  a.misperceptions += b.misperceptions;
  a.leaks += b.leaks;
  a.endTicks += b.endTicks;
  a.talksHappened += b.talksHappened;
  a.talksLeaked += b.talksLeaked;
  b.byTalks.forEach((t, k) => {
    a.byTalks[k]!.happened += t.happened;
    a.byTalks[k]!.leaked += t.leaked;
  });
  return a;
}

/** Runs [start, start + count) of `seed` on this thread: the body of an ensemble task. */
export function runRange(
  m: Model,
  seed: number,
  start: number,
  count: number,
  sim: Simulator = simulatorOf(m),
): Aggregate {
  const agg = emptyAggregate(m);
  for (let run = start; run < start + count; run++) record(agg, sim.run(seed, run));
  return agg;
}

/**
 * A shard size that keeps every worker busy (about 8 shards per worker, for balance and progress)
 * without tiny shards (overhead) or huge ones (coarse progress, long retries after a lost worker).
 * The numbers never depend on it: runs are keyed by index.
 */
export function defaultShardSize(runs: number, workers: number): number {
  const target = Math.ceil(runs / Math.max(1, workers * 8));
  return Math.max(5000, Math.min(50_000, target));
}

/** A stable name of an ensemble task: the same inputs give the same id on any machine. */
export function shardId(task: Omit<EnsembleTask, 'kind'>): string {
  return `brink-${task.engine}-${task.source.hash.slice(0, 16)}-${task.seed}-${task.start}-${task.count}`;
}

/**
 * Runs [0, total) of one seed cut into range tasks whose results are integer counts merged in run
 * order: the state is the counts of the runs done (`runs`), and a checkpoint resumes from them.
 */
export class RunRangeJob<S extends { runs: number }> implements AnalysisJob<S> {
  readonly total: number;
  readonly state: S;
  readonly #task: (start: number, count: number) => Task;
  readonly #merge: (state: S, result: S) => void;
  readonly #shardSize: number | undefined;

  constructor(
    opts: {
      runs: number;
      empty: () => S;
      task: (start: number, count: number) => Task;
      merge: (state: S, result: S) => void;
      shardSize?: number | undefined;
    },
    checkpoint?: string,
  ) {
    this.total = opts.runs;
    this.state = checkpoint ? (JSON.parse(checkpoint) as S) : opts.empty();
    this.#task = opts.task;
    this.#merge = opts.merge;
    this.#shardSize = opts.shardSize;
  }

  done(): number {
    return this.state.runs;
  }

  next(sizing: { parallelism: number; units?: number }): Task[] {
    const size =
      sizing.units !== undefined
        ? Math.max(1, sizing.units)
        : (this.#shardSize ?? defaultShardSize(this.total, sizing.parallelism));
    const cut = ranges(this.state.runs, this.total, { size });
    return (sizing.units !== undefined ? cut.slice(0, 1) : cut).map((r) => this.#task(r.start, r.count));
  }

  absorb(task: Task, result: unknown): void {
    if (!('start' in task) || task.start !== this.state.runs)
      throw new Error(`${task.kind}: a task out of order`);
    this.#merge(this.state, result as S);
  }

  checkpoint(): string {
    return JSON.stringify(this.state);
  }

  report(): S {
    return this.state;
  }
}

/**
 * An ensemble as an analysis job: runs [0, runs) of `seed` cut into ensemble tasks, their aggregates
 * merged in run order. The state is the aggregate of the runs done (a checkpoint resumes from it).
 */
export class EnsembleJob extends RunRangeJob<Aggregate> {
  constructor(
    source: ModelSource,
    model: Model,
    opts: { seed: number; runs: number; engine: string; shardSize?: number | undefined },
    checkpoint?: string,
  ) {
    super(
      {
        runs: opts.runs,
        empty: () => emptyAggregate(model),
        task: (start, count) => ({
          kind: 'ensemble',
          source,
          seed: opts.seed,
          start,
          count,
          engine: opts.engine,
        }),
        merge: (a, b) => merge(a, b),
        shardSize: opts.shardSize,
      },
      checkpoint,
    );
  }

  get aggregate(): Aggregate {
    return this.state;
  }
}

/** A misperception (its kind, who misperceived which act as what) and the runs whose chain began with it. */
export interface MisperceptionCause {
  kind: string;
  observer: string;
  act: string;
  perceived: string | null;
  runs: number;
  share: number;
}

export interface RunReport extends ReportHead {
  /** With parameter draws (`--epistemic N`): each outcome's parameter-uncertainty band. */
  epistemic?: EpistemicRunReport;
  runs: number;
  interventions: string[];
  ladder: { rung: number; id: string; name: string; mid: number }[];
  exceedance: { rung: number; id: string; p: number; ci95: [number, number] }[];
  outcomes: Record<(typeof OUTCOMES)[number], { p: number; ci95: [number, number] }>;
  paths: { events: string[]; count: number; share: number }[];
  misperception: {
    threshold: string;
    share: number;
    ci95: [number, number];
    runs: number;
    war: { share: number; ci95: [number, number]; runs: number };
    causes: MisperceptionCause[];
  };
  peak: { rung: number; id: string; runs: number }[];
  perRun: { decisions: number; events: number; misperceptions: number; leaks: number; hours: number };
  /**
   * Contingency talks (scenarios with talks only): the share of runs in which talks took place (every
   * party took part and a round was held) and in which they leaked, overall and per talks.
   */
  talks?: {
    happened: { p: number; ci95: [number, number] };
    leaked: { p: number; ci95: [number, number] };
    byTalks: Record<
      string,
      { happened: { p: number; ci95: [number, number] }; leaked: { p: number; ci95: [number, number] } }
    >;
  };
}

/** Turns an aggregate into the report of `brink run --json` (everything but timing). */
export function summarize(
  m: Model,
  agg: Aggregate,
  meta: { seed: number; engine: string; topPaths?: number },
): RunReport {
  const n = agg.runs;
  let above = n;
  const exceedance = m.rungIds.map((id, rung) => {
    const k = above;
    above -= agg.peak[rung]!;
    return { rung, id, ...proportion(k, n) };
  });
  const outcomes = Object.fromEntries(
    OUTCOMES.map((o, k) => [o, proportion(agg.outcomes[k]!, n)]),
  ) as RunReport['outcomes'];
  const paths = Object.entries(agg.paths)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, meta.topPaths ?? 10)
    .map(([key, count]) => ({
      events: key === '' ? [] : key.split(',').map((x) => m.actIds[Number(x)]!),
      count,
      share: count / n,
    }));
  const mp = proportion(agg.lethalWithMisperception, agg.lethalRuns);
  const war = proportion(agg.warWithMisperception, agg.warRuns);
  const causes = Object.entries(agg.lethalCauses)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key, runs]) => ({
      ...causeParts(m, key),
      runs,
      share: agg.lethalRuns > 0 ? runs / agg.lethalRuns : 0,
    }));
  return {
    ...reportHead(m.id, m.hash, meta.engine, meta.seed),
    runs: n,
    interventions: m.interventions,
    ladder: m.rungIds.map((id, rung) => ({ rung, id, name: m.rungNames[rung]!, mid: m.rungMid[rung]! })),
    exceedance,
    outcomes,
    paths,
    misperception: {
      threshold: m.rungIds[m.lethalRung] ?? 'none',
      share: mp.p,
      ci95: mp.ci95,
      runs: agg.lethalRuns,
      war: { share: war.p, ci95: war.ci95, runs: agg.warRuns },
      causes,
    },
    peak: m.rungIds.map((id, rung) => ({ rung, id, runs: agg.peak[rung]! })),
    perRun: {
      decisions: n ? agg.decisions / n : 0,
      events: n ? agg.events / n : 0,
      misperceptions: n ? agg.misperceptions / n : 0,
      leaks: n ? agg.leaks / n : 0,
      hours: n ? (agg.endTicks / n) * m.tickHours : 0,
    },
    ...(m.talks.length > 0
      ? {
          talks: {
            happened: proportion(agg.talksHappened, n),
            leaked: proportion(agg.talksLeaked, n),
            byTalks: Object.fromEntries(
              m.talks.map((t, k) => [
                t.id,
                {
                  happened: proportion(agg.byTalks[k]!.happened, n),
                  leaked: proportion(agg.byTalks[k]!.leaked, n),
                },
              ]),
            ),
          },
        }
      : {}),
  };
}
