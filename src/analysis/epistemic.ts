// Second-order Monte Carlo: every number with its parameter-uncertainty band. The outer loop draws the
// uncertain parameters of a scenario (a seeded Latin hypercube over their quantiles: each parameter's
// range cut into N equal-probability strata, one draw in each); the inner loop runs each draw's model
// on runs 0..M-1 of the analysis's seed, so every draw meets the same random worlds (common random
// numbers) and the spread across draws is the parameters', not the dice's. A draw is a design point
// (src/analysis/points.ts): its tasks run on any executor and merge as integer counts, so the report is
// the same on 1 or 2 worker threads and over the Redis queue. Decision record 0019.
//
// Two intervals, never to be confused: the Monte Carlo interval (Wilson, Newcombe) says how well M runs
// pin down P at fixed parameters; the parameter-uncertainty band (5th to 95th percentile across draws)
// says how much P moves when the judged and estimated numbers move within their distributions.
import { randomStream } from '../engine/rng.ts';
import { OUTCOMES } from '../engine/run.ts';
import { wilson } from '../engine/stats.ts';
import { getIn } from '../scenario/merge.ts';
import { gammaQuantile, type Path, sumGroup } from '../scenario/params.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { CompareReport } from './compare.ts';
import { compileAt, type ParamTarget, uncertainTargets, valueAt } from './design.ts';
import { hitsOf } from './kernel/task.ts';
import { type MetricDef, metric, metricDef } from './metrics.ts';
import { PlanJob, type Point, type PointJob, type PointPlan } from './points.ts';
import { percentileSorted, sig } from './stats.ts';

/** The design of the parameter draws (the only one so far). */
export const EPISTEMIC_DESIGN = 'latin-hypercube';
/** The key of the design's random stream (apart from every engine stream and the bootstraps'). */
const DESIGN_KEY = 0xe915;
/** At most this many parameter draws. */
export const MAX_DRAWS = 5000;

/** Words for the two intervals, the same in every report (CLI, HTML, workbench). */
export const INTERVAL_WORDS = {
  monteCarlo:
    'Monte Carlo interval: how precisely the runs pin down the probability with every parameter at its nominal value (95%)',
  band: 'parameter-uncertainty band: where the probability lies across draws of the uncertain parameters (5th to 95th percentile)',
} as const;

/**
 * N rows of k coordinates in (0, 1): a Latin hypercube (McKay, Beckman & Conover 1979): in each
 * column, one point in each of the N strata [i/N, (i+1)/N), in a random order, at a random place.
 */
export function latinHypercube(random: () => number, n: number, k: number): Float64Array[] {
  const rows = Array.from({ length: n }, () => new Float64Array(k));
  const perm = new Int32Array(n);
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    for (let i = 0; i < n; i++) rows[i]![c] = (perm[i]! + random()) / n;
  }
  return rows;
}

/** The median, the 5-95% band and the mean of some values. */
export interface Band {
  median: number;
  band90: [number, number];
  mean: number;
}

/**
 * The Dirichlet tables among some targets: a table that sums to 1 (outcomes, responses, intent priors,
 * expectations) whose every entry is drawn and is `{beta: [a_i, A - a_i]}` with one A is Dirichlet(a)
 * (its marginals are those betas). Each entry of such a table gets its shape a_i (the others null):
 * drawn as Gamma(a_i, 1) and normalised, the table is an exact Dirichlet draw.
 */
