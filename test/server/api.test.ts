import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { runRange, summarize } from '../../src/analysis/ensemble.ts';
import { bundledBaseRates } from '../../src/calibration/bundled.ts';
import { sanityPanel } from '../../src/calibration/violence.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { ROUTES } from '../../src/server/app.ts';
import { reportExtras } from '../../src/server/report.ts';
import {
  Client,
  EXAMPLES,
  member,
  PASSWORD,
  scenarioId,
  setupOwner,
  type TestServer,
  testServer,
} from './helpers.ts';

const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};

describe('workbench API', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;

  before(async () => {
    srv = await testServer();
  });
  after(async () => {
    await srv.close();
  });

  test('GET /api/health answers ok with the engine version and database', async () => {
    const r = await new Client(srv.app).get('/api/health');
    assert.equal(r.status, 200);
    assert.equal(r.body.ok, true);
    assert.equal(r.body.engine, ENGINE_VERSION);
    assert.equal(r.body.database, 'sqlite');
    assert.equal(r.body.setupNeeded, true);
  });

  test('GET /api/scenarios on a fresh start lists the three Korea scenarios', async () => {
    const r = await new Client(srv.app).get('/api/scenarios');
    assert.equal(r.status, 200);
    assert.deepEqual(
      r.body.map((s: { path: string }) => s.path),
      ['korea-decapitation-misread.yaml', 'korea-intercept.yaml', 'korea-test-failure.yaml'],
    );
    assert.ok(r.body.every((s: { tags: string[] }) => s.tags.includes('korea')));
  });

  test('POST /api/setup makes the first account owner of the default workspace, once', async () => {
    assert.deepEqual((await new Client(srv.app).get('/api/setup')).body, {
      needed: true,
      tokenRequired: false,
    });
    const weak = await new Client(srv.app).post('/api/setup', {
      email: 'a@example.org',
      name: 'A',
      password: 'short',
    });
    assert.equal(weak.status, 400);
    assert.match(weak.body.error.message, /password.*10 characters/);
    ({ owner, ws } = await setupOwner(srv.app));
    const me = await owner.get('/api/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.email, 'owner@example.org');
    assert.deepEqual(
      me.body.workspaces.map((w: { name: string; role: string }) => [w.name, w.role]),
      [['Default', 'owner']],
    );
    const again = await new Client(srv.app).post('/api/setup', {
      email: 'b@example.org',
      name: 'B',
      password: PASSWORD,
    });
    assert.equal(again.status, 409);
    assert.equal(
      (await new Client(srv.app).get('/api/scenarios')).status,
      401,
      'after setup, reading needs a session',
    );
  });

  test('POST /api/auth/login sets an httpOnly SameSite cookie; a wrong password is 401', async () => {
    const c = new Client(srv.app);
    const bad = await c.post('/api/auth/login', { email: 'owner@example.org', password: 'wrong password!' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error.code, 'bad_credentials');
    const r = await c.post('/api/auth/login', { email: 'OWNER@example.org', password: PASSWORD });
    assert.equal(r.status, 200);
    const cookie = r.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(r.body.csrfToken);
    const out = await c.post('/api/auth/logout');
    assert.equal(out.status, 204);
    c.cookie = undefined;
    assert.equal((await c.get('/api/auth/me')).status, 401);
  });

  test('POST /api/auth/login refuses an email after 10 failed attempts within 15 minutes (429); other accounts still sign in', async () => {
    const c = new Client(srv.app);
    for (let i = 0; i < 10; i++) {
      const r = await c.post('/api/auth/login', {
        email: 'target@example.org',
        password: `guess number ${i}`,
      });
      assert.equal(r.status, 401);
    }
    const blocked = await c.post('/api/auth/login', {
      email: 'target@example.org',
      password: 'guess number x',
    });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body.error.code, 'too_many_attempts');
    const other = await c.post('/api/auth/login', { email: 'owner@example.org', password: PASSWORD });
    assert.equal(other.status, 200, 'other accounts are not affected');
  });

  test('writes with a session cookie need the CSRF token, and cross-site origins are refused', async () => {
    const noToken = await owner.post(
      `/api/workspaces/${ws}/validate`,
      { path: 'x.yaml', yaml: 'version: 1' },
      { 'x-csrf-token': '' },
    );
    assert.equal(noToken.status, 403);
    assert.equal(noToken.body.error.code, 'csrf');
    const crossSite = await owner.post(
      `/api/workspaces/${ws}/validate`,
      { path: 'x.yaml', yaml: 'version: 1' },
      { origin: 'https://evil.example', host: 'localhost' },
    );
    assert.equal(crossSite.status, 403);
  });

  test('POST /api/auth/tokens gives a Bearer token that works without CSRF and not as a cookie', async () => {
    const t = await owner.post('/api/auth/tokens', { name: 'script' });
    assert.equal(t.status, 201);
    const script = new Client(srv.app);
    script.bearer = t.body.token;
    assert.equal((await script.get(`/api/workspaces/${ws}/scenarios`)).status, 200);
    const v = await script.post(`/api/workspaces/${ws}/validate`, { path: 'a.yaml', yaml: 'version: 1\n' });
    assert.equal(v.status, 200);
    const asCookie = new Client(srv.app);
    asCookie.cookie = `brink_session=${t.body.token}`;
    assert.equal((await asCookie.get('/api/auth/me')).status, 401);
  });

  test('GET /api/openapi.json documents every route of the table', async () => {
    const r = await new Client(srv.app).get('/api/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    for (const route of ROUTES) {
      const p = route.path.replace(/:(\w+)/g, '{$1}');
      assert.ok(r.body.paths[p]?.[route.method], `${route.method} ${p} documented`);
    }
    const run = r.body.paths['/api/workspaces/{ws}/runs'].post;
    assert.ok(run.requestBody.content['application/json'].schema.properties.seed);
  });

  test('GET /api/workspaces/:ws/scenarios searches by text and tag; PUT saves tags', async () => {
    const all = await owner.get(`/api/workspaces/${ws}/scenarios`);
    assert.equal(all.body.length, 3);
    const q = await owner.get(`/api/workspaces/${ws}/scenarios?q=intercept`);
    assert.deepEqual(
      q.body.map((s: { path: string }) => s.path),
      ['korea-intercept.yaml'],
    );
    const libs = await owner.get(`/api/workspaces/${ws}/scenarios?kind=library`);
    assert.deepEqual(
      libs.body.map((s: { path: string }) => s.path),
      ['lib/calibrated.yaml', 'lib/korea-actors.yaml'],
    );
    const id = await scenarioId(owner, ws, 'korea-intercept.yaml');
    const tagged = await owner.put(`/api/workspaces/${ws}/scenarios/${id}`, {
      version: 1,
      tags: ['korea', 'missile defence'],
    });
    assert.equal(tagged.status, 200);
    assert.equal(tagged.body.version, 2);
    const byTag = await owner.get(`/api/workspaces/${ws}/scenarios?tag=missile%20defence`);
    assert.deepEqual(
      byTag.body.map((s: { path: string }) => s.path),
      ['korea-intercept.yaml'],
    );
    const badTag = await owner.put(`/api/workspaces/${ws}/scenarios/${id}`, {
      version: 2,
      tags: ['<script>'],
    });
    assert.equal(badTag.status, 400);
  });

  test('GET /api/workspaces/:ws/scenarios/:id gives the text, diagnostics and interventions', async () => {
    const id = await scenarioId(owner, ws, 'korea-decapitation-misread.yaml');
    const r = await owner.get(`/api/workspaces/${ws}/scenarios/${id}`);
    assert.equal(r.status, 200);
    assert.match(r.body.yaml, /^# Op-ed scenario 3/);
    assert.deepEqual(
      r.body.diagnostics.filter((d: { severity: string }) => d.severity === 'error'),
      [],
    );
    assert.deepEqual(r.body.interventions.map((i: { id: string }) => i.id).sort(), [
      'eu-hosted-talks',
      'exercise-notification',
      'hotline',
      'interception-notice',
      'launch-notification',
      'neutral-state-talks',
      'track2-talks',
      'us-china-talks',
    ]);
  });

  test('POST /api/workspaces/:ws/validate gives the CLI diagnostics with line and column', async () => {
    const id = await scenarioId(owner, ws, 'korea-test-failure.yaml');
    const s = await owner.get(`/api/workspaces/${ws}/scenarios/${id}`);
    const broken = s.body.yaml.replace('atHours: 0', 'atHours: soon');
    const r = await owner.post(`/api/workspaces/${ws}/validate`, {
      path: 'korea-test-failure.yaml',
      yaml: broken,
    });
    assert.equal(r.status, 200);
    const d = r.body.diagnostics.find((x: { severity: string }) => x.severity === 'error');
    assert.equal(d.code, 'E_SCHEMA_TYPE');
    const line = broken.split('\n').findIndex((l: string) => l.includes('atHours: soon')) + 1;
    assert.equal(d.line, line);
    assert.equal(d.column, broken.split('\n')[line - 1].indexOf('soon') + 1);
    assert.equal(r.body.hash, null);
    const fine = await owner.post(`/api/workspaces/${ws}/validate`, {
      path: 'korea-test-failure.yaml',
      yaml: s.body.yaml,
    });
    assert.deepEqual(
      fine.body.diagnostics.filter((x: { severity: string }) => x.severity === 'error'),
      [],
    );
    assert.match(fine.body.hash, /^[0-9a-f]{64}$/);
  });

  test('PUT /api/workspaces/:ws/scenarios/:id: two people saving the same version, the second gets 409', async () => {
    const analyst = await member(srv.app, owner, ws, 'ana@example.org', 'analyst');
    const id = await scenarioId(owner, ws, 'korea-test-failure.yaml');
    const a = await owner.get(`/api/workspaces/${ws}/scenarios/${id}`);
    const b = await analyst.get(`/api/workspaces/${ws}/scenarios/${id}`);
    const first = await owner.put(`/api/workspaces/${ws}/scenarios/${id}`, {
      version: a.body.version,
      yaml: a.body.yaml.replace('horizonDays', 'horizonDays'),
    });
    assert.equal(first.status, 200);
    const second = await analyst.put(`/api/workspaces/${ws}/scenarios/${id}`, {
      version: b.body.version,
      yaml: `${b.body.yaml}\n# analyst's note\n`,
    });
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'conflict');
    assert.equal(second.body.error.current.version, first.body.version);
    const now = await owner.get(`/api/workspaces/${ws}/scenarios/${id}`);
    assert.doesNotMatch(now.body.yaml, /analyst's note/, 'nothing was overwritten');
    const versions = await owner.get(`/api/workspaces/${ws}/scenarios/${id}/versions`);
    assert.deepEqual(
      versions.body.map((v: { version: number }) => v.version),
      [2, 1],
    );
  });

  test('POST /api/workspaces/:ws/scenarios creates from a template or text; paths are unique', async () => {
    const t = await owner.get(`/api/workspaces/${ws}/templates`);
    assert.ok(t.body.some((x: { id: string }) => x.id === 'korea-trigger'));
    const r = await owner.post(`/api/workspaces/${ws}/scenarios`, {
      path: 'my-srbm.yaml',
      template: 'korea-trigger',
      tags: ['draft'],
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.kind, 'scenario');
    assert.deepEqual(
      r.body.diagnostics.filter((d: { severity: string }) => d.severity === 'error'),
      [],
    );
    assert.match(r.body.yaml, /id: my-srbm/);
    const nested = await owner.post(`/api/workspaces/${ws}/scenarios`, {
      path: 'drafts/deep/srbm.yaml',
      template: 'korea-trigger',
    });
    assert.equal(nested.status, 201);
    assert.match(nested.body.yaml, /extends: \.\.\/\.\.\/lib\/korea-actors\.yaml/);
    assert.deepEqual(
      nested.body.diagnostics.filter((d: { severity: string }) => d.severity === 'error'),
      [],
    );
    const dup = await owner.post(`/api/workspaces/${ws}/scenarios`, {
      path: 'my-srbm.yaml',
      yaml: 'version: 1\n',
    });
    assert.equal(dup.status, 409);
    const evil = await owner.post(`/api/workspaces/${ws}/scenarios`, {
      path: '../etc/passwd.yaml',
      yaml: 'x',
    });
    assert.equal(evil.status, 400);
    assert.match(evil.body.error.message, /path/);
    const del = await owner.delete(`/api/workspaces/${ws}/scenarios/${r.body.id}?version=1`);
    assert.equal(del.status, 204);
  });

  test('POST /api/workspaces/:ws/runs runs in the background to the same numbers as the engine directly', async () => {
    const id = await scenarioId(owner, ws, 'korea-intercept.yaml');
    const start = await owner.post(`/api/workspaces/${ws}/runs`, {
      scenarioId: id,
      runs: 3000,
      seed: 7,
      interventions: ['hotline'],
    });
    assert.equal(start.status, 202);
    assert.equal(start.body.status, 'queued');
    assert.equal(start.body.manifest.engine, ENGINE_VERSION);
    assert.equal(start.body.manifest.scenarioVersion, 2);
    await srv.services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(done.body.status, 'done');
    const p = prepare(`${EXAMPLES}/korea-intercept.yaml`, { readFile, interventions: ['hotline'] });
    const agg = runRange(p.model!, 7, 0, 3000);
    const direct = summarize(p.model!, agg, { seed: 7, engine: ENGINE_VERSION, topPaths: 12 });
    const { extras, sanity, ...stored } = done.body.report;
    assert.deepEqual(stored, JSON.parse(JSON.stringify(direct)));
    // What the HTML report draws besides: the Sankey's path tree and the misperceptions behind war.
    assert.deepEqual(extras, JSON.parse(JSON.stringify(reportExtras(p.model!, agg))));
    // And the sanity panel `brink run` prints: the same report on the CLI and in the workbench.
    assert.deepEqual(
      sanity,
      JSON.parse(JSON.stringify(sanityPanel(p.model!, agg, p.doc!.trigger, bundledBaseRates()))),
    );
    assert.equal(done.body.manifest.hash, p.hash);

    const again = await owner.post(`/api/workspaces/${ws}/runs/${start.body.id}/rerun`);
    assert.equal(again.status, 202);
    await srv.services.jobs.idle();
    const rerun = await owner.get(`/api/workspaces/${ws}/runs/${again.body.id}`);
    assert.deepEqual(rerun.body.report, done.body.report, 're-run gives the same numbers');

    const history = await owner.get(`/api/workspaces/${ws}/runs?scenarioId=${id}`);
    assert.deepEqual(
      history.body.map((r: { id: string }) => r.id).sort(),
      [start.body.id, again.body.id].sort(),
    );

    const csv = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=csv`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(csv.text, /^section,item,value,ci95_low,ci95_high\n/);
    assert.match(csv.text, /manifest,interventions,hotline/);
    const json = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=json`);
    assert.match(json.headers.get('content-disposition') ?? '', /korea-intercept-seed7\.json/);
    assert.equal(json.body.manifest.seed, 7);
    const html = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=html`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    assert.match(html.headers.get('content-disposition') ?? '', /korea-intercept-seed7\.html/);
    for (const id of ['exceedance', 'outcomes', 'sankey']) assert.match(html.text, new RegExp(`id="${id}"`));
    assert.match(html.text, /brink run korea-intercept\.yaml --with hotline --runs 3000 --seed 7/);
    assert.doesNotMatch(html.text, /<script|<link|src="http/);

    const trace = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/trace?find=war`);
    assert.equal(trace.status, 200);
    assert.equal(trace.body.outcome, 'war');
    assert.ok(trace.body.trace.some((t: { kind: string }) => t.kind === 'perceive'));
  });

  test('POST /api/workspaces/:ws/runs refuses a scenario with errors (422) and bad options (400)', async () => {
    const id = await scenarioId(owner, ws, 'korea-intercept.yaml');
    const bad = await owner.post(`/api/workspaces/${ws}/runs`, { scenarioId: id, runs: 0 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /runs/);
    const unknown = await owner.post(`/api/workspaces/${ws}/runs`, {
      scenarioId: id,
      interventions: ['hotlnie'],
    });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.body.error.diagnostics[0].code, 'E_INTERVENTION_UNKNOWN');
  });

  test('GET /api/workspaces/:ws/runs/:run/events streams progress until done; cancel stops a run', async () => {
    const id = await scenarioId(owner, ws, 'korea-decapitation-misread.yaml');
    const big = await owner.post(`/api/workspaces/${ws}/runs`, { scenarioId: id, runs: 2_000_000, seed: 1 });
    const res = await srv.app.request(`/api/workspaces/${ws}/runs/${big.body.id}/events`, {
      headers: { cookie: owner.cookie! },
    });
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    let cancelled = false;
    while (!/"status":"cancelled"/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
      if (!cancelled && /"status":"running","doneRuns":[1-9]/.test(text)) {
        cancelled = true;
        const c = await owner.post(`/api/workspaces/${ws}/runs/${big.body.id}/cancel`);
        assert.equal(c.status, 200);
      }
    }
    assert.match(text, /event: progress/);
    assert.match(text, /"status":"cancelled"/);
    await srv.services.jobs.idle();
    const r = await owner.get(`/api/workspaces/${ws}/runs/${big.body.id}`);
    assert.equal(r.body.status, 'cancelled');
    assert.equal(r.body.report, null);
    assert.ok(r.body.doneRuns < 2_000_000);
  });
});
