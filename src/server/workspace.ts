// Scenario use cases over a workspace's stored files: the same pipeline as the CLI (src/scenario), with
// `readFile` reading the workspace's files by path instead of the disk.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import type { Diagnostic } from '../scenario/diagnostics.ts';
import { validateFile } from '../scenario/index.ts';
import { filesIo, prepareFiles, resolveRelative } from '../scenario/load.ts';
import type { FileKind, Store } from '../store/index.ts';

export type Files = Record<string, string>;

/** Every file of a workspace, by path. */
export async function workspaceFiles(store: Store, workspaceId: string): Promise<Files> {
  const out: Files = {};
  for (const s of await store.listScenarios(workspaceId)) out[s.path] = s.yaml;
  return out;
}

/** Diagnostics of `path` (with the text in `files`), as `brink validate` gives them. */
export function validateInFiles(
  files: Files,
  path: string,
): { diagnostics: Diagnostic[]; files: string[]; kind: FileKind } {
  return validateFile(path, filesIo(files));
}

/** Loads, applies interventions and `set`, and compiles `path`; also returns the files read. */
export const prepareInFiles = prepareFiles;

/** What the header of a file says: its kind and title (best effort, for listing). */
export function describeFile(yaml: string, path: string): { kind: FileKind; title: string } {
  try {
    const v = parseDocument(yaml).toJS() as Record<string, unknown> | null;
    const kind: FileKind = v?.kind === 'library' ? 'library' : 'scenario';
    const title = typeof v?.title === 'string' ? v.title : typeof v?.id === 'string' ? v.id : path;
    return { kind, title };
  } catch {
    return { kind: 'scenario', title: path };
  }
}

/** The example scenarios (the `.yaml` files directly in `dir`) and every file they extend, by relative path. */
export function exampleFiles(dir: string): Files {
  const out: Files = {};
  const add = (rel: string) => {
    if (Object.hasOwn(out, rel) || rel.startsWith('..') || rel.startsWith('/')) return;
    let text: string;
    try {
      text = readFileSync(join(dir, rel), 'utf8');
    } catch {
      return; // a missing base shows up as a diagnostic when the scenario is opened
    }
    out[rel] = text;
    let ext: unknown;
    try {
      ext = (parse(text) as { extends?: unknown } | null)?.extends;
    } catch {
      return;
    }
    for (const name of typeof ext === 'string' ? [ext] : Array.isArray(ext) ? ext : [])
      if (typeof name === 'string') add(resolveRelative(rel, name));
  };
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1)))
    if (e.isFile() && /\.ya?ml$/.test(e.name)) add(e.name);
  return out;
}

/** Copies the example scenarios into a workspace (the library files too). */
export async function loadExamples(
  store: Store,
  workspaceId: string,
  dir: string,
  by: string | null,
): Promise<number> {
  let n = 0;
  for (const [path, yaml] of Object.entries(exampleFiles(dir)).sort()) {
    const { kind, title } = describeFile(yaml, path);
    const tags = ['example', ...(path.includes('korea') ? ['korea'] : [])];
    const created = await store.createScenario({ workspaceId, path, kind, title, yaml, tags, by });
    if (created) n++;
  }
  return n;
}
