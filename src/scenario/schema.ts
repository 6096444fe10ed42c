// The scenario language (format v2; v1 files read as v2 with v1 defaults): the single source of truth for types, validation, the JSON Schema
// (`brink schema`) and the reference tables in docs/scenario-language.md.
import { z } from 'zod';

export const FORMAT_VERSION = 2;
/** Format versions this Brink reads (v1 files run with v1 defaults; `brink fmt --upgrade` rewrites them). */
export const FORMAT_VERSIONS = [1, 2] as const;

// ---------------------------------------------------------------------------------------------
// Names and references

/** Actor ids: `US`, `DPRK`, `EU`, `JPN`. */
export const ActorId = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*$/,
    'an actor id is letters, digits and _ and starts with a letter (e.g. DPRK)',
  );
/** Ids of actions, outcomes, channels, rules, talks, interventions: lower-case kebab-case. */
export const Slug = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*$/,
    'an id starts with a lower-case letter, then letters, digits and - (e.g. bomber-flight)',
  );
/** `ACTOR.action` or `ACTOR.action/outcome`. */
export const ActionRef = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_]*\.[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)?$/,
    'an action reference is ACTOR.action or ACTOR.action/outcome (e.g. DPRK.irbm-test/casualties)',
  );
/** A response in an expectation or doctrine table: `ACTOR.action`, a bare own action id, or `wait`. */
export const ResponseRef = z
  .string()
  .regex(
    /^([A-Za-z][A-Za-z0-9_]*\.)?[a-z][a-z0-9-]*$/,
    'a response is an action id (protest), ACTOR.action (PRC.protest) or wait',
  );
/** A ladder rung, by id (`lethal-clash`) or by number (6). */
export const RungRef = z.union([Slug, z.number().int().min(0)], {
  error: 'a rung is a ladder id (e.g. lethal-clash) or its number (0-9 on the default ladder)',
});

export const DOMAINS = [
  'political',
  'air',
  'missile',
  'maritime',
  'ground',
  'cyber',
  'space',
  'nuclear',
] as const;
export const Domain = z.enum(DOMAINS);
export type DomainName = (typeof DOMAINS)[number];

// ---------------------------------------------------------------------------------------------
// Uncertain parameters: any number may be a distribution. A run uses the nominal value (`value`
// if given, else the mean); sensitivity and uncertainty analyses draw from the distribution.

const pair = z.tuple([z.number(), z.number()]);
const nominal = z.number().optional().describe('nominal value used by a plain run (default: the mean)');
const source = z.string().optional().describe('where this number comes from (a source id or a note)');

export const Distribution = z.union(
  [
    z.strictObject({ uniform: pair.describe('[low, high]'), value: nominal, source }),
    z.strictObject({
      triangular: z.tuple([z.number(), z.number(), z.number()]).describe('[low, mode, high]'),
      value: nominal,
      source,
    }),
    z.strictObject({
      beta: pair.describe('[alpha, beta] shape parameters, both > 0'),
      value: nominal,
      source,
    }),
    z.strictObject({ normal: pair.describe('[mean, standard deviation]'), value: nominal, source }),
    z.strictObject({
      lognormal: pair.describe('[mu, sigma] of the underlying normal'),
      value: nominal,
      source,
    }),
  ],
  {
    error:
      'expected a number or a distribution: {uniform: [lo, hi]}, {triangular: [lo, mode, hi]}, {beta: [a, b]}, {normal: [mean, sd]} or {lognormal: [mu, sigma]}',
  },
);
export type Distribution = z.infer<typeof Distribution>;

/** A reference to a named parameter of the document's `params` (e.g. from scenarios/lib/calibrated.yaml). */
export const ParamRef = z.strictObject({
  param: Slug.describe('the name of an entry of `params`, defined in this file or a file it extends'),
});
export type ParamRef = z.infer<typeof ParamRef>;

