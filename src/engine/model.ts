// The compiled model: what the engine runs. Names are dense indices; times are ticks; every number is a
// plain value (uncertain parameters were resolved by the compiler). Built by src/scenario/compile.ts.

export const ENGINE_VERSION = '1.0.0';

export const N_READINESS = 5;

/** A doctrine rule condition, compiled. Values compare strictly: lo < value < hi. */
export type ConditionModel =
  | { kind: 'belief'; actor: number; type: number; lo: number; hi: number }
  | { kind: 'expects'; row: number; entry: number; lo: number; hi: number }
  | { kind: 'readiness'; lo: number; hi: number }
  | { kind: 'type'; type: number };

export interface RuleModel {
  id: string;
  /** Outcome filter for the stimulus (-1: any outcome); the action filter is in `rulesByAct`. */
  conditions: ConditionModel[];
  /** Fixed response: actions (the actor's own, or its wait action) and cumulative probabilities. */
  respond: { actions: Int32Array; cum: Float64Array } | null;
  /** Candidate responses for a logit choice. */
  choose: Int32Array | null;
  /** Extra value of each `choose` candidate in this situation (same order). */
  bonus: Float64Array | null;
  /** Talks that must be holding (any of them) for the rule to apply; empty = always. */
  requires: number[];
  /** An additional response: applies besides the first matching ordinary rule. */
  also: boolean;
}

export interface ActorModel {
  id: string;
  name: string;
  kind: string;
  /** Cumulative distribution of the true intent type, drawn once per run. */
  typeCum: Float64Array;
  readiness0: number;
  calmTicks: number;
  decisionTicks: number;
  waitAction: number;
  /** Detection probability and latency (ticks) per domain. */
  detect: Float64Array;
  latency: Int32Array;
  /** Spontaneous false alarms: phantom act and probability per tick at readiness multiplier 1. */
  falseAlarmAction: Int32Array;
  falseAlarmPerTick: Float64Array;
  /** Misreading rows, indexed by true action: perceived actions and probabilities (null: none). */
  misread: ({ to: Int32Array; p: Float64Array } | null)[];
  readinessDetect: Float64Array;
  readinessMisread: Float64Array;
  readinessFalseAlarm: Float64Array;
  /** Prior over each actor's intent type: row j at [j * nTypes]. */
  intentPrior: Float64Array;
  /** Forgetting toward the prior, per tick. */
  omega: number;
  kConfirm: number;
  kDisconfirm: number;
  lambda: number;
  lambdaByReadiness: Float64Array;
  /** Harm of each rung to this actor. */
  harm: Float64Array;
  /** Value to this actor of each act (of any actor); default minus the expected harm of its rung. */
  actValue: Float64Array;
  lookahead: 1 | 2;
  preempt: { against: number[]; sigma: number; loss: number } | null;
  rules: RuleModel[];
  /** Rules that can match a stimulus, by stimulus (act) index. */
  rulesByAct: Int32Array[];
  /** This actor's expectation values over every expectation row entry (see Model.expectRows). */
  expects: Float64Array;
}

export interface OutcomeModel {
  id: string;
  name: string;
  p: number;
  rung: number;
  casualties: number[];
  /** Global act (stimulus) index of this (action, outcome). */
  act: number;
}

export interface ActionModel {
  /** `ACTOR.action`. */
  id: string;
  name: string;
  actor: number;
  isWait: boolean;
  rung: number;
  domain: number;
  isPublic: boolean;
  signature: number;
  value: number;
  cost: number;
  /** Likelihood of the act under each intent type of its actor (null: uninformative). */
  intent: Float64Array | null;
  outcomes: OutcomeModel[];
  outcomeCum: Float64Array;
  /** Expected harm weights are computed per actor in the compiler; these are for execution. */
  readiness: number;
  standDown: boolean;
  preemptive: boolean;
  message: MessageModel | null;
  cutChannel: number;
  substitutionP: number;
  substitutionTo: number;
}

