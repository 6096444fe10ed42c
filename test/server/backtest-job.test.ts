// The backtest of a library's hand-written cases in the workbench (`POST …/analyses/backtest` on a
// library): a background job whose stored report is the JSON of `brink backtest FILES --json` for the
// cases that extend that library, on the server's inline slices, on worker threads and on `brink worker`
// processes over a real Redis; resumable from a checkpoint after any slice to the same numbers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { BacktestResult } from '../../src/calibration/case-backtest.ts';
import { openJob } from '../../src/server/analysis-jobs.ts';
import { createApp } from '../../src/server/app.ts';
import { prepareServices } from '../../src/server/index.ts';
import { brink } from '../cli.ts';
import { type Proc, quickWorker, type RedisServer, startRedis } from '../services.ts';
import {
  type Client,
  closeServices,
  EXAMPLES,
  scenarioId,
  setupOwner,
  type TestServer,
  testServer,
} from './helpers.ts';

/** `brink backtest … --json` (no timing in a backtest's JSON). */
async function cli(args: string[]): Promise<BacktestResult> {
  const r = await brink(['backtest', ...args, '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out) as BacktestResult;
}

/** Adds the generic crisis library (and the fit it extends) to a workspace, as files under lib/. */
async function addGenericLibrary(c: Client, ws: string): Promise<string> {
  for (const name of ['generic-fit.yaml', 'generic-actors.yaml']) {
    const r = await c.post(`/api/workspaces/${ws}/scenarios`, {
      path: `lib/${name}`,
      yaml: readFileSync(`scenarios/lib/${name}`, 'utf8'),
    });
    assert.equal(r.status, 201, r.text);
  }
  return scenarioId(c, ws, 'lib/generic-actors.yaml');
}

const GENERIC = ['cases/pueblo-1968.yaml', 'cases/able-archer-1983.yaml', 'cases/cheonan-2010.yaml'];

describe('backtest jobs in the workbench', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;

  before(async () => {
    srv = await testServer();
    ({ owner, ws } = await setupOwner(srv.app));
  });
  after(async () => {
    await srv.close();
  });

  async function job(body: Record<string, unknown>) {
    const start = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, body);
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.manifest.kind, 'backtest');
    await srv.services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(done.body.status, 'done', JSON.stringify(done.body.error));
    assert.equal(done.body.doneRuns, done.body.manifest.runs);
    return done.body;
  }

  test('POST …/analyses/backtest on lib/korea-actors.yaml scores the case that extends it, as `brink backtest` does', async () => {
    const lib = await scenarioId(owner, ws, 'lib/korea-actors.yaml');
    const done = await job({ scenarioId: lib, runs: 400, seed: 3 });
    assert.deepEqual(done.manifest.backtest, {
      cases: ['cases/yeonpyeong-2010-korea-lib.yaml'],
      observed: 'cases/observed.json',
      cutoff: 1985,
      runsPerCase: 400,
    });
    assert.equal(done.manifest.runs, 400);
    const expected = await cli([
      'cases/yeonpyeong-2010-korea-lib.yaml',
      '--runs',
      '400',
      '--seed',
      '3',
      '--workers',
      '1',
    ]);
    assert.deepEqual(done.report, expected);
    // The JSON download is the report and its manifest; its table is the job's page.
    const json = await owner.get(`/api/workspaces/${ws}/runs/${done.id}/report?format=json`);
    assert.equal(json.status, 200, json.text);
    assert.deepEqual(JSON.parse(json.text).report, expected);
    const html = await owner.get(`/api/workspaces/${ws}/runs/${done.id}/report?format=html`);
    assert.equal(html.status, 422);
    assert.match(html.body.error.message, /downloads as JSON/);
  });

  test('a backtest of the generic library (held-out and in-sample cases apart) equals the CLI on 1 and 2 worker threads, and resumes from any checkpoint', async () => {
    const lib = await addGenericLibrary(owner, ws);
    const done = await job({
      scenarioId: lib,
      cases: ['pueblo-1968', 'able-archer-1983', 'cheonan-2010'],
      runs: 300,
      seed: 5,
    });
    const report = done.report as BacktestResult;
    assert.deepEqual(
      report.cases.map((c) => c.file),
      GENERIC,
    );
    assert.ok(report.summary.n > 0 && report.inSample.n > 0, 'both held-out and in-sample cases');
    assert.equal(report.summary.n + report.inSample.n, 3);
    const args = [...GENERIC, '--runs', '300', '--seed', '5'];
    assert.deepEqual(report, await cli([...args, '--workers', '1']));
    assert.deepEqual(report, await cli([...args, '--workers', '2']));
    // Uneven slices, the job reopened from its checkpoint after each (as after a server restart).
    const record = (await srv.services.store.getRun(ws, done.id))!;
    let checkpoint: string | null = null;
    let slices = 0;
    while (true) {
      const j = openJob({ ...record, checkpoint });
      if (j.done() >= j.total) {
        assert.deepEqual(JSON.parse(await j.finish()), report, `after ${slices} slices`);
        break;
      }
      await j.step([170, 45, 400][slices % 3]!);
      checkpoint = j.checkpoint();
      slices++;
    }
    assert.ok(slices >= 4, `${slices} slices`);
  });

  test('the backtest route refuses what it cannot run, saying what is valid', async () => {
    const scenario = await scenarioId(owner, ws, 'korea-intercept.yaml');
    const notLibrary = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, { scenarioId: scenario });
    assert.equal(notLibrary.status, 404, notLibrary.text);
    assert.match(notLibrary.body.error.message, /no such library/);
    const calibrated = await scenarioId(owner, ws, 'lib/calibrated.yaml');
    const none = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, { scenarioId: calibrated });
    assert.equal(none.status, 422, none.text);
    assert.match(
      none.body.error.message,
      /no case shipped with Brink extends lib\/calibrated\.yaml; the cases extend lib\/generic-actors\.yaml, lib\/korea-actors\.yaml/,
    );
    const korea = await scenarioId(owner, ws, 'lib/korea-actors.yaml');
    const unknown = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, {
      scenarioId: korea,
      cases: ['atlantis-2030'],
    });
    assert.equal(unknown.status, 422, unknown.text);
    assert.match(
      unknown.body.error.message,
      /cases: no case cases\/atlantis-2030\.yaml; the cases shipped with Brink: able-archer-1983, /,
    );
    const runs = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, { scenarioId: korea, runs: 0 });
    assert.equal(runs.status, 400, runs.text);
    assert.match(runs.text, /runs/);
  });
});