/** What a named parameter holds: a number or a distribution (not another reference). */
export const NamedParam = z.union([z.number(), Distribution], {
  error:
    'a named parameter is a number or a distribution: {uniform: [lo, hi]}, {triangular: [lo, mode, hi]}, {beta: [a, b]}, {normal: [mean, sd]} or {lognormal: [mu, sigma]}',
});
export type NamedParam = z.infer<typeof NamedParam>;

/** A number, a distribution over numbers, or a reference to a named parameter. */
export const Param = z.union([z.number(), Distribution, ParamRef], {
  error:
    'expected a number, a distribution ({uniform: [lo, hi]}, {triangular: [lo, mode, hi]}, {beta: [a, b]}, {normal: [mean, sd]} or {lognormal: [mu, sigma]}) or a named parameter {param: name}',
});
export type Param = z.infer<typeof Param>;

/** A probability in [0, 1], or a distribution over [0, 1] (range checks are semantic: code E_PROB_RANGE). */
export const Prob = Param.describe('a probability in [0, 1] (a number or a distribution over [0, 1])');
export const NonNeg = Param.describe('a number >= 0 (or a distribution over non-negative numbers)');

// ---------------------------------------------------------------------------------------------
// Ladder and intent types

export const Rung = z.strictObject({
  id: Slug,
  name: z.string(),
  mid: z
    .number()
    .int()
    .min(1)
    .max(5)
    .describe('Correlates of War MID hostility level (1-5) this rung maps to'),
  description: z.string().optional(),
  ends: z
    .enum(['war', 'nuclear-use'])
    .optional()
    .describe(
      'reaching this rung is the outcome war (a short war phase follows) or nuclear use (ends the run)',
    ),
  lethal: z
    .boolean()
    .optional()
    .describe('the lowest rung with deaths; misperception shares are reported from here'),
});
export type Rung = z.infer<typeof Rung>;

export const IntentType = z.strictObject({
  id: Slug,
  name: z.string().optional(),
  hostile: z
    .boolean()
    .optional()
    .describe('belief in this type is the "attack imminent" belief used for pre-emption (exactly one type)'),
});

// ---------------------------------------------------------------------------------------------
// Actors

export const Outcome = z.strictObject({
  p: Prob.describe('probability of this outcome; the outcomes of an action sum to 1'),
  name: z.string().optional(),
  rung: RungRef.optional().describe('rung of what actually happened (default: the action rung)'),
  casualties: z
    .array(ActorId)
    .optional()
    .describe(
      'actors whose nationals are killed (e.g. debris of a failed test falls on a Japanese fishing boat)',
    ),
});

export const Message = z.strictObject({
  to: ActorId,
  kind: z
    .enum(['reassure', 'clarify', 'warn'])
    .describe(
      'reassure/clarify: the receiver lowers its belief that `about` is hostile by the channel credibility; warn: it expects `response` after `on`',
    ),
  about: ActorId.optional().describe('whose intent the message speaks to (default: the sender)'),
  via: z.array(Slug).min(1).describe('channels to try, in order'),
  on: ActionRef.optional().describe('warn: the act the warning is about'),
  response: ResponseRef.optional().describe('warn: the response threatened'),
});

