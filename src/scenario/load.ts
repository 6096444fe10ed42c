// The scenario pipeline: read → parse → extends → schema → interventions → --set → compile, with every
// diagnostic located in the source text. Pure: files come through `readFile`, so this runs in a browser.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import type { Model } from '../engine/model.ts';
import { compile } from './compile.ts';
import { type Diagnostic, didYouMean, formatPath, hasErrors, listed } from './diagnostics.ts';
import { dyadFeaturesOf, featureOverrides } from './generic-features.ts';
import { getIn, isPlainObject, mergePatch, type Path, setPath } from './merge.ts';
import { isParamRef } from './params.ts';
import { type Locations, locate, locationsAt, type Parsed, parseText, withPos } from './parse.ts';
import { Scenario } from './schema.ts';

/** Where files come from. Paths are opaque strings; `resolve` finds a file named in `extends`. */
export interface LoadIo {
  /** The text of a file, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
  /** The path of `rel` named in `fromFile` (default: POSIX-style join relative to its directory). */
  resolve?(fromFile: string, rel: string): string;
  /** Parses a file's text (default: parseText); a caller may memoise it for files read again and again. */
  parse?(text: string, file: string): Parsed;
}

export interface Loaded {
  /** The merged, validated document (a scenario, not a library). */
  doc?: Scenario;
  /** The merged document before validation (also set for libraries). */
  value?: Record<string, unknown>;
  kind: 'scenario' | 'library';
  locations: Locations;
  /** sha256 of the canonical JSON of the validated document. */
  hash?: string;
  diagnostics: Diagnostic[];
  /** Every file read: the entry file first, then the files it extends. */
  files: string[];
}

/** Appends without spreading: a file may produce more diagnostics than a call can take arguments. */
function append<T>(target: T[], items: readonly T[]): void {
  for (const x of items) target.push(x);
}

// ---------------------------------------------------------------------------------------------
// Paths without node:path

/** Joins `rel` to the directory of `fromFile` and normalizes `.` and `..` (POSIX separators). */
export function resolveRelative(fromFile: string, rel: string): string {
  if (rel.startsWith('/') || /^[A-Za-z]:[\\/]/.test(rel)) return normalizePath(rel);
  const slash = fromFile.lastIndexOf('/');
  const dir = slash >= 0 ? fromFile.slice(0, slash + 1) : '';
  return normalizePath(dir + rel);
}

function normalizePath(p: string): string {
  const absolute = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  return (absolute ? '/' : '') + out.join('/');
}

/** `file` relative to the directory of `entry` when it lies below it, for shorter messages. */
function shortPath(file: string, entry: string): string {
  const dir = entry.slice(0, entry.lastIndexOf('/') + 1);
  return dir && file.startsWith(dir) ? file.slice(dir.length) : file;
}

// ---------------------------------------------------------------------------------------------
// Walking the zod schema by field path

type Schema = z.ZodType;

function unwrap(s: Schema): Schema {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) {
      s = s.unwrap() as Schema;
    } else return s;
  }
}

/** The non-union alternatives a schema stands for. */
function alternatives(s: Schema): Schema[] {
  const u = unwrap(s);
  return u instanceof z.ZodUnion ? (u.options as Schema[]).flatMap(alternatives) : [u];
}

function childSchemas(s: Schema, key: string | number): Schema[] {
  const out: Schema[] = [];
  for (const a of alternatives(s)) {
    if (a instanceof z.ZodObject) {
      const f = (a.shape as Record<string, Schema>)[String(key)];
      if (f) out.push(f);
    } else if (a instanceof z.ZodRecord) out.push(a.valueType as Schema);
    else if (a instanceof z.ZodArray && /^\d+$/.test(String(key))) out.push(a.element as Schema);
    else if (a instanceof z.ZodTuple) {
      const item = (a.def.items as Schema[])[Number(key)];
      if (item) out.push(item);
    }
  }
  return out;
}

/** The schemas that may describe the value at `path` of a scenario. */
export function schemasAt(path: readonly (string | number)[], root: Schema = Scenario): Schema[] {
  let cands: Schema[] = [root];
  for (const seg of path) cands = cands.flatMap((c) => childSchemas(c, seg));
  return cands;
}

/** The object schemas (fixed fields) among `cands`. */
function objectShapes(cands: Schema[]): Record<string, Schema>[] {
  return cands
    .flatMap(alternatives)
    .filter((a): a is z.ZodObject => a instanceof z.ZodObject)
    .map((a) => a.shape as Record<string, Schema>);
}

/**
 * The field order of the fixed-field object at `path` that has every key in `keys`, or undefined when
 * the map there is keyed by names (a record, whose order is the author's and may matter).
 */
export function fieldOrder(
  path: readonly (string | number)[],
  keys: readonly string[],
): string[] | undefined {
  for (const shape of objectShapes(schemasAt(path))) {
    if (keys.every((k) => Object.hasOwn(shape, k))) return Object.keys(shape);
  }
  return undefined;
}

