// The engine in a browser Web Worker, for the workbench's instant previews: scenario texts in, the
// report of `brink run --json` out (same numbers as Node for the same seed), with progress between
// chunks. Bundled by scripts/build-web.ts into dist/web/engine-worker.js; no node:* anywhere below.
import { EnsembleJob, summarize } from '../analysis/ensemble.ts';
import { execute, InlineExecutor } from '../analysis/kernel/executor.ts';
import { localSource } from '../analysis/kernel/task.ts';
import { ENGINE_VERSION } from '../engine/model.ts';
import { hasErrors } from '../scenario/diagnostics.ts';
import { prepareFiles } from '../scenario/load.ts';
import type { EngineRequest, EngineResponse, RunRequest } from './protocol.ts';

interface WorkerScope {
  onmessage: ((e: { data: EngineRequest }) => void) | null;
  postMessage(message: EngineResponse): void;
}

const scope = globalThis as unknown as WorkerScope;
const running = new Map<number, AbortController>();
/** This thread, a chunk at a time, letting queued messages (a cancel) in between chunks. */
const inline = new InlineExecutor();

async function run(req: RunRequest): Promise<void> {
  const p = prepareFiles(req.files, req.entry, {
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
  const abort = new AbortController();
  running.set(req.id, abort);
  const job = new EnsembleJob(localSource(m), m, {
    seed: req.seed,
    runs: req.runs,
    engine: ENGINE_VERSION,
    shardSize: req.chunk ?? 2000,
  });
  try {
    await execute(job, inline, {
      signal: abort.signal,
      onProgress: (done, total) => scope.postMessage({ type: 'progress', id: req.id, done, total }),
    });
  } catch (e) {
    if (!abort.signal.aborted) throw e;
    scope.postMessage({ type: 'error', id: req.id, message: 'cancelled', diagnostics: [] });
    return;
  } finally {
    running.delete(req.id);
  }
  const agg = job.aggregate;
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
    running.get(req.id)?.abort();
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
