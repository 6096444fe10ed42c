// Design points: a validated scenario with some parameters set to given values, compiled for the engine.
// A document is compiled once per model name, and each point only draws its numbers again on that
// structure (`Recompiler` in src/scenario/compile.ts: the values by field path, the compiler's passes
// that read numbers run again); schema validation and hashing are skipped. A point that does not compile
// is compiled from scratch (`compileFresh`: the values set in the document, copying only the containers
// on the path, then compiled), which gives its diagnostic; both give the same model (tested).
// A distribution keeps its shape: its `value` (the nominal a run uses) is replaced. A probability that is
// one entry of a table that must sum to 1 (outcomes, fixed responses, intent types and priors,
// expectations) takes its value and the other entries of the table share the rest in proportion.
import type { Model } from '../engine/model.ts';
import type { Random } from '../engine/rng.ts';
import { compile, fieldKey, type Recompiler, recompiler } from '../scenario/compile.ts';
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
import type { Distribution, Param, Scenario } from '../scenario/schema.ts';

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

/** A sum-to-one table that holds touched entries: each entry's field path (and key), and which are touched. */
interface TableGroup {
  entries: { path: Path; key: string; touched: boolean }[];
}

/** The sum-to-one tables that hold a touched entry (the document's shape; any values). */
function tableGroups(doc: Scenario, touched: Path[]): TableGroup[] {
  const groups = new Map<string, { table: Path; inner: Path; keys: Set<string> }>();
  for (const p of touched) {
    const g = sumGroup(p);
    if (!g) continue;
    const id = JSON.stringify(g.table);
    const e = groups.get(id) ?? { ...g, keys: new Set<string>() };
    e.keys.add(String(p[g.table.length]));
    groups.set(id, e);
  }
  const out: TableGroup[] = [];
  for (const g of groups.values()) {
    const table = getIn(doc, g.table);
    if (typeof table !== 'object' || table === null) continue;
    out.push({
      entries: Object.keys(table).map((k) => {
        const path = [...g.table, k, ...g.inner];
        return { path, key: fieldKey(path), touched: g.keys.has(k) };
      }),
    });
  }
  return out;
}

/**
 * The new entries of the tables, as [field path, value]. `entry` reads an entry of the document as
 * drawn, a named parameter at its value.
 */
function rebalanced(
  groups: readonly TableGroup[],
  entry: (e: TableGroup['entries'][number]) => unknown,
): [Path, unknown][] {
  // Each table is read from the document as given (the tables are apart), and every new value is set
  // in one pass.
  const set: [Path, unknown][] = [];
  for (const g of groups) {
    let fixed = 0;
    let rest = 0;
    for (const e of g.entries) {
      const x = probOf(entry(e));
      if (e.touched) fixed += x;
      else rest += x;
    }
    if (!Number.isFinite(fixed) || !Number.isFinite(rest) || fixed + rest <= 0) continue;
    // The others share what the touched entries leave; when they leave nothing (all entries touched, as
    // in a Sobol design, or more than 1 taken), the whole table is normalised instead.
    const others = rest > 0 && fixed <= 1;
    const scale = others ? (1 - fixed) / rest : 1 / (fixed + rest);
    for (const e of g.entries) {
      if (others && e.touched) continue;
      const v = entry(e);
      const x = probOf(v) * scale;
      set.push([e.path, isDistribution(v) ? { ...v, value: x } : x]);
    }
  }
  return set;
}

/** A field of a document, a reference to a named parameter read as that parameter's value. */
function fieldOf(doc: Scenario, path: Path): unknown {
  const v = getIn(doc, path);
  const params: Record<string, unknown> = doc.params ?? {};
  return isParamRef(v) && Object.hasOwn(params, v.param) ? params[v.param] : v;
}

/** The entries of sum-to-one tables a setting touches, directly or through a named parameter. */
function touchedBy(doc: Scenario, targets: readonly ParamTarget[]): Path[] {
  // Setting values moves no reference, so the uses are the original document's.
  const touched: Path[] = [];
  for (const t of targets) {
    if (isParamPath(t.path)) touched.push(...(paramUses(doc).get(String(t.path[1])) ?? []));
    else touched.push(t.path);
  }
  return touched;
}

const isParamPath = (p: Path) => p[0] === 'params' && p.length === 2;

