// `brink fmt`: one canonical layout for scenario files. Comments stay (sources are cited in them), the
// fields of each fixed-field object follow the schema's order, named maps keep the author's order (it
// can matter to a run), quotes are dropped where YAML does not need them, indentation is two spaces.
import {
  Document,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Tags,
  visit,
  YAMLMap,
  YAMLSeq,
  type Node as YamlNode,
} from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { fieldOrder } from './load.ts';
import { isPlainObject, type Path } from './merge.ts';
import { parseText } from './parse.ts';

// Lines aim at this width: folded block scalars (`>`) are wrapped to it, and a flow collection
// (`{ ... }`, `[...]`) that would run past it is written as a block. Other text keeps its lines.
const WIDTH = 110;
const STRINGIFY = { indent: 2, indentSeq: true, lineWidth: WIDTH, minContentWidth: 0 } as const;

type Stringify = (item: unknown, ctx: { options: object }, ...rest: unknown[]) => string;
const noWrap = <C extends { options: object }>(ctx: C): C => ({
  ...ctx,
  options: { ...ctx.options, lineWidth: 0 },
});

/** The core schema with a string tag that wraps only folded block scalars. */
const customTags = (tags: Tags): Tags =>
  tags.map((tag) => {
    if (typeof tag !== 'object' || tag.tag !== 'tag:yaml.org,2002:str' || !tag.stringify) return tag;
    const stringify = tag.stringify as Stringify;
    return {
      ...tag,
      stringify: ((item, ctx, ...rest) =>
        stringify(
          item,
          isScalar(item) && item.type === 'BLOCK_FOLDED' ? ctx : noWrap(ctx),
          ...rest,
        )) as Stringify,
    } as typeof tag;
  });

/** Where fields of the patch of an intervention are scenario fields again. */
function schemaPath(path: Path): Path {
  return path.length >= 3 && path[0] === 'interventions' && path[2] === 'patch' ? path.slice(3) : path;
}

function hasAlias(doc: Document): boolean {
  let found = false;
  visit(doc, {
    Alias() {
      found = true;
      return visit.BREAK;
    },
  });
  return found;
}

function joinComments(a: string | null | undefined, b: string | null | undefined): string | undefined {
  if (a && b) return `${a}\n${b}`;
  return a || b || undefined;
}

function reorder(node: unknown, path: Path): void {
  if (isSeq(node)) {
    node.items.forEach((item, i) => {
      reorder(item, [...path, i]);
    });
    return;
  }
  if (!isMap(node)) return;
  const keys = node.items.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  const order = fieldOrder(schemaPath(path), keys);
  if (order && node.items.length > 1) {
    // A comment before the first key belongs to that key: let it travel with it.
    const first = node.items[0]!.key as YamlNode | null;
    if (node.commentBefore && first) {
      first.commentBefore = joinComments(node.commentBefore, first.commentBefore) ?? null;
      node.commentBefore = null;
    }
    const rank = (k: unknown) => (isScalar(k) ? order.indexOf(String(k.value)) : order.length);
    node.items.sort((a, b) => rank(a.key) - rank(b.key));
  }
  const head = node.items[0]?.key as YamlNode | null | undefined;
  if (head) head.spaceBefore = false;
  for (const pair of node.items) {
    if (isScalar(pair.key)) reorder(pair.value, [...path, String(pair.key.value)]);
  }
}

// House style, as in the example scenarios: `{ key: value }` but `[a, b]`. yaml has one padding option
// for both, so flow collections get their own padding through the context they are printed with.
const seqToString = YAMLSeq.prototype.toString;
const mapToString = YAMLMap.prototype.toString;
type ToString = (this: unknown, ctx?: { options: object }, ...rest: unknown[]) => string;
function padded(fn: ToString, padding: string): ToString {
  // A flow collection stays on one line however long (yaml would break it inside the braces).
  return function (this: unknown, ctx?: { options: object }, ...rest: unknown[]) {
    return fn.call(this, ctx && { ...noWrap(ctx), flowCollectionPadding: padding }, ...rest);
  };
}
const flowSeq = padded(seqToString as ToString, '');
const flowMap = padded(mapToString as ToString, ' ');

function flowStyle(doc: Document): void {
  visit(doc, {
    Seq(_, n) {
      if (n.flow) Object.defineProperty(n, 'toString', { value: flowSeq, configurable: true });
    },
    Map(_, n) {
      if (n.flow) Object.defineProperty(n, 'toString', { value: flowMap, configurable: true });
    },
  });
}

