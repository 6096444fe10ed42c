// Break-even: the value of a parameter at which an intervention stops paying, i.e. where the paired
// difference d(x) = P_with(metric | x) - P_baseline(metric | x) crosses 0. Every evaluation runs both
// arms on common random numbers (runs 0..N-1 of one seed, at every x), so d(x) is a smooth curve of
// paired per-run differences D_i(x) in {-1, 0, 1}.
//
// Method: a grid over [lo, hi] brackets the first sign change; bisection narrows the bracket; the
// crossing is the root of the least-squares line through every point evaluated inside the bracket.
// Its 95% interval comes from a bootstrap over run indices (the same resampled runs at every x, which
// keeps the pairing), refitting the line each time.

import { randomStream } from '../engine/rng.ts';
import { getIn } from '../scenario/merge.ts';
import type { Scenario } from '../scenario/schema.ts';
import { compileAt, grid, type ParamTarget, paramTarget } from './design.ts';
import { type Band, bandOf, EpistemicDesign } from './epistemic.ts';
import { executeSync } from './kernel/executor.ts';
import { hitsOf, type PointTally } from './kernel/task.ts';
import { metric, metricDef } from './metrics.ts';
import { PlanJob, type Point, type PointJob, type PointPlan } from './points.ts';
import { type ReportHead, reportHead } from './report-head.ts';
import { pairedDifferenceCi, percentile95, sig } from './stats.ts';

