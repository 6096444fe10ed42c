// The route table and the authorisation layer. Every endpoint is a `RouteDef`: method, path, who may
// call it (`access`), zod schemas for its params, query and body, and a handler. `mountRoutes` puts
// authentication, CSRF, workspace roles and validation in front of every handler the same way; the
// OpenAPI document (openapi.ts) and the access tests (test/server/access.test.ts) read the same table.
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { DomainError, type ErrorKind } from '../errors.ts';
import { type Role, roleAtLeast, type Store, type User } from '../store/index.ts';
import { type AuthConfig, type Authenticated, authenticate } from './auth.ts';
import type { ExerciseJobs } from './exercises/jobs.ts';
import type { ExerciseRoom } from './exercises/room.ts';
import type { RunQueue } from './jobs.ts';
import type { RequestMetrics } from './metrics.ts';
import { Busy, type WorkPool } from './pool.ts';
import type { TalksServices } from './talks/index.ts';

/** Who may call a route: anyone, any signed-in user, or a member of the `:ws` workspace with at least a role. */
export type Access = 'public' | 'user' | Role;

export interface Services {
  store: Store;
  jobs: RunQueue;
  /** Worker threads for the CPU work of requests (src/server/pool.ts). */
  pool: WorkPool;
  /** Request latencies for /metrics. */
  metrics: RequestMetrics;
  /** BRINK_METRICS_TOKEN: when set, /metrics wants it as a Bearer token (else: loopback callers only). */
  metricsToken?: string | undefined;
  auth: AuthConfig;
  /** The directory of the example scenarios loaded into new workspaces. */
  examplesDir: string;
  /** The contingency-talks room (src/server/talks/), when the server has its master key. */
  talks?: TalksServices;
  /** Tabletop exercises (src/server/exercises/). */
  exercises: ExerciseRoom;
  /** The exercises' background jobs (look-ahead, review) on the server's job queue. */
  exerciseJobs: ExerciseJobs;
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
  /**
   * The largest request body this route reads, in bytes (default: BODY_LIMITS.json for a route with a
   * body schema, BODY_LIMITS.none without one). A larger body is refused with 413 before it is read.
   */
  maxBody?: number;
  handler: (ctx: RouteContext<never, never, never>) => Promise<Response> | Response;
}

const Empty = z.object({});

/** Request body limits by kind of route (bytes). docs/security.md lists them. */
export const BODY_LIMITS = {
  /** Sign-in, setup, invitations: a few fields. */
  auth: 8 * 1024,
  /** Routes without a body schema (an empty `{}` is fine). */
  none: 1024,
  /** Ordinary JSON bodies (positions, drafts, notes of up to 100,000 characters). */
  json: 1024 * 1024,
  /** Scenario files (YAML of up to 10 MB, escaped in JSON). */
  scenario: 12 * 1024 * 1024,
} as const;

/** The deepest nesting of arrays and objects a request body may have. */
export const MAX_JSON_DEPTH = 20;

export const bodyLimit = (def: Pick<RouteDef, 'maxBody' | 'body'>): number =>
  def.maxBody ?? (def.body ? BODY_LIMITS.json : BODY_LIMITS.none);

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'too_large', `the request body is larger than this route takes (${limit} bytes)`);
}

/**
 * Refuses a body whose declared length exceeds `limit` (before anything reads it). A body sent without
 * a length is counted as it streams in (readBody).
 */
export function checkDeclaredLength(c: Context, limit: number): void {
  const len = c.req.header('content-length');
  if (len === undefined) return;
  if (!/^\d{1,15}$/.test(len.trim()) || Number(len) > limit) throw tooLarge(limit);
}

/** Reads the body as text, at most `limit` bytes: past that, stops reading and answers 413. */
export async function readBody(c: Context, limit: number): Promise<string> {
  const stream = c.req.raw.body;
  if (!stream) return '';
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The nesting depth of a JSON text (arrays and objects), counted without parsing it. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92)
        i++; // backslash: skip the escaped character
      else if (ch === 34) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 || ch === 91) max = Math.max(max, ++depth);
    else if (ch === 125 || ch === 93) depth--;
  }
  return max;
}

/** Parses a JSON body read within its limit, refusing deep nesting before JSON.parse sees it. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepth(text) > MAX_JSON_DEPTH)
    throw new HttpError(
      400,
      'too_deep',
      `the request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(
      400,
      'invalid_json',
      'the request body must be JSON (Content-Type: application/json)',
    );
  }
}

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

/** A route on one resource its members reach (a talks dialogue, an exercise), as its feature declares it. */
export interface MemberRouteDef<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R, X> {
  method: Method;
  path: string;
  summary: string;
  /** The member roles it admits (the feature's access test reads them). */
  roles: readonly R[];
  params?: P;
  query?: Q;
  body?: B;
  status?: number;
  produces?: string;
  maxBody?: number;
  errors?: number[];
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>> & X) => Promise<Response> | Response;
}

/**
 * The route table entry of a member route: signed-in users only; `admit` (inside `guard`, with the
 * route's `METHOD path`) finds the caller's membership and refuses a role outside `roles`, and what it
 * returns is added to the handler's context. 403 and 404 are always among its answers.
 */
