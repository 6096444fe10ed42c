// Small, exact statistics used by reports. Pure functions of counts.

/** Two-sided standard normal quantile for 95%. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion k/n (Wilson 1927): good coverage near 0 and 1,
 * never outside [0, 1]. Returns [0, 1] when n is 0.
 */
export function wilson(k: number, n: number, z = Z95): [number, number] {
  if (n <= 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** A proportion with its Wilson 95% interval. */
export function proportion(k: number, n: number): { p: number; ci95: [number, number] } {
  return { p: n > 0 ? k / n : 0, ci95: wilson(k, n) };
}
