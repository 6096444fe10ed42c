// Text → value + source positions + diagnostics. Never throws and never hangs: hostile input (binary
// bytes, alias bombs, 100 000 nested brackets, 10 MB files) ends as a diagnostic, not a crash.
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Node as YamlNode,
} from 'yaml';
import type { Diagnostic } from './diagnostics.ts';

/** Largest scenario file read, in bytes. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Deepest nesting of maps and lists a scenario file may have. */
export const MAX_DEPTH = 64;
/**
 * Most entries (keys and list items) a scenario file may have: the largest real ones have a few
 * thousand (bench/scenarios/synthetic-large.yaml, the largest, about 7,000). Past this the YAML parser alone
 * would take seconds (about 10 us a node), so the file is refused before it is parsed.
 */
export const MAX_ENTRIES = 50_000;
/** What `io.readFile` returns instead of the text of an oversized file. */
export const OVERSIZE_SENTINEL = '\u0000BRINK-OVERSIZE:';

// Beyond this many YAML errors the rest are noise (a file of 100 000 `[` has one error per bracket).
const MAX_SYNTAX_ERRORS = 20;
// Leading block indentation (including `- ` and `? ` indicators) beyond which the yaml lexer spends
// unbounded memory; no real file comes near it (64 levels at 4 spaces is 256 columns).
const MAX_BLOCK_PREFIX = 512;
// Enough for any scenario; yaml's default (100) already bounds expansion, this makes the limit ours.
const MAX_ALIAS_COUNT = 100;

/** A position in a source file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/**
 * Where each part of a document came from: a tree that mirrors the document. `at` is the value's
 * position, `key` the position of the key that holds it; children are keyed by map key or list index
 * (as a string).
 */
export interface Locations {
  at?: SourcePos;
  key?: SourcePos;
  children?: Map<string, Locations>;
}

export interface Parsed {
  value?: unknown;
  locations: Locations;
  diagnostics: Diagnostic[];
}

/** The subtree of `locs` at `path`, if recorded. */
export function locationsAt(
  locs: Locations | undefined,
  path: readonly (string | number)[],
): Locations | undefined {
  let node = locs;
  for (const seg of path) {
    node = node?.children?.get(String(seg));
    if (!node) return undefined;
  }
  return node;
}

/**
 * The source position for `path`: the value's position (or its key's, with `atKey`). When the path
 * goes deeper than the recorded tree (a missing field, a default), the key of the deepest recorded
 * ancestor, so that "missing field" points at the map that lacks it.
 */
export function locate(
  locs: Locations | undefined,
  path: readonly (string | number)[],
  atKey = false,
): SourcePos | undefined {
  let node = locs;
  let best = locs?.at;
  for (let i = 0; i < path.length; i++) {
    const child = node?.children?.get(String(path[i]));
    if (!child) return node?.key ?? best;
    node = child;
    best = child.at ?? child.key ?? best;
  }
  return atKey ? (node?.key ?? best) : best;
}

/** Copies a source position into a diagnostic. */
export function withPos(d: Diagnostic, pos: SourcePos | undefined): Diagnostic {
  if (!pos) return d;
  return { ...d, file: pos.file, line: pos.line, column: pos.column };
}

