// The workbench under load (docs/decisions/0018-server-load.md): scenario work on the worker pool with
// per-workspace fairness and a bounded waiting room (429 + Retry-After when full), password hashing one
// at a time with a bounded line. Behaviour only: speed is measured by `npm run bench:server`.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ANALYSES } from '../../src/analysis/registry.ts';
import type { Assumption } from '../../src/analysis/report/index.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { openJob } from '../../src/server/analysis-jobs.ts';
import { passwordHashing } from '../../src/server/auth.ts';
import { featureGuard } from '../../src/server/http.ts';
import { startServer } from '../../src/server/index.ts';
import { openJobOnThread } from '../../src/server/job-thread.ts';
import type { JobHandle } from '../../src/server/jobs.ts';
import { Limiter } from '../../src/server/limit.ts';
import { Busy, WorkPool } from '../../src/server/pool.ts';
import {
  type ActorsResult,
  type AnalysisResult,
  doWork,
  type WorkTask,
} from '../../src/server/work-tasks.ts';
import { exampleFiles, workspaceFiles } from '../../src/server/workspace.ts';
import { Client, EXAMPLES, PASSWORD, setupOwner, type TestServer, testServer } from './helpers.ts';

const KOREA = 'korea-intercept.yaml';
const korea = readFileSync(join(EXAMPLES, KOREA), 'utf8');

/** The id of korea-intercept in the workspace. */
async function koreaId(owner: Client, ws: string): Promise<string> {
  const list = (await owner.get(`/api/workspaces/${ws}/scenarios`)).body as { id: string; path: string }[];
  return list.find((x) => x.path === KOREA)!.id;
}

/** A comparison of korea-intercept with the hotline (300 runs), submitted to `path` and finished, as stored. */
async function finishedComparison(srv: TestServer, owner: Client, ws: string, path: string, seed: number) {
  const started = await owner.post(`/api/workspaces/${ws}${path}`, {
    scenarioId: await koreaId(owner, ws),
    arms: ['hotline'],
    runs: 300,
    seed,
  });
  assert.equal(started.status, 202, started.text);
  await srv.services.jobs.idle();
  const stored = (await srv.services.store.getRun(ws, started.body.id))!;
  assert.equal(stored.status, 'done');
  return stored;
}

