// The scenario pipeline and the engine in a Web Worker: diagnostics while typing (the CLI's
// validateFile over the workspace's files) and a quick in-browser preview ensemble.
import { EnsembleJob, summarize } from '../../../src/analysis/ensemble.ts';
import { execute, InlineExecutor } from '../../../src/analysis/kernel/executor.ts';
import { localSource } from '../../../src/analysis/kernel/task.ts';
import { ENGINE_VERSION } from '../../../src/engine/model.ts';
import { filesIo, prepareFiles, validateFile } from '../../../src/scenario/index.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

let latestPreview = 0;
const inline = new InlineExecutor();

const reply = (m: WorkerReply) => (self as unknown as Worker).postMessage(m);

async function preview(req: Extract<WorkerRequest, { type: 'preview' }>): Promise<void> {
  const t0 = performance.now();
  const p = prepareFiles(req.files, req.path, { interventions: req.interventions, set: req.set });
  if (!p.model) {
    reply({
      type: 'preview',
      id: req.id,
      report: null,
      error: p.diagnostics.find((d) => d.severity === 'error')?.message ?? 'not runnable',
      ms: 0,
    });
    return;
  }
  // A newer request makes this preview stale: it stops at the next chunk.
  const stale = new AbortController();
  const job = new EnsembleJob(localSource(p.model), p.model, {
    seed: req.seed,
    runs: req.runs,
    engine: ENGINE_VERSION,
    shardSize: 250,
  });
  try {
    await execute(job, inline, {
      signal: stale.signal,
      onProgress: () => {
        if (latestPreview !== req.id) stale.abort();
      },
    });
  } catch (e) {
    if (stale.signal.aborted) return;
    throw e;
  }
  const agg = job.aggregate;
  const report = summarize(p.model, agg, { seed: req.seed, engine: ENGINE_VERSION, topPaths: 8 });
  reply({ type: 'preview', id: req.id, report, error: null, ms: performance.now() - t0 });
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type === 'validate') {
    const t0 = performance.now();
    const v = validateFile(req.path, filesIo(req.files));
    reply({ type: 'diagnostics', id: req.id, diagnostics: v.diagnostics, ms: performance.now() - t0 });
  } else {
    latestPreview = req.id;
    void preview(req);
  }
};
