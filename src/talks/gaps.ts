// Expectation gaps and their ranking by effect on escalation risk. For each ordered pair of
// delegations (A, B) and each of B's triggers: what A expects B to do against what B declared. Each gap
// is closed in turn (A's expectation set to B's declaration) and the scenario with that gap closed is
// compared with the scenario with the declared positions, on common random numbers.
//
// The talks close a gap only if they take place (decision 0017: Beijing decides whether to take part, a
// round may not be convened): run i takes the gap-closed run where the venue's talks happened in run i,
// the declared-positions run elsewhere. Run counts are adaptive (decision 0021): after `runs` per arm,
// each gap gets the runs its observed variance of paired differences needs for a 95% interval of
// ±`halfWidth` (a tenth of a point by default), up to `maxRuns`.
import { ENGINE_VERSION } from '../engine/model.ts';
import {
  applyOverlay,
  type DeclaredScenario,
  declareScenario,
  tvDistance,
  withExpectation,
} from './overlay.ts';
import {
  clear,
  type FlagArm,
  FlagsJob,
  LETHAL,
  pairedDelta,
  type RunOptions,
  runArms,
  runsFor,
  share,
  shareOf,
  TALKS,
  WAR,
  whereHeld,
} from './paired.ts';
import { type Base, compileDoc, resolveVenue, withProtocols } from './scenario.ts';
import type { Declared, Gap, GapRanking, Manifest, RankedGap, ScenarioAgenda } from './types.ts';
import { ptsNumber } from './words.ts';

/** Every expectation gap between delegation actors, largest first. */
export function listGaps(agenda: ScenarioAgenda, declared: readonly Declared[]): Gap[] {
  const out: Gap[] = [];
  for (const holder of declared) {
    for (const of of declared) {
      if (of.actor === holder.actor) continue;
      for (const t of agenda.triggers[of.actor] ?? []) {
        const expected = holder.positions.expectations[of.actor]?.[t.id];
        const decl = of.positions.responses[t.id];
        if (!expected || !decl) continue;
        out.push({
          scenario: agenda.path,
          holder: holder.actor,
          of: of.actor,
          trigger: t.id,
          triggerLabel: t.label,
          size: Number(tvDistance(expected, decl).toFixed(6)),
          expected,
          declared: decl,
        });
      }
    }
  }
  return out.sort(
    (a, b) => b.size - a.size || a.holder.localeCompare(b.holder) || a.trigger.localeCompare(b.trigger),
  );
}

/** The half-width of a 95% interval the run counts aim at: a tenth of a point of probability. */
export const DEFAULT_HALF_WIDTH = 0.001;
/** The most runs per arm an analysis takes by default. */
export const DEFAULT_MAX_RUNS = 200_000;

export interface RankOptions extends RunOptions {
  seed: number;
  /** Runs per arm before the run counts adapt (the pilot; also the least any gap gets). */
  runs: number;
  /** Most runs per arm (default: DEFAULT_MAX_RUNS, or `runs` if larger). */
  maxRuns?: number;
  /** Target half-width of each gap's 95% interval on P(war) (default 0.001). */
  halfWidth?: number;
  /** Gaps smaller than this (total variation) are listed as aligned and not simulated (default 0.02). */
  threshold?: number;
  /** The intervention that holds the talks (undefined: the scenario's hosted talks; null: taken as held). */
  venue?: string | null;
}

function manifest(
  base: Base,
  ds: DeclaredScenario,
  hash: string,
  opts: { seed: number; runs: number },
  variant?: string,
  interventions: string[] = [],
): Manifest {
  return {
    scenario: base.path,
    hash,
    engine: ENGINE_VERSION,
    seed: opts.seed,
    runs: opts.runs,
    interventions,
    set: {},
    positions: ds.hash,
    ...(variant ? { variant } : {}),
  };
}

/** Clear effects first; within each group by |effect on P(war)|, then |effect on P(lethal clash)|, then size. */
export function byEffect(a: RankedGap, b: RankedGap): number {
  return (
    Number(b.clear ?? false) - Number(a.clear ?? false) ||
    Math.abs(b.war.d) - Math.abs(a.war.d) ||
    Math.abs(b.lethal.d) - Math.abs(a.lethal.d) ||
    b.size - a.size ||
    a.holder.localeCompare(b.holder) ||
    a.trigger.localeCompare(b.trigger)
  );
}

/** A gap to simulate: its document with the gap closed, or why closing it changes nothing. */
interface Closing {
  gap: Gap;
  arm: (FlagArm & { hash: string }) | null;
}

/** Why a gap's effect is not clear, in words. */
function whyNotClear(
  g: Gap,
  r: Pick<RankedGap, 'war' | 'runs'>,
  ctx: { sameModel: boolean; held: number | null; frequency: number | undefined; maxRuns: number },
): string {
  const n = (r.runs ?? 0).toLocaleString('en');
  if (ctx.sameModel)
    return 'closing it changes nothing in the model: both positions give the engine the same parameters';
  if (ctx.held === 0) return `the talks took place in none of the ${n} runs, so they never close it`;
  const moved = r.war.baseOnly + r.war.altOnly;
  if (moved === 0) {
    if (ctx.frequency === 0)
      return `its trigger (${g.triggerLabel}) came up in none of the agenda's pilot runs, and closing it changed no run's outcome in ${n}`;
    return `closing it changed no run's outcome in ${n} runs: the expectation does not decide a choice on the way to or away from war`;
  }
  const half = (r.war.ci95[1] - r.war.ci95[0]) / 2;
  const capped =
    (r.runs ?? 0) >= ctx.maxRuns ? `, at the cap of ${ctx.maxRuns.toLocaleString('en')} runs` : '';
  const how =
    r.war.altOnly > 0 && r.war.baseOnly > 0
      ? `the runs it changes go both ways (${r.war.altOnly} to war, ${r.war.baseOnly} away from it in ${n})`
      : `it changes few runs (${r.war.altOnly} to war, ${r.war.baseOnly} away from it in ${n})`;
  return `${how}; the effect is smaller than its interval (±${ptsNumber(half).replace('+', '')} pts${capped})`;
}