/** Compiles the document with the targets set to `values`, from scratch (see `compileAt`). */
export function compileFresh(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
  meta: { hash: string; interventions: string[] },
): Model {
  let d = withValues(doc, targets, values);
  const touched = touchedBy(doc, targets);
  if (touched.some((p) => sumGroup(p))) {
    const drawn = d;
    d = setAllIn(
      drawn,
      rebalanced(tableGroups(drawn, touched), (e) => fieldOf(drawn, e.path)),
    ) as Scenario;
  }
  const c = compile(d, meta);
  if (!c.model) {
    const e = c.diagnostics.find((d) => d.severity === 'error');
    const at = targets.map((t, k) => `${t.name}=${values[k]}`).join(', ');
    throw new RangeError(`with ${at}: ${e ? `${e.message} [${formatPath(e.path)}]` : 'does not compile'}`);
  }
  return c.model;
}

/**
 * What setting the targets to `values` changes, by field path as the compiler reads it: each target
 * (a named parameter at each of its uses) and the entries of the sum-to-one tables it touches. The
 * same values `compileFresh` compiles.
 */
export function drawnFields(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
): Map<string, Param> {
  const drawn = new Map<string, Param>();
  targets.forEach((t, k) => {
    const x = values[k]!;
    const v: Param = t.dist ? ({ ...t.dist, value: x } as Distribution) : x;
    if (isParamPath(t.path))
      for (const use of paramUses(doc).get(String(t.path[1])) ?? []) drawn.set(fieldKey(use), v);
    else drawn.set(keyOf(t), v);
  });
  const { groups, nominal } = tablesOf(doc, targets);
  for (const [p, v] of rebalanced(groups, (e) => drawn.get(e.key) ?? nominal.get(e.key)))
    drawn.set(fieldKey(p), v as Param);
  return drawn;
}

const keys = new WeakMap<ParamTarget, string>();

/** The field key of a target's path (kept: the targets of a design are asked at every draw). */
function keyOf(t: ParamTarget): string {
  let k = keys.get(t);
  if (k === undefined) {
    k = fieldKey(t.path);
    keys.set(t, k);
  }
  return k;
}

const tableCache = new WeakMap<
  Scenario,
  Map<string, { groups: TableGroup[]; nominal: Map<string, unknown> }>
>();

/** The tables some targets touch and their entries as the document gives them, kept per document and list of targets. */
function tablesOf(doc: Scenario, targets: readonly ParamTarget[]) {
  let byTargets = tableCache.get(doc);
  if (!byTargets) {
    byTargets = new Map();
    tableCache.set(doc, byTargets);
  }
  const id = targets.map(keyOf).join('\u0001');
  let e = byTargets.get(id);
  if (!e) {
    const groups = tableGroups(doc, touchedBy(doc, targets));
    const nominal = new Map<string, unknown>();
    for (const g of groups) for (const x of g.entries) nominal.set(x.key, fieldOf(doc, x.path));
    e = { groups, nominal };
    if (byTargets.size >= 64) byTargets.delete(byTargets.keys().next().value!);
    byTargets.set(id, e);
  }
  return e;
}

/** A document compiled once per model name, for its design points (`compileAt`). */
const recompilers = new WeakMap<Scenario, Map<string, Recompiler | null>>();

function recompilerOf(doc: Scenario, meta: { hash: string; interventions: string[] }): Recompiler | null {
  let byMeta = recompilers.get(doc);
  if (!byMeta) {
    byMeta = new Map();
    recompilers.set(doc, byMeta);
  }
  const key = JSON.stringify([meta.hash, meta.interventions]);
  let r = byMeta.get(key);
  if (r === undefined) {
    r = recompiler(doc, meta) ?? null;
    byMeta.set(key, r);
  }
  return r;
}

/**
 * Compiles the document with the targets at `values`; throws a RangeError with the first error. The
 * document's structure is compiled once (the first time it is asked for, per model name) and each
 * setting only draws its numbers again (`Recompiler`); the model is the one `compileFresh` gives.
 */
export function compileAt(
  doc: Scenario,
  targets: readonly ParamTarget[],
  values: ArrayLike<number>,
  meta: { hash: string; interventions: string[] },
): Model {
  const r = targets.length > 0 ? recompilerOf(doc, meta) : null;
  const model = r?.renumber(drawnFields(doc, targets, values));
  // A setting that does not compile is compiled from scratch, for its diagnostic.
  return model ?? compileFresh(doc, targets, values, meta);
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
