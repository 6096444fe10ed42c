// The generic crisis model: what the generic actors of scenarios/lib/generic-actors.yaml do in answer to
// the other side's acts, as a function of what is known at the trigger. Each actor answers every act of
// the other at or above `incident` with a response kernel chosen by the act's class (a word or alarm, a
// military display, a use of force, a lethal act, a nuclear alert); the kernel's probabilities are a
// multinomial logit whose linear predictors are the class intercepts plus the actor's features times
// coefficients shared by the response's group (military display, use of force, war). The engine runs
// the kernels; `brink fit` fits the intercepts and coefficients to ICB crises by simulated likelihood
// (src/calibration/generic-fit.ts). Pure functions.

/** Stimulus classes: which rule of the library answers an act, by the act's rung. */
export const STIMULI = [
  { id: 'low', rule: 'answer-low', rungAtLeast: 'incident', name: 'a word, an alarm or a political act' },
  { id: 'military', rule: 'answer-military', rungAtLeast: 'display', name: 'a display of force or alert' },
  { id: 'force', rule: 'answer-force', rungAtLeast: 'nonlethal-force', name: 'a use of force' },
  { id: 'lethal', rule: 'answer-lethal', rungAtLeast: 'lethal-clash', name: 'a lethal act' },
  { id: 'nuclear', rule: 'answer-nuclear-alert', rungAtLeast: 'nuclear-brink', name: 'a nuclear alert' },
] as const;
export type StimulusId = (typeof STIMULI)[number]['id'];

/** Response groups: the coefficients of the features are shared within a group. */
export const GROUPS = ['mil', 'force', 'war'] as const;
export type GroupId = (typeof GROUPS)[number];

/** The answers of a kernel (actions of the library; `wait` does nothing), in the rules' order. */
export const OPTIONS = [
  { id: 'wait', group: undefined },
  { id: 'protest', group: undefined },
  { id: 'counter-show', group: 'mil' },
  { id: 'alert', group: 'mil' },
  { id: 'nuclear-alert', group: 'mil' },
  { id: 'fire', group: 'force' },
  { id: 'offensive', group: 'war' },
] as const satisfies readonly { id: string; group: GroupId | undefined }[];
export type OptionId = (typeof OPTIONS)[number]['id'];
export const NUCLEAR_OPTION = OPTIONS.findIndex((o) => o.id === 'nuclear-alert');

/**
 * Features of one actor of the dyad, from its own point of view. All are known when the crisis is
 * triggered (who the two sides are and what is at stake), none is an outcome of the crisis.
 */
export const FEATURES = [
  { id: 'initiator', name: 'the actor made the triggering act (side A)' },
  { id: 'own-nuclear', name: 'the actor has nuclear weapons' },
  { id: 'other-nuclear', name: 'the other side has nuclear weapons' },
  { id: 'own-great-power', name: 'the actor is a great power' },
  { id: 'other-great-power', name: 'the other side is a great power' },
  { id: 'own-allied', name: 'the actor is allied to a great power (ICB allycap 3-4)' },
  { id: 'other-allied', name: 'the other side is allied to a great power' },
  { id: 'own-stronger', name: 'the actor is clearly the stronger (ICB power discrepancy)' },
  { id: 'other-stronger', name: 'the other side is clearly the stronger' },
  { id: 'protracted', name: 'the crisis is part of a protracted conflict (ICB protrac 2-3)' },
  { id: 'grave', name: 'the threat is grave: to existence or of grave damage (ICB gravcr 5-6)' },
  { id: 'territorial', name: 'the threat is territorial (ICB gravcr 3)' },
  {
    id: 'non-state-trigger',
    name: 'the trigger came from a non-state actor or from inside (ICB trigent 995-997)',
  },
] as const;
export type FeatureId = (typeof FEATURES)[number]['id'];
export const NF = FEATURES.length;
export const NS = STIMULI.length;
export const NO = OPTIONS.length;
export const NG = GROUPS.length;

/**
 * What is known at the trigger about a dyad: side A made the triggering act, side B is its target. As a
 * case declares it (`features:` in a scenario that extends the generic library) or as read from ICB.
 */
export interface DyadFeatures {
  nuclear: { A: boolean; B: boolean };
  greatPower: { A: boolean; B: boolean };
  allied: { A: boolean; B: boolean };
  /** Which side is clearly the stronger, if either. */
  stronger?: 'A' | 'B' | undefined;
  protracted: boolean;
  threat: 'grave' | 'territorial' | 'other';
  nonStateTrigger: boolean;
}

export const NO_FEATURES: DyadFeatures = {
  nuclear: { A: false, B: false },
  greatPower: { A: false, B: false },
  allied: { A: false, B: false },
  protracted: false,
  threat: 'other',
  nonStateTrigger: false,
};

