// The talks room's API contract: the request bodies the server validates and the views it returns, as
// zod schemas. The server's routes (src/server/routes/talks.ts) parse bodies with them, the room's use
// cases (src/server/talks/room.ts) are typed to return these views, and the web app's types
// (web/src/talks/types.ts) are `z.infer` of the same schemas: one definition, no copy to drift.
// Results of the analyses themselves (gap rankings, protocol results) keep their types from types.ts.
import { z } from 'zod';
import type { GapRanking, LeakAnalysis, PairedDelta, ProtocolResults, Trigger } from './types.ts';

// Requests ------------------------------------------------------------------------------------------

export const ScenarioPath = z.string().min(1).max(200);
export const TriggerId = z.string().min(1).max(200);
export const DistSchema = z.record(z.string().max(100), z.number().min(0).max(1));

/** A delegation's positions on one scenario: its responses, and what it expects of the others. */
export const PositionsSchema = z.object({
  responses: z.record(TriggerId, DistSchema),
  expectations: z.record(z.string().max(60), z.record(TriggerId, DistSchema)),
});

/** What a protocol draft does in one scenario: interventions it switches on, parameters it sets. */
export const MappingSchema = z.object({
  interventions: z.array(z.string().max(100)).max(20),
  set: z.record(z.string().max(200), z.union([z.number(), z.string().max(200), z.boolean()])).default({}),
});

export const SettingsBody = z.object({
  runs: z.number().int().min(100).max(1_000_000).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
  threshold: z.number().min(0).max(1).optional(),
  /** The most runs per arm the gap ranking may take to resolve an effect of a tenth of a point. */
  maxRuns: z.number().int().min(100).max(1_000_000).optional(),
});

export const ReleaseBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('response'),
    scenario: ScenarioPath,
    trigger: TriggerId,
    to: z.string().max(64),
  }),
  z.object({
    kind: z.literal('expectation'),
    scenario: ScenarioPath,
    of: z.string().max(60),
    trigger: TriggerId,
    to: z.string().max(64),
  }),
  z.object({ kind: z.literal('gap'), scenario: ScenarioPath, trigger: TriggerId, to: z.string().max(64) }),
]);

// Views ---------------------------------------------------------------------------------------------

const TriggerSchema = z.custom<Trigger>();
const Paired = z.custom<PairedDelta>();
const Settings = z.object({
  runs: z.number(),
  seed: z.number(),
  threshold: z.number(),
  maxRuns: z.number().optional(),
});

export const TalksRoleSchema = z.enum(['host', 'delegation', 'observer']);

export const DialogueRef = z.object({
  id: z.string(),
  codename: z.string(),
  role: TalksRoleSchema,
  status: z.string(),
  createdAt: z.string(),
});

export const Party = z.object({
  id: z.string(),
  label: z.string(),
  actor: z.string().nullable(),
  kind: z.enum(['delegation', 'observer']),
});

export const AgendaView = z.object({
  path: z.string(),
  title: z.string(),
  actorNames: z.record(z.string(), z.string()),
  triggers: z.record(z.string(), z.array(TriggerSchema)),
});

export const Overview = z.object({
  id: z.string(),
  codename: z.string(),
  status: z.string(),
  role: TalksRoleSchema,
  hostLabel: z.string(),
  me: Party.nullable(),
  parties: z.array(Party),
  scenarios: z.array(AgendaView),
  playbookIssued: z.boolean(),
  onDistribution: z.boolean(),
  /** A delegation's or observer's own positions (not the host's). */
  myPositions: z.object({ version: z.number(), submittedAt: z.string().nullable() }).nullable().optional(),
  // The host's only:
  settings: Settings.optional(),
  fullAgenda: z
    .array(
      z.object({
        path: z.string(),
        triggers: z.record(z.string(), z.array(TriggerSchema)),
        selected: z.record(z.string(), z.array(z.string())),
      }),
    )
    .optional(),
  distribution: z
    .object({
      distribution: z.array(z.string()),
      extra: z.array(z.object({ name: z.string(), role: z.string() })),
      issuedAt: z.string().nullable(),
    })
    .optional(),
  delegations: z
    .array(
      Party.extend({
        members: z.array(z.object({ userId: z.string(), name: z.string(), joinedAt: z.string() })),
        positions: z
          .object({ version: z.number(), submittedAt: z.string().nullable(), updatedAt: z.string() })
          .nullable(),
        invitations: z.array(
          z.object({ id: z.string(), status: z.string(), createdAt: z.string(), expiresAt: z.string() }),
        ),
      }),
    )
    .optional(),
});

