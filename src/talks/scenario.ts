// Loading an agenda scenario from a snapshot of files and compiling documents derived from it (with
// positions, protocols and overrides). The same use case as `brink run` and the workbench
// (`prepareFiles`, `prepareLoaded`); only the positions overlay (overlay.ts) is added, as a document
// change before compiling.
import type { Model } from '../engine/model.ts';
import { formatDiagnostic, hasErrors } from '../scenario/diagnostics.ts';
import { compileDocument, type Loaded, prepareFiles, prepareLoaded } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Venue } from './types.ts';

export type Files = Record<string, string>;

/** A scenario of the agenda: its files, its merged document and its compiled model. */
export interface Base {
  path: string;
  files: Files;
  /** The files the scenario read (what reproduces it). */
  snapshot: Files;
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

/** Loads and compiles `path` from `files` (`prepareFiles`, as every edge); throws a TalksError naming the first problem. */
export function loadBase(files: Files, path: string): Base {
  const p = prepareFiles(files, path);
  if (!p.loaded.doc || hasErrors(p.loaded.diagnostics) || !p.doc || p.hash === undefined)
    throw new TalksError(`scenario ${path} does not load: ${firstError(p.diagnostics, path)}`);
  if (!p.model) throw new TalksError(`scenario ${path} does not compile: ${firstError(p.diagnostics, path)}`);
  return { path, files, snapshot: p.snapshot, loaded: p.loaded, doc: p.doc, model: p.model, hash: p.hash };
}

/** Compiles a document; throws a TalksError naming the first problem. */
export function compileDoc(
  doc: Scenario,
  interventions: string[],
  path: string,
): { model: Model; hash: string } {
  const c = compileDocument(doc, interventions);
  if (!c.model) throw new TalksError(`scenario ${path} does not compile: ${firstError(c.diagnostics, path)}`);
  return { model: c.model, hash: c.hash };
}

/** The base document with interventions and `set` overrides applied (before any positions). */
export function withProtocols(
  base: Base,
  interventions: readonly string[],
  set: Record<string, unknown>,
): Scenario {
  if (!interventions.length && !Object.keys(set).length) return base.doc;
  const p = prepareLoaded(base.loaded, { interventions: [...interventions], set }, base.path);
  if (!p.doc || hasErrors(p.diagnostics)) {
    const what = [
      ...(interventions.length ? [`interventions ${interventions.join(' + ')}`] : []),
      ...(Object.keys(set).length ? ['overrides'] : []),
    ].join(' and ');
    throw new TalksError(`${what} do not apply to ${base.path}: ${firstError(p.diagnostics, base.path)}`);
  }
  return p.doc;
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
