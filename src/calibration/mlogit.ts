// Multinomial logistic regression with a Gaussian (ridge) prior: the regression baseline that Brink's
// generic crisis model is scored beside. Class 0 is the reference; the first column of X is taken as
// the intercept (prior sd `interceptSd`), the others get prior sd `sd`. Fitted by L-BFGS. Pure.
import { minimise } from './optimize.ts';

export interface Mlogit {
  classes: number;
  /** Coefficients, (classes - 1) rows of X's width. */
  w: number[][];
  /** Negative log posterior at the optimum. */
  value: number;
  iterations: number;
}

export function fitMlogit(
  x: readonly (readonly number[])[],
  y: readonly number[],
  classes: number,
  prior: { sd: number; interceptSd: number } = { sd: 1, interceptSd: 10 },
): Mlogit {
  const d = x[0]?.length ?? 0;
  const k1 = classes - 1;
  const sd = (j: number) => (j === 0 ? prior.interceptSd : prior.sd);
  const f = (theta: readonly number[]) => {
    let value = 0;
    const grad = new Array<number>(theta.length).fill(0);
    for (let c = 0; c < k1; c++) {
      for (let j = 0; j < d; j++) {
        const v = theta[c * d + j]!;
        value += (v * v) / (2 * sd(j) ** 2);
        grad[c * d + j] = v / sd(j) ** 2;
      }
    }
    for (let i = 0; i < x.length; i++) {
      const p = probsOf(theta, x[i]!, classes);
      value -= Math.log(p[y[i]!]!);
      for (let c = 0; c < k1; c++) {
        const r = p[c + 1]! - (y[i] === c + 1 ? 1 : 0);
        for (let j = 0; j < d; j++) grad[c * d + j]! += r * x[i]![j]!;
      }
    }
    return { value, grad };
  };
  const r = minimise(f, new Array<number>(k1 * d).fill(0), { maxIter: 1000, gradTol: 1e-8 });
  return {
    classes,
    w: Array.from({ length: k1 }, (_, c) => r.x.slice(c * d, (c + 1) * d)),
    value: r.value,
    iterations: r.iterations,
  };
}

function probsOf(theta: readonly number[], xi: readonly number[], classes: number): number[] {
  const d = xi.length;
  const u = [0];
  for (let c = 0; c < classes - 1; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += theta[c * d + j]! * xi[j]!;
    u.push(s);
  }
  const m = Math.max(...u);
  const e = u.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}

/** Predicted class probabilities for one row. */
export function predictMlogit(model: Mlogit, xi: readonly number[]): number[] {
  return probsOf(model.w.flat(), xi, model.classes);
}