export const FormScenario = z.object({
  path: z.string(),
  title: z.string(),
  actorNames: z.record(z.string(), z.string()),
  mine: z.array(TriggerSchema),
  others: z.array(z.object({ actor: z.string(), label: z.string(), triggers: z.array(TriggerSchema) })),
  positions: PositionsSchema,
  prefill: PositionsSchema,
  sources: z.record(z.string(), z.record(z.string(), z.enum(['belief', 'truth']))),
});

export const Form = z.object({
  delegation: Party,
  version: z.number(),
  submittedAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  scenarios: z.array(FormScenario),
});

export const ReleaseRow = z.object({
  id: z.string(),
  kind: z.enum(['response', 'expectation', 'gap']),
  scenario: z.string(),
  trigger: z.string(),
  of: z.string().optional(),
  to: z.string(),
  createdAt: z.string(),
});

export const ReleasedItem = z.object({
  from: z.string(),
  scenario: z.string(),
  kind: z.enum(['response', 'expectation']),
  trigger: z.string(),
  triggerLabel: z.string(),
  of: z.string().optional(),
  dist: DistSchema.nullable(),
  options: z.array(z.object({ key: z.string(), label: z.string() })),
});

export const DraftView = z.object({
  id: z.string(),
  author: z.string(),
  authorId: z.string(),
  parties: z.array(z.object({ id: z.string(), label: z.string(), agreed: z.boolean() })),
  agreed: z.boolean(),
  released: z.boolean(),
  version: z.number(),
  updatedAt: z.string(),
  title: z.string(),
  text: z.string(),
  mapping: z.record(z.string(), MappingSchema),
});

export const InterventionList = z.object({
  path: z.string(),
  title: z.string(),
  interventions: z.array(z.object({ id: z.string(), title: z.string(), description: z.string() })),
});

export const AnalysisStatus = z.enum(['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted']);

export const AnalysisRef = z.object({
  id: z.string(),
  kind: z.enum(['gaps', 'protocols']),
  status: AnalysisStatus,
  published: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  /** For a finished analysis: the latest submission of positions it used, and whether one changed since. */
  positionsAt: z.string().nullable().optional(),
  stale: z.boolean().optional(),
});

export const AnalysisResultView = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('gaps'),
    settings: Settings,
    results: z.array(z.custom<GapRanking>()),
    /** When each delegation submitted the positions the analysis used (delegation id -> time). */
    positionsAt: z.record(z.string(), z.string()).optional(),
    error: z.string().optional(),
  }),
  z.object({
    kind: z.literal('protocols'),
    settings: Settings,
    drafts: z.array(z.object({ id: z.string(), title: z.string() })),
    agreed: z.array(z.string()),
    results: z.array(z.custom<ProtocolResults>()),
    positionsAt: z.record(z.string(), z.string()).optional(),
    error: z.string().optional(),
  }),
]);

export const AnalysisView = AnalysisRef.extend({
  progress: z.object({ done: z.number(), total: z.number() }).nullable(),
  result: AnalysisResultView.nullable(),
});

/** Whether an analysis still reflects the positions (stale once a delegation resubmits). */
export const Freshness = z.object({
  positionsAt: z.string().nullable().optional(),
  stale: z.boolean().optional(),
});

