// Protocol drafts simulated: each draft (a named set of the scenario's interventions and parameter
// overrides) and the package of agreed drafts, against the scenario with the declared positions, on
// common random numbers; then the package with the talks leaking (each venue's leak probability per
// round swept from 0 to 1) and the break-even leak probability at which it stops lowering P(war).
//
// A protocol is agreed only if the talks take place (decision 0021): every arm holds the dialogue's
// venue (the intervention that adds its talks, unless the drafts already hold talks), and run i takes
// the arm's run where its talks happened in run i, the declared-positions run elsewhere. The value of
// hosting is P(war) without talks minus P(war) with the talks hosted (and the package agreed where they
// take place), at the venue's own leak chance: the leak risk is in it.
import { ENGINE_VERSION } from '../engine/model.ts';
import { isPlainObject } from '../scenario/merge.ts';
import { isParamRef, nominal } from '../scenario/params.ts';
import type { NamedParam, Scenario } from '../scenario/schema.ts';
import { applyOverlay, type DeclaredScenario, declareScenario } from './overlay.ts';
import {
  type FlagArm,
  FlagsJob,
  LEAKED,
  LETHAL,
  pairedDelta,
  type RunOptions,
  runArms,
  share,
  shareOf,
  sig,
  TALKS,
  WAR,
  whereHeld,
} from './paired.ts';
import {
  type Base,
  compileDoc,
  resolveVenue,
  TalksError,
  talksInterventions,
  withProtocols,
} from './scenario.ts';
import type {
  ArmResult,
  Declared,
  DraftMapping,
  Hosting,
  LeakAnalysis,
  LeakPoint,
  Manifest,
  ProtocolResults,
  ScenarioAgenda,
} from './types.ts';

export interface DraftSpec {
  id: string;
  title: string;
  mapping: DraftMapping;
}

export interface ProtocolOptions extends RunOptions {
  seed: number;
  runs: number;
  /** Leak probabilities per round to evaluate the package at (default 0, .01, .02, .05, .1, .2, .35, .5, .75, 1). */
  leakGrid?: number[];
  /** The intervention that holds the talks (undefined: the scenario's hosted talks; null: taken as held). */
  venue?: string | null;
}

export const DEFAULT_LEAK_GRID = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1];

/** The union of drafts' interventions (in order, once each) and their overrides (later drafts win). */
export function packageOf(drafts: readonly DraftSpec[]): DraftMapping {
  const interventions: string[] = [];
  const set: DraftMapping['set'] = {};
  for (const d of drafts) {
    for (const i of d.mapping.interventions) if (!interventions.includes(i)) interventions.push(i);
    Object.assign(set, d.mapping.set);
  }
  return { interventions, set };
}

/** The leak parameters of the talks in a document: `talks.<id>.leak.<actor>.p` with their values. */
export function leakParams(doc: Scenario): LeakAnalysis['venues'] {
  const out: LeakAnalysis['venues'] = [];
  for (const [id, t] of Object.entries(doc.talks)) {
    // Talks added by an intervention are named by its title when they have no name of their own.
    const from = Object.values(doc.interventions).find((iv) => {
      const talks = (iv.patch as { talks?: Record<string, unknown> } | undefined)?.talks;
      return talks !== undefined && Object.hasOwn(talks, id);
    });
    const name = t.name ?? from?.title ?? id;
    for (const [to, leak] of Object.entries(t.leak ?? {})) {
      // A named parameter ({param: name}) counts at its nominal value.
      const raw: unknown = leak.p;
      const v = isParamRef(raw) ? doc.params?.[raw.param] : (raw as NamedParam);
      out.push({
        talks: id,
        name,
        to,
        path: `talks.${id}.leak.${to}.p`,
        p: v === undefined ? 0 : nominal(v),
      });
    }
  }
  return out;
}

function setLeak(doc: Scenario, venues: LeakAnalysis['venues'], p: number): Scenario {
  const talks: Scenario['talks'] = { ...doc.talks };
  for (const v of venues) {
    const t = talks[v.talks]!;
    const leak = { ...(t.leak ?? {}) };
    leak[v.to] = { ...leak[v.to]!, p };
    talks[v.talks] = { ...t, leak };
  }
  return { ...doc, talks };
}

/** First leak probability at which the package's effect on P(war) reaches 0 (linear between grid points). */
export function breakEven(points: readonly LeakPoint[]): Pick<LeakAnalysis, 'breakEven' | 'verdict'> {
  const pts = [...points].sort((a, b) => a.p - b.p);
  if (pts.length === 0) return { breakEven: null, verdict: 'no-talks' };
  if (pts[0]!.war.d >= 0) return { breakEven: null, verdict: 'never-pays' };
  for (let k = 1; k < pts.length; k++) {
    const a = pts[k - 1]!;
    const b = pts[k]!;
    if (b.war.d >= 0) {
      const x = a.p + ((0 - a.war.d) * (b.p - a.p)) / (b.war.d - a.war.d || 1);
      return { breakEven: Number(x.toPrecision(4)), verdict: 'break-even' };
    }
  }
  return { breakEven: null, verdict: 'pays-always' };
}

function checkSetValues(set: Record<string, unknown>): void {
  for (const [p, v] of Object.entries(set)) {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new TalksError(`override ${p}: not a number`);
    if (isPlainObject(v) || Array.isArray(v))
      throw new TalksError(`override ${p}: give a number, a string or true/false`);
  }
}

