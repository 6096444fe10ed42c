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
    }
  | {
      t: number;
      kind: 'message';
      from: string;
      to: string;
      channel: string;
      status: 'sent' | 'unavailable' | 'no-channel' | 'refused' | 'delivered';
      arrives?: number;
    }
  | { t: number; kind: 'leak'; to: string; source: string }
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
  | { t: number; kind: 'end'; outcome: string; peak: string };
