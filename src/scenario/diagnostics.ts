/** Severity of a diagnostic: an `error` makes the scenario unusable, a `warning` does not. */
export type Severity = 'error' | 'warning';

/**
 * A problem found in a scenario, as a value. Codes are stable (listed in docs/scenario-language.md);
 * `path` is the field path in the merged document; `file`, `line` and `column` (1-based) point at the
 * source text when it is known.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  path: (string | number)[];
  file?: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** Formats a diagnostic as `file:line:col: severity CODE: message (path) hint`. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  const path = d.path.length ? ` [${formatPath(d.path)}]` : '';
  const hint = d.hint ? `\n    hint: ${d.hint}` : '';
  return `${where}${d.severity} ${d.code}: ${d.message}${path}${hint}`;
}

/** Formats a field path as `actors.DPRK.actions.test.outcomes` (indices in brackets). */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(k)) out += out ? `.${k}` : k;
    else out += `[${JSON.stringify(k)}]`;
  }
  return out;
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some((d) => d.severity === 'error');
}

// "Did you mean" compares names, not documents: a longer value (a pasted paragraph, a 9 MB string in
// a field with fixed choices) gets no suggestion, and at most this many candidates are compared, so a
// suggestion costs the same whatever the size of the file.
const MAX_SUGGEST_LENGTH = 200;
const MAX_SUGGEST_CANDIDATES = 2000;

/**
 * Levenshtein distance (case-insensitive), or `limit + 1` as soon as it must exceed `limit`: only the
 * diagonal band of width 2 * limit + 1 is computed, so the cost is O(length * limit).
 */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  const m = a.length;
  const n = b.length;
  if (Math.abs(m - n) > limit) return limit + 1;
  const al = a.toLowerCase();
  const bl = b.toLowerCase();
  const band = Math.min(Math.max(m, n), limit);
  const far = limit + 1;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j <= band ? j : far;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i - band);
    const hi = Math.min(n, i + band);
    cur.fill(far);
    cur[0] = i <= band ? i : far;
    let rowMin = cur[0]!;
    for (let j = lo; j <= hi; j++) {
      const cost = al.charCodeAt(i - 1) === bl.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return far;
    [prev, cur] = [cur, prev];
  }
  return Math.min(prev[n]!, far);
}

/** The closest candidate to `name`, if close enough to be a likely typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length > MAX_SUGGEST_LENGTH) return undefined;
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestD = limit + 1;
  let seen = 0;
  for (const c of candidates) {
    if (++seen > MAX_SUGGEST_CANDIDATES) break;
    if (c.length > MAX_SUGGEST_LENGTH + limit) continue;
    const d = editDistance(name, c, bestD - 1);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

/** Up to `max` names, comma-separated, with `...` when there are more (a hint lists, it does not dump). */
export function listed(names: Iterable<string>, max = 12): string {
  const out: string[] = [];
  let more = false;
  for (const n of names) {
    if (out.length === max) {
      more = true;
      break;
    }
    out.push(clipName(n));
  }
  return `${out.join(', ')}${more ? ', ...' : ''}`;
}

/** A name as shown in a message: long ones cut, with their length. */
export function clipName(s: string, max = 60): string {
  return s.length <= max ? s : `${s.slice(0, 40)}... (${s.length} characters)`;
}

