// Uncertain parameters: nominal values, sampling, and the list of every distribution in a document.
import type { Random } from '../engine/rng.ts';
import { normalQuantile } from '../engine/sdt.ts';
import type { Distribution, NamedParam, ParamRef } from './schema.ts';

export type Path = (string | number)[];

export function isDistribution(v: unknown): v is Distribution {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return ['uniform', 'triangular', 'beta', 'normal', 'lognormal'].some((k) => keys.includes(k));
}

/** A reference `{param: name}` to a named parameter. */
export function isParamRef(v: unknown): v is ParamRef {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as { param?: unknown }).param === 'string' &&
    Object.keys(v).length === 1
  );
}

/** The value a plain run uses: `value` when given, else the distribution's mean. */
export function nominal(p: NamedParam): number {
  if (typeof p === 'number') return p;
  if (p.value !== undefined) return p.value;
  if ('uniform' in p) return (p.uniform[0] + p.uniform[1]) / 2;
  if ('triangular' in p) return (p.triangular[0] + p.triangular[1] + p.triangular[2]) / 3;
  if ('beta' in p) return p.beta[0] / (p.beta[0] + p.beta[1]);
  if ('normal' in p) return p.normal[0];
  return Math.exp(p.lognormal[0] + (p.lognormal[1] * p.lognormal[1]) / 2);
}

/** Checks a distribution's parameters; returns a message when they are impossible. */
export function distributionProblem(d: Distribution): string | undefined {
  if ('uniform' in d)
    return d.uniform[0] <= d.uniform[1] ? undefined : 'uniform needs [low, high] with low <= high';
  if ('triangular' in d) {
    const [a, c, b] = d.triangular;
    return a <= c && c <= b ? undefined : 'triangular needs [low, mode, high] with low <= mode <= high';
  }
  if ('beta' in d) return d.beta[0] > 0 && d.beta[1] > 0 ? undefined : 'beta needs both shape parameters > 0';
  if ('normal' in d) return d.normal[1] >= 0 ? undefined : 'normal needs a standard deviation >= 0';
  return d.lognormal[1] >= 0 ? undefined : 'lognormal needs sigma >= 0';
}

/** Support of a distribution [lo, hi]. */
export function support(d: Distribution): [number, number] {
  if ('uniform' in d) return [d.uniform[0], d.uniform[1]];
  if ('triangular' in d) return [d.triangular[0], d.triangular[2]];
  if ('beta' in d) return [0, 1];
  if ('normal' in d) return d.normal[1] === 0 ? [d.normal[0], d.normal[0]] : [-Infinity, Infinity];
  return [0, Infinity];
}

/** Quantile function (inverse CDF) of a distribution at u in (0, 1). */
export function quantile(d: Distribution, u: number): number {
  if ('uniform' in d) return d.uniform[0] + u * (d.uniform[1] - d.uniform[0]);
  if ('triangular' in d) {
    const [a, c, b] = d.triangular;
    if (b === a) return a;
    const f = (c - a) / (b - a);
    return u < f ? a + Math.sqrt(u * (b - a) * (c - a)) : b - Math.sqrt((1 - u) * (b - a) * (b - c));
  }
  if ('normal' in d) return d.normal[0] + d.normal[1] * normalQuantile(u);
  if ('lognormal' in d) return Math.exp(d.lognormal[0] + d.lognormal[1] * normalQuantile(u));
  return betaQuantile(d.beta[0], d.beta[1], u);
}

/** Draws from a distribution by inversion (one uniform per draw, so designs stay aligned). */
export function sample(d: Distribution, random: Random): number {
  const u = Math.min(1 - 1e-12, Math.max(1e-12, random()));
  return quantile(d, u);
}

/**
 * Replaces every `{param: name}` in a document by the entry `name` of its `params` (interventions
 * included, the `params` section itself excluded). Returns a new document when anything changed, and the
 * paths and names of references that name no parameter (left in place for the caller to report).
 */
export function resolveParamRefs<T>(doc: T): { doc: T; unknown: { path: Path; name: string }[] } {
  const params = (doc as { params?: Record<string, NamedParam> } | null)?.params ?? {};
  const unknown: { path: Path; name: string }[] = [];
  // One path, pushed and popped as the walk goes (copied only for an unknown reference): parameter
  // draws resolve a whole document at every draw.
  const path: Path = [];
  const walk = (v: unknown): unknown => {
    if (isParamRef(v)) {
      if (Object.hasOwn(params, v.param)) return params[v.param];
      unknown.push({ path: [...path], name: v.param });
      return v;
    }
    if (Array.isArray(v)) {
      let changed = false;
      const out = v.map((x, i) => {
        path.push(i);
        const y = walk(x);
        path.pop();
        if (y !== x) changed = true;
        return y;
      });
      return changed ? out : v;
    }
    if (typeof v === 'object' && v !== null) {
      let out: Record<string, unknown> | undefined;
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && k === 'params') continue;
        path.push(k);
        const y = walk(x);
        path.pop();
        if (y !== x) {
          out ??= { ...(v as Record<string, unknown>) };
          Object.defineProperty(out, k, { value: y, enumerable: true, writable: true, configurable: true });
        }
      }
      return out ?? v;
    }
    return v;
  };
  return { doc: walk(doc) as T, unknown };
}