/** The gap ranking of one scenario: each gap closed against the declared positions, paired. */
export async function rankGaps(
  base: Base,
  agenda: ScenarioAgenda,
  declared: readonly Declared[],
  opts: RankOptions,
): Promise<GapRanking> {
  const threshold = opts.threshold ?? 0.02;
  const halfWidth = opts.halfWidth ?? DEFAULT_HALF_WIDTH;
  const maxRuns = Math.max(opts.runs, opts.maxRuns ?? DEFAULT_MAX_RUNS);
  const ds = declareScenario(base, agenda, declared);
  const gaps = listGaps(agenda, declared);
  const open = gaps.filter((g) => g.size >= threshold);
  const closings: Closing[] = open.map((g) => {
    const ov = withExpectation(ds, declared, g.holder, g.of, g.trigger, g.declared);
    const doc = applyOverlay(base.doc, ov);
    const { model, hash } = compileDoc(doc, [], base.path);
    return { gap: g, arm: hash === ds.model.hash ? null : { doc, model, hash } };
  });
  const venue = resolveVenue(base.doc, base.path, opts.venue);
  const venueArm: (FlagArm & { hash: string }) | null = venue
    ? (() => {
        const doc = applyOverlay(withProtocols(base, [venue.intervention], {}), ds.overlay);
        const { model, hash } = compileDoc(doc, [venue.intervention], base.path);
        return { doc, model, hash };
      })()
    : null;
  const simulated = closings.filter((c) => c.arm);
  const arms: FlagArm[] = [
    { doc: ds.doc, model: ds.model },
    ...(venueArm ? [venueArm] : []),
    ...simulated.map((c) => c.arm!),
  ];
  const first = venueArm ? 2 : 1;
  const closed = (flags: readonly Uint8Array[], k: number) =>
    venueArm ? whereHeld(flags[0]!, flags[first + k]!, flags[1]!) : flags[first + k]!;
  // Each gap's runs from the variance of its paired differences so far; the declared positions and the
  // venue run as far as the furthest gap.
  const extend = (flags: readonly Uint8Array[]): number[] => {
    const want = simulated.map((_, k) => {
      const f = closed(flags, k);
      const n = runsFor(flags[0]!.subarray(0, f.length), f, WAR, halfWidth);
      const now = flags[first + k]!.length;
      // Within 5% of the runs it has (an interval within 2.5% of the target): not worth another round.
      return Math.min(maxRuns, n > now * 1.05 ? n : now);
    });
    const most = Math.max(flags[0]!.length, ...want);
    return [most, ...(venueArm ? [most] : []), ...want];
  };
  const job = new FlagsJob(arms, { seed: opts.seed, runs: opts.runs, extend });
  const flags = await runArms(job, opts);
  const baseFlags = flags[0]!;
  const held = venueArm ? flags[1]! : null;
  const ranked: RankedGap[] = [];
  let k = 0;
  for (const c of closings) {
    const g = c.gap;
    const variant = `${g.holder}'s expectation of ${g.of} on ${g.trigger} set to ${g.of}'s declaration`;
    const f = c.arm ? closed(flags, k++) : baseFlags.subarray(0, opts.runs);
    const b = baseFlags.subarray(0, f.length);
    const war = pairedDelta(b, f, WAR);
    const r: RankedGap = {
      ...g,
      rank: 0,
      war,
      lethal: pairedDelta(b, f, LETHAL),
      manifest: manifest(
        base,
        ds,
        c.arm?.hash ?? ds.model.hash,
        { seed: opts.seed, runs: f.length },
        variant,
      ),
      runs: f.length,
    };
    r.clear = c.arm !== null && clear(war);
    r.why = r.clear
      ? null
      : whyNotClear(g, r, {
          sameModel: c.arm === null,
          held: held ? countHeld(held, f.length) : null,
          frequency: agenda.triggers[g.of]?.find((t) => t.id === g.trigger)?.frequency,
          maxRuns,
        });
    ranked.push(r);
  }
  ranked.sort(byEffect);
  ranked.forEach((g, i) => {
    g.rank = i + 1;
  });
  // The declared positions and the venue are reported on the first `runs` runs: how far they ran
  // depends on every gap's variance, withheld gaps included, and a party must not learn that.
  const pilot = baseFlags.subarray(0, opts.runs);
  return {
    scenario: base.path,
    base: {
      war: share(pilot, WAR),
      lethal: share(pilot, LETHAL),
      manifest: manifest(base, ds, ds.model.hash, { seed: opts.seed, runs: opts.runs }),
    },
    ranked,
    aligned: gaps.filter((g) => g.size < threshold),
    threshold,
    venue:
      venue && held
        ? { ...venue, happened: shareOf(held.subarray(0, opts.runs), TALKS), runs: opts.runs }
        : null,
    precision: { halfWidth, minRuns: opts.runs, maxRuns },
  };
}

function countHeld(held: Uint8Array, n: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if ((held[i]! & TALKS) !== 0) k++;
  return k;
}
