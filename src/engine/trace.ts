// The record of one run: what happened, what each actor perceived, believed and chose, and the chance
// behind each step. Ids are resolved to names so a trace reads on its own.

export type TraceRecord =
  | {
      t: number;
      kind: 'talks';
      talks: string;
      round: number;
      understanding: number;
      leakedTo: string[];
      broken: boolean;
      /** Round 0: each deciding party's probability of taking part, and who declined. */
      participation?: Record<string, number>;
      declined?: string[];
      /** false: the round was not convened (the talks end there). */
      convened?: boolean;
    }
  | {
      t: number;
      kind: 'event';
      event: number;
      act: string;
      rung: string;
      cause: string;
      outcome: { options: { id: string; p: number }[]; chosen: string; forced: boolean } | null;
      substitutedFor?: string;
      misperceptionInChain: boolean;
    }
  | {
      t: number;
      kind: 'perceive';
      observer: string;
      event: number;
      act: string;
      perceived: string;
      detectP: number;
      misreadP: number;
      notified: boolean;
      arrives: number;
      /** A reassuring act seen but not believed. */
      disbelieved?: boolean;
    }
  | {
      t: number;
      kind: 'miss';
      observer: string;
      event: number;
      act: string;
      detectP: number;
      beliefDelta: number;
    }
  | { t: number; kind: 'false-alarm'; observer: string; perceived: string; arrives: number }
  | {
      t: number;
      kind: 'belief';
      observer: string;
      about: string;
      reason: string;
      before: number[];
      after: number[];
    }
  | {
      t: number;
      kind: 'decide';
      actor: string;
      stimulus: string;
      rule: string;
      options: { act: string; p: number }[];
      chosen: string;
      /** Hours until the chosen act is carried out (decision windows shrink under threat). */
      delayHours?: number;
    }
  | {
      t: number;
      kind: 'message';
      from: string;
      to: string;
      channel: string;
      status: 'sent' | 'unavailable' | 'no-channel' | 'refused' | 'delivered' | 'disbelieved';
      arrives?: number;
    }
  | {
      t: number;
      kind: 'leak';
      to: string;
      source: string;
      /** A channel that lost credibility by the leak (Beijing's relay). */
      credibility?: { channel: string; from: number; to: number };
    }
  | { t: number; kind: 'readiness'; actor: string; from: number; to: number; reason: string }
  | {
      t: number;
      kind: 'notify';
      by: string;
      to: string;
      event: number;
      complied: boolean;
      delivered: boolean;
    }
  | { t: number; kind: 'types'; types: Record<string, string> }
  /** An actor re-raised a readiness it already held: a state, not a new act (nobody sees anything). */
  | { t: number; kind: 'holds'; actor: string; act: string; readiness: number }
  /** Later evidence on a reading: investigation, allied intelligence, or an explanation received. */
  | {
      t: number;
      kind: 'review';
      observer: string;
      act: string;
      perceived: string;
      corrected: boolean;
      p: number;
      by: string;
    }
  /** A pending order held (cancelled) because the picture it was given on changed. */
  | { t: number; kind: 'cancel'; actor: string; act: string; reason: string }
  | {
      t: number;
      kind: 'consult';
      actor: string;
      ally: string;
      act: string;
      status: 'asked' | 'agreed' | 'vetoed';
      answerAt: number;
    }
  | { t: number; kind: 'policy'; actor: string; policy: string; active: boolean }
  | { t: number; kind: 'war'; phase: string; event: 'begins' | 'ceasefire' }
  /** A random draw (only with RunOptions.traceDraws): site, options with base probabilities, option drawn. */
  | { t: number; kind: 'chance'; site: string; options: { id: string; p: number }[]; chosen: number }
  | { t: number; kind: 'end'; outcome: string; peak: string; reason?: string };