export const Action = z.strictObject({
  name: z.string().optional(),
  rung: RungRef,
  domain: Domain,
  visibility: z
    .enum(['public', 'private'])
    .default('private')
    .describe('public acts are seen by every actor; private ones only through its ISR'),
  signature: NonNeg.optional().describe(
    'detectability multiplier on the observer detection probability (default 1)',
  ),
  target: ActorId.optional(),
  value: z
    .number()
    .optional()
    .describe('what the actor gains by the act, in its own utility units (default 0)'),
  cost: z.number().optional().describe('what the act costs the actor, in its own utility units (default 0)'),
  intent: z
    .record(Slug, z.number().min(0))
    .optional()
    .describe(
      'relative likelihood of this act under each intent type of the actor; observers update their beliefs with it (default: uninformative)',
    ),
  outcomes: z
    .record(Slug, Outcome)
    .optional()
    .describe('stochastic outcomes; default one outcome at the action rung'),
  readiness: z
    .number()
    .int()
    .min(0)
    .max(4)
    .optional()
    .describe('raises the actor readiness to at least this level'),
  standDown: z.boolean().optional().describe('returns the actor readiness to its baseline'),
  preemptive: z
    .boolean()
    .optional()
    .describe('a first strike: valued by the pre-emption rule (domain model section 6.2)'),
  message: Message.optional(),
  cutChannel: Slug.optional().describe('closes this channel'),
  durationHours: NonNeg.optional().describe(
    'v2: how long the state this act starts lasts (an exercise): the crisis cannot end before it is over',
  ),
  policy: z
    .strictObject({
      set: z.array(Slug).optional().describe('policies put in force (kept until revoked)'),
      revoke: z.array(Slug).optional().describe('policies revoked'),
    })
    .optional()
    .describe('v2: a standing policy of the actor (e.g. Japan intercepts overflights from now on)'),
  consult: z
    .strictObject({
      ally: ActorId,
      via: Slug.describe('the channel the consultation travels over (its latency counts both ways)'),
      veto: Prob.describe('probability the ally vetoes the act'),
      hours: NonNeg.optional().describe('time the ally takes to answer (default 0)'),
    })
    .optional()
    .describe('v2: the act is executed only after consulting an ally, who may veto it'),
  substitution: z
    .strictObject({ p: Prob, to: Slug.describe('a more escalatory action of the same actor') })
    .optional()
    .describe('accidental or unauthorised substitution: with probability p the unit executes `to` instead'),
});
export type Action = z.infer<typeof Action>;

export const DomainIsr = z.strictObject({
  detect: Prob.describe(
    'probability of detecting a private act of signature 1 in this domain, at the reference ISR quality 0.5',
  ),
  sensitivity: NonNeg.optional().describe(
    "v2: this domain's d' relative to the actor's ISR quality (default 1)",
  ),
  latencyHours: NonNeg.optional().describe('reporting delay (default 0)'),
});

const fiveLevels = z
  .array(z.number().min(0))
  .length(5)
  .describe('multipliers by the observer readiness level 0..4');

export const Perception = z.strictObject({
  isr: z
    .partialRecord(Domain, DomainIsr)
    .optional()
    .describe('per domain; a domain not listed is seen perfectly (detect 1, no latency)'),
  misread: z
    .record(ActionRef, z.record(ActionRef, Prob))
    .optional()
    .describe(
      'what a detected act can be taken for: true act -> {perceived act: probability}; the rest is read correctly',
    ),
  falseAlarms: z
    .record(ActionRef, NonNeg)
    .optional()
    .describe('spontaneous false alarms: phantom act -> rate per day'),
  readiness: z
    .strictObject({
      detect: fiveLevels.optional(),
      misread: fiveLevels.optional(),
      falseAlarms: fiveLevels.optional(),
    })
    .optional()
    .describe(
      'how the observer readiness shifts detection, misreading and false alarms (multipliers at the reference quality, compiled into criterion shifts)',
    ),
  fear: NonNeg.optional().describe(
    'v2: criterion shift in standard deviations per unit of belief that the actor is hostile above the prior (fear lowers the bar for reading an act as an attack; default 0)',
  ),
  disbelief: Prob.optional().describe(
    'v2: probability of disbelieving a reassuring act or message at the reference quality and no fear (default 0)',
  ),
  review: z
    .strictObject({
      afterHours: NonNeg.describe('time until investigation or allied intelligence reports'),
      p: Prob.describe('probability that it corrects a wrong reading'),
    })
    .optional()
    .describe('v2: later evidence revises a wrong reading (attribution as a belief)'),
});

