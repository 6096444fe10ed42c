// Sensitivity of a metric (default P(war or worse)) to every uncertain parameter of a scenario.
//
// One at a time (tornado): each parameter at its low and high quantile, the others at their nominal
// values, on common random numbers, with the paired difference high - low and its Newcombe interval.
//
// Variance-based (Sobol): the model output is Y(theta) = P(metric | theta), estimated at each design
// point from M runs on common random numbers (runs 0..M-1 of one seed at every point, so that the
// differences the estimators use are not swamped by Monte Carlo noise). Design of Saltelli et al. 2010
// (Computer Physics Communications 181): matrices A and B of N rows and A_B^(i) (A with column i from
// B); first-order indices by Saltelli 2010's estimator, total indices by Jansen's (1999); 95% intervals
// by bootstrap over the rows.
//
// Two stages (screening, then variance-based: Saltelli et al. 2008, Global Sensitivity Analysis: The
// Primer, ch. 3; Campolongo, Cariboni & Saltelli 2007): with `sobolTop` K, the Sobol design varies only
// the K parameters whose tornado bars swing most (|P(high) - P(low)|, from the integer counts of the
// paired runs), the others held at their nominal values. A Saltelli design costs N (k + 2) points, so on
// a library with hundreds of uncertain parameters this is what makes it affordable, and N = 32 rows
// cannot resolve hundreds of indices anyway. The indices are then conditional on the others at nominal:
// shares of the variance when only these K vary.
import { randomStream } from '../engine/rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, type ParamTarget, uncertainTargets, uniformMatrix, valueAt } from './design.ts';
import { type AnalysisJob, executeSync } from './kernel/executor.ts';
import {
  hitsOf,
  type PointTally,
  type PointTask,
  pairedTable,
  pointEvaluator,
  type RunRange,
  ranges,
  type Task,
} from './kernel/task.ts';
import { type MetricDef, metric, metricDef } from './metrics.ts';
import { SOBOL_TOP } from './options.ts';
import { DocSources, type Point } from './points.ts';
import { type ReportHead, reportHead } from './report-head.ts';
import { pairedDifferenceCi, percentile95, sig } from './stats.ts';

export interface SensitivityOptions {
  seed: number;
  /** Metric (default warOrWorse). */
  metric?: string;
  /** Runs at each tornado end (default 5000). */
  tornadoRuns?: number;
  /** Quantiles of the tornado ends (default 0.05 and 0.95). */
  quantiles?: [number, number];
  /** Sobol base sample size N (default 32; 0 skips Sobol). */
  samples?: number;
  /** Runs per Sobol design point M (default 500). */
  runs?: number;
  /** Bootstrap replicates of the Sobol intervals (default 500). */
  bootstrap?: number;
  /** Only these parameters (by formatted path); default all. */
  only?: string[];
  /**
   * Sobol design over the K parameters with the largest tornado swing, the others at nominal (default
   * SOBOL_TOP; 0, or K at least the number of parameters: all of them, no screening).
   */
  sobolTop?: number;
  onProgress?: (done: number, total: number, phase: 'tornado' | 'sobol') => void;
}

export interface TornadoBar {
  path: string;
  low: { value: number; p: number };
  high: { value: number; p: number };
  /** P(high) - P(low), paired, with its 95% interval. */
  d: number;
  ci95: [number, number];
}

export interface SobolIndex {
  path: string;
  first: number;
  firstCi95: [number, number];
  total: number;
  totalCi95: [number, number];
}

/** The parameters a Sobol design varied, and why (stage 2 of a two-stage sensitivity analysis). */
export interface SobolScreening {
  /** The K asked for (`sobolTop`; 0: every parameter). */
  top: number;
  /**
   * `all`: every uncertain parameter varied; `tornado-swing`: the `top` with the largest tornado swing
   * |P(high) - P(low)| (ties by path), the others held at their nominal values.
   */
  by: 'all' | 'tornado-swing';
  /** The parameters varied, in tornado rank order (largest swing first). */
  parameters: string[];
  /** Uncertain parameters held at their nominal values at every Sobol design point. */
  heldAtNominal: number;
}

