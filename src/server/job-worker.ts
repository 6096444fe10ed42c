// A job's own worker thread (src/server/job-thread.ts): opens the stored job (compiling its scenario)
// and runs its slices, checkpoints and report here, so the server's thread only relays progress. The
// job code is the one the server ran on its own thread (analysis-jobs.ts): the same numbers. With a
// queue (BRINK_JOBS=redis://…), the job's tasks go from here to `brink worker` processes over Redis.
import { parentPort } from 'node:worker_threads';
import { type QueueConnection, ShardQueueClient } from '../distributed/queue.ts';
import type { RunRecord } from '../store/index.ts';
import { openJob, openJobOn, type SlicedJob } from './analysis-jobs.ts';

/** Where a job's tasks are computed: on its thread, or by the workers of a Redis queue. */
export interface JobQueue extends QueueConnection {
  /** How long Redis may be unreachable before the job fails (ms). */
  timeoutMs?: number;
}

export type JobRequest =
  | { op: 'open'; run: RunRecord; queue?: JobQueue | undefined }
  | { op: 'step'; units: number }
  | { op: 'checkpoint' }
  | { op: 'finish' }
  | { op: 'close' };

export type JobReply =
  | { ok: true; total?: number; done?: number; checkpoint?: string; report?: string }
  | { ok: false; error: string };

let job: SlicedJob | undefined;
let client: ShardQueueClient | undefined;

async function answer(req: JobRequest): Promise<JobReply> {
  if (req.op === 'open') {
    if (req.queue) {
      const { url, prefix, timeoutMs } = req.queue;
      // What the queue has to say (Redis lost and back, workers gone) goes to the server's log.
      const log = (line: string) => console.error(`brink serve: job ${req.run.id}: ${line}`);
      client = await ShardQueueClient.open({
        url,
        log,
        ...(prefix !== undefined ? { prefix } : {}),
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      });
      if ((await client.workers()) === 0) log(await client.noWorkersMessage());
      job = openJobOn(req.run, client);
    } else job = openJob(req.run);
    return { ok: true, total: job.total, done: job.done() };
  }
  if (req.op === 'close') {
    await job?.close?.();
    await client?.close();
    client = undefined;
    return { ok: true };
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
