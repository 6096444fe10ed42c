// The assumptions table: every parameter a report rests on, its value or distribution, and where it
// comes from (its `source` note, the scenario's `sources` map, and the comment beside it in the file).

import { type Locations, locate } from '../../scenario/parse.ts';
import type { Scenario } from '../../scenario/schema.ts';
import type { ParamTarget } from '../design.ts';

export interface Assumption {
  path: string;
  value: number;
  distribution: string | null;
  /** Source id or note, and its citation when the id is in the scenario's `sources`. */
  source: string | null;
  citation: string | null;
  /** The comment next to (or just above) the parameter in its file. */
  comment: string | null;
  /** file:line where it is set. */
  where: string | null;
}

export function describeDistribution(d: unknown): string | null {
  if (!d || typeof d !== 'object') return null;
  const o = d as Record<string, unknown>;
  for (const k of ['uniform', 'triangular', 'beta', 'normal', 'lognormal']) {
    if (Array.isArray(o[k])) return `${k}(${(o[k] as number[]).join(', ')})`;
  }
  return null;
}

/** The trailing comment of a YAML line (outside quotes), or the comment lines right above it. */
export function commentAt(text: string, line: number): string | null {
  const lines = text.split('\n');
  const own = lines[line - 1] ?? '';
  let quote = '';
  for (let i = 0; i < own.length; i++) {
    const ch = own[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(own[i - 1]!))) return own.slice(i + 1).trim() || null;
  }
  const above: string[] = [];
  for (let k = line - 2; k >= 0; k--) {
    const t = lines[k]!.trim();
    if (!t.startsWith('#')) break;
    above.unshift(t.replace(/^#+\s?/, ''));
  }
  return above.length ? above.join(' ') : null;
}

/**
 * The assumptions behind `targets` in `doc`. With `locations` (from loading the file) and `readText`,
 * each row also carries the comment beside the parameter in its file.
 */
export function assumptions(
  doc: Scenario,
  targets: readonly ParamTarget[],
  locations?: Locations,
  readText?: (file: string) => string | undefined,
): Assumption[] {
  const texts = new Map<string, string | undefined>();
  return targets.map((t) => {
    const pos = locations ? locate(locations, t.path) : undefined;
    let comment: string | null = null;
    if (pos && readText) {
      if (!texts.has(pos.file)) texts.set(pos.file, readText(pos.file));
      const text = texts.get(pos.file);
      if (text) comment = commentAt(text, pos.line);
    }
    const source = t.source ?? null;
    const cited = source ? doc.sources?.[source] : undefined;
    return {
      path: t.name,
      value: t.nominal,
      distribution: describeDistribution(t.dist),
      source,
      citation: cited ? `${cited.citation}${cited.url ? ` ${cited.url}` : ''}` : null,
      comment,
      where: pos ? `${pos.file.split('/').slice(-2).join('/')}:${pos.line}` : null,
    };
  });
}
