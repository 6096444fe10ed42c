// Comparisons and sensitivity analyses through the API: background jobs that give the numbers of the
// analysis functions called directly, re-run to the same numbers, resume from a checkpoint after a
// stop to the same numbers, and download as HTML, JSON and CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { compare } from '../../src/analysis/compare.ts';
import { emptyAggregate, record } from '../../src/analysis/ensemble.ts';
import { SOBOL_TOP } from '../../src/analysis/options.ts';
import { sensitivity } from '../../src/analysis/sensitivity.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { Simulator } from '../../src/engine/run.ts';
import { prepare } from '../../src/scenario/index.ts';
import { RunQueue } from '../../src/server/jobs.ts';
import { reportExtras } from '../../src/server/report.ts';
import { type Client, EXAMPLES, scenarioId, setupOwner, type TestServer, testServer } from './helpers.ts';

const readFile = (p: string) => {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
};
const json = (x: unknown) => JSON.parse(JSON.stringify(x));
const INTERCEPT = `${EXAMPLES}/korea-intercept.yaml`;
const model = (iv: string[] = []) => prepare(INTERCEPT, { readFile, interventions: iv }).model!;

/** `brink compare`'s result for these settings, computed directly. */
function directCompare(arms: string[], runs: number, seed: number, traceRuns: number) {
  const base = model();
  const r = compare(
    base,
    arms.map((label) => ({ label, model: model([label]) })),
    { seed, runs, traceRuns, engine: ENGINE_VERSION, topPaths: 12 },
  );
  const agg = emptyAggregate(base);
  const sim = new Simulator(base);
  for (let i = 0; i < runs; i++) record(agg, sim.run(seed, i));
  return json({ ...r, extras: reportExtras(base, agg) });
}

const SMALL = { tornadoRuns: 100, samples: 2, runsPerPoint: 30, bootstrap: 40 };

function directSensitivity(seed: number, interventions: string[]) {
  const p = prepare(INTERCEPT, { readFile, interventions });
  return json(
    sensitivity(
      p.doc!,
      { hash: p.hash!, interventions: p.model!.interventions, engine: ENGINE_VERSION },
      {
        seed,
        tornadoRuns: SMALL.tornadoRuns,
        samples: SMALL.samples,
        runs: SMALL.runsPerPoint,
        bootstrap: SMALL.bootstrap,
      },
    ),
  );
}

