// An exercise set up through the API for the exercise tests: the facilitator (an analyst of the default
// workspace) creates an exercise of korea-intercept.yaml with three teams (blue: US, red: DPRK,
// yellow: PRC); each team joins by its single-use invitation, creating its account; an outsider is a
// member of the workspace but not of the exercise.
import type { Hono } from 'hono';
import type { Clock } from '../../src/exercise/clock.ts';
import { Client, member, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';
import { ok } from './talks-helpers.ts';

export interface Drill {
  srv: TestServer;
  app: Hono;
  ws: string;
  ex: string;
  facilitator: Client;
  blue: Client;
  red: Client;
  yellow: Client;
  outsider: Client;
}

export const TEAMS = [
  { id: 'blue', label: 'Washington', actor: 'US' },
  { id: 'red', label: 'Pyongyang', actor: 'DPRK' },
  { id: 'yellow', label: 'Beijing', actor: 'PRC' },
];

export const MSEL = [
  {
    id: '1',
    trigger: { atHours: 2 },
    synopsis: 'Kyodo: debris sighted off Hokkaido',
    to: ['US', 'PRC'],
  },
  {
    id: '2',
    trigger: { afterAct: 'US.intercept', delayHours: 2 },
    synopsis: 'KCNA: the interception is an act of war',
    to: ['DPRK'],
  },
  { id: '3', trigger: { manual: true }, synopsis: 'Seoul asks Washington for consultations', to: ['US'] },
];

/** Creates an account through a team invitation and returns its signed-in client. */
export async function joinTeam(app: Hono, facilitator: Client, ex: string, team: string, email: string) {
  const inv = await facilitator.post(`/api/exercises/${ex}/invitations`, { team });
  await ok(inv, 201);
  const c = new Client(app);
  await ok(
    await c.post('/api/exercises/join', {
      token: inv.body.token,
      email,
      password: PASSWORD,
      name: email.split('@')[0],
      create: true,
    }),
  );
  return c;
}

export async function setupDrill(
  opts: { runs?: number; seed?: number; clock?: Clock; realtime?: number } = {},
): Promise<Drill> {
  const srv = await testServer(':memory:', undefined, opts.clock ? { clock: opts.clock } : {});
  const { owner, ws } = await setupOwner(srv.app);
  const facilitator = await member(srv.app, owner, ws, 'fac@example.org', 'analyst');
  const r = await facilitator.post(`/api/workspaces/${ws}/exercises`, {
    title: 'Intercept drill',
    scenario: 'korea-intercept.yaml',
    seed: opts.seed ?? 11,
    teams: TEAMS,
    turnHours: 6,
    ...(opts.realtime ? { clock: { kind: 'realtime', multiplier: opts.realtime } } : {}),
    msel: MSEL,
    coach: { runs: opts.runs ?? 300, windowDays: 14 },
  });
  await ok(r, 201);
  const ex = r.body.id as string;
  const blue = await joinTeam(srv.app, facilitator, ex, 'blue', 'blue@example.org');
  const red = await joinTeam(srv.app, facilitator, ex, 'red', 'red@example.org');
  const yellow = await joinTeam(srv.app, facilitator, ex, 'yellow', 'yellow@example.org');
  const outsider = await member(srv.app, owner, ws, 'outsider@example.org', 'analyst');
  return { srv, app: srv.app, ws, ex, facilitator, blue, red, yellow, outsider };
}

/** Plays until nothing waits: each team takes its last option; returns the decisions taken. */
export async function settle(d: Drill, pick: (options: string[]) => string = (o) => o.at(-1)!) {
  const byTeam: Record<string, Client> = { blue: d.blue, red: d.red, yellow: d.yellow };
  const taken: { team: string; key: string; action: string }[] = [];
  for (let k = 0; k < 30; k++) {
    const v = await d.facilitator.get(`/api/exercises/${d.ex}/view`);
    await ok(v);
    const p = v.body.pending;
    if (!p) break;
    const action = pick(p.options.map((o: { act: string }) => o.act));
    await ok(await byTeam[p.team]!.post(`/api/exercises/${d.ex}/decisions`, { key: p.key, action }));
    taken.push({ team: p.team, key: p.key, action });
  }
  return taken;
}

/** Waits for the exercise's background jobs, then reads a job (with its result once done). */
export async function jobDone(d: Drill, job: { id: string }) {
  await d.srv.services.exerciseJobs.idle();
  const r = await d.facilitator.get(`/api/exercises/${d.ex}/jobs/${job.id}`);
  await ok(r);
  return r.body;
}