export interface SensitivityReport extends ReportHead {
  interventions: string[];
  metric: { id: string; label: string };
  nominal: { p: number; runs: number };
  params: { path: string; distribution: unknown; nominal: number; source: string | null }[];
  tornado: { runs: number; quantiles: [number, number]; bars: TornadoBar[] };
  sobol: {
    samples: number;
    runsPerPoint: number;
    designPoints: number;
    /** Variance of Y over the design, and the mean binomial noise variance of one Y (its upper bound). */
    varianceY: number;
    noiseVariance: number;
    bootstrap: number;
    /** Which parameters the design varied (absent in reports stored before screening existed: all). */
    screening?: SobolScreening;
    indices: SobolIndex[];
  } | null;
}

/**
 * Sobol first-order (Saltelli et al. 2010) and total (Jansen 1999) indices from the outputs of a
 * Saltelli design: f(A), f(B) and f(A_B^(i)) for each input i, N rows each; 95% intervals by a
 * bootstrap over rows (`nBoot` replicates drawn from `random`).
 */
export function sobolIndices(
  fA: ArrayLike<number>,
  fB: ArrayLike<number>,
  fAB: ArrayLike<number>[],
  nBoot: number,
  random: () => number,
): { first: number; total: number; firstCi95: [number, number]; totalCi95: [number, number] }[] {
  const N = fA.length;
  const k = fAB.length;
  const indicesOf = (rows: ArrayLike<number>) => {
    const n = rows.length;
    let s = 0;
    let s2 = 0;
    for (let r = 0; r < n; r++) {
      const j = rows[r]!;
      s += fA[j]! + fB[j]!;
      s2 += fA[j]! ** 2 + fB[j]! ** 2;
    }
    const mean = s / (2 * n);
    const v = s2 / (2 * n) - mean * mean;
    const out: [number, number][] = [];
    for (let i = 0; i < k; i++) {
      let first = 0;
      let tot = 0;
      for (let r = 0; r < n; r++) {
        const j = rows[r]!;
        first += fB[j]! * (fAB[i]![j]! - fA[j]!);
        tot += (fA[j]! - fAB[i]![j]!) ** 2;
      }
      out.push(v > 0 ? [first / n / v, tot / (2 * n) / v] : [0, 0]);
    }
    return out;
  };
  const point = indicesOf(Int32Array.from({ length: N }, (_, j) => j));
  const firsts: number[][] = Array.from({ length: k }, () => []);
  const totals: number[][] = Array.from({ length: k }, () => []);
  const rows = new Int32Array(N);
  for (let b = 0; b < nBoot; b++) {
    for (let r = 0; r < N; r++) rows[r] = Math.floor(random() * N);
    indicesOf(rows).forEach(([f, t], i) => {
      firsts[i]!.push(f);
      totals[i]!.push(t);
    });
  }
  return point.map(([first, total], i) => ({
    first,
    total,
    firstCi95: nBoot > 0 ? percentile95(firsts[i]!) : [first, first],
    totalCi95: nBoot > 0 ? percentile95(totals[i]!) : [total, total],
  }));
}

/**
 * The counts of a sensitivity analysis after some of its design points: integer counts only, so it can
 * be checkpointed as JSON and resumed to exactly the numbers of an uninterrupted analysis.
 */
export interface SensitivityState {
  /** The design point in progress: 0 nominal, 1..k tornado bars (both ends), then the Sobol points. */
  point: number;
  /** Runs done in that point. */
  runInPoint: number;
  /** Hits of the nominal point. */
  nominal: number;
  /** Per tornado bar, the paired 2x2 table [both, low only, high only, neither] (partial for the bar in progress). */
  tornado: number[][];
  /** Hits at each Sobol design point, in design order (A_j, B_j, A_B^(1..K)_j for j = 0..N-1). */
  sobol: number[];
  /** Engine runs done in total. */
  doneRuns: number;
}

