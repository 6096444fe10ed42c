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

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[n]!;
}

/** The closest candidate to `name`, if close enough to be a likely typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best === undefined) return undefined;
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Every diagnostic code Brink emits, with what it means. Codes are stable: tools may match on them. */
export const CODES = {
  // Reading the file
  E_FILE_NOT_FOUND: 'the file (or a file it extends) cannot be read',
  E_FILE_TOO_LARGE: 'the file is larger than the 10 MB limit for scenario files',
  E_BINARY: 'the file is not UTF-8 text (NUL bytes or invalid encoding)',
  E_EMPTY: 'the file is empty or holds only comments',
  E_YAML_SYNTAX: 'YAML (or JSON) syntax error',
  E_YAML_DUPLICATE_KEY: 'a key appears twice in the same mapping',
  E_YAML_ALIAS: 'YAML aliases expand too much (an alias bomb) or refer to nothing',
  E_TOO_DEEP: 'nesting deeper than a scenario can be (limit 64 levels)',
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
  E_LADDER: 'the ladder or intent types are inconsistent (order, ends, hostile type)',
  E_TIME: 'inconsistent time settings (horizon shorter than a tick, inject after the horizon)',
  E_WRONG_ACTOR: 'an action used where an action of a different actor is required',
  E_SELF: 'an actor related to itself (a channel or talks with one party)',
  E_PARAM_UNKNOWN: 'a `{param: name}` reference names no entry of `params`',
  // Warnings
  W_UNUSED_INTERVENTION_PATCH:
    'an intervention patch adds a key that the scenario does not have (check for typos)',
  W_NO_DOCTRINE: 'a military actor with actions but no doctrine never responds to anything',
  W_LADDER_ENDS: 'a custom ladder without a `war` or `nuclear-use` rung: that outcome can never happen',
  W_DIST_CLAMPED: 'a distribution for a probability has support outside [0, 1]; draws are clamped',
} as const;

export type Code = keyof typeof CODES;