/** Turns flow collections that would not fit on their line into blocks, outside in. */
function blockLongFlows(node: unknown, indent: number, lead: number): void {
  if (!isMap(node) && !isSeq(node)) return;
  if (node.flow) {
    // Measured without its own trailing comment, which may run past the width.
    const comment = node.comment;
    node.comment = null;
    const width = indent + lead + new Document(node).toString(STRINGIFY).trimEnd().length;
    node.comment = comment ?? null;
    if (width <= WIDTH && !node.items.some(hasComment)) return;
    node.flow = false;
  }
  if (isSeq(node)) {
    for (const item of node.items) blockLongFlows(item, indent + 2, 2);
    return;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value).length : 0;
    const child = pair.value;
    if (isSeq(child) && !child.flow) blockLongFlows(child, indent + 2, 0);
    else if (isMap(child) && !child.flow) blockLongFlows(child, indent + 2, 0);
    else blockLongFlows(child, indent, key + 2);
  }
}

function hasComment(item: unknown): boolean {
  const n = (isScalar(item) || isMap(item) || isSeq(item) ? item : (item as { key?: unknown })?.key) as
    | YamlNode
    | undefined;
  const v = (item as { value?: unknown })?.value as YamlNode | undefined;
  return Boolean(n?.commentBefore || n?.comment || v?.commentBefore || v?.comment);
}

function plainStrings(doc: Document): void {
  visit(doc, {
    Scalar(_, n) {
      if (typeof n.value !== 'string') return;
      const quoted = (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') && !n.value.includes('\n');
      // A block scalar of blanks prints as an empty block, and a comment after its header would then be
      // read back as its content: yaml chooses the style instead.
      const blankBlock = (n.type === 'BLOCK_FOLDED' || n.type === 'BLOCK_LITERAL') && n.value.trim() === '';
      if (quoted || blankBlock) delete n.type;
    },
  });
}

function reorderValue(value: unknown, path: Path): unknown {
  if (Array.isArray(value)) return value.map((v, i) => reorderValue(v, [...path, i]));
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value);
  const order = fieldOrder(schemaPath(path), keys);
  const sorted = order ? [...keys].sort((a, b) => order.indexOf(a) - order.indexOf(b)) : keys;
  const out: Record<string, unknown> = {};
  for (const k of sorted) {
    Object.defineProperty(out, k, {
      value: reorderValue(value[k], [...path, k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/**
 * Formats scenario text. YAML stays YAML with its comments; a `.json` file stays JSON. Text that does
 * not parse is returned with its diagnostics and no output.
 */
export function formatText(text: string, file = '<text>'): { text?: string; diagnostics: Diagnostic[] } {
  const parsed = parseText(text, file);
  if (parsed.diagnostics.length) return { diagnostics: parsed.diagnostics };
  if (/\.json$/i.test(file)) {
    return { text: `${JSON.stringify(reorderValue(parsed.value, []), null, 2)}\n`, diagnostics: [] };
  }
  // yaml attaches a few comments differently on a second reading (one after `- `, one between a key
  // and its value), so the layout is run to its fixed point; real files get there in one pass.
  let out = layout(text);
  for (let i = 0; i < 4; i++) {
    const next = layout(out);
    if (next === out) break;
    out = next;
  }
  return { text: out, diagnostics: [] };
}

function layout(text: string): string {
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, customTags });
  const root = doc.contents;
  // Moving keys could put an alias before its anchor; files with aliases keep their order.
  if (!hasAlias(doc)) {
    if (isMap(root)) {
      // The root's first key carries the file header comment: the header stays at the top.
      const first = root.items[0]?.key as YamlNode | null | undefined;
      const cb = joinComments(root.commentBefore, first?.commentBefore);
      if (first && cb) {
        const split = cb.lastIndexOf('\n\n');
        doc.commentBefore = joinComments(doc.commentBefore, split >= 0 ? cb.slice(0, split) : cb) ?? null;
        first.commentBefore = split >= 0 ? cb.slice(split + 2) : null;
        root.commentBefore = null;
        if (!first.commentBefore) first.spaceBefore = false;
      }
    }
    reorder(root, []);
  }
  plainStrings(doc);
  flowStyle(doc);
  blockLongFlows(root, 0, 0);
  const out = doc.toString(STRINGIFY);
  return out.endsWith('\n') ? out : `${out}\n`;
}
