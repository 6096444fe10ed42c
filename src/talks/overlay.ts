// Declared positions applied to a scenario: each delegation's declared response replaces its actor's
// doctrine for that trigger, and its expectations replace its actor's `beliefs.expects`. The result is
// a document change (an overlay), compiled like any scenario.
//
// A declared response answers "what would you do, given what you expect of the others". Where the
// scenario's doctrine decides by expected utility (`choose`), the declaration is kept as such a choice:
// the overlay solves for the situational values (`values`) under which the actor's logit choice, with
// its declared expectations, gives exactly the declared distribution at the start of the crisis. Closing
// an expectation gap then moves the actor's choice the way the model says it would. Where the doctrine
// is a fixed table (`respond`), the declaration is a fixed table too (expectations do not enter it).
import type { Model } from '../engine/model.ts';
import { StartContext } from '../engine/start.ts';
import { contentHash } from '../scenario/load.ts';
import type { Scenario } from '../scenario/schema.ts';
import { actionOfKey, actsOfTrigger, responseKey, startResponse } from './agenda.ts';
import { type Base, compileDoc, TalksError } from './scenario.ts';
import type { Declared, Dist, ScenarioAgenda, Trigger } from './types.ts';

type ActorDoc = Scenario['actors'][string];
type RuleDoc = ActorDoc['doctrine'][string];
type ExpectsDoc = NonNullable<NonNullable<ActorDoc['beliefs']>['expects']>;

/** The document change that declared positions make. */
export interface Overlay {
  /** Actor -> doctrine rules that go first (they take precedence over the scenario's). */
  rules: Record<string, Record<string, RuleDoc>>;
  /** Actor -> other actor -> `ACTOR.action` -> response -> probability (replacing `beliefs.expects` rows). */
  expects: Record<string, Record<string, Record<string, Dist>>>;
}

export interface Calibration {
  actor: string;
  trigger: string;
  kind: 'respond' | 'choose';
  /** Largest difference between the declared distribution and the model's start-of-crisis response. */
  error: number;
}

export interface DeclaredScenario {
  overlay: Overlay;
  /** Hash of the overlay (names the positions in run manifests without showing them). */
  hash: string;
  doc: Scenario;
  model: Model;
  calibration: Calibration[];
  /** Per act, each delegation actor's response at the start of the crisis with the declared rules. */
  truth: Model;
}

/** `DPRK.irbm-test/casualties` -> `talks-dprk-irbm-test-casualties` (a doctrine rule id). */
export function ruleIdOf(trigger: string): string {
  return `talks-${trigger
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')}`;
}

/** Total variation distance between two distributions over the same keys. */
export function tvDistance(a: Dist, b: Dist): number {
  let s = 0;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) s += Math.abs((a[k] ?? 0) - (b[k] ?? 0));
  return s / 2;
}

/** Checks a distribution over `options`; returns it normalised (sum exactly 1) or throws saying what is wrong. */
export function checkDist(d: Dist, options: readonly string[], what: string): Dist {
  const out: Dist = {};
  let sum = 0;
  for (const [k, p] of Object.entries(d)) {
    if (!options.includes(k))
      throw new TalksError(`${what}: '${k}' is not a possible response (possible: ${options.join(', ')})`);
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1)
      throw new TalksError(`${what}: the probability of '${k}' must be a number from 0 to 1`);
    if (p > 0) out[k] = p;
    sum += p;
  }
  if (Math.abs(sum - 1) > 0.005)
    throw new TalksError(`${what}: the probabilities add up to ${(sum * 100).toFixed(1)}%, not 100%`);
  if (Math.abs(sum - 1) > 1e-9) for (const k of Object.keys(out)) out[k] = out[k]! / sum;
  return out;
}

/** The overlay applied to a document: declared rules first in each doctrine, expectation rows replaced. */
export function applyOverlay(doc: Scenario, ov: Overlay): Scenario {
  const actors: Scenario['actors'] = { ...doc.actors };
  const touched = new Set([...Object.keys(ov.rules), ...Object.keys(ov.expects)]);
  for (const id of touched) {
    const actor = actors[id];
    if (!actor) throw new TalksError(`the scenario has no actor ${id}`);
    const rules = ov.rules[id] ?? {};
    const doctrine: ActorDoc['doctrine'] = { ...rules };
    for (const [rid, r] of Object.entries(actor.doctrine)) if (!Object.hasOwn(rules, rid)) doctrine[rid] = r;
    const next: ActorDoc = { ...actor, doctrine };
    const rows = ov.expects[id];
    if (rows && Object.keys(rows).length) {
      const expects: ExpectsDoc = { ...(actor.beliefs?.expects ?? {}) };
      for (const [other, table] of Object.entries(rows))
        expects[other] = { ...(expects[other] ?? {}), ...table };
      next.beliefs = { ...(actor.beliefs ?? {}), expects };
    }
    actors[id] = next;
  }
  return { ...doc, actors };
}

function triggerMap(agenda: ScenarioAgenda): Map<string, Trigger> {
  const out = new Map<string, Trigger>();
  for (const [actor, ts] of Object.entries(agenda.triggers))
    for (const t of ts) out.set(`${actor}\u0000${t.id}`, t);
  return out;
}

