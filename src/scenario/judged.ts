// Judged numbers held fixed: every field the format lets carry a distribution (a probability, a rate, a
// utility: `Param`, `Prob`, `NonNeg`, named `params`) that a document gives as a plain number. Parameter
// draws (`--epistemic`) and sensitivity analyses cannot vary them; `brink validate --strict` lists them
// as W_FIXED_JUDGED diagnostics, by field path. Found by walking the schema beside the document, so a new
// field that takes a distribution is covered without a list to keep.
import type { z } from 'zod';
import { type Diagnostic, formatPath } from './diagnostics.ts';
import { getIn } from './merge.ts';
import { isDistribution, isParamRef, type Path, sumGroup } from './params.ts';
import { type Locations, locate, withPos } from './parse.ts';
import { Distribution, Scenario } from './schema.ts';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: readonly z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  getter?: () => z.ZodType;
  items?: readonly z.ZodType[];
}

const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A union that accepts a distribution: the field is a judged number. */
function takesDistribution(s: z.ZodType): boolean {
  const d = defOf(s);
  return d.type === 'union' && (d.options ?? []).includes(Distribution);
}

/** The field paths (and values) of judged numbers given as plain numbers, in document order. */
export function fixedJudgedNumbers(doc: unknown): { path: Path; value: number }[] {
  const out: { path: Path; value: number }[] = [];
  const walk = (s: z.ZodType, v: unknown, path: Path): void => {
    if (v === undefined || v === null) return;
    const d = defOf(s);
    switch (d.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'prefault':
      case 'readonly':
      case 'catch':
      case 'nonoptional':
        walk(d.innerType!, v, path);
        return;
      case 'pipe':
        walk(d.in!, v, path);
        return;
      case 'lazy':
        walk(d.getter!(), v, path);
        return;
      case 'object':
        if (typeof v !== 'object' || Array.isArray(v)) return;
        for (const [k, x] of Object.entries(v)) {
          const f = d.shape?.[k];
          if (f) walk(f, x, [...path, k]);
        }
        return;
      case 'record':
        if (typeof v !== 'object' || Array.isArray(v)) return;
        for (const [k, x] of Object.entries(v)) walk(d.valueType!, x, [...path, k]);
        return;
      case 'array':
        if (Array.isArray(v)) for (const [i, x] of v.entries()) walk(d.element!, x, [...path, i]);
        return;
      case 'tuple':
        if (Array.isArray(v))
          for (const [i, x] of v.entries()) {
            const item = d.items?.[i];
            if (item) walk(item, x, [...path, i]);
          }
        return;
      case 'union': {
        if (takesDistribution(s)) {
          if (typeof v === 'number') out.push({ path, value: v });
          return;
        }
        const o = (d.options ?? []).find((x) => x.safeParse(v).success);
        if (o) walk(o, v, path);
        return;
      }
      default:
        return;
    }
  };
  walk(Scenario, doc, []);
  // An entry of a table that sums to 1 beside an entry with a distribution takes what the drawn
  // entries leave, and the only entry of a table is 1 whatever is drawn (a rule's one certain
  // response): neither is held fixed by a missing distribution.
  return out.filter(({ path }) => {
    const g = sumGroup(path);
    if (!g) return true;
    const table = getIn(doc, g.table);
    if (typeof table !== 'object' || table === null) return true;
    const entries = Object.values(table);
    if (entries.length === 1) return false;
    return !entries.some((e) => {
      const v = getIn(e, g.inner);
      return isDistribution(v) || isParamRef(v);
    });
  });
}

/** The W_FIXED_JUDGED diagnostics of a document (merged, before or after validation), located in its files. */
export function fixedJudgedDiagnostics(doc: unknown, locations?: Locations): Diagnostic[] {
  return fixedJudgedNumbers(doc).map(({ path, value }) =>
    withPos(
      {
        code: 'W_FIXED_JUDGED',
        severity: 'warning',
        path,
        message: `${formatPath(path)} = ${value} is a judged number without a distribution: parameter draws (--epistemic) and sensitivity analyses hold it fixed`,
        hint: `give it a distribution and its source, e.g. {triangular: [lo, ${value}, hi], value: ${value}, source: judgement}; in a table that sums to 1, {beta: [a_i, A - a_i]} on every entry with one A is a Dirichlet(a)`,
      },
      locate(locations, path),
    ),
  );
}
