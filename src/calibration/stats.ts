// Posteriors and moment matching for calibrated parameters. Pure functions of counts.
import { betaQuantile } from '../scenario/params.ts';

/** A Beta posterior for k events in n trials, with its mean and equal-tailed 95% interval. */
export interface BetaPosterior {
  k: number;
  n: number;
  a: number;
  b: number;
  mean: number;
  lo: number;
  hi: number;
}

/** The uniform prior Beta(1, 1): every rate in Brink's calibration starts from it. */
export const UNIFORM_PRIOR: readonly [number, number] = [1, 1];

/** Beta(prior_a + k, prior_b + n - k): the posterior of a rate after k events in n trials. */
export function betaPosterior(
  k: number,
  n: number,
  prior: readonly [number, number] = UNIFORM_PRIOR,
): BetaPosterior {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && n >= k)) {
    throw new RangeError(`betaPosterior needs whole numbers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  return betaSummary(prior[0] + k, prior[1] + n - k, k, n);
}

/** Mean and 95% interval of Beta(a, b) (k and n kept for the record). */
export function betaSummary(a: number, b: number, k = Number.NaN, n = Number.NaN): BetaPosterior {
  return { k, n, a, b, mean: a / (a + b), lo: betaQuantile(a, b, 0.025), hi: betaQuantile(a, b, 0.975) };
}

/**
 * Marginals of the Dirichlet(1, ..., 1) posterior of a categorical distribution: category i is
 * Beta(1 + k_i, K - 1 + n - k_i), so the means (1 + k_i) / (K + n) sum to exactly 1 (a response table).
 */
export function dirichletMarginals(counts: readonly number[]): BetaPosterior[] {
  const n = counts.reduce((x, y) => x + y, 0);
  const big = counts.length;
  return counts.map((k) => betaSummary(1 + k, big - 1 + n - k, k, n));
}

/** Beta(a, b) with the given mean and variance (method of moments); throws when none exists. */
export function betaFromMoments(mean: number, variance: number): { a: number; b: number } {
  const common = (mean * (1 - mean)) / variance - 1;
  if (!(mean > 0 && mean < 1 && variance > 0 && common > 0)) {
    throw new RangeError(`no Beta distribution has mean ${mean} and variance ${variance}`);
  }
  return { a: mean * common, b: (1 - mean) * common };
}

/** Mean and variance of Beta(a, b). */
export function betaMoments(a: number, b: number): { mean: number; variance: number } {
  const s = a + b;
  return { mean: a / s, variance: (a * b) / (s * s * (s + 1)) };
}

/**
 * Beta approximation of the product X * Y of independent Beta variables (e.g. P(failure) times
 * P(deaths | failure)), matched on mean and variance.
 */
export function betaProduct(
  x: { a: number; b: number },
  y: { a: number; b: number },
): { a: number; b: number } {
  const mx = betaMoments(x.a, x.b);
  const my = betaMoments(y.a, y.b);
  const mean = mx.mean * my.mean;
  const second = (mx.variance + mx.mean ** 2) * (my.variance + my.mean ** 2);
  return betaFromMoments(mean, second - mean * mean);
}

/** Lognormal [mu, sigma] with the given mean and standard deviation. */
export function lognormalFromMoments(mean: number, sd: number): { mu: number; sigma: number } {
  if (!(mean > 0 && sd >= 0)) throw new RangeError(`no lognormal has mean ${mean} and sd ${sd}`);
  const s2 = Math.log(1 + (sd / mean) ** 2);
  return { mu: Math.log(mean) - s2 / 2, sigma: Math.sqrt(s2) };
}

/** Mean and standard deviation of Gamma(shape, rate): the posterior of a Poisson rate. */
export function gammaMoments(shape: number, rate: number): { mean: number; sd: number } {
  return { mean: shape / rate, sd: Math.sqrt(shape) / rate };
}

/** Median and quartiles of a list of numbers (linear interpolation between order statistics). */
export function quartiles(xs: readonly number[]): { q1: number; median: number; q3: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => {
    if (s.length === 0) return Number.NaN;
    const h = (s.length - 1) * p;
    const lo = Math.floor(h);
    return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
  };
  return { q1: at(0.25), median: at(0.5), q3: at(0.75) };
}
