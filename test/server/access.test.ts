// Authorisation through every endpoint, driven by the route table: a route added without a sample
// request here fails the first test, so no endpoint escapes these checks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ANALYSIS_KINDS } from '../../src/analyses.ts';
import { ROUTES } from '../../src/server/app.ts';
import type { RouteDef } from '../../src/server/http.ts';
import { type Role, roleAtLeast } from '../../src/store/index.ts';
import { Client, invite, member, scenarioId, setupOwner, type TestServer, testServer } from './helpers.ts';

interface Ids {
  ws: string;
  id: string;
  run: string;
  user: string;
  inv: string;
}

/** A valid request for each route (path filled from ids, query, body). */
const SAMPLES: Record<string, (ids: Ids) => { query?: string; body?: unknown }> = {
  'get /api/workspaces/:ws/members': () => ({}),
  'get /api/workspaces/:ws/invitations': () => ({}),
  'post /api/workspaces/:ws/invitations': () => ({ body: { email: 'new@example.org', role: 'owner' } }),
  'delete /api/workspaces/:ws/invitations/:inv': () => ({}),
  'post /api/workspaces/:ws/members/:user/unlock': () => ({}),
  'patch /api/workspaces/:ws/members/:user': () => ({ body: { role: 'viewer' } }),
  'delete /api/workspaces/:ws/members/:user': () => ({}),
  'get /api/workspaces/:ws/scenarios': () => ({ query: 'kind=all' }),
  'get /api/workspaces/:ws/files': () => ({}),
  'get /api/workspaces/:ws/templates': () => ({}),
  'post /api/workspaces/:ws/scenarios': () => ({ body: { path: 'intruder.yaml', template: 'two-actors' } }),
  'get /api/workspaces/:ws/scenarios/:id': () => ({}),
  'put /api/workspaces/:ws/scenarios/:id': () => ({
    body: { version: 1, yaml: 'version: 1\n# overwritten\n' },
  }),
  'delete /api/workspaces/:ws/scenarios/:id': () => ({ query: 'version=1' }),
  'get /api/workspaces/:ws/scenarios/:id/versions': () => ({}),
  'post /api/workspaces/:ws/validate': () => ({
    body: { path: 'korea-intercept.yaml', yaml: 'version: 1\nextends: lib/korea-actors.yaml\n' },
  }),
  'post /api/workspaces/:ws/runs': (ids) => ({ body: { scenarioId: ids.id, runs: 10, seed: 1 } }),
  'get /api/workspaces/:ws/runs': () => ({}),
  'get /api/workspaces/:ws/runs/:run': () => ({}),
  'get /api/workspaces/:ws/runs/:run/events': () => ({}),
  'post /api/workspaces/:ws/runs/:run/cancel': () => ({}),
  'post /api/workspaces/:ws/runs/:run/resume': () => ({}),
  'post /api/workspaces/:ws/runs/:run/rerun': () => ({}),
  'get /api/workspaces/:ws/runs/:run/trace': () => ({ query: 'index=0' }),
  'get /api/workspaces/:ws/runs/:run/report': () => ({ query: 'format=csv' }),
  'post /api/workspaces/:ws/comparisons': (ids) => ({
    body: { scenarioId: ids.id, arms: ['hotline'], runs: 10, seed: 1, traceRuns: 0 },
  }),
  'post /api/workspaces/:ws/sensitivity': (ids) => ({
    body: { scenarioId: ids.id, tornadoRuns: 2, samples: 0, bootstrap: 1 },
  }),
  'post /api/workspaces/:ws/analyses/compare': (ids) => ({
    body: { scenarioId: ids.id, arms: ['hotline'], runs: 10, seed: 1, traceRuns: 0 },
  }),
  'post /api/workspaces/:ws/analyses/sensitivity': (ids) => ({
    body: { scenarioId: ids.id, tornadoRuns: 2, samples: 0, bootstrap: 1 },
  }),
  'post /api/workspaces/:ws/analyses/sweep': (ids) => ({
    body: {
      scenarioId: ids.id,
      params: [{ path: 'talks.eu-hosted.leak.DPRK.p', lo: 0, hi: 0.2, steps: 2 }],
      runs: 10,
    },
  }),
  'post /api/workspaces/:ws/analyses/breakeven': (ids) => ({
    body: {
      scenarioId: ids.id,
      with: 'eu-hosted-talks',
      param: 'talks.eu-hosted.leak.DPRK.p',
      runs: 10,
      grid: 3,
      bisect: 0,
    },
  }),
  'post /api/workspaces/:ws/analyses/rare': (ids) => ({
    body: { scenarioId: ids.id, estimator: 'crude', runs: 100 },
  }),
  // A backtest runs on a library (a scenario's id is a 404 for its owner; the roles are checked first).
  'post /api/workspaces/:ws/analyses/backtest': (ids) => ({ body: { scenarioId: ids.id, runs: 10 } }),
  'post /api/workspaces/:ws/analyses/backtest-icb': (ids) => ({ body: { scenarioId: ids.id, runs: 10 } }),
  'get /api/workspaces/:ws/scenarios/:id/parameters': () => ({ query: 'interventions=hotline' }),
  // The talks room's own access table is test/server/talks-access.test.ts.
  'get /api/workspaces/:ws/talks/actors': () => ({ query: 'scenario=korea-intercept.yaml' }),
  'post /api/workspaces/:ws/talks': () => ({
    body: {
      codename: 'ACCESS TEST',
      scenarios: ['korea-intercept.yaml'],
      delegations: [
        { label: 'A', actor: 'US' },
        { label: 'B', actor: 'PRC' },
      ],
    },
  }),
  // The exercises' own access table is test/server/exercises-access.test.ts.
  'get /api/workspaces/:ws/exercises/actors': () => ({ query: 'scenario=korea-intercept.yaml' }),
  'post /api/workspaces/:ws/exercises': () => ({
    body: {
      title: 'Access test',
      scenario: 'korea-intercept.yaml',
      teams: [{ id: 'a', label: 'A', actor: 'US' }],
    },
  }),
};

