// Pooling the engine's forecast with ICB's trigger-type base rate (a linear opinion pool): what the
// generic crisis model forecasts for an ICB crisis is (1 - w) x the engine's run shares (add-half
// smoothing) + w x the base rate of the crisis's trigger type, both from the same training crises. The
// weight w of each scale is chosen by cross-validation inside the training period (decision 0022:
// the best of the mean of two designs' curves, 5-fold and a time split), never on held-out crises; `poolCurve` is the mean log score of every weight of the grid on a set of
// crises, what that choice reads. Pure.
import { logScore } from './scores.ts';

/** The weights a choice looks at: 0, 0.05, ..., 1. */
export const POOL_GRID: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/** (1 - w) engine + w base, class by class. */
export function pooled(engine: readonly number[], base: readonly number[], w: number): number[] {
  return engine.map((p, k) => (1 - w) * p + w * base[k]!);
}

export interface PoolPoint {
  weight: number;
  logScore: number;
}

/** Mean log score of the pooled forecast at each weight of the grid. */
export function poolCurve(
  rows: readonly { engine: readonly number[]; base: readonly number[]; observed: number }[],
  grid: readonly number[] = POOL_GRID,
): PoolPoint[] {
  return grid.map((w) => ({
    weight: w,
    logScore: rows.length
      ? rows.reduce((s, r) => s + logScore(pooled(r.engine, r.base, w), r.observed), 0) / rows.length
      : Number.NaN,
  }));
}

/** The mean of curves over the same grid (the choice of decision 0022 gives two designs equal say). */
export function meanCurve(curves: readonly (readonly PoolPoint[])[]): PoolPoint[] {
  return curves[0]!.map((p, i) => ({
    weight: p.weight,
    logScore: curves.reduce((s, c) => s + c[i]!.logScore, 0) / curves.length,
  }));
}

/** The weight of the curve with the best mean log score (the smaller weight on a tie). */
export function bestWeight(curve: readonly PoolPoint[]): PoolPoint {
  return curve.reduce((b, p) => (p.logScore > b.logScore ? p : b), curve[0]!);
}
