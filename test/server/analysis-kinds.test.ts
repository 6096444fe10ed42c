// Sweeps, break-even searches and rare-event estimates through the API's job routes (one per analysis
// of the registry): background jobs whose stored report is the JSON the CLI prints for the same
// settings, resumable from a checkpoint to the same numbers, with a manifest of their own kind.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CompareReport } from '../../src/analysis/compare.ts';
import { openJob } from '../../src/server/analysis-jobs.ts';
import { brink } from '../cli.ts';
import { type Client, scenarioId, setupOwner, type TestServer, testServer } from './helpers.ts';

/** The JSON of a CLI command, without its timing. */
async function cli(args: string[]): Promise<unknown> {
  const r = await brink([...args, '--workers', '1', '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as Record<string, unknown>;
  delete j.timing;
  return j;
}

describe('sweep, break-even and rare-event jobs in the workbench', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;
  let intercept: string;
  let failure: string;

  before(async () => {
    srv = await testServer();
    ({ owner, ws } = await setupOwner(srv.app));
    intercept = await scenarioId(owner, ws, 'korea-intercept.yaml');
    failure = await scenarioId(owner, ws, 'korea-test-failure.yaml');
  });
  after(async () => {
    await srv.close();
  });

  /** Starts an analysis job, waits for it, and returns its record. */
  async function job(kind: string, body: Record<string, unknown>) {
    const start = await owner.post(`/api/workspaces/${ws}/analyses/${kind}`, body);
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.manifest.kind, kind);
    await srv.services.jobs.idle();
    const done = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(done.body.status, 'done', JSON.stringify(done.body.error));
    assert.equal(done.body.doneRuns, done.body.manifest.runs);
    return done.body;
  }

  test('POST …/analyses/sweep stores the report of `brink sweep --json`; its HTML report names the command', async () => {
    const params = [{ path: 'talks.eu-hosted.leak.DPRK.p', lo: 0, hi: 0.3, steps: 3 }];
    const done = await job('sweep', {
      scenarioId: failure,
      interventions: ['eu-hosted-talks'],
      params,
      runs: 800,
      seed: 2,
    });
    assert.deepEqual(done.manifest.sweep, { params, metrics: [], runsPerCell: 800 });
    assert.equal(done.manifest.runs, 3);
    const expected = await cli([
      'sweep',
      'scenarios/korea-test-failure.yaml',
      '--with',
      'eu-hosted-talks',
      '--param',
      'talks.eu-hosted.leak.DPRK.p=0..0.3:3',
      '--runs',
      '800',
      '--seed',
      '2',
    ]);
    assert.deepEqual(done.report, expected);
    const html = await owner.get(`/api/workspaces/${ws}/runs/${done.id}/report?format=html`);
    assert.equal(html.status, 200);
    assert.match(
      html.text,
      /brink sweep korea-test-failure\.yaml --with eu-hosted-talks --param talks\.eu-hosted\.leak\.DPRK\.p=0\.\.0\.3:3 --runs 800 --seed 2/,
    );
  });

  test('POST …/analyses/breakeven stores the report of `brink breakeven --json`', async () => {
    const done = await job('breakeven', {
      scenarioId: intercept,
      with: 'eu-hosted-talks',
      param: 'talks.eu-hosted.leak.DPRK.p',
      range: [0, 0.4],
      runs: 1500,
      seed: 1,
      grid: 3,
      bisect: 2,
    });
    const expected = await cli([
      'breakeven',
      'scenarios/korea-intercept.yaml',
      '--with',
      'eu-hosted-talks',
      '--param',
      'talks.eu-hosted.leak.DPRK.p',
      '--range',
      '0..0.4',
      '--runs',
      '1500',
      '--seed',
      '1',
      '--grid',
      '3',
      '--bisect',
      '2',
    ]);
    assert.deepEqual(done.report, expected);
  });

  test('POST …/analyses/rare stores the estimate of `brink run --estimator ams --json`', async () => {
    const done = await job('rare', {
      scenarioId: intercept,
      estimator: 'ams',
      particles: 100,
      replicates: 3,
      seed: 4,
    });
    const expected = await cli([
      'run',
      'scenarios/korea-intercept.yaml',
      '--estimator',
      'ams',
      '--particles',
      '100',
      '--replicates',
      '3',
      '--seed',
      '4',
    ]);
    assert.deepEqual(done.report, expected);
  });

  test('parameter draws (epistemic) in the workbench: run, compare and sweep jobs store the bands `brink … --epistemic --json` prints', async () => {
    const common = ['--runs', '600', '--seed', '3', '--epistemic', '3'];
    const sweep = await job('sweep', {
      scenarioId: intercept,
      interventions: ['eu-hosted-talks'],
      params: [{ path: 'talks.eu-hosted.leak.DPRK.p', lo: 0, hi: 0.2, steps: 2 }],
      runs: 600,
      seed: 3,
      epistemic: 3,
    });
    assert.equal(sweep.manifest.sweep.epistemic, 3);
    assert.deepEqual(
      sweep.report,
      await cli([
        'sweep',
        'scenarios/korea-intercept.yaml',
        '--with',
        'eu-hosted-talks',
        '--param',
        'talks.eu-hosted.leak.DPRK.p=0..0.2:2',
        ...common,
      ]),
    );
    const compare = await job('compare', {
      scenarioId: intercept,
      arms: ['eu-hosted-talks'],
      runs: 600,
      seed: 3,
      traceRuns: 0,
      epistemic: 3,
    });
    const cmp = (await cli([
      'compare',
      'scenarios/korea-intercept.yaml',
      '--with',
      'eu-hosted-talks',
      '--trace',
      '0',
      ...common,
    ])) as CompareReport;
    assert.deepEqual(compare.report.parameterDraws, cmp.parameterDraws);
    assert.deepEqual(compare.report.comparisons[0].epistemic, cmp.comparisons[0]!.epistemic);
    const start = await owner.post(`/api/workspaces/${ws}/runs`, {
      scenarioId: intercept,
      runs: 600,
      seed: 3,
      epistemic: 3,
    });
    assert.equal(start.status, 202, start.text);
    await srv.services.jobs.idle();
    const run = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}`);
    assert.equal(run.body.status, 'done', JSON.stringify(run.body.error));
    assert.equal(run.body.doneRuns, 600);
    const local = (await cli(['run', 'scenarios/korea-intercept.yaml', ...common])) as { epistemic: unknown };
    assert.deepEqual(run.body.report.epistemic, local.epistemic);
    const html = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=html`);
    assert.match(html.text, /parameter-uncertainty band/);
    assert.match(html.text, /Monte Carlo interval/);
  });

  test('sweep and break-even jobs stepped in slices, checkpointed and reopened give the stored report', async () => {
    const sweep = await job('sweep', {
      scenarioId: failure,
      interventions: ['eu-hosted-talks'],
      params: [{ path: 'talks.eu-hosted.convergence', lo: 0.1, hi: 0.6, steps: 4 }],
      runs: 600,
      seed: 7,
    });
    const breakeven = await job('breakeven', {
      scenarioId: intercept,
      with: 'eu-hosted-talks',
      param: 'talks.eu-hosted.leak.DPRK.p',
      range: [0, 0.4],
      runs: 500,
      grid: 4,
      bisect: 3,
    });
    for (const done of [sweep, breakeven]) {
      const record = (await srv.services.store.getRun(ws, done.id))!;
      let slices = 0;
      let checkpoint: string | null = null;
      // Uneven slices, the job reopened from its checkpoint after each (as after a server restart).
      while (true) {
        const j = openJob({ ...record, checkpoint });
        if (j.done() >= j.total) {
          assert.deepEqual(
            JSON.parse(await j.finish()),
            done.report,
            `${done.manifest.kind} after ${slices} slices`,
          );
          break;
        }
        await j.step([333, 50, 1000, 7][slices % 4]!);
        checkpoint = j.checkpoint();
        slices++;
      }
      assert.ok(slices > 4, `${done.manifest.kind}: ${slices} slices`);
    }
  });

  test('the job routes refuse bad designs with the field and what is valid', async () => {
    const bad = await owner.post(`/api/workspaces/${ws}/analyses/sweep`, {
      scenarioId: failure,
      params: [{ path: 'talks.nonexistent.p', lo: 0, hi: 1, steps: 2 }],
    });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.error.code, 'invalid_analysis');
    const none = await owner.post(`/api/workspaces/${ws}/analyses/sweep`, {
      scenarioId: failure,
      params: [],
    });
    assert.equal(none.status, 400, none.text);
    assert.match(none.text, /params/);
    const rung = await owner.post(`/api/workspaces/${ws}/analyses/rare`, {
      scenarioId: intercept,
      estimator: 'crude',
      target: 'no-such-rung',
    });
    assert.equal(rung.status, 422, rung.text);
    assert.match(rung.body.error.message, /no rung 'no-such-rung'; rungs: /);
    const unknown = await owner.post(`/api/workspaces/${ws}/analyses/backtest`, { scenarioId: intercept });
    assert.equal(unknown.status, 404);
  });
});