export const Bias = z.strictObject({
  forgettingPerDay: Prob.optional().describe('omega: share of the way back to the prior per day (default 0)'),
  confirm: NonNeg.optional().describe(
    'kappa+: evidence weight when it favours the current most likely type (default 1)',
  ),
  disconfirm: NonNeg.optional().describe('kappa-: evidence weight when it disfavours it (default 1)'),
  hostility: Prob.optional().describe(
    'prior of the hostile type for actors with no declared intent prior (default 0.05)',
  ),
});

export const Beliefs = z.strictObject({
  intent: z
    .record(ActorId, z.record(Slug, Prob))
    .optional()
    .describe('prior over each other actor intent type'),
  expects: z
    .record(ActorId, z.record(ActionRef, z.record(ResponseRef, Prob)))
    .optional()
    .describe(
      'what the actor believes another would do after an act: other actor -> {act: {response: probability}}; not declared = the truth',
    ),
  bias: Bias.optional(),
});

export const Decision = z.strictObject({
  rationality: NonNeg.optional().describe(
    'lambda of the logit choice (0 = uniform, large = best reply); default 1',
  ),
  rationalityByReadiness: fiveLevels.optional().describe('multiplies lambda: stress lowers it'),
  harm: z
    .record(z.string(), z.number())
    .optional()
    .describe('cost to this actor of the crisis reaching each rung (by rung id); default: a doubling scale'),
  values: z
    .record(ActionRef, z.number())
    .optional()
    .describe(
      'value of another actor act to this actor, replacing minus its rung harm (e.g. an ally support)',
    ),
  lookahead: z
    .union([z.literal(1), z.literal(2)])
    .optional()
    .describe('reply depth of the expected-utility look-ahead'),
  urgency: Prob.optional().describe(
    'v2: decision windows shrink under threat: decision time x (1 - urgency x belief that an adversary is hostile) (default 0)',
  ),
  reconsiderBelow: Prob.optional().describe(
    'v2: when a correction or message takes the hostile belief below this, pending escalatory acts are held and the actor decides again (default 0.5)',
  ),
  preemption: z
    .strictObject({
      against: z.array(ActorId).min(1),
      survivability: Prob.describe('sigma: share of forces and leadership that survives a first strike'),
      firstStrikeLoss: z.number().min(0).describe('L: loss from being struck first, in utility units'),
    })
    .optional(),
});

export const Condition = z.union(
  [
    z.strictObject({
      belief: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*:[a-z][a-z0-9-]*$/, 'belief is ACTOR:type'),
      above: z.number().optional(),
      below: z.number().optional(),
    }),
    z.strictObject({
      expects: ActionRef,
      on: ActionRef,
      above: z.number().optional(),
      below: z.number().optional(),
    }),
    z.strictObject({
      readiness: z.literal('self'),
      above: z.number().optional(),
      below: z.number().optional(),
    }),
    z.strictObject({ type: Slug.describe('the actor own (true) intent type') }),
    z.strictObject({
      policy: Slug.describe("v2: one of the actor's own standing policies"),
      active: z.boolean().optional().describe('in force (default true) or not'),
    }),
    z.strictObject({
      notified: z.boolean().describe('v2: the stimulus came with a delivered advance notice (or not)'),
    }),
  ],
  {
    error:
      'a condition is {belief: ACTOR:type, above/below}, {expects: ACTOR.act, on: ACTOR.act, above/below}, {readiness: self, above/below}, {type: id}, {policy: name, active} or {notified: true|false}',
  },
);

export const Stimulus = z.union([
  ActionRef,
  z.array(ActionRef).min(1),
  z.strictObject({
    from: z.union([ActorId, z.array(ActorId).min(1)]).optional(),
    rungAtLeast: RungRef.optional(),
    domain: Domain.optional(),
  }),
]);