/**
 * Expectation rows of `holder` about `of`, one per action: the stated expectation for each trigger,
 * mixed over the action's outcomes (the engine's expectations are per action) with `of`'s response at
 * the start of the crisis for outcomes that are not on the agenda.
 */
export function expectationRows(m: Model, of: string, stated: Record<string, Dist>): Record<string, Dist> {
  const j = m.actors.findIndex((a) => a.id === of);
  if (j < 0) throw new TalksError(`the scenario has no actor ${of}`);
  const byAction = new Map<number, Map<number, Dist>>();
  for (const [trigger, dist] of Object.entries(stated)) {
    for (const act of actsOfTrigger(m, trigger)) {
      const a = m.actAction[act]!;
      const o = m.actOutcome[act]!;
      const row = byAction.get(a) ?? new Map<number, Dist>();
      // An outcome-level trigger wins over the action-level one for its outcome.
      if (!row.has(o) || trigger.includes('/')) row.set(o, dist);
      byAction.set(a, row);
    }
  }
  const out: Record<string, Dist> = {};
  for (const [a, row] of byAction) {
    const action = m.actions[a]!;
    const mix: Dist = {};
    action.outcomes.forEach((o, k) => {
      let d = row.get(k);
      if (!d) {
        const r = startResponse(m, j, o.act);
        d = {};
        let sum = 0;
        for (const [x, p] of r.dist) {
          d[responseKey(m, x)] = (d[responseKey(m, x)] ?? 0) + p;
          sum += p;
        }
        if (sum < 1) d.wait = (d.wait ?? 0) + 1 - sum;
      }
      for (const [key, p] of Object.entries(d)) mix[key] = (mix[key] ?? 0) + o.p * p;
    });
    const clean: Dist = {};
    let sum = 0;
    for (const p of Object.values(mix)) if (p > 1e-12) sum += p;
    for (const [k, p] of Object.entries(mix)) if (p > 1e-12) clean[k] = Math.round((p / sum) * 1e9) / 1e9;
    // Keep the row summing to 1 exactly despite rounding.
    const keys = Object.keys(clean);
    const drift = 1 - keys.reduce((s, k) => s + clean[k]!, 0);
    if (keys.length) clean[keys[0]!] = Math.round((clean[keys[0]!]! + drift) * 1e9) / 1e9;
    out[action.id] = clean;
  }
  return out;
}

/** The start-of-crisis response of actor i to a trigger, as a distribution over its response keys. */
export function startDist(m: Model, responder: string, trigger: string): Dist {
  const i = m.actors.findIndex((a) => a.id === responder);
  const acts = actsOfTrigger(m, trigger);
  const out: Dist = {};
  let total = 0;
  const whole = !trigger.includes('/');
  for (const act of acts) {
    const o = m.actions[m.actAction[act]!]!.outcomes[m.actOutcome[act]!]!;
    const w = whole ? o.p : 1;
    total += w;
    const r = startResponse(m, i, act);
    let sum = 0;
    for (const [x, p] of r.dist) {
      const k = responseKey(m, x);
      out[k] = (out[k] ?? 0) + w * p;
      sum += p;
    }
    if (sum < 1) out.wait = (out.wait ?? 0) + w * (1 - sum);
  }
  for (const k of Object.keys(out)) out[k] = out[k]! / (total || 1);
  return out;
}

/** Logit values of responses for actor i at the start of the crisis, as responseDistribution computes them. */
function startValues(m: Model, i: number, actions: number[]): { v: number[]; lambda: number } {
  const ctx = new StartContext(m);
  const actor = m.actors[i]!;
  let b = 0;
  if (actor.preempt)
    for (const j of actor.preempt.against) b = Math.max(b, ctx.beliefOf(i, j, m.hostileType));
  const v = actions.map((a) => {
    let x = ctx.valueOf(a);
    if (actor.preempt) {
      if (m.actions[a]!.preemptive) x *= 1 - b;
      else x -= b * (1 - actor.preempt.sigma) * actor.preempt.loss;
    }
    return x;
  });
  return { v, lambda: actor.lambda * actor.lambdaByReadiness[actor.readiness0]! };
}

function validateDeclared(agenda: ScenarioAgenda, declared: readonly Declared[]): void {
  const triggers = triggerMap(agenda);
  const actors = new Set(declared.map((d) => d.actor));
  for (const d of declared) {
    for (const [t, dist] of Object.entries(d.positions.responses)) {
      const trig = triggers.get(`${d.actor}\u0000${t}`);
      if (!trig) throw new TalksError(`${d.actor} answers ${t}, which is not on its agenda`);
      checkDist(
        dist,
        trig.options.map((o) => o.key),
        `${d.actor}'s response to ${trig.label}`,
      );
    }
    for (const [of, table] of Object.entries(d.positions.expectations)) {
      if (of === d.actor) throw new TalksError(`${d.actor} cannot hold expectations about itself`);
      if (!actors.has(of) && !agenda.triggers[of])
        throw new TalksError(`${d.actor} states expectations about ${of}, which is not a party`);
      for (const [t, dist] of Object.entries(table)) {
        const trig = triggers.get(`${of}\u0000${t}`);
        if (!trig)
          throw new TalksError(
            `${d.actor} states expectations of ${of} on ${t}, which is not on ${of}'s agenda`,
          );
        checkDist(
          dist,
          trig.options.map((o) => o.key),
          `${d.actor}'s expectation of ${of} after ${trig.label}`,
        );
      }
    }
  }
}