export interface MessageModel {
  to: number;
  kind: 'reassure' | 'warn';
  about: number;
  via: number[];
  /** warn: expectation row and entry that the warning is about. */
  row: number;
  entry: number;
}

export interface ChannelModel {
  id: string;
  a: number;
  b: number;
  kind: string;
  exists: boolean;
  availability: number;
  /** Acceptance by receiver (indexed by actor; only a and b matter). */
  acceptance: Float64Array;
  latency: number;
  credibility: number;
  leakTo: number[];
  leakP: number[];
  leakEffects: BeliefEffectModel[][];
  requires: number[];
}

export type BeliefEffectModel =
  | { kind: 'intent'; about: number; type: number; lr: number }
  | { kind: 'expects'; responder: number; action: number; lr: number };

export interface NotificationModel {
  id: string;
  by: number;
  /** Covered actions (bitmap by action index). */
  covers: Uint8Array;
  to: number[];
  compliance: number;
  delivery: number;
  misread: number;
  evidence: number;
  unannounced: number;
  requires: number[];
}

export interface TalksModel {
  id: string;
  parties: number[];
  rounds: number;
  convergence: number;
  alignExpects: boolean;
  alignIntent: boolean;
  leakTo: number[];
  leakP: number[];
  leakEffects: BeliefEffectModel[][];
  continueAfterLeak: number;
}

export interface HazardModel {
  id: string;
  action: number;
  perTick: number;
  from: number;
  until: number;
}

export interface InjectModel {
  id: string;
  tick: number;
  action: number;
  /** Forced outcome index, or -1 to draw it. */
  outcome: number;
}

/** An expectation row: what some observer expects `responder` to do after act `action`. */
export interface ExpectRow {
  action: number;
  responder: number;
  /** Offset into every actor's `expects` array. */
  start: number;
  /** Responder actions (including its wait action) of the entries. */
  responses: Int32Array;
  /** The truth: the responder's response distribution at the start of a run. */
  truth: Float64Array;
}

export interface Model {
  id: string;
  hash: string;
  rungIds: string[];
  rungNames: string[];
  rungMid: number[];
  warRung: number;
  nuclearRung: number;
  lethalRung: number;
  quietRung: number;
  typeIds: string[];
  hostileType: number;
  domainIds: string[];
  tickHours: number;
  horizon: number;
  warPhase: number;
  resolveQuiet: number;
  actors: ActorModel[];
  actions: ActionModel[];
  /** Act (stimulus) index -> [action, outcome]. */
  actAction: Int32Array;
  actOutcome: Int32Array;
  actIds: string[];
  channels: ChannelModel[];
  notifications: NotificationModel[];
  talks: TalksModel[];
  hazards: HazardModel[];
  injects: InjectModel[];
  expectRows: ExpectRow[];
  /** Row index by action * nActors + responder, -1 when none. */
  expectRowOf: Int32Array;
  expectSize: number;
  /** Base look-ahead values of each action for its own actor, given the base expectations. */
  baseValue: Float64Array;
  interventions: string[];
}

/** Keyed random streams of a run: one per purpose and actor, so draws of one mechanism never shift another's. */
export const STREAM = {
  types: 0,
  talks: 1,
  hazards: 2,
  injects: 3,
  perActorBase: 4,
} as const;

/** Per-actor stream purposes. */
export const PURPOSE = {
  perceive: 0,
  decide: 1,
  execute: 2,
  channel: 3,
  /** `also` rules (protocols), so adding one never shifts an actor's other choices. */
  protocol: 4,
  falseAlarm: 5,
  /** Advance notices under a notification regime (so a regime never shifts message draws). */
  notify: 6,
} as const;
export const PER_ACTOR_STREAMS = 7;

/** The stream of actor i for a purpose. */
export function actorStream(i: number, purpose: number): number {
  return STREAM.perActorBase + PER_ACTOR_STREAMS * i + purpose;
}

export function streamCount(m: Model): number {
  return STREAM.perActorBase + PER_ACTOR_STREAMS * m.actors.length;
}
