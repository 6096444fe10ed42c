// Completion from the scenario JSON Schema for block-style YAML: the key path at the cursor comes from
// indentation (the lines above with less indent), then the schema at that path gives the keys allowed
// there (with their descriptions) or, after `key: `, the values allowed (enums, booleans).
import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | boolean;
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  required?: string[];
};

function alternatives(s: JsonSchema): JsonSchema[] {
  const alts = s.anyOf ?? s.oneOf;
  return alts ? alts.flatMap(alternatives) : [s];
}

/** The schemas that may describe the value at `path` (keys of mappings; `-` for a list item). */
export function schemasAt(root: JsonSchema, path: readonly string[]): JsonSchema[] {
  let cands = [root];
  for (const seg of path) {
    const next: JsonSchema[] = [];
    for (const c of cands.flatMap(alternatives)) {
      if (seg === '-') {
        if (c.items && typeof c.items === 'object') next.push(c.items);
        for (const p of c.prefixItems ?? []) next.push(p);
        continue;
      }
      const prop = c.properties?.[seg];
      if (prop) next.push(prop);
      else if (c.additionalProperties && typeof c.additionalProperties === 'object')
        next.push(c.additionalProperties);
    }
    cands = next;
  }
  return cands;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The key path of a line at `indent` in `lines` (before index `at`), from the lines above. */
export function pathAt(lines: readonly string[], at: number, indent: number): string[] {
  const path: string[] = [];
  let want = indent;
  for (let i = at - 1; i >= 0 && want > 0; i--) {
    const line = lines[i]!;
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const ind = indentOf(line);
    if (ind >= want) continue;
    const m = line.slice(ind).match(/^(-\s+)?([A-Za-z0-9_.\-/"']+)\s*:\s*(#.*)?$/);
    const item = line.slice(ind).match(/^-\s+/);
    if (m) {
      path.unshift(m[2]!.replace(/^["']|["']$/g, ''));
      if (m[1]) path.unshift('-');
    } else if (item) path.unshift('-');
    else return path; // a line we do not understand (flow style): stop here
    want = ind;
  }
  return path;
}

function describe(s: JsonSchema): string | undefined {
  const types = alternatives(s)
    .map((a) =>
      a.enum
        ? a.enum.map((v) => JSON.stringify(v)).join(' | ')
        : Array.isArray(a.type)
          ? a.type.join(' | ')
          : a.type,
    )
    .filter(Boolean);
  const t = [...new Set(types)].join(' or ');
  return [t, s.description].filter(Boolean).join(' — ') || undefined;
}

export function schemaCompletion(schema: JsonSchema) {
  return (ctx: CompletionContext): CompletionResult | null => {
    const line = ctx.state.doc.lineAt(ctx.pos);
    const before = line.text.slice(0, ctx.pos - line.from);
    const lines = ctx.state.doc.toString().split('\n');
    const at = line.number - 1;
    // A value after `key: `
    const valueMatch = before.match(/^(\s*)(?:-\s+)?([A-Za-z0-9_.\-/]+):\s+([\w-]*)$/);
    if (valueMatch) {
      const indent = valueMatch[1]!.length + (before.trimStart().startsWith('-') ? 2 : 0);
      const path = [...pathAt(lines, at, indent), valueMatch[2]!];
      const options: Completion[] = [];
      for (const s of schemasAt(schema, path).flatMap(alternatives)) {
        for (const v of s.enum ?? []) options.push({ label: String(v), type: 'enum' });
        if (s.const !== undefined) options.push({ label: String(s.const), type: 'constant' });
        if (s.type === 'boolean')
          options.push({ label: 'true', type: 'keyword' }, { label: 'false', type: 'keyword' });
      }
      if (!options.length) return null;
      return { from: ctx.pos - valueMatch[3]!.length, options, validFor: /^[\w-]*$/ };
    }
    // A key at the start of a line (or of a list item)
    const keyMatch = before.match(/^(\s*)(-\s+)?([A-Za-z0-9_-]*)$/);
    if (!keyMatch) return null;
    // On an empty line, only when asked (Ctrl-Space): typing a newline should not pop a list up.
    if (!ctx.explicit && keyMatch[3] === '') return null;
    const indent = keyMatch[1]!.length + (keyMatch[2]?.length ?? 0);
    const path = pathAt(lines, at, keyMatch[1]!.length);
    if (keyMatch[2]) path.push('-');
    // Keys already present at this level are not offered again.
    const present = new Set<string>();
    for (let i = at - 1; i >= 0; i--) {
      const l = lines[i]!;
      if (!l.trim()) continue;
      if (indentOf(l) < indent) break;
      if (indentOf(l) === indent) present.add(l.trim().split(':')[0]!);
    }
    const options: Completion[] = [];
    for (const s of schemasAt(schema, path).flatMap(alternatives)) {
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if (present.has(k)) continue;
        const info = describe(v);
        options.push({
          label: k,
          type: 'property',
          apply: `${k}: `,
          ...(info ? { detail: info.length > 60 ? `${info.slice(0, 57)}…` : info, info } : {}),
          boost: s.required?.includes(k) ? 1 : 0,
        });
      }
    }
    if (!options.length) return null;
    return { from: ctx.pos - keyMatch[3]!.length, options, validFor: /^[\w-]*$/ };
  };
}
