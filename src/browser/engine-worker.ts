// The engine in a browser Web Worker, for the workbench's instant previews: scenario texts in, the
// report of `brink run --json` out (same numbers as Node for the same seed), with progress between
// chunks. Bundled by scripts/build-web.ts into dist/web/engine-worker.js; no node:* anywhere below.
import { emptyAggregate, merge, runRange, summarize } from '../analysis/ensemble.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { Simulator } from '../engine/run.ts';
import { hasErrors } from '../scenario/diagnostics.ts';
import { prepare } from '../scenario/load.ts';
import type { EngineRequest, EngineResponse, RunRequest } from './protocol.ts';

interface WorkerScope {
  onmessage: ((e: { data: EngineRequest }) => void) | null;
  postMessage(message: EngineResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
const cancelled = new Set<number>();

/** Lets queued messages (a cancel) in between chunks. */
const breathe = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

async function run(req: RunRequest): Promise<void> {
  const p = prepare(req.entry, {
    readFile: (path) => req.files[path],
    ...(req.interventions ? { interventions: req.interventions } : {}),
    ...(req.set ? { set: req.set } : {}),
  });
  if (!p.model || hasErrors(p.diagnostics)) {
    scope.postMessage({
      type: 'error',
      id: req.id,
      message: 'the scenario does not compile',
      diagnostics: p.diagnostics,
    });
    return;
  }
  const m = p.model;
  const started = performance.now();
  const sim = new Simulator(m);
  const agg = emptyAggregate(m);
  const chunk = req.chunk ?? 2000;
  for (let start = 0; start < req.runs; start += chunk) {
    if (cancelled.delete(req.id)) {
      scope.postMessage({ type: 'error', id: req.id, message: 'cancelled', diagnostics: [] });
      return;
    }
    const n = Math.min(chunk, req.runs - start);
    merge(agg, runRange(m, req.seed, start, n, sim));
    scope.postMessage({ type: 'progress', id: req.id, done: start + n, total: req.runs });
    await breathe();
  }
  const report = summarize(m, agg, { seed: req.seed, engine: ENGINE_VERSION, topPaths: req.topPaths ?? 10 });
  const seconds = (performance.now() - started) / 1000;
  scope.postMessage({
    type: 'result',
    id: req.id,
    report,
    aggregate: agg,
    diagnostics: p.diagnostics,
    seconds,
  });
}

scope.onmessage = (e) => {
  const req = e.data;
  if (req.type === 'cancel') {
    cancelled.add(req.id);
    return;
  }
  run(req).catch((err: unknown) => {
    scope.postMessage({
      type: 'error',
      id: req.id,
      message: err instanceof Error ? err.message : String(err),
      diagnostics: [],
    });
  });
};
