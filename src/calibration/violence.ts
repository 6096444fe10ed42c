// From simulated runs to ICB's violence scale, and the comparison of a scenario's shares with ICB's base
// rates for its trigger type (the `brink base-rates` table and the sanity panel of `brink run`).

import { SERIOUS_LETHAL_ACTS, violenceOfPath } from '../analysis/crisis-classes.ts';
import type { Aggregate } from '../analysis/ensemble.ts';
import type { Model } from '../engine/model.ts';
import { wilson } from '../engine/stats.ts';
import { isDistribution } from '../scenario/params.ts';
import { TRIGGER_TYPES, type TriggerTypeName } from '../scenario/schema.ts';
import { betaSummary } from './stats.ts';

// The violence of a run's escalation path is the analysis layer's (the kernel's `classes` task counts it).
export { SERIOUS_LETHAL_ACTS, type ViolenceLevel, violenceOfPath } from '../analysis/crisis-classes.ts';

export interface ViolenceCounts {
  runs: number;
  /** Runs at each ICB level: none, minor, serious, war. */
  counts: [number, number, number, number];
}

/** Counts an ensemble's runs by ICB violence level (from the aggregate's escalation paths). */
export function violenceCounts(m: Model, agg: Aggregate, serious = SERIOUS_LETHAL_ACTS): ViolenceCounts {
  const counts: [number, number, number, number] = [0, 0, 0, 0];
  for (const [key, n] of Object.entries(agg.paths)) {
    const acts = key === '' ? [] : key.split(',').map(Number);
    counts[violenceOfPath(m, acts, serious)] += n;
  }
  return { runs: agg.runs, counts };
}

export function addCounts(a: ViolenceCounts, b: ViolenceCounts): ViolenceCounts {
  return {
    runs: a.runs + b.runs,
    counts: a.counts.map((x, i) => x + b.counts[i]!) as ViolenceCounts['counts'],
  };
}

/** ICB's base rates for one trigger type: P(any violence), P(serious clashes or war), P(war). */
export interface BaseRate {
  mean: number;
  lo: number;
  hi: number;
  a: number;
  b: number;
  source: string;
}

export type BaseRates = Partial<
  Record<TriggerTypeName, { violence: BaseRate; serious: BaseRate; war: BaseRate }>
>;

/**
 * Reads ICB base rates from the `params` of a calibrated library (`icb-TRIGGER-violence|serious|war`,
 * Beta distributions written by `brink calibrate`).
 */
export function baseRatesFromParams(params: Record<string, unknown>): BaseRates {
  const out: BaseRates = {};
  for (const t of TRIGGER_TYPES) {
    const get = (k: string): BaseRate | undefined => {
      const p = params[`icb-${t}-${k}`];
      if (!isDistribution(p) || !('beta' in p)) return undefined;
      const s = betaSummary(p.beta[0], p.beta[1]);
      return { mean: s.mean, lo: s.lo, hi: s.hi, a: p.beta[0], b: p.beta[1], source: p.source ?? '' };
    };
    const violence = get('violence');
    const serious = get('serious');
    const war = get('war');
    if (violence && serious && war) out[t] = { violence, serious, war };
  }
  return out;
}

export type Verdict = 'within' | 'below' | 'above' | 'far-below' | 'far-above';

export interface Comparison {
  measure: 'violence' | 'serious' | 'war';
  /** The scenario's share and its Wilson 95% interval. */
  p: number;
  ci95: [number, number];
  icb: BaseRate;
  /** Within ICB's 95% interval; below/above it; far below/above: its interval is beyond ICB's widened by FAR_ODDS in odds. */
  verdict: Verdict;
  /** The scenario's share divided by ICB's mean. */
  ratio: number;
}

/** How much wider than ICB's interval (as an odds ratio at each end) a share may be before it is "far". */
export const FAR_ODDS = 3;

const odds = (p: number) => p / (1 - p);
const fromOdds = (o: number) => o / (1 + o);

