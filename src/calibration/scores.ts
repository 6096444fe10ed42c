// Scores of probabilistic forecasts of an ordered class: log score, ranked probability score,
// randomised PIT (with the uniform draw seeded from the case's id, so a case's PIT does not depend on
// which other cases are scored with it), PIT histograms, and paired bootstrap intervals of a mean
// difference. Pure.
import { randomStream } from '../engine/rng.ts';

export function logScore(p: readonly number[], obs: number): number {
  return Math.log(p[obs]!);
}

/** Ranked probability score: squared differences of the cumulative distributions (0 best). */
export function rps(p: readonly number[], obs: number): number {
  let cp = 0;
  let s = 0;
  for (let i = 0; i < p.length - 1; i++) {
    cp += p[i]!;
    s += (cp - (i >= obs ? 1 : 0)) ** 2;
  }
  return s;
}

/** FNV-1a hash of a string (the PIT's stream key for a case id). */
export function idKey(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The uniform draw of a case's randomised PIT: a stream keyed by its id (and the seed). */
export function pitDraw(seed: number, id: string): number {
  return randomStream(seed, 0x50495400 ^ idKey(id), 0)();
}

/** Randomised PIT of the observed class: F(obs - 1) + u P(obs). */
export function pit(p: readonly number[], obs: number, u: number): number {
  let below = 0;
  for (let i = 0; i < obs; i++) below += p[i]!;
  return below + u * p[obs]!;
}

/** Counts of PIT values in `bins` equal bins of [0, 1]. */
export function pitHistogram(values: readonly number[], bins = 10): number[] {
  const h = new Array<number>(bins).fill(0);
  for (const v of values) h[Math.min(bins - 1, Math.floor(v * bins))]!++;
  return h;
}

/** Add-half smoothing of counts over K classes: (k + 0.5) / (n + 0.5 K). */
export function smooth(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (c + 0.5) / (n + 0.5 * counts.length));
}

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

/** Mean of paired differences a - b with a percentile bootstrap 95% interval (B resamples, seeded). */
export function bootstrapDiff(
  a: readonly number[],
  b: readonly number[],
  seed: number,
  resamples = 2000,
): Interval {
  const n = a.length;
  const d = a.map((x, i) => x - b[i]!);
  const mean = n ? d.reduce((s, x) => s + x, 0) / n : Number.NaN;
  if (n === 0) return { mean, lo: Number.NaN, hi: Number.NaN };
  const rnd = randomStream(seed, 0xb0075, 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rnd() * n)]!;
    means[r] = s / n;
  }
  means.sort();
  return { mean, lo: means[Math.floor(0.025 * resamples)]!, hi: means[Math.ceil(0.975 * resamples) - 1]! };
}

export const mean = (xs: readonly number[]) =>
  xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : Number.NaN;
