// Signal detection (Green & Swets 1966; domain model 3.3): the standard normal distribution and the
// sensitivity d' that an ISR quality stands for. Pure functions; the engine and the compiler share them.

/** Standard normal CDF Phi(z), from erfc by a Chebyshev fit (Numerical Recipes 6.2: relative error < 1.2e-7 everywhere). */
export function phi(z: number): number {
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const x = -z * Math.SQRT1_2;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.5 * a);
  const r =
    t *
    Math.exp(
      -a * a -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return 0.5 * (x >= 0 ? r : 2 - r);
}

/** Acklam's rational approximation of the standard normal quantile (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - pl) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** The probit of a probability, with 0 and 1 as minus and plus infinity. */
export function probit(p: number): number {
  if (!(p > 0)) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  return normalQuantile(p);
}

/** The ISR quality that the detect, misread and false-alarm numbers of a scenario are stated at. */
export const REFERENCE_QUALITY = 0.5;

/**
 * Sensitivity d' of an observer of ISR quality q in [0, 1]: an unbiased observer tells an act from its
 * look-alike with accuracy (1 + q) / 2, so d' = 2 Phi^-1((1 + q) / 2): 0 at q = 0 (blind: a coin flip),
 * 1.35 at 0.5, 3.29 at 0.9, and about 9.8 at q = 1 (capped: perfect in practice).
 */
export function dprimeOf(q: number): number {
  const x = Math.min(0.999999, Math.max(0, q));
  return 2 * normalQuantile((1 + x) / 2);
}