/** Parses YAML (or JSON) text into a value with source positions. */
export function parseText(text: string, file: string): Parsed {
  const locations: Locations = {};
  const fail = (
    code: string,
    message: string,
    pos?: { line: number; column: number },
    hint?: string,
  ): Parsed => {
    const d: Diagnostic = { code, severity: 'error', message, path: [], file };
    if (pos) {
      d.line = pos.line;
      d.column = pos.column;
    }
    if (hint) d.hint = hint;
    return { locations, diagnostics: [d] };
  };

  if (text.startsWith(OVERSIZE_SENTINEL)) {
    const bytes = Number(text.slice(OVERSIZE_SENTINEL.length));
    return fail('E_FILE_TOO_LARGE', `the file is ${megabytes(bytes)}; scenario files are limited to 10 MB`);
  }
  if (text.length > MAX_FILE_BYTES) {
    return fail(
      'E_FILE_TOO_LARGE',
      `the file is ${megabytes(text.length)}; scenario files are limited to 10 MB`,
    );
  }
  const bad = firstBinary(text);
  if (bad >= 0) {
    const what = text.charCodeAt(bad) === 0xfffd ? 'bytes that are not valid UTF-8' : 'control characters';
    return fail('E_BINARY', `the file holds ${what}: it is not a text scenario`, positionOf(text, bad));
  }
  const scan = prescan(text);
  if (scan.crowded >= 0) {
    return fail(
      'E_FILE_TOO_LARGE',
      `the file has more than ${MAX_ENTRIES.toLocaleString('en')} entries (keys and list items), the most a scenario file may have`,
      positionOf(text, scan.crowded),
      'a large scenario has a few thousand; split generated data into files that extend each other',
    );
  }
  const deep = scan.deep;
  if (deep >= 0) {
    return fail(
      'E_TOO_DEEP',
      `nesting deeper than ${MAX_DEPTH} levels`,
      positionOf(text, deep),
      'a scenario nests a few levels deep; check for unbalanced brackets',
    );
  }

  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, {
      lineCounter,
      uniqueKeys: false,
      prettyErrors: false,
      keepSourceTokens: false,
    });
  } catch (e) {
    // The yaml parser reports its own failures as errors; a throw means a resource limit was hit.
    return fail('E_YAML_SYNTAX', `the YAML parser gave up: ${e instanceof Error ? e.message : String(e)}`);
  }
  const posAt = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };

  if (doc.errors.length > 0) {
    const diagnostics: Diagnostic[] = [];
    for (const e of doc.errors.slice(0, MAX_SYNTAX_ERRORS)) {
      const pos = posAt(e.pos[0]);
      const message = e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '');
      if (e.code === 'RESOURCE_EXHAUSTION') {
        diagnostics.push({ code: 'E_TOO_DEEP', severity: 'error', message, path: [], ...pos });
      } else {
        diagnostics.push({
          code: 'E_YAML_SYNTAX',
          severity: 'error',
          message: lowerFirst(message),
          path: [],
          ...pos,
        });
      }
    }
    if (doc.errors.length > MAX_SYNTAX_ERRORS) {
      const last = diagnostics[diagnostics.length - 1]!;
      last.hint = `${doc.errors.length - MAX_SYNTAX_ERRORS} more YAML errors not shown`;
    }
    return { locations, diagnostics };
  }

  const root = doc.contents;
  if (root === null || (isScalar(root) && root.value === null && root.range?.[0] === root.range?.[1])) {
    return fail(
      'E_EMPTY',
      'the file is empty (or holds only comments)',
      undefined,
      'a scenario starts with `version: 1`',
    );
  }
  if (!isMap(root)) {
    const pos = root.range ? posAt(root.range[0]) : undefined;
    const what = isSeq(root) ? 'a list' : isAlias(root) ? 'an alias' : `a single value`;
    return fail(
      'E_NOT_MAPPING',
      `the document is ${what}, not a mapping of keys to values`,
      pos,
      'a scenario starts with `version: 1`',
    );
  }

  // Record positions, check depth, keys and aliases without recursion deeper than MAX_DEPTH.
  const diagnostics: Diagnostic[] = [];
  const aliases: YamlNode[] = [];
  const record = (node: unknown, depth: number): Locations => {
    const loc: Locations = {};
    const n = node as YamlNode | null;
    if (n?.range) loc.at = posAt(n.range[0]);
    if (isAlias(node)) {
      aliases.push(node);
      const target = node.resolve(doc);
      if (!target) {
        diagnostics.push({
          code: 'E_YAML_ALIAS',
          severity: 'error',
          message: `the alias *${node.source} refers to no anchor (an anchor &${node.source} must come before it)`,
          path: [],
          ...(loc.at ?? { file }),
        });
      } else if (contains(target, node)) {
        // An alias inside the node it names makes a value that contains itself: every walk over it
        // (extends, interventions, hashing) would recurse without end.
        diagnostics.push({
          code: 'E_YAML_CYCLE',
          severity: 'error',
          message: `the alias *${node.source} is inside the ${isSeq(target) ? 'list' : 'mapping'} &${node.source} it refers to: the value would contain itself`,
          path: [],
          ...(loc.at ?? { file }),
          hint: 'an alias can repeat a node defined earlier, not the node it is part of',
        });
      }
      return loc;
    }
    if (!isMap(node) && !isSeq(node)) return loc;
    if (depth > MAX_DEPTH) {
      if (!diagnostics.some((d) => d.code === 'E_TOO_DEEP')) {
        diagnostics.push({
          code: 'E_TOO_DEEP',
          severity: 'error',
          message: `nesting deeper than ${MAX_DEPTH} levels`,
          path: [],
          ...(loc.at ?? { file }),
        });
      }
      return loc;
    }
    loc.children = new Map();
    if (isSeq(node)) {
      node.items.forEach((item, i) => {
        loc.children!.set(String(i), record(item, depth + 1));
      });
      return loc;
    }
    for (const pair of node.items) {
      const key = pair.key as YamlNode | null;
      const name = key === null || !isScalar(key) || key.value === null ? '' : String(key.value);
      // Checked here rather than by yaml's uniqueKeys, which compares every pair with every other:
      // a map of 200 000 keys would take minutes. Keys equal as text (`1` and "1") collide in JSON too.
      if (loc.children.has(name) && (key === null || isScalar(key))) {
        const pos = key?.range ? posAt(key.range[0]) : loc.at;
        diagnostics.push({
          code: 'E_YAML_DUPLICATE_KEY',
          severity: 'error',
          message: `the key \`${name}\` appears twice in this mapping`,
          path: [],
          ...(pos ?? { file }),
        });
        continue;
      }
      const keyPos = key?.range ? posAt(key.range[0]) : loc.at;
      if (key !== null && !isScalar(key)) {
        diagnostics.push({
          code: 'E_YAML_SYNTAX',
          severity: 'error',
          message: 'a key must be a plain value such as a name, not a list, a mapping or an alias',
          path: [],
          ...(keyPos ?? { file }),
        });
        continue;
      }
      const child = record(pair.value, depth + 1);
      if (keyPos) child.key = keyPos;
      // An empty value (`key:`) has no position of its own worth showing: use the key's.
      const empty =
        pair.value === null || (isScalar(pair.value) && pair.value.range?.[0] === pair.value.range?.[1]);
      const at = empty || !child.at ? (keyPos ?? loc.at) : child.at;
      if (at) child.at = at;
      loc.children.set(name, child);
    }
    return loc;
  };
  const tree = record(root, 1);
  if (diagnostics.length > 0) return { locations: tree, diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    const first = aliases[0] as YamlNode | undefined;
    const pos = first?.range ? posAt(first.range[0]) : undefined;
    const message =
      e instanceof ReferenceError && /alias count/.test(e.message)
        ? `aliases expand to too many nodes (more than ${MAX_ALIAS_COUNT} expansions): an alias bomb`
        : `aliases cannot be resolved: ${e instanceof Error ? e.message : String(e)}`;
    const d = fail('E_YAML_ALIAS', message, pos, 'write the repeated parts out, or use `extends`');
    return { ...d, locations: tree };
  }
  // Aliases put one node inside another: the expanded value may nest deeper than the text does.
  if (aliases.length > 0 && tooDeep(value)) {
    const first = aliases[0] as YamlNode | undefined;
    const pos = first?.range ? posAt(first.range[0]) : undefined;
    const d = fail(
      'E_TOO_DEEP',
      `with its aliases expanded, the document nests deeper than ${MAX_DEPTH} levels`,
      pos,
      'a scenario nests a few levels deep; check what the aliases repeat',
    );
    return { ...d, locations: tree };
  }
  return { value, locations: tree, diagnostics: [] };
}