function requiredFields(shape: Record<string, Schema>): string[] {
  return Object.entries(shape)
    .filter(([, f]) => !f.safeParse(undefined).success)
    .map(([k]) => k);
}

// ---------------------------------------------------------------------------------------------
// Canonical hash

/**
 * JSON with fixed-field objects' keys sorted and named maps (records) in document order: the order of
 * actors, outcomes and doctrine rules changes what a run does (stream keys, draws, first matching rule),
 * so it is part of the content; the order of fields within an object is not.
 */
export function canonicalJson(value: unknown, path: Path = []): string {
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v, [...path, i])).join(',')}]`;
  if (isPlainObject(value)) {
    let keys = Object.keys(value).filter((k) => value[k] !== undefined);
    // An intervention patch is a partial scenario: its fixed-field objects are sorted by the same rule.
    const shapePath = path[0] === 'interventions' && path[2] === 'patch' ? path.slice(3) : path;
    if (fieldOrder(shapePath, keys)) keys = keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], [...path, k])}`).join(',')}}`;
  }
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : JSON.stringify(value);
  return JSON.stringify(value) ?? 'null';
}

/** sha256 (hex) of the canonical JSON of a validated document. */
export function contentHash(doc: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(doc))));
}

// ---------------------------------------------------------------------------------------------
// Zod issues → located diagnostics

type Issue = z.core.$ZodIssue;

// zod's own English messages start like this; messages written in schema.ts do not.
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (big|small)|Unrecognized)/;

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return v instanceof Uint8Array ? 'binary data' : 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  return String(v);
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  literal: 'a fixed value',
};

function expectedName(issue: Issue, path: Path): string {
  const name = 'expected' in issue ? String(issue.expected) : 'a value';
  if (name === 'tuple') {
    const tuple = schemasAt(path)
      .flatMap(alternatives)
      .find((s): s is z.ZodTuple => s instanceof z.ZodTuple);
    if (tuple) return `a list of ${tuple.def.items.length} numbers`;
  }
  return EXPECTED[name] ?? name;
}

function isTuple(path: Path): z.ZodTuple | undefined {
  return schemasAt(path)
    .flatMap(alternatives)
    .find((s): s is z.ZodTuple => s instanceof z.ZodTuple);
}

function sizeMessage(
  issue: Extract<Issue, { code: 'too_big' | 'too_small' }>,
  path: Path,
  v: unknown,
): string {
  const big = issue.code === 'too_big';
  const bound = big ? (issue as { maximum: unknown }).maximum : (issue as { minimum: unknown }).minimum;
  const inclusive = issue.inclusive !== false;
  if (issue.origin === 'array' || Array.isArray(v)) {
    const n = Array.isArray(v) ? v.length : 0;
    const tuple = isTuple(path);
    if (tuple) return `expected ${tuple.def.items.length} items, got ${n}`;
    return `expected ${big ? 'at most' : 'at least'} ${String(bound)} item${bound === 1 ? '' : 's'}, got ${n}`;
  }
  if (issue.origin === 'string')
    return `expected text of ${big ? 'at most' : 'at least'} ${String(bound)} characters`;
  const rel = big ? (inclusive ? 'at most' : 'below') : inclusive ? 'at least' : 'above';
  return `must be ${rel} ${String(bound)}, got ${describeValue(v)}`;
}

/** Depth of the most specific issue in a union branch (nested unions by their own best branch). */
function branchDepth(issues: Issue[]): number {
  let d = -1;
  for (const i of issues) {
    let depth = i.path.length;
    if (i.code === 'invalid_union') {
      const best = pickBranch(i.errors);
      if (best) depth += Math.max(0, branchDepth(best));
    }
    d = Math.max(d, depth);
  }
  return d;
}

/** Whether every alternative failed on the type of the value itself (not on its contents). */
function onlyTypeErrors(issues: Issue[]): boolean {
  return issues.every((i) =>
    i.code === 'invalid_union'
      ? i.errors.every(onlyTypeErrors)
      : i.code === 'invalid_type' && i.path.length === 0,
  );
}

const unknownKeyAtTop = (issues: Issue[]) =>
  issues.some((i) => i.code === 'unrecognized_keys' && i.path.length === 0);

/**
 * The branch of a failed union that says most about the mistake: the one whose errors go deepest
 * without failing on an unknown key at the union's own level (`{beta: [1]}` failed as a beta
 * distribution, not as a uniform one with an extra key). Undefined when no branch stands out.
 */
function pickBranch(errors: Issue[][]): Issue[] | undefined {
  const ranked = errors
    .filter((b) => !unknownKeyAtTop(b))
    .map((b) => ({ b, depth: branchDepth(b) }))
    .filter((x) => x.depth > 0)
    .sort((x, y) => y.depth - x.depth || x.b.length - y.b.length);
  const [first, second] = ranked;
  if (first && !(second && second.depth === first.depth && second.b.length === first.b.length))
    return first.b;
  // Every branch has an unknown key: take the one object that failed on nothing else.
  const onlyUnknown = errors.filter((b) =>
    b.every((i) => i.code === 'unrecognized_keys' && i.path.length === 0),
  );
  return onlyUnknown.length === 1 ? onlyUnknown[0] : undefined;
}

/** Turns zod issues for `data` into diagnostics located through `locs`. */
export function schemaDiagnostics(
  issues: readonly Issue[],
  data: unknown,
  locs: Locations,
  base: Path = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path: Path = [...base, ...(issue.path as Path)];
    const value = getIn(data, path);
    const field = path.length ? String(path[path.length - 1]) : '';
    const push = (
      code: string,
      message: string,
      opts: { hint?: string; atKey?: boolean; at?: Path } = {},
    ) => {
      const at = opts.at ?? path;
      const d: Diagnostic = { code, severity: 'error', message, path: at };
      if (opts.hint) d.hint = opts.hint;
      out.push(withPos(d, locate(locs, at, opts.atKey)));
    };
    const isVersion = path.length === 1 && path[0] === 'version';
    const parent = getIn(data, path.slice(0, -1));
    const missing =
      value === undefined && path.length > 0 && (!isPlainObject(parent) || !Object.hasOwn(parent, field));
    if (
      missing &&
      (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')
    ) {
      if (isVersion) {
        push('E_VERSION', 'missing `version`: a scenario starts with `version: 2` (or 1)', { at: [] });
        continue;
      }
      const about = schemasAt(path).find((f) => f.description)?.description;
      const options =
        issue.code === 'invalid_value' ? `one of ${issue.values.map(String).join(', ')}` : undefined;
      const hint = about ?? options;
      push('E_SCHEMA_REQUIRED', `missing required field \`${field}\``, {
        atKey: true,
        ...(hint ? { hint: `${field}: ${hint}` } : {}),
      });
      continue;
    }
    switch (issue.code) {
      case 'invalid_union': {
        if (isVersion) {
          push('E_VERSION', `version must be 1 or 2, got ${describeValue(value)}`);
          break;
        }
        const best = pickBranch(issue.errors);
        if (best) {
          append(out, schemaDiagnostics(best, data, locs, path));
          break;
        }
        const allTypes = onlyTypeErrors([issue]);
        let message = issue.message;
        if (ZOD_DEFAULT_MESSAGE.test(message)) {
          const names = [
            ...new Set(
              issue.errors
                .flat()
                .filter((i) => i.path.length === 0)
                .map((i) => expectedName(i, path)),
            ),
          ];
          message = `expected ${names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? 'another value')}`;
        }
        push(allTypes ? 'E_SCHEMA_TYPE' : 'E_SCHEMA_VALUE', `${message}; got ${describeValue(value)}`);
        break;
      }
      case 'unrecognized_keys': {
        const known = objectShapes(schemasAt(path)).flatMap((s) => Object.keys(s));
        for (const key of issue.keys) {
          const guess = didYouMean(key, known);
          const hint = guess
            ? `did you mean \`${guess}\`?`
            : known.length
              ? `allowed here: ${[...new Set(known)].join(', ')}`
              : undefined;
          push('E_SCHEMA_UNKNOWN_KEY', `unknown key \`${key}\``, {
            atKey: true,
            at: [...path, key],
            ...(hint ? { hint } : {}),
          });
        }
        break;
      }
      case 'invalid_type':
        push(
          isVersion ? 'E_VERSION' : 'E_SCHEMA_TYPE',
          `${isVersion ? 'version must be 1 or 2, got' : `expected ${expectedName(issue, path)}, got`} ${describeValue(value)}`,
        );
        break;
      case 'invalid_value': {
        if (isVersion) {
          push(
            'E_VERSION',
            `${ZOD_DEFAULT_MESSAGE.test(issue.message) ? 'version must be 1 or 2' : issue.message}; got ${describeValue(value)}`,
          );
          break;
        }
        const options = issue.values.map((v) => String(v));
        const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
        const message =
          options.length === 1
            ? `expected ${JSON.stringify(issue.values[0])}, got ${describeValue(value)}`
            : `expected one of ${options.join(', ')}; got ${describeValue(value)}`;
        push('E_SCHEMA_VALUE', message, guess ? { hint: `did you mean \`${guess}\`?` } : {});
        break;
      }
      case 'too_big':
      case 'too_small':
        push('E_SCHEMA_VALUE', sizeMessage(issue, path, value));
        break;
      case 'invalid_key': {
        const inner = issue.issues[0];
        const why = inner && !ZOD_DEFAULT_MESSAGE.test(inner.message) ? `: ${inner.message}` : '';
        push('E_SCHEMA_VALUE', `\`${field}\` is not a valid name here${why}`, { atKey: true });
        break;
      }
      case 'invalid_format': {
        const why = ZOD_DEFAULT_MESSAGE.test(issue.message)
          ? `expected ${issue.format} format`
          : issue.message;
        push('E_SCHEMA_VALUE', `${why}; got ${describeValue(value)}`);
        break;
      }
      default:
        push('E_SCHEMA_VALUE', issue.message);
    }
  }
  return out;
}