export const Rule = z.strictObject({
  name: z.string().optional(),
  on: Stimulus.describe('what the actor perceives: an act, a list of acts, or {from, rungAtLeast, domain}'),
  if: z.array(Condition).optional().describe('all must hold, on the actor beliefs and state'),
  respond: z
    .record(ResponseRef, Prob)
    .optional()
    .describe('a fixed response distribution (sums to 1; `wait` = do nothing)'),
  choose: z
    .array(ResponseRef)
    .min(1)
    .optional()
    .describe('candidate responses, chosen by logit over expected utility (beliefs about replies included)'),
  values: z
    .record(ResponseRef, z.number())
    .optional()
    .describe(
      'choose: extra value of a candidate in this situation (e.g. the reputational value of retaliating)',
    ),
  requires: z
    .array(Slug)
    .optional()
    .describe('talks that must be holding for this rule to apply (a protocol)'),
  also: z
    .boolean()
    .optional()
    .describe(
      'an additional response (e.g. a protocol message): drawn whenever it applies, besides the first matching rule',
    ),
  decisionHours: NonNeg.optional().describe(
    "v2: decision time of this rule (pre-delegated authority: 0; a leadership meeting: hours); default the actor's",
  ),
});

export const Actor = z.strictObject({
  name: z.string(),
  kind: z.enum(['state', 'host', 'organization']).default('state'),
  type: z
    .union([Slug, z.record(Slug, Prob)])
    .optional()
    .describe('true intent type, or a distribution drawn once per run (default: the first type)'),
  readiness: z.number().int().min(0).max(4).default(0).describe('baseline readiness 0..4'),
  calmHours: NonNeg.optional().describe(
    'readiness steps down one level after this long without an alarm (default 48)',
  ),
  decisionHours: NonNeg.optional().describe('time from perceiving to acting (default 1 tick)'),
  actions: z.record(Slug, Action).default({}),
  perception: Perception.optional(),
  beliefs: Beliefs.optional(),
  decision: Decision.optional(),
  doctrine: z.record(Slug, Rule).default({}).describe('rules tried in order; the first that matches decides'),
});
export type Actor = z.infer<typeof Actor>;

// ---------------------------------------------------------------------------------------------
// Channels, notification regimes, talks

export const BeliefEffect = z.union(
  [
    z.strictObject({
      belief: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*:[a-z][a-z0-9-]*$/, 'belief is ACTOR:type'),
      lr: NonNeg,
    }),
    z.strictObject({ expects: ActionRef.describe('a response ACTOR.act'), lr: NonNeg }),
    z.strictObject({
      credibility: Slug.describe('a channel whose credibility the leak costs (for the rest of the run)'),
      factor: NonNeg.describe('multiplier on the channel credibility'),
    }),
  ],
  {
    error:
      'a belief effect is {belief: ACTOR:type, lr: n}, {expects: ACTOR.act, lr: n} or {credibility: CHANNEL, factor: n}',
  },
);

export const Leak = z.strictObject({
  p: Prob,
  effects: z.array(BeliefEffect).default([]),
});

export const Channel = z.strictObject({
  name: z.string().optional(),
  between: z.tuple([ActorId, ActorId]),
  kind: z.enum(['hotline', 'military', 'diplomatic', 'relay', 'venue']),
  exists: z.boolean().default(true),
  availability: Prob.optional().describe('technical availability per message (default 1)'),
  acceptance: z
    .union([Prob, z.record(ActorId, Prob)])
    .optional()
    .describe('probability the receiving leadership takes the message (per receiver possible; default 1)'),
  latencyHours: NonNeg.optional().describe('delivery delay (default 0)'),
  credibility: NonNeg.optional().describe(
    'likelihood ratio a reassurance through this channel carries (1 = cheap talk)',
  ),
  leak: z
    .record(ActorId, Leak)
    .optional()
    .describe('per message, probability that a named actor learns of it'),
  requires: z.array(Slug).optional().describe('talks that must be holding for the channel to exist'),
});

