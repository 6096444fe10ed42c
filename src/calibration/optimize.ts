// Limited-memory BFGS with a backtracking (Armijo) line search: minimises a smooth function given its
// value and gradient. Deterministic; no dependency. Used by the multinomial logit baseline and by the
// simulated-likelihood fit of the generic crisis model.

export interface Minimised {
  x: number[];
  value: number;
  iterations: number;
  /** Why it stopped: the gradient or the step became small, or the iteration limit. */
  stop: 'gradient' | 'step' | 'iterations';
}

export type Objective = (x: readonly number[]) => { value: number; grad: number[] };

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

export function minimise(
  f: Objective,
  x0: readonly number[],
  opts: { maxIter?: number; memory?: number; gradTol?: number; stepTol?: number } = {},
): Minimised {
  const maxIter = opts.maxIter ?? 500;
  const mem = opts.memory ?? 10;
  const gradTol = opts.gradTol ?? 1e-6;
  const stepTol = opts.stepTol ?? 1e-10;
  let x = [...x0];
  let { value, grad } = f(x);
  const ss: number[][] = [];
  const ys: number[][] = [];
  for (let it = 0; it < maxIter; it++) {
    const gnorm = Math.sqrt(dot(grad, grad));
    if (gnorm < gradTol * Math.max(1, Math.abs(value))) return { x, value, iterations: it, stop: 'gradient' };
    // Two-loop recursion: d = -H g.
    const q = [...grad];
    const alphas: number[] = [];
    for (let k = ss.length - 1; k >= 0; k--) {
      const rho = 1 / dot(ys[k]!, ss[k]!);
      const a = rho * dot(ss[k]!, q);
      alphas[k] = a;
      for (let i = 0; i < q.length; i++) q[i]! -= a * ys[k]![i]!;
    }
    const gamma = ss.length
      ? dot(ss[ss.length - 1]!, ys[ys.length - 1]!) / dot(ys[ys.length - 1]!, ys[ys.length - 1]!)
      : 1 / Math.max(1, gnorm);
    for (let i = 0; i < q.length; i++) q[i]! *= gamma;
    for (let k = 0; k < ss.length; k++) {
      const rho = 1 / dot(ys[k]!, ss[k]!);
      const b = rho * dot(ys[k]!, q);
      for (let i = 0; i < q.length; i++) q[i]! += ss[k]![i]! * (alphas[k]! - b);
    }
    let d = q.map((v) => -v);
    let slope = dot(grad, d);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      ss.length = 0;
      ys.length = 0;
      d = grad.map((v) => -v / Math.max(1, gnorm));
      slope = dot(grad, d);
    }
    let t = 1;
    let next: { value: number; grad: number[] } | undefined;
    let xn: number[] = x;
    for (let ls = 0; ls < 40; ls++) {
      xn = x.map((v, i) => v + t * d[i]!);
      next = f(xn);
      if (Number.isFinite(next.value) && next.value <= value + 1e-4 * t * slope) break;
      next = undefined;
      t *= 0.5;
    }
    if (!next) return { x, value, iterations: it, stop: 'step' };
    const s = xn.map((v, i) => v - x[i]!);
    const y = next.grad.map((v, i) => v - grad[i]!);
    const sy = dot(s, y);
    const moved = Math.sqrt(dot(s, s));
    x = xn;
    const drop = value - next.value;
    value = next.value;
    grad = next.grad;
    if (sy > 1e-12) {
      ss.push(s);
      ys.push(y);
      if (ss.length > mem) {
        ss.shift();
        ys.shift();
      }
    }
    if (moved < stepTol || drop < stepTol * Math.max(1, Math.abs(value))) {
      return { x, value, iterations: it + 1, stop: 'step' };
    }
  }
  return { x, value, iterations: maxIter, stop: 'iterations' };
}