export function memberRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R, X>(
  def: MemberRouteDef<P, Q, B, R, X>,
  feature: {
    tag: string;
    params: z.ZodType;
    guard: (where: string, fn: () => Promise<Response>) => Promise<Response>;
    admit: (ctx: RouteContext<unknown, unknown, unknown>, where: string, roles: readonly R[]) => Promise<X>;
  },
): RouteDef & { memberRoles: readonly R[] } {
  const where = `${def.method.toUpperCase()} ${def.path}`;
  const r = route({
    method: def.method,
    path: def.path,
    summary: def.summary,
    tag: feature.tag,
    access: 'user',
    params: (def.params ?? feature.params) as P,
    ...(def.query ? { query: def.query } : {}),
    ...(def.body ? { body: def.body } : {}),
    ...(def.status ? { status: def.status } : {}),
    ...(def.produces ? { produces: def.produces } : {}),
    ...(def.maxBody ? { maxBody: def.maxBody } : {}),
    errors: [...new Set([403, 404, ...(def.errors ?? [])])],
    handler: (ctx) =>
      feature.guard(where, async () => {
        const extra = await feature.admit(ctx as RouteContext<unknown, unknown, unknown>, where, def.roles);
        return def.handler({ ...ctx, ...extra } as RouteContext<z.output<P>, z.output<Q>, z.output<B>> & X);
      }),
  });
  return Object.assign(r, { memberRoles: def.roles });
}

/**
 * A feature's guard around its routes: HttpError and DomainError pass, `translate` turns the feature's
 * own errors into answers, and anything else is a 500 whose log line names the feature, the route and
 * `detail` of the error only (the talks room logs the error's name, never its message).
 */
export function featureGuard(
  feature: string,
  translate: (e: unknown) => unknown,
  detail: (e: Error) => string,
): <T>(where: string, fn: () => Promise<T>) => Promise<T> {
  return async (where, fn) => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof HttpError || e instanceof DomainError) throw e;
      const answer = translate(e);
      if (answer !== undefined) throw answer;
      console.error(
        `brink serve: ${feature}: internal error in ${where} (${e instanceof Error ? detail(e) : typeof e})`,
      );
      throw new HttpError(500, 'internal', 'internal error');
    }
  };
}

/** `Exercise: Blue Harbor!` -> `exercise-blue-harbor` (a download's file name), `fallback` when empty. */
export const slug = (s: string, fallback: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || fallback;

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

/** The HTTP status of each kind of domain error: the one place use-case refusals become HTTP. */
export const STATUS_OF: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  unavailable: 503,
};

/** A use case's refusal as an HTTP error: its kind's status, its code and message, the field at fault. */
export function httpErrorOf(e: DomainError): HttpError {
  const details = e.path !== undefined ? { issues: [{ path: e.path, message: e.message }] } : undefined;
  return new HttpError(STATUS_OF[e.kind], e.code, e.message, details);
}

export function errorResponse(c: Context, e: HttpError): Response {
  const body: { error: Record<string, unknown> } = { error: { code: e.code, message: e.message } };
  if (e.details !== undefined) Object.assign(body.error, e.details as object);
  // The rest of a refused body is not read into memory: the Node adapter drains it for at most 500 ms
  // or 64 MB (so that the client can read this answer before the socket closes), then closes.
  return c.json(body, e.status as 400);
}

/** 429 with Retry-After: the worker threads' waiting room is full. */
export function busyResponse(c: Context, e: Busy): Response {
  c.header('retry-after', String(e.retryAfter));
  return errorResponse(
    c,
    new HttpError(429, 'busy', e.message, {
      retryAfter: e.retryAfter,
      queue: { scope: e.scope, waiting: e.queued, limit: e.limit },
    }),
  );
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
    const limit = bodyLimit(def);
    const handle = async (c: Context): Promise<Response> => {
      try {
        // Before anything else (and before any sign-in): a body larger than the route takes is refused.
        checkDeclaredLength(c, limit);
        const auth = await authenticate(c, services.store, services.auth);
        if (UNSAFE.has(c.req.method)) checkOrigin(c, services.auth.publicUrl);
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
        if (def.body) body = await parsePart(def.body, parseJsonBody(await readBody(c, limit)), 'body');
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
        if (e instanceof DomainError) return errorResponse(c, httpErrorOf(e));
        if (e instanceof Busy) return busyResponse(c, e);
        console.error(`brink serve: ${c.req.method} ${c.req.path}:`, e);
        return errorResponse(c, new HttpError(500, 'internal', 'internal error (logged on the server)'));
      }
    };
    app.on(def.method.toUpperCase(), def.path, async (c) => {
      const t0 = performance.now();
      const res = await handle(c);
      services.metrics.observe(def.method, def.path, res.status, (performance.now() - t0) / 1000);
      return res;
    });
  }
}

/** Rejects cross-site writes: a browser's Origin header must name this host. */
function checkOrigin(c: Context, publicUrl: URL | undefined): void {
  const origin = c.req.header('origin');
  if (!origin) return;
  const host = c.req.header('host');
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, 'csrf', 'bad Origin header');
  }
  // Behind a proxy that rewrites Host, the public URL names this server.
  if (publicUrl && originHost === publicUrl.host) return;
  if ((host || publicUrl) && originHost !== host)
    throw new HttpError(403, 'csrf', `cross-site request from ${origin} refused`);
}