export const Notification = z.strictObject({
  by: ActorId,
  actions: z.array(ActionRef).min(1),
  to: z.array(ActorId).min(1),
  compliance: Prob.describe('probability the notifier gives notice of a covered act'),
  delivery: Prob.optional().describe('probability the notice reaches the operators who need it (default 1)'),
  misread: NonNeg.optional().describe('multiplier on misreading a notified act (default 0.1)'),
  evidence: NonNeg.optional().describe('multiplier on the evidence weight of a notified act (default 0.2)'),
  unannounced: NonNeg.optional().describe(
    'multiplier on misreading a covered act that came without notice (default 1)',
  ),
  requires: z.array(Slug).optional(),
});

/** A party's decision to take part in talks (decision 0017): a logit on the value of taking part. */
export const Participation = z.strictObject({
  value: Param.describe('value to the party of holding the talks (in its harm units)'),
  exposure: NonNeg.optional().describe(
    'cost of being seen to plan with the other side (China: legitimising regime change), times 1 - the venue discretion (default 0)',
  ),
  leakCost: NonNeg.optional().describe(
    'cost if the talks leak, times the probability they leak over their rounds (default 0)',
  ),
  beliefs: z
    .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*:[a-z][a-z0-9-]*$/, 'a key is ACTOR:type'), Param)
    .optional()
    .describe('value per unit of the party belief ACTOR:type at the start of the run (signed)'),
  byType: z
    .record(Slug, Param)
    .optional()
    .describe('extra value when the party own intent type this run is the key (the faction that prevails)'),
  rationality: NonNeg.optional().describe('logit sharpness (default: the party decision.rationality)'),
});

export const Venue = z.strictObject({
  discretion: Prob.optional().describe(
    'how little taking part exposes a party: 0 as public as bilateral talks, 1 invisible (default 0)',
  ),
  convening: Prob.optional().describe(
    'probability each scheduled round is convened; a round not convened ends the talks (default 1)',
  ),
});

export const Talks = z.strictObject({
  name: z.string().optional(),
  parties: z.array(ActorId).min(2),
  host: ActorId.optional(),
  rounds: z.number().int().min(0).describe('rounds held before the crisis'),
  convergence: Prob.describe('eta: share of the remaining gap to the truth closed per round'),
  aligns: z
    .array(z.enum(['expects', 'intent']))
    .default(['expects', 'intent'])
    .describe('which beliefs of the parties about each other move toward the truth'),
  leak: z
    .record(ActorId, Leak)
    .optional()
    .describe('per round, probability that a named actor learns of the talks'),
  continueAfterLeak: Prob.optional().describe('probability the talks survive a leak (default 0)'),
  venue: Venue.optional().describe('properties of the venue (host) that parties weigh'),
  participation: z
    .record(ActorId, Participation)
    .optional()
    .describe('parties that decide whether to take part (the others always do)'),
});

// ---------------------------------------------------------------------------------------------
// Trigger types (International Crisis Behavior `break`, codes 1-9), for base-rate comparisons

export const TRIGGER_TYPES = [
  'verbal',
  'political',
  'economic',
  'external-change',
  'other-non-violent',
  'internal-challenge',
  'non-violent-military',
  'indirect-violent',
  'violent',
] as const;
export type TriggerTypeName = (typeof TRIGGER_TYPES)[number];

/**
 * What is known at the trigger about the two sides, for the generic crisis library
 * (scenarios/lib/generic-actors.yaml, actors A and B): its kernels are fitted functions of these.
 */
export const Features = z.strictObject({
  nuclear: z.array(ActorId).optional().describe('actors that have nuclear weapons'),
  greatPowers: z.array(ActorId).optional().describe('actors that are great powers'),
  alliedToGreatPower: z.array(ActorId).optional().describe('actors allied to a great power'),
  stronger: ActorId.optional().describe('the actor that is clearly the stronger (leave out when neither is)'),
  protracted: z.boolean().optional().describe('the crisis is part of a protracted conflict'),
  threat: z
    .enum(['grave', 'territorial', 'other'])
    .optional()
    .describe('what the target sees at stake: grave (existence, grave damage), territorial, other'),
  nonStateTrigger: z
    .boolean()
    .optional()
    .describe('the triggering act came from a non-state actor or from inside'),
});
export type Features = z.infer<typeof Features>;

