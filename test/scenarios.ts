// Loading the example scenarios for tests, through the same pipeline as the CLI.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Model } from '../src/engine/model.ts';
import { compile } from '../src/scenario/compile.ts';
import { loadDocument, prepare } from '../src/scenario/index.ts';
import { type Scenario, Scenario as ScenarioSchema } from '../src/scenario/schema.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

/** Every scenario in scenarios/ (not the libraries). */
export function exampleScenarios(): string[] {
  return readdirSync(`${ROOT}scenarios`)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `scenarios/${f}`);
}

export function load(file: string, interventions: string[] = [], set: Record<string, unknown> = {}): Model {
  const res = prepare(`${ROOT}${file}`, { readFile, interventions, set });
  if (!res.model) throw new Error(`${file}: ${JSON.stringify(res.diagnostics, null, 1)}`);
  return res.model;
}

/** The validated document, to change by hand before compiling. */
export function loadDoc(file: string): Scenario {
  const res = loadDocument(`${ROOT}${file}`, { readFile });
  if (!res.doc) throw new Error(`${file}: ${JSON.stringify(res.diagnostics, null, 1)}`);
  return structuredClone(res.doc) as Scenario;
}

/** Compiles a (possibly hand-changed) document, re-applying the schema's defaults first. */
export function compileDoc(doc: Scenario): Model {
  const { model, diagnostics } = compile(ScenarioSchema.parse(doc));
  if (!model) throw new Error(JSON.stringify(diagnostics, null, 1));
  return model;
}

export function interventionsOf(file: string): string[] {
  return Object.keys(loadDoc(file).interventions);
}
