// Design points: a validated scenario with some parameters set to given values, compiled for the engine.
// Values go straight into the validated document (copying only the containers on the path) and the
// document is compiled again; schema validation and hashing are skipped, which makes a design point
// cheaper than `prepare(..., {set})` (15 ms against 36 ms on the decapitation scenario: bench/analysis.ts).
// A distribution keeps its shape: its `value` (the nominal a run uses) is replaced.
import type { Model } from '../engine/model.ts';
import type { Random } from '../engine/rng.ts';
import { compile } from '../scenario/compile.ts';
import { formatPath } from '../scenario/diagnostics.ts';
import { getPath, setIn } from '../scenario/merge.ts';
import {
  isDistribution,
  isParamRef,
  nominal,
  type Path,
  quantile,
  support,
  uncertainParams,
} from '../scenario/params.ts';
import type { Distribution, Scenario } from '../scenario/schema.ts';

/** A parameter of a document, by dotted path. */
export interface ParamTarget {
  /** As given (`talks.eu-hosted.leak.DPRK.p`) or as formatted from the field path. */
  name: string;
  path: Path;
  /** The distribution there, if it is one. */
  dist?: Distribution;
  nominal: number;
  /** The `source` note of the distribution, when it has one. */
  source?: string;
}

/** Resolves a dotted path (as `--set` accepts it) to a numeric parameter; throws a RangeError saying why not. */
export function paramTarget(doc: Scenario, dotted: string): ParamTarget {
  const r = getPath(doc, dotted);
  if ('diagnostic' in r) {
    const d = r.diagnostic;
    throw new RangeError(`${d.message}${d.hint ? ` (${d.hint})` : ''}`);
  }
  const v = r.value;
  if (typeof v === 'number') return { name: dotted, path: r.path, nominal: v };
  if (isDistribution(v)) {
    const t: ParamTarget = { name: dotted, path: r.path, dist: v, nominal: nominal(v) };
    if (v.source) t.source = v.source;
    return t;
  }
  if (isParamRef(v))
    throw new RangeError(
      `\`${dotted}\` refers to the named parameter \`params.${v.param}\`: vary that (it changes every use)`,
    );
  throw new RangeError(
    `\`${dotted}\` is ${Array.isArray(v) ? 'a list' : typeof v}, not a number or distribution`,
  );
}

/** Every uncertain parameter (distribution) of a document, as targets. */
export function uncertainTargets(doc: Scenario): ParamTarget[] {
  return uncertainParams(doc).map((u) => {
    const t: ParamTarget = { name: formatPath(u.path), path: u.path, dist: u.dist, nominal: u.nominal };
    if (u.dist.source) t.source = u.dist.source;
    return t;
  });
}

/** The document with each target set to its value (a distribution keeps its shape, with a new `value`). */
export function withValues(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
): Scenario {
  let out: unknown = doc;
  targets.forEach((t, k) => {
    const x = values[k]!;
    out = setIn(out, t.path, t.dist ? { ...t.dist, value: x } : x);
  });
  return out as Scenario;
}

/** Compiles the document with the targets at `values`; throws a RangeError with the first error. */
export function compileAt(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
  meta: { hash: string; interventions: string[] },
): Model {
  const c = compile(withValues(doc, targets, values), meta);
  if (!c.model) {
    const e = c.diagnostics.find((d) => d.severity === 'error');
    const at = targets.map((t, k) => `${t.name}=${values[k]}`).join(', ');
    throw new RangeError(`with ${at}: ${e ? `${e.message} [${formatPath(e.path)}]` : 'does not compile'}`);
  }
  return c.model;
}

/** The value of a target at quantile u of its distribution (a fixed number stays itself). */
export function valueAt(t: ParamTarget, u: number): number {
  if (!t.dist) return t.nominal;
  const x = quantile(t.dist, Math.min(1 - 1e-12, Math.max(1e-12, u)));
  const [lo, hi] = support(t.dist);
  return Math.min(hi, Math.max(lo, x));
}

/** A grid of `steps` values from lo to hi inclusive. */
export function grid(lo: number, hi: number, steps: number): number[] {
  if (steps <= 1) return [lo];
  return Array.from({ length: steps }, (_, k) =>
    Number((lo + ((hi - lo) * k) / (steps - 1)).toPrecision(12)),
  );
}

/** N rows of k uniforms from a seeded stream. */
export function uniformMatrix(random: Random, n: number, k: number): Float64Array[] {
  return Array.from({ length: n }, () => Float64Array.from({ length: k }, () => random()));
}
