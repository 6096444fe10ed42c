// The agenda: the triggers of each delegation actor (the acts of others its doctrine answers), with the
// scenario's response to each at the start of the crisis (the form's prefill) and how often the
// trigger comes up in a pilot ensemble.

import { ownSimulator } from '../analysis/kernel/simulator.ts';
import type { Model } from '../engine/model.ts';
import { responseDistribution } from '../engine/run.ts';
import { StartContext } from '../engine/start.ts';
import type { TraceRecord } from '../engine/trace.ts';
import type { Base } from './scenario.ts';
import type { Dist, ResponseOption, ScenarioAgenda, Trigger } from './types.ts';
import { actionLabel, humanize } from './words.ts';

/**
 * Actor i's response to stimulus `act` at the start of the crisis, averaged over its intent types:
 * action index -> probability (empty when no rule applies), and the rule that decides for the most
 * likely type.
 */
export function startResponse(m: Model, i: number, act: number): { dist: Map<number, number>; rule: number } {
  const ctx = new StartContext(m);
  const n = m.actions.length + 8;
  const dist = new Float64Array(n);
  const acts = new Int32Array(n);
  const out = new Map<number, number>();
  const cum = m.actors[i]!.typeCum;
  let rule = -1;
  let best = -1;
  for (let t = 0; t < cum.length; t++) {
    const pt = cum[t]! - (t > 0 ? cum[t - 1]! : 0);
    if (pt <= 0) continue;
    ctx.types[i] = t;
    const k = responseDistribution(ctx, i, act, dist, acts);
    if (k > 0 && pt > best) {
      best = pt;
      rule = ctx.lastRule;
    }
    for (let x = 0; x < k; x++) out.set(acts[x]!, (out.get(acts[x]!) ?? 0) + pt * dist[x]!);
  }
  return { dist: out, rule };
}

/** Bare response key of an action of the responder: `protest`, or `wait`. */
export function responseKey(m: Model, action: number): string {
  const a = m.actions[action]!;
  return a.isWait ? 'wait' : a.id.slice(a.id.indexOf('.') + 1);
}

/** Action index of a bare response key of actor i. */
export function actionOfKey(m: Model, i: number, key: string): number {
  const id = `${m.actors[i]!.id}.${key}`;
  return m.actions.findIndex((a) => a.id === id);
}

/** The acts (stimulus indices) a trigger id covers. */
export function actsOfTrigger(m: Model, trigger: string): number[] {
  const out: number[] = [];
  for (let act = 0; act < m.actIds.length; act++) {
    const id = m.actIds[act]!;
    if (id === trigger || id.startsWith(`${trigger}/`)) out.push(act);
  }
  return out;
}

/** Rounds a distribution to 0.1% steps, keeping its sum at exactly 1 (largest remainder). */
export function roundDist(d: Map<string, number> | Dist, step = 0.001): Dist {
  const entries = (d instanceof Map ? [...d.entries()] : Object.entries(d)).filter(([, p]) => p > 0);
  const total = entries.reduce((s, [, p]) => s + p, 0);
  if (total <= 0) return { wait: 1 };
  const units = Math.round(1 / step);
  const raw = entries.map(([k, p]) => [k, (p / total) * units] as const);
  const floor = raw.map(([k, u]) => [k, Math.floor(u), u - Math.floor(u)] as const);
  let left = units - floor.reduce((s, [, f]) => s + f, 0);
  const order = [...floor.keys()].sort((a, b) => floor[b]![2] - floor[a]![2]);
  const counts = floor.map(([, f]) => f);
  for (const k of order) {
    if (left <= 0) break;
    counts[k]!++;
    left--;
  }
  const out: Dist = {};
  floor.forEach(([k], x) => {
    if (counts[x]! > 0) out[k] = counts[x]! / units;
  });
  return out;
}

function optionsOf(m: Model, i: number): ResponseOption[] {
  const opts: ResponseOption[] = [];
  m.actions.forEach((a, x) => {
    if (a.actor !== i) return;
    opts.push({ key: responseKey(m, x), label: actionLabel(m, x), rung: m.rungNames[a.rung]! });
  });
  return opts.sort((a, b) => (a.key === 'wait' ? -1 : b.key === 'wait' ? 1 : 0));
}

