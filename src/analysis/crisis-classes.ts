// A run on ICB's crisis scales: the violence of its escalation path (none, minor clashes, serious
// clashes, war), its PEAK5 class (words or alarms, display or alert, then the violence levels) and
// whether the crisis outlasted a window. Counted over run ranges by the kernel's `classes` task, so
// backtests against ICB crises (`brink backtest --icb`) run on any executor to the same counts.
import type { Model } from '../engine/model.ts';
import { OUTCOME_RESOLVED, type RunResult, type Simulator } from '../engine/run.ts';

/** ICB `viol`: 0 none, 1 minor clashes, 2 serious clashes, 3 full-scale war. */
export type ViolenceLevel = 0 | 1 | 2 | 3;

/** Lethal acts in a run from which its violence counts as serious clashes (an exchange of lethal fire). */
export const SERIOUS_LETHAL_ACTS = 2;

/** PEAK5 classes: words or alarms, display or alert, minor clashes, serious clashes, war. */
export const PEAK5_CLASSES = 5;

function actRung(m: Model, act: number): number {
  return m.actions[m.actAction[act]!]!.outcomes[m.actOutcome[act]!]!.rung;
}

/**
 * The ICB violence level of a run, from the acts on its escalation path (the acts that raised the peak,
 * and lethal acts at a lethal peak). By the MID level of each act's rung: war if any act is at MID 5
 * (war, nuclear use); serious clashes if `serious` or more acts were lethal (at or above the lethal
 * rung, below war); minor clashes if any act was a use of force (MID 4); else none.
 */
export function violenceOfPath(
  m: Model,
  acts: readonly number[],
  serious = SERIOUS_LETHAL_ACTS,
): ViolenceLevel {
  let force = false;
  let lethal = 0;
  for (const a of acts) {
    const r = actRung(m, a);
    const mid = m.rungMid[r] ?? 1;
    if (mid >= 5) return 3;
    if (mid >= 4) force = true;
    if (r >= m.lethalRung && m.lethalRung >= 0) lethal++;
  }
  if (lethal >= serious) return 2;
  return force ? 1 : 0;
}

/**
 * A run's PEAK5 class and its duration class (1: the crisis was still open after `horizonDays`, or
 * activity kept it open to the end of the model's window).
 */
export function crisisClassOf(
  m: Model,
  r: Pick<RunResult, 'peak' | 'path' | 'pathLength' | 'outcome' | 'endTick'>,
  tickHours: number,
  horizonDays: number,
): { p5: number; dur: number } {
  const v = violenceOfPath(m, Array.from(r.path.subarray(0, r.pathLength)));
  const p5 = v >= 1 ? v + 1 : (m.rungMid[r.peak] ?? 1) >= 3 ? 1 : 0;
  const days = (r.endTick * tickHours) / 24;
  const dur = r.outcome === OUTCOME_RESOLVED && r.endTick < m.horizon && days <= horizonDays ? 0 : 1;
  return { p5, dur };
}

/** Runs counted by PEAK5 class and by duration class. */
export interface CrisisClasses {
  runs: number;
  p5: number[];
  dur: number[];
}

export const emptyClasses = (): CrisisClasses => ({
  runs: 0,
  p5: new Array<number>(PEAK5_CLASSES).fill(0),
  dur: [0, 0],
});

/** Counts runs [start, start + count) of `seed` by class. */
export function classifyRange(
  m: Model,
  sim: Simulator,
  seed: number,
  start: number,
  count: number,
  horizonDays: number,
): CrisisClasses {
  const out = emptyClasses();
  for (let run = start; run < start + count; run++) {
    const k = crisisClassOf(m, sim.run(seed, run), m.tickHours, horizonDays);
    out.p5[k.p5]!++;
    out.dur[k.dur]!++;
  }
  out.runs = count;
  return out;
}

/** Adds the counts of `b` into `a`. */
export function mergeClasses(a: CrisisClasses, b: CrisisClasses): void {
  a.runs += b.runs;
  for (let k = 0; k < b.p5.length; k++) a.p5[k]! += b.p5[k]!;
  for (let k = 0; k < b.dur.length; k++) a.dur[k]! += b.dur[k]!;
}