describe('WorkPool', () => {
  test('run gives what the same task gives on this thread (diagnostics, hash, interventions)', async () => {
    const pool = new WorkPool({ threads: 1 });
    try {
      const files = exampleFiles(EXAMPLES);
      const broken = { ...files, [KOREA]: korea.replace(/^version: .*$/m, 'version: 99') };
      const compare = { arms: ['hotline'], runs: 500, seed: 3, traceRuns: 10 };
      const tasks: WorkTask[] = [
        { op: 'validate', files, path: KOREA },
        { op: 'validate', files: broken, path: KOREA },
        { op: 'prepare', files, path: KOREA, interventions: ['hotline'] },
        { op: 'analysis', kind: 'compare', files, path: KOREA, options: compare },
        { op: 'analysis', kind: 'compare', files: broken, path: KOREA, options: compare },
        { op: 'analysis', kind: 'compare', files, path: KOREA, options: { ...compare, arms: ['bribery'] } },
        { op: 'parameters', files, path: KOREA, interventions: ['hotline'] },
        { op: 'parameters', files: broken, path: KOREA, interventions: [] },
      ];
      for (const task of tasks) {
        assert.deepEqual(await pool.run('w', task), doWork(task), task.op);
      }
      const v = await pool.run('w', { op: 'validate', files: broken, path: KOREA });
      assert.ok(v.diagnostics.some((d) => d.severity === 'error' && d.line !== undefined));
      const a = await pool.run('w', {
        op: 'analysis',
        kind: 'compare',
        files: broken,
        path: KOREA,
        options: compare,
      });
      assert.ok(!a.ok && 'notRunnable' in a);
      assert.ok(
        a.notRunnable.diagnostics.some(
          (d) => d.severity === 'error' && d.line !== undefined && d.column !== undefined && d.file === KOREA,
        ),
      );
      assert.deepEqual(pool.stats().byOp, { validate: 3, prepare: 1, analysis: 4, parameters: 2 });
    } finally {
      await pool.close();
    }
  });

  test('run takes workspaces in turn: a lone task of one workspace does not wait behind another workspace’s burst', async () => {
    const pool = new WorkPool({ threads: 1 });
    try {
      const files = exampleFiles(EXAMPLES);
      const order: string[] = [];
      const task = { op: 'validate', files, path: KOREA } as const;
      const all = [];
      for (let i = 0; i < 4; i++) all.push(pool.run('A', task).then(() => order.push(`A${i}`)));
      all.push(pool.run('B', task).then(() => order.push('B')));
      await Promise.all(all);
      // A0 was already on the thread; then the round goes A1, B (first in, first out would put B last).
      assert.deepEqual(order.slice(0, 3), ['A0', 'A1', 'B']);
      assert.equal(order.length, 5);
      assert.equal(pool.stats().completed, 5);
      assert.equal(pool.stats().queued, 0);
    } finally {
      await pool.close();
    }
  });

  test('run throws Busy past maxQueue (or maxPerWorkspace) and takes tasks again once the line moves', async () => {
    const pool = new WorkPool({ threads: 1, maxQueue: 3, maxPerWorkspace: 2 });
    try {
      const files = exampleFiles(EXAMPLES);
      const task = { op: 'validate', files, path: KOREA } as const;
      const ok = [pool.run('A', task), pool.run('A', task), pool.run('A', task)]; // 1 running, 2 waiting
      assert.throws(
        () => pool.run('A', task),
        (e: unknown) => e instanceof Busy && e.scope === 'workspace' && e.retryAfter >= 1,
      );
      ok.push(pool.run('B', task)); // the server's third waiting place
      assert.throws(
        () => pool.run('C', task),
        (e: unknown) =>
          e instanceof Busy && e.scope === 'server' && e.limit === 3 && /retry in \d+ s/.test(e.message),
      );
      assert.equal(pool.stats().refused, 2);
      await Promise.all(ok);
      assert.equal((await pool.run('C', task)).hash, (await ok[0])!.hash);
    } finally {
      await pool.close();
    }
  });
});

test('a feature guard (talks, exercises) passes a full pool on as Busy, for the 429, not as an internal error', async () => {
  const guarded = featureGuard(
    'talks',
    () => undefined,
    (e) => e.name,
  );
  const busy = new Busy('server', 128, 128, 3);
  await assert.rejects(
    guarded('GET /api/workspaces/:ws/talks/actors', async () => {
      throw busy;
    }),
    (e: unknown) => e === busy,
  );
});