// ---------------------------------------------------------------------------------------------
// Hazards, injects, interventions

export const Hazard = z.strictObject({
  name: z.string().optional(),
  action: ActionRef.describe('the act that happens (its actor executes it)'),
  ratePerDay: NonNeg,
  fromHours: z.number().min(0).optional(),
  untilHours: z.number().min(0).optional(),
  activity: z
    .boolean()
    .optional()
    .describe(
      'v2: scheduled crisis activity (patrols, a test campaign) that keeps the crisis open until `untilHours` (default: true when untilHours is set)',
    ),
});

export const Inject = z.strictObject({
  name: z.string().optional(),
  atHours: z.number().min(0),
  action: ActionRef.describe('ACTOR.action, or ACTOR.action/outcome to force the outcome'),
});

export const Intervention = z.strictObject({
  title: z.string(),
  description: z.string().optional(),
  sources: z.array(z.string()).optional(),
  patch: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'a JSON merge patch (RFC 7396) applied to the scenario: maps merge, other values replace, null deletes',
    ),
  set: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('dotted paths to existing values and their new values'),
});

export const WarPhase = z.strictObject({
  name: z.string().optional(),
  action: ActionRef.describe('the operations act of this phase, repeated (others perceive and answer it)'),
  everyHours: z.number().positive().describe('time between operations pulses'),
  meanHours: NonNeg.optional().describe('mean duration before the next phase (the last phase lasts)'),
  ceasefirePerDay: NonNeg.describe('ceasefire hazard during this phase'),
});

export const War = z.strictObject({
  phases: z
    .record(Slug, WarPhase)
    .describe('phases in order (e.g. conventional operations, then operations against command and control)'),
});

/** The analyst's ISR knob of one actor. */
export const IsrQuality = z.strictObject({
  quality: Prob.describe(
    "0 blind, 1 perfect: sets the sensitivity d' of every sensor of the actor (0.5 is the reference the detect, misread and false-alarm numbers are stated at)",
  ),
});

export const Source = z.strictObject({
  citation: z.string(),
  url: z.string().optional(),
  licence: z.string().optional(),
  note: z.string().optional(),
});

export const Time = z.strictObject({
  tickHours: z.number().positive().default(1),
  horizonDays: z.number().positive().default(30),
  warPhaseHours: z
    .number()
    .min(0)
    .default(72)
    .describe('without `war` phases: how long a run continues after war starts'),
  resolveQuietHours: z
    .number()
    .positive()
    .default(72)
    .describe(
      'resolved after this long with no act at or above `quietRung`, every readiness at baseline (v1: within one level), no scheduled activity left and nothing pending',
    ),
  quietRung: RungRef.default('display'),
  readinessSlack: z
    .number()
    .int()
    .min(0)
    .max(4)
    .optional()
    .describe('readiness levels above baseline a resolved crisis may keep (default: 0; 1 in v1 files)'),
});

// ---------------------------------------------------------------------------------------------
// The document

