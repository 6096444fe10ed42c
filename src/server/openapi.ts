// The OpenAPI 3.1 document, generated from the route table (the same schemas that validate requests).
import { z } from 'zod';
import { ENGINE_VERSION } from '../engine/model.ts';
import { ErrorBody, type RouteDef } from './http.ts';

const toSchema = (s: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid request (the message says which field and why)',
  401: 'Not signed in',
  403: 'Signed in, but the role or CSRF token does not allow this',
  404: 'No such resource (or not in a workspace you belong to)',
  409: 'Conflict with the current state (e.g. a stale version)',
  422: 'The scenario does not compile',
  429: 'Too many failed attempts',
};

export function openApiDocument(routes: readonly RouteDef[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', r.params],
      ['query', r.query],
    ] as const) {
      if (!schema) continue;
      const js = toSchema(schema, 'input');
      const props = (js.properties ?? {}) as Record<string, unknown>;
      const required = new Set((js.required ?? []) as string[]);
      for (const [name, s] of Object.entries(props))
        parameters.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
    }
    const ok = String(r.status ?? 200);
    const responses: Record<string, unknown> = {
      [ok]: {
        description: 'Success',
        ...(r.response
          ? { content: { 'application/json': { schema: toSchema(r.response, 'output') } } }
          : r.produces
            ? { content: Object.fromEntries(r.produces.split(', ').map((t) => [t, {}])) }
            : {}),
      },
    };
    const errors = new Set<number>(r.errors ?? []);
    if (r.body || r.params || r.query) errors.add(400);
    if (r.access !== 'public') errors.add(401);
    if (r.access !== 'public' && r.access !== 'user') {
      errors.add(403);
      errors.add(404);
    }
    for (const e of [...errors].sort())
      responses[String(e)] = {
        description: STATUS_TEXT[e] ?? 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      };
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
      'x-brink-access': r.access,
      parameters,
      responses,
    };
    if (r.access !== 'public') op.security = [{ cookie: [] }, { bearer: [] }];
    if (r.body)
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(r.body, 'input') } },
      };
    paths[path] = { ...paths[path], [r.method]: op };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Brink workbench API',
      version: ENGINE_VERSION,
      description:
        'Scenarios, ensembles and reports. Browsers sign in with POST /api/auth/login (httpOnly cookie; send the returned csrfToken as X-CSRF-Token on writes). Scripts create a token with POST /api/auth/tokens and send `Authorization: Bearer TOKEN` (no CSRF header needed). Workspace routes need a role: viewer reads, analyst edits and runs, owner manages members.',
    },
    components: {
      securitySchemes: {
        cookie: { type: 'apiKey', in: 'cookie', name: 'brink_session' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
      schemas: { Error: toSchema(ErrorBody, 'output') },
    },
    paths,
  };
}
