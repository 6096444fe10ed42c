// Writes the generated parts of docs/scenario-language.md: the field reference (from the JSON Schema
// that the zod schema exports, so the tables cannot drift from the validator) and the diagnostic codes.
// Run: npx tsx scripts/gen-docs.ts   (test/docs.test.ts fails when the committed docs are stale)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CODES } from '../src/scenario/diagnostics.ts';
import { scenarioJsonSchema } from '../src/scenario/schema.ts';

type JsonSchema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  propertyNames?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  description?: string;
  default?: unknown;
};

export const DOC_FILE = fileURLToPath(new URL('../docs/scenario-language.md', import.meta.url));

// Names for the id patterns of schema.ts, as a reader knows them.
const PATTERNS: Record<string, string> = {
  '^[A-Za-z][A-Za-z0-9_]*$': 'actor id',
  '^[a-z0-9][a-z0-9-]*$': 'id',
  '^[A-Za-z][A-Za-z0-9_]*\\.[a-z0-9][a-z0-9-]*(\\/[a-z0-9][a-z0-9-]*)?$': 'act (`ACTOR.action[/outcome]`)',
  '^([A-Za-z][A-Za-z0-9_]*\\.)?[a-z0-9][a-z0-9-]*$': 'response (`action`, `ACTOR.action` or `wait`)',
  '^[A-Za-z][A-Za-z0-9_]*:[a-z0-9][a-z0-9-]*$': 'belief (`ACTOR:type`)',
};
const KEY_NAMES: Record<string, string> = {
  'actor id': '<actor>',
  id: '<id>',
  'act (`ACTOR.action[/outcome]`)': '<ACTOR.action>',
  'response (`action`, `ACTOR.action` or `wait`)': '<response>',
};
const DIST_KEYS = ['uniform', 'triangular', 'beta', 'normal', 'lognormal'];
const SAFE = 9007199254740991;

const isObject = (s: JsonSchema) => s.type === 'object' && s.properties !== undefined;

const isDistributions = (b: JsonSchema) =>
  !!b.anyOf?.every((d) => Object.keys(d.properties ?? {}).some((k) => DIST_KEYS.includes(k)));
const isParamRef = (b: JsonSchema) => Object.keys(b.properties ?? {}).join() === 'param';

/** A number-or-distribution parameter (Param or NamedParam in schema.ts). */
function isParam(s: JsonSchema): boolean {
  const branches = s.anyOf ?? [];
  return (
    branches[0]?.type === 'number' &&
    branches.some(isDistributions) &&
    branches.every((b) => b.type === 'number' || isDistributions(b) || isParamRef(b))
  );
}

function distributions(s: JsonSchema): JsonSchema[] | undefined {
  return isParam(s) ? s.anyOf!.find(isDistributions)?.anyOf : undefined;
}

function numberRange(s: JsonSchema): string {
  const lo =
    s.exclusiveMinimum !== undefined
      ? `> ${s.exclusiveMinimum}`
      : s.minimum !== undefined && s.minimum > -SAFE
        ? `≥ ${s.minimum}`
        : '';
  const hi =
    s.exclusiveMaximum !== undefined
      ? `< ${s.exclusiveMaximum}`
      : s.maximum !== undefined && s.maximum < SAFE
        ? `≤ ${s.maximum}`
        : '';
  const base = s.type === 'integer' ? 'whole number' : 'number';
  if (s.minimum !== undefined && s.maximum !== undefined && s.maximum < SAFE && s.minimum > -SAFE)
    return `${base} ${s.minimum}–${s.maximum}`;
  return [base, lo, hi].filter(Boolean).join(' ');
}

function keyName(s: JsonSchema | undefined): string {
  if (!s) return '<key>';
  if (s.enum) return '<domain>';
  const name = s.pattern ? PATTERNS[s.pattern] : undefined;
  return (name && KEY_NAMES[name]) ?? '<key>';
}

function typeOf(s: JsonSchema): string {
  if (isParam(s))
    return s.anyOf!.some(isParamRef) ? 'number, distribution or `{param: name}`' : 'number or distribution';
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' | ');
  if (s.anyOf) return [...new Set(s.anyOf.map(typeOf))].join(' or ');
  switch (s.type) {
    case 'string':
      return s.pattern ? (PATTERNS[s.pattern] ?? 'text') : 'text';
    case 'number':
    case 'integer':
      return numberRange(s);
    case 'boolean':
      return '`true` | `false`';
    case 'array': {
      if (s.prefixItems) return `[${s.prefixItems.map(typeOf).join(', ')}]`;
      const item = s.items ? typeOf(s.items) : 'value';
      if (s.minItems !== undefined && s.minItems === s.maxItems) return `list of ${s.minItems} × ${item}`;
      return `list of ${item}${s.minItems ? ` (at least ${s.minItems})` : ''}`;
    }
    case 'object': {
      if (s.properties) return 'object';
      const value = typeof s.additionalProperties === 'object' ? typeOf(s.additionalProperties) : 'value';
      return `map ${keyName(s.propertyNames)} → ${value}`;
    }
    default:
      return 'any value';
  }
}

interface Section {
  path: string;
  schema: JsonSchema;
  note?: string;
}

