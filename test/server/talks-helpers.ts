// A dialogue set up through the API for the talks tests: the host (an analyst of the default workspace)
// convenes on korea-intercept.yaml; US and PRC delegations and an observer join by invitation,
// creating their accounts; an outsider hosts a dialogue of its own.
import type { Hono } from 'hono';
import { Client, member, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';

export interface Room {
  srv: TestServer;
  app: Hono;
  ws: string;
  dlg: string;
  host: Client;
  us: Client;
  prc: Client;
  observer: Client;
  /** Hosts another dialogue, in which it is the only member. */
  outsider: Client;
  other: string;
  ids: { us: string; prc: string; obs: string };
  overview: Record<string, unknown>;
}

export async function ok(r: { status: number; text: string }, want = 200): Promise<void> {
  if (r.status !== want) throw new Error(`expected ${want}, got ${r.status}: ${r.text.slice(0, 300)}`);
}

/** Creates an account through an invitation and returns its signed-in client. */
export async function joinAs(
  app: Hono,
  host: Client,
  dlg: string,
  delegation: string,
  email: string,
): Promise<Client> {
  const inv = await host.post(`/api/talks/${dlg}/invitations`, { delegation });
  await ok(inv, 201);
  const c = new Client(app);
  const r = await c.post('/api/talks/join', {
    token: inv.body.token,
    email,
    password: PASSWORD,
    name: email.split('@')[0],
    create: true,
  });
  await ok(r);
  return c;
}

export async function setupRoom(opts: { runs?: number } = {}): Promise<Room> {
  const srv = await testServer();
  const { owner, ws } = await setupOwner(srv.app);
  const host = await member(srv.app, owner, ws, 'host@example.org', 'analyst');
  const conv = await host.post(`/api/workspaces/${ws}/talks`, {
    codename: 'BLUE HERON',
    hostLabel: 'EU facilitator',
    scenarios: ['korea-intercept.yaml'],
    delegations: [
      { label: 'US delegation', actor: 'US' },
      { label: 'PRC delegation', actor: 'PRC' },
      { label: 'Observer', actor: null, kind: 'observer' },
    ],
    settings: { runs: opts.runs ?? 200, maxRuns: opts.runs ?? 200, seed: 5 },
  });
  await ok(conv, 201);
  const dlg = conv.body.id as string;
  const ov = await host.get(`/api/talks/${dlg}`);
  await ok(ov);
  const del = (label: string) =>
    (ov.body.delegations as { id: string; label: string }[]).find((d) => d.label === label)!.id;
  const ids = { us: del('US delegation'), prc: del('PRC delegation'), obs: del('Observer') };
  const us = await joinAs(srv.app, host, dlg, ids.us, 'us@example.org');
  const prc = await joinAs(srv.app, host, dlg, ids.prc, 'prc@example.org');
  const observer = await joinAs(srv.app, host, dlg, ids.obs, 'observer@example.org');
  // The outsider is a member of the workspace (so it can convene) but not of BLUE HERON.
  const outsider = await member(srv.app, owner, ws, 'outsider@example.org', 'analyst');
  const oc = await outsider.post(`/api/workspaces/${ws}/talks`, {
    codename: 'GREY WREN',
    scenarios: ['korea-intercept.yaml'],
    delegations: [
      { label: 'Side A', actor: 'US' },
      { label: 'Side B', actor: 'PRC' },
    ],
  });
  await ok(oc, 201);
  return {
    srv,
    app: srv.app,
    ws,
    dlg,
    host,
    us,
    prc,
    observer,
    outsider,
    other: oc.body.id,
    ids,
    overview: ov.body,
  };
}

/** Submits a delegation's prefilled form, with changes applied by `edit`. */
export async function submitForm(
  c: Client,
  dlg: string,
  // biome-ignore lint/suspicious/noExplicitAny: the form is read from JSON
  edit: (scenarios: Record<string, any>) => void = () => {},
): Promise<void> {
  const form = await c.get(`/api/talks/${dlg}/form`);
  await ok(form);
  // biome-ignore lint/suspicious/noExplicitAny: the form is read from JSON
  const scenarios: Record<string, any> = {};
  for (const s of form.body.scenarios) scenarios[s.path] = s.positions;
  edit(scenarios);
  const r = await c.put(`/api/talks/${dlg}/positions`, {
    version: form.body.version,
    submit: true,
    scenarios,
  });
  await ok(r);
}

export async function finish(room: Room): Promise<void> {
  await room.srv.services.talks?.jobs.idle();
}

export async function waitAnalysis(room: Room, id: string) {
  await room.srv.services.talks!.jobs.idle();
  const r = await room.host.get(`/api/talks/${room.dlg}/analyses/${id}`);
  await ok(r);
  return r.body;
}