describe('Limiter', () => {
  test('run never has more than `slots` calls at once, serves in arrival order and refuses past maxWaiting', async () => {
    const lim = new Limiter(2, 3);
    let now = 0;
    let most = 0;
    const started: number[] = [];
    const call = (i: number) =>
      lim.run(async () => {
        started.push(i);
        most = Math.max(most, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
        return i;
      });
    const calls = [0, 1, 2, 3, 4].map(call);
    await assert.rejects(call(5), (e: unknown) => e instanceof Busy && e.retryAfter >= 1);
    assert.deepEqual(await Promise.all(calls), [0, 1, 2, 3, 4]);
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(most, 2);
    assert.deepEqual(lim.stats(), { slots: 2, running: 0, waiting: 0, completed: 5, refused: 1 });
  });

  test('run frees the slot when the call throws', async () => {
    const lim = new Limiter(1, 1);
    await assert.rejects(
      lim.run(async () => {
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.equal(await lim.run(async () => 7), 7);
  });
});

/**
 * `n` simultaneous POSTs of `body` to a pool of 1 thread and 2 waiting places: some are refused with 429,
 * Retry-After and the `busy` error, at least 3 get `ok`; returns those.
 */
async function burst(owner: Client, path: string, body: unknown, n: number, ok: number) {
  const replies = await Promise.all(Array.from({ length: n }, () => owner.post(path, body)));
  const busy = replies.filter((r) => r.status === 429);
  const fine = replies.filter((r) => r.status === ok);
  assert.equal(busy.length + fine.length, n);
  assert.ok(busy.length >= 1 && fine.length >= 3, `${busy.length} refused, ${fine.length} answered`);
  for (const r of busy) {
    assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal(r.body.error.code, 'busy');
    assert.equal(r.body.error.retryAfter, Number(r.headers.get('retry-after')));
    assert.match(r.body.error.message, /waiting for a worker thread \(limit 2\); retry in \d+ s/);
  }
  return fine;
}

describe('workbench under load', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;

  before(async () => {
    srv = await testServer(':memory:', undefined, { pool: { threads: 1, maxQueue: 2, maxPerWorkspace: 2 } });
    ({ owner, ws } = await setupOwner(srv.app));
  });
  after(async () => {
    await srv.close();
  });

  test('POST …/validate answers 429 with Retry-After and a JSON error when the waiting room is full; the rest validate as one by one', async () => {
    const body = { path: KOREA, yaml: korea };
    const fine = await burst(owner, `/api/workspaces/${ws}/validate`, body, 10, 200);
    const alone = await owner.post(`/api/workspaces/${ws}/validate`, body);
    assert.equal(alone.status, 200);
    assert.match(alone.body.hash, /^[0-9a-f]{8,}/);
    for (const r of fine) assert.deepEqual(r.body, alone.body);
  });

  test('analysis submissions queue on the pool like validations: 429 with Retry-After past the waiting room, the rest stored as one by one', async () => {
    const scenarioId = await koreaId(owner, ws);
    const body = { scenarioId, arms: ['hotline'], runs: 200, seed: 5 };
    // The options as the route has them: validated, with the defaults filled in.
    const options = ANALYSES.compare.options.parse(body);
    const before = srv.services.pool.stats().byOp.analysis ?? 0;
    const fine = await burst(owner, `/api/workspaces/${ws}/analyses/compare`, body, 8, 202);
    // Every accepted submission had its design checked on a pool thread, not on the event loop.
    assert.equal((srv.services.pool.stats().byOp.analysis ?? 0) - before, fine.length);
    await srv.services.jobs.idle();
    const alone = await owner.post(`/api/workspaces/${ws}/analyses/compare`, body);
    assert.equal(alone.status, 202, alone.text);
    const stored = (await srv.services.store.getRun(ws, alone.body.id))!;
    // The manifest and the files stored are those the same check gives on this thread.
    const files = await workspaceFiles(srv.services.store, ws);
    const here = doWork({
      op: 'analysis',
      kind: 'compare',
      files,
      path: KOREA,
      options,
    }) as AnalysisResult;
    assert.ok(here.ok);
    assert.deepEqual(stored.files, here.snapshot);
    const { scenarioId: sid, scenarioPath, scenarioVersion, engine, set, ...fields } = stored.manifest;
    assert.deepEqual(fields, here.fields);
    assert.deepEqual(
      { sid, scenarioPath, engine, set },
      { sid: scenarioId, scenarioPath: KOREA, engine: ENGINE_VERSION, set: {} },
    );
    assert.ok(scenarioVersion >= 1);
    for (const r of fine) {
      const run = (await srv.services.store.getRun(ws, r.body.id))!;
      assert.deepEqual(run.manifest, stored.manifest);
      assert.equal(run.status, 'done');
    }
    // A design that cannot run: the same 422 and diagnostics as the check gives on this thread.
    const bad = await owner.post(`/api/workspaces/${ws}/analyses/compare`, { ...body, arms: ['bribery'] });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'not_runnable');
    const why = doWork({
      op: 'analysis',
      kind: 'compare',
      files,
      path: KOREA,
      options: { ...options, arms: ['bribery'] },
    }) as AnalysisResult;
    assert.ok(!why.ok && 'notRunnable' in why);
    assert.deepEqual(
      bad.body.error.diagnostics,
      why.notRunnable.diagnostics.filter((d) => d.severity === 'error'),
    );
  });

  test('trace reads and scenario parameters are computed on the pool and answer what the same work gives on this thread', async () => {
    const scenarioId = await koreaId(owner, ws);
    const run = await finishedComparison(srv, owner, ws, '/analyses/compare', 11);
    const traced = { id: run.id, files: run.files, manifest: run.manifest };
    const ops = () => srv.services.pool.stats().byOp;
    const t0 = ops();
    const byIndex = await owner.get(`/api/workspaces/${ws}/runs/${run.id}/trace?index=7&arm=hotline`);
    assert.equal(byIndex.status, 200, byIndex.text);
    assert.deepEqual(byIndex.body, doWork({ op: 'trace', run: traced, arm: 'hotline', index: 7 }));
    assert.equal((ops().trace ?? 0) - (t0.trace ?? 0), 1);
    const war = await owner.get(`/api/workspaces/${ws}/runs/${run.id}/trace?find=war`);
    assert.equal(war.status, 200, war.text);
    assert.equal(war.body.outcome, 'war');
    const first = doWork({ op: 'find', run: traced, outcome: 'war', from: 0, limit: 200_000 }) as number;
    assert.deepEqual(war.body, doWork({ op: 'trace', run: traced, index: first }));
    assert.equal((ops().trace ?? 0) - (t0.trace ?? 0), 2);
    assert.ok((ops().find ?? 0) - (t0.find ?? 0) >= 1);
    // A run whose files no longer compile: 422, from the pool.
    const broken = await srv.services.store.createRun({
      workspaceId: ws,
      scenarioId,
      manifest: run.manifest,
      files: { ...run.files, [KOREA]: korea.replace(/^version: .*$/m, 'version: 99') },
      by: null,
    });
    const no = await owner.get(`/api/workspaces/${ws}/runs/${broken.id}/trace?index=0`);
    assert.equal(no.status, 422);
    assert.equal(no.body.error.message, "the run's scenario no longer compiles");
    const p0 = ops().parameters ?? 0;
    const params = await owner.get(
      `/api/workspaces/${ws}/scenarios/${scenarioId}/parameters?interventions=hotline`,
    );
    assert.equal(params.status, 200);
    const files = await workspaceFiles(srv.services.store, ws);
    const rows = doWork({ op: 'parameters', files, path: KOREA, interventions: ['hotline'] }) as Assumption[];
    assert.deepEqual(
      params.body,
      rows.map(({ path, value, distribution, source, citation, where }) => ({
        path,
        nominal: value,
        distribution,
        source,
        citation,
        where,
      })),
    );
    assert.equal((ops().parameters ?? 0) - p0, 1);
  });

  test('the actors of a scenario (talks, exercises) are read on the pool, with the same answers and 422s', async () => {
    const saved = await owner.post(`/api/workspaces/${ws}/scenarios`, {
      path: 'broken.yaml',
      yaml: 'version: 1\nid: [',
    });
    assert.equal(saved.status, 201, saved.text);
    const files = await workspaceFiles(srv.services.store, ws);
    const here = doWork({ op: 'actors', files, path: KOREA }) as ActorsResult;
    assert.ok(here.ok && here.actors.length >= 2);
    const a0 = srv.services.pool.stats().byOp.actors ?? 0;
    const talks = await owner.get(`/api/workspaces/${ws}/talks/actors?scenario=${KOREA}`);
    assert.equal(talks.status, 200, talks.text);
    assert.deepEqual(talks.body, { title: here.title, actors: here.actors });
    const exercises = await owner.get(`/api/workspaces/${ws}/exercises/actors?scenario=${KOREA}`);
    assert.equal(exercises.status, 200, exercises.text);
    assert.deepEqual(exercises.body, {
      actors: here.actors.map(({ id, name }) => ({ id, name })),
      tickHours: here.tickHours,
      horizonHours: here.horizonHours,
    });
    const why = doWork({ op: 'actors', files, path: 'broken.yaml' }) as ActorsResult;
    assert.ok(!why.ok);
    assert.match(why.message, /^scenario broken\.yaml does not load: broken\.yaml:\d+:\d+: /);
    const bad = await owner.get(`/api/workspaces/${ws}/talks/actors?scenario=broken.yaml`);
    assert.deepEqual(
      [bad.status, bad.body.error.code, bad.body.error.message],
      [422, 'not_runnable', why.message],
    );
    const bad2 = await owner.get(`/api/workspaces/${ws}/exercises/actors?scenario=broken.yaml`);
    assert.deepEqual(
      [bad2.status, bad2.body.error.code, bad2.body.error.message],
      [422, 'unprocessable', why.message],
    );
    assert.equal((srv.services.pool.stats().byOp.actors ?? 0) - a0, 4);
  });

  test('POST /api/auth/login: a burst of sign-ins queues for the hashing slot and every one signs in', async () => {
    const before = passwordHashing.stats().completed;
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        new Client(srv.app).post('/api/auth/login', { email: 'owner@example.org', password: PASSWORD }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
    );
    assert.equal(passwordHashing.slots, 1);
    assert.equal(passwordHashing.stats().completed - before, 6);
    assert.equal(passwordHashing.stats().running, 0);
  });
});

describe('jobs on a thread', () => {
  test('openJobOnThread gives the report openJob gives on this thread, whatever the slices, and the server stored', async () => {
    const srv = await testServer();
    try {
      const { owner, ws } = await setupOwner(srv.app);
      const stored = await finishedComparison(srv, owner, ws, '/comparisons', 7);
      const fresh = { ...stored, status: 'queued' as const, doneRuns: 0, checkpoint: null, report: null };
      const drive = async (job: JobHandle, slice: number) => {
        while (job.done() < job.total) await job.step(slice);
        const report = await job.finish();
        await job.close?.();
        return report;
      };
      const inline = await drive(openJob(fresh), 1000);
      assert.equal(await drive(await openJobOnThread(fresh), 37), inline);
      assert.equal(stored.report, inline);
      const broken = { ...fresh, files: { [KOREA]: 'version: 1\nid: [' } };
      await assert.rejects(openJobOnThread(broken), /compile|scenario|YAML|parse/i);
    } finally {
      await srv.close();
    }
  });
});

describe('health and metrics', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;
  const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

  before(async () => {
    srv = await testServer(':memory:', undefined, { pool: { threads: 1, maxQueue: 2, maxPerWorkspace: 2 } });
    ({ owner, ws } = await setupOwner(srv.app));
  });
  after(async () => {
    await srv.close();
  });

  test('GET /api/health reports the event-loop delay and the depth of the pool, job and hashing queues', async () => {
    const idle = await new Client(srv.app).get('/api/health');
    assert.equal(idle.status, 200);
    const d = idle.body.eventLoopDelayMs;
    for (const k of ['p50', 'p99', 'max', 'window']) assert.ok(Number.isFinite(d[k]) && d[k] >= 0, k);
    assert.ok(d.p50 <= d.p99 && d.p99 <= d.max);
    assert.deepEqual(idle.body.queue, {
      pool: { threads: 1, running: 0, waiting: 0 },
      jobs: { queued: 0, running: 0, computedOn: 'thread' },
      passwordHashing: { running: 0, waiting: 0 },
    });
    const body = { path: KOREA, yaml: korea };
    const burst = Array.from({ length: 3 }, () => owner.post(`/api/workspaces/${ws}/validate`, body));
    while (srv.services.pool.stats().queued < 2) await new Promise((r) => setTimeout(r, 5));
    const busy = await new Client(srv.app).get('/api/health');
    assert.deepEqual(busy.body.queue.pool, { threads: 1, running: 1, waiting: 2 });
    assert.deepEqual(
      (await Promise.all(burst)).map((r) => r.status),
      [200, 200, 200],
    );
  });

  test('GET /metrics answers loopback callers in Prometheus text format', async () => {
    await owner.post(`/api/workspaces/${ws}/runs`, {
      scenarioId: await koreaId(owner, ws),
      runs: 200,
      seed: 1,
    });
    await srv.services.jobs.idle();
    const res = await srv.app.request('/metrics', {}, from('127.0.0.1'));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    const sample =
      /^[a-z_:][a-z0-9_:]*(\{[a-z_]+="(?:[^"\\]|\\.)*"(,[a-z_]+="(?:[^"\\]|\\.)*")*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|\+Inf|NaN)$/;
    for (const line of text.trimEnd().split('\n'))
      assert.ok(line.startsWith('# HELP ') || line.startsWith('# TYPE ') || sample.test(line), line);
    assert.match(text, /^# TYPE brink_http_request_duration_seconds histogram$/m);
    const route = 'method="POST",route="/api/workspaces/:ws/validate",status="200"';
    assert.match(
      text,
      new RegExp(`^brink_http_request_duration_seconds_bucket\\{${route},le="\\+Inf"\\} 3$`, 'm'),
    );
    assert.match(text, new RegExp(`^brink_http_request_duration_seconds_count\\{${route}\\} 3$`, 'm'));
    assert.match(text, /^brink_event_loop_delay_seconds\{quantile="0.99"\} [\d.e-]+$/m);
    assert.match(text, /^brink_pool_threads 1$/m);
    assert.match(text, /^brink_pool_tasks_total\{outcome="ok"\} \d+$/m);
    assert.match(text, /^brink_pool_busy_seconds_total [\d.e-]+$/m);
    assert.match(text, /^brink_jobs\{state="done"\} 1$/m);
    assert.match(text, /^brink_jobs\{state="queued"\} 0$/m);
    assert.match(text, /^brink_job_queue\{state="waiting"\} 0$/m);
  });

  test('GET /metrics over a real loopback socket answers 200', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brink-metrics-'));
    const running = await startServer({
      port: 0,
      host: '127.0.0.1',
      database: join(dir, 'brink.db'),
      webDir: dir,
      log: () => {},
    });
    try {
      const res = await fetch(`${running.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^# TYPE brink_jobs gauge$/m);
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('GET /metrics refuses callers off this machine (403, JSON), also behind a trusted proxy', async () => {
    for (const address of ['10.0.0.5', '203.0.113.9', '::ffff:10.0.0.5']) {
      const res = await srv.app.request('/metrics', {}, from(address));
      assert.equal(res.status, 403, address);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'forbidden');
      assert.match(body.error.message, /callers on this machine only \(set BRINK_METRICS_TOKEN/);
    }
    // A session does not open it either: it is the operator's, not a workspace's.
    const withSession = await srv.app.request(
      '/metrics',
      { headers: { cookie: owner.cookie ?? '' } },
      from('10.0.0.5'),
    );
    assert.equal(withSession.status, 403);
    const proxied = await testServer(':memory:', undefined, { trustProxy: 1 });
    try {
      const via = (xff: string) =>
        proxied.app.request('/metrics', { headers: { 'x-forwarded-for': xff } }, from('127.0.0.1'));
      assert.equal((await via('203.0.113.9')).status, 403);
      assert.equal((await via('127.0.0.1')).status, 200);
    } finally {
      await proxied.close();
    }
  });

  test('GET /metrics with BRINK_METRICS_TOKEN: the Bearer token from anywhere, nothing without it', async () => {
    const token = 'operator-token-0123456789';
    const s = await testServer(':memory:');
    s.services.metricsToken = token;
    try {
      const get = (address: string, auth?: string) =>
        s.app.request('/metrics', auth ? { headers: { authorization: auth } } : {}, from(address));
      assert.equal((await get('203.0.113.9', `Bearer ${token}`)).status, 200);
      assert.equal((await get('203.0.113.9', 'Bearer wrong-token')).status, 403);
      assert.equal((await get('127.0.0.1')).status, 403);
      const body = (await (await get('127.0.0.1')).json()) as { error: { message: string } };
      assert.match(body.error.message, /needs the operator token/);
    } finally {
      await s.close();
    }
  });
});
