// Structure-aware mutations of the valid corpus: each mutant is a function of (corpus, seed, index), so
// `npm run fuzz -- --seed S --index I` rebuilds exactly the file that failed.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  Alias,
  type Document,
  isCollection,
  isDocument,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Node,
  Pair,
  parseDocument,
  Scalar,
  YAMLMap,
  YAMLSeq,
} from 'yaml';
import { type Random, randomStream } from '../../src/engine/rng.ts';

/** The folders whose YAML and JSON files are mutated (all valid: scenarios, libraries, cases, fixtures). */
export const CORPUS_DIRS = [
  'scenarios',
  'scenarios/lib',
  'scenarios/generic',
  'cases',
  'test/fixtures/valid',
  'test/fixtures/valid/lib',
  'bench/scenarios',
];

export interface CorpusFile {
  /** Absolute path. */
  path: string;
  /** Path relative to the repository, for messages. */
  name: string;
  text: string;
}

/** Every scenario-like file of the corpus folders (not recursive: each folder is listed). */
export function readCorpus(root: string): CorpusFile[] {
  const out: CorpusFile[] = [];
  for (const dir of CORPUS_DIRS) {
    const abs = join(root, dir);
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(abs, n);
      if (!/\.(ya?ml|json)$/.test(n) || !statSync(p).isFile()) continue;
      const text = readFileSync(p, 'utf8');
      // Data files beside the cases (observed.json) are not scenarios.
      if (!/^\s*["']?version["']?\s*:|\n\s*["']?version["']?\s*:/.test(text)) continue;
      out.push({ path: p, name: relative(root, p), text });
    }
  }
  return out;
}

/** A mutant: files to lay over the real ones (absolute path -> text), the entry file and what was done. */
export interface Mutant {
  entry: string;
  files: Record<string, string>;
  ops: string[];
}

// ---------------------------------------------------------------------------------------------
// Random helpers

class Dice {
  readonly random: Random;
  constructor(random: Random) {
    this.random = random;
  }
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  weighted<T>(table: readonly (readonly [T, number])[]): T {
    const total = table.reduce((s, [, w]) => s + w, 0);
    let u = this.random() * total;
    for (const [x, w] of table) {
      u -= w;
      if (u < 0) return x;
    }
    return table[table.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------------------------
// Walking a yaml Document

interface Site {
  node: Node;
  /** The collection holding the node (null for the root) and how to replace it there. */
  parent: YAMLMap | YAMLSeq | null;
  replace: (n: Node | null) => void;
  depth: number;
  /** The map key under which the node sits, when it is a map value. */
  key?: string;
}

function sites(doc: Document | Node): Site[] {
  const out: Site[] = [];
  const isDoc = isDocument(doc);
  const root = isDoc ? ((doc as Document).contents as Node | null) : (doc as Node);
  if (!root) return out;
  const stack: Site[] = [
    {
      node: root,
      parent: null,
      replace: (n) => {
        if (isDoc) (doc as Document).contents = n;
      },
      depth: 0,
    },
  ];
  while (stack.length > 0 && out.length < 200_000) {
    const s = stack.pop()!;
    out.push(s);
    const n = s.node;
    if (isMap(n)) {
      for (const pair of n.items) {
        const v = pair.value as Node | null;
        if (!v) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        stack.push({
          node: v,
          parent: n,
          replace: (x) => {
            pair.value = x;
          },
          depth: s.depth + 1,
          ...(key !== undefined ? { key } : {}),
        });
      }
    } else if (isSeq(n)) {
      n.items.forEach((item, k) => {
        if (!item || isPair(item)) return;
        stack.push({
          node: item as Node,
          parent: n,
          replace: (x) => {
            n.items[k] = x;
          },
          depth: s.depth + 1,
        });
      });
    }
  }
  return out;
}

const scalarsOf = (ss: Site[]) => ss.filter((s) => isScalar(s.node));
const mapsOf = (ss: Site[]) => ss.filter((s) => isMap(s.node));
const collectionsOf = (ss: Site[]) => ss.filter((s) => isCollection(s.node));

// ---------------------------------------------------------------------------------------------
// The mutations

const OFF_RANGE = [
  -1,
  -0.0001,
  1.0001,
  1.2,
  2,
  1e308,
  -1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  1,
  -0,
  5e-324,
  2 ** 53 + 1,
  0.1 + 0.2,
  1e9,
  4,
  5,
  31,
  32,
  1000,
];

const LONG_LENGTHS: readonly (readonly [number, number])[] = [
  [200, 30],
  [5_000, 30],
  [100_000, 20],
  [1_000_000, 6],
  [4_000_000, 2],
  [9_000_000, 1],
];

type Op = (d: Dice, doc: Document, ctx: Ctx) => string | undefined;

interface Ctx {
  corpus: CorpusFile[];
  entry: CorpusFile;
  files: Record<string, string>;
  /** Documents of the corpus, parsed once per process. */
  parsed: (f: CorpusFile) => Document;
}

function randomString(d: Dice, n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/ ';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[d.int(alphabet.length)];
  return s;
}

function nearMiss(d: Dice, s: string): string {
  const i = d.int(s.length + 1);
  switch (d.int(7)) {
    case 0:
      return s.slice(0, i) + randomString(d, 1) + s.slice(i);
    case 1:
      return s.length ? s.slice(0, i) + s.slice(i + 1) : 'x';
    case 2:
      return s.slice(0, i) + randomString(d, 1) + s.slice(i + 1);
    case 3:
      return s.toUpperCase() === s ? s.toLowerCase() : s.toUpperCase();
    case 4:
      return `${s}.x`;
    case 5:
      return `${s}/done`;
    default:
      return s.includes('.') ? s.split('.').reverse().join('.') : `${s}s`;
  }
}

const deleteKey: Op = (d, doc) => {
  const maps = mapsOf(sites(doc)).filter((s) => (s.node as YAMLMap).items.length > 0);
  if (!maps.length) return undefined;
  const m = d.pick(maps).node as YAMLMap;
  const k = d.int(m.items.length);
  const [pair] = m.items.splice(k, 1);
  return `delete key ${isScalar(pair?.key) ? String(pair.key.value) : '?'}`;
};

const duplicateKey: Op = (d, doc) => {
  const maps = mapsOf(sites(doc)).filter((s) => (s.node as YAMLMap).items.length > 0);
  if (!maps.length) return undefined;
  const m = d.pick(maps).node as YAMLMap;
  const pair = d.pick(m.items);
  const value = d.chance(0.5) ? (pair.value as Node | null) : new Scalar(d.pick(OFF_RANGE));
  m.items.splice(d.int(m.items.length + 1), 0, new Pair(pair.key, value));
  return 'duplicate key';
};

const typeSwap: Op = (d, doc) => {
  const ss = sites(doc).filter((s) => s.parent);
  if (!ss.length) return undefined;
  const s = d.pick(ss);
  const choices: (() => Node)[] = [
    () => new Scalar(d.pick(OFF_RANGE)),
    () => new Scalar(randomString(d, 1 + d.int(12))),
    () => new Scalar(d.chance(0.5)),
    () => new Scalar(null),
    () => {
      const m = new YAMLMap();
      if (isSeq(s.node))
        for (const [k, it] of s.node.items.entries()) m.items.push(new Pair(new Scalar(k), it));
      return m;
    },
    () => {
      const q = new YAMLSeq();
      if (isMap(s.node)) for (const p of s.node.items) q.items.push(p.value);
      else q.items.push(s.node);
      return q;
    },
  ];
  s.replace(d.pick(choices)());
  return `type swap at ${s.key ?? 'item'}`;
};

const nearMissRef: Op = (d, doc) => {
  const ss = scalarsOf(sites(doc)).filter((s) => typeof (s.node as Scalar).value === 'string');
  if (!ss.length) return undefined;
  const s = d.pick(ss);
  const sc = s.node as Scalar;
  if (d.chance(0.3)) {
    // Another string of the document: a reference to something of the wrong kind.
    sc.value = (d.pick(ss).node as Scalar).value;
  } else sc.value = nearMiss(d, String(sc.value));
  // Map keys are references too (actor ids, `ACTOR.action` in misread tables).
  if (d.chance(0.3)) {
    const maps = mapsOf(sites(doc)).filter((m) => (m.node as YAMLMap).items.length > 0);
    if (maps.length) {
      const pair = d.pick((d.pick(maps).node as YAMLMap).items);
      if (isScalar(pair.key)) pair.key.value = nearMiss(d, String(pair.key.value));
    }
  }
  return 'near-miss reference';
};

const offRange: Op = (d, doc) => {
  const ss = scalarsOf(sites(doc)).filter((s) => typeof (s.node as Scalar).value === 'number');
  if (!ss.length) return undefined;
  const sc = d.pick(ss).node as Scalar;
  sc.value = d.pick(OFF_RANGE);
  return `number -> ${String(sc.value)}`;
};

const longString: Op = (d, doc) => {
  const ss = scalarsOf(sites(doc));
  if (!ss.length) return undefined;
  const s = d.pick(ss);
  const n = d.weighted(LONG_LENGTHS);
  const sc = s.node as Scalar;
  const base = typeof sc.value === 'string' && d.chance(0.5) ? sc.value : '';
  // Half the time the long value starts like the valid one: the worst case for "did you mean".
  sc.value = base + (d.chance(0.5) ? 'a' : randomString(d, 7)).repeat(Math.ceil(n / 7)).slice(0, n);
  if (d.chance(0.5)) sc.type = Scalar.PLAIN;
  return `long string (${n}) at ${s.key ?? 'item'}`;
};

const deepNest: Op = (d, doc) => {
  const ss = sites(doc).filter((s) => s.parent);
  if (!ss.length) return undefined;
  const s = d.pick(ss);
  const depth = d.pick([8, 30, 60, 63, 64, 65, 70, 120, 400]);
  const flow = d.chance(0.5);
  let node: Node = s.node;
  for (let i = 0; i < depth; i++) {
    const wrap = d.chance(0.5) ? new YAMLSeq() : new YAMLMap();
    if (wrap instanceof YAMLSeq) wrap.items.push(node);
    else wrap.items.push(new Pair(new Scalar('k'), node));
    wrap.flow = flow;
    node = wrap;
  }
  s.replace(node);
  return `nest ${depth}${flow ? ' (flow)' : ''}`;
};

let anchorCount = 0;
const alias: Op = (d, doc) => {
  const ss = sites(doc);
  const cols = collectionsOf(ss).filter((s) => s.parent);
  const kind = d.int(4);
  const name = `fz${anchorCount++}`;
  if (kind === 0 && cols.length) {
    // Self-reference: an alias inside the node it names.
    const target = d.pick(cols);
    target.node.anchor = name;
    const inner = sites(target.node).filter((s) => s.parent);
    if (inner.length) d.pick(inner).replace(new Alias(name));
    else if (isMap(target.node)) target.node.items.push(new Pair(new Scalar('self'), new Alias(name)));
    else (target.node as YAMLSeq).items.push(new Alias(name));
    return 'self-referential alias';
  }
  if (kind === 1) {
    // An alias bomb: each level repeats the one before ten times.
    const root = doc.contents;
    if (!isMap(root)) return undefined;
    const levels = 2 + d.int(7);
    let prev = new YAMLSeq();
    prev.items.push(new Scalar('lol'));
    prev.anchor = `${name}0`;
    root.items.push(new Pair(new Scalar(`${name}l0`), prev));
    for (let l = 1; l < levels; l++) {
      const next = new YAMLSeq();
      next.anchor = `${name}${l}`;
      for (let k = 0; k < 10; k++) next.items.push(new Alias(`${name}${l - 1}`));
      next.flow = true;
      root.items.push(new Pair(new Scalar(`${name}l${l}`), next));
      prev = next;
    }
    return `alias bomb (${levels} levels)`;
  }
  // An ordinary alias: a node anchored and repeated elsewhere (sometimes before its anchor).
  const from = d.pick(ss.filter((s) => s.parent).length ? ss.filter((s) => s.parent) : ss);
  const to = d.pick(ss.filter((s) => s.parent).length ? ss.filter((s) => s.parent) : ss);
  from.node.anchor = name;
  to.replace(new Alias(kind === 3 ? `${name}x` : name));
  return kind === 3 ? 'alias to nothing' : 'alias';
};

const extendsOp: Op = (d, doc, ctx) => {
  const root = doc.contents;
  if (!isMap(root)) return undefined;
  const others = ctx.corpus.filter((f) => f !== ctx.entry);
  const rel = (to: string) => relative(join(ctx.entry.path, '..'), to) || '.';
  const self = rel(ctx.entry.path);
  const other = d.pick(others);
  const choice = d.int(7);
  let value: unknown;
  let what: string;
  if (choice === 0) {
    value = self;
    what = 'extends itself';
  } else if (choice === 1) {
    // A two-file cycle: a base that extends the entry back.
    const base = ctx.parsed(other);
    if (isMap(base.contents)) base.contents.set('extends', relative(join(other.path, '..'), ctx.entry.path));
    ctx.files[other.path] = base.toString({ lineWidth: 0 });
    value = rel(other.path);
    what = 'extends cycle of two';
  } else if (choice === 2) {
    value = d.pick(['missing.yaml', '.', '..', '/', '/dev/null', '', 'lib']);
    what = 'extends something unreadable';
  } else if (choice === 3) {
    value = [rel(other.path), rel(other.path)];
    what = 'extends the same file twice';
  } else if (choice === 4) {
    value = d.pick([1, null, { a: 1 }, [1, 2], true]);
    what = 'extends of the wrong type';
  } else {
    value = rel(other.path);
    what = `extends ${other.name}`;
  }
  const existing = root.items.find((p) => isScalar(p.key) && p.key.value === 'extends');
  if (existing) existing.value = doc.createNode(value);
  else root.items.unshift(new Pair(new Scalar('extends'), doc.createNode(value)));
  return what;
};

const MAX_GROWN_NODES = 120_000;
/** Copies of a long string are bounded by their characters too (3000 copies of a 9 MB name ran the fuzzer out of memory). */
const MAX_GROWN_CHARS = 12_000_000;

function charsOf(item: unknown): number {
  try {
    const json = isCollection(item) || isScalar(item) ? JSON.stringify((item as Node).toJSON()) : undefined;
    return Math.max(1, json?.length ?? 1);
  } catch {
    return 1;
  }
}

const grow: Op = (d, doc) => {
  const ss = sites(doc);
  const copies = d.pick([2, 10, 100, 500, 1000, 3000]);
  const cols = collectionsOf(ss).filter((s) => (s.node as YAMLMap | YAMLSeq).items.length > 0);
  // Interventions most often: each is validated alone (the cost that grew with their square).
  // (An empty interventions map has nothing to copy: seed 20, mutant 41292 picked from it and crashed the
  // fuzzer itself, not Brink.)
  const ivs = ss.find(
    (s) => s.key === 'interventions' && isMap(s.node) && (s.node as YAMLMap).items.length > 0,
  );
  const target = ivs && d.chance(0.4) ? ivs : cols.length ? d.pick(cols) : undefined;
  if (!target) return undefined;
  const c = target.node;
  // Copies of copies grow as a product: keep a mutant's document near the size limits it tests
  // (writing out a 100 MB mutant would take longer than checking it).
  const nodes = sites(doc).length;
  const limited = (item: unknown) =>
    Math.max(
      1,
      Math.min(
        copies,
        Math.floor((MAX_GROWN_NODES - nodes) / (isCollection(item) ? sites(item as Node).length : 1)),
        Math.floor(MAX_GROWN_CHARS / charsOf(item)),
      ),
    );
  if (isMap(c)) {
    const pair = d.pick(c.items);
    const key = isScalar(pair.key) ? String(pair.key.value) : 'k';
    const n = limited(pair.value);
    // Clones, not the same node: a later mutation inside one copy must not multiply through all.
    const v = pair.value as Node | null;
    for (let k = 0; k < n; k++) c.items.push(new Pair(new Scalar(`${key}-${k}`), v ? v.clone() : v));
    return `${n} copies in ${target.key ?? 'a map'}`;
  }
  const item = d.pick((c as YAMLSeq).items);
  const n = limited(item);
  for (let k = 0; k < n; k++)
    (c as YAMLSeq).items.push(isCollection(item) || isScalar(item) ? item.clone() : item);
  return `${n} copies in ${target.key ?? 'a list'}`;
};

const splice: Op = (d, doc, ctx) => {
  const donor = d.pick(ctx.corpus);
  const from = sites(ctx.parsed(donor)).filter((s) => s.parent);
  const to = sites(doc).filter((s) => s.parent);
  if (!from.length || !to.length) return undefined;
  const piece = d.pick(from);
  const site = d.pick(to);
  // Prefer a place with the same key: an actor for an actor, a doctrine for a doctrine.
  const same = to.filter((s) => s.key !== undefined && s.key === piece.key);
  (same.length && d.chance(0.7) ? d.pick(same) : site).replace(doc.createNode(piece.node.toJSON()) as Node);
  return `splice from ${donor.name}`;
};

const AST_OPS: readonly (readonly [Op, number])[] = [
  [deleteKey, 10],
  [duplicateKey, 6],
  [typeSwap, 10],
  [nearMissRef, 14],
  [offRange, 12],
  [longString, 5],
  [deepNest, 4],
  [alias, 7],
  [extendsOp, 6],
  [grow, 6],
  [splice, 8],
];

// ---------------------------------------------------------------------------------------------
// Text mutations (after the document is written out)

function textOp(d: Dice, text: string): [string, string] {
  const lines = text.split('\n');
  switch (d.int(6)) {
    case 0: {
      // Byte flips: characters replaced by any byte value, as a decoder would see them.
      let s = text;
      const n = 1 + d.int(4);
      for (let k = 0; k < n && s.length; k++) {
        const i = d.int(s.length);
        const b = d.int(256);
        const c = b >= 0x80 && d.chance(0.5) ? '\ufffd' : String.fromCharCode(b);
        s = s.slice(0, i) + c + s.slice(i + 1);
      }
      return [s, `${n} byte flips`];
    }
    case 1: {
      const i = d.int(lines.length);
      lines.splice(i, 0, lines[i] ?? '');
      return [lines.join('\n'), 'duplicated line'];
    }
    case 2: {
      lines.splice(d.int(lines.length), 1);
      return [lines.join('\n'), 'deleted line'];
    }
    case 3: {
      const i = d.int(lines.length);
      lines[i] = d.chance(0.5) ? ` ${lines[i]}` : (lines[i] ?? '').replace(/^ /, '');
      return [lines.join('\n'), 'indentation'];
    }
    case 4:
      return [text.slice(0, d.int(text.length + 1)), 'truncated'];
    default: {
      const i = d.int(text.length + 1);
      const piece = d.pick([
        '[',
        ']',
        '{',
        '}',
        ': ',
        '- ',
        '&a ',
        '*a',
        '!!binary ',
        '"',
        "'",
        '#',
        '|\n',
        '? ',
        '---\n',
        '\t',
        '<<: *a\n',
      ]);
      return [text.slice(0, i) + piece + text.slice(i), `inserted ${JSON.stringify(piece)}`];
    }
  }
}

// ---------------------------------------------------------------------------------------------

const docCache = new Map<string, Document>();

/** Mutant `index` of `seed` over `corpus`. */
export function mutant(corpus: CorpusFile[], seed: number, index: number): Mutant {
  const d = new Dice(randomStream(seed, 0x46555a5a, index));
  anchorCount = 0;
  const entry = d.pick(corpus);
  const files: Record<string, string> = {};
  const parsed = (f: CorpusFile) => {
    let doc = docCache.get(f.path);
    if (!doc) {
      doc = parseDocument(f.text, { uniqueKeys: false });
      docCache.set(f.path, doc);
    }
    return doc.clone();
  };
  const ctx: Ctx = { corpus, entry, files, parsed };
  const doc = parsed(entry);
  const ops: string[] = [];
  const nAst = d.weighted([
    [0, 1],
    [1, 6],
    [2, 3],
    [3, 1],
  ]);
  for (let k = 0; k < nAst; k++) {
    const what = d.weighted(AST_OPS)(d, doc, ctx);
    if (what) ops.push(what);
  }
  let text: string;
  try {
    text = doc.toString({ lineWidth: 0 });
  } catch (e) {
    // A mutation the yaml writer cannot express: fall back to the file's text.
    ops.push(`unwritable (${e instanceof Error ? e.message.slice(0, 60) : 'error'})`);
    text = entry.text;
  }
  if (nAst === 0 || d.chance(0.15)) {
    const [t, what] = textOp(d, text);
    text = t;
    ops.push(what);
  }
  files[entry.path] = text;
  return { entry: entry.path, files, ops };
}
