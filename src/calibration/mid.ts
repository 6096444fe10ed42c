// Correlates of War MID 5.0: how often disputes opened by a display of force reach use of force and war
// (incident data, 1992-2014), and the hostility and fatality profile of all disputes (1816-2014).
import { int, parseCsv } from './csv.ts';
import { type BetaPosterior, betaPosterior } from './stats.ts';

export const DISPUTE_COLUMNS = ['dispnum', 'styear', 'fatality', 'hostlev'] as const;
export const INCIDENT_COLUMNS = ['dispnum', 'incidnum', 'stday', 'stmon', 'styear', 'hostlev'] as const;

/** MID hostility levels. */
export const HOSTILITY = [
  'no militarized action',
  'threat',
  'display of force',
  'use of force',
  'war',
] as const;

export interface Dispute {
  id: number;
  year: number;
  /** 1..5 */
  hostility: number;
  /** 0 none, 1..6 bands, -9 missing. */
  fatality: number;
}

export interface Incident {
  dispute: number;
  id: number;
  year: number;
  month: number;
  day: number;
  hostility: number;
}

export function readDisputes(text: string, file = 'mida-disputes.csv'): Dispute[] {
  return parseCsv(text, file, DISPUTE_COLUMNS).map((r) => ({
    id: int(r.dispnum),
    year: int(r.styear),
    hostility: int(r.hostlev),
    fatality: int(r.fatality),
  }));
}

export function readIncidents(text: string, file = 'midi-incidents.csv'): Incident[] {
  return parseCsv(text, file, INCIDENT_COLUMNS).map((r) => ({
    dispute: int(r.dispnum),
    id: int(r.incidnum),
    year: int(r.styear),
    month: int(r.stmon),
    day: int(r.stday),
    hostility: int(r.hostlev),
  }));
}

export interface OpeningRates {
  /** Hostility level of the opening incident. */
  opening: number;
  n: number;
  /** Reached use of force or war in a later incident. */
  force: BetaPosterior;
  war: BetaPosterior;
}

export interface MidCalibration {
  disputes: number;
  /** Share of disputes by highest hostility level 2..5 (threat, display, use of force, war). */
  highest: { level: number; name: string; count: number }[];
  /** Disputes by their first incident (by start date, then incident number). */
  openings: OpeningRates[];
  incidentDisputes: number;
  /** P(at least one death | the dispute reached use of force short of war), over disputes with a known fatality level. */
  fatalGivenForce: BetaPosterior;
}

function incidentOrder(a: Incident, b: Incident): number {
  // Unknown days (-9) sort first within their month.
  return a.year - b.year || a.month - b.month || Math.max(a.day, 0) - Math.max(b.day, 0) || a.id - b.id;
}

export function calibrateMid(disputes: readonly Dispute[], incidents: readonly Incident[]): MidCalibration {
  const highest = [2, 3, 4, 5].map((level) => ({
    level,
    name: HOSTILITY[level - 1]!,
    count: disputes.filter((d) => d.hostility === level).length,
  }));
  const byDispute = new Map<number, Incident[]>();
  for (const i of incidents) {
    const list = byDispute.get(i.dispute) ?? [];
    list.push(i);
    byDispute.set(i.dispute, list);
  }
  const firsts = new Map<number, { n: number; force: number; war: number }>();
  for (const list of byDispute.values()) {
    list.sort(incidentOrder);
    const first = list[0]!.hostility;
    const max = Math.max(...list.map((i) => i.hostility));
    const f = firsts.get(first) ?? { n: 0, force: 0, war: 0 };
    f.n++;
    if (max >= 4) f.force++;
    if (max >= 5) f.war++;
    firsts.set(first, f);
  }
  const openings = [...firsts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([opening, f]) => ({
      opening,
      n: f.n,
      force: betaPosterior(f.force, f.n),
      war: betaPosterior(f.war, f.n),
    }));
  const forceKnown = disputes.filter((d) => d.hostility === 4 && d.fatality >= 0);
  return {
    disputes: disputes.length,
    highest,
    openings,
    incidentDisputes: byDispute.size,
    fatalGivenForce: betaPosterior(forceKnown.filter((d) => d.fatality > 0).length, forceKnown.length),
  };
}
