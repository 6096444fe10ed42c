// The contingency-talks room's domain values: what an agenda, a position, a gap, a protocol draft and
// their simulated effects are. Plain JSON-serializable data: the server stores them encrypted, the web
// pages render them, the playbook prints them.

/** A response distribution: own action id (bare, e.g. `protest`) or `wait` -> probability. */
export type Dist = Record<string, number>;

/** One of the responder's possible responses, in plain words. */
export interface ResponseOption {
  /** `wait` or the responder's own action id. */
  key: string;
  label: string;
  /** Name of the ladder rung the response sits on. */
  rung: string;
}

/**
 * A trigger on the agenda: an act of another actor that the responder's doctrine answers
 * (`US.intercept` for the PRC; `DPRK.irbm-test/casualties` when only that outcome is answered).
 */
export interface Trigger {
  /** The stimulus reference: `ACTOR.action` or `ACTOR.action/outcome`. */
  id: string;
  /** The actor who answers (a delegation's actor). */
  responder: string;
  /** The actor whose act it is. */
  source: string;
  /** `ACTOR.action` (without the outcome). */
  action: string;
  outcome?: string;
  /** Plain words: "The United States: Intercept a DPRK test missile". */
  label: string;
  rung: string;
  /** What the responder can do. */
  options: ResponseOption[];
  /** How the scenario's doctrine decides: a fixed table, a choice by expected utility, or no rule. */
  doctrine: { kind: 'respond' | 'choose'; rule: string };
  /** The doctrine's response at the start of the crisis (the form's prefill). */
  prefill: Dist;
  /** Share of pilot runs in which the responder faced this trigger (how often it comes up). */
  frequency: number;
}

/** The agenda of one scenario: its triggers for each delegation actor. */
export interface ScenarioAgenda {
  path: string;
  title: string;
  /** Content hash of the scenario document the agenda was derived from. */
  hash: string;
  /** Actor id -> display name (every actor, so expectations can name them). */
  actorNames: Record<string, string>;
  /** Responder actor id -> its triggers on the agenda, most frequent first. */
  triggers: Record<string, Trigger[]>;
}

/** One delegation's declared positions on one scenario. */
export interface Positions {
  /** Trigger id -> what we would do. */
  responses: Record<string, Dist>;
  /** Other party's actor id -> trigger id (of that party) -> what we expect it to do. */
  expectations: Record<string, Record<string, Dist>>;
}

/** A delegation's actor and its positions, for one scenario. */
export interface Declared {
  actor: string;
  positions: Positions;
}

/** A paired difference alt - base of a binary outcome on common random numbers. */
export interface PairedDelta {
  base: number;
  alt: number;
  d: number;
  /** 95% interval of d (Newcombe's hybrid score interval for paired proportions). */
  ci95: [number, number];
  /** Wilson 95% intervals of the two levels (absent in results stored before they were added). */
  baseCi95?: [number, number];
  altCi95?: [number, number];
  /** Discordant runs: base only, alt only. */
  baseOnly: number;
  altOnly: number;
}

/** A share of runs with its Wilson 95% interval. */
export interface Proportion {
  p: number;
  ci95: [number, number];
}

/** The talks that host the dialogue in the model: an intervention of the scenario that adds talks. */
export interface Venue {
  /** The intervention's id (`eu-hosted-talks`). */
  intervention: string;
  title: string;
}

/** What a simulation was: enough to re-run it to the same numbers. */
export interface Manifest {
  scenario: string;
  /** Content hash of the compiled document (positions, interventions and overrides included). */
  hash: string;
  engine: string;
  /** The seed; null in a copy for a party, from whom the dialogue's seed is withheld. */
  seed: number | null;
  runs: number;
  interventions: string[];
  set: Record<string, number | string | boolean>;
  /**
   * Hash of the positions overlay (declared responses and expectations). Stored sealed; whatever leaves
   * the server carries a keyed identifier instead (TalksRoom.published), as does `hash`.
   */
  positions: string;
  /** The variant's extra change (a closed gap), in words. */
  variant?: string;
}

/** An expectation gap: what `holder` expects `of` to do on a trigger, against what `of` declared. */
export interface Gap {
  scenario: string;
  holder: string;
  of: string;
  trigger: string;
  triggerLabel: string;
  /** Total variation distance between the expectation and the declaration (0..1). */
  size: number;
  expected: Dist;
  declared: Dist;
}

/** A gap with its effect on escalation risk when closed. */
export interface RankedGap extends Gap {
  rank: number;
  /**
   * P(war or worse) and P(lethal clash or worse): gap closed (in the runs where the talks take place)
   * minus declared positions.
   */
  war: PairedDelta;
  lethal: PairedDelta;
  manifest: Manifest;
  /** Whether the interval of the effect on P(war) excludes 0 (absent in results stored before). */
  clear?: boolean;
  /** Why the effect is not clear, in words (null when it is). */
  why?: string | null;
  /** Runs per arm this gap was estimated on. */
  runs?: number;
}

export interface GapRanking {
  scenario: string;
  base: { war: number; lethal: number; manifest: Manifest };
  /** Clear effects first (largest first), then the others (each says why). */
  ranked: RankedGap[];
  /** Gaps below the size threshold, not simulated. */
  aligned: Gap[];
  threshold: number;
  /** The talks that would close the gaps and how often they take place (null: taken as held). */
  venue?: (Venue & { happened: Proportion; runs: number }) | null;
  /** The interval half-width the run counts aimed at, and the cap on runs per arm. */
  precision?: { halfWidth: number; minRuns: number; maxRuns: number };
}

/** A protocol draft's mapping onto one scenario. */
export interface DraftMapping {
  interventions: string[];
  set: Record<string, number | string | boolean>;
}

export interface ArmResult {
  label: string;
  war: PairedDelta;
  lethal: PairedDelta;
  manifest: Manifest;
  /** P(the talks take place) in this arm (absent when it holds no talks). */
  happened?: Proportion;
}

export interface LeakPoint {
  p: number;
  war: PairedDelta;
  lethal: PairedDelta;
}

export interface LeakAnalysis {
  /** Leak parameters swept (dotted paths) and their configured values: the venues' leak probabilities. */
  venues: { talks: string; name: string; to: string; path: string; p: number }[];
  points: LeakPoint[];
  /** Leak probability per round at which the package stops lowering P(war): null when it never crosses. */
  breakEven: number | null;
  verdict: 'pays-always' | 'never-pays' | 'break-even' | 'no-talks';
}

/**
 * The value of hosting: the talks hosted (with the agreed package, if any, taking effect where they take
 * place) against no talks, at the venue's own leak chance; positive `value` lowers P(war).
 */
export interface Hosting {
  venue: Venue;
  /** `package`: the talks with the agreed drafts; `talks`: the talks alone (nothing agreed yet). */
  of: 'package' | 'talks';
  happened: Proportion;
  leaked: Proportion;
  war: PairedDelta;
  lethal: PairedDelta;
  /** P(war) without talks minus with them, and its 95% interval (= -war.d). */
  value: { d: number; ci95: [number, number] };
}

export interface ProtocolResults {
  scenario: string;
  base: { war: number; lethal: number; manifest: Manifest };
  drafts: (ArmResult & { draft: string })[];
  package: ArmResult | null;
  leak: LeakAnalysis | null;
  /** Null when the scenario models no talks (every draft is then taken as held). */
  hosting?: Hosting | null;
}
