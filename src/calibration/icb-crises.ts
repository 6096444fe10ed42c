// ICB v15 crises as training and test cases of the generic crisis model: for each crisis, the dyad at
// the trigger (the triggering entity, side A, and the first actor it triggered, side B), what was known
// about them then (features), and what happened (peak on ICB's violence scale and on Brink's ladder,
// duration class). Pure functions of the CSV texts.
import { DataError, int, parseCsv } from './csv.ts';
import type { DyadFeatures } from './generic-model.ts';

/** The opening act of the generic library for each ICB trigger type (`break` 1-9), by rung. */
export const TRIGGER_ACTS = [
  'threat', // 1 verbal act: coercive words
  'political-act', // 2 political act
  'sanction', // 3 economic act
  'external-change', // 4 external change (intelligence report, new weapon): an alarm, no act against B
  'other-act', // 5 other non-violent act
  'internal-challenge', // 6 internal challenge to the regime: an alarm
  'show-of-force', // 7 non-violent military act
  'indirect', // 8 indirect violent act (violence against an ally or client): an alert-level threat
  'raid', // 9 violent act: a use of force, lethal with MID's share
] as const;

export { DURATION_CLASSES, ICB_CLASSES, LADDER_CLASSES } from './icb-scales.ts';
export const HORIZON_DAYS = 30;

export interface CrisisRecord {
  crisno: number;
  name: string;
  year: number;
  /** ICB `break`, 1-9. */
  trigger: number;
  features: DyadFeatures;
  /** Side A and B as ICB codes them (COW state codes; A may be 995-997). */
  a: number;
  b: number;
  /** Peak on ICB's scale, 0-3. */
  icb: number;
  /** Peak on the ladder classes, 0-3. */
  ladder: number;
  /** Duration class, 0-1 (NaN when ICB has no duration). */
  duration: number;
  days: number;
}

/** Nuclear-weapon states (COW code) and the year from which they had the weapon (first test or, for Israel, the usual estimate), with an end year for South Africa. */
export const NUCLEAR_STATES: { code: number; from: number; to?: number }[] = [
  { code: 2, from: 1945 },
  { code: 365, from: 1949 },
  { code: 200, from: 1952 },
  { code: 220, from: 1960 },
  { code: 710, from: 1964 },
  { code: 666, from: 1967 },
  { code: 750, from: 1974 },
  { code: 560, from: 1979, to: 1991 },
  { code: 770, from: 1998 },
  { code: 731, from: 2006 },
];

/** Correlates of War major powers (State System Membership list) and their years. */
export const GREAT_POWERS: { code: number; from: number; to?: number }[] = [
  { code: 2, from: 1898 },
  { code: 200, from: 1816 },
  { code: 220, from: 1816, to: 1940 },
  { code: 220, from: 1945 },
  { code: 255, from: 1816, to: 1918 },
  { code: 255, from: 1925, to: 1945 },
  { code: 255, from: 1991 },
  { code: 300, from: 1816, to: 1918 },
  { code: 325, from: 1860, to: 1943 },
  { code: 365, from: 1816, to: 1917 },
  { code: 365, from: 1922 },
  { code: 740, from: 1895, to: 1945 },
  { code: 740, from: 1991 },
  { code: 710, from: 1950 },
];

function member(list: readonly { code: number; from: number; to?: number }[], code: number, year: number) {
  return list.some((x) => x.code === code && year >= x.from && (x.to === undefined || year <= x.to));
}

/** Power discrepancy (ICB `powdis` of side B, positive when B is the stronger) beyond which a side counts as clearly stronger. */
export const STRONGER_THRESHOLD = 5;

export const CRISIS_FEATURE_COLUMNS = [
  'crisno',
  'crisname',
  'break',
  'trigent',
  'yrtrig',
  'brexit',
  'gravcr',
  'crismg',
  'viol',
  'protrac',
] as const;
export const ACTOR_FEATURE_COLUMNS = [
  'crisno',
  'cracno',
  'cracid',
  'yrtrig',
  'motrig',
  'datrig',
  'trigent',
  'majres',
  'allycap',
  'powdis',
] as const;

