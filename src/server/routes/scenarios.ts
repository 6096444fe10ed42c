// Scenario files in a workspace: list and search, create from a template, read, save with a version
// check (409 on a stale version), delete, history, and validation with the CLI's pipeline.
import { z } from 'zod';
import type { ScenarioRecord } from '../../store/index.ts';
import { BODY_LIMITS, HttpError, route, type Services } from '../http.ts';
import {
  CreateScenarioBody,
  DiagnosticSchema,
  FilePath,
  ScenarioDetail,
  ScenarioParams,
  ScenarioSummary,
  Tag,
  WsParams,
  Yaml,
} from '../schemas.ts';
import { TEMPLATES } from '../templates.ts';
import { workspaceFiles } from '../workspace.ts';

const summary = (s: ScenarioRecord) => ({
  id: s.id,
  workspaceId: s.workspaceId,
  path: s.path,
  kind: s.kind,
  title: s.title,
  version: s.version,
  tags: s.tags,
  updatedAt: s.updatedAt,
});

const ListQuery = z.object({
  q: z.string().max(200).optional(),
  tag: Tag.optional(),
  kind: z.enum(['scenario', 'library', 'all']).default('scenario'),
});

/** A file with its diagnostics (the base scenario: `POST …/validate` also checks each intervention). */
async function detail(services: Pick<Services, 'store' | 'pool'>, s: ScenarioRecord) {
  const files = await workspaceFiles(services.store, s.workspaceId);
  const d = await services.pool.run(s.workspaceId, { op: 'detail', files, path: s.path, kind: s.kind });
  return { ...summary(s), yaml: s.yaml, diagnostics: d.diagnostics, interventions: d.interventions };
}

