// The delegations' forms: prefilled from the scenario (what its doctrine would do at the start of the
// crisis, and what its beliefs say each actor expects of the others), validated on submission.

import { isDistribution, isParamRef, nominal } from '../scenario/params.ts';
import { responseKey } from './agenda.ts';
import { checkDist } from './overlay.ts';
import type { Base } from './scenario.ts';
import { TalksError } from './scenario.ts';
import type { Dist, Positions, ScenarioAgenda } from './types.ts';

/** Where a prefilled expectation comes from: the scenario's stated belief, or the truth (no belief stated). */
export type ExpectationSource = 'belief' | 'truth';

/** The scenario's own expectation of `holder` about `of` on a trigger, if it states one. */
export function scenarioBelief(base: Base, holder: string, of: string, action: string): Dist | undefined {
  const row = base.doc.actors[holder]?.beliefs?.expects?.[of]?.[action];
  if (!row) return undefined;
  const m = base.model;
  const out: Dist = {};
  for (const [resp, p] of Object.entries(row)) {
    const key = resp.includes('.') ? resp.slice(resp.indexOf('.') + 1) : resp;
    const full = `${of}.${key}`;
    const x = m.actions.findIndex((a) => a.id === full);
    const k = x >= 0 ? responseKey(m, x) : key;
    // A judged entry with a distribution counts at its nominal value, as a plain run takes it.
    const v = isParamRef(p) ? base.doc.params?.[p.param] : p;
    out[k] = (out[k] ?? 0) + (typeof v === 'number' || isDistribution(v) ? nominal(v) : 0);
  }
  return out;
}

/** The form of `actor` prefilled from the scenario, with the source of each expectation. */
export function prefillPositions(
  base: Base,
  agenda: ScenarioAgenda,
  actor: string,
  parties: readonly string[],
): { positions: Positions; sources: Record<string, Record<string, ExpectationSource>> } {
  const responses: Positions['responses'] = {};
  for (const t of agenda.triggers[actor] ?? []) responses[t.id] = { ...t.prefill };
  const expectations: Positions['expectations'] = {};
  const sources: Record<string, Record<string, ExpectationSource>> = {};
  for (const of of parties) {
    if (of === actor) continue;
    const table: Record<string, Dist> = {};
    const src: Record<string, ExpectationSource> = {};
    for (const t of agenda.triggers[of] ?? []) {
      const belief = scenarioBelief(base, actor, of, t.action);
      table[t.id] = belief ?? { ...t.prefill };
      src[t.id] = belief ? 'belief' : 'truth';
    }
    expectations[of] = table;
    sources[of] = src;
  }
  return { positions: { responses, expectations }, sources };
}

/**
 * Checks a submitted form against the agenda: every trigger answered, every expectation stated,
 * each a distribution over the responder's possible responses. Returns it normalised.
 */
export function checkPositions(
  agenda: ScenarioAgenda,
  actor: string,
  parties: readonly string[],
  p: Positions,
): Positions {
  const responses: Positions['responses'] = {};
  for (const t of agenda.triggers[actor] ?? []) {
    const d = p.responses[t.id];
    if (!d) throw new TalksError(`answer what you would do after: ${t.label}`);
    responses[t.id] = checkDist(
      d,
      t.options.map((o) => o.key),
      `what you would do after "${t.label}"`,
    );
  }
  for (const id of Object.keys(p.responses))
    if (!responses[id]) throw new TalksError(`'${id}' is not a trigger of yours on the agenda`);
  const expectations: Positions['expectations'] = {};
  for (const of of parties) {
    if (of === actor) continue;
    const table: Record<string, Dist> = {};
    for (const t of agenda.triggers[of] ?? []) {
      const d = p.expectations[of]?.[t.id];
      if (!d)
        throw new TalksError(`state what you expect of ${agenda.actorNames[of] ?? of} after: ${t.label}`);
      table[t.id] = checkDist(
        d,
        t.options.map((o) => o.key),
        `what you expect of ${agenda.actorNames[of] ?? of} after "${t.label}"`,
      );
    }
    expectations[of] = table;
  }
  for (const of of Object.keys(p.expectations))
    if (!expectations[of]) throw new TalksError(`'${of}' is not another party of this dialogue`);
  return { responses, expectations };
}

/** The agenda restricted to the chosen triggers of each actor (in the agenda's order). */
export function selectTriggers(
  agenda: ScenarioAgenda,
  chosen: Record<string, readonly string[]>,
): ScenarioAgenda {
  const triggers: ScenarioAgenda['triggers'] = {};
  for (const [actor, ts] of Object.entries(agenda.triggers)) {
    const pick = chosen[actor];
    triggers[actor] = pick ? ts.filter((t) => pick.includes(t.id)) : ts;
  }
  return { ...agenda, triggers };
}