/**
 * Every distribution in a document, with its field path and nominal value. Named parameters (`params`)
 * are listed once, under `params.NAME`, when something refers to them; a reference is not a distribution
 * of its own (changing `params.NAME` changes every place that uses it).
 */
export function uncertainParams(doc: unknown): { path: Path; dist: Distribution; nominal: number }[] {
  const out: { path: Path; dist: Distribution; nominal: number }[] = [];
  const used = new Set<string>();
  const walk = (v: unknown, path: Path) => {
    if (isParamRef(v)) {
      used.add(v.param);
      return;
    }
    if (isDistribution(v)) {
      out.push({ path, dist: v, nominal: nominal(v) });
      return;
    }
    if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(x, [...path, i]);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && (k === 'interventions' || k === 'params')) continue;
        walk(x, [...path, k]);
      }
    }
  };
  walk(doc, []);
  const params = (doc as { params?: Record<string, unknown> } | null)?.params ?? {};
  for (const [name, v] of Object.entries(params)) {
    if (used.has(name) && isDistribution(v))
      out.push({ path: ['params', name], dist: v, nominal: nominal(v) });
  }
  return out;
}

/** The standard normal quantile (shared with the engine's signal detection). */
export { normalQuantile };

/** Regularised incomplete beta I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4). */
export function betaCdf(x: number, a: number, b: number): number {
  return betaCdfWith(x, a, b, logGamma(a + b) - logGamma(a) - logGamma(b));
}

/** `betaCdf` with log(1 / B(a, b)) given (a quantile's bisection computes it once). */
function betaCdfWith(x: number, a: number, b: number, lbeta: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(Math.log(x) * a + Math.log1p(-x) * b + lbeta);
  if (x < (a + 1) / (a + b + 2)) return (front * betaCf(x, a, b)) / a;
  return 1 - (front * betaCf(1 - x, b, a)) / b;
}

function betaCf(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) break;
  }
  return h;
}

/** Lanczos approximation of log Gamma (g = 7, n = 9). */
export function logGamma(x: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let s = g[0]!;
  for (let i = 1; i < 9; i++) s += g[i]! / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

/** Regularised lower incomplete gamma P(a, x): series below a + 1, continued fraction above (Numerical Recipes 6.2). */
export function gammaCdf(x: number, a: number): number {
  return x <= 0 ? 0 : gammaCdfWith(x, a, logGamma(a));
}

/** `gammaCdf` with log Gamma(a) given (a quantile's bisection computes it once). */
function gammaCdfWith(x: number, a: number, lg: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** Gamma(a, 1) quantile by bisection on the CDF (the upper end doubled until it brackets u). */
export function gammaQuantile(a: number, u: number): number {
  const lg = logGamma(a);
  let hi = Math.max(1, 2 * a);
  while (gammaCdfWith(hi, a, lg) < u && hi < 1e6) hi *= 2;
  let lo = 0;
  for (let k = 0; k < 80; k++) {
    const mid = (lo + hi) / 2;
    if (gammaCdfWith(mid, a, lg) < u) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Beta quantile by bisection on the CDF (60 halvings: below 1e-15 of the interval). */
export function betaQuantile(a: number, b: number, u: number): number {
  const lbeta = logGamma(a + b) - logGamma(a) - logGamma(b);
  let lo = 0;
  let hi = 1;
  for (let k = 0; k < 60; k++) {
    const mid = (lo + hi) / 2;
    if (betaCdfWith(mid, a, b, lbeta) < u) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The table a probability at `path` belongs to, if it must sum to 1: the path of the table and how to
 * reach an entry's probability within an entry (`['p']` for outcomes, `[]` otherwise).
 */
export function sumGroup(path: Path): { table: Path; inner: Path } | undefined {
  const n = path.length;
  const at = (k: number) => path[n - k];
  if (n >= 3 && at(1) === 'p' && at(3) === 'outcomes') return { table: path.slice(0, n - 2), inner: ['p'] };
  if (n >= 2 && at(2) === 'respond') return { table: path.slice(0, n - 1), inner: [] };
  if (n === 4 && path[0] === 'actors' && path[2] === 'type') return { table: path.slice(0, 3), inner: [] };
  if (n >= 3 && at(3) === 'intent' && at(4) === 'beliefs') return { table: path.slice(0, n - 1), inner: [] };
  if (n >= 4 && at(4) === 'expects' && at(5) === 'beliefs') return { table: path.slice(0, n - 1), inner: [] };
  return undefined;
}
