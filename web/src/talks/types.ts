// What the talks API returns, as the pages use it (src/server/talks/room.ts builds these).
import type {
  Dist,
  GapRanking,
  LeakAnalysis,
  PairedDelta,
  ProtocolResults,
  ResponseOption,
  Trigger,
} from '../../../src/talks/types.ts';

export type { Dist, GapRanking, LeakAnalysis, PairedDelta, ProtocolResults, ResponseOption, Trigger };

export type TalksRole = 'host' | 'delegation' | 'observer';

export interface DialogueRef {
  id: string;
  codename: string;
  role: TalksRole;
  status: string;
  createdAt: string;
}

export interface Party {
  id: string;
  label: string;
  actor: string | null;
  kind: 'delegation' | 'observer';
}

export interface AgendaView {
  path: string;
  title: string;
  actorNames: Record<string, string>;
  triggers: Record<string, Trigger[]>;
}

export interface Overview {
  id: string;
  codename: string;
  status: string;
  role: TalksRole;
  hostLabel: string;
  me: Party | null;
  parties: Party[];
  scenarios: AgendaView[];
  playbookIssued: boolean;
  onDistribution: boolean;
  myPositions?: { version: number; submittedAt: string | null } | null;
  // host only
  settings?: { runs: number; seed: number; threshold: number };
  fullAgenda?: { path: string; triggers: Record<string, Trigger[]>; selected: Record<string, string[]> }[];
  distribution?: { distribution: string[]; extra: { name: string; role: string }[]; issuedAt: string | null };
  delegations?: (Party & {
    members: { userId: string; name: string; joinedAt: string }[];
    positions: { version: number; submittedAt: string | null; updatedAt: string } | null;
    invitations: { id: string; status: string; createdAt: string; expiresAt: string }[];
  })[];
}

export interface Positions {
  responses: Record<string, Dist>;
  expectations: Record<string, Record<string, Dist>>;
}

export interface FormScenario {
  path: string;
  title: string;
  actorNames: Record<string, string>;
  mine: Trigger[];
  others: { actor: string; label: string; triggers: Trigger[] }[];
  positions: Positions;
  prefill: Positions;
  sources: Record<string, Record<string, 'belief' | 'truth'>>;
}

export interface Form {
  delegation: Party;
  version: number;
  submittedAt: string | null;
  updatedAt: string | null;
  scenarios: FormScenario[];
}

export interface ReleaseRow {
  id: string;
  kind: 'response' | 'expectation' | 'gap';
  scenario: string;
  trigger: string;
  of?: string;
  to: string;
  createdAt: string;
}

export interface ReleasedItem {
  from: string;
  scenario: string;
  kind: 'response' | 'expectation';
  trigger: string;
  triggerLabel: string;
  of?: string;
  dist: Dist | null;
  options: { key: string; label: string }[];
}

export interface DraftMapping {
  interventions: string[];
  set: Record<string, number | string | boolean>;
}

export interface Draft {
  id: string;
  author: string;
  authorId: string;
  parties: { id: string; label: string; agreed: boolean }[];
  agreed: boolean;
  released: boolean;
  version: number;
  updatedAt: string;
  title: string;
  text: string;
  mapping: Record<string, DraftMapping>;
}

export interface InterventionList {
  path: string;
  title: string;
  interventions: { id: string; title: string; description: string }[];
}

export interface AnalysisRef {
  id: string;
  kind: 'gaps' | 'protocols';
  status: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
  published: boolean;
  createdAt: string;
  finishedAt: string | null;
  /** For a finished analysis: the latest submission of positions it used, and whether one changed since. */
  positionsAt?: string | null;
  stale?: boolean;
}

export type AnalysisResult =
  | {
      kind: 'gaps';
      settings: { runs: number; seed: number; threshold: number };
      results: GapRanking[];
      error?: string;
    }
  | {
      kind: 'protocols';
      settings: { runs: number; seed: number; threshold: number };
      drafts: { id: string; title: string }[];
      agreed: string[];
      results: ProtocolResults[];
      error?: string;
    };

export interface Analysis extends AnalysisRef {
  progress: { done: number; total: number } | null;
  result: AnalysisResult | null;
}

/** Whether an analysis still reflects the positions (stale once a delegation resubmits). */
export interface Freshness {
  positionsAt?: string | null;
  stale?: boolean;
}

export interface SharedGaps {
  analysis: ({ id: string; finishedAt: string | null } & Freshness) | null;
  scenarios: {
    scenario: string;
    base: { war: number; lethal: number };
    gaps: {
      rank: number;
      holder: string;
      of: string;
      trigger: string;
      triggerLabel: string;
      size: number;
      war: PairedDelta;
      lethal: PairedDelta;
    }[];
    /** Always null for a party: how many gaps are withheld is not told. */
    withheld: null;
  }[];
}

export interface SharedEffects {
  analysis: ({ id: string; finishedAt: string | null } & Freshness) | null;
  scenarios: {
    scenario: string;
    base: { war: number; lethal: number };
    drafts: { label: string; war: PairedDelta; lethal: PairedDelta }[];
    package: { war: PairedDelta; lethal: PairedDelta } | null;
    leak:
      | (Pick<LeakAnalysis, 'verdict' | 'breakEven' | 'points'> & { venues: { name: string; p: number }[] })
      | null;
  }[];
}

export interface AuditEntry {
  seq: number;
  at: string;
  user: string;
  role: string;
  delegationId: string | null;
  action: string;
  target: string;
  outcome: 'ok' | 'denied';
  hash: string;
}

export interface AuditLog {
  verification: { ok: true; entries: number; head: string } | { ok: false; row: number; problem: string };
  entries: AuditEntry[];
}

export interface Notification {
  id: string;
  dialogueId: string;
  subject: string;
  createdAt: string;
  read: boolean;
}
