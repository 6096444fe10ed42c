// A background task's own worker thread (src/server/background-thread.ts): the talks room's analyses
// (gap ranking, protocol simulation) and the exercises' jobs (look-ahead, after-action review) compute
// here, from plain data the server's thread read and opened, so the event loop only relays progress.
// The code is the one the server ran on its own thread: the same numbers.
import { parentPort } from 'node:worker_threads';
import { DomainError } from '../errors.ts';
import { ExerciseError } from '../exercise/game.ts';
import { Cancelled } from '../talks/paired.ts';
import { TalksError } from '../talks/scenario.ts';
import type { BackgroundMessage, BackgroundReply, BackgroundTask } from './background-thread.ts';
import { computeExerciseJob } from './exercises/compute.ts';
import { computeTalksAnalysis } from './talks/compute.ts';

let cancelled = false;
const post = (r: BackgroundReply) => parentPort!.postMessage(r);
// Between two slices: lets a `cancel` message in.
const pause = () => new Promise<void>((r) => setImmediate(r));

async function compute(task: BackgroundTask): Promise<unknown> {
  const ctl = {
    cancelled: () => cancelled,
    pause,
    progress: (done: number, total: number) => post({ type: 'progress', done, total }),
  };
  return task.kind === 'talks' ? computeTalksAnalysis(task.input, ctl) : computeExerciseJob(task.input, ctl);
}

parentPort!.on('message', (m: BackgroundMessage) => {
  if (m.type === 'cancel') {
    cancelled = true;
    return;
  }
  // A `cancel` meant for the previous task (sent as it finished) does not stop this one.
  cancelled = false;
  compute(m.task).then(
    (result) => post({ type: 'done', result }),
    (e: unknown) =>
      post({
        type: 'failed',
        // What the server may say of a failure: a domain error's message, else only the error's name.
        error:
          e instanceof Cancelled
            ? { kind: 'cancelled', name: 'Cancelled', message: 'cancelled' }
            : e instanceof TalksError || e instanceof DomainError || e instanceof ExerciseError
              ? { kind: 'domain', name: e.name, message: e.message }
              : { kind: 'internal', name: e instanceof Error ? e.name : 'unknown', message: '' },
      }),
  );
});
