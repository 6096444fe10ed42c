// The scenario pipeline and the engine in a Web Worker: diagnostics while typing (the CLI's
// validateFile over the workspace's files) and a quick in-browser preview ensemble.
import { emptyAggregate, merge, runRange, summarize } from '../../../src/analysis/ensemble.ts';
import { ENGINE_VERSION } from '../../../src/engine/model.ts';
import { Simulator } from '../../../src/engine/run.ts';
import { prepare, validateFile } from '../../../src/scenario/index.ts';
import type { WorkerReply, WorkerRequest } from './protocol.ts';

let latestPreview = 0;

const reply = (m: WorkerReply) => (self as unknown as Worker).postMessage(m);

function reader(files: Record<string, string>) {
  return { readFile: (p: string) => (Object.hasOwn(files, p) ? files[p] : undefined) };
}

async function preview(req: Extract<WorkerRequest, { type: 'preview' }>): Promise<void> {
  const t0 = performance.now();
  const p = prepare(req.path, { ...reader(req.files), interventions: req.interventions, set: req.set });
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
  const agg = emptyAggregate(p.model);
  const sim = new Simulator(p.model);
  for (let done = 0; done < req.runs; ) {
    const n = Math.min(250, req.runs - done);
    merge(agg, runRange(p.model, req.seed, done, n, sim));
    done += n;
    // Let a newer request in: if one arrived, this preview is stale.
    await new Promise((r) => setTimeout(r, 0));
    if (latestPreview !== req.id) return;
  }
  const report = summarize(p.model, agg, { seed: req.seed, engine: ENGINE_VERSION, topPaths: 8 });
  reply({ type: 'preview', id: req.id, report, error: null, ms: performance.now() - t0 });
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  if (req.type === 'validate') {
    const t0 = performance.now();
    const v = validateFile(req.path, reader(req.files));
    reply({ type: 'diagnostics', id: req.id, diagnostics: v.diagnostics, ms: performance.now() - t0 });
  } else {
    latestPreview = req.id;
    void preview(req);
  }
};
