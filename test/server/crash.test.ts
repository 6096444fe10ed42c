// A server killed in the middle of a run (or a comparison): no half-written result, the job is marked
// interrupted on restart, and resuming it gives exactly the numbers of an uninterrupted one.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compare } from '../../src/analysis/compare.ts';
import { runRange, summarize } from '../../src/analysis/ensemble.ts';
import { bundledBaseRates } from '../../src/calibration/bundled.ts';
import { sanityPanel } from '../../src/calibration/violence.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { reportExtras } from '../../src/server/report.ts';
import { freePort } from '../pg.ts';
import { EXAMPLES, PASSWORD } from './helpers.ts';

const ENTRY = fileURLToPath(new URL('./serve-entry.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'brink-crash-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function serve(port: number, data = dir): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--port', String(port), '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  for (let i = 0; i < 600 && !out.includes('Brink workbench on'); i++)
    await new Promise((r) => setTimeout(r, 100));
  assert.match(out, /Brink workbench on/);
  return { child, out: () => out };
}

class Http {
  cookie = '';
  csrf = '';
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  // biome-ignore lint/suspicious/noExplicitAny: replies of many shapes
  async req(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(this.base + path, {
      method,
      headers: {
        'content-type': 'application/json',
        cookie: this.cookie,
        'x-csrf-token': this.csrf,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const json = (await res.json().catch(() => null)) as { csrfToken?: string } | null;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: res.status, body: json };
  }
}

test('brink serve killed mid-run: the run is interrupted, resumes from its checkpoint to the uninterrupted numbers', async () => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const first = await serve(port);
  const h = new Http(base);
  const setup = await h.req('POST', '/api/setup', { email: 'o@example.org', name: 'O', password: PASSWORD });
  assert.equal(setup.status, 201);
  const ws = setup.body.workspaces[0].id;
  const list = await h.req('GET', `/api/workspaces/${ws}/scenarios`);
  const sc = list.body.find((s: { path: string }) => s.path === 'korea-test-failure.yaml');
  const RUNS = 40_000;
  const start = await h.req('POST', `/api/workspaces/${ws}/runs`, {
    scenarioId: sc.id,
    runs: RUNS,
    seed: 11,
  });
  assert.equal(start.status, 202);
  const runUrl = `/api/workspaces/${ws}/runs/${start.body.id}`;
  let seen = 0;
  for (let i = 0; i < 300 && seen === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    seen = (await h.req('GET', runUrl)).body.doneRuns;
  }
  assert.ok(seen > 0 && seen < RUNS, `a checkpoint was written mid-run (${seen})`);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = await serve(port);
  for (let i = 0; i < 100 && !/were interrupted/.test(second.out()); i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.match(second.out(), /1 run\(s\) were interrupted/);
  const interrupted = await h.req('GET', runUrl);
  assert.equal(interrupted.body.status, 'interrupted');
  assert.equal(interrupted.body.report, null, 'no half-written report');
  assert.ok(interrupted.body.doneRuns >= seen && interrupted.body.doneRuns < RUNS);

  const resumed = await h.req('POST', `${runUrl}/resume`);
  assert.equal(resumed.status, 202);
  let done = interrupted.body;
  for (let i = 0; i < 1200 && done.status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    done = (await h.req('GET', runUrl)).body;
  }
  assert.equal(done.status, 'done');
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const p = prepare(`${EXAMPLES}/korea-test-failure.yaml`, { readFile });
  const agg = runRange(p.model!, 11, 0, RUNS);
  const direct = summarize(p.model!, agg, { seed: 11, engine: ENGINE_VERSION, topPaths: 12 });
  const { extras, sanity, ...stored } = done.report;
  assert.deepEqual(stored, JSON.parse(JSON.stringify(direct)));
  assert.deepEqual(extras, JSON.parse(JSON.stringify(reportExtras(p.model!, agg))));
  assert.deepEqual(
    sanity,
    JSON.parse(JSON.stringify(sanityPanel(p.model!, agg, p.doc!.trigger, bundledBaseRates()))),
  );
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});

test('brink serve killed mid-comparison: the comparison is interrupted, resumes from its checkpoint to the numbers of compare()', async () => {
  const data = join(dir, 'compare');
  const port = await freePort();
  const first = await serve(port, data);
  const h = new Http(`http://127.0.0.1:${port}`);
  const setup = await h.req('POST', '/api/setup', { email: 'o@example.org', name: 'O', password: PASSWORD });
  const ws = setup.body.workspaces[0].id;
  const list = await h.req('GET', `/api/workspaces/${ws}/scenarios`);
  const sc = list.body.find((s: { path: string }) => s.path === 'korea-intercept.yaml');
  const settings = { arms: ['eu-hosted-talks'], runs: 16_000, seed: 5, traceRuns: 20 };
  const start = await h.req('POST', `/api/workspaces/${ws}/comparisons`, { scenarioId: sc.id, ...settings });
  assert.equal(start.status, 202);
  const url = `/api/workspaces/${ws}/runs/${start.body.id}`;
  let seen = 0;
  for (let i = 0; i < 300 && seen === 0; i++) {
    await new Promise((r) => setTimeout(r, 50));
    seen = (await h.req('GET', url)).body.doneRuns;
  }
  assert.ok(seen > 0 && seen < settings.runs, `a checkpoint was written mid-way (${seen})`);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));

  const second = await serve(port, data);
  for (let i = 0; i < 100 && !/were interrupted/.test(second.out()); i++)
    await new Promise((r) => setTimeout(r, 50));
  const interrupted = await h.req('GET', url);
  assert.equal(interrupted.body.status, 'interrupted');
  assert.equal(interrupted.body.report, null, 'no half-written report');
  assert.equal((await h.req('POST', `${url}/resume`)).status, 202);
  let done = interrupted.body;
  for (let i = 0; i < 1200 && done.status !== 'done'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    done = (await h.req('GET', url)).body;
  }
  assert.equal(done.status, 'done', done.error);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  const model = (iv: string[]) =>
    prepare(`${EXAMPLES}/korea-intercept.yaml`, { readFile, interventions: iv }).model!;
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
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});
