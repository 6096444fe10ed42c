// International Crisis Behavior v15: base rates of violence and war by trigger and by crisis-management
// technique (system level), and actors' major responses by trigger (actor level).
import { TRIGGER_TYPES, type TriggerTypeName } from '../scenario/schema.ts';
import { DataError, int, parseCsv } from './csv.ts';
import { type BetaPosterior, betaPosterior, dirichletMarginals } from './stats.ts';

const TRIGGER_NAMES: Record<TriggerTypeName, string> = {
  verbal: 'verbal act',
  political: 'political act',
  economic: 'economic act',
  'external-change': 'external change (intelligence report, new weapon)',
  'other-non-violent': 'other non-violent act',
  'internal-challenge': 'internal challenge to regime',
  'non-violent-military': 'non-violent military act (show of force, exercise, mobilisation)',
  'indirect-violent': 'indirect violent act',
  violent: 'violent act',
};

/** ICB `break` / `triggr` codes 1-9, as the scenario format's trigger types (same order). */
export const TRIGGER_CODES = TRIGGER_TYPES.map((id, i) => ({ code: i + 1, id, name: TRIGGER_NAMES[id] }));

/** ICB `crismg`: the primary crisis-management technique (the highest used by any actor). */
export const TECHNIQUES = [
  { code: 1, id: 'negotiation', name: 'negotiation' },
  { code: 2, id: 'adjudication', name: 'adjudication or arbitration' },
  { code: 3, id: 'mediation', name: 'mediation' },
  { code: 4, id: 'multiple-non-violent', name: 'multiple, not including violence' },
  { code: 5, id: 'non-military-pressure', name: 'non-military pressure' },
  { code: 6, id: 'non-violent-military', name: 'non-violent military' },
  { code: 7, id: 'multiple-with-violence', name: 'multiple, including violence' },
  { code: 8, id: 'violence', name: 'violence' },
] as const;

/** The ICB violence scale (`viol`): 1 none, 2 minor clashes, 3 serious clashes, 4 full-scale war. */
export const VIOLENCE_LEVELS = ['none', 'minor clashes', 'serious clashes', 'war'] as const;

export interface Crisis {
  crisno: number;
  name: string;
  trigger: number;
  trigent: number;
  triggerDate: { year: number; month: number; day: number };
  termination: { year: number; month: number; day: number };
  /** Duration in days (`brexit`; NaN when missing). */
  days: number;
  technique: number;
  /** 1..4 */
  violence: number;
  /** `timvio`: 4 = violence began after the crisis began. */
  timing: number;
}

export interface CrisisActor {
  crisno: number;
  actor: string;
  trigger: number;
  majorResponse: number;
  /** `sevvio`: severity of violence used by this actor, 1 none .. 4 full-scale war. */
  severity: number;
}

export const CRISIS_COLUMNS = [
  'crisno',
  'crisname',
  'break',
  'trigent',
  'yrtrig',
  'motrig',
  'datrig',
  'yrterm',
  'moterm',
  'daterm',
  'brexit',
  'crismg',
  'viol',
  'timvio',
] as const;
export const ACTOR_COLUMNS = ['crisno', 'actor', 'triggr', 'majres', 'sevvio'] as const;

export function readCrises(text: string, file = 'icb1-crises.csv'): Crisis[] {
  return parseCsv(text, file, CRISIS_COLUMNS).map((r, i) => {
    const violence = int(r.viol);
    const trigger = int(r.break);
    if (!(violence >= 1 && violence <= 4)) {
      throw new DataError(`${file}: row ${i + 2}: viol must be 1-4, got '${r.viol}'`);
    }
    if (!(trigger >= 1 && trigger <= 9)) {
      throw new DataError(`${file}: row ${i + 2}: break must be 1-9, got '${r.break}'`);
    }
    const days = int(r.brexit);
    return {
      crisno: int(r.crisno),
      name: r.crisname ?? '',
      trigger,
      trigent: int(r.trigent),
      triggerDate: { year: int(r.yrtrig), month: int(r.motrig), day: int(r.datrig) },
      termination: { year: int(r.yrterm), month: int(r.moterm), day: int(r.daterm) },
      days: days >= 0 && days < 999 ? days : Number.NaN,
      technique: int(r.crismg),
      violence,
      timing: int(r.timvio),
    };
  });
}

