import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildEngineWorker } from '../../scripts/build-web.ts';
import { runRange, summarize } from '../../src/analysis/ensemble.ts';
import type { EngineResponse, RunRequest } from '../../src/browser/protocol.ts';
import { ENGINE_VERSION } from '../../src/engine/model.ts';
import { prepare } from '../../src/scenario/index.ts';
import { launchChromium } from '../chromium.ts';
import { ROOT } from '../scenarios.ts';

interface PageWorker {
  onmessage: (e: { data: EngineResponse }) => void;
  onerror: (e: { message: string }) => void;
  postMessage(m: unknown): void;
}

test('engine-worker (bundled, in headless Chromium): the same report and aggregate as Node for the same seed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'brink-web-'));
  const bundle = join(dir, 'engine-worker.js');
  await buildEngineWorker(bundle);
  // The whole scenario library, as the workbench would hand it over (the scenario extends libraries).
  const files: Record<string, string> = {};
  for (const f of readdirSync(`${ROOT}scenarios`, { recursive: true, encoding: 'utf8' }))
    if (f.endsWith('.yaml')) files[`/scenarios/${f}`] = readFileSync(`${ROOT}scenarios/${f}`, 'utf8');
  const request: RunRequest = {
    type: 'run',
    id: 1,
    files,
    entry: '/scenarios/korea-decapitation-misread.yaml',
    interventions: ['launch-notification', 'eu-hosted-talks'],
    seed: 42,
    runs: 6000,
    chunk: 1500,
  };

  // Node, from the same texts.
  const p = prepare(request.entry, {
    readFile: (f) => files[f],
    interventions: request.interventions!,
  });
  assert.ok(p.model, JSON.stringify(p.diagnostics));
  const aggregate = runRange(p.model, request.seed, 0, request.runs);
  const report = summarize(p.model, aggregate, { seed: request.seed, engine: ENGINE_VERSION, topPaths: 10 });

  const server = createServer((req, res) => {
    if (req.url === '/engine-worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(bundle));
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>brink engine worker</title>');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    const messages = await page.evaluate(
      (req) =>
        new Promise<EngineResponse[]>((resolve) => {
          const seen: EngineResponse[] = [];
          // This runs in the page: the DOM's Worker (tsconfig has no DOM lib).
          const PageWorker = (globalThis as unknown as { Worker: new (url: string) => PageWorker }).Worker;
          const w = new PageWorker('/engine-worker.js');
          w.onmessage = (e) => {
            seen.push(e.data);
            if (e.data.type !== 'progress') resolve(seen);
          };
          w.onerror = (e) => {
            seen.push({ type: 'error', id: req.id, message: String(e.message), diagnostics: [] });
            resolve(seen);
          };
          w.postMessage(req);
        }),
      request,
    );
    const last = messages.at(-1)!;
    assert.equal(last.type, 'result', JSON.stringify(last));
    if (last.type !== 'result') return;
    assert.deepEqual(
      messages.filter((x) => x.type === 'progress').map((x) => (x.type === 'progress' ? x.done : 0)),
      [1500, 3000, 4500, 6000],
    );
    assert.deepEqual(last.aggregate, aggregate);
    assert.deepEqual(last.report, report);
    assert.equal(last.report.scenario.hash, p.hash);
  } finally {
    await browser.close();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