/**
 * A sensitivity analysis as an analysis job: point tasks over run ranges of its design points (the
 * nominal, the tornado bars, the Sobol points), merged in design order into the state by `absorb`;
 * `report()` computes the tornado and the Sobol indices from the counts. A slice (`units`) stays within
 * one design point, so it compiles at most one model. Each run's numbers depend only on (seed, run
 * index), so any slicing and any executor give the same report. When the Sobol design is screened
 * (`sobolTop` below the number of parameters), its points depend on the tornado's counts: `next` plans
 * the tornado first and the Sobol points only once every tornado count is in.
 */
export class SensitivityJob implements AnalysisJob<SensitivityReport> {
  readonly targets: ParamTarget[];
  readonly state: SensitivityState;
  /** Engine runs the whole analysis needs. */
  readonly totalRuns: number;
  private readonly doc: Scenario;
  private readonly meta: { hash: string; interventions: string[]; engine: string };
  private readonly opts: SensitivityOptions;
  private readonly nominalValues: number[];
  private readonly m: MetricDef;
  private readonly qLo: number;
  private readonly qHi: number;
  private readonly tRuns: number;
  private readonly N: number;
  private readonly M: number;
  /** Parameters in the Sobol design (K <= k). */
  private readonly K: number;
  /** Indices into `targets` of the Sobol design's parameters, in document order (once the tornado is done). */
  private selected: number[] | undefined;
  private readonly A: Float64Array[];
  private readonly B: Float64Array[];
  private readonly docs = new DocSources(pointEvaluator());

  constructor(
    doc: Scenario,
    meta: { hash: string; interventions: string[]; engine: string },
    opts: SensitivityOptions,
    checkpoint?: string,
  ) {
    const state = checkpoint ? (JSON.parse(checkpoint) as SensitivityState) : undefined;
    let targets: ParamTarget[] = uncertainTargets(doc);
    if (opts.only?.length) {
      const unknown = opts.only.filter((p) => !targets.some((t) => t.name === p));
      if (unknown.length)
        throw new RangeError(
          `not an uncertain parameter of this scenario: ${unknown.join(', ')}; uncertain: ${targets.map((t) => t.name).join(', ')}`,
        );
      targets = targets.filter((t) => opts.only!.includes(t.name));
    }
    if (targets.length === 0)
      throw new RangeError(
        'this scenario has no uncertain parameters (distributions such as {triangular: [lo, mode, hi], value: x})',
      );
    this.targets = targets;
    this.doc = doc;
    this.meta = meta;
    this.opts = opts;
    const k = targets.length;
    this.nominalValues = targets.map((t) => t.nominal);
    const base = compileAt(doc, targets, this.nominalValues, meta);
    this.m = metricDef(metric(base, opts.metric ?? 'warOrWorse'));
    [this.qLo, this.qHi] = opts.quantiles ?? [0.05, 0.95];
    this.tRuns = opts.tornadoRuns ?? 5000;
    this.N = opts.samples ?? 32;
    this.M = opts.runs ?? 500;
    const top = opts.sobolTop ?? SOBOL_TOP;
    if (!Number.isSafeInteger(top) || top < 0)
      throw new RangeError(`sobolTop: expected a whole number >= 0 (0: every parameter), not ${top}`);
    const K = top === 0 || top >= k ? k : top;
    this.K = K;
    if (K === k) this.selected = targets.map((_, i) => i);
    // The matrices have one column per Sobol parameter (in document order), so a screened design is
    // the design `only` those parameters would give.
    const rnd = randomStream(opts.seed, 0x50b0);
    this.A = this.N > 0 ? uniformMatrix(rnd, this.N, K) : [];
    this.B = this.N > 0 ? uniformMatrix(rnd, this.N, K) : [];
    this.totalRuns = this.tRuns * (1 + 2 * k) + this.N * (K + 2) * this.M;
    this.state = state ?? {
      point: 0,
      runInPoint: 0,
      nominal: 0,
      tornado: targets.map(() => [0, 0, 0, 0]),
      sobol: new Array<number>(this.N * (K + 2)).fill(0),
      doneRuns: 0,
    };
    if (this.state.tornado.length !== k || this.state.sobol.length !== this.N * (K + 2))
      throw new RangeError('the saved sensitivity state does not match this design');
    // The nominal model is compiled already: keep it for the first point.
    pointEvaluator().prime(this.docs.setting(this.settingsOf(0)[0]!), base);
  }

