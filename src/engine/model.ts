// The compiled model: what the engine runs. Names are dense indices; times are ticks; every number is a
// plain value (uncertain parameters were resolved by the compiler). Built by src/scenario/compile.ts.

export const ENGINE_VERSION = '2.1.0';

export const N_READINESS = 5;

/** A doctrine rule condition, compiled. Values compare strictly: lo < value < hi. */
export type ConditionModel =
  | { kind: 'belief'; actor: number; type: number; lo: number; hi: number }
  | { kind: 'expects'; row: number; entry: number; lo: number; hi: number }
  | { kind: 'readiness'; lo: number; hi: number }
  | { kind: 'type'; type: number }
  /** The actor's own standing policy (set by an act, kept until revoked) is in force, or not. */
  | { kind: 'policy'; policy: number; active: boolean }
  /** The stimulus came with a delivered advance notice (or, with false, without one). */
  | { kind: 'notified'; notified: boolean };

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
  /** Decision time of this rule in ticks (-1: the actor's). */
  decisionTicks: number;
}

/**
 * A misreading row of an observer, for one true action: what it can be taken for. Probabilities are
 * signal-detection probits (decision 0008): P(entry k at readiness R) = Phi(z[k * 5 + R] + dir[k] * fear
 * shift), where z folds the observer's sensitivity d' (from its ISR quality) and its criterion at R.
 */
export interface MisreadRow {
  to: Int32Array;
  z: Float64Array;
  /** +1: the reading is more alarming than the truth (fear lowers the criterion); -1: less. */
  dir: Int8Array;
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
  /** ISR quality q in [0, 1] (`isr.ACTOR.quality`): d' = 2 Phi^-1((1 + q) / 2) times each domain's sensitivity. */
  quality: number;
  /** Sensitivity d' per domain. */
  dprime: Float64Array;
  /** Detection probit per domain and readiness at [d * 5 + R]: P(detect) = Phi(z + (signature - 1) d' / 2). */
  detectZ: Float64Array;
  latency: Int32Array;
  /** Spontaneous false alarms: phantom act, probit per tick by readiness at [k * 5 + R]. */
  falseAlarmAction: Int32Array;
  falseAlarmZ: Float64Array;
  /** Upper bound of each false alarm's probability per tick at each readiness, at [k * 5 + R] (thinning). */
  falseAlarmMax: Float64Array;
  /** Misreading rows, indexed by true act (stimulus: action and outcome; null: none). */
  misread: (MisreadRow | null)[];
  /** Criterion shift (SD units) per unit of hostile belief above the prior: fear lowers the bar for alarm. */
  fear: number;
  /** Probit of disbelieving a reassuring act or message, by readiness (-Infinity: never). */
  disbeliefZ: Float64Array;
  /** Investigation and allied intelligence: a wrong reading is corrected after `ticks` with probability p. */
  review: { ticks: number; p: number } | null;
  /** Whether this actor perceives action a at all (its beliefs or rules can use it), at a. */
  perceives: Uint8Array;
  /** Whether this actor's beliefs are read by anything (conditions, pre-emption, fear, urgency). */
  usesBeliefs: boolean;
  /** Decision windows shrink under threat: delay x (1 - urgency x hostile belief). */
  urgency: number;
  /** A correction or message that takes the hostile belief below this makes the actor reconsider its pending acts. */
  reconsider: number;
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
  /** Ticks the act's state lasts (an exercise): the crisis cannot end before it is over. */
  durationTicks: number;
  /** Policies the act puts in force and revokes (indices into Model.policies). */
  setsPolicy: number[];
  revokesPolicy: number[];
  /** An ally consulted before the act (a lethal strike): latency out and back, veto chance. */
  consult: { ally: number; channel: number; ticks: number; veto: number } | null;
  /** Intent likelihoods favour a non-hostile type: observers may disbelieve it. */
  reassuring: boolean;
  /** Escalation rung of a readiness act: re-raising a readiness already held is no new act. */
  holdsState: boolean;
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
  | { kind: 'expects'; responder: number; action: number; lr: number }
  /** A leak costs a channel credibility for the rest of the run (Beijing's relay after a leak of talks). */
  | { kind: 'credibility'; channel: number; factor: number };

/**
 * A party's decision to take part in talks (decision 0017): a logit on
 * U = value - exposure x (1 - discretion) - leakCost x P(the talks leak) + sum of weight x belief + byType[own type].
 */
export interface ParticipationModel {
  actor: number;
  value: number;
  exposure: number;
  leakCost: number;
  /** Terms weight x (the actor's belief that `about` is of intent `type`), at the start of the run. */
  beliefs: { about: number; type: number; weight: number }[];
  /** Extra value by the actor's own (true) intent type this run (the faction that prevails), or null. */
  byType: Float64Array | null;
  /** Logit sharpness (default: the actor's rationality). */
  lambda: number;
}

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
  /** Venue: how little taking part exposes a party (0: as public as bilateral talks; 1: invisible). */
  discretion: number;
  /** Venue: probability each scheduled round is convened (a round not convened ends the talks). */
  convening: number;
  /** Parties that decide whether to take part (the others always do). */
  participation: ParticipationModel[];
}

export interface HazardModel {
  id: string;
  action: number;
  perTick: number;
  from: number;
  until: number;
  /** Scheduled crisis activity (a bounded campaign, patrols): the crisis cannot end before `until`. */
  activity: boolean;
}

/** War as a process of its own: phases of operations, each a recurring act, and a ceasefire hazard. */
export interface WarModel {
  phases: { id: string; action: number; everyTicks: number; meanTicks: number }[];
  /** Probability of a ceasefire at each operations pulse, per phase. */
  ceasefire: number[];
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
  /** Readiness above baseline tolerated at resolution (v1 files: 1; v2: 0). */
  resolveSlack: number;
  /** War phases (null: v1 semantics, the run continues `warPhase` ticks after war starts). */
  war: WarModel | null;
  /** Standing policies by name. */
  policies: string[];
  /** Scenario format version the model was compiled from. */
  formatVersion: number;
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
  /** War phases and ceasefire. */
  war: 4,
  perActorBase: 5,
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
  /** Reviews of a reading (investigation, allied intelligence) and belief in messages. */
  review: 7,
  /** Consultation of allies before an act. */
  consult: 8,
} as const;
export const PER_ACTOR_STREAMS = 9;

/** The stream of actor i for a purpose. */
export function actorStream(i: number, purpose: number): number {
  return STREAM.perActorBase + PER_ACTOR_STREAMS * i + purpose;
}

export function streamCount(m: Model): number {
  return STREAM.perActorBase + PER_ACTOR_STREAMS * m.actors.length;
}