/** Simulates each draft, the package of agreed drafts, the value of hosting, and the package leaking. */
export async function simulateProtocols(
  base: Base,
  agenda: ScenarioAgenda,
  declared: readonly Declared[],
  drafts: readonly DraftSpec[],
  agreed: readonly string[],
  opts: ProtocolOptions,
): Promise<ProtocolResults> {
  const ds = declareScenario(base, agenda, declared);
  const venue = resolveVenue(base.doc, base.path, opts.venue);
  const talksIvs = new Set(talksInterventions(base.doc));
  // A mapping as simulated: with the venue's talks, unless it already holds talks of its own.
  const hosted = (m: DraftMapping): DraftMapping =>
    venue && !m.interventions.some((i) => talksIvs.has(i))
      ? { interventions: [venue.intervention, ...m.interventions], set: m.set }
      : m;
  const pkgDrafts = drafts.filter((d) => agreed.includes(d.id));
  const pkg = pkgDrafts.length ? hosted(packageOf(pkgDrafts)) : null;
  const pkgDoc = pkg ? withProtocols(base, pkg.interventions, pkg.set) : null;
  const venues = pkgDoc ? leakParams(pkgDoc) : [];
  const grid = [...new Set([...(opts.leakGrid ?? DEFAULT_LEAK_GRID), ...venues.map((v) => v.p)])].sort(
    (a, b) => a - b,
  );
  const man = (hash: string, mapping: DraftMapping, runs: number): Manifest => ({
    scenario: base.path,
    hash,
    engine: ENGINE_VERSION,
    seed: opts.seed,
    runs,
    interventions: mapping.interventions,
    set: mapping.set,
    positions: ds.hash,
  });
  // Every arm is known before any runs: compile them all, then run them as one job.
  interface Planned {
    label: string;
    mapping: DraftMapping;
    arm: FlagArm & { hash: string };
  }
  const plan = (label: string, doc: Scenario, mapping: DraftMapping): Planned => {
    const overlaid = applyOverlay(doc, ds.overlay);
    const { model, hash } = compileDoc(overlaid, mapping.interventions, base.path);
    return { label, mapping, arm: { doc: overlaid, model, hash } };
  };
  const draftArms = drafts.map((d) => {
    checkSetValues(d.mapping.set);
    const m = hosted(d.mapping);
    return { draft: d.id, ...plan(d.title, withProtocols(base, m.interventions, m.set), m) };
  });
  const pkgArm = pkg && pkgDoc ? plan('Package', pkgDoc, pkg) : null;
  const talksArm =
    venue && !pkgArm
      ? plan(venue.title, withProtocols(base, [venue.intervention], {}), {
          interventions: [venue.intervention],
          set: {},
        })
      : null;
  const leakArms =
    pkg && pkgDoc && venues.length
      ? grid.map((p) => {
          const mapping = { interventions: pkg.interventions, set: { ...pkg.set } };
          for (const v of venues) mapping.set[v.path] = p;
          return { p, ...plan(`Package, leak ${p}`, setLeak(pkgDoc, venues, p), mapping) };
        })
      : [];
  const planned: Planned[] = [
    ...draftArms,
    ...(pkgArm ? [pkgArm] : []),
    ...(talksArm ? [talksArm] : []),
    ...leakArms,
  ];
  const job = new FlagsJob([{ doc: ds.doc, model: ds.model }, ...planned.map((x) => x.arm)], {
    seed: opts.seed,
    runs: opts.runs,
  });
  const flags = await runArms(job, opts);
  const baseFlags = flags[0]!;
  const flagsOf = new Map(planned.map((x, k) => [x, flags[k + 1]!]));
  // Where the arm's talks did not take place, nothing was agreed: the declared-positions run.
  const agreedWhereHeld = (x: Planned) => {
    const f = flagsOf.get(x)!;
    return venue ? whereHeld(baseFlags, f, f) : f;
  };
  const result = (x: Planned): ArmResult => {
    const f = agreedWhereHeld(x);
    const own = flagsOf.get(x)!;
    return {
      label: x.label,
      war: pairedDelta(baseFlags, f, WAR),
      lethal: pairedDelta(baseFlags, f, LETHAL),
      manifest: man(x.arm.hash, x.mapping, opts.runs),
      ...(x.arm.model.talks.length ? { happened: shareOf(own, TALKS) } : {}),
    };
  };
  const results: ProtocolResults['drafts'] = draftArms.map((d) => ({ draft: d.draft, ...result(d) }));
  const packageResult = pkgArm ? result(pkgArm) : null;
  let leak: LeakAnalysis | null = null;
  if (pkgArm) {
    const points: LeakPoint[] = leakArms.map((x) => {
      const r = result(x);
      return { p: x.p, war: r.war, lethal: r.lethal };
    });
    leak = venues.length
      ? { venues, points, ...breakEven(points) }
      : { venues: [], points: [], breakEven: null, verdict: 'no-talks' };
  }
  const hostArm = pkgArm ?? talksArm;
  let hosting: Hosting | null = null;
  if (venue && hostArm) {
    const r = result(hostArm);
    const own = flagsOf.get(hostArm)!;
    // The talks the package itself holds, if it names some; else the venue's.
    const held = hostArm.mapping.interventions.find((i) => talksIvs.has(i)) ?? venue.intervention;
    hosting = {
      venue: { intervention: held, title: base.doc.interventions[held]!.title },
      of: pkgArm ? 'package' : 'talks',
      happened: shareOf(own, TALKS),
      leaked: shareOf(own, LEAKED),
      war: r.war,
      lethal: r.lethal,
      value: { d: sig(-r.war.d), ci95: [sig(-r.war.ci95[1]), sig(-r.war.ci95[0])] },
    };
  }
  return {
    scenario: base.path,
    base: {
      war: share(baseFlags, WAR),
      lethal: share(baseFlags, LETHAL),
      manifest: man(ds.model.hash, { interventions: [], set: {} }, opts.runs),
    },
    drafts: results,
    package: packageResult,
    leak,
    hosting,
  };
}

export type { DeclaredScenario };
