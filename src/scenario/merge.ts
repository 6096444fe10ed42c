// Composition of documents: JSON merge patches (RFC 7396) that carry source positions along, and
// dotted paths into a document (`actors.DPRK.perception.misread.US.bomber-flight.US.strike-package`).
import { type Diagnostic, didYouMean, formatPath } from './diagnostics.ts';
import type { Locations } from './parse.ts';

export type Path = (string | number)[];

/** A plain mapping (not a list, not null). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface Merged {
  value: unknown;
  locations: Locations;
}

/**
 * Applies `patch` to `target` as an RFC 7396 merge patch: mappings merge key by key, `null` deletes a
 * key, anything else replaces. Returns a new value (inputs are not changed) and the merged source
 * positions, where the patch's positions win.
 */
export function mergePatch(
  target: unknown,
  patch: unknown,
  targetLocs: Locations = {},
  patchLocs: Locations = {},
): Merged {
  if (!isPlainObject(patch)) return { value: patch, locations: patchLocs };
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  const children = new Map(isPlainObject(target) ? (targetLocs.children ?? []) : []);
  for (const [key, pv] of Object.entries(patch)) {
    if (pv === null) {
      delete out[key];
      children.delete(key);
      continue;
    }
    const merged = mergePatch(
      Object.hasOwn(out, key) ? out[key] : undefined,
      pv,
      children.get(key),
      patchLocs.children?.get(key),
    );
    // defineProperty, not assignment: a key named `__proto__` must stay a plain key.
    Object.defineProperty(out, key, {
      value: merged.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    children.set(key, merged.locations);
  }
  const locations: Locations = { children };
  const at = patchLocs.at ?? targetLocs.at;
  if (at) locations.at = at;
  const key = patchLocs.key ?? targetLocs.key;
  if (key) locations.key = key;
  return { value: out, locations };
}

/** A path segment as written: a bare run of characters between dots, or a bracket-quoted key or index. */
interface Segment {
  text: string;
  quoted: boolean;
}

/** Splits `a.b["c.d"][0].e` into segments; undefined when the brackets are malformed. */
export function splitPath(path: string): Segment[] | undefined {
  const segs: Segment[] = [];
  let i = 0;
  let bare = '';
  let afterBracket = false;
  const flush = () => {
    if (bare !== '') segs.push({ text: bare, quoted: false });
    bare = '';
  };
  while (i < path.length) {
    const c = path[i]!;
    if (c === '.') {
      if (bare === '' && !afterBracket) return undefined;
      flush();
      afterBracket = false;
      i++;
    } else if (c === '[') {
      flush();
      const close = path.indexOf(']', i);
      if (close < 0) return undefined;
      const inner = path.slice(i + 1, close).trim();
      let text: string;
      if (/^\d+$/.test(inner)) text = inner;
      else if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) {
        try {
          text = JSON.parse(inner) as string;
        } catch {
          return undefined;
        }
      } else if (/^'[^']*'$/.test(inner)) text = inner.slice(1, -1);
      else return undefined;
      segs.push({ text, quoted: true });
      afterBracket = true;
      i = close + 1;
    } else {
      if (afterBracket) return undefined;
      bare += c;
      i++;
    }
  }
  if (bare === '' && !afterBracket) return undefined;
  flush();
  return segs;
}

/** Why a path did not resolve: where it stopped and what was there. */
export interface PathMiss {
  /** The part of the path that resolved. */
  resolved: Path;
  /** The segment (or run of segments) that matched nothing. */
  missing: string;
  /** Keys (or the index range) available at that point. */
  available: string[];
  /** A close key, if any. */
  suggestion?: string;
}

/**
 * Resolves a dotted path against a document. Keys may contain dots, so at each level the longest run
 * of remaining segments that names an existing key wins; bracket-quoted segments (`["US.bomber-flight"]`)
 * are taken whole, and numbers index lists.
 */
export function resolvePath(
  doc: unknown,
  path: string,
): { path: Path } | { miss: PathMiss } | { syntax: true } {
  const segs = splitPath(path);
  if (!segs) return { syntax: true };
  const out: Path = [];
  let node = doc;
  let i = 0;
  while (i < segs.length) {
    const seg = segs[i]!;
    if (Array.isArray(node)) {
      const idx = /^\d+$/.test(seg.text) ? Number(seg.text) : -1;
      if (idx < 0 || idx >= node.length) {
        const available = node.length ? [`0..${node.length - 1}`] : [];
        return { miss: { resolved: out, missing: seg.text, available } };
      }
      out.push(idx);
      node = node[idx];
      i++;
      continue;
    }
    if (!isPlainObject(node)) {
      return { miss: { resolved: out, missing: seg.text, available: [] } };
    }
    let matched = -1;
    if (seg.quoted) {
      if (Object.hasOwn(node, seg.text)) matched = i + 1;
    } else {
      let run = '';
      for (let j = i; j < segs.length && !segs[j]!.quoted; j++) {
        run = j === i ? segs[j]!.text : `${run}.${segs[j]!.text}`;
        if (Object.hasOwn(node, run)) matched = j + 1;
      }
    }
    if (matched < 0) {
      const available = Object.keys(node);
      const miss: PathMiss = { resolved: out, missing: seg.text, available };
      // Suggest against the whole remaining bare run too: `US.bomber-flght` is one key with a typo.
      let run = seg.text;
      let suggestion = didYouMean(run, available);
      for (let j = i + 1; !seg.quoted && j < segs.length && !segs[j]!.quoted; j++) {
        run = `${run}.${segs[j]!.text}`;
        suggestion ??= didYouMean(run, available);
      }
      if (suggestion) miss.suggestion = suggestion;
      return { miss };
    }
    const key = seg.quoted
      ? seg.text
      : segs
          .slice(i, matched)
          .map((s) => s.text)
          .join('.');
    out.push(key);
    node = node[key];
    i = matched;
  }
  return { path: out };
}

/** The value at a field path (undefined when absent). */
export function getIn(doc: unknown, path: readonly (string | number)[]): unknown {
  let node = doc;
  for (const seg of path) {
    if (Array.isArray(node) && typeof seg === 'number') node = node[seg];
    else if (isPlainObject(node) && Object.hasOwn(node, String(seg))) node = node[String(seg)];
    else return undefined;
  }
  return node;
}

/** A copy of `doc` with `value` at `path` (which must exist); containers along the path are copied. */
export function setIn(doc: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(doc)) {
    const copy = doc.slice();
    copy[head as number] = setIn(doc[head as number], rest, value);
    return copy;
  }
  const obj = isPlainObject(doc) ? doc : {};
  const copy = { ...obj };
  Object.defineProperty(copy, String(head), {
    value: setIn(obj[String(head)], rest, value),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return copy;
}

/**
 * `setIn` of many values at once: the document that setting them one after another gives, with each
 * container on the paths copied once (parameter draws set hundreds of values at every draw).
 */
export function setAllIn(
  doc: unknown,
  entries: Iterable<readonly [readonly (string | number)[], unknown]>,
): unknown {
  const mine = new WeakSet<object>();
  const own = (v: unknown): Record<string | number, unknown> => {
    if (typeof v === 'object' && v !== null && mine.has(v)) return v as Record<string, unknown>;
    const copy = Array.isArray(v) ? v.slice() : { ...(isPlainObject(v) ? v : {}) };
    mine.add(copy);
    return copy as Record<string | number, unknown>;
  };
  const put = (node: Record<string | number, unknown>, seg: string | number, value: unknown) => {
    if (Array.isArray(node)) node[seg as number] = value;
    else
      Object.defineProperty(node, String(seg), {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  };
  let root = doc;
  for (const [path, value] of entries) {
    if (path.length === 0) {
      root = value;
      continue;
    }
    const top = own(root);
    root = top;
    let node = top;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const child = own(node[Array.isArray(node) ? (seg as number) : String(seg)]);
      put(node, seg, child);
      node = child;
    }
    put(node, path[path.length - 1]!, value);
  }
  return root;
}

/** The diagnostic for a dotted path that does not resolve. */
export function pathDiagnostic(
  code: 'E_SET_PATH' | 'E_INTERVENTION_PATH',
  path: string,
  result: { miss: PathMiss } | { syntax: true },
): Diagnostic {
  if ('syntax' in result) {
    return {
      code,
      severity: 'error',
      message: `\`${path}\` is not a valid path`,
      path: [],
      hint: 'write a path as dotted keys (actors.DPRK.readiness); quote a key that holds dots: misread["US.bomber-flight"]',
    };
  }
  const { miss } = result;
  const where = miss.resolved.length ? `\`${formatPath(miss.resolved)}\`` : 'the scenario';
  const d: Diagnostic = {
    code,
    severity: 'error',
    message: `\`${path}\` does not exist: ${where} has no \`${miss.missing}\``,
    path: miss.resolved,
  };
  if (miss.suggestion) d.hint = `did you mean \`${miss.suggestion}\`?`;
  else if (miss.available.length) {
    const shown = miss.available.slice(0, 12).join(', ');
    d.hint = `${where} has: ${shown}${miss.available.length > 12 ? ', ...' : ''}`;
  }
  return d;
}

/**
 * Reads the value at a dotted path. Returns the value and the resolved field path, or a diagnostic
 * (E_SET_PATH) with a did-you-mean hint.
 */
export function getPath(
  doc: unknown,
  path: string,
  code: 'E_SET_PATH' | 'E_INTERVENTION_PATH' = 'E_SET_PATH',
): { value: unknown; path: Path } | { diagnostic: Diagnostic } {
  const r = resolvePath(doc, path);
  if (!('path' in r)) return { diagnostic: pathDiagnostic(code, path, r) };
  return { value: getIn(doc, r.path), path: r.path };
}

/**
 * Returns a copy of `doc` with `value` at the dotted `path`, which must already exist (a typo must
 * not silently add a field). Otherwise a diagnostic (E_SET_PATH) with a did-you-mean hint.
 */
export function setPath(
  doc: unknown,
  path: string,
  value: unknown,
  code: 'E_SET_PATH' | 'E_INTERVENTION_PATH' = 'E_SET_PATH',
): { doc: unknown; path: Path } | { diagnostic: Diagnostic } {
  const r = resolvePath(doc, path);
  if (!('path' in r)) return { diagnostic: pathDiagnostic(code, path, r) };
  return { doc: setIn(doc, r.path, value), path: r.path };
}