export function readCrisisActors(text: string, file = 'icb2-actors.csv'): CrisisActor[] {
  return parseCsv(text, file, ACTOR_COLUMNS).map((r) => ({
    crisno: int(r.crisno),
    actor: r.actor ?? '',
    trigger: int(r.triggr),
    majorResponse: int(r.majres),
    severity: int(r.sevvio),
  }));
}

export interface ViolenceRates {
  id: string;
  name: string;
  n: number;
  /** Crises at each level of the violence scale (none, minor, serious, war). */
  counts: [number, number, number, number];
  /** P(any violence): viol >= 2. */
  violence: BetaPosterior;
  /** P(serious clashes or war): viol >= 3. */
  serious: BetaPosterior;
  /** P(full-scale war): viol = 4. */
  war: BetaPosterior;
  /** P(violence began after the crisis began): timvio = 4. */
  later: BetaPosterior;
}

export function violenceRates(id: string, name: string, crises: readonly Crisis[]): ViolenceRates {
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  for (const c of crises) counts[c.violence - 1]!++;
  const n = crises.length;
  return {
    id,
    name,
    n,
    counts,
    violence: betaPosterior(n - counts[0], n),
    serious: betaPosterior(counts[2] + counts[3], n),
    war: betaPosterior(counts[3], n),
    later: betaPosterior(crises.filter((c) => c.timing === 4).length, n),
  };
}

/** Major responses grouped: violent (majres 8, 9), non-violent military (6, 7), other (1-5). */
export interface ResponseRates {
  id: string;
  name: string;
  n: number;
  counts: { violent: number; military: number; other: number };
  /** Dirichlet(1, 1, 1) marginals: their means sum to 1. */
  violent: BetaPosterior;
  military: BetaPosterior;
  other: BetaPosterior;
  /** Among actors whose major response was violent: P(their violence was full-scale war), sevvio = 4. */
  warIfViolent: BetaPosterior;
}

export interface IcbCalibration {
  crises: number;
  actors: number;
  overall: ViolenceRates;
  byTrigger: ViolenceRates[];
  nonViolentTriggers: ViolenceRates;
  byTechnique: ViolenceRates[];
  responses: ResponseRates[];
}

export function calibrateIcb(crises: readonly Crisis[], actors: readonly CrisisActor[]): IcbCalibration {
  const byTrigger = TRIGGER_CODES.map((t) =>
    violenceRates(
      t.id,
      t.name,
      crises.filter((c) => c.trigger === t.code),
    ),
  );
  const byTechnique = TECHNIQUES.map((t) =>
    violenceRates(
      t.id,
      t.name,
      crises.filter((c) => c.technique === t.code),
    ),
  );
  const responses = TRIGGER_CODES.map((t) => {
    const rows = actors.filter((a) => a.trigger === t.code && a.majorResponse >= 1 && a.majorResponse <= 9);
    const counts = {
      violent: rows.filter((a) => a.majorResponse >= 8).length,
      military: rows.filter((a) => a.majorResponse === 6 || a.majorResponse === 7).length,
      other: rows.filter((a) => a.majorResponse <= 5).length,
    };
    const [violent, military, other] = dirichletMarginals([
      counts.violent,
      counts.military,
      counts.other,
    ]) as [BetaPosterior, BetaPosterior, BetaPosterior];
    const violentRows = rows.filter((a) => a.majorResponse >= 8 && a.severity >= 1);
    const warIfViolent = betaPosterior(
      violentRows.filter((a) => a.severity === 4).length,
      violentRows.length,
    );
    return { id: t.id, name: t.name, n: rows.length, counts, violent, military, other, warIfViolent };
  });
  return {
    crises: crises.length,
    actors: actors.length,
    overall: violenceRates('all', 'all crises', crises),
    byTrigger,
    nonViolentTriggers: violenceRates(
      'non-violent',
      'all non-violent triggers (1-7)',
      crises.filter((c) => c.trigger <= 7),
    ),
    byTechnique,
    responses,
  };
}