/** The feature vector of side `side` of a dyad (0/1 entries, FEATURES order). */
export function sideVector(f: DyadFeatures, side: 'A' | 'B'): number[] {
  const other = side === 'A' ? 'B' : 'A';
  return [
    side === 'A' ? 1 : 0,
    f.nuclear[side] ? 1 : 0,
    f.nuclear[other] ? 1 : 0,
    f.greatPower[side] ? 1 : 0,
    f.greatPower[other] ? 1 : 0,
    f.allied[side] ? 1 : 0,
    f.allied[other] ? 1 : 0,
    f.stronger === side ? 1 : 0,
    f.stronger === other ? 1 : 0,
    f.protracted ? 1 : 0,
    f.threat === 'grave' ? 1 : 0,
    f.threat === 'territorial' ? 1 : 0,
    f.nonStateTrigger ? 1 : 0,
  ];
}

/**
 * The fitted quantities. `alpha[s][o]` is the intercept of option o (wait = 0) after stimulus class s
 * for an actor whose features equal `center`; `beta[g][f]` the coefficient of feature f (centred) in
 * the predictors of the options of group g.
 */
export interface Coefficients {
  alpha: number[][];
  beta: number[][];
  center: number[];
}

/** Flat parameter vector <-> coefficients (alpha rows without the wait column, then beta). */
export const N_ALPHA = NS * (NO - 1);
export const N_PARAMS = N_ALPHA + NG * NF;

export function unpack(theta: readonly number[] | Float64Array, center: number[]): Coefficients {
  const alpha = STIMULI.map((_, s) => [0, ...OPTIONS.slice(1).map((_, o) => theta[s * (NO - 1) + o]!)]);
  const beta = GROUPS.map((_, g) => FEATURES.map((_, f) => theta[N_ALPHA + g * NF + f]!));
  return { alpha, beta, center };
}

export function pack(c: Coefficients): number[] {
  return [...c.alpha.flatMap((row) => row.slice(1)), ...c.beta.flat()];
}

/** Linear predictor of each group for a feature vector (centred inside). */
export function groupIndex(c: Coefficients, x: readonly number[]): number[] {
  return GROUPS.map((_, g) => c.beta[g]!.reduce((s, b, f) => s + b * (x[f]! - c.center[f]!), 0));
}

/**
 * The kernel of one actor: P(option | stimulus class) for each class, from its feature vector. An actor
 * without nuclear weapons never chooses a nuclear alert.
 */
export function kernel(c: Coefficients, x: readonly number[]): number[][] {
  const gi = groupIndex(c, x);
  const nuclear = x[FEATURES.findIndex((f) => f.id === 'own-nuclear')]! > 0;
  return STIMULI.map((_, s) => {
    const u = OPTIONS.map((o, k) => {
      if (k === NUCLEAR_OPTION && !nuclear) return Number.NEGATIVE_INFINITY;
      const g = o.group === undefined ? -1 : GROUPS.indexOf(o.group);
      return c.alpha[s]![k]! + (g >= 0 ? gi[g]! : 0);
    });
    return softmax(u);
  });
}

export function softmax(u: readonly number[]): number[] {
  const m = Math.max(...u);
  const e = u.map((x) => (x === Number.NEGATIVE_INFINITY ? 0 : Math.exp(x - m)));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** Name of the library parameter holding P(option | class) for a side. */
export function kernelParam(side: 'A' | 'B', s: number, o: number): string {
  return `generic-${side.toLowerCase()}-${STIMULI[s]!.id}-${OPTIONS[o]!.id}`;
}

/** Name of the parameter holding P(nuclear use | answering war) for a side (nuclear actors only). */
export function nuclearUseParam(side: 'A' | 'B'): string {
  return `generic-${side.toLowerCase()}-war-nuclear-strike`;
}
export function warParam(side: 'A' | 'B'): string {
  return `generic-${side.toLowerCase()}-war-offensive`;
}

/** Rounds a distribution to 9 decimals so that it still sums to 1 (the largest entry takes the rest). */
export function rounded(p: readonly number[]): number[] {
  const r = p.map((x) => Math.round(x * 1e9) / 1e9);
  const big = r.indexOf(Math.max(...r));
  r[big] = Math.round((1 - r.reduce((s, x, i) => (i === big ? s : s + x), 0)) * 1e9) / 1e9;
  return r;
}

/**
 * The library parameters of a dyad: every kernel probability of both sides, and nuclear use when
 * answering war (`nuclearUse` for a side with nuclear weapons, else 0).
 */
export function dyadParams(c: Coefficients, f: DyadFeatures, nuclearUse: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const side of ['A', 'B'] as const) {
    const k = kernel(c, sideVector(f, side));
    k.forEach((row, s) => {
      rounded(row).forEach((p, o) => {
        out[kernelParam(side, s, o)] = p;
      });
    });
    const q = f.nuclear[side] ? nuclearUse : 0;
    out[nuclearUseParam(side)] = q;
    out[warParam(side)] = Math.round((1 - q) * 1e12) / 1e12;
  }
  return out;
}

/** Library parameters of the stand-off: P(an act opens a stand-off that outlasts the month), and its complement. */
export const STANDOFF_PARAM = 'generic-standoff';
export function standoffParams(q: number): Record<string, number> {
  const p = Math.round(q * 1e12) / 1e12;
  return { [STANDOFF_PARAM]: p, 'generic-settle': Math.round((1 - p) * 1e12) / 1e12 };
}
