// In-process workbench for API tests: a real store (SQLite in memory unless a URL is given), the
// example scenarios, and clients that keep their session cookie and CSRF token like a browser.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';
import type { Clock } from '../../src/exercise/clock.ts';
import { createApp } from '../../src/server/app.ts';
import type { Services } from '../../src/server/http.ts';
import { prepareServices } from '../../src/server/index.ts';
import type { PoolOptions } from '../../src/server/pool.ts';

export const EXAMPLES = fileURLToPath(new URL('../../scenarios', import.meta.url));

export interface TestServer {
  app: Hono;
  services: Services;
  close(): Promise<void>;
}

/** Stops a server's jobs, clock, pool and store, in that order. */
export async function closeServices(services: Awaited<ReturnType<typeof prepareServices>>): Promise<void> {
  await services.talks?.jobs.stop();
  services.exercises.stopClock();
  await services.exerciseJobs.stop();
  await services.jobs.stop();
  await services.pool.close();
  await services.store.close();
}

export async function testServer(
  database = ':memory:',
  setupToken?: string,
  opts: { trustProxy?: number; publicUrl?: string; pool?: PoolOptions; clock?: Clock } = {},
): Promise<TestServer> {
  const services = await prepareServices({
    database,
    examplesDir: EXAMPLES,
    setupToken,
    secureCookies: false,
    ...opts,
  });
  const app = createApp(services);
  return {
    app,
    services,
    close: () => closeServices(services),
  };
}

export interface Reply {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read replies of many shapes
  body: any;
  text: string;
  headers: Headers;
}

/** A caller: anonymous, a browser session (cookie + CSRF) or a Bearer token. */
export class Client {
  cookie: string | undefined;
  /** The trusted-device cookie a sign-in leaves (a browser keeps it across sessions). */
  device: string | undefined;
  csrf: string | undefined;
  bearer: string | undefined;
  readonly app: Hono;

  constructor(app: Hono) {
    this.app = app;
  }

  async request(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Reply> {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    const jar = [this.cookie, this.device].filter(Boolean).join('; ');
    if (jar && !('cookie' in h)) h.cookie = jar;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in h)) h['x-csrf-token'] = this.csrf;
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    const res = await this.app.request(path, {
      method,
      headers: h,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const set of res.headers.getSetCookie()) {
      const v = set.split(';')[0]!;
      if (v.startsWith('brink_session=')) this.cookie = v === 'brink_session=' ? undefined : v;
      if (v.startsWith('brink_device=')) this.device = v;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    if (parsed && typeof parsed === 'object' && 'csrfToken' in parsed)
      this.csrf = (parsed as { csrfToken: string }).csrfToken;
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  get = (path: string, headers?: Record<string, string>) => this.request('GET', path, undefined, headers);
  post = (path: string, body: unknown = {}, headers?: Record<string, string>) =>
    this.request('POST', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) =>
    this.request('PUT', path, body, headers);
  patch = (path: string, body: unknown) => this.request('PATCH', path, body);
  delete = (path: string) => this.request('DELETE', path);
}

export const PASSWORD = 'correct horse battery';

/** Creates the first account (owner of the default workspace) and returns its client and workspace id. */
export async function setupOwner(
  app: Hono,
  email = 'owner@example.org',
): Promise<{ owner: Client; ws: string }> {
  const owner = new Client(app);
  const r = await owner.post('/api/setup', { email, name: 'Olga Owner', password: PASSWORD });
  if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${r.text}`);
  return { owner, ws: r.body.workspaces[0].id as string };
}

/** An owner's invitation to a workspace with a role (addressed to `email` if given): its id and token. */
export async function invite(
  owner: Client,
  ws: string,
  role: string,
  email?: string,
): Promise<{ id: string; token: string }> {
  const r = await owner.post(`/api/workspaces/${ws}/invitations`, { role, ...(email ? { email } : {}) });
  if (r.status !== 201) throw new Error(`inviting ${email} failed: ${r.status} ${r.text}`);
  return { id: r.body.id, token: r.body.token };
}

/**
 * Adds a member with a role the way people join: the owner invites, the invitee accepts the link; an
 * email without an account creates one (password PASSWORD). Returns the member's signed-in client.
 */
export async function member(
  app: Hono,
  owner: Client,
  ws: string,
  email: string,
  role: string,
): Promise<Client> {
  const { token } = await invite(owner, ws, role, email);
  const c = new Client(app);
  let r = await c.post('/api/invitations/join', {
    token,
    email,
    password: PASSWORD,
    name: email.split('@')[0],
    create: true,
  });
  if (r.status === 409 && r.body.error.code === 'account_exists')
    r = await c.post('/api/invitations/join', { token, email, password: PASSWORD });
  if (r.status !== 200) throw new Error(`${email} joining failed: ${r.status} ${r.text}`);
  return c;
}

export async function scenarioId(c: Client, ws: string, path: string): Promise<string> {
  const r = await c.get(`/api/workspaces/${ws}/scenarios?kind=all`);
  const s = (r.body as { id: string; path: string }[]).find((x) => x.path === path);
  if (!s) throw new Error(`no ${path} in ${ws}`);
  return s.id;
}

/** A server on a SQLite file in `dir` (brink.db) with this talks master key (exercises share it). */
export async function fileServer(dir: string, masterKey: Buffer) {
  const services = await prepareServices({
    database: join(dir, 'brink.db'),
    examplesDir: EXAMPLES,
    setupToken: undefined,
    secureCookies: false,
    talks: { masterKey },
  });
  return { services, app: createApp(services) };
}