const Library = Scenario.partial().required({ version: true });

/** Validates a merged document with the schema (a library structurally only). */
function validate(
  value: Record<string, unknown>,
  locs: Locations,
): { doc?: Scenario; diagnostics: Diagnostic[] } {
  if (value.kind === 'library') {
    const r = Library.safeParse(value);
    return { diagnostics: r.success ? [] : schemaDiagnostics(r.error.issues, value, locs) };
  }
  const r = Scenario.safeParse(value);
  if (r.success) return { doc: r.data, diagnostics: [] };
  return { diagnostics: schemaDiagnostics(r.error.issues, value, locs) };
}

// ---------------------------------------------------------------------------------------------
// Loading with extends

interface FileResult {
  value?: Record<string, unknown>;
  locations: Locations;
  diagnostics: Diagnostic[];
  /** The file could not be read at all. */
  missing?: boolean;
}

function withoutKeys(
  value: Record<string, unknown>,
  locs: Locations,
  keys: string[],
): { value: Record<string, unknown>; locations: Locations } {
  const v = { ...value };
  const children = new Map(locs.children ?? []);
  for (const k of keys) {
    delete v[k];
    children.delete(k);
  }
  return { value: v, locations: { ...locs, children } };
}

/**
 * Reads a scenario file and the files it extends, merges them (bases in order, then the file on top,
 * as merge patches) and validates the result against the schema.
 */
