// A server killed in the middle of a run (or a comparison): no half-written result, the job is marked
// interrupted on restart, and resuming it gives exactly the numbers of an uninterrupted one. Shared by
// the jobs computed on the server's threads (crash.test.ts) and on `brink worker` processes over Redis
// (jobs-queue.test.ts): `env` is what `brink serve` is started with.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from '../../src/analysis/compare.ts';
import { runRange, summarize } from '../../src/analysis/ensemble.ts';
import { bundledBaseRates } from '../../src/calibration/bundled.ts';
import { sanityPanel } from '../../src/calibration/violence.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { reportExtras } from '../../src/server/report.ts';
import { freePort, type Proc } from '../services.ts';
import { Http, serveChild, stopChild } from './child-server.ts';
import { EXAMPLES, PASSWORD } from './helpers.ts';

const readFile = (p: string) => readFileSync(p, 'utf8');

/** A fresh server on `data` with an owner signed in, and the id of a scenario of the examples. */
export async function ownerOn(data: string, env: Record<string, string>, file: string) {
  const port = await freePort();
  const server = await serveChild(port, data, env);
  const h = new Http(`http://127.0.0.1:${port}`);
  const setup = await h.req('POST', '/api/setup', { email: 'o@example.org', name: 'O', password: PASSWORD });
  assert.equal(setup.status, 201);
  const ws = setup.body.workspaces[0].id as string;
  const list = await h.req('GET', `/api/workspaces/${ws}/scenarios`);
  const sc = list.body.find((s: { path: string }) => s.path === file);
  return { port, server, h, ws, scenarioId: sc.id as string };
}

/**
 * Kills the server once the job at `url` has a checkpoint mid-way, starts it again, checks the job is
 * interrupted with no report, resumes it and returns the finished run.
 */
async function killAndResume(
  o: { port: number; server: Proc; h: Http },
  url: string,
  total: number,
  data: string,
  env: Record<string, string>,
) {
  const seen = (await o.h.poll(url, (r) => r.doneRuns > 0, 60)).doneRuns;
  assert.ok(seen < total, `a checkpoint was written mid-way (${seen} of ${total})`);
  await stopChild(o.server, 'SIGKILL');
  const second = await serveChild(o.port, data, env);
  await second.waitFor(/1 run\(s\) were interrupted/, 10_000);
  const interrupted = (await o.h.req('GET', url)).body;
  assert.equal(interrupted.status, 'interrupted');
  assert.equal(interrupted.report, null, 'no half-written report');
  assert.ok(
    interrupted.doneRuns >= seen && interrupted.doneRuns < total,
    `interrupted at its last checkpoint (${interrupted.doneRuns}; seen ${seen} of ${total})`,
  );
  assert.equal((await o.h.req('POST', `${url}/resume`)).status, 202);
  const done = await o.h.poll(url, (r) => r.status === 'done' || r.status === 'failed', 180);
  assert.equal(done.status, 'done', done.error);
  return { done, second };
}

// The jobs are sized so that the first checkpoint (after 500 ms) lands mid-job on an idle machine too:
// with 40,000 runs (and a 16,000-run comparison) an idle 2-core machine finished before the test saw one.

/** An ensemble of korea-test-failure: its stored report is the one runRange + summarize give. */
export async function crashMidRun(data: string, env: Record<string, string> = {}): Promise<void> {
  const RUNS = 200_000;
  const o = await ownerOn(data, env, 'korea-test-failure.yaml');
  const start = await o.h.req('POST', `/api/workspaces/${o.ws}/runs`, {
    scenarioId: o.scenarioId,
    runs: RUNS,
    seed: 11,
  });
  assert.equal(start.status, 202);
  const { done, second } = await killAndResume(
    o,
    `/api/workspaces/${o.ws}/runs/${start.body.id}`,
    RUNS,
    data,
    env,
  );
  assertRunReport(done.report, 'korea-test-failure.yaml', 11, RUNS);
  await stopChild(second);
}

/** A stored run report is the one runRange + summarize (and the server's extras and sanity panel) give. */
export function assertRunReport(
  report: Record<string, unknown>,
  file: string,
  seed: number,
  runs: number,
): void {
  const p = prepare(join(EXAMPLES, file), { readFile });
  const agg = runRange(p.model!, seed, 0, runs);
  const direct = summarize(p.model!, agg, { seed, engine: ENGINE_VERSION, topPaths: 12 });
  const { extras, sanity, ...stored } = report;
  assert.deepEqual(stored, JSON.parse(JSON.stringify(direct)));
  assert.deepEqual(extras, JSON.parse(JSON.stringify(reportExtras(p.model!, agg))));
  assert.deepEqual(
    sanity,
    JSON.parse(JSON.stringify(sanityPanel(p.model!, agg, p.doc!.trigger, bundledBaseRates()))),
  );
}

/** A comparison of korea-intercept with EU-hosted talks: its stored report is compare()'s. */
export async function crashMidComparison(data: string, env: Record<string, string> = {}): Promise<void> {
  const o = await ownerOn(data, env, 'korea-intercept.yaml');
  const settings = { arms: ['eu-hosted-talks'], runs: 80_000, seed: 5, traceRuns: 20 };
  const start = await o.h.req('POST', `/api/workspaces/${o.ws}/comparisons`, {
    scenarioId: o.scenarioId,
    ...settings,
  });
  assert.equal(start.status, 202);
  const url = `/api/workspaces/${o.ws}/runs/${start.body.id}`;
  const { done, second } = await killAndResume(o, url, settings.runs, data, env);
  const model = (iv: string[]) =>
    prepare(join(EXAMPLES, 'korea-intercept.yaml'), { readFile, interventions: iv }).model!;
  const direct = compare(model([]), [{ label: 'eu-hosted-talks', model: model(['eu-hosted-talks']) }], {
    seed: 5,
    runs: settings.runs,
    traceRuns: 20,
    engine: ENGINE_VERSION,
    topPaths: 12,
  });
  const { extras, ...stored } = done.report;
  assert.ok(extras.pathTree && extras.attribution);
  assert.deepEqual(stored, JSON.parse(JSON.stringify(direct)));
  await stopChild(second);
}
