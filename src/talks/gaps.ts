// Expectation gaps and their ranking by effect on escalation risk. For each ordered pair of
// delegations (A, B) and each of B's triggers: what A expects B to do against what B declared. Each gap
// is closed in turn (A's expectation set to B's declaration) and the scenario with that gap closed is
// compared with the scenario with the declared positions, on common random numbers.
import { ENGINE_VERSION } from '../engine/model.ts';
import {
  applyOverlay,
  type DeclaredScenario,
  declareScenario,
  tvDistance,
  withExpectation,
} from './overlay.ts';
import { LETHAL, pairedDelta, type RunOptions, runFlags, share, WAR } from './paired.ts';
import { type Base, compileDoc } from './scenario.ts';
import type { Declared, Gap, GapRanking, Manifest, RankedGap, ScenarioAgenda } from './types.ts';

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

export interface RankOptions extends RunOptions {
  seed: number;
  runs: number;
  /** Gaps smaller than this (total variation) are listed as aligned and not simulated (default 0.02). */
  threshold?: number;
  /** Progress over all arms: arms done, arms in all, runs done in the current arm. */
  onArm?: (arm: number, arms: number, done: number) => void;
}

function manifest(
  base: Base,
  ds: DeclaredScenario,
  hash: string,
  opts: { seed: number; runs: number },
  variant?: string,
): Manifest {
  return {
    scenario: base.path,
    hash,
    engine: ENGINE_VERSION,
    seed: opts.seed,
    runs: opts.runs,
    interventions: [],
    set: {},
    positions: ds.hash,
    ...(variant ? { variant } : {}),
  };
}

/** Ranks the gaps by |effect on P(war)|, then |effect on P(lethal clash)|, then size. */
export function byEffect(a: RankedGap, b: RankedGap): number {
  return (
    Math.abs(b.war.d) - Math.abs(a.war.d) ||
    Math.abs(b.lethal.d) - Math.abs(a.lethal.d) ||
    b.size - a.size ||
    a.holder.localeCompare(b.holder) ||
    a.trigger.localeCompare(b.trigger)
  );
}

/** The gap ranking of one scenario: each gap closed against the declared positions, paired. */
export async function rankGaps(
  base: Base,
  agenda: ScenarioAgenda,
  declared: readonly Declared[],
  opts: RankOptions,
): Promise<GapRanking> {
  const threshold = opts.threshold ?? 0.02;
  const ds = declareScenario(base, agenda, declared);
  const gaps = listGaps(agenda, declared);
  const open = gaps.filter((g) => g.size >= threshold);
  const arms = open.length + 1;
  const armOpts = (k: number): RunOptions => ({
    ...opts,
    onProgress: (done) => {
      opts.onProgress?.(done);
      opts.onArm?.(k, arms, done);
    },
  });
  const baseFlags = await runFlags(ds.model, opts.seed, opts.runs, armOpts(0));
  const ranked: RankedGap[] = [];
  for (const [k, g] of open.entries()) {
    const ov = withExpectation(ds, declared, g.holder, g.of, g.trigger, g.declared);
    const { model, hash } = compileDoc(applyOverlay(base.doc, ov), [], base.path);
    const flags = await runFlags(model, opts.seed, opts.runs, armOpts(k + 1));
    ranked.push({
      ...g,
      rank: 0,
      war: pairedDelta(baseFlags, flags, WAR),
      lethal: pairedDelta(baseFlags, flags, LETHAL),
      manifest: manifest(
        base,
        ds,
        hash,
        opts,
        `${g.holder}'s expectation of ${g.of} on ${g.trigger} set to ${g.of}'s declaration`,
      ),
    });
  }
  ranked.sort(byEffect);
  ranked.forEach((g, k) => {
    g.rank = k + 1;
  });
  return {
    scenario: base.path,
    base: {
      war: share(baseFlags, WAR),
      lethal: share(baseFlags, LETHAL),
      manifest: manifest(base, ds, ds.model.hash, opts),
    },
    ranked,
    aligned: gaps.filter((g) => g.size < threshold),
    threshold,
  };
}