/** Whether `node` lies inside the source range of `outer` (an alias within the node it names). */
function contains(outer: YamlNode, node: YamlNode): boolean {
  const [start, , end] = outer.range ?? [];
  const at = node.range?.[0];
  return (isMap(outer) || isSeq(outer)) && start !== undefined && end !== undefined && at !== undefined
    ? at >= start && at < end
    : false;
}

/**
 * Whether a parsed value (a tree that aliases may have made a DAG, never a cycle: see `contains`) is
 * more than MAX_DEPTH levels deep. Heights are memoised per object, so shared nodes are walked once.
 */
function tooDeep(value: unknown): boolean {
  const heights = new Map<object, number>();
  const height = (v: unknown, depth: number): number => {
    if (typeof v !== 'object' || v === null) return 0;
    const known = heights.get(v);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) return Number.POSITIVE_INFINITY;
    let h = 0;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      h = Math.max(h, height(child, depth + 1));
      if (h === Number.POSITIVE_INFINITY) return h;
    }
    heights.set(v, h + 1);
    return h + 1;
  };
  return height(value, 1) > MAX_DEPTH;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

/** Index of the first character that cannot be in a text scenario (NUL, C0 control, U+FFFD), or -1. */
function firstBinary(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c === 0x7f || c === 0xfffd) return i;
  }
  return -1;
}