export function verdictOf(p: number, ci: [number, number], r: BaseRate): Verdict {
  // ICB's 95% interval, stretched to include its raw observed share (206 of 206 violent-trigger crises
  // were violent: the Beta(1, 1) prior alone pulls the upper end below 1).
  const raw = r.a + r.b > 2 ? (r.a - 1) / (r.a + r.b - 2) : r.mean;
  const lo = Math.min(r.lo, raw);
  const hi = Math.max(r.hi, raw);
  // Within: the share, or its own 95% interval, meets that interval.
  if ((p >= lo && p <= hi) || (ci[0] <= hi && ci[1] >= lo)) return 'within';
  const farLo = r.lo <= 0 ? 0 : fromOdds(odds(r.lo) / FAR_ODDS);
  const farHi = r.hi >= 1 ? 1 : fromOdds(odds(r.hi) * FAR_ODDS);
  if (p < lo) return ci[1] < farLo ? 'far-below' : 'below';
  return ci[0] > farHi ? 'far-above' : 'above';
}

/** The scenario's shares of violence, serious clashes and war set against ICB's for its trigger type. */
export function compareWithIcb(
  v: ViolenceCounts,
  rates: { violence: BaseRate; serious: BaseRate; war: BaseRate },
): Comparison[] {
  const [, minor, serious, war] = v.counts;
  const n = v.runs;
  const k = { violence: minor + serious + war, serious: serious + war, war };
  return (['violence', 'serious', 'war'] as const).map((measure) => {
    const p = n > 0 ? k[measure] / n : 0;
    const ci95 = wilson(k[measure], n);
    const icb = rates[measure];
    return {
      measure,
      p,
      ci95,
      icb,
      verdict: verdictOf(p, ci95, icb),
      ratio: icb.mean > 0 ? p / icb.mean : Number.NaN,
    };
  });
}

/** How a scenario's trigger type was found. */
export interface TriggerInfo {
  type: TriggerTypeName | undefined;
  how: 'declared' | 'inferred' | 'none';
  /** The inject it was inferred from, and the rung of its act. */
  inject?: string;
  rung?: string;
}

/**
 * The trigger type of a scenario: the `trigger` it declares, else inferred from its first inject (the
 * earliest; the highest rung among equals) by the MID level of its act's rung: use of force or war is a
 * violent act, a display or alert a non-violent military act, coercive words a political act.
 */
export function triggerOf(m: Model, declared: TriggerTypeName | undefined): TriggerInfo {
  if (declared) return { type: declared, how: 'declared' };
  const rungOf = (i: Model['injects'][number]) => {
    const action = m.actions[i.action]!;
    return i.outcome >= 0 ? action.outcomes[i.outcome]!.rung : action.rung;
  };
  let first: Model['injects'][number] | undefined;
  for (const i of m.injects) {
    if (!first || i.tick < first.tick || (i.tick === first.tick && rungOf(i) > rungOf(first))) first = i;
  }
  if (!first) return { type: undefined, how: 'none' };
  const rung = rungOf(first);
  const mid = m.rungMid[rung] ?? 1;
  const type: TriggerTypeName | undefined =
    mid >= 4 ? 'violent' : mid === 3 ? 'non-violent-military' : mid === 2 ? 'political' : undefined;
  return { type, how: type ? 'inferred' : 'none', inject: first.id, rung: m.rungIds[rung] ?? String(rung) };
}

export interface SanityPanel {
  trigger: TriggerInfo;
  /** Empty when there is no trigger type or no base rate for it. */
  comparisons: Comparison[];
  /** True when any measure is far outside ICB's interval. */
  flagged: boolean;
  counts: ViolenceCounts;
  note: string;
}

/** The sanity panel of a run report. */
export function sanityPanel(
  m: Model,
  agg: Aggregate,
  declared: TriggerTypeName | undefined,
  rates: BaseRates,
): SanityPanel {
  const trigger = triggerOf(m, declared);
  const counts = violenceCounts(m, agg);
  const r = trigger.type ? rates[trigger.type] : undefined;
  const comparisons = r ? compareWithIcb(counts, r) : [];
  const flagged = comparisons.some((c) => c.verdict === 'far-below' || c.verdict === 'far-above');
  const note = !trigger.type
    ? 'no trigger type: declare `trigger:` in the scenario (or start it with an inject) to compare with ICB base rates'
    : !r
      ? `no ICB base rate for trigger type ${trigger.type}`
      : flagged
        ? `far outside ICB's base rates for a ${trigger.type} trigger: check the scenario, or say why this crisis differs (ICB: ${r.violence.source.split(';')[0]})`
        : `within a factor ${FAR_ODDS} (in odds) of ICB's 95% intervals for a ${trigger.type} trigger`;
  return { trigger, comparisons, flagged, counts, note };
}