export interface BreakevenOptions {
  seed: number;
  runs: number;
  /** Range of the parameter (default: the distribution's support, or [0, 1] for a number in [0, 1]). */
  range?: [number, number];
  /** Grid points over the range (default 9). */
  grid?: number;
  /** Bisection steps inside the bracket (default 5). */
  bisect?: number;
  bootstrap?: number;
  metric?: string;
  /** Parameter draws of the other uncertain parameters (0 or absent: none): a break-even per draw. */
  epistemic?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface BreakevenPoint {
  x: number;
  base: number;
  alt: number;
  d: number;
  ci95: [number, number];
}

export interface BreakevenReport extends ReportHead {
  runs: number;
  with: string;
  param: { path: string; nominal: number; distribution: unknown; source: string | null; inBaseline: boolean };
  metric: { id: string; label: string };
  range: [number, number];
  points: BreakevenPoint[];
  /**
   * `crosses`: d changes sign in the range; `pays`: d < 0 throughout (the intervention lowers the
   * metric over the whole range); `never`: d >= 0 throughout.
   */
  verdict: 'crosses' | 'pays' | 'never';
  /** The crossing: where d goes from < 0 to >= 0 (direction 'stops-paying') or the reverse. */
  crossing: {
    x: number;
    ci95: [number, number];
    direction: 'stops-paying' | 'starts-paying';
    /** Share of bootstrap replicates whose line does not cross inside the range. */
    unresolved: number;
  } | null;
  /**
   * With parameter draws: the grid again at each draw of the other uncertain parameters; the share
   * of draws with each verdict, and the band of the crossing (linear between grid points) over the
   * draws where it crosses.
   */
  epistemic?: ReturnType<EpistemicDesign['summary']> & {
    verdicts: { crosses: number; pays: number; never: number };
    crossing: Band | null;
  };
}

function fitRoot(xs: number[], ds: number[]): number {
  const n = xs.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ds[i]!;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ds[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  if (sxx === 0 || sxy === 0) return Number.NaN;
  const b = sxy / sxx;
  return mx - my / b;
}

type BreakevenMeta = { hash: string; with: string; interventions: string[]; engine: string };

/**
 * Break-even as a plan of design points: the grid in one batch, then one bisection step per batch
 * (each needs the last), then the bootstrap on this thread.
 */
function* breakevenPlan(
  baseDoc: Scenario,
  withDoc: Scenario,
  path: string,
  meta: BreakevenMeta,
  opts: BreakevenOptions,
): PointPlan<BreakevenReport> {
  const target: ParamTarget = paramTarget(withDoc, path);
  let baseTarget: ParamTarget | null = null;
  try {
    baseTarget = paramTarget(baseDoc, path);
    if (getIn(baseDoc, baseTarget.path) === undefined) baseTarget = null;
  } catch {
    baseTarget = null;
  }
  let range = opts.range;
  if (!range) {
    if (target.dist) {
      const d = target.dist;
      if ('uniform' in d) range = [d.uniform[0], d.uniform[1]];
      else if ('triangular' in d) range = [d.triangular[0], d.triangular[2]];
      else if ('beta' in d) range = [0, 1];
    } else if (target.nominal >= 0 && target.nominal <= 1) range = [0, 1];
    if (!range)
      throw new RangeError(`give --range LO..HI for \`${path}\` (no bounded distribution to take it from)`);
  }
  const [lo, hi] = range;
  if (!(lo < hi)) throw new RangeError(`the range must have LO < HI, got ${lo}..${hi}`);
  const n = opts.runs;
  const nGrid = Math.max(3, opts.grid ?? 9);
  const nBisect = opts.bisect ?? 5;
  const total = nGrid + nBisect;
  const baseMeta = { hash: meta.hash, interventions: [] as string[] };
  const altMeta = { hash: meta.hash, interventions: meta.interventions };
  const probe = compileAt(withDoc, [target], [target.nominal], altMeta);
  const mt = metricDef(metric(probe, opts.metric ?? 'warOrWorse'));
  const job = (settings: Point[]): PointJob => ({
    settings,
    seed: opts.seed,
    runs: n,
    metrics: [mt],
    perRun: true,
  });
  // Without the parameter in the baseline, the baseline is one point, run once; with it, the baseline
  // and the arm at x are one paired point.
  let fixedBase: Uint8Array | null = null;
  const evaluated: { x: number; diff: Int8Array; point: BreakevenPoint }[] = [];
  const basePoint: Point = { doc: baseDoc, meta: baseMeta, targets: [], values: [] };
  /** The jobs of the points at xs: the baseline (the first time, when it does not vary) and each x. */
  const jobsAt = (xs: readonly number[]): PointJob[] => {
    const jobs: PointJob[] = [];
    if (!baseTarget && !fixedBase) jobs.push(job([basePoint]));
    for (const x of xs) {
      const arm: Point = { doc: withDoc, meta: altMeta, targets: [target], values: [x] };
      jobs.push(
        baseTarget
          ? job([{ doc: baseDoc, meta: baseMeta, targets: [baseTarget], values: [x] }, arm])
          : job([arm]),
      );
    }
    return jobs;
  };
  /** Each run's hit (0 or 1) of setting `s` of a job. */
  const hitsAt = (t: PointTally, s: number): Uint8Array => t.patterns![0]!.map((p) => (p >> s) & 1);
  /** Records the points at xs from their jobs' tallies; returns d at each. */
  const record = (xs: readonly number[], tallies: PointTally[]): number[] => {
    let q = 0;
    if (!baseTarget && !fixedBase) fixedBase = hitsAt(tallies[q++]!, 0);
    return xs.map((x) => {
      const t = tallies[q++]!;
      const b = baseTarget ? hitsAt(t, 0) : fixedBase!;
      const a = hitsAt(t, baseTarget ? 1 : 0);
      const diff = new Int8Array(n);
      const tab = [0, 0, 0, 0];
      let sb = 0;
      let sa = 0;
      for (let i = 0; i < n; i++) {
        diff[i] = a[i]! - b[i]!;
        sb += b[i]!;
        sa += a[i]!;
        tab[b[i]! ? (a[i]! ? 0 : 1) : a[i]! ? 2 : 3]!++;
      }
      const ci = pairedDifferenceCi(tab[0]!, tab[1]!, tab[2]!, tab[3]!);
      const point: BreakevenPoint = {
        x: sig(x, 8),
        base: sig(sb / n),
        alt: sig(sa / n),
        d: sig((sa - sb) / n),
        ci95: [sig(ci[0]), sig(ci[1])],
      };
      evaluated.push({ x, diff, point });
      opts.onProgress?.(evaluated.length, total);
      return (sa - sb) / n;
    });
  };
  const xs = grid(lo, hi, nGrid);
  const ds = record(xs, yield jobsAt(xs));
  // The first sign change from the low end.
  let k = -1;
  for (let i = 0; i + 1 < ds.length; i++) {
    if (ds[i]! < 0 !== ds[i + 1]! < 0) {
      k = i;
      break;
    }
  }
  let crossing: BreakevenReport['crossing'] = null;
  let verdict: BreakevenReport['verdict'] = ds.every((d) => d < 0) ? 'pays' : 'never';
  if (k >= 0) {
    verdict = 'crosses';
    const direction = ds[k]! < 0 ? 'stops-paying' : 'starts-paying';
    let a = xs[k]!;
    let b = xs[k + 1]!;
    let da = ds[k]!;
    for (let s = 0; s < nBisect; s++) {
      const mid = (a + b) / 2;
      const dm = record([mid], yield jobsAt([mid]))[0]!;
      if (dm < 0 === da < 0) {
        a = mid;
        da = dm;
      } else b = mid;
    }
    // The line is fitted over the bracket and one grid step on each side, so that a crossing near a
    // grid point is not pinned to it; a root anywhere in the range counts.
    const lo0 = xs[Math.max(0, k - 1)]!;
    const hi0 = xs[Math.min(xs.length - 1, k + 2)]!;
    const inside = evaluated.filter((e) => e.x >= lo0 && e.x <= hi0).sort((p, q) => p.x - q.x);
    const px = inside.map((e) => e.x);
    const root = (d: number[]) => {
      const r = fitRoot(px, d);
      return Number.isFinite(r) && r >= lo && r <= hi ? r : Number.NaN;
    };
    const x0 = root(inside.map((e) => e.point.d));
    const nBoot = opts.bootstrap ?? 500;
    const rnd = randomStream(opts.seed, 0xb4e);
    const roots: number[] = [];
    let unresolved = 0;
    const pick = new Int32Array(n);
    for (let r = 0; r < nBoot; r++) {
      for (let i = 0; i < n; i++) pick[i] = Math.floor(rnd() * n);
      const d = inside.map((e) => {
        let s = 0;
        for (let i = 0; i < n; i++) s += e.diff[pick[i]!]!;
        return s / n;
      });
      const x = root(d);
      if (Number.isNaN(x)) {
        // No crossing of the refitted line inside the range: it lies beyond the end on the side where
        // d has not yet changed sign; count it at that end (the interval reaches it).
        unresolved++;
        const mean = d.reduce((s, v) => s + v, 0) / d.length;
        roots.push(mean < 0 === (direction === 'stops-paying') ? hi : lo);
      } else roots.push(x);
    }
    const ci = percentile95(roots);
    crossing = {
      x: sig(Number.isNaN(x0) ? (a + b) / 2 : x0, 6),
      ci95: [sig(ci[0], 6), sig(ci[1], 6)],
      direction,
      unresolved: sig(unresolved / nBoot, 4),
    };
  }
  let epistemic: BreakevenReport['epistemic'];
  if (opts.epistemic) {
    const design = new EpistemicDesign([baseDoc, withDoc], opts.epistemic, opts.seed, [
      target.path,
      ...(baseTarget ? [baseTarget.path] : []),
    ]);
    const none = { targets: [] as ParamTarget[], values: [] as number[] };
    const jobs: PointJob[] = [];
    for (let d = 0; d < design.draws; d++)
      for (const x of xs)
        jobs.push({
          ...job([
            design.point(baseDoc, baseMeta, d, baseTarget ? { targets: [baseTarget], values: [x] } : none),
            design.point(withDoc, altMeta, d, { targets: [target], values: [x] }),
          ]),
          perRun: false,
        });
    const tallies = yield jobs;
    const verdicts = { crosses: 0, pays: 0, never: 0 };
    const roots: number[] = [];
    for (let d = 0; d < design.draws; d++) {
      const dd = xs.map((_, i) => {
        const c = tallies[d * xs.length + i]!.counts[0]!;
        return (hitsOf(c, 1) - hitsOf(c, 0)) / n;
      });
      const k = dd.findIndex((v, i) => i + 1 < dd.length && v < 0 !== dd[i + 1]! < 0);
      if (k < 0) {
        verdicts[dd.every((v) => v < 0) ? 'pays' : 'never']++;
        continue;
      }
      verdicts.crosses++;
      const [x0, x1, d0, d1] = [xs[k]!, xs[k + 1]!, dd[k]!, dd[k + 1]!];
      roots.push(d1 === d0 ? (x0 + x1) / 2 : x0 + ((0 - d0) * (x1 - x0)) / (d1 - d0));
    }
    epistemic = {
      ...design.summary(n),
      verdicts: {
        crosses: sig(verdicts.crosses / design.draws),
        pays: sig(verdicts.pays / design.draws),
        never: sig(verdicts.never / design.draws),
      },
      crossing: roots.length ? bandOf(roots) : null,
    };
  }
  return {
    ...reportHead(withDoc.id, meta.hash, meta.engine, opts.seed),
    runs: n,
    with: meta.with,
    param: {
      path,
      nominal: target.nominal,
      distribution: target.dist ?? null,
      source: target.source ?? null,
      inBaseline: baseTarget !== null,
    },
    metric: { id: mt.id, label: mt.label },
    range: [lo, hi],
    points: evaluated.map((e) => e.point).sort((p, q) => p.x - q.x),
    verdict,
    crossing,
    ...(epistemic ? { epistemic } : {}),
  };
}

/**
 * Break-even as an analysis job (run it with `execute` on any executor, or `breakeven` on this
 * thread): where `withDoc` (the scenario with the intervention applied) stops beating `baseDoc` as the
 * parameter at `path` varies. The parameter is set in the baseline too when it exists there. Each grid
 * point and bisection step is cut into run ranges over the workers; the same report on any executor.
 */
export function openBreakeven(
  baseDoc: Scenario,
  withDoc: Scenario,
  path: string,
  meta: BreakevenMeta,
  opts: BreakevenOptions,
  checkpoint?: string,
): PlanJob<BreakevenReport> {
  const nGrid = Math.max(3, opts.grid ?? 9);
  const total = nGrid + (opts.bisect ?? 5) + nGrid * (opts.epistemic ?? 0);
  return new PlanJob(
    breakevenPlan(baseDoc, withDoc, path, meta, opts),
    { engine: meta.engine, total },
    checkpoint,
  );
}

/** Break-even on this thread. */
export function breakeven(
  baseDoc: Scenario,
  withDoc: Scenario,
  path: string,
  meta: BreakevenMeta,
  opts: BreakevenOptions,
): BreakevenReport {
  return executeSync(openBreakeven(baseDoc, withDoc, path, meta, opts));
}