export function loadDocument(path: string, io: LoadIo): Loaded {
  const resolve = io.resolve ?? resolveRelative;
  const files: string[] = [];
  const cache = new Map<string, FileResult>();

  const load = (file: string, chain: string[]): FileResult => {
    const cached = cache.get(file);
    if (cached) return cached;
    if (!files.includes(file)) files.push(file);
    const text = io.readFile(file);
    if (text === undefined) return { locations: {}, diagnostics: [], missing: true };
    const parsed = (io.parse ?? parseText)(text, file);
    if (parsed.diagnostics.length || !isPlainObject(parsed.value)) {
      const r = { locations: parsed.locations, diagnostics: parsed.diagnostics };
      cache.set(file, r);
      return r;
    }
    const own = parsed.value;
    const ext = own.extends;
    if (ext === undefined) {
      const r = { value: own, locations: parsed.locations, diagnostics: [] };
      cache.set(file, r);
      return r;
    }
    const diagnostics: Diagnostic[] = [];
    const names = typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext : undefined;
    if (!names || names.some((n) => typeof n !== 'string')) {
      return {
        locations: parsed.locations,
        diagnostics: [
          withPos(
            {
              code: 'E_SCHEMA_TYPE',
              severity: 'error',
              message: 'extends must be a file name or a list of file names',
              path: ['extends'],
            },
            locate(parsed.locations, ['extends']),
          ),
        ],
      };
    }
    let base: unknown = {};
    let baseLocs: Locations = {};
    names.forEach((rel, i) => {
      const entryPath: Path = typeof ext === 'string' ? ['extends'] : ['extends', i];
      const at = locate(parsed.locations, entryPath);
      const target = resolve(file, rel as string);
      if (target === file || chain.includes(target)) {
        const cycle = [...chain, file, target];
        diagnostics.push(
          withPos(
            {
              code: 'E_EXTENDS_CYCLE',
              severity: 'error',
              message: `files extend each other in a cycle: ${cycle
                .slice(cycle.indexOf(target))
                .map((f) => shortPath(f, path))
                .join(' -> ')}`,
              path: entryPath,
            },
            at,
          ),
        );
        return;
      }
      const sub = load(target, [...chain, file]);
      if (sub.missing) {
        diagnostics.push(
          withPos(
            {
              code: 'E_EXTENDS_MISSING',
              severity: 'error',
              message: `cannot read \`${rel}\`${shortPath(target, path) === rel ? '' : ` (${shortPath(target, path)})`}, named in extends`,
              path: entryPath,
            },
            at,
          ),
        );
        return;
      }
      if (sub.diagnostics.length || !sub.value) {
        append(diagnostics, sub.diagnostics);
        return;
      }
      // A base's kind (library) and its own extends are not inherited.
      const stripped = withoutKeys(sub.value, sub.locations, ['kind', 'extends']);
      const m = mergePatch(base, stripped.value, baseLocs, stripped.locations);
      base = m.value;
      baseLocs = m.locations;
    });
    if (hasErrors(diagnostics)) return { locations: parsed.locations, diagnostics };
    const self = withoutKeys(own, parsed.locations, ['extends']);
    const m = mergePatch(base, self.value, baseLocs, self.locations);
    const r = { value: m.value as Record<string, unknown>, locations: m.locations, diagnostics };
    cache.set(file, r);
    return r;
  };

  const top = load(path, []);
  if (top.missing) {
    const d: Diagnostic = {
      code: 'E_FILE_NOT_FOUND',
      severity: 'error',
      message: 'the file does not exist or cannot be read',
      path: [],
      file: path,
    };
    return { kind: 'scenario', locations: {}, diagnostics: [d], files };
  }
  const kind = top.value?.kind === 'library' ? 'library' : 'scenario';
  if (!top.value || hasErrors(top.diagnostics)) {
    return { kind, locations: top.locations, diagnostics: top.diagnostics, files };
  }
  const v = validate(top.value, top.locations);
  const loaded: Loaded = {
    value: top.value,
    kind,
    locations: top.locations,
    diagnostics: [...top.diagnostics, ...v.diagnostics],
    files,
  };
  if (v.doc) {
    loaded.doc = v.doc;
    loaded.hash = contentHash(v.doc);
  } else if (kind === 'library' && v.diagnostics.length === 0) {
    loaded.hash = contentHash(top.value);
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------
// Interventions and --set

function setLocationsAt(
  locs: Locations,
  path: readonly (string | number)[],
  sub: Locations | undefined,
): Locations {
  if (path.length === 0) return sub ?? {};
  const [head, ...rest] = path;
  const children = new Map(locs.children ?? []);
  children.set(String(head), setLocationsAt(children.get(String(head)) ?? {}, rest, sub));
  return { ...locs, children };
}

/** Names on the command line: `a+b` is a then b. */
export function expandInterventions(names: readonly string[]): string[] {
  return names
    .flatMap((n) => n.split('+'))
    .map((n) => n.trim())
    .filter((n) => n !== '');
}

function patchWarnings(
  target: unknown,
  patch: unknown,
  path: Path,
  ivName: string,
  ivLocs: Locations | undefined,
): Diagnostic[] {
  if (!isPlainObject(patch) || !isPlainObject(target)) return [];
  const out: Diagnostic[] = [];
  const existing = Object.keys(target);
  for (const [key, pv] of Object.entries(patch)) {
    const at = locationsAt(ivLocs, [...path, key]);
    const pos = at?.key ?? at?.at;
    if (Object.hasOwn(target, key)) {
      if (pv !== null) append(out, patchWarnings(target[key], pv, [...path, key], ivName, ivLocs));
      continue;
    }
    const guess = didYouMean(
      key,
      existing.filter((k) => !Object.hasOwn(patch, k)),
    );
    if (pv === null) {
      const d: Diagnostic = {
        code: 'W_UNUSED_INTERVENTION_PATCH',
        severity: 'warning',
        message: `intervention \`${ivName}\` deletes \`${formatPath([...path, key])}\`, which the scenario does not have`,
        path: [...path, key],
      };
      if (guess) d.hint = `did you mean \`${guess}\`?`;
      out.push(withPos(d, pos));
      continue;
    }
    if (!guess) continue;
    // A new entry that is complete (every required field) is a genuine addition; a partial one that is
    // named like an existing entry is most likely meant to change that entry.
    const shapes = objectShapes(schemasAt([...path, guess]));
    const complete =
      isPlainObject(pv) &&
      shapes.length > 0 &&
      shapes.some((s) => requiredFields(s).every((f) => Object.hasOwn(pv, f)));
    if (complete) continue;
    // A number next to a similarly named one (`rate-2` beside `rate`) is a new entry, not a typo.
    if (!isPlainObject(pv) && (key.startsWith(guess) || guess.startsWith(key))) continue;
    out.push(
      withPos(
        {
          code: 'W_UNUSED_INTERVENTION_PATCH',
          severity: 'warning',
          message: `intervention \`${ivName}\` adds \`${formatPath([...path, key])}\`, which the scenario does not have`,
          path: [...path, key],
          hint: `did you mean \`${guess}\`?`,
        },
        pos,
      ),
    );
  }
  return out;
}

export interface Applied {
  doc?: Scenario;
  locations: Locations;
  diagnostics: Diagnostic[];
  /** The interventions applied, in order (combinations expanded). */
  applied: string[];
}

/**
 * Applies named interventions to a validated scenario, in order (`a+b` is a then b): each one's `patch`
 * as a merge patch, then each of its `set` paths (which must exist). The result is validated again;
 * errors in patched parts point at the intervention's text.
 */
export function applyInterventions(doc: Scenario, names: readonly string[], locations: Locations): Applied {
  const applied = expandInterventions(names);
  const diagnostics: Diagnostic[] = [];
  const defined = Object.keys(doc.interventions);
  for (const name of applied) {
    if (Object.hasOwn(doc.interventions, name)) continue;
    const guess = didYouMean(name, defined);
    diagnostics.push({
      code: 'E_INTERVENTION_UNKNOWN',
      severity: 'error',
      message: `no intervention \`${name}\` in this scenario`,
      path: [],
      hint: guess
        ? `did you mean \`${guess}\`?`
        : defined.length
          ? `interventions: ${defined.join(', ')}`
          : 'this scenario defines no interventions',
    });
  }
  if (diagnostics.length) return { locations, diagnostics, applied };

  let current: unknown = doc;
  let locs = locations;
  for (const name of applied) {
    const iv = doc.interventions[name]!;
    const ivPath = ['interventions', name];
    if (iv.patch) {
      const patchLocs = locationsAt(locations, [...ivPath, 'patch']);
      append(diagnostics, patchWarnings(current, iv.patch, [], name, patchLocs));
      const m = mergePatch(current, iv.patch, locs, patchLocs ?? {});
      current = m.value;
      locs = m.locations;
    }
    for (const [p, v] of Object.entries(iv.set ?? {})) {
      const at = locationsAt(locations, [...ivPath, 'set', p]);
      const r = setPath(current, p, v, 'E_INTERVENTION_PATH');
      if ('diagnostic' in r) {
        const d = {
          ...r.diagnostic,
          message: `intervention \`${name}\`: ${r.diagnostic.message}`,
          path: [...ivPath, 'set', p],
        };
        diagnostics.push(withPos(d, at?.key ?? at?.at));
        continue;
      }
      current = r.doc;
      locs = setLocationsAt(locs, r.path, at);
    }
  }
  if (hasErrors(diagnostics)) return { locations: locs, diagnostics, applied };
  const r = Scenario.safeParse(current);
  if (!r.success) {
    const hint = `with ${applied.length > 1 ? 'interventions' : 'intervention'} ${applied.map((a) => `\`${a}\``).join(' + ')} applied`;
    for (const d of schemaDiagnostics(r.error.issues, current, locs))
      diagnostics.push({ ...d, hint: d.hint ? `${d.hint} (${hint})` : hint });
    return { locations: locs, diagnostics, applied };
  }
  return { doc: r.data, locations: locs, diagnostics, applied };
}

function isNumberLike(v: unknown): boolean {
  return (
    typeof v === 'number' ||
    isParamRef(v) ||
    (isPlainObject(v) && ['uniform', 'triangular', 'beta', 'normal', 'lognormal'].some((k) => k in v))
  );
}

/** Applies `--set` overrides: each path must exist, and a number may only replace a number (or distribution). */
export function applySets(
  doc: Scenario,
  sets: Record<string, unknown>,
  locations: Locations,
): { doc?: Scenario; locations: Locations; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let current: unknown = doc;
  const locs = locations;
  const setPaths: { written: string; path: Path }[] = [];
  for (const [p, v] of Object.entries(sets)) {
    const r = setPath(current, p, v, 'E_SET_PATH');
    if ('diagnostic' in r) {
      diagnostics.push({ ...r.diagnostic, message: `--set ${r.diagnostic.message}` });
      continue;
    }
    const old = getIn(current, r.path);
    if (typeof v === 'number' && !isNumberLike(old)) {
      diagnostics.push({
        code: 'E_SET_PATH',
        severity: 'error',
        message: `--set \`${p}\`: the value there is ${describeValue(old)}, not a number`,
        path: r.path,
      });
      continue;
    }
    current = r.doc;
    setPaths.push({ written: p, path: r.path });
  }
  if (hasErrors(diagnostics)) return { locations: locs, diagnostics };
  const r = Scenario.safeParse(current);
  if (!r.success) {
    for (const d of schemaDiagnostics(r.error.issues, current, locs)) {
      // An error in a value given with --set belongs to the command line, not to a place in the file.
      const from = setPaths.find((s) => s.path.every((seg, i) => d.path[i] === seg));
      if (!from) {
        diagnostics.push(d);
        continue;
      }
      const { file: _f, line: _l, column: _c, ...rest } = d;
      diagnostics.push({ ...rest, message: `--set ${from.written}: ${d.message}` });
    }
    return { locations: locs, diagnostics };
  }
  return { doc: r.data, locations: locs, diagnostics };
}