export function dirichletShapes(doc: Scenario, targets: readonly ParamTarget[]): (number | null)[] {
  const out: (number | null)[] = targets.map(() => null);
  const groups = new Map<string, number[]>();
  targets.forEach((t, i) => {
    const g = sumGroup(t.path);
    if (!g || !t.dist || !('beta' in t.dist)) return;
    const key = pathKey(g.table);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  for (const [key, members] of groups) {
    const table = getIn(doc, JSON.parse(key) as Path);
    if (typeof table !== 'object' || table === null) continue;
    if (Object.keys(table).length !== members.length || members.length < 2) continue;
    const shapes = members.map((i) => (targets[i]!.dist as { beta: [number, number] }).beta);
    const total = shapes[0]![0] + shapes[0]![1];
    if (shapes.some(([a, b]) => Math.abs(a + b - total) > 1e-9 * total)) continue;
    members.forEach((i, k) => {
      out[i] = shapes[k]![0];
    });
  }
  return out;
}

/** The band of a list of values (sorted in place). */
export function bandOf(values: number[]): Band {
  values.sort((a, b) => a - b);
  const mean = values.reduce((s, x) => s + x, 0) / Math.max(1, values.length);
  return {
    median: sig(percentileSorted(values, 0.5)),
    band90: [sig(percentileSorted(values, 0.05)), sig(percentileSorted(values, 0.95))],
    mean: sig(mean),
  };
}

const pathKey = (p: Path) => JSON.stringify(p);

/**
 * The parameter draws of an analysis: the uncertain parameters of its documents (the union, in the
 * order met: a parameter an intervention brings, such as the leak multiplier of talks, is drawn too)
 * minus those the analysis sets itself, and a Latin hypercube of `draws` rows over their quantiles.
 * Each document maps a row through its own distributions, so an intervention that narrows a
 * distribution narrows it in its arm only, at the same quantile.
 */
export class EpistemicDesign {
  /** The parameters drawn, one column each (named by formatted path). */
  readonly parameters: ParamTarget[];
  readonly rows: Float64Array[];
  readonly #columns = new Map<string, number>();
  readonly #targets = new WeakMap<
    Scenario,
    { targets: ParamTarget[]; columns: number[]; gamma: (number | null)[] }
  >();

  constructor(docs: readonly Scenario[], draws: number, seed: number, exclude: readonly Path[] = []) {
    if (!Number.isSafeInteger(draws) || draws < 2 || draws > MAX_DRAWS)
      throw new RangeError(
        `--epistemic: the number of parameter draws must be 2..${MAX_DRAWS}, got ${draws}`,
      );
    const skip = new Set(exclude.map(pathKey));
    const parameters: ParamTarget[] = [];
    for (const d of docs)
      for (const t of uncertainTargets(d)) {
        const key = pathKey(t.path);
        if (skip.has(key) || this.#columns.has(key)) continue;
        this.#columns.set(key, parameters.length);
        parameters.push(t);
      }
    if (parameters.length === 0)
      throw new RangeError(
        '--epistemic: this scenario has no uncertain parameters to draw (give numbers distributions such as {triangular: [lo, mode, hi], value: x})',
      );
    this.parameters = parameters;
    this.rows = latinHypercube(randomStream(seed, DESIGN_KEY), draws, parameters.length);
  }

  get draws(): number {
    return this.rows.length;
  }

  #of(doc: Scenario) {
    let e = this.#targets.get(doc);
    if (!e) {
      const targets: ParamTarget[] = [];
      const columns: number[] = [];
      for (const t of uncertainTargets(doc)) {
        const c = this.#columns.get(pathKey(t.path));
        if (c === undefined) continue;
        targets.push(t);
        columns.push(c);
      }
      e = { targets, columns, gamma: dirichletShapes(doc, targets) };
      this.#targets.set(doc, e);
    }
    return e;
  }

  /** The design point of draw `d` of a document, after the analysis's own settings (`fixed`). */
  point(
    doc: Scenario,
    meta: { hash: string; interventions: string[] },
    d: number,
    fixed: { targets: readonly ParamTarget[]; values: readonly number[] } = { targets: [], values: [] },
  ): Point {
    const { targets, columns, gamma } = this.#of(doc);
    const row = this.rows[d]!;
    // An entry of a Dirichlet table takes a Gamma(a_i) draw; compiling normalises the table.
    const value = (t: ParamTarget, i: number) => {
      const u = row[columns[i]!]!;
      const a = gamma[i];
      return a === null || a === undefined ? valueAt(t, u) : gammaQuantile(a, u);
    };
    return {
      doc,
      meta,
      targets: [...fixed.targets, ...targets],
      values: [...fixed.values, ...targets.map(value)],
    };
  }

  /** The columns of the parameters a document has. */
  columnsOf(doc: Scenario): readonly number[] {
    return this.#of(doc).columns;
  }

  /** The quantile of parameter `c` at draw `d` (what importance is computed on). */
  u(d: number, c: number): number {
    return this.rows[d]![c]!;
  }

  /** What a report says about the design. */
  summary(runsPerDraw: number) {
    return {
      draws: this.draws,
      design: EPISTEMIC_DESIGN,
      runsPerDraw,
      parameters: this.parameters.length,
      interval: INTERVAL_WORDS.band,
    };
  }
}

/** The outcome metrics of a run's band: each outcome, and war or worse. */
export function outcomeMetrics(probe: Parameters<typeof metric>[0]): MetricDef[] {
  return [...OUTCOMES, 'warOrWorse'].map((s) => metricDef(metric(probe, s)));
}

/** The band of a metric across draws, and the share of its variance that the runs' noise explains. */
export interface OutcomeBand extends Band {
  /**
   * Mean binomial variance of one draw's estimate over the variance across draws: near 0, the band is
   * the parameters'; near 1, more runs per draw are needed to see it.
   */
  noiseShare: number;
}

function outcomeBand(ps: number[], runs: number): OutcomeBand {
  const mean = ps.reduce((s, x) => s + x, 0) / ps.length;
  const v = ps.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, ps.length - 1);
  const noise = ps.reduce((s, x) => s + (x * (1 - x)) / runs, 0) / ps.length;
  return { ...bandOf(ps), noiseShare: v > 0 ? sig(Math.min(1, noise / v), 3) : noise > 0 ? 1 : 0 };
}

export interface EpistemicRunReport extends ReturnType<EpistemicDesign['summary']> {
  /** Per outcome (war, nuclearUse, resolved, horizon, warOrWorse): its parameter-uncertainty band. */
  outcomes: Record<string, OutcomeBand>;
  /** The parameters drawn. */
  drawn: { path: string; distribution: unknown; source: string | null }[];
}

const drawnOf = (d: EpistemicDesign) =>
  d.parameters.map((t) => ({ path: t.name, distribution: t.dist ?? null, source: t.source ?? null }));

type Meta = { hash: string; interventions: string[]; engine: string };

function* runPlan(
  doc: Scenario,
  meta: Meta,
  opts: { seed: number; runs: number; draws: number },
): PointPlan<EpistemicRunReport> {
  const design = new EpistemicDesign([doc], opts.draws, opts.seed);
  const m = { hash: meta.hash, interventions: meta.interventions };
  const first = design.point(doc, m, 0);
  const ms = outcomeMetrics(compileAt(doc, first.targets, first.values, m));
  const tallies = yield Array.from({ length: design.draws }, (_, d) => ({
    settings: [design.point(doc, m, d)],
    seed: opts.seed,
    runs: opts.runs,
    metrics: ms,
    perRun: false,
  }));
  const outcomes: Record<string, OutcomeBand> = {};
  ms.forEach((x, k) => {
    outcomes[x.id] = outcomeBand(
      tallies.map((t) => hitsOf(t.counts[k]!) / opts.runs),
      opts.runs,
    );
  });
  return { ...design.summary(opts.runs), outcomes, drawn: drawnOf(design) };
}

/**
 * The parameter-uncertainty band of a run (`brink run --epistemic N`): N draws of the scenario's
 * uncertain parameters, `runs` runs of each on common random numbers. `doc` has its interventions
 * applied.
 */
export function openEpistemicRun(
  doc: Scenario,
  meta: Meta,
  opts: { seed: number; runs: number; draws: number },
  checkpoint?: string,
): PlanJob<EpistemicRunReport> {
  return new PlanJob(runPlan(doc, meta, opts), { engine: meta.engine, total: opts.draws }, checkpoint);
}

/** How much one parameter's uncertainty matters to the decision to adopt an intervention. */
export interface ParameterImportance {
  path: string;
  /**
   * Expected value of partial perfect information: how much lower, in points of probability, the
   * metric would be on average if this parameter were known before deciding (0: knowing it would never
   * change the decision).
   */
  importance: number;
  /**
   * Sobol first-order index of the paired difference: the share of its variance across draws this
   * parameter explains alone (binned, less what bins of pure noise would explain).
   */
  firstOrder: number;
}

/**
 * EVPPI and first-order indices from one sample of draws ("given data"): the draws sorted by the
 * parameter, cut into about sqrt(N) bins of equal size; within a bin the parameter is nearly known
 * (Sadatsafavi et al. 2013, Value in Health 16: 438; Strong & Oakley 2013, Med Decis Making 33: 755).
 * The decision adopts the intervention when the mean paired difference d (alt - baseline) is below 0.
 */
export function importanceOf(
  d: readonly number[],
  u: (draw: number) => number,
): { evppi: number; first: number } {
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const total = d.reduce((s, x) => s + (x - mean) ** 2, 0);
  const order = Array.from({ length: n }, (_, j) => j).sort((a, b) => u(a) - u(b) || a - b);
  const bins = Math.max(1, Math.round(Math.sqrt(n)));
  let gain = 0;
  let between = 0;
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((n * b) / bins);
    const to = Math.floor((n * (b + 1)) / bins);
    if (to <= from) continue;
    let s = 0;
    for (let i = from; i < to; i++) s += d[order[i]!]!;
    const m = s / (to - from);
    gain += (to - from) * Math.max(0, -m);
    between += (to - from) * (m - mean) ** 2;
  }
  // Bin means of pure noise explain (bins - 1) / (n - 1) of the variance on average: take that off.
  const floor = (bins - 1) / Math.max(1, n - 1);
  const raw = total > 0 ? between / total : 0;
  return {
    evppi: Math.max(0, gain / n - Math.max(0, -mean)),
    first: floor < 1 ? Math.max(0, (raw - floor) / (1 - floor)) : 0,
  };
}

