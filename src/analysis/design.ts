// Design points: a validated scenario with some parameters set to given values, compiled for the engine.
// Values go straight into the validated document (copying only the containers on the path) and the
// document is compiled again; schema validation and hashing are skipped, which makes a design point
// cheaper than `prepare(..., {set})` (15 ms against 36 ms on the decapitation scenario: bench/analysis.ts).
// A distribution keeps its shape: its `value` (the nominal a run uses) is replaced. A probability that is
// one entry of a table that must sum to 1 (outcomes, fixed responses, intent types and priors,
// expectations) takes its value and the other entries of the table share the rest in proportion.
import type { Model } from '../engine/model.ts';
import type { Random } from '../engine/rng.ts';
import { compile } from '../scenario/compile.ts';
import { formatPath } from '../scenario/diagnostics.ts';
import { getIn, getPath, setAllIn } from '../scenario/merge.ts';
import {
  isDistribution,
  isParamRef,
  nominal,
  type Path,
  quantile,
  sumGroup,
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
  const out = setAllIn(
    doc,
    targets.map((t, k) => {
      const x = values[k]!;
      return [t.path, t.dist ? { ...t.dist, value: x } : x] as const;
    }),
  );
  return out as Scenario;
}

const usesCache = new WeakMap<object, Map<string, Path[]>>();

/**
 * The field paths where a document uses each named parameter (`{param: name}`), found in one walk and
 * kept per document (design points of one document ask again and again).
 */
function paramUses(doc: Scenario): Map<string, Path[]> {
  let uses = usesCache.get(doc);
  if (uses) return uses;
  const found = new Map<string, Path[]>();
  const path: Path = [];
  const walk = (v: unknown) => {
    if (isParamRef(v)) {
      const list = found.get(v.param) ?? [];
      list.push([...path]);
      found.set(v.param, list);
      return;
    }
    if (Array.isArray(v))
      for (const [i, x] of v.entries()) {
        path.push(i);
        walk(x);
        path.pop();
      }
    else if (typeof v === 'object' && v !== null)
      for (const [k, x] of Object.entries(v)) {
        if (path.length === 0 && k === 'params') continue;
        path.push(k);
        walk(x);
        path.pop();
      }
  };
  walk(doc);
  uses = found;
  usesCache.set(doc, uses);
  return uses;
}

function probOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (isDistribution(v)) return nominal(v);
  return Number.NaN;
}

/** Rescales the entries of every sum-to-one table that holds a touched entry. */
function rebalance(doc: Scenario, touched: Path[]): Scenario {
  // An entry that names a parameter counts at that parameter's value (the compiler resolves the rest).
  const params: Record<string, unknown> = doc.params ?? {};
  const entryAt = (entry: unknown, inner: Path) => {
    const v = getIn(entry, inner);
    return isParamRef(v) && Object.hasOwn(params, v.param) ? params[v.param] : v;
  };
  const groups = new Map<string, { table: Path; inner: Path; keys: Set<string> }>();
  for (const p of touched) {
    const g = sumGroup(p);
    if (!g) continue;
    const id = JSON.stringify(g.table);
    const e = groups.get(id) ?? { ...g, keys: new Set<string>() };
    e.keys.add(String(p[g.table.length]));
    groups.set(id, e);
  }
  // Each table is read from the document as given (the tables are apart), and every new value is set
  // in one pass.
  const set: [Path, unknown][] = [];
  for (const g of groups.values()) {
    const table = getIn(doc, g.table);
    if (typeof table !== 'object' || table === null) continue;
    let fixed = 0;
    let rest = 0;
    for (const [k, entry] of Object.entries(table)) {
      const x = probOf(entryAt(entry, g.inner));
      if (g.keys.has(k)) fixed += x;
      else rest += x;
    }
    if (!Number.isFinite(fixed) || !Number.isFinite(rest) || fixed + rest <= 0) continue;
    // The others share what the touched entries leave; when they leave nothing (all entries touched, as
    // in a Sobol design, or more than 1 taken), the whole table is normalised instead.
    const others = rest > 0 && fixed <= 1;
    const scale = others ? (1 - fixed) / rest : 1 / (fixed + rest);
    for (const [k, entry] of Object.entries(table)) {
      if (others && g.keys.has(k)) continue;
      const v = entryAt(entry, g.inner);
      const x = probOf(v) * scale;
      set.push([[...g.table, k, ...g.inner], isDistribution(v) ? { ...v, value: x } : x]);
    }
  }
  return setAllIn(doc, set) as Scenario;
}

/** Compiles the document with the targets at `values`; throws a RangeError with the first error. */
export function compileAt(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
  meta: { hash: string; interventions: string[] },
): Model {
  let d = withValues(doc, targets, values);
  // Entries of sum-to-one tables touched directly or through a named parameter (setting values moves
  // no reference, so the uses are the original document's).
  const touched: Path[] = [];
  for (const t of targets) {
    if (t.path[0] === 'params' && t.path.length === 2)
      touched.push(...(paramUses(doc).get(String(t.path[1])) ?? []));
    else touched.push(t.path);
  }
  if (touched.some((p) => sumGroup(p))) d = rebalance(d, touched);
  const c = compile(d, meta);
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