interface ActorRow {
  crisno: number;
  cracno: number;
  cracid: number;
  date: number;
  trigent: number;
  majres: number;
  allycap: number;
  powdis: number;
}

/** The dyad, features and observed classes of every ICB crisis. */
export function readCrisisRecords(
  crisesText: string,
  actorsText: string,
  files = { crises: 'icb1-crises.csv', actors: 'icb2-actors.csv' },
): CrisisRecord[] {
  const actors: ActorRow[] = parseCsv(actorsText, files.actors, ACTOR_FEATURE_COLUMNS).map((r) => {
    const d = int(r.datrig);
    const mo = int(r.motrig);
    return {
      crisno: int(r.crisno),
      cracno: int(r.cracno),
      cracid: int(r.cracid),
      date: int(r.yrtrig) * 10000 + (Number.isFinite(mo) ? mo : 0) * 100 + (Number.isFinite(d) ? d : 0),
      trigent: int(r.trigent),
      majres: int(r.majres),
      allycap: int(r.allycap),
      powdis: int(r.powdis),
    };
  });
  const byCrisis = new Map<number, ActorRow[]>();
  for (const a of actors) {
    const list = byCrisis.get(a.crisno) ?? [];
    list.push(a);
    byCrisis.set(a.crisno, list);
  }
  return parseCsv(crisesText, files.crises, CRISIS_FEATURE_COLUMNS).map((r, i) => {
    const crisno = int(r.crisno);
    const viol = int(r.viol);
    const trigger = int(r.break);
    const year = int(r.yrtrig);
    if (!(viol >= 1 && viol <= 4)) throw new DataError(`${files.crises}: row ${i + 2}: viol must be 1-4`);
    if (!(trigger >= 1 && trigger <= 9))
      throw new DataError(`${files.crises}: row ${i + 2}: break must be 1-9`);
    const list = (byCrisis.get(crisno) ?? []).slice().sort((x, y) => x.date - y.date || x.cracno - y.cracno);
    const target = list[0];
    if (!target) throw new DataError(`${files.actors}: no crisis actor for crisis ${crisno}`);
    const a = Number.isFinite(target.trigent) ? target.trigent : int(r.trigent);
    const b = target.cracid;
    const aRow = list.find((x) => x.cracid === a);
    const allied = (row: ActorRow | undefined) => row !== undefined && row.allycap >= 3;
    const pd = target.powdis;
    const stronger =
      Number.isFinite(pd) && pd > STRONGER_THRESHOLD
        ? ('B' as const)
        : Number.isFinite(pd) && pd < -STRONGER_THRESHOLD
          ? ('A' as const)
          : undefined;
    const grav = int(r.gravcr);
    const features: DyadFeatures = {
      nuclear: { A: member(NUCLEAR_STATES, a, year), B: member(NUCLEAR_STATES, b, year) },
      greatPower: { A: member(GREAT_POWERS, a, year), B: member(GREAT_POWERS, b, year) },
      allied: { A: allied(aRow), B: allied(target) },
      stronger,
      protracted: int(r.protrac) >= 2,
      threat: grav === 5 || grav === 6 ? 'grave' : grav === 3 ? 'territorial' : 'other',
      nonStateTrigger: !(a > 0 && a < 995),
    };
    const military =
      trigger === 7 ||
      trigger === 8 ||
      int(r.crismg) === 6 ||
      list.some((x) => x.majres === 6 || x.majres === 7);
    const ladder = viol === 4 ? 3 : viol >= 2 ? 2 : military ? 1 : 0;
    const days = int(r.brexit);
    const known = days >= 0 && days < 9999;
    return {
      crisno,
      name: r.crisname ?? '',
      year,
      trigger,
      features,
      a,
      b,
      icb: viol - 1,
      ladder,
      duration: known ? (days <= HORIZON_DAYS ? 0 : 1) : Number.NaN,
      days: known ? days : Number.NaN,
    };
  });
}
