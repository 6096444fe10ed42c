// The key parameters of a scenario for the form: read from the merged document (the file and what it
// extends), written into the edited file with the yaml Document API so that comments and layout stay.
import { isMap, isScalar, parse, parseDocument } from 'yaml';
import { resolveRelative } from '../../../src/scenario/load.ts';
import { isPlainObject, mergePatch } from '../../../src/scenario/merge.ts';
import { isDistribution, nominal } from '../../../src/scenario/params.ts';

export type Param =
  | { kind: 'probability'; group: string; label: string; path: string[]; value: number; inherited: boolean }
  | { kind: 'toggle'; group: string; label: string; path: string[]; value: boolean; inherited: boolean };

/** The merged value of `path` with what it extends (cheap: plain parse, no positions or schema). */
export function mergedValue(
  files: Record<string, string>,
  path: string,
  seen: string[] = [],
): Record<string, unknown> {
  if (seen.includes(path)) return {};
  let own: unknown;
  try {
    own = parse(files[path] ?? '');
  } catch {
    return {};
  }
  if (!isPlainObject(own)) return {};
  const ext = own.extends;
  const names =
    typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext.filter((x) => typeof x === 'string') : [];
  let base: unknown = {};
  for (const n of names) {
    const {
      kind: _k,
      extends: _e,
      ...lib
    } = mergedValue(files, resolveRelative(path, n as string), [...seen, path]);
    base = mergePatch(base, lib).value;
  }
  const { extends: _x, ...self } = own;
  return mergePatch(base, self).value as Record<string, unknown>;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A probability at `path` as the form edits it: a number there, or a distribution's nominal value
 * (its `value`, or its mean), edited at `value` so that the distribution stays for parameter draws.
 */
function probabilityAt(v: unknown, path: string[]): { value: number; path: string[] } | undefined {
  const x = num(v);
  if (x !== undefined) return { value: x, path };
  if (isDistribution(v)) {
    const n = nominal(v);
    if (Number.isFinite(n)) return { value: n, path: [...path, 'value'] };
  }
  return undefined;
}

/** The parameters shown in the form: channels (exists, availability), ISR detection, misreadings. */
export function keyParams(merged: Record<string, unknown>, ownText: string): Param[] {
  const out: Param[] = [];
  let own: ReturnType<typeof parseDocument> | undefined;
  try {
    own = parseDocument(ownText);
  } catch {
    own = undefined;
  }
  const inherited = (path: string[]) => !own?.hasIn(path);
  const channels = isPlainObject(merged.channels) ? merged.channels : {};
  for (const [id, ch] of Object.entries(channels)) {
    if (!isPlainObject(ch)) continue;
    const name = typeof ch.name === 'string' ? ch.name : id;
    const exists = ['channels', id, 'exists'];
    out.push({
      kind: 'toggle',
      group: 'Channels',
      label: name,
      path: exists,
      value: ch.exists !== false,
      inherited: inherited(exists),
    });
    const availability = probabilityAt(ch.availability, ['channels', id, 'availability']);
    if (availability) {
      out.push({
        kind: 'probability',
        group: 'Channels',
        label: `${name}: availability`,
        path: availability.path,
        value: availability.value,
        inherited: inherited(availability.path),
      });
    }
  }
  const actors = isPlainObject(merged.actors) ? merged.actors : {};
  for (const [aid, actor] of Object.entries(actors)) {
    if (!isPlainObject(actor) || !isPlainObject(actor.perception)) continue;
    const perception = actor.perception;
    if (isPlainObject(perception.isr)) {
      for (const [domain, isr] of Object.entries(perception.isr)) {
        if (!isPlainObject(isr)) continue;
        const d = probabilityAt(isr.detect, ['actors', aid, 'perception', 'isr', domain, 'detect']);
        if (!d) continue;
        out.push({
          kind: 'probability',
          group: 'Detection (ISR)',
          label: `${aid} detects ${domain} acts`,
          path: d.path,
          value: d.value,
          inherited: inherited(d.path),
        });
      }
    }
    if (isPlainObject(perception.misread)) {
      for (const [act, as] of Object.entries(perception.misread)) {
        if (!isPlainObject(as)) continue;
        for (const [other, pv] of Object.entries(as)) {
          const v = probabilityAt(pv, ['actors', aid, 'perception', 'misread', act, other]);
          if (!v) continue;
          out.push({
            kind: 'probability',
            group: 'Misreading',
            label: `${aid} reads ${act} as ${other}`,
            path: v.path,
            value: v.value,
            inherited: inherited(v.path),
          });
        }
      }
    }
  }
  return out;
}

/**
 * Sets one value in the edited file and changes nothing else: an existing value is replaced in place;
 * a missing one is added as block-style lines under the deepest mapping of its path that the file has.
 * (Falls back to the yaml Document API, which keeps comments, for flow-style mappings.)
 */
export function setParam(text: string, path: string[], value: number | boolean): string {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new Error('fix the YAML syntax errors first');
  const literal = String(value);
  let node: unknown = doc.contents;
  let depth = 0;
  while (depth < path.length && isMap(node) && node.has(path[depth])) {
    node = node.get(path[depth], true);
    depth++;
  }
  if (depth === path.length && isScalar(node) && node.range) {
    return text.slice(0, node.range[0]) + literal + text.slice(node.range[1]);
  }
  if (isMap(node) && !node.flow && node.range) {
    const rest = path.slice(depth);
    const first = node.items[0]?.key as { range?: [number, number, number] } | undefined;
    let indent = '';
    if (depth > 0 && first?.range) {
      const lineStart = text.lastIndexOf('\n', first.range[0] - 1) + 1;
      indent = ' '.repeat(first.range[0] - lineStart);
    }
    const lines = rest.map(
      (k, i) => `${indent}${'  '.repeat(i)}${k}:${i === rest.length - 1 ? ` ${literal}` : ''}`,
    );
    // After the mapping's last value (and the rest of its line).
    const last = node.items[node.items.length - 1];
    const endOfValue =
      (last?.value as { range?: [number, number, number] } | null)?.range?.[1] ?? node.range[1];
    let at = text.indexOf('\n', Math.max(endOfValue - 1, 0));
    if (at < 0) at = text.length;
    const before = text.slice(0, at);
    const sep = depth === 0 && before.length && !before.endsWith('\n') ? '\n' : '';
    return `${before}${sep}${before.length ? '\n' : ''}${lines.join('\n')}${text.slice(at)}`;
  }
  doc.setIn(path, value);
  return doc.toString({ lineWidth: 0 });
}