export const Scenario = z.strictObject({
  version: z.union([z.literal(1), z.literal(2)], {
    error: 'version must be 1 or 2 (this Brink reads scenario formats v1 and v2)',
  }),
  kind: z
    .enum(['scenario', 'library'])
    .default('scenario')
    .describe('a library holds shared parts to extend'),
  id: Slug,
  title: z.string(),
  description: z.string().optional(),
  extends: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .describe('files merged under this one, in order'),
  sources: z.record(Slug, Source).optional(),
  trigger: z
    .enum(TRIGGER_TYPES)
    .optional()
    .describe(
      'what kind of act opens the crisis, in the International Crisis Behavior classification; the run report compares the baseline with ICB base rates for it (default: inferred from the first inject)',
    ),
  features: Features.optional().describe(
    'what is known at the trigger about actors A and B of the generic crisis library (nuclear weapons, great powers, alliances, the stronger side, a protracted conflict, the threat): their kernels are computed from these',
  ),
  params: z
    .record(Slug, NamedParam)
    .optional()
    .describe(
      'named parameters: numbers or distributions that any number field can use as {param: name} (scenarios/lib/calibrated.yaml holds the ones fitted to data)',
    ),
  time: Time.default({
    tickHours: 1,
    horizonDays: 30,
    warPhaseHours: 72,
    resolveQuietHours: 72,
    quietRung: 'display',
  }),
  ladder: z
    .union([z.literal('default'), z.array(Rung).min(2)])
    .default('default')
    .describe('the escalation ladder; `default` is Brink 0-9 ladder'),
  intentTypes: z
    .array(IntentType)
    .min(2)
    .optional()
    .describe('default: defensive, coercive, attack-preparing'),
  actors: z.record(ActorId, Actor),
  channels: z.record(Slug, Channel).default({}),
  notifications: z.record(Slug, Notification).default({}),
  talks: z.record(Slug, Talks).default({}),
  hazards: z.record(Slug, Hazard).default({}),
  injects: z.record(Slug, Inject).default({}),
  isr: z
    .record(ActorId, IsrQuality)
    .optional()
    .describe('v2: ISR quality per actor, the analyst parameter `isr.ACTOR.quality` (default 0.5)'),
  war: War.optional().describe('v2: war as phases of operations with a ceasefire hazard'),
  interventions: z.record(Slug, Intervention).default({}),
});
export type ScenarioInput = z.input<typeof Scenario>;
export type Scenario = z.output<typeof Scenario>;

/** Brink's default ladder (domain model section 2.5). */
export const DEFAULT_LADDER: Rung[] = [
  { id: 'routine', name: 'Routine', mid: 1, description: 'peacetime competition' },
  { id: 'incident', name: 'Incident / alarm', mid: 1, description: 'accident, near-miss, false warning' },
  {
    id: 'coercion',
    name: 'Coercive words',
    mid: 2,
    description: 'protests, threats, sanctions, cutting contacts',
  },
  {
    id: 'display',
    name: 'Display of force',
    mid: 3,
    description: 'exercises, deployments, tests, overflights',
  },
  { id: 'alert', name: 'Alert / mobilisation', mid: 3, description: 'force-wide alert, reserves mobilised' },
  {
    id: 'nonlethal-force',
    name: 'Non-lethal force',
    mid: 4,
    description: 'seizure, blockade, fire without deaths, missile interception',
  },
  {
    id: 'lethal-clash',
    name: 'Lethal limited clash',
    mid: 4,
    description: 'deaths (1-999), contained; includes accidental lethal strikes',
    lethal: true,
  },
  {
    id: 'nuclear-brink',
    name: 'Nuclear brink',
    mid: 3,
    description: 'nuclear forces readied against the adversary',
  },
  {
    id: 'war',
    name: 'War',
    mid: 5,
    description: 'sustained hostilities, about 1,000 battle deaths or more',
    ends: 'war',
  },
  {
    id: 'nuclear-use',
    name: 'Nuclear use',
    mid: 5,
    description: 'a nuclear detonation in anger',
    ends: 'nuclear-use',
  },
];

export const DEFAULT_INTENT_TYPES = [
  { id: 'defensive', name: 'Defensive (status quo)' },
  { id: 'coercive', name: 'Coercive probe' },
  { id: 'attack-preparing', name: 'Preparing an attack', hostile: true },
];

/** JSON Schema of the scenario format, for editor completion. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://brink.dev/schema/scenario-v2.json',
    title: 'Brink scenario (format v2; reads v1)',
  };
}