describe('backtest jobs computed by `brink worker` processes over Redis', () => {
  let redis: RedisServer;
  const workers: Proc[] = [];
  let close: () => Promise<void> = async () => {};

  before(async () => {
    redis = await startRedis();
    workers.push(quickWorker(redis.url), quickWorker(redis.url));
    await Promise.all(workers.map((w) => w.waitFor(/serving queue/)));
  });
  after(async () => {
    await close();
    for (const w of workers) w.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await redis?.stop();
  });

  test('the stored report is the one of `brink backtest --json` (and of `brink backtest --queue`)', async () => {
    const services = await prepareServices({
      database: ':memory:',
      examplesDir: EXAMPLES,
      setupToken: undefined,
      secureCookies: false,
      jobs: { url: redis.url },
    });
    close = () => closeServices(services);
    const { owner, ws } = await setupOwner(createApp(services));
    const lib = await addGenericLibrary(owner, ws);
    const start = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, {
      scenarioId: lib,
      cases: ['pueblo-1968', 'cheonan-2010'],
      runs: 5000,
      seed: 2,
    });
    assert.equal(start.status, 202, start.text);
    await services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(done.body.status, 'done', JSON.stringify(done.body.error));
    const args = [GENERIC[0]!, GENERIC[2]!, '--runs', '5000', '--seed', '2'];
    assert.deepEqual(done.body.report, await cli([...args, '--workers', '1']));
    assert.deepEqual(done.body.report, await cli([...args, '--queue', redis.url]));
    const shards = workers.reduce((n, w) => n + w.lines.filter((l) => /^shard \S+ done/.test(l)).length, 0);
    assert.ok(shards >= 2, `the workers computed the cases' tasks (${shards} done)`);
  });
});
