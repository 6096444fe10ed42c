// Statistics for paired comparisons, replicate means and bootstraps. Pure functions of numbers.
import { wilson, Z95 } from '../engine/stats.ts';
import { betaQuantile, logGamma } from '../scenario/params.ts';

/**
 * Newcombe's hybrid score interval for a difference of paired proportions (Newcombe 1998, Statistics
 * in Medicine 17, method 10), from the 2x2 table of paired binary outcomes: a = both 1, b = baseline 1
 * only, c = alternative 1 only, d = both 0. Returns the 95% interval of p(alternative) - p(baseline).
 * It keeps good coverage for small counts and near 0, where the Wald interval fails.
 */
export function pairedDifferenceCi(a: number, b: number, c: number, d: number, z = Z95): [number, number] {
  const n = a + b + c + d;
  if (n === 0) return [-1, 1];
  const p1 = (a + b) / n;
  const p2 = (a + c) / n;
  const [l1, u1] = wilson(a + b, n, z);
  const [l2, u2] = wilson(a + c, n, z);
  const denom = (a + b) * (c + d) * (a + c) * (b + d);
  const phi = denom > 0 ? (a * d - b * c) / Math.sqrt(denom) : 0;
  // theta = p1 - p2 (baseline minus alternative) in Newcombe's notation.
  const theta = p1 - p2;
  const dl = Math.sqrt(Math.max(0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2));
  const du = Math.sqrt(Math.max(0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2));
  const lo = theta - dl;
  const hi = theta + du;
  return [Math.max(-1, -hi), Math.min(1, -lo)];
}

/** log of the binomial coefficient C(n, k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * McNemar's exact test with the mid-p correction (Fagerland, Lydersen & Laake 2013, BMC Medical
 * Research Methodology 13:91): two-sided mid-p value for b discordant pairs one way and c the other.
 */
export function mcnemarMidP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // P(X < k) + P(X = k) / 2 under Binomial(n, 1/2), doubled.
  let below = 0;
  for (let i = 0; i < k; i++) below += Math.exp(logChoose(n, i) - n * Math.LN2);
  const at = Math.exp(logChoose(n, k) - n * Math.LN2);
  return Math.min(1, 2 * (below + at / 2));
}

/** Two-sided 95% quantile of Student's t with `df` degrees of freedom (through the beta quantile). */
export function t95(df: number): number {
  if (!(df > 0)) return Number.NaN;
  if (df > 1e6) return Z95;
  // |T| > t with probability 0.05 <=> df / (df + t^2) < x, x ~ Beta(df/2, 1/2).
  const x = betaQuantile(df / 2, 0.5, 0.05);
  return Math.sqrt((df * (1 - x)) / x);
}

export interface MeanCi {
  mean: number;
  /** Standard error of the mean. */
  se: number;
  ci95: [number, number];
  n: number;
}

/** Mean of independent replicates with a Student t 95% interval. */
export function meanCi(xs: ArrayLike<number>): MeanCi {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const mean = n ? s / n : 0;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (xs[i]! - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : Number.NaN;
  const se = sd / Math.sqrt(n);
  const h = n > 1 ? t95(n - 1) * se : Number.NaN;
  return { mean, se, ci95: [mean - h, mean + h], n };
}

/** Percentile of a sorted array (linear interpolation, type 7). */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  if (a === b) return a;
  return a + (h - lo) * (b - a);
}

/** 2.5% and 97.5% percentiles of the values (sorted in place). */
export function percentile95(values: number[]): [number, number] {
  values.sort((x, y) => x - y);
  return [percentileSorted(values, 0.025), percentileSorted(values, 0.975)];
}

/** Rounds to `digits` significant digits (keeps JSON output short and stable). */
export function sig(x: number, digits = 6): number {
  if (!Number.isFinite(x) || x === 0) return x;
  return Number(x.toPrecision(digits));
}