// ---------------------------------------------------------------------------------------------
// The use cases

export interface PrepareOptions extends LoadIo {
  /** Interventions to apply, in order (`a+b` combines). */
  interventions?: string[];
  /** Parameter overrides by dotted path (`talks.eu.rounds`: 3). */
  set?: Record<string, unknown>;
}

export interface Prepared {
  model?: Model;
  /** The document compiled: merged, validated, with interventions and overrides applied. */
  doc?: Scenario;
  /** Where each field of `doc` stands in the source files (after interventions and overrides). */
  locations?: Locations;
  /** Content hash of `doc`. */
  hash?: string;
  diagnostics: Diagnostic[];
  files: string[];
}

function locateAll(ds: readonly Diagnostic[], locs: Locations, file: string): Diagnostic[] {
  return ds.map((d) => {
    if (d.line !== undefined) return d;
    // A diagnostic about the whole run (an unknown intervention name) has no place in the text.
    if (d.path.length === 0) return d.file ? d : { ...d, file };
    const pos = locate(locs, d.path);
    return pos ? withPos(d, pos) : d.file ? d : { ...d, file };
  });
}

/** Applies interventions and overrides to a loaded scenario and compiles it. */
export function prepareLoaded(
  loaded: Loaded,
  opts: Omit<PrepareOptions, keyof LoadIo> = {},
  entry = loaded.files[0] ?? '',
): Prepared {
  const diagnostics = [...loaded.diagnostics];
  const files = loaded.files;
  if (!loaded.doc || hasErrors(diagnostics)) {
    if (loaded.kind === 'library' && !hasErrors(diagnostics)) {
      diagnostics.push(
        withPos(
          {
            code: 'E_SCHEMA_VALUE',
            severity: 'error',
            message: 'this file is a library (`kind: library`): it is meant to be extended, not run',
            path: ['kind'],
          },
          locate(loaded.locations, ['kind']),
        ),
      );
    }
    return { diagnostics, files };
  }
  let doc = loaded.doc;
  let locs = loaded.locations;
  let applied: string[] = [];
  if (opts.interventions?.length) {
    const r = applyInterventions(doc, opts.interventions, locs);
    append(diagnostics, locateAll(r.diagnostics, locs, entry));
    if (!r.doc) return { diagnostics, files };
    doc = r.doc;
    locs = r.locations;
    applied = r.applied;
  }
  // A scenario on the generic crisis library that declares `features:` gets its dyad's own kernels,
  // computed from the fitted coefficients in its params, here so that every edge (CLI, server,
  // workbench, talks) runs the same model; `set` still wins.
  const feat = featureSets(doc, locs);
  append(diagnostics, locateAll(feat.diagnostics, locs, entry));
  if (hasErrors(feat.diagnostics)) return { diagnostics, files };
  const sets = { ...feat.set, ...opts.set };
  if (Object.keys(sets).length) {
    const r = applySets(doc, sets, locs);
    append(diagnostics, r.diagnostics);
    if (!r.doc) return { diagnostics, files };
    doc = r.doc;
    locs = r.locations;
  }
  const c = compileDocument(doc, applied);
  append(diagnostics, locateAll(c.diagnostics, locs, entry));
  const out: Prepared = { doc, locations: locs, hash: c.hash, diagnostics, files };
  if (c.model && !hasErrors(diagnostics)) out.model = c.model;
  return out;
}