export const scenarioRoutes = [
  route({
    method: 'get',
    path: '/api/scenarios',
    summary:
      "Every scenario the caller can read, across their workspaces (before the first account exists: the default workspace's examples)",
    tag: 'scenarios',
    access: 'public',
    query: ListQuery,
    response: z.array(ScenarioSummary),
    errors: [401],
    handler: async ({ c, query, auth, services }) => {
      const { store } = services;
      let workspaces: string[];
      if (auth) workspaces = (await store.workspacesOf(auth.user.id)).map((w) => w.id);
      else if ((await store.countUsers()) === 0)
        workspaces = (await store.listWorkspaces()).slice(0, 1).map((w) => w.id);
      else throw new HttpError(401, 'unauthenticated', 'sign in first (POST /api/auth/login)');
      const filter = {
        ...(query.q ? { q: query.q } : {}),
        ...(query.tag ? { tag: query.tag } : {}),
        ...(query.kind !== 'all' ? { kind: query.kind } : {}),
      };
      const out = [];
      for (const ws of workspaces) out.push(...(await store.listScenarios(ws, filter)).map(summary));
      return c.json(out);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/scenarios',
    summary:
      'Scenario files of a workspace; q searches path, title and tags; kind=library|all for library files',
    tag: 'scenarios',
    access: 'viewer',
    params: WsParams,
    query: ListQuery,
    response: z.array(ScenarioSummary),
    handler: async ({ c, params, query, services }) => {
      const filter = {
        ...(query.q ? { q: query.q } : {}),
        ...(query.tag ? { tag: query.tag } : {}),
        ...(query.kind !== 'all' ? { kind: query.kind } : {}),
      };
      return c.json((await services.store.listScenarios(params.ws, filter)).map(summary));
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/files',
    summary: "The text of every file of the workspace by path (what a scenario's `extends` can read)",
    tag: 'scenarios',
    access: 'viewer',
    params: WsParams,
    response: z.record(z.string(), z.string()),
    handler: async ({ c, params, services }) => c.json(await workspaceFiles(services.store, params.ws)),
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/templates',
    summary: 'Templates a new scenario can start from',
    tag: 'scenarios',
    access: 'viewer',
    params: WsParams,
    response: z.array(z.object({ id: z.string(), title: z.string(), description: z.string() })),
    handler: ({ c }) => c.json(TEMPLATES.map(({ id, title, description }) => ({ id, title, description }))),
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/scenarios',
    summary: 'Creates a scenario file from a template or from YAML text',
    tag: 'scenarios',
    maxBody: BODY_LIMITS.scenario,
    access: 'analyst',
    params: WsParams,
    body: CreateScenarioBody,
    response: ScenarioDetail,
    status: 201,
    errors: [400, 403, 404, 409],
    handler: async ({ c, params, body, user, services }) => {
      let yaml = body.yaml;
      if (body.template !== undefined) {
        const t = TEMPLATES.find((x) => x.id === body.template);
        if (!t)
          throw new HttpError(
            400,
            'invalid_request',
            `no template '${body.template}' (templates: ${TEMPLATES.map((x) => x.id).join(', ')})`,
          );
        const id = body.path
          .replace(/^.*\//, '')
          .replace(/\.ya?ml$/, '')
          .toLowerCase()
          .replace(/[^a-z0-9-]+/g, '-');
        yaml = t.yaml(id, '../'.repeat(body.path.split('/').length - 1));
      }
      const { kind, title } = await services.pool.run(params.ws, {
        op: 'describe',
        yaml: yaml!,
        path: body.path,
      });
      const s = await services.store.createScenario({
        workspaceId: params.ws,
        path: body.path,
        kind,
        title,
        yaml: yaml!,
        tags: body.tags,
        by: user.id,
      });
      if (!s) throw new HttpError(409, 'exists', `${body.path} already exists in this workspace`);
      return c.json(await detail(services, s), 201);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/scenarios/:id',
    summary: 'A scenario file with its text, version, diagnostics and interventions',
    tag: 'scenarios',
    access: 'viewer',
    params: ScenarioParams,
    response: ScenarioDetail,
    errors: [404],
    handler: async ({ c, params, services }) => {
      const s = await services.store.getScenario(params.ws, params.id);
      if (!s) throw new HttpError(404, 'not_found', 'no such scenario');
      return c.json(await detail(services, s));
    },
  }),
  route({
    method: 'put',
    path: '/api/workspaces/:ws/scenarios/:id',
    summary:
      'Saves a scenario file (text and/or tags). `version` must be the version you edited: a stale one gets 409 with the current file',
    tag: 'scenarios',
    maxBody: BODY_LIMITS.scenario,
    access: 'analyst',
    params: ScenarioParams,
    body: z.object({
      version: z.number().int().min(1),
      yaml: Yaml.optional(),
      tags: z.array(Tag).max(20).optional(),
    }),
    response: ScenarioDetail,
    errors: [400, 403, 404, 409],
    handler: async ({ c, params, body, user, services }) => {
      const patch: { yaml?: string; title?: string; tags?: string[]; by: string } = { by: user.id };
      if (body.yaml !== undefined) {
        patch.yaml = body.yaml;
        const s = await services.store.getScenario(params.ws, params.id);
        const d = await services.pool.run(params.ws, {
          op: 'describe',
          yaml: body.yaml,
          path: s?.path ?? '',
        });
        patch.title = d.title;
      }
      if (body.tags !== undefined) patch.tags = [...new Set(body.tags)];
      const r = await services.store.updateScenario(params.ws, params.id, body.version, patch);
      if (!r.ok && r.reason === 'missing') throw new HttpError(404, 'not_found', 'no such scenario');
      if (!r.ok) {
        const cur = r.current!;
        throw new HttpError(
          409,
          'conflict',
          `someone saved this scenario since you opened it (you edited version ${body.version}, it is now version ${cur.version}); reload it and apply your change again`,
          { current: { ...summary(cur), yaml: cur.yaml, updatedBy: cur.updatedBy } },
        );
      }
      return c.json(await detail(services, r.value));
    },
  }),
  route({
    method: 'delete',
    path: '/api/workspaces/:ws/scenarios/:id',
    summary: 'Deletes a scenario file (`version` query parameter: the version you saw)',
    tag: 'scenarios',
    access: 'analyst',
    params: ScenarioParams,
    query: z.object({ version: z.coerce.number().int().min(1) }),
    status: 204,
    errors: [403, 404, 409],
    handler: async ({ c, params, query, services }) => {
      const r = await services.store.deleteScenario(params.ws, params.id, query.version);
      if (!r.ok && r.reason === 'missing') throw new HttpError(404, 'not_found', 'no such scenario');
      if (!r.ok)
        throw new HttpError(409, 'conflict', 'the scenario changed since you saw it; reload it first');
      return c.body(null, 204);
    },
  }),
  route({
    method: 'get',
    path: '/api/workspaces/:ws/scenarios/:id/versions',
    summary: 'The saved versions of a scenario file, newest first (with their text)',
    tag: 'scenarios',
    access: 'viewer',
    params: ScenarioParams,
    response: z.array(
      z.object({
        version: z.number(),
        yaml: z.string(),
        createdAt: z.string(),
        createdBy: z.string().nullable(),
      }),
    ),
    handler: async ({ c, params, services }) => {
      if (!(await services.store.getScenario(params.ws, params.id)))
        throw new HttpError(404, 'not_found', 'no such scenario');
      const vs = await services.store.scenarioVersions(params.ws, params.id);
      return c.json(
        vs.map(({ version, yaml, createdAt, createdBy }) => ({ version, yaml, createdAt, createdBy })),
      );
    },
  }),
  route({
    method: 'post',
    path: '/api/workspaces/:ws/validate',
    summary:
      "Validates a scenario text as if saved at `path` (extends read from the workspace): the CLI's diagnostics with line and column",
    tag: 'scenarios',
    access: 'viewer',
    params: WsParams,
    body: z.object({ path: FilePath, yaml: Yaml }),
    maxBody: BODY_LIMITS.scenario,
    response: z.object({ diagnostics: z.array(DiagnosticSchema), hash: z.string().nullable() }),
    handler: async ({ c, params, body, services }) => {
      const files = { ...(await workspaceFiles(services.store, params.ws)), [body.path]: body.yaml };
      const v = await services.pool.run(params.ws, { op: 'validate', files, path: body.path });
      return c.json({ diagnostics: v.diagnostics, hash: v.hash });
    },
  }),
];