/** 1-based line and column of a character offset. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

const SPACE = (c: string | undefined) => c === ' ' || c === '\t';
const BREAK = (c: string | undefined) => c === undefined || c === '\n' || c === '\r';

/**
 * Where the text nests too deep to hand to the yaml parser (`deep`), or holds more than MAX_ENTRIES
 * entries (`crowded`); -1 when it does not. Flow collections deeper than MAX_DEPTH and absurd block
 * indentation are found here, in one linear pass, because the parser recurses (or, for 100 000 nested
 * `- `, runs out of memory) before it could report them. Quoted scalars, comments and block scalars are
 * skipped so that brackets inside text do not count.
 */
function prescan(text: string): { deep: number; crowded: number } {
  const n = text.length;
  let depth = 0;
  // Entries counted: block keys and list items, flow collections and their separators.
  let entries = 0;
  let crowded = -1;
  const entry = (at: number) => {
    if (++entries > MAX_ENTRIES && crowded < 0) crowded = at;
  };
  let atValue = true;
  let i = 0;
  const blockPrefixTooWide = (from: number): boolean => {
    let j = from;
    while (j < n) {
      const c = text[j];
      if (SPACE(c)) j++;
      else if ((c === '-' || c === '?' || c === ':') && (SPACE(text[j + 1]) || BREAK(text[j + 1]))) j++;
      else break;
      if (j - from > MAX_BLOCK_PREFIX) return true;
    }
    return false;
  };
  const skipQuoted = (from: number): number => {
    const q = text[from];
    let j = from + 1;
    while (j < n) {
      const c = text[j];
      if (q === '"' && c === '\\') j += 2;
      else if (c === q) {
        if (q === "'" && text[j + 1] === "'") j += 2;
        else return j + 1;
      } else j++;
    }
    return n;
  };
  if (blockPrefixTooWide(0)) return { deep: 0, crowded };
  while (i < n && crowded < 0) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      if (depth === 0) {
        atValue = true;
        if (blockPrefixTooWide(i)) return { deep: i, crowded };
      }
      continue;
    }
    if (c === '#' && (i === 0 || SPACE(text[i - 1]) || BREAK(text[i - 1]))) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (depth > 0) {
      if (c === '[' || c === '{') {
        if (++depth > MAX_DEPTH) return { deep: i, crowded };
        entry(i);
        i++;
      } else if (c === ',') {
        entry(i);
        i++;
      } else if (c === ']' || c === '}') {
        depth--;
        i++;
        if (depth === 0) atValue = false;
      } else if ((c === '"' || c === "'") && /[\s[{,:]/.test(text[i - 1] ?? ' ')) {
        i = skipQuoted(i);
      } else i++;
      continue;
    }
    if (!atValue) {
      if (c === ':' && (SPACE(text[i + 1]) || BREAK(text[i + 1]))) {
        atValue = true;
        entry(i);
      }
      i++;
      continue;
    }
    if (SPACE(c) || c === '\r') i++;
    else if ((c === '-' || c === '?' || c === ':') && (SPACE(text[i + 1]) || BREAK(text[i + 1]))) {
      entry(i);
      i++;
    } else if (c === '&' || c === '!') {
      while (i < n && !SPACE(text[i]) && !BREAK(text[i])) i++;
    } else if (c === '[' || c === '{') {
      depth = 1;
      entry(i);
      i++;
    } else if (c === '"' || c === "'") {
      i = skipQuoted(i);
      atValue = false;
    } else if (c === '|' || c === '>') {
      // A block scalar: skip the lines indented deeper than the line that opens it.
      const lineStart = text.lastIndexOf('\n', i) + 1;
      let indent = 0;
      while (text[lineStart + indent] === ' ') indent++;
      let eol = text.indexOf('\n', i);
      while (eol >= 0) {
        let k = eol + 1;
        while (text[k] === ' ') k++;
        if (k - (eol + 1) <= indent && !BREAK(text[k])) break;
        eol = text.indexOf('\n', eol + 1);
      }
      i = eol < 0 ? n : eol;
      atValue = false;
    } else {
      atValue = false;
      i++;
    }
  }
  return { deep: -1, crowded };
}
