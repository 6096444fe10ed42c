// `brink fmt`: one canonical layout for scenario files. Comments stay (sources are cited in them), the
// fields of each fixed-field object follow the schema's order, named maps keep the author's order (it
// can matter to a run), quotes are dropped where YAML does not need them, indentation is two spaces.
import { type Document, isMap, isScalar, isSeq, parseDocument, visit, type Node as YamlNode } from 'yaml';
import type { Diagnostic } from './diagnostics.ts';
import { fieldOrder } from './load.ts';
import { isPlainObject, type Path } from './merge.ts';
import { parseText } from './parse.ts';

const STRINGIFY = { indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0 } as const;

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

function plainStrings(doc: Document): void {
  visit(doc, {
    Scalar(_, n) {
      if (
        (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE') &&
        typeof n.value === 'string' &&
        !n.value.includes('\n')
      ) {
        delete n.type;
      }
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
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
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
  let out = doc.toString(STRINGIFY);
  if (!out.endsWith('\n')) out += '\n';
  return { text: out, diagnostics: [] };
}