/** Every object type in the schema, outside in, each once (a repeated shape points at its first use). */
function collectSections(root: JsonSchema): { sections: Section[]; seen: Map<string, string> } {
  const sections: Section[] = [];
  const seen = new Map<string, string>();
  const visit = (s: JsonSchema, path: string, note?: string) => {
    if (isParam(s)) return;
    if (s.anyOf) {
      const objects = s.anyOf.filter((b) => isObject(b) || b.type === 'array' || b.additionalProperties);
      const forms = s.anyOf.filter(isObject).length;
      let k = 0;
      for (const b of objects) {
        const form =
          isObject(b) && forms > 1 ? `form ${++k}: {${Object.keys(b.properties!).join(', ')}}` : note;
        visit(b, path, form);
      }
      return;
    }
    if (s.type === 'array' && s.items) {
      visit(s.items, `${path}[]`, note);
      return;
    }
    if (s.type === 'object' && !s.properties && typeof s.additionalProperties === 'object') {
      visit(s.additionalProperties, `${path}.${keyName(s.propertyNames)}`, note);
      return;
    }
    if (!isObject(s)) return;
    const key = JSON.stringify(s);
    if (seen.has(key)) return;
    seen.set(key, path);
    sections.push(note ? { path, schema: s, note } : { path, schema: s });
    for (const [name, child] of Object.entries(s.properties!)) visit(child, path ? `${path}.${name}` : name);
  };
  visit(root, '');
  return { sections, seen };
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(s: JsonSchema, seen: Map<string, string>, here: string): string {
  const rows = ['| field | type | required / default | meaning |', '| --- | --- | --- | --- |'];
  for (const [name, f] of Object.entries(s.properties!)) {
    let type = typeOf(f);
    const target = findObject(f);
    const where = target ? seen.get(JSON.stringify(target)) : undefined;
    const base = here ? `${here}.${name}` : name;
    if (where !== undefined && !where.startsWith(base)) type += ` (as \`${where || 'the document'}\`)`;
    const req = s.required?.includes(name)
      ? '**required**'
      : f.default !== undefined
        ? `\`${JSON.stringify(f.default)}\``
        : '';
    rows.push(`| \`${name}\` | ${cell(type)} | ${cell(req)} | ${cell(f.description ?? '')} |`);
  }
  return rows.join('\n');
}

/** The object shape a field holds (directly, in a map, or in a list), to point at its section. */
function findObject(s: JsonSchema): JsonSchema | undefined {
  if (isParam(s)) return undefined;
  if (isObject(s)) return s;
  if (s.type === 'array' && s.items) return findObject(s.items);
  if (typeof s.additionalProperties === 'object') return findObject(s.additionalProperties);
  return undefined;
}

/** The field reference: one table per object type, then the distribution forms. */
export function renderReference(): string {
  const root = scenarioJsonSchema() as JsonSchema;
  const { sections, seen } = collectSections(root);
  const out: string[] = [];
  for (const sec of sections) {
    const title = sec.path ? `\`${sec.path}\`` : 'The document';
    out.push(`#### ${title}${sec.note ? ` (${sec.note})` : ''}`, '', table(sec.schema, seen, sec.path), '');
  }
  // Any number may be a distribution: the forms, once.
  let dists: JsonSchema[] | undefined;
  const find = (s: unknown): void => {
    if (dists || typeof s !== 'object' || s === null) return;
    dists = distributions(s as JsonSchema);
    if (!dists) for (const v of Object.values(s)) find(v);
  };
  find(root);
  out.push(
    '#### Distributions',
    '',
    'Wherever the type says *distribution*, one of these may stand for the number (and where it says',
    '`{param: name}`, a reference to an entry of `params`, which holds a number or one of these):',
    '',
  );
  out.push('| form | parameters | also |', '| --- | --- | --- |');
  for (const d of dists ?? []) {
    const [name, p] = Object.entries(d.properties!).find(([k]) => DIST_KEYS.includes(k))!;
    const others = Object.entries(d.properties!)
      .filter(([k]) => k !== name)
      .map(([k, v]) => `\`${k}\`: ${v.description ?? ''}`)
      .join('; ');
    out.push(`| \`{${name}: ${typeOf(p)}}\` | ${cell(p.description ?? '')} | ${cell(others)} |`);
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** The table of diagnostic codes. */
export function renderCodes(): string {
  const rows = ['| code | severity | meaning |', '| --- | --- | --- |'];
  for (const [code, meaning] of Object.entries(CODES)) {
    rows.push(`| \`${code}\` | ${code.startsWith('W_') ? 'warning' : 'error'} | ${cell(meaning)} |`);
  }
  return `${rows.join('\n')}\n`;
}

/** `text` with the generated parts between their markers replaced by fresh ones. */
export function updateDocs(text: string): string {
  const parts: Record<string, string> = { reference: renderReference(), codes: renderCodes() };
  let out = text;
  for (const [name, body] of Object.entries(parts)) {
    const begin = `<!-- BEGIN GENERATED: ${name} (scripts/gen-docs.ts) -->`;
    const end = `<!-- END GENERATED: ${name} -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`docs/scenario-language.md lacks the ${name} markers`);
    out = `${out.slice(0, i + begin.length)}\n\n${body}\n${out.slice(j)}`;
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = readFileSync(DOC_FILE, 'utf8');
  const next = updateDocs(text);
  if (next !== text) writeFileSync(DOC_FILE, next);
  process.stdout.write(
    next === text ? 'docs/scenario-language.md is up to date\n' : 'wrote docs/scenario-language.md\n',
  );
}
