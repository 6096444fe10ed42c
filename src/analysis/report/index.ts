// Reports: build the data once, render it as HTML, Markdown or CSV.
import { expandInterventions } from '../../scenario/load.ts';
import type { Locations } from '../../scenario/parse.ts';
import type { Scenario } from '../../scenario/schema.ts';
import { type ParamTarget, uncertainTargets } from '../design.ts';
import { type Assumption, assumptions } from './assumptions.ts';
import type { InterventionInfo } from './data.ts';

export { type Assumption, assumptions, commentAt, describeDistribution } from './assumptions.ts';
export type { InterventionInfo, Manifest, ReportData } from './data.ts';
export { escapeHtml, htmlReport } from './html.ts';
export { csvReport, markdownReport } from './text.ts';

/**
 * The assumptions of a scenario as run: its uncertain parameters (interventions applied) plus any
 * `extra` targets (swept parameters), each once.
 */
export function scenarioAssumptions(
  doc: Scenario,
  opts: {
    locations?: Locations;
    readText?: (file: string) => string | undefined;
    extra?: ParamTarget[];
  } = {},
): Assumption[] {
  const targets = uncertainTargets(doc);
  for (const t of opts.extra ?? [])
    if (!targets.some((u) => u.path.join('\u0000') === t.path.join('\u0000'))) targets.push(t);
  return assumptions(doc, targets, opts.locations, opts.readText);
}

/** Titles, descriptions and sources of the interventions named (combinations expanded). */
export function interventionInfo(doc: Scenario, names: readonly string[]): InterventionInfo[] {
  const seen = new Set<string>();
  const out: InterventionInfo[] = [];
  for (const id of expandInterventions(names)) {
    if (seen.has(id)) continue;
    seen.add(id);
    const iv = doc.interventions[id];
    if (!iv) continue;
    out.push({ id, title: iv.title, description: iv.description?.trim() ?? null, sources: iv.sources ?? [] });
  }
  return out;
}