  /** Design points: the nominal, one per tornado bar, then the Sobol points. */
  get points(): number {
    return 1 + this.targets.length + this.N * (this.K + 2);
  }

  /**
   * The tornado's ranking: indices into `targets`, the largest swing |P(high) - P(low)| first (from the
   * integer counts of the paired runs, so it is exact and the same on any executor), ties by path.
   */
  private ranking(): number[] {
    const swing = this.state.tornado.map((t) => Math.abs(t[2]! - t[1]!));
    const name = (i: number) => this.targets[i]!.name;
    return this.targets
      .map((_, i) => i)
      .sort((a, b) => swing[b]! - swing[a]! || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  }

  /** The Sobol design's parameters (indices into `targets`, document order); needs the whole tornado. */
  private sobolParams(): number[] {
    if (this.selected) return this.selected;
    if (this.state.point <= this.targets.length)
      throw new Error('sensitivity: the Sobol parameters are chosen once the tornado is done');
    this.selected = this.ranking()
      .slice(0, this.K)
      .sort((a, b) => a - b);
    return this.selected;
  }

  get finished(): boolean {
    return this.state.point >= this.points;
  }

  get total(): number {
    return this.totalRuns;
  }

  /** Engine runs done. */
  done(): number {
    return this.state.doneRuns;
  }

  checkpoint(): string {
    return JSON.stringify(this.state);
  }

  /** The parameter values of Sobol design point `i` (A_j, B_j, then A_B^(i)_j), one per Sobol parameter. */
  private sobolValues(i: number): number[] {
    const K = this.K;
    const j = Math.floor(i / (K + 2));
    const r = i % (K + 2);
    let u: Float64Array;
    if (r === 0) u = this.A[j]!;
    else if (r === 1) u = this.B[j]!;
    else {
      u = this.A[j]!.slice();
      u[r - 2] = this.B[j]![r - 2]!;
    }
    return this.sobolParams().map((t, c) => valueAt(this.targets[t]!, u[c]!));
  }

  /** The settings of design point `point`: one model, or a tornado bar's low and high ends (paired). */
  settingsOf(point: number): Point[] {
    const k = this.targets.length;
    const at = (values: number[], targets = this.targets): Point => ({
      doc: this.doc,
      meta: { hash: this.meta.hash, interventions: this.meta.interventions },
      targets,
      values,
    });
    if (point === 0) return [at(this.nominalValues)];
    if (point <= k) {
      const i = point - 1;
      const lo = this.nominalValues.slice();
      const hi = this.nominalValues.slice();
      lo[i] = valueAt(this.targets[i]!, this.qLo);
      hi[i] = valueAt(this.targets[i]!, this.qHi);
      return [at(lo), at(hi)];
    }
    // The parameters outside the design are not set: they keep the document's (nominal) values.
    const targets = this.K === k ? this.targets : this.sobolParams().map((i) => this.targets[i]!);
    return [at(this.sobolValues(point - 1 - k), targets)];
  }

  /** Runs of each model at design point `point`. */
  runsAt(point: number): number {
    return point <= this.targets.length ? this.tRuns : this.M;
  }

  /** The task of runs [start, start + count) of design point `point`. */
  task(point: number, range: RunRange): PointTask {
    return {
      kind: 'point',
      settings: this.settingsOf(point).map((p) => this.docs.setting(p)),
      metrics: [this.m],
      perRun: false,
      seed: this.opts.seed,
      start: range.start,
      count: range.count,
      engine: this.meta.engine,
    };
  }

  /**
   * Merges the tally of the next run range of the point in progress into the state (tasks must come
   * in order: the state is always a prefix of the design, so it can be checkpointed at any time).
   */
  absorb(task: Task, result: unknown): void {
    const st = this.state;
    if (task.kind !== 'point') throw new Error('sensitivity: not a point task');
    const tally = result as PointTally;
    if (task.start !== st.runInPoint) throw new Error(`sensitivity: range ${task.start} out of order`);
    const k = this.targets.length;
    const point = st.point;
    const counts = tally.counts[0]!;
    if (point === 0) st.nominal += hitsOf(counts);
    else if (point <= k) {
      const tab = st.tornado[point - 1]!;
      pairedTable(counts).forEach((c, i) => {
        tab[i]! += c;
      });
    } else st.sobol[point - 1 - k]! += hitsOf(counts);
    st.runInPoint += task.count;
    st.doneRuns += task.count * task.settings.length;
    if (st.runInPoint >= this.runsAt(point)) {
      st.point++;
      st.runInPoint = 0;
    }
  }

  /**
   * The tasks of the rest of the design in design order: about 8 per worker over the whole design, but
   * no range under MIN_RANGE runs (a worker compiles each point it is handed); or, for a slice of
   * `units` engine runs, one task within the point in progress (at least one run index). A screened
   * design is planned in two stages: the nominal and the tornado, then (asked again once their counts
   * are in) the Sobol points.
   */
  next(sizing: { parallelism: number; units?: number }): Task[] {
    const st = this.state;
    if (this.finished) return [];
    if (sizing.units !== undefined) {
      const point = st.point;
      const perIndex = point === 0 || point > this.targets.length ? 1 : 2;
      const n = Math.max(
        1,
        Math.min(this.runsAt(point) - st.runInPoint, Math.floor(sizing.units / perIndex)),
      );
      return [this.task(point, { start: st.runInPoint, count: n })];
    }
    const k = this.targets.length;
    const end = this.selected || st.point > k ? this.points : 1 + k;
    let remaining = 0;
    for (let p = st.point; p < end; p++) remaining += this.runsAt(p) - (p === st.point ? st.runInPoint : 0);
    const size = Math.max(MIN_RANGE, Math.ceil(remaining / (8 * sizing.parallelism)));
    const tasks: PointTask[] = [];
    for (let p = st.point; p < end; p++) {
      const from = p === st.point ? st.runInPoint : 0;
      const to = this.runsAt(p);
      for (const r of ranges(from, to, { parts: Math.ceil((to - from) / size), minSize: MIN_RANGE }))
        tasks.push(this.task(p, r));
    }
    return tasks;
  }

  /** The tornado and Sobol indices (call when `done`). */
  report(): SensitivityReport {
    if (!this.finished) throw new Error('the sensitivity analysis is not finished');
    const st = this.state;
    const targets = this.targets;
    const k = targets.length;
    const { tRuns, N, M } = this;
    const bars: TornadoBar[] = targets.map((t, i) => {
      const tab = st.tornado[i]!;
      const ci = pairedDifferenceCi(tab[0]!, tab[1]!, tab[2]!, tab[3]!);
      const pl = (tab[0]! + tab[1]!) / tRuns;
      const ph = (tab[0]! + tab[2]!) / tRuns;
      return {
        path: t.name,
        low: { value: sig(valueAt(t, this.qLo)), p: sig(pl) },
        high: { value: sig(valueAt(t, this.qHi)), p: sig(ph) },
        d: sig(ph - pl),
        ci95: [sig(ci[0]), sig(ci[1])],
      };
    });
    bars.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || (a.path < b.path ? -1 : 1));

    let sobol: SensitivityReport['sobol'] = null;
    if (N > 0) {
      const K = this.K;
      const inDesign = this.sobolParams().map((i) => targets[i]!);
      const fA = new Float64Array(N);
      const fB = new Float64Array(N);
      const fAB = inDesign.map(() => new Float64Array(N));
      for (let j = 0; j < N; j++) {
        const o = j * (K + 2);
        fA[j] = st.sobol[o]! / M;
        fB[j] = st.sobol[o + 1]! / M;
        for (let i = 0; i < K; i++) fAB[i]![j] = st.sobol[o + 2 + i]! / M;
      }
      const nBoot = this.opts.bootstrap ?? 500;
      const est = sobolIndices(fA, fB, fAB, nBoot, randomStream(this.opts.seed, 0xb007));
      let s = 0;
      let s2 = 0;
      let noise = 0;
      for (let j = 0; j < N; j++) {
        for (const x of [fA[j]!, fB[j]!]) {
          s += x;
          s2 += x * x;
          noise += (x * (1 - x)) / M;
        }
      }
      const meanY = s / (2 * N);
      sobol = {
        samples: N,
        runsPerPoint: M,
        designPoints: N * (K + 2),
        varianceY: sig(s2 / (2 * N) - meanY * meanY),
        noiseVariance: sig(noise / (2 * N)),
        bootstrap: nBoot,
        screening: {
          top: this.opts.sobolTop ?? SOBOL_TOP,
          by: K === k ? 'all' : 'tornado-swing',
          parameters: this.ranking()
            .filter((i) => this.sobolParams().includes(i))
            .map((i) => targets[i]!.name),
          heldAtNominal: k - K,
        },
        indices: inDesign
          .map((t, i) => {
            const x = est[i]!;
            return {
              path: t.name,
              first: sig(x.first, 4),
              firstCi95: [sig(x.firstCi95[0], 4), sig(x.firstCi95[1], 4)] as [number, number],
              total: sig(x.total, 4),
              totalCi95: [sig(x.totalCi95[0], 4), sig(x.totalCi95[1], 4)] as [number, number],
            };
          })
          .sort((a, b) => b.total - a.total || (a.path < b.path ? -1 : 1)),
      };
    }
    return {
      ...reportHead(this.doc.id, this.meta.hash, this.meta.engine, this.opts.seed),
      interventions: this.meta.interventions,
      metric: { id: this.m.id, label: this.m.label },
      nominal: { p: sig(st.nominal / tRuns), runs: tRuns },
      params: targets.map((t) => ({
        path: t.name,
        distribution: t.dist ?? null,
        nominal: t.nominal,
        source: t.source ?? null,
      })),
      tornado: { runs: tRuns, quantiles: [this.qLo, this.qHi], bars },
      sobol,
    };
  }
}

/** Smallest run range of a design point handed to a runner as a task of its own. */
const MIN_RANGE = 500;

/** Tornado and Sobol indices of the metric over the document's uncertain parameters (interventions applied), on this thread. */
export function sensitivity(
  doc: Scenario,
  meta: { hash: string; interventions: string[]; engine: string },
  opts: SensitivityOptions,
): SensitivityReport {
  const job = new SensitivityJob(doc, meta, opts);
  return executeSync(job, progressOf(job, opts));
}

/** The progress of a sensitivity job as `onProgress` takes it: design points done, and the phase. */
export function progressOf(
  job: SensitivityJob,
  opts: Pick<SensitivityOptions, 'onProgress'>,
): (() => void) | undefined {
  if (!opts.onProgress) return undefined;
  let last = job.state.point;
  return () => {
    const p = job.state.point;
    if (p === last) return;
    last = p;
    opts.onProgress?.(p, job.points, p <= job.targets.length ? 'tornado' : 'sobol');
  };
}
