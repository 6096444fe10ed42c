// Request and response schemas shared by the routes, the OpenAPI document and the web client.
import { z } from 'zod';
import {
  CompareOptionsSchema,
  EnsembleOptionsSchema,
  MAX_SENSITIVITY_RUNS,
  SensitivityOptionsSchema,
} from '../analysis/options.ts';
import { Role as RoleValues } from './roles.ts';

export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'expected an id');
export const WsParams = z.object({ ws: Id });
export const ScenarioParams = z.object({ ws: Id, id: Id });
export const RunParams = z.object({ ws: Id, run: Id });
export const MemberParams = z.object({ ws: Id, user: Id });

export const Email = z.string().trim().toLowerCase().email('expected an email address').max(200);
export const Password = z
  .string()
  .min(10, 'a password needs at least 10 characters')
  .max(200, 'a password has at most 200 characters');
export const Name = z.string().trim().min(1).max(100);
export const Role = z.enum(RoleValues);

/** Adding a member: an account by email, or a new one with a name and an initial password. */
/** An owner's invitation: a role, and the email it is addressed to (else whoever holds the link). */
export const InviteMemberBody = z.object({ role: Role, email: Email.optional() });
/** The first account (setup). */
export const SetupBody = z.object({
  email: Email,
  name: Name,
  password: Password,
  token: z.string().max(200).optional(),
});

/** A file path in a workspace: relative, `/`-separated, ending in .yaml, no `..`. */
export const FilePath = z
  .string()
  .min(6)
  .max(200)
  .regex(
    /^(?!.*\.\.)(?!\/)[A-Za-z0-9_][A-Za-z0-9_./-]*\.ya?ml$/,
    'expected a relative file name ending in .yaml (letters, digits, - _ . /), e.g. my-scenario.yaml',
  );
export const Tag = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'a tag is letters, digits, spaces, - or _');
export const Yaml = z.string().max(10 * 1024 * 1024, 'a scenario file is at most 10 MB');

/** A new scenario file: from a template or from YAML text. */
export const CreateScenarioBody = z
  .object({
    path: FilePath,
    template: z.string().max(100).optional(),
    yaml: Yaml.optional(),
    tags: z.array(Tag).max(20).default([]),
  })
  .refine((b) => (b.template === undefined) !== (b.yaml === undefined), 'give either template or yaml');
/** A new workspace. */
export const CreateWorkspaceBody = z.object({ name: Name, examples: z.boolean().default(true) });

export const User = z.object({ id: z.string(), email: z.string(), name: z.string() });
export const WorkspaceWithRole = z.object({ id: z.string(), name: z.string(), role: Role });

export const ScenarioSummary = z.object({
  id: z.string(),
  workspaceId: z.string(),
  path: z.string(),
  kind: z.enum(['scenario', 'library']),
  title: z.string(),
  version: z.number().int(),
  tags: z.array(z.string()),
  updatedAt: z.string(),
});

export const DiagnosticSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  path: z.array(z.union([z.string(), z.number()])),
  file: z.string().optional(),
  line: z.number().optional(),
  column: z.number().optional(),
  hint: z.string().optional(),
});

export const ScenarioDetail = ScenarioSummary.extend({
  yaml: z.string(),
  diagnostics: z.array(DiagnosticSchema),
  interventions: z.array(z.object({ id: z.string(), title: z.string() })),
});

/** Options of an ensemble: the schema `brink run` takes its flags from (src/analysis/options.ts). */
export const RunOptions = EnsembleOptionsSchema;

/** Options of a comparison and of a sensitivity analysis: the schemas `brink compare` and `brink sensitivity` check their flags with. */
export const CompareOptions = CompareOptionsSchema;
export const SensitivityOptions = SensitivityOptionsSchema;
export { MAX_SENSITIVITY_RUNS };

export const UncertainParam = z.object({
  path: z.string(),
  nominal: z.number(),
  distribution: z.string().nullable(),
  source: z.string().nullable(),
  citation: z.string().nullable(),
  where: z.string().nullable(),
});

export { CompareSettings, RunManifest, RunSummary, SensitivitySettings } from '../contract/runs.ts';

import { RunSummary } from '../contract/runs.ts';

export const RunDetail = RunSummary.extend({ report: z.unknown().nullable() });
