// Jobs on a worker thread: the queue (src/server/jobs.ts) drives a job through this proxy exactly as it
// drives one on its own thread (open, step, checkpoint, finish), but the compiling, the runs and the
// report happen on a thread of the job's own, so reads and health checks are answered while a job runs
// and when one job hands over to the next (docs/decisions/0018-server-load.md).
import { Worker } from 'node:worker_threads';
import { workerOptions } from '../analysis/parallel.ts';
import type { RunRecord } from '../store/index.ts';
import type { JobQueue, JobReply, JobRequest } from './job-worker.ts';
import type { JobHandle } from './jobs.ts';
import { serverWorkerFile } from './pool.ts';

/** The job worker: compiled (dist/), or from the sources the compiled one when fresh, else the tsx shim. */
export function jobWorkerFile(): string {
  return serverWorkerFile('job-worker');
}

/** How long a closing job may take to let go of its queue connection before its thread is ended. */
const CLOSE_MS = 2000;

/**
 * Opens stored jobs on worker threads: their tasks computed on the thread, or, with `queue`, by the
 * `brink worker` processes of that Redis queue (BRINK_JOBS).
 */
export function jobsOnThreads(queue?: JobQueue): (run: RunRecord) => Promise<JobHandle> {
  return (run) => openJobOnThread(run, queue);
}

/** Opens a stored job on a new worker thread; the handle's close() ends the thread. */
export async function openJobOnThread(run: RunRecord, queue?: JobQueue): Promise<JobHandle> {
  const file = jobWorkerFile();
  const worker = new Worker(file, workerOptions(file));
  let failure: Error | undefined;
  let waiting: { resolve: (r: JobReply) => void; reject: (e: Error) => void } | undefined;
  worker.on('message', (r: JobReply) => {
    const w = waiting;
    waiting = undefined;
    w?.resolve(r);
  });
  const fail = (e: Error) => {
    failure = e;
    const w = waiting;
    waiting = undefined;
    w?.reject(e);
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the job's thread stopped (exit code ${code})`)));
  // One request at a time: the queue awaits each before the next.
  const ask = (req: JobRequest): Promise<JobReply & { ok: true }> => {
    if (failure) return Promise.reject(failure);
    return new Promise<JobReply>((resolve, reject) => {
      waiting = { resolve, reject };
      worker.postMessage(req);
    }).then((r) => {
      if (!r.ok) throw new Error(r.error);
      return r;
    });
  };
  let opened: JobReply & { ok: true };
  try {
    opened = await ask({ op: 'open', run, queue });
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  let done = opened.done ?? 0;
  return {
    total: opened.total ?? run.manifest.runs,
    done: () => done,
    step: async (units) => {
      done = (await ask({ op: 'step', units })).done ?? done;
    },
    checkpoint: async () => (await ask({ op: 'checkpoint' })).checkpoint ?? '',
    finish: async () => (await ask({ op: 'finish' })).report ?? '',
    close: async () => {
      // A job on a queue closes its Redis connections first (bounded: a thread stuck in a task is ended).
      if (queue && !failure)
        await Promise.race([
          ask({ op: 'close' }).catch(() => {}),
          new Promise((r) => setTimeout(r, CLOSE_MS)),
        ]);
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}