describe('comparisons and sensitivity in the workbench', () => {
  let srv: TestServer;
  let owner: Client;
  let ws: string;
  let id: string;

  before(async () => {
    srv = await testServer();
    ({ owner, ws } = await setupOwner(srv.app));
    id = await scenarioId(owner, ws, 'korea-intercept.yaml');
  });
  after(async () => {
    await srv.close();
  });

  const get = (run: string) => owner.get(`/api/workspaces/${ws}/runs/${run}`);

  test('POST /api/workspaces/:ws/comparisons runs in the background to the numbers of compare(), re-runs to the same, downloads', async () => {
    const arms = ['eu-hosted-talks', 'hotline+launch-notification'];
    const start = await owner.post(`/api/workspaces/${ws}/comparisons`, {
      scenarioId: id,
      arms,
      runs: 3000,
      seed: 3,
      traceRuns: 40,
    });
    assert.equal(start.status, 202, start.text);
    assert.equal(start.body.manifest.kind, 'compare');
    assert.deepEqual(start.body.manifest.compare, { arms, traceRuns: 40 });
    await srv.services.jobs.idle();
    const done = await get(start.body.id);
    assert.equal(done.body.status, 'done');
    assert.equal(done.body.doneRuns, 3000);
    assert.deepEqual(done.body.report, directCompare(arms, 3000, 3, 40));
    const eu = done.body.report.comparisons[0];
    assert.ok(eu.saved > 0 && eu.mechanisms.saved.sentences.length > 0);

    const again = await owner.post(`/api/workspaces/${ws}/runs/${start.body.id}/rerun`);
    assert.equal(again.status, 202);
    await srv.services.jobs.idle();
    assert.deepEqual((await get(again.body.id)).body.report, done.body.report, 're-run: same numbers');

    const base = `/api/workspaces/${ws}/runs/${start.body.id}/report`;
    const html = await owner.get(`${base}?format=html`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-disposition') ?? '', /korea-intercept-compare-seed3\.html/);
    assert.match(html.text, /<figure class="chart" id="forest">[\s\S]*?<svg/);
    assert.match(html.text, /id="sankey"/);
    assert.match(
      html.text,
      /brink compare korea-intercept\.yaml --with eu-hosted-talks --with hotline\+launch-notification --runs 3000 --seed 3 --trace 40/,
    );
    assert.match(html.text, /Saved from war or worse: <b>\d+<\/b>/);
    assert.doesNotMatch(html.text, /<script|<link|src="http/);
    const csv = await owner.get(`${base}?format=csv`);
    assert.match(csv.text, /^section,item,quantity,value,lo,hi\nmanifest,command,,brink compare/);
    assert.match(csv.text, /\ndelta,eu-hosted-talks,warOrWorse,-?[\d.e-]+,/);
    assert.match(csv.text, /\nsaved,hotline\+launch-notification,runs,\d+/);
    const j = await owner.get(`${base}?format=json`);
    assert.equal(j.body.manifest.kind, 'compare');
    assert.deepEqual(j.body.report, done.body.report);

    // A saved run replayed with the arm: it stays below war, and at baseline it reaches war.
    const saved = eu.savedRuns[0];
    const t = `/api/workspaces/${ws}/runs/${start.body.id}/trace?index=${saved}`;
    const atBase = await owner.get(t);
    const withArm = await owner.get(`${t}&arm=eu-hosted-talks`);
    assert.equal(withArm.status, 200);
    assert.deepEqual(withArm.body.interventions, ['eu-hosted-talks']);
    const war = atBase.body.rungs.indexOf('war');
    assert.ok(atBase.body.rungs.indexOf(atBase.body.peak) >= war);
    assert.ok(withArm.body.rungs.indexOf(withArm.body.peak) < war);
    const bad = await owner.get(`${t}&arm=nonsense`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /arms: eu-hosted-talks, hotline\+launch-notification/);
  });

  test('POST /api/workspaces/:ws/comparisons refuses bad input with a clear error', async () => {
    const post = (body: Record<string, unknown>) =>
      owner.post(`/api/workspaces/${ws}/comparisons`, { scenarioId: id, ...body });
    const none = await post({ arms: [] });
    assert.equal(none.status, 400);
    assert.match(none.body.error.message, /arms: compare needs at least one intervention/);
    const twice = await post({ arms: ['hotline', 'hotline'] });
    assert.equal(twice.status, 400);
    const unknown = await post({ arms: ['hotline+bribery'] });
    assert.equal(unknown.status, 422);
    assert.match(JSON.stringify(unknown.body.error.diagnostics), /bribery/);
    const huge = await post({ arms: ['hotline'], runs: 20_000_000 });
    assert.equal(huge.status, 400);
    assert.match(huge.body.error.message, /runs/);
  });

  test('POST /api/workspaces/:ws/sensitivity runs in the background to the numbers of sensitivity()', async () => {
    const params = await owner.get(`/api/workspaces/${ws}/scenarios/${id}/parameters`);
    assert.equal(params.status, 200);
    const detect = params.body.find(
      (p: { path: string }) => p.path === 'actors.DPRK.perception.isr.air.detect',
    );
    assert.ok(detect, 'the uncertain parameters are listed by path');
    assert.match(detect.distribution, /^triangular\(/);
    assert.ok(detect.source);

    const start = await owner.post(`/api/workspaces/${ws}/sensitivity`, {
      scenarioId: id,
      seed: 5,
      interventions: ['eu-hosted-talks'],
      ...SMALL,
    });
    assert.equal(start.status, 202, start.text);
    const m = start.body.manifest;
    assert.equal(m.kind, 'sensitivity');
    const k = m.sensitivity.parameters;
    assert.ok(k >= params.body.length, 'the talks add their own uncertain parameters');
    // Two stages: the tornado over all k, the Sobol design over the default 12 with the largest swing.
    assert.equal(m.sensitivity.sobolTop, SOBOL_TOP);
    assert.equal(
      m.runs,
      SMALL.tornadoRuns * (1 + 2 * k) + SMALL.samples * (SOBOL_TOP + 2) * SMALL.runsPerPoint,
    );
    await srv.services.jobs.idle();
    const done = await get(start.body.id);
    assert.equal(done.body.status, 'done', done.body.error);
    assert.deepEqual(done.body.report, directSensitivity(5, ['eu-hosted-talks']));
    assert.equal(done.body.report.tornado.bars.length, k);
    assert.equal(done.body.report.sobol.indices.length, SOBOL_TOP);
    assert.equal(done.body.report.sobol.screening.heldAtNominal, k - SOBOL_TOP);

    const html = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=html`);
    assert.match(html.text, /id="tornado"[\s\S]*?<svg/);
    assert.match(html.text, /id="sobol"[\s\S]*?<svg/);
    assert.match(html.text, /brink sensitivity korea-intercept\.yaml --with eu-hosted-talks --seed 5/);
    assert.match(html.text, / --sobol-top 12/);
    assert.match(html.text, /varies only the 12 of \d+ uncertain parameters with the largest tornado swing/);
    assert.match(html.text, /so these indices are conditional on them/);
    assert.match(
      html.text,
      new RegExp(`The 20 largest of ${k} parameters; ${k - 20} more in the JSON and CSV`),
    );
    const csv = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=csv`);
    assert.match(csv.text, /\ntornado,actors\.DPRK\.perception\.isr\.air\.detect,high-low,/);
    assert.match(csv.text, /\nsobol,[^,]+,total,/);
  });

  test('POST /api/workspaces/:ws/sensitivity refuses bad input with a clear error', async () => {
    const post = (body: Record<string, unknown>) =>
      owner.post(`/api/workspaces/${ws}/sensitivity`, { scenarioId: id, ...body });
    const q = await post({ low: 0.9, high: 0.1 });
    assert.equal(q.status, 400);
    assert.match(q.body.error.message, /low: the low quantile must be below the high one/);
    const metric = await post({ metric: 'peak>=armageddon' });
    assert.equal(metric.status, 422);
    assert.match(metric.body.error.message, /unknown rung 'armageddon'.*rungs: routine/);
    const only = await post({ only: ['actors.DPRK.nonsense'] });
    assert.equal(only.status, 422);
    assert.match(only.body.error.message, /not an uncertain parameter of this scenario/);
    for (const [sobolTop, why] of [
      [-1, /sobolTop: Too small: expected number to be >=0/],
      [2.5, /sobolTop: Invalid input: expected int, received number/],
    ] as const) {
      const bad = await post({ sobolTop });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, why);
    }
    const big = await post({ samples: 4096, runsPerPoint: 1_000_000 });
    assert.equal(big.status, 422);
    assert.match(big.body.error.message, /engine runs; at most 200,000,000/);
  });

  test('a comparison and a sensitivity analysis stopped mid-way resume from their checkpoints to the uninterrupted numbers', async () => {
    const { services } = srv;
    const cases = [
      {
        path: 'comparisons',
        body: { scenarioId: id, arms: ['us-china-talks'], runs: 4000, seed: 9, traceRuns: 20 },
        direct: () => directCompare(['us-china-talks'], 4000, 9, 20),
      },
      {
        path: 'sensitivity',
        body: { scenarioId: id, seed: 4, interventions: [], ...SMALL },
        direct: () => directSensitivity(4, []),
      },
    ];
    for (const c of cases) {
      // Small slices and frequent checkpoints, so that the stop falls mid-way.
      await services.jobs.stop();
      services.jobs = new RunQueue(services.store, { sliceMs: 5, checkpointMs: 10 });
      const start = await owner.post(`/api/workspaces/${ws}/${c.path}`, c.body);
      assert.equal(start.status, 202, start.text);
      let seen = 0;
      for (let i = 0; i < 500 && seen === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        seen = (await get(start.body.id)).body.doneRuns;
      }
      await services.jobs.stop();
      const stopped = await get(start.body.id);
      assert.equal(stopped.body.status, 'running', 'a stopped server leaves the job as it was');
      assert.ok(
        seen > 0 && stopped.body.doneRuns < start.body.manifest.runs,
        `${c.path}: checkpoint mid-way`,
      );
      assert.deepEqual(await services.store.markInterrupted(), [start.body.id]);
      services.jobs = new RunQueue(services.store);
      const resumed = await owner.post(`/api/workspaces/${ws}/runs/${start.body.id}/resume`);
      assert.equal(resumed.status, 202);
      await services.jobs.idle();
      const done = await get(start.body.id);
      assert.equal(done.body.status, 'done', done.body.error);
      assert.deepEqual(done.body.report, c.direct(), `${c.path}: resumed to the uninterrupted numbers`);
    }
  });

  test('POST …/runs/:run/cancel stops a comparison; it ends cancelled with no report', async () => {
    const start = await owner.post(`/api/workspaces/${ws}/comparisons`, {
      scenarioId: id,
      arms: ['hotline'],
      runs: 2_000_000,
    });
    assert.equal(start.status, 202);
    const cancel = await owner.post(`/api/workspaces/${ws}/runs/${start.body.id}/cancel`);
    assert.equal(cancel.status, 200);
    await srv.services.jobs.idle();
    const r = await get(start.body.id);
    assert.equal(r.body.status, 'cancelled');
    assert.equal(r.body.report, null);
    const dl = await owner.get(`/api/workspaces/${ws}/runs/${start.body.id}/report?format=html`);
    assert.equal(dl.status, 409);
  });
});