/** Compiles a validated document into an engine model named by its content hash. */
export function compileDocument(
  doc: Scenario,
  interventions: readonly string[],
): { model?: Model; hash: string; diagnostics: Diagnostic[] } {
  const hash = contentHash(doc);
  const c = compile(doc, { hash, interventions: [...interventions] });
  return c.model
    ? { model: c.model, hash, diagnostics: c.diagnostics }
    : { hash, diagnostics: c.diagnostics };
}

/** The `params.NAME` values that a document's `features:` imply (none without features). */
export function featureSets(
  doc: Scenario,
  locs: Locations,
): { set: Record<string, number>; diagnostics: Diagnostic[] } {
  if (!doc.features) return { set: {}, diagnostics: [] };
  const { features, located } = dyadFeaturesOf(doc.features);
  const diagnostics: Diagnostic[] = located.map((p) =>
    withPos(
      {
        code: 'E_REF_ACTOR',
        severity: 'error',
        message: p.message,
        path: p.path,
        hint: 'the generic crisis library has two actors: A (whose act opens the crisis) and B',
      },
      locate(locs, p.path),
    ),
  );
  if (diagnostics.length) return { set: {}, diagnostics };
  let set: Record<string, number> | undefined;
  let why = '';
  try {
    set = featureOverrides(doc.params, features);
  } catch (e) {
    // A fit from an older Brink (fewer coefficients): the user refits.
    why = ` (${e instanceof Error ? e.message : String(e)}; run \`brink fit\`)`;
  }
  if (!set) {
    return {
      set: {},
      diagnostics: [
        withPos(
          {
            code: 'E_PARAM_UNKNOWN',
            severity: 'error',
            message: `\`features:\` needs the generic crisis library (extend scenarios/lib/generic-actors.yaml), whose fitted coefficients (params gfit-*) turn them into kernels${why}`,
            path: ['features'],
          },
          locate(locs, ['features']),
        ),
      ],
    };
  }
  return { set, diagnostics: [] };
}

