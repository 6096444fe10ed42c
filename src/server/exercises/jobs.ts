// The exercises' background jobs (the coach's look-ahead, the after-action review) as tasks of the
// server's one job queue (src/server/jobs.ts), like the talks room's analyses: queued behind the
// workbench's runs, stepped in slices of the analysis kernel's tasks (src/exercise/coach.ts: PlayJob,
// ReviewJob) on a background thread of the job's own (exercises/compute.ts), so the event loop only
// relays progress. Progress reaches the facilitator's event stream; the result is stored sealed with the
// exercise's key. A job computes on the game as it was at its log entry (`head`): the same numbers as
// the same analysis run at once.
import { BackgroundError, runInBackground } from '../background-thread.ts';
import { type RunQueue, SubmittedTasks, type TaskControl } from '../jobs.ts';
import type { ExerciseJobInput } from './compute.ts';
import { type ExerciseRoom, jobInfo } from './room.ts';

/** At most this often is progress written to the store (the stream hears every slice). */
const PROGRESS_MS = 250;

export class ExerciseJobs extends SubmittedTasks {
  private readonly room: ExerciseRoom;
  /** Jobs the facilitator cancelled (a job stopped by the server stopping is not one of them). */
  private readonly cancelled = new Set<string>();

  constructor(room: ExerciseRoom, queue: RunQueue) {
    super(queue);
    this.room = room;
    room.onJob = (exerciseId, id) =>
      this.submit(id, (ctl) => this.execute(exerciseId, id, ctl).finally(() => this.cancelled.delete(id)));
    room.onCancel = (id) => {
      this.cancelled.add(id);
      this.cancel(id);
    };
  }

  private async execute(exerciseId: string, id: string, ctl: TaskControl): Promise<void> {
    const store = this.room.store.exercises;
    const row = await store.job(exerciseId, id);
    const exercise = await this.room.store.exercises.exercise(exerciseId);
    if (!row || !exercise || row.status !== 'queued') return;
    const tell = async () => {
      const now = await store.job(exerciseId, id);
      if (now) this.room.jobMoved(exerciseId, jobInfo(now));
    };
    const end = async (status: 'failed' | 'cancelled', error: string) => {
      await store.setJob(id, { status, error, finishedAt: new Date().toISOString() });
      await tell();
    };
    // Stopped by the facilitator: cancelled; by the server stopping: left as it is (marked interrupted
    // when the server starts again).
    const stop = () => (this.cancelled.has(id) ? end('cancelled', 'cancelled') : undefined);
    if (ctl.cancelled() || this.stopped) return stop();
    try {
      // The game's replay, the continuations and the review compute on a thread of the job's own;
      // this thread opens the log, relays progress and seals the result.
      const log = await this.room.logAt(exerciseId, row.head);
      const options = JSON.parse(row.options) as ExerciseJobInput['options'];
      let written = performance.now();
      let started = false;
      let jobTotal = 0;
      const result = await runInBackground(
        { kind: 'exercise', input: { kind: row.kind, log, options } },
        {
          cancelled: () => ctl.cancelled() || this.stopped,
          progress: async (done, total) => {
            jobTotal = total;
            if (!started) {
              started = true;
              await store.setJob(id, { status: 'running', total, done: 0 });
              await tell();
              return;
            }
            const info = { ...jobInfo(row), status: 'running' as const, done, total };
            if (performance.now() - written >= PROGRESS_MS) {
              await store.setJob(id, { done });
              written = performance.now();
            }
            this.room.jobMoved(exerciseId, info);
          },
        },
      );
      await store.setJob(id, {
        status: 'done',
        done: jobTotal,
        sealed: this.room.seal(exerciseId, exercise.wrappedKey, 'job', id, result),
        finishedAt: new Date().toISOString(),
      });
      await tell();
    } catch (e) {
      // The message says what went wrong in the domain's words, or only that it failed (a bug's
      // message may quote the game).
      if (e instanceof BackgroundError && e.kind === 'cancelled') return stop();
      const message =
        e instanceof BackgroundError && e.kind === 'domain'
          ? e.message
          : `internal error (${e instanceof Error ? e.name : 'unknown'})`;
      await end('failed', message);
    }
  }
}
