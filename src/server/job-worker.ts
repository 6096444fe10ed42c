// A job's own worker thread (src/server/job-thread.ts): opens the stored job (compiling its scenario)
// and runs its slices, checkpoints and report here, so the server's thread only relays progress. The
// job code is the one the server ran on its own thread (analysis-jobs.ts): the same numbers.
import { parentPort } from 'node:worker_threads';
import type { RunRecord } from '../store/index.ts';
import { openJob, type SlicedJob } from './analysis-jobs.ts';

export type JobRequest =
  | { op: 'open'; run: RunRecord }
  | { op: 'step'; units: number }
  | { op: 'checkpoint' }
  | { op: 'finish' };

export type JobReply =
  | { ok: true; total?: number; done?: number; checkpoint?: string; report?: string }
  | { ok: false; error: string };

let job: SlicedJob | undefined;

async function answer(req: JobRequest): Promise<JobReply> {
  if (req.op === 'open') {
    job = openJob(req.run);
    return { ok: true, total: job.total, done: job.done() };
  }
  if (!job) throw new Error('no job is open on this thread');
  if (req.op === 'step') {
    await job.step(req.units);
    return { ok: true, done: job.done() };
  }
  if (req.op === 'checkpoint') return { ok: true, checkpoint: job.checkpoint() };
  return { ok: true, report: await job.finish() };
}

parentPort!.on('message', (req: JobRequest) => {
  answer(req).then(
    (r) => parentPort!.postMessage(r),
    (e: unknown) => parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
