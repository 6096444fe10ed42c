// Protocol drafts simulated: each draft (a named set of the scenario's interventions and parameter
// overrides) and the package of agreed drafts, against the scenario with the declared positions, on
// common random numbers; then the package with the talks leaking (each venue's leak probability per
// round swept from 0 to 1) and the break-even leak probability at which it stops lowering P(war).
import { ENGINE_VERSION } from '../engine/model.ts';
import { isPlainObject } from '../scenario/merge.ts';
import { isParamRef, nominal } from '../scenario/params.ts';
import type { NamedParam, Scenario } from '../scenario/schema.ts';
import { applyOverlay, type DeclaredScenario, declareScenario } from './overlay.ts';
import { LETHAL, pairedDelta, type RunOptions, runFlags, share, WAR } from './paired.ts';
import { type Base, compileDoc, TalksError, withProtocols } from './scenario.ts';
import type {
  ArmResult,
  Declared,
  DraftMapping,
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
  onArm?: (arm: number, arms: number, done: number) => void;
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

/** Simulates each draft, the package of agreed drafts, and the package with the talks leaking. */
export async function simulateProtocols(
  base: Base,
  agenda: ScenarioAgenda,
  declared: readonly Declared[],
  drafts: readonly DraftSpec[],
  agreed: readonly string[],
  opts: ProtocolOptions,
): Promise<ProtocolResults> {
  const ds = declareScenario(base, agenda, declared);
  const pkgDrafts = drafts.filter((d) => agreed.includes(d.id));
  const pkg = pkgDrafts.length ? packageOf(pkgDrafts) : null;
  const pkgDoc = pkg ? withProtocols(base, pkg.interventions, pkg.set) : null;
  const venues = pkgDoc ? leakParams(pkgDoc) : [];
  const grid = [...new Set([...(opts.leakGrid ?? DEFAULT_LEAK_GRID), ...venues.map((v) => v.p)])].sort(
    (a, b) => a - b,
  );
  const arms = 1 + drafts.length + (pkg ? 1 : 0) + (venues.length ? grid.length : 0);
  let arm = 0;
  const armOpts = (): RunOptions => {
    const k = arm++;
    return {
      ...opts,
      onProgress: (done) => {
        opts.onProgress?.(done);
        opts.onArm?.(k, arms, done);
      },
    };
  };
  const baseFlags = await runFlags(ds.model, opts.seed, opts.runs, armOpts());
  const man = (hash: string, mapping: DraftMapping): Manifest => ({
    scenario: base.path,
    hash,
    engine: ENGINE_VERSION,
    seed: opts.seed,
    runs: opts.runs,
    interventions: mapping.interventions,
    set: mapping.set,
    positions: ds.hash,
  });
  const evaluate = async (label: string, doc: Scenario, mapping: DraftMapping): Promise<ArmResult> => {
    const { model, hash } = compileDoc(applyOverlay(doc, ds.overlay), mapping.interventions, base.path);
    const flags = await runFlags(model, opts.seed, opts.runs, armOpts());
    return {
      label,
      war: pairedDelta(baseFlags, flags, WAR),
      lethal: pairedDelta(baseFlags, flags, LETHAL),
      manifest: man(hash, mapping),
    };
  };
  const results: ProtocolResults['drafts'] = [];
  for (const d of drafts) {
    checkSetValues(d.mapping.set);
    const doc = withProtocols(base, d.mapping.interventions, d.mapping.set);
    results.push({ draft: d.id, ...(await evaluate(d.title, doc, d.mapping)) });
  }
  let packageResult: ArmResult | null = null;
  let leak: LeakAnalysis | null = null;
  if (pkg && pkgDoc) {
    packageResult = await evaluate('Package', pkgDoc, pkg);
    if (venues.length) {
      const points: LeakPoint[] = [];
      for (const p of grid) {
        const mapping = { interventions: pkg.interventions, set: { ...pkg.set } };
        for (const v of venues) mapping.set[v.path] = p;
        const r = await evaluate(`Package, leak ${p}`, setLeak(pkgDoc, venues, p), mapping);
        points.push({ p, war: r.war, lethal: r.lethal });
      }
      leak = { venues, points, ...breakEven(points) };
    } else {
      leak = { venues: [], points: [], breakEven: null, verdict: 'no-talks' };
    }
  }
  return {
    scenario: base.path,
    base: {
      war: share(baseFlags, WAR),
      lethal: share(baseFlags, LETHAL),
      manifest: man(ds.model.hash, { interventions: [], set: {} }),
    },
    drafts: results,
    package: packageResult,
    leak,
  };
}

export type { DeclaredScenario };