/**
 * Applies declared positions to a scenario: returns the overlay (calibrated where the doctrine chooses
 * by expected utility), the compiled model, and how closely the model reproduces each declaration at
 * the start of the crisis.
 */
export function declareScenario(
  base: Base,
  agenda: ScenarioAgenda,
  declared: readonly Declared[],
): DeclaredScenario {
  validateDeclared(agenda, declared);
  const triggers = triggerMap(agenda);
  // 1. Declared responses as fixed tables: the others' expectations about outcomes not on the agenda
  // are their start-of-crisis responses under these rules.
  const fixed: Overlay['rules'] = {};
  for (const d of declared) {
    const rules: Record<string, RuleDoc> = {};
    for (const [t, dist] of Object.entries(d.positions.responses))
      rules[ruleIdOf(t)] = { on: t, respond: { ...dist } };
    fixed[d.actor] = rules;
  }
  const doc0 = applyOverlay(base.doc, { rules: fixed, expects: {} });
  const model0 = compileDoc(doc0, [], base.path).model;
  const expects: Overlay['expects'] = {};
  for (const d of declared) {
    const rows: Record<string, Record<string, Dist>> = {};
    for (const [of, stated] of Object.entries(d.positions.expectations)) {
      if (Object.keys(stated).length) rows[of] = expectationRows(model0, of, stated);
    }
    expects[d.actor] = rows;
  }
  // 2. With the declared expectations in place, solve for the values that make each choice rule give the
  // declared distribution; iterate because every actor's values depend on the others' responses.
  let rules: Overlay['rules'] = fixed;
  let overlay: Overlay = { rules, expects };
  let doc = applyOverlay(base.doc, overlay);
  let model = compileDoc(doc, [], base.path).model;
  const calibration: Calibration[] = [];
  for (let iter = 0; iter < 4; iter++) {
    rules = {};
    for (const d of declared) {
      const i = model.actors.findIndex((a) => a.id === d.actor);
      const out: Record<string, RuleDoc> = {};
      for (const [t, dist] of Object.entries(d.positions.responses)) {
        const trig = triggers.get(`${d.actor}\u0000${t}`)!;
        const keys = Object.keys(dist).filter((k) => dist[k]! > 0);
        const actions = keys.map((k) => actionOfKey(model, i, k));
        const { v, lambda } = startValues(model, i, actions);
        if (trig.doctrine.kind !== 'choose' || keys.length < 2 || !(lambda > 0)) {
          out[ruleIdOf(t)] = { on: t, respond: { ...dist } };
          continue;
        }
        const bonus = keys.map((k, x) => Math.log(dist[k]!) / lambda - v[x]!);
        const top = Math.max(...bonus);
        const values: Record<string, number> = {};
        keys.forEach((k, x) => {
          values[k] = Math.round((bonus[x]! - top) * 1e9) / 1e9;
        });
        out[ruleIdOf(t)] = { on: t, choose: keys, values };
      }
      rules[d.actor] = out;
    }
    overlay = { rules, expects };
    doc = applyOverlay(base.doc, overlay);
    model = compileDoc(doc, [], base.path).model;
    calibration.length = 0;
    let worst = 0;
    for (const d of declared) {
      for (const [t, dist] of Object.entries(d.positions.responses)) {
        const got = startDist(model, d.actor, t);
        let err = 0;
        for (const k of new Set([...Object.keys(got), ...Object.keys(dist)]))
          err = Math.max(err, Math.abs((got[k] ?? 0) - (dist[k] ?? 0)));
        worst = Math.max(worst, err);
        const kind = overlay.rules[d.actor]![ruleIdOf(t)]!.choose ? 'choose' : 'respond';
        calibration.push({ actor: d.actor, trigger: t, kind, error: err });
      }
    }
    if (worst < 1e-6) break;
  }
  return { overlay, hash: contentHash(overlay), doc, model, calibration, truth: model0 };
}

/** The overlay with one expectation changed: `holder`'s expectation of `of` on `trigger` set to `dist`. */
export function withExpectation(
  ds: DeclaredScenario,
  declared: readonly Declared[],
  holder: string,
  of: string,
  trigger: string,
  dist: Dist,
): Overlay {
  const d = declared.find((x) => x.actor === holder);
  if (!d) throw new TalksError(`${holder} is not a delegation actor`);
  const stated = { ...(d.positions.expectations[of] ?? {}), [trigger]: dist };
  const rows = expectationRows(ds.truth, of, stated);
  return {
    rules: ds.overlay.rules,
    expects: { ...ds.overlay.expects, [holder]: { ...(ds.overlay.expects[holder] ?? {}), [of]: rows } },
  };
}