/** The epistemic part of one comparison. */
export interface EpistemicComparison {
  metric: { id: string; label: string };
  /** P(the intervention lowers the metric): the share of draws whose paired difference is below 0, Wilson 95% over draws. */
  pHelps: { p: number; ci95: [number, number] };
  /** The paired difference alt - baseline across draws, per metric. */
  d: Record<string, Band>;
  /** Every parameter drawn in the baseline or this arm, most important to the decision first. */
  parameters: ParameterImportance[];
}

export interface EpistemicCompareReport extends ReturnType<EpistemicDesign['summary']> {
  drawn: EpistemicRunReport['drawn'];
  /** Per arm, in the order given. */
  comparisons: ({ with: string } & EpistemicComparison)[];
}

/** A document and the name of its model, for a comparison's arms. */
export interface EpistemicArm {
  label: string;
  doc: Scenario;
  interventions: string[];
}

function* comparePlan(
  base: Scenario,
  arms: readonly EpistemicArm[],
  meta: { hash: string; engine: string },
  opts: { seed: number; runs: number; draws: number; metric?: string },
): PointPlan<EpistemicCompareReport> {
  const design = new EpistemicDesign([base, ...arms.map((a) => a.doc)], opts.draws, opts.seed);
  const bm = { hash: meta.hash, interventions: [] as string[] };
  const probeAt = design.point(base, bm, 0);
  const probe = compileAt(base, probeAt.targets, probeAt.values, bm);
  const main = opts.metric ?? 'warOrWorse';
  const ids = [main, ...['warOrWorse', 'war', 'nuclearUse'].filter((x) => x !== main)];
  const ms = ids.map((s) => metricDef(metric(probe, s)));
  // Draw-major, so that a thread's cache keeps draw d's baseline while it runs every arm of it.
  const jobs: PointJob[] = [];
  for (let d = 0; d < design.draws; d++)
    for (const a of arms)
      jobs.push({
        settings: [
          design.point(base, bm, d),
          design.point(a.doc, { hash: meta.hash, interventions: a.interventions }, d),
        ],
        seed: opts.seed,
        runs: opts.runs,
        metrics: ms,
        perRun: false,
      });
  const tallies = yield jobs;
  const comparisons = arms.map((a, ai) => {
    const diffs = ms.map((_, k) =>
      Array.from({ length: design.draws }, (_, d) => {
        const c = tallies[d * arms.length + ai]!.counts[k]!;
        return (hitsOf(c, 1) - hitsOf(c, 0)) / opts.runs;
      }),
    );
    const dMain = diffs[0]!;
    const helps = dMain.filter((x) => x < 0).length;
    const ci = wilson(helps, design.draws);
    // The parameters of this comparison's two documents (another arm's talks are not this arm's).
    const own = new Set([...design.columnsOf(base), ...design.columnsOf(a.doc)]);
    const parameters = design.parameters
      .map((t, c) => ({ t, c }))
      .filter(({ c }) => own.has(c))
      .map(({ t, c }) => {
        const { evppi, first } = importanceOf(dMain, (d) => design.u(d, c));
        // Below 1e-9 (rounding of a decision no draw flips) is no value at all.
        return { path: t.name, importance: sig(Math.round(evppi * 1e9) / 1e9, 4), firstOrder: sig(first, 3) };
      })
      .sort(
        (x, y) => y.importance - x.importance || y.firstOrder - x.firstOrder || (x.path < y.path ? -1 : 1),
      );
    const d: Record<string, Band> = {};
    ms.forEach((x, k) => {
      d[x.id] = bandOf(diffs[k]!.slice());
    });
    return {
      with: a.label,
      metric: { id: ms[0]!.id, label: ms[0]!.label },
      pHelps: { p: sig(helps / design.draws), ci95: [sig(ci[0]), sig(ci[1])] as [number, number] },
      d,
      parameters,
    };
  });
  return { ...design.summary(opts.runs), drawn: drawnOf(design), comparisons };
}

/**
 * The epistemic part of a comparison (`brink compare --epistemic N`): at each of N parameter draws,
 * the baseline and each arm paired on `runs` common random numbers; P(the arm lowers the metric)
 * across draws and each parameter's EVPPI for that decision.
 */
export function openEpistemicCompare(
  base: Scenario,
  arms: readonly EpistemicArm[],
  meta: { hash: string; engine: string },
  opts: { seed: number; runs: number; draws: number; metric?: string },
  checkpoint?: string,
): PlanJob<EpistemicCompareReport> {
  return new PlanJob(
    comparePlan(base, arms, meta, opts),
    { engine: meta.engine, total: opts.draws * arms.length },
    checkpoint,
  );
}

/**
 * The comparison report with each comparison's epistemic part (`comparisons[i].epistemic`) and the
 * design (`parameterDraws`); unchanged without one.
 */
export function withEpistemic(r: CompareReport, e: EpistemicCompareReport | null): CompareReport {
  if (!e) return r;
  const { comparisons, ...design } = e;
  return {
    ...r,
    parameterDraws: design,
    comparisons: r.comparisons.map((c, i) => {
      const { with: _w, ...x } = comparisons[i]!;
      return { ...c, epistemic: x };
    }),
  };
}
