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
import type { RunRecord } from '../../src/store/index.ts';
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

/** `brink backtest --icb … --json`, parsed. */
async function icbCli(args: string[]): Promise<unknown> {
  const r = await brink(['backtest', '--icb', ...args, '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
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

/**
 * Reopens a stored job from its checkpoint after each slice of `units(k)` progress units (as after a
 * server restart) until it is done; its report must be `report`. Returns the number of slices.
 */
async function resumesTo(record: RunRecord, report: unknown, units: (k: number) => number): Promise<number> {
  let checkpoint: string | null = null;
  for (let slices = 0; ; slices++) {
    const j = openJob({ ...record, checkpoint });
    if (j.done() >= j.total) {
      assert.deepEqual(JSON.parse(await j.finish()), report, `after ${slices} slices`);
      return slices;
    }
    // A step of a series advances one part at most: step until the slice is done.
    const to = Math.min(j.total, j.done() + units(slices));
    while (j.done() < to) await j.step(to - j.done());
    checkpoint = j.checkpoint();
  }
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
    const slices = await resumesTo(record, report, (k) => [170, 45, 400][k % 3]!);
    assert.ok(slices >= 4, `${slices} slices`);
  });

  test('POST …/analyses/backtest-icb on the generic library equals `brink backtest --icb --json` on 1 and 2 worker threads, and resumes from any checkpoint', async () => {
    const lib = await scenarioId(owner, ws, 'lib/generic-actors.yaml').catch(() =>
      addGenericLibrary(owner, ws),
    );
    const start = await owner.post(`/api/workspaces/${ws}/analyses/backtest-icb`, {
      scenarioId: lib,
      runs: 30,
      seed: 4,
    });
    assert.equal(start.status, 202, start.text);
    assert.deepEqual(start.body.manifest['backtest-icb'], {
      split: 'time',
      cutoff: 1985,
      folds: null,
      until: null,
      runsPerCrisis: 30,
      fit: 'scenarios/lib/generic-fit.yaml',
    });
    await srv.services.jobs.idle();
    const done = (await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`)).body;
    assert.equal(done.status, 'done', JSON.stringify(done.error));
    assert.equal(done.doneRuns, done.manifest.runs);
    const report = done.report as { fits: { fromCache: boolean }[]; test: number; train: number };
    assert.ok(
      report.fits.every((f) => f.fromCache),
      'the saved fit serves',
    );
    assert.ok(report.test > 100 && report.train > 300, `${report.train} training, ${report.test} held out`);
    const args = ['--runs', '30', '--seed', '4'];
    assert.deepEqual(report, await icbCli([...args, '--workers', '1']));
    assert.deepEqual(report, await icbCli([...args, '--workers', '2']));
    // Its page names the CLI command; its report downloads as JSON only (for now).
    const json = await owner.get(`/api/workspaces/${ws}/runs/${done.id}/report?format=json`);
    assert.equal(json.status, 200, json.text);
    assert.deepEqual(JSON.parse(json.text).report, report);
    // Uneven slices, the job reopened from its checkpoint after each (as after a server restart).
    const record = (await srv.services.store.getRun(ws, done.id))!;
    // A third of the work (and a few runs) at a time.
    const third = Math.ceil(record.manifest.runs / 3);
    const slices = await resumesTo(record, report, (k) => third + [7, 0, 31][k % 3]!);
    assert.ok(slices >= 3, `${slices} slices`);
  });

  test('the ICB backtest route refuses bad options with the field and what is valid, and a split no saved fit serves', async () => {
    const lib = await scenarioId(owner, ws, 'lib/generic-actors.yaml').catch(() =>
      addGenericLibrary(owner, ws),
    );
    const post = (body: Record<string, unknown>) =>
      owner.post(`/api/workspaces/${ws}/analyses/backtest-icb`, { scenarioId: lib, ...body });
    for (const [body, message] of [
      [{ folds: 1 }, /folds: expected 2 or more folds/],
      [{ cutoff: 1800 }, /cutoff: expected a year from 1919 to 2019/],
      [{ cutoff: 1970, until: 1960 }, /until: 1960 must be after the cutoff 1970 of a time split/],
      [{ runs: 0 }, /runs: Too small/],
    ] as const) {
      const r = await post(body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.match(r.body.error.message, message);
    }
    const unsaved = await post({ cutoff: 1975 });
    assert.equal(unsaved.status, 422, unsaved.text);
    assert.match(
      unsaved.body.error.message,
      /no saved fit of the generic crisis model serves a time split at 1975 .*`brink fit --cutoff 1975` saves one\)\. Saved fits: scenarios\/lib\/generic-fit\.yaml: a time split at 1985; scenarios\/lib\/generic-fit-1970\.yaml: a time split at 1970; scenarios\/lib\/generic-fit-folds\.yaml: 5 folds \(seed 1\)/,
    );
    // A request names no file of the server: the data and fits are found as the CLI finds them.
    const named = await post({ runs: 1, fit: '/etc/passwd', data: '/etc' });
    assert.equal(named.status, 202, named.text);
    assert.equal(named.body.manifest['backtest-icb'].fit, 'scenarios/lib/generic-fit.yaml');
    await srv.services.jobs.idle();
    const korea = await scenarioId(owner, ws, 'lib/korea-actors.yaml');
    const other = await owner.post(`/api/workspaces/${ws}/analyses/backtest-icb`, { scenarioId: korea });
    assert.equal(other.status, 422, other.text);
    assert.match(
      other.body.error.message,
      /scores the generic crisis library, lib\/generic-actors\.yaml .*not lib\/korea-actors\.yaml/,
    );
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
  const opened: Awaited<ReturnType<typeof prepareServices>>[] = [];
  const close = async () => {
    for (const services of opened.splice(0)) await closeServices(services);
  };

  /** A server whose jobs' tasks the workers compute, with the generic library in its workspace. */
  async function queueServer() {
    const services = await prepareServices({
      database: ':memory:',
      examplesDir: EXAMPLES,
      setupToken: undefined,
      secureCookies: false,
      jobs: { url: redis.url },
    });
    opened.push(services);
    const { owner, ws } = await setupOwner(createApp(services));
    return { services, owner, ws, lib: await addGenericLibrary(owner, ws) };
  }

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
    const { services, owner, ws, lib } = await queueServer();
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

  test('a backtest on ICB crises (5 folds, the saved fold fits) computed by the workers: the JSON of `brink backtest --icb --folds 5 --json`', async () => {
    const { services, owner, ws, lib } = await queueServer();
    const start = await owner.post(`/api/workspaces/${ws}/analyses/backtest-icb`, {
      scenarioId: lib,
      folds: 5,
      runs: 20,
    });
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.manifest['backtest-icb'].fit, 'scenarios/lib/generic-fit-folds.yaml');
    const seen = workers.map((w) => w.lines.length);
    await services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(done.body.status, 'done', JSON.stringify(done.body.error));
    const args = ['--folds', '5', '--runs', '20'];
    assert.deepEqual(done.body.report, await icbCli([...args, '--workers', '1']));
    assert.deepEqual(done.body.report, await icbCli([...args, '--queue', redis.url]));
    const tasks = workers.reduce(
      (n, w, k) => n + w.lines.slice(seen[k]).filter((l) => /done/.test(l)).length,
      0,
    );
    assert.ok(tasks > 0, `the workers computed the forecasts (${tasks} tasks)`);
  });
});
