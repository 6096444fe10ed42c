// Test helpers: compile a scenario from YAML text without the file pipeline.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Model } from '../src/engine/model.ts';
import { compile } from '../src/scenario/compile.ts';
import { Scenario } from '../src/scenario/schema.ts';

export function compileYaml(text: string, patch?: (doc: Record<string, unknown>) => void): Model {
  const raw = parse(text) as Record<string, unknown>;
  patch?.(raw);
  const doc = Scenario.parse(raw);
  const { model, diagnostics } = compile(doc);
  if (!model) throw new Error(`does not compile: ${JSON.stringify(diagnostics, null, 1)}`);
  return model;
}

export function compileFile(path: string, patch?: (doc: Record<string, unknown>) => void): Model {
  return compileYaml(readFileSync(new URL(`../${path}`, import.meta.url), 'utf8'), patch);
}