const key = (r: RouteDef) => `${r.method} ${r.path}`;
const workspaceRoutes = ROUTES.filter((r) => r.access !== 'public' && r.access !== 'user');

async function call(c: Client, r: RouteDef, ids: Ids) {
  const sample = SAMPLES[key(r)]!(ids);
  const path =
    r.path.replace(/:(\w+)/g, (_, p: string) => ids[p as keyof Ids]) +
    (sample.query ? `?${sample.query}` : '');
  return c.request(r.method.toUpperCase(), path, sample.body);
}

describe('authorisation through every endpoint', () => {
  let srv: TestServer;
  let owner: Client;
  let a: Ids;
  let b: Ids;
  const as: Partial<Record<Role, Client>> = {};
  let outsider: Client;
  let secrets: string[];

  before(async () => {
    srv = await testServer();
    const s = await setupOwner(srv.app);
    owner = s.owner;
    as.owner = owner;
    as.analyst = await member(srv.app, owner, s.ws, 'analyst@example.org', 'analyst');
    as.viewer = await member(srv.app, owner, s.ws, 'viewer@example.org', 'viewer');
    const target = await member(srv.app, owner, s.ws, 'target@example.org', 'viewer');
    const id = await scenarioId(owner, s.ws, 'korea-intercept.yaml');
    const run = await owner.post(`/api/workspaces/${s.ws}/runs`, { scenarioId: id, runs: 20, seed: 3 });
    await srv.services.jobs.idle();
    const me = await target.get('/api/auth/me');
    const pending = await invite(owner, s.ws, 'viewer', 'someone@example.org');
    a = { ws: s.ws, id, run: run.body.id, user: me.body.user.id, inv: pending.id };
    // The outsider owns workspace B (with its own copy of the examples) and is not a member of A.
    outsider = await member(srv.app, owner, s.ws, 'outsider@example.org', 'viewer');
    const wsB = await outsider.post('/api/workspaces', { name: 'Team B' });
    await owner.delete(
      `/api/workspaces/${s.ws}/members/${(await outsider.get('/api/auth/me')).body.user.id}`,
    );
    const idB = await scenarioId(outsider, wsB.body.id, 'korea-intercept.yaml');
    const runB = await outsider.post(`/api/workspaces/${wsB.body.id}/runs`, {
      scenarioId: idB,
      runs: 20,
      seed: 3,
    });
    await srv.services.jobs.idle();
    b = {
      ws: wsB.body.id,
      id: idB,
      run: runB.body.id,
      user: (await outsider.get('/api/auth/me')).body.user.id,
      inv: (await invite(outsider, wsB.body.id, 'viewer')).id,
    };
    const fileA = await owner.get(`/api/workspaces/${a.ws}/scenarios/${a.id}`);
    secrets = [a.id, a.run, a.inv, 'someone@example.org', fileA.body.yaml.slice(0, 60)];
  });
  after(async () => {
    await srv.close();
  });

  test('every workspace route has a sample request in this suite', () => {
    const missing = workspaceRoutes.map(key).filter((k) => !SAMPLES[k]);
    assert.deepEqual(missing, []);
    assert.ok(workspaceRoutes.length >= 20);
  });

  test('every non-public route answers 401 without a session', async () => {
    for (const r of ROUTES.filter((x) => x.access !== 'public')) {
      const anon = new Client(srv.app);
      const res = SAMPLES[key(r)]
        ? await call(anon, r, a)
        : await anon.request(r.method.toUpperCase(), r.path, r.body ? {} : undefined);
      assert.equal(res.status, 401, `${key(r)} without a session`);
    }
  });

  test("a member of workspace B cannot read or change workspace A through any route (404, nothing of A's leaks)", async () => {
    for (const r of workspaceRoutes) {
      const res = await call(outsider, r, a);
      assert.equal(res.status, 404, `${key(r)} on A's workspace`);
      for (const s of secrets) assert.ok(!res.text.includes(s), `${key(r)} leaks A's data`);
    }
  });

  test("a member of workspace B cannot reach A's scenarios, runs or members through B's workspace path", async () => {
    // Routes that name a resource of A in their path or body.
    const startsJob = [
      'runs',
      'comparisons',
      'sensitivity',
      ...ANALYSIS_KINDS.map((k) => `analyses/${k}`),
    ].map((p) => `post /api/workspaces/:ws/${p}`);
    const namesResource = (x: RouteDef) => /:(id|run|user|inv)\b/.test(x.path) || startsJob.includes(key(x));
    for (const r of workspaceRoutes.filter(namesResource)) {
      const res = await call(outsider, r, { ...a, ws: b.ws });
      assert.equal(res.status, 404, `${key(r)} with A's ids under B`);
      for (const s of secrets) assert.ok(!res.text.includes(s), `${key(r)} leaks A's data`);
    }
    for (const r of workspaceRoutes.filter(
      (x) => x.method === 'get' && !/:(id|run|user|inv)\b/.test(x.path),
    )) {
      const res = await call(outsider, r, b);
      assert.ok(res.status < 300, `${key(r)} on B`);
      for (const s of secrets) assert.ok(!res.text.includes(s), `${key(r)} on B lists A's data`);
    }
    const list = await outsider.get('/api/scenarios');
    for (const s of secrets) assert.ok(!list.text.includes(s), "GET /api/scenarios lists A's scenarios to B");
  });

  test('each role gets 403 on every route that needs a higher role, and nothing changes', async () => {
    const before = await owner.get(`/api/workspaces/${a.ws}/scenarios/${a.id}`);
    const runsBefore = (await owner.get(`/api/workspaces/${a.ws}/runs`)).body.length;
    for (const role of ['viewer', 'analyst'] as const) {
      for (const r of workspaceRoutes.filter((x) => !roleAtLeast(role, x.access as Role))) {
        const res = await call(as[role]!, r, a);
        assert.equal(res.status, 403, `${role} on ${key(r)}`);
        assert.equal(res.body.error.code, 'forbidden');
      }
    }
    const afterwards = await owner.get(`/api/workspaces/${a.ws}/scenarios/${a.id}`);
    assert.equal(afterwards.body.version, before.body.version);
    assert.equal(afterwards.body.yaml, before.body.yaml);
    assert.equal((await owner.get(`/api/workspaces/${a.ws}/runs`)).body.length, runsBefore);
    assert.equal((await owner.get(`/api/workspaces/${a.ws}/members`)).body.length, 4);
  });

  test('a viewer can call every viewer route', async () => {
    for (const r of workspaceRoutes.filter((x) => x.access === 'viewer')) {
      const res = await call(as.viewer!, r, a);
      assert.ok(
        res.status >= 200 && res.status < 300,
        `viewer on ${key(r)}: ${res.status} ${res.text.slice(0, 200)}`,
      );
    }
  });
});