const SharedAnalysis = Freshness.extend({ id: z.string(), finishedAt: z.string().nullable() }).nullable();
const Base = z.object({ war: z.number(), lethal: z.number() });

export const SharedGaps = z.object({
  analysis: SharedAnalysis,
  scenarios: z.array(
    z.object({
      scenario: z.string(),
      base: Base,
      gaps: z.array(
        z.object({
          rank: z.number(),
          holder: z.string(),
          of: z.string(),
          trigger: z.string(),
          triggerLabel: z.string(),
          size: z.number(),
          war: Paired,
          lethal: Paired,
          /** Whether the interval on P(war) excludes 0, and if not, why (from the gap's own numbers). */
          clear: z.boolean().optional(),
          why: z.string().nullable().optional(),
        }),
      ),
      /** Always null for a party: how many gaps are withheld is not told. */
      withheld: z.null(),
    }),
  ),
});

export const SharedEffects = z.object({
  analysis: SharedAnalysis,
  scenarios: z.array(
    z.object({
      scenario: z.string(),
      base: Base,
      drafts: z.array(z.object({ label: z.string(), war: Paired, lethal: Paired })),
      package: z.object({ war: Paired, lethal: Paired }).nullable(),
      leak: z
        .object({
          verdict: z.custom<LeakAnalysis['verdict']>(),
          breakEven: z.custom<LeakAnalysis['breakEven']>(),
          points: z.custom<LeakAnalysis['points']>(),
          venues: z.array(z.object({ name: z.string(), p: z.number() })),
        })
        .nullable(),
    }),
  ),
});

export const AuditEntry = z.object({
  seq: z.number(),
  at: z.string(),
  user: z.string(),
  userId: z.string(),
  role: z.string(),
  delegationId: z.string().nullable(),
  action: z.string(),
  target: z.string(),
  outcome: z.enum(['ok', 'denied']),
  hash: z.string(),
});

export const AuditLog = z.object({
  verification: z.union([
    z.object({ ok: z.literal(true), entries: z.number(), head: z.string() }),
    z.object({ ok: z.literal(false), row: z.number(), problem: z.string() }),
  ]),
  entries: z.array(AuditEntry),
});

export const NotificationView = z.object({
  id: z.string(),
  dialogueId: z.string(),
  subject: z.string(),
  createdAt: z.string(),
  read: z.boolean(),
});

// The same, as types (the server's use cases return these; web/src/talks/types.ts re-exports them) ----

export type TalksRole = z.infer<typeof TalksRoleSchema>;
export type Positions = z.infer<typeof PositionsSchema>;
export type DraftMapping = z.infer<typeof MappingSchema>;
export type DialogueRef = z.infer<typeof DialogueRef>;
export type Party = z.infer<typeof Party>;
export type AgendaView = z.infer<typeof AgendaView>;
export type Overview = z.infer<typeof Overview>;
export type FormScenario = z.infer<typeof FormScenario>;
export type Form = z.infer<typeof Form>;
export type ReleaseRow = z.infer<typeof ReleaseRow>;
export type ReleasedItem = z.infer<typeof ReleasedItem>;
export type Draft = z.infer<typeof DraftView>;
export type InterventionList = z.infer<typeof InterventionList>;
export type AnalysisRef = z.infer<typeof AnalysisRef>;
export type AnalysisResult = z.infer<typeof AnalysisResultView>;
export type Analysis = z.infer<typeof AnalysisView>;
export type Freshness = z.infer<typeof Freshness>;
export type SharedGaps = z.infer<typeof SharedGaps>;
export type SharedEffects = z.infer<typeof SharedEffects>;
export type AuditEntry = z.infer<typeof AuditEntry>;
export type AuditLog = z.infer<typeof AuditLog>;
export type Notification = z.infer<typeof NotificationView>;