/** A message with every quoted name longer than 60 characters cut (see clipName). */
export function clipMessage(s: string): string {
  if (s.length <= 120) return s;
  // One pass over the parts between quote characters (a regex would backtrack over a 9 MB name).
  const parts = s.split(/(['`"])/);
  let open = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      if (open === '') open = part;
      else if (part === open) open = '';
    } else if (open !== '' && part.length > 60) parts[i] = clipName(part);
  }
  return parts.join('');
}

/** Every diagnostic code Brink emits, with what it means. Codes are stable: tools may match on them. */
export const CODES = {
  // Reading the file
  E_FILE_NOT_FOUND: 'the file (or a file it extends) cannot be read',
  E_FILE_TOO_LARGE: 'the file is larger than a scenario file may be: 10 MB, or 50,000 keys and list items',
  E_BINARY: 'the file is not UTF-8 text (NUL bytes or invalid encoding)',
  E_EMPTY: 'the file is empty or holds only comments',
  E_YAML_SYNTAX: 'YAML (or JSON) syntax error',
  E_YAML_DUPLICATE_KEY: 'a key appears twice in the same mapping',
  E_YAML_ALIAS: 'YAML aliases expand too much (an alias bomb) or refer to nothing',
  E_YAML_CYCLE: 'a YAML alias inside the node it refers to: a value that would contain itself',
  E_TOO_DEEP: 'nesting deeper than a scenario can be (limit 64 levels, aliases expanded)',
  E_NOT_MAPPING: 'the document is not a mapping of keys to values',
  E_VERSION: 'the `version` field is missing or not a version this Brink reads',
  // Structure (from the schema)
  E_SCHEMA_TYPE: 'a value has the wrong type',
  E_SCHEMA_UNKNOWN_KEY: 'a key the format does not define (often a typo)',
  E_SCHEMA_REQUIRED: 'a required field is missing',
  E_SCHEMA_VALUE: 'a value is out of its allowed set, range or pattern',
  // Composition
  E_EXTENDS_MISSING: 'a file named in `extends` cannot be read',
  E_EXTENDS_CYCLE: 'files extend each other in a cycle',
  E_INTERVENTION_UNKNOWN: 'an intervention named on the command line (or in a combination) does not exist',
  E_INTERVENTION_PATH: 'an intervention `set` path does not exist in the scenario',
  E_SET_PATH: 'a parameter path (--set, --param) does not exist or is not a number',
  // Meaning
  E_REF_ACTOR: 'reference to an actor that does not exist',
  E_REF_ACTION: 'reference to an action that does not exist',
  E_REF_OUTCOME: 'reference to an outcome that does not exist',
  E_REF_RUNG: 'reference to a ladder rung that does not exist',
  E_REF_TYPE: 'reference to an intent type that does not exist',
  E_REF_CHANNEL: 'reference to a channel that does not exist',
  E_REF_TALKS: 'reference to talks that do not exist',
  E_PROB_RANGE: 'a probability outside [0, 1]',
  E_PROB_SUM: 'probabilities that must sum to 1 do not',
  E_MISREAD_SUM: 'the misreading probabilities of an act sum to more than 1',
  E_DIST_PARAMS: 'a distribution with impossible parameters (e.g. uniform [hi, lo], beta with a <= 0)',
  E_RESERVED_ID: 'an id Brink reserves (`wait`)',
  E_DUPLICATE_ID: 'two ladder rungs or intent types with the same id',
  E_DUPLICATE_RESPONSE: 'a doctrine rule lists the same response twice (`act` and `ACTOR.act` are the same)',
  E_LADDER: 'the ladder or intent types are inconsistent (order, ends, hostile type)',
  E_TIME: 'inconsistent time settings (horizon shorter than a tick, inject after the horizon)',
  E_WRONG_ACTOR: 'an action used where an action of a different actor is required',
  E_SELF: 'an actor related to itself (a channel or talks with one party)',
  E_MODEL_TOO_LARGE:
    'more actors and acts than the engine holds (actors x (acts + actors x intent types) over 20 million)',
  E_PARAM_UNKNOWN: 'a `{param: name}` reference names no entry of `params`',
  // Warnings
  W_UNUSED_INTERVENTION_PATCH:
    'an intervention patch adds a key that the scenario does not have (check for typos)',
  W_NO_DOCTRINE: 'a military actor with actions but no doctrine never responds to anything',
  W_LADDER_ENDS: 'a custom ladder without a `war` or `nuclear-use` rung: that outcome can never happen',
  W_INTERVENTIONS_UNCHECKED:
    'a file too large for each of its interventions to be checked alone when validated; each is checked when run',
  W_DIST_CLAMPED: 'a distribution for a probability has support outside [0, 1]; draws are clamped',
  W_FIXED_JUDGED:
    'a judged number (a field that takes a distribution) given as a plain number: parameter draws and sensitivity analyses hold it fixed (listed by `brink validate --strict`)',
} as const;

export type Code = keyof typeof CODES;