/** Loads, applies interventions and overrides, and compiles a scenario into an engine model. */
export function prepare(path: string, opts: PrepareOptions): Prepared {
  return prepareLoaded(loadDocument(path, opts), opts, path);
}

/** Files by path: a workspace's, a stored job's, a talks agenda's, a browser worker's. */
export type Files = Readonly<Record<string, string>>;

/** Reads from `files` only (a path not in it cannot be read). */
export function filesIo(files: Files): LoadIo {
  return { readFile: (p) => (Object.hasOwn(files, p) ? files[p] : undefined) };
}

/**
 * `prepare` over a snapshot of files (the server, the talks room, the browser): also the loaded file
 * (to apply other interventions to later) and the files it read (`snapshot`: what reproduces it).
 */
export function prepareFiles(
  files: Files,
  path: string,
  opts: Omit<PrepareOptions, keyof LoadIo> = {},
): Prepared & { loaded: Loaded; snapshot: Record<string, string> } {
  const loaded = loadDocument(path, filesIo(files));
  const snapshot: Record<string, string> = {};
  for (const f of loaded.files) if (Object.hasOwn(files, f)) snapshot[f] = files[f]!;
  return { ...prepareLoaded(loaded, opts, path), loaded, snapshot };
}

/** Diagnostics in reading order: by file (entry first), line and column; unplaced ones last. */
function sortDiagnostics(ds: Diagnostic[], files: string[]): Diagnostic[] {
  const fileRank = (d: Diagnostic) => {
    const i = d.file === undefined ? -1 : files.indexOf(d.file);
    return i < 0 ? files.length : i;
  };
  const far = Number.MAX_SAFE_INTEGER;
  return ds
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        fileRank(a.d) - fileRank(b.d) ||
        (a.d.line ?? far) - (b.d.line ?? far) ||
        (a.d.column ?? 0) - (b.d.column ?? 0) ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

function diagnosticKey(d: Diagnostic): string {
  return [d.code, d.file, d.line, d.column, d.message, d.path.join('\u0000')].join('\u0001');
}

/**
 * Work allowed for checking interventions one by one, in characters of scenario checked (each check
 * costs about the size of the scenario without its interventions, about 0.5 us of CPU a character
 * measured on a loaded 2-core VM): about 3 s at most, and some 100 checks of the Korea scenarios.
 */
export const MAX_INTERVENTION_CHECK_WORK = 6_000_000;

/**
 * Everything wrong with a scenario file: its structure, its meaning, and each of its interventions
 * applied alone (so that a broken intervention is found before anyone runs it). A library is checked
 * for structure only.
 */
export function validateFile(
  path: string,
  io: LoadIo,
  limits: { interventionCheckWork?: number } = {},
): { diagnostics: Diagnostic[]; files: string[]; kind: 'scenario' | 'library' } {
  const loaded = loadDocument(path, io);
  if (loaded.kind === 'library' || !loaded.doc) {
    return {
      diagnostics: sortDiagnostics(loaded.diagnostics, loaded.files),
      files: loaded.files,
      kind: loaded.kind,
    };
  }
  const base = prepareLoaded(loaded, {}, path);
  const seen = new Set(base.diagnostics.map(diagnosticKey));
  const diagnostics = [...base.diagnostics];
  // Each intervention is checked against the scenario without the others (they are not part of what
  // it changes), so the cost is (number of interventions) x (size of the scenario), not its square.
  // Copies of a body already found clean are clean too (the same patched document), and past a
  // budget of work the rest are left to be checked when run, with a warning: validation of any file
  // ends in bounded time.
  const { interventions, ...rest } = loaded.doc;
  const scenarioSize = canonicalJson(rest).length;
  let budget = limits.interventionCheckWork ?? MAX_INTERVENTION_CHECK_WORK;
  const clean = new Set<string>();
  const unchecked: string[] = [];
  for (const [name, iv] of Object.entries(interventions)) {
    const body = JSON.stringify([iv.patch ?? null, iv.set ?? null]);
    if (clean.has(body)) continue;
    const cost = scenarioSize + body.length;
    if (cost > budget) {
      unchecked.push(name);
      continue;
    }
    budget -= cost;
    const alone = { ...loaded, doc: { ...rest, interventions: { [name]: iv } } as Scenario };
    const r = prepareLoaded(alone, { interventions: [name] }, path);
    let fresh = 0;
    for (const d of r.diagnostics) {
      const k = diagnosticKey(d);
      if (seen.has(k)) continue;
      seen.add(k);
      fresh++;
      const note = `with intervention \`${name}\` applied`;
      const noted = `${d.message} ${d.hint ?? ''}`.includes(`\`${name}\``);
      diagnostics.push(noted ? d : { ...d, hint: d.hint ? `${d.hint} (${note})` : note });
    }
    if (fresh === 0) clean.add(body);
  }
  if (unchecked.length) {
    diagnostics.push(
      withPos(
        {
          code: 'W_INTERVENTIONS_UNCHECKED',
          severity: 'warning',
          message: `${unchecked.length} of ${Object.keys(interventions).length} interventions were not checked alone (${listed(unchecked, 5)}): checking each against a scenario this large would take too long; each is checked when it is run`,
          path: ['interventions'],
        },
        locate(loaded.locations, ['interventions'], true),
      ),
    );
  }
  return { diagnostics: sortDiagnostics(diagnostics, loaded.files), files: loaded.files, kind: loaded.kind };
}
