// The route table and the authorisation layer. Every endpoint is a `RouteDef`: method, path, who may
// call it (`access`), zod schemas for its params, query and body, and a handler. `mountRoutes` puts
// authentication, CSRF, workspace roles and validation in front of every handler the same way; the
// OpenAPI document (openapi.ts) and the access tests (test/server/access.test.ts) read the same table.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { type Role, roleAtLeast, type Store, type User } from '../store/index.ts';
import { type AuthConfig, type Authenticated, authenticate } from './auth.ts';
import type { RunQueue } from './jobs.ts';
import type { TalksServices } from './talks/index.ts';

/** Who may call a route: anyone, any signed-in user, or a member of the `:ws` workspace with at least a role. */
export type Access = 'public' | 'user' | Role;

export interface Services {
  store: Store;
  jobs: RunQueue;
  auth: AuthConfig;
  /** The directory of the example scenarios loaded into new workspaces. */
  examplesDir: string;
  /** The contingency-talks room (src/server/talks/), when the server has its master key. */
  talks?: TalksServices;
}

export interface RouteContext<P, Q, B> {
  c: Context;
  params: P;
  query: Q;
  body: B;
  services: Services;
  /** The signed-in user (always set unless access is `public`). */
  auth: Authenticated | undefined;
  user: User;
  /** The caller's role in `params.ws` (workspace routes only). */
  role: Role;
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDef {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Schema of the success body, for the OpenAPI document. */
  response?: z.ZodType;
  /** Status of success (default 200), and the content type when not JSON. */
  status?: number;
  produces?: string;
  /** Other statuses this route answers with, for the documentation. */
  errors?: number[];
  handler: (ctx: RouteContext<never, never, never>) => Promise<Response> | Response;
}

const Empty = z.object({});

/** Declares a route with typed params, query and body inferred from its schemas. */
export function route<
  P extends z.ZodType = typeof Empty,
  Q extends z.ZodType = typeof Empty,
  B extends z.ZodType = typeof Empty,
>(
  def: Omit<RouteDef, 'handler' | 'params' | 'query' | 'body'> & {
    params?: P;
    query?: Q;
    body?: B;
    handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<Response> | Response;
  },
): RouteDef {
  return def as unknown as RouteDef;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export function errorResponse(c: Context, e: HttpError): Response {
  const body: { error: Record<string, unknown> } = { error: { code: e.code, message: e.message } };
  if (e.details !== undefined) Object.assign(body.error, e.details as object);
  return c.json(body, e.status as 400);
}

function validationError(where: string, issues: z.core.$ZodIssue[]): HttpError {
  const list = issues.map((i) => ({ path: i.path.map(String).join('.') || where, message: i.message }));
  const first = list[0];
  return new HttpError(
    400,
    'invalid_request',
    `invalid ${where}${first ? `: ${first.path}: ${first.message}` : ''}`,
    { issues: list },
  );
}

async function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): Promise<unknown> {
  const r = await (schema ?? Empty.loose()).safeParseAsync(value);
  if (!r.success) throw validationError(where, r.error.issues);
  return r.data;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Adds every route to `app` behind the same authentication, CSRF, role and validation checks. */
export function mountRoutes(app: Hono, routes: readonly RouteDef[], services: Services): void {
  for (const def of routes) {
    app.on(def.method.toUpperCase(), def.path, async (c) => {
      try {
        const auth = await authenticate(c, services.store, services.auth);
        if (UNSAFE.has(c.req.method)) checkOrigin(c);
        if (auth?.session.kind === 'cookie' && UNSAFE.has(c.req.method)) {
          if (c.req.header('x-csrf-token') !== auth.session.csrf)
            throw new HttpError(
              403,
              'csrf',
              'missing or wrong X-CSRF-Token header (GET /api/auth/me gives it)',
            );
        }
        if (def.access !== 'public' && !auth)
          throw new HttpError(401, 'unauthenticated', 'sign in first (POST /api/auth/login)');
        const params = (await parsePart(def.params, c.req.param(), 'path parameters')) as Record<
          string,
          unknown
        >;
        let role: Role = 'viewer';
        if (def.access !== 'public' && def.access !== 'user') {
          const ws = String(params.ws ?? '');
          const r = await services.store.roleOf(auth!.user.id, ws);
          // Not a member: the workspace might as well not exist (no hint that it does).
          if (!r) throw new HttpError(404, 'not_found', 'no such workspace');
          if (!roleAtLeast(r, def.access))
            throw new HttpError(
              403,
              'forbidden',
              `this needs the ${def.access} role in the workspace; you are ${r}`,
            );
          role = r;
        }
        const query = await parsePart(
          def.query,
          Object.fromEntries(new URL(c.req.url).searchParams),
          'query',
        );
        let body: unknown = {};
        if (def.body) {
          let raw: unknown;
          try {
            raw = await c.req.json();
          } catch {
            throw new HttpError(
              400,
              'invalid_json',
              'the request body must be JSON (Content-Type: application/json)',
            );
          }
          body = await parsePart(def.body, raw, 'body');
        }
        return await def.handler({
          c,
          params: params as never,
          query: query as never,
          body: body as never,
          services,
          auth,
          user: auth?.user as User,
          role,
        });
      } catch (e) {
        if (e instanceof HttpError) return errorResponse(c, e);
        console.error(`brink serve: ${c.req.method} ${c.req.path}:`, e);
        return errorResponse(c, new HttpError(500, 'internal', 'internal error (logged on the server)'));
      }
    });
  }
}

/** Rejects cross-site writes: a browser's Origin header must name this host. */
function checkOrigin(c: Context): void {
  const origin = c.req.header('origin');
  if (!origin) return;
  const host = c.req.header('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'csrf', 'bad Origin header');
  }
  if (host && originHost !== host)
    throw new HttpError(403, 'csrf', `cross-site request from ${origin} refused`);
}
