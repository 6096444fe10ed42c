// ICB's trigger-type base rate on Brink's ladder, for the hand-written cases: the training crises'
// shares of ICB's violence classes for the case's trigger type, each class spread over the rungs it
// covers in the proportions that COW MID 5.0 disputes give (their highest action, and deaths in uses of
// force), from disputes that began before the same cut-off year. Pure.
import { int, parseCsv } from './csv.ts';
import { baseRates } from './icb-backtest.ts';
import type { CrisisRecord } from './icb-crises.ts';
import { smooth } from './scores.ts';

/** The rungs of the default ladder each ICB violence class covers. */
export const CLASS_RUNGS: string[][] = [
  ['routine', 'incident', 'coercion', 'display', 'alert', 'nuclear-brink'],
  ['nonlethal-force', 'lethal-clash'],
  ['lethal-clash'],
  ['war', 'nuclear-use'],
];

/** The rung of a MID dispute's highest action (`hiact`), for disputes short of force (hostility 1-3). */
export function rungOfAction(hiact: number): string | undefined {
  if (hiact === 0) return 'routine';
  if (hiact >= 1 && hiact <= 6) return 'coercion';
  if (hiact === 7 || hiact === 11 || hiact === 12) return 'display';
  if (hiact === 8 || hiact === 10) return 'alert';
  if (hiact === 9) return 'nuclear-brink';
  return undefined;
}

export interface MidRow {
  year: number;
  hostility: number;
  hiact: number;
  fatality: number;
}

export function readMidDisputes(text: string, file = 'mida-disputes.csv'): MidRow[] {
  return parseCsv(text, file, ['styear', 'hiact', 'hostlev', 'fatality']).map((r) => ({
    year: int(r.styear),
    hostility: int(r.hostlev),
    hiact: int(r.hiact),
    fatality: int(r.fatality),
  }));
}

/** P(rung | ICB class) from MID disputes (add-half smoothing over the class's rungs). */
export function withinClass(disputes: readonly MidRow[]): Map<string, number>[] {
  const counts = CLASS_RUNGS.map((rungs) => new Map(rungs.map((r) => [r, 0])));
  for (const d of disputes) {
    if (d.hostility <= 3) {
      const r = rungOfAction(d.hiact);
      if (r) counts[0]!.set(r, counts[0]!.get(r)! + 1);
    } else if (d.hostility === 4 && d.fatality >= 0) {
      const r = d.fatality > 0 ? 'lethal-clash' : 'nonlethal-force';
      counts[1]!.set(r, counts[1]!.get(r)! + 1);
    } else if (d.hostility === 5) counts[3]!.set('war', counts[3]!.get('war')! + 1);
  }
  return counts.map((m) => {
    const keys = [...m.keys()];
    const p = smooth(keys.map((k) => m.get(k)!));
    return new Map(keys.map((k, i) => [k, p[i]!]));
  });
}

/**
 * The base rate over the ladder's rungs for each ICB trigger type (1-9): sum over ICB classes of
 * P(class | trigger) (training crises) times P(rung | class) (MID). `rungIds` is the case's ladder; a
 * ladder that is not the default gives undefined.
 */
export function ladderBaseRate(
  train: readonly CrisisRecord[],
  disputes: readonly MidRow[],
  rungIds: readonly string[],
): ((trigger: number) => number[]) | undefined {
  const all = CLASS_RUNGS.flat();
  if (!all.every((r) => rungIds.includes(r))) return undefined;
  const byClass = baseRates(train, 'icb');
  const split = withinClass(disputes);
  return (trigger) => {
    const pc = byClass(trigger);
    const out = new Array<number>(rungIds.length).fill(0);
    split.forEach((m, c) => {
      for (const [r, p] of m) out[rungIds.indexOf(r)]! += pc[c]! * p;
    });
    return out;
  };
}
