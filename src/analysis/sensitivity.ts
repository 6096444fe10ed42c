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
import { randomStream } from '../engine/rng.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, type ParamTarget, uncertainTargets, uniformMatrix, valueAt } from './design.ts';
import { metric, metricDef } from './metrics.ts';
import { type PointJob, type PointPlan, runPlan, runPlanOn } from './points.ts';
import { pairedDifferenceCi, percentile95, sig } from './stats.ts';
import type { TaskRunner } from './tasks.ts';

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

export interface SensitivityReport {
  scenario: { id: string; hash: string };
  engine: string;
  seed: number;
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

type SensitivityMeta = { hash: string; interventions: string[]; engine: string };

/** Sensitivity as a plan of design points (one batch: the tornado ends and the Sobol design). */
function* sensitivityPlan(
  doc: Scenario,
  meta: SensitivityMeta,
  opts: SensitivityOptions,
): PointPlan<SensitivityReport> {
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
  const k = targets.length;
  const nominal = targets.map((t) => t.nominal);
  const cm = { hash: meta.hash, interventions: meta.interventions };
  const base = compileAt(doc, targets, nominal, cm);
  const m = metricDef(metric(base, opts.metric ?? 'warOrWorse'));
  const [qLo, qHi] = opts.quantiles ?? [0.05, 0.95];
  const tRuns = opts.tornadoRuns ?? 5000;
  const N = opts.samples ?? 32;
  const M = opts.runs ?? 500;
  const total = 2 * k + 1 + (N > 0 ? N * (k + 2) : 0);
  let done = 0;
  const job = (values: number[], runs: number, perRun: boolean, phase: 'tornado' | 'sobol'): PointJob => ({
    point: { doc, meta: cm, targets, values },
    seed: opts.seed,
    runs,
    metrics: [m],
    perRun,
    done: () => opts.onProgress?.(++done, total, phase),
  });

  // One at a time: the nominal point, then each parameter at its low and high end.
  const jobs: PointJob[] = [job(nominal, tRuns, false, 'tornado')];
  const ends = targets.map((t, i) => {
    const lo = nominal.slice();
    const hi = nominal.slice();
    lo[i] = valueAt(t, qLo);
    hi[i] = valueAt(t, qHi);
    jobs.push(job(lo, tRuns, true, 'tornado'), job(hi, tRuns, true, 'tornado'));
    return { lo, hi };
  });
  // Variance-based: f(A), f(B) and f(A_B^(i)) for each row j.
  const rnd = randomStream(opts.seed, 0x50b0);
  const A = N > 0 ? uniformMatrix(rnd, N, k) : [];
  const B = N > 0 ? uniformMatrix(rnd, N, k) : [];
  const sobolFirst = jobs.length;
  const at = (u: Float64Array) => targets.map((t, i) => valueAt(t, u[i]!));
  for (let j = 0; j < N; j++) {
    jobs.push(job(at(A[j]!), M, false, 'sobol'), job(at(B[j]!), M, false, 'sobol'));
    for (let i = 0; i < k; i++) {
      const ab = A[j]!.slice();
      ab[i] = B[j]![i]!;
      jobs.push(job(at(ab), M, false, 'sobol'));
    }
  }
  const tallies = yield jobs;

  const pNominal = tallies[0]!.counts[0]! / tRuns;
  const bars: TornadoBar[] = targets.map((t, i) => {
    const low = tallies[1 + 2 * i]!;
    const high = tallies[2 + 2 * i]!;
    const lowHits = low.hits![0]!;
    const highHits = high.hits![0]!;
    const pl = low.counts[0]! / tRuns;
    const ph = high.counts[0]! / tRuns;
    const tab = [0, 0, 0, 0];
    for (let r = 0; r < tRuns; r++) tab[lowHits[r]! ? (highHits[r]! ? 0 : 1) : highHits[r]! ? 2 : 3]!++;
    const ci = pairedDifferenceCi(tab[0]!, tab[1]!, tab[2]!, tab[3]!);
    const { lo, hi } = ends[i]!;
    return {
      path: t.name,
      low: { value: sig(lo[i]!), p: sig(pl) },
      high: { value: sig(hi[i]!), p: sig(ph) },
      d: sig(ph - pl),
      ci95: [sig(ci[0]), sig(ci[1])],
    };
  });
  bars.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || (a.path < b.path ? -1 : 1));

  let sobol: SensitivityReport['sobol'] = null;
  if (N > 0) {
    const y = (q: number) => tallies[q]!.counts[0]! / M;
    const fA = new Float64Array(N);
    const fB = new Float64Array(N);
    const fAB = targets.map(() => new Float64Array(N));
    for (let j = 0; j < N; j++) {
      const row = sobolFirst + j * (k + 2);
      fA[j] = y(row);
      fB[j] = y(row + 1);
      for (let i = 0; i < k; i++) fAB[i]![j] = y(row + 2 + i);
    }
    const est = sobolIndices(fA, fB, fAB, opts.bootstrap ?? 500, randomStream(opts.seed, 0xb007));
    const nBoot = opts.bootstrap ?? 500;
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
      designPoints: N * (k + 2),
      varianceY: sig(s2 / (2 * N) - meanY * meanY),
      noiseVariance: sig(noise / (2 * N)),
      bootstrap: nBoot,
      indices: targets
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
    scenario: { id: doc.id, hash: meta.hash },
    engine: meta.engine,
    seed: opts.seed,
    interventions: meta.interventions,
    metric: { id: m.id, label: m.label },
    nominal: { p: sig(pNominal), runs: tRuns },
    params: targets.map((t) => ({
      path: t.name,
      distribution: t.dist ?? null,
      nominal: t.nominal,
      source: t.source ?? null,
    })),
    tornado: { runs: tRuns, quantiles: [qLo, qHi], bars },
    sobol,
  };
}

/** Tornado and Sobol indices of the metric over the document's uncertain parameters (interventions applied). */
export function sensitivity(
  doc: Scenario,
  meta: SensitivityMeta,
  opts: SensitivityOptions,
): SensitivityReport {
  return runPlan(sensitivityPlan(doc, meta, opts));
}

/**
 * `sensitivity` with its design points on worker threads (`runner`, left open; this thread without
 * one): the same report, whatever the number of workers.
 */
export function sensitivityParallel(
  doc: Scenario,
  meta: SensitivityMeta,
  opts: SensitivityOptions & { runner?: TaskRunner; signal?: AbortSignal },
): Promise<SensitivityReport> {
  return runPlanOn(sensitivityPlan(doc, meta, opts), opts.runner, {
    engine: meta.engine,
    signal: opts.signal,
  });
}
