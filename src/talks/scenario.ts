// Loading an agenda scenario from a snapshot of files and compiling documents derived from it (with
// positions, protocols and overrides). The same pipeline as `brink run`: load, interventions, `set`,
// compile; only the positions overlay (overlay.ts) is added, as a document change before compiling.
import type { Model } from '../engine/model.ts';
import { compile } from '../scenario/compile.ts';
import { formatDiagnostic, hasErrors } from '../scenario/diagnostics.ts';
import { applyInterventions, applySets, contentHash, type Loaded, loadDocument } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Venue } from './types.ts';

export type Files = Record<string, string>;

/** A scenario of the agenda: its files, its merged document and its compiled model. */
export interface Base {
  path: string;
  files: Files;
  loaded: Loaded;
  doc: Scenario;
  model: Model;
  hash: string;
}

/** A problem with a scenario, a position or a draft, said so a person can fix it. */
export class TalksError extends Error {}

function firstError(ds: Parameters<typeof hasErrors>[0], file: string): string {
  const d = ds.find((x) => x.severity === 'error');
  return d ? formatDiagnostic({ ...d, file: d.file ?? file }) : 'unknown error';
}

/** Loads and compiles `path` from `files`; throws a TalksError naming the first problem. */
export function loadBase(files: Files, path: string): Base {
  const loaded = loadDocument(path, {
    readFile: (p) => (Object.hasOwn(files, p) ? files[p] : undefined),
  });
  if (!loaded.doc || hasErrors(loaded.diagnostics))
    throw new TalksError(`scenario ${path} does not load: ${firstError(loaded.diagnostics, path)}`);
  const { model, hash } = compileDoc(loaded.doc, [], path);
  return { path, files, loaded, doc: loaded.doc, model, hash };
}

/** Compiles a document; throws a TalksError naming the first problem. */
export function compileDoc(
  doc: Scenario,
  interventions: string[],
  path: string,
): { model: Model; hash: string } {
  const hash = contentHash(doc);
  const c = compile(doc, { hash, interventions });
  if (!c.model) throw new TalksError(`scenario ${path} does not compile: ${firstError(c.diagnostics, path)}`);
  return { model: c.model, hash };
}

/** The base document with interventions and `set` overrides applied (before any positions). */
export function withProtocols(
  base: Base,
  interventions: readonly string[],
  set: Record<string, unknown>,
): Scenario {
  let doc = base.doc;
  let locs = base.loaded.locations;
  if (interventions.length) {
    const r = applyInterventions(doc, interventions, locs);
    if (!r.doc)
      throw new TalksError(
        `interventions ${interventions.join(' + ')} do not apply to ${base.path}: ${firstError(r.diagnostics, base.path)}`,
      );
    doc = r.doc;
    locs = r.locations;
  }
  if (Object.keys(set).length) {
    const r = applySets(doc, set, locs);
    if (!r.doc)
      throw new TalksError(`overrides do not apply to ${base.path}: ${firstError(r.diagnostics, base.path)}`);
    doc = r.doc;
  }
  return doc;
}

/** The talks an intervention adds (`patch.talks`), by id, with whether a third party hosts them. */
function talksAdded(doc: Scenario, intervention: string): { id: string; hosted: boolean }[] {
  const iv = doc.interventions[intervention];
  const talks = (iv?.patch as { talks?: Record<string, { host?: unknown }> } | undefined)?.talks;
  if (!talks) return [];
  return Object.entries(talks).map(([id, t]) => ({ id, hosted: t?.host !== undefined }));
}

/** The interventions of a document that add talks, in document order. */
export function talksInterventions(doc: Scenario): string[] {
  return Object.keys(doc.interventions).filter((id) => talksAdded(doc, id).length > 0);
}

/**
 * The venue of a dialogue in one scenario: the intervention named (it must add talks), or by default the
 * first that adds talks hosted by a third party, else the first that adds any talks; null when the
 * scenario models no talks (or `null` was asked for), and then the talks are taken as held.
 */
export function resolveVenue(doc: Scenario, path: string, ask?: string | null): Venue | null {
  if (ask === null) return null;
  const all = talksInterventions(doc);
  if (ask !== undefined) {
    if (!all.includes(ask))
      throw new TalksError(
        `venue ${ask}: ${path} has no intervention adding talks by that name (${all.join(', ') || 'it has none'})`,
      );
    return { intervention: ask, title: doc.interventions[ask]!.title };
  }
  const id = all.find((x) => talksAdded(doc, x).some((t) => t.hosted)) ?? all[0];
  return id === undefined ? null : { intervention: id, title: doc.interventions[id]!.title };
}