/** Every trigger of actor `responder`: the acts of other actors its ordinary doctrine rules answer. */
export function triggersOf(m: Model, responder: string): Omit<Trigger, 'frequency'>[] {
  const i = m.actors.findIndex((a) => a.id === responder);
  if (i < 0) return [];
  const actor = m.actors[i]!;
  const ordinary = (act: number) =>
    [...actor.rulesByAct[act]!].filter((r) => !actor.rules[r]!.also).join(',');
  const options = optionsOf(m, i);
  const out: Omit<Trigger, 'frequency'>[] = [];
  m.actions.forEach((a, x) => {
    if (a.actor === i || a.isWait) return;
    const keys = a.outcomes.map((o) => ordinary(o.act));
    if (keys.every((k) => k === '')) return;
    const whole = keys.every((k) => k === keys[0]);
    const groups = whole
      ? [a.outcomes.map((o) => o.act)]
      : a.outcomes.filter((_, k) => keys[k] !== '').map((o) => [o.act]);
    for (const acts of groups) {
      const outcome = whole ? undefined : a.outcomes[m.actOutcome[acts[0]!]!]!;
      const id = outcome ? `${a.id}/${outcome.id}` : a.id;
      const dist = new Map<string, number>();
      let rule = -1;
      let total = 0;
      for (const act of acts) {
        const o = a.outcomes[m.actOutcome[act]!]!;
        const w = whole ? o.p : 1;
        total += w;
        const r = startResponse(m, i, act);
        if (r.rule >= 0) rule = r.rule;
        let sum = 0;
        for (const [k, p] of r.dist) {
          const key = responseKey(m, k);
          dist.set(key, (dist.get(key) ?? 0) + w * p);
          sum += p;
        }
        if (sum < 1) dist.set('wait', (dist.get('wait') ?? 0) + w * (1 - sum));
      }
      for (const [k, v] of dist) dist.set(k, v / (total || 1));
      if (rule < 0) rule = actor.rulesByAct[acts[0]!]!.find((r) => !actor.rules[r]!.also) ?? 0;
      const ruleModel = actor.rules[rule]!;
      const rungIndex = outcome ? outcome.rung : a.rung;
      const source = m.actors[a.actor]!;
      const what =
        actionLabel(m, x) +
        (outcome ? ` (${outcome.name === outcome.id ? humanize(outcome.id) : outcome.name})` : '');
      out.push({
        id,
        responder,
        source: source.id,
        action: a.id,
        ...(outcome ? { outcome: outcome.id } : {}),
        label: `${source.name}: ${what}`,
        rung: m.rungNames[rungIndex]!,
        options,
        doctrine: { kind: ruleModel.choose ? 'choose' : 'respond', rule: ruleModel.id },
        prefill: roundDist(dist),
      });
    }
  });
  return out;
}

/**
 * How often each responder faces each of its triggers: the share of `runs` pilot runs (seeded) in
 * which it decided on a covered act.
 */
export function triggerFrequencies(
  m: Model,
  triggers: readonly Omit<Trigger, 'frequency'>[],
  runs: number,
  seed: number,
): Map<string, number> {
  const byAct = new Map<string, string[]>();
  for (const t of triggers) {
    for (const act of actsOfTrigger(m, t.id)) {
      const key = `${t.responder}\u0000${m.actIds[act]}`;
      byAct.set(key, [...(byAct.get(key) ?? []), `${t.responder}\u0000${t.id}`]);
    }
  }
  const counts = new Map<string, number>();
  // Traced runs: a simulator of its own (src/analysis/kernel/simulator.ts), one run at a time.
  const sim = ownSimulator(m);
  for (let r = 0; r < runs; r++) {
    const trace: TraceRecord[] = [];
    sim.run(seed, r, { trace });
    const seen = new Set<string>();
    for (const rec of trace) {
      if (rec.kind !== 'decide') continue;
      for (const k of byAct.get(`${rec.actor}\u0000${rec.stimulus}`) ?? []) seen.add(k);
    }
    for (const k of seen) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const out = new Map<string, number>();
  for (const t of triggers) {
    const k = `${t.responder}\u0000${t.id}`;
    out.set(k, (counts.get(k) ?? 0) / Math.max(1, runs));
  }
  return out;
}

/** The agenda of a scenario for the given delegation actors (every trigger, most frequent first). */
export function deriveAgenda(
  base: Base,
  actors: readonly string[],
  opts: { pilotRuns?: number; seed?: number } = {},
): ScenarioAgenda {
  const m = base.model;
  for (const a of actors)
    if (!m.actors.some((x) => x.id === a))
      throw new Error(
        `scenario ${base.path} has no actor ${a} (actors: ${m.actors.map((x) => x.id).join(', ')})`,
      );
  const all = actors.flatMap((a) => triggersOf(m, a));
  const freq = triggerFrequencies(m, all, opts.pilotRuns ?? 300, opts.seed ?? 1);
  const triggers: Record<string, Trigger[]> = {};
  for (const a of actors) {
    triggers[a] = all
      .filter((t) => t.responder === a)
      .map((t) => ({ ...t, frequency: freq.get(`${a}\u0000${t.id}`) ?? 0 }))
      .sort((x, y) => y.frequency - x.frequency || x.id.localeCompare(y.id));
  }
  const actorNames: Record<string, string> = {};
  for (const a of m.actors) actorNames[a.id] = a.name;
  return { path: base.path, title: base.doc.title, hash: base.hash, actorNames, triggers };
}
